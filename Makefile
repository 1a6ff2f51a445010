# initd — top-level build.
#
#   make            build initd and svctl into build/
#   make check      every test tier (unit, host, vm, fuzz replay)
#   make run        build the example appliance image and boot it in qemu
#   make image      build the image only (UNITS=DIR OVERLAY=DIR)
#   make install    PREFIX=/usr/local DESTDIR=
#   make deps       install build/test dependencies (Debian, as root)
#   make disk       a bootable GPT disk image (images/mkdisk.sh)
#   make bench      the benchmark tables (bench/README.md)
#   make check-unit, check-host, check-vm, check-fuzz, check-san: one tier
#   make help       this text
#
# Knobs: ARCH=arm64 (cross build into build-arm64*/, images/arch.mk),
#        SANITIZE=1 (ASan+UBSan), STATIC=1 (static initd/svctl),
#        FAULT=1 (test build: SIGUSR2 makes initd fault), WERROR=1 (CI), V=1.

include images/arch.mk

PREFIX    ?= /usr/local
DESTDIR   ?=
BUILD     ?= $(A_BUILD)
CC        ?= cc
PKG_CONFIG ?= pkg-config
VERSION   := $(shell git describe --always --dirty 2>/dev/null || echo 0.1)

# Optimised for size (-Oz where the compiler has it, gcc 12 and clang;
# else -Os): an init's code is cold but for a few system calls around each
# event. -O2's unrolling and inlining made the stripped initd ~70 KiB
# larger (392 -> 324 KiB); -Oz takes 4 KiB of code off -Os's. Neither
# moved a bench/ row beyond a quick run's noise (issue 19: bench/README.md).
OPT_SIZE  := $(shell $(CC) -Oz -x c -c -o /dev/null /dev/null 2>/dev/null && echo -Oz || echo -Os)
CFLAGS    ?= $(OPT_SIZE) -g
CFLAGS    += -std=gnu11 -Wall -Wextra -Wshadow -Wno-unused-parameter \
	     -Wmissing-prototypes -Wstrict-prototypes -Wformat=2 \
	     -Wvla -D_GNU_SOURCE -I. -DINITD_VERSION='"$(VERSION)"'
# The source directory never reaches the binaries (debug info, __FILE__):
# the same tree built anywhere gives the same image (images/README.md).
CFLAGS    += -ffile-prefix-map=$(CURDIR)=.
ifeq ($(WERROR),1)
CFLAGS    += -Werror
endif
ifeq ($(SANITIZE),1)
CFLAGS    += -fsanitize=address,undefined -fno-omit-frame-pointer
LDFLAGS   += -fsanitize=address,undefined
BUILD     := $(A_BUILD)-san
endif
# C that never unwinds (no backtrace(), no C++, no cancellation) needs no
# .eh_frame: 64 KiB of the stripped initd (issue 19). -g still writes
# .debug_frame for gdb. The sanitizer build keeps them: ASan's reports
# unwind through them.
ifneq ($(SANITIZE),1)
CFLAGS    += -fno-asynchronous-unwind-tables -fno-unwind-tables
endif
# A section per function and object, and the linker drops those nothing
# reaches (a library object's unused half, a helper only a test calls):
# 4 KiB of the stripped initd (issue 19).
CFLAGS    += -ffunction-sections -fdata-sections
LDFLAGS   += -Wl,--gc-sections
# Relative relocations packed (DT_RELR, glibc 2.36 and binutils 2.38 on):
# a PIE's pointer tables (names, field tables, handlers) cost 8 bytes each
# instead of 24; 24 KiB of the stripped initd (issue 19). Probed, so an
# older toolchain links as before.
RELR_LDFLAGS := $(shell printf 'int main(void){return 0;}' | \
	$(CC) -x c -Wl,-z,pack-relative-relocs -o /dev/null - 2>/dev/null && \
	echo -Wl,-z,pack-relative-relocs)
ifneq ($(SANITIZE),1)
LDFLAGS   += $(RELR_LDFLAGS)
endif
# Every import is bound before main() (BIND_NOW): the GOT is then
# read-only for the process's life (full RELRO: PID 1's for the machine's
# uptime) instead of writable until each import's first call, and the
# lazy-binding relocations go: 1.6 KiB of the stripped initd (issue 19).
# Calls go through that GOT (-fno-plt): one indirect call instead of a
# call to a PLT stub that jumps, and no stub per import: initd's code
# 1 KiB smaller. (An x86-64 static link relaxes them to direct calls.)
# tests/host/t-binary.sh checks the running PID 1's GOT.
LDFLAGS   += -Wl,-z,now
CFLAGS    += -fno-plt
# Link-time optimisation of initd, initd-loader and svctl: inlining and
# dead code across files, 8 KiB of the stripped initd (249744 -> 241560
# bytes, static 978024 -> 969864) and 4 KiB of initd-loader (issue 19;
# svctl loses 1 KiB of text, no page), for 14 s more CPU in a clean build
# (the three LTO links; 8 s at -j2). The objects are fat (their plain
# code too) and every other link (unit tests, fuzz replay, testd, bench,
# initd-stage1) takes $(NO_LTO): without -fno-lto gcc's linker plugin
# optimises fat objects again at each of those links. The LTO link
# repeats the compile's flags: without -Os and -fno-*unwind-tables there,
# .eh_frame comes back (+31 KiB). Probed: a compiler without it (clang, a
# cross gcc without the plugin) builds as before. Not in the sanitizer
# build.
ifneq ($(SANITIZE),1)
LTO_CFLAGS := $(shell printf 'int main(void){return 0;}' | \
	$(CC) -x c -Werror -flto=auto -ffat-lto-objects -fuse-linker-plugin \
	-o /dev/null - 2>/dev/null && echo -flto=auto -ffat-lto-objects)
endif
LTO_LINK   = $(if $(LTO_CFLAGS),$(CFLAGS) -flto=auto)
NO_LTO     = $(if $(LTO_CFLAGS),-fno-lto)
ifeq ($(STATIC),1)
LDFLAGS   += -static
BUILD     := $(A_BUILD)-static
PKG_STATIC := --static
endif
# A test build whose PID 1 faults on SIGUSR2, to prove the crash action.
ifeq ($(FAULT),1)
CFLAGS    += -DINITD_FAULT_INJECTION
BUILD     := $(BUILD)-fault
endif

# initd links no parser: libconfig and libseccomp's compiler are
# initd-loader's (and svctl's, which decodes with libunits); the tests
# link everything.
PKGS_UNITS := libconfig libseccomp
PKGS_INITD := libcap
PKGS_ALL   := $(PKGS_UNITS) $(PKGS_INITD)
HAVE_SYSTEMD := $(shell $(PKG_CONFIG) --exists libsystemd 2>/dev/null && echo 1)

cflags = $(shell $(PKG_CONFIG) --cflags $(1) 2>/dev/null)
libs   = $(shell $(PKG_CONFIG) $(PKG_STATIC) --libs $(1) 2>/dev/null)

ifneq ($(V),1)
Q := @
endif

COMMON_SRC := $(wildcard common/*.c)
UNITS_SRC  := $(wildcard units/*.c)
INITD_SRC  := $(wildcard initd/*.c)
SVCTL_SRC  := $(wildcard svctl/*.c)
LOADER_SRC := $(wildcard loader/*.c)

COMMON_OBJ := $(COMMON_SRC:%.c=$(BUILD)/obj/%.o)
UNITS_OBJ  := $(UNITS_SRC:%.c=$(BUILD)/obj/%.o)
INITD_OBJ  := $(INITD_SRC:%.c=$(BUILD)/obj/%.o)
SVCTL_OBJ  := $(SVCTL_SRC:%.c=$(BUILD)/obj/%.o)
LOADER_OBJ := $(LOADER_SRC:%.c=$(BUILD)/obj/%.o)

all: $(BUILD)/initd $(BUILD)/initd-loader $(BUILD)/svctl $(BUILD)/initd-stage1

# An incremental build must give what a clean one gives (a reproducible
# image, images/README.md): every object depends on a stamp of the compiler
# and flags (the links' too), the three that use the version also on a
# stamp of VERSION (a commit rebuilds those three only; units/compiled.c
# hashes it into a compiled model's digest). A stamp is rewritten only when
# its text changes.
FLAGS_STAMP   := $(BUILD)/stamp-flags
VERSION_STAMP := $(BUILD)/stamp-version
FLAGS_TEXT    := $(strip $(CC) $(filter-out -DINITD_VERSION=%,$(CFLAGS)) $(LTO_CFLAGS) \
		 $(LDFLAGS))
$(shell mkdir -p $(BUILD))
ifneq ($(file <$(FLAGS_STAMP)),$(FLAGS_TEXT))
$(file >$(FLAGS_STAMP),$(FLAGS_TEXT))
endif
ifneq ($(file <$(VERSION_STAMP)),$(VERSION))
$(file >$(VERSION_STAMP),$(VERSION))
endif
$(BUILD)/obj/initd/main.o $(BUILD)/obj/svctl/svctl.o $(BUILD)/obj/units/compiled.o: $(VERSION_STAMP)

$(BUILD)/obj/%.o: %.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) $(LTO_CFLAGS) $(call cflags,$(PKGS_ALL)) -MMD -MP -c -o $@ $<

# Archives are made afresh (rm first): `ar r` on an old one appends a new
# member at the end, and the link order, so the binary, would depend on the
# build's history rather than the tree (tests/vm/repro.sh).
$(BUILD)/libcommon.a: $(COMMON_OBJ)
	$(Q)rm -f $@ && $(AR) rcsD $@ $^
$(BUILD)/libunits.a: $(UNITS_OBJ)
	$(Q)rm -f $@ && $(AR) rcsD $@ $^

$(BUILD)/initd: $(INITD_OBJ) $(BUILD)/libunits.a $(BUILD)/libcommon.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LTO_LINK) $(LDFLAGS) -o $@ $^ $(call libs,$(PKGS_INITD))

# The unit files' reader (initd/loader.h): PID 1 runs it beside itself,
# `initd --check` execs it; the parsers and libconfig live only here. Its
# modes --reaper, --log-writer, --mount-helper and --metrics are the
# helpers PID 1 execs (issue 19: their code out of PID 1's binary), with
# the objects of initd/ they share with PID 1 (the reaper's request
# encoding, capabilities, the cgroup files' reads for --metrics).
LOADER_INITD_OBJ := $(BUILD)/obj/initd/reaper.o $(BUILD)/obj/initd/caps.o \
	$(BUILD)/obj/initd/cgroup.o $(BUILD)/obj/initd/cgroup_limits.o
$(BUILD)/initd-loader: $(LOADER_OBJ) $(LOADER_INITD_OBJ) $(BUILD)/libunits.a $(BUILD)/libcommon.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LTO_LINK) $(LDFLAGS) -o $@ $^ $(call libs,$(PKGS_UNITS) $(PKGS_INITD))

$(BUILD)/svctl: $(SVCTL_OBJ) $(BUILD)/libunits.a $(BUILD)/libcommon.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LTO_LINK) $(LDFLAGS) -o $@ $^ $(call libs,$(PKGS_UNITS)) -pthread

# The stage 1 of a disk image (images/mkdisk.sh): libcommon only, and always
# static: it is /init of an initramfs that carries no libraries (a
# sanitizer build cannot link statically; mkdisk refuses a dynamic one).
$(BUILD)/initd-stage1: $(BUILD)/obj/stage1/stage1.o $(BUILD)/obj/stage1/root.o $(BUILD)/libcommon.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) $(NO_LTO) $(if $(filter 1,$(SANITIZE)),,-static) -o $@ $^

-include $(BUILD)/obj/stage1/stage1.d $(BUILD)/obj/stage1/root.d $(COMMON_OBJ:.o=.d) $(UNITS_OBJ:.o=.d) $(INITD_OBJ:.o=.d) $(SVCTL_OBJ:.o=.d) $(LOADER_OBJ:.o=.d)

include tests/tests.mk
include bench/bench.mk
include images/images.mk

# ---- dependencies -------------------------------------------------------
DEB_BUILD := build-essential pkg-config libconfig-dev libseccomp-dev \
	     libcap-dev check libsystemd-dev
DEB_TEST  := qemu-system-x86 busybox-static cpio util-linux procps iproute2 python3 python3-prometheus-client clang \
	     libclang-rt-14-dev e2fsck-static e2fsprogs curl squashfs-tools fdisk \
	     librsvg2-bin
# ARCH=arm64 images and the arm64 VM tier: the cross toolchain, qemu, and the
# arm64 builds of the libraries (multiarch; deps-arm64.sh adds the foreign
# architecture first). The arm64 kernel, busybox and e2fsck are downloaded,
# not installed (images/kernel.sh, images/userland.sh).
DEB_ARM64 := gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu qemu-system-arm \
	     libc6-dev:arm64 libconfig-dev:arm64 \
	     libcap-dev:arm64 libsystemd-dev:arm64 \
	     libseccomp-dev:arm64
# `make deps` is what an x86_64 build, image and run need; deps-arm64 adds the
# arm64 architecture to dpkg, so only ARCH=arm64 images (image-deps) and
# `make check` (its arm64 tier) ask for it.
deps:
	$(Q)./images/deps.sh $(DEB_BUILD) $(DEB_TEST)
deps-arm64:
	$(Q)./images/deps-arm64.sh $(DEB_ARM64)

# ---- install ------------------------------------------------------------
MAN5 := $(wildcard units/*.5)
MAN8 := $(wildcard initd/*.8 svctl/*.8)
install: all
	install -Dm755 $(BUILD)/initd $(DESTDIR)$(PREFIX)/sbin/initd
	install -Dm755 $(BUILD)/initd-loader $(DESTDIR)$(PREFIX)/sbin/initd-loader
	install -Dm755 $(BUILD)/svctl $(DESTDIR)$(PREFIX)/bin/svctl
	for m in $(MAN5); do install -Dm644 $$m $(DESTDIR)$(PREFIX)/share/man/man5/$$(basename $$m); done
	for m in $(MAN8); do install -Dm644 $$m $(DESTDIR)$(PREFIX)/share/man/man8/$$(basename $$m); done
	install -Dm644 svctl/svctl.bash-completion \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/svctl

clean:
	rm -rf build build-san build-static build-fuzz build-arm64 build-arm64-static build-arm64-san

.PHONY: all deps deps-arm64 install clean help

# The header above, as the list of what make does.
help:
	@sed -n '3,/^$$/{/^#/s/^# \{0,1\}//p}' $(firstword $(MAKEFILE_LIST))

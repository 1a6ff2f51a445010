# tests.mk — the test tiers (doc/DESIGN.md §11). Every tier writes TAP lines
# ("ok N - name" / "not ok N - name") to $(RESULTS)/TIER.tap; tests/summary.sh
# prints them and closes with "N passed, N failed".

RESULTS     := $(BUILD)/results
CHECK_CFLAGS = $(call cflags,check)
CHECK_LIBS   = $(call libs,check)

# Unit tier: one Check binary per tests/unit/test_*.c, linked with the
# libraries and the initd objects it names in its own $(TEST_OBJS_name).
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(wildcard tests/unit/test_*.c))
INITD_LIB_OBJ := $(filter-out $(BUILD)/obj/initd/main.o,$(INITD_OBJ))

$(BUILD)/tests/unit/test_%: tests/unit/test_%.c $(INITD_LIB_OBJ) $(BUILD)/libunits.a $(BUILD)/libcommon.a
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  TEST-CC $<")
	$(Q)$(CC) $(CFLAGS) $(NO_LTO) $(CHECK_CFLAGS) $(call cflags,$(PKGS_UNITS)) -o $@ $^ \
		$(CHECK_LIBS) $(call libs,$(PKGS_ALL)) $(TEST_LDFLAGS)

# The ring's allocation, which its test makes fail; the index's growth
# (test_pidmap, and test_manager's walk without it).
$(BUILD)/tests/unit/test_logbuf: TEST_LDFLAGS = -Wl,--wrap=nofork_realloc
$(BUILD)/tests/unit/test_pidmap: TEST_LDFLAGS = -Wl,--wrap=nofork_alloc
# The bytes the watch table moves (test_cgroup_watch).
$(BUILD)/tests/unit/test_cgroup_watch: TEST_LDFLAGS = -Wl,--wrap=memmove
$(BUILD)/tests/unit/test_manager: TEST_LDFLAGS = -Wl,--wrap=nofork_alloc -Wl,--wrap=spawn_start \
	-Wl,--wrap=loop_timer_arm
# A status reply's cgroup statistics reads, which its test counts.
$(BUILD)/tests/unit/test_control: TEST_LDFLAGS = -Wl,--wrap=manager_cgroup_stats
# The rescue shell's fork and its exit's watch, which its test makes fail.
$(BUILD)/tests/unit/test_rescue: TEST_LDFLAGS = -Wl,--wrap=spawn_helper_fork \
	-Wl,--wrap=loop_watch_add
# The watchdog's ioctls, answered by the test for a fake device.
$(BUILD)/tests/unit/test_watchdog: TEST_LDFLAGS = -Wl,--wrap=ioctl
# A probe's helper without a cgroup to be born in, and the fork its
# unit's pids.max would refuse in it (test_probe).
$(BUILD)/tests/unit/test_probe: TEST_LDFLAGS = -Wl,--wrap=spawn_helper_fork_into -Wl,--wrap=fork
# A poll that sees a child's byte and exit land mid-scan (the fd window's
# wait: which of its two fds comes first).
$(BUILD)/tests/unit/test_spawn: TEST_LDFLAGS = -Wl,--wrap=poll -Wl,--wrap=__poll_chk

# The log writer process, the mount and the metrics helpers (initd-loader's
# modes).
$(BUILD)/tests/unit/test_logfile: $(BUILD)/obj/loader/logwriter.o
# The close's bound, which its test makes fail to arm (test_logfile).
$(BUILD)/tests/unit/test_logfile: TEST_LDFLAGS = -Wl,--wrap=loop_timer_arm
$(BUILD)/tests/unit/test_mounts: $(BUILD)/obj/loader/mount_helper.o
$(BUILD)/tests/unit/test_metrics: $(BUILD)/obj/loader/metrics_helper.o
# (libcommon again after it: its GPT reader; $^ lists each file once)
$(BUILD)/tests/unit/test_mounts: TEST_LDFLAGS = $(BUILD)/libcommon.a

# The mount table reader's allocations, which its test makes fail.
$(BUILD)/tests/unit/test_mounttab: TEST_LDFLAGS = -Wl,--wrap=realloc -Wl,--wrap=strdup

# How stage 1 finds and mounts its root (on a fake /sys/class/block and
# /dev); libcommon again after it, for its GPT reader. The mount, and the
# read of a disk that does not answer (test_stage1).
$(BUILD)/tests/unit/test_stage1: $(BUILD)/obj/stage1/root.o
$(BUILD)/tests/unit/test_stage1: TEST_LDFLAGS = $(BUILD)/libcommon.a -Wl,--wrap=mount \
	-Wl,--wrap=pread

# Stage 1's program itself, its main renamed (the test has its own), its
# system calls wrapped: what it execs /sbin/init with, and how it fails
# (test_stage1_main). Its LTO sections go: the link reads its plain code.
$(BUILD)/obj/stage1/stage1_main.o: $(BUILD)/obj/stage1/stage1.o
	$(Q)$(A_CROSS)objcopy --redefine-sym main=stage1_main --remove-section='.gnu.lto_*' $< $@
$(BUILD)/tests/unit/test_stage1_main: $(BUILD)/obj/stage1/stage1_main.o $(BUILD)/obj/stage1/root.o
$(BUILD)/tests/unit/test_stage1_main: TEST_LDFLAGS = $(BUILD)/libcommon.a \
	-Wl,--wrap=sync -Wl,--wrap=reboot -Wl,--wrap=execv -Wl,--wrap=execve -Wl,--wrap=mount \
	-Wl,--wrap=umount2 -Wl,--wrap=mkdir -Wl,--wrap=chdir -Wl,--wrap=chroot \
	-Wl,--wrap=open -Wl,--wrap=root_mount

# svctl's cleaning of text for a terminal.
$(BUILD)/tests/unit/test_clean: $(BUILD)/obj/svctl/clean.o
# svctl's status table, its MEMORY and CPU columns' reads, and the tree's.
$(BUILD)/tests/unit/test_table: $(BUILD)/obj/svctl/output.o $(BUILD)/obj/svctl/clean.o \
	$(BUILD)/obj/svctl/postmortem.o $(BUILD)/obj/svctl/cgstat.o $(BUILD)/obj/svctl/tree.o
$(BUILD)/tests/unit/test_table: TEST_LDFLAGS = -pthread

# svctl's analyze (client-side rendering), what it prints with, and its
# cgroup reads.
$(BUILD)/tests/unit/test_analyze: $(BUILD)/obj/svctl/analyze.o $(BUILD)/obj/svctl/analyze_svg.o \
	$(BUILD)/obj/svctl/output.o $(BUILD)/obj/svctl/clean.o $(BUILD)/obj/svctl/postmortem.o \
	$(BUILD)/obj/svctl/cgstat.o
$(BUILD)/tests/unit/test_analyze: TEST_LDFLAGS = -pthread

# svctl's printers of what a fake or hostile server may send (metrics' fd,
# show's and analyze's text), and the exit codes their failures make.
$(BUILD)/tests/unit/test_replies: $(BUILD)/obj/svctl/client.o \
	$(BUILD)/obj/svctl/system.o $(BUILD)/obj/svctl/show.o \
	$(BUILD)/obj/svctl/analyze.o $(BUILD)/obj/svctl/output.o $(BUILD)/obj/svctl/clean.o \
	$(BUILD)/obj/svctl/postmortem.o $(BUILD)/obj/svctl/cgstat.o
# (libunits again after them: show.o decodes and dumps the unit; $^ lists
# each file once)
$(BUILD)/tests/unit/test_replies: TEST_LDFLAGS = -pthread $(BUILD)/libunits.a $(BUILD)/libcommon.a

$(BUILD)/testd: tests/testd.c $(BUILD)/libcommon.a
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(NO_LTO) -o $@ $^ $(if $(HAVE_SYSTEMD),-DHAVE_LIBSYSTEMD $(call libs,libsystemd))

check-unit: $(UNIT_TESTS)
	@mkdir -p $(RESULTS)
	$(Q)tests/unit/run.sh $(RESULTS)/unit.tap $(UNIT_TESTS)

check-host: all $(BUILD)/testd
	@mkdir -p $(RESULTS)
	$(Q)BUILD=$(BUILD) tests/host/run.sh $(RESULTS)/host.tap

check-vm: all
	@mkdir -p $(RESULTS)
	$(Q)BUILD=$(BUILD) tests/vm/tier.sh $(RESULTS)/vm.tap

# ---- fuzz (tests/fuzz/README.md) --------------------------------------------
# Targets: tests/fuzz/fuzz_TARGET.c; corpus: tests/fuzz/TARGET/.
FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_OBJ_SRC  = $(filter-out initd/main.c,$(INITD_SRC)) $(UNITS_SRC) $(COMMON_SRC) \
		$(filter-out svctl/svctl.c,$(SVCTL_SRC))
FUZZ_LSAN     = LSAN_OPTIONS=suppressions=$(CURDIR)/tests/fuzz/lsan.supp:print_suppressions=0
FUZZ_UBSAN    = UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# Replay (`make check`, tier fuzz): each target linked with driver.c instead
# of libFuzzer, built by $(CC) with ASan+UBSan in build-san/ (check-fuzz
# re-enters make with SANITIZE=1), so it needs no clang.
FUZZ_REPLAY_OBJ = $(filter-out $(BUILD)/obj/initd/main.o,$(INITD_OBJ)) \
		  $(filter-out $(BUILD)/obj/svctl/svctl.o,$(SVCTL_OBJ)) \
		  $(BUILD)/libunits.a $(BUILD)/libcommon.a

$(BUILD)/fuzz/replay-%: tests/fuzz/fuzz_%.c tests/fuzz/driver.c tests/fuzz/fuzz.h $(FUZZ_REPLAY_OBJ)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZ-CC $@")
	$(Q)$(CC) $(CFLAGS) $(NO_LTO) -fno-sanitize-recover=all $(call cflags,$(PKGS_ALL)) -o $@ \
		tests/fuzz/fuzz_$*.c tests/fuzz/driver.c $(FUZZ_REPLAY_OBJ) $(call libs,$(PKGS_ALL)) -pthread

fuzz-replay: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/replay-%)
	@mkdir -p $(RESULTS)
	$(Q)tap=$(RESULTS)/fuzz.tap.$$$$; : > $$tap; \
	for t in $(FUZZ_TARGETS); do \
		if n=$$($(FUZZ_LSAN) $(FUZZ_UBSAN) $(BUILD)/fuzz/replay-$$t tests/fuzz/$$t 2>$(RESULTS)/fuzz-$$t.err) && [ "$$n" -gt 0 ]; then \
			echo "ok - fuzz: $$t replays $$n inputs" >> $$tap; \
		else \
			echo "not ok - fuzz: $$t replays its corpus (see $(RESULTS)/fuzz-$$t.err)" >> $$tap; \
			tail -n 40 $(RESULTS)/fuzz-$$t.err >&2; \
		fi; \
	done; \
	mv $$tap $(RESULTS)/fuzz.tap; \
	cat $(RESULTS)/fuzz.tap; ! grep -q '^not ok' $(RESULTS)/fuzz.tap

check-fuzz:
	@mkdir -p $(RESULTS)
	$(Q)$(MAKE) --no-print-directory SANITIZE=1 RESULTS=$(abspath $(RESULTS)) fuzz-replay

# Fuzzing proper: clang's libFuzzer, in build-fuzz/ (its own objects, built
# with coverage instrumentation). `make fuzz FUZZ_SECONDS=N` runs each
# target N seconds on its corpus; new inputs land in build-fuzz/corpus/T,
# `make fuzz-merge` adds the ones that bring new coverage to tests/fuzz/T.
# Both pass -artifact_prefix: libFuzzer's default is the current directory,
# which is how a crash-* file once landed in the repository's top level.
FUZZ_CC      ?= clang
FUZZ_BUILD   := build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_FLAGS   ?=
FUZZ_CFLAGS  := -O1 -g -std=gnu11 -D_GNU_SOURCE -I. -DINITD_VERSION='"fuzz"' \
		-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_OBJ     := $(FUZZ_OBJ_SRC:%.c=$(FUZZ_BUILD)/obj/%.o)

$(FUZZ_BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZ-CC $<")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(call cflags,$(PKGS_ALL)) -MMD -MP -c -o $@ $<

$(FUZZ_BUILD)/fuzz-%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_OBJ)
	@$(if $(Q),echo "  FUZZ-LD $@")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(call cflags,$(PKGS_ALL)) -o $@ \
		tests/fuzz/fuzz_$*.c $(FUZZ_OBJ) $(call libs,$(PKGS_ALL))

-include $(FUZZ_OBJ:.o=.d)
.SECONDARY: $(FUZZ_OBJ) $(FUZZ_REPLAY_OBJ)

fuzz-build: $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz-%)

fuzz: fuzz-build
	$(Q)for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_BUILD)/corpus/$$t $(FUZZ_BUILD)/artifacts/$$t; \
		dict=; [ -f tests/fuzz/$$t.dict ] && dict=-dict=tests/fuzz/$$t.dict; \
		opts=; [ -f tests/fuzz/$$t.options ] && opts=$$(grep -v '^#' tests/fuzz/$$t.options); \
		echo "== fuzz $$t for $(FUZZ_SECONDS)s"; \
		$(FUZZ_LSAN) $(FUZZ_UBSAN) $(FUZZ_BUILD)/fuzz-$$t -max_total_time=$(FUZZ_SECONDS) \
			-print_final_stats=1 -artifact_prefix=$(FUZZ_BUILD)/artifacts/$$t/ $$dict $$opts \
			$(FUZZ_FLAGS) $(FUZZ_BUILD)/corpus/$$t tests/fuzz/$$t \
			2>&1 | tee $(FUZZ_BUILD)/fuzz-$$t.log | grep -E '^(#[0-9]+[[:space:]]+DONE|INFO: seed|==[0-9]+==|SUMMARY)' ; \
		tail -n 12 $(FUZZ_BUILD)/fuzz-$$t.log | grep -E '^stat::|DONE' ; \
	done

fuzz-merge: fuzz-build
	$(Q)for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_BUILD)/artifacts/$$t; \
		$(FUZZ_LSAN) $(FUZZ_BUILD)/fuzz-$$t -merge=1 -artifact_prefix=$(FUZZ_BUILD)/artifacts/$$t/ \
			tests/fuzz/$$t $(FUZZ_BUILD)/corpus/$$t; \
	done

# ---- sanitizers: the unit and host tiers again under SANITIZE=1 ---------------
# Results go to $(RESULTS)/san.tap, each test named "san: ..."; a sanitizer
# report in any initd log of the host tier is a failure of its own.
SAN_ENV = ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 $(FUZZ_UBSAN) \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/fuzz/lsan.supp:print_suppressions=0

check-san:
	@mkdir -p $(RESULTS)/san.d
	-$(Q)$(SAN_ENV) $(MAKE) --no-print-directory SANITIZE=1 RESULTS=$(abspath $(RESULTS))/san.d check-unit
	-$(Q)$(SAN_ENV) HOST_JOBS=$${HOST_JOBS:-2} $(MAKE) --no-print-directory SANITIZE=1 \
		RESULTS=$(abspath $(RESULTS))/san.d check-host
	$(Q)tests/san.sh $(RESULTS)/san.d $(RESULTS)/san.tap

# What the fuzz and san tiers build (SANITIZE=1). `make check` builds it at
# nice 19 while the VM tier runs, on the core QEMU leaves idle, holding a
# lock the fuzz tier waits for, so no two makes ever share build-san/. A
# failed build here is simply redone (and reported) by the tiers.
san-prebuild: all $(BUILD)/testd $(UNIT_TESTS) $(FUZZ_TARGETS:%=$(BUILD)/fuzz/replay-%)

# `make check` runs every tier even when one fails, then sums up. The
# builds a tier waits for use every CPU (CHECK_JOBS, default nproc): no
# test runs beside them. The tiers themselves run one after another.
CHECK_JOBS ?= $(shell nproc 2>/dev/null || echo 1)
check: deps deps-arm64
	@rm -rf $(RESULTS); mkdir -p $(RESULTS)
	$(Q)$(MAKE) --no-print-directory -j$(CHECK_JOBS) all bench-tools   # bench/ links svctl's client: it must not rot
	-$(Q)$(MAKE) --no-print-directory -j$(CHECK_JOBS) check-unit
	-$(Q)$(MAKE) --no-print-directory -j$(CHECK_JOBS) check-host
	$(Q)exec 8>$(RESULTS)/.san-build.lock; flock 8; \
	(nice -n 19 $(MAKE) --no-print-directory SANITIZE=1 san-prebuild \
		>$(RESULTS)/san-build.log 2>&1 &)
	-$(Q)$(MAKE) --no-print-directory check-vm
	$(Q)flock $(RESULTS)/.san-build.lock true
	-$(Q)$(MAKE) --no-print-directory check-fuzz
	-$(Q)$(MAKE) --no-print-directory -j$(CHECK_JOBS) check-san
	$(Q)tests/summary.sh $(RESULTS) $(CHECK_TIERS)

CHECK_TIERS ?= unit host vm fuzz san

.PHONY: san-prebuild check check-unit check-host check-vm check-fuzz check-san fuzz fuzz-build \
	fuzz-merge fuzz-replay

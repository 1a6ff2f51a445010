# arch.mk — the one table of target architectures (ARCH=x86_64, the host and
# the default, or ARCH=arm64). Included by the top Makefile before anything
# uses CC, PKG_CONFIG or BUILD; images/images.mk and the arm64 VM tier read
# the rest. Per architecture:
#   CROSS    toolchain prefix (empty: the host's cc, ar, pkg-config)
#   DEB      Debian architecture (kernel.sh KARCH, apt-get download PKG:DEB)
#   KPKG     the kernel meta package kernel.sh resolves (linux-image-DEB)
#   QEMU     qemu binary; MACHINE its machine options; CONSOLE the guest's
#            serial console
#   KCACHE   kernel cache directory (build/kernel is the host's, shared)
#   BUILD    build directory prefix (-static is appended for the image)
# arm64 runs -cpu cortex-a57: under TCG here it boots the smoke image about
# twice as fast as -cpu max (services settled at 3.7-4.6 s of guest uptime
# against 11.6 s, 9-12 s of QEMU wall time against 21 s, load ~9).
ARCH ?= x86_64
ifeq ($(ARCH),aarch64)
override ARCH := arm64
endif

ARCH_x86_64_CROSS   :=
ARCH_x86_64_DEB     := amd64
ARCH_x86_64_KPKG    := linux-image-amd64
ARCH_x86_64_QEMU    := qemu-system-x86_64
ARCH_x86_64_MACHINE :=
ARCH_x86_64_CONSOLE := ttyS0
ARCH_x86_64_KCACHE  := build/kernel
ARCH_x86_64_BUILD   := build

ARCH_arm64_CROSS    := aarch64-linux-gnu-
ARCH_arm64_DEB      := arm64
ARCH_arm64_KPKG     := linux-image-arm64
ARCH_arm64_QEMU     := qemu-system-aarch64
ARCH_arm64_MACHINE  := -M virt -cpu cortex-a57
ARCH_arm64_CONSOLE  := ttyAMA0
ARCH_arm64_KCACHE   := build/kernel-arm64
ARCH_arm64_BUILD    := build-arm64

ifeq ($(ARCH_$(ARCH)_DEB),)
$(error ARCH=$(ARCH): unknown architecture (x86_64, arm64))
endif
A_CROSS   := $(ARCH_$(ARCH)_CROSS)
A_DEB     := $(ARCH_$(ARCH)_DEB)
A_KPKG    := $(ARCH_$(ARCH)_KPKG)
A_QEMU    := $(ARCH_$(ARCH)_QEMU)
A_MACHINE := $(ARCH_$(ARCH)_MACHINE)
A_CONSOLE := $(ARCH_$(ARCH)_CONSOLE)
A_KCACHE  := $(ARCH_$(ARCH)_KCACHE)
A_BUILD   := $(ARCH_$(ARCH)_BUILD)

# A cross build: the cross compiler, and pkg-config reading only the target's
# .pc files (the cross wrapper when installed).
ifneq ($(A_CROSS),)
CC := $(A_CROSS)gcc
AR := $(A_CROSS)ar
PKG_CONFIG ?= $(if $(shell command -v $(A_CROSS)pkg-config),$(A_CROSS)pkg-config,\
	PKG_CONFIG_LIBDIR=/usr/lib/$(A_CROSS:-=)/pkgconfig:/usr/share/pkgconfig pkg-config)
endif

# images.mk — the appliance image and the qemu runner (owned by images/).
#
#   make image [UNITS=DIR] [OVERLAY=DIR] [INITD_CONF=FILE]
#        build/image/initramfs.cpio.gz: static initd as PID 1, svctl, busybox,
#        the units of DIR, DIR/../initd.conf and DIR/../overlay when present,
#        the kernel modules. Without UNITS: the demo appliance
#        (examples/demo/units, plus what examples/demo/demo.mk builds for it).
#        The image is reproducible: SOURCE_DATE_EPOCH=SECS pins its mtimes
#        (default: the last commit's time); CHECK_INITD=FILE is the host
#        initd that runs `--check --root` on it (default: the image's own);
#        CHECK_WARN=1: its errors are warnings (test images with bad units)
#   make run [SCRIPT=FILE] [RUN_TIMEOUT=SECS] [DISK=FILE] [APPEND="..."] [QEMU_OPTS="..."]
#        [FWD_PORT=PORT]
#        boot it in qemu (TCG); with SCRIPT, run FILE inside once every service
#        is up, print its output, power off (images/run.sh exits with FILE's
#        status; make turns any failure into 2). DISK: a virtio disk
#        (/dev/vda) backed by FILE, created as a 64M ext4 labelled "data"
#        when missing, so two runs share state; APPEND: extra kernel
#        arguments; QEMU_OPTS: extra qemu arguments; FWD_PORT (default
#        8080): QEMU user networking (the guest's eth0) with the host's
#        127.0.0.1:PORT forwarded to the guest's port 8080; FWD_PORT= runs
#        without a network card
#   make disk [UNITS=DIR] [OVERLAY=DIR] [INITD_CONF=FILE] [CHECK_WARN=1]
#        build/image/disk.img: a GPT disk, partition 1 a read-only squashfs
#        root (mkimage's tree: UNITS default examples/minimal/units, with
#        images/disk/initd.conf by default),
#        partition 2 an empty data partition; and its stage 1,
#        build/image/disk-stage1.cpio.gz (images/mkdisk.sh)
#   make run DISK_IMAGE=FILE [RUN_TIMEOUT=SECS] [APPEND="..."] [QEMU_OPTS="..."]
#        boot a disk image (FILE is written: its data partition) with the
#        kernel passed by qemu and the stage 1 as initrd (no SCRIPT=); the
#        disk is built first only when FILE is build/image/disk.img and
#        missing, so two runs share the data partition (x86_64 only)
#   make image-deps
#        fetch the Debian kernel into build/kernel/ (no-op when cached)
#   ARCH=arm64 (any of the above; images/arch.mk holds the table)
#        cross-build into build-arm64-static/ (build-arm64/ if static fails),
#        Debian's arm64 kernel, busybox and e2fsck in build/kernel-arm64/
#        (images/userland.sh), the image in build/image-arm64/, qemu-system-aarch64
#        -M virt; `initd --check` runs the host build (build/initd)
#
# Image paths do not follow $(BUILD): the image always carries the static
# build ($(A_BUILD)-static/), falling back to the dynamic one if that fails.

IMAGE_DIR    ?= $(if $(A_CROSS),build/image-$(ARCH),build/image)
KERNEL_CACHE ?= $(A_KCACHE)
IMAGE        := $(IMAGE_DIR)/initramfs.cpio.gz
VMLINUZ      := $(KERNEL_CACHE)/current/vmlinuz
UNITS        ?=
OVERLAY      ?=
INITD_CONF   ?=
SCRIPT       ?=
RUN_TIMEOUT  ?= 300
DISK         ?=
APPEND       ?=
QEMU_OPTS    ?=
FWD_PORT     ?= 8080

include examples/demo/demo.mk
DISK_OUT     := $(IMAGE_DIR)/disk.img
DISK_STAGE1  := $(IMAGE_DIR)/disk-stage1.cpio.gz
DISK_IMAGE   ?=
include images/disk/layout.env
CHECK_INITD  ?=
CHECK_WARN   ?=

image-deps: deps $(if $(A_CROSS),deps-arm64)
	$(Q)KARCH=$(A_DEB) images/kernel.sh $(KERNEL_CACHE) >/dev/null
ifneq ($(A_CROSS),)
	$(Q)KARCH=$(A_DEB) images/userland.sh $(KERNEL_CACHE) >/dev/null
endif

# A cross image: the target's busybox and e2fsck, and the host's initd for
# --check (built here, in build/).
IMAGE_CROSS_OPTS := $(if $(A_CROSS),-b $(KERNEL_CACHE)/userland/busybox \
	-e $(KERNEL_CACHE)/userland/e2fsck)

# The demo's units (the default) also need what demo.mk builds, however
# UNITS names them.
IMAGE_UNITS = $(or $(UNITS),$(DEMO_DIR)/units)
IMAGE_DEMO  = $(filter $(abspath $(DEMO_DIR)/units),$(abspath $(IMAGE_UNITS)))

# The static build runs in a sub-make (STATIC=1 switches BUILD to build-static).
image: image-deps $(if $(IMAGE_DEMO),demo-overlay)
	$(Q)if $(MAKE) --no-print-directory STATIC=1 SANITIZE= all; then \
		bin=$(A_BUILD)-static; \
	else \
		echo "image: static link failed; using the dynamic build and its libraries" >&2; \
		$(MAKE) --no-print-directory STATIC= SANITIZE= BUILD=$(A_BUILD) all || exit 1; \
		bin=$(A_BUILD); \
	fi; \
	$(if $(A_CROSS),$(MAKE) --no-print-directory ARCH=x86_64 STATIC= SANITIZE= BUILD=build all || exit 1;) \
	images/mkimage.sh -o $(IMAGE) -k $(KERNEL_CACHE)/current \
		-i $$bin/initd -s $$bin/svctl $(IMAGE_CROSS_OPTS) \
		-x $(or $(CHECK_INITD),$(if $(A_CROSS),build/initd,$$bin/initd)) \
		$(if $(filter 1,$(CHECK_WARN)),-W) \
		-u $(IMAGE_UNITS) $(if $(IMAGE_DEMO),-O $(DEMO_OVERLAY)) \
		$(if $(INITD_CONF),-C $(INITD_CONF)) $(if $(OVERLAY),-O $(OVERLAY))

# The same static-or-dynamic choice as image, then images/mkdisk.sh. x86_64
# only for now: an arm64 disk needs the target's mke2fs and stage 1's module
# list without the modules arm64 builds in.
disk: image-deps
	$(if $(A_CROSS),$(error make disk: ARCH=$(ARCH) is not supported yet (x86_64 only); make image ARCH=$(ARCH) builds its initramfs))
	$(Q)if $(MAKE) --no-print-directory STATIC=1 SANITIZE= all; then bin=build-static; \
	else $(MAKE) --no-print-directory STATIC= SANITIZE= BUILD=build all || exit 1; bin=build; fi; \
	images/mkdisk.sh -o $(DISK_OUT) -k $(KERNEL_CACHE)/current -i $$bin/initd \
		-s $$bin/svctl -1 $$bin/initd-stage1 -a $(ARCH) \
		$(if $(CHECK_INITD),-x $(CHECK_INITD)) $(if $(filter 1,$(CHECK_WARN)),-W) \
		$(if $(UNITS),-u $(UNITS)) $(if $(INITD_CONF),-C $(INITD_CONF)) \
		$(if $(OVERLAY),-O $(OVERLAY))

ifeq ($(DISK_IMAGE),)
run: image
	$(Q)RUN_TIMEOUT=$(RUN_TIMEOUT) RUN_QEMU=$(A_QEMU) RUN_MACHINE='$(A_MACHINE)' \
		RUN_CONSOLE=$(A_CONSOLE) images/run.sh $(if $(SCRIPT),-s $(SCRIPT)) \
		$(if $(DISK),-D '$(DISK)') $(if $(APPEND),-a '$(APPEND)') \
		$(if $(QEMU_OPTS),-q '$(QEMU_OPTS)') $(if $(FWD_PORT),-f $(FWD_PORT)) \
		$(VMLINUZ) $(IMAGE)
else
# A disk boot, checked when make reads this, before anything is built. Only
# the default disk is built when missing: a disk that exists is never
# rebuilt (its data partition is the point), nor is a FILE elsewhere made.
ifneq ($(A_CROSS),)
$(error make run DISK_IMAGE=: ARCH=$(ARCH) disks are not supported yet (x86_64 only))
endif
ifneq ($(SCRIPT),)
$(error SCRIPT= runs in an initramfs boot, not with DISK_IMAGE=)
endif
run: $(if $(wildcard $(DISK_IMAGE)),,$(if $(filter $(abspath $(DISK_OUT)),$(abspath $(DISK_IMAGE))),disk))
	$(Q)test -f '$(DISK_IMAGE)' || { echo "run: no disk image $(DISK_IMAGE) (make disk builds $(DISK_OUT))" >&2; exit 2; }
	$(Q)test -f '$(DISK_STAGE1)' || { echo "run: no stage 1 $(DISK_STAGE1) (make disk builds it, and a new disk)" >&2; exit 2; }
	$(Q)RUN_RDINIT=/init RUN_TIMEOUT=$(RUN_TIMEOUT) images/run.sh \
		-a 'initd.root=PARTUUID=$(DISK_ROOT_PARTUUID)$(if $(APPEND), $(APPEND))' \
		-q '-drive file=$(DISK_IMAGE),if=virtio,format=raw$(if $(QEMU_OPTS), $(QEMU_OPTS))' \
		$(if $(FWD_PORT),-f $(FWD_PORT)) $(VMLINUZ) $(DISK_STAGE1)
endif

.PHONY: image image-deps run disk

# images.mk — the appliance image and the qemu runner (owned by images/).
#
#   make image [UNITS=DIR] [OVERLAY=DIR] [INITD_CONF=FILE]
#        build/image/initramfs.cpio.gz: static initd as PID 1, svctl, busybox,
#        the units of DIR (default examples/basic/units), DIR/../initd.conf and
#        DIR/../overlay when present, the kernel modules
#   make run [SCRIPT=FILE] [RUN_TIMEOUT=SECS] [DISK=FILE] [APPEND="..."] [QEMU_OPTS="..."]
#        boot it in qemu (TCG); with SCRIPT, run FILE inside once every service
#        is up, print its output, power off (images/run.sh exits with FILE's
#        status; make turns any failure into 2). DISK: a virtio disk
#        (/dev/vda) backed by FILE, created as a 64M ext4 labelled "data"
#        when missing, so two runs share state; APPEND: extra kernel
#        arguments; QEMU_OPTS: extra qemu arguments
#        The image is reproducible: SOURCE_DATE_EPOCH=SECS pins its mtimes
#        (default: the last commit's time); CHECK_INITD=FILE is the host
#        initd that runs `--check --root` on it (default: the image's own);
#        CHECK_WARN=1: its errors are warnings (test images with bad units)
#   make image-deps
#        fetch the Debian kernel into build/kernel/ (no-op when cached)
#
# Image paths do not follow $(BUILD): the image always carries the static
# build (build-static/), falling back to the dynamic one if that fails.

IMAGE_DIR    ?= build/image
KERNEL_CACHE ?= build/kernel
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
CHECK_INITD  ?=
CHECK_WARN   ?=

image-deps: deps
	$(Q)images/kernel.sh $(KERNEL_CACHE) >/dev/null

# The static build runs in a sub-make (STATIC=1 switches BUILD to build-static).
image: image-deps
	$(Q)if $(MAKE) --no-print-directory STATIC=1 SANITIZE= all; then \
		bin=build-static; \
	else \
		echo "image: static link failed; using the dynamic build and its libraries" >&2; \
		$(MAKE) --no-print-directory STATIC= SANITIZE= BUILD=build all || exit 1; \
		bin=build; \
	fi; \
	images/mkimage.sh -o $(IMAGE) -k $(KERNEL_CACHE)/current \
		-i $$bin/initd -s $$bin/svctl -x $(or $(CHECK_INITD),$$bin/initd) \
		$(if $(filter 1,$(CHECK_WARN)),-W) \
		$(if $(UNITS),-u $(UNITS)) $(if $(INITD_CONF),-C $(INITD_CONF)) \
		$(if $(OVERLAY),-O $(OVERLAY))

run: image
	$(Q)RUN_TIMEOUT=$(RUN_TIMEOUT) images/run.sh $(if $(SCRIPT),-s $(SCRIPT)) \
		$(if $(DISK),-D '$(DISK)') $(if $(APPEND),-a '$(APPEND)') \
		$(if $(QEMU_OPTS),-q '$(QEMU_OPTS)') $(VMLINUZ) $(IMAGE)

.PHONY: image image-deps run

# images.mk — the appliance image and the qemu runner (owned by images/).
image-deps:
	@true
.PHONY: image-deps

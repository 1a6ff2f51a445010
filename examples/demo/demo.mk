# demo.mk — what the demo appliance (examples/demo) needs built: notifyd,
# dynamic and linked with libsystemd (from pkg-config), staged in
# $(DEMO_OVERLAY)/usr/sbin (one per ARCH: a cross build links the target's
# libsystemd), which `make image` passes to mkimage.sh with -O
# when it builds the demo (mkimage copies libsystemd and the loader in).
# Included by images/images.mk.

DEMO_DIR     := examples/demo
DEMO_OVERLAY := build/demo-$(ARCH)/overlay
DEMO_NOTIFYD := $(DEMO_OVERLAY)/usr/sbin/notifyd

# Modes are set, not left to the umask: the overlay is copied into the image
# as it is, and the image must not depend on who built it (tests/vm/repro.sh).
# After the compiler and libsystemd are installed (order-only: an install
# never makes it out of date); with -j it ran beside deps-arm64's apt-get
# (tests/host/t-makedeps.sh).
$(DEMO_NOTIFYD): $(DEMO_DIR)/src/notifyd.c | deps $(if $(A_CROSS),deps-arm64)
	@install -d -m 0755 $(DEMO_OVERLAY) $(DEMO_OVERLAY)/usr $(DEMO_OVERLAY)/usr/sbin
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) -O2 -Wall -Wextra $(if $(filter 1,$(WERROR)),-Werror) $(call cflags,libsystemd) \
		-o $@ $< $(shell $(PKG_CONFIG) --libs libsystemd)
	@chmod 0755 $@

demo-overlay: $(DEMO_NOTIFYD)

.PHONY: demo-overlay

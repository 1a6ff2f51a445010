# tests.mk — the test tiers (DESIGN §11). Every tier writes TAP lines
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
	$(Q)$(CC) $(CFLAGS) $(CHECK_CFLAGS) $(call cflags,$(PKGS_UNITS)) -o $@ $^ \
		$(CHECK_LIBS) $(call libs,$(PKGS_INITD))

$(BUILD)/testd: tests/testd.c $(BUILD)/libcommon.a
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(if $(HAVE_SYSTEMD),-DHAVE_LIBSYSTEMD $(call libs,libsystemd))

check-unit: $(UNIT_TESTS)
	@mkdir -p $(RESULTS)
	$(Q)tests/unit/run.sh $(RESULTS)/unit.tap $(UNIT_TESTS)

check-host: all $(BUILD)/testd
	@mkdir -p $(RESULTS)
	$(Q)BUILD=$(BUILD) tests/host/run.sh $(RESULTS)/host.tap

check-vm: all
	@mkdir -p $(RESULTS)
	$(Q)$(MAKE) --no-print-directory image-deps
	$(Q)BUILD=$(BUILD) tests/vm/run.sh $(RESULTS)/vm.tap

# `make check` runs every tier even when one fails, then sums up.
check: deps
	@rm -rf $(RESULTS); mkdir -p $(RESULTS)
	$(Q)$(MAKE) --no-print-directory all
	-$(Q)$(MAKE) --no-print-directory check-unit
	-$(Q)$(MAKE) --no-print-directory check-host
	-$(Q)$(MAKE) --no-print-directory check-vm
	$(Q)tests/summary.sh $(RESULTS) $(CHECK_TIERS)

CHECK_TIERS ?= unit host vm

.PHONY: check check-unit check-host check-vm

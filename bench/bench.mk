# bench.mk — `make bench` (doc/DESIGN.md §12): measured figures, printed as tables,
# never pass/fail. See bench/README.md.
#
#   make bench                  host tier + VM tier, ~10 minutes
#   make bench BENCH_QUICK=1    fewer samples, shorter idle window (~2 minutes)
#   make bench BENCH_TIERS=host (or vm) one tier only
#
# The helpers are built with the dynamic build's flags; testd is linked
# statically (and without libsystemd) so that what the restart and spawn
# figures time is initd and the kernel, not ld.so loading libsystemd.

BENCH_DIR   := $(BUILD)/bench
BENCH_QUICK ?=
BENCH_TIERS ?= host vm

$(BENCH_DIR)/benchtool: bench/benchtool.c $(BUILD)/obj/svctl/client.o $(BUILD)/obj/svctl/clean.o $(BUILD)/libcommon.a
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(CFLAGS) $(NO_LTO) -static -o $@ $^

$(BENCH_DIR)/testd-static: tests/testd.c $(BUILD)/libcommon.a
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(CFLAGS) $(NO_LTO) -static -o $@ $^

bench-tools: all $(BUILD)/testd $(BENCH_DIR)/benchtool $(BENCH_DIR)/testd-static

# The static build is for the size table and the VM image; a failed static
# link is reported there, it does not stop the run.
bench: bench-tools
	-$(Q)$(MAKE) --no-print-directory STATIC=1 SANITIZE= all
	$(Q)BUILD=$(BUILD) BENCH_QUICK=$(BENCH_QUICK) BENCH_TIERS="$(BENCH_TIERS)" \
		MAKE="$(MAKE)" bench/run.sh

.PHONY: bench bench-tools

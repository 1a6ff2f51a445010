#!/bin/sh
# scenarios-faults.sh — the faults boot's driver (units tests/vm/faults-units
# beside tests/vm/bad-units and the garbage run.sh generates; conf
# tests/vm/faults.conf): runs INSIDE the VM like scenarios.sh. The boot
# ends with a poweroff whose order and bound the host reads on the console.
. /usr/lib/vmtest/lib.sh

. "$VMT/lifecycle.sh"
. "$VMT/badunits.sh"
. "$VMT/faults.sh"      # last: it kills a lot

echo "# $failures failed"
exit "$failures"

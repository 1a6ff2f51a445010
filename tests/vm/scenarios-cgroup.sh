#!/bin/sh
# scenarios-cgroup.sh — the cgroup boot's driver (units tests/vm/cgroup-units,
# conf tests/vm/cgroup.conf): runs INSIDE the VM like scenarios.sh. The boot
# ends with `svctl reboot` (run-script reads /run/initd-script.shutdown),
# which the host tells apart from a poweroff on the console.
. /usr/lib/vmtest/lib.sh

. "$VMT/cgroup.sh"
. "$VMT/metrics.sh"
. "$VMT/cgroup-deleg.sh"
. "$VMT/cgroup-long.sh"
. "$VMT/freeze.sh"
. "$VMT/cgroup-nokill.sh"
. "$VMT/reload.sh"

echo reboot >/run/initd-script.shutdown
echo "# $failures failed"
exit "$failures"

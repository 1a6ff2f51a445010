#!/bin/sh
# scenarios.sh — the main boot's driver: runs INSIDE the VM (busybox sh, as
# root) once every service is up; tests/vm/run.sh boots it with images/run.sh
# script mode. Prints TAP lines ("ok - name" / "not ok - name", "# ..."
# diagnostics) and exits with the number of failures.
#
# One file per area, each in /usr/lib/vmtest ($VMT; tests/vm/run.sh copies
# every tests/vm/*.sh there), sourced in turn: add an area with one line
# below. Units: tests/vm/units, conf tests/vm/initd.conf. The other boots
# have their own units and drivers: scenarios-faults.sh (lifecycle, broken
# units, faults) and scenarios-cgroup.sh (cgroups); see tests/vm/run.sh.

. /usr/lib/vmtest/lib.sh

. "$VMT/basic.sh"
. "$VMT/analyze.sh"
. "$VMT/isolation.sh"
. "$VMT/hardening.sh"
. "$VMT/kill.sh"
. "$VMT/forking.sh"
. "$VMT/probes.sh"
. "$VMT/userns.sh"
. "$VMT/seccomp.sh"
. "$VMT/net6.sh"

echo "# $failures failed"
exit "$failures"

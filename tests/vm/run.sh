#!/bin/bash
# tests/vm/run.sh OUT.tap — the VM tier (DESIGN §11.3).
#
# Builds an image with the test units (tests/vm/units, tests/vm/initd.conf),
# boots it once with images/run.sh in script mode and runs
# tests/vm/scenarios.sh inside, which prints TAP lines about the kernel's
# state. Writes those to OUT.tap with the host's own checks (the VM booted,
# the scenarios finished, the kernel did not panic, poweroff completed).
# A VM that produced nothing gives "not ok - vm tier: REASON".
#
# Environment: VM_TIMEOUT (default 240 s for the boot), VM_DIR (work
# directory, default build/vm). Exit status 0 when every line is ok.
set -uo pipefail

out=${1:?usage: tests/vm/run.sh OUT.tap}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
mkdir -p "$(dirname "$out")"
: >"$out"
work=${VM_DIR:-build/vm}
mkdir -p "$work"
work=$(cd "$work" && pwd)

tap() { echo "$1" | tee -a "$out"; }

# 1. The image. BUILD from the caller (check-vm passes it) must not steer
#    the image's static build.
if ! env -u BUILD make --no-print-directory image UNITS=tests/vm/units \
	IMAGE_DIR="$work/image" >"$work/image.log" 2>&1; then
	tail -n 30 "$work/image.log" >&2
	tap "not ok - vm tier: image build failed (see $work/image.log)"
	exit 1
fi
tap "ok - vm image builds"

# 2. One boot, every scenario.
start=$SECONDS
images/run.sh -s tests/vm/scenarios.sh -t "${VM_TIMEOUT:-240}" -d "$work/run" \
	build/kernel/current/vmlinuz "$work/image/initramfs.cpio.gz" \
	>"$work/scenarios.out" 2>"$work/run.err"
rc=$?
wall=$((SECONDS - start))
cat "$work/run.err" >&2
console=$work/run/console.log

if [ "$rc" -eq 125 ] && ! grep -q . "$work/scenarios.out"; then
	if [ ! -s "$console" ]; then
		reason="the VM printed nothing on its console"
	elif grep -q 'Kernel panic' "$console"; then
		reason="kernel panic: $(grep -m1 -a 'Kernel panic' "$console" | tr -d '\r')"
	elif grep -q 'qemu killed' "$work/run.err"; then
		reason="no result within the time limit"
	else
		reason="the VM stopped before the scenarios ran"
	fi
	tap "not ok - vm tier: $reason (console: $console)"
	exit 1
fi

if grep -aq 'INITD-SCRIPT-START' "$work/run/script.out"; then
	tap "ok - vm booted and started the test unit"
else
	tap "not ok - vm booted and started the test unit"
fi

# The scenarios' own lines and diagnostics (the rest is echoed for the log).
grep -aE '^(ok|not ok) |^#' "$work/scenarios.out" >>"$out"
cat "$work/scenarios.out"
n=$(grep -acE '^(ok|not ok) ' "$work/scenarios.out")

if grep -q '^run: no result' "$work/run.err" || [ "$rc" -eq 125 ]; then
	tap "not ok - scenarios finished (ran $n checks, then the VM stopped)"
else
	tap "ok - scenarios finished ($n checks, $rc failed)"
fi
if grep -aq 'Kernel panic' "$console"; then
	tap "not ok - no kernel panic"
	grep -a -B5 -A5 'Kernel panic' "$console" | tr -d '\r' | sed 's/^/# /' >&2
else
	tap "ok - no kernel panic"
fi
if grep -q '^poweroff: completed' "$work/run.err"; then
	tap "ok - poweroff completes"
else
	tap "not ok - poweroff completes"
	echo "---- console tail ----" >&2
	tail -n 30 "$console" | tr -d '\r' >&2
fi
timing=$(grep '^timing:' "$work/run.err")
echo "# vm tier: ${wall}s wall; $timing" | tee -a "$out"

! grep -q '^not ok' "$out"

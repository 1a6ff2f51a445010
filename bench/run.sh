#!/bin/bash
# run.sh — `make bench`: the machine and the date, then the host tier
# (bench/host.sh) and the VM tier (bench/vm.sh), one table per metric.
# Everything printed is also kept in $BUILD/bench/latest.txt.
#
# Environment: BUILD, BENCH_QUICK=1, BENCH_TIERS ("host vm").
set -u
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/.." || exit 1
export BUILD=${BUILD:-build}
tiers=${BENCH_TIERS:-host vm}
out=$BUILD/bench/latest.txt
mkdir -p "$BUILD/bench"
export BENCH_FIGURES=$(cd "$BUILD/bench" && pwd)/figures.txt
: > "$BENCH_FIGURES"

[ "$(id -u)" = 0 ] || { echo "bench: must run as root (unshare --pid --mount)" >&2; exit 1; }

{
	echo "initd benchmarks — $(date -u '+%Y-%m-%d %H:%M UTC')${BENCH_QUICK:+ (BENCH_QUICK)}"
	echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)," \
		"kernel $(uname -r), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
	echo "initd: $("$BUILD/initd" --version 2>&1 | head -n 1)"
	start=$SECONDS
	for t in $tiers; do
		case $t in
		host) echo; echo "---- host tier: initd as PID 1 of a PID + mount namespace, --no-cgroup"
		      bash bench/host.sh ;;
		vm)   echo; echo "---- VM tier: qemu TCG (emulated: compare ratios, not absolute times)"
		      bash bench/vm.sh ;;
		esac
	done
	bash bench/summary.sh "$BENCH_FIGURES"
	echo
	echo "bench: done in $((SECONDS - start))s"
} 2>&1 | tee "$out"

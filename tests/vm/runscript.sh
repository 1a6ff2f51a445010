#!/bin/bash
# runscript.sh OUT.tap — images/run.sh's script mode (`make run SCRIPT=`)
# when the script's run ends without its status: the guest script kills
# its whole process group (`kill -9 0`), run-script (the unit that runs it
# and writes the closing INITD-SCRIPT-EXIT=<rc> marker) with it. The old
# run-script wrote no marker then, and run.sh waited out its whole time
# limit to exit 125; now initd restarts run-script, which reports the
# script's end as a shell does (128 + the signal: 137), and run.sh
# returns at once with it. One boot of a one-unit image, about 30 s.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
out=${1:?usage: tests/vm/runscript.sh OUT.tap}
dir=${BUILD:-build}/vm-runscript
rm -rf "$dir"; mkdir -p "$dir/units"

tap() { echo "$1 - runscript: $2" | tee -a "$out"; [ "$1" = ok ] || failed=1; }
fail() { tap "not ok" "$1"; exit 1; }
failed=0

make --no-print-directory STATIC=1 all >"$dir/build.log" 2>&1 ||
	fail "static build failed (see $dir/build.log)"
kdir=${BUILD:-build}/kernel/current
[ -f "$kdir/vmlinuz" ] || kdir=$(images/kernel.sh "${BUILD:-build}/kernel" 2>>"$dir/build.log" | tail -1)
[ -f "$kdir/vmlinuz" ] || fail "no kernel (see $dir/build.log)"
printf 'exec = [ "/bin/sleep", "3600" ];\n' >"$dir/units/idle.unit"
echo "# initd's defaults" >"$dir/initd.conf"
images/mkimage.sh -o "$dir/initrd" -k "$kdir" -i build-static/initd -s build-static/svctl \
	-u "$dir/units" -C "$dir/initd.conf" >>"$dir/build.log" 2>&1 ||
	fail "image build failed (see $dir/build.log)"

cat >"$dir/guest.sh" <<'GUEST'
#!/bin/sh
echo "before the kill"
kill -9 0
echo "after the kill"
GUEST
limit=120
start=$SECONDS
images/run.sh -s "$dir/guest.sh" -t "$limit" -d "$dir/run" "$kdir/vmlinuz" "$dir/initrd" \
	>"$dir/guest.out" 2>"$dir/run.err"
rc=$?
took=$((SECONDS - start))
echo "# run.sh exit $rc after ${took}s (limit ${limit}s)" | tee -a "$out"
# check WHAT CMD...: ok when CMD succeeds
check() {
	local what=$1
	shift
	if "$@"; then tap ok "$what"; else tap "not ok" "$what"; fi
}
check "run.sh exits 137, as a shell says of a SIGKILL (got $rc; $dir/run.err)" [ "$rc" = 137 ]
check "run.sh returns well before its time limit (${took}s of ${limit}s)" [ "$took" -lt 100 ]
check "the script's output up to the kill is printed ($dir/guest.out)" \
	grep -qx "before the kill" "$dir/guest.out"
after=$(grep -c "after the kill" "$dir/guest.out")
check "nothing after it" [ "$after" = 0 ]
check "a clean poweroff ($dir/run.err)" grep -q 'poweroff: completed' "$dir/run.err"
exit "$failed"

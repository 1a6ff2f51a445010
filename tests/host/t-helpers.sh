#!/bin/bash
# t-helpers.sh — the reaper of a PID namespace and the log writer are modes
# of initd-loader, not of initd (issue 19: PID 1's binary carries no code it
# does not run itself). PID 1 execs them from its sealed memfd copy of the
# initd-loader beside it: the bytes /proc/PID/exe shows are initd-loader's,
# initd itself refuses --reaper and --log-writer, and a loader that is not
# executable when the copy is first needed fails that unit with the reason
# (nothing is copied that its mode does not let run), after which a start
# once it is executable again works.
. "$(dirname "$0")/lib.sh"

bin=$WORK/helpers-bin
rm -rf "$bin" && mkdir -p "$bin" &&
	cp "$BUILD/initd" "$BUILD/initd-loader" "$bin/"

# Nothing execs the copy before ns: logged, the one unit with a log file,
# starts after it (the writer's first start makes the copy too).
new_boot helpers
testd_unit ns "" 'namespaces = [ "pid", "mount" ];' 'autostart = false;'
testd_unit plain ""
testd_unit logged "" "log = { file = \"$T/logs/logged.log\"; };" 'autostart = false;'
INITD=$bin/initd start_initd || exit 1

check "plain reaches running" wait_state plain running 5
chmod -x "$bin/initd-loader"
sv start ns >/dev/null 2>&1
check "ns fails while initd-loader is not executable" wait_state ns failed 5
reason=$(svc_reason ns)
check "ns: the reason names the reaper and EACCES: $reason" \
	eval 'grep -q "reaper.*Permission denied" <<< "$reason"'
chmod +x "$bin/initd-loader"
sv start ns >/dev/null 2>&1
check "ns runs once initd-loader is executable again" wait_state ns running 5
rpid=$(svc_pid ns)
check "ns: the reaper's executable is a copy of initd-loader" \
	eval 'in_ns cat "/proc/$rpid/exe" | cmp -s - "$bin/initd-loader"'
is "ns: the reaper's name" "$(in_ns cat "/proc/$rpid/comm")" initd-reaper
sv start logged >/dev/null 2>&1
check "the log writer runs" wait_until 5 writer_pid
wpid=$(writer_pid)
check "the log writer's executable is a copy of initd-loader" \
	eval 'cmp -s "/proc/$wpid/exe" "$bin/initd-loader"'
is "the log writer's name" "$(cat "/proc/$wpid/comm")" initd-logwriter
check "logged's lines reach its file through that writer" \
	wait_until 5 test -s "$T/logs/logged.log"
stop_initd; is "poweroff ends the namespace" "$?" 0

# A compiled boot runs no loader; the helpers still come from the
# initd-loader that was beside initd at boot, not from whatever an upgrade
# put there since (no protocol of theirs is versioned: only a load's is).
cp "$BUILD/initd" "$BUILD/initd-loader" "$bin/" && chmod +x "$bin/initd-loader"
new_boot helpers-pinned
testd_unit ns "" 'namespaces = [ "pid", "mount" ];' 'autostart = false;'
testd_unit plain ""
"$bin/initd" --compile "$T/conf" >/dev/null 2>&1
INITD=$bin/initd start_initd || exit 1
check "pinned: plain reaches running" wait_state plain running 5
check "pinned: the boot read the model, not the loader" \
	grep -q "units: 2 from $T/conf/initd.model" "$T/initd.log"
cp "$bin/initd-loader" "$WORK/helpers-loader.boot"
printf '#!/bin/sh\nexit 0\n' > "$bin/initd-loader.new" && chmod +x "$bin/initd-loader.new" &&
	mv -f "$bin/initd-loader.new" "$bin/initd-loader"
sv start ns >/dev/null 2>&1
check "pinned: ns runs though initd-loader on disk was replaced" wait_state ns running 5
rpid=$(svc_pid ns)
check "pinned: the reaper runs the boot's initd-loader" \
	eval 'in_ns cat "/proc/$rpid/exe" | cmp -s - "$WORK/helpers-loader.boot"'
stop_initd; is "poweroff ends the namespace" "$?" 0

timeout -k 1 5 "$BUILD/initd" --reaper 999999 </dev/null >/dev/null 2>&1; rc=$?
NEEDS_BOOT=0 is "initd --reaper is no mode of initd's (usage, exit 2)" "$rc" 2
timeout -k 1 5 "$BUILD/initd" --log-writer </dev/null >/dev/null 2>&1; rc=$?
NEEDS_BOOT=0 is "initd --log-writer is no mode of initd's (usage, exit 2)" "$rc" 2

[ "$FAILED" -eq 0 ]

#!/bin/bash
# t-inherit.sh — what initd's caller left it is not passed on: a container
# runtime that starts PID 1 with inheritable and ambient capabilities, or
# with fds open. A service without `capabilities` (root or not) gets no
# inheritable or ambient set (a file-capability binary would turn them into
# privilege: CVE-2022-24769's pattern), and no helper (the log writer here)
# holds an fd initd did not open; initd itself keeps none of them either.
. "$(dirname "$0")/lib.sh"

new_boot inherit
mkdir -p "$T/logs" "$T/out"
chmod 1777 "$T/out"
cat > "$T/conf/initd.conf" <<EOF2
log = { directory = "$T/logs"; };
EOF2
for u in rootsvc usersvc; do
	unit $u <<EOF2
exec = [ "/bin/sh", "-c", "echo started; grep -E '^Cap(Inh|Amb):' /proc/self/status > $T/out/$u.caps; exec sleep 1000" ];
$([ $u = usersvc ] && echo 'user = "nobody";')
EOF2
done
# INITD_PRE runs in the namespace, then execs initd: the caller's caps and
# fd 7 (an open pipe's write end: the caller waits for its EOF).
mkfifo "$T/fifo"
INITD_PRE="exec 7<>$T/fifo; exec setpriv --inh-caps +net_raw,+sys_admin --ambient-caps +net_raw \"\$@\""
start_initd || exit 1

for u in rootsvc usersvc; do
	check "$u: running" wait_state $u running 5
	check "$u: wrote its capabilities" wait_until 5 test -s "$T/out/$u.caps"
	is "$u: no inheritable or ambient capability from initd's caller" \
		"$(tr -s '\t\n' '  ' < "$T/out/$u.caps" 2>/dev/null)" \
		"CapInh: 0000000000000000 CapAmb: 0000000000000000 "
done
writer_pid() {
	in_ns sh -c 'for p in /proc/[0-9]*; do
		[ "$(tr "\0" " " < $p/cmdline)" = "initd --log-writer " ] && echo ${p#/proc/}; done' \
		2>/dev/null
}
if check "the log writer runs (the services' first lines)" wait_until 5 eval '[ -n "$(writer_pid)" ]'; then
	is "the log writer holds no fd of initd's caller" \
		"$(in_ns sh -c "ls -l /proc/$(writer_pid)/fd/" 2>/dev/null | grep -c "$T/fifo")" 0
fi
is "initd keeps no fd of its caller" "$(ls -l "/proc/$INITD_HPID/fd/" 2>/dev/null | grep -c "$T/fifo")" 0

stop_initd
[ "$FAILED" -eq 0 ]

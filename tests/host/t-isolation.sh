#!/bin/bash
# t-isolation.sh — issue 11 on the host tier (the VM tier has the rest,
# tests/vm/hardening.sh): a PID-namespace service's reaper is a fresh exec
# of initd's sealed memfd copy (empty environment, not a fork holding
# initd's heap) that a capability-less root service cannot open through
# /proc/1/mem; its /proc has /proc/sys read-only (checked in its mount
# table, never by writing the host's sysctls); a symlinked bind source is
# refused with stage binds and ELOOP. initd runs dynamically linked here:
# the reaper's exec happens before any mount, on the host's root.
. "$(dirname "$0")/lib.sh"

new_boot isolation
mkdir -p "$T/root/data" "$T/data"
ln -s "$T/data" "$T/link"
unit mem <<EOF2
exec = [ "/bin/sh", "-c", "if (exec 3</proc/1/mem) 2>/dev/null; then echo mem: opened; else echo mem: refused; fi > $T/mem.out 2>&1; exec sleep 1000" ];
namespaces = [ "pid", "mount" ];
capabilities = [ ];
EOF2
unit link <<EOF2
exec = [ "/bin/sleep", "1000" ];
restart = "no";
namespaces = [ "mount" ];
rootfs = { path = "$T/root"; binds = ( { source = "$T/link"; target = "/data"; } ); };
EOF2
# Without cgroups (this tier) only the main process's datagrams count; in
# a PID namespace the main process is the reaper, and the service, its
# child, speaks for the unit (it could never be ready).
testd_unit pidnotify "--notify-after 0 --status inside" 'type = "notify";' \
	'namespaces = [ "pid", "mount" ];' 'start_timeout = "5s";'
start_initd || exit 1

check "pidnotify: READY=1 from inside its PID namespace makes it running" \
	wait_state pidnotify running 4
check "pidnotify: its STATUS= is shown" eval 'sv status pidnotify | grep -q "status *inside"'
check "mem reaches running" wait_state mem running 5
rpid=$(svc_pid mem)
check "mem logged its attempt on /proc/1/mem" wait_until 5 test -s "$T/mem.out"
is "mem: a capability-less root service cannot open its PID 1's /proc/1/mem" \
	"$(cat "$T/mem.out" 2>/dev/null)" "mem: refused"
is "mem: the reaper is initd's sealed memfd copy" \
	"$(in_ns readlink "/proc/$rpid/exe" | sed 's/ (deleted)$//')" "/memfd:initd-reaper"
is "mem: the reaper's command line" "$(in_ns cat "/proc/$rpid/cmdline" | tr "\0" " ")" \
	"initd --reaper 2 "
is "mem: the reaper's environment is empty" "$(in_ns cat "/proc/$rpid/environ" | wc -c)" 0
spid=$(in_ns sh -c "grep -l '^PPid:[[:space:]]*$rpid\$' /proc/[0-9]*/status" | head -n 1 | cut -d/ -f3)
check "mem: /proc/sys is a read-only mount in the service's namespace" \
	eval "in_ns awk '\$5 == \"/proc/sys\" && \$6 ~ /^ro/ { f = 1 } END { exit !f }' /proc/$spid/mountinfo"

check "link fails" wait_state link failed 5
reason=$(svc_reason link)
case $reason in
*binds*"symbolic links"*) ok "link: a symlinked bind source is refused (binds, ELOOP)" ;;
*) not_ok "link: a symlinked bind source is refused (binds, ELOOP)" "reason '$reason'" ;;
esac

stop_initd
[ "$FAILED" -eq 0 ]

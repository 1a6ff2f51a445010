# basic.sh — the foundation checks (main boot): PID 1, the cgroup2 mount,
# modules and hostname from initd.conf, every unit running, each service in
# its own leaf, restart into the same leaf, stop/start empties and reuses the
# leaf. Units a, b (a shell with a child) in slice system, c in slice apps.
section basic

slice_of() { case $1 in c) echo apps ;; *) echo system ;; esac; }
SERVICES="a b c"

# ---- PID 1 and the cgroup mount ------------------------------------------
exe=$(readlink /proc/1/exe)
comm=$(cat /proc/1/comm)
if [ "$exe" = /sbin/initd ] || [ "$comm" = initd ]; then
	ok "pid 1 is initd"
else
	not_ok "pid 1 is initd" "exe=$exe comm=$comm"
fi

# PID 1's fd 2 is an open of the console of its own, non-blocking (its
# messages, and glibc's before an abort, never wait); the description the
# kernel gave it stays blocking for its helpers' fd 2 (loader, mount
# helper, fsck, log writer, metrics helper), or their lines would be cut
# by EAGAIN on a busy console. Flags in octal: O_NONBLOCK is 04000.
fd_flags() { awk '/^flags:/ { print $2 }' "/proc/1/fdinfo/$1" 2>/dev/null; }
f2=$(fd_flags 2)
check "PID 1's fd 2 is non-blocking (flags ${f2:-?})" \
	sh -c '[ -n "$1" ] && [ $(( $1 & 04000 )) != 0 ]' sh "$f2"
kept=
for l in /proc/1/fd/*; do
	n=${l##*/}
	[ "$n" -gt 2 ] && [ "$(readlink "$l")" = /dev/console ] || continue
	f=$(fd_flags "$n")
	[ $(( f & 04000 )) = 0 ] && kept="$n"
done
check "PID 1 keeps the console blocking for its helpers (fd ${kept:-none})" [ -n "$kept" ]

if awk '$2 == "/sys/fs/cgroup" && $3 == "cgroup2" { f = 1 } END { exit !f }' /proc/mounts; then
	ok "cgroup2 mounted at /sys/fs/cgroup"
else
	not_ok "cgroup2 mounted at /sys/fs/cgroup" "$(grep cgroup /proc/mounts)"
fi

for m in veth llc stp bridge; do
	check "module $m loaded (initd.conf modules)" grep -q "^$m " /proc/modules
done
h=$(hostname)
check "hostname set from initd.conf (vmtest)" [ "$h" = vmtest ]

# ---- loopback: PID 1 brought lo up, no unit did ---------------------------
lo_up() { ip -o link show lo | grep -q '[<,]UP[,>]'; }
check "lo is up at boot (ip link show lo)" lo_up
check "127.0.0.1 answers (ping)" ping -c 1 -W 2 127.0.0.1
check "127.0.0.1 is lo's address" sh -c "ip -o addr show lo | grep -q 'inet 127.0.0.1/8'"
# PID 1 brings lo up in a child of its own, off its path, and waits for it
# before any unit starts: one started at boot saw lo up (IFF_UP, 0x1).
lo_seen=$(cat /run/lo-seen 2>/dev/null)
check "lo was up when the boot's units started (lo-seen: flags ${lo_seen:-?})" \
	sh -c '[ -n "$1" ] && [ $(( $1 & 1 )) = 1 ]' sh "$lo_seen"
lo_units=$(grep -lE '"lo"|ifconfig|link.*set' /etc/initd/units/*.unit 2>/dev/null)
check_eq "no test unit brings lo up itself" "$lo_units" ""

# ---- svctl status: every unit running -------------------------------------
status=$(svctl status 2>&1)
src=$?
if [ "$src" -eq 0 ] && echo "$status" | head -n 1 | grep -q '^NAME'; then
	ok "svctl status prints a NAME header"
else
	not_ok "svctl status prints a NAME header" "exit $src" "$(echo "$status" | head -n 5)"
fi
all_running=1
for f in /etc/initd/units/*.unit; do
	u=$(basename "$f" .unit)
	grep -q '^autostart = false;' "$f" && continue   # started by its own area's driver
	st=$(echo "$status" | awk -v u="$u" 'NR > 1 && $1 == u { print $2 }')
	[ "$st" = running ] || { all_running=0; echo "# $u: state '${st:-missing}'"; }
done
if [ $all_running = 1 ]; then
	ok "svctl status lists every unit as running"
else
	not_ok "svctl status lists every unit as running" $(echo "$status" | sed 's/ /_/g')
fi

# ---- each service in its own leaf -----------------------------------------
for s in $SERVICES; do
	pid=$(main_pid "$s")
	want=/$(slice_of "$s")/$s
	if ! is_pid "$pid"; then
		not_ok "$s: has a live main PID" "svctl says '$pid'"
		continue
	fi
	ok "$s: has a live main PID"
	got=$(cgroup_of "$pid")
	if [ "$got" = "$want" ]; then
		ok "$s: /proc/PID/cgroup is 0::$want"
	else
		not_ok "$s: /proc/PID/cgroup is 0::$want" "got 0::$got"
	fi
	check "$s: $want/cgroup.procs holds its PID" procs_has "$CG$want" "$pid"
	check "$s: $want is a leaf" is_leaf "$CG$want"
	pop=$(sed -n 's/^populated //p' "$CG$want/cgroup.events" 2>/dev/null)
	check "$s: $want/cgroup.events says populated 1" [ "$pop" = 1 ]
done

# b is a shell with a child: both must be in b's leaf.
bpid=$(main_pid b)
if is_pid "$bpid"; then
	check "b: its child shares its leaf (2 processes)" \
		eventually 2 procs_count_is "$CG/system/b" 2
fi

# ---- no process outside a leaf ---------------------------------------------
bad=
for d in /proc/[0-9]*; do
	p=${d#/proc/}
	# kernel threads have no executable
	readlink "$d/exe" >/dev/null 2>&1 || continue
	cg=$(cgroup_of "$p")
	[ -n "$cg" ] || continue   # gone meanwhile
	is_leaf "$CG$cg" || bad="$bad $p:$(cat "$d/comm" 2>/dev/null):$cg"
done
if [ -z "$bad" ]; then
	ok "every process lives in a leaf cgroup"
else
	not_ok "every process lives in a leaf cgroup" "in inner nodes:$bad"
fi
cg1=$(cgroup_of 1)
echo "# pid 1 lives in 0::$cg1"
check "nothing in $CG/system/cgroup.procs" [ ! -s "$CG/system/cgroup.procs" ]
check "nothing in $CG/apps/cgroup.procs" [ ! -s "$CG/apps/cgroup.procs" ]

# ---- kill -9 a main PID: restarted, same leaf ------------------------------
for s in a c; do
	old=$(main_pid "$s")
	want=/$(slice_of "$s")/$s
	if ! is_pid "$old"; then
		not_ok "$s: kill -9 -> restarted within 10 s" "no main PID to kill"
		continue
	fi
	kill -9 "$old"
	new=$(wait_new_pid "$s" "$old" 10)
	if [ -z "$new" ]; then
		not_ok "$s: kill -9 -> restarted within 10 s" \
			"state $(unit_state "$s"), pid $(main_pid "$s")"
		continue
	fi
	ok "$s: kill -9 -> restarted within 10 s ($old -> $new)"
	got=$(cgroup_of "$new")
	if [ "$got" = "$want" ]; then
		ok "$s: the new PID is in the same leaf $want"
	else
		not_ok "$s: the new PID is in the same leaf $want" "got 0::$got"
	fi
	check "$s: the old PID is gone" [ ! -d "/proc/$old" ]
	check "$s: its leaf holds only the new PID" \
		[ "$(cat "$CG$want/cgroup.procs")" = "$new" ]
done
# c has restart = "on-failure": death by SIGKILL is a failure, so it came back
# above; its state must say running again.
check "c: running again after the kill" [ "$(unit_state c)" = running ]

# ---- stop and start: the whole leaf goes, the same leaf comes back --------
# b is a shell with a child: stopping it must leave its leaf empty (the
# child is killed with the cgroup, not orphaned), and the leaf is reused.
bpid=$(main_pid b)
bkids=$(cat "$CG/system/b/cgroup.procs" 2>/dev/null)
if svctl stop b >/dev/null 2>&1; then ok "svctl stop b succeeds"; else not_ok "svctl stop b succeeds"; fi
check "b: stopped after svctl stop" [ "$(unit_state b)" = stopped ]
check "b: its leaf is empty (populated 0)" \
	eventually 5 grep -qx 'populated 0' "$CG/system/b/cgroup.events"
# Gone, or a zombie still to be reaped (an orphan of the kill goes to PID 1).
bkids_alive() {
	local p
	for p in $bkids; do alive "$p" && echo "$p"; done
}
check "b: every process of the stopped service is gone" eventually 3 eval '[ -z "$(bkids_alive)" ]'
if svctl start b >/dev/null 2>&1; then ok "svctl start b succeeds"; else not_ok "svctl start b succeeds"; fi
new=$(wait_new_pid b "$bpid" 10)
if [ -n "$new" ]; then
	ok "b: running again after svctl start"
	check "b: back in its leaf /system/b" [ "$(cgroup_of "$new")" = /system/b ]
else
	not_ok "b: running again after svctl start" "state $(unit_state b)"
fi


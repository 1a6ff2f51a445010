# faults.sh — issue 7 in the VM (faults boot). Runs last: it kills a lot.
#
#   - clean children: every service's main process holds only fds 0, 1, 2
#     (plus the files its own command line names), SigBlk and SigIgn are 0,
#     CapInh is 0; testd --check-clean records the same at exec time;
#   - a helper that leaves 100 orphans: every one is reaped (no zombie);
#   - km killed $KILLS times in a row (restart_delay 0): exactly one live
#     instance afterwards, in its leaf, and svctl agrees;
#   - $CHAOS_SECS seconds of random SIGKILLs (hog chaos) to the ch-* services
#     plus random svctl restart/stop/start: no zombie, no populated leaf of a
#     stopped service, no stray cgroup, initd's fd count and RSS back at
#     their baseline.
#
# Units (tests/vm/faults-units): clean, orph, km, ch-a, ch-b, ch-c, ch-d, ch-e
# (slice apps), ch-n (restart "no").
section faults

KILLS=${KILLS:-1000}
CHAOS_SECS=${CHAOS_SECS:-60}
RSS_SLACK_KB=${RSS_SLACK_KB:-256}

# ---- clean children ----------------------------------------------------------
# Checked on every running service's main process. Shells are left out of
# the signal check: busybox sh ignores SIGQUIT itself (SigIgn bit 3), and
# testd blocks SIGTERM itself; testd --check-clean (below) records the state
# at exec instead. run-script is the harness (fd 3 is its ttyS1).
fd_bad= sig_bad= cap_bad= n_checked=0
sv status 2>/dev/null | awk 'NR > 1 && $2 == "running" && $3 ~ /^[0-9]+$/ { print $1, $3 }' >/tmp/running.txt
while read -r u p; do
	[ "$u" = run-script ] && continue
	alive "$p" || continue
	n_checked=$((n_checked + 1))
	cmd=" $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null) "
	# "fd -> target" for every fd but 0, 1, 2; a file its command line names is fine
	extra=$(ls -l "/proc/$p/fd" 2>/dev/null | awk '$(NF - 1) == "->" && $(NF - 2) !~ /^[012]$/ { print $(NF - 2) "->" $NF }')
	for e in $extra; do
		case $cmd in *" ${e#*->} "*) ;; *) fd_bad="$fd_bad $u($p):$e" ;; esac
	done
	set -- $(awk '$1 == "SigBlk:" || $1 == "SigIgn:" || $1 == "CapInh:" { print $2 }' "/proc/$p/status")
	[ "$3" = 0000000000000000 ] || cap_bad="$cap_bad $u($p):CapInh=$3"
	case $(cat "/proc/$p/comm") in testd | sh) continue ;; esac
	[ "$1" = 0000000000000000 ] && [ "$2" = 0000000000000000 ] ||
		sig_bad="$sig_bad $u($p):SigBlk=$1,SigIgn=$2"
done </tmp/running.txt
diag "looked at the main processes of $n_checked services"
if [ -z "$fd_bad" ]; then ok "every service holds only fds 0, 1, 2 (and files its command names)"
else not_ok "every service holds only fds 0, 1, 2 (and files its command names)" "$fd_bad"; fi
if [ -z "$sig_bad" ]; then ok "every service's SigBlk and SigIgn are 0 (but shells and testd)"
else not_ok "every service's SigBlk and SigIgn are 0 (but shells and testd)" "$sig_bad"; fi
if [ -z "$cap_bad" ]; then ok "every service's CapInh is 0"
else not_ok "every service's CapInh is 0" "$cap_bad"; fi

# testd --check-clean wrote its state before touching anything.
if [ -s /tmp/clean.txt ]; then
	check_eq "clean: SigBlk at exec is 0" "$(awk '$1 == "SigBlk:" { print $2 }' /tmp/clean.txt)" 0000000000000000
	check_eq "clean: SigIgn at exec is 0" "$(awk '$1 == "SigIgn:" { print $2 }' /tmp/clean.txt)" 0000000000000000
	check_eq "clean: fds at exec are 0 1 2" "$(sed -n 's/^fds: *//p' /tmp/clean.txt)" "0 1 2"
	check_eq "clean: stdin is /dev/null" "$(sed -n 's/^fd 0 -> //p' /tmp/clean.txt)" /dev/null
else
	not_ok "clean: testd --check-clean wrote /tmp/clean.txt"
fi

# ---- 100 orphans, all reaped ---------------------------------------------------
section "faults: orphans"
# orph (testd --orphans 100 --orphan-sleep 10000) makes its orphans at start:
# restart it to watch them from birth. Its main process is a child of PID 1
# too, so it is left out. Under TCG the 100 take several seconds to make;
# the PIDs seen are accumulated, one look every pass of the loop below. Each
# orphan lives 10 s, far longer than a pass even on a loaded host: with 2 s,
# one born and gone between two looks went unseen.
orph_pids() {
	sed 's|.*|/proc/&/stat|' "$CG/system/orph/cgroup.procs" 2>/dev/null | xargs cat 2>/dev/null |
		awk -v m="$1" '$4 == 1 && $1 != m { print $1 }'
}
sv restart orph >/dev/null 2>&1
opid=$(main_pid orph)
: >/tmp/orph.seen
_i=0
while [ $_i -lt 100 ]; do
	orph_pids "$opid" >>/tmp/orph.seen
	sv logs orph -n 20 2>/dev/null | grep -q "testd $opid made 100 orphans" && break
	sleep 0.2
	_i=$((_i + 1))
done
# the last ones were born after the last look (and live 10 s)
sleep 0.3
orph_pids "$opid" >>/tmp/orph.seen
seen=$(sort -u /tmp/orph.seen | wc -l)
check "orph: 100 orphans re-parented to PID 1 in its leaf (saw $seen distinct)" [ "$seen" -ge 100 ]
check "orph: every orphan is gone within 14 s of the last one's birth" \
	eventually 14 eval '[ -z "$(orph_pids "$opid")" ]'
check "orph: no zombie left anywhere" eventually 2 no_zombies
z=$(zombies); [ -z "$z" ] || diag "zombies: $z"
check_eq "orph: its leaf holds only testd again" "$(cat $CG/system/orph/cgroup.procs)" "$opid"

# ---- km: killed $KILLS times in a row -------------------------------------------
section "faults: $KILLS kills"
r0=$(unit_restarts km)
out=$("$HOG" killloop "$CG/system/km" "$KILLS" 120 2>&1)
krc=$?
diag "$out"
check "km: killed $KILLS times in a row" [ "$krc" -eq 0 ]
check "km: running again afterwards" eventually 10 state_is km running
sleep 0.5
kpid=$(main_pid km)
procs=$(cat "$CG/system/km/cgroup.procs")
check_eq "km: its leaf holds exactly one process, svctl's main PID" "$procs" "$kpid"
check_eq "km: exactly one 'sleep 7001' in the whole system" "$(count_cmd "/bin/sleep 7001")" 1
r1=$(unit_restarts km)
diag "km: restarts $r0 -> $r1"
check "km: svctl counted the restarts ($r0 + $KILLS = $r1)" [ "$r1" = $((r0 + KILLS)) ]
check "km: no zombie" eventually 2 no_zombies

# ---- chaos: random SIGKILLs ----------------------------------------------------------
CH="ch-a ch-b ch-c ch-d ch-n"
ch_dir() { case $1 in ch-e) echo "$CG/apps/$1" ;; *) echo "$CG/system/$1" ;; esac; }
ch_dirs() { for u in $CH ch-e; do ch_dir "$u"; done; }
all_ch_running() {
	for u in $CH ch-e; do state_is "$u" running || return 1; done
}
# settle: bring back what chaos stopped, wait until every ch-* runs.
settle() {
	for u in $CH ch-e; do
		case $(unit_state "$u") in
		running | starting | restarting) ;;
		*) sv start "$u" >/dev/null 2>&1 ;;
		esac
	done
	sv wait >/dev/null 2>&1
	eventually 10 all_ch_running
	sleep 1
}
# fd_count: initd's open fds, the least of three looks 0.3 s apart (a
# control connection or a /proc read may be open for a moment).
fd_count() {
	_min=
	for _k in 1 2 3; do
		_c=$(ls /proc/1/fd | wc -l)
		[ -n "$_min" ] && [ "$_min" -le "$_c" ] || _min=$_c
		sleep 0.3
	done
	echo "$_min"
}
rss_kb() { status_field 1 VmRSS; }
# chaos SECS: hog chaos plus random svctl operations for SECS seconds.
chaos() {
	"$HOG" chaos "$1" "$(uptime_ms)" $(ch_dirs) &
	_hp=$!
	_end=$(($(uptime_ms) + $1 * 1000))
	_ops=0
	set -- $CH ch-e
	while [ "$(uptime_ms)" -lt "$_end" ]; do
		_r=$(awk -v s="$(uptime_ms)" 'BEGIN { srand(s); printf "%d %d", rand() * 6, rand() * 3 }')
		_u=$(eval echo "\${$((${_r% *} + 1))}")
		case ${_r#* } in
		0) sv restart "$_u" >/dev/null 2>&1 ;;
		1) sv stop "$_u" >/dev/null 2>&1 ;;
		2) sv start "$_u" >/dev/null 2>&1 ;;
		esac
		_ops=$((_ops + 1))
		sleep 0.3
	done
	wait "$_hp"
	echo "chaos: $_ops svctl operations"
}

# warm-up, then the baseline
section "faults: chaos"
diag "$(chaos 3)"
settle
fd0=$(fd_count) rss0=$(rss_kb)
fds0=$(ls -l /proc/1/fd | awk '{ print $NF }' | sort | uniq -c | tr '\n' ';')
diag "initd baseline: $fd0 fds, VmRSS $rss0 kB"

diag "$(chaos "$CHAOS_SECS" 2>&1)"
# stopped services (before settle brings them back) must have empty leaves
bad=
for u in $CH ch-e; do
	st=$(unit_state "$u")
	case $st in
	stopped | failed | exited)
		eventually 3 unpopulated "$(ch_dir "$u")" || bad="$bad $u($st):$(cat "$(ch_dir "$u")/cgroup.procs" | tr '\n' ,)"
		;;
	esac
done
if [ -z "$bad" ]; then ok "chaos: every stopped service's leaf is empty"
else not_ok "chaos: every stopped service's leaf is empty" "$bad"; fi
settle
check "chaos: every ch-* service runs again" all_ch_running
check "chaos: no zombie" eventually 3 no_zombies
z=$(zombies); [ -z "$z" ] || diag "zombies: $z"
# every ch-* leaf holds its main PID, and nothing but its own processes
bad=
for u in $CH ch-e; do
	p=$(main_pid "$u") d=$(ch_dir "$u")
	procs_has "$d" "$p" || bad="$bad $u:main($p)-not-in-leaf"
	[ "$(cgroup_of "$p")" = "${d#$CG}" ] || bad="$bad $u:cgroup=$(cgroup_of "$p")"
done
case $(procs_count "$CG/system/ch-a") in 1) ;; *) bad="$bad ch-a:$(procs_count "$CG/system/ch-a")procs" ;; esac
# (ch-b may run with one child less: chaos may have killed a child while
# the shell kept waiting for the other)
case $(procs_count "$CG/system/ch-b") in 2 | 3) ;; *) bad="$bad ch-b:$(procs_count "$CG/system/ch-b")procs" ;; esac
if [ -z "$bad" ]; then ok "chaos: every ch-* main PID is in its own leaf, with its own processes only"
else not_ok "chaos: every ch-* main PID is in its own leaf, with its own processes only" "$bad"; fi
# no stray cgroup: every node under system/ and apps/ is a unit's
stray=
known=" $(units | tr '\n' ' ') "
for d in "$CG"/system/* "$CG"/apps/*; do
	[ -d "$d" ] || continue
	case $known in *" ${d##*/} "*) ;; *) stray="$stray ${d#$CG}" ;; esac
done
if [ -z "$stray" ]; then ok "chaos: no stray cgroup under /system or /apps"
else not_ok "chaos: no stray cgroup under /system or /apps" "$stray"; fi
fd1=$(fd_count) rss1=$(rss_kb)
fds1=$(ls -l /proc/1/fd | awk '{ print $NF }' | sort | uniq -c | tr '\n' ';')
diag "initd after chaos: $fd1 fds, VmRSS $rss1 kB"
if [ "$fd1" = "$fd0" ]; then ok "chaos: initd's fd count is back at its baseline ($fd1)"
else not_ok "chaos: initd's fd count is back at its baseline" "before $fd0: $fds0" "after $fd1: $fds1"; fi
check "chaos: initd's VmRSS is back near its baseline ($rss0 -> $rss1 kB, slack $RSS_SLACK_KB)" \
	[ "$rss1" -le $((rss0 + RSS_SLACK_KB)) ]
check "chaos: svctl still answers" sv status >/dev/null

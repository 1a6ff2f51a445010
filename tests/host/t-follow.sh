#!/bin/bash
# t-follow.sh — `logs -f` under a chatty service: followers that do not read
# cost PID 1 a bounded amount of memory (its VmRSS, from /proc), are dropped
# by the idle timeout, do not slow other requests, and a follower that stalls
# and then reads on is told how much it missed.
. "$(dirname "$0")/lib.sh"

here=$(cd "$(dirname "$0")" && pwd)
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$INITD_HPID/status"; }

new_boot follow
# ~2 MB/s of numbered 100-byte lines, in 20 KB writes.
unit chatty <<EOF2
exec = [ "/usr/bin/python3", "-c",
  "import os, time\nn = 0\nwhile True:\n    b = b''.join(b'%09d ' % (n + i) + b'x' * 89 + b'\\\\n' for i in range(200))\n    n += 200\n    os.write(1, b)\n    time.sleep(0.01)\n" ];
EOF2
start_initd
check "chatty reaches running" wait_state chatty running 5
check "chatty's output reaches the ring" wait_until 5 eval '[ "$(sv logs chatty -n 5 | wc -l)" -ge 5 ]'
sleep 1
base=$(rss_kb)

python3 "$here/ctl_clients.py" followers "$T/control" chatty 20 12 > "$T/followers.out" 2>&1 &
fpid=$!
peak=$base worst=0
for i in $(seq 1 16); do
	sleep 0.25
	r=$(rss_kb); [ -n "$r" ] && [ "$r" -gt "$peak" ] && peak=$r
	t0=$(wall_us); sv status chatty >/dev/null 2>&1 || worst=999999999
	t=$(( ($(wall_us) - t0) / 1000 )); [ "$t" -gt "$worst" ] && worst=$t
done
diag "initd VmRSS: ${base} kB before, ${peak} kB peak with 20 followers that never read"
diag "slowest svctl status meanwhile: ${worst} ms"
# Unbounded, 20 followers pinned 160 MB in 4 s. Under ASan (the san tier)
# every freed buffer sits in its quarantine for a while: a wider bound
# there, still far below what an unbounded queue costs.
bound=16384
ldd "$INITD" 2>/dev/null | grep -q libasan && bound=65536
check "initd's RSS grows by less than $((bound / 1024)) MiB (${base} -> ${peak} kB)" \
	test $(( peak - base )) -lt "$bound"
# A responsiveness check, not a benchmark: each status is bounded by sv's
# 5 s timeout (a failure counts as 999999999 ms); only a PID 1 that stops
# answering fails it, a slow one on a busy host does not (the figure is
# printed above).
check "svctl status answers meanwhile (slowest ${worst} ms, bound 5000)" test "$worst" -lt 5000
wait "$fpid"
check "followers that never read are dropped by the idle timeout: $(cat "$T/followers.out")" \
	grep -q '^dropped=20 of 20' "$T/followers.out"

res=$(python3 "$here/ctl_clients.py" follow-stall "$T/control" chatty 2 2>&1)
check "a follower that stalls, then reads, sees the dropped marker ($res)" \
	eval '[ "${res%% *}" = marker ]'

# A unit removed by a reload and added again by the next before it is down
# (its stop hangs: SIGTERM caught) keeps its follower: the name was never
# gone, and the follower gets the new run's output. (Once a removed unit is
# down, its follower ends: t-logs.sh.)
testd_unit web "--print-every 100 --hang-on-term" 'stop = { timeout = "30s"; };'
sv reload >/dev/null 2>&1
check "web reaches running" wait_state web running 5
check "web catches SIGTERM" wait_until 5 touched web
oldpid=$(svc_pid web)
sv logs web -n 0 -f > "$T/web.follow" 2>&1 &
wpid=$!
check "the follower gets web's lines" wait_until 5 test -s "$T/web.follow"
mv "$T/conf/units/web.unit" "$T/web.off"
sv reload >/dev/null 2>&1
check "web is removed" wait_until 5 eval '! sv status web >/dev/null 2>&1'
mv "$T/web.off" "$T/conf/units/web.unit"
sv reload >/dev/null 2>&1
check "web is known again, still going down" wait_state web stopping 5
in_ns kill -KILL "$oldpid"
back() { local p; p=$(svc_pid web); [ -n "$p" ] && [ "$p" != - ] && [ "$p" != "$oldpid" ]; }
check "web is back with a new PID" wait_until 5 back
newpid=$(svc_pid web)
check "the follower got the new web's first line (testd $newpid started)" \
	wait_until 5 grep -q " testd $newpid started$" "$T/web.follow"
check "the follower is still there" eval 'alive "$wpid"'
kill "$wpid" 2>/dev/null; wait "$wpid" 2>/dev/null

stop_initd
[ "$FAILED" -eq 0 ]

#!/bin/bash
# t-logflood.sh — a service floods 100k lines with log.console and log.kmsg
# on: PID 1 must not pay one console write per line (its write(2) count,
# /proc/PID/io syscw, stays far below the line count), svctl status stays
# answered (p50/p99 printed; only a bound a hang fails, 5 s, asserted: the
# sanitizer tier on a busy host is slow, not stuck), and the ring still
# holds every line.
. "$(dirname "$0")/lib.sh"

syscw() { awk '/^syscw:/ { print $2 }' "/proc/$INITD_HPID/io"; }
lines=100000

new_boot logflood
echo 'log_buffer = "4M";' > "$T/conf/initd.conf"
# 100 batches of 1000 lines, 20 ms apart (about 2 s), once $T/go exists.
unit flood <<EOF2
exec = [ "/usr/bin/python3", "-c",
  "import os, time\nwhile not os.path.exists('$T/go'): time.sleep(0.02)\nfor b in range(100):\n    os.write(1, b''.join(b'flood %06d\\\\n' % (b * 1000 + i) for i in range(1000)))\n    time.sleep(0.02)\ntime.sleep(1000)\n" ];
log = { console = true; kmsg = true; };
EOF2
start_initd
check "flood reaches running" wait_state flood running 5

w0=$(syscw)
touch "$T/go"
: > "$T/lat"
t_end=$(( $(wall_us) + 20000000 ))
# Each line stamped (logtime.h): the text is what follows the first blank.
flooded() { [ "$(sv logs flood -n 1 2>/dev/null | cut -d' ' -f2-)" = "flood $(printf %06d $((lines - 1)))" ]; }
while ! flooded && [ "$(wall_us)" -lt "$t_end" ]; do
	t0=$(wall_us)
	sv status flood >/dev/null 2>&1 || echo 9999999 >> "$T/lat"
	echo $(( ($(wall_us) - t0) / 1000 )) >> "$T/lat"
done
w1=$(syscw)
n=$(wc -l < "$T/lat")
p50=$(sort -n "$T/lat" | awk -v n="$n" 'NR == int(n * 0.5) + 1')
p99=$(sort -n "$T/lat" | awk -v n="$n" 'NR == int(n * 0.99) + 1')
diag "svctl status while flooding: $n samples, p50 ${p50} ms, p99 ${p99} ms"
diag "initd write(2) calls during the flood: $((w1 - w0)) for $lines lines"
check "the flood ended within 20s" flooded
check "svctl status answers while flooded: p99 ${p99} ms, under 5 s" test "${p99:-99999}" -lt 5000
check "initd made far fewer writes than lines ($((w1 - w0)) < $((lines / 5)))" \
	test $((w1 - w0)) -lt $((lines / 5))
got=$(sv logs flood -n 200000 | cut -d' ' -f2- | grep -c '^flood ')
is "the ring holds every line" "$got" "$lines"
check "the console says how many lines it did not get" \
	wait_until 5 eval 'grep -Eq "^flood: [0-9]+ lines not forwarded" "$T/initd.log"'

stop_initd
[ "$FAILED" -eq 0 ]

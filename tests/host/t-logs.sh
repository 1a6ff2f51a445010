#!/bin/bash
# t-logs.sh — service output: kept across a restart, copied to the console
# when the unit asks (log.console), and never from a unit that does not.
. "$(dirname "$0")/lib.sh"

new_boot logs
testd_unit loud "--print-every 50" 'log = { console = true; };' 'restart_delay = "0";'
testd_unit quiet "--print-every 50"
start_initd

check "loud reaches running" wait_state loud running 5
first=$(svc_pid loud)
check "loud printed some lines" wait_until 5 eval '[ "$(sv logs loud -n 5 | wc -l)" -ge 5 ]'
in_ns kill -KILL "$first" 2>/dev/null
back() { local p; p=$(svc_pid loud); [ -n "$p" ] && [ "$p" != - ] && [ "$p" != "$first" ]; }
check "loud comes back with a new PID" wait_until 5 back
second=$(svc_pid loud)
both() { sv logs loud -n 1000 > "$T/loud.logs"; grep -q "testd $first line" "$T/loud.logs" &&
	 grep -q "testd $second line" "$T/loud.logs"; }
check "logs hold lines from before and after the restart" wait_until 5 both
check "loud's lines reach the console, tagged with its name" \
	wait_until 5 eval 'grep -q "^loud: testd $second line" "$T/initd.log"'
check "quiet's lines stay off the console" eval '! grep -q "^quiet: " "$T/initd.log"'

stop_initd

# A service's last lines (often its crash message) reach the console even
# when initd reads them at its reap, not when its pipe was ready: initd
# stopped while early exits (its SIGCHLD then waits in the signalfd,
# ahead of the rest) and late prints and exits; at SIGCONT the reap's
# walk reaps late and drains its pipe before the pipe's own event.
new_boot lastwords
gate="while [ ! -e $T/go ]; do sleep 0.05; done"
unit early <<EOF
exec = [ "/bin/sh", "-c", "$gate; exit 0" ];
restart = "no";
EOF
unit late <<EOF
exec = [ "/bin/sh", "-c", "$gate; sleep 0.3; echo crashing now, last words; exit 3" ];
restart = "no";
log = { console = true; };
EOF
start_initd
check "early and late are running" wait_until 5 eval 'state_is early running && state_is late running'
early=$(svc_pid early)
late=$(svc_pid late)
kill -STOP "$INITD_HPID"
touch "$T/go"
zombie() { [ "$(ns_stat "$1" | cut -d' ' -f1)" = Z ]; }
check "with initd stopped, early and then late exited" \
	wait_until 5 eval 'zombie "$early" && zombie "$late"'
kill -CONT "$INITD_HPID"
check "late is reaped (failed)" wait_state late failed 5
check "late's last line reached the console" \
	wait_until 5 eval 'grep -q "^late: crashing now, last words" "$T/initd.log"'
check "and its ring" eval 'sv logs late | grep -q "crashing now, last words"'

stop_initd

# A ring larger than a reply (log_buffer up to 16M, a reply at most 8M):
# svctl logs gives the newest lines that fit, after a line saying how much
# older output it leaves out, not an error.
new_boot bigring
echo 'log_buffer = "16M";' > "$T/conf/initd.conf"
unit big <<EOF
exec = [ "/bin/sh", "-c", "yes 0123456789012345678901234567890123456789012345678 | head -n 240000; echo the last line; exec sleep 1000" ];
EOF
start_initd
check "big printed 12 MB" wait_until 20 eval 'sv logs big -n 1 | grep -q "the last line"'
sv logs big -n 1000000 > "$T/big.logs"; rc=$?
is "logs of 12 MB: exit 0" "$rc" 0
check "the first line says what is left out" \
	eval 'head -n 1 "$T/big.logs" | grep -Eq "^\[initd: [0-9]+ bytes of older output not shown: a reply holds at most 8M\]$"'
check "the last line is the newest" eval '[ "$(tail -n 1 "$T/big.logs" | cut -d" " -f2-)" = "the last line" ]'
check "whole stamped lines between them" \
	eval '[ -z "$(sed -n "2,\$p" "$T/big.logs" | grep -Ev "^[0-9-]{10}T[0-9:.]{12}Z (0123456789012345678901234567890123456789012345678|the last line)$" | head -n 1)" ]'
n=$(wc -l < "$T/big.logs")
check "more than 100000 lines of them ($n)" test "$n" -gt 100000
stop_initd

# --raw strips every stamp, wherever initd's 32K pieces cut a line (in
# its stamp, too), and a ring that wrapped in the middle of a line starts
# at the next whole one.
new_boot rawcut
echo 'log_buffer = "64K";' > "$T/conf/initd.conf"
unit chat <<EOF
exec = [ "/bin/sh", "-c", "seq -f 'line %g' 1000 4999; exec sleep 1000" ];
EOF
start_initd
check "chat printed its lines" wait_until 10 eval 'sv logs chat -n 1 --raw | grep -q "^line 4999$"'
for n in 1000 1200 1400 1600 1800; do
	is "logs -n $n --raw: the service's lines, whole, without stamps" \
		"$(sv logs chat -n $n --raw | md5sum)" "$(seq -f 'line %g' $((5000 - n)) 4999 | md5sum)"
done
sv logs chat -n 100000 > "$T/all.logs"
check "logs of a wrapped ring: every line whole and stamped" \
	eval '[ -z "$(grep -Ev "^[0-9-]{10}T[0-9:.]{12}Z line [0-9]{4}$" "$T/all.logs" | head -n 1)" ]'
stop_initd

# A service's bytes must not drive the operator's terminal: ESC, CR, C1
# and bytes that are not UTF-8 show as '?' (as in svctl status), UTF-8 and
# tabs stay; --raw gives the bytes as written (scripts). On the console
# (log.console) PID 1 itself turns C0 controls and DEL into '?'.
new_boot escapes
unit esc <<EOF
exec = [ "/bin/sh", "-c", "printf 'a\\\\033]0;pwned\\\\007b\\\\rc\\\\302\\\\233d\\\\377 \\\\303\\\\251\\\\tok\\\\n'; exec sleep 1000" ];
log = { console = true; };
EOF
start_initd
check "esc printed its line" wait_until 10 eval 'sv logs esc --raw | grep -q "ok$"'
is "logs: control characters and bad bytes as '?'" \
	"$(sv logs esc | cut -d' ' -f2- | od -An -c | tr -s ' ')" \
	"$(printf 'a?]0;pwned?b?c?d? \303\251\tok\n' | od -An -c | tr -s ' ')"
is "logs --raw: the bytes as written" \
	"$(sv logs esc --raw | od -An -tx1 | tr -d ' \n')" \
	"$(printf 'a\033]0;pwned\007b\rc\302\233d\377 \303\251\tok\n' | od -An -tx1 | tr -d ' \n')"
check "console: esc's line reached it" wait_until 5 eval 'LC_ALL=C grep -aq "^esc: .*ok$" "$T/initd.log"'
# C1 (U+009B is CSI on the Linux console) and a byte that is not UTF-8
# as '?' there too, not only C0: the console acts on them as on ESC [.
is "console: esc's line with every control and bad byte as '?', UTF-8 and tabs kept" \
	"$(grep -a "^esc: " "$T/initd.log" | od -An -tx1 | tr -d ' \n')" \
	"$(printf 'esc: a?]0;pwned?b?c?d? \303\251\tok\n' | od -An -tx1 | tr -d ' \n')"
stop_initd

# Output is read in chunks, and a line may come in pieces: the console
# gets it whole (one record, not one a piece), and a run's last line with
# no newline ends with the run. The next run's first line is a line of
# its own, stamped when it was read (the ring, the log file, the console),
# not glued to the last run's under that run's time.
new_boot pieces
echo "log = { directory = \"$T/logdir\"; };" > "$T/conf/initd.conf"
unit split <<EOF
exec = [ "/bin/sh", "-c", "printf 'hello '; sleep 0.3; printf 'world\\\\n'; exec sleep 1000" ];
log = { console = true; };
EOF
unit glue <<EOF
exec = [ "/bin/sh", "-c", "if [ -e $T/glue.ran ]; then sleep 1.2; echo second-run; exec sleep 1000; fi; : > $T/glue.ran; printf first-run-partial; exit 1" ];
restart = "always";
restart_delay = "0";
log = { console = true; };
EOF
unit told <<EOF
exec = [ "/bin/sh", "-c", "if [ -e $T/told.ran ]; then exec sleep 1000; fi; echo hello; while [ ! -e $T/told.go ]; do sleep 0.05; done; : > $T/told.ran; printf told-partial; exit 1" ];
restart = "always";
restart_delay = "0";
EOF
# no cgroup here: a process of the last run still writes when the next one
# starts, and its line is not cut there (it left the run's process group,
# which goes with the main process: setsid, and the main process waits
# until the writer is out of it)
unit lingers <<EOF
exec = [ "/bin/sh", "-c", "if [ -e $T/lingers.ran ]; then exec sleep 1000; fi; : > $T/lingers.ran; setsid sh -c ': > $T/lingers.out; printf \"tick \"; sleep 0.5; echo tock' & until [ -e $T/lingers.out ]; do sleep 0.01; done; exit 1" ];
restart = "always";
restart_delay = "0";
EOF
start_initd
check "split printed its line" wait_until 5 eval 'sv logs split --raw | grep -q "^hello world$"'
check "console: split's line in one record" wait_until 5 eval 'grep -aqx "split: hello world" "$T/initd.log"'
check "console: not in pieces" eval '! grep -aqx "split: hello " "$T/initd.log"'
check "glue's second run printed" wait_until 10 eval 'sv logs glue --raw | grep -q second-run'
is "logs: the two runs' lines apart" "$(sv logs glue --raw)" "$(printf 'first-run-partial\nsecond-run')"
check "logs: each of them stamped" \
	eval '[ "$(sv logs glue | grep -Ec "^[0-9-]{10}T[0-9:.]{12}Z (first-run-partial|second-run)$")" = 2 ]'
# its stamp is its own: 1.2 s after the first's (a day's wrap allowed for)
gap() { sv logs glue | awk '{ split(substr($1, 12, 12), t, ":"); s[NR] = t[1] * 3600 + t[2] * 60 + t[3] }
	END { d = s[2] - s[1]; if (d < 0) d += 86400; exit !(NR == 2 && d >= 1.0) }'; }
check "logs: the second run's line stamped when it was read, a second after the first's" gap
check "the log file: the two lines apart" \
	wait_until 5 eval '[ "$(grep -Ec "^[0-9-]{10}T[0-9:.]{12}Z (first-run-partial|second-run)$" "$T/logdir/glue.log")" = 2 ]'
check "console: the first run's last line, ended with its run" \
	eval 'grep -aqx "glue: first-run-partial" "$T/initd.log"'
check "console: the second run's line" eval 'grep -aqx "glue: second-run" "$T/initd.log"'
# A follower is told of the line the last run left unfinished, ended when
# the next run starts (before it, the pipe's end waited in the loop).
check "told printed hello" wait_until 5 eval 'sv logs told --raw | grep -qx hello'
sv logs told -n 1 -f --raw > "$T/told.follow" 2>&1 &
fpid=$!
check "the follower is there" wait_until 5 eval 'grep -qx hello "$T/told.follow"'
touch "$T/told.go"
check "the follower gets told's last line, ended" \
	wait_until 4 eval '[ "$(od -An -c "$T/told.follow" | tr -d " \n")" = "hello\\ntold-partial\\n" ]'
kill "$fpid" 2>/dev/null; wait "$fpid" 2>/dev/null
check "lingers: a line still written across the next run's start, whole" \
	wait_until 5 eval '[ "$(sv logs lingers --raw)" = "tick tock" ]'
# A follower when PID 1 powers off: the stream's end is said and exits 5
# (initd cannot be reached, svctl(8)); it ended silently with exit 0.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:detect_leaks=0} timeout 60 "$SVCTL" \
	--socket "$T/control" logs -f lingers > "$T/end.follow" 2> "$T/end.err" &
fpid=$!
check "the last follower is there" wait_until 5 eval 'grep -q "tick tock" "$T/end.follow"'
stop_initd
wait "$fpid"; frc=$?
is "a follower when initd powers off: exit 5" "$frc" 5
NEEDS_BOOT=0 check "a follower when initd powers off: said on stderr ($(head -c 200 "$T/end.err"))" \
	grep -q '^svctl: logs: initd closed the connection' "$T/end.err"

# A follower of a unit a reload removes: once the unit is down, initd ends
# the stream saying so, and svctl exits 3 (no such unit, svctl(8)). It
# stayed attached by name for ever, printing nothing more (bounded here by
# timeout: exit 124).
new_boot logs-removed
testd_unit gone "--print-every 100"
testd_unit stays "--print-every 100"
start_initd
check "gone and stays reach running" \
	wait_until 5 eval 'state_is gone running && state_is stays running'
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:detect_leaks=0} timeout 15 "$SVCTL" \
	--socket "$T/control" logs -n 1000 -f gone > "$T/gone.follow" 2> "$T/gone.err" &
gpid=$!
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:detect_leaks=0} timeout 15 "$SVCTL" \
	--socket "$T/control" logs -n 1000 -f stays > "$T/stays.follow" 2> "$T/stays.err" &
spid=$!
check "the followers get their units' lines" \
	wait_until 5 eval 'grep -q started "$T/gone.follow" && grep -q started "$T/stays.follow"'
gone_pid=$(svc_pid gone)
rm "$T/conf/units/gone.unit"
sv reload >/dev/null 2>&1
wait "$gpid"; grc=$?
is "a follower of a unit a reload removed: exit 3" "$grc" 3
check "... saying why on stderr ($(head -c 200 "$T/gone.err"))" \
	grep -qx 'svctl: log stream ended: unit gone was removed by a reload' "$T/gone.err"
# the stream ends once the unit is down, not at the reload: its process is
# gone by the time svctl has exited
check "gone's last run is over when its stream ends" eval '! ns_alive "$gone_pid"'
check "the other unit's follower goes on" eval 'alive "$spid"'
kill "$spid" 2>/dev/null; wait "$spid" 2>/dev/null
stop_initd

# A follower that is not reading when its removed unit goes down: what the
# ring held for it past its full queue goes with the unit, and is said
# dropped before the stream's end, as a live follower is told of what the
# ring overwrote. It ended without a word of it. burst writes 20,000 lines
# (1.9 MB: past the 64K ring, the queue and the socket's buffer) when the
# reload stops it, then "the end".
new_boot logs-removed-unread
unit burst <<'EOF'
exec = [ "/usr/bin/python3", "-c",
  "import os, signal\ndef term(*_):\n    for i in range(0, 20000, 100):\n        os.write(1, b''.join(b'burst %09d ' % (i + k) + b'x' * 80 + b'\\n' for k in range(100)))\n    os.write(1, b'the end\\n')\n    os._exit(0)\nsignal.signal(signal.SIGTERM, term)\nos.write(1, b'ready\\n')\nwhile True:\n    signal.pause()\n" ];
EOF
start_initd
check "burst is ready for its SIGTERM" wait_until 5 eval 'sv logs burst --raw | grep -qx ready'
mkfifo "$T/go"
python3 "$(dirname "$0")/ctl_clients.py" follow-removed "$T/control" burst 20000 \
	< "$T/go" > "$T/burst.out" 2>&1 &
bpid=$!
exec 7> "$T/go"
check "burst's follower is attached" wait_until 5 grep -qx attached "$T/burst.out"
rm "$T/conf/units/burst.unit"
sv reload > /dev/null 2>&1
check "burst is removed and down" wait_until 10 eval 'sv status burst > /dev/null 2>&1; [ $? = 3 ]'
echo go >&7
exec 7>&-
wait "$bpid"
res=$(tail -n 1 "$T/burst.out")
is "a follower that was not reading: nothing lost without a marker ($res)" "${res%% *}" ok
stop_initd

# A line the service has not ended yet (a prompt, a progress bar): svctl
# logs ends what it prints with a newline, so that the caller's prompt is
# not glued to it and `while read` gets it; --raw keeps it byte for byte.
new_boot unended
unit unended <<EOF
exec = [ "/bin/sh", "-c", "echo whole; printf 'not ended'; exec sleep 1000" ];
EOF
start_initd
check "unended printed its part line" wait_until 5 eval 'sv logs unended --raw | grep -q "not ended"'
sv logs unended > "$T/unended.out"
is "logs ends a line the service has not ended with a newline" \
	"$(tail -c 1 "$T/unended.out" | od -An -c | tr -d ' ')" '\n'
is "and the line is there once, whole so far" "$(grep -c ' not ended$' "$T/unended.out")" 1
is "--raw prints it as written, without a newline" \
	"$(sv logs unended --raw | od -An -c | tr -d ' \n')" 'whole\nnotended'
stop_initd
[ "$FAILED" -eq 0 ]

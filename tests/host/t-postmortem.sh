#!/bin/bash
# t-postmortem.sh — crash forensics (issue 17 item 2): a post-mortem record
# for every unexpected exit, never for a requested stop.
#   crasher  prints 30 numbered lines and exits 7, four runs in a row, then
#            stays up; postmortems = 3: three records kept, newest first,
#            each with its last 20 lines (of 30), reason and restarts;
#            `svctl status` shows the last; the log directory gets all four
#   wide     prints 20 lines of 300 bytes and exits 1: the byte bound keeps
#            whole lines, the newest
#   victim   SIGKILLed from outside: "signal KILL"
#   calm     stopped by svctl: no record; none, postmortems = 0: none
#   toomany  postmortems = 40: bad-config
# Without cgroups (this tier) freeze is a clear error.
#   serial   log.file = "/dev/ttyS1", a device (a tmpfs over /dev in the
#            namespace, ttyS1 a null device): its records stay in memory,
#            no regular file /dev/ttyS1.postmortem (the old code made one)
#   late     log.file = "/dev/ttyS3", a device not there yet (a serial
#            driver loaded late): nothing is made in /dev, neither the log
#            file nor the post-mortem file beside it (the old code made both
#            regular files, and the node could not be made after), said in
#            the log; once the node is there, the lines go to it
#   line     log.file a character device outside /dev: none beside it
#   shmfile, shmdir  a log.file and a log.directory in /dev/shm: regular
#            files, their post-mortem files beside them
. "$(dirname "$0")/lib.sh"

LOGDIR=$WORK/logdir
rm -rf "$LOGDIR"

new_boot postmortem
cat > "$T/conf/initd.conf" <<EOC
log = { directory = "$LOGDIR"; };
EOC
unit crasher <<EOU
exec = [ "/bin/sh", "-c", "echo run >> $T/crasher.runs; r=\$(wc -l < $T/crasher.runs); i=1; while [ \$i -le 30 ]; do echo crash run \$r line \$i; i=\$((i+1)); done; [ \$r -ge 5 ] && exec sleep 1000; exit 7" ];
restart = "on-failure";
restart_delay = "100ms";
start_limit = { burst = 20; interval = "60s"; };
postmortems = 3;
EOU
unit wide <<EOU
exec = [ "/bin/sh", "-c", "i=1; while [ \$i -le 20 ]; do printf 'wide %02d %0290d\\\\n' \$i 0; i=\$((i+1)); done; exit 1" ];
restart = "no";
EOU
unit victim <<EOU
exec = [ "/bin/sh", "-c", "echo victim up; exec sleep 1000" ];
restart = "no";
EOU
unit calm <<EOU
exec = [ "/bin/sh", "-c", "echo calm up; exec sleep 1000" ];
EOU
unit none <<EOU
exec = [ "/bin/sh", "-c", "echo none; exit 3" ];
restart = "no";
postmortems = 0;
EOU
unit toomany <<EOU
exec = [ "/bin/true" ];
postmortems = 40;
EOU
# A forking daemon that crashes: each crash one record, not a second one
# when the next start's starter exits 0 (its exit is no exit of the unit).
testd_unit fk "--daemonize --exit-after 300 --exit-code 7" 'type = "forking";' \
	'restart = "on-failure";' 'restart_delay = "100ms";' \
	'start_limit = { burst = 3; interval = "60s"; };' 'postmortems = 10;'
start_initd

check "fk crashed until its start limit" wait_state fk failed 10
crashes=$(grep -c "exiting with code 7" "$T/fk.log")
is "fk: one record per crash of its daemon ($crashes)" \
	"$(sv postmortem fk | grep -c '^failure: ')" "$crashes"

runs() { [ -f "$T/crasher.runs" ] && wc -l < "$T/crasher.runs" || echo 0; }
check "crasher ran five times and stays up" \
	wait_until 20 eval '[ "$(runs)" = 5 ] && state_is crasher running'
pm=$(sv postmortem crasher)
printf '%s\n' "$pm" | sed 's/^/#   /' | head -5
is "postmortems = 3: three records of four failures" \
	"$(printf '%s\n' "$pm" | grep -c '^failure: ')" 3
is "newest first: run 4, then 3, then 2" \
	"$(printf '%s\n' "$pm" | grep '| .*line 30$' | sed -E 's/.*crash run ([0-9]+) .*/\1/' | tr '\n' ' ')" "4 3 2 "
check "each record says exit 7 with the restarts before it (3, 2, 1)" \
	eval '[ "$(printf "%s\n" "$pm" | grep "^failure: " | sed -E "s/.* exit 7 \(restarts ([0-9]+)\)$/\1/" | tr "\n" " ")" = "3 2 1 " ]'
first=$(sv postmortem crasher -n 1)
is "-n 1: one record" "$(printf '%s\n' "$first" | grep -c '^failure: ')" 1
is "--count=1: the same" "$(sv postmortem crasher --count=1)" "$first"
is "--count 1: the same" "$(sv postmortem crasher --count 1)" "$first"
is "-n1: the same, as logs -n1 takes it" "$(sv postmortem crasher -n1)" "$first"
is "the last 20 lines of 30: 11..30" \
	"$(printf '%s\n' "$first" | grep -c '| .*crash run 4 line ')" 20
check "the first kept line is line 11, stamped" \
	eval 'printf "%s\n" "$first" | grep "| " | head -n 1 | grep -Eq "^  \| [0-9-]{10}T[0-9:.]{12}Z crash run 4 line 11$"'
check "svctl status crasher shows the last failure" \
	eval 'sv status crasher | grep -Eq "^  last failure: [0-9-]{10}T.*Z exit 7 \(restarts 3\)$"'
check "status shows its last lines" eval 'sv status crasher | grep -q "| .*crash run 4 line 30$"'
check "--json: three records of 20 lines, reason, restarts, null counters without cgroups" \
	eval "sv postmortem crasher --json | python3 -c '
import json, sys
r = json.load(sys.stdin)
assert len(r) == 3, r
assert all(len(x[\"lines\"]) == 20 for x in r)
assert r[0][\"reason\"] == \"exit 7\" and r[0][\"restarts\"] == 3
assert r[0][\"memory_peak\"] is None and r[0][\"lines\"][-1].endswith(\"crash run 4 line 30\")
assert r[0][\"time\"].endswith(\"Z\") and r[0][\"time_usec\"] > r[1][\"time_usec\"]
'"
check "status NAME --json carries the last failure as postmortem --json's newest" \
	eval "sv status crasher --json | python3 -c '
import json, sys
u = json.load(sys.stdin)[0]
f = u[\"last_failure\"]
assert f[\"reason\"] == \"exit 7\" and f[\"restarts\"] == 3, f
assert len(f[\"lines\"]) == 20 and f[\"lines\"][-1].endswith(\"crash run 4 line 30\"), f
'"
check "status --json of every unit: last_failure null (only a status of one NAME has it)" \
	eval "sv status --json | python3 -c '
import json, sys
assert all(u[\"last_failure\"] is None for u in json.load(sys.stdin))
'"
check "the log directory keeps every record: crasher.postmortem has four" \
	wait_until 5 eval '[ "$(grep -c "post-mortem crasher: exit 7" "$LOGDIR/crasher.postmortem" 2>/dev/null)" = 4 ]'
check "... with its lines" \
	eval '[ "$(grep -c "^  | .*crash run 1 line" "$LOGDIR/crasher.postmortem")" = 20 ]'

# the byte bound
check "wide failed" wait_state wide failed 5
w=$(sv postmortem wide)
n=$(printf '%s\n' "$w" | grep -c '| .*wide ')
check "wide: fewer than 20 lines of 300 bytes kept ($n)" eval '[ "$n" -ge 5 ] && [ "$n" -lt 20 ]'
check "wide: the newest ones, whole" \
	eval 'printf "%s\n" "$w" | grep "| " | tail -n 1 | grep -Eq "wide 20 0{290}$" &&
	      [ -z "$(printf "%s\n" "$w" | grep "| " | grep -Ev "Z wide [0-9]{2} 0{290}$")" ]'

# a signal from outside; a requested stop; postmortems = 0
check "victim is running" wait_state victim running 5
in_ns kill -KILL "$(svc_pid victim)"
check "victim: signal KILL recorded" \
	wait_until 5 eval 'sv postmortem victim | grep -q "^failure: .* signal KILL"'
check "calm is running" wait_state calm running 5
sv stop calm > /dev/null
is "calm, stopped by svctl: no record" "$(sv postmortem calm)" "calm: no unexpected exit recorded"
check "none failed" wait_state none failed 5
is "none (postmortems = 0): no record" "$(sv postmortem none)" "none: no unexpected exit recorded"
check "toomany (postmortems = 40) is bad-config" wait_state toomany bad-config 2
check "its diagnostic names the bound" eval 'sv status toomany | grep -q "postmortems.*0..32"'
check "no unit: an error" eval '! sv postmortem nosuch 2>/dev/null'

# A reload whose crasher keeps 1 record keeps its newest one at once (the
# old code kept 3 until the next failure; postmortems = 0 kept them all).
sed -i 's/^postmortems = 3;/postmortems = 1;/' "$T/conf/units/crasher.unit"
rm -f "$T/conf/units/toomany.unit"   # its error would refuse the reload
sv reload > /dev/null 2>&1
check "crasher, reloaded with postmortems = 1: one record, the newest" \
	wait_until 5 eval '[ "$(sv postmortem crasher | grep -c "^failure: ")" = 1 ] &&
			   sv postmortem crasher | grep -q "crash run 4 line 30"'

# freeze needs a cgroup
fz=$(sv freeze calm 2>&1); rc=$?
check "freeze without cgroups fails with exit status 1 (rc $rc)" eval '[ "$rc" = 1 ]'
check "... saying why" eval 'printf "%s\n" "$fz" | grep -q "no cgroup"'
stop_initd

# A log on a device: no post-mortem file beside it (a regular file in
# /dev, which two units sharing the line would share).
new_boot postmortem-dev
unit serial <<EOU
exec = [ "/bin/sh", "-c", "echo serial dies; exit 5" ];
restart = "no";
log = { file = "/dev/ttyS1"; };
EOU
# A device not there yet (a late serial driver): no regular file is made
# in its place, which would keep the kernel from making the node, nor one
# beside it.
unit late <<EOU
exec = [ "/bin/sh", "-c", "echo late dies; exit 3" ];
restart = "no";
log = { file = "/dev/ttyS3"; };
EOU
# filed fails after serial and late, into a regular file: the log writer
# takes its records in order, so once filed.postmortem is there, theirs
# would be.
unit filed <<EOU
exec = [ "/bin/sh", "-c", "echo filed dies; exit 6" ];
restart = "no";
autostart = false;
log = { file = "$T/filed.log"; };
EOU
INITD_PRE='mount -t tmpfs -o mode=755 devtmp /dev; mknod -m 666 /dev/null c 1 3; mknod -m 600 /dev/ttyS1 c 1 3' \
	start_initd
check "serial failed" wait_state serial failed 10
check "late failed" wait_state late failed 10
check "serial: its record is in memory" \
	wait_until 10 eval 'sv postmortem serial | grep -q "^failure: .* exit 5"'
sv start filed > /dev/null 2>&1
check "filed, failed after it, has its post-mortem file" \
	wait_until 10 eval 'in_ns grep -q "exit 6" "$T/filed.postmortem"'
check "serial: no regular file /dev/ttyS1.postmortem" \
	eval '! in_ns test -e /dev/ttyS1.postmortem && in_ns test -c /dev/ttyS1'
check "late: its record is in memory" \
	eval 'sv postmortem late | grep -q "^failure: .* exit 3"'
check "late: no file made for the device not there yet (/dev/ttyS3)" \
	eval '! in_ns test -e /dev/ttyS3'
check "late: nor a post-mortem file beside it" eval '! in_ns test -e /dev/ttyS3.postmortem'
check "late: the log says the device is not there" \
	grep -q 'log writer: /dev/ttyS3: cannot open: no such device (yet)' "$T/initd.log"
# The node appears (a null device: what it takes is not seen), and the
# next run's lines go to it: no error, nothing made beside it.
cp "$T/initd.log" "$T/initd.log.before"
in_ns mknod -m 600 /dev/ttyS3 c 1 3
sv start late > /dev/null 2>&1
check "late ran again" wait_until 10 eval '[ "$(sv postmortem late | grep -c "^failure: .* exit 3")" = 2 ]'
sv start filed > /dev/null 2>&1
check "filed failed again after it" \
	wait_until 10 eval '[ "$(in_ns grep -c "exit 6" "$T/filed.postmortem")" = 2 ]'
check "late: the node is the device, nothing beside it" \
	eval 'in_ns test -c /dev/ttyS3 && ! in_ns test -e /dev/ttyS3.postmortem'
is "late: no open refused once it is there" \
	"$(grep -c 'log writer: /dev/ttyS3: cannot open' "$T/initd.log")" \
	"$(grep -c 'log writer: /dev/ttyS3: cannot open' "$T/initd.log.before")"
in_ns ls -l /dev | sed 's/^/#   /'
stop_initd

# What the log's path is decides, not where it lies: a log.directory in
# /dev/shm (a tmpfs, volatile logs) gets its post-mortem files, and so does
# a log.file there; a character device outside /dev (a null device on a
# tmpfs of this test's) gets none beside it. The old code went by the
# /dev/ prefix: none for the first two, one for the third.
new_boot postmortem-shm
cat > "$T/conf/initd.conf" <<EOC
log = { directory = "/dev/shm/logs"; };
EOC
unit line <<EOU
exec = [ "/bin/sh", "-c", "echo line dies; exit 4" ];
restart = "no";
log = { file = "$T/devs/line"; };
EOU
unit shmfile <<EOU
exec = [ "/bin/sh", "-c", "echo shmfile dies; exit 5" ];
restart = "no";
autostart = false;
log = { file = "/dev/shm/shmfile.log"; };
EOU
unit shmdir <<EOU
exec = [ "/bin/sh", "-c", "echo shmdir dies; exit 6" ];
restart = "no";
autostart = false;
EOU
INITD_PRE="mount -t tmpfs -o mode=755 devtmp /dev; mknod -m 666 /dev/null c 1 3
mkdir /dev/shm; mount -t tmpfs -o mode=1777 shm /dev/shm
mkdir -p $T/devs; mount -t tmpfs devs $T/devs
mknod -m 600 $T/devs/line c 1 3" \
	start_initd
check "line failed" wait_state line failed 10
check "line: its record is in memory" \
	wait_until 10 eval 'sv postmortem line | grep -q "^failure: .* exit 4"'
sv start shmfile > /dev/null 2>&1
check "shmfile: its post-mortem file in /dev/shm" \
	wait_until 10 eval 'in_ns grep -q "exit 5" /dev/shm/shmfile.postmortem'
sv start shmdir > /dev/null 2>&1
check "shmdir: its post-mortem file in the log directory /dev/shm/logs" \
	wait_until 10 eval 'in_ns grep -q "exit 6" /dev/shm/logs/shmdir.postmortem'
# the log writer takes records in order: line's, first, would be there
check "line: no file beside its device (a character device outside /dev)" \
	eval '! in_ns test -e "$T/devs/line.postmortem" && in_ns test -c "$T/devs/line"'
in_ns ls -lR /dev/shm "$T/devs" | sed 's/^/#   /'
stop_initd

[ "$FAILED" -eq 0 ]

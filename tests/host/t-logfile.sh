#!/bin/bash
# t-logfile.sh — persistent logs (issue 14): stamped lines in the unit's log
# file (initd.conf log.directory or the unit's log.file), rotation at
# max_size keeping N files, appending across a restart, a reload and a
# second boot, the last lines flushed at poweroff, and a stopped writer or a
# file on /dev/full costing dropped lines (with a marker), never an answer
# from PID 1. Also `svctl logs --since/--until`, and a unit (as nobody)
# re-aiming a link root made at a directory only root may enter.
. "$(dirname "$0")/lib.sh"

STAMP='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z'
LOGDIR=$WORK/logdir
rm -rf "$LOGDIR"

# The units: chatter prints 100 numbered lines at once and exits, restarted
# (a run is about 7K: the 8K files with keep = 2 hold three runs or more, so
# two runs are in the file set whenever it is read) every 200 ms for the
# whole test: no backoff (by default each quick run doubled the delay, to
# 25.6 s by the writer's restart, longer than a check's wait) and no start
# limit; each run names itself by a fresh random id (not its pid, which the
# test's pid namespace may hand out again);
# byebye says goodbye on SIGTERM; own has its own log.file; full writes to
# /dev/full; flood prints 60000 lines once asked, then one more on $T/go.
units() {
	cat > "$T/conf/initd.conf" <<EOC
log = { directory = "$LOGDIR"; max_size = "8K"; keep = 2; };
EOC
	unit chatter <<EOU
exec = [ "/bin/sh", "-c", "read r < /proc/sys/kernel/random/uuid; i=0; while [ \$i -lt 100 ]; do echo chatter \$r line \$i; i=\$((i+1)); done; sleep 1" ];
restart = "always";
restart_delay = "200ms";
restart_delay_max = "200ms";
start_limit = { burst = 100000; interval = "10s"; };
EOU
	unit byebye <<EOU
exec = [ "/bin/sh", "-c", "trap 'echo goodbye from \$\$; exit 0' TERM; echo hello from \$\$; while :; do sleep 0.1; done" ];
EOU
	unit own <<EOU
exec = [ "/bin/sh", "-c", "echo own line; exec sleep 1000" ];
log = { file = "$LOGDIR/own/custom.log"; max_size = "4K"; keep = 0; };
EOU
	unit full <<EOU
exec = [ "/bin/sh", "-c", "while :; do echo to the void; sleep 0.2; done" ];
log = { file = "/dev/full"; };
EOU
}

new_boot logfile
units
start_initd

check "a line lands in DIRECTORY/NAME.log, stamped" \
	wait_until 20 eval "grep -Eq '^$STAMP hello from [0-9]+\$' '$LOGDIR/byebye.log'"
check "a unit's own log.file is used (its directory made)" \
	wait_until 20 eval "grep -Eq '^$STAMP own line\$' '$LOGDIR/own/custom.log'"
check "rotation keeps chatter.log, .1 and .2" \
	wait_until 20 eval "[ -s '$LOGDIR/chatter.log.2' ]"
sizes_ok() {
	local f
	for f in "$LOGDIR"/chatter.log*; do
		[ "$(stat -c %s "$f")" -le 8192 ] || return 1
	done
}
check "no file past max_size (8K)" sizes_ok
check "no file past keep (2)" eval "[ ! -e '$LOGDIR/chatter.log.3' ]"
# Lines of two runs (two ids) in the file set: a restart appends.
runs() { cat "$LOGDIR"/chatter.log* | awk '{ print $3 }' | sort -u | wc -l; }
check "a restarted service's lines go on in the same files" \
	wait_until 20 eval '[ "$(runs)" -ge 2 ]'
check "every line of the newest file is stamped" \
	eval "! grep -Evq '^$STAMP ' '$LOGDIR/chatter.log'"

# seen_runs, then new_run: a chatter run whose lines came after seen_runs.
seen_runs() { cat "$LOGDIR"/chatter.log* | awk '{ print $3 }' | sort -u > "$T/runs"; }
new_run() { cat "$LOGDIR"/chatter.log* | awk '{ print $3 }' | sort -u | grep -qvxFf "$T/runs"; }

# Reload: the writer and the files go on.
seen_runs
check "svctl reload" sv reload
check "lines keep coming after a reload" wait_until 20 new_run

# /dev/full: the writer says so, PID 1 answers, /dev/full stays a device.
check "a file on /dev/full is reported in initd's log" \
	wait_until 20 grep -q 'log writer: /dev/full: cannot write' "$T/initd.log"
check "/dev/full is not rotated away" test -c /dev/full

# A writer killed is started again.
w=$(writer_pid)
check "the log writer runs" test -n "$w"
[ -n "$w" ] && kill -KILL "$w"
check "a killed writer is reported and started again" \
	wait_until 20 eval 'grep -q "log writer exited" "$T/initd.log" && w2=$(writer_pid) && [ "$w2" != "$w" ]'
seen_runs
check "lines reach the files again after the writer's restart" wait_until 20 new_run

# --since / --until against the stamps, on a line byebye says now: on a
# loaded machine the boot's first line may be a minute old here, and
# --since -30s rightly drops it.
check "byebye restarted for a fresh line" sv restart byebye
hello="hello from $(svc_pid byebye)"
check "its new line is in svctl logs" wait_until 20 eval "sv logs byebye | grep -q '$hello\$'"
first=$(sv logs byebye | grep "$hello\$" | head -n 1)
t=${first%% *}
check "svctl logs shows the stamp" eval "echo '$first' | grep -Eq '^$STAMP hello'"
check "svctl logs --raw shows the line as written" \
	eval "sv logs --raw byebye | grep -qxF '${first#* }'"
check "--since the line's stamp keeps it" eval "sv logs byebye --since '$t' | grep -q '$hello'"
check "--until before it drops it" eval "[ -z \"\$(sv logs byebye --until 2000-01-01)\" ]"
check "--since -5min keeps it" eval "sv logs byebye --since -5min | grep -q '$hello'"
# every TIME svctl(8) gives as an example
for ex in -30s -90min; do
	check "--since $ex (svctl(8)'s example) works" \
		eval "sv logs byebye --since $ex | grep -q '$hello'"
done
up=$(cut -d' ' -f1 /proc/uptime)
check "--since an uptime after it drops it" eval "[ -z \"\$(sv logs byebye --since $up)\" ]"
check "--until now keeps it, date and time form" \
	eval "sv logs byebye --until \"\$(date -u '+%Y-%m-%d %H:%M:%S')\" | grep -q hello"
check "a bad --since is a usage error (exit 2)" eval 'sv logs byebye --since yesterday; [ $? = 2 ]'

bye=$(svc_pid byebye)
check "poweroff" stop_initd
check "the goodbye written while stopping is in the file after poweroff" \
	grep -q "goodbye from $bye" "$LOGDIR/byebye.log"

# Second boot, same directory: the file is appended to.
hellos=$(grep -c 'hello from' "$LOGDIR/byebye.log")
new_boot logfile2
units
start_initd
check "a second boot appends to the same file" \
	wait_until 20 eval "[ \$(grep -c 'hello from' '$LOGDIR/byebye.log') -gt $hellos ] && grep -q 'goodbye from $bye' '$LOGDIR/byebye.log'"
stop_initd

# A stopped writer: PID 1 queues, then drops and counts; status answers.
new_boot logstop
cat > "$T/conf/initd.conf" <<EOC
log = { directory = "$LOGDIR/stop"; };
EOC
unit first <<EOU
exec = [ "/bin/sh", "-c", "echo first; exec sleep 1000" ];
EOU
unit flood <<EOU
exec = [ "/bin/sh", "-c", "while [ ! -e $T/flood ]; do sleep 0.1; done; seq 1 60000 | sed 's/^/flood /'; while [ ! -e $T/go ]; do sleep 0.1; done; echo after; exec sleep 1000" ];
EOU
start_initd
check "the writer starts with the first line" wait_until 20 writer_pid
w=$(writer_pid)
kill -STOP "$w"
touch "$T/flood"
check "PID 1 took the whole flood into the ring" \
	wait_until 20 eval 'sv logs flood -n 1 | grep -q "flood 60000"'
check "svctl status answers while the writer is stopped" sv status flood
kill -CONT "$w"
check "what was queued reaches the file" \
	wait_until 20 grep -q "flood 1\$" "$LOGDIR/stop/flood.log"
touch "$T/go"
check "the next line comes after an 'N lines dropped' marker" \
	wait_until 20 eval "grep -Eq '^$STAMP \[initd: [0-9]+ lines dropped\]\$' '$LOGDIR/stop/flood.log' && grep -q 'after\$' '$LOGDIR/stop/flood.log'"
stop_initd

# A record refused mid-line: the rest of that line, when records are taken
# again, is dropped with it, so that no piece of a line lands in the file
# without its stamp. Every write of cut.sh is 4096 bytes, a line or, last,
# the head of one, so every record is the same size and, the writer
# stopped, each one after the first refused is refused too: the head is.
# The old code wrote the line's rest after the marker, unstamped.
new_boot logcut
cat > "$T/conf/initd.conf" <<EOC
log = { directory = "$LOGDIR/cut"; max_size = "64M"; };
EOC
cat > "$T/cut.sh" <<'EOS'
while [ ! -e "$1/flood" ]; do sleep 0.1; done
x=$(printf '%4095s' '' | tr ' ' x)
i=0
while [ $i -lt 400 ]; do echo "$x"; i=$((i+1)); done
printf '%4096s' '' | tr ' ' y
while [ ! -e "$1/go" ]; do sleep 0.1; done
echo rest of the cut line
echo after
exec sleep 1000
EOS
unit first <<EOU
exec = [ "/bin/sh", "-c", "echo first; exec sleep 1000" ];
EOU
unit cut <<EOU
exec = [ "/bin/sh", "$T/cut.sh", "$T" ];
EOU
start_initd
check "cut: the writer starts with the first line" wait_until 20 writer_pid
w=$(writer_pid)
kill -STOP "$w"
touch "$T/flood"
check "cut: PID 1 took the head of the cut line into the ring" \
	wait_until 20 eval 'sv logs cut -n 1 | grep -q "yyyy\$"'
kill -CONT "$w"
size_settled() {
	local a b
	a=$(stat -c %s "$LOGDIR/cut/cut.log" 2>/dev/null) || return 1
	sleep 0.5
	b=$(stat -c %s "$LOGDIR/cut/cut.log")
	[ "$a" = "$b" ] && [ "$a" -gt 0 ]
}
check "cut: what was queued reaches the file" wait_until 20 size_settled
touch "$T/go"
check "cut: the line after comes after the 'N lines dropped' marker" \
	wait_until 20 eval "grep -Eq '^$STAMP \[initd: [0-9]+ lines dropped\]\$' '$LOGDIR/cut/cut.log' && grep -Eq '^$STAMP after\$' '$LOGDIR/cut/cut.log'"
no_unstamped() { ! grep -Ev "^$STAMP " "$1" | head -n 3 | cut -c1-60 | grep .; }
check "cut: no line in the file lacks its stamp (the cut line's rest is dropped with it)" \
	no_unstamped "$LOGDIR/cut/cut.log"
stop_initd

# A link root made (LOGDIR/app -> OWNED/logs) whose target passes through a
# directory the unit's user owns: the unit, as nobody, points OWNED/logs at
# a directory only root may enter. The writer follows root's link itself
# and refuses the unit's; left to the kernel, it made the unit's log file
# there, as root.
new_boot logrelink
R=$WORK/relink
rm -rf "$R"
mkdir -p "$R/logs" "$R/owned" "$R/secret"
chmod 755 "$WORK" "$R" "$R/logs"
chmod 700 "$R/secret"
chown 65534:65534 "$R/owned"
ln -s "$R/owned/logs" "$R/logs/app"
unit relink <<EOU
exec = [ "/bin/sh", "-c", "ln -s $R/secret $R/owned/logs && echo planted; exec sleep 1000" ];
user = "nobody";
log = { file = "$R/logs/app/app.log"; };
EOU
start_initd
check "the unit (nobody) planted its link" wait_until 20 test -L "$R/owned/logs"
check "the writer refuses the path (initd's log says so)" \
	wait_until 20 grep -q "log writer: $R/logs/app/app.log: cannot open" "$T/initd.log"
check "nothing was made in the root-only directory" test ! -e "$R/secret/app.log"
stop_initd

[ "$FAILED" -eq 0 ]

#!/bin/bash
# t-nofile.sh — initd raises its own open files limit to fs.nr_open at
# boot (PID 1 holds two fds a running unit: thousands of units need more
# than the 1024 init starts with). Given a hard limit of 256 first, it
# raises it where it may (CAP_SYS_RESOURCE); where it may not, it says so
# as PID 1, with the limit it keeps, instead of failing units one by one
# later without a word about why.
. "$(dirname "$0")/lib.sh"

new_boot nofile
testd_unit alpha ""
INITD_PRE='ulimit -n 256' start_initd
check "alpha reaches running" wait_state alpha running 5
soft=$(awk '/^Max open files/ { print $4 }' "/proc/$INITD_HPID/limits")
nr_open=$(cat /proc/sys/fs/nr_open)
if [ "$soft" = "$nr_open" ]; then
	ok "initd raised its open files limit from 256 to fs.nr_open ($nr_open)"
	is "no word of a refused limit" "$(grep -c 'open files: cannot raise' "$T/initd.log")" 0
else
	is "initd kept the hard limit it was given (no CAP_SYS_RESOURCE here)" "$soft" 256
	check "initd said so as PID 1, with the limit it keeps" grep -q \
		"warning: open files: cannot raise initd's limit to fs.nr_open (Operation not permitted); it stays at 256, room for about 128 running units" \
		"$T/initd.log"
fi

stop_initd
[ "$FAILED" -eq 0 ]

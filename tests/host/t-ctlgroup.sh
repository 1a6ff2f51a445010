#!/bin/bash
# t-ctlgroup.sh — control_group in initd.conf, as the kernel sees it: the
# socket file's mode and group, what a member (uid nobody, group nogroup) may
# do, and a reload that drops the key takes the access back.
. "$(dirname "$0")/lib.sh"

as_nobody() { setpriv --reuid 65534 --regid 65534 --clear-groups -- \
	timeout 5 "$SVCTL" --socket "$T/control" "$@" >/dev/null 2>&1; }
sock() { stat -c '%a %G' "$T/control"; }

new_boot ctlgroup
echo 'control_group = "nogroup";' > "$T/conf/initd.conf"
testd_unit web "--print-every 200"
start_initd
chmod 755 "$WORK" "$T"   # let uid nobody reach the socket's directory

check "web reaches running" wait_state web running 5
is "the socket is 0660, group nogroup" "$(sock)" "660 nogroup"
as_nobody status web; is "a member may read: status exits 0" "$?" 0
as_nobody stop web; is "a member may not act: stop exits 4" "$?" 4
# metrics: a member gets the text in the reply, root in a passed fd
# (t-metrics.sh parses root's): the same families either way.
member_metrics=$(setpriv --reuid 65534 --regid 65534 --clear-groups -- \
	timeout 5 "$SVCTL" --socket "$T/control" metrics 2>&1)
is "a member may read the metrics: exit 0" "$?" 0
# (initd_boot_settled_seconds appears once every unit settled: not here)
families() { grep '^# TYPE' | grep -v ' initd_boot_settled_seconds ' | sort; }
check "... in the reply: web's state, one unit" eval \
	'printf "%s\n" "$member_metrics" | grep -qxF "initd_units 1" &&
	 printf "%s\n" "$member_metrics" | grep -qF "initd_unit_state{unit=\"web\",state=\"running\"} 1"'
is "... the families root's text has" "$(printf '%s\n' "$member_metrics" | families)" \
	"$(sv metrics | families)"
check "web still runs" state_is web running

# A member's `logs -f`, open when the reload takes the access back, ends:
# it reads no line the unit prints after it.
setpriv --reuid 65534 --regid 65534 --clear-groups -- \
	timeout 20 "$SVCTL" --socket "$T/control" logs -f web > "$T/follow.out" 2> "$T/follow.err" &
follower=$!
check "a member may follow web's log" wait_until 5 grep -q "testd .* line" "$T/follow.out"

: > "$T/conf/initd.conf"
sv reload >/dev/null; is "reload without control_group exits 0" "$?" 0
follower_gone() { ! kill -0 "$follower" 2>/dev/null; }
check "the member's logs -f ends at the reload" wait_until 5 follower_gone
wait "$follower"; frc=$?
is "... exit status 4 (permission denied)" "$frc" 4
check "... and svctl says why" \
	grep -q "a reload took the control group.s access back" "$T/follow.err"
is "the socket is back to 0600" "$(sock | cut -d' ' -f1)" 600
as_nobody status web; is "the former member is refused: exit 4" "$?" 4

# A group that cannot be found (a typo, a group not made yet): the access
# goes back to root alone, as the log says, not the former group's.
echo 'control_group = "nogroup";' > "$T/conf/initd.conf"
sv reload >/dev/null; is "reload back to nogroup exits 0" "$?" 0
is "the socket is nogroup's again" "$(sock)" "660 nogroup"
echo 'control_group = "no-such-group-here";' > "$T/conf/initd.conf"
sv reload >/dev/null; is "reload to a missing group exits 0" "$?" 0
is "the socket is root's alone: 0600" "$(sock | cut -d' ' -f1)" 600
as_nobody status web; is "nogroup's member is refused: exit 4" "$?" 4
check "the log says the socket stays root-only" \
	grep -q "control_group no-such-group-here: no such group; the control socket stays root-only" "$T/initd.log"

stop_initd
[ "$FAILED" -eq 0 ]

#!/bin/bash
# t-ctlaccess.sh — access is decided per request against the current
# configuration: a member of control_group connected before a reload that
# drops the key is refused on its next request over the same connection;
# and a non-root caller's `svctl show` masks environment values.
. "$(dirname "$0")/lib.sh"

here=$(cd "$(dirname "$0")" && pwd)
as_nobody() { setpriv --reuid 65534 --regid 65534 --clear-groups -- "$@"; }

new_boot ctlaccess
echo 'control_group = "nogroup";' > "$T/conf/initd.conf"
testd_unit web "" 'environment = { SECRET = "hunter2-value"; LANG = "C"; };'
start_initd
chmod 755 "$WORK" "$T"   # let uid nobody reach the socket's directory
check "web reaches running" wait_state web running 5

# show: root sees the values, a member only the keys.
sv show web > "$T/show.root" 2>&1
check "root's show has the secret value" grep -q 'hunter2-value' "$T/show.root"
as_nobody timeout 5 "$SVCTL" --socket "$T/control" show web > "$T/show.member" 2>&1
is "a member may run show (exit 0)" "$?" 0
check "a member's show does not have the secret value" eval '! grep -q hunter2-value "$T/show.member"'
check "a member's show has the key, value hidden" grep -q 'SECRET = "<hidden>"' "$T/show.member"
as_nobody timeout 5 "$SVCTL" --socket "$T/control" --json show web > "$T/show.json" 2>&1
check "a member's show --json does not have the secret value" eval '! grep -q hunter2-value "$T/show.json"'

# One connection held open across a reload that drops control_group.
rm -f "$T/go"
as_nobody timeout 40 python3 "$here/ctl_clients.py" hold "$T/control" "$T/go" > "$T/hold.out" 2>&1 &
holder=$!
check "the member's first request is answered" \
	wait_until 5 eval 'grep -q "^ok" "$T/hold.out"'
: > "$T/conf/initd.conf"
sv reload >/dev/null; is "reload without control_group exits 0" "$?" 0
touch "$T/go"
wait "$holder"
second=$(sed -n 2p "$T/hold.out")
check "the same connection's next request is refused ($second)" \
	eval '[ "$second" = "error 13" ] || [ "$second" = "error 1" ]'
as_nobody timeout 5 "$SVCTL" --socket "$T/control" status web >/dev/null 2>&1
is "a new connection of the former member is refused: exit 4" "$?" 4

stop_initd
[ "$FAILED" -eq 0 ]

#!/bin/bash
# t-users.sh — a unit's user named by name or by number is the same
# account: the same supplementary groups from /etc/group (its members are
# names) and USER= the passwd entry's name. The old code looked the
# number up as a member name: no groups, and USER=4242. /etc/passwd and
# /etc/group are bind mounts in initd's own mount namespace.
. "$(dirname "$0")/lib.sh"

new_boot users
mkdir -p "$T/out"
chmod 1777 "$T/out"
{ grep -E '^(root|nobody):' /etc/passwd; echo 'svc:x:4242:4242::/home/svc:/bin/sh'; } > "$T/passwd"
{ grep -E '^(root|nogroup):' /etc/group; echo 'svc:x:4242:'; echo 'extra1:x:5001:svc'
  echo 'extra2:x:5002:other,svc'; } > "$T/group"
for u in byname bynum; do
	unit $u <<EOF2
exec = [ "/bin/sh", "-c", "{ grep '^Groups:' /proc/self/status; echo USER=\$USER; } > $T/out/$u; exec sleep 1000" ];
user = "$([ $u = byname ] && echo svc || echo 4242)";
EOF2
done
INITD_PRE="mount --bind $T/passwd /etc/passwd; mount --bind $T/group /etc/group"
start_initd || exit 1

for u in byname bynum; do
	check "$u: running" wait_state $u running 5
	check "$u: wrote what it runs as" wait_until 5 test -s "$T/out/$u"
	is "$u: the groups svc is a member of, USER=svc" \
		"$(tr -s '\t\n' '  ' < "$T/out/$u" 2>/dev/null)" "Groups: 5001 5002 USER=svc "
done

stop_initd
[ "$FAILED" -eq 0 ]

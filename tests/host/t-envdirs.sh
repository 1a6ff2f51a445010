#!/bin/bash
# t-envdirs.sh — issue 15's environment_files and directories on the host
# tier. The files' variables reach the service (its /proc/PID/environ):
# later files win over earlier ones, the inline environment over both, an
# optional missing file is fine; a bad line, or a missing required file,
# fails the start with FILE:LINE in svctl status. Directories are made
# under /run, /var/lib, /var/log, /var/cache (tmpfs in the namespace, made
# by INITD_PRE) owned by the unit's user (nobody) with its mode, an
# existing one chowned too; a symlink planted at the path is not followed
# (the start fails, the target keeps its owner); the runtime one goes when
# the unit stops (the last of the units listing it), the others stay.
. "$(dirname "$0")/lib.sh"

new_boot envdirs
mkdir -p "$T/target"
cat > "$T/web.env" <<'EOF'
# a comment, then a blank line

A=from-file
  B="quoted value"
C='single quoted'
D=with # a hash
INLINE=from-file
EMPTY=
EOF
printf 'A=late\r\nE=no newline at the end' > "$T/late.env"
printf 'GOOD=1\n# fine\nnot a line\n' > "$T/bad.env"

unit env <<EOF
exec = [ "/bin/sleep", "1000" ];
environment_files = [ "$T/web.env", "-$T/absent.env", "$T/late.env" ];
environment = { INLINE = "inline"; };
EOF
unit badline <<EOF
exec = [ "/bin/sleep", "1000" ];
restart = "no";
environment_files = [ "$T/bad.env" ];
EOF
unit missing <<EOF
exec = [ "/bin/sleep", "1000" ];
restart = "no";
environment_files = [ "$T/absent.env" ];
EOF
unit dirs <<EOF
exec = [ "/bin/sleep", "1000" ];
user = "nobody";
directories = { runtime = [ "dsvc" ]; state = [ "dsvc/db" ]; logs = [ "dsvc" ];
                cache = [ "dsvc", "pre" ]; mode = "0750"; };
EOF
unit evil <<EOF
exec = [ "/bin/sleep", "1000" ];
restart = "no";
user = "nobody";
directories = { runtime = [ "evil" ]; };
EOF
unit shared <<EOF
exec = [ "/bin/sleep", "1000" ];
user = "nobody";
directories = { runtime = [ "shared" ]; };
EOF
unit nested <<EOF
exec = [ "/bin/sleep", "1000" ];
after = [ "shared" ];
directories = { runtime = [ "shared/sub/c" ]; };
EOF
# Two units listing one runtime directory (instances of a template
# would): it is removed once the last of them stops, not under the other.
for n in pair1 pair2; do
	unit $n <<EOF
exec = [ "/bin/sh", "-c", "echo \$\$ > /run/pair/$n.pid; exec sleep 1000" ];
directories = { runtime = [ "pair" ]; };
EOF
done
unit nestroot <<EOF
exec = [ "/bin/sh", "-c", "echo secret > /run/np/sub/conf; chmod 600 /run/np/sub/conf; exec sleep 1000" ];
directories = { runtime = [ "np/sub" ]; };
EOF
unit nestuser <<EOF
exec = [ "/bin/sleep", "1000" ];
user = "nobody";
after = [ "nestroot" ];
directories = { runtime = [ "np" ]; };
EOF
mkdir -p "$T/victim/c"
echo precious > "$T/victim/c/file"
INITD_PRE="for d in /run /var/lib /var/log /var/cache; do mount -t tmpfs -o mode=0755 tmpfs \$d; done
mkdir -m 0700 /var/cache/pre
ln -s $T/target /run/evil"
start_initd || exit 1

# ---- environment files ----
check "env reaches running" wait_state env running 5
pid=$(svc_pid env)
environ=$(in_ns cat "/proc/$pid/environ" 2>/dev/null | tr '\0' '\n')
var() { printf '%s\n' "$environ" | grep "^$1=" ; }
is "env: a later file wins over an earlier one" "$(var A)" "A=late"
is "env: double quotes are removed" "$(var B)" "B=quoted value"
is "env: single quotes are removed" "$(var C)" "C=single quoted"
is "env: a '#' in a value is kept" "$(var D)" "D=with # a hash"
is "env: the inline environment wins over the files" "$(var INLINE)" "INLINE=inline"
is "env: an empty value" "$(var EMPTY)" "EMPTY="
is "env: a last line without a newline, CRLF line ends" "$(var E)" "E=no newline at the end"
is "env: comments are no variables" "$(printf '%s\n' "$environ" | grep -c '^#')" 0

check "badline fails" wait_state badline failed 5
reason=$(svc_reason badline)
case $reason in
*"$T/bad.env:3: expected"*) ok "badline: the reason names FILE:LINE" ;;
*) not_ok "badline: the reason names FILE:LINE" "reason '$reason'" ;;
esac
check "missing fails" wait_state missing failed 5
reason=$(svc_reason missing)
case $reason in
*"$T/absent.env: No such file"*) ok "missing: a required file that is missing fails the start" ;;
*) not_ok "missing: a required file that is missing fails the start" "reason '$reason'" ;;
esac

# ---- directories ----
check "dirs reaches running" wait_state dirs running 5
owner() { in_ns stat -c '%U:%G %a' "$1" 2>&1; }
is "dirs: runtime /run/dsvc" "$(owner /run/dsvc)" "nobody:nogroup 750"
is "dirs: state /var/lib/dsvc/db" "$(owner /var/lib/dsvc/db)" "nobody:nogroup 750"
is "dirs: its parent /var/lib/dsvc stays root's" "$(owner /var/lib/dsvc)" "root:root 755"
is "dirs: logs /var/log/dsvc" "$(owner /var/log/dsvc)" "nobody:nogroup 750"
is "dirs: cache /var/cache/dsvc" "$(owner /var/cache/dsvc)" "nobody:nogroup 750"
is "dirs: an existing directory is chowned and chmod'ed" "$(owner /var/cache/pre)" \
	"nobody:nogroup 750"

check "evil fails" wait_state evil failed 5
reason=$(svc_reason evil)
case $reason in
*"directory /run/evil"*"symbolic links"*|*"directory /run/evil"*"Not a directory"*)
	ok "evil: a symlink at the directory's path fails the start" ;;
*) not_ok "evil: a symlink at the directory's path fails the start" "reason '$reason'" ;;
esac
is "evil: the symlink's target keeps its owner" "$(stat -c '%U %a' "$T/target")" "root 755"

show=$(sv show dirs 2>&1)
case $show in
*'runtime = [ "dsvc" ];'*'mode = "0750";'*) ok "dirs: svctl show prints its directories" ;;
*) not_ok "dirs: svctl show prints its directories" "$show" ;;
esac
case $(sv show env 2>&1) in
*"environment_files = [ \"$T/web.env\", \"-$T/absent.env\", \"$T/late.env\" ];"*)
	ok "env: svctl show prints its environment files" ;;
*) not_ok "env: svctl show prints its environment files" "$(sv show env 2>&1)" ;;
esac

in_ns sh -c 'echo data > /run/dsvc/file; mkdir -p /run/dsvc/a/b; echo x > /run/dsvc/a/b/c'
check "dirs: svctl stop" sv stop dirs
check "dirs stops" wait_state dirs stopped 5
check "dirs: its runtime directory is removed once stopped" \
	wait_until 10 eval "! in_ns test -e /run/dsvc"
check "dirs: nothing is left aside in /run" \
	wait_until 10 eval "[ -z \"\$(in_ns ls -A /run | grep initd-removing)\" ]"
check "dirs: its state directory stays" in_ns test -d /var/lib/dsvc/db
check "dirs: svctl start again" sv start dirs
check "dirs runs again" wait_state dirs running 5
is "dirs: a fresh runtime directory" "$(owner /run/dsvc) $(in_ns ls -A /run/dsvc)" \
	"nobody:nogroup 750 "

check "pair1 and pair2 wrote their pid files in their runtime directory" \
	wait_until 5 in_ns test -s /run/pair/pair1.pid -a -s /run/pair/pair2.pid
check "pair1: svctl stop" sv stop pair1
check "pair1 stops" wait_state pair1 stopped 5
# PID 1 renames a runtime directory aside as the unit becomes stopped
check "pair: the shared runtime directory stays while pair2 runs (its pid file in it)" \
	in_ns test -s /run/pair/pair2.pid
check "pair2: svctl stop" sv stop pair2
check "pair: the last of them stopped, the directory is removed" \
	wait_until 10 eval "! in_ns test -e /run/pair"

# A reload gives dirs another user: what its state directory holds that
# nobody had is daemon's now, deep too (the old code: the directory alone,
# so daemon could not change its files and nobody could still rewrite
# them); root's file stays root's, and so does one with another link.
in_ns sh -c 'd=/var/lib/dsvc/db; mkdir -p $d/sub/deep; echo x > $d/sub/deep/f; echo y > $d/top
	ln -s /etc/passwd $d/link; echo z > $d/linked; ln $d/linked /var/lib/dsvc/linked2
	chown -h -R nobody:nogroup $d/sub $d/top $d/link $d/linked; echo r > $d/rootfile'
sed -i 's/^user = "nobody";$/user = "daemon";/' "$T/conf/units/dirs.unit"
check "dirs: a reload to user daemon" sv reload
check "dirs runs as daemon" wait_until 5 eval \
	'[ "$(in_ns stat -c %U /proc/$(svc_pid dirs) 2>/dev/null)" = daemon ]'
is "dirs: its state directory is daemon's" "$(owner /var/lib/dsvc/db)" "daemon:daemon 750"
is "dirs: and what nobody had in it, deep too" \
	"$(in_ns stat -c '%n %U:%G' /var/lib/dsvc/db/sub /var/lib/dsvc/db/sub/deep \
		/var/lib/dsvc/db/sub/deep/f /var/lib/dsvc/db/top | tr '\n' ' ')" \
	"/var/lib/dsvc/db/sub daemon:daemon /var/lib/dsvc/db/sub/deep daemon:daemon /var/lib/dsvc/db/sub/deep/f daemon:daemon /var/lib/dsvc/db/top daemon:daemon "
is "dirs: a symlink is re-owned itself, its target untouched" \
	"$(in_ns stat -c '%U' /var/lib/dsvc/db/link) $(stat -c '%U' /etc/passwd)" "daemon root"
is "dirs: root's file stays root's; a file with another link stays" \
	"$(in_ns stat -c '%U' /var/lib/dsvc/db/rootfile /var/lib/dsvc/db/linked | tr '\n' ' ')" \
	"root nobody "

# A root unit's directory below a user unit's, made root's first: the user
# unit's directory is given to it, not what root had in it (a first version
# of the re-owning walk gave nobody root's conf).
check "nestroot and nestuser reach running" wait_until 5 eval \
	'state_is nestroot running && state_is nestuser running'
check "nestroot wrote its conf" wait_until 5 in_ns test -s /run/np/sub/conf
is "nested: the user unit's directory is nobody's" "$(owner /run/np)" "nobody:nogroup 755"
is "nested: the root unit's directory and file stay root's" \
	"$(in_ns stat -c '%U' /run/np/sub /run/np/sub/conf | tr '\n' ' ')" "root root "

# A runtime directory below another unit's: that unit (nobody, owner of
# /run/shared) swaps sub for a symlink out of /run. The removal at stop
# follows no symlink on the way: what the link points at stays.
check "nested and shared reach running" wait_until 5 eval 'state_is nested running && state_is shared running'
in_ns sh -c "mv /run/shared/sub /run/shared/sub.old && ln -s $T/victim /run/shared/sub"
check "nested: svctl stop" sv stop nested
check "nested stops" wait_state nested stopped 5
check "nested: the removal refuses the symlink on the way (initd's log)" \
	wait_until 5 grep -q "nested: cannot remove /run/shared/sub/c" "$T/initd.log"
check "nested: nothing is left aside in /run" \
	wait_until 10 eval "[ -z \"\$(in_ns ls -A /run | grep initd-removing)\" ]"
is "nested: the symlink's target is left alone" "$(cat "$T/victim/c/file" 2>&1)" precious

stop_initd
# An environment file is read by root before the unit's user is taken: in
# a directory a unit may change (its own), a symlink it planted is not
# followed, nor a hard link taken, to another unit's secrets; a symlink in
# a directory only root may change is (the old code followed any).
new_boot envplant
mkdir -p "$T/data" "$T/etc"
chown nobody "$T/data"
chmod 755 "$T"
printf 'DB_PASSWORD=hunter2\n' > "$T/etc/other.env"
chmod 600 "$T/etc/other.env"
ln -s "$T/etc/other.env" "$T/data/web.env"
printf 'FROM_LINK=yes\n' > "$T/etc/real.env"
ln -s "$T/etc/real.env" "$T/etc/linked.env"
unit planted <<EOF
exec = [ "/bin/sleep", "1000" ];
restart = "no";
user = "nobody";
environment_files = [ "-$T/data/web.env" ];
EOF
unit linked <<EOF
exec = [ "/bin/sleep", "1000" ];
environment_files = [ "$T/etc/linked.env" ];
EOF
start_initd || exit 1
check "planted: fails at its start" wait_state planted failed 5
check "planted: the reason says the symlink was not followed" \
	eval 'sv status planted | grep -q "environment file $T/data/web.env: a symlink in a directory not only root may change: not followed"'
check "linked: a symlink in root's own directory is followed" wait_state linked running 5
pid=$(svc_pid linked)
check "linked: its variable reached the service" \
	eval 'in_ns cat "/proc/$pid/environ" | tr "\0" "\n" | grep -qx FROM_LINK=yes'
stop_initd
rm -f "$T/data/web.env"
[ "$FAILED" -eq 0 ]

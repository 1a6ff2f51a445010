#!/bin/bash
# t-rootfs.sh — issue 15 item 6 on the host tier: a rootfs built from the
# host's files (rootfs.from_host). Dynamically linked programs of this host
# (/bin/sh, /bin/sleep: /bin is a link to /usr/bin here) run in a fresh
# tmpfs root holding only what was listed, the loader and libraries they
# need, /dev, /proc, /tmp, /etc/passwd and /etc/group: each is looked at
# through /proc/PID/root from initd's namespace. The listed files are
# read-only, the rest of a writable root is not; readonly = true makes the
# root read-only; rootfs.path gives an empty directory as the root; a
# missing listed file fails the start with stage from_host.
. "$(dirname "$0")/lib.sh"

new_boot rootfs
mkdir -p "$T/empty"
unit tiny <<EOF2
exec = [ "/bin/sh", "-c", "w() { if (: >> \"\$1\") 2>/dev/null; then echo \"\$1 writable\"; else echo \"\$1 read-only\"; fi; }; { w /bin/sh; w /etc/passwd; w /tmp/probe; w /newfile; } > /tmp/out; exec /bin/sleep 1000" ];
namespaces = [ "mount" ];
rootfs = { from_host = [ "/bin/sh", "/bin/sleep" ]; tmpfs = [ "/var/lib/tiny" ]; };
EOF2
unit sealed <<EOF2
exec = [ "/bin/sleep", "1000" ];
namespaces = [ "mount", "pid" ];
rootfs = { from_host = [ "/bin/sleep" ]; readonly = true; };
EOF2
unit inpath <<EOF2
exec = [ "/bin/sleep", "1000" ];
namespaces = [ "mount" ];
rootfs = { path = "$T/empty"; from_host = [ "/bin/sleep" ]; readonly = true; };
EOF2
unit missing <<EOF2
exec = [ "/bin/sleep", "1000" ];
restart = "no";
namespaces = [ "mount" ];
rootfs = { from_host = [ "/bin/sleep", "/nonexistent/tool" ]; };
EOF2
start_initd || exit 1

# The service's root, from initd's namespace.
root_of() { echo "/proc/$(svc_pid "$1")/root"; }
in_root() { local r; r=$(root_of "$1"); shift; in_ns "$@" "$r"; }
loader=$(readelf -l /bin/sleep 2>/dev/null | sed -n 's/.*interpreter: \(.*\)\]/\1/p')
[ -n "$loader" ] || loader=/lib64/ld-linux-x86-64.so.2

check "tiny reaches running" wait_state tiny running 5
r=$(root_of tiny)
check "tiny: wrote what it could write" wait_until 5 in_ns test -s "$r/tmp/out"
is "tiny: its root holds only bin, dev, etc, lib*, proc, tmp, var (and what it wrote)" \
	"$(in_ns ls -A "$r" | grep -v '^lib' | tr '\n' ' ')" "bin dev etc newfile proc tmp var "
check "tiny: rootfs.tmpfs /var/lib/tiny got its parents made" in_ns test -d "$r/var/lib/tiny"
check "tiny: /bin/sh and /bin/sleep are there" in_ns test -x "$r/bin/sh" -a -x "$r/bin/sleep"
check "tiny: the loader $loader is there" in_ns test -f "$r$loader"
check "tiny: libc.so.6 is there" eval "in_ns sh -c 'ls $r/lib*/*/libc.so.6 $r/lib*/libc.so.6 2>/dev/null' | grep -q libc"
check "tiny: /etc/passwd and /etc/group are bound" in_ns test -s "$r/etc/passwd" -a -s "$r/etc/group"
check "tiny: a host file not listed is absent (/bin/ls)" in_ns test ! -e "$r/bin/ls"
check "tiny: a host file not listed is absent (/etc/hostname)" in_ns test ! -e "$r/etc/hostname"
is "tiny: the listed files are read-only, /tmp and the tmpfs root are not" \
	"$(in_ns cat "$r/tmp/out" | tr '\n' ',')" \
	"/bin/sh read-only,/etc/passwd read-only,/tmp/probe writable,/newfile writable,"

check "sealed reaches running" wait_state sealed running 5
spid=$(in_ns sh -c "grep -l '^PPid:[[:space:]]*$(svc_pid sealed)\$' /proc/[0-9]*/status" | head -n 1 | cut -d/ -f3)
check "sealed: the service's / is a read-only mount" \
	eval "in_ns awk '\$5 == \"/\" && \$6 ~ /^ro/ { f = 1 } END { exit !f }' /proc/$spid/mountinfo"
check "sealed: its /proc is its own (a new PID namespace)" in_ns test -e "/proc/$spid/root/proc/1/exe"
check "sealed: /bin/sleep is bound" in_ns test -x "/proc/$spid/root/bin/sleep"
check "sealed: /bin/sh is not" in_ns test ! -e "/proc/$spid/root/bin/sh"

check "inpath reaches running" wait_state inpath running 5
check "inpath: the empty directory got bin/sleep as a mount point" test -e "$T/empty/bin/sleep"
check "inpath: sleep runs from it" in_ns test -x "$(root_of inpath)/bin/sleep"

check "svctl show tiny prints from_host" \
	eval "sv show tiny | grep -qF 'from_host = [ \"/bin/sh\", \"/bin/sleep\" ];'"
check "svctl show tiny: no path, a fresh tmpfs" eval "sv show tiny | grep -qF '# path: unset (a fresh tmpfs)'"

check "missing fails" wait_state missing failed 5
reason=$(svc_reason missing)
case $reason in
*from_host*"/nonexistent/tool"*"No such file"*) ok "missing: the reason names from_host and the file"; diag "$reason" ;;
*) not_ok "missing: the reason names from_host and the file" "reason '$reason'" ;;
esac

stop_initd
[ "$FAILED" -eq 0 ]

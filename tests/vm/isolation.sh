# isolation.sh — namespaces, rootfs, credentials, capabilities and veth
# networking (issue 5), sourced by scenarios.sh (main boot). Every check
# reads the kernel's view: /proc/PID/ns, /proc/PID/status, /proc/PID/limits,
# and nsenter into the service's namespaces; svctl only names the PIDs.
#
# Units (tests/vm/units): iso-a (root; pid mount uts ipc net cgroup; rootfs
# /srv/box read-only with /data read-only and /rw bound, /tmp tmpfs;
# NET_BIND_SERVICE + NET_RAW; veth 10.0.1.2 on br0; leaves orphans),
# iso-b (every namespace incl. user; user www; NET_BIND_SERVICE ambient;
# serves its hostname on 10.0.1.3:80), iso-c (net namespace only: lo).
# initd.conf declares br0 10.0.1.1/24 and ip_forward. The image carries
# /srv/box (a busybox root, images/mkimage.sh), /srv/data/file, /srv/rw and
# the marker /marker-isolation (tests/vm/overlay).

section "isolation"

# iso_child PID: the first child of PID (the service under its reaper).
iso_child() {
	is_pid "$1" || return 1
	for _d in /proc/[0-9]*; do
		[ "$(proc_ppid "${_d#/proc/}")" = "$1" ] && { echo "${_d#/proc/}"; return 0; }
	done
	return 1
}
# ns_diff PID: the namespaces of PID that differ from PID 1's, sorted, joined.
ns_diff() {
	_out=
	for _n in cgroup ipc mnt net pid user uts; do
		[ "$(readlink "/proc/$1/ns/$_n")" = "$(readlink "/proc/1/ns/$_n")" ] || _out="$_out$_n "
	done
	echo "${_out% }"
}
# ping1 [nsenter ARGS --] ADDR: one quiet ping.
ping1() { "$@" >/dev/null 2>&1; }
# in_root PID CMD...: run CMD in PID's mount namespace, inside its root.
in_root() { _p=$1; shift; nsenter -t "$_p" -m -r -- "$@"; }

for u in iso-a iso-b iso-c; do
	eventually 10 state_is "$u" running
	check "$u: running" state_is "$u" running
done
apid=$(main_pid iso-a)
bpid=$(main_pid iso-b)
cpid=$(main_pid iso-c)
asvc=$(iso_child "$apid")
bsvc=$(iso_child "$bpid")
diag "iso-a reaper $apid service $asvc; iso-b reaper $bpid service $bsvc; iso-c $cpid"

# ---- namespaces: exactly the declared ones differ from PID 1's --------------
check_eq "iso-a: namespaces differ from PID 1's exactly as declared" \
	"$(ns_diff "$apid")" "cgroup ipc mnt net pid uts"
check_eq "iso-a: its service shares its reaper's namespaces" "$(ns_diff "$asvc")" "$(ns_diff "$apid")"
check_eq "iso-b: every namespace (user too) differs from PID 1's" \
	"$(ns_diff "$bsvc")" "cgroup ipc mnt net pid user uts"
check_eq "iso-c: only the net namespace differs" "$(ns_diff "$cpid")" "net"
a_nspid=$(awk '$1 == "NSpid:" { print $NF }' "/proc/$apid/status")
check_eq "iso-a: the reaper is PID 1 of the service's PID namespace" "$a_nspid" 1
check_eq "iso-a: the service runs under it" "$(awk '$1 == "NSpid:" { print $NF }' "/proc/$asvc/status")" 2
# iso-a prints its own /proc/self/cgroup at start: its cgroup namespace
# starts at its leaf.
check "iso-a: cgroup namespace rooted at its leaf (it sees 0::/)" \
	sh -c 'svctl -t 10 logs --raw -n 50 iso-a | grep -qx "0::/"'

# ---- rootfs ------------------------------------------------------------------
check "iso-a: the rootfs is the busybox root (/bin/busybox there)" in_root "$asvc" test -x /bin/busybox
if in_root "$asvc" test -e /marker-isolation; then
	not_ok "iso-a: the image root's /marker-isolation is invisible"
else
	ok "iso-a: the image root's /marker-isolation is invisible"
fi
check "iso-a: no /etc/initd inside" in_root "$asvc" test ! -e /etc/initd
check_eq "iso-a: the read-only bind shows /srv/data" "$(in_root "$asvc" cat /data/file)" \
	"$(cat /srv/data/file)"
err=$(in_root "$asvc" touch /data/x 2>&1)
case $err in
*"Read-only file system"*) ok "iso-a: a write to the read-only bind fails with EROFS" ;;
*) not_ok "iso-a: a write to the read-only bind fails with EROFS" "got: $err" ;;
esac
err=$(in_root "$asvc" touch /newfile 2>&1)
case $err in
*"Read-only file system"*) ok "iso-a: the read-only root refuses writes (EROFS)" ;;
*) not_ok "iso-a: the read-only root refuses writes (EROFS)" "got: $err" ;;
esac
rm -f /srv/rw/from-a
check "iso-a: the read-write bind takes a write" in_root "$asvc" touch /rw/from-a
check "iso-a: ... which lands in /srv/rw on the host" test -e /srv/rw/from-a
mounts=$(cat "/proc/$asvc/mounts")
# mount_has PATH TYPE [OPTIONS-REGEX]: the service's mount table has it.
mount_has() {
	echo "$mounts" | awk -v p="$1" -v t="$2" -v o="${3:-}" \
		'$2 == p && $3 == t && (o == "" || $4 ~ o) { f = 1 } END { exit !f }'
}
check "iso-a: /tmp is a tmpfs" mount_has /tmp tmpfs
check "iso-a: /proc is a proc mount" mount_has /proc proc
check "iso-a: /sys is mounted read-only" mount_has /sys sysfs '^ro'
check "iso-a: / is read-only" mount_has / "$(echo "$mounts" | awk '$2 == "/" { t = $3 } END { print t }')" '^ro'
check "iso-a: /dev is a tmpfs (not the host's devtmpfs)" mount_has /dev tmpfs
devs=$(in_root "$asvc" ls /dev | tr '\n' ' ')
check_eq "iso-a: /dev holds only the minimal set" "$devs" \
	"fd full null ptmx pts random shm stderr stdin stdout tty urandom zero "
check "iso-a: /dev/null works" in_root "$asvc" sh -c 'echo x > /dev/null'
check_eq "iso-a: its /proc shows its own PID namespace (2 processes)" \
	"$(in_root "$asvc" ls /proc | grep -c '^[0-9]')" 2
check "iso-b: the user-namespace service sees the rootfs too" in_root "$bsvc" test -x /bin/busybox
check "iso-b: ... not the image root" in_root "$bsvc" test ! -e /marker-isolation

# ---- uts ----------------------------------------------------------------------
check_eq "iso-a: hostname is its own" "$(nsenter -t "$asvc" -u hostname)" iso-a
check_eq "iso-b: hostname is its own" "$(nsenter -t "$bsvc" -u hostname)" iso-b
check_eq "the host's hostname is untouched" "$(hostname)" vmtest

# ---- credentials and capabilities -------------------------------------------------
# NET_BIND_SERVICE = bit 10 (0x400), NET_RAW = bit 13 (0x2000).
for f in Uid Gid; do
	check_eq "iso-a: $f 0" "$(status_field "$asvc" "$f")" 0
done
check_eq "iso-a: CapEff = NET_BIND_SERVICE|NET_RAW" "$(status_field "$asvc" CapEff)" 0000000000002400
check_eq "iso-a: CapBnd = NET_BIND_SERVICE|NET_RAW" "$(status_field "$asvc" CapBnd)" 0000000000002400
check_eq "iso-a: CapInh 0" "$(status_field "$asvc" CapInh)" 0000000000000000
check_eq "iso-a: CapAmb 0 (root)" "$(status_field "$asvc" CapAmb)" 0000000000000000
check_eq "iso-a: NoNewPrivs 1" "$(status_field "$asvc" NoNewPrivs)" 1
# The reaper is a fresh exec (issue 11) of a sealed copy of initd-loader,
# whose mode it is (issue 19): it keeps CAP_KILL alone, to forward signals
# to a service of another uid.
if cmp -s "/proc/$apid/exe" /sbin/initd-loader; then
	ok "iso-a: the reaper runs a copy of /sbin/initd-loader"
else
	not_ok "iso-a: the reaper runs a copy of /sbin/initd-loader" "$(readlink "/proc/$apid/exe")"
fi
check_eq "iso-a: the reaper holds CAP_KILL only (CapBnd)" "$(status_field "$apid" CapBnd)" 0000000000000020
check_eq "iso-a: the reaper holds CAP_KILL only (CapEff)" "$(status_field "$apid" CapEff)" 0000000000000020
check_eq "iso-a: umask 0077" "$(status_field "$asvc" Umask)" 0077
check_eq "iso-a: oom_score_adj 300" "$(cat "/proc/$asvc/oom_score_adj")" 300
check_eq "iso-a: rlimit nofile 256 256" \
	"$(awk '/^Max open files/ { print $4, $5 }' "/proc/$asvc/limits")" "256 256"
check_eq "iso-a: rlimit core 0 0" \
	"$(awk '/^Max core file size/ { print $5, $6 }' "/proc/$asvc/limits")" "0 0"
# www is 33 in the image; root inside the user namespace is 100000 outside.
check_eq "iso-b: Uid www mapped (100033 x4)" "$(grep '^Uid:' "/proc/$bsvc/status" | tr -s '\t ' ' ')" \
	"Uid: 100033 100033 100033 100033"
check_eq "iso-b: Gid www mapped (100033 x4)" "$(grep '^Gid:' "/proc/$bsvc/status" | tr -s '\t ' ' ')" \
	"Gid: 100033 100033 100033 100033"
check_eq "iso-b: uid_map 0 100000 65536" "$(tr -s ' ' <"/proc/$bsvc/uid_map" | sed 's/^ //')" \
	"0 100000 65536"
check_eq "iso-b: CapEff = NET_BIND_SERVICE" "$(status_field "$bsvc" CapEff)" 0000000000000400
check_eq "iso-b: CapAmb = NET_BIND_SERVICE (non-root user)" "$(status_field "$bsvc" CapAmb)" 0000000000000400
check_eq "iso-b: CapBnd = NET_BIND_SERVICE" "$(status_field "$bsvc" CapBnd)" 0000000000000400
# The kernel keeps ambient within inheritable: CapInh equals CapAmb here.
check_eq "iso-b: CapInh = CapAmb (kernel rule for ambient)" "$(status_field "$bsvc" CapInh)" 0000000000000400
check_eq "iso-b: NoNewPrivs 1" "$(status_field "$bsvc" NoNewPrivs)" 1

# ---- network ---------------------------------------------------------------------
check "br0 exists with 10.0.1.1/24" sh -c 'ip -o addr show br0 | grep -q "inet 10.0.1.1/24"'
check "br0 is up" sh -c 'ip -o link show br0 | grep -q "[<,]UP[,>]"'
check_eq "ip_forward is 1" "$(cat /proc/sys/net/ipv4/ip_forward)" 1
check "iso-a: its veth host end vi$apid is in br0" sh -c "ip -o link show vi$apid | grep -q 'master br0'"
check "iso-a: eth0 has 10.0.1.2/24" sh -c "nsenter -t $apid -n ip -o addr show eth0 | grep -q 'inet 10.0.1.2/24'"
check "iso-a: default route via 10.0.1.1" sh -c "nsenter -t $apid -n ip route | grep -q '^default via 10.0.1.1 dev eth0'"
check "iso-a: lo is up" sh -c "nsenter -t $apid -n ip -o link show lo | grep -q '[<,]UP[,>]'"
check "iso-a reaches the bridge address (ping 10.0.1.1)" \
	eventually 5 ping1 nsenter -t "$apid" -n ping -c 1 -W 1 10.0.1.1
check "iso-a reaches iso-b (ping 10.0.1.3)" eventually 5 ping1 nsenter -t "$apid" -n ping -c 1 -W 1 10.0.1.3
check "the host reaches iso-a (ping 10.0.1.2)" eventually 5 ping1 ping -c 1 -W 1 10.0.1.2
got=
i=0
while [ $i -lt 10 ] && [ "$got" != iso-b ]; do
	got=$(nsenter -t "$asvc" -n nc -w 2 10.0.1.3 80 </dev/null 2>/dev/null)
	i=$((i + 1))
	[ "$got" = iso-b ] || sleep 0.3
done
check_eq "iso-a <-> iso-b TCP: iso-b (www, port 80) answers with its hostname" "$got" iso-b
links=$(nsenter -t "$cpid" -n ip -o link | awk -F': ' '{ print $2 }' | tr '\n' ' ')
check_eq "iso-c: a net namespace without network sees only lo" "$links" "lo "
check "iso-c: lo is up" sh -c "nsenter -t $cpid -n ip -o link show lo | grep -q '[<,]UP[,>]'"

# ---- the PID-namespace reaper ---------------------------------------------------
# iso-a left five orphans (sleep 0.3) at start: reparented to the reaper,
# they must be reaped, not pile up as zombies.
leaf=$CG$(cgroup_of "$apid")
no_zombie_in_leaf() {
	for p in $(cat "$leaf/cgroup.procs"); do [ "$(proc_state "$p")" = Z ] && return 1; done
	return 0
}
check "iso-a: no zombie in its leaf (orphans reaped)" eventually 5 no_zombie_in_leaf
check "iso-a: only the reaper and the service remain" eventually 5 procs_count_is "$leaf" 2
# A fresh batch of orphans, made now from inside the namespace.
nsenter -t "$asvc" -p -m -r -- sh -c 'for i in 1 2 3; do (sleep 0.2 &); done' 2>/dev/null
sleep 1
check "iso-a: fresh orphans reaped too" eventually 5 no_zombie_in_leaf

# ---- stop: everything goes, the veth too; start again ------------------------------
sv stop iso-a >/dev/null 2>&1
check "iso-a: stopped" eventually 5 state_is iso-a stopped
check "iso-a: its leaf is empty" eventually 5 unpopulated "$leaf"
check "iso-a: its veth is gone with its namespace" eventually 5 sh -c "! ip link show vi$apid >/dev/null 2>&1"
sv start iso-a >/dev/null 2>&1
napid=$(wait_new_pid iso-a "$apid" 10)
check "iso-a: runs again after start" is_pid "$napid"
check "iso-a: new veth vi$napid in br0" eventually 5 sh -c "ip -o link show vi$napid | grep -q 'master br0'"
check "iso-a: reachable again" eventually 5 ping1 ping -c 1 -W 1 10.0.1.2

# ---- a setup failure names its stage and errno; the rest runs on -------------------
cat >/etc/initd/units/iso-bad.unit <<'EOF'
exec = [ "/bin/sleep", "1000000" ];
restart = "no";
namespaces = [ "mount" ];
rootfs = { path = "/srv/missing"; };
EOF
sv reload >/dev/null 2>&1
eventually 10 state_is iso-bad failed
reason=$(unit_reason iso-bad)
case $reason in
*rootfs*"No such file or directory"*) ok "iso-bad: svctl status says 'rootfs: No such file or directory'" ;;
*) not_ok "iso-bad: svctl status says 'rootfs: No such file or directory'" "state $(unit_state iso-bad), reason '$reason'" ;;
esac
check "iso-a still running beside the failed unit" state_is iso-a running
rm -f /etc/initd/units/iso-bad.unit
sv reload >/dev/null 2>&1
eventually 10 sh -c '! svctl status iso-bad >/dev/null 2>&1'

# ---- rootfs from the image's files (issue 15): iso-dyn ------------------------
# Two dynamically linked programs in a tmpfs root built by from_host: they
# run (their loader and libc were found and bound), and the root holds only
# what was bound.
eventually 10 state_is iso-dyn running
check "iso-dyn: dynamically linked programs run in a from_host rootfs" state_is iso-dyn running
dpid=$(main_pid iso-dyn)
eventually 10 sh -c 'svctl -t 10 logs --raw -n 50 iso-dyn | grep -qx "root: end"'
dlist=$(svctl -t 10 logs --raw -n 50 iso-dyn | sed -n 's/^root: //p' | tr '\n' ' ')
check_eq "iso-dyn: its root holds only the bound files, their libraries and the minimum" "$dlist" \
	"/dev /etc /lib /lib64 /proc /tmp /usr /usr/lib/vmtest/dyn-sh /usr/lib/vmtest/dyn-sleep /etc/group /etc/passwd end "
check_eq "iso-dyn: the service is the dynamic sleep" "$(readlink "/proc/$dpid/exe")" \
	"/usr/lib/vmtest/dyn-sleep"
check "iso-dyn: libc is bound in its root" test -f "/proc/$dpid/root/lib/x86_64-linux-gnu/libc.so.6"
check "iso-dyn: the image's busybox is not" test ! -e "/proc/$dpid/root/bin/busybox"
err=$(in_root "$dpid" /usr/lib/vmtest/dyn-sh -c ': > /newfile' 2>&1)
case $err in
*"Read-only"*) ok "iso-dyn: its root is read-only" ;;
*) not_ok "iso-dyn: its root is read-only" "got '$err'" ;;
esac

# net6.sh — IPv6, static routes, point-to-point veths and macvlans (issue 18
# item 2), sourced by scenarios.sh (main boot). Every check reads the
# kernel's view inside the service's net namespace (nsenter -n): its
# /proc/net/if_inet6 and /proc/net/ipv6_route, `ip`, and pings.
#
# Units (tests/vm/units): n6-a (veth on br0: 10.0.1.20/24 and fd00:1::20/64,
# both default routes, routes to 10.9.0.0/16 and fd00:9::/48), n6-b (veth
# on br0, IPv6 only: fd00:1::21/64), n6-p2p (point-to-point veth: host end
# 10.77.0.1/30 + fd00:77::1/64, service 10.77.0.2/30 + fd00:77::2/64),
# n6-mv1/n6-mv2 (macvlans in bridge mode on mvlow0: 10.66.0.11-12/24,
# fd00:66::11-12/64; autostart = false: this driver makes their lower
# device mvlow0, a dummy, first; a macvlan never reaches its lower device's
# own address, so the two reach each other). initd.conf gives br0
# fd00:1::1/64 and loads macvlan and dummy.

section "net6"

# if6_flags PID IFNAME HEX PLEN: the flags (hex) of the IPv6 address HEX/PLEN
# (if_inet6 spelling) on IFNAME in PID's net namespace; empty when absent.
if6_flags() {
	nsenter -t "$1" -n cat /proc/net/if_inet6 |
		awk -v i="$2" -v a="$3" -v p="$4" '$1 == a && $3 == p && $6 == i { print $5 }'
}
# if6_nodad PID IFNAME HEX PLEN: the address is there, added without DAD
# (IFA_F_NODAD 0x02) and not tentative (0x40): usable at once.
if6_nodad() {
	_f=$(if6_flags "$@")
	[ -n "$_f" ] && [ $((0x$_f & 0x42)) -eq 2 ]
}
# route6 PID DEST PLEN [GATEWAY]: /proc/net/ipv6_route in PID's namespace
# has DEST/PLEN via GATEWAY (any, when not given) on eth0 (ipv6_route's hex).
route6() {
	nsenter -t "$1" -n cat /proc/net/ipv6_route |
		awk -v d="$2" -v l="$3" -v g="${4:-any}" '$1 == d && $2 == l && (g == "any" || $5 == g) &&
			$10 == "eth0" { f = 1 } END { exit !f }'
}
ping1() { "$@" >/dev/null 2>&1; }
fails() { ! "$@"; }
Z32=00000000000000000000000000000000

# a dummy of our own (the module's own dummy0 has ifindex 2, like eth0 inside
# a fresh namespace: the iflink check below could not tell them apart)
ip link add mvlow0 type dummy
ip link set mvlow0 up
# and an eth0 of the host's, as a board's NIC: before Linux 6.15 the kernel
# looked a new link's name up in the caller's namespace, so a macvlan
# created as eth0 in the service's failed, EEXIST (the old code)
host_eth0=
if [ ! -e /sys/class/net/eth0 ] && ip link add eth0 type dummy; then host_eth0=1; fi
sv start n6-mv1 >/dev/null 2>&1
sv start n6-mv2 >/dev/null 2>&1
for u in n6-a n6-b n6-p2p n6-mv1 n6-mv2; do
	eventually 10 state_is "$u" running
	check "$u: running" state_is "$u" running
done
a=$(main_pid n6-a)
b=$(main_pid n6-b)
p=$(main_pid n6-p2p)
m1=$(main_pid n6-mv1)
m2=$(main_pid n6-mv2)
diag "n6-a $a, n6-b $b, n6-p2p $p, n6-mv1 $m1, n6-mv2 $m2"

# ---- IPv6 on the bridge and on a bridged veth ------------------------------------
check "br0 has fd00:1::1/64, without DAD, not tentative" \
	if6_nodad 1 br0 fd000001000000000000000000000001 40
check "n6-a: eth0 has 10.0.1.20/24" sh -c "nsenter -t $a -n ip -o addr show eth0 | grep -q 'inet 10.0.1.20/24'"
check "n6-a: eth0 has fd00:1::20/64, without DAD, not tentative" \
	if6_nodad "$a" eth0 fd000001000000000000000000000020 40
check "n6-a: IPv6 default route via fd00:1::1" route6 "$a" "$Z32" 00 fd000001000000000000000000000001
check "n6-a: route fd00:9::/48 via fd00:1::1" \
	route6 "$a" fd000009000000000000000000000000 30 fd000001000000000000000000000001
check "n6-a: IPv4 default route via 10.0.1.1" \
	sh -c "nsenter -t $a -n ip route | grep -q '^default via 10.0.1.1 dev eth0'"
check "n6-a: route 10.9.0.0/16 via 10.0.1.1" \
	sh -c "nsenter -t $a -n ip route | grep -q '^10.9.0.0/16 via 10.0.1.1 dev eth0'"
check "n6-b: eth0 has fd00:1::21/64 without DAD" if6_nodad "$b" eth0 fd000001000000000000000000000021 40
check "n6-b: IPv6 only (no IPv4 address on eth0)" \
	sh -c "! nsenter -t $b -n ip -o addr show eth0 | grep -q 'inet '"
check "n6-b: no IPv6 default route on eth0 (no gateway6)" fails route6 "$b" "$Z32" 00
check "n6-a reaches n6-b over IPv6 (ping6 fd00:1::21)" \
	eventually 5 ping1 nsenter -t "$a" -n ping6 -c 1 -W 1 fd00:1::21
check "n6-a reaches the bridge's address6 (ping6 fd00:1::1)" \
	eventually 5 ping1 nsenter -t "$a" -n ping6 -c 1 -W 1 fd00:1::1
check "n6-b reaches n6-a over IPv6 (ping6 fd00:1::20)" \
	eventually 5 ping1 nsenter -t "$b" -n ping6 -c 1 -W 1 fd00:1::20
check "the host reaches n6-a over IPv6 (ping6 fd00:1::20)" eventually 5 ping1 ping6 -c 1 -W 1 fd00:1::20

# ---- a point-to-point veth: the host end addressed, no bridge -------------------
check "n6-p2p: host end vi$p has 10.77.0.1/30" sh -c "ip -o addr show vi$p | grep -q 'inet 10.77.0.1/30'"
check "n6-p2p: host end vi$p has fd00:77::1/64 without DAD" \
	if6_nodad 1 "vi$p" fd000077000000000000000000000001 40
check "n6-p2p: host end vi$p is up and in no bridge" \
	sh -c "ip -o link show vi$p | grep -q '[<,]UP[,>]' && ! ip -o link show vi$p | grep -q master"
check "n6-p2p: eth0 has 10.77.0.2/30" sh -c "nsenter -t $p -n ip -o addr show eth0 | grep -q 'inet 10.77.0.2/30'"
check "n6-p2p: eth0 has fd00:77::2/64 without DAD" if6_nodad "$p" eth0 fd000077000000000000000000000002 40
check "the host reaches n6-p2p (ping 10.77.0.2)" eventually 5 ping1 ping -c 1 -W 1 10.77.0.2
check "the host reaches n6-p2p over IPv6 (ping6 fd00:77::2)" eventually 5 ping1 ping6 -c 1 -W 1 fd00:77::2
check "n6-p2p reaches the host end (ping6 fd00:77::1)" \
	eventually 5 ping1 nsenter -t "$p" -n ping6 -c 1 -W 1 fd00:77::1

# ---- macvlan on mvlow0 (bridge mode) ----------------------------------------------
check "mvlow0 (the macvlans' lower device) is up" sh -c 'ip -o link show mvlow0 | grep -q "[<,]UP[,>]"'
lower=$(cat /sys/class/net/mvlow0/ifindex 2>/dev/null)
# ns_sys PID FILE: FILE (under sysfs) as PID's net namespace sees it: a
# sysfs mounted from inside shows that namespace's devices. (Interface
# indexes are per namespace, so `ip link`'s "eth0@ifN" names may collide.)
ns_sys() {
	nsenter -t "$1" -n sh -c "mkdir -p /tmp/n6sys && mount -t sysfs sysfs /tmp/n6sys &&
		cat /tmp/n6sys/$2; r=\$?; umount /tmp/n6sys; exit \$r" 2>/dev/null
}
# mv_checks NAME PID N: NAME's eth0 is a macvlan on mvlow0 with .N / ::N.
mv_checks() {
	check_eq "$1: eth0's lower device is mvlow0 (iflink = mvlow0's ifindex $lower)" \
		"$(ns_sys "$2" class/net/eth0/iflink)" "$lower"
	check "$1: eth0 has 10.66.0.$3/24" \
		sh -c "nsenter -t $2 -n ip -o addr show eth0 | grep -q 'inet 10.66.0.$3/24'"
	check "$1: eth0 has fd00:66::$3/64 without DAD" \
		if6_nodad "$2" eth0 "fd0000660000000000000000000000$3" 40
}
mv_checks n6-mv1 "$m1" 11
mv_checks n6-mv2 "$m2" 12
check_eq "no macvlan on mvlow0 is left in the host's namespace (no upper_* link)" \
	"$(ls /sys/class/net/mvlow0/ | grep -c '^upper_')" 0
check "n6-mv1 reaches n6-mv2 (ping 10.66.0.12)" \
	eventually 5 ping1 nsenter -t "$m1" -n ping -c 1 -W 1 10.66.0.12
check "n6-mv1 reaches n6-mv2 over IPv6 (ping6 fd00:66::12)" \
	eventually 5 ping1 nsenter -t "$m1" -n ping6 -c 1 -W 1 fd00:66::12
check "n6-mv2 reaches n6-mv1 over IPv6 (ping6 fd00:66::11)" \
	eventually 5 ping1 nsenter -t "$m2" -n ping6 -c 1 -W 1 fd00:66::11
check "the host's eth0 stayed the host's (a dummy, in its namespace)" \
	eval '[ -z "$host_eth0" ] || [ -e /sys/class/net/eth0 ]'
[ -n "$host_eth0" ] && ip link del eth0

# ---- a reload that changes a bridge's address (last: br0 changes) -------------
# The old address is taken off (before, br0 kept fd00:1::1 beside the new).
sed -i 's|address6 = "fd00:1::1/64"|address6 = "fd00:1::2/64"|' /etc/initd/initd.conf
check "reload: initd.conf now gives br0 fd00:1::2" grep -q 'fd00:1::2/64' /etc/initd/initd.conf
check "reload: svctl reload succeeds" sh -c 'svctl reload >/dev/null'
check "reload: br0 has fd00:1::2/64" sh -c 'ip -o -6 addr show br0 | grep -q "inet6 fd00:1::2/64"'
check "reload: br0 no longer has fd00:1::1" sh -c '! ip -o -6 addr show br0 | grep -q "fd00:1::1/"'
check "reload: br0 keeps 10.0.1.1/24" sh -c 'ip -o addr show br0 | grep -q "inet 10.0.1.1/24"'

/* net.c — bridges and veth pairs over rtnetlink with libnl-route-3. See
 * net.h. */
#include "initd/net.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/macvlan.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/route.h>

#include "common/util.h"
#include "initd/log.h"

/* libnl's NLE_* codes as errno values (what {stage, errno} carries). */
static int nl_to_errno(int nle)
{
	switch (nle < 0 ? -nle : nle) {
	case 0: return 0;
	case NLE_NOMEM: return -ENOMEM;
	case NLE_EXIST: return -EEXIST;
	case NLE_OBJ_NOTFOUND: return -ENODEV;
	case NLE_NODEV: return -ENODEV;
	case NLE_PERM: return -EPERM;
	case NLE_BUSY: return -EBUSY;
	case NLE_INVAL: return -EINVAL;
	case NLE_RANGE: return -ERANGE;
	case NLE_AGAIN: return -EAGAIN;
	case NLE_NOADDR: return -EADDRNOTAVAIL;
	case NLE_OPNOTSUPP: return -EOPNOTSUPP;
	case NLE_AF_NOSUPPORT: return -EAFNOSUPPORT;
	case NLE_SRCRT_NOSUPPORT: return -EOPNOTSUPP;
	default: return -EIO;
	}
}

static int sock_open(struct nl_sock **ret)
{
	struct nl_sock *sk = nl_socket_alloc();
	int r;

	if (!sk)
		return -ENOMEM;
	r = nl_connect(sk, NETLINK_ROUTE);
	if (r < 0) {
		nl_socket_free(sk);
		return nl_to_errno(r);
	}
	/* libnl may not ask for CLOEXEC: a service must never inherit it. */
	fcntl(nl_socket_get_fd(sk), F_SETFD, FD_CLOEXEC);
	*ret = sk;
	return 0;
}

/* Up (and, when master > 0, enslaved to master): one RTM_NEWLINK change. */
static int link_up(struct nl_sock *sk, const char *name, int master)
{
	struct rtnl_link *link = NULL, *change = NULL;
	int r;

	r = rtnl_link_get_kernel(sk, 0, name, &link);
	if (r < 0)
		return nl_to_errno(r);
	change = rtnl_link_alloc();
	if (!change) {
		rtnl_link_put(link);
		return -ENOMEM;
	}
	if (master > 0)
		rtnl_link_set_master(change, master);
	rtnl_link_set_flags(change, IFF_UP);
	r = nl_to_errno(rtnl_link_change(sk, link, change, 0));
	rtnl_link_put(change);
	rtnl_link_put(link);
	return r;
}

static int link_index(struct nl_sock *sk, const char *name)
{
	struct rtnl_link *link = NULL;
	int r = rtnl_link_get_kernel(sk, 0, name, &link), i;

	if (r < 0)
		return nl_to_errno(r);
	i = rtnl_link_get_ifindex(link);
	rtnl_link_put(link);
	return i;
}

/* "ADDRESS/N" (either family) on the interface ifindex. An IPv6 address
 * skips duplicate-address detection (IFA_F_NODAD): usable at once, never
 * "tentative" while a service binds or a test pings. An address already
 * there is fine. */
static int addr_add(struct nl_sock *sk, int ifindex, const char *prefix)
{
	struct rtnl_addr *a = rtnl_addr_alloc();
	struct nl_addr *local = NULL;
	int r;

	if (!a)
		return -ENOMEM;
	r = nl_addr_parse(prefix, AF_UNSPEC, &local);
	if (r == 0) {
		rtnl_addr_set_ifindex(a, ifindex);
		r = rtnl_addr_set_local(a, local);
	}
	if (r == 0 && nl_addr_get_family(local) == AF_INET6)
		rtnl_addr_set_flags(a, IFA_F_NODAD);
	if (r == 0)
		r = rtnl_addr_add(sk, a, 0);
	nl_addr_put(local);
	rtnl_addr_put(a);
	r = nl_to_errno(r);
	return r == -EEXIST ? 0 : r;
}

/* Each address that is set, in order; the first failure ends it. */
static int addrs_add(struct nl_sock *sk, int ifindex, const char *a, const char *b)
{
	int r = a ? addr_add(sk, ifindex, a) : 0;

	return r == 0 && b ? addr_add(sk, ifindex, b) : r;
}

/* to ("NET/N", either family) dev ifindex, via gateway when not NULL
 * (else on-link: libnl then picks the link scope). */
static int route_add(struct nl_sock *sk, int ifindex, const char *to, const char *gateway)
{
	struct rtnl_route *rt = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	struct nl_addr *dst = NULL, *gw = NULL;
	int r;

	if (!rt || !nh) {
		rtnl_route_put(rt);
		if (nh)
			rtnl_route_nh_free(nh);
		return -ENOMEM;
	}
	r = nl_addr_parse(to, AF_UNSPEC, &dst);
	if (r == 0 && gateway)
		r = nl_addr_parse(gateway, nl_addr_get_family(dst), &gw);
	if (r == 0)
		r = rtnl_route_set_dst(rt, dst);
	if (r == 0) {
		rtnl_route_nh_set_ifindex(nh, ifindex);
		if (gw)
			rtnl_route_nh_set_gateway(nh, gw);
		rtnl_route_add_nexthop(rt, nh);   /* rt owns nh now */
		nh = NULL;
		r = rtnl_route_add(sk, rt, NLM_F_CREATE);
	}
	if (nh)
		rtnl_route_nh_free(nh);   /* not NULL-safe */
	nl_addr_put(dst);
	nl_addr_put(gw);
	rtnl_route_put(rt);
	return nl_to_errno(r);
}

/* ---- boot ----------------------------------------------------------------- */

static int bridge_setup(struct nl_sock *sk, const struct unit_bridge *b)
{
	int r = nl_to_errno(rtnl_link_bridge_add(sk, b->name)), i;

	if (r < 0 && r != -EEXIST)
		return r;
	i = link_index(sk, b->name);
	if (i < 0)
		return i;
	/* up first: IPv6 addresses belong on an up link */
	r = link_up(sk, b->name, 0);
	return r < 0 ? r : addrs_add(sk, i, b->address, b->address6);
}

static int ip_forward_enable(void)
{
	int fd = open("/proc/sys/net/ipv4/ip_forward", O_WRONLY | O_CLOEXEC), r = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, "1\n", 2) != 2)
		r = -errno;
	close(fd);
	return r;
}

/* lo with two ioctls on a throwaway socket, not libnl: it is on the boot's
 * path, and libnl's link query (a cache, every attribute of the link
 * parsed) is code run once, which under TCG is mostly translation (issue
 * 19). An AF_UNIX socket: the interface ioctls are the socket layer's, so
 * no IPv4 is needed. */
void net_loopback_up(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), r = 0;

	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		r = -errno;
	else if (!(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
			r = -errno;
	}
	if (fd >= 0)
		close(fd);
	if (r < 0)
		log_error("lo: cannot bring it up: %s", strerror(-r));
	else
		log_debug("lo up");
}

void net_boot(const struct initd_conf *conf)
{
	struct nl_sock *sk = NULL;
	int r;

	if (conf->ip_forward && (r = ip_forward_enable()) < 0)
		log_error("ip_forward: %s", strerror(-r));
	if (conf->n_bridges == 0)
		return;
	r = sock_open(&sk);
	if (r < 0) {
		log_error("netlink: %s; no bridges", strerror(-r));
		return;
	}
	for (size_t i = 0; i < conf->n_bridges; i++) {
		r = bridge_setup(sk, &conf->bridges[i]);
		if (r < 0)
			log_error("bridge %s: %s", conf->bridges[i].name, strerror(-r));
		else
			log_info("bridge %s up%s%s%s%s", conf->bridges[i].name,
				 conf->bridges[i].address ? " with " : "",
				 conf->bridges[i].address ? conf->bridges[i].address : "",
				 conf->bridges[i].address6 ? " with " : "",
				 conf->bridges[i].address6 ? conf->bridges[i].address6 : "");
	}
	nl_socket_free(sk);
}

/* ---- per service -------------------------------------------------------------- */

/* A veth pair: "eth0" born in pid's namespace, the host end "vi<PID>" up,
 * in the bridge or (point-to-point) given the host addresses. */
static int veth_create(struct nl_sock *sk, pid_t pid, const struct unit_isolation *iso)
{
	char host[IFNAMSIZ];
	int r, master = 0, i;

	snprintf(host, sizeof(host), "vi%d", (int)pid);
	if (iso->veth_bridge) {
		master = link_index(sk, iso->veth_bridge);
		if (master < 0)
			return master;
	}
	r = nl_to_errno(rtnl_link_veth_add(sk, host, "eth0", pid));
	if (r == 0)
		r = link_up(sk, host, master);
	if (r < 0 || iso->veth_bridge)
		return r;
	i = link_index(sk, host);
	return i < 0 ? i : addrs_add(sk, i, iso->veth_host_address, iso->veth_host_address6);
}

static const int macvlan_modes[UNIT_MACVLAN_MODE_MAX] = {
	[UNIT_MACVLAN_BRIDGE] = MACVLAN_MODE_BRIDGE, [UNIT_MACVLAN_PRIVATE] = MACVLAN_MODE_PRIVATE,
	[UNIT_MACVLAN_VEPA] = MACVLAN_MODE_VEPA, [UNIT_MACVLAN_PASSTHRU] = MACVLAN_MODE_PASSTHRU,
};

/* A macvlan on the host's lower interface, created as "eth0" right inside
 * pid's namespace (IFLA_NET_NS_PID): no host-side name to clash with. */
static int macvlan_create(struct nl_sock *sk, pid_t pid, const struct unit_isolation *iso)
{
	struct rtnl_link *link;
	int lower = link_index(sk, iso->macvlan_interface), r;

	if (lower < 0)
		return lower;
	link = rtnl_link_macvlan_alloc();
	if (!link)
		return -ENOMEM;
	rtnl_link_set_link(link, lower);
	rtnl_link_set_name(link, "eth0");
	rtnl_link_set_ns_pid(link, pid);
	r = rtnl_link_macvlan_set_mode(link, (uint32_t)macvlan_modes[iso->macvlan_mode %
								   UNIT_MACVLAN_MODE_MAX]);
	if (r == 0)
		r = rtnl_link_add(sk, link, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_put(link);
	return nl_to_errno(r);
}

int net_link_create(pid_t pid, const struct unit_isolation *iso)
{
	enum unit_link_kind kind = unit_link_kind(iso);
	struct nl_sock *sk = NULL;
	int r;

	if (kind == UNIT_LINK_NONE)
		return 0;
	r = sock_open(&sk);
	if (r < 0)
		return r;
	r = kind == UNIT_LINK_MACVLAN ? macvlan_create(sk, pid, iso) : veth_create(sk, pid, iso);
	nl_socket_free(sk);
	return r;
}

/* eth0 up, its addresses, the default routes, then the static ones (their
 * gateways are on-link through the addresses). */
static int eth0_setup(struct nl_sock *sk, const struct unit_isolation *iso)
{
	int i = link_index(sk, "eth0"), r;

	if (i < 0)
		return i;
	r = link_up(sk, "eth0", 0);
	if (r == 0)
		r = addrs_add(sk, i, iso->veth_address, iso->veth_address6);
	if (r == 0 && iso->veth_gateway)
		r = route_add(sk, i, "0.0.0.0/0", iso->veth_gateway);
	if (r == 0 && iso->veth_gateway6)
		r = route_add(sk, i, "::/0", iso->veth_gateway6);
	for (size_t k = 0; r == 0 && k < iso->n_routes; k++)
		r = route_add(sk, i, iso->routes[k].to, iso->routes[k].via);
	return r;
}

int net_child_setup(const struct unit_isolation *iso)
{
	struct nl_sock *sk = NULL;
	int r;

	r = sock_open(&sk);
	if (r < 0)
		return r;
	r = link_up(sk, "lo", 0);
	if (r == 0 && unit_link_kind(iso) != UNIT_LINK_NONE)
		r = eth0_setup(sk, iso);
	nl_socket_free(sk);
	return r;
}

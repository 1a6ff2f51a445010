/* net.c — bridges, veth pairs and macvlans over rtnetlink (common/rtnl.h:
 * requests built by hand, not libnl). See net.h. */
#include "initd/net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/veth.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "common/rtnl.h"
#include "common/util.h"
#include "initd/child.h"
#include "initd/log.h"
#include "initd/rawsys.h"
#include "initd/spawn.h"
#include "initd/spawn_shared.h"

/* The interface's index in the caller's net namespace, or -errno. */
static int link_index(const char *name)
{
	unsigned i = if_nametoindex(name);

	return i ? (int)i : (errno ? -errno : -ENODEV);
}

/* Up (and, when master > 0, enslaved to master): one RTM_NEWLINK change. */
static int link_up(int sk, int index, int master)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = index,
				 .ifi_flags = IFF_UP, .ifi_change = IFF_UP };
	struct rtnl_msg m;

	rtnl_init(&m, RTM_NEWLINK, 0, &ifi, sizeof(ifi));
	if (master > 0)
		rtnl_put_u32(&m, IFLA_MASTER, (uint32_t)master);
	return rtnl_call(sk, &m);
}

/* A new link: name, born in pid's namespace when pid > 0, on lower when
 * lower > 0, of kind (IFLA_LINKINFO), its IFLA_INFO_DATA nest left open for
 * the caller's attributes. link_new_send closes the nests and sends.
 * flags: NLM_F_CREATE | NLM_F_EXCL for a link that must be new; without
 * NLM_F_EXCL an existing link of that name is changed instead, and the
 * IFLA_INFO_DATA nest (even empty) makes the kernel refuse one of another
 * kind (EOPNOTSUPP). */
struct link_new {
	struct rtnl_msg m;
	size_t info, data;
};

static void link_new(struct link_new *l, uint16_t flags, const char *name, pid_t pid, int lower,
		     const char *kind)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };

	rtnl_init(&l->m, RTM_NEWLINK, flags, &ifi, sizeof(ifi));
	if (name)
		rtnl_put_str(&l->m, IFLA_IFNAME, name);
	if (lower > 0)
		rtnl_put_u32(&l->m, IFLA_LINK, (uint32_t)lower);
	if (pid > 0)
		rtnl_put_u32(&l->m, IFLA_NET_NS_PID, (uint32_t)pid);
	l->info = rtnl_nest(&l->m, IFLA_LINKINFO);
	rtnl_put_str(&l->m, IFLA_INFO_KIND, kind);
	l->data = rtnl_nest(&l->m, IFLA_INFO_DATA);
}

static int link_new_send(int sk, struct link_new *l)
{
	rtnl_nest_end(&l->m, l->data);
	rtnl_nest_end(&l->m, l->info);
	return rtnl_call(sk, &l->m);
}

/* "ADDRESS/N" of either family; false when it does not parse. */
static bool prefix_parse(const char *s, struct unit_ip *ip)
{
	return unit_ip_prefix_parse(s, AF_INET, ip) == 0 || unit_ip_prefix_parse(s, AF_INET6, ip) == 0;
}

/* "ADDRESS/N" (either family) on the interface ifindex (RTM_NEWADDR), or
 * taken off it (RTM_DELADDR). An IPv6 address skips duplicate-address
 * detection (IFA_F_NODAD): usable at once, never "tentative" while a
 * service binds or a test pings. An address already there, or already
 * gone, is fine. */
static int addr_change(int sk, int ifindex, const char *prefix, uint16_t type)
{
	struct unit_ip ip;
	struct ifaddrmsg ifa = { .ifa_index = (uint32_t)ifindex };
	struct rtnl_msg m;
	size_t len;
	int r;

	if (!prefix_parse(prefix, &ip))
		return -EINVAL;
	len = ip.family == AF_INET ? 4 : 16;
	ifa.ifa_family = (uint8_t)ip.family;
	ifa.ifa_prefixlen = (uint8_t)ip.prefix;
	ifa.ifa_flags = ip.family == AF_INET6 ? IFA_F_NODAD : 0;
	/* as the kernel's own 127.0.0.1 (and as libnl did): loopback is host scope */
	ifa.ifa_scope = ip.family == AF_INET && ip.bytes[0] == 127 ? RT_SCOPE_HOST : RT_SCOPE_UNIVERSE;
	rtnl_init(&m, type, type == RTM_NEWADDR ? NLM_F_CREATE : 0, &ifa, sizeof(ifa));
	rtnl_put(&m, IFA_LOCAL, ip.bytes, len);
	rtnl_put(&m, IFA_ADDRESS, ip.bytes, len);
	r = rtnl_call(sk, &m);
	/* EADDRNOTAVAIL is "already gone" only to a delete: an add that
	 * gets it was refused (IPv6 ::/N, multicast, loopback). */
	return r == (type == RTM_NEWADDR ? -EEXIST : -EADDRNOTAVAIL) ? 0 : r;
}

static int addr_add(int sk, int ifindex, const char *prefix)
{
	return addr_change(sk, ifindex, prefix, RTM_NEWADDR);
}

/* Each address that is set, in order; the first failure ends it. */
static int addrs_add(int sk, int ifindex, const char *a, const char *b)
{
	int r = a ? addr_add(sk, ifindex, a) : 0;

	return r == 0 && b ? addr_add(sk, ifindex, b) : r;
}

/* to ("NET/N", either family) dev ifindex, via gateway when not NULL (a
 * route through a router: universe scope), else on-link (link scope). */
static int route_add(int sk, int ifindex, const char *to, const char *gateway)
{
	struct unit_ip dst;
	unsigned char gw[16];
	struct rtmsg rtm = { .rtm_table = RT_TABLE_MAIN, .rtm_protocol = RTPROT_STATIC,
			     .rtm_type = RTN_UNICAST };
	struct rtnl_msg m;
	size_t len;

	if (!prefix_parse(to, &dst))
		return -EINVAL;
	if (gateway && inet_pton(dst.family, gateway, gw) != 1)
		return -EINVAL;
	len = dst.family == AF_INET ? 4 : 16;
	rtm.rtm_family = (uint8_t)dst.family;
	rtm.rtm_dst_len = (uint8_t)dst.prefix;
	rtm.rtm_scope = gateway ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	rtnl_init(&m, RTM_NEWROUTE, NLM_F_CREATE, &rtm, sizeof(rtm));
	if (dst.prefix > 0)
		rtnl_put(&m, RTA_DST, dst.bytes, len);
	rtnl_put_u32(&m, RTA_OIF, (uint32_t)ifindex);
	if (gateway)
		rtnl_put(&m, RTA_GATEWAY, gw, len);
	return rtnl_call(sk, &m);
}

/* ---- boot ----------------------------------------------------------------- */

static int bridge_setup(int sk, const struct unit_bridge *b)
{
	struct link_new l;
	int r, i;

	/* A bridge of that name already there (a second boot's) is fine;
	 * another kind of link by that name is refused. */
	link_new(&l, NLM_F_CREATE, b->name, 0, 0, "bridge");
	r = link_new_send(sk, &l);
	if (r < 0)
		return r;
	i = link_index(b->name);
	if (i < 0)
		return i;
	/* up first: IPv6 addresses belong on an up link */
	r = link_up(sk, i, 0);
	return r < 0 ? r : addrs_add(sk, i, b->address, b->address6);
}

/* The same address and prefix, however written ("FD00:1:0::1/64"). */
static bool prefix_equal(const char *a, const char *b)
{
	struct unit_ip x, y;

	if (!a || !b || !prefix_parse(a, &x) || !prefix_parse(b, &y))
		return a == b;
	return x.family == y.family && x.prefix == y.prefix &&
	       memcmp(x.bytes, y.bytes, x.family == AF_INET ? 4 : 16) == 0;
}

/* Bridges a reload left in place, with the addresses their last text gave
 * them: a later text that declares one again takes off those it no longer
 * gives (it has no other record of them: PID 1 reads no address dump).
 * Bounded; past it the oldest record is forgotten. */
#define LEFT_BRIDGES_MAX (2 * UNIT_BRIDGES_MAX)
static struct left_bridge {
	char *name, *address, *address6;
} left[LEFT_BRIDGES_MAX];
static size_t n_left;

static void left_forget(size_t i)
{
	free(left[i].name);
	free(left[i].address);
	free(left[i].address6);
	memmove(&left[i], &left[i + 1], (n_left - i - 1) * sizeof(*left));
	n_left--;
}

static ssize_t left_find(const char *name)
{
	for (size_t i = 0; i < n_left; i++)
		if (strcmp(left[i].name, name) == 0)
			return (ssize_t)i;
	return -1;
}

static void left_remember(const struct unit_bridge *b)
{
	ssize_t i = left_find(b->name);
	struct left_bridge l = { strdup(b->name), b->address ? strdup(b->address) : NULL,
				 b->address6 ? strdup(b->address6) : NULL };

	if (i >= 0)
		left_forget((size_t)i);
	if (n_left == LEFT_BRIDGES_MAX)
		left_forget(0);
	if (!l.name || (b->address && !l.address) || (b->address6 && !l.address6)) {
		free(l.name);
		free(l.address);
		free(l.address6);
		log_warn("bridge %s: out of memory: its addresses stay if it is declared again",
			 b->name);
		return;
	}
	left[n_left++] = l;
}

/* Take off b's addresses was4 and was6 that now no longer gives it. */
static void addrs_take_off(int sk, const char *name, const char *was4, const char *was6,
			   const struct unit_bridge *now)
{
	const char *addr[2] = { was4, was6 };
	int index = link_index(name);

	for (int k = 0; index >= 0 && k < 2; k++) {
		int r;

		if (!addr[k] || prefix_equal(k ? now->address6 : now->address, addr[k]))
			continue;
		r = addr_change(sk, index, addr[k], RTM_DELADDR);
		if (r < 0)
			log_error("bridge %s: cannot remove %s: %s", name, addr[k], strerror(-r));
	}
}

static const struct unit_bridge *bridge_in(const struct initd_conf *conf, const char *name)
{
	for (size_t k = 0; conf && k < conf->n_bridges; k++)
		if (strcmp(conf->bridges[k].name, name) == 0)
			return &conf->bridges[k];
	return NULL;
}

/* A reload: an address the running text gave a bridge that the new text
 * no longer gives it is taken off (a service would still be answered at
 * the old one). A bridge no longer declared is left as it is: it may not
 * be initd's (bridge_setup takes one that was there), and the old units
 * on it are still stopping; declared again later, what it had then goes. */
static void bridges_prune(int sk, const struct initd_conf *prev, const struct initd_conf *conf)
{
	for (size_t i = 0; prev && i < prev->n_bridges; i++) {
		const struct unit_bridge *was = &prev->bridges[i], *now = bridge_in(conf, was->name);

		if (now)
			addrs_take_off(sk, was->name, was->address, was->address6, now);
		else if (link_index(was->name) >= 0) {
			log_notice("bridge %s: no longer in initd.conf; left as it is until the "
				   "next boot", was->name);
			left_remember(was);
		}
	}
	for (size_t i = 0; i < conf->n_bridges; i++) {
		const struct unit_bridge *now = &conf->bridges[i];
		ssize_t k = left_find(now->name);

		if (k < 0 || bridge_in(prev, now->name))
			continue;
		addrs_take_off(sk, now->name, left[k].address, left[k].address6, now);
		left_forget((size_t)k);
	}
}

/* initd.conf's sysctl sets net.ipv4.ip_forward itself (after net_boot). */
static bool sysctl_sets_ip_forward(const struct initd_conf *conf)
{
	/* the same switch by two names (a sysctl name has no '/': --check) */
	static const char *const names[] = { "net.ipv4.ip_forward=",
					     "net.ipv4.conf.all.forwarding=" };

	for (char **s = conf->sysctl; s && *s; s++)
		for (size_t i = 0; i < 2; i++)
			if (strncmp(*s, names[i], strlen(names[i])) == 0)
				return true;
	return false;
}

static int ip_forward_set(bool on)
{
	int fd = open("/proc/sys/net/ipv4/ip_forward", O_WRONLY | O_CLOEXEC), r = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, on ? "1\n" : "0\n", 2) != 2)
		r = -errno;
	close(fd);
	return r;
}

/* lo's system calls, -errno on failure: raw where its child runs on PID
 * 1's memory (glibc's would write PID 1's errno, rawsys.h); glibc's where
 * it is always forked. */
#if RAWSYS_AVAILABLE
#define lo_socket(domain, type) rawsys(SYS_socket, domain, type, 0)
#define lo_ioctl(fd, req, arg) rawsys(SYS_ioctl, fd, req, arg)
#define lo_close(fd) rawsys(SYS_close, fd)
#define lo_nanosleep(ts) rawsys(SYS_nanosleep, ts, NULL)
#else
static long neg_errno(long r)
{
	return r < 0 ? -errno : r;
}
#define lo_socket(domain, type) neg_errno(socket(domain, type, 0))
#define lo_ioctl(fd, req, arg) neg_errno(ioctl((int)(fd), req, arg))
#define lo_close(fd) neg_errno(close((int)(fd)))
#define lo_nanosleep(ts) neg_errno(nanosleep(ts, NULL))
#endif

/* lo with two ioctls on a throwaway socket: it is on the boot's path, where
 * code run once is mostly translation under TCG (issue 19), and the ioctls
 * are the least code. An AF_UNIX socket: the interface ioctls are the socket layer's, so
 * no IPv4 is needed. */
static int loopback_up(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	long fd = lo_socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC), r;

	if (fd < 0)
		return (int)fd;
	r = lo_ioctl(fd, SIOCGIFFLAGS, &ifr);
	if (r == 0 && !(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		r = lo_ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	lo_close(fd);
	return r < 0 ? (int)r : 0;
}

/* tests/vm/crash.sh: a slow lo (initd_fault_lo_ms= on the kernel command
 * line, so in PID 1's environment) shows that no unit starts before it is
 * up. */
static unsigned fault_lo_ms(void)
{
#ifdef INITD_FAULT_INJECTION
	const char *v = getenv("initd_fault_lo_ms");

	return v ? (unsigned)atoi(v) : 0;
#else
	return 0;
#endif
}

static void lo_sleep(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	if (ms)
		lo_nanosleep(&ts);
}

/* What lo's child is told, copied into its block. */
struct lo_call {
	int report_w;
	unsigned delay_ms;
};

#if RAWSYS_AVAILABLE
/* On PID 1's memory (spawn_shared_call): no fork, so PID 1 copies no page
 * table and takes no copy-on-write fault after it (3-7 ms of PID 1's
 * before its first spawn in a traced VM boot, issue 19). What it
 * inherited first (child.h): only the pipe stays. */
static _Noreturn void lo_child(void *arg)
{
	const struct lo_call *c = arg;
	long w = c->report_w;
	int r = child_reset_signals_shared();

	if (r == 0 && w > 0)
		r = (int)rawsys(SYS_close_range, 0, w - 1, 0);
	if (r == 0)
		r = (int)rawsys(SYS_close_range, w + 1, ~0U, 0);
	if (r == 0) {
		lo_sleep(c->delay_ms);
		r = loopback_up();
	}
	rawsys_write_exit(w, &r, sizeof(r), 0);
}
#endif

/* The same child forked, where there is no such child (a sanitizer build,
 * rawsys.h's other machines) or none could be made. */
static pid_t lo_fork(const struct lo_call *c)
{
	pid_t pid = spawn_helper_fork();
	int r;

	if (pid != 0)
		return pid < 0 ? -errno : pid;
	r = child_reset_signals();
	if (r == 0 && (close_range(0, (unsigned)c->report_w - 1, 0) < 0 ||
		       close_range((unsigned)c->report_w + 1, ~0U, 0) < 0))
		r = -errno;
	if (r == 0) {
		lo_sleep(c->delay_ms);
		r = loopback_up();
	}
	_exit(write(c->report_w, &r, sizeof(r)) == (ssize_t)sizeof(r) ? 0 : 1);
}

int net_loopback_start(void)
{
	struct lo_call c = { .delay_ms = fault_lo_ms() };
	pid_t pid = -ENOSYS;
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	c.report_w = p[1];
#if RAWSYS_AVAILABLE
	pid = spawn_shared_call(p[0], lo_child, &c, sizeof(c));
#endif
	if (pid < 0)
		pid = lo_fork(&c);
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		return pid;
	}
	return p[0];
}

void net_loopback_wait(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int r = -ETIMEDOUT, got;
	ssize_t n = -1;

	if (fd >= 0 && poll(&pfd, 1, LOOPBACK_WAIT_MS) > 0) {
		n = read(fd, &got, sizeof(got));
		/* end of file: the child died before it answered */
		r = n == (ssize_t)sizeof(got) ? got : -EPIPE;
	}
	if (fd >= 0) {
		/* a child on PID 1's memory: its block goes once it is gone */
		if (n == 0)
			spawn_shared_ended(fd);
		else
			spawn_report_done(fd);
		close(fd);
	}
	if (r < 0 && fd >= 0)
		log_warn("lo: its child: %s; bringing it up here", strerror(-r));
	/* No child, or no answer from it (it could not reset itself, died,
	 * or took 5 s): PID 1 itself, so that no unit starts without lo
	 * (a second SIOCSIFFLAGS on an lo already up does nothing). */
	if (r < 0)
		r = loopback_up();
	if (r < 0)
		log_error("lo: cannot bring it up: %s", strerror(-r));
	else
		log_debug("lo up");
}

void net_boot(const struct initd_conf *conf, const struct initd_conf *prev)
{
	int sk, r;

	/* on, or back off after a reload that took it away (unless the
	 * sysctl list sets it: no off-and-on again, which resets every
	 * interface's forwarding) */
	if ((conf->ip_forward || (prev && prev->ip_forward && !sysctl_sets_ip_forward(conf))) &&
	    (r = ip_forward_set(conf->ip_forward)) < 0)
		log_error("ip_forward: %s", strerror(-r));
	if (conf->n_bridges == 0 && (!prev || prev->n_bridges == 0))
		return;
	sk = rtnl_open();
	if (sk < 0) {
		log_error("netlink: %s; no bridges", strerror(-sk));
		return;
	}
	bridges_prune(sk, prev, conf);
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
	close(sk);
}

/* ---- per service -------------------------------------------------------------- */

int net_host_end_format(pid_t pid, uint64_t pidns_ino, char *buf, size_t size)
{
	int n;

	if (pid <= 0 || pid >= NET_HOST_END_PID_MAX || pidns_ino > UINT32_MAX)
		return -ERANGE;
	if (!pidns_ino)   /* no namespace's: it would name every initd's alike */
		return -EINVAL;
	if (pidns_ino == NET_PIDNS_INIT_INO)
		n = snprintf(buf, size, "vi%d", (int)pid);
	else
		n = snprintf(buf, size, "v%08x%06x", (unsigned)pidns_ino, (unsigned)pid);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* linux/pidfd.h from 6.11, which older headers lack. */
#ifndef PIDFD_GET_PID_NAMESPACE
#define PIDFD_GET_PID_NAMESPACE _IO(0xFF, 5)
#endif

/* The inode of initd's PID namespace: /proc/self/ns/pid's, or without
 * /proc (a boot that has not mounted it yet) the namespace a pidfd of
 * initd itself gives (Linux 6.11). 0, or -errno. */
static int pidns_ino_read(uint64_t *ret)
{
	struct stat st;
	int pidfd, ns = -1, r = 0;

	if (stat("/proc/self/ns/pid", &st) == 0 && st.st_ino) {
		*ret = st.st_ino;
		return 0;
	}
	pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	if (pidfd < 0)
		return -errno;
	ns = ioctl(pidfd, PIDFD_GET_PID_NAMESPACE, 0);
	if (ns < 0 || fstat(ns, &st) < 0)
		r = -errno;
	else if (!st.st_ino)
		r = -ENOENT;
	else
		*ret = st.st_ino;
	safe_close(ns);
	close(pidfd);
	return r;
}

/* initd's PID namespace never changes: read once it can be. A read that
 * failed is not kept (inode 0 named the host ends of every initd that
 * started without /proc alike): the next name tries again. */
static int own_pidns_ino(uint64_t *ret)
{
	static uint64_t ino;
	static bool said;
	int r;

	if (!ino && (r = pidns_ino_read(&ino)) < 0) {
		ino = 0;
		if (!said)   /* once: each veth unit's start fails the same way */
			log_error("veth: no PID namespace to name host ends by: /proc is not "
				  "mounted and the kernel has no PIDFD_GET_PID_NAMESPACE (Linux "
				  "6.11): %s", strerror(-r));
		said = true;
		return r == -ENOTTY || r == -EINVAL ? -ENOENT : r;
	}
	*ret = ino;
	return 0;
}

int net_host_end_name(pid_t pid, char *buf, size_t size)
{
	uint64_t ino = 0;
	int r = own_pidns_ino(&ino);

	return r < 0 ? r : net_host_end_format(pid, ino, buf, size);
}

/* A veth pair: "eth0" born in pid's namespace, the host end (its name:
 * net_host_end_name) up, in the bridge or (point-to-point) given the host
 * addresses. */
static int veth_create(int sk, pid_t pid, const struct unit_isolation *iso)
{
	char host[IFNAMSIZ];
	struct ifinfomsg peer = { .ifi_family = AF_UNSPEC };
	struct link_new l;
	size_t nest;
	int r, master = 0, i;

	r = net_host_end_name(pid, host, sizeof(host));
	if (r < 0)
		return r;
	if (iso->veth_bridge) {
		master = link_index(iso->veth_bridge);
		if (master < 0)
			return master;
	}
	/* VETH_INFO_PEER holds a link message of its own: header, name, netns */
	link_new(&l, NLM_F_CREATE | NLM_F_EXCL, host, 0, 0, "veth");
	nest = rtnl_nest(&l.m, VETH_INFO_PEER);
	rtnl_put_raw(&l.m, &peer, sizeof(peer));
	rtnl_put_str(&l.m, IFLA_IFNAME, "eth0");
	rtnl_put_u32(&l.m, IFLA_NET_NS_PID, (uint32_t)pid);
	rtnl_nest_end(&l.m, nest);
	r = link_new_send(sk, &l);
	i = r < 0 ? r : link_index(host);
	if (i < 0)
		return i;
	r = link_up(sk, i, master);
	if (r < 0 || iso->veth_bridge)
		return r;
	return addrs_add(sk, i, iso->veth_host_address, iso->veth_host_address6);
}

static const uint32_t macvlan_modes[UNIT_MACVLAN_MODE_MAX] = {
	[UNIT_MACVLAN_BRIDGE] = MACVLAN_MODE_BRIDGE, [UNIT_MACVLAN_PRIVATE] = MACVLAN_MODE_PRIVATE,
	[UNIT_MACVLAN_VEPA] = MACVLAN_MODE_VEPA, [UNIT_MACVLAN_PASSTHRU] = MACVLAN_MODE_PASSTHRU,
};

/* A macvlan on the host's lower interface, created right inside pid's
 * namespace (IFLA_NET_NS_PID) as MACVLAN_BORN_NAME, which the child renames
 * eth0 (eth0_setup): before Linux 6.15 the kernel looked the new link's
 * name up in the caller's namespace, where the host's own eth0 (a board's
 * NIC, often the lower device itself) made the create fail, EEXIST. */
#define MACVLAN_BORN_NAME "initd-mv"

static int macvlan_create(int sk, pid_t pid, const struct unit_isolation *iso)
{
	int lower = link_index(iso->macvlan_interface);
	struct link_new l;

	if (lower < 0)
		return lower;
	link_new(&l, NLM_F_CREATE | NLM_F_EXCL, MACVLAN_BORN_NAME, pid, lower, "macvlan");
	rtnl_put_u32(&l.m, IFLA_MACVLAN_MODE, macvlan_modes[iso->macvlan_mode % UNIT_MACVLAN_MODE_MAX]);
	return link_new_send(sk, &l);
}

int net_link_create(pid_t pid, const struct unit_isolation *iso)
{
	enum unit_link_kind kind = unit_link_kind(iso);
	int sk, r;

	if (kind == UNIT_LINK_NONE)
		return 0;
	sk = rtnl_open();
	if (sk < 0)
		return sk;
	r = kind == UNIT_LINK_MACVLAN ? macvlan_create(sk, pid, iso) : veth_create(sk, pid, iso);
	close(sk);
	return r;
}

/* A link renamed (it is down: a new one). */
static int link_rename(int sk, int index, const char *name)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = index };
	struct rtnl_msg m;

	rtnl_init(&m, RTM_NEWLINK, 0, &ifi, sizeof(ifi));
	rtnl_put_str(&m, IFLA_IFNAME, name);
	return rtnl_call(sk, &m);
}

/* eth0 (a macvlan named so first), up, its addresses, the default routes,
 * then the static ones (their gateways are on-link through the addresses). */
static int eth0_setup(int sk, const struct unit_isolation *iso)
{
	int i, r;

	if (unit_link_kind(iso) == UNIT_LINK_MACVLAN) {
		i = link_index(MACVLAN_BORN_NAME);
		r = i < 0 ? i : link_rename(sk, i, "eth0");
		if (r < 0)
			return r;
	}
	i = link_index("eth0");
	if (i < 0)
		return i;
	r = link_up(sk, i, 0);
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
	int sk = rtnl_open(), r;

	if (sk < 0)
		return sk;
	r = link_index("lo");
	r = r < 0 ? r : link_up(sk, r, 0);
	if (r == 0 && unit_link_kind(iso) != UNIT_LINK_NONE)
		r = eth0_setup(sk, iso);
	close(sk);
	return r;
}

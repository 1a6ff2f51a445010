/* test_net.c — the rtnetlink requests of common/rtnl.c and what initd/net.c
 * makes of them in a real kernel: a bridge with its addresses, a veth into
 * it whose eth0 gets addresses, a gateway and a route inside a "service"
 * namespace, a point-to-point veth, a macvlan. The kernel's state is read
 * back with `ip` inside net namespaces this test creates (root only: CI
 * runs the unit tier as root; the host's own network is never touched). */
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/rtnl.h"
#include "initd/net.h"
#include "initd/spawn.h"
#include "initd/spawn_shared.h"
#include "tests/fds.h"

/* ---- lo at boot ------------------------------------------------------------- */

static bool lo_is_up(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ioctl(fd, SIOCGIFFLAGS, &ifr), 0);
	close(fd);
	return ifr.ifr_flags & IFF_UP;
}

/* PID 1's lo child comes up in a namespace whose lo is down, and runs on
 * PID 1's memory where the build has such children: no fork, a block of
 * its own, gone once the child is. */
START_TEST(loopback_comes_up_in_a_child)
{
	int fd, fds;

	if (geteuid() != 0) {
		fprintf(stderr, "test_net: SKIPPED loopback_comes_up_in_a_child (not root)\n");
		return;
	}
	ck_assert_int_eq(unshare(CLONE_NEWNET), 0);
	ck_assert(!lo_is_up());
	fds = test_fds_open();
	ck_assert_int_ge(fds, 0);
	fd = net_loopback_start();
	ck_assert_int_ge(fd, 0);
	ck_assert_uint_eq(spawn_shared_in_flight(), (spawn_shared_available() ? 1u : 0u));
	/* the child's answer comes after its ioctl: up by then, not by
	 * net_loopback_wait's own try */
	{
		struct pollfd p = { .fd = fd, .events = POLLIN };

		ck_assert_int_eq(poll(&p, 1, 5000), 1);
	}
	ck_assert(lo_is_up());
	net_loopback_wait(fd);
	ck_assert_int_gt(waitpid(-1, NULL, 0), 0);
	spawn_reaped();
	ck_assert_uint_eq(spawn_shared_in_flight(), 0);
	ck_assert_int_eq(test_fds_open(), fds);   /* no copy of its pipe kept either */
}
END_TEST

/* ---- the encoder ------------------------------------------------------------ */

START_TEST(nests_and_alignment)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC }, peer = { .ifi_index = 7 };
	struct rtnl_msg m;
	size_t info, data, p;
	struct rtattr *a, *in;

	rtnl_init(&m, RTM_NEWLINK, NLM_F_CREATE, &ifi, sizeof(ifi));
	ck_assert_uint_eq(m.h.nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE);
	rtnl_put_str(&m, IFLA_IFNAME, "vi1");   /* 4 bytes: no padding */
	info = rtnl_nest(&m, IFLA_LINKINFO);
	rtnl_put_str(&m, IFLA_INFO_KIND, "veth");   /* 5 bytes: 3 of padding */
	data = rtnl_nest(&m, IFLA_INFO_DATA);
	p = rtnl_nest(&m, 1 /* VETH_INFO_PEER */);
	rtnl_put_raw(&m, &peer, sizeof(peer));
	rtnl_put_u32(&m, IFLA_NET_NS_PID, 42);
	rtnl_nest_end(&m, p);
	rtnl_nest_end(&m, data);
	rtnl_nest_end(&m, info);
	ck_assert_int_eq(m.overflow, 0);

	a = (struct rtattr *)(m.buf + NLMSG_LENGTH(sizeof(ifi)));
	ck_assert_uint_eq(a->rta_type, IFLA_IFNAME);
	ck_assert_str_eq(RTA_DATA(a), "vi1");
	a = (struct rtattr *)(m.buf + info);
	ck_assert_uint_eq(a->rta_type, IFLA_LINKINFO);
	ck_assert_uint_eq(info + a->rta_len, m.h.nlmsg_len);   /* the nest ends the message */
	in = RTA_DATA(a);
	ck_assert_uint_eq(in->rta_len, RTA_LENGTH(5));
	ck_assert_str_eq(RTA_DATA(in), "veth");
	in = (struct rtattr *)((char *)in + RTA_ALIGN(in->rta_len));
	ck_assert_uint_eq((size_t)((char *)in - m.buf), data);
	in = RTA_DATA(in);   /* VETH_INFO_PEER: a link header, then attributes */
	ck_assert_uint_eq(in->rta_len, RTA_LENGTH(sizeof(peer)) + RTA_LENGTH(4));
	ck_assert_int_eq(((struct ifinfomsg *)RTA_DATA(in))->ifi_index, 7);
	a = (struct rtattr *)((char *)RTA_DATA(in) + sizeof(peer));
	ck_assert_uint_eq(a->rta_type, IFLA_NET_NS_PID);
	ck_assert_uint_eq(*(uint32_t *)RTA_DATA(a), 42);
}
END_TEST

START_TEST(overflow_is_refused)
{
	char big[300];
	struct rtnl_msg m;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	rtnl_init(&m, RTM_NEWLINK, 0, NULL, 0);
	rtnl_put_str(&m, IFLA_IFALIAS, big);
	ck_assert_int_eq(m.overflow, 0);
	rtnl_put_str(&m, IFLA_IFALIAS, big);   /* 600 > RTNL_MSG_MAX */
	ck_assert_int_eq(m.overflow, 1);
	rtnl_put_u32(&m, IFLA_MTU, 1);   /* nothing more is written */
	ck_assert_int_eq(rtnl_call(-1, &m), -EMSGSIZE);
}
END_TEST

START_TEST(kernel_errors_come_back)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = 999999 };
	struct rtnl_msg m;
	int sk;

	if (geteuid() != 0) {
		fprintf(stderr, "test_net: SKIPPED kernel_errors_come_back (not root)\n");
		return;
	}
	/* Check forks each test: the namespace is this test's alone */
	ck_assert_int_eq(unshare(CLONE_NEWNET), 0);
	sk = rtnl_open();
	ck_assert_int_ge(sk, 0);
	rtnl_init(&m, RTM_NEWLINK, 0, &ifi, sizeof(ifi));   /* no such link */
	ck_assert_int_eq(rtnl_call(sk, &m), -ENODEV);
	rtnl_init(&m, RTM_NEWLINK, 0, &ifi, sizeof(ifi));   /* seq moved on: its own ack */
	ck_assert_int_eq(rtnl_call(sk, &m), -ENODEV);
	close(sk);
}
END_TEST

/* ---- net.c in a real kernel ---------------------------------------------- */

/* How many lines `ip ARGS` (in the caller's namespace) prints with want. */
static int ip_lines(const char *args, const char *want)
{
	char cmd[256], line[512];
	FILE *f;
	int found = 0;

	snprintf(cmd, sizeof(cmd), "ip %s 2>&1", args);
	f = popen(cmd, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, want))
			found++;
	pclose(f);
	return found;
}

static int ip_shows(const char *args, const char *want)
{
	int found = ip_lines(args, want);

	if (!found)
		fprintf(stderr, "ip %s: no line with \"%s\"\n", args, want);
	return found;
}

/* A "service": a child in a new net namespace, stopped until told to run
 * net_child_setup(iso) and check its eth0; exits 0 when all was seen. */
static pid_t service(const struct unit_isolation *iso, const char *const *want, int *go)
{
	int p[2], q[2];
	pid_t pid;
	char c;

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(pipe(q), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int ok = unshare(CLONE_NEWNET) == 0 && write(p[1], "n", 1) == 1 &&
			 read(q[0], &c, 1) == 1 && net_child_setup(iso) == 0;

		for (size_t i = 0; ok && want[i]; i += 2)
			ok = ip_shows(want[i], want[i + 1]);
		_exit(ok ? 0 : 1);
	}
	ck_assert_int_eq(read(p[0], &c, 1), 1);   /* its namespace exists */
	close(p[0]), close(p[1]), close(q[0]);
	*go = q[1];
	return pid;
}

/* The name initd gives pid's host end (net_host_end_name). */
static const char *host_end(pid_t pid)
{
	static char name[IFNAMSIZ];

	ck_assert_int_eq(net_host_end_name(pid, name, sizeof(name)), 0);
	return name;
}

static void run_service(pid_t pid, int go)
{
	int st;

	ck_assert_int_eq(write(go, "g", 1), 1);
	close(go);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the service's checks failed");
}

/* The test body, in a net namespace of its own (a forked child). */
static void in_own_netns(void)
{
	struct unit_bridge br = { .name = "tbr0", .address = "10.9.0.1/24",
				  .address6 = "fd00:9::1/64" };
	struct initd_conf conf = { .bridges = &br, .n_bridges = 1 };
	struct unit_route route = { .to = "10.10.0.0/16", .via = "10.9.0.254" },
			  onlink = { .to = "fd00:10::/64", .via = NULL };
	struct unit_route routes[] = { route, onlink };
	struct unit_isolation bridged = {
		.namespaces = UNIT_NS_BIT(UNIT_NS_NET), .veth_bridge = "tbr0",
		.veth_address = "10.9.0.2/24", .veth_gateway = "10.9.0.1",
		.veth_address6 = "fd00:9::2/64", .veth_gateway6 = "fd00:9::1",
		.routes = routes, .n_routes = 2,
	};
	struct unit_isolation p2p = {
		.namespaces = UNIT_NS_BIT(UNIT_NS_NET), .veth_host_address = "10.77.0.1/30",
		.veth_address = "10.77.0.2/30",
	};
	struct unit_isolation mv = {
		.namespaces = UNIT_NS_BIT(UNIT_NS_NET), .macvlan_interface = "tbr0",
		.macvlan_mode = UNIT_MACVLAN_BRIDGE, .veth_address = "10.9.0.3/24",
	};
	static const char *const want_bridged[] = {
		"-o addr show dev eth0", "inet 10.9.0.2/24",
		"-o addr show dev eth0", "inet6 fd00:9::2/64",
		"-o link show dev lo", "UP",
		"route show default", "default via 10.9.0.1 dev eth0",
		"route show 10.10.0.0/16", "10.10.0.0/16 via 10.9.0.254 dev eth0",
		"-6 route show default", "default via fd00:9::1 dev eth0",
		"-6 route show fd00:10::/64", "fd00:10::/64 dev eth0",
		NULL,
	};
	static const char *const want_p2p[] = { "-o addr show dev eth0", "inet 10.77.0.2/30", NULL };
	static const char *const want_mv[] = {
		"-d -o link show dev eth0", "macvlan mode bridge",
		"-o addr show dev eth0", "inet 10.9.0.3/24", NULL,
	};
	char args[64], want[64];
	pid_t pid;
	int go;

	ck_assert_int_eq(unshare(CLONE_NEWNET), 0);
	net_boot(&conf, NULL);
	ck_assert(ip_shows("-o addr show dev tbr0", "inet 10.9.0.1/24"));
	ck_assert(ip_shows("-o addr show dev tbr0", "inet6 fd00:9::1/64"));
	ck_assert(ip_shows("-o link show dev tbr0", ",UP"));
	net_boot(&conf, NULL);   /* a second boot's bridge exists: fine, once */
	ck_assert_int_eq(ip_lines("-o addr show dev tbr0", "inet 10.9.0.1/24"), 1);
	ck_assert(ip_shows("-o link show dev tbr0", ",UP"));
	/* a link of another kind by that name is not taken for the bridge
	 * (EOPNOTSUPP): this namespace's lo stays down, without the address */
	br = (struct unit_bridge){ .name = "lo", .address = "10.8.0.1/24" };
	net_boot(&conf, NULL);
	ck_assert_int_eq(ip_lines("-o addr show dev lo", "10.8.0.1"), 0);
	ck_assert(ip_shows("-o link show dev lo", "state DOWN"));

	pid = service(&bridged, want_bridged, &go);
	ck_assert_int_eq(net_link_create(pid, &bridged), 0);
	snprintf(args, sizeof(args), "-o link show dev %s", host_end(pid));
	ck_assert(ip_shows(args, "master tbr0"));
	ck_assert(ip_shows(args, ",UP"));
	run_service(pid, go);

	pid = service(&p2p, want_p2p, &go);
	ck_assert_int_eq(net_link_create(pid, &p2p), 0);
	snprintf(args, sizeof(args), "-o addr show dev %s", host_end(pid));
	snprintf(want, sizeof(want), "inet 10.77.0.1/30");
	ck_assert(ip_shows(args, want));
	run_service(pid, go);

	pid = service(&mv, want_mv, &go);
	ck_assert_int_eq(net_link_create(pid, &mv), 0);
	run_service(pid, go);

	/* an address the kernel refuses to add (IPv6 loopback on the host
	 * end) fails the link: EADDRNOTAVAIL is "already gone" only to a
	 * delete (the old code took it for done, the end left without it) */
	p2p.veth_host_address = NULL;
	p2p.veth_host_address6 = "::1/128";
	pid = service(&p2p, want_p2p, &go);
	ck_assert_int_eq(net_link_create(pid, &p2p), -EADDRNOTAVAIL);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(go);

	/* errors: a lower link that is not there; the kernel's own errno for a
	 * namespace whose process is gone, and no host end left behind */
	mv.macvlan_interface = "nosuch0";
	pid = service(&mv, want_mv, &go);
	ck_assert_int_eq(net_link_create(pid, &mv), -ENODEV);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(go);
	ck_assert_int_eq(net_link_create(pid, &bridged), -ESRCH);
	snprintf(args, sizeof(args), "-o link show dev %s", host_end(pid));
	ck_assert_int_eq(ip_lines(args, " mtu "), 0);   /* "does not exist" */
}

/* A reload's text against the running one: what it no longer declares is
 * undone (before, the old addresses and bridges stayed). */
/* This namespace's net.ipv4.ip_forward, as read ("1\n"). */
static const char *ip_forward(void)
{
	static char v[8];
	FILE *f = fopen("/proc/sys/net/ipv4/ip_forward", "r");

	v[0] = '\0';
	if (f) {
		if (!fgets(v, sizeof(v), f))
			v[0] = '\0';
		fclose(f);
	}
	return v;
}

static void reload_in_own_netns(void)
{
	struct unit_bridge a[] = { { .name = "tbr0", .address = "10.9.0.1/24",
				     .address6 = "fd00:9::1/64" },
				   { .name = "tbr1", .address = "10.19.0.1/24" } };
	struct unit_bridge b[] = { { .name = "tbr0", .address = "10.9.0.5/24" } };
	struct unit_bridge c[] = { { .name = "tbr0", .address = "10.9.0.5/24",
				     .address6 = "FD00:9:0::7/64" } };
	struct unit_bridge d[] = { { .name = "tbr0", .address = "10.9.0.5/24",
				     .address6 = "fd00:9::7/64" } };
	static char *listed[] = { "net.ipv4.conf.all.forwarding=1", NULL };
	struct unit_bridge e[] = { { .name = "tbr0", .address = "10.9.0.9/24" } };
	struct initd_conf was = { .bridges = a, .n_bridges = 2, .ip_forward = true },
			  now = { .bridges = b, .n_bridges = 1 },
			  upper = { .bridges = c, .n_bridges = 1 },
			  lower = { .bridges = d, .n_bridges = 1 }, none = { 0 },
			  again = { .bridges = e, .n_bridges = 1 },
			  fwd_on = { .bridges = e, .n_bridges = 1, .ip_forward = true },
			  fwd_listed = { .bridges = e, .n_bridges = 1, .sysctl = listed };
	char fwd[8] = "";
	FILE *f;

	ck_assert_int_eq(unshare(CLONE_NEWNET), 0);
	net_boot(&was, NULL);
	ck_assert(ip_shows("-o addr show dev tbr0", "inet 10.9.0.1/24"));
	ck_assert(ip_shows("-o addr show dev tbr1", "inet 10.19.0.1/24"));
	net_boot(&now, &was);
	ck_assert(ip_shows("-o addr show dev tbr0", "inet 10.9.0.5/24"));
	ck_assert_int_eq(ip_lines("-o addr show dev tbr0", "10.9.0.1/"), 0);
	ck_assert_int_eq(ip_lines("-o addr show dev tbr0", "fd00:9::1/"), 0);
	ck_assert(ip_shows("-o link show dev tbr0", ",UP"));
	/* a bridge no longer declared is left (it may not be initd's) */
	ck_assert(ip_shows("-o addr show dev tbr1", "inet 10.19.0.1/24"));
	/* ip_forward (this namespace's) back to 0 */
	f = fopen("/proc/sys/net/ipv4/ip_forward", "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(fwd, sizeof(fwd), f));
	fclose(f);
	ck_assert_str_eq(fwd, "0\n");
	net_boot(&now, &now);   /* the same text again: nothing taken away */
	ck_assert_int_eq(ip_lines("-o addr show dev tbr0", "inet 10.9.0.5/24"), 1);
	/* the same address written another way is the same: kept, not
	 * taken off and added again (which would make its lifetime forever) */
	net_boot(&upper, &now);
	ck_assert_int_eq(system("ip addr change fd00:9::7/64 dev tbr0 valid_lft 3600 "
				"preferred_lft 3600"), 0);
	net_boot(&lower, &upper);
	ck_assert_int_eq(ip_lines("-o addr show dev tbr0", "inet6 fd00:9::7/64"), 1);
	ck_assert(ip_shows("-o addr show dev tbr0", "valid_lft 3"));
	/* dropped by one text, declared again by a later one: what the bridge
	 * had when it was dropped goes, what is declared again stays */
	net_boot(&none, &lower);
	ck_assert(ip_shows("-o addr show dev tbr0", "inet 10.9.0.5/24"));
	net_boot(&again, &none);
	ck_assert(ip_shows("-o addr show dev tbr0", "inet 10.9.0.9/24"));
	ck_assert_int_eq(ip_lines("-o addr show dev tbr0", "10.9.0.5/"), 0);
	ck_assert_int_eq(ip_lines("-o addr show dev tbr0", "fd00:9::7/"), 0);
	/* ip_forward turned off while the sysctl list sets it, by either of
	 * its names: left to the list (written after net_boot), not toggled */
	net_boot(&fwd_on, &again);
	ck_assert_str_eq(ip_forward(), "1\n");
	net_boot(&fwd_listed, &fwd_on);
	ck_assert_str_eq(ip_forward(), "1\n");
}

static void in_child(void (*fn)(void))
{
	pid_t pid;
	int st;

	if (geteuid() != 0 || system("ip -V >/dev/null 2>&1") != 0) {
		/* the unit tier runs as root with iproute2 in CI (.ci/run) */
		fprintf(stderr, "test_net: SKIPPED the kernel checks (not root, or no ip)\n");
		return;
	}
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		fn();   /* a failed ck_assert exits this child non-zero */
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "net.c in a private netns failed");
}

START_TEST(bridges_on_reload)
{
	in_child(reload_in_own_netns);
}
END_TEST

/* A veth's host end: "vi<PID>" only in the initial PID namespace, where
 * the PID is no other process's; in another, two initds sharing a network
 * namespace give their services the same PIDs: the PID namespace's inode
 * names them apart, within IFNAMSIZ (before, both were "vi<PID>", and
 * the second link was refused, EEXIST: t-vethname.sh). */
START_TEST(host_end_names)
{
	char a[IFNAMSIZ], b[IFNAMSIZ];

	ck_assert_int_eq(net_host_end_format(123, NET_PIDNS_INIT_INO, a, sizeof(a)), 0);
	ck_assert_str_eq(a, "vi123");
	ck_assert_int_eq(net_host_end_format(123, 0xf0000001, a, sizeof(a)), 0);
	ck_assert_int_eq(net_host_end_format(123, 0xf0000002, b, sizeof(b)), 0);
	ck_assert_str_eq(a, "vf000000100007b");
	ck_assert_str_ne(a, b);
	ck_assert_int_eq(net_host_end_format(NET_HOST_END_PID_MAX - 1, UINT32_MAX, a, sizeof(a)), 0);
	ck_assert_str_eq(a, "vffffffff3fffff");
	ck_assert_uint_eq(strlen(a), IFNAMSIZ - 1);
	ck_assert_int_eq(net_host_end_format(NET_HOST_END_PID_MAX, 1, a, sizeof(a)), -ERANGE);
	ck_assert_int_eq(net_host_end_format(0, 1, a, sizeof(a)), -ERANGE);
	ck_assert_int_eq(net_host_end_format(1, 1, a, 15), -ENAMETOOLONG);
}
END_TEST

/* In a mount namespace of its own, without /proc: initd's first host end
 * name before /proc is mounted, then one after. The first read's failure
 * was cached as inode 0, and every later name in that initd was
 * "v00000000<PID>", the same in every initd that started so. */
#define NO_PROC_MOUNT 77   /* names_without_proc's exit: /proc not ours to (re)mount */

static void names_without_proc(void)
{
	char first[IFNAMSIZ] = "", later[IFNAMSIZ], want[IFNAMSIZ];
	struct stat st;
	int r;

	ck_assert_int_eq(unshare(CLONE_NEWNS), 0);
	ck_assert_int_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
	if (umount2("/proc", MNT_DETACH) < 0)
		_exit(NO_PROC_MOUNT);   /* a container's /proc, masked or locked */
	ck_assert_int_ne(stat("/proc/self/ns/pid", &st), 0);
	r = net_host_end_name(100, first, sizeof(first));
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		_exit(NO_PROC_MOUNT);   /* no new proc in a container's mount namespace */
	ck_assert_int_eq(stat("/proc/self/ns/pid", &st), 0);
	ck_assert_int_eq(net_host_end_format(100, st.st_ino, want, sizeof(want)), 0);
	ck_assert_int_eq(net_host_end_name(100, later, sizeof(later)), 0);
	ck_assert_str_eq(later, want);
	/* without /proc: the name from the pidfd's namespace, or none */
	if (r == 0)
		ck_assert_str_eq(first, want);
	else
		ck_assert_int_lt(r, 0);
}

START_TEST(host_end_name_never_from_inode_0)
{
	char a[IFNAMSIZ];
	pid_t pid;
	int st;

	ck_assert_int_eq(net_host_end_format(123, 0, a, sizeof(a)), -EINVAL);
	if (geteuid() != 0) {
		fprintf(stderr, "test_net: SKIPPED the name without /proc (not root)\n");
		return;
	}
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		names_without_proc();   /* a failed ck_assert exits this child non-zero */
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	if (WIFEXITED(st) && WEXITSTATUS(st) == NO_PROC_MOUNT) {
		fprintf(stderr, "test_net: SKIPPED the name without /proc (cannot unmount or mount "
			"/proc here: a container?)\n");
		return;
	}
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		      "the host end's name without /proc, then with it, failed");
}
END_TEST

START_TEST(bridge_veth_p2p_macvlan)
{
	in_child(in_own_netns);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("net");
	TCase *tc = tcase_create("net");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, nests_and_alignment);
	tcase_add_test(tc, overflow_is_refused);
	tcase_add_test(tc, kernel_errors_come_back);
	tcase_add_test(tc, loopback_comes_up_in_a_child);
	tcase_add_test(tc, host_end_names);
	tcase_add_test(tc, host_end_name_never_from_inode_0);
	tcase_add_test(tc, bridge_veth_p2p_macvlan);
	tcase_add_test(tc, bridges_on_reload);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}

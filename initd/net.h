/* net.h — host bridges and per-service veth networking over rtnetlink
 * (requests built with common/rtnl.h; doc/DESIGN.md §2 says why not libnl).
 *
 * At boot PID 1 brings up its own lo (in a child: net_loopback_start) and
 * creates the bridges initd.conf declares, brings them up, gives them
 * their addresses and sets ip_forward (net_boot). For a service
 * with network.veth the parent, between clone3 and releasing the child,
 * creates a veth pair whose peer is born as "eth0" inside the child's net
 * namespace and whose host end (net_host_end_name) joins the bridge, or (a
 * point-to-point veth) gets the host addresses, and goes up; for
 * network.macvlan it creates a macvlan on the host interface, born as
 * "eth0" inside the namespace (net_link_create). The child itself, in its
 * own namespace, brings lo up (every new net namespace) and gives eth0 its
 * addresses, default routes and static routes (net_child_setup): initd never
 * enters a service's namespace. IPv6 addresses skip DAD (IFA_F_NODAD).
 *
 * Every call is a request/ack on a local netlink socket: quick, never
 * waiting on the network. Errors are the kernel's errno (ESRCH: the
 * process whose namespace was named is gone; EOPNOTSUPP: a bridge's name
 * taken by another kind of link). Nothing needs tearing down: the veth pair goes
 * with the service's namespace.
 */
#ifndef INITD_NET_H
#define INITD_NET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "units/unit.h"

/* PID 1 at boot, before any unit: lo up (the kernel gives it 127.0.0.1/8
 * and ::1). A failure is logged, not fatal. The kernel's part (~12 ms
 * under TCG, the address and route notifiers) runs in a child made
 * early, on the other CPU while PID 1 reads the model (issue 19), on PID
 * 1's memory where the build can (spawn_shared_call), else forked: start
 * returns the read end of its report pipe (or -errno), wait reads the
 * child's errno, at most LOOPBACK_WAIT_MS, and closes fd; without a child
 * or an answer from it, PID 1 brings lo up itself there. A failure is
 * logged. The child is reaped as any orphan is. */
#define LOOPBACK_WAIT_MS 5000
int net_loopback_start(void);
void net_loopback_wait(int fd);

/* PID 1 at boot (prev NULL) and on a reload (prev: the running text):
 * bridges and ip_forward. What prev declared and conf does not is undone:
 * an address taken off its bridge, ip_forward back to 0 (a bridge no
 * longer declared is left as it is). Problems are logged, not fatal. */
void net_boot(const struct initd_conf *conf, const struct initd_conf *prev);

/* Parent: the link for pid's net namespace (unit_link_kind: a veth pair
 * into a bridge or point-to-point, or a macvlan). 0 or -errno. */
int net_link_create(pid_t pid, const struct unit_isolation *iso);

/* The name of the host end of pid's veth, in the network namespace PID 1
 * shares with whatever else runs there. A PID names it ("vi<PID>") only in
 * the initial PID namespace, where no other process has it; in another
 * (initd in a container, the host tier), two initds sharing a network
 * namespace would give their services the same PIDs and names: "v", then
 * initd's PID namespace's inode (8 hex digits) and the PID (6), 15 bytes,
 * IFNAMSIZ's most (never "vi": 'i' is no hex digit). The inode comes from
 * /proc/self/ns/pid, or without /proc from a pidfd (Linux 6.11); it is
 * kept once read, never when the read failed. 0, -ERANGE (a PID past the
 * kernel's PID_MAX_LIMIT), -ENAMETOOLONG (size too small), -EINVAL (inode
 * 0, no namespace's), -errno (the namespace cannot be read: no /proc on
 * an older kernel; the link is not made). */
#define NET_PIDNS_INIT_INO 0xEFFFFFFCU   /* the kernel's PROC_PID_INIT_INO */
#define NET_HOST_END_PID_MAX 0x400000    /* PID_MAX_LIMIT: PIDs are below it */
int net_host_end_name(pid_t pid, char *buf, size_t size);
/* The same for a PID namespace's inode (exposed for tests). */
int net_host_end_format(pid_t pid, uint64_t pidns_ino, char *buf, size_t size);

/* Child, inside its new net namespace: lo up; eth0 (addresses, gateways,
 * routes) when iso has a link. */
int net_child_setup(const struct unit_isolation *iso);

#endif

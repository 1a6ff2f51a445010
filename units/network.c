/* network.c — the model of a unit's `network` key (a veth into a bridge, a
 * point-to-point veth, or a macvlan; IPv4 and IPv6 addresses, gateways,
 * static routes) and of initd.conf's `bridges`: what an address is, the
 * macvlan mode names, freeing, equality and the invariants a decoded set
 * must meet. The keys are parsed in network_parse.c. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "units/internal.h"

bool unit_ifname_valid(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= 15 && strcspn(s, "/: \t\n") == n && strcmp(s, ".") != 0 &&
	       strcmp(s, "..") != 0;
}

int unit_ipv4_prefix_parse(const char *s, uint32_t *ret_addr_be, unsigned *ret_prefix)
{
	struct unit_ip ip;

	if (unit_ip_prefix_parse(s, AF_INET, &ip) < 0 || ip.prefix < 1)
		return -EINVAL;
	memcpy(ret_addr_be, ip.bytes, 4);
	*ret_prefix = ip.prefix;
	return 0;
}

int unit_ip_prefix_parse(const char *s, int family, struct unit_ip *ret)
{
	char buf[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	unsigned max = family == AF_INET ? 32 : 128;
	size_t n;

	if (!slash || (size_t)(slash - s) >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = '\0';
	n = strlen(slash + 1);
	*ret = (struct unit_ip){ .family = family };
	/* decimal, no sign, no leading zero: "/024" is a typo, not 24 */
	if (inet_pton(family, buf, ret->bytes) != 1 || n < 1 || n > 3 ||
	    strspn(slash + 1, "0123456789") != n || (n > 1 && slash[1] == '0'))
		return -EINVAL;
	ret->prefix = (unsigned)atoi(slash + 1);
	return ret->prefix <= max ? 0 : -EINVAL;
}

bool ipv4_valid(const char *s)
{
	struct in_addr a;

	return inet_pton(AF_INET, s, &a) == 1;
}

bool ipv6_valid(const char *s)
{
	struct in6_addr a;

	return inet_pton(AF_INET6, s, &a) == 1;
}

bool prefix_valid(const char *s)
{
	uint32_t a;
	unsigned p;

	return unit_ipv4_prefix_parse(s, &a, &p) == 0;
}

bool prefix6_valid(const char *s)
{
	struct unit_ip ip;

	return unit_ip_prefix_parse(s, AF_INET6, &ip) == 0 && ip.prefix >= 1;
}

/* A route's destination: either family, /0 allowed, host bits zero (the
 * kernel refuses an IPv4 one with host bits; say so before boot). */
bool destination_valid(const char *s)
{
	static const unsigned char zero[16];
	struct unit_ip ip, net;

	if (unit_ip_prefix_parse(s, AF_INET, &ip) < 0 && unit_ip_prefix_parse(s, AF_INET6, &ip) < 0)
		return false;
	net = ip;
	memset(net.bytes, 0, sizeof(net.bytes));
	memcpy(net.bytes, ip.bytes, ip.prefix / 8 + (ip.prefix % 8 != 0));
	if (ip.prefix % 8)
		net.bytes[ip.prefix / 8] &= (unsigned char)(0xff << (8 - ip.prefix % 8));
	return memcmp(net.bytes, ip.bytes, sizeof(ip.bytes)) == 0 &&
	       (ip.prefix > 0 || memcmp(ip.bytes, zero, sizeof(zero)) == 0);
}

bool gateway_valid(const char *s)
{
	return ipv4_valid(s) || ipv6_valid(s);
}

/* The kernel takes most of these as an interface's address and the
 * service then has none that works (0.0.0.0 is no address at all), or
 * refuses them at every start: say so at the key's line instead. */
const char *unit_ip_not_unicast(const struct unit_ip *ip)
{
	static const unsigned char zero[16], loopback6[16] = { [15] = 1 };
	const unsigned char *b = ip->bytes;

	if (ip->family == AF_INET6)
		return !memcmp(b, zero, 16) ? "the unspecified address" :
		       !memcmp(b, loopback6, 16) ? "a loopback address" :
		       b[0] == 0xff ? "a multicast address" : NULL;
	if (!memcmp(b, zero, 4))
		return "the unspecified address";
	if (!memcmp(b, "\xff\xff\xff\xff", 4))
		return "the broadcast address";
	return b[0] == 0 ? "in 0.0.0.0/8, \"this network\"" : b[0] == 127 ? "a loopback address" :
	       (b[0] & 0xf0) == 0xe0 ? "a multicast address" : NULL;
}

/* An IPv4 subnet of /30 or wider keeps its first address for the network
 * and its last for broadcast (RFC 1122); /31 and /32 have neither. */
const char *unit_ip4_subnet_edge(const unsigned char *a, unsigned prefix)
{
	uint32_t v, host;

	if (prefix > 30)
		return NULL;
	memcpy(&v, a, 4);
	host = ntohl(v) & (UINT32_MAX >> prefix);
	return host == 0 ? "network" : host == UINT32_MAX >> prefix ? "broadcast" : NULL;
}

/* ---- the unit's network key ----------------------------------------------- */

void route_clear(void *elem)
{
	struct unit_route *r = elem;

	free(r->to);
	free(r->via);
	*r = (struct unit_route){ .to = NULL };
}

void network_routes_clear(struct unit_isolation *iso)
{
	for (size_t i = 0; iso->routes && i < iso->n_routes; i++)
		route_clear(&iso->routes[i]);
	free(iso->routes);
	iso->routes = NULL;
	iso->n_routes = 0;
}

const char *const macvlan_mode_names[UNIT_MACVLAN_MODE_MAX] = {
	[UNIT_MACVLAN_BRIDGE] = "bridge", [UNIT_MACVLAN_PRIVATE] = "private",
	[UNIT_MACVLAN_VEPA] = "vepa", [UNIT_MACVLAN_PASSTHRU] = "passthru",
};

const char *unit_macvlan_mode_name(unsigned mode)
{
	return mode < UNIT_MACVLAN_MODE_MAX ? macvlan_mode_names[mode] : NULL;
}

static bool opt_valid(const char *v, bool (*valid)(const char *))
{
	return !v || valid(v);
}

static bool routes_valid(const struct unit_isolation *iso)
{
	if (iso->n_routes > UNIT_ROUTES_MAX || (iso->n_routes && !iso->routes))
		return false;
	for (size_t i = 0; i < iso->n_routes; i++)
		if (!iso->routes[i].to || !destination_valid(iso->routes[i].to) ||
		    !opt_valid(iso->routes[i].via, gateway_valid))
			return false;
	return true;
}

/* The decoder's check (PID 1 trusts no input): every field well formed,
 * one link kind, and a link only in a net namespace. */
bool network_unit_valid(const struct unit_isolation *iso)
{
	bool net = iso->namespaces & UNIT_NS_BIT(UNIT_NS_NET);
	enum unit_link_kind kind = unit_link_kind(iso);
	bool host = iso->veth_host_address || iso->veth_host_address6;

	if (kind == UNIT_LINK_NONE)
		return !iso->veth_address && !iso->veth_gateway && !iso->veth_address6 &&
		       !iso->veth_gateway6 && iso->n_routes == 0;
	if (kind == UNIT_LINK_MACVLAN && (iso->veth_bridge || host))
		return false;
	if (kind == UNIT_LINK_BRIDGE && host)
		return false;
	return net && (iso->veth_address || iso->veth_address6) &&
	       opt_valid(iso->veth_bridge, unit_ifname_valid) &&
	       opt_valid(iso->macvlan_interface, unit_ifname_valid) &&
	       iso->macvlan_mode < UNIT_MACVLAN_MODE_MAX &&
	       opt_valid(iso->veth_address, prefix_valid) && opt_valid(iso->veth_gateway, ipv4_valid) &&
	       opt_valid(iso->veth_address6, prefix6_valid) &&
	       opt_valid(iso->veth_gateway6, ipv6_valid) &&
	       opt_valid(iso->veth_host_address, prefix_valid) &&
	       opt_valid(iso->veth_host_address6, prefix6_valid) && routes_valid(iso);
}

/* Frees the network fields of iso (the caller resets the struct). */
void network_unit_clear(struct unit_isolation *iso)
{
	free(iso->veth_bridge);
	free(iso->veth_address);
	free(iso->veth_gateway);
	free(iso->veth_address6);
	free(iso->veth_gateway6);
	free(iso->veth_host_address);
	free(iso->veth_host_address6);
	free(iso->macvlan_interface);
	network_routes_clear(iso);
}

bool network_unit_equal(const struct unit_isolation *a, const struct unit_isolation *b)
{
	if (!streq_ptr(a->veth_bridge, b->veth_bridge) || !streq_ptr(a->veth_address, b->veth_address) ||
	    !streq_ptr(a->veth_gateway, b->veth_gateway) ||
	    !streq_ptr(a->veth_address6, b->veth_address6) ||
	    !streq_ptr(a->veth_gateway6, b->veth_gateway6) ||
	    !streq_ptr(a->veth_host_address, b->veth_host_address) ||
	    !streq_ptr(a->veth_host_address6, b->veth_host_address6) ||
	    !streq_ptr(a->macvlan_interface, b->macvlan_interface) ||
	    a->macvlan_mode != b->macvlan_mode || a->n_routes != b->n_routes)
		return false;
	for (size_t i = 0; i < a->n_routes; i++)
		if (!streq_ptr(a->routes[i].to, b->routes[i].to) ||
		    !streq_ptr(a->routes[i].via, b->routes[i].via))
			return false;
	return true;
}

/* ---- initd.conf: bridges ---------------------------------------------------- */

void bridge_clear(void *elem)
{
	struct unit_bridge *b = elem;

	free(b->name);
	free(b->address);
	free(b->address6);
	*b = (struct unit_bridge){ .name = NULL };
}

/* Frees the bridges only (ip_forward is left alone). */
void network_conf_clear(struct initd_conf *conf)
{
	for (size_t i = 0; conf->bridges && i < conf->n_bridges; i++)
		bridge_clear(&conf->bridges[i]);
	free(conf->bridges);
	conf->bridges = NULL;
	conf->n_bridges = 0;
}

bool network_conf_valid(const struct initd_conf *conf)
{
	if (conf->n_bridges > UNIT_BRIDGES_MAX || (conf->n_bridges && !conf->bridges))
		return false;
	for (size_t i = 0; i < conf->n_bridges; i++) {
		const struct unit_bridge *b = &conf->bridges[i];
		if (!b->name || !unit_ifname_valid(b->name) || (b->address && !prefix_valid(b->address)) ||
		    !opt_valid(b->address6, prefix6_valid))
			return false;
		for (size_t j = 0; j < i; j++)
			if (strcmp(conf->bridges[j].name, b->name) == 0)
				return false;
	}
	return true;
}

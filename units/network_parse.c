/* network_parse.c — a unit's `network` key (a veth into a bridge, a
 * point-to-point veth, or a macvlan; IPv4 and IPv6 addresses, gateways,
 * static routes), initd.conf's `bridges` and `ip_forward` parsed, and the
 * check across the two: a veth's bridge must be declared. What an address
 * is, the model's equality and invariants are network.c's. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "units/internal.h"

#define FAIL(c, s, ...) ({ int _r = diag_add((c), setting_line(s), __VA_ARGS__); \
			   _r < 0 ? _r : -EINVAL; })

/* Do a and b agree in their first prefix bits? (16-byte buffers) */
static bool ip_same_prefix(const unsigned char *a, const unsigned char *b, unsigned prefix)
{
	unsigned full = prefix / 8, rest = prefix % 8;
	unsigned char mask = (unsigned char)(0xff << (8 - rest));

	return memcmp(a, b, full) == 0 && (rest == 0 || ((a[full] ^ b[full]) & mask) == 0);
}

static const struct string_rule prefix_rule = {
	.valid = prefix_valid, .what = "address", .hint = " (expected \"A.B.C.D/PREFIX\")",
};

static const struct string_rule prefix6_rule = {
	.valid = prefix6_valid, .what = "address",
	.hint = " (expected \"IPV6/PREFIX\", prefix 1..128)",
};

static const struct string_rule ipv4_rule = {
	.valid = ipv4_valid, .what = "address", .hint = " (expected \"A.B.C.D\")",
};

static const struct string_rule ipv6_rule = {
	.valid = ipv6_valid, .what = "address", .hint = " (expected an IPv6 address)",
};

static const struct string_rule destination_rule = {
	.valid = destination_valid, .what = "destination",
	.hint = " (expected \"NETWORK/PREFIX\" with the host bits zero)",
};

static const struct string_rule via_rule = {
	.valid = gateway_valid, .what = "gateway", .hint = " (expected an IPv4 or IPv6 address)",
};

static const struct string_rule ifname_rule = {
	.valid = unit_ifname_valid, .what = "interface name",
	.hint = " (1 to 15 bytes, no '/', ':' or blanks)",
};

/* An address a link can hold: the rule's syntax, then unicast (and, for
 * IPv4, neither its subnet's network nor broadcast address). */
static int address_parse(struct parse_ctx *c, config_setting_t *s, const char *path,
			 const struct string_rule *rule, char **ret)
{
	const char *v = config_setting_get_string(s), *why;
	int family = rule == &prefix_rule ? AF_INET : AF_INET6;
	struct unit_ip ip;
	int r;

	r = setting_strdup_valid(c, s, path, rule, ret);
	if (r < 0 || unit_ip_prefix_parse(v, family, &ip) < 0)
		return r;
	why = unit_ip_not_unicast(&ip);
	if (why)
		return FAIL(c, s, "'%s': %s is %s (an interface needs a unicast address)", path, v,
			    why);
	why = family == AF_INET ? unit_ip4_subnet_edge(ip.bytes, ip.prefix) : NULL;
	if (why)
		return FAIL(c, s, "'%s': %s is the %s address of its subnet (an interface needs a "
			    "unicast address)", path, v, why);
	return 0;
}

/* A gateway (or a route's via) that is unicast; which subnet it is on is
 * link_check's. */
static int unicast_gateway(struct parse_ctx *c, config_setting_t *s, const char *path)
{
	const char *v = config_setting_get_string(s), *why;
	struct unit_ip ip;

	ip.family = ipv4_valid(v) ? AF_INET : AF_INET6;
	if (inet_pton(ip.family, v, ip.bytes) != 1)
		return 0;
	why = unit_ip_not_unicast(&ip);
	if (why)
		return FAIL(c, s, "'%s': %s is %s (a gateway needs a unicast address)", path, v, why);
	return 0;
}

struct veth_state {
	struct unit *unit;
	struct unit_lines *lines;
};

static int parse_veth_bridge(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct veth_state *v = obj;

	v->lines->iso.bridge = setting_line(s);
	return setting_strdup_valid(c, s, path, &ifname_rule,
				    &unit_opt_own(v->unit)->iso.veth_bridge);
}

static int parse_veth_address(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct veth_state *v = obj;

	return address_parse(c, s, path, &prefix_rule, &unit_opt_own(v->unit)->iso.veth_address);
}

static int parse_veth_address6(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct veth_state *v = obj;

	return address_parse(c, s, path, &prefix6_rule, &unit_opt_own(v->unit)->iso.veth_address6);
}

static int parse_host_address(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct veth_state *v = obj;

	return address_parse(c, s, path, &prefix_rule, &unit_opt_own(v->unit)->iso.veth_host_address);
}

static int parse_host_address6(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct veth_state *v = obj;

	return address_parse(c, s, path, &prefix6_rule, &unit_opt_own(v->unit)->iso.veth_host_address6);
}

/* A gateway of the other family is a likely slip: name the right key. */
static int gateway_parse(struct parse_ctx *c, config_setting_t *s, const char *path, int family,
			 char **ret)
{
	const char *g = config_setting_get_string(s);

	if (g && family == AF_INET && ipv6_valid(g))
		return FAIL(c, s, "'%s' %s is an IPv6 address: use 'gateway6'", path, g);
	if (g && family == AF_INET6 && ipv4_valid(g))
		return FAIL(c, s, "'%s' %s is an IPv4 address: use 'gateway'", path, g);
	return setting_strdup_valid(c, s, path, family == AF_INET ? &ipv4_rule : &ipv6_rule, ret) ?:
	       unicast_gateway(c, s, path);
}

static int parse_veth_gateway(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct veth_state *v = obj;

	return gateway_parse(c, s, path, AF_INET, &unit_opt_own(v->unit)->iso.veth_gateway);
}

static int parse_veth_gateway6(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct veth_state *v = obj;

	return gateway_parse(c, s, path, AF_INET6, &unit_opt_own(v->unit)->iso.veth_gateway6);
}

static int parse_route_to(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	return setting_strdup_valid(c, s, path, &destination_rule, &((struct unit_route *)obj)->to);
}

static int parse_route_via(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	return setting_strdup_valid(c, s, path, &via_rule, &((struct unit_route *)obj)->via) ?:
	       unicast_gateway(c, s, path);
}

static const struct key route_keys[] = {
	{ "to", parse_route_to },
	{ "via", parse_route_via },
};

/* One element of routes; the family and on-link checks need the link's
 * addresses, so link_check makes them. */
static int parse_route(struct parse_ctx *c, config_setting_t *s, const char *path, void *elems,
		       size_t k)
{
	struct unit_route *v = elems;
	int r = setting_group(c, s, path, route_keys, ARRAY_SIZE(route_keys), &v[k]);

	if (r == 0 && !c->failed && config_setting_is_group(s) && !v[k].to)
		r = FAIL(c, s, "'%s' needs 'to'", path);
	return r;
}

static int parse_routes(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	static const struct group_list list = {
		UNIT_ROUTES_MAX, sizeof(struct unit_route),
		" ( { to = \"10.9.0.0/16\"; via = \"10.88.0.1\"; } )", parse_route, route_clear,
	};
	struct unit_isolation *iso = &unit_opt_own(((struct veth_state *)obj)->unit)->iso;
	void *v;
	size_t n;
	int r = setting_group_list(c, s, path, &list, &v, &n);

	if (r < 0)
		return r;
	network_routes_clear(iso);
	iso->routes = v;
	iso->n_routes = n;
	return 0;
}

static int parse_macvlan_interface(struct parse_ctx *c, config_setting_t *s, const char *path,
				   void *obj)
{
	struct veth_state *v = obj;

	return setting_strdup_valid(c, s, path, &ifname_rule,
				    &unit_opt_own(v->unit)->iso.macvlan_interface);
}

static int parse_macvlan_mode(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct veth_state *v = obj;
	int mode, r;

	r = setting_enum(c, s, path, macvlan_mode_names, UNIT_MACVLAN_MODE_MAX, &mode);
	if (r == 0)
		unit_opt_own(v->unit)->iso.macvlan_mode = (uint32_t)mode;
	return r;
}

/* The service end's keys, the same for every link kind. */
#define LINK_KEYS \
	{ "address", parse_veth_address }, \
	{ "gateway", parse_veth_gateway }, \
	{ "address6", parse_veth_address6 }, \
	{ "gateway6", parse_veth_gateway6 }, \
	{ "routes", parse_routes }

static const struct key veth_keys[] = {
	{ "bridge", parse_veth_bridge },
	{ "host_address", parse_host_address },
	{ "host_address6", parse_host_address6 },
	LINK_KEYS,
};

static const struct key macvlan_keys[] = {
	{ "interface", parse_macvlan_interface },
	{ "mode", parse_macvlan_mode },
	LINK_KEYS,
};

/* A gateway (what = "gateway", "routes[2].via") on the link's address a
 * (its key akey) is another host there: not a itself, which the kernel
 * refuses at every start (EINVAL), nor an IPv4 subnet's network or
 * broadcast address. */
static int gateway_other_host(struct parse_ctx *c, config_setting_t *s, const char *path,
			      const char *what, const char *gateway, const struct unit_ip *a,
			      const unsigned char *g, const char *akey, const char *address)
{
	const char *edge;

	if (!memcmp(a->bytes, g, a->family == AF_INET ? 4 : 16))
		return FAIL(c, s, "'%s.%s' %s is the service's own '%s' (a gateway is another host "
			    "on the link)", path, what, gateway, akey);
	edge = a->family == AF_INET && ip_same_prefix(a->bytes, g, a->prefix) ?
		       unit_ip4_subnet_edge(g, a->prefix) : NULL;
	if (edge)
		return FAIL(c, s, "'%s.%s' %s is the %s address of %s (a gateway is another host on "
			    "the link)", path, what, gateway, edge, address);
	return 0;
}

/* gateway (of family) lies in address's subnet; a link-local IPv6
 * gateway is on-link by definition. */
static int gateway_check(struct parse_ctx *c, config_setting_t *s, const char *path,
			 const char *key, int family, const char *address, const char *gateway)
{
	struct unit_ip a, g;
	int r;

	if (!gateway)
		return 0;
	if (!address)
		return FAIL(c, s, "'%s.%s' needs '%s'", path, key,
			    family == AF_INET ? "address" : "address6");
	if (unit_ip_prefix_parse(address, family, &a) < 0 || inet_pton(family, gateway, g.bytes) != 1)
		return 0;
	r = gateway_other_host(c, s, path, key, gateway, &a, g.bytes,
			       family == AF_INET ? "address" : "address6", address);
	if (r < 0)
		return r;
	if (family == AF_INET6 && g.bytes[0] == 0xfe && (g.bytes[1] & 0xc0) == 0x80)
		return 0;
	if (!ip_same_prefix(a.bytes, g.bytes, a.prefix))
		return FAIL(c, s, "'%s.%s' %s is outside %s", path, key, gateway, address);
	return 0;
}

/* routes[i].via: of to's family and on-link (inside the link's address of
 * that family, or IPv6 link-local). Read from the setting, so the message
 * carries the element's own line and index. */
static int route_check(struct parse_ctx *c, config_setting_t *e, const char *path, int i,
		       const struct unit_isolation *iso)
{
	const char *to = NULL, *via = NULL, *address;
	struct unit_ip t, a, g;
	char what[32];
	int r;
	int family;

	if (!config_setting_lookup_string(e, "to", &to) || !config_setting_lookup_string(e, "via", &via) ||
	    !destination_valid(to) || !gateway_valid(via))
		return 0;   /* no via, or reported while parsing */
	family = unit_ip_prefix_parse(to, AF_INET, &t) == 0 ? AF_INET : AF_INET6;
	if (inet_pton(family, via, g.bytes) != 1)
		return FAIL(c, e, "'%s.routes[%d].via' %s is not of the family of 'to' %s", path, i, via,
			    to);
	address = family == AF_INET ? iso->veth_address : iso->veth_address6;
	snprintf(what, sizeof(what), "routes[%d].via", i);
	if (address && unit_ip_prefix_parse(address, family, &a) == 0 &&
	    (r = gateway_other_host(c, e, path, what, via, &a, g.bytes,
				    family == AF_INET ? "address" : "address6", address)) < 0)
		return r;
	if (family == AF_INET6 && g.bytes[0] == 0xfe && (g.bytes[1] & 0xc0) == 0x80)
		return 0;
	if (!address)
		return FAIL(c, e, "'%s.routes[%d].via' %s is not on-link (the link has no '%s')", path, i,
			    via, family == AF_INET ? "address" : "address6");
	if (unit_ip_prefix_parse(address, family, &a) == 0 && !ip_same_prefix(a.bytes, g.bytes, a.prefix))
		return FAIL(c, e, "'%s.routes[%d].via' %s is not on-link (outside %s)", path, i, via,
			    address);
	return 0;
}

/* to as a prefix of either family; -EINVAL when it is neither. */
static int prefix_parse(const char *to, struct unit_ip *ret)
{
	if (unit_ip_prefix_parse(to, AF_INET, ret) == 0)
		ret->family = AF_INET;
	else if (unit_ip_prefix_parse(to, AF_INET6, ret) == 0)
		ret->family = AF_INET6;
	else
		return -EINVAL;
	return 0;
}

/* One route per destination: the kernel refuses a second one (EEXIST)
 * at every start, and the default route is the gateway's. */
static int route_unique(struct parse_ctx *c, config_setting_t *routes, const char *path, int i,
			const struct unit_isolation *iso)
{
	config_setting_t *e = config_setting_get_elem(routes, (unsigned)i);
	const char *to = NULL, *other = NULL;
	struct unit_ip t, o;

	if (!config_setting_lookup_string(e, "to", &to) || !destination_valid(to) ||
	    prefix_parse(to, &t) < 0)
		return 0;   /* reported while parsing */
	if (t.prefix == 0 && (t.family == AF_INET ? iso->veth_gateway : iso->veth_gateway6))
		return FAIL(c, e, "'%s.routes[%d].to' %s is the default route, which '%s' makes "
			    "already", path, i, to, t.family == AF_INET ? "gateway" : "gateway6");
	for (int j = 0; j < i; j++)
		if (config_setting_lookup_string(config_setting_get_elem(routes, (unsigned)j), "to",
						 &other) && prefix_parse(other, &o) == 0 &&
		    o.family == t.family && o.prefix == t.prefix &&
		    ip_same_prefix(o.bytes, t.bytes, t.prefix))
			return FAIL(c, e, "'%s.routes[%d].to' %s: routes[%d] goes there already (one "
				    "route per destination)", path, i, to, j);
	return 0;
}

/* A point-to-point pair of one family: two addresses on one subnet, each
 * inside the other's prefix (the only route either end has to the other
 * is that subnet's). */
static int p2p_check(struct parse_ctx *c, config_setting_t *s, const char *path, int family,
		     const char *host, const char *address)
{
	const char *hkey = family == AF_INET ? "host_address" : "host_address6";
	const char *akey = family == AF_INET ? "address" : "address6";
	size_t len = family == AF_INET ? 4 : 16;
	struct unit_ip h, a;

	if (!host || !address || unit_ip_prefix_parse(host, family, &h) < 0 ||
	    unit_ip_prefix_parse(address, family, &a) < 0)
		return 0;   /* one end of this family only, or reported while parsing */
	if (!memcmp(h.bytes, a.bytes, len))
		return FAIL(c, s, "'%s.%s' %s is the service's own '%s' (each end needs one of its "
			    "own)", path, hkey, host, akey);
	if (!ip_same_prefix(h.bytes, a.bytes, h.prefix) || !ip_same_prefix(h.bytes, a.bytes, a.prefix))
		return FAIL(c, s, "'%s.%s' %s and '%s' %s are not on one subnet (the host could not "
			    "reach the service)", path, hkey, host, akey, address);
	return 0;
}

/* What one link needs, and the service end's gateways and routes. */
static int link_check(struct parse_ctx *c, config_setting_t *s, const char *path,
		      const struct unit_isolation *iso, bool veth)
{
	config_setting_t *routes = config_setting_get_member(s, "routes");
	bool host = iso->veth_host_address || iso->veth_host_address6;
	int r = 0;

	if (veth && iso->veth_bridge && host)
		return FAIL(c, s, "'%s': 'bridge' and 'host_address' are two link kinds "
			    "(a bridge, point-to-point): give one", path);
	if (veth && !iso->veth_bridge && !host)
		return FAIL(c, s, "'%s' needs 'bridge' (on a bridge) or 'host_address'/'host_address6' "
			    "(point-to-point)", path);
	if (!veth && !iso->macvlan_interface)
		return FAIL(c, s, "'%s' needs 'interface' (the host interface it hangs on)", path);
	if (!iso->veth_address && !iso->veth_address6)
		return FAIL(c, s, "'%s' needs 'address' or 'address6'", path);
	if (veth && host)
		r = p2p_check(c, s, path, AF_INET, iso->veth_host_address, iso->veth_address) ?:
		    p2p_check(c, s, path, AF_INET6, iso->veth_host_address6, iso->veth_address6);
	if (r == 0)
		r = gateway_check(c, s, path, "gateway", AF_INET, iso->veth_address, iso->veth_gateway);
	if (r == 0)
		r = gateway_check(c, s, path, "gateway6", AF_INET6, iso->veth_address6,
				  iso->veth_gateway6);
	for (int i = 0; r == 0 && routes && config_setting_is_list(routes) &&
			i < config_setting_length(routes) && i < UNIT_ROUTES_MAX; i++)
		r = route_check(c, config_setting_get_elem(routes, (unsigned)i), path, i, iso) ?:
		    route_unique(c, routes, path, i, iso);
	return r;
}

static int parse_link(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj,
		      bool veth)
{
	struct veth_state *v = obj;
	bool failed = c->failed;
	int r;

	c->failed = false;
	if (veth)
		r = setting_group(c, s, path, veth_keys, ARRAY_SIZE(veth_keys), v);
	else
		r = setting_group(c, s, path, macvlan_keys, ARRAY_SIZE(macvlan_keys), v);
	if (r == 0 && !c->failed && config_setting_is_group(s))
		r = link_check(c, s, path, &v->unit->opt->iso, veth);
	c->failed |= failed;
	return r;
}

static int parse_veth(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	return parse_link(c, s, path, obj, true);
}

static int parse_macvlan(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	return parse_link(c, s, path, obj, false);
}

static const struct key network_keys[] = {
	{ "veth", parse_veth },
	{ "macvlan", parse_macvlan },
};

int parse_network(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct veth_state v = { parse_state_unit(obj), parse_state_lines(obj) };

	v.lines->iso.network = setting_line(s);
	if (config_setting_is_group(s) && config_setting_get_member(s, "veth") &&
	    config_setting_get_member(s, "macvlan"))
		return FAIL(c, s, "'%s': more than one link kind ('veth' and 'macvlan'): give one", path);
	return setting_group(c, s, path, network_keys, ARRAY_SIZE(network_keys), &v);
}

/* Cross-unit: the veth's bridge is one initd.conf declares. 0 or -ENOMEM. */
int network_check_unit(const struct initd_conf *conf, struct unit *u, const struct unit_lines *l)
{
	struct parse_ctx c = { .file = u->file, .diags = &u->diags };
	int r;

	if (!u->opt->iso.veth_bridge)
		return 0;
	for (size_t i = 0; i < conf->n_bridges; i++)
		if (strcmp(conf->bridges[i].name, u->opt->iso.veth_bridge) == 0)
			return 0;
	r = diag_add(&c, l->iso.bridge, "bridge '%s' is not declared in initd.conf "
		     "(bridges = ( { name = \"%s\"; ... } ))", u->opt->iso.veth_bridge,
		     u->opt->iso.veth_bridge);
	u->bad |= c.failed;
	return r;
}

static int parse_bridge_name(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct unit_bridge *b = obj;

	return setting_strdup_valid(c, s, path, &ifname_rule, &b->name);
}

static int parse_bridge_address(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct unit_bridge *b = obj;

	return address_parse(c, s, path, &prefix_rule, &b->address);
}

static int parse_bridge_address6(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct unit_bridge *b = obj;

	return address_parse(c, s, path, &prefix6_rule, &b->address6);
}

static const struct key bridge_keys[] = {
	{ "name", parse_bridge_name },
	{ "address", parse_bridge_address },
	{ "address6", parse_bridge_address6 },
};

/* One element of bridges: a group with a unique name. */
static int parse_bridge(struct parse_ctx *c, config_setting_t *s, const char *path, void *elems,
			size_t k)
{
	struct unit_bridge *v = elems;
	int r;

	r = setting_group(c, s, path, bridge_keys, ARRAY_SIZE(bridge_keys), &v[k]);
	if (r == 0 && !c->failed && config_setting_is_group(s) && !v[k].name)
		r = diag_add(c, setting_line(s), "missing required key '%s.name'", path);
	for (size_t i = 0; r == 0 && !c->failed && i < k; i++)
		if (strcmp(v[i].name, v[k].name) == 0)
			r = diag_add(c, setting_line(s), "'%s': bridge '%s' is declared twice", path,
				     v[k].name);
	return r;
}

int parse_bridges(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	static const struct group_list list = {
		UNIT_BRIDGES_MAX, sizeof(struct unit_bridge), " ( { name = \"br0\"; } )",
		parse_bridge, bridge_clear,
	};
	struct initd_conf *conf = obj;
	void *v;
	size_t n;
	int r = setting_group_list(c, s, path, &list, &v, &n);

	if (r < 0)
		return r;
	network_conf_clear(conf);
	conf->bridges = v;   /* the good ones: a bad bridge is reported and left out */
	conf->n_bridges = n;
	return 0;
}

int parse_ip_forward(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	return setting_bool(c, s, path, &((struct initd_conf *)obj)->ip_forward);
}

bool network_conf_equal(const struct initd_conf *a, const struct initd_conf *b)
{
	if (a->n_bridges != b->n_bridges || a->ip_forward != b->ip_forward)
		return false;
	for (size_t i = 0; i < a->n_bridges; i++)
		if (!streq_ptr(a->bridges[i].name, b->bridges[i].name) ||
		    !streq_ptr(a->bridges[i].address, b->bridges[i].address) ||
		    !streq_ptr(a->bridges[i].address6, b->bridges[i].address6))
			return false;
	return true;
}

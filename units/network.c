/* network.c — a unit's `network` key (a veth into a bridge), initd.conf's
 * `bridges` and `ip_forward`, and the check across the two: a veth's bridge
 * must be declared. IPv4 only for now. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "units/internal.h"

#define FAIL(c, s, ...) ({ int _r = diag_add((c), setting_line(s), __VA_ARGS__); \
			   _r < 0 ? _r : -EINVAL; })

bool unit_ifname_valid(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= 15 && strcspn(s, "/: \t\n") == n && strcmp(s, ".") != 0 &&
	       strcmp(s, "..") != 0;
}

int unit_ipv4_prefix_parse(const char *s, uint32_t *ret_addr_be, unsigned *ret_prefix)
{
	char buf[INET_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	struct in_addr a;
	size_t n;

	if (!slash || (size_t)(slash - s) >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = '\0';
	n = strlen(slash + 1);
	if (inet_pton(AF_INET, buf, &a) != 1 || n < 1 || n > 2 ||
	    strspn(slash + 1, "0123456789") != n || (n == 2 && slash[1] == '0'))
		return -EINVAL;
	*ret_prefix = (unsigned)atoi(slash + 1);
	if (*ret_prefix < 1 || *ret_prefix > 32)
		return -EINVAL;
	*ret_addr_be = a.s_addr;
	return 0;
}

static bool ipv4_valid(const char *s)
{
	struct in_addr a;

	return inet_pton(AF_INET, s, &a) == 1;
}

static bool prefix_valid(const char *s)
{
	uint32_t a;
	unsigned p;

	return unit_ipv4_prefix_parse(s, &a, &p) == 0;
}

static const struct string_rule prefix_rule = {
	.valid = prefix_valid, .what = "address", .hint = " (expected \"A.B.C.D/PREFIX\")",
};
static const struct string_rule ipv4_rule = {
	.valid = ipv4_valid, .what = "address", .hint = " (expected \"A.B.C.D\")",
};
static const struct string_rule ifname_rule = {
	.valid = unit_ifname_valid, .what = "interface name",
	.hint = " (1 to 15 bytes, no '/', ':' or blanks)",
};

/* ---- the unit's network key ----------------------------------------------- */

struct veth_state {
	struct unit *unit;
	struct unit_lines *lines;
};

static int parse_veth_bridge(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct veth_state *v = obj;

	v->lines->iso.bridge = setting_line(s);
	return setting_strdup_valid(c, s, path, &ifname_rule, &v->unit->iso.veth_bridge);
}

static int parse_veth_address(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct veth_state *v = obj;

	return setting_strdup_valid(c, s, path, &prefix_rule, &v->unit->iso.veth_address);
}

static int parse_veth_gateway(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct veth_state *v = obj;

	return setting_strdup_valid(c, s, path, &ipv4_rule, &v->unit->iso.veth_gateway);
}

static const struct key veth_keys[] = {
	{ "bridge", parse_veth_bridge },
	{ "address", parse_veth_address },
	{ "gateway", parse_veth_gateway },
};

/* The gateway must lie in the address's subnet. */
static int veth_check(struct parse_ctx *c, config_setting_t *s, const char *path,
		      const struct unit_isolation *iso)
{
	uint32_t a, mask;
	unsigned p;
	struct in_addr g;

	if (!iso->veth_bridge || !iso->veth_address)
		return FAIL(c, s, "'%s' needs 'bridge' and 'address'", path);
	if (!iso->veth_gateway || unit_ipv4_prefix_parse(iso->veth_address, &a, &p) < 0 ||
	    inet_pton(AF_INET, iso->veth_gateway, &g) != 1)
		return 0;
	mask = htonl(p == 32 ? 0xffffffffU : ~(0xffffffffU >> p));
	if ((a & mask) != (g.s_addr & mask))
		return FAIL(c, s, "'%s.gateway' %s is outside %s", path, iso->veth_gateway,
			    iso->veth_address);
	return 0;
}

static int parse_veth(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct veth_state *v = obj;
	bool failed = c->failed;
	int r;

	c->failed = false;
	r = setting_group(c, s, path, veth_keys, ARRAY_SIZE(veth_keys), v);
	if (r == 0 && !c->failed && config_setting_is_group(s))
		r = veth_check(c, s, path, &v->unit->iso);
	c->failed |= failed;
	return r;
}

static const struct key network_keys[] = {
	{ "veth", parse_veth },
};

int parse_network(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct veth_state v = { parse_state_unit(obj), parse_state_lines(obj) };

	v.lines->iso.network = setting_line(s);
	return setting_group(c, s, path, network_keys, ARRAY_SIZE(network_keys), &v);
}

/* Cross-unit: the veth's bridge is one initd.conf declares. 0 or -ENOMEM. */
int network_check_unit(const struct initd_conf *conf, struct unit *u, const struct unit_lines *l)
{
	struct parse_ctx c = { .file = u->file, .diags = &u->diags };
	int r;

	if (!u->iso.veth_bridge)
		return 0;
	for (size_t i = 0; i < conf->n_bridges; i++)
		if (strcmp(conf->bridges[i].name, u->iso.veth_bridge) == 0)
			return 0;
	r = diag_add(&c, l->iso.bridge, "bridge '%s' is not declared in initd.conf "
		     "(bridges = ( { name = \"%s\"; ... } ))", u->iso.veth_bridge, u->iso.veth_bridge);
	u->bad |= c.failed;
	return r;
}

bool network_unit_valid(const struct unit_isolation *iso)
{
	bool net = iso->namespaces & UNIT_NS_BIT(UNIT_NS_NET);

	if (!iso->veth_bridge)
		return !iso->veth_address && !iso->veth_gateway;
	return net && unit_ifname_valid(iso->veth_bridge) && iso->veth_address &&
	       prefix_valid(iso->veth_address) && (!iso->veth_gateway || ipv4_valid(iso->veth_gateway));
}

/* ---- initd.conf: bridges, ip_forward ---------------------------------------- */

static int parse_bridge_name(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct unit_bridge *b = obj;

	return setting_strdup_valid(c, s, path, &ifname_rule, &b->name);
}

static int parse_bridge_address(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct unit_bridge *b = obj;

	return setting_strdup_valid(c, s, path, &prefix_rule, &b->address);
}

static const struct key bridge_keys[] = {
	{ "name", parse_bridge_name },
	{ "address", parse_bridge_address },
};

static void bridge_clear(void *elem)
{
	struct unit_bridge *b = elem;

	free(b->name);
	free(b->address);
	*b = (struct unit_bridge){ .name = NULL };
}

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

/* Frees the bridges only (ip_forward is left alone). */
void network_conf_clear(struct initd_conf *conf)
{
	for (size_t i = 0; conf->bridges && i < conf->n_bridges; i++)
		bridge_clear(&conf->bridges[i]);
	free(conf->bridges);
	conf->bridges = NULL;
	conf->n_bridges = 0;
}

bool network_conf_equal(const struct initd_conf *a, const struct initd_conf *b)
{
	if (a->n_bridges != b->n_bridges || a->ip_forward != b->ip_forward)
		return false;
	for (size_t i = 0; i < a->n_bridges; i++)
		if (!streq_ptr(a->bridges[i].name, b->bridges[i].name) ||
		    !streq_ptr(a->bridges[i].address, b->bridges[i].address))
			return false;
	return true;
}

bool network_conf_valid(const struct initd_conf *conf)
{
	if (conf->n_bridges > UNIT_BRIDGES_MAX || (conf->n_bridges && !conf->bridges))
		return false;
	for (size_t i = 0; i < conf->n_bridges; i++) {
		const struct unit_bridge *b = &conf->bridges[i];
		if (!b->name || !unit_ifname_valid(b->name) || (b->address && !prefix_valid(b->address)))
			return false;
		for (size_t j = 0; j < i; j++)
			if (strcmp(conf->bridges[j].name, b->name) == 0)
				return false;
	}
	return true;
}

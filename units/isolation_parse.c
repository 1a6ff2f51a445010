/* isolation_parse.c — the isolation keys of a unit file parsed: namespaces,
 * hostname, rootfs (binds, tmpfs), capabilities, no_new_privs,
 * supplementary_groups, rlimits, umask, oom_score_adj, user_namespace, and
 * the checks across them once the file is read. Their values are checked
 * here, strictly, with the setting's line; what needs a real system (does
 * the rootfs exist? does the group?) is the spawn's business, because
 * `initd --check` runs on the build host, where the image's absolute paths
 * mean nothing. The model (names, equality, invariants) is isolation.c's;
 * network and initd.conf's bridges are in network.c. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "units/internal.h"

#define FAIL(c, s, ...) ({ int _r = diag_add((c), setting_line(s), __VA_ARGS__); \
			   _r < 0 ? _r : -EINVAL; })

/* The kernel's form: one "IN OUT COUNT\n" per range. NULL on ENOMEM. */
static char *id_map_format(const struct unit_id_range *v, size_t n)
{
	char *out = calloc(n, 36), *p = out;

	for (size_t i = 0; out && i < n; i++)
		p += sprintf(p, "%u %u %u\n", v[i].inside, v[i].outside, v[i].count);
	return out;
}

int parse_namespaces(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct name_bits nb = { unit_namespace_names, UNIT_NS_MAX, "namespace", 0 };
	int r;

	parse_state_lines(obj)->iso.namespaces = setting_line(s);
	r = setting_strv_each(c, s, path, UNIT_NS_MAX * 2, check_name_bit, &nb);
	if (r == 0)
		unit_opt_own(parse_state_unit(obj))->iso.namespaces = nb.bits;
	return r;
}

int parse_iso_hostname(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	parse_state_lines(obj)->iso.hostname = setting_line(s);
	return setting_hostname(c, s, path, &unit_opt_own(parse_state_unit(obj))->iso.hostname);
}

static const struct string_rule mount_target_rule = {
	.valid = mount_target_valid,
	.must = "an absolute path inside the rootfs, not '/', without '.' or '..'",
};

static int parse_bind_source(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	return setting_abspath(c, s, path, &((struct unit_bind *)obj)->source);
}

static int parse_bind_target(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct unit_bind *b = obj;

	return setting_strdup_valid(c, s, path, &mount_target_rule, &b->target);
}

static int parse_bind_readonly(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	return setting_bool(c, s, path, &((struct unit_bind *)obj)->readonly);
}

static const struct key bind_keys[] = {
	{ "source", parse_bind_source },
	{ "target", parse_bind_target },
	{ "readonly", parse_bind_readonly },
};

/* One element of binds; both paths are required. */
static int parse_bind(struct parse_ctx *c, config_setting_t *s, const char *path, struct unit_bind *b)
{
	bool failed = c->failed;
	int r;

	c->failed = false;
	r = setting_group(c, s, path, bind_keys, ARRAY_SIZE(bind_keys), b);
	if (r == 0 && !c->failed && config_setting_is_group(s) && (!b->source || !b->target))
		r = diag_add(c, setting_line(s), "'%s' needs both 'source' and 'target'", path);
	if (r == 0 && c->failed)
		r = -EINVAL;
	c->failed |= failed;
	return r;
}

static int parse_binds(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct unit *u = obj;
	struct unit_bind *v;
	int n, r, ret = 0;

	r = setting_list(c, s, path, UNIT_BINDS_MAX, " ( { source = ...; target = ...; } )", &n);
	if (r < 0)
		return r;
	v = calloc((size_t)n + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (int i = 0; i < n && ret != -ENOMEM; i++) {
		char p[DIAG_PATH_SIZE];
		r = parse_bind(c, config_setting_get_elem(s, (unsigned)i),
			       setting_elem_path(p, path, i), &v[i]);
		ret = ret ? ret : r;
	}
	if (ret < 0) {
		for (int i = 0; i < n; i++)
			bind_clear(&v[i]);
		free(v);
		return ret;
	}
	for (size_t i = 0; i < u->opt->iso.n_binds; i++)
		bind_clear(&u->opt->iso.binds[i]);
	free(u->opt->iso.binds);
	unit_opt_own(u)->iso.binds = v;
	unit_opt_own(u)->iso.n_binds = (size_t)n;
	return 0;
}

static int parse_tmpfs(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct unit *u = obj;

	return setting_strv_valid(c, s, path, UNIT_TMPFS_MAX, &mount_target_rule,
				  &unit_opt_own(u)->iso.tmpfs);
}

static int parse_rootfs_path(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct unit *u = obj;

	return setting_abspath(c, s, path, &unit_opt_own(u)->iso.rootfs);
}

static int parse_rootfs_readonly(struct parse_ctx *c, config_setting_t *s, const char *path,
				 void *obj)
{
	return setting_bool(c, s, path, &unit_opt_own((struct unit *)obj)->iso.rootfs_readonly);
}

/* from_host: host files, bound at the same path; the same rule as a mount
 * target, said of the host. */
static const struct string_rule host_path_rule = {
	.valid = mount_target_valid,
	.must = "an absolute host path, not '/', without '.' or '..'",
};

static int parse_from_host(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct unit *u = obj;

	return setting_strv_valid(c, s, path, UNIT_FROM_HOST_MAX, &host_path_rule,
				  &unit_opt_own(u)->iso.from_host);
}

static const struct key rootfs_keys[] = {
	{ "path", parse_rootfs_path },
	{ "readonly", parse_rootfs_readonly },
	{ "from_host", parse_from_host },
	{ "binds", parse_binds },
	{ "tmpfs", parse_tmpfs },
};

/* rootfs = "/srv/web" is rootfs = { path = "/srv/web"; }; a group needs a
 * path or from_host (then the root is a fresh tmpfs). An empty from_host
 * without a path makes no root at all: the group's other keys (tmpfs,
 * binds, readonly) would have nothing to apply to. */
int parse_rootfs(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct unit *u = parse_state_unit(obj);
	config_setting_t *from_host;
	int r;

	parse_state_lines(obj)->iso.rootfs = setting_line(s);
	if (config_setting_type(s) == CONFIG_TYPE_STRING)
		return parse_rootfs_path(c, s, path, u);
	r = setting_group(c, s, path, rootfs_keys, ARRAY_SIZE(rootfs_keys), u);
	if (r != 0 || !config_setting_is_group(s) || u->opt->iso.rootfs ||
	    config_setting_get_member(s, "path"))
		return r;
	from_host = config_setting_get_member(s, "from_host");
	if (!from_host)
		return FAIL(c, s, "'%s' needs 'path' or 'from_host'", path);
	if ((config_setting_is_array(from_host) || config_setting_is_list(from_host)) &&
	    config_setting_length(from_host) == 0)
		return FAIL(c, from_host, "'%s.from_host' is empty: name the host paths the service "
			    "needs, or give 'path'", path);
	return 0;
}

/* A strv_check_fn: one capability name into the set at data. */
static int check_capability(struct parse_ctx *c, config_setting_t *e, const char *path,
			    const char *v, void *data)
{
	uint64_t *caps = data;
	int cap = unit_capability_from_name(v);
	char q[DIAG_QUOTE_SIZE];
	const char *hint;

	if (cap >= 0) {
		*caps |= 1ULL << cap;
		return 0;
	}
	hint = hint_closest(v, capability_names, UNIT_CAP_MAX);
	if (hint)
		return FAIL(c, e, "'%s': unknown capability '%s' (did you mean '%s'?)", path,
			    diag_quote(q, v), hint);
	return FAIL(c, e, "'%s': unknown capability '%s'", path, diag_quote(q, v));
}

int parse_capabilities(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct unit *u = parse_state_unit(obj);
	uint64_t caps = 0;
	int r;

	r = setting_strv_each(c, s, path, UNIT_CAP_MAX * 2, check_capability, &caps);
	if (r == 0) {
		unit_opt_own(u)->iso.has_capabilities = true;
		unit_opt_own(u)->iso.capabilities = caps;
	}
	return r;
}

int parse_no_new_privs(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	bool *v = &unit_opt_own(parse_state_unit(obj))->iso.no_new_privs;
	int r = setting_bool(c, s, path, v);

	/* a filter overrides it: seccomp_imply_no_new_privs */
	parse_state_lines(obj)->iso.no_new_privs_off = r == 0 && !*v ? setting_line(s) : 0;
	return r;
}

int parse_protect_proc(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	bool protect;
	int r;

	parse_state_lines(obj)->iso.protect_proc = setting_line(s);
	r = setting_bool(c, s, path, &protect);
	if (r == 0)
		unit_opt_own(parse_state_unit(obj))->iso.proc_unprotected = !protect;
	return r;
}

/* A group name, or (leading digit) a strict numeric id. */
static bool group_valid(const char *v)
{
	uint32_t id;

	return isdigit((unsigned char)v[0]) ? parse_id(v, &id) == 0 : account_name_valid(v);
}

int parse_supplementary_groups(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	static const struct string_rule rule = { .valid = group_valid, .what = "group" };
	struct unit *u = parse_state_unit(obj);

	return setting_strv_valid(c, s, path, UNIT_GROUPS_MAX, &rule,
				  &unit_opt_own(u)->iso.supplementary_groups);
}

/* A limit: an integer >= 0, "infinity" (or "unlimited"), or a size "64M". */
static int rlimit_value(struct parse_ctx *c, config_setting_t *m, const char *path, uint64_t *ret)
{
	char q[DIAG_QUOTE_SIZE];
	long long n;
	const char *v;

	if (config_setting_type(m) != CONFIG_TYPE_STRING) {
		if (setting_int(c, m, path, &n) < 0)
			return -EINVAL;
		if (n < 0)
			return FAIL(c, m, "'%s' must not be negative", path);
		*ret = (uint64_t)n;
		return 0;
	}
	if (setting_string(c, m, path, &v) < 0)
		return -EINVAL;
	if (strcmp(v, "infinity") == 0 || strcmp(v, "unlimited") == 0) {
		*ret = UINT64_MAX;
		return 0;
	}
	if (parse_size(v, ret) < 0 || *ret == UINT64_MAX)
		return FAIL(c, m, "'%s': invalid limit '%s' (expected a number, a size like "
			    "\"64M\", or \"infinity\")", path, diag_quote(q, v));
	return 0;
}

/* One limit for soft and hard, or a pair [SOFT, HARD] (a list when the
 * two differ in type: ( 1024, "infinity" )). */
static int rlimit_pair(struct parse_ctx *c, config_setting_t *m, const char *path,
		       struct unit_rlimit *ret)
{
	int type = config_setting_type(m);

	if (type != CONFIG_TYPE_ARRAY && type != CONFIG_TYPE_LIST) {
		if (rlimit_value(c, m, path, &ret->soft) < 0)
			return -EINVAL;
		ret->hard = ret->soft;
		return 0;
	}
	if (config_setting_length(m) != 2)
		return FAIL(c, m, "'%s' must be one limit or [SOFT, HARD]", path);
	if (rlimit_value(c, config_setting_get_elem(m, 0), path, &ret->soft) < 0 ||
	    rlimit_value(c, config_setting_get_elem(m, 1), path, &ret->hard) < 0)
		return -EINVAL;
	if (ret->soft > ret->hard)
		return FAIL(c, m, "'%s': the soft limit is above the hard one", path);
	return 0;
}

static int parse_rlimit_entry(struct parse_ctx *c, config_setting_t *m, const char *path,
			      struct unit_rlimit *ret)
{
	const char *name = config_setting_name(m), *hint;
	char q[DIAG_QUOTE_SIZE];
	int res = unit_rlimit_from_name(name);
	size_t n;
	const char *const *names = rlimit_name_list(&n);

	if (res < 0) {
		hint = hint_closest(name, names, n);
		if (hint)
			return FAIL(c, m, "unknown key '%s' (did you mean '%s'?)",
				    diag_quote(q, path), hint);
		return FAIL(c, m, "unknown key '%s'", diag_quote(q, path));
	}
	ret->resource = res;
	return rlimit_pair(c, m, path, ret);
}

int parse_rlimit_group(struct parse_ctx *c, config_setting_t *s, const char *path,
		       struct unit_rlimit **ret, size_t *ret_n)
{
	struct unit_rlimit *v;
	int n, r, ret_r = 0;

	if (!config_setting_is_group(s))
		return FAIL(c, s, "'%s' must be a group ({ nofile = 1024; core = 0; })", path);
	n = config_setting_length(s);
	v = calloc((size_t)n + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (int i = 0; i < n && ret_r != -ENOMEM; i++) {
		config_setting_t *m = config_setting_get_elem(s, (unsigned)i);
		char p[DIAG_PATH_SIZE];
		r = parse_rlimit_entry(c, m, setting_path(p, path, config_setting_name(m)), &v[i]);
		ret_r = ret_r ? ret_r : r;
	}
	if (ret_r < 0) {
		free(v);
		return ret_r;
	}
	*ret = v;
	*ret_n = (size_t)n;
	return 0;
}

int parse_rlimits(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct unit *u = parse_state_unit(obj);
	struct unit_rlimit *v;
	size_t n;
	int r = parse_rlimit_group(c, s, path, &v, &n);

	if (r < 0)
		return r;
	free(u->opt->iso.rlimits);
	unit_opt_own(u)->iso.rlimits = v;
	unit_opt_own(u)->iso.n_rlimits = n;
	return 0;
}

int parse_umask(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct unit *u = parse_state_unit(obj);
	char q[DIAG_QUOTE_SIZE];
	const char *v;
	size_t n;
	int r;

	r = setting_string(c, s, path, &v);
	if (r < 0)
		return r;
	n = strlen(v);
	if (n < 1 || n > 4 || strspn(v, "01234567") != n)
		return FAIL(c, s, "'%s': invalid umask '%s' (expected octal like \"0022\")", path,
			    diag_quote(q, v));
	unit_opt_own(u)->iso.umask = (uint32_t)strtoul(v, NULL, 8) & 0777;
	if (strtoul(v, NULL, 8) > 0777)
		return FAIL(c, s, "'%s': umask '%s' is above 0777", path, diag_quote(q, v));
	return 0;
}

int parse_oom_score_adj(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct unit *u = parse_state_unit(obj);
	long long v;
	int r;

	r = setting_int_range(c, s, path, -1000, 1000, &v);
	if (r < 0)
		return r;
	unit_opt_own(u)->iso.has_oom_score_adj = true;
	unit_opt_own(u)->iso.oom_score_adj = (int32_t)v;
	return 0;
}

static int parse_id_map(struct parse_ctx *c, config_setting_t *s, const char *path, char **ret)
{
	struct unit_id_range v[UNIT_ID_MAP_MAX];
	char q[DIAG_QUOTE_SIZE], *out;
	const char *text;
	size_t n;
	int r;

	r = setting_string(c, s, path, &text);
	if (r < 0)
		return r;
	r = unit_id_map_parse(text, v, UNIT_ID_MAP_MAX, &n);
	if (r == -E2BIG)
		return FAIL(c, s, "'%s' has more than %d ranges", path, UNIT_ID_MAP_MAX);
	if (r < 0)
		return FAIL(c, s, "'%s': invalid map '%s' (expected \"INSIDE OUTSIDE COUNT\", "
			    "ranges separated by ',', not overlapping)", path, diag_quote(q, text));
	out = id_map_format(v, n);
	if (!out)
		return -ENOMEM;
	free(*ret);
	*ret = out;
	return 0;
}

static int parse_uid_map(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	return parse_id_map(c, s, path, &unit_opt_own(parse_state_unit(obj))->iso.uid_map);
}

static int parse_gid_map(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	return parse_id_map(c, s, path, &unit_opt_own(parse_state_unit(obj))->iso.gid_map);
}

/* obj: the parse state. auto, size, slot: userns_parse.c. */
static const struct key user_namespace_keys[] = {
	{ "uid_map", parse_uid_map },
	{ "gid_map", parse_gid_map },
	{ "auto", parse_userns_auto },
	{ "size", parse_userns_size },
	{ "slot", parse_userns_slot },
};

int parse_user_namespace(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	parse_state_lines(obj)->iso.user_namespace = setting_line(s);
	return setting_group(c, s, path, user_namespace_keys, ARRAY_SIZE(user_namespace_keys),
			     obj);
}

/* A key that needs a namespace the unit does not declare. */
static int need_ns(struct parse_ctx *c, const struct unit *u, int line, bool used,
		   const char *key, enum unit_namespace ns)
{
	if (!used || (u->opt->iso.namespaces & UNIT_NS_BIT(ns)))
		return 0;
	return diag_add(c, line, "'%s' needs the '%s' namespace (add it to 'namespaces')", key,
			unit_namespace_names[ns]);
}

/* Checks across the isolation keys, once the file was read; fills in the
 * default id maps of a user namespace. 0 or -ENOMEM. */
int isolation_check(struct parse_ctx *c, struct unit *u, const struct isolation_lines *l)
{
	struct unit_isolation *iso = &unit_opt_own(u)->iso;
	int r;

	r = need_ns(c, u, l->rootfs, unit_has_rootfs(iso), "rootfs", UNIT_NS_MOUNT);
	if (r == 0)
		r = need_ns(c, u, l->hostname, iso->hostname != NULL, "hostname", UNIT_NS_UTS);
	if (r == 0)
		r = need_ns(c, u, l->user_namespace, l->user_namespace != 0, "user_namespace",
			    UNIT_NS_USER);
	if (r == 0)
		r = need_ns(c, u, l->network, l->network != 0, "network", UNIT_NS_NET);
	if (r == 0)
		r = need_ns(c, u, l->protect_proc, l->protect_proc != 0, "protect_proc",
			    UNIT_NS_MOUNT);
	if (r == 0)
		r = userns_check(c, u, l);
	if (r < 0 || !(iso->namespaces & UNIT_NS_BIT(UNIT_NS_USER)))
		return r;
	if (!iso->uid_map && !(iso->uid_map = strdup(UNIT_ID_MAP_DEFAULT "\n")))
		return -ENOMEM;
	if (!iso->gid_map && !(iso->gid_map = strdup(UNIT_ID_MAP_DEFAULT "\n")))
		return -ENOMEM;
	return 0;
}

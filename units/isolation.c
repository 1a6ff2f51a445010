/* isolation.c — the model of a unit's isolation keys: namespaces, hostname,
 * rootfs (binds, tmpfs), capabilities, no_new_privs, supplementary_groups,
 * rlimits, umask, oom_score_adj, user_namespace: their names, id maps,
 * defaults, equality and the invariants a decoded unit must meet. The keys
 * are parsed in isolation_parse.c; network and initd.conf's bridges are in
 * network.c. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "units/internal.h"

const char *const unit_namespace_names[UNIT_NS_MAX] = {
	[UNIT_NS_PID] = "pid",
	[UNIT_NS_MOUNT] = "mount",
	[UNIT_NS_UTS] = "uts",
	[UNIT_NS_IPC] = "ipc",
	[UNIT_NS_NET] = "net",
	[UNIT_NS_USER] = "user",
	[UNIT_NS_CGROUP] = "cgroup",
};

/* The kernel's capability numbers (include/uapi/linux/capability.h). */
const char *const capability_names[UNIT_CAP_MAX] = {
	"CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL",
	"SETGID", "SETUID", "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE",
	"NET_BROADCAST", "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER",
	"SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT",
	"SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME",
	"SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL",
	"SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM",
	"BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE",
};

static const struct {
	const char *name;
	int resource;
} rlimit_names[] = {
	{ "as", RLIMIT_AS }, { "core", RLIMIT_CORE }, { "cpu", RLIMIT_CPU },
	{ "data", RLIMIT_DATA }, { "fsize", RLIMIT_FSIZE }, { "locks", RLIMIT_LOCKS },
	{ "memlock", RLIMIT_MEMLOCK }, { "msgqueue", RLIMIT_MSGQUEUE },
	{ "nice", RLIMIT_NICE }, { "nofile", RLIMIT_NOFILE }, { "nproc", RLIMIT_NPROC },
	{ "rss", RLIMIT_RSS }, { "rtprio", RLIMIT_RTPRIO }, { "rttime", RLIMIT_RTTIME },
	{ "sigpending", RLIMIT_SIGPENDING }, { "stack", RLIMIT_STACK },
};

int unit_capability_from_name(const char *name)
{
	char up[32];
	size_t i;

	for (i = 0; i + 1 < sizeof(up) && name[i]; i++)
		up[i] = (char)toupper((unsigned char)name[i]);
	if (name[i])
		return -EINVAL;
	up[i] = '\0';
	name = strncmp(up, "CAP_", 4) == 0 ? up + 4 : up;
	for (unsigned c = 0; c < UNIT_CAP_MAX; c++)
		if (strcmp(name, capability_names[c]) == 0)
			return (int)c;
	return -EINVAL;
}

const char *unit_capability_name(unsigned cap)
{
	return cap < UNIT_CAP_MAX ? capability_names[cap] : NULL;
}

int unit_rlimit_from_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(rlimit_names); i++)
		if (strcmp(name, rlimit_names[i].name) == 0)
			return rlimit_names[i].resource;
	return -EINVAL;
}

const char *unit_rlimit_name(int resource)
{
	for (size_t i = 0; i < ARRAY_SIZE(rlimit_names); i++)
		if (rlimit_names[i].resource == resource)
			return rlimit_names[i].name;
	return NULL;
}

const char *const *rlimit_name_list(size_t *ret_n)
{
	static const char *names[ARRAY_SIZE(rlimit_names)];

	for (size_t i = 0; i < ARRAY_SIZE(rlimit_names); i++)
		names[i] = rlimit_names[i].name;
	*ret_n = ARRAY_SIZE(names);
	return names;
}

/* ---- id maps ------------------------------------------------------------ */

/* A decimal u32 at *p (no sign), advancing *p. */
static int map_number(const char **p, uint32_t *ret)
{
	const char *s = *p;
	uint64_t v;

	if (parse_digits(&s, &v) < 0 || v > UINT32_MAX)
		return -EINVAL;
	*p = s;
	*ret = (uint32_t)v;
	return 0;
}

static bool ranges_overlap(uint32_t a, uint32_t an, uint32_t b, uint32_t bn)
{
	return (uint64_t)a < (uint64_t)b + bn && (uint64_t)b < (uint64_t)a + an;
}

/* One "IN OUT COUNT" line at *p, blanks around the numbers allowed. */
static int map_line(const char **p, struct unit_id_range *r)
{
	uint32_t *f[3] = { &r->inside, &r->outside, &r->count };

	for (int i = 0; i < 3; i++) {
		*p += strspn(*p, " \t");
		if (map_number(p, f[i]) < 0)
			return -EINVAL;
	}
	*p += strspn(*p, " \t");
	if (r->count == 0 || (uint64_t)r->inside + r->count - 1 > UINT32_MAX - 1 ||
	    (uint64_t)r->outside + r->count - 1 > UINT32_MAX - 1)
		return -EINVAL;
	return 0;
}

int unit_id_map_parse(const char *text, struct unit_id_range *v, size_t max, size_t *ret_n)
{
	const char *p = text;
	size_t n = 0;

	for (;;) {
		struct unit_id_range r;
		if (n == max)
			return -E2BIG;
		if (map_line(&p, &r) < 0)
			return -EINVAL;
		for (size_t i = 0; i < n; i++)
			if (ranges_overlap(r.inside, r.count, v[i].inside, v[i].count) ||
			    ranges_overlap(r.outside, r.count, v[i].outside, v[i].count))
				return -EINVAL;
		v[n++] = r;
		if (*p == '\0')
			break;
		if (*p != ',' && *p != '\n')
			return -EINVAL;
		p++;
		p += strspn(p, " \t\n");
		if (*p == '\0')
			break;
	}
	*ret_n = n;
	return 0;
}

/* ---- what the keys and the invariants share -------------------------------- */

/* An absolute path with no "." or ".." component and not "/" itself: a
 * mount point inside the rootfs. */
bool mount_target_valid(const char *p)
{
	if (p[0] != '/' || p[1] == '\0')
		return false;
	for (const char *q = p + 1;; ) {
		size_t n = strcspn(q, "/");
		if ((n == 1 && q[0] == '.') || (n == 2 && q[0] == '.' && q[1] == '.'))
			return false;
		q += n;
		if (!*q)
			return true;
		q++;
	}
}

void bind_clear(struct unit_bind *b)
{
	free(b->source);
	free(b->target);
	*b = (struct unit_bind){ .readonly = false };
}

bool rlimits_valid(const struct unit_rlimit *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!unit_rlimit_name(v[i].resource) || v[i].soft > v[i].hard)
			return false;
	return true;
}

bool rlimits_equal(const struct unit_rlimit *a, size_t na, const struct unit_rlimit *b,
		   size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (a[i].resource != b[i].resource || a[i].soft != b[i].soft ||
		    a[i].hard != b[i].hard)
			return false;
	return true;
}

/* ---- life of the model ------------------------------------------------------ */

int isolation_init(struct unit_isolation *iso)
{
	*iso = (struct unit_isolation){
		.from_host = strv_new(),
		.tmpfs = strv_new(),
		.supplementary_groups = strv_new(),
		.umask = 022,
	};
	return iso->from_host && iso->tmpfs && iso->supplementary_groups ? 0 : -ENOMEM;
}

void isolation_clear(struct unit_isolation *iso)
{
	free(iso->hostname);
	free(iso->rootfs);
	strv_free(iso->from_host);
	for (size_t i = 0; iso->binds && i < iso->n_binds; i++)
		bind_clear(&iso->binds[i]);
	free(iso->binds);
	strv_free(iso->tmpfs);
	strv_free(iso->supplementary_groups);
	free(iso->rlimits);
	free(iso->uid_map);
	free(iso->gid_map);
	network_unit_clear(iso);
	for (int k = 0; k < UNIT_JOIN_MAX; k++)
		free(iso->join[k]);
	*iso = (struct unit_isolation){ .umask = 022 };
}

static bool binds_equal(const struct unit_isolation *a, const struct unit_isolation *b)
{
	if (a->n_binds != b->n_binds)
		return false;
	for (size_t i = 0; i < a->n_binds; i++)
		if (!streq_ptr(a->binds[i].source, b->binds[i].source) ||
		    !streq_ptr(a->binds[i].target, b->binds[i].target) ||
		    a->binds[i].readonly != b->binds[i].readonly)
			return false;
	return true;
}

static bool joins_equal(const struct unit_isolation *a, const struct unit_isolation *b)
{
	for (int k = 0; k < UNIT_JOIN_MAX; k++)
		if (!streq_ptr(a->join[k], b->join[k]))
			return false;
	return true;
}

bool isolation_equal(const struct unit_isolation *a, const struct unit_isolation *b)
{
	return a->namespaces == b->namespaces && streq_ptr(a->hostname, b->hostname) &&
	       streq_ptr(a->rootfs, b->rootfs) && a->rootfs_readonly == b->rootfs_readonly &&
	       strv_equal(a->from_host, b->from_host) &&
	       binds_equal(a, b) && strv_equal(a->tmpfs, b->tmpfs) &&
	       a->has_capabilities == b->has_capabilities && a->capabilities == b->capabilities &&
	       a->no_new_privs == b->no_new_privs && a->proc_unprotected == b->proc_unprotected &&
	       strv_equal(a->supplementary_groups, b->supplementary_groups) &&
	       rlimits_equal(a->rlimits, a->n_rlimits, b->rlimits, b->n_rlimits) &&
	       a->umask == b->umask &&
	       a->has_oom_score_adj == b->has_oom_score_adj &&
	       a->oom_score_adj == b->oom_score_adj && streq_ptr(a->uid_map, b->uid_map) &&
	       streq_ptr(a->gid_map, b->gid_map) && network_unit_equal(a, b) &&
	       a->userns_auto == b->userns_auto && a->userns_size == b->userns_size &&
	       a->userns_slot == b->userns_slot && joins_equal(a, b);
}

static bool id_map_valid(const char *m)
{
	struct unit_id_range v[UNIT_ID_MAP_MAX];
	size_t n;

	return !m || unit_id_map_parse(m, v, UNIT_ID_MAP_MAX, &n) == 0;
}

/* What spawn relies on, for a decoded unit that is not bad. */
bool isolation_valid(const struct unit_isolation *iso)
{
	bool user = iso->namespaces & UNIT_NS_BIT(UNIT_NS_USER);

	if (iso->namespaces >= UNIT_NS_BIT(UNIT_NS_MAX) || !iso->tmpfs || !iso->from_host ||
	    !iso->supplementary_groups || iso->umask > 0777 ||
	    iso->oom_score_adj < -1000 || iso->oom_score_adj > 1000 ||
	    iso->capabilities >= (1ULL << UNIT_CAP_MAX) ||
	    (iso->hostname && !hostname_valid(iso->hostname)) ||
	    (iso->rootfs && iso->rootfs[0] != '/') ||
	    (unit_has_rootfs(iso) && !(iso->namespaces & UNIT_NS_BIT(UNIT_NS_MOUNT))) ||
	    (!unit_has_rootfs(iso) && (iso->n_binds || iso->tmpfs[0])) ||
	    strv_length(iso->from_host) > UNIT_FROM_HOST_MAX ||
	    user != (iso->uid_map && iso->gid_map) ||
	    !id_map_valid(iso->uid_map) || !id_map_valid(iso->gid_map) ||
	    strv_length(iso->tmpfs) > UNIT_TMPFS_MAX ||
	    strv_length(iso->supplementary_groups) > UNIT_GROUPS_MAX)
		return false;
	for (size_t i = 0; i < iso->n_binds; i++)
		if (!iso->binds[i].source || iso->binds[i].source[0] != '/' ||
		    !iso->binds[i].target || !mount_target_valid(iso->binds[i].target))
			return false;
	for (char **t = iso->tmpfs; *t; t++)
		if (!mount_target_valid(*t))
			return false;
	for (char **t = iso->from_host; *t; t++)
		if (!mount_target_valid(*t))
			return false;
	return rlimits_valid(iso->rlimits, iso->n_rlimits) && network_unit_valid(iso) &&
	       userns_valid(iso) && join_valid(iso);
}

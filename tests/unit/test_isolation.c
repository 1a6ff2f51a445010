/* test_isolation.c — the isolation part of the unit model (issue 5): the
 * schema keys and their FILE:LINE errors, the capability name table
 * (checked against libcap's), id-map and address parsing, the binary
 * encoding of the new fields, and the clone flags and capability calls of
 * initd/ns.c and initd/caps.c that need no privilege. */
#include <check.h>
#include <errno.h>
#include <linux/sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "initd/ns.h"
#include "tests/files.h"
#include "units/internal.h"
#include "units/unit.h"

static struct unit *parse(const char *text)
{
	struct unit *u = NULL;

	ck_assert_int_eq(unit_parse_string("t.unit", text, &u), 0);
	ck_assert_ptr_nonnull(u);
	return u;
}

/* Every diagnostic of u, "LINE: message\n" each. */
static const char *diags(const struct unit *u)
{
	static char buf[8192];
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < u->diags.n && o < sizeof(buf); i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%d: %s\n", u->diags.v[i].line,
				      u->diags.v[i].message);
	return buf;
}

#define FULL \
	"exec = [ \"/bin/httpd\" ];\n" \
	"namespaces = [ \"pid\", \"mount\", \"uts\", \"ipc\", \"net\", \"user\", \"cgroup\" ];\n" \
	"hostname = \"web\";\n" \
	"rootfs = { path = \"/srv/web\"; readonly = true;\n" \
	"  from_host = [ \"/usr/sbin/nginx\", \"/etc/nginx\" ];\n" \
	"  binds = ( { source = \"/srv/www\"; target = \"/www\"; readonly = true; },\n" \
	"            { source = \"/srv/log\"; target = \"/var/log\"; } );\n" \
	"  tmpfs = [ \"/tmp\", \"/run\" ]; };\n" \
	"capabilities = [ \"NET_BIND_SERVICE\", \"cap_chown\" ];\n" \
	"no_new_privs = true;\n" \
	"protect_proc = false;\n" \
	"supplementary_groups = [ \"audio\", \"42\" ];\n" \
	"rlimits = { nofile = 1024; core = 0; stack = \"8M\"; as = \"infinity\"; };\n" \
	"umask = \"0027\";\n" \
	"oom_score_adj = -500;\n" \
	"user_namespace = { uid_map = \"0 100000 65536\"; gid_map = \"0 200000 1000, 1000 300000 10\"; };\n" \
	"network = { veth = { bridge = \"br0\"; address = \"10.0.1.2/24\"; gateway = \"10.0.1.1\"; }; };\n"

START_TEST(full_schema_parses)
{
	struct unit *u = parse(FULL);
	const struct unit_isolation *i = &u->opt->iso;

	ck_assert_msg(!u->bad, "%s", diags(u));
	ck_assert_uint_eq(i->namespaces, UNIT_NS_BIT(UNIT_NS_MAX) - 1);
	ck_assert_str_eq(i->hostname, "web");
	ck_assert_str_eq(i->rootfs, "/srv/web");
	ck_assert(i->rootfs_readonly);
	ck_assert_str_eq(i->from_host[1], "/etc/nginx");
	ck_assert_ptr_null(i->from_host[2]);
	ck_assert_uint_eq(i->n_binds, 2);
	ck_assert_str_eq(i->binds[0].target, "/www");
	ck_assert(i->binds[0].readonly && !i->binds[1].readonly);
	ck_assert_str_eq(i->tmpfs[1], "/run");
	ck_assert(i->has_capabilities);
	ck_assert_uint_eq(i->capabilities, (1ULL << CAP_NET_BIND_SERVICE) | (1ULL << CAP_CHOWN));
	ck_assert(i->no_new_privs);
	ck_assert(i->proc_unprotected);
	ck_assert_str_eq(i->supplementary_groups[1], "42");
	ck_assert_uint_eq(i->n_rlimits, 4);
	ck_assert_int_eq(i->rlimits[0].resource, RLIMIT_NOFILE);
	ck_assert_uint_eq(i->rlimits[2].soft, 8 * 1024 * 1024);
	ck_assert_uint_eq(i->rlimits[3].soft, UINT64_MAX);
	ck_assert_uint_eq(i->umask, 027);
	ck_assert(i->has_oom_score_adj);
	ck_assert_int_eq(i->oom_score_adj, -500);
	ck_assert_str_eq(i->uid_map, "0 100000 65536\n");
	ck_assert_str_eq(i->gid_map, "0 200000 1000\n1000 300000 10\n");
	ck_assert_str_eq(i->veth_bridge, "br0");
	ck_assert_str_eq(i->veth_address, "10.0.1.2/24");
	ck_assert_str_eq(i->veth_gateway, "10.0.1.1");
	unit_free(u);
}
END_TEST

START_TEST(defaults)
{
	struct unit *u = parse("exec = [ \"/bin/true\" ];\n");

	ck_assert(!u->bad);
	ck_assert_uint_eq(u->opt->iso.namespaces, 0);
	ck_assert(!u->opt->iso.has_capabilities && !u->opt->iso.no_new_privs &&
		  !u->opt->iso.has_oom_score_adj);
	ck_assert(!u->opt->iso.proc_unprotected);   /* protect_proc defaults to true */
	ck_assert_uint_eq(u->opt->iso.umask, 022);
	ck_assert_ptr_null(u->opt->iso.rootfs);
	ck_assert_ptr_null(u->opt->iso.tmpfs[0]);
	ck_assert_ptr_null(u->opt->iso.from_host[0]);
	ck_assert(!unit_has_rootfs(&u->opt->iso));
	ck_assert_ptr_null(u->opt->iso.uid_map);
	unit_free(u);
	/* A user namespace without maps gets root mapped to 100000. */
	u = parse("exec = [ \"/bin/true\" ];\nnamespaces = [ \"user\" ];\n");
	ck_assert(!u->bad);
	ck_assert_str_eq(u->opt->iso.uid_map, UNIT_ID_MAP_DEFAULT "\n");
	ck_assert_str_eq(u->opt->iso.gid_map, UNIT_ID_MAP_DEFAULT "\n");
	unit_free(u);
}
END_TEST

static const struct {
	const char *text;
	const char *want;
} bad_cases[] = {
	{ "namespaces = [ \"mnt\" ];", "2: 'namespaces[0]': unknown namespace 'mnt' (expected pid, mount, uts, ipc, net, user or cgroup)\n" },
	{ "namespaces = [ \"pid\", \"pid\" ];", "2: 'namespaces[1]': 'pid' is listed twice\n" },
	{ "capabilities = [ \"NET_BIND_SERVIC\" ];", "2: 'capabilities[0]': unknown capability 'NET_BIND_SERVIC' (did you mean 'NET_BIND_SERVICE'?)\n" },
	{ "hostname = \"a\";", "2: 'hostname' needs the 'uts' namespace (add it to 'namespaces')\n" },
	{ "rootfs = { path = \"/r\"; };", "2: 'rootfs' needs the 'mount' namespace (add it to 'namespaces')\n" },
	{ "namespaces = [ \"pid\" ];\nprotect_proc = false;", "3: 'protect_proc' needs the 'mount' namespace (add it to 'namespaces')\n" },
	{ "namespaces = [ \"mount\" ];\nprotect_proc = \"no\";", "3: 'protect_proc' must be true or false\n" },
	{ "namespaces = [ \"mount\" ];\nrootfs = { readonly = true; };", "3: 'rootfs' needs 'path' or 'from_host'\n" },
	{ "rootfs = { from_host = [ \"/bin/busybox\" ]; };", "2: 'rootfs' needs the 'mount' namespace (add it to 'namespaces')\n" },
	/* an empty from_host and no path is no rootfs at all: said, not
	 * dropped (nor, with tmpfs, a model PID 1 refuses) */
	{ "namespaces = [ \"mount\" ];\nrootfs = { from_host = [ ]; };",
	  "3: 'rootfs.from_host' is empty: name the host paths the service needs, or give 'path'\n" },
	{ "namespaces = [ \"mount\", \"pid\" ];\nrootfs = {\n  from_host = [];\n  readonly = true;\n  tmpfs = [ \"/var/lib/nginx\" ];\n};",
	  "4: 'rootfs.from_host' is empty: name the host paths the service needs, or give 'path'\n" },
	{ "namespaces = [ \"mount\" ];\nrootfs = { from_host = [ \"bin/busybox\" ]; };",
	  "3: 'rootfs.from_host[0]': 'bin/busybox' must be an absolute host path, not '/', without '.' or '..'\n" },
	{ "namespaces = [ \"mount\" ];\nrootfs = { from_host = [ \"/usr/../etc/shadow\" ]; };",
	  "3: 'rootfs.from_host[0]': '/usr/../etc/shadow' must be an absolute host path, not '/', without '.' or '..'\n" },
	{ "namespaces = [ \"mount\" ];\nrootfs = { from_host = [ \"/\" ]; };",
	  "3: 'rootfs.from_host[0]': '/' must be an absolute host path, not '/', without '.' or '..'\n" },
	{ "namespaces = [ \"mount\" ];\nrootfs = { from_host = \"/bin/sh\"; };",
	  "3: 'rootfs.from_host' must be an array of strings\n" },
	{ "namespaces = [ \"mount\" ];\nrootfs = \"srv/web\";",
	  "3: 'rootfs' must be an absolute path (got 'srv/web')\n" },
	{ "namespaces = [ \"mount\" ];\nrootfs = { path = \"/r\"; binds = ( { source = \"/a\"; target = \"/x/../y\"; } ); };",
	  "3: 'rootfs.binds[0].target': '/x/../y' must be an absolute path inside the rootfs, not '/', without '.' or '..'\n" },
	{ "namespaces = [ \"mount\" ];\nrootfs = { path = \"/r\"; binds = ( { source = \"/a\"; } ); };",
	  "3: 'rootfs.binds[0]' needs both 'source' and 'target'\n" },
	{ "rlimits = { nofiles = 3; };", "2: unknown key 'rlimits.nofiles' (did you mean 'nofile'?)\n" },
	{ "rlimits = { core = -1; };", "2: 'rlimits.core' must not be negative\n" },
	{ "umask = \"999\";", "2: 'umask': invalid umask '999' (expected octal like \"0022\")\n" },
	{ "oom_score_adj = 1001;", "2: 'oom_score_adj' must be between -1000 and 1000 (got 1001)\n" },
	{ "namespaces = [ \"user\" ];\nuser_namespace = { uid_map = \"0 100000 0\"; };",
	  "3: 'user_namespace.uid_map': invalid map '0 100000 0' (expected \"INSIDE OUTSIDE COUNT\", ranges separated by ',', not overlapping)\n" },
	{ "supplementary_groups = [ \"-x\" ];", "2: 'supplementary_groups[0]': invalid group '-x'\n" },
	{ "namespaces = [ \"net\" ];\nnetwork = { veth = { bridge = \"br0\"; address = \"10.0.1.2\"; }; };",
	  "3: 'network.veth.address': invalid address '10.0.1.2' (expected \"A.B.C.D/PREFIX\")\n" },
	{ "namespaces = [ \"net\" ];\nnetwork = { veth = { bridge = \"br0\"; address = \"10.0.1.2/24\"; gateway = \"10.0.2.1\"; }; };",
	  "3: 'network.veth.gateway' 10.0.2.1 is outside 10.0.1.2/24\n" },
	{ "namespaces = [ \"net\" ];\nnetwork = { veth = { bridge = \"a/b\"; address = \"10.0.1.2/24\"; }; };",
	  "3: 'network.veth.bridge': invalid interface name 'a/b' (1 to 15 bytes, no '/', ':' or blanks)\n" },
	{ "network = { veth = { bridge = \"br0\"; address = \"10.0.1.2/24\"; }; };",
	  "2: 'network' needs the 'net' namespace (add it to 'namespaces')\n" },
};

START_TEST(bad_values_have_lines)
{
	char text[1024];
	struct unit *u;

	snprintf(text, sizeof(text), "exec = [ \"/bin/true\" ];\n%s\n", bad_cases[_i].text);
	u = parse(text);
	ck_assert(u->bad);
	ck_assert_str_eq(diags(u), bad_cases[_i].want);
	unit_free(u);
}
END_TEST

START_TEST(capability_table_matches_libcap)
{
	for (unsigned c = 0; c < UNIT_CAP_MAX; c++) {
		char *name = cap_to_name((cap_value_t)c), want[64];
		const char *ours = unit_capability_name(c);

		ck_assert_ptr_nonnull(ours);
		/* libcap names known capabilities "cap_xxx" */
		snprintf(want, sizeof(want), "cap_%s", ours);
		for (char *p = want; *p; p++)
			*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
		ck_assert_str_eq(name, want);
		cap_free(name);
		ck_assert_int_eq(unit_capability_from_name(ours), (int)c);
	}
	ck_assert_int_eq(unit_capability_from_name("cap_net_raw"), CAP_NET_RAW);
	ck_assert_int_eq(unit_capability_from_name("CAP_SYS_ADMIN"), CAP_SYS_ADMIN);
	ck_assert_int_eq(unit_capability_from_name("NET_BIND"), -EINVAL);
	ck_assert_ptr_null(unit_capability_name(UNIT_CAP_MAX));
}
END_TEST

START_TEST(id_maps)
{
	struct unit_id_range v[UNIT_ID_MAP_MAX];
	size_t n;

	ck_assert_int_eq(unit_id_map_parse("0 100000 65536", v, UNIT_ID_MAP_MAX, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(v[0].outside, 100000);
	ck_assert_int_eq(unit_id_map_parse(" 0 1000 1 , 1 100000 999\n", v, UNIT_ID_MAP_MAX, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(v[1].count, 999);
	ck_assert_int_eq(unit_id_map_parse("0 1000", v, UNIT_ID_MAP_MAX, &n), -EINVAL);
	ck_assert_int_eq(unit_id_map_parse("0 1000 0", v, UNIT_ID_MAP_MAX, &n), -EINVAL);
	ck_assert_int_eq(unit_id_map_parse("-1 1000 1", v, UNIT_ID_MAP_MAX, &n), -EINVAL);
	ck_assert_int_eq(unit_id_map_parse("0 1000 10, 5 2000 10", v, UNIT_ID_MAP_MAX, &n), -EINVAL);
	ck_assert_int_eq(unit_id_map_parse("0 1000 10, 50 1005 10", v, UNIT_ID_MAP_MAX, &n), -EINVAL);
	ck_assert_int_eq(unit_id_map_parse("0 4294967295 1", v, UNIT_ID_MAP_MAX, &n), -EINVAL);
	ck_assert_int_eq(unit_id_map_parse("0 1 1,1 2 1,2 3 1,3 4 1,4 5 1,5 6 1", v, UNIT_ID_MAP_MAX, &n),
			 -E2BIG);
	ck_assert_int_eq(unit_id_map_parse("0 1 1 x", v, UNIT_ID_MAP_MAX, &n), -EINVAL);
}
END_TEST

START_TEST(addresses)
{
	uint32_t a;
	unsigned p;

	ck_assert_int_eq(unit_ipv4_prefix_parse("10.0.1.2/24", &a, &p), 0);
	ck_assert_uint_eq(p, 24);
	ck_assert_int_eq(unit_ipv4_prefix_parse("10.0.1.2/0", &a, &p), -EINVAL);
	ck_assert_int_eq(unit_ipv4_prefix_parse("10.0.1.2/33", &a, &p), -EINVAL);
	ck_assert_int_eq(unit_ipv4_prefix_parse("10.0.1.2/024", &a, &p), -EINVAL);
	ck_assert_int_eq(unit_ipv4_prefix_parse("10.0.1/24", &a, &p), -EINVAL);
	ck_assert(unit_ifname_valid("br0") && unit_ifname_valid("a23456789012345"));
	ck_assert(!unit_ifname_valid("a234567890123456") && !unit_ifname_valid("") &&
		  !unit_ifname_valid("a b") && !unit_ifname_valid(".."));
}
END_TEST

/* A directory with initd.conf and one unit, loaded as a set. */
static struct unit_set *load(const char *conf, const char *unit)
{
	char dir[] = "/tmp/test_isolation.XXXXXX", path[128];
	struct unit_set *s = NULL;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/initd.conf", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs(conf, f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/units", dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/units/web.unit", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs(unit, f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/initd.conf", dir);
	{
		char units[64];
		snprintf(units, sizeof(units), "%s/units", dir);
		ck_assert_int_eq(unit_set_load(path, units, &s), 0);
		unlink(path);
		snprintf(path, sizeof(path), "%s/web.unit", units);
		unlink(path);
		rmdir(units);
		rmdir(dir);
	}
	return s;
}

START_TEST(bridge_must_be_declared)
{
	struct unit_set *s = load("bridges = ( { name = \"br0\"; address = \"10.0.1.1/24\"; } );\n"
				  "ip_forward = true;\n",
				  "exec = [ \"/bin/x\" ];\nnamespaces = [ \"net\" ];\n"
				  "network = { veth = { bridge = \"br1\"; address = \"10.0.1.2/24\"; }; };\n");

	ck_assert(s->conf.ip_forward);
	ck_assert_uint_eq(s->conf.n_bridges, 1);
	ck_assert_str_eq(s->conf.bridges[0].address, "10.0.1.1/24");
	ck_assert(s->units[0]->bad);
	ck_assert_int_eq(s->units[0]->diags.v[0].line, 3);
	ck_assert_str_eq(s->units[0]->diags.v[0].message,
			 "bridge 'br1' is not declared in initd.conf (bridges = ( { name = \"br1\"; ... } ))");
	unit_set_free(s);
	s = load("bridges = ( { name = \"br0\"; }, { name = \"br0\"; } );\n", "exec = [ \"/bin/x\" ];\n");
	ck_assert_uint_eq(s->diags.n, 1);
	ck_assert_str_eq(s->diags.v[0].message, "'bridges[1]': bridge 'br0' is declared twice");
	unit_set_free(s);
}
END_TEST

START_TEST(encode_round_trip)
{
	struct unit_set *s = load("bridges = ( { name = \"br0\"; address = \"10.0.1.1/24\"; } );\n"
				  "ip_forward = true;\n", FULL), *d = NULL;
	void *buf = NULL;
	size_t len;

	ck_assert_msg(!s->units[0]->bad, "%s", diags(s->units[0]));
	ck_assert_int_eq(unit_set_encode(s, &buf, &len), 0);
	ck_assert_int_eq(unit_set_decode(buf, len, &d), 0);
	ck_assert(unit_equal(s->units[0], d->units[0]));
	ck_assert(initd_conf_equal(&s->conf, &d->conf));
	ck_assert_int_eq(d->units[0]->opt->iso.oom_score_adj, -500);
	ck_assert_uint_eq(d->units[0]->opt->iso.rlimits[3].soft, UINT64_MAX);
	/* a changed isolation field is a changed unit (reload restarts it);
	 * changed on the loader's side: a decoded set is read-only */
	unit_opt_own(s->units[0])->iso.rootfs_readonly = false;
	ck_assert(!unit_equal(s->units[0], d->units[0]));
	unit_opt_own(s->units[0])->iso.rootfs_readonly = true;
	ck_assert(unit_equal(s->units[0], d->units[0]));
	{
		char **from_host = unit_opt_own(s->units[0])->iso.from_host, *second = from_host[1];

		from_host[1] = NULL;
		ck_assert(!unit_equal(s->units[0], d->units[0]));
		from_host[1] = second;
	}
	free(buf);
	unit_set_free(s);
	unit_set_free(d);
}
END_TEST

/* rootfs = "PATH" is the short form; from_host without a path means a
 * tmpfs root; a decoded unit with a bad from_host is refused. */
START_TEST(rootfs_forms)
{
	char text[4096];
	size_t o;
	struct unit *u = parse("exec = [ \"/bin/true\" ];\nnamespaces = [ \"mount\" ];\n"
			       "rootfs = \"/srv/box\";\n");

	ck_assert_msg(!u->bad, "%s", diags(u));
	ck_assert_str_eq(u->opt->iso.rootfs, "/srv/box");
	ck_assert(unit_has_rootfs(&u->opt->iso) && !u->opt->iso.rootfs_readonly);
	unit_free(u);
	u = parse("exec = [ \"/bin/true\" ];\nnamespaces = [ \"mount\" ];\n"
		  "rootfs = { from_host = [ \"/bin/busybox\" ]; tmpfs = [ \"/run\" ]; };\n");
	ck_assert_msg(!u->bad, "%s", diags(u));
	ck_assert_ptr_null(u->opt->iso.rootfs);
	ck_assert(unit_has_rootfs(&u->opt->iso));
	ck_assert(isolation_valid(&u->opt->iso));
	free(u->opt->iso.from_host[0]);
	u->opt->iso.from_host[0] = strdup("/a/../b");
	ck_assert(!isolation_valid(&u->opt->iso));
	unit_free(u);
	/* at most UNIT_FROM_HOST_MAX entries */
	o = (size_t)snprintf(text, sizeof(text),
			     "exec = [ \"/bin/true\" ];\nnamespaces = [ \"mount\" ];\nrootfs = { from_host = [ ");
	for (int i = 0; i <= UNIT_FROM_HOST_MAX; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o, "%s\"/f%d\"", i ? ", " : "", i);
	snprintf(text + o, sizeof(text) - o, " ]; };\n");
	u = parse(text);
	ck_assert(u->bad);
	ck_assert_ptr_nonnull(strstr(diags(u), "more than 64 entries"));
	unit_free(u);
}
END_TEST

START_TEST(clone_flags)
{
	ck_assert_uint_eq(ns_clone_flags(0), 0);
	ck_assert_uint_eq(ns_clone_flags(UNIT_NS_BIT(UNIT_NS_MAX) - 1),
			  CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET |
			  CLONE_NEWUSER | CLONE_NEWCGROUP);
	ck_assert_uint_eq(ns_clone_flags(UNIT_NS_BIT(UNIT_NS_NET)), CLONE_NEWNET);
}
END_TEST

/* issue 18.3: the auto range is a fixed function of the name (FNV-1a):
 * these values must never change, or files on /data change owners. */
START_TEST(userns_auto_stable)
{
	struct unit *u = parse("exec = [ \"/bin/true\" ];\nnamespaces = [ \"user\" ];\n"
			       "user_namespace = { auto = true; };\n");
	char want[64];

	ck_assert_uint_eq(userns_name_hash(""), 2166136261U);
	ck_assert_uint_eq(userns_name_hash("a"), 0xe40c292cU);
	ck_assert_uint_eq(userns_name_hash("foobar"), 0xbf9cf968U);
	ck_assert_uint_eq(userns_default_slot("t", 65536), userns_name_hash("t") % UNIT_USERNS_SLOTS);
	/* a range that would run past the pool ends at its top */
	ck_assert_uint_le(userns_default_slot("t", UNIT_USERNS_SIZE_MAX) + 256, UNIT_USERNS_SLOTS);
	ck_assert_msg(!u->bad, "%s", diags(u));
	ck_assert(u->opt->iso.userns_auto);
	ck_assert_uint_eq(u->opt->iso.userns_size, 65536);
	ck_assert_uint_eq(u->opt->iso.userns_slot, userns_default_slot("t", 65536));
	snprintf(want, sizeof(want), "0 %u 65536\n", userns_base(u->opt->iso.userns_slot));
	ck_assert_str_eq(u->opt->iso.uid_map, want);
	ck_assert_str_eq(u->opt->iso.gid_map, want);
	ck_assert(isolation_valid(&u->opt->iso));
	/* a decoded map that is not the slot's is refused */
	u->opt->iso.uid_map[2] = '9';
	ck_assert(!isolation_valid(&u->opt->iso));
	unit_free(u);
}
END_TEST

/* An auto range meeting a unit whose uid_map and gid_map are the same
 * range is said once, not once per map. */
START_TEST(userns_auto_clash_said_once)
{
	char dir[] = "/tmp/test_isolation.XXXXXX", conf[64], units[64], cmd[96];
	struct unit_set *s = NULL;
	struct unit *a;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(conf, sizeof(conf), "%s/initd.conf", dir);
	snprintf(units, sizeof(units), "%s/units", dir);
	ck_assert_int_eq(mkdir(units, 0755), 0);
	test_put_file(dir, "initd.conf", "");
	test_put_file(dir, "units/a.unit", "exec = [ \"/bin/true\" ];\nnamespaces = [ \"user\" ];\n"
		      "user_namespace = { auto = true; slot = 5; };\n");
	test_put_file(dir, "units/b.unit", "exec = [ \"/bin/true\" ];\nnamespaces = [ \"user\" ];\n"
		      "user_namespace = { uid_map = \"0 268763136 100\"; "
		      "gid_map = \"0 268763136 100\"; };\n");
	ck_assert_int_eq(unit_set_load(conf, units, &s), 0);
	a = unit_set_find(s, "a");
	ck_assert(a->bad);
	ck_assert_uint_eq(a->diags.n, 1);
	ck_assert(strstr(a->diags.v[0].message, "meets a map of 'b'"));
	unit_set_free(s);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* A unit that delegates its cgroup from a user namespace whose map
 * another unit shares (the default one) hands its node to ids that unit's
 * processes may have: a warning at subtree_control's line, naming the other
 * unit and auto; none for an auto range or a map of its own. */
static struct unit_set *load_dir(char *dir, const char *a, const char *b)
{
	char conf[64], units[64];
	struct unit_set *s = NULL;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(conf, sizeof(conf), "%s/initd.conf", dir);
	snprintf(units, sizeof(units), "%s/units", dir);
	ck_assert_int_eq(mkdir(units, 0755), 0);
	test_put_file(dir, "initd.conf", "");
	test_put_file(dir, "units/a.unit", a);
	test_put_file(dir, "units/b.unit", b);
	ck_assert_int_eq(unit_set_load(conf, units, &s), 0);
	return s;
}

static void dir_remove(const char *dir)
{
	char cmd[96];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

#define USERNS_UNIT "exec = [ \"/bin/true\" ];\nnamespaces = [ \"user\" ];\n"
START_TEST(userns_shared_map_delegation_warned)
{
	static const char *const delegating =
		USERNS_UNIT "cgroup = {\n subtree_control = [ \"pids\" ];\n};\n";
	static const char *const quiet[] = {
		USERNS_UNIT "user_namespace = { auto = true; };\n"
			"cgroup = { subtree_control = [ \"pids\" ]; };\n",
		USERNS_UNIT "user_namespace = { uid_map = \"0 300000 65536\"; "
			"gid_map = \"0 300000 65536\"; };\n"
			"cgroup = { subtree_control = [ \"pids\" ]; };\n",
	};
	char dir[] = "/tmp/test_isolation.XXXXXX";
	struct unit_set *s = load_dir(dir, delegating, USERNS_UNIT);
	const char *msg;

	ck_assert_uint_eq(s->warnings.n, 1);
	ck_assert_int_eq(s->warnings.v[0].line, 4);
	ck_assert_ptr_nonnull(strstr(s->warnings.v[0].file, "a.unit"));
	msg = s->warnings.v[0].message;
	ck_assert_msg(strstr(msg, "'cgroup.subtree_control'") && strstr(msg, "'b'") &&
		      strstr(msg, "100000..165535") && strstr(msg, "auto = true"), "%s", msg);
	ck_assert(!unit_set_find(s, "a")->bad);   /* a warning: it still runs */
	unit_set_free(s);
	dir_remove(dir);
	for (size_t i = 0; i < ARRAY_SIZE(quiet); i++) {
		char d[] = "/tmp/test_isolation.XXXXXX";

		s = load_dir(d, quiet[i], USERNS_UNIT);
		ck_assert_msg(s->warnings.n == 0, "case %zu: %s", i,
			      s->warnings.n ? s->warnings.v[0].message : "");
		unit_set_free(s);
		dir_remove(d);
	}
}
END_TEST

/* issue 18.3/18.4: the new fields survive the encoding; a change is a
 * changed unit (reload restarts it). */
START_TEST(userns_join_round_trip)
{
	struct unit_set *s = load("", "exec = [ \"/bin/true\" ];\n"
				  "namespaces = [ \"mount\", \"user\" ];\n"
				  "user_namespace = { auto = true; size = 70000; slot = 3; };\n"), *d = NULL;
	struct unit *u = parse("exec = [ \"/bin/true\" ];\n"
			       "namespaces_from = { net = \"/run/netns/x\"; uts = \"web\"; };\n");
	void *buf = NULL;
	size_t len;

	ck_assert_msg(!s->units[0]->bad, "%s", diags(s->units[0]));
	ck_assert_int_eq(unit_set_encode(s, &buf, &len), 0);
	ck_assert_int_eq(unit_set_decode(buf, len, &d), 0);
	ck_assert(unit_equal(s->units[0], d->units[0]));
	ck_assert_str_eq(d->units[0]->opt->iso.uid_map, "0 268632064 70000\n");
	unit_opt_own(s->units[0])->iso.userns_slot = 4;   /* a decoded set is read-only */
	ck_assert(!unit_equal(s->units[0], d->units[0]));
	free(buf);
	unit_set_free(s);
	unit_set_free(d);
	ck_assert_msg(!u->bad, "%s", diags(u));
	ck_assert_str_eq(u->opt->iso.join[UNIT_JOIN_NET], "/run/netns/x");
	ck_assert_str_eq(u->opt->iso.join[UNIT_JOIN_UTS], "web");
	ck_assert_str_eq(u->requires[0], "web");
	ck_assert_str_eq(u->after[0], "web");
	ck_assert(isolation_valid(&u->opt->iso));
	unit_opt_own(u)->iso.namespaces |= UNIT_NS_BIT(UNIT_NS_UTS);
	ck_assert(!isolation_valid(&u->opt->iso));
	unit_free(u);
}
END_TEST

static Suite *isolation_suite(void)
{
	Suite *s = suite_create("isolation");
	TCase *tc = tcase_create("isolation");

	tcase_add_test(tc, full_schema_parses);
	tcase_add_test(tc, defaults);
	tcase_add_loop_test(tc, bad_values_have_lines, 0, (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
	tcase_add_test(tc, capability_table_matches_libcap);
	tcase_add_test(tc, id_maps);
	tcase_add_test(tc, addresses);
	tcase_add_test(tc, bridge_must_be_declared);
	tcase_add_test(tc, encode_round_trip);
	tcase_add_test(tc, rootfs_forms);
	tcase_add_test(tc, clone_flags);
	tcase_add_test(tc, userns_auto_stable);
	tcase_add_test(tc, userns_auto_clash_said_once);
	tcase_add_test(tc, userns_shared_map_delegation_warned);
	tcase_add_test(tc, userns_join_round_trip);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(isolation_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

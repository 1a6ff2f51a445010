/* test_cgroup.c — the cgroup plan (which controllers go where), the limit
 * files and their values, the statistics parsers, and building a tree
 * below a temporary directory standing in for a cgroup2 root (never the
 * real /sys/fs/cgroup). A fake root has no files of its own: the test
 * creates the interface files it expects initd to write. */
#include <check.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"
#include "initd/cgroup.h"
#include "initd/cgroup_limits.h"
#include "initd/cgroup_plan.h"
#include "initd/log.h"
#include "initd/manager_internal.h"
#include "initd/proc.h"
#include "units/unit.h"

#define BIT(c) UNIT_CONTROLLER_BIT(UNIT_CONTROLLER_##c)
#define ALL (BIT(CPUSET) | BIT(CPU) | BIT(IO) | BIT(MEMORY) | BIT(PIDS))

struct tree {
	char dir[64];
};

static void tree_init(struct tree *t)
{
	snprintf(t->dir, sizeof(t->dir), "/tmp/test_cgroup.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(t->dir));
}

static void tree_file(struct tree *t, const char *name, const char *text)
{
	char path[512], dir[600];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", t->dir, name);
	snprintf(dir, sizeof(dir), "mkdir -p \"$(dirname '%s')\"", path);
	ck_assert_int_eq(system(dir), 0);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

/* The interface files initd writes in a node. */
static void tree_node(struct tree *t, const char *node)
{
	static const char *const files[] = {
		"cgroup.subtree_control", "cgroup.procs", "cgroup.threads", "cgroup.events",
		"cpu.max", "cpu.weight", "cpuset.cpus", "cpuset.mems", "memory.max",
		"memory.high", "memory.low", "memory.min", "memory.swap.max", "memory.oom.group",
		"pids.max", "io.weight", "io.max", "cgroup.max.depth", "cgroup.max.descendants",
	};
	char name[512];

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(name, sizeof(name), "%s%s%s", node, *node ? "/" : "", files[i]);
		tree_file(t, name, "");
	}
}

static char *tree_read(struct tree *t, const char *name)
{
	static char buf[1024];
	char path[512];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", t->dir, name);
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "%s missing", name);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void tree_remove(struct tree *t)
{
	nftw(t->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static bool tree_exists(struct tree *t, const char *name)
{
	char path[1024];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/%s", t->dir, name);
	return stat(path, &sb) == 0;
}

/* A set from initd.conf text and units "NAME:TEXT". */
static struct unit_set *load(struct tree *t, const char *conf, const char *const *units)
{
	char c[512], u[512];
	struct unit_set *s = NULL;

	tree_file(t, "etc/initd.conf", conf);
	for (size_t i = 0; units[i]; i += 2) {
		snprintf(u, sizeof(u), "etc/units/%s.unit", units[i]);
		tree_file(t, u, units[i + 1]);
	}
	snprintf(c, sizeof(c), "%s/etc/initd.conf", t->dir);
	snprintf(u, sizeof(u), "%s/etc/units", t->dir);
	ck_assert_int_eq(unit_set_load(c, u, &s), 0);
	for (size_t i = 0; i < s->diags.n; i++)
		ck_abort_msg("%s:%d: %s", s->diags.v[i].file, s->diags.v[i].line,
			     s->diags.v[i].message);
	return s;
}

static ssize_t slice_at(const struct cgroup_plan *p, const char *path)
{
	for (size_t i = 0; i < p->n_slices; i++)
		if (strcmp(p->slice_path[i], path) == 0)
			return (ssize_t)i;
	ck_abort_msg("no slice %s", path);
	return -1;
}

#define EXEC "exec = [ \"/bin/x\" ];\n"

/* default_accounting off: these plans test what limits alone enable
 * (test_plan_default_accounting tests the default). */
static const char conf_text[] =
	"default_accounting = false;\n"
	"slices = ( { path = \"apps\"; memory = { max = \"1G\"; }; },\n"
	"  { path = \"apps/db\"; cpu = { max = \"50%\"; }; },\n"
	"  { path = \"idle\"; } );\n";
static const char *const units_text[] = {
	"web", EXEC "cgroup = { slice = \"apps\"; pids = { max = 16; }; };\n",
	"db", EXEC "cgroup = { slice = \"apps/db\"; cpuset = { cpus = \"0\"; }; };\n",
	"del", EXEC "user = \"65534\";\n"
	       "cgroup = { memory = { max = \"32M\"; }; subtree_control = [ \"memory\", \"pids\" ]; };\n",
	"plain", EXEC,
	NULL,
};

/* ---- the plan ----------------------------------------------------------------- */

START_TEST(test_plan_controllers)
{
	struct tree t;
	struct unit_set *s;
	struct cgroup_plan *p = NULL;
	char buf[128];

	tree_init(&t);
	s = load(&t, conf_text, units_text);
	ck_assert_int_eq(cgroup_plan_build(s, ALL, &p), 0);
	/* root: every controller some node below needs */
	ck_assert_uint_eq(p->root_subtree, BIT(CPUSET) | BIT(CPU) | BIT(MEMORY) | BIT(PIDS));
	/* apps: its children's needs (apps/db's cpu, web's pids, db's cpuset), not
	 * its own memory limit */
	ck_assert_uint_eq(p->slice_subtree[slice_at(p, "apps")], BIT(CPU) | BIT(PIDS) | BIT(CPUSET));
	ck_assert_uint_eq(p->slice_subtree[slice_at(p, "apps/db")], BIT(CPUSET));
	/* system: del's limit and delegation */
	ck_assert_uint_eq(p->slice_subtree[slice_at(p, "system")], BIT(MEMORY) | BIT(PIDS));
	ck_assert_uint_eq(p->slice_subtree[slice_at(p, "idle")], 0);
	/* what each unit needs above itself */
	ck_assert_uint_eq(cgroup_plan_unit_needs(p, unit_set_find(s, "db")),
			  BIT(CPUSET) | BIT(CPU) | BIT(MEMORY));
	ck_assert_uint_eq(cgroup_plan_unit_needs(p, unit_set_find(s, "plain")), 0);
	ck_assert_ptr_null(cgroup_plan_unit_problem(p, unit_set_find(s, "db"), buf, sizeof(buf)));
	cgroup_plan_free(p);
	unit_set_free(s);
	tree_remove(&t);
}
END_TEST

START_TEST(test_plan_missing_controller)
{
	struct tree t;
	struct unit_set *s;
	struct cgroup_plan *p = NULL;
	char buf[128];

	tree_init(&t);
	s = load(&t, conf_text, units_text);
	ck_assert_int_eq(cgroup_plan_build(s, ALL & ~BIT(CPUSET) & ~BIT(PIDS), &p), 0);
	ck_assert_uint_eq(p->root_subtree, BIT(CPU) | BIT(MEMORY));
	ck_assert_uint_eq(p->slice_subtree[slice_at(p, "apps")], BIT(CPU));
	ck_assert_str_eq(cgroup_plan_unit_problem(p, unit_set_find(s, "db"), buf, sizeof(buf)),
			 "no cpuset controller in this kernel");
	ck_assert_str_eq(cgroup_plan_unit_problem(p, unit_set_find(s, "del"), buf, sizeof(buf)),
			 "no pids controller in this kernel");
	ck_assert_ptr_null(cgroup_plan_unit_problem(p, unit_set_find(s, "plain"), buf, sizeof(buf)));
	cgroup_plan_free(p);
	unit_set_free(s);
	tree_remove(&t);
}
END_TEST

/* ---- the files -------------------------------------------------------------------- */

START_TEST(test_limits_settings)
{
	struct unit *u = NULL;
	struct cgroup_setting *st = calloc(CGROUP_SETTINGS_MAX, sizeof(*st));
	static const char *const want[][2] = {
		{ "cpu.max", "50000 100000" },   /* in unit_limit_table's order */
		{ "cpu.weight", "100" },
		{ "cpuset.cpus", "0-1" },
		{ "cpuset.mems", "0" },
		{ "memory.max", "67108864" },
		{ "memory.high", "50331648" },
		{ "memory.low", "16777216" },
		{ "memory.min", "8388608" },
		{ "memory.swap.max", "0" },
		{ "memory.oom.group", "1" },
		{ "pids.max", "64" },
		{ "io.weight", "default 100" },
		{ "io.max", "8:0 rbps=10485760 wbps=max riops=1000 wiops=max" },
		{ "cpu.max.burst", "10000" },   /* after cpu.max, which bounds it */
	};
	size_t n;

	ck_assert_int_eq(unit_parse_string("t.unit", EXEC "cgroup = {\n"
		"  cpu = { max = \"50%\"; weight = 100; max_burst = \"10ms\"; };\n"
		"  cpuset = { cpus = \"0-1\"; mems = \"0\"; };\n"
		"  memory = { max = \"64M\"; high = \"48M\"; low = \"16M\"; min = \"8M\"; swap_max = \"0\";"
		" oom_group = true; };\n"
		"  pids = { max = 64; };\n"
		"  io = { weight = 100; max = ( { device = \"8:0\"; rbps = \"10M\"; wbps = \"max\";"
		" riops = 1000; wiops = \"max\"; } ); };\n};\n", &u), 0);
	ck_assert(!u->bad);
	n = cgroup_limits_settings(&u->opt->limits, st);
	ck_assert_uint_eq(n, ARRAY_SIZE(want));
	for (size_t i = 0; i < n; i++) {
		ck_assert_str_eq(st[i].file, want[i][0]);
		ck_assert_str_eq(st[i].value, want[i][1]);
	}
	unit_free(u);
	ck_assert_int_eq(unit_parse_string("t.unit", EXEC "cgroup = { cpu = { max = \"max\"; };"
					   " memory = { max = \"max\"; }; pids = { max = \"max\"; }; };\n",
					   &u), 0);
	n = cgroup_limits_settings(&u->opt->limits, st);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(st[0].value, "max 100000");
	ck_assert_str_eq(st[1].value, "max");
	ck_assert_str_eq(st[2].value, "max");
	unit_free(u);
	free(st);
}
END_TEST

START_TEST(test_stats_parse)
{
	struct cgroup_psi psi;
	uint64_t v;
	static const char cpu_stat[] = "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n"
				       "nr_periods 40\nnr_throttled 30\nthrottled_usec 99000\n";

	ck_assert_int_eq(cgroup_keyed_value(cpu_stat, "usage_usec", &v), 0);
	ck_assert_uint_eq(v, 1500);
	ck_assert_int_eq(cgroup_keyed_value(cpu_stat, "throttled_usec", &v), 0);
	ck_assert_uint_eq(v, 99000);
	ck_assert_int_eq(cgroup_keyed_value(cpu_stat, "nr_bursts", &v), -ENOENT);
	ck_assert_int_eq(cgroup_keyed_value("oom 1\noom_kill 2\n", "oom_kill", &v), 0);
	ck_assert_uint_eq(v, 2);
	ck_assert_int_eq(cgroup_keyed_value("oom_kill 2\noom 1\n", "oom", &v), 0);
	ck_assert_uint_eq(v, 1);
	ck_assert_int_eq(cgroup_psi_parse("some avg10=12.34 avg60=1.00 avg300=0.00 total=5\n"
					  "full avg10=0.50 avg60=0.00 avg300=0.00 total=1\n", &psi), 0);
	ck_assert_uint_eq(psi.some_avg10, 1234);
	ck_assert_uint_eq(psi.full_avg10, 50);
	ck_assert_int_eq(cgroup_psi_parse("full avg10=0.50\n", &psi), -EBADMSG);
	ck_assert_uint_eq(cgroup_controllers_parse("cpuset cpu io memory hugetlb pids rdma misc\n"),
			  (1U << UNIT_CONTROLLER_MAX) - 1);
	ck_assert_uint_eq(cgroup_controllers_parse("memory  bogus pids"), BIT(MEMORY) | BIT(PIDS));
	{
		char buf[64];
		ck_assert_str_eq(cgroup_controllers_format(BIT(MEMORY) | BIT(CPU), "+", buf,
							   sizeof(buf)), "+cpu +memory");
	}
}
END_TEST

START_TEST(test_stats_read)
{
	struct tree t;
	struct cgroup_stats st;
	int fd;

	tree_init(&t);
	tree_file(&t, "memory.current", "1048576\n");
	tree_file(&t, "memory.peak", "2097152\n");
	tree_file(&t, "memory.max", "max\n");
	tree_file(&t, "pids.current", "3\n");
	tree_file(&t, "pids.max", "16\n");
	tree_file(&t, "pids.events", "max 7\n");
	tree_file(&t, "cpu.stat", "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n");
	tree_file(&t, "memory.events", "low 0\nhigh 0\nmax 4\noom 2\noom_kill 1\n");
	tree_file(&t, "cpu.pressure", "some avg10=1.50 avg60=0 avg300=0 total=0\n"
		  "full avg10=0.00 avg60=0 avg300=0 total=0\n");
	fd = open(t.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	cgroup_stats_read(fd, &st);
	close(fd);
	ck_assert_uint_eq(st.mem_current, 1 << 20);
	ck_assert_uint_eq(st.mem_peak, 2 << 20);
	ck_assert(!(st.have & CGROUP_STAT_BIT(CGROUP_STAT_MEM_MAX)));   /* "max" */
	ck_assert_uint_eq(st.pids_current, 3);
	ck_assert_uint_eq(st.pids_max, 16);
	ck_assert_uint_eq(st.pids_events, 7);
	ck_assert_uint_eq(st.cpu_usage_usec, 1500);
	ck_assert(!(st.have & CGROUP_STAT_BIT(CGROUP_STAT_CPU_THROTTLING)));
	ck_assert_uint_eq(st.oom_kills, 1);
	ck_assert_uint_eq(st.psi_cpu.some_avg10, 150);
	ck_assert(!(st.have & CGROUP_STAT_BIT(CGROUP_STAT_PSI_IO)));
	tree_remove(&t);
}
END_TEST

/* memory.events' oom_kill, as PID 1 follows it: 1 when it grew; the key at
 * a line's start only (oom_group_kill is another counter). */
START_TEST(test_oom_kills_grow)
{
	struct tree t;
	unsigned long last = 0;
	int fd;

	tree_init(&t);
	tree_file(&t, "memory.events", "oom 2\noom_group_kill 9\noom_kill 3\n");
	fd = open(t.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(cgroup_oom_kills(fd, &last), 1);
	ck_assert_uint_eq(last, 3);
	ck_assert_int_eq(cgroup_oom_kills(fd, &last), 0);   /* no growth */
	tree_file(&t, "memory.events", "oom 2\n");
	ck_assert_int_eq(cgroup_oom_kills(fd, &last), -EBADMSG);
	ck_assert_uint_eq(last, 3);
	close(fd);
	tree_remove(&t);
}
END_TEST

/* ---- building the tree ------------------------------------------------------------- */

START_TEST(test_apply)
{
	struct tree t;
	struct unit_set *s;
	struct cgroup_plan *p = NULL;
	char root[128], why[CGROUP_PROBLEM_MAX], path[256];
	int fd, node = -1, leaf = -1;
	struct stat sb;

	tree_init(&t);
	s = load(&t, conf_text, units_text);
	snprintf(root, sizeof(root), "%s/cg", t.dir);
	tree_node(&t, "cg");
	tree_node(&t, "cg/apps");
	tree_node(&t, "cg/apps/db");
	tree_node(&t, "cg/system");
	tree_node(&t, "cg/system/del");
	tree_node(&t, "cg/system/del/main");
	tree_node(&t, "cg/apps/web");
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(cgroup_plan_build(s, ALL, &p), 0);
	cgroup_plan_apply(p, s, NULL, fd);

	ck_assert_str_eq(tree_read(&t, "cg/cgroup.subtree_control"), "+cpuset +cpu +memory +pids");
	ck_assert_str_eq(tree_read(&t, "cg/apps/cgroup.subtree_control"), "+cpuset +cpu +pids");
	ck_assert_str_eq(tree_read(&t, "cg/apps/memory.max"), "1073741824");
	ck_assert_str_eq(tree_read(&t, "cg/apps/db/cpu.max"), "50000 100000");
	ck_assert_str_eq(tree_read(&t, "cg/apps/db/cgroup.subtree_control"), "+cpuset");
	ck_assert_str_eq(tree_read(&t, "cg/system/cgroup.subtree_control"), "+memory +pids");
	ck_assert_str_eq(p->slice_problem[slice_at(p, "apps")], "");
	ck_assert_str_eq(p->slice_problem[slice_at(p, "idle")], "");   /* nothing to write */

	/* a plain service: its node is its leaf, limits written */
	ck_assert_int_eq(cgroup_plan_open_service(unit_set_find(s, "web"), fd, (uid_t)-1,
						  (gid_t)-1, &node, &leaf, why, sizeof(why)), 0);
	ck_assert_int_ge(node, 0);
	ck_assert_int_eq(leaf, -1);
	ck_assert_str_eq(tree_read(&t, "cg/apps/web/pids.max"), "16");
	close(node);

	/* a delegating one: node/main, subtree_control, handed to the user */
	ck_assert_int_eq(cgroup_plan_open_service(unit_set_find(s, "del"), fd, 65534, 65534,
						  &node, &leaf, why, sizeof(why)), 0);
	ck_assert_int_ge(leaf, 0);
	ck_assert_str_eq(tree_read(&t, "cg/system/del/cgroup.subtree_control"), "+memory +pids");
	ck_assert_str_eq(tree_read(&t, "cg/system/del/memory.max"), "33554432");
	ck_assert_str_eq(tree_read(&t, "cg/system/del/cgroup.max.depth"), "16");   /* defaults */
	ck_assert_str_eq(tree_read(&t, "cg/system/del/cgroup.max.descendants"), "256");
	if (geteuid() == 0) {
		ck_assert_int_eq(fstat(node, &sb), 0);
		ck_assert_uint_eq(sb.st_uid, 65534);
		ck_assert_int_eq(stat(strcat(root, "/system/del/cgroup.procs"), &sb), 0);
		ck_assert_uint_eq(sb.st_uid, 65534);
	}
	close(node);
	close(leaf);

	/* a node made by this call says so (its counters are all 0: PID 1
	 * reads no memory.events for it); one that was there does not */
	ck_assert_int_eq(cgroup_plan_open_service(unit_set_find(s, "plain"), fd, (uid_t)-1,
						  (gid_t)-1, &node, &leaf, why, sizeof(why)), 1);
	ck_assert(tree_exists(&t, "cg/system/plain"));
	ck_assert_int_eq(leaf, -1);
	close(node);
	ck_assert_int_eq(cgroup_plan_open_service(unit_set_find(s, "plain"), fd, (uid_t)-1,
						  (gid_t)-1, &node, &leaf, why, sizeof(why)), 0);
	close(node);
	/* its slice removed since the plan made it: made again on the way */
	snprintf(path, sizeof(path), "%s/cg/system", t.dir);
	nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	ck_assert(!tree_exists(&t, "cg/system"));
	ck_assert_int_eq(cgroup_plan_open_service(unit_set_find(s, "plain"), fd, (uid_t)-1,
						  (gid_t)-1, &node, &leaf, why, sizeof(why)), 0);
	ck_assert(tree_exists(&t, "cg/system/plain"));
	close(node);

	/* a node whose files refuse: the reason names the file */
	ck_assert_int_eq(cgroup_plan_open_service(unit_set_find(s, "db"), fd, (uid_t)-1, (gid_t)-1,
						  &node, &leaf, why, sizeof(why)), -ENOENT);
	ck_assert_str_eq(why, "cpuset.cpus: No such file or directory");
	close(fd);
	cgroup_plan_free(p);
	unit_set_free(s);
	tree_remove(&t);
}
END_TEST

/* A node that was there when the unit's cgroup is opened (a reload's new
 * unit taking the node of its old one, which a process still held): what
 * the new unit no longer declares goes back to the kernel's default, and
 * what it declares is written after (before, the old unit's limits stayed
 * in force). */
START_TEST(test_reused_node_is_reset)
{
	static const char *const units[] = {
		"web", EXEC "cgroup = { slice = \"apps\"; pids = { max = 16; }; };\n", NULL,
	};
	struct tree t;
	struct unit_set *s;
	char root[128], why[CGROUP_PROBLEM_MAX];
	int fd, node = -1, leaf = -1;

	tree_init(&t);
	s = load(&t, "default_accounting = false; slices = ( { path = \"apps\"; } );\n", units);
	snprintf(root, sizeof(root), "%s/cg", t.dir);
	tree_node(&t, "cg");
	tree_node(&t, "cg/apps/web");
	/* the old unit's limits, as the kernel's files hold them */
	tree_file(&t, "cg/apps/web/memory.max", "33554432");
	tree_file(&t, "cg/apps/web/cpu.weight", "50");
	tree_file(&t, "cg/apps/web/pids.max", "4");
	tree_file(&t, "cg/apps/web/io.max", "8:0 rbps=1 wbps=max riops=max wiops=max\n");
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(cgroup_plan_open_service(unit_set_find(s, "web"), fd, (uid_t)-1,
						  (gid_t)-1, &node, &leaf, why, sizeof(why)), 0);
	close(node);
	/* each file as appended to: the old value, then what was written */
	ck_assert_str_eq(tree_read(&t, "cg/apps/web/memory.max"), "33554432max");
	ck_assert_str_eq(tree_read(&t, "cg/apps/web/cpu.weight"), "50100");
	ck_assert_str_eq(tree_read(&t, "cg/apps/web/pids.max"), "416");
	ck_assert_str_eq(tree_read(&t, "cg/apps/web/io.max"),
			 "8:0 rbps=1 wbps=max riops=max wiops=max\n"
			 "8:0 rbps=max wbps=max riops=max wiops=max");
	ck_assert_str_eq(tree_read(&t, "cg/apps/web/memory.low"), "0");
	close(fd);
	unit_set_free(s);
	tree_remove(&t);
}
END_TEST

/* ---- long paths, deep trees (issue 11: defects 9 and 11) ------------------------------ */

/* The longest legal slice path: UNIT_SLICE_DEPTH names of UNIT_NAME_MAX bytes. */
static void longest_slice(char *buf, size_t size)
{
	size_t n = 0;

	for (int d = 0; d < UNIT_SLICE_DEPTH; d++) {
		if (d)
			buf[n++] = '/';
		for (int i = 0; i < UNIT_NAME_MAX; i++)
			buf[n++] = (char)(i == 0 ? 'a' + d : 'x');
	}
	buf[n] = '\0';
	ck_assert_uint_lt(n, size);
}

START_TEST(test_leaf_longest_path)
{
	struct tree t;
	struct cgroup_tree cg = { .root_fd = -1 };
	char slice[UNIT_SLICE_PATH_MAX + 1], name[UNIT_NAME_MAX + 1], path[UNIT_CGROUP_PATH_MAX + 64];
	int leaf = -1;

	tree_init(&t);
	longest_slice(slice, sizeof(slice));
	ck_assert_uint_eq(strlen(slice), UNIT_SLICE_PATH_MAX);
	ck_assert(unit_slice_path_valid(slice));
	memset(name, 'n', UNIT_NAME_MAX);
	name[UNIT_NAME_MAX] = '\0';
	ck_assert(unit_name_valid(name));
	cg.root_fd = open(t.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_eq(cgroup_leaf_open(&cg, slice, name, &leaf), 0);
	ck_assert_int_ge(leaf, 0);
	close(leaf);
	snprintf(path, sizeof(path), "%s/%s", slice, name);
	ck_assert_uint_eq(strlen(path), UNIT_CGROUP_PATH_MAX);
	ck_assert(tree_exists(&t, path));
	ck_assert_int_eq(cgroup_leaf_remove(&cg, slice, name), 0);
	ck_assert(!tree_exists(&t, path));
	close(cg.root_fd);
	tree_remove(&t);
}
END_TEST

/* /proc/PID/cgroup with long lines: a v1 line longer than any buffer whose
 * tail looks like a v2 line, then the real v2 line of the longest leaf. */
START_TEST(test_proc_cgroup_long_lines)
{
	char slice[UNIT_SLICE_PATH_MAX + 1], text[4096], buf[UNIT_CGROUP_PATH_MAX + 2], small[16];
	size_t n = 0;
	FILE *f;

	longest_slice(slice, sizeof(slice));
	n += (size_t)snprintf(text + n, sizeof(text) - n, "1:name=systemd:/");
	memset(text + n, 'v', 700);
	n += 700;
	n += (size_t)snprintf(text + n, sizeof(text) - n, "0::/fake\n");
	n += (size_t)snprintf(text + n, sizeof(text) - n, "0::/%s/svc\n", slice);
	f = fmemopen(text, n, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(proc_cgroup_path_read(f, buf, sizeof(buf)), (int)strlen(slice) + 4);
	ck_assert(strncmp(buf, slice, strlen(slice)) == 0);
	ck_assert_str_eq(buf + strlen(slice), "/svc");
	fclose(f);
	/* too long for the buffer: its length, and as much as fits */
	f = fmemopen(text, n, "r");
	ck_assert_int_eq(proc_cgroup_path_read(f, small, sizeof(small)), (int)strlen(slice) + 4);
	ck_assert_uint_eq(strlen(small), sizeof(small) - 1);
	ck_assert(strncmp(small, slice, sizeof(small) - 1) == 0);
	fclose(f);
	/* no v2 line */
	f = fmemopen((char *)"1:cpu:/a\n2:memory:/b", 20, "r");
	ck_assert_int_eq(proc_cgroup_path_read(f, buf, sizeof(buf)), -ENOENT);
	fclose(f);
	/* the root cgroup */
	f = fmemopen((char *)"0::/\n", 5, "r");
	ck_assert_int_eq(proc_cgroup_path_read(f, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "");
	fclose(f);
}
END_TEST

/* A leftover tree deeper than any fixed recursion bound is removed whole,
 * bottom-up (plain directories stand in for cgroups). */
START_TEST(test_remove_deep_tree)
{
	struct tree t;
	struct cgroup_tree cg = { .root_fd = -1 };
	char path[2048], cmd[4200];
	size_t n;

	tree_init(&t);
	n = (size_t)snprintf(path, sizeof(path), "%s/apps/deep", t.dir);
	for (int i = 0; i < 100; i++)
		n += (size_t)snprintf(path + n, sizeof(path) - n, "/t%d", i);
	ck_assert_uint_lt(n, sizeof(path));
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s' '%s/apps/deep/t0/side/a/b' '%s/apps/deep/u'",
		 path, t.dir, t.dir);
	ck_assert_int_eq(system(cmd), 0);
	cg.root_fd = open(t.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert(tree_exists(&t, "apps/deep/t0/t1/t2"));
	ck_assert_int_eq(cgroup_leaf_remove(&cg, "apps", "deep"), 0);
	ck_assert(!tree_exists(&t, "apps/deep"));
	ck_assert(tree_exists(&t, "apps"));
	ck_assert_int_eq(cgroup_leaf_remove(&cg, "apps", "deep"), -ENOENT);
	close(cg.root_fd);
	tree_remove(&t);
}
END_TEST

/* svctl kill reaches a process as deep as a delegated unit may nest
 * (delegate_max_depth up to 64, below its node's main/): the walk stopped
 * at 32 levels and said nothing. A child of the test, named in a
 * cgroup.procs 66 levels down, gets the signal. */
START_TEST(test_signal_reaches_the_deepest)
{
	struct tree t;
	char path[2048], cmd[2200], procs[2100];
	int fd, status, ready[2];
	size_t n;
	pid_t kid;
	char c;
	FILE *f;

	tree_init(&t);
	ck_assert_int_eq(pipe2(ready, O_CLOEXEC), 0);
	n = (size_t)snprintf(path, sizeof(path), "%s/node/main", t.dir);
	for (int i = 0; i < UNIT_DELEGATE_DEPTH_MAX; i++)
		n += (size_t)snprintf(path + n, sizeof(path) - n, "/d");
	ck_assert_uint_lt(n, sizeof(path));
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", path);
	ck_assert_int_eq(system(cmd), 0);
	kid = fork();
	ck_assert_int_ge(kid, 0);
	if (kid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);   /* a failed check leaves none */
		signal(SIGTERM, SIG_DFL);           /* not the test runner's handler */
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	ck_assert_int_eq(read(ready[0], &c, 1), 1);   /* its handler is the default */
	close(ready[0]);
	close(ready[1]);
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", path);
	f = fopen(procs, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "%d\n", (int)kid);
	fclose(f);
	snprintf(path, sizeof(path), "%s/node", t.dir);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(cgroup_signal(fd, SIGTERM), 1);
	close(fd);
	ck_assert_int_eq(waitpid(kid, &status, 0), kid);
	ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
	tree_remove(&t);
}
END_TEST

/* A child of the test that waits to be killed; its PID. */
static pid_t victim_start(void)
{
	int ready[2];
	pid_t kid;
	char c;

	ck_assert_int_eq(pipe2(ready, O_CLOEXEC), 0);
	kid = fork();
	ck_assert_int_ge(kid, 0);
	if (kid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);   /* a failed check leaves none */
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	ck_assert_int_eq(read(ready[0], &c, 1), 1);
	close(ready[0]);
	close(ready[1]);
	return kid;
}

/* A stop's kill where cgroup.kill fails outright: absent (a kernel before
 * 5.14: ENOENT) or refusing the write (a directory here: EISDIR, as an
 * EIO or EACCES would). The node's processes still get SIGKILL, each
 * from its cgroup.procs, and the log says so with the unit's name and
 * the kernel's reason. It was -errno and nothing killed: the stop waited
 * for ever for a main process that ignores its stop signal. */
START_TEST(test_kill_without_cgroup_kill)
{
	static const struct { bool dir; const char *why; } cases[] = {
		{ false, "No such file or directory" }, { true, "Is a directory" },
	};
	static struct manager m;   /* a manager of nothing but the cgroup root */
	static struct unit u = { .name = "svc" };   /* in the default slice */
	struct svc v = { .m = &m, .has_cgroup = true };
	char procs[32], logged[4096], path[1100];
	int status, pipefd[2];
	struct tree t;
	ssize_t n;
	pid_t kid;

	v.s.unit = &u;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		tree_init(&t);
		kid = victim_start();
		snprintf(procs, sizeof(procs), "%d\n", (int)kid);
		tree_file(&t, "system/svc/cgroup.procs", procs);
		tree_file(&t, "system/svc/cgroup.events", "populated 1\nfrozen 0\n");
		snprintf(path, sizeof(path), "%s/system/svc/cgroup.kill", t.dir);
		if (cases[i].dir)
			ck_assert_int_eq(mkdir(path, 0755), 0);
		m.cg.root_fd = open(t.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		ck_assert_int_ge(m.cg.root_fd, 0);
		ck_assert_int_eq(pipe2(pipefd, O_CLOEXEC | O_NONBLOCK), 0);
		log_set_kmsg_fd(pipefd[1]);
		v.kill_warned = false;
		/* 1 + one killed one by one: asked again, as a fork may have
		 * left a child (it was 0, "its empty event follows") */
		ck_assert_int_eq(svc_cgroup_kill(&m, &v), 2);
		log_set_kmsg_fd(-1);
		ck_assert_int_eq(waitpid(kid, &status, 0), kid);
		ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
		n = read(pipefd[0], logged, sizeof(logged) - 1);
		ck_assert_int_gt(n, 0);
		logged[n] = '\0';
		ck_assert_msg(strstr(logged, "svc: ") && strstr(logged, cases[i].why), "%s", logged);
		/* The next kill says it no more (once a unit: a kernel without
		 * cgroup.kill said it at every stop). */
		kid = victim_start();
		snprintf(procs, sizeof(procs), "%d\n", (int)kid);
		tree_file(&t, "system/svc/cgroup.procs", procs);
		log_set_kmsg_fd(pipefd[1]);
		ck_assert_int_eq(svc_cgroup_kill(&m, &v), 2);
		log_set_kmsg_fd(-1);
		ck_assert_int_eq(waitpid(kid, &status, 0), kid);
		ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
		n = read(pipefd[0], logged, sizeof(logged) - 1);
		ck_assert_msg(n < 0 && errno == EAGAIN, "said again: %.*s", (int)(n > 0 ? n : 0),
			      logged);
		close(pipefd[0]);
		close(pipefd[1]);
		close(m.cg.root_fd);
		tree_remove(&t);
	}
}
END_TEST

START_TEST(test_apply_slice_problem)
{
	struct tree t;
	struct unit_set *s;
	struct cgroup_plan *p = NULL;
	char root[128], why[CGROUP_PROBLEM_MAX];
	int fd;

	tree_init(&t);
	s = load(&t, conf_text, units_text);
	snprintf(root, sizeof(root), "%s/cg", t.dir);
	tree_node(&t, "cg");          /* no files in apps: its memory.max fails */
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(cgroup_plan_build(s, ALL, &p), 0);
	cgroup_plan_apply(p, s, NULL, fd);
	ck_assert_str_eq(p->slice_problem[slice_at(p, "apps")], "memory.max: No such file or directory");
	ck_assert_str_eq(p->slice_problem[slice_at(p, "apps/db")], "in slice apps");
	ck_assert_str_eq(cgroup_plan_unit_problem(p, unit_set_find(s, "db"), why, sizeof(why)),
			 "slice apps: memory.max: No such file or directory");
	ck_assert_str_eq(cgroup_plan_unit_problem(p, unit_set_find(s, "web"), why, sizeof(why)),
			 "slice apps: memory.max: No such file or directory");
	close(fd);
	cgroup_plan_free(p);
	unit_set_free(s);
	tree_remove(&t);
}
END_TEST

/* A reload whose initd.conf takes limits off a slice: the kernel files
 * go back to their defaults (before, the old limits stayed in force). */
START_TEST(test_reload_resets_slice_limits)
{
	static const char conf_a[] =
		"default_accounting = false;\n"
		"slices = ( { path = \"apps\"; memory = { max = \"1G\"; low = \"1M\"; };\n"
		"  cpu = { weight = 50; }; pids = { max = 10; };\n"
		"  io = { max = ( { device = \"8:0\"; rbps = \"1M\"; },\n"
		"                 { device = \"8:16\"; wbps = \"2M\"; } ); }; } );\n";
	static const char conf_b[] =
		"default_accounting = false;\n"
		"slices = ( { path = \"apps\"; pids = { max = 20; };\n"
		"  io = { max = ( { device = \"8:16\"; wbps = \"3M\"; } ); }; } );\n";
	static const char *const files[] = { "memory.max", "memory.low", "cpu.weight", "pids.max",
					     "io.max", "cgroup.subtree_control" };
	static const char *const units[] = { "web", EXEC "cgroup = { slice = \"apps\"; };\n", NULL };
	struct tree t, t2;
	struct unit_set *sa, *sb;
	struct cgroup_plan *pa = NULL, *pb = NULL;
	char root[128], name[64];
	int fd;

	tree_init(&t);
	tree_init(&t2);
	sa = load(&t, conf_a, units);
	sb = load(&t2, conf_b, units);
	snprintf(root, sizeof(root), "%s/cg", t.dir);
	tree_node(&t, "cg");
	for (size_t i = 0; i < sizeof(files) / sizeof(*files); i++) {
		snprintf(name, sizeof(name), "cg/apps/%s", files[i]);
		tree_file(&t, name, "");
	}
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(cgroup_plan_build(sa, ALL, &pa), 0);
	cgroup_plan_apply(pa, sa, NULL, fd);
	ck_assert_str_eq(pa->slice_problem[slice_at(pa, "apps")], "");
	ck_assert_str_eq(tree_read(&t, "cg/apps/memory.max"), "1073741824");
	ck_assert_int_eq(cgroup_plan_build(sb, ALL, &pb), 0);
	cgroup_plan_apply(pb, sb, sa, fd);
	ck_assert_str_eq(pb->slice_problem[slice_at(pb, "apps")], "");
	/* each file as appended to: the old value, then what the reload wrote */
	ck_assert_str_eq(tree_read(&t, "cg/apps/memory.max"), "1073741824max");
	ck_assert_str_eq(tree_read(&t, "cg/apps/memory.low"), "10485760");
	ck_assert_str_eq(tree_read(&t, "cg/apps/cpu.weight"), "50100");
	ck_assert_str_eq(tree_read(&t, "cg/apps/pids.max"), "1020");
	ck_assert_str_eq(tree_read(&t, "cg/apps/io.max"),
			 "8:0 rbps=1048576 wbps=max riops=max wiops=max"
			 "8:16 rbps=max wbps=2097152 riops=max wiops=max"
			 "8:0 rbps=max wbps=max riops=max wiops=max"
			 "8:16 rbps=max wbps=3145728 riops=max wiops=max");
	close(fd);
	cgroup_plan_free(pa);
	cgroup_plan_free(pb);
	unit_set_free(sa);
	unit_set_free(sb);
	tree_remove(&t);
	tree_remove(&t2);
}
END_TEST

/* A slice dropped by one reload and declared again by the next, before the
 * prune removed its directory: the limits of the first text go too. */
START_TEST(test_readded_slice_is_reset)
{
	static const char conf_a[] = "default_accounting = false;\n"
		"slices = ( { path = \"apps\"; memory = { max = \"1G\"; }; } );\n";
	static const char conf_c[] = "default_accounting = false;\n";
	static const char conf_b[] = "default_accounting = false;\n"
		"slices = ( { path = \"apps\"; pids = { max = 20; }; } );\n";
	static const char *const units[] = { "plain", EXEC, NULL };
	struct tree t, t2, t3;
	struct unit_set *sa, *sb, *sc;
	struct cgroup_plan *pa = NULL, *pb = NULL, *pc = NULL;
	char root[128];
	int fd;

	tree_init(&t);
	tree_init(&t2);
	tree_init(&t3);
	sa = load(&t, conf_a, units);
	sc = load(&t2, conf_c, units);
	sb = load(&t3, conf_b, units);
	snprintf(root, sizeof(root), "%s/cg", t.dir);
	tree_node(&t, "cg");
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(cgroup_plan_build(sa, ALL, &pa), 0);
	/* apps there before the first text (its files, for the writes to
	 * land): what that text leaves out is reset too (pids.max "max") */
	tree_file(&t, "cg/apps/memory.max", "");
	tree_file(&t, "cg/apps/pids.max", "");
	cgroup_plan_apply(pa, sa, NULL, fd);
	ck_assert_str_eq(tree_read(&t, "cg/apps/memory.max"), "1073741824");
	ck_assert_int_eq(cgroup_plan_build(sc, ALL, &pc), 0);
	cgroup_plan_apply(pc, sc, sa, fd);   /* apps dropped, still there */
	ck_assert_int_eq(cgroup_plan_build(sb, ALL, &pb), 0);
	cgroup_plan_apply(pb, sb, sc, fd);   /* and back, without memory.max */
	ck_assert_str_eq(tree_read(&t, "cg/apps/memory.max"), "1073741824max");
	ck_assert_str_eq(tree_read(&t, "cg/apps/pids.max"), "max20");
	/* a reset the kernel refuses is logged: the slice and its new limits
	 * stay (a directory where cpu.weight would be: EISDIR) */
	tree_node(&t, "cg/apps/cpu.weight");
	/* with no text before, io.max's devices are the file's (a line
	 * that names none is passed over, and so is one cut after MAJ:MIN,
	 * which may name another device: "259:1" of "259:12 ...") */
	tree_file(&t, "cg/apps/io.max", "8:0 rbps=1 wbps=max riops=max wiops=max\n"
		  "x:1 rbps=2\n253:7 rbps=max wbps=5 riops=max wiops=max\n259:1");
	cgroup_plan_free(pb);
	ck_assert_int_eq(cgroup_plan_build(sb, ALL, &pb), 0);
	cgroup_plan_apply(pb, sb, NULL, fd);
	ck_assert_str_eq(pb->slice_problem[slice_at(pb, "apps")], "");
	ck_assert_str_eq(tree_read(&t, "cg/apps/pids.max"), "max2020");
	ck_assert_str_eq(tree_read(&t, "cg/apps/io.max"),
			 "8:0 rbps=1 wbps=max riops=max wiops=max\nx:1 rbps=2\n"
			 "253:7 rbps=max wbps=5 riops=max wiops=max\n259:1"
			 "8:0 rbps=max wbps=max riops=max wiops=max"
			 "253:7 rbps=max wbps=max riops=max wiops=max");
	close(fd);
	cgroup_plan_free(pa);
	cgroup_plan_free(pb);
	cgroup_plan_free(pc);
	unit_set_free(sa);
	unit_set_free(sb);
	unit_set_free(sc);
	tree_remove(&t);
	tree_remove(&t2);
	tree_remove(&t3);
}
END_TEST

/* ---- pruning after a reload ------------------------------------------------------ */

/* conf_text's set reloaded: slices apps/db and idle dropped, del (the only
 * one needing memory and pids in system) and db removed. */
static const char conf2_text[] = "default_accounting = false; slices = ( { path = \"apps\"; memory = { max = \"1G\"; }; } );\n";
static const char *const units2_text[] = {
	"web", EXEC "cgroup = { slice = \"apps\"; pids = { max = 16; }; };\n",
	"plain", EXEC,
	NULL,
};

/* The default: memory and pids down to every unit's slice, for a unit
 * without any limit too (`svctl status` shows every unit's memory). */
START_TEST(test_plan_default_accounting)
{
	static const char *const units[] = { "plain", EXEC, NULL };
	struct tree t;
	struct unit_set *s;
	struct cgroup_plan *p = NULL;

	tree_init(&t);
	s = load(&t, "", units);
	ck_assert_int_eq(cgroup_plan_build(s, ALL, &p), 0);
	ck_assert_uint_eq(p->root_subtree, BIT(MEMORY) | BIT(PIDS));
	ck_assert_uint_eq(p->slice_subtree[slice_at(p, "system")], BIT(MEMORY) | BIT(PIDS));
	cgroup_plan_free(p);
	unit_set_free(s);
	tree_remove(&t);
}
END_TEST

START_TEST(test_plan_inherit)
{
	struct tree t1, t2;
	struct unit_set *s1, *s2;
	struct cgroup_plan *p1 = NULL, *p2 = NULL, *p3 = NULL, *same = NULL;

	tree_init(&t1);
	tree_init(&t2);
	s1 = load(&t1, conf_text, units_text);
	s2 = load(&t2, conf2_text, units2_text);
	ck_assert_int_eq(cgroup_plan_build(s1, ALL, &p1), 0);
	ck_assert_int_eq(cgroup_plan_build(s2, ALL, &p2), 0);
	ck_assert_int_eq(cgroup_plan_inherit(p2, p1), 0);
	/* root and apps keep memory (apps' limit) and pids (web) */
	ck_assert_uint_eq(p2->root_subtree, BIT(MEMORY) | BIT(PIDS));
	ck_assert_uint_eq(p2->root_stale, BIT(CPUSET) | BIT(CPU));
	ck_assert_uint_eq(p2->slice_stale[slice_at(p2, "apps")], BIT(CPUSET) | BIT(CPU));
	ck_assert_uint_eq(p2->slice_stale[slice_at(p2, "system")], BIT(MEMORY) | BIT(PIDS));
	ck_assert_uint_eq(p2->n_gone, 2);
	ck_assert_str_eq(p2->gone_path[0], "apps/db");
	ck_assert_uint_eq(p2->gone_subtree[0], BIT(CPUSET));
	ck_assert_str_eq(p2->gone_path[1], "idle");

	/* reloaded back before the prune ran: nothing gone, apps/db's cpuset
	 * is wanted again, nothing of p1's is stale */
	ck_assert_int_eq(cgroup_plan_build(s1, ALL, &p3), 0);
	ck_assert_int_eq(cgroup_plan_inherit(p3, p2), 0);
	ck_assert_uint_eq(p3->n_gone, 0);
	ck_assert_uint_eq(p3->root_stale, 0);
	for (size_t i = 0; i < p3->n_slices; i++)
		ck_assert_uint_eq(p3->slice_stale[i], 0);
	ck_assert_uint_eq(cgroup_plan_prune(p3, -1), 0);   /* no syscall at all */

	/* the same set again: nothing to prune */
	ck_assert_int_eq(cgroup_plan_build(s1, ALL, &same), 0);
	ck_assert_int_eq(cgroup_plan_inherit(same, p1), 0);
	ck_assert_uint_eq(same->n_gone, 0);
	ck_assert_uint_eq(same->root_stale, 0);
	ck_assert_uint_eq(cgroup_plan_prune(same, -1), 0);
	cgroup_plan_free(p1);
	cgroup_plan_free(p2);
	cgroup_plan_free(p3);
	cgroup_plan_free(same);
	unit_set_free(s1);
	unit_set_free(s2);
	tree_remove(&t1);
	tree_remove(&t2);
}
END_TEST

/* MAINPID='s trust reads the main process's real uid: this process's,
 * and a PID that names no process. */
START_TEST(test_proc_real_uid)
{
	uid_t uid = (uid_t)-1;
	pid_t gone = fork();

	ck_assert_int_ge(gone, 0);
	if (gone == 0)
		_exit(0);
	ck_assert_int_eq(waitpid(gone, NULL, 0), gone);
	ck_assert_int_eq(proc_real_uid(getpid(), &uid), 0);
	ck_assert_uint_eq(uid, getuid());
	ck_assert_int_eq(proc_real_uid(gone, &uid), -ESRCH);
}
END_TEST

/* An OOM kill while the main process lives is another process's: a live
 * process is not dying, a zombie is, a reaped one is gone. */
START_TEST(test_proc_dying)
{
	int pipefd[2];
	char c;
	pid_t kid;

	ck_assert_int_eq(pipe(pipefd), 0);
	kid = fork();
	ck_assert_int_ge(kid, 0);
	if (kid == 0) {
		close(pipefd[1]);
		_exit(read(pipefd[0], &c, 1) == 1 ? 0 : 1);   /* lives until told */
	}
	close(pipefd[0]);
	ck_assert_int_eq(proc_dying(kid), 0);
	ck_assert_int_eq(proc_dying(getpid()), 0);
	ck_assert_int_eq(write(pipefd[1], "x", 1), 1);
	close(pipefd[1]);
	{
		siginfo_t si;
		ck_assert_int_eq(waitid(P_PID, (id_t)kid, &si, WEXITED | WNOWAIT), 0);
	}
	ck_assert_int_eq(proc_dying(kid), 1);   /* a zombie */
	ck_assert_int_eq(waitpid(kid, NULL, 0), kid);
	ck_assert_int_eq(proc_dying(kid), -ESRCH);
}
END_TEST

START_TEST(test_prune)
{
	struct tree t, t2;
	struct unit_set *s1, *s2;
	struct cgroup_plan *p1 = NULL, *p2 = NULL;
	char root[128], cmd[256];
	int fd;

	tree_init(&t);
	tree_init(&t2);
	s1 = load(&t, conf_text, units_text);
	s2 = load(&t2, conf2_text, units2_text);
	snprintf(root, sizeof(root), "%s/cg", t.dir);
	tree_node(&t, "cg");
	tree_node(&t, "cg/init.scope");
	tree_node(&t, "cg/apps");
	tree_node(&t, "cg/apps/db");       /* its files keep it "busy" (ENOTEMPTY) */
	tree_node(&t, "cg/system");
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(cgroup_plan_build(s1, ALL, &p1), 0);
	cgroup_plan_apply(p1, s1, NULL, fd);
	ck_assert(tree_exists(&t, "cg/idle"));

	/* the reload: apply the new plan, then prune */
	ck_assert_int_eq(cgroup_plan_build(s2, ALL, &p2), 0);
	cgroup_plan_apply(p2, s2, NULL, fd);
	ck_assert_int_eq(cgroup_plan_inherit(p2, p1), 0);
	tree_file(&t, "cg/cgroup.subtree_control", "");
	tree_file(&t, "cg/apps/cgroup.subtree_control", "");
	tree_file(&t, "cg/apps/db/cgroup.subtree_control", "");
	tree_file(&t, "cg/system/cgroup.subtree_control", "");
	ck_assert_uint_eq(cgroup_plan_prune(p2, fd), 1);   /* apps/db waits */
	ck_assert(!tree_exists(&t, "cg/idle"));
	ck_assert(tree_exists(&t, "cg/apps/db"));
	ck_assert_str_eq(tree_read(&t, "cg/apps/db/cgroup.subtree_control"), "");
	ck_assert_str_eq(tree_read(&t, "cg/apps/cgroup.subtree_control"), "-cpuset-cpu");
	ck_assert_str_eq(tree_read(&t, "cg/system/cgroup.subtree_control"), "-memory-pids");
	ck_assert_str_eq(tree_read(&t, "cg/cgroup.subtree_control"), "-cpuset-cpu");
	ck_assert_str_eq(tree_read(&t, "cg/init.scope/cgroup.subtree_control"), "");

	/* apps/db empties: the next prune removes it and writes nothing else */
	snprintf(cmd, sizeof(cmd), "rm -f '%s'/cg/apps/db/*", t.dir);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_uint_eq(cgroup_plan_prune(p2, fd), 0);
	ck_assert(!tree_exists(&t, "cg/apps/db"));
	ck_assert_str_eq(tree_read(&t, "cg/apps/cgroup.subtree_control"), "-cpuset-cpu");
	ck_assert_str_eq(tree_read(&t, "cg/cgroup.subtree_control"), "-cpuset-cpu");
	ck_assert(tree_exists(&t, "cg/init.scope"));
	ck_assert(tree_exists(&t, "cg/system"));   /* "system" is always a slice */
	ck_assert_uint_eq(cgroup_plan_prune(p2, -1), 0);   /* done: no syscall */
	close(fd);
	cgroup_plan_free(p1);
	cgroup_plan_free(p2);
	unit_set_free(s1);
	unit_set_free(s2);
	tree_remove(&t);
	tree_remove(&t2);
}
END_TEST

static Suite *cgroup_suite(void)
{
	Suite *s = suite_create("cgroup");
	TCase *tc = tcase_create("plan");

	/* Each tree file costs a shell (mkdir -p): Check's 4 s default is
	 * too short on a loaded 2-core machine, and a timeout is no finding. */
	tcase_set_timeout(tc, 60);

	tcase_add_test(tc, test_plan_controllers);
	tcase_add_test(tc, test_plan_missing_controller);
	tcase_add_test(tc, test_reload_resets_slice_limits);
	tcase_add_test(tc, test_readded_slice_is_reset);
	tcase_add_test(tc, test_limits_settings);
	tcase_add_test(tc, test_stats_parse);
	tcase_add_test(tc, test_stats_read);
	tcase_add_test(tc, test_oom_kills_grow);
	tcase_add_test(tc, test_apply);
	tcase_add_test(tc, test_reused_node_is_reset);
	tcase_add_test(tc, test_apply_slice_problem);
	tcase_add_test(tc, test_plan_default_accounting);
	tcase_add_test(tc, test_plan_inherit);
	tcase_add_test(tc, test_prune);
	tcase_add_test(tc, test_leaf_longest_path);
	tcase_add_test(tc, test_proc_cgroup_long_lines);
	tcase_add_test(tc, test_proc_real_uid);
	tcase_add_test(tc, test_proc_dying);
	tcase_add_test(tc, test_remove_deep_tree);
	tcase_add_test(tc, test_signal_reaches_the_deepest);
	tcase_add_test(tc, test_kill_without_cgroup_kill);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(cgroup_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

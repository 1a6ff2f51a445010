/* test_dump.c — unit_dump and initd_conf_dump (units/dump.c).
 *
 * The contract: for every valid unit x, parse(dump(parse(x))) is unit_equal
 * to parse(x), and dumping that again gives the same text (the dump is a
 * fixed point). Checked over every unit file and initd.conf in the tree
 * (tests/unit/data, examples, tests/vm) and every input of the fuzz corpora
 * that parses cleanly, plus hand-written units that reach the corners: every
 * key, escapes, 64-bit integers, real-time signals, each cpu.max form.
 * Diagnostics and file names are not part of the dump: a unit is re-parsed
 * under the same file name, and a good unit has no diagnostics. */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <dirent.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "units/internal.h"

/* Where the unit files and initd.confs of the tree are, from the top of the
 * source tree (where `make check-unit` runs). */
static const char *const tree_dirs[] = {
	"tests/unit/data", "examples", "tests/vm",
};
static const char *const corpus_units = "tests/fuzz/unit";
static const char *const corpus_confs = "tests/fuzz/conf";

/* ---- helpers ----------------------------------------------------------- */

/* The dump of u (or of c), malloc'ed. */
static char *dump_unit_text(const struct unit *u)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(unit_dump(u, f), 0);
	ck_assert_int_eq(fclose(f), 0);
	return text;
}

static char *dump_conf_text(const struct initd_conf *c)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(initd_conf_dump(c, f), 0);
	ck_assert_int_eq(fclose(f), 0);
	return text;
}

static char *read_text(const char *path)
{
	char *text = NULL;
	size_t len = 0, n;
	FILE *in = fopen(path, "re"), *out = open_memstream(&text, &len);
	char buf[4096];

	ck_assert_msg(in != NULL, "cannot open %s", path);
	ck_assert_ptr_nonnull(out);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, out);
	fclose(in);
	ck_assert_int_eq(fclose(out), 0);
	return text;
}

/* A unit's diagnostics, one a line, for failure messages. */
static const char *diags_text(const struct unit_diags *d)
{
	static char buf[4096];
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < d->n && o < sizeof(buf); i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%d: %s\n", d->v[i].line,
				      d->v[i].message);
	return buf;
}

/* svctl show's path: u encoded alone (PID 1), decoded and dumped (svctl). */
static char *model_text(const struct unit *u)
{
	struct unit *w = NULL;
	void *buf = NULL;
	size_t len = 0;
	char *text;

	ck_assert_int_eq(unit_encode(u, &buf, &len), 0);
	ck_assert_int_eq(unit_decode(buf, len, &w), 0);
	text = dump_unit_text(w);
	unit_free(w);
	free(buf);
	return text;
}

/* Parse text as `file`; if it is good, check the round trip. Returns 1 when
 * it was checked, 0 when the unit is bad (or text is not a string at all). */
static int roundtrip_unit(const char *file, const char *text, const char *origin)
{
	struct unit *u = NULL, *v = NULL;
	char *first, *second;

	if (memchr(text, '\0', strlen(text) + 1) != text + strlen(text))
		return 0;
	ck_assert_int_eq(unit_parse_string(file, text, &u), 0);
	if (u->bad) {
		unit_free(u);
		return 0;
	}
	first = dump_unit_text(u);
	ck_assert_int_eq(unit_parse_string(file, first, &v), 0);
	ck_assert_msg(!v->bad, "%s: its dump does not parse:\n%s--- dump:\n%s", origin,
		      diags_text(&v->diags), first);
	ck_assert_msg(unit_equal(u, v), "%s: the dump parses to another unit:\n%s", origin, first);
	second = dump_unit_text(v);
	ck_assert_msg(strcmp(first, second) == 0, "%s: dump is not stable:\n%s--- then:\n%s",
		      origin, first, second);
	free(second);
	second = model_text(u);
	ck_assert_msg(strcmp(first, second) == 0, "%s: encoded alone, it dumps otherwise:\n%s"
		      "--- then:\n%s", origin, first, second);
	free(first);
	free(second);
	unit_free(u);
	unit_free(v);
	return 1;
}

/* conf_load path; if it has no diagnostics, check the round trip through
 * a temporary file. 1 checked, 0 skipped. */
static int roundtrip_conf(const char *path)
{
	struct initd_conf a, b;
	struct unit_diags da = { NULL, 0 }, db = { NULL, 0 };
	char tmp[] = "/tmp/test_dump.XXXXXX", *first, *second;
	int fd;

	ck_assert_int_eq(conf_load(path, &a, &da), 0);
	if (da.n) {
		diags_clear(&da);
		conf_clear(&a);
		return 0;
	}
	first = dump_conf_text(&a);
	fd = mkstemp(tmp);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, first, strlen(first)), (ssize_t)strlen(first));
	close(fd);
	ck_assert_int_eq(conf_load(tmp, &b, &db), 0);
	unlink(tmp);
	ck_assert_msg(db.n == 0, "%s: its dump does not parse:\n%s--- dump:\n%s", path,
		      diags_text(&db), first);
	free(a.file);
	free(b.file);
	a.file = b.file = NULL;
	ck_assert_msg(initd_conf_equal(&a, &b), "%s: the dump parses to another conf:\n%s",
		      path, first);
	second = dump_conf_text(&b);
	ck_assert_str_eq(first, second);
	free(first);
	free(second);
	conf_clear(&a);
	conf_clear(&b);
	return 1;
}

/* ---- the tree's files ---------------------------------------------------- */

static size_t n_units_checked, n_units_seen, n_confs_checked;

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

static int visit(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	const char *base = path + ftw->base;
	char *text;

	if (flag != FTW_F)
		return 0;
	if (ends_with(base, ".unit")) {
		text = read_text(path);
		n_units_seen++;
		n_units_checked += (size_t)roundtrip_unit(base, text, path);
		free(text);
	} else if (ends_with(base, ".conf") && base[0] != '.') {
		n_confs_checked += (size_t)roundtrip_conf(path);
	}
	return 0;
}

START_TEST(test_dump_tree)
{
	n_units_checked = n_units_seen = n_confs_checked = 0;
	for (size_t i = 0; i < ARRAY_SIZE(tree_dirs); i++)
		ck_assert_int_eq(nftw(tree_dirs[i], visit, 16, FTW_PHYS), 0);
	/* Not vacuous: the tree holds dozens of good units and several confs
	 * (tests/vm/bad-units is bad on purpose). */
	ck_assert_uint_ge(n_units_checked, 40);
	ck_assert_uint_ge(n_units_seen, n_units_checked);
	ck_assert_uint_ge(n_confs_checked, 4);
}
END_TEST

/* Every file of a corpus directory through fn. */
static size_t corpus_each(const char *dir, int (*fn)(const char *path))
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	ck_assert_msg(d != NULL, "cannot open %s", dir);
	while ((e = readdir(d))) {
		char path[512];

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		n += (size_t)fn(path);
	}
	closedir(d);
	return n;
}

static int corpus_unit(const char *path)
{
	char *text = read_text(path);
	int r = roundtrip_unit("corpus.unit", text, path);

	free(text);
	return r;
}

START_TEST(test_dump_corpus)
{
	size_t units = corpus_each(corpus_units, corpus_unit);
	size_t confs = corpus_each(corpus_confs, roundtrip_conf);

	ck_assert_uint_ge(units, 10);
	ck_assert_uint_ge(confs, 5);
}
END_TEST

/* ---- corners ---------------------------------------------------------------- */

static const char every_key[] =
	"description = \"tab\\there, \\\"quoted\\\", back\\\\slash, nl\\n, bell\\x07, "
	"del\\x7f, caf\xc3\xa9\";\n"
	"exec = [ \"/bin/x\", \"\", \"--opt=a b\" ];\n"
	"type = \"notify\";\n"
	"requires = [ \"a\", \"b\" ];\n"
	"after = [ \"c\" ];\n"
	"restart = \"always\";\n"
	"restart_delay = \"1.5s\";\n"
	"restart_delay_max = \"1min 30s\";\n"
	"start_limit = { burst = 4000000000L; interval = \"250us\"; };\n"
	"stop = { signal = \"RTMIN+3\"; timeout = \"0\"; };\n"
	"start_timeout = \"2min\";\n"
	"ready = { http = \"http://[::1]:8080/health?x=1\"; interval = \"250ms\"; };\n"
	"health = { exec = [ \"/bin/check\", \"a b\" ]; timeout = \"1500ms\"; failures = 100; };\n"
	"success_exit = ( 0, 1, 255, \"TERM\", \"RTMIN+2\" );\n"
	"user = \"www\";\n"
	"group = \"1000\";\n"
	"environment = { A = \"1\"; B_2 = \"x=y\"; EMPTY = \"\"; };\n"
	"workdir = \"/srv\";\n"
	"cgroup = {\n"
	"  slice = \"apps/db\";\n"
	"  cpu = { max = \"1234 5000\"; weight = 10000; max_burst = \"1000us\"; };\n"
	"  cpuset = { cpus = \"0-3,6\"; mems = \"0\"; };\n"
	"  memory = { max = \"max\"; high = \"1536M\"; low = \"1000\"; min = \"0\";"
	" swap_max = \"2T\"; oom_group = false; };\n"
	"  pids = { max = \"max\"; };\n"
	"  io = { weight = 1; max = ( { device = \"8:0\"; rbps = \"10M\"; riops = 5000000000L; },"
	" { device = \"8:16\"; wiops = \"max\"; }, { device = \"259:0\"; wbps = \"1K\"; wiops = 7; } ); };\n"
	"  subtree_control = [ \"pids\", \"cpu\" ];\n"
	"};\n"
	"watchdog = \"2min\";\n"
	"log = { console = true; kmsg = true; };\n"
	"postmortems = 7;\n"
	"on_failure = \"rescue\";\n"
	"modes = [ \"default\", \"maint\" ];\n"
	"autostart = false;\n"
	"namespaces = [ \"user\", \"pid\", \"mount\", \"uts\", \"ipc\", \"net\", \"cgroup\" ];\n"
	"hostname = \"box-1.example\";\n"
	"rootfs = { path = \"/srv/root\"; readonly = true;"
	" binds = ( { source = \"/a\"; target = \"/b\"; readonly = true; }, { source = \"/c\"; target = \"/d/e\"; } );"
	" tmpfs = [ \"/tmp\", \"/run\" ]; };\n"
	"capabilities = [ \"cap_net_raw\", \"NET_BIND_SERVICE\" ];\n"
	"no_new_privs = true;\n"
	"protect_proc = false;\n"
	"supplementary_groups = [ \"adm\", \"27\" ];\n"
	"rlimits = { nofile = 1024; core = 0; stack = \"8M\"; as = \"infinity\"; cpu = 5000000000L;"
	" memlock = 65537; fsize = \"18446744073709551614\"; };\n"
	"umask = \"077\";\n"
	"oom_score_adj = -1000;\n"
	"user_namespace = { uid_map = \"0 100000 1000, 1000 1000 1\"; gid_map = \"0 200000 65536\"; };\n"
	"network = { veth = { bridge = \"br0\"; address = \"10.0.1.2/24\"; gateway = \"10.0.1.1\"; }; };\n"
	"seccomp = { default = \"errno\"; allow = [ \"@system-service\", \"setuid\" ];"
	" deny = [ \"@mount\" ]; errno = \"EACCES\"; };\n";

START_TEST(test_dump_every_key)
{
	struct unit *u = NULL;
	char *text;

	ck_assert_int_eq(roundtrip_unit("web.unit", every_key, "every_key"), 1);
	ck_assert_int_eq(unit_parse_string("web.unit", every_key, &u), 0);
	text = dump_unit_text(u);
	/* The forms promised in initd.unit(5) and unit.h. */
	ck_assert_ptr_nonnull(strstr(text, "description = \"tab\\there, \\\"quoted\\\", "
				     "back\\\\slash, nl\\n, bell\\x07, del\\x7f, caf\xc3\xa9\";\n"));
	ck_assert_ptr_nonnull(strstr(text, "restart_delay = \"1500ms\";\n"));
	ck_assert_ptr_nonnull(strstr(text, "restart_delay_max = \"90s\";\n"));
	ck_assert_ptr_nonnull(strstr(text, "start_limit = { burst = 4000000000L; interval = \"250us\"; };\n"));
	ck_assert_ptr_nonnull(strstr(text, "stop = { signal = \"RTMIN+3\"; timeout = \"0\"; };\n"));
	ck_assert_ptr_nonnull(strstr(text, "start_timeout = \"2min\";\n"));
	ck_assert_ptr_nonnull(strstr(text, "success_exit = ( 0, 1, 255, \"TERM\", \"RTMIN+2\" );\n"));
	ck_assert_ptr_nonnull(strstr(text, "  cpu = { max = \"1234 5000\"; weight = 10000;"
				     " max_burst = \"1ms\"; };\n"));
	ck_assert_ptr_nonnull(strstr(text, "  memory = { max = \"max\"; high = \"1536M\"; low = \"1000\";"
				     " min = \"0\"; swap_max = \"2T\"; oom_group = false; };\n"));
	ck_assert_ptr_nonnull(strstr(text, "  pids = { max = \"max\"; };\n"));
	ck_assert_ptr_nonnull(strstr(text, "protect_proc = false;\n"));
	ck_assert_ptr_nonnull(strstr(text, "ready = {\n  http = \"http://[::1]:8080/health?x=1\";\n"
				     "  interval = \"250ms\";\n  timeout = \"2s\";\n};\n"));
	ck_assert_ptr_nonnull(strstr(text, "health = {\n  exec = [ \"/bin/check\", \"a b\" ];\n"
				     "  interval = \"10s\";\n  timeout = \"1500ms\";\n"
				     "  failures = 100;\n};\n"));
	ck_assert_ptr_nonnull(strstr(text, "{ device = \"8:0\"; rbps = \"10M\"; riops = 5000000000L; }"));
	ck_assert_ptr_nonnull(strstr(text, "{ device = \"8:16\"; rbps = \"max\"; }"));
	ck_assert_ptr_nonnull(strstr(text, "  subtree_control = [ \"cpu\", \"pids\" ];\n"));
	ck_assert_ptr_nonnull(strstr(text, "capabilities = [ \"NET_BIND_SERVICE\", \"NET_RAW\" ];\n"));
	ck_assert_ptr_nonnull(strstr(text, "  stack = \"8M\";\n"));
	ck_assert_ptr_nonnull(strstr(text, "  as = \"infinity\";\n"));
	ck_assert_ptr_nonnull(strstr(text, "  cpu = 5000000000L;\n"));
	ck_assert_ptr_nonnull(strstr(text, "  memlock = 65537;\n"));
	ck_assert_ptr_nonnull(strstr(text, "umask = \"0077\";\n"));
	ck_assert_ptr_nonnull(strstr(text, "uid_map = \"0 100000 1000, 1000 1000 1\";"));
	free(text);
	unit_free(u);
}
END_TEST

/* A minimal unit: the defaults are written out, unset keys are comments. */
START_TEST(test_dump_defaults)
{
	static const char want[] =
		"# description: unset (none)\n"
		"exec = [ \"/bin/true\" ];\n"
		"type = \"simple\";\n"
		"requires = [ ];\n"
		"after = [ ];\n"
		"restart = \"on-failure\";\n"
		"restart_delay = \"100ms\";\n"
		"restart_delay_max = \"30s\";\n"
		"start_limit = { burst = 5; interval = \"10s\"; };\n"
		"stop = { signal = \"TERM\"; timeout = \"5s\"; };\n"
		"# start_timeout: unset (a simple unit is ready once executed)\n"
		"# ready: unset (ready as its type says)\n"
		"# health: unset (not checked)\n"
		"# success_exit: unset (exit status 0 only)\n"
		"# user: unset (root)\n"
		"# group: unset (the user's group)\n"
		"environment = { };\n"
		"environment_files = [ ];\n"
		"directories = {\n"
		"  runtime = [ ];\n"
		"  state = [ ];\n"
		"  logs = [ ];\n"
		"  cache = [ ];\n"
		"  mode = \"0755\";\n"
		"};\n"
		"# workdir: unset (\"/\")\n"
		"cgroup = {\n"
		"  slice = \"system\";\n"
		"  subtree_control = [ ];\n"
		"};\n"
		"watchdog = \"0\";\n"
		"log = { console = false; kmsg = false; };\n"
		"postmortems = 5;\n"
		"on_failure = \"none\";\n"
		"critical = false;\n"
		"# modes: unset (every mode)\n"
		"autostart = true;\n"
		"namespaces = [ ];\n"
		"# hostname: unset (inherited)\n"
		"# rootfs: unset (the host's /)\n"
		"# capabilities: unset (those of the user)\n"
		"no_new_privs = false;\n"
		"# protect_proc: unset (no mount namespace: the host's /proc)\n"
		"supplementary_groups = [ ];\n"
		"rlimits = { };\n"
		"umask = \"0022\";\n"
		"# oom_score_adj: unset (inherited)\n"
		"# user_namespace: unset (no user namespace)\n"
		"# network: unset (no veth: lo only in a net namespace)\n"
		"requires_mounts = [ ];\n"
		"# seccomp: unset (no system call filter)\n";
	struct unit *u = NULL;
	char *text;

	ck_assert_int_eq(unit_parse_string("min.unit", "exec = [ \"/bin/true\" ];\n", &u), 0);
	text = dump_unit_text(u);
	ck_assert_str_eq(text, want);
	free(text);
	unit_free(u);
	ck_assert_int_eq(roundtrip_unit("min.unit", want, "defaults"), 1);
}
END_TEST

/* Each cpu.max form dumps to one the parser reads back the same. */
START_TEST(test_dump_cpu_max)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "50%", "50%" }, { "250%", "250%" }, { "1%", "1%" }, { "100000%", "100000%" },
		{ "max", "max" }, { "max 20000", "max 20000" }, { "50000", "50%" },
		{ "50000 100000", "50%" }, { "1500", "1500 100000" }, { "2000 1000", "2000 1000" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char text[256], want[64];
		struct unit *u = NULL;
		char *out;

		snprintf(text, sizeof(text), "exec = [ \"/x\" ]; cgroup = { cpu = { max = \"%s\"; }; };\n",
			 cases[i].in);
		ck_assert_int_eq(roundtrip_unit("c.unit", text, cases[i].in), 1);
		ck_assert_int_eq(unit_parse_string("c.unit", text, &u), 0);
		out = dump_unit_text(u);
		snprintf(want, sizeof(want), "cpu = { max = \"%s\"; };", cases[i].out);
		ck_assert_msg(strstr(out, want), "%s: want %s in\n%s", cases[i].in, want, out);
		free(out);
		unit_free(u);
	}
}
END_TEST

/* Durations and sizes in their largest exact unit. */
START_TEST(test_dump_scales)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "restart_delay = \"1us\"; restart_delay_max = \"1us\";", "restart_delay = \"1us\";" },
		{ "restart_delay = \"1001us\";", "restart_delay = \"1001us\";" },
		{ "restart_delay = \"2000ms\";", "restart_delay = \"2s\";" },
		{ "restart_delay_max = \"120s\";", "restart_delay_max = \"2min\";" },
		{ "restart_delay_max = \"61s\";", "restart_delay_max = \"61s\";" },
		{ "cgroup = { memory = { max = \"1048576\"; }; };", "memory = { max = \"1M\"; }" },
		{ "cgroup = { memory = { max = \"1025\"; }; };", "memory = { max = \"1025\"; }" },
		{ "cgroup = { memory = { max = \"3072G\"; }; };", "memory = { max = \"3T\"; }" },
		{ "stop = { signal = \"9\"; };", "signal = \"KILL\";" },
		{ "stop = { signal = \"RTMIN\"; };", "signal = \"RTMIN\";" },
		{ "stop = { signal = \"RTMAX\"; };", "signal = \"RTMIN+" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char text[256];
		struct unit *u = NULL;
		char *out;

		snprintf(text, sizeof(text), "exec = [ \"/x\" ]; %s\n", cases[i].in);
		ck_assert_int_eq(roundtrip_unit("s.unit", text, cases[i].in), 1);
		ck_assert_int_eq(unit_parse_string("s.unit", text, &u), 0);
		out = dump_unit_text(u);
		ck_assert_msg(strstr(out, cases[i].out), "%s: want %s in\n%s", cases[i].in,
			      cases[i].out, out);
		free(out);
		unit_free(u);
	}
}
END_TEST

/* initd.conf: defaults written out, every key round-trips. */
START_TEST(test_dump_conf)
{
	static const char conf_every_key[] =
		"hostname = \"gw\";\n"
		"crash_action = \"shell\";\n"
		"control_group = \"operators\";\n"
		"modules = [ \"llc\", \"bridge\" ];\n"
		"slices = ( { path = \"apps\"; memory = { max = \"1G\"; }; cpu = { max = \"150%\"; max_burst = \"5ms\"; }; },\n"
		"  { path = \"apps/db\"; cpuset = { cpus = \"1\"; }; io = { weight = 200; }; },\n"
		"  { path = \"system\"; pids = { max = 512; }; } );\n"
		"shutdown_timeout = \"1min\";\n"
		"sync_timeout = \"2min\";\n"
		"log_buffer = \"256K\";\n"
		"log = { directory = \"/data/log\"; max_size = \"4M\"; keep = 0; };\n"
		"bridges = ( { name = \"br0\"; address = \"10.0.1.1/24\"; }, { name = \"br1\"; } );\n"
		"ip_forward = true;\n"
		"rlimits = { core = 0; nofile = [ 4096, 65536 ]; };\n"
		"watchdog = { device = \"/dev/watchdog1\"; timeout = \"5s\"; shutdown_timeout = \"90s\"; };\n"
		"sysctl = [ \"net.core.somaxconn=1024\", \"kernel.panic=5\" ];\n"
		"boot_guard = { file = \"/data/initd/failed-boots\"; max = 4; };\n";
	static const char defaults[] =
		"# hostname: unset (left as it is)\n"
		"crash_action = \"reboot\";\n"
		"# control_group: unset (root only)\n"
		"modules = [ ];\n"
		"slices = (\n"
		"  { path = \"system\"; }\n"
		");\n"
		"shutdown_timeout = \"30s\";\n"
		"sync_timeout = \"30s\";\n"
		"log_buffer = \"64K\";\n"
		"log = { max_size = \"1M\"; keep = 3; };\n"
		"bridges = ( );\n"
		"ip_forward = false;\n"
		"rlimits = {\n"
		"  nofile = ( 1024, 524288 );\n"
		"};\n"
		"mounts = ( );\n"
		"# watchdog: unset (no hardware watchdog)\n"
		"sysctl = [ ];\n"
		"# boot_guard: unset (no reboot-loop guard)\n"
		"instances = ( );\n"
		"# metrics_file: unset (no metrics file)\n"
		"# metrics_interval: unset (rewritten on state events only)\n"
		"default_accounting = true;\n";
	char tmp[] = "/tmp/test_dump.XXXXXX", *text;
	struct initd_conf c;
	struct unit_diags d = { NULL, 0 };
	int fd = mkstemp(tmp);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, conf_every_key, strlen(conf_every_key)),
			 (ssize_t)strlen(conf_every_key));
	close(fd);
	ck_assert_int_eq(roundtrip_conf(tmp), 1);
	unlink(tmp);

	ck_assert_int_eq(conf_init(&c), 0);
	text = dump_conf_text(&c);
	ck_assert_str_eq(text, defaults);
	free(text);
	conf_clear(&c);
	diags_clear(&d);
}
END_TEST

/* A bad unit is written as far as it was parsed, without crashing. */
/* unit_decode is bounded: every cut of a unit's encoding is refused, and
 * another magic or version too. */
START_TEST(test_dump_model_bounded)
{
	static const char text[] =
		"exec = [ \"/bin/sleep\", \"1\" ];\n"
		"environment = { A = \"1\"; B = \"secret\"; };\n"
		"namespaces = [ \"mount\", \"pid\" ];\n"
		"cgroup = { pids = { max = 8; }; };\n"
		"requires = [ \"db\" ];\n";
	struct unit *u = NULL, *w = NULL;
	uint8_t *buf = NULL;
	size_t len = 0;

	ck_assert_int_eq(unit_parse_string("m.unit", text, &u), 0);
	ck_assert_msg(!u->bad, "%s", diags_text(&u->diags));
	ck_assert_int_eq(unit_encode(u, (void **)&buf, &len), 0);
	for (size_t n = 0; n < len; n++)
		ck_assert_msg(unit_decode(buf, n, &w) < 0, "a cut at %zu of %zu decoded", n, len);
	buf[4]++;
	ck_assert_int_eq(unit_decode(buf, len, &w), -EPROTONOSUPPORT);
	buf[4]--;
	buf[0] ^= 1;
	ck_assert_int_eq(unit_decode(buf, len, &w), -EBADMSG);
	free(buf);
	unit_free(u);
}
END_TEST

/* A model that is well-formed bytes but not a unit initd would hold: the
 * cpuset.cpus bit declared with no list (svctl's dump read the NULL). */
START_TEST(test_dump_model_invalid_refused)
{
	struct unit *u = NULL, *w = NULL;
	void *buf = NULL;
	size_t len = 0;

	ck_assert_int_eq(unit_parse_string("m.unit", "exec = [ \"/bin/true\" ];\n", &u), 0);
	ck_assert(!u->bad);
	unit_opt_own(u)->limits.declared |= UNIT_LIMIT_BIT(UNIT_LIMIT_CPUSET_CPUS);
	ck_assert_int_eq(unit_encode(u, &buf, &len), 0);
	ck_assert_int_eq(unit_decode(buf, len, &w), -EBADMSG);
	ck_assert_ptr_null(w);
	free(buf);
	unit_free(u);
}
END_TEST

START_TEST(test_dump_bad)
{
	struct unit *u = NULL;
	char *text;

	ck_assert_int_eq(unit_parse_string("bad.unit", "description = 3; type = \"x\";\n", &u), 0);
	ck_assert(u->bad);
	text = dump_unit_text(u);
	ck_assert_ptr_nonnull(strstr(text, "# exec: unset (missing: the unit cannot start)\n"));
	free(text);
	unit_free(u);
}
END_TEST

static Suite *dump_suite(void)
{
	Suite *s = suite_create("dump");
	TCase *tc = tcase_create("dump");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_dump_defaults);
	tcase_add_test(tc, test_dump_every_key);
	tcase_add_test(tc, test_dump_cpu_max);
	tcase_add_test(tc, test_dump_scales);
	tcase_add_test(tc, test_dump_conf);
	tcase_add_test(tc, test_dump_bad);
	tcase_add_test(tc, test_dump_model_bounded);
	tcase_add_test(tc, test_dump_model_invalid_refused);
	tcase_add_test(tc, test_dump_tree);
	tcase_add_test(tc, test_dump_corpus);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(dump_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

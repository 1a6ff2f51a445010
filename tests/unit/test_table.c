/* test_table.c — svctl's status table (svctl/output.c), byte for byte:
 * the columns' widths and padding, the cells svctl makes from numbers
 * (durations, sizes), what it cleans of initd's text (a name, a state, a
 * reason), the colours, a bad-config unit's diagnostics under its row, and
 * rows too wide for one write. Parsed from a STATUS payload built as initd
 * builds one. And the MEMORY and CPU columns, which svctl reads itself
 * below the cgroup2 root initd names (svctl/cgstat.c): here from a tree of
 * plain files shaped as initd's. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "common/proto.h"
#include "common/util.h"
#include "svctl/cgstat.h"
#include "svctl/output.h"

struct unit_in {
	const char *name, *state, *reason, *message;
	uint32_t pid, restarts;
	uint64_t since_usec;
	bool stats;
	uint64_t mem, cpu_usec;
};

/* The table svctl prints for units[0..n), in a malloc'd string. */
static char *table(const struct unit_in *units, size_t n, bool colour)
{
	struct proto_buf b;
	struct unit_status *u = NULL;
	size_t n_parsed = 0, len = 0;
	char *out = NULL;
	FILE *f;

	proto_buf_init(&b, 1u << 24);
	proto_msg_begin(&b, PROTO_REPLY_OK);
	for (size_t i = 0; i < n; i++) {
		proto_nest_begin(&b, PROTO_ATTR_SERVICE);
		proto_put_str(&b, PROTO_ATTR_NAME, units[i].name);
		proto_put_str(&b, PROTO_ATTR_STATE, units[i].state);
		if (units[i].pid)
			proto_put_u32(&b, PROTO_ATTR_PID, units[i].pid);
		proto_put_u32(&b, PROTO_ATTR_RESTARTS, units[i].restarts);
		proto_put_u64(&b, PROTO_ATTR_SINCE, units[i].since_usec);
		if (units[i].reason)
			proto_put_str(&b, PROTO_ATTR_REASON, units[i].reason);
		if (units[i].message)
			proto_put_str(&b, PROTO_ATTR_MESSAGE, units[i].message);
		if (units[i].stats) {
			proto_put_u64(&b, PROTO_ATTR_MEM_CURRENT, units[i].mem);
			proto_put_u64(&b, PROTO_ATTR_CPU_USAGE_USEC, units[i].cpu_usec);
		}
		proto_nest_end(&b);
	}
	ck_assert_int_eq(proto_msg_end(&b), 0);
	ck_assert_int_eq(status_parse(b.data + PROTO_HDR_SIZE, b.len - PROTO_HDR_SIZE, &u,
				      &n_parsed), 0);
	ck_assert_uint_eq(n_parsed, n);
	f = open_memstream(&out, &len);
	ck_assert_ptr_nonnull(f);
	status_print_table(f, u, n_parsed, colour);
	fclose(f);
	free(u);
	proto_buf_free(&b);
	return out;
}

static const struct unit_in three[] = {
	{ .name = "web", .state = "running", .pid = 1234, .since_usec = 4900000, .stats = true,
	  .mem = 12345678, .cpu_usec = 1500000 },
	{ .name = "long-name.x", .state = "failed", .restarts = 3, .since_usec = 125000000,
	  .reason = "exit: exited 1 \x1b[31mred\x1b[0m \xc3\xa9t\xc3\xa9 \xff", .stats = true,
	  .mem = 512, .cpu_usec = 999 },
	{ .name = "b\x7f", .state = "bad-config", .since_usec = 3ULL * 86400 * 1000000 + 7200000000ULL,
	  .message = "b.unit:3: exec: expected an array\nb.unit:4: \x1b]0;x\x07 unknown key" },
};

START_TEST(test_table_is_aligned_cleaned_and_exact)
{
	_cleanup_free_ char *out = table(three, 3, false);

	ck_assert_str_eq(out,
		"NAME         STATE       PID   RESTARTS  SINCE    MEMORY  CPU    REASON\n"
		"web          running     1234  0         4.9s     11.8M   1.5s   -\n"
		"long-name.x  failed      -     3         2min 5s  512B    999us  "
		"exit: exited 1 ?[31mred?[0m \xc3\xa9t\xc3\xa9 ?\n"
		"b?           bad-config  -     0         3d 2h    -       -      -\n"
		"  b.unit:3: exec: expected an array\n"
		"  b.unit:4: ?]0;x? unknown key\n");
}
END_TEST

/* JSON escapes C1 as it does C0: U+009B is CSI to a terminal that cats
 * the text. Other characters, and bytes that are not UTF-8, as before. */
START_TEST(test_json_escapes_c1)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	json_print_string(f, "a\x1b" "b\xc2\x9b" "c\xc2\x80\xc2\xa0\xc3\xa9\xff");
	fclose(f);
	ck_assert_str_eq(buf, "\"a\\u001bb\\u009bc\\u0080\xc2\xa0\xc3\xa9\\ufffd\"");
	free(buf);
}
END_TEST

START_TEST(test_states_are_coloured)
{
	_cleanup_free_ char *out = table(three, 2, true);

	ck_assert_str_eq(out,
		"NAME         STATE    PID   RESTARTS  SINCE    MEMORY  CPU    REASON\n"
		"web          \033[32mrunning\033[0m  1234  0         4.9s     11.8M   1.5s   -\n"
		"long-name.x  \033[1;31mfailed\033[0m   -     3         2min 5s  512B    999us  "
		"exit: exited 1 ?[31mred?[0m \xc3\xa9t\xc3\xa9 ?\n");
}
END_TEST

/* A name longer than any row buffer: still one cell, padded like the rest. */
START_TEST(test_wide_rows_print_whole)
{
	static char name[3000], reason[5000];
	struct unit_in u[2] = {
		{ .name = name, .state = "running", .pid = 7, .since_usec = 1000 },
		{ .name = "s", .state = "stopped", .reason = reason, .since_usec = 0 },
	};
	_cleanup_free_ char *out = NULL;
	_cleanup_free_ char *want = NULL;
	size_t w = sizeof(name) - 1;

	memset(name, 'n', w);
	memset(reason, 'r', sizeof(reason) - 1);
	out = table(u, 2, false);
	ck_assert_int_gt(asprintf(&want, "%-*s  STATE    PID  RESTARTS  SINCE  MEMORY  CPU  REASON\n"
				  "%s  running  7    0         1ms    -       -    -\n"
				  "%-*s  stopped  -    0         0us    -       -    %s\n",
				  (int)w, "NAME", name, (int)w, "s", reason), 0);
	ck_assert_str_eq(out, want);
}
END_TEST

/* The cells svctl makes from numbers, at the edges of each unit. */
START_TEST(test_sizes_and_durations)
{
	static const struct { uint64_t mem, usec; const char *mem_text, *usec_text; } cases[] = {
		{ 0, 0, "0B", "0us" },
		{ 1023, 999, "1023B", "999us" },
		{ 1024, 1000, "1.0K", "1ms" },
		{ 1075, 999999, "1.0K", "999ms" },     /* 1.0498: down */
		{ 1076, 1000000, "1.1K", "1.0s" },     /* 1.0508: up */
		{ 1280, 1100000, "1.2K", "1.1s" },     /* 1.25: a tie, to even */
		{ 3840, 1999999, "3.8K", "1.9s" },     /* 3.75: a tie, to even */
		{ 1048575, 59999999, "1024.0K", "59.9s" },
		{ 1048576, 60000000, "1.0M", "1min 0s" },
		{ 1153434, 3599999999ULL, "1.1M", "59min 59s" },
		{ 5ULL << 40, 3600000000ULL, "5.0T", "1h 0min" },
		{ (1ULL << 60) - 1, 86399999999ULL, "1024.0P", "23h 59min" },  /* exact */
		{ UINT64_MAX, UINT64_MAX, "16.0E", "213503982d 8h" },
	};
	char a[64], b[64];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct unit_in u = { .name = "u", .state = "running", .pid = 1, .stats = true,
				     .mem = cases[i].mem, .cpu_usec = cases[i].usec };
		_cleanup_free_ char *out = table(&u, 1, false);
		char *row = strchr(out, '\n') + 1;

		ck_assert_int_eq(sscanf(row, "u running 1 0 0us %63s %63s", a, b), 2);
		if (strchr(cases[i].usec_text, ' ')) {   /* "1min 0s": two words */
			char c[64];
			ck_assert_int_eq(sscanf(row, "u running 1 0 0us %63s %63s %63s", a, b, c), 3);
			strcat(b, " ");
			strcat(b, c);
		}
		ck_assert_msg(!strcmp(a, cases[i].mem_text), "%llu bytes: %s, not %s",
			      (unsigned long long)cases[i].mem, a, cases[i].mem_text);
		ck_assert_msg(!strcmp(b, cases[i].usec_text), "%llu us: %s, not %s",
			      (unsigned long long)cases[i].usec, b, cases[i].usec_text);
	}
}
END_TEST

/* ---- the MEMORY and CPU columns, svctl's own reads (svctl/cgstat.c) ------- */

#define CG_UNITS 300   /* past CGSTAT_UNITS_A_THREAD a thread: threads split it */

static bool cg_has_v(const struct unit_status *u, uint16_t attr, uint64_t *v)
{
	unsigned k = attr - STATUS_CG_FIRST;

	*v = u->cg[k];
	return u->cg_have & (1U << k);
}

static void put_file(int dir, const char *path, const char *text)
{
	int fd = openat(dir, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* A tree like initd's below root: sys/uI with memory.current I * 4096
 * and cpu.stat usage_usec I * 7 + 1 (a line before it, as the kernel's
 * has none, so the key is looked up, not taken first). Units 5, 6, 7
 * and 8 are the odd ones out, as the test below says. */
static int cg_tree(char *dir, struct unit_status *u, char names[][32])
{
	char path[64], text[96];
	int root = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	ck_assert_int_ge(root, 0);
	ck_assert_int_eq(mkdirat(root, "sys", 0755), 0);
	for (unsigned i = 0; i < CG_UNITS; i++) {
		snprintf(names[i], 32, i == 9 ? "/sys/u%u" : "sys/u%u", i);
		u[i] = (struct unit_status){ .name = "u", .state = "running", .cgroup = names[i] };
		if (i == 5)
			continue;   /* no leaf */
		snprintf(path, sizeof(path), "sys/u%u", i);
		ck_assert_int_eq(mkdirat(root, path, 0755), 0);
		snprintf(path, sizeof(path), "sys/u%u/memory.current", i);
		snprintf(text, sizeof(text), "%u\n", i * 4096);
		put_file(root, path, i == 6 ? "max\n" : text);
		snprintf(path, sizeof(path), "sys/u%u/memory.peak", i);
		snprintf(text, sizeof(text), "%u\n", i * 8192 + 1);
		if (i != 4)   /* a kernel before memory.peak */
			put_file(root, path, text);
		if (i == 8)
			continue;   /* no cpu controller */
		snprintf(path, sizeof(path), "sys/u%u/cpu.stat", i);
		snprintf(text, sizeof(text), "nr_bursts 3\nusage_usec %u\nuser_usec 1\n", i * 7 + 1);
		put_file(root, path, text);
	}
	u[7].cgroup = NULL;   /* a unit without a leaf of its own */
	return root;
}

static void check_filled(const struct unit_status *u)
{
	uint64_t v;
	bool has;

	for (unsigned i = 0; i < CG_UNITS; i++) {
		has = cg_has_v(&u[i], PROTO_ATTR_MEM_CURRENT, &v);
		ck_assert_msg(has == (i != 5 && i != 6 && i != 7), "unit %u: memory %d", i, has);
		if (has)
			ck_assert_uint_eq(v, i * 4096);
		has = cg_has_v(&u[i], PROTO_ATTR_CPU_USAGE_USEC, &v);
		ck_assert_msg(has == (i != 5 && i != 7 && i != 8), "unit %u: cpu %d", i, has);
		if (has)
			ck_assert_uint_eq(v, i * 7 + 1);
	}
}

/* Every unit's two files, read on one thread and on several: the same
 * figures in the same units; and analyze's two (memory.peak, cpu.stat).
 * A missing leaf, a file that is no number, a unit without a cgroup and
 * a leaf without cpu.stat leave their columns "-"; a path given with its
 * leading '/' reads the same. */
START_TEST(test_cgstat_reads_each_units_files)
{
	static struct unit_status u[CG_UNITS];
	static char names[CG_UNITS][32];
	char dir[] = "/tmp/test_table.XXXXXX";
	_cleanup_free_ char *rm = NULL;
	int root;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	root = cg_tree(dir, u, names);
	for (unsigned threads = 1; threads <= 4; threads += 3) {
		for (unsigned i = 0; i < CG_UNITS; i++)
			u[i].cg_have = 0;
		cgstat_fill_at(root, u, CG_UNITS, threads, CGSTAT_STATUS);
		check_filled(u);
		ck_assert(!cg_has_v(&u[1], PROTO_ATTR_MEM_PEAK, &(uint64_t){ 0 }));   /* not asked */
	}
	/* `svctl analyze`'s: memory.peak and CPU, not memory.current */
	for (unsigned i = 0; i < CG_UNITS; i++)
		u[i].cg_have = 0;
	cgstat_fill_at(root, u, CG_UNITS, 2, CGSTAT_ANALYZE);
	for (unsigned i = 0; i < CG_UNITS; i++) {
		uint64_t v = 0;
		bool has = cg_has_v(&u[i], PROTO_ATTR_MEM_PEAK, &v);

		ck_assert_msg(has == (i != 4 && i != 5 && i != 7), "unit %u: peak %d", i, has);
		if (has)
			ck_assert_uint_eq(v, i * 8192 + 1);
		ck_assert(!cg_has_v(&u[i], PROTO_ATTR_MEM_CURRENT, &v));
		ck_assert(cg_has_v(&u[i], PROTO_ATTR_CPU_USAGE_USEC, &v) == (i != 5 && i != 7 && i != 8));
	}
	close(root);
	ck_assert_int_gt(asprintf(&rm, "rm -rf '%s'", dir), 0);
	ck_assert_int_eq(system(rm), 0);
}
END_TEST

/* A STATUS payload with CGROUP_ROOT root and CGROUP_ROOT_ID id (neither
 * when root is NULL, no id when id is 0) and one unit. */
static size_t reply_with_root(struct proto_buf *b, const char *root, uint64_t id)
{
	proto_buf_init(b, 1u << 16);
	proto_msg_begin(b, PROTO_REPLY_OK);
	if (root)
		proto_put_str(b, PROTO_ATTR_CGROUP_ROOT, root);
	if (root && id)
		proto_put_u64(b, PROTO_ATTR_CGROUP_ROOT_ID, id);
	proto_nest_begin(b, PROTO_ATTR_SERVICE);
	proto_put_str(b, PROTO_ATTR_NAME, "u");
	proto_put_str(b, PROTO_ATTR_STATE, "running");
	proto_nest_end(b);
	ck_assert_int_eq(proto_msg_end(b), 0);
	return b->len - PROTO_HDR_SIZE;
}

static int fill_with_root(struct unit_status *u, size_t n, const char *root, uint64_t id)
{
	struct proto_buf b;
	size_t len = reply_with_root(&b, root, id);
	int r = cgstat_fill(b.data + PROTO_HDR_SIZE, len, u, n, CGSTAT_STATUS);

	proto_buf_free(&b);
	return r;
}

static uint64_t ino_of(const char *path)
{
	struct stat st;

	ck_assert_int_eq(stat(path, &st), 0);
	return st.st_ino;
}

/* svctl reads below the root initd names only where that is initd's
 * cgroup2 root here: a plain directory (svctl in a mount namespace of its
 * own, /sys/fs/cgroup not mounted), a relative path and a root without its
 * id give -errno and fill nothing; a reply without a root (initd without
 * cgroups) is not an error. Where this machine has cgroup2 at
 * /sys/fs/cgroup (read, never written), its root's own id is taken and
 * another is not (a container's initd asked from the host). */
START_TEST(test_cgstat_root_must_be_initds)
{
	static struct unit_status u[CG_UNITS];
	static char names[CG_UNITS][32];
	char dir[] = "/tmp/test_table.XXXXXX";
	_cleanup_free_ char *rm = NULL;
	struct statfs sfs;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	close(cg_tree(dir, u, names));
	ck_assert_int_eq(fill_with_root(u, CG_UNITS, dir, ino_of(dir)), -ENOMEDIUM);
	ck_assert_int_eq(fill_with_root(u, CG_UNITS, dir, 0), -EINVAL);
	ck_assert_int_eq(fill_with_root(u, CG_UNITS, "tmp", 1), -EINVAL);
	ck_assert_int_eq(fill_with_root(u, CG_UNITS, NULL, 0), 0);
	if (statfs("/sys/fs/cgroup", &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC) {
		uint64_t id = ino_of("/sys/fs/cgroup");

		ck_assert_int_eq(fill_with_root(u, CG_UNITS, "/sys/fs/cgroup", id + 1), -EXDEV);
		for (unsigned i = 0; i < CG_UNITS; i++)   /* none of these leaves there */
			u[i].cgroup = "test_table.no-such-leaf";
		ck_assert_int_eq(fill_with_root(u, CG_UNITS, "/sys/fs/cgroup", id), 0);
	}
	for (unsigned i = 0; i < CG_UNITS; i++)
		ck_assert_uint_eq(u[i].cg_have, 0);
	ck_assert_int_gt(asprintf(&rm, "rm -rf '%s'", dir), 0);
	ck_assert_int_eq(system(rm), 0);
}
END_TEST

/* cgstat_read: "" is the root itself, a leading '/' is below it too. */
START_TEST(test_cgstat_read_paths)
{
	char dir[] = "/tmp/test_table.XXXXXX", buf[CGSTAT_FILE_MAX];
	_cleanup_free_ char *rm = NULL;
	int root;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	root = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(root, 0);
	ck_assert_int_eq(mkdirat(root, "a", 0755), 0);
	put_file(root, "cgroup.subtree_control", "cpu memory\n");
	put_file(root, "a/cgroup.subtree_control", "pids\n");
	ck_assert_int_eq(cgstat_read(root, "", "cgroup.subtree_control", buf), 0);
	ck_assert_str_eq(buf, "cpu memory\n");
	ck_assert_int_eq(cgstat_read(root, "/a", "cgroup.subtree_control", buf), 0);
	ck_assert_str_eq(buf, "pids\n");
	ck_assert_int_eq(cgstat_read(root, "b", "cgroup.subtree_control", buf), -ENOENT);
	close(root);
	ck_assert_int_gt(asprintf(&rm, "rm -rf '%s'", dir), 0);
	ck_assert_int_eq(system(rm), 0);
}
END_TEST

/* svctl tree: where svctl cannot read below the root (none named: an
 * older initd, whose reply has each node's subtree_control; or not a
 * cgroup2 directory here), the reply's subtree_control is what shows. */
START_TEST(test_tree_keeps_the_replys_subtree_control)
{
	const char *roots[] = { NULL, "/tmp" };

	for (size_t i = 0; i < ARRAY_SIZE(roots); i++) {
		struct proto_buf b;
		char *out = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&out, &len);

		proto_buf_init(&b, 1u << 16);
		proto_msg_begin(&b, PROTO_REPLY_OK);
		if (roots[i]) {
			proto_put_str(&b, PROTO_ATTR_CGROUP_ROOT, roots[i]);
			proto_put_u64(&b, PROTO_ATTR_CGROUP_ROOT_ID, 1);
		}
		proto_nest_begin(&b, PROTO_ATTR_NODE);
		proto_put_str(&b, PROTO_ATTR_PATH, "");
		proto_put_str(&b, PROTO_ATTR_KIND, "root");
		proto_put_str(&b, PROTO_ATTR_SUBTREE_CONTROL, "cpu pids");
		proto_nest_end(&b);
		ck_assert_int_eq(proto_msg_end(&b), 0);
		ck_assert_ptr_nonnull(f);
		ck_assert_int_eq(tree_print(f, b.data + PROTO_HDR_SIZE, b.len - PROTO_HDR_SIZE,
					    false), 0);
		fclose(f);
		ck_assert_str_eq(out, "/  (root)  subtree_control: cpu pids\n");
		free(out);
		proto_buf_free(&b);
	}
}
END_TEST

/* svctl tree below a root it can read: each node's subtree_control is
 * the file's (not the reply's), none for a node it cannot read (null in
 * JSON), and none for a NO_CGROUP node whose directory was left. */
START_TEST(test_tree_reads_each_nodes_subtree_control)
{
	static const char *const nodes[][3] = {   /* path, kind, subtree in the reply */
		{ "", "root", "bogus" }, { "a", "slice", NULL }, { "a/s", "service", NULL },
		{ "a/gone", "service", NULL },
	};
	char dir[] = "/tmp/test_table.XXXXXX";
	_cleanup_free_ char *rm = NULL;
	char *out = NULL;
	size_t len = 0;
	struct proto_buf b;
	FILE *f;
	int root;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	root = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(root, 0);
	ck_assert_int_eq(mkdirat(root, "a", 0755), 0);
	ck_assert_int_eq(mkdirat(root, "a/s", 0755), 0);
	put_file(root, "cgroup.subtree_control", "cpu memory\n");
	put_file(root, "a/cgroup.subtree_control", "memory\n");
	put_file(root, "a/s/cgroup.subtree_control", "pids\n");
	proto_buf_init(&b, 1u << 16);
	proto_msg_begin(&b, PROTO_REPLY_OK);
	for (size_t i = 0; i < ARRAY_SIZE(nodes); i++) {
		proto_nest_begin(&b, PROTO_ATTR_NODE);
		proto_put_str(&b, PROTO_ATTR_PATH, nodes[i][0]);
		proto_put_str(&b, PROTO_ATTR_KIND, nodes[i][1]);
		if (nodes[i][2])
			proto_put_str(&b, PROTO_ATTR_SUBTREE_CONTROL, nodes[i][2]);
		if (strcmp(nodes[i][0], "a/s") == 0)
			proto_put_flag(&b, PROTO_ATTR_NO_CGROUP);
		proto_nest_end(&b);
	}
	ck_assert_int_eq(proto_msg_end(&b), 0);
	f = open_memstream(&out, &len);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(tree_print_at(f, b.data + PROTO_HDR_SIZE, b.len - PROTO_HDR_SIZE, false,
				       root), 0);
	fclose(f);
	ck_assert_str_eq(out, "/  (root)  subtree_control: cpu memory\n"
			      "  a/  (slice)  subtree_control: memory\n"
			      "    s  (service)\n"
			      "    gone  (service)\n");
	free(out);
	f = open_memstream(&out, &len);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(tree_print_at(f, b.data + PROTO_HDR_SIZE, b.len - PROTO_HDR_SIZE, true,
				       root), 0);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(out, "\"path\":\"a/gone\",\"kind\":\"service\","
					  "\"name\":null,\"state\":null,\"subtree_control\":null"));
	ck_assert_ptr_nonnull(strstr(out, "\"subtree_control\":\"cpu memory\""));
	free(out);
	proto_buf_free(&b);
	close(root);
	ck_assert_int_gt(asprintf(&rm, "rm -rf '%s'", dir), 0);
	ck_assert_int_eq(system(rm), 0);
}
END_TEST

static Suite *table_suite(void)
{
	Suite *s = suite_create("table");
	TCase *tc = tcase_create("table");

	tcase_add_test(tc, test_table_is_aligned_cleaned_and_exact);
	tcase_add_test(tc, test_states_are_coloured);
	tcase_add_test(tc, test_json_escapes_c1);
	tcase_add_test(tc, test_wide_rows_print_whole);
	tcase_add_test(tc, test_sizes_and_durations);
	tcase_add_test(tc, test_cgstat_reads_each_units_files);
	tcase_add_test(tc, test_cgstat_root_must_be_initds);
	tcase_add_test(tc, test_cgstat_read_paths);
	tcase_add_test(tc, test_tree_keeps_the_replys_subtree_control);
	tcase_add_test(tc, test_tree_reads_each_nodes_subtree_control);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(table_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

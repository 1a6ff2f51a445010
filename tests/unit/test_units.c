/* test_units.c — the unit-file model (units/): value syntaxes, one unit
 * file, initd.conf, a directory with cross-unit checks, the start order,
 * and the binary encoding. Diagnostics are asserted as the exact
 * "FILE:LINE: message" the user sees. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"
#include "initd/loader.h"
#include "units/internal.h"
#include "units/unit.h"
#include "tests/memory.h"

#define DATA_DIR "tests/unit/data"

/* ---- helpers ----------------------------------------------------------- */

static const char *data_dir(void)
{
	const char *d = getenv("TEST_DATA_DIR");

	return d ? d : DATA_DIR;
}

/* "FILE:LINE: message" with prefix (a temporary directory) cut off. */
static const char *diag_text(const struct unit_diag *d, const char *prefix)
{
	static char buf[4096];
	size_t n = prefix ? strlen(prefix) : 0;

	unit_diag_format(d, buf, sizeof(buf));
	if (n && strncmp(buf, prefix, n) == 0 && buf[n] == '/')
		memmove(buf, buf + n + 1, strlen(buf + n + 1) + 1);
	return buf;
}

static struct unit *parse(const char *file, const char *text)
{
	struct unit *u = NULL;

	ck_assert_int_eq(unit_parse_string(file, text, &u), 0);
	ck_assert_ptr_nonnull(u);
	return u;
}

/* A temporary configuration directory: DIR/initd.conf, DIR/units/. */
struct tree {
	char dir[64];
	char conf[128];
	char units[128];
};

static void tree_init(struct tree *t)
{
	snprintf(t->dir, sizeof(t->dir), "/tmp/test_units.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(t->dir));
	snprintf(t->conf, sizeof(t->conf), "%s/initd.conf", t->dir);
	snprintf(t->units, sizeof(t->units), "%s/units", t->dir);
	ck_assert_int_eq(mkdir(t->units, 0755), 0);
}

static void tree_write(struct tree *t, const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", t->dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void tree_remove(struct tree *t)
{
	nftw(t->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static struct unit_set *tree_load(struct tree *t)
{
	struct unit_set *s = NULL;

	ck_assert_int_eq(unit_set_load(t->conf, t->units, &s), 0);
	ck_assert_ptr_nonnull(s);
	return s;
}

/* Assert s->diags are exactly want[] (NULL-terminated), paths relative. */
static void assert_diags(const struct unit_set *s, const char *prefix, const char *const *want)
{
	size_t n = 0;

	while (want[n])
		n++;
	for (size_t i = 0; i < s->diags.n && i < n; i++)
		ck_assert_str_eq(diag_text(&s->diags.v[i], prefix), want[i]);
	ck_assert_uint_eq(s->diags.n, n);
}

static struct unit *find(const struct unit_set *s, const char *name)
{
	struct unit *u = unit_set_find(s, name);

	ck_assert_msg(u != NULL, "unit %s missing", name);
	return u;
}

/* ---- values ------------------------------------------------------------ */

/* Many broken templates: each placeholder's diagnostics (up to 32) go to
 * the set's own list, which could outgrow the bound the model carries;
 * the encode then failed and PID 1 got no model at all, not a set with
 * its bad units. The list stops there, the last entry saying so, and the
 * set encodes. */
START_TEST(set_diagnostics_are_bounded)
{
	struct unit_set s = { 0 };
	struct unit_diags head = { 0 };
	void *buf = NULL;
	size_t len = 0;

	if (test_memory_short(128 << 20))   /* ~110 MB of small strings */
		return;
	head.v = calloc(UNIT_SET_DIAGS_MAX + 10, sizeof(*head.v));
	ck_assert_ptr_nonnull(head.v);
	for (size_t i = 0; i < UNIT_SET_DIAGS_MAX + 10; i++)
		head.v[head.n++] = (struct unit_diag){ strdup("t@.unit"), 2, strdup("unknown key") };
	ck_assert_int_eq(set_collect_diags(&s, &head), 0);
	ck_assert_uint_eq(s.diags.n, UNIT_SET_DIAGS_MAX);
	ck_assert_str_eq(s.diags.v[s.diags.n - 1].message, "too many errors, not reporting more");
	ck_assert_int_eq(unit_set_encode(&s, &buf, &len), 0);
	free(buf);
	diags_clear(&head);
	diags_clear(&s.diags);
}
END_TEST

/* ... and at a bound of bytes: fewer than UNIT_SET_DIAGS_MAX long ones
 * (a long path, a message quoting values) were still over the 64 MiB a
 * model may take, and PID 1 got a bare errno again. */
START_TEST(set_diagnostics_bytes_are_bounded)
{
	struct unit_set s = { 0 };
	struct unit_diags head = { 0 };
	char file[200], message[300];
	size_t n = 140000, bytes = 0;   /* 70 MB of text */
	void *buf = NULL;
	size_t len = 0;

	if (test_memory_short(96 << 20))   /* the text, the set's copy and its model */
		return;
	memset(file, 'f', sizeof(file) - 1);
	file[sizeof(file) - 1] = '\0';
	memset(message, 'm', sizeof(message) - 1);
	message[sizeof(message) - 1] = '\0';
	head.v = calloc(n, sizeof(*head.v));
	ck_assert_ptr_nonnull(head.v);
	for (size_t i = 0; i < n; i++)   /* the set copies them: these are shared */
		head.v[head.n++] = (struct unit_diag){ file, 2, message };
	ck_assert_int_eq(set_collect_diags(&s, &head), 0);
	ck_assert_uint_lt(s.diags.n, n);
	ck_assert_str_eq(s.diags.v[s.diags.n - 1].message, "too many errors, not reporting more");
	for (size_t i = 0; i + 1 < s.diags.n; i++)
		bytes += strlen(s.diags.v[i].file) + strlen(s.diags.v[i].message) + 2;
	ck_assert_uint_le(bytes, UNIT_SET_DIAGS_BYTES_MAX);
	ck_assert_int_eq(unit_set_encode(&s, &buf, &len), 0);
	free(buf);
	free(head.v);
	diags_clear(&s.diags);
}
END_TEST

/* ... and so do the units' own lists, which the model carries beside the
 * set's copy: 300 units of 32 long errors were over 64 MiB by
 * themselves. Past the bound a unit keeps what fits, its last entry
 * saying so; one after it only that. */
START_TEST(unit_diagnostics_bytes_are_bounded)
{
	struct unit_set s = { 0 };
	struct unit_diags head = { 0 };
	char message[7000];
	size_t n = 300, bytes = 0;
	void *buf = NULL;
	size_t len = 0;

	if (test_memory_short(160 << 20))   /* ~70 MB of messages, their model too */
		return;
	memset(message, 'm', sizeof(message) - 1);
	message[sizeof(message) - 1] = '\0';
	s.units = calloc(n + 1, sizeof(*s.units));
	ck_assert_ptr_nonnull(s.units);
	for (size_t i = 0; i < n; i++) {
		char name[16];
		struct unit *u;

		snprintf(name, sizeof(name), "u%03zu", i);
		u = s.units[s.n_units++] = unit_new(name, "/etc/initd/units/u.unit");
		ck_assert_ptr_nonnull(u);
		u->bad = true;
		for (size_t k = 0; k < UNIT_DIAG_MAX; k++)
			ck_assert_int_eq(diags_append(&u->diags, u->file, 1, message), 0);
	}
	ck_assert_int_eq(set_collect_diags(&s, &head), 0);
	for (size_t i = 0; i < n; i++) {
		const struct unit_diags *d = &s.units[i]->diags;

		ck_assert_uint_ge(d->n, 1);
		for (size_t k = 0; k + 1 < d->n; k++)
			bytes += strlen(d->v[k].file) + strlen(d->v[k].message) + 2;
		if (d->n < UNIT_DIAG_MAX)
			ck_assert_str_eq(d->v[d->n - 1].message, "too many errors, not reporting more");
		else
			bytes += strlen(d->v[d->n - 1].file) + strlen(d->v[d->n - 1].message) + 2;
	}
	ck_assert_uint_le(bytes, UNIT_SET_DIAGS_BYTES_MAX);
	ck_assert_uint_eq(s.units[n - 1]->diags.n, 1);
	ck_assert_int_eq(unit_set_encode(&s, &buf, &len), 0);
	free(buf);
	for (size_t i = 0; i < n; i++)
		unit_free(s.units[i]);
	free(s.units);
	diags_clear(&s.diags);
}
END_TEST

START_TEST(test_duration)
{
	static const struct { const char *s; int r; uint64_t usec; } cases[] = {
		{ "0", 0, 0 }, { "0s", 0, 0 }, { "250us", 0, 250 }, { "100ms", 0, 100000 },
		{ "5s", 0, 5000000 }, { "2min", 0, 120000000 }, { "1.5s", 0, 1500000 },
		{ "0.5ms", 0, 500 }, { "1min 30s", 0, 90000000 }, { "1min30s", 0, 90000000 },
		{ "1.25min", 0, 75000000 },
		{ "", -EINVAL, 0 }, { "5", -EINVAL, 0 }, { "5 s", -EINVAL, 0 }, { "s", -EINVAL, 0 },
		{ "-1s", -EINVAL, 0 }, { "+1s", -EINVAL, 0 }, { "1.s", -EINVAL, 0 },
		{ ".5s", -EINVAL, 0 }, { "5hr", -EINVAL, 0 }, { "5sec", -EINVAL, 0 },
		{ "5h", 0, 18000000000ULL }, { "1h 30min", 0, 5400000000ULL }, { "1.5h", 0, 5400000000ULL },
		{ "87600h", 0, UNIT_DURATION_MAX }, { "87600h 1us", -ERANGE, 0 },
		{ "1s ", -EINVAL, 0 }, { " 1s", -EINVAL, 0 }, { "1m", -EINVAL, 0 },
		{ "max", -EINVAL, 0 }, { "18446744073709551615us", -ERANGE, 0 },
		/* ten years at most: a deadline now + it never wraps */
		{ "5256000min", 0, UNIT_DURATION_MAX }, { "5256000min 1us", -ERANGE, 0 },
		{ "307445734561min", -ERANGE, 0 },
		{ "18446744073709551616us", -ERANGE, 0 }, { "999999999999999min", -ERANGE, 0 },
		{ "18446744073709551615us 1us", -ERANGE, 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint64_t v = 12345;
		int r = parse_duration(cases[i].s, &v);
		ck_assert_msg(r == cases[i].r, "'%s': %d", cases[i].s, r);
		if (r == 0)
			ck_assert_msg(v == cases[i].usec, "'%s': %llu", cases[i].s,
				      (unsigned long long)v);
		else
			ck_assert_uint_eq(v, 12345);
	}
}
END_TEST

START_TEST(test_size)
{
	static const struct { const char *s; int r; uint64_t bytes; } cases[] = {
		{ "0", 0, 0 }, { "4096", 0, 4096 }, { "512K", 0, 512 * 1024 },
		{ "64M", 0, 64ULL << 20 }, { "1G", 0, 1ULL << 30 }, { "2T", 0, 2ULL << 40 },
		{ "max", -EINVAL, 0 }, { "", -EINVAL, 0 }, { "1k", -EINVAL, 0 },
		{ "1KB", -EINVAL, 0 }, { "1.5G", -EINVAL, 0 }, { "-1", -EINVAL, 0 },
		{ "K", -EINVAL, 0 }, { " 1K", -EINVAL, 0 }, { "16777216T", -ERANGE, 0 },
		{ "99999999999999999999", -ERANGE, 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint64_t v = 7;
		int r = parse_size(cases[i].s, &v);
		ck_assert_msg(r == cases[i].r, "'%s': %d", cases[i].s, r);
		ck_assert_uint_eq(v, r == 0 ? cases[i].bytes : 7);
	}
}
END_TEST

START_TEST(test_signal)
{
	int sig = 0;

	ck_assert_int_eq(parse_signal("TERM", &sig), 0);
	ck_assert_int_eq(sig, SIGTERM);
	ck_assert_int_eq(parse_signal("SIGKILL", &sig), 0);
	ck_assert_int_eq(sig, SIGKILL);
	ck_assert_int_eq(parse_signal("9", &sig), 0);
	ck_assert_int_eq(sig, 9);
	ck_assert_int_eq(parse_signal("RTMIN+2", &sig), 0);
	ck_assert_int_eq(sig, SIGRTMIN + 2);
	ck_assert_int_eq(parse_signal("RTMAX", &sig), 0);
	ck_assert_int_eq(sig, SIGRTMAX);
	sig = -1;
	ck_assert_int_eq(parse_signal("term", &sig), -EINVAL);
	ck_assert_int_eq(parse_signal("0", &sig), -EINVAL);
	ck_assert_int_eq(parse_signal("09", &sig), -EINVAL);
	ck_assert_int_eq(parse_signal("65", &sig), -EINVAL);
	ck_assert_int_eq(parse_signal("SIG", &sig), -EINVAL);
	ck_assert_int_eq(parse_signal("", &sig), -EINVAL);
	ck_assert_int_eq(parse_signal("RTMIN+99", &sig), -EINVAL);
	ck_assert_int_eq(parse_signal("RTMIN-1", &sig), -EINVAL);
	ck_assert_int_eq(sig, -1);
	ck_assert_str_eq(signal_to_string(SIGTERM), "TERM");
	ck_assert_str_eq(signal_to_string(SIGHUP), "HUP");
	ck_assert_ptr_null(signal_to_string(0));
	ck_assert_ptr_null(signal_to_string(1000));
}
END_TEST

/* hint_closest against the plain rule: the first candidate at the least
 * optimal-string-alignment distance, which must be 1..2 (1 for words of up
 * to 4 bytes) and less than the word's length. Its bounds (lengths, rows
 * past the limit, the best so far) must never change the answer. */
static size_t osa_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), d[65][65];

	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			size_t v = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			v = d[i - 1][j] + 1 < v ? d[i - 1][j] + 1 : v;
			v = d[i][j - 1] + 1 < v ? d[i][j - 1] + 1 : v;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[la][lb];
}

static const char *hint_plain(const char *word, const char *const *c, size_t n)
{
	size_t len = strlen(word), limit = len <= 4 ? 1 : 2, best_d = SIZE_MAX;
	const char *best = NULL;

	if (len == 0 || len > 64)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		size_t d;
		if (!c[i] || strlen(c[i]) > 64)
			continue;
		d = osa_distance(word, c[i]);
		if (d > 0 && d <= limit && d < len && d < best_d) {
			best = c[i];
			best_d = d;
		}
	}
	return best;
}

START_TEST(test_hint_closest)
{
	static const char *const keys[] = { "exec", "restart", "restart_delay", "stop.signal",
					    "after", "requires", NULL, "ab", "ba" };
	char long_name[80], words[400][12];
	const char *cand[400];
	unsigned seed = 19, hinted = 0;

	ck_assert_str_eq(hint_closest("exce", keys, ARRAY_SIZE(keys)), "exec");
	ck_assert_str_eq(hint_closest("restrat", keys, ARRAY_SIZE(keys)), "restart");
	ck_assert_str_eq(hint_closest("stop.sigal", keys, ARRAY_SIZE(keys)), "stop.signal");
	ck_assert_ptr_null(hint_closest("exec", keys, ARRAY_SIZE(keys)));      /* itself */
	ck_assert_ptr_null(hint_closest("restartss_delays", keys, ARRAY_SIZE(keys)));   /* 3 */
	ck_assert_ptr_null(hint_closest("a", keys, ARRAY_SIZE(keys)));   /* "ab": 1, not < 1 */
	ck_assert_str_eq(hint_closest("bb", keys, ARRAY_SIZE(keys)), "ab");   /* the first */
	/* the 64-byte bound: a word or a name past it is never compared */
	memset(long_name, 'x', 65);
	long_name[65] = '\0';
	cand[0] = long_name;
	cand[1] = long_name + 1;
	ck_assert_ptr_null(hint_closest(long_name, cand, 2));
	ck_assert_ptr_eq(hint_closest(long_name + 2, cand, 2), long_name + 1);   /* 64, 63 */
	ck_assert_ptr_null(hint_closest(long_name + 2, cand, 1));   /* 65 bytes, at 2 */
	long_name[40] = 'y';
	ck_assert_ptr_eq(hint_closest(long_name + 1, cand, 2), NULL);   /* itself */
	ck_assert_ptr_eq(hint_closest(long_name + 2, cand + 1, 1), long_name + 1);
	long_name[40] = 'x';
	/* random words over 3 letters, 1-11 bytes: close ones are common */
	for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
		size_t len = 1 + rand_r(&seed) % 11;
		for (size_t k = 0; k < len; k++)
			words[i][k] = (char)('a' + rand_r(&seed) % 3);
		words[i][len] = '\0';
		cand[i] = words[i];
	}
	for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
		const char *want = hint_plain(words[i], cand, ARRAY_SIZE(cand));
		const char *got = hint_closest(words[i], cand, ARRAY_SIZE(cand));
		ck_assert_msg(got == want, "'%s': got '%s', want '%s'", words[i],
			      got ? got : "(none)", want ? want : "(none)");
		hinted += got != NULL;
	}
	ck_assert_msg(hinted > 100 && hinted < 390, "%u of 400 hinted", hinted);
}
END_TEST

START_TEST(test_names)
{
	char longest[UNIT_NAME_MAX + 2];

	ck_assert(unit_name_valid("web"));
	ck_assert(unit_name_valid("getty@tty1"));
	ck_assert(unit_name_valid("a_b-c.d"));
	ck_assert(!unit_name_valid(""));
	ck_assert(!unit_name_valid(".hidden"));
	ck_assert(!unit_name_valid("-x"));
	ck_assert(!unit_name_valid("a b"));
	ck_assert(!unit_name_valid("a/b"));
	memset(longest, 'a', sizeof(longest));
	longest[UNIT_NAME_MAX] = '\0';
	ck_assert(unit_name_valid(longest));
	longest[UNIT_NAME_MAX] = 'a';
	longest[UNIT_NAME_MAX + 1] = '\0';
	ck_assert(!unit_name_valid(longest));

	ck_assert(unit_slice_path_valid("apps"));
	ck_assert(unit_slice_path_valid("apps/db"));
	ck_assert(unit_slice_path_valid("a/b/c/d/e/f/g/h"));
	ck_assert(!unit_slice_path_valid("a/b/c/d/e/f/g/h/i"));
	ck_assert(!unit_slice_path_valid(""));
	ck_assert(!unit_slice_path_valid("/apps"));
	ck_assert(!unit_slice_path_valid("apps/"));
	ck_assert(!unit_slice_path_valid("a//b"));
	ck_assert(!unit_slice_path_valid("../etc"));

	ck_assert_str_eq(unit_type_to_string(UNIT_NOTIFY), "notify");
	ck_assert_str_eq(unit_restart_to_string(UNIT_RESTART_ON_FAILURE), "on-failure");
	ck_assert_str_eq(crash_action_to_string(CRASH_REBOOT), "reboot");
	ck_assert_ptr_null(unit_type_to_string(UNIT_TYPE_MAX));
	ck_assert_ptr_null(crash_action_to_string((enum crash_action)-1));
}
END_TEST

/* ---- one unit file ----------------------------------------------------- */

START_TEST(test_parse_every_key)
{
	char path[256];
	struct unit *u = NULL;

	snprintf(path, sizeof(path), "%s/units-good/units/web.unit", data_dir());
	ck_assert_int_eq(unit_parse_file(path, &u), 0);
	ck_assert_msg(!u->bad, "%s", u->diags.n ? u->diags.v[0].message : "");
	ck_assert_uint_eq(u->diags.n, 0);
	ck_assert_str_eq(u->name, "web");
	ck_assert_str_eq(u->file, path);
	ck_assert_str_eq(u->description, "Static web server");
	ck_assert_str_eq(u->exec[0], "/bin/httpd");
	ck_assert_str_eq(u->exec[5], "/www");
	ck_assert_ptr_null(u->exec[6]);
	ck_assert_int_eq(u->type, UNIT_NOTIFY);
	ck_assert_str_eq(u->requires[0], "net");
	ck_assert_ptr_null(u->requires[1]);
	ck_assert_str_eq(u->after[0], "syslog");
	ck_assert_str_eq(u->after[1], "db");
	ck_assert_ptr_null(u->after[2]);
	ck_assert_int_eq(u->restart, UNIT_RESTART_ALWAYS);
	ck_assert_uint_eq(u->restart_delay_usec, 250 * USEC_PER_MSEC);
	ck_assert_uint_eq(u->restart_delay_max_usec, 60 * USEC_PER_SEC);
	ck_assert_uint_eq(u->start_limit_burst, 3);
	ck_assert_uint_eq(u->start_limit_interval_usec, 1500 * USEC_PER_MSEC);
	ck_assert_int_eq(u->stop_signal, SIGINT);
	ck_assert_uint_eq(u->stop_timeout_usec, 2 * USEC_PER_SEC);
	ck_assert_str_eq(u->user, "www");
	ck_assert_str_eq(u->group, "1000");
	ck_assert_str_eq(u->environment[0], "LANG=C.UTF-8");
	ck_assert_str_eq(u->environment[1], "PORT=80");
	ck_assert_ptr_null(u->environment[2]);
	ck_assert_str_eq(u->workdir, "/www");
	ck_assert_uint_eq(u->watchdog_usec, 10 * USEC_PER_SEC);
	ck_assert(u->log_console);
	ck_assert(!u->log_kmsg);
	ck_assert_str_eq(u->cgroup.slice, "apps");
	unit_free(u);
}
END_TEST

START_TEST(test_parse_defaults)
{
	struct unit *u = parse("units/min.unit", "exec = [ \"/bin/true\" ];\n");

	ck_assert(!u->bad);
	ck_assert_str_eq(u->name, "min");
	ck_assert_ptr_null(u->description);
	ck_assert_int_eq(u->type, UNIT_SIMPLE);
	ck_assert_ptr_nonnull(u->requires);
	ck_assert_ptr_null(u->requires[0]);
	ck_assert_ptr_nonnull(u->after);
	ck_assert_ptr_null(u->after[0]);
	ck_assert_int_eq(u->restart, UNIT_RESTART_ON_FAILURE);
	ck_assert_uint_eq(u->restart_delay_usec, 100 * USEC_PER_MSEC);
	ck_assert_uint_eq(u->restart_delay_max_usec, 30 * USEC_PER_SEC);
	ck_assert_uint_eq(u->start_limit_burst, 5);
	ck_assert_uint_eq(u->start_limit_interval_usec, 10 * USEC_PER_SEC);
	ck_assert_int_eq(u->stop_signal, SIGTERM);
	ck_assert_uint_eq(u->stop_timeout_usec, 5 * USEC_PER_SEC);
	ck_assert_uint_eq(u->start_timeout_usec, 90 * USEC_PER_SEC);
	ck_assert_uint_eq(u->opt->success_exit_codes[0] | u->opt->success_exit_codes[3] |
			  u->opt->success_exit_signals, 0);
	ck_assert_ptr_null(u->user);
	ck_assert_ptr_null(u->group);
	ck_assert_ptr_nonnull(u->environment);
	ck_assert_ptr_null(u->environment[0]);
	ck_assert_ptr_null(u->workdir);
	ck_assert_str_eq(u->cgroup.slice, "system");
	ck_assert_uint_eq(u->watchdog_usec, 0);
	ck_assert(!u->log_console);
	ck_assert(!u->log_kmsg);
	/* the same file parsed twice is equal; a change is not */
	struct unit *v = parse("units/min.unit", "exec = [ \"/bin/true\" ];\n");
	ck_assert(unit_equal(u, v));
	unit_free(v);
	v = parse("units/min.unit", "exec = [ \"/bin/true\" ]; stop = { timeout = \"6s\"; };\n");
	ck_assert(!unit_equal(u, v));
	unit_free(v);
	v = parse("units/min.unit", "exec = [ \"/bin/true\" ]; watchdog = \"1s\";\n");
	ck_assert(!unit_equal(u, v));
	unit_free(v);
	v = parse("units/min.unit", "exec = [ \"/bin/true\" ]; type = \"oneshot\";\n");
	ck_assert_uint_eq(v->start_timeout_usec, 90 * USEC_PER_SEC);
	struct unit *w = parse("units/min.unit", "exec = [ \"/bin/true\" ]; type = \"oneshot\";\n"
			       "start_timeout = \"0\";\n");
	ck_assert(!w->bad);
	ck_assert_uint_eq(w->start_timeout_usec, 0);
	ck_assert(!unit_equal(v, w));
	unit_free(w);
	unit_free(v);
	/* probes (issue 15): defaults, a simple unit with ready takes start_timeout */
	v = parse("units/min.unit", "exec = [ \"/bin/true\" ];\n"
		  "ready = { tcp = \"[::1]:8080\"; };\nstart_timeout = \"5s\";\n"
		  "health = { exec = [ \"/bin/check\", \"-q\" ]; };\n");
	ck_assert(!v->bad);
	ck_assert_int_eq(v->opt->ready.kind, UNIT_PROBE_TCP);
	ck_assert_str_eq(v->opt->ready.target, "[::1]:8080");
	ck_assert_uint_eq(v->opt->ready.interval_usec, USEC_PER_SEC);
	ck_assert_uint_eq(v->opt->ready.timeout_usec, 2 * USEC_PER_SEC);
	ck_assert_uint_eq(v->start_timeout_usec, 5 * USEC_PER_SEC);
	ck_assert_int_eq(v->opt->health.kind, UNIT_PROBE_EXEC);
	ck_assert_str_eq(v->opt->health.exec[1], "-q");
	ck_assert_uint_eq(v->opt->health.interval_usec, 10 * USEC_PER_SEC);
	ck_assert_uint_eq(v->opt->health.failures, 3);
	struct unit_probe_endpoint e;
	ck_assert_int_eq(unit_probe_endpoint(&v->opt->ready, &e), 0);
	ck_assert_int_eq(e.port, 8080);
	ck_assert(!unit_equal(u, v));
	unit_free(v);
	v = parse("units/min.unit", "exec = [ \"/bin/true\" ];\n"
		  "health = { http = \"http://10.1.2.3\"; };\n");
	ck_assert(!v->bad);
	ck_assert_int_eq(unit_probe_endpoint(&v->opt->health, &e), 0);
	ck_assert_int_eq(e.port, 80);
	ck_assert_str_eq(e.path, "/");
	ck_assert_str_eq(e.host, "10.1.2.3");
	unit_free(v);
	v = parse("units/min.unit", "exec = [ \"/bin/true\" ];\n"
		  "success_exit = ( 1, 255, \"TERM\", \"SIGHUP\", \"RTMIN+1\" );\n");
	ck_assert(!v->bad);
	ck_assert_uint_eq(v->opt->success_exit_codes[0], 1ULL << 1);
	ck_assert_uint_eq(v->opt->success_exit_codes[3], 1ULL << 63);
	ck_assert_uint_eq(v->opt->success_exit_signals, (1ULL << (SIGTERM - 1)) |
			  (1ULL << (SIGHUP - 1)) | (1ULL << (SIGRTMIN + 1 - 1)));
	ck_assert(!unit_equal(u, v));
	unit_free(v);
	v = parse("units/min.unit", "exec = [ \"/bin/true\" ];\nsuccess_exit = [ 3, 4 ];\n");
	ck_assert(!v->bad);
	ck_assert_uint_eq(v->opt->success_exit_codes[0], (1ULL << 3) | (1ULL << 4));
	unit_free(v);
	v = parse("units/min.unit", "exec = [ \"/bin/true\" ]; log = { kmsg = true; };\n");
	ck_assert(!unit_equal(u, v));
	unit_free(v);
	unit_free(u);
}
END_TEST

#define EXEC "exec = [ \"/bin/x\" ];\n"

#define CG_FULL "cgroup = {\n" \
	"  slice = \"apps\";\n" \
	"  cpu = { max = \"50%\"; weight = 100; max_burst = \"10ms\"; };\n" \
	"  cpuset = { cpus = \"0-1\"; mems = \"0\"; };\n" \
	"  memory = { max = \"64M\"; high = \"48M\"; low = \"16M\"; min = \"8M\"; swap_max = \"0\";" \
	" oom_group = true; };\n" \
	"  pids = { max = 64; };\n" \
	"  io = { weight = 100; max = ( { device = \"8:0\"; rbps = \"10M\"; wbps = \"max\";" \
	" riops = 1000; wiops = \"max\"; } ); };\n" \
	"  subtree_control = [ \"memory\", \"pids\" ];\n" \
	"  delegate_max_depth = 4;\n" \
	"  delegate_max_descendants = 100;\n" \
	"};\n"


/* Each case: the text of t.unit and its first diagnostic. */
static const struct {
	const char *text;
	const char *diag;
} error_cases[] = {
	{ EXEC "exce = [ \"/bin/y\" ];\n",
	  "t.unit:2: unknown key 'exce' (did you mean 'exec'?)" },
	{ EXEC "colour = \"red\";\n", "t.unit:2: unknown key 'colour'" },
	{ EXEC "stop = {\n  sigal = \"TERM\";\n};\n",
	  "t.unit:3: unknown key 'stop.sigal' (did you mean 'stop.signal'?)" },
	{ EXEC "cgroup = { slice = \"apps\"; memroy = \"1G\"; };\n",
	  "t.unit:2: unknown key 'cgroup.memroy' (did you mean 'cgroup.memory'?)" },
	{ EXEC "description = 5;\n", "t.unit:2: 'description' must be a string" },
	{ "exec = \"/bin/x\";\n", "t.unit:1: 'exec' must be an array of strings" },
	{ "exec = ( \"/bin/x\",\n 1 );\n", "t.unit:2: 'exec[1]' must be a string" },
	/* a bad entry before good ones: the good ones' copies were leaked
	 * (LeakSanitizer, check-san), as the NULL the bad one left stopped
	 * strv_free */
	{ "exec = ( 1, \"/bin/x\", \"y\" );\n", "t.unit:1: 'exec[0]' must be a string" },
	{ "exec = [];\n", "t.unit:1: 'exec' must not be empty" },
	{ "exec = [ \"bin/x\" ];\n", "t.unit:1: 'exec[0]' must be an absolute path (got 'bin/x')" },
	{ "type = \"simple\";\n", "t.unit: missing required key 'exec'" },
	{ EXEC "type = \"daemon\";\n",
	  "t.unit:2: 'type': unknown value 'daemon' (expected simple, notify, oneshot or forking)" },
	{ EXEC "pidfile = \"/run/x.pid\";\n",
	  "t.unit:2: 'pidfile' applies to forking units only (type = \"forking\")" },
	{ EXEC "type = \"forking\";\npidfile = \"run/x.pid\";\n",
	  "t.unit:3: 'pidfile' must be an absolute path (got 'run/x.pid')" },
	{ EXEC "type = \"forking\";\npidfile = \"/var/run/x.pid\";\n",
	  "t.unit:3: 'pidfile' must be a file below /run/ without '.', '..' or empty "
	  "components (got '/var/run/x.pid')" },
	{ EXEC "type = \"forking\";\npidfile = \"/run/../x.pid\";\n",
	  "t.unit:3: 'pidfile' must be a file below /run/ without '.', '..' or empty "
	  "components (got '/run/../x.pid')" },
	/* initd deletes a stale pid file before each start: in /run/initd it
	 * would be initd's own control or notify socket */
	{ EXEC "type = \"forking\";\npidfile = \"/run/initd/control\";\n",
	  "t.unit:3: 'pidfile' cannot be in /run/initd/, initd's own directory (its control "
	  "and notify sockets) (got '/run/initd/control')" },
	{ EXEC "type = \"forking\";\npidfile = \"/run/initd\";\n",
	  "t.unit:3: 'pidfile' cannot be in /run/initd/, initd's own directory (its control "
	  "and notify sockets) (got '/run/initd')" },
	{ EXEC "type = \"forking\";\npidfile = 5;\n", "t.unit:3: 'pidfile' must be a string" },
	{ EXEC "type = \"forking\";\nnamespaces = [ \"pid\", \"mount\" ];\n",
	  "t.unit:3: type \"forking\" cannot run in a PID namespace: its reaper ends with the "
	  "process it started, and the daemon with it (run the daemon in the foreground as "
	  "type \"simple\")" },
	{ EXEC "restart = \"alway\";\n",
	  "t.unit:2: 'restart': unknown value 'alway' (did you mean 'always'?)" },
	{ EXEC "restart_delay = \"5 seconds\";\n",
	  "t.unit:2: 'restart_delay': invalid duration '5 seconds' "
	  "(expected a duration string like \"5s\")" },
	{ EXEC "restart_delay = 5;\n",
	  "t.unit:2: 'restart_delay' must be a string (expected a duration string like \"5s\")" },
	{ EXEC "stop = { timeout = \"99999999999999999999s\"; };\n",
	  "t.unit:2: 'stop.timeout': duration '99999999999999999999s' is out of range" },
	{ EXEC "restart_delay = \"10s\";\nrestart_delay_max = \"5s\";\n",
	  "t.unit:3: 'restart_delay_max' must not be less than 'restart_delay'" },
	{ EXEC "restart_delay = \"1min\";\n",
	  "t.unit:2: 'restart_delay_max' must not be less than 'restart_delay'" },
	{ EXEC "start_limit = { burst = 0; };\n", "t.unit:2: 'start_limit.burst' must be at least 1" },
	{ EXEC "start_limit = { burst = \"5\"; };\n",
	  "t.unit:2: 'start_limit.burst' must be an integer" },
	{ EXEC "start_limit = { interval = \"0\"; };\n",
	  "t.unit:2: 'start_limit.interval' must be greater than 0" },
	{ EXEC "start_limit = 5;\n", "t.unit:2: 'start_limit' must be a group" },
	{ EXEC "stop = { signal = \"TREM\"; };\n",
	  "t.unit:2: 'stop.signal': unknown signal 'TREM' (did you mean 'TERM'?)" },
	{ EXEC "stop = { signal = \"sigterm\"; };\n",
	  "t.unit:2: 'stop.signal': unknown signal 'sigterm' (did you mean 'TERM'?)" },
	{ EXEC "stop = { signal = \"XYZZY\"; };\n", "t.unit:2: 'stop.signal': unknown signal 'XYZZY'" },
	{ EXEC "stop = { signal = 15; };\n", "t.unit:2: 'stop.signal' must be a string" },
	{ EXEC "user = \"12a\";\n", "t.unit:2: 'user': invalid numeric id '12a'" },
	{ EXEC "user = \"4294967295\";\n", "t.unit:2: 'user': invalid numeric id '4294967295'" },
	{ EXEC "user = \"007\";\n", "t.unit:2: 'user': invalid numeric id '007'" },
	{ EXEC "group = \"010\";\n", "t.unit:2: 'group': invalid numeric id '010'" },
	{ EXEC "user = \"a b\";\n", "t.unit:2: 'user': invalid user name 'a b'" },
	{ EXEC "group = 100;\n", "t.unit:2: 'group' must be a string" },
	{ EXEC "environment = { A = 1; };\n", "t.unit:2: 'environment.A' must be a string" },
	{ EXEC "environment = { A-B = \"x\"; };\n",
	  "t.unit:2: 'environment.A-B': invalid variable name 'A-B'" },
	{ EXEC "environment = [ \"A=B\" ];\n", "t.unit:2: 'environment' must be a group" },
	{ EXEC "workdir = \"www\";\n", "t.unit:2: 'workdir' must be an absolute path (got 'www')" },
	{ EXEC "cgroup = { slice = \"a//b\"; };\n",
	  "t.unit:2: 'cgroup.slice': invalid slice path 'a//b' "
	  "(expected names joined by '/', at most 8 deep)" },
	{ EXEC "cgroup = { slice = \"a/b/c/d/e/f/g/h/i\"; };\n",
	  "t.unit:2: 'cgroup.slice': invalid slice path 'a/b/c/d/e/f/g/h/i' "
	  "(expected names joined by '/', at most 8 deep)" },
	{ EXEC "requires = [ \"a b\" ];\n", "t.unit:2: 'requires[0]': invalid unit name 'a b'" },
	{ EXEC "after = [ \"net\",\n \"net\" ];\n", "t.unit:3: 'after[1]': 'net' is listed twice" },
	{ EXEC "requires = \"net\";\n", "t.unit:2: 'requires' must be an array of strings" },
	{ EXEC "description = \"a\\nb\" 7;\n", "t.unit:2: syntax error" },
	{ EXEC "exec = [ \"/bin/y\" ];\n", "t.unit:2: duplicate setting name" },
	{ EXEC "\n\ndescription = = \"x\";\n", "t.unit:4: syntax error" },
	{ EXEC "exec2 = [ \"/bin/x\", 1 ];\n", "t.unit:2: mismatched element type in array" },
	{ "  @include \"/etc/passwd\"\n" EXEC, "t.unit:1: @include is not allowed" },
	{ EXEC "description = \"\\x01\";\nuser = \"\\x1b[2J\";\n",
	  "t.unit:3: 'user': invalid user name '\\x1b[2J'" },
	{ "", "t.unit: missing required key 'exec'" },
	{ EXEC "watchdog = 10;\n",
	  "t.unit:2: 'watchdog' must be a string (expected a duration string like \"5s\")" },
	{ EXEC "watchdog = \"10 s\";\n",
	  "t.unit:2: 'watchdog': invalid duration '10 s' (expected a duration string like \"5s\")" },
	{ EXEC "log = { console = \"yes\"; };\n", "t.unit:2: 'log.console' must be true or false" },
	{ EXEC "log = { kmsg = 1; };\n", "t.unit:2: 'log.kmsg' must be true or false" },
	{ EXEC "log = { file = true; };\n", "t.unit:2: 'log.file' must be a string" },
	{ EXEC "log = { file = \"var/log/x\"; };\n",
	  "t.unit:2: 'log.file' must be an absolute path of at most 1024 bytes, not ending in '/' "
	  "(got 'var/log/x')" },
	{ EXEC "log = { max_size = \"2K\"; };\n",
	  "t.unit:2: 'log.max_size' must be between 4K and 1G (got '2K')" },
	{ EXEC "log = { keep = 101; };\n", "t.unit:2: 'log.keep' must be between 0 and 100 (got 101)" },
	{ EXEC "log = { rotate = 1; };\n", "t.unit:2: unknown key 'log.rotate'" },
	{ EXEC "log = true;\n", "t.unit:2: 'log' must be a group" },
	{ EXEC "type = \"notify\";\nstart_timeout = 90;\n",
	  "t.unit:3: 'start_timeout' must be a string (expected a duration string like \"5s\")" },
	{ EXEC "start_timeout = \"1m\";\ntype = \"oneshot\";\n",
	  "t.unit:2: 'start_timeout': invalid duration '1m' (expected a duration string like \"5s\")" },
	{ EXEC "success_exit = 1;\n",
	  "t.unit:2: 'success_exit' must be a list of exit statuses and signal names, "
	  "e.g. ( 1, \"TERM\" )" },
	{ EXEC "success_exit = ( 1,\n 256 );\n",
	  "t.unit:3: 'success_exit[1]': exit status 256 is out of range (0 to 255)" },
	{ EXEC "success_exit = ( \"TREM\" );\n",
	  "t.unit:2: 'success_exit[0]': unknown signal 'TREM' (did you mean 'TERM'?)" },
	{ EXEC "success_exit = ( 1, \"TERM\", 1 );\n",
	  "t.unit:2: 'success_exit[2]': 1 is listed twice" },
	/* "15" in quotes: exit status 15 or signal 15? Neither is guessed. */
	{ EXEC "success_exit = ( 15, \"15\" );\n",
	  "t.unit:2: 'success_exit[1]': \"15\" is a number in quotes: write 15 for exit "
	  "status 15, or a signal by name (\"TERM\")" },
	{ EXEC "success_exit = [ \"1\" ];\n",
	  "t.unit:2: 'success_exit[0]': \"1\" is a number in quotes: write 1 for exit "
	  "status 1, or a signal by name (\"HUP\")" },
	{ EXEC "success_exit = ( 1.5 );\n",
	  "t.unit:2: 'success_exit[0]' must be an exit status (0 to 255) or a signal name" },
	{ EXEC "start_timeout = \"5s\";\n",
	  "t.unit:2: 'start_timeout' applies to notify, oneshot and forking units, and to "
	  "simple units with 'ready' (a simple unit is ready once executed)" },
	/* probes (issue 15) */
	{ EXEC "ready = { tcp = \"localhost:80\"; };\n",
	  "t.unit:2: 'ready.tcp' must be ADDRESS:PORT, an IPv4 address or an IPv6 one in "
	  "brackets, port 1 to 65535 (got 'localhost:80')" },
	{ EXEC "ready = { tcp = \"127.0.0.1:0\"; };\n",
	  "t.unit:2: 'ready.tcp' must be ADDRESS:PORT, an IPv4 address or an IPv6 one in "
	  "brackets, port 1 to 65535 (got '127.0.0.1:0')" },
	{ EXEC "ready = { tcp = \"::1:80\"; };\n",
	  "t.unit:2: 'ready.tcp' must be ADDRESS:PORT, an IPv4 address or an IPv6 one in "
	  "brackets, port 1 to 65535 (got '::1:80')" },
	{ EXEC "health = { http = \"https://10.0.0.1/\"; };\n",
	  "t.unit:2: 'health.http' must be http://ADDRESS[:PORT][/PATH], an IP address, at most "
	  "255 bytes, no space in the path (got 'https://10.0.0.1/')" },
	{ EXEC "health = { http = \"http://10.0.0.1/a b\"; };\n",
	  "t.unit:2: 'health.http' must be http://ADDRESS[:PORT][/PATH], an IP address, at most "
	  "255 bytes, no space in the path (got 'http://10.0.0.1/a b')" },
	{ EXEC "ready = { interval = \"1s\"; };\n",
	  "t.unit:2: 'ready' needs exactly one of 'tcp', 'http' and 'exec'" },
	{ EXEC "ready = { exec = [ \"x\" ]; };\n",
	  "t.unit:2: 'ready.exec[0]' must be an absolute path (got 'x')" },
	{ EXEC "ready = { tcp = \"127.0.0.1:80\"; failures = 3; };\n",
	  "t.unit:2: unknown key 'ready.failures'" },
	{ EXEC "health = { tcp = \"127.0.0.1:80\"; failures = 0; };\n",
	  "t.unit:2: 'health.failures' must be between 1 and 100 (got 0)" },
	{ EXEC "health = { tcp = \"127.0.0.1:80\"; interval = \"10ms\"; };\n",
	  "t.unit:2: 'health.interval' must be between 100ms and 1h (got '10ms')" },
	{ EXEC "type = \"oneshot\";\nready = { tcp = \"127.0.0.1:80\"; };\n",
	  "t.unit:3: 'ready' does not apply to oneshot units (they are ready once they exited 0)" },
	/* libconfig 1.5 wraps an integer past 32 bits without L: 4294967297
	 * read as 1, 4294967296 as 0, both then in range */
	{ EXEC "health = { tcp = \"127.0.0.1:80\"; failures = 4294967297; };\n",
	  "t.unit:2: integer 4294967297 does not fit in 32 bits (libconfig would wrap it; "
	  "write 4294967297L)" },
	{ EXEC "success_exit = ( 1,\n 4294967296 );\n",
	  "t.unit:3: integer 4294967296 does not fit in 32 bits (libconfig would wrap it; "
	  "write 4294967296L)" },
	{ EXEC "postmortems = -2147483649;\n",
	  "t.unit:2: integer -2147483649 does not fit in 32 bits (libconfig would wrap it; "
	  "write -2147483649L)" },
	{ EXEC "postmortems = 0x100000000;\n",
	  "t.unit:2: integer 0x100000000 does not fit in 32 bits (libconfig would wrap it; "
	  "write 0x100000000L)" },
	{ EXEC "postmortems = 99999999999999999999999L;\n",
	  "t.unit:2: integer 99999999999999999999999L does not fit in 64 bits" },
	/* past 64 bits an L cannot help: not advised */
	{ EXEC "postmortems = 99999999999999999999999;\n",
	  "t.unit:2: integer 99999999999999999999999 does not fit in 64 bits" },
	{ EXEC "postmortems = 0x1FFFFFFFFFFFFFFFF;\n",
	  "t.unit:2: integer 0x1FFFFFFFFFFFFFFFF does not fit in 64 bits" },
	/* a float is read whole, and what follows it still is */
	{ EXEC "success_exit = ( 1.5e+3, .5, 2e-1, 4294967296 );\n",
	  "t.unit:2: integer 4294967296 does not fit in 32 bits (libconfig would wrap it; "
	  "write 4294967296L)" },
	/* a string's '#' starts no comment, a comment's '"' no string: the
	 * integer after them is still read, at its own line */
	{ "exec = [ \"/bin/x\", \"# // /*\" ]; postmortems = 4294967297;\n",
	  "t.unit:1: integer 4294967297 does not fit in 32 bits (libconfig would wrap it; "
	  "write 4294967297L)" },
	{ EXEC "# \"\n/* \"\n */ // \"\npostmortems = 4294967297;\n",
	  "t.unit:5: integer 4294967297 does not fit in 32 bits (libconfig would wrap it; "
	  "write 4294967297L)" },
};

START_TEST(test_parse_error)
{
	struct unit *u = parse("t.unit", error_cases[_i].text);
	char buf[1024];

	ck_assert_msg(u->bad, "case %d not bad", _i);
	ck_assert_uint_ge(u->diags.n, 1);
	unit_diag_format(&u->diags.v[0], buf, sizeof(buf));
	ck_assert_str_eq(buf, error_cases[_i].diag);
	unit_free(u);
}
END_TEST

/* The 32-bit check reads only integer tokens: not digits in strings,
 * comments, names or floats, nor L-suffixed or in-range values. */
START_TEST(test_parse_integers_in_range)
{
	struct unit *u = parse("t.unit", "exec = [ \"/bin/x\", \"99999999999\", \"a\\\"9999999999\" ];\n"
			       "# 99999999999\n// 99999999999\n/* 99999999999\n 99999999999 */\n"
			       "postmortems = 2;\nsuccess_exit = ( 255, 0x1 );\n"
			       "environment = { A9999999999 = \"1\"; };\n"
			       "stop = { timeout = \"2.5s\"; };\n");

	ck_assert_msg(!u->bad, "%s", u->diags.n ? diag_text(&u->diags.v[0], NULL) : "");
	unit_free(u);
	u = parse("t.unit", EXEC "postmortems = 99999999999L;\n");
	ck_assert_uint_ge(u->diags.n, 1);
	ck_assert_str_eq(diag_text(&u->diags.v[0], NULL), "t.unit:2: 'postmortems' must be 0..32");
	unit_free(u);
}
END_TEST

/* libconfig stamps a string element with the line of the token after it:
 * the last one of a list closed lines below was at the ']'. Each element
 * is at the line its value starts on: past comments holding quotes, a
 * value continued by another string ("c" "d" is one), a ',' on the next
 * line. */
START_TEST(test_parse_string_element_lines)
{
	struct unit *u = parse("t.unit", EXEC "requires = [ \"a\", /* \"b\" */\n"
			       "  \"c d\" \"e\",\n"
			       "  \"f!\" # \"g\"\n"
			       "  , \"h!\"\n"
			       "\n"
			       "];\n");

	ck_assert_uint_eq(u->diags.n, 3);
	ck_assert_str_eq(diag_text(&u->diags.v[0], NULL),
			 "t.unit:3: 'requires[1]': invalid unit name 'c de'");
	ck_assert_str_eq(diag_text(&u->diags.v[1], NULL),
			 "t.unit:4: 'requires[2]': invalid unit name 'f!'");
	ck_assert_str_eq(diag_text(&u->diags.v[2], NULL),
			 "t.unit:5: 'requires[3]': invalid unit name 'h!'");
	unit_free(u);
}
END_TEST

/* A float is no integer, whatever its digits: not its fraction, nor its
 * exponent (the digits after an exponent's sign were read as one, and
 * 1.5e+99999999999 said to be wrapped). What is said is the key's. */
START_TEST(test_parse_floats_are_not_integers)
{
	static const char *const floats[] = {
		"1.5e+99999999999", "1e+99999999999", "-1.5E-99999999999", "1.5e99999999999",
		".5e+99999999999", "-.5e-99999999999", "99999999999.5", "1.99999999999",
		"99999999999e+1", "99999999999.",
	};

	for (size_t i = 0; i < ARRAY_SIZE(floats); i++) {
		char text[256];
		struct unit *u;

		snprintf(text, sizeof(text), EXEC "postmortems = %s;\n", floats[i]);
		u = parse("t.unit", text);
		ck_assert_uint_eq(u->diags.n, 1);
		ck_assert_msg(strcmp(diag_text(&u->diags.v[0], NULL),
				     "t.unit:2: 'postmortems' must be an integer") == 0, "%s: %s",
			      floats[i], diag_text(&u->diags.v[0], NULL));
		unit_free(u);
	}
}
END_TEST

START_TEST(test_parse_many_errors)
{
	struct unit *u = parse("t.unit", EXEC "type = 1;\nrestart = 2;\nuser = 3;\n");

	ck_assert(u->bad);
	ck_assert_uint_eq(u->diags.n, 3);
	ck_assert_str_eq(diag_text(&u->diags.v[0], NULL), "t.unit:2: 'type' must be a string");
	ck_assert_str_eq(diag_text(&u->diags.v[1], NULL), "t.unit:3: 'restart' must be a string");
	ck_assert_str_eq(diag_text(&u->diags.v[2], NULL), "t.unit:4: 'user' must be a string");
	unit_free(u);
}
END_TEST

/* Diagnostics are bounded per file; the last one says so. */
START_TEST(test_parse_diag_limit)
{
	char text[8192];
	size_t o = 0;
	struct unit *u;

	for (int i = 0; i < 100; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o, "k%d = 1;\n", i);
	u = parse("t.unit", text);
	ck_assert(u->bad);
	ck_assert_uint_eq(u->diags.n, UNIT_DIAG_MAX);
	ck_assert_str_eq(diag_text(&u->diags.v[UNIT_DIAG_MAX - 1], NULL),
			 "t.unit: too many errors, not reporting more");
	unit_free(u);
}
END_TEST

START_TEST(test_parse_limits)
{
	static char text[UNIT_STRING_MAX + 64];
	struct unit *u;
	int o;

	o = sprintf(text, EXEC "description = \"");
	memset(text + o, 'x', UNIT_STRING_MAX);
	strcpy(text + o + UNIT_STRING_MAX, "\";\n");
	u = parse("t.unit", text);
	ck_assert(!u->bad);
	unit_free(u);
	strcpy(text + o + UNIT_STRING_MAX, "y\";\n");
	u = parse("t.unit", text);
	ck_assert(u->bad);
	ck_assert_str_eq(diag_text(&u->diags.v[0], NULL),
			 "t.unit:2: 'description' is longer than 4096 bytes");
	unit_free(u);

	/* names come from the file name */
	u = parse("dir/bad name.unit", EXEC);
	ck_assert(u->bad);
	ck_assert_str_eq(u->name, "bad name");
	ck_assert_str_eq(diag_text(&u->diags.v[0], NULL),
			 "dir/bad name.unit: invalid unit name 'bad name'");
	unit_free(u);
}
END_TEST

START_TEST(test_parse_argv_limit)
{
	size_t size = 32 + (UNIT_ARGV_MAX + 1) * 8;
	char *text = malloc(size);
	struct unit *u;
	size_t o = 0;

	o += (size_t)snprintf(text, size, "exec = [ \"/bin/x\"");
	for (int i = 1; i < UNIT_ARGV_MAX + 1; i++)
		o += (size_t)snprintf(text + o, size - o, ", \"a\"");
	snprintf(text + o, size - o, " ];\n");
	u = parse("t.unit", text);
	ck_assert(u->bad);
	ck_assert_str_eq(diag_text(&u->diags.v[0], NULL), "t.unit:1: 'exec' has more than 256 entries");
	unit_free(u);
	free(text);
}
END_TEST

START_TEST(test_parse_file_errors)
{
	struct tree t;
	char path[256], *big;
	struct unit *u;
	FILE *f;

	tree_init(&t);
	/* one byte over the limit: a comment that long */
	big = malloc(UNIT_FILE_MAX + 2);
	memset(big, '#', UNIT_FILE_MAX + 1);
	big[UNIT_FILE_MAX + 1] = '\0';
	tree_write(&t, "units/big.unit", big);
	snprintf(path, sizeof(path), "%s/units/big.unit", t.dir);
	ck_assert_int_eq(unit_parse_file(path, &u), 0);
	ck_assert(u->bad);
	ck_assert_str_eq(diag_text(&u->diags.v[0], t.dir), "units/big.unit: file is larger than 262144 bytes");
	unit_free(u);

	/* exactly at the limit is fine (and then lacks exec) */
	big[UNIT_FILE_MAX - 1] = '\n';
	big[UNIT_FILE_MAX] = '\0';
	tree_write(&t, "units/big.unit", big);
	ck_assert_int_eq(unit_parse_file(path, &u), 0);
	ck_assert_str_eq(diag_text(&u->diags.v[0], t.dir), "units/big.unit: missing required key 'exec'");
	unit_free(u);

	/* more lines than libconfig can number */
	memset(big, '\n', 70000);
	big[70000] = '\0';
	tree_write(&t, "units/big.unit", big);
	ck_assert_int_eq(unit_parse_file(path, &u), 0);
	ck_assert_str_eq(diag_text(&u->diags.v[0], t.dir), "units/big.unit: file has more than 65535 lines");
	unit_free(u);
	free(big);

	snprintf(path, sizeof(path), "%s/units/nul.unit", t.dir);
	f = fopen(path, "w");
	fwrite(EXEC "\0x", 1, sizeof(EXEC) + 1, f);
	fclose(f);
	ck_assert_int_eq(unit_parse_file(path, &u), 0);
	ck_assert_str_eq(diag_text(&u->diags.v[0], t.dir), "units/nul.unit:2: file contains a NUL byte");
	unit_free(u);

	snprintf(path, sizeof(path), "%s/units/dir.unit", t.dir);
	mkdir(path, 0755);
	ck_assert_int_eq(unit_parse_file(path, &u), 0);
	ck_assert_str_eq(diag_text(&u->diags.v[0], t.dir), "units/dir.unit: not a regular file");
	unit_free(u);

	/* Not a regular file: not even opened (a device's open may act:
	 * /dev/watchdog arms). A FIFO shows it: a writer waiting in its open
	 * is let through by any reader's. The old code opened it. */
	snprintf(path, sizeof(path), "%s/units/fifo.unit", t.dir);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	{
		pid_t w = fork();
		int st;

		ck_assert_int_ge(w, 0);
		if (w == 0)
			_exit(open(path, O_WRONLY | O_CLOEXEC) >= 0 ? 0 : 1);
		usleep(200 * 1000);   /* the writer waits in its open */
		ck_assert_int_eq(unit_parse_file(path, &u), 0);
		ck_assert_str_eq(diag_text(&u->diags.v[0], t.dir), "units/fifo.unit: not a regular file");
		unit_free(u);
		usleep(200 * 1000);   /* a writer let through has exited by now */
		ck_assert_msg(waitpid(w, &st, WNOHANG) == 0, "the FIFO was opened");
		kill(w, SIGKILL);
		ck_assert_int_eq(waitpid(w, &st, 0), w);
	}
	unlink(path);

	snprintf(path, sizeof(path), "%s/units/none.unit", t.dir);
	ck_assert_int_eq(unit_parse_file(path, &u), 0);
	ck_assert_str_eq(diag_text(&u->diags.v[0], t.dir),
			 "units/none.unit: cannot open file: No such file or directory");
	unit_free(u);
	tree_remove(&t);
}
END_TEST

/* ---- a directory ------------------------------------------------------- */

START_TEST(test_set_good)
{
	char conf[256], units[256];
	struct unit_set *s = NULL;
	static const char *const names[] = { "db", "net", "syslog", "web" };

	snprintf(conf, sizeof(conf), "%s/units-good/initd.conf", data_dir());
	snprintf(units, sizeof(units), "%s/units-good/units", data_dir());
	ck_assert_int_eq(unit_set_load(conf, units, &s), 0);
	ck_assert_msg(s->diags.n == 0, "%s", s->diags.n ? diag_text(&s->diags.v[0], NULL) : "");
	ck_assert_uint_eq(s->n_units, 4);   /* README and .hidden.unit skipped */
	for (size_t i = 0; i < 4; i++) {
		ck_assert_str_eq(s->units[i]->name, names[i]);
		ck_assert(!s->units[i]->bad);
		ck_assert_ptr_eq(unit_set_find(s, names[i]), s->units[i]);
	}
	ck_assert_ptr_null(unit_set_find(s, "nope"));
	ck_assert_ptr_null(unit_set_find(s, "hidden"));

	ck_assert_str_eq(s->conf.file, conf);
	ck_assert_str_eq(s->conf.hostname, "appliance");
	ck_assert_int_eq(s->conf.crash_action, CRASH_POWEROFF);
	ck_assert_str_eq(s->conf.control_group, "operators");
	ck_assert_str_eq(s->conf.modules[0], "virtio_net");
	ck_assert_str_eq(s->conf.modules[1], "br_netfilter");
	ck_assert_ptr_null(s->conf.modules[2]);
	ck_assert_uint_eq(s->conf.n_slices, 3);
	ck_assert_str_eq(s->conf.slices[0].path, "apps");
	ck_assert_str_eq(s->conf.slices[1].path, "apps/db");
	ck_assert_str_eq(s->conf.slices[2].path, "system");
	ck_assert_uint_eq(s->conf.shutdown_timeout_usec, 45 * USEC_PER_SEC);
	ck_assert_uint_eq(s->conf.log_buffer_size, 128 * 1024);
	unit_set_free(s);
}
END_TEST

START_TEST(test_set_conf_missing)
{
	struct tree t;
	struct unit_set *s;

	tree_init(&t);
	tree_write(&t, "units/a.unit", EXEC);
	s = tree_load(&t);
	ck_assert_uint_eq(s->diags.n, 0);
	ck_assert_ptr_null(s->conf.file);
	ck_assert_ptr_null(s->conf.hostname);
	ck_assert_int_eq(s->conf.crash_action, CRASH_REBOOT);
	ck_assert_ptr_null(s->conf.control_group);
	ck_assert_ptr_null(s->conf.modules[0]);
	ck_assert_uint_eq(s->conf.n_slices, 1);
	ck_assert_str_eq(s->conf.slices[0].path, "system");
	ck_assert_uint_eq(s->conf.shutdown_timeout_usec, 30 * USEC_PER_SEC);
	ck_assert_uint_eq(s->conf.sync_timeout_usec, 30 * USEC_PER_SEC);
	ck_assert_uint_eq(s->conf.log_buffer_size, 64 * 1024);
	unit_set_free(s);
	tree_remove(&t);
}
END_TEST

/* sync_timeout: the final sync's bound, 1s..1h, FILE:LINE for the rest;
 * a bad one keeps the default. */
START_TEST(test_set_conf_sync_timeout)
{
	static const char *const bad[] = { "0", "500ms", "61min", "soon" };
	struct tree t;
	struct unit_set *s, *d = NULL;
	char text[64];
	void *buf = NULL;
	size_t len;

	tree_init(&t);
	tree_write(&t, "units/a.unit", EXEC);

	tree_write(&t, "initd.conf", "sync_timeout = \"2min\";\n");
	s = tree_load(&t);
	ck_assert_uint_eq(s->diags.n, 0);
	ck_assert_uint_eq(s->conf.sync_timeout_usec, 120 * USEC_PER_SEC);
	/* through the loader's encoding, and a change is a change */
	ck_assert_int_eq(unit_set_encode(s, &buf, &len), 0);
	ck_assert_int_eq(unit_set_decode(buf, len, &d), 0);
	ck_assert(initd_conf_equal(&s->conf, &d->conf));
	d->conf.sync_timeout_usec = 60 * USEC_PER_SEC;
	ck_assert(!initd_conf_equal(&s->conf, &d->conf));
	unit_set_free(d);
	free(buf);
	/* a model that says 0 (no loader writes one) is refused */
	s->conf.sync_timeout_usec = 0;
	ck_assert_int_eq(unit_set_encode(s, &buf, &len), 0);
	ck_assert_int_lt(unit_set_decode(buf, len, &d), 0);
	free(buf);
	unit_set_free(s);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(text, sizeof(text), "\nsync_timeout = \"%s\";\n", bad[i]);
		tree_write(&t, "initd.conf", text);
		s = tree_load(&t);
		ck_assert_uint_eq(s->diags.n, 1);
		ck_assert_int_eq(s->diags.v[0].line, 2);
		ck_assert_msg(strstr(s->diags.v[0].message, "sync_timeout"), "%s",
			      s->diags.v[0].message);
		ck_assert_uint_eq(s->conf.sync_timeout_usec, SYNC_TIMEOUT_DEFAULT);
		unit_set_free(s);
	}
	tree_remove(&t);
}
END_TEST

/* A log under /proc or /sys is the kernel's: a log.file there would write
 * a service's output into a kernel setting (/proc/sys/...) or attribute.
 * However spelled; a directory merely named so elsewhere is a log's. */
START_TEST(test_log_path_not_kernel)
{
	static const char *const bad[] = { "/proc/sys/kernel/x", "//sys/kernel/x",
					   "/./proc/1/fd/1", "/proc", "/sys/.//x" };
	static const char *const fine[] = { "/process/x.log", "/sysroot/x.log",
					    "/var/log/proc/x", "/run/sys", "/var/log/x..y/..z" };
	char text[256];
	const char *m;
	struct tree t;
	struct unit_set *s;

	tree_init(&t);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), EXEC "log = { file = \"%s\"; };\n", bad[i]);
		tree_write(&t, "units/a.unit", text);
		s = tree_load(&t);
		ck_assert_msg(s->diags.n == 1, "%s: %zu diagnostics", bad[i], s->diags.n);
		m = diag_text(&s->diags.v[0], t.dir);
		ck_assert_msg(strstr(m, "units/a.unit:2: 'log.file': ") &&
			      strstr(m, "is not a log file: /proc and /sys are the kernel's"),
			      "%s: %s", bad[i], m);
		unit_set_free(s);
	}
	/* a ".." leads where no reading of the text can tell: "/run/../proc" */
	tree_write(&t, "units/a.unit", EXEC "log = { file = \"/run/../proc/sys/kernel/x\"; };\n");
	s = tree_load(&t);
	ck_assert_uint_eq(s->diags.n, 1);
	ck_assert_str_eq(diag_text(&s->diags.v[0], t.dir), "units/a.unit:2: 'log.file' must have no "
			 "'..' component (got '/run/../proc/sys/kernel/x')");
	unit_set_free(s);
	for (size_t i = 0; i < sizeof(fine) / sizeof(fine[0]); i++) {
		snprintf(text, sizeof(text), EXEC "log = { file = \"%s\"; };\n", fine[i]);
		tree_write(&t, "units/a.unit", text);
		s = tree_load(&t);
		ck_assert_msg(s->diags.n == 0, "%s: %s", fine[i],
			      s->diags.n ? diag_text(&s->diags.v[0], t.dir) : "");
		unit_set_free(s);
	}
	tree_write(&t, "units/a.unit", EXEC);
	tree_write(&t, "initd.conf", "log = { directory = \"/sys/fs/x\"; };\n");
	s = tree_load(&t);
	ck_assert_uint_eq(s->diags.n, 1);
	m = diag_text(&s->diags.v[0], t.dir);
	ck_assert_msg(strstr(m, "initd.conf:1: 'log.directory': '/sys/fs/x' is not a log "
			     "directory: /proc and /sys are the kernel's"), "%s", m);
	unit_set_free(s);
	tree_remove(&t);
}
END_TEST

/* A bound an error message names is one a user can write back: "1h" is
 * accepted, and so is "60min". */
START_TEST(test_duration_bounds_writable)
{
	struct tree t;
	struct unit_set *s;

	tree_init(&t);
	tree_write(&t, "units/a.unit", EXEC
		   "health = { tcp = \"127.0.0.1:80\"; interval = \"1h\"; timeout = \"60min\"; };\n");
	tree_write(&t, "initd.conf", "metrics_file = \"/run/m.prom\";\nmetrics_interval = \"1h\";\n");
	s = tree_load(&t);
	ck_assert_uint_eq(s->diags.n, 0);
	unit_set_free(s);

	tree_write(&t, "units/a.unit", EXEC
		   "health = { tcp = \"127.0.0.1:80\"; interval = \"61min\"; };\n");
	tree_write(&t, "initd.conf", "metrics_file = \"/run/m.prom\";\nmetrics_interval = \"61min\";\n");
	s = tree_load(&t);
	ck_assert_uint_eq(s->diags.n, 2);
	for (size_t i = 0; i < s->diags.n; i++) {
		const char *m = s->diags.v[i].message;
		ck_assert_msg(strstr(m, "and 1h (got '61min')"), "message: %s", m);
	}
	unit_set_free(s);
	tree_remove(&t);
}
END_TEST

/* initd.conf's watchdog group: off by default, on with defaults when the
 * group is there, each key checked with FILE:LINE. */
START_TEST(test_set_conf_watchdog)
{
	static const char *const want[] = {
		"initd.conf:2: 'watchdog.device' must be an absolute path (got 'watchdog0')",
		"initd.conf:3: 'watchdog.timeout' must be whole seconds between 1s and 60min (got '1500ms')",
		"initd.conf:4: 'watchdog.shutdown_timeout' must be whole seconds between 1s and 60min (got '61min')",
		"initd.conf:5: unknown key 'watchdog.timout' (did you mean 'watchdog.timeout'?)",
		NULL,
	};
	struct tree t;
	struct unit_set *s;

	tree_init(&t);
	tree_write(&t, "units/a.unit", EXEC);
	s = tree_load(&t);
	ck_assert_ptr_null(s->conf.watchdog.device);   /* absent: no watchdog */
	unit_set_free(s);

	tree_write(&t, "initd.conf", "watchdog = { };\n");
	s = tree_load(&t);
	ck_assert_uint_eq(s->diags.n, 0);
	ck_assert_str_eq(s->conf.watchdog.device, "/dev/watchdog0");
	ck_assert_uint_eq(s->conf.watchdog.timeout_usec, 30 * USEC_PER_SEC);
	ck_assert_uint_eq(s->conf.watchdog.shutdown_timeout_usec, 600 * USEC_PER_SEC);
	unit_set_free(s);

	tree_write(&t, "initd.conf",
		   "watchdog = { device = \"/dev/watchdog1\"; timeout = \"5s\";\n"
		   "  shutdown_timeout = \"60min\"; };\n");
	s = tree_load(&t);
	ck_assert_uint_eq(s->diags.n, 0);
	ck_assert_str_eq(s->conf.watchdog.device, "/dev/watchdog1");
	ck_assert_uint_eq(s->conf.watchdog.timeout_usec, 5 * USEC_PER_SEC);
	ck_assert_uint_eq(s->conf.watchdog.shutdown_timeout_usec, 3600 * USEC_PER_SEC);
	unit_set_free(s);

	tree_write(&t, "initd.conf",
		   "watchdog = {\n"
		   "  device = \"watchdog0\";\n"
		   "  timeout = \"1500ms\";\n"
		   "  shutdown_timeout = \"61min\";\n"
		   "  timout = \"5s\";\n"
		   "};\n");
	s = tree_load(&t);
	assert_diags(s, t.dir, want);
	/* bad keys keep their defaults; the group still turns it on */
	ck_assert_str_eq(s->conf.watchdog.device, "/dev/watchdog0");
	ck_assert_uint_eq(s->conf.watchdog.timeout_usec, 30 * USEC_PER_SEC);
	ck_assert_uint_eq(s->conf.watchdog.shutdown_timeout_usec, 600 * USEC_PER_SEC);
	unit_set_free(s);

	tree_write(&t, "initd.conf", "watchdog = { timeout = \"0\"; };\n");
	s = tree_load(&t);
	ck_assert_uint_eq(s->diags.n, 1);
	ck_assert_str_eq(s->diags.v[0].message,
			 "'watchdog.timeout' must be whole seconds between 1s and 60min (got '0')");
	unit_set_free(s);

	tree_write(&t, "initd.conf", "watchdog = \"/dev/watchdog\";\n");
	s = tree_load(&t);
	ck_assert_uint_eq(s->diags.n, 1);
	ck_assert_str_eq(s->diags.v[0].message, "'watchdog' must be a group");
	ck_assert_ptr_null(s->conf.watchdog.device);
	unit_set_free(s);
	tree_remove(&t);
}
END_TEST

/* The watchdog survives the loader's encoding, and a change to it is a
 * change of the configuration (a reload applies it). */
START_TEST(test_set_conf_watchdog_encode)
{
	struct tree t;
	struct unit_set *s, *d = NULL;
	void *buf = NULL;
	size_t len;

	tree_init(&t);
	tree_write(&t, "units/a.unit", EXEC);
	tree_write(&t, "initd.conf", "watchdog = { device = \"/dev/wd\"; timeout = \"7s\"; "
		   "shutdown_timeout = \"9s\"; };\n");
	s = tree_load(&t);
	ck_assert_uint_eq(s->diags.n, 0);
	ck_assert_int_eq(unit_set_encode(s, &buf, &len), 0);
	ck_assert_int_eq(unit_set_decode(buf, len, &d), 0);
	ck_assert(initd_conf_equal(&s->conf, &d->conf));
	ck_assert_str_eq(d->conf.watchdog.device, "/dev/wd");
	ck_assert_uint_eq(d->conf.watchdog.timeout_usec, 7 * USEC_PER_SEC);
	ck_assert_uint_eq(d->conf.watchdog.shutdown_timeout_usec, 9 * USEC_PER_SEC);
	d->conf.watchdog.timeout_usec = 8 * USEC_PER_SEC;
	ck_assert(!initd_conf_equal(&s->conf, &d->conf));
	ck_assert(!watchdog_conf_equal(&s->conf.watchdog, &d->conf.watchdog));
	free(buf);
	unit_set_free(d);
	unit_set_free(s);
	tree_remove(&t);
}
END_TEST

START_TEST(test_set_conf_errors)
{
	static const char *const want[] = {
		"initd.conf:1: 'hostname': invalid hostname 'bad_host'",
		"initd.conf:2: 'crash_action': unknown value 'shel' (did you mean 'shell'?)",
		"initd.conf:3: 'modules[1]': invalid module name 'a/b'",
		"initd.conf:4: unknown key 'slices[0].pth' (did you mean 'slices[0].path'?)",
		/* slices are checked in path order */
		"initd.conf:6: 'slices': slice 'apps' is declared twice",
		"initd.conf:5: 'slices': parent 'web' of slice 'web/x' is not declared",
		"initd.conf:7: 'log_buffer' must be between 4K and 16M (got '1K')",
		"initd.conf:8: 'shutdown_timeout' must be a string (expected a duration string like \"5s\")",
		"initd.conf:9: unknown key 'hostnme' (did you mean 'hostname'?)",
		"initd.conf:10: 'control_group': invalid group name '-x'",
		"units/a.unit:2: slice 'web/x' is not declared in initd.conf",
		NULL,
	};
	struct tree t;
	struct unit_set *s;

	tree_init(&t);
	tree_write(&t, "initd.conf",
		   "hostname = \"bad_host\";\n"
		   "crash_action = \"shel\";\n"
		   "modules = [ \"ok\", \"a/b\" ];\n"
		   "slices = ( { pth = \"x\"; },\n"
		   "  { path = \"web/x\"; },\n"
		   "  { path = \"apps\"; }, { path = \"apps\"; }, { path = \"system/x\"; } );\n"
		   "log_buffer = \"1K\";\n"
		   "shutdown_timeout = 30;\n"
		   "hostnme = \"x\";\n"
		   "control_group = \"-x\";\n");
	tree_write(&t, "units/a.unit", EXEC "cgroup = { slice = \"web/x\"; };\n");
	tree_write(&t, "units/b.unit", EXEC "cgroup = { slice = \"system/x\"; };\n");
	s = tree_load(&t);
	assert_diags(s, t.dir, want);
	/* bad keys keep their defaults, good ones apply */
	ck_assert_ptr_null(s->conf.hostname);
	ck_assert_int_eq(s->conf.crash_action, CRASH_REBOOT);
	ck_assert_ptr_null(s->conf.modules[0]);
	ck_assert_uint_eq(s->conf.log_buffer_size, 64 * 1024);
	ck_assert_uint_eq(s->conf.n_slices, 3);
	ck_assert_str_eq(s->conf.slices[0].path, "apps");
	ck_assert_str_eq(s->conf.slices[1].path, "system");
	ck_assert_str_eq(s->conf.slices[2].path, "system/x");
	ck_assert(find(s, "a")->bad);
	ck_assert(!find(s, "b")->bad);
	unit_set_free(s);
	tree_remove(&t);
}
END_TEST

START_TEST(test_set_conf_syntax)
{
	/* libconfig reports an unexpected end of file on the line after it */
	static const char *const want[] = { "initd.conf:3: syntax error", NULL };
	struct tree t;
	struct unit_set *s;

	tree_init(&t);
	tree_write(&t, "initd.conf", "hostname = \"x\";\nslices = ( { path = \"apps\"; } \n");
	tree_write(&t, "units/a.unit", EXEC);
	s = tree_load(&t);
	assert_diags(s, t.dir, want);
	ck_assert_ptr_null(s->conf.hostname);
	ck_assert(!find(s, "a")->bad);
	unit_set_free(s);
	tree_remove(&t);
}
END_TEST

START_TEST(test_set_unknown_dep)
{
	static const char *const want[] = {
		"units/a.unit:3: requires unknown unit 'nett' (did you mean 'net'?)",
		"units/a.unit:4: after unknown unit 'zzz'",
		NULL,
	};
	struct tree t;
	struct unit_set *s;

	tree_init(&t);
	tree_write(&t, "units/a.unit", EXEC "requires = [ \"net\",\n\"nett\" ];\nafter = [ \"zzz\" ];\n");
	tree_write(&t, "units/net.unit", EXEC);
	s = tree_load(&t);
	assert_diags(s, t.dir, want);
	ck_assert(find(s, "a")->bad);
	ck_assert(!find(s, "net")->bad);
	ck_assert_uint_eq(find(s, "a")->diags.n, 2);
	unit_set_free(s);
	tree_remove(&t);
}
END_TEST

START_TEST(test_set_cycle2)
{
	static const char *const want[] = {
		"units/a.unit:2: dependency cycle: a -> b -> a",
		"units/b.unit:3: dependency cycle: b -> a -> b",
		NULL,
	};
	struct tree t;
	struct unit_set *s;

	tree_init(&t);
	tree_write(&t, "units/a.unit", EXEC "requires = [ \"b\" ];\n");
	tree_write(&t, "units/b.unit", EXEC "\nafter = [ \"a\" ];\n");
	tree_write(&t, "units/c.unit", EXEC "requires = [ \"a\" ];\n");
	s = tree_load(&t);
	assert_diags(s, t.dir, want);
	ck_assert(find(s, "a")->bad);
	ck_assert(find(s, "b")->bad);
	ck_assert(!find(s, "c")->bad);   /* depends on the cycle, is not on it */
	unit_set_free(s);
	tree_remove(&t);
}
END_TEST

START_TEST(test_set_cycle3)
{
	static const char *const want[] = {
		"units/a.unit:2: dependency cycle: a -> b -> c -> a",
		"units/b.unit:2: dependency cycle: b -> c -> a -> b",
		"units/c.unit:2: dependency cycle: c -> a -> b -> c",
		"units/self.unit:2: dependency cycle: self -> self",
		NULL,
	};
	struct tree t;
	struct unit_set *s;
	size_t order[5];

	tree_init(&t);
	tree_write(&t, "units/a.unit", EXEC "after = [ \"b\" ];\n");
	tree_write(&t, "units/b.unit", EXEC "requires = [ \"c\" ];\n");
	tree_write(&t, "units/c.unit", EXEC "requires = [ \"a\", \"d\" ];\n");
	tree_write(&t, "units/d.unit", EXEC);
	tree_write(&t, "units/self.unit", EXEC "requires = [ \"self\" ];\n");
	s = tree_load(&t);
	assert_diags(s, t.dir, want);
	ck_assert(!find(s, "d")->bad);
	/* a loaded set always orders; by hand, a cycle of good units cannot */
	ck_assert_int_eq(unit_set_order(s, order), 0);
	find(s, "a")->bad = find(s, "b")->bad = find(s, "c")->bad = false;
	ck_assert_int_eq(unit_set_order(s, order), -ELOOP);
	unit_set_free(s);
	tree_remove(&t);
}
END_TEST

START_TEST(test_set_slices)
{
	static const char *const want[] = {
		"units/db.unit:2: the unit's cgroup 'apps/db' is also a slice in initd.conf",
		"units/web.unit:3: slice 'web' is not declared in initd.conf",
		NULL,
	};
	struct tree t;
	struct unit_set *s;

	tree_init(&t);
	tree_write(&t, "initd.conf", "slices = ( { path = \"apps\"; }, { path = \"apps/db\"; } );\n");
	tree_write(&t, "units/db.unit", EXEC "cgroup = { slice = \"apps\"; };\n");
	tree_write(&t, "units/ok.unit", EXEC "cgroup = { slice = \"apps/db\"; };\n");
	tree_write(&t, "units/web.unit", EXEC "cgroup = {\n slice = \"web\"; };\n");
	s = tree_load(&t);
	assert_diags(s, t.dir, want);
	ck_assert(!find(s, "ok")->bad);
	unit_set_free(s);
	tree_remove(&t);
}
END_TEST

/* Two units writing one file interleave their lines, and each one's
 * rotation moves the other's file: a log.file that is another unit's log
 * file (log.directory's NAME.log, or a log.file however spelled), its
 * post-mortem file (NAME.postmortem beside it, when it keeps any) or one
 * of its rotated names within its keep makes the unit bad. */
START_TEST(test_set_shared_log_file)
{
	static const char *const want[] = {
		"units/b.unit:3: log file '/var/log/initd/a.log' is also the log file of unit 'a'",
		"units/c.unit:2: log file '/var/log/initd//./a.postmortem' is also the post-mortem "
		"file of unit 'a'",
		"units/e.unit:2: log file '/srv/d.log.3' is where the log file of unit 'd' is "
		"rotated to",
		"units/j.unit:2: log file '/srv/j.postmortem' is also the post-mortem file of unit 'i'",
		NULL,
	};
	struct tree t;
	struct unit_set *s;

	tree_init(&t);
	tree_write(&t, "initd.conf", "log = { directory = \"/var/log/initd\"; };\n");
	tree_write(&t, "units/a.unit", EXEC);
	tree_write(&t, "units/b.unit", EXEC "log = {\n file = \"/var/log/initd/a.log\"; };\n");
	tree_write(&t, "units/c.unit", EXEC "log = { file = \"/var/log/initd//./a.postmortem\"; };\n");
	tree_write(&t, "units/d.unit", EXEC "log = { file = \"/srv/d.log\"; };\n");
	tree_write(&t, "units/e.unit", EXEC "log = { file = \"/srv/d.log.3\"; };\n");
	/* past d's keep (3), and a post-mortem file that is never written */
	tree_write(&t, "units/f.unit", EXEC "log = { file = \"/srv/d.log.4\"; };\n");
	tree_write(&t, "units/g.unit", EXEC "postmortems = 0;\nlog = { file = \"/srv/g.log\"; };\n");
	tree_write(&t, "units/h.unit", EXEC "log = { file = \"/srv/g.postmortem\"; };\n");
	/* a unit's post-mortem file is another's log file */
	tree_write(&t, "units/i.unit", EXEC "log = { file = \"/srv/j\"; };\n");
	tree_write(&t, "units/j.unit", EXEC "log = { file = \"/srv/j.postmortem\"; };\n");
	/* a device (a serial line, the console) is many units' to write on */
	tree_write(&t, "units/k.unit", EXEC "log = { file = \"/dev/ttyS1\"; };\n");
	tree_write(&t, "units/l.unit", EXEC "log = { file = \"/dev/ttyS1\"; };\n");
	s = tree_load(&t);
	assert_diags(s, t.dir, want);
	ck_assert(!find(s, "a")->bad);
	ck_assert(find(s, "b")->bad);
	ck_assert(!find(s, "d")->bad);
	ck_assert(!find(s, "f")->bad);
	ck_assert(!find(s, "h")->bad);
	ck_assert(!find(s, "i")->bad);
	ck_assert(!find(s, "k")->bad);
	ck_assert(!find(s, "l")->bad);
	unit_set_free(s);
	tree_remove(&t);
}
END_TEST

/* A log.directory in /dev/shm (a tmpfs: volatile logs) holds regular
 * files, NAME.log, which the log writer makes: checked as any, their
 * post-mortem files too. A log.file under /dev/ may be a device: units
 * that all name it share it (k, l), but not a file of the directory's.
 * The check took every path under /dev/ for a device and checked none. */
START_TEST(test_set_shared_log_file_in_dev_shm)
{
	static const char *const want[] = {
		"units/n.unit:2: log file '/dev/shm/logs/m.log' is also the log file of unit 'm'",
		"units/o.unit:2: log file '/dev/shm/logs/m.postmortem' is also the post-mortem "
		"file of unit 'm'",
		"units/p.unit:2: log file '/dev/shm/logs/m.log.2' is where the log file of unit "
		"'m' is rotated to",
		NULL,
	};
	struct tree t;
	struct unit_set *s;

	tree_init(&t);
	tree_write(&t, "initd.conf", "log = { directory = \"/dev/shm/logs\"; keep = 3; };\n");
	tree_write(&t, "units/m.unit", EXEC);
	tree_write(&t, "units/n.unit", EXEC "log = { file = \"/dev/shm/logs/m.log\"; };\n");
	tree_write(&t, "units/o.unit", EXEC "log = { file = \"/dev/shm/logs/m.postmortem\"; };\n");
	tree_write(&t, "units/p.unit", EXEC "log = { file = \"/dev/shm/logs/m.log.2\"; };\n");
	tree_write(&t, "units/k.unit", EXEC "log = { file = \"/dev/ttyS1\"; };\n");
	tree_write(&t, "units/l.unit", EXEC "log = { file = \"/dev/ttyS1\"; };\n");
	s = tree_load(&t);
	assert_diags(s, t.dir, want);
	ck_assert(!find(s, "m")->bad);
	ck_assert(find(s, "n")->bad);
	ck_assert(find(s, "o")->bad);
	ck_assert(find(s, "p")->bad);
	ck_assert(!find(s, "k")->bad);
	ck_assert(!find(s, "l")->bad);
	unit_set_free(s);
	tree_remove(&t);
}
END_TEST

/* A bad unit is kept and reported; what requires it is not bad. */
START_TEST(test_set_bad_isolated)
{
	static const char *const want[] = {
		"units/bad name.unit: invalid unit name 'bad name'",
		"units/broken.unit:2: syntax error",
		NULL,
	};
	struct tree t;
	struct unit_set *s;

	tree_init(&t);
	tree_write(&t, "units/broken.unit", "exec = [ \"/bin/x\" \n");
	tree_write(&t, "units/bad name.unit", EXEC);
	tree_write(&t, "units/web.unit", EXEC "requires = [ \"broken\" ];\n");
	tree_write(&t, "units/log.unit", EXEC "after = [ \"broken\" ];\n");
	s = tree_load(&t);
	assert_diags(s, t.dir, want);
	ck_assert_uint_eq(s->n_units, 4);
	ck_assert(find(s, "broken")->bad);
	ck_assert(find(s, "bad name")->bad);
	ck_assert(!find(s, "web")->bad);
	ck_assert(!find(s, "log")->bad);
	ck_assert_uint_eq(find(s, "web")->diags.n, 0);
	unit_set_free(s);
	tree_remove(&t);
}
END_TEST

START_TEST(test_set_too_many)
{
	static const char *const want[] = { "units: more than 16384 unit files, none loaded", NULL };
	struct tree t;
	struct unit_set *s;
	char name[64];

	tree_init(&t);
	for (int i = 0; i <= UNIT_MAX; i++) {
		snprintf(name, sizeof(name), "units/u%d.unit", i);
		tree_write(&t, name, EXEC);
	}
	s = tree_load(&t);
	assert_diags(s, t.dir, want);
	ck_assert_uint_eq(s->n_units, 0);
	unit_set_free(s);
	tree_remove(&t);
}
END_TEST

START_TEST(test_set_no_dir)
{
	struct unit_set *s = NULL;

	ck_assert_int_eq(unit_set_load("/nonexistent/initd.conf", "/nonexistent/units", &s), -ENOENT);
	ck_assert_ptr_null(s);
}
END_TEST

/* ---- order ------------------------------------------------------------- */

START_TEST(test_order)
{
	/* aa is bad: placed, but its own edges do not hold it back */
	static const char *const want[] = { "a", "aa", "c", "b", "d", "e" };
	struct tree t;
	struct unit_set *s;
	size_t order[6];

	tree_init(&t);
	tree_write(&t, "units/e.unit", EXEC "requires = [ \"a\", \"b\" ];\n");
	tree_write(&t, "units/d.unit", EXEC);
	tree_write(&t, "units/c.unit", EXEC "after = [ \"a\" ];\n");
	tree_write(&t, "units/b.unit", EXEC "requires = [ \"c\" ];\n");
	tree_write(&t, "units/a.unit", EXEC);
	tree_write(&t, "units/aa.unit", "exec = 1;\nrequires = [ \"e\" ];\n");
	for (int round = 0; round < 3; round++) {
		s = tree_load(&t);
		ck_assert_int_eq(unit_set_order(s, order), 0);
		for (size_t i = 0; i < 6; i++)
			ck_assert_str_eq(s->units[order[i]]->name, want[i]);
		unit_set_free(s);
	}
	tree_remove(&t);
}
END_TEST

/* ---- encoding ---------------------------------------------------------- */

/* A loaded (not decoded) unit's optional groups: its own, so a test may
 * change them. */
static struct unit_optional *own_opt(struct unit *u)
{
	return (struct unit_optional *)u->opt;
}

static void assert_sets_equal(const struct unit_set *a, const struct unit_set *b)
{
	ck_assert(initd_conf_equal(&a->conf, &b->conf));
	ck_assert_uint_eq(a->n_units, b->n_units);
	for (size_t i = 0; i < a->n_units; i++)
		ck_assert_msg(unit_equal(a->units[i], b->units[i]), "unit %s", a->units[i]->name);
	ck_assert_uint_eq(a->diags.n, b->diags.n);
	for (size_t i = 0; i < a->diags.n; i++) {
		char x[1024], y[1024];
		unit_diag_format(&a->diags.v[i], x, sizeof(x));
		unit_diag_format(&b->diags.v[i], y, sizeof(y));
		ck_assert_str_eq(x, y);
	}
}

/* A set with a bit of everything: good units, bad ones, diagnostics. */
static struct unit_set *mixed_set(struct tree *t)
{
	tree_init(t);
	tree_write(t, "initd.conf", "hostname = \"box\";\nmodules = [ \"m\" ];\n"
		   "slices = ( { path = \"apps\"; cpuset = { cpus = \"0-3\"; }; io = { max = ( "
		   "{ device = \"8:0\"; rbps = \"1M\"; } ); }; },\n"
		   " { path = \"apps/db\"; memory = { max = \"1G\"; }; cpu = { max_burst = \"2ms\"; }; } );\n"
		   "log_buffer = \"1K\";\n");
	tree_write(t, "units/web.unit", EXEC "requires = [ \"db\" ];\nafter = [ \"broken\" ];\n"
		   "environment = { A = \"1\"; B = \"\"; };\nuser = \"0\";\nworkdir = \"/\";\n"
		   "description = \"d\";\ncgroup = { slice = \"apps\"; };\n"
		   "stop = { signal = \"KILL\"; timeout = \"0\"; };\n");
	tree_write(t, "units/db.unit", EXEC "type = \"notify\";\ncgroup = { slice = \"apps/db\"; };\n");
	tree_write(t, "units/lim.unit", EXEC CG_FULL);
	tree_write(t, "units/broken.unit", EXEC "type = \"daemon\";\nrequires = [ \"nope\" ];\n");
	tree_write(t, "units/x.unit", "exec = [ \"/bin/x\" \n");
	return tree_load(t);
}

static void encode(const struct unit_set *s, uint8_t **ret, size_t *ret_len)
{
	void *buf = NULL;

	ck_assert_int_eq(unit_set_encode(s, &buf, ret_len), 0);
	*ret = buf;
}

START_TEST(test_encode_roundtrip)
{
	struct tree t;
	struct unit_set *s = mixed_set(&t), *d = NULL;
	uint8_t *buf;
	size_t len;

	ck_assert_uint_gt(s->diags.n, 3);
	encode(s, &buf, &len);
	ck_assert_uint_eq(buf[4], UNIT_ENCODE_VERSION);
	ck_assert_int_eq(unit_set_decode(buf, len, &d), 0);
	assert_sets_equal(s, d);
	ck_assert_ptr_eq(unit_set_find(d, "db"), d->units[1]);
	unit_set_free(d);
	free(buf);
	unit_set_free(s);
	tree_remove(&t);
}
END_TEST

/* Issue 19: a decoded set holds its units in one block, not a tree of
 * mallocs: one allocation for all, equal strings shared, the same units. */
START_TEST(test_decode_compact)
{
	struct tree t;
	struct unit_set *s = mixed_set(&t), *d = NULL;
	struct unit_set_footprint fp = { 0 };
	struct unit *web, *db;
	uint8_t *buf;
	size_t len;

	encode(s, &buf, &len);
	ck_assert_int_eq(unit_set_decode(buf, len, &d), 0);
	assert_sets_equal(s, d);
	unit_set_footprint(d, &fp);
	ck_assert_uint_eq(fp.units, d->n_units);
	ck_assert_uint_eq(fp.allocations, 1);
	web = unit_set_find(d, "web");
	db = unit_set_find(d, "db");
	ck_assert_ptr_nonnull(web);
	ck_assert_ptr_nonnull(db);
	ck_assert_str_eq(web->exec[0], db->exec[0]);
	ck_assert_ptr_eq(web->exec[0], db->exec[0]);       /* interned */
	ck_assert_ptr_nonnull(db->requires);               /* empty is not NULL */
	ck_assert_ptr_null(db->requires[0]);
	unit_set_free(d);
	free(buf);
	unit_set_free(s);
	tree_remove(&t);
}
END_TEST

/* The VmFlags line of the mapping holding p, from /proc/self/smaps. */
static void vm_flags_of(const void *p, char *out, size_t size)
{
	FILE *f = fopen("/proc/self/smaps", "re");
	char line[512];
	bool in = false;

	ck_assert_ptr_nonnull(f);
	out[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;

		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' '))
			in = (uintptr_t)p >= lo && (uintptr_t)p < hi;
		else if (in && strncmp(line, "VmFlags:", 8) == 0) {
			snprintf(out, size, "%s", line + 8);
			break;
		}
	}
	fclose(f);
}

/* Issue 19: the block is a shared mapping (a fork does not copy its page
 * tables: a spawned child faults in only the pages it reads) and, once
 * decoded, read-only: the kernel says so in smaps, and refuses to copy a
 * byte into it (read() from a pipe: EFAULT, no signal to catch). */
START_TEST(test_decode_block_shared_read_only)
{
	struct tree t;
	struct unit_set *s = mixed_set(&t), *d = NULL;
	char flags[512];   /* a whole smaps line fits */
	uint8_t *buf;
	size_t len;
	int p[2];

	encode(s, &buf, &len);
	ck_assert_int_eq(unit_set_decode(buf, len, &d), 0);
	vm_flags_of(d->units[0], flags, sizeof(flags));
	ck_assert_msg(strstr(flags, " sh") && strstr(flags, " rd") && !strstr(flags, " wr"),
		      "VmFlags:%s", flags);
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	ck_assert_int_eq(write(p[1], "x", 1), 1);
	errno = 0;
	ck_assert_int_eq(read(p[0], (void *)d->units[0], 1), -1);
	ck_assert_int_eq(errno, EFAULT);
	close(p[0]);
	close(p[1]);
	unit_set_free(d);
	free(buf);
	unit_set_free(s);
	tree_remove(&t);
}
END_TEST

/* Issue 19: a unit's optional groups (isolation, cgroup limits, probes,
 * seccomp, directories, success_exit) are out of line, behind one
 * pointer, so a unit declaring none costs PID 1 a small struct; the old
 * layout carried them all inline (912 bytes). */
START_TEST(test_unit_size)
{
	/* and no holes: 264 since the fields are laid out by size (296 before) */
	ck_assert_uint_le(sizeof(struct unit), 264);
}
END_TEST

/* Issue 19: decoded units without optional features share one read-only
 * block of defaults; a unit with limits or a probe has its own copy. */
START_TEST(test_decode_optional_shared)
{
	struct tree t;
	struct unit_set *s, *d = NULL;
	struct unit_set_footprint fp = { 0 };
	const struct unit *a, *b, *lim, *probe;
	uint8_t *buf;
	size_t len;

	tree_init(&t);
	tree_write(&t, "initd.conf", "slices = ( { path = \"apps\"; } );\n");
	tree_write(&t, "units/a.unit", EXEC);
	tree_write(&t, "units/b.unit", EXEC "cgroup = { slice = \"apps\"; };\n");
	tree_write(&t, "units/lim.unit", EXEC CG_FULL);
	tree_write(&t, "units/probe.unit", EXEC "ready = { tcp = \"127.0.0.1:80\"; };\n");
	s = tree_load(&t);
	ck_assert_uint_eq(s->diags.n, 0);
	encode(s, &buf, &len);
	ck_assert_int_eq(unit_set_decode(buf, len, &d), 0);
	assert_sets_equal(s, d);
	a = unit_set_find(d, "a");
	b = unit_set_find(d, "b");
	lim = unit_set_find(d, "lim");
	probe = unit_set_find(d, "probe");
	ck_assert_ptr_eq(a->opt, b->opt);
	ck_assert_ptr_ne(lim->opt, a->opt);
	ck_assert_ptr_ne(probe->opt, a->opt);
	ck_assert_ptr_ne(probe->opt, lim->opt);
	ck_assert_int_eq(a->opt->ready.kind, UNIT_PROBE_NONE);
	ck_assert_int_eq(probe->opt->ready.kind, UNIT_PROBE_TCP);
	ck_assert(lim->opt->limits.declared != 0);
	ck_assert_str_eq(unit_slice(b), "apps");
	/* the loader's units each have their own */
	ck_assert_ptr_ne(unit_set_find(s, "a")->opt, unit_set_find(s, "b")->opt);
	/* PID 1 holds three: the shared one, lim's and probe's */
	unit_set_footprint(d, &fp);
	ck_assert_uint_eq(fp.optional, 3 * sizeof(struct unit_optional));
	unit_set_free(d);
	free(buf);
	unit_set_free(s);
	tree_remove(&t);
}
END_TEST

START_TEST(test_encode_truncated)
{
	struct tree t;
	struct unit_set *s = mixed_set(&t), *d;
	uint8_t *buf;
	size_t len;

	encode(s, &buf, &len);
	for (size_t n = 0; n < len; n++) {
		/* a copy of exactly n bytes, so reading past it is caught */
		uint8_t *cut = malloc(n ? n : 1);
		memcpy(cut, buf, n);
		d = NULL;
		ck_assert_msg(unit_set_decode(cut, n, &d) < 0, "prefix %zu decoded", n);
		ck_assert_ptr_null(d);
		free(cut);
	}
	free(buf);
	unit_set_free(s);
	tree_remove(&t);
}
END_TEST

START_TEST(test_encode_flips)
{
	struct tree t;
	struct unit_set *s = mixed_set(&t), *d;
	uint8_t *buf, *copy;
	size_t len, decoded = 0;
	unsigned seed = 12345;

	encode(s, &buf, &len);
	copy = malloc(len);
	for (int round = 0; round < 20000; round++) {
		int flips = 1 + rand_r(&seed) % 4, r;
		memcpy(copy, buf, len);
		for (int i = 0; i < flips; i++)
			copy[(size_t)rand_r(&seed) % len] = (uint8_t)rand_r(&seed);
		d = NULL;
		r = unit_set_decode(copy, len, &d);
		ck_assert(r == 0 || r == -EBADMSG || r == -EPROTONOSUPPORT);
		if (r == 0) {
			/* whatever decoded is a set the rest of initd can use */
			size_t order[16];
			void *again;
			size_t again_len;
			ck_assert_uint_le(d->n_units, 16);
			ck_assert_int_eq(unit_set_order(d, order), 0);
			ck_assert_int_eq(unit_set_encode(d, &again, &again_len), 0);
			free(again);
			unit_set_free(d);
			decoded++;
		}
	}
	ck_assert_uint_gt(decoded, 0);   /* flips inside strings still decode */
	free(copy);
	free(buf);
	unit_set_free(s);
	tree_remove(&t);
}
END_TEST

/* Sets that break an invariant encode fine but never decode. */
START_TEST(test_encode_invariants)
{
	struct tree t;
	struct unit_set *s = mixed_set(&t), *d = NULL;
	struct unit *web = find(s, "web"), *tmp;
	char *saved;
	uint8_t *buf;
	size_t len;

	saved = web->requires[0];
	web->requires[0] = (char *)"missing";
	encode(s, &buf, &len);
	web->requires[0] = saved;
	ck_assert_int_eq(unit_set_decode(buf, len, &d), -EBADMSG);
	free(buf);

	tmp = s->units[0];
	s->units[0] = s->units[1];
	s->units[1] = tmp;
	encode(s, &buf, &len);
	s->units[1] = s->units[0];
	s->units[0] = tmp;
	ck_assert_int_eq(unit_set_decode(buf, len, &d), -EBADMSG);
	free(buf);

	saved = s->conf.slices[0].path;
	s->conf.slices[0].path = (char *)"../x";
	encode(s, &buf, &len);
	s->conf.slices[0].path = saved;
	ck_assert_int_eq(unit_set_decode(buf, len, &d), -EBADMSG);
	free(buf);

	saved = web->exec[0];
	web->exec[0] = (char *)"relative";
	encode(s, &buf, &len);
	web->exec[0] = saved;
	ck_assert_int_eq(unit_set_decode(buf, len, &d), -EBADMSG);
	free(buf);

	saved = own_opt(find(s, "lim"))->limits.cpuset_cpus;
	own_opt(find(s, "lim"))->limits.cpuset_cpus = (char *)"9-1";
	encode(s, &buf, &len);
	own_opt(find(s, "lim"))->limits.cpuset_cpus = saved;
	ck_assert_int_eq(unit_set_decode(buf, len, &d), -EBADMSG);
	free(buf);

	own_opt(find(s, "lim"))->limits.cpu_weight = 0;   /* declared, out of range */
	encode(s, &buf, &len);
	own_opt(find(s, "lim"))->limits.cpu_weight = 100;
	ck_assert_int_eq(unit_set_decode(buf, len, &d), -EBADMSG);
	free(buf);

	web->stop_signal = -1;   /* out of what the format carries */
	ck_assert_int_eq(unit_set_encode(s, (void **)&buf, &len), -EINVAL);
	web->stop_signal = SIGTERM;
	ck_assert_ptr_null(d);
	unit_set_free(s);
	tree_remove(&t);
}
END_TEST

START_TEST(test_decode_crafted)
{
	struct tree t;
	struct unit_set *s, *d = NULL;
	uint8_t *buf, *longer;
	size_t len;
	/* "iuse", version, conf record: slices = LIST of 2^62 */
	static const uint8_t huge[] = { 'i', 'u', 's', 'e', UNIT_ENCODE_VERSION, 6, 4,
					0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40 };
	static const uint8_t long_varint[] = { 'i', 'u', 's', 'e', UNIT_ENCODE_VERSION,
					       0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
					       0x80, 0x80, 0x01 };

	ck_assert_int_eq(unit_set_decode("", 0, &d), -EBADMSG);
	ck_assert_int_eq(unit_set_decode("iuse", 4, &d), -EBADMSG);
	ck_assert_int_eq(unit_set_decode("iusx\1", 5, &d), -EBADMSG);
	ck_assert_int_eq(unit_set_decode("iuse\177", 5, &d), -EPROTONOSUPPORT);
	ck_assert_int_eq(unit_set_decode(huge, sizeof(huge), &d), -EBADMSG);
	ck_assert_int_eq(unit_set_decode(long_varint, sizeof(long_varint), &d), -EBADMSG);

	tree_init(&t);
	s = tree_load(&t);    /* nothing at all: defaults */
	encode(s, &buf, &len);
	ck_assert_int_eq(unit_set_decode(buf, len, &d), 0);
	assert_sets_equal(s, d);
	unit_set_free(d);

	/* trailing garbage */
	longer = malloc(len + 16);
	memcpy(longer, buf, len);
	longer[len] = 0;
	ck_assert_int_eq(unit_set_decode(longer, len + 1, &d), -EBADMSG);

	/* an unknown field (tag 50, a string) is skipped */
	memcpy(longer, buf, 5);
	memcpy(longer + 5, "\x32\x02\x01x\0", 5);
	memcpy(longer + 10, buf + 5, len - 5);
	ck_assert_int_eq(unit_set_decode(longer, len + 5, &d), 0);
	assert_sets_equal(s, d);
	unit_set_free(d);
	d = NULL;

	/* ... but a known tag with the wrong kind is not (hostname as NUM) */
	memcpy(longer + 5, "\x02\x01\x01", 3);
	memcpy(longer + 8, buf + 5, len - 5);
	ck_assert_int_eq(unit_set_decode(longer, len + 3, &d), -EBADMSG);
	/* nor a string with a NUL inside (hostname "a\0b") */
	memcpy(longer + 5, "\x02\x02\x03" "a\0b\0", 7);
	memcpy(longer + 12, buf + 5, len - 5);
	ck_assert_int_eq(unit_set_decode(longer, len + 7, &d), -EBADMSG);
	ck_assert_ptr_null(d);

	/* Fields out of their table's order decode as in it: control_group
	 * (tag 4), then hostname (tag 2), then the encoder's from tag 3 on
	 * (the field search starts after the last field found: it goes
	 * round for each of the last two). */
	memcpy(longer + 5, "\x04\x02\x01x\0" "\x02\x02\x01y\0", 10);
	memcpy(longer + 15, buf + 5, len - 5);
	ck_assert_int_eq(unit_set_decode(longer, len + 10, &d), 0);
	ck_assert_str_eq(d->conf.control_group, "x");
	ck_assert_str_eq(d->conf.hostname, "y");
	s->conf.control_group = strdup("x");
	s->conf.hostname = strdup("y");
	assert_sets_equal(s, d);
	unit_set_free(d);
	free(longer);
	free(buf);
	unit_set_free(s);
	tree_remove(&t);
}
END_TEST

/* A model's bytes do not bound what it decodes into: an empty string is
 * 2 bytes of it and ~40 of heap (its block and its pointer). Bad units'
 * vectors may hold anything, so a model of bad units full of empty
 * strings is a valid one that cost PID 1 ~20x its size (61 MB took
 * 1.2 GB and 7 s). The decode stops at UNIT_DECODE_MAX: refused, -EFBIG. */
#define EMPTIES 256

/* What a test of such a model needs: where it cannot have it, it says
 * SKIPPED (a decode's ENOMEM, or the OOM killer, is no refusal). */
#define BUDGET_MODEL_NEED (UNIT_DECODE_MAX + (48u << 20))

/* Such a model (16 MB, whose heap would be 270 MB), encoded into *ret. */
static void budget_model(uint8_t **ret, size_t *ret_len)
{
	static char empty[] = "";
	static char *empties[EMPTIES + 1];
	struct tree t;
	struct unit_set *s;
	size_t n = 10000;

	for (size_t i = 0; i < EMPTIES; i++)
		empties[i] = empty;
	tree_init(&t);
	s = tree_load(&t);
	ck_assert_uint_eq(s->n_units, 0);
	free(s->units);
	s->units = calloc(n + 1, sizeof(*s->units));
	ck_assert_ptr_nonnull(s->units);
	for (size_t i = 0; i < n; i++) {
		char name[16];
		struct unit *u;

		snprintf(name, sizeof(name), "u%05zu", i);
		u = s->units[s->n_units++] = unit_new(name, "/etc/initd/units/u.unit");
		ck_assert_ptr_nonnull(u);
		u->bad = true;
		/* the encoder writes what is there; they are put back below */
		strv_free(u->environment);
		strv_free(u->requires);
		strv_free(u->after);
		u->exec = u->environment = empties;
		u->requires = u->after = empties + EMPTIES - UNIT_DEPS_MAX;
	}
	encode(s, ret, ret_len);
	for (size_t i = 0; i < n; i++) {
		struct unit *u = s->units[i];

		u->exec = NULL;
		u->environment = strv_new();
		u->requires = strv_new();
		u->after = strv_new();
	}
	ck_assert_uint_lt(*ret_len, 16u << 20);
	unit_set_free(s);
	tree_remove(&t);
}

START_TEST(test_decode_budget_refuses)
{
	struct unit_set *d = NULL;
	uint8_t *buf;
	size_t len;

	if (test_memory_short(BUDGET_MODEL_NEED))
		return;
	budget_model(&buf, &len);
	ck_assert_int_eq(unit_set_decode(buf, len, &d), -EFBIG);
	ck_assert_ptr_null(d);
	free(buf);
}
END_TEST

/* A resident size from /proc/self/status ("VmRSS:" or "VmHWM:"), in bytes. */
static size_t status_bytes(const char *field)
{
	char line[256];
	size_t kb = 0;
	FILE *f = fopen("/proc/self/status", "re");

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, field, strlen(field)) == 0)
			ck_assert_int_eq(sscanf(line + strlen(field), "%zu", &kb), 1);
	fclose(f);
	ck_assert_uint_gt(kb, 0);
	return kb * 1024;
}

/* PID 1 refuses a compiled model whose decode would pass the budget
 * (loader_read_compiled, as at boot); the decode's scratch, up to the
 * budget, is freed, but freed heap stays resident until it is trimmed:
 * the refusal must give it back (malloc_trim), or a refused model costs
 * PID 1 a quarter of a GiB for good. free() trims the top of the heap by
 * itself only past a threshold that the heap's own history moves (a
 * freed mmapped buffer, as the model's file's, raises it), so it is set
 * out of reach here: what comes back is the refusal's doing. */
START_TEST(test_refused_model_gives_its_heap_back)
{
	uint8_t head[UNIT_MODEL_HEADER], *buf;
	struct unit_set *d = NULL;
	size_t len, before, peak, after;
	uint64_t digest;
	char model[160];
	struct tree t;
	FILE *f;

#ifdef __SANITIZE_ADDRESS__
	return;   /* ASan's allocator holds freed memory (its quarantine), not glibc's */
#endif
	if (test_memory_short(BUDGET_MODEL_NEED))
		return;
	budget_model(&buf, &len);
	tree_init(&t);
	snprintf(model, sizeof(model), "%s/units.model", t.dir);
	ck_assert_int_eq(unit_inputs_digest(t.conf, t.units, NULL, &digest), 0);
	unit_model_header(head, digest, buf, len);
	ck_assert_ptr_nonnull(f = fopen(model, "we"));
	ck_assert_uint_eq(fwrite(head, 1, sizeof(head), f), sizeof(head));
	ck_assert_uint_eq(fwrite(buf, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
	free(buf);
	ck_assert_int_eq(mallopt(M_TRIM_THRESHOLD, INT_MAX), 1);
	malloc_trim(0);   /* the test's own garbage, before the count */
	before = status_bytes("VmRSS:");
	f = fopen("/proc/self/clear_refs", "we");   /* the peak from here */
	ck_assert_ptr_nonnull(f);
	fputs("5", f);
	ck_assert_int_eq(fclose(f), 0);

	ck_assert_int_eq(loader_read_compiled(model, t.conf, t.units, &d), -EFBIG);
	ck_assert_ptr_null(d);
	peak = status_bytes("VmHWM:");
	after = status_bytes("VmRSS:");
	/* The decode did take most of its budget (else this proves nothing)... */
	ck_assert_msg(peak > before + UNIT_DECODE_MAX / 2, "peak %zu, before %zu", peak, before);
	/* ...and gave it back: a generous margin, a small part of it. */
	ck_assert_msg(after < before + UNIT_DECODE_MAX / 8, "after %zu, before %zu (peak %zu)",
		      after, before, peak);
	tree_remove(&t);
}
END_TEST

/* What --check and --compile make is what PID 1 decodes: a set whose
 * decode goes over the budget is refused there, not written. --compile
 * only encoded it (--check decoded it too): it wrote a model that PID 1
 * then refused whole, starting no unit. Here the budget is lowered under
 * an ordinary set's heap, which a set that reaches UNIT_DECODE_MAX from
 * files (16384 instances of 512 strings: 30 s, 700 MB) stands for. */
START_TEST(test_encode_checked_refuses_over_budget)
{
	struct tree t;
	struct unit_set *s = mixed_set(&t), *d = NULL;
	const char *why = NULL;
	void *buf = NULL;
	size_t len = 0;

	ck_assert_int_eq(set_encode_checked_within(s, 4096, &buf, &len, &why), -EFBIG);
	ck_assert_ptr_null(buf);
	ck_assert_ptr_nonnull(why);
	ck_assert_ptr_nonnull(strstr(why, "decode"));
	/* within the real budget: the very bytes unit_set_encode makes */
	ck_assert_int_eq(unit_set_encode_checked(s, &buf, &len, &why), 0);
	ck_assert_int_eq(unit_set_decode(buf, len, &d), 0);
	ck_assert_uint_eq(d->n_units, s->n_units);
	unit_set_free(d);
	free(buf);
	unit_set_free(s);
	tree_remove(&t);
}
END_TEST

/* The bound is far above what real sets take: the most units a set holds
 * (UNIT_MAX instances of one template) decode within a quarter of it. */
START_TEST(test_decode_budget_margin)
{
	struct tree t;
	struct unit_set *s, *d = NULL;
	char *conf;
	size_t o = 0;
	uint8_t *buf;
	size_t len;

	if (test_memory_short(128 << 20))   /* ~90 MB: the set, its model, its decode */
		return;
	conf = malloc(UNIT_MAX * 10 + 4096);   /* `, "16383"` a name */
	ck_assert_ptr_nonnull(conf);
	tree_init(&t);
	tree_write(&t, "units/worker@.unit", "description = \"worker %i\";\n"
		   "exec = [ \"/bin/sh\", \"-c\", \"while :; do sleep 30; done\", \"%n\" ];\n"
		   "restart = \"always\";\nenvironment = { WORKER = \"%i\"; };\n");
	o += (size_t)sprintf(conf + o, "instances = ( ");
	for (size_t g = 0; g < UNIT_MAX / UNIT_INSTANCE_NAMES_MAX; g++) {
		o += (size_t)sprintf(conf + o, "%s{ template = \"worker\"; names = [ ", g ? ", " : "");
		for (size_t i = 0; i < UNIT_INSTANCE_NAMES_MAX; i++)
			o += (size_t)sprintf(conf + o, "%s\"%zu\"", i ? ", " : "",
					     g * UNIT_INSTANCE_NAMES_MAX + i);
		o += (size_t)sprintf(conf + o, " ]; }");
	}
	sprintf(conf + o, " );\n");
	tree_write(&t, "initd.conf", conf);
	s = tree_load(&t);
	ck_assert_uint_eq(s->diags.n, 0);
	ck_assert_uint_eq(s->n_units, UNIT_MAX);
	encode(s, &buf, &len);
	ck_assert_int_eq(unit_set_decode(buf, len, &d), 0);
	ck_assert_uint_eq(d->n_units, UNIT_MAX);
	unit_set_free(d);
	d = NULL;
	ck_assert_int_eq(set_decode_within(buf, len, UNIT_DECODE_MAX / 4, &d), 0);
	unit_set_free(d);
	free(buf);
	free(conf);
	unit_set_free(s);
	tree_remove(&t);
}
END_TEST

/* ---- cgroup limits (issue 4) ------------------------------------------------ */

START_TEST(test_cgroup_every_key)
{
	struct unit *u = parse("t.unit", EXEC CG_FULL);
	const struct unit_limits *l = &u->opt->limits;

	ck_assert_msg(!u->bad, "%s", u->diags.n ? u->diags.v[0].message : "");
	ck_assert_uint_eq(l->declared, UNIT_LIMIT_BIT(UNIT_LIMIT_MAX) - 1);
	ck_assert_uint_eq(l->cpu_quota_usec, 50000);
	ck_assert_uint_eq(l->cpu_period_usec, 100000);
	ck_assert_uint_eq(l->cpu_weight, 100);
	ck_assert_uint_eq(l->cpu_burst_usec, 10000);
	ck_assert_str_eq(l->cpuset_cpus, "0-1");
	ck_assert_str_eq(l->cpuset_mems, "0");
	ck_assert_uint_eq(l->memory_max, 64 << 20);
	ck_assert_uint_eq(l->memory_high, 48 << 20);
	ck_assert_uint_eq(l->memory_low, 16 << 20);
	ck_assert_uint_eq(l->memory_min, 8 << 20);
	ck_assert_uint_eq(l->memory_swap_max, 0);
	ck_assert(l->memory_oom_group);
	ck_assert_uint_eq(l->pids_max, 64);
	ck_assert_uint_eq(l->io_weight, 100);
	ck_assert_uint_eq(l->n_io_max, 1);
	ck_assert_uint_eq(l->io_max[0].major, 8);
	ck_assert_uint_eq(l->io_max[0].minor, 0);
	ck_assert_uint_eq(l->io_max[0].rbps, 10 << 20);
	ck_assert_uint_eq(l->io_max[0].wbps, UNIT_UNLIMITED);
	ck_assert_uint_eq(l->io_max[0].riops, 1000);
	ck_assert_uint_eq(l->io_max[0].wiops, UNIT_UNLIMITED);
	ck_assert_uint_eq(u->cgroup.subtree_control,
			  UNIT_CONTROLLER_BIT(UNIT_CONTROLLER_MEMORY) |
			  UNIT_CONTROLLER_BIT(UNIT_CONTROLLER_PIDS));
	ck_assert_uint_eq(u->cgroup.delegate_max_depth, 4);
	ck_assert_uint_eq(u->cgroup.delegate_max_descendants, 100);
	ck_assert_uint_eq(unit_limits_controllers(l),
			  UNIT_CONTROLLER_BIT(UNIT_CONTROLLER_CPU) |
			  UNIT_CONTROLLER_BIT(UNIT_CONTROLLER_CPUSET) |
			  UNIT_CONTROLLER_BIT(UNIT_CONTROLLER_MEMORY) |
			  UNIT_CONTROLLER_BIT(UNIT_CONTROLLER_PIDS) |
			  UNIT_CONTROLLER_BIT(UNIT_CONTROLLER_IO));
	struct unit *v = parse("t.unit", EXEC CG_FULL);
	ck_assert(unit_equal(u, v));
	unit_free(v);
	/* reload sees a changed burst, and a burst set on a unit without one */
	v = parse("t.unit", EXEC "cgroup = { cpu = { max_burst = \"10ms\"; }; };\n");
	struct unit *w = parse("t.unit", EXEC "cgroup = { cpu = { max_burst = \"20ms\"; }; };\n");
	ck_assert(!unit_equal(v, w));
	ck_assert_uint_eq(unit_limits_controllers(&w->opt->limits),
			  UNIT_CONTROLLER_BIT(UNIT_CONTROLLER_CPU));
	unit_free(w);
	w = parse("t.unit", EXEC "cgroup = { cpu = { max_burst = \"10ms\"; }; };\n");
	ck_assert(unit_equal(v, w));
	unit_free(w);
	w = parse("t.unit", EXEC "cgroup = { cpu = { weight = 100; }; };\n");
	ck_assert(!unit_equal(v, w));
	unit_free(w);
	unit_free(v);
	v = parse("t.unit", EXEC "cgroup = { slice = \"apps\"; pids = { max = 65; }; };\n");
	ck_assert(!unit_equal(u, v));
	ck_assert_uint_eq(unit_limits_controllers(&v->opt->limits),
			  UNIT_CONTROLLER_BIT(UNIT_CONTROLLER_PIDS));
	unit_free(v);
	unit_free(u);
}
END_TEST

START_TEST(test_cgroup_values)
{
	struct unit *u;

	u = parse("t.unit", EXEC "cgroup = { cpu = { max = \"250%\"; }; pids = { max = \"max\"; };\n"
		  " memory = { max = \"max\"; high = \"1G\"; }; };\n");
	ck_assert(!u->bad);
	ck_assert_uint_eq(u->opt->limits.cpu_quota_usec, 250000);
	ck_assert_uint_eq(u->opt->limits.pids_max, UNIT_UNLIMITED);
	ck_assert_uint_eq(u->opt->limits.memory_max, UNIT_UNLIMITED);
	ck_assert_uint_eq(u->cgroup.subtree_control, 0);
	ck_assert_uint_eq(u->cgroup.delegate_max_depth, UNIT_DELEGATE_DEPTH_DEFAULT);
	ck_assert_uint_eq(u->cgroup.delegate_max_descendants, UNIT_DELEGATE_DESCENDANTS_DEFAULT);
	unit_free(u);
	u = parse("t.unit", EXEC "cgroup = { cpu = { max = \"20000 50000\"; }; };\n");
	ck_assert(!u->bad);
	ck_assert_uint_eq(u->opt->limits.cpu_quota_usec, 20000);
	ck_assert_uint_eq(u->opt->limits.cpu_period_usec, 50000);
	unit_free(u);
	u = parse("t.unit", EXEC "cgroup = { cpu = { max = \"max\"; }; };\n");
	ck_assert(!u->bad);
	ck_assert_uint_eq(u->opt->limits.cpu_quota_usec, UNIT_UNLIMITED);
	ck_assert_uint_eq(u->opt->limits.cpu_period_usec, 100000);
	unit_free(u);

	ck_assert(unit_cpulist_valid("0"));
	ck_assert(unit_cpulist_valid("0-3,6,8-9"));
	ck_assert(!unit_cpulist_valid(""));
	ck_assert(!unit_cpulist_valid("3-1"));
	ck_assert(!unit_cpulist_valid("0,"));
	ck_assert(!unit_cpulist_valid("0 1"));
	ck_assert(!unit_cpulist_valid("-1"));
	ck_assert(!unit_cpulist_valid("8192"));
	ck_assert(unit_cpulist_subset("1", "0-3"));
	ck_assert(unit_cpulist_subset("0-3", "0-1,2-3"));
	ck_assert(unit_cpulist_subset("2-3,0", "0,1-3"));
	ck_assert(!unit_cpulist_subset("0-4", "0-3"));
	ck_assert(!unit_cpulist_subset("2", "0-1,3"));
	ck_assert_int_eq(unit_controller_from_string("memory"), UNIT_CONTROLLER_MEMORY);
	ck_assert_int_eq(unit_controller_from_string("mem"), -EINVAL);
	ck_assert_str_eq(unit_controller_to_string(UNIT_CONTROLLER_PIDS), "pids");
}
END_TEST

#define CG(x) EXEC "cgroup = {\n" x "\n};\n"

static const struct {
	const char *text;
	const char *diag;
} cgroup_error_cases[] = {
	{ CG("cpu = { max = \"0%\"; };"),
	  "t.unit:3: 'cgroup.cpu.max': a percentage must be at least 1% (got '0%')" },
	{ CG("cpu = { max = \"50\"; };"),
	  "t.unit:3: 'cgroup.cpu.max': invalid value '50' (expected \"N%\", \"QUOTA PERIOD\" in "
	  "microseconds, or \"max\")" },
	{ CG("cpu = { max = \"50 %\"; };"),
	  "t.unit:3: 'cgroup.cpu.max': invalid value '50 %' (expected \"N%\", \"QUOTA PERIOD\" in "
	  "microseconds, or \"max\")" },
	{ CG("cpu = { max = \"20000 5000000\"; };"),
	  "t.unit:3: 'cgroup.cpu.max': invalid value '20000 5000000' (expected \"N%\", "
	  "\"QUOTA PERIOD\" in microseconds, or \"max\")" },
	{ CG("cpu = { max = 50; };"), "t.unit:3: 'cgroup.cpu.max' must be a string" },
	{ CG("cpu = { weight = 0; };"), "t.unit:3: 'cgroup.cpu.weight' must be between 1 and 10000 (got 0)" },
	{ CG("cpu = { weight = \"100\"; };"), "t.unit:3: 'cgroup.cpu.weight' must be an integer" },
	{ CG("cpu = { quota = \"1\"; };"), "t.unit:3: unknown key 'cgroup.cpu.quota'" },
	{ CG("cpu = { max_burst = \"10 ms\"; };"),
	  "t.unit:3: 'cgroup.cpu.max_burst': invalid duration '10 ms' (expected a duration string like \"5s\")" },
	{ CG("cpu = { max_burst = 10000; };"),
	  "t.unit:3: 'cgroup.cpu.max_burst' must be a string (expected a duration string like \"5s\")" },
	{ CG("cpu = { max = \"20%\";\n max_burst = \"30ms\"; };"),
	  "t.unit:4: 'cgroup.cpu.max_burst' must not be greater than the quota of 'cgroup.cpu.max' "
	  "(20000us)" },
	{ CG("cpu = { max_brust = \"1ms\"; };"),
	  "t.unit:3: unknown key 'cgroup.cpu.max_brust' (did you mean 'cgroup.cpu.max_burst'?)" },
	{ CG("cpuset = { cpus = \"0-\"; };"),
	  "t.unit:3: 'cgroup.cpuset.cpus': invalid list '0-' (expected the kernel's list syntax, "
	  "like \"0-3,6\", numbers up to 8191)" },
	{ CG("cpuset = { mems = \"1-0\"; };"),
	  "t.unit:3: 'cgroup.cpuset.mems': invalid list '1-0' (expected the kernel's list syntax, "
	  "like \"0-3,6\", numbers up to 8191)" },
	{ CG("memory = { max = \"64MB\"; };"),
	  "t.unit:3: 'cgroup.memory.max': invalid size '64MB' (expected a size like \"64K\")" },
	{ CG("memory = { max = 64; };"),
	  "t.unit:3: 'cgroup.memory.max' must be a string (expected a size like \"64K\")" },
	{ CG("memory = {\n max = \"32M\";\n high = \"48M\"; };"),
	  "t.unit:5: 'cgroup.memory.high' must not be greater than 'cgroup.memory.max'" },
	{ CG("memory = { min = \"16M\";\n low = \"8M\"; };"),
	  "t.unit:3: 'cgroup.memory.min' must not be greater than 'cgroup.memory.low'" },
	{ CG("memory = { oom_group = 1; };"),
	  "t.unit:3: 'cgroup.memory.oom_group' must be true or false" },
	{ CG("memory = { oom_grop = true; };"),
	  "t.unit:3: unknown key 'cgroup.memory.oom_grop' (did you mean 'cgroup.memory.oom_group'?)" },
	{ CG("pids = { max = -1; };"), "t.unit:3: 'cgroup.pids.max' must be between 0 and 2147483647 (got -1)" },
	{ CG("pids = { max = \"64\"; };"), "t.unit:3: 'cgroup.pids.max' must be an integer or \"max\"" },
	{ CG("io = { weight = 10001; };"), "t.unit:3: 'cgroup.io.weight' must be between 1 and 10000 (got 10001)" },
	{ CG("io = { max = ( { rbps = \"1M\"; } ); };"),
	  "t.unit:3: missing required key 'cgroup.io.max[0].device'" },
	{ CG("io = { max = ( { device = \"sda\"; rbps = \"1M\"; } ); };"),
	  "t.unit:3: 'cgroup.io.max[0].device': invalid device 'sda' (expected \"MAJOR:MINOR\", "
	  "like \"8:0\")" },
	{ CG("io = { max = ( { device = \"8:0\"; } ); };"),
	  "t.unit:3: 'cgroup.io.max[0]' sets no limit (expected rbps, wbps, riops or wiops)" },
	{ CG("io = { max = ( { device = \"8:0\"; rbps = \"0\"; } ); };"),
	  "t.unit:3: 'cgroup.io.max[0].rbps' must be greater than 0 (or \"max\")" },
	{ CG("io = { max = ( { device = \"8:0\"; riops = \"1k\"; } ); };"),
	  "t.unit:3: 'cgroup.io.max[0].riops' must be an integer or \"max\"" },
	{ CG("io = { max = ( { device = \"8:0\"; wbps = \"1M\"; },\n"
	     "  { device = \"8:0\"; rbps = \"1M\"; } ); };"),
	  "t.unit:4: 'cgroup.io.max[1]': device 8:0 is listed twice" },
	{ CG("io = { max = { device = \"8:0\"; }; };"),
	  "t.unit:3: 'cgroup.io.max' must be a list of groups" },
	{ CG("subtree_control = [ \"memroy\" ];"),
	  "t.unit:3: 'cgroup.subtree_control[0]': unknown controller 'memroy' "
	  "(did you mean 'memory'?)" },
	{ CG("subtree_control = [ \"blkio\" ];"),
	  "t.unit:3: 'cgroup.subtree_control[0]': unknown controller 'blkio' (expected cpuset, "
	  "cpu, io, memory, hugetlb, pids, rdma or misc)" },
	{ CG("subtree_control = [ \"pids\", \"pids\" ];"),
	  "t.unit:3: 'cgroup.subtree_control[1]': 'pids' is listed twice" },
	{ CG("subtree_control = \"pids\";"),
	  "t.unit:3: 'cgroup.subtree_control' must be an array of strings" },
	{ CG("subtree_control = [ \"pids\" ]; delegate_max_depth = 0;"),
	  "t.unit:3: 'cgroup.delegate_max_depth' must be between 1 and 64 (got 0)" },
	{ CG("subtree_control = [ \"pids\" ]; delegate_max_descendants = 65537;"),
	  "t.unit:3: 'cgroup.delegate_max_descendants' must be between 1 and 65536 (got 65537)" },
	{ CG("subtree_control = [ \"pids\" ]; delegate_max_depth = \"4\";"),
	  "t.unit:3: 'cgroup.delegate_max_depth' must be an integer" },
	{ CG("delegate_max_descendants = 10;"),
	  "t.unit:3: 'cgroup.delegate_max_*' needs 'cgroup.subtree_control' (they bound a "
	  "delegated subtree)" },
};

START_TEST(test_cgroup_error)
{
	struct unit *u = parse("t.unit", cgroup_error_cases[_i].text);
	char buf[1024];

	ck_assert_msg(u->bad, "case %d not bad", _i);
	ck_assert_uint_ge(u->diags.n, 1);
	unit_diag_format(&u->diags.v[0], buf, sizeof(buf));
	ck_assert_str_eq(buf, cgroup_error_cases[_i].diag);
	unit_free(u);
}
END_TEST

START_TEST(test_cgroup_slices)
{
	static const char *const want[] = {
		"initd.conf:4: 'slices[1].memory.high' must not be greater than "
		"'slices[1].memory.max'",
		"initd.conf:9: 'slices[5].pids.max' must be an integer or \"max\"",
		"initd.conf:6: 'slices': cpuset.cpus '2-3' of slice 'apps/db' is not within '0-1' of "
		"slice 'apps'",
		"initd.conf:7: 'slices': parent 'apps/db' of slice 'apps/db/x' is not declared",
		"units/bad.unit:4: 'cgroup.cpuset.cpus': '1-2' is not within '0-1' of slice 'apps'",
		"units/mems.unit:4: 'cgroup.cpuset.mems': '1' is not within '0' of slice 'apps'",
		NULL,
	};
	struct tree t;
	struct unit_set *s;
	const struct unit_slice *apps, *web;

	tree_init(&t);
	tree_write(&t, "initd.conf", "slices = (\n"
		   "  { path = \"apps\"; cpuset = { cpus = \"0-1\"; mems = \"0\"; }; memory = { max = \"1G\"; }; },\n"
		   "  { path = \"web\"; memory = { max = \"64M\";\n"
		   "    high = \"128M\"; }; },\n"
		   "  { path = \"apps/db\";\n"
		   "    cpuset = { cpus = \"2-3\"; }; },\n"
		   "  { path = \"apps/db/x\"; },\n"
		   "  { path = \"apps/web\"; cpu = { max = \"20%\"; weight = 50; }; io = { weight = 10; }; },\n"
		   "  { path = \"other\"; pids = { max = \"lots\"; }; }\n"
		   ");\n");
	tree_write(&t, "units/ok.unit", EXEC "cgroup = {\n slice = \"apps/web\";\n"
		   " cpuset = { cpus = \"1\"; }; };\n");
	tree_write(&t, "units/bad.unit", EXEC "cgroup = {\n slice = \"apps/web\";\n"
		   " cpuset = { cpus = \"1-2\"; }; };\n");
	tree_write(&t, "units/mems.unit", EXEC "cgroup = {\n slice = \"apps\";\n"
		   " cpuset = { mems = \"1\"; }; };\n");
	tree_write(&t, "units/free.unit", EXEC "cgroup = { cpuset = { cpus = \"5\"; }; };\n");
	s = tree_load(&t);
	assert_diags(s, t.dir, want);
	ck_assert(!find(s, "ok")->bad);
	ck_assert(!find(s, "free")->bad);
	ck_assert(find(s, "bad")->bad);
	ck_assert_uint_eq(s->conf.n_slices, 3);   /* apps, apps/web, system */
	apps = unit_slice_cpuset_bound(&s->conf, "apps/web", false);
	ck_assert_ptr_nonnull(apps);
	ck_assert_str_eq(apps->path, "apps");
	ck_assert_uint_eq(apps->limits.memory_max, 1 << 30);
	web = &s->conf.slices[1];
	ck_assert_str_eq(web->path, "apps/web");
	ck_assert_uint_eq(web->limits.cpu_quota_usec, 20000);
	ck_assert_uint_eq(web->limits.cpu_weight, 50);
	ck_assert_uint_eq(web->limits.io_weight, 10);
	ck_assert_ptr_null(unit_slice_cpuset_bound(&s->conf, "system", false));
	unit_set_free(s);
	tree_remove(&t);
}
END_TEST

/* ---- the compiled model (units/compiled.c) -------------------------------- */

/* The digest with t's directory as the root: the paths hashed are
 * "/initd.conf" and "/units", wherever t is. */
static uint64_t digest_of(struct tree *t)
{
	uint64_t d = 0;

	ck_assert_int_eq(unit_inputs_digest(t->conf, t->units, t->dir, &d), 0);
	return d;
}

/* Every input a load reads moves the digest; what it does not read does
 * not; and an entry that is no file is hashed, never waited on. */
START_TEST(test_compiled_digest)
{
	struct tree t;
	char a[256], z[256];
	uint64_t d0, d;

	tree_init(&t);
	tree_write(&t, "initd.conf", "hostname = \"h\";\n");
	tree_write(&t, "units/a.unit", "exec = [ \"/bin/true\" ];\n");
	tree_write(&t, "units/b.unit", "exec = [ \"/bin/false\" ];\n");
	d0 = digest_of(&t);
	ck_assert(digest_of(&t) == d0);
	/* not inputs: other names, hidden units */
	tree_write(&t, "units/README", "x\n");
	tree_write(&t, "units/.hidden.unit", "x\n");
	tree_write(&t, "initd.model", "x\n");
	ck_assert(digest_of(&t) == d0);
	/* a byte of a unit */
	tree_write(&t, "units/a.unit", "exec = [ \"/bin/truE\" ];\n");
	ck_assert(digest_of(&t) != d0);
	tree_write(&t, "units/a.unit", "exec = [ \"/bin/true\" ];\n");
	ck_assert(digest_of(&t) == d0);
	/* a unit added, then renamed, then removed */
	tree_write(&t, "units/c.unit", "");
	d = digest_of(&t);
	ck_assert(d != d0);
	snprintf(a, sizeof(a), "%s/c.unit", t.units);
	snprintf(z, sizeof(z), "%s/d.unit", t.units);
	ck_assert_int_eq(rename(a, z), 0);
	ck_assert(digest_of(&t) != d && digest_of(&t) != d0);
	ck_assert_int_eq(unlink(z), 0);
	ck_assert(digest_of(&t) == d0);
	/* initd.conf: edited, empty, absent are three inputs */
	tree_write(&t, "initd.conf", "");
	d = digest_of(&t);
	ck_assert(d != d0);
	ck_assert_int_eq(unlink(t.conf), 0);
	ck_assert(digest_of(&t) != d && digest_of(&t) != d0);
	/* a FIFO is hashed, never opened (it would block); a directory and
	 * an empty file of one name differ */
	snprintf(a, sizeof(a), "%s/fifo.unit", t.units);
	ck_assert_int_eq(mkfifo(a, 0644), 0);
	tree_write(&t, "units/dir.unit", "");
	d = digest_of(&t);
	snprintf(z, sizeof(z), "%s/dir.unit", t.units);
	ck_assert_int_eq(unlink(z), 0);
	ck_assert_int_eq(mkdir(z, 0755), 0);
	ck_assert(digest_of(&t) != d);
	/* the paths as the boot names them are inputs: another root */
	{
		uint64_t other = 0;

		ck_assert_int_eq(unit_inputs_digest(t.conf, t.units, "/tmp", &other), 0);
		ck_assert(other != digest_of(&t));
	}
	/* the same files elsewhere (an image compiled where it is built):
	 * the same digest, paths are not inputs */
	{
		struct tree t2;
		char cmd[512];

		tree_init(&t2);
		snprintf(cmd, sizeof(cmd), "cp -a %s/. %s/", t.dir, t2.dir);
		ck_assert_int_eq(unlink(a), 0);   /* cp would block on the FIFO */
		d = digest_of(&t);
		ck_assert_int_eq(system(cmd), 0);
		ck_assert(digest_of(&t2) == d);
		tree_remove(&t2);
	}
	/* no units directory: an error, no digest */
	tree_remove(&t);
	ck_assert_int_eq(unit_inputs_digest(t.conf, t.units, t.dir, &d), -ENOENT);
}
END_TEST

/* What the digest reads of a long file: all of it up to UNIT_FILE_MAX + 1
 * bytes, past any buffer it reads through (a byte deep in a file moves
 * it), nothing beyond (the loader refuses such a file whatever follows). */
START_TEST(test_compiled_digest_long_files)
{
	size_t big = UNIT_FILE_MAX + 16;
	char *text = malloc(big + 1);
	struct tree t;
	uint64_t d0, d;

	ck_assert_ptr_nonnull(text);
	tree_init(&t);
	tree_write(&t, "initd.conf", "hostname = \"h\";\n");
	for (size_t i = 0; i < big; i++)
		text[i] = (char)('a' + i % 26);
	text[10000] = '\0';
	tree_write(&t, "units/long.unit", text);
	text[10000] = 'x';
	text[big] = '\0';
	tree_write(&t, "units/over.unit", text);
	d0 = digest_of(&t);
	/* a byte past the first 4 KiB */
	text[9000] = '#';
	text[10000] = '\0';
	tree_write(&t, "units/long.unit", text);
	ck_assert(digest_of(&t) != d0);
	text[9000] = (char)('a' + 9000 % 26);
	tree_write(&t, "units/long.unit", text);
	ck_assert(digest_of(&t) == d0);
	/* over.unit: a byte at UNIT_FILE_MAX + 1 is not read, one at
	 * UNIT_FILE_MAX is */
	text[10000] = 'x';
	text[UNIT_FILE_MAX + 1] = '#';
	tree_write(&t, "units/over.unit", text);
	ck_assert(digest_of(&t) == d0);
	text[UNIT_FILE_MAX] = '#';
	tree_write(&t, "units/over.unit", text);
	d = digest_of(&t);
	ck_assert(d != d0);
	/* a file longer than its size says (so it changed since its stat,
	 * or a kernel's file): no digest, the loader reads */
	{
		char link[256];
		uint64_t none;

		snprintf(link, sizeof(link), "%s/proc.unit", t.units);
		ck_assert_int_eq(symlink("/proc/self/status", link), 0);
		ck_assert_int_eq(unit_inputs_digest(t.conf, t.units, t.dir, &none), -EAGAIN);
		ck_assert_int_eq(unlink(link), 0);
		ck_assert(digest_of(&t) == d);
	}
	/* and shorter than its size says (sysfs's files say a page) */
	if (access("/sys/devices/system/cpu/online", R_OK) == 0) {
		char link[256];

		snprintf(link, sizeof(link), "%s/sys.unit", t.units);
		ck_assert_int_eq(symlink("/sys/devices/system/cpu/online", link), 0);
		ck_assert_int_eq(unit_inputs_digest(t.conf, t.units, t.dir, &d), -EAGAIN);
		ck_assert_int_eq(unlink(link), 0);
	}
	tree_remove(&t);
	free(text);
}
END_TEST

/* The model file of t's set, as initd-loader --compile writes it. */
static void model_write(struct tree *t, const char *path, mode_t mode)
{
	uint8_t head[UNIT_MODEL_HEADER];
	struct unit_set *s = tree_load(t);
	void *buf = NULL;
	size_t len = 0;
	int fd;

	uint64_t d = 0;

	/* the digest as PID 1 takes it: t's paths as they are */
	ck_assert_int_eq(unit_inputs_digest(t->conf, t->units, NULL, &d), 0);
	ck_assert_int_eq(unit_set_encode(s, &buf, &len), 0);
	unit_model_header(head, d, buf, len);
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fchmod(fd, mode), 0);
	ck_assert_int_eq(write_all(fd, head, sizeof(head)), 0);
	ck_assert_int_eq(write_all(fd, buf, len), 0);
	close(fd);
	free(buf);
	unit_set_free(s);
}

static void model_poke(const char *path, long off, uint8_t x)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);
	uint8_t b;

	ck_assert_int_ge(fd, 0);
	if (off < 0)
		off += lseek(fd, 0, SEEK_END);
	ck_assert_int_eq(pread(fd, &b, 1, off), 1);
	b ^= x;
	ck_assert_int_eq(pwrite(fd, &b, 1, off), 1);
	close(fd);
}

/* Read path back; a model read is the set a load of t gives, unit by
 * unit. A refusal's reason in *ret_why when it is not NULL. */
static int model_read_why(struct tree *t, const char *path, size_t *n_units,
			  const char **ret_why)
{
	struct unit_set *s = NULL;
	const char *why = NULL;
	int r = unit_model_read(path, t->conf, t->units, &s, &why);

	if (r == 0) {
		struct unit_set *want = tree_load(t);

		ck_assert_uint_eq(s->n_units, want->n_units);
		for (size_t i = 0; i < s->n_units; i++)
			ck_assert_msg(unit_equal(s->units[i], want->units[i]), "%s differs",
				      want->units[i]->name);
		*n_units = s->n_units;
		unit_set_free(want);
		unit_set_free(s);
	} else {
		ck_assert_ptr_nonnull(why);
		ck_assert_ptr_null(s);
	}
	if (ret_why)
		*ret_why = why;
	return r;
}

static int model_read(struct tree *t, const char *path, size_t *n_units)
{
	return model_read_why(t, path, n_units, NULL);
}

START_TEST(test_compiled_read)
{
	struct tree t;
	const char *why = NULL;
	char path[256];
	size_t n = 0;

	tree_init(&t);
	snprintf(path, sizeof(path), "%s/" UNIT_MODEL_FILE, t.dir);
	ck_assert_int_eq(model_read(&t, path, &n), -ENOENT);
	tree_write(&t, "units/a.unit", "exec = [ \"/bin/true\" ];\n");
	tree_write(&t, "units/b.unit", "exec = [ \"/bin/false\" ];\nafter = [ \"a\" ];\n");
	model_write(&t, path, 0644);
	ck_assert_int_eq(model_read(&t, path, &n), 0);
	ck_assert_uint_eq(n, 2);
	/* the files moved on */
	tree_write(&t, "units/b.unit", "exec = [ \"/bin/false\" ];\n");
	ck_assert_int_eq(model_read(&t, path, &n), -ESTALE);
	tree_write(&t, "units/b.unit", "exec = [ \"/bin/false\" ];\nafter = [ \"a\" ];\n");
	ck_assert_int_eq(model_read(&t, path, &n), 0);
	/* a byte of the body damaged; the header's version; its digest */
	model_poke(path, -2, 0x01);
	ck_assert_int_eq(model_read(&t, path, &n), -EBADMSG);
	model_poke(path, -2, 0x01);
	model_poke(path, 4, 0x40);
	ck_assert_int_eq(model_read(&t, path, &n), -EPROTONOSUPPORT);
	model_poke(path, 4, 0x40);
	model_poke(path, 6, 0x01);   /* the machine */
	ck_assert_int_eq(model_read(&t, path, &n), -EPROTONOSUPPORT);
	model_poke(path, 6, 0x01);
	/* another initd's (its version in the header): said so, not that
	 * the files changed (the digest covers the version too) */
	model_poke(path, 9, 0x01);
	ck_assert_int_eq(model_read_why(&t, path, &n, &why), -EPROTONOSUPPORT);
	ck_assert_str_eq(why, "compiled by another version of initd");
	model_poke(path, 9, 0x01);
	model_poke(path, 17, 0x01);   /* the digest */
	ck_assert_int_eq(model_read_why(&t, path, &n, &why), -ESTALE);
	ck_assert_str_eq(why, "out of date: the unit files changed since it was compiled");
	model_poke(path, 17, 0x01);
	ck_assert_int_eq(model_read(&t, path, &n), 0);
	/* writable by others; then cut short */
	ck_assert_int_eq(chmod(path, 0664), 0);
	ck_assert_int_eq(model_read(&t, path, &n), -EPERM);
	ck_assert_int_eq(chmod(path, 0644), 0);
	ck_assert_int_eq(truncate(path, UNIT_MODEL_HEADER - 1), 0);
	ck_assert_int_eq(model_read(&t, path, &n), -EBADMSG);
	tree_remove(&t);
}
END_TEST

static Suite *units_suite(void)
{
	Suite *s = suite_create("units");
	TCase *tc = tcase_create("values");

	tcase_add_test(tc, set_diagnostics_are_bounded);
	tcase_add_test(tc, set_diagnostics_bytes_are_bounded);
	tcase_add_test(tc, unit_diagnostics_bytes_are_bounded);
	tcase_add_test(tc, test_duration);
	tcase_add_test(tc, test_size);
	tcase_add_test(tc, test_signal);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_hint_closest);
	suite_add_tcase(s, tc);

	tc = tcase_create("parse");
	tcase_add_test(tc, test_parse_every_key);
	tcase_add_test(tc, test_parse_defaults);
	tcase_add_loop_test(tc, test_parse_error, 0, (int)ARRAY_SIZE(error_cases));
	tcase_add_test(tc, test_parse_many_errors);
	tcase_add_test(tc, test_parse_string_element_lines);
	tcase_add_test(tc, test_parse_integers_in_range);
	tcase_add_test(tc, test_parse_floats_are_not_integers);
	tcase_add_test(tc, test_parse_diag_limit);
	tcase_add_test(tc, test_parse_limits);
	tcase_add_test(tc, test_parse_argv_limit);
	tcase_add_test(tc, test_parse_file_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("set");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_set_good);
	tcase_add_test(tc, test_set_conf_missing);
	tcase_add_test(tc, test_set_conf_errors);
	tcase_add_test(tc, test_set_conf_sync_timeout);
	tcase_add_test(tc, test_set_conf_watchdog);
	tcase_add_test(tc, test_duration_bounds_writable);
	tcase_add_test(tc, test_log_path_not_kernel);
	tcase_add_test(tc, test_set_conf_watchdog_encode);
	tcase_add_test(tc, test_set_conf_syntax);
	tcase_add_test(tc, test_set_unknown_dep);
	tcase_add_test(tc, test_set_cycle2);
	tcase_add_test(tc, test_set_cycle3);
	tcase_add_test(tc, test_set_slices);
	tcase_add_test(tc, test_set_shared_log_file);
	tcase_add_test(tc, test_set_shared_log_file_in_dev_shm);
	tcase_add_test(tc, test_set_bad_isolated);
	tcase_add_test(tc, test_set_no_dir);
	tcase_add_test(tc, test_order);
	suite_add_tcase(s, tc);

	/* UNIT_MAX + 1 files made and removed on a disk-backed /tmp: ~4 s of
	 * the kernel's time on a quiet machine, past 30 s beside a build
	 * (seen at a load of 11-14), longer under ASan */
	tc = tcase_create("set_scale");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_set_too_many);
	suite_add_tcase(s, tc);

	tc = tcase_create("cgroup");
	tcase_add_test(tc, test_cgroup_every_key);
	tcase_add_test(tc, test_cgroup_values);
	tcase_add_loop_test(tc, test_cgroup_error, 0, (int)ARRAY_SIZE(cgroup_error_cases));
	tcase_add_test(tc, test_cgroup_slices);
	suite_add_tcase(s, tc);

	tc = tcase_create("encode");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_encode_roundtrip);
	tcase_add_test(tc, test_decode_compact);
	tcase_add_test(tc, test_decode_block_shared_read_only);
	tcase_add_test(tc, test_unit_size);
	tcase_add_test(tc, test_decode_optional_shared);
	tcase_add_test(tc, test_encode_truncated);
	tcase_add_test(tc, test_encode_flips);
	tcase_add_test(tc, test_encode_invariants);
	tcase_add_test(tc, test_decode_crafted);
	tcase_add_test(tc, test_decode_budget_refuses);
	tcase_add_test(tc, test_refused_model_gives_its_heap_back);
	tcase_add_test(tc, test_decode_budget_margin);
	tcase_add_test(tc, test_encode_checked_refuses_over_budget);
	suite_add_tcase(s, tc);

	tc = tcase_create("compiled");
	tcase_add_test(tc, test_compiled_digest);
	tcase_add_test(tc, test_compiled_digest_long_files);
	tcase_add_test(tc, test_compiled_read);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(units_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

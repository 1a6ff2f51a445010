/* initd-loader — the unit files' reader, never PID 1 (initd/loader.h).
 *
 *   initd-loader --model CONF UNITS [INSTANCE...]
 *	parse and validate, write the encoded model to stdout (or a 4-byte
 *	-errno when nothing could be read); PID 1 reads it down a pipe.
 *   initd-loader --check CONF UNITS [--dump] [--root ROOT]
 *	what `initd --check` runs: diagnostics on stderr, exit codes as
 *	initd(8) documents them.
 *   initd-loader --compile CONF UNITS OUT [--root ROOT]
 *	what `initd --compile` runs: the boot's model, headed by the digest
 *	of its inputs, into OUT (units/compiled.c), for PID 1 to decode at
 *	boot without a loader. With ROOT (an image tree the paths lie in),
 *	the model names its files as that image's boot sees them.
 *
 *   initd-loader --reaper MAINPID
 *	PID 1 of a service's PID namespace (initd/reaper.h, loader/reaper.c).
 *   initd-loader --log-writer
 *	the persistent logs' writer, its socket on fd 3 (initd/logwriter.h,
 *	loader/logwriter.c).
 *	These two PID 1 execs from a sealed copy of this file, with "initd"
 *	as their argv[0]: the processes are initd's helpers.
 *   initd-loader --mount-helper ENTRY...
 *	initd.conf's mounts, reported down fd 3 (initd/mount_helper.h,
 *	loader/mount_helper.c); argv[0] "initd" too.
 *   initd-loader --metrics
 *	the units' cgroup files read for the metrics text, appended to fd 1
 *	(initd/metrics_helper.h, loader/metrics_helper.c); argv[0] "initd".
 *
 * Its own executable, not a fork of PID 1: PID 1 links no configuration
 * parser (libconfig, libseccomp's compiler), and the loader starts as a
 * small fresh process instead of a copy of PID 1 whose pages both then
 * fault on (issue 19). Nothing here is PID 1's to trust: it is a
 * separate process whose answer PID 1 decodes with a bounded decoder.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/utf8.h"
#include "common/util.h"
#include "initd/loader.h"
#include "initd/logwriter.h"
#include "initd/metrics_helper.h"
#include "initd/mount_helper.h"
#include "initd/reaper.h"
#include "units/unit.h"

#ifdef INITD_FAULT_INJECTION
/* Test builds: a units directory holding ".crash-loader" makes the loader
 * fault the way a bug in libconfig or the parser would (tests/vm/crash.sh). */
static void fault_if_asked(const char *units_dir)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/.crash-loader", units_dir);
	if (access(path, F_OK) == 0)
		raise(SIGSEGV);
}
#endif

static int run_model(const char *conf_path, const char *units_dir, char *const *extra)
{
	struct unit_set *set = NULL;
	void *buf = NULL;
	size_t len = 0;
	int r;

#ifdef INITD_FAULT_INJECTION
	fault_if_asked(units_dir);
#endif
	r = unit_set_load_with(conf_path, units_dir, extra, &set);
	if (r >= 0)
		r = unit_set_encode(set, &buf, &len);
	unit_set_free(set);
	if (r < 0) {
		int32_t err = r;   /* a 4-byte answer: "no model, this errno" */
		(void)!write_all(STDOUT_FILENO, &err, sizeof(err));
		return 1;
	}
	r = write_all(STDOUT_FILENO, buf, len);
	free(buf);
	return r < 0 ? 1 : 0;
}

/* head and body into out, through a temporary file beside it and a
 * rename: a boot finds the old model or the new one, never half of one. */
static int write_model(const char *out, const uint8_t *head, const void *buf, size_t len)
{
	char tmp[4096];
	int fd, r = 0;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.XXXXXX", out) >= sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fchmod(fd, 0644) < 0 || fsync(fd) < 0)
		r = -errno;
	if (r == 0 && (r = write_all(fd, head, UNIT_MODEL_HEADER)) == 0)
		r = write_all(fd, buf, len);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, out) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	return r;
}

/* initd --compile made every path begin with root (initd/main.c). */
static void unroot(char *path, const char *root, size_t n)
{
	if (path && strncmp(path, root, n) == 0 && path[n] == '/')
		memmove(path, path + n, strlen(path + n) + 1);
}

static void unroot_diags(struct unit_diags *d, const char *root, size_t n)
{
	for (size_t i = 0; i < d->n; i++)
		unroot(d->v[i].file, root, n);
}

/* The files were read under root: the model names them without it (the
 * digest never saw a path, only names and bytes). */
static void unroot_set(struct unit_set *s, const char *root)
{
	size_t n = strcmp(root, "/") == 0 ? 0 : strlen(root);

	unroot(s->conf.file, root, n);
	unroot_diags(&s->diags, root, n);
	unroot_diags(&s->warnings, root, n);
	for (size_t i = 0; i < s->n_units; i++) {
		unroot(s->units[i]->file, root, n);
		unroot_diags(&s->units[i]->diags, root, n);
	}
}

/* The set's model as PID 1 takes it (unit_set_encode_checked), into *buf
 * (the caller frees it), or -errno, said: a set the loader makes must
 * always pass; one that does not would be refused whole at boot, no unit
 * started, so --check and --compile say so rather than "OK" or a model. */
static int encode_as_pid1(const struct unit_set *set, void **buf, size_t *len)
{
	const char *why = NULL;
	int r = unit_set_encode_checked(set, buf, len, &why);

	if (r == -EFBIG)
		fprintf(stderr, "initd: %s, and it would start no unit: fewer or smaller units "
			"(exec arguments, environment)\n", why);
	else if (r == -ENOMEM)
		fprintf(stderr, "initd: %s\n", why);
	else if (r < 0)
		fprintf(stderr, "initd: internal error: PID 1 would refuse this configuration's model "
			"(%s: %s), and start no unit; please report it\n", why, strerror(-r));
	return r;
}

/* --compile: what a boot would load (no run-time instances), encoded. The
 * digest is taken before the parse: a file that changes in between leaves
 * a model no boot's digest matches, so that boot runs the loader. */
static int run_compile(const char *conf_path, const char *units_dir, const char *out,
		       const char *root)
{
	uint8_t head[UNIT_MODEL_HEADER];
	struct unit_set *set = NULL;
	void *buf = NULL;
	size_t len = 0, bad = 0;
	uint64_t digest;
	int r;

	r = unit_inputs_digest(conf_path, units_dir, root, &digest);
	if (r >= 0)
		r = unit_set_load(conf_path, units_dir, &set);
	if (r < 0) {
		fprintf(stderr, "initd: cannot read %s: %s\n", units_dir, strerror(-r));
		return CHECK_UNREADABLE;
	}
	for (size_t i = 0; i < set->n_units; i++)
		bad += set->units[i]->bad;
	if (root)
		unroot_set(set, root);
	/* A model PID 1 would refuse (its size, its decode's heap) is not
	 * written: the boot would start no unit from it. */
	r = encode_as_pid1(set, &buf, &len);
	if (r == 0) {
		unit_model_header(head, digest, buf, len);
		r = write_model(out, head, buf, len);
		if (r < 0)
			fprintf(stderr, "initd: cannot write %s: %s\n", out, strerror(-r));
	}
	free(buf);
	if (r < 0) {
		unit_set_free(set);
		return CHECK_UNREADABLE;
	}
	printf("compiled %zu units into %s", set->n_units, out);
	if (set->diags.n)
		printf(" (%zu bad, as at boot: initd --check says why)", bad);
	putchar('\n');
	unit_set_free(set);
	return CHECK_OK;
}

/* --dump: initd.conf, then each unit in name order, as units/dump.c writes
 * them, under a "# NAME.unit" header; a bad unit only gets its header (its
 * errors are on stderr). */
static void check_dump(const struct unit_set *set)
{
	printf("# initd.conf%s\n", set->conf.file ? "" : " (absent: the defaults)");
	initd_conf_dump(&set->conf, stdout);
	for (size_t i = 0; i < set->n_units; i++) {
		const struct unit *u = set->units[i];

		/* an instance's file is its template's (issue 15) */
		const char *base = strrchr(u->file, '/') ? strrchr(u->file, '/') + 1 : u->file;
		bool instance = strchr(u->name, '@') && strstr(base, "@.unit");

		if (u->bad) {
			printf("\n# %s%s: not shown, it has errors\n", u->name,
			       instance ? "" : ".unit");
			continue;
		}
		if (instance)
			printf("\n# %s: instance of %s\n", u->name, base);
		else
			printf("\n# %s.unit\n", u->name);
		unit_dump(u, stdout);
	}
	putchar('\n');
}

/* One diagnostic on one line: a file's name is any bytes but '/', and a
 * newline or an ESC in it must not forge a line or drive the terminal. */
static void print_clean(const char *text)
{
	static char clean[UNIT_STRING_MAX + 512];
	size_t n = strnlen(text, sizeof(clean) - 1);

	fprintf(stderr, "%.*s\n", (int)utf8_clean(clean, text, n, ""), clean);
}

static void check_print_diags(const struct unit_set *set)
{
	char line[UNIT_STRING_MAX + 512];

	for (size_t i = 0; i < set->diags.n; i++) {
		unit_diag_format(&set->diags.v[i], line, sizeof(line));
		print_clean(line);   /* "FILE: message" where no line applies */
	}
	/* Warnings go to stderr too but leave the exit code alone. */
	for (size_t i = 0; i < set->warnings.n; i++) {
		const struct unit_diag *w = &set->warnings.v[i];

		if (w->line > 0)
			snprintf(line, sizeof(line), "%s:%d: warning: %s", w->file, w->line,
				 w->message);
		else
			snprintf(line, sizeof(line), "%s: warning: %s", w->file, w->message);
		print_clean(line);
	}
}

/* What the boot would do with this set: encode it, and decode it as PID 1
 * does (with its invariants and heap budget). */
static int check_round_trip(const struct unit_set *set)
{
	void *buf = NULL;
	size_t len = 0;
	int r = encode_as_pid1(set, &buf, &len);

	free(buf);
	return r;
}

static int run_check(const char *conf_path, const char *units_dir, const char *root, bool dump)
{
	struct unit_set *set = NULL;
	int r = unit_set_load(conf_path, units_dir, &set);
	size_t bad = 0;

	if (r < 0) {
		fprintf(stderr, "initd: cannot read %s: %s\n", units_dir, strerror(-r));
		return CHECK_UNREADABLE;
	}
	if (root && (r = unit_set_check_root(set, root)) < 0) {
		fprintf(stderr, "initd: cannot check against %s: %s\n", root, strerror(-r));
		unit_set_free(set);
		return CHECK_UNREADABLE;
	}
	check_print_diags(set);
	for (size_t i = 0; i < set->n_units; i++)
		bad += set->units[i]->bad;
	if (dump)
		check_dump(set);
	r = set->diags.n ? CHECK_ERRORS : CHECK_OK;
	if (check_round_trip(set) < 0)
		r = CHECK_ERRORS;
	else if (set->diags.n == 0)
		printf("configuration OK (%zu units)\n", set->n_units);
	if (set->diags.n)
		fprintf(stderr, "%zu error(s), %zu of %zu units bad\n", set->diags.n, bad,
			set->n_units);
	unit_set_free(set);
	return r;
}

static int usage(void)
{
	fputs("Usage: initd-loader --model CONF UNITS [INSTANCE...]\n"
	      "       initd-loader --check CONF UNITS [--dump] [--root ROOT]\n"
	      "       initd-loader --compile CONF UNITS OUT [--root ROOT]\n"
	      "       initd-loader --reaper MAINPID | --log-writer | --mount-helper ENTRY...\n"
	      "       initd-loader --metrics\n"
	      "initd's unit-file reader and helpers: run by initd, not by hand\n"
	      "(initd(8): --check; FILES).\n",
	      stderr);
	return CHECK_USAGE;
}

int main(int argc, char **argv)
{
	const char *root = NULL;
	bool dump = false;

	/* The two long-lived helpers PID 1 execs from its sealed copy of this
	 * file: before anything else (the writer's socket is fd 3). */
	if (reaper_requested(argc, argv))
		reaper_main(argc, argv);
	if (logwriter_requested(argc, argv))
		logwriter_main();
	/* initd.conf's mounts (mount_helper.h): exec'd by PID 1's child. */
	if (mount_helper_requested(argc, argv))
		mount_helper_main(argc, argv);
	/* The metrics' cgroup reads (metrics_helper.h): its fds are 0-4. */
	if (metrics_helper_requested(argc, argv))
		metrics_helper_main();
	/* PID 1 execs it as /proc/self/fd/N: without this its name would be
	 * "N" in ps, the kernel's fault and OOM lines. */
	prctl(PR_SET_NAME, LOADER_EXE_NAME);
	/* Whatever fd an exec passed on by mistake is not ours to hold. */
	close_range(3, ~0U, 0);
	if (argc < 4)
		return usage();
	if (strcmp(argv[1], LOADER_MODEL_ARG) == 0)
		return run_model(argv[2], argv[3], argc > 4 ? argv + 4 : NULL);
	if (strcmp(argv[1], LOADER_COMPILE_ARG) == 0)
		return argc == 5 ? run_compile(argv[2], argv[3], argv[4], NULL) :
		       argc == 7 && strcmp(argv[5], "--root") == 0 ?
		       run_compile(argv[2], argv[3], argv[4], argv[6]) : usage();
	if (strcmp(argv[1], LOADER_CHECK_ARG) != 0)
		return usage();
	for (int i = 4; i < argc; i++) {
		if (strcmp(argv[i], "--dump") == 0)
			dump = true;
		else if (strcmp(argv[i], "--root") == 0 && i + 1 < argc)
			root = argv[++i];
		else
			return usage();
	}
	return run_check(argv[2], argv[3], root, dump);
}

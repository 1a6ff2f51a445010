/* initd-loader — the unit files' reader, never PID 1 (initd/loader.h).
 *
 *   initd-loader --model CONF UNITS [INSTANCE...]
 *	parse and validate, write the encoded model to stdout (or a 4-byte
 *	-errno when nothing could be read); PID 1 reads it down a pipe.
 *   initd-loader --check CONF UNITS [--dump] [--root ROOT]
 *	what `initd --check` runs: diagnostics on stderr, exit codes as
 *	initd(8) documents them.
 *
 * Its own executable, not a fork of PID 1: PID 1 links no configuration
 * parser (libconfig, libseccomp's compiler), and the loader starts as a
 * small fresh process instead of a copy of PID 1 whose pages both then
 * fault on (issue 19). Nothing here is PID 1's to trust: it is a
 * separate process whose answer PID 1 decodes with a bounded decoder.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "common/util.h"
#include "initd/loader.h"
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

static void check_print_diags(const struct unit_set *set)
{
	for (size_t i = 0; i < set->diags.n; i++) {
		char line[UNIT_STRING_MAX + 512];

		unit_diag_format(&set->diags.v[i], line, sizeof(line));
		fprintf(stderr, "%s\n", line);   /* "FILE: message" where no line applies */
	}
	/* Warnings go to stderr too but leave the exit code alone. */
	for (size_t i = 0; i < set->warnings.n; i++) {
		const struct unit_diag *w = &set->warnings.v[i];

		if (w->line > 0)
			fprintf(stderr, "%s:%d: warning: %s\n", w->file, w->line, w->message);
		else
			fprintf(stderr, "%s: warning: %s\n", w->file, w->message);
	}
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
	if (set->diags.n == 0)
		printf("configuration OK (%zu units)\n", set->n_units);
	else
		fprintf(stderr, "%zu error(s), %zu of %zu units bad\n", set->diags.n, bad,
			set->n_units);
	r = set->diags.n ? CHECK_ERRORS : CHECK_OK;
	unit_set_free(set);
	return r;
}

static int usage(void)
{
	fputs("Usage: initd-loader --model CONF UNITS [INSTANCE...]\n"
	      "       initd-loader --check CONF UNITS [--dump] [--root ROOT]\n"
	      "initd's unit-file reader: run by initd, not by hand (initd(8): --check).\n",
	      stderr);
	return CHECK_USAGE;
}

int main(int argc, char **argv)
{
	const char *root = NULL;
	bool dump = false;

	/* PID 1 execs it as /proc/self/fd/N: without this its name would be
	 * "N" in ps, the kernel's fault and OOM lines. */
	prctl(PR_SET_NAME, LOADER_EXE_NAME);
	/* Whatever fd an exec passed on by mistake is not ours to hold. */
	close_range(3, ~0U, 0);
	if (argc < 4)
		return usage();
	if (strcmp(argv[1], LOADER_MODEL_ARG) == 0)
		return run_model(argv[2], argv[3], argc > 4 ? argv + 4 : NULL);
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

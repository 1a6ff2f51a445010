/* logfiles.c — where a unit's persistent logs go (issue 14): its log file,
 * its post-mortem file beside it, their rotated names; and the set's check
 * that no two units write one file, whose lines would interleave and whose
 * rotations would move each other's files. PID 1 (initd/logwriter.c,
 * manager_postmortem.c) names the files with the same functions. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "units/internal.h"

int unit_log_path(const struct unit *u, const struct initd_conf *conf, char *buf, size_t size)
{
	int n;

	if (u->log_file)
		n = snprintf(buf, size, "%s", u->log_file);
	else if (conf->log_directory)
		n = snprintf(buf, size, "%s/%s.log", conf->log_directory, u->name);
	else
		return 0;
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : n;
}

bool log_path_is_kernel(const char *path)
{
	const char *p = path;
	size_t len;

	for (;;) {   /* past "/" and "." components: "//proc", "/./sys" */
		p += strspn(p, "/");
		if (p[0] != '.' || (p[1] != '/' && p[1] != '\0'))
			break;
		p++;
	}
	len = strcspn(p, "/");
	return (len == 4 && !strncmp(p, "proc", 4)) || (len == 3 && !strncmp(p, "sys", 3));
}

bool log_path_has_dotdot(const char *path)
{
	for (const char *p = path; *p; ) {
		size_t len = strcspn(p, "/");

		if (len == 2 && p[0] == '.' && p[1] == '.')
			return true;
		p += len;
		p += strspn(p, "/");
	}
	return false;
}

/* Whether a log file is a device (a serial line) is known only where it
 * runs: the log writer looks (none beside a character device), and so
 * does nothing here. The check, which reads no file (--check and
 * --compile run on a build host too), takes a log.file under /dev/ for
 * one that may be: units may share it and the post-mortem file beside
 * it (written only if it is no device). A log.directory's files are
 * NAME.log, which the writer makes: regular files, wherever the
 * directory is (/dev/shm). */
static bool log_file_may_be_device(const struct unit *u)
{
	return u->log_file && strncmp(u->log_file + strspn(u->log_file, "/"), "dev/", 4) == 0;
}

int unit_postmortem_path(char *buf, size_t size)
{
	static const char ext[] = ".postmortem";
	size_t n = strlen(buf);

	if (n > 4 && !strcmp(buf + n - 4, ".log"))
		n -= 4;
	if (n + sizeof(ext) > size)
		return -ENAMETOOLONG;
	memcpy(buf + n, ext, sizeof(ext));
	return (int)(n + sizeof(ext) - 1);
}

/* One file a unit writes: its log file or its post-mortem file. */
struct logfile {
	char *path;          /* as written to the diagnostic */
	char *key;           /* path with "//" and "/./" squeezed: compared */
	size_t unit;         /* index in the set */
	bool postmortem;
	bool shared_ok;      /* its unit's log.file may be a device (or this is
	                      * the post-mortem file beside it): units may
	                      * share it, as they share a serial line */
};

static int compare_key(const void *a, const void *b)
{
	return strcmp(((const struct logfile *)a)->key, ((const struct logfile *)b)->key);
}

/* By key, then by unit (the set's order): which of two units sharing a
 * file is told does not depend on qsort's. */
static int compare_file(const void *a, const void *b)
{
	const struct logfile *x = a, *y = b;
	int r = compare_key(a, b);

	return r ? r : x->unit < y->unit ? -1 : x->unit > y->unit;
}

/* p with its empty and "." components dropped: the file the kernel opens
 * for either spelling ("..", which a symlink changes, is kept). */
static char *path_squeeze(const char *p)
{
	char *out = malloc(strlen(p) + 1), *o = out;

	if (!out)
		return NULL;
	while (*p) {
		size_t len;

		p += strspn(p, "/");
		len = strcspn(p, "/");
		if (len == 0 || (len == 1 && p[0] == '.')) {
			p += len;
			continue;
		}
		*o++ = '/';
		memcpy(o, p, len);
		o += len;
		p += len;
	}
	*o = '\0';
	return out;
}

static int logfile_push(struct logfile *v, size_t *n, const char *path, size_t unit,
			bool postmortem, bool shared_ok)
{
	v[*n] = (struct logfile){ strdup(path), path_squeeze(path), unit, postmortem, shared_ok };
	if (!v[*n].path || !v[*n].key) {
		free(v[*n].path);
		free(v[*n].key);
		return -ENOMEM;
	}
	(*n)++;
	return 0;
}

/* Every unit's files into v (room for two a unit): its log file, and its
 * post-mortem file when it keeps post-mortems (postmortems = 0 writes
 * none). A log.file that may be a device (log_file_may_be_device) and the
 * file beside it may be shared by units that all name it so: a device is
 * written, never rotated, and units that share a serial line did so
 * before this check. */
static int logfiles_collect(const struct unit_set *s, struct logfile *v, size_t *n)
{
	char path[UNIT_LOG_PATH_MAX + 16];
	int r = 0;

	for (size_t i = 0; i < s->n_units && r >= 0; i++) {
		const struct unit *u = s->units[i];
		bool device = log_file_may_be_device(u);

		if (unit_log_path(u, &s->conf, path, sizeof(path)) <= 0)
			continue;   /* none, or too long: the parser's bounds say never */
		r = logfile_push(v, n, path, i, false, device);
		if (r == 0 && u->postmortems > 0 && unit_postmortem_path(path, sizeof(path)) > 0)
			r = logfile_push(v, n, path, i, true, device);
	}
	return r < 0 ? r : 0;
}

static unsigned unit_keep(const struct unit_set *s, size_t i)
{
	const struct unit *u = s->units[i];

	return u->log_keep_set ? u->log_keep : s->conf.log_keep;
}

static const char *logfile_kind(const struct logfile *f)
{
	return f->postmortem ? "post-mortem file" : "log file";
}

/* The check's state: the set, its lines, its files sorted by key, and the
 * units told already. */
struct logfiles {
	struct unit_set *s;
	const struct unit_lines *lines;
	struct logfile *v;
	size_t n;
	bool *said;
};

/* One diagnostic on the unit of file at, whose log.file named it: the
 * other unit's file is the same file, or (rotated) is rotated onto it.
 * One a unit: a log file two units share makes their post-mortem files
 * one as well. */
static int logfile_diag(struct logfiles *L, const struct logfile *at, bool rotated,
			const struct logfile *other)
{
	struct unit_set *s = L->s;
	const struct unit_lines *lines = L->lines;
	struct unit *u = s->units[at->unit];
	struct parse_ctx c = { .file = u->file, .diags = &u->diags };
	const char *name = s->units[other->unit]->name;
	char q[DIAG_QUOTE_SIZE];
	int r;

	if (L->said[at->unit])
		return 0;
	L->said[at->unit] = true;
	diag_quote(q, at->path);
	if (rotated)
		r = diag_add(&c, lines[at->unit].log_file,
			     "%s '%s' is where the %s of unit '%s' is rotated to", logfile_kind(at), q,
			     logfile_kind(other), name);
	else
		r = diag_add(&c, lines[at->unit].log_file, "%s '%s' is also the %s of unit '%s'",
			     logfile_kind(at), q, logfile_kind(other), name);
	u->bad |= c.failed;
	return r;
}

/* Files with one key, v[from..to): the one log.directory named, if any,
 * is theirs (no two of those meet: unit names differ); every other
 * unit's, which its log.file named, is reported. Units that all name a
 * log.file that may be a device (or the file beside it) share it. */
static int logfiles_report_same(struct logfiles *L, size_t from, size_t to)
{
	const struct logfile *v = L->v;
	size_t owner = from;
	bool shared_ok = true;
	int r = 0;

	for (size_t i = from; i < to; i++)
		shared_ok = shared_ok && v[i].shared_ok;
	if (shared_ok)
		return 0;
	for (size_t i = from; i < to; i++)
		if (!L->s->units[v[i].unit]->log_file)
			owner = i;
	for (size_t i = from; i < to && r == 0; i++)
		if (i != owner && v[i].unit != v[owner].unit)
			r = logfile_diag(L, &v[i], false, &v[owner]);
	return r;
}

/* f named FILE.N (N from 1 to 100) where FILE is another unit's file that
 * it keeps N rotations of: that unit's rotation would move its file onto
 * f. Only a log.file ends so (log.directory's end in .log). */
static int logfiles_report_rotated(struct logfiles *L, const struct logfile *f)
{
	const char *dot = strrchr(f->key, '.');
	struct logfile want, *hit;
	size_t len;
	char *end;
	unsigned long k;
	int r;

	if (!dot || dot[1] < '1' || dot[1] > '9' || strspn(dot + 1, "0123456789") != strlen(dot + 1))
		return 0;
	k = strtoul(dot + 1, &end, 10);
	len = (size_t)(dot - f->key);
	want.key = strndup(f->key, len);
	if (!want.key)
		return -ENOMEM;
	hit = bsearch(&want, L->v, L->n, sizeof(*L->v), compare_key);
	if (!hit) {
		free(want.key);
		return 0;
	}
	while (hit > L->v && compare_key(hit - 1, &want) == 0)
		hit--;   /* the first of that key: each is looked at */
	for (; hit < L->v + L->n && compare_key(hit, &want) == 0; hit++)
		/* one that may be a device is not rotated */
		if (hit->unit != f->unit && !hit->shared_ok && k <= unit_keep(L->s, hit->unit))
			break;
	r = hit < L->v + L->n && compare_key(hit, &want) == 0;
	free(want.key);
	return r ? logfile_diag(L, f, true, hit) : 0;
}

int logfiles_check_set(struct unit_set *s, const struct unit_lines *lines)
{
	struct logfiles L = { s, lines, calloc(2 * s->n_units + 1, sizeof(*L.v)), 0,
			      calloc(s->n_units + 1, sizeof(bool)) };
	int r = L.v && L.said ? logfiles_collect(s, L.v, &L.n) : -ENOMEM;

	if (r == 0 && L.n)
		qsort(L.v, L.n, sizeof(*L.v), compare_file);
	for (size_t i = 0, j; i < L.n && r == 0; i = j) {
		for (j = i + 1; j < L.n && !strcmp(L.v[i].key, L.v[j].key); j++)
			;
		if (j - i > 1)
			r = logfiles_report_same(&L, i, j);
	}
	for (size_t i = 0; i < L.n && r == 0; i++)
		if (s->units[L.v[i].unit]->log_file)
			r = logfiles_report_rotated(&L, &L.v[i]);
	for (size_t i = 0; i < L.n; i++) {
		free(L.v[i].path);
		free(L.v[i].key);
	}
	free(L.v);
	free(L.said);
	return r;
}

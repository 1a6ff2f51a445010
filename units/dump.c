/* dump.c — a parsed unit, or initd.conf, back into libconfig text: what
 * `initd --check --dump` and `svctl show` print.
 *
 * Every field of the model is written, in the order of the schema (the key
 * tables of parse.c and conf_parse.c), defaults included, so that an operator sees
 * the values in effect. A field the model keeps as "unset" (user, workdir,
 * hostname, ...) has no value that would parse back to "unset", so it is
 * written as a comment saying what applies instead. Cgroup limits are
 * written only when declared: an undeclared limit is not "max", it is no
 * limit written at all (and no controller needed).
 *
 * The contract, tested over every unit file in the tree and the fuzz
 * corpora: parsing the dump of a parsed unit gives a unit equal to it
 * (unit_equal; its file name and diagnostics aside). So values are written
 * the way the parser reads them: durations and sizes in their largest exact
 * unit ("100ms", "64M"), "max" where a limit is UNIT_UNLIMITED, integers
 * past 32 bits with libconfig's L suffix (without it libconfig 1.5 silently
 * wraps them), strings escaped for libconfig (\" \\ \n \t \r \f, other
 * control characters as \xNN; bytes from 0x80 on as they are). */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "units/internal.h"

#define DUMP_INDENT "  "

/* Where the text goes and how deep the current group is. */
struct dump {
	FILE *f;
	unsigned depth;
};

/* ---- values ---------------------------------------------------------------- */

static void dump_indent(struct dump *d)
{
	for (unsigned i = 0; i < d->depth; i++)
		fputs(DUMP_INDENT, d->f);
}

/* s as a libconfig string literal, quotes included. */
static void dump_string(struct dump *d, const char *s)
{
	fputc('"', d->f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':  fputs("\\\"", d->f); break;
		case '\\': fputs("\\\\", d->f); break;
		case '\n': fputs("\\n", d->f); break;
		case '\t': fputs("\\t", d->f); break;
		case '\r': fputs("\\r", d->f); break;
		case '\f': fputs("\\f", d->f); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(d->f, "\\x%02x", *p);
			else
				fputc(*p, d->f);
		}
	}
	fputc('"', d->f);
}

/* An integer; libconfig needs the L suffix past 32 bits. */
static void dump_int(struct dump *d, long long v)
{
	fprintf(d->f, "%lld%s", v, v > INT32_MAX || v < INT32_MIN ? "L" : "");
}

static void dump_bool(struct dump *d, bool v)
{
	fputs(v ? "true" : "false", d->f);
}

/* A NULL-terminated vector as [ "a", "b" ], or [ ] when empty. */
static void dump_strv(struct dump *d, char *const *v)
{
	fputc('[', d->f);
	for (size_t i = 0; v && v[i]; i++) {
		fputs(i ? ", " : " ", d->f);
		dump_string(d, v[i]);
	}
	fputs(" ]", d->f);
}

/* The largest unit that divides v exactly, from units[] (largest first);
 * "0" for 0. */
struct dump_unit {
	const char *suffix;
	uint64_t size;
};

static void dump_scaled(struct dump *d, uint64_t v, const struct dump_unit *units, size_t n)
{
	size_t i = 0;

	while (v && i + 1 < n && v % units[i].size != 0)
		i++;
	if (v == 0)
		fputs("\"0\"", d->f);
	else
		fprintf(d->f, "\"%llu%s\"", (unsigned long long)(v / units[i].size), units[i].suffix);
}

/* "100ms", "30s", "2min", "1h"; what parse_duration reads. */
static void dump_duration(struct dump *d, uint64_t usec)
{
	static const struct dump_unit units[] = {
		{ "h", 3600 * USEC_PER_SEC }, { "min", 60 * USEC_PER_SEC }, { "s", USEC_PER_SEC },
		{ "ms", USEC_PER_MSEC },
		{ "us", 1 },
	};

	dump_scaled(d, usec, units, ARRAY_SIZE(units));
}

/* "64M", "4096"; what parse_size reads. */
static void dump_size(struct dump *d, uint64_t bytes)
{
	static const struct dump_unit units[] = {
		{ "T", 1ULL << 40 }, { "G", 1ULL << 30 }, { "M", 1ULL << 20 }, { "K", 1ULL << 10 },
		{ "", 1 },
	};

	dump_scaled(d, bytes, units, ARRAY_SIZE(units));
}

/* A size, or "max". */
static void dump_size_or_max(struct dump *d, uint64_t v)
{
	if (v == UNIT_UNLIMITED)
		fputs("\"max\"", d->f);
	else
		dump_size(d, v);
}

/* An integer, or "max". */
static void dump_int_or_max(struct dump *d, uint64_t v)
{
	if (v == UNIT_UNLIMITED)
		fputs("\"max\"", d->f);
	else
		dump_int(d, (long long)v);
}

/* "TERM", "RTMIN+2", or the number. */
static void dump_signal(struct dump *d, int sig)
{
	const char *name = signal_to_string(sig);

	if (name)
		fprintf(d->f, "\"%s\"", name);
	else if (sig == SIGRTMIN)
		fputs("\"RTMIN\"", d->f);
	else if (sig > SIGRTMIN && sig <= SIGRTMAX)
		fprintf(d->f, "\"RTMIN+%d\"", sig - SIGRTMIN);
	else
		fprintf(d->f, "\"%d\"", sig);
}

/* ---- keys and groups ------------------------------------------------------------ */

/* "NAME = " at the current depth; the caller writes the value, then
 * key_end. Inside an inline group ({ a = 1; b = 2; }) use inline_key. */
static void key(struct dump *d, const char *name)
{
	dump_indent(d);
	fprintf(d->f, "%s = ", name);
}

static void key_end(struct dump *d)
{
	fputs(";\n", d->f);
}

static void inline_key(struct dump *d, const char *name)
{
	fprintf(d->f, " %s = ", name);
}

static void inline_end(struct dump *d)
{
	fputc(';', d->f);
}

/* A key the model holds as unset: a comment saying what applies. */
static void unset(struct dump *d, const char *name, const char *meaning)
{
	dump_indent(d);
	fprintf(d->f, "# %s: unset (%s)\n", name, meaning);
}

static void key_string(struct dump *d, const char *name, const char *v)
{
	key(d, name);
	dump_string(d, v);
	key_end(d);
}

/* A string key, or its "unset" comment when v is NULL. */
static void key_string_or_unset(struct dump *d, const char *name, const char *v,
				const char *meaning)
{
	if (v)
		key_string(d, name, v);
	else
		unset(d, name, meaning);
}

static void key_strv(struct dump *d, const char *name, char *const *v)
{
	key(d, name);
	dump_strv(d, v);
	key_end(d);
}

static void key_duration(struct dump *d, const char *name, uint64_t usec)
{
	key(d, name);
	dump_duration(d, usec);
	key_end(d);
}

static void key_bool(struct dump *d, const char *name, bool v)
{
	key(d, name);
	dump_bool(d, v);
	key_end(d);
}

static void group_begin(struct dump *d, const char *name)
{
	key(d, name);
	fputs("{\n", d->f);
	d->depth++;
}

static void group_end(struct dump *d)
{
	d->depth--;
	dump_indent(d);
	fputs("};\n", d->f);
}

/* NAME = ( elem, elem ); one element a line, each written by fn. */
static void key_list(struct dump *d, const char *name, size_t n,
		     void (*fn)(struct dump *d, size_t i, const void *data), const void *data)
{
	key(d, name);
	if (n == 0) {
		fputs("( )", d->f);
		key_end(d);
		return;
	}
	fputs("(\n", d->f);
	d->depth++;
	for (size_t i = 0; i < n; i++) {
		dump_indent(d);
		fn(d, i, data);
		fputs(i + 1 < n ? ",\n" : "\n", d->f);
	}
	d->depth--;
	dump_indent(d);
	fputs(")", d->f);
	key_end(d);
}

/* Names of the set bits of mask, as an array: [ "pid", "net" ]. */
static void dump_bit_names(struct dump *d, uint64_t mask, unsigned n,
			   const char *(*name)(unsigned bit))
{
	bool first = true;

	fputc('[', d->f);
	for (unsigned i = 0; i < n; i++) {
		if (!(mask & (1ULL << i)) || !name(i))
			continue;
		fprintf(d->f, "%s\"%s\"", first ? " " : ", ", name(i));
		first = false;
	}
	fputs(" ]", d->f);
}

/* ---- cgroup limits (a unit's cgroup group and a slice) ------------------------------ */

static bool has(const struct unit_limits *l, enum unit_limit bit)
{
	return l->declared & UNIT_LIMIT_BIT(bit);
}

/* cpu.max: "N%" when that is exact, else "QUOTA PERIOD", or "max". */
static void dump_cpu_max(struct dump *d, const struct unit_limits *l)
{
	uint64_t q = l->cpu_quota_usec, p = l->cpu_period_usec;
	uint64_t per_percent = UNIT_CPU_PERIOD_DEFAULT / 100;

	if (q == UNIT_UNLIMITED && p == UNIT_CPU_PERIOD_DEFAULT)
		fputs("\"max\"", d->f);
	else if (q == UNIT_UNLIMITED)
		fprintf(d->f, "\"max %llu\"", (unsigned long long)p);
	else if (p == UNIT_CPU_PERIOD_DEFAULT && q % per_percent == 0)
		fprintf(d->f, "\"%llu%%\"", (unsigned long long)(q / per_percent));
	else
		fprintf(d->f, "\"%llu %llu\"", (unsigned long long)q, (unsigned long long)p);
}

/* One io.max entry: the device and the rates that are not "max" (at least
 * one key, so an all-"max" entry says rbps = "max"). */
static void dump_io_entry(struct dump *d, size_t i, const void *data)
{
	const struct unit_io_limit *e = &((const struct unit_limits *)data)->io_max[i];

	fprintf(d->f, "{ device = \"%u:%u\";", e->major, e->minor);
	if (e->rbps != UNIT_UNLIMITED || (e->wbps == UNIT_UNLIMITED &&
	    e->riops == UNIT_UNLIMITED && e->wiops == UNIT_UNLIMITED)) {
		inline_key(d, "rbps");
		dump_size_or_max(d, e->rbps);
		inline_end(d);
	}
	if (e->wbps != UNIT_UNLIMITED) {
		inline_key(d, "wbps");
		dump_size(d, e->wbps);
		inline_end(d);
	}
	if (e->riops != UNIT_UNLIMITED) {
		inline_key(d, "riops");
		dump_int(d, (long long)e->riops);
		inline_end(d);
	}
	if (e->wiops != UNIT_UNLIMITED) {
		inline_key(d, "wiops");
		dump_int(d, (long long)e->wiops);
		inline_end(d);
	}
	fputs(" }", d->f);
}

/* Key i's value, by its kind. */
static void dump_limit_value(struct dump *d, const struct unit_limits *l, enum unit_limit i)
{
	const void *v = unit_limit_value(l, i);

	switch (unit_limit_table[i].kind) {
	case UNIT_LIMIT_KIND_SIZE:
		dump_size_or_max(d, *(const uint64_t *)v);
		break;
	case UNIT_LIMIT_KIND_COUNT:
		dump_int_or_max(d, *(const uint64_t *)v);
		break;
	case UNIT_LIMIT_KIND_WEIGHT:
	case UNIT_LIMIT_KIND_IO_WEIGHT:
		dump_int(d, *(const uint32_t *)v);
		break;
	case UNIT_LIMIT_KIND_BOOL:
		dump_bool(d, *(const bool *)v);
		break;
	case UNIT_LIMIT_KIND_DURATION:
		dump_duration(d, *(const uint64_t *)v);
		break;
	case UNIT_LIMIT_KIND_CPULIST:
		dump_string(d, *(char *const *)v);
		break;
	case UNIT_LIMIT_KIND_CPU_MAX:
		dump_cpu_max(d, l);
		break;
	case UNIT_LIMIT_KIND_IO_MAX:   /* a list: only in a block, dump_limit_group */
	case UNIT_LIMIT_KIND_MAX:
		break;
	}
}

/* The declared keys of the group that row `first` opens: inline
 * ("memory = { max = "64M"; };"), or as a block when one is a list. */
static void dump_limit_group(struct dump *d, const struct unit_limits *l, int first)
{
	const char *group = unit_limit_table[first].group;
	bool any = false, block = false;

	for (int i = first; i < UNIT_LIMIT_MAX; i++)
		if (strcmp(unit_limit_table[i].group, group) == 0 && has(l, i)) {
			any = true;
			block |= unit_limit_table[i].kind == UNIT_LIMIT_KIND_IO_MAX;
		}
	if (!any)
		return;
	if (block)
		group_begin(d, group);
	else {
		key(d, group);
		fputc('{', d->f);
	}
	for (int i = first; i < UNIT_LIMIT_MAX; i++) {
		if (strcmp(unit_limit_table[i].group, group) != 0 || !has(l, i))
			continue;
		if (unit_limit_table[i].kind == UNIT_LIMIT_KIND_IO_MAX) {
			key_list(d, unit_limit_table[i].key, l->n_io_max, dump_io_entry, l);
			continue;
		}
		(block ? key : inline_key)(d, unit_limit_table[i].key);
		dump_limit_value(d, l, i);
		(block ? key_end : inline_end)(d);
	}
	if (block)
		group_end(d);
	else {
		fputs(" }", d->f);
		key_end(d);
	}
}

/* The declared limits, a group (cpu, cpuset, memory, pids, io) a line, in
 * the order the table first names each group. */
static void dump_limits(struct dump *d, const struct unit_limits *l)
{
	for (int i = 0; i < UNIT_LIMIT_MAX; i++) {
		bool seen = false;
		for (int j = 0; j < i && !seen; j++)
			seen = strcmp(unit_limit_table[j].group, unit_limit_table[i].group) == 0;
		if (!seen)
			dump_limit_group(d, l, i);
	}
}

static const char *controller_name(unsigned bit)
{
	return unit_controller_to_string((enum unit_controller)bit);
}

static void dump_cgroup(struct dump *d, const struct unit_cgroup *cg,
			const struct unit_limits *limits)
{
	group_begin(d, "cgroup");
	key_string_or_unset(d, "slice", cg->slice, "system");
	dump_limits(d, limits);
	key(d, "subtree_control");
	dump_bit_names(d, cg->subtree_control, UNIT_CONTROLLER_MAX, controller_name);
	key_end(d);
	if (cg->subtree_control) {   /* they bound a delegated subtree only */
		key(d, "delegate_max_depth");
		fprintf(d->f, "%u", cg->delegate_max_depth);
		key_end(d);
		key(d, "delegate_max_descendants");
		fprintf(d->f, "%u", cg->delegate_max_descendants);
		key_end(d);
	}
	group_end(d);
}

/* ---- the unit's base keys ------------------------------------------------------------ */

static void dump_start_limit(struct dump *d, const struct unit *u)
{
	key(d, "start_limit");
	fputs("{ burst = ", d->f);
	dump_int(d, u->start_limit_burst);
	fputs("; interval = ", d->f);
	dump_duration(d, u->start_limit_interval_usec);
	fputs("; }", d->f);
	key_end(d);
}

static void dump_stop(struct dump *d, const struct unit *u)
{
	key(d, "stop");
	fputs("{ signal = ", d->f);
	dump_signal(d, u->stop_signal);
	fputs("; timeout = ", d->f);
	dump_duration(d, u->stop_timeout_usec);
	fputs("; }", d->f);
	key_end(d);
}

/* success_exit = ( 1, "TERM" ); statuses in order, then signals. */
static void dump_success_exit(struct dump *d, const struct unit *u)
{
	const struct unit_optional *o = u->opt;
	const char *sep = "( ";

	if (!(o->success_exit_codes[0] | o->success_exit_codes[1] | o->success_exit_codes[2] |
	      o->success_exit_codes[3] | o->success_exit_signals)) {
		unset(d, "success_exit", "exit status 0 only");
		return;
	}
	key(d, "success_exit");
	for (int v = 0; v < 256; v++)
		if (o->success_exit_codes[v / 64] & (1ULL << (v % 64))) {
			fprintf(d->f, "%s%d", sep, v);
			sep = ", ";
		}
	for (int sig = 1; sig <= 64; sig++)
		if (o->success_exit_signals & (1ULL << (sig - 1))) {
			fputs(sep, d->f);
			dump_signal(d, sig);
			sep = ", ";
		}
	fputs(" )", d->f);
	key_end(d);
}

/* directories = { runtime = [...]; ...; mode = "0755"; } (issue 15). */
static void dump_directories(struct dump *d, const struct unit_directories *dirs)
{
	group_begin(d, "directories");
	for (unsigned k = 0; k < UNIT_DIR_KIND_MAX; k++)
		key_strv(d, unit_dir_kind_name(k), dirs->names[k]);
	dump_indent(d);
	fprintf(d->f, "mode = \"%04o\";\n", dirs->mode & 07777);
	group_end(d);
}

/* environment = { KEY = "value"; ... }; from "KEY=value" entries. */
static void dump_environment(struct dump *d, char *const *env)
{
	if (!env || !env[0]) {
		key(d, "environment");
		fputs("{ }", d->f);
		key_end(d);
		return;
	}
	group_begin(d, "environment");
	for (size_t i = 0; env[i]; i++) {
		const char *eq = strchr(env[i], '=');
		size_t n = eq ? (size_t)(eq - env[i]) : strlen(env[i]);

		dump_indent(d);
		fprintf(d->f, "%.*s = ", (int)n, env[i]);
		dump_string(d, eq ? eq + 1 : "");
		key_end(d);
	}
	group_end(d);
}

static void dump_log(struct dump *d, const struct unit *u)
{
	key(d, "log");
	fputs("{ console = ", d->f);
	dump_bool(d, u->log_console);
	fputs("; kmsg = ", d->f);
	dump_bool(d, u->log_kmsg);
	fputc(';', d->f);
	/* Unset: initd.conf's log.directory and rotation apply. */
	if (u->log_file) {
		inline_key(d, "file");
		dump_string(d, u->log_file);
		inline_end(d);
	}
	if (u->log_max_size) {
		inline_key(d, "max_size");
		dump_size(d, u->log_max_size);
		inline_end(d);
	}
	if (u->log_keep_set) {
		inline_key(d, "keep");
		dump_int(d, u->log_keep);
		inline_end(d);
	}
	fputs(" }", d->f);
	key_end(d);
}

/* critical = true is on_failure "reboot" said shortly: only one is
 * written, so the text parses back (both set is an error). */
static void dump_failure(struct dump *d, const struct unit *u)
{
	if (u->critical)
		unset(d, "on_failure", "critical: \"reboot\"");
	else
		key_string(d, "on_failure", failure_action_to_string(u->on_failure) ?: "?");
	key_bool(d, "critical", u->critical);
	if (u->modes[0])
		key_strv(d, "modes", u->modes);
	else
		unset(d, "modes", "every mode");   /* "[ ]" is refused: none, or every? */
	key_bool(d, "autostart", u->autostart);
}

/* ready = { tcp = "..."; interval = "1s"; timeout = "2s"; } (issue 15). */
static void dump_probe(struct dump *d, const char *name, const struct unit_probe *p,
		       const char *meaning)
{
	if (p->kind == UNIT_PROBE_NONE) {
		unset(d, name, meaning);
		return;
	}
	group_begin(d, name);
	if (p->kind == UNIT_PROBE_EXEC)
		key_strv(d, "exec", p->exec);
	else
		key_string(d, unit_probe_kind_name(p->kind), p->target ?: "");
	key_duration(d, "interval", p->interval_usec);
	key_duration(d, "timeout", p->timeout_usec);
	if (p->failures) {
		key(d, "failures");
		dump_int(d, p->failures);
		key_end(d);
	}
	group_end(d);
}

static void dump_base(struct dump *d, const struct unit *u)
{
	key_string_or_unset(d, "description", u->description, "none");
	if (u->exec)
		key_strv(d, "exec", u->exec);
	else
		unset(d, "exec", "missing: the unit cannot start");
	key_string(d, "type", unit_type_to_string(u->type) ?: "?");
	key_strv(d, "requires", u->requires);
	key_strv(d, "after", u->after);
	key_string(d, "restart", unit_restart_to_string(u->restart) ?: "?");
	key_duration(d, "restart_delay", u->restart_delay_usec);
	key_duration(d, "restart_delay_max", u->restart_delay_max_usec);
	dump_start_limit(d, u);
	dump_stop(d, u);
	if (u->type == UNIT_SIMPLE && u->opt->ready.kind == UNIT_PROBE_NONE)
		unset(d, "start_timeout", "a simple unit is ready once executed");
	else
		key_duration(d, "start_timeout", u->start_timeout_usec);
	if (u->type == UNIT_FORKING)
		key_string_or_unset(d, "pidfile", u->pidfile, "the one process left in its leaf");
	dump_probe(d, "ready", &u->opt->ready, "ready as its type says");
	dump_probe(d, "health", &u->opt->health, "not checked");
	dump_success_exit(d, u);
	key_string_or_unset(d, "user", u->user, "root");
	key_string_or_unset(d, "group", u->group, "the user's group");
	dump_environment(d, u->environment);
	key_strv(d, "environment_files", u->environment_files);
	dump_directories(d, &u->opt->dirs);
	key_string_or_unset(d, "workdir", u->workdir, "\"/\"");
	dump_cgroup(d, &u->cgroup, &u->opt->limits);
	key_duration(d, "watchdog", u->watchdog_usec);
	dump_log(d, u);
	key(d, "postmortems");
	fprintf(d->f, "%u", u->postmortems);
	key_end(d);
	dump_failure(d, u);
}

/* ---- isolation ------------------------------------------------------------------------ */

static const char *namespace_name(unsigned bit)
{
	return bit < UNIT_NS_MAX ? unit_namespace_names[bit] : NULL;
}

static void dump_bind(struct dump *d, size_t i, const void *data)
{
	const struct unit_bind *b = &((const struct unit_isolation *)data)->binds[i];

	fputs("{ source = ", d->f);
	dump_string(d, b->source ?: "");
	fputs("; target = ", d->f);
	dump_string(d, b->target ?: "");
	fputs("; readonly = ", d->f);
	dump_bool(d, b->readonly);
	fputs("; }", d->f);
}

static void dump_rootfs(struct dump *d, const struct unit_isolation *iso)
{
	if (!unit_has_rootfs(iso)) {
		unset(d, "rootfs", "the host's /");
		return;
	}
	group_begin(d, "rootfs");
	if (iso->rootfs)
		key_string(d, "path", iso->rootfs);
	else
		unset(d, "path", "a fresh tmpfs");
	key_bool(d, "readonly", iso->rootfs_readonly);
	key_strv(d, "from_host", iso->from_host);
	key_list(d, "binds", iso->n_binds, dump_bind, iso);
	key_strv(d, "tmpfs", iso->tmpfs);
	group_end(d);
}

static const char *capability_name(unsigned bit)
{
	return unit_capability_name(bit);
}

/* Resources counted in bytes: their limits read best as sizes. */
static bool rlimit_is_bytes(int resource)
{
	switch (resource) {
	case RLIMIT_AS: case RLIMIT_CORE: case RLIMIT_DATA: case RLIMIT_FSIZE:
	case RLIMIT_MEMLOCK: case RLIMIT_MSGQUEUE: case RLIMIT_RSS: case RLIMIT_STACK:
		return true;
	default:
		return false;
	}
}

/* "infinity", a size ("8M") for a whole number of K of a byte resource, an
 * integer, or a decimal string past what libconfig's integers hold. */
static void dump_rlimit_value(struct dump *d, int resource, uint64_t v)
{
	if (v == UINT64_MAX)
		fputs("\"infinity\"", d->f);
	else if ((rlimit_is_bytes(resource) && v && v % 1024 == 0) || v > INT64_MAX)
		dump_size(d, v);
	else
		dump_int(d, (long long)v);
}

/* LIMIT when soft and hard agree, else ( SOFT, HARD ): a list, since the
 * two may be written differently ("infinity", 1024). */
static void dump_rlimit(struct dump *d, const struct unit_rlimit *rl)
{
	if (rl->soft == rl->hard) {
		dump_rlimit_value(d, rl->resource, rl->soft);
		return;
	}
	fputs("( ", d->f);
	dump_rlimit_value(d, rl->resource, rl->soft);
	fputs(", ", d->f);
	dump_rlimit_value(d, rl->resource, rl->hard);
	fputs(" )", d->f);
}

static void dump_rlimits(struct dump *d, const struct unit_rlimit *v, size_t n)
{
	if (n == 0) {
		key(d, "rlimits");
		fputs("{ }", d->f);
		key_end(d);
		return;
	}
	group_begin(d, "rlimits");
	for (size_t i = 0; i < n; i++) {
		const char *name = unit_rlimit_name(v[i].resource);

		if (!name)
			continue;
		key(d, name);
		dump_rlimit(d, &v[i]);
		key_end(d);
	}
	group_end(d);
}

/* A map as the model keeps it ("0 100000 65536\n" per range) in the unit
 * file's form: ranges separated by ", ". */
static void dump_id_map(struct dump *d, const char *map)
{
	size_t n = strlen(map);

	while (n && map[n - 1] == '\n')
		n--;
	fputc('"', d->f);
	for (size_t i = 0; i < n; i++)
		if (map[i] == '\n')
			fputs(", ", d->f);
		else
			fputc(map[i], d->f);
	fputc('"', d->f);
}

static void dump_user_namespace(struct dump *d, const struct unit_isolation *iso)
{
	if (!(iso->namespaces & UNIT_NS_BIT(UNIT_NS_USER)) || !iso->uid_map || !iso->gid_map) {
		unset(d, "user_namespace", "no user namespace");
		return;
	}
	if (iso->userns_auto) {
		/* The slot is said even when derived: the dump parses to the same. */
		key(d, "user_namespace");
		fprintf(d->f, "{ auto = true; size = %u; slot = %u; }", iso->userns_size,
			iso->userns_slot);
		key_end(d);
		dump_indent(d);
		fputs("# user_namespace: auto range uid_map = gid_map = ", d->f);
		dump_id_map(d, iso->uid_map);
		fputc('\n', d->f);
		return;
	}
	key(d, "user_namespace");
	fputs("{ uid_map = ", d->f);
	dump_id_map(d, iso->uid_map);
	fputs("; gid_map = ", d->f);
	dump_id_map(d, iso->gid_map);
	fputs("; }", d->f);
	key_end(d);
}

/* "; KEY = VALUE" when value is set. */
static void dump_opt(struct dump *d, const char *key, const char *value)
{
	if (!value)
		return;
	fprintf(d->f, "; %s = ", key);
	dump_string(d, value);
}

static void dump_routes(struct dump *d, const struct unit_isolation *iso)
{
	if (!iso->n_routes)
		return;
	fputs("; routes = (", d->f);
	for (size_t i = 0; i < iso->n_routes; i++) {
		fputs(i ? ", { to = " : " { to = ", d->f);
		dump_string(d, iso->routes[i].to);
		dump_opt(d, "via", iso->routes[i].via);
		fputs("; }", d->f);
	}
	fputs(" )", d->f);
}

static void dump_network(struct dump *d, const struct unit_isolation *iso)
{
	enum unit_link_kind kind = unit_link_kind(iso);

	if (kind == UNIT_LINK_NONE) {
		unset(d, "network", "no veth: lo only in a net namespace");
		return;
	}
	key(d, "network");
	if (kind == UNIT_LINK_MACVLAN) {
		fputs("{ macvlan = { interface = ", d->f);
		dump_string(d, iso->macvlan_interface);
		dump_opt(d, "mode", unit_macvlan_mode_name(iso->macvlan_mode));
	} else if (kind == UNIT_LINK_BRIDGE) {
		fputs("{ veth = { bridge = ", d->f);
		dump_string(d, iso->veth_bridge);
	} else {
		fputs("{ veth = { ", d->f);
		if (iso->veth_host_address) {
			fputs("host_address = ", d->f);
			dump_string(d, iso->veth_host_address);
		}
		if (iso->veth_host_address6) {
			fputs(iso->veth_host_address ? "; host_address6 = " : "host_address6 = ", d->f);
			dump_string(d, iso->veth_host_address6);
		}
	}
	dump_opt(d, "address", iso->veth_address);
	dump_opt(d, "gateway", iso->veth_gateway);
	dump_opt(d, "address6", iso->veth_address6);
	dump_opt(d, "gateway6", iso->veth_gateway6);
	dump_routes(d, iso);
	fputs("; }; }", d->f);
	key_end(d);
}

static void dump_namespaces_from(struct dump *d, const struct unit_isolation *iso)
{
	const char *sep = "{ ";

	for (int k = 0; k < UNIT_JOIN_MAX; k++) {
		if (!iso->join[k])
			continue;
		if (*sep == '{')
			key(d, "namespaces_from");
		fprintf(d->f, "%s%s = ", sep, unit_join_names[k]);
		dump_string(d, iso->join[k]);
		sep = "; ";
	}
	if (*sep == '{')
		return;   /* nothing said: most units join nothing */
	fputs("; }", d->f);
	key_end(d);
}

static void dump_isolation(struct dump *d, const struct unit_isolation *iso)
{
	key(d, "namespaces");
	dump_bit_names(d, iso->namespaces, UNIT_NS_MAX, namespace_name);
	key_end(d);
	key_string_or_unset(d, "hostname", iso->hostname, "inherited");
	dump_rootfs(d, iso);
	if (iso->has_capabilities) {
		key(d, "capabilities");
		dump_bit_names(d, iso->capabilities, UNIT_CAP_MAX, capability_name);
		key_end(d);
	} else {
		unset(d, "capabilities", "those of the user");
	}
	key_bool(d, "no_new_privs", iso->no_new_privs);
	/* Said only where it applies: the dump must parse again. */
	if (iso->namespaces & UNIT_NS_BIT(UNIT_NS_MOUNT))
		key_bool(d, "protect_proc", !iso->proc_unprotected);
	else
		unset(d, "protect_proc", "no mount namespace: the host's /proc");
	key_strv(d, "supplementary_groups", iso->supplementary_groups);
	dump_rlimits(d, iso->rlimits, iso->n_rlimits);
	dump_indent(d);
	fprintf(d->f, "umask = \"%04o\";\n", iso->umask & 0777);
	if (iso->has_oom_score_adj) {
		key(d, "oom_score_adj");
		dump_int(d, iso->oom_score_adj);
		key_end(d);
	} else {
		unset(d, "oom_score_adj", "inherited");
	}
	dump_user_namespace(d, iso);
	dump_network(d, iso);
	dump_namespaces_from(d, iso);
}

/* The key as declared: the compiled program depends on libseccomp and the
 * architecture, not on the unit. */
static void dump_seccomp(struct dump *d, const struct unit_seccomp *sc)
{
	const char *err = seccomp_errno_name(sc->errno_value);

	if (!sc->n_bpf) {
		unset(d, "seccomp", "no system call filter");
		return;
	}
	group_begin(d, "seccomp");
	key_string(d, "default", seccomp_default_names[sc->default_action]);
	if (sc->deny)
		key_strv(d, "deny", sc->deny);
	if (sc->allow)
		key_strv(d, "allow", sc->allow);
	if (err)
		key_string(d, "errno", err);
	group_end(d);
}

static int dump_finish(FILE *f)
{
	if (fflush(f) != 0 || ferror(f))
		return -EIO;
	return 0;
}

int unit_dump(const struct unit *u, FILE *f)
{
	struct dump d = { .f = f };

	dump_base(&d, u);
	dump_isolation(&d, &u->opt->iso);
	key_strv(&d, "requires_mounts", u->requires_mounts);
	dump_seccomp(&d, &u->opt->seccomp);
	return dump_finish(f);
}

/* ---- initd.conf --------------------------------------------------------------------- */

/* One slice: { path = "apps"; } or, with limits, a group over lines. */
static void dump_slice(struct dump *d, size_t i, const void *data)
{
	const struct unit_slice *s = &((const struct initd_conf *)data)->slices[i];

	if (!s->limits.declared) {
		fputs("{ path = ", d->f);
		dump_string(d, s->path);
		fputs("; }", d->f);
		return;
	}
	fputs("{\n", d->f);
	d->depth++;
	key_string(d, "path", s->path);
	dump_limits(d, &s->limits);
	d->depth--;
	dump_indent(d);
	fputc('}', d->f);
}

static void dump_bridge(struct dump *d, size_t i, const void *data)
{
	const struct unit_bridge *b = &((const struct initd_conf *)data)->bridges[i];

	fputs("{ name = ", d->f);
	dump_string(d, b->name ?: "");
	if (b->address) {
		fputs("; address = ", d->f);
		dump_string(d, b->address);
	}
	dump_opt(d, "address6", b->address6);
	fputs("; }", d->f);
}

/* One mount, every key written (a group over lines). */
static void dump_mount(struct dump *d, size_t i, const void *data)
{
	const struct unit_mount *m = &((const struct initd_conf *)data)->mounts[i];

	fputs("{\n", d->f);
	d->depth++;
	key_string(d, "what", m->what ?: "");
	key_string(d, "where", m->where ?: "");
	key_string(d, "type", m->type ?: "");
	key_string_or_unset(d, "options", m->options, "the type's defaults");
	key_bool(d, "fsck", m->fsck);
	key_string(d, "format", mount_format_to_string(m->format) ?: "?");
	key_bool(d, "required", m->required);
	key_duration(d, "timeout", m->timeout_usec);
	if (m->required)
		key_string(d, "on_failure", failure_action_to_string(m->on_failure) ?: "?");
	else
		unset(d, "on_failure", "an optional mount's failure is logged and skipped");
	d->depth--;
	dump_indent(d);
	fputc('}', d->f);
}

/* One group of instances (issue 15), on one line. */
static void dump_instances(struct dump *d, size_t i, const void *data)
{
	const struct unit_instances *g = &((const struct initd_conf *)data)->instances[i];

	fputs("{ template = ", d->f);
	dump_string(d, g->template ?: "");
	fputs("; names = ", d->f);
	dump_strv(d, g->names);
	fputs("; }", d->f);
}

static void dump_watchdog(struct dump *d, const struct unit_watchdog *w)
{
	if (!w->device) {
		unset(d, "watchdog", "no hardware watchdog");
		return;
	}
	group_begin(d, "watchdog");
	key_string(d, "device", w->device);
	key_duration(d, "timeout", w->timeout_usec);
	key_duration(d, "shutdown_timeout", w->shutdown_timeout_usec);
	group_end(d);
}

/* No directory: units without their own log.file have no file. */
static void dump_conf_log(struct dump *d, const struct initd_conf *c)
{
	key(d, "log");
	fputc('{', d->f);
	if (c->log_directory) {
		inline_key(d, "directory");
		dump_string(d, c->log_directory);
		inline_end(d);
	}
	inline_key(d, "max_size");
	dump_size(d, c->log_max_size);
	inline_end(d);
	inline_key(d, "keep");
	dump_int(d, c->log_keep);
	inline_end(d);
	fputs(" }", d->f);
	key_end(d);
}

int initd_conf_dump(const struct initd_conf *c, FILE *f)
{
	struct dump d = { .f = f };

	key_string_or_unset(&d, "hostname", c->hostname, "left as it is");
	key_string(&d, "crash_action", crash_action_to_string(c->crash_action) ?: "?");
	key_string_or_unset(&d, "control_group", c->control_group, "root only");
	key_strv(&d, "modules", c->modules);
	key_list(&d, "slices", c->n_slices, dump_slice, c);
	key_duration(&d, "shutdown_timeout", c->shutdown_timeout_usec);
	key_duration(&d, "sync_timeout", c->sync_timeout_usec);
	key(&d, "log_buffer");
	dump_size(&d, c->log_buffer_size);
	key_end(&d);
	dump_conf_log(&d, c);
	key_list(&d, "bridges", c->n_bridges, dump_bridge, c);
	key_bool(&d, "ip_forward", c->ip_forward);
	dump_rlimits(&d, c->rlimits, c->n_rlimits);
	key_list(&d, "mounts", c->n_mounts, dump_mount, c);
	dump_watchdog(&d, &c->watchdog);
	key_strv(&d, "sysctl", c->sysctl);
	if (c->boot_guard_file) {
		group_begin(&d, "boot_guard");
		key_string(&d, "file", c->boot_guard_file);
		key(&d, "max");
		dump_int(&d, c->boot_guard_max);
		key_end(&d);
		group_end(&d);
	} else {
		unset(&d, "boot_guard", "no reboot-loop guard");
	}
	key_list(&d, "instances", c->n_instances, dump_instances, c);
	key_string_or_unset(&d, "metrics_file", c->metrics_file, "no metrics file");
	if (c->metrics_interval_usec)
		key_duration(&d, "metrics_interval", c->metrics_interval_usec);
	else
		unset(&d, "metrics_interval", "rewritten on state events only");
	key_bool(&d, "default_accounting", c->default_accounting);
	return dump_finish(f);
}

/* probes_parse.c — a unit's ready and health probes (issue 15) parsed,
 * and their cross-key checks. The target syntax, validation of a decoded
 * model, equality and freeing are probes.c's. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "units/internal.h"

#define FAIL(c, s, ...) ({ int _r = diag_add((c), setting_line(s), __VA_ARGS__); \
			   _r < 0 ? _r : -EINVAL; })

/* ---- parsing ------------------------------------------------------------------ */

/* What the keys of one probe group fill in. */
struct probe_parse {
	struct unit_probe *p;
	int kinds;              /* tcp, http, exec given */
};

static int parse_probe_target(struct parse_ctx *c, config_setting_t *s, const char *path,
			      struct probe_parse *pp, enum unit_probe_kind kind)
{
	struct unit_probe_endpoint e;
	char q[DIAG_QUOTE_SIZE];
	const char *v;
	int r;

	pp->kinds++;
	r = setting_string(c, s, path, &v);
	if (r < 0)
		return r;
	pp->p->kind = kind;
	struct unit_probe t = { .kind = kind, .target = (char *)v };
	if (unit_probe_endpoint(&t, &e) < 0)
		return FAIL(c, s, kind == UNIT_PROBE_TCP ?
			    "'%s' must be ADDRESS:PORT, an IPv4 address or an IPv6 one in "
			    "brackets, port 1 to 65535 (got '%s')" :
			    "'%s' must be http://ADDRESS[:PORT][/PATH], an IP address, at most "
			    "255 bytes, no space in the path (got '%s')", path, diag_quote(q, v));
	return setting_strdup(c, s, path, &pp->p->target);
}

static int parse_probe_tcp(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	return parse_probe_target(c, s, path, obj, UNIT_PROBE_TCP);
}

static int parse_probe_http(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	return parse_probe_target(c, s, path, obj, UNIT_PROBE_HTTP);
}

static int parse_probe_exec(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	struct probe_parse *pp = obj;
	char q[DIAG_QUOTE_SIZE];
	int r;

	pp->kinds++;
	pp->p->kind = UNIT_PROBE_EXEC;
	r = setting_strv(c, s, path, UNIT_PROBE_ARGV_MAX, &pp->p->exec);
	if (r < 0)
		return r;
	if (!pp->p->exec[0])
		return FAIL(c, s, "'%s' must not be empty", path);
	if (pp->p->exec[0][0] != '/')
		return FAIL(c, config_setting_get_elem(s, 0),
			    "'%s[0]' must be an absolute path (got '%s')", path,
			    diag_quote(q, pp->p->exec[0]));
	return 0;
}

static int parse_probe_duration(struct parse_ctx *c, config_setting_t *s, const char *path,
				uint64_t min, uint64_t *ret)
{
	char q[DIAG_QUOTE_SIZE];
	uint64_t v;
	int r;

	r = setting_duration(c, s, path, &v);
	if (r < 0)
		return r;
	if (v < min || v > UNIT_PROBE_DURATION_MAX)
		return FAIL(c, s, "'%s' must be between %s and 1h (got '%s')", path,
			    min == UNIT_PROBE_INTERVAL_MIN ? "100ms" : "1ms",
			    diag_quote(q, config_setting_get_string(s) ?: "?"));
	*ret = v;
	return 0;
}

static int parse_probe_interval(struct parse_ctx *c, config_setting_t *s, const char *path,
				void *obj)
{
	return parse_probe_duration(c, s, path, UNIT_PROBE_INTERVAL_MIN,
				    &((struct probe_parse *)obj)->p->interval_usec);
}

static int parse_probe_timeout(struct parse_ctx *c, config_setting_t *s, const char *path,
			       void *obj)
{
	return parse_probe_duration(c, s, path, 1000,
				    &((struct probe_parse *)obj)->p->timeout_usec);
}

static int parse_probe_failures(struct parse_ctx *c, config_setting_t *s, const char *path,
				void *obj)
{
	long long v;
	int r = setting_int_range(c, s, path, 1, UNIT_PROBE_FAILURES_MAX, &v);

	if (r == 0)
		((struct probe_parse *)obj)->p->failures = (unsigned)v;
	return r;
}

static const struct key ready_keys[] = {
	{ "tcp", parse_probe_tcp },
	{ "http", parse_probe_http },
	{ "exec", parse_probe_exec },
	{ "interval", parse_probe_interval },
	{ "timeout", parse_probe_timeout },
};

static const struct key health_keys[] = {
	{ "tcp", parse_probe_tcp },
	{ "http", parse_probe_http },
	{ "exec", parse_probe_exec },
	{ "interval", parse_probe_interval },
	{ "timeout", parse_probe_timeout },
	{ "failures", parse_probe_failures },
};

/* One probe group: exactly one of tcp, http, exec. */
static int parse_probe(struct parse_ctx *c, config_setting_t *s, const char *path,
		       struct unit_probe *p, const struct key *keys, size_t n_keys)
{
	struct probe_parse pp = { .p = p };
	int r;

	r = setting_group(c, s, path, keys, n_keys, &pp);
	if (r < 0)
		return r;
	if (pp.kinds != 1) {
		p->kind = UNIT_PROBE_NONE;
		return FAIL(c, s, "'%s' needs exactly one of 'tcp', 'http' and 'exec'", path);
	}
	return 0;
}

int parse_ready(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	parse_state_lines(obj)->ready = setting_line(s);
	return parse_probe(c, s, path, &unit_opt_own(parse_state_unit(obj))->ready, ready_keys,
			   ARRAY_SIZE(ready_keys));
}

int parse_health(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj)
{
	parse_state_lines(obj)->health = setting_line(s);
	return parse_probe(c, s, path, &unit_opt_own(parse_state_unit(obj))->health, health_keys,
			   ARRAY_SIZE(health_keys));
}

/* A oneshot unit is ready once it exited 0 and runs no process to check. */
int probes_check(struct parse_ctx *c, const struct unit *u, const struct unit_lines *l)
{
	if (u->type != UNIT_ONESHOT)
		return 0;
	if (l->ready)
		return diag_add(c, l->ready, "'ready' does not apply to oneshot units "
				"(they are ready once they exited 0)");
	if (l->health)
		return diag_add(c, l->health, "'health' does not apply to oneshot units "
				"(no process is left to check)");
	return 0;
}

/* probes.c — a unit's ready and health probes (issue 15): parsing, the
 * target syntax, cross-key checks, validation of a decoded model,
 * equality, freeing. The probes run in initd/probe.c, never here. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "units/internal.h"

#define FAIL(c, s, ...) ({ int _r = diag_add((c), setting_line(s), __VA_ARGS__); \
			   _r < 0 ? _r : -EINVAL; })

static const char *const kind_names[UNIT_PROBE_KIND_MAX] = {
	[UNIT_PROBE_NONE] = "none",
	[UNIT_PROBE_TCP] = "tcp",
	[UNIT_PROBE_HTTP] = "http",
	[UNIT_PROBE_EXEC] = "exec",
};

const char *unit_probe_kind_name(enum unit_probe_kind k)
{
	return (unsigned)k < UNIT_PROBE_KIND_MAX ? kind_names[k] : NULL;
}

/* ---- targets ---------------------------------------------------------------- */

/* "A.B.C.D:PORT" or "[V6]:PORT" (len bytes of s), port 1..65535. */
static int parse_hostport(const char *s, size_t len, bool port_optional,
			  struct unit_probe_endpoint *e)
{
	char host[INET6_ADDRSTRLEN];
	const char *colon, *hs = s, *he;
	uint64_t port = 80;

	if (len > 0 && s[0] == '[') {
		he = memchr(s, ']', len);
		if (!he)
			return -EINVAL;
		hs = s + 1;
		colon = he + 1 < s + len ? he + 1 : NULL;
		if (colon && *colon != ':')
			return -EINVAL;
		e->family = AF_INET6;
	} else {
		colon = memchr(s, ':', len);
		he = colon ? colon : s + len;
		e->family = AF_INET;
	}
	if (he - hs <= 0 || (size_t)(he - hs) >= sizeof(host))
		return -EINVAL;
	memcpy(host, hs, (size_t)(he - hs));
	host[he - hs] = '\0';
	if (inet_pton(e->family, host, e->addr) != 1)
		return -EINVAL;
	if (colon) {
		const char *p = colon + 1;

		if (p == s + len || parse_digits(&p, &port) < 0 || p != s + len ||
		    port < 1 || port > 65535)
			return -EINVAL;
	} else if (!port_optional)
		return -EINVAL;
	e->port = (uint16_t)port;
	if (len >= sizeof(e->host))
		return -EINVAL;
	memcpy(e->host, s, len);
	e->host[len] = '\0';
	return 0;
}

/* "http://HOST[:PORT][/PATH]": a path of printable ASCII without spaces. */
static int parse_url(const char *url, struct unit_probe_endpoint *e)
{
	static const char scheme[] = "http://";
	const char *hp = url + sizeof(scheme) - 1, *path;

	if (strncmp(url, scheme, sizeof(scheme) - 1) != 0)
		return -EINVAL;
	path = hp + strcspn(hp, "/");
	if (parse_hostport(hp, (size_t)(path - hp), true, e) < 0)
		return -EINVAL;
	snprintf(e->path, sizeof(e->path), "%s", *path ? path : "/");
	for (const char *p = e->path; *p; p++)
		if (*p <= ' ' || *p >= 0x7f)
			return -EINVAL;
	return 0;
}

int unit_probe_endpoint(const struct unit_probe *p, struct unit_probe_endpoint *ret)
{
	struct unit_probe_endpoint e = { .family = 0 };
	int r = -EINVAL;

	if (!p->target || strlen(p->target) >= UNIT_PROBE_TARGET_MAX)
		return -EINVAL;
	if (p->kind == UNIT_PROBE_TCP)
		r = parse_hostport(p->target, strlen(p->target), false, &e);
	else if (p->kind == UNIT_PROBE_HTTP)
		r = parse_url(p->target, &e);
	if (r == 0)
		*ret = e;
	return r;
}

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

/* Defaults into a new unit (a probe counts only once its kind is set). */
void probes_init(struct unit_optional *o)
{
	o->ready = (struct unit_probe){ .interval_usec = UNIT_READY_INTERVAL_DEFAULT,
					.timeout_usec = UNIT_PROBE_TIMEOUT_DEFAULT };
	o->health = (struct unit_probe){ .interval_usec = UNIT_HEALTH_INTERVAL_DEFAULT,
					 .timeout_usec = UNIT_PROBE_TIMEOUT_DEFAULT,
					 .failures = UNIT_HEALTH_FAILURES_DEFAULT };
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

/* ---- the model ------------------------------------------------------------------ */

void unit_probe_clear(struct unit_probe *p)
{
	free(p->target);
	strv_free(p->exec);
	p->target = NULL;
	p->exec = NULL;
}

bool unit_probe_equal(const struct unit_probe *a, const struct unit_probe *b)
{
	return a->kind == b->kind && streq_ptr(a->target, b->target) &&
	       strv_equal(a->exec, b->exec) && a->interval_usec == b->interval_usec &&
	       a->timeout_usec == b->timeout_usec && a->failures == b->failures;
}

/* What a decoded probe must hold: a kind with its target or argv, bounds. */
bool probes_valid(const struct unit_probe *p)
{
	struct unit_probe_endpoint e;

	switch (p->kind) {
	case UNIT_PROBE_NONE:
		return !p->target && !p->exec;
	case UNIT_PROBE_TCP:
	case UNIT_PROBE_HTTP:
		if (p->exec || unit_probe_endpoint(p, &e) < 0)
			return false;
		break;
	case UNIT_PROBE_EXEC:
		if (p->target || !p->exec || !p->exec[0] || p->exec[0][0] != '/' ||
		    strv_length(p->exec) > UNIT_PROBE_ARGV_MAX)
			return false;
		break;
	default:
		return false;
	}
	return p->interval_usec >= UNIT_PROBE_INTERVAL_MIN &&
	       p->interval_usec <= UNIT_PROBE_DURATION_MAX && p->timeout_usec >= 1000 &&
	       p->timeout_usec <= UNIT_PROBE_DURATION_MAX &&
	       p->failures <= UNIT_PROBE_FAILURES_MAX;
}

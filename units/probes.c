/* probes.c — a unit's ready and health probes (issue 15): the target
 * syntax, defaults, validation of a decoded model, equality, freeing. The
 * keys are parsed in probes_parse.c; the probes run in initd/probe.c,
 * never here. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "units/internal.h"

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

/* Defaults into a new unit (a probe counts only once its kind is set). */
void probes_init(struct unit_optional *o)
{
	o->ready = (struct unit_probe){ .interval_usec = UNIT_READY_INTERVAL_DEFAULT,
					.timeout_usec = UNIT_PROBE_TIMEOUT_DEFAULT };
	o->health = (struct unit_probe){ .interval_usec = UNIT_HEALTH_INTERVAL_DEFAULT,
					 .timeout_usec = UNIT_PROBE_TIMEOUT_DEFAULT,
					 .failures = UNIT_HEALTH_FAILURES_DEFAULT };
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

/* value_parse.c — the scalar syntaxes of unit files and initd.conf read:
 * durations, sizes, signals. Pure functions, no allocation. The names
 * (enum strings, signal names) and the name syntaxes are value.c's. */
#include <ctype.h>
#include <signal.h>
#include <string.h>

#include "units/internal.h"

static const struct {
	const char *suffix;
	uint64_t usec;
} duration_units[] = {
	{ "h", 3600 * USEC_PER_SEC },
	{ "min", 60 * USEC_PER_SEC },   /* before "ms": both start with 'm' */
	{ "ms", USEC_PER_MSEC },
	{ "us", 1 },
	{ "s", USEC_PER_SEC },
};

/* The fraction ".DDD" at *p in units of mult, truncated to whole usec. Only
 * the first 9 digits count. */
static uint64_t parse_fraction(const char **p, uint64_t mult)
{
	const char *s = *p + 1;
	uint64_t num = 0, den = 1;

	for (; isdigit((unsigned char)*s); s++) {
		if (den < 1000000000ULL) {
			num = num * 10 + (uint64_t)(*s - '0');
			den *= 10;
		}
	}
	*p = s;
	return num * mult / den;
}

/* One "NUMBER[.FRACTION]UNIT" component at *p. */
static int parse_duration_part(const char **p, uint64_t *ret)
{
	uint64_t v, frac = 0;
	const char *s = *p, *f = NULL;
	int r;

	r = parse_digits(&s, &v);
	if (r < 0)
		return r;
	if (*s == '.') {
		if (!isdigit((unsigned char)s[1]))
			return -EINVAL;
		f = s;
		while (isdigit((unsigned char)*++s))
			;
	}
	for (size_t i = 0; i < ARRAY_SIZE(duration_units); i++) {
		size_t n = strlen(duration_units[i].suffix);
		uint64_t mult = duration_units[i].usec;
		if (strncmp(s, duration_units[i].suffix, n) != 0)
			continue;
		if (f)
			frac = parse_fraction(&f, mult);
		if (v > (UINT64_MAX - frac) / mult)
			return -ERANGE;
		*ret = v * mult + frac;
		*p = s + n;
		return 0;
	}
	return -EINVAL;
}

int parse_duration(const char *s, uint64_t *ret_usec)
{
	uint64_t total = 0;

	if (strcmp(s, "0") == 0) {
		*ret_usec = 0;
		return 0;
	}
	if (!*s)
		return -EINVAL;
	while (*s) {
		uint64_t v;
		int r = parse_duration_part(&s, &v);
		if (r < 0)
			return r;
		if (v > UNIT_DURATION_MAX - total)
			return -ERANGE;
		total += v;
		if (*s == ' ' && *++s == '\0')
			return -EINVAL;
	}
	*ret_usec = total;
	return 0;
}

int parse_size(const char *s, uint64_t *ret_bytes)
{
	static const char suffixes[] = "KMGT";
	uint64_t v;
	const char *p = s, *suffix;
	int r;

	r = parse_digits(&p, &v);
	if (r < 0)
		return r;
	if (*p) {
		suffix = strchr(suffixes, *p);
		if (!suffix || p[1])
			return -EINVAL;
		for (int i = 0; i <= suffix - suffixes; i++) {
			if (v > UINT64_MAX / 1024)
				return -ERANGE;
			v *= 1024;
		}
	}
	*ret_bytes = v;
	return 0;
}

/* A strict small decimal: no sign, no leading zero, at most 3 digits. */
static int parse_small(const char *s, int *ret)
{
	size_t n = strspn(s, "0123456789");

	if (n == 0 || n > 3 || s[n] || (s[0] == '0' && n > 1))
		return -EINVAL;
	*ret = atoi(s);
	return 0;
}

/* "RTMIN", "RTMIN+N", "RTMAX", "RTMAX-N". */
static int parse_rt_signal(const char *s, int *ret)
{
	int base, off = 0, sig;

	if (strncmp(s, "RTMIN", 5) == 0)
		base = SIGRTMIN;
	else if (strncmp(s, "RTMAX", 5) == 0)
		base = SIGRTMAX;
	else
		return -EINVAL;
	s += 5;
	if (*s) {
		if (*s != (base == SIGRTMIN ? '+' : '-') || parse_small(s + 1, &off) < 0)
			return -EINVAL;
	}
	sig = base == SIGRTMIN ? base + off : base - off;
	if (sig < SIGRTMIN || sig > SIGRTMAX)
		return -EINVAL;
	*ret = sig;
	return 0;
}

int parse_signal(const char *s, int *ret_sig)
{
	int sig;

	if (isdigit((unsigned char)*s)) {
		if (parse_small(s, &sig) < 0 || sig < 1 || sig >= _NSIG)
			return -EINVAL;
		*ret_sig = sig;
		return 0;
	}
	if (strncmp(s, "SIG", 3) == 0)
		s += 3;
	if (signal_from_name(s, ret_sig) == 0)
		return 0;
	return parse_rt_signal(s, ret_sig);
}

/* The signal name closest to s (uppercased, "SIG" dropped), for hints. */
const char *signal_hint(const char *s)
{
	size_t n;
	const char *const *names = signal_name_list(&n);
	char up[32];
	size_t i;

	for (i = 0; i < sizeof(up) - 1 && s[i]; i++)
		up[i] = (char)toupper((unsigned char)s[i]);
	up[i] = '\0';
	s = strncmp(up, "SIG", 3) == 0 ? up + 3 : up;
	for (i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return names[i];
	return hint_closest(s, names, n);
}

/* value.c — the scalar syntaxes of unit files and initd.conf: durations,
 * sizes, signals, names and enum strings. Pure functions, no allocation. */
#include <ctype.h>
#include <signal.h>
#include <string.h>

#include "units/internal.h"

const char *const unit_type_names[UNIT_TYPE_MAX] = {
	[UNIT_SIMPLE] = "simple",
	[UNIT_NOTIFY] = "notify",
	[UNIT_ONESHOT] = "oneshot",
	[UNIT_FORKING] = "forking",
};

const char *const unit_restart_names[UNIT_RESTART_MAX] = {
	[UNIT_RESTART_NO] = "no",
	[UNIT_RESTART_ON_FAILURE] = "on-failure",
	[UNIT_RESTART_ALWAYS] = "always",
};

const char *const crash_action_names[CRASH_ACTION_MAX] = {
	[CRASH_FREEZE] = "freeze",
	[CRASH_SHELL] = "shell",
	[CRASH_REBOOT] = "reboot",
	[CRASH_POWEROFF] = "poweroff",
};

const char *const failure_action_names[FAILURE_ACTION_MAX] = {
	[FAILURE_NONE] = "none",
	[FAILURE_REBOOT] = "reboot",
	[FAILURE_POWEROFF] = "poweroff",
	[FAILURE_RESCUE] = "rescue",
};

const char *unit_type_to_string(enum unit_type t)
{
	return (unsigned)t < UNIT_TYPE_MAX ? unit_type_names[t] : NULL;
}

const char *unit_restart_to_string(enum unit_restart r)
{
	return (unsigned)r < UNIT_RESTART_MAX ? unit_restart_names[r] : NULL;
}

const char *crash_action_to_string(enum crash_action a)
{
	return (unsigned)a < CRASH_ACTION_MAX ? crash_action_names[a] : NULL;
}

const char *failure_action_to_string(enum failure_action a)
{
	return (unsigned)a < FAILURE_ACTION_MAX ? failure_action_names[a] : NULL;
}

int parse_digits(const char **p, uint64_t *ret)
{
	const char *s = *p;
	uint64_t v = 0;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	for (; isdigit((unsigned char)*s); s++) {
		unsigned d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*p = s;
	*ret = v;
	return 0;
}

static const struct {
	const char *suffix;
	uint64_t usec;
} duration_units[] = {
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
		if (v > UINT64_MAX - total)
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

static const struct {
	int sig;
	const char *name;
} signal_names[] = {
	{ SIGHUP, "HUP" }, { SIGINT, "INT" }, { SIGQUIT, "QUIT" }, { SIGILL, "ILL" },
	{ SIGTRAP, "TRAP" }, { SIGABRT, "ABRT" }, { SIGBUS, "BUS" }, { SIGFPE, "FPE" },
	{ SIGKILL, "KILL" }, { SIGUSR1, "USR1" }, { SIGSEGV, "SEGV" }, { SIGUSR2, "USR2" },
	{ SIGPIPE, "PIPE" }, { SIGALRM, "ALRM" }, { SIGTERM, "TERM" },
#ifdef SIGSTKFLT
	{ SIGSTKFLT, "STKFLT" },
#endif
	{ SIGCHLD, "CHLD" }, { SIGCONT, "CONT" }, { SIGSTOP, "STOP" }, { SIGTSTP, "TSTP" },
	{ SIGTTIN, "TTIN" }, { SIGTTOU, "TTOU" }, { SIGURG, "URG" }, { SIGXCPU, "XCPU" },
	{ SIGXFSZ, "XFSZ" }, { SIGVTALRM, "VTALRM" }, { SIGPROF, "PROF" },
	{ SIGWINCH, "WINCH" }, { SIGIO, "IO" },
#ifdef SIGPWR
	{ SIGPWR, "PWR" },
#endif
	{ SIGSYS, "SYS" },
};

const char *signal_to_string(int sig)
{
	for (size_t i = 0; i < ARRAY_SIZE(signal_names); i++)
		if (signal_names[i].sig == sig)
			return signal_names[i].name;
	return NULL;
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
	for (size_t i = 0; i < ARRAY_SIZE(signal_names); i++) {
		if (strcmp(s, signal_names[i].name) == 0) {
			*ret_sig = signal_names[i].sig;
			return 0;
		}
	}
	return parse_rt_signal(s, ret_sig);
}

/* The signal name closest to s (uppercased, "SIG" dropped), for hints. */
const char *signal_hint(const char *s)
{
	const char *names[ARRAY_SIZE(signal_names)];
	char up[32];
	size_t i;

	for (i = 0; i < sizeof(up) - 1 && s[i]; i++)
		up[i] = (char)toupper((unsigned char)s[i]);
	up[i] = '\0';
	for (i = 0; i < ARRAY_SIZE(signal_names); i++)
		names[i] = signal_names[i].name;
	s = strncmp(up, "SIG", 3) == 0 ? up + 3 : up;
	for (i = 0; i < ARRAY_SIZE(signal_names); i++)
		if (strcmp(s, names[i]) == 0)
			return names[i];
	return hint_closest(s, names, ARRAY_SIZE(names));
}

/* Every byte of s is in the set, s is 1..max bytes. */
static bool chars_valid(const char *s, const char *set, size_t max)
{
	size_t n = strlen(s);

	return n > 0 && n <= max && strspn(s, set) == n;
}

#define ALNUM "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

static bool plain_name_valid(const char *name)
{
	return chars_valid(name, ALNUM "_.-", UNIT_NAME_MAX) && name[0] != '.' && name[0] != '-';
}

/* A plain name, or TEMPLATE@INSTANCE (template.c's rules), within
 * UNIT_NAME_MAX in all. */
bool unit_name_valid(const char *name)
{
	char template[UNIT_NAME_MAX + 1];
	const char *inst;

	if (!strchr(name, '@'))
		return plain_name_valid(name);
	return strlen(name) <= UNIT_NAME_MAX && unit_name_split(name, template, &inst) == 0 &&
	       unit_instance_valid(inst);
}

bool unit_pidfile_valid(const char *path)
{
	size_t prefix = strlen(UNIT_PIDFILE_DIR);
	const char *p;

	if (!path || strlen(path) >= UNIT_PIDFILE_MAX ||
	    strncmp(path, UNIT_PIDFILE_DIR, prefix) != 0)
		return false;
	for (p = path + prefix;; p++) {
		size_t n = strcspn(p, "/");

		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		p += n;
		if (!*p)
			return true;
	}
}

bool unit_slice_path_valid(const char *path)
{
	char comp[UNIT_NAME_MAX + 1];
	unsigned depth = 0;

	for (const char *p = path;; p++) {
		size_t n = strcspn(p, "/");
		if (n == 0 || n > UNIT_NAME_MAX || ++depth > UNIT_SLICE_DEPTH)
			return false;
		memcpy(comp, p, n);
		comp[n] = '\0';
		if (!unit_name_valid(comp))
			return false;
		p += n;
		if (!*p)
			return true;
	}
}

/* RFC 1123: dot-separated labels of [A-Za-z0-9-], 1..63 bytes, no '-' at
 * either end; at most 64 bytes in all (HOST_NAME_MAX). */
bool hostname_valid(const char *s)
{
	if (!chars_valid(s, ALNUM "-.", 64))
		return false;
	for (const char *p = s;; p++) {
		size_t n = strcspn(p, ".");
		if (n == 0 || n > 63 || p[0] == '-' || p[n - 1] == '-')
			return false;
		p += n;
		if (!*p)
			return true;
	}
}

/* A user or group name: [A-Za-z0-9._-], up to 32 bytes, not starting with
 * '-' or a digit (a leading digit means a numeric id). */
bool account_name_valid(const char *s)
{
	return chars_valid(s, ALNUM "._-", 32) && s[0] != '-' &&
	       !isdigit((unsigned char)s[0]);
}

/* A kernel module name as modprobe takes it (MODULE_NAME_LEN - 1 bytes). */
bool module_name_valid(const char *s)
{
	return chars_valid(s, ALNUM "_-", 55);
}

bool env_name_valid(const char *s)
{
	return chars_valid(s, ALNUM "_", UNIT_STRING_MAX) && !isdigit((unsigned char)s[0]);
}

/* value.c — the names of unit files and initd.conf: enum strings, signal
 * names, what a unit, slice, host, account and module name is. Pure
 * functions, no allocation. Durations, sizes and signals are read in
 * value_parse.c. */
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

int signal_from_name(const char *name, int *ret_sig)
{
	for (size_t i = 0; i < ARRAY_SIZE(signal_names); i++) {
		if (strcmp(name, signal_names[i].name) == 0) {
			*ret_sig = signal_names[i].sig;
			return 0;
		}
	}
	return -EINVAL;
}

const char *const *signal_name_list(size_t *ret_n)
{
	static const char *names[ARRAY_SIZE(signal_names)];

	for (size_t i = 0; i < ARRAY_SIZE(signal_names); i++)
		names[i] = signal_names[i].name;
	*ret_n = ARRAY_SIZE(names);
	return names;
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
	    strncmp(path, UNIT_PIDFILE_DIR, prefix) != 0 || unit_run_path_own(path + prefix))
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

bool unit_run_path_own(const char *rel)
{
	size_t n = strlen(UNIT_RUN_OWN);

	return rel && !strncmp(rel, UNIT_RUN_OWN, n) && (rel[n] == '\0' || rel[n] == '/');
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

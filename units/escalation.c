/* escalation.c — the model of issue 14's keys: a unit's failure action and
 * modes, initd.conf's sysctl entries and boot_guard: what a mode name and a
 * sysctl entry are, and the invariants of a decoded set. The keys are
 * parsed, and their warnings given, in escalation_parse.c. */
#include <stdio.h>
#include <string.h>

#include "units/internal.h"

enum failure_action unit_failure_action(const struct unit *u)
{
	return u->critical ? FAILURE_REBOOT : u->on_failure;
}

bool unit_mode_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > UNIT_MODE_NAME_MAX)
		return false;
	return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == n;
}

bool unit_in_mode(const struct unit *u, const char *mode)
{
	if (!u->autostart)
		return false;
	if (!u->modes || !u->modes[0])
		return true;
	for (char **m = u->modes; *m; m++)
		if (strcmp(*m, mode ? mode : "default") == 0)
			return true;
	return false;
}

bool unit_set_names_mode(const struct unit_set *set, const char *mode)
{
	for (size_t i = 0; i < set->n_units; i++)
		for (char **m = set->units[i]->modes; m && *m; m++)
			if (strcmp(*m, mode) == 0)
				return true;
	return false;
}

/* ---- initd.conf keys ---------------------------------------------------------- */

int unit_sysctl_entry_check(const char *entry, size_t *ret_name_len, const char **ret_why)
{
	const char *eq = strchr(entry, '=');
	size_t n = eq ? (size_t)(eq - entry) : 0;

	*ret_why = NULL;
	if (!eq)
		*ret_why = "expected NAME=VALUE";
	else if (n == 0 || n > UNIT_SYSCTL_NAME_MAX)
		*ret_why = "the name must be 1 to 128 bytes";
	else if (strspn(entry, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
		 != n)
		*ret_why = "the name may hold only letters, digits, '_', '-' and '.' "
			   "(no '/', no spaces)";
	else if (entry[0] == '.' || eq[-1] == '.' || memmem(entry, n, "..", 2))
		*ret_why = "the name must not start or end with '.' nor hold '..'";
	else if (strlen(eq + 1) > UNIT_SYSCTL_VALUE_MAX)
		*ret_why = "the value must be at most 256 bytes";
	for (const char *p = eq ? eq + 1 : ""; !*ret_why && *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*ret_why = "the value must not hold control characters";
	if (*ret_why)
		return -EINVAL;
	*ret_name_len = n;
	return 0;
}

/* "/proc/sys/NAME" with the dots as slashes, into buf. */
void sysctl_path(char *buf, size_t size, const char *entry, size_t name_len)
{
	int n = snprintf(buf, size, "/proc/sys/%.*s", (int)name_len, entry);

	for (char *p = buf + 10; n > 0 && *p; p++)
		if (*p == '.')
			*p = '/';
}

int unit_sysctl_path(const char *entry, char *buf, size_t size)
{
	const char *why;
	size_t n;

	if (unit_sysctl_entry_check(entry, &n, &why) < 0 || size < n + 11)
		return -EINVAL;
	sysctl_path(buf, size, entry, n);
	return 0;
}

bool escalation_conf_valid(const struct initd_conf *conf)
{
	const char *why;
	size_t n;

	if (!conf->sysctl || strv_length(conf->sysctl) > UNIT_SYSCTL_MAX ||
	    conf->boot_guard_max < 1 || conf->boot_guard_max > UNIT_BOOT_GUARD_MAX ||
	    (conf->boot_guard_file && conf->boot_guard_file[0] != '/'))
		return false;
	for (char **e = conf->sysctl; *e; e++)
		if (unit_sysctl_entry_check(*e, &n, &why) < 0)
			return false;
	return true;
}

bool escalation_unit_valid(const struct unit *u)
{
	if (!u->modes || strv_length(u->modes) > UNIT_MODES_MAX ||
	    (unsigned)u->on_failure >= FAILURE_ACTION_MAX || (u->critical && u->on_failure))
		return false;
	for (char **m = u->modes; *m; m++)
		if (!unit_mode_name_valid(*m))
			return false;
	return true;
}

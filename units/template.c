/* template.c — templates and their instances (initd.unit(5), TEMPLATES
 * AND INSTANCES).
 *
 * A file units/NAME@.unit is a template: it is never a unit itself. Each
 * instance NAME@INST (declared in initd.conf's instances, started by
 * `svctl start NAME@INST`, or named in another unit's requires/after) is
 * an ordinary unit made by parsing the template's text again with every
 * string value's specifiers replaced (specifiers.c, in the loader). Here:
 * what an instance name and a template name are. */
#include <string.h>

#include "units/internal.h"

#define INSTANCE_CHARS \
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-"

const char *unit_instance_problem(const char *inst)
{
	size_t n = strlen(inst), ok = strspn(inst, INSTANCE_CHARS);

	if (n == 0)
		return "is empty";
	if (strchr(inst, '/'))
		return "holds '/'";
	if (strcmp(inst, ".") == 0 || strcmp(inst, "..") == 0)
		return "is '.' or '..'";
	if (n > UNIT_INSTANCE_MAX)
		return "is longer than " STRINGIFY(UNIT_INSTANCE_MAX) " bytes";
	if (ok < n)
		return "holds a character outside [A-Za-z0-9_.-]";
	if (inst[0] == '.' || inst[0] == '-')
		return "starts with '.' or '-'";
	return NULL;
}

bool unit_instance_valid(const char *inst)
{
	return !unit_instance_problem(inst);
}

int unit_name_split(const char *name, char template[static UNIT_NAME_MAX + 1],
		    const char **ret_instance)
{
	const char *at = strchr(name, '@');
	size_t n;

	if (!at)
		return -EINVAL;
	n = (size_t)(at - name);
	if (n == 0 || n > UNIT_NAME_MAX)
		return -EINVAL;
	memcpy(template, name, n);
	template[n] = '\0';
	if (!unit_template_name_valid(template))
		return -EINVAL;
	*ret_instance = at + 1;
	return 0;
}

/* A template's name: a unit name without '@', room left for "@" and an
 * instance of at least one byte. */
bool unit_template_name_valid(const char *name)
{
	return !strchr(name, '@') && strlen(name) + 2 <= UNIT_NAME_MAX && unit_name_valid(name);
}

/* stage1_args.c — see stage1_args.h. */
#include "common/stage1_args.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* One `key=value` word of the command line into buf; unknown words pass. */
static void arg_take(const char *word, size_t len, const char *key, char *buf, size_t size)
{
	size_t k = strlen(key);

	if (len > k && !strncmp(word, key, k) && len - k < size) {
		memcpy(buf, word + k, len - k);
		buf[len - k] = '\0';
	}
}

int stage1_args_parse(const char *text, struct stage1_args *ret, char *err, size_t size)
{
	char wait[16] = "";

	*ret = (struct stage1_args){ .fstype = "squashfs" };
	for (const char *w = text; *w; ) {
		size_t len = strcspn(w, " \t\n");

		arg_take(w, len, "initd.root=PARTUUID=", ret->root, sizeof(ret->root));
		arg_take(w, len, "initd.rootfstype=", ret->fstype, sizeof(ret->fstype));
		arg_take(w, len, "initd.rootwait=", wait, sizeof(wait));
		w += len;
		w += strspn(w, " \t\n");
	}
	if (!ret->root[0]) {
		snprintf(err, size, "no initd.root=PARTUUID=... on the kernel command line");
		return -EINVAL;
	}
	ret->rootwait = wait[0] ? (unsigned)strtoul(wait, NULL, 10) : STAGE1_ROOTWAIT_DEFAULT;
	if (ret->rootwait > STAGE1_ROOTWAIT_MAX)
		ret->rootwait = STAGE1_ROOTWAIT_MAX;
	return 0;
}

/* One line of f into buf (size bytes), without its '\n'. 1, 0 at the end,
 * or -ENAMETOOLONG for a line that does not fit: fgets would hand its
 * tail back as a line of its own, a second module name. */
static int line_read(FILE *f, char *buf, size_t size)
{
	size_t len;
	int c;

	if (!fgets(buf, (int)size, f))
		return 0;
	len = strcspn(buf, "\n");
	if (buf[len] == '\n') {
		buf[len] = '\0';
		return 1;
	}
	/* No '\n': the end of the file, or a line exactly filling buf whose
	 * '\n' is next, or one longer than buf. */
	c = getc(f);
	if (c == EOF || c == '\n')
		return 1;
	return -ENAMETOOLONG;
}

int stage1_modules_read(FILE *f, char (*names)[STAGE1_MODULE_NAME_MAX + 1], size_t *ret_n,
			char *err, size_t size)
{
	char name[STAGE1_MODULE_NAME_MAX + 1];
	unsigned line = 0;
	size_t n = 0;
	int r;

	/* Modules are counted, not lines: comments and blank lines are free. */
	while ((r = line_read(f, name, sizeof(name))) > 0) {
		line++;
		if (!name[0] || name[0] == '#')
			continue;
		if (n == STAGE1_MODULES_MAX) {
			snprintf(err, size, "more than %d modules", STAGE1_MODULES_MAX);
			return -E2BIG;
		}
		memcpy(names[n++], name, sizeof(name));
	}
	if (r < 0) {
		snprintf(err, size, "line %u: longer than %d bytes", line + 1,
			 STAGE1_MODULE_NAME_MAX);
		return r;
	}
	*ret_n = n;
	return 0;
}

/* stage1_args.c — see stage1_args.h. */
#include "common/stage1_args.h"

#include <errno.h>
#include <string.h>

#include "common/cmdline_word.h"

#define WORD_MAX 256   /* longer than any value of ours may be */

/* A value into buf (size bytes): 0, or -EINVAL when empty or too long:
 * dropped, the default would mount what the command line did not ask. */
static int value_copy(const char *key, const char *v, char *buf, size_t size, char *err,
		      size_t err_size)
{
	size_t len = strlen(v);

	if (len == 0 || len >= size) {
		snprintf(err, err_size, "%s=%.64s: %s (1 to %zu bytes)", key, v,
			 len ? "too long" : "empty", size - 1);
		return -EINVAL;
	}
	memcpy(buf, v, len + 1);
	return 0;
}

/* Whole seconds, decimal digits only: "2min" is not 2 and "abc" not 0.
 * Beyond STAGE1_ROOTWAIT_MAX it is that (documented). */
static int rootwait_parse(const char *v, unsigned *ret, char *err, size_t err_size)
{
	unsigned long long n = 0;
	const char *c = v;

	for (; *c >= '0' && *c <= '9'; c++)
		if (n <= STAGE1_ROOTWAIT_MAX)
			n = n * 10 + (unsigned)(*c - '0');
	if (c == v || *c) {
		snprintf(err, err_size, "initd.rootwait=%.64s: not a number of seconds", v);
		return -EINVAL;
	}
	*ret = n > STAGE1_ROOTWAIT_MAX ? STAGE1_ROOTWAIT_MAX : (unsigned)n;
	return 0;
}

/* One word of the command line; words not ours pass. 0 or -EINVAL. */
static int word_take(const char *w, struct stage1_args *a, char *err, size_t size)
{
	static const char partuuid[] = "PARTUUID=";
	const char *eq = strchr(w, '=');
	const char *v = eq ? eq + 1 : "";
	size_t klen = eq ? (size_t)(eq - w) : strlen(w);

	if (klen == 10 && !strncmp(w, "initd.root", klen)) {
		if (strncmp(v, partuuid, sizeof(partuuid) - 1) != 0) {
			snprintf(err, size, "initd.root=%.64s: expected PARTUUID=GUID", v);
			return -EINVAL;
		}
		return value_copy("initd.root=PARTUUID", v + sizeof(partuuid) - 1, a->root,
				  sizeof(a->root), err, size);
	}
	if (klen == 16 && !strncmp(w, "initd.rootfstype", klen))
		return value_copy("initd.rootfstype", v, a->fstype, sizeof(a->fstype), err, size);
	if (klen == 14 && !strncmp(w, "initd.rootwait", klen))
		return rootwait_parse(v, &a->rootwait, err, size);
	return 0;
}

/* The words of the kernel's command line as the kernel split them
 * (common/cmdline_word.h): quotes grouped and dropped, as initd reads them
 * too. A bad or too long value of ours is an error, never ignored. */
int stage1_args_parse(const char *text, struct stage1_args *ret, char *err, size_t size)
{
	const char *p = text, *end = text + strnlen(text, STAGE1_CMDLINE_MAX);
	char w[WORD_MAX + 1];
	int r;

	*ret = (struct stage1_args){ .fstype = "squashfs", .rootwait = STAGE1_ROOTWAIT_DEFAULT };
	while ((r = cmdline_word_next(&p, end, w, sizeof(w))) != 0) {
		if (r < 0 && !strncmp(w, "initd.root", 10)) {
			snprintf(err, size, "%.64s...: too long", w);
			return -EINVAL;
		}
		if (r > 0 && (r = word_take(w, ret, err, size)) < 0)
			return r;
	}
	if (!ret->root[0]) {
		snprintf(err, size, "no initd.root=PARTUUID=... on the kernel command line");
		return -EINVAL;
	}
	return 0;
}

/* One line of f into buf (size bytes), without its '\n'. 1, 0 at the end,
 * or -ENAMETOOLONG for a line that does not fit (but a comment, read to its
 * end): fgets would hand its tail back as a line of its own, a second
 * module name. */
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
	if (buf[0] == '#') {   /* a comment names no module: any length */
		while (c != EOF && c != '\n')
			c = getc(f);
		return 1;
	}
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

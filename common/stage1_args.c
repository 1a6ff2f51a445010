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

int stage1_modules_read(FILE *f, char (*names)[STAGE1_MODULE_NAME_MAX + 1], size_t *ret_n,
			char *err, size_t size)
{
	char name[STAGE1_MODULE_NAME_MAX + 1];
	size_t n = 0;
	int lines = 0;

	while (lines++ < STAGE1_MODULES_MAX && fgets(name, sizeof(name), f)) {
		name[strcspn(name, "\n")] = '\0';
		if (name[0] && name[0] != '#')
			memcpy(names[n++], name, sizeof(name));
	}
	*ret_n = n;
	return 0;
}

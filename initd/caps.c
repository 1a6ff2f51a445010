/* caps.c — capabilities with libcap. See caps.h. */
#include "initd/caps.h"

#include <errno.h>
#include <sys/capability.h>
#include <sys/prctl.h>

unsigned caps_kernel_max(void)
{
	return (unsigned)cap_max_bits();
}

int caps_limit_bounding(uint64_t keep)
{
	unsigned max = caps_kernel_max();

	/* A declared capability this kernel does not know is an error, not
	 * something to drop silently. */
	if (max < 64 && (keep >> max))
		return -EINVAL;
	for (unsigned c = 0; c < max; c++)
		if (!(keep & (1ULL << c)) && cap_drop_bound((cap_value_t)c) < 0)
			return -errno;
	return 0;
}

int caps_drop_inheritable(void)
{
	cap_t caps = cap_get_proc();
	int r = 0;

	if (!caps)
		return -errno;
	if (cap_clear_flag(caps, CAP_INHERITABLE) < 0 || cap_set_proc(caps) < 0)
		r = -errno;
	cap_free(caps);
	if (r == 0 && cap_reset_ambient() < 0)
		r = -errno;
	return r;
}

int caps_keep_across_uid(void)
{
	return prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 ? -errno : 0;
}

/* The declared set as a list; *n entries. */
static void caps_list(uint64_t keep, cap_value_t *v, int *n)
{
	*n = 0;
	for (unsigned c = 0; c < 64; c++)
		if (keep & (1ULL << c))
			v[(*n)++] = (cap_value_t)c;
}

int caps_apply(uint64_t keep, bool root)
{
	cap_value_t v[64];
	cap_t caps = cap_init();   /* all clear */
	int n, r = 0;

	if (!caps)
		return -errno;
	caps_list(keep, v, &n);
	if (n > 0 && (cap_set_flag(caps, CAP_PERMITTED, n, v, CAP_SET) < 0 ||
		      cap_set_flag(caps, CAP_EFFECTIVE, n, v, CAP_SET) < 0 ||
		      (!root && cap_set_flag(caps, CAP_INHERITABLE, n, v, CAP_SET) < 0)))
		r = -errno;
	if (r == 0 && cap_set_proc(caps) < 0)
		r = -errno;
	cap_free(caps);
	if (r == 0 && cap_reset_ambient() < 0)
		r = -errno;
	for (int i = 0; r == 0 && !root && i < n; i++)
		if (cap_set_ambient(v[i], CAP_SET) < 0)
			r = -errno;
	if (r == 0 && !root && prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		r = -errno;
	return r;
}

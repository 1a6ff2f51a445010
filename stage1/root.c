/* root.c — see root.h. */
#include "stage1/root.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/util.h"

#define POLL_NSEC (50 * 1000 * 1000)

/* The failure of a wait that is over: why into err, the scan's -errno. */
static int root_not_there(const struct root_spec *s, const struct gpt_found *f, int r,
			  char *err, size_t size)
{
	if (r == -EAGAIN && f->dev[0])
		snprintf(err, size, "PARTUUID %s: partition %u of %s/%s: %s did not appear after %u s",
			 s->partuuid, f->number, s->dev_dir, f->disk, f->dev, s->wait_sec);
	else if (r == -EAGAIN)
		snprintf(err, size, "PARTUUID %s: partition %u of %s/%s did not appear after %u s",
			 s->partuuid, f->number, s->dev_dir, f->disk, s->wait_sec);
	else
		snprintf(err, size, "no partition with PARTUUID %s after %u s (%s)", s->partuuid,
			 s->wait_sec, strerror(-r));
	return r;
}

int root_find(const struct root_spec *s, struct gpt_found *ret, char *err, size_t size)
{
	struct timespec tick = { 0, POLL_NSEC };
	uint64_t deadline = now_usec() + s->wait_sec * USEC_PER_SEC;
	uint8_t guid[16];
	int r;

	if (gpt_guid_parse(s->partuuid, guid) < 0) {
		snprintf(err, size, "initd.root=PARTUUID=%s: not a GUID (8-4-4-4-12 hex digits)",
			 s->partuuid);
		return -EINVAL;
	}
	/* Two disks now are two disks later: no wait. A disk that has it
	 * but whose partition is not there yet is waited for, never passed
	 * over for another. */
	while ((r = gpt_partuuid_scan(s->sys_block, s->dev_dir, guid, ret)) < 0) {
		if (r == -ENOTUNIQ) {
			snprintf(err, size, "PARTUUID %s is on two disks, %s/%s and %s/%s: "
				 "which one is the root is not known", s->partuuid, s->dev_dir,
				 ret->disk, s->dev_dir, ret->other);
			return r;
		}
		if (now_usec() >= deadline)
			return root_not_there(s, ret, r, err, size);
		nanosleep(&tick, NULL);
	}
	return 0;
}

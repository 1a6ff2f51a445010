/* root.c — see root.h. */
#include "stage1/root.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/util.h"

#define POLL_NSEC (50 * 1000 * 1000)

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
	while ((r = gpt_partuuid_scan(s->sys_block, s->dev_dir, guid, ret)) < 0) {
		if (now_usec() >= deadline) {
			snprintf(err, size, "no partition with PARTUUID %s after %u s (%s)",
				 s->partuuid, s->wait_sec, strerror(-r));
			return r;
		}
		nanosleep(&tick, NULL);
	}
	return 0;
}

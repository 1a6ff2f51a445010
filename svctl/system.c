/* system.c — `svctl show-system`: initd's own state, not a unit's. Today
 * the hardware watchdog (initd.conf `watchdog`): its device, the timeout
 * the hardware took, and how long ago initd last petted it. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>

#include "common/proto.h"
#include "common/util.h"
#include "svctl/output.h"

struct system_watchdog {
	const char *state, *device, *error;
	uint32_t timeout, asked;
	uint64_t last_pet, pets;
	bool has_timeout, has_last_pet, nowayout;
};

static int watchdog_parse(const struct proto_attr_view *nest, struct system_watchdog *w)
{
	struct proto_attr_iter it;
	struct proto_attr_view a;
	int r = 0;

	proto_iter_init(&it, nest->data, nest->len);
	while (r == 0 && proto_iter_next(&it, &a) > 0) {
		switch (a.type) {
		case PROTO_ATTR_STATE: r = proto_get_str(&a, &w->state); break;
		case PROTO_ATTR_PATH: r = proto_get_str(&a, &w->device); break;
		case PROTO_ATTR_MESSAGE: r = proto_get_str(&a, &w->error); break;
		case PROTO_ATTR_ASKED: r = proto_get_u32(&a, &w->asked); break;
		case PROTO_ATTR_PETS: r = proto_get_u64(&a, &w->pets); break;
		case PROTO_ATTR_NOWAYOUT: w->nowayout = true; break;
		case PROTO_ATTR_TIMEOUT:
			r = proto_get_u32(&a, &w->timeout);
			w->has_timeout = true;
			break;
		case PROTO_ATTR_LAST_PET:
			r = proto_get_u64(&a, &w->last_pet);
			w->has_last_pet = true;
			break;
		default: break;   /* a newer initd's */
		}
	}
	return r < 0 || it.error || !w->state ? -EBADMSG : 0;
}

/* Text from initd without control characters (it may hold a path). */

static void watchdog_print_human(FILE *f, const struct system_watchdog *w)
{
	char d[32];

	fputs("watchdog  ", f);
	print_clean(f, w->state);
	fputc('\n', f);
	if (w->device) {
		fputs("device    ", f);
		print_clean(f, w->device);
		fputs(w->nowayout ? " (nowayout)\n" : "\n", f);
		if (w->has_timeout)
			fprintf(f, "timeout   %" PRIu32 "s (asked %" PRIu32 "s)\n", w->timeout, w->asked);
		else
			fprintf(f, "timeout   - (asked %" PRIu32 "s)\n", w->asked);
		if (w->has_last_pet)
			fprintf(f, "last pet  %s ago (%" PRIu64 " pets)\n",
				format_duration(d, sizeof(d), w->last_pet), w->pets);
		else
			fputs("last pet  never\n", f);
	}
	if (w->error) {
		fputs("error     ", f);
		print_clean(f, w->error);
		fputc('\n', f);
	}
}

static void watchdog_print_json(FILE *f, const struct system_watchdog *w)
{
	fputs("{\"watchdog\":{\"state\":", f);
	json_print_string(f, w->state);
	fputs(",\"device\":", f);
	json_print_string(f, w->device);
	fputs(",\"timeout_sec\":", f);
	if (w->has_timeout)
		fprintf(f, "%" PRIu32, w->timeout);
	else
		fputs("null", f);
	/* not configured: nothing asked, no pets (null, as svctl(8) says
	 * for what is absent; not 0) */
	bool off = !w->state || strcmp(w->state, "off") == 0;

	fputs(",\"asked_sec\":", f);
	if (off)
		fputs("null", f);
	else
		fprintf(f, "%" PRIu32, w->asked);
	fputs(",\"last_pet_usec_ago\":", f);
	if (w->has_last_pet)
		fprintf(f, "%" PRIu64, w->last_pet);
	else
		fputs("null", f);
	fputs(",\"pets\":", f);
	if (off)
		fputs("null", f);
	else
		fprintf(f, "%" PRIu64, w->pets);
	fprintf(f, ",\"nowayout\":%s,\"error\":", w->nowayout ? "true" : "false");
	json_print_string(f, w->error);
	fputs("}", f);
}

int system_print(FILE *f, const void *payload, size_t len, bool json)
{
	struct system_watchdog w = { 0 };
	struct proto_attr_view a;
	uint64_t writes = 0;
	bool has_writes = false;

	if (proto_attr_find(payload, len, PROTO_ATTR_WATCHDOG, &a) != 1 ||
	    watchdog_parse(&a, &w) < 0)
		return -EBADMSG;
	if (proto_attr_find(payload, len, PROTO_ATTR_METRICS_WRITES, &a) == 1) {
		if (proto_get_u64(&a, &writes) < 0)
			return -EBADMSG;
		has_writes = true;
	}
	if (json) {
		watchdog_print_json(f, &w);
		if (has_writes)
			fprintf(f, ",\"metrics_writes\":%" PRIu64, writes);
		fputs("}\n", f);
	} else {
		watchdog_print_human(f, &w);
		if (has_writes)
			fprintf(f, "metrics   %" PRIu64 " file writes\n", writes);
	}
	return 0;
}

/* The text in the fd initd passed: exactly `left` bytes of it (a failed
 * write is f's error, which the caller's flush reports). */
static int copy_text(FILE *f, int fd, uint64_t left)
{
	char buf[64 * 1024];

	while (left > 0 && !ferror(f)) {
		ssize_t n = read_full(fd, buf, left < sizeof(buf) ? (size_t)left : sizeof(buf));

		if (n <= 0)
			return n < 0 ? -EIO : -EBADMSG;   /* shorter than said */
		fwrite(buf, 1, (size_t)n, f);
		left -= (uint64_t)n;
	}
	return 0;
}

/* The most text svctl takes from a passed fd: initd's is ~14 MiB at
 * 10,000 units, ~25 at UNIT_MAX; a server that announces more is not
 * initd. */
#define METRICS_FD_TEXT_MAX (256u << 20)

/* metrics: initd's Prometheus text, as it sent it: one DATA, or (to root)
 * DATA_IN_FD and the text in the fd passed with the reply: initd's is a
 * memfd holding at least that much, sealed against shrinking (text_seal).
 * Anything else is no reply of initd's but another server's: a pipe or a
 * file on a FUSE mount, whose read may wait past any --timeout (only a
 * memory file has seals, and its reads never wait), a device or a sparse
 * file without end, a file cut short while it is read. */
int metrics_print(FILE *f, const void *payload, size_t len, int fd)
{
	struct proto_attr_view a;
	struct stat st;
	uint64_t n;
	int seals;

	if (proto_attr_find(payload, len, PROTO_ATTR_DATA, &a) == 1) {
		fwrite(a.data, 1, a.len, f);
		return 0;
	}
	if (proto_attr_find(payload, len, PROTO_ATTR_DATA_IN_FD, &a) != 1 ||
	    proto_get_u64(&a, &n) < 0)
		return -EBADMSG;
	if (fd < 0)
		return -EBADF;    /* the kernel dropped it: svctl's fd limit, a security module */
	if (fstat(fd, &st) < 0)
		return -EIO;
	if (!S_ISREG(st.st_mode) || st.st_size < 0 || (uint64_t)st.st_size < n ||
	    n > METRICS_FD_TEXT_MAX || (seals = fcntl(fd, F_GET_SEALS)) < 0 ||
	    !(seals & F_SEAL_SHRINK))
		return -EBADMSG;
	return copy_text(f, fd, n);
}

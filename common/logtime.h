/* logtime.h — the timestamp of a logged line, and the times `svctl logs
 * --since/--until` accepts.
 *
 * Each line a service writes is stamped when initd reads it, with the
 * wall-clock time in UTC, ISO 8601 with milliseconds and a Z, then a space:
 * "2026-12-01T10:00:00.123Z text". The same text goes into the ring
 * (`svctl logs`) and into the log file, so both read alike and a line of
 * either can be filtered by its stamp. Fixed width: LOGTIME_LEN bytes.
 */
#ifndef COMMON_LOGTIME_H
#define COMMON_LOGTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LOGTIME_LEN  24              /* "2026-12-01T10:00:00.123Z" */
#define LOGTIME_SIZE (LOGTIME_LEN + 1)

/* Format usec since the epoch (UTC); out gets LOGTIME_LEN bytes and a NUL. */
void logtime_format(char out[static LOGTIME_SIZE], uint64_t realtime_usec);

/* The stamp a line starts with (n bytes from line), in usec since the
 * epoch: 0, or -EINVAL when the line does not start with one. */
int logtime_parse_stamp(const char *line, size_t n, uint64_t *ret_usec);

/* The clocks an argument is read against, so that tests can fix them. */
struct logtime_clock {
	uint64_t realtime_usec;   /* CLOCK_REALTIME now */
	uint64_t uptime_usec;     /* CLOCK_BOOTTIME now */
};
void logtime_clock_now(struct logtime_clock *ret);

/* A --since/--until argument, as usec since the epoch:
 *   "now"
 *   "-DURATION"              that long ago ("-5min", "-30s", "-90min");
 *                            DURATION as parse_duration reads it
 *   "YYYY-MM-DD HH:MM:SS"    UTC; a 'T' may replace the space, ".mmm" and
 *   "YYYY-MM-DD"             a final 'Z' may follow; a date alone is midnight
 *   "SECONDS[.FRACTION]"     seconds of uptime (since boot, as in
 *                            /proc/uptime), at most 6 decimals
 * 0, or -EINVAL. duration is parse_duration (units/), passed in so that
 * common/ does not depend on units/. */
int logtime_parse_arg(const char *s, const struct logtime_clock *clock,
		      int (*duration)(const char *s, uint64_t *ret_usec), uint64_t *ret_usec);

#endif

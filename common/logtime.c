/* logtime.c — see logtime.h. */
#include "common/logtime.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/util.h"

void logtime_format(char out[static LOGTIME_SIZE], uint64_t realtime_usec)
{
	time_t t = (time_t)(realtime_usec / USEC_PER_SEC);
	char buf[64];
	struct tm tm;

	if (!gmtime_r(&t, &tm))
		memset(&tm, 0, sizeof(tm));
	/* Years past 9999 would widen the stamp: clamp, it stays fixed-width. */
	if (tm.tm_year > 9999 - 1900)
		tm.tm_year = 9999 - 1900;
	snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (int)(realtime_usec % USEC_PER_SEC / 1000));
	memcpy(out, buf, LOGTIME_LEN);
	out[LOGTIME_LEN] = '\0';
}

/* n digits at s into *ret; false if any is not a digit. */
static bool digits(const char *s, int n, int *ret)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*ret = v;
	return true;
}

/* "YYYY-MM-DD" then, if time, sep "HH:MM:SS" at s (at least 10 or 19
 * bytes, checked by the caller), into usec since the epoch. */
static int parse_date_time(const char *s, bool time, uint64_t *ret)
{
	struct tm tm = { 0 };
	int y, mo, d, h = 0, mi = 0, se = 0;
	time_t t;

	if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
	    !digits(s + 8, 2, &d))
		return -EINVAL;
	if (time && (!digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) ||
		     s[16] != ':' || !digits(s + 17, 2, &se)))
		return -EINVAL;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
		return -EINVAL;
	tm = (struct tm){ .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h,
			  .tm_min = mi, .tm_sec = se };
	t = timegm(&tm);
	if (t < 0)
		return -EINVAL;
	*ret = (uint64_t)t * USEC_PER_SEC;
	return 0;
}

int logtime_parse_stamp(const char *line, size_t n, uint64_t *ret_usec)
{
	uint64_t v;
	int ms;

	if (n < LOGTIME_LEN || line[10] != 'T' || line[19] != '.' || line[23] != 'Z' ||
	    !digits(line + 20, 3, &ms) || parse_date_time(line, true, &v) < 0)
		return -EINVAL;
	*ret_usec = v + (uint64_t)ms * USEC_PER_MSEC;
	return 0;
}

void logtime_clock_now(struct logtime_clock *ret)
{
	struct timespec rt, bt;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_BOOTTIME, &bt);
	ret->realtime_usec = (uint64_t)rt.tv_sec * USEC_PER_SEC + (uint64_t)rt.tv_nsec / 1000;
	ret->uptime_usec = (uint64_t)bt.tv_sec * USEC_PER_SEC + (uint64_t)bt.tv_nsec / 1000;
}

/* "SECONDS[.FRACTION]" of uptime. */
static int parse_uptime(const char *s, const struct logtime_clock *clock, uint64_t *ret)
{
	uint64_t sec = 0, frac = 0, scale = USEC_PER_SEC;
	const char *p = s;

	for (; *p >= '0' && *p <= '9'; p++) {
		if (sec > UINT32_MAX)
			return -EINVAL;
		sec = sec * 10 + (uint64_t)(*p - '0');
	}
	if (p == s)
		return -EINVAL;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++) {
			if (scale == 1)
				return -EINVAL;     /* finer than a microsecond */
			scale /= 10;
			frac += (uint64_t)(*p - '0') * scale;
		}
	}
	if (*p)
		return -EINVAL;
	sec = sec * USEC_PER_SEC + frac;
	/* Before the boot the clocks say, an uptime still names a moment. */
	*ret = clock->realtime_usec - clock->uptime_usec + sec;
	return 0;
}

/* A date, or date and time, with optional ".mmm" and 'Z'. */
static int parse_absolute(const char *s, uint64_t *ret)
{
	size_t n = strlen(s);
	const char *rest;
	int ms = 0, r;

	if (n == 10)
		return parse_date_time(s, false, ret);
	if (n < 19 || (s[10] != ' ' && s[10] != 'T'))
		return -EINVAL;
	r = parse_date_time(s, true, ret);
	if (r < 0)
		return r;
	rest = s + 19;
	if (rest[0] == '.') {
		if (!digits(rest + 1, 3, &ms))
			return -EINVAL;
		rest += 4;
	}
	if (rest[0] == 'Z')
		rest++;
	if (*rest)
		return -EINVAL;
	*ret += (uint64_t)ms * USEC_PER_MSEC;
	return 0;
}

int logtime_parse_arg(const char *s, const struct logtime_clock *clock,
		      int (*duration)(const char *s, uint64_t *ret_usec), uint64_t *ret_usec)
{
	uint64_t v;
	int r;

	if (strcmp(s, "now") == 0) {
		*ret_usec = clock->realtime_usec;
		return 0;
	}
	if (s[0] == '-') {
		r = duration(s + 1, &v);
		if (r < 0)
			return -EINVAL;
		*ret_usec = v > clock->realtime_usec ? 0 : clock->realtime_usec - v;
		return 0;
	}
	r = strchr(s, '-') ? parse_absolute(s, &v) : parse_uptime(s, clock, &v);
	if (r < 0)
		return r;
	*ret_usec = v;
	return 0;
}

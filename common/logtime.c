/* logtime.c — see logtime.h. */
#include "common/logtime.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/util.h"

/* UTC calendar arithmetic by hand (the proleptic Gregorian "days from
 * civil" and its inverse, counted in 400-year eras of 146097 days), not
 * gmtime_r and timegm: glibc's bring tzset, which parses TZ with sscanf,
 * ~110 KiB of code a static PID 1 (its log writer stamps) would keep
 * resident for a clock that is always UTC here. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* days >= 0 (the stamps are unsigned) */
static void civil_from_days(uint64_t days, int64_t *y, unsigned *m, unsigned *d)
{
	uint64_t z = days + 719468, era = z / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)(era * 400 + yoe) + (*m <= 2);
}

void logtime_format(char out[static LOGTIME_SIZE], uint64_t realtime_usec)
{
	uint64_t s = realtime_usec / USEC_PER_SEC, secs = s % 86400;
	char buf[64];
	int64_t y;
	unsigned m, d;

	civil_from_days(s / 86400, &y, &m, &d);
	/* Years past 9999 would widen the stamp: clamp, it stays fixed-width. */
	if (y > 9999)
		y = 9999;
	snprintf(buf, sizeof(buf), "%04d-%02u-%02uT%02u:%02u:%02u.%03uZ", (int)y, m, d,
		 (unsigned)(secs / 3600), (unsigned)(secs / 60 % 60), (unsigned)(secs % 60),
		 (unsigned)(realtime_usec % USEC_PER_SEC / 1000));
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
	int y, mo, d, h = 0, mi = 0, se = 0;
	int64_t t;

	if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
	    !digits(s + 8, 2, &d))
		return -EINVAL;
	if (time && (!digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) ||
		     s[16] != ':' || !digits(s + 17, 2, &se)))
		return -EINVAL;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
		return -EINVAL;
	/* as timegm: a day past the month's end rolls into the next */
	t = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se;
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

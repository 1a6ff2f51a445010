/* postmortem.c — `svctl postmortem NAME`: a unit's records of its
 * unexpected exits (POSTMORTEMs, newest first), and the "last failure"
 * block `svctl status NAME` prints from the one in its SERVICE. */
#include <errno.h>
#include <string.h>

#include "common/logtime.h"
#include "common/proto.h"
#include "common/util.h"
#include "svctl/output.h"

struct record {
	uint64_t time;
	const char *reason;
	const char *lines;
	uint32_t restarts;
	bool have[4];
	uint64_t stat[4];
};

static const struct {
	uint16_t attr;
	const char *label;     /* human: "LABEL N UNIT" */
	const char *unit;
	const char *key;       /* json */
} stats[4] = {
	{ PROTO_ATTR_MEM_PEAK, "memory.peak", " bytes", "memory_peak" },
	{ PROTO_ATTR_CPU_USAGE_USEC, "cpu", " usec", "cpu_usage_usec" },
	{ PROTO_ATTR_OOM_KILLS, "oom_kills", "", "oom_kills" },
	{ PROTO_ATTR_PIDS_PEAK, "pids.peak", "", "pids_peak" },
};

static int record_parse(const uint8_t *data, uint32_t len, struct record *ret)
{
	struct proto_attr_iter it;
	struct proto_attr_view a;
	int r;

	memset(ret, 0, sizeof(*ret));
	proto_iter_init(&it, data, len);
	while ((r = proto_iter_next(&it, &a)) > 0) {
		r = 0;
		if (a.type == PROTO_ATTR_TIME)
			r = proto_get_u64(&a, &ret->time);
		else if (a.type == PROTO_ATTR_REASON)
			r = proto_get_str(&a, &ret->reason);
		else if (a.type == PROTO_ATTR_DATA)
			r = proto_get_str(&a, &ret->lines);
		else if (a.type == PROTO_ATTR_RESTARTS)
			r = proto_get_u32(&a, &ret->restarts);
		for (int i = 0; i < 4; i++)
			if (a.type == stats[i].attr) {
				r = proto_get_u64(&a, &ret->stat[i]);
				ret->have[i] = r == 0;
			}
		if (r < 0)
			return -EBADMSG;
	}
	return r < 0 || !ret->reason || !ret->lines ? -EBADMSG : 0;
}

/* n bytes of s, tabs kept (print_clean_n). */
static void put_clean(FILE *f, const char *s, size_t n)
{
	print_clean_n(f, s, n, "\t");
}

static void record_print(FILE *f, const struct record *p, const char *label)
{
	char stamp[LOGTIME_SIZE];
	const char *sep = "  ";

	logtime_format(stamp, p->time);
	fprintf(f, "%s: %s ", label, stamp);
	put_clean(f, p->reason, strlen(p->reason));
	fprintf(f, " (restarts %u)\n", p->restarts);
	for (int i = 0; i < 4; i++)
		if (p->have[i]) {
			fputs(sep, f);
			fprintf(f, "%s %llu%s", stats[i].label, (unsigned long long)p->stat[i],
				stats[i].unit);
			sep = ", ";
		}
	if (sep[0] == ',')
		fputc('\n', f);
	for (const char *l = p->lines; *l;) {
		size_t k = strcspn(l, "\n");

		fputs("  | ", f);
		put_clean(f, l, k);
		fputc('\n', f);
		l += k + (l[k] == '\n');
	}
}

int postmortem_print_last(FILE *f, const uint8_t *data, uint32_t len)
{
	struct record p;

	if (record_parse(data, len, &p) < 0)
		return -EBADMSG;
	record_print(f, &p, "  last failure");
	return 0;
}

static void record_json(FILE *f, const struct record *p)
{
	char stamp[LOGTIME_SIZE];

	logtime_format(stamp, p->time);
	fprintf(f, "{\"time\":\"%s\",\"time_usec\":%llu,\"reason\":", stamp,
		(unsigned long long)p->time);
	json_print_string(f, p->reason);
	fprintf(f, ",\"restarts\":%u", p->restarts);
	for (int i = 0; i < 4; i++) {
		fprintf(f, ",\"%s\":", stats[i].key);
		if (p->have[i])
			fprintf(f, "%llu", (unsigned long long)p->stat[i]);
		else
			fputs("null", f);
	}
	fputs(",\"lines\":[", f);
	for (const char *l = p->lines; *l;) {
		size_t k = strcspn(l, "\n");
		char line[POSTMORTEM_LINE_MAX];

		snprintf(line, sizeof(line), "%.*s", (int)k, l);
		if (l != p->lines)
			fputc(',', f);
		json_print_string(f, line);
		l += k + (l[k] == '\n');
	}
	fputs("]}", f);
}

int postmortem_print_last_json(FILE *f, const uint8_t *data, uint32_t len)
{
	struct record p;

	if (record_parse(data, len, &p) < 0)
		return -EBADMSG;
	record_json(f, &p);
	return 0;
}

int postmortem_print(FILE *f, const char *name, const void *payload, size_t len, bool json)
{
	struct proto_attr_iter it;
	struct proto_attr_view a;
	struct record p;
	unsigned n = 0;
	int r;

	/* Check it all before printing anything. */
	proto_iter_init(&it, payload, len);
	while ((r = proto_iter_next(&it, &a)) > 0)
		if (a.type == PROTO_ATTR_POSTMORTEM && record_parse(a.data, a.len, &p) < 0)
			return -EBADMSG;
	if (r < 0)
		return -EBADMSG;
	if (json)
		fputc('[', f);
	proto_iter_init(&it, payload, len);
	while (proto_iter_next(&it, &a) > 0) {
		if (a.type != PROTO_ATTR_POSTMORTEM)
			continue;
		record_parse(a.data, a.len, &p);
		if (json) {
			if (n)
				fputc(',', f);
			record_json(f, &p);
		} else {
			if (n)
				fputc('\n', f);
			record_print(f, &p, "failure");
		}
		n++;
	}
	if (json)
		fputs("]\n", f);
	else if (n == 0)
		fprintf(f, "%s: no unexpected exit recorded\n", name);
	return 0;
}

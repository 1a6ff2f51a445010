/* output.c — see output.h. */
#include "svctl/output.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/proto.h"
#include "common/utf8.h"
#include "common/util.h"

#define STATUS_UNITS_MAX (1u << 20)   /* more than any reply can hold */

/* ---- parsing -------------------------------------------------------------- */

static bool attr_is_psi(uint16_t t)
{
	return t >= PROTO_ATTR_PSI_CPU_SOME && t <= PROTO_ATTR_PSI_IO_FULL;
}

/* A cgroup statistic into u->cg (PSI ones are u32). */
static int cg_parse(const struct proto_attr_view *a, struct unit_status *u)
{
	unsigned k = a->type - STATUS_CG_FIRST;
	uint32_t v32;
	int r;

	if (attr_is_psi(a->type)) {
		r = proto_get_u32(a, &v32);
		if (r == 0)   /* a short attribute left v32 unset (LTO saw it) */
			u->cg[k] = v32;
	} else {
		r = proto_get_u64(a, &u->cg[k]);
	}
	if (r == 0)
		u->cg_have |= 1U << k;
	return r;
}

static int unit_parse(const struct proto_attr_view *svc, struct unit_status *u)
{
	struct proto_attr_iter it;
	struct proto_attr_view a;
	const char *msg;
	int r;

	memset(u, 0, sizeof(*u));
	u->attrs = svc->data;
	u->attrs_len = svc->len;
	proto_iter_init(&it, svc->data, svc->len);
	while ((r = proto_iter_next(&it, &a)) > 0) {
		switch (a.type) {
		case PROTO_ATTR_NAME:        r = proto_get_str(&a, &u->name); break;
		case PROTO_ATTR_STATE:       r = proto_get_str(&a, &u->state); break;
		case PROTO_ATTR_REASON:      r = proto_get_str(&a, &u->reason); break;
		case PROTO_ATTR_CGROUP:      r = proto_get_str(&a, &u->cgroup); break;
		case PROTO_ATTR_DESCRIPTION: r = proto_get_str(&a, &u->description); break;
		case PROTO_ATTR_STATUS_TEXT: r = proto_get_str(&a, &u->status_text); break;
		case PROTO_ATTR_MESSAGE:
			r = proto_get_str(&a, &msg);
			u->messages++;
			break;
		case PROTO_ATTR_PID:         r = proto_get_u32(&a, &u->pid); break;
		case PROTO_ATTR_RESTARTS:    r = proto_get_u32(&a, &u->restarts); break;
		case PROTO_ATTR_SINCE:       r = proto_get_u64(&a, &u->since_usec); break;
		case PROTO_ATTR_POSTMORTEM:
			u->postmortem = a.data;
			u->postmortem_len = a.len;
			r = 0;
			break;
		default:
			if (a.type >= STATUS_CG_FIRST && a.type < STATUS_CG_FIRST + STATUS_CG_N)
				r = cg_parse(&a, u);
			else
				r = 0;   /* newer initd */
			break;
		}
		if (r < 0)
			return r;
	}
	if (r < 0)
		return r;
	return u->name && u->state ? 0 : -EBADMSG;
}

int status_parse(const void *payload, size_t len, struct unit_status **ret, size_t *ret_n)
{
	struct proto_attr_iter it;
	struct proto_attr_view a;
	struct unit_status *v = NULL, *nv;
	size_t n = 0, cap = 0;
	int r;

	proto_iter_init(&it, payload, len);
	while ((r = proto_iter_next(&it, &a)) > 0) {
		if (a.type != PROTO_ATTR_SERVICE)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			if (cap > STATUS_UNITS_MAX) {
				r = -EBADMSG;
				break;
			}
			nv = reallocarray(v, cap, sizeof(*v));
			if (!nv) {
				r = -ENOMEM;
				break;
			}
			v = nv;
		}
		r = unit_parse(&a, &v[n]);
		if (r < 0)
			break;
		n++;
	}
	if (r < 0) {
		free(v);
		return r;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

/* ---- human output --------------------------------------------------------- */

bool output_colour(FILE *f)
{
	const char *no = getenv("NO_COLOR");

	return isatty(fileno(f)) && !(no && *no);
}

static const char *state_colour(const char *state)
{
	if (!strcmp(state, "running") || !strcmp(state, "exited"))
		return "\033[32m";
	if (!strcmp(state, "failed") || !strcmp(state, "bad-config"))
		return "\033[1;31m";
	if (!strcmp(state, "starting") || !strcmp(state, "stopping") ||
	    !strcmp(state, "restarting") || !strcmp(state, "frozen"))
		return "\033[33m";
	return NULL;
}

void status_print_system(FILE *f, const void *payload, size_t len)
{
	struct proto_attr_view a;
	const char *mode = NULL, *why = NULL;

	if (proto_attr_find(payload, len, PROTO_ATTR_BOOT_MODE, &a) == 1)
		(void)proto_get_str(&a, &mode);
	if (proto_attr_find(payload, len, PROTO_ATTR_RESCUE, &a) == 1)
		(void)proto_get_str(&a, &why);
	if (mode && strcmp(mode, "default") != 0) {
		fputs("mode: ", f);
		print_clean(f, mode);
		fputc('\n', f);
	}
	if (why) {
		fputs("rescue: ", f);
		print_clean(f, why);
		fputc('\n', f);
	}
}

/* A table's rows are put together here and reach stdio a buffer at a
 * time: at 1000 units a cell's two stdio calls were a quarter of `svctl
 * status`'s instructions (issue 19). Text from initd that is not plain
 * ASCII goes through print_clean_n, after what the buffer holds. */
struct rows {
	FILE *f;
	size_t len;
	char buf[4096];
};

static void rows_flush(struct rows *r)
{
	fwrite(r->buf, 1, r->len, r->f);
	r->len = 0;
}

/* n bytes of s, or n spaces when s is NULL. */
static void rows_put(struct rows *r, const char *s, size_t n)
{
	while (n) {
		size_t k = sizeof(r->buf) - r->len;

		if (k == 0) {
			rows_flush(r);
			continue;
		}
		k = k < n ? k : n;
		if (s) {
			memcpy(r->buf + r->len, s, k);
			s += k;
		} else {
			memset(r->buf + r->len, ' ', k);
		}
		r->len += k;
		n -= k;
	}
}

static void rows_put_clean(struct rows *r, const char *s, size_t n)
{
	if (clean_is_plain(s, n)) {
		rows_put(r, s, n);
		return;
	}
	rows_flush(r);
	print_clean_n(r->f, s, n, "");
}

/* A left-aligned cell of `width` followed by two spaces. */
static void rows_cell(struct rows *r, const char *s, size_t width, const char *colour)
{
	size_t len = strlen(s);

	if (colour)
		rows_put(r, colour, strlen(colour));
	rows_put_clean(r, s, len);
	if (colour)
		rows_put(r, "\033[0m", 4);
	rows_put(r, NULL, len < width + 2 ? width + 2 - len : 0);
}

/* The last cell, cleaned and unpadded, and the line's end. */
static void rows_end(struct rows *r, const char *s)
{
	rows_put_clean(r, s, strlen(s));
	rows_put(r, "\n", 1);
}

static size_t max_size(size_t a, size_t b)
{
	return a > b ? a : b;
}

static bool cg_has(const struct unit_status *u, uint16_t attr)
{
	return u->cg_have & (1U << (attr - STATUS_CG_FIRST));
}

static uint64_t cg_get(const struct unit_status *u, uint16_t attr)
{
	return u->cg[attr - STATUS_CG_FIRST];
}

/* 1024-based, one decimal: "512B", "12.3M": v's nearest tenth of the
 * unit, a tie to an even one. In integers, with no float formatting for
 * each unit of the status table; what printf's %.1f of v as a double
 * printed below 2^53 bytes (above, the double was rounded first: 2^60 - 1
 * was "1.0E", and is "1024.0P"). */
static const char *format_bytes(char *buf, size_t size, uint64_t v)
{
	static const char units[] = "BKMGTPE";
	char text[32], *p;
	unsigned i = 0, shift;
	uint64_t tenths, frac, half;

	while (i + 1 < sizeof(units) - 1 && v >> (10 * (i + 1)))
		i++;
	if (i == 0) {
		p = u64_digits(text, v);
		*p++ = 'B';
	} else {
		shift = 10 * i;
		frac = (v & ((1ULL << shift) - 1)) * 10;   /* < 10 << 60: no overflow */
		half = 1ULL << (shift - 1);
		tenths = (v >> shift) * 10 + (frac >> shift);
		frac &= (1ULL << shift) - 1;
		if (frac > half || (frac == half && (tenths & 1)))
			tenths++;
		p = u64_digits(text, tenths / 10);
		*p++ = '.';
		*p++ = (char)('0' + tenths % 10);
		*p++ = units[i];
	}
	*p = '\0';
	snprintf(buf, size, "%s", text);
	return buf;
}

struct cells {
	char pid[24];        /* u64_digits' 21 bytes */
	char restarts[24];
	char since[32];
	char memory[16];   /* memory.current, "-" without the memory controller */
	char cpu[32];      /* CPU time used so far, "-" without cpu.stat */
};

static void cells_fill(struct cells *c, const struct unit_status *u)
{
	if (u->pid)
		u64_digits(c->pid, u->pid);
	else
		strcpy(c->pid, "-");
	u64_digits(c->restarts, u->restarts);
	format_duration(c->since, sizeof(c->since), u->since_usec);
	if (cg_has(u, PROTO_ATTR_MEM_CURRENT))
		format_bytes(c->memory, sizeof(c->memory), cg_get(u, PROTO_ATTR_MEM_CURRENT));
	else
		strcpy(c->memory, "-");
	if (cg_has(u, PROTO_ATTR_CPU_USAGE_USEC))
		format_duration(c->cpu, sizeof(c->cpu), cg_get(u, PROTO_ATTR_CPU_USAGE_USEC));
	else
		strcpy(c->cpu, "-");
}

/* A message's lines, each indented by two spaces. */
static void print_message(FILE *f, const char *msg)
{
	while (*msg) {
		const char *nl = strchr(msg, '\n');
		size_t len = nl ? (size_t)(nl - msg) : strlen(msg);

		fputs("  ", f);
		print_clean_n(f, msg, len, "");
		fputc('\n', f);
		msg += len + (nl ? 1 : 0);
	}
}

/* Call fn for each MESSAGE of the unit (already validated by parsing). */
static void messages_each(const struct unit_status *u,
			  void (*fn)(FILE *f, const char *msg, bool first), FILE *f)
{
	struct proto_attr_iter it;
	struct proto_attr_view a;
	const char *msg;
	bool first = true;

	proto_iter_init(&it, u->attrs, u->attrs_len);
	while (proto_iter_next(&it, &a) > 0)
		if (a.type == PROTO_ATTR_MESSAGE && proto_get_str(&a, &msg) == 0) {
			fn(f, msg, first);
			first = false;
		}
}

static void print_message_cb(FILE *f, const char *msg, bool first)
{
	print_message(f, msg);
}

static void print_messages(FILE *f, const struct unit_status *u)
{
	messages_each(u, print_message_cb, f);
}

void status_print_table(FILE *f, const struct unit_status *u, size_t n, bool colour)
{
	size_t w_name = 4, w_state = 5, w_pid = 3, w_restarts = 8, w_since = 5, w_mem = 6,
	       w_cpu = 3;
	/* Each row's cells made once for the widths and the print (with no
	 * memory for them, made again for the print). */
	_cleanup_free_ struct cells *all = calloc(n ? n : 1, sizeof(*all));
	struct cells one, *c;
	struct rows r;

	for (size_t i = 0; i < n; i++) {
		c = all ? &all[i] : &one;
		cells_fill(c, &u[i]);
		w_name = max_size(w_name, strlen(u[i].name));
		w_state = max_size(w_state, strlen(u[i].state));
		w_pid = max_size(w_pid, strlen(c->pid));
		w_restarts = max_size(w_restarts, strlen(c->restarts));
		w_since = max_size(w_since, strlen(c->since));
		w_mem = max_size(w_mem, strlen(c->memory));
		w_cpu = max_size(w_cpu, strlen(c->cpu));
	}
	r.f = f;
	r.len = 0;
	rows_cell(&r, "NAME", w_name, NULL);
	rows_cell(&r, "STATE", w_state, NULL);
	rows_cell(&r, "PID", w_pid, NULL);
	rows_cell(&r, "RESTARTS", w_restarts, NULL);
	rows_cell(&r, "SINCE", w_since, NULL);
	rows_cell(&r, "MEMORY", w_mem, NULL);
	rows_cell(&r, "CPU", w_cpu, NULL);
	rows_end(&r, "REASON");
	for (size_t i = 0; i < n; i++) {
		c = all ? &all[i] : &one;
		if (!all)
			cells_fill(c, &u[i]);
		rows_cell(&r, u[i].name, w_name, NULL);
		rows_cell(&r, u[i].state, w_state, colour ? state_colour(u[i].state) : NULL);
		rows_cell(&r, c->pid, w_pid, NULL);
		rows_cell(&r, c->restarts, w_restarts, NULL);
		rows_cell(&r, c->since, w_since, NULL);
		rows_cell(&r, c->memory, w_mem, NULL);
		rows_cell(&r, c->cpu, w_cpu, NULL);
		rows_end(&r, u[i].reason && *u[i].reason ? u[i].reason : "-");
		if (u[i].messages) {
			rows_flush(&r);
			print_messages(f, &u[i]);
		}
	}
	rows_flush(&r);
}

/* ---- detail block ------------------------------------------------------------ */

/* "  label  " then "name value" pairs for the attributes present. */
static void detail_sizes(FILE *f, const struct unit_status *u, const char *label,
			 const uint16_t *attrs, const char *const *names, size_t n, bool bytes)
{
	bool any = false;
	char buf[32];

	for (size_t i = 0; i < n; i++) {
		if (!cg_has(u, attrs[i]))
			continue;
		if (!any)
			fprintf(f, "  %-9s", label);
		if (bytes)
			format_bytes(buf, sizeof(buf), cg_get(u, attrs[i]));
		else
			snprintf(buf, sizeof(buf), "%llu", (unsigned long long)cg_get(u, attrs[i]));
		fprintf(f, "%s%s %s", any ? "  " : "", names[i], buf);
		any = true;
	}
	if (any)
		fputc('\n', f);
}

static void detail_cpu(FILE *f, const struct unit_status *u)
{
	char a[32], b[32];
	uint64_t periods, throttled;

	if (!cg_has(u, PROTO_ATTR_CPU_USAGE_USEC))
		return;
	fprintf(f, "  %-9s", "cpu");
	if (cg_has(u, PROTO_ATTR_CPU_USAGE_USEC))
		fprintf(f, "usage %s", format_duration(a, sizeof(a),
						       cg_get(u, PROTO_ATTR_CPU_USAGE_USEC)));
	/* throttling only once cpu.max had periods to count (a quota is set) */
	if (cg_has(u, PROTO_ATTR_CPU_NR_PERIODS) && cg_has(u, PROTO_ATTR_CPU_NR_THROTTLED) &&
	    cg_get(u, PROTO_ATTR_CPU_NR_PERIODS) > 0) {
		periods = cg_get(u, PROTO_ATTR_CPU_NR_PERIODS);
		throttled = cg_get(u, PROTO_ATTR_CPU_NR_THROTTLED);
		fprintf(f, "  throttled %llu/%llu periods (%.1f%%), %s",
			(unsigned long long)throttled, (unsigned long long)periods,
			periods ? 100.0 * (double)throttled / (double)periods : 0.0,
			format_duration(b, sizeof(b), cg_get(u, PROTO_ATTR_CPU_THROTTLED_USEC)));
	}
	fputc('\n', f);
}

static void detail_psi(FILE *f, const struct unit_status *u)
{
	static const struct {
		const char *name;
		uint16_t some, full;
	} psi[] = {
		{ "cpu", PROTO_ATTR_PSI_CPU_SOME, PROTO_ATTR_PSI_CPU_FULL },
		{ "memory", PROTO_ATTR_PSI_MEM_SOME, PROTO_ATTR_PSI_MEM_FULL },
		{ "io", PROTO_ATTR_PSI_IO_SOME, PROTO_ATTR_PSI_IO_FULL },
	};
	bool any = false;

	for (size_t i = 0; i < ARRAY_SIZE(psi); i++) {
		uint64_t some = cg_get(u, psi[i].some), full = cg_get(u, psi[i].full);
		if (!cg_has(u, psi[i].some))
			continue;
		fprintf(f, "%s%s some %llu.%02llu%% full %llu.%02llu%%",
			any ? "  " : "  pressure avg10: ", psi[i].name,
			(unsigned long long)(some / 100), (unsigned long long)(some % 100),
			(unsigned long long)(full / 100), (unsigned long long)(full % 100));
		any = true;
	}
	if (any)
		fputc('\n', f);
}

void status_print_detail(FILE *f, const struct unit_status *u)
{
	static const uint16_t mem[] = { PROTO_ATTR_MEM_CURRENT, PROTO_ATTR_MEM_PEAK,
					PROTO_ATTR_MEM_MAX };
	static const char *const mem_names[] = { "current", "peak", "max" };
	static const uint16_t pids[] = { PROTO_ATTR_PIDS_CURRENT, PROTO_ATTR_PIDS_MAX,
					 PROTO_ATTR_PIDS_EVENTS };
	static const char *const pids_names[] = { "current", "max", "refused-forks" };
	static const uint16_t oom[] = { PROTO_ATTR_OOM_KILLS };
	static const char *const oom_names[] = { "kills" };

	if (u->status_text) {
		fputs("  status   ", f);   /* the service's own STATUS= line */
		print_clean(f, u->status_text);
		fputc('\n', f);
	}
	detail_sizes(f, u, "memory", mem, mem_names, ARRAY_SIZE(mem), true);
	detail_sizes(f, u, "pids", pids, pids_names, ARRAY_SIZE(pids), false);
	detail_cpu(f, u);
	detail_psi(f, u);
	detail_sizes(f, u, "oom", oom, oom_names, ARRAY_SIZE(oom), false);
	if (u->postmortem && postmortem_print_last(f, u->postmortem, u->postmortem_len) < 0)
		fputs("  last failure: (malformed)\n", f);
}

void status_print_list(FILE *f, const struct unit_status *u, size_t n, bool colour)
{
	size_t w_name = 4, w_state = 5;
	struct rows r;

	for (size_t i = 0; i < n; i++) {
		w_name = max_size(w_name, strlen(u[i].name));
		w_state = max_size(w_state, strlen(u[i].state));
	}
	r.f = f;
	r.len = 0;
	rows_cell(&r, "NAME", w_name, NULL);
	rows_cell(&r, "STATE", w_state, NULL);
	rows_end(&r, "DESCRIPTION");
	for (size_t i = 0; i < n; i++) {
		rows_cell(&r, u[i].name, w_name, NULL);
		rows_cell(&r, u[i].state, w_state, colour ? state_colour(u[i].state) : NULL);
		rows_end(&r, u[i].description && *u[i].description ? u[i].description : "-");
	}
	rows_flush(&r);
}

/* ---- JSON ----------------------------------------------------------------- */

/* The body of a JSON string (no quotes). */
static void json_print_chars(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	while (*s) {
		size_t n;

		switch (*s) {
		case '"':  fputs("\\\"", f); s++; continue;
		case '\\': fputs("\\\\", f); s++; continue;
		case '\b': fputs("\\b", f); s++; continue;
		case '\f': fputs("\\f", f); s++; continue;
		case '\n': fputs("\\n", f); s++; continue;
		case '\r': fputs("\\r", f); s++; continue;
		case '\t': fputs("\\t", f); s++; continue;
		default: break;
		}
		if (*s < 0x20 || *s == 0x7f) {
			fprintf(f, "\\u%04x", *s);
			s++;
			continue;
		}
		n = utf8_sequence(s, SIZE_MAX);   /* stops at the NUL */
		if (n == 0) {
			fputs("\\ufffd", f);
			s++;
			continue;
		}
		if (n == 2 && s[0] == 0xc2 && s[1] < 0xa0) {
			/* C1, escaped as C0 is: the text stays safe to cat */
			fprintf(f, "\\u%04x", s[1]);
			s += 2;
			continue;
		}
		fwrite(s, 1, n, f);
		s += n;
	}
}

void json_print_string(FILE *f, const char *str)
{
	if (!str) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	json_print_chars(f, str);
	fputc('"', f);
}

static void json_message_cb(FILE *f, const char *msg, bool first)
{
	if (!first)
		fputs("\\n", f);
	json_print_chars(f, msg);
}

static bool unit_has_message(const struct unit_status *u)
{
	struct proto_attr_view a;

	return proto_attr_find(u->attrs, u->attrs_len, PROTO_ATTR_MESSAGE, &a) == 1;
}

static void json_field_str(FILE *f, const char *key, const char *value, bool comma)
{
	fprintf(f, "\"%s\":", key);
	json_print_string(f, value);
	if (comma)
		fputc(',', f);
}

static void json_stats(FILE *f, const struct unit_status *u)
{
	static const struct {
		uint16_t attr;
		const char *key;
	} keys[] = {
		{ PROTO_ATTR_MEM_CURRENT, "memory_current" },
		{ PROTO_ATTR_MEM_PEAK, "memory_peak" },
		{ PROTO_ATTR_MEM_MAX, "memory_max" },
		{ PROTO_ATTR_PIDS_CURRENT, "pids_current" },
		{ PROTO_ATTR_PIDS_MAX, "pids_max" },
		{ PROTO_ATTR_PIDS_EVENTS, "pids_refused" },
		{ PROTO_ATTR_CPU_USAGE_USEC, "cpu_usage_usec" },
		{ PROTO_ATTR_CPU_NR_PERIODS, "cpu_nr_periods" },
		{ PROTO_ATTR_CPU_NR_THROTTLED, "cpu_nr_throttled" },
		{ PROTO_ATTR_CPU_THROTTLED_USEC, "cpu_throttled_usec" },
		{ PROTO_ATTR_PSI_CPU_SOME, "psi_cpu_some" },
		{ PROTO_ATTR_PSI_CPU_FULL, "psi_cpu_full" },
		{ PROTO_ATTR_PSI_MEM_SOME, "psi_memory_some" },
		{ PROTO_ATTR_PSI_MEM_FULL, "psi_memory_full" },
		{ PROTO_ATTR_PSI_IO_SOME, "psi_io_some" },
		{ PROTO_ATTR_PSI_IO_FULL, "psi_io_full" },
		{ PROTO_ATTR_OOM_KILLS, "oom_kills" },
	};
	bool any = false;

	if (!u->cg_have) {
		fputs("null", f);
		return;
	}
	fputc('{', f);
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		uint64_t v = cg_get(u, keys[i].attr);
		if (!cg_has(u, keys[i].attr))
			continue;
		fprintf(f, "%s\"%s\":", any ? "," : "", keys[i].key);
		if (attr_is_psi(keys[i].attr))
			fprintf(f, "%llu.%02llu", (unsigned long long)(v / 100),
				(unsigned long long)(v % 100));
		else
			fprintf(f, "%llu", (unsigned long long)v);
		any = true;
	}
	if (cg_has(u, PROTO_ATTR_CPU_NR_PERIODS) && cg_has(u, PROTO_ATTR_CPU_NR_THROTTLED)) {
		uint64_t p = cg_get(u, PROTO_ATTR_CPU_NR_PERIODS);
		fprintf(f, ",\"cpu_throttled_percent\":%.1f",
			p ? 100.0 * (double)cg_get(u, PROTO_ATTR_CPU_NR_THROTTLED) / (double)p : 0.0);
	}
	fputc('}', f);
}

void status_print_json_fields(FILE *f, const struct unit_status *u)
{
	json_field_str(f, "name", u->name, true);
	json_field_str(f, "state", u->state, true);
	if (u->pid)
		fprintf(f, "\"pid\":%u,", u->pid);
	else
		fputs("\"pid\":null,", f);
	fprintf(f, "\"restarts\":%u,", u->restarts);
	fprintf(f, "\"since_usec\":%llu,", (unsigned long long)u->since_usec);
	json_field_str(f, "reason", u->reason, true);
	json_field_str(f, "cgroup", u->cgroup, true);
	json_field_str(f, "description", u->description, true);
	json_field_str(f, "status_text", u->status_text, true);
	if (unit_has_message(u)) {
		fputs("\"message\":\"", f);
		messages_each(u, json_message_cb, f);
		fputc('"', f);
	} else {
		fputs("\"message\":null", f);
	}
	fputs(",\"stats\":", f);
	json_stats(f, u);
	/* As the human form's "last failure" block: a status of named units
	 * carries it, the table of every unit does not. */
	fputs(",\"last_failure\":", f);
	if (!u->postmortem || postmortem_print_last_json(f, u->postmortem, u->postmortem_len) < 0)
		fputs("null", f);
}

void status_print_json(FILE *f, const struct unit_status *u, size_t n)
{
	fputc('[', f);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ",\n  {" : "\n  {", f);
		status_print_json_fields(f, &u[i]);
		fputc('}', f);
	}
	fputs(n ? "\n]\n" : "]\n", f);
}

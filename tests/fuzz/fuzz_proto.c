/* fuzz_proto.c — the control protocol, both directions.
 *
 * The input is one message as it arrives on the control socket. It goes
 *   1. through proto_hdr_decode and a nested attribute walk with every
 *      typed getter (the decoder PID 1 runs on any local client's bytes);
 *   2. as a request, through initd's command decoding (commands_dispatch on
 *      a manager holding no units: nothing is started or signalled); the
 *      reply it builds must be a well-formed message; then, if it only
 *      looks (status, show, logs, ...) or starts an instance, once more on
 *      a manager holding a unit never started, "a", whose log ring holds
 *      stamped lines and has wrapped, and a template "t": what a request
 *      does with a unit it finds (the logs' LINES/SINCE/UNTIL, the
 *      instance name check) runs too;
 *   3. as a reply, through svctl's STATUS parser and every way svctl prints
 *      it, through svctl's TREE output and its ANALYZE ones, and SHOW,
 *      SYSTEM, POSTMORTEM and METRICS (its DATA); the JSON output must be
 *      valid JSON whatever the bytes were, and a bad TREE, SHOW, SYSTEM or
 *      POSTMORTEM reply prints nothing.
 *
 * Properties: no crash, leak or read past the message; the iterator never
 * yields an attribute outside its container; replies built by initd decode. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "common/logtime.h"
#include "common/proto.h"
#include "initd/commands.h"
#include "initd/logwriter.h"
#include "initd/loop.h"
#include "initd/manager.h"
#include "initd/manager_internal.h"
#include "initd/nofork.h"
#include "svctl/analyze.h"
#include "svctl/output.h"
#include "tests/fuzz/fuzz.h"
#include "units/internal.h"

/* ---- a strict JSON checker (RFC 8259), for svctl --json -------------------- */

struct json { const char *p, *end; int depth; };

static void json_ws(struct json *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static bool json_lit(struct json *j, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n) != 0)
		return false;
	j->p += n;
	return true;
}

/* A string, with its UTF-8 checked byte by byte. */
static bool json_string(struct json *j)
{
	if (!json_lit(j, "\""))
		return false;
	while (j->p < j->end) {
		unsigned char c = (unsigned char)*j->p++;
		int more;

		if (c == '"')
			return true;
		if (c < 0x20)
			return false;
		if (c == '\\') {
			if (j->p >= j->end)
				return false;
			c = (unsigned char)*j->p++;
			if (c == 'u') {
				for (int i = 0; i < 4; i++, j->p++)
					if (j->p >= j->end || !strchr("0123456789abcdefABCDEF", *j->p) || !*j->p)
						return false;
			} else if (!strchr("\"\\/bfnrt", c) || !c) {
				return false;
			}
			continue;
		}
		if (c < 0x80)
			continue;
		more = c >= 0xf0 && c <= 0xf4 ? 3 : c >= 0xe0 ? (c < 0xf0 ? 2 : -1) : c >= 0xc2 ? 1 : -1;
		if (more < 0)
			return false;
		for (int i = 0; i < more; i++, j->p++)
			if (j->p >= j->end || ((unsigned char)*j->p & 0xc0) != 0x80)
				return false;
	}
	return false;
}

static bool json_digits(struct json *j)
{
	const char *start = j->p;

	while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
		j->p++;
	return j->p > start;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?  (no NaN, no Infinity) */
static bool json_number(struct json *j)
{
	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p < j->end && *j->p == '0')
		j->p++;
	else if (!(j->p < j->end && *j->p >= '1' && *j->p <= '9') || !json_digits(j))
		return false;
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		if (!json_digits(j))
			return false;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (!json_digits(j))
			return false;
	}
	return true;
}

static bool json_value(struct json *j)
{
	bool ok = false;

	if (++j->depth > 16)
		return false;
	json_ws(j);
	if (j->p >= j->end)
		return false;
	switch (*j->p) {
	case '{':
	case '[': {
		char close = *j->p == '{' ? '}' : ']';
		bool object = close == '}';

		j->p++;
		json_ws(j);
		if (j->p < j->end && *j->p == close) {
			j->p++;
			ok = true;
			break;
		}
		for (;;) {
			json_ws(j);
			if (object) {
				if (!json_string(j))
					return false;
				json_ws(j);
				if (!json_lit(j, ":"))
					return false;
			}
			if (!json_value(j))
				return false;
			json_ws(j);
			if (json_lit(j, ","))
				continue;
			ok = j->p < j->end && *j->p++ == close;
			break;
		}
		break;
	}
	case '"':
		ok = json_string(j);
		break;
	case 't': ok = json_lit(j, "true"); break;
	case 'f': ok = json_lit(j, "false"); break;
	case 'n': ok = json_lit(j, "null"); break;
	default:  ok = json_number(j); break;
	}
	j->depth--;
	return ok;
}

static bool json_valid(const char *s, size_t len)
{
	struct json j = { s, s + len, 0 };

	if (!json_value(&j))
		return false;
	json_ws(&j);
	return j.p == j.end;
}

/* ---- 1. the decoder ---------------------------------------------------------- */

static void walk(const uint8_t *p, size_t len, unsigned depth)
{
	struct proto_attr_iter it;
	struct proto_attr_view a;
	int r;

	proto_iter_init(&it, p, len);
	while ((r = proto_iter_next(&it, &a)) > 0) {
		uint32_t u32;
		uint64_t u64;
		const char *s;

		FUZZ_ASSERT(a.data >= p && a.len <= len && (size_t)(a.data - p) <= len - a.len);
		if (proto_get_u32(&a, &u32) == 0)
			FUZZ_ASSERT(a.len == 4);
		if (proto_get_u64(&a, &u64) == 0)
			FUZZ_ASSERT(a.len == 8);
		if (proto_get_str(&a, &s) == 0)
			FUZZ_ASSERT(strlen(s) + 1 == a.len);
		if (a.type == PROTO_ATTR_SERVICE && depth < PROTO_NEST_MAX)
			walk(a.data, a.len, depth + 1);
	}
	FUZZ_ASSERT(r == 0 || r == -EBADMSG);
	/* An error is sticky. */
	if (r < 0)
		FUZZ_ASSERT(proto_iter_next(&it, &a) == -EBADMSG);
}

/* ---- 2. initd's request decoding --------------------------------------------- */

static struct loop *loop;
static struct manager *manager;
static struct commands cmds;

static struct manager *loaded;
static struct commands loaded_cmds;

/* Stamped lines (at 1, 2, ... s past the epoch: the SINCE and UNTIL a
 * request names are small numbers), a line cut in two by a newline-less
 * chunk, and enough of them that the 1 KiB ring wraps. */
static void fill_log(struct service *s)
{
	struct svc *v = (struct svc *)((char *)s - offsetof(struct svc, s));
	char stamp[LOGTIME_SIZE], out[256], line[64];
	bool mid = false;

	FUZZ_ASSERT(!v->log);
	v->log = nofork_alloc(sizeof(*v->log));
	FUZZ_ASSERT(v->log);
	memset(v->log, 0, sizeof(*v->log));
	FUZZ_ASSERT(logbuf_init(&v->log->ring, 1024) == 0);
	for (unsigned i = 1; i <= 40; i++) {
		size_t used, n = (size_t)snprintf(line, sizeof(line), i % 7 ? "line %u\n" :
						  "half of line %u ", i), k;

		logtime_format(stamp, (uint64_t)i * 1000000);
		k = logwriter_stamp(stamp, line, n, &mid, out, sizeof(out), &used);
		FUZZ_ASSERT(used == n);
		logbuf_append(&v->log->ring, out, k);
	}
}

/* A set of one unit, "a" (its exec never runs: nothing boots the manager,
 * and the dispatch below never asks to start it), and a template "t". */
static void setup_loaded(void)
{
	struct manager_options opt = { .use_cgroup = false };
	struct unit_set *set = calloc(1, sizeof(*set));
	struct unit *u = unit_new("a", "a.unit");

	FUZZ_ASSERT(set && u && conf_init(&set->conf) == 0);
	u->exec = calloc(2, sizeof(char *));
	FUZZ_ASSERT(u->exec && (u->exec[0] = strdup("/nonexistent/fuzz-proto")));
	set->units = calloc(1, sizeof(*set->units));
	set->templates = calloc(2, sizeof(char *));
	FUZZ_ASSERT(set->units && set->templates && (set->templates[0] = strdup("t")));
	set->units[set->n_units++] = u;
	FUZZ_ASSERT(manager_new(loop, &opt, &loaded) == 0);
	FUZZ_ASSERT(manager_apply(loaded, set) == 0);
	fill_log(manager_find(loaded, "a"));
	loaded_cmds.manager = loaded;
}

static void setup(void)
{
	struct manager_options opt = { .use_cgroup = false };

	FUZZ_ASSERT(loop_new(&loop) == 0);
	FUZZ_ASSERT(manager_new(loop, &opt, &manager) == 0);
	cmds.manager = manager;
	setup_loaded();
}

/* May this request go to the manager holding "a"? What only looks, and a
 * start naming anything but "a" (an instance: refused before a load, as
 * these commands have no reload callback). */
static bool harmless_with_units(const struct proto_hdr *h, const uint8_t *payload, size_t len)
{
	struct proto_attr_iter it;
	struct proto_attr_view a;

	switch (h->type) {
	case PROTO_REQ_STATUS: case PROTO_REQ_SHOW: case PROTO_REQ_SYSTEM:
	case PROTO_REQ_TREE: case PROTO_REQ_LOGS: case PROTO_REQ_POSTMORTEM:
	case PROTO_REQ_ANALYZE: case PROTO_REQ_METRICS:
		return true;
	case PROTO_REQ_START:
		proto_iter_init(&it, payload, len);
		while (proto_iter_next(&it, &a) > 0)
			if (a.type == PROTO_ATTR_NAME && a.len == 2 && memcmp(a.data, "a", 2) == 0)
				return false;
		return true;
	default:
		return false;
	}
}

static void check_message(const struct proto_buf *b)
{
	struct proto_hdr h;
	struct unit_status *units = NULL;
	size_t n;

	FUZZ_ASSERT(b->error == 0 && b->len >= PROTO_HDR_SIZE);
	FUZZ_ASSERT(proto_hdr_decode(b->data, PROTO_REPLY_MAX, &h) == 0);
	FUZZ_ASSERT(h.len == b->len - PROTO_HDR_SIZE);
	FUZZ_ASSERT(h.type == PROTO_REPLY_OK || h.type == PROTO_REPLY_ERROR);
	walk(b->data + PROTO_HDR_SIZE, h.len, 0);
	FUZZ_ASSERT(status_parse(b->data + PROTO_HDR_SIZE, h.len, &units, &n) == 0);
	free(units);
}

static void dispatch_to(struct commands *to, const struct proto_hdr *h,
			const uint8_t *payload, size_t len)
{
	/* Only compared, never dereferenced: the client is a token for the
	 * deferred requests, which client_gone drops again below. */
	struct control_client *token = (struct control_client *)to;
	struct control_request req = {
		.type = h->type, .payload = payload, .len = (uint32_t)len,
		.pid = 1, .uid = 0, .gid = 0, .access = CONTROL_ADMIN,
	};
	struct proto_buf reply;
	int r;

	proto_buf_init(&reply, PROTO_HDR_SIZE + PROTO_REPLY_MAX);
	r = commands_dispatch(to, token, &req, &reply);
	FUZZ_ASSERT(r == 0 || r == CONTROL_DEFER || r < 0);
	if (r == 0)
		check_message(&reply);
	if (r == CONTROL_DEFER) {
		if (reply.len)
			check_message(&reply);
		commands_client_gone(to, token);
		/* Run the pass the deferral scheduled (nothing waits on it
		 * now), so that nothing piles up across inputs. */
		FUZZ_ASSERT(loop_run_once(loop, 0) >= 0);
	}
	FUZZ_ASSERT(to->pending == NULL && to->followers == NULL &&
		    to->instance_waiters == NULL && to->n_instances == 0);
	proto_buf_free(&reply);
}

static void dispatch(const struct proto_hdr *h, const uint8_t *payload, size_t len)
{
	/* The server never hands these on (control.c), nor the shutdowns:
	 * no callback here would do anything with them. */
	if (h->type == 0 || h->type >= PROTO_REQ_MAX)
		return;
	if (!manager)
		setup();
	dispatch_to(&cmds, h, payload, len);
	if (harmless_with_units(h, payload, len)) {
		dispatch_to(&loaded_cmds, h, payload, len);
		FUZZ_ASSERT(manager_find(loaded, "a")->state == SERVICE_STOPPED);
	}
}

/* ---- 3. svctl's reply parsing and output -------------------------------------- */

static void assert_json(const char *what, const char *out, size_t len)
{
	if (json_valid(out, len))
		return;
	fprintf(stderr, "invalid JSON from %s:\n%.*s\n", what, (int)len, out);
	FUZZ_ASSERT(!"svctl --json printed invalid JSON");
}

/* svctl tree [--json]: a TREE reply. */
static void svctl_tree(const uint8_t *payload, size_t len)
{
	size_t out_len = 0;
	char *out = NULL;
	FILE *f;
	int r;

	f = open_memstream(&out, &out_len);
	FUZZ_ASSERT(f);
	r = tree_print_at(f, payload, len, true, -1);
	FUZZ_ASSERT(r == 0 || r == -EBADMSG);
	FUZZ_ASSERT(fclose(f) == 0);
	if (r == 0)
		assert_json("tree_print", out, out_len);
	else
		FUZZ_ASSERT(out_len == 0);    /* nothing printed from a bad reply */
	free(out);
	f = open_memstream(&out, &out_len);
	FUZZ_ASSERT(f);
	FUZZ_ASSERT(tree_print_at(f, payload, len, false, -1) == r);
	FUZZ_ASSERT(fclose(f) == 0);
	free(out);
}

/* svctl analyze [--json|--svg]: an ANALYZE reply. */
static void svctl_analyze(const uint8_t *payload, size_t len)
{
	struct analyze a;
	size_t out_len = 0;
	char *out = NULL;
	FILE *f;

	if (analyze_parse(payload, len, &a) < 0)
		return;
	f = open_memstream(&out, &out_len);
	FUZZ_ASSERT(f);
	analyze_print_json(f, &a);
	FUZZ_ASSERT(fclose(f) == 0);
	assert_json("analyze_print_json", out, out_len);
	free(out);
	f = open_memstream(&out, &out_len);
	FUZZ_ASSERT(f);
	analyze_print(f, &a);
	analyze_print_svg(f, &a);
	FUZZ_ASSERT(fclose(f) == 0);
	free(out);
	analyze_free(&a);
}

/* One of svctl's printers of a reply that takes --json: printed whole or
 * not at all; as JSON, valid JSON. */
static void svctl_printer(const char *what, int (*print)(FILE *f, const void *payload,
							 size_t len, bool json),
			  const uint8_t *payload, size_t len)
{
	size_t out_len = 0;
	char *out = NULL;
	FILE *f;
	int r;

	f = open_memstream(&out, &out_len);
	FUZZ_ASSERT(f);
	r = print(f, payload, len, true);
	FUZZ_ASSERT(fclose(f) == 0);
	if (r == 0)
		assert_json(what, out, out_len);
	else
		FUZZ_ASSERT(out_len == 0);
	free(out);
	f = open_memstream(&out, &out_len);
	FUZZ_ASSERT(f);
	FUZZ_ASSERT(print(f, payload, len, false) == r);
	FUZZ_ASSERT(fclose(f) == 0);
	free(out);
}

static int postmortem_print_any(FILE *f, const void *payload, size_t len, bool json)
{
	return postmortem_print(f, "a", payload, len, json);
}

/* svctl metrics: a member's reply carries the text (no fd here). */
static void svctl_metrics(const uint8_t *payload, size_t len)
{
	size_t out_len = 0;
	char *out = NULL;
	FILE *f = open_memstream(&out, &out_len);
	int r;

	FUZZ_ASSERT(f);
	r = metrics_print(f, payload, len, -1);
	FUZZ_ASSERT(r == 0 || r == -EBADMSG || r == -EBADF);
	FUZZ_ASSERT(fclose(f) == 0);
	if (r < 0)
		FUZZ_ASSERT(out_len == 0);
	free(out);
}

static void svctl_side(const uint8_t *payload, size_t len)
{
	struct unit_status *units = NULL;
	size_t n, out_len = 0;
	char *out = NULL;
	FILE *f;

	svctl_tree(payload, len);
	svctl_analyze(payload, len);
	svctl_printer("show_print", show_print, payload, len);
	svctl_printer("system_print", system_print, payload, len);
	svctl_printer("postmortem_print", postmortem_print_any, payload, len);
	svctl_metrics(payload, len);
	if (status_parse(payload, len, &units, &n) < 0)
		return;
	f = open_memstream(&out, &out_len);
	FUZZ_ASSERT(f);
	status_print_json(f, units, n);
	FUZZ_ASSERT(fclose(f) == 0);
	assert_json("status_print_json", out, out_len);
	free(out);
	f = open_memstream(&out, &out_len);
	FUZZ_ASSERT(f);
	status_print_table(f, units, n, false);
	status_print_table(f, units, n, true);
	status_print_list(f, units, n, true);
	for (size_t i = 0; i < n; i++)
		status_print_detail(f, &units[i]);
	FUZZ_ASSERT(fclose(f) == 0);
	free(out);
	free(units);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proto_hdr h;
	const uint8_t *payload;
	size_t len;

	if (size < PROTO_HDR_SIZE || size > PROTO_HDR_SIZE + PROTO_REQUEST_MAX)
		return 0;
	payload = data + PROTO_HDR_SIZE;
	len = size - PROTO_HDR_SIZE;
	walk(payload, len, 0);
	svctl_side(payload, len);
	if (proto_hdr_decode(data, PROTO_REQUEST_MAX, &h) < 0)
		return 0;
	FUZZ_ASSERT(h.len <= PROTO_REQUEST_MAX);
	/* initd reads exactly h.len payload bytes; fewer never get this far. */
	if (h.len > len)
		return 0;
	dispatch(&h, payload, h.len);
	return 0;
}

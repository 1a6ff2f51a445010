/* show.c — `svctl show NAME`: one unit as initd parsed it (the UNIT_MODEL
 * of a SHOW reply, decoded and written here as libconfig text by
 * unit_dump: PID 1 formats none) and its runtime state (the SERVICE, as
 * `status NAME` has it). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/proto.h"
#include "common/util.h"
#include "svctl/output.h"
#include "units/unit.h"

/* Text from initd, its lines kept (print_clean_n). */
static void print_text(FILE *f, const char *s)
{
	print_clean_n(f, s, strlen(s), "\n\t");
}

/* "label     value\n", value NULL or empty shown as "-". */
static void print_field(FILE *f, const char *label, const char *value)
{
	fprintf(f, "%-10s", label);
	print_text(f, value && *value ? value : "-");
	fputc('\n', f);
}

/* The unit's diagnostics (a bad-config unit's), under "errors". */
static void print_errors(FILE *f, const struct unit_status *u)
{
	struct proto_attr_iter it;
	struct proto_attr_view a;
	const char *msg;
	bool first = true;

	proto_iter_init(&it, u->attrs, u->attrs_len);
	while (proto_iter_next(&it, &a) > 0) {
		if (a.type != PROTO_ATTR_MESSAGE || proto_get_str(&a, &msg) < 0)
			continue;
		if (first)
			fputs("errors\n", f);
		first = false;
		fputs("  ", f);
		print_text(f, msg);
		fputc('\n', f);
	}
}

static void show_print_human(FILE *f, const struct unit_status *u, const char *text)
{
	char buf[32];

	fputs("# ", f);
	print_clean(f, u->name);   /* initd's are plain; another server's may not be */
	fputs(".unit\n", f);
	print_text(f, text);
	fputc('\n', f);
	print_field(f, "state", u->state);
	if (u->pid)
		snprintf(buf, sizeof(buf), "%u", u->pid);
	print_field(f, "pid", u->pid ? buf : NULL);
	snprintf(buf, sizeof(buf), "%u", u->restarts);
	print_field(f, "restarts", buf);
	print_field(f, "since", format_duration(buf, sizeof(buf), u->since_usec));
	print_field(f, "last exit", u->reason);
	print_field(f, "cgroup", u->cgroup);
	print_field(f, "status", u->status_text);
	status_print_detail(f, u);
	print_errors(f, u);
}

/* The UNIT_MODEL as unit_dump writes it (or an older initd's UNIT_TEXT):
 * malloc'ed text, or NULL with *err -EBADMSG, -EPROTONOSUPPORT (a model
 * of another version) or -ENOMEM. */
static char *model_text(const void *payload, size_t len, int *err)
{
	struct proto_attr_view a;
	struct unit *u = NULL;
	char *text = NULL;
	size_t n = 0;
	FILE *f;

	*err = -EBADMSG;
	if (proto_attr_find(payload, len, PROTO_ATTR_UNIT_MODEL, &a) != 1) {
		const char *old;

		/* an initd from before UNIT_MODEL sends the text */
		if (proto_attr_find(payload, len, PROTO_ATTR_UNIT_TEXT, &a) != 1 ||
		    proto_get_str(&a, &old) < 0)
			return NULL;
		text = strdup(old);
		*err = text ? 0 : -ENOMEM;
		return text;
	}
	*err = unit_decode(a.data, a.len, &u);
	if (*err < 0)
		return NULL;
	f = open_memstream(&text, &n);
	*err = f ? unit_dump(u, f) : -ENOMEM;
	if (f && fclose(f) != 0 && *err == 0)
		*err = -ENOMEM;
	unit_free(u);
	if (*err < 0) {
		free(text);
		return NULL;
	}
	return text;
}

int show_print(FILE *f, const void *payload, size_t len, bool json)
{
	struct unit_status *units = NULL;
	_cleanup_free_ char *text = NULL;
	size_t n;
	int r;

	r = status_parse(payload, len, &units, &n);
	if (r < 0)
		return r;
	if (n == 1)
		text = model_text(payload, len, &r);
	if (!text) {
		free(units);
		return n == 1 && (r == -ENOMEM || r == -EPROTONOSUPPORT) ? r : -EBADMSG;
	}
	if (json) {
		fputs("{\"unit\":", f);
		json_print_string(f, text);
		fputc(',', f);
		status_print_json_fields(f, &units[0]);
		fputs("}\n", f);
	} else {
		show_print_human(f, &units[0], text);
	}
	free(units);
	return 0;
}

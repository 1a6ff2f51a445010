/* output.h — how svctl shows what initd answered: the status table, the
 * unit list, JSON for scripts. Parsing a STATUS reply lives here too, since
 * the table is what it is parsed for. */
#ifndef INITD_SVCTL_OUTPUT_H
#define INITD_SVCTL_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* One unit from a STATUS reply. Strings point into the reply's payload
 * (valid while it is); absent ones are NULL. */
struct unit_status {
	const char *name;
	const char *state;
	const char *reason;
	const char *cgroup;
	const char *description;
	const char *status_text;   /* the service's own STATUS= (notify) */
	const uint8_t *attrs;      /* the SERVICE attribute's data: its */
	uint32_t attrs_len;        /* MESSAGEs, one diagnostic each */
	uint32_t pid;              /* 0 = none */
	uint32_t restarts;
	uint64_t since_usec;
};

/* Parse the SERVICE attributes of a STATUS reply payload into a malloc'ed
 * array (*ret, caller frees). 0, -EBADMSG (malformed, or a SERVICE without
 * NAME or STATE) or -ENOMEM. */
int status_parse(const void *payload, size_t len, struct unit_status **ret, size_t *ret_n);

/* Human output. The status table is
 *   NAME  STATE  PID  RESTARTS  SINCE  REASON
 * one line per unit, columns padded to align and separated by at least two
 * spaces; PID "-" when none, REASON "-" when none (it may contain spaces
 * and is always last); a bad-config unit's diagnostics follow, one per
 * line, indented by two spaces. colour: ANSI colours for the state. */
void status_print_table(FILE *f, const struct unit_status *u, size_t n, bool colour);
/* NAME  STATE  DESCRIPTION */
void status_print_list(FILE *f, const struct unit_status *u, size_t n, bool colour);
/* A JSON array of objects: name, state, pid (null when none), restarts,
 * since_usec, reason, cgroup, description, status_text, message (null
 * when absent; a bad-config unit's diagnostics, one per line). */
void status_print_json(FILE *f, const struct unit_status *u, size_t n);

/* s as a JSON string literal (quotes included). Control characters are
 * escaped and invalid UTF-8 becomes U+FFFD, so the output is always valid
 * JSON. NULL prints null. */
void json_print_string(FILE *f, const char *s);

/* Whether to colour output on f: a tty, and $NO_COLOR unset. */
bool output_colour(FILE *f);

#endif

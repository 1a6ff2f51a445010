/* output.h — how svctl shows what initd answered: the status table, the
 * unit list, JSON for scripts. Parsing a STATUS reply lives here too, since
 * the table is what it is parsed for. */
#ifndef INITD_SVCTL_OUTPUT_H
#define INITD_SVCTL_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/proto.h"
#include "svctl/clean.h"

/* The cgroup statistics of a unit, by attribute: cg[attr - STATUS_CG_FIRST]
 * holds PROTO_ATTR_MEM_CURRENT .. PROTO_ATTR_OOM_KILLS (PSI ones in
 * hundredths of a percent), present when bit (attr - STATUS_CG_FIRST) of
 * cg_have is set. */
#define STATUS_CG_FIRST PROTO_ATTR_MEM_CURRENT
#define STATUS_CG_N     (PROTO_ATTR_OOM_KILLS - PROTO_ATTR_MEM_CURRENT + 1)

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
	uint32_t messages;         /* how many */
	uint32_t pid;              /* 0 = none */
	uint32_t restarts;
	uint64_t since_usec;
	uint32_t cg_have;
	uint64_t cg[STATUS_CG_N];
	const uint8_t *postmortem;  /* its last POSTMORTEM's data (one-unit */
	uint32_t postmortem_len;    /* status), NULL when none */
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
/* The system's lines above the status table (issue 14), from a STATUS
 * reply: "mode: NAME" when the boot mode is not "default", "rescue: WHY"
 * when the system is in rescue; nothing on a normal boot, so the table
 * still starts the output. */
void status_print_system(FILE *f, const void *payload, size_t len);
/* The detail block of one unit, printed under its table line by
 * `svctl status NAME`: memory current/peak/max, pids current/max (and forks
 * refused), CPU usage and throttling (periods throttled, their share, time),
 * PSI some/full avg10, OOM kills. Lines for what initd did not send are
 * left out; nothing is printed when there is none. */
void status_print_detail(FILE *f, const struct unit_status *u);
/* NAME  STATE  DESCRIPTION */
void status_print_list(FILE *f, const struct unit_status *u, size_t n, bool colour);
/* A JSON array of objects: name, state, pid (null when none), restarts,
 * since_usec, reason, cgroup, description, status_text, message (null
 * when absent; a bad-config unit's diagnostics, one per line), stats (null
 * without cgroup statistics, else an object of those read: any of these
 * for named units (initd's), memory_current and cpu_usage_usec alone for
 * every unit (svctl's, cgstat.h):
 * memory_current, memory_peak, memory_max, pids_current, pids_max,
 * pids_refused, cpu_usage_usec, cpu_nr_periods, cpu_nr_throttled,
 * cpu_throttled_usec, cpu_throttled_percent, psi_{cpu,memory,io}_{some,full}
 * (avg10, percent), oom_kills). */
void status_print_json(FILE *f, const struct unit_status *u, size_t n);
/* The members of one such object, without its braces: for replies that
 * embed a unit's status in an object of their own (show). */
void status_print_json_fields(FILE *f, const struct unit_status *u);

/* s as a JSON string literal (quotes included). Control characters are
 * escaped and invalid UTF-8 becomes U+FFFD, so the output is always valid
 * JSON. NULL prints null. */
void json_print_string(FILE *f, const char *s);

/* A TREE reply (tree.c): the cgroup tree, one node a line, indented by
 * depth, with its limits and cgroup.subtree_control below it; or, json,
 * an array of {path, kind, name, state, subtree_control, limits[],
 * messages[]}. 0 or -EBADMSG (nothing printed). */
int tree_print(FILE *f, const void *payload, size_t len, bool json);
/* The same, each node's subtree_control read below root_fd (-1: the
 * reply's, if any): tree_print opens the reply's CGROUP_ROOT for it. */
int tree_print_at(FILE *f, const void *payload, size_t len, bool json, int root_fd);

/* A SHOW reply (show.c): the unit's text as initd parsed it under a
 * "# NAME.unit" header, then its runtime state (state, pid, restarts,
 * since, last exit, cgroup, status text, the detail block of
 * status_print_detail, its errors); or, json, one object: "unit" (the
 * text) and the members status_print_json gives a unit. 0, -EBADMSG (not
 * exactly one SERVICE, or no well-formed UNIT_MODEL nor an older initd's
 * UNIT_TEXT; nothing printed), -EPROTONOSUPPORT (a model of another
 * version) or -ENOMEM. */
int show_print(FILE *f, const void *payload, size_t len, bool json);

/* A SYSTEM reply (system.c): initd's own state, today the hardware
 * watchdog: "watchdog STATE", then its device, the timeout the hardware
 * took (and the one asked), the last pet ("1.2s ago") and any error; or,
 * json, {"watchdog": {state, device, timeout_sec, asked_sec,
 * last_pet_usec_ago, pets, nowayout, error}} (null when absent). 0 or
 * -EBADMSG (nothing printed). */
int system_print(FILE *f, const void *payload, size_t len, bool json);
/* metrics: the Prometheus text initd rendered (initd/metrics.h), from the
 * reply or from `fd`, the one passed with it (-1: none); the same with
 * --json (the format is already machine-read). 0, -EBADMSG (no text,
 * less of it than announced, or an fd that is not a regular file: not
 * initd's memfd; nothing printed), -EBADF (the text was in an fd that did
 * not arrive) or -EIO (that fd could not be read); a failed write is f's
 * error. */
int metrics_print(FILE *f, const void *payload, size_t len, int fd);

/* Post-mortems (postmortem.c, issue 17). The "last failure" block of
 * `svctl status NAME` from a POSTMORTEM's data: "last failure: TIME
 * REASON (restarts N)", its counters, then its lines under "  | ". 0 or
 * -EBADMSG. */
#define POSTMORTEM_LINE_MAX 2048
int postmortem_print_last(FILE *f, const uint8_t *data, uint32_t len);
/* The same record as one JSON object, as postmortem --json gives each
 * (status --json's last_failure). 0 or -EBADMSG (nothing printed). */
int postmortem_print_last_json(FILE *f, const uint8_t *data, uint32_t len);
/* A POSTMORTEM reply: each record as above (headed "failure"), newest
 * first, a blank line between; or, json, an array of {time, time_usec,
 * reason, restarts, memory_peak, cpu_usage_usec, oom_kills, pids_peak
 * (null when not read), lines[]}. 0 or -EBADMSG (nothing printed). */
int postmortem_print(FILE *f, const char *name, const void *payload, size_t len, bool json);

/* Whether to colour output on f: a tty, and $NO_COLOR unset. */
bool output_colour(FILE *f);

#endif

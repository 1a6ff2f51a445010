/* unit.h — the unit-file model.
 *
 * A unit file (/etc/initd/units/NAME.unit, libconfig syntax) declares one
 * service. Parsing turns a directory of them, plus initd.conf, into a
 * `struct unit_set`: an immutable, fully validated model. Runtime state lives
 * elsewhere (initd/service.h) and points into the model; a reload builds a new
 * set and swaps it in, it never edits one in place.
 *
 * A unit that fails to parse or validate is still present in the set, with
 * `bad` set and its diagnostics attached, so that the supervisor can report it
 * as `bad-config` while every unit that does not depend on it starts.
 *
 * Only units/ includes libconfig. Nothing in units/ logs or exits: errors are
 * returned as diagnostics carrying FILE:LINE.
 */
#ifndef INITD_UNITS_UNIT_H
#define INITD_UNITS_UNIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Limits on everything that comes from outside. */
#define UNIT_NAME_MAX      64      /* bytes, NUL excluded: [A-Za-z0-9_.@-],
                                    * not starting with '.' or '-' */
#define UNIT_MAX           4096    /* units in one directory */
#define UNIT_FILE_MAX      (256 * 1024)  /* bytes in one unit file / initd.conf */
#define UNIT_STRING_MAX    4096    /* any single string value */
#define UNIT_ARGV_MAX      256     /* exec arguments */
#define UNIT_ENV_MAX       256     /* environment entries */
#define UNIT_DEPS_MAX      64      /* entries in requires / after */
#define UNIT_SLICE_DEPTH   8       /* components in a slice path "a/b/c" */
#define UNIT_SLICE_MAX     256     /* slices in initd.conf */
#define UNIT_MODULES_MAX   256     /* entries in initd.conf modules */
#define UNIT_DIAG_MAX      32      /* diagnostics per file; the last one
                                    * then says "too many errors" */
#define UNIT_CONFIG_DIR    "/etc/initd"   /* default home of initd.conf and units/ */
#define UNIT_ENCODE_VERSION 1      /* version byte of unit_set_encode's format */

enum unit_type {
	UNIT_SIMPLE,    /* ready once exec succeeded */
	UNIT_NOTIFY,    /* ready on READY=1 */
	UNIT_ONESHOT,   /* ready once it exited 0 */
	UNIT_TYPE_MAX,
};

enum unit_restart {
	UNIT_RESTART_NO,
	UNIT_RESTART_ON_FAILURE,
	UNIT_RESTART_ALWAYS,
	UNIT_RESTART_MAX,
};

/* One diagnostic: "FILE:LINE: message". line is 0 when unknown. */
struct unit_diag {
	char *file;
	int line;
	char *message;
};

struct unit_diags {
	struct unit_diag *v;
	size_t n;
};

/* The cgroup section of a unit. Grows with the cgroup issue (limits). */
struct unit_cgroup {
	char *slice;            /* slice path, default "system" */
};

struct unit {
	char *name;             /* from the file name, without ".unit" */
	char *file;             /* path it was read from */
	bool bad;               /* failed to parse/validate: see diags */
	struct unit_diags diags;

	char *description;      /* may be NULL */
	char **exec;            /* NULL-terminated argv, exec[0] absolute */
	enum unit_type type;
	char **requires;        /* NULL-terminated unit names (never NULL itself) */
	char **after;           /* NULL-terminated unit names (never NULL itself) */
	enum unit_restart restart;
	uint64_t restart_delay_usec;      /* default 100ms */
	uint64_t restart_delay_max_usec;  /* default 30s */
	unsigned start_limit_burst;       /* default 5, >= 1 */
	uint64_t start_limit_interval_usec; /* default 10s, > 0 */
	int stop_signal;                  /* default SIGTERM */
	uint64_t stop_timeout_usec;       /* default 5s */
	char *user;             /* name or numeric id, NULL = root */
	char *group;            /* name or numeric id, NULL = user's group */
	char **environment;     /* NULL-terminated "KEY=VALUE" (never NULL itself) */
	char *workdir;          /* NULL = "/" */

	struct unit_cgroup cgroup;
};

/* A slice declared in initd.conf. Limits come with the cgroup issue. */
struct unit_slice {
	char *path;             /* "apps" or "apps/db" */
};

enum crash_action {
	CRASH_FREEZE,
	CRASH_SHELL,
	CRASH_REBOOT,
	CRASH_POWEROFF,
	CRASH_ACTION_MAX,
};

/* initd.conf: global settings. Every field has a default, the file may be
 * absent. */
struct initd_conf {
	char *file;             /* path read, NULL when absent */
	char *hostname;         /* NULL = leave as is */
	enum crash_action crash_action;   /* default CRASH_REBOOT... see conf.c */
	char *control_group;    /* group allowed to read status; NULL = root only */
	char **modules;         /* NULL-terminated module names to load at boot
	                         * (never NULL itself) */
	struct unit_slice *slices;  /* sorted by path, so a parent comes before
	                             * its children; always holds "system" */
	size_t n_slices;
	uint64_t shutdown_timeout_usec;  /* total bound on an ordered stop, default 30s */
	size_t log_buffer_size;          /* per-service ring, default 64K */
};

/* The whole validated model: what initd runs. */
struct unit_set {
	struct initd_conf conf;
	struct unit **units;    /* sorted by name; includes bad units */
	size_t n_units;
	struct unit_diags diags;  /* every diagnostic: initd.conf's, the units
	                           * directory's, then each unit's in name order */
};

/* Parse DIR/units/\*.unit and DIR/initd.conf into a set, DIR being
 * UNIT_CONFIG_DIR: conf_path may be NULL for DIR/initd.conf; units_dir may be
 * NULL for DIR/units. Files not named NAME.unit and hidden files are skipped.
 * More than UNIT_MAX unit files is a diagnostic on the directory and loads no
 * unit at all (never an arbitrary subset).
 * Returns 0 and sets *ret (caller frees with unit_set_free) even when units
 * are bad (check ->diags.n); -errno only when nothing could be
 * read at all (e.g. -ENOMEM, or the units directory cannot be opened).
 * A missing initd.conf is not an error. */
int unit_set_load(const char *conf_path, const char *units_dir, struct unit_set **ret);

/* Parse one unit file (no cross-unit validation). Returns 0 and a unit
 * (possibly ->bad) in *ret, or -errno. Caller frees with unit_free. */
int unit_parse_file(const char *path, struct unit **ret);

/* Same, from memory; `file` names it in diagnostics and gives the unit name. */
int unit_parse_string(const char *file, const char *text, struct unit **ret);

void unit_free(struct unit *u);
void unit_set_free(struct unit_set *s);

/* Lookup by name in a set (binary search). NULL if absent. */
struct unit *unit_set_find(const struct unit_set *s, const char *name);

/* Order units so that every unit comes after its requires and after.
 * Fills order[] (n_units entries, indexes into s->units); ties are broken by
 * name. Bad units are placed but their own edges are ignored (they never
 * start, and a cycle leaves its units bad), so this always succeeds on a
 * loaded set; on a hand-built set with a cycle among good units it returns
 * -ELOOP. -ENOMEM otherwise possible. */
int unit_set_order(const struct unit_set *s, size_t *order);

/* Serialise a set into a self-contained byte buffer (malloc'd, *ret_len), and
 * back. This is how the forked loader hands a validated model to PID 1:
 * the decoder is bounded and never trusts its input.
 * encode: 0, -ENOMEM, or -EINVAL if the set breaks a limit the decoder
 * enforces. *ret is the caller's to free().
 * decode: 0 and a set that satisfies everything unit_set_load guarantees
 * (sorted unique names, good units complete, dependencies present and
 * acyclic, slices declared), -EBADMSG on any malformed or inconsistent
 * input, -EPROTONOSUPPORT on another version byte, -ENOMEM. Never reads past
 * len, never leaks. */
int unit_set_encode(const struct unit_set *s, void **ret, size_t *ret_len);
int unit_set_decode(const void *buf, size_t len, struct unit_set **ret);

/* Format a diagnostic as "FILE:LINE: message" ("FILE: message" when line is
 * 0) into buf, snprintf-style: returns the length it needed. */
size_t unit_diag_format(const struct unit_diag *d, char *buf, size_t size);

/* Two units are equal when every declared field is equal (reload diff). */
bool unit_equal(const struct unit *a, const struct unit *b);

/* Two configurations are equal when every field is (reload diff). */
bool initd_conf_equal(const struct initd_conf *a, const struct initd_conf *b);

/* Names for enums; parse helpers shared with initd and svctl. */
const char *unit_type_to_string(enum unit_type t);
const char *unit_restart_to_string(enum unit_restart r);
const char *crash_action_to_string(enum crash_action a);
bool unit_name_valid(const char *name);
/* "apps" or "apps/db": 1..UNIT_SLICE_DEPTH components, each a valid unit name. */
bool unit_slice_path_valid(const char *path);

/* "100ms", "5s", "2min", "1.5s", "250us", "0", "1min 30s" -> usec.
 * 0 or -EINVAL/-ERANGE. */
int parse_duration(const char *s, uint64_t *ret_usec);
/* "64M", "1G", "512K", "2T", "4096" (1024-based) -> bytes. "max" is not a
 * size. 0 or -EINVAL/-ERANGE. */
int parse_size(const char *s, uint64_t *ret_bytes);
/* "TERM", "SIGTERM", "9", "RTMIN+2" -> signal number. 0 or -EINVAL. */
int parse_signal(const char *s, int *ret_sig);
const char *signal_to_string(int sig);   /* "TERM"; NULL if unknown */

#endif

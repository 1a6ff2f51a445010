/* internal.h — what the files of units/ share and nobody else sees.
 *
 *   diag.c     a diagnostic "FILE:LINE: message": text, freeing
 *   diag_collect.c  diagnostics collected, values quoted, hints
 *   value.c    names: enums, signals, units, hosts, accounts
 *   value_parse.c  scalar syntaxes: durations, sizes, signals
 *   source.c   read a file with a bound, turn text into a libconfig tree
 *   setting.c  typed, strict getters over libconfig settings
 *   parse.c    one unit file -> struct unit
 *   conf.c     struct initd_conf: defaults, invariants
 *   conf_parse.c  initd.conf -> struct initd_conf
 *   set.c      a unit_set: find by name, invariants
 *   set_load.c a directory -> struct unit_set, cross-unit validation
 *   graph.c    dependency graph, topological order
 *   graph_cycles.c  its cycles reported
 *   unit.c     new, free, equal, string vectors
 *   encode.c   the binary form of a set
 *   compiled.c initd.model: a compiled set and the digest of its inputs
 *   dump.c     a unit, initd.conf, back into libconfig text
 *   limits.c   cgroup limits of units and slices, controller names, cpu lists
 *   limits_parse.c  those limits read from the keys
 *   slices.c   initd.conf's slices: freeing, invariants
 *   slices_parse.c  the slices read: parents, cpusets
 *   mounts.c   initd.conf's mounts, requires_mounts, mount options
 *   mounts_parse.c  their keys parsed
 *   envdirs.c  a unit's environment_files and directories
 *   envdirs_parse.c  their keys parsed from a unit file
 *   probes.c   a unit's ready and health probes
 *   probes_parse.c  their keys parsed
 *   template.c instance names, template names
 *   specifiers.c  specifiers expanded, substitution in a template
 *   instances.c initd.conf's instances: freeing, invariants
 *   instances_parse.c  the instances read; making the instances of a set
 *   isolation.c, isolation_parse.c  a unit's isolation keys: model, parser
 *   network.c, network_parse.c  network and bridges: model, parser
 *   escalation.c, escalation_parse.c  issue 14's keys: model, parser
 *   userns.c, userns_parse.c  user_namespace.auto, namespaces_from
 *   imagecheck.c --check --root: a set against the files of its image
 *   seccomp.c  a unit's seccomp filter: names, equality, invariants
 *   seccomp_parse.c  the seccomp key, its groups, the filter compiled to BPF
 */
#ifndef INITD_UNITS_INTERNAL_H
#define INITD_UNITS_INTERNAL_H

#include <libconfig.h>

#include "common/util.h"
#include "units/unit.h"

/* Longest value quoted into a message (longer ones end in "..."). */
#define DIAG_QUOTE_MAX  64
/* Buffer that holds any quoted value: every byte may become "\xNN". */
#define DIAG_QUOTE_SIZE (DIAG_QUOTE_MAX * 4 + 8)
/* Longest setting path ("slices[3].path") kept for messages. */
#define DIAG_PATH_SIZE  128

/* Bounds of initd.conf's log_buffer. */
#define LOG_BUFFER_MIN (4 * 1024)
#define LOG_BUFFER_MAX (16 * 1024 * 1024)

/* Where the diagnostics of one file go while it is parsed. */
struct parse_ctx {
	const char *file;           /* borrowed */
	struct unit_diags *diags;   /* borrowed, appended to */
	struct unit_diags *warnings;  /* borrowed, appended to by warn_add; NULL:
	                               * warnings are not looked for */
	bool failed;                /* an error was reported */
};

/* Lines of the isolation keys, for checks across keys and units. */
struct isolation_lines {
	int namespaces, hostname, rootfs, user_namespace, network, bridge, protect_proc;
	int no_new_privs_off;           /* an explicit no_new_privs = false */
	int userns_slot;                /* user_namespace.slot: 0 if unset */
	int namespaces_from, join[UNIT_JOIN_MAX];
};

/* Line numbers of the entries cross-unit validation reports on. */
struct unit_lines {
	int requires[UNIT_DEPS_MAX];
	int after[UNIT_DEPS_MAX];
	int slice;
	int cpuset_cpus;        /* cgroup.cpuset.cpus, .mems: 0 if unset */
	int cpuset_mems;
	int requires_mounts[UNIT_MOUNTS_MAX];
	struct isolation_lines iso;
	int on_failure, critical;   /* 0 if unset */
	int directories;        /* 0 if unset */
	int ready, health;      /* 0 if unset */
	int log_file;           /* log.file: 0 if unset */
	int subtree_control;    /* cgroup.subtree_control: 0 if unset */
};

/* diag_collect.c, diag.c (diags_clear) */
int diag_add(struct parse_ctx *c, int line, const char *fmt, ...) _printf_(3, 4);
/* A warning in c's file (c->warnings; nothing when NULL): c stays good.
 * At most UNIT_DIAG_MAX per list. 0 or -ENOMEM. */
int warn_add(struct parse_ctx *c, int line, const char *fmt, ...) _printf_(3, 4);
int diags_append(struct unit_diags *d, const char *file, int line, const char *msg);
/* A copy of file and msg at to->v[to->n], room made by the caller. */
int diags_set_at(struct unit_diags *to, const char *file, int line, const char *msg);
int diags_copy(struct unit_diags *to, const struct unit_diags *from);
int diags_copy_into(struct unit_diags *to, const struct unit_diags *from);
void diags_clear(struct unit_diags *d);
const char *diag_quote(char buf[static DIAG_QUOTE_SIZE], const char *s);
const char *hint_closest(const char *word, const char *const *candidates, size_t n);

/* value.c */
/* Decimal digits at *p into *ret, advancing *p. -EINVAL if there are none,
 * -ERANGE on overflow. */
int parse_digits(const char **p, uint64_t *ret);
bool hostname_valid(const char *s);
bool account_name_valid(const char *s);
bool module_name_valid(const char *s);
bool env_name_valid(const char *s);
extern const char *const unit_type_names[UNIT_TYPE_MAX];
extern const char *const unit_restart_names[UNIT_RESTART_MAX];
extern const char *const crash_action_names[CRASH_ACTION_MAX];
extern const char *const failure_action_names[FAILURE_ACTION_MAX];
const char *signal_hint(const char *s);   /* value_parse.c */
/* A signal name without "SIG" ("TERM") into *ret_sig; -EINVAL if unknown. */
int signal_from_name(const char *name, int *ret_sig);
/* The signal names (a static array), for hints: *ret_n of them. */
const char *const *signal_name_list(size_t *ret_n);

/* source.c: *ret_text is malloc'd, the caller's. -ENOENT is returned
 * without a diagnostic (initd.conf may be absent); other read errors are
 * reported in c and give -EINVAL. */
int source_read(struct parse_ctx *c, int dirfd, const char *path, char **ret_text);
/* Parse text into cfg (config_init'ed here; config_destroy it even on
 * failure). -EINVAL with a diagnostic when the text is not libconfig. */
int source_parse(struct parse_ctx *c, const char *text, config_t *cfg);

/* setting.c: each getter returns 0, -EINVAL after reporting a diagnostic,
 * or -ENOMEM. path names the setting in messages. */
struct key {
	const char *name;
	int (*parse)(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj);
};
int setting_line(const config_setting_t *s);
const char *setting_path(char buf[static DIAG_PATH_SIZE], const char *prefix, const char *name);
int setting_group(struct parse_ctx *c, config_setting_t *s, const char *path,
		  const struct key *keys, size_t n_keys, void *obj);
int setting_string(struct parse_ctx *c, config_setting_t *s, const char *path, const char **ret);
int setting_strdup(struct parse_ctx *c, config_setting_t *s, const char *path, char **ret);
int setting_strv(struct parse_ctx *c, config_setting_t *s, const char *path, size_t max, char ***ret);
int setting_int(struct parse_ctx *c, config_setting_t *s, const char *path, long long *ret);
int setting_int_range(struct parse_ctx *c, config_setting_t *s, const char *path, long long min,
		      long long max, long long *ret);
int setting_duration(struct parse_ctx *c, config_setting_t *s, const char *path, uint64_t *ret);
int setting_size(struct parse_ctx *c, config_setting_t *s, const char *path, uint64_t *ret);
int setting_enum(struct parse_ctx *c, config_setting_t *s, const char *path,
		 const char *const *names, size_t n, int *ret);
/* A user or group: a name, or (leading digit) a strict numeric id; what is
 * "user" or "group" for messages. */
int setting_account(struct parse_ctx *c, config_setting_t *s, const char *path,
		    const char *what, char **ret);
int setting_abspath(struct parse_ctx *c, config_setting_t *s, const char *path, char **ret);
/* s's number of entries into *ret_n; more than max is an error. */
int setting_length(struct parse_ctx *c, config_setting_t *s, const char *path, size_t max,
		   int *ret_n);
/* A list of at most max groups (an empty array will do), its length into
 * *ret_n. example, if not NULL, ends the message for another type. */
int setting_list(struct parse_ctx *c, config_setting_t *s, const char *path, size_t max,
		 const char *example, int *ret_n);
/* A list of groups whose good elements are kept, a bad one reported and
 * left out (initd.conf's bridges, mounts, instances): parse fills element
 * k of v from one group (c->failed starts false for it and says whether
 * it reported an error); an element with an error is emptied by clear. */
struct group_list {
	size_t max;             /* elements */
	size_t size;            /* bytes of one */
	const char *example;    /* for the "must be a list of groups" error */
	int (*parse)(struct parse_ctx *c, config_setting_t *s, const char *path, void *v, size_t k);
	void (*clear)(void *elem);
};
/* The good elements into a new array *ret (*ret_n of them); 0 even when
 * some were bad, -ENOMEM with nothing kept, or the list's own error. */
int setting_group_list(struct parse_ctx *c, config_setting_t *s, const char *path,
		       const struct group_list *l, void **ret, size_t *ret_n);
/* "path[i]", the path of an array or list element. */
const char *setting_elem_path(char buf[static DIAG_PATH_SIZE], const char *path, int i);
/* What a string value must be: valid() says. Messages say "'PATH': invalid
 * WHAT 'VALUE'" and hint (" (expected ...)"), if any; without what,
 * "'PATH': 'VALUE' must be MUST". */
struct string_rule {
	bool (*valid)(const char *v);
	const char *what;
	const char *hint;
	const char *must;
};
/* A string that meets rule, into a copy as setting_strdup. */
int setting_strdup_valid(struct parse_ctx *c, config_setting_t *s, const char *path,
			 const struct string_rule *rule, char **ret);
/* Checks one entry v (setting e, path "key[i]") of a string array: 0, or
 * what reporting it gave (-EINVAL, -ENOMEM). data is the caller's. */
typedef int strv_check_fn(struct parse_ctx *c, config_setting_t *e, const char *path,
			  const char *v, void *data);
/* setting_strv, then check on each entry, reporting every bad one. *ret
 * is replaced (its old vector freed) only when all pass. */
int setting_strv_checked(struct parse_ctx *c, config_setting_t *s, const char *path, size_t max,
			 strv_check_fn *check, void *data, char ***ret);
/* setting_strv_checked, keeping nothing but what check put in data. */
int setting_strv_each(struct parse_ctx *c, config_setting_t *s, const char *path, size_t max,
		      strv_check_fn *check, void *data);
/* For setting_strv_each(..., check_name_bit, &nb): each entry one of
 * names, none twice; messages call them what ("namespace"). */
struct name_bits {
	const char *const *names;
	size_t n;               /* at most 32 */
	const char *what;
	uint32_t bits;          /* out: 1 << the index of each entry */
};
int check_name_bit(struct parse_ctx *c, config_setting_t *e, const char *path, const char *v,
		   void *data);
/* setting_strv_checked with each entry meeting rule. */
int setting_strv_valid(struct parse_ctx *c, config_setting_t *s, const char *path, size_t max,
		       const struct string_rule *rule, char ***ret);
int setting_hostname(struct parse_ctx *c, config_setting_t *s, const char *path, char **ret);
int setting_slice_path(struct parse_ctx *c, config_setting_t *s, const char *path, char **ret);
/* parse.c: log.file / log.directory, log.max_size, log.keep (issue 14). */
/* logfiles.c: path is under /proc or /sys (however spelled): the
 * kernel's settings and attributes, never a log. */
bool log_path_is_kernel(const char *path);
/* path has a ".." component: where it leads no check of the text can tell. */
bool log_path_has_dotdot(const char *path);
int setting_log_path(struct parse_ctx *c, config_setting_t *s, const char *path, size_t max,
		     char **ret);
int setting_log_size(struct parse_ctx *c, config_setting_t *s, const char *path, uint64_t *ret);
int setting_log_keep(struct parse_ctx *c, config_setting_t *s, const char *path, unsigned *ret);
int setting_bool(struct parse_ctx *c, config_setting_t *s, const char *path, bool *ret);

/* parse.c */
int unit_parse_text(const char *file, const char *text, struct unit **ret,
		    struct unit_lines *ret_lines);
int unit_parse_at(int dirfd, const char *file, const char *name, struct unit **ret,
		  struct unit_lines *ret_lines);

/* conf_parse.c: conf is filled with defaults, then whatever the file sets;
 * problems go to diags. -ENOMEM only. */
int conf_load(const char *path, struct initd_conf *conf, struct unit_diags *diags);
/* conf_load, also looking for warnings (an unknown sysctl) into warnings. */
int conf_load_warn(const char *path, struct initd_conf *conf, struct unit_diags *diags,
		   struct unit_diags *warnings);
/* conf.c */
int conf_init(struct initd_conf *conf);
int rlimit_put(struct initd_conf *conf, const struct unit_rlimit *rl);
void conf_clear(struct initd_conf *conf);
struct unit_slice *conf_find_slice(const struct initd_conf *conf, const char *path);

/* graph.c: the dependency graph. */
/* Adjacency in compressed rows: node i's targets are
 * edges[start[i] .. start[i + 1]), sorted. */
struct graph {
	size_t n;
	size_t *start;
	size_t *edges;
};
int graph_build(const struct unit_set *s, bool skip_bad, struct graph *g);
void graph_free(struct graph *g);
/* graph_cycles.c: report every unit on a dependency cycle (they become bad). */
int graph_check_cycles(struct unit_set *s, const struct unit_lines *lines);

/* unit.c */
struct unit *unit_new(const char *name, const char *file);
/* The optional groups of a unit the loader is filling: its own (unit_new
 * made them), never a decoded set's, which are read-only in its arena. */
static inline struct unit_optional *unit_opt_own(struct unit *u)
{
	return (struct unit_optional *)u->opt;
}
/* A bad unit never runs, and a parser that failed may have left one of its
 * groups half-filled (a seccomp list without its filter, a probe kind
 * without a target): once the load's checks are done, its optional groups,
 * required mounts and environment files go back to their defaults, so
 * that the set's invariants (PID 1 checks them on the model) hold for it
 * too. Its diagnostics say what was wrong. 0 or -ENOMEM. */
int unit_forget_groups(struct unit *u);
/* A unit_optional with every default; NULL on ENOMEM. unit_optional_free
 * frees it and what it holds (NULL is fine). */
struct unit_optional *unit_optional_new(void);
void unit_optional_free(struct unit_optional *o);
char **strv_new(void);
void strv_free(char **v);
/* "NAME.unit", not hidden: a file a load reads (compiled.c). */
bool unit_file_name_ok(const char *name);
/* Up to UNIT_FILE_MAX + 1 bytes of fd into buf (that size): the length
 * read (one past the limit tells a file too large), or -errno. What a load
 * reads of a file, and so what a compiled model's digest hashes. */
ssize_t unit_file_read(int fd, char *buf);
size_t strv_length(char *const *v);
bool strv_equal(char *const *a, char *const *b);
bool streq_ptr(const char *a, const char *b);

/* limits.c, limits_parse.c: the cgroup limits of a unit or a slice. The
 * bounds the kernel takes, for the parser and the invariants alike: */
#define CPU_QUOTA_MIN 1000                /* usec, the kernel's minimum */
#define CPU_PERIOD_MIN 1000
#define CPU_PERIOD_MAX 1000000
#define WEIGHT_MIN 1
#define WEIGHT_MAX 10000
#define DEV_MAJOR_MAX 4095
#define DEV_MINOR_MAX 1048575
extern const char *const controller_names[UNIT_CONTROLLER_MAX];
void *value_of(struct unit_limits *l, enum unit_limit i);
int digits(const char **p, uint64_t *ret);
int cpulist_range(const char **p, uint64_t *lo, uint64_t *hi);
int cpulist_each(const char *list, int (*fn)(uint64_t lo, uint64_t hi, const void *d),
		 const void *data);
bool burst_within_quota(const struct unit_limits *l);
struct limits_parse {
	struct unit_limits *limits;   /* borrowed, filled in */
	const char *prefix;           /* "cgroup" or "slices[2]", for messages */
	int line[UNIT_LIMIT_MAX];     /* where each declared key was */
};
/* s is one of cpu, cpuset, memory, pids, io (a group). 0 or -ENOMEM;
 * -EINVAL for another name. */
int limits_parse_key(struct parse_ctx *c, config_setting_t *s, const char *path,
		     struct limits_parse *lp);
/* Checks across keys (memory.high <= max, min <= low). 0 or -ENOMEM. */
int limits_check(struct parse_ctx *c, const struct limits_parse *lp);
/* An array of controller names into UNIT_CONTROLLER_BIT()s. */
int limits_parse_controllers(struct parse_ctx *c, config_setting_t *s, const char *path,
			     uint32_t *ret);
bool limits_valid(const struct unit_limits *l);

/* slices_parse.c: initd.conf's slices (a conf key parser; obj is the
 * conf); slices.c: freeing, invariants. */
int parse_slices(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj);
void slices_clear(struct initd_conf *conf);   /* frees, leaves none */
bool slices_equal(const struct initd_conf *a, const struct initd_conf *b);
bool slices_valid(const struct initd_conf *conf);

/* logfiles.c: no two units' log or post-mortem files are one file, nor
 * one of them another's rotated name (FILE.N within its keep): each unit
 * whose log.file names such a file gets a diagnostic and is bad. 0 or
 * -ENOMEM. */
int logfiles_check_set(struct unit_set *s, const struct unit_lines *lines);

/* parse.c: what a key parser's obj holds (struct parse_state is private). */
struct unit *parse_state_unit(void *obj);
struct unit_lines *parse_state_lines(void *obj);

/* escalation_parse.c: on_failure, critical, modes, autostart (unit keys;
 * obj is the parse state), sysctl and boot_guard (initd.conf keys; obj is
 * the conf), the checks across keys and units; escalation.c: the
 * invariants. */
int parse_on_failure(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj);
int parse_critical(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj);
int parse_modes(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj);
int parse_autostart(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj);
int escalation_check(struct parse_ctx *c, struct unit *u, const struct unit_lines *l);
int parse_sysctl(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj);
int parse_boot_guard(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj);
/* Warnings into s->warnings for each requirement of u that the boot will
 * not start with it (autostart off, a mode u is in and it is not). */
int escalation_check_requires(struct unit_set *s, const struct unit *u,
			      const struct unit_lines *lines);
bool escalation_conf_valid(const struct initd_conf *conf);
/* escalation.c */
void sysctl_path(char *buf, size_t size, const char *entry, size_t name_len);
/* conf.c: initd.conf's metrics_file: absolute, under /run/, bounded, no
 * "." or ".." component (issue 17). */
bool metrics_file_valid(const char *v);
bool escalation_unit_valid(const struct unit *u);

/* isolation_parse.c: the isolation keys of a unit file (initd.unit(5)
 * ISOLATION), checks across them once the file is read; isolation.c: the
 * model's names, destructor, equality and the invariants a decoded unit
 * must meet. */
extern const char *const capability_names[UNIT_CAP_MAX];
/* The rlimit names (a static array), for hints: *ret_n of them. */
const char *const *rlimit_name_list(size_t *ret_n);
bool mount_target_valid(const char *p);
void bind_clear(struct unit_bind *b);
int parse_namespaces(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj);
int parse_iso_hostname(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj);
int parse_rootfs(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj);
int parse_capabilities(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj);
int parse_no_new_privs(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj);
int parse_protect_proc(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj);
int parse_supplementary_groups(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj);
int parse_rlimits(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj);
/* A group of NAME = LIMIT | [SOFT, HARD]: a unit's rlimits, initd.conf's
 * defaults. *ret (caller frees) only on success. */
int parse_rlimit_group(struct parse_ctx *c, config_setting_t *s, const char *path,
		       struct unit_rlimit **ret, size_t *ret_n);
bool rlimits_equal(const struct unit_rlimit *a, size_t na, const struct unit_rlimit *b,
		   size_t nb);
bool rlimits_valid(const struct unit_rlimit *v, size_t n);   /* known, soft <= hard */
int parse_umask(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj);
int parse_oom_score_adj(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj);
int parse_user_namespace(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj);
int isolation_check(struct parse_ctx *c, struct unit *u, const struct isolation_lines *l);
int isolation_init(struct unit_isolation *iso);
void isolation_clear(struct unit_isolation *iso);
bool isolation_equal(const struct unit_isolation *a, const struct unit_isolation *b);
bool isolation_valid(const struct unit_isolation *iso);

/* userns_parse.c: user_namespace.auto, namespaces_from (obj: the parse
 * state); userns.c: their model. */
int parse_userns_auto(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj);
int parse_userns_size(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj);
int parse_userns_slot(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj);
int parse_namespaces_from(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj);
/* auto's maps into u (isolation_check). 0 or -ENOMEM. */
int userns_check(struct parse_ctx *c, struct unit *u, const struct isolation_lines *l);
/* namespaces_from in u; a source unit becomes a requires + after. */
int join_check(struct parse_ctx *c, struct unit *u, struct unit_lines *l);
/* Across the set: auto ranges meet no other unit's; a source unit has
 * the namespace. Refused units become bad. 0 or -ENOMEM. */
int userns_check_set(struct unit_set *s, const struct unit_lines *lines);
/* A warning for each unit that delegates its cgroup (subtree_control)
 * from a user namespace whose uid map meets another unit's: the node goes
 * to ids that unit's processes may have. 0 or -ENOMEM. */
int userns_warn_shared_delegation(struct unit_set *s, const struct unit_lines *lines);
int join_check_set(struct unit_set *s, struct unit *u, const struct unit_lines *l);
bool userns_valid(const struct unit_isolation *iso);
/* userns.c: the pool slots a range of size ids takes. */
uint32_t slots_of(uint32_t size);
/* A unit name or an absolute path (a named namespace). */
bool join_source_valid(const char *v);
extern const enum unit_namespace join_ns[UNIT_JOIN_MAX];   /* what each kind joins */
bool join_valid(const struct unit_isolation *iso);

/* network_parse.c: the unit's network key, initd.conf's bridges and
 * ip_forward, and the cross-unit check that a veth's bridge is declared;
 * network.c: what an address is, the model's life and invariants. */
bool ipv4_valid(const char *s);
bool ipv6_valid(const char *s);
bool prefix_valid(const char *s);       /* "A.B.C.D/PREFIX" */
bool prefix6_valid(const char *s);      /* "IPV6/PREFIX", prefix 1..128 */
bool destination_valid(const char *s);  /* "NETWORK/PREFIX", host bits zero */
bool gateway_valid(const char *s);      /* an IPv4 or IPv6 address */
/* Why ip cannot be a link's address or gateway (unspecified, loopback,
 * multicast, IPv4 broadcast or 0.0.0.0/8), said as "is ..."; NULL: it can. */
const char *unit_ip_not_unicast(const struct unit_ip *ip);
/* "network" or "broadcast" when IPv4 address a is that one of its /prefix
 * subnet (/30 or wider), else NULL. */
const char *unit_ip4_subnet_edge(const unsigned char *a, unsigned prefix);
extern const char *const macvlan_mode_names[UNIT_MACVLAN_MODE_MAX];
void route_clear(void *elem);           /* a struct unit_route */
void bridge_clear(void *elem);          /* a struct unit_bridge */
int parse_network(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj);
int parse_bridges(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj);
int parse_ip_forward(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj);
int network_check_unit(const struct initd_conf *conf, struct unit *u, const struct unit_lines *l);
void network_conf_clear(struct initd_conf *conf);
/* conf.c: initd.conf's watchdog group, as the parser leaves it. */
bool watchdog_conf_valid(const struct unit_watchdog *w);
bool network_conf_equal(const struct initd_conf *a, const struct initd_conf *b);
bool network_conf_valid(const struct initd_conf *conf);
bool network_unit_valid(const struct unit_isolation *iso);
void network_unit_clear(struct unit_isolation *iso);
bool network_unit_equal(const struct unit_isolation *a, const struct unit_isolation *b);
void network_routes_clear(struct unit_isolation *iso);

/* mounts_parse.c: initd.conf's mounts, a unit's requires_mounts, the check
 * that each is declared; mounts.c: what their values are, the model's life
 * and invariants. */
bool where_valid(const char *s);
bool where_hides_initd(const char *s);   /* over initd's own /run, /proc... */
const char *what_problem(const char *what);   /* NULL when what is good */
bool type_valid(const char *s);
bool is_block_source(const char *what);       /* a path or a tag (UUID=...) */
bool type_needs_device(const char *type);     /* ext4, xfs...: not tmpfs, 9p */
extern const char *const mount_format_names[MOUNT_FORMAT_MAX];
const char *format_problem(const struct unit_mount *m);
void mount_clear(void *elem);                 /* a struct unit_mount */
bool mount8_word(const char *w);   /* an option only mount(8) and fstab know */
int parse_mounts(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj);
int parse_requires_mounts(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj);
int mounts_check_unit(const struct initd_conf *conf, struct unit *u, const struct unit_lines *l);
void mounts_conf_clear(struct initd_conf *conf);
bool mounts_conf_equal(const struct initd_conf *a, const struct initd_conf *b);
bool mounts_conf_valid(const struct initd_conf *conf);
bool mounts_unit_valid(const struct unit *u);
const struct unit_mount *mounts_find(const struct initd_conf *conf, const char *where);

/* seccomp_parse.c: a unit's seccomp key, its named groups, and its
 * compilation to BPF with libseccomp (issue 18); seccomp.c: the model's
 * names, life and invariants. */
struct seccomp_group {
	const char *name;       /* "@mount" */
	const char *members;    /* syscall and "@group" names, one space apart */
};
extern const struct seccomp_group seccomp_groups[];
extern const size_t seccomp_n_groups;
extern const char *const seccomp_default_names[UNIT_SECCOMP_DEFAULT_MAX];
int parse_seccomp(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj);
/* A filter goes in after PR_SET_NO_NEW_PRIVS, whatever no_new_privs says
 * (initd/spawn.c): u's model says true, as in effect, for --dump and svctl
 * show. l->no_new_privs_off stays the line of a no_new_privs = false that
 * a filter overrides (0 when none does), for seccomp_warn_no_new_privs. */
void seccomp_imply_no_new_privs(struct unit *u, struct isolation_lines *l);
/* The warning at that line, once a file (a template's instances share
 * it), into s->warnings. 0 or -ENOMEM. */
int seccomp_warn_no_new_privs(struct unit_set *s, const struct unit *u,
			      const struct isolation_lines *l);
const char *seccomp_errno_name(uint32_t err);   /* NULL if not in the table */
int seccomp_errno_from_name(const char *name, uint32_t *ret);   /* -EINVAL if not */
/* The errno names (a static array), for hints: *ret_n of them. */
const char *const *seccomp_errno_name_list(size_t *ret_n);
void seccomp_clear(struct unit_seccomp *sc);
bool seccomp_equal(const struct unit_seccomp *a, const struct unit_seccomp *b);
bool seccomp_valid(const struct unit_seccomp *sc);

/* envdirs_parse.c: a unit's environment_files and directories keys. */
int parse_environment_files(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj);
int parse_directories(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj);
int envdirs_check(struct parse_ctx *c, const struct unit *u, const struct unit_lines *l);
/* envdirs.c: a unit's environment_files and directories (issue 15). */
bool env_file_valid(const char *v);
/* Defaults into a new unit: 0 or -ENOMEM (unit_free frees what was made). */
int envdirs_init(struct unit *u);
int dirs_init(struct unit_directories *d);
void dirs_clear(struct unit_directories *d);
bool dirs_equal(const struct unit_directories *a, const struct unit_directories *b);
void envdirs_clear(struct unit *u);
bool envdirs_equal(const struct unit *a, const struct unit *b);
bool envdirs_valid(const struct unit *u);
/* probes_parse.c, probes.c: a unit's ready and health probes (issue 15):
 * the keys, the model. */
int parse_ready(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj);
int parse_health(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj);
int probes_check(struct parse_ctx *c, const struct unit *u, const struct unit_lines *l);
void probes_init(struct unit_optional *o);
bool probes_valid(const struct unit_probe *p);
/* specifiers.c: every string value below root with its specifiers
 * replaced (unit_specifiers_expand), a bad one reported in c. 0 or
 * -ENOMEM. */
int template_substitute(struct parse_ctx *c, config_setting_t *root, const char *name,
			const char *instance);
/* parse.c: the instance name of text, the template read from file, as a
 * unit (possibly bad) into *ret. -ENOMEM only. */
int unit_parse_instance(const char *file, const char *text, const char *name,
			const char *instance, struct unit **ret, struct unit_lines *ret_lines);
/* instances_parse.c: initd.conf's instances (a conf key parser), making
 * the instances of a set; instances.c: freeing, invariants. */
int parse_instances(struct parse_ctx *c, config_setting_t *s, const char *path, void *obj);
void instances_conf_clear(struct initd_conf *conf);
void instances_clear(void *elem);   /* a struct unit_instances */
/* A parsed unit with the lines cross-unit checks report at. */
struct load_entry {
	struct unit *unit;
	struct unit_lines lines;
};
struct load_entries {
	struct load_entry *v;
	size_t n, cap;
};
/* Append u (taken: freed on -ENOMEM). 0 or -ENOMEM. */
int load_entries_push(struct load_entries *e, struct unit *u, const struct unit_lines *lines);
/* The instances of s's templates (s->templates and s->conf are set; e
 * holds the plain units, sorted by name) appended to e: initd.conf's,
 * extra's (run-time ones; a gone template is a warning), and those the
 * units require or order after; each template no instance uses is parsed
 * with a placeholder instance into checks. Problems outside a unit go to
 * head. 0 or -ENOMEM. */
int instances_make(struct unit_set *s, int dirfd, const char *dir, struct load_entries *e,
		   struct unit_diags *head, char *const *extra, struct load_entries *checks);
/* what ("instance") and u's name before each of u's diagnostics. */
int instances_label_diags(struct unit *u, const char *what);
bool instances_conf_equal(const struct initd_conf *a, const struct initd_conf *b);
bool instances_conf_valid(const struct initd_conf *conf);

/* arena.c: one mmap'd block a decoded set's units are copied into
 * (encode.c), so PID 1 holds each unit as one run of bytes, strings
 * interned, instead of a tree of mallocs. Sized up front by the caller
 * (an upper bound: the unused tail is never touched, so costs no memory),
 * then trimmed. alloc: NULL when the block is full (a bug in the bound). */
struct unit_arena;
struct unit_arena *arena_new(size_t size);
void arena_free(struct unit_arena *a);                   /* accepts NULL */
void *arena_alloc(struct unit_arena *a, size_t n, size_t align);
/* s as an interned string of a: the same text gives the same pointer. */
char *arena_strdup(struct unit_arena *a, const char *s);
/* Give back the untouched tail, drop the interning table, and make the
 * block read-only: a sealed set is never written (arena.c says why). */
void arena_seal(struct unit_arena *a);
/* Bytes taken: by structs, strings and arrays (what the caller asked for
 * each, by alignment class), and the block's mapped size; records: of
 * used, what the caller said were optional records (arena_note_records). */
struct arena_usage {
	size_t used, strings, mapped, records;
};
void arena_note_records(struct unit_arena *a, size_t n);
void arena_usage(const struct unit_arena *a, struct arena_usage *u);

/* encode.c: unit_set_decode with its heap bounded by budget, not by
 * UNIT_DECODE_MAX (a test's measure of a set's margin). */
int set_decode_within(const void *buf, size_t len, size_t budget, struct unit_set **ret);
/* unit_set_encode_checked with the decode's heap bounded by budget (a
 * test's lowered bound, to refuse a small set). */
int set_encode_checked_within(const struct unit_set *s, size_t budget, void **ret,
			      size_t *ret_len, const char **why);

/* set.c */
int set_check_invariants(const struct unit_set *s);
/* What a unit must meet in any set (a lone unit from unit_decode): every
 * field in range, a good unit complete; not that its dependencies, slice
 * and mounts exist. */
bool unit_alone_valid(const struct unit *u);
int set_collect_diags(struct unit_set *s, const struct unit_diags *conf_diags);

#endif

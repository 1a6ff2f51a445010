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

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* Limits on everything that comes from outside. */
#define UNIT_SUCCESS_EXIT_MAX 320  /* success_exit entries: 256 statuses, 64 signals */
#define UNIT_NAME_MAX      64      /* bytes, NUL excluded: [A-Za-z0-9_.-],
                                    * not starting with '.' or '-'; or an
                                    * instance TEMPLATE@INSTANCE */
#define UNIT_INSTANCE_MAX  32      /* bytes of an instance name (template.c) */
#define UNIT_INSTANCES_MAX 256     /* groups in initd.conf's instances */
#define UNIT_INSTANCE_NAMES_MAX 1024  /* names in one of them */
#define UNIT_MAX           16384   /* units in one directory */
#define UNIT_FILE_MAX      (256 * 1024)  /* bytes in one unit file / initd.conf */
#define UNIT_STRING_MAX    4096    /* any single string value */
#define UNIT_ARGV_MAX      256     /* exec arguments */
#define UNIT_ENV_MAX       256     /* environment entries */
#define UNIT_DEPS_MAX      64      /* entries in requires / after */
#define UNIT_SLICE_DEPTH   8       /* components in a slice path "a/b/c" */
#define UNIT_SLICE_MAX     256     /* slices in initd.conf */
/* The longest service leaf below the cgroup root, "SLICE/NAME" (NUL
 * excluded): a slice path of UNIT_SLICE_DEPTH names of UNIT_NAME_MAX bytes
 * joined by '/', then '/' and the unit's name. Path buffers are sized from
 * this, never from a guess. */
#define UNIT_SLICE_PATH_MAX  (UNIT_SLICE_DEPTH * (UNIT_NAME_MAX + 1) - 1)
#define UNIT_CGROUP_PATH_MAX (UNIT_SLICE_PATH_MAX + 1 + UNIT_NAME_MAX)
_Static_assert(UNIT_CGROUP_PATH_MAX == 584, "slice depth or name limits changed: "
	       "check every buffer sized from UNIT_CGROUP_PATH_MAX");
#define UNIT_MODULES_MAX   256     /* entries in initd.conf modules */
#define UNIT_MODES_MAX     16      /* entries in a unit's modes */
#define UNIT_MODE_NAME_MAX 32      /* bytes of a mode name: [A-Za-z0-9_-] */
#define UNIT_SYSCTL_MAX    256     /* entries in initd.conf sysctl */
#define UNIT_SYSCTL_NAME_MAX 128   /* bytes of a sysctl name ("net.core.somaxconn") */
#define UNIT_SYSCTL_VALUE_MAX 256  /* bytes of its value */
#define UNIT_BOOT_GUARD_MAX 100    /* largest boot_guard.max */
/* Persistent logs (issue 14): a log file's path, its rotation size and the
 * rotated files kept. The path leaves room for ".100" and for
 * log.directory's "/NAME.log". */
#define UNIT_LOG_PATH_MAX     1024
#define METRICS_FILE_MAX      256     /* bytes of initd.conf's metrics_file */
#define METRICS_FILE_PREFIX   "/run/"
#define METRICS_INTERVAL_MIN  (1 * 1000000ULL)
#define METRICS_INTERVAL_MAX  (3600 * 1000000ULL)
#define UNIT_LOG_DIR_MAX      (UNIT_LOG_PATH_MAX - UNIT_NAME_MAX - 5)
#define UNIT_LOG_SIZE_MIN     (4ULL * 1024)
#define UNIT_LOG_SIZE_MAX     (1024ULL * 1024 * 1024)
#define UNIT_LOG_SIZE_DEFAULT (1024ULL * 1024)
#define UNIT_LOG_KEEP_MAX     100
#define UNIT_POSTMORTEMS_MAX  32
#define UNIT_LOG_KEEP_DEFAULT 3
#define UNIT_PIDFILE_DIR   "/run/"  /* a pidfile lives below it (tmpfs) */
#define UNIT_PIDFILE_MAX   256     /* bytes of a pidfile path */
#define UNIT_RUN_OWN       "initd"  /* /run/initd: initd's control and
                                    * notify sockets; no unit's */
#define UNIT_DIAG_MAX      32      /* diagnostics per file; the last one
                                    * then says "too many errors" */
#define UNIT_SET_DIAGS_MAX ((UNIT_MAX + 2) * UNIT_DIAG_MAX)   /* a set's, all told
                                    * (placeholders' too); the same */
/* ... and the bytes of their text (file and message, each with its NUL),
 * but for that last one: so many long ones (a long path, a message quoting
 * values) were over the UNIT_MODEL_MAX of the model that carries them.
 * A quarter of it; a set's usual errors take a few hundred bytes each.
 * Its units' own lists, all told, stop at the same (set_load.c). */
#define UNIT_SET_DIAGS_BYTES_MAX (16u * 1024 * 1024)
#define UNIT_CONFIG_DIR    "/etc/initd"   /* default home of initd.conf and units/ */
#define UNIT_ENCODE_VERSION 2      /* version byte of unit_set_encode's format */

enum unit_type {
	UNIT_SIMPLE,    /* ready once exec succeeded */
	UNIT_NOTIFY,    /* ready on READY=1 */
	UNIT_ONESHOT,   /* ready once it exited 0 */
	UNIT_FORKING,   /* ready once it exited 0 and its daemon's main PID is
	                 * known: from `pidfile`, or the one process left in
	                 * its leaf (doc/DESIGN.md §6, forking daemons) */
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

/* ---- cgroup (issue 4): limits of services and slices -------------------- */

#define UNIT_UNLIMITED      UINT64_MAX   /* a limit written as "max" */
#define UNIT_IO_DEVICES_MAX 16           /* io.max entries */
#define UNIT_CPULIST_MAX    256          /* bytes of a cpuset.cpus / .mems list */
#define UNIT_CPULIST_ID_MAX 8191         /* largest CPU or memory node number */
#define UNIT_CPU_PERIOD_DEFAULT 100000   /* usec: the kernel's cpu.max period */
/* usec: any duration (ten years). A deadline now + it never wraps, nor
 * a restart delay doubled. */
#define UNIT_DURATION_MAX     (3650ULL * 24 * 3600 * 1000000)
#define UNIT_LIMIT_DURATION_MAX ((1ULL << 44) - 1)   /* usec: the kernel's CFS
					      * bandwidth bound (MAX_BW) */

/* cgroup v2 controllers, in the kernel's order. */
enum unit_controller {
	UNIT_CONTROLLER_CPUSET,
	UNIT_CONTROLLER_CPU,
	UNIT_CONTROLLER_IO,
	UNIT_CONTROLLER_MEMORY,
	UNIT_CONTROLLER_HUGETLB,
	UNIT_CONTROLLER_PIDS,
	UNIT_CONTROLLER_RDMA,
	UNIT_CONTROLLER_MISC,
	UNIT_CONTROLLER_MAX,
};
#define UNIT_CONTROLLER_BIT(c) (1U << (c))

/* Every cgroup limit key, one row each: the single table that parsing,
 * validation, controller needs, equality, dump and the kernel write read
 * (units/limits*.c, units/dump.c, initd/cgroup_limits.c). A new key is a
 * field in struct unit_limits, a row here, an encode tag (units/encode.c)
 * and a man-page line. Rows are in dump order, which is also the order the
 * kernel files are written in.
 *
 * The last column is what the kernel's file holds until written, which a
 * reload writes back when a slice stops declaring the key (io.max has one
 * per device: "MAJ:MIN rbps=max ...").
 *
 *   NAME            group     key          kernel file        field            kind       controller  reset */
#define UNIT_LIMITS(X) \
	X(CPU_MAX,         "cpu",    "max",       "cpu.max",          cpu_quota_usec,   CPU_MAX,   CPU, "max 100000") \
	X(CPU_WEIGHT,      "cpu",    "weight",    "cpu.weight",       cpu_weight,       WEIGHT,    CPU, "100") \
	X(CPUSET_CPUS,     "cpuset", "cpus",      "cpuset.cpus",      cpuset_cpus,      CPULIST,   CPUSET, "\n") \
	X(CPUSET_MEMS,     "cpuset", "mems",      "cpuset.mems",      cpuset_mems,      CPULIST,   CPUSET, "\n") \
	X(MEMORY_MAX,      "memory", "max",       "memory.max",       memory_max,       SIZE,      MEMORY, "max") \
	X(MEMORY_HIGH,     "memory", "high",      "memory.high",      memory_high,      SIZE,      MEMORY, "max") \
	X(MEMORY_LOW,      "memory", "low",       "memory.low",       memory_low,       SIZE,      MEMORY, "0") \
	X(MEMORY_MIN,      "memory", "min",       "memory.min",       memory_min,       SIZE,      MEMORY, "0") \
	X(MEMORY_SWAP_MAX, "memory", "swap_max",  "memory.swap.max",  memory_swap_max,  SIZE,      MEMORY, "max") \
	X(MEMORY_OOM_GROUP,"memory", "oom_group", "memory.oom.group", memory_oom_group, BOOL,      MEMORY, "0") \
	X(PIDS_MAX,        "pids",   "max",       "pids.max",         pids_max,         COUNT,     PIDS, "max") \
	X(IO_WEIGHT,       "io",     "weight",    "io.weight",        io_weight,        IO_WEIGHT, IO, "default 100") \
	X(IO_MAX,          "io",     "max",       "io.max",           io_max,           IO_MAX,    IO, NULL) \
	/* after cpu.max: the kernel refuses a burst above the quota */ \
	X(CPU_MAX_BURST,   "cpu",    "max_burst", "cpu.max.burst",    cpu_burst_usec,   DURATION,  CPU, "0")

/* Bits of unit_limits.declared: which keys a unit or slice sets. */
enum unit_limit {
#define UNIT_LIMIT_ENUM(name, ...) UNIT_LIMIT_##name,
	UNIT_LIMITS(UNIT_LIMIT_ENUM)
#undef UNIT_LIMIT_ENUM
	UNIT_LIMIT_MAX,
};
#define UNIT_LIMIT_BIT(l) (1U << (l))

/* How a limit's value is read, held, compared, dumped and written. The
 * field at the row's offset has the kind's type. Every switch over a kind
 * has no default, so -Wswitch names each place a new kind must be handled. */
enum unit_limit_kind {
	UNIT_LIMIT_KIND_SIZE,       /* uint64_t bytes or UNIT_UNLIMITED: "64M", "max" */
	UNIT_LIMIT_KIND_COUNT,      /* uint64_t 0..INT32_MAX or UNIT_UNLIMITED */
	UNIT_LIMIT_KIND_WEIGHT,     /* uint32_t 1..10000, written "N" */
	UNIT_LIMIT_KIND_IO_WEIGHT,  /* the same, written "default N" */
	UNIT_LIMIT_KIND_BOOL,       /* bool, written 0 or 1 */
	UNIT_LIMIT_KIND_DURATION,   /* uint64_t usec, 0..UNIT_LIMIT_DURATION_MAX */
	UNIT_LIMIT_KIND_CPULIST,    /* char *, the kernel's list syntax */
	UNIT_LIMIT_KIND_CPU_MAX,    /* cpu_quota_usec then cpu_period_usec */
	UNIT_LIMIT_KIND_IO_MAX,     /* io_max[n_io_max], a kernel line per device */
	UNIT_LIMIT_KIND_MAX,
};

/* One row of UNIT_LIMITS: `group`.`key` in a unit's cgroup group or a
 * slice, the value at `offset` in struct unit_limits, written to the
 * node's `file`, needing `controller` enabled above the node. */
struct unit_limit_desc {
	const char *group;
	const char *key;
	const char *file;
	size_t offset;
	enum unit_limit_kind kind;
	enum unit_controller controller;
	const char *reset;      /* the kernel's default; NULL: per device */
};
/* Indexed by enum unit_limit, a row for each (units/limits.c). */
extern const struct unit_limit_desc unit_limit_table[UNIT_LIMIT_MAX];
/* Where key i's value is in l (its kind says the type). */
#define unit_limit_value(l, i) ((const void *)((const char *)(l) + unit_limit_table[(i)].offset))

/* io.max for one device; UNIT_UNLIMITED where "max" or not given. */
struct unit_io_limit {
	uint32_t major, minor;
	uint64_t rbps, wbps;    /* bytes per second */
	uint64_t riops, wiops;  /* operations per second */
};

/* Resource limits, the same for a service's cgroup and a slice. A value
 * counts only when its bit is in `declared`; sizes are bytes, UNIT_UNLIMITED
 * meaning "max". */
struct unit_limits {
	uint32_t declared;          /* UNIT_LIMIT_BIT() set */
	uint64_t cpu_quota_usec;    /* cpu.max: quota per period, or UNIT_UNLIMITED */
	uint64_t cpu_period_usec;   /* cpu.max: period, 1000..1000000 */
	uint32_t cpu_weight;        /* 1..10000 */
	uint64_t cpu_burst_usec;    /* cpu.max.burst: usec a period may borrow, <= quota */
	char *cpuset_cpus;          /* kernel list syntax ("0-1,4"), or NULL */
	char *cpuset_mems;
	uint64_t memory_max;
	uint64_t memory_high;
	uint64_t memory_low;
	uint64_t memory_min;
	uint64_t memory_swap_max;
	bool memory_oom_group;
	uint64_t pids_max;          /* or UNIT_UNLIMITED */
	uint32_t io_weight;         /* 1..10000 */
	struct unit_io_limit *io_max;   /* n_io_max, one per device */
	size_t n_io_max;
};

/* Bounds on a delegated subtree (cgroup.max.depth, cgroup.max.descendants
 * of the service's node): levels below the node, "main" being the first,
 * and cgroups in all. The kernel refuses a mkdir beyond them, so a service
 * cannot grow its subtree without bound, and removing it is bounded too. */
#define UNIT_DELEGATE_DEPTH_DEFAULT        16
#define UNIT_DELEGATE_DEPTH_MAX            64
#define UNIT_DELEGATE_DESCENDANTS_DEFAULT  256
#define UNIT_DELEGATE_DESCENDANTS_MAX      65536

/* The cgroup section of a unit; its limits are among the optional groups
 * (struct unit_optional). */
struct unit_cgroup {
	char *slice;            /* slice path, default "system" */
	uint32_t subtree_control;  /* UNIT_CONTROLLER_BIT() set the service may
	                            * use below its node; 0 = no delegation */
	uint32_t delegate_max_depth;        /* 1..UNIT_DELEGATE_DEPTH_MAX */
	uint32_t delegate_max_descendants;  /* 1..UNIT_DELEGATE_DESCENDANTS_MAX */
};

/* ---- isolation (issue 5): namespaces, rootfs, credentials, network ---- */

#define UNIT_BINDS_MAX     64      /* rootfs.binds entries */
#define UNIT_TMPFS_MAX     32      /* rootfs.tmpfs entries */
#define UNIT_FROM_HOST_MAX 64      /* rootfs.from_host entries */
#define UNIT_GROUPS_MAX    32      /* supplementary_groups entries */
#define UNIT_ID_MAP_MAX    5       /* lines in a uid_map / gid_map */
#define UNIT_BRIDGES_MAX   16      /* bridges in initd.conf */
#define UNIT_ROUTES_MAX    16      /* network.*.routes entries */
#define UNIT_CAP_MAX       41      /* capability numbers 0..40 (CAP_CHECKPOINT_RESTORE) */
#define UNIT_ID_MAP_DEFAULT "0 100000 65536"   /* user ns without user_namespace */
/* user_namespace.auto (issue 18.3): ranges of the pool, one or more slots
 * of UNIT_USERNS_SLOT ids from UNIT_USERNS_POOL_BASE, above the static
 * ranges (the default one, subuid's usual 100000.. blocks). */
#define UNIT_USERNS_POOL_BASE  0x10000000U
#define UNIT_USERNS_SLOT       65536U
#define UNIT_USERNS_SLOTS      0xE000U    /* up to 0xF0000000 */
#define UNIT_USERNS_SIZE_MAX   (256U * UNIT_USERNS_SLOT)   /* ids of one auto range */

/* namespaces_from (issue 18.4): the kinds a unit may join. */
enum unit_join {
	UNIT_JOIN_NET,
	UNIT_JOIN_UTS,
	UNIT_JOIN_IPC,
	UNIT_JOIN_MAX,
};

/* Bits of unit_isolation.namespaces, in the order of unit_namespace_names. */
enum unit_namespace {
	UNIT_NS_PID,
	UNIT_NS_MOUNT,
	UNIT_NS_UTS,
	UNIT_NS_IPC,
	UNIT_NS_NET,
	UNIT_NS_USER,
	UNIT_NS_CGROUP,
	UNIT_NS_MAX,
};
#define UNIT_NS_BIT(ns) (1U << (ns))

/* rootfs.binds[]: source on the host, target inside the rootfs. */
struct unit_bind {
	char *source;           /* absolute host path */
	char *target;           /* absolute path inside the rootfs */
	bool readonly;
};

/* rlimits.NAME = soft and hard limit (UINT64_MAX = infinity). */
struct unit_rlimit {
	int resource;           /* RLIMIT_* */
	uint64_t soft, hard;    /* soft <= hard; UINT64_MAX = infinity */
};

struct unit_isolation {
	uint32_t namespaces;    /* UNIT_NS_BIT() set */
	char *hostname;         /* needs "uts"; NULL = inherited */
	char *rootfs;           /* rootfs.path, needs "mount"; NULL = the host's /, or
	                         * with from_host a fresh tmpfs (unit_has_rootfs) */
	bool rootfs_readonly;
	char **from_host;       /* rootfs.from_host: NULL-terminated absolute host paths
	                         * bound read-only at the same paths, with the libraries
	                         * the ELF ones need (never NULL) */
	struct unit_bind *binds;  /* n_binds; needs rootfs */
	size_t n_binds;
	char **tmpfs;           /* NULL-terminated targets inside the rootfs (never NULL) */
	bool has_capabilities;  /* "capabilities" given: everything else is dropped */
	uint64_t capabilities;  /* bit per capability number */
	bool no_new_privs;
	bool proc_unprotected;  /* protect_proc = false: the service's /proc as the kernel
	                         * makes it (default: sysctls read-only, kcore... masked) */
	char **supplementary_groups;  /* NULL-terminated names or ids (never NULL) */
	struct unit_rlimit *rlimits;  /* n_rlimits, at most one per resource */
	size_t n_rlimits;
	uint32_t umask;         /* default 0022 */
	bool has_oom_score_adj;
	int32_t oom_score_adj;  /* -1000..1000 */
	char *uid_map;          /* "IN OUT COUNT\n"..., set iff "user" is declared */
	char *gid_map;
	char *veth_bridge;      /* network.veth.bridge: the veth's host end joins it */
	char *veth_address;     /* "A.B.C.D/PREFIX" for the service's eth0 (veth or
	                         * macvlan), or NULL */
	char *veth_gateway;     /* "A.B.C.D" or NULL: no default route */
	/* user_namespace.auto (issue 18.3): uid_map and gid_map above are then
	 * "0 POOL_BASE+slot*SLOT size", derived from the name (units/userns_parse.c) */
	bool userns_auto;
	uint32_t userns_size;   /* ids mapped; 0 unless auto */
	uint32_t userns_slot;   /* first slot in the pool; 0 unless auto */
	/* namespaces_from (issue 18.4): per unit_join kind, a unit name (its
	 * main process's namespace; implies requires and after) or an absolute
	 * path (/run/netns/foo); NULL = none. Never with the same kind in
	 * namespaces, nor with "user". */
	char *join[UNIT_JOIN_MAX];
	/* IPv6 and more link kinds (issue 18). unit_link_kind() says which link
	 * the service gets; every address below is added without DAD. */
	char *veth_address6;    /* "IPV6/PREFIX" for eth0, or NULL */
	char *veth_gateway6;    /* IPv6 default route's gateway, or NULL */
	char *veth_host_address;   /* network.veth.host_address: a point-to-point
	                            * veth (no bridge) whose host end has this */
	char *veth_host_address6;  /* and/or this "IPV6/PREFIX" */
	char *macvlan_interface;   /* network.macvlan.interface: the host's lower
	                            * device, NULL = no macvlan */
	uint32_t macvlan_mode;     /* enum unit_macvlan_mode */
	struct unit_route *routes; /* n_routes static routes inside the netns */
	size_t n_routes;
};

/* The service's network link: at most one kind per unit. */
enum unit_link_kind {
	UNIT_LINK_NONE,         /* lo only (or no net namespace) */
	UNIT_LINK_BRIDGE,       /* veth, host end in a bridge */
	UNIT_LINK_P2P,          /* veth, host end addressed, no bridge */
	UNIT_LINK_MACVLAN,      /* macvlan on a host interface */
};

enum unit_macvlan_mode {
	UNIT_MACVLAN_BRIDGE,    /* the default: macvlans of one lower device talk */
	UNIT_MACVLAN_PRIVATE,
	UNIT_MACVLAN_VEPA,
	UNIT_MACVLAN_PASSTHRU,
	UNIT_MACVLAN_MODE_MAX,
};

static inline enum unit_link_kind unit_link_kind(const struct unit_isolation *iso)
{
	if (iso->macvlan_interface)
		return UNIT_LINK_MACVLAN;
	if (iso->veth_bridge)
		return UNIT_LINK_BRIDGE;
	if (iso->veth_host_address || iso->veth_host_address6)
		return UNIT_LINK_P2P;
	return UNIT_LINK_NONE;
}

/* Does the unit get a root of its own: rootfs.path, or a tmpfs filled
 * from rootfs.from_host? */
static inline bool unit_has_rootfs(const struct unit_isolation *iso)
{
	return iso->rootfs || (iso->from_host && iso->from_host[0]);
}

/* ---- seccomp (issue 18) ---- */

#define UNIT_SECCOMP_NAMES_MAX  512     /* entries of seccomp.deny, of seccomp.allow */
#define UNIT_SECCOMP_INSNS_MAX  4096    /* BPF instructions of a compiled filter */
#define UNIT_SECCOMP_ERRNO_MAX  4095    /* the kernel's MAX_ERRNO */

/* seccomp.default: what a call in neither list meets. */
enum unit_seccomp_default {
	UNIT_SECCOMP_ALLOW,     /* a denylist: only seccomp.deny is refused */
	UNIT_SECCOMP_ERRNO,     /* an allowlist: the rest fails with errno (EPERM) */
	UNIT_SECCOMP_KILL,      /* an allowlist: the rest kills the process (SIGSYS) */
	UNIT_SECCOMP_DEFAULT_MAX,
};

/* seccomp = { ... } as declared, and the filter the loader compiled from
 * it with libseccomp (units/seccomp_parse.c): PID 1 only carries the program,
 * the child installs it last before exec (initd/spawn.c). */
struct unit_seccomp {
	uint32_t default_action;  /* enum unit_seccomp_default */
	uint32_t errno_value;     /* errno = "NAME": what a refused call returns;
	                           * 0 = a denied call kills the process */
	char **deny;              /* NULL-terminated syscall and "@group" names as
	                           * declared; NULL = none */
	char **allow;
	struct sock_filter *bpf;  /* n_bpf instructions for seccomp(2); n_bpf 0 =
	                           * no seccomp key */
	size_t n_bpf;
};

/* ---- environment files, managed directories (issue 15) ---- */

#define UNIT_ENV_FILES_MAX  16     /* environment_files entries */
#define UNIT_DIRS_MAX       16     /* entries of one kind of directories */
#define UNIT_DIR_NAME_MAX   255    /* bytes of one directory name */
#define UNIT_DIR_MODE_DEFAULT 0755

/* The kinds of directories = { ... }, each under its own base. */
enum unit_dir_kind {
	UNIT_DIR_RUNTIME,       /* /run, removed when the unit stops */
	UNIT_DIR_STATE,         /* /var/lib */
	UNIT_DIR_LOGS,          /* /var/log */
	UNIT_DIR_CACHE,         /* /var/cache */
	UNIT_DIR_KIND_MAX,
};

/* directories: relative names ("redis", "redis/db"; no "." or "..", no
 * empty component) created under their kind's base before the unit starts,
 * owned by its user and group, with mode; bound at the same path into its
 * rootfs. names[k] are NULL-terminated (never NULL). */
struct unit_directories {
	char **names[UNIT_DIR_KIND_MAX];
	uint32_t mode;          /* 0..07777, default UNIT_DIR_MODE_DEFAULT */
};

struct unit;
/* "runtime"... and "/run"...; NULL out of range. */
const char *unit_dir_kind_name(enum unit_dir_kind k);
const char *unit_dir_kind_base(enum unit_dir_kind k);
/* Is name a valid directories entry (see struct unit_directories)? */
bool unit_dir_name_valid(const char *name);
/* Does u declare any directory (of kind k; any kind when k is
 * UNIT_DIR_KIND_MAX)? */
bool unit_has_dirs(const struct unit *u, enum unit_dir_kind k);

/* ---- readiness and health probes (issue 15) ---- */

#define UNIT_PROBE_TARGET_MAX 256  /* bytes of a tcp address or an http URL */
#define UNIT_PROBE_ARGV_MAX   64   /* exec probe arguments */
#define UNIT_PROBE_FAILURES_MAX 100
#define UNIT_PROBE_INTERVAL_MIN (100 * 1000ULL)         /* usec: no fork storm */
#define UNIT_PROBE_DURATION_MAX (3600 * 1000000ULL)     /* usec: interval, timeout */
#define UNIT_READY_INTERVAL_DEFAULT  (1 * 1000000ULL)
#define UNIT_HEALTH_INTERVAL_DEFAULT (10 * 1000000ULL)
#define UNIT_PROBE_TIMEOUT_DEFAULT   (2 * 1000000ULL)
#define UNIT_HEALTH_FAILURES_DEFAULT 3

enum unit_probe_kind {
	UNIT_PROBE_NONE,        /* not declared */
	UNIT_PROBE_TCP,         /* a connect to target succeeds */
	UNIT_PROBE_HTTP,        /* GET target answers 2xx or 3xx */
	UNIT_PROBE_EXEC,        /* exec exits 0 */
	UNIT_PROBE_KIND_MAX,
};

/* ready = { ... } or health = { ... }: one check, run in the unit's own
 * namespaces as its user by a short-lived child of PID 1 (initd/probe.h),
 * every interval, killed at timeout. */
struct unit_probe {
	enum unit_probe_kind kind;
	char *target;           /* tcp: "A.B.C.D:PORT" or "[V6]:PORT"; http:
	                         * "http://HOST[:PORT][/PATH]", HOST an address;
	                         * NULL for exec */
	char **exec;            /* exec: NULL-terminated argv, [0] absolute;
	                         * NULL otherwise */
	uint64_t interval_usec; /* between probes: ready 1s, health 10s */
	uint64_t timeout_usec;  /* one probe, default 2s */
	unsigned failures;      /* health: failures in a row that restart the
	                         * unit, default 3; ready: 0 */
};

/* A probe target taken apart: where to connect, and for http the Host
 * header and the path. */
struct unit_probe_endpoint {
	int family;             /* AF_INET or AF_INET6 */
	uint8_t addr[16];       /* network order: 4 or 16 bytes */
	uint16_t port;
	char host[64];          /* http: HOST[:PORT] as written */
	char path[UNIT_PROBE_TARGET_MAX];   /* http: "/..." ("/" when none) */
};
/* p's target (tcp or http) into *ret. 0 or -EINVAL. */
int unit_probe_endpoint(const struct unit_probe *p, struct unit_probe_endpoint *ret);
/* "tcp", "http", "exec"; NULL out of range. */
const char *unit_probe_kind_name(enum unit_probe_kind k);
void unit_probe_clear(struct unit_probe *p);
bool unit_probe_equal(const struct unit_probe *a, const struct unit_probe *b);

/* What initd does when something essential fails: a unit with on_failure
 * (or critical) ends failed, a required mount cannot be mounted. */
enum failure_action {
	FAILURE_NONE,
	FAILURE_REBOOT,
	FAILURE_POWEROFF,
	FAILURE_RESCUE,     /* stop every unit, a root shell on the console */
	FAILURE_ACTION_MAX,
};

/* The optional groups of a unit (issue 19): what it may declare beyond
 * the command it runs and how. Every key here has a default and most
 * units declare none, so struct unit holds them behind one pointer,
 * `opt`, never NULL: each of the loader's units owns its own (the parser
 * fills it); in a decoded set (PID 1) every unit whose groups all equal
 * the defaults points at one shared copy in the set's arena, a unit
 * declaring any has a copy of its own there. Read-only once decoded. */
struct unit_optional {
	struct unit_isolation iso;    /* see initd.unit(5), ISOLATION */
	struct unit_limits limits;    /* cgroup = { cpu, memory, ... } (issue 4) */
	struct unit_probe ready;      /* ready = { } (issue 15): not running
	                               * until it succeeds */
	struct unit_probe health;     /* health = { } (issue 15): restarted
	                               * after `failures` in a row */
	struct unit_seccomp seccomp;  /* seccomp = { ... } (issue 18) */
	struct unit_directories dirs; /* directories = { ... } (issue 15) */
	/* success_exit: exit statuses (bit N of word N / 64) and signals (bit
	 * SIG - 1) that count as a clean exit, besides status 0 (default: none) */
	uint64_t success_exit_codes[4];
	uint64_t success_exit_signals;
};

struct unit {
	/* Laid out by size, pointers first, the 4-byte and 1-byte fields
	 * together last: no holes (issue 19: 296 -> 264 bytes a unit in PID
	 * 1's model). Each field says which part of the unit it belongs to. */
	char *name;             /* from the file name, without ".unit" */
	char *file;             /* path it was read from */
	struct unit_diags diags;

	char *description;      /* may be NULL */
	char **exec;            /* NULL-terminated argv, exec[0] absolute */
	char **requires;        /* NULL-terminated unit names (never NULL itself) */
	char **after;           /* NULL-terminated unit names (never NULL itself) */
	char *pidfile;          /* forking only: "/run/..." where the daemon
	                         * writes its main PID, NULL = the single
	                         * process left in the leaf */
	char *user;             /* name or numeric id, NULL = root */
	char *group;            /* name or numeric id, NULL = user's group */
	char **environment;     /* NULL-terminated "KEY=VALUE" (never NULL itself) */
	/* environment_files (issue 15): NULL-terminated absolute host paths,
	 * "-/path" when optional (never NULL itself); read by the spawned
	 * child at each start (common/envfile.h), in order, before the
	 * inline environment, which wins. */
	char **environment_files;
	char *workdir;          /* NULL = "/" */
	char **requires_mounts; /* NULL-terminated `where`s of initd.conf mounts
	                         * that must be mounted for the unit to start
	                         * (never NULL itself) */
	char **modes;           /* boot modes (issue 14, with on_failure below):
	                         * NULL-terminated names (never NULL itself);
	                         * empty: the unit belongs to every mode */
	/* log.file, log.max_size, log.keep (issue 14): the file its output is
	 * appended to by the log writer, NULL = initd.conf's log.directory/
	 * NAME.log, or no file when that is unset too; rotated past
	 * log_max_size bytes (0 = initd.conf's log.max_size), keeping log_keep
	 * older files FILE.1..FILE.N (initd.conf's log.keep unless
	 * log_keep_set). */
	char *log_file;
	struct unit_cgroup cgroup;
	/* isolation, cgroup limits, probes, seccomp, directories, success_exit:
	 * never NULL, see struct unit_optional */
	const struct unit_optional *opt;

	uint64_t restart_delay_usec;      /* default 100ms */
	uint64_t restart_delay_max_usec;  /* default 30s */
	uint64_t start_limit_interval_usec; /* default 10s, > 0 */
	uint64_t stop_timeout_usec;       /* default 5s */
	uint64_t start_timeout_usec;      /* notify, oneshot, forking, a simple unit
	                                   * with ready: stopped when not ready by
	                                   * then; default 90s, 0 = never */
	uint64_t watchdog_usec; /* WATCHDOG=1 expected this often; 0 = off */
	uint64_t log_max_size;  /* log.max_size, see log_file */

	enum unit_type type;
	enum unit_restart restart;
	unsigned start_limit_burst;       /* default 5, >= 1 */
	unsigned postmortems;             /* post-mortem records kept (issue 17,
	                                   * initd/postmortem.h): 0..UNIT_POSTMORTEMS_MAX,
	                                   * default 5 */
	int stop_signal;                  /* default SIGTERM */
	/* Escalation (issue 14; initd.unit(5), FAILURE AND MODES). The action
	 * run when the unit ends failed is critical ? FAILURE_REBOOT :
	 * on_failure (unit_failure_action); both set is an error. */
	enum failure_action on_failure;   /* default FAILURE_NONE */
	unsigned log_keep;      /* log.keep, see log_file */

	bool bad;               /* failed to parse/validate: see diags */
	bool log_console;       /* also copy the service's output to the console */
	bool log_kmsg;          /* ... and to /dev/kmsg */
	bool critical;          /* the short form of on_failure "reboot" */
	bool autostart;         /* started at boot (default true); false: loaded,
	                         * started only by svctl start */
	bool log_keep_set;      /* log.keep given, see log_file */
};

/* A slice declared in initd.conf. */
struct unit_slice {
	char *path;             /* "apps" or "apps/db" */
	struct unit_limits limits;
};

/* A bridge initd.conf declares; initd creates it at boot (PID 1 only). */
struct unit_bridge {
	char *name;             /* interface name, 1..15 bytes */
	char *address;          /* "A.B.C.D/PREFIX" or NULL */
	char *address6;         /* "IPV6/PREFIX" or NULL, added without DAD */
};

/* A static route inside a service's net namespace, via its eth0. */
struct unit_route {
	char *to;               /* "NETWORK/PREFIX", v4 or v6, host bits zero */
	char *via;              /* on-link gateway of to's family, or NULL: on eth0 */
};

enum crash_action {
	CRASH_FREEZE,
	CRASH_SHELL,
	CRASH_REBOOT,
	CRASH_POWEROFF,
	CRASH_ACTION_MAX,
};

/* ---- mounts (issue 14): filesystems initd mounts before any unit ---- */

#define UNIT_MOUNTS_MAX        32       /* entries in initd.conf mounts */
#define UNIT_MOUNT_OPTIONS_MAX 1024     /* bytes of one options string */
#define UNIT_MOUNT_TYPE_MAX    32       /* bytes of a filesystem type */
#define UNIT_MOUNT_LABEL_MAX   16       /* bytes of LABEL= (ext's volume name) */
#define UNIT_MOUNT_TIMEOUT_DEFAULT (90 * 1000000ULL)   /* usec */

/* What the mount helper may make on an empty device (`format`): nothing,
 * or an ext4 filesystem (mke2fs -t ext4) when the device carries no
 * filesystem signature at all. */
enum mount_format {
	MOUNT_FORMAT_NONE,
	MOUNT_FORMAT_EXT4,
	MOUNT_FORMAT_MAX,
};

/* One entry of initd.conf's mounts, mounted in order at boot by a helper
 * (initd/mounts.h), unmounted in reverse at shutdown. */
struct unit_mount {
	char *what;             /* "/dev/vda", "LABEL=data", "UUID=...", "PARTUUID=...",
	                         * or a pseudo source ("tmpfs", "overlay"), never
	                         * for a type that needs a device (ext4, xfs...) */
	char *where;            /* absolute, normalised, never "/" */
	char *type;             /* "ext4", "tmpfs", "overlay"... */
	char *options;          /* the mount(8) string as written, or NULL */
	bool fsck;              /* e2fsck -p / fsck.TYPE -p first (block devices) */
	enum mount_format format;   /* make a filesystem on a blank block device first;
	                             * equal to type; default none */
	bool required;          /* default true: a failure runs on_failure */
	uint64_t timeout_usec;  /* the whole mount, device wait and fsck included;
	                         * default 90s, > 0 */
	enum failure_action on_failure;   /* default FAILURE_RESCUE */
};

/* A mount options string split the way mount(8) does: the flag words
 * (ro, noatime, nosuid...) into mount(2) flags, the rest, comma-joined,
 * into data (what the filesystem reads; at least UNIT_MOUNT_OPTIONS_MAX + 1
 * bytes). 0, or -EINVAL with the first bad word (empty, a mount(8)-only
 * word such as nofail, or unknown to ext2/3/4, tmpfs or overlay) copied
 * into bad (size bytes, truncated). Other types take any data word. type
 * may be NULL; options may be NULL (no flags, empty data). */
int unit_mount_options_parse(const char *type, const char *options, unsigned long *ret_flags,
			     char *data, char *bad, size_t size);
/* "none", "ext4": format's name, or NULL out of range. */
const char *mount_format_to_string(enum mount_format f);
/* "LABEL=x", "UUID=x", "PARTUUID=x": the tag's name length (5, 4, 8), or 0
 * when what is not a tag. */
size_t unit_mount_tag(const char *what);

/* The hardware watchdog initd.conf declares (`watchdog = { ... }`), run by
 * initd/watchdog.c: the device is opened at boot and petted from the event
 * loop, so a hung PID 1 (or kernel) resets the machine. Timeouts are whole
 * seconds, WDIOC_SETTIMEOUT's unit. */
/* initd.conf's sync_timeout: what a dead disk may cost the end of a boot;
 * a disk still writing is never cut. */
#define SYNC_TIMEOUT_DEFAULT (30 * 1000000ULL)
#define SYNC_TIMEOUT_MIN     (1 * 1000000ULL)
#define SYNC_TIMEOUT_MAX     (3600 * 1000000ULL)

#define WATCHDOG_DEVICE_DEFAULT   "/dev/watchdog0"
#define WATCHDOG_TIMEOUT_DEFAULT  (30 * 1000000ULL)
#define WATCHDOG_SHUTDOWN_DEFAULT (600 * 1000000ULL)
#define WATCHDOG_TIMEOUT_MIN      (1 * 1000000ULL)
#define WATCHDOG_TIMEOUT_MAX      (3600 * 1000000ULL)

struct unit_watchdog {
	char *device;                    /* absolute path; NULL = no watchdog */
	uint64_t timeout_usec;           /* while running, default 30s */
	uint64_t shutdown_timeout_usec;  /* once a shutdown starts, default 10min */
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
	uint64_t sync_timeout_usec;      /* the final sync's bound: how long it
	                                  * may go without progress (initd/
	                                  * final_sync.h), default 30s */
	size_t log_buffer_size;          /* per-service ring, default 64K */
	struct unit_watchdog watchdog;   /* the hardware watchdog, off by default */
	/* log = { directory; max_size; keep; } (issue 14): every unit without
	 * its own log.file writes DIRECTORY/NAME.log (NULL: no file), and
	 * these are the rotation defaults of every unit (1M, 3). */
	char *log_directory;
	uint64_t log_max_size;
	unsigned log_keep;
	struct unit_bridge *bridges;     /* n_bridges, unique names */
	size_t n_bridges;
	bool ip_forward;                 /* net.ipv4.ip_forward = 1 at boot */
	struct unit_rlimit *rlimits;     /* every service's defaults, n_rlimits,
	                                  * one per resource, sorted; a unit's
	                                  * own rlimits win (default: nofile
	                                  * 1024 soft, 524288 hard) */
	size_t n_rlimits;
	struct unit_mount *mounts;       /* n_mounts, in mount order, unique
	                                  * `where`s (units/mounts.c) */
	size_t n_mounts;
	/* Issue 14 (initd.conf(5)): "NAME=VALUE" written to /proc/sys/NAME
	 * (dots become slashes) at boot and on reload; NULL-terminated, never
	 * NULL itself. */
	char **sysctl;
	/* The reboot-loop guard: the count of failed boots in a row is kept in
	 * boot_guard_file (NULL = no guard); at boot_guard_max the next boot
	 * goes to rescue. */
	char *boot_guard_file;
	uint32_t boot_guard_max;         /* 1..UNIT_BOOT_GUARD_MAX, default 3 */
	/* Issue 15: the instances to load at boot, each TEMPLATE@NAME
	 * (initd.conf(5) instances). */
	struct unit_instances *instances;   /* n_instances */
	size_t n_instances;
	/* Issue 17 (initd.conf(5), initd/metrics.c): the Prometheus text file
	 * PID 1 keeps (NULL: none), an absolute path under /run/ (tmpfs: a
	 * write there never waits on a disk), rewritten on state events at
	 * most once a second, and every metrics_interval_usec too (0: only on
	 * events, PID 1 keeps no periodic wakeup). */
	char *metrics_file;
	uint64_t metrics_interval_usec;  /* 0 or METRICS_INTERVAL_MIN..MAX */
	/* memory and pids accounting for every leaf (+memory +pids in the
	 * subtree_control above them), as systemd does; default true */
	bool default_accounting;
};

/* One group of initd.conf's instances: the units TEMPLATE@NAME for each
 * name, made from units/TEMPLATE@.unit (units/template.c). */
struct unit_instances {
	char *template;         /* a unit name without '@' */
	char **names;           /* NULL-terminated instance names, unique in
	                         * the whole list (never NULL itself) */
	int line;               /* in initd.conf, for messages; not encoded */
};

/* The whole validated model: what initd runs. */
struct unit_set {
	struct initd_conf conf;
	struct unit **units;    /* sorted by name; includes bad units */
	size_t n_units;
	struct unit_diags diags;  /* every diagnostic: initd.conf's, the units
	                           * directory's, then each unit's in name order */
	struct unit_diags warnings;   /* what may be wrong but does not make the
	                               * set invalid (a unit that requires one not
	                               * started in some mode, an unknown sysctl):
	                               * reported, never counted as errors */
	char **templates;       /* sorted names of the templates in the units
	                         * directory (units/NAME@.unit gives "NAME"),
	                         * so PID 1 knows which NAME@INST `svctl start`
	                         * may ask for (never NULL itself) */
	struct unit_arena *arena;   /* a decoded set (issue 19): every unit, its
	                             * strings (interned) and arrays live in this
	                             * one block, freed with the set; NULL: each
	                             * unit is its own tree of mallocs */
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
/* unit_set_load, also making the instances TEMPLATE@INST named in extra
 * (NULL-terminated; NULL for none): `svctl start` asked for them at run
 * time. One whose template is gone, or whose name is not an instance's,
 * is left out with a warning. */
int unit_set_load_with(const char *conf_path, const char *units_dir, char *const *extra,
		       struct unit_set **ret);

/* `initd --check --root DIR` (units/imagecheck.c): check s against the
 * files of root, the tree it will run in (an image being built): every
 * unit's executables (in its rootfs.path when it has one), its user,
 * group and supplementary_groups in root's /etc/passwd and /etc/group,
 * rootfs.path, binds' sources, from_host paths and required
 * environment_files, initd.conf's modules under root's /lib/modules/KVER
 * and its control_group. Paths resolve inside root; what is mounted at
 * boot is not looked at. Problems are appended to s->diags with the
 * key's FILE:LINE. 0, or -errno (root cannot be opened, -ENOMEM). */
int unit_set_check_root(struct unit_set *s, const char *root);

/* Parse one unit file (no cross-unit validation). Returns 0 and a unit
 * (possibly ->bad) in *ret, or -errno. Caller frees with unit_free. */
int unit_parse_file(const char *path, struct unit **ret);

/* Same, from memory; `file` names it in diagnostics and gives the unit name. */
int unit_parse_string(const char *file, const char *text, struct unit **ret);

void unit_free(struct unit *u);
void unit_set_free(struct unit_set *s);

/* The unit's log file (units/logfiles.c): its own log.file, else
 * initd.conf's log.directory/NAME.log, into buf: the path's length, 0 when
 * it has none, -ENAMETOOLONG when buf cannot hold it. */
int unit_log_path(const struct unit *u, const struct initd_conf *conf, char *buf, size_t size);
/* The post-mortem file beside the log file whose path is in buf, made in
 * buf: NAME.log becomes NAME.postmortem, FILE (not named .log)
 * FILE.postmortem. Its length, or -ENAMETOOLONG (buf unchanged). None is
 * written beside a log file that is a character device (a serial line):
 * the log writer looks (loader/logwriter.c). */
int unit_postmortem_path(char *buf, size_t size);

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
 * back. This is how initd-loader hands a validated model to PID 1:
 * the decoder is bounded and never trusts its input.
 * encode: 0, -ENOMEM, or -EINVAL if the set breaks a limit the decoder
 * enforces. *ret is the caller's to free().
 * decode: 0 and a set that satisfies everything unit_set_load guarantees
 * (sorted unique names, good units complete, dependencies present and
 * acyclic, slices declared), -EBADMSG on any malformed or inconsistent
 * input, -EPROTONOSUPPORT on another version byte, -EFBIG when it would
 * take more than UNIT_DECODE_MAX of heap, -ENOMEM. Never reads past len,
 * never leaks. */
int unit_set_encode(const struct unit_set *s, void **ret, size_t *ret_len);
/* unit_set_encode, then a decode of its bytes as PID 1's (its invariants,
 * its UNIT_DECODE_MAX of heap), thrown away: what --check and --compile
 * make, so that neither passes a model PID 1 would refuse whole, starting
 * no unit. 0 with *ret (malloc'ed, the caller frees it) and *ret_len, or
 * -errno with *why a human reason: -EFBIG (the model over UNIT_MODEL_MAX,
 * or its decode over UNIT_DECODE_MAX), -ENOMEM, any other: a model PID 1
 * refuses (an encoder's bug). */
int unit_set_encode_checked(const struct unit_set *s, void **ret, size_t *ret_len,
			    const char **why);
int unit_set_decode(const void *buf, size_t len, struct unit_set **ret);
/* One unit alone, as `svctl show` gets it from PID 1 (which formats no
 * text): its record behind a magic and version of its own. decode: 0 and
 * a unit (a tree of mallocs: unit_free), -EBADMSG, -EPROTONOSUPPORT,
 * -ENOMEM; bounded like unit_set_decode, but a lone unit's dependencies
 * are not looked for. */
int unit_encode(const struct unit *u, void **ret, size_t *ret_len);
int unit_decode(const void *buf, size_t len, struct unit **ret);

/* The largest encoded set PID 1 takes, a loader's answer or initd.model's
 * body: unit_set_encode refuses to make a larger one (-EFBIG), so that
 * --check and --compile say so rather than a boot that starts nothing. */
#define UNIT_MODEL_MAX      (64u * 1024 * 1024)
/* The heap a decode of a model may take (encode.c charges each string,
 * array and unit before it allocates them): UNIT_MODEL_MAX bounds a
 * model's bytes, not what they decode into, as an empty string is 2 bytes
 * of it and 40 of heap (a crafted 61 MB model took 1.2 GB and 7 s). Real
 * sets are charged 2.2-2.8 KiB a unit, 3-7x their bytes (UNIT_MAX
 * instances: 41 MB), a crafted one 17-20x: no ratio tells them apart, so
 * the bound is 16 KiB for each of UNIT_MAX units, 6x the largest real set.
 * A model past it is refused whole (-EFBIG): PID 1 keeps what it runs. */
#define UNIT_DECODE_MAX     ((size_t)UNIT_MAX * 16 * 1024)

/* ---- the compiled model (compiled.c, issue 19) ----
 * CONFIG_DIR/initd.model: unit_set_encode's bytes behind a header with
 * the digest of the inputs they were compiled from, written by
 * `initd --compile` (initd-loader) when an image is built, decoded by
 * PID 1 at boot in place of a loader's answer while the digest holds. */
#define UNIT_MODEL_FILE     "initd.model"
#define UNIT_MODEL_MAGIC    "iumc"
#define UNIT_MODEL_VERSION  2
#define UNIT_MODEL_HEADER   32
#define UNIT_MODEL_FILE_MAX (UNIT_MODEL_HEADER + (unsigned long long)UNIT_MODEL_MAX)

/* The digest of what a load of conf_path and units_dir reads (the file,
 * or its absence; each *.unit name and its bytes), of initd's version and
 * of the two paths as the boot names them: without root when they begin
 * with it (a tree being built), as they are otherwise. 0, or -errno when
 * an input cannot be read the way the loader would (-E2BIG: more than
 * UNIT_MAX unit files). */
int unit_inputs_digest(const char *conf_path, const char *units_dir, const char *root,
		       uint64_t *ret);
/* The file's first UNIT_MODEL_HEADER bytes for this digest and the
 * encoding body (len bytes) that follows them. */
void unit_model_header(uint8_t out[UNIT_MODEL_HEADER], uint64_t digest, const void *body,
		       size_t len);
/* PID 1: the set compiled into path, if path is a regular file of the
 * caller's user that no one else may write, of this version and
 * architecture, and its digest is that of the inputs now. 0, or -errno with *why a human
 * reason: -ENOENT (no file), -EPERM, -EFBIG, -EPROTONOSUPPORT (another
 * initd's, or another format), -ESTALE (the files changed), -EBADMSG
 * (damaged, malformed), -ENOMEM. */
int unit_model_read(const char *path, const char *conf_path, const char *units_dir,
		    struct unit_set **ret, const char **why);
/* unit_model_read in its two steps (so the boot can stamp each): the
 * checks and the digest, *ret_buf then the whole file (the caller frees
 * it); and the decode of that buffer. */
int unit_model_check(const char *path, const char *conf_path, const char *units_dir,
		     uint8_t **ret_buf, size_t *ret_len, const char **why);
int unit_model_decode(const uint8_t *buf, size_t len, struct unit_set **ret, const char **why);

/* What a set's units take on the heap (issue 19: bytes per service by
 * component): struct unit itself, its optional groups (struct
 * unit_optional: a decoded set's shared copy counted once), its strings,
 * and its arrays (string vectors, lists), each counted as the allocator's
 * chunk (usable size plus its header). The conf and the set's own
 * diagnostics are not counted. */
struct unit_set_footprint {
	size_t units;
	size_t unit_structs;
	size_t optional;
	size_t strings;
	size_t arrays;
	size_t allocations;
};
void unit_set_footprint(const struct unit_set *s, struct unit_set_footprint *fp);

/* Format a diagnostic as "FILE:LINE: message" ("FILE: message" when line is
 * 0) into buf, snprintf-style: returns the length it needed. */
size_t unit_diag_format(const struct unit_diag *d, char *buf, size_t size);

/* Two units are equal when every declared field is equal (reload diff). */
bool unit_equal(const struct unit *a, const struct unit *b);

/* Two configurations are equal when every field is (reload diff). */
bool initd_conf_equal(const struct initd_conf *a, const struct initd_conf *b);
bool watchdog_conf_equal(const struct unit_watchdog *a, const struct unit_watchdog *b);

/* Write a unit, or initd.conf, as libconfig text (units/dump.c): every
 * field in schema order, defaults written out, unset optional keys as
 * "# KEY: unset (...)" comments, cgroup limits only where declared. The
 * unit's name and file are not part of it. Parsing the text back gives an
 * equal model (unit_equal, file and diagnostics aside; for the conf,
 * initd_conf_equal but for `file`). A bad unit is written as far as it was
 * parsed. 0, or -EIO when f reports an error (e.g. a memstream out of
 * memory). */
int unit_dump(const struct unit *u, FILE *f);
int initd_conf_dump(const struct initd_conf *c, FILE *f);

/* Names for enums; parse helpers shared with initd and svctl. */
const char *unit_type_to_string(enum unit_type t);
const char *unit_restart_to_string(enum unit_restart r);
const char *crash_action_to_string(enum crash_action a);
const char *failure_action_to_string(enum failure_action a);
/* The action run when u ends failed: critical is on_failure "reboot". */
enum failure_action unit_failure_action(const struct unit *u);
/* Does u start at boot in mode (NULL: "default")? autostart, and its modes
 * list empty or holding mode. */
bool unit_in_mode(const struct unit *u, const char *mode);
/* Whether some unit of set lists mode in its modes (a mode no unit names,
 * a typo on the kernel command line, starts only the units without). */
bool unit_set_names_mode(const struct unit_set *set, const char *mode);
bool unit_mode_name_valid(const char *name);
/* "NAME=VALUE" as initd.conf's sysctl takes it: 0, or -EINVAL with *ret_why
 * a static reason. On success the name's length goes to *ret_name_len. */
int unit_sysctl_entry_check(const char *entry, size_t *ret_name_len, const char **ret_why);
/* "/proc/sys/NAME" of a valid entry, its dots as slashes: 0, or -EINVAL
 * (a bad entry, or buf smaller than UNIT_SYSCTL_NAME_MAX + 11). */
int unit_sysctl_path(const char *entry, char *buf, size_t size);
bool unit_name_valid(const char *name);
/* A pidfile path: UNIT_PIDFILE_DIR followed by 1..n components, none empty,
 * "." or "..", shorter than UNIT_PIDFILE_MAX, not in /run/initd. PID 1 checks it again before
 * reading (it trusts no decoded model). */
bool unit_pidfile_valid(const char *path);
/* Whether REL, a path relative to /run, lies in /run/initd (its first
 * component is UNIT_RUN_OWN): initd's own, so no pid file there (initd
 * deletes a stale one before each start) and no runtime directory (made
 * the unit user's, removed at its stop). */
bool unit_run_path_own(const char *rel);

/* ---- templates and instances (units/template.c, issue 15) ---- */
/* Why inst is not a valid instance name ("is empty", "holds '/'", ...: a
 * static string), or NULL when it is: 1..UNIT_INSTANCE_MAX bytes of
 * [A-Za-z0-9_.-], not starting with '.' or '-'. */
const char *unit_instance_problem(const char *inst);
bool unit_instance_valid(const char *inst);
/* A template's name: a valid unit name without '@' short enough for an
 * instance. */
bool unit_template_name_valid(const char *name);
/* "worker@3" -> template "worker" and *ret_instance "3" (pointing into
 * name). -EINVAL when name has no '@' or the part before it is not a
 * template name; the instance is not checked. */
int unit_name_split(const char *name, char template[static UNIT_NAME_MAX + 1],
		    const char **ret_instance);
/* in with %i (instance), %n (name), %p (name up to '@') and %% replaced,
 * into *ret (malloc'd, the caller's). -EINVAL with *ret_why (static) for
 * an unknown specifier or a result past UNIT_STRING_MAX; -ENOMEM. */
int unit_specifiers_expand(const char *in, const char *name, const char *instance, char **ret,
			   const char **ret_why);
/* "apps" or "apps/db": 1..UNIT_SLICE_DEPTH components, each a valid unit name. */
bool unit_slice_path_valid(const char *path);
/* The slice a unit runs in: its own, or "system". */
const char *unit_slice(const struct unit *u);
/* "SLICE/NAME", its cgroup node below the root: 0, or -ENAMETOOLONG when
 * size (UNIT_CGROUP_PATH_MAX + 1 always fits) is too small. */
int unit_cgroup_path(const struct unit *u, char *buf, size_t size);

/* ---- cgroup limits (units/limits.c) ---- */
/* The controllers a set of limits needs enabled above it. */
uint32_t unit_limits_controllers(const struct unit_limits *l);
bool unit_limits_equal(const struct unit_limits *a, const struct unit_limits *b);
/* Free what l holds and reset it to "nothing declared". */
void unit_limits_clear(struct unit_limits *l);
/* "memory"...; NULL if out of range. */
const char *unit_controller_to_string(enum unit_controller c);
/* -EINVAL if unknown. */
int unit_controller_from_string(const char *s);
/* Does list (kernel syntax "0-3,6") only name ids within parent's? Both
 * must be valid lists. */
bool unit_cpulist_subset(const char *list, const char *parent);
bool unit_cpulist_valid(const char *list);
/* The declared slice whose cpuset.cpus (mems: cpuset.mems) bounds
 * slice_path's: slice_path itself or its nearest ancestor declaring one;
 * NULL when none does. */
const struct unit_slice *unit_slice_cpuset_bound(const struct initd_conf *conf,
						 const char *slice_path, bool mems);

/* "100ms", "5s", "2min", "1.5s", "250us", "0", "1min 30s" -> usec.
 * 0 or -EINVAL/-ERANGE. */
int parse_duration(const char *s, uint64_t *ret_usec);
/* "64M", "1G", "512K", "2T", "4096" (1024-based) -> bytes. "max" is not a
 * size. 0 or -EINVAL/-ERANGE. */
int parse_size(const char *s, uint64_t *ret_bytes);
/* "TERM", "SIGTERM", "9", "RTMIN+2" -> signal number. 0 or -EINVAL. */
int parse_signal(const char *s, int *ret_sig);
const char *signal_to_string(int sig);   /* "TERM"; NULL if unknown */

/* ---- isolation helpers (units/isolation.c, units/network.c) ---- */

extern const char *const unit_namespace_names[UNIT_NS_MAX];
/* userns.c (issue 18): "net", "uts", "ipc"; the namespace each joins; is a
 * namespaces_from source a unit (not a path)? the auto range's pieces. */
extern const char *const unit_join_names[UNIT_JOIN_MAX];
enum unit_namespace unit_join_namespace(enum unit_join k);
bool unit_join_is_unit(const char *source);
uint32_t userns_name_hash(const char *name);
uint32_t userns_default_slot(const char *name, uint32_t size);
uint32_t userns_base(uint32_t slot);
/* "NET_BIND_SERVICE" or "CAP_NET_BIND_SERVICE" (any case) -> number, or
 * -EINVAL. The table is the kernel's (linux/capability.h), so units/ needs
 * no libcap. */
int unit_capability_from_name(const char *name);
const char *unit_capability_name(unsigned cap);   /* "NET_BIND_SERVICE"; NULL */
/* "nofile" -> RLIMIT_NOFILE, or -EINVAL; and back. */
int unit_rlimit_from_name(const char *name);
const char *unit_rlimit_name(int resource);

/* One line of a uid_map/gid_map: IN OUT COUNT. */
struct unit_id_range {
	uint32_t inside, outside, count;
};
/* "0 100000 65536" or several lines separated by ',' or newlines into v
 * (at most max). Counts > 0, no overflow, no overlap inside or outside.
 * 0 and *ret_n, or -EINVAL / -E2BIG. */
int unit_id_map_parse(const char *text, struct unit_id_range *v, size_t max, size_t *ret_n);
/* "10.0.1.2/24" -> address and prefix (1..32); 0 or -EINVAL. */
int unit_ipv4_prefix_parse(const char *s, uint32_t *ret_addr_be, unsigned *ret_prefix);
/* An address of one family with its prefix length (0..32 or 0..128). */
struct unit_ip {
	int family;             /* AF_INET or AF_INET6 */
	unsigned char bytes[16];  /* network order; 4 used for AF_INET */
	unsigned prefix;
};
/* "ADDRESS/PREFIX" of family (AF_INET, AF_INET6) into *ret; 0 or -EINVAL. */
int unit_ip_prefix_parse(const char *s, int family, struct unit_ip *ret);
/* "bridge", "private", "vepa", "passthru"; NULL when out of range. */
const char *unit_macvlan_mode_name(unsigned mode);
/* A Linux interface name: 1..15 bytes, no '/', ':', blank; not "." or "..". */
bool unit_ifname_valid(const char *s);

#endif

/* proto.h — the control protocol between svctl and initd.
 *
 * A message is a fixed header followed by a payload of attributes:
 *
 *   header:  u32 magic "INIT" | u16 version | u16 type | u32 payload length
 *   payload: attributes, each u16 type | u16 flags (0) | u32 length | data,
 *            data padded to 4 bytes. A NESTED attribute's data is itself a
 *            list of attributes.
 *
 * `length` counts the data bytes only (not the 8-byte attribute header, not
 * the padding). The padding is always present, also after the last
 * attribute, so a well-formed payload's length is a multiple of 4; the
 * decoder rejects an attribute whose data or padding runs past its container.
 * Flags are written as 0 and ignored on input.
 *
 * Integers are in host byte order: the socket is local. Every length is
 * checked against the buffer before it is used; a message longer than
 * PROTO_REQUEST_MAX (client -> initd) or PROTO_REPLY_MAX (initd -> client)
 * is refused whole. Unknown attribute types are skipped, so newer clients can
 * add attributes; an unknown message type or version gets an error reply.
 *
 * Version history:
 *   1  first version: status, poweroff, reboot, halt, start, stop, restart,
 *      reload, logs, kill, wait. Added since, compatibly (a newer request is
 *      refused by an older initd as unknown; newer attributes are skipped):
 *      cgroup statistics in SERVICE (MEM_CURRENT .. OOM_KILLS); the tree
 *      request (NODE with PATH, KIND, SUBTREE_CONTROL, LIMITs); the show
 *      request (SERVICE and UNIT_TEXT); NO_WAIT on start, stop, restart
 *      (an older initd ignores it and waits); the system request (WATCHDOG
 *      with STATE, PATH, TIMEOUT, ASKED, LAST_PET, PETS, NOWAYOUT); the
 *      postmortem, freeze and thaw requests (POSTMORTEM with TIME,
 *      PIDS_PEAK; COUNT), and a POSTMORTEM in a one-unit status reply;
 *      the analyze request (EXEC_AT .. AFTER); the metrics request (DATA),
 *      METRICS_WRITES in the system reply; a status of every unit (no NAME)
 *      carries MEM_CURRENT and CPU_USAGE_USEC alone of the cgroup statistics
 *      (the table's: a status of named units has them all); the show
 *      reply's UNIT_MODEL in place of UNIT_TEXT (svctl reads either);
 *      the metrics reply to root: DATA_IN_FD and the text in a passed fd
 *      in place of DATA (no bound: 10,000 units' text is past a reply's;
 *      not compatible: a root client must take the fd, as svctl does);
 *      a status of every unit carries CGROUP_ROOT and CGROUP_ROOT_ID and
 *      no cgroup statistics: svctl reads MEM_CURRENT and CPU_USAGE_USEC
 *      itself (an older svctl shows "-" for them); the analyze reply
 *      carries both too, and its SERVICEs CGROUP in place of
 *      CPU_USAGE_USEC and MEM_PEAK (an older svctl shows no CPU or
 *      memory.peak; a newer one takes them from an older initd's reply);
 *      the tree reply carries both too, and no SUBTREE_CONTROL: svctl
 *      reads each node's but a NO_CGROUP one's (an older svctl shows
 *      none); a status naming several units is as a status of every
 *      unit: CGROUP_ROOT and CGROUP_ROOT_ID, no cgroup statistics (an
 *      older svctl shows "-" for MEM_CURRENT and CPU_USAGE_USEC; only a
 *      status of one named unit carries them all); UNKNOWN_LISTED in a
 *      status request, UNKNOWN in its reply: the known units are
 *      answered and the unknown names listed (an older initd skips the
 *      flag and refuses the whole request with ENOENT, shown as before;
 *      an older svctl sends no flag and gets that refusal from a newer).
 */
#ifndef INITD_COMMON_PROTO_H
#define INITD_COMMON_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROTO_MAGIC        0x54494e49u   /* "INIT" little-endian */
#define PROTO_VERSION      1
#define PROTO_HDR_SIZE     12
#define PROTO_REQUEST_MAX  (64u * 1024)        /* payload bytes a client may send */
#define PROTO_REPLY_MAX    (8u * 1024 * 1024)  /* payload bytes initd may answer */
#define PROTO_NEST_MAX     4                   /* nesting depth of attributes */
#define PROTO_NAMES_MAX    256                 /* unit names in one request */

enum proto_msg {
	/* requests */
	PROTO_REQ_STATUS = 1,    /* [NAME...] [UNKNOWN_LISTED] -> SERVICE...
	                          * [UNKNOWN...] */
	PROTO_REQ_POWEROFF,
	PROTO_REQ_REBOOT,
	PROTO_REQ_HALT,
	PROTO_REQ_START,         /* NAME... */
	PROTO_REQ_STOP,          /* NAME... */
	PROTO_REQ_RESTART,       /* NAME... */
	PROTO_REQ_RELOAD,
	PROTO_REQ_LOGS,          /* NAME [LINES] [FOLLOW] -> LOG chunks */
	PROTO_REQ_KILL,          /* NAME SIGNAL */
	PROTO_REQ_WAIT,          /* reply once no service is starting/stopping;
	                          * no NAME (refused: EINVAL) */
	PROTO_REQ_TREE,          /* -> NODE... (the cgroup tree, parents first) */
	PROTO_REQ_SHOW,          /* NAME -> SERVICE, UNIT_MODEL (UNIT_TEXT before) */
	PROTO_REQ_SYSTEM,        /* -> WATCHDOG (initd's own state) */
	PROTO_REQ_POSTMORTEM,    /* NAME [COUNT] -> POSTMORTEM... (newest first) */
	PROTO_REQ_FREEZE,        /* NAME: cgroup.freeze 1 on its node */
	PROTO_REQ_THAW,          /* NAME: cgroup.freeze 0 */
	PROTO_REQ_ANALYZE,       /* -> EXEC_AT, NOW, [FIRST_SPAWN, SETTLED_AT],
	                          * SERVICE... with the stamps below */
	PROTO_REQ_METRICS,       /* -> DATA: the Prometheus text (initd/metrics.h) */
	PROTO_REQ_MAX,
	/* replies */
	PROTO_REPLY_OK = 100,    /* payload depends on the request */
	PROTO_REPLY_ERROR,       /* ERRNO + MESSAGE */
};

enum proto_attr {
	PROTO_ATTR_NAME = 1,     /* string */
	PROTO_ATTR_ERRNO,        /* u32 (positive errno) */
	PROTO_ATTR_MESSAGE,      /* string */
	PROTO_ATTR_SERVICE,      /* nested: one service's status */
	PROTO_ATTR_STATE,        /* string: "running", "bad-config", ... */
	PROTO_ATTR_PID,          /* u32, 0 = none */
	PROTO_ATTR_RESTARTS,     /* u32 */
	PROTO_ATTR_REASON,       /* string: last exit reason, human form */
	PROTO_ATTR_SINCE,        /* u64: usec in the current state (monotonic) */
	PROTO_ATTR_CGROUP,       /* string: path below the cgroup2 root */
	PROTO_ATTR_DESCRIPTION,  /* string */
	PROTO_ATTR_LINES,        /* u32 */
	PROTO_ATTR_FOLLOW,       /* flag (empty) */
	PROTO_ATTR_DATA,         /* bytes */
	PROTO_ATTR_SIGNAL,       /* u32 */
	PROTO_ATTR_STATUS_TEXT,  /* string: the service's own STATUS= */
	/* cgroup statistics of a SERVICE, each present only when the kernel
	 * file is (its controller enabled); sizes in bytes, times in usec */
	PROTO_ATTR_MEM_CURRENT,  /* u64: memory.current */
	PROTO_ATTR_MEM_PEAK,     /* u64: memory.peak */
	PROTO_ATTR_MEM_MAX,      /* u64: memory.max (absent when "max") */
	PROTO_ATTR_PIDS_CURRENT, /* u64: pids.current */
	PROTO_ATTR_PIDS_MAX,     /* u64: pids.max (absent when "max") */
	PROTO_ATTR_PIDS_EVENTS,  /* u64: pids.events max, forks refused */
	PROTO_ATTR_CPU_USAGE_USEC,      /* u64: cpu.stat usage_usec */
	PROTO_ATTR_CPU_NR_PERIODS,      /* u64: cpu.stat nr_periods */
	PROTO_ATTR_CPU_NR_THROTTLED,    /* u64: cpu.stat nr_throttled */
	PROTO_ATTR_CPU_THROTTLED_USEC,  /* u64: cpu.stat throttled_usec */
	PROTO_ATTR_PSI_CPU_SOME,  /* u32: avg10 in hundredths of a percent */
	PROTO_ATTR_PSI_CPU_FULL,
	PROTO_ATTR_PSI_MEM_SOME,
	PROTO_ATTR_PSI_MEM_FULL,
	PROTO_ATTR_PSI_IO_SOME,
	PROTO_ATTR_PSI_IO_FULL,
	PROTO_ATTR_OOM_KILLS,     /* u64: memory.events oom_kill */
	/* the tree */
	PROTO_ATTR_NODE,          /* nested: one cgroup: PATH, KIND, [NAME, STATE],
	                           * [NO_CGROUP], LIMIT... (SUBTREE_CONTROL from
	                           * an older initd: a newer one names the
	                           * CGROUP_ROOT, and svctl reads it) */
	PROTO_ATTR_PATH,          /* string: below the cgroup root, "" for it */
	PROTO_ATTR_KIND,          /* string: root, slice, service, leaf */
	PROTO_ATTR_SUBTREE_CONTROL,  /* string: "cpu memory" as the kernel has it */
	PROTO_ATTR_LIMIT,         /* string: "FILE VALUE", as written */
	/* show, and start/stop/restart without waiting */
	PROTO_ATTR_UNIT_TEXT,     /* string: the unit as parsed (unit_dump);
	                           * initd before issue 19's UNIT_MODEL */
	PROTO_ATTR_NO_WAIT,       /* flag (empty): answer start/stop/restart at
	                           * once with the units' current SERVICE */
	PROTO_ATTR_MAIN_ONLY,     /* flag (empty): kill the main process alone,
	                           * not every process of the unit */
	/* show-system: the hardware watchdog */
	PROTO_ATTR_WATCHDOG,      /* nested: STATE, [PATH (the device), TIMEOUT,
	                           * ASKED, LAST_PET, PETS, NOWAYOUT, MESSAGE] */
	PROTO_ATTR_TIMEOUT,       /* u32: seconds the hardware took */
	PROTO_ATTR_ASKED,         /* u32: seconds initd.conf asked */
	PROTO_ATTR_LAST_PET,      /* u64: usec since the last pet (absent: never) */
	PROTO_ATTR_PETS,          /* u64: pets since it was armed */
	PROTO_ATTR_NOWAYOUT,      /* flag (empty): the driver cannot be stopped */
	/* status (issue 14): the system's side, before the SERVICEs */
	PROTO_ATTR_BOOT_MODE,     /* string: the boot mode (initd.mode=), "default" */
	PROTO_ATTR_RESCUE,        /* string: why the system is in rescue; absent
	                           * when it is not */
	PROTO_ATTR_LOG_SINCE,     /* u64: logs from this time on (usec since the
	                           * epoch, as the lines' stamps; logtime.h) */
	PROTO_ATTR_LOG_UNTIL,     /* u64: logs up to this time */
	/* post-mortems (issue 17): in a POSTMORTEM, REASON, RESTARTS, DATA
	 * (its last lines) and, when read, MEM_PEAK, CPU_USAGE_USEC,
	 * OOM_KILLS, PIDS_PEAK; a single-unit status request's SERVICE
	 * carries its last one */
	PROTO_ATTR_POSTMORTEM,    /* nested: one record, as above, and TIME */
	PROTO_ATTR_TIME,          /* u64: wall time, usec since the epoch */
	PROTO_ATTR_PIDS_PEAK,     /* u64: pids.peak */
	PROTO_ATTR_COUNT,         /* u32: records asked for (postmortem -n) */
	/* boot analysis (issue 17): monotonic usec (the kernel started at 0);
	 * a stamp not reached is absent. Top level: initd's exec (EXEC_AT),
	 * its first spawn, when all first settled, now. In a SERVICE: NAME,
	 * STATE, its latest start's stamps (and its end), REQUIRES and AFTER (one name
	 * each), its cgroup statistics */
	PROTO_ATTR_EXEC_AT,       /* u64 */
	PROTO_ATTR_FIRST_SPAWN,   /* u64 */
	PROTO_ATTR_SETTLED_AT,    /* u64 */
	PROTO_ATTR_NOW,           /* u64 */
	PROTO_ATTR_REQUESTED_AT,  /* u64 */
	PROTO_ATTR_SPAWNED_AT,    /* u64 */
	PROTO_ATTR_READY_AT,      /* u64 */
	PROTO_ATTR_ENDED_AT,      /* u64: its last exit, when that run is over */
	PROTO_ATTR_REQUIRES,      /* string */
	PROTO_ATTR_AFTER,         /* string */
	/* show-system (issue 17): the metrics file */
	PROTO_ATTR_METRICS_WRITES,   /* u64: times initd wrote metrics_file */
	/* issue 19: analyze's boot phases (initd/bootphase.h), one nested
	 * BOOT_PHASE {NAME, PHASE_AT} per phase reached, in boot order */
	PROTO_ATTR_BOOT_PHASE,       /* nested: NAME, PHASE_AT */
	PROTO_ATTR_PHASE_AT,         /* u64: monotonic usec */
	/* issue 19: show sends the unit encoded, PID 1 formats no text */
	PROTO_ATTR_UNIT_MODEL,       /* bytes: the unit as PID 1 holds it
	                              * (unit_encode); svctl writes its text */
	/* issue 19: a metrics reply to root carries no DATA: the text is in
	 * the fd passed with the reply (SCM_RIGHTS, a sealed memfd) */
	PROTO_ATTR_DATA_IN_FD,       /* u64: the bytes of text in that fd */
	/* issue 19: a status of every unit names the cgroup2 root instead of
	 * reading each unit's statistics; svctl reads them below it */
	PROTO_ATTR_CGROUP_ROOT,      /* string: initd's cgroup2 root, a path
	                              * in PID 1's mount namespace */
	PROTO_ATTR_CGROUP_ROOT_ID,   /* u64: that directory's inode number,
	                              * its cgroup id in any mount namespace */
	PROTO_ATTR_NO_CGROUP,        /* flag: a tree NODE initd has no cgroup
	                              * for (it failed to set it up): svctl
	                              * reads nothing of it */
	/* a status request naming a unit initd has not: with UNKNOWN_LISTED
	 * in it, an OK reply of the known units' SERVICEs and an UNKNOWN per
	 * name it has not; without it (an older svctl), an ENOENT error for
	 * the whole request, as before */
	PROTO_ATTR_UNKNOWN_LISTED,   /* flag: a status request's */
	PROTO_ATTR_UNKNOWN,          /* string: a name the status request
	                              * named that initd has no unit of */
	PROTO_ATTR_MAX,
};

/* A string attribute's data is NUL-terminated inside its length; the decoder
 * rejects one that is not. */

/* A growable output buffer. All appends are no-ops once an error happened;
 * check ->error (a -errno) once at the end. */
struct proto_buf {
	uint8_t *data;
	size_t len;
	size_t cap;
	size_t limit;      /* maximum len, e.g. PROTO_HDR_SIZE + PROTO_REPLY_MAX */
	int error;
	size_t nest[PROTO_NEST_MAX];  /* offsets of open nested attributes */
	unsigned depth;
};

void proto_buf_init(struct proto_buf *b, size_t limit);
void proto_buf_free(struct proto_buf *b);   /* accepts a zeroed buf */

/* Start a message (writes the header; payload length is fixed by
 * proto_msg_end). Discards whatever b held before, error included, so one
 * buffer can build message after message. Errors, sticky until the next
 * proto_msg_begin: -EMSGSIZE past b->limit, -ENOMEM, -E2BIG when nesting
 * deeper than PROTO_NEST_MAX, -EINVAL for unbalanced nesting or an append
 * before proto_msg_begin. */
void proto_msg_begin(struct proto_buf *b, uint16_t type);
int proto_msg_end(struct proto_buf *b);     /* 0 or b->error */

/* Build a whole error reply (proto_msg_begin .. proto_msg_end): ERRNO `err`
 * (positive) and MESSAGE `message`. Returns 0 or b->error. */
int proto_msg_error(struct proto_buf *b, int err, const char *message);
/* The same with MESSAGE formatted (at most PROTO_ERROR_TEXT_MAX - 1 bytes
 * of it: a longer one is cut). */
#define PROTO_ERROR_TEXT_MAX 512
int proto_msg_errorf(struct proto_buf *b, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A message type's name for humans: "status", "poweroff", ..., "ok",
 * "error"; "unknown" for anything else. Never NULL. */
const char *proto_msg_name(uint16_t type);

void proto_put_u32(struct proto_buf *b, uint16_t attr, uint32_t v);
void proto_put_u64(struct proto_buf *b, uint16_t attr, uint64_t v);
void proto_put_str(struct proto_buf *b, uint16_t attr, const char *s);
void proto_put_bytes(struct proto_buf *b, uint16_t attr, const void *p, size_t n);
/* A bytes attribute of n bytes for the caller to fill (a reply read
 * straight from a file, no copy of it first): where they go, valid until
 * the next append, or NULL (b->error says why). */
void *proto_put_space(struct proto_buf *b, uint16_t attr, size_t n);
void proto_put_flag(struct proto_buf *b, uint16_t attr);
void proto_nest_begin(struct proto_buf *b, uint16_t attr);
void proto_nest_end(struct proto_buf *b);

/* A decoded header. */
struct proto_hdr {
	uint16_t version;
	uint16_t type;
	uint32_t len;      /* payload bytes that follow */
};

/* Decode a header from PROTO_HDR_SIZE bytes. -EBADMSG on bad magic,
 * -EPROTONOSUPPORT on an unknown version, -EMSGSIZE if len > max. */
int proto_hdr_decode(const void *p, size_t max_payload, struct proto_hdr *ret);

/* An attribute iterator over a payload (or a nested attribute's data). */
struct proto_attr_iter {
	const uint8_t *p;
	size_t left;
	int error;         /* -EBADMSG once a malformed attribute was met */
};

struct proto_attr_view {
	uint16_t type;
	uint32_t len;
	const uint8_t *data;
};

void proto_iter_init(struct proto_attr_iter *it, const void *payload, size_t len);
/* Next attribute: 1 and *ret filled, 0 at the end, -EBADMSG if malformed. */
int proto_iter_next(struct proto_attr_iter *it, struct proto_attr_view *ret);

/* First attribute of type `attr` in a payload: 1 and *ret filled, 0 when
 * absent, -EBADMSG if the payload is malformed before it is found. */
int proto_attr_find(const void *payload, size_t len, uint16_t attr,
		    struct proto_attr_view *ret);

/* Typed getters: 0 or -EBADMSG when the length/termination is wrong.
 * A string must end with its only NUL byte. *ret is untouched on error. */
int proto_get_u32(const struct proto_attr_view *a, uint32_t *ret);
int proto_get_u64(const struct proto_attr_view *a, uint64_t *ret);
int proto_get_str(const struct proto_attr_view *a, const char **ret);

#endif

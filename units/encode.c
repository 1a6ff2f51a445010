/* encode.c — the binary form of a unit_set, how initd-loader hands a
 * validated model to PID 1; and of one unit alone, how PID 1 hands it to
 * `svctl show` (unit_encode).
 *
 *   set     := magic "iuse" | version u8 | record(conf) | varint n_units
 *              | record(unit) * n_units | record(set: its diags)
 *   unit    := magic "iuun" | version u8 | record(unit)
 *   record  := field* | varint 0
 *   field   := varint tag (>= 1) | u8 kind | value
 *   value   := NUM:  varint (LEB128, at most 10 bytes)
 *            | STR:  varint len | len bytes | NUL     (no NUL inside)
 *            | STRV: varint count | STR value * count
 *            | LIST: varint count | record * count
 *            | REC:  record                          (an embedded struct)
 *            | PREC: record                          (a struct pointed to:
 *                                                      absent = its defaults)
 *
 * Every field says what it is, so the decoder checks each kind against the
 * schema below and skips tags it does not know (a newer loader may add
 * fields). A NULL string is an absent field. The decoder trusts nothing:
 * every count and length is bounded by the schema and by the bytes left,
 * what they allocate by UNIT_DECODE_MAX (charged before each allocation), a
 * tag may appear once, required tags must appear, and the result must meet
 * the set's invariants (set_check_invariants) before it is returned. */
#include <malloc.h>
#include <signal.h>
#include <stdalign.h>
#include <stddef.h>
#include <string.h>

#include "units/internal.h"

#define ENC_MAGIC       "iuse"
#define ENC_UNIT_MAGIC  "iuun"   /* one unit alone (unit_encode) */
#define ENC_STRING_MAX  (2 * UNIT_STRING_MAX)   /* paths and messages too */
#define ENC_DEPTH_MAX   4

enum enc_kind { ENC_NUM = 1, ENC_STR, ENC_STRV, ENC_LIST, ENC_REC, ENC_PREC };

struct enc_record;

/* A field of a record. 24 bytes: the decoder's tables are ~180 of these,
 * and PID 1 carries them (issue 19: its binary's size), so the offsets
 * are 16-bit (OFF16 fails the build of a struct that outgrows them). */
struct enc_field {
	uint64_t max;           /* ENC_NUM: largest value; STRV/LIST: most entries */
	const struct enc_record *sub;   /* ENC_LIST: the element's record;
	                                 * ENC_REC: the embedded struct's;
	                                 * ENC_PREC: the pointed-to one's */
	uint8_t tag;            /* 1..255; only 1..63 may be required */
	uint8_t kind;
	uint8_t width;          /* ENC_NUM: bytes of the member */
	uint16_t offset;
	uint16_t count_offset;  /* ENC_LIST: the size_t count member */
};

struct enc_record {
	const struct enc_field *fields;
	size_t n_fields;
	size_t size;            /* of one element, for lists */
	uint64_t required;      /* bit per tag that must be present */
	void (*clear)(void *elem);      /* free what an element holds */
	void *(*make)(void);    /* an ENC_PREC field's record: a new one with
	                         * every default, its owner's to free; NULL on
	                         * ENOMEM */
};

/* A record of struct T's FIELDS; REQUIRED the bits of the tags that must
 * be present, CLEAR what frees an element's members (NULL: nothing to
 * free); PRECORD's MAKE is the constructor of an ENC_PREC member's struct. */
#define RECORD(fields_, T, required_, clear_) { .fields = fields_, \
	.n_fields = ARRAY_SIZE(fields_), .size = sizeof(T), .required = required_, .clear = clear_ }
#define PRECORD(fields_, T, required_, clear_, make_) { .fields = fields_, \
	.n_fields = ARRAY_SIZE(fields_), .size = sizeof(T), .required = required_, .clear = clear_, \
	.make = make_ }
#define OFF16(T, m) (offsetof(T, m) + 0 * sizeof(char[offsetof(T, m) <= UINT16_MAX ? 1 : -1]))
#define MEMBER_SIZE(T, m) sizeof(((T *)0)->m)
#define F_NUM(t, T, m, mx) { .tag = t, .kind = ENC_NUM, .width = MEMBER_SIZE(T, m), \
			     .offset = OFF16(T, m), .max = mx }
#define F_STR(t, T, m) { .tag = t, .kind = ENC_STR, .offset = OFF16(T, m) }
#define F_STRV(t, T, m, mx) { .tag = t, .kind = ENC_STRV, .offset = OFF16(T, m), .max = mx }
#define F_LIST(t, T, m, n, mx, rec) { .tag = t, .kind = ENC_LIST, .offset = OFF16(T, m), \
				      .count_offset = OFF16(T, n), .max = mx, .sub = rec }
/* A struct member encoded as a record of its own (kind ENC_REC). */
#define F_REC(t, T, m, rec) { .tag = t, .kind = ENC_REC, .offset = OFF16(T, m), .sub = rec }
/* A pointer member to a struct encoded as a record (kind ENC_PREC): a NULL
 * pointer is not written, a missing field leaves the defaults the owner's
 * constructor pointed it at. */
#define F_PREC(t, T, m, rec) { .tag = t, .kind = ENC_PREC, .offset = OFF16(T, m), .sub = rec }
#define BIT(t) (1ULL << (t))

static void diag_clear(void *elem)
{
	struct unit_diag *d = elem;

	free(d->file);
	free(d->message);
}

static void slice_clear(void *elem)
{
	free(((struct unit_slice *)elem)->path);
	unit_limits_clear(&((struct unit_slice *)elem)->limits);
}

/* cgroup limits (issue 4), embedded in a unit and in each slice. */
static void io_limit_clear(void *elem)
{
}

static const struct enc_field io_limit_fields[] = {
	F_NUM(1, struct unit_io_limit, major, UINT32_MAX),
	F_NUM(2, struct unit_io_limit, minor, UINT32_MAX),
	F_NUM(3, struct unit_io_limit, rbps, UINT64_MAX),
	F_NUM(4, struct unit_io_limit, wbps, UINT64_MAX),
	F_NUM(5, struct unit_io_limit, riops, UINT64_MAX),
	F_NUM(6, struct unit_io_limit, wiops, UINT64_MAX),
};
static const struct enc_record io_limit_record =
	RECORD(io_limit_fields, struct unit_io_limit, BIT(1) | BIT(2), io_limit_clear);

static const struct enc_field limits_fields[] = {
	F_NUM(1, struct unit_limits, declared, UNIT_LIMIT_BIT(UNIT_LIMIT_MAX) - 1),
	F_NUM(2, struct unit_limits, cpu_quota_usec, UINT64_MAX),
	F_NUM(3, struct unit_limits, cpu_period_usec, UINT64_MAX),
	F_NUM(4, struct unit_limits, cpu_weight, UINT32_MAX),
	F_STR(5, struct unit_limits, cpuset_cpus),
	F_STR(6, struct unit_limits, cpuset_mems),
	F_NUM(7, struct unit_limits, memory_max, UINT64_MAX),
	F_NUM(8, struct unit_limits, memory_high, UINT64_MAX),
	F_NUM(9, struct unit_limits, memory_low, UINT64_MAX),
	F_NUM(10, struct unit_limits, memory_min, UINT64_MAX),
	F_NUM(11, struct unit_limits, memory_swap_max, UINT64_MAX),
	F_NUM(12, struct unit_limits, memory_oom_group, 1),
	F_NUM(13, struct unit_limits, pids_max, UINT64_MAX),
	F_NUM(14, struct unit_limits, io_weight, UINT32_MAX),
	F_LIST(15, struct unit_limits, io_max, n_io_max, UNIT_IO_DEVICES_MAX, &io_limit_record),
	F_NUM(16, struct unit_limits, cpu_burst_usec, UINT64_MAX),
};
/* A tag per key of UNIT_LIMITS, plus declared and cpu.max's period. */
_Static_assert(ARRAY_SIZE(limits_fields) == UNIT_LIMIT_MAX + 2,
	       "a cgroup limit key needs its encode tag in limits_fields");
static const struct enc_record limits_record =
	RECORD(limits_fields, struct unit_limits, BIT(1), NULL);

/* A ready or health probe (issue 15). */
static const struct enc_field probe_fields[] = {
	F_NUM(1, struct unit_probe, kind, UNIT_PROBE_KIND_MAX - 1),
	F_STR(2, struct unit_probe, target),
	F_STRV(3, struct unit_probe, exec, UNIT_PROBE_ARGV_MAX),
	F_NUM(4, struct unit_probe, interval_usec, UNIT_PROBE_DURATION_MAX),
	F_NUM(5, struct unit_probe, timeout_usec, UNIT_PROBE_DURATION_MAX),
	F_NUM(6, struct unit_probe, failures, UNIT_PROBE_FAILURES_MAX),
};
static const struct enc_record probe_record =
	RECORD(probe_fields, struct unit_probe, BIT(1), NULL);

/* One BPF instruction of a unit's seccomp filter (issue 18): it holds
 * nothing to free. */
static void bpf_clear(void *elem)
{
}

static const struct enc_field bpf_fields[] = {
	F_NUM(1, struct sock_filter, code, UINT16_MAX),
	F_NUM(2, struct sock_filter, jt, UINT8_MAX),
	F_NUM(3, struct sock_filter, jf, UINT8_MAX),
	F_NUM(4, struct sock_filter, k, UINT32_MAX),
};
static const struct enc_record bpf_record =
	RECORD(bpf_fields, struct sock_filter, 0, bpf_clear);

static const struct enc_field diag_fields[] = {
	F_STR(1, struct unit_diag, file),
	F_NUM(2, struct unit_diag, line, INT32_MAX),
	F_STR(3, struct unit_diag, message),
};
static const struct enc_record diag_record =
	RECORD(diag_fields, struct unit_diag, BIT(1) | BIT(3), diag_clear);

static const struct enc_field slice_fields[] = {
	F_STR(1, struct unit_slice, path),
	F_REC(2, struct unit_slice, limits, &limits_record),
};
static const struct enc_record slice_record =
	RECORD(slice_fields, struct unit_slice, BIT(1), slice_clear);

/* Isolation (issue 5): rootfs binds, rlimits, initd.conf bridges. */
static void bind_clear_elem(void *elem)
{
	struct unit_bind *b = elem;

	free(b->source);
	free(b->target);
}

static void bridge_clear_elem(void *elem)
{
	struct unit_bridge *b = elem;

	free(b->name);
	free(b->address);
	free(b->address6);
}

static void route_clear_elem(void *elem)
{
	struct unit_route *r = elem;

	free(r->to);
	free(r->via);
}

static const struct enc_field bind_fields[] = {
	F_STR(1, struct unit_bind, source),
	F_STR(2, struct unit_bind, target),
	F_NUM(3, struct unit_bind, readonly, 1),
};
static const struct enc_record bind_record =
	RECORD(bind_fields, struct unit_bind, BIT(1) | BIT(2), bind_clear_elem);

static void rlimit_clear_elem(void *elem)
{
}

static const struct enc_field rlimit_fields[] = {
	F_NUM(1, struct unit_rlimit, resource, 64),
	F_NUM(2, struct unit_rlimit, soft, UINT64_MAX),
	F_NUM(3, struct unit_rlimit, hard, UINT64_MAX),
};
static const struct enc_record rlimit_record =
	RECORD(rlimit_fields, struct unit_rlimit, BIT(1) | BIT(2) | BIT(3), rlimit_clear_elem);

static const struct enc_field bridge_fields[] = {
	F_STR(1, struct unit_bridge, name),
	F_STR(2, struct unit_bridge, address),
	F_STR(3, struct unit_bridge, address6),   /* issue 18 */
};
static const struct enc_record bridge_record =
	RECORD(bridge_fields, struct unit_bridge, BIT(1), bridge_clear_elem);

/* Static routes (issue 18). */
static const struct enc_field route_fields[] = {
	F_STR(1, struct unit_route, to),
	F_STR(2, struct unit_route, via),
};
static const struct enc_record route_record =
	RECORD(route_fields, struct unit_route, BIT(1), route_clear_elem);

/* Mounts (issue 14): initd.conf's mounts. */
static void mount_clear_elem(void *elem)
{
	struct unit_mount *m = elem;

	free(m->what);
	free(m->where);
	free(m->type);
	free(m->options);
}

static const struct enc_field mount_fields[] = {
	F_STR(1, struct unit_mount, what),
	F_STR(2, struct unit_mount, where),
	F_STR(3, struct unit_mount, type),
	F_STR(4, struct unit_mount, options),
	F_NUM(5, struct unit_mount, fsck, 1),
	F_NUM(6, struct unit_mount, required, 1),
	F_NUM(7, struct unit_mount, timeout_usec, UNIT_DURATION_MAX),
	F_NUM(8, struct unit_mount, on_failure, FAILURE_ACTION_MAX - 1),
	F_NUM(9, struct unit_mount, format, MOUNT_FORMAT_MAX - 1),
};
static const struct enc_record mount_record =
	RECORD(mount_fields, struct unit_mount, BIT(1) | BIT(2) | BIT(3), mount_clear_elem);

/* Instances (issue 15): initd.conf's instances. */
static void instances_clear_elem(void *elem)
{
	struct unit_instances *g = elem;

	free(g->template);
	strv_free(g->names);
}

static const struct enc_field instances_fields[] = {
	F_STR(1, struct unit_instances, template),
	F_STRV(2, struct unit_instances, names, UNIT_INSTANCE_NAMES_MAX),
};
static const struct enc_record instances_record =
	RECORD(instances_fields, struct unit_instances, BIT(1) | BIT(2), instances_clear_elem);

static const struct enc_field watchdog_fields[] = {
	F_STR(1, struct unit_watchdog, device),
	F_NUM(2, struct unit_watchdog, timeout_usec, UNIT_DURATION_MAX),
	F_NUM(3, struct unit_watchdog, shutdown_timeout_usec, UNIT_DURATION_MAX),
};
static const struct enc_record watchdog_record =
	RECORD(watchdog_fields, struct unit_watchdog, 0, NULL);

static const struct enc_field conf_fields[] = {
	F_STR(1, struct initd_conf, file),
	F_STR(2, struct initd_conf, hostname),
	F_NUM(3, struct initd_conf, crash_action, CRASH_ACTION_MAX - 1),
	F_STR(4, struct initd_conf, control_group),
	F_STRV(5, struct initd_conf, modules, UNIT_MODULES_MAX),
	F_LIST(6, struct initd_conf, slices, n_slices, UNIT_SLICE_MAX + 1, &slice_record),
	F_NUM(7, struct initd_conf, shutdown_timeout_usec, UNIT_DURATION_MAX),
	F_NUM(8, struct initd_conf, log_buffer_size, SIZE_MAX),
	/* the hardware watchdog: 9..12 */
	F_REC(9, struct initd_conf, watchdog, &watchdog_record),
	/* persistent logs (issue 14): 13..16 */
	F_STR(13, struct initd_conf, log_directory),
	F_NUM(14, struct initd_conf, log_max_size, UNIT_LOG_SIZE_MAX),
	F_NUM(15, struct initd_conf, log_keep, UNIT_LOG_KEEP_MAX),
	/* isolation: 30.. */
	F_LIST(30, struct initd_conf, bridges, n_bridges, UNIT_BRIDGES_MAX, &bridge_record),
	F_NUM(31, struct initd_conf, ip_forward, 1),
	F_LIST(32, struct initd_conf, rlimits, n_rlimits, 64, &rlimit_record),
	/* mounts (issue 14): 17..20 */
	F_LIST(17, struct initd_conf, mounts, n_mounts, UNIT_MOUNTS_MAX, &mount_record),
	/* escalation (issue 14): 21..26 */
	F_STRV(21, struct initd_conf, sysctl, UNIT_SYSCTL_MAX),
	F_STR(22, struct initd_conf, boot_guard_file),
	F_NUM(23, struct initd_conf, boot_guard_max, UNIT_BOOT_GUARD_MAX),
	/* instances (issue 15): 27..30 */
	F_LIST(27, struct initd_conf, instances, n_instances, UNIT_INSTANCES_MAX,
	       &instances_record),
	/* metrics (issue 17): 60..69 */
	F_STR(60, struct initd_conf, metrics_file),
	F_NUM(61, struct initd_conf, metrics_interval_usec, METRICS_INTERVAL_MAX),
	F_NUM(62, struct initd_conf, default_accounting, 1),
	/* the final phase: 70.. */
	F_NUM(70, struct initd_conf, sync_timeout_usec, SYNC_TIMEOUT_MAX),
};
static const struct enc_record conf_record =
	RECORD(conf_fields, struct initd_conf, BIT(6), NULL);

static void *optional_make(void)
{
	return unit_optional_new();
}

/* A unit's optional groups (issue 19: out of line, struct unit_optional);
 * the tags are the ones they had in the unit's record. */
static const struct enc_field optional_fields[] = {
	F_NUM(30, struct unit_optional, success_exit_codes[0], UINT64_MAX),
	F_NUM(31, struct unit_optional, success_exit_codes[1], UINT64_MAX),
	F_NUM(32, struct unit_optional, success_exit_codes[2], UINT64_MAX),
	F_NUM(33, struct unit_optional, success_exit_codes[3], UINT64_MAX),
	F_NUM(34, struct unit_optional, success_exit_signals, UINT64_MAX),
	/* cgroup limits: 25 */
	F_REC(25, struct unit_optional, limits, &limits_record),
	/* isolation: 40.. */
	F_NUM(40, struct unit_optional, iso.namespaces, UNIT_NS_BIT(UNIT_NS_MAX) - 1),
	F_STR(41, struct unit_optional, iso.hostname),
	F_STR(42, struct unit_optional, iso.rootfs),
	F_NUM(43, struct unit_optional, iso.rootfs_readonly, 1),
	F_LIST(44, struct unit_optional, iso.binds, iso.n_binds, UNIT_BINDS_MAX, &bind_record),
	F_STRV(45, struct unit_optional, iso.tmpfs, UNIT_TMPFS_MAX),
	F_NUM(46, struct unit_optional, iso.has_capabilities, 1),
	F_NUM(47, struct unit_optional, iso.capabilities, (1ULL << UNIT_CAP_MAX) - 1),
	F_NUM(48, struct unit_optional, iso.no_new_privs, 1),
	F_STRV(49, struct unit_optional, iso.supplementary_groups, UNIT_GROUPS_MAX),
	F_LIST(50, struct unit_optional, iso.rlimits, iso.n_rlimits, 64, &rlimit_record),
	F_NUM(51, struct unit_optional, iso.umask, 0777),
	F_NUM(52, struct unit_optional, iso.has_oom_score_adj, 1),
	F_NUM(53, struct unit_optional, iso.oom_score_adj, UINT32_MAX),   /* int32 bits */
	F_STR(54, struct unit_optional, iso.uid_map),
	F_STR(55, struct unit_optional, iso.gid_map),
	F_STR(56, struct unit_optional, iso.veth_bridge),
	F_STR(57, struct unit_optional, iso.veth_address),
	F_STR(58, struct unit_optional, iso.veth_gateway),
	F_NUM(59, struct unit_optional, iso.proc_unprotected, 1),
	/* rootfs from the image (issue 15): 120.. */
	F_STRV(120, struct unit_optional, iso.from_host, UNIT_FROM_HOST_MAX),
	/* issue 18.3/18.4 (userns): 176..185 */
	F_NUM(176, struct unit_optional, iso.userns_auto, 1),
	F_NUM(177, struct unit_optional, iso.userns_size, UNIT_USERNS_SIZE_MAX),
	F_NUM(178, struct unit_optional, iso.userns_slot, UNIT_USERNS_SLOTS - 1),
	F_STR(179, struct unit_optional, iso.join[UNIT_JOIN_NET]),
	F_STR(180, struct unit_optional, iso.join[UNIT_JOIN_UTS]),
	F_STR(181, struct unit_optional, iso.join[UNIT_JOIN_IPC]),
	/* IPv6, routes, p2p veth, macvlan (issue 18): 160..175 */
	F_STR(160, struct unit_optional, iso.veth_address6),
	F_STR(161, struct unit_optional, iso.veth_gateway6),
	F_STR(162, struct unit_optional, iso.veth_host_address),
	F_STR(163, struct unit_optional, iso.veth_host_address6),
	F_STR(164, struct unit_optional, iso.macvlan_interface),
	F_NUM(165, struct unit_optional, iso.macvlan_mode, UNIT_MACVLAN_MODE_MAX - 1),
	F_LIST(166, struct unit_optional, iso.routes, iso.n_routes, UNIT_ROUTES_MAX, &route_record),
	/* directories (issue 15): 77..81 */
	F_STRV(77, struct unit_optional, dirs.names[UNIT_DIR_RUNTIME], UNIT_DIRS_MAX),
	F_STRV(78, struct unit_optional, dirs.names[UNIT_DIR_STATE], UNIT_DIRS_MAX),
	F_STRV(79, struct unit_optional, dirs.names[UNIT_DIR_LOGS], UNIT_DIRS_MAX),
	F_STRV(80, struct unit_optional, dirs.names[UNIT_DIR_CACHE], UNIT_DIRS_MAX),
	F_NUM(81, struct unit_optional, dirs.mode, 07777),
	/* ready and health probes (issue 15): 100..119 */
	F_REC(100, struct unit_optional, ready, &probe_record),
	F_REC(101, struct unit_optional, health, &probe_record),
	/* seccomp (issue 18): 131..139 */
	F_NUM(131, struct unit_optional, seccomp.default_action, UNIT_SECCOMP_DEFAULT_MAX - 1),
	F_NUM(132, struct unit_optional, seccomp.errno_value, UNIT_SECCOMP_ERRNO_MAX),
	F_STRV(133, struct unit_optional, seccomp.deny, UNIT_SECCOMP_NAMES_MAX),
	F_STRV(134, struct unit_optional, seccomp.allow, UNIT_SECCOMP_NAMES_MAX),
	F_LIST(135, struct unit_optional, seccomp.bpf, seccomp.n_bpf, UNIT_SECCOMP_INSNS_MAX,
	       &bpf_record),
};
static const struct enc_record optional_record =
	PRECORD(optional_fields, struct unit_optional, 0, NULL, optional_make);

static const struct enc_field unit_fields[] = {
	F_STR(1, struct unit, name),
	F_STR(2, struct unit, file),
	F_NUM(3, struct unit, bad, 1),
	F_LIST(4, struct unit, diags.v, diags.n, UNIT_DIAG_MAX, &diag_record),
	F_STR(5, struct unit, description),
	F_STRV(6, struct unit, exec, UNIT_ARGV_MAX),
	F_NUM(7, struct unit, type, UNIT_TYPE_MAX - 1),
	F_STRV(8, struct unit, requires, UNIT_DEPS_MAX),
	F_STRV(9, struct unit, after, UNIT_DEPS_MAX),
	F_NUM(10, struct unit, restart, UNIT_RESTART_MAX - 1),
	F_NUM(11, struct unit, restart_delay_usec, UNIT_DURATION_MAX),
	F_NUM(12, struct unit, restart_delay_max_usec, UNIT_DURATION_MAX),
	F_NUM(13, struct unit, start_limit_burst, UINT32_MAX),
	F_NUM(14, struct unit, start_limit_interval_usec, UNIT_DURATION_MAX),
	F_NUM(15, struct unit, stop_signal, _NSIG - 1),
	F_NUM(16, struct unit, stop_timeout_usec, UNIT_DURATION_MAX),
	F_STR(17, struct unit, user),
	F_STR(18, struct unit, group),
	F_STRV(19, struct unit, environment, UNIT_ENV_MAX),
	F_STR(20, struct unit, workdir),
	F_STR(21, struct unit, cgroup.slice),
	F_NUM(22, struct unit, watchdog_usec, UNIT_DURATION_MAX),
	F_NUM(23, struct unit, log_console, 1),
	F_NUM(24, struct unit, log_kmsg, 1),
	F_NUM(29, struct unit, start_timeout_usec, UNIT_DURATION_MAX),
	/* cgroup: 25.. (the limits are optional_fields') */
	F_NUM(26, struct unit, cgroup.subtree_control, UNIT_CONTROLLER_BIT(UNIT_CONTROLLER_MAX) - 1),
	F_NUM(27, struct unit, cgroup.delegate_max_depth, UNIT_DELEGATE_DEPTH_MAX),
	F_NUM(28, struct unit, cgroup.delegate_max_descendants, UNIT_DELEGATE_DESCENDANTS_MAX),
	/* forensics (issue 17): 130.. */
	F_NUM(130, struct unit, postmortems, UNIT_POSTMORTEMS_MAX),
	/* mounts (issue 14): 65..67 */
	F_STRV(65, struct unit, requires_mounts, UNIT_MOUNTS_MAX),
	/* escalation and modes (issue 14): 68..75 */
	F_NUM(68, struct unit, on_failure, FAILURE_ACTION_MAX - 1),
	F_NUM(69, struct unit, critical, 1),
	F_STRV(70, struct unit, modes, UNIT_MODES_MAX),
	F_NUM(71, struct unit, autostart, 1),
	/* environment files (issue 15): 76 */
	F_STRV(76, struct unit, environment_files, UNIT_ENV_FILES_MAX),
	/* persistent logs (issue 14): 60..64 */
	F_STR(60, struct unit, log_file),
	F_NUM(61, struct unit, log_max_size, UNIT_LOG_SIZE_MAX),
	F_NUM(62, struct unit, log_keep, UNIT_LOG_KEEP_MAX),
	F_NUM(63, struct unit, log_keep_set, 1),
	/* forking daemons (issue 15): 90..95 */
	F_STR(90, struct unit, pidfile),
	/* the optional groups, out of line (issue 19): 182 */
	F_PREC(182, struct unit, opt, &optional_record),
};
static const struct enc_record unit_record =
	RECORD(unit_fields, struct unit, BIT(1) | BIT(2), NULL);

/* The set's own fields: its diagnostics. */
static const struct enc_field set_fields[] = {
	F_LIST(1, struct unit_set, diags.v, diags.n, UNIT_SET_DIAGS_MAX, &diag_record),
	F_LIST(2, struct unit_set, warnings.v, warnings.n, UNIT_SET_DIAGS_MAX, &diag_record),
	F_STRV(3, struct unit_set, templates, UNIT_MAX),   /* issue 15 */
};
static const struct enc_record set_record = RECORD(set_fields, struct unit_set, 0, NULL);

static uint64_t num_get(const void *obj, const struct enc_field *f)
{
	const uint8_t *p = (const uint8_t *)obj + f->offset;
	uint8_t v8;
	uint16_t v16;
	uint32_t v32;
	uint64_t v64;

	switch (f->width) {
	case 1:
		memcpy(&v8, p, 1);
		return v8;
	case 2:     /* struct sock_filter's code */
		memcpy(&v16, p, 2);
		return v16;
	case 4:
		memcpy(&v32, p, 4);
		return v32;
	default:
		memcpy(&v64, p, 8);
		return v64;
	}
}

static void num_set(void *obj, const struct enc_field *f, uint64_t v)
{
	uint8_t *p = (uint8_t *)obj + f->offset;
	uint8_t v8 = (uint8_t)v;
	uint16_t v16 = (uint16_t)v;
	uint32_t v32 = (uint32_t)v;

	if (f->width == 1)
		memcpy(p, &v8, 1);
	else if (f->width == 2)
		memcpy(p, &v16, 2);
	else if (f->width == 4)
		memcpy(p, &v32, 4);
	else
		memcpy(p, &v, 8);
}

#define MEMBER(obj, f, T) ((T *)(void *)((uint8_t *)(obj) + (f)->offset))

_Static_assert(sizeof(enum unit_type) == 4 && sizeof(enum crash_action) == 4 &&
	       sizeof(int) == 4 && sizeof(bool) == 1, "encode.c assumes these widths");
_Static_assert(sizeof(size_t) == 4 || sizeof(size_t) == 8, "encode.c assumes these widths");

/* ---- encoding ---------------------------------------------------------- */

/* A growing output; appends are no-ops after an error. */
struct enc_buf {
	uint8_t *data;
	size_t len, cap;
	int error;
};

static void put(struct enc_buf *b, const void *p, size_t n)
{
	if (b->error)
		return;
	if (n > b->cap - b->len) {
		size_t cap = b->cap ? b->cap : 4096;
		uint8_t *d;
		while (cap - b->len < n)
			cap *= 2;
		d = realloc(b->data, cap);
		if (!d) {
			b->error = -ENOMEM;
			return;
		}
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

static void put_varint(struct enc_buf *b, uint64_t v)
{
	uint8_t out[10];
	size_t n = 0;

	do {
		out[n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
	put(b, out, n);
}

static void put_str(struct enc_buf *b, const char *s)
{
	size_t n = strlen(s);

	if (n > ENC_STRING_MAX) {
		b->error = b->error ? b->error : -EINVAL;
		return;
	}
	put_varint(b, n);
	put(b, s, n + 1);
}

static void put_head(struct enc_buf *b, const struct enc_field *f)
{
	uint8_t kind = f->kind;

	put_varint(b, f->tag);
	put(b, &kind, 1);
}

static void put_record(struct enc_buf *b, const struct enc_record *rec, const void *obj);

static void put_list(struct enc_buf *b, const struct enc_field *f, const void *obj)
{
	const uint8_t *v = *MEMBER(obj, f, uint8_t *const);
	size_t n = *(const size_t *)(const void *)((const uint8_t *)obj + f->count_offset);

	if (n > f->max) {
		b->error = b->error ? b->error : -EINVAL;
		return;
	}
	put_head(b, f);
	put_varint(b, n);
	for (size_t i = 0; i < n; i++)
		put_record(b, f->sub, v + i * f->sub->size);
}

static void put_field(struct enc_buf *b, const struct enc_field *f, const void *obj)
{
	char *const *strv;
	const char *str;
	uint64_t v;

	switch (f->kind) {
	case ENC_NUM:
		v = num_get(obj, f);
		if (v > f->max)
			b->error = b->error ? b->error : -EINVAL;
		put_head(b, f);
		put_varint(b, v);
		break;
	case ENC_STR:
		str = *MEMBER(obj, f, const char *const);
		if (!str)
			return;
		put_head(b, f);
		put_str(b, str);
		break;
	case ENC_STRV:
		strv = *MEMBER(obj, f, char **const);
		if (!strv)
			return;
		if (strv_length(strv) > f->max)
			b->error = b->error ? b->error : -EINVAL;
		put_head(b, f);
		put_varint(b, strv_length(strv));
		for (; *strv; strv++)
			put_str(b, *strv);
		break;
	case ENC_REC:
		put_head(b, f);
		put_record(b, f->sub, (const uint8_t *)obj + f->offset);
		break;
	case ENC_PREC:
		if (!*MEMBER(obj, f, const void *const))
			return;
		put_head(b, f);
		put_record(b, f->sub, *MEMBER(obj, f, const void *const));
		break;
	default:
		put_list(b, f, obj);
	}
}

static void put_record(struct enc_buf *b, const struct enc_record *rec, const void *obj)
{
	for (size_t i = 0; i < rec->n_fields; i++)
		put_field(b, &rec->fields[i], obj);
	put_varint(b, 0);
}

static void put_header(struct enc_buf *b, const char *magic)
{
	uint8_t version = UNIT_ENCODE_VERSION;

	put(b, magic, 4);
	put(b, &version, 1);
}

static int enc_finish(struct enc_buf *b, void **ret, size_t *ret_len)
{
	if (b->error) {
		free(b->data);
		return b->error;
	}
	*ret = b->data;
	*ret_len = b->len;
	return 0;
}

int unit_set_encode(const struct unit_set *s, void **ret, size_t *ret_len)
{
	struct enc_buf b = { .data = NULL };

	if (s->n_units > UNIT_MAX)
		return -EINVAL;
	put_header(&b, ENC_MAGIC);
	put_record(&b, &conf_record, &s->conf);
	put_varint(&b, s->n_units);
	for (size_t i = 0; i < s->n_units; i++)
		put_record(&b, &unit_record, s->units[i]);
	put_record(&b, &set_record, s);
	if (!b.error && b.len > UNIT_MODEL_MAX)
		b.error = -EFBIG;
	return enc_finish(&b, ret, ret_len);
}

int unit_encode(const struct unit *u, void **ret, size_t *ret_len)
{
	struct enc_buf b = { .data = NULL };

	put_header(&b, ENC_UNIT_MAGIC);
	put_record(&b, &unit_record, u);
	return enc_finish(&b, ret, ret_len);
}

/* ---- decoding ---------------------------------------------------------- */

struct dec {
	const uint8_t *p;
	size_t left;
	size_t budget;          /* heap the decode may still take (UNIT_DECODE_MAX) */
	size_t unit_cost;       /* a fresh unit's heap, once one was made */
};

/* The heap an allocation of n bytes takes, as glibc's malloc holds it:
 * n and a size word in 16-byte steps, at least 32 (malloc(1) takes 32).
 * An estimate, the same in every build, so that a model decodes or is
 * refused alike under a sanitizer. */
static uint64_t heap_cost(uint64_t n)
{
	uint64_t c = (n + sizeof(size_t) + 15) & ~(uint64_t)15;

	return c < 32 ? 32 : c;
}

/* Take cost bytes from d's budget before they are allocated: a model's
 * bytes do not bound what they decode into (an empty string is 2 bytes
 * of it and 40 of heap). 0, or -EFBIG once the budget is spent. */
static int charge(struct dec *d, uint64_t cost)
{
	if (cost > d->budget)
		return -EFBIG;
	d->budget -= (size_t)cost;
	return 0;
}

static int get_bytes(struct dec *d, void *out, size_t n)
{
	if (n > d->left)
		return -EBADMSG;
	if (out)
		memcpy(out, d->p, n);
	d->p += n;
	d->left -= n;
	return 0;
}

/* The bytes read in place, not through get_bytes: a decode is mostly
 * varints (tags, kinds' values, lengths), and a call and a one-byte
 * memcpy for each of their bytes were a fifth of its instructions. */
static int get_varint(struct dec *d, uint64_t *ret)
{
	uint64_t v = 0;

	for (unsigned shift = 0; shift < 70; shift += 7) {
		uint8_t byte;
		if (!d->left)
			return -EBADMSG;
		byte = *d->p++;
		d->left--;
		if (shift == 63 && byte > 1)
			return -EBADMSG;
		v |= (uint64_t)(byte & 0x7f) << shift;
		if (!(byte & 0x80)) {
			*ret = v;
			return 0;
		}
	}
	return -EBADMSG;
}

/* A count of items of at least min_size bytes each: bounded by max and by
 * what is left, so no allocation trusts the input. */
static int get_count(struct dec *d, uint64_t max, size_t min_size, size_t *ret)
{
	uint64_t n;

	if (get_varint(d, &n) < 0 || n > max || n > d->left / min_size)
		return -EBADMSG;
	*ret = (size_t)n;
	return 0;
}

/* A string into *ret (malloc'd), or only skipped when ret is NULL. */
static int get_str(struct dec *d, char **ret)
{
	uint64_t n;

	if (get_varint(d, &n) < 0 || n > ENC_STRING_MAX || n >= d->left ||
	    d->p[n] != '\0' || memchr(d->p, '\0', (size_t)n))
		return -EBADMSG;
	if (ret) {
		if (charge(d, heap_cost(n + 1)) < 0)
			return -EFBIG;
		*ret = strdup((const char *)d->p);
		if (!*ret)
			return -ENOMEM;
	}
	return get_bytes(d, NULL, (size_t)n + 1);
}

static int get_strv(struct dec *d, uint64_t max, char ***ret)
{
	char **v;
	size_t n;
	int r = 0;

	if (get_count(d, max, 2, &n) < 0)
		return -EBADMSG;
	if (charge(d, heap_cost((n + 1) * (uint64_t)sizeof(*v))) < 0)
		return -EFBIG;
	v = calloc(n + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n && r == 0; i++)
		r = get_str(d, &v[i]);
	if (r < 0) {
		strv_free(v);
		return r;
	}
	*ret = v;
	return 0;
}

static int skip_record(struct dec *d, unsigned depth);

/* Skip a value of a field this decoder does not know. */
static int skip_value(struct dec *d, uint8_t kind, unsigned depth)
{
	uint64_t v;
	size_t n;
	int r = 0;

	switch (kind) {
	case ENC_NUM:
		return get_varint(d, &v);
	case ENC_STR:
		return get_str(d, NULL);
	case ENC_STRV:
	case ENC_LIST:
		if (get_count(d, SIZE_MAX, 1, &n) < 0)
			return -EBADMSG;
		for (size_t i = 0; i < n && r == 0; i++)
			r = kind == ENC_STRV ? get_str(d, NULL) : skip_record(d, depth + 1);
		return r;
	case ENC_REC:
	case ENC_PREC:
		return skip_record(d, depth + 1);
	default:
		return -EBADMSG;
	}
}

static int skip_record(struct dec *d, unsigned depth)
{
	if (depth > ENC_DEPTH_MAX)
		return -EBADMSG;
	for (;;) {
		uint64_t tag;
		uint8_t kind;
		int r;
		if (get_varint(d, &tag) < 0)
			return -EBADMSG;
		if (tag == 0)
			return 0;
		if (get_bytes(d, &kind, 1) < 0)
			return -EBADMSG;
		r = skip_value(d, kind, depth);
		if (r < 0)
			return r;
	}
}

static int get_record(struct dec *d, const struct enc_record *rec, void *obj, unsigned depth);
static uint64_t record_heap(const struct enc_record *rec, const void *obj);

/* Free a list member of obj (its elements and array) and zero it. */
static void list_clear(void *obj, const struct enc_field *f)
{
	uint8_t **v = MEMBER(obj, f, uint8_t *);
	size_t *n = (size_t *)(void *)((uint8_t *)obj + f->count_offset);

	for (size_t i = 0; *v && i < *n; i++)
		f->sub->clear(*v + i * f->sub->size);
	free(*v);
	*v = NULL;
	*n = 0;
}

/* A list replaces the member's old one. The new array is in obj from the
 * start, zeroed, so obj's destructor frees it whatever happens. */
static int get_list(struct dec *d, const struct enc_field *f, void *obj, unsigned depth)
{
	uint8_t *v;
	size_t n;
	int r = 0;

	if (get_count(d, f->max, 1, &n) < 0)
		return -EBADMSG;
	if (charge(d, heap_cost((n ? n : 1) * (uint64_t)f->sub->size)) < 0)
		return -EFBIG;
	list_clear(obj, f);
	v = calloc(n ? n : 1, f->sub->size);
	if (!v)
		return -ENOMEM;
	*MEMBER(obj, f, uint8_t *) = v;
	*(size_t *)(void *)((uint8_t *)obj + f->count_offset) = n;
	for (size_t i = 0; i < n && r == 0; i++)
		r = get_record(d, f->sub, v + i * f->sub->size, depth + 1);
	return r;
}

/* An ENC_PREC record into the one obj points at, made with its defaults
 * first when obj has none (obj's destructor frees it whatever happens). */
static int get_pointed(struct dec *d, const struct enc_field *f, void *obj, unsigned depth)
{
	void **member = MEMBER(obj, f, void *);

	if (!*member) {
		if (!(*member = f->sub->make()))
			return -ENOMEM;
		if (charge(d, heap_cost(f->sub->size) + record_heap(f->sub, *member)) < 0)
			return -EFBIG;
	}
	return get_record(d, f->sub, *member, depth + 1);
}

static int get_field(struct dec *d, const struct enc_field *f, void *obj, unsigned depth)
{
	uint64_t v;
	char *str = NULL, **strv = NULL;
	int r;

	switch (f->kind) {
	case ENC_NUM:
		if (get_varint(d, &v) < 0 || v > f->max)
			return -EBADMSG;
		num_set(obj, f, v);
		return 0;
	case ENC_STR:
		r = get_str(d, &str);
		if (r < 0)
			return r;
		free(*MEMBER(obj, f, char *));
		*MEMBER(obj, f, char *) = str;
		return 0;
	case ENC_STRV:
		r = get_strv(d, f->max, &strv);
		if (r < 0)
			return r;
		strv_free(*MEMBER(obj, f, char **));
		*MEMBER(obj, f, char **) = strv;
		return 0;
	case ENC_REC:
		return get_record(d, f->sub, (uint8_t *)obj + f->offset, depth + 1);
	case ENC_PREC:
		return get_pointed(d, f, obj, depth);
	default:
		return get_list(d, f, obj, depth);
	}
}

/* The field of tag, searched from *at on and around: the encoder writes a
 * record's fields in its table's order, so each is found a few steps
 * after the last, not at a walk of the table from its start (a third of
 * the decode's instructions: 41 fields in a unit's record, 52 in its
 * options'). Another order costs at most the whole table, as before. */
static const struct enc_field *record_field(const struct enc_record *rec, uint64_t tag,
					    size_t *at)
{
	size_t i = *at;

	for (size_t k = 0; k < rec->n_fields; k++, i++) {
		if (i == rec->n_fields)
			i = 0;
		if (rec->fields[i].tag == tag) {
			*at = i + 1 < rec->n_fields ? i + 1 : 0;
			return &rec->fields[i];
		}
	}
	return NULL;
}

/* Fields into obj until the end mark. obj keeps whatever was decoded, also
 * on failure: its owner frees it. */
static int get_record(struct dec *d, const struct enc_record *rec, void *obj, unsigned depth)
{
	/* A bit per possible tag (an enc_field's tag is a uint8_t): a
	 * record may use tags past 63, only `required` stops there. */
	uint64_t seen[4] = { 0 }, tag;
	size_t at = 0;
	uint8_t kind;
	int r;

	if (depth > ENC_DEPTH_MAX)
		return -EBADMSG;
	for (;;) {
		const struct enc_field *f;
		if (get_varint(d, &tag) < 0)
			return -EBADMSG;
		if (tag == 0)
			break;
		if (get_bytes(d, &kind, 1) < 0)
			return -EBADMSG;
		f = record_field(rec, tag, &at);
		if (!f) {
			r = skip_value(d, kind, depth);
		} else if (f->kind != kind || (seen[tag / 64] & BIT(tag % 64))) {
			r = -EBADMSG;
		} else {
			seen[tag / 64] |= BIT(tag % 64);
			r = get_field(d, f, obj, depth);
		}
		if (r < 0)
			return r;
	}
	return (seen[0] & rec->required) == rec->required ? 0 : -EBADMSG;
}

static int get_units(struct dec *d, struct unit_set *s)
{
	size_t n;
	int r = 0;

	if (get_count(d, UNIT_MAX, 1, &n) < 0)
		return -EBADMSG;
	if (charge(d, heap_cost((n + 1) * (uint64_t)sizeof(*s->units))) < 0)
		return -EFBIG;
	s->units = calloc(n + 1, sizeof(*s->units));
	if (!s->units)
		return -ENOMEM;
	for (size_t i = 0; i < n && r == 0; i++) {
		struct unit *u = unit_new("", "");
		if (!u)
			return -ENOMEM;
		s->units[s->n_units++] = u;
		/* every unit's defaults cost the same: walked once */
		if (!d->unit_cost)
			d->unit_cost = heap_cost(sizeof(*u)) + record_heap(&unit_record, u);
		r = charge(d, d->unit_cost);
		if (r == 0)
			r = get_record(d, &unit_record, u, 0);
	}
	return r;
}

/* ---- compaction: the decoded units into one block (issue 19) ------------ */

/* What a block of n bytes aligned to align takes: in the arena, at most
 * (arena_block), or on the heap (heap_block). */
typedef uint64_t block_fn(uint64_t n, size_t align);

static uint64_t arena_block(uint64_t n, size_t align)
{
	return n + (align > 1 ? align : 0);
}

static uint64_t heap_block(uint64_t n, size_t align)
{
	return heap_cost(n);
}

/* The blocks a record's pointers hold, each measured by block: strings
 * counted as if none were shared. */
static uint64_t record_size(const struct enc_record *rec, const void *obj, block_fn *block)
{
	uint64_t n = 0;

	for (size_t i = 0; i < rec->n_fields; i++) {
		const struct enc_field *f = &rec->fields[i];
		/* the member, when it is a pointer */
		const void *p = f->kind == ENC_NUM || f->kind == ENC_REC ? NULL :
				*MEMBER(obj, f, const void *const);
		char *const *v;
		size_t c;

		switch (f->kind) {
		case ENC_STR:
			if (p)
				n += block(strlen(p) + 1, 1);
			break;
		case ENC_STRV:
			for (v = p, c = 0; v && v[c]; c++)
				n += block(strlen(v[c]) + 1, 1);
			if (p)
				n += block((c + 1) * sizeof(char *), alignof(char *));
			break;
		case ENC_REC:
			n += record_size(f->sub, (const uint8_t *)obj + f->offset, block);
			break;
		case ENC_PREC:
			if (p)
				n += block(f->sub->size, alignof(max_align_t)) +
				     record_size(f->sub, p, block);
			break;
		case ENC_LIST:
			c = *(const size_t *)(const void *)((const uint8_t *)obj + f->count_offset);
			if (p)
				n += block(c * f->sub->size, alignof(max_align_t));
			for (size_t j = 0; p && j < c; j++)
				n += record_size(f->sub, (const uint8_t *)p + j * f->sub->size, block);
			break;
		}
	}
	return n;
}

/* Bytes a record's pointers need in the arena, at most. */
static size_t record_bound(const struct enc_record *rec, const void *obj)
{
	return (size_t)record_size(rec, obj, arena_block);
}

/* What a record's pointers hold on the heap, as a decode charges it. */
static uint64_t record_heap(const struct enc_record *rec, const void *obj)
{
	return record_size(rec, obj, heap_block);
}

static bool record_equal(const struct enc_record *rec, const void *a, const void *b);

static bool list_equal(const struct enc_field *f, const void *a, const void *b)
{
	const uint8_t *va = *MEMBER(a, f, const uint8_t *), *vb = *MEMBER(b, f, const uint8_t *);
	size_t na = *(const size_t *)(const void *)((const uint8_t *)a + f->count_offset);
	size_t nb = *(const size_t *)(const void *)((const uint8_t *)b + f->count_offset);

	/* a list is its count's elements: no reader tells a NULL one from an
	 * empty one (an encoded NULL list decodes as an empty one) */
	if (na != nb)
		return false;
	for (size_t j = 0; j < na; j++)
		if (!record_equal(f->sub, va + j * f->sub->size, vb + j * f->sub->size))
			return false;
	return true;
}

/* Is every field of the schema equal in a and b? What is encoded is all a
 * decoded record holds, so two records equal here are interchangeable.
 * Stricter than unit_equal, which is reload's "does it behave the same"
 * (an undeclared cgroup limit's value does not count there): a unit may
 * only share a copy nothing could tell from its own. */
static bool record_equal(const struct enc_record *rec, const void *a, const void *b)
{
	for (size_t i = 0; i < rec->n_fields; i++) {
		const struct enc_field *f = &rec->fields[i];
		const void *pa, *pb;
		bool eq = true;

		switch (f->kind) {
		case ENC_NUM:
			eq = num_get(a, f) == num_get(b, f);
			break;
		case ENC_STR:
			eq = streq_ptr(*MEMBER(a, f, const char *), *MEMBER(b, f, const char *));
			break;
		case ENC_STRV:
			eq = strv_equal(*MEMBER(a, f, char **), *MEMBER(b, f, char **));
			break;
		case ENC_REC:
			eq = record_equal(f->sub, (const uint8_t *)a + f->offset,
					  (const uint8_t *)b + f->offset);
			break;
		case ENC_PREC:
			pa = *MEMBER(a, f, const void *);
			pb = *MEMBER(b, f, const void *);
			eq = pa == pb || (pa && pb && record_equal(f->sub, pa, pb));
			break;
		case ENC_LIST:
			eq = list_equal(f, a, b);
			break;
		}
		if (!eq)
			return false;
	}
	return true;
}

/* Where every empty vector and list of the arena points: an empty array
 * is not NULL (reload tells the two apart), and one copy serves all. The
 * ENC_PREC record `shared` (of record `rec`) is the arena's one copy of
 * `defaults`: every pointed-to record equal to it becomes a pointer to it. */
struct compact {
	struct unit_arena *a;
	void *empty;
	const struct enc_record *rec;
	void *defaults, *shared;
	size_t records;         /* bytes of ENC_PREC records in the arena */
};

static int record_compact(struct compact *c, const struct enc_record *rec, void *obj);

static int strv_compact(struct compact *c, char ***member)
{
	char **v = *member, **w;
	size_t n = strv_length(v);

	if (!v)
		return 0;
	if (n == 0) {
		*member = c->empty;
		return 0;
	}
	w = arena_alloc(c->a, (n + 1) * sizeof(*w), alignof(char *));
	if (!w)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (!(w[i] = arena_strdup(c->a, v[i])))
			return -ENOMEM;
	*member = w;
	return 0;
}

static int list_compact(struct compact *c, const struct enc_field *f, void *obj)
{
	uint8_t **member = MEMBER(obj, f, uint8_t *), *w;
	size_t n = *(size_t *)(void *)((uint8_t *)obj + f->count_offset);
	int r = 0;

	if (!*member)
		return 0;
	if (n == 0) {
		*member = c->empty;
		return 0;
	}
	w = arena_alloc(c->a, n * f->sub->size, alignof(max_align_t));
	if (!w)
		return -ENOMEM;
	memcpy(w, *member, n * f->sub->size);
	*member = w;
	for (size_t i = 0; i < n && r == 0; i++)
		r = record_compact(c, f->sub, w + i * f->sub->size);
	return r;
}

/* A record pointed to: the shared copy of the defaults when it equals
 * them, else a copy of its own in the arena. */
static int pointed_compact(struct compact *c, const struct enc_field *f, void *obj)
{
	const void **member = MEMBER(obj, f, const void *);
	void *w;

	if (!*member)
		return 0;
	if (f->sub != c->rec)
		return -EINVAL;         /* one kind of ENC_PREC record so far */
	if (record_equal(f->sub, *member, c->defaults)) {
		*member = c->shared;
		return 0;
	}
	w = arena_alloc(c->a, f->sub->size, alignof(max_align_t));
	if (!w)
		return -ENOMEM;
	memcpy(w, *member, f->sub->size);
	*member = w;
	c->records += f->sub->size;
	return record_compact(c, f->sub, w);
}

/* obj (already in the arena, a byte copy of the decoded one) made to
 * point into the arena: the decoded one keeps its own pointers. */
static int record_compact(struct compact *c, const struct enc_record *rec, void *obj)
{
	int r = 0;

	for (size_t i = 0; i < rec->n_fields && r == 0; i++) {
		const struct enc_field *f = &rec->fields[i];
		char **str;

		switch (f->kind) {
		case ENC_STR:
			str = MEMBER(obj, f, char *);
			if (*str && !(*str = arena_strdup(c->a, *str)))
				r = -ENOMEM;
			break;
		case ENC_STRV:
			r = strv_compact(c, MEMBER(obj, f, char **));
			break;
		case ENC_REC:
			r = record_compact(c, f->sub, (uint8_t *)obj + f->offset);
			break;
		case ENC_PREC:
			r = pointed_compact(c, f, obj);
			break;
		case ENC_LIST:
			r = list_compact(c, f, obj);
			break;
		}
	}
	return r;
}

/* Start c: an arena big enough for s's units, its shared empty array, and
 * the shared copy of the optional groups' defaults. 0 or -ENOMEM. */
static int compact_begin(struct compact *c, const struct unit_set *s)
{
	size_t bound = 3 * sizeof(max_align_t);

	c->rec = &optional_record;
	c->defaults = unit_optional_new();
	if (!c->defaults)
		return -ENOMEM;
	bound += c->rec->size + record_bound(c->rec, c->defaults);
	for (size_t i = 0; i < s->n_units; i++)
		bound += sizeof(struct unit) + sizeof(max_align_t) +
			 record_bound(&unit_record, s->units[i]);
	c->a = arena_new(bound);
	c->empty = c->a ? arena_alloc(c->a, sizeof(max_align_t), alignof(max_align_t)) : NULL;
	c->shared = c->empty ? arena_alloc(c->a, c->rec->size, alignof(max_align_t)) : NULL;
	if (!c->shared)
		return -ENOMEM;
	memcpy(c->shared, c->defaults, c->rec->size);
	c->records = c->rec->size;
	return record_compact(c, c->rec, c->shared);
}

/* End c: the arena sealed when ok, else freed; the defaults freed. */
static void compact_end(struct compact *c, bool ok)
{
	unit_optional_free(c->defaults);
	if (!ok) {
		arena_free(c->a);
		return;
	}
	arena_note_records(c->a, c->records);
	arena_seal(c->a);
}

/* The decoded units, each a tree of mallocs, copied into one arena: all
 * or nothing (on -ENOMEM s is as it was). Every pointer struct unit owns
 * is a field of unit_record, so the table says what to copy; units whose
 * optional groups are the defaults share one copy of them. */
static int set_compact(struct unit_set *s)
{
	struct compact c = { 0 };
	struct unit **v = calloc(s->n_units + 1, sizeof(*v));
	int r = v ? compact_begin(&c, s) : -ENOMEM;

	for (size_t i = 0; i < s->n_units && r == 0; i++) {
		v[i] = arena_alloc(c.a, sizeof(struct unit), alignof(struct unit));
		if (!v[i]) {
			r = -ENOMEM;
			break;
		}
		memcpy(v[i], s->units[i], sizeof(struct unit));
		r = record_compact(&c, &unit_record, v[i]);
	}
	compact_end(&c, r == 0);
	if (r < 0) {
		free(v);
		return r;
	}
	for (size_t i = 0; i < s->n_units; i++)
		unit_free(s->units[i]);
	free(s->units);
	s->units = v;
	s->arena = c.a;
	return 0;
}

/* Every diagnostic must have its strings (a decoded one may lack them). */
static bool diags_complete(const struct unit_diags *d)
{
	for (size_t i = 0; i < d->n; i++)
		if (!d->v[i].file || !d->v[i].message)
			return false;
	return true;
}

static int get_header(struct dec *d, const char *want)
{
	uint8_t magic[4], version;

	if (get_bytes(d, magic, 4) < 0 || memcmp(magic, want, 4) != 0 ||
	    get_bytes(d, &version, 1) < 0)
		return -EBADMSG;
	return version == UNIT_ENCODE_VERSION ? 0 : -EPROTONOSUPPORT;
}

static int set_decode(struct dec *d, struct unit_set *s)
{
	int r;

	r = get_header(d, ENC_MAGIC);
	if (r == 0)
		r = conf_init(&s->conf);
	if (r == 0)
		r = get_record(d, &conf_record, &s->conf, 0);
	if (r == 0)
		r = get_units(d, s);
	if (r == 0)
		r = get_record(d, &set_record, s, 0);
	if (r == 0 && !s->templates)
		r = (s->templates = strv_new()) ? 0 : -ENOMEM;   /* none is an empty list */
	if (r == 0 && d->left != 0)
		r = -EBADMSG;
	for (size_t i = 0; i < s->n_units && r == 0; i++)
		if (!diags_complete(&s->units[i]->diags))
			r = -EBADMSG;
	if (r == 0 && (!diags_complete(&s->diags) || !diags_complete(&s->warnings)))
		r = -EBADMSG;
	if (r == 0)
		r = set_check_invariants(s);
	return r < 0 ? r : set_compact(s);
}

int set_decode_within(const void *buf, size_t len, size_t budget, struct unit_set **ret)
{
	struct dec d = { .p = buf, .left = len, .budget = budget };
	struct unit_set *s;
	int r;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	r = set_decode(&d, s);
	if (r < 0) {
		unit_set_free(s);
		return r;
	}
	*ret = s;
	return 0;
}

int unit_set_decode(const void *buf, size_t len, struct unit_set **ret)
{
	return set_decode_within(buf, len, UNIT_DECODE_MAX, ret);
}

_Static_assert(UNIT_MODEL_MAX == 64u << 20 && UNIT_DECODE_MAX == (size_t)256 << 20,
	       "the reasons below name the bounds");

int set_encode_checked_within(const struct unit_set *s, size_t budget, void **ret,
			      size_t *ret_len, const char **why)
{
	_cleanup_free_ void *buf = NULL;
	struct unit_set *back = NULL;
	size_t len = 0;
	int r = unit_set_encode(s, &buf, &len);

	if (r < 0) {
		*why = r == -EFBIG ? "the units' model is over the 64 MiB PID 1 takes" :
		       r == -ENOMEM ? "out of memory encoding the units' model" :
		       "the units' model cannot be encoded";
		return r;
	}
	r = set_decode_within(buf, len, budget, &back);
	unit_set_free(back);
	if (r < 0) {
		*why = r == -EFBIG ? "the units' model would take over the 256 MiB PID 1 "
				     "gives its decode" :
		       r == -ENOMEM ? "out of memory decoding the units' model" :
		       "PID 1 would refuse the units' model as malformed";
		return r;
	}
	*ret = TAKE_PTR(buf);
	*ret_len = len;
	return 0;
}

int unit_set_encode_checked(const struct unit_set *s, void **ret, size_t *ret_len,
			    const char **why)
{
	return set_encode_checked_within(s, UNIT_DECODE_MAX, ret, ret_len, why);
}

int unit_decode(const void *buf, size_t len, struct unit **ret)
{
	struct dec d = { .p = buf, .left = len, .budget = UNIT_DECODE_MAX };
	struct unit *u;
	int r = get_header(&d, ENC_UNIT_MAGIC);

	if (r < 0)
		return r;
	u = unit_new("", "");
	if (!u)
		return -ENOMEM;
	r = get_record(&d, &unit_record, u, 0);
	if (r == 0 && (d.left != 0 || !diags_complete(&u->diags) || !unit_alone_valid(u)))
		r = -EBADMSG;
	if (r < 0) {
		unit_free(u);
		return r;
	}
	*ret = u;
	return 0;
}

/* ---- footprint ------------------------------------------------------------ */

/* A heap block as the allocator holds it: its usable size and a header. */
static size_t chunk(const void *p)
{
	return p ? malloc_usable_size((void *)p) + sizeof(size_t) : 0;
}

static void count(size_t *where, const void *p, struct unit_set_footprint *fp)
{
	if (p) {
		*where += chunk(p);
		fp->allocations++;
	}
}

static void record_footprint(const struct enc_record *rec, const void *obj,
			     struct unit_set_footprint *fp)
{
	for (size_t i = 0; i < rec->n_fields; i++) {
		const struct enc_field *f = &rec->fields[i];
		char *const *v;
		const uint8_t *list;
		size_t n;

		switch (f->kind) {
		case ENC_STR:
			count(&fp->strings, *MEMBER(obj, f, char *), fp);
			break;
		case ENC_STRV:
			v = *MEMBER(obj, f, char **);
			count(&fp->arrays, v, fp);
			for (size_t j = 0; v && v[j]; j++)
				count(&fp->strings, v[j], fp);
			break;
		case ENC_REC:
			record_footprint(f->sub, (const uint8_t *)obj + f->offset, fp);
			break;
		case ENC_PREC:
			count(&fp->optional, *MEMBER(obj, f, const void *), fp);
			if (*MEMBER(obj, f, const void *))
				record_footprint(f->sub, *MEMBER(obj, f, const void *), fp);
			break;
		case ENC_LIST:
			list = *MEMBER(obj, f, uint8_t *);
			n = *(const size_t *)(const void *)((const uint8_t *)obj + f->count_offset);
			count(&fp->arrays, list, fp);
			for (size_t j = 0; list && j < n; j++)
				record_footprint(f->sub, list + j * f->sub->size, fp);
			break;
		}
	}
}

void unit_set_footprint(const struct unit_set *s, struct unit_set_footprint *fp)
{
	struct arena_usage au;

	if (s->arena) {
		arena_usage(s->arena, &au);
		fp->units += s->n_units;
		fp->unit_structs += s->n_units * sizeof(struct unit);
		fp->optional += au.records;
		fp->strings += au.strings;
		fp->arrays += au.used - au.strings - au.records - s->n_units * sizeof(struct unit);
		fp->allocations += 1;
		return;
	}
	for (size_t i = 0; i < s->n_units; i++) {
		fp->units++;
		count(&fp->unit_structs, s->units[i], fp);
		record_footprint(&unit_record, s->units[i], fp);
	}
}

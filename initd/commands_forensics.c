/* commands_forensics.c — issue 17's requests: postmortem (a unit's
 * post-mortem records, postmortem.h, each a POSTMORTEM attribute) and
 * freeze / thaw (manager_freeze.c). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "initd/bootphase.h"
#include "initd/commands.h"
#include "initd/postmortem.h"

void commands_put_postmortem(struct proto_buf *b, const struct postmortem *p)
{
	static const uint16_t attr[POSTMORTEM_STAT_MAX] = {
		[POSTMORTEM_MEM_PEAK] = PROTO_ATTR_MEM_PEAK,
		[POSTMORTEM_CPU_USAGE] = PROTO_ATTR_CPU_USAGE_USEC,
		[POSTMORTEM_OOM_KILLS] = PROTO_ATTR_OOM_KILLS,
		[POSTMORTEM_PIDS_PEAK] = PROTO_ATTR_PIDS_PEAK,
	};

	proto_nest_begin(b, PROTO_ATTR_POSTMORTEM);
	proto_put_u64(b, PROTO_ATTR_TIME, p->wall_usec);
	proto_put_str(b, PROTO_ATTR_REASON, p->reason);
	proto_put_u32(b, PROTO_ATTR_RESTARTS, p->restarts);
	for (int i = 0; i < POSTMORTEM_STAT_MAX; i++)
		if (p->have & (1U << i))
			proto_put_u64(b, attr[i], p->stat[i]);
	proto_put_str(b, PROTO_ATTR_DATA, p->lines);
	proto_nest_end(b);
}

int commands_postmortem(struct commands *cmds, const char *name, uint32_t count,
			struct proto_buf *reply)
{
	struct service *s = manager_find(cmds->manager, name);
	const struct postmortem *p;
	int r;

	if (!s)
		return proto_msg_errorf(reply, ENOENT, "unit %s not found", name);
	proto_msg_begin(reply, PROTO_REPLY_OK);
	for (uint32_t i = 0; i < count && (p = manager_postmortem(cmds->manager, s, i)); i++)
		commands_put_postmortem(reply, p);
	r = proto_msg_end(reply);
	if (r < 0)
		return proto_msg_errorf(reply, -r, "postmortem reply too large");
	return 0;
}

static void put_u64_nz(struct proto_buf *b, uint16_t attr, uint64_t v)
{
	if (v)
		proto_put_u64(b, attr, v);
}

/* When the latest start was asked for. A request that never spawned
 * (a restart its start limit refused, a start a failed requirement
 * ended) stamped requested_at after that start: it is no run's, and the
 * latest run was asked for at its spawn as far as is known (a restart's
 * timer; its wait, if any, is lost with the stamp). One still waiting is
 * the pending request's. */
static uint64_t analyze_requested_at(const struct service *s)
{
	if (s->started_at && s->requested_at > s->started_at && s->state != SERVICE_WAITING)
		return s->started_at;
	return s->requested_at;
}

/* One unit for svctl analyze: its latest start's stamps, the edges the
 * critical chain follows, and its cgroup, whose counters (CPU,
 * memory.peak) svctl reads: at 2000 units PID 1's reads of them took its
 * loop for over a second under TCG. */
static void put_analyze_service(struct commands *cmds, struct proto_buf *b, struct service *s)
{
	const struct unit *u = s->unit;
	bool started = s->started_at != 0;

	proto_nest_begin(b, PROTO_ATTR_SERVICE);
	proto_put_str(b, PROTO_ATTR_NAME, u->name);
	proto_put_str(b, PROTO_ATTR_STATE, manager_state_name(cmds->manager, s));
	put_u64_nz(b, PROTO_ATTR_REQUESTED_AT, analyze_requested_at(s));
	put_u64_nz(b, PROTO_ATTR_SPAWNED_AT, s->started_at);
	if (started) {
		const struct service_exit *e = service_last_run_exit(s);

		put_u64_nz(b, PROTO_ATTR_EXEC_AT, s->exec_at);
		put_u64_nz(b, PROTO_ATTR_READY_AT, s->ready_at);
		/* The latest run is over: its exit ends the chart's bar (the
		 * run's, not a start limit's refusal of the next). */
		if (!service_is_active(s) && e->at >= s->started_at)
			put_u64_nz(b, PROTO_ATTR_ENDED_AT, e->at);
	}
	for (char **d = u->requires; *d; d++)
		proto_put_str(b, PROTO_ATTR_REQUIRES, *d);
	for (char **d = u->after; *d; d++)
		proto_put_str(b, PROTO_ATTR_AFTER, *d);
	commands_put_cgroup_path(cmds, b, s);
	proto_nest_end(b);
}

/* PID 1's boot phases reached (bootphase.h). */
/* In the order they were reached (a compiled model is decoded before the
 * event loop is up; the loader's answer after it). */
static void put_boot_phases(struct proto_buf *b)
{
	int order[BOOT_PHASE_MAX], n = 0;

	for (int p = 0; p < BOOT_PHASE_MAX; p++) {
		int i = n++;

		for (; i > 0 && boot_phase_at(order[i - 1]) > boot_phase_at(p); i--)
			order[i] = order[i - 1];
		order[i] = p;
	}
	for (int i = 0; i < n; i++) {
		int p = order[i];

		if (!boot_phase_at(p))
			continue;
		proto_nest_begin(b, PROTO_ATTR_BOOT_PHASE);
		proto_put_str(b, PROTO_ATTR_NAME, boot_phase_name(p));
		proto_put_u64(b, PROTO_ATTR_PHASE_AT, boot_phase_at(p));
		proto_nest_end(b);
	}
}

int commands_analyze(struct commands *cmds, struct proto_buf *reply)
{
	uint64_t first_spawn, settled;
	int r;

	manager_boot_times(cmds->manager, &first_spawn, &settled);
	proto_msg_begin(reply, PROTO_REPLY_OK);
	proto_put_u64(reply, PROTO_ATTR_EXEC_AT, cmds->exec_usec);
	proto_put_u64(reply, PROTO_ATTR_NOW, now_usec());
	put_u64_nz(reply, PROTO_ATTR_FIRST_SPAWN, first_spawn);
	put_u64_nz(reply, PROTO_ATTR_SETTLED_AT, settled);
	put_boot_phases(reply);
	commands_put_cgroup_root(cmds, reply);
	for (size_t i = 0; i < manager_count(cmds->manager); i++)
		put_analyze_service(cmds, reply, manager_service_at(cmds->manager, i));
	r = proto_msg_end(reply);
	if (r < 0)
		return proto_msg_errorf(reply, -r, "analyze reply too large");
	return 0;
}

/* ENODEV, not EOPNOTSUPP, without cgroups: svctl reads the latter as a
 * protocol error (exit 6), this is an operation that failed (exit 1). */
int commands_freeze(struct commands *cmds, const char *name, bool freeze,
		    struct proto_buf *reply)
{
	struct service *s = manager_find(cmds->manager, name);
	const char *verb = freeze ? "freeze" : "thaw";
	int r;

	if (!s)
		return proto_msg_errorf(reply, ENOENT, "unit %s not found", name);
	r = freeze ? manager_freeze(cmds->manager, s) : manager_thaw(cmds->manager, s);
	if (r == -EOPNOTSUPP)
		return proto_msg_errorf(reply, ENODEV, "%s has no cgroup to freeze (initd runs "
					"without cgroups)", name);
	if (r == -EINVAL)
		return proto_msg_errorf(reply, EINVAL,
					"%s is %s: only a running unit can be frozen",
					name, service_state_to_string(s->state));
	if (r == -EALREADY)
		return proto_msg_errorf(reply, EALREADY, "%s is not frozen", name);
	if (r < 0)
		return proto_msg_errorf(reply, -r, "%s %s: %s", verb, name, strerror(-r));
	proto_msg_begin(reply, PROTO_REPLY_OK);
	return proto_msg_end(reply);
}

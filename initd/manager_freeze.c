/* manager_freeze.c — svctl freeze / thaw (issue 17): cgroup.freeze on a
 * unit's node, its `frozen` state from the node's cgroup.events.
 *
 * Frozen is a flag beside the state machine, not a state of it: freezing
 * changes nothing of the unit's lifecycle (the kernel stops its tasks; a
 * signal stays pending, cgroup.kill still kills), every event of a running
 * unit (its exit, an OOM kill, a stop) can still come and must still be
 * handled as the table says, and thaw goes back to where it was. As a
 * state it would need a copy of every row out of running and a memory of
 * the state it came from. What freezing does change: the unit's watchdog
 * and probes are suspended (service_suspend) while it is asked, and svctl
 * shows "frozen" once the kernel says so (cgroup.events frozen 1, seen
 * through the inotify watch on cgroup.events that populated uses: no
 * polling).
 *
 * Only a running unit is frozen. The node is frozen, not only its leaf: a
 * delegating unit's sub-cgroups stop with it. Any change of state out of
 * running (its stop, its exit) thaws it first (svc_freeze_follow_state),
 * so the stop signal is delivered and no later run starts frozen.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "initd/cgroup.h"
#include "initd/cgroup_limits.h"
#include "initd/manager_internal.h"

int svc_cgroup_freeze(struct manager *m, struct svc *v, bool on)
{
	_cleanup_close_ int fd = svc_cgroup_node_open(m, v);

	return fd < 0 ? fd : cgroup_write_file(fd, "cgroup.freeze", on ? "1" : "0");
}

int svc_cgroup_events(struct manager *m, struct svc *v, bool *ret_populated, bool *ret_frozen)
{
	_cleanup_close_ int fd = svc_cgroup_node_open(m, v);
	char buf[256];
	uint64_t populated, frozen = 0;
	int r;

	if (fd < 0)
		return fd;
	r = cgroup_read_file(fd, "cgroup.events", buf, sizeof(buf));
	if (r < 0)
		return r;
	if (cgroup_keyed_value(buf, "populated", &populated) < 0)
		return -EBADMSG;
	cgroup_keyed_value(buf, "frozen", &frozen);   /* absent before 5.2 */
	*ret_populated = populated != 0;
	*ret_frozen = frozen != 0;
	return 0;
}

void svc_freeze_seen(struct svc *v, bool frozen)
{
	bool was = v->freeze_wanted && v->frozen;

	v->frozen = frozen;
	if (was != (v->freeze_wanted && v->frozen)) {
		log_info("%s: %s", v->s.unit->name, frozen ? "frozen" : "thawed");
		/* The state shown changed (frozen is a flag, no state of the
		 * machine's): a pass ends in the pass hook, so that the
		 * metrics_file's initd_unit_state follows. */
		manager_schedule_svc(v->m, v);
	}
}

static int svc_thaw(struct manager *m, struct svc *v)
{
	int r = svc_cgroup_freeze(m, v, false);

	v->freeze_wanted = false;
	v->frozen = false;
	service_suspend(&v->s, false);
	return r;
}

void svc_freeze_follow_state(struct svc *v)
{
	int r;

	if (!v->freeze_wanted || v->s.state == SERVICE_RUNNING)
		return;
	r = svc_thaw(v->m, v);
	if (r < 0)
		log_warn("%s: cannot thaw its cgroup: %s", v->s.unit->name, strerror(-r));
}

int manager_freeze(struct manager *m, struct service *s)
{
	struct svc *v = svc_of(s);
	bool populated, frozen;
	int r;

	if (!v->has_cgroup)
		return -EOPNOTSUPP;
	if (s->state != SERVICE_RUNNING)
		return -EINVAL;
	if (v->freeze_wanted)
		return 0;
	r = svc_cgroup_freeze(m, v, true);
	if (r < 0)
		return r;
	v->freeze_wanted = true;
	v->frozen = false;
	service_suspend(s, true);
	/* It may be frozen already (an idle unit): the event may have come
	 * before the flag was set. */
	if (svc_cgroup_events(m, v, &populated, &frozen) == 0)
		svc_freeze_seen(v, frozen);
	return 0;
}

int manager_thaw(struct manager *m, struct service *s)
{
	struct svc *v = svc_of(s);
	int r;

	if (!v->freeze_wanted)
		return -EALREADY;
	r = svc_thaw(m, v);
	manager_schedule_svc(m, v);   /* frozen no more: as svc_freeze_seen */
	return r;
}

const char *manager_state_name(struct manager *m, struct service *s)
{
	struct svc *v = svc_of(s);

	if (v->freeze_wanted && v->frozen && s->state == SERVICE_RUNNING)
		return "frozen";
	return service_state_to_string(s->state);
}

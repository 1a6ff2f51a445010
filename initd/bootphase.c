/* bootphase.c — see bootphase.h. */
#include "initd/bootphase.h"

#include "common/util.h"

static uint64_t phase_at[BOOT_PHASE_MAX];

static const char *const phase_name[BOOT_PHASE_MAX] = {
	[BOOT_PHASE_MOUNTS] = "early_mounts",
	[BOOT_PHASE_LOG] = "log_open",
	[BOOT_PHASE_LOOP_READY] = "loop_ready",
	[BOOT_PHASE_LOOP] = "event_loop",
	[BOOT_PHASE_LOADER_STARTED] = "loader_started",
	[BOOT_PHASE_LOOPBACK] = "loopback_up",
	[BOOT_PHASE_MODEL_READ] = "model_read",
	[BOOT_PHASE_MODEL_DECODED] = "model_decoded",
	[BOOT_PHASE_MODULES] = "modules",
	[BOOT_PHASE_CONF] = "conf_applied",
	[BOOT_PHASE_CGROUP] = "cgroup_setup",
	[BOOT_PHASE_APPLIED] = "units_applied",
	[BOOT_PHASE_BOOT] = "boot_pass",
	[BOOT_PHASE_SLICES] = "slices_made",
};

void boot_phase_mark_at(enum boot_phase p, uint64_t usec)
{
	if ((unsigned)p < BOOT_PHASE_MAX && !phase_at[p])
		phase_at[p] = usec;
}

void boot_phase_mark(enum boot_phase p)
{
	boot_phase_mark_at(p, now_usec());
}

uint64_t boot_phase_at(enum boot_phase p)
{
	return (unsigned)p < BOOT_PHASE_MAX ? phase_at[p] : 0;
}

const char *boot_phase_name(enum boot_phase p)
{
	return (unsigned)p < BOOT_PHASE_MAX ? phase_name[p] : "?";
}

/* service_reason.c — a service's exit in words, as svctl status shows it
 * ("exit 1", "signal KILL (137)", "exec /bin/x: No such file or
 * directory", "start timeout (90s)"...): service_exit_to_string
 * (service.h); and a probe failing before it decides anything
 * (service_probe_failing_to_string). Apart from the state machine (service.c), which only
 * records the exit. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "common/util.h"
#include "initd/service.h"
#include "initd/spawn.h"

/* ---- reporting ---------------------------------------------------------- */

/* A duration the way a unit file writes it ("90s", "2min", "300ms"): the
 * largest unit that holds it whole, so a reason quotes the configured value. */
static const char *duration_as_written(char *buf, size_t size, uint64_t usec)
{
	static const struct { const char *name; uint64_t usec; } units[] = {
		{ "min", 60 * USEC_PER_SEC }, { "s", USEC_PER_SEC }, { "ms", USEC_PER_MSEC },
		{ "us", 1 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(units); i++)
		if (usec && usec % units[i].usec == 0) {
			snprintf(buf, size, "%llu%s", (unsigned long long)(usec / units[i].usec),
				 units[i].name);
			return buf;
		}
	snprintf(buf, size, "0");
	return buf;
}

/* "exec /bin/x: No such file or directory": what the child could not do. */
static void setup_reason(const struct unit *u, const struct service_exit *e, char *buf,
			 size_t size)
{
	const char *err = strerror(e->code);

	if (service_exit_detail(e)[0]) {
		/* the child said it all ("environment file F:L: why") */
		snprintf(buf, size, "%s", service_exit_detail(e));
		return;
	}
	switch (e->stage) {
	case SPAWN_STAGE_EXEC:
		snprintf(buf, size, "exec %s: %s", u->exec && u->exec[0] ? u->exec[0] : "?", err);
		break;
	case SPAWN_STAGE_USER:
		snprintf(buf, size, "user %s: %s", u->user ? u->user : "root",
			 e->code == ENOENT ? "no such user or group" : err);
		break;
	case SPAWN_STAGE_ROOTFS:
		snprintf(buf, size, "rootfs %s: %s",
			 u->opt->iso.rootfs ? u->opt->iso.rootfs : "(tmpfs)", err);
		break;
	case SPAWN_STAGE_VETH:
		if (u->opt->iso.macvlan_interface)
			snprintf(buf, size, "macvlan on %s: %s", u->opt->iso.macvlan_interface,
				 err);
		else if (u->opt->iso.veth_bridge)
			snprintf(buf, size, "veth into bridge %s: %s", u->opt->iso.veth_bridge,
				 err);
		else
			snprintf(buf, size, "point-to-point veth: %s", err);
		break;
	case SPAWN_STAGE_CHDIR:
		snprintf(buf, size, "chdir %s: %s", u->workdir ? u->workdir : "/", err);
		break;
	default:
		snprintf(buf, size, "setup %s: %s", spawn_stage_to_string(e->stage), err);
	}
}

static void start_limit_reason(const struct service *s, const struct service_exit *e,
			       char *buf, size_t size)
{
	char interval[32], last[256];

	snprintf(buf, size, "start limit hit (%u starts in %s), last: %s",
		 s->unit->start_limit_burst,
		 format_duration(interval, sizeof(interval), s->unit->start_limit_interval_usec),
		 !s->limit_exit || e == s->limit_exit ? "?" :
		 service_exit_to_string(s, s->limit_exit, last, sizeof(last)));
}

/* The kinds said in a fixed text, and what follows it: nothing, or the
 * exit's detail. The others take a sentence of their own (below). */
static const struct exit_text {
	const char *text;
	bool detail;
} exit_texts[EXIT_KIND_MAX] = {
	[EXIT_NONE] = { "" },
	[EXIT_OOM] = { "oom-kill" },
	[EXIT_UNKNOWN] = { "exited, status unknown (not initd's child)" },
	[EXIT_STOP_TIMEOUT] = { "stop timeout, killed" },
	[EXIT_RELOAD] = { "stopped by reload (unit changed)" },
	[EXIT_HEALTH] = { "health check failed: ", true },
	[EXIT_CGROUP] = { "cgroup: ", true },
	[EXIT_MOUNT] = { "", true },
	[EXIT_MAIN_REFUSED] = { "no main process: ", true },
};

static void exit_kind_to_string(const struct service *s, const struct service_exit *e,
				char *buf, size_t size)
{
	const struct exit_text *t = e->kind < EXIT_KIND_MAX ? &exit_texts[e->kind] : NULL;
	const char *name = e->kind == EXIT_SIGNAL ? signal_to_string(e->code) : NULL;
	char d[32];

	if (t && t->text) {
		snprintf(buf, size, "%s%s", t->text, t->detail ? service_exit_detail(e) : "");
		return;
	}
	switch (e->kind) {
	case EXIT_CODE:
		if (e->notify_errno && e->code != 0)
			snprintf(buf, size, "exit %d (ERRNO=%d: %s)", e->code, e->notify_errno,
				 strerror(e->notify_errno));
		else
			snprintf(buf, size, "exit %d", e->code);
		break;
	case EXIT_SIGNAL:
		if (e->code == SIGSYS && s->unit->opt->seccomp.n_bpf)
			snprintf(buf, size, "signal SYS (%d): a call its seccomp filter kills",
				 128 + e->code);
		else if (name)
			snprintf(buf, size, "signal %s (%d)", name, 128 + e->code);
		else
			snprintf(buf, size, "signal %d (%d)", e->code, 128 + e->code);
		break;
	case EXIT_OPERATOR:
		snprintf(buf, size, "%s by svctl", e->code ? "restarted" : "stopped");
		break;
	case EXIT_START_TIMEOUT:
		snprintf(buf, size, "start timeout (%s%s)%s%s",
			 duration_as_written(d, sizeof(d), s->unit->start_timeout_usec),
			 e->code ? ", extended by the service" : "",
			 service_exit_detail(e)[0] ? ", ready probe: " : "", service_exit_detail(e));
		break;
	case EXIT_SETUP:
		setup_reason(s->unit, e, buf, size);
		break;
	case EXIT_SPAWN:
		snprintf(buf, size, "clone3: %s", strerror(e->code));
		break;
	case EXIT_DEPENDENCY: {
		/* detail: "NAME" or "NAME: its reason" */
		int n = (int)strcspn(service_exit_detail(e), ":");

		if (e->code == 1 && service_exit_detail(e)[n])
			snprintf(buf, size, "requires %.*s, which%s", n, service_exit_detail(e),
				 service_exit_detail(e) + n + 1);
		else
			snprintf(buf, size, "dependency %.*s failed%s", n, service_exit_detail(e), service_exit_detail(e) + n);
		break;
	}
	case EXIT_REQUIREMENT:
		snprintf(buf, size, "requirement %s %s", service_exit_detail(e),
			 e->code ? "exited" : "stopped");
		break;
	case EXIT_WATCHDOG:
		snprintf(buf, size, "watchdog timeout (%s without WATCHDOG=1), killed",
			 format_duration(d, sizeof(d), s->unit->watchdog_usec));
		break;
	case EXIT_START_LIMIT:
		start_limit_reason(s, e, buf, size);
		break;
	default:
		snprintf(buf, size, "unknown");
	}
}

const char *service_exit_to_string(const struct service *s, const struct service_exit *e,
				   char *buf, size_t size)
{
	static const char prefix[] = "exited before ready: ";

	if (!e->before_ready || size <= sizeof(prefix)) {
		exit_kind_to_string(s, e, buf, size);
		return buf;
	}
	memcpy(buf, prefix, sizeof(prefix));
	exit_kind_to_string(s, e, buf + sizeof(prefix) - 1, size - (sizeof(prefix) - 1));
	return buf;
}

/* Only while its probe is due: probe_why outlives the failures it
 * explains (a health probe's past a pass, a ready probe's once running),
 * probe_failures does not. Frozen: no probe runs, and a thaw counts
 * afresh. */
const char *service_probe_failing_to_string(const struct service *s, char *buf, size_t size)
{
	const char *why = s->probe_why ? s->probe_why : "failed";

	if (!s->probe_failures || s->suspended)
		return NULL;
	if (s->state == SERVICE_STARTING && s->type_ready) {
		snprintf(buf, size, "ready probe failing (%u %s): %s", s->probe_failures,
			 s->probe_failures == 1 ? "try" : "tries", why);
		return buf;
	}
	if (s->state == SERVICE_RUNNING && s->unit->opt->health.kind != UNIT_PROBE_NONE) {
		snprintf(buf, size, "health probe failing (%u of %u): %s", s->probe_failures,
			 s->unit->opt->health.failures, why);
		return buf;
	}
	return NULL;
}

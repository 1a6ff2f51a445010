/* fuzz_notify_rules.c — what PID 1 does with a readiness datagram
 * (initd/manager_notify.c): which unit it is for, STATUS=, ERRNO=,
 * READY=1, WATCHDOG=1, and above all whether MAINPID= is believed.
 *
 * A manager without cgroups holds two units: "a", whose type, PID
 * namespace, watchdog and ready probe the input picks, and "b", running
 * with a main process of its own. Their side effects are faked
 * (service_ops: a spawn takes a helper process as the main process,
 * signals and kills are only counted), so nothing is started or
 * signalled; the manager's own rules and the state machine run as in PID
 * 1. The helpers are real processes (made once), related as the rules
 * care about:
 *
 *   main     a's main process after each start: a session leader
 *   kid      main's child
 *   orphan   forked by a child of main that exited: our child now (we
 *            are a subreaper, as initd is PID 1), in main's session
 *   stranger our child, a session of its own
 *   bmain    b's main process, a session of its own
 *
 * The input: one byte of a's settings, then records. A record whose
 * first byte is below 0x80 is an event for "a" (start, exec, stop, exit,
 * empty, ...) with a parameter byte; one from 0x80 is a datagram: sender
 * (bits 0-2), the uid the kernel would report (bits 3-4), a length byte
 * and the text, in which $0..$9 become the helpers' pids (and 1, initd's
 * own, one that does not exist, a's current main), so MAINPID= can name
 * them.
 *
 * Properties: no crash, leak or UB; no change of state outside the
 * transition table (service_transitions_outside_table stays 0); the
 * datagram reaches the unit the sender belongs to, and MAINPID= is taken
 * exactly when the rules allow it: a unit with a main process, a trusted
 * sender (its main process, root, or the main process's uid), a process
 * alive, not PID 1, not initd, not another unit's main process, and
 * related to the sender (its child, or an orphan initd adopted from the
 * sender's session); nothing else changes a unit's main process. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <syslog.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"
#include "initd/log.h"
#include "initd/loop.h"
#include "initd/manager.h"
#include "initd/manager_internal.h"
#include "initd/notify.h"
#include "initd/service.h"
#include "tests/fuzz/fuzz.h"
#include "units/internal.h"

enum helper { H_MAIN, H_KID, H_ORPHAN, H_STRANGER, H_BMAIN, H_MAX };

struct proc_model { pid_t pid, ppid, sid; uid_t uid; };
struct helper_report { enum helper h; struct proc_model pm; };

static struct proc_model helpers[H_MAX];
static pid_t self;
static pid_t absent = 4194303;   /* above any pid_max default but the largest */

/* ---- the helper processes ------------------------------------------------- */

static void helper_die_with(pid_t parent)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(0);
}


/* Report a helper: its pid and uid, once it is where it belongs. */
static void helper_say(int fd, enum helper h)
{
	/* one write, so that the helpers' reports do not interleave */
	struct helper_report rep = { h, { getpid(), getppid(), getsid(0), getuid() } };

	if (write(fd, &rep, sizeof(rep)) != sizeof(rep))
		_exit(1);
}

static void orphan_run(int fd, pid_t main_pid)
{
	pid_t mid = fork();

	if (mid != 0)
		_exit(mid < 0);
	/* wait for the middle process to go: we are the subreaper's then */
	while (getppid() != self)
		usleep(1000);
	helper_die_with(self);
	(void)main_pid;
	helper_say(fd, H_ORPHAN);
	for (;;)
		pause();
}

static void main_run(int fd)
{
	pid_t me, k, mid;

	setsid();
	helper_die_with(self);
	me = getpid();
	k = fork();
	if (k == 0) {
		helper_die_with(me);
		helper_say(fd, H_KID);
		for (;;)
			pause();
	}
	mid = fork();
	if (mid == 0)
		orphan_run(fd, me);
	if (k < 0 || mid < 0 || waitpid(mid, NULL, 0) != mid)
		_exit(1);
	helper_say(fd, H_MAIN);
	for (;;)
		pause();
}

static void lone_run(int fd, enum helper h)
{
	setsid();
	helper_die_with(self);
	helper_say(fd, h);
	for (;;)
		pause();
}

static void helpers_start(void)
{
	int p[2];

	self = getpid();
	FUZZ_ASSERT(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
	FUZZ_ASSERT(pipe2(p, O_CLOEXEC) == 0);
	if (fork() == 0)
		main_run(p[1]);
	if (fork() == 0)
		lone_run(p[1], H_STRANGER);
	if (fork() == 0)
		lone_run(p[1], H_BMAIN);
	close(p[1]);
	for (int i = 0; i < H_MAX; i++) {
		struct helper_report rep;

		FUZZ_ASSERT(read(p[0], &rep, sizeof(rep)) == sizeof(rep) && rep.h < H_MAX);
		helpers[rep.h] = rep.pm;
	}
	close(p[0]);
	FUZZ_ASSERT(helpers[H_ORPHAN].ppid == self &&
		    helpers[H_ORPHAN].sid == helpers[H_MAIN].pid &&
		    helpers[H_KID].ppid == helpers[H_MAIN].pid);
	while (kill(absent, 0) == 0 || errno == EPERM)
		absent--;
}

static const struct proc_model *model_of(pid_t pid)
{
	for (int i = 0; i < H_MAX; i++)
		if (helpers[i].pid == pid)
			return &helpers[i];
	return NULL;
}

/* ---- the fake side effects ------------------------------------------------ */

static const struct service_ops *real_ops;
static struct manager *m;
static struct svc *va, *vb;
static unsigned signals, kills;
static bool lingering;      /* something of the unit outlives its main process */

static int fake_spawn(struct service *s)
{
	pid_t pid = s == &vb->s ? helpers[H_BMAIN].pid : helpers[H_MAIN].pid;
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);

	FUZZ_ASSERT(fd >= 0);
	svc_set_main_pid(m, svc_of(s), pid);   /* as ops_spawn: s.pid and the index */
	s->pidfd = fd;
	return 0;
}

static int fake_signal(struct service *s, int sig)
{
	(void)s;
	(void)sig;
	signals++;
	return 0;
}

static bool fake_is_empty(struct service *s)
{
	return s->pid <= 0 && !lingering;
}

static int fake_kill_all(struct service *s)
{
	(void)s;
	kills++;
	return fake_is_empty(s) ? 1 : 0;
}

static int fake_find_main(struct service *s, char *why, size_t size)
{
	(void)s;
	(void)why;
	(void)size;
	return 0;   /* no pid file yet */
}

static int fake_probe_start(struct service *s, const struct unit_probe *p)
{
	(void)s;
	(void)p;
	return 0;   /* its verdict never comes */
}

static void fake_probe_cancel(struct service *s)
{
	(void)s;
}

/* The helpers are processes of the harness, not the unit's leftovers
 * (lingering models those): nothing is killed. */
static void fake_main_ended(struct service *s, pid_t pid)
{
	(void)s;
	(void)pid;
}

static void fake_changed(struct service *s, enum service_state old)
{
	real_ops->changed(s, old);
}

static const struct service_ops fake_ops = {
	.spawn = fake_spawn,
	.signal = fake_signal,
	.kill_all = fake_kill_all,
	.is_empty = fake_is_empty,
	.find_main = fake_find_main,
	.probe_start = fake_probe_start,
	.probe_cancel = fake_probe_cancel,
	.main_ended = fake_main_ended,
	.changed = fake_changed,
};

/* ---- the manager ---------------------------------------------------------- */

static struct loop *loop;

static struct unit *unit_make(const char *name, uint8_t cfg)
{
	struct unit *u = unit_new(name, name);
	struct unit_optional *opt;

	FUZZ_ASSERT(u);
	u->exec = calloc(2, sizeof(char *));
	FUZZ_ASSERT(u->exec && (u->exec[0] = strdup("/nonexistent/fuzz-notify")));
	u->type = (enum unit_type)(cfg & 3);
	opt = (struct unit_optional *)u->opt;
	if (cfg & 4)
		opt->iso.namespaces |= UNIT_NS_BIT(UNIT_NS_PID);
	if (cfg & 8)
		u->watchdog_usec = 1000000;
	if (cfg & 16) {
		opt->ready.kind = UNIT_PROBE_EXEC;
		opt->ready.interval_usec = UNIT_READY_INTERVAL_DEFAULT;
		opt->ready.timeout_usec = UNIT_PROBE_TIMEOUT_DEFAULT;
		opt->ready.exec = calloc(2, sizeof(char *));
		FUZZ_ASSERT(opt->ready.exec && (opt->ready.exec[0] = strdup("/bin/true")));
	}
	if (cfg & 32)
		u->restart = UNIT_RESTART_NO;
	return u;
}

static void pump(void)
{
	FUZZ_ASSERT(loop_run_once(loop, 0) == 0);
}

static void manager_make(uint8_t cfg)
{
	struct manager_options opt = { .use_cgroup = false };
	struct unit_set *set = calloc(1, sizeof(*set));

	FUZZ_ASSERT(set && conf_init(&set->conf) == 0);
	set->units = calloc(2, sizeof(*set->units));
	FUZZ_ASSERT(set->units);
	set->units[set->n_units++] = unit_make("a", cfg);
	set->units[set->n_units++] = unit_make("b", 0);
	FUZZ_ASSERT(loop_new(&loop) == 0);
	FUZZ_ASSERT(manager_new(loop, &opt, &m) == 0);
	FUZZ_ASSERT(manager_apply(m, set) == 0);
	va = svc_of(manager_find(m, "a"));
	vb = svc_of(manager_find(m, "b"));
	real_ops = va->s.ops;
	lingering = false;   /* a spawn waits for an empty leaf */
	va->s.ops = vb->s.ops = &fake_ops;
	/* b runs, with a main process of its own */
	service_start_by_operator(&vb->s);
	pump();
	if (vb->s.state == SERVICE_STARTING)
		service_on_exec(&vb->s);
	pump();
	if (vb->s.state != SERVICE_RUNNING || vb->s.pid != helpers[H_BMAIN].pid)
		fprintf(stderr, "b: %s, pid %d\n", service_state_to_string(vb->s.state),
			(int)vb->s.pid);
	FUZZ_ASSERT(vb->s.state == SERVICE_RUNNING && vb->s.pid == helpers[H_BMAIN].pid);
}

static void manager_drop(void)
{
	manager_free(m);
	loop_free(loop);
	m = NULL;
	va = vb = NULL;
	loop = NULL;
}

/* ---- events --------------------------------------------------------------- */

/* The main process ended, as the manager's reap would tell it. */
static void main_exit(struct svc *v, int code, int status)
{
	siginfo_t si = { 0 };

	if (v->s.pid <= 0)
		return;
	si.si_pid = v->s.pid;
	si.si_code = code;
	si.si_status = status;
	main_watch_close(m, v);
	v->s.pidfd = safe_close(v->s.pidfd);
	svc_exit(m, v, &si);
}

static void event(uint8_t op, uint8_t param)
{
	struct service *s = &va->s;

	lingering = param & 0x80;
	switch (op & 7) {
	case 0: service_start_by_operator(s); break;
	case 1:
		if (s->state == SERVICE_STARTING && !s->exec_seen && s->pid > 0)
			service_on_exec(s);
		break;
	case 2: service_stop_by_operator(s); break;
	case 3: main_exit(va, CLD_EXITED, param & 3); break;
	case 4: main_exit(va, CLD_KILLED, param & 1 ? SIGKILL : SIGTERM); break;
	case 5:
		if (!lingering && s->pid <= 0)
			service_on_empty(s);
		break;
	case 6: service_restart_by_operator(s); break;
	default: service_stop_later(s); break;
	}
}

/* ---- datagrams ------------------------------------------------------------ */

/* $0..$9 of the text: the pids MAINPID= may name. */
static pid_t candidate(int k)
{
	switch (k) {
	case 0: case 1: case 2: case 3: case 4: return helpers[k].pid;
	case 5: return self;
	case 6: return 1;
	case 7: return absent;
	case 8: return va->s.pid;
	default: return vb->s.pid;
	}
}

static pid_t sender_of(int k)
{
	return k < H_MAX ? helpers[k].pid : k == 5 ? self : k == 6 ? va->s.pid : absent;
}

static const uid_t uids[] = { 0, 1000, 65534, 4242 };

/* The text with $N replaced; returns its length. */
static size_t expand(const uint8_t *p, size_t n, char *out, size_t size)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o < size; i++) {
		if (p[i] == '$' && i + 1 < n && p[i + 1] >= '0' && p[i + 1] <= '9') {
			int w = snprintf(out + o, size - o, "%d", (int)candidate(p[i + 1] - '0'));

			o = w < 0 || (size_t)w >= size - o ? size : o + (size_t)w;
			i++;
			continue;
		}
		out[o++] = (char)p[i];
	}
	return o < size ? o : size;
}

/* The unit the rules give a datagram of sender to: the unit it is the
 * main process of, or (without cgroups) the unit whose main process is
 * its parent when that unit has a PID namespace (its reaper's child). */
static struct svc *model_unit(pid_t sender)
{
	const struct proc_model *pm = model_of(sender);
	struct svc *v[2] = { va, vb };

	for (int i = 0; i < 2; i++)
		if (v[i]->s.pid > 0 && v[i]->s.pid == sender)
			return v[i];
	if (!pm || pm->ppid <= 1)
		return NULL;
	for (int i = 0; i < 2; i++)
		if (v[i]->s.pid > 0 && v[i]->s.pid == pm->ppid &&
		    (v[i]->s.unit->opt->iso.namespaces & UNIT_NS_BIT(UNIT_NS_PID)))
			return v[i];
	return NULL;
}

/* May v take pid, named by sender of uid? */
static bool model_mainpid(struct svc *v, pid_t sender, uid_t uid, pid_t pid)
{
	const struct proc_model *main_pm = model_of(v->s.pid), *pm = model_of(pid),
				*spm = model_of(sender);
	struct svc *other = v == va ? vb : va;

	if (v->s.pid <= 0 || pid == v->s.pid)
		return false;
	if (!(sender == v->s.pid || uid == 0 || (main_pm && uid == main_pm->uid)))
		return false;
	if (!pm || pid <= 1 || pid == self || (other->s.pid > 0 && pid == other->s.pid))
		return false;
	return pm->ppid == sender || (pm->ppid == self && spm && pm->sid == spm->sid);
}

static void datagram(uint8_t op, const uint8_t *p, size_t n)
{
	char text[NOTIFY_DATAGRAM_MAX];
	struct notify_msg msg;
	pid_t sender = sender_of(op & 7), a_pid = va->s.pid, b_pid = vb->s.pid;
	uid_t uid = uids[(op >> 3) & 3];
	struct svc *target;
	bool take;
	size_t len = expand(p, n, text, sizeof(text));

	if (notify_parse(text, len, &msg) < 0)
		return;
	target = model_unit(sender);
	take = target && msg.mainpid && model_mainpid(target, sender, uid, msg.mainpid);
	manager_notify(m, sender, uid, &msg);
	if (take) {
		FUZZ_ASSERT(target->s.pid == msg.mainpid);
		FUZZ_ASSERT((target == va ? vb->s.pid == b_pid : va->s.pid == a_pid));
	} else {
		if (va->s.pid != a_pid || vb->s.pid != b_pid)
			fprintf(stderr, "main process changed: a %d -> %d, b %d -> %d "
				"(sender %d uid %u MAINPID=%d)\n", (int)a_pid, (int)va->s.pid,
				(int)b_pid, (int)vb->s.pid, (int)sender, (unsigned)uid,
				(int)msg.mainpid);
		FUZZ_ASSERT(va->s.pid == a_pid && vb->s.pid == b_pid);
	}
	if (target && msg.has_status)
		FUZZ_ASSERT(strcmp(target->s.status_text ? target->s.status_text : "",
				   msg.status) == 0);
	if (target && msg.errno_value)
		FUZZ_ASSERT(target->s.notify_errno == msg.errno_value);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!self) {
		log_set_max_level(LOG_CRIT);   /* each refused MAINPID= says why */
		helpers_start();
	}
	if (size < 1)
		return 0;
	manager_make(data[0]);
	data++;
	size--;
	while (size >= 2) {
		uint8_t op = data[0];

		if (op < 0x80) {
			event(op, data[1]);
			data += 2;
			size -= 2;
		} else {
			size_t n = data[1] < size - 2 ? data[1] : size - 2;

			datagram(op, data + 2, n);
			data += 2 + n;
			size -= 2 + n;
		}
		pump();
		FUZZ_ASSERT(service_transitions_outside_table == 0);
		FUZZ_ASSERT(manager_pids_consistent(m));
	}
	manager_drop();
	return 0;
}

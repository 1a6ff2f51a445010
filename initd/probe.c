/* probe.c — see probe.h. PID 1's side first (start, verdict, timeout,
 * cancel), then the helper's. */
#include "initd/probe.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/envfile.h"
#include "common/util.h"
#include "initd/child.h"
#include "initd/spawn.h"

#define HTTP_REPLY_MAX 512        /* bytes read for the status line */
#define PROBE_VERDICT_FD 3        /* the helper's verdict pipe */
#define PROBE_PATH_DEFAULT "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static unsigned probes_running;

static _Noreturn void probe_helper(const struct probe_target *t, int out);

void probe_run_init(struct probe_run *run, struct loop *l)
{
	*run = (struct probe_run){ .loop = l, .pidfd = -1, .verdict = { .fd = -1 } };
}

/* The helper is gone or killed: close what PID 1 holds for it. */
static void probe_run_close(struct probe_run *run)
{
	loop_watch_close(run->loop, &run->verdict);
	loop_timer_cancel(run->loop, &run->timeout);
	run->pidfd = safe_close(run->pidfd);
	if (run->pid > 0)
		probes_running--;
	run->pid = 0;
}

static void probe_run_finish(struct probe_run *run, enum probe_verdict verdict, const char *why)
{
	probe_done_fn done = run->done;

	probe_run_close(run);
	if (done)
		done(run->data, verdict, why);   /* may start the next probe */
}

/* The helper leads a process group of its own, which an exec probe's
 * command and whatever it forks stay in: they all go, not only the
 * helper (a command killed by the helper's death would leave its own
 * children to PID 1, outside any unit, one more at every timeout). The
 * group is signalled only while the helper is not reaped (alive, or a
 * zombie): until then its PID, and so the group's ID, is not reused. */
static void probe_kill(struct probe_run *run)
{
	siginfo_t si = { 0 };

	if (run->pidfd < 0)
		return;
	if (waitid(P_PIDFD, (id_t)run->pidfd, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
	    kill(-run->pid, SIGKILL) == 0)
		return;
	syscall(SYS_pidfd_send_signal, run->pidfd, SIGKILL, NULL, 0);
}

static void verdict_ready(struct loop *l, int fd, uint32_t events, void *data)
{
	struct probe_run *run = data;
	ssize_t n;

	for (;;) {
		char drop[64];
		bool room = run->len < sizeof(run->buf) - 1;

		n = read(fd, room ? run->buf + run->len : drop,
			 room ? sizeof(run->buf) - 1 - run->len : sizeof(drop));
		if (n > 0 && room)
			run->len += (size_t)n;
		if (n <= 0)
			break;
	}
	if (n < 0 && errno == EAGAIN)
		return;
	run->buf[run->len] = '\0';
	/* End of file: the helper said its word (or died without one). */
	if (run->len > 0 && run->buf[0] == '0' + PROBE_OK)
		probe_run_finish(run, PROBE_OK, "");
	else if (run->len > 1 && run->buf[0] == '0' + PROBE_NOT_RUN)
		probe_run_finish(run, PROBE_NOT_RUN, run->buf + 1);
	else
		probe_run_finish(run, PROBE_FAILED, run->len > 1 ? run->buf + 1
								 : "the probe ended without a verdict");
}

/* The timeout as the unit file writes it ("2s", "500ms"): the largest unit
 * that holds it whole, so the reason quotes the configured value. */
static void timeout_as_written(char *buf, size_t size, uint64_t usec)
{
	static const struct { const char *name; uint64_t usec; } units[] = {
		{ "min", 60 * USEC_PER_SEC }, { "s", USEC_PER_SEC }, { "ms", USEC_PER_MSEC },
		{ "us", 1 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(units); i++)
		if (usec % units[i].usec == 0) {
			snprintf(buf, size, "%llu%s", (unsigned long long)(usec / units[i].usec),
				 units[i].name);
			return;
		}
}

static void timeout_fired(struct loop *l, void *data)
{
	struct probe_run *run = data;
	char d[32] = "?", why[64];

	probe_kill(run);
	timeout_as_written(d, sizeof(d), run->timeout_usec);
	snprintf(why, sizeof(why), "timed out after %s", d);
	probe_run_finish(run, PROBE_FAILED, why);
}

int probe_run_start(struct probe_run *run, const struct probe_target *t, probe_done_fn done,
		    void *data)
{
	int fds[2], pidfd, err;
	pid_t pid;

	if (run->pid > 0)
		return -EALREADY;
	if (probes_running >= PROBE_RUNNING_MAX)
		return -EBUSY;
	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0)
		return -errno;
	pid = spawn_helper_fork_into(t->cgroup_fd);
	if (pid == 0)
		probe_helper(t, fds[1]);
	err = pid < 0 ? errno : 0;
	if (pid > 0)
		setpgid(pid, pid);   /* as the helper does: a group before any kill */
	close(fds[1]);
	/* Not reaped before this loop's next turn: the pid is still ours. */
	pidfd = pid > 0 ? (int)syscall(SYS_pidfd_open, pid, 0) : -1;
	if (pid > 0 && pidfd < 0)
		err = errno;
	if (err) {
		if (pid > 0)
			kill(pid, SIGKILL);
		close(fds[0]);
		/* Its leaf refused the helper, at its pids.max (EAGAIN), or
		 * holding a subtree (EBUSY: a delegated unit made its "main" a
		 * domain): not the service's failure, tried at the next
		 * interval (initd.unit(5)). Never run outside the unit's
		 * cgroup instead: the unit could make that happen at will. */
		return pid < 0 && (err == EAGAIN || err == EBUSY) && t->cgroup_fd >= 0 ? -EBUSY : -err;
	}
	probes_running++;
	run->pid = pid;
	run->pidfd = pidfd;
	run->len = 0;
	run->done = done;
	run->data = data;
	run->timeout_usec = t->probe->timeout_usec;
	run->verdict = (struct loop_watch){ .fd = fds[0], .fn = verdict_ready, .data = run };
	loop_timer_init(&run->timeout, timeout_fired, run);
	if (loop_watch_add(run->loop, &run->verdict, EPOLLIN) < 0) {
		int r = -errno;
		probe_kill(run);
		run->done = NULL;
		probe_run_close(run);
		return r ? r : -EIO;
	}
	loop_timer_arm(run->loop, &run->timeout, now_usec() + t->probe->timeout_usec);
	return 0;
}

void probe_run_cancel(struct probe_run *run)
{
	if (run->pid <= 0)
		return;
	probe_kill(run);
	run->done = NULL;
	probe_run_close(run);
}

/* ---- the helper -------------------------------------------------------------- */

/* "Connection refused" -> "connection refused": it follows a colon. */
static const char *errno_text(int err, char *buf, size_t size)
{
	snprintf(buf, size, "%s", strerror(err));
	if (buf[0] && !(buf[1] && isupper((unsigned char)buf[1])))
		buf[0] = (char)tolower((unsigned char)buf[0]);
	return buf;
}

static int probe_connect(const struct unit_probe_endpoint *e)
{
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6, .sin6_port = htons(e->port) };
	struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons(e->port) };
	bool v6 = e->family == AF_INET6;
	int fd = socket(e->family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	memcpy(v6 ? (void *)&in6.sin6_addr : (void *)&in.sin_addr, e->addr, v6 ? 16 : 4);
	if (connect(fd, v6 ? (struct sockaddr *)&in6 : (struct sockaddr *)&in,
		    v6 ? sizeof(in6) : sizeof(in)) < 0) {
		int r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

/* The status of an HTTP/1.x status line ("HTTP/1.1 200 OK"), or -1. */
static int status_line_code(const char *line)
{
	const char *p = line + strlen("HTTP/");
	size_t major;
	int code = 0, k;

	if (strncmp(line, "HTTP/", 5) != 0)
		return -1;
	major = strspn(p, "0123456789");
	if (major == 0 || p[major] != '.' || strspn(p + major + 1, "0123456789") == 0)
		return -1;
	p += major + 1;
	p += strspn(p, "0123456789");
	if (*p != ' ')
		return -1;
	p += strspn(p, " ");
	for (k = 0; k < 3 && *p >= '0' && *p <= '9'; k++, p++)
		code = code * 10 + (*p - '0');
	return k == 3 ? code : -1;
}

/* "HTTP/1.x NNN ...": 2xx and 3xx are ok. */
static int http_status(int fd, const struct unit_probe_endpoint *e, char *why, size_t size)
{
	char req[UNIT_PROBE_TARGET_MAX + 128], reply[HTTP_REPLY_MAX + 1];
	size_t len = 0;
	int n, code;

	n = snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: initd-probe\r\n"
		     "Connection: close\r\n\r\n", e->path, e->host);
	if (n < 0 || (size_t)n >= sizeof(req) || write(fd, req, (size_t)n) != n) {
		snprintf(why, size, "http %s: cannot send the request", e->host);
		return -1;
	}
	while (len < HTTP_REPLY_MAX && !memchr(reply, '\n', len)) {
		ssize_t r = read(fd, reply + len, HTTP_REPLY_MAX - len);
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	reply[len] = '\0';
	code = status_line_code(reply);
	if (code < 0) {
		snprintf(why, size, "http %s%s: no status line", e->host, e->path);
		return -1;
	}
	if (code >= 200 && code < 400)
		return 0;
	snprintf(why, size, "http %d", code);
	return -1;
}

int probe_check_tcp_http(const struct unit_probe *p, char *why, size_t size)
{
	struct unit_probe_endpoint e;
	char err[64];
	int fd, r;

	if (unit_probe_endpoint(p, &e) < 0) {
		snprintf(why, size, "bad target");
		return -1;
	}
	fd = probe_connect(&e);
	if (fd < 0) {
		snprintf(why, size, "%s %s: %s", unit_probe_kind_name(p->kind),
			 p->kind == UNIT_PROBE_TCP ? p->target : e.host,
			 errno_text(-fd, err, sizeof(err)));
		return -1;
	}
	r = p->kind == UNIT_PROBE_HTTP ? http_status(fd, &e, why, size) : 0;
	close(fd);
	return r;
}

/* The namespaces the service lives in apart from PID 1's, as CLONE_NEW*
 * flags: the ones it declared and the ones it joined (namespaces_from), so
 * a sidecar's probe checks the shared network, not the host's. */
static int ns_flags(const struct unit *u)
{
	static const int flag[UNIT_NS_MAX] = {
		[UNIT_NS_PID] = CLONE_NEWPID, [UNIT_NS_MOUNT] = CLONE_NEWNS,
		[UNIT_NS_UTS] = CLONE_NEWUTS, [UNIT_NS_IPC] = CLONE_NEWIPC,
		[UNIT_NS_NET] = CLONE_NEWNET, [UNIT_NS_USER] = CLONE_NEWUSER,
		[UNIT_NS_CGROUP] = CLONE_NEWCGROUP,
	};
	static const int join_flag[UNIT_JOIN_MAX] = {
		[UNIT_JOIN_NET] = CLONE_NEWNET, [UNIT_JOIN_UTS] = CLONE_NEWUTS,
		[UNIT_JOIN_IPC] = CLONE_NEWIPC,
	};
	int flags = 0;

	for (unsigned i = 0; i < UNIT_NS_MAX; i++)
		if (u->opt->iso.namespaces & UNIT_NS_BIT(i))
			flags |= flag[i];
	for (unsigned k = 0; k < UNIT_JOIN_MAX; k++)
		if (u->opt->iso.join[k])
			flags |= join_flag[k];
	return flags;
}

/* Before 5.8 setns takes no pidfd: one /proc/PID/ns file each, the user
 * namespace first (it owns the others). */
static int join_by_proc(pid_t pid, int flags)
{
	static const struct { int flag; const char *name; } ns[] = {
		{ CLONE_NEWUSER, "user" }, { CLONE_NEWNET, "net" }, { CLONE_NEWUTS, "uts" },
		{ CLONE_NEWIPC, "ipc" }, { CLONE_NEWPID, "pid" }, { CLONE_NEWCGROUP, "cgroup" },
		{ CLONE_NEWNS, "mnt" },
	};
	char path[64];

	for (size_t i = 0; i < ARRAY_SIZE(ns); i++) {
		int fd, r;

		if (!(flags & ns[i].flag))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, ns[i].name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		r = setns(fd, ns[i].flag);
		close(fd);
		if (r < 0)
			return -errno;
	}
	return 0;
}

static int join_namespaces(const struct probe_target *t)
{
	int flags = ns_flags(t->unit);

	if (!flags)
		return 0;
	if (t->pidfd >= 0 && setns(t->pidfd, flags) == 0)
		return chdir("/") < 0 ? -errno : 0;
	if (t->pidfd >= 0 && errno != EINVAL)
		return -errno;
	if (join_by_proc(t->pid, flags) < 0)
		return -errno;
	return chdir("/") < 0 ? -errno : 0;
}

/* The unit's user and group, looked up in the host's files (as spawn
 * does), then taken: no supplementary group. */
static int lookup_creds(const struct probe_target *t, uid_t *uid, gid_t *gid)
{
	const struct unit *u = t->unit;
	char home[256];
	int r = 0;

	spawn_default_ids(uid, gid);
	if (u->user)
		r = spawn_lookup_user(t->passwd_file, u->user, uid, gid, home, sizeof(home), NULL,
				      0);
	if (r == 0 && u->group)
		r = spawn_lookup_group(t->group_file, u->group, gid);
	return r;
}

static int drop_creds(uid_t uid, gid_t gid)
{
	if (setgroups(0, NULL) < 0 && errno != EPERM)
		return -errno;
	if (setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0)
		return -errno;
	return 0;
}

/* What an exec check's command is run with, opened by the helper before it
 * takes the unit's rlimits: a nofile below what the helper holds (its
 * verdict pipe, the pidfd and these, up to fd 9) must not keep it from
 * running the command, which holds none of them (exec_child). /dev/null is
 * PID 1's then, not the unit's rootfs's: the same device. */
struct exec_fds {
	int devnull;    /* the command's stdio */
	int err[2];     /* what kept exec_child from its command: a
	                 * struct exec_failure */
	int alive[2];   /* hung up when the helper ends (exec_child) */
};

static int exec_fds_open(struct exec_fds *f)
{
	f->devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (f->devnull < 0 || pipe2(f->err, O_CLOEXEC) < 0 || pipe2(f->alive, O_CLOEXEC) < 0)
		return -errno;
	return 0;
}

/* The variables of the unit's environment files, read by the helper for
 * each exec check as the service's start reads them (a check may need the
 * password the service got from its file): pointers into buffers kept
 * until the helper's exit, or the command's exec. */
struct exec_env {
	char *v[ENVFILE_ENTRIES_MAX];
	size_t n;
};

/* entry ("NAME=VALUE") into env, replacing one of the same name. */
static void env_set(char **env, size_t *n, char *entry)
{
	size_t klen = strcspn(entry, "=");

	for (size_t i = 0; i < *n; i++)
		if (strncmp(env[i], entry, klen + 1) == 0) {
			env[i] = entry;
			return;
		}
	env[(*n)++] = entry;
}

/* What keeps exec_child from its command, for probe_exec: its errno, and
 * whether it was the unit's workdir (else the command's exec or what
 * comes before it). */
struct exec_failure {
	int err;
	bool chdir;
};

static _Noreturn void exec_child_fail(int err_fd, int err, bool chdir)
{
	struct exec_failure f = { .err = err, .chdir = chdir };

	if (write(err_fd, &f, sizeof(f)) < 0)
		_exit(127);
	_exit(127);
}

/* exec: the command, forked so that it lives in a PID namespace joined
 * above; it dies with the helper (PR_SET_PDEATHSIG, set after the uid
 * change, which clears it). A helper gone before that is seen at alive,
 * the read end of a pipe only the helper writes to: hung up. Not by
 * getppid(): in a PID namespace the helper joined, its parent is outside
 * it and getppid() says 0, the helper there or not (its orphan goes to
 * the reaper of the helper's own namespace). The command may be one of
 * the service's own files: it runs as confined as the service (its
 * rlimits and umask, user, bounding set, capabilities, no_new_privs and
 * seccomp filter), never with more: not with PID 1's limits (its nofile
 * is fs.nr_open). It holds only its stdio and err[1] at its exec check
 * (spawn_exec_check opens one more, below the unit's nofile): the helper's
 * fds are closed first, the others once used. */
static void exec_child(const struct probe_target *t, uid_t uid, gid_t gid,
		       const struct exec_fds *f, const struct exec_env *fe)
{
	const struct unit *u = t->unit;
	char *env[1 + ENVFILE_ENTRIES_MAX + UNIT_ENV_MAX + 1];
	int err_fd = f->err[1];
	size_t n = 0;
	int stage, r;

	close(PROBE_VERDICT_FD);
	if (t->pidfd >= 0)
		close(t->pidfd);
	close(f->err[0]);
	close(f->alive[1]);   /* the helper's end only: its death hangs it up */
	/* its rlimits: the helper's, set before it joined (probe_helper) */
	umask((mode_t)u->opt->iso.umask);
	r = spawn_caps_before_uid(&u->opt->iso, uid == 0, &stage);
	if (r == 0)
		r = drop_creds(uid, gid);
	if (r == 0)
		r = spawn_caps_after_uid(&u->opt->iso, uid == 0, &stage);
	if (r < 0)
		exec_child_fail(err_fd, -r, false);
	/* The service's own working directory, as its user (spawn's order):
	 * a relative path in the check means what it means to the service
	 * (it ran in initd's). Inside the namespaces joined, its rootfs. */
	if (chdir(u->workdir ? u->workdir : "/") < 0)
		exec_child_fail(err_fd, errno, true);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 ||
	    poll(&(struct pollfd){ .fd = f->alive[0], .events = POLLIN }, 1, 0) != 0)
		_exit(126);
	close(f->alive[0]);
	stdio_take(f->devnull);   /* and closes it */
	/* as the service's: the files' variables, then its own, which win */
	env[n++] = (char *)PROBE_PATH_DEFAULT;
	for (size_t i = 0; i < fe->n && i < ENVFILE_ENTRIES_MAX; i++)
		env_set(env, &n, fe->v[i]);
	for (char **v = u->environment; v && *v && n < ARRAY_SIZE(env) - 1; v++)
		env_set(env, &n, *v);
	env[n] = NULL;
	if (u->opt->seccomp.n_bpf && ((r = spawn_exec_check(t->probe->exec[0])) < 0 ||
				      (r = spawn_seccomp_install(&u->opt->seccomp, &stage)) < 0))
		exec_child_fail(err_fd, -r, false);
	execve(t->probe->exec[0], t->probe->exec, env);
	exec_child_fail(err_fd, errno, false);
}

/* The command's fork refused with EAGAIN in the unit's cgroup: the helper
 * took the last pid its pids.max leaves (or the system has none left).
 * At pids.max itself the helper's own fork is refused, which is not
 * counted (probe_run_start): neither is this. */
static enum probe_verdict fork_refused(const struct probe_target *t, int err, char *why,
				       size_t size)
{
	char text[64];

	/* cgroup_fd: PID 1's, closed here; >= 0 says the helper was born
	 * in the unit's leaf */
	if (err == EAGAIN && t->cgroup_fd >= 0) {
		snprintf(why, size, "exec: its cgroup refused the check's process (pids.max)");
		return PROBE_NOT_RUN;
	}
	snprintf(why, size, "exec: %s", errno_text(err, text, sizeof(text)));
	return PROBE_FAILED;
}

static enum probe_verdict probe_exec(const struct probe_target *t, const struct exec_fds *f,
				     const struct exec_env *fe, uid_t uid, gid_t gid, char *why,
				     size_t size)
{
	struct exec_failure e = { 0 };
	int status;
	const char *sig;
	char text[64];
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return fork_refused(t, errno, why, size);
	if (pid == 0)
		exec_child(t, uid, gid, f, fe);
	close(f->alive[0]);   /* alive[1] stays open until the helper ends */
	close(f->err[1]);
	if (waitpid(pid, &status, 0) < 0) {
		snprintf(why, size, "exec: %s", errno_text(errno, text, sizeof(text)));
		return PROBE_FAILED;
	}
	if (read(f->err[0], &e, sizeof(e)) != sizeof(e))
		e.err = 0;   /* nothing kept it from the command */
	if (e.err && e.chdir) {
		snprintf(why, size, "exec: chdir %s: %s", t->unit->workdir ? t->unit->workdir : "/",
			 errno_text(e.err, text, sizeof(text)));
		return PROBE_FAILED;
	}
	if (e.err) {
		snprintf(why, size, "exec %s: %s", t->probe->exec[0],
			 errno_text(e.err, text, sizeof(text)));
		return PROBE_FAILED;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return PROBE_OK;
	if (WIFEXITED(status))
		snprintf(why, size, "exec exited %d", WEXITSTATUS(status));
	else if ((sig = signal_to_string(WTERMSIG(status))))
		snprintf(why, size, "exec killed by signal %s", sig);
	else
		snprintf(why, size, "exec killed by signal %d", WTERMSIG(status));
	return PROBE_FAILED;
}

/* The verdict to PID 1, then the helper's end; after an exec probe, its
 * whole group's (probe_kill): what the command left running goes too. */
static void verdict(int out, enum probe_verdict v, const char *why, bool group)
{
	char buf[PROBE_WHY_MAX + 1];
	int n = snprintf(buf, sizeof(buf), "%c%s", '0' + v, v == PROBE_OK ? "" : why);

	if (n > 0 && write(out, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1) < 0)
		_exit(2);
	if (group && getpgrp() == getpid())   /* never a group of PID 1's */
		kill(0, SIGKILL);
	_exit(v == PROBE_OK ? 0 : 1);
}

static _Noreturn void probe_helper(const struct probe_target *t, int out)
{
	static struct exec_env fe;   /* this helper's alone: it is a fork */
	struct probe_target self = *t;
	struct exec_fds fds;
	char why[PROBE_WHY_MAX], err[64];
	uid_t uid;
	gid_t gid;
	int r;

	/* First: until then a fault here would run PID 1's crash action. */
	if (child_reset_signals() < 0)
		_exit(3);
	setpgid(0, 0);   /* its own group, for probe_kill */
	/* PID 1's heap is in here: not for the service's user to read. */
	prctl(PR_SET_DUMPABLE, 0);
	/* Keep the pipe as fd 3 and the pidfd as 4, close-on-exec (an exec
	 * probe's command must not hold the pipe), and nothing else. */
	out = fcntl(out, F_DUPFD_CLOEXEC, 100);
	self.pidfd = t->pidfd >= 0 ? fcntl(t->pidfd, F_DUPFD_CLOEXEC, 100) : -1;
	if (out < 0 || dup3(out, PROBE_VERDICT_FD, O_CLOEXEC) < 0 ||
	    (self.pidfd >= 0 && dup3(self.pidfd, 4, O_CLOEXEC) < 0))
		_exit(3);
	out = PROBE_VERDICT_FD;
	self.pidfd = self.pidfd >= 0 ? 4 : -1;
	close_range(self.pidfd >= 0 ? 5 : 4, ~0U, 0);
	r = lookup_creds(&self, &uid, &gid);
	if (r < 0) {
		snprintf(why, sizeof(why), "user %s: %s", t->unit->user ? t->unit->user : "root",
			 r == -ENOENT ? "no such user or group" : errno_text(-r, err, sizeof(err)));
		verdict(out, PROBE_FAILED, why, false);
	}
	/* before the rlimits: a small nofile would refuse them (exec_fds) */
	if (t->probe->kind == UNIT_PROBE_EXEC && (r = exec_fds_open(&fds)) < 0) {
		snprintf(why, sizeof(why), "exec: %s", errno_text(-r, err, sizeof(err)));
		verdict(out, PROBE_FAILED, why, false);
	}
	/* on the host's tree, before the namespaces (as the service's start);
	 * before the rlimits, which may leave no fd for them */
	if (t->probe->kind == UNIT_PROBE_EXEC &&
	    (r = spawn_env_files_read(t->unit, fe.v, &fe.n, why, sizeof(why))) < 0)
		verdict(out, PROBE_FAILED, why, false);
	/* An exec probe's command gets the unit's rlimits (exec_child): set
	 * here first, while the helper is still in PID 1's user namespace,
	 * where they are kept; in the unit's own, none could be raised. */
	if (t->probe->kind == UNIT_PROBE_EXEC &&
	    (r = spawn_rlimits_apply(0, &t->unit->opt->iso, t->default_rlimits,
				     t->n_default_rlimits)) < 0) {
		snprintf(why, sizeof(why), "cannot set the unit's rlimits: %s",
			 errno_text(-r, err, sizeof(err)));
		verdict(out, PROBE_FAILED, why, false);
	}
	r = join_namespaces(&self);
	if (r < 0) {
		snprintf(why, sizeof(why), "cannot enter the unit's namespaces: %s",
			 errno_text(-r, err, sizeof(err)));
		verdict(out, PROBE_FAILED, why, false);
	}
	if (t->probe->kind == UNIT_PROBE_EXEC)
		verdict(out, probe_exec(&self, &fds, &fe, uid, gid, why, sizeof(why)), why, true);
	if (drop_creds(uid, gid) < 0) {
		snprintf(why, sizeof(why), "cannot become the unit's user: %s",
			 errno_text(errno, err, sizeof(err)));
		verdict(out, PROBE_FAILED, why, false);
	}
	r = probe_check_tcp_http(t->probe, why, sizeof(why));
	verdict(out, r == 0 ? PROBE_OK : PROBE_FAILED, why, false);
	_exit(1);
}

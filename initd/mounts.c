/* mounts.c — see mounts.h. PID 1's side: start the helper, read its
 * reports, bound each entry with its timeout; and the unmount at shutdown. */
#include "initd/mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/util.h"
#include "initd/child.h"
#include "initd/loader.h"
#include "initd/log.h"
#include "initd/mount_helper.h"
#include "initd/spawn.h"

struct mounts {
	struct loop *loop;
	const struct initd_conf *conf;   /* borrowed while mounting */
	struct mount_status *v;          /* one per conf entry */
	size_t n;
	size_t active;                   /* the entry the helper works on, or n */
	size_t next;                     /* the first entry the helper has not finished */
	struct loop_watch pipe;
	struct loop_timer timeout;
	int pidfd;
	uint8_t buf[sizeof(struct mount_report)];
	size_t len;                      /* bytes of a partial report in buf */
	bool running;                    /* done not called yet */
	mounts_done_fn done;
	void *data;
};

static const char *const stage_names[MOUNT_STAGE_MAX] = {
	[MOUNT_STAGE_DEVICE] = "device",
	[MOUNT_STAGE_FORMAT] = "format",
	[MOUNT_STAGE_FSCK] = "fsck",
	[MOUNT_STAGE_MKDIR] = "mkdir",
	[MOUNT_STAGE_MOUNT] = "mount",
};

const char *mount_stage_to_string(enum mount_stage s)
{
	return (unsigned)s < MOUNT_STAGE_MAX ? stage_names[s] : "?";
}

static void helper_stop(struct mounts *ms)
{
	loop_watch_close(ms->loop, &ms->pipe);
	loop_timer_cancel(ms->loop, &ms->timeout);
	if (ms->pidfd >= 0) {
		/* Harmless if it already exited: the pidfd cannot name another;
		 * the SIGCHLD handler reaps it. */
		syscall(SYS_pidfd_send_signal, ms->pidfd, SIGKILL, NULL, 0);
		ms->pidfd = safe_close(ms->pidfd);
	}
}

static void mounts_finish(struct mounts *ms, const struct mount_status *failed)
{
	helper_stop(ms);
	ms->active = ms->n;
	ms->conf = NULL;
	if (!ms->running)
		return;
	ms->running = false;
	ms->done(ms, failed, ms->data);
}

static void helper_start(struct mounts *ms, size_t first);

/* Entry i failed: log it, then end here (an action to run) or go on. */
static void entry_failed(struct mounts *ms, size_t i, bool restart)
{
	struct mount_status *st = &ms->v[i];
	const struct unit_mount *m = &ms->conf->mounts[i];

	st->state = MOUNT_FAILED;
	if (!st->required) {
		log_warn("mount %s: %s; optional, skipped", st->where, st->why);
	} else if (st->on_failure == FAILURE_NONE) {
		log_error("mount %s: %s (required, on_failure none: going on)", st->where, st->why);
	} else {
		log_error("mount %s (%s on %s): %s", st->where, m->what, m->type, st->why);
		mounts_finish(ms, st);
		return;
	}
	ms->active = ms->n;
	if (restart) {
		helper_stop(ms);
		helper_start(ms, i + 1);
	}
}

static void entry_report(struct mounts *ms, const struct mount_report *r)
{
	struct mount_status *st;
	const struct unit_mount *m;

	if (r->index >= ms->n || r->stage >= MOUNT_STAGE_MAX || r->kind >= MOUNT_REPORT_KIND_MAX)
		return;   /* our own child, but a malformed record helps nobody */
	st = &ms->v[r->index];
	m = &ms->conf->mounts[r->index];
	st->stage = r->stage;
	switch ((enum mount_report_kind)r->kind) {
	case MOUNT_REPORT_ENTER:
		if (ms->active != r->index) {
			ms->active = r->index;
			st->state = MOUNT_ACTIVE;
			loop_timer_arm(ms->loop, &ms->timeout, now_usec() + m->timeout_usec);
		}
		break;
	case MOUNT_REPORT_FSCK_SKIPPED:
		log_warn("mount %s: fsck asked for, but the image has no checker for %s: skipped",
			 st->where, m->type);
		break;
	case MOUNT_REPORT_FORMATTED:
		log_notice("mount %s: %s was blank: formatted as %s", st->where, m->what,
			   mount_format_to_string(m->format));
		break;
	case MOUNT_REPORT_FSCK_FIXED:
		log_notice("mount %s: fsck fixed errors on %s (exit %d)", st->where, m->what, r->status);
		break;
	case MOUNT_REPORT_MOUNTED:
		loop_timer_cancel(ms->loop, &ms->timeout);
		st->state = MOUNT_MOUNTED;
		ms->active = ms->n;
		ms->next = r->index + 1;
		log_info("mounted %s on %s (%s%s%s)", m->what, st->where, m->type,
			 m->options ? ", " : "", m->options ? m->options : "");
		break;
	case MOUNT_REPORT_EXEC_FAILED:
		/* This entry fails with the reason, the next helper tries the
		 * rest (one reason each when the loader stays missing). */
		snprintf(st->why, sizeof(st->why), "cannot exec %s, the mount helper: %s",
			 LOADER_EXE_NAME, strerror(r->err));
		ms->active = r->index;
		entry_failed(ms, r->index, true);
		break;
	case MOUNT_REPORT_FAILED:
		loop_timer_cancel(ms->loop, &ms->timeout);
		ms->next = r->index + 1;
		if (r->stage == MOUNT_STAGE_FSCK && r->status)
			snprintf(st->why, sizeof(st->why), "fsck: exit %d (errors left uncorrected)",
				 r->status);
		else if (r->stage == MOUNT_STAGE_FORMAT && r->status)
			snprintf(st->why, sizeof(st->why), "format: mke2fs exit %d", r->status);
		else if (r->stage == MOUNT_STAGE_MKDIR && r->err == ELOOP)
			snprintf(st->why, sizeof(st->why),
				 "mkdir: the mount point is a symbolic link (not mounted: the unmount at "
				 "shutdown does not follow one)");
		else if (r->stage == MOUNT_STAGE_DEVICE && r->err == ENOTUNIQ)
			snprintf(st->why, sizeof(st->why),
				 "device: its PARTUUID is on two disks: which one is meant is not "
				 "known (not mounted)");
		else if (r->stage == MOUNT_STAGE_FORMAT && r->err == EMEDIUMTYPE)
			snprintf(st->why, sizeof(st->why),
				 "format: the device has another filesystem, a partition table or other data: "
				 "not formatted");
		else
			snprintf(st->why, sizeof(st->why), "%s: %s", mount_stage_to_string(r->stage),
				 strerror(r->err));
		entry_failed(ms, r->index, false);
		break;
	case MOUNT_REPORT_KIND_MAX:
		break;
	}
}

/* The helper exited: every entry it had left is done, unless it died
 * in the middle of one or ended before one. */
static void helper_gone(struct mounts *ms)
{
	size_t i = ms->active < ms->n ? ms->active : ms->next;

	if (i < ms->n) {
		snprintf(ms->v[i].why, sizeof(ms->v[i].why), "%s: the mount helper %s",
			 mount_stage_to_string(ms->v[i].stage),
			 ms->active < ms->n ? "died" : "ended before this entry");
		ms->active = i;
		entry_failed(ms, i, true);
		return;
	}
	mounts_finish(ms, NULL);
}

static void pipe_ready(struct loop *l, int fd, uint32_t events, void *data)
{
	struct mounts *ms = data;

	for (;;) {
		ssize_t n = read(fd, ms->buf + ms->len, sizeof(ms->buf) - ms->len);

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			helper_gone(ms);
			return;
		}
		ms->len += (size_t)n;
		if (ms->len == sizeof(ms->buf)) {
			struct mount_report r;

			memcpy(&r, ms->buf, sizeof(r));
			ms->len = 0;
			entry_report(ms, &r);
			if (!ms->running || ms->pipe.fd != fd)
				return;   /* finished, or a new helper took over */
		}
	}
}

static void entry_timed_out(struct loop *l, void *data)
{
	struct mounts *ms = data;
	size_t i = ms->active;
	struct mount_status *st;

	if (i >= ms->n)
		return;
	st = &ms->v[i];
	snprintf(st->why, sizeof(st->why), "timed out after %llus in %s%s",
		 (unsigned long long)(ms->conf->mounts[i].timeout_usec / 1000000),
		 mount_stage_to_string(st->stage),
		 st->stage == MOUNT_STAGE_DEVICE ? " (the device never appeared)" : "");
	log_error("mount %s hung; killing the mount helper", st->where);
	entry_failed(ms, i, true);
}

/* The helper's command line (mount_helper.h): entries first.. of conf. */
static char **helper_argv(const struct mounts *ms, size_t first, char (*index)[24])
{
	char **argv = calloc(2 + (ms->n - first) * MOUNT_HELPER_ARGS + 1, sizeof(*argv));
	size_t k = 0;

	if (!argv)
		return NULL;
	argv[k++] = (char *)"initd";
	argv[k++] = (char *)MOUNT_HELPER_ARG;
	for (size_t i = first; i < ms->n; i++) {
		const struct unit_mount *m = &ms->conf->mounts[i];
		bool stop = m->required && m->on_failure != FAILURE_NONE;

		snprintf(index[i], sizeof(index[i]), "%zu", i);
		argv[k++] = index[i];
		argv[k++] = m->what;
		argv[k++] = m->where;
		argv[k++] = m->type;
		argv[k++] = m->options ? m->options : (char *)"";
		argv[k++] = (char *)(m->fsck ? "1" : "0");
		argv[k++] = (char *)(stop ? "1" : "0");
		argv[k++] = (char *)mount_format_to_string(m->format);
	}
	return argv;
}

/* The child: the pipe on fd 3, the console as PID 1 was given it on fd 2
 * (log.h), then the exec; a failed exec is reported. */
static _Noreturn void helper_child(int exe, int out, char **argv, size_t first)
{
	char *envp[] = { NULL };
	struct mount_report r = { .index = (uint32_t)first, .kind = MOUNT_REPORT_EXEC_FAILED,
				  .err = -exe };
	int fds[] = { out, log_console_for_helpers(), exe };
	static const int to[] = { MOUNT_HELPER_FD, STDERR_FILENO };

	/* First: until then a fault here would run PID 1's crash action. */
	if (child_reset_signals() < 0)
		_exit(1);
	if (child_place_fds(fds, ARRAY_SIZE(fds), to, ARRAY_SIZE(to)) < 0)
		_exit(1);
	if (fds[2] >= 0) {
		syscall(SYS_execveat, fds[2], "", argv, envp, AT_EMPTY_PATH);
		r.err = errno;
	}
	(void)!write(MOUNT_HELPER_FD, &r, sizeof(r));
	_exit(127);
}

static void helper_start(struct mounts *ms, size_t first)
{
	char (*index)[24] = NULL, **argv = NULL;
	int p[2], exe, err;
	pid_t pid = -1;

	ms->len = 0;
	ms->next = first;
	if (first >= ms->n) {
		mounts_finish(ms, NULL);
		return;
	}
	exe = loader_exe_fd();
	errno = ENOMEM;
	if ((index = calloc(ms->n, sizeof(*index))) && (argv = helper_argv(ms, first, index)) &&
	    pipe2(p, O_CLOEXEC) == 0 && (pid = spawn_helper_fork()) < 0) {
		err = errno;
		close(p[0]);
		close(p[1]);
		errno = err;
	}
	if (pid == 0)
		helper_child(exe, p[1], argv, first);
	err = errno;   /* what failed, if anything did: before the frees */
	free(argv);
	free(index);
	if (pid < 0) {
		/* Nothing can be mounted: every entry left fails alike. */
		for (size_t i = first; i < ms->n; i++)
			snprintf(ms->v[i].why, sizeof(ms->v[i].why), "cannot start the mount helper: %s",
				 strerror(err));
		ms->active = first;
		entry_failed(ms, first, true);
		return;
	}
	close(p[1]);
	/* The first entry's time runs from now: an exec that never gets to
	 * it is bounded too. */
	ms->active = first;
	ms->v[first].state = MOUNT_ACTIVE;
	loop_timer_arm(ms->loop, &ms->timeout, now_usec() + ms->conf->mounts[first].timeout_usec);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	ms->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	ms->pipe = (struct loop_watch){ .fd = p[0], .fn = pipe_ready, .data = ms };
	if (loop_watch_add(ms->loop, &ms->pipe, EPOLLIN) < 0) {
		log_error("mounts: cannot watch the helper: %s", strerror(errno));
		ms->pipe.fd = safe_close(ms->pipe.fd);
	}
}

static void mounts_begin(struct loop *l, void *data)
{
	helper_start(data, 0);
}

int mounts_start(struct loop *l, const struct initd_conf *conf, mounts_done_fn done, void *data,
		 struct mounts **ret)
{
	struct mounts *ms = calloc(1, sizeof(*ms));

	if (!ms)
		return -ENOMEM;
	*ms = (struct mounts){ .loop = l, .conf = conf, .n = conf->n_mounts, .active = conf->n_mounts,
			       .pipe.fd = -1, .pidfd = -1, .running = true, .done = done, .data = data };
	/* Before anything can fail: mounts_free cancels it. */
	loop_timer_init(&ms->timeout, entry_timed_out, ms);
	ms->v = calloc(ms->n + 1, sizeof(*ms->v));
	if (!ms->v)
		goto fail;
	for (size_t i = 0; i < ms->n; i++) {
		ms->v[i] = (struct mount_status){ .where = strdup(conf->mounts[i].where),
						  .required = conf->mounts[i].required,
						  .on_failure = conf->mounts[i].on_failure };
		if (!ms->v[i].where)
			goto fail;
	}
	if (loop_defer(l, mounts_begin, ms) < 0)
		goto fail;
	*ret = ms;
	return 0;
fail:
	mounts_free(ms);
	return -ENOMEM;
}

void mounts_cancel(struct mounts *ms)
{
	if (!ms)
		return;
	ms->running = false;
	mounts_finish(ms, NULL);
}

void mounts_free(struct mounts *ms)
{
	if (!ms)
		return;
	mounts_cancel(ms);
	for (size_t i = 0; ms->v && i < ms->n; i++)
		free(ms->v[i].where);
	free(ms->v);
	free(ms);
}

/* Is `where` a mount point now? /proc/self/mountinfo is made by the
 * kernel on read: it never waits for a disk. Its mount points escape
 * blanks as \040, which no `where` holds (units/mounts.c). */
static bool mounted_now(const char *where)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];
	const char *point;
	size_t len;
	bool found = false;

	/* "ID PARENT MAJ:MIN ROOT MOUNTPOINT ..." */
	while (f && !found && fgets_line(line, sizeof(line), f))
		found = (point = str_field(line, 4, &len)) && len == strlen(where) &&
			memcmp(point, where, len) == 0;
	if (f)
		fclose(f);
	return found;
}

bool mounts_is_mounted(const struct mounts *ms, const char *where, char *why, size_t size)
{
	/* In rescue the operator may have mounted it by hand. */
	if (mounted_now(where))
		return true;
	for (size_t i = 0; ms && i < ms->n; i++) {
		const struct mount_status *st = &ms->v[i];

		if (strcmp(st->where, where) != 0)
			continue;
		if (st->state == MOUNT_MOUNTED)
			return true;
		if (st->state == MOUNT_FAILED)
			snprintf(why, size, "mount %s failed: %s", where, st->why);
		else
			snprintf(why, size, "mount %s: not mounted (never reached)", where);
		return false;
	}
	snprintf(why, size, "mount %s: not mounted at boot (mounts change at the next boot)", where);
	return false;
}

void mounts_unmount(struct mounts *ms)
{
	for (size_t i = ms ? ms->n : 0; i-- > 0;) {
		const char *w = ms->v[i].where;

		if (ms->v[i].state != MOUNT_MOUNTED)
			continue;
		log_notice("unmounting %s", w);
		if (umount2(w, UMOUNT_NOFOLLOW) == 0) {
			ms->v[i].state = MOUNT_PENDING;
			continue;
		}
		if (errno == EBUSY && mount(NULL, w, NULL, MS_REMOUNT | MS_RDONLY, NULL) == 0)
			log_warn("unmount %s: busy; remounted read-only", w);
		else
			log_error("unmount %s: %s", w, strerror(errno));
	}
}

/* root.c — see root.h. */
#include "stage1/root.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/util.h"

#define POLL_NSEC (50 * 1000 * 1000)

/* The failure of a wait that is over: why into err, the scan's -errno. */
static int root_not_there(const struct root_spec *s, const struct gpt_found *f, int r,
			  char *err, size_t size)
{
	if (r == -EAGAIN && f->dev[0])
		snprintf(err, size, "PARTUUID %s: partition %u of %s/%s: %s did not appear after %u s",
			 s->partuuid, f->number, s->dev_dir, f->disk, f->dev, s->wait_sec);
	else if (r == -EAGAIN)
		snprintf(err, size, "PARTUUID %s: partition %u of %s/%s did not appear after %u s",
			 s->partuuid, f->number, s->dev_dir, f->disk, s->wait_sec);
	else
		snprintf(err, size, "no partition with PARTUUID %s after %u s (%s)", s->partuuid,
			 s->wait_sec, strerror(-r));
	return r;
}

int root_find(const struct root_spec *s, struct gpt_found *ret, char *err, size_t size)
{
	struct timespec tick = { 0, POLL_NSEC };
	uint64_t deadline = now_usec() + s->wait_sec * USEC_PER_SEC;
	uint8_t guid[16];
	int r;

	if (gpt_guid_parse(s->partuuid, guid) < 0) {
		snprintf(err, size, "initd.root=PARTUUID=%s: not a GUID (8-4-4-4-12 hex digits)",
			 s->partuuid);
		return -EINVAL;
	}
	/* Two disks now are two disks later: no wait. A disk that has it
	 * but whose partition is not there yet is waited for, never passed
	 * over for another. */
	while ((r = gpt_partuuid_scan(s->sys_block, s->dev_dir, guid, ret)) < 0) {
		if (r == -ENOTUNIQ) {
			snprintf(err, size, "PARTUUID %s is on two disks, %s/%s and %s/%s: "
				 "which one is the root is not known", s->partuuid, s->dev_dir,
				 ret->disk, s->dev_dir, ret->other);
			return r;
		}
		if (now_usec() >= deadline)
			return root_not_there(s, ret, r, err, size);
		nanosleep(&tick, NULL);
	}
	return 0;
}

/* What the child tells the parent, one record a step: smaller than
 * PIPE_BUF, so written and read whole. */
enum root_step { ROOT_FOUND, ROOT_MOUNTED, ROOT_FAILED, ROOT_STEP_MAX };

struct root_report {
	int step;
	int error;                /* ROOT_FAILED: the -errno */
	char text[1024];          /* ROOT_FOUND: the node; ROOT_FAILED: why */
};

static _Noreturn void child_report(int out, struct root_report *rep)
{
	ssize_t n = write(out, rep, sizeof(*rep));

	_exit(n == (ssize_t)sizeof(*rep) && rep->step != ROOT_FAILED ? 0 : 1);
}

/* The child: find, say where, mount, say so. */
static _Noreturn void root_child(const struct root_spec *s, int out)
{
	struct root_report rep = { .step = ROOT_FAILED };
	struct gpt_found f;

	rep.error = root_find(s, &f, rep.text, sizeof(rep.text));
	if (rep.error < 0)
		child_report(out, &rep);
	rep = (struct root_report){ .step = ROOT_FOUND };
	snprintf(rep.text, sizeof(rep.text), "%s", f.dev);
	if (write(out, &rep, sizeof(rep)) != (ssize_t)sizeof(rep))
		_exit(1);
	if (mount(f.dev, s->target, s->fstype, MS_RDONLY, NULL) < 0) {
		rep = (struct root_report){ .step = ROOT_FAILED, .error = -errno };
		snprintf(rep.text, sizeof(rep.text), "mount %s (%s) read-only on %s: %s", f.dev,
			 s->fstype, s->target, strerror(-rep.error));
		child_report(out, &rep);
	}
	rep = (struct root_report){ .step = ROOT_MOUNTED };
	child_report(out, &rep);
}

/* The child's next record, by the deadline: 0, -ETIMEDOUT, -EPIPE (it
 * ended without one), or -EIO (not a whole, valid record). */
static int report_read(int fd, uint64_t deadline, struct root_report *ret)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;
	int r;

	for (;;) {
		uint64_t now = now_usec();

		if (now >= deadline)
			return -ETIMEDOUT;
		r = poll(&p, 1, (int)((deadline - now + 999) / 1000));
		if (r > 0)
			break;
		if (r < 0 && errno != EINTR)
			return -errno;
	}
	n = read(fd, ret, sizeof(*ret));
	if (n == 0)
		return -EPIPE;
	if (n != (ssize_t)sizeof(*ret) || ret->step < 0 || ret->step >= ROOT_STEP_MAX)
		return -EIO;
	ret->text[sizeof(ret->text) - 1] = '\0';
	return 0;
}

/* The parent's side: each step by its deadline. 0 and the node in dev,
 * or -errno and why in err. */
static int root_watch(const struct root_spec *s, int fd, char *dev, size_t size, char *err,
		      size_t err_size)
{
	struct root_report rep;
	uint64_t scan_sec = (uint64_t)s->wait_sec + ROOT_SCAN_GRACE_SEC;
	int r = report_read(fd, now_usec() + scan_sec * USEC_PER_SEC, &rep);

	if (r == -ETIMEDOUT) {
		snprintf(err, err_size, "the disks' scan for PARTUUID %s did not end in %llu s: "
			 "a disk does not answer", s->partuuid, (unsigned long long)scan_sec);
		return r;
	}
	if (r == 0 && rep.step == ROOT_FOUND) {
		snprintf(dev, size, "%s", rep.text);
		r = report_read(fd, now_usec() + s->mount_sec * USEC_PER_SEC, &rep);
		if (r == -ETIMEDOUT) {
			snprintf(err, err_size, "mount %s (%s) on %s did not end in %u s: "
				 "the disk does not answer", dev, s->fstype, s->target, s->mount_sec);
			return r;
		}
		if (r == 0 && rep.step == ROOT_MOUNTED)
			return 0;
	}
	if (r == 0 && rep.step == ROOT_FAILED) {
		snprintf(err, err_size, "%s", rep.text);
		return rep.error < 0 ? rep.error : -EIO;
	}
	snprintf(err, err_size, "the root's finder and mounter ended unheard (%s)",
		 strerror(r < 0 ? -r : EPROTO));
	return r < 0 ? r : -EPROTO;
}

/* A disk that does not answer holds the process that reads it in the
 * kernel, where no signal reaches it: the find and the mount run in a
 * child and stage 1 waits for each on a deadline. The child is left
 * behind when one passes (killed, but it ends only when the read does). */
int root_mount(const struct root_spec *s, char *dev, size_t size, char *err, size_t err_size)
{
	int p[2], r;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0 || (pid = fork()) < 0) {
		r = -errno;
		snprintf(err, err_size, "cannot start the root's finder: %s", strerror(-r));
		return r;
	}
	if (pid == 0) {
		close(p[0]);
		root_child(s, p[1]);
	}
	close(p[1]);
	r = root_watch(s, p[0], dev, size, err, err_size);
	close(p[0]);
	/* On success it has said its last word and ends; on a failure it
	 * may be held by a disk, and stage 1 powers off anyway. */
	if (r < 0)
		kill(pid, SIGKILL);
	waitpid(pid, NULL, r < 0 ? WNOHANG : 0);
	return r;
}

/* mount_helper.c — see initd/mount_helper.h: initd-loader's mode
 * `--mount-helper`. Everything here may block: it runs only in the helper,
 * never in PID 1 (whose side is initd/mounts.c). */
#include "initd/mount_helper.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/fssig.h"
#include "common/gpt.h"
#include "common/util.h"
#include "initd/mounts.h"

#define DEVICE_POLL_NSEC (50 * 1000 * 1000)   /* how often a missing device is looked for */
#define EXT_SUPER_OFFSET 1024
#define EXT_MAGIC        0xEF53

static void report(int out, size_t i, enum mount_report_kind kind, enum mount_stage stage,
		   int err, int status)
{
	struct mount_report r = {
		.index = (uint32_t)i, .kind = (uint8_t)kind, .stage = (uint8_t)stage,
		.err = err, .status = status,
	};

	/* PID 1 gone or the pipe broken: nothing to tell anyone. */
	if (write_all(out, &r, sizeof(r)) < 0)
		_exit(1);
}

/* ---- the device ------------------------------------------------------------ */

/* The ext2/3/4 superblock's label and UUID ("8-4-4-4-12", lower case) of
 * dev; -errno when it is not an ext filesystem. */
static int ext_ids(const char *dev, char label[UNIT_MOUNT_LABEL_MAX + 1], char uuid[37])
{
	uint8_t sb[256];
	_cleanup_close_ int fd = open(dev, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	const uint8_t *u = sb + 0x68;

	if (fd < 0)
		return -errno;
	if (pread(fd, sb, sizeof(sb), EXT_SUPER_OFFSET) != (ssize_t)sizeof(sb))
		return -EIO;
	if ((sb[0x38] | sb[0x39] << 8) != EXT_MAGIC)
		return -EMEDIUMTYPE;
	memcpy(label, sb + 0x78, UNIT_MOUNT_LABEL_MAX);
	label[UNIT_MOUNT_LABEL_MAX] = '\0';
	snprintf(uuid, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12],
		 u[13], u[14], u[15]);
	return 0;
}

/* Scan /sys/class/block for an ext filesystem with this label (tag 5) or
 * UUID (tag 4). 0 and the device in dev, or -ENOENT. */
static int scan_superblocks(const char *what, size_t tag, char *dev, size_t size)
{
	DIR *d = opendir("/sys/class/block");
	const char *want = what + tag + 1;
	struct dirent *e;
	int r = -ENOENT;

	if (!d)
		return -ENOENT;
	while (r < 0 && (e = readdir(d))) {
		char path[PATH_MAX], label[UNIT_MOUNT_LABEL_MAX + 1], uuid[37];

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/dev/%s", e->d_name);
		if (ext_ids(path, label, uuid) < 0)
			continue;
		if ((tag == 5 && !strcmp(label, want)) || (tag == 4 && !strcasecmp(uuid, want))) {
			snprintf(dev, size, "%s", path);
			r = 0;
		}
	}
	closedir(d);
	return r;
}

/* The device `what` names, once it is there: 0, or -ENOENT (not yet). */
static int device_find(const char *what, char *dev, size_t size)
{
	static const char *const dirs[] = { NULL, NULL, NULL, NULL, "by-uuid", "by-label", NULL,
					     NULL, "by-partuuid" };
	size_t tag = unit_mount_tag(what);
	struct stat st;
	char path[PATH_MAX];

	if (!tag) {
		if (stat(what, &st) < 0)
			return -ENOENT;
		snprintf(dev, size, "%s", what);
		return 0;
	}
	snprintf(path, sizeof(path), "/dev/disk/%s/%s", dirs[tag], what + tag + 1);
	if (realpath(path, dev) && strlen(dev) < size)
		return 0;
	/* No device manager: read the GPT of every disk (common/gpt.h). */
	if (tag == 8)
		return gpt_partuuid_dev(what + tag + 1, dev, size);
	return scan_superblocks(what, tag, dev, size);
}

/* Poll until the device appears; PID 1's timeout bounds the wait. 0, or
 * -ENOTUNIQ at once: a PARTUUID on two disks (a copy of the disk, two
 * paths to one) names neither, and later it still will not. */
static int device_wait(const char *what, char *dev, size_t size)
{
	struct timespec tick = { 0, DEVICE_POLL_NSEC };
	int r;

	while ((r = device_find(what, dev, size)) < 0) {
		if (r == -ENOTUNIQ)
			return r;
		nanosleep(&tick, NULL);
	}
	return 0;
}

/* ---- fsck ----------------------------------------------------------------- */

/* The checker for type: e2fsck for ext2/3/4, else fsck.TYPE; NULL when the
 * image has none. */
static const char *fsck_tool(const char *type, char *buf, size_t size)
{
	static const char *const dirs[] = { "/sbin", "/usr/sbin", "/bin", "/usr/bin" };
	bool ext = !strcmp(type, "ext2") || !strcmp(type, "ext3") || !strcmp(type, "ext4");

	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		if (ext)
			snprintf(buf, size, "%s/e2fsck", dirs[i]);
		else
			snprintf(buf, size, "%s/fsck.%s", dirs[i], type);
		if (access(buf, X_OK) == 0)
			return buf;
	}
	return NULL;
}

/* Run argv (an absolute path first): its exit status, 128 + signal, or
 * -errno. */
static int tool_run(char *const argv[])
{
	char *envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	int status;
	pid_t helper = getpid(), pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		/* Killed with the helper at its timeout, not left writing
		 * to the device under whatever runs next (PID 1 adopts it). */
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != helper)
			_exit(127);
		/* No questions: a tool that would ask (mke2fs seeing
		 * something we did not) reads EOF and gives up. */
		if (null > STDIN_FILENO)
			dup2(null, STDIN_FILENO);   /* the copy is not CLOEXEC */
		else if (null == STDIN_FILENO)
			fcntl(null, F_SETFD, 0);
		execve(argv[0], argv, envp);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* fsck's exit status: 0 clean, 1 fixed, 2 fixed (reboot advised: nothing
 * is mounted yet, so nothing to reboot for), 4 and up: not fixed. */
static int fsck_stage(int out, size_t i, const struct unit_mount *m, const char *dev)
{
	char buf[PATH_MAX];
	const char *tool = fsck_tool(m->type, buf, sizeof(buf));
	int st;

	if (!tool) {
		report(out, i, MOUNT_REPORT_FSCK_SKIPPED, MOUNT_STAGE_FSCK, ENOENT, 0);
		return 0;
	}
	st = tool_run((char *const[]){ (char *)tool, "-p", (char *)dev, NULL });
	if (st < 0) {
		report(out, i, MOUNT_REPORT_FAILED, MOUNT_STAGE_FSCK, -st, 0);
		return st;
	}
	if (st >= 4) {
		report(out, i, MOUNT_REPORT_FAILED, MOUNT_STAGE_FSCK, EUCLEAN, st);
		return -EUCLEAN;
	}
	if (st > 0)
		report(out, i, MOUNT_REPORT_FSCK_FIXED, MOUNT_STAGE_FSCK, 0, st);
	return 0;
}

/* ---- format ----------------------------------------------------------------- */

/* The signature on dev (common/fssig.h): its name in *ret (NULL: blank),
 * 0 or -errno. A device shorter than the probe is read as far as it goes. */
static int device_signature(const char *dev, const char **ret)
{
	_cleanup_free_ uint8_t *buf = calloc(1, FS_SIGNATURE_PROBE);
	_cleanup_close_ int fd = open(dev, O_RDONLY | O_CLOEXEC);
	ssize_t got;

	if (!buf)
		return -ENOMEM;
	if (fd < 0)
		return -errno;
	got = read_full(fd, buf, FS_SIGNATURE_PROBE);   /* from offset 0: just opened */
	if (got < 0)
		return (int)got;
	*ret = fs_signature(buf, (size_t)got);
	return 0;
}

/* `format`: a blank device gets the filesystem (mke2fs -t ext4); one with
 * that filesystem is left alone; anything else is never written over
 * (EMEDIUMTYPE). mke2fs's exit status travels in the report. */
static int format_stage(int out, size_t i, const struct unit_mount *m, const char *dev)
{
	static const char tool[] = "/sbin/mke2fs";
	const char *sig = NULL;
	int st = device_signature(dev, &sig);

	if (st == 0 && sig && strcmp(sig, "ext"))
		st = -EMEDIUMTYPE;
	if (st < 0 || sig) {
		if (st < 0)
			report(out, i, MOUNT_REPORT_FAILED, MOUNT_STAGE_FORMAT, -st, 0);
		return st;
	}
	if (access(tool, X_OK) < 0) {
		report(out, i, MOUNT_REPORT_FAILED, MOUNT_STAGE_FORMAT, errno, 0);
		return -ENOENT;
	}
	st = tool_run((char *const[]){ (char *)tool, "-q", "-t",
				       (char *)mount_format_to_string(m->format), (char *)dev, NULL });
	if (st != 0) {
		report(out, i, MOUNT_REPORT_FAILED, MOUNT_STAGE_FORMAT, st < 0 ? -st : EIO,
		       st < 0 ? 0 : st);
		return -EIO;
	}
	report(out, i, MOUNT_REPORT_FORMATTED, MOUNT_STAGE_FORMAT, 0, 0);
	return 0;
}

/* ---- directories and the mount ----------------------------------------------- */

/* The mount point itself not a symlink: mount(2) would follow it, and
 * the shutdown's unmount (UMOUNT_NOFOLLOW: a link swapped in meanwhile
 * must not aim it elsewhere) would not, leaving the filesystem to the
 * last lazy detach instead of its ordered unmount. -ELOOP. */
static int mount_point_check(const char *where)
{
	struct stat st;

	if (lstat(where, &st) < 0)
		return -errno;
	return S_ISLNK(st.st_mode) ? -ELOOP : 0;
}

/* An overlay's upperdir= and workdir= live on a mount of their own (the
 * data disk): made when missing, as the mount point is. */
static int overlay_dirs(const char *data)
{
	static const char *const keys[] = { "upperdir=", "workdir=" };

	for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
		const char *p = strstr(data, keys[k]);
		char dir[PATH_MAX];
		int r;

		if (!p || (p != data && p[-1] != ','))
			continue;
		p += strlen(keys[k]);
		snprintf(dir, sizeof(dir), "%.*s", (int)strcspn(p, ","), p);
		r = dir[0] == '/' ? mkdir_p(dir) : 0;
		if (r < 0)
			return r;
	}
	return 0;
}

static int mount_one(int out, size_t i, const struct unit_mount *m)
{
	char dev[PATH_MAX], data[UNIT_MOUNT_OPTIONS_MAX + 1], bad[64];
	bool block = m->what[0] == '/' || unit_mount_tag(m->what);
	unsigned long flags = 0;
	int r;

	snprintf(dev, sizeof(dev), "%s", m->what);
	report(out, i, MOUNT_REPORT_ENTER, MOUNT_STAGE_DEVICE, 0, 0);
	if (block && (r = device_wait(m->what, dev, sizeof(dev))) < 0) {
		report(out, i, MOUNT_REPORT_FAILED, MOUNT_STAGE_DEVICE, -r, 0);
		return -1;
	}
	if (m->format != MOUNT_FORMAT_NONE) {
		report(out, i, MOUNT_REPORT_ENTER, MOUNT_STAGE_FORMAT, 0, 0);
		if (format_stage(out, i, m, dev) < 0)
			return -1;
	}
	if (m->fsck) {
		report(out, i, MOUNT_REPORT_ENTER, MOUNT_STAGE_FSCK, 0, 0);
		if (fsck_stage(out, i, m, dev) < 0)
			return -1;
	}
	report(out, i, MOUNT_REPORT_ENTER, MOUNT_STAGE_MKDIR, 0, 0);
	r = unit_mount_options_parse(m->type, m->options, &flags, data, bad, sizeof(bad));
	if (r == 0)
		r = mkdir_p(m->where);
	if (r == 0)
		r = mount_point_check(m->where);
	if (r == 0 && !strcmp(m->type, "overlay"))
		r = overlay_dirs(data);
	if (r < 0) {
		report(out, i, MOUNT_REPORT_FAILED, MOUNT_STAGE_MKDIR, -r, 0);
		return -1;
	}
	report(out, i, MOUNT_REPORT_ENTER, MOUNT_STAGE_MOUNT, 0, 0);
	r = mount_entry(dev, m->where, m->type, flags, data);
	if (r < 0) {
		report(out, i, MOUNT_REPORT_FAILED, MOUNT_STAGE_MOUNT, -r, 0);
		return -1;
	}
	report(out, i, MOUNT_REPORT_MOUNTED, MOUNT_STAGE_MOUNT, 0, 0);
	return 0;
}

/* The flags a bind mount ignores on its first call: mount(8) applies them
 * with a remount of the bind, and so does mount_entry. */
#define BIND_REMOUNT_FLAGS (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | \
			    MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME)

int mount_entry(const char *dev, const char *where, const char *type, unsigned long flags,
		const char *data)
{
	if (mount(dev, where, type, flags, data && data[0] ? data : NULL) < 0)
		return -errno;
	if ((flags & MS_BIND) && (flags & BIND_REMOUNT_FLAGS) &&
	    mount(NULL, where, NULL, MS_REMOUNT | MS_BIND | (flags & BIND_REMOUNT_FLAGS),
		  NULL) < 0) {
		int err = errno;

		umount2(where, MNT_DETACH);   /* not left writable as if it were ro */
		return -err;
	}
	return 0;
}

bool mount_helper_requested(int argc, char **argv)
{
	return argc >= 3 && strcmp(argv[1], MOUNT_HELPER_ARG) == 0;
}

/* argv[2 + MOUNT_HELPER_ARGS * k ...] as entry k: PID 1's own child's
 * words, still checked (the count, the flags, the format's name). */
static int entry_from_argv(char **a, struct unit_mount *m, bool *stop)
{
	*m = (struct unit_mount){ .what = a[1], .where = a[2], .type = a[3],
				  .options = a[4][0] ? a[4] : NULL };
	if (strcmp(a[5], "0") && strcmp(a[5], "1"))
		return -EINVAL;
	m->fsck = a[5][0] == '1';
	if (strcmp(a[6], "0") && strcmp(a[6], "1"))
		return -EINVAL;
	*stop = a[6][0] == '1';
	for (m->format = 0; mount_format_to_string(m->format); m->format++)
		if (!strcmp(a[7], mount_format_to_string(m->format)))
			return 0;
	return -EINVAL;
}

_Noreturn void mount_helper_main(int argc, char **argv)
{
	size_t n = (size_t)(argc - 2) / MOUNT_HELPER_ARGS;

	/* The console stays on 0-2 (fsck speaks there), the reports go down
	 * fd 3; nothing else an exec may have left is ours. Not the tools'
	 * (fsck, mke2fs): PID 1 hears the helper end at the pipe's
	 * end-of-file, which a tool's leftover child would hold off. */
	close_range(MOUNT_HELPER_FD + 1, ~0U, 0);
	fcntl(MOUNT_HELPER_FD, F_SETFD, FD_CLOEXEC);
	/* Exec'd from an fd: its name in ps and the kernel's lines (a hung
	 * mount's task dump). */
	prctl(PR_SET_NAME, "initd-mounts");
	if ((size_t)(argc - 2) % MOUNT_HELPER_ARGS)
		_exit(2);
	for (size_t k = 0; k < n; k++) {
		char **a = argv + 2 + k * MOUNT_HELPER_ARGS;
		struct unit_mount m;
		unsigned long i;
		bool stop;
		char *end;

		errno = 0;
		i = strtoul(a[0], &end, 10);
		if (errno || *end || i >= UNIT_MOUNTS_MAX || entry_from_argv(a, &m, &stop) < 0)
			_exit(2);
		/* A failure that runs an action ends the mounting: nothing
		 * after it is mounted (PID 1 decides and logs). */
		if (mount_one(MOUNT_HELPER_FD, i, &m) < 0 && stop)
			break;
	}
	_exit(0);
}

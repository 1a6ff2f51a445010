/* stage1.c — the stage 1 of a disk image (images/mkdisk.sh): PID 1 of a
 * small initramfs that loads the modules the root needs (the Debian kernel
 * builds virtio_blk and squashfs as modules), waits a bounded time for the
 * partition whose PARTUUID the kernel command line names, mounts it
 * read-only and switches to it, exec'ing its /sbin/init (initd).
 *
 *   initd.root=PARTUUID=8-4-4-4-12   the root partition (required)
 *   initd.rootfstype=TYPE            default squashfs
 *   initd.rootwait=SECS              how long to wait for it, default 30
 *
 * (read by common/stage1_args.c, split as the kernel and initd split them;
 * a bad value is a failure, not a default).
 *
 * Every disk's GPT is read (stage1/root.c): a PARTUUID that two disks
 * carry is a failure naming both, not the root of whichever sysfs lists
 * first. The scan and the mount run in a child, stage 1 waiting for each
 * on a deadline (initd.rootwait and 2 s, then ROOT_MOUNT_SEC): a disk
 * that does not answer fails the boot, it does not hang it.
 *
 * The modules are those listed, one name a line, in /etc/stage1.modules,
 * loaded in that order from /lib/modules/KVER/NAME.ko (dependencies
 * first); more than 64 names or a line over 127 bytes is an error, not a
 * list cut short. A separate program rather than an initd mode: it runs before
 * the root exists, needs none of initd's libraries, and must stay small
 * enough to read at a glance. On any failure it says why on the console
 * and powers off: a stage 1 never hangs and never drops to a shell.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "common/stage1_args.h"
#include "common/util.h"
#include "stage1/root.h"

#define NEW_ROOT        "/root"
/* How long the root's mount may take once it is found: a healthy one
 * takes well under a second (an ext4 journal's replay a few), one past
 * this waits on a disk that does not answer. */
#define ROOT_MOUNT_SEC  60

static void say(const char *fmt, ...) _printf_(1, 2);
static void say(const char *fmt, ...)
{
	va_list ap;

	fputs("stage1: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Nothing to boot: say so, then power off (with panic=-1 and no power-off
 * support the kernel panics when PID 1 exits: still not a hang). No
 * sync(): stage 1 writes to no disk (its files are the initramfs's, the
 * root is mounted read-only), and sync() waits for the lock of every
 * superblock, the one a mount stuck on a dead disk holds included: the
 * failure that a mount's deadline (root.c) reports would hang here. */
static _Noreturn void fail(const char *fmt, ...) _printf_(1, 2);
static _Noreturn void fail(const char *fmt, ...)
{
	va_list ap;

	fputs("stage1: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("; powering off\n", stderr);
	reboot(RB_POWER_OFF);
	_exit(1);
}

static void mount_or_fail(const char *src, const char *dst, const char *type, unsigned long flags)
{
	mkdir(dst, 0755);
	if (mount(src, dst, type, flags, NULL) < 0 && errno != EBUSY)
		fail("mount %s on %s: %s", type, dst, strerror(errno));
}

static void console_open(void)
{
	int fd = open("/dev/console", O_RDWR | O_NOCTTY);

	if (fd < 0)
		return;
	for (int i = 0; i < 3; i++)
		dup2(fd, i);
	if (fd > 2)
		close(fd);
}

static void args_read(struct stage1_args *a)
{
	char line[STAGE1_CMDLINE_MAX], err[160];
	_cleanup_close_ int fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, line, sizeof(line) - 1);

	if (n <= 0)
		fail("cannot read /proc/cmdline: %s", strerror(n < 0 ? errno : EIO));
	line[n] = '\0';
	if (stage1_args_parse(line, a, err, sizeof(err)) < 0)
		fail("%s", err);
}

static void module_load(const char *dir, const char *name)
{
	char path[512];
	_cleanup_close_ int fd = -1;

	snprintf(path, sizeof(path), "%s/%.*s.ko", dir, STAGE1_MODULE_NAME_MAX, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fail("module %s: %s", path, strerror(errno));
	if (syscall(SYS_finit_module, fd, "", 0) < 0 && errno != EEXIST)
		fail("module %s: %s", name, strerror(errno));
}

static void modules_load(void)
{
	static char names[STAGE1_MODULES_MAX][STAGE1_MODULE_NAME_MAX + 1];
	struct utsname uts;
	char dir[300], err[160];
	FILE *f = fopen("/etc/stage1.modules", "re");
	size_t n;
	int r;

	if (!f)
		return;
	r = stage1_modules_read(f, names, &n, err, sizeof(err));
	fclose(f);
	if (r < 0)
		fail("/etc/stage1.modules: %s", err);
	if (uname(&uts) < 0)
		fail("uname: %s", strerror(errno));
	snprintf(dir, sizeof(dir), "/lib/modules/%s", uts.release);
	for (size_t i = 0; i < n; i++)
		module_load(dir, names[i]);
}

/* Move the new root over /, as switch_root does. The initramfs stays in
 * memory (a few MiB); stage 1's own mounts go (initd makes its own, and
 * would stack a second proc and sysfs over moved ones). argv is stage 1's
 * own: the kernel's arguments for init (single, a word without a dot
 * after --) are /sbin/init's, so they pass on; only argv[0] changes. */
static _Noreturn void root_switch(char **argv)
{
	static const char *const mine[] = { "/proc", "/sys", "/dev" };
	static char init[] = "/sbin/init";

	for (size_t i = 0; i < ARRAY_SIZE(mine); i++)
		umount2(mine[i], MNT_DETACH);
	if (chdir(NEW_ROOT) < 0 || mount(".", "/", NULL, MS_MOVE, NULL) < 0 ||
	    chroot(".") < 0 || chdir("/") < 0)
		fail("switching to the new root: %s", strerror(errno));
	argv[0] = init;
	execv(init, argv);
	fail("exec %s on the new root: %s", init, strerror(errno));
}

int main(int argc, char **argv)
{
	struct stage1_args a = { 0 };
	char dev[GPT_DEV_MAX], err[1024], *no_args[] = { NULL, NULL };   /* argv[0] and its NULL */

	/* Anywhere else it would mount over the host's /dev and power it off. */
	if (getpid() != 1) {
		say("not PID 1: a stage 1 runs only as an initramfs's init");
		return 2;
	}
	mount_or_fail("devtmpfs", "/dev", "devtmpfs", MS_NOSUID);
	console_open();
	mount_or_fail("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC);
	mount_or_fail("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC);
	args_read(&a);
	modules_load();
	mkdir(NEW_ROOT, 0755);
	if (root_mount(&(struct root_spec){ .sys_block = "/sys/class/block", .dev_dir = "/dev",
					    .partuuid = a.root, .wait_sec = a.rootwait,
					    .fstype = a.fstype, .target = NEW_ROOT,
					    .mount_sec = ROOT_MOUNT_SEC },
		       dev, sizeof(dev), err, sizeof(err)) < 0)
		fail("%s", err);
	say("root %s (PARTUUID %s, %s, read-only)", dev, a.root, a.fstype);
	root_switch(argc > 0 ? argv : no_args);
}

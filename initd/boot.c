/* boot.c — see boot.h. */
#include "initd/boot.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <stdlib.h>
#include <sys/reboot.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/kmod.h"
#include "common/mounttab.h"
#include "common/util.h"
#include "initd/child.h"
#include "initd/final_sync.h"
#include "initd/log.h"
#include "initd/mounts.h"
#include "initd/watchdog.h"

struct early_mount {
	const char *source, *target, *type;
	unsigned long flags;
	const char *data;
};

static const struct early_mount early_mounts[] = {
	{ "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL },
	{ "sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL },
	{ "devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755" },
	{ "devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "gid=5,mode=620,ptmxmode=000" },
	{ "tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777" },
	{ "tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755" },
};

static void mount_one(const struct early_mount *em)
{
	mkdir(em->target, 0755);
	if (mount(em->source, em->target, em->type, em->flags, em->data) < 0 && errno != EBUSY)
		log_warn("mount %s on %s: %s", em->type, em->target, strerror(errno));
}

/* The kernel lets each /dev/kmsg opener write 10 lines per 5 s unless told
 * otherwise: initd's own messages and the services' forwarded output would
 * be cut at boot, exactly when they matter. */
static void boot_kmsg_unlimited(void)
{
	int fd = open("/proc/sys/kernel/printk_devkmsg", O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	if (write(fd, "on\n", 3) != 3)
		log_warn("printk_devkmsg: %s", strerror(errno));
	close(fd);
}

/* An integer from a /proc/sys file, or -errno. */
static long long sysctl_read(const char *path)
{
	char buf[32];
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return n < 0 ? -errno : -EIO;
	buf[n] = '\0';
	return strtoll(buf, NULL, 10);
}

static void sysctl_write(const char *path, long long v)
{
	char buf[32];
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	int n = snprintf(buf, sizeof(buf), "%lld\n", v);

	if (fd < 0 || write(fd, buf, (size_t)n) != n)
		log_warn("%s: %s", path, strerror(errno));
}

/* The kernel starts init with 1024 open files (4096 hard): a few hundred
 * units would exhaust it. PID 1 takes what the kernel allows (fs.nr_open);
 * not as PID 1, what its hard limit allows. Services get initd.conf's
 * rlimits instead of inheriting this (spawn.c). */
int boot_raise_nofile(void)
{
	long long nr_open = sysctl_read("/proc/sys/fs/nr_open");
	struct rlimit rl;
	int r = nr_open > 0 ? 0 : nr_open < 0 ? (int)nr_open : -EINVAL;

	if (nr_open > 0) {
		rl.rlim_cur = rl.rlim_max = (rlim_t)nr_open;
		if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
			return 0;
		r = -errno;
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	return r;
}

void boot_nofile_refused(bool pid1, int err)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	if (pid1)
		log_warn("open files: cannot raise initd's limit to fs.nr_open (%s); it stays at "
			 "%llu, room for about %llu running units", strerror(-err),
			 (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_cur / 2);
	else
		log_debug("open files: cannot raise initd's limit to fs.nr_open (%s); it stays "
			  "at %llu", strerror(-err), (unsigned long long)rl.rlim_cur);
}

/* Every unit watches up to three cgroup files through one inotify instance
 * (cgroup_watch.h); the kernel's default bound on watches (from 8192, by
 * memory) would stop at a few thousand units. */
#define BOOT_INOTIFY_WATCHES 65536

static void boot_raise_inotify_watches(void)
{
	static const char path[] = "/proc/sys/fs/inotify/max_user_watches";
	long long v = sysctl_read(path);

	if (v >= 0 && v < BOOT_INOTIFY_WATCHES)
		sysctl_write(path, BOOT_INOTIFY_WATCHES);
}

void boot_mount_early(bool cgroup)
{
	static const struct early_mount cg = {
		"cgroup2", "/sys/fs/cgroup", "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		"nsdelegate"
	};

	for (size_t i = 0; i < ARRAY_SIZE(early_mounts); i++)
		mount_one(&early_mounts[i]);
	if (cgroup)
		mount_one(&cg);
	mkdir("/run/initd", 0755);
	boot_kmsg_unlimited();
	boot_raise_inotify_watches();
}

void boot_open_console(void)
{
	int fd = open("/dev/console", O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return;
	stdio_take(fd);   /* none CLOEXEC: the helpers get the console */
}

int boot_set_hostname(const char *name)
{
	return sethostname(name, strlen(name)) < 0 ? -errno : 0;
}

/* A filesystem may leave d_type DT_UNKNOWN: then ask stat (no symlinks). */
static bool is_dir(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Find NAME.ko under dir, depth-first, bounded; '-' and '_' alike, as the
 * kernel and modules.builtin's check take them (common/kmod.h). */
static int find_module(const char *dir, const char *name, char *out, size_t size, int depth)
{
	DIR *d;
	struct dirent *e;
	int found = 0;

	if (depth > 8 || !(d = opendir(dir)))
		return 0;
	while (!found && (e = readdir(d))) {
		char path[1024];

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (e->d_type == DT_DIR || (e->d_type == DT_UNKNOWN && is_dir(path)))
			found = find_module(path, name, out, size, depth + 1);
		else if (kmod_file_names(e->d_name, name)) {
			snprintf(out, size, "%s", path);
			found = 1;
		}
	}
	closedir(d);
	return found;
}

/* A module without NAME.ko that this kernel builds in (modules.builtin):
 * nothing to load, and no error (common/kmod.h). */
static bool module_builtin(const char *dir, const char *name)
{
	char path[320];
	_cleanup_close_ int fd = -1;

	snprintf(path, sizeof(path), "%s/modules.builtin", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd >= 0 && kmod_builtin(fd, name);
}

void boot_load_modules(char **modules)
{
	struct utsname uts;
	char dir[300];

	if (!modules || !*modules || uname(&uts) < 0)
		return;
	snprintf(dir, sizeof(dir), "/lib/modules/%s", uts.release);
	for (char **m = modules; *m; m++) {
		char path[1024];
		int fd;

		if (!find_module(dir, *m, path, sizeof(path), 0)) {
			if (module_builtin(dir, *m))
				log_info("module %s: built into the kernel", *m);
			else
				log_error("module %s: not found under %s", *m, dir);
			continue;
		}
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || (syscall(SYS_finit_module, fd, "", 0) < 0 && errno != EEXIST))
			log_error("module %s: %s", *m, strerror(errno));
		else
			log_info("module %s loaded", *m);
		safe_close(fd);
	}
}

/* Writing /proc/sys goes to the kernel's handler, never to a disk: done in
 * PID 1's loop. A name the kernel lacks or a value it refuses is logged
 * and the rest go on. An empty value is written as a newline (as `echo >
 * FILE` does): a write of no byte is no write at all, and the newline
 * clears a string sysctl (a number's refuses it, logged). */
void boot_apply_sysctl(char **entries)
{
	for (char **e = entries; e && *e; e++) {
		char path[UNIT_SYSCTL_NAME_MAX + 16];
		const char *value = strchr(*e, '='), *data;
		_cleanup_close_ int fd = -1;
		size_t n;

		if (!value || unit_sysctl_path(*e, path, sizeof(path)) < 0) {
			log_error("sysctl %s: malformed", *e);
			continue;
		}
		value++;
		n = strlen(value);
		fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
		data = n ? value : "\n";
		n = n ? n : 1;
		if (fd < 0 || write(fd, data, n) != (ssize_t)n)
			log_error("sysctl %.*s: %s%s", (int)(value - 1 - *e), *e, strerror(errno),
				  errno == ENOENT ? " (unknown name)" : "");
		else
			log_info("sysctl %s", *e);
	}
}

/* ---- the end ---------------------------------------------------------------- */

static void kill_and_reap_all(void)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };

	kill(-1, SIGKILL);
	/* Bounded: at most a second for the kernel to deliver the kills. */
	for (int i = 0; i < 100; i++) {
		pid_t p;

		while ((p = waitpid(-1, NULL, WNOHANG)) > 0)
			;
		if (p < 0 && errno == ECHILD)
			return;
		nanosleep(&tick, NULL);
	}
}

/* Every mount but /, in reverse order: children before parents. Lazy, so
 * a busy one goes too. The table is read whole before the first unmount:
 * /proc goes with the rest, and the table with it. */
static void unmount_all(void)
{
	struct mounttab t = { 0 };
	FILE *f = fopen("/proc/self/mounts", "re");

	if (f) {
		mounttab_read(f, &t);
		fclose(f);
	}
	for (size_t i = t.n; i-- > 0; )
		if (strcmp(t.targets[i], "/") != 0)
			umount2(t.targets[i], MNT_DETACH);
	mounttab_free(&t);
	mount(NULL, "/", NULL, MS_REMOUNT | MS_RDONLY, NULL);
}

/* The kernel's own PID namespace (PROC_PID_INIT_INO, fixed in the ABI):
 * PID 1 there may never exit, PID 1 of a container may. */
#define PID_NS_INITIAL_INO 0xEFFFFFFCU

bool boot_pid_ns_is_initial(void)
{
	struct stat st;

	return stat("/proc/self/ns/pid", &st) < 0 || st.st_ino == PID_NS_INITIAL_INO;
}

struct final_writes {
	bool unmount;
	struct mounts *declared;
};

/* In final_sync's child: a hang here names its step. */
static void final_writes(int fd, void *data)
{
	const struct final_writes *w = data;

	final_sync_step(fd, "the final sync");
	sync();
	/* Not after --no-mounts: there the mounts are not ours to touch, and a
	 * read-only remount of / would reach the host's filesystem. */
	if (!w->unmount)
		return;
	/* The one place initd.conf's mounts are unmounted: every service has
	 * stopped and been reaped (their logs flushed before), so /data is no
	 * longer busy. */
	final_sync_step(fd, "unmounting initd.conf's mounts");
	mounts_unmount(w->declared);
	final_sync_step(fd, "the sync after the unmounts");
	sync();
	final_sync_step(fd, "unmounting the rest, / read-only");
	unmount_all();
	final_sync_step(fd, "the last sync");
	sync();
}

_Noreturn void boot_final(const struct boot_end *end, struct mounts *declared,
			  struct watchdog *wd)
{
	enum shutdown_how how = end->how;
	int cmd = how == SHUTDOWN_REBOOT ? RB_AUTOBOOT :
		  how == SHUTDOWN_HALT ? RB_HALT_SYSTEM : RB_POWER_OFF;
	/* Asked now: unmount_all below detaches /proc too. */
	bool container = !boot_pid_ns_is_initial();
	struct final_writes writes = { end->unmount, declared };
	char stuck[FINAL_SYNC_STEP_MAX], d[32];
	int err;

	log_notice("%s", how == SHUTDOWN_REBOOT ? "rebooting" :
			 how == SHUTDOWN_HALT ? "halting" : "powering off");
	watchdog_pet_final(wd);
	kill_and_reap_all();
	watchdog_pet_final(wd);
	if (final_sync_run(final_writes, &writes, end->sync_timeout_usec, wd, stuck,
			   sizeof(stuck)) == -ETIMEDOUT)
		log_error("%s: no progress in %s (a dead disk?); going on without it", stuck,
			  format_duration(d, sizeof(d), end->sync_timeout_usec));
	/* A halted machine must stay so: the shutdown timeout would reset it
	 * (a reboot's own reset comes first). */
	if (how != SHUTDOWN_REBOOT)
		watchdog_halting(wd);
	watchdog_pet_final(wd);   /* a reboot's: the drain takes up to 2 s */
	log_drain(LOG_DRAIN_MSEC);
	reboot(cmd);
	/* Only reached when reboot(2) is refused. */
	err = errno;
	if (err == EPERM && container) {
		/* PID 1 of a container without CAP_SYS_BOOT (Docker drops it):
		 * the end the kernel would have made, the namespace's init
		 * exiting, not a freeze that `docker stop` waits out. */
		log_notice("reboot(2) refused (no CAP_SYS_BOOT in this container): exiting");
		log_drain(LOG_DRAIN_MSEC);
		_exit(0);
	}
	boot_crash(end->crash, "reboot(2) failed");
}

static enum crash_action crash_action_now = CRASH_REBOOT;
static bool crash_in_container;   /* known before a fault: no /proc read there */

void boot_set_crash_action(enum crash_action action)
{
	crash_action_now = action;
}

/* Both the console and the kernel log: the kernel writes a kmsg record
 * whole, where a console write can interleave with its own fault report. */
static void write_console(const char *s)
{
	int fd = open("/dev/kmsg", O_WRONLY | O_NOCTTY | O_CLOEXEC);
	char rec[256];
	size_t n = strlen(s);

	/* fd 2, non-blocking (log.h): a console held by flow control must
	 * not keep the crash action from running */
	if (log_console_raw(s, n) < 0) {
		/* nowhere else to say it */
	}
	if (fd < 0)
		return;
	if (n > 0 && s[n - 1] == '\n' && n + 4 < sizeof(rec)) {
		memcpy(rec, "<2>", 3);
		memcpy(rec + 3, s, n);
		if (write(fd, rec, n + 3) < 0) {
			/* as above */
		}
	}
	close(fd);
}


/* A reboot or poweroff crash action PID 1 of a container may not take (no
 * CAP_SYS_BOOT): the namespace's init exits, as the kernel's reboot would
 * have ended it (non-zero: it crashed), rather than freeze with its
 * services running and nothing to restart the container. */
static void crash_reboot_refused(void)
{
	if (errno == EPERM && crash_in_container) {
		write_console("initd: reboot(2) refused in this container: exiting\n");
		_exit(1);
	}
}

/* The crash action poweroff disarms the hardware watchdog, as a shutdown's
 * power-off does: a board that cannot power off halts, and a watchdog left
 * running resets it, so it boots again. The others leave it running:
 * freeze and shell stop the pets, and the reset is what the watchdog is
 * there for (a frozen PID 1 is not a machine asked to stay off); a reboot
 * resets anyway, and one refused freezes, still guarded. */
static void crash_watchdog_disarm(void)
{
	int r = watchdog_crash_disarm();

	if (r == 0)
		write_console("initd: watchdog disarmed\n");
	else if (r == 1)
		write_console("initd: watchdog: magic close sent (a driver that ignores it resets "
			      "the machine)\n");
	else if (r == -EBUSY)
		write_console("initd: the watchdog is nowayout: it resets the machine\n");
	else if (r != -ENODEV)
		write_console("initd: the watchdog could not be disarmed: it resets the machine\n");
}

_Noreturn void boot_crash(enum crash_action action, const char *why)
{
	sigset_t all;

	static const char prefix[] = "initd: fatal: ";
	char line[160];
	size_t n = strlen(why);

	/* By hand: this runs in the fault handler, where printf is unsafe. */
	if (n > sizeof(line) - sizeof(prefix) - 1)
		n = sizeof(line) - sizeof(prefix) - 1;
	memcpy(line, prefix, sizeof(prefix) - 1);
	memcpy(line + sizeof(prefix) - 1, why, n);
	line[sizeof(prefix) - 1 + n] = '\n';
	line[sizeof(prefix) + n] = '\0';
	write_console(line);
	sync();
	switch (action) {
	case CRASH_REBOOT:
		write_console("initd: crash action: reboot\n");
		reboot(RB_AUTOBOOT);
		crash_reboot_refused();
		break;
	case CRASH_POWEROFF:
		write_console("initd: crash action: poweroff\n");
		crash_watchdog_disarm();
		reboot(RB_POWER_OFF);
		crash_reboot_refused();
		break;
	case CRASH_SHELL: {
		pid_t pid;

		write_console("initd: crash action: shell\n");
		pid = fork();
		if (pid == 0) {
			char *argv[] = { "/bin/sh", NULL };
			char *envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };

			/* Not the fault handler: a crash in the shell is
			 * the shell's. */
			child_reset_signals();
			child_console_session();
			execve(argv[0], argv, envp);
			_exit(127);
		}
		break;
	}
	default:
		write_console("initd: crash action: freeze\n");
		break;
	}
	/* Freeze: PID 1 must not exit. Keep reaping whatever dies. */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	for (;;) {
		if (waitpid(-1, NULL, 0) < 0) {
			struct timespec t = { 1, 0 };
			nanosleep(&t, NULL);
		}
	}
}

static void fault_handler(int sig)
{
	static volatile sig_atomic_t in_fault;
	const char *why = sig == SIGSEGV ? "segmentation fault" :
			  sig == SIGBUS ? "bus error" :
			  sig == SIGILL ? "illegal instruction" :
			  sig == SIGFPE ? "arithmetic exception" : "abort";

	/* A fork of PID 1 that has not reset its signals yet (child.h: a
	 * service's clone3 child, lo's; one in a new PID namespace says 1
	 * to getpid(), so it sets child_of_pid1): the fault is its own, not
	 * the machine's. It dies of the signal, once this handler returns. */
	if (child_of_pid1 || getpid() != 1) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	if (in_fault++)
		boot_crash(CRASH_FREEZE, "fault in the fault handler");
	boot_crash(crash_action_now, why);
}

void boot_install_crash_handlers(enum crash_action action)
{
	static char stack[64 * 1024];
	stack_t ss = { .ss_sp = stack, .ss_size = sizeof(stack) };
	struct sigaction sa = { .sa_handler = fault_handler, .sa_flags = SA_ONSTACK };
	static const int faults[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };

	crash_action_now = action;
	crash_in_container = !boot_pid_ns_is_initial();
	sigaltstack(&ss, NULL);
	sigfillset(&sa.sa_mask);
	for (size_t i = 0; i < ARRAY_SIZE(faults); i++)
		sigaction(faults[i], &sa, NULL);
}

/* boot.h — PID-1 duties: the early mounts, the console, the hostname, the
 * last steps of a shutdown, and the crash action. Only PID 1 calls these. */
#ifndef INITD_BOOT_H
#define INITD_BOOT_H

#include "initd/manager.h"
#include "units/unit.h"

/* Mount /proc, /sys, /dev, /dev/pts, /dev/shm, /run and, unless !cgroup,
 * cgroup2 at /sys/fs/cgroup (nsdelegate). Failures are logged, not fatal:
 * what is already mounted stays. */
void boot_mount_early(bool cgroup);
/* Raise initd's own RLIMIT_NOFILE as far as the kernel lets it (PID 1 or
 * not): thousands of units need more than the 1024 init starts with. 0,
 * or -errno of the raise to fs.nr_open (the soft limit is then raised to
 * the hard one): called before the log opens, so the caller says it. */
int boot_raise_nofile(void);
/* Its refusal err, said once the log is open: PID 1 holds two fds a
 * running unit, so a limit it could not raise caps how many run (each
 * one past it fails at its spawn). A warning as PID 1; debug otherwise (an
 * ordinary user's initd is expected to keep its limit). */
void boot_nofile_refused(bool pid1, int err);

/* Make /dev/console fds 0, 1 and 2 (when it can be opened). */
void boot_open_console(void);

int boot_set_hostname(const char *name);

/* initd runs in the kernel's first PID namespace (true too when /proc
 * cannot say): not PID 1 of a container, whose kernel command line and
 * reboot(2) are the host's. */
bool boot_pid_ns_is_initial(void);

/* Load the listed kernel modules from /lib/modules/$(uname -r). */
void boot_load_modules(char **modules);

/* initd.conf's sysctl entries ("NAME=VALUE") into /proc/sys; failures are
 * logged, not fatal. */
void boot_apply_sysctl(char **entries);

/* How the end goes (initd.conf's crash_action and sync_timeout). */
struct boot_end {
	enum shutdown_how how;
	enum crash_action crash;          /* when reboot(2) fails */
	bool unmount;                     /* false after --no-mounts */
	uint64_t sync_timeout_usec;       /* final_sync.h's bound */
};

/* The end: kill what is left, reap; then, in a child bounded by its
 * progress (final_sync.h), sync, unmount initd.conf's mounts in reverse
 * (declared: NULL when none), then everything else, sync; for a halt or
 * power-off disarm the hardware watchdog (wd, NULL for none: it guarded all
 * of that, and is petted here while the hardware refused its shutdown
 * timeout), then reboot(2). Never returns when it works; if reboot(2)
 * fails the crash action runs, but for PID 1 of a container refused it
 * (EPERM outside the kernel's own PID namespace), which exits with status
 * 0. */
struct mounts;
struct watchdog;
_Noreturn void boot_final(const struct boot_end *end, struct mounts *declared,
			  struct watchdog *wd);

/* Run `action` for an unrecoverable error; never returns. Async-signal-safe
 * enough to be called from a fault handler. */
_Noreturn void boot_crash(enum crash_action action, const char *why);

/* Faults (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT) run the crash action
 * instead of taking the kernel down with PID 1. */
void boot_install_crash_handlers(enum crash_action action);
void boot_set_crash_action(enum crash_action action);

#endif

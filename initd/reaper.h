/* reaper.h — PID 1 of a service's PID namespace.
 *
 * In a new PID namespace the service would be PID 1 and inherit every
 * orphan; a reaper is that PID 1 instead: it forwards every signal but
 * SIGCHLD to the service, reaps everything, and exits with the service's
 * status (128+N for a signal: PID 1 of a namespace cannot die of its own).
 *
 * The reaper must hold nothing of initd's: a fork of initd would carry PID
 * 1's heap (other units' environments, log rings), readable by a service
 * through /proc/1/mem. So the reaper is a fresh program, a mode of
 * initd-loader (loader/reaper.c; PID 1's binary carries no code it does
 * not run itself): PID 1 keeps one sealed memfd copy of that executable
 * (loader_exe_sealed_fd, made the first time a PID-namespace unit is
 * spawned, the CVE-2019-5736 answer: no service can rewrite what initd
 * execs), and the clone3 child forks (reaper_fork): the parent execs that
 * memfd as `initd --reaper MAINPID` with an empty environment, the child
 * goes on to become the service. The exec'd reaper (reaper_main) first
 * makes itself non-dumpable and keeps no capability but CAP_KILL (to
 * forward signals to a service of another uid).
 *
 * `svctl kill` of such a unit must reach every process of the namespace
 * once: PID 1 cannot signal them all itself (the reaper would forward the
 * one it gets a second time, and without cgroups PID 1 cannot list them),
 * so it asks the reaper (reaper_signal_all): a queued REAPER_SIG_ALL whose
 * value carries the signal. The reaper then calls kill(-1, sig), which in
 * a PID namespace is every process of it but its PID 1, the reaper itself
 * (fork-safe: the kernel's own walk). Any other signal is forwarded to the
 * main process as before. A process inside the namespace can ask for the
 * same (sigqueue can set any sender): no more than the reaper's forwarding
 * already lets it do with the main process.
 */
#ifndef INITD_REAPER_H
#define INITD_REAPER_H

#include <signal.h>
#include <stdbool.h>

/* The clone3 child of a PID-namespace unit, after its signals were reset
 * and before any mount: fork. The parent, PID 1 of the namespace, execs
 * exe_fd as the reaper (every signal blocked across the exec: none is
 * lost). The child returns 0 once that exec happened (the close-on-exec
 * pipe between them reached end-of-file): only then may it mount. Returns
 * -errno if fork fails, and in the parent if the exec fails (the child
 * was told and exits quietly): the caller reports it and exits. */
int reaper_fork(int exe_fd);

/* PID 1: have the reaper behind pidfd send sig to every process of its
 * namespace but itself. 0 or -errno. */
int reaper_signal_all(int pidfd, int sig);

/* The reaper: the signal a queued request from reaper_signal_all asks for,
 * else 0 (a signal to forward). */
int reaper_all_request(int sig, const siginfo_t *si);

/* initd-loader's main(): is this the reaper's command line ("--reaper PID")? */
bool reaper_requested(int argc, char **argv);

/* The reaper itself: before anything else in main(). Never returns. */
_Noreturn void reaper_main(int argc, char **argv);

#endif

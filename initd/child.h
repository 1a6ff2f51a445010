/* child.h — what every child of PID 1 does first.
 *
 * A fork of initd inherits PID 1's fatal-signal handlers (boot.c's crash
 * action: reboot, poweroff, a root shell), their alternate stack and PID 1's
 * blocked mask (the signalfd's signals). A fault in a child that kept them
 * would reboot the machine from the child; a service that kept the mask
 * would ignore SIGTERM. So every fork and clone of PID 1 calls
 * child_reset_signals() before anything else: the loader, the clone3 child
 * of a service, the crash action's shell (doc/DESIGN.md §13). A child
 * through the fd window (spawn.c) makes its table its own, writes one
 * byte and closes PID 1's pipe ends first, with PID 1's mask, which blocks
 * every signal the signalfd reads; a fault before the reset is the
 * child's (boot.c's handler re-raises it in a child: child_of_pid1).
 */
#ifndef INITD_CHILD_H
#define INITD_CHILD_H

#include <signal.h>
#include <stddef.h>

/* Set, a plain store, first thing in a service's clone3 child: one in a
 * new PID namespace is PID 1 there, so getpid() cannot tell boot.c's
 * fault handler that a fault before child_reset_signals() is the
 * child's, not the machine's. */
extern volatile sig_atomic_t child_of_pid1;

/* Every disposition PID 1 changed back to SIG_DFL (even the ones glibc
 * reserves), the alternate signal stack off, the mask empty; and PID 1's
 * console records waiting to be written forgotten (log_forked: they are
 * PID 1's to write, its loop is not the child's). Async-signal-safe: only
 * system calls and plain stores. 0 or -errno (of the mask; the rest cannot
 * fail). */
int child_reset_signals(void);

/* The same for a child on PID 1's memory (spawn_shared.c's, net.c's lo
 * child): raw system calls only, and PID 1's console records left alone
 * (they are PID 1's own, not a copy). Only where rawsys.h's
 * RAWSYS_AVAILABLE. */
int child_reset_signals_shared(void);

/* A child's fds put where its exec wants them: fds[i] on to[i] for each
 * i < n_to (without CLOEXEC), the rest (the executable's fd) kept, each
 * fds[] entry now a CLOEXEC copy above every to[]. A source that sits on
 * another's target (the executable's fd on 3, say, where the helper's
 * pipe goes) is moved before anything is put there. A negative entry is
 * left alone, and its target, if it has one, closed. 0 or -errno (an
 * entry's failed copy is -1, the ones after it unmoved). */
int child_place_fds(int *fds, size_t n, const int *to, size_t n_to);

/* fd on 0, 1 and 2, none of them close-on-exec, and fd closed when it is
 * none of them. By hand where fd is one: dup2 onto itself changes
 * nothing, so a CLOEXEC fd 0 (the console opened by a PID 1 the kernel
 * started with 0-2 closed: no /dev/console in its initramfs) would stay
 * CLOEXEC, and a shell started on it would read nothing. Errors are
 * ignored (what cannot be put stays as it was). Async-signal-safe. */
void stdio_take(int fd);

/* A shell's child (the rescue shell, the crash action's): a session of
 * its own, with /dev/console its controlling terminal (Ctrl-C reaches the
 * shell's commands, not initd) on 0, 1 and 2. Left as they were when the
 * console cannot be opened. Async-signal-safe. */
void child_console_session(void);

/* Which dispositions PID 1 holds that are not SIG_DFL, asked of the kernel
 * once, after PID 1 set its own (its crash handlers, SIGPIPE ignored) and
 * with what it inherited: child_reset_signals resets those only. PID 1
 * sets no disposition after this (one that did would take the snapshot
 * again); until it is taken, every signal is reset. */
void child_signals_snapshot(void);

#endif

/* child.h — what every child of PID 1 does first.
 *
 * A fork of initd inherits PID 1's fatal-signal handlers (boot.c's crash
 * action: reboot, poweroff, a root shell), their alternate stack and PID 1's
 * blocked mask (the signalfd's signals). A fault in a child that kept them
 * would reboot the machine from the child; a service that kept the mask
 * would ignore SIGTERM. So every fork and clone of PID 1 calls
 * child_reset_signals() before anything else: the loader, the clone3 child
 * of a service, the crash action's shell (doc/DESIGN.md §13); the fd
 * window's vfork child (spawn.c) blocks every signal, then resets the
 * dispositions.
 */
#ifndef INITD_CHILD_H
#define INITD_CHILD_H

/* Every disposition back to SIG_DFL (even the ones glibc reserves), the
 * alternate signal stack off, the mask empty. Async-signal-safe: only
 * system calls. 0 or -errno (of the mask; the rest cannot fail). */
int child_reset_signals(void);

/* The two halves for a child that must not take a signal at all (the fd
 * window's vfork child, spawn.c): child_block_all() first (every signal,
 * glibc's too; 0 or -errno), then child_reset_actions(). */
int child_block_all(void);
void child_reset_actions(void);

#endif

/* watchdog.h — the hardware watchdog initd.conf declares (`watchdog = {
 * device; timeout; shutdown_timeout; }`), not the per-service WATCHDOG=1 of
 * a unit's `watchdog` key (manager_notify.c).
 *
 * initd opens the device once the configuration (and the modules it loads)
 * is in, sets the timeout with WDIOC_SETTIMEOUT and pets it with
 * WDIOC_KEEPALIVE from a timer of the event loop, every quarter of the
 * timeout. Only the loop pets: a PID 1 that hangs, loops or freezes after a
 * crash stops petting, and the hardware resets the machine. When a shutdown
 * starts the timeout becomes shutdown_timeout and the petting stops, so a
 * shutdown that hangs ends in a reset too. Without a `watchdog` group
 * nothing is opened and no timer is armed: no wakeups.
 *
 * Nothing here blocks: the device node may appear a moment after its
 * driver's module loads, so a missing node is retried from a loop timer
 * for WATCHDOG_OPEN_WAIT_USEC rather than waited for. Not as PID 1 it works
 * the same when configured; a path that is not a watchdog is reported and
 * left closed, and initd runs on. doc/DESIGN.md, "The hardware watchdog".
 */
#ifndef INITD_WATCHDOG_H
#define INITD_WATCHDOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "initd/loop.h"
#include "units/unit.h"

#define WATCHDOG_OPEN_WAIT_USEC  (5 * USEC_PER_SEC)    /* for the node to appear */
#define WATCHDOG_OPEN_RETRY_USEC (100 * USEC_PER_MSEC)
#define WATCHDOG_PETS_PER_TIMEOUT 4   /* a pet every timeout/4: TCG is slow */

struct watchdog;

enum watchdog_state {
	WATCHDOG_OFF,        /* not configured (or disarmed by a reload) */
	WATCHDOG_OPENING,    /* waiting for the device node */
	WATCHDOG_ARMED,      /* open, petted from the loop */
	WATCHDOG_FAILING,    /* open, but its keepalive fails: the hardware counts
	                      * down to a reset; tried again at every pet */
	WATCHDOG_SHUTDOWN,   /* shutdown_timeout set, no more pets */
	WATCHDOG_FAILED,     /* could not be opened or is not a watchdog */
	WATCHDOG_STATE_MAX,
};

/* What `svctl show-system` shows. Strings point into the watchdog (valid
 * until its next change); device is NULL when off. */
struct watchdog_status {
	enum watchdog_state state;
	const char *device;
	const char *error;        /* why FAILED or FAILING, or "" */
	unsigned timeout_sec;     /* what the hardware took; 0 = not known */
	unsigned asked_sec;       /* what initd.conf asked */
	uint64_t last_pet;        /* CLOCK_MONOTONIC usec, 0 = never */
	uint64_t pets;
	bool nowayout;            /* the driver cannot be stopped */
};

/* A watchdog that does nothing until watchdog_apply. 0 or -ENOMEM. */
int watchdog_new(struct loop *l, struct watchdog **ret);
/* Disarm (the magic close) and free; for initd's own exit when not PID 1.
 * Accepts NULL. */
void watchdog_free(struct watchdog *w);

/* Make the running watchdog what conf says: open it, change its timeout,
 * move to another device, or disarm it (conf->device NULL). Errors are
 * logged and kept for watchdog_get_status. Ignored once a shutdown started. */
void watchdog_apply(struct watchdog *w, const struct unit_watchdog *conf);

/* A shutdown started: set shutdown_timeout, pet once, stop petting. If the
 * hardware refuses that timeout, petting goes on (the loop still bounds the
 * shutdown with initd.conf's own shutdown_timeout). */
void watchdog_shutdown(struct watchdog *w);

/* The final phase (boot_final, which never returns to the loop): a pet
 * when one is due, if the watchdog is still petted (armed with the running
 * timeout: the hardware refused the shutdown timeout). Once the shutdown
 * timeout took, the hardware bounds the end: no pet. Accepts NULL. */
void watchdog_pet_final(struct watchdog *w);

/* A halt or power-off at its very end (boot_final, after the last sync):
 * disarm with the magic close, so that the shutdown timeout does not reset
 * a machine asked to stay off (a nowayout driver cannot be stopped: said).
 * Accepts NULL. */
void watchdog_halting(struct watchdog *w);

/* The crash action poweroff (boot_crash), right before reboot(2): the
 * device stopped (WDIOS_DISABLECARD, then the magic close), so that a
 * board that halts where it cannot power off is not reset and booted
 * again. Async-signal-safe: it reads only what the open left for it. 0
 * (the card disabled), 1 (only the magic close went: a driver without
 * WDIOC_SETOPTIONS stops on it, or not), -ENODEV (none open), -EBUSY
 * (nowayout: it cannot be stopped), -errno.
 * The other crash actions leave it running (boot.c says why). The crash
 * path's alone: the fd is closed under the struct watchdog, which nothing
 * may use after. */
int watchdog_crash_disarm(void);

void watchdog_get_status(const struct watchdog *w, struct watchdog_status *ret);

/* Where sysfs shows the nowayout flag of the watchdog device rdev: its own
 * directory for /dev/watchdogN; for the legacy /dev/watchdog (misc 10:130,
 * which has no such attribute) watchdog0's, whose alias it is. Exposed for
 * tests. */
#define WATCHDOG_LEGACY_MAJOR 10
#define WATCHDOG_LEGACY_MINOR 130
void watchdog_nowayout_path(dev_t rdev, char *buf, size_t size);
const char *watchdog_state_to_string(enum watchdog_state s);

#endif

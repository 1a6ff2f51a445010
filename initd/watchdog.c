/* watchdog.c — the hardware watchdog: open, set the timeout, pet from the
 * loop, switch to the shutdown timeout, disarm. See watchdog.h. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <linux/watchdog.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/util.h"
#include "initd/log.h"
#include "initd/watchdog.h"

struct watchdog {
	struct loop *loop;
	struct loop_timer timer;      /* the next pet, or the next open attempt */
	enum watchdog_state state;
	char *device;                 /* NULL when off */
	uint64_t timeout_usec;        /* asked: running, then at shutdown */
	uint64_t shutdown_timeout_usec;
	int fd;
	unsigned timeout_sec;         /* what the hardware took */
	uint64_t open_deadline;       /* give up waiting for the node then */
	uint64_t last_pet;
	uint64_t pets;
	bool pet_failing;             /* logged once, until a pet works again */
	bool nowayout;
	bool shutting_down;
	char error[256];
};

/* The open device as the crash path reads it (watchdog_crash_disarm, from
 * a fault handler: no lock, no allocation): its fd, -1 for none, and its
 * nowayout flag. PID 1 has one watchdog. */
static volatile sig_atomic_t crash_fd = -1;
static volatile sig_atomic_t crash_nowayout;

static const char *const state_names[WATCHDOG_STATE_MAX] = {
	[WATCHDOG_OFF] = "off",
	[WATCHDOG_OPENING] = "opening",
	[WATCHDOG_ARMED] = "armed",
	[WATCHDOG_FAILING] = "failing",
	[WATCHDOG_SHUTDOWN] = "shutdown",
	[WATCHDOG_FAILED] = "failed",
};

const char *watchdog_state_to_string(enum watchdog_state s)
{
	return (unsigned)s < WATCHDOG_STATE_MAX ? state_names[s] : "?";
}

static void fail(struct watchdog *w, const char *fmt, ...) _printf_(2, 3);
static void fail(struct watchdog *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->error, sizeof(w->error), fmt, ap);
	va_end(ap);
	log_error("watchdog %s: %s; the machine is not guarded", w->device, w->error);
	w->state = WATCHDOG_FAILED;
	loop_timer_cancel(w->loop, &w->timer);
}

void watchdog_nowayout_path(dev_t rdev, char *buf, size_t size)
{
	if (major(rdev) == WATCHDOG_LEGACY_MAJOR && minor(rdev) == WATCHDOG_LEGACY_MINOR)
		snprintf(buf, size, "/sys/class/watchdog/watchdog0/nowayout");
	else
		snprintf(buf, size, "/sys/dev/char/%u:%u/nowayout", major(rdev), minor(rdev));
}

/* The driver's nowayout flag (closing cannot stop it), from sysfs; false
 * when it does not say. */
static bool read_nowayout(int fd)
{
	char path[64], c = '0';
	struct stat st;
	int sfd;

	if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode))
		return false;
	watchdog_nowayout_path(st.st_rdev, path, sizeof(path));
	sfd = open(path, O_RDONLY | O_CLOEXEC);
	if (sfd < 0)
		return false;
	if (read(sfd, &c, 1) != 1)
		c = '0';
	close(sfd);
	return c == '1';
}

/* Open and petted from the loop, whether the pets work or not. */
static bool petted(const struct watchdog *w)
{
	return w->state == WATCHDOG_ARMED || w->state == WATCHDOG_FAILING;
}

/* A keepalive refused leaves the hardware counting down to a reset:
 * FAILING, with why, for show-system (said once in the log, until a pet
 * works again), where "armed" and an ever older last pet hid it. The
 * timer goes on trying: the driver may take the next one. */
static void pet(struct watchdog *w)
{
	if (ioctl(w->fd, WDIOC_KEEPALIVE, 0) < 0) {
		snprintf(w->error, sizeof(w->error), "keepalive: %s", strerror(errno));
		if (!w->pet_failing)
			log_error("watchdog %s: %s; the hardware resets the machine within %us "
				  "unless a pet works again", w->device, w->error, w->timeout_sec);
		w->pet_failing = true;
		if (w->state == WATCHDOG_ARMED)
			w->state = WATCHDOG_FAILING;
		return;
	}
	if (w->pet_failing)
		log_notice("watchdog %s: keepalive works again", w->device);
	if (w->state == WATCHDOG_FAILING) {
		w->state = WATCHDOG_ARMED;
		w->error[0] = '\0';
	}
	w->pet_failing = false;
	w->last_pet = now_usec();
	w->pets++;
}

static uint64_t pet_every(const struct watchdog *w)
{
	return (uint64_t)w->timeout_sec * USEC_PER_SEC / WATCHDOG_PETS_PER_TIMEOUT;
}

static void arm_pet(struct watchdog *w)
{
	loop_timer_arm(w->loop, &w->timer, now_usec() + pet_every(w));
}

/* Ask the hardware for usec (whole seconds); it answers with what it set.
 * 0 or -errno. */
static int set_timeout(struct watchdog *w, uint64_t usec)
{
	int asked = (int)(usec / USEC_PER_SEC), t = asked;

	if (ioctl(w->fd, WDIOC_SETTIMEOUT, &t) < 0)
		return -errno;
	if (t != asked)
		log_notice("watchdog %s: the hardware rounded the timeout of %ds to %ds", w->device,
			   asked, t);
	w->timeout_sec = t > 0 ? (unsigned)t : 0;
	return 0;
}

static void close_fd(struct watchdog *w)
{
	if (w->fd >= 0 && crash_fd == w->fd)
		crash_fd = -1;
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
}

/* The device is open: set its timeout (or learn the one it keeps), then
 * pet it from now on. A device that answers neither is no watchdog. */
static void device_setup(struct watchdog *w)
{
	int r = set_timeout(w, w->timeout_usec), t = 0;

	if (r < 0 && ioctl(w->fd, WDIOC_GETTIMEOUT, &t) < 0) {
		close_fd(w);   /* not a watchdog: nothing to disarm */
		fail(w, "not a watchdog device (WDIOC_SETTIMEOUT: %s)", strerror(-r));
		return;
	}
	if (r < 0) {
		/* Open, so running: keep it petted at the timeout it keeps. */
		log_error("watchdog %s: the hardware refused a timeout of %llus (%s); it keeps %ds",
			  w->device, (unsigned long long)(w->timeout_usec / USEC_PER_SEC),
			  strerror(-r), t);
		w->timeout_sec = t > 0 ? (unsigned)t : 1;
	}
	w->nowayout = read_nowayout(w->fd);
	crash_nowayout = w->nowayout;
	crash_fd = w->fd;
	w->state = WATCHDOG_ARMED;
	w->error[0] = '\0';
	pet(w);
	arm_pet(w);
	log_info("watchdog %s: armed, timeout %us, a pet every %.2fs%s", w->device,
		 w->timeout_sec, (double)w->timeout_sec / WATCHDOG_PETS_PER_TIMEOUT,
		 w->nowayout ? " (nowayout: it cannot be stopped)" : "");
}

/* One attempt; a missing node is tried again from the loop until the
 * deadline (the driver's module may have just been loaded). */
static void device_open(struct watchdog *w)
{
	struct stat st;

	/* Only a device node, looked at before the open and after it (a
	 * FIFO's open would wait for a reader, PID 1 with it; O_NONBLOCK
	 * covers one swapped in between). */
	if (stat(w->device, &st) == 0 && !S_ISCHR(st.st_mode)) {
		fail(w, "not a watchdog device (not a character device)");
		return;
	}
	w->fd = open(w->device, O_WRONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (w->fd >= 0 && (fstat(w->fd, &st) < 0 || !S_ISCHR(st.st_mode))) {
		close_fd(w);
		fail(w, "not a watchdog device (not a character device)");
		return;
	}
	if (w->fd >= 0) {
		device_setup(w);
		return;
	}
	if (errno == ENOENT && now_usec() < w->open_deadline) {
		w->state = WATCHDOG_OPENING;
		loop_timer_arm(w->loop, &w->timer, now_usec() + WATCHDOG_OPEN_RETRY_USEC);
		return;
	}
	if (errno == ENOENT)
		fail(w, "no such device (waited %llus for it)",
		     (unsigned long long)(WATCHDOG_OPEN_WAIT_USEC / USEC_PER_SEC));
	else
		fail(w, "cannot open: %s", strerror(errno));
}

static void timer_fired(struct loop *l, void *data)
{
	struct watchdog *w = data;

	if (w->state == WATCHDOG_OPENING) {
		device_open(w);
	} else if (petted(w)) {
		pet(w);
		arm_pet(w);
	}
}

/* The magic close: a 'V' written just before close(2) stops a driver that
 * honours it; a nowayout driver runs on, and says so. */
static void disarm(struct watchdog *w)
{
	loop_timer_cancel(w->loop, &w->timer);
	if (w->fd >= 0) {
		if (w->nowayout)
			log_warn("watchdog %s: the driver is nowayout: closing does not stop it, "
				 "the machine resets within %us", w->device, w->timeout_sec);
		else if (write(w->fd, "V", 1) != 1)
			log_warn("watchdog %s: magic close: %s", w->device, strerror(errno));
		else
			log_info("watchdog %s: disarmed", w->device);
	}
	close_fd(w);
	free(w->device);
	w->device = NULL;
	w->state = WATCHDOG_OFF;
	w->timeout_sec = 0;
	/* The pets were that device's: shown beside the next one (a path
	 * that is no watchdog, failed), they would say it was petted. */
	w->last_pet = 0;
	w->pets = 0;
	w->error[0] = '\0';
}

int watchdog_new(struct loop *l, struct watchdog **ret)
{
	struct watchdog *w = calloc(1, sizeof(*w));

	if (!w)
		return -ENOMEM;
	w->loop = l;
	w->fd = -1;
	loop_timer_init(&w->timer, timer_fired, w);
	*ret = w;
	return 0;
}

void watchdog_pet_final(struct watchdog *w)
{
	if (w && petted(w) && now_usec() - w->last_pet >= pet_every(w))
		pet(w);
}

void watchdog_halting(struct watchdog *w)
{
	if (w)
		disarm(w);
}

int watchdog_crash_disarm(void)
{
	int fd = crash_fd, off = WDIOS_DISABLECARD, r = 0;
	bool stopped;

	if (fd < 0)
		return -ENODEV;
	if (crash_nowayout)
		return -EBUSY;
	crash_fd = -1;
	/* Stopped now, whoever else holds the device; the magic close too,
	 * for a driver that has no WDIOC_SETOPTIONS but stops on it. */
	stopped = ioctl(fd, WDIOC_SETOPTIONS, &off) == 0;
	if (write(fd, "V", 1) != 1)
		r = stopped ? 0 : -errno;
	else
		r = stopped ? 0 : 1;   /* the close alone: whether it stops, the driver's */
	close(fd);
	return r;
}

void watchdog_free(struct watchdog *w)
{
	if (!w)
		return;
	disarm(w);
	free(w);
}

/* A new device (or the first): from scratch. */
static void watchdog_start(struct watchdog *w, const struct unit_watchdog *conf)
{
	w->device = strdup(conf->device);
	if (!w->device) {
		log_error("watchdog %s: out of memory; the machine is not guarded", conf->device);
		return;
	}
	w->timeout_usec = conf->timeout_usec;
	w->shutdown_timeout_usec = conf->shutdown_timeout_usec;
	w->open_deadline = now_usec() + WATCHDOG_OPEN_WAIT_USEC;
	device_open(w);
}

/* The same device, maybe another timeout. */
static void watchdog_retune(struct watchdog *w, const struct unit_watchdog *conf)
{
	int r;

	w->shutdown_timeout_usec = conf->shutdown_timeout_usec;
	if (conf->timeout_usec == w->timeout_usec)
		return;
	w->timeout_usec = conf->timeout_usec;
	if (!petted(w))
		return;   /* still opening: the new value is what it will ask */
	r = set_timeout(w, conf->timeout_usec);
	if (r < 0)
		log_error("watchdog %s: the hardware refused a timeout of %llus (%s); it keeps %us",
			  w->device, (unsigned long long)(conf->timeout_usec / USEC_PER_SEC),
			  strerror(-r), w->timeout_sec);
	else
		log_info("watchdog %s: timeout now %us", w->device, w->timeout_sec);
	pet(w);
	arm_pet(w);
}

void watchdog_apply(struct watchdog *w, const struct unit_watchdog *conf)
{
	if (w->shutting_down)
		return;
	if (w->device && conf->device && strcmp(w->device, conf->device) == 0 &&
	    w->state != WATCHDOG_FAILED) {
		watchdog_retune(w, conf);
		return;
	}
	/* Off, another device, or a failed one to try again. */
	if (w->device && w->nowayout && w->fd >= 0) {
		/* Closing it would leave it counting down with nobody to pet
		 * it: removed or moved to another device, it keeps this one. */
		log_warn("watchdog %s: the driver is nowayout and cannot be stopped; "
			 "initd keeps petting it%s", w->device,
			 conf->device ? " (restart initd to move to another device)" : "");
		return;
	}
	disarm(w);
	if (conf->device)
		watchdog_start(w, conf);
}

void watchdog_shutdown(struct watchdog *w)
{
	int r;

	if (w->shutting_down)
		return;
	w->shutting_down = true;
	if (w->state == WATCHDOG_OPENING) {
		loop_timer_cancel(w->loop, &w->timer);
		w->state = WATCHDOG_FAILED;
		snprintf(w->error, sizeof(w->error), "a shutdown started before it appeared");
	}
	if (!petted(w))
		return;
	r = set_timeout(w, w->shutdown_timeout_usec);
	if (r < 0) {
		log_error("watchdog %s: the hardware refused the shutdown timeout of %llus (%s); "
			  "petting on during the shutdown", w->device,
			  (unsigned long long)(w->shutdown_timeout_usec / USEC_PER_SEC), strerror(-r));
		return;
	}
	pet(w);
	loop_timer_cancel(w->loop, &w->timer);
	w->state = WATCHDOG_SHUTDOWN;
	log_info("watchdog %s: shutting down: timeout %us, no more pets", w->device,
		 w->timeout_sec);
}

void watchdog_get_status(const struct watchdog *w, struct watchdog_status *ret)
{
	*ret = (struct watchdog_status){
		.state = w->state,
		.device = w->device,
		.error = w->error,
		.timeout_sec = w->fd >= 0 ? w->timeout_sec : 0,
		.asked_sec = w->device ? (unsigned)(w->timeout_usec / USEC_PER_SEC) : 0,
		.last_pet = w->last_pet,
		.pets = w->pets,
		.nowayout = w->nowayout,
	};
}

/* notifyd.c — the demo's notify service (units/notify.unit): does some
 * setup, tells initd it is ready through libsystemd's sd_notify(3), then
 * reports its progress in STATUS= lines, as a real daemon would.
 * Built by examples/demo/demo.mk (dynamic, with libsystemd) into the image
 * as /usr/sbin/notifyd; mkimage copies libsystemd and its libraries in. */
#include <stdio.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

int main(void)
{
	unsigned long n;

	printf("notifyd: setting up (2 s)\n");
	fflush(stdout);
	sleep(2);   /* the setup a real daemon does before it can serve */
	if (sd_notify(0, "READY=1\nSTATUS=ready, 0 jobs done") <= 0)
		fprintf(stderr, "notifyd: sd_notify failed or NOTIFY_SOCKET unset\n");
	printf("notifyd: ready\n");
	fflush(stdout);
	for (n = 1;; n++) {
		sleep(5);
		sd_notifyf(0, "STATUS=ready, %lu jobs done", n);
	}
}

/* timers.h — for a unit test linked with --wrap=loop_timer_arm
 * (tests/tests.mk): while timers_fail is set, a timer arm fails as it does
 * without memory for the loop's timer heap to grow. Included by one file
 * of each test binary. */
#ifndef TESTS_TIMERS_H
#define TESTS_TIMERS_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "initd/loop.h"

int __real_loop_timer_arm(struct loop *l, struct loop_timer *t, uint64_t deadline);
int __wrap_loop_timer_arm(struct loop *l, struct loop_timer *t, uint64_t deadline);
static bool timers_fail;

int __wrap_loop_timer_arm(struct loop *l, struct loop_timer *t, uint64_t deadline)
{
	if (timers_fail)
		return -ENOMEM;
	return __real_loop_timer_arm(l, t, deadline);
}

#endif

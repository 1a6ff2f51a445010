/* test_pidmap.c — the index of main processes: lookups, a reused PID, a
 * deletion's backward shift (checked against a plain array through tens
 * of thousands of random operations, runs of PIDs and wrap-arounds
 * included), growth and a growth without memory, and that nothing is
 * found after a free. */
#include <check.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "initd/pidmap.h"

#define PIDS 40000
#define CAP_MIN 128   /* pidmap.c's PIDMAP_CAP_MIN: the table's least size */

/* Linked with --wrap=nofork_alloc (tests/tests.mk): the next allocation
 * fails when fail_next is set. */
void *__real_nofork_alloc(size_t size);
void *__wrap_nofork_alloc(size_t size);
static bool fail_next;

void *__wrap_nofork_alloc(size_t size)
{
	if (fail_next) {
		fail_next = false;
		errno = ENOMEM;
		return NULL;
	}
	return __real_nofork_alloc(size);
}

struct obj {
	int other;      /* the key is not first in its object */
	pid_t pid;
};

static struct pidmap new_map(void)
{
	return PIDMAP_INIT(offsetof(struct obj, pid));
}

START_TEST(add_get_del_and_refusals)
{
	struct pidmap pm = new_map();
	struct obj a = { .pid = 5 }, b = { .pid = 5 }, zero = { .pid = 0 }, neg = { .pid = -3 };

	ck_assert_ptr_null(pidmap_get(&pm, 5));   /* empty: no table yet */
	pidmap_del(&pm, &a);                      /* a no-op */
	ck_assert_int_eq(pidmap_add(&pm, &zero), -EINVAL);
	ck_assert_int_eq(pidmap_add(&pm, &neg), -EINVAL);
	ck_assert_int_eq(pidmap_add(&pm, &a), 0);
	ck_assert_ptr_eq(pidmap_get(&pm, 5), &a);
	ck_assert_ptr_null(pidmap_get(&pm, 6));
	ck_assert_ptr_null(pidmap_get(&pm, 0));
	ck_assert_int_eq(pidmap_add(&pm, &a), 0);   /* again: still one entry */
	ck_assert_uint_eq(pm.n, 1);
	ck_assert_int_eq(pidmap_add(&pm, &b), 0);   /* a reused PID: b's now */
	ck_assert_ptr_eq(pidmap_get(&pm, 5), &b);
	ck_assert_uint_eq(pm.n, 1);
	pidmap_del(&pm, &a);   /* not a's any more: b's entry stays */
	ck_assert_ptr_eq(pidmap_get(&pm, 5), &b);
	pidmap_del(&pm, &b);
	ck_assert_ptr_null(pidmap_get(&pm, 5));
	ck_assert_uint_eq(pm.n, 0);
	ck_assert_int_eq(pidmap_add(&pm, &a), 0);
	pidmap_free(&pm);
	ck_assert_ptr_null(pidmap_get(&pm, 5));
	ck_assert_uint_eq(pm.key_offset, offsetof(struct obj, pid));
	pidmap_free(&pm);   /* twice: harmless */
}
END_TEST

/* Every PID the reference has is found with its object, every other one
 * is not, and the table is never more than half full. */
static void check_against(const struct pidmap *pm, struct obj *const *ref)
{
	size_t n = 0;

	for (int pid = 1; pid < PIDS; pid++) {
		ck_assert_ptr_eq(pidmap_get(pm, pid), ref[pid]);
		n += ref[pid] != NULL;
	}
	ck_assert_uint_eq(pm->n, n);
	ck_assert_uint_le(pm->n * 2, pm->cap);
}

/* Objects move between PIDs as main processes do: out of the map, a new
 * key, back in; or out for good; or replaced by another with their key. */
START_TEST(random_operations_agree_with_an_array)
{
	static struct obj objs[PIDS];
	static struct obj *ref[PIDS];
	struct pidmap pm = new_map();
	unsigned seed = 19;

	for (int round = 0; round < 8; round++) {
		for (int k = 0; k < 20000; k++) {
			/* a run of neighbours half the time: PIDs come in runs */
			int pid = round % 2 ? 1 + rand_r(&seed) % (PIDS - 1)
					    : 1 + (round * 4099 + k) % (PIDS - 1);
			struct obj *o = &objs[rand_r(&seed) % PIDS];

			if (rand_r(&seed) % 3 == 0) {
				if (ref[pid]) {
					pidmap_del(&pm, ref[pid]);
					ref[pid]->pid = 0;
					ref[pid] = NULL;
				}
				continue;
			}
			if (o->pid > 0) {   /* o leaves its old PID first */
				pidmap_del(&pm, o);   /* a no-op if o was replaced */
				if (ref[o->pid] == o)
					ref[o->pid] = NULL;
			}
			/* The PID's old object, if any, keeps its key and is
			 * replaced: a unit whose PID was reused before its
			 * end was seen. */
			o->pid = pid;
			ck_assert_int_eq(pidmap_add(&pm, o), 0);
			ref[pid] = o;
		}
		check_against(&pm, ref);
	}
	/* Everything out again, in an order of its own. */
	for (int pid = PIDS - 1; pid > 0; pid -= 2) {
		if (ref[pid])
			pidmap_del(&pm, ref[pid]);
		ref[pid] = NULL;
	}
	check_against(&pm, ref);
	for (int pid = 1; pid < PIDS; pid++) {
		if (ref[pid])
			pidmap_del(&pm, ref[pid]);
		ref[pid] = NULL;
	}
	check_against(&pm, ref);
	ck_assert_uint_eq(pm.n, 0);
	ck_assert_uint_eq(pm.cap, CAP_MIN);   /* it shrank back */
	pidmap_free(&pm);
}
END_TEST

/* Keys whose homes collide at the table's end wrap to its start; deleting
 * the first of them must pull the wrapped ones back, or they are lost. */
START_TEST(a_deletion_pulls_back_a_run_that_wrapped)
{
	struct pidmap pm = new_map();
	struct obj first = { .pid = 1 }, o[8];
	int n = 0;

	ck_assert_int_eq(pidmap_add(&pm, &first), 0);   /* the table exists */
	/* PIDs whose home is the last slot (pidmap.c's hash: the top bits) */
	for (int pid = 2; n < 8 && pid < 1000000; pid++)
		if ((((uint32_t)pid * 2654435761u) >> (32 - __builtin_ctzl(pm.cap))) == pm.cap - 1)
			o[n++] = (struct obj){ .pid = pid };
	ck_assert_int_eq(n, 8);
	for (int i = 0; i < 8; i++)
		ck_assert_int_eq(pidmap_add(&pm, &o[i]), 0);
	ck_assert_ptr_eq(pm.slot[pm.cap - 1], &o[0]);   /* their home */
	ck_assert_ptr_nonnull(pm.slot[0]);   /* the run wrapped: the test tests */
	for (int i = 0; i < 8; i++) {
		pidmap_del(&pm, &o[i]);
		ck_assert_ptr_null(pidmap_get(&pm, o[i].pid));
		for (int j = i + 1; j < 8; j++)
			ck_assert_ptr_eq(pidmap_get(&pm, o[j].pid), &o[j]);
	}
	ck_assert_ptr_eq(pidmap_get(&pm, 1), &first);
	pidmap_free(&pm);
}
END_TEST

/* A growth without memory leaves the table as it was: every object still
 * found; the same add works once memory is back. */
START_TEST(a_failed_growth_loses_nothing)
{
	static struct obj o[PIDS];
	struct pidmap pm = new_map();
	size_t cap;
	int i = 0;

	do {   /* to half full: the next add must grow the table */
		o[i].pid = 1000 + 7 * i;
		ck_assert_int_eq(pidmap_add(&pm, &o[i]), 0);
		i++;
	} while ((pm.n + 1) * 2 <= pm.cap);
	cap = pm.cap;
	o[i].pid = 1000 + 7 * i;
	fail_next = true;
	ck_assert_int_eq(pidmap_add(&pm, &o[i]), -ENOMEM);
	ck_assert_uint_eq(pm.cap, cap);
	ck_assert_uint_eq(pm.n, (size_t)i);
	ck_assert_ptr_null(pidmap_get(&pm, o[i].pid));
	for (int j = 0; j < i; j++)
		ck_assert_ptr_eq(pidmap_get(&pm, o[j].pid), &o[j]);
	ck_assert_int_eq(pidmap_add(&pm, &o[i]), 0);
	ck_assert_uint_eq(pm.cap, 2 * cap);
	for (int j = 0; j <= i; j++)
		ck_assert_ptr_eq(pidmap_get(&pm, o[j].pid), &o[j]);
	pidmap_free(&pm);
}
END_TEST

/* Deletions that leave the table an eighth full halve it, each shrink
 * keeping every object; a shrink without memory keeps the larger table,
 * and the next deletion tries again. */
START_TEST(an_emptied_table_shrinks)
{
	static struct obj o[4096];
	struct pidmap pm = new_map();
	size_t cap;
	int n = 4096;

	for (int i = 0; i < n; i++) {
		o[i].pid = 300 + 3 * i;
		ck_assert_int_eq(pidmap_add(&pm, &o[i]), 0);
	}
	cap = pm.cap;
	ck_assert_uint_eq(cap, 8192);   /* exactly half full */
	while (pm.n * 8 >= cap + 8)   /* to just above an eighth */
		pidmap_del(&pm, &o[--n]);
	ck_assert_uint_eq(pm.cap, cap);
	fail_next = true;
	pidmap_del(&pm, &o[--n]);   /* an eighth: the shrink fails */
	ck_assert_uint_eq(pm.cap, cap);
	ck_assert_uint_eq(pm.n, (size_t)n);
	pidmap_del(&pm, &o[--n]);
	ck_assert_uint_eq(pm.cap, cap / 2);
	ck_assert_uint_le(pidmap_footprint(&pm), cap / 2 * sizeof(void *) + 4096);
	for (int j = 0; j < 4096; j++)
		ck_assert_ptr_eq(pidmap_get(&pm, o[j].pid), j < n ? &o[j] : NULL);
	while (n > 0)
		pidmap_del(&pm, &o[--n]);
	ck_assert_uint_eq(pm.cap, CAP_MIN);
	ck_assert_uint_eq(pm.n, 0);
	pidmap_free(&pm);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pidmap");
	TCase *tc = tcase_create("index");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, add_get_del_and_refusals);
	tcase_add_test(tc, random_operations_agree_with_an_array);
	tcase_add_test(tc, a_deletion_pulls_back_a_run_that_wrapped);
	tcase_add_test(tc, a_failed_growth_loses_nothing);
	tcase_add_test(tc, an_emptied_table_shrinks);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}

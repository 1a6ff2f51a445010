/* test_pidmap.c — the index of main processes: lookups, overwrites, a
 * deletion's backward shift (checked against a plain array through tens
 * of thousands of random operations, runs of PIDs and wrap-arounds
 * included), growth, and that nothing is found after a free. */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "initd/pidmap.h"

#define PIDS 40000

static int tag[PIDS];   /* value i of the reference: &tag[i] */

START_TEST(set_get_overwrite_and_refusals)
{
	struct pidmap pm = { 0 };
	int a, b;

	ck_assert_ptr_null(pidmap_get(&pm, 5));   /* empty: no table yet */
	pidmap_del(&pm, 5, &a);                   /* a no-op */
	ck_assert_int_eq(pidmap_set(&pm, 0, &a), -EINVAL);
	ck_assert_int_eq(pidmap_set(&pm, -3, &a), -EINVAL);
	ck_assert_int_eq(pidmap_set(&pm, 5, &a), 0);
	ck_assert_ptr_eq(pidmap_get(&pm, 5), &a);
	ck_assert_ptr_null(pidmap_get(&pm, 6));
	ck_assert_ptr_null(pidmap_get(&pm, 0));
	ck_assert_int_eq(pidmap_set(&pm, 5, &b), 0);   /* a reused PID */
	ck_assert_ptr_eq(pidmap_get(&pm, 5), &b);
	ck_assert_uint_eq(pm.n, 1);
	pidmap_del(&pm, 5, &a);   /* not a's any more: b's entry stays */
	ck_assert_ptr_eq(pidmap_get(&pm, 5), &b);
	pidmap_del(&pm, 5, &b);
	ck_assert_ptr_null(pidmap_get(&pm, 5));
	ck_assert_uint_eq(pm.n, 0);
	pidmap_free(&pm);
	ck_assert_ptr_null(pidmap_get(&pm, 5));
	pidmap_free(&pm);   /* twice: harmless */
}
END_TEST

/* Every PID the reference has is found with its value, every other one
 * is not, and the table is never more than half full. */
static void check_against(const struct pidmap *pm, void *const *ref)
{
	size_t n = 0;

	for (int pid = 1; pid < PIDS; pid++) {
		ck_assert_ptr_eq(pidmap_get(pm, pid), ref[pid]);
		n += ref[pid] != NULL;
	}
	ck_assert_uint_eq(pm->n, n);
	ck_assert_uint_le(pm->n * 2, pm->cap);
}

START_TEST(random_operations_agree_with_an_array)
{
	static void *ref[PIDS];
	struct pidmap pm = { 0 };
	unsigned seed = 19;

	for (int round = 0; round < 8; round++) {
		for (int k = 0; k < 20000; k++) {
			/* a run of neighbours half the time: PIDs come in runs */
			int pid = round % 2 ? 1 + rand_r(&seed) % (PIDS - 1)
					    : 1 + (round * 4099 + k) % (PIDS - 1);
			int v = rand_r(&seed) % PIDS;

			if (rand_r(&seed) % 3 == 0) {
				pidmap_del(&pm, pid, ref[pid]);
				ref[pid] = NULL;
			} else {
				ck_assert_int_eq(pidmap_set(&pm, pid, &tag[v]), 0);
				ref[pid] = &tag[v];
			}
		}
		check_against(&pm, ref);
	}
	/* Everything out again, in an order of its own. */
	for (int pid = PIDS - 1; pid > 0; pid -= 2) {
		pidmap_del(&pm, pid, ref[pid]);
		ref[pid] = NULL;
	}
	check_against(&pm, ref);
	for (int pid = 1; pid < PIDS; pid++) {
		pidmap_del(&pm, pid, ref[pid]);
		ref[pid] = NULL;
	}
	check_against(&pm, ref);
	ck_assert_uint_eq(pm.n, 0);
	pidmap_free(&pm);
}
END_TEST

/* Keys whose homes collide at the table's end wrap to its start; deleting
 * the first of them must pull the wrapped ones back, or they are lost. */
START_TEST(a_deletion_pulls_back_a_run_that_wrapped)
{
	struct pidmap pm = { 0 };
	int home_last[8], n = 0;

	ck_assert_int_eq(pidmap_set(&pm, 1, &tag[1]), 0);   /* the table exists */
	for (int pid = 2; n < 8 && pid < 1000000; pid++)
		if ((((uint32_t)pid * 2654435761u) & (uint32_t)(pm.cap - 1)) == pm.cap - 1)
			home_last[n++] = pid;
	ck_assert_int_eq(n, 8);
	for (int i = 0; i < 8; i++)
		ck_assert_int_eq(pidmap_set(&pm, home_last[i], &tag[i + 2]), 0);
	for (int i = 0; i < 8; i++) {
		pidmap_del(&pm, home_last[i], &tag[i + 2]);
		ck_assert_ptr_null(pidmap_get(&pm, home_last[i]));
		for (int j = i + 1; j < 8; j++)
			ck_assert_ptr_eq(pidmap_get(&pm, home_last[j]), &tag[j + 2]);
	}
	ck_assert_ptr_eq(pidmap_get(&pm, 1), &tag[1]);
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
	tcase_add_test(tc, set_get_overwrite_and_refusals);
	tcase_add_test(tc, random_operations_agree_with_an_array);
	tcase_add_test(tc, a_deletion_pulls_back_a_run_that_wrapped);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}

/* fuzz_unitset.c — unit_set_decode, the bytes PID 1 receives from the
 * unit loader (initd/loader.c). The loader is a child that may have died
 * half-way or been corrupted: the decoder must trust nothing. Inputs that
 * start with the lone-unit magic go to unit_decode (what svctl show gets
 * from PID 1), and what decodes is dumped: the dump trusts the decoder.
 *
 * Properties: no crash, leak or read past the buffer; a set that decodes
 * meets every invariant (set_check_invariants, unit_set_order succeeds),
 * and its encoding is canonical: encode(decode(x)) decodes to an equal set
 * whose encoding is byte-for-byte the same. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz.h"
#include "units/internal.h"

static void assert_sets_equal(const struct unit_set *a, const struct unit_set *b)
{
	FUZZ_ASSERT(initd_conf_equal(&a->conf, &b->conf));
	FUZZ_ASSERT(a->n_units == b->n_units);
	for (size_t i = 0; i < a->n_units; i++)
		FUZZ_ASSERT(unit_equal(a->units[i], b->units[i]));
	FUZZ_ASSERT(a->diags.n == b->diags.n);
}

/* A lone unit (unit_decode): decodes or is refused; what decodes dumps,
 * and encodes back to what decodes again. */
static int lone_unit(const uint8_t *data, size_t size)
{
	struct unit *u = NULL, *back = NULL;
	FILE *null = fopen("/dev/null", "we");
	void *buf = NULL;
	size_t len;
	int r = unit_decode(data, size, &u);

	if (r < 0) {
		FUZZ_ASSERT(r == -EBADMSG || r == -EPROTONOSUPPORT || r == -EFBIG || r == -ENOMEM);
		FUZZ_ASSERT(u == NULL);
	} else {
		FUZZ_ASSERT(null && unit_dump(u, null) == 0);
		FUZZ_ASSERT(unit_encode(u, &buf, &len) == 0);
		FUZZ_ASSERT(unit_decode(buf, len, &back) == 0);
		FUZZ_ASSERT(unit_equal(u, back));
	}
	if (null)
		fclose(null);
	free(buf);
	unit_free(back);
	unit_free(u);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct unit_set *s = NULL, *back = NULL;
	void *buf1 = NULL, *buf2 = NULL;
	size_t len1, len2, *order;
	int r;

	if (size >= 4 && memcmp(data, "iuun", 4) == 0)
		return lone_unit(data, size);
	r = unit_set_decode(data, size, &s);
	if (r < 0) {
		FUZZ_ASSERT(r == -EBADMSG || r == -EPROTONOSUPPORT || r == -EFBIG || r == -ENOMEM);
		FUZZ_ASSERT(s == NULL);
		return 0;
	}
	FUZZ_ASSERT(set_check_invariants(s) == 0);
	order = malloc((s->n_units + 1) * sizeof(*order));
	FUZZ_ASSERT(order);
	FUZZ_ASSERT(unit_set_order(s, order) == 0);
	free(order);

	for (size_t i = 0; i < s->n_units; i++) {
		FUZZ_ASSERT(unit_encode(s->units[i], &buf1, &len1) == 0);
		lone_unit(buf1, len1);
		free(buf1);
	}
	FUZZ_ASSERT(unit_set_encode(s, &buf1, &len1) == 0);
	FUZZ_ASSERT(unit_set_decode(buf1, len1, &back) == 0);
	assert_sets_equal(s, back);
	FUZZ_ASSERT(unit_set_encode(back, &buf2, &len2) == 0);
	FUZZ_ASSERT(len1 == len2 && memcmp(buf1, buf2, len1) == 0);
	free(buf1);
	free(buf2);
	unit_set_free(back);
	unit_set_free(s);
	return 0;
}

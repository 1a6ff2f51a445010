/* test_clean.c — svctl's cleaning of text from initd for a terminal
 * (svctl/clean.c): control characters and bytes that are not UTF-8 as
 * '?', and the same for output that comes in chunks cut at any byte. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "svctl/clean.h"

/* What print_clean_n makes of s[0..n), in a malloc'd string. */
static char *cleaned(const char *s, size_t n, const char *keep)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	ck_assert_ptr_nonnull(f);
	print_clean_n(f, s, n, keep);
	fclose(f);
	return out;
}

/* The same through clean_stream_write, s cut at every byte in cuts. */
static char *cleaned_in_chunks(const char *s, size_t n, const size_t *cuts, size_t n_cuts,
			       const char *keep)
{
	struct clean_stream cs = { .n = 0 };
	char *out = NULL;
	size_t len = 0, at = 0;
	FILE *f = open_memstream(&out, &len);

	ck_assert_ptr_nonnull(f);
	for (size_t i = 0; i <= n_cuts; i++) {
		size_t end = i < n_cuts ? cuts[i] : n;

		clean_stream_write(f, &cs, s + at, end - at, keep);
		at = end;
	}
	clean_stream_end(f, &cs, keep);
	fclose(f);
	return out;
}

static const char text[] =
	"ok \xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 tab\there\n"   /* é € 😀 */
	"\x1b[31mred\x1b[0m \r\xc2\x9b" "31m \x9b \xff \xc0\x80 \xed\xa0\x80\x7f end"
	"\xe2\x82";   /* a sequence the text itself cuts */

START_TEST(test_controls_and_bad_bytes_are_marked)
{
	_cleanup_free_ char *out = cleaned(text, sizeof(text) - 1, "\n\t");

	ck_assert_str_eq(out,
		"ok \xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 tab\there\n"
		"?[31mred?[0m ??31m ? ? ?? ???? end??");
}
END_TEST

/* Characters that reorder what a terminal shows: the bidi marks,
 * overrides and isolates (U+200E/F, U+202A-202E, U+2066-2069, U+061C) and
 * the Unicode line and paragraph separators (U+2028, U+2029): a service's
 * line could display in an order that lies. Each as one '?'. The joiners
 * (U+200C/D: emoji sequences, Persian text) and other invisible
 * characters are text. */
START_TEST(test_format_characters_are_marked)
{
	static const char in[] = "a\xe2\x80\xae" "b\xe2\x81\xa6" "c\xd8\x9c" "d\xe2\x80\x8e"
				 "e\xe2\x81\xa9" "f\xe2\x80\xaa" "g\xe2\x80\xa8" "h\xe2\x80\xa9"
				 "i\xe2\x80\x8f" "j\xe2\x80\x8d" "k\xe2\x80\x8c" "l\xe2\x80\x90" "m";
	_cleanup_free_ char *out = cleaned(in, sizeof(in) - 1, "\n\t");

	ck_assert_str_eq(out, "a?b?c?d?e?f?g?h?i?j\xe2\x80\x8dk\xe2\x80\x8cl\xe2\x80\x90m");
}
END_TEST

/* However initd's replies cut the output, the terminal sees the same. */
START_TEST(test_chunks_cut_anywhere_print_the_same)
{
	const size_t n = sizeof(text) - 1;
	_cleanup_free_ char *whole = cleaned(text, n, "\n\t");

	for (size_t a = 0; a <= n; a++) {
		size_t one[] = { a };
		_cleanup_free_ char *out = cleaned_in_chunks(text, n, one, 1, "\n\t");

		ck_assert_msg(!strcmp(out, whole), "cut at %zu: '%s'", a, out);
	}
	for (size_t a = 0; a + 2 <= n; a++) {   /* two cuts a byte apart */
		size_t two[] = { a, a + 1 };
		_cleanup_free_ char *out = cleaned_in_chunks(text, n, two, 2, "\n\t");

		ck_assert_msg(!strcmp(out, whole), "cuts at %zu, %zu: '%s'", a, a + 1, out);
	}
	size_t every[sizeof(text)];
	for (size_t i = 0; i + 1 < n; i++)
		every[i] = i + 1;
	_cleanup_free_ char *bytes = cleaned_in_chunks(text, n, every, n - 1, "\n\t");
	ck_assert_str_eq(bytes, whole);
}
END_TEST

static Suite *clean_suite(void)
{
	Suite *s = suite_create("clean");
	TCase *tc = tcase_create("clean");

	tcase_add_test(tc, test_controls_and_bad_bytes_are_marked);
	tcase_add_test(tc, test_format_characters_are_marked);
	tcase_add_test(tc, test_chunks_cut_anywhere_print_the_same);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(clean_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

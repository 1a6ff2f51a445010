/* fuzz.h — what the fuzz targets share (tests/fuzz/README.md).
 *
 * Each fuzz_TARGET.c defines LLVMFuzzerTestOneInput. It is linked either with
 * libFuzzer (clang -fsanitize=fuzzer: `make fuzz`) or with driver.c, a small
 * main() that replays corpus files (gcc or clang with ASan+UBSan: `make
 * check`). A property that does not hold calls FUZZ_ASSERT, which prints
 * what broke and aborts, so both builds report it as a crash. */
#ifndef INITD_TESTS_FUZZ_H
#define INITD_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #cond); \
		abort(); \
	} \
} while (0)

/* data as a NUL-terminated string (cut at its first NUL, as a file with a
 * NUL byte never reaches libconfig: source_read refuses it). Caller frees;
 * NULL on ENOMEM. */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	size_t i;

	if (!s)
		return NULL;
	for (i = 0; i < size && data[i]; i++)
		s[i] = (char)data[i];
	s[i] = '\0';
	return s;
}

#endif

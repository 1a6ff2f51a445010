/* fuzz_elf.c — one file through elf_deps_parse_buffer, the ELF reader the
 * spawned child runs on every from_host file and library (common/elfdeps.h).
 *
 * Properties: no crash, leak or read past the buffer (which the reader must
 * never trust); the result is 0 or -ENOEXEC (no other error from a buffer);
 * on success every name is a terminated string, non-empty, under the
 * limit, the interpreter absolute, the needed list bounded; a file that is
 * not loadable needs nothing. */
#include <errno.h>
#include <string.h>

#include "common/elfdeps.h"
#include "tests/fuzz/fuzz.h"

static void check_name(const char *s)
{
	size_t n = strnlen(s, ELFDEPS_PATH_MAX);

	FUZZ_ASSERT(n > 0 && n < ELFDEPS_PATH_MAX);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elf_deps d;
	size_t n = 0;
	int r;

	r = elf_deps_parse_buffer(data, size, &d);
	FUZZ_ASSERT(r == 0 || r == -ENOEXEC);
	if (r < 0)
		return 0;
	FUZZ_ASSERT(d.needed);
	if (!d.loadable)
		FUZZ_ASSERT(!d.interp && !d.needed[0] && !d.runpath);
	if (d.interp) {
		check_name(d.interp);
		FUZZ_ASSERT(d.interp[0] == '/');
	}
	for (; d.needed[n]; n++)
		check_name(d.needed[n]);
	FUZZ_ASSERT(n <= ELFDEPS_NEEDED_MAX);
	if (d.runpath)
		check_name(d.runpath);
	elf_deps_free(&d);
	return 0;
}

/* fuzz_conf.c — initd.conf through its loader (conf_load, the code the
 * loader runs), from a memfd so that the real read path is used.
 *
 * Properties: no crash, leak or bad access; whatever conf_load yields (a bad
 * key keeps its default) is a configuration a set may hold: with no units it
 * passes the set's invariants, and unit_set_encode -> unit_set_decode gives
 * an equal configuration back (initd_conf_equal). */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tests/fuzz/fuzz.h"
#include "units/internal.h"

static int memfd = -1;
static char path[64];

static void setup(void)
{
	memfd = memfd_create("initd.conf", MFD_CLOEXEC);
	FUZZ_ASSERT(memfd >= 0);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct unit_set *s, *back = NULL;
	void *buf = NULL;
	size_t len;
	int r;

	if (size > UNIT_FILE_MAX + 1)
		return 0;
	if (memfd < 0)
		setup();
	FUZZ_ASSERT(ftruncate(memfd, 0) == 0);
	FUZZ_ASSERT(pwrite(memfd, data, size, 0) == (ssize_t)size);

	s = calloc(1, sizeof(*s));
	FUZZ_ASSERT(s);
	r = conf_load(path, &s->conf, &s->diags);
	if (r == -ENOMEM) {
		unit_set_free(s);
		return 0;
	}
	FUZZ_ASSERT(r == 0);
	FUZZ_ASSERT(s->diags.n <= UNIT_DIAG_MAX);
	for (size_t i = 0; i < s->diags.n; i++) {
		char line[128];
		FUZZ_ASSERT(unit_diag_format(&s->diags.v[i], line, sizeof(line)) > 0);
	}
	FUZZ_ASSERT(set_check_invariants(s) == 0);
	FUZZ_ASSERT(unit_set_encode(s, &buf, &len) == 0);
	FUZZ_ASSERT(unit_set_decode(buf, len, &back) == 0);
	FUZZ_ASSERT(initd_conf_equal(&back->conf, &s->conf));
	free(buf);
	unit_set_free(back);
	unit_set_free(s);
	return 0;
}

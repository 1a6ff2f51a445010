/* fuzz_notify.c — one readiness datagram through notify_parse, the code
 * PID 1 runs on whatever any service sends to $NOTIFY_SOCKET.
 *
 * Properties: no crash or read past the datagram (which is not
 * NUL-terminated); the result is bounded: STATUS is a terminated string
 * without control characters, ERRNO and MAINPID are in range; a datagram
 * nothing was understood in is -EBADMSG and sets nothing. */
#include <errno.h>
#include <string.h>

#include "initd/notify.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct notify_msg m;
	size_t n;
	int r;

	if (size > NOTIFY_DATAGRAM_MAX)
		return 0;
	memset(&m, 0xa5, sizeof(m));
	r = notify_parse((const char *)data, size, &m);
	FUZZ_ASSERT(r == 0 || r == -EBADMSG);
	n = strnlen(m.status, sizeof(m.status));
	FUZZ_ASSERT(n < sizeof(m.status));
	for (size_t i = 0; i < n; i++)
		FUZZ_ASSERT((unsigned char)m.status[i] >= 0x20 && m.status[i] != 0x7f);
	FUZZ_ASSERT(m.errno_value >= 0 && m.errno_value <= 4095);
	FUZZ_ASSERT(m.mainpid >= 0);
	FUZZ_ASSERT(m.extend_usec <= (uint64_t)NOTIFY_EXTEND_MAX_USEC);
	if (r < 0)
		FUZZ_ASSERT(!m.ready && !m.stopping && !m.reloading && !m.watchdog &&
			    !m.has_status && m.errno_value == 0 && m.mainpid == 0 &&
			    m.extend_usec == 0);
	if (!m.has_status)
		FUZZ_ASSERT(n == 0);
	return 0;
}

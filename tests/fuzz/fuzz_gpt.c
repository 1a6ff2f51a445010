/* fuzz_gpt.c — a disk's first sectors through the GPT reader
 * (common/gpt.h) that stage 1 and the mount helper run on every block
 * device: the input is LBA 1 (512 bytes) followed by the entry array.
 *
 * Properties: no crash or read past the buffer; the header is 0 or
 * -EINVAL; a valid header's count and entry size are within the limits;
 * the search is 0 (with a number in 1..count), -ENOENT or -EINVAL. */
#include <errno.h>
#include <string.h>

#include "common/gpt.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t guid[16] = { 0x00, 0xee, 0xff, 0xc0, 0x11, 0x11, 0x22, 0x42,
					  0x83, 0x33, 0x44, 0x44, 0x55, 0x55, 0x66, 0x66 };
	struct gpt_header h;
	uint32_t n = 0;
	size_t head = size < 512 ? size : 512;
	int r = gpt_header_parse(data, head, &h);

	FUZZ_ASSERT(r == 0 || r == -EINVAL);
	if (r < 0)
		return 0;
	FUZZ_ASSERT(h.n_entries >= 1 && h.n_entries <= GPT_ENTRIES_MAX);
	FUZZ_ASSERT(h.entry_size >= GPT_ENTRY_SIZE_MIN && h.entry_size <= GPT_ENTRY_SIZE_MAX);
	r = gpt_entries_find(&h, data + head, size - head, guid, &n);
	FUZZ_ASSERT(r == 0 || r == -ENOENT || r == -EINVAL);
	if (r == 0)
		FUZZ_ASSERT(n >= 1 && n <= h.n_entries);
	return 0;
}

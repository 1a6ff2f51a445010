/* fuzz_gpt.c — a disk's first sectors through the GPT reader
 * (common/gpt.h) that stage 1 and the mount helper run on every block
 * device: the input is LBA 1 (512 bytes) followed by the entry array.
 *
 * Properties: no crash or read past the buffer; the header is 0 or
 * -EINVAL; a valid header's count and entry size are within the limits;
 * the search is 0 (with a number in 1..count), -ENOENT or -EINVAL. Each
 * input runs twice: as it is, and with its two CRCs made right, so that
 * what lies behind them is reached too. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/gpt.h"
#include "tests/fuzz/fuzz.h"

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static int check(const uint8_t *data, size_t size);

/* The input again with both CRCs made right: the entries' over the array
 * the header describes (when the input holds it), then the header's own.
 * Else the fuzzer seldom gets past the CRCs to the checks behind them. */
static void with_crcs(const uint8_t *data, size_t size)
{
	uint8_t *copy;
	uint32_t hsize, n, esize;

	if (size < 512)
		return;
	hsize = get_le32(data + 12);
	if (hsize < GPT_HEADER_SIZE_MIN || hsize > 512)
		return;
	copy = malloc(size);
	FUZZ_ASSERT(copy);
	memcpy(copy, data, size);
	n = get_le32(copy + 80);
	esize = get_le32(copy + 84);
	if ((uint64_t)n * esize <= size - 512)
		put_le32(copy + 88, gpt_crc32(copy + 512, (size_t)n * esize));
	put_le32(copy + 16, 0);
	put_le32(copy + 16, gpt_crc32(copy, hsize));
	check(copy, size);
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check(data, size);
	with_crcs(data, size);
	return 0;
}

static int check(const uint8_t *data, size_t size)
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

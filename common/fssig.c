/* fssig.c — see fssig.h. */
#include "common/fssig.h"

#include <string.h>

struct signature {
	const char *name;
	size_t offset;
	size_t len;
	const char *magic;
};

/* Offsets from each format's documentation (and libblkid's probes). */
static const struct signature signatures[] = {
	{ "ext", 0x438, 2, "\x53\xef" },
	{ "squashfs", 0, 4, "hsqs" },
	{ "erofs", 1024, 4, "\xe2\xe1\xf5\xe0" },
	{ "f2fs", 1024, 4, "\x10\x20\xf5\xf2" },
	{ "btrfs", 0x10040, 8, "_BHRfS_M" },
	{ "xfs", 0, 4, "XFSB" },
	{ "iso9660", 0x8001, 5, "CD001" },
	{ "luks", 0, 6, "LUKS\xba\xbe" },
	{ "swap", 4086, 10, "SWAPSPACE2" },
	{ "swap", 4086, 10, "SWAP-SPACE" },
	{ "gpt", 512, 8, "EFI PART" },
	{ "dos", 510, 2, "\x55\xaa" },
};

const char *fs_signature(const uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < sizeof(signatures) / sizeof(signatures[0]); i++) {
		const struct signature *s = &signatures[i];

		if (s->offset + s->len <= len && !memcmp(buf + s->offset, s->magic, s->len))
			return s->name;
	}
	/* The list cannot know every format (LVM2, MD RAID, bcache, ZFS...):
	 * only zeros are blank, anything else is data nobody may format over. */
	for (size_t i = 0; i < len; i++)
		if (buf[i])
			return "data";
	return NULL;
}

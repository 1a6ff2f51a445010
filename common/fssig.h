/* fssig.h — is there anything on this device? The mount helper's `format`
 * (initd.conf(5)) makes a filesystem only on a blank device: formatting over
 * anything, even a filesystem of another type, would destroy data, so that
 * is an error for the caller.
 *
 * fs_signature looks at the first FS_SIGNATURE_PROBE bytes of a device (a
 * shorter buffer is a short device: what lies beyond is not looked at) and
 * names the first signature it knows; else "data" when any byte is not
 * zero (a format the list lacks: LVM2, MD RAID, bcache, ZFS...); NULL only
 * for zeros, which is what a new disk or mkdisk.sh's data partition holds.
 * Known: ext2/3/4, squashfs, erofs, f2fs, btrfs, xfs, iso9660, LUKS, swap,
 * a GPT header (512-byte sectors) and a DOS/FAT boot sector (0x55AA).
 */
#ifndef INITD_COMMON_FSSIG_H
#define INITD_COMMON_FSSIG_H

#include <stddef.h>
#include <stdint.h>

#define FS_SIGNATURE_PROBE (68u * 1024)   /* btrfs's superblock ends below */

/* "ext", "squashfs", "gpt"..., "data" (not zeros), or NULL (all zeros). */
const char *fs_signature(const uint8_t *buf, size_t len);

#endif

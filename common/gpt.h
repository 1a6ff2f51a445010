/* gpt.h — find a GPT partition by its unique GUID (its PARTUUID), without
 * udev: the stage 1 of a disk image finds its root with it, and initd's
 * mount helper resolves `PARTUUID=` with it when /dev/disk/by-partuuid is
 * missing (the image has no device manager).
 *
 * Three layers, each usable alone:
 *   - gpt_guid_parse: the text form "8-4-4-4-12" to GPT's on-disk bytes
 *     (the first three fields little-endian, as GPT stores them).
 *   - gpt_header_parse / gpt_entries_find: pure functions on buffers. Nothing
 *     is trusted: the signature, the header size, its CRC32, the LBA it says
 *     it sits at, the entry size and count (bounded by the limits below) and
 *     the entries' CRC32 are all checked before an entry is read. -EINVAL
 *     for a malformed header or entry array.
 *   - gpt_disk_find (reads a disk through an fd), gpt_partuuid_scan (scans
 *     a /sys/class/block for the partition and names its node in a /dev:
 *     tests give it a tree of their own) and gpt_partuuid_dev (that scan
 *     of the machine's). They may block on I/O: stage 1 and the mount
 *     helper call them, never PID 1.
 *
 * Only the primary header (LBA 1) is read, at 512 and at 4096 bytes per
 * sector; the backup header is not consulted. Everything returns 0 or -errno.
 */
#ifndef INITD_COMMON_GPT_H
#define INITD_COMMON_GPT_H

#include <stddef.h>
#include <stdint.h>

#define GPT_HEADER_SIZE_MIN 92
#define GPT_ENTRY_SIZE_MIN  128
#define GPT_ENTRY_SIZE_MAX  1024        /* bytes of one entry (128 * 2^n) */
#define GPT_ENTRIES_MAX     1024        /* entries in one table */
#define GPT_TABLE_MAX       (256u << 10) /* bytes of the entry array read */
#define GPT_GUID_TEXT       36          /* "8-4-4-4-12" without the NUL */
#define GPT_NAME_MAX        255         /* a block device's name in sysfs */
#define GPT_DEV_MAX         320         /* a partition's node ("/dev/" and a name) */

struct gpt_header {
	uint64_t entries_lba;    /* where the entry array starts */
	uint32_t n_entries;
	uint32_t entry_size;
	uint32_t entries_crc;
	uint8_t disk_guid[16];
};

/* "01234567-89ab-cdef-0123-456789abcdef" (either case) to GPT's bytes:
 * 0 and ret filled, or -EINVAL (ret untouched). */
int gpt_guid_parse(const char *text, uint8_t ret[16]);

/* CRC-32 (IEEE 802.3, as GPT uses it) of buf. */
uint32_t gpt_crc32(const void *buf, size_t len);

/* Validate the primary header: sector is the LBA-1 sector, len its size
 * (512 or 4096). 0 and ret filled, -EINVAL when it is not a valid header. */
int gpt_header_parse(const void *sector, size_t len, struct gpt_header *ret);

/* In the entry array of h (len bytes, at least n_entries * entry_size),
 * the partition whose unique GUID is guid: its number (1-based) in
 * *ret_number; -ENOENT when none is, -EINVAL when the array does not
 * match h's CRC. */
int gpt_entries_find(const struct gpt_header *h, const void *entries, size_t len,
		     const uint8_t guid[16], uint32_t *ret_number);

/* Read the GPT of the disk at fd and find guid: 0 and the partition
 * number; -ENOENT (no such partition), -EINVAL (no valid GPT), -EIO. */
int gpt_disk_find(int fd, const uint8_t guid[16], uint32_t *ret_number);

/* What a scan found (gpt_partuuid_scan). */
struct gpt_found {
	char dev[GPT_DEV_MAX];          /* the partition's node: DEV_DIR/NAME */
	char disk[GPT_NAME_MAX + 1];    /* the whole disk that has it */
	char other[GPT_NAME_MAX + 1];   /* -ENOTUNIQ: a second disk that has it */
	uint32_t number;                /* its number on that disk */
};

/* The partition whose unique GUID is guid, looked up on every whole disk
 * sys_block (the machine's is /sys/class/block) lists, each read through
 * its node in dev_dir (/dev). Every disk is read, not the first that has
 * it: two disks with one PARTUUID (a copy of an image, a cloned stick)
 * leave no way to tell which is meant.
 *   0          one disk has it and its partition's node is there: ret's
 *              dev, disk and number;
 *   -ENOTUNIQ  two disks have it: ret's disk and other (the scan stops
 *              at the second);
 *   -EAGAIN    one disk has it, but its partition has no sysfs entry or
 *              no node yet (the kernel adds them after the disk): ret's
 *              disk and number, dev when sysfs names it (else "");
 *   -ENOENT    no disk has it (yet); ret untouched.
 * A disk that cannot be read (no node, no medium, no GPT) has none, and
 * so does one whose dev_dir/NAME would not fit in GPT_DEV_MAX. */
int gpt_partuuid_scan(const char *sys_block, const char *dev_dir, const uint8_t guid[16],
		      struct gpt_found *ret);

/* The /dev node of the partition whose PARTUUID is text ("8-4-4-4-12"),
 * looked up on every whole disk in /sys/class/block: 0 and dev filled,
 * -EINVAL for a malformed text, or gpt_partuuid_scan's -errno (-ENOENT,
 * -EAGAIN: not yet; -ENOTUNIQ: on two disks). */
int gpt_partuuid_dev(const char *text, char *dev, size_t size);

#endif

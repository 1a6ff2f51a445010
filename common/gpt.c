/* gpt.c — see gpt.h. */
#include "common/gpt.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"

static const char gpt_signature[8] = { 'E', 'F', 'I', ' ', 'P', 'A', 'R', 'T' };

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int gpt_guid_parse(const char *text, uint8_t ret[16])
{
	/* Where each text byte goes: the first three fields are stored
	 * little-endian, the last two as written. */
	static const uint8_t order[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };
	uint8_t b[16];
	size_t k = 0;

	if (!text || strlen(text) != GPT_GUID_TEXT)
		return -EINVAL;
	for (size_t i = 0; i < GPT_GUID_TEXT; ) {
		int hi, lo;

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (text[i++] != '-')
				return -EINVAL;
			continue;
		}
		hi = hex_digit(text[i]);
		lo = hex_digit(text[i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		b[order[k++]] = (uint8_t)(hi << 4 | lo);
		i += 2;
	}
	memcpy(ret, b, sizeof(b));
	return 0;
}

uint32_t gpt_crc32(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint32_t crc = 0xFFFFFFFFu;

	while (len--) {
		crc ^= *p++;
		for (int i = 0; i < 8; i++)
			crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
	}
	return ~crc;
}

int gpt_header_parse(const void *sector, size_t len, struct gpt_header *ret)
{
	const uint8_t *h = sector;
	uint8_t copy[512];
	uint32_t size, entry_size, n;

	if (!h || len < GPT_HEADER_SIZE_MIN || memcmp(h, gpt_signature, sizeof(gpt_signature)))
		return -EINVAL;
	size = le32(h + 12);
	if (size < GPT_HEADER_SIZE_MIN || size > len || size > sizeof(copy))
		return -EINVAL;
	/* The CRC covers the header with its own CRC field zeroed. */
	memcpy(copy, h, size);
	memset(copy + 16, 0, 4);
	if (gpt_crc32(copy, size) != le32(h + 16) || le64(h + 24) != 1)
		return -EINVAL;
	entry_size = le32(h + 84);
	n = le32(h + 80);
	if (entry_size < GPT_ENTRY_SIZE_MIN || entry_size > GPT_ENTRY_SIZE_MAX ||
	    entry_size % 8 || n == 0 || n > GPT_ENTRIES_MAX ||
	    (size_t)n * entry_size > GPT_TABLE_MAX || le64(h + 72) < 2)
		return -EINVAL;
	ret->entries_lba = le64(h + 72);
	ret->n_entries = n;
	ret->entry_size = entry_size;
	ret->entries_crc = le32(h + 88);
	memcpy(ret->disk_guid, h + 56, 16);
	return 0;
}

int gpt_entries_find(const struct gpt_header *h, const void *entries, size_t len,
		     const uint8_t guid[16], uint32_t *ret_number)
{
	static const uint8_t unused[16];
	const uint8_t *e = entries;
	size_t total;

	if (h->n_entries > GPT_ENTRIES_MAX || h->entry_size < GPT_ENTRY_SIZE_MIN ||
	    h->entry_size > GPT_ENTRY_SIZE_MAX)
		return -EINVAL;
	total = (size_t)h->n_entries * h->entry_size;
	if (len < total || gpt_crc32(e, total) != h->entries_crc)
		return -EINVAL;
	for (uint32_t i = 0; i < h->n_entries; i++, e += h->entry_size) {
		/* An all-zero type GUID marks an unused slot. */
		if (!memcmp(e, unused, 16) || memcmp(e + 16, guid, 16))
			continue;
		*ret_number = i + 1;
		return 0;
	}
	return -ENOENT;
}

/* pread exactly len bytes at off: 0, or -EIO on a short read. */
static int read_at(int fd, void *buf, size_t len, uint64_t off)
{
	ssize_t n = pread(fd, buf, len, (off_t)off);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

int gpt_disk_find(int fd, const uint8_t guid[16], uint32_t *ret_number)
{
	static const size_t sector_sizes[] = { 512, 4096 };
	uint8_t sector[4096];

	for (size_t s = 0; s < ARRAY_SIZE(sector_sizes); s++) {
		size_t ss = sector_sizes[s], len;
		struct gpt_header h;
		_cleanup_free_ uint8_t *table = NULL;
		int r = read_at(fd, sector, ss, ss);

		if (r < 0)
			return r;
		if (gpt_header_parse(sector, ss, &h) < 0)
			continue;
		len = (size_t)h.n_entries * h.entry_size;
		if (!(table = malloc(len)))
			return -ENOMEM;
		r = read_at(fd, table, len, h.entries_lba * ss);
		if (r < 0)
			return r;
		return gpt_entries_find(&h, table, len, guid, ret_number);
	}
	return -EINVAL;
}

/* dir/name into buf (size bytes): 0, or -ENAMETOOLONG. */
static int path_join(char *buf, size_t size, const char *dir, const char *name)
{
	int n = snprintf(buf, size, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* The partition number sysfs gives sys_block/name (0: none). */
static unsigned partition_number(const char *sys_block, const char *name)
{
	char path[PATH_MAX], buf[16] = "";
	_cleanup_close_ int fd = -1;

	if (path_join(path, sizeof(path), sys_block, name) < 0 ||
	    strlen(path) + sizeof("/partition") > sizeof(path))
		return 0;
	strcat(path, "/partition");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, buf, sizeof(buf) - 1) <= 0)
		return 0;
	return (unsigned)strtoul(buf, NULL, 10);
}

/* The partition `number` of disk: its name into ret (GPT_NAME_MAX + 1
 * bytes), from the disk's sysfs directory (vda1, nvme0n1p1, mmcblk0p1:
 * sysfs knows, names do not). 0, or -ENOENT. */
static int partition_name(const char *sys_block, const char *disk, uint32_t number, char *ret)
{
	char path[PATH_MAX];
	DIR *d;
	struct dirent *e;
	int r = -ENOENT;

	if (path_join(path, sizeof(path), sys_block, disk) < 0 || !(d = opendir(path)))
		return -ENOENT;
	while (r < 0 && (e = readdir(d))) {
		if (strncmp(e->d_name, disk, strlen(disk)) ||
		    partition_number(sys_block, e->d_name) != number)
			continue;
		snprintf(ret, GPT_NAME_MAX + 1, "%s", e->d_name);
		r = 0;
	}
	closedir(d);
	return r;
}

/* Does the whole disk name (its node in dev_dir) carry guid? 0 and the
 * partition's number, or -errno: -ENOENT (it does not), or it cannot be
 * read (no node, no medium, no GPT), which is no match either. */
static int disk_has(const char *dev_dir, const char *name, const uint8_t guid[16],
		    uint32_t *ret_number)
{
	char path[PATH_MAX];
	_cleanup_close_ int fd = -1;

	if (path_join(path, sizeof(path), dev_dir, name) < 0)
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	return gpt_disk_find(fd, guid, ret_number);
}

/* Does the whole disk name have guid, and is its partition there? 0 (f's
 * dev, disk, number), -EAGAIN (it has it, the partition is not there yet:
 * f's disk and number, dev when sysfs names it), or another -errno: no. */
static int disk_match(const char *sys_block, const char *dev_dir, const char *name,
		      const uint8_t guid[16], struct gpt_found *f)
{
	char part[GPT_NAME_MAX + 1];
	struct stat st;
	int r = disk_has(dev_dir, name, guid, &f->number);

	if (r < 0)
		return r;
	snprintf(f->disk, sizeof(f->disk), "%s", name);
	f->dev[0] = '\0';
	if (partition_name(sys_block, name, f->number, part) < 0)
		return -EAGAIN;
	if (path_join(f->dev, sizeof(f->dev), dev_dir, part) < 0)
		return -ENAMETOOLONG;
	return stat(f->dev, &st) < 0 ? -EAGAIN : 0;
}

int gpt_partuuid_scan(const char *sys_block, const char *dev_dir, const uint8_t guid[16],
		      struct gpt_found *ret)
{
	struct gpt_found f = { 0 }, first = { 0 };
	DIR *d;
	struct dirent *e;
	int r = -ENOENT, m;

	if (!(d = opendir(sys_block)))
		return -ENOENT;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || partition_number(sys_block, e->d_name))
			continue;
		m = disk_match(sys_block, dev_dir, e->d_name, guid, &f);
		if (m != 0 && m != -EAGAIN)
			continue;
		if (r != -ENOENT) {
			snprintf(first.other, sizeof(first.other), "%s", f.disk);
			r = -ENOTUNIQ;
			break;
		}
		first = f;
		r = m;
	}
	closedir(d);
	if (r != -ENOENT)
		*ret = first;
	return r;
}

int gpt_partuuid_dev(const char *text, char *dev, size_t size)
{
	struct gpt_found f;
	uint8_t guid[16];
	int r = gpt_guid_parse(text, guid);

	if (r < 0)
		return r;
	r = gpt_partuuid_scan("/sys/class/block", "/dev", guid, &f);
	if (r < 0)
		return r;
	if (strlen(f.dev) >= size)
		return -ENAMETOOLONG;
	memcpy(dev, f.dev, strlen(f.dev) + 1);
	return 0;
}

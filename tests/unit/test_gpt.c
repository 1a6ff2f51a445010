/* test_gpt.c — the GPT reader (common/gpt.h): a crafted disk in memory
 * (found, then broken one field at a time, then cut at every length), the
 * GUID text form, and a disk image that the host's sfdisk wrote. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/gpt.h"

#define SS        512
#define N_ENTRIES 128
#define DISK_LBAS (2 + N_ENTRIES * 128 / SS)

static const char root_text[] = "c0ffee00-1111-4222-8333-444455556666";
static const char data_text[] = "c0ffee00-1111-4222-8333-444455557777";

struct disk {
	unsigned char b[DISK_LBAS * SS];
};

static unsigned char *hdr(struct disk *d) { return d->b + SS; }
static unsigned char *entry(struct disk *d, int i) { return d->b + 2 * SS + i * 128; }

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void put64(unsigned char *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

/* Recompute both CRCs, as a writer would after editing a field. */
static void seal(struct disk *d)
{
	put32(hdr(d) + 88, gpt_crc32(entry(d, 0), N_ENTRIES * 128));
	put32(hdr(d) + 16, 0);
	put32(hdr(d) + 16, gpt_crc32(hdr(d), 92));
}

/* Two partitions (numbers 1 and 3: slot 2 unused). */
static void disk_build(struct disk *d)
{
	memset(d, 0, sizeof(*d));
	memcpy(hdr(d), "EFI PART", 8);
	put32(hdr(d) + 8, 0x00010000);
	put32(hdr(d) + 12, 92);
	put64(hdr(d) + 24, 1);
	put64(hdr(d) + 72, 2);
	put32(hdr(d) + 80, N_ENTRIES);
	put32(hdr(d) + 84, 128);
	memset(entry(d, 0), 0xAA, 16);
	ck_assert_int_eq(gpt_guid_parse(root_text, entry(d, 0) + 16), 0);
	memset(entry(d, 2), 0xBB, 16);
	ck_assert_int_eq(gpt_guid_parse(data_text, entry(d, 2) + 16), 0);
	seal(d);
}

/* Find text in d's image as gpt_disk_find would: 0 or -errno. */
static int disk_find(struct disk *d, const char *text, uint32_t *number)
{
	struct gpt_header h;
	uint8_t guid[16];
	int r = gpt_header_parse(hdr(d), SS, &h);

	ck_assert_int_eq(gpt_guid_parse(text, guid), 0);
	if (r < 0)
		return r;
	return gpt_entries_find(&h, d->b + h.entries_lba * SS,
				sizeof(d->b) - h.entries_lba * SS, guid, number);
}

START_TEST(guid_text_is_stored_mixed_endian)
{
	static const uint8_t want[16] = { 0x00, 0xee, 0xff, 0xc0, 0x11, 0x11, 0x22, 0x42,
					  0x83, 0x33, 0x44, 0x44, 0x55, 0x55, 0x66, 0x66 };
	uint8_t g[16], keep[16];

	ck_assert_int_eq(gpt_guid_parse(root_text, g), 0);
	ck_assert_mem_eq(g, want, 16);
	ck_assert_int_eq(gpt_guid_parse("C0FFEE00-1111-4222-8333-444455556666", g), 0);
	ck_assert_mem_eq(g, want, 16);
	memcpy(keep, g, 16);
	ck_assert_int_eq(gpt_guid_parse("c0ffee00-1111-4222-8333-44445555666", g), -EINVAL);
	ck_assert_int_eq(gpt_guid_parse("c0ffee00-1111-4222-8333-4444555566667", g), -EINVAL);
	ck_assert_int_eq(gpt_guid_parse("c0ffee00+1111-4222-8333-444455556666", g), -EINVAL);
	ck_assert_int_eq(gpt_guid_parse("g0ffee00-1111-4222-8333-444455556666", g), -EINVAL);
	ck_assert_int_eq(gpt_guid_parse("", g), -EINVAL);
	ck_assert_int_eq(gpt_guid_parse(NULL, g), -EINVAL);
	ck_assert_mem_eq(g, keep, 16);
}
END_TEST

START_TEST(crc32_matches_the_standard_check_value)
{
	ck_assert_uint_eq(gpt_crc32("123456789", 9), 0xCBF43926u);
	ck_assert_uint_eq(gpt_crc32("", 0), 0);
}
END_TEST

START_TEST(crafted_disk_finds_each_partition_by_number)
{
	struct disk d;
	uint32_t n = 0;

	disk_build(&d);
	ck_assert_int_eq(disk_find(&d, root_text, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(disk_find(&d, data_text, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(disk_find(&d, "c0ffee00-1111-4222-8333-444455558888", &n), -ENOENT);
}
END_TEST

/* Each breaker makes the disk invalid; resealed ones still fail on the
 * field itself, unsealed ones on a CRC. */
static void break_signature(struct disk *d) { hdr(d)[0] = 'X'; seal(d); }
static void break_header_crc(struct disk *d) { hdr(d)[16] ^= 1; }
static void break_entries_crc(struct disk *d) { entry(d, 5)[0] = 1; }
static void break_header_small(struct disk *d) { put32(hdr(d) + 12, 91); seal(d); }
static void break_header_large(struct disk *d) { put32(hdr(d) + 12, SS + 1); seal(d); }
static void break_current_lba(struct disk *d) { put64(hdr(d) + 24, 2); seal(d); }
static void break_entries_lba(struct disk *d) { put64(hdr(d) + 72, 1); seal(d); }
static void break_count_zero(struct disk *d) { put32(hdr(d) + 80, 0); seal(d); }
static void break_count_huge(struct disk *d) { put32(hdr(d) + 80, 0xFFFFFFFFu); seal(d); }
static void break_entry_small(struct disk *d) { put32(hdr(d) + 84, 64); seal(d); }
static void break_entry_odd(struct disk *d) { put32(hdr(d) + 84, 132); seal(d); }
static void break_entry_huge(struct disk *d) { put32(hdr(d) + 84, 1u << 20); seal(d); }

static void (*const breakers[])(struct disk *) = {
	break_signature, break_header_crc, break_entries_crc, break_header_small,
	break_header_large, break_current_lba, break_entries_lba, break_count_zero,
	break_count_huge, break_entry_small, break_entry_odd, break_entry_huge,
};

START_TEST(each_bad_field_is_an_error_not_a_find)
{
	struct disk d;
	uint32_t n = 99;

	disk_build(&d);
	breakers[_i](&d);
	ck_assert_int_eq(disk_find(&d, root_text, &n), -EINVAL);
	ck_assert_uint_eq(n, 99);
}
END_TEST

START_TEST(every_cut_is_an_error)
{
	struct disk d;
	struct gpt_header h;
	uint8_t guid[16];
	uint32_t n;

	disk_build(&d);
	ck_assert_int_eq(gpt_guid_parse(root_text, guid), 0);
	for (size_t len = 0; len < 92; len++)
		ck_assert_int_eq(gpt_header_parse(hdr(&d), len, &h), -EINVAL);
	ck_assert_int_eq(gpt_header_parse(hdr(&d), SS, &h), 0);
	for (size_t len = 0; len < N_ENTRIES * 128; len += 7)
		ck_assert_int_eq(gpt_entries_find(&h, entry(&d, 0), len, guid, &n), -EINVAL);
}
END_TEST

/* The real thing: a sparse file partitioned by the host's sfdisk. */
START_TEST(sfdisk_image_is_read_from_a_file)
{
	char path[] = "/tmp/test_gpt.XXXXXX", cmd[1024];
	uint8_t guid[16];
	uint32_t n = 0;
	int fd = mkstemp(path), r;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, 8 << 20), 0);
	snprintf(cmd, sizeof(cmd),
		 "printf 'label: gpt\\n"
		 "label-id: 11111111-2222-4333-8444-555555555555\\n"
		 "start=2048, size=4096, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, uuid=%s\\n"
		 "start=6144, size=4096, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, uuid=%s\\n'"
		 " | PATH=$PATH:/sbin:/usr/sbin sfdisk -q %s >/dev/null 2>&1",
		 root_text, data_text, path);
	r = system(cmd);
	if (r != 0) {
		/* No sfdisk on this host: the crafted disks above still ran. */
		unlink(path);
		close(fd);
		return;
	}
	ck_assert_int_eq(gpt_guid_parse(data_text, guid), 0);
	ck_assert_int_eq(gpt_disk_find(fd, guid, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(gpt_guid_parse(root_text, guid), 0);
	ck_assert_int_eq(gpt_disk_find(fd, guid, &n), 0);
	ck_assert_uint_eq(n, 1);
	unlink(path);
	close(fd);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("gpt");
	TCase *tc = tcase_create("gpt");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, guid_text_is_stored_mixed_endian);
	tcase_add_test(tc, crc32_matches_the_standard_check_value);
	tcase_add_test(tc, crafted_disk_finds_each_partition_by_number);
	tcase_add_loop_test(tc, each_bad_field_is_an_error_not_a_find, 0,
			    (int)(sizeof(breakers) / sizeof(breakers[0])));
	tcase_add_test(tc, every_cut_is_an_error);
	tcase_add_test(tc, sfdisk_image_is_read_from_a_file);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}

/* test_stage1.c — what a disk image's stage 1 reads (common/stage1_args.h):
 * its words on the kernel command line, its list of modules; and how it
 * finds its root (stage1/root.h) on a fake /sys/class/block and /dev: a
 * directory per block device (a partition's holds its `partition` file,
 * and sits in its disk's too, as in sysfs), plain files for the nodes, a
 * disk's file a crafted GPT. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/gpt.h"
#include "common/stage1_args.h"
#include "common/util.h"
#include "stage1/root.h"

#define GUID "8e1c0b7a-5d1f-4c55-9a1e-1d15c0000001"

static char err[160];

static int parse(const char *text, struct stage1_args *a)
{
	err[0] = '\0';
	return stage1_args_parse(text, a, err, sizeof(err));
}

START_TEST(args_plain)
{
	struct stage1_args a;

	ck_assert_int_eq(parse("console=ttyS0 initd.root=PARTUUID=" GUID " quiet\n", &a), 0);
	ck_assert_str_eq(a.root, GUID);
	ck_assert_str_eq(a.fstype, "squashfs");
	ck_assert_uint_eq(a.rootwait, STAGE1_ROOTWAIT_DEFAULT);

	ck_assert_int_eq(parse("initd.rootwait=5 initd.rootfstype=ext4 initd.root=PARTUUID="
			       GUID, &a), 0);
	ck_assert_str_eq(a.fstype, "ext4");
	ck_assert_uint_eq(a.rootwait, 5);

	ck_assert_int_eq(parse("initd.rootwait=100000 initd.root=PARTUUID=" GUID, &a), 0);
	ck_assert_uint_eq(a.rootwait, STAGE1_ROOTWAIT_MAX);   /* bounded, as documented */

	ck_assert_int_eq(parse("console=ttyS0", &a), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "no initd.root"));
}
END_TEST

/* Quotes are the kernel's grouping, not part of a value (as initd reads
 * its own words, initd/cmdline.c). */
START_TEST(args_quotes_dropped)
{
	struct stage1_args a;

	ck_assert_int_eq(parse("initd.rootfstype=\"ext4\" initd.root=PARTUUID=" GUID, &a), 0);
	ck_assert_str_eq(a.fstype, "ext4");
	ck_assert_int_eq(parse("\"initd.root=PARTUUID=" GUID "\" initd.rootwait=\"7\"", &a), 0);
	ck_assert_str_eq(a.root, GUID);
	ck_assert_uint_eq(a.rootwait, 7);
	/* a quoted blank is inside one word: not a word of ours */
	ck_assert_int_eq(parse("foo=\"x initd.rootfstype=vfat\" initd.root=PARTUUID=" GUID, &a), 0);
	ck_assert_str_eq(a.fstype, "squashfs");
}
END_TEST

/* A value that cannot be taken as given is an error, not a default. */
START_TEST(args_bad_values_fail)
{
	static const char *const bad[] = {
		"initd.rootwait=abc", "initd.rootwait=2min", "initd.rootwait=", "initd.rootwait",
		"initd.rootwait=-1", "initd.rootfstype=", "initd.rootfstype",
		"initd.rootfstype=0123456789abcdef0123456789abcdef",   /* 32 > 31 */
		"initd.root=/dev/vda1", "initd.root=PARTUUID=",
		"initd.root=PARTUUID=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",   /* 64 > 63 */
	};
	struct stage1_args a;
	char text[512];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "initd.root=PARTUUID=%s %s", GUID, bad[i]);
		ck_assert_msg(parse(text, &a) == -EINVAL, "%s: accepted", bad[i]);
		ck_assert_msg(err[0], "%s: no message", bad[i]);
	}
	ck_assert_int_eq(parse("initd.rootfstype=0123456789abcdef0123456789abcde "
			       "initd.root=PARTUUID=" GUID, &a), 0);   /* 31 fits */
	ck_assert_str_eq(a.fstype, "0123456789abcdef0123456789abcde");
}
END_TEST

/* The names of a modules file's text; its count, or -errno. */
static char names[STAGE1_MODULES_MAX][STAGE1_MODULE_NAME_MAX + 1];

static int modules(const char *text)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	size_t n = 0;
	int r;

	ck_assert_ptr_nonnull(f);
	err[0] = '\0';
	r = stage1_modules_read(f, names, &n, err, sizeof(err));
	fclose(f);
	return r < 0 ? r : (int)n;
}

START_TEST(modules_plain)
{
	ck_assert_int_eq(modules("# the disk\nvirtio_blk\n\nsquashfs\n"), 2);
	ck_assert_str_eq(names[0], "virtio_blk");
	ck_assert_str_eq(names[1], "squashfs");
	ck_assert_int_eq(modules("loop"), 1);   /* a last line without '\n' counts */
	ck_assert_str_eq(names[0], "loop");
}
END_TEST

/* Comments and blank lines do not count against the bound: 64 names
 * after 10 comments are all read; a 65th is an error, not dropped. */
START_TEST(modules_counted_not_lines)
{
	char text[4096] = "";
	size_t len = 0;

	for (int i = 0; i < 10; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "# comment %d\n\n", i);
	for (int i = 0; i < STAGE1_MODULES_MAX; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "mod%d\n", i);
	ck_assert_int_eq(modules(text), STAGE1_MODULES_MAX);
	ck_assert_str_eq(names[STAGE1_MODULES_MAX - 1], "mod63");
	snprintf(text + len, sizeof(text) - len, "one_too_many\n");
	ck_assert_int_eq(modules(text), -E2BIG);
	ck_assert_ptr_nonnull(strstr(err, "more than 64 modules"));
}
END_TEST

/* A line longer than a name may be is an error, not two names. */
START_TEST(modules_long_line_is_an_error)
{
	char text[512];
	size_t len;

	memset(text, 'a', STAGE1_MODULE_NAME_MAX);   /* exactly fits */
	strcpy(text + STAGE1_MODULE_NAME_MAX, "\nb\n");
	ck_assert_int_eq(modules(text), 2);
	ck_assert_uint_eq(strlen(names[0]), STAGE1_MODULE_NAME_MAX);
	ck_assert_str_eq(names[1], "b");
	text[STAGE1_MODULE_NAME_MAX] = '\0';        /* and at the end, without '\n' */
	ck_assert_int_eq(modules(text), 1);

	strcpy(text, "virtio_blk\n");
	memset(text + 11, 'x', 200);
	strcpy(text + 211, "loop\n");
	ck_assert_int_eq(modules(text), -ENAMETOOLONG);
	ck_assert_ptr_nonnull(strstr(err, "line 2: longer than 127 bytes"));

	/* a comment may be as long as it likes: it names no module */
	strcpy(text, "# ");
	memset(text + 2, 'x', 300);
	strcpy(text + 302, "\nloop\n# and a last one, no newline: ");
	len = strlen(text);
	memset(text + len, 'y', 150);
	text[len + 150] = '\0';
	ck_assert_int_eq(modules(text), 1);
	ck_assert_str_eq(names[0], "loop");
}
END_TEST

/* ---- finding the root ------------------------------------------------------ */

#define SS        512
#define N_ENTRIES 128

struct tree {
	char dir[64], sys[80], dev[80];
};

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void file_write(const char *dir, const char *name, const void *buf, size_t len)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, buf, len), (ssize_t)len);
	close(fd);
}

static void dir_make(const char *dir, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_int_eq(mkdir(path, 0755), 0);
}

static void tree_new(struct tree *t)
{
	snprintf(t->dir, sizeof(t->dir), "/tmp/test_stage1.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(t->dir));
	snprintf(t->sys, sizeof(t->sys), "%s/sys", t->dir);
	snprintf(t->dev, sizeof(t->dev), "%s/dev", t->dir);
	ck_assert_int_eq(mkdir(t->sys, 0755), 0);
	ck_assert_int_eq(mkdir(t->dev, 0755), 0);
}

static void tree_free(struct tree *t)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", t->dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* A whole disk: its sysfs directory and its node, a GPT whose partition
 * `number` has the unique GUID text (or zeros: no GPT, when text is NULL). */
static void tree_disk(struct tree *t, const char *name, const char *text, uint32_t number)
{
	static uint8_t b[(2 + N_ENTRIES * 128 / SS) * SS];
	uint8_t *h = b + SS, *e = b + 2 * SS + (number - 1) * 128;

	memset(b, 0, sizeof(b));
	dir_make(t->sys, name);
	if (text) {
		memcpy(h, "EFI PART", 8);
		put32(h + 8, 0x00010000);
		put32(h + 12, 92);
		put32(h + 24, 1);
		put32(h + 72, 2);
		put32(h + 80, N_ENTRIES);
		put32(h + 84, 128);
		memset(e, 0xAA, 16);
		ck_assert_int_eq(gpt_guid_parse(text, e + 16), 0);
		put32(h + 88, gpt_crc32(b + 2 * SS, N_ENTRIES * 128));
		put32(h + 16, gpt_crc32(h, 92));
	}
	file_write(t->dev, name, b, sizeof(b));
}

/* Partition `number` of disk, as sysfs shows it; its node too if node. */
static void tree_part(struct tree *t, const char *disk, const char *name, uint32_t number,
		      int node)
{
	char path[256], text[16];

	snprintf(path, sizeof(path), "%s/%s", disk, name);
	dir_make(t->sys, path);
	dir_make(t->sys, name);
	snprintf(path, sizeof(path), "%s/%s", t->sys, name);
	snprintf(text, sizeof(text), "%u\n", number);
	file_write(path, "partition", text, strlen(text));
	if (node)
		file_write(t->dev, name, "", 0);
}

static int find(struct tree *t, unsigned wait_sec, struct gpt_found *ret)
{
	struct root_spec s = { .sys_block = t->sys, .dev_dir = t->dev, .partuuid = GUID,
			       .wait_sec = wait_sec };

	err[0] = '\0';
	return root_find(&s, ret, err, sizeof(err));
}

/* The disk that has it among others that do not (no GPT, no node). */
START_TEST(root_found_by_partuuid)
{
	struct gpt_found f;
	struct tree t;
	char want[128];

	tree_new(&t);
	tree_disk(&t, "vda", NULL, 1);
	tree_disk(&t, "vdb", "8e1c0b7a-5d1f-4c55-9a1e-1d15c0000002", 1);
	tree_part(&t, "vdb", "vdb1", 1, 1);
	tree_disk(&t, "vdc", GUID, 2);
	tree_part(&t, "vdc", "vdc1", 1, 1);
	tree_part(&t, "vdc", "vdc2", 2, 1);
	dir_make(t.sys, "loop0");   /* no node */
	ck_assert_int_eq(find(&t, 0, &f), 0);
	snprintf(want, sizeof(want), "%s/vdc2", t.dev);
	ck_assert_str_eq(f.dev, want);
	ck_assert_str_eq(f.disk, "vdc");
	ck_assert_uint_eq(f.number, 2);

	ck_assert_int_eq(find(&(struct tree){ .sys = "/nonexistent", .dev = "/nonexistent" }, 0,
			      &f), -ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "no partition with PARTUUID " GUID " after 0 s"));
	tree_free(&t);
}
END_TEST

/* Two disks with the PARTUUID (a second copy of the image, a cloned
 * stick): which one readdir lists first is no way to pick a root. Both
 * are named; a partition of one that is not there yet changes nothing. */
START_TEST(root_on_two_disks_is_refused)
{
	struct gpt_found f;
	struct tree t;
	char a[128], b[128];

	tree_new(&t);
	tree_disk(&t, "vda", GUID, 1);
	tree_part(&t, "vda", "vda1", 1, 1);
	tree_disk(&t, "sdb", NULL, 1);
	tree_disk(&t, "vdb", GUID, 1);
	tree_part(&t, "vdb", "vdb1", 1, 1);
	snprintf(a, sizeof(a), "%s/vda", t.dev);
	snprintf(b, sizeof(b), "%s/vdb", t.dev);
	ck_assert_int_eq(find(&t, 5, &f), -ENOTUNIQ);   /* at once: no wait */
	ck_assert_msg(strstr(err, "PARTUUID " GUID " is on two disks") && strstr(err, a) &&
		      strstr(err, b), "%s", err);
	tree_free(&t);

	tree_new(&t);
	tree_disk(&t, "vda", GUID, 1);           /* its vda1 not there yet */
	tree_disk(&t, "vdb", GUID, 1);
	tree_part(&t, "vdb", "vdb1", 1, 1);
	ck_assert_int_eq(find(&t, 0, &f), -ENOTUNIQ);
	tree_free(&t);
}
END_TEST

/* A disk that has it but whose partition is not there yet (no sysfs
 * entry, or no node) is waited for, and named when the wait is over. */
START_TEST(root_partition_not_there_yet_is_waited_for)
{
	struct gpt_found f;
	struct tree t;
	char want[128];
	pid_t pid;
	int status;

	tree_new(&t);
	tree_disk(&t, "vda", GUID, 1);
	ck_assert_int_eq(find(&t, 0, &f), -EAGAIN);
	ck_assert_msg(strstr(err, "PARTUUID " GUID ": partition 1 of ") &&
		      strstr(err, "/vda did not appear after 0 s"), "%s", err);

	tree_part(&t, "vda", "vda1", 1, 0);      /* in sysfs, no node */
	ck_assert_int_eq(find(&t, 0, &f), -EAGAIN);
	snprintf(want, sizeof(want), "%s/vda1 did not appear after 0 s", t.dev);
	ck_assert_msg(strstr(err, want), "%s", err);

	pid = fork();                             /* the node comes 200 ms later */
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		usleep(200 * 1000);
		file_write(t.dev, "vda1", "", 0);
		_exit(0);
	}
	ck_assert_int_eq(find(&t, 5, &f), 0);
	snprintf(want, sizeof(want), "%s/vda1", t.dev);
	ck_assert_str_eq(f.dev, want);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	tree_free(&t);
}
END_TEST

/* The mount (in the child, with --wrap): read-only, of the node found,
 * the type asked, on the target; or never ending, as on a disk that
 * does not answer. */
enum { MOUNT_CHECKED, MOUNT_STUCK };
static int mount_mode;
static char mount_want_src[128];

int __wrap_mount(const char *src, const char *dst, const char *type, unsigned long flags,
		 const void *data);
int __wrap_mount(const char *src, const char *dst, const char *type, unsigned long flags,
		 const void *data)
{
	while (mount_mode == MOUNT_STUCK)
		pause();
	if (strcmp(src, mount_want_src) || strcmp(dst, "/nonexistent/root") ||
	    strcmp(type, "squashfs") || flags != MS_RDONLY || data) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/* A disk whose node's path has "stuck" in it does not answer a read. */
ssize_t __real_pread(int fd, void *buf, size_t len, off_t off);
ssize_t __wrap_pread(int fd, void *buf, size_t len, off_t off);
ssize_t __wrap_pread(int fd, void *buf, size_t len, off_t off)
{
	char link[64], path[256] = "";

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	if (readlink(link, path, sizeof(path) - 1) > 0 && strstr(path, "stuck"))
		for (;;)
			pause();
	return __real_pread(fd, buf, len, off);
}

static int root_mount_in(struct tree *t, unsigned wait_sec, unsigned mount_sec, char *dev)
{
	struct root_spec s = { .sys_block = t->sys, .dev_dir = t->dev, .partuuid = GUID,
			       .wait_sec = wait_sec, .fstype = "squashfs",
			       .target = "/nonexistent/root", .mount_sec = mount_sec };

	err[0] = '\0';
	return root_mount(&s, dev, GPT_DEV_MAX, err, sizeof(err));
}

START_TEST(root_mounted_read_only)
{
	char dev[GPT_DEV_MAX];
	struct tree t;

	tree_new(&t);
	tree_disk(&t, "vda", GUID, 1);
	tree_part(&t, "vda", "vda1", 1, 1);
	snprintf(mount_want_src, sizeof(mount_want_src), "%s/vda1", t.dev);
	mount_mode = MOUNT_CHECKED;
	ck_assert_int_eq(root_mount_in(&t, 1, 1, dev), 0);
	ck_assert_str_eq(dev, mount_want_src);

	mount_want_src[0] = '\0';                  /* the mount fails: said */
	ck_assert_int_eq(root_mount_in(&t, 1, 1, dev), -EINVAL);
	ck_assert_msg(strstr(err, "vda1 (squashfs) read-only on /nonexistent/root: Invalid"),
		      "%s", err);
	tree_free(&t);
}
END_TEST

/* A mount that does not end is a failure when its time is over: stage 1
 * says so and powers off, it does not hang. */
START_TEST(root_mount_that_hangs_is_bounded)
{
	char dev[GPT_DEV_MAX] = "";
	struct tree t;
	uint64_t start;

	tree_new(&t);
	tree_disk(&t, "vda", GUID, 1);
	tree_part(&t, "vda", "vda1", 1, 1);
	mount_mode = MOUNT_STUCK;
	start = now_usec();
	ck_assert_int_eq(root_mount_in(&t, 5, 1, dev), -ETIMEDOUT);
	ck_assert_uint_lt(now_usec() - start, 3 * USEC_PER_SEC);
	ck_assert_msg(strstr(err, "/vda1 (squashfs) on /nonexistent/root did not end in 1 s"),
		      "%s", err);
	tree_free(&t);
}
END_TEST

/* So is a scan that does not end: a disk that does not answer a read. */
START_TEST(root_scan_that_hangs_is_bounded)
{
	char dev[GPT_DEV_MAX] = "";
	struct tree t;
	uint64_t start;

	tree_new(&t);
	tree_disk(&t, "stuck", GUID, 1);
	mount_mode = MOUNT_CHECKED;
	start = now_usec();
	ck_assert_int_eq(root_mount_in(&t, 0, 1, dev), -ETIMEDOUT);
	ck_assert_uint_lt(now_usec() - start, (ROOT_SCAN_GRACE_SEC + 2) * USEC_PER_SEC);
	ck_assert_msg(strstr(err, "the disks' scan for PARTUUID " GUID " did not end in"),
		      "%s", err);
	tree_free(&t);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("stage1");
	TCase *tc = tcase_create("stage1");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, args_plain);
	tcase_add_test(tc, args_quotes_dropped);
	tcase_add_test(tc, args_bad_values_fail);
	tcase_add_test(tc, modules_plain);
	tcase_add_test(tc, modules_counted_not_lines);
	tcase_add_test(tc, modules_long_line_is_an_error);
	tcase_add_test(tc, root_found_by_partuuid);
	tcase_add_test(tc, root_on_two_disks_is_refused);
	tcase_add_test(tc, root_partition_not_there_yet_is_waited_for);
	tcase_add_test(tc, root_mounted_read_only);
	tcase_add_test(tc, root_mount_that_hangs_is_bounded);
	tcase_add_test(tc, root_scan_that_hangs_is_bounded);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

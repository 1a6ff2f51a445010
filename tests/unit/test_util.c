/* test_util.c — common/util.c, and the one numeric id rule (parse_id) as
 * both its users see it: the unit parser (units/) and spawn's user and
 * group lookup. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"
#include "initd/spawn.h"
#include "initd/watchdog.h"

/* A passwd and a group file that name nobody: every lookup is numeric. */
static char passwd_file[] = "/tmp/test_util_passwdXXXXXX";

static void setup(void)
{
	int fd = mkstemp(passwd_file);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "root:x:0:0::/root:/bin/sh\n", 26), 26);
	close(fd);
}

static void teardown(void)
{
	unlink(passwd_file);
}

/* open_read_trusted: in a directory a unit may change (owned by another
 * user here), a planted symlink, a symlinked directory on the way and a
 * hard link are refused; in a directory only root may change, a symlink
 * is followed. As root only (the chown). */
START_TEST(trusted_open_refuses_what_a_unit_planted)
{
	char dir[] = "/tmp/test_util.XXXXXX", p[4][160], own[128], secret[128];
	int fd;

	if (getuid() != 0)
		return;
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(own, sizeof(own), "%s/own", dir);
	snprintf(secret, sizeof(secret), "%s/secret", dir);
	ck_assert_int_eq(mkdir(own, 0755), 0);
	ck_assert_int_eq(chown(own, 65534, 65534), 0);
	fd = open(secret, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);
	snprintf(p[0], sizeof(p[0]), "%s/link", own);        /* -> secret */
	snprintf(p[1], sizeof(p[1]), "%s/hard", own);        /* = secret */
	snprintf(p[2], sizeof(p[2]), "%s/dir", own);         /* -> dir */
	snprintf(p[3], sizeof(p[3]), "%s/rootlink", dir);    /* -> secret, root's dir */
	ck_assert_int_eq(symlink(secret, p[0]), 0);
	ck_assert_int_eq(link(secret, p[1]), 0);
	ck_assert_int_eq(symlink(dir, p[2]), 0);
	ck_assert_int_eq(symlink(secret, p[3]), 0);
	ck_assert_int_eq(open_read_trusted(p[0], false), -ELOOP);
	ck_assert_int_eq(open_read_trusted(p[1], false), -EMLINK);
	{
		char via[200];

		snprintf(via, sizeof(via), "%s/secret", p[2]);
		ck_assert_int_eq(open_read_trusted(via, false), -ELOOP);
	}
	fd = open_read_trusted(p[3], false);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(open_read_trusted("relative", false), -EINVAL);
	/* root's link leads into the unit's directory, to its planted link:
	 * judged there too (the kernel, left to follow root's, went on) */
	{
		char chain[200], back[200];

		snprintf(chain, sizeof(chain), "%s/chain", dir);
		snprintf(back, sizeof(back), "own/link");   /* relative, from dir */
		ck_assert_int_eq(symlink(back, chain), 0);
		ck_assert_int_eq(open_read_trusted(chain, false), -ELOOP);
		unlink(chain);
	}
	/* In a user namespace of the unit's own (its map leaves root out),
	 * owners cannot tell root's directories from the unit's: root's shows
	 * as the overflow uid, and so does one of the unit's own uid 65534
	 * (host 165534 here), which the old rule trusted. No link is
	 * followed there; the file itself, not a link, is read. */
	{
		char mine[160], mlink[200], plain[160];
		int up[2], go[2], st, f;
		char map[64], c1;
		pid_t c;

		snprintf(plain, sizeof(plain), "%s/plain", dir);
		f = open(plain, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		ck_assert_int_ge(f, 0);
		close(f);
		snprintf(mine, sizeof(mine), "%s/mine", dir);
		snprintf(mlink, sizeof(mlink), "%s/link", mine);
		ck_assert_int_eq(mkdir(mine, 0755), 0);
		ck_assert_int_eq(chown(mine, 165534, 165534), 0);
		ck_assert_int_eq(symlink(secret, mlink), 0);
		ck_assert_int_eq(pipe(up), 0);
		ck_assert_int_eq(pipe(go), 0);
		c = fork();
		ck_assert_int_ge(c, 0);
		if (c == 0) {   /* its map written by the parent, as initd does */
			if (unshare(CLONE_NEWUSER) < 0 || write(up[1], "u", 1) != 1 ||
			    read(go[0], &c1, 1) != 1)
				_exit(3);
			f = open_read_trusted(plain, true);
			_exit(f < 0 ? 5 : open_read_trusted(mlink, true) != -ELOOP ? 6 :
			      open_read_trusted(p[3], true) != -ELOOP ? 7 : 0);
		}
		ck_assert_int_eq(read(up[0], &c1, 1), 1);
		snprintf(map, sizeof(map), "/proc/%d/uid_map", (int)c);
		f = open(map, O_WRONLY | O_CLOEXEC);
		ck_assert_int_ge(f, 0);
		ck_assert_int_eq(write(f, "0 100000 65536\n", 15), 15);
		close(f);
		ck_assert_int_eq(write(go[1], "g", 1), 1);
		ck_assert_int_eq(waitpid(c, &st, 0), c);
		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "in a user namespace: %d",
			      WEXITSTATUS(st));
		unlink(mlink);
		unlink(plain);
		rmdir(mine);
	}
	for (int i = 0; i < 4; i++)
		unlink(p[i]);
	unlink(secret);
	rmdir(own);
	rmdir(dir);
}
END_TEST

START_TEST(parse_id_rule)
{
	static const struct { const char *in; int r; uint32_t id; } cases[] = {
		{ "0", 0, 0 },
		{ "7", 0, 7 },
		{ "1000", 0, 1000 },
		{ "4294967294", 0, 4294967294u },
		{ "4294967295", -ERANGE, 0 },      /* (uid_t)-1: "no id" */
		{ "4294967296", -ERANGE, 0 },
		{ "99999999999", -ERANGE, 0 },
		{ "184467440737095516160", -ERANGE, 0 },   /* would wrap 64 bits */
		{ "007", -EINVAL, 0 },
		{ "00", -EINVAL, 0 },
		{ "01", -EINVAL, 0 },
		{ "", -EINVAL, 0 },
		{ "-1", -EINVAL, 0 },
		{ "+1", -EINVAL, 0 },
		{ " 1", -EINVAL, 0 },
		{ "1 ", -EINVAL, 0 },
		{ "1a", -EINVAL, 0 },
		{ "0x10", -EINVAL, 0 },
		{ "www", -EINVAL, 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint32_t id = 12345;
		int r = parse_id(cases[i].in, &id);

		ck_assert_msg(r == cases[i].r, "parse_id(\"%s\") = %d, want %d", cases[i].in, r,
			      cases[i].r);
		ck_assert_uint_eq(id, r == 0 ? cases[i].id : 12345);   /* untouched on failure */
	}
}
END_TEST

/* "007" is not the id 7: ids are written without leading zeros, as the
 * unit parser requires; a lookup takes the same rule. */
START_TEST(lookup_rejects_leading_zero_ids)
{
	uid_t uid = 1;
	gid_t gid = 1;
	char home[64];

	ck_assert_int_eq(spawn_lookup_user(passwd_file, "007", &uid, &gid, home, sizeof(home), NULL, 0),
			 -ENOENT);
	ck_assert_int_eq(uid, 1);
	ck_assert_int_lt(spawn_lookup_group(passwd_file, "007", &gid), 0);
	ck_assert_int_eq(gid, 1);
}
END_TEST

START_TEST(lookup_takes_numeric_ids)
{
	uid_t uid = 1;
	gid_t gid = 1;
	char home[64];

	ck_assert_int_eq(spawn_lookup_user(passwd_file, "7", &uid, &gid, home, sizeof(home), NULL, 0), 0);
	ck_assert_int_eq(uid, 7);
	ck_assert_int_eq(gid, 7);
	ck_assert_int_eq(spawn_lookup_user(passwd_file, "0", &uid, &gid, home, sizeof(home), NULL, 0), 0);
	ck_assert_int_eq(uid, 0);
	ck_assert_int_eq(spawn_lookup_group(passwd_file, "4294967294", &gid), 0);
	ck_assert_uint_eq(gid, 4294967294u);
}
END_TEST

/* str_field: what PID 1 reads /proc tables with instead of sscanf. */
START_TEST(fields_of_a_proc_line)
{
	const char *line = "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw\n", *f;
	size_t len;

	f = str_field(line, 0, &len);
	ck_assert(f == line && len == 2);
	f = str_field(line, 4, &len);
	ck_assert_int_eq((int)len, 5);
	ck_assert(strncmp(f, "/mnt2", len) == 0);
	f = str_field(line, 10, &len);   /* the last, before the newline */
	ck_assert(len == 2 && strncmp(f, "rw", 2) == 0);
	ck_assert_ptr_null(str_field(line, 11, &len));
	f = str_field("  \ta\t\tb ", 1, &len);   /* runs of blanks, leading ones */
	ck_assert(len == 1 && *f == 'b');
	ck_assert_ptr_null(str_field("", 0, &len));
	ck_assert_ptr_null(str_field(" \n", 0, &len));
}
END_TEST

/* fgets_line: a line longer than the buffer leaves no tail to be read as a
 * line of its own (unmount_all and mounted_now read /proc tables so). */
START_TEST(long_lines_leave_no_tail)
{
	char text[300], buf[16];
	FILE *f;

	memset(text, 'o', sizeof(text));
	memcpy(text, "a /long 0 0 ", 12);
	strcpy(text + 200, " 0 0\nb /short\n");
	f = fmemopen(text, strlen(text), "r");
	ck_assert_ptr_nonnull(f);
	ck_assert(fgets_line(buf, sizeof(buf), f));
	ck_assert_str_eq(buf, "a /long 0 0 ooo");
	ck_assert(fgets_line(buf, sizeof(buf), f));
	ck_assert_str_eq(buf, "b /short\n");
	ck_assert(!fgets_line(buf, sizeof(buf), f));
	fclose(f);
}
END_TEST

/* read_full: everything up to size across short reads, what there is
 * at end of file, -errno on a bad fd. */
START_TEST(read_full_bounded)
{
	char buf[16];
	int p[2];

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(write_all(p[1], "abc", 3), 0);
	ck_assert_int_eq(write_all(p[1], "defgh", 5), 0);
	ck_assert_int_eq(read_full(p[0], buf, 4), 4);   /* the bound */
	ck_assert(memcmp(buf, "abcd", 4) == 0);
	close(p[1]);
	ck_assert_int_eq(read_full(p[0], buf, sizeof(buf)), 4);   /* end of file */
	ck_assert(memcmp(buf, "efgh", 4) == 0);
	ck_assert_int_eq(read_full(p[0], buf, sizeof(buf)), 0);
	close(p[0]);
	ck_assert_int_eq(read_full(p[0], buf, sizeof(buf)), -EBADF);
}
END_TEST

/* svctl --timeout 30 days: 2592000000 ms, past int (it wrapped to a
 * negative poll timeout: for ever); 2^32 ms wrapped to 0 (a busy loop). */
/* The legacy /dev/watchdog (misc 10:130) has no nowayout attribute of its
 * own: read at 10:130, a nowayout driver there looked stoppable, and a
 * reload that dropped the watchdog group stopped petting it (the machine
 * reset). Its flag is watchdog0's. */
START_TEST(watchdog_nowayout_of_the_legacy_node)
{
	char path[64];

	watchdog_nowayout_path(makedev(10, 130), path, sizeof(path));
	ck_assert_str_eq(path, "/sys/class/watchdog/watchdog0/nowayout");
	watchdog_nowayout_path(makedev(249, 0), path, sizeof(path));
	ck_assert_str_eq(path, "/sys/dev/char/249:0/nowayout");
}
END_TEST

START_TEST(poll_timeouts_do_not_wrap)
{
	ck_assert_int_eq(poll_timeout_ms(1500, 0), 2);          /* rounded up */
	ck_assert_int_eq(poll_timeout_ms(5000000, 0), 5000);
	ck_assert_int_eq(poll_timeout_ms(5, 10), 0);            /* passed */
	ck_assert_int_eq(poll_timeout_ms(2592000ULL * USEC_PER_SEC, 0), INT_MAX);
	ck_assert_int_eq(poll_timeout_ms(4294967296ULL * USEC_PER_MSEC, 0), INT_MAX);
}
END_TEST

static Suite *util_suite(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("ids");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, parse_id_rule);
	tcase_add_test(tc, trusted_open_refuses_what_a_unit_planted);
	tcase_add_test(tc, lookup_rejects_leading_zero_ids);
	tcase_add_test(tc, lookup_takes_numeric_ids);
	tcase_add_test(tc, read_full_bounded);
	tcase_add_test(tc, fields_of_a_proc_line);
	tcase_add_test(tc, long_lines_leave_no_tail);
	tcase_add_test(tc, poll_timeouts_do_not_wrap);
	tcase_add_test(tc, watchdog_nowayout_of_the_legacy_node);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(util_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}

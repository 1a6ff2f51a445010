/* test_replies.c — what svctl makes of replies a fake or hostile server
 * sends (a socket named by --socket or $INITD_CONTROL: a container's, say,
 * asked from the host) where the fuzzer does not look: the fd a metrics
 * reply passes, which svctl reads until the length the reply announced,
 * and the text of show and analyze, which goes to the operator's
 * terminal. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "common/proto.h"
#include "svctl/analyze.h"
#include "svctl/client.h"
#include "svctl/output.h"

#define REP_LIMIT (PROTO_HDR_SIZE + PROTO_REPLY_MAX)

/* A metrics reply to root: the text in the passed fd, `len` bytes of it. */
static void metrics_reply(struct proto_buf *b, uint64_t len)
{
	proto_buf_init(b, REP_LIMIT);
	proto_msg_begin(b, PROTO_REPLY_OK);
	proto_put_u64(b, PROTO_ATTR_DATA_IN_FD, len);
	ck_assert_int_eq(proto_msg_end(b), 0);
}

static int print_metrics(const struct proto_buf *b, int fd, char **out, size_t *out_len)
{
	FILE *f = open_memstream(out, out_len);
	int r;

	ck_assert_ptr_nonnull(f);
	r = metrics_print(f, b->data + PROTO_HDR_SIZE, b->len - PROTO_HDR_SIZE, fd);
	ck_assert_int_eq(fclose(f), 0);
	return r;
}

/* initd passes a sealed memfd, a file: reading it ends. A pipe whose
 * writer stays open made svctl wait for ever (no --timeout covers the
 * read), a character device announced as long as it likes (/dev/zero)
 * wrote without end; both are no text initd would pass. */
START_TEST(test_metrics_text_only_from_a_file)
{
	struct proto_buf b;
	char *out = NULL;
	size_t out_len = 0;
	int p[2], fd;

	metrics_reply(&b, 10);
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	ck_assert_int_eq(print_metrics(&b, p[0], &out, &out_len), -EBADMSG);
	ck_assert_uint_eq(out_len, 0);
	free(out);
	close(p[0]);
	close(p[1]);
	proto_buf_free(&b);

	metrics_reply(&b, UINT64_MAX);
	ck_assert_int_ge(fd = open("/dev/zero", O_RDONLY | O_CLOEXEC), 0);
	ck_assert_int_eq(print_metrics(&b, fd, &out, &out_len), -EBADMSG);
	ck_assert_uint_eq(out_len, 0);
	free(out);
	close(fd);
	proto_buf_free(&b);

	/* a sparse memfd as long as it announces, 2^62 bytes of zeros: more
	 * than any text of initd's, refused (a first version wrote for ever) */
	metrics_reply(&b, (uint64_t)1 << 62);
	ck_assert_int_ge(fd = memfd_create("sparse", MFD_CLOEXEC), 0);
	ck_assert_int_eq(ftruncate(fd, (off_t)1 << 62), 0);
	ck_assert_int_eq(print_metrics(&b, fd, &out, &out_len), -EBADMSG);
	ck_assert_uint_eq(out_len, 0);
	free(out);
	close(fd);
	proto_buf_free(&b);

	/* a regular file that is no memfd or tmpfs file (one on a FUSE mount
	 * would block a read for ever): refused, whatever it holds */
	{
		char path[] = "/var/tmp/test_replies.XXXXXX";
		struct statfs sfs;

		metrics_reply(&b, 4);
		ck_assert_int_ge(fd = mkostemp(path, O_CLOEXEC), 0);
		unlink(path);
		ck_assert_int_eq(write(fd, "a 1\n", 4), 4);
		ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
		ck_assert_int_eq(fstatfs(fd, &sfs), 0);
		if (sfs.f_type != TMPFS_MAGIC)
			ck_assert_int_eq(print_metrics(&b, fd, &out, &out_len), -EBADMSG);
		free(out);
		out = NULL;
		out_len = 0;
		close(fd);
		proto_buf_free(&b);
	}

	/* a memfd that may still shrink while it is read: refused */
	metrics_reply(&b, 4);
	ck_assert_int_ge(fd = memfd_create("text", MFD_CLOEXEC), 0);
	ck_assert_int_eq(write(fd, "a 1\n", 4), 4);
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	ck_assert_int_eq(print_metrics(&b, fd, &out, &out_len), -EBADMSG);
	ck_assert_uint_eq(out_len, 0);
	free(out);
	close(fd);
	proto_buf_free(&b);

	/* a file shorter than announced: nothing of it */
	metrics_reply(&b, 100);
	ck_assert_int_ge(fd = memfd_create("text", MFD_CLOEXEC | MFD_ALLOW_SEALING), 0);
	ck_assert_int_eq(write(fd, "a 1\n", 4), 4);
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	ck_assert_int_eq(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE), 0);
	ck_assert_int_eq(print_metrics(&b, fd, &out, &out_len), -EBADMSG);
	ck_assert_uint_eq(out_len, 0);
	free(out);
	proto_buf_free(&b);

	/* what initd sends (sealed, as text_seal does): all of it */
	metrics_reply(&b, 4);
	ck_assert_int_eq(print_metrics(&b, fd, &out, &out_len), 0);
	ck_assert_str_eq(out, "a 1\n");
	free(out);
	close(fd);
	proto_buf_free(&b);
}
END_TEST

/* What f printed holds no byte a terminal takes for a control: ESC, BEL. */
static void assert_clean(const char *out)
{
	ck_assert_ptr_null(strchr(out, '\033'));
	ck_assert_ptr_null(strchr(out, '\a'));
}

#define HOSTILE "w\033]0;owned\a\033[2J"

/* show's header names the unit as the reply does; every other string of
 * it went through print_clean, the header's name did not. */
START_TEST(test_show_cleans_the_name)
{
	struct proto_buf b;
	char *out = NULL;
	size_t out_len = 0;
	FILE *f;

	proto_buf_init(&b, REP_LIMIT);
	proto_msg_begin(&b, PROTO_REPLY_OK);
	proto_nest_begin(&b, PROTO_ATTR_SERVICE);
	proto_put_str(&b, PROTO_ATTR_NAME, HOSTILE);
	proto_put_str(&b, PROTO_ATTR_STATE, "running");
	proto_nest_end(&b);
	proto_put_str(&b, PROTO_ATTR_UNIT_TEXT, "exec = [ \"/bin/true\" ];\n");
	ck_assert_int_eq(proto_msg_end(&b), 0);
	ck_assert_ptr_nonnull(f = open_memstream(&out, &out_len));
	ck_assert_int_eq(show_print(f, b.data + PROTO_HDR_SIZE, b.len - PROTO_HDR_SIZE, false), 0);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_ptr_nonnull(strstr(out, "# w?]0;owned??[2J.unit\n"));
	assert_clean(out);
	free(out);
	proto_buf_free(&b);
}
END_TEST

/* analyze's text: the boot phases', the blame's and the chain's names as
 * the reply has them (its SVG escaped them, its JSON too). */
START_TEST(test_analyze_text_cleans_the_names)
{
	struct proto_buf b;
	struct analyze a;
	char *out = NULL;
	size_t out_len = 0;
	FILE *f;

	proto_buf_init(&b, REP_LIMIT);
	proto_msg_begin(&b, PROTO_REPLY_OK);
	proto_put_u64(&b, PROTO_ATTR_EXEC_AT, 1000000);
	proto_put_u64(&b, PROTO_ATTR_FIRST_SPAWN, 1100000);
	proto_put_u64(&b, PROTO_ATTR_SETTLED_AT, 1500000);
	proto_nest_begin(&b, PROTO_ATTR_BOOT_PHASE);
	proto_put_str(&b, PROTO_ATTR_NAME, "p\033[2J");
	proto_put_u64(&b, PROTO_ATTR_PHASE_AT, 1002000);
	proto_nest_end(&b);
	proto_nest_begin(&b, PROTO_ATTR_SERVICE);
	proto_put_str(&b, PROTO_ATTR_NAME, HOSTILE);
	proto_put_str(&b, PROTO_ATTR_STATE, "running");
	proto_put_u64(&b, PROTO_ATTR_SPAWNED_AT, 1100000);
	proto_put_u64(&b, PROTO_ATTR_READY_AT, 1400000);
	proto_nest_end(&b);
	ck_assert_int_eq(proto_msg_end(&b), 0);
	ck_assert_int_eq(analyze_parse(b.data + PROTO_HDR_SIZE, b.len - PROTO_HDR_SIZE, &a), 0);
	ck_assert_ptr_nonnull(f = open_memstream(&out, &out_len));
	analyze_print(f, &a);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_ptr_nonnull(strstr(out, "  p?[2J            @0.002s +0.002s\n"));
	ck_assert_ptr_nonnull(strstr(out, "     0.300s w?]0;owned??[2J\n"));    /* blame */
	ck_assert_ptr_nonnull(strstr(out, "\nw?]0;owned??[2J @0.400s +0.300s\n"));   /* chain */
	assert_clean(out);
	free(out);
	analyze_free(&a);
	proto_buf_free(&b);
}
END_TEST

/* reply_print_failed(what, r) with stderr caught: its exit code, and in
 * *said what it wrote (malloc'ed). */
static int print_failed_said(const char *what, int r, char **said)
{
	int fd = memfd_create("stderr", MFD_CLOEXEC), saved = dup(STDERR_FILENO), code;
	off_t n;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_ge(saved, 0);
	fflush(stderr);
	ck_assert_int_ge(dup2(fd, STDERR_FILENO), 0);
	code = reply_print_failed(what, r);
	fflush(stderr);
	ck_assert_int_ge(dup2(saved, STDERR_FILENO), 0);
	close(saved);
	n = lseek(fd, 0, SEEK_CUR);
	ck_assert_int_ge(n, 0);
	*said = calloc(1, (size_t)n + 1);
	ck_assert_ptr_nonnull(*said);
	ck_assert_int_eq(pread(fd, *said, (size_t)n, 0), n);
	close(fd);
	return code;
}

/* svctl's own shortage of memory while it reads a reply is its failure
 * (exit 1, svctl(8)), not a malformed reply (6): it exited 6, saying
 * "malformed show reply from initd". */
START_TEST(test_own_enomem_is_a_failure)
{
	static const char *const whats[] = { "show", "status", "tree", "analyze" };
	char *said;

	for (size_t i = 0; i < sizeof(whats) / sizeof(whats[0]); i++) {
		ck_assert_int_eq(print_failed_said(whats[i], -ENOMEM, &said), SVCTL_EXIT_FAILED);
		ck_assert_msg(strstr(said, "out of memory") && !strstr(said, "malformed"),
			      "%s: %s", whats[i], said);
		free(said);
	}
	ck_assert_int_eq(print_failed_said("show", -EBADMSG, &said), SVCTL_EXIT_PROTOCOL);
	ck_assert_ptr_nonnull(strstr(said, "svctl: malformed show reply from initd\n"));
	free(said);
	ck_assert_int_eq(print_failed_said("show", -EPROTONOSUPPORT, &said),
			 SVCTL_EXIT_PROTOCOL);
	free(said);
}
END_TEST

static Suite *replies_suite(void)
{
	Suite *s = suite_create("replies");
	TCase *tc = tcase_create("svctl");

	tcase_add_test(tc, test_metrics_text_only_from_a_file);
	tcase_add_test(tc, test_show_cleans_the_name);
	tcase_add_test(tc, test_analyze_text_cleans_the_names);
	tcase_add_test(tc, test_own_enomem_is_a_failure);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(replies_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}

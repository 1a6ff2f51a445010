/* test_replies.c — what svctl makes of replies a fake or hostile server
 * sends (a socket named by --socket or $INITD_CONTROL: a container's, say,
 * asked from the host) where the fuzzer does not look: the fd a metrics
 * reply passes, which svctl reads until the length the reply announced,
 * and the text of show and analyze, which goes to the operator's
 * terminal. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/proto.h"
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

	/* a file shorter than announced: nothing of it */
	metrics_reply(&b, 100);
	ck_assert_int_ge(fd = memfd_create("text", MFD_CLOEXEC), 0);
	ck_assert_int_eq(write(fd, "a 1\n", 4), 4);
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	ck_assert_int_eq(print_metrics(&b, fd, &out, &out_len), -EBADMSG);
	ck_assert_uint_eq(out_len, 0);
	free(out);
	proto_buf_free(&b);

	/* what initd sends: all of it */
	metrics_reply(&b, 4);
	ck_assert_int_eq(print_metrics(&b, fd, &out, &out_len), 0);
	ck_assert_str_eq(out, "a 1\n");
	free(out);
	close(fd);
	proto_buf_free(&b);
}
END_TEST

static Suite *replies_suite(void)
{
	Suite *s = suite_create("replies");
	TCase *tc = tcase_create("svctl");

	tcase_add_test(tc, test_metrics_text_only_from_a_file);
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

/* logwriter.c — see logwriter.h. PID 1's side: targets, stamping, the
 * queue, the writer's process and its restart. The writer itself is in
 * loader/logwriter.c, initd-loader's mode. */
#include "initd/logwriter.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/logtime.h"
#include "common/util.h"
#include "initd/child.h"
#include "initd/log.h"
#include "initd/loop.h"
#include "initd/loader.h"
#include "initd/spawn.h"

#define BACKOFF_MIN_USEC   (100 * USEC_PER_MSEC)
#define BACKOFF_MAX_USEC   (30 * USEC_PER_SEC)
#define BACKOFF_RESET_USEC (60 * USEC_PER_SEC)   /* a run this long was healthy */
/* Writers started again, at once, for what is still queued when one dies
 * during the final flush (a writer that dies at every start costs no more
 * than this before the end goes on). */
#define CLOSE_RESTARTS_MAX 2

struct logrec {
	struct logrec *next;
	size_t len;
	char buf[];
};

struct logwriter {
	struct loop *loop;
	struct loop_watch sock;       /* PID 1's end, -1 without a writer */
	struct loop_watch exited;     /* the writer's pidfd, -1 without one */
	pid_t pid;
	uint32_t events;              /* what sock is watched for */
	struct logrec *head, **tail;
	size_t queued;                /* bytes in the queue */
	uint64_t refused;             /* records refused (queue full) */
	struct loop_timer restart;
	uint64_t backoff_usec;
	uint64_t started_usec;
	bool closing;
	unsigned close_restarts;
	struct loop_timer close_timer;
	void (*done)(void *data);
	void *done_data;
};

bool logwriter_target_of(const struct unit *u, const struct initd_conf *conf,
			 struct logwriter_target *ret)
{
	/* none, or too long: the parser's bounds make that impossible */
	if (unit_log_path(u, conf, ret->path, sizeof(ret->path)) <= 0)
		return false;
	ret->max_size = u->log_max_size ? u->log_max_size : conf->log_max_size;
	ret->keep = u->log_keep_set ? u->log_keep : conf->log_keep;
	ret->postmortem = false;
	return true;
}

size_t logwriter_stamp(const char *stamp, const char *in, size_t n, bool *mid_line, char *out,
		       size_t max, size_t *ret_used)
{
	size_t i = 0, o = 0;

	while (i < n) {
		const char *nl;
		size_t k;

		if (!*mid_line) {
			if (max - o < LOGTIME_LEN + 2)
				break;    /* a stamp and at least one byte */
			memcpy(out + o, stamp, LOGTIME_LEN);
			out[o + LOGTIME_LEN] = ' ';
			o += LOGTIME_LEN + 1;
			*mid_line = true;
		}
		nl = memchr(in + i, '\n', n - i);
		k = nl ? (size_t)(nl - (in + i)) + 1 : n - i;
		if (k > max - o)
			k = max - o;
		if (k == 0)
			break;
		memcpy(out + o, in + i, k);
		o += k;
		i += k;
		if (out[o - 1] == '\n')
			*mid_line = false;
	}
	*ret_used = i;
	return o;
}

/* ---- the process ------------------------------------------------------------ */

static void writer_spawn(struct logwriter *w);

static void watch_sock(struct logwriter *w, uint32_t events)
{
	if (w->sock.fd >= 0 && events != w->events && loop_watch_mod(w->loop, &w->sock, events) == 0)
		w->events = events;
}

static void finish_close(struct logwriter *w)
{
	void (*done)(void *) = w->done;

	loop_timer_cancel(w->loop, &w->close_timer);
	w->done = NULL;
	if (done)
		done(w->done_data);
}

/* Send what the queue holds while the socket takes it; end the stream
 * once it is empty and we are closing. */
static void queue_flush(struct logwriter *w)
{
	while (w->head && w->sock.fd >= 0) {
		struct logrec *r = w->head;

		if (send(w->sock.fd, r->buf, r->len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
			if (errno == EAGAIN || errno == EINTR)
				watch_sock(w, EPOLLIN | EPOLLOUT);
			return;   /* else the writer is going: its pidfd says so */
		}
		w->head = r->next;
		if (!w->head)
			w->tail = &w->head;
		w->queued -= r->len;
		free(r);
	}
	watch_sock(w, EPOLLIN);
	if (w->closing && !w->head && w->sock.fd >= 0)
		shutdown(w->sock.fd, SHUT_WR);
}

/* What the writer says (a file it cannot write): into initd's log. */
static void sock_ready(struct loop *l, int fd, uint32_t events, void *data)
{
	struct logwriter *w = data;
	char text[512];

	for (int i = 0; i < 16 && (events & EPOLLIN); i++) {
		ssize_t n = recv(fd, text, sizeof(text) - 1, MSG_DONTWAIT);

		if (n <= 0)
			break;
		log_warn("log writer: %.*s", (int)n, text);
	}
	if (events & EPOLLOUT)
		queue_flush(w);
	if (events & (EPOLLHUP | EPOLLERR)) {
		/* The writer is gone or going; its pidfd finishes the job. A
		 * hung-up socket would wake us forever. */
		loop_watch_close(l, &w->sock);
	}
}

/* The final flush's writer is gone: its stream ended, or it died with
 * records still queued, which a new writer gets while there is time (the
 * close's bound still runs). */
static void closing_writer_exited(struct logwriter *w, const char *how, int code)
{
	if (w->head && w->close_restarts < CLOSE_RESTARTS_MAX) {
		w->close_restarts++;
		log_warn("log writer exited (%s %d) during the final flush; starting it again for "
			 "the %zu bytes still queued", how, code, w->queued);
		loop_timer_cancel(w->loop, &w->restart);
		writer_spawn(w);   /* or its restart timer, until the bound */
		return;
	}
	if (w->head)
		log_error("log writer exited (%s %d) during the final flush: %zu bytes of log "
			  "lines not written", how, code, w->queued);
	finish_close(w);
}

static void writer_exited(struct loop *l, int fd, uint32_t events, void *data)
{
	struct logwriter *w = data;
	siginfo_t si = { 0 };
	uint64_t ran = now_usec() - w->started_usec;
	const char *how;
	int code;

	/* Reaped here, or already by the manager's walk at SIGCHLD. */
	waitid(P_PIDFD, (id_t)fd, &si, WEXITED | WNOHANG);
	loop_watch_close(l, &w->exited);
	loop_watch_close(l, &w->sock);
	w->pid = 0;
	how = si.si_pid == 0 || si.si_code == CLD_EXITED ? "status" : "signal";
	code = si.si_pid == 0 ? -1 : si.si_status;
	if (w->closing) {
		closing_writer_exited(w, how, code);
		return;
	}
	if (ran >= BACKOFF_RESET_USEC)
		w->backoff_usec = BACKOFF_MIN_USEC;
	log_warn("log writer exited (%s %d); starting it again in %llums", how, code,
		 (unsigned long long)(w->backoff_usec / USEC_PER_MSEC));
	loop_timer_arm(l, &w->restart, now_usec() + w->backoff_usec);
	w->backoff_usec = w->backoff_usec * 2 > BACKOFF_MAX_USEC ? BACKOFF_MAX_USEC
								 : w->backoff_usec * 2;
}

static void restart_due(struct loop *l, void *data)
{
	struct logwriter *w = data;

	if (w->head)
		writer_spawn(w);   /* else the next record starts it */
}

/* The child between fork and exec: nothing of PID 1's survives the exec
 * but the socket on fd 3 and the console on 0-2 (on 2 as PID 1 was given
 * it: log.h). */
static _Noreturn void writer_child(int exe_fd, int sock)
{
	char *argv[] = { "initd", "--log-writer", NULL };
	char *envp[] = { NULL };
	int fds[] = { sock, log_console_for_helpers(), exe_fd };
	static const int to[] = { 3, STDERR_FILENO };

	child_reset_signals();
	setsid();
	if (child_place_fds(fds, ARRAY_SIZE(fds), to, ARRAY_SIZE(to)) == 0)
		syscall(SYS_execveat, fds[2], "", argv, envp, AT_EMPTY_PATH);
	_exit(127);
}

static int writer_fork(struct logwriter *w)
{
	int exe = loader_exe_sealed_fd(), sv[2], pidfd;
	pid_t pid;

	if (exe < 0)
		return exe;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	pid = spawn_helper_fork();
	if (pid < 0) {
		int r = -errno;
		close(sv[0]);
		close(sv[1]);
		return r;
	}
	if (pid == 0)
		writer_child(exe, sv[1]);
	close(sv[1]);
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	/* Not yet reaped: the reaping runs from this same loop. */
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	w->sock = (struct loop_watch){ .fd = sv[0], .fn = sock_ready, .data = w };
	w->exited = (struct loop_watch){ .fd = pidfd, .fn = writer_exited, .data = w };
	w->events = EPOLLIN;
	w->pid = pid;
	w->started_usec = now_usec();
	if (pidfd < 0 || loop_watch_add(w->loop, &w->sock, EPOLLIN) < 0 ||
	    loop_watch_add(w->loop, &w->exited, EPOLLIN) < 0) {
		int r = pidfd < 0 ? -errno : -ENOMEM;
		kill(pid, SIGKILL);
		loop_watch_close(w->loop, &w->sock);
		loop_watch_close(w->loop, &w->exited);
		w->pid = 0;
		return r;
	}
	return 0;
}

static void writer_spawn(struct logwriter *w)
{
	int r;

	if (w->pid || loop_timer_armed(&w->restart))
		return;
	r = writer_fork(w);
	if (r < 0) {
		log_error("cannot start the log writer: %s; trying again in %llums", strerror(-r),
			  (unsigned long long)(w->backoff_usec / USEC_PER_MSEC));
		loop_timer_arm(w->loop, &w->restart, now_usec() + w->backoff_usec);
		return;
	}
	log_debug("log writer started, pid %d", (int)w->pid);
	queue_flush(w);
}

/* ---- PID 1's interface -------------------------------------------------------- */

int logwriter_new(struct loop *l, struct logwriter **ret)
{
	struct logwriter *w = calloc(1, sizeof(*w));

	if (!w)
		return -ENOMEM;
	w->loop = l;
	w->sock.fd = w->exited.fd = -1;
	w->tail = &w->head;
	w->backoff_usec = BACKOFF_MIN_USEC;
	loop_timer_init(&w->restart, restart_due, w);
	loop_timer_init(&w->close_timer, NULL, w);
	*ret = w;
	return 0;
}

void logwriter_free(struct logwriter *w)
{
	if (!w)
		return;
	if (w->pid)
		kill(w->pid, SIGKILL);
	loop_watch_close(w->loop, &w->sock);
	loop_watch_close(w->loop, &w->exited);
	loop_timer_cancel(w->loop, &w->restart);
	loop_timer_cancel(w->loop, &w->close_timer);
	while (w->head) {
		struct logrec *r = w->head;
		w->head = r->next;
		free(r);
	}
	free(w);
}

int logwriter_send(struct logwriter *w, const struct logwriter_target *t, const char *data,
		   size_t n, uint64_t dropped)
{
	struct logwriter_hdr h = {
		.magic = LOGWRITER_MAGIC, .path_len = (uint32_t)strlen(t->path),
		.max_size = t->max_size, .keep = t->keep, .data_len = (uint32_t)n,
		.dropped = dropped, .flags = t->postmortem ? LOGWRITER_POSTMORTEM : 0,
	};
	size_t len = sizeof(h) + h.path_len + n;
	struct logrec *r;

	if (w->closing && !w->done)
		return -ESHUTDOWN;    /* the stream has ended */
	if (n > LOGWRITER_DATA_MAX || h.path_len > UNIT_LOG_PATH_MAX)
		return -EMSGSIZE;
	if (w->queued + len > LOGWRITER_QUEUE_MAX) {
		w->refused++;
		return -ENOBUFS;
	}
	r = malloc(sizeof(*r) + len);
	if (!r)
		return -ENOMEM;
	r->next = NULL;
	r->len = len;
	memcpy(r->buf, &h, sizeof(h));
	memcpy(r->buf + sizeof(h), t->path, h.path_len);
	memcpy(r->buf + sizeof(h) + h.path_len, data, n);
	*w->tail = r;
	w->tail = &r->next;
	w->queued += len;
	if (!w->pid)
		writer_spawn(w);
	else if (!(w->events & EPOLLOUT))
		queue_flush(w);
	return 0;
}

/* The final flush ends now, done or not. */
static void close_end_now(struct loop *l, struct logwriter *w)
{
	if (w->pid)
		kill(w->pid, SIGKILL);
	loop_timer_cancel(l, &w->restart);
	loop_watch_close(l, &w->sock);
	loop_watch_close(l, &w->exited);
	w->pid = 0;
	finish_close(w);
}

static void close_timed_out(struct loop *l, void *data)
{
	log_warn("log writer: not done after %llums, killed (lines may be lost)",
		 (unsigned long long)(LOGWRITER_CLOSE_USEC / USEC_PER_MSEC));
	close_end_now(l, data);
}

static void close_now(struct loop *l, void *data)
{
	finish_close(data);
}

void logwriter_close(struct logwriter *w, uint64_t bound_usec, void (*done)(void *data),
		     void *data)
{
	w->closing = true;
	w->done = done;
	w->done_data = data;
	if (!w->pid && !w->head) {
		if (loop_defer(w->loop, close_now, w) < 0)
			finish_close(w);
		return;
	}
	w->close_timer.fn = close_timed_out;
	if (loop_timer_arm(w->loop, &w->close_timer, now_usec() + bound_usec) < 0) {
		/* Unbounded, a stuck writer would hold the end for good. */
		log_error("log writer: cannot bound the final flush (out of memory): "
			  "ending it now (lines may be lost)");
		close_end_now(w->loop, w);
		return;
	}
	if (!w->pid) {
		/* Dead and waiting for its backoff: what it would have
		 * written is worth a start now. */
		loop_timer_cancel(w->loop, &w->restart);
		writer_spawn(w);
		return;
	}
	queue_flush(w);
}

static uint64_t newlines(const char *p, size_t n)
{
	uint64_t k = 0;

	for (const char *e = p + n; p < e && (p = memchr(p, '\n', (size_t)(e - p))); p++)
		k++;
	return k;
}

void logwriter_feed(struct logwriter *w, struct logwriter_feed *feed,
		    const struct logwriter_target *t, const char *p, size_t n)
{
	if (n > 0 && feed->cut) {
		const char *nl = memchr(p, '\n', n);

		if (!nl)
			return;          /* still the line a refusal cut */
		feed->cut = false;
		feed->dropped++;         /* its end: the line counts here */
		n -= (size_t)(nl + 1 - p);
		p = nl + 1;
	}
	if (n == 0)
		return;
	if (logwriter_send(w, t, p, n, feed->dropped) == 0) {
		feed->dropped = 0;
		return;
	}
	feed->dropped += newlines(p, n);
	feed->cut = p[n - 1] != '\n';
}

uint64_t logwriter_refused(const struct logwriter *w)
{
	return w ? w->refused : 0;
}

int logwriter_pid(const struct logwriter *w)
{
	return w ? (int)w->pid : 0;
}

/* benchtool.c — the measuring half of `make bench` (bench/run.sh drives it).
 *
 * Every time is CLOCK_MONOTONIC in microseconds, the clock tests/testd stamps
 * its --touch files with, so a time taken here and one written by a service
 * compare directly. Samples are printed one per line (microseconds); the
 * tables and percentiles are bench/run.sh's business.
 *
 *   now                      print the time
 *   exec-stamp FILE CMD...   write the time to FILE, then exec CMD (so FILE
 *                            holds the moment CMD's first instruction runs,
 *                            minus one execve)
 *   restart N TOUCH          N times: SIGKILL the last PID in TOUCH (testd's
 *                            --touch file) and wait for the next line; print
 *                            new start time - kill time. Run it in the
 *                            service's PID namespace.
 *   spawn N SOCKET UNIT TOUCH
 *                            N times: stop UNIT, then time a start request
 *                            sent on SOCKET to the exec of UNIT's testd
 *   floor N NSSET TESTD TOUCH
 *                            the kernel's share, no supervisor: N times clone3
 *                            (with the namespaces of NSSET: none, or a list
 *                            like pid,mnt,uts,ipc,net,user) and exec
 *                            TESTD --touch TOUCH --exit-after 0; print the
 *                            child's start time - the time before clone3
 *   leaves N DIR TESTD TOUCH the floor of a boot of N units (issue 19): mkdir
 *                            DIR (a cgroup2 directory; +memory +pids in its
 *                            subtree, as initd's default_accounting), then N
 *                            times mkdir DIR/fI, open it, clone3 into it and
 *                            exec TESTD --touch TOUCH --exit-after 0, without
 *                            waiting between them; print the last child's
 *                            start time - the time before the first mkdir
 *   statreads ROOT SLICE     the kernel's share of `svctl status` (issue 19):
 *                            open and read memory.current and cpu.stat of
 *                            every cgroup in ROOT/SLICE through ROOT's fd,
 *                            as svctl's status table does (svctl/cgstat.c),
 *                            on one thread; print the usec (median of 5
 *                            rounds) and the count
 *   times N CMD...           fork+exec CMD N times (stdout and stderr to
 *                            /dev/null, after 3 unrecorded runs); print each
 *                            run's wall time, fork to reaped
 *   ready SOCKET CMD...      poll until SOCKET accepts a connection, run CMD
 *                            (e.g. svctl wait) until it succeeds, then print
 *                            the time
 *   notify N                 send N "STATUS=" datagrams to $NOTIFY_SOCKET
 *                            (waiting whenever its queue is full), then
 *                            READY=1, then sleep until a signal: what a
 *                            readiness datagram costs PID 1 (issue 19)
 *
 * A binary named stamp-NAME (a link to this one) is the VM tier's rdinit:
 * it writes the time to /bench/stamp-NAME.t0 and execs the command listed,
 * one argument per line, in /bench/stamp-NAME.cmd.
 *
 * Exit status: 0, 1 when a measurement could not be taken, 2 usage.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/mount.h>
#include <linux/sched.h>
#include <sys/inotify.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/proto.h"
#include "common/util.h"
#include "svctl/client.h"

#define WAIT_USEC    (5 * USEC_PER_SEC)   /* for one restart or spawn */
#define WARMUP_RUNS  3
#define ARGS_MAX     64

static void sleep_usec(uint64_t usec)
{
	struct timespec ts = { (time_t)(usec / USEC_PER_SEC), (long)(usec % USEC_PER_SEC) * 1000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static long parse_count(const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);

	return *s && !*end && n > 0 ? n : -1;
}

/* ---- testd's --touch file: "PID MONOTONIC_USEC" per start ------------------ */

struct touch_line {
	off_t size;      /* of the file: it only grows, one line per start */
	pid_t pid;       /* of the last line */
	uint64_t usec;
};

static int touch_read(const char *path, struct touch_line *ret)
{
	char buf[4096], *last;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	unsigned long long usec;
	int pid;

	if (fd < 0)
		return -errno;
	/* The file grows by one short line per start: the tail is enough. */
	off_t size = lseek(fd, 0, SEEK_END);
	off_t from = size > (off_t)sizeof(buf) - 1 ? size - (off_t)sizeof(buf) + 1 : 0;
	n = pread(fd, buf, sizeof(buf) - 1, from);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -ENODATA;
	buf[n] = '\0';
	if (buf[n - 1] != '\n')
		return -EAGAIN;            /* a line is being written */
	buf[n - 1] = '\0';
	last = strrchr(buf, '\n');
	last = last ? last + 1 : buf;
	if (sscanf(last, "%d %llu", &pid, &usec) != 2)
		return -EBADMSG;
	*ret = (struct touch_line){ size, pid, usec };
	return 0;
}

/* Wait until the touch file has grown past `before` bytes; inotify, with
 * a re-read after each event (and every 10 ms, in case one was missed). */
static int touch_wait_next(int ino, const char *path, off_t before, uint64_t deadline,
			   struct touch_line *ret)
{
	char evbuf[4096];

	for (;;) {
		if (touch_read(path, ret) == 0 && ret->size > before)
			return 0;
		uint64_t now = now_usec();
		if (now >= deadline)
			return -ETIMEDOUT;
		struct pollfd pfd = { .fd = ino, .events = POLLIN };
		if (poll(&pfd, 1, 10) > 0)
			(void)!read(ino, evbuf, sizeof(evbuf));
	}
}

static int watch_file(const char *path)
{
	int ino = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);

	if (ino < 0 || inotify_add_watch(ino, path, IN_MODIFY) < 0) {
		fprintf(stderr, "benchtool: inotify %s: %s\n", path, strerror(errno));
		safe_close(ino);
		return -1;
	}
	return ino;
}

/* ---- restart: SIGKILL -> next exec ---------------------------------------- */

static int cmd_restart(int argc, char **argv)
{
	long n = argc == 2 ? parse_count(argv[0]) : -1;
	const char *path = argc == 2 ? argv[1] : NULL;
	struct touch_line cur, next;
	int ino;

	if (n < 0)
		return 2;
	if (touch_wait_next(-1, path, 0, now_usec() + WAIT_USEC, &cur) < 0) {
		fprintf(stderr, "benchtool: %s: no start recorded\n", path);
		return 1;
	}
	ino = watch_file(path);
	if (ino < 0)
		return 1;
	for (long i = 0; i < n; i++) {
		/* Let initd see the exec report before the next kill. */
		sleep_usec(2000);
		uint64_t t0 = now_usec();
		if (kill(cur.pid, SIGKILL) < 0) {
			fprintf(stderr, "benchtool: kill %d: %s\n", (int)cur.pid, strerror(errno));
			return 1;
		}
		if (touch_wait_next(ino, path, cur.size, t0 + WAIT_USEC, &next) < 0) {
			fprintf(stderr, "benchtool: no restart within 5s after kill %ld\n", i + 1);
			return 1;
		}
		printf("%" PRIu64 "\n", next.usec - t0);
		cur = next;
	}
	close(ino);
	return 0;
}

/* ---- spawn: start request -> exec ----------------------------------------- */

static int request(const char *socket_path, uint16_t type, const char *name, uint64_t *ret_sent)
{
	struct client c;
	struct proto_buf b;
	struct reply rep;
	int r;

	r = client_connect(&c, socket_path, WAIT_USEC);
	if (r)
		return -ECONNREFUSED;
	proto_buf_init(&b, PROTO_HDR_SIZE + PROTO_REQUEST_MAX);
	proto_msg_begin(&b, type);
	if (name)
		proto_put_str(&b, PROTO_ATTR_NAME, name);
	proto_msg_end(&b);
	if (ret_sent)
		*ret_sent = now_usec();
	r = client_call(&c, &b, &rep);
	if (r == 0)
		reply_free(&rep);
	proto_buf_free(&b);
	client_close(&c);
	return r ? -EIO : 0;
}

static int cmd_spawn(int argc, char **argv)
{
	long n = argc == 4 ? parse_count(argv[0]) : -1;
	struct touch_line cur = { 0 }, next;
	int ino = -1;

	if (n < 0)
		return 2;
	const char *sock = argv[1], *unit = argv[2], *path = argv[3];
	for (long i = 0; i < n; i++) {
		uint64_t t0;

		if (request(sock, PROTO_REQ_STOP, unit, NULL) < 0)
			return 1;
		(void)touch_read(path, &cur);
		if (ino < 0 && access(path, F_OK) == 0)
			ino = watch_file(path);
		if (request(sock, PROTO_REQ_START, unit, &t0) < 0)
			return 1;
		if (touch_wait_next(ino, path, cur.size, t0 + WAIT_USEC, &next) < 0) {
			fprintf(stderr, "benchtool: %s did not start within 5s\n", unit);
			return 1;
		}
		printf("%" PRIu64 "\n", next.usec - t0);
	}
	safe_close(ino);
	return 0;
}

/* ---- floor: clone3 -> exec with no supervisor -------------------------------- */

static int ns_flags(const char *set, uint64_t *ret)
{
	static const struct { const char *name; uint64_t flag; } names[] = {
		{ "pid", CLONE_NEWPID }, { "mnt", CLONE_NEWNS }, { "uts", CLONE_NEWUTS },
		{ "ipc", CLONE_NEWIPC }, { "net", CLONE_NEWNET }, { "user", CLONE_NEWUSER },
		{ "cgroup", CLONE_NEWCGROUP },
	};
	char buf[256], *save, *tok;

	*ret = 0;
	if (strcmp(set, "none") == 0)
		return 0;
	snprintf(buf, sizeof(buf), "%s", set);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t i;
		for (i = 0; i < ARRAY_SIZE(names) && strcmp(names[i].name, tok); i++)
			;
		if (i == ARRAY_SIZE(names))
			return -EINVAL;
		*ret |= names[i].flag;
	}
	return 0;
}

static int cmd_floor(int argc, char **argv)
{
	long n = argc == 4 ? parse_count(argv[0]) : -1;
	char *args[] = { argv[2], "--touch", argv[3], "--exit-after", "0", NULL };
	struct touch_line cur = { 0 }, next;
	uint64_t flags;

	if (n < 0 || ns_flags(argv[1], &flags) < 0)
		return 2;
	for (long i = -WARMUP_RUNS; i < n; i++) {
		struct clone_args ca = { .flags = flags, .exit_signal = SIGCHLD };
		uint64_t t0 = now_usec();
		pid_t pid = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));

		if (pid < 0) {
			fprintf(stderr, "benchtool: clone3 (%s): %s\n", argv[1], strerror(errno));
			return 1;
		}
		if (pid == 0) {
			int null = open("/dev/null", O_WRONLY);
			dup2(null, 1);
			execv(args[0], args);
			_exit(127);
		}
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		if (touch_read(argv[3], &next) < 0 || next.size <= cur.size) {
			fprintf(stderr, "benchtool: %s did not start\n", argv[2]);
			return 1;
		}
		if (i >= 0)
			printf("%" PRIu64 "\n", next.usec - t0);
		cur = next;
	}
	return 0;
}

/* ---- leaves: N x (mkdir a leaf + clone3 into it + exec) --------------------- */

static pid_t leaf_spawn(int dir, long i, char **args)
{
	struct clone_args ca = { .flags = CLONE_INTO_CGROUP, .exit_signal = SIGCHLD };
	char name[32];
	int fd;
	pid_t pid;

	snprintf(name, sizeof(name), "f%ld", i);
	if (mkdirat(dir, name, 0755) < 0 && errno != EEXIST)
		return -1;
	fd = openat(dir, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ca.cgroup = (uint64_t)fd;
	pid = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		execv(args[0], args);
		_exit(127);
	}
	close(fd);
	return pid;
}

static int cmd_leaves(int argc, char **argv)
{
	long n = argc == 4 ? parse_count(argv[0]) : -1, started = 0;
	char *args[] = { argv[2], "--touch", argv[3], "--exit-after", "0", NULL };
	char path[PATH_MAX];
	uint64_t t0, last = 0;
	FILE *f;
	int dir, fd, status;
	pid_t pid;

	if (n < 0)
		return 2;
	if (mkdir(argv[1], 0755) < 0 && errno != EEXIST)
		return perror(argv[1]), 1;
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", argv[1]);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0 && write(fd, "+memory +pids", 13) < 0) {
		/* a kernel without them: the floor without accounting */
	}
	if (fd >= 0)
		close(fd);
	dir = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return perror(argv[1]), 1;
	t0 = now_usec();
	for (long i = 0; i < n; i++) {
		if (leaf_spawn(dir, i, args) < 0) {
			fprintf(stderr, "benchtool: leaf %ld: %s\n", i, strerror(errno));
			break;
		}
		started++;
	}
	while ((pid = wait(&status)) > 0 || (pid < 0 && errno == EINTR))
		;
	f = fopen(argv[3], "re");
	for (unsigned long long p, u; f && fscanf(f, "%llu %llu", &p, &u) == 2;)
		if (u > last)
			last = u;
	if (f)
		fclose(f);
	close(dir);
	if (started < n || !last)
		return 1;
	printf("%" PRIu64 "\n", last - t0);
	return 0;
}

/* ---- statreads: the kernel's share of `svctl status` ---------------------- */

/* statreads ROOT SLICE: for every cgroup below ROOT/SLICE, open and read its
 * memory.current and cpu.stat through ROOT's fd, as the status table does
 * (svctl/cgstat.c), on one thread; prints the time in usec (the median of
 * 5 rounds, after one unrecorded) and the count. */
#define STATREAD_ROUNDS 5

static int read_rel(int root, const char *path)
{
	char buf[512];
	int fd = openat(root, path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	return n < 0 ? -1 : 0;
}

static int compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int cmd_statreads(int argc, char **argv)
{
	static char names[20000][80];
	uint64_t took[STATREAD_ROUNDS];
	char path[PATH_MAX];
	size_t n = 0;
	struct dirent *de;
	int root;
	DIR *d;

	if (argc != 2)
		return 2;
	snprintf(path, sizeof(path), "%s/%s", argv[0], argv[1]);
	root = open(argv[0], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d = opendir(path);
	if (root < 0 || !d)
		return perror(path), 1;
	while ((de = readdir(d)) && n < ARRAY_SIZE(names))
		if (de->d_type == DT_DIR && de->d_name[0] != '.')
			snprintf(names[n++], sizeof(names[0]), "%.60s", de->d_name);
	closedir(d);
	for (int round = -1; round < STATREAD_ROUNDS; round++) {
		uint64_t t0 = now_usec();

		for (size_t i = 0; i < n; i++) {
			snprintf(path, sizeof(path), "%.200s/%.79s/memory.current", argv[1], names[i]);
			read_rel(root, path);
			snprintf(path, sizeof(path), "%.200s/%.79s/cpu.stat", argv[1], names[i]);
			read_rel(root, path);
		}
		if (round >= 0)
			took[round] = now_usec() - t0;
	}
	close(root);
	qsort(took, STATREAD_ROUNDS, sizeof(*took), compare_u64);
	printf("%" PRIu64 " %zu\n", took[STATREAD_ROUNDS / 2], n);
	return 0;
}

/* ---- times: whole-command latency ------------------------------------------ */

static int run_quiet(char **cmd, int *ret_status)
{
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		dup2(null, 2);
		execvp(cmd[0], cmd);
		_exit(127);
	}
	while (waitpid(pid, ret_status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

static int cmd_times(int argc, char **argv)
{
	long n = argc >= 2 ? parse_count(argv[0]) : -1;
	int status;

	if (n < 0)
		return 2;
	for (long i = -WARMUP_RUNS; i < n; i++) {
		uint64_t t0 = now_usec();
		if (run_quiet(argv + 1, &status) < 0 || status != 0) {
			fprintf(stderr, "benchtool: %s failed (status %d)\n", argv[1], status);
			return 1;
		}
		if (i >= 0)
			printf("%" PRIu64 "\n", now_usec() - t0);
	}
	return 0;
}

/* ---- ready: socket up, then CMD, then the time ------------------------------ */

static bool socket_accepts(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, r;

	if (strlen(path) >= sizeof(sa.sun_path))
		return false;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	return r == 0;
}

static int cmd_ready(int argc, char **argv)
{
	uint64_t deadline = now_usec() + 60 * USEC_PER_SEC;
	int status;

	if (argc < 2)
		return 2;
	while (!socket_accepts(argv[0])) {
		if (now_usec() > deadline) {
			fprintf(stderr, "benchtool: %s never accepted a connection\n", argv[0]);
			return 1;
		}
		sleep_usec(100);
	}
	/* Until initd has its model, `svctl wait` is refused ("still loading"). */
	while (run_quiet(argv + 1, &status) < 0 || status != 0) {
		if (now_usec() > deadline) {
			fprintf(stderr, "benchtool: %s failed (status %d)\n", argv[1], status);
			return 1;
		}
		sleep_usec(100);
	}
	printf("%" PRIu64 "\n", now_usec());
	return 0;
}

/* ---- notify ------------------------------------------------------------------ */

static int cmd_notify(int argc, char **argv)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t len;
	long n = argc == 1 ? strtol(argv[0], NULL, 10) : -1;
	char msg[64];
	int fd;

	if (n < 0 || !path || !*path || strlen(path) >= sizeof(sa.sun_path))
		return 2;
	memcpy(sa.sun_path, path, strlen(path));
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = '\0';
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 1;
	for (long i = 0; i <= n; i++) {
		int m = i < n ? snprintf(msg, sizeof(msg), "STATUS=flood %ld", i)
			      : snprintf(msg, sizeof(msg), "READY=1");

		/* a full queue: blocks (a datagram socket's send waits for room) */
		if (sendto(fd, msg, (size_t)m, 0, (struct sockaddr *)&sa, len) < 0) {
			fprintf(stderr, "benchtool: notify: %s\n", strerror(errno));
			return 1;
		}
	}
	close(fd);
	pause();
	return 0;
}

/* ---- exec-stamp and stamp-NAME ---------------------------------------------- */

static int write_stamp(const char *path)
{
	char line[32];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int n = snprintf(line, sizeof(line), "%" PRIu64 "\n", now_usec());

	if (fd < 0)
		return -errno;
	n = write_all(fd, line, (size_t)n);
	close(fd);
	return n;
}

static int cmd_exec_stamp(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	if (write_stamp(argv[0]) < 0)
		fprintf(stderr, "benchtool: %s: %s\n", argv[0], strerror(errno));
	/* CMD starts as a booting PID 1 does, with stdin, stdout and stderr
	 * only: an fd the shell or the harness left open (bash's fd 251, a
	 * pipe) would be held by initd for its life and, at 64 or above,
	 * send every spawn through the fd window (DESIGN §7), which a real
	 * boot with few units does not take. */
	close_range(3, ~0U, 0);
	execvp(argv[1], argv + 1);
	fprintf(stderr, "benchtool: exec %s: %s\n", argv[1], strerror(errno));
	return 1;
}

/* PID 1's /proc/self/schedstat (CPU time, time waiting for a CPU, in
 * ns; timeslices) before the init runs, into PATH: the kernel's own boot
 * ran as PID 1 too, and the reports count from here. Read through a proc
 * mounted nowhere (fsopen, fsmount): the init must find the tree as the
 * kernel left it. Nothing written if that fails (the column says "-"). */
static void write_schedstat(const char *path)
{
	char buf[128];
	int fs, mnt = -1, fd = -1, out;
	ssize_t n = -1;

	fs = (int)syscall(SYS_fsopen, "proc", FSOPEN_CLOEXEC);
	if (fs >= 0 && syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0)
		mnt = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, 0);
	if (mnt >= 0)
		fd = openat(mnt, "self/schedstat", O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		n = read(fd, buf, sizeof(buf));
	if (n > 0) {
		out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (out >= 0) {
			(void)write_all(out, buf, (size_t)n);
			close(out);
		}
	}
	safe_close(fd);
	safe_close(mnt);
	safe_close(fs);
}

/* PID 1 of a VM: never return; if the real init cannot run, sleep. */
static _Noreturn void stamp_init(const char *name)
{
	char path[PATH_MAX], buf[4096], *args[ARGS_MAX + 1];
	int fd, n = 0;
	ssize_t len;

	snprintf(path, sizeof(path), "/bench/%s.t0", name);
	(void)write_stamp(path);
	snprintf(path, sizeof(path), "/bench/%s.sched", name);
	write_schedstat(path);
	snprintf(path, sizeof(path), "/bench/%s.cmd", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	len = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (len > 0) {
		buf[len] = '\0';
		for (char *save, *a = strtok_r(buf, "\n", &save); a && n < ARGS_MAX;
		     a = strtok_r(NULL, "\n", &save))
			args[n++] = a;
		args[n] = NULL;
		if (n > 0)
			execv(args[0], args);
	}
	fprintf(stderr, "%s: cannot run %s\n", name, path);
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = {
		{ "restart", cmd_restart }, { "spawn", cmd_spawn }, { "times", cmd_times }, { "floor", cmd_floor },
		{ "leaves", cmd_leaves }, { "statreads", cmd_statreads },
		{ "ready", cmd_ready }, { "exec-stamp", cmd_exec_stamp }, { "notify", cmd_notify },
	};
	const char *self = strrchr(argv[0], '/');

	self = self ? self + 1 : argv[0];
	if (strncmp(self, "stamp-", 6) == 0)
		stamp_init(self);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && strcmp(argv[1], "now") == 0) {
		printf("%" PRIu64 "\n", now_usec());
		return 0;
	}
	for (size_t i = 0; argc >= 2 && i < ARRAY_SIZE(cmds); i++) {
		if (strcmp(argv[1], cmds[i].name) == 0) {
			int r = cmds[i].fn(argc - 2, argv + 2);
			if (r == 2)
				fprintf(stderr, "benchtool: usage error in '%s' (see bench/benchtool.c)\n",
					argv[1]);
			return r;
		}
	}
	fprintf(stderr, "usage: benchtool now|exec-stamp|restart|spawn|floor|leaves|statreads|times|ready|notify ...\n");
	return 2;
}

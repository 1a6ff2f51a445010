/* hog.c — misbehaving programs for the VM tier (tests/vm), one per mode.
 * Built statically by tests/vm/run.sh and carried in the image as
 * /usr/lib/vmtest/hog.
 *
 *   hog mem MB [HOLD_MB GO] touch MB MiB of anonymous memory, then sleep for
 *                           ever (in a 32M leaf: OOM-killed). With HOLD_MB and
 *                           GO: touch HOLD_MB first and wait (alive, below
 *                           the limit) until the file GO exists, then go on.
 *                           A test gets a hog that is surely running, then
 *                           lets it (and every later start) hog
 *   hog forkbomb MAX        fork sleeping children until MAX exist, retrying
 *                           every 10 ms when fork fails (pids.max); never
 *                           exits. Bounded so that a missing limit cannot
 *                           take the VM down.
 *   hog spin                burn CPU for ever
 *   hog term NAME MS|hang   sleep; on SIGTERM write "vmtest: NAME got SIGTERM"
 *                           to /dev/kmsg at level crit (so the console shows
 *                           it with the kernel's timestamp), then die by
 *                           SIGTERM MS ms later, or ("hang") keep running
 *   hog killloop CGDIR N SECS
 *                           N times: wait until CGDIR/cgroup.procs holds one
 *                           PID not killed before, SIGKILL it. Prints
 *                           "killloop: killed K in MS ms"; exit 0 when K == N
 *   hog chaos SECS SEED CGDIR...
 *                           for SECS seconds: SIGKILL a random process of a
 *                           random CGDIR (any process of its subtree), then
 *                           sleep 0-40 ms. Prints "chaos: K kills in SECS s"
 *   hog memscan PID MARKER  read every readable mapping of PID through
 *                           /proc/PID/maps and /proc/PID/mem; exit 0 and print
 *                           "memscan: found" when MARKER is there, 1 when not
 *                           ("memscan: not found in N bytes"), 2 when nothing
 *                           could be read
 *   hog peekmem PID         open /proc/PID/mem and read one byte of PID's
 *                           first readable mapping: exit 0 ("peekmem: read")
 *                           when it works, 1 ("peekmem: open|read: ERROR")
 *                           when the kernel refuses
 *   hog mount TARGET        mount(2) a tmpfs on TARGET, print "mount: ok" or
 *                           "mount: errno N", then ordinary work (read its
 *                           own /proc status: "work: ok"), then sleep for
 *                           ever (seccomp.sh: a denied call's errno)
 *
 * No mode opens a file descriptor it keeps (the fd checks of faults.sh look
 * at these processes too).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static _Noreturn void mode_mem(long mb, long hold_mb, const char *go)
{
	long page = sysconf(_SC_PAGESIZE);

	for (long i = 0; i < mb; i++) {
		if (go && i == hold_mb) {
			say("hog mem: %ld MiB, holding until %s exists", i, go);
			while (access(go, F_OK) < 0)
				sleep_ms(20);
			say("hog mem: %s is there, going on", go);
		}
		char *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			say("hog mem: mmap failed after %ld MiB: %s", i, strerror(errno));
			break;
		}
		for (long off = 0; off < (1 << 20); off += page)
			p[off] = (char)(i + 1);
		if ((i + 1) % 8 == 0)
			say("hog mem: %ld MiB", i + 1);
	}
	say("hog mem: holding");
	for (;;)
		pause();
}

static _Noreturn void mode_forkbomb(long max)
{
	long n = 0, fails = 0;
	int said = 0;

	for (;;) {
		if (n >= max) {
			if (!said)
				say("forkbomb: %ld children, stopping there", n);
			said = 1;
			pause();
			continue;
		}
		pid_t p = fork();
		if (p == 0) {
			for (;;)
				pause();
		}
		if (p > 0) {
			n++;
			continue;
		}
		if (fails++ == 0)
			say("forkbomb: fork failed after %ld children: %s", n, strerror(errno));
		sleep_ms(10);
	}
}

static _Noreturn void mode_spin(void)
{
	volatile unsigned long x = 0;

	for (;;)
		x++;
}

static volatile sig_atomic_t got_term;
static void on_term(int sig) { (void)sig; got_term = 1; }

static void kmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void kmsg(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n, fd;

	n = snprintf(buf, sizeof(buf), "<2>");
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (fd >= 0) {
		if (write(fd, buf, (size_t)n) < 0) {
			/* nothing to do */
		}
		close(fd);
	}
}

static _Noreturn void mode_term(const char *name, const char *how)
{
	int hang = strcmp(how, "hang") == 0;
	long delay = hang ? 0 : atol(how);
	struct sigaction sa = { .sa_handler = on_term };
	sigset_t term, old;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	for (;;) {
		/* Block TERM only around the check, so no signal is missed
		 * between the check and the sleep; the mask is empty while
		 * sleeping (SigBlk reads 0). */
		sigprocmask(SIG_BLOCK, &term, &old);
		while (!got_term)
			sigsuspend(&old);
		got_term = 0;
		sigprocmask(SIG_SETMASK, &old, NULL);
		kmsg("vmtest: %s got SIGTERM%s", name, hang ? ", ignoring it" : "");
		if (!hang) {
			sleep_ms(delay);
			kmsg("vmtest: %s exits", name);
			signal(SIGTERM, SIG_DFL);
			raise(SIGTERM);
			_exit(143);
		}
	}
}

/* Read up to max PIDs from DIR/cgroup.procs. */
static int read_procs(const char *dir, pid_t *pids, int max)
{
	char path[512], buf[8192];
	int fd, n = 0;
	ssize_t len;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len < 0)
		return -1;
	buf[len] = 0;
	for (char *s = buf, *end; *s && n < max; s = end) {
		long v = strtol(s, &end, 10);
		if (end == s)
			break;
		/* An exiting task whose pid is already released is listed as
		 * 0, and kill(0, SIGKILL) kills the caller's own process group:
		 * the run-script (a 1000-kill run lost it so, once). */
		if (v > 0)
			pids[n++] = (pid_t)v;
		while (*end == '\n')
			end++;
	}
	return n;
}

static int mode_killloop(const char *dir, long want, long secs)
{
	uint64_t t0 = now_ms(), deadline = t0 + (uint64_t)secs * 1000;
	pid_t last = 0, pids[16];
	long killed = 0;

	while (killed < want && now_ms() < deadline) {
		int n = read_procs(dir, pids, 16);
		if (n == 1 && pids[0] != last) {
			if (kill(pids[0], SIGKILL) == 0) {
				last = pids[0];
				killed++;
			}
			continue;
		}
		/* Not there yet (restarting) or more than one (never expected
		 * for a sleep service: say so). */
		if (n > 1)
			say("killloop: %d processes in %s", n, dir);
		sleep_ms(1);
	}
	say("killloop: killed %ld in %llu ms", killed, (unsigned long long)(now_ms() - t0));
	return killed == want ? 0 : 1;
}

/* Collect every PID of DIR's subtree (DIR and its child cgroups). */
static int subtree_procs(const char *dir, pid_t *pids, int max, int depth)
{
	int n = read_procs(dir, pids, max);
	DIR *d;
	struct dirent *e;

	if (n < 0)
		n = 0;
	if (depth > 3 || !(d = opendir(dir)))
		return n;
	while ((e = readdir(d)) && n < max) {
		char sub[512];
		if (e->d_type != DT_DIR || e->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name);
		n += subtree_procs(sub, pids + n, max - n, depth + 1);
	}
	closedir(d);
	return n;
}

static int mode_chaos(long secs, unsigned seed, int ndirs, char **dirs)
{
	uint64_t t0 = now_ms(), deadline = t0 + (uint64_t)secs * 1000;
	long kills = 0, empty = 0;
	pid_t pids[256];

	srandom(seed);
	while (now_ms() < deadline) {
		const char *dir = dirs[random() % ndirs];
		int n = subtree_procs(dir, pids, 256, 0);
		if (n > 0 && kill(pids[random() % n], SIGKILL) == 0)
			kills++;
		else
			empty++;
		sleep_ms(random() % 41);
	}
	say("chaos: %ld kills in %ld s (%ld picks found nothing to kill)", kills, secs, empty);
	return 0;
}

/* Next readable mapping "START-END r..." of an open /proc/PID/maps. */
static int next_readable(FILE *maps, unsigned long *start, unsigned long *end)
{
	char line[512], perms[8];

	while (fgets(line, sizeof(line), maps))
		if (sscanf(line, "%lx-%lx %7s", start, end, perms) == 3 && perms[0] == 'r')
			return 1;
	return 0;
}

static FILE *open_maps(const char *pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%s/maps", pid);
	return fopen(path, "re");
}

static int mode_memscan(const char *pid, const char *marker)
{
	size_t mlen = strlen(marker), total = 0;
	unsigned long start, end;
	static char buf[1 << 16];
	char path[64];
	FILE *maps = open_maps(pid);
	int fd, found = 0;

	snprintf(path, sizeof(path), "/proc/%s/mem", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (!maps || fd < 0) {
		say("memscan: cannot open %s: %s", maps ? path : "maps", strerror(errno));
		return 2;
	}
	while (!found && next_readable(maps, &start, &end)) {
		/* overlapping chunks, so a marker across two reads is seen */
		for (unsigned long a = start; !found && a < end; a += sizeof(buf) - mlen) {
			size_t want = end - a < sizeof(buf) ? end - a : sizeof(buf);
			ssize_t n = pread(fd, buf, want, (off_t)a);
			if (n <= 0)
				break;
			total += (size_t)n;
			found = memmem(buf, (size_t)n, marker, mlen) != NULL;
			if ((size_t)n < mlen)
				break;
		}
	}
	if (found) {
		say("memscan: found");
		return 0;
	}
	say("memscan: not found in %zu bytes", total);
	return total ? 1 : 2;
}

static int mode_peekmem(const char *pid)
{
	unsigned long start, end;
	char path[64], c;
	FILE *maps = open_maps(pid);
	int fd;

	snprintf(path, sizeof(path), "/proc/%s/mem", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		say("peekmem: open: %s", strerror(errno));
		return 1;
	}
	if (!maps || !next_readable(maps, &start, &end)) {
		/* maps is refused like mem: try the usual load address */
		start = 0x400000;
	}
	if (pread(fd, &c, 1, (off_t)start) != 1) {
		say("peekmem: read: %s", strerror(errno));
		return 1;
	}
	say("peekmem: read");
	return 0;
}

static void mode_mount(const char *target)
{
	char buf[256];
	int fd;

	if (mount("none", target, "tmpfs", 0, NULL) == 0)
		say("mount: ok");
	else
		say("mount: errno %d", errno);
	fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	say("work: %s", fd >= 0 && read(fd, buf, sizeof(buf)) > 0 ? "ok" : strerror(errno));
	if (fd >= 0)
		close(fd);
	for (;;)
		pause();
}

static int usage(void)
{
	fputs("usage: hog mem MB [HOLD_MB GO] | forkbomb MAX | spin | term NAME MS|hang |\n"
	      "           killloop CGDIR N SECS | chaos SECS SEED CGDIR... |\n"
	      "           memscan PID MARKER | peekmem PID | mount TARGET\n", stderr);
	return 2;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(argv[1], "mem") && argc == 3)
		mode_mem(atol(argv[2]), 0, NULL);
	if (!strcmp(argv[1], "mem") && argc == 5)
		mode_mem(atol(argv[2]), atol(argv[3]), argv[4]);
	if (!strcmp(argv[1], "forkbomb") && argc == 3)
		mode_forkbomb(atol(argv[2]));
	if (!strcmp(argv[1], "spin") && argc == 2)
		mode_spin();
	if (!strcmp(argv[1], "term") && argc == 4)
		mode_term(argv[2], argv[3]);
	if (!strcmp(argv[1], "killloop") && argc == 5)
		return mode_killloop(argv[2], atol(argv[3]), atol(argv[4]));
	if (!strcmp(argv[1], "chaos") && argc >= 5)
		return mode_chaos(atol(argv[2]), (unsigned)atol(argv[3]), argc - 4, argv + 4);
	if (!strcmp(argv[1], "memscan") && argc == 4)
		return mode_memscan(argv[2], argv[3]);
	if (!strcmp(argv[1], "peekmem") && argc == 3)
		return mode_peekmem(argv[2]);
	if (!strcmp(argv[1], "mount") && argc == 3)
		mode_mount(argv[2]);
	return usage();
}

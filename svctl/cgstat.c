/* cgstat.c — see cgstat.h. */
#include "svctl/cgstat.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "common/proto.h"
#include "common/util.h"

#define CGSTAT_CHUNK    16    /* units a thread takes at a time */

struct cgstat_job {
	int root_fd;
	uint32_t want;
	struct unit_status *u;
	size_t n;
	atomic_size_t next;
};

/* FILE of the cgroup cg ("" the root) into buf: one read, as PID 1's own
 * stat reads (a kernfs file this small comes whole). */
int cgstat_read(int root_fd, const char *cg, const char *file, char buf[CGSTAT_FILE_MAX])
{
	char path[PATH_MAX];
	ssize_t r;
	int fd, n;

	while (*cg == '/')   /* "path below the cgroup2 root" */
		cg++;
	n = snprintf(path, sizeof(path), "%s%s%s", cg, *cg ? "/" : "", file);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	/* O_NONBLOCK: a path from the reply that is no cgroup file (a FIFO
	 * past "..") does not hang svctl */
	fd = openat(root_fd, path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = read(fd, buf, CGSTAT_FILE_MAX - 1);
	close(fd);
	if (r < 0)
		return -errno;
	buf[r] = '\0';
	return 0;
}

static void cg_set(struct unit_status *u, uint16_t attr, uint64_t v)
{
	u->cg[attr - STATUS_CG_FIRST] = v;
	u->cg_have |= 1U << (attr - STATUS_CG_FIRST);
}

/* A file holding one number. */
static void read_number(int root_fd, const char *cg, const char *file, struct unit_status *u,
			uint16_t attr)
{
	char buf[CGSTAT_FILE_MAX], *end;
	uint64_t v;

	if (cgstat_read(root_fd, cg, file, buf) < 0)
		return;
	errno = 0;
	v = strtoull(buf, &end, 10);
	if (!errno && end != buf)
		cg_set(u, attr, v);
}

static void unit_read(int root_fd, struct unit_status *u, uint32_t want)
{
	char buf[CGSTAT_FILE_MAX];
	const char *cg = u->cgroup;
	uint64_t v;

	if (want & CGSTAT_BIT(PROTO_ATTR_MEM_CURRENT))
		read_number(root_fd, cg, "memory.current", u, PROTO_ATTR_MEM_CURRENT);
	if (want & CGSTAT_BIT(PROTO_ATTR_MEM_PEAK))
		read_number(root_fd, cg, "memory.peak", u, PROTO_ATTR_MEM_PEAK);
	if ((want & CGSTAT_BIT(PROTO_ATTR_CPU_USAGE_USEC)) &&
	    cgstat_read(root_fd, cg, "cpu.stat", buf) == 0 &&
	    cgroup_keyed_value(buf, "usage_usec", &v) == 0)
		cg_set(u, PROTO_ATTR_CPU_USAGE_USEC, v);
}

static void *cgstat_work(void *arg)
{
	struct cgstat_job *job = arg;
	size_t i, end;

	while ((i = atomic_fetch_add(&job->next, CGSTAT_CHUNK)) < job->n) {
		end = i + CGSTAT_CHUNK < job->n ? i + CGSTAT_CHUNK : job->n;
		for (; i < end; i++)
			if (job->u[i].cgroup && job->u[i].cgroup[0])
				unit_read(job->root_fd, &job->u[i], job->want);
	}
	return NULL;
}

/* Each unit's files (those want asks for) are its own struct's: the
 * threads share nothing but the index of the next chunk. A thread that
 * cannot be made leaves its share to the others. */
void cgstat_fill_at(int root_fd, struct unit_status *u, size_t n, unsigned threads,
		   uint32_t want)
{
	struct cgstat_job job = { .root_fd = root_fd, .want = want, .u = u, .n = n };
	pthread_t tid[CGSTAT_THREADS_MAX];
	unsigned made = 0;

	atomic_init(&job.next, 0);
	if (threads > CGSTAT_THREADS_MAX)
		threads = CGSTAT_THREADS_MAX;
	while (made + 1 < threads && pthread_create(&tid[made], NULL, cgstat_work, &job) == 0)
		made++;
	cgstat_work(&job);
	while (made > 0)
		pthread_join(tid[--made], NULL);
}

/* The CPUs svctl may run on (its affinity, not the machine's count). */
static unsigned threads_for(size_t n)
{
	size_t t = n / CGSTAT_UNITS_A_THREAD;
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) == 0 && t > (size_t)CPU_COUNT(&set))
		t = (size_t)CPU_COUNT(&set);
	if (t > CGSTAT_THREADS_MAX)
		t = CGSTAT_THREADS_MAX;
	return t ? (unsigned)t : 1;
}

/* The path names initd's root in PID 1's mount namespace. In svctl's it
 * may be no cgroup2 (a mount namespace of its own) or another cgroup's
 * view (a container's initd asked from the host, whose /sys/fs/cgroup is
 * the whole tree): the inode number, a cgroup's id through any mount,
 * tells the same directory from another. */
int cgstat_root_open(const void *payload, size_t len)
{
	struct proto_attr_view a;
	const char *root = NULL;
	uint64_t id;
	struct statfs sfs;
	struct stat st;
	_cleanup_close_ int fd = -1;

	if (proto_attr_find(payload, len, PROTO_ATTR_CGROUP_ROOT, &a) != 1 ||
	    proto_get_str(&a, &root) < 0)
		return -ENODATA;
	if (proto_attr_find(payload, len, PROTO_ATTR_CGROUP_ROOT_ID, &a) != 1 ||
	    proto_get_u64(&a, &id) < 0 || root[0] != '/')
		return -EINVAL;
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstatfs(fd, &sfs) < 0 || fstat(fd, &st) < 0)
		return -errno;
	if (sfs.f_type != CGROUP2_SUPER_MAGIC)
		return -ENOMEDIUM;
	if (st.st_ino != id)
		return -EXDEV;
	return TAKE_FD(fd);
}

int cgstat_fill(const void *payload, size_t len, struct unit_status *u, size_t n,
		uint32_t want)
{
	_cleanup_close_ int fd = cgstat_root_open(payload, len);

	if (fd == -ENODATA)
		return 0;
	if (fd < 0)
		return fd;
	cgstat_fill_at(fd, u, n, threads_for(n), want);
	return 0;
}

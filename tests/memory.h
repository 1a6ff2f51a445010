/* memory.h — how much more memory the calling test can take, for the
 * unit tests that need hundreds of MB (a model decoded up to its budget).
 * Where less is to be had (a CI job's memory-limited cgroup, a ulimit)
 * they would fail on ENOMEM or die by the OOM killer, which reads as the
 * code's failure: they ask test_memory_short first and say SKIPPED. The
 * room is the least of what these leave: RLIMIT_AS beside VmSize,
 * RLIMIT_DATA beside VmData; memory.max and memory.high (cgroup v2) or
 * memory.limit_in_bytes (v1) of the process's cgroup and of each above
 * it, beside its usage less its page cache (the kernel reclaims that
 * before it kills); MemAvailable. A bound that cannot be read (no /proc,
 * no such cgroup file) is none. */
#ifndef INITD_TESTS_MEMORY_H
#define INITD_TESTS_MEMORY_H

#include <check.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#define TEST_MEMORY_NONE SIZE_MAX   /* no bound */

static inline size_t test_memory_min(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* limit less used, 0 past it */
static inline size_t test_memory_less(size_t limit, size_t used)
{
	return limit > used ? limit - used : 0;
}

/* The number after KEY at the start of one of PATH's lines ("VmSize:" in
 * kB, "active_file " in bytes), times unit; missing without it. */
static inline size_t test_memory_field(const char *path, const char *key, size_t unit,
				       size_t missing)
{
	unsigned long long v;
	size_t found = missing;
	char line[256];
	FILE *f = fopen(path, "re");

	if (!f)
		return missing;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, strlen(key)) == 0 &&
		    sscanf(line + strlen(key), "%llu", &v) == 1) {
			found = (size_t)v * unit;
			break;
		}
	fclose(f);
	return found;
}

/* The number in DIR/NAME (a cgroup file): TEST_MEMORY_NONE for "max", or
 * without the file. */
static inline size_t test_memory_file(const char *dir, const char *name)
{
	unsigned long long v;
	char path[4200];
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!(f = fopen(path, "re")))
		return TEST_MEMORY_NONE;
	n = fscanf(f, "%llu", &v);
	fclose(f);
	return n == 1 && v < TEST_MEMORY_NONE ? (size_t)v : TEST_MEMORY_NONE;
}

/* What a resource limit leaves beside what the process has of it (KEY in
 * /proc/self/status). */
static inline size_t test_memory_rlimit(int resource, const char *key)
{
	struct rlimit r;

	if (getrlimit(resource, &r) < 0 || r.rlim_cur == RLIM_INFINITY)
		return TEST_MEMORY_NONE;
	return test_memory_less(r.rlim_cur, test_memory_field("/proc/self/status", key, 1024, 0));
}

/* One count of a cgroup's memory.stat, in bytes: v1's total_NAME where
 * there is one (its usage counts the cgroups below, as v2's NAME does). */
static inline size_t test_memory_stat(const char *stat, const char *name)
{
	char key[64];
	size_t v;

	snprintf(key, sizeof(key), "total_%s ", name);
	v = test_memory_field(stat, key, 1, TEST_MEMORY_NONE);
	if (v != TEST_MEMORY_NONE)
		return v;
	snprintf(key, sizeof(key), "%s ", name);
	return test_memory_field(stat, key, 1, 0);
}

/* What one cgroup directory's LIMITS (NULL-ended) leave beside its usage
 * (the file CURRENT) less its page cache (memory.stat). */
static inline size_t test_memory_cgroup_dir(const char *dir, const char *const *limits,
					    const char *current)
{
	size_t limit = TEST_MEMORY_NONE, used, cache;
	char stat[4200];

	for (; *limits; limits++)
		limit = test_memory_min(limit, test_memory_file(dir, *limits));
	if (limit == TEST_MEMORY_NONE)
		return TEST_MEMORY_NONE;
	used = test_memory_file(dir, current);
	if (used == TEST_MEMORY_NONE)
		used = 0;
	snprintf(stat, sizeof(stat), "%s/memory.stat", dir);
	cache = test_memory_stat(stat, "active_file") + test_memory_stat(stat, "inactive_file");
	return test_memory_less(limit, test_memory_less(used, cache));
}

/* The path in /proc/self/cgroup of the hierarchy whose controllers field
 * is CONTROLLERS ("" for v2's, "memory" for v1's), into buf; false
 * without it. */
static inline bool test_memory_cgroup_path(const char *controllers, char *buf, size_t size)
{
	char line[4096], *fields, *path;
	bool found = false;
	FILE *f = fopen("/proc/self/cgroup", "re");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		if (!(fields = strchr(line, ':')) || !(path = strchr(++fields, ':')))
			continue;
		*path++ = '\0';
		path[strcspn(path, "\n")] = '\0';
		found = strcmp(fields, controllers) == 0 && strlen(path) < size;
		if (found)
			strcpy(buf, path);
	}
	fclose(f);
	return found;
}

/* What the process's cgroup in the hierarchy mounted at ROOT, and each
 * cgroup above it up to ROOT, leave (test_memory_cgroup_dir). */
static inline size_t test_memory_cgroup(const char *root, const char *controllers,
					const char *const *limits, const char *current)
{
	size_t room = TEST_MEMORY_NONE, n = strlen(root);
	char dir[4096], *slash;

	if (!test_memory_cgroup_path(controllers, dir + n, sizeof(dir) - n))
		return TEST_MEMORY_NONE;
	memcpy(dir, root, n);
	for (;;) {
		room = test_memory_min(room, test_memory_cgroup_dir(dir, limits, current));
		if (!(slash = strrchr(dir + n, '/')))
			return room;
		*slash = '\0';
	}
}

/* The room left to this process, in bytes; *ret_bound names the bound
 * that leaves the least (TEST_MEMORY_NONE: "nothing"). */
static inline size_t test_memory_room(const char **ret_bound)
{
	static const char *const v2[] = { "memory.max", "memory.high", NULL };
	static const char *const v1[] = { "memory.limit_in_bytes", NULL };
	const struct { const char *name; size_t room; } bounds[] = {
		{ "RLIMIT_AS", test_memory_rlimit(RLIMIT_AS, "VmSize:") },
		{ "RLIMIT_DATA", test_memory_rlimit(RLIMIT_DATA, "VmData:") },
		{ "the cgroup's memory.max or memory.high",
		  test_memory_cgroup("/sys/fs/cgroup", "", v2, "memory.current") },
		{ "the cgroup's memory.limit_in_bytes",
		  test_memory_cgroup("/sys/fs/cgroup/memory", "memory", v1, "memory.usage_in_bytes") },
		{ "MemAvailable",
		  test_memory_field("/proc/meminfo", "MemAvailable:", 1024, TEST_MEMORY_NONE) },
	};
	size_t room = TEST_MEMORY_NONE;

	*ret_bound = "nothing";
	for (size_t i = 0; i < sizeof(bounds) / sizeof(bounds[0]); i++)
		if (bounds[i].room < room) {
			room = bounds[i].room;
			*ret_bound = bounds[i].name;
		}
	return room;
}

/* True, having said SKIPPED on stderr with what is short, when the
 * running Check test cannot take NEED more bytes of memory. */
static inline bool test_memory_short(size_t need)
{
	const char *bound;
	size_t room = test_memory_room(&bound);

	if (room >= need)
		return false;
	fprintf(stderr, "%s: SKIPPED %s (it needs %zu MB of memory; %s leaves %zu MB)\n",
		program_invocation_short_name, tcase_name(), need >> 20, bound, room >> 20);
	return true;
}

#endif

/* compiled.c — initd.model: a unit set compiled at image build time, and
 * the digest that says whether it still is what the files say (issue 19).
 *
 * Under emulation or on a slow board, exec'ing initd-loader and parsing
 * is most of the way to the first service. An image's unit files do not
 * change between builds, so `initd --compile` writes the loader's answer
 * to a file once, headed by a digest of everything a load reads; PID 1
 * decodes that file at boot (the same bounded decoder a loader's answer
 * goes through) if the digest of the files it finds still matches, and
 * runs the loader otherwise. PID 1 reads the files to hash them, never
 * parses them.
 *
 * What a load reads, and so what the digest covers: the initd that
 * compiles (INITD_VERSION: another parser may read the same bytes
 * otherwise), initd.conf's and the units directory's paths as the boot
 * names them (a model names its files; an image is compiled under ROOT,
 * which is cut off), initd.conf (or its absence), the *.unit names of the units directory (a file added,
 * renamed or removed) and each one's first UNIT_FILE_MAX + 1 bytes (as
 * source.c reads them; more is an error either way; a file that is not as
 * long as its fstat says gives no digest). Each input is framed (a tag,
 * lengths) so no two input sets hash the same stream.
 *
 * The file:  magic "iumc" | version u8 | zero u8 | machine u16 LE |
 *            initd u64 LE | digest u64 LE | check u64 LE |
 *            unit_set_encode's bytes
 * where machine is the ELF machine initd was built for: a seccomp filter
 * is compiled for one architecture, so a model is too.
 * where initd is the same hash of INITD_VERSION alone: the digest covers
 * it too, but a digest that differs cannot say whether the files or the
 * initd did, and another initd's model was logged as "the unit files
 * changed".
 * where check is the same hash over those bytes: a file damaged on disk
 * is refused, not decoded into another valid model.
 */
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "units/internal.h"

#if defined(__x86_64__)
#define MODEL_MACHINE EM_X86_64
#elif defined(__aarch64__)
#define MODEL_MACHINE EM_AARCH64
#elif defined(__i386__)
#define MODEL_MACHINE EM_386
#elif defined(__arm__)
#define MODEL_MACHINE EM_ARM
#elif defined(__riscv)
#define MODEL_MACHINE EM_RISCV
#else
#define MODEL_MACHINE EM_NONE
#endif

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME  0x100000001b3ULL

bool unit_file_name_ok(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 5 && strcmp(name + n - 5, ".unit") == 0;
}

static void hash_bytes(uint64_t *h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		*h = (*h ^ b[i]) * FNV_PRIME;
}

static void hash_u64(uint64_t *h, uint64_t v)
{
	uint8_t le[8];

	for (int i = 0; i < 8; i++)
		le[i] = (uint8_t)(v >> (8 * i));
	hash_bytes(h, le, sizeof(le));
}

/* A regular file's bytes as source.c reads them, the first len =
 * min(size, UNIT_FILE_MAX + 1), framed by len, through a buffer of a
 * page: its size (from fstat) comes first, so no buffer holds the whole
 * file (one of UNIT_FILE_MAX was a mapping of its own on PID 1's path to
 * the first spawn, and its unmap, ~4 ms under TCG). A file that ends
 * before len, or under the cap goes on past it, changed since its fstat:
 * -EAGAIN, no digest (the loader reads it). */
static int hash_content(uint64_t *h, int fd, uint64_t size)
{
	uint64_t len = size > UNIT_FILE_MAX ? UNIT_FILE_MAX + 1 : size, left = len;
	char buf[4096];
	ssize_t n;

	hash_bytes(h, "=", 1);
	hash_u64(h, len);
	for (;;) {
		if (!left && len > UNIT_FILE_MAX)
			return 0;   /* the cap read: what follows is not hashed */
		n = read(fd, buf, left && left < sizeof(buf) ? (size_t)left : sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (!left)   /* the read that must find the end */
			return n == 0 ? 0 : -EAGAIN;
		if (n == 0)
			return -EAGAIN;
		hash_bytes(h, buf, (size_t)n);
		left -= (uint64_t)n;
	}
}

/* One input: its tag and label (a unit file's name; initd.conf has none:
 * its path is where the tree is now, not what it holds), then either what
 * made it unreadable the way the loader would see it (absent, not a
 * regular file) or its length and bytes. Any other failure (EMFILE, EIO)
 * is returned: no digest. */
static int hash_file(uint64_t *h, int dirfd, const char *path, const char *label, char tag)
{
	_cleanup_close_ int fd = -1;
	struct stat st;

	hash_bytes(h, &tag, 1);
	hash_u64(h, strlen(label));
	hash_bytes(h, label, strlen(label));
	/* Only a regular file is opened: an entry naming a device (opening
	 * /dev/watchdog arms it) is hashed as "not a file", as the loader
	 * reports it. */
	if (fstatat(dirfd, path, &st, 0) < 0) {
		if (errno != ENOENT)
			return -errno;
		hash_bytes(h, "-", 1);
		return 0;
	}
	if (!S_ISREG(st.st_mode)) {
		hash_bytes(h, "!", 1);
		return 0;
	}
	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 || fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EAGAIN;   /* swapped under us: no digest, the loader reads */
	return hash_content(h, fd, (uint64_t)st.st_size);
}

ssize_t unit_file_read(int fd, char *buf)
{
	return read_full(fd, buf, UNIT_FILE_MAX + 1);
}

static int compare_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.unit names of units_dir, sorted (strv_free); more than UNIT_MAX
 * is -E2BIG (the loader refuses the directory too). */
static int list_names(int dirfd, char ***ret, size_t *ret_n)
{
	_cleanup_close_ int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char **v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d;
	int r = 0;

	if (fd < 0 || !(d = fdopendir(fd)))
		return -errno;
	fd = -1;   /* the DIR's now */
	while ((errno = 0, de = readdir(d))) {
		if (!unit_file_name_ok(de->d_name))
			continue;
		if (n == UNIT_MAX) {
			r = -E2BIG;
			break;
		}
		if (n + 2 > cap) {
			size_t ncap = cap ? 2 * cap : 64;
			char **nv = realloc(v, ncap * sizeof(*v));

			if (!nv) {
				r = -ENOMEM;
				break;
			}
			v = nv;
			cap = ncap;
		}
		if (!(v[n] = strdup(de->d_name))) {
			r = -ENOMEM;
			break;
		}
		v[++n] = NULL;
	}
	if (!de && errno != 0)
		r = -errno;
	closedir(d);
	if (r < 0) {
		strv_free(v);
		return r;
	}
	if (n)
		qsort(v, n, sizeof(*v), compare_name);
	*ret = v;
	*ret_n = n;
	return 0;
}

/* path as the boot names it: root cut off (the caller made sure it is
 * there). */
static const char *unrooted(const char *path, const char *root)
{
	size_t n = root && strcmp(root, "/") != 0 ? strlen(root) : 0;

	return n && strncmp(path, root, n) == 0 && path[n] == '/' ? path + n : path;
}

int unit_inputs_digest(const char *conf_path, const char *units_dir, const char *root,
		       uint64_t *ret)
{
	_cleanup_close_ int dirfd = -1;
	uint64_t h = FNV_OFFSET;
	char **names = NULL;
	size_t n = 0;
	int r;

	*ret = 0;   /* to the compiler a -errno may be 0 (LTO's -Wmaybe-uninitialized) */
	hash_bytes(&h, INITD_VERSION, sizeof(INITD_VERSION));
	hash_bytes(&h, "d", 1);
	hash_bytes(&h, unrooted(units_dir, root), strlen(unrooted(units_dir, root)) + 1);
	r = hash_file(&h, AT_FDCWD, conf_path, unrooted(conf_path, root), 'c');
	if (r < 0)
		return r;
	dirfd = open(units_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return -errno;
	r = list_names(dirfd, &names, &n);
	if (r < 0)
		return r;
	hash_bytes(&h, "n", 1);
	hash_u64(&h, n);
	for (size_t i = 0; i < n && r == 0; i++)
		r = hash_file(&h, dirfd, names[i], names[i], 'u');
	strv_free(names);
	if (r == 0)
		*ret = h;
	return r;
}

static void put_le64(uint8_t *out, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		out[i] = (uint8_t)(v >> (8 * i));
}

/* The header's fields past machine (the file's layout above). */
#define MODEL_INITD  8
#define MODEL_DIGEST 16
#define MODEL_CHECK  24
_Static_assert(MODEL_CHECK + 8 == UNIT_MODEL_HEADER, "the header's fields fill it");

static uint64_t initd_hash(void)
{
	uint64_t h = FNV_OFFSET;

	hash_bytes(&h, INITD_VERSION, sizeof(INITD_VERSION));
	return h;
}

void unit_model_header(uint8_t out[UNIT_MODEL_HEADER], uint64_t digest, const void *body,
		       size_t len)
{
	uint64_t check = FNV_OFFSET;

	hash_bytes(&check, body, len);
	memcpy(out, UNIT_MODEL_MAGIC, 4);
	out[4] = UNIT_MODEL_VERSION;
	out[5] = 0;
	out[6] = (uint8_t)(MODEL_MACHINE & 0xff);
	out[7] = (uint8_t)(MODEL_MACHINE >> 8);
	put_le64(out + MODEL_INITD, initd_hash());
	put_le64(out + MODEL_DIGEST, digest);
	put_le64(out + MODEL_CHECK, check);
}

/* The whole file, if it is one PID 1 may trust as much as its loader:
 * a regular file of initd's own user that nobody else can write. */
static int read_model(const char *path, uint8_t **ret, size_t *ret_len, const char **why)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	_cleanup_free_ uint8_t *buf = NULL;
	struct stat st;
	size_t len;
	ssize_t n;

	if (fd < 0 || fstat(fd, &st) < 0)
		return *why = "cannot open it", -errno;
	if (!S_ISREG(st.st_mode))
		return *why = "not a regular file", -EINVAL;
	if (st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH)))
		return *why = "not initd's user's, or writable by others: ignored", -EPERM;
	if (st.st_size < UNIT_MODEL_HEADER)
		return *why = "too short for a compiled model", -EBADMSG;
	if ((uint64_t)st.st_size > UNIT_MODEL_FILE_MAX)
		return *why = "larger than a compiled model may be", -EFBIG;
	buf = malloc((size_t)st.st_size);
	if (!buf)
		return *why = "out of memory", -ENOMEM;
	n = read_full(fd, buf, (size_t)st.st_size);
	if (n < 0 || (size_t)n != (size_t)st.st_size)
		return *why = "cannot read it", n < 0 ? (int)n : -EIO;
	len = (size_t)n;
	*ret = TAKE_PTR(buf);
	*ret_len = len;
	return 0;
}

int unit_model_check(const char *path, const char *conf_path, const char *units_dir,
		     uint8_t **ret_buf, size_t *ret_len, const char **why)
{
	_cleanup_free_ uint8_t *buf = NULL;
	uint8_t head[UNIT_MODEL_HEADER];
	uint64_t digest;
	size_t len = 0;
	int r;

	r = read_model(path, &buf, &len, why);
	if (r < 0)
		return r;
	/* The header first: the files are hashed only for a model that could
	 * be used. */
	unit_model_header(head, 0, buf + UNIT_MODEL_HEADER, len - UNIT_MODEL_HEADER);
	if (memcmp(buf, head, 6) != 0)
		return *why = "not a model this initd compiles (initd --compile)", -EPROTONOSUPPORT;
	if (memcmp(buf + 6, head + 6, 2) != 0)
		return *why = "compiled for another architecture", -EPROTONOSUPPORT;
	if (memcmp(buf + MODEL_INITD, head + MODEL_INITD, 8) != 0)
		return *why = "compiled by another version of initd", -EPROTONOSUPPORT;
	if (memcmp(buf + MODEL_CHECK, head + MODEL_CHECK, 8) != 0)
		return *why = "damaged: its bytes do not match their check", -EBADMSG;
	r = unit_inputs_digest(conf_path, units_dir, NULL, &digest);
	if (r < 0)
		return *why = "cannot read the unit files to compare", r;
	unit_model_header(head, digest, buf + UNIT_MODEL_HEADER, len - UNIT_MODEL_HEADER);
	if (memcmp(buf + MODEL_DIGEST, head + MODEL_DIGEST, 8) != 0)
		return *why = "out of date: the unit files changed since it was compiled", -ESTALE;
	*ret_buf = TAKE_PTR(buf);
	*ret_len = len;
	return 0;
}

int unit_model_decode(const uint8_t *buf, size_t len, struct unit_set **ret, const char **why)
{
	int r = unit_set_decode(buf + UNIT_MODEL_HEADER, len - UNIT_MODEL_HEADER, ret);

	if (r < 0)
		*why = r == -ENOMEM ? "out of memory decoding it" :
		       r == -EFBIG ? "it would take more memory to decode than PID 1 gives it" :
		       r == -EPROTONOSUPPORT ? "compiled by another version of initd" : "malformed";
	return r;
}

int unit_model_read(const char *path, const char *conf_path, const char *units_dir,
		    struct unit_set **ret, const char **why)
{
	_cleanup_free_ uint8_t *buf = NULL;
	size_t len = 0;
	int r = unit_model_check(path, conf_path, units_dir, &buf, &len, why);

	return r < 0 ? r : unit_model_decode(buf, len, ret, why);
}

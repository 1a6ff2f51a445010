/* elfdeps.c — an ELF program's loader and libraries. See elfdeps.h. */
#include "common/elfdeps.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"

#if defined(__x86_64__)
#define ELFDEPS_MACHINE EM_X86_64
#define ELFDEPS_TRIPLET "x86_64-linux-gnu"
#elif defined(__aarch64__)
#define ELFDEPS_MACHINE EM_AARCH64
#define ELFDEPS_TRIPLET "aarch64-linux-gnu"
#else
#error "elfdeps: name this machine's EM_ constant and multiarch triplet"
#endif

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ELFDEPS_DATA ELFDATA2LSB
#else
#define ELFDEPS_DATA ELFDATA2MSB
#endif

/* ld.so's trusted directories, in its order (initd.unit(5) lists them). */
static const char *const default_dirs[] = {
	"/lib/" ELFDEPS_TRIPLET, "/usr/lib/" ELFDEPS_TRIPLET, "/lib64", "/lib", "/usr/lib",
};

/* ---- one object ------------------------------------------------------------ */

struct source {
	elf_read_fn *read;
	void *ctx;
	uint64_t size;
};

/* len bytes at off, which must lie inside the file. */
static int source_read(const struct source *s, uint64_t off, void *buf, size_t len)
{
	if (off > s->size || len > s->size - off)
		return -ENOEXEC;
	return s->read(s->ctx, off, buf, len);
}

/* What the dynamic section says, before its strings are looked up. */
struct dynamic {
	uint64_t strtab, strsz;        /* DT_STRTAB (an address), DT_STRSZ */
	uint64_t needed[ELFDEPS_NEEDED_MAX];
	size_t n_needed;
	int64_t runpath, rpath;        /* string offsets, -1 = none */
};

/* The file offset of the address range [addr, addr + len) through the
 * PT_LOAD headers, as the loader maps it. */
static int address_to_offset(const Elf64_Phdr *ph, size_t n, uint64_t addr, uint64_t len,
			     uint64_t *ret)
{
	for (size_t i = 0; i < n; i++) {
		if (ph[i].p_type != PT_LOAD || addr < ph[i].p_vaddr)
			continue;
		uint64_t rel = addr - ph[i].p_vaddr;
		if (rel > ph[i].p_filesz || len > ph[i].p_filesz - rel)
			continue;
		if (ph[i].p_offset > UINT64_MAX - rel)
			return -ENOEXEC;
		*ret = ph[i].p_offset + rel;
		return 0;
	}
	return -ENOEXEC;
}

/* The entries of PT_DYNAMIC up to DT_NULL. */
static int read_dynamic(const struct source *s, const Elf64_Phdr *dyn, struct dynamic *d)
{
	_cleanup_free_ Elf64_Dyn *v = NULL;
	size_t n = (size_t)(dyn->p_filesz / sizeof(Elf64_Dyn));
	int r;

	if (dyn->p_filesz / sizeof(Elf64_Dyn) > ELFDEPS_DYN_MAX)
		return -ENOEXEC;
	*d = (struct dynamic){ .runpath = -1, .rpath = -1 };
	if (n == 0)
		return 0;
	v = malloc(n * sizeof(*v));
	if (!v)
		return -ENOMEM;
	r = source_read(s, dyn->p_offset, v, n * sizeof(*v));
	if (r < 0)
		return r;
	for (size_t i = 0; i < n && v[i].d_tag != DT_NULL; i++) {
		uint64_t val = v[i].d_un.d_val;
		switch (v[i].d_tag) {
		case DT_STRTAB: d->strtab = val; break;
		case DT_STRSZ: d->strsz = val; break;
		case DT_RUNPATH: d->runpath = val > INT64_MAX ? INT64_MAX : (int64_t)val; break;
		case DT_RPATH: d->rpath = val > INT64_MAX ? INT64_MAX : (int64_t)val; break;
		case DT_NEEDED:
			if (d->n_needed == ELFDEPS_NEEDED_MAX)
				return -ENOEXEC;
			d->needed[d->n_needed++] = val;
			break;
		default: break;
		}
	}
	return 0;
}

/* A copy of the string at off in the table tab[0..size), which must end
 * inside it, be non-empty and under ELFDEPS_PATH_MAX bytes. */
static int table_string(const char *tab, uint64_t size, uint64_t off, char **ret)
{
	size_t n;

	if (off >= size)
		return -ENOEXEC;
	n = strnlen(tab + off, (size_t)(size - off));
	if (n == size - off || n == 0 || n >= ELFDEPS_PATH_MAX)
		return -ENOEXEC;
	*ret = strndup(tab + off, n);
	return *ret ? 0 : -ENOMEM;
}

/* The names out of the string table into d. */
static int read_names(const struct source *s, const Elf64_Phdr *ph, size_t n_ph,
		      const struct dynamic *dyn, struct elf_deps *d)
{
	_cleanup_free_ char *tab = NULL;
	uint64_t off;
	int r;

	if (dyn->n_needed == 0 && dyn->runpath < 0 && dyn->rpath < 0)
		return 0;
	if (dyn->strsz == 0 || dyn->strsz > ELFDEPS_STRTAB_MAX)
		return -ENOEXEC;
	r = address_to_offset(ph, n_ph, dyn->strtab, dyn->strsz, &off);
	if (r < 0)
		return r;
	tab = malloc((size_t)dyn->strsz);
	if (!tab)
		return -ENOMEM;
	r = source_read(s, off, tab, (size_t)dyn->strsz);
	for (size_t i = 0; r == 0 && i < dyn->n_needed; i++)
		r = table_string(tab, dyn->strsz, dyn->needed[i], &d->needed[i]);
	if (r == 0 && (dyn->runpath >= 0 || dyn->rpath >= 0))
		r = table_string(tab, dyn->strsz,
				 (uint64_t)(dyn->runpath >= 0 ? dyn->runpath : dyn->rpath), &d->runpath);
	return r;
}

/* PT_INTERP: a NUL-terminated absolute path filling the segment. */
static int read_interp(const struct source *s, const Elf64_Phdr *ph, char **ret)
{
	char buf[ELFDEPS_PATH_MAX];
	int r;

	if (ph->p_filesz < 2 || ph->p_filesz > sizeof(buf))
		return -ENOEXEC;
	r = source_read(s, ph->p_offset, buf, (size_t)ph->p_filesz);
	if (r < 0)
		return r;
	if (strnlen(buf, (size_t)ph->p_filesz) != ph->p_filesz - 1 || buf[0] != '/')
		return -ENOEXEC;
	*ret = strdup(buf);
	return *ret ? 0 : -ENOMEM;
}

/* The header: is this a native executable or shared object? 1 yes, 0 no. */
static int read_header(const struct source *s, Elf64_Ehdr *eh)
{
	int r;

	if (s->size < EI_NIDENT)
		return 0;
	r = source_read(s, 0, eh->e_ident, EI_NIDENT);
	if (r < 0)
		return r;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDEPS_DATA)
		return 0;
	r = source_read(s, 0, eh, sizeof(*eh));
	if (r < 0)
		return r;
	if (eh->e_machine != ELFDEPS_MACHINE || (eh->e_type != ET_EXEC && eh->e_type != ET_DYN))
		return 0;
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum > ELFDEPS_PHDR_MAX)
		return -ENOEXEC;
	return 1;
}

static void deps_clear(struct elf_deps *d)
{
	free(d->interp);
	for (char **p = d->needed; p && *p; p++)
		free(*p);
	free(d->needed);
	free(d->runpath);
	*d = (struct elf_deps){ .loadable = false };
}

/* The program headers' needs into d (its needed[] sized already). */
static int read_segments(const struct source *s, const Elf64_Ehdr *eh, struct elf_deps *d)
{
	Elf64_Phdr ph[ELFDEPS_PHDR_MAX];
	const Elf64_Phdr *dyn_ph = NULL;
	struct dynamic *dyn;
	size_t n = eh->e_phnum;
	int r = n ? source_read(s, eh->e_phoff, ph, n * sizeof(ph[0])) : 0;

	for (size_t i = 0; r == 0 && i < n; i++) {
		if (ph[i].p_type == PT_INTERP && !d->interp)
			r = read_interp(s, &ph[i], &d->interp);
		else if (ph[i].p_type == PT_DYNAMIC && !dyn_ph)
			dyn_ph = &ph[i];
	}
	if (r < 0 || !dyn_ph)
		return r;
	dyn = malloc(sizeof(*dyn));
	if (!dyn)
		return -ENOMEM;
	r = read_dynamic(s, dyn_ph, dyn);
	if (r == 0) {
		free(d->needed);
		d->needed = calloc(dyn->n_needed + 1, sizeof(char *));
		r = d->needed ? read_names(s, ph, n, dyn, d) : -ENOMEM;
	}
	free(dyn);
	return r;
}

int elf_deps_parse(elf_read_fn *read, void *ctx, uint64_t size, struct elf_deps *ret)
{
	const struct source s = { read, ctx, size };
	struct elf_deps d = { .needed = calloc(1, sizeof(char *)) };
	Elf64_Ehdr eh;
	int r;

	if (!d.needed)
		return -ENOMEM;
	r = read_header(&s, &eh);
	if (r > 0) {
		d.loadable = true;
		r = read_segments(&s, &eh, &d);
	}
	if (r < 0) {
		deps_clear(&d);
		return r;
	}
	*ret = d;
	return 0;
}

struct buffer {
	const unsigned char *data;
	size_t size;
};

static int buffer_read(void *ctx, uint64_t off, void *buf, size_t len)
{
	const struct buffer *b = ctx;

	if (off > b->size || len > b->size - off)
		return -EIO;
	memcpy(buf, b->data + off, len);
	return 0;
}

int elf_deps_parse_buffer(const void *buf, size_t size, struct elf_deps *ret)
{
	struct buffer b = { buf, size };

	return elf_deps_parse(buffer_read, &b, size, ret);
}

static int fd_read(void *ctx, uint64_t off, void *buf, size_t len)
{
	int fd = *(int *)ctx;

	while (len > 0) {
		ssize_t n = pread(fd, buf, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;   /* the file shrank under us */
		buf = (char *)buf + n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

int elf_deps_parse_fd(int fd, struct elf_deps *ret)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	return elf_deps_parse(fd_read, &fd, (uint64_t)st.st_size, ret);
}

void elf_deps_free(struct elf_deps *d)
{
	if (d)
		deps_clear(d);
}

/* ---- the closure ------------------------------------------------------------ */

struct closure {
	char *paths[ELFDEPS_OBJECTS_MAX + 1];   /* roots first, then what they need */
	unsigned depth[ELFDEPS_OBJECTS_MAX];
	size_t n, n_roots;
	char *why;
	size_t why_size;
};

static int _printf_(3, 4) fail(struct closure *c, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->why, c->why_size, fmt, ap);
	va_end(ap);
	return r;
}

/* path, parsed: 0 with *ret filled, or -errno (not a regular file: -EINVAL). */
static int parse_path(const char *path, struct elf_deps *ret)
{
	/* O_NONBLOCK: a FIFO listed by mistake must not hang the start. */
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0)
		return -errno;
	return elf_deps_parse_fd(fd, ret);
}

static bool closure_has(const struct closure *c, const char *path)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->paths[i], path) == 0)
			return true;
	return false;
}

static int closure_add(struct closure *c, const char *path, unsigned depth, const char *by)
{
	if (closure_has(c, path))
		return 0;
	if (c->n == ELFDEPS_OBJECTS_MAX)
		return fail(c, -E2BIG, "%s (needed by %s): over %d files", path, by,
			    ELFDEPS_OBJECTS_MAX);
	if (depth > ELFDEPS_DEPTH_MAX)
		return fail(c, -ELOOP, "%s (needed by %s): over %d levels of libraries", path, by,
			    ELFDEPS_DEPTH_MAX);
	c->paths[c->n] = strdup(path);
	if (!c->paths[c->n])
		return -ENOMEM;
	c->depth[c->n++] = depth;
	return 0;
}

/* dir/name into buf, "$ORIGIN" or "${ORIGIN}" at the start of dir being
 * the needing object's directory. false: no such candidate (too long, a
 * relative directory, another $TOKEN — ld.so's $LIB and $PLATFORM are not
 * expanded). */
static bool candidate(char *buf, size_t size, const char *dir, size_t dir_len, const char *origin,
		      size_t origin_len, const char *name)
{
	const char *rest = dir;
	size_t rest_len = dir_len, pre_len = 0;
	int n;

	if (dir_len >= 7 && strncmp(dir, "$ORIGIN", 7) == 0) {
		rest = dir + 7, rest_len = dir_len - 7, pre_len = origin_len;
	} else if (dir_len >= 9 && strncmp(dir, "${ORIGIN}", 9) == 0) {
		rest = dir + 9, rest_len = dir_len - 9, pre_len = origin_len;
	}
	if (memchr(rest, '$', rest_len) || (pre_len == 0 && (rest_len == 0 || rest[0] != '/')))
		return false;
	n = snprintf(buf, size, "%.*s%.*s/%s", (int)pre_len, origin, (int)rest_len, rest, name);
	return n > 0 && (size_t)n < size;
}

/* Is path a loadable object? A missing or foreign one is skipped, as ld.so
 * skips it; a malformed one is an error. */
static int try_candidate(const char *path)
{
	struct elf_deps d;
	int r = parse_path(path, &d);

	if (r == -ENOENT || r == -ENOTDIR || r == -EINVAL || r == -EACCES)
		return 0;
	if (r < 0)
		return r;
	r = d.loadable;
	elf_deps_free(&d);
	return r;
}

/* The first loadable candidate for name in the directories of the
 * colon-separated list `dirs` (NULL: none): 1 with buf set, 0 none. */
static int search_dirs(char *buf, size_t size, const char *dirs, const char *origin,
		       size_t origin_len, const char *name)
{
	unsigned k = 0;

	for (const char *p = dirs; p && k < ELFDEPS_RUNPATH_MAX; k++) {
		size_t len = strcspn(p, ":");
		if (candidate(buf, size, p, len, origin, origin_len, name)) {
			int r = try_candidate(buf);
			if (r != 0)
				return r;
		}
		p = p[len] ? p + len + 1 : NULL;
	}
	for (size_t i = 0; i < ARRAY_SIZE(default_dirs); i++) {
		if (candidate(buf, size, default_dirs[i], strlen(default_dirs[i]), "", 0, name)) {
			int r = try_candidate(buf);
			if (r != 0)
				return r;
		}
	}
	return 0;
}

/* One DT_NEEDED name of the object at path, into the closure. */
static int resolve_needed(struct closure *c, size_t i, const struct elf_deps *d,
			  const char *name)
{
	const char *path = c->paths[i], *slash = strrchr(path, '/');
	char buf[ELFDEPS_PATH_MAX];
	int r;

	if (strchr(name, '/')) {
		/* ld.so takes a name with a slash as a path as it is */
		if (name[0] != '/')
			return fail(c, -ENOENT, "%s (needed by %s): a relative path", name, path);
		return closure_add(c, name, c->depth[i] + 1, path);
	}
	r = search_dirs(buf, sizeof(buf), d->runpath, path, (size_t)(slash - path), name);
	if (r < 0)
		return fail(c, r, "%s (needed by %s): %s: %s", name, path, buf, strerror(-r));
	if (r == 0)
		return fail(c, -ENOENT, "%s (needed by %s): not found", name, path);
	return closure_add(c, buf, c->depth[i] + 1, path);
}

/* The object at index i: its interpreter and libraries into the closure. */
static int closure_visit(struct closure *c, size_t i)
{
	const char *path = c->paths[i];
	struct elf_deps d;
	int r = parse_path(path, &d);

	if (r == -EINVAL && i < c->n_roots)
		return 0;   /* a directory (or a device...) listed: nothing to load */
	if (r < 0)
		return fail(c, r, "%s: %s", path, strerror(-r));
	if (!d.loadable) {
		elf_deps_free(&d);
		return 0;
	}
	if (d.interp)
		r = closure_add(c, d.interp, c->depth[i] + 1, path);
	for (char **n = d.needed; r == 0 && *n; n++)
		r = resolve_needed(c, i, &d, *n);
	elf_deps_free(&d);
	return r;
}

void elf_deps_files_free(char **files)
{
	for (char **p = files; p && *p; p++)
		free(*p);
	free(files);
}

int elf_deps_closure(char *const *roots, char ***ret_files, char *why, size_t why_size)
{
	struct closure *c = calloc(1, sizeof(*c));
	char **files;
	int r = 0;

	if (!c)
		return -ENOMEM;
	c->why = why, c->why_size = why_size;
	if (why_size)
		why[0] = '\0';
	for (char *const *p = roots; r == 0 && p && *p; p++)
		r = closure_add(c, *p, 0, "the unit");
	c->n_roots = c->n;
	for (size_t i = 0; r == 0 && i < c->n; i++)
		r = closure_visit(c, i);
	files = r == 0 ? calloc(c->n - c->n_roots + 1, sizeof(char *)) : NULL;
	if (r == 0 && !files)
		r = -ENOMEM;
	if (r == 0) {
		for (size_t i = c->n_roots; i < c->n; i++)
			files[i - c->n_roots] = TAKE_PTR(c->paths[i]);
		*ret_files = files;
	}
	for (size_t i = 0; i < c->n; i++)
		free(c->paths[i]);
	free(c);
	return r;
}

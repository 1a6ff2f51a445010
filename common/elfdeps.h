/* elfdeps.h — what an ELF program needs to be loaded (issue 15: a rootfs
 * built from the host's files). Two layers:
 *
 *   - elf_deps_parse reads one object's program headers the way ld.so does:
 *     its program interpreter (PT_INTERP), and from PT_DYNAMIC its DT_NEEDED
 *     names and its DT_RUNPATH (or, without one, DT_RPATH). Nothing in the
 *     file is trusted: every offset and count is checked against the file's
 *     size and the limits below before anything is read, so a truncated or
 *     hostile file gives -ENOEXEC, never a read outside it. Reads go through
 *     a callback: the same code runs on a file (pread) and on a buffer (the
 *     unit tests, the fuzzer).
 *   - elf_deps_closure follows that from a list of host paths: each listed
 *     ELF's interpreter and libraries, recursively, each library looked up
 *     as ld.so does without a cache: the needing object's DT_RUNPATH (or
 *     DT_RPATH), $ORIGIN expanded, then the default directories
 *     (ELFDEPS_DEFAULT_DIRS). LD_LIBRARY_PATH, ld.so.cache and
 *     /etc/ld.so.conf are not read: a library only they would find must be
 *     listed. It opens files, so it may block: the spawned child calls it,
 *     never PID 1.
 *
 * Only ELFCLASS64 objects of this machine and byte order count as loadable
 * (ld.so skips others while searching, and so does the closure); a file
 * that is not one (a script, a configuration file, another machine's
 * binary) has no dependencies. Everything returns 0 or -errno.
 */
#ifndef INITD_COMMON_ELFDEPS_H
#define INITD_COMMON_ELFDEPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ELFDEPS_PHDR_MAX     128        /* program headers of one object */
#define ELFDEPS_DYN_MAX      4096       /* PT_DYNAMIC entries read */
#define ELFDEPS_NEEDED_MAX   256        /* DT_NEEDED of one object */
#define ELFDEPS_STRTAB_MAX   (4u << 20) /* bytes of DT_STRTAB */
#define ELFDEPS_PATH_MAX     1024       /* bytes of a name, interpreter, runpath */
#define ELFDEPS_RUNPATH_MAX  32         /* directories in one runpath */
#define ELFDEPS_OBJECTS_MAX  256        /* files in one closure, roots included */
#define ELFDEPS_DEPTH_MAX    16         /* DT_NEEDED levels below a root */

/* One object's needs. Owned by the caller once elf_deps_parse succeeded:
 * release with elf_deps_free. */
struct elf_deps {
	bool loadable;     /* an ELF executable or shared object of this machine */
	char *interp;      /* PT_INTERP, or NULL (static, or a library) */
	char **needed;     /* DT_NEEDED names, NULL-terminated (never NULL) */
	char *runpath;     /* DT_RUNPATH, else DT_RPATH, else NULL: "dir:dir" */
};

/* Read len bytes at offset into buf: 0, or -errno (a short read: -EIO). */
typedef int elf_read_fn(void *ctx, uint64_t offset, void *buf, size_t len);

/* The needs of the object of `size` bytes that read() returns. 0 (with
 * ret->loadable false for anything but a native ELF executable or shared
 * object: no needs); -ENOEXEC for a malformed ELF; -ENOMEM; or read()'s
 * error. *ret is untouched on failure. */
int elf_deps_parse(elf_read_fn *read, void *ctx, uint64_t size, struct elf_deps *ret);
/* The same on a buffer, and on an open file (regular). */
int elf_deps_parse_buffer(const void *buf, size_t size, struct elf_deps *ret);
int elf_deps_parse_fd(int fd, struct elf_deps *ret);
void elf_deps_free(struct elf_deps *d);

/* Every file, besides the roots, that ld.so would open to run the roots
 * (absolute host paths; a directory, or a file that is not a loadable ELF,
 * needs nothing): *ret_files is a malloc'ed NULL-terminated list of
 * malloc'ed absolute paths, in the order found, each once (the caller
 * frees each and the list). On failure (-ENOENT: a library not found or a
 * file missing; -ENOEXEC: a malformed ELF; -E2BIG, -ELOOP: over the
 * limits) why says which file and what, e.g. "libpcre2-8.so.0 (needed by
 * /usr/sbin/nginx): not found". */
int elf_deps_closure(char *const *roots, char ***ret_files, char *why, size_t why_size);
void elf_deps_files_free(char **files);

#endif

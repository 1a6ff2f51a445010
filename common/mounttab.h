/* mounttab.h — the mount points of a /proc/self/mounts text, for the last
 * unmount of a shutdown (initd/boot.c): every one, in the table's order
 * (a parent before what is mounted under it), as the paths umount2 takes.
 */
#ifndef INITD_COMMON_MOUNTTAB_H
#define INITD_COMMON_MOUNTTAB_H

#include <stddef.h>
#include <stdio.h>

/* The kernel's own bound on the mounts of a namespace (fs.mount-max's
 * default); a table longer than that is read this far. */
#define MOUNTTAB_MAX 100000

struct mounttab {
	char **targets;   /* malloc'd, each malloc'd */
	size_t n;
};

/* Decode the kernel's octal escapes in a field of the table (len bytes):
 * "\040" is a space, "\011" a tab, "\012" a newline, "\134" a backslash.
 * Into out (size bytes, NUL-terminated): 0, or -ENAMETOOLONG. */
int mounttab_unescape(const char *field, size_t len, char *out, size_t size);

/* The mount points of f ("SOURCE TARGET TYPE OPTIONS 0 0" lines) into *ret,
 * decoded, at most MOUNTTAB_MAX. 0, or -ENOMEM (out of memory, here or in
 * f's read) or -EIO (f's read failed otherwise) with *ret holding those
 * read until then (at shutdown those are still worth unmounting: a lazy
 * detach of a parent takes its subtree). Free with mounttab_free. */
int mounttab_read(FILE *f, struct mounttab *ret);

/* Accepts an empty (zeroed) table. */
void mounttab_free(struct mounttab *t);

#endif

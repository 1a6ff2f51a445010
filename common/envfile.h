/* envfile.h — environment files (issue 15): KEY=VALUE lines.
 *
 * The syntax, all of it (initd.unit(5), ENVIRONMENT FILES):
 *   - a line ends at '\n' (a last line without one counts); a '\r' before
 *     it is dropped;
 *   - a line that is empty or blank (spaces, tabs), or whose first non-blank
 *     byte is '#', is skipped;
 *   - any other line is KEY=VALUE: leading blanks skipped, KEY matches
 *     [A-Za-z_][A-Za-z0-9_]* and is followed by '=' at once;
 *   - VALUE is the rest of the line less trailing blanks; if it starts with
 *     '"' or '\'' it must end with the same quote, and both are removed;
 *     nothing else is interpreted: no escapes, no $expansion, no "export",
 *     a '#' after the '=' is part of the value;
 *   - a NUL byte anywhere, a line over ENVFILE_LINE_MAX bytes or a file over
 *     ENVFILE_SIZE_MAX bytes is an error.
 * The parser works in place on a buffer and allocates nothing, so the
 * spawned child can use it between fork and exec.
 */
#ifndef INITD_COMMON_ENVFILE_H
#define INITD_COMMON_ENVFILE_H

#include <stddef.h>

#define ENVFILE_SIZE_MAX (64 * 1024)   /* bytes in one file */
#define ENVFILE_LINE_MAX 4096          /* bytes in one KEY=VALUE line */
#define ENVFILE_ENTRIES_MAX 256        /* variables from all of a unit's files */

/* Called with each "KEY=VALUE" (NUL-terminated, inside the buffer): 0, or
 * -errno to stop (the parse returns it, with the line). */
typedef int envfile_fn(char *entry, void *data);

/* Parse text[0..len) (modified in place; text[len] must be writable).
 * 0; -EINVAL for a bad line, *ret_line (1-based) and *ret_why (static)
 * set; or what fn returned, with *ret_line. */
int envfile_parse(char *text, size_t len, envfile_fn *fn, void *data, unsigned *ret_line,
		  const char **ret_why);

#endif

/* loader.h — read the unit files without risking PID 1.
 *
 * libconfig can terminate the calling process on some inputs, and a parser
 * is the most attacker-facing code an init has. So PID 1 never parses: a
 * forked child loads and validates the directory, encodes the model
 * (unit_set_encode) and writes it down a pipe; initd reads the pipe from its
 * event loop and decodes it with a bounded decoder. A child that dies, hangs
 * past LOADER_TIMEOUT_USEC or sends garbage costs an error message, never
 * initd (doc/DESIGN.md §4, §13: PID 1 never parses).
 */
#ifndef INITD_LOADER_H
#define INITD_LOADER_H

#include "initd/loop.h"
#include "units/unit.h"

#define LOADER_TIMEOUT_USEC (30 * 1000000ULL)
#define LOADER_OUTPUT_MAX   (64u * 1024 * 1024)

/* set is the decoded model (ownership passes to the callback), or NULL with
 * err a -errno and why a human message. */
typedef void (*loader_done_fn)(struct unit_set *set, int err, const char *why, void *data);

struct loader;

/* Start a load of conf_path and units_dir, with the run-time instances
 * extra (NULL-terminated, or NULL; unit_set_load_with): the child is a
 * fork, so it reads them where they are, nothing is sent. Returns 0 (done
 * will be called exactly once, from the loop) or -errno. */
int loader_start(struct loop *l, const char *conf_path, const char *units_dir,
		 char *const *extra, loader_done_fn done, void *data, struct loader **ret);

/* Abandon a load in flight (done is not called). Accepts NULL. */
void loader_cancel(struct loader *ld);

#endif

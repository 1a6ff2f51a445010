/* loader.h — read the unit files without risking PID 1.
 *
 * libconfig can terminate the calling process on some inputs, and a parser
 * is the most attacker-facing code an init has. So PID 1 never parses: a
 * child runs initd-loader (loader/main.c, installed beside initd), which
 * loads and validates the directory, encodes the model (unit_set_encode)
 * and writes it down a pipe; initd reads the pipe from its event loop and
 * decodes it with a bounded decoder. A child that dies, hangs past
 * LOADER_TIMEOUT_USEC or sends garbage costs an error message, never initd
 * (doc/DESIGN.md §4, §13: PID 1 never parses). PID 1's binary links no
 * parser at all.
 */
#ifndef INITD_LOADER_H
#define INITD_LOADER_H

#include "initd/loop.h"
#include "units/unit.h"

#define LOADER_TIMEOUT_USEC (30 * 1000000ULL)
#define LOADER_OUTPUT_MAX   UNIT_MODEL_MAX

/* initd-loader's interface: its file beside initd's, its first argument,
 * and the exit codes of `initd --check` (documented in initd.8). */
#define LOADER_EXE_NAME     "initd-loader"
#define LOADER_MODEL_ARG    "--model"
#define LOADER_CHECK_ARG    "--check"
#define LOADER_COMPILE_ARG  "--compile"
/* At most this many run-time instances go to one load (the commands keep
 * at most COMMANDS_INSTANCES_MAX: asserted there). */
#define LOADER_EXTRA_MAX    1024
/* The answer of a loader whose exec failed: this, then its -errno (int32). */
#define LOADER_EXEC_FAILED  "iexe"
enum {
	CHECK_OK = 0,
	CHECK_ERRORS = 1,
	CHECK_USAGE = 2,
	CHECK_UNREADABLE = 3,
};

/* set is the decoded model (ownership passes to the callback), or NULL with
 * err a -errno and why a human message. */
typedef void (*loader_done_fn)(struct unit_set *set, int err, const char *why, void *data);

struct loader;

/* Start a load of conf_path and units_dir, with the run-time instances
 * extra (NULL-terminated, or NULL; unit_set_load_with), handed to the
 * loader as arguments. Returns 0 (done will be called exactly once, from
 * the loop) or -errno (-E2BIG: more than LOADER_EXTRA_MAX instances). */
int loader_start(struct loop *l, const char *conf_path, const char *units_dir,
		 char *const *extra, loader_done_fn done, void *data, struct loader **ret);

/* Abandon a load in flight (done is not called). Accepts NULL. */
void loader_cancel(struct loader *ld);

/* An O_PATH fd (CLOEXEC) on the initd-loader beside initd, opened on the
 * first call (logged when it cannot be; PID 1 calls it at boot, the
 * compiled model's too) and kept: what the loads and the mount helper
 * (mount_helper.h) exec, and what the sealed copy is made of. -errno when
 * it cannot be opened (retried on the next call). */
int loader_exe_fd(void);

/* A sealed memfd copy of initd-loader (CLOEXEC), made on the first call
 * and kept for good; the same fd after that. -errno when it cannot be made
 * (retried on the next call; -EACCES: the file is not executable). What
 * PID 1 execs, with execveat, as the reaper of a PID namespace (reaper.h)
 * and as the log writer (logwriter.h): modes of initd-loader, so PID 1's
 * binary carries none of their code, and run from a copy no service can
 * rewrite. Copies the file once: a read of about a MB, the only time. */
int loader_exe_sealed_fd(void);

/* `initd --check` and `initd --compile`: exec initd-loader with args
 * (NULL-terminated, after its name: LOADER_CHECK_ARG ...). Returns only
 * on failure, with -errno (the loader missing beside initd: -ENOENT). */
int loader_exec_tool(char *const *args);

/* The boot's model from the compiled file model_path (unit_model_read),
 * with no loader: 0 and *ret, or -errno (-ENOENT: no such file, said
 * nowhere; anything else logged with the reason, and the caller starts
 * the loader instead). */
int loader_read_compiled(const char *model_path, const char *conf_path, const char *units_dir,
			 struct unit_set **ret);

#endif

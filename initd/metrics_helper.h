/* metrics_helper.h — the process that reads the units' cgroup files for
 * the metrics text (metrics.h), so that PID 1 never does.
 *
 * At 2000 units the text takes ~24,000 cgroup files opened and read (12 a
 * unit), 1.8 s of PID 1's loop under the bench VM's emulator, with every
 * other client, exit and timer waiting meanwhile, and once a second while
 * units change with metrics_file set. PID 1 now writes only what it holds
 * (the fleet's and the model's families) and hands the rest to this
 * helper, answering the request when it ends.
 *
 * It is initd-loader's mode `--metrics` (loader/metrics_helper.c; PID 1's
 * binary carries no code it does not run itself), exec'd by PID 1's child
 * from the initd-loader PID 1 found beside itself, as `initd --metrics`,
 * with an empty environment and these fds:
 *
 *   0  the units to read: a memfd of NUL-terminated pairs, the unit's
 *      name then its cgroup's path below the root (manager_cgroup.c),
 *      METRICS_HELPER_UNITS_MAX pairs at most;
 *   1  the text, at the offset where PID 1's part ends: the helper
 *      appends the cgroup families (the same open file: the offset is
 *      shared);
 *   2  the console;
 *   3  initd's cgroup root, a directory;
 *   4  the report: one int32, 0 or -errno, written last. PID 1 takes the
 *      text only after a 0: end-of-file without it (the helper died, or
 *      was killed at METRICS_HELPER_TIMEOUT_USEC) is a failure.
 *
 * A child whose exec fails writes -errno on fd 4 itself.
 */
#ifndef INITD_METRICS_HELPER_H
#define INITD_METRICS_HELPER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define METRICS_HELPER_ARG       "--metrics"
#define METRICS_HELPER_ROOT_FD   3
#define METRICS_HELPER_REPORT_FD 4
#define METRICS_HELPER_UNITS_MAX 100000
#define METRICS_HELPER_TIMEOUT_USEC (60 * 1000000ULL)

/* initd-loader's main(): is this the helper's command line? */
bool metrics_helper_requested(int argc, char **argv);

/* The helper: reads the pairs on fd 0, writes the text on fd 1, reports
 * on fd 4. Never returns. */
_Noreturn void metrics_helper_main(void);

/* The cgroup families of the `len` bytes of pairs in `units`, each unit's
 * files read below root_fd, into f: 0, -EBADMSG (a pair cut short, a name
 * or a path past its bound, too many), or -ENOMEM. The helper's body,
 * exposed for the unit tests. */
int metrics_helper_render(int root_fd, const char *units, size_t len, FILE *f);

#endif

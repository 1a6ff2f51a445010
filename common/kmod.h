/* kmod.h — facts about kernel modules read from a module tree's own files.
 *
 * A module that the running kernel builds in has no NAME.ko: asking to load
 * it is not an error but a no-op. The kernel's build says which ones these
 * are in /lib/modules/KVER/modules.builtin, one path per line
 * ("kernel/drivers/virtio/virtio.ko"); Debian's arm64 kernel builds in
 * virtio and virtio_ring, which its amd64 kernel ships as modules, so one
 * initd.conf can serve both.
 */
#ifndef INITD_COMMON_KMOD_H
#define INITD_COMMON_KMOD_H

#include <stdbool.h>
#include <stddef.h>

#define KMOD_LINE_MAX   512              /* longer lines are skipped whole */
#define KMOD_SIZE_MAX   (4u << 20)       /* bytes of modules.builtin read */

/* Whether the first alen bytes of a are the module name b (NUL-
 * terminated), '-' and '_' alike: lsmod says i2c_dev and dm_mod for
 * i2c-dev.ko and dm-mod.ko, and either spelling loads them. */
bool kmod_name_eq(const char *a, size_t alen, const char *b);

/* Whether a directory entry's name (file) is the module name's NAME.ko,
 * as kmod_name_eq compares. */
bool kmod_file_names(const char *file, const char *name);

/* Whether modules.builtin, open at fd (read from its current offset; not
 * closed), lists NAME ('-' and '_' alike, as the kernel treats them). */
bool kmod_builtin(int fd, const char *name);

#endif

/* seccomp.c — the model of a unit's `seccomp` key (issue 18): the names
 * of the default actions and of the errnos seccomp.errno takes, freeing,
 * equality and the invariants of a decoded filter. PID 1 links this and
 * not libseccomp: the key is parsed and compiled to BPF in seccomp_parse.c,
 * in the loader. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "units/internal.h"

const char *const seccomp_default_names[UNIT_SECCOMP_DEFAULT_MAX] = {
	[UNIT_SECCOMP_ALLOW] = "allow",
	[UNIT_SECCOMP_ERRNO] = "errno",
	[UNIT_SECCOMP_KILL] = "kill",
};

/* The errno names seccomp.errno takes. */
static const struct { const char *name; uint32_t value; } errno_table[] = {
	{ "EPERM", EPERM }, { "EACCES", EACCES }, { "ENOSYS", ENOSYS },
	{ "EINVAL", EINVAL }, { "EOPNOTSUPP", EOPNOTSUPP }, { "ENOENT", ENOENT },
	{ "EROFS", EROFS }, { "EIO", EIO }, { "EBUSY", EBUSY }, { "ENODEV", ENODEV },
	{ "ENXIO", ENXIO }, { "EFAULT", EFAULT }, { "EAGAIN", EAGAIN },
	{ "ENOMEM", ENOMEM }, { "ENOTTY", ENOTTY }, { "EXDEV", EXDEV },
};

const char *seccomp_errno_name(uint32_t err)
{
	for (size_t i = 0; i < ARRAY_SIZE(errno_table); i++)
		if (errno_table[i].value == err)
			return errno_table[i].name;
	return NULL;
}

int seccomp_errno_from_name(const char *name, uint32_t *ret)
{
	for (size_t i = 0; i < ARRAY_SIZE(errno_table); i++) {
		if (strcmp(errno_table[i].name, name) == 0) {
			*ret = errno_table[i].value;
			return 0;
		}
	}
	return -EINVAL;
}

const char *const *seccomp_errno_name_list(size_t *ret_n)
{
	static const char *names[ARRAY_SIZE(errno_table)];

	for (size_t i = 0; i < ARRAY_SIZE(errno_table); i++)
		names[i] = errno_table[i].name;
	*ret_n = ARRAY_SIZE(names);
	return names;
}

void seccomp_clear(struct unit_seccomp *sc)
{
	strv_free(sc->deny);
	strv_free(sc->allow);
	free(sc->bpf);
	*sc = (struct unit_seccomp){ 0 };
}

bool seccomp_equal(const struct unit_seccomp *a, const struct unit_seccomp *b)
{
	return a->default_action == b->default_action && a->errno_value == b->errno_value &&
	       strv_equal(a->deny, b->deny) && strv_equal(a->allow, b->allow) &&
	       a->n_bpf == b->n_bpf &&
	       (a->n_bpf == 0 || memcmp(a->bpf, b->bpf, a->n_bpf * sizeof(*a->bpf)) == 0);
}

/* A decoded unit: the kernel checks the program itself when the child
 * installs it; here only what initd relies on. */
bool seccomp_valid(const struct unit_seccomp *sc)
{
	return sc->default_action < UNIT_SECCOMP_DEFAULT_MAX &&
	       sc->errno_value <= UNIT_SECCOMP_ERRNO_MAX && sc->n_bpf <= UNIT_SECCOMP_INSNS_MAX &&
	       (sc->n_bpf == 0 || sc->bpf) &&
	       /* declared but no program would run the service unfiltered */
	       (sc->n_bpf > 0 || (!sc->deny && !sc->allow &&
				  sc->default_action == UNIT_SECCOMP_ALLOW)) &&
	       strv_length(sc->deny) <= UNIT_SECCOMP_NAMES_MAX &&
	       strv_length(sc->allow) <= UNIT_SECCOMP_NAMES_MAX;
}

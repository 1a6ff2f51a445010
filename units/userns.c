/* userns.c — the model of two isolation keys that need more than one unit
 * to check, user_namespace.auto and namespaces_from: the pool's slots,
 * the namespaces a unit may join and the invariants of a decoded unit.
 * The keys are read, and checked across the set, in userns_parse.c. */
#include <stdio.h>
#include <string.h>

#include "units/internal.h"

const char *const unit_join_names[UNIT_JOIN_MAX] = {
	[UNIT_JOIN_NET] = "net",
	[UNIT_JOIN_UTS] = "uts",
	[UNIT_JOIN_IPC] = "ipc",
};

const enum unit_namespace join_ns[UNIT_JOIN_MAX] = {
	[UNIT_JOIN_NET] = UNIT_NS_NET,
	[UNIT_JOIN_UTS] = UNIT_NS_UTS,
	[UNIT_JOIN_IPC] = UNIT_NS_IPC,
};

enum unit_namespace unit_join_namespace(enum unit_join k)
{
	return join_ns[k];
}

/* ---- auto ranges ---------------------------------------------------------- */

uint32_t slots_of(uint32_t size)
{
	return (size + UNIT_USERNS_SLOT - 1) / UNIT_USERNS_SLOT;
}

uint32_t userns_base(uint32_t slot)
{
	return UNIT_USERNS_POOL_BASE + slot * UNIT_USERNS_SLOT;
}

bool userns_valid(const struct unit_isolation *iso)
{
	char want[48];

	if (!iso->userns_auto)
		return iso->userns_size == 0 && iso->userns_slot == 0;
	if (iso->userns_size < 1 || iso->userns_size > UNIT_USERNS_SIZE_MAX ||
	    iso->userns_slot + slots_of(iso->userns_size) > UNIT_USERNS_SLOTS ||
	    !(iso->namespaces & UNIT_NS_BIT(UNIT_NS_USER)))
		return false;
	snprintf(want, sizeof(want), "0 %u %u\n", userns_base(iso->userns_slot),
		 iso->userns_size);
	return streq_ptr(iso->uid_map, want) && streq_ptr(iso->gid_map, want);
}

/* ---- namespaces_from ------------------------------------------------------ */

bool join_source_valid(const char *v)
{
	return v[0] == '/' ? v[1] != '\0' : unit_name_valid(v);
}

bool unit_join_is_unit(const char *source)
{
	return source && source[0] != '/';
}

bool join_valid(const struct unit_isolation *iso)
{
	bool any = false;

	for (int k = 0; k < UNIT_JOIN_MAX; k++) {
		if (!iso->join[k])
			continue;
		any = true;
		if (!join_source_valid(iso->join[k]) ||
		    (iso->namespaces & UNIT_NS_BIT(join_ns[k])))
			return false;
	}
	return !any || !(iso->namespaces & UNIT_NS_BIT(UNIT_NS_USER));
}

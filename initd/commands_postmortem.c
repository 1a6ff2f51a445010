/* commands_postmortem.c — a post-mortem record (postmortem.h) on the
 * wire: one POSTMORTEM attribute (proto.h). */
#include "initd/commands.h"
#include "initd/postmortem.h"

void commands_put_postmortem(struct proto_buf *b, const struct postmortem *p)
{
	static const uint16_t attr[POSTMORTEM_STAT_MAX] = {
		[POSTMORTEM_MEM_PEAK] = PROTO_ATTR_MEM_PEAK,
		[POSTMORTEM_CPU_USAGE] = PROTO_ATTR_CPU_USAGE_USEC,
		[POSTMORTEM_OOM_KILLS] = PROTO_ATTR_OOM_KILLS,
		[POSTMORTEM_PIDS_PEAK] = PROTO_ATTR_PIDS_PEAK,
	};

	proto_nest_begin(b, PROTO_ATTR_POSTMORTEM);
	proto_put_u64(b, PROTO_ATTR_TIME, p->wall_usec);
	proto_put_str(b, PROTO_ATTR_REASON, p->reason);
	proto_put_u32(b, PROTO_ATTR_RESTARTS, p->restarts);
	for (int i = 0; i < POSTMORTEM_STAT_MAX; i++)
		if (p->have & (1U << i))
			proto_put_u64(b, attr[i], p->stat[i]);
	proto_put_str(b, PROTO_ATTR_DATA, p->lines);
	proto_nest_end(b);
}

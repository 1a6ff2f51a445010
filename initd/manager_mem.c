/* manager_mem.c — what PID 1's heap holds for its units, by component
 * (issue 19: bytes per service). Read by the metrics text, so the bench
 * can print where each service's memory goes and what a change saved. */
#include <malloc.h>

#include "initd/cgroup_watch.h"
#include "initd/manager_internal.h"
#include "initd/nofork.h"

/* A heap block as the allocator holds it: its usable size and a header. */
static size_t chunk(const void *p)
{
	return p ? malloc_usable_size((void *)p) + sizeof(size_t) : 0;
}

static void svc_footprint(const struct svc *v, struct manager_footprint *fp)
{
	/* The record, its report's watch and its log are nofork.h's
	 * blocks, not the heap's. */
	const struct svc_rare *r = v->rare;

	fp->svc_structs += nofork_block_size(sizeof(*v)) + chunk(v->s.status_text) +
			   chunk(v->s.limit_exit) + chunk(v->s.limit_starts) +
			   chunk(v->s.setup_error.detail) +
			   chunk(v->s.last_exit.detail) + chunk(v->s.probe_why) + chunk(v->s.cold_timers) +
			   (v->s.limit_exit ? chunk(v->s.limit_exit->detail) : 0) +
			   (v->report ? nofork_block_size(sizeof(*v->report)) : 0) +
			   (r ? chunk(r) + chunk(r->probe) + chunk(r->join_pid) + chunk(r->pids) : 0);
	if (v->deps != &svc_no_deps)
		fp->deps += chunk(v->deps) + chunk(v->deps->requires) + chunk(v->deps->after) +
			    chunk(v->deps->dependents);
	fp->log_rings += v->log ? nofork_block_size(sizeof(*v->log)) +
					  nofork_block_size(v->log->ring.cap) +
					  (v->log->forward.partial ?
					   nofork_block_size(LOG_FORWARD_TEXT_MAX) : 0) : 0;
	fp->postmortems += r && r->postmortems ? chunk(r->postmortems) + chunk(r->postmortems->rec) : 0;
}

static size_t model_total(const struct unit_set_footprint *f)
{
	return f->unit_structs + f->optional + f->strings + f->arrays;
}

void manager_footprint(struct manager *m, struct manager_footprint *fp)
{
	*fp = (struct manager_footprint){ .units = m->n_svcs };
	if (m->set) {
		unit_set_footprint(m->set, &fp->model);
		fp->index += chunk(m->set->units);
	}
	for (size_t i = 0; i < m->n_retired; i++) {
		struct unit_set_footprint f = { 0 };

		unit_set_footprint(m->retired[i].set, &f);
		fp->model_retired += model_total(&f);
	}
	for (size_t i = 0; i < m->n_svcs; i++)
		svc_footprint(m->svcs[i], fp);
	for (size_t i = 0; i < m->n_removed; i++)
		svc_footprint(m->removed[i], fp);
	fp->index += chunk(m->svcs) + chunk(m->order) + pidmap_footprint(&m->pids);
	fp->cgroup_watch = cgroup_watch_footprint(m->watch) +
			   cgroup_watch_footprint(m->leftover_watch) + chunk(m->leftovers);
	for (size_t i = 0; i < m->n_leftovers; i++)
		fp->cgroup_watch += chunk(m->leftovers[i]);
}

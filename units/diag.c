/* diag.c — a diagnostic, "FILE:LINE: message": its text and freeing a
 * list. Collecting them, quoting values and hints are diag_collect.c's. */
#include <stdio.h>
#include <string.h>

#include "units/internal.h"

/* Free what d holds and zero it. Accepts a zeroed d and NULL strings. */
void diags_clear(struct unit_diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].message);
	}
	free(d->v);
	d->v = NULL;
	d->n = 0;
}

size_t unit_diag_format(const struct unit_diag *d, char *buf, size_t size)
{
	int n;

	if (d->line > 0)
		n = snprintf(buf, size, "%s:%d: %s", d->file, d->line, d->message);
	else
		n = snprintf(buf, size, "%s: %s", d->file, d->message);
	return n < 0 ? 0 : (size_t)n;
}

/* prom.c — see prom.h. */
#include "common/prom.h"

#include <inttypes.h>

void prom_label(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '"')
			fputs("\\\"", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

void prom_family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void prom_unit(FILE *f, const char *metric, const char *unit)
{
	fprintf(f, "%s{unit=\"", metric);
	prom_label(f, unit);
	fputc('"', f);
}

void prom_u64(FILE *f, const char *metric, const char *unit, uint64_t v)
{
	prom_unit(f, metric, unit);
	fprintf(f, "} %" PRIu64 "\n", v);
}

void prom_seconds(FILE *f, const char *metric, const char *unit, uint64_t usec)
{
	prom_unit(f, metric, unit);
	fprintf(f, "} %" PRIu64 ".%06" PRIu64 "\n", usec / 1000000, usec % 1000000);
}

/* encode_set.c — write the encoded form of a configuration directory to
 * stdout, as the loader hands it to PID 1: seeds for the unitset corpus
 * (tests/fuzz/README.md).
 *
 *   encode-set DIR > FILE        (DIR/initd.conf, DIR/units/)
 *   encode-set DIR NAME > FILE   unit NAME of DIR alone, as PID 1 sends it
 *                                to `svctl show` (unit_encode) */
#include <stdio.h>
#include <stdlib.h>

#include "units/unit.h"

int main(int argc, char **argv)
{
	char conf[4096], units[4096];
	struct unit_set *s;
	size_t len;
	void *buf;

	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: encode-set DIR [NAME]\n");
		return 2;
	}
	snprintf(conf, sizeof(conf), "%s/initd.conf", argv[1]);
	snprintf(units, sizeof(units), "%s/units", argv[1]);
	if (unit_set_load(conf, units, &s) < 0 ||
	    (argc == 3 ? !unit_set_find(s, argv[2]) ||
			 unit_encode(unit_set_find(s, argv[2]), &buf, &len) < 0
		       : unit_set_encode(s, &buf, &len) < 0)) {
		fprintf(stderr, "encode-set: cannot load or encode %s\n", argv[1]);
		return 1;
	}
	fwrite(buf, 1, len, stdout);
	free(buf);
	unit_set_free(s);
	return 0;
}

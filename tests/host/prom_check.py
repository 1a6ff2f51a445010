#!/usr/bin/python3
"""prom_check.py FILE — parse FILE (or - for stdin) with the real Prometheus
text parser (Debian's python3-prometheus-client) and print one line per
sample: NAME{k=v,...} VALUE, labels sorted, for the shell tests to grep.
Exits 1 when the text does not parse, or a family repeats."""
import sys

from prometheus_client.parser import text_string_to_metric_families

text = sys.stdin.read() if sys.argv[1] == "-" else open(sys.argv[1]).read()
seen = set()
for fam in text_string_to_metric_families(text):
    if fam.name in seen:
        print("family repeated: " + fam.name, file=sys.stderr)
        sys.exit(1)
    seen.add(fam.name)
    print("FAMILY %s %s" % (fam.name, fam.type))
    for s in fam.samples:
        labels = ",".join("%s=%s" % (k, s.labels[k]) for k in sorted(s.labels))
        print("%s{%s} %s" % (s.name, labels, repr(float(s.value))))

#!/usr/bin/python3
"""phases.py OUT... — the per-phase boot table for initd's VM boots.

Each OUT is one boot's output (bench/vm-bench.sh): a "BENCH init=" line
with t0 (benchtool's stamp just before it execs initd) and a
"BENCH-ANALYZE {json}" line (`svctl analyze --json`: PID 1's phase stamps,
initd/bootphase.h, and each unit's spawn and exec stamps). Prints, for
every phase, the median over the boots of its time after the exec stamp
and of its cost (time since the previous phase), in ms. PHASES_TAG picks
another analyze line (the 1000-unit boot's "BENCH-ANALYZE-SCALE ", taken
once every unit settled: it adds the "settled" row)."""
import json
import os
import re
import statistics
import sys


TAG = os.environ.get("PHASES_TAG", "BENCH-ANALYZE ")


def boot(path):
    t0, an, touch = None, None, {}
    for line in open(path, errors="replace"):
        if line.startswith("BENCH init="):
            m = re.search(r" t0=(\d+)", line)
            t0 = int(m.group(1)) if m else None
            for k in ("first", "last"):
                m = re.search(r" %s=(\d+)" % k, line)
                if m:
                    touch[k] = int(m.group(1))
        elif line.startswith(TAG):
            try:
                an = json.loads(line[len(TAG):])
            except ValueError:
                an = None
    if t0 is None or an is None:
        return None
    rows = [("initd main() (PID 1 exec)", an["exec_usec"])]
    rows += [(p["name"], p["usec"]) for p in an.get("phases", [])]
    units = [u for u in an["units"] if u.get("spawned_usec")]
    spawns = sorted(u["spawned_usec"] for u in units)
    execs = sorted(u["exec_usec"] for u in units if u.get("exec_usec"))
    if spawns:
        rows.append(("first spawn (clone3)", spawns[0]))
    if execs:
        rows.append(("first exec", execs[0]))
    if spawns:
        rows.append(("last spawn", spawns[-1]))
    if execs:
        rows.append(("last exec (%d units)" % len(execs), execs[-1]))
    if "first" in touch:
        rows.append(("first testd main() (touch)", touch["first"]))
    if "last" in touch and TAG == "BENCH-ANALYZE ":
        rows.append(("last testd main() (touch)", touch["last"]))
    if an.get("settled_usec") and TAG != "BENCH-ANALYZE ":
        rows.append(("settled (every unit)", an["settled_usec"]))
    rows.sort(key=lambda r: r[1])
    extra = {}
    if len(spawns) > 1:
        extra["spawn -> next spawn, mean"] = (spawns[-1] - spawns[0]) / (len(spawns) - 1)
    pairs = [u["exec_usec"] - u["spawned_usec"] for u in units if u.get("exec_usec")]
    if pairs:
        extra["spawn -> its exec, mean"] = sum(pairs) / len(pairs)
    return t0, rows, extra


def main(paths):
    boots = [b for b in (boot(p) for p in paths) if b]
    if not boots:
        print("   no boot phases (no BENCH-ANALYZE line: an initd without bootphase.h?)")
        return
    names = []
    for _, rows, _ in boots:
        for n, _ in rows:
            if n not in names:
                names.append(n)
    print("%-30s %12s %12s   %s" % ("phase (initd, VM)", "@ms", "+ms", "runs @ms"))
    summary = []
    for n in names:
        at = []
        cost = []
        for t0, rows, _ in boots:
            d = dict(rows)
            if n not in d:
                continue
            at.append((d[n] - t0) / 1000)
            i = [r[0] for r in rows].index(n)
            before = rows[i - 1][1] if i else t0
            cost.append((d[n] - before) / 1000)
        if not at:
            continue
        print("%-30s %12.2f %12.2f   [%s]" % (n, statistics.median(at), statistics.median(cost),
                                           " ".join("%.1f" % v for v in at)))
        if n.startswith(("model_decoded", "units_applied", "first spawn", "last testd")):
            summary.append("%s @%.0f" % (n.split(" (")[0], statistics.median(at)))
    for k in boots[0][2]:
        v = [b[2][k] / 1000 for b in boots if k in b[2]]
        print("%-30s %12s %12.2f" % (k, "", statistics.median(v)))
    if os.environ.get("BENCH_FIGURES") and summary and TAG == "BENCH-ANALYZE ":
        with open(os.environ["BENCH_FIGURES"], "a") as f:
            f.write("vm_phases=%s (median of %d boots)\n" % (", ".join(summary), len(boots)))
    print("   @: after benchtool's stamp just before initd's exec (median of the boots);")
    print("   +: since the row above (the phase's own cost). Phases: initd/bootphase.h;")
    print("   testd main(): the 10 services' --touch stamps (the comparison's \"last exec\").")
    print("   spawn/exec: each unit's SPAWNED_AT (clone3 returned) and EXEC_AT (the child's")
    print("   report that exec succeeded), from `svctl analyze --json`.")


main(sys.argv[1:])

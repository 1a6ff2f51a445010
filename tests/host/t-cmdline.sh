#!/bin/bash
# t-cmdline.sh — as PID 1, argv is whatever the kernel did not understand on
# its command line (doc/DESIGN.md §13: PID 1 never trusts its input). Options that
# would end an ordinary initd (--check, -n, --dump, --help, --version, an
# unknown option, a stray argument) are ignored there: initd boots and
# supervises as usual.
. "$(dirname "$0")/lib.sh"

new_boot cmdline
testd_unit alpha ""
start_initd -n --check --dump -h --help -V --version --bogus single
check "alpha reaches running despite the junk arguments" wait_state alpha running 5
check "initd is still PID 1 of the namespace" \
	eval '[ "$(ns_stat 1 | cut -d" " -f3)" = initd ]'
is "initd did not run a configuration check" "$(grep -c 'configuration OK' "$T/initd.log")" 0

stop_initd
[ "$FAILED" -eq 0 ]

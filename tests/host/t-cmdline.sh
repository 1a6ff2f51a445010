#!/bin/bash
# t-cmdline.sh — as PID 1, argv is whatever the kernel did not understand on
# its command line (doc/DESIGN.md §13: PID 1 never trusts its input). Options that
# would end an ordinary initd (--check, -n, --dump, --help, --version, an
# unknown option, a stray argument) are ignored there: initd boots and
# supervises as usual.
# As PID 1 of a container (this tier: a PID namespace not the kernel's
# first), /proc/cmdline is the host kernel's: a fake one holding
# initd.mode=special (bound over /proc/cmdline in the namespace) is not
# read. --cmdline FILE, given to PID 1, is read (the old code read the
# host's and ignored --cmdline as PID 1). So are initd.* words in PID 1's
# own argv, as `docker run IMAGE /sbin/initd initd.mode=special` gives
# them (the old code ignored every word past the options), after FILE's:
# a later word wins, as on a kernel command line.
. "$(dirname "$0")/lib.sh"

new_boot cmdline
testd_unit alpha ""
start_initd -n --check --dump -h --help -V --version --bogus single
check "alpha reaches running despite the junk arguments" wait_state alpha running 5
check "initd is still PID 1 of the namespace" \
	eval '[ "$(ns_stat 1 | cut -d" " -f3)" = initd ]'
is "initd did not run a configuration check" "$(grep -c 'configuration OK' "$T/initd.log")" 0

stop_initd

# modes_units — sp starts only in mode special, df in any mode.
modes_units() {
	testd_unit sp "" 'modes = [ "special" ];'
	testd_unit df ""
}

new_boot cmdline-host
modes_units
echo "quiet initd.mode=special" > "$T/fake-cmdline"
INITD_PRE="mount --bind $T/fake-cmdline /proc/cmdline" start_initd
check "df reaches running" wait_state df running 10
check "the host's command line (faked) was bound in the namespace" \
	eval 'in_ns cat /proc/cmdline | grep -q initd.mode=special'
check "the host's initd.mode is not read: no mode in status" \
	eval '! sv status | grep -q "^mode: "'
check "sp (mode special) not started" eval '[ "$(svc_state sp)" != running ]'
check "the log says why no parameters are read" \
	eval 'grep -q "not the kernel.s first PID namespace" "$T/initd.log"'
stop_initd

new_boot cmdline-file
modes_units
echo "initd.mode=special" > "$T/cmdline"
start_initd --cmdline "$T/cmdline"
check "--cmdline FILE as PID 1: sp (mode special) reaches running" wait_state sp running 10
check "status says mode special" eval 'sv status | grep -q "^mode: special$"'
stop_initd

# --cmdline naming a FIFO nobody writes: PID 1 must not wait on it before
# its event loop exists (the old code's open() blocked for ever).
new_boot cmdline-fifo
modes_units
mkfifo "$T/cmdline-fifo"
start_initd --cmdline "$T/cmdline-fifo"
check "--cmdline FIFO: initd answers (status)" eval 'sv status >/dev/null'
check "the log says it is no regular file" \
	eval 'grep -q "cmdline-fifo: not a regular file; no initd.\* parameters" "$T/initd.log"'
stop_initd
new_boot cmdline-argv
modes_units
start_initd initd.mode=special single initd.bogus
check "initd.mode=special in PID 1's argv: sp reaches running" wait_state sp running 10
check "status says mode special" eval 'sv status | grep -q "^mode: special$"'
check "an unknown initd.* word in argv is warned about, as on the command line" \
	eval 'grep -q "initd.bogus: unknown initd parameter" "$T/initd.log"'
check "a word that is no initd.* one is not" eval '! grep -q "single:" "$T/initd.log"'
stop_initd

new_boot cmdline-argv-file
modes_units
echo "initd.mode=other" > "$T/cmdline"
start_initd --cmdline "$T/cmdline" initd.mode=special
check "argv's initd.mode after --cmdline FILE's wins: sp reaches running" \
	wait_state sp running 10
check "status says mode special" eval 'sv status | grep -q "^mode: special$"'
stop_initd
[ "$FAILED" -eq 0 ]

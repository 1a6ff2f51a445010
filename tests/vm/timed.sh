#!/bin/bash
# tests/vm/timed.sh OUT.tap CMD... — run CMD, then append "# NAME: N s wall"
# to OUT.tap (NAME: the script CMD runs), so CI's log says where the VM
# tier's minutes go. Exits with CMD's status.
out=${1:?usage: tests/vm/timed.sh OUT.tap CMD...}
shift
name=
for a in "$@"; do case $a in *.sh) name=$(basename "$a" .sh); break ;; esac; done
start=$SECONDS
"$@"
rc=$?
echo "# time: ${name:-$1}: $((SECONDS - start)) s wall" | tee -a "$out"
exit $rc

#!/bin/bash
# run.sh — boot an initd image in qemu (TCG; these machines have no KVM).
#
#   run.sh [options] VMLINUZ INITRD
#     -s FILE     script mode: run FILE as root inside the appliance once every
#                 service is up (ready or failed), print its output here, power
#                 off, and exit with FILE's exit status
#     -t SECS     script mode: overall time limit (default $RUN_TIMEOUT or 300)
#     -p SECS     script mode: how long poweroff may take after the script
#                 ended (default $RUN_POWEROFF_TIMEOUT or 60)
#     -d DIR      script mode: where console.log, script.out and the combined
#                 initrd go (default DIR_OF_INITRD/run)
#     -a ARGS     extra kernel command line (also $RUN_APPEND)
#     -D FILE     a virtio disk (/dev/vda in the guest) backed by FILE, raw; when
#                 FILE is missing it is created ($RUN_DISK_SIZE, default 64M)
#                 with an ext4 filesystem labelled "data" (mkfs.ext4 -L data),
#                 so two runs with the same FILE share its state (also $RUN_DISK);
#                 mounting it needs initd.conf to load the virtio and ext4
#                 modules, crc32c_generic included
#     -f PORT     user networking: a virtio-net card (eth0 in the guest) on
#                 QEMU's user network (guest 10.0.2.15, gateway 10.0.2.2),
#                 with the host's 127.0.0.1:PORT forwarded to the guest's
#                 port 8080 (also $RUN_FWD_PORT). Without it: no network card
#     -q OPTS     extra qemu arguments, split at blanks (also $RUN_QEMU_OPTS),
#                 e.g. "-device i6300esb -action watchdog=reset"
#
# Without -s the console is this terminal (Ctrl-A X quits qemu).
#
# The machine comes from the environment (images/arch.mk's table, which
# `make run ARCH=...` passes): RUN_QEMU (default qemu-system-x86_64),
# RUN_MACHINE (machine options, e.g. "-M virt -cpu max"), RUN_CONSOLE (the
# guest's console, default ttyS0; ttyAMA0 on arm64).
#
# Script mode appends a second cpio to the initrd (the kernel unpacks
# concatenated archives) holding /etc/initd/script, /lib/initd/run-script and
# /etc/initd/units/run-script.unit. run-script writes the script's output and
# a closing "INITD-SCRIPT-EXIT=<rc>" line to ttyS1, a second serial port
# captured in DIR/script.out; the console (ttyS0) goes to DIR/console.log.
# The marker comes however the script ended (killed by signal N: 128+N, also
# when run-script died with it: initd restarts run-script to say so).
# A machine with one serial port (arm64 virt: ttyAMA0) gets
# run_script.out=console on the kernel command line: run-script then writes
# those lines to the console prefixed "INITD-SCRIPT| ", and DIR/script.out is
# cut from DIR/console.log.
#
# Exit status (script mode): the script's, or 125 when the VM ended (or the
# time limit hit) without the marker; then the console's last 60 lines are
# printed. On stderr: "poweroff: completed" when qemu exited by itself after
# the marker, "poweroff: timed out" when it had to be killed, and a timing line.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
script= dir= append=${RUN_APPEND:-} disk=${RUN_DISK:-} qemu_opts=${RUN_QEMU_OPTS:-}
fwd_port=${RUN_FWD_PORT:-}
timeout=${RUN_TIMEOUT:-300}
poweroff_timeout=${RUN_POWEROFF_TIMEOUT:-60}
while getopts s:t:p:d:a:D:q:f: opt; do
	case $opt in
	s) script=$OPTARG ;;
	t) timeout=$OPTARG ;;
	p) poweroff_timeout=$OPTARG ;;
	d) dir=$OPTARG ;;
	a) append=$OPTARG ;;
	D) disk=$OPTARG ;;
	q) qemu_opts=$OPTARG ;;
	f) fwd_port=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 2 ] || { echo "usage: run.sh [-s SCRIPT] [-t SECS] [-d DIR] [-a ARGS] [-D DISK] [-q QEMU_OPTS] [-f PORT] VMLINUZ INITRD" >&2; exit 2; }
case $fwd_port in
'' | [1-9] | [1-9][0-9] | [1-9][0-9][0-9] | [1-9][0-9][0-9][0-9] | [1-5][0-9][0-9][0-9][0-9] | 6[0-4][0-9][0-9][0-9] | 65[0-4][0-9][0-9] | 655[0-2][0-9] | 6553[0-5]) ;;
*) echo "run: -f wants a port number (got '$fwd_port')" >&2; exit 2 ;;
esac
vmlinuz=$1 initrd=$2
for f in "$vmlinuz" "$initrd"; do
	[ -f "$f" ] || { echo "run: missing $f" >&2; exit 125; }
done
qemu_bin=${RUN_QEMU:-qemu-system-x86_64}
console=${RUN_CONSOLE:-ttyS0}
command -v "$qemu_bin" >/dev/null ||
	{ echo "run: $qemu_bin not found (make deps)" >&2; exit 125; }

# RUN_RDINIT: the initrd's init (a disk image's stage 1 is /init).
cmdline="console=$console quiet panic=-1 rdinit=${RUN_RDINIT:-/sbin/initd}${append:+ $append}"
nic=(-nic none)
[ -z "$fwd_port" ] ||
	nic=(-nic "user,model=virtio-net-pci,hostfwd=tcp:127.0.0.1:$fwd_port-:8080")
# shellcheck disable=SC2206 # machine options split at blanks on purpose
qemu=("$qemu_bin" ${RUN_MACHINE:-} -accel tcg -m "${RUN_MEM:-512}" -smp 2 -no-reboot
	"${nic[@]}" -kernel "$vmlinuz")
# x86's 8250 driver gives a second port (ttyS1) for the script's output
one_port=
case $console in ttyS0) ;; *) one_port=1 ;; esac
if [ -n "$disk" ]; then
	if [ ! -e "$disk" ]; then
		mkfs=$(PATH=$PATH:/sbin:/usr/sbin command -v mkfs.ext4) ||
			{ echo "run: mkfs.ext4 not found (make deps: e2fsprogs)" >&2; exit 125; }
		mkdir -p "$(dirname "$disk")"
		truncate -s "${RUN_DISK_SIZE:-64M}" "$disk" &&
			"$mkfs" -F -q -L data "$disk" ||
			{ echo "run: cannot create the disk $disk" >&2; exit 125; }
		echo "run: created $disk (${RUN_DISK_SIZE:-64M}, ext4, label data)" >&2
	fi
	if [ -n "${RUN_MACHINE:-}" ]; then
		# arm virt: a PCI virtio disk, the same modules as on x86 (virtio_pci)
		qemu+=(-drive "file=$disk,if=none,id=disk0,format=raw" -device virtio-blk-pci,drive=disk0)
	else
		qemu+=(-drive "file=$disk,if=virtio,format=raw")
	fi
fi
# shellcheck disable=SC2206 # split at blanks on purpose
[ -z "$qemu_opts" ] || qemu+=($qemu_opts)

if [ -z "$script" ]; then
	echo "run: booting $initrd (Ctrl-A X quits)" >&2
	[ -z "$fwd_port" ] || echo "run: http://127.0.0.1:$fwd_port/ reaches the guest's port 8080" >&2
	exec "${qemu[@]}" -initrd "$initrd" -nographic -serial mon:stdio \
		-append "$cmdline"
fi

# ---- script mode ---------------------------------------------------------
[ -f "$script" ] || { echo "run: no script $script" >&2; exit 125; }
dir=${dir:-$(dirname "$initrd")/run}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
rm -rf "$dir/extra"
mkdir -p "$dir/extra/etc/initd/units" "$dir/extra/lib/initd"
install -m 0755 "$script" "$dir/extra/etc/initd/script"
install -m 0755 "$here/run-script" "$dir/extra/lib/initd/run-script"
install -m 0644 "$here/run-script.unit" "$dir/extra/etc/initd/units/run-script.unit"
# The image's compiled model (mkimage.sh) no longer matches its units once
# run-script.unit joins them: compile them again into the extra archive,
# with the image's own initd when it runs on this machine. The model's
# digest names the version of the initd that compiled it, so one of
# another build (build/initd a commit behind the static one) left it out
# of date, and every boot read the files, silently (a bench's phases then
# showed loader_started). Else with this host's (RUN_HOST_INITD, default
# build/initd, which also overrides the image's). Without either the boot
# finds the model out of date and reads the files (initd(8)).
case ${BUILD:=build} in /*) ;; *) BUILD=$here/../$BUILD ;; esac
host_initd=${RUN_HOST_INITD:-$BUILD/initd}
elf_machine() { od -An -tu2 -j18 -N2 "$1" 2>/dev/null | tr -d ' '; }
# The listing first, then grep: cpio stops at the archive's trailer, and
# gzip, still writing what follows it, may die of SIGPIPE, which pipefail
# made the pipeline's status: the model was then silently not compiled,
# depending on the image's size.
listing=$(gzip -dc "$initrd" 2>/dev/null | cpio -t --quiet 2>/dev/null)
if grep -qx etc/initd/initd.model <<< "$listing"; then
	rm -rf "$dir/compile"
	mkdir -p "$dir/compile"
	(initrd=$(cd "$(dirname "$initrd")" && pwd)/$(basename "$initrd") &&
	 cd "$dir/compile" && gzip -dc "$initrd" |
		cpio -id --quiet 'etc/initd/initd.conf' 'etc/initd/units/*.unit' \
			'sbin/initd' 'sbin/initd-loader' 2>/dev/null)
	mkdir -p "$dir/compile/etc/initd/units"
	cp "$dir/extra/etc/initd/units/run-script.unit" "$dir/compile/etc/initd/units/"
	# the image's first, if this shell's machine is its own; a binary
	# from the image runs under a time limit (as mkimage's does)
	compilers=()
	img=$dir/compile/sbin
	if [ -z "${RUN_HOST_INITD:-}" ] && [ -f "$img/initd" ] && [ ! -L "$img/initd" ] &&
	   [ -f "$img/initd-loader" ] && [ ! -L "$img/initd-loader" ] &&
	   [ "$(elf_machine "$img/initd")" = "$(elf_machine "$BASH")" ]; then
		compilers+=("$img/initd")
	fi
	[ -x "$host_initd" ] && compilers+=("$host_initd")
	compiled=
	for c in "${compilers[@]}"; do
		if timeout 20 "$c" --compile --root "$dir/compile" "$dir/compile/etc/initd" \
			>/dev/null 2>&1; then
			compiled=$c
			break
		fi
		echo "run: warning: $c --compile failed" >&2
	done
	if [ -n "$compiled" ]; then
		install -m 0644 "$dir/compile/etc/initd/initd.model" "$dir/extra/etc/initd/initd.model"
	else
		echo "run: warning: the model was not compiled (no initd here could): the boot reads the unit files" >&2
	fi
	rm -rf "$dir/compile"
fi
(cd "$dir/extra" && find . -mindepth 1 | LC_ALL=C sort |
	cpio -o -H newc -R 0:0 --quiet | gzip -n) >"$dir/script.cpio.gz" || exit 125
cat "$initrd" "$dir/script.cpio.gz" >"$dir/initrd.gz"
rm -f "$dir/console.log" "$dir/script.out"
: >"$dir/console.log"
: >"$dir/script.out"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
serials=(-serial "file:$dir/console.log" -serial "file:$dir/script.out")
if [ -n "$one_port" ]; then
	serials=(-serial "file:$dir/console.log")
	cmdline="$cmdline run_script.out=console"
fi
# cut_script: script.out from the console's prefixed lines (one port)
cut_script() {
	[ -z "$one_port" ] ||
		sed -n 's/^.*INITD-SCRIPT| //p' "$dir/console.log" | tr -d '\r' >"$dir/script.out"
}
t0=$(now)
"${qemu[@]}" -initrd "$dir/initrd.gz" -display none -monitor none "${serials[@]}" \
	-append "$cmdline" </dev/null >"$dir/qemu.log" 2>&1 &
qpid=$!
trap 'kill "$qpid" 2>/dev/null; exit 130' INT TERM

t_start= t_marker= t_end= killed=
deadline=$((SECONDS + timeout))
while kill -0 "$qpid" 2>/dev/null; do
	cut_script
	if [ -z "$t_start" ] && grep -q '^INITD-SCRIPT-START' "$dir/script.out"; then
		t_start=$(now)
	fi
	if [ -z "$t_marker" ] && grep -aq 'INITD-SCRIPT-EXIT=' "$dir/script.out"; then
		t_marker=$(now)
		pdeadline=$((SECONDS + poweroff_timeout))
		[ "$pdeadline" -lt "$deadline" ] || deadline=$pdeadline
	fi
	if [ -n "$t_marker" ] && [ "$SECONDS" -ge "$pdeadline" ] ||
		[ "$SECONDS" -ge "$deadline" ]; then
		killed=1
		kill "$qpid" 2>/dev/null
		sleep 1
		kill -9 "$qpid" 2>/dev/null
		break
	fi
	sleep 0.2
done
wait "$qpid" 2>/dev/null
qrc=$?
t_end=$(now)
cut_script

tr -d '\r' <"$dir/script.out" >"$dir/script.txt"
marker=$(grep -ao 'INITD-SCRIPT-EXIT=[0-9]*$' "$dir/script.txt" | tail -n 1)
[ -n "$t_start" ] || ! grep -q '^INITD-SCRIPT-START' "$dir/script.txt" || t_start=$t_end
[ -n "$t_marker" ] || [ -z "$marker" ] || t_marker=$t_end

# The script's output without run-script's lines; a marker that follows output
# without a final newline ends that line.
awk '/^INITD-SCRIPT-(START|READY) / { next }
	/INITD-SCRIPT-EXIT=[0-9]+$/ { sub(/INITD-SCRIPT-EXIT=[0-9]+$/, ""); if ($0 == "") next }
	{ print }' "$dir/script.txt"

timing="timing: qemu ran $(elapsed "$t0" "$t_end")s"
# guest clock: when run-script started, and when `svctl wait` returned
up_start=$(sed -n 's/^INITD-SCRIPT-START uptime=//p' "$dir/script.txt")
up_ready=$(sed -n 's/^INITD-SCRIPT-READY uptime=//p' "$dir/script.txt")
[ -z "$up_ready" ] || timing="$timing, guest uptime ${up_ready}s when all services settled (run-script began at ${up_start}s)"
[ -z "$t_start" ] || timing="$timing, run-script started at $(elapsed "$t0" "$t_start")s"
[ -z "$t_marker" ] || timing="$timing, script done at $(elapsed "$t0" "$t_marker")s"
echo "$timing" >&2
echo "console log: $dir/console.log" >&2

if [ -z "$marker" ]; then
	if [ -n "$killed" ]; then
		echo "run: no result within ${timeout}s; qemu killed" >&2
	else
		echo "run: qemu exited ($qrc) without a result" >&2
	fi
	[ -s "$dir/qemu.log" ] && sed 's/^/qemu: /' "$dir/qemu.log" >&2
	echo "---- last 60 lines of $dir/console.log ----" >&2
	tail -n 60 "$dir/console.log" | tr -d '\r' >&2
	echo "----" >&2
	exit 125
fi
if [ -n "$killed" ]; then
	echo "poweroff: timed out" >&2
else
	echo "poweroff: completed (qemu exit $qrc)" >&2
fi
rc=${marker#INITD-SCRIPT-EXIT=}
case $rc in '' | *[!0-9]*) rc=125 ;; esac
exit "$rc"

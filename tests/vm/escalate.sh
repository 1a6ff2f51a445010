#!/bin/bash
# escalate.sh OUT.tap — issue 14 in the VM, one short QEMU boot per case,
# each with its own initd.conf and units appended to a base image:
#   critical   a critical unit fails: the kernel restarts ("reboot:
#              Restarting system" under -no-reboot)
#   poweroff   on_failure = "poweroff": the kernel powers down
#   leaf       a unit not started (autostart = false) whose cgroup leaf the
#              kernel refuses after the boot's pass (io.max on a missing
#              device) fails through the state machine and escalates
#   rescue     on_failure = "rescue": the units stop, a root shell comes up on
#              the console as a child of PID 1; the script types into it
#              (QEMU's serial on a FIFO): its parent, svctl status, poweroff
#   mode       initd.mode=maint: only the maint units run (read from /proc),
#              and initd.conf's sysctl values are read back from /proc/sys
#   cmdrescue  initd.rescue: no unit runs, the shell comes up
#   guard      the reboot-loop guard on a virtio disk across two QEMU runs
#   mountguard a required mount that never appears reboots (on_failure), and
#              the guard, on another disk, sends the second run to rescue
#   blindguard the guard's file on that missing mount: it cannot count, so
#              the reboot becomes rescue at once (not a reboot loop)
#   noload     the first load fails (initd-loader not executable): a shell
#              comes up on the console all the same; repaired, svctl reload
#              mounts initd.conf's mounts and starts the units, as the boot
#              would have, and the shell is not started again
# ESCALATE_CASES picks the boots. Appends TAP lines to OUT.tap.
set -uo pipefail
cd "$(dirname "$0")/../.."
top=$PWD
out=${1:?usage: tests/vm/escalate.sh OUT.tap}
dir=${BUILD:-build}/vm-escalate
rm -rf "$dir"; mkdir -p "$dir"

tap() { echo "$1 - escalate: $2" | tee -a "$out"; }
fail() { tap "not ok" "$1"; exit 1; }
# t NAME CMD... — ok when CMD succeeds, else the console's tail as diagnostics.
t() {
	local name=$1; shift
	if "$@"; then tap ok "$name"
	else tap "not ok" "$name"; tail -15 "$dir/$case.console" | sed 's/^/# /'; fi
}

make --no-print-directory STATIC=1 all >"$dir/build.log" 2>&1 ||
	fail "static build failed (see $dir/build.log)"
kdir=$(images/kernel.sh "${BUILD:-build}/kernel" 2>>"$dir/build.log" | tail -1) || fail "no kernel"
[ -d "$kdir" ] || kdir=${BUILD:-build}/kernel/current
images/mkimage.sh -o "$dir/base.cpio.gz" -k "$kdir" -i build-static/initd \
	-s build-static/svctl -u tests/vm/escalate/units >>"$dir/build.log" 2>&1 ||
	fail "image build failed"

# stage CASE — $dir/CASE.stage/etc/initd/{initd.conf,units/} from the
# case's shell functions conf_CASE and units_CASE (writing in the cwd).
stage() {
	local s=$dir/$1.stage
	mkdir -p "$s/etc/initd/units"
	(cd "$s/etc/initd" && "conf_$1" > initd.conf && cd units && "units_$1")
	! declare -F "files_$1" >/dev/null || (cd "$s" && "files_$1")   # beside /etc/initd
	(cd "$s" && find . | cpio -o -H newc --quiet | gzip) > "$dir/$1.conf.gz"
	cat "$dir/base.cpio.gz" "$dir/$1.conf.gz" > "$dir/$1.initrd"
}

# boot CASE [APPEND] [QEMU ARGS...] — console in $dir/CASE.console (typed
# into through $dir/CASE.in), reports (/dev/ttyS1) in $dir/CASE.out. Runs
# in the background: $qpid. Every case ends its machine (a reboot, a
# poweroff, or a kill); the limit only bounds a hang, and is well above the
# waits of the longest case (noload's add up to 122 s): a machine killed by
# it would fail later checks under misleading names. loglevel=5, not
# quiet: the kernel's warnings reach the console too, and with them a soft
# lockup's stack and registers (a hang seen once in CI showed only the
# reports' one-line headers; a hung task's and a starved kthread's stacks
# are info, still hidden). A boot prints ~8 such lines, all before initd.
# Not more: initd copies its own messages to /dev/kmsg at notice, and at
# loglevel 6 they would reach the console twice.
boot() {
	local c=$1 append=${2:-}
	shift 2
	rm -f "$dir/$c.in"; mkfifo "$dir/$c.in"
	exec 3<>"$dir/$c.in"
	timeout 180 qemu-system-x86_64 -accel tcg -m 384 -smp 2 -no-reboot -nic none \
		-display none -monitor none "$@" \
		-kernel "$kdir/vmlinuz" -initrd "$dir/$c.initrd" \
		-append "console=ttyS0 loglevel=5 panic=-1 rdinit=/sbin/initd $append" \
		-serial stdio -serial "file:$dir/$c.out" <&3 >"$dir/$c.console" 2>&1 &
	qpid=$! qcase=$c
}
# finish — wait for QEMU; $rc.
finish() {
	wait "$qpid"; rc=$?; exec 3>&-
	[ "$rc" != 124 ] || tap "not ok" "qemu killed at its 180 s limit (the machine hung)"
	# Where the kernel was stuck, if it said so: the first report, whole,
	# in the TAP file (a machine the script killed after a wait that failed
	# too). Not a failure of its own: a busy host can make an emulated CPU
	# late enough for a report the machine then recovers from.
	sed -n '/soft lockup\|rcu.*stall\|kthread starved\|blocked for more than/,+60p' \
		"$dir/$qcase.console" | head -80 | sed "s/^/# $qcase: /" | tee -a "$out"
}
has() { grep -aq "$2" "$dir/$1"; }
# wait_console CASE REGEX SECONDS — poll the console (bounded).
wait_console() {
	local end=$((SECONDS + $3))
	until has "$1.console" "$2"; do
		[ "$SECONDS" -ge "$end" ] && return 1
		kill -0 "$qpid" 2>/dev/null || { has "$1.console" "$2"; return; }
		sleep 0.2
	done
}
# type_in LINE — a line to the console's shell.
type_in() { printf '%s\n' "$1" >&3; }

sh_unit() {   # sh_unit NAME 'SCRIPT' [LINES...]
	local n=$1 s=$2; shift 2
	{ echo "exec = [ \"/bin/sh\", \"-c\", \"$s\" ];"; printf '%s\n' "$@"; } > "$n.unit"
}
report_unit() { sh_unit "$1" "echo report: $1-ran > /dev/ttyS1; exec sleep 100$2" "${@:3}"; }

# ---- the cases ---------------------------------------------------------------

conf_critical() { echo 'crash_action = "freeze";'; }
units_critical() {
	report_unit bystander 1
	sh_unit crit "exit 3" 'critical = true;' 'restart = "no";'
}
conf_poweroff() { echo 'crash_action = "freeze";'; }
units_poweroff() {
	report_unit bystander 1
	sh_unit gone "exit 4" 'on_failure = "poweroff";' 'restart = "no";'
}
conf_leaf() { echo 'crash_action = "freeze";'; }
units_leaf() {
	report_unit bystander 1
	sh_unit idlebad "exit 0" 'autostart = false;' 'on_failure = "poweroff";' \
		'cgroup = { io = { max = ( { device = "254:99"; rbps = "1M"; } ); }; };'
}
conf_rescue() { echo 'crash_action = "freeze";'; }
units_rescue() {
	report_unit bystander 1
	sh_unit broken "sleep 1; exit 5" 'on_failure = "rescue";' 'restart = "no";'
}
conf_mode() {
	echo 'sysctl = [ "vm.swappiness=17", "kernel.domainname=escal.test", "no.such.knob=1" ];'
}
units_mode() {
	report_unit inmaint 1 'modes = [ "maint" ];'
	report_unit indefault 2 'modes = [ "default" ];'
	report_unit everywhere 3
	sh_unit probe "sleep 1; for p in /proc/[0-9]*; do tr '\\\\0' ' ' < \$p/cmdline; echo; done | grep '^sleep' > /dev/ttyS1; echo sysctl: \$(cat /proc/sys/vm/swappiness) \$(cat /proc/sys/kernel/domainname) > /dev/ttyS1; svctl status > /dev/ttyS1; svctl poweroff" \
		'modes = [ "maint" ];' 'type = "oneshot";' 'requires = [ "inmaint", "everywhere" ];'
}
# A declared mount is not touched under initd.rescue: the shell may be there
# to repair that very disk (no disk here: tried, it would time out and fail).
conf_cmdrescue() { echo 'mounts = ( { what = "/dev/vda"; where = "/data"; type = "ext4"; timeout = "2s"; } );'; }
units_cmdrescue() { report_unit bystander 1; }

run_rescue_shell() {   # the rescue shell on the console, then poweroff
	local c=$1
	if ! wait_console "$c" "rescue: root shell on the console" 40; then
		t "$c: the rescue shell came up" false
		kill "$qpid" 2>/dev/null; finish; return 1
	fi
	t "$c: the rescue shell came up" true
	# initd.rescue brings the shell up before the units are in (a loader
	# may still be reading them: svctl says so and exits 1); ask again.
	type_in 'echo SHELL-PARENT=$PPID; for i in $(seq 50); do svctl status && break; sleep 0.2; done; echo STATUS-DONE'
	wait_console "$c" "^STATUS-DONE" 20
	type_in 'svctl poweroff'
	finish
	t "$c: the shell is a child of PID 1" has "$c.console" "^SHELL-PARENT=1"
	t "$c: svctl status answers in rescue" has "$c.console" "^rescue: "
	t "$c: svctl poweroff powers down from rescue" has "$c.console" "reboot: Power down"
}

case_critical() {
	stage critical; boot critical ""; finish
	t "critical: the failure action ran" has critical.console "crit failed: exit 3: failure action reboot"
	t "critical: the kernel restarted" has critical.console "reboot: Restarting system"
}
case_leaf() {
	stage leaf; boot leaf ""; finish
	t "leaf: the refused leaf fails the unit through the state machine" \
		has leaf.console "idlebad: failed: cgroup: io.max: No such device"
	t "leaf: its failure action ran" has leaf.console "idlebad failed: cgroup: io.max: No such device: failure action poweroff"
	t "leaf: the kernel powered down" has leaf.console "reboot: Power down"
}
case_poweroff() {
	stage poweroff; boot poweroff ""; finish
	t "poweroff: the failure action ran" has poweroff.console "gone failed: exit 4: failure action poweroff"
	t "poweroff: the kernel powered down" has poweroff.console "reboot: Power down"
}
case_rescue() {
	stage rescue; boot rescue ""
	run_rescue_shell rescue
	t "rescue: the units were stopped first" has rescue.console "bystander: stopping\|stopping services\|rescue: every unit is stopped"
	t "rescue: status says why" has rescue.console "^rescue: broken failed: exit 5"
}
case_mode() {
	stage mode; boot mode "initd.mode=maint initd.bogus"; finish
	t "mode: the maint unit ran" has mode.out "^sleep 1001"
	t "mode: a unit without modes ran" has mode.out "^sleep 1003"
	t "mode: the default-only unit did not" eval '! has mode.out "^sleep 1002"'
	t "mode: svctl status shows the mode" has mode.out "^mode: maint"
	t "mode: sysctl values are in /proc/sys" has mode.out "^sysctl: 17 escal.test"
	t "mode: an unknown sysctl is logged, the boot goes on" has mode.console "sysctl no.such.knob: .*unknown name"
	t "mode: an unknown initd.* parameter is reported" has mode.console "initd.bogus: unknown initd parameter"
	t "mode: powered down at the end" has mode.console "reboot: Power down"
}
case_cmdrescue() {
	stage cmdrescue; boot cmdrescue "initd.rescue"
	run_rescue_shell cmdrescue
	t "cmdrescue: no unit ran" eval '! has cmdrescue.out "bystander-ran"'
	t "cmdrescue: status says why" has cmdrescue.console "^rescue: initd.rescue on the kernel command line"
	t "cmdrescue: initd.conf's mounts are left to the operator" \
		has cmdrescue.console "initd.rescue: initd.conf's mounts are left to the operator"
	t "cmdrescue: no mount was tried" eval '! has cmdrescue.console "mount /data"'
}

# The guard: run 1 fails a critical unit (reboot, count 1 on the disk); run
# 2 finds 1 >= max and goes to rescue.
conf_guard() {
	cat <<'EOC'
crash_action = "freeze";
modules = [ "virtio_ring", "virtio", "virtio_pci_modern_dev", "virtio_pci_legacy_dev",
	"virtio_pci", "virtio_blk", "crc32c_generic", "crc16", "mbcache", "jbd2", "ext4" ];
mounts = ( { what = "/dev/vda"; where = "/data"; type = "ext4"; } );
boot_guard = { file = "/data/initd/failed-boots"; max = 1; };
EOC
}
units_guard() { sh_unit crit "exit 3" 'critical = true;' 'restart = "no";'; }
case_guard() {
	local img=$dir/data.img
	mkdir -p "$dir/data/initd"
	truncate -s 32M "$img"
	mkfs.ext4 -q -F -O ^metadata_csum -d "$dir/data" "$img" || { t "guard: mkfs" false; return; }
	stage guard
	boot guard "" -drive "file=$img,if=virtio,format=raw"; finish
	t "guard: run 1 rebooted on the critical failure" has guard.console "reboot: Restarting system"
	mv "$dir/guard.console" "$dir/guard1.console"
	boot guard "" -drive "file=$img,if=virtio,format=raw"
	run_rescue_shell guard
	t "guard: run 2 went to rescue" has guard.console "^rescue: boot_guard: 1 failed boots in a row"
}

# A required mount whose device never comes (/dev/vdb: no second disk) with
# on_failure = "reboot": run 1 counts itself on /data (vda) and reboots
# with no unit started; run 2 finds the count at max and goes to rescue
# instead of rebooting again (before, the guard never ran on this path and
# the machine rebooted for ever).
conf_mountguard() {
	cat <<'EOC'
crash_action = "freeze";
modules = [ "virtio_ring", "virtio", "virtio_pci_modern_dev", "virtio_pci_legacy_dev",
	"virtio_pci", "virtio_blk", "crc32c_generic", "crc16", "mbcache", "jbd2", "ext4" ];
mounts = ( { what = "/dev/vda"; where = "/data"; type = "ext4"; },
	   { what = "/dev/vdb"; where = "/more"; type = "ext4"; timeout = "2s";
	     on_failure = "reboot"; } );
boot_guard = { file = "/data/initd/failed-boots"; max = 1; };
EOC
}
units_mountguard() { sh_unit bystander "echo bystander-ran > /dev/ttyS1; exec sleep 600"; }
case_mountguard() {
	local img=$dir/mountguard.img
	mkdir -p "$dir/mg/initd"
	truncate -s 32M "$img"
	mkfs.ext4 -q -F -d "$dir/mg" "$img" || { t "mountguard: mkfs" false; return; }
	stage mountguard
	boot mountguard "" -drive "file=$img,if=virtio,format=raw"; finish
	t "mountguard: run 1 rebooted on the missing mount" has mountguard.console "reboot: Restarting system"
	t "mountguard: run 1 started no unit" eval '! has mountguard.out "bystander-ran"'
	mv "$dir/mountguard.console" "$dir/mountguard1.console"
	boot mountguard "" -drive "file=$img,if=virtio,format=raw"
	run_rescue_shell mountguard
	t "mountguard: run 2 went to rescue, not rebooting again" \
		has mountguard.console "^rescue: boot_guard: 1 failed boots in a row"
}

# The guard's own file on the mount that never appears: the count would be
# written on the empty mount point in the initramfs, which every reboot
# forgets, so on_failure = "reboot" looped for ever. Without a count the
# first run goes to rescue instead, and says why.
conf_blindguard() {
	cat <<'EOC'
crash_action = "freeze";
mounts = ( { what = "/dev/vda"; where = "/data"; type = "ext4"; timeout = "2s";
	     on_failure = "reboot"; } );
boot_guard = { file = "/data/initd/failed-boots"; max = 3; };
EOC
}
units_blindguard() { units_mountguard; }
case_blindguard() {
	stage blindguard
	boot blindguard ""
	run_rescue_shell blindguard
	t "blindguard: no reboot without a count" eval '! has blindguard.console "Restarting system"'
	t "blindguard: rescue says the guard cannot count" has blindguard.console \
		"^rescue: boot_guard /data/initd/failed-boots cannot count failed boots (mount /data failed"
	t "blindguard: no unit started" eval '! has blindguard.out "bystander-ran"'
}

# The first load fails outright: /sbin/initd-loader is not executable (the
# image's compiled model is out of date with this initd.conf, so the boot
# needs the loader). No unit can start; an appliance's way in may be one.
conf_noload() {
	echo 'crash_action = "freeze";'
	echo 'mounts = ( { what = "tmpfs"; where = "/data"; type = "tmpfs"; } );'
}
units_noload() {
	report_unit bystander 1
	sh_unit onmount "grep -q ' /data tmpfs ' /proc/mounts && echo report: data-mounted > /dev/ttyS1; exec sleep 100" \
		'requires_mounts = [ "/data" ];'
}
files_noload() { mkdir -p sbin && install -m 0644 "$top/build-static/initd-loader" sbin/initd-loader; }
case_noload() {
	stage noload; boot noload ""
	if ! wait_console noload "rescue: root shell on the console" 40; then
		t "noload: a shell came up on the console" false
		kill "$qpid" 2>/dev/null; finish; return 1
	fi
	t "noload: a shell came up on the console" true
	type_in 'echo SHELL-PARENT=$PPID; svctl status; echo STATUS-RC=$?'
	wait_console noload "^STATUS-RC=" 20
	local ran_before; ran_before=$(grep -ac "bystander-ran" "$dir/noload.out")
	type_in 'chmod 0755 /sbin/initd-loader && svctl reload; echo RELOAD-RC=$?'
	wait_console noload "^RELOAD-RC=" 30
	local end=$((SECONDS + 20))
	until { has noload.out "bystander-ran" && has noload.out "data-mounted"; } ||
		[ "$SECONDS" -ge "$end" ]; do sleep 0.2; done
	type_in 'exit'
	wait_console noload "the shell exited" 10
	sleep 2   # a respawn would come after 1 s
	kill "$qpid" 2>/dev/null; finish
	t "noload: the shell is a child of PID 1" has noload.console "^SHELL-PARENT=1"
	t "noload: status says why no unit runs" has noload.console \
		"no units are loaded (cannot exec initd-loader: Permission denied"
	t "noload: status exits non-zero with nothing loaded" has noload.console "^STATUS-RC=[1-9]"
	t "noload: no unit ran before the repair ($ran_before)" test "$ran_before" = 0
	t "noload: svctl reload once repaired exits 0" has noload.console "^RELOAD-RC=0"
	t "noload: the reload started the units" has noload.out "bystander-ran"
	t "noload: the reload mounted initd.conf's mounts before them" has noload.out "data-mounted"
	t "noload: the shell's exit is its last (the units are in)" \
		has noload.console "the shell exited; the units are in, so no other comes"
	t "noload: one shell in all" eval \
		'[ "$(grep -ac "rescue: root shell on the console" "$dir/noload.console")" = 1 ]'
}

for case in ${ESCALATE_CASES:-critical poweroff leaf rescue mode cmdrescue guard mountguard blindguard noload}; do
	"case_$case"
done
! grep -q '^not ok - escalate:' "$out"

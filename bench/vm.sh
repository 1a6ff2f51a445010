#!/bin/bash
# vm.sh — the VM tier of `make bench`: one image (images/mkimage.sh) holding
# initd, busybox, s6, runit and finit (systemd gets a Debian root of its own:
# bench/vm/systemd.sh), booted once per init and run (qemu TCG, as
# images/run.sh does it). Each boot stamps the init's first instruction
# (rdinit=/bench/stamp-NAME, a link to benchtool that writes the time and
# execs the real init) and waits until 10 testd services have started; the
# initd boot also runs bench/vm-bench.sh's extra figures (real PID 1, real
# cgroups). Prints the tables; ratios are to initd's median.
#
# Environment: BUILD, BENCH_QUICK=1 (one boot per init, fewer samples),
# BENCH_BOOTS (boots per init; default 3, quick 1), BENCH_VM_DIR (work
# directory, default $BUILD/bench/vm: a second run can use its own),
# BENCH_INITS (the inits to boot, default all; initd is the ratios' base),
# BENCH_VM_EXTRAS=0 (skip the extra and watchdog boots: the comparison and
# the phase table only), BENCH_VM_SCALE (units of the scale boot, default
# 1000; 0: no scale boot).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
cd "$top" || exit 1
BUILD=${BUILD:-build}
QUICK=${BENCH_QUICK:-}
BOOTS=${BENCH_BOOTS:-$([ -n "$QUICK" ] && echo 1 || echo 3)}
V=${BENCH_VM_DIR:-$BUILD/bench/vm}
PKGS=$BUILD/bench/pkgs
FPKGS=$BUILD/bench/pkgs-finit
MAKE=${MAKE:-make}
SCALE_UNITS=${BENCH_VM_SCALE:-1000}
INITS=${BENCH_INITS:-initd busybox s6 runit finit finit-bare systemd systemd-bare}
declare -A IMG=()   # init -> image directory, when not $V/image
declare -A WHY=()   # init -> why it was left out

log() { echo "vm: $*" >&2; }

# ---- the alternatives, from Debian's packages (no install on this host) ---
fetch_pkgs() {
	[ -f "$PKGS/root/usr/bin/s6-svscan" ] && [ -f "$PKGS/root/usr/bin/runsvdir" ] && return 0
	mkdir -p "$PKGS/root"
	(cd "$PKGS" && apt-get download s6 libs6-2.11 libskarnet2.13 libexecline2.9 runit) \
		>"$PKGS/download.log" 2>&1 || return 1
	for d in "$PKGS"/*.deb; do dpkg-deb -x "$d" "$PKGS/root" || return 1; done
}

# finit 4.2 and the two libraries it links (libite, libuev), in a root of
# their own; finit-plugins brings the plugin set Debian builds.
fetch_finit() {
	[ -f "$FPKGS/root/sbin/finit" ] && [ -d "$FPKGS/root/lib/x86_64-linux-gnu/finit/plugins" ] && return 0
	rm -rf "$FPKGS"
	mkdir -p "$FPKGS/root"
	(cd "$FPKGS" && apt-get download finit finit-plugins libite5 libuev3) \
		>"$FPKGS/download.log" 2>&1 || return 1
	for d in "$FPKGS"/*.deb; do dpkg-deb -x "$d" "$FPKGS/root" || return 1; done
}

# ---- the image -------------------------------------------------------------
svc_lines() {   # svc_lines FORMAT — FORMAT with %d = 0..9
	local i
	for ((i = 0; i < 10; i++)); do printf "$1" "$i" "$i"; done
}

make_tree() {
	local o=$V/overlay u=$V/units i
	rm -rf "$V"
	mkdir -p "$o/bench" "$o/etc" "$u"
	cp "$BUILD/bench/testd-static" "$o/bench/testd"
	cp "$BUILD/bench/benchtool" "$o/bench/benchtool"
	cp bench/vm/report.sh "$o/bench/report.sh"
	for n in initd busybox s6 runit finit finit-bare; do ln -s benchtool "$o/bench/stamp-$n"; done
	printf '/sbin/initd\n' > "$o/bench/stamp-initd.cmd"
	printf '/bin/busybox\ninit\n' > "$o/bench/stamp-busybox.cmd"
	printf '/usr/bin/s6-svscan\n/etc/s6\n' > "$o/bench/stamp-s6.cmd"
	printf '/usr/bin/runsvdir\n-P\n/etc/runit-sv\n' > "$o/bench/stamp-runit.cmd"
	printf '/sbin/finit\n' > "$o/bench/stamp-finit.cmd"
	printf '/sbin/finit\n' > "$o/bench/stamp-finit-bare.cmd"
	# initd: 10 units
	echo 'hostname = "bench";' > "$V/initd.conf"
	for ((i = 0; i < 10; i++)); do
		echo "exec = [ \"/bench/testd\", \"--touch\", \"/tmp/s$i.touch\" ];" > "$u/s$i.unit"
	done
	# busybox init: the same 10 as respawn entries
	{
		echo "::sysinit:/bin/busybox mount -t proc proc /proc"
		svc_lines '::respawn:/bench/testd --touch /tmp/s%d.touch\n'
		echo "::once:/bench/report.sh busybox"
	} > "$o/etc/inittab"
	# s6-svscan and runsvdir: one service directory each
	for d in s6 runit-sv; do
		for ((i = 0; i < 10; i++)); do
			mkdir -p "$o/etc/$d/s$i"
			printf '#!/bin/sh\nexec /bench/testd --touch /tmp/s%d.touch\n' "$i" > "$o/etc/$d/s$i/run"
		done
		mkdir -p "$o/etc/$d/report"
		printf '#!/bin/sh\nexec /bench/report.sh %s\n' "${d%-sv}" > "$o/etc/$d/report/run"
		chmod +x "$o"/etc/$d/*/run
	done
	# finit: the same 10 as services in runlevels 2-5 (finit's default: they
	# start when bootstrap, runlevel S, is over), plus report as a task.
	# finit-bare: the same finit.conf in an image without finit's plugins.
	for n in finit finit-bare; do
		mkdir -p "$V/$n/overlay/etc"
		{
			echo "# bench: 10 testd services, like the other inits (bench/vm.sh)"
			for ((i = 0; i < 10; i++)); do
				echo "service :$i [2345] name:s$i /bench/testd --touch /tmp/s$i.touch -- s$i"
			done
			echo "task [2345] name:report /bench/report.sh $n -- bench report"
		} > "$V/$n/overlay/etc/finit.conf"
	done
	# finit runs `mount -na` at bootstrap: an appliance has an fstab (the
	# other inits do not read it)
	printf '# bench image: nothing beyond what the init mounts itself\n' > "$o/etc/fstab"
	# the extra image: the same plus the restart unit r and /bench/extra
	mkdir -p "$V/extra/units" "$V/extra/overlay/bench"
	cp "$u"/*.unit "$V/extra/units/"
	cp "$V/initd.conf" "$V/extra/initd.conf"
	cat > "$V/extra/units/r.unit" <<-UNIT
	exec = [ "/bench/testd", "--touch", "/tmp/r.touch" ];
	restart = "always";
	restart_delay = "0";
	start_limit = { burst = 1000000; interval = "1s"; };
	UNIT
	if [ -z "$QUICK" ]; then
		echo "RESTARTS=100 STATUS_RUNS=100 IDLE_SECS=30 SPAWNS=100" > "$V/extra/overlay/bench/extra"
	else
		echo "RESTARTS=30 STATUS_RUNS=30 IDLE_SECS=5 SPAWNS=30" > "$V/extra/overlay/bench/extra"
	fi
	# spawn with a veth and IPv6 (issue 18): vm-bench.sh adds its units last
	echo 'modules = [ "veth" ];' >> "$V/extra/initd.conf"
	# the watchdog image: the 10 services and QEMU's i6300esb petted by
	# initd every 2 s (an 8 s timeout); only the idle figure is taken
	mkdir -p "$V/watchdog/units" "$V/watchdog/overlay/bench"
	cp "$u"/*.unit "$V/watchdog/units/"
	{
		cat "$V/initd.conf"
		echo 'modules = [ "watchdog", "i6300esb" ];'
		echo 'watchdog = { timeout = "8s"; };'
	} > "$V/watchdog/initd.conf"
	echo "IDLE_ONLY=1 IDLE_SECS=$([ -z "$QUICK" ] && echo 30 || echo 10)" \
		> "$V/watchdog/overlay/bench/extra"
	# the scale image (issue 19): SCALE_UNITS testd units and /bench/scale
	mkdir -p "$V/scale/units" "$V/scale/overlay/bench"
	for ((i = 0; i < SCALE_UNITS; i++)); do
		echo 'exec = [ "/bench/testd" ];' > "$V/scale/units/s$i.unit"
	done
	echo "SCALE_UNITS=$SCALE_UNITS" > "$V/scale/overlay/bench/scale"
	cp "$V/initd.conf" "$V/scale/initd.conf"
	if fetch_pkgs; then
		mkdir -p "$o/usr/bin" "$o/usr/lib/x86_64-linux-gnu"
		cp -a "$PKGS"/root/usr/lib/x86_64-linux-gnu/lib{skarnet,s6,execline}.so* "$o/usr/lib/x86_64-linux-gnu/"
		for b in s6-svscan s6-supervise s6-svc s6-svscanctl runsvdir runsv sv; do
			cp "$PKGS/root/usr/bin/$b" "$o/usr/bin/"
		done
	else
		WHY[s6]="apt-get download failed (see $PKGS/download.log)"
		WHY[runit]=${WHY[s6]}
	fi
	case " $INITS " in *" finit"*) ;; *) return 0 ;; esac
	if fetch_finit; then
		# finit, initctl and the two libraries go in the common overlay; the
		# plugins (and the finit.conf) only in finit's own
		local f=$FPKGS/root p=$V/finit/overlay/lib/x86_64-linux-gnu/finit
		mkdir -p "$o/sbin" "$o/lib/finit" "$o/usr/lib/x86_64-linux-gnu" "$o/etc/finit.d" "$p"
		cp "$f/sbin/finit" "$o/sbin/"
		cp "$f"/lib/finit/{initctl,logit,reboot} "$o/lib/finit/"
		ln -sf ../lib/finit/initctl "$o/sbin/initctl"
		cp -a "$f"/usr/lib/x86_64-linux-gnu/lib{ite,uev}.so* "$o/usr/lib/x86_64-linux-gnu/"
		cp -a "$f/lib/x86_64-linux-gnu/finit/plugins" "$p/"
		IMG[finit]=$V/image-finit IMG[finit-bare]=$V/image-finit-bare
	else
		WHY[finit]="apt-get download failed (see $FPKGS/download.log)"
		WHY[finit-bare]=${WHY[finit]}
	fi
}

# The binaries `make bench` built (static when that linked, as `make image`
# does), straight to images/mkimage.sh.
# build_image DIR UNITS OVERLAY...
build_image() {
	local bin=build-static dir=$1 units=$2 ov
	shift 2
	[ -x "$bin/initd" ] && [ -x "$bin/svctl" ] || bin=$BUILD
	mkdir -p "$dir"
	# mkimage takes one -O: stack the overlays into one directory
	rm -rf "$dir/overlay"
	mkdir -p "$dir/overlay"
	for ov in "$@"; do cp -a "$ov"/. "$dir/overlay/"; done
	images/mkimage.sh -o "$dir/initramfs.cpio.gz" -k "$BUILD/kernel/current" \
		-i "$bin/initd" -s "$bin/svctl" -u "$units" -O "$dir/overlay" > "$dir/image.log" 2>&1 ||
		{ log "mkimage failed:"; tail -n 20 "$dir/image.log" >&2; return 1; }
	log "image $dir: $bin/initd, $(du -k "$dir/initramfs.cpio.gz" | cut -f1) KiB"
}

# boot NAME RUN [IMAGE_DIR] — one boot with rdinit=/bench/stamp-NAME; the
# BENCH lines go to $V/NAME.RUN.out. systemd's image is an uncompressed cpio
# of a whole Debian root (~100 MiB, unpacked into RAM): 1 GiB for it.
boot() {
	local name=$1 run=$2 img=${3:-$V/image} out=$V/$1.$2.out initrd mem=512
	initrd=$img/initramfs.cpio.gz
	[ -f "$img/initramfs.cpio" ] && initrd=$img/initramfs.cpio mem=1024
	RUN_MEM=$mem RUN_TIMEOUT=180 RUN_POWEROFF_TIMEOUT=20 images/run.sh -s bench/vm-bench.sh -d "$V/run-$name" \
		-a "rdinit=/bench/stamp-$name" "$KERNEL" "$initrd" \
		> "$out" 2> "$V/$name.$run.err"
	grep -q '^BENCH init=' "$out"
}

fig() { echo "$1=$2" >> "${BENCH_FIGURES:-$BUILD/bench/figures.txt}"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 > 0) printf "%.2f", a / b; else printf "-" }'; }
field() { sed -n "s/.*[ ]$2=\([^ ]*\).*/\1/p" <<< " $1"; }

# The 1000-unit boot and its floor, measured in the same boot (issue 19).
vm_scale() {
	local f=$V/initd.scale.out line ms floor
	[ "${BENCH_VM_SCALE:-1000}" = 0 ] && return 0
	log "scale boot under initd ($SCALE_UNITS units, then the floor)"
	build_image "$V/image-scale" "$V/scale/units" "$V/overlay" "$V/scale/overlay" || return 0
	boot initd scale "$V/image-scale" || true
	printf '\n== VM: %s units, initd start -> settled, and the floor in the same boot (ms)\n' "$SCALE_UNITS"
	line=$(grep -m1 '^BENCH-SCALE' "$f" 2>/dev/null)
	if [ -z "$line" ]; then
		echo "   not measured (see $f, $V/run-initd/console.log)"
		return 0
	fi
	ms=$(awk -v a="$(field "$line" t0)" -v b="$(field "$line" settled)" 'BEGIN { printf "%.0f", (b - a) / 1000 }')
	floor=$(awk -v a="$(field "$line" floor_usec)" 'BEGIN { printf "%.0f", a / 1000 }')
	printf '%-48s %s\n' "initd exec -> $SCALE_UNITS units settled" "$ms ($(field "$line" running) running)" \
		"floor: benchtool leaves ($SCALE_UNITS x mkdir + clone3 + exec)" "$floor" \
		"ratio initd / floor" "$(ratio "$ms" "$floor")" \
		"svctl status at $SCALE_UNITS units (median of 5)" "$(awk -v a="$(field "$line" status_usec)" 'BEGIN { printf "%.1f", a / 1000 }')" \
		"  the kernel's reads of 2 cgroup files a unit" "$(awk -v a="$(field "$line" statreads_usec)" 'BEGIN { printf "%.1f", a / 1000 }') (benchtool statreads: memory.current + cpu.stat, one thread)" \
		"PID 1: RSS KiB, fds, RLIMIT_NOFILE (raised by initd)" "$(field "$line" pid1_rss), $(field "$line" pid1_fds), $(field "$line" nofile)"
	echo "   settled: svctl analyze's settled_usec - the exec stamp; the floor is a static"
	echo "   benchtool doing the kernel's part of the same boot: a leaf per unit under"
	echo "   /sys/fs/cgroup/bench-floor (+memory +pids, as default_accounting), clone3 into it,"
	echo "   exec testd (which exits at once): the last exec - the first mkdir."
	echo "   statreads: the open + read of memory.current and cpu.stat of every unit, which"
	echo "   svctl status's table shows, by benchtool in the same boot on one thread; svctl"
	echo "   reads them itself (svctl/cgstat.c), on a thread a CPU, PID 1 none."
	printf '\n== where the %s-unit boot goes (VM, ms after init exec)\n' "$SCALE_UNITS"
	PHASES_TAG="BENCH-ANALYZE-SCALE " BENCH_FIGURES= /usr/bin/python3 bench/phases.py "$f"
	fig vm_settle1000 "$ms, floor $floor ($(ratio "$ms" "$floor")x the floor)"
	fig vm_status1000 "$(awk -v a="$(field "$line" status_usec)" 'BEGIN { printf "%.1f", a / 1000 }') (12 units: see the extra boot)"
}

main() {
	KERNEL=$BUILD/kernel/current/vmlinuz
	$MAKE --no-print-directory image-deps >/dev/null || { echo "vm tier: no kernel (make image-deps)"; return 1; }
	make_tree
	log "building the bench images"
	build_image "$V/image" "$V/units" "$V/overlay" || return 1
	build_image "$V/image-extra" "$V/extra/units" "$V/overlay" "$V/extra/overlay" || return 1
	build_image "$V/image-watchdog" "$V/watchdog/units" "$V/overlay" "$V/watchdog/overlay" || return 1
	for n in finit finit-bare; do
		case " $INITS " in *" $n "*) ;; *) continue ;; esac
		[ -n "${IMG[$n]:-}" ] || continue
		build_image "${IMG[$n]}" "$V/units" "$V/overlay" "$V/$n/overlay" ||
			{ WHY[$n]="image build failed (see ${IMG[$n]}/image.log)"; IMG[$n]=; }
	done
	case " $INITS " in
	*" systemd"*)
		. bench/vm/systemd.sh
		if sd_image "$V/image-systemd"; then IMG[systemd]=$V/image-systemd IMG[systemd-bare]=$V/image-systemd
		else WHY[systemd]=$SD_WHY WHY[systemd-bare]=$SD_WHY; fi ;;
	esac
	declare -A FROM_KERNEL=() FROM_INIT=() MEM=() CPU=() WAIT=()
	local n run line t0 last ready sched
	for n in $INITS; do
		[ -n "${WHY[$n]:-}" ] && continue
		for ((run = 1; run <= BOOTS; run++)); do
			log "boot $run/$BOOTS under $n"
			if ! boot "$n" "$run" "${IMG[$n]:-$V/image}"; then
				WHY[$n]="did not boot to 10 services (see $V/$n.$run.err, $V/run-$n/console.log)"
				break
			fi
			line=$(grep -m1 '^BENCH init=' "$V/$n.$run.out")
			t0=$(field "$line" t0) last=$(field "$line" last)
			FROM_KERNEL[$n]+="$(awk -v l="$last" 'BEGIN { printf "%.0f", l / 1000 }') "
			FROM_INIT[$n]+="$(awk -v a="$t0" -v l="$last" 'BEGIN { printf "%.1f", (l - a) / 1000 }') "
			[ "$run" = 1 ] && MEM[$n]="$(field "$line" pid1_rss) $(field "$line" pid1_priv)"
			sched=$(field "$line" pid1_sched_ms)
			if [ -n "$sched" ] && [ "$sched" != - ]; then
				CPU[$n]+="${sched%/*} " WAIT[$n]+="${sched#*/} "
			fi
			if [ "$n" = initd ]; then
				ready=$(field "$line" ready)
				READY+="$(awk -v a="$t0" -v r="$ready" 'BEGIN { printf "%.1f", (r - a) / 1000 }') "
			fi
		done
	done

	med() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : "-" }'; }
	local base_k base_i mk mi
	base_k=$(med <<< "${FROM_KERNEL[initd]:-}") base_i=$(med <<< "${FROM_INIT[initd]:-}")
	printf '\n== VM boot to 10 services started (qemu TCG, -smp 2, %s boot(s) per init; ms, median [runs])\n' "$BOOTS"
	printf '%-12s %-30s %7s   %-30s %7s  %-18s %s\n' init "kernel start -> last exec" ratio "init exec -> last exec" ratio \
		"PID-1 RSS/Priv KiB" "PID-1 CPU/wait ms"
	for n in $INITS; do
		if [ -z "${FROM_KERNEL[$n]:-}" ]; then
			printf '%-12s %s\n' "$n" "not measured: ${WHY[$n]:-?}"
			continue
		fi
		mk=$(med <<< "${FROM_KERNEL[$n]}") mi=$(med <<< "${FROM_INIT[$n]}")
		printf '%-12s %-30s %7s   %-30s %7s  %-18s %s\n' "$n" "$mk [${FROM_KERNEL[$n]% }]" \
			"$(ratio "$mk" "$base_k")" \
			"$mi [${FROM_INIT[$n]% }]" \
			"$(ratio "$mi" "$base_i")" \
			"${MEM[$n]/ //}" \
			"$(med <<< "${CPU[$n]:-}")/$(med <<< "${WAIT[$n]:-}")"
	done
	if [ -n "${FROM_INIT[initd]:-}" ] && [ -n "${FROM_INIT[busybox]:-}" ]; then
		mi=$(med <<< "${FROM_INIT[busybox]}")
		fig vm_exec10 "initd $base_i, busybox $mi (initd $(ratio "$base_i" "$mi")x busybox's; $BOOTS boot(s) each); PID 1's CPU, ms: initd $(med <<< "${CPU[initd]:-}"), busybox $(med <<< "${CPU[busybox]:-}")"
	fi
	[ -n "${READY:-}" ] && printf '   initd: init exec -> `svctl wait` returned (+ exec of the script): %s ms\n' "${READY% }"
	cat <<-'NOTE'
	   "PID-1 CPU/wait": PID 1's CPU time and its time runnable but waiting for a CPU
	   (/proc/1/schedstat, medians) from the init's exec to its report: for initd once
	   `svctl wait` returned, for the others once the 10 touch files exist.
	   "last exec": the latest CLOCK_MONOTONIC stamp among the 10 testd --touch files
	   (the guest's monotonic clock starts with the kernel). "init exec": written by
	   /bench/stamp-NAME just before it execs the init. Ratio = init's median / initd's.
	   busybox init: inittab respawn entries (no readiness notion); s6: s6-svscan as
	   PID 1 on /etc/s6 (one s6-supervise per service, run scripts via /bin/sh);
	   runit: runsvdir -P as PID 1 (runit's stage 1/2/3 skipped; runsv per service,
	   run scripts via /bin/sh). finit: Debian's finit 4.2 (dynamic: libite, libuev,
	   libc) as PID 1 straight from the initramfs, /etc/finit.conf with the 10 as
	   `service [2345]` and report.sh as a `task`; finit mounts /proc, /sys, /dev, /run
	   and its cgroup tree itself, runs `mount -na`, then bootstrap (runlevel S) and
	   runlevel 2. "finit" has Debian's 11 plugins (finit-plugins: urandom, rtc,
	   hotplug = `mdev -s`, modprobe coldplug, ...); "finit-bare" is the same image
	   without them. What finit could not do here: nothing the 10 services need; it
	   has no readiness protocol for a plain foreground service beyond pid files
	   (so, like busybox/s6/runit, "ready" = the 10 execs), and its boot progress is
	   written to the console. systemd: Debian bookworm's systemd 252 in its own image,
	   a debootstrap minbase root (+ systemd, systemd-sysv; no udev, a Recommends)
	   unpacked from an uncompressed cpio (bench/vm/systemd.sh; ~93 MiB, so its
	   kernel-start figure includes ~2-3 s of unpacking), the 10 as Type=simple
	   units wanted by multi-user.target, report.sh as one more unit. "systemd" boots
	   Debian's default.target (sysinit.target first: journald, sysusers, tmpfiles,
	   ...); "systemd-bare" is the same image started with --unit=bench-bare.target
	   (the 10 with DefaultDependencies=no, nothing else). What systemd could not do
	   here: without udev no .device unit ever appears, so serial-getty@ttyS0 waits
	   90 s for dev-ttyS0.device and the boot never "finishes" in that time (the 10
	   are not held up); autofs4 is not in the image (binfmt_misc automount UNSUPP).
	NOTE
	[ -n "${SD_ROOTFS_INFO:-}" ] && printf '   systemd root: %s\n' "$SD_ROOTFS_INFO"
	if [ -n "${FROM_INIT[initd]:-}" ]; then
		printf '\n== where initd'"'"'s boot goes (VM, %s boot(s), ms after init exec; PID 1'"'"'s phase stamps)\n' "$BOOTS"
		BENCH_FIGURES=${BENCH_FIGURES:-$BUILD/bench/figures.txt} \
			/usr/bin/python3 bench/phases.py "$V"/initd.[0-9]*.out
	fi
	vm_scale
	[ "${BENCH_VM_EXTRAS:-1}" = 0 ] && return 0

	log "extra boot under initd (real PID 1, cgroups)"
	local f=$V/initd.extra.out
	boot initd extra "$V/image-extra" || true
	if grep -q '^BENCH-' "$f" 2>/dev/null; then
		printf '\n== inside the VM, initd as the real PID 1 with cgroup v2 (ms)\n'
		printf '%-44s %s\n' "restart latency (kill -9 -> exec, delay 0)" "$(sed -n 's/^BENCH-RESTART //p' "$f")"
		printf '%-44s %s\n' "svctl status, 12 services" "$(sed -n 's/^BENCH-STATUS //p' "$f")"
		printf '%-44s %s\n' "PID-1 memory (KiB), 12 services" "$(sed -n 's/^BENCH-MEM //p' "$f")"
		printf '%-44s %s\n' "idle PID 1: context switches, CPU ticks" "$(sed -n 's/^BENCH-IDLE //p' "$f")"
		printf '%-44s %s\n' "restarted service's cgroup" "$(sed -n 's/^BENCH-CGROUP //p' "$f")"
		printf '%-44s %s\n' "spawn, no namespace (start -> exec)" "$(sed -n 's/^BENCH-SPAWN0 //p' "$f")"
		printf '%-44s %s\n' "spawn, net+veth+IPv6 (start -> exec)" "$(sed -n 's/^BENCH-SPAWN6 //p' "$f")"
	fi

	log "watchdog boot under initd (i6300esb, 8 s timeout: a pet every 2 s)"
	f=$V/initd.watchdog.out
	RUN_QEMU_OPTS="-device i6300esb -action watchdog=reset" boot initd watchdog "$V/image-watchdog" || true
	if grep -q '^BENCH-IDLE' "$f" 2>/dev/null; then
		printf '\n== idle wakeups of PID 1: none without a watchdog, the pets with one (goal: switches = pets)\n'
		printf '%-44s %s\n' "no watchdog (the extra boot above)" "$(sed -n 's/^BENCH-IDLE //p' "$V/initd.extra.out" 2>/dev/null)"
		printf '%-44s %s\n' "watchdog, 8 s timeout (4 pets a timeout)" "$(sed -n 's/^BENCH-IDLE //p' "$f")"
		echo "   switches: PID 1's context switches in the window (/proc/1/status); pets: those"
		echo "   svctl show-system counted in it. Expected with the watchdog: IDLE_SECS / 2 pets."
	else
		printf '\n== idle wakeups with a hardware watchdog: not measured (see %s)\n' "$V/initd.watchdog.err"
	fi
}
main

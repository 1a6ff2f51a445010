# systemd.sh — sourced by bench/vm.sh: the "systemd" image of the VM tier.
#
# Debian bookworm's systemd cannot be dropped into the busybox image the
# other inits share (libsystemd-shared and 23 more libraries, journald, the
# generators, tmpfiles, sysusers, PAM...), so it boots its own root:
#   debootstrap --variant=minbase --include=systemd,systemd-sysv bookworm
# trimmed (docs, man pages, locales, apt's lists and caches) and cached in
# $BUILD/bench/systemd/ (root/ and its cpio; rebuilt only when the key below
# changes or the directory is removed). debootstrap is installed with apt-get
# when missing; it mounts /proc and /sys inside its target while it runs and
# unmounts them; anything left mounted under the target is unmounted here.
#
# The image is two concatenated cpio archives (the kernel unpacks both into
# its tmpfs root): the cached root, uncompressed (gzip's decompression under
# TCG costs seconds), then a small overlay: /bench (testd, benchtool,
# stamp-systemd, report.sh), a static busybox (report.sh's poweroff -f), and
# the 10 services plus bench-report.service as units in /etc/systemd/system,
# wanted by multi-user.target. No /etc/initrd-release, so systemd runs as the
# system's init, not an initrd's, and boots Debian's default.target.
# "systemd-bare" boots the same image with --unit=bench-bare.target (the 10
# and the reporter with DefaultDependencies=no, nothing else).
#
# Sets SD_WHY (why systemd is left out) or SD_ROOTFS_INFO (size, build time).

SD=$BUILD/bench/systemd
SD_KEY="debootstrap --variant=minbase --include=systemd,systemd-sysv bookworm; trim doc,man,info,locale,apt lists+cache; /lib a directory of links"
# The Debian mirror apt already uses (deb822 sources first, then
# sources.list), unless BENCH_DEBIAN_MIRROR names one.
sd_apt_mirror() {
	sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null |
		grep -v security | head -n 1 | grep . ||
		awk '$1 == "deb" && $2 !~ /security/ { print $2; exit }' /etc/apt/sources.list 2>/dev/null
}
SD_MIRROR=${BENCH_DEBIAN_MIRROR:-$(sd_apt_mirror)}
SD_WHY= SD_ROOTFS_INFO=

# unmount whatever is still mounted under DIR (deepest first): only what
# debootstrap mounted inside its own target
sd_unmount_under() {
	local dir m
	dir=$(cd "$1" 2>/dev/null && pwd -P) || return 0
	awk '{ print $5 }' /proc/self/mountinfo | grep "^$dir/" | sort -r |
		while read -r m; do umount "$m" || umount -l "$m"; done
}

sd_rootfs() {
	if [ -f "$SD/rootfs.cpio" ] && [ "$(head -n 1 "$SD/rootfs.info" 2>/dev/null)" = "$SD_KEY" ]; then
		SD_ROOTFS_INFO=$(tail -n +2 "$SD/rootfs.info")
		return 0
	fi
	if ! command -v debootstrap >/dev/null; then
		log "installing debootstrap (apt-get)"
		apt-get install -y debootstrap > "$BUILD/bench/debootstrap-install.log" 2>&1 ||
			{ SD_WHY="debootstrap missing and apt-get install failed (see $BUILD/bench/debootstrap-install.log)"; return 1; }
	fi
	local t0=$SECONDS new=$SD/root.new rc i
	mkdir -p "$SD"
	sd_unmount_under "$new"
	rm -rf "$new" "$SD/root" "$SD/rootfs.cpio" "$SD/rootfs.info"
	log "debootstrap bookworm minbase + systemd into $SD (about a minute)"
	debootstrap --variant=minbase --include=systemd,systemd-sysv bookworm "$new" "$SD_MIRROR" \
		> "$SD/debootstrap.log" 2>&1
	rc=$?
	sd_unmount_under "$new"
	[ "$rc" = 0 ] || { SD_WHY="debootstrap failed (see $SD/debootstrap.log)"; return 1; }
	local before
	before=$(du -sk "$new" | cut -f1)
	rm -rf "$new"/usr/share/{doc,man,info,locale,lintian}/* "$new"/var/cache/apt/* \
		"$new"/var/lib/apt/lists/* "$new"/var/cache/debconf/*-old "$new"/var/log/*.log
	mkdir -p "$new/var/lib/apt/lists/partial"
	rm -f "$new/etc/initrd-release"
	# images/run.sh's script archive (appended to every bench image) holds a
	# /lib directory (lib/initd/run-script): unpacking it, the kernel would
	# replace the merged-/usr symlink /lib -> usr/lib with an empty directory
	# and nothing dynamic would run. So /lib is a directory of links here.
	rm "$new/lib" && mkdir "$new/lib" || { SD_WHY="cannot turn $new/lib into a directory"; return 1; }
	for i in "$new"/usr/lib/*; do ln -s "../usr/lib/${i##*/}" "$new/lib/"; done
	mv "$new" "$SD/root"
	(cd "$SD/root" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet) > "$SD/rootfs.cpio.tmp" ||
		{ SD_WHY="cpio of $SD/root failed"; return 1; }
	mv "$SD/rootfs.cpio.tmp" "$SD/rootfs.cpio"
	SD_ROOTFS_INFO="systemd $(dpkg-query --admindir="$SD/root/var/lib/dpkg" -W -f '${Version}' systemd 2>/dev/null),"
	SD_ROOTFS_INFO+=" $(dpkg-query --admindir="$SD/root/var/lib/dpkg" -W -f '.\n' | wc -l) packages,"
	SD_ROOTFS_INFO+=" rootfs $((before / 1024)) MiB, $(( $(du -sk "$SD/root" | cut -f1) / 1024 )) MiB trimmed"
	SD_ROOTFS_INFO+=" (cpio $(( $(du -k "$SD/rootfs.cpio" | cut -f1) / 1024 )) MiB), built in $((SECONDS - t0)) s"
	SD_ROOTFS_INFO+=" on $(date -u +%Y-%m-%d)"
	printf '%s\n%s\n' "$SD_KEY" "$SD_ROOTFS_INFO" > "$SD/rootfs.info"
	log "systemd root: $SD_ROOTFS_INFO"
}

# sd_image DIR — DIR/initramfs.cpio: the cached root + the bench overlay
sd_image() {
	local dir=$1 o=$1/overlay u i t0
	sd_rootfs || return 1
	t0=$SECONDS
	rm -rf "$dir"
	mkdir -p "$o/bench" "$o/usr/bin" "$o/etc/systemd/system/multi-user.target.wants"
	u=$o/etc/systemd/system
	cp "$BUILD/bench/testd-static" "$o/bench/testd"
	cp "$BUILD/bench/benchtool" "$o/bench/benchtool"
	cp bench/vm/report.sh "$o/bench/report.sh"
	ln -s benchtool "$o/bench/stamp-systemd"
	printf '/lib/systemd/systemd\n' > "$o/bench/stamp-systemd.cmd"
	cp "$(command -v busybox)" "$o/usr/bin/busybox" ||
		{ SD_WHY="no busybox on this host (report.sh's poweroff)"; return 1; }
	for ((i = 0; i < 10; i++)); do
		cat > "$u/bench-s$i.service" <<-UNIT
		[Unit]
		Description=bench testd s$i

		[Service]
		Type=simple
		ExecStart=/bench/testd --touch /tmp/s$i.touch
		Restart=always

		[Install]
		WantedBy=multi-user.target
		UNIT
		ln -s ../bench-s$i.service "$u/multi-user.target.wants/"
	done
	cat > "$u/bench-report.service" <<-UNIT
	[Unit]
	Description=bench: wait for the 10, report on ttyS1, power off

	[Service]
	Type=simple
	ExecStart=/bench/report.sh systemd

	[Install]
	WantedBy=multi-user.target
	UNIT
	ln -s ../bench-report.service "$u/multi-user.target.wants/"
	# systemd-bare: the same image, systemd started with --unit=bench-bare.target,
	# which wants only the 10 (DefaultDependencies=no: not after sysinit.target
	# or basic.target) and the reporter: the manager's own cost, without
	# Debian's early boot (journald, sysusers, tmpfiles, udev-less .device waits)
	ln -s benchtool "$o/bench/stamp-systemd-bare"
	printf '/lib/systemd/systemd\n--unit=bench-bare.target\n' > "$o/bench/stamp-systemd-bare.cmd"
	{
		echo "[Unit]"
		echo "Description=bench: the 10 and the reporter, nothing else"
		for ((i = 0; i < 10; i++)); do echo "Wants=bench-bare-s$i.service"; done
		echo "Wants=bench-bare-report.service"
	} > "$u/bench-bare.target"
	for ((i = 0; i < 10; i++)); do
		sed -e 's/^\[Unit\]$/&\nDefaultDependencies=no/' -e '/^\[Install\]/,$d' \
			"$u/bench-s$i.service" > "$u/bench-bare-s$i.service"
	done
	sed -e 's/^\[Unit\]$/&\nDefaultDependencies=no/' -e '/^\[Install\]/,$d' \
		-e 's/report.sh systemd$/report.sh systemd-bare/' "$u/bench-report.service" > "$u/bench-bare-report.service"
	(cd "$o" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) > "$dir/overlay.cpio" &&
		cat "$SD/rootfs.cpio" "$dir/overlay.cpio" > "$dir/initramfs.cpio" ||
		{ SD_WHY="building $dir/initramfs.cpio failed"; return 1; }
	log "image $dir: Debian root + overlay, $(( $(du -k "$dir/initramfs.cpio" | cut -f1) / 1024 )) MiB, $((SECONDS - t0)) s"
}

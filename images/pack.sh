# pack.sh — sourced by mkimage.sh and mkdisk.sh: a tree as an initramfs
# (gzip'd newc cpio), reproducibly, with the /dev/console node the kernel
# opens for init before anything is mounted. Uses $top (the source tree,
# for the default SOURCE_DATE_EPOCH) and die from the caller.

# newc_node NAME MODE MAJOR MINOR: a one-entry newc archive holding a device
# node, so building the image needs no mknod (and so no root).
newc_node() {
	namesize=$((${#1} + 1))
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		1 "$2" 0 0 1 0 0 0 0 "$3" "$4" "$namesize" 0
	printf '%s\0' "$1"
	pad=$(((4 - (110 + namesize) % 4) % 4))
	head -c "$pad" /dev/zero
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		0 0 0 0 1 0 0 0 0 0 0 11 0
	printf 'TRAILER!!!\0'
	head -c $(((4 - (110 + 11) % 4) % 4)) /dev/zero
}

# pack_root ROOT OUT: ROOT as a gzip'd newc archive at OUT, the same bytes
# for the same contents. What would differ between two builds is pinned:
# mtimes (all $SOURCE_DATE_EPOCH), owners (0:0), inode and device numbers
# (GNU cpio --reproducible renumbers inodes, hard links kept, and zeroes
# device numbers), entry order (sorted, C locale), gzip's name and time
# (-n). Modes come from the inputs and umask 022 (above).
pack_root() {
	sde=${SOURCE_DATE_EPOCH:-$(git -C "$top" log -1 --format=%ct 2>/dev/null || echo 0)}
	case $sde in '' | *[!0-9]*) die "SOURCE_DATE_EPOCH '$sde' is not a number of seconds" ;; esac
	find "$1" -exec touch -h -d "@$sde" {} +
	(
		cd "$1"
		find . -mindepth 1 | LC_ALL=C sort |
			cpio -o -H newc -R 0:0 --reproducible --quiet
		# /dev/console: the kernel opens it for init before anything is mounted.
		newc_node dev/console $((0020000 | 0600)) 5 1
	) | gzip -9n >"$2"
}

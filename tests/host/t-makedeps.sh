#!/bin/bash
# t-makedeps.sh — what the demo image builds for itself (examples/demo/demo.mk:
# notifyd, linked with libsystemd) is compiled only after `make deps` (and,
# for ARCH=arm64, `make deps-arm64`) installed the compiler and libsystemd:
# `make -j2 image ARCH=arm64` on a machine without the cross toolchain ran
# the notifyd compile beside deps-arm64's apt-get and failed ("make:
# aarch64-linux-gnu-gcc: No such file or directory"). Read from make's
# dry run of notifyd alone (-n -B: every command, nothing run); boots
# nothing.
. "$(dirname "$0")/lib.sh"
export NEEDS_BOOT=0   # lib.sh check(): no boot to wait for
top=$(cd "$(dirname "$0")/../.." && pwd)

# before OUT A B — OUT has a line matching A, and it comes before the first
# line matching B.
before() {
	awk -v a="$2" -v b="$3" '$0 ~ a && !sa { sa = NR } $0 ~ b && !sb { sb = NR }
		END { exit !(sa && (!sb || sa < sb)) }' <<<"$1"
}

# Every make here with a BUILD of its own: a make with flags other than the
# tree's build rewrites its flags stamp, and the next build starts again.
tmpb=$(mktemp -d)
for arch in x86_64 arm64; do
	n=$(make -C "$top" -n -B --no-print-directory ARCH=$arch BUILD="$tmpb/$arch" \
		"build/demo-$arch/overlay/usr/sbin/notifyd" 2>/dev/null)
	check "$arch: notifyd is compiled after make deps ran" \
		before "$n" 'images/deps\.sh' 'notifyd\.c'
	if [ "$arch" = arm64 ]; then
		check "$arch: and after make deps-arm64 ran" \
			before "$n" 'images/deps-arm64\.sh' 'notifyd\.c'
	fi
done

# make help: the Makefile's header, naming each target a user runs; make
# install's commands (a dry run).
help=$(make -C "$top" --no-print-directory BUILD="$tmpb" help 2>&1)
for t in check run image install deps disk bench check-unit check-host check-vm check-fuzz \
	check-san help; do
	check "make help names make $t" grep -qE "(make|,) $t([ ,:]|\$)" <<<"$help"
done
inst=$(make -C "$top" -n --no-print-directory BUILD="$tmpb" install DESTDIR=/D PREFIX=/usr 2>&1)
for f in sbin/initd sbin/initd-loader bin/svctl share/bash-completion/completions/svctl; do
	check "make install puts /usr/$f" grep -q "/D/usr/$f\b" <<<"$inst"
done
for m in man5/initd.unit.5 man5/initd.conf.5 man8/initd.8 man8/svctl.8; do   # a loop's words
	check "make install puts ${m#*/} in /usr/share/man/${m%/*}" \
		grep -qE "/${m#*/}[ ;].*/D/usr/share/man/${m%/*}/" <<<"$inst"
done
rm -rf "$tmpb"
[ "$FAILED" -eq 0 ]

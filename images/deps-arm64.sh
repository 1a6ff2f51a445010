#!/bin/sh
# deps-arm64.sh PACKAGE... — deps.sh for packages that need Debian's arm64
# architecture (PKG:arm64): adds it to dpkg, and runs apt-get update, only
# when it is not there yet, then installs what is missing (deps.sh).
here=$(cd "$(dirname "$0")" && pwd)
if [ "$(dpkg --print-architecture)" != arm64 ] &&
	! dpkg --print-foreign-architectures | grep -qx arm64; then
	if [ "$(id -u)" != 0 ]; then
		echo "deps: the arm64 architecture is missing (run 'make deps' as root)" >&2
		exit 1
	fi
	echo "deps: dpkg --add-architecture arm64"
	dpkg --add-architecture arm64 || exit 1
	apt-get update -qq || exit 1
fi
exec "$here/deps.sh" "$@"

#!/bin/bash
# demo.sh OUT.tap — the demo appliance (examples/demo, the default of
# `make run`) does what examples/README.md says, in one boot: the image
# `make image` builds, booted by images/run.sh with QEMU's user network and
# a host port forwarded to the guest's 8080. Inside, tests/vm/demo-guest.sh
# checks each service from the kernel's files; once it prints
# DEMO-HOST-FETCH, this script fetches the page from the host through the
# forward (http://127.0.0.1:PORT/) and then /host-done, which the guest
# waits to see in web's log. Appends TAP lines to OUT.tap. About 40 s.
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${1:?usage: tests/vm/demo.sh OUT.tap}
dir=${DEMO_VM_DIR:-${BUILD:-build}/vm-demo}
rm -rf "$dir"; mkdir -p "$dir/overlay/usr/lib/vmtest"

tap() { echo "$1 - demo: $2" | tee -a "$out"; }

# The guest's helpers (lib.sh) ride in an extra overlay; BUILD must not
# steer the image's static build (as in tests/vm/run.sh).
cp tests/vm/lib.sh "$dir/overlay/usr/lib/vmtest/"
if ! env -u BUILD make --no-print-directory image IMAGE_DIR="$dir/image" \
	OVERLAY="$dir/overlay" >"$dir/image.log" 2>&1; then
	tail -n 30 "$dir/image.log" >&2
	tap "not ok" "the demo image builds (see $dir/image.log)"
	exit 1
fi
tap ok "the demo image builds"

# A free port on the host for the forward (the kernel picks it).
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
images/run.sh -s tests/vm/demo-guest.sh -f "$port" -t 150 -d "$dir/run" \
	build/kernel/current/vmlinuz "$dir/image/initramfs.cpio.gz" \
	>"$dir/guest.out" 2>"$dir/run.err" &
rpid=$!
trap 'kill "$rpid" 2>/dev/null' EXIT

# poll_until SECS CMD...: CMD succeeds within SECS (every 0.5 s), or false.
poll_until() {
	local end=$((SECONDS + $1)); shift
	until "$@"; do
		[ "$SECONDS" -lt "$end" ] && kill -0 "$rpid" 2>/dev/null || return 1
		sleep 0.5
	done
}
host_page() { curl -sf -m 5 "http://127.0.0.1:$port/" 2>/dev/null | grep -q 'Hello from the web service'; }
host_done() { curl -s -m 5 -o /dev/null "http://127.0.0.1:$port/host-done"; }

if poll_until 120 grep -qs '^DEMO-HOST-FETCH' "$dir/run/script.out"; then
	if poll_until 30 host_page; then
		tap ok "the host fetches the page through hostfwd (127.0.0.1:$port -> eth0:8080 -> web:80)"
	else
		tap "not ok" "the host fetches the page through hostfwd (127.0.0.1:$port)"
	fi
	poll_until 30 host_done
else
	tap "not ok" "the guest reached the host's turn (DEMO-HOST-FETCH)"
fi
wait "$rpid"; rc=$?
trap - EXIT
grep -E '^(ok|not ok|#)' "$dir/guest.out" | sed 's/^\(not \)\{0,1\}ok - /&demo: /' | tee -a "$out"
sed 's/^/[demo] /' "$dir/run.err" >&2
if [ "$rc" -ne 0 ]; then
	tap "not ok" "the guest's checks passed (run.sh exit $rc; console: $dir/run/console.log)"
	[ "$rc" -ne 125 ] || tail -n 30 "$dir/run/console.log" | tr -d '\r' | sed 's/^/# /' | tee -a "$out"
	exit 1
fi
tap ok "the guest's checks passed"
! grep -q '^not ok' "$dir/guest.out"

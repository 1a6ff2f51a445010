#!/bin/bash
# t-binary.sh — how a dynamic initd is linked (issue 19; PID 1's own
# hardening). It binds every import before main() (BIND_NOW), so its GOT
# is read-only for the whole uptime (full RELRO): the running PID 1's page
# holding the GOT is mapped r--p by the kernel, and there is no .got.plt
# for lazy binding to write into. It calls its imports through that GOT
# (-fno-plt): no PLT stub per import. A static initd binds nothing at run
# time and is not checked here (tests/vm boots one).
. "$(dirname "$0")/lib.sh"

initd=$(readlink -f "$BUILD/initd")
if ! command -v readelf >/dev/null; then
	NEEDS_BOOT=0 not_ok "readelf (binutils) is there to read initd's headers"
	exit 1
fi
if ! readelf -d "$initd" 2>/dev/null | grep -q '(NEEDED)'; then
	NEEDS_BOOT=0 ok "initd is static: nothing to bind at run time, no checks"
	exit 0
fi

# No scanf family: glibc's scanf with its float and locale code is 120 KiB
# of a static PID 1, all of it resident (bench: static RSS at 1000 units
# 2024 -> 2156 KiB when one sscanf came in). Read from the dynamic one's
# imports; PID 1's code parses by hand (strtoull, str_field).
NEEDS_BOOT=0 check "initd imports no scanf (120 KiB of a static PID 1)" \
	eval '! nm -D --undefined-only "$initd" | grep -q scanf'
NEEDS_BOOT=0 check "the dynamic section asks for BIND_NOW" \
	eval 'readelf -d "$initd" | grep -q "FLAGS_1.*NOW"'
NEEDS_BOOT=0 check "no .got.plt (lazy binding's writable GOT part)" \
	eval '! readelf -SW "$initd" | grep -q "\.got\.plt"'
# section NAME FIELD — FIELD (1: address, 3: size) of section NAME, hex.
section() {
	readelf -SW "$initd" | awk -v n="$1" -v f="$2" \
		'{ for (i = 1; i < NF; i++) if ($i == n) { print $(i + 1 + f); exit } }'
}
# -fno-plt: no import is bound through a PLT stub (a JUMP_SLOT relocation),
# but for what the C runtime's start files bring (arm64's keep a few).
slots=$(readelf -rW "$initd" | awk '/JUMP_SLOT/ { print $5 }' |
	grep -Ev '^(__libc_start_main|__cxa_finalize|__gmon_start__|abort)(@|$)' | sort -u | tr '\n' ' ')
NEEDS_BOOT=0 is "no import called through a PLT stub" "$slots" ""

new_boot binary
testd_unit plain ""
start_initd || exit 1
check "plain reaches running" wait_state plain running 5

# perms_at ADDR — the permissions of the running PID 1's mapping holding
# file address ADDR (hex): a PIE's load address (the mapping of initd at
# offset 0) plus ADDR, or ADDR itself (not a PIE).
perms_at() {
	local base= range perms off dev inode path start end a
	readelf -hW "$initd" | grep -q 'Type: *EXEC' && base=0
	while read -r range perms off dev inode path; do
		[ "$path" = "$initd" ] || continue
		start=$((16#${range%-*}))
		end=$((16#${range#*-}))
		[ -z "$base" ] && [ "$((16#$off))" = 0 ] && base=$start
		[ -n "$base" ] || continue
		a=$((base + 16#$1))
		if [ "$start" -le "$a" ] && [ "$a" -lt "$end" ]; then
			echo "$perms"
			return 0
		fi
	done < "/proc/$INITD_HPID/maps"
	echo "not mapped"
}
# Every part of the GOT there is (.got.plt only with lazy binding), by its
# last byte: the linker puts the first 24 bytes of a .got.plt inside the
# RELRO pages (the dynamic linker's own entries), its slots after them.
for got in .got .got.plt; do
	addr=$(section "$got" 1)
	size=$(section "$got" 3)
	[ -n "$addr" ] && [ -n "$size" ] || continue
	last=$(printf '%x' $((16#$addr + 16#$size - 1)))
	is "the running PID 1's $got is mapped read-only to its end" "$(perms_at "$last")" r--p
done

stop_initd; is "poweroff ends the namespace" "$?" 0
[ "$FAILED" -eq 0 ]

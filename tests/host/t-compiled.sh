#!/bin/bash
# t-compiled.sh — initd.model (issue 19): `initd --compile DIR` writes the
# units as the boot loads them; a boot whose files still match decodes it
# without running initd-loader (shown by an initd with no loader beside
# it, whose services still run); a unit file changed, added or removed, a
# damaged file, a model others may write, of another format or of another
# initd each make the boot read the files instead, saying why. --root
# names the files as the image sees them.
. "$(dirname "$0")/lib.sh"

model() { echo "$T/conf/initd.model"; }
compile() { "$INITD" --compile "$@" "$T/conf"; }
log_says() { grep -q -- "$1" "$T/initd.log"; }
mkdir -p "$WORK/alone" && cp "$BUILD/initd" "$WORK/alone/initd"

# ---- compiled, then booted by an initd that has no loader ------------------
new_boot compiled
testd_unit web ""
testd_unit db ""
msg=$(compile 2>&1); rc=$?
is "--compile exits 0 ($msg)" "$rc" 0
NEEDS_BOOT=0 check "--compile says what it wrote" \
	eval 'grep -q "compiled 2 units into $(model)" <<< "$msg"'
is "initd.model is 0644" "$(stat -c %a "$(model)" 2>/dev/null)" 644
NEEDS_BOOT=0 check "nothing temporary is left beside it" \
	eval '[ "$(ls "$T/conf" | grep -c initd.model)" = 1 ]'
INITD=$WORK/alone/initd start_initd
check "no loader: web runs from the model (its touch file)" \
	wait_until 5 eval '[ "$(touch_count web)" -ge 1 ]'
check "no loader: db runs from the model" wait_state db running 5
check "the log names the model" log_says "units: 2 from $(model)"
check "svctl show web works on a compiled unit" eval 'sv show web | grep -q "testd web"'
stop_initd; is "poweroff ends the namespace" "$?" 0

# A reload reads the files (the loader): the model was what they say, so
# nothing changed and no process was restarted.
new_boot compiled-reload
testd_unit web ""
compile >/dev/null 2>&1
start_initd
check "compiled: web reaches running" wait_state web running 5
check "compiled: web wrote its touch file (after exec, after running)" wait_until 5 touched web
check "compiled: the log names the model" log_says "units: 1 from $(model)"
pid=$(svc_pid web)
msg=$(sv reload 2>&1); rc=$?
is "reload after a compiled boot exits 0 ($msg)" "$rc" 0
sleep 0.3
is "reload: web is the very same process" "$(svc_pid web)" "$pid"
is "reload: web's process started once (its touch file)" "$(touch_count web)" 1
stop_initd; is "poweroff ends the namespace" "$?" 0

# ---- a unit changed after the compile: the files win --------------------------
new_boot stale-edit
testd_unit web ""
compile >/dev/null 2>&1
testd_unit web "" 'restart = "always";'
sed -i 's/description = "testd web"/description = "edited web"/' "$T/conf/units/web.unit"
start_initd
check "edited: web reaches running" wait_state web running 5
check "edited: the log says the model is out of date" log_says "initd.model: out of date"
check "edited: web is the file's, not the model's" eval 'sv show web | grep -q "edited web"'
stop_initd; is "poweroff ends the namespace" "$?" 0

new_boot stale-added
testd_unit web ""
compile >/dev/null 2>&1
testd_unit late ""
start_initd
check "added: a unit written after the compile runs" wait_state late running 5
check "added: the log says the model is out of date" log_says "initd.model: out of date"
stop_initd; is "poweroff ends the namespace" "$?" 0

new_boot stale-removed
testd_unit web ""
testd_unit gone ""
compile >/dev/null 2>&1
rm "$T/conf/units/gone.unit"
start_initd
check "removed: web runs" wait_state web running 5
check "removed: the removed unit is not loaded" eval '! sv status gone >/dev/null 2>&1'
check "removed: its process never ran" eval '[ "$(touch_count gone)" = 0 ]'
stop_initd; is "poweroff ends the namespace" "$?" 0

new_boot stale-conf
testd_unit web ""
compile >/dev/null 2>&1
new_name=tc-$$   # not a name the host could already have
echo "hostname = \"$new_name\";" >> "$T/conf/initd.conf"
host_name=$(hostname)
start_initd
check "initd.conf changed: web runs" wait_state web running 5
check "initd.conf changed: out of date" log_says "initd.model: out of date"
# PID 1 sets initd.conf's hostname in its own UTS namespace, not this
# machine's (every run of this file once renamed it "changed" for good)
check "initd.conf changed: its hostname is initd's" \
	eval '[ "$(nsenter -t "$INITD_HPID" -u hostname)" = "$new_name" ]'
check "initd.conf changed: the host's hostname is untouched ($host_name)" \
	eval '[ "$(hostname)" = "$host_name" ]'
stop_initd; is "poweroff ends the namespace" "$?" 0

# ---- a model PID 1 must not use -------------------------------------------------
# bad_model NAME WHY CMD... — compile, spoil the file, boot: the
# loader reads the files, web runs, the log names the cause.
bad_model() {
	local name=$1 why=$2
	shift 2
	new_boot "$name"
	testd_unit web ""
	compile >/dev/null 2>&1
	"$@"
	start_initd
	check "$name: web runs from the files" wait_state web running 5
	check "$name: the log says $why" log_says "initd.model: $why"
	stop_initd; is "poweroff ends the namespace" "$?" 0
}
flip() {   # flip OFFSET — one byte of the model changed
	local f; f=$(model)
	python3 -c 'import sys; p, o = sys.argv[1], int(sys.argv[2]); b = bytearray(open(p, "rb").read()); o = o if o >= 0 else len(b) + o; b[o] ^= 0x20; open(p, "wb").write(bytes(b))' "$f" "$1"
}
bad_model damaged "damaged" flip -3
bad_model version "not a model this initd compiles" flip 4
bad_model machine "compiled for another architecture" flip 6
bad_model initd-version "compiled by another version of initd" flip 9
bad_model writable "not initd's user's, or writable by others" eval 'chmod 0666 "$(model)"'
bad_model truncated "too short for a compiled model" eval 'truncate -s 10 "$(model)"'
bad_model directory "not a regular file" eval 'rm "$(model)" && mkdir "$(model)"'

# Its header right (the check recomputed over a body cut short), the body
# not a model: the decode refuses it, the loader reads the files, and the
# boot's phases are the loader's (model_read after loader_started, not
# the refused model's read).
cut_body() {
	python3 - "$(model)" <<'PY'
import sys
p = sys.argv[1]; b = bytearray(open(p, "rb").read())[:-1]
h = 0xcbf29ce484222325
for c in b[32:]:
	h = ((h ^ c) * 0x100000001b3) & 0xffffffffffffffff
b[24:32] = h.to_bytes(8, "little")
open(p, "wb").write(bytes(b))
PY
}
bad_model malformed "malformed" cut_body
new_boot malformed-phases
testd_unit web ""
compile >/dev/null 2>&1
cut_body
start_initd
check "malformed: web runs from the files" wait_state web running 5
json=$(sv analyze --json)
check "malformed: model_read is the loader's, after loader_started" eval "printf '%s' \"\$json\" | python3 -c '
import json, sys
p = {x[\"name\"]: x[\"usec\"] for x in json.load(sys.stdin)[\"phases\"]}
sys.exit(0 if p[\"model_read\"] > p[\"loader_started\"] else 1)'"
stop_initd; is "poweroff ends the namespace" "$?" 0

# ---- --root: the files as the image names them ---------------------------------
new_boot rooted
testd_unit web ""
msg=$("$INITD" --compile --root "$T" "$T/conf" 2>&1); rc=$?
is "--compile --root exits 0 ($msg)" "$rc" 0
NEEDS_BOOT=0 check "the model names /conf/units/web.unit, not the build's path" \
	eval 'grep -aq "/conf/units/web.unit" "$(model)" && ! grep -aq "$T/conf" "$(model)"'
# Booted where the image is not the root, the model names other files than
# the loader would: it is out of date (else the first reload would see
# every unit's file changed and restart it).
start_initd
check "rooted, booted elsewhere: web runs" wait_state web running 5
check "rooted, booted elsewhere: the model is out of date" log_says "initd.model: out of date"
pid=$(svc_pid web)
sv reload >/dev/null 2>&1
sleep 0.3
is "rooted, booted elsewhere: a reload leaves web's process alone" "$(svc_pid web)" "$pid"
stop_initd; is "poweroff ends the namespace" "$?" 0
msg=$("$INITD" --compile "$T/none" 2>&1); rc=$?
is "--compile of a missing directory exits 3" "$rc" 3
NEEDS_BOOT=0 check "it says what it could not read: $msg" eval 'grep -q "cannot read" <<< "$msg"'
msg=$("$INITD" --compile --check "$T/conf" 2>&1); rc=$?
is "--compile with --check is a usage error" "$rc" 2
msg=$("$INITD" --compile --root "$T/elsewhere" "$T/conf" 2>&1); rc=$?
is "--compile of a directory outside --root is a usage error ($msg)" "$rc" 2
# The way a boot writes its paths: "DIR/" and "DIR/." compile the model a
# boot with --config DIR uses.
new_boot normal-paths
testd_unit web ""
(cd "$T" && "$INITD" --compile ./conf/ >/dev/null 2>&1)
start_initd
check "normalized: web reaches running" wait_state web running 5
check "normalized: the model compiled as ./conf/ is used" log_says "units: 1 from $(model)"
stop_initd; is "poweroff ends the namespace" "$?" 0

[ "$FAILED" -eq 0 ]

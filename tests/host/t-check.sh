#!/bin/bash
# t-check.sh — `initd --check DIR`: "configuration OK" and exit 0 on a valid
# directory; on a bad one every error as FILE:LINE: message and exit 1.
# Line numbers below are real: each file is written verbatim.
. "$(dirname "$0")/lib.sh"
NEEDS_BOOT=0

D=$WORK/conf
rm -rf "$D"

# conf NAME — a fresh config directory $D/NAME with units/.
conf() { C=$D/$1; mkdir -p "$C/units"; }

# run_check DIR — sets OUT and RC.
# (a bound for a hang, not a time asked for: the huge case below takes
# 2.4 s on a machine at a load of 5, past 10 s beside a build at 15)
run_check() { OUT=$(timeout 60 "$INITD" --check "$1" 2>&1); RC=$?; }

# expect_error CASE FILE LINE — the last run_check failed with exit 1 and
# named FILE:LINE (FILE possibly behind a directory).
expect_error() {
	local case=$1 file=$2 line=$3
	is "$case: exits 1" "$RC" 1
	if printf '%s\n' "$OUT" | grep -Eq "(^|[/ ])${file//./\\.}:$line:"; then
		ok "$case: reports $file:$line"
	else
		not_ok "$case: reports $file:$line" "output was:"
		printf '%s\n' "$OUT" | sed 's/^/#   /'
	fi
	if printf '%s\n' "$OUT" | grep -q 'configuration OK'; then
		not_ok "$case: does not claim configuration OK"
	else
		ok "$case: does not claim configuration OK"
	fi
}

# --- a valid directory
conf valid
cat > "$C/units/db.unit" <<'EOF'
description = "database";
exec = [ "/bin/sleep", "1000" ];
type = "notify";
restart = "always";
restart_delay = "100ms";
restart_delay_max = "30s";
start_limit = { burst = 5; interval = "10s"; };
stop = { signal = "TERM"; timeout = "5s"; };
environment = { LANG = "C.UTF-8"; };
workdir = "/";
EOF
cat > "$C/units/web.unit" <<'EOF'
# A comment line.
description = "web";
exec = [ "/bin/sleep", "1000" ];
requires = [ "db" ];
after = [ "db" ];
restart = "on-failure";
user = "0";
group = "0";
EOF
cat > "$C/units/job.unit" <<'EOF'
exec = [ "/bin/true" ];
type = "oneshot";
restart = "no";
EOF
run_check "$C"
is "valid: exits 0" "$RC" 0
if printf '%s\n' "$OUT" | grep -q '^configuration OK'; then
	ok "valid: prints configuration OK"
else
	not_ok "valid: prints configuration OK" "output was:"
	printf '%s\n' "$OUT" | sed 's/^/#   /'
fi

# --- an unknown key
conf unknown-key
cat > "$C/units/good.unit" <<'EOF'
exec = [ "/bin/true" ];
EOF
cat > "$C/units/bad.unit" <<'EOF'
description = "unknown key";
exec = [ "/bin/true" ];
frobnicate = 1;
EOF
run_check "$C"
expect_error "unknown key" bad.unit 3

# --- a value of the wrong type
conf wrong-type
cat > "$C/units/typo.unit" <<'EOF'
# restart must be a string

description = "wrong type";
exec = [ "/bin/true" ];
restart = 3;
EOF
run_check "$C"
expect_error "wrong type" typo.unit 5

# --- a dependency on a unit that does not exist
conf unknown-dep
cat > "$C/units/lonely.unit" <<'EOF'
description = "unknown dependency";
exec = [ "/bin/true" ];
# ghost.unit does not exist
requires = [ "ghost" ];
EOF
run_check "$C"
expect_error "unknown dependency" lonely.unit 4

# --- a dependency cycle: either end may be named, at its requires line
conf cycle
cat > "$C/units/chicken.unit" <<'EOF'
description = "cycle, one end";
exec = [ "/bin/true" ];
requires = [ "egg" ];
EOF
cat > "$C/units/egg.unit" <<'EOF'
description = "cycle, other end";
exec = [ "/bin/true" ];

requires = [ "chicken" ];
EOF
cat > "$C/units/bystander.unit" <<'EOF'
exec = [ "/bin/true" ];
EOF
run_check "$C"
is "cycle: exits 1" "$RC" 1
if printf '%s\n' "$OUT" | grep -Eq '(^|[/ ])(chicken\.unit:3|egg\.unit:4):'; then
	ok "cycle: reports chicken.unit:3 or egg.unit:4"
else
	not_ok "cycle: reports chicken.unit:3 or egg.unit:4" "output was:"
	printf '%s\n' "$OUT" | sed 's/^/#   /'
fi

# --- a libconfig syntax error
conf syntax
cat > "$C/units/broken.unit" <<'EOF'
description = "syntax error";
exec = [ "/bin/true" ;
EOF
run_check "$C"
expect_error "syntax error" broken.unit 2

# --- exec must be an absolute path
conf relative
cat > "$C/units/rel.unit" <<'EOF'
description = "relative exec";

exec = [ "true" ];
EOF
run_check "$C"
expect_error "relative exec" rel.unit 3

# --- every error is printed, not only the first
conf several
cat > "$C/units/one.unit" <<'EOF'
exec = [ "/bin/true" ];
bogus = "x";
EOF
cat > "$C/units/two.unit" <<'EOF'
exec = [ "/bin/true" ];

type = "sometimes";
EOF
run_check "$C"
expect_error "two bad units" one.unit 2
if printf '%s\n' "$OUT" | grep -Eq '(^|[/ ])two\.unit:3:'; then
	ok "two bad units: reports two.unit:3 too"
else
	not_ok "two bad units: reports two.unit:3 too" "output was:"
	printf '%s\n' "$OUT" | sed 's/^/#   /'
fi

# --- a file name with a newline and an ESC: its diagnostic is one line,
# cleaned (the old code printed them raw: a forged line, a cleared screen)
conf evilname
echo 'exec = [ "/bin/true" ];' > "$C/units/evil"$'\n''x: forged'$'\e''[2J.unit'
run_check "$C"
is "evil name: exits 1" "$RC" 1
check "evil name: named on one line, cleaned" \
	grep -q "/units/evil?x: forged?\[2J\.unit: invalid unit name" <<< "$OUT"
check "evil name: no forged line" eval '! grep -q "^x: forged" <<< "$OUT"'
check "evil name: no ESC" eval '! grep -q $'"'"'\e'"'"' <<< "$OUT"'

# --- every unit valid, the whole over the 64 MiB PID 1 takes: a template of
# 240 KB in 300 instances. The old code said "configuration OK" and
# compiled a model the boot then refused whole, starting no unit.
conf huge
python3 -c "
import sys
args = ', '.join('\"' + 'A' * 4000 + '\"' for _ in range(60))
open(sys.argv[1] + '/units/big@.unit', 'w').write('exec = [ \"/bin/true\", %s ];\n' % args)
names = ', '.join('\"%d\"' % i for i in range(300))
open(sys.argv[1] + '/initd.conf', 'w').write(
    'instances = ( { template = \"big\"; names = [ %s ]; } );\n' % names)
" "$C"
run_check "$C"
is "huge: --check exits 1" "$RC" 1
check "huge: --check says the model is too big" grep -q "model is over the 64 MiB PID 1 takes" <<< "$OUT"
check "huge: --check does not claim configuration OK" eval '! grep -q "configuration OK" <<< "$OUT"'
OUT=$(timeout 60 "$INITD" --compile "$C" 2>&1); RC=$?
is "huge: --compile exits 3" "$RC" 3
check "huge: --compile says the model is too big" grep -q "model is over the 64 MiB" <<< "$OUT"
check "huge: --compile wrote no model" test ! -e "$C/initd.model"
rm -rf "$C"

# --- the shipped examples are clean: warnings count as problems too (the
# image build shows them to every newcomer who types `make image`)
for ex in demo minimal; do
	run_check "examples/$ex"
	is "examples/$ex: exits 0" "$RC" 0
	if [ "$(printf '%s\n' "$OUT" | grep -c .)" = 1 ] &&
		printf '%s\n' "$OUT" | grep -q '^configuration OK'; then
		ok "examples/$ex: configuration OK, nothing else"
	else
		not_ok "examples/$ex: configuration OK, nothing else" "output was:"
		printf '%s\n' "$OUT" | sed 's/^/#   /'
	fi
done

[ "$FAILED" -eq 0 ]

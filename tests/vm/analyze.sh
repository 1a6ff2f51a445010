# analyze.sh — boot analysis in the VM (main boot, issue 17 item 1): as
# PID 1 the kernel's part is real (initd's exec after the kernel's start,
# its first spawn after that), the boot settled, and the SVG chart has one
# bar per unit, every running one among them, with cgroup counters.
section analyze

aj=$(sv analyze --json 2>&1)
num() { printf '%s\n' "$aj" | sed -n "s/^{\"kernel_usec\":0,\"exec_usec\":\([0-9]*\),\"first_spawn_usec\":\([0-9]*\),\"settled_usec\":\([0-9]*\),.*/\\$1/p"; }
exec_us=$(num 1)
spawn_us=$(num 2)
settled_us=$(num 3)
diag "analyze: exec ${exec_us}us first spawn ${spawn_us}us settled ${settled_us}us"
check "analyze: kernel -> initd exec > 0" [ "${exec_us:-0}" -gt 0 ]
check "analyze: initd exec -> first spawn > 0" [ "${spawn_us:-0}" -gt "${exec_us:-0}" ]
check "analyze: settled after the first spawn" [ "${settled_us:-0}" -ge "${spawn_us:-1}" ]
at=$(sv analyze 2>&1)
printf '%s\n' "$at" | head -n 12 | sed 's/^/# /'
check "analyze: the header says the kernel's part is > 0" \
	sh -c "printf '%s\n' \"\$1\" | head -n 1 | grep -Eq '^kernel ([1-9][0-9]*\.[0-9]{3}|0\.[0-9]*[1-9][0-9]*)s \+ initd '" _ "$at"
check "analyze: a critical chain" sh -c "printf '%s\n' \"\$1\" | grep -Eq '@[0-9]+\.[0-9]{3}s \+[0-9]+\.[0-9]{3}s$'" _ "$at"

svg=$(sv analyze --svg 2>&1)
bars=$(printf '%s\n' "$svg" | grep -c '^<g class="unit" data-unit=')
spawned=$(printf '%s\n' "$aj" | grep -o '"spawned_usec":[0-9]' | wc -l)
check_eq "analyze --svg: one bar per unit spawned ($spawned)" "$bars" "$spawned"
missing=
for u in $(sv status | awk 'NR > 1 && $2 == "running" { print $1 }'); do
	printf '%s\n' "$svg" | grep -q "^<g class=\"unit\" data-unit=\"$u\">" || missing="$missing $u"
done
check_eq "analyze --svg: a bar for every running unit" "$missing" ""
check "analyze --svg: cgroup CPU (and memory.peak where the memory controller is on) beside the names" \
	sh -c "printf '%s\n' \"\$1\" | grep -Eq 'class=\"stats\"[^>]*>cpu [0-9]+ms( mem [0-9.]+M)?<'" _ "$svg"
check "analyze --svg: closed" sh -c "printf '%s\n' \"\$1\" | tail -n 1 | grep -q '^</svg>$'" _ "$svg"

# The image's compiled model (mkimage.sh, images/run.sh with run-script)
# was decoded at boot: no loader ran before the first spawn (issue 19).
phases=$(printf '%s\n' "$aj" | sed -n 's/.*"phases":\[\([^]]*\)\].*/\1/p' |
	grep -o '"name":"[a-z_]*"' | cut -d'"' -f4 | tr '\n' ' ')
diag "analyze: phases $phases"
check "analyze: the boot decoded /etc/initd/initd.model, no loader started" \
	sh -c 'case " $1 " in *" loader_started "*) exit 1 ;; *" model_decoded "*) exit 0 ;; esac; exit 1' _ "$phases"
check "analyze: the model is in the image" [ -f /etc/initd/initd.model ]

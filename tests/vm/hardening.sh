# hardening.sh — issue 11 ("Hardening II"), sourced by scenarios.sh (main
# boot) after isolation.sh. Every check reads the kernel's view: the
# reaper's /proc/PID/{status,environ,maps,mem}, the service's mount table,
# vm.swappiness as the VM's root namespace sees it.
#
# Units (tests/vm/units): iso-sec (a secret in its environment), iso-mem
# (root without capabilities, pid+mount namespaces: at start it tries to read
# its PID 1's memory and to write /proc/sys/vm/swappiness), iso-mnt (the
# same in a mount namespace only). Written here: iso-procfull (protect_proc
# = false), iso-link and iso-linkroot (a symlinked bind source, a symlinked
# rootfs).

section "hardening"

SECRET=vmtest-secret-7c1e5a90
# The kernel's default; nothing in the image sets vm.swappiness.
SWAPPINESS=60

for u in iso-sec iso-mem iso-mnt; do
	eventually 10 state_is "$u" running
	check "$u: running" state_is "$u" running
done
mpid=$(main_pid iso-mem)
msvc=$(iso_child "$mpid")
diag "iso-mem reaper $mpid service $msvc; iso-a reaper $(main_pid iso-a)"
logs_of() { sv logs --raw -n 50 "$1" 2>/dev/null; }
# log_has NAME LINE: NAME's log holds exactly LINE.
log_has() { logs_of "$1" | grep -qx "$2"; }

# ---- defect 3: the reaper holds nothing of initd's, and is not dumpable ----------
check_eq "iso-mem: the reaper is PID 1 of the namespace (NSpid)" \
	"$(awk '$1 == "NSpid:" { print $NF }' "/proc/$mpid/status")" 1
check_eq "iso-mem: the service is PID 2 under it" \
	"$(awk '$1 == "NSpid:" { print $NF }' "/proc/$msvc/status" 2>/dev/null)" 2
check_eq "iso-mem: the reaper's environment is empty" "$(tr '\0' '\n' <"/proc/$mpid/environ" | wc -c)" 0
check "iso-mem: the service logged its attempt on /proc/1/mem" \
	eventually 5 sh -c "svctl -t 10 logs --raw -n 50 iso-mem | grep -q '^peekmem: '"
if log_has iso-mem "peekmem: read"; then
	not_ok "iso-mem: a capability-less root service cannot read its PID 1's memory" \
		"$(logs_of iso-mem | grep peekmem)"
else
	ok "iso-mem: a capability-less root service cannot read its PID 1's memory"
	diag "$(logs_of iso-mem | grep peekmem)"
fi
# memscan SVC: scan the reaper of SVC for the secret, from the VM's root.
memscan() {
	_pid=$(main_pid "$1")
	_out=$("$HOG" memscan "$_pid" "$SECRET" 2>&1)
	_rc=$?
	if [ $_rc = 1 ]; then
		ok "$1: the reaper's memory (pid $_pid) does not hold iso-sec's secret"
		diag "$_out"
	else
		not_ok "$1: the reaper's memory (pid $_pid) does not hold iso-sec's secret" "exit $_rc: $_out"
	fi
}
memscan iso-mem
memscan iso-a
# The scan itself works: it finds the secret where it is meant to be.
check "memscan finds the secret in iso-sec's own memory (the scan works)" \
	"$HOG" memscan "$(main_pid iso-sec)" "$SECRET"

# ---- defect 4: /proc in a service's mount namespace is protected ------------------
check "iso-mem: the service logged its swappiness attempt" \
	eventually 5 sh -c "svctl -t 10 logs --raw -n 50 iso-mem | grep -q '^swappiness: '"
check "iso-mem: writing /proc/sys/vm/swappiness is refused" log_has iso-mem "swappiness: refused"
check "iso-mnt: writing /proc/sys/vm/swappiness is refused" \
	eventually 5 log_has iso-mnt "swappiness: refused"
check_eq "vm.swappiness is still the kernel's $SWAPPINESS" "$(cat /proc/sys/vm/swappiness)" $SWAPPINESS
# proc_mount PID PATH OPTS-REGEX: PATH is a mount point in PID's mount table
# whose per-mount options match.
proc_mount() {
	awk -v p="$2" -v o="$3" '$5 == p && $6 ~ o { f = 1 } END { exit !f }' "/proc/$1/mountinfo"
}
for s in "iso-mem $msvc" "iso-mnt $(main_pid iso-mnt)" "iso-a $(iso_child "$(main_pid iso-a)")"; do
	set -- $s
	for p in /proc/sys /proc/sysrq-trigger /proc/irq /proc/bus /proc/fs; do
		[ -e "$p" ] || continue
		check "$1: $p is a read-only mount" proc_mount "$2" "$p" '^ro'
	done
	for p in /proc/kcore /proc/keys /proc/timer_list /proc/acpi /proc/scsi; do
		[ -e "$p" ] || continue
		check "$1: $p is masked (a mount over it)" proc_mount "$2" "$p" .
	done
done
check_eq "iso-mem: /proc/kcore reads empty in its namespace" \
	"$(nsenter -t "$msvc" -m -- head -c 16 /proc/kcore 2>/dev/null | wc -c)" 0
check_eq "iso-mnt: /proc/keys reads empty in its namespace" \
	"$(nsenter -t "$(main_pid iso-mnt)" -m -- cat /proc/keys 2>/dev/null | wc -c)" 0
check_eq "the VM's own /proc/keys is untouched" "$(awk '$5 == "/proc/keys"' /proc/self/mountinfo)" ""

# protect_proc = false: the service's /proc is the plain one again.
cat >/etc/initd/units/iso-procfull.unit <<'UNIT'
exec = [ "/bin/sh", "-c", "if echo 33 > /proc/sys/vm/swappiness; then echo swappiness: written; else echo swappiness: refused; fi; exec sleep 1000000" ];
restart = "no";
namespaces = [ "pid", "mount" ];
capabilities = [ ];
protect_proc = false;
UNIT
sv reload >/dev/null 2>&1
eventually 10 state_is iso-procfull running
check "iso-procfull (protect_proc = false): the write went through" \
	eventually 5 log_has iso-procfull "swappiness: written"
check_eq "iso-procfull: the kernel took it (vm.swappiness 33)" "$(cat /proc/sys/vm/swappiness)" 33
echo $SWAPPINESS >/proc/sys/vm/swappiness
check "iso-procfull: /proc/sys is not a separate mount" \
	sh -c "! awk '\$5 == \"/proc/sys\"' /proc/$(main_pid iso-procfull)/mountinfo 2>/dev/null | grep -q ."
rm -f /etc/initd/units/iso-procfull.unit

# ---- defect 12: no symlink on the host side of a rootfs or bind ------------------
ln -sfn /srv/data /srv/link-data
ln -sfn /srv/box /srv/link-box
cat >/etc/initd/units/iso-link.unit <<'UNIT'
exec = [ "/bin/sleep", "1000000" ];
restart = "no";
namespaces = [ "mount" ];
rootfs = { path = "/srv/box"; binds = ( { source = "/srv/link-data"; target = "/data"; } ); };
UNIT
cat >/etc/initd/units/iso-linkroot.unit <<'UNIT'
exec = [ "/bin/sleep", "1000000" ];
restart = "no";
namespaces = [ "mount" ];
rootfs = { path = "/srv/link-box"; };
UNIT
mounts_before=$(wc -l </proc/self/mountinfo)
sv reload >/dev/null 2>&1
eventually 10 state_is iso-link failed
eventually 10 state_is iso-linkroot failed
reason=$(unit_reason iso-link)
case $reason in
*binds*"symbolic links"*) ok "iso-link: a symlinked bind source is refused (binds, ELOOP)"; diag "$reason" ;;
*) not_ok "iso-link: a symlinked bind source is refused (binds, ELOOP)" "state $(unit_state iso-link), reason '$reason'" ;;
esac
reason=$(unit_reason iso-linkroot)
case $reason in
*rootfs*"symbolic links"*) ok "iso-linkroot: a symlinked rootfs is refused (rootfs, ELOOP)"; diag "$reason" ;;
*) not_ok "iso-linkroot: a symlinked rootfs is refused (rootfs, ELOOP)" "state $(unit_state iso-linkroot), reason '$reason'" ;;
esac
check_eq "iso-link: no main process (nothing runs with the symlink's target bound)" \
	"$(main_pid iso-link)" -
check_eq "the VM's mount table is unchanged" "$(wc -l </proc/self/mountinfo)" "$mounts_before"
rm -f /etc/initd/units/iso-link.unit /etc/initd/units/iso-linkroot.unit /srv/link-data /srv/link-box
sv reload >/dev/null 2>&1

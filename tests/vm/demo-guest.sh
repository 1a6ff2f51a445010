#!/bin/sh
# demo-guest.sh — the checks of the demo boot (tests/vm/demo.sh), inside the
# demo appliance (examples/demo): every claim of examples/README.md, read
# from the kernel's files where it has them, svctl where it is the claim.
# Between its own checks and the end it prints DEMO-HOST-FETCH and waits
# until the host has fetched the page through QEMU's hostfwd (web logs the
# request for /host-done).
. /usr/lib/vmtest/lib.sh

echo "# demo: guest uptime $(cut -d' ' -f1 /proc/uptime)s"
web=$(main_pid web)
check "web: running" state_is web running
for ns in pid mnt net uts; do
	check "web: its $ns namespace is not PID 1's" \
		eval '[ -n "$web" ] && [ "$(readlink /proc/$web/ns/'$ns')" != "$(readlink /proc/1/ns/'$ns')" ]'
done
# web's main PID is the reaper of its PID namespace; httpd is its child
httpd=$(for p in $(cat $CG/demo/web/cgroup.procs); do
	[ "$(cat /proc/$p/comm)" = httpd ] && echo "$p"; done | head -n 1)
check "web: httpd's root is its own (busybox and /srv/www, no initd)" \
	eval '[ -n "$httpd" ] && [ ! -e /proc/$httpd/root/sbin/initd ] &&
	      [ -e /proc/$httpd/root/srv/www/index.html ] && [ -e /proc/$httpd/root/bin/busybox ]'
check "web: httpd runs as www (uid 33)" eval '[ "$(status_field "$httpd" Uid)" = 33 ]'
check "web: 10.88.0.2 on its eth0, the host end on br0" \
	eval 'nsenter -t "$web" -n ip -4 addr show eth0 | grep -q "inet 10.88.0.2/24" &&
	      [ -n "$(ls /sys/class/net/br0/brif/)" ]'
page() { timeout 5 wget -qO- "$1" 2>/dev/null | grep -q 'Hello from the web service'; }
check "web: the page, from the appliance (http://10.88.0.2/)" eventually 20 page http://10.88.0.2/
check "net: eth0 is 10.0.2.15/24, default route via 10.0.2.2" \
	eval 'ip -4 addr show eth0 | grep -q "inet 10.0.2.15/24" && ip route | grep -q "^default via 10.0.2.2 dev eth0"'
check "forward: the page through eth0:8080" eventually 20 page http://10.0.2.15:8080/

# crasher: exit 1 every 3 s, back after 2 s, 4 s...
check "crasher: restarted (restart count > 0)" \
	eventually 30 eval '[ "$(unit_restarts crasher)" -gt 0 ] 2>/dev/null'
check "crasher: status shows the backoff (exit 1, restarting in ...)" \
	eventually 30 eval 'sv status crasher | grep -Eq "restarting .*exit 1, restarting in [0-9.]+m?s"'

# hog: 32M memory.max, OOM-killed
hogcg=$CG/demo/limited/hog
check "hog: memory.max is 32M" eval '[ "$(cat $hogcg/memory.max)" = 33554432 ]'
check "hog: memory.events oom_kill >= 1" \
	eventually 30 eval '[ "$(kv $hogcg/memory.events oom_kill)" -ge 1 ] 2>/dev/null'
check "hog: svctl status says oom-kill" eventually 10 eval 'unit_reason hog | grep -q "^oom-kill"'
check "hog: svctl status counts the OOM kills" \
	eventually 10 eval 'sv status hog | grep -Eq "^ +oom +kills [1-9]"'

# spinner: cpu.max 20ms per 100ms
spcg=$CG/demo/limited/spinner
check "spinner: cpu.max is 20000 100000" eval '[ "$(cat $spcg/cpu.max)" = "20000 100000" ]'
check "spinner: cpu.stat nr_throttled > 0" \
	eventually 20 eval '[ "$(kv $spcg/cpu.stat nr_throttled)" -gt 0 ] 2>/dev/null'
check "spinner: svctl status shows the throttling" \
	eval 'sv status spinner | grep -Eq "throttled [1-9][0-9]*/[0-9]+ periods"'

# builder: its own sub-cgroups, a worker in each
bcg=$CG/demo/builder
for j in job1 job2; do
	check "builder: made $j with pids.max 16 and a worker in it" \
		eventually 20 eval '[ "$(cat $bcg/jobs/'$j'/pids.max 2>/dev/null)" = 16 ] &&
		                    [ "$(procs_count $bcg/jobs/'$j')" -ge 1 ]'
done
check "builder: initd's leaf main holds the builder itself" procs_has "$bcg/main" "$(main_pid builder)"

# notify: READY=1 and STATUS= from libsystemd
check "notify: running (READY=1 through sd_notify)" state_is notify running
check "notify: svctl status shows its STATUS= text" \
	eval 'sv status notify | grep -q "^  status  *ready, [0-9]* jobs done"'
check "notify: its log says ready" eval 'sv logs notify | grep -q "notifyd: ready"'

# slices with limits in svctl tree
tree=$(sv tree)
check "tree: slice demo with memory.max 256M" \
	eval 'echo "$tree" | grep -A4 "demo/  (slice)" | grep -q "memory.max 268435456"'
check "tree: slice demo/limited with cpu.max 50000 100000" \
	eval 'echo "$tree" | grep -A3 "limited/  (slice)" | grep -q "cpu.max 50000 100000"'
check "tree: demo/limited holds hog and spinner" \
	eval 'echo "$tree" | grep -q "^ *hog  (service" && echo "$tree" | grep -q "^ *spinner  (service"'

# the host's turn: it fetches / and then /host-done through hostfwd
echo "DEMO-HOST-FETCH"
check "web: the host's request arrived through the forward" \
	eventually 60 eval 'sv logs web | grep -q "url:/host-done"'
[ "$failures" -eq 0 ]

#!/bin/bash
# mkseeds.sh — (re)write the hand-made seeds of the fuzz corpora: every key
# of the unit and initd.conf schemas (initd.unit(5), initd.conf(5)), valid
# and invalid values, each notify key, and valid control messages of every
# request type and reply, control-stream scripts (partial, joined, bad and
# cut messages, fds, deferrals) and notify-rules scripts (MAINPID= naming
# each helper). Files are named seed-*; inputs the fuzzers found
# (make fuzz-merge) have libFuzzer's hash names and are left alone.
# The unitset seeds are encoded sets, written by encode-set (see README.md).
set -eu
cd "$(dirname "$0")"

seed() {   # seed DIR NAME < TEXT
	mkdir -p "$1"
	cat > "$1/seed-$2"
}

# ---- unit files ---------------------------------------------------------------
d=unit
for f in ../unit/data/units-good/units/*.unit ../vm/units/*.unit ../../examples/*/units/*.unit; do
	[ -f "$f" ] && seed $d "file-$(basename "$(dirname "$(dirname "$f")")")-$(basename "$f")" < "$f"
done
# type = "forking" and pidfile (issue 15), named apart from the numbered keys
seed unit forking-1 <<'EOF1'
exec = [ "/usr/sbin/httpd", "-p", "8080" ];
type = "forking";
start_timeout = "10s";
EOF1
seed unit forking-2 <<'EOF1'
exec = [ "/usr/bin/redis-server", "/etc/redis/redis.conf" ];
type = "forking";
pidfile = "/run/redis/redis-server.pid";
EOF1
seed unit forking-3 <<'EOF1'
exec = [ "/bin/true" ];
type = "forking";
pidfile = "/var/run/../x.pid";
namespaces = [ "pid" ];
EOF1
# IPv6, routes, point-to-point veth and macvlan (issue 18), named apart from the numbered keys
seed unit net6-1 <<'EOF1'
exec = [ "/bin/httpd" ];
namespaces = [ "net" ];
network = { veth = { bridge = "br0"; address = "10.88.0.2/24"; gateway = "10.88.0.1"; address6 = "fd00:88::2/64"; gateway6 = "fd00:88::1";
  routes = ( { to = "10.9.0.0/16"; via = "10.88.0.1"; }, { to = "fd00:9::/48"; via = "fd00:88::1"; }, { to = "0.0.0.0/0"; } ); }; };
EOF1
seed unit net6-2 <<'EOF1'
exec = [ "/bin/httpd" ];
namespaces = [ "net" ];
network = { veth = { host_address = "10.77.0.1/30"; host_address6 = "fd00:77::1/64"; address = "10.77.0.2/30"; gateway6 = "fe80::1"; }; };
EOF1
seed unit net6-3 <<'EOF1'
exec = [ "/bin/httpd" ];
namespaces = [ "net" ];
network = { macvlan = { interface = "eth0"; mode = "bridge"; address6 = "fd00:66::2/64"; routes = ( { to = "fd00:9::1/48"; via = "10.0.0.1"; } ); };
  veth = { bridge = "br0"; }; };
EOF1
seed conf net6-1 <<'EOF1'
bridges = ( { name = "br0"; address = "10.88.0.1/24"; address6 = "fd00:88::1/64"; }, { name = "br1"; address6 = "fd00::1/129"; } );
EOF1
# ready and health probes (issue 15)
seed unit probes-1 <<'EOF1'
exec = [ "/usr/sbin/httpd", "-f", "-p", "8080" ];
ready = { tcp = "127.0.0.1:8080"; interval = "200ms"; timeout = "1s"; };
start_timeout = "10s";
health = { http = "http://[::1]:8080/health"; interval = "10s"; failures = 3; };
EOF1
seed unit probes-2 <<'EOF1'
exec = [ "/usr/bin/redis-server" ];
type = "notify";
ready = { exec = [ "/usr/bin/redis-cli", "ping" ]; };
health = { exec = [ "/usr/bin/redis-cli", "ping" ]; timeout = "2s"; failures = 100; };
EOF1
seed unit probes-3 <<'EOF1'
exec = [ "/bin/true" ];
type = "oneshot";
ready = { tcp = "localhost:0"; http = "https://x/"; failures = 0; interval = "1ms"; };
health = { };
EOF1
# rootfs.from_host and rootfs = "PATH" (issue 15), named apart too
seed unit rootfs-from-host-1 <<'EOF1'
exec = [ "/usr/sbin/nginx", "-g", "daemon off;" ];
namespaces = [ "mount", "pid" ];
rootfs = { from_host = [ "/usr/sbin/nginx", "/etc/nginx" ]; readonly = true; tmpfs = [ "/var/lib/nginx" ]; };
EOF1
seed unit rootfs-from-host-2 <<'EOF1'
exec = [ "/bin/true" ];
namespaces = [ "mount" ];
rootfs = { path = "/srv/%i"; from_host = [ "relative", "/a/../b", "/" ]; };
EOF1
seed unit rootfs-from-host-3 <<'EOF1'
exec = [ "/bin/true" ];
namespaces = [ "mount" ];
rootfs = "/srv/box";
EOF1
# user_namespace.auto and namespaces_from (issue 18.3, 18.4), named apart
seed unit userns-auto-1 <<'EOF1'
exec = [ "/bin/true" ];
namespaces = [ "user", "mount" ];
user_namespace = { auto = true; size = 100000; slot = 57343; };
EOF1
seed unit userns-auto-2 <<'EOF1'
exec = [ "/bin/true" ];
namespaces = [ "user" ];
user_namespace = { auto = true; uid_map = "0 100000 65536"; size = 0; slot = -1; };
EOF1
seed unit namespaces-from-1 <<'EOF1'
exec = [ "/bin/true" ];
namespaces = [ "mount" ];
namespaces_from = { net = "web"; uts = "/run/uts/x"; ipc = "relative"; };
EOF1
seed unit namespaces-from-2 <<'EOF1'
exec = [ "/bin/true" ];
namespaces = [ "net", "user" ];
namespaces_from = { net = "t"; pid = "web"; };
requires = [ "web" ];
EOF1
# seccomp (issue 18): a denylist, an allowlist, and errors
seed unit seccomp-1 <<'EOF1'
exec = [ "/bin/true" ];
seccomp = { deny = [ "@mount", "@module", "@reboot", "@swap", "@raw-io", "kexec_load" ]; errno = "EPERM"; };
EOF1
seed unit seccomp-2 <<'EOF1'
exec = [ "/bin/true" ];
seccomp = { default = "kill"; allow = [ "@system-service", "setuid32" ]; deny = [ "@mount" ]; };
EOF1
seed unit seccomp-3 <<'EOF1'
exec = [ "/bin/true" ];
seccomp = { default = "errno"; deny = [ "@mounts", "nosuchcall" ]; errno = "EPRM"; allow = "x"; };
EOF1
X='exec = [ "/bin/true" ];'
n=0
while IFS= read -r line; do
	n=$((n + 1))
	printf '%s\n%s\n' "$X" "$line" | seed $d "key-$(printf %02d $n)"
done <<'KEYS'
description = "Static web server";
description = "tab	and \"quote\" and \\ \x41";
type = "simple";
type = "notify";
type = "oneshot";
type = "forking";
requires = [ "net" ];
requires = [ "net", "net" ];
requires = [ "fuzz" ];
after = [ "syslog", "db" ];
after = [ ".bad" ];
restart = "no";
restart = "on-failure";
restart = "always";
restart = "sometimes";
restart_delay = "100ms";
restart_delay = "1min 30s";
restart_delay = "1.5s";
restart_delay = "250us";
restart_delay = "0";
restart_delay = 5;
restart_delay = "5 seconds";
restart_delay = "99999999999999999999min";
restart_delay_max = "30s";
restart_delay = "2s"; restart_delay_max = "1s";
start_limit = { burst = 5; interval = "10s"; };
start_limit = { burst = 0; interval = "0"; };
start_limit = { burst = 4294967296; };
start_limit = { burst = 3L; interval = "1.5s"; frob = 1; };
stop = { signal = "TERM"; timeout = "5s"; };
stop = { signal = "SIGINT"; timeout = "2s"; };
stop = { signal = "RTMIN+2"; };
stop = { signal = "9"; };
stop = { signal = "TREM"; };
stop = { signal = "RTMAX-40"; };
user = "www"; group = "www";
user = "1000"; group = "0";
user = "01000";
user = "-x";
user = "4294967295";
environment = { LANG = "C.UTF-8"; PORT = "80"; };
environment = { 1BAD = "x"; };
environment = ( "A=B" );
workdir = "/www";
workdir = "relative";
watchdog = "10s";
watchdog = "0";
log = { console = true; kmsg = false; };
log = { console = "yes"; };
cgroup = { slice = "apps"; };
cgroup = { slice = "apps/db"; };
cgroup = { slice = "a/b/c/d/e/f/g/h/i"; };
cgroup = { slice = "../etc"; };
frobnicate = 1;
exce = [ "/bin/true" ];
@include "/etc/passwd"
exec = [ ];
exec = "/bin/true";
exec = [ "relative" ];
exec = [ "/bin/sh", 1, true ];
namespaces = [ "pid", "mount", "uts", "ipc", "net", "user", "cgroup" ];
namespaces = [ "pid", "time" ];
namespaces = [ "mount" ]; hostname = "web";
namespaces = [ "uts" ]; hostname = "web";
hostname = "web";
rootfs = { path = "/srv/web"; readonly = true; binds = ( { source = "/srv/www"; target = "/www"; readonly = true; } ); tmpfs = [ "/tmp", "/run" ]; };
namespaces = [ "mount" ]; rootfs = { path = "/srv/web"; readonly = true; binds = ( { source = "/srv/www"; target = "/www"; readonly = true; } ); tmpfs = [ "/tmp", "/run" ]; };
namespaces = [ "mount" ]; rootfs = { path = "relative"; binds = ( { source = "/a"; } ); };
namespaces = [ "net" ]; network = { veth = { bridge = "br0"; address = "10.0.1.2/24"; gateway = "10.0.1.1"; name = "eth0"; }; };
namespaces = [ "net" ]; network = { veth = { bridge = "br0"; address = "10.0.1.2/24"; gateway = "10.0.2.1"; }; };
network = { veth = { bridge = "br0"; address = "10.0.1.300/33"; }; };
capabilities = [ "NET_BIND_SERVICE", "SYS_ADMIN", "CHOWN" ];
capabilities = [ "CAP_NET_RAW" ];
capabilities = [ "NET_BIND" ];
no_new_privs = true;
no_new_privs = "yes";
supplementary_groups = [ "audio", "1000" ];
rlimits = { nofile = 1024; core = "infinity"; stack = "8M"; as = "unlimited"; nproc = 64; memlock = "64K"; cpu = 10; };
rlimits = { nofiles = 1; };
rlimits = { nofile = -1; };
umask = "0022";
umask = "0777";
umask = "1777";
umask = "abc";
oom_score_adj = -1000;
oom_score_adj = 1001;
namespaces = [ "user" ]; user_namespace = { uid_map = "0 100000 65536"; gid_map = "0 100000 65536"; };
user_namespace = { uid_map = "0 100000"; };
cgroup = { slice = "apps"; cpu = { max = "50%"; weight = 100; }; cpuset = { cpus = "0-1"; mems = "0"; }; memory = { max = "64M"; high = "48M"; low = "16M"; min = "8M"; swap_max = "0"; oom_group = true; }; pids = { max = 64; }; io = { weight = 100; max = ( { device = "8:0"; rbps = "10M"; wbps = "max"; riops = 1000; wiops = "max"; } ); }; subtree_control = [ "memory", "pids" ]; };
cgroup = { cpu = { max = "20000 100000"; }; };
cgroup = { cpu = { max = "max"; weight = 0; }; };
cgroup = { cpu = { max = "150%"; }; };
cgroup = { cpuset = { cpus = "0-"; mems = "1-0"; }; };
cgroup = { memory = { max = "max"; high = "1T"; }; };
cgroup = { io = { max = ( { device = "sda"; rbps = "1M"; } ); }; };
cgroup = { io = { max = ( { device = "8:0"; } ); }; };
cgroup = { pids = { max = "max"; }; };
cgroup = { subtree_control = [ "memory", "frob" ]; };
type = "notify"; start_timeout = "90s";
type = "oneshot"; start_timeout = "0";
start_timeout = "5s";
success_exit = ( 1, "TERM" );
success_exit = ( 256, "TREM", 1, 1 );
log = { file = "/var/log/web.log"; max_size = "1M"; keep = 3; };
log = { file = "/var/log/"; max_size = "1K"; keep = -1; };
environment_files = [ "/etc/default/web", "-/data/web.env" ];
environment_files = [ "web.env", "-", "--/x" ];
directories = { runtime = [ "redis" ]; state = [ "redis", "redis/db" ]; logs = [ "redis" ]; cache = [ "c" ]; mode = "0750"; };
directories = { runtime = [ "../x", "a//b", "." ]; state = [ "a", "a" ]; mode = "0999"; tmp = [ ]; };
KEYS
printf 'exec = [ "/bin/true" ]' | seed $d syntax-nosemicolon
printf 'exec = [ "/bin/true" ];\n/* unterminated comment' | seed $d syntax-comment
printf 'exec = [ "/bin/true" ];\ngroup = { a = { b = { c = { d = 1; }; }; }; };\n' | seed $d syntax-nested
printf 'exec = [ "/bin/true" ];\nx = 0x7fffffffffffffffL;\ny = 1e308;\nz = "\\x00";\n' | seed $d syntax-numbers
printf 'exec = [ "/bin/true" ];\ndescription = "a" "b" "c";\n' | seed $d syntax-concat
printf '' | seed $d empty
{ echo "$X"; for i in $(seq 40); do echo "bad$i = $i;"; done; } | seed $d many-errors

# ---- initd.conf ---------------------------------------------------------------
d=conf
for f in ../unit/data/units-good/initd.conf ../vm/initd.conf ../../examples/*/initd.conf; do
	[ -f "$f" ] && seed $d "file-$(basename "$(dirname "$f")")" < "$f"
done
n=0
while IFS= read -r line; do
	n=$((n + 1))
	printf '%s\n' "$line" | seed $d "key-$(printf %02d $n)"
done <<'KEYS'
hostname = "appliance";
hostname = "bad host";
hostname = "-x";
crash_action = "freeze";
crash_action = "shell";
crash_action = "reboot";
crash_action = "poweroff";
crash_action = "explode";
control_group = "operators";
control_group = "1000";
control_group = 1000;
modules = [ "virtio_net", "br_netfilter" ];
modules = [ "bad/module" ];
slices = ( { path = "apps"; }, { path = "apps/db"; } );
slices = ( { path = "apps/db"; } );
slices = ( { path = "apps"; }, { path = "apps"; } );
slices = ( { path = "system"; } );
slices = ( { path = "a/b/c/d/e/f/g/h"; } );
slices = ( { nope = 1; } );
slices = [ "apps" ];
shutdown_timeout = "45s";
shutdown_timeout = "forever";
log_buffer = "128K";
log_buffer = "1K";
log_buffer = "1G";
log_buffer = "64";
unknown = true;
bridges = ( { name = "br0"; address = "10.0.1.1/24"; } );
bridges = ( { name = "br0"; }, { name = "br0"; } );
bridges = ( { name = "a-very-long-bridge-name"; } );
ip_forward = true;
ip_forward = 1;
slices = ( { path = "apps"; cpu = { max = "50%"; weight = 100; }; cpuset = { cpus = "0-3"; }; memory = { max = "1G"; }; pids = { max = 512; }; io = { max = ( { device = "8:0"; rbps = "1M"; } ); }; } );
slices = ( { path = "apps"; memory = { max = "1G"; }; }, { path = "apps/db"; memory = { max = "2G"; }; } );
log = { directory = "/data/log"; max_size = "1M"; keep = 3; };
log = { directory = "data"; max_size = "2G"; keep = 101; };
KEYS
# the hardware watchdog (issue 14), seeds of their own: other keys append above
n=0
while IFS= read -r line; do
	n=$((n + 1))
	printf '%s\n' "$line" | seed $d "watchdog-$(printf %02d $n)"
done <<'KEYS'
watchdog = { };
watchdog = { device = "/dev/watchdog0"; timeout = "30s"; shutdown_timeout = "10min"; };
watchdog = { device = "watchdog0"; };
watchdog = { timeout = "1500ms"; };
watchdog = { timeout = "0"; shutdown_timeout = "61min"; };
watchdog = { timout = "5s"; };
watchdog = "/dev/watchdog";
KEYS

# ---- notify datagrams ---------------------------------------------------------
d=notify
n=0
while IFS= read -r line; do
	n=$((n + 1))
	printf '%b' "$line" | seed $d "$(printf %02d $n)"
done <<'MSGS'
READY=1
READY=1\nSTATUS=listening on port 80
STOPPING=1
RELOADING=1
WATCHDOG=1
STATUS=a\tb\x01c\x7fd
ERRNO=2
ERRNO=4096
MAINPID=42
MAINPID=0
MAINPID=99999999999
READY=0\nFOO=bar\n\n=\nREADY
READY=1\0STATUS=hidden
STATUS=
MSGS

# ---- control messages (common/proto.h) -----------------------------------------
python3 - <<'PY'
import os, struct
os.makedirs("proto", exist_ok=True)
import re
# The numbers come from common/proto.h itself, so the seeds follow the enum.
def enum(name):
    body = re.search(r"enum %s \{(.*?)\};" % name, open("../../common/proto.h").read(), re.S).group(1)
    body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
    out, v = {}, -1
    for item in body.split(","):
        item = item.strip()
        if not item:
            continue
        m = re.match(r"(\w+)\s*(?:=\s*(\d+))?$", item)
        v = int(m.group(2)) if m.group(2) else v + 1
        out[m.group(1)] = v
    return out
M, AT = enum("proto_msg"), enum("proto_attr")
REQ = {k[len("PROTO_REQ_"):].lower(): v for k, v in M.items() if k.startswith("PROTO_REQ_") and k != "PROTO_REQ_MAX"}
OK, ERROR = M["PROTO_REPLY_OK"], M["PROTO_REPLY_ERROR"]
A = {k[len("PROTO_ATTR_"):]: v for k, v in AT.items() if k != "PROTO_ATTR_MAX"}
def attr(t, data):
    return struct.pack("<HHI", t, 0, len(data)) + data + b"\0" * (-len(data) % 4)
def s(t, v): return attr(A[t], v.encode() + b"\0")
def u32(t, v): return attr(A[t], struct.pack("<I", v))
def u64(t, v): return attr(A[t], struct.pack("<Q", v))
def msg(typ, payload=b"", version=1, magic=0x54494e49, length=None):
    return struct.pack("<IHHI", magic, version, typ, len(payload) if length is None else length) + payload
def seed(name, data):
    with open("proto/seed-" + name, "wb") as f: f.write(data)
seed("status-all", msg(REQ["status"]))
seed("status-names", msg(REQ["status"], s("NAME", "web") + s("NAME", "db")))
for c in ("start", "stop", "restart"):
    seed(c, msg(REQ[c], s("NAME", "web")))
for c in ("poweroff", "reboot", "halt", "reload", "wait", "tree"):
    if c in REQ:
        seed(c, msg(REQ[c]))
seed("logs", msg(REQ["logs"], s("NAME", "web") + u32("LINES", 20)))
seed("logs-follow", msg(REQ["logs"], s("NAME", "web") + attr(A["FOLLOW"], b"")))
seed("kill", msg(REQ["kill"], s("NAME", "web") + u32("SIGNAL", 9)))
seed("kill-badsig", msg(REQ["kill"], s("NAME", "web") + u32("SIGNAL", 4096)))
seed("unknown-type", msg(77))
seed("bad-magic", msg(REQ["status"], magic=0x12345678))
seed("bad-version", msg(REQ["status"], version=2))
seed("too-long", msg(REQ["status"], length=1 << 20))
seed("truncated", msg(REQ["status"], s("NAME", "web"))[:-3])
seed("bad-string", msg(REQ["status"], attr(A["NAME"], b"web")))
seed("attr-overrun", msg(REQ["status"], struct.pack("<HHI", 1, 0, 1000) + b"web\0"))
svc = lambda name, state, extra=b"": attr(A["SERVICE"], s("NAME", name) + s("STATE", state) +
        u32("PID", 42) + u32("RESTARTS", 1) + u64("SINCE", 1500000) + extra)
seed("reply-status", msg(OK, svc("web", "running", s("DESCRIPTION", "Static web server") +
        s("CGROUP", "system/web") + s("STATUS_TEXT", "listening")) +
        svc("bad", "bad-config", s("MESSAGE", "bad.unit:3: unknown key 'frobnicate'") +
        s("REASON", "exited with code 3"))))
seed("reply-status-utf8", msg(OK, svc("x", "running", attr(A["DESCRIPTION"],
        "caf\u00e9 \u2603 \"q\" \\ \t".encode() + b"\xff\xc3\x28\x01\0"))))
seed("reply-error", msg(ERROR, u32("ERRNO", 2) + s("MESSAGE", "unit nope not found")))
seed("reply-logs", msg(OK, attr(A["DATA"], b"line one\nline two\n")))
stats = b"".join(u64(k, v) for k, v in (("MEM_CURRENT", 12 << 20), ("MEM_PEAK", 20 << 20),
        ("MEM_MAX", 64 << 20), ("PIDS_CURRENT", 3), ("PIDS_MAX", 64), ("PIDS_EVENTS", 2),
        ("CPU_USAGE_USEC", 123456), ("CPU_NR_PERIODS", 1000), ("CPU_NR_THROTTLED", 250),
        ("CPU_THROTTLED_USEC", 99999), ("OOM_KILLS", 1)) if k in A)
stats += b"".join(u32(k, 1234) for k in A if k.startswith("PSI_"))
seed("reply-status-stats", msg(OK, svc("web", "running", s("CGROUP", "apps/web") + stats)))
if "NODE" in A:
    node = lambda path, kind, extra=b"": attr(A["NODE"], s("PATH", path) + s("KIND", kind) + extra)
    seed("reply-tree", msg(OK, node("", "root", s("SUBTREE_CONTROL", "cpu memory pids")) +
            node("system", "slice", s("SUBTREE_CONTROL", "memory")) +
            node("apps", "slice", s("LIMIT", "memory.max 1073741824") + s("LIMIT", "cpu.max 50000 100000")) +
            node("apps/web", "service", s("NAME", "web") + s("STATE", "running") +
                 s("LIMIT", "pids.max 64") + s("MESSAGE", "delegated")) +
            node("apps/web/leaf", "leaf")))
# the replies svctl prints with show, show-system, postmortem and metrics
seed("reply-show", msg(OK, svc("web", "running") +
        s("UNIT_TEXT", "description = \"web\";\nexec = [ \"/bin/web\" ];\n")))
if "WATCHDOG" in A:
    seed("reply-system", msg(OK, attr(A["WATCHDOG"], s("STATE", "armed") +
            s("PATH", "/dev/watchdog0") + u32("TIMEOUT", 30) + u32("ASKED", 30) +
            u64("LAST_PET", 5100000) + u64("PETS", 212) + attr(A["NOWAYOUT"], b"")) +
            u64("METRICS_WRITES", 14)))
if "POSTMORTEM" in A:
    seed("reply-postmortem", msg(OK, attr(A["POSTMORTEM"], u64("TIME", 1764583200123456) +
            s("REASON", "exit 7") + u32("RESTARTS", 2) + u64("MEM_PEAK", 1 << 20) +
            s("DATA", "starting\n\x1b[31mfatal: \xff\n")) +
            attr(A["POSTMORTEM"], u64("TIME", 1) + s("REASON", "oom-kill") + s("DATA", ""))))
seed("reply-metrics", msg(OK, attr(A["DATA"], b"# TYPE initd_units gauge\ninitd_units 3\n")))
seed("reply-nested-deep", msg(OK, attr(A["SERVICE"], attr(A["SERVICE"], attr(A["SERVICE"],
        attr(A["SERVICE"], attr(A["SERVICE"], s("NAME", "deep"))))))))

# ---- control streams (fuzz_control.c): records of op, u16 length, bytes ------
os.makedirs("control", exist_ok=True)
FD, PUMP, READ, ANSWER, LAST, FILL, DRAINED, SHUT = (1 << i for i in range(8))
def rec(op, data=b""): return struct.pack("<BH", op, len(data)) + data
def cseed(name, data):
    with open("control/seed-" + name, "wb") as f: f.write(data)
st, wait, logs = msg(REQ["status"], s("NAME", "web")), msg(REQ["wait"]), msg(REQ["logs"], s("NAME", "web"))
stop, reload_ = msg(REQ["stop"], s("NAME", "web")), msg(REQ["reload"])
cseed("one", rec(PUMP | READ, st))
cseed("three-in-one-read", rec(PUMP | READ, st + stop + reload_))
cseed("byte-by-byte", b"".join(rec(PUMP | READ, st[i:i + 1]) for i in range(len(st))))
cseed("header-split", rec(PUMP, st[:5]) + rec(PUMP, st[5:14]) + rec(PUMP | READ, st[14:]))
cseed("partial-at-eof", rec(PUMP | READ, st) + rec(PUMP, st[:-2]))
cseed("header-only-at-eof", rec(PUMP, st[:12]))
cseed("len-promises-more", rec(PUMP, msg(REQ["status"], length=60000) + b"abc"))
cseed("too-long", rec(PUMP | READ, msg(REQ["status"], length=1 << 20) + st))
cseed("bad-magic-then-more", rec(PUMP | READ, st + msg(REQ["status"], magic=0x12345678) + st))
cseed("bad-version", rec(PUMP | READ, msg(REQ["status"], version=2)))
cseed("unknown-types", rec(PUMP | READ, msg(0) + msg(77) + st + msg(0xffff, b"xy")))
cseed("fd-passed", rec(FD | PUMP | READ, st) + rec(FD | PUMP, st[:7]) + rec(FD | PUMP | READ, st[7:]))
cseed("wait-then-more", rec(PUMP, wait + st) + rec(PUMP | READ) + rec(ANSWER | LAST | PUMP | READ))
cseed("logs-follow", rec(PUMP | READ, logs) + rec(ANSWER | PUMP | READ) + rec(ANSWER | PUMP) +
      rec(ANSWER | LAST | PUMP | READ, st))
cseed("logs-drained", rec(DRAINED | PUMP, logs) + rec(PUMP | READ) + rec(LAST | PUMP | READ))
cseed("shut-while-deferred", rec(PUMP | SHUT, wait))
cseed("seventeen", rec(PUMP | READ, msg(REQ["status"]) * 17 + st))
cseed("big-payload", rec(PUMP, msg(REQ["status"], length=0xfff0)) + rec(FILL | PUMP | READ, b"\0" * 0xfff) )
mx = msg(REQ["metrics"])
cseed("metrics-fds", rec(PUMP | READ, mx + st + mx + mx) + rec(PUMP, mx + stop + mx) + rec(PUMP | READ))
cseed("metrics-unread", rec(PUMP, mx * 5) + rec(FD | PUMP, st + mx) + rec(SHUT, mx))
cseed("fill-unread", rec(PUMP, msg(REQ["status"], length=0xfff0 - 12) * 1) + rec(FILL, b"\x07" * 0xfff) +
      rec(FILL | PUMP | READ, b"\x07" * 0xfff))

# ---- notify rules (fuzz_notify_rules.c): a's settings, then events and datagrams
os.makedirs("notify_rules", exist_ok=True)
SIMPLE, NOTIFY, ONESHOT, FORKING, PIDNS, WATCHDOG, PROBE, NORESTART = 0, 1, 2, 3, 4, 8, 16, 32
START, EXEC, STOP, EXIT, KILLED, EMPTY, RESTART, STOP_LATER = range(8)
MAIN, KID, ORPHAN, STRANGER, BMAIN, SELF, AMAIN, ABSENT = range(8)
def ev(e, param=0): return bytes([e, param])
def dg(sender, text, uid=0): return bytes([0x80 | sender | uid << 3, len(text)]) + text.encode()
def nseed(name, cfg, *recs):
    with open("notify_rules/seed-" + name, "wb") as f: f.write(bytes([cfg]) + b"".join(recs))
nseed("notify-ready", NOTIFY, ev(START), dg(MAIN, "READY=1\nSTATUS=up"), dg(MAIN, "WATCHDOG=1"))
nseed("notify-watchdog", NOTIFY | WATCHDOG, ev(START), dg(MAIN, "READY=1"), dg(MAIN, "WATCHDOG=1\nERRNO=5"))
nseed("forking-kid", FORKING, ev(START), dg(MAIN, "MAINPID=$1", 1), ev(EXIT))
nseed("forking-orphan", FORKING, ev(START), dg(MAIN, "MAINPID=$2", 1), dg(ORPHAN, "MAINPID=$0", 0))
nseed("simple-kid-root", SIMPLE, ev(START), ev(EXEC), dg(MAIN, "MAINPID=$1"))
nseed("pidns-kid-untrusted", NOTIFY | PIDNS, ev(START), dg(KID, "MAINPID=$2", 2), dg(KID, "MAINPID=$2", 1),
      dg(KID, "READY=1\nMAINPID=$2", 0))
nseed("refused", NOTIFY, ev(START), *[dg(MAIN, "MAINPID=$%d" % k, 1) for k in (3, 4, 5, 6, 7, 8, 9)])
nseed("stopping", SIMPLE, ev(START), ev(EXEC), ev(STOP, 0x80), dg(MAIN, "MAINPID=$1", 1), ev(EXIT), ev(EMPTY))
nseed("exit-then", NOTIFY | NORESTART, ev(START), ev(EXIT, 1), dg(MAIN, "MAINPID=$1\nREADY=1"), ev(EMPTY))
nseed("probe", NOTIFY | PROBE, ev(START), dg(MAIN, "READY=1"), dg(MAIN, "MAINPID=$1"), ev(KILLED, 1))
nseed("stranger", ONESHOT, ev(START), dg(STRANGER, "READY=1\nMAINPID=$0"), dg(BMAIN, "MAINPID=$1\nSTATUS=b"))
nseed("restart", NOTIFY, ev(START), dg(MAIN, "READY=1"), ev(RESTART), ev(EXIT), ev(EMPTY), ev(START),
      dg(AMAIN, "MAINPID=$1\nREADY=1"))
PY

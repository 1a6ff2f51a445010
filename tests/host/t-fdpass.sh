#!/bin/bash
# t-fdpass.sh — file descriptors sent to initd's sockets. A received fd
# that PID 1 closes may be the last reference to a file whose release
# waits forever in PID 1 (a FUSE file whose server never answers, a TCP
# socket lingering on a peer that never reads). initd refuses them
# (SO_PASSRIGHTS, Linux 6.16): the sender's sendmsg fails with EPERM. On
# an older kernel it takes and closes them: it must keep none.
. "$(dirname "$0")/lib.sh"

new_boot fdpass
testd_unit idle ""
start_initd
check "idle reaches running" wait_state idle running 5

# fdpass KIND: a pipe's write end sent with a request, the sender's own
# copy closed; then whether the read end sees end of file (no process,
# initd included, holds the write end). Prints "kernel refuses|takes",
# "sent|refused ERRNO" and "eof|held".
fdpass() {
	python3 - "$1" "$T/notify" "$T/control" <<'EOF'
import array, os, select, socket, sys
kind, notify, control = sys.argv[1:]
probe = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
try:
    probe.setsockopt(socket.SOL_SOCKET, 83, 0)     # SO_PASSRIGHTS
    print("kernel refuses")
except OSError:
    print("kernel takes")
r, w = os.pipe()
rights = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [w]))]
try:
    if kind == "notify":
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.sendmsg([b"STATUS=with an fd"], rights, 0, notify)
    else:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(control)
        s.sendmsg([b"\0" * 16], rights)
    print("sent")
except OSError as e:
    print("refused", e.errno)
os.close(w)
ready, _, _ = select.select([r], [], [], 5)
print("eof" if ready and os.read(r, 1) == b"" else "held")
EOF
}

for kind in notify control; do
	out=$(fdpass $kind)
	diag "$kind: $(echo $out)"
	if grep -q "kernel refuses" <<<"$out"; then
		check "$kind: an fd sent with a message is refused (EPERM)" \
			grep -q "^refused 1$" <<<"$out"
	else
		diag "$kind: this kernel has no SO_PASSRIGHTS: initd takes the fd and closes it"
	fi
	check "$kind: initd keeps no fd it was sent (the pipe ends)" grep -q "^eof$" <<<"$out"
	check "$kind: initd still answers" control_answers
done
check "idle is still running" state_is idle running

stop_initd
[ "$FAILED" -eq 0 ]

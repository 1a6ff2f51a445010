#!/usr/bin/env python3
"""ctl_clients.py — misbehaving and massed clients of initd's control socket,
for tests/host/t-svctl.sh. Each mode prints one result line on stdout.

  zero PATH              connect and close at once                -> "closed"
  short-header PATH      6 of the 12 header bytes, then close     -> "closed"
  short-payload PATH     a header announcing 64 bytes, 20 of them -> "closed"
  garbage PATH           12 bytes of garbage                      -> "error ERRNO closed"
  oversized PATH         a header announcing 1 MiB                -> "error ERRNO closed"
  stall PATH SECS [FILE] 5 bytes, then silence: how long until initd drops
                         it                                       -> "dropped after S" | "kept"
                         (FILE, if given, is created once the bytes are sent)
  idle PATH SECS [FILE]  connect, send nothing (FILE: once connected) -> same
  flood PATH N           N connections at once, then a STATUS request on
                         each                                     -> "ok=A eusers=B other=C"
  status PATH            one STATUS request                       -> "ok N-services"
  hold PATH FILE         STATUS, then (same connection) another STATUS once
                         FILE exists                              -> two lines,
                         each "ok N" or "error ERRNO"
  holes PATH N KEEP FILE  N connections, each answered once (so initd holds
                         an fd for each), then all but the last KEEP closed:
                         initd's highest fds stay open above a hole. Prints
                         "ready", holds them until FILE exists (<= 30 s)
                                                                  -> "ready"
  followers PATH NAME N SECS   N `logs -f NAME` clients that never read;
                         after SECS, how many initd has closed    -> "dropped=K of N"
  names PATH N NAME      one STATUS request naming NAME N times -> "ok N-services" |
                         "error ERRNO closed|open"
  follow-stall PATH NAME SECS  `logs -f NAME`, read the backlog, stop reading
                         for SECS, then read for 2s               -> "marker BYTES" |
                                                                     "no-marker BYTES"
  follow-removed PATH NAME TOTAL  `logs -f NAME`, read the backlog, print
                         "attached", stop reading until a line on stdin, then
                         read to the stream's end. Each "burst N" line (N <
                         TOTAL) must follow the one before or a dropped
                         marker, and the last line be "the end" or a marker
                                                          -> "ok LINES MARKERS" |
                                                             "lost WHAT"
"""
import os
import re
import socket
import struct
import sys
import threading
import time

import select

MAGIC, VERSION = 0x54494E49, 1
REQ_STATUS, REQ_LOGS, REPLY_OK, REPLY_ERROR = 1, 9, 100, 101
ATTR_NAME, ATTR_ERRNO, ATTR_SERVICE, ATTR_FOLLOW, ATTR_DATA = 1, 2, 4, 13, 14
ATTR_MESSAGE = 3
EUSERS = 87


def header(typ, length):
    return struct.pack("<IHHI", MAGIC, VERSION, typ, length)


def connect(path, timeout=10):
    """A blocking connect, as svctl's: with a full backlog a unix socket's
    connect waits for room (Python's timeout mode would fail with EAGAIN at
    once instead); the caller's `timeout` command bounds it."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.settimeout(timeout)
    return s


def read_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def read_msg(s):
    """(type, {attr: [data...]}) or None on EOF."""
    h = read_exact(s, 12)
    if h is None:
        return None
    magic, version, typ, length = struct.unpack("<IHHI", h)
    if magic != MAGIC:
        raise ValueError("bad magic in reply")
    payload = read_exact(s, length) if length else b""
    if payload is None:
        raise ValueError("truncated reply")
    attrs, off = {}, 0
    while off + 8 <= len(payload):
        t, _flags, n = struct.unpack_from("<HHI", payload, off)
        attrs.setdefault(t, []).append(payload[off + 8:off + 8 + n])
        off += 8 + n + (-n % 4)
    return typ, attrs


def closed(s, timeout=10):
    """True once the peer closed (EOF or reset) within timeout."""
    s.settimeout(timeout)
    try:
        while True:
            data = s.recv(4096)
            if not data:
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


def error_then_close(s):
    msg = read_msg(s)
    if msg is None:
        return "closed-without-reply"
    typ, attrs = msg
    if typ != REPLY_ERROR:
        return "unexpected-type-%d" % typ
    err = struct.unpack("<I", attrs[ATTR_ERRNO][0])[0] if ATTR_ERRNO in attrs else 0
    return "error %d %s" % (err, "closed" if closed(s) else "open")


def attr(typ, data):
    return struct.pack("<HHI", typ, 0, len(data)) + data + b"\0" * (-len(data) % 4)


def follow(path, name):
    """A `logs -f NAME` connection, its request sent."""
    s = connect(path)
    payload = attr(ATTR_NAME, name.encode() + b"\0") + attr(ATTR_FOLLOW, b"")
    s.sendall(header(REQ_LOGS, len(payload)) + payload)
    return s


def peer_closed(s):
    """Closed by initd, without reading what is queued."""
    p = select.poll()
    p.register(s, select.POLLRDHUP | select.POLLHUP)
    return any(ev & (select.POLLRDHUP | select.POLLHUP) for _, ev in p.poll(0))


def followers(path, name, n, secs):
    conns = [follow(path, name) for _ in range(n)]
    time.sleep(secs)
    dropped = sum(1 for s in conns if peer_closed(s))
    return "dropped=%d of %d" % (dropped, n)


def follow_stall(path, name, secs):
    s = follow(path, name)
    if read_msg(s) is None:   # the backlog
        return "closed"
    time.sleep(secs)
    data = b""
    end = time.monotonic() + 2
    while time.monotonic() < end:
        s.settimeout(max(end - time.monotonic(), 0.01))
        try:
            msg = read_msg(s)
        except socket.timeout:
            break
        if msg is None:
            break
        data += b"".join(msg[1].get(ATTR_DATA, []))
    found = b"[initd: " in data and b" bytes dropped]" in data
    return "%s %d" % ("marker" if found else "no-marker", len(data))


DROPPED = re.compile(rb"\[initd: ([0-9]+) bytes dropped\]")
BURST = re.compile(rb"burst ([0-9]+) ")


def burst_verdict(data, total):
    """Nothing lost without a marker saying so, to the stream's end."""
    expect, marked, lines, markers = 0, False, 0, 0
    for line in data.split(b"\n"):
        if DROPPED.search(line):
            marked, markers = True, markers + 1
        elif BURST.search(line):
            n = int(BURST.search(line).group(1))
            if n != expect and not marked:
                return "lost lines %d..%d without a marker" % (expect, n - 1)
            expect, marked, lines = n + 1, False, lines + 1
        elif line.endswith(b"the end"):
            if expect != total and not marked:
                return "lost lines %d..%d without a marker" % (expect, total - 1)
            return "ok %d %d" % (lines, markers)
    if not marked:
        return "lost the end after line %d without a marker" % (expect - 1)
    return "ok %d %d" % (lines, markers)


class Prefixed:
    """A socket whose first bytes were read already."""

    def __init__(self, s, data):
        self.s, self.data = s, data

    def recv(self, n):
        if self.data:
            chunk, self.data = self.data[:n], self.data[n:]
            return chunk
        return self.s.recv(n)


def trickle_until_stdin(s):
    """Wait for a line on stdin, reading what initd sent in a trickle: a
    chunk every 2 s, so that initd's 5 s deadline for a client that reads
    nothing (re-armed by each write that made progress) cannot end the
    follower on a slow machine, while its queue stays full (the burst is
    1.9 MB within well under a second). The bytes read, in order."""
    held = b""
    while not select.select([sys.stdin], [], [], 2.0)[0]:
        s.setblocking(False)
        try:
            held += s.recv(256 * 1024)
        except BlockingIOError:
            pass
        s.settimeout(10)
    sys.stdin.readline()
    return held


def follow_removed(path, name, total):
    s = follow(path, name)
    if read_msg(s) is None:   # the backlog
        return "closed"
    print("attached", flush=True)
    s = Prefixed(s, trickle_until_stdin(s))
    data, last = b"", None
    while True:
        msg = read_msg(s)
        if msg is None:
            break
        last = msg
        data += b"".join(msg[1].get(ATTR_DATA, []))
    if last is None or last[0] != REPLY_ERROR or \
            b"removed by a reload" not in b"".join(last[1].get(ATTR_MESSAGE, [])):
        return "lost the stream's end (%s)" % ("EOF" if last is None else "type %d" % last[0])
    return burst_verdict(data, total)


def status_once(s):
    s.sendall(header(REQ_STATUS, 0))
    msg = read_msg(s)
    if msg is None:
        return "closed"
    typ, attrs = msg
    if typ == REPLY_OK:
        return "ok %d" % len(attrs.get(ATTR_SERVICE, []))
    err = struct.unpack("<I", attrs[ATTR_ERRNO][0])[0] if ATTR_ERRNO in attrs else 0
    return "error %d" % err


def hold(s, path):
    """One connection across a change of initd's configuration."""
    print(status_once(s), flush=True)
    deadline = time.monotonic() + 30
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            print("timeout", flush=True)
            return
        time.sleep(0.02)
    print(status_once(s), flush=True)


def holes(path, n, keep, done):
    """Clients whose fds in initd are the highest, below them a hole."""
    conns = []
    for _ in range(n):
        s = connect(path)
        status_once(s)
        conns.append(s)
    for s in conns[:n - keep]:
        s.close()
    print("ready", flush=True)
    deadline = time.monotonic() + 30
    while not os.path.exists(done) and time.monotonic() < deadline:
        time.sleep(0.02)
    for s in conns[n - keep:]:
        s.close()


def mark(path):
    """Create path (if any): tells the test this client is in place."""
    if path:
        open(path, "w").close()


def held(s, secs):
    start = time.monotonic()
    if closed(s, secs):
        return "dropped after %.1f" % (time.monotonic() - start)
    return "kept"


def flood(path, n):
    """n threads connect at the same moment (a barrier), each sends STATUS
    and reads one reply. A blocking connect waits for room in the backlog."""
    results = []
    lock = threading.Lock()
    barrier = threading.Barrier(n)

    def one():
        outcome = "other"
        try:
            barrier.wait(10)
            s = connect(path, 15)
            try:
                try:
                    s.sendall(header(REQ_STATUS, 0))
                except (BrokenPipeError, ConnectionResetError):
                    pass  # a refused client may be closed before it writes
                msg = read_msg(s)
                if msg and msg[0] == REPLY_OK:
                    outcome = "ok"
                elif msg and msg[0] == REPLY_ERROR and ATTR_ERRNO in msg[1] and \
                        struct.unpack("<I", msg[1][ATTR_ERRNO][0])[0] == EUSERS:
                    outcome = "eusers"
                else:
                    sys.stderr.write("client: unexpected reply %r\n" % (msg,))
            finally:
                s.close()
        except Exception as e:  # noqa: BLE001 — any other outcome is counted
            sys.stderr.write("client: %r\n" % (e,))
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=one) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return "ok=%d eusers=%d other=%d" % (results.count("ok"), results.count("eusers"),
                                         results.count("other"))


def main():
    mode, path = sys.argv[1], sys.argv[2]
    arg = sys.argv[3] if len(sys.argv) > 3 else None
    if mode == "flood":
        print(flood(path, int(arg)))
        return
    if mode == "followers":
        print(followers(path, arg, int(sys.argv[4]), float(sys.argv[5])))
        return
    if mode == "holes":
        holes(path, int(arg), int(sys.argv[4]), sys.argv[5])
        return
    if mode == "follow-stall":
        print(follow_stall(path, arg, float(sys.argv[4])))
        return
    if mode == "follow-removed":
        print(follow_removed(path, arg, int(sys.argv[4])))
        return
    s = connect(path)
    if mode == "zero":
        s.close()
        print("closed")
    elif mode == "short-header":
        s.sendall(header(REQ_STATUS, 0)[:6])
        s.close()
        print("closed")
    elif mode == "short-payload":
        s.sendall(header(REQ_STATUS, 64) + b"\0" * 20)
        s.close()
        print("closed")
    elif mode == "garbage":
        s.sendall(os.urandom(4) + b"\xde\xad\xbe\xef" * 2)
        print(error_then_close(s))
    elif mode == "oversized":
        s.sendall(header(REQ_STATUS, 1 << 20))
        print(error_then_close(s))
    elif mode == "stall":
        s.sendall(header(REQ_STATUS, 0)[:5])
        mark(sys.argv[4] if len(sys.argv) > 4 else None)
        print(held(s, float(arg)))
    elif mode == "idle":
        mark(sys.argv[4] if len(sys.argv) > 4 else None)
        print(held(s, float(arg)))
    elif mode == "hold":
        hold(s, arg)
    elif mode == "names":
        payload = attr(ATTR_NAME, sys.argv[4].encode() + b"\0") * int(arg)
        s.sendall(header(REQ_STATUS, len(payload)) + payload)
        typ, attrs = read_msg(s)
        if typ == REPLY_OK:
            print("ok %d" % len(attrs.get(ATTR_SERVICE, [])))
        else:
            err = struct.unpack("<I", attrs[ATTR_ERRNO][0])[0] if ATTR_ERRNO in attrs else 0
            print("error %d %s" % (err, "closed" if closed(s) else "open"))
    elif mode == "status":
        s.sendall(header(REQ_STATUS, 0))
        typ, attrs = read_msg(s)
        print("ok %d" % len(attrs.get(ATTR_SERVICE, [])) if typ == REPLY_OK else "error")
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""sip_garbage.py PORT CTL_SOCK FLOOD - throws bad input at a pinholed
(two_ua.sh bad_input): random and truncated datagrams, a huge
Content-Length, a 64 KB header, the same over TCP, FLOOD INVITEs with
distinct Call-IDs, garbage on the control socket. Prints one line per
finding ("key value"); the shell test judges them."""
import os
import random
import socket
import sys
import time

port, ctl, flood = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
dst = ("127.0.0.1", port)
rnd = random.Random(1)


def invite(i, me, clen=None, body=True):
    sdp = ("v=0\r\no=x 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
           "t=0 0\r\nm=audio %d RTP/AVP 0\r\n" % (40000 + i % 1000)) if body else ""
    return ("INVITE sip:bob@127.0.0.1:%d SIP/2.0\r\n"
            "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKfl%d;rport\r\n"
            "Max-Forwards: 70\r\nFrom: <sip:f%d@127.0.0.1>;tag=t%d\r\n"
            "To: <sip:bob@127.0.0.1>\r\nCall-ID: flood-%d@x\r\n"
            "CSeq: 1 INVITE\r\nContact: <sip:f@127.0.0.1:%d>\r\n"
            "Content-Type: application/sdp\r\nContent-Length: %s\r\n\r\n%s"
            % (port, me, i, i, i, i, me, len(sdp) if clen is None else clen,
               sdp)).encode()


u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("127.0.0.1", 0))
me = u.getsockname()[1]
u.setblocking(False)
for _ in range(300):
    u.sendto(os.urandom(rnd.randint(1, 1500)), dst)
good = invite(999999, me)
for cut in range(1, len(good), 37):
    u.sendto(good[:cut], dst)
u.sendto(invite(999998, me, clen=99999999), dst)
u.sendto(b"OPTIONS sip:bob@x SIP/2.0\r\nX: " + b"a" * 65000 + b"\r\n\r\n", dst)

# TCP: garbage, an endless header, a huge Content-Length: each connection
# must be closed by the daemon
closed = 0
for payload in (os.urandom(3000) + b"\r\n\r\n",
                b"OPTIONS sip:bob@x SIP/2.0\r\nX: " + b"a" * 70000,
                b"INVITE sip:bob@x SIP/2.0\r\nContent-Length: 99999999\r\n\r\n"):
    t = socket.create_connection(dst, timeout=5)
    try:
        t.sendall(payload)
        t.settimeout(5)
        while t.recv(4096):
            pass
        closed += 1
    except (socket.timeout, OSError) as e:
        if not isinstance(e, socket.timeout):
            closed += 1
    t.close()
print("tcp_closed", closed)

# the flood: distinct Call-IDs, never answered, never ACKed
codes = {}
for i in range(flood):
    u.sendto(invite(i, me), dst)
    if i % 50 == 0:
        time.sleep(0.01)
deadline = time.time() + 5
while time.time() < deadline:
    try:
        data = u.recv(65535)
    except BlockingIOError:
        time.sleep(0.01)
        continue
    line = data.split(b"\r\n", 1)[0].decode(errors="replace").split(" ")
    if len(line) > 1 and line[0] == "SIP/2.0":
        codes[line[1]] = codes.get(line[1], 0) + 1
for k in sorted(codes):
    print("code_%s %d" % (k, codes[k]))

# control socket garbage: an error line, then the connection is closed
for payload in (b"\xff\xfe\x00garbage\n", b"frobnicate\n", b"x" * 1023):
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.connect(ctl)
    c.settimeout(5)
    try:
        c.sendall(payload)
        out = b""
        while True:
            d = c.recv(4096)
            if not d:
                break
            out += d
        ok = out.startswith(b'{"ok":false') and out.endswith(b"\n")
    except (socket.timeout, OSError):
        ok = False
    print("ctl_error_closed", "yes" if ok else "no")
    c.close()

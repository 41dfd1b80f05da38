#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""options_flood.py - an OPTIONS flood (issue 13, "bounded state"): RATE
requests a second for SECONDS to HOST:PORT, sent in turn from each address
of SRCS (comma-separated, e.g. 127.0.0.2,127.0.0.3), each a new
transaction (its own branch and Call-ID). What comes back is counted by
status code and never answered. Prints "ready" when it starts and
"sent N 200:A 503:B ..." at the end.

Usage: options_flood.py SRCS HOST:PORT RATE SECONDS [USER]
"""
import socket
import sys
import time

srcs, dst, rate, secs = sys.argv[1].split(","), sys.argv[2], \
    int(sys.argv[3]), float(sys.argv[4])
user = sys.argv[5] if len(sys.argv) > 5 else "alice"
host, port = dst.rsplit(":", 1)
dst = (host, int(port))

socks = []
for a in srcs:
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    u.bind((a, 0))
    u.setblocking(False)
    socks.append((u, a, u.getsockname()[1]))

codes = {}


def options(i, a, p):
    return ("OPTIONS sip:%s@%s:%d SIP/2.0\r\n"
            "Via: SIP/2.0/UDP %s:%d;branch=z9hG4bKopt%d;rport\r\n"
            "Max-Forwards: 70\r\nFrom: <sip:flood@%s>;tag=of%d\r\n"
            "To: <sip:%s@%s>\r\nCall-ID: opt-%d@%s\r\n"
            "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
            % (user, host, dst[1], a, p, i, a, i, user, host, i, a)).encode()


def drain():
    for u, _, _ in socks:
        try:
            while True:
                b = u.recv(65535)
                c = b[8:11].decode(errors="replace")
                codes[c] = codes.get(c, 0) + 1
        except BlockingIOError:
            pass


print("ready", flush=True)
t0 = time.monotonic()
n = 0
while time.monotonic() - t0 < secs:
    due = int((time.monotonic() - t0) * rate) + 1
    while n < due:
        u, a, p = socks[n % len(socks)]
        try:
            u.sendto(options(n, a, p), dst)
        except BlockingIOError:
            pass
        n += 1
    drain()
    time.sleep(0.002)
time.sleep(0.5)
drain()
print("sent %d %s" % (n, " ".join("%s:%d" % kv for kv in sorted(codes.items()))),
      flush=True)

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""invite_flood.py - INVITEs that are never ACKed (issue 13, "no cheap
lock-out"): RATE a second for SECONDS to HOST:PORT, from SRC (an address
of its own, e.g. 127.0.0.2), distinct Call-IDs, a valid SDP offer each;
nothing is answered (no ACK for the 200s, no 200 for the BYEs). Prints
"ready" when it starts and "sent N" at the end.

Usage: invite_flood.py SRC HOST:PORT RATE SECONDS
"""
import socket
import sys
import time

src, dst, rate, secs = sys.argv[1], sys.argv[2], int(sys.argv[3]), \
    float(sys.argv[4])
host, port = dst.rsplit(":", 1)
dst = (host, int(port))

u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind((src, 0))
me = u.getsockname()[1]
u.setblocking(False)


def invite(i):
    sdp = ("v=0\r\no=f 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"
           "m=audio %d RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
           % (src, src, 30000 + 2 * (i % 1000)))
    return ("INVITE sip:alice@%s:%d SIP/2.0\r\n"
            "Via: SIP/2.0/UDP %s:%d;branch=z9hG4bKflood%d\r\n"
            "Max-Forwards: 70\r\nFrom: <sip:flood%d@%s>;tag=ft%d\r\n"
            "To: <sip:alice@%s>\r\nCall-ID: flood-%d-%d@%s\r\n"
            "CSeq: 1 INVITE\r\nContact: <sip:flood@%s:%d>\r\n"
            "Content-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s"
            % (host, dst[1], src, me, i, i, src, i, host, me, i, src, src,
               me, len(sdp), sdp)).encode()


print("ready", flush=True)
t0 = time.monotonic()
n = 0
while time.monotonic() - t0 < secs:
    due = int((time.monotonic() - t0) * rate) + 1
    while n < due:
        try:
            u.sendto(invite(n), dst)
        except BlockingIOError:
            pass
        n += 1
    # swallow what comes back (100, 200s, BYEs): never answered
    try:
        while u.recv(65535):
            pass
    except BlockingIOError:
        pass
    time.sleep(0.005)
print("sent %d" % n, flush=True)

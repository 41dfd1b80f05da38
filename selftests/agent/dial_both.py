#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""dial_both.py SOCK_A URI_A SOCK_B URI_B - two pinholed dial at the same
instant: both control connections (ctl.h: one request line, one JSON reply
line) are open before either "call" line is written, so the two dials start
microseconds apart however long a process takes to start (two pinholectl
released together were 300 ms apart under TCG at load 8). Exit status 1
when either daemon refuses the call."""
import socket
import sys


def main(argv):
    if len(argv) != 4:
        sys.exit(__doc__)
    socks = []
    for path in (argv[0], argv[2]):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(path)
        s.settimeout(10)
        socks.append(s)
    socks[0].sendall(("call %s\n" % argv[1]).encode())
    socks[1].sendall(("call %s\n" % argv[3]).encode())
    for s in socks:
        r = s.makefile().readline()
        if '"ok":true' not in r:
            sys.exit("call failed: " + r)


if __name__ == "__main__":
    main(sys.argv[1:])

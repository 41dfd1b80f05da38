#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""udp_delay.py - a UDP relay that delays every datagram (test helper).

    udp_delay.py LISTEN_PORT TARGET_PORT DELAY_MS [ADDR]

Datagrams from anyone but the target go to ADDR:TARGET_PORT (default
127.0.0.1); datagrams from the target go back to the last other sender.
two_ua.sh puts one in front of each pinholed so that two INVITEs cross in
flight (real glare) on loopback, where the host has no netem. Prints
"ready" once bound.
"""
import heapq
import select
import socket
import sys
import time


def main():
    listen, target, delay = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]) / 1000.0
    addr = sys.argv[4] if len(sys.argv) > 4 else "127.0.0.1"
    dst = (addr, target)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, listen))
    print("ready", flush=True)
    client = None
    queue = []  # (due, seq, data, to)
    seq = 0
    while True:
        timeout = max(0.0, queue[0][0] - time.monotonic()) if queue else None
        r, _, _ = select.select([s], [], [], timeout)
        if r:
            data, src = s.recvfrom(65535)
            if src == dst:
                to = client
            else:
                client, to = src, dst
            if to:
                seq += 1
                heapq.heappush(queue, (time.monotonic() + delay, seq, data, to))
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, data, to = heapq.heappop(queue)
            s.sendto(data, to)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass

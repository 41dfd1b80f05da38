#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""fakedns.py - a tiny UDP DNS responder for the tests (dns.py imports it;
selftests/agent/dns.sh runs it as a script in a VM namespace).

A zone maps a name to an IPv4 address (its A record) or to a list of
(type, rdata) records built by naptr(), srv(), a() and aaaa(); a name not
in it is NXDOMAIN, a type it lacks an empty answer. Without a zone the
server is dead: it swallows every query.

As a script:  fakedns.py [--bind ADDR] [--port N] [--log FILE] ZONE.json
ZONE.json: {"name": "192.0.2.1" | [["NAPTR", order, pref, flags, service,
replacement] | ["SRV", prio, weight, port, target] | ["A", ip] |
["AAAA", ip6], ...]}. It prints "listening PORT" once bound and appends
"NAME TYPE" to FILE for each query (TYPE: 1 A, 28 AAAA, 33 SRV, 35 NAPTR).
"""
import argparse
import json
import socket
import struct
import sys
import threading

T_A, T_AAAA, T_SRV, T_NAPTR = 1, 28, 33, 35


def dns_name(name):
    return b"".join(bytes([len(x)]) + x.encode() for x in
                    name.split(".") if x) + b"\0"


def naptr(order, pref, flags, service, replacement):
    """(type, rdata) of a NAPTR record (RFC 3403), no regexp"""
    def s(t):
        return bytes([len(t)]) + t.encode()
    return (T_NAPTR, struct.pack("!HH", order, pref) + s(flags) +
            s(service) + s("") + dns_name(replacement))


def srv(prio, weight, port, target):
    """(type, rdata) of an SRV record (RFC 2782)"""
    return (T_SRV, struct.pack("!HHH", prio, weight, port) +
            dns_name(target))


def a(ip):
    return (T_A, socket.inet_pton(socket.AF_INET, ip))


def aaaa(ip6):
    return (T_AAAA, socket.inet_pton(socket.AF_INET6, ip6))


class Dns:
    """UDP DNS: dead (never answers) or answering @names (see the module
    docstring); the queries it got in .queries as (name, type)"""

    def __init__(self, names=None, bind="127.0.0.1", port=0, log=None):
        fam = socket.AF_INET6 if ":" in bind else socket.AF_INET
        self.sock = socket.socket(fam, socket.SOCK_DGRAM)
        self.sock.bind((bind, port))
        self.port = self.sock.getsockname()[1]
        self.names = names
        self.log = log
        self.queries = []
        if names is not None:
            threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                q, peer = self.sock.recvfrom(4096)
            except OSError:
                return
            r = self.answer(q)
            if r:
                self.sock.sendto(r, peer)

    def answer(self, q):
        if len(q) < 12:
            return None
        qid, flags, qd = struct.unpack("!HHH", q[:6])
        if qd != 1:
            return None
        i, labels = 12, []
        while i < len(q) and q[i]:
            labels.append(q[i + 1:i + 1 + q[i]].decode(errors="replace"))
            i += 1 + q[i]
        i += 1
        if i + 4 > len(q):
            return None
        qtype = struct.unpack("!H", q[i:i + 2])[0]
        question = q[12:i + 4]
        name = ".".join(labels).lower()
        self.queries.append((name, qtype))
        if self.log:
            with open(self.log, "a") as f:
                f.write("%s %d\n" % (name, qtype))
        rflags = 0x8180 | (flags & 0x0100)     # QR, RD copied, RA
        v = self.names.get(name)
        if v is None:
            rflags |= 3                         # NXDOMAIN
            rrs = []
        elif isinstance(v, str):
            rrs = [a(v)] if qtype == T_A else []
        else:
            rrs = [r for r in v if r[0] == qtype]
        an = b"".join(b"\xc0\x0c" + struct.pack("!HHIH", t, 1, 60, len(d))
                      + d for t, d in rrs)
        return (struct.pack("!HHHHHH", qid, rflags, 1, len(rrs), 0, 0)
                + question + an)

    def close(self):
        self.sock.close()


RECORD = {"NAPTR": naptr, "SRV": srv, "A": a, "AAAA": aaaa}


def zone_of(j):
    """the names of Dns from the JSON zone of the module docstring"""
    return {name: v if isinstance(v, str) else
            [RECORD[r[0]](*r[1:]) for r in v] for name, v in j.items()}


def main():
    ap = argparse.ArgumentParser(description="a tiny DNS responder")
    ap.add_argument("--bind", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=53)
    ap.add_argument("--log")
    ap.add_argument("zone")
    o = ap.parse_args()
    with open(o.zone) as f:
        names = zone_of(json.load(f))
    d = Dns(bind=o.bind, port=o.port, log=o.log)
    d.names = names
    print("listening %d" % d.port, flush=True)
    d.serve()


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""dns.py - host names in SIP URIs are looked up without blocking pinholed
(c-ares, --dns-server, --dns-timeout), on loopback with --firewall none:

  dead_resolver_delays_only_its_call
      alice's DNS server swallows every query. alice dials
      sip:bob@dead.example and, at the same time, bob by IP literal while
      carol dials alice: both of these calls are up within 2 s; the
      hostname call ends 503 once the lookup gives up, with a clear error
      in the log, and alice keeps running.
  hostname_call_completes
      a tiny DNS responder answers A peer.test = 127.0.0.1: a call to
      sip:bob@peer.test:PORT is set up and hung up; a name the responder
      does not know (NXDOMAIN) ends its call at once.
  naptr_srv_call_fails_over
      RFC 3263: the responder has NAPTR pbx.test -> _sip._udp.pbx.test,
      whose SRV records name a server that answers every INVITE 503
      (priority 10) and bob (priority 20, his port): alice's call to
      sip:bob@pbx.test (no port) reaches the 503 server first, ACKs it and
      is established with bob; the queries were NAPTR, SRV, then A.
  srv_without_naptr_reaches_the_srv_port
      no NAPTR for srv.test: the SRV _sip._udp.srv.test names bob's port,
      and the call reaches it (bob does not listen on 5060).
  cancelled_lookups_valgrind
      (valgrind) alice hangs up a call still waiting for its lookup, dials
      again and is stopped with the lookup pending: no memory error, no
      leak (c-ares freed at exit), exit status 0.

KTAP on stdout; exit 0 when all passed, 1 otherwise, 4 when skipped.

Usage: dns.py [AGENT_DIR]"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

from fakedns import Dns, naptr, srv
from hostlib import agent_bins, free_port, run_tests

AGENT, PINHOLED, CTL = agent_bins()
TMP = tempfile.mkdtemp(prefix="dns.")
DAEMONS = []
MEDIA = [30000 + (os.getpid() % 50) * 300]


def diag(msg):
    print("# " + msg)


class Ua:
    def __init__(self, name, *opts, wrap=(), start_s=5):
        self.name = name
        self.port = free_port()
        MEDIA.append(None)      # a fresh file name per daemon
        tag = "%s.%d" % (name, len(MEDIA))
        self.sock = os.path.join(TMP, tag + ".sock")
        self.logpath = os.path.join(TMP, tag + ".log")
        lo = MEDIA[0]
        MEDIA[0] += 100
        self.log = open(self.logpath, "w")
        self.p = subprocess.Popen(
            # --log-level debug: the SIP message lines (plog.h) are read
            list(wrap) + [PINHOLED, "--listen", "127.0.0.1:%d" % self.port,
                          "--user", name, "--firewall", "none", "--media-allow", "loopback",
                          "--log-level", "debug",
                          "--control", self.sock,
                          "--media-ports", "%d-%d" % (lo, lo + 99)] +
            list(opts), stdout=self.log, stderr=self.log)
        DAEMONS.append(self)
        end = time.time() + start_s
        while time.time() < end and not os.path.exists(self.sock):
            time.sleep(0.05)
        if not os.path.exists(self.sock):
            raise RuntimeError("%s did not start" % name)

    def ctl(self, *args):
        out = subprocess.run([CTL, "--control", self.sock] + list(args),
                             capture_output=True, text=True, timeout=10)
        return out.stdout.strip()

    def calls(self):
        try:
            return json.loads(self.ctl("--json", "calls")).get("calls", [])
        except ValueError:
            return []

    def call(self, uri):
        return self.ctl("call", uri)

    def by_id(self, cid):
        for c in self.calls():
            if str(c.get("id")) == str(cid):
                return c
        return {}

    def logtext(self):
        with open(self.logpath, errors="replace") as f:
            return f.read()

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(30)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        self.log.close()
        return self.p.returncode


def wait_for(fn, timeout):
    end = time.time() + timeout
    while True:
        v = fn()
        if v or time.time() >= end:
            return v
        time.sleep(0.05)


def expect(what, cond):
    if not cond:
        diag("FAIL: " + what)
    return bool(cond)


def stop_all():
    while DAEMONS:
        DAEMONS.pop().stop()


# ------------------------------------------------------------------ tests

def dead_resolver_delays_only_its_call():
    ok = True
    dead = Dns()
    # one try of 1000 ms, then 2000 ms: the lookup gives up after ~3 s
    bob = Ua("bob", "--auto-answer")
    alice = Ua("alice", "--auto-answer", "--dns-server",
               "127.0.0.1:%d" % dead.port, "--dns-timeout", "1000")
    carol = Ua("carol", "--auto-answer")
    t0 = time.time()
    hn = alice.call("sip:bob@dead.example")
    ip = alice.call("sip:bob@127.0.0.1:%d" % bob.port)
    inc = carol.call("sip:alice@127.0.0.1:%d" % alice.port)
    ok &= expect("the three calls were placed", hn and ip and inc)
    up_ip = wait_for(lambda: alice.by_id(ip).get("state") == "established",
                     2.0)
    ok &= expect("IP literal call established within 2 s", up_ip)
    up_in = wait_for(lambda: carol.by_id(inc).get("state") ==
                     "established", 2.0)
    ok &= expect("incoming call established within 2 s", up_in)
    t_up = time.time() - t0
    c = alice.by_id(hn)
    ok &= expect("hostname call still waiting (%s) while the others are up"
                 % c.get("state"), c.get("state") not in ("closed", None))
    closed = wait_for(lambda: alice.by_id(hn).get("state") == "closed", 10)
    t_end = time.time() - t0
    ok &= expect("hostname call ended after the resolver timeout", closed)
    diag("others up after %.2f s, hostname call closed after %.2f s" %
         (t_up, t_end))
    ok &= expect("hostname call waited for the lookup (%.2f s)" % t_end,
                 t_end >= 2.5)
    c = alice.by_id(hn)
    ok &= expect("hostname call end %s" % c.get("end"),
                 c.get("end") == "rejected")
    ok &= expect("clear error in the log",
                 "INVITE not sent: cannot resolve dead.example: no answer "
                 "from the DNS servers" in alice.logtext())
    ok &= expect("alice still running", alice.p.poll() is None)
    ok &= expect("the other calls are still up",
                 alice.by_id(ip).get("state") == "established" and
                 carol.by_id(inc).get("state") == "established")
    alice.ctl("hangup", "all")
    ok &= expect("alice's calls closed", wait_for(
        lambda: all(x.get("state") == "closed" for x in alice.calls()), 5))
    ok &= expect("alice exits 0", alice.stop() == 0)
    stop_all()
    dead.close()
    return ok


def hostname_call_completes():
    ok = True
    dns = Dns({"peer.test": "127.0.0.1"})
    bob = Ua("bob", "--auto-answer")
    alice = Ua("alice", "--dns-server", "127.0.0.1:%d" % dns.port)
    cid = alice.call("sip:bob@peer.test:%d" % bob.port)
    ok &= expect("call placed", cid)
    ok &= expect("call to peer.test established", wait_for(
        lambda: alice.by_id(cid).get("state") == "established", 5))
    ok &= expect("bob has the call", wait_for(
        lambda: any(c.get("state") == "established" for c in bob.calls()),
        3))
    ok &= expect("the responder saw A peer.test", ("peer.test", 1) in
                 dns.queries)
    alice.ctl("hangup", cid)
    ok &= expect("hung up", wait_for(
        lambda: alice.by_id(cid).get("end") == "normal", 5))
    t0 = time.time()
    nx = alice.call("sip:bob@nohost.test:%d" % bob.port)
    ok &= expect("NXDOMAIN call ends at once", wait_for(
        lambda: alice.by_id(nx).get("state") == "closed", 2))
    diag("NXDOMAIN call closed after %.2f s" % (time.time() - t0))
    ok &= expect("NXDOMAIN in the log",
                 "cannot resolve nohost.test: no such host" in
                 alice.logtext())
    ok &= expect("alice exits 0", alice.stop() == 0)
    stop_all()
    dns.close()
    return ok


class Busy:
    """a SIP server on UDP loopback that answers every INVITE 503 and
    lists the methods it got"""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.got = []
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                m, peer = self.sock.recvfrom(65535)
            except OSError:
                return
            text = m.decode(errors="replace")
            self.got.append(text.split(" ", 1)[0])
            if not text.startswith("INVITE "):
                continue
            lines = text.split("\r\n")
            keep = [ln for ln in lines if ln.split(":", 1)[0].lower() in
                    ("via", "from", "call-id", "cseq", "v", "f", "i")]
            to = [ln for ln in lines
                  if ln.split(":", 1)[0].lower() in ("to", "t")]
            r = ("SIP/2.0 503 Service Unavailable\r\n" +
                 "\r\n".join(keep + [to[0] + ";tag=busy1"]) +
                 "\r\nContent-Length: 0\r\n\r\n")
            self.sock.sendto(r.encode(), peer)

    def close(self):
        self.sock.close()


def naptr_srv_call_fails_over():
    ok = True
    busy = Busy()
    bob = Ua("bob", "--auto-answer")
    dns = Dns({
        "pbx.test": [naptr(10, 10, "S", "SIP+D2T", "_sip._tcp.pbx.test"),
                     naptr(20, 10, "S", "SIP+D2U", "_sip._udp.pbx.test")],
        "_sip._udp.pbx.test": [srv(20, 0, bob.port, "b.pbx.test"),
                               srv(10, 0, busy.port, "a.pbx.test")],
        "a.pbx.test": "127.0.0.1",
        "b.pbx.test": "127.0.0.1",
    })
    alice = Ua("alice", "--dns-server", "127.0.0.1:%d" % dns.port)
    cid = alice.call("sip:bob@pbx.test")
    ok &= expect("call placed", cid)
    ok &= expect("call to pbx.test established", wait_for(
        lambda: alice.by_id(cid).get("state") == "established", 8))
    ok &= expect("the 503 server got the INVITE first and its ACK (%s)" %
                 busy.got, busy.got[:2] == ["INVITE", "ACK"])
    ok &= expect("bob has the call", wait_for(
        lambda: any(c.get("state") == "established" for c in bob.calls()),
        3))
    q = dns.queries
    diag("queries: %s" % q)
    ok &= expect("NAPTR, then SRV of its UDP replacement, then A",
                 ("pbx.test", 35) in q and
                 ("_sip._udp.pbx.test", 33) in q and
                 ("_sip._tcp.pbx.test", 33) not in q and
                 ("a.pbx.test", 1) in q and
                 q.index(("pbx.test", 35)) <
                 q.index(("_sip._udp.pbx.test", 33)) <
                 q.index(("a.pbx.test", 1)))
    ok &= expect("the failover is in the log",
                 "503, trying the next address (2 of 2)" in alice.logtext())
    alice.ctl("hangup", cid)
    ok &= expect("hung up", wait_for(
        lambda: alice.by_id(cid).get("end") == "normal", 5))
    ok &= expect("alice exits 0", alice.stop() == 0)
    stop_all()
    dns.close()
    busy.close()
    return ok


def srv_without_naptr_reaches_the_srv_port():
    ok = True
    bob = Ua("bob", "--auto-answer")
    dns = Dns({
        "srv.test": "127.0.0.2",        # no NAPTR; its A unused (SRV)
        "_sip._udp.srv.test": [srv(10, 5, bob.port, "host.srv.test")],
        "host.srv.test": "127.0.0.1",
    })
    alice = Ua("alice", "--dns-server", "127.0.0.1:%d" % dns.port)
    cid = alice.call("sip:bob@srv.test")
    ok &= expect("call to srv.test established", cid and wait_for(
        lambda: alice.by_id(cid).get("state") == "established", 5))
    ok &= expect("the SRV target's A looked up, not srv.test's (%s)" %
                 dns.queries, ("host.srv.test", 1) in dns.queries and
                 ("srv.test", 1) not in dns.queries)
    alice.ctl("hangup", cid)
    ok &= expect("alice exits 0", alice.stop() == 0)
    stop_all()
    dns.close()
    return ok


def cancelled_lookups_valgrind():
    if not shutil.which("valgrind"):
        return "SKIP valgrind not installed"
    ok = True
    dead = Dns()
    vg = os.path.join(TMP, "vg.%d.log" % len(MEDIA))
    alice = Ua("alice", "--dns-server", "127.0.0.1:%d" % dead.port,
               "--dns-timeout", "1000",
               wrap=("valgrind", "-q", "--leak-check=full",
                     "--show-leak-kinds=definite,indirect",
                     "--errors-for-leak-kinds=definite,indirect",
                     "--error-exitcode=9", "--log-file=" + vg),
               start_s=30)
    cid = alice.call("sip:bob@dead.example")
    ok &= expect("call placed", cid)
    time.sleep(0.3)
    alice.ctl("hangup", cid)
    ok &= expect("a call hung up during its lookup closes at once",
                 wait_for(lambda: alice.by_id(cid).get("state") ==
                          "closed", 2))
    ok &= expect("the INVITE was never sent",
                 " alice > INVITE " not in alice.logtext())
    time.sleep(3.5)     # the cancelled lookup times out in c-ares
    ok &= expect("alice alive after the cancelled lookup timed out",
                 alice.p.poll() is None)
    alice.call("sip:bob@dead.example")
    time.sleep(0.3)
    rc = alice.stop()       # the lookup still pending
    ok &= expect("alice under valgrind exits 0 (got %s)" % rc, rc == 0)
    if os.path.exists(vg) and os.path.getsize(vg):
        with open(vg, errors="replace") as f:
            diag("valgrind: " + f.read(3000).replace("\n", "\n# "))
        ok = False
    stop_all()
    dead.close()
    return ok


TESTS = [dead_resolver_delays_only_its_call, hostname_call_completes,
         naptr_srv_call_fails_over, srv_without_naptr_reaches_the_srv_port,
         cancelled_lookups_valgrind]


def main():
    print("KTAP version 1")
    print("1..%d" % len(TESTS))
    if not (os.access(PINHOLED, os.X_OK) and os.access(CTL, os.X_OK)):
        for i, t in enumerate(TESTS, 1):
            print("ok %d %s # SKIP build pinholed and pinholectl first" %
                  (i, t.__name__))
        return 4
    return run_tests(TESTS, TMP, stop_all, diag)


if __name__ == "__main__":
    sys.exit(main())

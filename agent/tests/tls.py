#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""tls.py - SIP over TLS between two pinholed (--transport tls) on
loopback with --firewall none; a test CA and certificates are made at test
time with the openssl command:

  tls_call_established
      alice and bob trust the test CA; bob's certificate names 127.0.0.1
      and peer.test. alice calls sip:bob@127.0.0.1:PORT;transport=tls: the
      call is established and hung up.
  tls_invite_on_the_wire
      a TLS server of the test's own (Python ssl, bob's certificate)
      reads alice's INVITE: the stream starts with a TLS handshake record,
      the request has Via SIP/2.0/TLS and Contact ;transport=tls.
  tls_wrong_ca_refused
      alice trusts another CA: her call fails at once (not after Timer
      B) with a clear reason in the log ("server certificate not
      accepted for its address: ..."); bob never sees a call.
  tls_hostname_checked
      through a DNS responder (dns.py's), peer.test and other.test both
      point at bob: a call to sip:bob@peer.test:PORT;transport=tls is
      established, then one to other.test fails with "hostname mismatch"
      (the open connection, which proved peer.test, is not reused).
  tls_srv_failover
      RFC 3263 over TLS: _sips._tcp.pbx.test names a closed port, then
      bob; the refused connection moves the INVITE to bob at once, whose
      certificate is checked against pbx.test (the URI's domain).
  tls_sips_call_established
      alice calls sips:bob@127.0.0.1:PORT (no ;transport=tls): the call
      goes over TLS and is established.
  tls_sips_invite_on_the_wire
      the test's TLS server reads alice's INVITE to a sips: URI: Request-URI
      sips:, Contact <sips:alice@...> without ;transport=tls (RFC 5630),
      From <sips:alice@...> (RFC 3261 19.1.4).
  tls_sips_request_accepted
      the test sends bob an INVITE sips:bob@... over TLS (Python ssl): it
      is answered 200 (not 416), with a sips: Contact.
  tls_sips_dialog_restored
      the same with bob on --state-dir; bob is killed (SIGKILL) and
      started again: the call resumes, and his 200 to our re-INVITE in
      the dialog still carries a sips: Contact.
  tls_sips_refused_without_tls
      a pinholed on UDP, then one on TCP, answers an INVITE sips:... 416
      Unsupported URI Scheme, and its pinholectl call sips:... fails with a
      clear error.
  tls_valgrind
      (valgrind) alice makes a TLS call, one refused by the name check
      and one to a closed port: no memory error, no leak, exit 0.

KTAP on stdout; exit 0 when all passed, 1 otherwise, 4 when skipped.

Usage: tls.py [AGENT_DIR]"""
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile

from dns import diag, expect
import dns as dnsmod
from fakedns import Dns, srv
from hostlib import DaemonProc, agent_bins, calls, ctl, free_port, header, \
    run_tests, wait
from refusals import Req, send

AGENT, PINHOLED, CTL = agent_bins()
TMP = tempfile.mkdtemp(prefix="tls.")
shutil.rmtree(dnsmod.TMP, ignore_errors=True)   # dns.py's, unused here
DAEMONS = []
SEQ = []


def openssl(*args):
    subprocess.run(["openssl"] + list(args), check=True, cwd=TMP,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def make_ca(name):
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
            "-subj", "/CN=pinhole test %s" % name,
            "-keyout", name + ".key", "-out", name + ".pem")


def make_cert(name, ca, san):
    with open(os.path.join(TMP, name + ".ext"), "w") as f:
        f.write("subjectAltName=%s\nbasicConstraints=CA:FALSE\n" % san)
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-nodes", "-subj", "/CN=%s" % name, "-keyout", name + ".key",
            "-out", name + ".csr")
    openssl("x509", "-req", "-in", name + ".csr", "-CA", ca + ".pem",
            "-CAkey", ca + ".key", "-CAcreateserial", "-days", "2",
            "-extfile", name + ".ext", "-out", name + ".pem")


def pem(name):
    return os.path.join(TMP, name)


class Ua(DaemonProc):
    def __init__(self, name, ca, *opts, wrap=(), start_s=5, port=None):
        self.name = name
        self.port = port or free_port()
        SEQ.append(name)         # a fresh file name per daemon
        self.sock = os.path.join(TMP, "%s.%d.sock" % (name, len(SEQ)))
        self.logname = os.path.join(TMP, "%s.%d.log" % (name, len(SEQ)))
        self.log = open(self.logname, "w")
        self.p = subprocess.Popen(
            list(wrap) + [PINHOLED, "--listen", "127.0.0.1:%d" % self.port,
             "--user", name, "--transport", "tls",
             "--tls-cert", pem(name + ".pem"), "--tls-key",
             pem(name + ".key"), "--tls-ca", pem(ca + ".pem"),
             "--firewall", "none", "--control", self.sock,
             "--media-allow", "loopback", "--log-level", "debug",
             "--media-ports", "%d-%d" % (self.port + 2, self.port + 200)] +
            list(opts), stdout=self.log, stderr=self.log)
        DAEMONS.append(self)
        if not wait(lambda: os.path.exists(self.sock), start_s):
            raise RuntimeError("%s did not start: %s" % (name, self.text()))

    def call(self, uri):
        return ctl(CTL, self.sock, "call", uri).get("id")

    def by_id(self, cid):
        for c in calls(CTL, self.sock):
            if str(c.get("id")) == str(cid):
                return c
        return {}


def stop_all():
    while DAEMONS:
        DAEMONS.pop().stop()


def call_established(uri):
    """bob (auto-answer) and alice; alice calls uri % bob's port: (ok,
    alice, the call's id) once both have it established"""
    ok = True
    bob = Ua("bob", "ca", "--auto-answer")
    alice = Ua("alice", "ca")
    cid = alice.call(uri % bob.port)
    ok &= expect("call to %s placed" % (uri % bob.port), cid)
    ok &= expect("call over TLS established", wait(
        lambda: alice.by_id(cid).get("state") == "established", 8))
    ok &= expect("bob has the call", wait(
        lambda: any(c.get("state") == "established"
                    for c in calls(CTL, bob.sock)), 3))
    return ok, alice, cid


def tls_call_established():
    ok, alice, cid = call_established("sip:bob@127.0.0.1:%d;transport=tls")
    ctl(CTL, alice.sock, "hangup", str(cid))
    ok &= expect("hung up", wait(
        lambda: alice.by_id(cid).get("end") == "normal", 5))
    return ok


def listener():
    """a listening TCP socket on loopback for tls_read_request(): (it,
    its port)"""
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    srv.settimeout(10)
    return srv, srv.getsockname()[1]


def tls_invite_on_the_wire():
    """a TLS server of our own (Python's ssl, bob's certificate) reads
    alice's INVITE: the connection starts with a TLS handshake record, and
    the request says Via SIP/2.0/TLS and ;transport=tls in its Contact"""
    ok = True
    srv, port = listener()
    alice = Ua("alice", "ca")
    cid = alice.call("sip:bob@127.0.0.1:%d;transport=tls" % port)
    ok &= expect("call placed", cid)
    first, text = tls_read_request(srv)
    ok &= expect("the stream starts with a TLS handshake record (%r)" %
                 first, first == b"\x16")
    ok &= expect("an INVITE over TLS", text.startswith("INVITE sip:bob@"))
    ok &= expect("Via SIP/2.0/TLS with alice's port",
                 "Via: SIP/2.0/TLS 127.0.0.1:%d;" % alice.port in text)
    ok &= expect("Contact with ;transport=tls",
                 "transport=tls>" in text.split("Contact:", 1)[-1]
                 .split("\r\n", 1)[0])
    srv.close()
    return ok


def tls_sips_call_established():
    return call_established("sips:bob@127.0.0.1:%d")[0]


def tls_read_request(srv):
    """accepts one connection on srv, answers its TLS handshake with bob's
    certificate: (the first byte received, the first message's head)"""
    conn, _ = srv.accept()
    conn.settimeout(10)
    first = conn.recv(1, socket.MSG_PEEK)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(pem("bob.pem"), pem("bob.key"))
    tls = ctx.wrap_socket(conn, server_side=True)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = tls.recv(4096)
        if not chunk:
            break
        data += chunk
    tls.close()
    return first, data.decode(errors="replace")


def tls_sips_invite_on_the_wire():
    ok = True
    srv, port = listener()
    alice = Ua("alice", "ca")
    cid = alice.call("sips:bob@127.0.0.1:%d" % port)
    ok &= expect("call placed", cid)
    text = tls_read_request(srv)[1]
    srv.close()
    diag(text.split("\r\n", 1)[0])
    ok &= expect("INVITE sips:bob@ over TLS",
                 text.startswith("INVITE sips:bob@127.0.0.1:%d " % port))
    ok &= expect("Contact <sips:alice@127.0.0.1:%d> (%s)" % (
        alice.port, header(text, "Contact")),
        header(text, "Contact") == "<sips:alice@127.0.0.1:%d>" % alice.port)
    ok &= expect("From <sips:alice@...> (%s)" % header(text, "From"),
                 (header(text, "From") or "").startswith("<sips:alice@"))
    return ok


def tls_client(port):
    """a TLS connection to a pinholed on loopback at port, as alice (her
    certificate, the test CA): (it, its local port)"""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(pem("ca.pem"))
    ctx.load_cert_chain(pem("alice.pem"), pem("alice.key"))
    ctx.check_hostname = False
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    tls = ctx.wrap_socket(raw)
    return tls, tls.getsockname()[1]


def tls_final(tls):
    """the head of the first final response read from tls, or None"""
    data = b""
    while True:
        chunk = tls.recv(65535)
        if not chunk:
            return None
        data += chunk
        while b"\r\n\r\n" in data:
            head, _, data = data.partition(b"\r\n\r\n")
            head = head.decode(errors="replace")
            clen = int(header(head + "\r\n", "Content-Length") or 0)
            data = data[clen:]
            if not head.startswith("SIP/2.0 1"):
                return head


def sips_invite(port, me):
    """an INVITE sips:bob@... over TLS from sips:probe (refusals.Req)"""
    req = Req(port, me, user="bob").sub("SIP/2.0/UDP", "SIP/2.0/TLS")
    req.line = "INVITE sips:bob@127.0.0.1:%d SIP/2.0" % port
    return req.sub("<sip:probe@127.0.0.1:%d>" % me,
                   "<sips:probe@127.0.0.1:%d>" % me)


def tls_sips_request_accepted():
    ok = True
    bob = Ua("bob", "ca", "--auto-answer")
    tls, me = tls_client(bob.port)
    tls.sendall(sips_invite(bob.port, me).text())
    final = tls_final(tls)
    tls.close()
    ok &= expect("a final response", final)
    if not final:
        return False
    diag(final.split("\r\n", 1)[0])
    ok &= expect("sips: INVITE over TLS answered 200",
                 final.startswith("SIP/2.0 200"))
    ok &= expect("bob's Contact is sips: (%s)" % header(final, "Contact"),
                 (header(final, "Contact") or "").startswith("<sips:bob@"))
    return ok


def tls_sips_dialog_restored():
    """bob (--state-dir) answers our INVITE sips:bob@... over TLS, is
    killed and started again: the call resumes, and his 200 to our
    re-INVITE in the dialog still has a sips: Contact (RFC 5630)"""
    ok = True
    st = os.path.join(TMP, "state.%d" % len(SEQ))
    os.mkdir(st)
    bob = Ua("bob", "ca", "--auto-answer", "--state-dir", st)
    tls, me = tls_client(bob.port)
    inv = sips_invite(bob.port, me)
    tls.sendall(inv.text())
    final = tls_final(tls) or ""
    ok &= expect("INVITE answered 200 (%s)" % final.split("\r\n", 1)[0],
                 final.startswith("SIP/2.0 200"))
    to = header(final, "To") or ""
    inv.sub("To: <sip:bob@127.0.0.1>", "To: " + to)
    inv.line = "ACK sips:bob@127.0.0.1:%d SIP/2.0" % bob.port
    inv.body = ""
    ack = inv.sub("1 INVITE", "1 ACK").sub(inv.branch, inv.branch + "a")
    tls.sendall(ack.text())
    ok &= expect("bob's call established and saved", wait(
        lambda: '"established":true' in open(
            os.path.join(st, "pinholed.state")).read(), 5))
    bob.p.kill()
    bob.p.wait()
    tls.close()
    bob = Ua("bob", "ca", "--auto-answer", "--state-dir", st, port=bob.port)
    ok &= expect("the call resumed", wait(
        lambda: any(c.get("state") == "established"
                    for c in calls(CTL, bob.sock)), 5))
    tls, me = tls_client(bob.port)
    reinv = sips_invite(bob.port, me).sub("To: <sip:bob@127.0.0.1>",
                                          "To: " + to)
    reinv.body = ""         # no offer: bob answers 200 with his
    reinv.hdrs = [h for h in reinv.hdrs
                  if not h.startswith(("From:", "Call-ID:", "CSeq:",
                                       "Content-Type:"))] + [
        "From: " + header(final, "From"),
        "Call-ID: " + header(final, "Call-ID"), "CSeq: 2 INVITE"]
    tls.sendall(reinv.text())
    final2 = tls_final(tls) or ""
    tls.close()
    diag(final2.split("\r\n", 1)[0])
    ok &= expect("re-INVITE answered 200", final2.startswith("SIP/2.0 200"))
    ok &= expect("bob's Contact after the restart is sips: (%s)" %
                 header(final2, "Contact"),
                 (header(final2, "Contact") or "").startswith("<sips:bob@"))
    return ok


def sips_over(transport):
    """a pinholed on transport ("udp", "tcp"): [its answer's status line to
    an INVITE sips:..., pinholectl call sips:...'s answer, its calls]"""
    port = free_port()
    sock = os.path.join(TMP, "%s.sock" % transport)
    log = open(os.path.join(TMP, "%s.log" % transport), "w")
    d = subprocess.Popen([PINHOLED, "--listen", "127.0.0.1:%d" % port,
                          "--user", "alice", "--firewall", "none",
                          "--transport", transport, "--auto-answer",
                          "--control", sock, "--media-allow", "loopback",
                          "--media-ports", "%d-%d" % (port + 2, port + 40)],
                         stdout=log, stderr=log)
    try:
        if not wait(lambda: os.path.exists(sock), 5):
            return ["not started", {}, []]
        line = "INVITE sips:alice@127.0.0.1:%d SIP/2.0" % port
        if transport == "udp":
            def build(me):
                r = Req(port, me)
                r.line = line
                return r
            resp, s, _ = send(port, build)
        else:
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            r = Req(port, s.getsockname()[1]).sub("SIP/2.0/UDP",
                                                   "SIP/2.0/TCP")
            r.line = line
            s.sendall(r.text())
            resp = ""
            try:
                while "\r\n\r\n" not in resp:
                    chunk = s.recv(65535).decode(errors="replace")
                    if not chunk:
                        break
                    resp += chunk
            except socket.timeout:
                pass
        s.close()
        return [(resp or "").split("\r\n", 1)[0],
                ctl(CTL, sock, "call", "sips:bob@127.0.0.1:%d" % port),
                calls(CTL, sock)]
    finally:
        d.terminate()
        d.wait(10)
        log.close()


def tls_sips_refused_without_tls():
    ok = True
    for transport in ("udp", "tcp"):
        status, out, listed = sips_over(transport)
        ok &= expect("sips: INVITE over %s answered 416 (%s)" % (
            transport, status), status == "SIP/2.0 416 Unsupported URI Scheme")
        diag("pinholectl call sips: on %s: %r" % (transport, out))
        ok &= expect("no sips: call without TLS", not out.get("id") and
                     "tls" in repr(out))
        ok &= expect("no call listed", not listed)
    return ok


def tls_wrong_ca_refused():
    ok = True
    bob = Ua("bob", "ca", "--auto-answer")
    alice = Ua("alice", "other")
    cid = alice.call("sip:bob@127.0.0.1:%d;transport=tls" % bob.port)
    ok &= expect("call placed", cid)
    # well before Timer B (32 s): the failed handshake ends it
    ok &= expect("call refused at once", wait(
        lambda: alice.by_id(cid).get("state") == "closed", 5))
    ok &= expect("ended as rejected (%s)" % alice.by_id(cid).get("end"),
                 alice.by_id(cid).get("end") == "rejected")
    t = alice.text()
    # OpenSSL's words: "self-signed certificate in certificate chain"
    # (bob sends the test CA along) or "unable to get local issuer ..."
    ok &= expect("clear reason in the log",
                 "server certificate not accepted for its address: " in t
                 and "INVITE not sent: server certificate not accepted" in t)
    ok &= expect("bob never saw a call", calls(CTL, bob.sock) == [])
    ok &= expect("alice still running", alice.p.poll() is None)
    return ok


def tls_hostname_checked():
    ok = True
    bob = Ua("bob", "ca", "--auto-answer")
    dns = Dns({"peer.test": "127.0.0.1", "other.test": "127.0.0.1"})
    alice = Ua("alice", "ca", "--dns-server", "127.0.0.1:%d" % dns.port)
    good = alice.call("sip:bob@peer.test:%d;transport=tls" % bob.port)
    ok &= expect("call to peer.test established", good and wait(
        lambda: alice.by_id(good).get("state") == "established", 8))
    ctl(CTL, alice.sock, "hangup", str(good))
    wait(lambda: alice.by_id(good).get("state") == "closed", 5)
    # the connection proving peer.test is still open to the same address:
    # it is not reused for other.test, a new one fails the check
    bad = alice.call("sip:bob@other.test:%d;transport=tls" % bob.port)
    ok &= expect("call to other.test refused", bad and wait(
        lambda: alice.by_id(bad).get("state") == "closed", 5))
    ok &= expect("hostname mismatch in the log",
                 "server certificate not accepted for other.test: "
                 "hostname mismatch" in alice.text())
    ok &= expect("bob saw only the first call", len(calls(CTL, bob.sock)) == 1)
    dns.close()
    return ok


def tls_srv_failover():
    """RFC 3263 over TLS: pbx.test has no NAPTR; its _sips._tcp SRV records
    name a closed port first, then bob. The refused connection moves the
    INVITE to bob at once (no Timer B), and bob's certificate is checked
    against pbx.test, the URI's domain, not the SRV target's name"""
    ok = True
    bob = Ua("bob", "ca", "--auto-answer")
    closed = free_port()
    dns = Dns({
        "pbx.test": "127.0.0.2",
        "_sips._tcp.pbx.test": [srv(10, 0, closed, "dead.pbx.test"),
                                srv(20, 0, bob.port, "live.pbx.test")],
        "dead.pbx.test": "127.0.0.1",
        "live.pbx.test": "127.0.0.1",
    })
    alice = Ua("alice", "ca", "--dns-server", "127.0.0.1:%d" % dns.port)
    cid = alice.call("sip:bob@pbx.test;transport=tls")
    ok &= expect("call placed", cid)
    ok &= expect("established with bob well before Timer B", wait(
        lambda: alice.by_id(cid).get("state") == "established", 8))
    t = alice.text()
    ok &= expect("the refused connection moved it to the next address",
                 "trying the next address (2 of 2)" in t)
    ok &= expect("_sips._tcp asked, not _sip._udp (%s)" % dns.queries,
                 ("_sips._tcp.pbx.test", 33) in dns.queries and
                 ("_sip._udp.pbx.test", 33) not in dns.queries)
    ctl(CTL, alice.sock, "hangup", str(cid))
    ok &= expect("hung up", wait(
        lambda: alice.by_id(cid).get("end") == "normal", 5))
    dns.close()
    return ok


def tls_valgrind():
    """alice under valgrind: a call over TLS set up and hung up, one
    refused by the name check, one whose peer is gone; no memory error,
    no leak, exit 0"""
    if not shutil.which("valgrind"):
        return "SKIP valgrind not installed"
    ok = True
    vg = pem("vg.log")
    bob = Ua("bob", "ca", "--auto-answer")
    dns = Dns({"other.test": "127.0.0.1"})
    alice = Ua("alice", "ca", "--dns-server", "127.0.0.1:%d" % dns.port,
               wrap=("valgrind", "-q", "--leak-check=full",
                     "--show-leak-kinds=definite,indirect",
                     "--errors-for-leak-kinds=definite,indirect",
                     "--error-exitcode=9", "--log-file=" + vg),
               start_s=30)
    cid = alice.call("sip:bob@127.0.0.1:%d;transport=tls" % bob.port)
    ok &= expect("call established under valgrind", wait(
        lambda: alice.by_id(cid).get("state") == "established", 20))
    ctl(CTL, alice.sock, "hangup", str(cid))
    ok &= expect("hung up", wait(
        lambda: alice.by_id(cid).get("end") == "normal", 10))
    bad = alice.call("sip:bob@other.test:%d;transport=tls" % bob.port)
    ok &= expect("name mismatch refused", wait(
        lambda: alice.by_id(bad).get("state") == "closed", 10))
    bob.stop()
    DAEMONS.remove(bob)
    gone = alice.call("sip:bob@127.0.0.1:%d;transport=tls" % bob.port)
    ok &= expect("call to a closed port refused", wait(
        lambda: alice.by_id(gone).get("state") == "closed", 10))
    alice.p.terminate()
    rc = alice.p.wait(60)
    ok &= expect("alice under valgrind exits 0 (got %s)" % rc, rc == 0)
    if os.path.exists(vg) and os.path.getsize(vg):
        with open(vg, errors="replace") as f:
            diag("valgrind: " + f.read(3000).replace("\n", "\n# "))
        ok = False
    dns.close()
    return ok


TESTS = [tls_call_established, tls_invite_on_the_wire, tls_wrong_ca_refused,
         tls_hostname_checked, tls_srv_failover, tls_sips_call_established,
         tls_sips_invite_on_the_wire, tls_sips_request_accepted,
         tls_sips_dialog_restored,
         tls_sips_refused_without_tls, tls_valgrind]


def main():
    print("KTAP version 1")
    print("1..%d" % len(TESTS))
    skip = None
    if not (os.access(PINHOLED, os.X_OK) and os.access(CTL, os.X_OK)):
        skip = "build pinholed and pinholectl first"
    elif not shutil.which("openssl"):
        skip = "no openssl command"
    else:
        make_ca("ca")
        make_ca("other")
        make_cert("bob", "ca", "IP:127.0.0.1,DNS:peer.test,DNS:pbx.test")
        make_cert("alice", "ca", "IP:127.0.0.1")
    return run_tests(TESTS, TMP, stop_all, diag, skip)


if __name__ == "__main__":
    sys.exit(main())

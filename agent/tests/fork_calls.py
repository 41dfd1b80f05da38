#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""fork_calls.py - pinholed as the caller of a forked INVITE (RFC 3261
12.1, 13.2.2.4), end to end on loopback (--firewall none) against a SIPp
callee playing a forking proxy's three callees
(selftests/agent/sipp/uas_fork.xml):

  SIPp                                              pinholed (caller)
   <---------------------------------------------- INVITE
   100, 180 To tag A (early dialog) -------------->
   200 To tag B, SDP m=audio MB ------------------> confirms B's dialog
   <--------------------------------------- ACK to B (Request-URI, tag)
   200 B again -----------------------------------> (13.2.2.4)
   <---------------------------------------------- ACK to B again
   200 To tag C, SDP m=audio MC ------------------> another fork's 2xx
   <---------------------------------------------- ACK to C, BYE to C
   200 C again -----------------------------------> ACK only
   <---------------------------------------------- (hang-up) BYE to B

  fork_sipp_checks_passed   SIPp saw exactly that, each request's
                            Request-URI and To tag checked, nothing to A
  fork_call_established     the call is up with B's dialog
  fork_media_to_confirmed   pinholed's RTP goes to B's port MB ...
  fork_no_media_to_refused  ... and none to C's port MC
  fork_refused_bye_answered the log says C's BYE got its 200
  fork_hangup_normal        the hang-up (BYE to B) ends the call normally

Kamailio (selftests/sip/kamailio.cfg, on loopback) forking in parallel
to two registrations of bob: bob1 rings (180, an early dialog), bob2
answers (200) after 1 s; Kamailio CANCELs bob1:

  kam_alice_established     alice's call is up ...
  kam_bob2_acked            ... with bob2's dialog: bob2 got the ACK (before,
                            it went to bob1's early dialog and bob2, never
                            ACKed, gave up after 64*T1)
  kam_bob1_cancelled        bob1 ends "cancelled", never established
  kam_hangup_reaches_bob2   alice's BYE ends bob2's call normally

Each part is skipped without sipp (Debian's sip-tester) or kamailio. KTAP
on stdout; exit 0 when all passed, 1 otherwise, 4 when all skipped.

Usage: fork_calls.py [AGENT_DIR]"""
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import auth_calls as ac  # noqa: E402  (Daemon, wait, report)
from hostlib import calls, ctl, udp_bound  # noqa: E402

# the scenario and the proxy's configuration of this test's tree (AGENT_DIR
# may be another build)
TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
SIPP_XML = os.path.join(TOP, "selftests", "agent", "sipp", "uas_fork.xml")
REG_XML = os.path.join(TOP, "selftests", "agent", "sipp", "reg_user.xml")
ANSWER_XML = os.path.join(TOP, "selftests", "agent", "sipp",
                          "uas_fork_answer.xml")
KAM_CFG = os.path.join(TOP, "selftests", "sip", "kamailio.cfg")
DOMAIN = "pinhole.test"
PASSWORD = "s3cret"


def rtp_sink():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.setblocking(False)
    return s


def drain(s):
    n = 0
    while True:
        try:
            s.recv(2048)
            n += 1
        except BlockingIOError:
            return n


def sipp_fork(tmp, sipp, check):
    mb, mc = rtp_sink(), rtp_sink()
    port = ac.free_port()
    sp = subprocess.Popen(
        [sipp, "-sf", SIPP_XML, "-i", "127.0.0.1", "-p", str(port),
         "-m", "1", "-nostdin", "-timeout", "60", "-trace_err",
         "-error_file", os.path.join(tmp, "sipp.err"), "-trace_msg",
         "-message_file", os.path.join(tmp, "sipp.msg"),
         "-mp", str(ac.free_port()),
         "-key", "mb", str(mb.getsockname()[1]),
         "-key", "mc", str(mc.getsockname()[1])],
        cwd=tmp, stdout=open(os.path.join(tmp, "sipp.out"), "w"),
        stderr=subprocess.STDOUT)
    time.sleep(0.5)
    a = ac.Daemon(tmp, "a")
    cid = ac.dial(a, "sip:service@127.0.0.1:%d" % port)
    ok = ac.wait(lambda: ac.state(a.sock) == "established")
    check("fork_call_established", ok, "a %s" % ac.state(a.sock))
    ok = ac.wait(lambda: "BYE of a refused fork answered 200" in a.text())
    check("fork_refused_bye_answered", ok, "no answered BYE in a's log")
    # RTP for a while: all of it to B, none to C
    drain(mb)
    drain(mc)
    ac.wait(lambda: False, 1.0)
    nb, nc = drain(mb), drain(mc)
    check("fork_media_to_confirmed", nb > 0, "%d packets to B" % nb)
    check("fork_no_media_to_refused", nc == 0, "%d packets to C" % nc)
    ac.hangup(a, cid)
    check("fork_hangup_normal", ac.wait(lambda: ac.end(a.sock) == "normal"),
          "a end %s" % ac.end(a.sock))
    try:
        rc = sp.wait(15)
    except subprocess.TimeoutExpired:
        sp.kill()
        rc = -1
    check("fork_sipp_checks_passed", rc == 0, "sipp exit %s" % rc)
    a.stop()


def registered(d):
    sip = ctl(ac.CTL, d.sock, "callstats").get("sip") or {}
    return sip.get("registered") is True


def call_field(d, key):
    c = calls(ac.CTL, d.sock)
    return c[0].get(key) if c else None


def answer_xml(tmp, pause_ms):
    """ANSWER_XML, without its <pause/> when the 200 is to go at once: a
    SIPp in a pause, even of 0 ms, takes a CANCEL read in the same turn
    as the INVITE for an unexpected message and aborts the call. Without
    the pause SIPp sends the 200 while it handles the INVITE, before it
    reads the next datagram."""
    if pause_ms:
        return ANSWER_XML
    path = os.path.join(tmp, "uas_fork_answer_now.xml")
    with open(ANSWER_XML) as src, open(path, "w") as dst:
        dst.write(src.read().replace("<pause/>", "", 1))
    return path


class Sipp:
    """a SIPp registered with the proxy as USER (reg_user.xml), then
    taking the calls to that contact on the same port"""

    def __init__(self, tmp, sipp, name, kport, user, pause_ms):
        self.tmp, self.name = tmp, name
        self.port = ac.free_port()
        common = ["-i", "127.0.0.1", "-p", str(self.port), "-m", "1",
                  "-nostdin", "-timeout", "20", "-s", user, "-trace_err",
                  "-error_file", os.path.join(tmp, name + ".err")]
        reg = subprocess.run(
            [sipp, "127.0.0.1:%d" % kport, "-sf", REG_XML, "-key", "domain",
             DOMAIN, "-au", user, "-ap", PASSWORD] + common,
            cwd=tmp, capture_output=True, text=True, timeout=30)
        self.registered = reg.returncode == 0
        self.p = subprocess.Popen(
            [sipp, "-sf", answer_xml(tmp, pause_ms), "-d", str(pause_ms),
             "-trace_msg",
             "-message_file", os.path.join(tmp, name + ".msg"),
             "-mp", str(ac.free_port())] + common, cwd=tmp,
            stdout=open(os.path.join(tmp, name + ".out"), "w"),
            stderr=subprocess.STDOUT)
        # a fork to a port nobody listens on yet would fail at once
        self.listening = ac.wait(lambda: udp_bound(self.port), 10)

    def rc(self):
        try:
            return self.p.wait(25)
        except subprocess.TimeoutExpired:
            self.p.kill()
            return -1


def kam_180_then_200(tmp, sipp, kport, check):
    """bob1 (pinholed) rings first, bob2 (SIPp) answers after 1 s"""
    bob1 = ac.Daemon(tmp, "bob1", "--user", "bob", "--register",
                     "--proxy", "sip:127.0.0.1:%d" % kport, "--domain",
                     DOMAIN, "--password", PASSWORD)
    bob2 = Sipp(tmp, sipp, "bob2", kport, "bob", 1000)
    alice = ac.Daemon(tmp, "alice", "--proxy", "sip:127.0.0.1:%d" % kport,
                      "--domain", DOMAIN)
    try:
        if not (ac.wait(lambda: registered(bob1), 15) and bob2.registered
                and bob2.listening):
            check("kam_registered", False, "bob1 %s bob2 %s" % (
                registered(bob1), bob2.registered))
            return
        cid = ac.dial(alice, "sip:bob@" + DOMAIN)
        ok = ac.wait(lambda: ac.state(alice.sock) == "established", 10)
        check("kam_alice_established", ok, "alice %s" %
              ac.state(alice.sock))
        check("kam_early_dialog_then_other_fork",
              re.search(r"dialog confirmed .*forks=2", alice.text()),
              "not in alice's log")
        ok = ac.wait(lambda: ac.end(bob1.sock) == "cancelled", 10)
        check("kam_bob1_cancelled", ok, "bob1 %s/%s" % (
            ac.state(bob1.sock), ac.end(bob1.sock)))
        ac.hangup(alice, cid)
        ok = ac.wait(lambda: ac.end(alice.sock) == "normal", 10)
        check("kam_hangup_normal", ok, "alice %s" % ac.end(alice.sock))
        rc = bob2.rc()
        check("kam_bob2_acked_and_byed", rc == 0, "sipp bob2 exit %s" % rc)
    finally:
        for d in (alice, bob1):
            d.stop()


def kam_two_200(tmp, sipp, kport, check):
    """carol registered twice (two SIPps), both answer 200 at once"""
    c1 = Sipp(tmp, sipp, "carol1", kport, "carol", 0)
    c2 = Sipp(tmp, sipp, "carol2", kport, "carol", 0)
    alice = ac.Daemon(tmp, "alice2", "--proxy", "sip:127.0.0.1:%d" % kport,
                      "--domain", DOMAIN)
    try:
        if not (c1.registered and c2.registered and c1.listening and
                c2.listening):
            check("kam_registered_twice", False, "carol1 %s carol2 %s" % (
                c1.registered, c2.registered))
            return
        cid = ac.dial(alice, "sip:carol@" + DOMAIN)
        ok = ac.wait(lambda: ac.state(alice.sock) == "established", 10)
        check("kam2_alice_established", ok, "alice %s" %
              ac.state(alice.sock))
        ok = ac.wait(lambda: "BYE of a refused fork answered 200" in
                     alice.text(), 10)
        check("kam2_second_2xx_acked_and_byed", ok and
              "2xx of another fork, ACK and BYE" in alice.text(),
              "not in alice's log")
        ac.hangup(alice, cid)
        ok = ac.wait(lambda: ac.end(alice.sock) == "normal", 10)
        check("kam2_hangup_normal", ok, "alice %s" % ac.end(alice.sock))
        rc1, rc2 = c1.rc(), c2.rc()
        check("kam2_both_forks_acked_and_byed", rc1 == 0 and rc2 == 0,
              "sipp exits %s %s" % (rc1, rc2))
    finally:
        alice.stop()


def kamailio_fork(tmp, kamailio, sipp, check):
    kport = ac.free_port()
    kdir = os.path.join(tmp, "kam")
    os.mkdir(kdir)
    klog = open(os.path.join(tmp, "kamailio.log"), "w")
    kp = subprocess.Popen(
        [kamailio, "-f", KAM_CFG, "-DD", "-E", "-A",
         "LISTEN=udp:127.0.0.1:%d" % kport, "-A",
         'PASSWORD="%s"' % PASSWORD, "-Y", kdir, "-P",
         os.path.join(kdir, "kamailio.pid")],
        stdout=klog, stderr=klog)
    try:
        if not ac.wait(lambda: udp_bound(kport), 15):
            check("kam_started", False, "kamailio did not start")
            return
        kam_180_then_200(tmp, sipp, kport, check)
        kam_two_200(tmp, sipp, kport, check)
    finally:
        kp.terminate()
        try:
            kp.wait(5)
        except subprocess.TimeoutExpired:
            kp.kill()
        klog.close()


def main():
    print("KTAP version 1")
    if not (os.access(ac.PINHOLED, os.X_OK) and os.access(ac.CTL, os.X_OK)):
        print("1..1\nok 1 fork_calls # SKIP build pinholed and "
              "pinholectl first")
        return 4
    tmp = tempfile.mkdtemp(prefix="fork_calls.")
    results = []

    def check(name, ok, why=""):
        results.append((name, bool(ok), why))

    sipp = shutil.which("sipp")
    if sipp:
        sipp_fork(tmp, sipp, check)
    else:
        results.append(("fork_sipp", True, "SKIP no sipp (sip-tester)"))
    kamailio = shutil.which("kamailio") or (
        "/usr/sbin/kamailio" if os.access("/usr/sbin/kamailio", os.X_OK)
        else None)
    if kamailio and sipp:
        kamailio_fork(tmp, kamailio, sipp, check)
    else:
        results.append(("fork_kamailio", True,
                        "SKIP needs kamailio and sipp"))

    return ac.report(results, tmp, "FORK_KEEP",
                     "pinholed, SIPp and kamailio logs")


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""offer_answer.py - offer/answer (RFC 3264) and Require (RFC 3261
8.2.2.3) with a third-party peer: SIPp scenarios
(selftests/agent/sipp/oa_*.xml) call pinholed (--auto-answer, --firewall
none) on loopback; each scenario checks pinholed's answer with regexps
(a failed one fails SIPp's run), and the test reads pinholed's RTP on the
port the scenario's SDP names:

  pcma          PCMA-only offer (with telephone-event, ptime 30): answered
                with PCMA, telephone-event and ptime 30, no PCMU; RTP
                arrives with payload type 8, 240 bytes of A-law a packet
  video         audio + video offered: answer mirrors both, video port 0
  sendonly      a sendonly offer: answered recvonly, no RTP sent
  savp          RTP/SAVP only: 488 with Warning 302, no call left
  require       Require: foo: 420 with Unsupported: foo, no call left
  late          INVITE without SDP: our offer (PCMU, PCMA,
                telephone-event) in the 200, the answer (PCMA) in the
                ACK: the call is established, RTP with payload type 8
  late_noanswer the ACK has no answer: pinholed ends the call with BYE
                (media-refused)
  dtmf          pinholed to pinholed: `pinholectl dtmf ID 12#*` on the
                caller, the callee reads the RFC 4733 events as "12#*"
                (and back); no telephone-event agreed: refused

KTAP on stdout; exit 0 when all passed, 1 otherwise, 4 when skipped
(no sipp: Debian's sip-tester).

Usage: offer_answer.py [AGENT_DIR]"""
import os
import socket
import subprocess
import sys

from hostlib import DaemonProc, agent_bins, calls, ctl, free_port, report, \
    sipp_tests, wait

AGENT, PINHOLED, CTL = agent_bins()
SIPP_DIR = os.path.join(os.path.dirname(AGENT), "selftests", "agent", "sipp")


class Daemon(DaemonProc):
    def __init__(self, tmp, name, extra=()):
        self.port = free_port()
        self.start(tmp, name, extra)

    def start(self, tmp, name, extra):
        """pinholed on self.port (a restart: the same port again)"""
        self.sock = os.path.join(tmp, name + ".sock")
        self.logname = os.path.join(tmp, name + ".log")
        self.log = open(self.logname, "w")
        self.p = subprocess.Popen(
            [PINHOLED, "--listen", "127.0.0.1:%d" % self.port, "--user",
             "alice", "--firewall", "none", "--control", self.sock,
             "--media-allow", "loopback", "--media-peer", "any",
             "--auto-answer", "--log-level", "debug",
             "--media-ports", "%d-%d" % (self.port + 2, self.port + 200)] +
            list(extra), stdout=self.log, stderr=self.log)
        wait(lambda: os.path.exists(self.sock), 10.0)


class Sipp:
    """One SIPp call of scenario @name to @d, RTP port bound by us."""

    def __init__(self, tmp, name, d):
        self.rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.rtp.bind(("127.0.0.1", 0))
        self.rtp.settimeout(5.0)
        rtp_port = self.rtp.getsockname()[1]
        self.name = name
        self.err = os.path.join(tmp, name + ".err")
        self.p = subprocess.Popen(
            ["sipp", "127.0.0.1:%d" % d.port, "-sf",
             os.path.join(SIPP_DIR, name + ".xml"), "-s", "alice",
             "-i", "127.0.0.1", "-p", str(free_port()), "-mp",
             str(free_port()), "-key", "rtp_port", str(rtp_port),
             "-m", "1", "-nostdin", "-timeout", "40", "-trace_err",
             "-error_file", self.err, "-trace_msg", "-message_file",
             os.path.join(tmp, name + ".msg")],
            cwd=tmp, stdout=open(os.path.join(tmp, name + ".out"), "w"),
            stderr=subprocess.STDOUT)

    def rtp_packet(self):
        """the first RTP packet pinholed sent us, or b''"""
        try:
            return self.rtp.recv(2048)
        except OSError:
            return b""

    def done(self):
        try:
            rc = self.p.wait(45)
        except subprocess.TimeoutExpired:
            self.p.kill()
            rc = -1
        self.rtp.close()
        return rc

    def why(self):
        try:
            with open(self.err) as f:
                return f.read().strip().replace("\n", " | ")[-300:]
        except OSError:
            return ""


def newest(path):
    """the call with the highest ID (closed ones linger a while)"""
    c = calls(CTL, path)
    return max(c, key=lambda x: int(x.get("id", 0))) if c else {}


def main():
    t = sipp_tests("offer_answer", PINHOLED, CTL)
    if not t:
        return 4
    tmp, results, check = t

    d = Daemon(tmp, "b")

    def established_call(name, pt, payload):
        s = Sipp(tmp, name, d)
        ok = wait(lambda: newest(d.sock).get("state") == "established",
                  10.0)
        check(name + "_established", ok, "state %s" %
              newest(d.sock).get("state"))
        if pt is None:
            # not to send: by the time a call is seen established its
            # first packet (due at once, then every 20 ms) would be out
            tx = newest(d.sock).get("media", {}).get("tx_packets")
            check(name + "_no_rtp_sent", tx == 0, "tx_packets %s" % tx)
        if pt is not None:
            pkt = s.rtp_packet()
            got = (pkt[1] & 0x7f, len(pkt) - 12) if len(pkt) >= 12 else None
            check(name + "_rtp_pt_%d" % pt, got == (pt, payload),
                  "RTP (pt, payload bytes) %s, want %s" % (got,
                                                           (pt, payload)))
        cid = str(newest(d.sock).get("id", ""))
        subprocess.run([CTL, "--control", d.sock, "hangup", cid],
                       capture_output=True, text=True, timeout=10)
        rc = s.done()
        check(name + "_sipp_checks_passed", rc == 0,
              "sipp exit %s: %s" % (rc, s.why()))

    def refused(name, code):
        before = len(calls(CTL, d.sock))
        s = Sipp(tmp, name, d)
        rc = s.done()
        check(name + "_%d_sipp_checks_passed" % code, rc == 0,
              "sipp exit %s: %s" % (rc, s.why()))
        check(name + "_no_call", len(calls(CTL, d.sock)) == before,
              "calls %d -> %d" % (before, len(calls(CTL, d.sock))))

    established_call("oa_pcma", 8, 240)
    check("oa_pcma_logged", "codec=pcma" in d.text() and "ptime=30" in
          d.text(), "no 'media pcma' line with ptime=30")
    established_call("oa_video", 0, 160)
    established_call("oa_sendonly", None, 0)
    refused("oa_savp", 488)
    refused("oa_require", 420)
    established_call("oa_late", 8, 160)

    s = Sipp(tmp, "oa_late_noanswer", d)
    rc = s.done()
    check("oa_late_noanswer_bye_sent", rc == 0, "sipp exit %s: %s" %
          (rc, s.why()))
    c = newest(d.sock)
    check("oa_late_noanswer_media_refused", c.get("end") == "media-refused",
          "end %s" % c.get("end"))

    # DTMF, pinholed to pinholed (both offer/answer telephone-event)
    a = Daemon(tmp, "a")
    out = subprocess.run([CTL, "--control", a.sock, "call",
                          "sip:alice@127.0.0.1:%d" % d.port],
                         capture_output=True, text=True, timeout=10)
    aid = out.stdout.strip()
    ok = wait(lambda: newest(a.sock).get("state") == "established" and
              newest(d.sock).get("state") == "established", 10.0)
    check("dtmf_call_established", ok, "a %s, b %s" % (
        newest(a.sock).get("state"), newest(d.sock).get("state")))
    bid = str(newest(d.sock).get("id", ""))
    r1 = ctl(CTL, a.sock, "dtmf", aid, "12#*")
    r2 = ctl(CTL, d.sock, "dtmf", bid, "9D")
    check("dtmf_accepted", r1.get("ok") and r2.get("ok"), "%s %s" % (r1, r2))
    ok = wait(lambda: newest(d.sock).get("media", {}).get("rx_digits") ==
              "12#*" and newest(a.sock).get("media", {}).get("rx_digits")
              == "9D", 10.0)
    check("dtmf_digits_received", ok, "b got %r, a got %r" % (
        newest(d.sock).get("media", {}).get("rx_digits"),
        newest(a.sock).get("media", {}).get("rx_digits")))
    check("dtmf_bad_digits_refused",
          not ctl(CTL, a.sock, "dtmf", aid, "12x").get("ok"), "accepted")
    subprocess.run([CTL, "--control", a.sock, "hangup", aid],
                   capture_output=True, text=True, timeout=10)
    a.stop()

    # no telephone-event in the offer: DTMF refused on that call
    s = Sipp(tmp, "oa_video", d)
    wait(lambda: newest(d.sock).get("state") == "established", 10.0)
    r = ctl(CTL, d.sock, "dtmf", str(newest(d.sock).get("id", "")), "1")
    check("dtmf_without_telephone_event_refused", not r.get("ok") and
          "telephone-event" in r.get("error", ""), "%s" % r)
    subprocess.run([CTL, "--control", d.sock, "hangup",
                    str(newest(d.sock).get("id", ""))],
                   capture_output=True, text=True, timeout=10)
    s.done()

    d.stop()
    return report(results, tmp, "OA_KEEP", "logs")


if __name__ == "__main__":
    sys.exit(main())

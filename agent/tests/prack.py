#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""prack.py - reliable provisional responses and PRACK (RFC 3262) with a
third-party peer: SIPp scenarios (selftests/agent/sipp/prack_*.xml) and
pinholed (--firewall none) on loopback; each scenario checks pinholed's
messages with regexps and fails on one too many or out of order:

  uas_require   SIPp's INVITE requires 100rel: pinholed's 180 is reliable
                (Require, RSeq), sent again until the PRACK, a PRACK
                matching nothing gets 481, the right one 200, and the 200
                of the INVITE (Supported: 100rel) waits for it
  uas_prefer    --100rel prefer, the INVITE only supports 100rel: the same
  uas_on_supported  --100rel on (default), the INVITE only supports
                100rel: the 180 is not reliable (the scenario fails)
  uas_cancel    SIPp's INVITE requires 100rel and is CANCELled while
                pinholed's 200 waits for the PRACK of its reliable 180:
                200 for the CANCEL, 487 for the INVITE (RFC 3261 9.2),
                the held 200 never sent, the call ends cancelled
  off_420       --100rel off: Require: 100rel gets 420 Unsupported: 100rel
  uac           pinholed calls SIPp (--password): Supported: 100rel on
                its INVITE, a reliable 180 PRACKed once (its retransmission
                not), the PRACK challenged 407 and sent again with
                credentials, a reliable 183 out of order not PRACKed, the
                next one PRACKed: the call is established and ended
  options       OPTIONS answered with Supported: timer, 100rel (off: timer
                only)
  uac_scenario_crossing  prack_uac.xml itself against a scripted callee
                that answers as pinholed does on a loaded host: its 180
                sent again crosses SIPp's first PRACK (SIPp sends that
                PRACK again), and each PRACK sent again is answered again
                (RFC 3261 17.2.2) - the scenario must pass, so that the VM
                test sipp_prack does not depend on the timing

KTAP on stdout; exit 0 when all passed, 1 otherwise, 4 when skipped
(no sipp: Debian's sip-tester).

Usage: prack.py [AGENT_DIR]"""
import os
import re
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import auth_calls as ac  # noqa: E402  (Daemon, dial, state, end, report)
from hostlib import sipp_tests  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
AGENT = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(HERE)
SIPP_DIR = os.path.join(os.path.dirname(AGENT), "selftests", "agent", "sipp")


def sipp(tmp, name, *args):
    """SIPp running scenario @name (one call); its Popen and error file"""
    err = os.path.join(tmp, name + ".err")
    p = subprocess.Popen(
        ["sipp", "-sf", os.path.join(SIPP_DIR, name + ".xml"),
         "-i", "127.0.0.1", "-m", "1", "-nostdin", "-timeout", "40",
         "-trace_err", "-error_file", err, "-trace_msg", "-message_file",
         os.path.join(tmp, name + ".msg"), "-mp", str(ac.free_port())] +
        list(args), cwd=tmp,
        stdout=open(os.path.join(tmp, name + ".out"), "w"),
        stderr=subprocess.STDOUT)
    return p, err


def sipp_done(p, err):
    """SIPp's exit code and the end of its error file"""
    try:
        rc = p.wait(45)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = -1
    try:
        with open(err) as f:
            why = f.read().strip().replace("\n", " | ")[-300:]
    except OSError:
        why = ""
    return rc, why


def uas_call(tmp, d, ext, label, check, expect_ok=True):
    """SIPp calls pinholed @d with "@ext: 100rel" (prack_uac.xml)"""
    before = len(ac.calls(ac.CTL, d.sock))
    p, err = sipp(tmp, "prack_uac", "127.0.0.1:%d" % d.port, "-s", "alice",
                  "-p", str(ac.free_port()), "-key", "ext", ext,
                  "-key", "rtp_port", str(ac.free_port()))
    rc, why = sipp_done(p, err)
    if not expect_ok:
        check(label + "_scenario_fails", rc != 0, "sipp exit %s" % rc)
        return
    check(label + "_sipp_checks_passed", rc == 0, "sipp exit %s: %s" %
          (rc, why))
    c = ac.calls(ac.CTL, d.sock)
    check(label + "_call_normal", len(c) == before + 1 and
          ac.wait(lambda: ac.end(d.sock) == "normal"), "calls %d -> %d, "
          "end %s" % (before, len(c), ac.end(d.sock)))


def uas_cancel(tmp, d, check):
    """SIPp cancels its INVITE while pinholed's 200 waits for the PRACK
    (prack_cancel.xml): 487, never the held 200"""
    before = len(ac.calls(ac.CTL, d.sock))
    p, err = sipp(tmp, "prack_cancel", "127.0.0.1:%d" % d.port, "-s",
                  "alice", "-p", str(ac.free_port()), "-key", "rtp_port",
                  str(ac.free_port()))
    rc, why = sipp_done(p, err)
    check("uas_cancel_sipp_checks_passed", rc == 0, "sipp exit %s: %s" %
          (rc, why))
    c = ac.calls(ac.CTL, d.sock)

    def ends():
        return [x.get("end") for x in ac.calls(ac.CTL, d.sock)]
    check("uas_cancel_call_cancelled", len(c) == before + 1 and
          ac.wait(lambda: "cancelled" in ends()), "calls %d -> %d, "
          "ends %s" % (before, len(c), ends()))
    check("uas_cancel_held_200_dropped",
          "487 instead of the 200 that waited for the PRACK" in d.text(),
          "no log line for the dropped 200")


def hdr(m, name):
    """@name's header line of SIP text @m ("" none)"""
    x = re.search(r"^%s:[^\r\n]*" % name, m, re.M | re.I)
    return x.group(0) if x else ""


def crossing_callee(tmp):
    """prack_uac.xml against a callee whose reliable 180 is sent again
    across SIPp's PRACK and who answers every PRACK it gets, a second
    copy too (a stray RAck 481, the right one 200); SIPp's exit code"""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.settimeout(10.0)
    port = s.getsockname()[1]
    p, err = sipp(tmp, "prack_uac", "127.0.0.1:%d" % port, "-s", "alice",
                  "-p", str(ac.free_port()), "-key", "ext", "Require",
                  "-key", "rtp_port", str(ac.free_port()))

    def reply(req, status, extra="", body=""):
        to = hdr(req, "To")
        to += "" if "tag=" in to else ";tag=cr1"
        return ("SIP/2.0 %s\r\n%s\r\n%s\r\n%s\r\n%s\r\n%s\r\n"
                "Contact: <sip:alice@127.0.0.1:%d>\r\n%sContent-Length: "
                "%d\r\n\r\n%s" % (status, hdr(req, "Via"), hdr(req, "From"),
                                    to, hdr(req, "Call-ID"), hdr(req, "CSeq"),
                                    port, extra, len(body), body)).encode()
    sdp = ("v=0\r\no=a 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1"
           "\r\nt=0 0\r\nm=audio %d RTP/AVP 0\r\n" % ac.free_port())
    ringing = inv = None
    seen = set()
    while True:
        try:
            m, src = s.recvfrom(65535)
        except OSError:
            break
        m = m.decode(errors="replace")
        line, cseq = m.split("\r\n", 1)[0], hdr(m, "CSeq")
        again = (line, cseq) in seen
        seen.add((line, cseq))
        if line.startswith("INVITE"):
            if not inv:
                inv = m
                ringing = reply(m, "180 Ringing",
                                "Require: 100rel\r\nRSeq: 1\r\n")
            s.sendto(ringing, src)
        elif line.startswith("PRACK") and " 2 PRACK" in cseq:
            if not again:
                s.sendto(ringing, src)      # not PRACKed yet: again
            s.sendto(reply(m, "481 Call/Transaction Does Not Exist"), src)
        elif line.startswith("PRACK"):
            s.sendto(reply(m, "200 OK"), src)
            if not again:
                s.sendto(reply(inv, "200 OK", "Supported: 100rel\r\n"
                               "Allow: INVITE, ACK, BYE, CANCEL, PRACK\r\n"
                               "Content-Type: application/sdp\r\n", sdp),
                         src)
        elif line.startswith("BYE"):
            s.sendto(reply(m, "200 OK"), src)
            break
    s.close()
    return sipp_done(p, err), len(seen)


def options_supported(d):
    """pinholed's answer to an OPTIONS, as text"""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.settimeout(5.0)
    port = s.getsockname()[1]
    msg = ("OPTIONS sip:127.0.0.1:%d SIP/2.0\r\n"
           "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-prack-opt\r\n"
           "From: <sip:t@127.0.0.1>;tag=1\r\nTo: <sip:127.0.0.1>\r\n"
           "Call-ID: prack-opt\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
           "Content-Length: 0\r\n\r\n" % (d.port, port))
    s.sendto(msg.encode(), ("127.0.0.1", d.port))
    try:
        return s.recv(4096).decode(errors="replace")
    except OSError:
        return ""
    finally:
        s.close()


def main():
    t = sipp_tests("prack", ac.PINHOLED, ac.CTL)
    if not t:
        return 4
    tmp, results, check = t

    # pinholed as UAS
    d = ac.Daemon(tmp, "uas", "--auto-answer", "--log-level", "debug")
    uas_call(tmp, d, "Require", "uas_require", check)
    log = d.text()
    check("uas_require_logged", "180 sent reliably" in log and
          "200 waits for the PRACK of our 180" in log and
          "PRACK of our 180" in log, "no reliable 180 / PRACK lines")
    check("uas_require_retransmitted",
          log.count("> 180 Ringing") >= 2,
          "the 180 was sent once")
    uas_cancel(tmp, d, check)
    uas_call(tmp, d, "Supported", "uas_on_supported", check, False)
    r = options_supported(d)
    check("options_supported_100rel", re.search(
        r"^Supported: timer, 100rel\r?$", r, re.M | re.I),
          "OPTIONS answer: %r" % r[:200])
    d.stop()

    d = ac.Daemon(tmp, "uas_prefer", "--auto-answer", "--100rel", "prefer")
    uas_call(tmp, d, "Supported", "uas_prefer", check)
    d.stop()

    d = ac.Daemon(tmp, "uas_off", "--auto-answer", "--100rel", "off")
    p, err = sipp(tmp, "prack_off", "127.0.0.1:%d" % d.port, "-s", "alice",
                  "-p", str(ac.free_port()), "-key", "rtp_port",
                  str(ac.free_port()))
    rc, why = sipp_done(p, err)
    check("off_420_sipp_checks_passed", rc == 0, "sipp exit %s: %s" %
          (rc, why))
    check("off_no_call", not ac.calls(ac.CTL, d.sock), "a call was made")
    r = options_supported(d)
    check("off_options_timer_only", r and re.search(
        r"^Supported: timer\r?$", r, re.M | re.I),
          "OPTIONS answer: %r" % r[:200])
    d.stop()

    (rc, why), n = crossing_callee(tmp)
    check("uac_scenario_crossing", rc == 0, "sipp exit %s (%d distinct "
          "requests): %s" % (rc, n, why))

    # pinholed as UAC
    port = ac.free_port()
    p, err = sipp(tmp, "prack_uas", "-p", str(port))
    time.sleep(0.5)
    a = ac.Daemon(tmp, "uac", "--password", "x")
    cid = ac.dial(a, "sip:service@127.0.0.1:%d" % port)
    ok = ac.wait(lambda: ac.state(a.sock) == "established", 10.0)
    check("uac_call_established", ok, "a %s" % ac.state(a.sock))
    log = a.text()
    check("uac_prack_challenged_and_retried",
          "PRACK challenged (407), sent again with credentials" in log,
          "no PRACK retry line")
    check("uac_prack_sent_twice", log.count("PRACK sent") == 2,
          "%d PRACKs sent" % log.count("PRACK sent"))
    ac.hangup(a, cid)
    check("uac_bye_answered", ac.wait(lambda: ac.end(a.sock) == "normal"),
          "a end %s" % ac.end(a.sock))
    rc, why = sipp_done(p, err)
    check("uac_sipp_checks_passed", rc == 0, "sipp exit %s: %s" % (rc, why))
    a.stop()

    return ac.report(results, tmp, "PRACK_KEEP", "pinholed and SIPp logs")


if __name__ == "__main__":
    sys.exit(main())

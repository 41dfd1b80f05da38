#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""midcall.py - mid-call changes (RFC 3261 14, RFC 3311, RFC 3264 8) with
a third-party peer: pinholed (--firewall none) on loopback and SIPp.

  uas   SIPp calls pinholed (selftests/agent/sipp/mc_reinvite.xml, whose
        regexps check every answer): re-INVITE sendonly answered
        recvonly and pinholed stops sending; a re-INVITE to another port
        answered sendrecv, the RTP arrives on the new port (the media
        re-bound, one rebind); UPDATE inactive / sendrecv; a re-INVITE
        without SDP gets our offer in the 200 and an UPDATE before its
        ACK 491; an old CSeq 500
  uac   pinholed calls SIPp (mc_hold_uas.xml): `pinholectl hold ID`
        sends a sendonly re-INVITE (a second hold while it is pending is
        refused), SIPp's 491 is retried after the RFC 3261 14.1 back-off
        for the Call-ID's owner (2100-4000 ms), 200 recvonly: "hold"
        local; `pinholectl resume ID`: sendrecv, "hold" none; every
        INVITE carries one Contact
  auth  pinholed (--password) calls SIPp (mc_hold_auth.xml): the hold
        re-INVITE challenged 407 is sent again with Proxy-Authorization
        and a new CSeq (on hold), the resume pre-authorized; a second
        hold challenged twice is given up: the call stays up, un-held,
        and the next hold goes at once (488: the session stays)
  glare pinholed calls SIPp (mc_glare_uas.xml): `pinholectl hold ID`
        and SIPp's own re-INVITE cross; SIPp's has no tiebreaker, so it
        gets 491 (ours is pending) and ours gets SIPp's 491; SIPp's sent
        again at once is taken (ours waits out its back-off: none in
        progress), then ours, sent again after the owner's back-off:
        on hold

KTAP on stdout; exit 0 when all passed, 1 otherwise, 4 when skipped
(no sipp: Debian's sip-tester).

Usage: midcall.py [AGENT_DIR]"""
import os
import re
import socket
import subprocess
import sys

from hostlib import ctl, free_port, report, sipp_tests, wait
from offer_answer import CTL, PINHOLED, SIPP_DIR, Daemon, newest


def sipp(tmp, name, args):
    return subprocess.Popen(
        ["sipp"] + args + ["-sf", os.path.join(SIPP_DIR, name + ".xml"),
                           "-i", "127.0.0.1", "-m", "1", "-nostdin",
                           "-timeout", "60", "-trace_err", "-error_file",
                           os.path.join(tmp, name + ".err"), "-trace_msg",
                           "-message_file", os.path.join(tmp, name + ".msg")],
        cwd=tmp, stdout=open(os.path.join(tmp, name + ".out"), "w"),
        stderr=subprocess.STDOUT)


def done(p, tmp, name):
    try:
        rc = p.wait(60)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = -1
    try:
        with open(os.path.join(tmp, name + ".err")) as f:
            why = f.read().strip().replace("\n", " | ")[-300:]
    except OSError:
        why = ""
    return rc, why


def invite_contacts(tmp, name):
    """the number of Contact headers in each INVITE SIPp received, from its
    -trace_msg file"""
    try:
        with open(os.path.join(tmp, name + ".msg"), errors="replace") as f:
            text = f.read()
    except OSError:
        return []
    counts = []
    for part in re.split(r"message received \[\d+\] bytes :\s*\n", text)[1:]:
        head = part.lstrip("\n").split("\n\n", 1)[0]
        if head.startswith("INVITE "):
            counts.append(len(re.findall(r"(?im)^(contact|m)\s*:", head)))
    return counts


def main():
    t = sipp_tests("midcall", PINHOLED, CTL)
    if not t:
        return 4
    tmp, results, check = t

    d = Daemon(tmp, "b")

    def call():
        return newest(d.sock)

    def call_sipp(scenario, prefix):
        """pinholed calls SIPp's @scenario: (the sipp process, call id)"""
        port = free_port()
        p = sipp(tmp, scenario, ["-p", str(port), "-mp", str(free_port()),
                                 "-s", "bob"])
        r = ctl(CTL, d.sock, "call", "sip:bob@127.0.0.1:%d" % port)
        ok = wait(lambda: call().get("state") == "established", 10.0)
        check(prefix + "_established", ok, "state %s" % call().get("state"))
        return p, str(r.get("id", ""))

    # --- uas: the peer changes the session
    rtp1 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rtp1.bind(("127.0.0.1", 0))
    rtp2 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rtp2.bind(("127.0.0.1", 0))
    rtp2.settimeout(10.0)
    p = sipp(tmp, "mc_reinvite",
             ["127.0.0.1:%d" % d.port, "-s", "alice", "-p",
              str(free_port()), "-mp", str(free_port()), "-key", "rtp_port",
              str(rtp1.getsockname()[1]), "-key", "rtp_port2",
              str(rtp2.getsockname()[1])])
    ok = wait(lambda: call().get("state") == "established", 10.0)
    check("uas_established", ok, "state %s" % call().get("state"))
    ok = wait(lambda: call().get("hold") == "remote" and
              call().get("sending") is False, 10.0)
    check("uas_held_by_peer_not_sending", ok, "hold %s sending %s" % (
        call().get("hold"), call().get("sending")))
    try:
        pkt = rtp2.recv(2048)
    except OSError:
        pkt = b""
    check("uas_moved_rtp_on_new_port", len(pkt) >= 12 and pkt[1] & 0x7f == 0,
          "no RTP on the new port")
    c = call()
    check("uas_moved_rebound_once", c.get("rebinds") == 1 and
          c.get("hold") == "none", "rebinds %s hold %s" % (
              c.get("rebinds"), c.get("hold")))
    ok = wait(lambda: "cseq-500" in d.text(), 15.0)
    check("uas_old_cseq_500", ok, "no cseq-500 verdict logged")
    c = call()
    check("uas_counted", c.get("reinvites_in") == 3 and
          c.get("updates_in") == 2, "reinvites_in %s updates_in %s" % (
              c.get("reinvites_in"), c.get("updates_in")))
    check("uas_still_established", c.get("state") == "established",
          "state %s" % c.get("state"))
    ctl(CTL, d.sock, "hangup", str(c.get("id", "")))
    rc, why = done(p, tmp, "mc_reinvite")
    check("uas_sipp_checks_passed", rc == 0, "sipp exit %s: %s" % (rc, why))
    rtp1.close()
    rtp2.close()

    # --- uac: our hold and resume, a 491 backed off
    p, cid = call_sipp("mc_hold_uas", "uac")
    r1 = ctl(CTL, d.sock, "hold", cid)
    r2 = ctl(CTL, d.sock, "hold", cid)
    check("uac_hold_sent", r1.get("ok"), "%s" % r1)
    check("uac_second_hold_refused_while_pending",
          not r2.get("ok") and "pending" in r2.get("error", ""), "%s" % r2)
    ok = wait(lambda: call().get("hold") == "local", 10.0)
    check("uac_on_hold", ok, "hold %s" % call().get("hold"))
    m = re.search(r"re-INVITE 491, again in (\d+) ms", d.text())
    check("uac_491_backoff_owner", m and 2100 <= int(m.group(1)) <= 4000,
          "back-off %s" % (m.group(1) if m else None))
    r = ctl(CTL, d.sock, "resume", cid)
    check("uac_resume_sent", r.get("ok"), "%s" % r)
    ok = wait(lambda: call().get("hold") == "none" and
              call().get("reinvites_out") == 3, 10.0)
    check("uac_resumed", ok, "hold %s reinvites_out %s" % (
        call().get("hold"), call().get("reinvites_out")))
    ctl(CTL, d.sock, "hangup", cid)
    rc, why = done(p, tmp, "mc_hold_uas")
    check("uac_sipp_checks_passed", rc == 0, "sipp exit %s: %s" % (rc, why))
    n = invite_contacts(tmp, "mc_hold_uas")
    check("uac_one_contact_per_invite", len(n) >= 4 and set(n) == {1},
          "Contact headers per INVITE: %s" % n)

    # --- glare: our re-INVITE crosses the peer's, which has no
    # tiebreaker (RFC 3261 14.1, 14.2)
    p, cid = call_sipp("mc_glare_uas", "glare")
    seen = len(d.text())
    r = ctl(CTL, d.sock, "hold", cid)
    check("glare_hold_sent", r.get("ok"), "%s" % r)
    ok = wait(lambda: re.search(r"INVITE in the dialog: 491 ",
                                d.text()[seen:]), 10.0)
    check("glare_peer_reinvite_491_while_ours_pending", ok,
          "no 491 verdict logged")
    ok = wait(lambda: call().get("hold") == "local", 15.0)
    check("glare_on_hold_after_backoff", ok, "hold %s" % call().get("hold"))
    m = re.findall(r"re-INVITE 491, again in (\d+) ms", d.text()[seen:])
    check("glare_backoff_owner", len(m) == 1 and 2100 <= int(m[0]) <= 4000,
          "back-offs %s" % m)
    c = call()
    n = len(re.findall(r"INVITE in the dialog: 491 ", d.text()[seen:]))
    check("glare_peer_retry_taken_in_our_backoff",
          c.get("reinvites_in") == 1 and n == 1,
          "reinvites_in %s, 491 verdicts %d" % (c.get("reinvites_in"), n))
    check("glare_ours_sent_twice", c.get("reinvites_out") == 2,
          "reinvites_out %s" % c.get("reinvites_out"))
    ctl(CTL, d.sock, "hangup", cid)
    rc, why = done(p, tmp, "mc_glare_uas")
    check("glare_sipp_checks_passed", rc == 0, "sipp exit %s: %s" % (rc, why))

    d.stop()

    # --- auth: our re-INVITE challenged (RFC 3261 22.2, 22.3)
    d = Daemon(tmp, "auth", ["--password", "secret"])
    p, cid = call_sipp("mc_hold_auth", "auth")
    r = ctl(CTL, d.sock, "hold", cid)
    ok = r.get("ok") and wait(lambda: call().get("hold") == "local", 10.0)
    check("auth_hold_answered_407_then_on_hold", ok, "%s hold %s" % (
        r, call().get("hold")))
    r = ctl(CTL, d.sock, "resume", cid)
    ok = r.get("ok") and wait(lambda: call().get("hold") == "none", 10.0)
    check("auth_resume_preauthorized", ok, "%s hold %s" % (
        r, call().get("hold")))
    r = ctl(CTL, d.sock, "hold", cid)
    ok = r.get("ok") and wait(
        lambda: "re-INVITE refused 407" in d.text(), 10.0)
    c = call()
    check("auth_second_challenge_given_up", ok and "credentials refused"
          in d.text(), "%s" % r)
    check("auth_call_up_unheld", c.get("state") == "established" and
          c.get("hold") == "none" and c.get("reinvites_out") == 3,
          "state %s hold %s reinvites_out %s" % (
              c.get("state"), c.get("hold"), c.get("reinvites_out")))
    r = ctl(CTL, d.sock, "hold", cid)
    ok = r.get("ok") and wait(
        lambda: "re-INVITE refused 488" in d.text(), 10.0)
    c = call()
    check("auth_next_hold_at_once", ok and c.get("hold") == "none" and
          c.get("state") == "established", "%s hold %s state %s" % (
              r, c.get("hold"), c.get("state")))
    ctl(CTL, d.sock, "hangup", cid)
    rc, why = done(p, tmp, "mc_hold_auth")
    check("auth_sipp_checks_passed", rc == 0, "sipp exit %s: %s" % (rc, why))

    d.stop()
    return report(results, tmp, "MC_KEEP", "logs")


if __name__ == "__main__":
    sys.exit(main())

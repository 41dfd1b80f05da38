#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""session_timer.py - SIP session timers (RFC 4028) with a third-party
peer: pinholed (--firewall none, --session-expires 4 --min-se 2: short
intervals so that the test takes seconds; below RFC 4028's 90 s floor,
for tests only) on loopback and SIPp scenarios
(selftests/agent/sipp/st_*.xml, whose regexps check each message):

  refresh_update   pinholed calls; the 200 says Session-Expires:
                   4;refresher=uac and Allows UPDATE: pinholed refreshes
                   twice with UPDATEs (no SDP, Session-Expires in each),
                   the call stays up, refreshes_sent >= 2
  refresh_reinvite the same without UPDATE allowed: re-INVITEs with our
                   SDP
  expiry_bye       SIPp calls with refresher=uac and never refreshes:
                   pinholed sends BYE at the expiry, the call is closed
  uas_422          SIPp asks Session-Expires: 1: 422 with Min-SE: 2, no
                   call
  uac_422          SIPp answers 422 with Min-SE: 6: our INVITE sent again
                   with Session-Expires: 6, the call's timer 6 s, the
                   peer refreshes
  peer_refresh     SIPp calls with refresher=uac and refreshes by UPDATE
                   every 2.5 s: each re-arms our timer, no BYE of ours
                   after the first expiry, SIPp's BYE ends the call

KTAP on stdout; exit 0 when all passed, 1 otherwise, 4 when skipped
(no sipp: Debian's sip-tester).

Usage: session_timer.py [AGENT_DIR]"""
import socket
import sys
import tempfile

from hostlib import ctl, free_port, run_tests, skip_reason, wait
from midcall import done, sipp
from offer_answer import CTL, PINHOLED, Daemon, newest

TMP = tempfile.mkdtemp(prefix="session_timer.")
D = []


def diag(msg):
    print("# " + msg.replace("\n", "\n# "))


def daemon():
    if not D:
        D.append(Daemon(TMP, "st", ["--session-expires", "4",
                                    "--min-se", "2"]))
    return D[0]


def call():
    return newest(daemon().sock)


def timer():
    return call().get("session_timer") or {}


def sipp_done(p, name):
    rc, why = done(p, TMP, name)
    if rc:
        diag("%s: sipp exit %s: %s" % (name, rc, why))
    return rc == 0


def we_call(name):
    """pinholed calls SIPp's @name: (sipp, call id) once established"""
    d = daemon()
    port = free_port()
    p = sipp(TMP, name, ["-p", str(port), "-mp", str(free_port()),
                         "-s", "bob"])
    r = ctl(CTL, d.sock, "call", "sip:bob@127.0.0.1:%d" % port)
    if not wait(lambda: call().get("state") == "established", 10.0):
        diag("%s: state %s" % (name, call().get("state")))
    return p, str(r.get("id", ""))


def sipp_calls(name):
    """SIPp's @name calls pinholed; its RTP port bound by us"""
    rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rtp.bind(("127.0.0.1", 0))
    p = sipp(TMP, name, ["127.0.0.1:%d" % daemon().port, "-s", "alice",
                         "-p", str(free_port()), "-mp", str(free_port()),
                         "-key", "rtp_port", str(rtp.getsockname()[1])])
    return p, rtp


def refreshes(name, n):
    p, cid = we_call(name)
    ok = wait(lambda: timer().get("refreshes_sent", 0) >= n, 15.0)
    t, c = timer(), call()
    diag("%s: %s state %s" % (name, t, c.get("state")))
    up = c.get("state") == "established"
    ctl(CTL, daemon().sock, "hangup", cid)
    return sipp_done(p, name) and ok and up and \
        t.get("refresher") == "us" and t.get("interval") == 4


def refresh_update():
    return refreshes("st_refresh_uas", 2) and \
        call().get("updates_in") == 0 and \
        call().get("reinvites_out") == 0


def refresh_reinvite():
    return refreshes("st_reinvite_uas", 2) and \
        call().get("reinvites_out") >= 2


def expiry_bye():
    p, rtp = sipp_calls("st_expire_uac")
    up = wait(lambda: call().get("state") == "established", 10.0)
    t = timer()
    closed = wait(lambda: call().get("state") == "closed", 15.0)
    ok = sipp_done(p, "st_expire_uac")
    rtp.close()
    expired = "session expired" in daemon().text()
    diag("expiry_bye: timer %s up %s closed %s expired %s" % (
        t, up, closed, expired))
    return ok and up and closed and expired and \
        t.get("refresher") == "peer" and t.get("interval") == 4


def uas_422():
    before = newest(daemon().sock).get("id")
    p, rtp = sipp_calls("st_422_uac")
    ok = sipp_done(p, "st_422_uac")
    rtp.close()
    return ok and newest(daemon().sock).get("id") == before


def uac_422():
    p, cid = we_call("st_422_uas")
    t = timer()
    up = call().get("state") == "established"
    ctl(CTL, daemon().sock, "hangup", cid)
    diag("uac_422: timer %s" % t)
    return sipp_done(p, "st_422_uas") and up and \
        t.get("interval") == 6 and t.get("refresher") == "peer" and \
        "again with Session-Expires 6" in daemon().text()


def peer_refresh():
    n = daemon().text().count("session expired")
    p, rtp = sipp_calls("st_refresh_uac")
    ok = sipp_done(p, "st_refresh_uac")
    rtp.close()
    t = timer()
    diag("peer_refresh: timer %s state %s" % (t, call().get("state")))
    return ok and daemon().text().count("session expired") == n and \
        t.get("refreshes_received", 0) >= 2


TESTS = [refresh_update, refresh_reinvite, expiry_bye, uas_422, uac_422,
         peer_refresh]


def main():
    print("KTAP version 1")
    print("1..%d" % len(TESTS))
    skip = skip_reason((PINHOLED, CTL), "sipp", "sip-tester")
    rc = run_tests(TESTS, TMP, lambda: None, diag, skip)
    if D:
        D[0].stop()
    return rc


if __name__ == "__main__":
    sys.exit(main())

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
  restart_refresher  pinholed (--state-dir) calls, is the refresher of a
                   10 s session, is killed at once and started again
                   6 s after the 2xx, its refresh due at 5 s: the
                   restarted daemon refreshes by UPDATE at once, before
                   the expiry (SIPp waits 10 s for it; a timer armed
                   anew at the restart would come at 11 s)
  restart_refresher_reinvite  the same toward a callee that does not
                   allow UPDATE: the restarted daemon has no SDP of the
                   peer's to offer again in a refresh re-INVITE, so the
                   refresh counts as failed and its BYE ends the call
                   before the expiry (SIPp waits 10 s for it)
  restart_watcher  SIPp calls as refresher of a 10 s session and never
                   refreshes; pinholed, killed at once and started again
                   4 s after the 2xx, still sends its BYE at 7 s, before
                   the expiry (SIPp waits 10 s for it)

KTAP on stdout; exit 0 when all passed, 1 otherwise, 4 when skipped
(no sipp: Debian's sip-tester).

Usage: session_timer.py [AGENT_DIR]"""
import os
import socket
import sys
import tempfile
import time

from hostlib import calls, ctl, free_port, run_tests, skip_reason, wait
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


class Restart:
    """A pinholed with --state-dir: its established call, SIGKILLed and
    started again on the same port, state and media ports"""

    def __init__(self, name):
        self.name = name
        self.dir = os.path.join(TMP, name + ".state")
        os.mkdir(self.dir)
        self.d = Daemon(TMP, name, self.opts())
        self.up = None      # when the call was seen established

    def opts(self):
        return ["--session-expires", "4", "--min-se", "2",
                "--state-dir", self.dir]

    def established(self):
        c = newest(self.d.sock)
        return c.get("state") == "established" and \
            (c.get("session_timer") or {}).get("interval") == 10

    def saved(self):
        try:
            with open(os.path.join(self.dir, "pinholed.state")) as f:
                return '"session_timer"' in f.read()
        except OSError:
            return False

    def kill_until(self, at):
        """SIGKILL once the timer is on disk; the same daemon again
        @at s after the call was seen established"""
        ok = wait(self.established, 10.0)
        self.up = time.monotonic()
        # the timer on disk (the old daemon's file; without the change
        # it never is, and the restarted daemon has nothing to arm)
        saved = wait(self.saved, 5.0)
        self.d.p.kill()
        self.d.p.wait()
        self.d.log.close()
        time.sleep(max(0.0, self.up + at - time.monotonic()))
        self.d.start(TMP, self.name + "2", self.opts())
        diag("%s: established %s, timer saved %s" % (self.name, ok, saved))
        return ok

    def stop(self):
        self.d.stop()


def restart_call(name, scenario):
    """pinholed (restarted 6 s after the 2xx) calls SIPp's @scenario"""
    r = Restart(name)
    port = free_port()
    p = sipp(TMP, scenario, ["-p", str(port), "-mp", str(free_port()),
                             "-s", "bob"])
    ctl(CTL, r.d.sock, "call", "sip:bob@127.0.0.1:%d" % port)
    return r, p, r.kill_until(6.0)


def restart_refresher():
    r, p, ok = restart_call("st_rr", "st_restart_uas")
    sent = wait(lambda: (newest(r.d.sock).get("session_timer") or {}).get(
        "refreshes_sent", 0) >= 1, 10.0)
    c = newest(r.d.sock)
    diag("restart_refresher: %s state %s" % (c.get("session_timer"),
                                             c.get("state")))
    up = c.get("state") == "established"
    ctl(CTL, r.d.sock, "hangup", str(c.get("id", "")))
    ok = sipp_done(p, "st_restart_uas") and ok and sent and up
    r.stop()
    return ok


def restart_refresher_reinvite():
    r, p, ok = restart_call("st_rn", "st_restart_noupd_uas")
    ok = sipp_done(p, "st_restart_noupd_uas") and ok
    closed = wait(lambda: newest(r.d.sock).get("state") == "closed", 5.0)
    refused = "session refresh refused" in r.d.text()
    diag("restart_refresher_reinvite: closed %s refused %s" % (closed,
                                                               refused))
    r.stop()
    return ok and closed and refused


def restart_watcher():
    r = Restart("st_rw")
    rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rtp.bind(("127.0.0.1", 0))
    p = sipp(TMP, "st_restart_uac", [
        "127.0.0.1:%d" % r.d.port, "-s", "alice", "-p", str(free_port()),
        "-mp", str(free_port()), "-key", "rtp_port",
        str(rtp.getsockname()[1])])
    ok = r.kill_until(4.0)
    ok = sipp_done(p, "st_restart_uac") and ok
    rtp.close()
    closed = wait(lambda: all(c.get("state") == "closed"
                              for c in calls(CTL, r.d.sock)), 5.0)
    expired = "session expired" in r.d.text()
    diag("restart_watcher: closed %s expired %s" % (closed, expired))
    r.stop()
    return ok and closed and expired


TESTS = [refresh_update, refresh_reinvite, expiry_bye, uas_422, uac_422,
         peer_refresh, restart_refresher, restart_refresher_reinvite,
         restart_watcher]


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

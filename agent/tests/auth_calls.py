#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""auth_calls.py - digest authentication of the requests pinholed sends
(RFC 3261 22.2, 22.3), end to end on loopback (--firewall none):

  401  B (--auth-inbound --inbound-password s3cret) challenges A's INVITE;
       A (--password s3cret) sends it again with Authorization: the call
       is established, A's log says so; A's BYE (in the dialog, which B
       does not challenge) is answered: both ends "normal"
  wrong password: A's second INVITE is refused with 401 again: the call
       ends after exactly one retry (no loop), B saw two INVITEs
  407  a SIPp callee (selftests/agent/sipp/uas_407.xml) answers the
       first INVITE 407 Proxy-Authenticate, checks Proxy-Authorization and
       CSeq 2 in the second and in its ACK: the call is established and
       ended; skipped without sipp (Debian's sip-tester)

KTAP on stdout; exit 0 when all passed, 1 otherwise, 4 when skipped.

Usage: auth_calls.py [AGENT_DIR]"""
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

from hostlib import DaemonProc, agent_bins, calls, free_port, report, wait

AGENT, PINHOLED, CTL = agent_bins()
SIPP_XML = os.environ.get("AUTH_SIPP_XML") or os.path.join(
    os.path.dirname(AGENT), "selftests", "agent", "sipp", "uas_407.xml")


class Daemon(DaemonProc):
    def __init__(self, tmp, name, *opts):
        self.port = free_port()
        self.sock = os.path.join(tmp, name + ".sock")
        self.logname = os.path.join(tmp, name + ".log")
        self.log = open(self.logname, "w")
        self.p = subprocess.Popen(
            [PINHOLED, "--listen", "127.0.0.1:%d" % self.port, "--user",
             "alice", "--firewall", "none", "--control", self.sock,
             "--media-allow", "loopback", "--media-peer", "any",
             "--media-ports",
             "%d-%d" % (self.port + 2, self.port + 200)] + list(opts),
            stdout=self.log, stderr=self.log)
        wait(lambda: os.path.exists(self.sock))


def state(path, i=0):
    c = calls(CTL, path)
    return c[i].get("state") if len(c) > i else None


def end(path, i=0):
    c = calls(CTL, path)
    return c[i].get("end") if len(c) > i else None


def dial(a, uri):
    out = subprocess.run([CTL, "--control", a.sock, "call", uri],
                         capture_output=True, text=True, timeout=10)
    return out.stdout.strip()


def hangup(a, cid):
    subprocess.run([CTL, "--control", a.sock, "hangup", cid],
                   capture_output=True, text=True, timeout=10)


def main():
    print("KTAP version 1")
    if not (os.access(PINHOLED, os.X_OK) and os.access(CTL, os.X_OK)):
        print("1..1\nok 1 auth_calls # SKIP build pinholed and "
              "pinholectl first")
        return 4
    tmp = tempfile.mkdtemp(prefix="auth_calls.")
    results = []

    def check(name, ok, why=""):
        results.append((name, bool(ok), why))

    # 401: the right password
    b = Daemon(tmp, "b", "--auto-answer", "--auth-inbound",
               "--inbound-password", "s3cret")
    a = Daemon(tmp, "a", "--password", "s3cret")
    uri = "sip:alice@127.0.0.1:%d" % b.port
    cid = dial(a, uri)
    ok = wait(lambda: state(a.sock) == "established" and
              state(b.sock) == "established")
    log = a.text()
    check("401_call_established", ok, "a %s, b %s" % (state(a.sock),
                                                       state(b.sock)))
    check("401_retried_with_credentials",
          "INVITE challenged (401), sent again with credentials" in log and
          "cseq=2" in log, "a's log has no retry line")
    hangup(a, cid)
    ok = wait(lambda: end(a.sock) == "normal" and end(b.sock) == "normal")
    check("401_bye_answered", ok, "a end %s, b end %s" % (end(a.sock),
                                                          end(b.sock)))
    check("401_bye_not_challenged", "BYE challenged" not in a.text(),
          "the BYE was challenged")
    a.stop()

    # 401: a wrong password, one retry and no more
    a = Daemon(tmp, "a_wrong", "--password", "wrong")
    dial(a, uri)
    ok = wait(lambda: state(a.sock) == "closed")
    time.sleep(1.0)         # a loop would show by now
    log = a.text()
    retries = log.count("sent again with credentials")
    refused = log.count("credentials refused")
    failures = b.text().count("authentication failed")
    check("wrong_password_call_fails", ok and end(a.sock) != "normal",
          "a state %s end %s" % (state(a.sock), end(a.sock)))
    check("wrong_password_one_retry", retries == 1 and refused == 1 and
          failures == 1, "retries %d, refused %d, b failures %d" % (
              retries, refused, failures))
    check("wrong_password_no_call_at_b", len(calls(CTL, b.sock)) == 1,
          "b has %d calls" % len(calls(CTL, b.sock)))
    a.stop()
    b.stop()

    # 407 from a SIPp callee
    sipp = shutil.which("sipp")
    if not sipp:
        results.append(("407_sipp_call", True, "SKIP no sipp"))
    else:
        port = free_port()
        err = os.path.join(tmp, "sipp.err")
        sp = subprocess.Popen(
            [sipp, "-sf", SIPP_XML, "-i", "127.0.0.1", "-p", str(port),
             "-m", "1", "-nostdin", "-timeout", "30", "-trace_err",
             "-error_file", err, "-trace_msg", "-message_file",
             os.path.join(tmp, "sipp.msg"), "-mp", str(free_port())],
            cwd=tmp, stdout=open(os.path.join(tmp, "sipp.out"), "w"),
            stderr=subprocess.STDOUT)
        time.sleep(0.5)
        a = Daemon(tmp, "a_407", "--password", "x")
        cid = dial(a, "sip:service@127.0.0.1:%d" % port)
        ok = wait(lambda: state(a.sock) == "established")
        check("407_call_established", ok, "a %s" % state(a.sock))
        check("407_retried_with_credentials",
              "INVITE challenged (407), sent again with credentials" in
              a.text(), "a's log has no retry line")
        hangup(a, cid)
        check("407_bye_answered",
              wait(lambda: end(a.sock) == "normal"), "a end %s" %
              end(a.sock))
        try:
            rc = sp.wait(15)
        except subprocess.TimeoutExpired:
            sp.kill()
            rc = -1
        check("407_sipp_checks_passed", rc == 0, "sipp exit %s" % rc)
        a.stop()

    return report(results, tmp, "AUTH_KEEP", "pinholed logs")


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""calldrive.py - drive pinholed over its control socket for the call
benchmarks of scripts/bench.sh (no polling: it waits on pinholed's event
stream, 'pinholectl events', so it costs the measured daemons nothing
between events).

  calldrive.py setup --a SOCK --a-uri URI --a-log LOG --b SOCK --b-uri URI
                     --b-log LOG --glare|--normal --trials N [--out TSV]
      N trials of one call set-up: --normal A dials B; --glare A and B
      dial each other at the same instant (both control connections are
      open before either request is written). Each trial waits until both
      sides have an established call, hangs up (A: hangup all), waits until
      every call of the trial is closed on both sides, then --gap seconds.
      Then it reads the daemons' logs (agent/lib/plog.h) and prints one TSV row
      per trial (see ROW below).

  calldrive.py dial --a SOCK --a-uri URI --count N [--window W]
      places N calls from A, at most W not yet established at a time, and
      returns once A has N established calls; prints "dialed=N ms=T".

The time origin t0 of a trial is the moment the first control request
("call URI\\n", what 'pinholectl call' writes) is written, taken with
time.time() in the same clock as pinholed's log stamps (CLOCK_REALTIME).
"""

import argparse
import json
import re
import select
import socket
import sys
import time

# one trial: trial ok t0 setup_ms a_est_ms b_est_ms a_calls b_calls
# a_established b_established a_opens a_pins a_closes b_opens b_pins b_closes
ROW = ("trial", "ok", "t0", "setup_ms", "a_est_ms", "b_est_ms", "a_calls",
       "b_calls", "a_established", "b_established", "a_opens", "a_pins",
       "a_closes", "b_opens", "b_pins", "b_closes")


def connect(path, timeout=60.0):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(path)
    return s


def readline(s):
    buf = b""
    while not buf.endswith(b"\n"):
        k = s.recv(65536)
        if not k:
            break
        buf += k
    return buf.decode()


def request(path, line):
    s = connect(path)
    try:
        s.sendall((line + "\n").encode())
        return json.loads(readline(s))
    finally:
        s.close()


class Events:
    """one subscription to a pinholed's call events (JSON lines)"""

    def __init__(self, side, path):
        self.side = side
        self.s = connect(path)
        self.s.sendall(b"events\n")
        self.buf = b""
        ack = self._line(60.0)
        if not ack or '"ok":true' not in ack:
            sys.exit("calldrive: events subscription refused: %r" % ack)
        self.s.setblocking(False)

    def _line(self, timeout):
        end = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = end - time.monotonic()
            if left <= 0:
                return None
            self.s.settimeout(left)
            k = self.s.recv(65536)
            if not k:
                sys.exit("calldrive: %s closed its event stream" % self.side)
            self.buf += k
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode()

    def fileno(self):
        return self.s.fileno()

    def drain(self):
        """the complete event lines received so far"""
        try:
            while True:
                k = self.s.recv(65536)
                if not k:
                    sys.exit("calldrive: %s closed its event stream" % self.side)
                self.buf += k
        except BlockingIOError:
            pass
        out = []
        while b"\n" in self.buf:
            line, self.buf = self.buf.split(b"\n", 1)
            if line.strip():
                out.append(json.loads(line))
        return out


def wait_events(evs, cond, timeout, seen):
    """feed events into seen[side][id] = state until cond() or timeout"""
    end = time.monotonic() + timeout
    while not cond():
        left = end - time.monotonic()
        if left <= 0:
            return False
        r, _, _ = select.select(evs, [], [], left)
        for e in r:
            for ev in e.drain():
                if "id" in ev and "state" in ev:
                    seen[e.side][ev["id"]] = ev["state"]
    return True


LOG_STATE = re.compile(r"^(\d+\.\d+) \S+ \. call (\d+) (\S+) -> (\S+) ")
LOG_CLOSED = re.compile(r"^(\d+\.\d+) \S+ \. call (\d+) closed \|.* fw_opens=(\d+) "
                        r"fw_pins=(\d+) fw_closes=(\d+)")


def read_log(path):
    """{id: first established stamp}, {id: (opens, pins, closes)}"""
    est, fw = {}, {}
    with open(path, errors="replace") as f:
        for line in f:
            m = LOG_STATE.match(line)
            if m and m.group(4) == "established":
                est.setdefault(int(m.group(2)), float(m.group(1)))
                continue
            m = LOG_CLOSED.match(line)
            if m:
                fw[int(m.group(2))] = tuple(int(x) for x in m.group(3, 4, 5))
    return est, fw


def cmd_setup(a):
    socks = {"a": a.a, "b": a.b}
    evs = [Events("a", a.a), Events("b", a.b)]
    seen = {"a": {}, "b": {}}
    done = {"a": set(), "b": set()}	# ids of earlier trials
    trials = []
    for t in range(a.trials):
        # events of earlier calls still in flight (retransmissions
        # absorbed, lingering) are not this trial's
        wait_events(evs, lambda: False, 0, seen)
        for side in "ab":
            done[side] |= set(seen[side])
        cur = {"a": {}, "b": {}}

        def mine(side):
            return {i: s for i, s in seen[side].items() if i not in done[side]}

        conns = [connect(a.a)]
        if a.glare:
            conns.append(connect(a.b))
        t0 = time.time()
        conns[0].sendall(("call %s\n" % a.a_uri).encode())
        if a.glare:
            conns[1].sendall(("call %s\n" % a.b_uri).encode())
        ok = True
        for c in conns:
            r = readline(c)
            c.close()
            if '"ok":true' not in r:
                print("calldrive: trial %d: call refused: %s" % (t, r.strip()),
                      file=sys.stderr)
                ok = False

        # a side's call may pass through established and on before we
        # look: the logs decide; the events only pace the trials
        est_seen = {"a": set(), "b": set()}

        def up_or_seen():
            cur["a"], cur["b"] = mine("a"), mine("b")
            for s in "ab":
                est_seen[s] |= {i for i, st in cur[s].items() if st == "established"}
            return all(est_seen[s] for s in "ab")

        if ok and not wait_events(evs, up_or_seen, a.timeout, seen):
            print("calldrive: trial %d: no session within %.0f s (a: %s, b: %s)"
                  % (t, a.timeout, cur["a"], cur["b"]), file=sys.stderr)
            ok = False
        request(a.a, "hangup all")

        def all_closed():
            cur["a"], cur["b"] = mine("a"), mine("b")
            return all(st == "closed" for s in "ab" for st in cur[s].values())

        if not wait_events(evs, all_closed, a.close_timeout, seen):
            request(a.b, "hangup all")
            if not wait_events(evs, all_closed, a.close_timeout, seen):
                print("calldrive: trial %d: calls not closed: a %s, b %s"
                      % (t, cur["a"], cur["b"]), file=sys.stderr)
                ok = False
        trials.append((t, ok, t0, dict(mine("a")), dict(mine("b"))))
        time.sleep(a.gap)
    # the logs are complete once every call is closed
    time.sleep(0.2)
    logs = {"a": read_log(a.a_log), "b": read_log(a.b_log)}
    out = open(a.out, "w") if a.out else sys.stdout
    print("\t".join(ROW), file=out)
    for t, ok, t0, ca, cb in trials:
        row = {"trial": t, "ok": int(ok), "t0": "%.6f" % t0}
        ests = {}
        for side, calls in (("a", ca), ("b", cb)):
            est, fw = logs[side]
            stamps = [est[i] for i in calls if i in est]
            ests[side] = min(stamps) if stamps else None
            row[side + "_calls"] = len(calls)
            row[side + "_established"] = len(stamps)
            row[side + "_est_ms"] = ("%.1f" % ((ests[side] - t0) * 1000)
                                     if stamps else "NaN")
            tot = [0, 0, 0]
            for i in calls:
                for k, v in enumerate(fw.get(i, (0, 0, 0))):
                    tot[k] += v
                if i not in fw:
                    row["ok"] = 0	# no "closed" line: counts unknown
            row[side + "_opens"], row[side + "_pins"], row[side + "_closes"] = tot
        if ests["a"] is None or ests["b"] is None:
            row["ok"] = 0
            row["setup_ms"] = "NaN"
        else:
            row["setup_ms"] = "%.1f" % ((max(ests["a"], ests["b"]) - t0) * 1000)
        print("\t".join(str(row[k]) for k in ROW), file=out)
    if a.out:
        out.close()


def cmd_dial(a):
    evs = [Events("a", a.a)]
    seen = {"a": {}}
    est = set()

    def n_up():
        for i, st in seen["a"].items():
            if st == "established":
                est.add(i)
        return len(est)

    t0 = time.monotonic()
    for k in range(a.count):
        if k - n_up() >= a.window:
            if not wait_events(evs, lambda: k - n_up() < a.window, a.timeout, seen):
                sys.exit("calldrive: dial: stuck at %d of %d established"
                         % (n_up(), a.count))
        r = request(a.a, "call %s" % a.a_uri)
        if not r.get("ok"):
            sys.exit("calldrive: dial %d refused: %s" % (k, r))
        wait_events(evs, lambda: False, 0, seen)
    if not wait_events(evs, lambda: n_up() >= a.count, a.timeout, seen):
        sys.exit("calldrive: dial: %d of %d established" % (n_up(), a.count))
    print("dialed=%d ms=%.0f" % (a.count, (time.monotonic() - t0) * 1000))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("setup")
    s.add_argument("--a", required=True)
    s.add_argument("--a-uri", required=True)
    s.add_argument("--a-log", required=True)
    s.add_argument("--b", required=True)
    s.add_argument("--b-uri", required=True)
    s.add_argument("--b-log", required=True)
    g = s.add_mutually_exclusive_group(required=True)
    g.add_argument("--glare", action="store_true")
    g.add_argument("--normal", dest="glare", action="store_false")
    s.add_argument("--trials", type=int, default=50)
    s.add_argument("--timeout", type=float, default=60.0)
    s.add_argument("--close-timeout", type=float, default=20.0)
    s.add_argument("--gap", type=float, default=0.2)
    s.add_argument("--out")
    d = sub.add_parser("dial")
    d.add_argument("--a", required=True)
    d.add_argument("--a-uri", required=True)
    d.add_argument("--count", type=int, required=True)
    d.add_argument("--window", type=int, default=50)
    d.add_argument("--timeout", type=float, default=120.0)
    a = p.parse_args()
    if a.cmd == "setup":
        cmd_setup(a)
    else:
        cmd_dial(a)


if __name__ == "__main__":
    main()

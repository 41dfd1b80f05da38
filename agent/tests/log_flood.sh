#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# log_flood.sh - what a hostile peer can make pinholed write in its log, at
# the default level (agent/lib/plog.h): 2000 OPTIONS cost no line each,
# garbage datagrams a rate-limited warning, libosip2's traces nothing; a
# Call-ID full of control bytes and invalid UTF-8 stays escaped on its own
# line, and "pinholectl --json calls" stays valid JSON with such a From. One pinholed on the
# host's loopback with --firewall none. KTAP output; exit 0 when all
# passed, 1 otherwise (4 when skipped).
#
# Usage: log_flood.sh [-v]   (-v: print the daemon's log when a test fails)

set -u

HERE=$(cd "$(dirname "$0")" && pwd)
AGENT=$(dirname "$HERE")
PINHOLED=$AGENT/pinholed/pinholed
CTL=$AGENT/pinholectl/pinholectl
VERBOSE=0
[ "${1:-}" = "-v" ] && VERBOSE=1
PORT=$((29000 + ($$ % 100) * 10))
MEDIA=$((26000 + ($$ % 10) * 100))
OPTIONS=2000
TMP=$(mktemp -d /tmp/log_flood.XXXXXX)
PID=
N=0
FAILED=0
TESTS="options_flood_costs_no_lines garbage_warnings_rate_limited no_osip_traces every_line_in_format hostile_callid_escaped calls_json_valid"

echo "KTAP version 1"
echo "1..$(echo $TESTS | wc -w)"
if [ ! -x "$PINHOLED" ] || [ ! -x "$CTL" ] || ! command -v python3 >/dev/null; then
	for t in $TESTS; do N=$((N + 1)); echo "ok $N $t # SKIP needs pinholed, pinholectl, python3"; done
	exit 4
fi

cleanup()
{
	[ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	if [ "$FAILED" = 0 ]; then
		rm -rf "$TMP"
	else
		echo "# logs kept in $TMP"
	fi
}
trap cleanup EXIT

diag() { echo "# $*"; }

result() # NAME STATUS
{
	N=$((N + 1))
	if [ "$2" = 0 ]; then
		echo "ok $N $1"
	else
		FAILED=1
		echo "not ok $N $1"
	fi
}

# the default log level: no --log-level
# calls from 127.0.0.1: loopback media allowed
"$PINHOLED" --listen "127.0.0.1:$PORT" --user bob --firewall none \
	--media-allow loopback \
	--control "$TMP/bob.sock" --media-ports "$MEDIA-$((MEDIA + 99))" \
	>"$TMP/bob.out" 2>"$TMP/bob.log" &
PID=$!
for _ in $(seq 50); do [ -S "$TMP/bob.sock" ] && break; sleep 0.1; done
[ -S "$TMP/bob.sock" ] || { diag "pinholed did not start"; cat "$TMP/bob.log"; exit 1; }
before=$(wc -l <"$TMP/bob.log")

# the peer: OPTIONS (each answered before the next), garbage, one INVITE
# with a hostile From; prints "answered N"
python3 - "$PORT" "$OPTIONS" >"$TMP/peer" <<'PY'
import os, random, socket, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
dst = ("127.0.0.1", port)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
me = s.getsockname()[1]
s.settimeout(2)
answered = 0
for i in range(n):
    s.sendto(("OPTIONS sip:bob@127.0.0.1:%d SIP/2.0\r\n"
              "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKopt%d;rport\r\n"
              "Max-Forwards: 70\r\nFrom: <sip:ping@127.0.0.1>;tag=p%d\r\n"
              "To: <sip:bob@127.0.0.1>\r\nCall-ID: ping-%d@test\r\n"
              "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
              % (port, me, i, i, i)).encode(), dst)
    try:
        if s.recv(65535).startswith(b"SIP/2.0 200 "):
            answered += 1
    except socket.timeout:
        pass
rnd = random.Random(13)
for i in range(300):
    s.sendto(os.urandom(rnd.randint(1, 600)), dst)
    if i % 50 == 49:
        time.sleep(0.05)	# within the daemon's socket buffer
time.sleep(0.2)
# a Call-ID and a From carrying ESC, DEL, a backslash, bytes that are not
# UTF-8, TAB, VT, FF and a forged log line after them
evil = (b"\x1b[2J\x7f\\\xff\xfe\xc0\x80\x01\t\x0b\x0c"
        b"1767225600.000 bob . call 99 forged")
sdp = (b"v=0\r\no=x 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
       b"t=0 0\r\nm=audio 40000 RTP/AVP 0\r\n")
invite = (b"INVITE sip:bob@127.0.0.1:%d SIP/2.0\r\n"
          b"Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKevil;rport\r\n"
          b"Max-Forwards: 70\r\nFrom: <sip:ev" % (port, me) + evil +
          b"il@127.0.0.1>;tag=e1\r\nTo: <sip:bob@127.0.0.1>\r\n"
          b"Call-ID: evil" + evil + b"\r\nCSeq: 1 INVITE\r\n"
          b"Contact: <sip:e@127.0.0.1:%d>\r\n"
          b"Content-Type: application/sdp\r\nContent-Length: %d\r\n\r\n"
          % (me, len(sdp)) + sdp)
for _ in range(3):	# until it rings
    s.sendto(invite, dst)
    try:
        if s.recv(65535).startswith(b"SIP/2.0 1"):
            break
    except socket.timeout:
        pass
time.sleep(0.5)
print("answered %d" % answered)
PY
sleep 0.5
"$CTL" --control "$TMP/bob.sock" --json calls >"$TMP/calls.json" 2>"$TMP/calls.err"
echo "ctl_rc $?" >>"$TMP/peer"

# ---------------------------------------------------------------- verdicts
r=0
answered=$(sed -n 's/^answered //p' "$TMP/peer")
[ "${answered:-0}" -ge $((OPTIONS * 9 / 10)) ] ||
	{ diag "only ${answered:-0} of $OPTIONS OPTIONS answered"; r=1; }
lines=$(($(wc -l <"$TMP/bob.log") - before))
# the INVITEs and their calls, at most 10 warnings per kind: well below 100
[ "$lines" -lt 100 ] || { diag "$OPTIONS OPTIONS made $lines log lines"; r=1; }
opt=$(grep -c ' [<>] .*cseq=1/OPTIONS' "$TMP/bob.log")
[ "$opt" = 0 ] || { diag "$opt OPTIONS lines at the default level"; r=1; }
result options_flood_costs_no_lines $r

# garbage is refused (400) or dropped by kind of damage: each kind's
# warning at most 10 times (the limiter), and some warning at all
r=0
total=0
for kind in 'unparsable datagram' 'no response can be routed' \
	    'bad request from'; do
	w=$(grep -c " bob W $kind" "$TMP/bob.log")
	total=$((total + w))
	[ "$w" -le 10 ] ||
		{ diag "$w '$kind' warnings for 300 datagrams, want <= 10"; r=1; }
done
[ "$total" -ge 1 ] || { diag "no warning for 300 garbage datagrams"; r=1; }
result garbage_warnings_rate_limited $r

r=0
if grep -q '| ERROR |' "$TMP/bob.log" "$TMP/bob.out"; then
	diag "libosip2's traces: $(grep -c '| ERROR |' "$TMP/bob.log" "$TMP/bob.out" | tr '\n' ' ')"
	r=1
fi
result no_osip_traces $r

# every line: "TIME bob TAG ...", valid UTF-8, no control byte
r=0
python3 - "$TMP/bob.log" <<'PY' || r=1
import re, sys
data = open(sys.argv[1], "rb").read()
try:
    text = data.decode("utf-8")
except UnicodeDecodeError as e:
    print("# not UTF-8: %s" % e)
    sys.exit(1)
bad = 0
for l in text.split("\n")[:-1]:
    if not re.match(r"^[0-9]+\.[0-9]{3} bob [<>.WED] ", l) or \
       re.search(r"[\x00-\x1f\x7f]", l):
        print("# off format: %r" % l[:200])
        bad += 1
sys.exit(1 if bad else 0)
PY
result every_line_in_format $r

r=0
python3 - "$TMP/bob.log" <<'PY' || r=1
import sys
log = open(sys.argv[1], "rb").read().decode("utf-8", "replace")
want = ("call=evil\\x1b[2J\\x7f\\\\\\xff\\xfe\\xc0\\x80\\x01\\x09\\x0b\\x0c"
        "1767225600.000 bob . call 99 forged ")
lines = [l for l in log.split("\n") if " bob < INVITE " in l]
if not any(want in l for l in lines):
    print("# no INVITE line with the Call-ID escaped: %r" % lines)
    sys.exit(1)
if any(l.startswith("1767225600.000 ") for l in log.split("\n")):
    print("# a forged line made it into the log")
    sys.exit(1)
PY
result hostile_callid_escaped $r

r=0
python3 - "$TMP/calls.json" <<'PY' || r=1
import json, sys
raw = open(sys.argv[1], "rb").read()
try:
    j = json.loads(raw.decode("utf-8"))
except (UnicodeDecodeError, ValueError) as e:
    print("# calls --json: %s: %r" % (e, raw[:200]))
    sys.exit(1)
peers = [c.get("peer", "") for c in j.get("calls", [])]
if not any(p.startswith("sip:ev") and p.endswith("il@127.0.0.1")
           for p in peers):
    print("# no call from the hostile peer: %r" % peers)
    sys.exit(1)
PY
result calls_json_valid $r

if [ "$FAILED" != 0 ] && [ "$VERBOSE" = 1 ]; then
	sed 's/^/# bob: /' "$TMP/bob.log" | head -200
fi
[ "$FAILED" = 0 ] && echo "# all passed" || echo "# FAILED"
exit "$FAILED"

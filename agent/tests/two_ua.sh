#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# two_ua.sh - two pinholed calling each other over UDP on the host's
# loopback with --firewall none: a normal call with media both ways, a 486
# rejection, glare in each --glare mode, and the UA's answers to OPTIONS,
# unknown methods and malformed requests. KTAP output; exit 0 when all
# passed, 1 otherwise (4 when skipped).
#
#   alice 127.0.0.1:PA <------ direct: in-dialog requests, RTP ------> bob 127.0.0.1:PB
#       |                                                                  ^
#       '--INVITE--> relay 127.0.0.1:RB (DELAY ms) ------------------------'
#   alice <----------- relay 127.0.0.1:RA (DELAY ms) <--INVITE-- bob
#
# The glare tests dial through the delaying relays (udp_delay.py; the host
# has no netem) so that the two INVITEs really cross in flight. Each test
# starts fresh daemons. Logs are kept in the temporary directory when a test
# fails (its path is printed).
#
# Usage: two_ua.sh [-v]   (-v: print the daemons' logs of failed tests)

set -u

HERE=$(cd "$(dirname "$0")" && pwd)
AGENT=$(dirname "$HERE")
PINHOLED=$AGENT/pinholed
CTL=$AGENT/pinholectl
RELAY=$HERE/udp_delay.py
DELAY=150		# ms; RTT through a relay stays below T1 (500 ms)
VERBOSE=0
[ "${1:-}" = "-v" ] && VERBOSE=1

BASE=$((27000 + ($$ % 300) * 10))
PA=$BASE PB=$((BASE + 2)) RA=$((BASE + 4)) RB=$((BASE + 6))
TMP=$(mktemp -d /tmp/two_ua.XXXXXX)
PIDS=()
FAILED=0
N=0

stop_all()
{
	local p

	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${PIDS[@]}"; do
		wait "$p" 2>/dev/null
	done
	PIDS=()
}

cleanup()
{
	stop_all
	if [ "$FAILED" = 0 ]; then
		rm -rf "$TMP"
	else
		echo "# logs kept in $TMP"
	fi
}
trap cleanup EXIT

diag() { echo "# $*"; }

# busywait TIMEOUT_MS COMMAND...: until COMMAND succeeds
busywait()
{
	local timeout=$1 waited=0

	shift
	while [ "$waited" -lt "$timeout" ]; do
		"$@" && return 0
		sleep 0.1
		waited=$((waited + 100))
	done
	"$@"
}

# start_ua NAME PORT TIEBREAK MEDIA_LO [pinholed options]
start_ua()
{
	local name=$1 port=$2 tb=$3 lo=$4

	shift 4
	"$PINHOLED" --listen "127.0.0.1:$port" --user "$name" --firewall none \
		--control "$TMP/$name.sock" --media-ports "$lo-$((lo + 99))" \
		--tiebreak "id:$tb" "$@" 2>>"$TMP/$name.log" &
	PIDS+=($!)
	busywait 3000 test -S "$TMP/$name.sock" ||
		{ diag "$name did not start"; return 1; }
}

start_relays()
{
	python3 "$RELAY" "$RB" "$PB" "$DELAY" >"$TMP/relay_b" & PIDS+=($!)
	python3 "$RELAY" "$RA" "$PA" "$DELAY" >"$TMP/relay_a" & PIDS+=($!)
	busywait 5000 grep -q ready "$TMP/relay_a" "$TMP/relay_b" ||
		{ diag "relays did not start"; return 1; }
	busywait 5000 grep -q ready "$TMP/relay_b" ||
		{ diag "relays did not start"; return 1; }
}

ctl() { local n=$1; shift; "$CTL" --control "$TMP/$n.sock" "$@"; }
calls() { ctl "$1" --json calls; }
stats() { ctl "$1" --json callstats; }

# q NAME JQ-FILTER: the filter on NAME's calls
q() { calls "$1" | jq -r "$2"; }
n_state() { q "$1" "[.calls[] | select(.state == \"$2\")] | length"; }
has_state() { [ "$(n_state "$1" "$2")" -ge "${3:-1}" ]; }
all_closed() { [ "$(q "$1" '[.calls[] | select(.state != "closed")] | length')" = 0 ]; }
media_flows()
{
	[ "$(q "$1" '[.calls[] | select(.state == "established") | .media.rx_packets] | max // 0')" -gt 10 ]
}

# expect DESCRIPTION ACTUAL WANTED
expect()
{
	if [ "$2" != "$3" ]; then
		diag "$1: got '$2', want '$3'"
		return 1
	fi
}

# the distinct INVITE transactions NAME sent
invites_sent()
{
	grep " $1 > INVITE " "$TMP/$1.log" | sed 's/.*branch=\([^ ]*\).*/\1/' |
		sort -u | wc -l
}

run()
{
	local name=$1 rc

	N=$((N + 1))
	: >"$TMP/alice.log"
	: >"$TMP/bob.log"
	"$name"
	rc=$?
	stop_all
	if [ "$rc" = 0 ]; then
		echo "ok $N $name"
	else
		FAILED=1
		echo "not ok $N $name"
		if [ "$VERBOSE" = 1 ]; then
			sed 's/^/# alice: /' "$TMP/alice.log"
			sed 's/^/# bob: /' "$TMP/bob.log"
		fi
		cp "$TMP/alice.log" "$TMP/$name.alice.log"
		cp "$TMP/bob.log" "$TMP/$name.bob.log"
	fi
}

# ------------------------------------------------------------------ tests

normal_call()
{
	local id r=0

	start_ua alice "$PA" 5 30000 || return 1
	start_ua bob "$PB" 7 30200 --auto-answer || return 1
	id=$(ctl alice call "sip:bob@127.0.0.1:$PB") || return 1
	busywait 3000 has_state alice established || { diag "alice not established"; return 1; }
	busywait 3000 has_state bob established || { diag "bob not established"; return 1; }
	busywait 3000 media_flows alice || { diag "no media at alice"; r=1; }
	busywait 3000 media_flows bob || { diag "no media at bob"; r=1; }
	expect "alice leg" "$(q alice '.calls[0].leg')" uac || r=1
	expect "bob leg" "$(q bob '.calls[0].leg')" uas || r=1
	ctl alice hangup "$id" || r=1
	busywait 3000 all_closed alice || r=1
	busywait 3000 all_closed bob || r=1
	for u in alice bob; do
		expect "$u end" "$(q $u '.calls[0].end')" normal || r=1
		expect "$u fw opens" "$(q $u '.calls[0].fw.opens')" 1 || r=1
		expect "$u fw closes" "$(q $u '.calls[0].fw.closes')" 1 || r=1
		expect "$u calls" "$(q $u '.calls | length')" 1 || r=1
	done
	return $r
}

reject_486()
{
	local id r=0

	start_ua alice "$PA" 5 30000 || return 1
	start_ua bob "$PB" 7 30200 || return 1
	ctl alice call "sip:bob@127.0.0.1:$PB" >/dev/null || return 1
	busywait 3000 has_state bob incoming || { diag "bob not ringing"; return 1; }
	id=$(q bob '.calls[0].id')
	ctl bob reject "$id" 486 || return 1
	busywait 3000 all_closed alice || { diag "alice not closed"; return 1; }
	busywait 3000 all_closed bob || return 1
	expect "alice end" "$(q alice '.calls[0].end')" rejected || r=1
	expect "bob end" "$(q bob '.calls[0].end')" declined || r=1
	expect "alice fw opens" "$(q alice '.calls[0].fw.opens')" 1 || r=1
	expect "alice fw closes" "$(q alice '.calls[0].fw.closes')" 1 || r=1
	expect "bob fw opens (no port for a refused call)" \
		"$(q bob '.calls[0].fw.opens')" 0 || r=1
	grep -q " alice < 486 Busy Here " "$TMP/alice.log" ||
		{ diag "no 486 in alice's log"; r=1; }
	return $r
}

# both dial at the same instant through the relays
dial_both()
{
	local a b

	ctl alice call "sip:bob@127.0.0.1:$RB" >/dev/null &
	a=$!
	ctl bob call "sip:alice@127.0.0.1:$RA" >/dev/null &
	b=$!
	wait "$a" "$b"
}

# check_glare_pair MODE: exactly one established call per side, media both
# ways, every port opened once and closed once after hang-up
glare_common()
{
	local r=0 u

	busywait 5000 has_state alice established || { diag "alice not established"; return 1; }
	busywait 5000 has_state bob established || { diag "bob not established"; return 1; }
	busywait 3000 media_flows alice || { diag "no media at alice"; r=1; }
	busywait 3000 media_flows bob || { diag "no media at bob"; r=1; }
	for u in alice bob; do
		expect "$u calls" "$(q $u '.calls | length')" 1 || r=1
		expect "$u established" "$(n_state $u established)" 1 || r=1
		expect "$u glare detected" "$(stats $u | jq .glare.detected)" 1 || r=1
		expect "$u fw opens" "$(q $u '.calls[0].fw.opens')" 1 || r=1
		expect "$u INVITEs" "$(invites_sent $u)" 1 || r=1
	done
	ctl alice hangup all || r=1
	busywait 3000 all_closed alice || r=1
	busywait 3000 all_closed bob || r=1
	for u in alice bob; do
		expect "$u end" "$(q $u '.calls[0].end')" normal || r=1
		expect "$u fw closes" "$(q $u '.calls[0].fw.closes')" 1 || r=1
	done
	return $r
}

glare_tiebreak()
{
	local r=0

	start_ua alice "$PA" 5 30000 --auto-answer=5000 || return 1
	start_ua bob "$PB" 7 30200 --auto-answer=5000 || return 1
	start_relays || return 1
	dial_both
	busywait 5000 has_state alice established
	# bob's tiebreaker is higher: bob answers 200 with its open port and
	# pins it; alice answers 491; the session is on alice's INVITE
	expect "alice glare" "$(q alice '.calls[0].glare.verdict + "/" + .calls[0].glare.result')" \
		lower/session-own || r=1
	expect "bob glare" "$(q bob '.calls[0].glare.verdict + "/" + .calls[0].glare.result')" \
		higher/session-peer || r=1
	expect "alice leg" "$(q alice '.calls[0].leg')" uac || r=1
	expect "bob leg" "$(q bob '.calls[0].leg')" uas || r=1
	expect "bob pins" "$(q bob '.calls[0].fw.pins')" 1 || r=1
	expect "alice pins" "$(q alice '.calls[0].fw.pins')" 0 || r=1
	glare_common || r=1
	return $r
}

glare_tiebreak_resend()
{
	local r=0

	start_ua alice "$PA" 5 30000 --glare tiebreak-resend --auto-answer=5000 || return 1
	start_ua bob "$PB" 7 30200 --glare tiebreak-resend --auto-answer=5000 || return 1
	start_relays || return 1
	dial_both
	busywait 5000 has_state alice established
	# the higher side (bob) re-sends its INVITE and answers 491; alice pins
	# and answers the re-sent INVITE 200: the session is on bob's INVITE
	expect "alice leg" "$(q alice '.calls[0].leg')" uas || r=1
	expect "bob leg" "$(q bob '.calls[0].leg')" uac || r=1
	expect "alice pins" "$(q alice '.calls[0].fw.pins')" 1 || r=1
	glare_common || r=1
	return $r
}

glare_rfc3261()
{
	local r=0 u retries opens closes

	start_ua alice "$PA" 5 30000 --glare rfc3261 --auto-answer=5000 || return 1
	start_ua bob "$PB" 7 30200 --glare rfc3261 --auto-answer=5000 || return 1
	start_relays || return 1
	dial_both
	# 491 both ways, ports closed, 2.1-4 s back-off, one side retries
	busywait 20000 has_state alice established || { diag "alice not established"; return 1; }
	busywait 5000 has_state bob established || { diag "bob not established"; return 1; }
	busywait 3000 media_flows alice || { diag "no media at alice"; r=1; }
	busywait 3000 media_flows bob || { diag "no media at bob"; r=1; }
	# at least one side got the 491, closed its port and backed off; the
	# first retry (or the other side's INVITE, still pending) wins
	retries=0
	for u in alice bob; do
		expect "$u established" "$(n_state $u established)" 1 || r=1
		expect "$u glare detected" "$(stats $u | jq .glare.detected)" 1 || r=1
		retries=$((retries + $(stats $u | jq '.glare.retry')))
		opens=$(q $u '[.calls[].fw.opens] | add')
		closes=$(q $u '[.calls[].fw.closes] | add')
		[ "$((opens - closes))" = 1 ] ||
			{ diag "$u: $opens opens, $closes closes"; r=1; }
	done
	[ "$retries" -ge 1 ] || { diag "nobody backed off"; r=1; }
	ctl alice hangup all || r=1
	busywait 3000 all_closed alice || r=1
	busywait 3000 all_closed bob || r=1
	return $r
}

# raw SIP to bob; prints the status code of the answer (or "none")
sip_probe()
{
	python3 - "$PB" "$1" <<'PY'
import socket, sys
port, method = int(sys.argv[1]), sys.argv[2]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
me = s.getsockname()[1]
cid = "" if method == "NOCALLID" else "Call-ID: probe-%s@test\r\n" % method
m = "OPTIONS" if method == "NOCALLID" else method
msg = ("%s sip:bob@127.0.0.1:%d SIP/2.0\r\n"
       "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKprobe%s;rport\r\n"
       "Max-Forwards: 70\r\nFrom: <sip:probe@127.0.0.1>;tag=p1\r\n"
       "To: <sip:bob@127.0.0.1>\r\n%sCSeq: 1 %s\r\n"
       "Content-Length: 0\r\n\r\n") % (m, port, me, method, cid, m)
s.sendto(msg.encode(), ("127.0.0.1", port))
s.settimeout(2)
try:
    print(s.recv(65535).decode().split(" ")[1])
except socket.timeout:
    print("none")
PY
}

sip_requests()
{
	local r=0

	start_ua bob "$PB" 7 30200 || return 1
	expect "OPTIONS" "$(sip_probe OPTIONS)" 200 || r=1
	expect "FOO (unknown method)" "$(sip_probe FOO)" 501 || r=1
	expect "SUBSCRIBE (not supported)" "$(sip_probe SUBSCRIBE)" 405 || r=1
	expect "BYE outside a dialog" "$(sip_probe BYE)" 481 || r=1
	expect "request without Call-ID" "$(sip_probe NOCALLID)" 400 || r=1
	return $r
}

# every log line follows the format documented in agent/plog.h
log_format()
{
	local r=0 bad

	start_ua alice "$PA" 5 30000 || return 1
	start_ua bob "$PB" 7 30200 --auto-answer || return 1
	ctl alice call "sip:bob@127.0.0.1:$PB" >/dev/null || return 1
	busywait 3000 has_state alice established || return 1
	ctl alice hangup all || return 1
	busywait 3000 all_closed bob || return 1
	for u in alice bob; do
		bad=$(grep -Evc '^[0-9]+\.[0-9]{3} '"$u"' [<>.WED] ' "$TMP/$u.log")
		expect "$u lines off format" "$bad" 0 || r=1
		bad=$(grep -E "^[0-9.]+ $u [<>] " "$TMP/$u.log" |
		      grep -Evc ' \| call=[^ ]+ cseq=[0-9]+/[A-Z]+ branch=[^ ]+ peer=[0-9.:]+$')
		expect "$u SIP lines off format" "$bad" 0 || r=1
	done
	grep -q "^[0-9.]* alice > INVITE sip:bob@127.0.0.1:$PB (Glare-Tiebreak 5) | " \
		"$TMP/alice.log" || { diag "no INVITE line with Glare-Tiebreak"; r=1; }
	return $r
}

# ------------------------------------------------------------------- main

TESTS="normal_call reject_486 glare_tiebreak glare_tiebreak_resend glare_rfc3261 sip_requests log_format"
echo "KTAP version 1"
echo "1..$(echo $TESTS | wc -w)"
if [ ! -x "$PINHOLED" ] || [ ! -x "$CTL" ]; then
	for t in $TESTS; do N=$((N + 1)); echo "ok $N $t # SKIP build pinholed and pinholectl first"; done
	exit 4
fi
if ! command -v jq >/dev/null || ! command -v python3 >/dev/null; then
	for t in $TESTS; do N=$((N + 1)); echo "ok $N $t # SKIP needs jq and python3"; done
	exit 4
fi
for t in $TESTS; do
	run "$t"
done
[ "$FAILED" = 0 ] && echo "# all passed" || echo "# FAILED"
exit "$FAILED"

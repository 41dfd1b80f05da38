#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vm.sh - the demo's part inside the VM (run by scripts/demo.sh through
# selftests/vm/run-vm.sh). Loads pinhole.ko, builds the topology, runs the
# six scenarios and leaves raw material in OUTDIR for demo/report.py:
#
#      netns alice                 netns proxy                  netns bob
#   pinholed "alice"          kamailio 10.0.0.1:5060          pinholed "bob"
#   pinhole.ko table          (registrar + proxy, RR)         pinhole.ko table
#   10.0.1.2 eth0 ---veth--- to-alice 10.0.1.1 | 10.0.2.1 to-bob ---veth--- eth0 10.0.2.2
#   netem +DELAY on egress     routes the media               netem +DELAY on egress
#
# Each gateway's uplink (its eth0 egress) is delayed by DEMO_DELAY_MS (default
# 100 ms): a gateway-to-gateway message takes that long, so two INVITEs sent
# at the same moment really cross. The proxy side has no delay, so the proxy
# receives a message DELAY after a gateway sent it and a gateway receives one
# as the proxy sends it: demo/report.py places the proxy's events so. With
# DEMO_CAPTURE=1, dumpcap in the proxy's namespace records the true times
# (OUTDIR/sip.pcapng; off by default: its start costs tens of seconds under
# TCG on a loaded host).
#
# Per scenario, OUTDIR/NAME/ holds: alice.log bob.log (pinholed at
# --log-level debug, agent/lib/plog.h format), alice.mon bob.mon ("EPOCH JSON" lines of pinholectl --json monitor),
# alice.calls.json bob.calls.json (pinholectl --json calls, while up and at
# the end: *.calls.up.json, *.calls.json), alice.callstats.json
# bob.callstats.json and meta (key=value). OUTDIR/kamailio.log is the
# proxy's log, OUTDIR/sip.pcapng its capture (DEMO_CAPTURE=1).
#
# Usage: vm.sh OUTDIR

set -u
OUT=${1:?usage: vm.sh OUTDIR}
TOP=${PINHOLE_PROJECT:-$(cd "$(dirname "$0")/.." && pwd)}
PINHOLED=$TOP/agent/pinholed/pinholed
CTL=$TOP/agent/pinholectl/pinholectl
KO=${PINHOLE_KO:-$TOP/build/kmod/$(uname -r)/pinhole.ko}
DELAY=${DEMO_DELAY_MS:-100}
RUN=/tmp/demo
PROXY=10.0.0.1
DOMAIN=pinhole.test
PASSWORD=secret
MEDIA=20000-20999
HOLD=${DEMO_HOLD_S:-1.5}	# seconds of media before hanging up
CAPTURE=${DEMO_CAPTURE:-0}	# 1: dumpcap in the proxy's namespace

rm -rf "$RUN"
mkdir -p "$OUT" "$RUN"
PIDS=()

us() { local t=${EPOCHREALTIME/[.,]/}; echo "$t"; }
T0=$(us)
say() { local d=$(( ($(us) - T0) / 100000 )); printf 'demo: [vm %3d.%ds] %s\n' $((d / 10)) $((d % 10)) "$*"; }
die() { say "ERROR: $*"; exit 1; }

now_ms() { local t=${EPOCHREALTIME/[.,]/}; echo $((t / 1000)); }
# nap SECONDS: sleep without a fork (a read timing out on an idle FIFO)
mkfifo "$RUN/nap.fifo"
exec 9<>"$RUN/nap.fifo"
nap() { read -r -t "$1" -u 9 _; }
# busywait TIMEOUT_MS COMMAND...: poll COMMAND until it succeeds
busywait()
{
	local end=$(( $(now_ms) + $1 ))

	shift
	while [ "$(now_ms)" -lt "$end" ]; do
		"$@" && return 0
		nap 0.1
	done
	"$@"
}

cleanup()
{
	local p

	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	PIDS=()
}
trap cleanup EXIT

# ------------------------------------------------------------ topology

[ -f "$KO" ] || die "no $KO (make build/kmod/$(uname -r)/pinhole.ko)"
insmod "$KO" || die "insmod $KO failed"
modprobe -q veth && modprobe -q sch_netem || die "modprobe veth sch_netem failed"
say "pinhole.ko loaded ($(uname -r)); building namespaces alice, proxy, bob (netem ${DELAY} ms uplinks)"

for ns in alice proxy bob; do
	ip netns add "$ns" || die "ip netns add $ns"
	ip -n "$ns" link set lo up
done
ip -n proxy addr add "$PROXY/32" dev lo
ip netns exec proxy sysctl -qw net.ipv4.ip_forward=1
n=1
for gw in alice bob; do
	ip link add eth0 netns "$gw" type veth peer name "to-$gw" netns proxy ||
		die "veth for $gw"
	ip -n "$gw" addr add "10.0.$n.2/24" dev eth0
	ip -n proxy addr add "10.0.$n.1/24" dev "to-$gw"
	ip -n "$gw" link set eth0 up
	ip -n proxy link set "to-$gw" up
	ip -n "$gw" route add default via "10.0.$n.1"
	n=$((n + 1))
done

# ------------------------------------------------------------ the proxy

mkdir -p "$RUN/kam"
ip netns exec proxy kamailio -f "$TOP/selftests/sip/kamailio.cfg" -DD -E \
	-A "LISTEN=udp:$PROXY:5060" -A "PASSWORD=\"$PASSWORD\"" \
	-Y "$RUN/kam" -P "$RUN/kam/kamailio.pid" >"$OUT/kamailio.log" 2>&1 &
PIDS+=($!)
CAP=
if [ "$CAPTURE" = 1 ]; then
	ip netns exec proxy dumpcap -q -i to-alice -i to-bob -f 'udp port 5060' \
		-w "$RUN/sip.pcapng" >"$OUT/dumpcap.log" 2>&1 &
	CAP=$!
	PIDS+=($CAP)
fi
# while they start (slow under TCG): the uplinks' delay and the gateways'
# firewalls, media ports passing only through pinholes
for gw in alice bob; do
	tc -n "$gw" qdisc add dev eth0 root netem delay "${DELAY}ms" limit 10000 ||
		die "netem on $gw"
	ip netns exec "$gw" "$CTL" config set --range "udp:$MEDIA" >/dev/null ||
		die "pinholectl config set in $gw"
done
busywait 60000 grep -q "Listening on" "$OUT/kamailio.log" ||
	die "kamailio did not start (see kamailio.log)"
say "kamailio up on $PROXY:5060 (registrar with digest auth, proxy with Record-Route)"
if [ -n "$CAP" ]; then
	busywait 60000 grep -q "Capturing on" "$OUT/dumpcap.log" &&
		say "SIP capture running in the proxy's namespace" ||
		say "warning: dumpcap did not start, the proxy's times will be derived"
fi

# ------------------------------------------------------------ helpers

ctl() { local u=$1; shift; "$CTL" --control "$RUN/$u.sock" "$@"; }
# call states from the daemons' logs (cheap to poll under TCG)
logged() { grep -Eq "^[0-9.]+ $1 \. $2" "$DIR/$1.log"; }
registered() { logged "$1" "registered "; }
established_both() { logged alice "call [0-9]+ .*-> established" && logged bob "call [0-9]+ .*-> established"; }
# every call that left idle has its "closed" line
all_closed()
{
	local n c

	n=$(grep -Ec "^[0-9.]+ $1 \. call [0-9]+ idle -> " "$DIR/$1.log")
	c=$(grep -Ec "^[0-9.]+ $1 \. call [0-9]+ closed " "$DIR/$1.log")
	[ "$c" -ge "$n" ]
}
incoming_id() { sed -n "s/^[0-9.]* $1 \. call \([0-9]*\) idle -> incoming .*/\1/p" "$DIR/$1.log" | head -n 1; }

# monitor_start USER: pinholectl --json monitor in USER's namespace, each
# line stamped with the wall clock when read (report.py prefers the event's
# own time_ns, the kernel's time of the change, when the module sends it)
monitor_start()
{
	local u=$1 fifo

	fifo=$RUN/$u.mon.fifo

	rm -f "$fifo"
	mkfifo "$fifo"
	while IFS= read -r line; do
		printf '%s %s\n' "$EPOCHREALTIME" "$line"
	done <"$fifo" >"$DIR/$u.mon" &
	PIDS+=($!)
	STAMPERS+=($!)
	ip netns exec "$u" "$CTL" --json monitor >"$fifo" 2>"$RUN/$u.mon.err" &
	PIDS+=($!)
	MONPIDS+=($!)
	busywait 10000 grep -q "listening for events" "$RUN/$u.mon.err" ||
		say "warning: $u's monitor did not start: $(cat "$RUN/$u.mon.err")"
}

# pinholed_start USER ADDR [options]: the daemon in USER's namespace;
# its SIP goes through the proxy, its media straight to the other UA (not
# the signalling peer's address: --media-peer any); at --log-level debug:
# the ladders are drawn from the SIP message lines, debug lines
# (agent/lib/plog.h)
pinholed_start()
{
	local u=$1 addr=$2

	shift 2
	rm -f "$RUN/$u.sock"
	ip netns exec "$u" "$PINHOLED" --listen "$addr:5060" \
		--user "$u" --domain "$DOMAIN" --proxy "sip:$PROXY:5060" \
		--register --password "$PASSWORD" --media-ports "$MEDIA" \
		--media-peer any --log-level debug \
		--control "$RUN/$u.sock" "$@" 2>>"$DIR/$u.log" &
	PIDS+=($!)
	eval "PID_$u=$!"
}

start_pair() # start_pair "ALICE OPTS" "BOB OPTS"
{
	MONPIDS=()
	STAMPERS=()
	monitor_start alice
	monitor_start bob
	pinholed_start alice 10.0.1.2 $1
	pinholed_start bob 10.0.2.2 $2
	busywait 10000 test -S "$RUN/alice.sock" || die "alice's pinholed did not start"
	busywait 10000 test -S "$RUN/bob.sock" || die "bob's pinholed did not start"
	busywait 10000 registered alice || die "alice did not register (see $DIR/alice.log)"
	busywait 10000 registered bob || die "bob did not register (see $DIR/bob.log)"
}

snapshot() # snapshot TAG: calls while up
{
	for u in alice bob; do
		ctl "$u" --json calls >"$DIR/$u.calls.$1.json"
	done
}

stop_pair()
{
	local u p

	for u in alice bob; do
		ctl "$u" --json calls >"$DIR/$u.calls.json"
		ctl "$u" --json callstats >"$DIR/$u.callstats.json"
	done
	for u in alice bob; do
		p=PID_$u
		kill "${!p}" 2>/dev/null
		wait "${!p}" 2>/dev/null
	done
	nap 0.2	# the last close events reach the monitors
	for p in "${MONPIDS[@]}"; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	for p in "${STAMPERS[@]}"; do
		wait "$p" 2>/dev/null	# EOF: they write their last lines
	done
}

begin() # begin NAME TITLE
{
	DIR=$OUT/$1
	mkdir -p "$DIR"
	printf 'name=%s\ntitle=%s\ndelay_ms=%s\n' "$1" "$2" "$DELAY" >"$DIR/meta"
	say "--- $2"
}

# alice and bob dial each other at the same instant
# (selftests/agent/dial_both.py: both control connections open first)
dial_both()
{
	python3 "$TOP/selftests/agent/dial_both.py" "$RUN/alice.sock" \
		"sip:bob@$DOMAIN" "$RUN/bob.sock" "sip:alice@$DOMAIN" >/dev/null
}

glared() { logged alice "call [0-9]+ glare " && logged bob "call [0-9]+ glare "; }

# glare_scenario NAME TITLE MODE: both dial at once; when the two dials did
# not cross (a loaded host can start one late), once more
glare_scenario()
{
	local try

	for try in 1 2; do
		begin "$1" "$2"
		echo "mode=$3" >>"$DIR/meta"
		start_pair "--glare $3 --auto-answer=3000" "--glare $3 --auto-answer=3000"
		dial_both
		busywait 30000 established_both || say "warning: not established"
		glared && break
		[ "$try" = 2 ] && { say "warning: the INVITEs did not cross twice"; break; }
		say "the INVITEs did not cross (one dial started late): again"
		hold_and_hangup
		stop_pair
		rm -rf "$DIR"
	done
	hold_and_hangup
	stop_pair
}

hold_and_hangup()
{
	nap "$HOLD"
	snapshot up
	ctl alice hangup all >/dev/null
	busywait 5000 all_closed alice || say "warning: alice's calls not closed"
	busywait 5000 all_closed bob || say "warning: bob's calls not closed"
}

# ------------------------------------------------------------ scenarios

# 1. alice calls bob, bob answers after 300 ms
begin 1-normal "1. normal call: alice calls bob (bob answers after 300 ms)"
echo "mode=tiebreak" >>"$DIR/meta"
start_pair "--glare tiebreak" "--glare tiebreak --auto-answer=300"
ctl alice call "sip:bob@$DOMAIN" >/dev/null || die "alice: call failed"
busywait 10000 established_both || say "warning: not established"
hold_and_hangup
stop_pair

# 2. both call each other at once, the patent's tiebreak
glare_scenario 2-glare-tiebreak "2. simultaneous call, --glare tiebreak (JP5338765B2)" tiebreak

# 3. the same with the conventional RFC 3261 behaviour
glare_scenario 3-glare-rfc3261 "3. simultaneous call, --glare rfc3261 (491 both ways, back-off, retry)" rfc3261

# 4. bob refuses: alice's pinhole (opened before the INVITE) closes at once
begin 4-rejected "4. failed call: bob rejects with 486 after ringing 1 s"
echo "mode=tiebreak" >>"$DIR/meta"
start_pair "--glare tiebreak" "--glare tiebreak"
ctl alice call "sip:bob@$DOMAIN" >/dev/null || die "alice: call failed"
busywait 10000 logged bob "call [0-9]+ idle -> incoming" || say "warning: bob not ringing"
nap 1
ctl bob reject "$(incoming_id bob)" 486 >/dev/null || say "warning: reject failed"
busywait 5000 all_closed alice || say "warning: alice's call not closed"
nap 0.3
stop_pair

# 5. alice's pinholed is killed mid-call and started again within the owner
# grace: it reads its state file, takes its pinholes back (ADOPT) and the
# call goes on through the proxy (route set and CSeqs as they were)
begin 5-restart "5. a call survives a restart: alice's pinholed killed (SIGKILL) mid-call and started again"
echo "mode=tiebreak" >>"$DIR/meta"
ip netns exec alice "$CTL" config set --owner-grace 30s >/dev/null ||
	die "pinholectl config set --owner-grace in alice"
mkdir -p "$RUN/state"
start_pair "--glare tiebreak --state-dir $RUN/state" "--glare tiebreak --auto-answer=300"
ctl alice call "sip:bob@$DOMAIN" >/dev/null || die "alice: call failed"
busywait 10000 established_both || say "warning: not established"
nap "$HOLD"
busywait 5000 grep -qs '"established":true' "$RUN/state/pinholed.state" ||
	say "warning: the call is not in alice's state file"
kill -9 "$PID_alice"
wait "$PID_alice" 2>/dev/null
say "alice's pinholed killed (SIGKILL) mid-call; its pinholes wait in their owner grace"
echo "killed=$(now_ms)" >>"$DIR/meta"
pinholed_start alice 10.0.1.2 --glare tiebreak --state-dir "$RUN/state"
busywait 10000 test -S "$RUN/alice.sock" || die "alice's pinholed did not start again"
busywait 10000 logged alice "call [0-9]+ resumed" || say "warning: alice's call not resumed"
say "alice's pinholed started again: call resumed, pinholes adopted"
hold_and_hangup
stop_pair
ip netns exec alice "$CTL" config set --owner-grace 0 >/dev/null

# 6. a mid-call change: alice puts bob on hold and takes him off again by
# re-INVITE (RFC 3261 14, RFC 3264 8.4) through the proxy; the pinholes stay
# (a remote that moved would be re-bound in place: "rebound" events)
begin 6-hold "6. mid-call change: alice holds bob (re-INVITE sendonly), then resumes (sendrecv)"
echo "mode=tiebreak" >>"$DIR/meta"
start_pair "--glare tiebreak" "--glare tiebreak --auto-answer=300"
ctl alice call "sip:bob@$DOMAIN" >/dev/null || die "alice: call failed"
busywait 10000 established_both || say "warning: not established"
nap "$HOLD"
ctl alice hold 1 >/dev/null || say "warning: hold refused"
busywait 10000 logged bob "call [0-9]+: held by the peer" || say "warning: bob not held"
busywait 10000 logged alice "call [0-9]+: on hold" || say "warning: alice not holding"
say "alice holds bob: bob stops sending"
nap "$HOLD"
snapshot held
ctl alice resume 1 >/dev/null || say "warning: resume refused"
busywait 10000 logged alice "call [0-9]+: resumed" || say "warning: alice not resumed"
say "alice resumes: media both ways again"
hold_and_hangup
stop_pair

# ------------------------------------------------------------ wrap up

if [ -n "$CAP" ]; then
	kill -INT "$CAP" 2>/dev/null
	wait "$CAP" 2>/dev/null
	cp "$RUN/sip.pcapng" "$OUT/sip.pcapng" 2>/dev/null
fi
cleanup
dmesg | grep -E 'pinhole|WARNING|BUG' >"$OUT/dmesg.txt"
say "scenarios done"
exit 0

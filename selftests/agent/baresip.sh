# SPDX-License-Identifier: GPL-2.0
#
# baresip.sh - interop tests of selftests/agent/run.sh (sourced by it): a
# real third-party UA, baresip (Debian's baresip-core), as alice's peer.
#
# baresip runs headless in the far namespace ($IP_F:$BS_SIP): a config
# dir of its own per test, no audio device (ausine as the source, 48 kHz
# stereo resampled to G.711; no player: received audio is decoded and
# dropped), auto-answer, no registration, telephone-event offered. It is
# driven through its 'cons' module: menu commands ("/dial URI",
# "/hangup", "/sndcode DIGITS", "/hold", "/resume") as UDP datagrams to
# 127.0.0.1:$BS_CONS in its namespace. Its log (-v) says what it saw:
# "Call established", "incoming rtp ... established" (pinholed's RTP
# reached it), "received event: 'D' (end=1)" (an RFC 4733 digit), "call:
# terminate call" (it hung up), "session closed: REASON" (the call ended
# by alice's BYE or a final failure).
#
# Every test checks alice's side as the pinholed-pinholed tests do:
# pinholed's call states and stats, RTP both ways (pinholed's rx counter,
# the pinhole's packet counter, conntrack while up; baresip's "incoming
# rtp"), every port opened once and closed by pinholed, no pinhole and
# no conntrack entry left.

BS_SIP=5080
BS_CONS=5555
IP6_F=fd88::4

# what a test changes (bs_run sets them back): baresip's sip_listen and
# more config lines; BS_A and BS_F, regexes: alice's address in baresip's
# log, baresip's SIP address:port in alice's (peer=)
bs_defaults()
{
	BS_LISTEN=$IP_F:$BS_SIP BS_CONF= BS_A=$IP_A BS_F="$IP_F:$BS_SIP"
	BS_AOR="sip:carol@$IP_F:$BS_SIP"
}
bs_defaults

# start_baresip [ANSWERMODE [ACCOUNT_PARAMS]]: a fresh baresip in the far
# namespace, answering auto (default) or manual ("/accept"); ACCOUNT_PARAMS:
# more ;name=value of its account
start_baresip()
{
	local d=$T/baresip

	command -v baresip >/dev/null ||
		{ diag "baresip not installed (scripts/deps.sh check installs baresip-core)"; return 1; }
	rm -rf "$d"; mkdir -p "$d"
	: >"$T/baresip.log"
	cat >"$d/config" <<-EOF
	poll_method		epoll
	sip_listen		$BS_LISTEN
	call_local_timeout	120
	call_max_calls		4
	audio_source		ausine,440
	ausrc_srate		48000
	ausrc_channels		2
	rtp_ports		42000-42099
	rtcp_mux		no
	module_path		/usr/lib/baresip/modules
	module			g711.so
	module			ausine.so
	module			cons.so
	module_tmp		account.so
	module_app		menu.so
	cons_listen		127.0.0.1:$BS_CONS
	$BS_CONF
	EOF
	echo "<$BS_AOR>;regint=0;answermode=${1:-auto};audio_codecs=pcmu,pcma${2:-}" >"$d/accounts"
	: >"$d/contacts"
	# stdout (its log) line-buffered: read while baresip runs; stderr
	# (its status line, "[0:00:05] audio=...", rewritten with \r and
	# written in pieces) apart
	ip netns exec "$NS_F" stdbuf -oL baresip -f "$d" -v </dev/null \
		>>"$T/baresip.log" 2>"$T/baresip.err" &
	BS_PID=$!
	PIDS+=($!)
	busywait 10000 bs_logged "baresip is ready" ||
		{ diag "baresip did not start: $(tail -n 3 "$T/baresip.log")"; return 1; }
	busywait 5000 udp_bound "$NS_F" "$BS_SIP" || { diag "baresip not on :$BS_SIP"; return 1; }
}

# bs CMD: a menu command to baresip (cons: one datagram, a line)
bs()
{
	ip netns exec "$NS_F" bash -c 'printf "%s\n" "$1" >/dev/udp/127.0.0.1/'"$BS_CONS" _ "$1"
}

# bs_lines: BSL = baresip's log lines
bs_lines()
{
	local l

	BSL=()
	while IFS= read -r l || [ -n "$l" ]; do
		BSL+=("$l")
	done <"$T/baresip.log"
}
# bs_nlogged REGEX: how many of baresip's log lines match; bs_logged REGEX
bs_nlogged()
{
	local x n=0

	bs_lines
	for x in "${BSL[@]}"; do
		[[ $x =~ $1 ]] && n=$((n + 1))
	done
	echo $n
}
bs_logged() { [ "$(bs_nlogged "$1")" -gt 0 ]; }
# the end of a call: hung up by baresip ("terminate call"), or by alice
# or by a final failure ("session closed: REASON")
bs_ended() { echo "(call: terminate call '[^']*' with sip:alice@$BS_A|sip:alice@${BS_A}[^ ]*: session closed: )"; }
bs_ended_more() { [ "$(bs_nlogged "$(bs_ended)")" -gt "$1" ]; }

# bs_digits: the RFC 4733 digits baresip received, in order (one per
# event end; the end is sent three times, logged once)
bs_digits()
{
	local x out=

	bs_lines
	for x in "${BSL[@]}"; do
		[[ $x =~ received\ event:\ \'(.)\'\ \(end=1\) ]] && out+=${BASH_REMATCH[1]}
	done
	echo "$out"
}
bs_digits_are() { [ "$(bs_digits)" = "$1" ]; }

# alice_digits_are DIGITS: alice's established call received DIGITS
alice_digits_are() { established alice && [ "$(jget "$EST" rx_digits)" = "$1" ]; }

# bs_up: the call is established on both sides, RTP flows both ways
bs_up()
{
	local r=0

	busywait 15000 has_state alice established || { diag "alice not established"; return 1; }
	busywait 10000 bs_logged "Call established: " || { diag "baresip not established"; return 1; }
	if [[ $BS_A = *:* ]]; then
		media6_up alice "$IP6_F" || r=1
	else
		media_up alice || r=1
	fi
	busywait 10000 bs_logged "incoming rtp for 'audio' established, receiving from $BS_A:" ||
		{ diag "baresip: no RTP from alice"; r=1; }
	return $r
}

# bs_bye BY: BY (alice or baresip) hangs up; both sides end the call
bs_bye()
{
	local r=0 n

	n=$(bs_nlogged "$(bs_ended)")
	if [ "$1" = alice ]; then
		ctl alice hangup all || r=1
	else
		bs /hangup
	fi
	busywait 10000 all_closed alice || { diag "alice not closed"; r=1; }
	busywait 10000 bs_ended_more "$n" || { diag "baresip: call not terminated"; r=1; }
	if [ "$1" = alice ]; then
		need_log alice "> BYE .*peer=$BS_F" || r=1
		need_log alice "< 200 OK .*cseq=[0-9]+/BYE" || r=1
	else
		need_log alice "< BYE .*peer=$BS_F" || r=1
		need_log alice "> 200 OK .*cseq=[0-9]+/BYE" || r=1
	fi
	return $r
}

# bs_end BY: BY (alice or baresip) hangs up; alice's only call ended
# normally, its port opened once, never pinned, closed by pinholed; no
# pinhole, no conntrack entry left
bs_end()
{
	local r=0

	bs_bye "$1" || r=1
	call_is alice "normal 1/0/1/1" || r=1
	fw_final alice 1 0 || r=1
	return $r
}

# baresip_call DIR BY: a call DIR (out: alice calls baresip; in: baresip
# calls alice), RTP both ways, BY hangs up (bs_end)
baresip_call()
{
	local r=0

	start_baresip || return 1
	if [ "$1" = out ]; then
		start_ua alice 5 || return 1
		ctl alice call "$BS_AOR" >/dev/null || return 1
	else
		start_ua alice 5 --auto-answer || return 1
		bs "/dial sip:alice@$IP_A"
	fi
	bs_up || r=1
	if [ "$1" = out ]; then
		need_log alice "> INVITE $BS_AOR \(Glare-Tiebreak 5\) " || r=1
		need_log alice "< 200 .*cseq=1/INVITE.*peer=$BS_F" || r=1
		need_log alice "> ACK .*peer=$BS_F" || r=1
	else
		need_log alice "< INVITE sip:alice@$BS_A[^ ]* \| .*peer=$BS_F" || r=1
		need_log alice "> 200 OK .*cseq=[0-9]+/INVITE.*peer=$BS_F" || r=1
		need_log alice "< ACK .*peer=$BS_F" || r=1
	fi
	bs_end "$2" || r=1
	return $r
}

# bs_run TEST...: run a test, then end its baresip; when it failed,
# baresip's log as diagnostics
bs_run()
{
	local x rc

	BS_PID=
	"$@"
	rc=$?
	bs_defaults
	# baresip's SIGTERM (stop_all) waits for its transactions to end,
	# up to 32 s after a BYE (Timer J): its test is over, kill it
	[ -n "$BS_PID" ] && kill -KILL "$BS_PID" 2>/dev/null
	[ $rc = 0 ] && return 0
	bs_lines
	for x in "${BSL[@]}"; do
		echo "# baresip: $x"
	done
	return 1
}

baresip_out() { bs_run baresip_call out alice; }
baresip_out_peer_bye() { bs_run baresip_call out baresip; }
baresip_in() { bs_run baresip_call in baresip; }
baresip_in_local_bye() { bs_run baresip_call in alice; }
baresip_dtmf() { bs_run bs_dtmf; }
baresip_glare() { bs_run bs_glare; }
baresip_auth_in() { bs_run bs_auth_in; }
baresip_hold() { bs_run bs_hold; }
baresip_tls() { bs_run bs_tls; }
baresip_ipv6() { bs_run bs_ipv6; }

# bs_certs: tls_certs' test CA (ipv6.sh) signs alice2 (naming $IP_A) and
# carol (naming $IP_F); carol.both.pem holds its certificate and key
# (baresip's sip_certificate: both in one file)
bs_certs()
{
	local d=$T/tls

	tls_certs || return 1
	[ -s "$d/carol.both.pem" ] && return 0
	tls_leaf alice2 "$IP_A" && tls_leaf carol "$IP_F" &&
		cat "$d/carol.pem" "$d/carol.key" >"$d/carol.both.pem"
}
# bs_tcp_up PORT: alice has an established TCP connection with baresip's
# :PORT (hers to it, or its to her :PORT)
bs_tcp_up() { ip netns exec "$NS_A" ss -Htn state established "( dport = :$1 or sport = :$1 )" | grep -q .; }

# SIP over TLS with baresip (its TLS transport listens on sip_listen's
# port + 1): alice (--transport tls, a certificate from the test CA)
# calls sip:carol@FAR:5081;transport=tls, baresip (its certificate from
# the same CA) answers; alice's TLS connection to it is up, RTP both
# ways; baresip hangs up (its BYE over TLS to alice's :5060), no pinhole,
# no conntrack entry left
bs_tls()
{
	local r=0 d=$T/tls tp=$((BS_SIP + 1))

	command -v openssl >/dev/null || { diag "needs openssl"; return 1; }
	bs_certs || { diag "cannot make the test certificates"; return 1; }
	BS_CONF=$'sip_certificate\t'"$d/carol.both.pem"$'\nsip_cafile\t\t'"$d/ca.pem"
	BS_AOR="sip:carol@$IP_F:$tp;transport=tls" BS_F="$IP_F:[0-9]+"
	start_baresip || return 1
	busywait 5000 tcp_listening "$NS_F" "$tp" || { diag "baresip: no TLS on :$tp"; return 1; }
	start_ua alice 5 --transport tls --tls-cert "$d/alice2.pem" \
		--tls-key "$d/alice2.key" --tls-ca "$d/ca.pem" || return 1
	ctl alice call "$BS_AOR" >/dev/null || return 1
	bs_up || r=1
	need_log alice ". transport tls: SIP over TLS" || r=1
	need_log alice "> INVITE sip:carol@$IP_F:$tp;transport=tls \(Glare-Tiebreak 5\) .*peer=$IP_F:$tp" || r=1
	need_log alice "< 200 .*cseq=1/INVITE.*peer=$IP_F:$tp" || r=1
	bs_tcp_up "$tp" || { diag "no TCP connection alice -> baresip :$tp"; r=1; }
	! logged alice "[WE] tls" || { diag "alice: TLS warnings"; r=1; }
	bs_end baresip || r=1
	return $r
}
tcp_listening() { ip netns exec "$1" ss -Hltn "sport = :$2" | grep -q .; }

# a call over IPv6: baresip on [fd88::4]:5080 (the far namespace's v6
# address, next to ipv6.sh's fd88::1 for alice); alice, listening on
# [fd88::1]:5060, calls it by its v6 literal: c=IN IP6 both ways (alice's
# media pinhole an IPv6 one whose remote, from baresip's SDP, is
# fd88::4; baresip's RTP from alice's v6 address), RTP both ways, alice
# hangs up; no pinhole, no v6 conntrack entry left
bs_ipv6()
{
	local r=0 left

	ipv6_setup || { diag "cannot add the v6 addresses"; return 1; }
	ip -n "$NS_F" -6 addr show dev eth0 | grep -q "$IP6_F/" ||
		ip -n "$NS_F" addr add "$IP6_F/64" dev eth0 nodad ||
		{ diag "cannot add $IP6_F"; return 1; }
	BS_LISTEN="[$IP6_F]:$BS_SIP" BS_AOR="sip:carol@[$IP6_F]:$BS_SIP"
	BS_A="\[$IP6_A\]" BS_F="\[$IP6_F\]:$BS_SIP"
	start_baresip || return 1
	start_ua alice 5 --listen "[$IP6_A]:5060" || return 1
	ctl alice call "$BS_AOR" >/dev/null || return 1
	bs_up || r=1
	need_log alice "> INVITE sip:carol@\[$IP6_F\]:$BS_SIP \(Glare-Tiebreak 5\) " || r=1
	need_log alice "< 200 .*cseq=1/INVITE.*peer=$BS_F" || r=1
	bs_end alice || r=1
	left=$(ct6_media alice)
	[ -z "$left" ] || { diag "alice: v6 conntrack entries left: $left"; r=1; }
	return $r
}

# DTMF both ways (RFC 4733 telephone-event, negotiated in both offers):
# alice sends 1*9# (pinholectl dtmf), baresip receives each digit once;
# baresip sends 4#2* (menu sndcode), alice's call stats read them
bs_dtmf()
{
	local r=0 id

	start_baresip || return 1
	start_ua alice 5 || return 1
	id=$(ctl alice call "$BS_AOR") || return 1
	bs_up || r=1
	need_log alice ". call 1: media pcmu .* te=101 " || r=1	# telephone-event agreed
	ctl alice dtmf "$id" '1*9#' >/dev/null || { diag "pinholectl dtmf refused"; r=1; }
	busywait 10000 bs_digits_are '1*9#' ||
		{ diag "baresip received '$(bs_digits)', want '1*9#'"; r=1; }
	bs "/sndcode 4#2*"
	busywait 10000 alice_digits_are '4#2*' ||
		{ diag "alice received '$(jget "$EST" rx_digits)', want '4#2*'"; r=1; }
	established alice &&
		expect "alice DTMF tx/rx events" "$(jget "$EST" tx_dtmf)/$(jget "$EST" rx_dtmf)" 4/4 || r=1
	bs_end alice || r=1
	return $r
}

# glare with a peer that has no tiebreaker: alice calls baresip, which
# rings (manual answer); while her INVITE has no final response, baresip
# calls her (the INVITEs cross as when both dial at once, but in an order
# no load can change). baresip's INVITE has no Glare-Tiebreak: alice
# answers it 491 and keeps her own (verdict undecided, nothing pinned).
# baresip, which does not detect glare, ends its call on the 491 and then
# answers alice's. One call, RTP both ways, no pinhole left.
bs_glare()
{
	local r=0 c

	start_baresip manual || return 1
	start_ua alice 500 || return 1
	ctl alice call "$BS_AOR" >/dev/null || return 1
	busywait 10000 logged alice "< 180 Ringing .*peer=$IP_F:$BS_SIP" ||
		{ diag "alice: baresip does not ring"; return 1; }
	bs "/dial sip:alice@$IP_A"
	busywait 10000 logged alice "> 491 Request Pending .*peer=$IP_F:$BS_SIP" ||
		{ diag "alice: no 491 to baresip's INVITE"; r=1; }
	need_log alice "< INVITE sip:alice@$IP_A \| .*peer=$IP_F:$BS_SIP" || r=1
	busywait 10000 bs_logged "session closed: 491 Request Pending" ||
		{ diag "baresip: its call did not end on the 491"; r=1; }
	bs /accept
	bs_up || r=1
	calls_of alice || return 1
	c=${CALLS[0]}
	expect "alice while up (calls, verdict, leg, opens/pins/closes)" \
		"${#CALLS[@]} $(jget "$c" verdict) leg=$(jget "$c" leg) $(jget "$c" opens)/$(jget "$c" pins)/$(jget "$c" closes)" \
		"1 undecided leg=uac 1/0/0" || r=1
	expect "alice glare detected" "$(stat alice detected)" 1 || r=1
	expect "baresip calls established" "$(bs_nlogged "Call established: ")" 1 || r=1
	bs_end alice || r=1
	return $r
}

# hold and resume from baresip: its /hold sends a re-INVITE (a=sendonly),
# /resume another (a=sendrecv); alice answers each 200 - the 200 to that
# re-INVITE's CSeq, one more than the INVITE before it - and shows the
# call held by the remote (not sending), then not held (sending); the
# call, its pinhole and its RTP survive. Every step waits for its
# outcome on both sides, never for a time: alice's 200 in her log (bs_answered,
# polled: her answer comes a round trip after the command) and baresip's
# "got SDP answer" (its re-INVITE over) before the next command - a
# /resume while its hold re-INVITE is still pending at baresip would be
# an offer during an offer. On a loaded host (one full VM run once saw a
# re-INVITE of baresip's never reach alice, and later UDP tests fail
# too) a failed wait prints the UDP drop counters, socket queues and
# qdisc drops of both namespaces (bs_udp_diag).
bs_hold()
{
	local r=0 rx

	start_baresip || return 1
	start_ua alice 5 --auto-answer || return 1
	bs "/dial sip:alice@$IP_A"
	bs_up || r=1
	bs /hold
	busywait 10000 bs_answered 2 ||
		{ diag "alice did not answer the hold re-INVITE 200: $(bs_cseqs)"; bs_udp_diag; r=1; }
	busywait 10000 hold_is alice remote false || { diag "alice not held: $EST"; r=1; }
	# baresip has taken alice's answer (its hold re-INVITE is over):
	# a /resume before that would be an offer while its own is pending
	busywait 10000 bs_answers 2 || { diag "baresip: no answer to its hold"; r=1; }
	bs /resume
	busywait 10000 bs_answered 3 ||
		{ diag "alice did not answer the resume re-INVITE 200: $(bs_cseqs)"; bs_udp_diag; r=1; }
	busywait 10000 hold_is alice none true || { diag "alice not resumed: $EST"; r=1; }
	busywait 10000 bs_answers 3 || { diag "baresip: no answer to its resume"; r=1; }
	[ "$(nlogged alice "> 488 ")" = 0 ] || { diag "alice refused a re-INVITE"; r=1; }
	# media after the resume: more RTP arrives at alice
	established alice && rx=$(jget "$EST" rx_packets)
	busywait 10000 rx_grows "${rx:-0}" || { diag "alice: no RTP after resume"; r=1; }
	bs_end baresip || r=1
	return $r
}
# bs_answered N: alice received N INVITEs of baresip's call (CSeqs C,
# C+1, ...; a retransmission counted once) and answered each 200. Polled:
# a condition, never a count taken once before the wait (the answer to
# /resume comes a round trip after the command, too late for that)
bs_answered()
{
	local c0 i want=

	c0=$(first_cseq)
	for ((i = 0; i < $1; i++)); do
		want+="${want:+ }$((c0 + i))"
	done
	[ "$(invite_cseqs "<" INVITE)" = "$want" ] && [ "$(answered_cseqs 200)" = "$want" ]
}
bs_cseqs() { echo "INVITEs $(invite_cseqs "<" INVITE), answered 200 $(answered_cseqs 200)"; }
# bs_answers N: baresip took N SDP answers (its INVITE's, each re-INVITE's)
bs_answers() { [ "$(bs_nlogged "call: got SDP answer")" -ge "$1" ]; }
# bs_udp_diag: why UDP to alice may not arrive - alice's UDP drop
# counters, her sockets' queues, the qdiscs of both ends
bs_udp_diag()
{
	local ns

	for ns in "$NS_A" "$NS_F"; do
		diag "$ns: $(ip netns exec "$ns" nstat -az 2>/dev/null | grep -E '^Udp6?(InErrors|RcvbufErrors|NoPorts|InDatagrams) ' | tr -s ' ' | tr '\n' ';')"
		diag "$ns: $(ip netns exec "$ns" ss -uanH 2>/dev/null | tr -s ' ' | tr '\n' ';')"
		diag "$ns: $(ip netns exec "$ns" tc -s qdisc 2>/dev/null | grep -E 'qdisc|dropped' | tr -s ' ' | tr '\n' ';')"
	done
}
rx_grows() { established alice && [ "$(jget "$EST" rx_packets)" -gt "$1" ]; }

# baresip calls alice, who challenges requests from outside a dialog
# (--auth-inbound): 401 with a digest challenge, baresip sends its INVITE
# again with Authorization (user alice, its auth_pass): the call is up,
# RTP both ways; baresip's BYE (in the dialog) is not challenged
bs_auth_in()
{
	local r=0 c0

	start_baresip auto ";auth_user=alice;auth_pass=$PASSWORD" || return 1
	start_ua alice 5 --auto-answer --auth-inbound --inbound-password "$PASSWORD" || return 1
	bs "/dial sip:alice@$IP_A"
	bs_up || r=1
	need_log alice "> 401 Unauthorized .*cseq=[0-9]+/INVITE.*peer=$IP_F:$BS_SIP" || r=1
	c0=$(first_cseq)
	# one challenge (for a retransmission of the INVITE, the same), the
	# INVITE with credentials (the next CSeq) answered 200
	expect "alice: CSeqs of the INVITEs answered 401 / 200" \
		"$(answered_cseqs 401) / $(answered_cseqs 200)" "$c0 / $((c0 + 1))" || r=1
	bs_end baresip || r=1
	return $r
}

# invite_cseqs DIR WHAT: the CSeqs of alice's INVITE lines "DIR WHAT"
# (< INVITE: those she received; > CODE: those she answered CODE), each
# once, in order; answered_cseqs CODE; first_cseq: her first INVITE's
invite_cseqs()
{
	local l re="^[0-9.]+ alice $1 $2 .*cseq=([0-9]+)/INVITE" out=" "

	while IFS= read -r l; do
		[[ $l =~ $re ]] && [[ $out != *" ${BASH_REMATCH[1]} "* ]] &&
			out+="${BASH_REMATCH[1]} "
	done <"$T/alice.log"
	out=${out# }
	echo "${out% }"
}
answered_cseqs() { invite_cseqs ">" "$1"; }
first_cseq()
{
	local l re="^[0-9.]+ alice < INVITE .*cseq=([0-9]+)/INVITE"

	while IFS= read -r l; do
		[[ $l =~ $re ]] && { echo "${BASH_REMATCH[1]}"; return; }
	done <"$T/alice.log"
	echo 0
}

# SPDX-License-Identifier: GPL-2.0
# midcall.sh - mid-call changes (re-INVITE, RFC 3261 14; RFC 3264 8) end
# to end with pinhole.ko; sourced by run.sh (its helpers, its topology).
#
#   midcall_sipp_move    a SIPp caller moves its media to another port by
#                        re-INVITE: bob's pinholes are re-bound in place
#                        (two "rebound" kernel events, the RTP pinhole's
#                        remote is the new port, never reopened), and the
#                        RTP SIPp echoes from the new port comes in; then
#                        SIPp holds (sendonly): bob answers recvonly and
#                        stops sending
#   midcall_hold_resume  pinholed to pinholed: `pinholectl hold` on alice,
#                        bob is held and sends nothing, `resume`: RTP both
#                        ways again; no pinhole re-bound or reopened
#   midcall_reinvite_glare  alice and bob hold at the same time: the
#                        re-INVITEs cross, bob's tiebreaker (7 > 5) wins in
#                        one round trip - alice accepts bob's, bob answers
#                        alice's 491, alice sends hers again at once (no
#                        RFC 3261 back-off) - and both end "held both",
#                        neither sending
#   midcall_sipp_reinvite_glare  alice's hold re-INVITE crosses one of a
#                        SIPp callee without tiebreaker (mc_glare_uas.xml):
#                        alice answers SIPp's 491 (hers is pending), gets
#                        SIPp's 491 and, owning the Call-ID, sends hers
#                        again after the RFC 3261 14.1 back-off: on hold,
#                        the RTP pinhole still bound to SIPp's media,
#                        never re-bound

# hold_is NAME HOLD SENDING: NAME's established call shows them
hold_is()
{
	established "$1" || return 1
	[ "$(jget "$EST" hold)" = "$2" ] && [ "$(jget "$EST" sending)" = "$3" ]
}
# rx_more NAME N: NAME's established call received more than N packets
rx_more() { established "$1" && [ "$(jget "$EST" rx_packets)" -gt "$2" ]; }
# ph_remote NAME LOCAL_PORT REMOTE_PORT: the pinhole is bound to it
ph_remote()
{
	local p

	pinholes_of "$1" || return 1
	for p in "${PHS[@]}"; do
		[ "$(jget "$p" local_port)" = "$2" ] || continue
		[ "$(jget "$p" remote_port)" = "$3" ]
		return
	done
	return 1
}
# ph_more NAME LOCAL_PORT N: that pinhole let more than N packets in
ph_more()
{
	local p

	pinholes_of "$1" || return 1
	for p in "${PHS[@]}"; do
		[ "$(jget "$p" local_port)" = "$2" ] || continue
		[ "$(jget "$p" packets)" -gt "$3" ]
		return
	done
	return 1
}
# sip_block NAME add|delete: NAME's SIP in (UDP 5060) dropped, or not
sip_block()
{
	local ns

	ns=$(ns_of "$1")
	if [ "$2" = add ]; then
		ip netns exec "$ns" nft -f - <<-'NFT'
		table inet mc_block {
			chain in {
				type filter hook input priority -400;
				udp dport 5060 drop
			}
		}
		NFT
	else
		ip netns exec "$ns" nft delete table inet mc_block
	fi
}
n_rebound() { mon "$1" '[.[] | select(.event == "rebound")] | length'; }

midcall_sipp_move()
{
	local r=0 rx port

	start_ua bob 7 --auto-answer || return 1
	sipp_start mv mc_move.xml -p 5070 -s bob "$IP_B:5060" -rtp_echo -mp 40000
	busywait 15000 has_state bob established || { diag "bob not established"; return 1; }
	media_up bob || r=1
	busywait 15000 logged bob "\. call [0-9]+: media moved, pinhole re-bound to $IP_F:40002 " ||
		{ diag "bob: no re-bind to :40002"; r=1; }
	established bob || r=1
	port=$(jget "$EST" media_port)
	if [ "$FW" = kmod ]; then
		ph_remote bob "$port" 40002 ||
			{ diag "bob: RTP pinhole of :$port not bound to :40002: ${PHS[*]}"; r=1; }
		busywait 5000 eval '[ "$(n_rebound bob)" = 2 ]' ||
			{ diag "bob: $(n_rebound bob) rebound events, want 2"; r=1; }
		# the echo from the new port passed the re-bound pinhole and
		# reached bob: both counted more than at the re-bind
		rx=$(mon bob "[.[] | select(.event == \"rebound\" and .local_port == $port)][0].packets")
		busywait 5000 ph_more bob "$port" "$rx" ||
			{ diag "bob: the RTP pinhole let nothing in after the re-bind ($rx)"; r=1; }
		busywait 5000 rx_more bob "$rx" || { diag "bob: no RTP after the move"; r=1; }
	fi
	busywait 15000 hold_is bob remote false ||
		{ diag "bob: not held by SIPp: $EST"; r=1; }
	ctl bob hangup all >/dev/null || r=1
	busywait 10000 all_closed bob || r=1
	sipp_ok mv || r=1
	call_is bob "normal 1/0/1/1" || r=1
	fw_final bob 1 0 || r=1
	return $r
}

# midcall_pair: alice calls bob, both up with media; ID_A, ID_B
midcall_pair()
{
	start_ua alice 5 || return 1
	start_ua bob 7 --auto-answer || return 1
	ID_A=$(ctl alice call "sip:bob@$IP_B") || return 1
	busywait 10000 has_state alice established || { diag "alice not established"; return 1; }
	busywait 10000 has_state bob established || { diag "bob not established"; return 1; }
	# EST is the object's text after its '{"id":'
	established bob && ID_B=${EST%%,*}
	media_up alice && media_up bob
}

midcall_pair_end()
{
	local r=0 u

	ctl alice hangup "$ID_A" >/dev/null || r=1
	busywait 10000 all_closed alice || r=1
	busywait 10000 all_closed bob || r=1
	for u in alice bob; do
		call_is $u "normal 1/0/1/1" || r=1
		fw_final $u 1 0 || r=1
		[ "$FW" = kmod ] && { expect "$u rebound events" "$(n_rebound $u)" 0 || r=1; }
	done
	return $r
}

midcall_hold_resume()
{
	local r=0 rx

	midcall_pair || return 1
	ctl alice hold "$ID_A" >/dev/null || return 1
	busywait 10000 hold_is alice local true || { diag "alice not holding: $EST"; r=1; }
	busywait 10000 hold_is bob remote false || { diag "bob not held: $EST"; r=1; }
	ctl alice resume "$ID_A" >/dev/null || r=1
	busywait 10000 hold_is alice none true || { diag "alice not resumed: $EST"; r=1; }
	busywait 10000 hold_is bob none true || { diag "bob not resumed: $EST"; r=1; }
	established alice && rx=$(jget "$EST" rx_packets)
	busywait 5000 rx_more alice "$rx" || { diag "alice: no RTP after resume"; r=1; }
	midcall_pair_end || r=1
	return $r
}

midcall_reinvite_glare()
{
	local r=0

	midcall_pair || return 1
	# both re-INVITEs sent while neither reaches the other, let through
	# together (their Timer A retransmissions): they cross
	sip_block alice add && sip_block bob add || r=1
	ctl alice hold "$ID_A" >/dev/null || r=1
	ctl bob hold "$ID_B" >/dev/null || r=1
	sip_block alice delete; sip_block bob delete
	# each holds the other: bob's answer to alice's offer is inactive
	busywait 15000 hold_is alice both false || { diag "alice: $EST"; r=1; }
	busywait 15000 hold_is bob both false || { diag "bob: $EST"; r=1; }
	# crossed: whichever came first where, bob's (higher tiebreaker)
	# went first - bob refused alice's 491, or alice took bob's while
	# hers was pending - and nobody backed off at random
	logged bob "\. call [0-9]+: INVITE in the dialog: 491 " ||
		logged alice "\. call [0-9]+: re-INVITEs crossed, the peer's tiebreaker is higher" ||
		{ diag "the re-INVITEs did not cross"; r=1; }
	expect "bob's 491s" "$(nlogged bob "\. call [0-9]+: re-INVITE 491")" 0 || r=1
	expect "back-offs" "$(nlogged alice "\. call [0-9]+: re-INVITE 491, again in") $(nlogged bob "\. call [0-9]+: re-INVITE 491, again in")" "0 0" || r=1
	midcall_pair_end || r=1
	return $r
}

midcall_sipp_reinvite_glare()
{
	local r=0 PORT= id

	start_ua alice 5 || return 1
	sipp_start rg mc_glare_uas.xml -p 5060 -s bob -rtp_echo -mp 40000
	busywait 10000 udp_bound "$NS_F" 5060 || { diag "SIPp UAS not listening"; return 1; }
	id=$(ctl alice call "sip:bob@$IP_F") || return 1
	sipp_media_to alice 40000 || r=1
	ctl alice hold "$id" >/dev/null || r=1
	busywait 10000 logged alice "\. call [0-9]+: INVITE in the dialog: 491 " ||
		{ diag "alice: SIPp's re-INVITE not refused 491"; r=1; }
	busywait 15000 hold_is alice local true || { diag "alice not holding: $EST"; r=1; }
	expect "alice's back-offs" "$(nlogged alice "\. call [0-9]+: re-INVITE 491, again in [0-9]+ ms")" 1 || r=1
	ph_stays alice 40000 "by the glare" || r=1
	sipp_hangup_end alice rg || r=1
	return $r
}

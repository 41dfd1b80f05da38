# SPDX-License-Identifier: GPL-2.0
# sipp_matrix.sh - the SIPp rows of the README's interop table in the VM:
# pinholed with pinhole.ko against SIPp in the far namespace, on the
# scenarios agent/tests/ runs on loopback (selftests/agent/sipp/); each
# test checks SIPp's own regexps, pinholed's log and calls, and the kernel:
# the pinhole's remote, its packets where RTP flows, the table empty and
# no conntrack entry left at the end. Sourced by run.sh (its helpers, its
# topology; ph_remote and n_rebound from midcall.sh).
#
#   alice 10.88.0.1 / bob 10.88.0.2 (pinholed)   far 10.88.0.4 (SIPp)
#
#   sipp_auth_invite   alice calls a SIPp callee that challenges the
#                      INVITE 407 (uas_407.xml): sent again with
#                      credentials, the call up, RTP echoed through the
#                      pinhole bound to SIPp's media, BYE pre-authorized
#   sipp_fork          alice calls a SIPp playing three forks
#                      (uas_fork.xml): 180 from A, 200 from B, a 200 from
#                      C ACKed and BYEd; the pinhole's remote is B's media
#                      (:40000, echoed), never C's (:40010), never re-bound
#   sipp_late_offer    a SIPp caller's INVITE has no SDP (oa_late.xml):
#                      bob's offer in the 200, the answer in the ACK binds
#                      the pinhole to SIPp's media, RTP echoed
#   sipp_require_420   a SIPp caller requires "foo" (oa_require.xml): 420
#                      Bad Extension, no call, no pinhole ever opened
#   sipp_prack         SIPp calls bob requiring 100rel (prack_uac.xml):
#                      bob's 180 reliable and sent again until the PRACK,
#                      a stray PRACK 481, the 200 only after the right
#                      one; the pinhole bound to SIPp's media. (Our PRACK
#                      of a reliable 1xx runs in the VM through Kamailio,
#                      proxy_auth_call; prack_uas.xml, 407 on the PRACK
#                      and 1xx out of order, only on loopback: under TCG
#                      the PRACK retransmissions cross SIPp's answers and
#                      SIPp cannot tell them from the next PRACK.)
#                      prack_uac.xml matches each response to its
#                      request's transaction: a 180 sent again that
#                      crosses SIPp's PRACK, SIPp's PRACK sent again and
#                      bob's answer to it again are absorbed whatever the
#                      timing (prack.py uac_scenario_crossing plays it)
#   sipp_prack_cancel  SIPp calls bob requiring 100rel, sends no PRACK and
#                      CANCELs (prack_cancel.xml): bob's held 200 is never
#                      sent, the INVITE gets 487, the pinhole closes

# closed_to NAME ADDR:PORT: a pinhole of NAME closed in this test had
# that remote
closed_to()
{
	[ "$(mon "$1" "[.[] | select(.event == \"closed\") |
		\"\\(.remote_addr):\\(.remote_port)\"] | index(\"$2\") != null")" = true ]
}

# sipp_media_to NAME RPORT: NAME's call is up with media, its RTP pinhole bound
# to the far namespace's :RPORT (SIPp's -rtp_echo port); PORT its port
sipp_media_to()
{
	local name=$1 rport=$2

	busywait 15000 has_state "$name" established ||
		{ diag "$name not established"; return 1; }
	media_up "$name" || return 1
	[ "$FW" = kmod ] || return 0
	established "$name" || return 1
	PORT=$(jget "$EST" media_port)
	ph_remote "$name" "$PORT" "$rport" ||
		{ diag "$name: RTP pinhole of :$PORT not bound to :$rport: ${PHS[*]}"; return 1; }
}

# ph_stays NAME RPORT WHY: (kmod) NAME's RTP pinhole (:$PORT, from
# sipp_media_to) is still bound to the far namespace's :RPORT and was
# never re-bound; WHY names what must not have moved it
ph_stays()
{
	[ "$FW" = kmod ] || return 0
	ph_remote "$1" "$PORT" "$2" ||
		{ diag "$1: pinhole moved $3: ${PHS[*]}"; return 1; }
	expect "$1 rebound events" "$(n_rebound "$1")" 0
}

# sipp_hangup_end NAME SIPP: NAME hangs up, SIPp's scenario passes, the
# call ended normally and the kernel is left clean
sipp_hangup_end()
{
	local r=0

	ctl "$1" hangup all >/dev/null || r=1
	busywait 10000 all_closed "$1" || { diag "$1 not closed"; r=1; }
	sipp_ok "$2" || r=1
	call_is "$1" "normal 1/0/1/1" || r=1
	fw_final "$1" 1 0 || r=1
	return $r
}

# sipp_calls_bob NAME SCENARIO [sipp options]: SIPp in the far namespace
# calls bob (--auto-answer) with SCENARIO, which passes; bob's calls end
sipp_calls_bob()
{
	local name=$1 sf=$2 r=0

	shift 2
	start_ua bob 7 --auto-answer || return 1
	sipp_start "$name" "$sf" -p 5070 -s bob "$IP_B:5060" "$@"
	sipp_ok "$name" 30000 || r=1
	busywait 10000 all_closed bob || { diag "bob not closed"; r=1; }
	return $r
}

sipp_auth_invite()
{
	local r=0 PORT=

	start_ua alice 5 --password "$PASSWORD" || return 1
	sipp_start a407 uas_407.xml -p 5060 -s bob -rtp_echo -mp 40000
	busywait 10000 udp_bound "$NS_F" 5060 || { diag "SIPp UAS not listening"; return 1; }
	ctl alice call "sip:bob@$IP_F" >/dev/null || return 1
	sipp_media_to alice 40000 || r=1
	need_log alice "< 407 .*cseq=1/INVITE" || r=1
	need_log alice "\. call [0-9]+: INVITE challenged \(407\), sent again with credentials" || r=1
	sipp_hangup_end alice a407 || r=1
	return $r
}

sipp_fork()
{
	local r=0 PORT=

	start_ua alice 5 || return 1
	sipp_start fork uas_fork.xml -p 5060 -s bob -rtp_echo -mp 40000 \
		-key mb 40000 -key mc 40010
	busywait 10000 udp_bound "$NS_F" 5060 || { diag "SIPp UAS not listening"; return 1; }
	ctl alice call "sip:bob@$IP_F" >/dev/null || return 1
	sipp_media_to alice 40000 || r=1
	busywait 10000 logged alice "\. call [0-9]+: BYE of a refused fork answered 200" ||
		{ diag "alice: fork C's BYE not answered"; r=1; }
	# C's 200 changed nothing in the kernel: still bound to B
	ph_stays alice 40000 "after C's 200" || r=1
	sipp_hangup_end alice fork || r=1
	return $r
}

sipp_late_offer()
{
	local r=0 PORT=

	start_ua bob 7 --auto-answer || return 1
	sipp_start late oa_late.xml -p 5070 -s bob "$IP_B:5060" \
		-key rtp_port 40000 -rtp_echo -mp 40000
	sipp_media_to bob 40000 || r=1
	need_log bob "< INVITE .*peer=$IP_F:5070" || r=1
	sipp_hangup_end bob late || r=1
	return $r
}

sipp_require_420()
{
	local r=0

	sipp_calls_bob req oa_require.xml -key rtp_port 40000 || r=1
	need_log bob "> 420 Bad Extension .*peer=$IP_F:5070" || r=1
	calls_of bob || r=1
	expect "bob's calls" "${#CALLS[@]}" 0 || r=1
	fw_final bob 0 0 || r=1
	return $r
}

sipp_prack()
{
	local r=0

	sipp_calls_bob uac prack_uac.xml -key ext Require -key rtp_port 40100 || r=1
	need_log bob "\. call [0-9]+: 180 sent reliably" || r=1
	need_log bob "\. call [0-9]+: 200 waits for the PRACK of our 180" || r=1
	need_log bob "> 481 .*cseq=2/PRACK" || r=1
	need_log bob "\. call [0-9]+: PRACK of our 180" || r=1
	call_is bob "normal 1/0/1/1" || r=1
	if [ "$FW" = kmod ]; then
		busywait 5000 closed_to bob "$IP_F:40100" ||
			{ diag "bob: no pinhole bound to SIPp's :40100"; r=1; }
	fi
	fw_final bob 1 0 || r=1
	return $r
}

sipp_prack_cancel()
{
	local r=0

	sipp_calls_bob pc prack_cancel.xml -key rtp_port 40000 || r=1
	need_log bob "\. call [0-9]+: 200 waits for the PRACK of our 180" || r=1
	need_log bob "\. call [0-9]+: 487 instead of the 200 that waited for the PRACK" || r=1
	need_log bob "> 487 Request Terminated .*cseq=1/INVITE" || r=1
	[ "$(nlogged bob '> 200 OK .*cseq=1/INVITE')" = 0 ] ||
		{ diag "bob: the held 200 was sent"; r=1; }
	call_is bob "cancelled 1/0/0/1" || r=1
	fw_final bob 1 0 || r=1
	return $r
}

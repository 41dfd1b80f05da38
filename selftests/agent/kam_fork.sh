# SPDX-License-Identifier: GPL-2.0
# kam_fork.sh - Kamailio as an authenticating proxy with parallel forking
# (RFC 3261 22.3, 16.7) in the VM, with pinhole.ko: one user registered
# twice, the caller's pinholes follow the fork that answered. Sourced by
# run.sh (its helpers, its topology; sipp_media_to from sipp_matrix.sh,
# the AUTH_INVITE kamailio of proxy_auth.sh).
#
#   alice 10.88.0.1, bob 10.88.0.2 (pinholed, registered as bob)
#   kamailio 10.88.0.3:5070 (registrar, digest on REGISTER and INVITE,
#   record-routing proxy)
#   far 10.88.0.4: SIPp registered as bob as well (reg_user.xml)
#
#   kam_parallel_fork  alice calls bob@pinhole.test: 407, the INVITE again
#                      with credentials; kamailio forks it to both contacts; pinholed bob rings (180,
#                      an early dialog at alice), SIPp answers 1 s later
#                      (uas_fork_answer.xml); alice's dialog is SIPp's
#                      (two forks seen), her RTP pinhole bound to SIPp's
#                      media and counting its echo, never to bob's; bob
#                      gets kamailio's CANCEL, 487, no pinhole of his
#                      left; the hang-up reaches SIPp through kamailio

kam_parallel_fork()
{
	local r=0 PORT=

	start_kamailio_auth || return 1
	start_auth_registered alice 5 || return 1
	start_auth_registered bob 7 || return 1
	( cd "$T" && ip netns exec "$NS_F" sipp "$IP_P:$KAM_AUTH_PORT" -sf "$SIPPDIR/reg_user.xml" \
		-i "$IP_F" -p 5070 -m 1 -nostdin -timeout 30 -s bob \
		-key domain "$DOMAIN" -au bob -ap "$PASSWORD" >"$T/kreg.sipp.out" 2>&1 ) ||
		{ diag "SIPp did not register as bob"; return 1; }
	sipp_start kfork uas_fork_answer.xml -p 5070 -s bob -d 1000 -rtp_echo -mp 40000
	busywait 10000 udp_bound "$NS_F" 5070 || { diag "SIPp UAS not listening"; return 1; }
	ctl alice call "sip:bob@$DOMAIN" >/dev/null || return 1
	sipp_media_to alice 40000 || r=1
	need_log alice "< 407 .*cseq=1/INVITE.*peer=$IP_P:$KAM_AUTH_PORT" || r=1
	need_log alice "\. call [0-9]+: INVITE challenged \(407\), sent again with credentials" || r=1
	need_log bob "< INVITE .*peer=$IP_P:$KAM_AUTH_PORT" || r=1
	need_log alice "< 180 .*peer=$IP_P:$KAM_AUTH_PORT" || r=1
	need_log alice "\. call [0-9]+: dialog confirmed .*forks=2" || r=1
	busywait 10000 all_closed bob || { diag "bob's fork not closed"; r=1; }
	need_log bob "< CANCEL .*peer=$IP_P:$KAM_AUTH_PORT" || r=1
	need_log bob "> 487 " || r=1
	call_is bob "cancelled 0/0/0/0" || r=1
	fw_final bob 0 0 || r=1
	# never bound to bob's media (his ports), never re-bound
	ph_stays alice 40000 "off SIPp's media" || r=1
	sipp_hangup_end alice kfork || r=1
	need_log alice "> BYE .*peer=$IP_P:$KAM_AUTH_PORT" || r=1
	return $r
}

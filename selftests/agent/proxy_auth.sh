# SPDX-License-Identifier: GPL-2.0
#
# proxy_auth.sh - sourced by run.sh: kamailio as an authenticating proxy
# (selftests/sip/kamailio.cfg with AUTH_INVITE: every new INVITE gets 407
# Proxy-Authenticate, as PBXs and providers do), a second instance on
# port 5070 of the proxy's namespace, started and stopped by each test.
#
#   proxy_auth_call            alice (credentials) calls bob through it:
#                              407, the INVITE again with
#                              Proxy-Authorization, relayed; bob (--100rel
#                              prefer) rings reliably and alice's PRACK
#                              goes through the proxy's route set; the
#                              call is up with media and ends normally
#   proxy_auth_no_credentials  alice without --password: the 407 is final,
#                              the call is rejected, bob never sees it,
#                              alice's port is opened once and closed

KAM_AUTH_PORT=5070

start_kamailio_auth()
{
	mkdir -p "$T/kam_auth"
	ip netns exec "$NS_P" kamailio -f "$TOP/selftests/sip/kamailio.cfg" -DD -E \
		-A "LISTEN=udp:$IP_P:$KAM_AUTH_PORT" -A "PASSWORD=\"$PASSWORD\"" \
		-A AUTH_INVITE -Y "$T/kam_auth" -P "$T/kam_auth/kamailio.pid" \
		>>"$T/kamailio_auth.log" 2>&1 &
	PIDS+=($!)
	busywait 15000 udp_bound "$NS_P" "$KAM_AUTH_PORT" ||
		{ diag "kamailio (auth) did not start"; return 1; }
}

# start_auth_ua NAME TB [options]: a pinholed whose outbound proxy is the
# authenticating kamailio
start_auth_ua()
{
	local name=$1 tb=$2

	shift 2
	start_ua "$name" "$tb" --proxy "sip:$IP_P:$KAM_AUTH_PORT" --domain "$DOMAIN" \
		--media-peer any "$@"
}

# start_auth_registered NAME TB [options]: the same, registered (digest)
start_auth_registered()
{
	local name=$1

	start_auth_ua "$@" --register --password "$PASSWORD" || return 1
	busywait 15000 registered "$name" || { diag "$name not registered"; return 1; }
}

proxy_auth_call()
{
	local r=0

	start_kamailio_auth || return 1
	start_auth_registered alice 5 || return 1
	start_auth_registered bob 7 --auto-answer --100rel prefer || return 1
	ctl alice call "sip:bob@$DOMAIN" >/dev/null || return 1
	busywait 15000 has_state alice established || { diag "alice not established"; return 1; }
	busywait 10000 has_state bob established || { diag "bob not established"; return 1; }
	media_up alice || r=1
	media_up bob || r=1
	need_log alice "< 407 Proxy Authentication Required .*cseq=1/INVITE.*peer=$IP_P:$KAM_AUTH_PORT" || r=1
	need_log alice ". .*INVITE challenged \\(407\\), sent again with credentials" || r=1
	need_log alice "> INVITE sip:bob@$DOMAIN .*cseq=2/INVITE.*peer=$IP_P:$KAM_AUTH_PORT" || r=1
	need_log bob "< INVITE .*peer=$IP_P:$KAM_AUTH_PORT" || r=1
	# RFC 3262 through the proxy: bob's 180 reliable, alice's PRACK
	# along the route set, bob's 200 after it
	need_log bob ". .*180 sent reliably" || r=1
	need_log alice "> PRACK .*peer=$IP_P:$KAM_AUTH_PORT" || r=1
	need_log bob ". .*PRACK of our 180" || r=1
	pair_hangup_end || r=1
	need_log alice "> BYE .*peer=$IP_P:$KAM_AUTH_PORT" || r=1
	return $r
}

proxy_auth_no_credentials()
{
	local r=0

	start_kamailio_auth || return 1
	start_auth_registered bob 7 --auto-answer || return 1
	start_auth_ua alice 5 || return 1
	ctl alice call "sip:bob@$DOMAIN" >/dev/null || return 1
	busywait 15000 all_closed alice || { diag "alice's call not closed"; return 1; }
	need_log alice "< 407 Proxy Authentication Required .*cseq=1/INVITE" || r=1
	need_log alice ". .*INVITE challenged \\(407\\) and no --password" || r=1
	call_is alice "rejected 1/0/0/1" || r=1
	fw_final alice 1 0 || r=1
	calls_of bob || r=1
	expect "bob calls" "${#CALLS[@]}" 0 || r=1
	fw_final bob 0 0 || r=1
	return $r
}

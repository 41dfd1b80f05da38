# SPDX-License-Identifier: GPL-2.0
# session_timer.sh - SIP session timers (RFC 4028) end to end with
# pinhole.ko; sourced by run.sh (its helpers, its topology).
#
#   sipp_session_timer   a SIPp caller asks Session-Expires: 24;refresher=uac
#                        of bob (--session-expires 0: none asked, the
#                        peer's honoured; --min-se 2: below RFC 4028's
#                        floor, for tests), refreshes twice by UPDATE (3 s
#                        apart), then stops: the pinholes stay open, never
#                        reopened, across both refreshes (each re-arms
#                        bob's timer), and bob sends BYE at the expiry
#                        (24 - 8 s after the last refresh, room for a
#                        loaded TCG guest's slow polling): the call ends
#                        normally and its pinholes are closed

# st_refreshed NAME N: NAME's established call received N refreshes
st_refreshed()
{
	established "$1" && [ "$(jget "$EST" refreshes_received)" = "$2" ]
}

sipp_session_timer()
{
	local r=0 ev

	start_ua bob 7 --auto-answer --session-expires 0 --min-se 2 || return 1
	sipp_start st st_vm_uac.xml -p 5070 -s bob "$IP_B:5060" -mp 40000
	busywait 15000 has_state bob established || { diag "bob not established"; return 1; }
	busywait 20000 st_refreshed bob 2 || { diag "bob: not refreshed twice: $EST"; r=1; }
	established bob || r=1
	[ "$(jget "$EST" interval)" = 24 ] && [ "$(jget "$EST" refresher)" = peer ] ||
		{ diag "bob: session timer: $EST"; r=1; }
	if [ "$FW" = kmod ]; then
		# open across the refreshes: the call's two pinholes opened
		# once, none closed yet (the kernel's events)
		ev=$(mon bob '[.[] | select(.event == "opened" or .event == "closed") | .event] | join(",")')
		[ "$ev" = "opened,opened" ] ||
			{ diag "bob: kernel events '$ev' after the refreshes (at $(now_ms))"; r=1; }
	fi
	[ "$(jget "$EST" opens)" = 1 ] && [ "$(jget "$EST" closes)" = 0 ] ||
		{ diag "bob: pinholes reopened or closed: $EST"; r=1; }
	busywait 20000 all_closed bob || { diag "bob: no BYE at the expiry"; r=1; }
	need_log bob "\. call [0-9]+: session expired \(RFC 4028\)" || r=1
	sipp_ok st || r=1
	call_is bob "normal 1/0/1/1" || r=1
	fw_final bob 1 0 || r=1
	[ $r = 0 ] || grep -E "UPDATE|session|BYE|closed" "$T/bob.log" | tail -n 20 |
		while IFS= read -r l; do diag "  $l"; done
	return $r
}

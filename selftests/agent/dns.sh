# SPDX-License-Identifier: GPL-2.0
#
# dns.sh - RFC 3263 in the VM (sourced by run.sh): alice dials
# sip:bob@pbx.test with no address or port; a DNS server in her namespace
# (agent/tests/fakedns.py on 127.0.0.1:53, her --dns-server) answers
#
#   NAPTR pbx.test   -> SIP+D2T _sip._tcp.pbx.test
#   SRV   _sip._tcp  -> 10 dead.pbx.test:5060 (the far namespace: nothing
#                       listens, the connection is refused)
#                       20 bob.pbx.test:5060 (bob)
#   A / AAAA         -> their addresses
#
# alice and bob run SIP over TCP (a refused connection fails over at once,
# where a silent UDP target would cost Timer B, 32 s). Checked: the
# queries in RFC 3263 order, the failover in alice's log, the call set up
# with bob, alice's pinholes bound to bob's media address and counting
# RTP, everything closed and the table empty after the hang-up; no INVITE
# retransmitted over TCP (RFC 3261 17.1.1.2: Timer A on unreliable
# transports only).
#
#   dns_srv_failover    over IPv4 (A records)
#   dns_srv_failover6   over IPv6 (AAAA records; fd88::4 in the far
#                       namespace is the dead one)

FAKEDNS=$TOP/agent/tests/fakedns.py
IP6_F=fd88::4

# dns_start ZONE_JSON: the DNS server in alice's namespace
dns_start()
{
	echo "$1" >"$T/zone.json"
	: >"$T/dns.queries"
	ip netns exec "$NS_A" /usr/bin/python3 "$FAKEDNS" --port 53 \
		--log "$T/dns.queries" "$T/zone.json" >"$T/dns.out" 2>&1 &
	PIDS+=($!)
	busywait 30000 grep -q "^listening 53" "$T/dns.out" ||
		{ diag "fakedns did not start: $(cat "$T/dns.out")"; return 1; }
}

# ph_remote_is NAME ADDR: NAME has pinholes, all with ADDR as remote
ph_remote_is()
{
	local p

	pinholes_of "$1" || return 1
	[ "${#PHS[@]}" -gt 0 ] || return 1
	for p in "${PHS[@]}"; do
		[ "$(jget "$p" remote_addr)" = "$2" ] || return 1
	done
}

dns_srv_failover() { dns_leases 15s; dns_failover_over 4; dns_rc=$?; dns_leases 3s; return $dns_rc; }
dns_srv_failover6() { dns_leases 15s; dns_failover_over 6; dns_rc=$?; dns_leases 3s; return $dns_rc; }

# dns_leases DURATION: the media ranges' leases (run.sh's are 3 s): a
# first lookup (c-ares reading its files, the DNS server's Python still
# warming up over 9p) has stalled the TCG guest for over 2 s, longer than
# a third of 3 s, so that a port expired before its first renewal
dns_leases()
{
	[ "$FW" = kmod ] || return 0
	ip netns exec "$NS_A" "$CTL" config set --range "udp:$MEDIA_A" \
		--open-lease "$1" --pinned-lease "$1" --active-lease "$1" >/dev/null &&
	ip netns exec "$NS_B" "$CTL" config set --range "udp:$MEDIA_B" \
		--open-lease "$1" --pinned-lease "$1" --active-lease "$1" >/dev/null
}

# dns_failover_over 4|6
dns_failover_over()
{
	local id r=0 u rr=A qt=1 dead=$IP_F ab=$IP_A bb=$IP_B bobip=$IP_B q

	if [ "$1" = 6 ]; then
		ipv6_setup || { diag "cannot add the v6 addresses"; return 1; }
		ip -n "$NS_F" -6 addr show dev eth0 | grep -q "$IP6_F/" ||
			ip -n "$NS_F" addr add "$IP6_F/64" dev eth0 nodad || return 1
		rr=AAAA qt=28 dead=$IP6_F ab="[$IP6_A]" bb="[$IP6_B]" bobip=$IP6_B
	fi
	dns_start '{"pbx.test": [["NAPTR", 10, 10, "S", "SIP+D2T", "_sip._tcp.pbx.test"]],
	  "_sip._tcp.pbx.test": [["SRV", 20, 0, 5060, "bob.pbx.test"],
				 ["SRV", 10, 0, 5060, "dead.pbx.test"]],
	  "dead.pbx.test": [["'$rr'", "'$dead'"]],
	  "bob.pbx.test": [["'$rr'", "'$bobip'"]]}' || return 1
	start_ua alice 5 --listen "$ab:5060" --transport tcp \
		--dns-server 127.0.0.1 || return 1
	start_ua bob 7 --auto-answer --listen "$bb:5060" --transport tcp || return 1
	id=$(ctl alice call "sip:bob@pbx.test") || return 1
	busywait 10000 has_state alice established || { diag "alice not established"; r=1; }
	busywait 10000 has_state bob established || { diag "bob not established"; return 1; }
	q=$(tr '\n' ' ' <"$T/dns.queries")
	expect "DNS queries" "$q" \
		"pbx.test 35 _sip._tcp.pbx.test 33 dead.pbx.test $qt bob.pbx.test $qt " || r=1
	need_log alice ". INVITE to .*$dead.*5060: .*trying the next address \(2 of 2\)" || r=1
	need_log alice "< 200 OK .*cseq=1/INVITE.*peer=\[?$bobip\]?:5060" || r=1
	! logged alice "D retransmit INVITE" ||
		{ diag "alice retransmitted her INVITE over TCP (17.1.1.2)"; r=1; }
	if [ "$1" = 6 ]; then
		media6_up alice "$IP6_B" || r=1
	else
		media_up alice || r=1
		[ "$FW" = kmod ] && ! ph_remote_is alice "$IP_B" &&
			{ diag "alice's pinholes not bound to bob's $IP_B: ${PHS[*]}"; r=1; }
	fi
	ctl alice hangup "$id" || r=1
	busywait 10000 all_closed alice || { diag "alice not closed"; r=1; }
	busywait 10000 all_closed bob || { diag "bob not closed"; r=1; }
	for u in alice bob; do
		call_is $u "normal 1/0/1/1" || r=1
		fw_final $u 1 0 || r=1
	done
	return $r
}

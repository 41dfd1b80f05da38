#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Traffic through pinhole.ko on a real link, IPv4 and IPv6: dropped without
# a pinhole, accepted through one, untouched outside the managed ranges;
# checked at the receiving socket and in the module's counters.
#
#   +----------------------+            +----------------------------+
#   | ns phc-PID (client)  |            | ns phs-PID (server)        |
#   |  veth0               |<--veth---->|  veth1     pinhole.ko      |
#   |  10.99.0.1/24        |            |  10.99.0.2/24  managed:    |
#   |  fd99::1/64          |            |  fd99::2/64    udp/tcp     |
#   +----------------------+            |                5000-5999   |
#                                       +----------------------------+

source "$(dirname "$(readlink -f "$0")")/lib.sh"

C=phc-$$
S=phs-$$
N=20
NTESTS=12
cleanup() {
	ip netns del "$C" 2>/dev/null
	ip netns del "$S" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
tmp=$(mktemp -d)

ktap_header $NTESTS
[ "$(id -u)" = 0 ] || { skip_rest $NTESTS "needs root"; exit $KSFT_SKIP; }
ph_load 2>/dev/null
ph_family || { skip_rest $NTESTS "pinhole module not loaded ($PINHOLE_KO)"; exit $KSFT_SKIP; }

ip netns add "$C" && ip netns add "$S" || { skip_rest $NTESTS "cannot create netns"; exit $KSFT_SKIP; }
ip -n "$C" link add veth0 type veth peer name veth1 netns "$S" ||
	{ skip_rest $NTESTS "no veth"; exit $KSFT_SKIP; }
ip -n "$C" addr add 10.99.0.1/24 dev veth0
ip -n "$S" addr add 10.99.0.2/24 dev veth1
ip -n "$C" addr add fd99::1/64 dev veth0 nodad
ip -n "$S" addr add fd99::2/64 dev veth1 nodad
for ns in "$C" "$S"; do ip -n "$ns" link set lo up; done
ip -n "$C" link set veth0 up
ip -n "$S" link set veth1 up

srv() { ip netns exec "$S" "$PHTOOL" "$@"; }

# udp FAMILY DST PORT: send N datagrams from the client, print how many
# the server's socket received
udp() {
	local fam=$1 dst=$2 port=$3 bind=10.99.0.2
	[ "$fam" = 6 ] && bind=fd99::2
	rm -f "$tmp/ready"
	srv recv "$fam" "$bind" "$port" $N 4000 "$tmp/ready" > "$tmp/got" &
	local pid=$!
	busywait 20000 test -e "$tmp/ready" || echo "# receiver did not bind" >&2
	ip netns exec "$C" "$PHTOOL" send "$fam" "$dst" "$port" $N 100 >/dev/null
	wait $pid
	cat "$tmp/got"
}

srv ranges udp:5000-5999 tcp:5000-5999 || { skip_rest $NTESTS "cannot configure ranges"; exit $KSFT_SKIP; }
# warm ARP/ND on a port the module does not manage
udp 4 10.99.0.2 7000 >/dev/null
udp 6 fd99::2 7000 >/dev/null

for fam in 4 6; do
	dst=10.99.0.2; [ $fam = 6 ] && dst=fd99::2
	d0=$(srv stat dropped); a0=$(srv stat accepted)
	check "ipv${fam}_udp_dropped_without_pinhole_socket" eq 0 udp $fam $dst 5001
	check "ipv${fam}_udp_dropped_without_pinhole_counter" eq $((d0 + N)) srv stat dropped
	id=$(srv open $fam udp 5001 60000)
	check "ipv${fam}_udp_accepted_through_pinhole_socket" eq $N udp $fam $dst 5001
	check "ipv${fam}_udp_accepted_counters" \
		eval "eq $N srv get '$id' packets && ge $((N * 100)) srv get '$id' bytes && eq $((a0 + N)) srv stat accepted"
	srv close "$id"
done

d0=$(srv stat dropped); a0=$(srv stat accepted)
check "outside_ranges_untouched" \
	eval "eq $N udp 4 10.99.0.2 6001 && eq $N udp 6 fd99::2 6001 && eq $N udp 4 10.99.0.2 4999"
check "outside_ranges_not_counted" eval "eq $d0 srv stat dropped && eq $a0 srv stat accepted"
check "client_namespace_unaffected" eq 0 ip netns exec "$C" "$PHTOOL" stat dropped
check "server_table_empty_at_end" eq 0 srv count
ktap_exit

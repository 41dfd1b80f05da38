#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Unload pinhole.ko while a UDP flood crosses it: rmmod must succeed, the
# family must be gone, the kernel log must stay clean (the VM runner also
# boots with panic_on_warn), and once the module is gone the formerly
# managed port must be reachable again.
#
#   ns phuc-PID (client)  veth0 10.98.0.1 <--veth--> veth1 10.98.0.2  ns phus-PID (server)
#        phtool flood --> 10.98.0.2:5001 (pinhole) and :5002 (no pinhole)

source "$(dirname "$(readlink -f "$0")")/lib.sh"

C=phuc-$$
S=phus-$$
NTESTS=7
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	ip netns del "$C" 2>/dev/null
	ip netns del "$S" 2>/dev/null
}
trap cleanup EXIT

ktap_header $NTESTS
[ "$(id -u)" = 0 ] || { skip_rest $NTESTS "needs root"; exit $KSFT_SKIP; }
[ -r "$PINHOLE_KO" ] || { skip_rest $NTESTS "no module at $PINHOLE_KO"; exit $KSFT_SKIP; }
ph_load 2>/dev/null
ph_family || { skip_rest $NTESTS "pinhole module not loaded"; exit $KSFT_SKIP; }
dmesg_mark

ip netns add "$C"; ip netns add "$S"
ip -n "$C" link add veth0 type veth peer name veth1 netns "$S"
ip -n "$C" addr add 10.98.0.1/24 dev veth0
ip -n "$S" addr add 10.98.0.2/24 dev veth1
ip -n "$C" link set veth0 up; ip -n "$S" link set veth1 up
ip -n "$C" link set lo up; ip -n "$S" link set lo up
srv() { ip netns exec "$S" "$PHTOOL" "$@"; }

srv ranges udp:5000-5999
srv open 4 udp 5001 600000 >/dev/null
ip netns exec "$S" "$PHTOOL" recv 4 0.0.0.0 5001 -1 30000 >/dev/null &
pids="$pids $!"
ip netns exec "$C" "$PHTOOL" flood 4 10.98.0.2 5001 60 &
pids="$pids $!"
ip netns exec "$C" "$PHTOOL" flood 4 10.98.0.2 5002 60 &
pids="$pids $!"

check "flood_flows_through_module" \
	busywait 10000 eval 'ge 100 srv stat accepted 2>/dev/null && ge 100 srv stat dropped 2>/dev/null'
check "rmmod_during_flood" rmmod pinhole
check "family_gone" ph_no_family
check "sysfs_gone" test ! -d /sys/module/pinhole
check "unmanaged_after_unload" ge 1 srv recv 4 10.98.0.2 5002 1 3000
for p in $pids; do kill "$p" 2>/dev/null; done
wait 2>/dev/null
pids=
check "dmesg_clean" dmesg_clean
check "reload_after_flood" eval 'insmod "$PINHOLE_KO" && busywait 2000 ph_family'
ktap_exit

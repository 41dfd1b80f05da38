#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Load and unload pinhole.ko: the generic netlink family appears with the
# module and disappears with it, also when pinholes are still open, and the
# kernel log stays clean.
#
#   (no topology: one throw-away namespace "phl-$$" holds a pinhole while
#    the module is removed, and a listener there hears it closed with
#    reason MODULE_EXIT)

source "$(dirname "$(readlink -f "$0")")/lib.sh"

NS=phl-$$
NTESTS=10
tmp=$(mktemp -d)
cleanup() {
	[ -n "${lpid:-}" ] && kill "$lpid" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$tmp"
	if [ "$was_loaded" = 1 ]; then ph_load 2>/dev/null; fi
}
trap cleanup EXIT

ktap_header $NTESTS
if [ ! -r "$PINHOLE_KO" ]; then
	skip_rest $NTESTS "no module at $PINHOLE_KO (set PINHOLE_KO)"
	exit $KSFT_SKIP
fi
[ "$(id -u)" = 0 ] || { skip_rest $NTESTS "needs root"; exit $KSFT_SKIP; }
was_loaded=0
if ph_loaded; then was_loaded=1; rmmod pinhole || true; fi
dmesg_mark

check "family_absent_before_insmod" ph_no_family
check "insmod" insmod "$PINHOLE_KO"
check "family_registered" busywait 2000 ph_family
ip netns add "$NS"
ip -n "$NS" link set lo up
id=$(ip netns exec "$NS" "$PHTOOL" open 4 udp 5001 60000)
check "open_in_netns" test -n "$id"
# a listener in the namespace: unloading must announce the pinhole closed
ip netns exec "$NS" "$PHTOOL" wait-closed "${id:-0}" 10000 "$tmp/ready" > "$tmp/reason" &
lpid=$!
busywait 5000 test -e "$tmp/ready"
check "rmmod_with_pinholes_open" rmmod pinhole
wait "$lpid"; lpid=
# PINHOLE_REASON_MODULE_EXIT
check "closed_event_reason_module_exit" eq 6 cat "$tmp/reason"
check "family_gone_after_rmmod" ph_no_family
check "sysfs_gone_after_rmmod" test ! -d /sys/module/pinhole
insmod "$PINHOLE_KO" || true
check "reload_starts_empty" eq 0 ip netns exec "$NS" "$PHTOOL" count
rmmod pinhole || true
check "dmesg_clean" dmesg_clean
ktap_exit

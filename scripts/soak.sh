#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# soak.sh - the soak ("make soak"): SOAK_CALLS calls at once for
# SOAK_SECONDS through pinholed with pinhole.ko, in one qemu VM (TCG),
# SIPp calling pinholed (selftests/agent/soak.sh tells what is measured
# and what must hold). Prints the summary ("# soak:" lines) and exits
# non-zero when a criterion fails (or the VM did not report).
#
# Usage: scripts/soak.sh [--kernel VERSION]
# Environment: SOAK_CALLS (1000), SOAK_SECONDS (600), SOAK_HOLD,
# SOAK_PTIME, SOAK_RSS_PCT, SOAK_MEDIA, SOAK_SIPP_MINOR_TRIPS (see
# selftests/agent/soak.sh; from 500 calls on SOAK_MEDIA defaults to none,
# SOAK_HOLD to 120 and AGENT_SLACK to 4, see below); AGENT_SLACK
# (run.sh: its waits times this, default 2; a loaded host may need 4); SOAK_MEM (MB,
# default 4096), SOAK_CPUS (2). The log of the run: build/soak/soak.log.

set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

kernel=$(ls /boot/vmlinuz-*-amd64 2>/dev/null | sed 's|/boot/vmlinuz-||' | sort -V | head -n 1)
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) kernel=$2; shift 2 ;;
	-h|--help) sed -n '2,/^$/s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "soak: unknown option '$1'" >&2; exit 2 ;;
	esac
done
[ -n "$kernel" ] || { echo "soak: no kernel in /boot" >&2; exit 1; }

calls=${SOAK_CALLS:-1000}
seconds=${SOAK_SECONDS:-600}
case "$calls$seconds" in
*[!0-9]*) echo "soak: SOAK_CALLS and SOAK_SECONDS take whole numbers" >&2; exit 2 ;;
esac
[ "$calls" -gt 0 ] && [ "$seconds" -ge 6 ] ||
	{ echo "soak: SOAK_CALLS must be > 0 and SOAK_SECONDS >= 6" >&2; exit 2; }

# 1000 calls with RTP both ways are ~33 000 packets/s through pinholed,
# more than two TCG vCPUs carry (about 5 us a packet on the host, 20-100x
# that under TCG): from 500 calls on, the default is signalling and
# pinholes only (SOAK_MEDIA=none), each call held 120 s (8.3 calls/s at
# 1000), run.sh's waits 4x; SOAK_MEDIA=echo asks for the RTP anyway
if [ "$calls" -ge 500 ]; then
	: "${SOAK_MEDIA:=none}" "${AGENT_SLACK:=4}"
	: "${SOAK_HOLD:=$(( seconds / 3 < 120 ? seconds / 3 : 120 ))}"
fi

make -C agent >/dev/null || exit 1
make "build/kmod/$kernel/pinhole.ko" >/dev/null || exit 1
mkdir -p build/soak
log=build/soak/soak.log

# the guest's wall time: boot, set-up, the load and its wind-down
# (SOAK_HOLD), the 64*T1 linger, twice over for TCG
timeout=$(( 600 + 2 * (seconds + ${SOAK_HOLD:-60} + 60) ))
vars=()
for v in SOAK_HOLD SOAK_PTIME SOAK_RSS_PCT SOAK_MEDIA SOAK_SIPP_MINOR_TRIPS AGENT_SLACK; do
	[ -n "${!v:-}" ] && vars+=("$v=${!v}")
done
echo "soak: $calls calls for $seconds s, kernel $kernel, VM timeout $timeout s; log $log"
PINHOLE_KO=$top/build/kmod/$kernel/pinhole.ko \
	selftests/vm/run-vm.sh --kernel "$kernel" --cpus "${SOAK_CPUS:-2}" \
	--mem "${SOAK_MEM:-4096}" --timeout "$timeout" -- \
	env SOAK_CALLS="$calls" SOAK_SECONDS="$seconds" "${vars[@]}" \
	SOAK_OUT="$top/build/soak" AGENT_DELAY_MS=0 selftests/agent/run.sh soak >"$log" 2>&1
rc=$?
grep -aE "^(# soak|ok|not ok)" "$log"
grep -aEq '^ok [0-9]+ soak' "$log" || rc=${rc/#0/1}
echo "soak: $( [ "$rc" = 0 ] && echo PASS || echo "FAIL (status $rc, see $log)")"
exit "$rc"

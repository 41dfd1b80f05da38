#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh - the pinhole benchmarks ("make bench").
#
# On the host: builds bench/ and pinhole.ko for the bench kernel, boots ONE
# qemu VM (TCG, --icount: guest time counts executed instructions, so ratios
# inside one boot repeat within ~1%) and runs this same script inside it with
# --in-vm; then writes bench/results/results.md and the plots
# (bench/report.sh) and prints the table.
#
# Inside the VM the steps run in this order; each belongs to a section:
#
#   step           section    what
#   dp_base        datapath   (a) no module, no rules: UDP rx pkts/s
#   dp_nft         datapath   (b) nftables set + drop of the managed range,
#                             0/1k/100k/1M elements; bytes per element
#   dp_pinhole     datapath   (c) pinhole.ko, 0/1k/100k/1M pinholes;
#                             bytes per pinhole
#   cp_pinhole     control    100k OPEN + CLOSE, one at a time and batched
#   cp_nft         control    100k set elements add + delete: nft -f and raw
#                             nfnetlink (one at a time and batched)
#   dp_base_end    datapath   (a) again after rmmod: drift check
#
# New sections (call set-up, call rate) add a step_NAME function, a line in
# STEPS below and their rows in bench/report.sh.
#
# Usage: scripts/bench.sh [--kernel VERSION] [--sections "datapath control"]
#                         [--quick] [--no-module]
#   --quick      small counts and short runs (tests the machinery in minutes)
#   --no-module  skip the pinhole steps even when pinhole.ko builds
# Environment: BENCH_MEM (MB, default 6144), BENCH_TIMEOUT (s, default 2400).

set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

STEPS="dp_base:datapath dp_nft:datapath dp_pinhole:datapath
       cp_pinhole:control cp_nft:control dp_base_end:datapath"

kernel=6.1.0-56-amd64
sections="datapath control"
quick=0
nomod=0
invm=0
ko=
out=
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) kernel=$2; shift 2 ;;
	--sections) sections=$2; shift 2 ;;
	--quick) quick=1; shift ;;
	--no-module) nomod=1; shift ;;
	--in-vm) invm=1; shift ;;
	--ko) ko=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	-h|--help) sed -n '2,/^$/s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "bench: unknown option '$1'" >&2; exit 2 ;;
	esac
done

# ---------------------------------------------------------------------------
# host side
# ---------------------------------------------------------------------------
if [ "$invm" -eq 0 ]; then
	results=$top/bench/results
	raw=$results/raw
	[ -e /boot/vmlinuz-"$kernel" ] ||
		kernel=$(ls /boot/vmlinuz-6.1.*-amd64 2>/dev/null | sed 's|/boot/vmlinuz-||' | sort -V | tail -n 1)
	[ -n "$kernel" ] || { echo "bench: no Debian 6.1 kernel in /boot" >&2; exit 1; }
	make -s -C bench || { echo "bench: building bench/ failed" >&2; exit 1; }
	ko_arg=()
	if [ "$nomod" -eq 0 ]; then
		# a private build: in-tree build products or a "make check" running
		# meanwhile must not break or replace the module under test
		if bench/build-ko.sh "$kernel" "$top/build/bench/pinhole-$kernel.ko"; then
			ko_arg=(--ko "$top/build/bench/pinhole-$kernel.ko")
		else
			echo "bench: pinhole.ko does not build for $kernel (see build/bench/pinhole-$kernel.ko.log):" \
			     "running without the module" >&2
		fi
	fi
	rm -rf "$raw"
	mkdir -p "$raw"
	q=()
	[ "$quick" -eq 1 ] && q=(--quick)
	start=$(date +%s)
	selftests/vm/run-vm.sh --kernel "$kernel" --icount --mem "${BENCH_MEM:-6144}" \
		--timeout "${BENCH_TIMEOUT:-2400}" -- \
		"$top/scripts/bench.sh" --in-vm --out "$raw" --sections "$sections" \
		"${q[@]}" "${ko_arg[@]}" 2>&1 | tee "$raw/console.log"
	rc=${PIPESTATUS[0]}
	echo "wall_s=$(($(date +%s) - start))" >>"$raw/host.env"
	{
		echo "host_cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
		echo "host_cpus=$(nproc)"
		echo "host_mem=$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
		echo "host_kernel=$(uname -r)"
		echo "qemu=$(qemu-system-x86_64 --version | head -n 1)"
		echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
		echo "git=$(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet HEAD -- kmod 2>/dev/null || echo +dirty)"
		echo "vm_rc=$rc"
		echo "quick=$quick"
	} >>"$raw/host.env"
	bench/report.sh "$raw" "$results" || exit 1
	[ "$rc" -eq 0 ] || echo "bench: the VM run ended with status $rc (see $raw/console.log)" >&2
	exit "$rc"
fi

# ---------------------------------------------------------------------------
# inside the VM
# ---------------------------------------------------------------------------
[ -n "$out" ] || { echo "bench: --in-vm needs --out" >&2; exit 2; }
mkdir -p "$out"
TSV=$out/results.tsv
: >"$TSV"
# the tools run from tmpfs: no 9p reads (guest idle time) around a measurement
mkdir -p /tmp/bench
cp "$top/bench/udpflood" "$top/bench/nlbench" /tmp/bench/ || exit 1
UDPFLOOD=/tmp/bench/udpflood
NLBENCH=/tmp/bench/nlbench

# the measured flow: 198.18.0.1 (netns tx) -> 198.18.0.2:20000 (netns rx).
# N entries = the pinholes/elements of 198.18.0.2:20000 and :60500 plus N-2
# from the fill (element k: 198.19.0.(k/50000+1), port 10000 + k % 50000), so
# port 20000 shares its hash chain like every fill port, 60500 has its own.
MADDR=198.18.0.2
MPORT=20000	# managed, opened by the measured pinhole / set element
UPORT=5000	# unmanaged: the N = 0 points
DPORT=20001	# managed, never opened: the drop check
APORT=60500	# managed, the only pinhole/element on its port ("alone" flow)
RANGE_FIRST=10000
RANGE_LAST=60999	# the fill uses 10000-59999

if [ "$quick" -eq 1 ]; then
	DUR_MS=${BENCH_DUR_MS:-50}; REPS=${BENCH_REPS:-1}
	SIZES="0 1000 10000"; CP_COUNT=${BENCH_CP_COUNT:-2000}
else
	DUR_MS=${BENCH_DUR_MS:-200}; REPS=${BENCH_REPS:-3}
	SIZES="0 1000 100000 1000000"; CP_COUNT=${BENCH_CP_COUNT:-100000}
fi
BATCH=${BENCH_BATCH:-1024}		# netlink messages per sendmsg
# Leases are guest time, and icount turns every idle wait into a jump of
# guest time (often seconds): lease-only pinholes get the longest lease.
LEASE_MS=604800000
MEM_AT=" 100000 1000000 10000 "		# fill sizes with a memory reading

log() { echo "bench: $*" >&2; }
rec() { printf '%s\t%s\t%s\t%s\t%s\n' "$@" >>"$TSV"; }	# step variant n metric value
kv() { sed -n "s/.*\<$1=\([^ ]*\).*/\1/p" <<<"$2"; }	# kv KEY LINE
now_ns() { date +%s%N; }
# user + system CPU time of this shell's finished children: "times >FILE"
# in this shell (not in a $(...) subshell), then cpu_ms FILE -> ms
cpu_ms() { awk 'NR == 2 { for (i = 1; i <= 2; i++) { split($i, t, "m");
	sub("s", "", t[2]); ms += (t[1] * 60 + t[2]) * 1000 } printf "%d\n", ms }' "$1"; }
in_sections() { case " $sections " in *" $1 "*) return 0 ;; esac; return 1; }

# kernel memory in use, kB: everything but free memory and the page cache
mem_used_kb() {
	local f
	sync
	sleep 2		# RCU-deferred frees (nftables teardown) complete
	echo 3 >/proc/sys/vm/drop_caches
	# give empty slab pages back, or memory freed by an earlier step and
	# reused by a (merged) cache would hide part of the next step's growth
	for f in /sys/kernel/slab/*/shrink; do echo 1 >"$f"; done 2>/dev/null
	echo 1 >/proc/sys/vm/compact_memory 2>/dev/null
	sleep 1
	awk '/^(MemTotal|MemFree|Buffers|Cached|Slab|VmallocUsed|Percpu):/ { v[$1] = $2 }
	     END { printf "used=%d slab=%d vmalloc=%d percpu=%d\n",
		   v["MemTotal:"] - v["MemFree:"] - v["Buffers:"] - v["Cached:"],
		   v["Slab:"], v["VmallocUsed:"], v["Percpu:"] }' /proc/meminfo
}

# mem_delta STEP VARIANT N BEFORE-LINE: bytes per entry against BEFORE
mem_delta() {
	local now m
	now=$(mem_used_kb)
	for m in used slab vmalloc percpu; do
		rec "$1" "$2" "$3" "mem_${m}_kb" $(($(kv $m "$now") - $(kv $m "$4")))
	done
	log "$2 n=$3 memory: $now (before: $4)"
}

# measure STEP VARIANT N PORT: median of REPS udpflood runs
measure() {
	local step=$1 var=$2 n=$3 port=$4 i line all=()
	for ((i = 0; i < REPS; i++)); do
		line=$("$UDPFLOOD" --tx-netns tx --rx-netns rx \
			--src 198.18.0.1 --dst "$MADDR" --port "$port" \
			--duration-ms "$DUR_MS" --batch 32) || { log "udpflood failed: $var n=$n port=$port"; return 1; }
		all+=("$(kv pps "$line")")
		echo "$step $var n=$n port=$port $line" >>"$out/udpflood.log"
	done
	local med
	med=$(printf '%s\n' "${all[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
	rec "$step" "$var" "$n" pps "$med"
	rec "$step" "$var" "$n" pps_all "$(IFS=,; echo "${all[*]}")"
	log "$var n=$n port=$port pps=$med (${all[*]})"
}

# drop_check STEP VARIANT: a managed port without pinhole must see nothing
drop_check() {
	local line
	if line=$("$UDPFLOOD" --tx-netns tx --rx-netns rx --src 198.18.0.1 --dst "$MADDR" \
		--port "$DPORT" --packets 2000 --warmup 0 --expect-drop); then
		rec "$1" "$2" 0 drop_check ok
	else
		rec "$1" "$2" 0 drop_check "FAILED($(kv received "$line") received)"
		log "$2: drop check FAILED: $line"
	fi
}

setup_net() {
	ip netns del tx 2>/dev/null
	ip netns del rx 2>/dev/null
	ip netns add tx && ip netns add rx || return 1
	ip -n tx link add veth0 type veth peer name veth1 netns rx || return 1
	ip -n tx addr add 198.18.0.1/30 dev veth0
	ip -n rx addr add 198.18.0.2/30 dev veth1
	ip -n tx link set lo up
	ip -n rx link set lo up
	ip -n tx link set veth0 up
	ip -n rx link set veth1 up
	# no ARP round trip inside the measurement
	ip -n tx neigh replace 198.18.0.2 dev veth0 \
		lladdr "$(ip -n rx -br link show veth1 | awk '{ print $3 }')" nud permanent
}

# sizes as (previous, current) pairs: fill only the increment
fill_plan() {
	local prev=0 n
	for n in $SIZES; do echo "$prev $n"; prev=$n; done
}

step_dp_base() {
	measure dp_base base 0 "$UPORT"
	measure dp_base base 1 "$MPORT"
}

step_dp_base_end() {
	if [ -n "$ko" ] && lsmod | grep -q '^pinhole '; then
		rmmod pinhole || { log "rmmod pinhole failed: no end baseline"; return 0; }
	fi
	ip netns exec rx nft delete table inet bench 2>/dev/null
	measure dp_base_end base_end 0 "$UPORT"
	measure dp_base_end base_end 1 "$MPORT"
}

step_dp_nft() {
	local prev n before line p
	modprobe nf_tables
	before=$(mem_used_kb)
	ip netns exec rx nft -f - <<-EOF || return 1
	table inet bench {
		set ph { type ipv4_addr . inet_service; }
		chain input {
			type filter hook input priority 0; policy accept;
			ip daddr . udp dport @ph accept
			udp dport $RANGE_FIRST-$RANGE_LAST drop
		}
	}
	EOF
	while read -r prev n <&3; do
		if [ "$n" -eq 0 ]; then
			measure dp_nft nft 0 "$UPORT"
			continue
		fi
		if [ "$prev" -eq 0 ]; then
			for p in "$MPORT" "$APORT"; do
				ip netns exec rx "$NLBENCH" nft-add --addr "$MADDR" --port "$p" >/dev/null || return 1
			done
			drop_check dp_nft nft
		fi
		line=$(ip netns exec rx "$NLBENCH" nft-fill --start $((prev > 0 ? prev - 2 : 0)) \
			--count $((n - (prev > 0 ? prev : 2))) --batch 64 --per-msg 16) || return 1
		log "nft fill to $n: $line"
		case "$MEM_AT" in *" $n "*) mem_delta dp_nft nft "$n" "$before" ;; esac
		measure dp_nft nft "$n" "$MPORT"
		measure dp_nft nft_alone "$n" "$APORT"
	done 3<<<"$(fill_plan)"
	ip netns exec rx nft delete table inet bench
}

step_dp_pinhole() {
	local prev n before line p
	[ -n "$ko" ] || { log "no pinhole.ko: skipping dp_pinhole"; return 0; }
	before=$(mem_used_kb)
	insmod "$ko" || return 1
	ip netns exec rx "$NLBENCH" ph-config --ranges "udp:$RANGE_FIRST-$RANGE_LAST" \
		--max-pinholes 1100000 --max-lease-ms "$LEASE_MS" >/dev/null || return 1
	while read -r prev n <&3; do
		if [ "$n" -eq 0 ]; then
			measure dp_pinhole pinhole 0 "$UPORT"
			continue
		fi
		if [ "$prev" -eq 0 ]; then
			for p in "$MPORT" "$APORT"; do
				ip netns exec rx "$NLBENCH" ph-open --lease-ms "$LEASE_MS" --addr "$MADDR" --port "$p" >/dev/null || return 1
			done
			drop_check dp_pinhole pinhole
		fi
		line=$(ip netns exec rx "$NLBENCH" ph-fill --lease-ms "$LEASE_MS" --start $((prev > 0 ? prev - 2 : 0)) \
			--count $((n - (prev > 0 ? prev : 2))) --batch "$BATCH") || return 1
		log "pinhole fill to $n: $line"
		rec dp_pinhole pinhole "$n" fill_ops_per_s "$(kv ops_per_s "$line")"
		case "$MEM_AT" in *" $n "*) mem_delta dp_pinhole pinhole "$n" "$before" ;; esac
		measure dp_pinhole pinhole "$n" "$MPORT"
		measure dp_pinhole pinhole_alone "$n" "$APORT"
	done 3<<<"$(fill_plan)"
	line=$(ip netns exec rx "$NLBENCH" ph-stats)
	log "pinhole stats: $line"
	rec dp_pinhole pinhole 0 stats "${line// /,}"
	ip netns exec rx "$NLBENCH" ph-flush >/dev/null
}

step_cp_pinhole() {
	local b line
	[ -n "$ko" ] || { log "no pinhole.ko: skipping cp_pinhole"; return 0; }
	lsmod | grep -q '^pinhole ' || insmod "$ko" || return 1
	ip netns del cp 2>/dev/null
	ip netns add cp
	ip netns exec cp "$NLBENCH" ph-config --max-pinholes $((CP_COUNT * 2)) \
		--max-per-owner $((CP_COUNT * 2)) >/dev/null || return 1
	for b in 1 "$BATCH"; do
		line=$(ip netns exec cp "$NLBENCH" ph-ctl --count "$CP_COUNT" --batch "$b") || return 1
		log "pinhole control batch=$b: $line"
		rec cp_pinhole "pinhole_b$b" "$CP_COUNT" open_per_s "$(kv open_per_s "$line")"
		rec cp_pinhole "pinhole_b$b" "$CP_COUNT" close_per_s "$(kv close_per_s "$line")"
		rec cp_pinhole "pinhole_b$b" "$CP_COUNT" ops_per_s "$(kv ops_per_s "$line")"
	done
	ip netns del cp
}

step_cp_nft() {
	local spec b m line t0 t1 t2
	modprobe nf_tables
	ip netns del cp 2>/dev/null
	ip netns add cp
	ip netns exec cp nft -f - <<-EOF || return 1
	table inet bench {
		set ph { type ipv4_addr . inet_service; }
		chain input {
			type filter hook input priority 0; policy accept;
			ip daddr . udp dport @ph accept
			udp dport $RANGE_FIRST-$RANGE_LAST drop
		}
	}
	EOF
	# raw nfnetlink: one element per transaction (waited), then
	# BATCH messages of one element per sendmsg
	for spec in 1:1 "$BATCH:1"; do
		b=${spec%%:*} m=${spec##*:}
		line=$(ip netns exec cp "$NLBENCH" nft-ctl --count "$CP_COUNT" --batch "$b" --per-msg "$m") || return 1
		log "nft raw control batch=$b per_msg=$m: $line"
		rec cp_nft "nftraw_b$b" "$CP_COUNT" open_per_s "$(kv open_per_s "$line")"
		rec cp_nft "nftraw_b$b" "$CP_COUNT" close_per_s "$(kv close_per_s "$line")"
		rec cp_nft "nftraw_b$b" "$CP_COUNT" ops_per_s "$(kv ops_per_s "$line")"
	done
	# the nft tool: one file of CP_COUNT "add element" lines, then deletes
	"$NLBENCH" nft-file --count "$CP_COUNT" >/tmp/add.nft
	"$NLBENCH" nft-file --count "$CP_COUNT" --delete >/tmp/del.nft
	# nft runs through nsenter (ip netns exec remounts /sys), warmed into the
	# page cache first: an exec reading over 9p idles the guest, which
	# icount turns into guest time. Best of two rounds.
	"$NLBENCH" nft-file --start "$CP_COUNT" --count 10 >/tmp/warm-add.nft
	"$NLBENCH" nft-file --start "$CP_COUNT" --count 10 --delete >/tmp/warm-del.nft
	nsenter --net=/run/netns/cp nft -f /tmp/warm-add.nft &&
		nsenter --net=/run/netns/cp nft -f /tmp/warm-del.nft || return 1
	local best_add=0 best_del=0 r c0 c1 c2
	for r in 1 2 3; do
		times >/tmp/cpu0; t0=$(now_ns)
		nsenter --net=/run/netns/cp nft -f /tmp/add.nft || return 1
		times >/tmp/cpu1; t1=$(now_ns)
		nsenter --net=/run/netns/cp nft -f /tmp/del.nft || return 1
		times >/tmp/cpu2; t2=$(now_ns)
		c0=$(cpu_ms /tmp/cpu0) c1=$(cpu_ms /tmp/cpu1) c2=$(cpu_ms /tmp/cpu2)
		log "nft -f control round $r: add $(((t1 - t0) / 1000000)) ms (nft cpu $((c1 - c0)) ms)," \
		    "delete $(((t2 - t1) / 1000000)) ms (nft cpu $((c2 - c1)) ms)"
		rec cp_nft nft_file_round "$CP_COUNT" "round$r" \
			"add_ms=$(((t1 - t0) / 1000000)),add_cpu_ms=$((c1 - c0)),del_ms=$(((t2 - t1) / 1000000)),del_cpu_ms=$((c2 - c1))"
		{ [ "$best_add" -eq 0 ] || [ $((t1 - t0)) -lt "$best_add" ]; } && best_add=$((t1 - t0))
		{ [ "$best_del" -eq 0 ] || [ $((t2 - t1)) -lt "$best_del" ]; } && best_del=$((t2 - t1))
	done
	rec cp_nft nft_file "$CP_COUNT" open_per_s "$(awk "BEGIN { printf \"%.0f\", $CP_COUNT * 1e9 / $best_add }")"
	rec cp_nft nft_file "$CP_COUNT" close_per_s "$(awk "BEGIN { printf \"%.0f\", $CP_COUNT * 1e9 / $best_del }")"
	rec cp_nft nft_file "$CP_COUNT" ops_per_s "$(awk "BEGIN { printf \"%.0f\", 2 * $CP_COUNT * 1e9 / ($best_add + $best_del) }")"
	ip netns del cp
}

{
	echo "vm_kernel=$(uname -r)"
	echo "vm_cpus=$(nproc)"
	echo "vm_mem=$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
	echo "vm_cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
	echo "icount=$(grep -q hypervisor /proc/cpuinfo && echo yes)"
	echo "module=${ko:+$(basename "$ko") $(modinfo -F vermagic "$ko" 2>/dev/null | awk '{ print $1 }')}"
	echo "dur_ms=$DUR_MS"
	echo "reps=$REPS"
	echo "sizes=$SIZES"
	echo "cp_count=$CP_COUNT"
	echo "batch=$BATCH"
	echo "nft=$(nft --version)"
} >"$out/vm.env"

main() {
	local s name sect status=0 t_start
	setup_net || { log "network set-up failed"; return 1; }
	t_start=$(now_ns)
	for s in $STEPS; do
		name=${s%%:*} sect=${s##*:}
		in_sections "$sect" || continue
		log "step $name (guest time so far: $((($(now_ns) - t_start) / 1000000)) ms)"
		if ! "step_$name"; then
			log "step $name FAILED"
			rec "$name" - 0 status failed
			status=1
		fi
	done
	echo "guest_ms=$((($(now_ns) - t_start) / 1000000))" >>"$out/vm.env"
	return $status
}
# one function call: bash has read the whole script before it runs
main
exit

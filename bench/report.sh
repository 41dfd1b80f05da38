#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# report.sh - turn one bench run into tables, a verdict on the targets and
# plots.
#
# Usage: bench/report.sh RAW_DIR OUT_DIR
#   RAW_DIR  what scripts/bench.sh collected: results.tsv (step, variant, n,
#            metric, value), vm.env, host.env, udpflood.log, console.log
#   OUT_DIR  gets results.md, datapath.{svg,png}, control.{svg,png},
#            memory.{svg,png} and the .dat files behind them
# Prints the tables to stdout as well.

set -u
raw=$1
out=$2
tsv=$raw/results.tsv
[ -s "$tsv" ] || { echo "report: no results in $tsv" >&2; exit 1; }
mkdir -p "$out"

envv() { sed -n "s/^$1=//p" "$raw/vm.env" "$raw/host.env" 2>/dev/null | tail -n 1; }
# get STEP VARIANT N METRIC -> value (empty when absent)
get() { awk -F'\t' -v s="$1" -v v="$2" -v n="$3" -v m="$4" \
	'$1 == s && $2 == v && $3 == n && $4 == m { x = $5 } END { print x }' "$tsv"; }
# arithmetic on two possibly empty values: calc AWK-EXPR A B (empty if either is)
calc() { [ -n "${2:-}" ] && [ -n "${3:-}" ] || { echo; return; }
	awk -v a="$2" -v b="$3" "BEGIN { print $1 }"; }
fmt_int() { [ -n "$1" ] && printf "%'d" "$1" 2>/dev/null || echo "${1:--}"; }
fmt() { [ -n "$1" ] && echo "$1" || echo "-"; }

sizes=$(envv sizes)
[ -n "$sizes" ] || sizes="0 1000 100000 1000000"
cp_count=$(envv cp_count)
label() { case $1 in 0) echo 0 ;; 1000) echo 1k ;; 10000) echo 10k ;;
	100000) echo 100k ;; 1000000) echo 1M ;; *) echo "$1" ;; esac; }

md=$out/results.md
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

# ---- datapath ----------------------------------------------------------------
dat=$out/datapath.dat
{ echo "# SPDX-License-Identifier: GPL-2.0"; echo "# n label base_pps nft_pps pinhole_pps nft_ratio pinhole_ratio"; } >"$dat"
{
	echo "### Datapath: UDP packets/s received through a managed port"
	echo
	echo "| entries | no module (a) pkts/s | nftables set (b) pkts/s | (b)/(a) | pinhole (c) pkts/s | (c)/(a) | (c)/(b) | (c) extra ns/pkt | (b) extra ns/pkt |"
	echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	for n in $sizes; do
		bn=1
		[ "$n" -eq 0 ] && bn=0
		base=$(get dp_base base "$bn" pps)
		nft=$(get dp_nft nft "$n" pps)
		ph=$(get dp_pinhole pinhole "$n" pps)
		rn=$(calc 'sprintf("%.3f", b / a)' "$base" "$nft")
		rp=$(calc 'sprintf("%.3f", b / a)' "$base" "$ph")
		rpn=$(calc 'sprintf("%.3f", b / a)' "$nft" "$ph")
		xp=$(calc 'sprintf("%+.0f", 1e9 / b - 1e9 / a)' "$base" "$ph")
		xn=$(calc 'sprintf("%+.0f", 1e9 / b - 1e9 / a)' "$base" "$nft")
		echo "| $(label "$n") | $(fmt_int "$base") | $(fmt_int "$nft") | $(fmt "$rn") | $(fmt_int "$ph") | $(fmt "$rp") | $(fmt "$rpn") | $(fmt "$xp") | $(fmt "$xn") |"
		echo "$n $(label "$n") ${base:-NaN} ${nft:-NaN} ${ph:-NaN} ${rn:-NaN} ${rp:-NaN}" >>"$dat"
	done
	echo
	echo "The same runs, to 198.18.0.2:60500, the only pinhole/element on its port:"
	echo
	echo "| entries | (b) alone pkts/s | (b)/(a) | (c) alone pkts/s | (c)/(a) | (c)/(b) |"
	echo "|---:|---:|---:|---:|---:|---:|"
	for n in $sizes; do
		[ "$n" -eq 0 ] && continue
		base=$(get dp_base base 1 pps)
		nft=$(get dp_nft nft_alone "$n" pps)
		ph=$(get dp_pinhole pinhole_alone "$n" pps)
		echo "| $(label "$n") | $(fmt_int "$nft") | $(fmt "$(calc 'sprintf("%.3f", b / a)' "$base" "$nft")") |" \
		     "$(fmt_int "$ph") | $(fmt "$(calc 'sprintf("%.3f", b / a)' "$base" "$ph")") |" \
		     "$(fmt "$(calc 'sprintf("%.3f", b / a)' "$nft" "$ph")") |"
	done
	echo
	b0=$(get dp_base base 1 pps) b1=$(get dp_base_end base_end 1 pps)
	drift=$(calc 'sprintf("%+.2f%%", (b / a - 1) * 100)' "$b0" "$b1")
	echo "Entries = pinholes (c) or set elements (b): those of the two measured flows plus N-2 others."
	echo "N = 0 sends to an unmanaged port (the cost of the hook alone); N >= 1 to the"
	echo "managed port of the measured pinhole/element. Ratios use the no-module"
	echo "rate (a) of the same boot; extra ns/pkt = 1e9/rate - 1e9/rate(a) (guest"
	echo "instructions per packet, since icount runs 1 instruction per ns)."
	echo "No-module rate at the start $(fmt_int "$b0"), at the end $(fmt_int "$b1") pkts/s (drift $(fmt "$drift"))."
	echo "Drop check (a managed port with no pinhole/element must receive nothing):" \
	     "nftables $(fmt "$(get dp_nft nft 0 drop_check)"), pinhole $(fmt "$(get dp_pinhole pinhole 0 drop_check)")."
	st=$(get dp_pinhole pinhole 0 stats)
	[ -n "$st" ] && echo "pinhole counters after the datapath runs: \`${st//,/ }\`."
	echo
} >>"$tmp"

# ---- control plane -------------------------------------------------------------
cdat=$out/control.dat
{ echo "# SPDX-License-Identifier: GPL-2.0"; echo "# method ops_per_s open_per_s close_per_s"; } >"$cdat"
batch=$(envv batch)
{
	echo "### Control plane: $(fmt_int "${cp_count:-0}") entries opened then closed"
	echo
	echo "| method | open/s | close/s | open+close ops/s |"
	echo "|---|---:|---:|---:|"
	for v in "pinhole_b1:cp_pinhole:pinhole, one request at a time (wait for each ack)" \
		 "pinhole_b$batch:cp_pinhole:pinhole, batched ($batch requests per sendmsg)" \
		 "nftraw_b1:cp_nft:nftables, raw nfnetlink, one element per transaction (waited)" \
		 "nftraw_b$batch:cp_nft:nftables, raw nfnetlink, batched ($batch messages per transaction)" \
		 "nft_file:cp_nft:nftables, nft -f of a $(fmt_int "${cp_count:-0}")-element file"; do
		var=${v%%:*} rest=${v#*:} step=${rest%%:*} desc=${rest#*:}
		o=$(get "$step" "$var" "$cp_count" open_per_s)
		c=$(get "$step" "$var" "$cp_count" close_per_s)
		a=$(get "$step" "$var" "$cp_count" ops_per_s)
		echo "| $desc | $(fmt_int "$o") | $(fmt_int "$c") | $(fmt_int "$a") |"
		case $var in
		pinhole_b1) short='pinhole\n1 by 1' ;; pinhole_b*) short='pinhole\nbatched' ;;
		nftraw_b1) short='nft netlink\n1 by 1' ;; nftraw_b*) short='nft netlink\nbatched' ;;
		*) short='nft -f\nfile' ;;
		esac
		echo "\"$short\" ${a:-0} ${o:-0} ${c:-0}" >>"$cdat"
	done
	echo
	echo "One op = one OPEN or one CLOSE (one set element add or delete). Every"
	echo "request carries NLM_F_ACK and the ack is read before the op counts."
	echo "nft -f: elapsed guest time of the nft process (file in tmpfs, one"
	echo "transaction), best of 3 rounds; icount turns any idle wait into a jump of"
	echo "guest time, so single rounds can be far slower. The rounds, with nft's"
	echo "own CPU time:"
	awk -F'\t' '$2 == "nft_file_round" { gsub(",", ", ", $5); printf "%s: %s; ", $4, $5 } END { print "" }' "$tsv"
	echo
} >>"$tmp"

# ---- memory ---------------------------------------------------------------------
mdat=$out/memory.dat
{ echo "# SPDX-License-Identifier: GPL-2.0"; echo "# label pinhole_bytes nft_bytes"; } >"$mdat"
{
	echo "### Memory: kernel bytes per entry"
	echo
	echo "| entries | pinhole bytes/entry | of which slab | vmalloc | percpu | nftables bytes/element |"
	echo "|---:|---:|---:|---:|---:|---:|"
	for n in $sizes; do
		u=$(get dp_pinhole pinhole "$n" mem_used_kb)
		nu=$(get dp_nft nft "$n" mem_used_kb)
		[ -z "$u$nu" ] && continue
		pb=$(calc 'sprintf("%.0f", a * 1024 / b)' "$u" "$n")
		ps=$(calc 'sprintf("%.0f", a * 1024 / b)' "$(get dp_pinhole pinhole "$n" mem_slab_kb)" "$n")
		pv=$(calc 'sprintf("%.0f", a * 1024 / b)' "$(get dp_pinhole pinhole "$n" mem_vmalloc_kb)" "$n")
		pp=$(calc 'sprintf("%.0f", a * 1024 / b)' "$(get dp_pinhole pinhole "$n" mem_percpu_kb)" "$n")
		nb=$(calc 'sprintf("%.0f", a * 1024 / b)' "$nu" "$n")
		echo "| $(label "$n") | $(fmt "$pb") | $(fmt "$ps") | $(fmt "$pv") | $(fmt "$pp") | $(fmt "$nb") |"
		echo "$(label "$n") ${pb:-NaN} ${nb:-NaN}" >>"$mdat"
	done
	echo
	echo "Bytes/entry = growth of MemTotal - MemFree - Buffers - Cached (after"
	echo "drop_caches) since before insmod (pinhole) or before the table was made"
	echo "(nftables), over the entries present: module, table and per-entry cost."
	echo "The targets below take the larger of that and slab + vmalloc + percpu"
	echo "growth (memory freed by an earlier step and reused can hide growth)."
	echo
} >>"$tmp"

# ---- targets ----------------------------------------------------------------------
verdict() { # verdict VALUE OP LIMIT UNIT-FORMAT -> "met (...)" / "missed (...)"
	local v=$1 op=$2 lim=$3
	[ -n "$v" ] || { echo "not measured"; return; }
	awk -v v="$v" -v l="$lim" -v op="$op" 'BEGIN {
		ok = (op == ">=") ? v >= l : v <= l
		d = (op == ">=") ? v - l : l - v
		printf "%s (%s vs %s %s; %s by %.3g, %+.1f%%)", ok ? "**met**" : "**missed**",
		       v, op, l, ok ? "margin" : "short", (d < 0 ? -d : d), (v / l - 1) * 100 }'
}
{
	r100=$(calc 'sprintf("%.3f", b / a)' "$(get dp_base base 1 pps)" "$(get dp_pinhole pinhole 100000 pps)")
	rpn=$(calc 'sprintf("%.3f", b / a)' "$(get dp_nft nft 100000 pps)" "$(get dp_pinhole pinhole 100000 pps)")
	flat=$(calc 'sprintf("%.3f", b / a)' "$(get dp_pinhole pinhole 1000 pps)" "$(get dp_pinhole pinhole 1000000 pps)")
	cpb=$(get cp_pinhole "pinhole_b$batch" "$cp_count" ops_per_s)
	best_nft=$(awk -F'\t' -v c="$cp_count" '$1 == "cp_nft" && $3 == c && $4 == "ops_per_s" && $5 > m { m = $5 } END { print m }' "$tsv")
	nftf=$(get cp_nft nft_file "$cp_count" ops_per_s)
	x_best=$(calc 'sprintf("%.2f", b / a)' "$best_nft" "$cpb")
	x_file=$(calc 'sprintf("%.2f", b / a)' "$nftf" "$cpb")
	# the larger of the two readings: "used" and slab + vmalloc + percpu
	memb() { awk -F'\t' -v n="$1" '$1 == "dp_pinhole" && $2 == "pinhole" && $3 == n {
		if ($4 == "mem_used_kb") u = $5; else if ($4 ~ /^mem_/) k += $5; seen = 1 }
		END { if (seen) printf "%.0f\n", (u > k ? u : k) * 1024 / n }' "$tsv"; }
	m100=$(memb 100000)
	m1m=$(memb 1000000)
	echo "### Targets"
	echo
	echo "| target | result |"
	echo "|---|---|"
	echo "| datapath at 100k pinholes >= 0.97 of no module | $(verdict "$r100" ">=" 0.97) |"
	echo "| datapath at 100k >= nftables set of 100k | $(verdict "$rpn" ">=" 1.00) |"
	echo "| flat 1k -> 1M (rate at 1M / rate at 1k >= 0.97) | $(verdict "$flat" ">=" 0.97) |"
	echo "| batched control plane >= 100 000 ops/s | $(verdict "$cpb" ">=" 100000) |"
	echo "| batched control plane >= 3x nftables (best nftables method) | $(verdict "$x_best" ">=" 3) |"
	echo "| batched control plane >= 3x nftables (nft -f) | $(verdict "$x_file" ">=" 3) |"
	echo "| <= 192 bytes per pinhole at 100k | $(verdict "$m100" "<=" 192) |"
	echo "| <= 192 bytes per pinhole at 1M | $(verdict "$m1m" "<=" 192) |"
	echo
	echo "Absolute rates are guest rates under qemu -icount (one instruction per"
	echo "nanosecond of guest time, i.e. a 1 GHz CPU at 1 IPC): a real CPU retires"
	echo "several times that, so absolute pkts/s and ops/s here are conservative;"
	echo "ratios within the run are the meaningful numbers."
	echo
} >>"$tmp"

# ---- the document -------------------------------------------------------------------
{
	echo "<!-- SPDX-License-Identifier: GPL-2.0 -->"
	echo "# pinhole benchmark results"
	echo
	echo "Generated by \`make bench\` (scripts/bench.sh, bench/report.sh)."
	echo
	echo "| | |"
	echo "|---|---|"
	echo "| date | $(envv date) |"
	echo "| machine | $(envv host_cpu), $(envv host_cpus) CPUs, $(envv host_mem); host kernel $(envv host_kernel) |"
	echo "| VM | $(envv qemu), TCG, -icount shift=0 (1 vCPU: $(envv vm_cpu)), $(envv vm_mem) |"
	echo "| guest kernel | $(envv vm_kernel) |"
	echo "| module | $(fmt "$(envv module)") (tree $(envv git)) |"
	echo "| nftables | $(envv nft) |"
	echo "| runs | datapath: median of $(envv reps) x $(envv dur_ms) ms guest time per point; udpflood 18-byte datagrams, sendmmsg/recvmmsg batches of 32, veth between two netns |"
	echo "| time | $(envv guest_ms) ms guest, $(envv wall_s) s wall for the whole VM run |"
	[ "$(envv quick)" = 1 ] && echo "| note | **--quick run: small sizes and short runs, not the real benchmark** |"
	failed=$(awk -F'\t' '$4 == "status" { printf "%s ", $1 }' "$tsv")
	[ -n "$failed" ] && echo "| failed steps | $failed(see raw/console.log) |"
	echo
	cat "$tmp"
	echo "### Plots"
	echo
	echo "![datapath](datapath.svg) ![control plane](control.svg) ![memory](memory.svg)"
	echo
	echo "### Set-up"
	echo
	echo "- Managed range udp:10000-60999. Measured flow 198.18.0.1 (netns tx) ->"
	echo "  198.18.0.2:20000 (netns rx) over a veth pair; N = 0 uses port 5000."
	echo "- N entries: 198.18.0.2:20000, 198.18.0.2:60500 and N-2 others, local"
	echo "  address 198.19.0.(k/50000+1), local port 10000 + k mod 50000: at 1M"
	echo "  every port of 10000-59999 has ~20 entries (one per local address),"
	echo "  port 20000 included, as a loaded gateway's ports would; 60500 has one."
	echo "- Under TCG every instruction costs the same: cache and TLB misses of a"
	echo "  big table are free, so \"flat\" here means no more instructions per"
	echo "  packet, not no more cycles."
	echo "- nftables: \`table inet bench\` with \`set ph { type ipv4_addr . inet_service; }\`,"
	echo "  an input chain \`ip daddr . udp dport @ph accept; udp dport 10000-60999 drop\`."
	echo "- pinhole: lease-only pinholes (PINHOLE_F_LEASE_ONLY, 1 h lease), filled with"
	echo "  batched OPEN; max_pinholes raised with SET_CONFIG."
	echo "- Control plane: bench/nlbench over raw netlink (libmnl); pinholes owned by"
	echo "  the benchmark's socket; nftables elements in the same set type."
} >"$md"

# ---- plots -----------------------------------------------------------------------------
if command -v gnuplot >/dev/null; then
	for term in svg png; do
		case $term in
		svg) t='set terminal svg size 720,420 dynamic font "sans,12"' ;;
		png) t='set terminal pngcairo size 720,420 font "sans,10"' ;;
		esac
		gnuplot <<-EOF 2>>"$raw/gnuplot.log"
		$t
		set datafile missing "NaN"
		set output "$out/datapath.$term"
		set title "UDP receive rate relative to no module (1 vCPU, icount)"
		set xlabel "pinholes / set elements"
		set ylabel "rate / no-module rate"
		set yrange [0.8:1.02]
		set grid ytics
		set key bottom left
		set style data linespoints
		plot "$dat" using 0:7:xtic(2) title "pinhole.ko" lw 2 pt 7, \
		     "$dat" using 0:6:xtic(2) title "nftables set" lw 2 pt 5, \
		     0.97 title "target 0.97" dt 2 lc rgb "gray"
		set output "$out/control.$term"
		set title "Control plane: open+close ops/s (guest time)"
		unset xlabel
		set ylabel "ops/s"
		set yrange [0:$(awk 'NR > 2 && $(NF - 2) > m { m = $(NF - 2) } END { print (m > 100000 ? m : 100000) * 1.2 }' "$cdat")]
		set style data histograms
		set style fill solid 0.7 border -1
		set boxwidth 0.8
		set xtics font ",9"
		set bmargin 4
		set key top right
		plot "$cdat" using 2:xtic(1) title "open+close ops/s", \
		     100000 with lines title "target 100 000" dt 2 lc rgb "gray"
		set output "$out/memory.$term"
		set title "Kernel memory per entry"
		set ylabel "bytes"
		set xtics font ",10"
		plot "$mdat" using 2:xtic(1) title "pinhole.ko", \
		     "$mdat" using 3 title "nftables set", \
		     192 with lines title "target 192" dt 2 lc rgb "gray"
		EOF
	done
fi

sed -n '/^### Datapath/,/^### Plots/p' "$md" | grep -v '^### Plots'
echo "bench: report in $md"

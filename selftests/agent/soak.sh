# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# soak.sh - sourced by run.sh: the soak, many calls at once for a while
# through pinholed with pinhole.ko ("make soak": 1000 calls for 10
# minutes; in make check's agent suite a short one, 100 calls for 60 s).
#
# SIPp (far namespace, selftests/agent/sipp/uac_soak.xml) calls alice's
# pinholed (--auto-answer) at SOAK_CALLS / SOAK_HOLD calls/s, each held
# SOAK_HOLD s with RTP both ways (pinholed's tone, a=ptime:SOAK_PTIME,
# sent back by SIPp's -rtp_echo), at most SOAK_CALLS at once, for
# SOAK_SECONDS: SOAK_CALLS * SOAK_SECONDS / SOAK_HOLD calls in all, the
# last hung up SOAK_HOLD s after the last was placed. Every SOAK_SECONDS/30
# s (2 s at least) a sample of pinholed: VmRSS, descriptors, active calls,
# call objects, transactions, timers, the pinholes in the kernel table
# ($T/soak.tsv). The test fails unless
#   calls      every call SIPp placed completed (SIPp's counts, and
#              pinholed's callstats: incoming = normal ends = all)
#   pinholes   none left in the kernel table once the calls are over,
#              no conntrack entry of a media port
#   fds        pinholed's descriptors back to their count after a first,
#              single call (which opens what pinholed keeps: the cached
#              ctnetlink socket)
#   timers, transactions, calls held
#              back to their values before the first call once the last
#              closed call is freed (Timer L, 64*T1 after its end)
#   RSS        VmRSS at the end of the load at most SOAK_RSS_PCT (5) %
#              above VmRSS after the warm-up (2 * SOAK_HOLD: the ramp to
#              SOAK_CALLS calls and one full turnover); each the mean of
#              three samples
# The summary lines start with "# soak:".
#
# Environment: SOAK_CALLS (100), SOAK_SECONDS (60), SOAK_HOLD (s, default
# SOAK_SECONDS / 3, at most 60), SOAK_PTIME (ms, 60), SOAK_RSS_PCT (5),
# SOAK_MEDIA (echo: RTP both ways; none: the SDP says a=inactive, no RTP,
# --rtp-timeout 0: signalling, pinholes and conntrack only),
# SOAK_SIPP_MINOR_TRIPS (SIPp's -watchdog_minor_maxtriggers, 100000).
# pinholed's limits follow SOAK_CALLS: --max-calls SOAK_CALLS + 10 %,
# --media-ports and the module's managed range 4 ports per call (RTP and
# RTCP, twice over for the calls closing while new ones open).

SOAK_CALLS=${SOAK_CALLS:-100}
SOAK_SECONDS=${SOAK_SECONDS:-60}
SOAK_HOLD=${SOAK_HOLD:-$(( SOAK_SECONDS / 3 < 60 ? SOAK_SECONDS / 3 : 60 ))}
SOAK_PTIME=${SOAK_PTIME:-60}
SOAK_MEDIA=${SOAK_MEDIA:-echo}
SOAK_RSS_PCT=${SOAK_RSS_PCT:-5}
# SIPp ends the test itself once its scheduler has been late by 500 ms
# 120 times (its "minor watchdog"): SIPp's own starvation in a loaded TCG
# guest, not pinholed's (the 10-minute soak at 1000 calls lost SIPp at
# 372 s that way with 1 failed call and nothing expired). Its major
# watchdog (3 s, 10 times) still ends a hung run; what the soak asserts
# is unchanged.
SOAK_SIPP_MINOR_TRIPS=${SOAK_SIPP_MINOR_TRIPS:-100000}
SOAK_LO=40000
SOAK_HI=$(( SOAK_LO + 4 * SOAK_CALLS + 99 ))

# cpu_ticks PID: utime + stime of PID (clock ticks)
cpu_ticks()
{
	local st

	read -r st </proc/"$1"/stat || return 1
	st=${st##*) }
	set -- $st
	echo $(( ${12} + ${13} ))
}

# soak_sample PID: one line of $T/soak.tsv; SAMPLE_* hold its figures
# (a callstats that pinholed does not answer within 30 s: "-", and
# SAMPLE_SLOW counts it)
soak_sample()
{
	local pid=$1 fds l j cpu sipp_cpu=-

	[ -d /proc/"$pid" ] || return 1
	fds=(/proc/"$pid"/fd/*)
	SAMPLE_FDS=${#fds[@]}
	SAMPLE_RSS=0
	while IFS= read -r l; do
		[[ $l =~ ^VmRSS:[[:space:]]+([0-9]+) ]] && SAMPLE_RSS=${BASH_REMATCH[1]}
	done </proc/"$pid"/status
	cpu=$(cpu_ticks "$pid")
	[ -n "${SOAK_SIPP_PID:-}" ] && sipp_cpu=$(cpu_ticks "$SOAK_SIPP_PID" 2>/dev/null || echo -)
	SAMPLE_ACTIVE=- SAMPLE_HELD=- SAMPLE_TX=- SAMPLE_TIMERS=- SAMPLE_PH=-
	if STATS=$(ctl alice --timeout 30 --json callstats); then
		j=${STATS#*\"calls\":}
		SAMPLE_ACTIVE=$(jget "$j" active)
		SAMPLE_HELD=$(jget "$j" held)
		SAMPLE_TX=$(jget "$STATS" transactions)
		SAMPLE_TIMERS=$(jget "$STATS" timers)
	else
		SAMPLE_SLOW=$(( ${SAMPLE_SLOW:-0} + 1 ))
	fi
	SAMPLE_PH=0
	if [ "$FW" = kmod ]; then
		# the table's counters: a list of 2000 pinholes costs seconds
		j=$(ip netns exec "$NS_A" "$CTL" --json stats) && SAMPLE_PH=$(jget "$j" pinholes)
		SAMPLE_KSTATS=$j
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' $(( $(now_ms) - SOAK_T0 )) \
		"$SAMPLE_RSS" "$SAMPLE_FDS" "$SAMPLE_ACTIVE" "$SAMPLE_HELD" \
		"$SAMPLE_TX" "$SAMPLE_TIMERS" "$SAMPLE_PH" "$cpu" "$sipp_cpu" >>"$T/soak.tsv"
}

# soak_idle: the samples are back at the baseline (no call, transaction
# or timer more than before the first call)
soak_idle()
{
	soak_sample "$SOAK_PID" || return 1
	[ "$SAMPLE_HELD" = 0 ] && [ "$SAMPLE_TX" = "$BASE_TX" ] &&
		[ "$SAMPLE_TIMERS" = "$BASE_TIMERS" ] && [ "$SAMPLE_FDS" = "$BASE_FDS" ] &&
		[ "$SAMPLE_PH" = 0 ]
}

# soak_rss_mean FROM_MS TO_MS: the mean VmRSS (kB) of the samples in the
# window, over at most three: the first three (FIRST) or the last (LAST)
soak_rss_mean()
{
	awk -F'\t' -v from="$1" -v to="$2" -v which="$3" '
		NR > 1 && $1 >= from && $1 <= to { r[n++] = $2 }
		END {
			if (n == 0) { print 0; exit }
			k = n < 3 ? n : 3; s = 0
			for (i = 0; i < k; i++) s += (which == "first") ? r[i] : r[n - 1 - i]
			printf "%d\n", s / k
		}' "$T/soak.tsv"
}

# soak_cpu COLUMN: the CPU seconds of the load in a ticks column
soak_cpu()
{
	awk -F'\t' -v c="$1" -v hz="$(getconf CLK_TCK)" '
		NR > 1 && $c != "-" { if (first == "") first = $c; last = $c }
		END { printf "%.1f s", (last - first) / hz }' "$T/soak.tsv"
}

# the media ports' conntrack entries left in alice's namespace
soak_ct_left()
{
	ip netns exec "$NS_A" conntrack -L -p udp 2>/dev/null |
		awk -v lo="$SOAK_LO" -v hi="$SOAK_HI" '{
			for (i = 1; i <= NF; i++)
				if ($i ~ /^[sd]port=/) {
					p = substr($i, 7) + 0
					if (p >= lo && p <= hi) { n++; break }
				}
		} END { print n + 0 }'
}

# soak_calls_over: pinholed has no active call
soak_calls_over()
{
	stats_of alice && [ "$(jget "${STATS#*\"calls\":}" active)" = 0 ]
}

# soak_sipp_pid: SOAK_SIPP_PID = the soak's SIPp, once it runs
soak_sipp_pid()
{
	local p

	for p in $(ip netns pids "$NS_F"); do
		[ "$(cat /proc/"$p"/comm 2>/dev/null)" = sipp ] && { SOAK_SIPP_PID=$p; return 0; }
	done
	return 1
}

# soak_keep: the samples, SIPp's files and pinholed's log to SOAK_OUT
soak_keep()
{
	[ -n "${SOAK_OUT:-}" ] || return 0
	mkdir -p "$SOAK_OUT" && cp "$T/soak.tsv" "$T"/soak.sipp.* "$T/alice.log" "$SOAK_OUT/" 2>/dev/null
}

soak()
{
	local total rate_ms period r=0 end warm rss_warm rss_end growth
	local attempted completed failed cs normal incoming left ct i fds dir rtpto j

	case $SOAK_MEDIA in
	# --rtp-timeout below the hold: a call whose RTP pinholed does
	# not read ends early (media-timeout) and fails the count
	echo) dir=sendrecv rtpto=$(( SOAK_HOLD / 2 > 5 ? SOAK_HOLD / 2 : 5 )) ;;
	none) dir=inactive rtpto=0 ;;
	*) diag "soak: SOAK_MEDIA is echo or none"; return 1 ;;
	esac
	total=$(( SOAK_CALLS * SOAK_SECONDS / SOAK_HOLD ))
	rate_ms=$(( SOAK_HOLD * 1000 ))		# SOAK_CALLS calls per rate_ms
	period=$(( SOAK_SECONDS / 30 > 2 ? SOAK_SECONDS / 30 : 2 ))
	diag "soak: $SOAK_CALLS calls at once, each held ${SOAK_HOLD} s, for ${SOAK_SECONDS} s: $total calls, media $SOAK_MEDIA, ptime $SOAK_PTIME ms, media ports $SOAK_LO-$SOAK_HI"
	if [ "$FW" = kmod ]; then
		# leases of a gateway (not run.sh's 3 s): renewals are not
		# what the soak measures
		ip netns exec "$NS_A" "$CTL" config set --range "udp:$SOAK_LO-$SOAK_HI" \
			--open-lease 30s --pinned-lease 30s --active-lease 60s >/dev/null || return 1
	fi
	start_ua alice 5 --auto-answer --log-level info \
		--max-calls $(( SOAK_CALLS + SOAK_CALLS / 10 + 1 )) \
		--media-ports "$SOAK_LO-$SOAK_HI" --rtp-timeout "$rtpto" || return 1
	SOAK_PID=${PIDS[-1]}
	[ "$(cat /proc/"$SOAK_PID"/comm)" = pinholed ] ||
		{ diag "pid $SOAK_PID is not pinholed"; return 1; }
	printf 'ms\trss_kb\tfds\tactive\theld\ttransactions\ttimers\tpinholes\tcpu_ticks\tsipp_cpu_ticks\n' >"$T/soak.tsv"
	SOAK_T0=$(now_ms)
	soak_sample "$SOAK_PID" || return 1
	BASE_TX=$SAMPLE_TX BASE_TIMERS=$SAMPLE_TIMERS BASE_RSS=$SAMPLE_RSS
	# one call first: what pinholed opens once and keeps (the cached
	# ctnetlink socket of the conntrack flush) is in the descriptors'
	# baseline, taken when that call is over
	sipp_start warmup uac_soak.xml -key ptime "$SOAK_PTIME" -key direction "$dir" -mi "$IP_F" \
		-rtp_echo -s alice "$IP_A:5060" -d 1000 || return 1
	sipp_ok warmup 60000 || return 1
	busywait 10000 soak_calls_over || { diag "soak: the first call is not over"; return 1; }
	fds=(/proc/"$SOAK_PID"/fd/*)
	BASE_FDS=${#fds[@]}
	ls -l /proc/"$SOAK_PID"/fd | awk 'NR > 1 { print $NF }' | sort >"$T/soak.fds.before"
	diag "soak: before: rss ${BASE_RSS} kB, $BASE_FDS fds (after a first call), $BASE_TX transactions, $BASE_TIMERS timers"

	( cd "$T" && ip netns exec "$NS_F" sipp -sf "$SIPPDIR/uac_soak.xml" \
		-i "$IP_F" -mi "$IP_F" -rtp_echo -key ptime "$SOAK_PTIME" -key direction "$dir" \
		-s alice "$IP_A:5060" -l "$SOAK_CALLS" -r "$SOAK_CALLS" -rp "$rate_ms" \
		-m "$total" -d "$rate_ms" -nostdin \
		-timeout $(( (SOAK_SECONDS + SOAK_HOLD) * 2 + 120 )) \
		-watchdog_minor_maxtriggers "$SOAK_SIPP_MINOR_TRIPS" \
		-trace_err -error_file "$T/soak.sipp.err" \
		-trace_stat -stf "$T/soak.sipp.csv" -fd "$period" \
		>"$T/soak.sipp.out" 2>&1; echo $? >"$T/soak.rc" ) &
	PIDS+=($!)
	SOAK_SIPP_PID=
	busywait 5000 soak_sipp_pid
	end=$(( $(now_ms) + ((SOAK_SECONDS + SOAK_HOLD) * 2 + 180) * 1000 ))
	i=0
	until sipp_done soak; do
		if [ "$(now_ms)" -gt "$end" ]; then
			diag "soak: SIPp still running after $(( (end - SOAK_T0) / 1000 )) s"
			r=1
			break
		fi
		read -rt "$period" -u "$SLEEP_FD"
		soak_sample "$SOAK_PID" || { diag "soak: pinholed gone"; soak_keep; return 1; }
		i=$((i + 1))
		(( i % 5 )) || diag "soak: $(( $(now_ms) - SOAK_T0 )) ms: rss $SAMPLE_RSS kB, $SAMPLE_FDS fds, $SAMPLE_ACTIVE active, $SAMPLE_HELD held, $SAMPLE_TX transactions, $SAMPLE_TIMERS timers, $SAMPLE_PH pinholes"
	done
	SOAK_LOAD_END=$(( $(now_ms) - SOAK_T0 ))

	# SIPp's counts: the last line of its statistics file
	cs=$(tail -n 1 "$T/soak.sipp.csv" 2>/dev/null)
	attempted=$(awk -F';' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i }
		END { print $c["TotalCallCreated"] + 0 }' "$T/soak.sipp.csv" 2>/dev/null)
	completed=$(awk -F';' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i }
		END { print $c["SuccessfulCall(C)"] + 0 }' "$T/soak.sipp.csv" 2>/dev/null)
	failed=$(awk -F';' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i }
		END { print $c["FailedCall(C)"] + 0 }' "$T/soak.sipp.csv" 2>/dev/null)
	[ -n "$cs" ] || diag "soak: no SIPp statistics"

	# after the load: the closed calls are freed 64*T1 after their end
	busywait 60000 soak_idle
	stats_of alice
	incoming=$(jget "${STATS#*\"calls\":}" incoming)
	normal=$(jget "${STATS#*\"outcomes\":}" normal)
	left=$SAMPLE_PH
	if [ "$FW" = kmod ]; then
		pinholes_of alice && left=${#PHS[@]}
		j=$SAMPLE_KSTATS
		diag "soak: kernel: opened $(jget "$j" opened), closed $(jget "$j" closed), expired $(jget "$j" expired), owner gone $(jget "$j" owner_gone), packets accepted $(jget "$j" pkts_accepted), dropped $(jget "$j" pkts_dropped)"
	fi
	ct=$(soak_ct_left)

	warm=$(( 2 * SOAK_HOLD * 1000 ))
	rss_warm=$(soak_rss_mean "$warm" "$SOAK_LOAD_END" first)
	rss_end=$(soak_rss_mean "$warm" $(( SOAK_SECONDS * 1000 )) last)
	if [ "$rss_warm" -gt 0 ]; then
		growth=$(awk -v a="$rss_warm" -v b="$rss_end" 'BEGIN { printf "%.2f", (b - a) * 100 / a }')
	else
		growth=nan
	fi
	diag "soak: calls attempted $attempted, completed $completed, failed $failed (of $total; SIPp status $(cat "$T/soak.rc" 2>/dev/null)); pinholed: incoming $incoming, normal ends $normal"
	diag "soak: pinholes left $left, conntrack entries of media ports left $ct"
	ls -l /proc/"$SOAK_PID"/fd | awk 'NR > 1 { print $NF }' | sort >"$T/soak.fds.after"
	[ "$SAMPLE_FDS" = "$BASE_FDS" ] ||
		diag "soak: descriptors before -> after: $(diff "$T/soak.fds.before" "$T/soak.fds.after" | grep '^[<>]' | tr '\n' ' ')"
	diag "soak: fds before $BASE_FDS after $SAMPLE_FDS; transactions before $BASE_TX after $SAMPLE_TX; timers before $BASE_TIMERS after $SAMPLE_TIMERS; calls held after $SAMPLE_HELD"
	diag "soak: rss before $BASE_RSS kB, after warm-up ($((warm / 1000)) s) $rss_warm kB, at the end of the load $rss_end kB: growth $growth % (limit $SOAK_RSS_PCT %); max $(awk -F'\t' 'NR > 1 && $2 > m { m = $2 } END { print m }' "$T/soak.tsv") kB; after $SAMPLE_RSS kB"
	diag "soak: samples in $T/soak.tsv (every $period s)${SOAK_OUT:+, kept in $SOAK_OUT}; callstats unanswered within 30 s: ${SAMPLE_SLOW:-0}"
	diag "soak: CPU (guest): pinholed $(soak_cpu 9), SIPp $(soak_cpu 10) of the load's $(( SOAK_LOAD_END / 1000 )) s"
	soak_keep

	expect "soak: calls attempted" "$attempted" "$total" || r=1
	expect "soak: calls completed" "$completed" "$total" || r=1
	expect "soak: SIPp status" "$(cat "$T/soak.rc" 2>/dev/null)" 0 || r=1
	# and the first call
	expect "soak: pinholed's incoming calls" "$incoming" $((total + 1)) || r=1
	expect "soak: pinholed's normal ends" "$normal" $((total + 1)) || r=1
	if [ "$FW" = kmod ]; then
		expect "soak: pinholes left" "$left" 0 || r=1
		expect "soak: conntrack entries left" "$ct" 0 || r=1
	fi
	expect "soak: fds after" "$SAMPLE_FDS" "$BASE_FDS" || r=1
	expect "soak: transactions after" "$SAMPLE_TX" "$BASE_TX" || r=1
	expect "soak: timers after" "$SAMPLE_TIMERS" "$BASE_TIMERS" || r=1
	expect "soak: calls held after" "$SAMPLE_HELD" 0 || r=1
	awk -v g="$growth" -v l="$SOAK_RSS_PCT" 'BEGIN { exit !(g != "nan" && g + 0 <= l + 0) }' ||
		{ diag "soak: RSS growth after warm-up $growth % > $SOAK_RSS_PCT %"; r=1; }
	if [ "$FW" = kmod ]; then
		ip netns exec "$NS_A" "$CTL" config set --range "udp:$MEDIA_A" \
			--open-lease 3s --pinned-lease 3s --active-lease 3s >/dev/null || r=1
	fi
	[ "$r" = 0 ] && diag "soak: PASS" || diag "soak: FAIL"
	return $r
}

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# test-check-includes.sh - check-includes.py passes on a copy of the tree and
# fails on the same copy with one forbidden include added, for each kind of
# rule: a lower layer including a higher one, the pure layer including
# anything, a kmod include cycle, pernet.h including a header of ours.

set -u
top=$(cd "$(dirname "$0")/.." && pwd)
chk=$top/scripts/check-includes.py
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

fresh() {
	rm -rf "$tmp/t" && mkdir -p "$tmp/t"
	(cd "$top" && find agent kmod \( -name '*.[ch]' -o -name README.md \) \
		-not -path 'agent/tests/*' | cpio -pdm --quiet "$tmp/t")
}

expect() { # expect pass WHAT | expect fail WHAT PATTERN-IN-THE-REPORT
	local out rc
	out=$(python3 "$chk" "$tmp/t" 2>&1)
	rc=$?
	if { [ "$1" = pass ] && [ $rc -eq 0 ]; } ||
	   { [ "$1" = fail ] && [ $rc -ne 0 ] && grep -qF -- "$3" <<<"$out"; }; then
		echo "# ok: $2${out:+ -> ${out%%$'\n'*}}"
	else
		echo "# WRONG: $2 (exit $rc)"
		echo "$out" | sed 's/^/#   /'
		fail=1
	fi
}

fresh
expect pass "the tree as it is"

fresh
echo '#include "pinholed/ua.h"' >>"$tmp/t/agent/sip/sip_msg.c"
expect fail "sip/ including pinholed/" 'sip_msg.c: includes "pinholed/ua.h"'

fresh
echo '#include "lib/plog.h"' >>"$tmp/t/agent/call/glare.c"
expect fail "call/ (pure) including lib/" 'glare.c: includes "lib/plog.h"'

fresh
echo '#include "sip_msg.h"' >>"$tmp/t/agent/media/media.c"
expect fail "media/ naming another folder's header without the folder" \
	'media.c: "sip_msg.h" is not in media/'

fresh
# a kmod edge x -> y turned into a cycle by an include y -> x
edge=$(cd "$tmp/t/kmod" && grep -l '#include "[a-z_]*\.h"' *.c | while read -r f; do
	y=${f%.c}
	for x in $(sed -n 's/^#include "\([a-z_]*\)\.h"$/\1/p' "$f"); do
		[ "$x" != "$y" ] && [ -f "$y.h" ] && { echo "$x $y"; break 2; }
	done
done | head -n 1)
set -- $edge
if [ -n "${1:-}" ]; then
	target=$tmp/t/kmod/$1.h
	[ -f "$tmp/t/kmod/$1.c" ] && target=$tmp/t/kmod/$1.c
	echo "#include \"$2.h\"" >>"$target"
	expect fail "kmod cycle $1 -> $2 -> $1" "include cycle"
else
	echo "# WRONG: found no kmod include edge to reverse"
	fail=1
fi

fresh
echo '#include "table.h"' >>"$tmp/t/kmod/pernet.h"
expect fail "kmod/pernet.h including table.h" 'pernet.h: includes "table.h"'

exit $fail

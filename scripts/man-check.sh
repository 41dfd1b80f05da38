#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# man-check.sh - every page in man/ must render without a warning:
#   MANWIDTH=80 man --warnings -l man/X   prints nothing on stderr.
# Prints one line per page and exits 1 if any page warned.

set -u
top=$(cd "$(dirname "$0")/.." && pwd)
command -v man >/dev/null || { echo "man-check: man missing (apt-get install man-db groff-base)" >&2; exit 1; }
fail=0
n=0
for page in "$top"/man/*.[1-9]; do
	n=$((n + 1))
	err=$(MANWIDTH=80 LC_ALL=C.UTF-8 man --warnings -l "$page" 2>&1 >/dev/null)
	if [ -n "$err" ]; then
		echo "man-check: FAIL ${page#"$top"/}"
		printf '%s\n' "$err" | sed 's/^/    /'
		fail=1
	else
		echo "man-check: ok   ${page#"$top"/}"
	fi
done
[ $n -gt 0 ] || { echo "man-check: no pages in man/"; exit 1; }
[ $fail = 0 ] && echo "man-check: $n pages render without warnings"
exit $fail

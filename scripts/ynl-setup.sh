#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ynl-setup.sh - extract the kernel's YNL tooling (tools/net/ynl: cli.py,
# ynl-gen-c.py, lib/) and the netlink spec schemas (Documentation/netlink)
# from Debian's linux-source tarball into build/ynl/, for
# selftests/pinhole/ynl.sh (which runs in a VM that sees build/ over 9p) and
# scripts/check-ynl-policy.py --gen. Idempotent: does nothing when build/ynl
# already holds the tree of the same tarball.
#
# Usage: scripts/ynl-setup.sh [TARBALL]
#   TARBALL  default: the newest /usr/src/linux-source-*.tar.xz that has
#            tools/net/ynl/cli.py and Documentation/netlink/genetlink-legacy.yaml
#            (linux-source-6.12; the package is in scripts/deps.sh check)
# Prints the YNL directory (build/ynl) on success. Exit 4 when no tarball.

set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
dest=$top/build/ynl

tarball=${1:-}
if [ -z "$tarball" ]; then
	for t in $(ls -1 /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V -r); do
		# 6.1's YNL has no genetlink-legacy schema nor subset-of support
		v=$(basename "$t" .tar.xz); v=${v#linux-source-}
		if [ "$(printf '%s\n6.6\n' "$v" | sort -V | head -n1)" = 6.6 ]; then
			tarball=$t
			break
		fi
	done
fi
if [ -z "$tarball" ] || [ ! -r "$tarball" ]; then
	echo "ynl-setup: no /usr/src/linux-source-6.12.tar.xz (apt-get install linux-source-6.12)" >&2
	exit 4
fi

stamp="$tarball $(stat -c %s:%Y "$tarball")"
if [ -f "$dest/.stamp" ] && [ "$(cat "$dest/.stamp")" = "$stamp" ] &&
   [ -f "$dest/tools/net/ynl/cli.py" ]; then
	echo "$dest"
	exit 0
fi

src=$(basename "$tarball" .tar.xz)
tmp=$(mktemp -d "$top/build/.ynl.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
tar -xf "$tarball" -C "$tmp" "$src/tools/net/ynl" "$src/Documentation/netlink"
# ynl-gen-c.py looks for the kernel tree's root (a MAINTAINERS file) above
# the spec; without one it never stops looking
: > "$tmp/$src/MAINTAINERS"
rm -rf "$dest"
mv "$tmp/$src" "$dest"
echo "$stamp" > "$dest/.stamp"
echo "$dest"

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-agent.sh - build pinholed and pinholectl from a private copy of the
# agent's sources (agent/ without build products, uapi/), so that in-tree build
# products, a concurrent "make check" or sources being edited meanwhile
# cannot change the programs a benchmark runs.
#
# Usage: bench/build-agent.sh OUTPUT-DIR   (gets pinholed, pinholectl and
#                                           build.log; the copy in OUTPUT-DIR/src)

set -u
top=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$1" && dst=$(cd "$1" && pwd)
src=$dst/src
rm -rf "$src"
mkdir -p "$src/agent" "$src/uapi"
(cd "$top/agent" && find . -name '*.[ch]' -o -name Makefile | cpio -pdm --quiet "$src/agent") &&
cp -r "$top/uapi/." "$src/uapi/" || exit 1
rm -f "$dst/pinholed" "$dst/pinholectl"
make -C "$src/agent" WERROR=0 pinholed/pinholed pinholectl/pinholectl >"$dst/build.log" 2>&1 &&
	cp "$src/agent/pinholed/pinholed" "$src/agent/pinholectl/pinholectl" "$dst/"

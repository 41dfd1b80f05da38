#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# agent-asan.sh - the agent's unit tests (make -C agent check) once more,
# built with ASan and UBSan (gcc) in a copy of the sources under
# build/asan/, so the normal build's objects are left alone. Any report
# (a leak included) fails the run.

set -u
top=$(cd "$(dirname "$0")/.." && pwd)
dst=$top/build/asan
rm -rf "$dst"
mkdir -p "$dst/agent" "$dst/uapi"
(cd "$top/agent" && find . -path ./fuzz -prune -o \
	\( -name '*.[ch]' -o -name Makefile -o -name '*.sh' -o -name '*.py' \) \
	-print | cpio -pdm --quiet "$dst/agent") &&
cp -r "$top/uapi/." "$dst/uapi/" || exit 1

export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
san="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
make -C "$dst/agent" -j"$(nproc 2>/dev/null || echo 2)" tests \
	CFLAGS="-O1 -g $san" LDFLAGS="$san" || exit 1
make -C "$dst/agent" check CFLAGS="-O1 -g $san" LDFLAGS="$san"

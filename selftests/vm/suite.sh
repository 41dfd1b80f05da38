#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# suite.sh - everything make check runs inside one VM boot, in order:
#   selftests/pinhole/run.sh   the module's kselftest suite
#   agent/tests/smoke-vm.sh    every pinholectl verb against the module
#   agent/tests/pinholed/test_fwops_kmod   pinholed's firewall layer against the module
#   selftests/agent/run.sh     pinholed end to end: calls and glares in netns
# Each prints KTAP; the exit status is 1 if any failed, else 0 (4 if all skipped).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
worst=4
ko=${PINHOLE_KO:-$top/build/kmod/$(uname -r)/pinhole.ko}
with_module() { # run a test that expects the module loaded
	insmod "$ko" || return 1
	"$@"
}
for t in selftests/pinhole/run.sh agent/tests/smoke-vm.sh \
	 "with_module agent/tests/pinholed/test_fwops_kmod" selftests/agent/run.sh; do
	echo "# suite: $t"
	$t
	rc=$?
	case $rc in
	0) [ $worst -eq 4 ] && worst=0 ;;
	4) ;;
	*) worst=1 ;;
	esac
	# every suite loads the module itself; leave none behind
	rmmod pinhole 2>/dev/null
done
exit $worst

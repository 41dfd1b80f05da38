#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# test-compat-probes.sh - the module's feature probes (kmod/compat/) give
# the right answers. For every installed kernel:
#   1. after "make kmods", build/kmod/VERSION/src/kmod/compat_generated.h
#      exists and each HAVE_* in it is what the kernel's headers say,
#      found here independently by grep (every probe needs an entry in
#      expect() below);
#   2. the mechanism itself: a test module built with the same Kbuild
#      fragment and script (kmod/compat/probe.mk, probe.sh) and the real
#      probes plus deliberately bogus ones (an undeclared function, a
#      member that does not exist) and a control (an API every kernel
#      has): the bogus ones undefined, the control defined, the real ones
#      as in 1.
# Prints KTAP; exits 1 if any test fails.

set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

kvers=$(make -s --no-print-directory print-kvers -f Makefile -f - <<<'print-kvers: ; @echo $(KVERS)' 2>/dev/null)
[ -n "$kvers" ] || { echo "test-compat-probes: no installed kernel with headers" >&2; exit 1; }
make -s -j2 kmods >/dev/null 2>&1 || { echo "test-compat-probes: make kmods failed" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

n=0
fails=0
ok() { # ok COND DESCRIPTION
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		fails=$((fails + 1))
	fi
}

# The header directories of kernel $1: Debian's per-flavour tree and the
# common tree its Makefile includes.
incdirs() {
	local kdir=/lib/modules/$1/build common
	common=$(sed -n 's|^include \(.*\)/Makefile$|\1|p' "$kdir/Makefile" | head -n 1)
	echo "$kdir/include" ${common:+"$common/include"}
}

# greph PATTERN FILE: FILE (under include/) of the kernel matches PATTERN.
greph() {
	local d
	for d in $inc; do
		[ -f "$d/$2" ] && grep -qE "$1" "$d/$2" && return 0
	done
	return 1
}

# expect PROBE: 0 if the kernel has the API, 1 if not, 2 if unknown probe.
expect() {
	case $1 in
	disable_delayed_work_sync)
		greph 'bool disable_delayed_work_sync\(struct delayed_work' linux/workqueue.h ;;
	genl_family_resv_start_op)
		greph '^[[:space:]]*u8[[:space:]]+resv_start_op;' net/genetlink.h ;;
	genl_mcast_cap_net_admin)
		greph '^#define GENL_MCAST_CAP_NET_ADMIN' net/genetlink.h ;;
	nl_set_err_attr_miss)
		greph '^#define NL_SET_ERR_ATTR_MISS\(extack, nest, type\)' linux/netlink.h ;;
	nla_get_u32_default)
		greph 'u32 nla_get_u32_default\(const struct nlattr' net/netlink.h ;;
	nla_policy_const_range)
		greph '^[[:space:]]*const struct netlink_range_validation \*range;' net/netlink.h ;;
	nla_policy_mask)
		greph '^#define NLA_POLICY_MASK\(' net/netlink.h ;;
	*)
		return 2 ;;
	esac
}

# defined HEADER MACRO: 0 if HEADER defines MACRO.
defined() {
	grep -qE "^#define $2 1\$" "$1"
}

# The test module: the real probes, two bogus ones and a control.
mkdir -p "$tmp/mod/compat/probes"
cp kmod/compat/probe.sh kmod/compat/probe.mk "$tmp/mod/compat/"
cp kmod/compat/probes/*.c "$tmp/mod/compat/probes/"
cat >"$tmp/mod/compat/probes/zz_bogus_function.c" <<'EOT'
#include <linux/slab.h>

void *probe(void);
void *probe(void)
{
	return pinhole_no_such_kmalloc(16, GFP_KERNEL);
}
EOT
cat >"$tmp/mod/compat/probes/zz_bogus_member.c" <<'EOT'
#include <linux/build_bug.h>
#include <net/genetlink.h>

static_assert(sizeof(((struct genl_family *)0)->pinhole_no_such_member));
EOT
cat >"$tmp/mod/compat/probes/zz_control_kmalloc.c" <<'EOT'
#include <linux/slab.h>

void *probe(void);
void *probe(void)
{
	return kmalloc(16, GFP_KERNEL);
}
EOT
cat >"$tmp/mod/Kbuild" <<'EOT'
include $(src)/compat/probe.mk
obj-m := probe_test.o
$(obj)/probe_test.o: $(obj)/compat_generated.h
EOT
cat >"$tmp/mod/probe_test.c" <<'EOT'
#include <linux/module.h>
#include "compat_generated.h"
MODULE_LICENSE("GPL");
EOT

echo "KTAP version 1"
for v in $kvers; do
	inc=$(incdirs "$v")
	hdr=build/kmod/$v/src/kmod/compat_generated.h
	echo "# $v: $hdr"
	[ -f "$hdr" ]
	ok $? "compat-header-exists-$v"
	for p in kmod/compat/probes/*.c; do
		name=$(basename "$p" .c)
		macro=HAVE_$(tr '[:lower:]' '[:upper:]' <<<"$name")
		expect "$name"
		want=$?
		if [ "$want" = 2 ]; then
			ok 1 "$v $name # no expectation in test-compat-probes.sh"
			continue
		fi
		defined "$hdr" "$macro"
		got=$?
		echo "# $v $macro: headers say $([ $want = 0 ] && echo yes || echo no), probe says $([ $got = 0 ] && echo yes || echo no)"
		[ "$got" = "$want" ]
		ok $? "$v $name"
	done

	m=$tmp/$v
	cp -r "$tmp/mod" "$m"
	make -C "/lib/modules/$v/build" M="$m" W=1 modules >"$m.log" 2>&1
	ok $? "probe-test-module-builds-$v"
	th=$m/compat_generated.h
	! defined "$th" HAVE_ZZ_BOGUS_FUNCTION && grep -q 'undef HAVE_ZZ_BOGUS_FUNCTION' "$th"
	ok $? "$v bogus function probed as missing"
	! defined "$th" HAVE_ZZ_BOGUS_MEMBER && grep -q 'undef HAVE_ZZ_BOGUS_MEMBER' "$th"
	ok $? "$v bogus member probed as missing"
	defined "$th" HAVE_ZZ_CONTROL_KMALLOC
	ok $? "$v control probed as present"
	diff <(grep HAVE_ "$hdr") <(grep HAVE_ "$th" | grep -v HAVE_ZZ_) >/dev/null
	ok $? "$v same answers through the test module"
done
echo "1..$n"
echo "# $((n - fails)) passed, $fails failed"
[ "$fails" = 0 ]

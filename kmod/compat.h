/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel APIs that differ between the kernels pinhole.ko builds on,
 * behind one name each. Which the target kernel has is probed, not
 * assumed from its version: compat/probe.sh compiles compat/probes/foo.c
 * against the kernel's headers with its flags and, when it compiles,
 * defines HAVE_FOO in compat_generated.h (in the build directory). Every
 * fallback here is keyed on a HAVE_* macro, never on LINUX_VERSION_CODE.
 *
 * A leaf: includes only the generated header and the kernel's.
 */
#ifndef _PINHOLE_COMPAT_H
#define _PINHOLE_COMPAT_H

#include <linux/netlink.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include "compat_generated.h"

/*
 * How to declare the netlink_range_validation of NLA_POLICY_FULL_RANGE():
 * const where struct nla_policy points to it as const, else writable but
 * read-only after init.
 */
#ifdef HAVE_NLA_POLICY_CONST_RANGE
#define PINHOLE_NLA_RANGE_QUAL	const
#else
#define PINHOLE_NLA_RANGE_QUAL	__ro_after_init
#endif

/* The policy of a u32 of flags: bits outside @mask rejected if possible. */
#ifdef HAVE_NLA_POLICY_MASK
#define PINHOLE_NLA_POLICY_FLAGS(mask)	NLA_POLICY_MASK(NLA_U32, mask)
#else
#define PINHOLE_NLA_POLICY_FLAGS(mask)	{ .type = NLA_U32 }
#endif

/*
 * A multicast group whose listeners need CAP_NET_ADMIN in the user
 * namespace owning the socket's network namespace (the check
 * GENL_UNS_ADMIN_PERM makes for operations). Kernels without the flag
 * (and its genl_multicast_group.flags) let any socket of the namespace
 * listen, as every family did before 6.7.
 */
#ifdef HAVE_GENL_MCAST_CAP_NET_ADMIN
#define PINHOLE_GENL_MCGRP_ADMIN(grp) \
	{ .name = (grp), .flags = GENL_MCAST_CAP_NET_ADMIN }
#else
#define PINHOLE_GENL_MCGRP_ADMIN(grp)	{ .name = (grp) }
#endif

/* The value of an optional u32 attribute, @defvalue when absent. */
static inline u32 pinhole_nla_get_u32_default(const struct nlattr *nla,
					      u32 defvalue)
{
#ifdef HAVE_NLA_GET_U32_DEFAULT
	return nla_get_u32_default(nla, defvalue);
#else
	return nla ? nla_get_u32(nla) : defvalue;
#endif
}

/* Name the missing attribute @type (of @nest, or top level if NULL). */
static inline void pinhole_nl_attr_miss(struct netlink_ext_ack *extack,
					const struct nlattr *nest, int type)
{
#ifdef HAVE_NL_SET_ERR_ATTR_MISS
	NL_SET_ERR_ATTR_MISS(extack, nest, type);
#endif
}

/*
 * Have the core check reserved header bytes, and reject attributes without
 * a policy, from command @op on. Kernels without resv_start_op check
 * neither. Before the family is registered.
 */
static inline void pinhole_genl_strict_from(struct genl_family *family, u8 op)
{
#ifdef HAVE_GENL_FAMILY_RESV_START_OP
	family->resv_start_op = op;
#endif
}

/*
 * Stop a delayed work for good: wait for a running instance and, where
 * the kernel can, make any later queueing a no-op. The caller must not
 * queue it again either way.
 */
static inline void pinhole_delayed_work_stop(struct delayed_work *dwork)
{
#ifdef HAVE_DISABLE_DELAYED_WORK_SYNC
	disable_delayed_work_sync(dwork);
#else
	cancel_delayed_work_sync(dwork);
#endif
}

#endif /* _PINHOLE_COMPAT_H */

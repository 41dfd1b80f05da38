// SPDX-License-Identifier: GPL-2.0
/*
 * disable_delayed_work_sync() (6.10): cancel a delayed work and make any
 * later queueing of it a no-op. Fallback: cancel_delayed_work_sync(), with
 * the caller guaranteeing nothing queues it again.
 */
#include <linux/build_bug.h>
#include <linux/workqueue.h>

static_assert(__builtin_types_compatible_p(typeof(&disable_delayed_work_sync),
					   bool (*)(struct delayed_work *)));

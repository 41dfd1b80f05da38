/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Events of the "pinhole" family: what changed, as it changes.
 */
#ifndef _PINHOLE_EVENT_H
#define _PINHOLE_EVENT_H

#include <linux/types.h>

struct genl_family;
struct pinhole;
struct pinhole_msg_remotes;
struct pinhole_net;

void pinhole_event_start(const struct genl_family *family);
void pinhole_event_stop(void);
void pinhole_event_notify(struct pinhole_net *pn, const struct pinhole *ph,
			  u8 cmd, u8 reason);
void pinhole_event_remotes(struct pinhole_net *pn, const struct pinhole *ph,
			   u8 cmd, const struct pinhole_msg_remotes *rem);

#endif /* _PINHOLE_EVENT_H */

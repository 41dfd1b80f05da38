/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Lease collector: closes pinholes whose lease ran out. The table files
 * them for it through gc_slots.h.
 */
#ifndef _PINHOLE_GC_H
#define _PINHOLE_GC_H

struct pinhole_net;

void pinhole_gc_init(struct pinhole_net *pn);
void pinhole_gc_uninit(struct pinhole_net *pn);

#endif /* _PINHOLE_GC_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Lease collector: closes pinholes whose lease ran out.
 */
#ifndef _PINHOLE_GC_H
#define _PINHOLE_GC_H

struct pinhole;
struct pinhole_net;

void pinhole_gc_init(struct pinhole_net *pn);
void pinhole_gc_schedule(struct pinhole_net *pn, unsigned long expires);
void pinhole_gc_uninit(struct pinhole_net *pn);
void pinhole_gc_file(struct pinhole_net *pn, struct pinhole *ph);
void pinhole_gc_unfile(struct pinhole_net *pn, struct pinhole *ph);

#endif /* _PINHOLE_GC_H */

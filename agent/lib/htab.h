/* SPDX-License-Identifier: GPL-2.0 */
/*
 * htab.h - an intrusive chained hash table: the owner embeds a struct
 * hnode in each element, hashes its key itself and compares keys while
 * walking one bucket (htab_first/htab_next visit the nodes whose hash
 * equals the one asked). Add and delete are O(1); the table doubles its
 * buckets when it holds more than two nodes per bucket (if that
 * allocation fails it stays as it is: slower, still correct). Not thread
 * safe.
 */
#ifndef PINHOLE_AGENT_HTAB_H
#define PINHOLE_AGENT_HTAB_H

#include <stddef.h>
#include <stdint.h>

struct hnode {
	struct hnode *next, **pprev;	/* pprev NULL: not in a table */
	uint32_t hash;
};

struct htab {
	struct hnode **b;
	size_t nb;			/* a power of two, or 0 before use */
	size_t n;
	size_t scan;			/* htab_any(): no node below this bucket */
};

#define HTAB_INIT { NULL, 0, 0, 0 }

/* -ENOMEM only when the table has no buckets yet and cannot get them */
int htab_add(struct htab *t, struct hnode *node, uint32_t hash);
/* no-op for a node in no table */
void htab_del(struct htab *t, struct hnode *node);
struct hnode *htab_first(const struct htab *t, uint32_t hash);
struct hnode *htab_next(const struct hnode *node);
/* any node (to empty a table: remove it, ask again), NULL when empty */
struct hnode *htab_any(struct htab *t);
void htab_free(struct htab *t);		/* the buckets, not the nodes */

uint32_t htab_hash_str(const char *s);		/* FNV-1a */

#define htab_entry(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

#endif /* PINHOLE_AGENT_HTAB_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * htab.c - intrusive chained hash table (see htab.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "htab.h"

#define HTAB_MIN_BUCKETS 64

static void link_node(struct hnode **head, struct hnode *node)
{
	node->next = *head;
	if (*head)
		(*head)->pprev = &node->next;
	*head = node;
	node->pprev = head;
}

static bool grow(struct htab *t)
{
	size_t nb = t->nb ? 2 * t->nb : HTAB_MIN_BUCKETS, i;
	struct hnode **b = calloc(nb, sizeof(*b));

	if (!b)
		return false;
	for (i = 0; i < t->nb; i++) {
		struct hnode *node = t->b[i], *next;

		for (; node; node = next) {
			next = node->next;
			link_node(&b[node->hash & (nb - 1)], node);
		}
	}
	free(t->b);
	t->b = b;
	t->nb = nb;
	t->scan = 0;
	return true;
}

int htab_add(struct htab *t, struct hnode *node, uint32_t hash)
{
	node->hash = hash;
	node->pprev = NULL;
	if ((!t->nb || t->n >= 2 * t->nb) && !grow(t) && !t->nb)
		return -ENOMEM;
	link_node(&t->b[hash & (t->nb - 1)], node);
	if ((hash & (t->nb - 1)) < t->scan)
		t->scan = hash & (t->nb - 1);
	t->n++;
	return 0;
}

void htab_del(struct htab *t, struct hnode *node)
{
	if (!node->pprev)
		return;
	*node->pprev = node->next;
	if (node->next)
		node->next->pprev = node->pprev;
	node->next = NULL;
	node->pprev = NULL;
	t->n--;
}

static struct hnode *same_hash(struct hnode *node, uint32_t hash)
{
	while (node && node->hash != hash)
		node = node->next;
	return node;
}

struct hnode *htab_first(const struct htab *t, uint32_t hash)
{
	if (!t->nb)
		return NULL;
	return same_hash(t->b[hash & (t->nb - 1)], hash);
}

struct hnode *htab_next(const struct hnode *node)
{
	return same_hash(node->next, node->hash);
}

struct hnode *htab_any(struct htab *t)
{
	for (; t->n && t->scan < t->nb; t->scan++)
		if (t->b[t->scan])
			return t->b[t->scan];
	return NULL;
}

void htab_free(struct htab *t)
{
	free(t->b);
	t->b = NULL;
	t->nb = 0;
	t->n = 0;
	t->scan = 0;
}

uint32_t htab_hash_str(const char *s)
{
	uint32_t h = 2166136261u;

	for (; s && *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

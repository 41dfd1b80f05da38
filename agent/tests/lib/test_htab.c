// SPDX-License-Identifier: GPL-2.0
/*
 * test_htab.c - the intrusive hash table: lookups walk only equal
 * hashes, deletes anywhere in a chain, growth keeps every node, and a
 * table empties through htab_any().
 */
#include <stdbool.h>
#include <stdlib.h>

#include "lib/htab.h"
#include "ktap.h"

struct item {
	int key;
	struct hnode h;
};

#define N 1000

static struct item items[N];

/* a weak hash on purpose: chains of 10 equal hashes */
static uint32_t weak(int key)
{
	return (uint32_t)(key / 10);
}

static struct item *find(const struct htab *t, int key)
{
	struct hnode *n;

	for (n = htab_first(t, weak(key)); n; n = htab_next(n)) {
		struct item *it = htab_entry(n, struct item, h);

		EXPECT_EQ(n->hash, weak(key));
		if (it->key == key)
			return it;
	}
	return NULL;
}

TEST(add_find_delete_grow)
{
	struct htab t = HTAB_INIT;
	int i, left = 0;

	EXPECT_TRUE(find(&t, 1) == NULL);	/* empty, no buckets yet */
	for (i = 0; i < N; i++) {
		items[i].key = i;
		htab_add(&t, &items[i].h, weak(i));
	}
	EXPECT_EQ(t.n, N);
	EXPECT_TRUE(t.nb >= N / 2);		/* grew past 64 buckets */
	for (i = 0; i < N; i++)
		EXPECT_TRUE(find(&t, i) == &items[i]);
	EXPECT_TRUE(find(&t, N + 5) == NULL);
	/* every third: the heads, middles and tails of the chains */
	for (i = 0; i < N; i += 3)
		htab_del(&t, &items[i].h);
	htab_del(&t, &items[0].h);		/* twice: nothing */
	for (i = 0; i < N; i++) {
		EXPECT_TRUE((find(&t, i) != NULL) == (i % 3 != 0));
		left += i % 3 != 0;
	}
	EXPECT_EQ(t.n, (size_t)left);
	htab_free(&t);
}

TEST(any_empties_the_table)
{
	struct htab t = HTAB_INIT;
	struct hnode *n;
	int i, seen = 0;

	for (i = 0; i < N; i++) {
		items[i].key = i;
		htab_add(&t, &items[i].h, htab_hash_str(i % 2 ? "a" : "b") + i);
	}
	while ((n = htab_any(&t))) {
		htab_del(&t, n);
		seen++;
		if (seen > N)
			break;
	}
	EXPECT_EQ(seen, N);
	EXPECT_EQ(t.n, 0);
	/* usable again after emptying */
	htab_add(&t, &items[3].h, 3);
	EXPECT_TRUE(htab_any(&t) == &items[3].h);
	htab_free(&t);
}

TEST(string_hashes)
{
	EXPECT_EQ(htab_hash_str("z9hG4bK1"), htab_hash_str("z9hG4bK1"));
	EXPECT_TRUE(htab_hash_str("z9hG4bK1") != htab_hash_str("z9hG4bK2"));
	EXPECT_EQ(htab_hash_str(NULL), htab_hash_str(""));
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The packet path's lookup, out of line: for pinhole_decide() (the
 * xtables match), so that hook.c has only the hooks' call to inline.
 */
#include "lookup.h"
#include "table.h"

bool pinhole_table_match(struct pinhole_net *pn, struct pinhole_key *key,
			 const union nf_inet_addr *saddr, u16 sport,
			 unsigned int len)
{
	return __pinhole_table_match(pn, key, saddr, sport, len);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * glare_sip.h - where SIP meets the glare decision: what a message's
 * Glare-Tiebreak header means to call/glare.c, and whether an INVITE from
 * the peer crosses ours. The only place that knows both sip/ and call/
 * types, so that neither has to know the other.
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#ifndef PINHOLE_GLARE_SIP_H
#define PINHOLE_GLARE_SIP_H

#include <stdbool.h>
#include <stdint.h>

#include <osipparser2/osip_parser.h>

#include "call/glare.h"

/* the message's Glare-Tiebreak, as the glare decision takes it */
enum glare_peer_tb glare_sip_peer_tb(osip_message_t *m, uint64_t *tb);

/*
 * True when the INVITE @m from the peer collides with ours (glare): an
 * initial INVITE (no To tag) from the AoR our pending INVITE is addressed to.
 */
bool glare_sip_is_glare(osip_message_t *m, bool our_invite_pending,
			const char *our_to_aor);

#endif /* PINHOLE_GLARE_SIP_H */

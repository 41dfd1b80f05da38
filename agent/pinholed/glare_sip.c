// SPDX-License-Identifier: GPL-2.0
/*
 * glare_sip.c - the Glare-Tiebreak header and glare detection on SIP
 * messages (see glare_sip.h).
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#include "sip/sip_msg.h"
#include "glare_sip.h"

enum glare_peer_tb glare_sip_peer_tb(osip_message_t *m, uint64_t *tb)
{
	switch (sip_msg_tiebreak(m, tb)) {
	case SIP_TB_VALID:
		return GLARE_PEER_TB_VALID;
	case SIP_TB_INVALID:
		return GLARE_PEER_TB_INVALID;
	case SIP_TB_ABSENT:
	default:
		return GLARE_PEER_TB_ABSENT;
	}
}

bool glare_sip_is_glare(osip_message_t *m, bool our_invite_pending,
			const char *our_to_aor)
{
	osip_uri_param_t *tag = NULL;
	char from[256];

	if (!MSG_IS_INVITE(m) || !m->from || !m->to)
		return false;
	/* an INVITE inside a dialog (To tag) is a re-INVITE, not glare */
	if (osip_to_get_tag(m->to, &tag) == OSIP_SUCCESS && tag)
		return false;
	if (sip_uri_aor(m->from->url, from, sizeof(from)))
		return false;
	return glare_detect(our_invite_pending, our_to_aor, from);
}

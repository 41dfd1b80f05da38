// SPDX-License-Identifier: GPL-2.0
/*
 * sip_msg.c - SIP message helpers on top of libosip2's parser.
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sip_msg.h"

int sip_msg_init(void)
{
	return parser_init() == 0 ? 0 : -ENOMEM;
}

osip_message_t *sip_msg_parse(const char *buf, size_t len)
{
	osip_message_t *m;

	if (osip_message_init(&m) != OSIP_SUCCESS)
		return NULL;
	if (osip_message_parse(m, buf, len) != OSIP_SUCCESS) {
		osip_message_free(m);
		return NULL;
	}
	return m;
}

int sip_msg_to_buf(osip_message_t *m, char **buf, size_t *len)
{
	return osip_message_to_str(m, buf, len) == OSIP_SUCCESS ? 0 : -EINVAL;
}

int sip_uri_aor(const osip_uri_t *u, char *buf, size_t size)
{
	int n;

	if (!u || !u->host)
		return -EINVAL;
	if (u->username)
		n = snprintf(buf, size, "%s@%s", u->username, u->host);
	else
		n = snprintf(buf, size, "%s", u->host);
	return n < 0 || (size_t)n >= size ? -ENOSPC : 0;
}

enum glare_peer_tb sip_msg_tiebreak(osip_message_t *m, uint64_t *tb)
{
	osip_header_t *h = NULL, *again = NULL;
	int pos;

	pos = osip_message_header_get_byname(m, GLARE_TIEBREAK_HDR, 0, &h);
	if (pos < 0 || !h)
		return GLARE_PEER_TB_ABSENT;
	if (osip_message_header_get_byname(m, GLARE_TIEBREAK_HDR, pos + 1,
					   &again) >= 0 && again)
		return GLARE_PEER_TB_INVALID;
	if (glare_tiebreak_parse(h->hvalue ? h->hvalue : "", tb))
		return GLARE_PEER_TB_INVALID;
	return GLARE_PEER_TB_VALID;
}

int sip_msg_set_tiebreak(osip_message_t *m, uint64_t tb)
{
	char v[GLARE_TIEBREAK_STRLEN];

	glare_tiebreak_format(tb, v, sizeof(v));
	return osip_message_set_header(m, GLARE_TIEBREAK_HDR, v) ==
	       OSIP_SUCCESS ? 0 : -ENOMEM;
}

bool sip_msg_is_glare(osip_message_t *m, bool our_invite_pending,
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

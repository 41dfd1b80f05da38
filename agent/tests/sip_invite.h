// SPDX-License-Identifier: GPL-2.0
/*
 * sip_invite.h - the INVITE text the SIP message tests parse: from
 * bob@Example.com to alice@example.com, @extra headers added, @to_tag
 * (";tag=...") or "" on To.
 */
#ifndef PINHOLE_TESTS_SIP_INVITE_H
#define PINHOLE_TESTS_SIP_INVITE_H

#include <stdio.h>

#include "sip/sip_msg.h"

static inline osip_message_t *invite(const char *extra, const char *to_tag)
{
	static char buf[2048];
	int n;

	sip_msg_init();
	n = snprintf(buf, sizeof(buf),
		"INVITE sip:alice@198.51.100.1:5060 SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 198.51.100.2:5060;branch=z9hG4bKx1\r\n"
		"Max-Forwards: 70\r\n"
		"From: \"Bob\" <sip:bob@Example.com>;tag=b1\r\n"
		"To: <sip:alice@example.com>%s\r\n"
		"Call-ID: c1@198.51.100.2\r\n"
		"CSeq: 1 INVITE\r\n"
		"Contact: <sip:bob@198.51.100.2:5060>\r\n"
		"%s"
		"Content-Length: 0\r\n\r\n", to_tag, extra);
	return sip_msg_parse(buf, (size_t)n);
}

#endif /* PINHOLE_TESTS_SIP_INVITE_H */

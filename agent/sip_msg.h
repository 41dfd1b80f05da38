// SPDX-License-Identifier: GPL-2.0
/*
 * sip_msg.h - SIP messages (RFC 3261 section 7) through libosip2's parser:
 * parse, serialise, and the pieces the call logic needs (AoRs, the
 * Glare-Tiebreak header).
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#ifndef PINHOLE_SIP_MSG_H
#define PINHOLE_SIP_MSG_H

#include <stddef.h>
#include <stdint.h>

#include <osipparser2/osip_parser.h>

#include "glare.h"

/* once per process, before any other call */
int sip_msg_init(void);

/* NULL when the buffer is not a SIP message */
osip_message_t *sip_msg_parse(const char *buf, size_t len);
/* malloc()ed text in *buf (free with osip_free); 0 or -EINVAL */
int sip_msg_to_buf(osip_message_t *m, char **buf, size_t *len);

/* "user@host" (no scheme, port or parameters); 0, -EINVAL, -ENOSPC */
int sip_uri_aor(const osip_uri_t *u, char *buf, size_t size);

/*
 * The Glare-Tiebreak header: ABSENT, VALID (*tb set) or INVALID (value not
 * a strict unsigned 64-bit decimal, or the header repeated).
 */
enum glare_peer_tb sip_msg_tiebreak(osip_message_t *m, uint64_t *tb);
int sip_msg_set_tiebreak(osip_message_t *m, uint64_t tb);

/* true when the INVITE @m from the peer collides with ours (glare) */
bool sip_msg_is_glare(osip_message_t *m, bool our_invite_pending,
		      const char *our_to_aor);

#endif /* PINHOLE_SIP_MSG_H */

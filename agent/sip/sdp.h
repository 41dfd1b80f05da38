// SPDX-License-Identifier: GPL-2.0
/*
 * sdp.h - the SDP (RFC 4566) of one audio stream, PCMU/8000 (RFC 3551
 * payload type 0), in an offer/answer exchange (RFC 3264): build ours,
 * read the peer's address and port. Parsing goes through libosip2.
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#ifndef PINHOLE_SDP_H
#define PINHOLE_SDP_H

#include <stddef.h>
#include <stdint.h>

#define SDP_PT_PCMU	0

struct sdp_stream {
	char addr[64];		/* c= connection address (IPv4 or IPv6) */
	int family;		/* AF_INET or AF_INET6 */
	uint16_t port;		/* m=audio port; 0 = stream refused */
	int pt;			/* first payload type offered */
	uint64_t sess_id;	/* o= session id */
};

/* Writes our SDP; returns its length, or -ENOSPC / -EINVAL. */
int sdp_build(char *buf, size_t size, const char *user,
	      const struct sdp_stream *local, uint64_t sess_version);
/*
 * 0, -EINVAL when there is no usable audio stream, -EAFNOSUPPORT when its
 * c= address is not a literal of the address type c= gives (IP4/IP6)
 */
int sdp_parse(const char *body, struct sdp_stream *out);

#endif /* PINHOLE_SDP_H */

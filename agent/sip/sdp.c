// SPDX-License-Identifier: GPL-2.0
/*
 * sdp.c - one PCMU audio stream in SDP.
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <osipparser2/osip_port.h>
#include <osipparser2/sdp_message.h>

#include "sdp.h"

int sdp_build(char *buf, size_t size, const char *user,
	      const struct sdp_stream *l, uint64_t sess_version)
{
	const char *ip = l->family == AF_INET6 ? "IP6" : "IP4";
	int n;

	if (!user || !*user || !l->addr[0])
		return -EINVAL;
	n = snprintf(buf, size,
		     "v=0\r\n"
		     "o=%s %llu %llu IN %s %s\r\n"
		     "s=pinhole\r\n"
		     "c=IN %s %s\r\n"
		     "t=0 0\r\n"
		     "m=audio %u RTP/AVP %d\r\n"
		     "a=rtpmap:0 PCMU/8000\r\n"
		     "a=ptime:20\r\n"
		     "a=sendrecv\r\n",
		     user, (unsigned long long)l->sess_id,
		     (unsigned long long)sess_version, ip, l->addr,
		     ip, l->addr, l->port, SDP_PT_PCMU);
	if (n < 0 || (size_t)n >= size)
		return -ENOSPC;
	return n;
}

/*
 * @body with every line ending made CRLF (malloc()ed): libosip2 5.3's
 * sdp_message_parse() reads past the end of a body whose last line ends
 * in a bare LF ("m=audio 4000 RTP/AVP\n"; found by fuzz_sdp).
 */
static char *sdp_crlf(const char *body)
{
	size_t n = 0, i, o = 0;
	char *s;

	for (i = 0; body[i]; i++)
		n += body[i] == '\n' || body[i] == '\r' ? 2 : 1;
	s = malloc(n + 1);
	if (!s)
		return NULL;
	for (i = 0; body[i]; i++) {
		if (body[i] == '\r' || body[i] == '\n') {
			s[o++] = '\r';
			s[o++] = '\n';
			if (body[i] == '\r' && body[i + 1] == '\n')
				i++;
		} else {
			s[o++] = body[i];
		}
	}
	s[o] = '\0';
	return s;
}

int sdp_parse(const char *body, struct sdp_stream *out)
{
	sdp_message_t *sdp = NULL;
	const char *addr, *port, *pt, *type, *sid;
	struct in6_addr a6;
	int ret = -EINVAL;
	char *end, *crlf = NULL;
	long p;

	memset(out, 0, sizeof(*out));
	if (!body || sdp_message_init(&sdp) != 0)
		return -EINVAL;
	crlf = sdp_crlf(body);
	if (!crlf || sdp_message_parse(sdp, crlf) != 0)
		goto out;

	for (int i = 0; !osip_list_eol(&sdp->m_medias, i); i++) {
		const char *media = sdp_message_m_media_get(sdp, i);

		if (!media || strcmp(media, "audio"))
			continue;
		port = sdp_message_m_port_get(sdp, i);
		pt = sdp_message_m_payload_get(sdp, i, 0);
		/* media-level c= first, then session-level (pos_media -1) */
		addr = sdp_message_c_addr_get(sdp, i, 0);
		type = sdp_message_c_addrtype_get(sdp, i, 0);
		if (!addr) {
			addr = sdp_message_c_addr_get(sdp, -1, 0);
			type = sdp_message_c_addrtype_get(sdp, -1, 0);
		}
		if (!port || !pt || !addr || !type)
			goto out;
		p = strtol(port, &end, 10);
		if (*end || p < 0 || p > 65535)
			goto out;
		if (strlen(addr) >= sizeof(out->addr))
			goto out;
		strcpy(out->addr, addr);
		out->family = !strcmp(type, "IP6") ? AF_INET6 : AF_INET;
		/* the address must be a literal of the family c= names */
		if ((strcmp(type, "IP4") && strcmp(type, "IP6")) ||
		    inet_pton(out->family, addr, &a6) != 1) {
			ret = -EAFNOSUPPORT;
			goto out;
		}
		out->port = (uint16_t)p;
		out->pt = atoi(pt);
		sid = sdp_message_o_sess_id_get(sdp);
		out->sess_id = sid ? strtoull(sid, NULL, 10) : 0;
		ret = 0;
		break;
	}
out:
	sdp_message_free(sdp);
	free(crlf);
	return ret;
}

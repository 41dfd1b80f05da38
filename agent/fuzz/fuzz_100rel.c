// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_100rel.c - reliable provisional responses (RFC 3262) from a
 * hostile peer: RSeq and RAck values (sip_rseq_parse, sip_rack_parse,
 * round trip with sip_rack_format), a whole message's reliability
 * (sip_100rel_rseq, sip_100rel_uas_wanted), and the two state machines
 * driven by the input's bytes: the UAS side (reliable 1xx sent, timer
 * fired, PRACKs of any RAck) and the UAC side (reliable 1xx of any To
 * tag and RSeq). Asserts the bounds pinholed relies on: RSeq in 1 to
 * 2^31-1, retransmissions end within 64*T1, the UAC table never above
 * SIP_REL_UAC_MAX, a tag PRACKed only for the next RSeq in order.
 *
 * Input: "VALUE\0MESSAGE\0OPS": VALUE parsed as RSeq and RAck, MESSAGE
 * as a SIP message, OPS drive the state machines.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <osipparser2/osip_parser.h>

#include "sip/sip_100rel.h"
#include "sip/sip_msg.h"
#include "sip/sip_tx.h"

static size_t part(const uint8_t **d, size_t *n, char *out, size_t size)
{
	const uint8_t *z = memchr(*d, 0, *n);
	size_t len = z ? (size_t)(z - *d) : *n;
	size_t c = len < size - 1 ? len : size - 1;

	memcpy(out, *d, c);
	out[c] = '\0';
	*d += z ? len + 1 : len;
	*n -= z ? len + 1 : len;
	return c;
}

static void values(const char *v)
{
	uint32_t rseq, cseq, r2, c2;
	char method[32], m2[32], buf[SIP_RACK_LEN];

	if (!sip_rseq_parse(v, &rseq) && (!rseq || rseq > SIP_RSEQ_MAX))
		abort();
	if (sip_rack_parse(v, &rseq, &cseq, method, sizeof(method)))
		return;
	if (!rseq || rseq > SIP_RSEQ_MAX || cseq > (UINT32_MAX >> 1) ||
	    !method[0] || strpbrk(method, " \t"))
		abort();
	/* what we read we write back the same */
	if (sip_rack_format(buf, sizeof(buf), rseq, cseq, method) < 0)
		abort();
	if (sip_rack_parse(buf, &r2, &c2, m2, sizeof(m2)) || r2 != rseq ||
	    c2 != cseq || strcmp(m2, method))
		abort();
}

static void message(const char *s, size_t len)
{
	osip_message_t *m = sip_msg_parse(s, len);
	uint32_t rseq;

	if (!m)
		return;
	if (!sip_100rel_rseq(m, &rseq) && (!rseq || rseq > SIP_RSEQ_MAX))
		abort();
	for (int mode = SIP_100REL_OFF; mode <= SIP_100REL_PREFER; mode++)
		if (sip_100rel_uas_wanted(mode, m) && mode == SIP_100REL_OFF)
			abort();
	sip_option_tag(m, "supported", "timer");
	sip_option_tag(m, "unsupported", SIP_100REL_TAG);
	osip_message_free(m);
}

static uint32_t u32(const uint8_t **d, size_t *n)
{
	uint32_t v = 0;

	for (int i = 0; i < 4 && *n; i++, (*d)++, (*n)--)
		v = v << 8 | **d;
	return v;
}

static void machines(const uint8_t *d, size_t n)
{
	struct sip_rel_uas uas;
	struct sip_rel_uac uac;
	uint32_t first = u32(&d, &n), sent = 0, rseq, last[4] = { 0 };
	uint32_t wait = 0;
	bool have[4] = { false };

	sip_rel_uas_init(&uas, first, SIP_T1_MS);
	sip_rel_uac_reset(&uac);
	while (n) {
		uint8_t op = *d++;
		char tag[SIP_REL_TAG_LEN + 8];
		enum sip_rel_uac_act a;
		uint32_t r, c;
		int t;

		n--;
		switch (op & 3) {
		case 0:		/* UAS: a reliable 1xx */
			t = sip_rel_uas_send(&uas, &rseq);
			if (t >= 0) {
				if (!rseq || rseq > SIP_RSEQ_MAX ||
				    (!sent && rseq > SIP_RSEQ_FIRST_MAX) ||
				    (sent && rseq != sent + 1))
					abort();
				sent = rseq;
				wait = 0;
			}
			break;
		case 1:		/* UAS: its timer */
			t = (int)sip_rel_uas_retx(&uas);
			wait += (uint32_t)t;
			if (wait > 64u * SIP_T1_MS)
				abort();
			break;
		case 2:		/* UAS: a PRACK of anything */
			r = (op & 4) ? sent : u32(&d, &n);
			c = u32(&d, &n);
			if (!sip_rel_uas_prack(&uas, r, c,
					       (op & 8) ? "INVITE" : "BYE",
					       c) && (r != sent || !(op & 8)))
				abort();
			break;
		case 3:		/* UAC: a reliable 1xx of one of 4 tags,
				 * or of a long or new one */
			r = u32(&d, &n);
			if (op & 0x80) {
				memset(tag, 'x', sizeof(tag) - 1);
				tag[(op >> 2) & 1 ? SIP_REL_TAG_LEN :
				    SIP_REL_TAG_LEN - 1] = '\0';
			} else {
				snprintf(tag, sizeof(tag), "t%u",
					 (op >> 2) & 0x1f);
			}
			a = sip_rel_uac_response(&uac, tag, r);
			if (uac.n > SIP_REL_UAC_MAX)
				abort();
			if (!(op & 0x80) && ((op >> 2) & 0x1f) < 4) {
				unsigned int k = (op >> 2) & 3;

				if (a == SIP_REL_PRACK && have[k] &&
				    r != last[k] + 1)
					abort();
				if (a == SIP_REL_PRACK) {
					have[k] = true;
					last[k] = r;
				}
			}
			break;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int inited;
	char *buf = malloc(size + 1);
	size_t len;

	if (!inited) {
		sip_msg_init();
		inited = 1;
	}
	if (!buf)
		return 0;
	part(&data, &size, buf, size + 1);
	values(buf);
	len = part(&data, &size, buf, size + 1);
	message(buf, len);
	free(buf);
	machines(data, size);
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sip_100rel.h - reliable provisional responses (RFC 3262) as pure
 * decisions: the option tag in Require/Supported, RSeq and RAck syntax,
 * the UAS side (one reliable provisional at a time, its retransmission
 * at T1 doubling until its PRACK or 64*T1, the PRACK that acknowledges
 * it) and the UAC side (per early dialog, PRACK only the next RSeq in
 * order; duplicates and gaps are not processed further, RFC 3262 4).
 * No I/O, no clock: pinholed/ua_100rel.c sends and times.
 */
#ifndef PINHOLE_AGENT_SIP_100REL_H
#define PINHOLE_AGENT_SIP_100REL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <osipparser2/osip_parser.h>

#define SIP_100REL_TAG		"100rel"
/* RSeq is 1..2^32 - 1 (RFC 3262 7.1); the first of a response's is below
 * 2^31 (3), so one higher each time never wraps */
#define SIP_RSEQ_MAX		4294967295u
#define SIP_RSEQ_FIRST_MAX	2147483647u
/* "4294967295 4294967295 " plus a method */
#define SIP_RACK_LEN		64

/* what we do with 100rel (--100rel) */
enum sip_100rel_mode {
	SIP_100REL_OFF,		/* not supported: Require: 100rel is 420 */
	SIP_100REL_ON,		/* supported; reliable 1xx when required */
	SIP_100REL_PREFER,	/* reliable 1xx also when only supported */
};

const char *sip_100rel_mode_name(enum sip_100rel_mode m);
/* "off", "on", "prefer"; 0 or -EINVAL */
int sip_100rel_mode_parse(const char *s, enum sip_100rel_mode *m);

/*
 * Whether option tag @tag is in one of @m's @hdr headers (a comma list,
 * case-insensitive; Supported also in its compact form "k").
 */
bool sip_option_tag(const osip_message_t *m, const char *hdr,
		    const char *tag);
/* whether our 1xx to INVITE @req are sent reliably under @mode */
bool sip_100rel_uas_wanted(enum sip_100rel_mode mode,
			   const osip_message_t *req);
/*
 * A response's RSeq when it is a reliable provisional (101-199 with
 * Require: 100rel and one valid RSeq, 1 to 2^31-1): 0 and *@rseq, or
 * -ENOENT (not reliable), -EINVAL (Require: 100rel with a bad RSeq).
 */
int sip_100rel_rseq(const osip_message_t *resp, uint32_t *rseq);

/* RSeq value: 1*DIGIT, 1 to 2^31-1, optional blanks around; 0/-EINVAL */
int sip_rseq_parse(const char *s, uint32_t *rseq);
/* RAck value "RSeq CSeq Method"; 0 or -EINVAL */
int sip_rack_parse(const char *s, uint32_t *rseq, uint32_t *cseq,
		   char *method, size_t size);
/* the same written; its length or -ENOSPC */
int sip_rack_format(char *buf, size_t size, uint32_t rseq, uint32_t cseq,
		    const char *method);

/* ------------------------------------------------------------- UAS */

struct sip_rel_uas {
	uint32_t rseq;		/* of the last reliable 1xx sent, 0: none */
	bool unacked;		/* it waits for its PRACK */
	uint32_t retx_ms;	/* the next retransmission after */
	uint32_t elapsed_ms;	/* since it was first sent */
	uint32_t t1;		/* ms: the SIP layer's T1 (sip_t1()) */
};

/* a new INVITE: its first reliable 1xx will have RSeq @first (1 to
 * 2^31-1: a random one, RFC 3262 3; 0 is taken as 1); retransmissions
 * from T1 @t1 ms */
void sip_rel_uas_init(struct sip_rel_uas *u, uint32_t first, uint32_t t1);
/*
 * A reliable 1xx is to be sent: its RSeq in *@rseq and the first
 * retransmission due after the returned ms (T1); -EBUSY: the last one is
 * not acknowledged yet and no other may go before its PRACK (RFC 3262 3);
 * -ERANGE: RSeq would pass 2^32 - 1 (never, from a first below 2^31).
 */
int sip_rel_uas_send(struct sip_rel_uas *u, uint32_t *rseq);
/* its retransmission timer fired: ms until the next one (doubling, no
 * T2 cap), 0: 64*T1 without its PRACK, give up (the INVITE gets a 5xx) */
uint32_t sip_rel_uas_retx(struct sip_rel_uas *u);
/*
 * A PRACK with RAck @rseq @cseq @method for the INVITE of CSeq
 * @inv_cseq: 0 when it acknowledges the outstanding 1xx (200, no more
 * retransmissions), -ENOENT when it matches nothing unacknowledged (481).
 */
int sip_rel_uas_prack(struct sip_rel_uas *u, uint32_t rseq, uint32_t cseq,
		      const char *method, uint32_t inv_cseq);

/* ------------------------------------------------------------- UAC */

#define SIP_REL_UAC_MAX		8	/* early dialogs remembered */
#define SIP_REL_TAG_LEN		128

struct sip_rel_uac {
	struct {
		char tag[SIP_REL_TAG_LEN];
		uint32_t rseq;		/* the last in order */
	} d[SIP_REL_UAC_MAX];
	unsigned int n;
};

enum sip_rel_uac_act {
	SIP_REL_PRACK,		/* in order (or the first): PRACK it */
	SIP_REL_DUP,		/* a retransmission: not processed further */
	SIP_REL_GAP,		/* out of order: not processed further */
	SIP_REL_DROP,		/* no To tag, or no room: no dialog to PRACK */
};

void sip_rel_uac_reset(struct sip_rel_uac *u);
/* a reliable 1xx of RSeq @rseq in the early dialog of To tag @tag */
enum sip_rel_uac_act sip_rel_uac_response(struct sip_rel_uac *u,
					  const char *tag, uint32_t rseq);
const char *sip_rel_uac_act_name(enum sip_rel_uac_act a);

#endif /* PINHOLE_AGENT_SIP_100REL_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sip_dialog.h - SIP dialogs (RFC 3261 section 12): identity (Call-ID,
 * local and remote tag), CSeq spaces, route set and remote target, and the
 * requests built from them (12.2.1.1, including strict routing), the ACK
 * of a 2xx (13.2.2.4) and the initial request of a UAC (8.1.1) with an
 * optional preloaded outbound proxy route.
 */
#ifndef PINHOLE_AGENT_SIP_DIALOG_H
#define PINHOLE_AGENT_SIP_DIALOG_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include <osipparser2/osip_parser.h>

#define SIP_DIALOG_MAX_ROUTES	8

struct sip_dialog {
	char *call_id;
	char *local_tag;
	char *remote_tag;		/* NULL until the peer's tag is known */
	char *local_uri;		/* From of our requests */
	char *remote_uri;		/* To of our requests */
	char *remote_target;		/* Request-URI (the peer's Contact) */
	char *local_contact;		/* our Contact URI */
	char *routes[SIP_DIALOG_MAX_ROUTES];	/* "<sip:...;lr>" in order */
	unsigned int nroutes;
	uint32_t local_cseq;
	uint32_t remote_cseq;
	bool remote_cseq_set;
	bool established;		/* both tags known: early or confirmed */
	bool confirmed;			/* by a 2xx (UAC) or our INVITE's (UAS) */
};

/*
 * UAC before the dialog exists: a new Call-ID and From tag; the requests
 * go to @remote_uri, through @proxy (a SIP URI, loose routed) if not NULL.
 */
int sip_dialog_uac_init(struct sip_dialog *d, const char *local_uri,
			const char *remote_uri, const char *contact,
			const char *proxy, const char *host);
/*
 * A response with a To tag to our INVITE creates or updates the dialog
 * (12.1.2): a 1xx an early one (a 1xx of another tag moves it to that
 * fork), a 2xx confirms it with the 2xx's tag, route set and target
 * (13.2.2.4), whatever early dialog there was. -EEXIST: a response of
 * another fork than the confirmed dialog's (see sip_dialog_uac_fork and
 * sip_fork.h); -EINVAL: no To tag.
 */
int sip_dialog_uac_response(struct sip_dialog *d, const osip_message_t *resp);
/*
 * @out: the dialog another fork's 2xx @resp makes (13.2.2.4), to ACK and
 * BYE it: the identity and CSeq space of our INVITE's dialog @d, the rest
 * from @resp. 0 or -errno (@out then empty).
 */
int sip_dialog_uac_fork(struct sip_dialog *out, const struct sip_dialog *d,
			const osip_message_t *resp);
/* UAS: the dialog of @req; our tag is generated */
int sip_dialog_uas_init(struct sip_dialog *d, const osip_message_t *req,
			const char *contact);
void sip_dialog_reset(struct sip_dialog *d);

/* a request in the dialog (or the initial one), with the next CSeq */
osip_message_t *sip_dialog_request(struct sip_dialog *d, const char *method);
/* the ACK of the 2xx to our INVITE with CSeq number @cseq */
osip_message_t *sip_dialog_ack(struct sip_dialog *d, uint32_t cseq);
/* where the requests of the dialog go: the first route's or the remote
 * target's URI (malloc'd; NULL: out of memory), for sip_ctx_send_uri() */
char *sip_dialog_next_hop_uri(const struct sip_dialog *d);
/* the same as an address when its host is an IP literal (-EAGAIN: a
 * host name, to be looked up) */
int sip_dialog_next_hop(const struct sip_dialog *d,
			struct sockaddr_storage *dst);

/* Call-ID, To tag == local tag, From tag == remote tag (12.2.2) */
bool sip_dialog_match(const struct sip_dialog *d, const osip_message_t *req);
/*
 * A hash of a Call-ID's number part (up to '@'): of a dialog's call_id or
 * of a request's call_id->number, the same for a request and its dialog,
 * for an index of dialogs (sip_dialog_match() still decides).
 */
uint32_t sip_dialog_key(const char *call_id);
/* 12.2.2: 0, or -ERANGE for a CSeq lower than the last one (500) */
int sip_dialog_remote_cseq(struct sip_dialog *d, const osip_message_t *req);

#endif /* PINHOLE_AGENT_SIP_DIALOG_H */

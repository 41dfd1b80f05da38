// SPDX-License-Identifier: GPL-2.0
/*
 * ua_resume.c - the calls carried across a restart (--state-dir): the
 * state file kept in step with the calls (state.c writes it), and on
 * start the calls read back: established ones resume (their pinholes
 * adopted from the kernel, media on the same port toward the same peer,
 * the dialog as it was, so that BYE from either side and re-INVITEs work
 * as before); ones being set up are ended (state_plan(): BYE when a 2xx
 * was exchanged, CANCEL for our INVITE still pending - ACK and BYE if a
 * 2xx comes anyway -, 480 with Retry-After for the peer's, their
 * pinholes taken back and closed).
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/plog.h"
#include "lib/sockaddr.h"
#include "media/media.h"
#include "sip/sip_dialog.h"
#include "sip/sip_msg.h"
#include "state.h"
#include "ua_priv.h"

/* ------------------------------------------------------------- saving */

#define CP(f)								\
	do {								\
		if (snprintf(o->f, sizeof(o->f), "%s", d->f ? d->f : "") >= \
		    (int)sizeof(o->f))					\
			return false;					\
	} while (0)

/* false: a string too long for the state file */
static bool dialog_out(struct state_dialog *o, const struct sip_dialog *d)
{
	unsigned int i;

	CP(call_id);
	CP(local_tag);
	CP(remote_tag);
	CP(local_uri);
	CP(remote_uri);
	CP(remote_target);
	CP(local_contact);
	if (d->nroutes > STATE_MAX_ROUTES)
		return false;
	for (i = 0; i < d->nroutes; i++)
		CP(routes[i]);
	o->nroutes = d->nroutes;
	o->local_cseq = d->local_cseq;
	o->remote_cseq = d->remote_cseq;
	o->remote_cseq_set = d->remote_cseq_set;
	return true;
}

#undef CP

/*
 * The dialog a BYE may end: the session's once established; before, a
 * dialog whose 2xx was sent (ANSWERED) or received. NULL: none.
 */
static const struct sip_dialog *bye_dialog(const struct ua_call *uc,
					   enum call_leg *leg)
{
	*leg = uc->call.leg;
	if (uc->call.state == CALL_ESTABLISHED)
		return *leg == CALL_LEG_UAS ? &uc->uas_dlg : &uc->uac_dlg;
	if (uc->call.state == CALL_ANSWERED && uc->uas_dlg_valid) {
		*leg = CALL_LEG_UAS;
		return &uc->uas_dlg;
	}
	if (uc->uac_2xx_seen && uc->uac_dlg_valid && uc->uac_dlg.remote_tag) {
		*leg = CALL_LEG_UAC;
		return &uc->uac_dlg;
	}
	return NULL;
}

/* our INVITE without a final response (sent: not waiting for a lookup) */
static bool uac_pending(const struct ua_call *uc)
{
	enum sip_ctx_state st;

	if (!uc->inv || uc->uac_2xx_seen || !uc->uac_dlg_valid ||
	    sip_ctx_resolving(uc->inv))
		return false;
	st = sip_ctx_state(uc->inv);
	return st == SIP_CTX_CALLING || st == SIP_CTX_PROCEEDING;
}

/* the peer's INVITE without a final response */
static bool uas_pending(const struct ua_call *uc)
{
	return uc->stx && sip_stx_state(uc->stx) == SIP_STX_PROCEEDING &&
	       !sip_stx_final(uc->stx) && sip_stx_request(uc->stx);
}

/* the wire text of @m (malloc'd), NULL when out of memory */
static char *msg_text(const osip_message_t *m)
{
	osip_message_t *c = NULL;
	char *buf = NULL;
	size_t len;

	if (osip_message_clone(m, &c))
		return NULL;
	if (sip_msg_to_buf(c, &buf, &len))
		buf = NULL;
	osip_message_free(c);
	return buf;
}

/* 0 or -ENOMEM */
static int pending_out(struct ua_call *uc, struct state_call *c, bool uac,
		       bool uas)
{
	if (uac) {
		c->uac_msg = msg_text(sip_ctx_request(uc->inv));
		c->uac_dst = *sip_ctx_dst(uc->inv);
		if (!c->uac_msg)
			return -ENOMEM;
	}
	if (uas) {
		c->uas_msg = msg_text(sip_stx_request(uc->stx));
		c->uas_src = *sip_stx_src(uc->stx);
		if (!c->uas_msg)
			return -ENOMEM;
		if (uc->uas_dlg_valid && uc->uas_dlg.local_tag)
			snprintf(c->uas_tag, sizeof(c->uas_tag), "%s",
				 uc->uas_dlg.local_tag);
	}
	return 0;
}

/* 0, or 1: nothing to carry (closed, or no port, dialog nor INVITE) */
static int call_out(struct ua_call *uc, struct state_call *c)
{
	const struct sip_dialog *d;
	enum call_leg leg;
	bool uac, uas;

	if (uc->finished || uc->call.state == CALL_CLOSED ||
	    uc->call.state == CALL_TERMINATING)
		return 1;
	d = bye_dialog(uc, &leg);
	uac = uc->call.state != CALL_ESTABLISHED && uac_pending(uc);
	uas = uc->call.state != CALL_ESTABLISHED && uas_pending(uc);
	if (!d && uac) {
		/* the dialog of our INVITE, to ACK and BYE a late 2xx */
		d = &uc->uac_dlg;
		leg = CALL_LEG_UAC;
	}
	if (!d && !uas && uc->port.local.ss_family == AF_UNSPEC)
		return 1;
	c->id = uc->id;
	c->outgoing = uc->outgoing;
	c->established = uc->call.state == CALL_ESTABLISHED;
	c->leg = leg == CALL_LEG_UAS ? STATE_LEG_UAS : STATE_LEG_UAC;
	snprintf(c->peer, sizeof(c->peer), "%s", uc->peer_uri);
	c->cookie = uc->cookie;
	c->rtp_id = uc->port.rtp_id;
	c->rtcp_id = uc->port.rtcp_id;
	if (uc->media)
		c->media_local = *media_local(uc->media);
	if (uc->port.remote.ss_family != AF_UNSPEC)
		c->media_remote = uc->port.remote;
	else if (c->established)
		ua_leg_remote_sa(uc, leg, &c->media_remote);
	if (d) {
		c->has_dialog = dialog_out(&c->dlg, d);
		if (!c->has_dialog)
			plog(PLOG_WARN, "call %u: its dialog is too long for "
			     "the state file | id=%u", uc->id, uc->id);
	}
	if (c->established && !c->has_dialog)
		c->established = false;	/* its pinholes closed on resume */
	c->has_st = c->established && ua_st_out(uc, &c->st);
	if (pending_out(uc, c, uac && c->has_dialog, uas))
		plog(PLOG_WARN, "call %u: out of memory for its INVITE in the "
		     "state file | id=%u", uc->id, uc->id);
	return 0;
}

static int state_collect(struct ua *ua, struct state *s)
{
	struct state_call *c;

	memset(s, 0, sizeof(*s));
	for (struct ua_call *uc = ua->calls; uc; uc = uc->next) {
		c = state_add(s);
		if (!c)
			return -ENOMEM;
		if (call_out(uc, c))
			s->ncalls--;
	}
	return 0;
}

/* written only when its text changed: a call's events that change
 * nothing carried (an early incoming call) cost no disk write */
void ua_state_flush(struct ua *ua)
{
	char err[512] = "out of memory", *text = NULL;
	struct state s;

	if (!ua->cfg.state_dir || !ua->state_dirty)
		return;
	if (state_collect(ua, &s) == 0)
		text = state_encode(&s);
	state_free(&s);
	if (text && ua->state_text && !strcmp(text, ua->state_text)) {
		ua->state_dirty = false;
		free(text);
		return;
	}
	if (text && state_write(ua->cfg.state_dir, text, err,
				sizeof(err)) == 0) {
		ua->state_dirty = false;
		free(ua->state_text);
		ua->state_text = text;
		return;
	}
	plog(PLOG_ERR, "state file not written: %s", err);
	free(text);
}

bool ua_carries_calls(const struct ua *ua)
{
	return ua->cfg.state_dir != NULL;
}

unsigned int ua_leave_calls(struct ua *ua)
{
	unsigned int n = 0;

	ua->state_dirty = true;
	ua_state_flush(ua);
	for (struct ua_call *uc = ua->calls; uc; uc = uc->next) {
		if (uc->finished)
			continue;
		/* the kernel keeps them for their owner grace */
		memset(&uc->port, 0, sizeof(uc->port));
		n++;
	}
	return n;
}

/* ----------------------------------------------------------- resuming */

static int dialog_in(struct sip_dialog *d, const struct state_dialog *o)
{
	unsigned int i;

	memset(d, 0, sizeof(*d));
#define DUP(f) do { if (o->f[0] && !(d->f = strdup(o->f))) goto nomem; } while (0)
	DUP(call_id);
	DUP(local_tag);
	DUP(remote_tag);
	DUP(local_uri);
	DUP(remote_uri);
	DUP(remote_target);
	DUP(local_contact);
	for (i = 0; i < o->nroutes; i++) {
		DUP(routes[i]);
		d->nroutes = i + 1;
	}
#undef DUP
	d->local_cseq = o->local_cseq;
	d->remote_cseq = o->remote_cseq;
	d->remote_cseq_set = o->remote_cseq_set;
	d->established = d->remote_tag != NULL;
	return 0;
nomem:
	sip_dialog_reset(d);
	return -ENOMEM;
}

/* a sips dialog (RFC 5630) read back: our Contact in it was sips: (the
 * call's Contact and From stay sips: in its re-INVITEs and answers) */
static void sips_in(struct ua_call *uc, const struct sip_dialog *d)
{
	uc->sips = sip_uri_is_sips(d->local_contact);
}

/*
 * Pinholes the kernel no longer kept for us (the grace ran out): their
 * conntrack entries may outlive them, so they go as after our own close -
 * by cookie (ours alone: an id may have been given to someone else's
 * pinhole since), then the port's entries. Before the event loop, so no
 * call of this run holds the port yet.
 */
static void flush_lost(struct ua *ua, const struct state_call *sc)
{
	struct fwops_port p = {
		.cookie = sc->cookie, .local = sc->media_local,
	};
	char err[FWOPS_ERR_LEN];

	if (fwops_close(ua->fw, &p, err, sizeof(err)))
		plog(PLOG_WARN, "call %u: conntrack of its lost pinholes: %s "
		     "| id=%u", sc->id, err, sc->id);
}

/* a set-up call's pinholes: taken back, then closed */
static void drop_port(struct ua *ua, const struct state_call *sc)
{
	struct fwops_port p = {
		.cookie = sc->cookie, .rtp_id = sc->rtp_id,
		.rtcp_id = sc->rtcp_id, .local = sc->media_local,
	};
	char err[FWOPS_ERR_LEN];

	if (p.local.ss_family == AF_UNSPEC)
		return;
	if (fwops_adopt(ua->fw, &p, err, sizeof(err))) {
		if (!p.rtp_id && !p.rtcp_id)
			return;		/* a port without pinholes yet */
		plog(PLOG_WARN, "call %u: pinholes not taken back: %s | id=%u",
		     sc->id, err, sc->id);
		flush_lost(ua, sc);
		return;
	}
	if (fwops_close(ua->fw, &p, err, sizeof(err)))
		plog(PLOG_WARN, "call %u: its pinholes: %s | id=%u", sc->id,
		     err, sc->id);
	else
		plog(PLOG_INFO, "call %u was being set up: pinholes closed "
		     "| id=%u", sc->id, sc->id);
}

/* the peer's INVITE that had no final response: 480 with Retry-After,
 * in a server transaction of its own that absorbs the ACK and answers
 * retransmissions (our 1xx's To tag kept) */
static void reject_pending(struct ua *ua, const struct state_call *sc)
{
	osip_message_t *req = sip_msg_parse(sc->uas_msg, strlen(sc->uas_msg));
	struct sip_stx *st = NULL;
	osip_message_t *r = NULL;
	char tag[STATE_STR_MAX], ra[16];

	if (req && MSG_IS_INVITE(req))
		st = sip_stx_new(ua->sip, req, &sc->uas_src, NULL, NULL);
	if (st) {
		if (sc->uas_tag[0])
			snprintf(tag, sizeof(tag), "%s", sc->uas_tag);
		else
			sip_token_new(tag, sizeof(tag));
		r = sip_reply_new(req, 480, tag);
	}
	if (r) {
		snprintf(ra, sizeof(ra), "%u", SIP_RETRY_AFTER_S);
		osip_message_set_header(r, "Retry-After", ra);
	}
	if (!r || sip_stx_reply(st, r))
		plog(PLOG_WARN, "call %u: the peer's INVITE not answered "
		     "after the restart | id=%u", sc->id, sc->id);
	else
		plog(PLOG_INFO, "call %u was ringing: the peer's INVITE "
		     "answered 480 | id=%u", sc->id, sc->id);
	sip_stx_release(st);
	if (req)
		osip_message_free(req);
}

static uint32_t cseq_of(const osip_message_t *m)
{
	return m->cseq && m->cseq->number ?
	       (uint32_t)strtoul(m->cseq->number, NULL, 10) : 0;
}

/* our pinholes in @uc, its call machine told they are open; false: not
 * taken back (grace over, or someone else's: not ours to close) */
static bool adopt_into(struct ua_call *uc, const struct state_call *sc)
{
	char err[FWOPS_ERR_LEN];

	uc->port.cookie = sc->cookie;
	uc->port.rtp_id = sc->rtp_id;
	uc->port.rtcp_id = sc->rtcp_id;
	uc->port.local = sc->media_local;
	uc->port.remote = sc->media_remote;
	if (sc->media_local.ss_family == AF_UNSPEC)
		return false;
	if (fwops_adopt(uc->ua->fw, &uc->port, err, sizeof(err))) {
		plog(PLOG_WARN, "call %u: pinholes not taken back: %s | id=%u",
		     uc->id, err, uc->id);
		memset(&uc->port, 0, sizeof(uc->port));
		flush_lost(uc->ua, sc);
		return false;
	}
	uc->call.port_open = true;
	return true;
}

/* our INVITE that had no final response: the call restored in OUTGOING
 * with its transaction and dialog, and hung up - CANCEL, the pinholes
 * closed; a 2xx that comes anyway is ACKed and BYEd by the call machine */
static void cancel_pending(struct ua *ua, const struct state_call *sc)
{
	osip_message_t *req = sip_msg_parse(sc->uac_msg, strlen(sc->uac_msg));
	struct ua_call *uc;
	char err[512];

	if (!req) {
		plog(PLOG_ERR, "call %u: its INVITE in the state file does "
		     "not parse | id=%u", sc->id, sc->id);
		drop_port(ua, sc);
		return;
	}
	uc = ua_call_restore(ua, sc->id, sc->outgoing, sc->peer, sc->cookie,
			     NULL, err, sizeof(err));
	if (!uc || dialog_in(&uc->uac_dlg, &sc->dlg)) {
		plog(PLOG_ERR, "call %u: cannot restore it: %s | id=%u",
		     sc->id, uc ? "out of memory" : err, sc->id);
		osip_message_free(req);
		drop_port(ua, sc);
		if (uc) {
			ua_call_set_state(uc, CALL_CLOSED);
			ua_call_finish(uc);
		}
		return;
	}
	sips_in(uc, &uc->uac_dlg);
	/* an early dialog (a 1xx's tag) is not carried into the fork
	 * table: the first 2xx, of whatever tag, is the call's (ACK, BYE) */
	free(uc->uac_dlg.remote_tag);
	uc->uac_dlg.remote_tag = NULL;
	uc->uac_dlg.established = false;
	sip_forks_reset(&uc->forks);
	uc->uac_dlg_valid = true;
	ua_dlg_index(uc);
	uc->inv_cseq = cseq_of(req);
	ua_call_set_state(uc, CALL_OUTGOING);
	uc->call.uac_pending = true;
	uc->call.attempts = 1;
	adopt_into(uc, sc);
	uc->inv = sip_ctx_restore(ua->sip, req, &sc->uac_dst, ua_inv_resp_h,
				  uc);
	if (!uc->inv) {
		plog(PLOG_ERR, "call %u: its INVITE transaction not restored "
		     "| id=%u", uc->id, uc->id);
		uc->call.uac_pending = false;
	}
	plog(PLOG_INFO, "call %u was calling: cancelling its INVITE | id=%u",
	     uc->id, uc->id);
	ua_call_run(uc, &(struct call_ev){ .type = CALL_EV_HANGUP });
}

/* a call with a dialog: resumed when it was established, else ended
 * with BYE (and so is one whose media cannot be bound again) */
static void resume_one(struct ua *ua, const struct state_call *sc)
{
	bool media = sc->established &&
		     sc->media_local.ss_family != AF_UNSPEC &&
		     sc->media_remote.ss_family != AF_UNSPEC;
	enum call_leg leg = sc->leg == STATE_LEG_UAS ? CALL_LEG_UAS :
			    CALL_LEG_UAC;
	struct sip_dialog *d;
	struct ua_call *uc;
	char err[512];

	uc = ua_call_restore(ua, sc->id, sc->outgoing, sc->peer, sc->cookie,
			     media ? &sc->media_local : NULL, err,
			     sizeof(err));
	if (!uc && media) {
		/* its port cannot be bound again: the call ends, with BYE */
		plog(PLOG_WARN, "call %u: cannot resume its media: %s | id=%u",
		     sc->id, err, sc->id);
		media = false;
		uc = ua_call_restore(ua, sc->id, sc->outgoing, sc->peer,
				     sc->cookie, NULL, err, sizeof(err));
	}
	if (!uc) {
		plog(PLOG_ERR, "call %u: cannot restore it: %s | id=%u",
		     sc->id, err, sc->id);
		drop_port(ua, sc);
		return;
	}
	d = leg == CALL_LEG_UAS ? &uc->uas_dlg : &uc->uac_dlg;
	if (dialog_in(d, &sc->dlg)) {
		plog(PLOG_ERR, "call %u: out of memory | id=%u", sc->id, sc->id);
		drop_port(ua, sc);
		ua_call_set_state(uc, CALL_CLOSED);
		ua_call_finish(uc);
		return;
	}
	sips_in(uc, d);
	if (leg == CALL_LEG_UAS) {
		uc->uas_dlg_valid = true;
		ua_dlg_index(uc);
		uc->call.uas_2xx_sent = true;
		uc->call.uas_acked = true;
	} else {
		uc->uac_dlg_valid = true;
		ua_dlg_index(uc);
		uc->uac_2xx_seen = true;
	}
	ua_call_set_state(uc, CALL_ESTABLISHED);
	uc->call.leg = leg;
	if (!adopt_into(uc, sc))
		media = false;
	if (media && !ua_resume_media(uc, &sc->media_remote, err,
				      sizeof(err))) {
		plog(PLOG_INFO, "call %u resumed | id=%u leg=%s rtp_id=%u "
		     "rtcp_id=%u", uc->id, uc->id, leg_name(leg),
		     uc->port.rtp_id, uc->port.rtcp_id);
		ua_event_json(uc, "resumed");
		if (sc->has_st)
			ua_st_in(uc, &sc->st);
		return;
	}
	plog(PLOG_INFO, "call %u %s: ending it | id=%u", uc->id,
	     sc->established ? "cannot resume its media" :
	     "was being set up", uc->id);
	ua_call_run(uc, &(struct call_ev){ .type = CALL_EV_HANGUP });
}

static void restart_one(struct ua *ua, const struct state_call *sc)
{
	struct state_plan p;

	state_plan(sc, &p);
	if (p.reject)
		reject_pending(ua, sc);
	if (p.resume || p.bye)
		resume_one(ua, sc);
	else if (p.cancel)
		cancel_pending(ua, sc);
	else if (p.close)
		drop_port(ua, sc);
}

int ua_resume(struct ua *ua, char *err, size_t errlen)
{
	struct state s;
	unsigned int i, n = 0;
	int rc;

	if (!ua->cfg.state_dir)
		return 0;
	rc = state_load(ua->cfg.state_dir, &s, err, errlen);
	if (rc == -ENOENT)
		return 0;
	if (rc)
		return rc;
	for (i = 0; i < s.ncalls; i++) {
		restart_one(ua, &s.calls[i]);
		n += s.calls[i].established;
	}
	state_free(&s);
	ua->state_dirty = true;
	return (int)n;
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * state.h - what pinholed keeps on disk to carry its calls across a
 * restart: per call its dialog (Call-ID, tags, URIs, remote target, route
 * set, CSeqs), whether it was established, its media ports and peer, its
 * pinhole ids and session cookie.
 *
 * The file is <state-dir>/pinholed.state, one JSON object:
 *   {"version":1,"calls":[{"id":1,"outgoing":true,"established":true,
 *     "leg":"uac","peer":"sip:bob@192.0.2.2","cookie":"00000000000000ab",
 *     "rtp_id":3,"rtcp_id":4,
 *     "media_local":{"addr":"192.0.2.1","port":10000},
 *     "media_remote":{"addr":"192.0.2.2","port":20000},
 *     "dialog":{"call_id":"...","local_tag":"...","remote_tag":"...",
 *       "local_uri":"...","remote_uri":"...","remote_target":"...",
 *       "local_contact":"...","routes":["<sip:p;lr>"],
 *       "local_cseq":2,"remote_cseq":1,"remote_cseq_set":true},
 *     "session_timer":{"interval":1800,"refresher":"us","peer_update":true,
 *       "due_ms":1796601600000,"sent":2,"received":0}}]}
 * The cookie is 16 hex digits (JSON numbers above 2^53 are not exact);
 * "media_remote" and "dialog" may be absent (a call still being set up).
 * "session_timer" (RFC 4028, an established call's, absent: none): its
 * interval in s, who refreshes, whether the peer Allows UPDATE, when its
 * timer fires (our refresh, or the BYE when the peer's does not come) as
 * ms since the epoch - a restart re-arms it for what is left of it, a
 * time already past fires at once - and the refresh counts.
 * A call being set up may also carry the INVITEs still without a final
 * response, to end them on restart:
 *   "uac_invite":{"msg":"INVITE sip:...","addr":{...}}   ours as sent
 *     (our Via and branch, CSeq) and where it went: CANCELled; its
 *     "dialog" (leg "uac", no remote tag yet) ACKs and BYEs a late 2xx
 *   "uas_invite":{"msg":"INVITE sip:...","addr":{...},"tag":"..."}  the
 *     peer's, its source, our To tag ("" none): answered 480 with
 *     Retry-After
 *
 * state_encode()/state_decode() are pure: text in, struct out. A text
 * that is not such an object (corrupt, truncated, another version, a
 * field missing or of the wrong type, a string over STATE_STR_MAX) is
 * refused with a message naming what is wrong, and the struct is left
 * empty: the caller starts clean.
 *
 * state_save() writes crash-safely: a temporary file in the same
 * directory, fsync(), rename() over the old file, fsync() of the
 * directory. A crash at any instant leaves the old file or the new one,
 * never a mix.
 */
#ifndef PINHOLE_AGENT_STATE_H
#define PINHOLE_AGENT_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define STATE_VERSION		1
#define STATE_FILE		"pinholed.state"
#define STATE_STR_MAX		512	/* bytes of a string, NUL included */
#define STATE_MAX_ROUTES	8
#define STATE_MSG_MAX		(64u << 10)	/* bytes of a SIP message */

struct state_dialog {
	char call_id[STATE_STR_MAX];
	char local_tag[STATE_STR_MAX];
	char remote_tag[STATE_STR_MAX];
	char local_uri[STATE_STR_MAX];
	char remote_uri[STATE_STR_MAX];
	char remote_target[STATE_STR_MAX];
	char local_contact[STATE_STR_MAX];
	char routes[STATE_MAX_ROUTES][STATE_STR_MAX];
	unsigned int nroutes;
	uint32_t local_cseq;
	uint32_t remote_cseq;
	bool remote_cseq_set;
};

/* a session timer (RFC 4028) carried */
struct state_st {
	uint32_t interval;		/* s, 1..STATE_ST_MAX */
	bool we_refresh;		/* else the peer refreshes, we watch */
	bool peer_update;		/* the peer Allows UPDATE */
	uint64_t due_ms;		/* CLOCK_REALTIME ms of its timer */
	uint64_t sent, received;	/* refreshes */
};

#define STATE_ST_MAX		86400u	/* sip_session_timer.h's SIP_ST_MAX */

enum state_leg {
	STATE_LEG_UAC = 1,	/* the dialog of our INVITE */
	STATE_LEG_UAS,		/* the dialog of the peer's INVITE */
};

struct state_call {
	unsigned int id;
	bool outgoing;
	bool established;		/* else it was being set up */
	enum state_leg leg;
	char peer[STATE_STR_MAX];
	uint64_t cookie;
	uint32_t rtp_id, rtcp_id;	/* pinhole ids, 0 = none */
	struct sockaddr_storage media_local;	/* AF_UNSPEC = none */
	struct sockaddr_storage media_remote;	/* AF_UNSPEC = none */
	bool has_dialog;
	struct state_dialog dlg;
	bool has_st;
	struct state_st st;
	/* pending INVITEs (malloc'd wire text, NULL: none) */
	char *uac_msg;			/* ours, no final response yet */
	struct sockaddr_storage uac_dst;
	char *uas_msg;			/* the peer's, not answered finally */
	struct sockaddr_storage uas_src;
	char uas_tag[STATE_STR_MAX];	/* our To tag in its 1xx, "" none */
};

/*
 * What a restart does with a call read back (state_plan(), pure):
 *   resume  established with its dialog: media and pinholes taken back
 *           (a media port that cannot be bound again: BYE instead)
 *   bye     a dialog whose 2xx was sent or received, not established:
 *           restored and ended with BYE
 *   cancel  our INVITE without a final response: CANCEL (a 2xx that
 *           comes anyway: ACK and BYE)
 *   reject  the peer's INVITE without a final response: 480 with
 *           Retry-After
 *   close   a set-up call's pinholes: adopted, then closed
 */
struct state_plan {
	bool resume, bye, cancel, reject, close;
};

void state_plan(const struct state_call *c, struct state_plan *p);

struct state {
	unsigned int ncalls;
	struct state_call *calls;	/* malloc'd, state_free() */
};

void state_free(struct state *s);
/* append a zeroed call; NULL when out of memory */
struct state_call *state_add(struct state *s);

/* JSON text (malloc'd, NUL-terminated) of @s; NULL when out of memory */
char *state_encode(const struct state *s);
/* 0, or -EINVAL with a message (@s empty) */
int state_decode(const char *text, size_t len, struct state *s, char *err,
		 size_t errlen);

/*
 * The file in @dir: save 0 or -errno; load 0, -ENOENT (no file: a first
 * start), -EINVAL (unreadable: message, @s empty) or -errno.
 */
int state_save(const char *dir, const struct state *s, char *err,
	       size_t errlen);
/* the same for a text state_encode() made */
int state_write(const char *dir, const char *text, char *err, size_t errlen);
int state_load(const char *dir, struct state *s, char *err, size_t errlen);

#endif /* PINHOLE_AGENT_STATE_H */

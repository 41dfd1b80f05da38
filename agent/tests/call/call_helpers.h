/* SPDX-License-Identifier: GPL-2.0 */
/*
 * call_helpers.h - what the call machine's tests share: building a call,
 * feeding it one event, and printing its actions ("port-open invite/uac")
 * for EXPECT_ACTS().
 */
#ifndef PINHOLE_TESTS_CALL_HELPERS_H
#define PINHOLE_TESTS_CALL_HELPERS_H

#include <stdio.h>
#include <string.h>

#include "call/call.h"
#include "ktap.h"

static inline const char *leg_name(enum call_leg l)
{
	return l == CALL_LEG_UAC ? "uac" : l == CALL_LEG_UAS ? "uas" : NULL;
}

static inline const char *tmr_name(enum call_timer t)
{
	return t == CALL_TMR_ANSWER ? "answer" : t == CALL_TMR_BACKOFF ?
	       "backoff" : t == CALL_TMR_GLARE_WAIT ? "glare-wait" : "none";
}

/* "port-open invite/uac" etc.; back-off durations are left out */
static inline const char *acts_str(const struct call_acts *o)
{
	static char buf[512];
	size_t n = 0;

	buf[0] = 0;
	for (unsigned int i = 0; i < o->n; i++) {
		const struct call_act *a = &o->a[i];

		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s",
				      i ? " " : "", call_act_name(a->type));
		if (a->type == CA_TIMER_START || a->type == CA_TIMER_STOP)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "/%s",
					      tmr_name(a->timer));
		else if (a->type == CA_ANSWER)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "/%d",
					      a->code);
		else if (leg_name(a->leg))
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "/%s",
					      leg_name(a->leg));
	}
	return buf;
}

#define EXPECT_ACTS(o, want)						\
	do {								\
		const char *acts_ = acts_str(o);			\
		if (strcmp(acts_, want))				\
			ktap_fail(__FILE__, __LINE__,			\
				  "actions \"%s\", want \"%s\"", acts_, want); \
	} while (0)

static inline struct call_cfg cfg_mode(enum glare_mode m)
{
	return (struct call_cfg){ .mode = m, .auto_answer_ms = -1 };
}

static inline struct call mk(enum glare_mode m)
{
	struct call c;
	struct call_cfg cfg = cfg_mode(m);

	call_init(&c, &cfg);
	return c;
}

static inline int ev(struct call *c, struct call_acts *o, enum call_ev_type t)
{
	struct call_ev e = { .type = t };

	return call_event(c, &e, o);
}

static inline int ev_code(struct call *c, struct call_acts *o,
			  enum call_ev_type t, int code)
{
	struct call_ev e = { .type = t, .code = code };

	return call_event(c, &e, o);
}

static inline int ev_leg(struct call *c, struct call_acts *o,
			 enum call_ev_type t, enum call_leg leg)
{
	struct call_ev e = { .type = t, .leg = leg };

	return call_event(c, &e, o);
}

static inline int dial(struct call *c, struct call_acts *o, uint64_t tb)
{
	struct call_ev e = { .type = CALL_EV_DIAL, .tb = tb };

	return call_event(c, &e, o);
}

static inline int peer_invite(struct call *c, struct call_acts *o,
			      enum glare_peer_tb st, uint64_t tb)
{
	struct call_ev e = { .type = CALL_EV_UAS_INVITE, .tb_state = st,
			     .tb = tb };

	return call_event(c, &e, o);
}

static inline int timer(struct call *c, struct call_acts *o,
			enum call_timer t, uint64_t tb)
{
	struct call_ev e = { .type = CALL_EV_TIMER, .timer = t, .tb = tb };

	return call_event(c, &e, o);
}

#endif /* PINHOLE_TESTS_CALL_HELPERS_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_state.c - libFuzzer target: pinholed's state file decoder
 * (state_decode(), pinholed/state.c) on the input as the file's text.
 * Checks what a restart relies on: a refused text leaves no call and says
 * why; an accepted one encodes again to a text that decodes to the same
 * calls, and every call gets a plan (state_plan()).
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pinholed/state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same_call(const struct state_call *a, const struct state_call *b)
{
	return a->id == b->id && a->established == b->established &&
	       a->leg == b->leg && a->cookie == b->cookie &&
	       a->rtp_id == b->rtp_id && a->has_dialog == b->has_dialog &&
	       !strcmp(a->peer, b->peer) &&
	       !memcmp(&a->dlg, &b->dlg, sizeof(a->dlg)) &&
	       !a->uac_msg == !b->uac_msg && !a->uas_msg == !b->uas_msg &&
	       (!a->uac_msg || !strcmp(a->uac_msg, b->uac_msg)) &&
	       (!a->uas_msg || !strcmp(a->uas_msg, b->uas_msg)) &&
	       a->has_st == b->has_st && a->st.interval == b->st.interval &&
	       a->st.we_refresh == b->st.we_refresh &&
	       a->st.peer_update == b->st.peer_update &&
	       a->st.due_ms == b->st.due_ms && a->st.sent == b->st.sent &&
	       a->st.received == b->st.received;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct state s, again;
	struct state_plan p;
	char err[512], *text;
	unsigned int i;

	err[0] = 0;
	if (state_decode((const char *)data, size, &s, err, sizeof(err))) {
		if (s.ncalls || s.calls || !err[0] || !memchr(err, 0, sizeof(err)))
			abort();
		return 0;
	}
	for (i = 0; i < s.ncalls; i++) {
		state_plan(&s.calls[i], &p);
		/* a call is resumed, or ended: never both */
		if (p.resume && (p.bye || p.cancel || p.reject || p.close))
			abort();
		if (p.bye && p.cancel)
			abort();
	}
	text = state_encode(&s);
	if (!text)
		abort();
	if (state_decode(text, strlen(text), &again, err, sizeof(err)) ||
	    again.ncalls != s.ncalls)
		abort();
	for (i = 0; i < s.ncalls; i++)
		if (!same_call(&s.calls[i], &again.calls[i]))
			abort();
	free(text);
	state_free(&again);
	state_free(&s);
	return 0;
}

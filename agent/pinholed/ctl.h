/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ctl.h - pinholed's control socket (unix, SOCK_STREAM).
 *
 * A client sends one request line and reads one reply line (a JSON
 * object); the server then closes the connection, except after "events",
 * where it keeps sending one JSON object per line for every call event.
 *
 *   call URI                 -> {"ok":true,"id":N}
 *   answer ID                -> {"ok":true}
 *   reject ID [CODE]         -> {"ok":true}
 *   hangup ID|all            -> {"ok":true}
 *   calls                    -> {"ok":true,"calls":[{...},...]}
 *   callstats                -> {"ok":true,"calls":{...},"outcomes":{...},
 *                                "glare":{...},"firewall":{...},"sip":{...}}
 *   events                   -> {"ok":true,"events":true}, then events
 *
 * Errors: {"ok":false,"error":"text"}.
 */
#ifndef PINHOLE_AGENT_CTL_H
#define PINHOLE_AGENT_CTL_H

#include <poll.h>
#include <stddef.h>

struct ctl;
struct ua;

#define CTL_DEFAULT_PATH	"/run/pinholed.sock"
#define CTL_LINE_MAX		1024

struct ctl *ctl_new(const char *path, struct ua *ua, char *err, size_t errlen);
void ctl_free(struct ctl *ctl);
unsigned int ctl_poll_fill(struct ctl *ctl, struct pollfd *pfd,
			   unsigned int max);
void ctl_poll_handle(struct ctl *ctl, const struct pollfd *pfd,
		     unsigned int n);
/* ua_event_h: to every "events" client */
void ctl_event(const char *json, void *arg);

#endif /* PINHOLE_AGENT_CTL_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * conntrack.h - delete the conntrack entries of a closed media port.
 *
 * When a pinhole closes, an established conntrack entry could still carry
 * the flow (rulesets that accept ESTABLISHED early), so fwops deletes the
 * entries of the port's local UDP ports through ctnetlink
 * (libnetfilter_conntrack). An entry matches when either direction of it
 * (original or reply tuple) has, as source or destination, one of the
 * local ports and, when the match names a local address, that address on
 * the same side.
 */
#ifndef PINHOLE_AGENT_CONNTRACK_H
#define PINHOLE_AGENT_CONNTRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#define CT_MAX_PORTS	4

struct ct_match {
	uint8_t family;			/* AF_INET or AF_INET6 */
	uint8_t l4proto;		/* IPPROTO_UDP, ... */
	unsigned int n_ports;
	uint16_t ports[CT_MAX_PORTS];	/* host byte order */
	bool has_addr;			/* false: any local address */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} addr;
};

/* One side (source or destination) of a tuple, as the matcher sees it. */
struct ct_endpoint {
	uint16_t port;			/* host byte order */
	const void *addr;		/* 4 or 16 bytes, network order */
};

/* Pure: does this side of an entry belong to the match? */
bool ct_endpoint_matches(const struct ct_match *m, uint8_t l4proto,
			 const struct ct_endpoint *ep);

/*
 * Deletes the matching entries of the current network namespace. Returns
 * the number deleted or a negative errno (message in @err). A kernel
 * without ctnetlink (nothing tracked) is 0, not an error.
 */
int ct_delete(const struct ct_match *m, char *err, size_t errlen);

#endif /* PINHOLE_AGENT_CONNTRACK_H */

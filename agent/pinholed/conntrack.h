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

/*
 * The delete functions take @cache: NULL opens and closes a ctnetlink
 * connection per call; else the connection in *@cache is used (and one
 * opened into it when NULL) and kept for the next call, dropped again
 * after a failure. One connection per thread.
 */
struct nfct_handle;

/* an IPv4 or IPv6 address, network order */
union ct_addr {
	struct in_addr v4;
	struct in6_addr v6;
};

struct ct_match {
	uint8_t family;			/* AF_INET or AF_INET6 */
	uint8_t l4proto;		/* IPPROTO_UDP, ... */
	unsigned int n_ports;
	uint16_t ports[CT_MAX_PORTS];	/* host byte order */
	bool has_addr;			/* false: any local address */
	union ct_addr addr;
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
 *
 * This dumps the whole conntrack table, and the kernel's dump walks every
 * hash bucket (262144 by default above 4 GiB of RAM), so it costs
 * milliseconds however few entries there are: fwops uses it only when it
 * cannot name the entries (ct_exact_ok() false).
 */
int ct_delete(struct nfct_handle **cache, const struct ct_match *m,
	      char *err, size_t errlen);

/* One flow, both ends known (addresses in network order, ports in host order). */
struct ct_flow {
	uint8_t family;			/* AF_INET or AF_INET6 */
	uint8_t l4proto;
	uint16_t lport, rport;
	union ct_addr local, remote;
};

/*
 * Pure: once a port's remote end is bound, are its conntrack entries
 * exactly the flows local:lport <-> remote:rport (RTP) and
 * local:lport+1 <-> remote:rtcp_rport (RTCP), so that closing can delete
 * them by tuple instead of dumping the table? Only when the local address
 * is known (not a wildcard), the RTCP remote port is known (not 0 = any),
 * and the kernel had counted no packet on either pinhole when the remote
 * was bound: before that any source could reach the port and leave an
 * entry of its own.
 */
bool ct_exact_ok(bool local_known, uint16_t rtcp_rport,
		 uint64_t rtp_packets_at_bind, uint64_t rtcp_packets_at_bind);

/*
 * Deletes the entries of @n flows by their tuples (one ctnetlink request
 * each, no dump; an entry is found whichever end sent first). Returns the
 * number deleted (a flow without an entry counts 0) or a negative errno
 * (message in @err); no ctnetlink is 0.
 */
int ct_delete_flows(struct nfct_handle **cache, const struct ct_flow *f,
		    unsigned int n, char *err, size_t errlen);

/* Closes a connection ct_delete*() kept in @cache; *@cache becomes NULL. */
void ct_conn_close(struct nfct_handle **cache);

#endif /* PINHOLE_AGENT_CONNTRACK_H */

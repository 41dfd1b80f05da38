// SPDX-License-Identifier: GPL-2.0
/*
 * media_policy.c - where RTP may go (media_policy.h): the address
 * categories, the option parsers and the host's own addresses.
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/errbuf.h"
#include "lib/sockaddr.h"
#include "media_policy.h"

/* an address reduced to what is compared: family 4 or 6 and its bytes */
struct maddr {
	int family;
	uint8_t a[16];
	uint16_t port;
};

static bool maddr_get(const struct sockaddr *sa, struct maddr *m)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	memset(m, 0, sizeof(*m));
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)sa;

		m->family = AF_INET;
		memcpy(m->a, &s4->sin_addr, 4);
		m->port = ntohs(s4->sin_port);
		return true;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)sa;

		m->port = ntohs(s6->sin6_port);
		if (!memcmp(s6->sin6_addr.s6_addr, mapped, 12)) {
			m->family = AF_INET;
			memcpy(m->a, s6->sin6_addr.s6_addr + 12, 4);
			return true;
		}
		m->family = AF_INET6;
		memcpy(m->a, s6->sin6_addr.s6_addr, 16);
		return true;
	}
	return false;
}

static bool maddr_same(const struct maddr *x, const struct maddr *y)
{
	return x->family == y->family &&
	       !memcmp(x->a, y->a, x->family == AF_INET ? 4 : 16);
}

static bool in_list(const struct maddr *m, const struct sockaddr_storage *l,
		    unsigned int n)
{
	struct maddr o;

	for (unsigned int i = 0; i < n; i++)
		if (maddr_get((const struct sockaddr *)&l[i], &o) &&
		    maddr_same(m, &o))
			return true;
	return false;
}

/* the category of an address alone, before what is allowed */
static enum media_addr category(const struct maddr *m)
{
	static const uint8_t zero[16], lo6[16] = { [15] = 1 };
	const uint8_t *a = m->a;

	if (m->family == AF_INET) {
		if (a[0] == 0)
			return MEDIA_ADDR_UNSPECIFIED;	/* 0.0.0.0/8 */
		if (a[0] == 255 && a[1] == 255 && a[2] == 255 && a[3] == 255)
			return MEDIA_ADDR_BROADCAST;
		if (a[0] >= 240)
			return MEDIA_ADDR_RESERVED;	/* 240.0.0.0/4 */
		if (a[0] >= 224)
			return MEDIA_ADDR_MULTICAST;	/* 224.0.0.0/4 */
		if (a[0] == 127)
			return MEDIA_ADDR_LOOPBACK;
		if (a[0] == 169 && a[1] == 254)
			return MEDIA_ADDR_LINK_LOCAL;
		return MEDIA_ADDR_OK;
	}
	if (!memcmp(a, zero, 16))
		return MEDIA_ADDR_UNSPECIFIED;
	if (!memcmp(a, lo6, 16))
		return MEDIA_ADDR_LOOPBACK;
	if (a[0] == 0xff)
		return MEDIA_ADDR_MULTICAST;
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
		return MEDIA_ADDR_LINK_LOCAL;	/* fe80::/10 */
	return MEDIA_ADDR_OK;
}

enum media_addr media_addr_check(const struct sockaddr *sa,
				 const struct sockaddr *peer,
				 const struct media_policy *p)
{
	struct maddr m, pm;
	enum media_addr c;

	if (!sa || !maddr_get(sa, &m))
		return MEDIA_ADDR_FAMILY;
	c = category(&m);
	switch (c) {
	case MEDIA_ADDR_LOOPBACK:
		if (!(p->allow & MEDIA_ALLOW_LOOPBACK))
			return c;
		break;
	case MEDIA_ADDR_LINK_LOCAL:
		if (!(p->allow & MEDIA_ALLOW_LINK_LOCAL))
			return c;
		break;
	case MEDIA_ADDR_MULTICAST:
		if (!(p->allow & MEDIA_ALLOW_MULTICAST))
			return c;
		break;
	case MEDIA_ADDR_OK:
		if (m.family == AF_INET && in_list(&m, p->bcast, p->n_bcast))
			return MEDIA_ADDR_BROADCAST;
		if (!(p->allow & MEDIA_ALLOW_OWN) &&
		    in_list(&m, p->own, p->n_own))
			return MEDIA_ADDR_OWN;
		break;
	default:
		return c;	/* never allowed */
	}
	if (m.port == 0 ||
	    (m.port < MEDIA_LOW_PORTS && !(p->allow & MEDIA_ALLOW_LOW_PORTS)))
		return MEDIA_ADDR_PORT;
	if (peer && p->peer == MEDIA_PEER_SIGNALLING &&
	    (!maddr_get(peer, &pm) || !maddr_same(&m, &pm)))
		return MEDIA_ADDR_NOT_PEER;
	return MEDIA_ADDR_OK;
}

bool media_addr_allowed(const struct sockaddr *sa,
			const struct media_policy *p)
{
	return media_addr_check(sa, NULL, p) == MEDIA_ADDR_OK;
}

const char *media_addr_name(enum media_addr v)
{
	static const char *const n[] = {
		[MEDIA_ADDR_OK] = "allowed",
		[MEDIA_ADDR_UNSPECIFIED] = "unspecified address",
		[MEDIA_ADDR_BROADCAST] = "broadcast address",
		[MEDIA_ADDR_RESERVED] = "reserved address",
		[MEDIA_ADDR_LOOPBACK] = "loopback address",
		[MEDIA_ADDR_LINK_LOCAL] = "link-local address",
		[MEDIA_ADDR_MULTICAST] = "multicast address",
		[MEDIA_ADDR_OWN] = "an address of this host",
		[MEDIA_ADDR_PORT] = "port below 1024",
		[MEDIA_ADDR_NOT_PEER] = "not the signalling peer's address",
		[MEDIA_ADDR_FAMILY] = "not an IP address",
	};

	return (unsigned int)v < sizeof(n) / sizeof(n[0]) ? n[v] : "?";
}

/* ------------------------------------------------------------ options */

static const struct {
	const char *name;
	unsigned int bit;
} allow_names[] = {
	{ "loopback", MEDIA_ALLOW_LOOPBACK },
	{ "link-local", MEDIA_ALLOW_LINK_LOCAL },
	{ "multicast", MEDIA_ALLOW_MULTICAST },
	{ "own", MEDIA_ALLOW_OWN },
	{ "low-ports", MEDIA_ALLOW_LOW_PORTS },
};

int media_allow_parse(const char *list, unsigned int *allow, char *err,
		      size_t errlen)
{
	unsigned int bits = 0;
	const char *s = list;

	if (err && errlen)
		err[0] = '\0';
	if (!list || !*list)
		return seterr(err, errlen, -EINVAL, "empty --media-allow list");
	if (!strcmp(list, "none")) {
		*allow = 0;
		return 0;
	}
	while (*s) {
		size_t n = strcspn(s, ",");
		unsigned int i;

		for (i = 0; i < sizeof(allow_names) / sizeof(allow_names[0]);
		     i++)
			if (strlen(allow_names[i].name) == n &&
			    !strncmp(s, allow_names[i].name, n))
				break;
		if (i == sizeof(allow_names) / sizeof(allow_names[0]))
			return seterr(err, errlen, -EINVAL,
				      "--media-allow: unknown category '%.*s' (loopback, link-local, multicast, own, low-ports or none)",
				      (int)n, s);
		bits |= allow_names[i].bit;
		s += n;
		if (*s == ',' && *++s == '\0')
			return seterr(err, errlen, -EINVAL,
				      "--media-allow: trailing comma");
	}
	*allow = bits;
	return 0;
}

const char *media_allow_str(unsigned int allow, char *buf, size_t size)
{
	size_t n = 0;

	if (!size)
		return buf;
	buf[0] = '\0';
	for (unsigned int i = 0; i < sizeof(allow_names) / sizeof(allow_names[0]);
	     i++)
		if ((allow & allow_names[i].bit) && n < size)
			n += (size_t)snprintf(buf + n, size - n, "%s%s",
					      n ? "," : "",
					      allow_names[i].name);
	if (!buf[0])
		snprintf(buf, size, "none");
	return buf;
}

int media_peer_parse(const char *s, enum media_peer_mode *mode)
{
	if (s && !strcmp(s, "signalling"))
		*mode = MEDIA_PEER_SIGNALLING;
	else if (s && !strcmp(s, "any"))
		*mode = MEDIA_PEER_ANY;
	else
		return -EINVAL;
	return 0;
}

/* ------------------------------------------------------- own addresses */

static int push(struct sockaddr_storage **l, unsigned int *n,
		const struct sockaddr *sa)
{
	struct sockaddr_storage *nl = realloc(*l, (*n + 1) * sizeof(**l));

	if (!nl)
		return -ENOMEM;
	memset(&nl[*n], 0, sizeof(nl[*n]));
	memcpy(&nl[*n], sa, sa_len(sa->sa_family));
	*l = nl;
	(*n)++;
	return 0;
}

void media_policy_free_own(struct media_policy *p)
{
	free(p->own);
	free(p->bcast);
	p->own = p->bcast = NULL;
	p->n_own = p->n_bcast = 0;
}

int media_policy_load_own(struct media_policy *p)
{
	struct ifaddrs *ifa, *i;
	struct maddr m;
	int rc = 0;

	if (getifaddrs(&ifa))
		return -errno;
	media_policy_free_own(p);
	for (i = ifa; i && !rc; i = i->ifa_next) {
		if (!i->ifa_addr || (i->ifa_addr->sa_family != AF_INET &&
				     i->ifa_addr->sa_family != AF_INET6))
			continue;
		if (maddr_get(i->ifa_addr, &m) &&
		    category(&m) != MEDIA_ADDR_LOOPBACK)
			rc = push(&p->own, &p->n_own, i->ifa_addr);
		/* ifa_broadaddr is the peer of a point-to-point link */
		if (!rc && i->ifa_addr->sa_family == AF_INET &&
		    (i->ifa_flags & IFF_BROADCAST) && i->ifa_broadaddr &&
		    i->ifa_broadaddr->sa_family == AF_INET &&
		    maddr_get(i->ifa_broadaddr, &m) &&
		    category(&m) == MEDIA_ADDR_OK)
			rc = push(&p->bcast, &p->n_bcast, i->ifa_broadaddr);
	}
	freeifaddrs(ifa);
	if (rc)
		media_policy_free_own(p);
	return rc;
}

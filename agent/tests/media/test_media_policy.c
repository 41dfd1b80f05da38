// SPDX-License-Identifier: GPL-2.0
/*
 * test_media_policy.c - media_policy.c: where RTP may go, every category
 * in IPv4 and IPv6, what --media-allow and --media-peer change.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "media/media_policy.h"
#include "ktap.h"

static struct sockaddr_storage sa(const char *addr, unsigned int port)
{
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof(ss));
	if (strchr(addr, ':')) {
		struct sockaddr_in6 *s6 = (void *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		inet_pton(AF_INET6, addr, &s6->sin6_addr);
	} else {
		struct sockaddr_in *s4 = (void *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		inet_pton(AF_INET, addr, &s4->sin_addr);
	}
	return ss;
}

static enum media_addr check(const char *addr, unsigned int port,
			     const char *peer, const struct media_policy *p)
{
	struct sockaddr_storage a = sa(addr, port), b;

	if (!peer)
		return media_addr_check((struct sockaddr *)&a, NULL, p);
	b = sa(peer, 5060);
	return media_addr_check((struct sockaddr *)&a, (struct sockaddr *)&b,
				p);
}

TEST(default_policy_every_category)
{
	struct media_policy p = { 0 };
	static const struct {
		const char *addr;
		enum media_addr want;
	} cases[] = {
		{ "0.0.0.0", MEDIA_ADDR_UNSPECIFIED },
		{ "0.1.2.3", MEDIA_ADDR_UNSPECIFIED },
		{ "::", MEDIA_ADDR_UNSPECIFIED },
		{ "::ffff:0.0.0.0", MEDIA_ADDR_UNSPECIFIED },
		{ "127.0.0.1", MEDIA_ADDR_LOOPBACK },
		{ "127.255.3.4", MEDIA_ADDR_LOOPBACK },
		{ "::1", MEDIA_ADDR_LOOPBACK },
		{ "::ffff:127.0.0.1", MEDIA_ADDR_LOOPBACK },
		{ "224.0.0.1", MEDIA_ADDR_MULTICAST },
		{ "239.255.255.250", MEDIA_ADDR_MULTICAST },
		{ "ff02::1", MEDIA_ADDR_MULTICAST },
		{ "ff0e::101", MEDIA_ADDR_MULTICAST },
		{ "255.255.255.255", MEDIA_ADDR_BROADCAST },
		{ "::ffff:255.255.255.255", MEDIA_ADDR_BROADCAST },
		{ "240.0.0.1", MEDIA_ADDR_RESERVED },
		{ "169.254.169.254", MEDIA_ADDR_LINK_LOCAL },
		{ "fe80::1", MEDIA_ADDR_LINK_LOCAL },
		{ "febf::1", MEDIA_ADDR_LINK_LOCAL },
		{ "192.0.2.1", MEDIA_ADDR_OK },
		{ "10.88.0.2", MEDIA_ADDR_OK },
		{ "192.168.1.7", MEDIA_ADDR_OK },
		{ "2001:db8::7", MEDIA_ADDR_OK },
		{ "fd00::2", MEDIA_ADDR_OK },
		{ "fec0::1", MEDIA_ADDR_OK },
	};

	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum media_addr v = check(cases[i].addr, 40000, NULL, &p);

		if (v != cases[i].want)
			ktap_fail(__FILE__, __LINE__, "%s: %s, want %s",
				  cases[i].addr, media_addr_name(v),
				  media_addr_name(cases[i].want));
	}
	EXPECT_FALSE(media_addr_allowed(NULL, &p));
}

TEST(allow_opens_each_category_alone)
{
	struct media_policy p = { .allow = MEDIA_ALLOW_LOOPBACK };

	EXPECT_EQ(check("127.0.0.1", 40000, NULL, &p), MEDIA_ADDR_OK);
	EXPECT_EQ(check("::1", 40000, NULL, &p), MEDIA_ADDR_OK);
	EXPECT_EQ(check("169.254.1.1", 40000, NULL, &p),
		  MEDIA_ADDR_LINK_LOCAL);
	p.allow = MEDIA_ALLOW_LINK_LOCAL;
	EXPECT_EQ(check("127.0.0.1", 40000, NULL, &p), MEDIA_ADDR_LOOPBACK);
	EXPECT_EQ(check("169.254.1.1", 40000, NULL, &p), MEDIA_ADDR_OK);
	EXPECT_EQ(check("fe80::2", 40000, NULL, &p), MEDIA_ADDR_OK);
	p.allow = MEDIA_ALLOW_MULTICAST;
	EXPECT_EQ(check("224.1.2.3", 40000, NULL, &p), MEDIA_ADDR_OK);
	EXPECT_EQ(check("ff05::3", 40000, NULL, &p), MEDIA_ADDR_OK);
	/* never: whatever is allowed */
	p.allow = ~0u;
	EXPECT_EQ(check("0.0.0.0", 40000, NULL, &p), MEDIA_ADDR_UNSPECIFIED);
	EXPECT_EQ(check("::", 40000, NULL, &p), MEDIA_ADDR_UNSPECIFIED);
	EXPECT_EQ(check("255.255.255.255", 40000, NULL, &p),
		  MEDIA_ADDR_BROADCAST);
	EXPECT_EQ(check("250.1.1.1", 40000, NULL, &p), MEDIA_ADDR_RESERVED);
	EXPECT_EQ(check("10.0.0.1", 0, NULL, &p), MEDIA_ADDR_PORT);
}

TEST(low_ports)
{
	struct media_policy p = { 0 };

	EXPECT_EQ(check("192.0.2.1", 1023, NULL, &p), MEDIA_ADDR_PORT);
	EXPECT_EQ(check("2001:db8::1", 53, NULL, &p), MEDIA_ADDR_PORT);
	EXPECT_EQ(check("192.0.2.1", 0, NULL, &p), MEDIA_ADDR_PORT);
	EXPECT_EQ(check("192.0.2.1", 1024, NULL, &p), MEDIA_ADDR_OK);
	EXPECT_EQ(check("2001:db8::1", 65535, NULL, &p), MEDIA_ADDR_OK);
	p.allow = MEDIA_ALLOW_LOW_PORTS;
	EXPECT_EQ(check("192.0.2.1", 1023, NULL, &p), MEDIA_ADDR_OK);
	EXPECT_EQ(check("2001:db8::1", 53, NULL, &p), MEDIA_ADDR_OK);
	EXPECT_EQ(check("192.0.2.1", 0, NULL, &p), MEDIA_ADDR_PORT);
}

TEST(own_addresses_and_broadcasts)
{
	struct sockaddr_storage own[] = { sa("10.1.2.3", 0),
					  sa("2001:db8::53", 0) };
	struct sockaddr_storage bc[] = { sa("10.1.2.255", 0) };
	struct media_policy p = { .own = own, .n_own = 2, .bcast = bc,
				  .n_bcast = 1 };

	EXPECT_EQ(check("10.1.2.3", 40000, NULL, &p), MEDIA_ADDR_OWN);
	EXPECT_EQ(check("::ffff:10.1.2.3", 40000, NULL, &p), MEDIA_ADDR_OWN);
	EXPECT_EQ(check("2001:db8::53", 40000, NULL, &p), MEDIA_ADDR_OWN);
	EXPECT_EQ(check("10.1.2.255", 40000, NULL, &p), MEDIA_ADDR_BROADCAST);
	EXPECT_EQ(check("10.1.2.4", 40000, NULL, &p), MEDIA_ADDR_OK);
	EXPECT_EQ(check("2001:db8::54", 40000, NULL, &p), MEDIA_ADDR_OK);
	/* loopback allowed is not "own" allowed */
	p.allow = MEDIA_ALLOW_LOOPBACK;
	EXPECT_EQ(check("10.1.2.3", 40000, NULL, &p), MEDIA_ADDR_OWN);
	p.allow = MEDIA_ALLOW_OWN;
	EXPECT_EQ(check("10.1.2.3", 40000, NULL, &p), MEDIA_ADDR_OK);
	EXPECT_EQ(check("2001:db8::53", 40000, NULL, &p), MEDIA_ADDR_OK);
	EXPECT_EQ(check("10.1.2.255", 40000, NULL, &p), MEDIA_ADDR_BROADCAST);
}

TEST(signalling_peer)
{
	struct media_policy p = { .allow = MEDIA_ALLOW_LOOPBACK };

	EXPECT_EQ(check("192.0.2.1", 40000, "192.0.2.1", &p), MEDIA_ADDR_OK);
	EXPECT_EQ(check("192.0.2.1", 40000, "::ffff:192.0.2.1", &p),
		  MEDIA_ADDR_OK);
	EXPECT_EQ(check("198.51.100.7", 40000, "192.0.2.1", &p),
		  MEDIA_ADDR_NOT_PEER);
	EXPECT_EQ(check("2001:db8::1", 40000, "2001:db8::2", &p),
		  MEDIA_ADDR_NOT_PEER);
	EXPECT_EQ(check("2001:db8::1", 40000, "192.0.2.1", &p),
		  MEDIA_ADDR_NOT_PEER);
	EXPECT_EQ(check("127.0.0.1", 40000, "127.0.0.1", &p), MEDIA_ADDR_OK);
	EXPECT_EQ(check("127.0.0.2", 40000, "127.0.0.1", &p),
		  MEDIA_ADDR_NOT_PEER);
	/* the categories come first */
	EXPECT_EQ(check("224.0.0.1", 40000, "224.0.0.1", &p),
		  MEDIA_ADDR_MULTICAST);
	p.peer = MEDIA_PEER_ANY;
	EXPECT_EQ(check("198.51.100.7", 40000, "192.0.2.1", &p),
		  MEDIA_ADDR_OK);
	EXPECT_EQ(check("169.254.0.1", 40000, "192.0.2.1", &p),
		  MEDIA_ADDR_LINK_LOCAL);
}

TEST(option_parsers)
{
	enum media_peer_mode m = MEDIA_PEER_ANY;
	unsigned int a = 99;
	char err[160];

	EXPECT_EQ(media_allow_parse("loopback", &a, err, sizeof(err)), 0);
	EXPECT_EQ(a, MEDIA_ALLOW_LOOPBACK);
	EXPECT_EQ(media_allow_parse("own,low-ports,link-local,multicast", &a,
				    err, sizeof(err)), 0);
	EXPECT_EQ(a, MEDIA_ALLOW_OWN | MEDIA_ALLOW_LOW_PORTS |
		  MEDIA_ALLOW_LINK_LOCAL | MEDIA_ALLOW_MULTICAST);
	EXPECT_EQ(media_allow_parse("none", &a, err, sizeof(err)), 0);
	EXPECT_EQ(a, 0);
	EXPECT_EQ(media_allow_parse("loopback,", &a, err, sizeof(err)),
		  -EINVAL);
	EXPECT_EQ(media_allow_parse("broadcast", &a, err, sizeof(err)),
		  -EINVAL);
	EXPECT_TRUE(strstr(err, "'broadcast'") != NULL);
	EXPECT_EQ(media_allow_parse("", &a, err, sizeof(err)), -EINVAL);
	EXPECT_EQ(media_allow_parse("loop", &a, err, sizeof(err)), -EINVAL);
	EXPECT_STREQ(media_allow_str(0, err, sizeof(err)), "none");
	EXPECT_STREQ(media_allow_str(MEDIA_ALLOW_OWN | MEDIA_ALLOW_LOOPBACK,
				     err, sizeof(err)), "loopback,own");
	EXPECT_EQ(media_peer_parse("signalling", &m), 0);
	EXPECT_EQ(m, MEDIA_PEER_SIGNALLING);
	EXPECT_EQ(media_peer_parse("any", &m), 0);
	EXPECT_EQ(m, MEDIA_PEER_ANY);
	EXPECT_EQ(media_peer_parse("signaling", &m), -EINVAL);
}

TEST(load_own_skips_loopback)
{
	struct media_policy p = { 0 };
	struct sockaddr_storage lo = sa("127.0.0.1", 0);

	EXPECT_EQ(media_policy_load_own(&p), 0);
	EXPECT_FALSE(p.n_own && p.own[0].ss_family != AF_INET &&
		     p.own[0].ss_family != AF_INET6);
	for (unsigned int i = 0; i < p.n_own; i++)
		EXPECT_FALSE(!memcmp(&((struct sockaddr_in *)&p.own[i])->sin_addr,
				     &((struct sockaddr_in *)&lo)->sin_addr, 4) &&
			     p.own[i].ss_family == AF_INET);
	/* a second load replaces the first */
	EXPECT_EQ(media_policy_load_own(&p), 0);
	media_policy_free_own(&p);
	EXPECT_EQ(p.n_own, 0);
}

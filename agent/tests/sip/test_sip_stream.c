// SPDX-License-Identifier: GPL-2.0
/*
 * test_sip_stream.c - TCP stream framing (RFC 3261 18.3): one message cut
 * from a byte stream by its Content-Length, and the limits on it.
 */
#include <errno.h>
#include <string.h>

#include "sip/sip_transport.h"
#include "ktap.h"

TEST(stream_frame_content_length)
{
	static const char two[] = "OPTIONS sip:a@b SIP/2.0\r\nl: 3\r\n\r\nabc"
				  "BYE sip:a@b SIP/2.0\r\n\r\n";
	size_t n = 0;

	EXPECT_EQ(sip_stream_frame(two, sizeof(two) - 1, 65535, &n), 1);
	EXPECT_EQ(n, sizeof("OPTIONS sip:a@b SIP/2.0\r\nl: 3\r\n\r\nabc") - 1);
	EXPECT_EQ(sip_stream_frame(two + n, sizeof(two) - 1 - n, 65535, &n), 1);
	/* body not complete yet, headers not complete yet */
	EXPECT_EQ(sip_stream_frame(two, 35, 65535, &n), 0);
	EXPECT_EQ(sip_stream_frame(two, 10, 65535, &n), 0);
}

TEST(stream_frame_limits)
{
	static const char big[] = "INVITE sip:a@b SIP/2.0\r\n"
				  "Content-Length: 99999999\r\n\r\n";
	static const char bad[] = "INVITE sip:a@b SIP/2.0\r\n"
				  "Content-Length: 1x\r\n\r\n";
	static const char twice[] = "INVITE sip:a@b SIP/2.0\r\n"
				    "Content-Length: 0\r\nl: 0\r\n\r\n";
	char endless[300];
	size_t n;

	EXPECT_EQ(sip_stream_frame(big, sizeof(big) - 1, 65535, &n), -EMSGSIZE);
	EXPECT_EQ(sip_stream_frame(bad, sizeof(bad) - 1, 65535, &n), -EINVAL);
	EXPECT_EQ(sip_stream_frame(twice, sizeof(twice) - 1, 65535, &n), -EINVAL);
	memset(endless, 'a', sizeof(endless));
	EXPECT_EQ(sip_stream_frame(endless, sizeof(endless), 256, &n), -EMSGSIZE);
}

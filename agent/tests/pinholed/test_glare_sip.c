// SPDX-License-Identifier: GPL-2.0
/*
 * test_glare_sip.c - glare detection and the Glare-Tiebreak header's
 * meaning on real INVITE text (pinholed/glare_sip.c).
 */
#include <stdio.h>
#include <string.h>

#include "pinholed/glare_sip.h"
#include "sip/sip_msg.h"
#include "ktap.h"
#include "sip_invite.h"

TEST(sip_glare_detected_from_matches_our_to)
{
	osip_message_t *m = invite("", "");

	ASSERT_TRUE(m != NULL);
	EXPECT_TRUE(glare_sip_is_glare(m, true, "bob@example.com"));
	EXPECT_FALSE(glare_sip_is_glare(m, false, "bob@example.com"));
	EXPECT_FALSE(glare_sip_is_glare(m, true, "carol@example.com"));
	osip_message_free(m);
}

TEST(sip_reinvite_is_not_glare)
{
	osip_message_t *m = invite("", ";tag=a9");

	ASSERT_TRUE(m != NULL);
	EXPECT_FALSE(glare_sip_is_glare(m, true, "bob@example.com"));
	osip_message_free(m);
}

TEST(glare_sip_peer_tb_maps_header_states)
{
	osip_message_t *v = invite("Glare-Tiebreak: 7\r\n", "");
	osip_message_t *bad = invite("Glare-Tiebreak: -7\r\n", "");
	osip_message_t *none = invite("", "");
	uint64_t tb = 0;

	ASSERT_TRUE(v && bad && none);
	EXPECT_EQ(glare_sip_peer_tb(v, &tb), GLARE_PEER_TB_VALID);
	EXPECT_EQ(tb, 7);
	EXPECT_EQ(glare_sip_peer_tb(bad, &tb), GLARE_PEER_TB_INVALID);
	EXPECT_EQ(glare_sip_peer_tb(none, &tb), GLARE_PEER_TB_ABSENT);
	osip_message_free(v);
	osip_message_free(bad);
	osip_message_free(none);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * media_priv.h - what the media files share (media.c, media_rtp.c,
 * media_src.c): the RTP header constants, the header check and the tone.
 * Not for use outside media/.
 */
#ifndef PINHOLE_AGENT_MEDIA_PRIV_H
#define PINHOLE_AGENT_MEDIA_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "media.h"

#define RTP_HDR_LEN		12
#define RTP_VERSION		2

/* 440 Hz at 8 kHz repeats exactly every 200 samples (11 periods). */
#define TONE_LEN		200

/* media_rtp.c: RTP header checks; the payload length, or -1 for "not RTP" */
int rtp_payload_len(const uint8_t *b, size_t n);

/* media_src.c: one period of the tone, TONE_LEN mu-law samples */
void media_tone_table(uint8_t *t);

#endif /* PINHOLE_AGENT_MEDIA_PRIV_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_config.c - libFuzzer target: pinholed's config file parser
 * (config_parse(), pinholed/config.c) on the input as a file's text.
 * Checks what the daemon relies on: an error leaves the options as they
 * were and says why; success keeps every string it points to.
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pinholed/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct opts o, before;
	char err[512];

	config_defaults(&o);
	before = o;
	err[0] = 0;
	if (config_parse(&o, (const char *)data, size, "fuzz.conf", err,
			 sizeof(err))) {
		if (memcmp(&o, &before, sizeof(o)) || !err[0] ||
		    !memchr(err, 0, sizeof(err)))
			abort();
		return 0;
	}
	if (o.nowned > CONFIG_OWNED_MAX)
		abort();
	/* what config_apply() promises of the values it took */
	if ((o.ua.user && strpbrk(o.ua.user, "@:;<> \t")) ||
	    (o.ua.proxy && strncmp(o.ua.proxy, "sip:", 4)) ||
	    o.ua.media_lo < 1024 || o.ua.media_hi <= o.ua.media_lo ||
	    !o.ua.max_calls)
		abort();
	config_free(&o);
	return 0;
}

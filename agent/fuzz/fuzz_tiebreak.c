// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_tiebreak.c - sip_tiebreak_parse (a strict unsigned 64-bit decimal,
 * SP/HTAB around it): whatever it accepts must be the number the digits
 * say, and sip_tiebreak_format must give those digits back (leading zeros
 * and blanks dropped); anything else aborts.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sip/sip_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), buf[SIP_TIEBREAK_STRLEN];
	const char *p, *q;
	uint64_t v = 0, w = 0;
	size_t n;
	int rc;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	rc = sip_tiebreak_parse(s, &v);
	if (rc && rc != -EINVAL && rc != -ERANGE)
		abort();
	if (rc)
		goto out;

	/* the canonical form: blanks and leading zeros off */
	for (p = s; *p == ' ' || *p == '\t'; p++)
		;
	for (q = p; *q >= '0' && *q <= '9'; q++)
		;
	while (q - p > 1 && *p == '0')
		p++;
	n = (size_t)(q - p);
	if (n == 0 || n >= sizeof(buf))
		abort();
	if (sip_tiebreak_format(v, buf, sizeof(buf)) != (int)n ||
	    memcmp(buf, p, n))
		abort();
	if (sip_tiebreak_parse(buf, &w) || w != v)
		abort();
	if (strtoull(p, NULL, 10) != v)
		abort();
out:
	free(s);
	return 0;
}

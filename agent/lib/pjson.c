// SPDX-License-Identifier: GPL-2.0
/*
 * pjson.c - compact JSON through jansson, exact u64, safe strings.
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "pjson.h"

json_t *pj_u64(uint64_t v)
{
	return json_integer((json_int_t)v);	/* > INT64_MAX: see pj_dumps */
}

/* the length of the valid UTF-8 sequence at @p, 0 if it is none */
static size_t utf8_seq(const unsigned char *p)
{
	unsigned char c = p[0];
	size_t n, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;	/* continuation, overlong, > U+10FFFF */
	for (i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;	/* stops at the NUL too */
	if ((c == 0xe0 && p[1] < 0xa0) ||	/* overlong */
	    (c == 0xed && p[1] >= 0xa0) ||	/* UTF-16 surrogate */
	    (c == 0xf0 && p[1] < 0x90) ||	/* overlong */
	    (c == 0xf4 && p[1] >= 0x90))	/* beyond U+10FFFF */
		return 0;
	return n;
}

/* a copy of @s with each byte not starting valid UTF-8 made U+FFFD */
static char *utf8_fix(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	char *clean = malloc(strlen(s) * 3 + 1), *o;

	if (!clean)
		return NULL;
	for (o = clean; *p;) {
		size_t n = utf8_seq(p);

		if (n) {
			memcpy(o, p, n);
			o += n;
			p += n;
		} else {
			memcpy(o, "\xef\xbf\xbd", 3);
			o += 3;
			p++;
		}
	}
	*o = 0;
	return clean;
}

json_t *pj_str(const char *s)
{
	json_t *v;
	char *clean;

	if (!s)
		return json_null();
	v = json_string(s);
	if (v)
		return v;
	clean = utf8_fix(s);	/* invalid UTF-8 (or out of memory) */
	v = clean ? json_string(clean) : NULL;
	free(clean);
	return v;
}

int pj_set_u64(json_t *obj, const char *key, uint64_t v)
{
	return json_object_set_new(obj, key, pj_u64(v));
}

int pj_set_str(json_t *obj, const char *key, const char *s)
{
	return json_object_set_new(obj, key, pj_str(s));
}

int pj_set_bool(json_t *obj, const char *key, bool v)
{
	return json_object_set_new(obj, key, json_boolean(v));
}

int pj_set_null(json_t *obj, const char *key)
{
	return json_object_set_new(obj, key, json_null());
}

/*
 * Outside strings a '-' can only start a number, and all our numbers are
 * u64 (pj_u64): print each negative integer as the unsigned value.
 */
static char *unwrap_u64(char *s)
{
	size_t minus = 0;
	bool in_str = false;
	char *out, *o, *p;

	for (p = s; *p; p++)
		minus += *p == '-';
	if (!minus)
		return s;
	/* "-1" (2 bytes) becomes 20 digits */
	out = malloc(strlen(s) + minus * 20 + 1);
	if (!out) {
		free(s);
		return NULL;
	}
	for (o = out, p = s; *p; p++) {
		if (in_str) {
			*o++ = *p;
			if (*p == '\\' && p[1])
				*o++ = *++p;
			else if (*p == '"')
				in_str = false;
		} else if (*p == '-') {
			char *end;
			long long x = strtoll(p, &end, 10);

			o += sprintf(o, "%" PRIu64, (uint64_t)x);
			p = end - 1;
		} else {
			in_str = *p == '"';
			*o++ = *p;
		}
	}
	*o = 0;
	free(s);
	return out;
}

char *pj_dumps(const json_t *v)
{
	char *s;

	if (!v)
		return NULL;
	s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	return s ? unwrap_u64(s) : NULL;
}

int pj_print(FILE *f, const json_t *v)
{
	char *s = pj_dumps(v);
	int rc;

	if (!s)
		return -1;
	rc = fprintf(f, "%s\n", s) < 0 ? -1 : 0;
	free(s);
	return rc;
}

json_t *pj_loads(const char *s)
{
	json_error_t err;
	json_t *v;
	char *clean;

	v = json_loads(s, JSON_DECODE_INT_AS_REAL, &err);
	if (v)
		return v;
	/* a writer that let invalid UTF-8 through (an older pinholed) */
	clean = utf8_fix(s);
	v = clean ? json_loads(clean, JSON_DECODE_INT_AS_REAL, &err) : NULL;
	free(clean);
	return v;
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pjson.h - the JSON pinholed and pinholectl write, on top of jansson:
 * compact one-line text, unsigned 64-bit numbers, strings from the network.
 *
 * u64: jansson's integer is json_int_t (64-bit signed, JSON_INTEGER_FORMAT),
 * but cookies and Glare-Tiebreak values are random 64-bit numbers, half of
 * them above INT64_MAX. pj_u64() stores such a value wrapped (negative) and
 * pj_dumps() prints every negative integer back as the unsigned value it
 * stands for, so the text carries the exact unsigned decimal. Hence every
 * integer of our JSON is unsigned and made by pj_u64(); no reals either.
 * Readers: jansson's decoder refuses integers above INT64_MAX, decode with
 * JSON_DECODE_INT_AS_REAL (pj_loads()).
 *
 * Strings: json_string() refuses invalid UTF-8 (a peer's URI may hold any
 * byte), and a member set to NULL is silently left out. pj_str() replaces
 * each byte that does not start a valid UTF-8 sequence with U+FFFD.
 * jansson escapes '"', '\\' and the control characters.
 */
#ifndef PINHOLE_AGENT_PJSON_H
#define PINHOLE_AGENT_PJSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

json_t *pj_u64(uint64_t v);
json_t *pj_str(const char *s);		/* NULL: null */

/* obj[key] = value; 0, or -1 (out of memory, obj NULL) */
int pj_set_u64(json_t *obj, const char *key, uint64_t v);
int pj_set_str(json_t *obj, const char *key, const char *s);
int pj_set_bool(json_t *obj, const char *key, bool v);
int pj_set_null(json_t *obj, const char *key);

/* compact one-line text without newline, free() it; NULL on failure */
char *pj_dumps(const json_t *v);
/* pj_dumps() and a newline on @f; 0 or -1 */
int pj_print(FILE *f, const json_t *v);

/*
 * One JSON text (a reply line), numbers as reals (exact up to 2^53: ids,
 * counts), invalid UTF-8 read as U+FFFD; NULL if it is no JSON.
 */
json_t *pj_loads(const char *s);

#endif /* PINHOLE_AGENT_PJSON_H */

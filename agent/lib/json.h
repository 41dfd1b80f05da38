/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cli_json.h - a minimal streaming JSON writer (compact, one value per
 * line at top level) for pinholectl --json.
 */
#ifndef PINHOLE_AGENT_CLI_JSON_H
#define PINHOLE_AGENT_CLI_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH	16

struct json {
	FILE *f;
	int depth;
	bool need_comma[JSON_MAX_DEPTH];
};

void json_init(struct json *j, FILE *f);

/* @key is the member name inside an object, NULL inside an array/top. */
void json_begin_object(struct json *j, const char *key);
void json_end_object(struct json *j);	/* at depth 0 also ends the line */
void json_begin_array(struct json *j, const char *key);
void json_end_array(struct json *j);
void json_string(struct json *j, const char *key, const char *val); /* NULL: null */
void json_u64(struct json *j, const char *key, uint64_t val);
void json_i64(struct json *j, const char *key, int64_t val);
void json_bool(struct json *j, const char *key, bool val);
void json_null(struct json *j, const char *key);

/* Write @s as a quoted JSON string. */
void json_write_escaped(FILE *f, const char *s);

#endif /* PINHOLE_AGENT_CLI_JSON_H */

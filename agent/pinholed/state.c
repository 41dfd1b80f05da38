// SPDX-License-Identifier: GPL-2.0
/*
 * state.c - pinholed's state file: the calls it carries across a restart
 * (see state.h for the format and the guarantees).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/stat.h>

#include <jansson.h>

#include "lib/errbuf.h"
#include "state.h"

/* the largest state file read: 64 calls' worth of long strings each */
#define STATE_FILE_MAX	(16u << 20)

void state_free(struct state *s)
{
	unsigned int i;

	for (i = 0; i < s->ncalls; i++) {
		free(s->calls[i].uac_msg);
		free(s->calls[i].uas_msg);
	}
	free(s->calls);
	s->calls = NULL;
	s->ncalls = 0;
}

struct state_call *state_add(struct state *s)
{
	struct state_call *c;

	c = realloc(s->calls, (s->ncalls + 1) * sizeof(*c));
	if (!c)
		return NULL;
	s->calls = c;
	c = &s->calls[s->ncalls++];
	memset(c, 0, sizeof(*c));
	return c;
}

/* ------------------------------------------------------------ encoding */

static json_t *enc_addr(const struct sockaddr_storage *ss)
{
	char buf[INET6_ADDRSTRLEN];
	const void *a;
	uint16_t port;

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)ss;

		a = &in->sin_addr;
		port = ntohs(in->sin_port);
	} else {
		const struct sockaddr_in6 *in6 = (const void *)ss;

		a = &in6->sin6_addr;
		port = ntohs(in6->sin6_port);
	}
	if (!inet_ntop(ss->ss_family, a, buf, sizeof(buf)))
		return NULL;
	return json_pack("{s:s, s:i}", "addr", buf, "port", (json_int_t)port);
}

static json_t *enc_dialog(const struct state_dialog *d)
{
	json_t *o, *routes = json_array();
	unsigned int i;

	for (i = 0; routes && i < d->nroutes; i++)
		if (json_array_append_new(routes, json_string(d->routes[i]))) {
			json_decref(routes);
			return NULL;
		}
	if (!routes)
		return NULL;
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:I, s:I, s:b}",
		      "call_id", d->call_id, "local_tag", d->local_tag,
		      "remote_tag", d->remote_tag, "local_uri", d->local_uri,
		      "remote_uri", d->remote_uri,
		      "remote_target", d->remote_target,
		      "local_contact", d->local_contact, "routes", routes,
		      "local_cseq", (json_int_t)d->local_cseq,
		      "remote_cseq", (json_int_t)d->remote_cseq,
		      "remote_cseq_set", d->remote_cseq_set);
	return o;
}

static json_t *enc_st(const struct state_st *t)
{
	return json_pack("{s:I, s:s, s:b, s:I, s:I, s:I}",
			 "interval", (json_int_t)t->interval,
			 "refresher", t->we_refresh ? "us" : "peer",
			 "peer_update", t->peer_update,
			 "due_ms", (json_int_t)t->due_ms,
			 "sent", (json_int_t)t->sent,
			 "received", (json_int_t)t->received);
}

/* {"msg": text, "addr": {...}[, "tag": text]} of a pending INVITE */
static json_t *enc_pending(const char *msg, const struct sockaddr_storage *a,
			   const char *tag)
{
	json_t *addr = enc_addr(a), *o;

	if (!addr)
		return NULL;
	o = json_pack("{s:s, s:o}", "msg", msg, "addr", addr);
	if (o && tag && json_object_set_new(o, "tag", json_string(tag))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *enc_call(const struct state_call *c)
{
	char cookie[17];
	json_t *o, *v;

	snprintf(cookie, sizeof(cookie), "%016" PRIx64, c->cookie);
	o = json_pack("{s:I, s:b, s:b, s:s, s:s, s:s, s:I, s:I}",
		      "id", (json_int_t)c->id, "outgoing", c->outgoing,
		      "established", c->established,
		      "leg", c->leg == STATE_LEG_UAS ? "uas" : "uac",
		      "peer", c->peer, "cookie", cookie,
		      "rtp_id", (json_int_t)c->rtp_id,
		      "rtcp_id", (json_int_t)c->rtcp_id);
	if (!o)
		return NULL;
	if (c->media_local.ss_family != AF_UNSPEC) {
		v = enc_addr(&c->media_local);
		if (!v || json_object_set_new(o, "media_local", v))
			goto fail;
	}
	if (c->media_remote.ss_family != AF_UNSPEC) {
		v = enc_addr(&c->media_remote);
		if (!v || json_object_set_new(o, "media_remote", v))
			goto fail;
	}
	if (c->has_dialog) {
		v = enc_dialog(&c->dlg);
		if (!v || json_object_set_new(o, "dialog", v))
			goto fail;
	}
	if (c->has_st) {
		v = enc_st(&c->st);
		if (!v || json_object_set_new(o, "session_timer", v))
			goto fail;
	}
	if (c->uac_msg) {
		v = enc_pending(c->uac_msg, &c->uac_dst, NULL);
		if (!v || json_object_set_new(o, "uac_invite", v))
			goto fail;
	}
	if (c->uas_msg) {
		v = enc_pending(c->uas_msg, &c->uas_src, c->uas_tag);
		if (!v || json_object_set_new(o, "uas_invite", v))
			goto fail;
	}
	return o;
fail:
	json_decref(o);
	return NULL;
}

char *state_encode(const struct state *s)
{
	json_t *root, *calls = json_array();
	unsigned int i;
	char *text;

	if (!calls)
		return NULL;
	for (i = 0; i < s->ncalls; i++) {
		json_t *c = enc_call(&s->calls[i]);

		if (!c || json_array_append_new(calls, c)) {
			json_decref(calls);
			return NULL;
		}
	}
	root = json_pack("{s:i, s:o}", "version", STATE_VERSION,
			 "calls", calls);
	if (!root)
		return NULL;
	text = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(root);
	return text;
}

/* ------------------------------------------------------------ decoding */

/* where a field is, for the messages: "call 2 dialog.call_id" */
struct dec {
	char *err;
	size_t errlen;
	unsigned int call;	/* 1-based, 0 = the top */
	const char *obj;	/* "" or "dialog." ... */
};

static int bad(const struct dec *d, const char *key, const char *what)
{
	if (d->call)
		return seterr(d->err, d->errlen, -EINVAL,
			      "state file: call %u: %s%s: %s", d->call,
			      d->obj, key, what);
	return seterr(d->err, d->errlen, -EINVAL, "state file: %s: %s", key,
		      what);
}

static int dec_str(const struct dec *d, const json_t *o, const char *key,
		   char *out, size_t size)
{
	const json_t *v = json_object_get(o, key);

	if (!json_is_string(v))
		return bad(d, key, "missing or not a string");
	if (json_string_length(v) >= size ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return bad(d, key, "too long or holds a NUL");
	memcpy(out, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

static int dec_uint(const struct dec *d, const json_t *o, const char *key,
		    uint32_t max, uint32_t *out)
{
	const json_t *v = json_object_get(o, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > max)
		return bad(d, key, "missing or not an integer in range");
	*out = (uint32_t)json_integer_value(v);
	return 0;
}

/* 0..2^53: exact in any JSON reader */
static int dec_u64(const struct dec *d, const json_t *o, const char *key,
		   uint64_t *out)
{
	const json_t *v = json_object_get(o, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > (json_int_t)1 << 53)
		return bad(d, key, "missing or not an integer in range");
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

static int dec_bool(const struct dec *d, const json_t *o, const char *key,
		    bool *out)
{
	const json_t *v = json_object_get(o, key);

	if (!json_is_boolean(v))
		return bad(d, key, "missing or not a boolean");
	*out = json_is_true(v);
	return 0;
}

static int dec_addr(const struct dec *d, const json_t *o, const char *key,
		    struct sockaddr_storage *ss)
{
	const json_t *v = json_object_get(o, key);
	struct sockaddr_in6 *in6 = (void *)ss;
	struct sockaddr_in *in = (void *)ss;
	const json_t *a, *p;

	memset(ss, 0, sizeof(*ss));
	if (!v)
		return 0;	/* optional */
	a = json_object_get(v, "addr");
	p = json_object_get(v, "port");
	if (!json_is_string(a) || !json_is_integer(p) ||
	    json_integer_value(p) < 1 || json_integer_value(p) > 65535)
		return bad(d, key, "not {\"addr\": text, \"port\": 1..65535}");
	if (inet_pton(AF_INET, json_string_value(a), &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)json_integer_value(p));
	} else if (inet_pton(AF_INET6, json_string_value(a),
			     &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)json_integer_value(p));
	} else {
		return bad(d, key, "not an IP address");
	}
	return 0;
}

static int dec_dialog(struct dec *d, const json_t *o, struct state_dialog *g)
{
	const json_t *routes;
	size_t i;
	int err;

	d->obj = "dialog.";
	if (!json_is_object(o))
		return bad(d, "", "not an object");
	err = dec_str(d, o, "call_id", g->call_id, sizeof(g->call_id)) ?:
	      dec_str(d, o, "local_tag", g->local_tag, sizeof(g->local_tag)) ?:
	      dec_str(d, o, "remote_tag", g->remote_tag,
		      sizeof(g->remote_tag)) ?:
	      dec_str(d, o, "local_uri", g->local_uri, sizeof(g->local_uri)) ?:
	      dec_str(d, o, "remote_uri", g->remote_uri,
		      sizeof(g->remote_uri)) ?:
	      dec_str(d, o, "remote_target", g->remote_target,
		      sizeof(g->remote_target)) ?:
	      dec_str(d, o, "local_contact", g->local_contact,
		      sizeof(g->local_contact)) ?:
	      dec_uint(d, o, "local_cseq", UINT32_MAX, &g->local_cseq) ?:
	      dec_uint(d, o, "remote_cseq", UINT32_MAX, &g->remote_cseq) ?:
	      dec_bool(d, o, "remote_cseq_set", &g->remote_cseq_set);
	if (err)
		return err;
	routes = json_object_get(o, "routes");
	if (!json_is_array(routes) || json_array_size(routes) > STATE_MAX_ROUTES)
		return bad(d, "routes", "missing, not an array or too long");
	for (i = 0; i < json_array_size(routes); i++) {
		const json_t *r = json_array_get(routes, i);

		if (!json_is_string(r) || json_string_length(r) >= STATE_STR_MAX)
			return bad(d, "routes", "an entry is not a short string");
		memcpy(g->routes[i], json_string_value(r),
		       json_string_length(r) + 1);
	}
	g->nroutes = (unsigned int)i;
	d->obj = "";
	return 0;
}

static int dec_st(struct dec *d, const json_t *o, struct state_st *t)
{
	char ref[8];
	int err;

	d->obj = "session_timer.";
	if (!json_is_object(o))
		return bad(d, "", "not an object");
	err = dec_uint(d, o, "interval", STATE_ST_MAX, &t->interval) ?:
	      dec_str(d, o, "refresher", ref, sizeof(ref)) ?:
	      dec_bool(d, o, "peer_update", &t->peer_update) ?:
	      dec_u64(d, o, "due_ms", &t->due_ms) ?:
	      dec_u64(d, o, "sent", &t->sent) ?:
	      dec_u64(d, o, "received", &t->received);
	if (err)
		return err;
	if (!t->interval)
		return bad(d, "interval", "0 (no session timer: no object)");
	if (!strcmp(ref, "us"))
		t->we_refresh = true;
	else if (strcmp(ref, "peer"))
		return bad(d, "refresher", "neither \"us\" nor \"peer\"");
	d->obj = "";
	return 0;
}

/* an optional pending INVITE: @msg malloc'd, NULL when absent */
static int dec_pending(struct dec *d, const json_t *o, const char *key,
		       char **msg, struct sockaddr_storage *addr, char *tag,
		       size_t tagsize)
{
	const json_t *p = json_object_get(o, key), *m;
	int err;

	if (!p)
		return 0;
	if (!json_is_object(p))
		return bad(d, key, "not an object");
	m = json_object_get(p, "msg");
	if (!json_is_string(m) || !json_string_length(m) ||
	    json_string_length(m) >= STATE_MSG_MAX ||
	    strlen(json_string_value(m)) != json_string_length(m))
		return bad(d, key, "msg: missing, empty, too long or holds a NUL");
	if (!json_object_get(p, "addr"))
		return bad(d, key, "addr: missing");
	d->obj = tag ? "uas_invite." : "uac_invite.";
	err = dec_addr(d, p, "addr", addr);
	if (!err && tag)
		err = dec_str(d, p, "tag", tag, tagsize);
	if (err)
		return err;
	d->obj = "";
	*msg = strdup(json_string_value(m));
	if (!*msg)
		return seterr(d->err, d->errlen, -ENOMEM, "out of memory");
	return 0;
}

static int dec_call(struct dec *d, const json_t *o, struct state_call *c)
{
	char leg[8], cookie[32], *end;
	const json_t *dlg, *st;
	uint32_t id;
	int err;

	if (!json_is_object(o))
		return bad(d, "", "not an object");
	err = dec_uint(d, o, "id", UINT32_MAX, &id) ?:
	      dec_bool(d, o, "outgoing", &c->outgoing) ?:
	      dec_bool(d, o, "established", &c->established) ?:
	      dec_str(d, o, "leg", leg, sizeof(leg)) ?:
	      dec_str(d, o, "peer", c->peer, sizeof(c->peer)) ?:
	      dec_str(d, o, "cookie", cookie, sizeof(cookie)) ?:
	      dec_uint(d, o, "rtp_id", UINT32_MAX, &c->rtp_id) ?:
	      dec_uint(d, o, "rtcp_id", UINT32_MAX, &c->rtcp_id) ?:
	      dec_addr(d, o, "media_local", &c->media_local) ?:
	      dec_addr(d, o, "media_remote", &c->media_remote);
	if (err)
		return err;
	c->id = id;
	if (!strcmp(leg, "uac"))
		c->leg = STATE_LEG_UAC;
	else if (!strcmp(leg, "uas"))
		c->leg = STATE_LEG_UAS;
	else
		return bad(d, "leg", "neither \"uac\" nor \"uas\"");
	errno = 0;
	c->cookie = strtoull(cookie, &end, 16);
	if (strlen(cookie) != 16 || *end || errno)
		return bad(d, "cookie", "not 16 hex digits");
	err = dec_pending(d, o, "uac_invite", &c->uac_msg, &c->uac_dst,
			  NULL, 0) ?:
	      dec_pending(d, o, "uas_invite", &c->uas_msg, &c->uas_src,
			  c->uas_tag, sizeof(c->uas_tag));
	if (err)
		return err;
	if (c->established && (c->uac_msg || c->uas_msg))
		return bad(d, "established", "with an INVITE pending");
	st = json_object_get(o, "session_timer");
	c->has_st = st != NULL;
	if (st && !c->established)
		return bad(d, "session_timer", "of a call not established");
	if (st) {
		err = dec_st(d, st, &c->st);
		if (err)
			return err;
	}
	dlg = json_object_get(o, "dialog");
	c->has_dialog = dlg != NULL;
	if (dlg)
		return dec_dialog(d, dlg, &c->dlg);
	if (c->established)
		return bad(d, "dialog", "missing for an established call");
	return 0;
}

void state_plan(const struct state_call *c, struct state_plan *p)
{
	memset(p, 0, sizeof(*p));
	if (c->established && c->has_dialog) {
		p->resume = true;
		return;
	}
	p->close = c->media_local.ss_family != AF_UNSPEC;
	p->reject = c->uas_msg != NULL;
	/* our INVITE's own dialog (no 2xx yet) goes with its CANCEL; any
	 * other dialog had a 2xx: BYE */
	p->cancel = c->uac_msg && c->has_dialog && c->leg == STATE_LEG_UAC;
	p->bye = c->has_dialog && !p->cancel;
}

int state_decode(const char *text, size_t len, struct state *s, char *err,
		 size_t errlen)
{
	struct dec d = { .err = err, .errlen = errlen, .obj = "" };
	const json_t *calls, *ver;
	json_error_t jerr;
	json_t *root;
	size_t i;
	int ret = 0;

	memset(s, 0, sizeof(*s));
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return seterr(err, errlen, -EINVAL,
			      "state file: not JSON (line %d column %d: %s)",
			      jerr.line, jerr.column, jerr.text);
	ver = json_object_get(root, "version");
	calls = json_object_get(root, "calls");
	if (!json_is_integer(ver) || json_integer_value(ver) != STATE_VERSION) {
		ret = bad(&d, "version", "missing or not " "1");
		goto out;
	}
	if (!json_is_array(calls)) {
		ret = bad(&d, "calls", "missing or not an array");
		goto out;
	}
	for (i = 0; i < json_array_size(calls); i++) {
		struct state_call *c = state_add(s);

		if (!c) {
			ret = seterr(err, errlen, -ENOMEM, "out of memory");
			goto out;
		}
		d.call = (unsigned int)i + 1;
		ret = dec_call(&d, json_array_get(calls, i), c);
		if (ret)
			goto out;
	}
out:
	json_decref(root);
	if (ret)
		state_free(s);
	return ret;
}

/* ------------------------------------------------------------ the file */

static int path_of(char *buf, size_t size, const char *dir, const char *name)
{
	int n = snprintf(buf, size, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int state_write(const char *dir, const char *text, char *err, size_t errlen)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	int fd, dfd, ret;

	if (path_of(path, sizeof(path), dir, STATE_FILE) ||
	    path_of(tmp, sizeof(tmp), dir, STATE_FILE ".tmp"))
		return seterr(err, errlen, -ENAMETOOLONG,
			      "state directory name too long");
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return seterr(err, errlen, -errno, "%s: %s", tmp,
			      strerror(errno));
	ret = write_all(fd, text, strlen(text));
	if (!ret && fsync(fd))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret) {
		unlink(tmp);
		return seterr(err, errlen, ret, "%s: %s", path, strerror(-ret));
	}
	/* the rename itself must reach the disk */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fsync(dfd))
		ret = seterr(err, errlen, -errno, "%s: fsync: %s", dir,
			     strerror(errno));
	if (dfd >= 0)
		close(dfd);
	return ret;
}

int state_save(const char *dir, const struct state *s, char *err,
	       size_t errlen)
{
	char *text = state_encode(s);
	int ret;

	if (!text)
		return seterr(err, errlen, -ENOMEM, "state: out of memory");
	ret = state_write(dir, text, err, errlen);
	free(text);
	return ret;
}

int state_load(const char *dir, struct state *s, char *err, size_t errlen)
{
	char path[PATH_MAX];
	struct stat st;
	char *text;
	ssize_t n;
	size_t got = 0;
	int fd, ret;

	memset(s, 0, sizeof(*s));
	if (path_of(path, sizeof(path), dir, STATE_FILE))
		return seterr(err, errlen, -ENAMETOOLONG,
			      "state directory name too long");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return seterr(err, errlen, -errno, "%s: %s", path,
			      strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
	    st.st_size > STATE_FILE_MAX) {
		close(fd);
		return seterr(err, errlen, -EINVAL,
			      "%s: not a regular file of at most %u bytes",
			      path, STATE_FILE_MAX);
	}
	text = malloc((size_t)st.st_size + 1);
	if (!text) {
		close(fd);
		return seterr(err, errlen, -ENOMEM, "out of memory");
	}
	while (got < (size_t)st.st_size) {
		n = read(fd, text + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	ret = state_decode(text, got, s, err, errlen);
	free(text);
	return ret;
}

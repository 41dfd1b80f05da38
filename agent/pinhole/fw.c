// SPDX-License-Identifier: GPL-2.0
/*
 * fw.c - the pinhole netlink layer (see fw.h): the handle and its sockets,
 * the reply loop (fw_xfer) and the events. Requests are built in fw_msg.c,
 * replies and events parsed in fw_parse.c, errors in fw_err.c.
 *
 * libnl-3 builds the requests and resolves the family; replies are read by
 * our own loop (fw_xfer) so that the kernel's errno and its extended ack
 * reach the caller unchanged (libnl would translate both away).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <linux/genetlink.h>

#include "fw_priv.h"

/* -------------------------------------------------------------- receiving */

static ssize_t fw_recv(struct fw_buf *b, int fd, int flags)
{
	ssize_t n;
	void *nbuf;

	for (;;) {
		n = recv(fd, NULL, 0, MSG_PEEK | MSG_TRUNC | flags);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if ((size_t)n > b->len || !b->p) {
			size_t len = (size_t)n > FW_RECV_BUF_INIT ?
				     (size_t)n : FW_RECV_BUF_INIT;

			nbuf = realloc(b->p, len);
			if (!nbuf)
				return -ENOMEM;
			b->p = nbuf;
			b->len = len;
		}
		n = recv(fd, b->p, b->len, flags);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		return n;
	}
}

/*
 * The kernel's error (@code < 0) of an error or done message, with its
 * extended ack when the message carries one after @pl bytes of payload.
 */
static int fw_xfer_err(struct nlmsghdr *nlh, size_t pl, int code,
		       struct nl_msg *req, struct fw_err *err)
{
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) ||
	    NLMSG_LENGTH(pl) > nlh->nlmsg_len)
		fw_seterr(err, code, NULL);
	else
		fw_extack(err, code, (char *)NLMSG_DATA(nlh) + pl,
			  nlh->nlmsg_len - NLMSG_LENGTH(pl), req);
	return code;
}

/* NLMSG_ERROR: the ack, or the call's error; @rc is the result so far */
int fw_xfer_error(struct nlmsghdr *nlh, int rc, struct nl_msg *req,
		  struct fw_err *err)
{
	struct nlmsgerr *e = NLMSG_DATA(nlh);
	size_t pl = sizeof(*e);

	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
		return fw_seterr(err, -EPROTO, "truncated netlink error");
	if (e->error == 0 || rc)
		return rc;	/* the ack; or keep the first error */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		pl += e->msg.nlmsg_len - NLMSG_HDRLEN;
	return fw_xfer_err(nlh, NLMSG_ALIGN(pl), e->error, req, err);
}

/* NLMSG_DONE: the end of a dump, maybe with its error */
int fw_xfer_done(struct nlmsghdr *nlh, int rc, struct nl_msg *req,
		 struct fw_err *err)
{
	int derr = 0;

	if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(int)))
		memcpy(&derr, NLMSG_DATA(nlh), sizeof(int));
	if (derr >= 0 || rc)
		return rc;
	return fw_xfer_err(nlh, NLMSG_ALIGN(sizeof(int)), derr, req, err);
}

/*
 * Send @req (consumed) and read the replies until the ack, the error or the
 * end of the dump. @parse sees each family message. A dump flagged as
 * interrupted ends in -EINTR.
 */
int fw_xfer(struct fw *fw, struct nl_msg *req, fw_parse_fn parse,
	    void *arg, struct fw_err *err)
{
	int fd = nl_socket_get_fd(fw->sk);
	bool done = false, intr = false;
	uint32_t seq;
	int rc = 0, cbrc;
	ssize_t n;

	fw_clearerr(err);
	n = nl_send_auto(fw->sk, req);
	if (n < 0) {
		rc = fw_seterr(err, -EIO, "sending the request failed: %s",
			       nl_geterror(n));
		goto out;
	}
	seq = nlmsg_hdr(req)->nlmsg_seq;

	while (!done) {
		struct nlmsghdr *nlh;
		int len;

		n = fw_recv(&fw->rx, fd, 0);
		if (n < 0) {
			if (n == -EAGAIN || n == -EWOULDBLOCK)
				rc = fw_seterr(err, -ETIMEDOUT,
					       "no reply from the kernel");
			else
				rc = fw_seterr(err, n, "receiving: %s",
					       strerror(-n));
			goto out;
		}
		len = n;
		for (nlh = (struct nlmsghdr *)fw->rx.p; NLMSG_OK(nlh, len);
		     nlh = NLMSG_NEXT(nlh, len)) {
			if (nlh->nlmsg_seq != seq)
				continue;	/* stale, from an aborted call */
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				intr = true;

			if (nlh->nlmsg_type == NLMSG_ERROR) {
				done = true;
				rc = fw_xfer_error(nlh, rc, req, err);
				break;
			}
			if (nlh->nlmsg_type == NLMSG_DONE) {
				done = true;
				rc = fw_xfer_done(nlh, rc, req, err);
				break;
			}
			if (nlh->nlmsg_type == NLMSG_NOOP)
				continue;
			if (nlh->nlmsg_type == NLMSG_OVERRUN) {
				if (!rc)
					rc = fw_seterr(err, -EIO,
						       "netlink overrun");
				continue;
			}
			if (nlh->nlmsg_type != fw->family_id || !parse || rc)
				continue;
			cbrc = parse(nlh, arg);
			if (cbrc < 0)
				rc = fw_seterr(err, cbrc, cbrc == -EPROTO ?
					       "malformed reply from the kernel" :
					       NULL);
		}
	}
	if (!rc && intr)
		rc = fw_seterr(err, -EINTR,
			       "dump interrupted by concurrent changes");
out:
	nlmsg_free(req);
	return rc;
}

/* ---------------------------------------------------------------- handle */

static int fw_set_opt(int fd, int opt)
{
	int one = 1;

	return setsockopt(fd, SOL_NETLINK, opt, &one, sizeof(one));
}

struct fw *fw_open(struct fw_err *err)
{
	struct timeval tv = { .tv_sec = FW_REPLY_TIMEOUT_S };
	struct fw *fw;
	int rc, fd;

	fw_clearerr(err);
	fw = calloc(1, sizeof(*fw));
	if (!fw) {
		fw_seterr(err, -ENOMEM, "out of memory");
		return NULL;
	}
	fw->events_grp = -1;
	fw->sk = nl_socket_alloc();
	if (!fw->sk) {
		fw_seterr(err, -ENOMEM, "out of memory");
		goto fail;
	}
	rc = genl_connect(fw->sk);
	if (rc < 0) {
		fw_seterr(err, -EIO, "cannot open a generic netlink socket: %s",
			  nl_geterror(rc));
		goto fail;
	}
	rc = genl_ctrl_resolve(fw->sk, PINHOLE_GENL_NAME);
	if (rc < 0) {
		if (rc == -NLE_OBJ_NOTFOUND)
			fw_seterr(err, -ENOENT,
				  "pinhole.ko is not loaded (generic netlink family '%s' not found)",
				  PINHOLE_GENL_NAME);
		else
			fw_seterr(err, -EIO,
				  "cannot resolve generic netlink family '%s': %s",
				  PINHOLE_GENL_NAME, nl_geterror(rc));
		goto fail;
	}
	fw->family_id = rc;
	rc = genl_ctrl_resolve_grp(fw->sk, PINHOLE_GENL_NAME,
				   PINHOLE_MCGRP_EVENTS);
	if (rc >= 0)
		fw->events_grp = rc;

	/* Errors and their extack without an echo of our request. */
	fd = nl_socket_get_fd(fw->sk);
	fw_set_opt(fd, NETLINK_EXT_ACK);
	fw_set_opt(fd, NETLINK_CAP_ACK);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fw;

fail:
	fw_close_handle(fw);
	return NULL;
}

void fw_close_handle(struct fw *fw)
{
	if (!fw)
		return;
	if (fw->ev)
		nl_socket_free(fw->ev);	/* closes the fd */
	if (fw->sk)
		nl_socket_free(fw->sk);
	free(fw->rx.p);
	free(fw->evrx.p);
	free(fw);
}

uint32_t fw_portid(const struct fw *fw)
{
	return nl_socket_get_local_port(fw->sk);
}

/* ---------------------------------------------------------------- events */

int fw_subscribe_events(struct fw *fw, struct fw_err *err)
{
	int rc, fd;

	fw_clearerr(err);
	if (fw->ev)
		return 0;
	if (fw->events_grp < 0)
		return fw_seterr(err, -ENOENT,
				 "the '%s' family has no '%s' multicast group",
				 PINHOLE_GENL_NAME, PINHOLE_MCGRP_EVENTS);
	fw->ev = nl_socket_alloc();
	if (!fw->ev)
		return fw_seterr(err, -ENOMEM, "out of memory");
	nl_socket_disable_seq_check(fw->ev);
	rc = nl_connect(fw->ev, NETLINK_GENERIC);
	if (rc < 0) {
		rc = fw_seterr(err, -EIO,
			       "cannot open a generic netlink socket: %s",
			       nl_geterror(rc));
		goto fail;
	}
	fd = nl_socket_get_fd(fw->ev);
	/* A large queue: bursts of events (flush) must not overrun it;
	 * beyond net.core.rmem_max when we may (CAP_NET_ADMIN) */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &(int){ FW_EVENT_RCVBUF },
		       sizeof(int)) < 0)
		nl_socket_set_buffer_size(fw->ev, FW_EVENT_RCVBUF, 0);
	if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
		       &fw->events_grp, sizeof(fw->events_grp)) < 0) {
		rc = fw_seterr(err, -errno,
			       "cannot join the '%s' multicast group",
			       PINHOLE_MCGRP_EVENTS);
		goto fail;
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) {
		rc = fw_seterr(err, -errno, "cannot make the socket non-blocking");
		goto fail;
	}
	return 0;

fail:
	nl_socket_free(fw->ev);
	fw->ev = NULL;
	return rc;
}

/*
 * A classic BPF program for the event socket: the generic netlink command
 * (the byte after the 16-byte nlmsghdr) is one of @cmds, or the kernel
 * drops the event before it is queued (a multicast event is one message
 * per datagram; a shorter datagram is dropped too).
 */
int fw_event_filter_prog(const uint8_t *cmds, size_t n,
			 struct sock_filter prog[FW_EVENT_FILTER_LEN])
{
	size_t i;

	if (!cmds || !n || n > FW_EVENT_FILTER_MAX)
		return -EINVAL;
	prog[0] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_B | BPF_ABS,
					       NLMSG_HDRLEN);
	/* command i: on a match jump to the accept after the last test */
	for (i = 0; i < n; i++)
		prog[1 + i] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ |
							   BPF_K, cmds[i],
							   n - i, 0);
	prog[1 + n] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, 0);
	prog[2 + n] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, 0xffff);
	return (int)n + 3;
}

int fw_event_filter(struct fw *fw, const uint8_t *cmds, size_t n,
		    struct fw_err *err)
{
	struct sock_filter prog[FW_EVENT_FILTER_LEN];
	struct sock_fprog fprog = { .filter = prog };
	int len;

	fw_clearerr(err);
	if (!fw->ev)
		return fw_seterr(err, -ENOTCONN, "not subscribed to events");
	len = fw_event_filter_prog(cmds, n, prog);
	if (len < 0)
		return fw_seterr(err, len, "%zu event commands (1..%d)", n,
				 FW_EVENT_FILTER_MAX);
	fprog.len = (unsigned short)len;
	if (setsockopt(nl_socket_get_fd(fw->ev), SOL_SOCKET, SO_ATTACH_FILTER,
		       &fprog, sizeof(fprog)) < 0)
		return fw_seterr(err, -errno, "cannot filter the events: %s",
				 strerror(errno));
	return 0;
}

int fw_event_fd(const struct fw *fw)
{
	return fw->ev ? nl_socket_get_fd(fw->ev) : -1;
}

int fw_event_recv(struct fw *fw, fw_event_cb cb, void *arg,
		  struct fw_err *err)
{
	int count = 0, rc;
	ssize_t n;

	fw_clearerr(err);
	if (!fw->ev)
		return fw_seterr(err, -ENOTCONN, "not subscribed to events");
	for (;;) {
		struct nlmsghdr *nlh;
		int len;

		n = fw_recv(&fw->evrx, nl_socket_get_fd(fw->ev), MSG_DONTWAIT);
		if (n == -EAGAIN || n == -EWOULDBLOCK)
			return count;
		if (n == -ENOBUFS)
			return fw_seterr(err, -ENOBUFS,
					 "event queue overran, events were lost");
		if (n < 0)
			return fw_seterr(err, n, "receiving events: %s",
					 strerror(-n));
		if (n == 0)
			return count;
		len = n;
		for (nlh = (struct nlmsghdr *)fw->evrx.p; NLMSG_OK(nlh, len);
		     nlh = NLMSG_NEXT(nlh, len)) {
			struct fw_event ev;

			if (nlh->nlmsg_type != fw->family_id)
				continue;
			rc = fw_parse_event(nlh, &ev);
			if (rc == -ENOMSG)
				continue;
			if (rc)
				return fw_seterr(err, -EPROTO,
						 "malformed event from the kernel");
			count++;
			if (cb) {
				rc = cb(&ev, arg);
				if (rc < 0)
					return fw_seterr(err, rc, NULL);
			}
		}
	}
}

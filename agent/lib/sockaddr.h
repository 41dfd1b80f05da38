// SPDX-License-Identifier: GPL-2.0
/*
 * sockaddr.h - the few things every layer asks of a struct sockaddr: its
 * length, its port, whether two name the same address, and a printable
 * "addr:port" / "[v6]:port". AF_INET and AF_INET6 only.
 *
 * Copyright (C) 2026 The pinhole authors.
 */
#ifndef PINHOLE_LIB_SOCKADDR_H
#define PINHOLE_LIB_SOCKADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* sizeof the family's sockaddr (sockaddr_in for anything but AF_INET6) */
socklen_t sa_len(int family);
/* host-order port; 0 for a family that has none */
uint16_t sa_port(const struct sockaddr *sa);
void sa_set_port(struct sockaddr_storage *ss, uint16_t port);
/* same family and address; ports are not compared */
bool sa_same_addr(const struct sockaddr_storage *a,
		  const struct sockaddr_storage *b);
/* "192.0.2.1:5060" or "[2001:db8::1]:5060" into @buf; returns @buf */
const char *sa_str(const struct sockaddr_storage *ss, char *buf, size_t size);

#endif /* PINHOLE_LIB_SOCKADDR_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * loopback.h — a connected TCP pair over 127.0.0.1 for the network
 * workloads.  The guest's /init configures no network: lo_up() sets IFF_UP
 * on "lo", and the kernel gives it 127.0.0.1/8 by itself (devinet.c).
 */
#ifndef PINCONV_LOOPBACK_H
#define PINCONV_LOOPBACK_H

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static char lo_why[256];

static inline int lo_up(void)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM, 0), rc = -1;

	if (s < 0) {
		snprintf(lo_why, sizeof(lo_why), "socket: %s", strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr)) {
		snprintf(lo_why, sizeof(lo_why), "SIOCGIFFLAGS lo: %s", strerror(errno));
		goto out;
	}
	if (!(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(s, SIOCSIFFLAGS, &ifr)) {
			snprintf(lo_why, sizeof(lo_why), "SIOCSIFFLAGS lo: %s",
				 strerror(errno));
			goto out;
		}
	}
	rc = 0;
out:
	close(s);
	return rc;
}

/* A connected TCP pair on 127.0.0.1: fds[0] connected, fds[1] accepted. */
static inline int tcp_pair(int fds[2], int bufsize)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	int l, c = -1, s = -1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1) ||
	    getsockname(l, (struct sockaddr *)&a, &alen)) {
		snprintf(lo_why, sizeof(lo_why), "listen on 127.0.0.1: %s", strerror(errno));
		goto fail;
	}
	c = socket(AF_INET, SOCK_STREAM, 0);
	if (c < 0 || (bufsize &&
		      (setsockopt(c, SOL_SOCKET, SO_SNDBUF, &bufsize, sizeof(bufsize)) ||
		       setsockopt(c, SOL_SOCKET, SO_RCVBUF, &bufsize, sizeof(bufsize)))) ||
	    connect(c, (struct sockaddr *)&a, sizeof(a))) {
		snprintf(lo_why, sizeof(lo_why), "connect to 127.0.0.1: %s", strerror(errno));
		goto fail;
	}
	s = accept(l, NULL, NULL);
	if (s < 0 || (bufsize &&
		      (setsockopt(s, SOL_SOCKET, SO_SNDBUF, &bufsize, sizeof(bufsize)) ||
		       setsockopt(s, SOL_SOCKET, SO_RCVBUF, &bufsize, sizeof(bufsize))))) {
		snprintf(lo_why, sizeof(lo_why), "accept: %s", strerror(errno));
		goto fail;
	}
	close(l);
	fds[0] = c;
	fds[1] = s;
	return 0;
fail:
	if (l >= 0)
		close(l);
	if (c >= 0)
		close(c);
	if (s >= 0)
		close(s);
	return -1;
}

#endif

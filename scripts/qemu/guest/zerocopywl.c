// SPDX-License-Identifier: GPL-2.0
/*
 * zerocopywl.c — net/core/datagram.c workload: MSG_ZEROCOPY sends over
 * loopback TCP.  tcp_sendmsg_locked() hands the user buffer to
 * skb_zerocopy_iter_stream() -> __zerocopy_sg_from_iter() ->
 * zerocopy_fill_skb_from_iter(), which takes the user pages into skb frags
 * (iov_iter_get_pages2() on 6.12).  Loopback delivery copies the frags
 * (skb_orphan_frags_rx()), so the completions say "copied"; the pages were
 * taken all the same.  One phase, KTAP (see vmstat.h):
 *   zerocopy-send  CHUNKS sends of CHUNK bytes with MSG_ZEROCOPY from
 *                  distinct buffers; a child receives and checks every
 *                  byte; the parent reads the completion notifications
 *                  from the error queue until every send is covered
 *
 *   zerocopywl
 */
#define _GNU_SOURCE
#include <errno.h>
#include <time.h>	/* struct timespec, for linux/errqueue.h */
#include <linux/errqueue.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "loopback.h"
#include "vmstat.h"

#ifndef SO_ZEROCOPY
#define SO_ZEROCOPY 60
#endif
#ifndef MSG_ZEROCOPY
#define MSG_ZEROCOPY 0x4000000
#endif
#ifndef SO_EE_ORIGIN_ZEROCOPY
#define SO_EE_ORIGIN_ZEROCOPY 5
#endif
#ifndef SO_EE_CODE_ZEROCOPY_COPIED
#define SO_EE_CODE_ZEROCOPY_COPIED 1
#endif

#define CHUNK (64 * 1024)
#define CHUNKS 16

static char why[256];

static int receiver(int s)
{
	unsigned char *got = malloc(CHUNK);

	if (!got)
		return 10;
	for (unsigned int r = 0; r < CHUNKS; r++) {
		size_t done = 0;

		while (done < CHUNK) {
			ssize_t n = recv(s, got + done, CHUNK - done, 0);

			if (n <= 0)
				return 11;
			done += (size_t)n;
		}
		if (pattern_check(got, CHUNK, r) >= 0)
			return 12;
	}
	return 0;
}

/*
 * Read zerocopy notifications until sends 0..CHUNKS-1 are all covered;
 * counts those the kernel says it copied.
 */
static int completions(int s, int *copied)
{
	unsigned char seen[CHUNKS] = { 0 };
	int left = CHUNKS;

	*copied = 0;
	while (left > 0) {
		char control[128];
		struct msghdr msg = { .msg_control = control,
				      .msg_controllen = sizeof(control) };
		struct pollfd pfd = { .fd = s, .events = 0 };
		struct cmsghdr *cm;

		if (recvmsg(s, &msg, MSG_ERRQUEUE) < 0) {
			if (errno != EAGAIN) {
				snprintf(why, sizeof(why), "recvmsg(MSG_ERRQUEUE): %s",
					 strerror(errno));
				return -1;
			}
			if (poll(&pfd, 1, 10000) != 1) {
				snprintf(why, sizeof(why),
					 "no completion for %d sends after 10 s", left);
				return -1;
			}
			continue;
		}
		for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
			struct sock_extended_err ee;

			if (!((cm->cmsg_level == SOL_IP && cm->cmsg_type == IP_RECVERR)))
				continue;
			memcpy(&ee, CMSG_DATA(cm), sizeof(ee));
			if (ee.ee_errno || ee.ee_origin != SO_EE_ORIGIN_ZEROCOPY) {
				snprintf(why, sizeof(why), "error queue: errno %u origin %u",
					 ee.ee_errno, ee.ee_origin);
				return -1;
			}
			for (uint32_t i = ee.ee_info; i <= ee.ee_data; i++) {
				if (i >= CHUNKS || seen[i]) {
					snprintf(why, sizeof(why),
						 "completion for send %u, unknown or twice", i);
					return -1;
				}
				seen[i] = 1;
				left--;
				if (ee.ee_code & SO_EE_CODE_ZEROCOPY_COPIED)
					(*copied)++;
			}
		}
	}
	return 0;
}

int main(void)
{
	struct pins before;
	unsigned char *buf;
	int fds[2], one = 1, st, ok = 0, copied = 0;
	pid_t pid;

	ktap_plan(1);
	buf = mmap(NULL, (size_t)CHUNK * CHUNKS, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED) {
		printf("# zerocopywl: no memory\n");
		return 1;
	}
	for (unsigned int r = 0; r < CHUNKS; r++)
		pattern_fill(buf + (size_t)r * CHUNK, CHUNK, r);
	if (lo_up() || tcp_pair(fds, 0)) {
		printf("# zerocopywl: %s\n", lo_why);
		return 1;
	}
	if (setsockopt(fds[0], SOL_SOCKET, SO_ZEROCOPY, &one, sizeof(one))) {
		printf("# zerocopywl: SO_ZEROCOPY: %s\n", strerror(errno));
		return 1;
	}
	fflush(stdout);
	pins_read(&before);
	pid = fork();
	if (pid < 0) {
		printf("# zerocopywl: fork: %s\n", strerror(errno));
		return 1;
	}
	if (pid == 0) {
		close(fds[0]);
		_exit(receiver(fds[1]));
	}
	close(fds[1]);
	for (unsigned int r = 0; r < CHUNKS; r++) {
		size_t done = 0;

		while (done < CHUNK) {
			ssize_t n = send(fds[0], buf + (size_t)r * CHUNK + done,
					 CHUNK - done, MSG_ZEROCOPY);

			if (n <= 0) {
				snprintf(why, sizeof(why), "send %u: %s", r, strerror(errno));
				goto done;
			}
			done += (size_t)n;
			if (done < CHUNK) {
				snprintf(why, sizeof(why),
					 "send %u was short (%zu of %d bytes)", r, done, CHUNK);
				goto done;
			}
		}
	}
	if (completions(fds[0], &copied))
		goto done;
	ok = 1;
done:
	shutdown(fds[0], SHUT_WR);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st)) {
		if (ok)
			snprintf(why, sizeof(why),
				 "the receiver found the data wrong (status %#x)", st);
		ok = 0;
	}
	if (ok)
		ktap_phase(1, "zerocopy-send", 1, &before,
			   "%d x %d KiB sent with MSG_ZEROCOPY, data ok, %d completions (%d copied)",
			   CHUNKS, CHUNK / 1024, CHUNKS, copied);
	else
		ktap_phase(1, "zerocopy-send", 0, &before, "%s", why);
	close(fds[0]);
	return !ok;
}

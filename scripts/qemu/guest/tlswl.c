// SPDX-License-Identifier: GPL-2.0
/*
 * tlswl.c — net/tls workload: kernel TLS 1.2 (AES-GCM-128, static keys set
 * with setsockopt(SOL_TLS, TLS_TX/TLS_RX); no handshake, no crypto
 * library) over a loopback TCP pair.  Full records sent from user memory
 * take tls_sw_sendmsg_locked()'s zero-copy path (sk_msg_zerocopy_from_iter()
 * in net/core/skmsg.c); records received into a buffer at least as large
 * as the record are decrypted straight into the user pages
 * (tls_setup_from_iter() in net/tls/tls_sw.c, darg.zc), both taking pages
 * with iov_iter_get_pages2() on 6.12.  Two phases, KTAP (see vmstat.h):
 *   tls-tx  ROUNDS sends of RECORDS full records from user memory
 *   tls-rx  the same records received into user memory, checked
 * The sends of one round fit in the socket buffers, so the phases can run
 * one after the other in one process and be counted apart.
 *
 *   tlswl
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/tls.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loopback.h"
#include "vmstat.h"

#ifndef SOL_TLS
#define SOL_TLS 282
#endif
#ifndef TCP_ULP
#define TCP_ULP 31
#endif

#define RECORD (16 * 1024)	/* TLS_MAX_PAYLOAD_SIZE */
#define RECORDS 4
#define ROUND (RECORD * RECORDS)
#define ROUNDS 4

static char why[256];

static int tls_on(int s, int dir)
{
	struct tls12_crypto_info_aes_gcm_128 ci;

	memset(&ci, 0, sizeof(ci));
	ci.info.version = TLS_1_2_VERSION;
	ci.info.cipher_type = TLS_CIPHER_AES_GCM_128;
	for (unsigned int i = 0; i < sizeof(ci.key); i++)
		ci.key[i] = (unsigned char)(0x10 + i);
	for (unsigned int i = 0; i < sizeof(ci.iv); i++)
		ci.iv[i] = (unsigned char)(0x40 + i);
	for (unsigned int i = 0; i < sizeof(ci.salt); i++)
		ci.salt[i] = (unsigned char)(0x70 + i);
	/* rec_seq starts at 0 on both sides. */
	if (setsockopt(s, SOL_TLS, dir, &ci, sizeof(ci))) {
		snprintf(why, sizeof(why), "setsockopt(SOL_TLS, %s): %s",
			 dir == TLS_TX ? "TLS_TX" : "TLS_RX", strerror(errno));
		return -1;
	}
	return 0;
}

static int send_round(int s, const unsigned char *buf)
{
	size_t done = 0;

	while (done < ROUND) {
		ssize_t n = send(s, buf + done, ROUND - done, 0);

		if (n <= 0) {
			snprintf(why, sizeof(why), "send: %s", strerror(errno));
			return -1;
		}
		done += (size_t)n;
	}
	return 0;
}

/* Receive one round, one record per recv() into a buffer of two records. */
static int recv_round(int s, unsigned char *got, unsigned int seed)
{
	size_t done = 0;
	long bad;

	while (done < ROUND) {
		size_t want = ROUND - done < 2 * RECORD ? ROUND - done : 2 * RECORD;
		ssize_t n = recv(s, got + done, want, 0);

		if (n <= 0) {
			snprintf(why, sizeof(why), "recv: %s",
				 n ? strerror(errno) : "end of stream");
			return -1;
		}
		done += (size_t)n;
	}
	bad = pattern_check(got, ROUND, seed);
	if (bad >= 0) {
		snprintf(why, sizeof(why), "round %u: received data differs at byte %ld",
			 seed, bad);
		return -1;
	}
	return 0;
}

int main(void)
{
	struct pins tx = { 0, 0 }, rx = { 0, 0 }, b, a;
	unsigned char *buf, *got;
	int fds[2], ok = 1, sent = 0;

	ktap_plan(2);
	buf = mmap(NULL, ROUND, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	got = mmap(NULL, ROUND, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED || got == MAP_FAILED) {
		printf("# tlswl: no memory\n");
		return 1;
	}
	if (lo_up() || tcp_pair(fds, 0)) {
		printf("# tlswl: %s\n", lo_why);
		return 1;
	}
	if (setsockopt(fds[0], IPPROTO_TCP, TCP_ULP, "tls", sizeof("tls")) ||
	    setsockopt(fds[1], IPPROTO_TCP, TCP_ULP, "tls", sizeof("tls"))) {
		printf("# tlswl: setsockopt(TCP_ULP, \"tls\"): %s\n", strerror(errno));
		return 1;
	}
	if (tls_on(fds[0], TLS_TX) || tls_on(fds[1], TLS_RX)) {
		printf("# tlswl: %s\n", why);
		return 1;
	}
	/*
	 * Counters are summed per phase over the rounds: tx covers only the
	 * send() calls, rx only the recv() calls.
	 */
	for (unsigned int r = 0; r < ROUNDS && ok; r++) {
		pattern_fill(buf, ROUND, r);
		pins_read(&b);
		ok = !send_round(fds[0], buf);
		pins_read(&a);
		tx.acquired += a.acquired - b.acquired;
		tx.released += a.released - b.released;
		if (!ok)
			break;
		sent++;
		memset(got, 0, ROUND);
		pins_read(&b);
		ok = !recv_round(fds[1], got, r);
		pins_read(&a);
		rx.acquired += a.acquired - b.acquired;
		rx.released += a.released - b.released;
	}
	if (!ok && sent < ROUNDS) {
		ktap_result(1, "tls-tx", 0, &tx, "%s", why);
		ktap_result(2, "tls-rx", 0, &rx, "not run: the sends failed");
	} else {
		ktap_result(1, "tls-tx", 1, &tx, "%d records of %d KiB sent",
			    ROUNDS * RECORDS, RECORD / 1024);
		if (ok)
			ktap_result(2, "tls-rx", 1, &rx,
				    "%d records received and decrypted, data ok",
				    ROUNDS * RECORDS);
		else
			ktap_result(2, "tls-rx", 0, &rx, "%s", why);
	}
	close(fds[0]);
	close(fds[1]);
	return !ok;
}

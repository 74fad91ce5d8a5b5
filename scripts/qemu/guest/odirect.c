// SPDX-License-Identifier: GPL-2.0
/*
 * odirect.c — block workload: O_DIRECT writes and reads on a block device
 * (the guest's virtio-blk disk), checked byte for byte.  Direct I/O on a
 * block device hands the user buffer's pages to bios (block/fops.c), so
 * every chunk pins or references user pages.
 *
 *   odirect DEVICE
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmstat.h"

#define CHUNK (64 * 1024)
#define TOTAL (1024 * 1024)

static void fill(unsigned char *buf, size_t len, unsigned int seed)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (unsigned char)(i * 31 + seed);
}

static int run(const char *dev)
{
	unsigned char *wbuf, *rbuf;
	int fd, ok = 1;

	if (posix_memalign((void **)&wbuf, 4096, CHUNK) ||
	    posix_memalign((void **)&rbuf, 4096, CHUNK))
		return 0;
	fd = open(dev, O_RDWR | O_DIRECT);
	if (fd < 0) {
		printf("# odirect: open %s: %s\n", dev, strerror(errno));
		return 0;
	}
	for (off_t off = 0; off < TOTAL && ok; off += CHUNK) {
		fill(wbuf, CHUNK, (unsigned int)(off / CHUNK));
		if (pwrite(fd, wbuf, CHUNK, off) != CHUNK) {
			printf("# odirect: pwrite at %lld: %s\n", (long long)off,
			       strerror(errno));
			ok = 0;
		}
	}
	for (off_t off = 0; off < TOTAL && ok; off += CHUNK) {
		fill(wbuf, CHUNK, (unsigned int)(off / CHUNK));
		if (pread(fd, rbuf, CHUNK, off) != CHUNK) {
			printf("# odirect: pread at %lld: %s\n", (long long)off,
			       strerror(errno));
			ok = 0;
		} else if (memcmp(wbuf, rbuf, CHUNK)) {
			printf("# odirect: data mismatch at %lld\n", (long long)off);
			ok = 0;
		}
	}
	close(fd);
	free(wbuf);
	free(rbuf);
	return ok;
}

int main(int argc, char **argv)
{
	struct pins before, after;
	int ok;

	if (argc != 2) {
		fprintf(stderr, "usage: odirect DEVICE\n");
		return 2;
	}
	if (pins_read(&before)) {
		printf("# odirect: no FOLL_PIN counters in /proc/vmstat\n");
		return 1;
	}
	ok = run(argv[1]);
	pins_read(&after);
	pins_report("block-odirect", ok, &before, &after);
	return ok ? 0 : 1;
}

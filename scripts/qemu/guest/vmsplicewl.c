// SPDX-License-Identifier: GPL-2.0
/*
 * vmsplicewl.c — fs/splice.c workload: vmsplice() of user memory into a
 * pipe.  vmsplice_to_pipe() -> iter_to_pipe() takes the user pages
 * (iov_iter_get_pages2() on 6.12, a reference each) and puts them in pipe
 * buffers with user_page_pipe_buf_ops; whoever drains the pipe copies from
 * those pages and releases the buffer.  Three phases, each CHUNKS rounds of
 * one vmsplice() of CHUNK bytes and a drain, data checked byte for byte:
 *   vmsplice-read    drained with read()
 *   vmsplice-splice  drained with splice() into a tmpfs file, read back
 *   vmsplice-tee     tee() into a second pipe (the buffer's .get), both
 *                    pipes drained with read()
 * Prints KTAP (see vmstat.h).
 *
 *   vmsplicewl [DIR]     (DIR for the splice target file, default /tmp)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "vmstat.h"

#define CHUNK (64 * 1024)	/* the default pipe holds 16 pages */
#define CHUNKS 16

static char why[256];

/* vmsplice all of buf (CHUNK bytes) into pfd; 0 on success. */
static int splice_in(int pfd, unsigned char *buf)
{
	size_t done = 0;

	while (done < CHUNK) {
		struct iovec iov = { buf + done, CHUNK - done };
		ssize_t n = vmsplice(pfd, &iov, 1, 0);

		if (n <= 0) {
			snprintf(why, sizeof(why), "vmsplice: %s",
				 n ? strerror(errno) : "returned 0");
			return -1;
		}
		done += (size_t)n;
	}
	return 0;
}

static int read_all(int fd, unsigned char *out, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = read(fd, out + done, len - done);

		if (n <= 0) {
			snprintf(why, sizeof(why), "read: %s",
				 n ? strerror(errno) : "end of file");
			return -1;
		}
		done += (size_t)n;
	}
	return 0;
}

static int check(const unsigned char *got, unsigned int seed, const char *what)
{
	long bad = pattern_check(got, CHUNK, seed);

	if (bad < 0)
		return 0;
	snprintf(why, sizeof(why), "%s: data differs at byte %ld of round %u",
		 what, bad, seed);
	return -1;
}

enum drain { BY_READ, BY_SPLICE, BY_TEE };

static int one_round(enum drain how, unsigned char *buf, unsigned char *out,
		     int tfd, unsigned int seed)
{
	int p[2], q[2] = { -1, -1 }, rc = -1;

	if (pipe(p)) {
		snprintf(why, sizeof(why), "pipe: %s", strerror(errno));
		return -1;
	}
	if (how == BY_TEE && pipe(q)) {
		snprintf(why, sizeof(why), "pipe: %s", strerror(errno));
		goto out;
	}
	pattern_fill(buf, CHUNK, seed);
	if (splice_in(p[1], buf))
		goto out;
	switch (how) {
	case BY_READ:
		if (read_all(p[0], out, CHUNK) || check(out, seed, "read"))
			goto out;
		break;
	case BY_SPLICE: {
		size_t done = 0;
		loff_t off = 0;

		if (ftruncate(tfd, 0)) {
			snprintf(why, sizeof(why), "ftruncate: %s", strerror(errno));
			goto out;
		}
		while (done < CHUNK) {
			ssize_t n = splice(p[0], NULL, tfd, &off, CHUNK - done, 0);

			if (n <= 0) {
				snprintf(why, sizeof(why), "splice: %s",
					 n ? strerror(errno) : "returned 0");
				goto out;
			}
			done += (size_t)n;
		}
		if (pread(tfd, out, CHUNK, 0) != CHUNK) {
			snprintf(why, sizeof(why), "pread: %s", strerror(errno));
			goto out;
		}
		if (check(out, seed, "splice"))
			goto out;
		break;
	}
	case BY_TEE: {
		ssize_t n = tee(p[0], q[1], CHUNK, 0);

		if (n != CHUNK) {
			snprintf(why, sizeof(why), "tee: %zd of %d bytes (%s)", n,
				 CHUNK, n < 0 ? strerror(errno) : "short");
			goto out;
		}
		if (read_all(q[0], out, CHUNK) || check(out, seed, "tee copy"))
			goto out;
		memset(out, 0, CHUNK);
		if (read_all(p[0], out, CHUNK) || check(out, seed, "tee source"))
			goto out;
		break;
	}
	}
	rc = 0;
out:
	close(p[0]);
	close(p[1]);
	if (q[0] >= 0) {
		close(q[0]);
		close(q[1]);
	}
	return rc;
}

int main(int argc, char **argv)
{
	static const char *const names[] = {
		"vmsplice-read", "vmsplice-splice", "vmsplice-tee" };
	const char *dir = argc > 1 ? argv[1] : "/tmp";
	char path[PATH_MAX];
	unsigned char *buf, *out;
	int tfd, failed = 0;

	snprintf(path, sizeof(path), "%s/vmsplicewl.XXXXXX", dir);
	tfd = mkstemp(path);
	buf = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	out = malloc(CHUNK);
	ktap_plan(3);
	if (tfd < 0 || buf == MAP_FAILED || !out) {
		printf("# vmsplicewl: setup failed: %s\n", strerror(errno));
		return 1;
	}
	unlink(path);
	for (int how = BY_READ; how <= BY_TEE; how++) {
		struct pins before;
		int ok = 1;

		if (pins_read(&before)) {
			printf("# vmsplicewl: no FOLL_PIN counters in /proc/vmstat\n");
			return 1;
		}
		why[0] = 0;
		for (unsigned int r = 0; r < CHUNKS && ok; r++)
			ok = !one_round((enum drain)how, buf, out, tfd,
					r + 16 * (unsigned int)how);
		if (ok)
			ktap_phase(how + 1, names[how], 1, &before,
				   "%d x %d KiB vmspliced, data ok", CHUNKS,
				   CHUNK / 1024);
		else
			ktap_phase(how + 1, names[how], 0, &before, "%s", why);
		failed |= !ok;
	}
	close(tfd);
	return failed;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * fusewl.c — fs/fuse workload: a minimal FUSE server speaking the
 * /dev/fuse protocol directly (no libfuse), serving one file, "data",
 * from memory, and a client that reads and writes it.
 *
 *   fusewl MOUNTPOINT
 *
 * The server reads requests with plain read() and answers with plain
 * write() on /dev/fuse (never splice), so every request and reply passes
 * through fs/fuse/dev.c's fuse_copy_fill() on the server's buffer.  The
 * client runs two phases, each reported with the change of the FOLL_PIN
 * counters (see vmstat.h):
 *   fuse-buffered  write, reopen, read back through the page cache
 *   fuse-direct    the same with O_DIRECT; the server answers OPEN with
 *                  FOPEN_DIRECT_IO, so fs/fuse/file.c takes the client's
 *                  user pages
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vmstat.h"

#define FILE_INO 2
#define FILE_NAME "data"
#define MAX_FILE (4 * 1024 * 1024)
#define MAX_WRITE (128 * 1024)
#define BUF_SIZE (MAX_WRITE + 64 * 1024)
#define CHUNK (64 * 1024)
#define TOTAL (512 * 1024)

static unsigned char *file_data;
static uint64_t file_size;

/* ---- server ---- */

static void fill_attr(struct fuse_attr *a, uint64_t ino)
{
	memset(a, 0, sizeof(*a));
	a->ino = ino;
	a->blksize = 4096;
	if (ino == FUSE_ROOT_ID) {
		a->mode = S_IFDIR | 0755;
		a->nlink = 2;
	} else {
		a->mode = S_IFREG | 0644;
		a->nlink = 1;
		a->size = file_size;
		a->blocks = (file_size + 511) / 512;
	}
}

static int reply(int fd, uint64_t unique, int error, const void *arg,
		 size_t len)
{
	static unsigned char out[BUF_SIZE];
	struct fuse_out_header *oh = (struct fuse_out_header *)out;
	ssize_t n;

	oh->unique = unique;
	oh->error = error;
	oh->len = sizeof(*oh) + (error ? 0 : len);
	if (!error && len)
		memcpy(out + sizeof(*oh), arg, len);
	n = write(fd, out, oh->len);
	if (n < 0 && errno != ENOENT) {
		printf("# fusewl: reply write: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

static int handle(int fd, const struct fuse_in_header *ih, const void *in)
{
	switch (ih->opcode) {
	case FUSE_INIT: {
		const struct fuse_init_in *ii = in;
		struct fuse_init_out io;

		memset(&io, 0, sizeof(io));
		io.major = FUSE_KERNEL_VERSION;
		io.minor = FUSE_KERNEL_MINOR_VERSION;
		io.max_readahead = ii->max_readahead;
		io.max_background = 16;
		io.congestion_threshold = 12;
		io.max_write = MAX_WRITE;
		io.time_gran = 1;
		return reply(fd, ih->unique, 0, &io, sizeof(io));
	}
	case FUSE_LOOKUP: {
		struct fuse_entry_out eo;

		if (ih->nodeid != FUSE_ROOT_ID || strcmp(in, FILE_NAME))
			return reply(fd, ih->unique, -ENOENT, NULL, 0);
		memset(&eo, 0, sizeof(eo));
		eo.nodeid = FILE_INO;
		fill_attr(&eo.attr, FILE_INO);
		return reply(fd, ih->unique, 0, &eo, sizeof(eo));
	}
	case FUSE_SETATTR: {
		const struct fuse_setattr_in *si = in;
		struct fuse_attr_out ao;

		if ((si->valid & FATTR_SIZE) && ih->nodeid == FILE_INO) {
			if (si->size > MAX_FILE)
				return reply(fd, ih->unique, -EFBIG, NULL, 0);
			if (si->size > file_size)
				memset(file_data + file_size, 0, si->size - file_size);
			file_size = si->size;
		}
		memset(&ao, 0, sizeof(ao));
		fill_attr(&ao.attr, ih->nodeid);
		return reply(fd, ih->unique, 0, &ao, sizeof(ao));
	}
	case FUSE_GETATTR: {
		struct fuse_attr_out ao;

		memset(&ao, 0, sizeof(ao));
		fill_attr(&ao.attr, ih->nodeid);
		return reply(fd, ih->unique, 0, &ao, sizeof(ao));
	}
	case FUSE_OPEN: {
		const struct fuse_open_in *oi = in;
		struct fuse_open_out oo;

		memset(&oo, 0, sizeof(oo));
		oo.fh = 1;
		if (oi->flags & O_DIRECT)
			oo.open_flags = FOPEN_DIRECT_IO;
		return reply(fd, ih->unique, 0, &oo, sizeof(oo));
	}
	case FUSE_READ: {
		const struct fuse_read_in *ri = in;
		uint64_t len = 0;

		if (ri->offset < file_size)
			len = file_size - ri->offset;
		if (len > ri->size)
			len = ri->size;
		return reply(fd, ih->unique, 0, file_data + ri->offset, len);
	}
	case FUSE_WRITE: {
		const struct fuse_write_in *wi = in;
		struct fuse_write_out wo;

		if (wi->offset + wi->size > MAX_FILE)
			return reply(fd, ih->unique, -EFBIG, NULL, 0);
		memcpy(file_data + wi->offset, wi + 1, wi->size);
		if (wi->offset + wi->size > file_size)
			file_size = wi->offset + wi->size;
		memset(&wo, 0, sizeof(wo));
		wo.size = wi->size;
		return reply(fd, ih->unique, 0, &wo, sizeof(wo));
	}
	case FUSE_STATFS: {
		struct fuse_statfs_out so;

		memset(&so, 0, sizeof(so));
		so.st.bsize = so.st.frsize = 4096;
		so.st.namelen = 255;
		return reply(fd, ih->unique, 0, &so, sizeof(so));
	}
	case FUSE_FLUSH:
	case FUSE_RELEASE:
	case FUSE_FSYNC:
	case FUSE_DESTROY:
		return reply(fd, ih->unique, 0, NULL, 0);
	case FUSE_FORGET:
	case FUSE_BATCH_FORGET:
	case FUSE_INTERRUPT:
		return 0;
	default:
		return reply(fd, ih->unique, -ENOSYS, NULL, 0);
	}
}

/* Serve until the kernel ends the connection (unmount: ENODEV). */
static long serve(int fd)
{
	static unsigned char buf[BUF_SIZE];
	long served = 0;

	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0) {
			if (errno == EINTR || errno == ENOENT || errno == EAGAIN)
				continue;
			if (errno == ENODEV)
				return served;
			printf("# fusewl: read /dev/fuse: %s\n", strerror(errno));
			return -1;
		}
		if ((size_t)n < sizeof(struct fuse_in_header)) {
			printf("# fusewl: short request (%zd bytes)\n", n);
			return -1;
		}
		served++;
		if (handle(fd, (struct fuse_in_header *)buf,
			   buf + sizeof(struct fuse_in_header)))
			return -1;
	}
}

/* ---- client ---- */

static void fill(unsigned char *buf, size_t len, unsigned int seed)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (unsigned char)(i * 7 + seed);
}

static int write_read(const char *path, int oflags, unsigned int seed)
{
	unsigned char *wbuf, *rbuf;
	int fd, ok = 1;

	if (posix_memalign((void **)&wbuf, 4096, CHUNK) ||
	    posix_memalign((void **)&rbuf, 4096, CHUNK))
		return 0;
	fd = open(path, O_RDWR | oflags);
	if (fd < 0) {
		printf("# fusewl: open %s: %s\n", path, strerror(errno));
		return 0;
	}
	for (off_t off = 0; off < TOTAL && ok; off += CHUNK) {
		fill(wbuf, CHUNK, seed + (unsigned int)(off / CHUNK));
		if (pwrite(fd, wbuf, CHUNK, off) != CHUNK) {
			printf("# fusewl: pwrite at %lld: %s\n", (long long)off,
			       strerror(errno));
			ok = 0;
		}
	}
	close(fd);
	/* Reopen: without FOPEN_KEEP_CACHE this drops the page cache. */
	fd = open(path, O_RDONLY | oflags);
	if (fd < 0) {
		printf("# fusewl: reopen %s: %s\n", path, strerror(errno));
		ok = 0;
	}
	for (off_t off = 0; off < TOTAL && ok; off += CHUNK) {
		fill(wbuf, CHUNK, seed + (unsigned int)(off / CHUNK));
		if (pread(fd, rbuf, CHUNK, off) != CHUNK) {
			printf("# fusewl: pread at %lld: %s\n", (long long)off,
			       strerror(errno));
			ok = 0;
		} else if (memcmp(wbuf, rbuf, CHUNK)) {
			printf("# fusewl: data mismatch at %lld\n", (long long)off);
			ok = 0;
		}
	}
	if (fd >= 0)
		close(fd);
	free(wbuf);
	free(rbuf);
	return ok;
}

static int client(const char *mnt)
{
	char path[4096];
	struct pins before, after;
	struct stat st;
	int ok, all = 1;

	snprintf(path, sizeof(path), "%s/%s", mnt, FILE_NAME);
	if (stat(path, &st)) {
		printf("# fusewl: stat %s: %s\n", path, strerror(errno));
		all = 0;
	}

	pins_read(&before);
	ok = write_read(path, 0, 1);
	pins_read(&after);
	pins_report("fuse-buffered", ok, &before, &after);
	all &= ok;

	pins_read(&before);
	ok = write_read(path, O_DIRECT, 2);
	pins_read(&after);
	pins_report("fuse-direct", ok, &before, &after);
	all &= ok;

	if (umount2(mnt, 0)) {
		printf("# fusewl: umount %s: %s\n", mnt, strerror(errno));
		umount2(mnt, MNT_DETACH);
		all = 0;
	}
	return all ? 0 : 1;
}

int main(int argc, char **argv)
{
	char opts[128];
	struct pins p;
	long served;
	pid_t pid;
	int fd, status;

	if (argc != 2) {
		fprintf(stderr, "usage: fusewl MOUNTPOINT\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (pins_read(&p)) {
		printf("# fusewl: no FOLL_PIN counters in /proc/vmstat\n");
		return 1;
	}
	file_data = calloc(1, MAX_FILE);
	fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (!file_data || fd < 0) {
		printf("# fusewl: open /dev/fuse: %s\n", strerror(errno));
		return 1;
	}
	snprintf(opts, sizeof(opts),
		 "fd=%d,rootmode=40000,user_id=0,group_id=0", fd);
	if (mount("fusewl", argv[1], "fuse", MS_NOSUID | MS_NODEV, opts)) {
		printf("# fusewl: mount %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		close(fd);
		_exit(client(argv[1]));
	}
	served = serve(fd);
	if (served < 0)
		kill(pid, SIGKILL);
	if (waitpid(pid, &status, 0) < 0)
		return 1;
	printf("# fusewl: served %ld requests\n", served);
	return served > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

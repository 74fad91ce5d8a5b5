// SPDX-License-Identifier: GPL-2.0
/*
 * procmemwl.c — mm/memory.c workload: another process's memory read and
 * written through /proc/<pid>/mem and ptrace(PTRACE_PEEKDATA/POKEDATA).
 * Both end in __access_remote_vm(), which takes each page of the target
 * with get_user_page_vma_remote() (get_user_pages_remote(), one page at a
 * time, FOLL_FORCE) and releases it after the copy.
 *
 * A traced child holds a buffer of PAGES pages and stops; the parent runs
 * three phases on it (KTAP, see vmstat.h):
 *   procmem-read     pread() of the whole buffer, checked against the
 *                    pattern the child wrote
 *   procmem-write    pwrite() of a new pattern, pread() back and checked
 *   ptrace-peekpoke  PEEKDATA of every word of one page (the new pattern),
 *                    POKEDATA of a third pattern into the last page, then
 *                    the child is continued and checks its own memory
 *                    (first pages: second pattern, last page: the third)
 *
 *   procmemwl
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vmstat.h"

#define PAGE 4096
#define PAGES 32
#define LEN (PAGES * PAGE)
#define SEED_CHILD 1
#define SEED_WRITE 2
#define SEED_POKE 3

static char why[256];

/* The child: stop for the tracer, then check what it wrote. */
static int child(unsigned char *buf)
{
	pattern_fill(buf, LEN, SEED_CHILD);
	if (ptrace(PTRACE_TRACEME, 0, NULL, NULL))
		return 10;
	raise(SIGSTOP);
	if (pattern_check(buf, LEN - PAGE, SEED_WRITE) >= 0)
		return 11;
	if (pattern_check(buf + LEN - PAGE, PAGE, SEED_POKE) >= 0)
		return 12;
	return 0;
}

static int rw_all(int write, int fd, unsigned char *p, size_t len, uintptr_t at)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = write ? pwrite(fd, p + done, len - done, (off_t)(at + done))
				  : pread(fd, p + done, len - done, (off_t)(at + done));

		if (n <= 0) {
			snprintf(why, sizeof(why), "%s /proc/pid/mem at +%zu: %s",
				 write ? "pwrite" : "pread", done,
				 n ? strerror(errno) : "returned 0");
			return -1;
		}
		done += (size_t)n;
	}
	return 0;
}

static int phase_read(int fd, uintptr_t at, unsigned char *tmp)
{
	long bad;

	memset(tmp, 0, LEN);
	if (rw_all(0, fd, tmp, LEN, at))
		return 0;
	bad = pattern_check(tmp, LEN, SEED_CHILD);
	if (bad >= 0) {
		snprintf(why, sizeof(why), "read: child memory differs at byte %ld", bad);
		return 0;
	}
	return 1;
}

static int phase_write(int fd, uintptr_t at, unsigned char *tmp)
{
	long bad;

	pattern_fill(tmp, LEN, SEED_WRITE);
	if (rw_all(1, fd, tmp, LEN, at))
		return 0;
	memset(tmp, 0, LEN);
	if (rw_all(0, fd, tmp, LEN, at))
		return 0;
	bad = pattern_check(tmp, LEN, SEED_WRITE);
	if (bad >= 0) {
		snprintf(why, sizeof(why), "write: read back differs at byte %ld", bad);
		return 0;
	}
	return 1;
}

static int phase_peekpoke(pid_t pid, uintptr_t at, unsigned char *tmp)
{
	const size_t w = sizeof(long);
	unsigned char *last = tmp + LEN - PAGE;

	/* PEEK the first page: the SEED_WRITE pattern. */
	pattern_fill(tmp, PAGE, SEED_WRITE);
	for (size_t i = 0; i < PAGE; i += w) {
		long want, got;

		memcpy(&want, tmp + i, w);
		errno = 0;
		got = ptrace(PTRACE_PEEKDATA, pid, (void *)(at + i), NULL);
		if (errno) {
			snprintf(why, sizeof(why), "PEEKDATA at +%zu: %s", i, strerror(errno));
			return 0;
		}
		if (got != want) {
			snprintf(why, sizeof(why), "PEEKDATA at +%zu: %lx, not %lx", i,
				 (unsigned long)got, (unsigned long)want);
			return 0;
		}
	}
	/* POKE the last page with SEED_POKE, PEEK it back. */
	pattern_fill(last, PAGE, SEED_POKE);
	for (size_t i = 0; i < PAGE; i += w) {
		uintptr_t a = at + LEN - PAGE + i;
		long v, got;

		memcpy(&v, last + i, w);
		if (ptrace(PTRACE_POKEDATA, pid, (void *)a, (void *)v)) {
			snprintf(why, sizeof(why), "POKEDATA at +%zu: %s", i, strerror(errno));
			return 0;
		}
		errno = 0;
		got = ptrace(PTRACE_PEEKDATA, pid, (void *)a, NULL);
		if (errno || got != v) {
			snprintf(why, sizeof(why), "PEEKDATA after POKEDATA at +%zu differs", i);
			return 0;
		}
	}
	return 1;
}

int main(void)
{
	unsigned char *buf, *tmp;
	struct pins before;
	char path[64];
	int st, fd, ok, failed = 0;
	pid_t pid;

	ktap_plan(3);
	buf = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	tmp = malloc(LEN);
	if (buf == MAP_FAILED || !tmp) {
		printf("# procmemwl: no memory\n");
		return 1;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		printf("# procmemwl: fork: %s\n", strerror(errno));
		return 1;
	}
	if (pid == 0)
		_exit(child(buf));
	if (waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st)) {
		printf("# procmemwl: the child did not stop (status %#x)\n", st);
		return 1;
	}
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	fd = open(path, O_RDWR);
	if (fd < 0) {
		printf("# procmemwl: open %s: %s\n", path, strerror(errno));
		kill(pid, SIGKILL);
		return 1;
	}

	pins_read(&before);
	ok = phase_read(fd, (uintptr_t)buf, tmp);
	if (ok)
		ktap_phase(1, "procmem-read", 1, &before, "%d pages read, data ok", PAGES);
	else
		ktap_phase(1, "procmem-read", 0, &before, "%s", why);
	failed |= !ok;

	pins_read(&before);
	ok = phase_write(fd, (uintptr_t)buf, tmp);
	if (ok)
		ktap_phase(2, "procmem-write", 1, &before,
			   "%d pages written and read back, data ok", PAGES);
	else
		ktap_phase(2, "procmem-write", 0, &before, "%s", why);
	failed |= !ok;
	close(fd);

	pins_read(&before);
	ok = phase_peekpoke(pid, (uintptr_t)buf, tmp);
	if (ptrace(PTRACE_CONT, pid, NULL, NULL) || waitpid(pid, &st, 0) != pid) {
		ok = 0;
		snprintf(why, sizeof(why), "cannot continue the child: %s", strerror(errno));
	} else if (ok && !(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
		ok = 0;
		snprintf(why, sizeof(why), "the child found its memory wrong (status %#x)", st);
	}
	if (ok)
		ktap_phase(3, "ptrace-peekpoke", 1, &before,
			   "%d words peeked, %d poked, the child checked its memory",
			   (int)(2 * PAGE / sizeof(long)), (int)(PAGE / sizeof(long)));
	else
		ktap_phase(3, "ptrace-peekpoke", 0, &before, "%s", why);
	failed |= !ok;
	return failed;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * uprobewl.c — kernel/events/uprobes.c workload: a uprobe with a reference
 * counter (SDT "semaphore") on this static binary.  Enabling the event
 * makes the kernel count the semaphore up in every process that maps the
 * binary, disabling counts it down: __update_ref_ctr() takes the page with
 * get_user_pages_remote() on 6.12; placing and removing the breakpoint
 * takes the text page too (uprobe_write_opcode()).  One phase, KTAP (see
 * vmstat.h):
 *   uprobe-refctr  define p:pinconv/uprobewl <exe>:<func>(<semaphore>) in
 *                  uprobe_events, enable it, check the semaphore is 1 here
 *                  and in a child forked before, call the probed function
 *                  HITS times and check uprobe_profile counted HITS, disable
 *                  it, check the semaphore is 0 here and in the child
 *
 *   uprobewl [TRACEFS]    (default /sys/kernel/tracing, mounted if needed)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vmstat.h"

#define HITS 10
#define EVENT "pinconv/uprobewl"

/*
 * The semaphore, in a section of its own as SystemTap's SDT headers do: it
 * must live in file-backed memory (not .bss), since ref_ctr_offset is an
 * offset in the file.
 */
__attribute__((section(".probes"), used)) volatile unsigned short uprobewl_sem;

static char why[512];
static const char *tracefs = "/sys/kernel/tracing";

__attribute__((noinline)) int uprobewl_target(int x)
{
	__asm__ volatile("" : "+r"(x));
	return x + 1;
}

/* The file offset of addr in this executable, from /proc/self/maps. */
static int file_offset(uintptr_t addr, unsigned long long *off)
{
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");
	int rc = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long lo, hi, pgoff;

		if (sscanf(line, "%llx-%llx %*s %llx", &lo, &hi, &pgoff) != 3)
			continue;
		if (addr >= lo && addr < hi && strchr(line, '/')) {
			*off = addr - lo + pgoff;
			rc = 0;
			break;
		}
	}
	fclose(f);
	return rc;
}

static int write_file(const char *name, const char *text, int append)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", tracefs, name);
	fd = open(path, O_WRONLY | (append ? O_APPEND : O_TRUNC));
	if (fd < 0) {
		snprintf(why, sizeof(why), "open %.200s: %s", path, strerror(errno));
		return -1;
	}
	n = write(fd, text, strlen(text));
	if (n != (ssize_t)strlen(text)) {
		snprintf(why, sizeof(why), "write \"%.150s\" to %.200s: %s", text, path,
			 n < 0 ? strerror(errno) : "short");
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* The hit count of our event in uprobe_profile, or -1. */
static long hits(void)
{
	char path[PATH_MAX], line[1024];
	long n = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/uprobe_profile", tracefs);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char file[512], ev[256];
		long h;

		if (sscanf(line, "%511s %255s %ld", file, ev, &h) == 3 &&
		    !strcmp(ev, "uprobewl"))
			n = h;
	}
	fclose(f);
	return n;
}

/* The child: report the semaphore at each of two cues from the parent. */
static void child(int cue, int answer)
{
	char c;

	while (read(cue, &c, 1) == 1) {
		unsigned short v = uprobewl_sem;

		if (write(answer, &v, sizeof(v)) != sizeof(v))
			break;
	}
	_exit(0);
}

static int ask_child(int cue, int answer, unsigned short *v)
{
	if (write(cue, "?", 1) != 1 || read(answer, v, sizeof(*v)) != sizeof(*v)) {
		snprintf(why, sizeof(why), "the child does not answer");
		return -1;
	}
	return 0;
}

static int run(void)
{
	unsigned long long foff, soff;
	char exe[PATH_MAX], def[PATH_MAX + 128];
	int cue[2], answer[2], rc = -1, defined = 0, enabled = 0;
	unsigned short v;
	ssize_t n;
	long h;
	pid_t pid = -1;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0) {
		snprintf(why, sizeof(why), "readlink /proc/self/exe: %s", strerror(errno));
		return -1;
	}
	exe[n] = 0;
	if (file_offset((uintptr_t)&uprobewl_target, &foff) ||
	    file_offset((uintptr_t)&uprobewl_sem, &soff)) {
		snprintf(why, sizeof(why), "cannot map the probe or the semaphore to %.200s", exe);
		return -1;
	}
	if (pipe(cue) || pipe(answer)) {
		snprintf(why, sizeof(why), "pipe: %s", strerror(errno));
		return -1;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		snprintf(why, sizeof(why), "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		close(cue[1]);
		close(answer[0]);
		child(cue[0], answer[1]);
	}
	close(cue[0]);
	close(answer[1]);

	snprintf(def, sizeof(def), "p:%s %s:0x%llx(0x%llx)\n", EVENT, exe, foff, soff);
	if (write_file("uprobe_events", def, 1))
		goto out;
	defined = 1;
	if (uprobewl_sem != 0) {
		snprintf(why, sizeof(why), "semaphore %u before the event is enabled",
			 uprobewl_sem);
		goto out;
	}
	if (write_file("events/" EVENT "/enable", "1\n", 0))
		goto out;
	enabled = 1;
	if (uprobewl_sem != 1) {
		snprintf(why, sizeof(why), "semaphore %u with the event enabled, not 1",
			 uprobewl_sem);
		goto out;
	}
	if (ask_child(cue[1], answer[0], &v))
		goto out;
	if (v != 1) {
		snprintf(why, sizeof(why), "the child's semaphore is %u with the event enabled", v);
		goto out;
	}
	for (int i = 0; i < HITS; i++)
		uprobewl_target(i);
	h = hits();
	if (h != HITS) {
		snprintf(why, sizeof(why), "uprobe_profile counts %ld hits, not %d", h, HITS);
		goto out;
	}
	if (write_file("events/" EVENT "/enable", "0\n", 0))
		goto out;
	enabled = 0;
	if (uprobewl_sem != 0) {
		snprintf(why, sizeof(why), "semaphore %u after the event is disabled",
			 uprobewl_sem);
		goto out;
	}
	if (ask_child(cue[1], answer[0], &v))
		goto out;
	if (v != 0) {
		snprintf(why, sizeof(why), "the child's semaphore is %u after disabling", v);
		goto out;
	}
	rc = 0;
out:
	if (enabled)
		write_file("events/" EVENT "/enable", "0\n", 0);
	if (defined && write_file("uprobe_events", "-:" EVENT "\n", 1) && rc == 0)
		rc = -1;
	close(cue[1]);
	close(answer[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	return rc;
}

int main(int argc, char **argv)
{
	struct pins before;
	char probe[PATH_MAX];
	struct stat st;
	int ok;

	if (argc > 1)
		tracefs = argv[1];
	ktap_plan(1);
	snprintf(probe, sizeof(probe), "%s/uprobe_events", tracefs);
	if (stat(probe, &st) && mount("nodev", tracefs, "tracefs", 0, NULL)) {
		printf("# uprobewl: mount tracefs on %s: %s\n", tracefs, strerror(errno));
		return 1;
	}
	if (pins_read(&before)) {
		printf("# uprobewl: no FOLL_PIN counters in /proc/vmstat\n");
		return 1;
	}
	ok = !run();
	if (ok)
		ktap_phase(1, "uprobe-refctr", 1, &before,
			   "semaphore 0 -> 1 -> 0 here and in a child, %d hits", HITS);
	else
		ktap_phase(1, "uprobe-refctr", 0, &before, "%s", why);
	return !ok;
}

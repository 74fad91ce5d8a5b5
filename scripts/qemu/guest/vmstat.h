/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmstat.h — read the FOLL_PIN counters from /proc/vmstat, for the guest
 * workloads.  A workload prints, for each phase, how much
 * nr_foll_pin_acquired and nr_foll_pin_released moved:
 *
 *   phase <name> <ok|fail> acquired=<n> released=<n>
 *
 * which the host (scripts/qemu/results.py) turns into KTAP.  The newer
 * workloads print KTAP themselves instead, one result line per phase with
 * the same two numbers first in its directive (ktap_phase() below):
 *
 *   KTAP version 1
 *   1..<n>
 *   ok <i> <name> # acquired=<n> released=<n>[; <note>]
 *   not ok <i> <name> # acquired=<n> released=<n>; <why>
 */
#ifndef PINCONV_VMSTAT_H
#define PINCONV_VMSTAT_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct pins {
	long long acquired;
	long long released;
};

/* Parse one /proc/vmstat line into *p; returns 1 if it was a pin counter. */
static inline int pins_parse_line(const char *line, struct pins *p)
{
	long long v;

	if (sscanf(line, "nr_foll_pin_acquired %lld", &v) == 1) {
		p->acquired = v;
		return 1;
	}
	if (sscanf(line, "nr_foll_pin_released %lld", &v) == 1) {
		p->released = v;
		return 1;
	}
	return 0;
}

/* Read both counters; returns 0 when both were found. */
static inline int pins_read(struct pins *p)
{
	char line[256];
	int found = 0;
	FILE *f = fopen("/proc/vmstat", "r");

	p->acquired = p->released = -1;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		found += pins_parse_line(line, p);
	fclose(f);
	return found == 2 ? 0 : -1;
}

static inline void pins_report(const char *phase, int ok,
			       const struct pins *before,
			       const struct pins *after)
{
	printf("phase %s %s acquired=%lld released=%lld\n", phase,
	       ok ? "ok" : "fail", after->acquired - before->acquired,
	       after->released - before->released);
	fflush(stdout);
}

static inline void ktap_plan(int n)
{
	printf("KTAP version 1\n1..%d\n", n);
	fflush(stdout);
}

/*
 * One KTAP result line for phase number num: ok when the phase's own check
 * passed (its data, its counters); how far the pin counters moved (delta)
 * always goes first in the directive, the host judges their balance.  fmt
 * (may be NULL) says what was checked, or why it failed.
 */
static inline void ktap_vresult(int num, const char *phase, int ok,
				const struct pins *delta, const char *fmt,
				va_list ap)
{
	printf("%s %d %s # acquired=%lld released=%lld", ok ? "ok" : "not ok",
	       num, phase, delta->acquired, delta->released);
	if (fmt) {
		printf("; ");
		vprintf(fmt, ap);
	}
	printf("\n");
	fflush(stdout);
}

__attribute__((format(printf, 5, 6)))
static inline void ktap_result(int num, const char *phase, int ok,
			       const struct pins *delta, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ktap_vresult(num, phase, ok, delta, fmt, ap);
	va_end(ap);
}

/* The same, with the counters read now and compared with before. */
__attribute__((format(printf, 5, 6)))
static inline void ktap_phase(int num, const char *phase, int ok,
			      const struct pins *before, const char *fmt, ...)
{
	struct pins after, delta = { 0, 0 };
	va_list ap;

	if (pins_read(&after) == 0) {
		delta.acquired = after.acquired - before->acquired;
		delta.released = after.released - before->released;
	} else {
		ok = 0;
		fmt = "cannot read the FOLL_PIN counters of /proc/vmstat";
	}
	va_start(ap, fmt);
	ktap_vresult(num, phase, ok, &delta, fmt, ap);
	va_end(ap);
}

/* A fill pattern that differs per byte, per page and per seed. */
static inline unsigned char pattern_byte(size_t i, unsigned int seed)
{
	return (unsigned char)((i * 31) ^ (i >> 12) ^ (seed * 97 + 1));
}

static inline void pattern_fill(unsigned char *buf, size_t len, unsigned int seed)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = pattern_byte(i, seed);
}

/* Offset of the first byte that differs from the pattern, or -1. */
static inline long pattern_check(const unsigned char *buf, size_t len,
				 unsigned int seed)
{
	for (size_t i = 0; i < len; i++)
		if (buf[i] != pattern_byte(i, seed))
			return (long)i;
	return -1;
}

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmstat.h — read the FOLL_PIN counters from /proc/vmstat, for the guest
 * workloads.  A workload prints, for each phase, how much
 * nr_foll_pin_acquired and nr_foll_pin_released moved:
 *
 *   phase <name> <ok|fail> acquired=<n> released=<n>
 *
 * which the host (scripts/qemu/results.py) turns into KTAP.
 */
#ifndef PINCONV_VMSTAT_H
#define PINCONV_VMSTAT_H

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

#endif

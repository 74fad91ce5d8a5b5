// SPDX-License-Identifier: GPL-2.0
/*
 * cmocka unit tests of the helpers the KTAP-printing guest workloads share
 * (vmstat.h: ktap_result(), the fill pattern) and of uprobewl.c's mapping
 * of an address to its file offset (the uprobe and its semaphore are
 * named by file offsets), run on the host.
 *
 *   gcc -std=c11 -Wall -Wextra -Werror tests/qemu/test_workloads.c -lcmocka
 */
#define main uprobewl_main
#include "../../scripts/qemu/guest/uprobewl.c"
#undef main

#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

/* Run ktap_result() with stdout sent to a file; return what it printed. */
static char *capture_result(int ok, long long acq, long long rel, const char *note)
{
	static char out[512];
	struct pins d = { acq, rel };
	FILE *f;
	int fd, saved;
	size_t n;

	fflush(stdout);
	f = tmpfile();
	assert_non_null(f);
	saved = dup(1);
	fd = fileno(f);
	dup2(fd, 1);
	if (note)
		ktap_result(3, "some-phase", ok, &d, "%s", note);
	else
		ktap_result(3, "some-phase", ok, &d, NULL);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	rewind(f);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = 0;
	fclose(f);
	return out;
}

static void test_ktap_result_format(void **state)
{
	(void)state;
	assert_string_equal(capture_result(1, 16, 16, "data ok"),
			    "ok 3 some-phase # acquired=16 released=16; data ok\n");
	assert_string_equal(capture_result(0, 5, 0, "read: end of file"),
			    "not ok 3 some-phase # acquired=5 released=0; read: end of file\n");
	assert_string_equal(capture_result(1, 0, 0, NULL),
			    "ok 3 some-phase # acquired=0 released=0\n");
}

/* The line matches results.py's KTAP_RESULT (the same expression, POSIX). */
static void test_ktap_result_matches_the_judge(void **state)
{
	regex_t re;

	(void)state;
	assert_int_equal(regcomp(&re, "^(not ok|ok) ([0-9]+) ([^ ]+) # acquired=(-?[0-9]+) "
				 "released=(-?[0-9]+)(; (.*))?$", REG_EXTENDED), 0);
	assert_int_equal(regexec(&re, strtok(capture_result(1, 3, 3, "x; y"), "\n"),
				 0, NULL, 0), 0);
	assert_int_equal(regexec(&re, strtok(capture_result(0, -1, 2, NULL), "\n"),
				 0, NULL, 0), 0);
	regfree(&re);
}

static void test_pattern_differs_per_seed_and_page(void **state)
{
	static unsigned char a[3 * 4096], b[3 * 4096];

	(void)state;
	pattern_fill(a, sizeof(a), 1);
	pattern_fill(b, sizeof(b), 2);
	assert_int_equal(pattern_check(a, sizeof(a), 1), -1);
	assert_int_equal(pattern_check(b, sizeof(b), 2), -1);
	assert_int_not_equal(pattern_check(a, sizeof(a), 2), -1);
	/* a page copied to another place in the buffer is noticed */
	memcpy(a + 4096, a, 4096);
	assert_int_equal(pattern_check(a, sizeof(a), 1), 4096);
	/* and so is one flipped bit */
	pattern_fill(a, sizeof(a), 1);
	a[2 * 4096 + 5] ^= 4;
	assert_int_equal(pattern_check(a, sizeof(a), 1), 2 * 4096 + 5);
}

/* The bytes at the file offset of uprobewl_target are the function's code. */
static void test_file_offset_names_the_function_in_the_file(void **state)
{
	unsigned long long off;
	unsigned char code[32];
	int fd;

	(void)state;
	assert_int_equal(file_offset((uintptr_t)&uprobewl_target, &off), 0);
	fd = open("/proc/self/exe", O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, code, sizeof(code), (off_t)off), (ssize_t)sizeof(code));
	close(fd);
	assert_memory_equal(code, (const void *)&uprobewl_target, sizeof(code));
}

/* The semaphore is in the file too (.probes, not .bss): its byte there is 0. */
static void test_file_offset_of_the_semaphore(void **state)
{
	unsigned long long off;
	unsigned short v = 1;
	int fd;

	(void)state;
	assert_int_equal(file_offset((uintptr_t)&uprobewl_sem, &off), 0);
	fd = open("/proc/self/exe", O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &v, sizeof(v), (off_t)off), (ssize_t)sizeof(v));
	close(fd);
	assert_int_equal(v, 0);
	/* and an anonymous address has no file offset */
	assert_int_equal(file_offset((uintptr_t)&off, &off), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ktap_result_format),
		cmocka_unit_test(test_ktap_result_matches_the_judge),
		cmocka_unit_test(test_pattern_differs_per_seed_and_page),
		cmocka_unit_test(test_file_offset_names_the_function_in_the_file),
		cmocka_unit_test(test_file_offset_of_the_semaphore),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * cmocka unit tests of the qemu-test guest programs, run on
 * the host: the /proc/vmstat pin counter parser (vmstat.h) and the FUSE
 * server's request handling (fusewl.c, included with its main renamed),
 * each request answered into a pipe and the reply decoded.
 *
 *   gcc -std=c11 -Wall -Wextra -Werror tests/qemu/test_guest.c -lcmocka
 */
#define main fusewl_main
#include "../../scripts/qemu/guest/fusewl.c"
#undef main

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

static int pfd[2];

static int setup(void **state)
{
	(void)state;
	file_data = calloc(1, MAX_FILE);
	file_size = 0;
	return pipe(pfd) || !file_data;
}

static int teardown(void **state)
{
	(void)state;
	free(file_data);
	close(pfd[0]);
	close(pfd[1]);
	return 0;
}

/*
 * Send one request through handle(); return the reply's error, or its body
 * length, and copy the body into out (up to len bytes).
 */
static int request(uint32_t opcode, uint64_t nodeid, const void *in,
		   void *out, size_t len)
{
	static unsigned char buf[BUF_SIZE];
	struct fuse_in_header ih = { .opcode = opcode, .unique = 42,
				     .nodeid = nodeid };
	struct fuse_out_header *oh = (struct fuse_out_header *)buf;
	ssize_t n;

	assert_int_equal(handle(pfd[1], &ih, in), 0);
	n = read(pfd[0], buf, sizeof(buf));
	assert_true(n >= (ssize_t)sizeof(*oh));
	assert_int_equal(oh->len, n);
	assert_int_equal(oh->unique, 42);
	if (out)
		memcpy(out, buf + sizeof(*oh),
		       (size_t)n - sizeof(*oh) < len ? (size_t)n - sizeof(*oh) : len);
	return oh->error ? oh->error : (int)((size_t)n - sizeof(*oh));
}

static void test_pins_parse_line(void **state)
{
	struct pins p = { -1, -1 };

	(void)state;
	assert_int_equal(pins_parse_line("nr_foll_pin_acquired 66304\n", &p), 1);
	assert_int_equal(pins_parse_line("nr_foll_pin_released 58112\n", &p), 1);
	assert_int_equal(pins_parse_line("nr_dirtied 7\n", &p), 0);
	assert_int_equal(pins_parse_line("nr_foll_pin_acquiredx 1\n", &p), 0);
	assert_int_equal(p.acquired, 66304);
	assert_int_equal(p.released, 58112);
}

static void test_init_answers_the_header_version(void **state)
{
	struct fuse_init_in ii = { .major = 7, .minor = 99, .max_readahead = 4096 };
	struct fuse_init_out io;

	(void)state;
	assert_int_equal(request(FUSE_INIT, 0, &ii, &io, sizeof(io)), sizeof(io));
	assert_int_equal(io.major, FUSE_KERNEL_VERSION);
	assert_int_equal(io.minor, FUSE_KERNEL_MINOR_VERSION);
	assert_int_equal(io.max_write, MAX_WRITE);
	assert_int_equal(io.max_readahead, 4096);
}

static void test_lookup_knows_one_file(void **state)
{
	struct fuse_entry_out eo;

	(void)state;
	assert_int_equal(request(FUSE_LOOKUP, FUSE_ROOT_ID, "data", &eo, sizeof(eo)),
			 sizeof(eo));
	assert_int_equal(eo.nodeid, FILE_INO);
	assert_true(S_ISREG(eo.attr.mode));
	assert_int_equal(request(FUSE_LOOKUP, FUSE_ROOT_ID, "nope", NULL, 0), -ENOENT);
}

static void test_open_direct_gets_fopen_direct_io(void **state)
{
	struct fuse_open_in oi = { .flags = O_RDWR | O_DIRECT };
	struct fuse_open_out oo;

	(void)state;
	request(FUSE_OPEN, FILE_INO, &oi, &oo, sizeof(oo));
	assert_int_equal(oo.open_flags & FOPEN_DIRECT_IO, FOPEN_DIRECT_IO);
	oi.flags = O_RDWR;
	request(FUSE_OPEN, FILE_INO, &oi, &oo, sizeof(oo));
	assert_int_equal(oo.open_flags & FOPEN_DIRECT_IO, 0);
}

static void test_write_then_read_back(void **state)
{
	struct {
		struct fuse_write_in wi;
		char data[10];
	} w = { .wi = { .offset = 5, .size = 10 }, .data = "0123456789" };
	struct fuse_read_in ri = { .offset = 5, .size = 100 };
	struct fuse_write_out wo;
	struct fuse_attr_out ao;
	char back[100];

	(void)state;
	assert_int_equal(request(FUSE_WRITE, FILE_INO, &w, &wo, sizeof(wo)), sizeof(wo));
	assert_int_equal(wo.size, 10);
	request(FUSE_GETATTR, FILE_INO, NULL, &ao, sizeof(ao));
	assert_int_equal(ao.attr.size, 15);
	/* A read past the end is short, not an error. */
	assert_int_equal(request(FUSE_READ, FILE_INO, &ri, back, sizeof(back)), 10);
	assert_memory_equal(back, "0123456789", 10);
	ri.offset = 100;
	assert_int_equal(request(FUSE_READ, FILE_INO, &ri, back, sizeof(back)), 0);
}

static void test_unknown_opcode_is_enosys(void **state)
{
	(void)state;
	assert_int_equal(request(FUSE_MKDIR, FUSE_ROOT_ID, "d", NULL, 0), -ENOSYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pins_parse_line),
		cmocka_unit_test_setup_teardown(test_init_answers_the_header_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lookup_knows_one_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_direct_gets_fopen_direct_io, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_then_read_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_opcode_is_enosys, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

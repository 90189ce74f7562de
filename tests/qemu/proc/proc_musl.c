/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * musl on Ward, in a process the root task started: start-up (argv, TLS,
 * errno, locale), stdio through the emulated write/writev, the allocator
 * through the emulated brk/mmap/munmap (small, large and reused memory),
 * conversions, sorting and the TSC clock. Prints TAP through printf.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <ward/rt.h>
#include "ptap.h"

#define PLAN 20

static bool filled_with(const unsigned char *p, size_t n, unsigned char v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

static void test_startup(int argc, char **argv)
{
	const struct ward_startinfo *si = ward_startinfo;

	ptap_ok(si != NULL && argc >= 2 && strcmp(argv[0], si->name) == 0 &&
	                strcmp(argv[1], "alpha=1") == 0,
	        "argv from the start information: %s %s", argc > 0 ? argv[0] : "?",
	        argc > 1 ? argv[1] : "?");
	ptap_ok(si != NULL && getpid() == (pid_t)si->pid,
	        "getpid() is the pid the root task gave (%d)", (int)getpid());
	ptap_ok(isatty(1) && isatty(2), "stdout and stderr are a terminal (TIOCGWINSZ emulated)");
	errno = 0;
	ptap_ok(strcmp(strerror(ENOSYS), "Function not implemented") == 0 && errno == 0,
	        "strerror works (locale set up by __libc_start_main)");
}

static void test_formatting(void)
{
	char buf[64];
	int n = snprintf(buf, sizeof(buf), "%d|%x|%s|%llu|%5.2f|%-4s|", -42, 0xbeefu, "ward",
	                 18446744073709551615ULL, 3.14159, "ab");

	ptap_ok(n == 46 && strcmp(buf, "-42|beef|ward|18446744073709551615| 3.14|ab  |") == 0,
	        "snprintf formats integers, strings and floats: \"%s\"", buf);
	volatile size_t small = 8; /* unknown to the compiler, which would warn of truncation */
	ptap_ok(snprintf(buf, small, "%s", "truncated output") == 16 && strcmp(buf, "truncat") == 0,
	        "snprintf truncates and returns the full length");
	n = printf("printf through the emulated writev: %d%%\n", 100);
	ptap_ok(n == 41, "printf returns the bytes written (%d)", n);
}

static void test_conversion(void)
{
	char *end;
	unsigned long v = strtoul("  0x1fz", &end, 0);

	ptap_ok(v == 31 && *end == 'z', "strtoul(\"  0x1fz\", base 0) = %lu, stops at 'z'", v);
	ptap_ok(strtoul("12345", NULL, 10) == 12345 && strtoul("777", NULL, 8) == 511,
	        "strtoul decimal and octal");
	errno = 0;
	v = strtoul("99999999999999999999999", NULL, 10);
	ptap_ok(v == ULONG_MAX && errno == ERANGE, "strtoul overflow: ULONG_MAX and errno ERANGE");
}

static void test_small_allocations(void)
{
	enum { COUNT = 500 };
	static unsigned char *blocks[COUNT];
	bool ok = true;

	for (unsigned i = 0; i < COUNT; i++) {
		size_t n = 1 + (i * 37) % 700;
		blocks[i] = malloc(n);
		if (blocks[i] == NULL) {
			ok = false;
			break;
		}
		memset(blocks[i], i & 0xff, n);
	}
	for (unsigned i = 0; ok && i < COUNT; i++)
		ok = filled_with(blocks[i], 1 + (i * 37) % 700, i & 0xff);
	for (unsigned i = 0; i < COUNT; i++)
		free(blocks[i]);
	ptap_ok(ok, "500 small blocks: allocated, filled, intact, freed");
}

static void test_large_allocations(void)
{
	size_t big = 1 << 20;
	unsigned char *p = malloc(big), *q;
	bool ok = p != NULL;

	if (ok) {
		memset(p, 0x5a, big);
		ok = filled_with(p, big, 0x5a);
		free(p);
	}
	ptap_ok(ok, "1 MiB block (mmap path): allocated, filled, freed");
	p = calloc(1, big);
	ptap_ok(p != NULL && filled_with(p, big, 0), "calloc of 1 MiB after that free: all zero");
	free(p);
	p = malloc(1000);
	if (p != NULL)
		memset(p, 7, 1000);
	q = p != NULL ? realloc(p, 300 * 1024) : NULL;
	ptap_ok(q != NULL && filled_with(q, 1000, 7),
	        "realloc from 1000 bytes to 300 KiB keeps the contents (mremap is ENOSYS)");
	free(q);
}

static void test_mmap(void)
{
	size_t len = 3 * 4096;
	unsigned char *p =
	        mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	bool ok = p != MAP_FAILED && filled_with(p, len, 0);

	if (ok) {
		memset(p, 0xee, len);
		ok = munmap(p, len) == 0;
	}
	unsigned char *again =
	        mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ptap_ok(ok && again == p && filled_with(again, len, 0),
	        "mmap, write, munmap, mmap again: the same pages, zeroed");
	munmap(again, len);
}

static int compare(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

static void test_qsort(void)
{
	static int v[1000];
	bool sorted = true;

	for (unsigned i = 0; i < 1000; i++)
		v[i] = (int)((i * 7919u) % 1000u) - 500;
	qsort(v, 1000, sizeof(v[0]), compare);
	for (unsigned i = 1; i < 1000; i++)
		sorted = sorted && v[i - 1] <= v[i];
	ptap_ok(sorted && v[0] == -500 && v[999] == 499, "qsort of 1000 ints");
	ptap_ok(memcmp("abc", "abd", 3) < 0 && strlen("ward") == 4 &&
	                memmove(v, v + 1, 8) == (void *)v && v[0] == -499,
	        "memcmp, strlen, memmove");
}

static void test_clock(void)
{
	struct timespec a, b;
	volatile unsigned long spin = 0;

	int r = clock_gettime(CLOCK_MONOTONIC, &a);
	ptap_ok(r == 0 && a.tv_nsec >= 0 && a.tv_nsec < 1000000000,
	        "clock_gettime(CLOCK_MONOTONIC): %lld.%09ld s since boot", (long long)a.tv_sec,
	        a.tv_nsec);
	for (unsigned long i = 0; i < 2000000; i++)
		spin += i;
	clock_gettime(CLOCK_MONOTONIC, &b);
	ptap_ok(b.tv_sec > a.tv_sec || (b.tv_sec == a.tv_sec && b.tv_nsec > a.tv_nsec),
	        "the monotonic clock advances");
	ptap_ok(time(NULL) >= 0 && clock_gettime(CLOCK_REALTIME, &b) == 0,
	        "time() and CLOCK_REALTIME answer (counted from boot)");
}

int main(int argc, char **argv)
{
	ptap_plan(PLAN);
	test_startup(argc, argv);
	test_formatting();
	test_conversion();
	test_small_allocations();
	test_large_allocations();
	test_mmap();
	test_qsort();
	test_clock();
	fprintf(stderr, "stderr is unbuffered and reaches the console too\n");
	return ptap_exit_status();
}

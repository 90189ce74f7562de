/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What every benchmark needs: a serialised time stamp (under -icount the
 * TSC counts guest instructions, so differences are instruction counts) and
 * a set-up check that ends the run with the error named.
 */
#ifndef WARD_BENCH_H
#define WARD_BENCH_H

#include <stdint.h>
#include <ward/invoke.h>
#include <ward/rt.h>

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* Stops the benchmark (status 1) if a set-up step failed. */
static inline void check(enum ward_error err, const char *what)
{
	if (err != WARD_OK) {
		ward_printf("bench: %s failed: error %#x (arg %llu)\n", what, err,
		            (unsigned long long)ward_last_error().arg);
		ward_exit(1);
	}
}

#endif

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Host benchmark of the ownership ledger (core/ledger.c) against the mock
 * backend: ledgers of 8 to 4,096 devices (each its own group), one device
 * moved back and forth between two domains. Context entries, their
 * invalidations and the waits are the mock unit's; the PCI steps cost
 * nothing here. Prints nanoseconds per move (wall clock: a benchmark,
 * not a test) and the step calls per move, which must not grow with the
 * number of devices. tools/bench ledger runs it.
 */
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "ledger.h"
#include "mock_backend.h"

#define MOVES 20000u
#define MAX   4096u

static struct mock_fail fail;
static struct mock_mem mem;
static struct mock_unit unit;
static struct iommu_unit *u;
static struct ledger_device devs[MAX];
static struct ledger_group grps[MAX];
static unsigned long calls;

static int bus_master(void *c, uint32_t s, bool on, bool *was)
{
	(void)c, (void)s, (void)on;
	*was = false;
	calls++;
	return 0;
}
static int group_op(void *c, uint16_t g)
{
	(void)c, (void)g;
	calls++;
	return 0;
}
static int sbdf_op(void *c, uint32_t s)
{
	(void)c, (void)s;
	calls++;
	return 0;
}
static int irq(void *c, uint16_t d)
{
	(void)c, (void)d;
	calls++;
	return 0;
}
static int point(void *c, uint16_t d, uint16_t sid, uint16_t dom)
{
	(void)c, (void)d;
	calls++;
	if (dom == LEDGER_QUARANTINE)
		return (int)mock_unit_ops.block(u, sid);
	return (int)mock_unit_ops.attach(u, sid, (uint16_t)(dom + 1), 0x1000u * (dom + 1u), 3);
}
static int flush(void *c, uint16_t from, uint16_t to)
{
	(void)c, (void)to;
	calls++;
	if (from != LEDGER_QUARANTINE)
		mock_unit_ops.inv_iotlb_domain(u, (uint16_t)(from + 1));
	return (int)mock_unit_ops.wait(u);
}
static int reset(void *c, uint16_t d, uint32_t s)
{
	(void)c, (void)d, (void)s;
	calls++;
	return LEDGER_SKIPPED;
}
static int grant(void *c, uint16_t g, uint16_t d)
{
	(void)c, (void)g, (void)d;
	calls++;
	return 0;
}

static const struct ledger_ops ops = {bus_master, group_op, sbdf_op, irq,  point,
                                      flush,      reset,    grant,   NULL, NULL};

int main(void)
{
	printf("bench ledger: %-10s %12s %14s\n", "devices", "ns per move", "steps per move");
	for (unsigned n = 8; n <= MAX; n *= 8) {
		struct ledger l;
		struct timespec t0, t1;
		uint16_t d = 0;

		mock_mem_init(&mem, &fail);
		mock_unit_init(&unit, &mem, &fail);
		u = mock_unit_handle(&unit);
		ledger_init(&l, devs, n, grps, n, &ops);
		for (unsigned i = 0; i < n; i++)
			if (ledger_add(&l, 0x10000 + i, 0x10000 + i, LEDGER_NONE, NULL, 0, &d) !=
			    LEDGER_OK)
				return 1;
		d = ledger_find(&l, 0x10000 + n / 2);
		calls = 0;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (unsigned i = 0; i < MOVES; i++)
			if (ledger_move(&l, d, (uint16_t)(i % 2), 0, NULL) != LEDGER_OK)
				return 1;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		printf("bench ledger: %-10u %12.1f %14.2f\n", n,
		       ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / MOVES,
		       (double)calls / MOVES);
		mock_mem_fini(&mem);
	}
	return 0;
}

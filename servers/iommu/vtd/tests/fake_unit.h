/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A model of one VT-d unit's registers for the host tests, linked in
 * place of mmio.c. It behaves as QEMU 7.2's intel-iommu does where Ward
 * depends on it (hw/i386/intel_iommu.c): GSTS follows GCMD at once, a
 * tail write processes the queue up to the tail and stops at a refused
 * descriptor with FSTS.IQE (the head left on it), a wait with Status
 * Write stores its data, SIRTP latches IRTA (IRTPS set), IRE and CFI
 * show in IRES and CFIS (QEMU ignores CFI; the model follows §10.4.4),
 * FSTS's error bits and the fault records' F bits are write-1-to-clear,
 * and PPF follows the F bits. Switches make it misbehave (a GSTS that
 * never answers, a queue that never moves) so the tests can prove every
 * wait is bounded. Memory the unit reads is the fake environment's page
 * pool.
 */
#ifndef VTD_FAKE_UNIT_H
#define VTD_FAKE_UNIT_H

#include "vtd.h"

#define FAKE_NFR_MAX  8
#define FAKE_LOG_MAX  1024
#define FAKE_GCMD_MAX 64
#define FAKE_PAGES    256
#define FAKE_PA_BASE  0x10000000ULL
#define FAKE_FRO      0x400 /* fault recording registers: CAP.FRO = 0x40 */
#define FAKE_IRO      0x300 /* IOTLB registers: ECAP.IRO = 0x30 */
#define FAKE_WINDOW   0x1000

struct fake_unit {
	uint32_t ver;
	uint64_t cap, ecap;
	uint32_t gsts, fsts, fectl, fedata, feaddr, feuaddr, pmen;
	uint64_t rtaddr, iqh, iqt, iqa;
	uint64_t irta;         /* as written */
	uint64_t irta_latched; /* as the last SIRTP latched it (0: never) */
	uint64_t frcd[FAKE_NFR_MAX][2];
	/* misbehaviour */
	bool gsts_stuck;  /* GSTS ignores GCMD */
	bool queue_stuck; /* tail writes are not processed */
	/* what software did */
	unsigned writes;
	uint32_t gcmd[FAKE_GCMD_MAX];
	unsigned gcmd_count;
	struct vtd_desc log[FAKE_LOG_MAX]; /* descriptors completed, in order */
	unsigned log_count;
	unsigned iqt_writes;
	bool wait_sw_and_if; /* a wait with both SW and IF: QEMU 7.2 asserts */
};

extern struct fake_unit fake;

/* Resets the model to a unit with `cap`/`ecap` (FRO/IRO forced to the fake layout). */
void fake_reset(uint64_t cap, uint64_t ecap);

/* Runs the queue as a tail write would (after unsticking it). */
void fake_process_queue(void);

/* Records a fault in register `index` and raises PPF (FRI = index if none was pending). */
void fake_record_fault(unsigned index, uint16_t sid, uint8_t reason, bool read, uint64_t addr);

/* The environment: a pool of pages, a clock that advances 1 µs per reading. */
extern const struct vtd_env fake_env;
extern uint64_t fake_clock_reads;
void *fake_va(uint64_t pa);
/* A window descriptor for vtd_unit_probe(). */
struct ward_device_window fake_window(void);

/* How many completed descriptors of `type` (VTD_DESC_*) the log holds. */
unsigned fake_count(uint64_t type);

#endif

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The unit's life against the register model (fake_unit.c): refusal
 * without a single register write, bring-up with every device in
 * quarantine before translation, take-over from firmware that left
 * translation and queued invalidation on, attach with its invalidations,
 * the invalidation queue's error, time-out and wedge paths (each bounded:
 * the model's clock counts), fault draining with wrap and overflow, and
 * the table walk `dump` relies on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "fake_unit.h"

#define QEMU_CAP_39 0x00d2008c22260206ULL
#define QEMU_CAP_48 0x00d2008c222f0606ULL
#define QEMU_ECAP   0xf02ULL
#define SID_EDU     VTD_SID(0, VTD_DEVFN(3, 0))
#define SID_NVME    VTD_SID(1, VTD_DEVFN(0, 0))
/* the model's clock advances 1 µs a reading: a bounded wait reads it about this often */
#define QI_READS    (VTD_TIMEOUT_QI_NS / 1000)

static struct vtd_unit unit;

static void probe(uint64_t cap, uint64_t ecap)
{
	struct ward_device_window w = fake_window();

	fake_reset(cap, ecap);
	assert_int_equal(vtd_unit_probe(&unit, &w, &fake_env), VTD_OK);
}

/* A unit up and translating with `sids` in quarantine. */
static void bring_up(uint64_t cap)
{
	probe(cap, QEMU_ECAP);
	assert_int_equal(vtd_unit_prepare(&unit), VTD_OK);
	assert_int_equal(vtd_block(&unit, SID_EDU), VTD_OK);
	assert_int_equal(vtd_block(&unit, SID_NVME), VTD_OK);
	assert_int_equal(vtd_unit_enable(&unit), VTD_OK);
}

static void test_refused_untouched(void **state)
{
	struct ward_device_window w = fake_window();

	(void)state;
	fake_reset(QEMU_CAP_39, QEMU_ECAP & ~VTD_ECAP_QI);
	assert_int_equal(vtd_unit_probe(&unit, &w, &fake_env), VTD_E_NO_QI);
	assert_int_equal(unit.state, VTD_UNIT_REFUSED);
	assert_int_equal(vtd_unit_prepare(&unit), VTD_E_STATE);
	assert_int_equal(vtd_block(&unit, SID_EDU), VTD_E_STATE);
	assert_int_equal(fake.writes, 0);
	w.size = 0x800;
	fake_reset(QEMU_CAP_39, QEMU_ECAP);
	assert_int_equal(vtd_unit_probe(&unit, &w, &fake_env), VTD_E_WINDOW);
	assert_int_equal(fake.writes, 0);
}

static void test_bring_up(void **state)
{
	struct vtd_walk walk;

	(void)state;
	probe(QEMU_CAP_39, QEMU_ECAP);
	assert_int_equal(vtd_unit_prepare(&unit), VTD_OK);
	assert_int_equal(fake.rtaddr, unit.root.pa);
	assert_int_equal(fake.gsts & (VTD_GSTS_QIES | VTD_GSTS_RTPS | VTD_GSTS_TES),
	                 VTD_GSTS_QIES | VTD_GSTS_RTPS);
	/* global context cache and IOTLB invalidation, then the wait */
	assert_int_equal(fake.log_count, 3);
	assert_int_equal(fake.log[0].lo, 0x11ULL);
	assert_int_equal(fake.log[1].lo, 0xd2ULL);
	assert_int_equal(fake.log[2].lo & VTD_DESC_TYPE_MASK, VTD_DESC_WAIT);
	assert_int_equal(vtd_block(&unit, SID_EDU), VTD_OK);
	assert_int_equal(fake.log_count, 3); /* not translating yet: nothing to invalidate */
	assert_int_equal(vtd_unit_enable(&unit), VTD_OK);
	assert_true(fake.gsts & VTD_GSTS_TES);
	assert_int_equal(unit.state, VTD_UNIT_ENABLED);
	/* one command per GCMD write: never a one-shot bit written back from GSTS */
	for (unsigned i = 0; i < fake.gcmd_count; i++)
		assert_true(__builtin_popcount(fake.gcmd[i] & ~VTD_GSTS_PERSISTENT) <= 1);
	assert_false(fake.wait_sw_and_if);
	/* quarantine: translation blocked with a permission fault, domain 1 */
	assert_int_equal(vtd_translate(&unit, SID_EDU, 0x1000, &walk), VTD_OK);
	assert_int_equal(walk.fault, VTD_FR_READ);
	assert_int_equal(walk.did, 0xffff);
	assert_int_equal(walk.levels, 3);
	/* unknown requesters: no root entry, or no context entry */
	assert_int_equal(vtd_translate(&unit, VTD_SID(7, 0), 0x1000, &walk), VTD_OK);
	assert_int_equal(walk.fault, VTD_FR_ROOT_P);
	assert_int_equal(vtd_translate(&unit, VTD_SID(0, VTD_DEVFN(4, 0)), 0x1000, &walk), VTD_OK);
	assert_int_equal(walk.fault, VTD_FR_CTX_P);
}

static void test_gsts_never_answers(void **state)
{
	(void)state;
	probe(QEMU_CAP_39, QEMU_ECAP);
	fake.gsts_stuck = true;
	assert_int_equal(vtd_unit_prepare(&unit), VTD_E_TIMEOUT);
	assert_int_equal(unit.state, VTD_UNIT_FAILED);
	assert_true(fake_clock_reads < 2 * VTD_TIMEOUT_STATUS_NS / 1000);
	assert_int_equal(vtd_unit_enable(&unit), VTD_E_STATE);
	assert_int_equal(vtd_qi_submit(&unit, NULL, 0), VTD_E_STATE);
}

static void test_takeover(void **state)
{
	(void)state;
	probe(QEMU_CAP_39, QEMU_ECAP);
	/* firmware: translating, QI on with its queue empty */
	fake.gsts = VTD_GSTS_TES | VTD_GSTS_QIES | VTD_GSTS_RTPS;
	fake.iqh = fake.iqt = VTD_IQ_REG(17);
	assert_int_equal(vtd_unit_prepare(&unit), VTD_OK);
	assert_true(unit.took_over);
	for (unsigned i = 0; i < fake.gcmd_count; i++)
		assert_true(fake.gcmd[i] & VTD_GCMD_TE); /* translation never off */
	assert_false(fake.gcmd[0] & VTD_GCMD_QIE);       /* firmware's queue stopped first */
	assert_int_equal(fake.iqa & VTD_PAGE_MASK, unit.iq.pa);
	assert_int_equal(fake.rtaddr, unit.root.pa);
	/* a not-present entry made present needs no invalidation without CM (§6.1) */
	assert_int_equal(vtd_block(&unit, SID_EDU), VTD_OK);
	assert_int_equal(fake_count(VTD_DESC_WAIT), 1);
	/* changing a present entry while translating is invalidated at once */
	assert_int_equal(vtd_attach(&unit, SID_EDU, 9, unit.quarantine.pa, 3), VTD_OK);
	assert_int_equal(fake_count(VTD_DESC_WAIT), 2);
	assert_int_equal(fake_count(VTD_DESC_CC), 2);
	assert_int_equal(vtd_unit_enable(&unit), VTD_OK);
	assert_true(fake.gsts & VTD_GSTS_TES);
}

#define QEMU_ECAP_IR (QEMU_ECAP | VTD_ECAP_IR)

/* The position of the first GCMD write with `bit` set, or -1. */
static int gcmd_first(uint32_t bit)
{
	for (unsigned i = 0; i < fake.gcmd_count; i++)
		if (fake.gcmd[i] & bit)
			return (int)i;
	return -1;
}

/*
 * ECAP.IR: the table is latched (256 entries, xAPIC mode) before the
 * global invalidation that includes the interrupt entry cache, and IRE
 * goes on only after TE; CFI is never set.
 */
static void test_interrupt_remapping_bring_up(void **state)
{
	(void)state;
	probe(QEMU_CAP_39, QEMU_ECAP_IR);
	assert_int_equal(vtd_unit_prepare(&unit), VTD_OK);
	assert_int_not_equal(unit.irt.pa, 0);
	assert_int_equal(unit.irt_entries, 256);
	assert_int_equal(fake.irta_latched, unit.irt.pa | 7); /* S = 7, EIME clear */
	assert_int_equal(fake.gsts & (VTD_GSTS_IRTPS | VTD_GSTS_IRES), VTD_GSTS_IRTPS);
	assert_int_equal(fake_count(VTD_DESC_IEC), 1);
	assert_int_equal(fake.log[2].lo, 0x4ULL); /* global IEC after context cache and IOTLB */
	assert_int_equal(vtd_block(&unit, SID_EDU), VTD_OK);
	assert_int_equal(vtd_unit_enable(&unit), VTD_OK);
	assert_int_equal(fake.gsts & (VTD_GSTS_TES | VTD_GSTS_IRES | VTD_GSTS_CFIS),
	                 VTD_GSTS_TES | VTD_GSTS_IRES);
	assert_true(gcmd_first(VTD_GCMD_SIRTP) < gcmd_first(VTD_GCMD_TE));
	assert_true(gcmd_first(VTD_GCMD_TE) < gcmd_first(VTD_GCMD_IRE));
	assert_int_equal(gcmd_first(VTD_GCMD_CFI), -1);
	assert_true(unit.remapping);
	/* no IR: no table, IRTA never written, IRE never set */
	probe(QEMU_CAP_39, QEMU_ECAP);
	assert_int_equal(vtd_unit_prepare(&unit), VTD_OK);
	assert_int_equal(vtd_unit_enable(&unit), VTD_OK);
	assert_int_equal(unit.irt_entries, 0);
	assert_int_equal(fake.irta, 0);
	assert_int_equal(gcmd_first(VTD_GCMD_IRE | VTD_GCMD_SIRTP), -1);
	assert_int_equal(fake_count(VTD_DESC_IEC), 0);
}

/* Firmware left remapping on with compatibility format allowed: IRE stays on, CFI goes off. */
static void test_interrupt_remapping_takeover(void **state)
{
	(void)state;
	probe(QEMU_CAP_39, QEMU_ECAP_IR);
	fake.gsts = VTD_GSTS_IRES | VTD_GSTS_CFIS | VTD_GSTS_IRTPS;
	fake.irta = fake.irta_latched = 0x7000000fULL;
	assert_int_equal(vtd_unit_prepare(&unit), VTD_OK);
	for (unsigned i = 0; i < fake.gcmd_count; i++)
		assert_true(fake.gcmd[i] & VTD_GCMD_IRE); /* remapping never off */
	assert_int_equal(fake.irta_latched, unit.irt.pa | 7);
	assert_int_equal(fake.gsts & VTD_GSTS_CFIS, 0);
	assert_true(gcmd_first(VTD_GCMD_SIRTP) >= 0);
	assert_int_equal(fake_count(VTD_DESC_IEC), 1); /* firmware's cached entries dropped */
	assert_true(unit.remapping);
	assert_int_equal(vtd_unit_enable(&unit), VTD_OK);
	assert_true(fake.gsts & VTD_GSTS_IRES);
}

/* Entries: written P last, cleared P first, each with its index-selective invalidation. */
static void test_irte_set_clear(void **state)
{
	const struct vtd_irte *table;
	struct vtd_irte e = vtd_irte_remapped(0x41, 2, vtd_irte_sid_exact(SID_EDU)), got;
	struct vtd_desc d;
	unsigned writes;

	(void)state;
	bring_up(QEMU_CAP_39);
	assert_int_equal(vtd_irte_set(&unit, 0, e, &d), VTD_E_STATE); /* no IR */
	probe(QEMU_CAP_39, QEMU_ECAP_IR);
	assert_int_equal(vtd_unit_prepare(&unit), VTD_OK);
	table = unit.irt.va;
	assert_int_equal(vtd_irte_set(&unit, 7, e, &d), VTD_OK);
	assert_int_equal(table[7].lo, 0x0000020000410001ULL);
	assert_int_equal(table[7].hi, 0x0000000000040018ULL);
	assert_int_equal(d.lo, 0x0000000700000014ULL);
	assert_int_equal(vtd_irte_read(&unit, 7, &got), VTD_OK);
	assert_int_equal(got.lo, e.lo);
	/* refused, nothing written: past the table, vector < 16, reserved bit, posted, not P */
	writes = fake.writes;
	assert_int_equal(vtd_irte_set(&unit, 256, e, &d), VTD_E_ARG);
	got = vtd_irte_remapped(0x0f, 2, vtd_irte_sid_exact(SID_EDU));
	assert_int_equal(vtd_irte_set(&unit, 8, got, &d), VTD_E_ARG);
	got = e;
	got.lo |= 1ULL << 32; /* DST bit 0: reserved in xAPIC mode */
	assert_int_equal(vtd_irte_set(&unit, 8, got, &d), VTD_E_ARG);
	got = e;
	got.lo |= VTD_IRTE_IM;
	assert_int_equal(vtd_irte_set(&unit, 8, got, &d), VTD_E_ARG);
	got = e;
	got.lo &= ~VTD_IRTE_P;
	assert_int_equal(vtd_irte_set(&unit, 8, got, &d), VTD_E_ARG);
	got = e;
	got.hi |= 1ULL << (84 - 64); /* bit 84: reserved */
	assert_int_equal(vtd_irte_set(&unit, 8, got, &d), VTD_E_ARG);
	assert_int_equal(table[8].lo, 0);
	assert_int_equal(fake.writes, writes);
	/* cleared */
	assert_int_equal(vtd_irte_clear(&unit, 7, &d), VTD_OK);
	assert_int_equal(table[7].lo, 0);
	assert_int_equal(table[7].hi, 0);
	assert_int_equal(d.lo, 0x0000000700000014ULL);
	assert_int_equal(vtd_irte_clear(&unit, 300, &d), VTD_E_ARG);
}

static void test_firmware_queue_error(void **state)
{
	(void)state;
	probe(QEMU_CAP_39, QEMU_ECAP);
	fake.fsts = VTD_FSTS_IQE; /* left by firmware, QI off */
	assert_int_equal(vtd_unit_prepare(&unit), VTD_OK);
	assert_int_equal(unit.qi_stats.errors, 0);
	assert_int_equal(fake.fsts & VTD_FSTS_IQE, 0);
}

static void test_takeover_refused(void **state)
{
	(void)state;
	probe(QEMU_CAP_39, QEMU_ECAP);
	fake.gsts = VTD_GSTS_QIES;
	fake.iqh = VTD_IQ_REG(3);
	fake.iqt = VTD_IQ_REG(9); /* firmware's queue never drains */
	fake.queue_stuck = true;
	assert_int_equal(vtd_unit_prepare(&unit), VTD_E_TAKEOVER);
	assert_int_equal(unit.state, VTD_UNIT_FAILED);
	assert_true(fake.gsts & VTD_GSTS_QIES);
}

static void test_attach_invalidates(void **state)
{
	struct vtd_context_entry ce;
	unsigned before;

	(void)state;
	bring_up(QEMU_CAP_39);
	before = fake.log_count;
	assert_int_equal(vtd_attach(&unit, SID_EDU, 5, 0x20000000ULL, 3), VTD_OK);
	assert_int_equal(fake.log_count - before, 3);
	/* the quarantine domain (ID 0xffff of 65536) forgotten for this device */
	assert_int_equal(fake.log[before].lo, 0x0018ffff0031ULL);
	assert_int_equal(fake.log[before + 1].lo, 0xffff00e2ULL);
	assert_int_equal(vtd_context_read(&unit, SID_EDU, &ce), VTD_OK);
	assert_int_equal(ce.lo, 0x20000001ULL);
	assert_int_equal(ce.hi, 0x501ULL);
	/* bad arguments change nothing */
	assert_int_equal(vtd_attach(&unit, SID_EDU, 0, 0x20000000ULL, 3), VTD_E_ARG);
	assert_int_equal(vtd_attach(&unit, SID_EDU, 6, 0x20000000ULL, 4), VTD_E_WIDTH);
	assert_int_equal(vtd_attach(&unit, SID_EDU, 6, 0x20000800ULL, 3), VTD_E_ARG);
	assert_int_equal(vtd_context_read(&unit, SID_EDU, &ce), VTD_OK);
	assert_int_equal(ce.hi, 0x501ULL);
	assert_int_equal(vtd_context_read(&unit, VTD_SID(9, 0), &ce), VTD_E_NOT_PRESENT);
}

static void test_attach_caching_mode(void **state)
{
	unsigned before;

	(void)state;
	bring_up(QEMU_CAP_48 | VTD_CAP_CM);
	before = fake.log_count;
	assert_int_equal(vtd_attach(&unit, SID_EDU, 5, 0x20000000ULL, 4), VTD_OK);
	/* old domain's entries, then domain 0's cached not-present entry, then the wait */
	assert_int_equal(fake.log_count - before, 5);
	assert_int_equal(fake.log[before + 2].lo, vtd_desc_cc_device(0, SID_EDU).lo);
	assert_int_equal(fake.log[before + 3].lo, vtd_desc_iotlb_domain(5, 0xc0).lo);
}

static void test_queue_error_recovered(void **state)
{
	struct vtd_desc d = vtd_desc_iotlb_global(0);
	unsigned iotlb;
	char line[160];

	(void)state;
	bring_up(QEMU_CAP_39);
	iotlb = fake_count(VTD_DESC_IOTLB);
	vtd_qi_inject(&unit, VTD_INJECT_QUEUE_ERROR);
	assert_int_equal(vtd_qi_submit(&unit, &d, 1), VTD_E_QUEUE_ERROR);
	assert_int_equal(fake.fsts & VTD_FSTS_IQE, 0);
	assert_int_equal(VTD_IQ_INDEX(fake.iqh), unit.iq_tail);
	assert_int_equal(fake_count(VTD_DESC_IOTLB), iotlb); /* none of the request ran */
	assert_int_equal(unit.qi_stats.errors, 1);
	assert_int_equal(unit.qi_stats.recovered, 1);
	assert_int_equal(vtd_qi_submit(&unit, &d, 1), VTD_OK);
	assert_int_equal(fake_count(VTD_DESC_IOTLB), iotlb + 1);
	vtd_unit_describe(&unit, line, sizeof(line));
	assert_string_equal(line, "enabled at 0xfed90000 gsts 0 qi 4 waits 1 errors 0 timeouts "
	                          "1 recovered faults 0 overflows 0");
}

static void test_injected_timeout(void **state)
{
	struct vtd_desc d = vtd_desc_iotlb_global(0);

	(void)state;
	bring_up(QEMU_CAP_39);
	vtd_qi_inject(&unit, VTD_INJECT_TIMEOUT);
	fake_clock_reads = 0;
	assert_int_equal(vtd_qi_submit(&unit, &d, 1), VTD_E_TIMEOUT);
	assert_true(fake_clock_reads <= QI_READS + 2);
	assert_true(unit.iq_wedged);
	/* the unit did catch up: the next request goes through */
	assert_int_equal(vtd_qi_submit(&unit, &d, 1), VTD_OK);
	assert_false(unit.iq_wedged);
}

static void test_stuck_queue_wedges(void **state)
{
	struct vtd_desc d = vtd_desc_iotlb_global(0);
	unsigned writes;

	(void)state;
	bring_up(QEMU_CAP_39);
	fake.queue_stuck = true;
	assert_int_equal(vtd_qi_submit(&unit, &d, 1), VTD_E_TIMEOUT);
	writes = fake.iqt_writes;
	fake_clock_reads = 0;
	assert_int_equal(vtd_qi_submit(&unit, &d, 1), VTD_E_WEDGED);
	assert_int_equal(fake.iqt_writes, writes); /* refused at once, nothing queued */
	assert_true(fake_clock_reads < 4);
	assert_int_equal(vtd_attach(&unit, SID_EDU, 5, 0x20000000ULL, 3), VTD_E_WEDGED);
	fake.queue_stuck = false;
	fake_process_queue();
	assert_int_equal(vtd_qi_submit(&unit, &d, 1), VTD_OK);
	assert_int_equal(vtd_qi_submit(&unit, NULL, VTD_QI_MAX_BATCH + 1), VTD_E_ARG);
}

static void test_batch_limit(void **state)
{
	static struct vtd_desc d[VTD_QI_MAX_BATCH + 1];

	(void)state;
	bring_up(QEMU_CAP_39);
	for (unsigned i = 0; i <= VTD_QI_MAX_BATCH; i++)
		d[i] = vtd_desc_iotlb_domain(2, 0);
	assert_int_equal(vtd_qi_submit(&unit, d, VTD_QI_MAX_BATCH + 1), VTD_E_QUEUE_FULL);
	for (unsigned round = 0; round < 3; round++)
		assert_int_equal(vtd_qi_submit(&unit, d, VTD_QI_MAX_BATCH), VTD_OK);
	vtd_qi_inject(&unit, VTD_INJECT_QUEUE_ERROR);
	assert_int_equal(vtd_qi_submit(&unit, d, VTD_QI_MAX_BATCH), VTD_E_QUEUE_ERROR);
	assert_int_equal(vtd_qi_submit(&unit, d, VTD_QI_MAX_BATCH), VTD_OK);
}

static void test_fault_drain(void **state)
{
	struct vtd_fault f[8];
	bool overflow, more;

	(void)state;
	probe((QEMU_CAP_39 & ~VTD_CAP_NFR_MASK) | (3ULL << VTD_CAP_NFR_SHIFT), QEMU_ECAP);
	assert_int_equal(unit.caps.nfr, 4);
	assert_int_equal(vtd_unit_prepare(&unit), VTD_OK);
	fake_record_fault(3, SID_EDU, VTD_FR_WRITE, false, 0x5000);
	fake_record_fault(0, SID_NVME, VTD_FR_READ, true, 0x9000);
	fake.fsts |= VTD_FSTS_PFO;
	assert_int_equal(vtd_fault_drain(&unit, f, 8, &overflow, &more), 2);
	assert_int_equal(f[0].sid, SID_EDU); /* from FRI = 3, wrapping to 0 */
	assert_int_equal(f[0].reason, VTD_FR_WRITE);
	assert_true(f[0].write);
	assert_int_equal(f[0].addr, 0x5000);
	assert_int_equal(f[1].sid, SID_NVME);
	assert_false(f[1].write);
	assert_true(overflow);
	assert_false(more);
	assert_int_equal(fake.fsts & (VTD_FSTS_PFO | VTD_FSTS_PPF), 0);
	assert_int_equal(unit.fault_overflows, 1);
	/* a unit not prepared is never written to */
	unit.state = VTD_UNIT_REFUSED;
	fake_record_fault(1, SID_EDU, VTD_FR_READ, true, 0x1000);
	assert_int_equal(vtd_fault_drain(&unit, f, 8, NULL, NULL), 0);
	assert_true(fake.frcd[1][1] & VTD_FRCD_F);
	fake.frcd[1][1] = 0;
	unit.state = VTD_UNIT_ENABLED;
	/* bounded: one at a time, the rest stays pending */
	fake_record_fault(1, SID_EDU, VTD_FR_READ, true, 0x1000);
	fake_record_fault(2, SID_NVME, VTD_FR_READ, true, 0x2000);
	assert_int_equal(vtd_fault_drain(&unit, f, 1, &overflow, &more), 1);
	assert_true(more);
	assert_false(overflow);
	assert_int_equal(vtd_fault_drain(&unit, f, 1, NULL, &more), 1);
	assert_int_equal(f[0].sid, SID_NVME);
	assert_false(more);
	assert_int_equal(vtd_fault_drain(&unit, f, 8, NULL, NULL), 0);
}

static void test_fault_irq(void **state)
{
	struct ward_irq_grant g = {
	        .slot = 9, .vector = 0x40, .msi_address = 0xfee00000ULL, .msi_data = 0x4040};

	(void)state;
	probe(QEMU_CAP_39, QEMU_ECAP);
	assert_int_equal(vtd_fault_irq_setup(&unit, &g), VTD_E_STATE);
	assert_int_equal(fake.writes, 0);
	assert_int_equal(vtd_unit_prepare(&unit), VTD_OK);
	assert_int_equal(vtd_fault_irq_setup(&unit, &g), VTD_OK);
	assert_int_equal(fake.fedata, 0x4040);
	assert_int_equal(fake.feaddr, 0xfee00000u);
	assert_int_equal(fake.feuaddr, 0);
	assert_int_equal(fake.fectl & VTD_FECTL_IM, 0);
}

/* A 4-level table mapping a 4 KiB page, a 2 MiB page and a 1 GiB page, built by hand. */
static uint64_t build_domain(void)
{
	struct vtd_page top, pdpt, pd, pt;
	uint64_t *t;

	fake_env.page_alloc(NULL, &top);
	fake_env.page_alloc(NULL, &pdpt);
	fake_env.page_alloc(NULL, &pd);
	fake_env.page_alloc(NULL, &pt);
	t = top.va;
	t[0] = vtd_pte_table(pdpt.pa);
	t = pdpt.va;
	t[0] = vtd_pte_table(pd.pa);
	t[1] = vtd_pte_leaf(0x80000000ULL, VTD_LEVEL_1G, VTD_PTE_R); /* 1 GiB at 1 GiB */
	t = pd.va;
	t[0] = vtd_pte_table(pt.pa);
	t[1] = vtd_pte_leaf(0x600000ULL, VTD_LEVEL_2M, VTD_PTE_RW);          /* 2 MiB at 2 MiB */
	t[2] = vtd_pte_leaf(0x600000ULL, VTD_LEVEL_2M, VTD_PTE_RW) | 0x1000; /* reserved bit */
	t = pt.va;
	t[1] = vtd_pte_leaf(0x7000ULL, 1, VTD_PTE_W); /* 4 KiB at 4 KiB */
	return top.pa;
}

static void test_translate(void **state)
{
	struct vtd_walk w;

	(void)state;
	bring_up(QEMU_CAP_48);
	assert_int_equal(vtd_attach(&unit, SID_EDU, 7, build_domain(), 4), VTD_OK);
	assert_int_equal(vtd_translate(&unit, SID_EDU, 0x1234, &w), VTD_OK);
	assert_int_equal(w.fault, 0);
	assert_int_equal(w.pa, 0x7234);
	assert_int_equal(w.leaf, 1);
	assert_int_equal(w.rights, VTD_PTE_W);
	assert_int_equal(w.did, 7);
	assert_int_equal(vtd_translate(&unit, SID_EDU, 0x212345, &w), VTD_OK);
	assert_int_equal(w.pa, 0x612345);
	assert_int_equal(w.leaf, 2);
	assert_int_equal(vtd_translate(&unit, SID_EDU, 0x40001000, &w), VTD_OK);
	assert_int_equal(w.pa, 0x80001000);
	assert_int_equal(w.leaf, 3);
	assert_int_equal(w.rights, VTD_PTE_R);
	assert_int_equal(vtd_translate(&unit, SID_EDU, 0x400000, &w), VTD_OK);
	assert_int_equal(w.fault, VTD_FR_PTE_RSVD);
	assert_int_equal(vtd_translate(&unit, SID_EDU, 0x2000, &w), VTD_OK);
	assert_int_equal(w.fault, VTD_FR_READ);
	assert_int_equal(vtd_translate(&unit, SID_EDU, 1ULL << 48, &w), VTD_OK);
	assert_int_equal(w.fault, VTD_FR_ADDR_WIDTH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_refused_untouched),
	        cmocka_unit_test(test_bring_up),
	        cmocka_unit_test(test_gsts_never_answers),
	        cmocka_unit_test(test_takeover),
	        cmocka_unit_test(test_interrupt_remapping_bring_up),
	        cmocka_unit_test(test_interrupt_remapping_takeover),
	        cmocka_unit_test(test_irte_set_clear),
	        cmocka_unit_test(test_firmware_queue_error),
	        cmocka_unit_test(test_takeover_refused),
	        cmocka_unit_test(test_attach_invalidates),
	        cmocka_unit_test(test_attach_caching_mode),
	        cmocka_unit_test(test_queue_error_recovered),
	        cmocka_unit_test(test_injected_timeout),
	        cmocka_unit_test(test_stuck_queue_wedges),
	        cmocka_unit_test(test_batch_limit),
	        cmocka_unit_test(test_fault_drain),
	        cmocka_unit_test(test_fault_irq),
	        cmocka_unit_test(test_translate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

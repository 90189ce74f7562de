/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The core's interface (core/backend.h) as the VT-d backend implements
 * it, against the register model: capabilities as the core sees them,
 * the entry format, queue operations that never touch the hardware until
 * wait(), one wait per request, overflow into a global flush, a failed
 * wait reported as the core's error, and fault draining bounded by `max`.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "fake_unit.h"
#include "vtd_backend.h"

#define QEMU_CAP_48 0x00d2008c222f0606ULL
#define QEMU_ECAP   0xf02ULL
#define SID_EDU     VTD_SID(0, VTD_DEVFN(3, 0))

static struct iommu_unit iu;

static void bring_up(uint64_t cap)
{
	struct ward_device_window w = fake_window();

	fake_reset(cap, QEMU_ECAP);
	memset(&iu, 0, sizeof(iu));
	assert_int_equal(vtd_unit_probe(&iu.vtd, &w, &fake_env), VTD_OK);
	assert_int_equal(vtd_unit_prepare(&iu.vtd), VTD_OK);
	assert_int_equal(vtd_unit_ops.block(&iu, SID_EDU), IOMMU_OK);
	assert_int_equal(vtd_unit_ops.wait(&iu), IOMMU_OK);
	assert_int_equal(vtd_unit_enable(&iu.vtd), VTD_OK);
}

static void test_caps_and_format(void **state)
{
	struct iommu_caps c;
	const struct iommu_pte_ops *pte = vtd_unit_ops.pte;

	(void)state;
	bring_up(QEMU_CAP_48 | VTD_CAP_CM);
	vtd_unit_ops.caps(&iu, &c);
	assert_int_equal(c.levels_mask, (1U << 3) | (1U << 4));
	assert_int_equal(c.max_width, 48);
	assert_int_equal(c.max_leaf_level, IOMMU_LEAF_1G);
	assert_int_equal(c.domain_ids, 65534);
	assert_int_equal(c.max_inv_order, 18);
	assert_true(c.page_selective && c.caching_mode);
	assert_false(c.coherent_walk || c.write_buffer_flush);
	assert_int_equal(pte->make_leaf(0x200000, 2, IOMMU_READ | IOMMU_WRITE), 0x200083ULL);
	assert_int_equal(pte->make_leaf(0x5000, 1, IOMMU_READ), 0x5001ULL);
	assert_int_equal(pte->make_table(0x9000, 3), 0x9003ULL);
	assert_int_equal(pte->rights(0x200082ULL), IOMMU_WRITE);
	assert_true(pte->is_leaf(0x200083ULL, 2));
	assert_false(pte->present(0));
	assert_int_equal(pte->addr(0x40000083ULL), 0x40000000ULL);
}

static void test_queue_then_one_wait(void **state)
{
	unsigned writes, waits;

	(void)state;
	bring_up(QEMU_CAP_48);
	writes = fake.iqt_writes;
	waits = fake_count(VTD_DESC_WAIT);
	assert_int_equal(vtd_unit_ops.attach(&iu, SID_EDU, 5, 0x20000000ULL, 4), IOMMU_OK);
	assert_int_equal(vtd_unit_ops.inv_iotlb_pages(&iu, 5, 0x200000, 9), IOMMU_OK);
	assert_int_equal(vtd_unit_ops.inv_iotlb_pages(&iu, 5, 0, 30), IOMMU_OK);
	assert_int_equal(vtd_unit_ops.inv_iotlb_pages(&iu, 5, 0x3000, 1), IOMMU_OK);
	assert_int_equal(fake.iqt_writes, writes); /* nothing reached the unit yet */
	assert_int_equal(vtd_unit_ops.wait(&iu), IOMMU_OK);
	assert_int_equal(fake_count(VTD_DESC_WAIT), waits + 1);
	assert_int_equal(fake.log[fake.log_count - 4].hi, 0x200009ULL); /* PSI, AM 9 */
	assert_int_equal(fake.log[fake.log_count - 3].lo, 0x500e2ULL);  /* AM 30 > MAMV: DSI */
	assert_int_equal(fake.log[fake.log_count - 2].hi, 0x2001ULL);   /* aligned to 2 pages */
	writes = fake.iqt_writes;
	assert_int_equal(vtd_unit_ops.wait(&iu), IOMMU_OK); /* nothing queued: no wait */
	assert_int_equal(fake.iqt_writes, writes);
}

static void test_refused_attach_blocks(void **state)
{
	struct vtd_context_entry ce;

	(void)state;
	bring_up(QEMU_CAP_48);
	assert_int_equal(vtd_unit_ops.attach(&iu, SID_EDU, 5, 0x20000000ULL, 4), IOMMU_OK);
	assert_int_equal(vtd_unit_ops.wait(&iu), IOMMU_OK);
	assert_int_equal(vtd_unit_ops.attach(&iu, SID_EDU, 6, 0x20000000ULL, 5),
	                 IOMMU_ERR_UNSUPPORTED);
	assert_int_equal(vtd_unit_ops.wait(&iu), IOMMU_OK);
	assert_int_equal(vtd_context_read(&iu.vtd, SID_EDU, &ce), VTD_OK);
	assert_int_equal(VTD_CTX_DID(ce.hi), iu.vtd.quarantine_did);
}

static void test_overflow_flushes_all(void **state)
{
	unsigned before;

	(void)state;
	bring_up(QEMU_CAP_48);
	for (unsigned i = 0; i < VTD_BACKEND_PENDING + 10; i++)
		assert_int_equal(vtd_unit_ops.inv_iotlb_domain(&iu, 3), IOMMU_OK);
	before = fake.log_count;
	assert_int_equal(vtd_unit_ops.wait(&iu), IOMMU_OK);
	assert_int_equal(fake.log_count - before, 3);
	assert_int_equal(fake.log[before].lo, vtd_desc_cc_global().lo);
	assert_int_equal(fake.log[before + 1].lo, vtd_desc_iotlb_global(0xc0).lo);
}

static void test_failed_wait(void **state)
{
	(void)state;
	bring_up(QEMU_CAP_48);
	vtd_unit_ops.inv_context_global(&iu);
	vtd_qi_inject(&iu.vtd, VTD_INJECT_QUEUE_ERROR);
	assert_int_equal(vtd_unit_ops.wait(&iu), IOMMU_ERR_HARDWARE);
	assert_int_equal(iu.npending, 0);
	vtd_unit_ops.inv_context_global(&iu);
	vtd_qi_inject(&iu.vtd, VTD_INJECT_TIMEOUT);
	assert_int_equal(vtd_unit_ops.wait(&iu), IOMMU_ERR_TIMEOUT);
	vtd_unit_ops.inv_iotlb_global(&iu);
	assert_int_equal(vtd_unit_ops.wait(&iu), IOMMU_OK);
}

static void test_drain_bounded(void **state)
{
	struct iommu_fault f[4];
	unsigned count;
	bool ovf;

	(void)state;
	bring_up((QEMU_CAP_48 & ~VTD_CAP_NFR_MASK) | (3ULL << VTD_CAP_NFR_SHIFT));
	fake_record_fault(1, SID_EDU, VTD_FR_WRITE, false, 0x3000);
	fake_record_fault(2, SID_EDU, VTD_FR_READ, true, 0x4000);
	fake_record_fault(3, 0x0100, VTD_FR_CTX_P, true, 0x5000);
	vtd_unit_ops.drain_faults(&iu, f, 2, &count, &ovf);
	assert_int_equal(count, 2);
	assert_false(ovf);
	assert_int_equal(f[0].source_id, SID_EDU);
	assert_int_equal(f[0].iova, 0x3000);
	assert_true(f[0].write);
	assert_int_equal(f[0].reason, VTD_FR_WRITE);
	assert_false(f[1].write);
	vtd_unit_ops.drain_faults(&iu, f, 4, &count, &ovf);
	assert_int_equal(count, 1);
	assert_int_equal(f[0].reason, VTD_FR_CTX_P);
	assert_int_equal(f[0].source_id, 0x0100);
}

/* The interrupt-remapping operations: entries, MSI, round trip for dump, errors, one wait. */
static void test_irq_ops(void **state)
{
	struct ward_device_window w = fake_window();
	const struct vtd_irte *table;
	struct iommu_irq_entry e = {.vector = 0x41,
	                            .apic_id = 2,
	                            .check = IOMMU_IRQ_CHECK_SOURCE,
	                            .source_id = SID_EDU},
	                       got;
	struct iommu_caps c;
	uint64_t address;
	uint32_t data;
	bool present;

	(void)state;
	bring_up(QEMU_CAP_48);
	vtd_unit_ops.caps(&iu, &c);
	assert_int_equal(c.irq_entries, 0);
	assert_int_equal(vtd_unit_ops.irq_set(&iu, 0, &e), IOMMU_ERR_UNSUPPORTED);
	fake_reset(QEMU_CAP_48, QEMU_ECAP | VTD_ECAP_IR);
	memset(&iu, 0, sizeof(iu));
	assert_int_equal(vtd_unit_probe(&iu.vtd, &w, &fake_env), VTD_OK);
	assert_int_equal(vtd_unit_prepare(&iu.vtd), VTD_OK);
	assert_int_equal(vtd_unit_enable(&iu.vtd), VTD_OK);
	vtd_unit_ops.caps(&iu, &c);
	assert_int_equal(c.irq_entries, 256);
	table = iu.vtd.irt.va;
	fake.log_count = 0;
	assert_int_equal(vtd_unit_ops.irq_set(&iu, 5, &e), IOMMU_OK);
	assert_int_equal(table[5].lo, 0x0000020000410001ULL);
	assert_int_equal(table[5].hi, 0x0000000000040018ULL);
	e.check = IOMMU_IRQ_CHECK_BUSES;
	e.first_bus = 2;
	e.last_bus = 5;
	assert_int_equal(vtd_unit_ops.irq_set(&iu, 6, &e), IOMMU_OK);
	assert_int_equal(table[6].hi, 0x0000000000080205ULL);
	assert_int_equal(fake.log_count, 0); /* queued, not submitted */
	assert_int_equal(vtd_unit_ops.wait(&iu), IOMMU_OK);
	assert_int_equal(fake_count(VTD_DESC_IEC), 2);
	assert_int_equal(fake.log[0].lo, 0x0000000500000014ULL);
	assert_int_equal(vtd_unit_ops.irq_msi(&iu, 5, &address, &data), IOMMU_OK);
	assert_int_equal(address, 0xfee000b8ULL);
	assert_int_equal(data, 0);
	assert_int_equal(vtd_unit_ops.irq_get(&iu, 6, &got, &present), IOMMU_OK);
	assert_true(present);
	assert_int_equal(got.vector, 0x41);
	assert_int_equal(got.apic_id, 2);
	assert_int_equal(got.check, IOMMU_IRQ_CHECK_BUSES);
	assert_int_equal(got.first_bus, 2);
	assert_int_equal(got.last_bus, 5);
	/* refused, the table unchanged */
	e.first_bus = 6;
	assert_int_equal(vtd_unit_ops.irq_set(&iu, 7, &e), IOMMU_ERR_INVAL);
	e = (struct iommu_irq_entry){
	        .vector = 0x41, .apic_id = 256, .check = IOMMU_IRQ_CHECK_SOURCE};
	assert_int_equal(vtd_unit_ops.irq_set(&iu, 7, &e), IOMMU_ERR_INVAL);
	e.apic_id = 0;
	e.vector = 0x0f;
	assert_int_equal(vtd_unit_ops.irq_set(&iu, 7, &e), IOMMU_ERR_INVAL);
	e.vector = 0x41;
	e.check = 0;
	assert_int_equal(vtd_unit_ops.irq_set(&iu, 7, &e), IOMMU_ERR_INVAL);
	e.check = IOMMU_IRQ_CHECK_SOURCE;
	assert_int_equal(vtd_unit_ops.irq_set(&iu, 256, &e), IOMMU_ERR_RANGE);
	assert_int_equal(vtd_unit_ops.irq_msi(&iu, 256, &address, &data), IOMMU_ERR_RANGE);
	assert_int_equal(table[7].lo, 0);
	/* cleared: not present, its invalidation queued */
	assert_int_equal(vtd_unit_ops.irq_clear(&iu, 5), IOMMU_OK);
	assert_int_equal(vtd_unit_ops.irq_get(&iu, 5, &got, &present), IOMMU_OK);
	assert_false(present);
	assert_int_equal(vtd_unit_ops.inv_irq_entries(&iu), IOMMU_OK);
	fake.log_count = 0;
	assert_int_equal(vtd_unit_ops.wait(&iu), IOMMU_OK);
	assert_int_equal(fake.log[0].lo, 0x0000000500000014ULL);
	assert_int_equal(fake.log[1].lo, 0x4ULL);
	/* a present entry holding what irq_set never writes is reported */
	((struct vtd_irte *)iu.vtd.irt.va)[9] =
	        (struct vtd_irte){0x0000020000410001ULL | VTD_IRTE_TM_LEVEL, 0x40018ULL};
	assert_int_equal(vtd_unit_ops.irq_get(&iu, 9, &got, &present), IOMMU_ERR_HARDWARE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_caps_and_format),
	        cmocka_unit_test(test_queue_then_one_wait),
	        cmocka_unit_test(test_refused_attach_blocks),
	        cmocka_unit_test(test_overflow_flushes_all),
	        cmocka_unit_test(test_failed_wait),
	        cmocka_unit_test(test_drain_bounded),
	        cmocka_unit_test(test_irq_ops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * amdvi_regs.h against numbers worked out by hand from the AMD IOMMU
 * specification 48882 rev. 3.08: register offsets (§3.4), device table
 * entries (§2.2.2), page-table entries at each level including large
 * pages (§2.2.3), commands (§2.4), event records (§2.5) and interrupt
 * remapping entries (§2.2.5.1). Each expected value is written out from
 * the bit layout in the comment beside it, never computed with the
 * macros under test. Commands are also checked against the reserved bits
 * QEMU 7.2's model refuses (hw/i386/amd_iommu.c), and device table
 * entries against its reserved-bit masks (hw/i386/amd_iommu.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "amdvi_backend.h"

/* QEMU 7.2: AMDVI_DTE_LOWER/MIDDLE/UPPER_QUAD_RESERVED, and quadword 3 must be 0. */
#define QEMU_DTE_Q0_RESERVED 0x80300000000000fcULL
#define QEMU_DTE_Q1_RESERVED 0x0000000000000100ULL
#define QEMU_DTE_Q2_RESERVED 0x08f0000000000000ULL

static void test_register_offsets(void **state)
{
	(void)state;
	assert_int_equal(AMDVI_REG_DEVTAB_BASE, 0x0000);
	assert_int_equal(AMDVI_REG_CMDBUF_BASE, 0x0008);
	assert_int_equal(AMDVI_REG_EVTLOG_BASE, 0x0010);
	assert_int_equal(AMDVI_REG_CONTROL, 0x0018);
	assert_int_equal(AMDVI_REG_EFR, 0x0030);
	assert_int_equal(AMDVI_REG_CMDBUF_HEAD, 0x2000);
	assert_int_equal(AMDVI_REG_CMDBUF_TAIL, 0x2008);
	assert_int_equal(AMDVI_REG_EVTLOG_HEAD, 0x2010);
	assert_int_equal(AMDVI_REG_EVTLOG_TAIL, 0x2018);
	assert_int_equal(AMDVI_REG_STATUS, 0x2020);
	/* control: IommuEn 0, EventLogEn 2, CmdBufEn 12 */
	assert_int_equal(AMDVI_CTRL_IOMMU_EN | AMDVI_CTRL_EVENT_LOG_EN | AMDVI_CTRL_CMD_BUF_EN,
	                 0x1005);
	/* status: EventOverflow 0, EventLogRun 3, CmdBufRun 4 */
	assert_int_equal(AMDVI_STATUS_EVENT_OVERFLOW | AMDVI_STATUS_EVENT_LOG_RUN |
	                         AMDVI_STATUS_CMD_BUF_RUN,
	                 0x19);
	/* command buffer base at 0x12345000, ComLen 1000b (256 entries) in 59:56 */
	assert_int_equal(amdvi_ring_base(0x12345000, 8), 0x0800000012345000ULL);
	/* EFR HATS (11:10): 00b 4 levels, 10b (QEMU) 6 levels */
	assert_int_equal(amdvi_efr_max_levels(0), 4);
	assert_int_equal(amdvi_efr_max_levels(0x29d3), 6);
	assert_int_equal(AMDVI_EFR_IA_SUP, 0x40);
}

static void assert_qemu_accepts(const struct amdvi_dte *d)
{
	assert_int_equal(d->q[0] & QEMU_DTE_Q0_RESERVED, 0);
	assert_int_equal(d->q[1] & QEMU_DTE_Q1_RESERVED, 0);
	assert_int_equal(d->q[2] & QEMU_DTE_Q2_RESERVED, 0);
	assert_int_equal(d->q[3], 0);
}

static void test_device_table_entry(void **state)
{
	struct amdvi_dte d = {{0}};

	(void)state;
	/*
	 * V (0) | TV (1) | Mode 4 in 11:9 (0x800) | root 0x12345000 | IR (61) | IW (62):
	 * 0x6000000012345803; DomainID 0x2a in quadword 1 bits 15:0.
	 */
	amdvi_dte_make_translate(&d, 0x12345000, 4, 0x2a);
	assert_int_equal(d.q[0], 0x6000000012345803ULL);
	assert_int_equal(d.q[1], 0x2a);
	assert_qemu_accepts(&d);
	/* 3 levels: Mode 011b → 0x600 */
	amdvi_dte_make_translate(&d, 0x7000, 3, 1);
	assert_int_equal(d.q[0], 0x6000000000007603ULL);
	/* blocking: V | TV, Mode 0, no IR/IW, domain 0 */
	amdvi_dte_make_block(&d, 0);
	assert_int_equal(d.q[0], 0x3);
	assert_int_equal(d.q[1], 0);
	/*
	 * Interrupts remapped: IV (0) | IntTabLen 8 in 4:1 (0x10) | root 0xabcdef40 in 51:6 |
	 * IntCtl 10b in 61:60 (0x2000000000000000) = 0x20000000abcdef51.
	 */
	d.q[2] = amdvi_dte_int_remap(0xabcdef40, 8);
	assert_int_equal(d.q[2], 0x20000000abcdef51ULL);
	assert_qemu_accepts(&d);
	/* interrupts aborted: IV, IntCtl 00b */
	assert_int_equal(amdvi_dte_int_block(), 0x1);
	/* DomainID 255 is the last QEMU 7.2 accepts; 256 sets its reserved bit 8 */
	assert_int_equal(AMDVI_DOMAIN_IDS, 255);
	amdvi_dte_make_translate(&d, 0x7000, 3, AMDVI_DOMAIN_IDS);
	assert_qemu_accepts(&d);
}

static void test_page_table_entries(void **state)
{
	(void)state;
	/* PDE of level 5 (HATS 10b) → level-4 table: PR | NextLevel 4 (0x800) | addr | IR | IW */
	assert_int_equal(amdvi_pde(0x5000, 5), 0x6000000000005801ULL);
	/* PDE of level 4 → level-3 table at 0x5000: PR | NextLevel 3 (0x600) | addr | IR | IW */
	assert_int_equal(amdvi_pde(0x5000, 4), 0x6000000000005601ULL);
	/* level 3 → NextLevel 2 (0x400), level 2 → NextLevel 1 (0x200) */
	assert_int_equal(amdvi_pde(0x5000, 3), 0x6000000000005401ULL);
	assert_int_equal(amdvi_pde(0xfffff000ULL, 2), 0x60000000fffff201ULL);
	/* 4 KiB leaf, read-write: PR | 0x7000 | FC (60) | IR | IW */
	assert_int_equal(amdvi_pte_leaf(0x7000, AMDVI_PTE_RW), 0x7000000000007001ULL);
	/* 2 MiB leaf (NextLevel 0 at level 2), read-only: PR | FC | IR */
	assert_int_equal(amdvi_pte_leaf(0x40000000, AMDVI_PTE_IR), 0x3000000040000001ULL);
	/* 1 GiB leaf, write-only: PR | FC | IW */
	assert_int_equal(amdvi_pte_leaf(0x80000000ULL, AMDVI_PTE_IW), 0x5000000080000001ULL);
	/* the highest address bit the format holds is 51 */
	assert_int_equal(amdvi_pte_leaf(0xffff000000001000ULL, 0), 0x100f000000001001ULL);
	/* what is a leaf: level 1 always; NextLevel 0 or 7 above; 1..6 a table */
	assert_true(amdvi_pte_is_leaf(0x6000000000005201ULL, 1));
	assert_false(amdvi_pte_is_leaf(0x6000000000005201ULL, 2));
	assert_true(amdvi_pte_is_leaf(0x3000000040000001ULL, 2));
	assert_true(amdvi_pte_is_leaf(0x0000000040000e01ULL, 3)); /* NextLevel 7 */
	/* through the backend's ops, which the core's iopt.c uses */
	assert_int_equal(amdvi_pte_ops.make_leaf(0x200000, 2, IOMMU_READ | IOMMU_WRITE),
	                 0x7000000000200001ULL);
	assert_int_equal(amdvi_pte_ops.make_table(0x9000, 3), 0x6000000000009401ULL);
	assert_int_equal(amdvi_pte_ops.rights(0x3000000040000001ULL), IOMMU_READ);
	assert_int_equal(amdvi_pte_ops.addr(0x6000000000009401ULL), 0x9000);
	assert_false(amdvi_pte_ops.present(0));
}

/* QEMU 7.2 logs ILLEGAL_COMMAND_ERROR for these reserved bits (amdvi_cmdbuf_exec's handlers). */
static void assert_qemu_legal(struct amdvi_cmd c)
{
	switch (amdvi_cmd_opcode(c)) {
	case AMDVI_CMD_COMPLETION_WAIT:
		assert_int_equal((c.lo >> 52) & 0xff, 0);
		break;
	case AMDVI_CMD_INVALIDATE_DEVTAB_ENTRY:
	case AMDVI_CMD_INVALIDATE_INTERRUPT_TABLE:
		assert_int_equal((c.lo >> 16) & ((1ULL << 44) - 1), 0);
		assert_int_equal(c.hi, 0);
		break;
	case AMDVI_CMD_INVALIDATE_IOMMU_PAGES:
		assert_int_equal((c.lo >> 20) & 0xfff, 0);
		assert_int_equal((c.lo >> 48) & 0xfff, 0);
		assert_int_equal((c.hi >> 3) & 0x1ff, 0);
		break;
	case AMDVI_CMD_INVALIDATE_IOMMU_ALL:
		assert_int_equal(c.lo & ((1ULL << 60) - 1), 0);
		assert_int_equal(c.hi, 0);
		break;
	default:
		fail();
	}
}

static void test_commands(void **state)
{
	struct amdvi_cmd c;

	(void)state;
	/* COMPLETION_WAIT: S (0) | store 0x1234568 in 51:3 | opcode 1 in 63:60; datum */
	c = amdvi_cmd_completion_wait(0x1234568, 0x99);
	assert_int_equal(c.lo, 0x1000000001234569ULL);
	assert_int_equal(c.hi, 0x99);
	assert_qemu_legal(c);
	/* INVALIDATE_DEVTAB_ENTRY 01:03.0 = 0x0118, opcode 2 */
	c = amdvi_cmd_inv_devtab(0x0118);
	assert_int_equal(c.lo, 0x2000000000000118ULL);
	assert_int_equal(c.hi, 0);
	assert_qemu_legal(c);
	/* INVALIDATE_IOMMU_PAGES domain 5 in 47:32, opcode 3; one page 0x3000: S 0, PDE 1 */
	c = amdvi_cmd_inv_pages(5, 0x3000, 0);
	assert_int_equal(c.lo, 0x3000000500000000ULL);
	assert_int_equal(c.hi, 0x3002);
	assert_qemu_legal(c);
	/* 2 pages at 0x6000: S, bit 12 zero → 8 KiB */
	c = amdvi_cmd_inv_pages(5, 0x6000, 1);
	assert_int_equal(c.hi, 0x6003);
	/* 4 pages at 0x5000: aligned down to 0x4000, bit 12 one, bit 13 zero → 16 KiB */
	c = amdvi_cmd_inv_pages(5, 0x5000, 2);
	assert_int_equal(c.hi, 0x5003);
	/* 512 pages at 0x200000: bits 12..19 ones (0xff000), bit 20 zero → 2 MiB */
	c = amdvi_cmd_inv_pages(7, 0x200000, 9);
	assert_int_equal(c.lo, 0x3000000700000000ULL);
	assert_int_equal(c.hi, 0x2ff003);
	assert_qemu_legal(c);
	/* 1 GiB at 0x40000000: bits 12..28 ones (0x1ffff000), bit 29 zero */
	c = amdvi_cmd_inv_pages(7, 0x40000000, 18);
	assert_int_equal(c.hi, 0x5ffff003);
	/* the whole domain: 7FFF_FFFF_FFFF_F000h with S and PDE */
	c = amdvi_cmd_inv_domain(9);
	assert_int_equal(c.lo, 0x3000000900000000ULL);
	assert_int_equal(c.hi, 0x7ffffffffffff003ULL);
	assert_qemu_legal(c);
	assert_int_equal(amdvi_cmd_inv_pages(9, 0x1234000, AMDVI_INV_ORDER_MAX).hi,
	                 0x7ffffffffffff003ULL);
	/* INVALIDATE_INTERRUPT_TABLE 00:02.0 = 0x0010, opcode 5 */
	c = amdvi_cmd_inv_interrupt_table(0x0010);
	assert_int_equal(c.lo, 0x5000000000000010ULL);
	assert_qemu_legal(c);
	/* INVALIDATE_IOMMU_ALL: opcode 8 alone */
	c = amdvi_cmd_inv_all();
	assert_int_equal(c.lo, 0x8000000000000000ULL);
	assert_int_equal(c.hi, 0);
	assert_qemu_legal(c);
}

static void test_events(void **state)
{
	struct amdvi_event e;
	struct iommu_fault f;

	(void)state;
	assert_false(amdvi_event_decode(0, 0, &e));
	/*
	 * IO_PAGE_FAULT from 00:03.0 (0x0018), DomainID 7 in 47:32, flags RW (bit 5 of
	 * 59:48 → 0x0020 << 48), code 2 in 63:60; address 0x101234.
	 */
	assert_true(amdvi_event_decode(0x2020000700000018ULL, 0x101234, &e));
	assert_int_equal(e.code, AMDVI_EVT_IO_PAGE_FAULT);
	assert_int_equal(e.devid, 0x0018);
	assert_int_equal(e.domain, 7);
	assert_int_equal(e.flags, AMDVI_EVT_FLAG_RW);
	assert_int_equal(e.address, 0x101234);
	f = amdvi_fault_from_event(&e);
	assert_int_equal(f.source_id, 0x0018);
	assert_int_equal(f.iova, 0x101000);
	assert_true(f.write);
	assert_int_equal(f.reason, 2);
	assert_false(f.pasid_valid);
	/* a read refused on a present page: PR (bit 4) | PE (bit 6) = 0x50 */
	assert_true(amdvi_event_decode(0x2050000700000018ULL, 0x2000, &e));
	assert_false(amdvi_fault_from_event(&e).write);
	/* ILLEGAL_DEV_TABLE_ENTRY (1) from 01:00.0 (0x0100), a write (0x20), address 0x8000 */
	assert_true(amdvi_event_decode(0x1020000000000100ULL, 0x8000, &e));
	assert_int_equal(e.code, AMDVI_EVT_ILLEGAL_DEV_TABLE_ENTRY);
	assert_int_equal(e.devid, 0x0100);
	/* DEV_TAB_HARDWARE_ERROR (3): the entry's address, bits 63:4 */
	assert_true(amdvi_event_decode(0x3000000000000100ULL, 0x40002005ULL, &e));
	assert_int_equal(e.address, 0x40002000ULL);
	/* PAGE_TAB_HARDWARE_ERROR (4): the PTE's address, bits 63:3, and the domain */
	assert_true(amdvi_event_decode(0x4000000300000018ULL, 0x5000000fULL, &e));
	assert_int_equal(e.address, 0x50000008ULL);
	assert_int_equal(e.domain, 3);
	/* ILLEGAL_COMMAND_ERROR (5): no device, the command's address */
	assert_true(amdvi_event_decode(0x500000000000ffffULL, 0x40010a30ULL, &e));
	assert_int_equal(e.code, AMDVI_EVT_ILLEGAL_COMMAND_ERROR);
	assert_int_equal(e.devid, 0);
	assert_int_equal(e.address, 0x40010a30ULL);
	/* COMMAND_HARDWARE_ERROR (6), IOTLB_INV_TIMEOUT (7), INVALID_DEVICE_REQUEST (8) */
	assert_true(amdvi_event_decode(0x6000000000000000ULL, 0x40010a40ULL, &e));
	assert_int_equal(e.code, 6);
	assert_true(amdvi_event_decode(0x7000000000000018ULL, 0x40010a50ULL, &e));
	assert_int_equal(e.code, 7);
	assert_int_equal(e.devid, 0x0018);
	/* with GN (bit 0 of the flags): PASID 0x5abcd from 19:16 and 47:32 */
	assert_true(amdvi_event_decode(0x8001abcd00050018ULL, 0x3000, &e));
	assert_int_equal(e.code, AMDVI_EVT_INVALID_DEVICE_REQUEST);
	f = amdvi_fault_from_event(&e);
	assert_true(f.pasid_valid);
	assert_int_equal(f.pasid, 0x5abcd);
}

static void test_interrupt_entries(void **state)
{
	(void)state;
	/* RemapEn (0) | IntType 000b fixed | Destination 3 in 15:8 | Vector 0x41 in 23:16 */
	assert_int_equal(amdvi_irte(0x41, 3), 0x00410301u);
	assert_int_equal(amdvi_irte(0xff, 0xff), 0x00ffff01u);
	assert_int_equal(AMDVI_MSI_INDEX_MASK, 0x7ff);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_register_offsets),
	        cmocka_unit_test(test_device_table_entry),
	        cmocka_unit_test(test_page_table_entries),
	        cmocka_unit_test(test_commands),
	        cmocka_unit_test(test_events),
	        cmocka_unit_test(test_interrupt_entries),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

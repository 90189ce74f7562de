/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vtd_regs.h against numbers typed from the VT-d specification, rev. 4.1:
 * register offsets (§10.4), root and context entries (§9.1, §9.3),
 * second-stage entries and their reserved bits (§9.8), invalidation
 * descriptors (§6.5.2), fault records (§10.4.14) and the Appendix A
 * reason names. Each expected value is written out by hand from the bit
 * layout, never computed with the macros under test. Descriptors are
 * also checked against the reserved-bit masks QEMU's model enforces
 * (hw/i386/intel_iommu_internal.h), since a set reserved bit there is an
 * Invalidation Queue Error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "vtd.h"

static void test_register_offsets(void **state)
{
	(void)state;
	assert_int_equal(VTD_REG_VER, 0x00);
	assert_int_equal(VTD_REG_CAP, 0x08);
	assert_int_equal(VTD_REG_ECAP, 0x10);
	assert_int_equal(VTD_REG_GCMD, 0x18);
	assert_int_equal(VTD_REG_GSTS, 0x1c);
	assert_int_equal(VTD_REG_RTADDR, 0x20);
	assert_int_equal(VTD_REG_CCMD, 0x28);
	assert_int_equal(VTD_REG_FSTS, 0x34);
	assert_int_equal(VTD_REG_FECTL, 0x38);
	assert_int_equal(VTD_REG_FEDATA, 0x3c);
	assert_int_equal(VTD_REG_FEADDR, 0x40);
	assert_int_equal(VTD_REG_FEUADDR, 0x44);
	assert_int_equal(VTD_REG_AFLOG, 0x58);
	assert_int_equal(VTD_REG_PMEN, 0x64);
	assert_int_equal(VTD_REG_IQH, 0x80);
	assert_int_equal(VTD_REG_IQT, 0x88);
	assert_int_equal(VTD_REG_IQA, 0x90);
	assert_int_equal(VTD_REG_ICS, 0x9c);
	assert_int_equal(VTD_REG_IECTL, 0xa0);
	assert_int_equal(VTD_REG_IQERCD, 0xb0);
	assert_int_equal(VTD_REG_IRTA, 0xb8);
}

static void test_command_bits(void **state)
{
	(void)state;
	assert_int_equal(VTD_GCMD_TE, 0x80000000u);
	assert_int_equal(VTD_GCMD_SRTP, 0x40000000u);
	assert_int_equal(VTD_GCMD_WBF, 0x08000000u);
	assert_int_equal(VTD_GCMD_QIE, 0x04000000u);
	assert_int_equal(VTD_GCMD_IRE, 0x02000000u);
	/* the one-shot commands are never written back (Linux uses 0x96ffffff) */
	assert_int_equal(VTD_GSTS_PERSISTENT & 0x69000000u, 0);
	assert_int_equal(VTD_FSTS_PFO | VTD_FSTS_PPF | VTD_FSTS_IQE | VTD_FSTS_ICE | VTD_FSTS_ITE,
	                 0x73);
	assert_int_equal(VTD_FSTS_FRI(0x0500), 5);
	/* IQH/IQT: descriptor index in bits 18:4 */
	assert_int_equal(VTD_IQ_REG(255), 0xff0);
	assert_int_equal(VTD_IQ_INDEX(0xff0), 255);
	assert_int_equal(VTD_IQ_ENTRIES(0), 256);
	assert_int_equal(VTD_IQA(0x12345000ULL, 0), 0x12345000ULL);
}

static void test_root_entry(void **state)
{
	struct vtd_root_entry e = vtd_root_entry(0x12345000ULL);

	(void)state;
	assert_int_equal(e.lo, 0x12345001ULL);
	assert_int_equal(e.hi, 0);
}

static void test_context_entry(void **state)
{
	struct vtd_context_entry e = vtd_context_entry(0xabcd000ULL, 4, 0x1234);

	(void)state;
	/* P = 1, TT = 00b, SLPTPTR = 0xabcd; AW = 010b (4-level), DID at 87:72 */
	assert_int_equal(e.lo, 0xabcd001ULL);
	assert_int_equal(e.hi, 0x123402ULL);
	e = vtd_context_entry(0x7000ULL, 3, 1);
	assert_int_equal(e.lo, 0x7001ULL);
	assert_int_equal(e.hi, 0x101ULL);
	e = vtd_context_entry(0x7000ULL, 5, 0xffff);
	assert_int_equal(e.hi, 0xffff03ULL);
	assert_int_equal(e.hi & VTD_CTX_HI_RSVD, 0);
	assert_int_equal(VTD_CTX_DID(0xffff03ULL), 0xffff);
	assert_int_equal(VTD_CTX_LEVELS(0x123402ULL), 4);
}

static void test_second_stage_entries(void **state)
{
	(void)state;
	assert_int_equal(vtd_pte_table(0x5000ULL), 0x5003ULL);
	assert_int_equal(vtd_pte_leaf(0x3000ULL, 1, VTD_PTE_RW), 0x3003ULL);
	assert_int_equal(vtd_pte_leaf(0x200000ULL, 2, VTD_PTE_R), 0x200081ULL);
	assert_int_equal(vtd_pte_leaf(0x40000000ULL, 3, VTD_PTE_W), 0x40000082ULL);
	assert_true(vtd_pte_is_leaf(0x200081ULL, 2));
	assert_false(vtd_pte_is_leaf(0x5003ULL, 2));
	assert_true(vtd_pte_is_leaf(0x3001ULL, 1));
	assert_false(vtd_pte_present(0x5000ULL));
	assert_int_equal(VTD_LEVEL_INDEX(0x0000123456789000ULL, 4), 0x024);
	assert_int_equal(VTD_LEVEL_INDEX(0x0000123456789000ULL, 3), 0x0d1);
	assert_int_equal(VTD_LEVEL_INDEX(0x0000123456789000ULL, 2), 0x0b3);
	assert_int_equal(VTD_LEVEL_INDEX(0x0000123456789000ULL, 1), 0x189);
}

static void test_reserved_bits(void **state)
{
	(void)state;
	/* bits 51:39 above a 39-bit host address width */
	assert_int_equal(vtd_above_haw(39), 0x000fff8000000000ULL);
	assert_int_equal(vtd_above_haw(52), 0);
	/* 4 KiB leaf and tables: SNP (bit 11) */
	assert_int_equal(vtd_pte_reserved(1, true, 52), 0x800ULL);
	assert_int_equal(vtd_pte_reserved(2, false, 52), 0x800ULL);
	/* 2 MiB leaf: address bits 20:12; 1 GiB leaf: 29:12 */
	assert_int_equal(vtd_pte_reserved(2, true, 52), 0x1ff800ULL);
	assert_int_equal(vtd_pte_reserved(3, true, 52), 0x3ffff800ULL);
	/* PML4E: PS (bit 7) reserved */
	assert_int_equal(vtd_pte_reserved(4, false, 52), 0x880ULL);
	assert_int_equal(vtd_pte_reserved(1, true, 48), 0x000f000000000800ULL);
}

static void test_context_cache_descriptors(void **state)
{
	struct vtd_desc d;

	(void)state;
	d = vtd_desc_cc_global();
	assert_int_equal(d.lo, 0x11ULL);
	assert_int_equal(d.hi, 0);
	d = vtd_desc_cc_domain(7);
	assert_int_equal(d.lo, 0x70021ULL);
	d = vtd_desc_cc_device(7, 0x0108);
	assert_int_equal(d.lo, 0x0000010800070031ULL);
	assert_int_equal(d.hi, 0);
	assert_int_equal(d.lo & 0xfffc00000000ffc0ULL, 0); /* QEMU's reserved mask */
}

static void test_iotlb_descriptors(void **state)
{
	struct vtd_desc d;

	(void)state;
	d = vtd_desc_iotlb_global(0);
	assert_int_equal(d.lo, 0x12ULL);
	d = vtd_desc_iotlb_global(VTD_IOTLB_DR | VTD_IOTLB_DW);
	assert_int_equal(d.lo, 0xd2ULL);
	d = vtd_desc_iotlb_domain(3, 0);
	assert_int_equal(d.lo, 0x30022ULL);
	d = vtd_desc_iotlb_page(3, 0x12345000ULL, 0, false, 0);
	assert_int_equal(d.lo, 0x30032ULL);
	assert_int_equal(d.hi, 0x12345000ULL);
	d = vtd_desc_iotlb_page(0xffff, 0x200000ULL, 9, true, VTD_IOTLB_DR | VTD_IOTLB_DW);
	assert_int_equal(d.lo, 0xffff00f2ULL);
	assert_int_equal(d.hi, 0x200049ULL);
	assert_int_equal(d.lo & 0xffffffff0000ff00ULL, 0); /* QEMU's reserved masks */
	assert_int_equal(d.hi & 0xf80ULL, 0);
}

static void test_iec_and_wait_descriptors(void **state)
{
	struct vtd_desc d;

	(void)state;
	d = vtd_desc_iec_global();
	assert_int_equal(d.lo, 0x4ULL);
	d = vtd_desc_iec_index(0x10, 2);
	assert_int_equal(d.lo, 0x0000001010000014ULL);
	d = vtd_desc_wait(0x1004ULL, 0xabcd);
	/* type 5, SW (bit 5), never IF (bit 4), data in 63:32 */
	assert_int_equal(d.lo, 0x0000abcd00000025ULL);
	assert_int_equal(d.hi, 0x1004ULL);
	assert_int_equal(d.lo & 0xffffff80ULL, 0); /* QEMU's reserved mask */
	assert_int_equal(d.lo & VTD_WAIT_IF, 0);
}

/* §9.10, worked by hand: each field placed at its bit position. */
static void test_irte(void **state)
{
	struct vtd_irte e;

	(void)state;
	/* vector 0x41 (bits 23:16), xAPIC ID 2 at DST 15:8 = bits 47:40, P; SVT 01b (bit 82),
	 * SQ 00b, SID 00:03.0 = 0x0018 */
	e = vtd_irte_remapped(0x41, 0x02, vtd_irte_sid_exact(0x0018));
	assert_int_equal(e.lo, 0x0000020000410001ULL);
	assert_int_equal(e.hi, 0x0000000000040018ULL);
	/* vector 0xfe, ID 0xff; SVT 10b (bit 83), start bus 2 in SID 15:8, end bus 5 in 7:0 */
	e = vtd_irte_remapped(0xfe, 0xff, vtd_irte_sid_bus(2, 5));
	assert_int_equal(e.lo, 0x0000ff0000fe0001ULL);
	assert_int_equal(e.hi, 0x0000000000080205ULL);
	assert_int_equal(vtd_irte_vector(e), 0xfe);
	assert_int_equal(vtd_irte_xapic_id(e), 0xff);
	/* fields */
	assert_int_equal(VTD_IRTE_FPD, 0x2ULL);
	assert_int_equal(VTD_IRTE_DM_LOGICAL, 0x4ULL);
	assert_int_equal(VTD_IRTE_RH, 0x8ULL);
	assert_int_equal(VTD_IRTE_TM_LEVEL, 0x10ULL);
	assert_int_equal(VTD_IRTE_DLM_MASK, 0xe0ULL);
	assert_int_equal(VTD_IRTE_AVAIL_MASK, 0xf00ULL);
	assert_int_equal(VTD_IRTE_IM, 0x8000ULL);
	/* reserved: 14:12, 31:24; in xAPIC mode DST 7:0 (39:32) and 31:16 (63:48); hi 127:84 */
	assert_int_equal(VTD_IRTE_LO_RSVD, 0x00000000ff007000ULL);
	assert_int_equal(VTD_IRTE_LO_RSVD_XAPIC, 0xffff00ffff007000ULL);
	assert_int_equal(VTD_IRTE_HI_RSVD, 0xfffffffffff00000ULL);
	assert_int_equal(e.lo & VTD_IRTE_LO_RSVD_XAPIC, 0);
}

/* §10.4.30 and §10.4.4. */
static void test_irta_and_commands(void **state)
{
	(void)state;
	assert_int_equal(VTD_REG_IRTA, 0xb8);
	/* 256 entries: 2^(S + 1), S = 7; EIME is bit 11 */
	assert_int_equal(VTD_IRTA(0x12345000ULL, VTD_IRTA_S_256, false), 0x12345007ULL);
	assert_int_equal(VTD_IRTA(0x12345000ULL, VTD_IRTA_S_256, true), 0x12345807ULL);
	assert_int_equal(VTD_IRTA_ENTRIES(7), 256);
	assert_int_equal(VTD_IRTA_ENTRIES(0), 2);
	assert_int_equal(VTD_IRTA_ENTRIES(15), 65536);
	assert_int_equal(VTD_GCMD_CFI, 0x00800000U);
	assert_int_equal(VTD_GCMD_SIRTP, 0x01000000U);
	assert_int_equal(VTD_GCMD_IRE, 0x02000000U);
	assert_int_equal(VTD_GSTS_CFIS, 0x00800000U);
	assert_int_equal(VTD_GSTS_IRTPS, 0x01000000U);
	assert_int_equal(VTD_GSTS_IRES, 0x02000000U);
	/* §6.5.2.7: type 4, G bit 4 (index-selective), IM bits 31:27, IIDX bits 47:32 */
	assert_int_equal(vtd_desc_iec_index(0x1234, 3).lo, 0x0000123418000014ULL);
	assert_int_equal(vtd_desc_iec_index(0x1234, 3).hi, 0);
	assert_int_equal(vtd_desc_iec_index(0x00ff, 0).lo, 0x000000ff00000014ULL);
}

/* §5.1.2.2: 0xFEE in 31:20, handle[14:0] in 19:5, format bit 4, SHV bit 3, handle[15] bit 2. */
static void test_remappable_msi(void **state)
{
	(void)state;
	assert_int_equal(vtd_msi_remap_address(0), 0xfee00018ULL);
	assert_int_equal(vtd_msi_remap_address(5), 0xfee000b8ULL);
	assert_int_equal(vtd_msi_remap_address(0x7fff), 0xfeeffff8ULL);
	assert_int_equal(vtd_msi_remap_address(0x8001), 0xfee0003cULL);
	assert_int_equal(vtd_msi_remap_handle(0xfee000b8ULL), 5);
	assert_int_equal(vtd_msi_remap_handle(0xfee0003cULL), 0x8001);
	assert_int_equal(vtd_msi_remap_handle(0xfeeffff8ULL), 0x7fff);
}

static void test_fault_record(void **state)
{
	struct vtd_fault f;

	(void)state;
	/* F, T1 = 1 (read), reason 0x06, SID 00:02.0 (0x0010), page 0x12345000 */
	assert_true(vtd_fault_decode(0x12345000ULL, 0xc000000600000010ULL, &f));
	assert_int_equal(f.sid, 0x0010);
	assert_int_equal(f.reason, 6);
	assert_false(f.write);
	assert_false(f.interrupt);
	assert_int_equal(f.addr, 0x12345000ULL);
	/* a write, reason 0x05 */
	assert_true(vtd_fault_decode(0x4000ULL, 0x8000000500000108ULL, &f));
	assert_true(f.write);
	assert_int_equal(f.sid, 0x0108);
	/* an interrupt fault: index in FI bits 63:48 */
	assert_true(vtd_fault_decode(0x002a000000000000ULL, 0x8000002200000010ULL, &f));
	assert_true(f.interrupt);
	assert_int_equal(f.irq_index, 0x2a);
	assert_int_equal(f.addr, 0);
	/* F clear: no record */
	assert_false(vtd_fault_decode(0x1000ULL, 0x0000000500000010ULL, &f));
}

static void test_fault_reason_names(void **state)
{
	(void)state;
	assert_string_equal(vtd_fault_reason_name(0x01), "root entry not present");
	assert_string_equal(vtd_fault_reason_name(0x02), "context entry not present");
	assert_string_equal(vtd_fault_reason_name(0x04), "address beyond the domain's width");
	assert_string_equal(vtd_fault_reason_name(0x05), "write not permitted");
	assert_string_equal(vtd_fault_reason_name(0x06), "read not permitted");
	assert_string_equal(vtd_fault_reason_name(0x0c), "reserved bit in a paging entry");
	assert_string_equal(vtd_fault_reason_name(0x26), "interrupt source-ID check failed");
	assert_string_equal(vtd_fault_reason_name(0x00), "unknown fault reason");
	assert_string_equal(vtd_fault_reason_name(0x0e), "unknown fault reason");
	assert_string_equal(vtd_fault_reason_name(0xff), "unknown fault reason");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_register_offsets),
	        cmocka_unit_test(test_command_bits),
	        cmocka_unit_test(test_root_entry),
	        cmocka_unit_test(test_context_entry),
	        cmocka_unit_test(test_second_stage_entries),
	        cmocka_unit_test(test_reserved_bits),
	        cmocka_unit_test(test_context_cache_descriptors),
	        cmocka_unit_test(test_iotlb_descriptors),
	        cmocka_unit_test(test_iec_and_wait_descriptors),
	        cmocka_unit_test(test_irte),
	        cmocka_unit_test(test_irta_and_commands),
	        cmocka_unit_test(test_remappable_msi),
	        cmocka_unit_test(test_fault_record),
	        cmocka_unit_test(test_fault_reason_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

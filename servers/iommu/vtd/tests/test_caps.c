/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Capability decoding and the rules built on it, with the CAP/ECAP values
 * QEMU 7.2's intel-iommu reports (typed from vtd_init() in
 * hw/i386/intel_iommu.c): aw-bits 39 and 48, caching mode off and on,
 * interrupt remapping on; and units Ward must refuse. Also the one IOTLB
 * descriptor an invalidated range costs (PSI, address mask, MAMV).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "vtd.h"

/* FRO 0x22, NFR 0, ND 6, MAMV 18, PSI, SLLPS 2M+1G, SAGAW 39, MGAW 38, DRD+DWD */
#define QEMU_CAP_39  0x00d2008c22260206ULL
/* the same with SAGAW 39+48 and MGAW 47 */
#define QEMU_CAP_48  0x00d2008c222f0606ULL
#define QEMU_CAP_CM  (1ULL << 7)
#define QEMU_ECAP    0xf02ULL    /* IRO 0xf, QI */
#define QEMU_ECAP_IR 0xf00f0aULL /* with intremap=on: IR, MHMV */
#define QEMU_WINDOW  0x1000ULL

static void test_qemu_39(void **state)
{
	struct vtd_caps c;

	(void)state;
	vtd_caps_decode(0x10, QEMU_CAP_39, QEMU_ECAP, &c);
	assert_int_equal(c.mgaw, 39);
	assert_int_equal(c.levels, 1U << 3);
	assert_int_equal(c.domains, 65536);
	assert_int_equal(c.nfr, 1);
	assert_int_equal(c.fro, 0x220);
	assert_int_equal(c.iro, 0xf0);
	assert_int_equal(c.mamv, 18);
	assert_true(c.psi && c.sp_2m && c.sp_1g && c.qi && c.drain_read && c.drain_write);
	assert_false(c.cm || c.rwbf || c.coherent || c.ir);
	assert_int_equal(vtd_caps_check(&c, QEMU_WINDOW), VTD_OK);
	assert_int_equal(vtd_caps_levels_for_width(&c, 39), 3);
	assert_int_equal(vtd_caps_levels_for_width(&c, 32), 3);
	assert_int_equal(vtd_caps_levels_for_width(&c, 40), 0);
	assert_int_equal(vtd_caps_levels_for_width(&c, 48), 0);
	assert_int_equal(vtd_caps_max_width(&c), 39);
}

static void test_qemu_48_cm_ir(void **state)
{
	struct vtd_caps c;
	char line[160];

	(void)state;
	vtd_caps_decode(0x10, QEMU_CAP_48 | QEMU_CAP_CM, QEMU_ECAP_IR, &c);
	assert_int_equal(c.mgaw, 48);
	assert_int_equal(c.levels, (1U << 3) | (1U << 4));
	assert_true(c.cm);
	assert_true(c.ir);
	assert_int_equal(vtd_caps_levels_for_width(&c, 39), 3);
	assert_int_equal(vtd_caps_levels_for_width(&c, 40), 4);
	assert_int_equal(vtd_caps_levels_for_width(&c, 48), 4);
	assert_int_equal(vtd_caps_levels_for_width(&c, 49), 0);
	assert_int_equal(vtd_caps_levels_for_width(&c, 0), 0);
	assert_int_equal(vtd_caps_max_width(&c), 48);
	vtd_caps_describe(&c, line, sizeof(line));
	assert_string_equal(line,
	                    "ver 1.0 mgaw 48 depth 3 4 domains 65536 nfr 1 mamv 18 cm clflush "
	                    "qi psi 2m 1g drd dwd ir");
}

static void test_refusals(void **state)
{
	struct vtd_caps c;

	(void)state;
	vtd_caps_decode(0x10, QEMU_CAP_39, QEMU_ECAP & ~VTD_ECAP_QI, &c);
	assert_int_equal(vtd_caps_check(&c, QEMU_WINDOW), VTD_E_NO_QI);
	/* SAGAW bit 0 (2-level, withdrawn) only */
	vtd_caps_decode(0x10, (QEMU_CAP_39 & ~VTD_CAP_SAGAW_MASK) | (1ULL << 8), QEMU_ECAP, &c);
	assert_int_equal(vtd_caps_check(&c, QEMU_WINDOW), VTD_E_NO_DEPTH);
	/* scalable mode only: SMTS and no SAGAW */
	vtd_caps_decode(0x10, QEMU_CAP_39 & ~VTD_CAP_SAGAW_MASK, QEMU_ECAP | VTD_ECAP_SMTS, &c);
	assert_int_equal(vtd_caps_check(&c, QEMU_WINDOW), VTD_E_SCALABLE_ONLY);
	/* fault recording registers past a one-page window */
	vtd_caps_decode(0x10, (QEMU_CAP_39 & ~VTD_CAP_FRO_MASK) | (0x100ULL << 24), QEMU_ECAP, &c);
	assert_int_equal(vtd_caps_check(&c, QEMU_WINDOW), VTD_E_REGS_OUTSIDE);
	assert_int_equal(vtd_caps_check(&c, 2 * QEMU_WINDOW), VTD_OK);
	/* IOTLB registers in the window's last 16 bytes fit; one step further they do not */
	vtd_caps_decode(0x10, QEMU_CAP_39, (QEMU_ECAP & ~VTD_ECAP_IRO_MASK) | (0xffULL << 8), &c);
	assert_int_equal(vtd_caps_check(&c, QEMU_WINDOW), VTD_OK);
	vtd_caps_decode(0x10, QEMU_CAP_39, (QEMU_ECAP & ~VTD_ECAP_IRO_MASK) | (0x100ULL << 8), &c);
	assert_int_equal(vtd_caps_check(&c, QEMU_WINDOW), VTD_E_REGS_OUTSIDE);
}

static void test_domain_ids(void **state)
{
	struct vtd_caps c;

	(void)state;
	vtd_caps_decode(0x10, QEMU_CAP_39 & ~VTD_CAP_ND_MASK, QEMU_ECAP, &c);
	assert_int_equal(c.domains, 16); /* ND 0: 4 bits */
	vtd_caps_decode(0x10, (QEMU_CAP_39 & ~VTD_CAP_ND_MASK) | 2, QEMU_ECAP, &c);
	assert_int_equal(c.domains, 256); /* ND 2: 8 bits */
	vtd_caps_decode(0x10, QEMU_CAP_39 | 7, QEMU_ECAP, &c);
	assert_int_equal(c.domains, 65536); /* ND 7 is reserved: the field's 16 bits */
}

static void test_iotlb_range(void **state)
{
	struct vtd_caps c;
	struct vtd_desc d;

	(void)state;
	vtd_caps_decode(0x10, QEMU_CAP_39, QEMU_ECAP, &c);
	/* one 4 KiB page: AM 0 */
	d = vtd_iotlb_range(&c, 5, 0x1000, 0x1000, true);
	assert_int_equal(d.lo, 0x500f2ULL);
	assert_int_equal(d.hi, 0x1040ULL);
	/* [0x1000, 0x3000) crosses an 8 KiB boundary: AM 2 from 0 */
	d = vtd_iotlb_range(&c, 5, 0x1000, 0x2000, false);
	assert_int_equal(d.hi, 0x2ULL);
	/* a 2 MiB page: AM 9 */
	d = vtd_iotlb_range(&c, 5, 0x200000, 0x200000, false);
	assert_int_equal(d.hi, 0x200009ULL);
	/* 512 pages from 0x40000000: AM 9 */
	d = vtd_iotlb_range(&c, 5, 0x40000000, 512 * 0x1000, false);
	assert_int_equal(d.hi, 0x40000009ULL);
	/* 4 GiB needs AM 20 > MAMV 18: domain-selective */
	d = vtd_iotlb_range(&c, 5, 0, 1ULL << 32, false);
	assert_int_equal(d.lo, 0x500e2ULL);
	assert_int_equal(d.hi, 0);
	/* no PSI: always domain-selective, no drain without DRD/DWD */
	vtd_caps_decode(0x10, QEMU_CAP_39 & ~(VTD_CAP_PSI | VTD_CAP_DRD | VTD_CAP_DWD), QEMU_ECAP,
	                &c);
	d = vtd_iotlb_range(&c, 5, 0x1000, 0x1000, false);
	assert_int_equal(d.lo, 0x50022ULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_qemu_39),     cmocka_unit_test(test_qemu_48_cm_ir),
	        cmocka_unit_test(test_refusals),    cmocka_unit_test(test_domain_ids),
	        cmocka_unit_test(test_iotlb_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

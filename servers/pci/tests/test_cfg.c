/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * SBDF encoding, ECAM offset arithmetic and window range checks
 * (PCIe Base §7.2.2), and the error strings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "pci_core.h"

#define MIB (1ull << 20)

static void test_sbdf_encoding(void **state)
{
	uint32_t sbdf = PCI_SBDF(0x1234, 0xab, 0x1f, 7);

	(void)state;
	assert_int_equal(sbdf, 0x1234abff);
	assert_int_equal(PCI_SBDF_SEG(sbdf), 0x1234);
	assert_int_equal(PCI_SBDF_BUS(sbdf), 0xab);
	assert_int_equal(PCI_SBDF_DEV(sbdf), 0x1f);
	assert_int_equal(PCI_SBDF_FN(sbdf), 7);
	assert_int_equal(PCI_SBDF_DEVFN(sbdf), 0xff);
	assert_int_equal(PCI_SBDF_RID(sbdf), 0xabff);
	assert_int_equal(PCI_SBDF(0, 1, 2, 3), 0x0113);
	/* Out-of-range fields are masked, never bleed into neighbours. */
	assert_int_equal(PCI_SBDF(0, 0, 0x20, 8), 0);
	assert_int_equal(PCI_SBDF_FROM_RID(2, 0x0113), 0x00020113);
}

static void test_ecam_offsets(void **state)
{
	struct pci_ecam_window w = {
	        .base = 0xb0000000, .segment = 0, .start_bus = 0, .end_bus = 0xff};
	uint64_t off = 0;

	(void)state;
	assert_int_equal(pci_ecam_offset(&w, PCI_SBDF(0, 0, 0, 0), 0, 4, &off), PCI_OK);
	assert_int_equal(off, 0);
	assert_int_equal(pci_ecam_offset(&w, PCI_SBDF(0, 1, 2, 3), 0x100, 4, &off), PCI_OK);
	assert_int_equal(off, (1u << 20) | (2u << 15) | (3u << 12) | 0x100);
	assert_int_equal(pci_ecam_offset(&w, PCI_SBDF(0, 0xff, 0x1f, 7), 0xffc, 4, &off), PCI_OK);
	assert_int_equal(off, 256 * MIB - 4);
	assert_int_equal(pci_ecam_offset(&w, PCI_SBDF(0, 0, 0, 0), 0xfff, 1, &off), PCI_OK);
	assert_int_equal(off, 0xfff);
}

static void test_ecam_window_range(void **state)
{
	struct pci_ecam_window w = {
	        .base = 0xe0000000, .segment = 1, .start_bus = 0x10, .end_bus = 0x1f};
	uint64_t off = 0x5a5a;

	(void)state;
	/* Offsets are relative to the window's first bus. */
	assert_int_equal(pci_ecam_offset(&w, PCI_SBDF(1, 0x10, 0, 0), 8, 4, &off), PCI_OK);
	assert_int_equal(off, 8);
	assert_int_equal(pci_ecam_offset(&w, PCI_SBDF(1, 0x1f, 0, 0), 0, 4, &off), PCI_OK);
	assert_int_equal(off, 15 * MIB);
	off = 0x5a5a;
	assert_int_equal(pci_ecam_offset(&w, PCI_SBDF(1, 0x0f, 0, 0), 0, 4, &off), PCI_ERR_RANGE);
	assert_int_equal(pci_ecam_offset(&w, PCI_SBDF(1, 0x20, 0, 0), 0, 4, &off), PCI_ERR_RANGE);
	assert_int_equal(pci_ecam_offset(&w, PCI_SBDF(0, 0x10, 0, 0), 0, 4, &off), PCI_ERR_RANGE);
	assert_int_equal(pci_ecam_offset(&w, PCI_SBDF(1, 0x10, 0, 0), 0x1000, 1, &off),
	                 PCI_ERR_RANGE);
	assert_int_equal(pci_ecam_offset(&w, PCI_SBDF(1, 0x10, 0, 0), 0xffe, 4, &off),
	                 PCI_ERR_INVAL);
	assert_int_equal(pci_ecam_offset(&w, PCI_SBDF(1, 0x10, 0, 0), 0, 3, &off), PCI_ERR_INVAL);
	assert_int_equal(pci_ecam_offset(&w, PCI_SBDF(1, 0x10, 0, 0), 1, 2, &off), PCI_ERR_INVAL);
	/* Nothing written on error. */
	assert_int_equal(off, 0x5a5a);
	w.end_bus = 0x0f;
	assert_int_equal(pci_ecam_offset(&w, PCI_SBDF(1, 0x10, 0, 0), 0, 4, &off), PCI_ERR_INVAL);
}

static void test_ecam_span(void **state)
{
	struct pci_ecam_window w = {
	        .base = 0xe0000000, .segment = 0, .start_bus = 0x10, .end_bus = 0x1f};
	uint64_t phys = 0, len = 0;

	(void)state;
	assert_int_equal(pci_ecam_window_span(&w, &phys, &len), PCI_OK);
	assert_int_equal(phys, 0xe1000000);
	assert_int_equal(len, 16 * MIB);
	w.start_bus = 0;
	w.end_bus = 0xff;
	assert_int_equal(pci_ecam_window_span(&w, &phys, &len), PCI_OK);
	assert_int_equal(len, 256 * MIB);
	w.base = UINT64_MAX - MIB;
	assert_int_equal(pci_ecam_window_span(&w, &phys, &len), PCI_ERR_RANGE);
	w.base = 0;
	w.start_bus = 2;
	w.end_bus = 1;
	assert_int_equal(pci_ecam_window_span(&w, &phys, &len), PCI_ERR_INVAL);
}

static void test_strerror(void **state)
{
	enum pci_err e, f;

	(void)state;
	for (e = PCI_OK; e <= PCI_ERR_INVAL; e++) {
		assert_non_null(pci_strerror(e));
		for (f = PCI_OK; f < e; f++)
			assert_string_not_equal(pci_strerror(e), pci_strerror(f));
	}
	assert_string_equal(pci_strerror((enum pci_err)1000), "unknown error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_sbdf_encoding),     cmocka_unit_test(test_ecam_offsets),
	        cmocka_unit_test(test_ecam_window_range), cmocka_unit_test(test_ecam_span),
	        cmocka_unit_test(test_strerror),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

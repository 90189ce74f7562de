/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Host tests of the register rules (servers/pci/access.c) over a synthetic
 * ECAM window: one PCIe endpoint at 00:01.0 whose capabilities sit at known
 * offsets, so each protected range can be probed at its edges. The QEMU
 * test (tests/qemu/pci_server.c) checks the same rules on QEMU's devices;
 * this one covers the layouts QEMU's devices do not have (ATS, Resizable
 * BAR, a malformed extended list, multi-register writes across a boundary).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "pci_state.h"

#define FN    PCI_SBDF(0, 0, 1, 0)
#define MSI   0x40  /* 64-bit with per-vector masking: 0x40-0x57 */
#define MSIX  0x60  /* 0x60-0x6b */
#define EXP   0x70  /* Device Control at 0x78 */
#define ACS   0x100 /* 0x100-0x107 */
#define ATS   0x110 /* 0x110-0x117 */
#define REBAR 0x120 /* two BARs: 0x120-0x133 */
#define SRIOV 0x140 /* 0x140-0x17f */
#define VSEC  0x180 /* writable */

static uint8_t window[1 << 20] __attribute__((aligned(4096))); /* bus 0 */
static struct pci_server srv;
static struct pci_entry ent;
static struct ward_reply reply;
static struct ward_request rq;

/* The stub the handlers in access.c would call: not exercised here. */
enum ward_error pci_authorize(struct ward_request *r, uint64_t sbdf, unsigned arg,
                              bool privileged_only, struct pci_entry **out)
{
	(void)r, (void)sbdf, (void)arg, (void)privileged_only;
	*out = &ent;
	return WARD_OK;
}

static uint8_t *cfg(void)
{
	return window + ((uint64_t)PCI_SBDF_RID(FN) << PCI_ECAM_FN_SHIFT);
}

static void put16(unsigned off, uint16_t v)
{
	memcpy(cfg() + off, &v, 2);
}

static void put32(unsigned off, uint32_t v)
{
	memcpy(cfg() + off, &v, 4);
}

static void ext(unsigned off, unsigned id, unsigned next)
{
	put32(off, id | 1u << 16 | (uint32_t)next << 20);
}

static void build_function(void)
{
	memset(window, 0xff, sizeof(window));
	memset(cfg(), 0, PCI_CFG_SPACE_EXP_SIZE);
	put32(PCI_VENDOR_ID, 0x12341b36);
	put16(PCI_STATUS, PCI_STATUS_CAP_LIST);
	cfg()[PCI_CAPABILITY_LIST] = MSI;
	put16(MSI, PCI_CAP_ID_MSI | MSIX << 8);
	put16(MSI + PCI_MSI_FLAGS, PCI_MSI_FLAGS_64BIT | PCI_MSI_FLAGS_MASKBIT);
	put16(MSIX, PCI_CAP_ID_MSIX | EXP << 8);
	put16(EXP, PCI_CAP_ID_EXP);
	put16(EXP + PCI_EXP_FLAGS, 2 | PCI_EXP_TYPE_ENDPOINT << 4);
	ext(ACS, PCI_EXT_CAP_ID_ACS, ATS);
	ext(ATS, PCI_EXT_CAP_ID_ATS, REBAR);
	ext(REBAR, PCI_EXT_CAP_ID_REBAR, SRIOV);
	put32(REBAR + PCI_REBAR_CTRL, 2u << PCI_REBAR_CTRL_NBAR_SHIFT);
	ext(SRIOV, PCI_EXT_CAP_ID_SRIOV, VSEC);
	ext(VSEC, PCI_EXT_CAP_ID_VNDR, 0);
}

static int setup(void **state)
{
	(void)state;
	build_function();
	memset(&srv, 0, sizeof(srv));
	srv.cfg.necam = 1;
	srv.cfg.ecam[0].window = (struct pci_ecam_window){0, 0, 0, 0};
	srv.cfg.ecam[0].va = window;
	memset(&ent, 0, sizeof(ent));
	assert_int_equal(pci_dev_probe(&pci_ecam_ops, &srv, FN, &ent.dev), PCI_OK);
	ent.present = true;
	ent.cfg_size = PCI_CFG_SPACE_EXP_SIZE;
	memset(&rq, 0, sizeof(rq));
	rq.reply = &reply;
	rq.ctx = &srv;
	return 0;
}

static enum ward_error wr(unsigned off, unsigned width, uint64_t value)
{
	enum ward_error e = pci_access_check(&rq, &ent, off, width);

	return e != WARD_OK ? e : pci_access_write_check(&rq, &srv, &ent, off, width, value);
}

/* A refused write names the offset (MR0 = 1) and the protected range. */
static void assert_protected(unsigned off, unsigned width, uint64_t value, unsigned lo, unsigned hi)
{
	assert_int_equal(wr(off, width, value), PCI_ERR_PROTECTED);
	assert_int_equal(reply.mr[0], 1);
	assert_int_equal(reply.mr[1], lo);
	assert_int_equal(reply.mr[2], hi);
}

static void test_shape(void **state)
{
	(void)state;
	assert_int_equal(pci_access_check(&rq, &ent, 0, 3), WARD_ERR_INVALID_ARGUMENT);
	assert_int_equal(reply.mr[0], 2);
	assert_int_equal(pci_access_check(&rq, &ent, 0xffe, 4), WARD_ERR_RANGE);
	assert_int_equal(reply.mr[2], 0xffc);
	assert_int_equal(pci_access_check(&rq, &ent, 0x1000, 1), WARD_ERR_RANGE);
	assert_int_equal(pci_access_check(&rq, &ent, 0x42, 4), WARD_ERR_ALIGNMENT);
	ent.cfg_size = PCI_CFG_SPACE_SIZE;
	assert_int_equal(pci_access_check(&rq, &ent, 0x100, 4), WARD_ERR_RANGE);
	assert_int_equal(pci_access_check(&rq, &ent, 0xfc, 4), WARD_OK);
	assert_int_equal(wr(PCI_INTERRUPT_LINE, 1, 0x100), WARD_ERR_INVALID_ARGUMENT);
	assert_int_equal(reply.mr[0], 3);
}

static void test_header(void **state)
{
	(void)state;
	assert_protected(PCI_BASE_ADDRESS_0, 4, 0, PCI_BASE_ADDRESS_0, PCI_BASE_ADDRESS_0);
	assert_protected(PCI_ROM_ADDRESS, 4, 0, PCI_ROM_ADDRESS, PCI_ROM_ADDRESS);
	assert_protected(PCI_VENDOR_ID, 2, 0, 0, 0);
	/* Cache Line Size and Latency Timer yes, Header Type (same dword) no. */
	assert_int_equal(wr(PCI_CACHE_LINE_SIZE, 2, 0x0010), WARD_OK);
	assert_protected(PCI_CACHE_LINE_SIZE, 4, 0x10, PCI_HEADER_TYPE, PCI_HEADER_TYPE);
	assert_int_equal(wr(PCI_INTERRUPT_LINE, 1, 0x0b), WARD_OK);
	assert_protected(PCI_INTERRUPT_LINE, 2, 0x0b, PCI_INTERRUPT_PIN, PCI_INTERRUPT_PIN);
}

static void test_bus_master(void **state)
{
	(void)state;
	put16(PCI_COMMAND, PCI_COMMAND_MEMORY);
	assert_protected(PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, PCI_COMMAND,
	                 PCI_COMMAND + 1);
	assert_protected(PCI_COMMAND, 1, PCI_COMMAND_MASTER, PCI_COMMAND, PCI_COMMAND + 1);
	/* Command and Status in one write: fine while Bus Master Enable stays. */
	assert_int_equal(wr(PCI_COMMAND, 4, 0xffff0000u | PCI_COMMAND_INTX_DISABLE), WARD_OK);
	/* The high byte holds INTx Disable, not Bus Master Enable. */
	assert_int_equal(wr(PCI_COMMAND + 1, 1, PCI_COMMAND_INTX_DISABLE >> 8), WARD_OK);
	put16(PCI_COMMAND, PCI_COMMAND_MASTER);
	assert_protected(PCI_COMMAND, 2, 0, PCI_COMMAND, PCI_COMMAND + 1);
	assert_int_equal(wr(PCI_COMMAND, 2, PCI_COMMAND_MASTER | PCI_COMMAND_MEMORY), WARD_OK);
}

static void test_capabilities(void **state)
{
	(void)state;
	assert_protected(MSI + PCI_MSI_PENDING_64, 4, 0, MSI, MSI + PCI_MSI_PENDING_64 + 3);
	assert_protected(MSI, 1, 0, MSI, MSI + 0x17);
	assert_int_equal(wr(MSI + 0x18, 4, 0), WARD_OK);
	assert_protected(MSIX + PCI_MSIX_FLAGS, 2, 0, MSIX, MSIX + PCI_CAP_MSIX_SIZEOF - 1);
	assert_int_equal(wr(MSIX + PCI_CAP_MSIX_SIZEOF, 4, 0), WARD_OK);
	/* Initiate FLR, alone or inside a wider write; other Device Control bits are fine. */
	assert_protected(EXP + PCI_EXP_DEVCTL, 2, PCI_EXP_DEVCTL_BCR_FLR, EXP + PCI_EXP_DEVCTL,
	                 EXP + PCI_EXP_DEVCTL + 1);
	assert_protected(EXP + PCI_EXP_DEVCTL, 4, PCI_EXP_DEVCTL_BCR_FLR, EXP + PCI_EXP_DEVCTL,
	                 EXP + PCI_EXP_DEVCTL + 1);
	assert_int_equal(wr(EXP + PCI_EXP_DEVCTL, 2, PCI_EXP_DEVCTL_RELAX_EN), WARD_OK);
}

static void test_extended(void **state)
{
	(void)state;
	assert_protected(ACS + PCI_ACS_CTRL, 2, 0, ACS, ACS + PCI_ACS_EGRESS_CTL_V - 1);
	assert_protected(ATS + 4, 4, 0, ATS, ATS + PCI_EXT_CAP_ATS_SIZEOF - 1);
	assert_protected(REBAR + 0x10, 4, 0, REBAR, REBAR + 4 + 2 * 8 - 1);
	assert_int_equal(wr(REBAR + 0x14, 4, 0), WARD_OK); /* between REBAR and SR-IOV */
	assert_protected(SRIOV + PCI_SRIOV_CTRL, 2, PCI_SRIOV_CTRL_VFE, SRIOV,
	                 SRIOV + PCI_EXT_CAP_SRIOV_SIZEOF - 1);
	assert_int_equal(wr(VSEC + 8, 4, 0x12345678), WARD_OK);
}

/* A looping extended list: everything from 0x100 on is protected, below is not. */
static void test_malformed_list(void **state)
{
	(void)state;
	ext(VSEC, PCI_EXT_CAP_ID_VNDR, ATS);
	assert_protected(VSEC + 8, 4, 0, PCI_CFG_SPACE_SIZE, PCI_CFG_SPACE_EXP_SIZE - 1);
	assert_int_equal(wr(MSI + 0x18, 4, 0), WARD_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup(test_shape, setup),
	        cmocka_unit_test_setup(test_header, setup),
	        cmocka_unit_test_setup(test_bus_master, setup),
	        cmocka_unit_test_setup(test_capabilities, setup),
	        cmocka_unit_test_setup(test_extended, setup),
	        cmocka_unit_test_setup(test_malformed_list, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

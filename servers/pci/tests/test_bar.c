/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * BAR arithmetic and sizing walks against the synthetic config space:
 * size from read-back masks, type decoding, decode disabled while a BAR
 * holds all-ones, Command/Status/BAR values restored, type-1 headers,
 * 64-bit BARs (including >= 4 GiB and the malformed last-slot case) and
 * the expansion ROM.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "fake_cfg.h"

#define KIB          0x400ull
#define MIB          0x100000ull
#define GIB          0x40000000ull
#define DEV0         PCI_SBDF(0, 0, 3, 0)
#define CMD_ALL      (PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER)
#define STATUS_FLAGS 0xf910u /* error bits set, RW1C in the fake */
#define MEM64_PF     (PCI_BASE_ADDRESS_MEM_TYPE_64 | PCI_BASE_ADDRESS_MEM_PREFETCH)

static int setup(void **state)
{
	*state = fake_new();
	return 0;
}

static int teardown(void **state)
{
	fake_free(*state);
	return 0;
}

static void test_size_from_mask(void **state)
{
	(void)state;
	assert_int_equal(pci_bar_size_from_mask(0xfffff000, 0, false, false), 4 * KIB);
	assert_int_equal(pci_bar_size_from_mask(0xfff00008, 0, false, false), MIB);
	assert_int_equal(pci_bar_size_from_mask(0xfff0000c, 0xffffffff, false, true), MIB);
	/* Upper half sized too: an 8 GiB BAR has no writable bit in the low dword. */
	assert_int_equal(pci_bar_size_from_mask(0x0000000c, 0xfffffffe, false, true), 8 * GIB);
	assert_int_equal(pci_bar_size_from_mask(0x00000004, 0x80000000, false, true),
	                 0x8000000000000000ull);
	/* 16-bit I/O decoders return zero in bits 31:16. */
	assert_int_equal(pci_bar_size_from_mask(0x0000ffe1, 0, true, false), 0x20);
	assert_int_equal(pci_bar_size_from_mask(0xffffff01, 0, true, false), 0x100);
	assert_int_equal(pci_bar_size_from_mask(0xfffffffd, 0, true, false), 4);
	/* Unimplemented: nothing writable. */
	assert_int_equal(pci_bar_size_from_mask(0, 0, false, false), 0);
	assert_int_equal(pci_bar_size_from_mask(0x1, 0, true, false), 0);
	assert_int_equal(pci_bar_size_from_mask(0xc, 0, false, true), 0);
	/* The upper dword is ignored for 32-bit BARs. */
	assert_int_equal(pci_bar_size_from_mask(0xfffff000, 0xffffffff, false, false), 4 * KIB);
}

static void test_flags_and_base(void **state)
{
	(void)state;
	assert_int_equal(pci_bar_flags(0xc001), PCI_BAR_F_IO);
	assert_int_equal(pci_bar_flags(0xfebf0000), 0);
	assert_int_equal(pci_bar_flags(0x00000008), PCI_BAR_F_PREFETCH);
	assert_int_equal(pci_bar_flags(0x0000000c), PCI_BAR_F_MEM64 | PCI_BAR_F_PREFETCH);
	/* Obsolete below-1M (01b) and reserved (11b) types decode as 32-bit. */
	assert_int_equal(pci_bar_flags(0x2), 0);
	assert_int_equal(pci_bar_flags(0x6), 0);
	assert_int_equal(pci_bar_base(0xc041, 0xffffffff, PCI_BAR_F_IO), 0xc040);
	assert_int_equal(pci_bar_base(0xfe00000c, 0x1, PCI_BAR_F_MEM64), 0x1fe000000ull);
	assert_int_equal(pci_bar_base(0xfe000008, 0x1, PCI_BAR_F_PREFETCH), 0xfe000000ull);
	assert_int_equal(pci_header_bar_count(PCI_HEADER_TYPE_NORMAL), 6);
	assert_int_equal(pci_header_bar_count(PCI_HEADER_TYPE_BRIDGE | 0x80), 2);
	assert_int_equal(pci_header_bar_count(PCI_HEADER_TYPE_CARDBUS), 1);
	assert_int_equal(pci_header_bar_count(0x7f), 0);
}

/* A type-0 function with one BAR of each kind; decode enabled. */
static struct fake_fn *add_type0(struct fake_cfg *f)
{
	struct fake_fn *fn = fake_add(f, DEV0, 0x8086, 0x1234, 0, 0x020000);

	fake_bar(fn, PCI_BASE_ADDRESS_0, 4 * KIB, 0, 0xfebf0000);
	fake_bar(fn, PCI_BASE_ADDRESS_1, 32, PCI_BASE_ADDRESS_SPACE_IO, 0xc040);
	fake_bar(fn, PCI_BASE_ADDRESS_2, MIB, MEM64_PF, 0x800000000ull);
	fake_bar(fn, PCI_BASE_ADDRESS_4, 0, 0, 0);
	fake_bar(fn, PCI_BASE_ADDRESS_5, 64 * KIB, PCI_BASE_ADDRESS_MEM_PREFETCH, 0xfe000000);
	fake_set(fn, PCI_COMMAND, CMD_ALL, 2);
	fake_set(fn, PCI_STATUS, STATUS_FLAGS, 2);
	return fn;
}

static void test_probe_type0(void **state)
{
	struct fake_cfg *f = *state;
	struct fake_fn *fn = add_type0(f);
	struct pci_bar bars[PCI_STD_NUM_BARS];
	uint8_t before[PCI_CFG_SPACE_SIZE];
	unsigned n = 0;

	memcpy(before, fn->cfg, sizeof(before));
	assert_int_equal(pci_bars_probe(&fake_cfg_ops, f, DEV0, 0, bars, &n), PCI_OK);
	assert_int_equal(n, 6);
	assert_int_equal(bars[0].size, 4 * KIB);
	assert_int_equal(bars[0].base, 0xfebf0000);
	assert_int_equal(bars[0].flags, 0);
	assert_int_equal(bars[1].size, 32);
	assert_int_equal(bars[1].base, 0xc040);
	assert_int_equal(bars[1].flags, PCI_BAR_F_IO);
	assert_int_equal(bars[2].size, MIB);
	assert_int_equal(bars[2].base, 0x800000000ull);
	assert_int_equal(bars[2].flags, PCI_BAR_F_MEM64 | PCI_BAR_F_PREFETCH);
	assert_int_equal(bars[3].flags, PCI_BAR_F_UPPER);
	assert_int_equal(bars[3].size, 0);
	assert_int_equal(bars[4].size, 0);
	assert_int_equal(bars[5].size, 64 * KIB);
	assert_int_equal(bars[5].flags, PCI_BAR_F_PREFETCH);
	/* Decode was off while any BAR held all-ones; all registers restored. */
	assert_false(f->sized_decoding);
	assert_false(f->bad_access);
	assert_false(f->status_written);
	assert_memory_equal(before, fn->cfg, sizeof(before));
	assert_int_equal(fake_get(fn, PCI_COMMAND, 2), CMD_ALL);
	assert_int_equal(fake_get(fn, PCI_STATUS, 2), STATUS_FLAGS);
	assert_int_equal(fn->nwrites[PCI_COMMAND], 2);
}

static void test_probe_decode_already_off(void **state)
{
	struct fake_cfg *f = *state;
	struct fake_fn *fn = add_type0(f);
	struct pci_bar bars[PCI_STD_NUM_BARS];
	unsigned n;

	fake_set(fn, PCI_COMMAND, PCI_COMMAND_MASTER, 2);
	assert_int_equal(pci_bars_probe(&fake_cfg_ops, f, DEV0, 0, bars, &n), PCI_OK);
	/* Nothing to switch off, so the Command register is left alone. */
	assert_int_equal(fn->nwrites[PCI_COMMAND], 0);
	assert_int_equal(fake_get(fn, PCI_COMMAND, 2), PCI_COMMAND_MASTER);
}

static void test_probe_64bit_large(void **state)
{
	struct fake_cfg *f = *state;
	struct fake_fn *fn = fake_add(f, DEV0, 0x1af4, 0x1000, 0, 0x030000);
	struct pci_bar bars[PCI_STD_NUM_BARS];
	unsigned n;

	fake_bar(fn, PCI_BASE_ADDRESS_0, 16 * GIB, MEM64_PF, 0x4000000000ull);
	fake_bar(fn, PCI_BASE_ADDRESS_2, 256 * MIB, PCI_BASE_ADDRESS_MEM_TYPE_64, 0xc0000000);
	fake_set(fn, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	assert_int_equal(pci_bars_probe(&fake_cfg_ops, f, DEV0, 0, bars, &n), PCI_OK);
	assert_int_equal(bars[0].size, 16 * GIB);
	assert_int_equal(bars[0].base, 0x4000000000ull);
	assert_int_equal(bars[1].flags, PCI_BAR_F_UPPER);
	assert_int_equal(bars[2].size, 256 * MIB);
	assert_int_equal(bars[2].base, 0xc0000000);
	assert_int_equal(bars[2].flags, PCI_BAR_F_MEM64);
	assert_int_equal(bars[4].size, 0);
	assert_int_equal(bars[5].size, 0);
	assert_false(f->sized_decoding);
}

static void test_probe_64bit_last_slot(void **state)
{
	struct fake_cfg *f = *state;
	struct fake_fn *fn = fake_add(f, DEV0, 0x1234, 0x5678, 0, 0x020000);
	struct pci_bar bars[PCI_STD_NUM_BARS];
	unsigned n;

	fake_bar(fn, PCI_BASE_ADDRESS_0, 4 * KIB, 0, 0xfebf0000);
	/* Only the low register exists: the upper half would be beyond the array. */
	fake_set(fn, PCI_BASE_ADDRESS_5, 0xfe00000c, 4);
	fake_set_wmask(fn, PCI_BASE_ADDRESS_5, 0xfffff000, 4);
	fake_set(fn, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	assert_int_equal(pci_bars_probe(&fake_cfg_ops, f, DEV0, 0, bars, &n),
	                 PCI_ERR_MALFORMED_BAR);
	assert_int_equal(n, 6);
	assert_int_equal(bars[0].size, 4 * KIB);
	assert_int_equal(bars[5].size, 0);
	assert_int_equal(bars[5].flags, PCI_BAR_F_MEM64 | PCI_BAR_F_PREFETCH);
	assert_int_equal(fn->nwrites[PCI_BASE_ADDRESS_5], 0);
	/* Command restored on the error path too. */
	assert_int_equal(fake_get(fn, PCI_COMMAND, 2), PCI_COMMAND_MEMORY);
}

static void test_probe_type1(void **state)
{
	struct fake_cfg *f = *state;
	struct fake_fn *fn = fake_add(f, DEV0, 0x1b36, 0x000c, PCI_HEADER_TYPE_BRIDGE, 0x060400);
	struct pci_bar bars[PCI_STD_NUM_BARS];
	unsigned n = 0;

	fake_bar(fn, PCI_BASE_ADDRESS_0, 4 * KIB, 0, 0xfe800000);
	fake_bridge_buses(fn, 0, 1, 4);
	fake_set_wmask(fn, PCI_PRIMARY_BUS, 0xffffff, 4);
	fake_set(fn, PCI_COMMAND, CMD_ALL, 2);
	assert_int_equal(pci_bars_probe(&fake_cfg_ops, f, DEV0, PCI_HEADER_TYPE_BRIDGE, bars, &n),
	                 PCI_OK);
	assert_int_equal(n, 2);
	assert_int_equal(bars[0].size, 4 * KIB);
	assert_int_equal(bars[1].size, 0);
	/* 0x18 holds the bus numbers in a type-1 header: never touched. */
	assert_int_equal(fn->nwrites[PCI_PRIMARY_BUS], 0);
	assert_int_equal(fn->cfg[PCI_SECONDARY_BUS], 1);
	assert_int_equal(fn->cfg[PCI_SUBORDINATE_BUS], 4);
	assert_int_equal(fake_get(fn, PCI_COMMAND, 2), CMD_ALL);
	assert_false(f->sized_decoding);
}

static void test_rom(void **state)
{
	struct fake_cfg *f = *state;
	struct fake_fn *fn = fake_add(f, DEV0, 0x8086, 0x10d3, 0, 0x020000);
	struct fake_fn *br = fake_add(f, PCI_SBDF(0, 0, 4, 0), 0x8086, 0x1, 1, 0x060400);
	struct pci_bar rom;

	fake_set(fn, PCI_ROM_ADDRESS, 0xfeb80000 | PCI_ROM_ADDRESS_ENABLE, 4);
	fake_set_wmask(fn, PCI_ROM_ADDRESS, 0xffff0000 | PCI_ROM_ADDRESS_ENABLE, 4);
	fake_set(fn, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	assert_int_equal(pci_rom_probe(&fake_cfg_ops, f, DEV0, 0, &rom), PCI_OK);
	assert_int_equal(rom.size, 64 * KIB);
	assert_int_equal(rom.base, 0xfeb80000);
	assert_int_equal(rom.flags, PCI_BAR_F_ROM);
	assert_int_equal(fake_get(fn, PCI_ROM_ADDRESS, 4), 0xfeb80000 | PCI_ROM_ADDRESS_ENABLE);
	assert_int_equal(fake_get(fn, PCI_COMMAND, 2), PCI_COMMAND_MEMORY);
	assert_false(f->sized_decoding);

	fake_set(br, PCI_ROM_ADDRESS1, 0, 4);
	fake_set_wmask(br, PCI_ROM_ADDRESS1, 0xfffff800, 4);
	assert_int_equal(pci_rom_probe(&fake_cfg_ops, f, br->sbdf, 1, &rom), PCI_OK);
	assert_int_equal(rom.size, 2 * KIB);
	assert_int_equal(br->nwrites[PCI_ROM_ADDRESS], 0);

	fake_set_wmask(fn, PCI_ROM_ADDRESS, 0, 4);
	fake_set(fn, PCI_ROM_ADDRESS, 0, 4);
	assert_int_equal(pci_rom_probe(&fake_cfg_ops, f, DEV0, 0, &rom), PCI_OK);
	assert_int_equal(rom.size, 0);
	assert_int_equal(pci_rom_probe(&fake_cfg_ops, f, DEV0, PCI_HEADER_TYPE_CARDBUS, &rom),
	                 PCI_ERR_NOT_FOUND);
	assert_int_equal(rom.size, 0);
	assert_false(f->bad_access);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_size_from_mask),
	        cmocka_unit_test(test_flags_and_base),
	        cmocka_unit_test_setup_teardown(test_probe_type0, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_probe_decode_already_off, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_probe_64bit_large, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_probe_64bit_last_slot, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_probe_type1, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_rom, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

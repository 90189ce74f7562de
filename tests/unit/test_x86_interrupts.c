/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Interrupt message formats against numbers typed from the Intel SDM and
 * the 82093AA datasheet: MSI address and data, the LAPIC ICR, IOAPIC
 * redirection entries; and the device-vector allocator.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include "ioapic.h"
#include "lapic.h"
#include "msi.h"
#include "x86_regs.h"

/* SDM Vol. 3A §10.11.1-2: 0FEEH in bits 31:20, destination in 19:12, RH and DM clear;
 * data: vector, fixed delivery (000b), edge (bit 15 clear). */
static void msi_matches_the_sdm_layout(void **state)
{
	uint64_t address;
	uint32_t data;

	(void)state;
	assert_int_equal(msi_compose(0x41, 3, &address, &data), WARD_OK);
	assert_true(address == 0xfee03000ULL);
	assert_int_equal(data, 0x0041);
	assert_int_equal(msi_compose(0xdf, 0xff, &address, &data), WARD_OK);
	assert_true(address == 0xfeeff000ULL);
	assert_int_equal(data, 0x00df);
	assert_int_equal(address & (MSI_ADDRESS_RH | MSI_ADDRESS_DM_LOGICAL), 0);
	assert_int_equal(data & (MSI_DATA_TRIGGER_LEVEL | MSI_DATA_LEVEL_ASSERT | 0x700), 0);
}

static void msi_refuses_bad_arguments(void **state)
{
	uint64_t address = 7;
	uint32_t data = 7;

	(void)state;
	assert_int_equal(msi_compose(VEC_LAPIC_TIMER, 0, &address, &data),
	                 WARD_ERR_INVALID_ARGUMENT);
	assert_int_equal(msi_compose(0x2f, 0, &address, &data), WARD_ERR_INVALID_ARGUMENT);
	assert_int_equal(msi_compose(VEC_IPI_RESCHEDULE, 0, &address, &data),
	                 WARD_ERR_INVALID_ARGUMENT);
	assert_int_equal(msi_compose(VEC_SPURIOUS, 0, &address, &data), WARD_ERR_INVALID_ARGUMENT);
	assert_int_equal(msi_compose(0x40, 0x100, &address, &data), WARD_ERR_RANGE);
	assert_true(address == 7 && data == 7);
}

/* Every device vector exactly once, then exhaustion, reuse and the refusals. */
static void vector_allocator_hands_out_each_device_vector_once(void **state)
{
	unsigned v, seen = 0;

	(void)state;
	for (unsigned want = VEC_DEVICE_FIRST; want <= VEC_DEVICE_LAST; want++, seen++) {
		assert_int_equal(msi_vector_alloc(&v), WARD_OK);
		assert_int_equal(v, want);
	}
	assert_int_equal(seen, 0xdf - 0x30 + 1);
	assert_int_equal(msi_vector_alloc(&v), WARD_ERR_NOT_ENOUGH_MEMORY);
	assert_int_equal(msi_vector_free(0x45), WARD_OK);
	assert_int_equal(msi_vector_free(0x45), WARD_ERR_INVALID_ARGUMENT);
	assert_int_equal(msi_vector_alloc(&v), WARD_OK);
	assert_int_equal(v, 0x45);
	assert_int_equal(msi_vector_free(VEC_LAPIC_TIMER), WARD_ERR_INVALID_ARGUMENT);
	assert_int_equal(msi_vector_free(VEC_IPI_TLB_SHOOTDOWN), WARD_ERR_INVALID_ARGUMENT);
	assert_int_equal(msi_vector_free(VEC_SPURIOUS), WARD_ERR_INVALID_ARGUMENT);
	for (unsigned f = VEC_DEVICE_FIRST; f <= VEC_DEVICE_LAST; f++)
		assert_int_equal(msi_vector_free(f), WARD_OK);
	assert_int_equal(msi_vector_alloc(&v), WARD_OK);
	assert_int_equal(v, VEC_DEVICE_FIRST);
	assert_int_equal(msi_vector_free(v), WARD_OK);
}

/*
 * A freed vector goes to the back of the queue: every other free vector is
 * handed out before it again (least recently freed first).
 */
static void vector_allocator_reuses_least_recently_freed(void **state)
{
	unsigned v, first, again;

	(void)state;
	assert_int_equal(msi_vector_alloc(&first), WARD_OK);
	assert_int_equal(msi_vector_free(first), WARD_OK);
	for (unsigned n = 1; n < 0xdf - 0x30 + 1; n++) {
		assert_int_equal(msi_vector_alloc(&v), WARD_OK);
		assert_int_not_equal(v, first);
	}
	assert_int_equal(msi_vector_alloc(&again), WARD_OK);
	assert_int_equal(again, first);
	assert_int_equal(msi_vector_alloc(&v), WARD_ERR_NOT_ENOUGH_MEMORY);
	/* Freed in the order 0x50, 0x40: handed out in that order. */
	assert_int_equal(msi_vector_free(0x50), WARD_OK);
	assert_int_equal(msi_vector_free(0x40), WARD_OK);
	assert_int_equal(msi_vector_alloc(&v), WARD_OK);
	assert_int_equal(v, 0x50);
	assert_int_equal(msi_vector_alloc(&v), WARD_OK);
	assert_int_equal(v, 0x40);
	for (unsigned f = VEC_DEVICE_FIRST; f <= VEC_DEVICE_LAST; f++)
		assert_int_equal(msi_vector_free(f), WARD_OK);
}

/*
 * SDM Vol. 3A §8.4.4.1 broadcasts INIT as 000C4500H and SIPI as 000C46XXH;
 * without the all-excluding-self shorthand (bits 19:18) and with the
 * destination in ICR bits 63:56 (§10.6.1), these are Ward's per-CPU IPIs.
 */
static void icr_matches_the_sdm_examples(void **state)
{
	(void)state;
	assert_true(lapic_icr(2, LAPIC_ICR_INIT | LAPIC_ICR_ASSERT, 0) == 0x0200000000004500ULL);
	assert_true(lapic_icr(1, LAPIC_ICR_STARTUP | LAPIC_ICR_ASSERT, 0x08) ==
	            0x0100000000004608ULL);
	assert_true(lapic_icr(3, LAPIC_ICR_FIXED | LAPIC_ICR_ASSERT, VEC_IPI_TLB_SHOOTDOWN) ==
	            0x03000000000040f1ULL);
	assert_true(lapic_icr(0xfe, LAPIC_ICR_FIXED | LAPIC_ICR_ASSERT, 0x1f0) ==
	            0xfe000000000040f0ULL); /* the vector cannot spill into the mode bits */
}

/* 82093AA datasheet §3.2.4: vector 7:0, delivery 10:8, polarity 13, trigger 15,
 * mask 16, destination 63:56. */
static void ioapic_entry_matches_the_datasheet(void **state)
{
	(void)state;
	assert_true(ioapic_rte(0x31, true, true, 2) == 0x020000000000a031ULL);
	assert_true(ioapic_rte(0x31, false, false, 0) == 0x31ULL);
	assert_true(ioapic_rte(0x40, true, false, 0xff) == 0xff00000000008040ULL);
	assert_true((ioapic_rte(0x40, true, true, 1) & IOAPIC_RTE_MASKED) == 0);
	assert_int_equal(IOAPIC_VER_MAX_ENTRY(0x00170011), 23); /* 82093AA: 24 entries */
	assert_int_equal(IOAPIC_REG_REDTBL_LO(23), 0x3e);
	assert_int_equal(IOAPIC_REG_REDTBL_HI(23), 0x3f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(msi_matches_the_sdm_layout),
	        cmocka_unit_test(msi_refuses_bad_arguments),
	        cmocka_unit_test(vector_allocator_hands_out_each_device_vector_once),
	        cmocka_unit_test(vector_allocator_reuses_least_recently_freed),
	        cmocka_unit_test(icr_matches_the_sdm_examples),
	        cmocka_unit_test(ioapic_entry_matches_the_datasheet),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: BSD-2-Clause */
/* Message-info packing and untyped block splitting, against hand-computed values. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <kernel/boot_memory.h>
#include <kernel/untyped.h>
#include <ward/message.h>

static void msginfo_fields_round_trip(void **state)
{
	(void)state;
	ward_msginfo_t m = ward_msginfo(0x123456789ULL, 5, 2, 100);

	/* label << 12 | unwrapped << 9 | caps << 7 | length, as seL4 packs it. */
	assert_int_equal(m, (0x123456789ULL << 12) | (5 << 9) | (2 << 7) | 100);
	assert_int_equal(ward_msginfo_label(m), 0x123456789ULL);
	assert_int_equal(ward_msginfo_unwrapped(m), 5);
	assert_int_equal(ward_msginfo_extra_caps(m), 2);
	assert_int_equal(ward_msginfo_length(m), 100);
	/* Out-of-range fields are masked, never spill into their neighbours. */
	m = ward_msginfo(1, 9, 7, 200);
	assert_int_equal(ward_msginfo_label(m), 1);
	assert_int_equal(ward_msginfo_unwrapped(m), 1);
	assert_int_equal(ward_msginfo_extra_caps(m), 3);
	assert_int_equal(ward_msginfo_length(m), 200 & 0x7f);
}

static void untyped_blocks_are_aligned_powers_of_two(void **state)
{
	(void)state;
	struct ward_untyped_desc b[64];
	/* The free RAM of a 256 MiB q35 guest after the kernel took its part. */
	size_t n = boot_untyped_blocks(0x132000, 0xffe0000, 4, false, b, 64);
	uint64_t at = 0x132000;

	assert_true(n > 0 && n <= 64);
	for (size_t i = 0; i < n; i++) {
		uint64_t size = 1ULL << b[i].size_bits;
		assert_int_equal(b[i].phys_base, at);
		assert_int_equal(b[i].phys_base & (size - 1), 0);
		/* Maximal: doubling would misalign it or run past the end. */
		assert_true((at & (2 * size - 1)) != 0 || at + 2 * size > 0xffe0000);
		at += size;
	}
	/* No 128 MiB block fits: 0x8000000 + 128 MiB passes the end. Two of 64 MiB do. */
	unsigned biggest = 0, count_64m = 0;
	for (size_t i = 0; i < n; i++) {
		biggest = b[i].size_bits > biggest ? b[i].size_bits : biggest;
		count_64m += b[i].size_bits == 26;
	}
	assert_int_equal(biggest, 26);
	assert_int_equal(count_64m, 2);
	assert_int_equal(at, 0xffe0000);
	assert_int_equal(b[0].size_bits, 13); /* 0x132000 is 8 KiB aligned */
}

static void untyped_blocks_drop_unaligned_edges_and_report_count(void **state)
{
	(void)state;
	struct ward_untyped_desc b[2];
	size_t n = boot_untyped_blocks(0x1001, 0x5fff, 12, true, b, 2);

	/* Pages 0x2000..0x5000: 0x2000 (8 KiB), 0x4000 (4 KiB). */
	assert_int_equal(n, 2);
	assert_int_equal(b[0].phys_base, 0x2000);
	assert_int_equal(b[0].size_bits, 13);
	assert_int_equal(b[1].phys_base, 0x4000);
	assert_int_equal(b[1].size_bits, 12);
	assert_true(b[0].is_device);
	/* Capacity 1: still counts every block. */
	assert_int_equal(boot_untyped_blocks(0x1001, 0x5fff, 12, true, b, 1), 2);
	assert_int_equal(boot_untyped_blocks(0x5000, 0x5000, 12, true, b, 2), 0);
}

static void untyped_placement_aligns_and_counts(void **state)
{
	(void)state;
	uint64_t start, room;

	/* Empty 64 KiB untyped: sixteen 4 KiB frames fit, a seventeenth does not. */
	assert_true(untyped_fit(0, 16, 12, 16, &start, &room));
	assert_int_equal(start, 0);
	assert_int_equal(room, 16);
	assert_false(untyped_fit(0, 16, 12, 17, &start, &room));
	assert_int_equal(room, 16);
	/* 32 bytes used by an endpoint: a 2 KiB TCB starts at the next 2 KiB. */
	assert_true(untyped_fit(32, 16, 11, 1, &start, &room));
	assert_int_equal(start, 2048);
	assert_int_equal(room, 31);
	/* An object larger than the untyped, or a full untyped, has no room. */
	assert_false(untyped_fit(0, 12, 13, 1, &start, &room));
	assert_int_equal(room, 0);
	assert_false(untyped_fit(1ULL << 16, 16, 4, 1, &start, &room));
	assert_int_equal(room, 0);
	/* A count that would overflow start + count << bits is refused, not wrapped. */
	assert_false(untyped_fit(0, 47, 12, 1ULL << 62, &start, &room));
	assert_int_equal(room, 1ULL << 35);
	/* `used` beyond the size (a corrupt cap) is refused. */
	assert_false(untyped_fit((1ULL << 16) + 1, 16, 4, 1, &start, &room));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(msginfo_fields_round_trip),
	        cmocka_unit_test(untyped_blocks_are_aligned_powers_of_two),
	        cmocka_unit_test(untyped_blocks_drop_unaligned_edges_and_report_count),
	        cmocka_unit_test(untyped_placement_aligns_and_counts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

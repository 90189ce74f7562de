/* SPDX-License-Identifier: BSD-2-Clause */
/* The kernel's formatter against the results C's snprintf defines. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include <kernel/printf.h>

static char buf[64];

/* Some cases hand the formatter what the compiler would reject on sight. */
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-overflow"
#pragma GCC diagnostic ignored "-Wformat-extra-args"

static void integers_and_padding(void **state)
{
	(void)state;
	ksnprintf(buf, sizeof(buf), "%d|%5d|%-5d|%05d|%u", -42, 7, 7, -7, 4000000000U);
	assert_string_equal(buf, "-42|    7|7    |-0007|4000000000");
	ksnprintf(buf, sizeof(buf), "%x|%016lx|%lu|%zu", 0xbeefU, 0xffffffff80000000UL,
	          18446744073709551615UL, (size_t)12);
	assert_string_equal(buf, "beef|ffffffff80000000|18446744073709551615|12");
	ksnprintf(buf, sizeof(buf), "%ld", (long)INT64_MIN);
	assert_string_equal(buf, "-9223372036854775808");
}

static void strings_chars_pointers(void **state)
{
	(void)state;
	ksnprintf(buf, sizeof(buf), "[%s][%6s][%-6s][%c][%s]%%", "ab", "ab", "ab", 'z', (char *)0);
	assert_string_equal(buf, "[ab][    ab][ab    ][z][(null)]%");
	ksnprintf(buf, sizeof(buf), "%p", (void *)0x1234);
	assert_string_equal(buf, "0x0000000000001234");
}

static void truncation_terminates_and_reports_length(void **state)
{
	(void)state;
	char small[8];
	int n = ksnprintf(small, sizeof(small), "%s", "0123456789");
	assert_int_equal(n, 10);
	assert_string_equal(small, "0123456");
	assert_int_equal(ksnprintf(NULL, 0, "%d", 12345), 5);
}

static void unknown_conversion_is_printed_literally(void **state)
{
	(void)state;
	ksnprintf(buf, sizeof(buf), "%q%");
	assert_string_equal(buf, "%q");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(integers_and_padding),
	        cmocka_unit_test(strings_chars_pointers),
	        cmocka_unit_test(truncation_terminates_and_reports_length),
	        cmocka_unit_test(unknown_conversion_is_printed_literally),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

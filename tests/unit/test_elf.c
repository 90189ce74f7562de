/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ELF validation of the root task image: a real Ward program (passed as
 * argv[1]) must validate; synthetic images with one defect each must not.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include <kernel/elf.h>

#define LOW  0x400000ULL
#define HIGH 0x80000000ULL

static const char *real_image_path;
static uint8_t img[0x3000];

static struct elf64_ehdr *eh(void)
{
	return (struct elf64_ehdr *)img;
}

static struct elf64_phdr *ph(unsigned i)
{
	return (struct elf64_phdr *)(img + sizeof(struct elf64_ehdr)) + i;
}

/* Two segments: text (RX) at 0x401000 and data (RW) at 0x402000. */
static int setup(void **state)
{
	(void)state;
	memset(img, 0, sizeof(img));
	memcpy(eh()->e_ident,
	       "\x7f"
	       "ELF\x02\x01\x01",
	       7);
	eh()->e_type = ELF_TYPE_EXEC;
	eh()->e_machine = ELF_MACHINE_X86_64;
	eh()->e_version = 1;
	eh()->e_entry = 0x401010;
	eh()->e_phoff = sizeof(struct elf64_ehdr);
	eh()->e_phentsize = sizeof(struct elf64_phdr);
	eh()->e_phnum = 2;
	*ph(0) = (struct elf64_phdr){
	        ELF_PT_LOAD, ELF_PF_R | ELF_PF_X, 0x1000, 0x401000, 0x401000, 0x800, 0x800, 0x1000};
	*ph(1) = (struct elf64_phdr){
	        ELF_PT_LOAD, ELF_PF_R | ELF_PF_W, 0x2000, 0x402000, 0x402000, 0x100, 0x3000,
	        0x1000};
	return 0;
}

static enum elf_error check(size_t size)
{
	return elf_validate(img, size, LOW, HIGH);
}

static void synthetic_image_is_valid(void **state)
{
	(void)state;
	assert_int_equal(check(sizeof(img)), ELF_OK);
	assert_int_equal(elf_phdr(img, 1).p_memsz, 0x3000);
}

static void real_program_is_valid(void **state)
{
	(void)state;
	FILE *f = fopen(real_image_path, "rb");
	assert_non_null(f);
	static uint8_t buf[4 << 20];
	size_t n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	assert_true(n > sizeof(struct elf64_ehdr));
	assert_int_equal(elf_validate(buf, n, LOW, HIGH), ELF_OK);
	/* Cut inside the program headers: refused. */
	assert_int_equal(elf_validate(buf, 100, LOW, HIGH), ELF_ERR_PHDRS);
}

static void truncated_header(void **state)
{
	(void)state;
	assert_int_equal(check(63), ELF_ERR_TOO_SMALL);
}

static void wrong_class_or_magic(void **state)
{
	(void)state;
	img[4] = 1; /* ELFCLASS32 */
	assert_int_equal(check(sizeof(img)), ELF_ERR_NOT_ELF64);
	img[4] = 2;
	img[1] = 'e';
	assert_int_equal(check(sizeof(img)), ELF_ERR_NOT_ELF64);
}

static void wrong_type_or_machine(void **state)
{
	(void)state;
	eh()->e_type = 3; /* ET_DYN */
	assert_int_equal(check(sizeof(img)), ELF_ERR_NOT_EXEC_X86_64);
	eh()->e_type = ELF_TYPE_EXEC;
	eh()->e_machine = 3; /* EM_386 */
	assert_int_equal(check(sizeof(img)), ELF_ERR_NOT_EXEC_X86_64);
}

static void phdrs_outside_file_or_too_many(void **state)
{
	(void)state;
	eh()->e_phoff = sizeof(img) - 56;
	assert_int_equal(check(sizeof(img)), ELF_ERR_PHDRS);
	eh()->e_phoff = 0xffffffffffffffc0ULL;
	assert_int_equal(check(sizeof(img)), ELF_ERR_PHDRS);
	eh()->e_phoff = sizeof(struct elf64_ehdr);
	eh()->e_phnum = 0xffff;
	assert_int_equal(check(sizeof(img)), ELF_ERR_PHDRS);
}

static void segment_bytes_outside_file(void **state)
{
	(void)state;
	ph(0)->p_filesz = 0x10000;
	ph(0)->p_memsz = 0x10000;
	assert_int_equal(check(sizeof(img)), ELF_ERR_SEGMENT_FILE);
	setup(NULL);
	ph(0)->p_offset = 0xfffffffffffff000ULL; /* offset + filesz wraps */
	assert_int_equal(check(sizeof(img)), ELF_ERR_SEGMENT_FILE);
	setup(NULL);
	ph(1)->p_memsz = 0x50; /* filesz > memsz */
	assert_int_equal(check(sizeof(img)), ELF_ERR_SEGMENT_FILE);
}

static void segment_outside_user_range(void **state)
{
	(void)state;
	ph(1)->p_vaddr = 0xffffffff80002000ULL; /* kernel half */
	ph(1)->p_offset = 0x2000;
	assert_int_equal(check(sizeof(img)), ELF_ERR_SEGMENT_ADDR);
	setup(NULL);
	ph(1)->p_memsz = 0xfffffffffffff000ULL; /* vaddr + memsz wraps */
	assert_int_equal(check(sizeof(img)), ELF_ERR_SEGMENT_ADDR);
	setup(NULL);
	ph(0)->p_vaddr = 0x1000; /* below the image window (null page region) */
	assert_int_equal(check(sizeof(img)), ELF_ERR_SEGMENT_ADDR);
}

static void segment_misaligned(void **state)
{
	(void)state;
	ph(1)->p_vaddr = 0x402010;
	assert_int_equal(check(sizeof(img)), ELF_ERR_SEGMENT_ALIGN);
}

static void segments_overlapping(void **state)
{
	(void)state;
	ph(1)->p_vaddr = 0x401000 + 0x2000 - 0x2000; /* same page as text */
	ph(1)->p_offset = 0x1000;
	ph(1)->p_filesz = 0x10;
	assert_int_equal(check(sizeof(img)), ELF_ERR_SEGMENT_OVERLAP);
}

static void entry_outside_executable_segment(void **state)
{
	(void)state;
	eh()->e_entry = 0x402010; /* in the data segment */
	assert_int_equal(check(sizeof(img)), ELF_ERR_ENTRY);
}

static void no_loadable_segments(void **state)
{
	(void)state;
	ph(0)->p_type = 4; /* PT_NOTE */
	ph(1)->p_type = 4;
	assert_int_equal(check(sizeof(img)), ELF_ERR_NO_SEGMENTS);
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	        T(synthetic_image_is_valid),
	        T(real_program_is_valid),
	        T(truncated_header),
	        T(wrong_class_or_magic),
	        T(wrong_type_or_machine),
	        T(phdrs_outside_file_or_too_many),
	        T(segment_bytes_outside_file),
	        T(segment_outside_user_range),
	        T(segment_misaligned),
	        T(segments_overlapping),
	        T(entry_outside_executable_segment),
	        T(no_loadable_segments),
	};
	if (argc != 2) {
		fprintf(stderr, "usage: %s WARD-PROGRAM\n", argv[0]);
		return 2;
	}
	real_image_path = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}

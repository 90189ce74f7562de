/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Boot test, run as the root task: what the kernel set up before the first
 * user instruction (privilege, boot information, memory, TLS) and how the
 * debug system calls treat bad arguments.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <ward/sys.h>
#include "tap.h"

static int initialised_data = 0x5a5a;
static char zeroed_bss[8192];

static unsigned cpl(void)
{
	uint16_t cs;
	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	return cs & 3;
}

static uint64_t rflags(void)
{
	uint64_t f;
	__asm__ volatile("pushfq; popq %0" : "=r"(f));
	return f;
}

static void check_bootinfo(const struct ward_bootinfo *bi)
{
	uint64_t free_bytes = 0;

	tap_ok(bi != NULL && bi->magic == WARD_BOOTINFO_MAGIC &&
	               bi->version == WARD_BOOTINFO_VERSION,
	       "boot information page has Ward's magic and version %u", WARD_BOOTINFO_VERSION);
	tap_ok(bi->module_count == 2 && strcmp(bi->modules[0].name, "boot") == 0 &&
	               strcmp(bi->modules[1].name, "boot-payload") == 0,
	       "boot modules listed in order: boot, boot-payload (%u modules)", bi->module_count);
	tap_ok(strncmp(bi->modules[1].args, "alpha=1 beta=two cpus=", 22) == 0,
	       "module arguments passed through: '%s'", bi->modules[1].args);
	for (uint32_t i = 0; i < bi->region_count; i++)
		if (bi->regions[i].kind == WARD_MEM_FREE)
			free_bytes += bi->regions[i].size;
	/* The runner boots 256 MiB; firmware keeps a little of it. */
	tap_ok(free_bytes > (200ULL << 20) && free_bytes <= (256ULL << 20),
	       "memory map reports %llu MiB of RAM for a 256 MiB machine",
	       (unsigned long long)(free_bytes >> 20));
}

/*
 * The runner's scenario says how many CPUs it gave QEMU (cpus=N in the
 * payload's arguments); the kernel must have started every one. SeaBIOS
 * puts the RSDP in the BIOS area; ACPI also allows the EBDA's first KiB.
 */
static void check_cpus_and_acpi(const struct ward_bootinfo *bi)
{
	const char *arg = strstr(bi->modules[1].args, "cpus=");
	unsigned long expected = arg != NULL ? strtoul(arg + 5, NULL, 10) : 0;
	uint64_t rsdp = bi->acpi_rsdp;

	tap_ok(expected != 0 && bi->cpu_count == expected, "%u CPUs online, the runner started %lu",
	       bi->cpu_count, expected);
	tap_ok(rsdp % 16 == 0 && ((rsdp >= 0xe0000 && rsdp < 0x100000) ||
	                          (rsdp >= 0x80000 && rsdp < 0xa0000)),
	       "ACPI RSDP at 0x%llx, in the BIOS area or the EBDA", (unsigned long long)rsdp);
}

static void check_memory_and_cpu(void)
{
	int on_stack = 7;
	int ok = 1;

	tap_ok(cpl() == 3, "running in ring 3 (CS RPL %u)", cpl());
	tap_ok((rflags() & (1 << 9)) && !(rflags() & (3 << 12)),
	       "interrupts enabled and IOPL 0 in user mode");
	for (size_t i = 0; i < sizeof(zeroed_bss); i++)
		ok &= zeroed_bss[i] == 0;
	memset(zeroed_bss, 0xab, sizeof(zeroed_bss));
	tap_ok(ok && initialised_data == 0x5a5a && zeroed_bss[4095] == (char)0xab && on_stack == 7,
	       "ELF data loaded, bss zeroed and writable, stack usable");
	tap_ok(strtoul("0x1f", NULL, 16) == 31 && atoi("-12") == -12,
	       "musl strtoul and atoi from libc.a work");
}

static void check_syscall_validation(void)
{
	tap_ok(ward_debug_write((void *)0xffffffff80100000ULL, 16) == WARD_ERR_INVALID_ARGUMENT,
	       "debug write from a kernel address refused (invalid argument)");
	tap_ok(ward_debug_write((void *)0x10, 16) == WARD_ERR_INVALID_ARGUMENT,
	       "debug write from an unmapped user address refused (invalid argument)");
	tap_ok(ward_debug_write("x", 1 << 20) == WARD_ERR_RANGE,
	       "debug write longer than 4 KiB refused (range)");
	tap_ok(ward_set_tls_base(0xffff800000000000ULL) == WARD_ERR_INVALID_ARGUMENT,
	       "thread pointer in the kernel half refused (invalid argument)");
	errno = 0;
	strtoul("99999999999999999999999", NULL, 10);
	tap_ok(errno == ERANGE,
	       "errno lives in this thread's TLS block (strtoul overflow sets ERANGE)");
}

int main(void)
{
	tap_plan(15);
	check_memory_and_cpu();
	check_bootinfo(ward_bootinfo);
	check_cpus_and_acpi(ward_bootinfo);
	check_syscall_validation();
	return tap_exit_status();
}

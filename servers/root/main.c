/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The root task: the first user program. For now it shows that it runs in
 * ring 3 with the kernel's boot information, lists the boot modules, and
 * exits; later it builds the system from the boot modules.
 */
#include <stddef.h>
#include <stdint.h>
#include <ward/rt.h>

static unsigned current_privilege_level(void)
{
	uint16_t cs;
	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	return cs & 3;
}

int main(void)
{
	const struct ward_bootinfo *bi = ward_bootinfo;

	ward_printf("Ward root task running in ring %u\n", current_privilege_level());
	if (bi == NULL) {
		ward_printf("no boot information: cannot continue\n");
		return 1;
	}
	for (uint32_t i = 0; i < bi->module_count; i++)
		ward_printf("boot module %u: %s (%llu bytes)\n", i, bi->modules[i].name,
		            (unsigned long long)bi->modules[i].size);
	ward_printf("nothing more to start yet: exiting\n");
	return 0;
}

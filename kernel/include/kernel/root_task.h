/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef KERNEL_ROOT_TASK_H
#define KERNEL_ROOT_TASK_H

#include <kernel/boot_memory.h>
#include <ward/bootinfo.h>

/* User virtual addresses the kernel chooses for the root task. */
#define ROOT_TASK_STACK_TOP   0x00007fffffff0000ULL
#define ROOT_TASK_STACK_PAGES 16
#define ROOT_TASK_BOOTINFO    0x00007ffffff00000ULL
#define ROOT_TASK_IMAGE_LOW   0x0000000000400000ULL
#define ROOT_TASK_IMAGE_HIGH  0x0000000080000000ULL

/*
 * Loads boot module 0 (an ELF executable) into a new address space, maps
 * its stack and the boot information page, and runs it. Panics with the
 * reason if the module is not a loadable executable.
 */
__attribute__((noreturn)) void root_task_start(struct boot_memory *mem,
                                               const struct ward_bootinfo *info);

#endif

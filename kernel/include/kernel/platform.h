/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the generic kernel asks of the platform (platform/x86_64 implements
 * it). The generic kernel sees no registers, ports or page-table formats.
 */
#ifndef KERNEL_PLATFORM_H
#define KERNEL_PLATFORM_H

#include <stdint.h>
#include <stddef.h>

/* Writes one byte to the kernel console (COM1). */
void platform_console_putc(char c);

/* Stops the machine, reporting status to the host; never returns. */
__attribute__((noreturn)) void platform_halt(unsigned status);

#endif

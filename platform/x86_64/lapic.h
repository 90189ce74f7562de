/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Local APIC registers (xAPIC MMIO mode), SDM Vol. 3A §10.4.1, Table 10-1,
 * and the timer (§10.5.4). Offsets from the APIC base.
 */
#ifndef X86_LAPIC_H
#define X86_LAPIC_H

#include <stdint.h>

#define LAPIC_ID             0x020
#define LAPIC_EOI            0x0b0
#define LAPIC_SVR            0x0f0 /* Spurious Interrupt Vector */
#define LAPIC_SVR_ENABLE     (1U << 8)
#define LAPIC_LVT_TIMER      0x320
#define LAPIC_LVT_LINT0      0x350
#define LAPIC_LVT_LINT1      0x360
#define LAPIC_LVT_ERROR      0x370
#define LAPIC_LVT_MASKED     (1U << 16)
#define LAPIC_TIMER_PERIODIC (1U << 17)
#define LAPIC_TIMER_INIT     0x380
#define LAPIC_TIMER_CUR      0x390
#define LAPIC_TIMER_DIV      0x3e0
#define LAPIC_TIMER_DIV_16   0x3

#define LAPIC_TIMER_HZ 100

/* Enables this CPU's LAPIC and starts its periodic timer; returns the rate in Hz. */
unsigned lapic_init(uint64_t lapic_phys);
void lapic_eoi(void);
unsigned lapic_id(void);

#endif

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Local APIC registers (xAPIC MMIO mode), SDM Vol. 3A §10.4.1, Table 10-1,
 * the timer (§10.5.4) and the interrupt command register (§10.6.1). Offsets
 * from the APIC base, which is the same physical address on every CPU.
 */
#ifndef X86_LAPIC_H
#define X86_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

#define LAPIC_ID             0x020
#define LAPIC_EOI            0x0b0
#define LAPIC_SVR            0x0f0 /* Spurious Interrupt Vector */
#define LAPIC_SVR_ENABLE     (1U << 8)
#define LAPIC_ICR_LOW        0x300
#define LAPIC_ICR_HIGH       0x310
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

/*
 * The 64-bit ICR (Figure 10-12): ICR_HIGH holds bits 63:32, and writing
 * ICR_LOW sends. Physical destination mode, no shorthand: Ward always
 * names one APIC ID.
 */
#define LAPIC_ICR_VECTOR_MASK 0xffULL
#define LAPIC_ICR_FIXED       (0ULL << 8)
#define LAPIC_ICR_INIT        (5ULL << 8)
#define LAPIC_ICR_STARTUP     (6ULL << 8)
#define LAPIC_ICR_PENDING     (1ULL << 12) /* delivery status: send pending */
#define LAPIC_ICR_ASSERT      (1ULL << 14)
#define LAPIC_ICR_LEVEL       (1ULL << 15) /* trigger mode; INIT de-assert only */
#define LAPIC_ICR_DEST_SHIFT  56
#define LAPIC_MAX_XAPIC_ID    0xfe /* 0xff is the broadcast destination */

/* The ICR value for an IPI to `dest_apic_id`; `mode` is a delivery mode and flags. */
static inline uint64_t lapic_icr(unsigned dest_apic_id, uint64_t mode, unsigned vector)
{
	return ((uint64_t)dest_apic_id << LAPIC_ICR_DEST_SHIFT) | mode |
	       (vector & LAPIC_ICR_VECTOR_MASK);
}

/*
 * Boot CPU: masks the 8259s, enables this CPU's LAPIC, measures the timer
 * and the TSC against the PIT, starts the periodic timer; returns its rate
 * in Hz.
 */
unsigned lapic_init(uint64_t lapic_phys);

/* Application processor: enables its LAPIC and starts its timer with the
 * boot CPU's measurement. */
void lapic_init_ap(void);

void lapic_eoi(void);
unsigned lapic_id(void);

/* Sends `icr` (see lapic_icr()); false if the previous IPI never left. */
bool lapic_send(uint64_t icr);

/* TSC-based time, calibrated by lapic_init(); never use it before. */
uint64_t lapic_deadline_us(uint64_t us); /* the TSC value `us` from now */
void lapic_delay_us(uint64_t us);

/* TSC ticks per second, from the boot CPU's PIT calibration. */
uint64_t lapic_tsc_hz(void);

#endif

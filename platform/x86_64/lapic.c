/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Local APIC: enable, a periodic timer calibrated against PIT channel 2
 * (8254 datasheet: mode 0, gate through port 0x61), the TSC rate measured
 * over the same interval, and sending IPIs. The legacy 8259 PICs are
 * masked: Ward takes device interrupts through the IOAPIC and MSI only.
 * The boot CPU calibrates once; application processors reuse the result.
 * Each CPU touches only its own LAPIC (same address, per-CPU registers).
 */
#include <stdint.h>
#include "cpu.h"
#include "lapic.h"
#include "memory_layout.h"
#include "x86_regs.h"

#define PIC1_DATA    0x21
#define PIC2_DATA    0xa1
#define PIT_CH2      0x42
#define PIT_MODE     0x43
#define PIT_GATE     0x61
#define PIT_HZ       1193182
#define CALIBRATE_MS 10

#define ICR_IDLE_TIMEOUT_US 10000

static volatile uint32_t *lapic;
static uint32_t timer_period; /* timer ticks (divide by 16) per 1/LAPIC_TIMER_HZ s */
static uint64_t tsc_per_us = 1;

static uint32_t lapic_read(unsigned reg)
{
	return lapic[reg / 4];
}

static void lapic_write(unsigned reg, uint32_t v)
{
	lapic[reg / 4] = v;
}

/* LAPIC timer ticks (divide by 16) that elapse in CALIBRATE_MS of PIT time; sets tsc_per_us. */
static uint32_t calibrate(void)
{
	uint16_t count = PIT_HZ * CALIBRATE_MS / 1000;

	outb(PIT_GATE, (inb(PIT_GATE) & ~0x02) | 0x01); /* gate on, speaker off */
	outb(PIT_MODE, 0xb0);                           /* channel 2, lo/hi, mode 0 */
	outb(PIT_CH2, count & 0xff);
	outb(PIT_CH2, count >> 8);
	lapic_write(LAPIC_TIMER_DIV, LAPIC_TIMER_DIV_16);
	lapic_write(LAPIC_TIMER_INIT, 0xffffffff);
	uint64_t tsc_start = rdtsc();
	while (!(inb(PIT_GATE) & 0x20)) /* OUT2 goes high at terminal count */
		cpu_pause();
	uint32_t elapsed = 0xffffffff - lapic_read(LAPIC_TIMER_CUR);
	uint64_t tsc_elapsed = rdtsc() - tsc_start;
	lapic_write(LAPIC_TIMER_INIT, 0);
	tsc_per_us = tsc_elapsed / (CALIBRATE_MS * 1000);
	if (tsc_per_us == 0)
		tsc_per_us = 1;
	return elapsed;
}

static void lapic_enable(void)
{
	lapic_write(LAPIC_SVR, LAPIC_SVR_ENABLE | VEC_SPURIOUS);
	lapic_write(LAPIC_LVT_LINT0, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT1, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_LVT_ERROR, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED);
}

static void timer_start(void)
{
	lapic_write(LAPIC_TIMER_DIV, LAPIC_TIMER_DIV_16);
	lapic_write(LAPIC_LVT_TIMER, LAPIC_TIMER_PERIODIC | VEC_LAPIC_TIMER);
	lapic_write(LAPIC_TIMER_INIT, timer_period);
}

unsigned lapic_init(uint64_t lapic_phys)
{
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
	lapic = phys_to_virt(lapic_phys);
	lapic_enable();
	timer_period = calibrate() * (1000 / CALIBRATE_MS) / LAPIC_TIMER_HZ;
	if (timer_period == 0)
		timer_period = 1;
	timer_start();
	return LAPIC_TIMER_HZ;
}

void lapic_init_ap(void)
{
	lapic_enable();
	timer_start();
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

unsigned lapic_id(void)
{
	return lapic_read(LAPIC_ID) >> 24;
}

/* SDM Vol. 3A §10.6.1: wait for the delivery status to go idle, then write high, then low. */
bool lapic_send(uint64_t icr)
{
	uint64_t deadline = lapic_deadline_us(ICR_IDLE_TIMEOUT_US);

	while (lapic_read(LAPIC_ICR_LOW) & LAPIC_ICR_PENDING) {
		if (rdtsc() > deadline)
			return false;
		cpu_pause();
	}
	lapic_write(LAPIC_ICR_HIGH, icr >> 32);
	lapic_write(LAPIC_ICR_LOW, (uint32_t)icr);
	return true;
}

uint64_t lapic_deadline_us(uint64_t us)
{
	return rdtsc() + us * tsc_per_us;
}

void lapic_delay_us(uint64_t us)
{
	uint64_t deadline = lapic_deadline_us(us);

	while (rdtsc() < deadline)
		cpu_pause();
}

uint64_t lapic_tsc_hz(void)
{
	return tsc_per_us * 1000000;
}

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Local APIC: enable, and a periodic timer calibrated against PIT channel 2
 * (8254 datasheet: mode 0, gate through port 0x61). The legacy 8259 PICs
 * are masked: Ward takes device interrupts through the IOAPIC and MSI only.
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

static volatile uint32_t *lapic;

static uint32_t lapic_read(unsigned reg)
{
	return lapic[reg / 4];
}

static void lapic_write(unsigned reg, uint32_t v)
{
	lapic[reg / 4] = v;
}

/* LAPIC timer ticks (divide by 16) that elapse in CALIBRATE_MS of PIT time. */
static uint32_t calibrate(void)
{
	uint16_t count = PIT_HZ * CALIBRATE_MS / 1000;

	outb(PIT_GATE, (inb(PIT_GATE) & ~0x02) | 0x01); /* gate on, speaker off */
	outb(PIT_MODE, 0xb0);                           /* channel 2, lo/hi, mode 0 */
	outb(PIT_CH2, count & 0xff);
	outb(PIT_CH2, count >> 8);
	lapic_write(LAPIC_TIMER_DIV, LAPIC_TIMER_DIV_16);
	lapic_write(LAPIC_TIMER_INIT, 0xffffffff);
	while (!(inb(PIT_GATE) & 0x20)) /* OUT2 goes high at terminal count */
		cpu_pause();
	uint32_t elapsed = 0xffffffff - lapic_read(LAPIC_TIMER_CUR);
	lapic_write(LAPIC_TIMER_INIT, 0);
	return elapsed;
}

unsigned lapic_init(uint64_t lapic_phys)
{
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
	lapic = phys_to_virt(lapic_phys);
	lapic_write(LAPIC_SVR, LAPIC_SVR_ENABLE | VEC_SPURIOUS);
	lapic_write(LAPIC_LVT_LINT0, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT1, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_LVT_ERROR, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED);

	uint32_t per_period = calibrate() * (1000 / CALIBRATE_MS) / LAPIC_TIMER_HZ;
	if (per_period == 0)
		per_period = 1;
	lapic_write(LAPIC_TIMER_DIV, LAPIC_TIMER_DIV_16);
	lapic_write(LAPIC_LVT_TIMER, LAPIC_TIMER_PERIODIC | VEC_LAPIC_TIMER);
	lapic_write(LAPIC_TIMER_INIT, per_period);
	return LAPIC_TIMER_HZ;
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

unsigned lapic_id(void)
{
	return lapic_read(LAPIC_ID) >> 24;
}

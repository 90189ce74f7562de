/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The guest program: what runs inside a para-virtual guest (docs/vmm.md).
 * It is part of the monitor's image, which the monitor copies into each
 * guest as the guest's "ROM" (monitor.c), and it knows nothing but what a
 * guest of a real VM would: its boot page, its RAM at guest-physical
 * addresses, its device's BAR page at a guest-physical address and its
 * interrupt. Every address it gives the device is a GPA; the IOMMU
 * translates it through the guest's own domain (IOVA = GPA) to the frame
 * the guest's own CPU sees at that address.
 *
 * It makes no system call except waiting on its notification and
 * acknowledging its IRQHandler (a fault goes to the monitor, which stops it), keeps no static data
 * (the image's data is the monitor's snapshot), and prints nothing: it reports in its boot page,
 * which the monitor reads for GUEST_STATUS.
 *
 * A round: the pattern of (guest, round) written at SRC, edu's DMA SRC ->
 * its device buffer, then device buffer -> DST, each completed by edu's
 * MSI; DST must then hold the pattern. DST is written only by the device.
 * The device counts as gone when the monitor's device generation changed
 * or its ID register no longer reads edu's (the page that replaces a moved
 * device's BAR reads all ones): the program then stops using it and waits.
 */
#include <ward/invoke.h>
#include <ward/sys.h>

#include "edu_regs.h"
#include "vmm_guest.h"

static uint32_t rd32(uint64_t bar, unsigned reg)
{
	return *(volatile uint32_t *)(bar + reg);
}

static uint64_t rd64(uint64_t bar, unsigned reg)
{
	return *(volatile uint64_t *)(bar + reg);
}

static void wr32(uint64_t bar, unsigned reg, uint32_t v)
{
	*(volatile uint32_t *)(bar + reg) = v;
}

static void wr64(uint64_t bar, unsigned reg, uint64_t v)
{
	*(volatile uint64_t *)(bar + reg) = v;
}

static int present(struct vmm_boot *b, uint64_t gen)
{
	return b->device_gen == gen && b->device_bar != 0 &&
	       (rd32(b->device_bar, EDU_REG_ID) & EDU_ID_MAGIC_MASK) == EDU_ID_MAGIC;
}

/* One transfer of VMM_DMA_BYTES; 0 if the device went meanwhile. */
static int dma(struct vmm_boot *b, uint64_t gen, uint64_t src, uint64_t dst, uint64_t cmd)
{
	uint64_t bar = b->device_bar, badge;

	if (!present(b, gen))
		return 0;
	wr64(bar, EDU_REG_DMA_SRC, src);
	wr64(bar, EDU_REG_DMA_DST, dst);
	wr64(bar, EDU_REG_DMA_COUNT, VMM_DMA_BYTES);
	wr64(bar, EDU_REG_DMA_CMD, cmd | EDU_DMA_RUN | EDU_DMA_IRQ);
	for (;;) {
		badge = 0;
		ward_wait(VMM_GUEST_CAP_EVENTS, &badge); /* the MSI, or the monitor */
		if (!present(b, gen))
			return 0;
		if ((rd64(bar, EDU_REG_DMA_CMD) & EDU_DMA_RUN) == 0) {
			wr32(bar, EDU_REG_IRQ_ACK, rd32(bar, EDU_REG_IRQ_STATUS));
			ward_irq_handler_ack(VMM_GUEST_CAP_IRQ);
			return 1;
		}
	}
}

/* Rounds until the device goes (or SELFTEST's `arg` rounds are done): the state to report. */
static uint64_t drive(struct vmm_boot *b, uint64_t gen)
{
	volatile uint64_t *src = (volatile uint64_t *)(b->gpa + VMM_GUEST_SRC);
	volatile uint64_t *dst = (volatile uint64_t *)(b->gpa + VMM_GUEST_DST);
	unsigned words = VMM_DMA_BYTES / 8;

	if (b->gpa + VMM_GUEST_DST + VMM_DMA_BYTES > 1ULL << EDU_DMA_MASK_BITS) {
		b->detail = b->gpa + VMM_GUEST_DST; /* edu would clamp the address */
		return VMM_STATE_FAILED;
	}
	b->state = VMM_STATE_RUNNING;
	for (uint64_t r = 0;; r++) {
		int same = 1;

		for (unsigned i = 0; i < words; i++)
			src[i] = vmm_pattern(b->guest, r, i);
		if (!dma(b, gen, b->gpa + VMM_GUEST_SRC, EDU_DEVICE_BUFFER, 0) ||
		    !dma(b, gen, EDU_DEVICE_BUFFER, b->gpa + VMM_GUEST_DST, EDU_DMA_TO_RAM))
			return VMM_STATE_GONE;
		for (unsigned i = 0; i < words; i++)
			same &= dst[i] == vmm_pattern(b->guest, r, i);
		if (!same) {
			b->failures++;
			b->detail = r;
		}
		b->rounds++;
		if (b->program == VMM_PROGRAM_SELFTEST && b->rounds >= b->arg)
			return b->failures == 0 ? VMM_STATE_PASSED : VMM_STATE_FAILED;
	}
}

void vmm_guest_entry(struct vmm_boot *b)
{
	if (b->program == VMM_PROGRAM_FAULT) /* nothing is mapped there: the monitor's fault */
		b->detail = *(volatile uint64_t *)(b->gpa + b->memory);
	for (;;) {
		uint64_t gen = b->device_gen, badge;

		b->seen_gen = gen;
		if (b->program != VMM_PROGRAM_IDLE && b->device_bar != 0)
			b->state = drive(b, gen);
		else if (b->state != VMM_STATE_GONE)
			b->state = VMM_STATE_IDLE;
		while (b->device_gen == gen) { /* until the monitor plugs or unplugs */
			badge = 0;
			ward_wait(VMM_GUEST_CAP_EVENTS, &badge);
		}
	}
}

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The guest program: what runs inside a para-virtual guest (docs/vmm.md).
 * It is part of the monitor's image, which the monitor copies into each
 * guest as the guest's "ROM" (monitor.c), and it knows nothing but what a
 * guest of a real VM would: its boot page, its RAM at guest-physical
 * addresses, its devices' BAR pages at guest-physical addresses and their
 * interrupts. Every address it gives a device is a GPA; the IOMMU
 * translates it through the guest's own domain (IOVA = GPA) to the frame
 * the guest's own CPU sees at that address.
 *
 * Its system calls are its notification's (wait, poll), its IRQHandlers'
 * Ack and yield while it polls a controller (a fault goes to the monitor,
 * which stops it). Its static data, in its private copy of the image's
 * data, are its clock's rate and the notification bits it took and has not
 * acted on; it prints nothing and reports in its boot page, which the
 * monitor reads for GUEST_STATUS and GUEST_DEVICE.
 *
 * A device's interrupt is acknowledged at the kernel once for each time
 * its bit arrived, never before: the kernel holds a second interrupt as
 * pending until the first is acknowledged, so an early Ack (the transfer
 * seen done before its interrupt arrived) would leave the next one
 * undelivered, and a bit taken by a wait for another device is kept for
 * the one it belongs to.
 *
 * A round goes through every device it holds, by kind:
 *   edu   the pattern of (guest, round) written at SRC, edu's DMA SRC -> its
 *         buffer, then buffer -> DST, each completed by edu's MSI; DST
 *         (written only by the device) must then hold the pattern;
 *   NVMe  the real NVMe library (servers/drivers/nvme/nvme.c) with queues
 *         and data in guest RAM: on the first round the controller is
 *         brought up (waiting, as the VF's driver does, at most
 *         VMM_NVME_WAIT_MS for its controller to come online and a
 *         namespace to be attached) and the first active namespace found;
 *         each round writes VMM_NVME_BLOCKS stamped blocks (stamp.h) at
 *         VMM_NVME_LBA, reads them back into a zeroed page and checks them.
 * A device counts as gone when the monitor's device generation changed or
 * its registers read all ones (the page that replaces a moved device's
 * BAR): the program then stops using it and waits.
 */
#include <ward/invoke.h>
#include <ward/sys.h>

#include "edu_regs.h"
#include "nvme.h"
#include "stamp.h"
#include "vmm_guest.h"

_Static_assert(VMM_GUEST_NVME + NVME_CONTROL_PAGES * NVME_PAGE == VMM_NVME_WRITE &&
                       VMM_NVME_READ == VMM_NVME_WRITE + NVME_PAGE &&
                       VMM_NVME_BLOCKS * STAMP_BLOCK == NVME_PAGE,
               "vmm_guest.h's NVMe pages are the library's control area, then one page each");

static uint64_t tsc_per_ms; /* the guest's own copy: set at its entry */
static uint64_t events;     /* notification bits taken, not yet acted on */

/* Takes what the notification holds (waiting for something if `block`), keeping it in events. */
static void collect(int block)
{
	uint64_t badge = 0;

	if (block)
		ward_wait(VMM_GUEST_CAP_EVENTS, &badge);
	else
		ward_poll(VMM_GUEST_CAP_EVENTS, &badge);
	events |= badge;
}

/* True if slot's interrupt arrived: it is then acknowledged at the kernel, once. */
static int irq_taken(unsigned slot)
{
	if ((events & VMM_EVENT_IRQ(slot)) == 0)
		return 0;
	events &= ~(uint64_t)VMM_EVENT_IRQ(slot);
	ward_irq_handler_ack(VMM_GUEST_CAP_IRQ + slot);
	return 1;
}

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

static uint64_t now_ms(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32 | lo) / tsc_per_ms;
}

static int present(struct vmm_boot *b, uint64_t gen, unsigned slot)
{
	uint64_t bar = b->device[slot].bar;

	if (b->device_gen != gen || bar == 0)
		return 0;
	if (b->device[slot].kind == VMM_KIND_EDU)
		return (rd32(bar, EDU_REG_ID) & EDU_ID_MAGIC_MASK) == EDU_ID_MAGIC;
	return rd32(bar, NVME_REG_CSTS) != 0xffffffffu; /* all ones: removed */
}

/* ---- edu ---- */

/*
 * One transfer of VMM_DMA_BYTES; 0 if the device went meanwhile. It ends
 * with the transfer done and its interrupt taken. A transfer under way is
 * waited out while the device is still there, even when the monitor's
 * generation moved for another slot: edu ignores a new command while one
 * runs, so a round restarted early would take the old transfer's end for
 * its own, with the old round's bytes.
 */
static int dma(struct vmm_boot *b, uint64_t gen, unsigned slot, uint64_t src, uint64_t dst,
               uint64_t cmd)
{
	uint64_t bar = b->device[slot].bar;

	if (!present(b, gen, slot))
		return 0;
	wr64(bar, EDU_REG_DMA_SRC, src);
	wr64(bar, EDU_REG_DMA_DST, dst);
	wr64(bar, EDU_REG_DMA_COUNT, VMM_DMA_BYTES);
	wr64(bar, EDU_REG_DMA_CMD, cmd | EDU_DMA_RUN | EDU_DMA_IRQ);
	for (;;) {
		collect(1); /* the MSI, or the monitor */
		/* Moved away: the window reads all ones (or holds another kind of device). */
		if ((rd32(bar, EDU_REG_ID) & EDU_ID_MAGIC_MASK) != EDU_ID_MAGIC) {
			events &= ~(uint64_t)VMM_EVENT_IRQ(slot);
			return 0;
		}
		if ((rd64(bar, EDU_REG_DMA_CMD) & EDU_DMA_RUN) != 0) {
			irq_taken(slot); /* an earlier interrupt's: this transfer's comes at its end
			                  */
			continue;
		}
		if ((events & VMM_EVENT_IRQ(slot)) == 0)
			continue; /* done, its interrupt still on its way */
		wr32(bar, EDU_REG_IRQ_ACK, rd32(bar, EDU_REG_IRQ_STATUS));
		irq_taken(slot);
		return b->device_gen == gen;
	}
}

/* An edu round: 1 and whether the bytes were right (*same), 0 if the device went. */
static int edu_round(struct vmm_boot *b, uint64_t gen, unsigned slot, uint64_t r, int *same)
{
	volatile uint64_t *src = (volatile uint64_t *)(b->gpa + VMM_GUEST_SRC);
	volatile uint64_t *dst = (volatile uint64_t *)(b->gpa + VMM_GUEST_DST);
	unsigned words = VMM_DMA_BYTES / 8;

	for (unsigned i = 0; i < words; i++)
		src[i] = vmm_pattern(b->guest, r, i);
	if (!dma(b, gen, slot, b->gpa + VMM_GUEST_SRC, EDU_DEVICE_BUFFER, 0) ||
	    !dma(b, gen, slot, EDU_DEVICE_BUFFER, b->gpa + VMM_GUEST_DST, EDU_DMA_TO_RAM))
		return 0;
	*same = 1;
	for (unsigned i = 0; i < words; i++)
		*same &= dst[i] == vmm_pattern(b->guest, r, i);
	return 1;
}

/* ---- NVMe ---- */

struct guest_nvme {
	struct vmm_boot *b;
	uint64_t gen;
	unsigned slot;
	struct nvme_ctrl ctrl;
	int up; /* brought up since it was plugged */
};

/* The library's wait between polls: the MSI-X taken if it came, else the CPU given up. */
static int take(struct guest_nvme *n)
{
	collect(0);
	return irq_taken(n->slot);
}

static void nvme_wait(void *ctx)
{
	if (!take(ctx))
		ward_yield();
}

static void nvme_take(void *ctx)
{
	take(ctx);
}

static void pause_ms(uint64_t ms)
{
	uint64_t start = now_ms();

	while (now_ms() - start < ms)
		ward_yield();
}

/* Controller up, first active namespace of 512-byte blocks found; retried while not online. */
static enum nvme_err nvme_bring_up(struct guest_nvme *n)
{
	uint64_t start = now_ms();
	enum nvme_err err;

	for (;;) {
		uint32_t nsid;

		err = nvme_start(&n->ctrl);
		if (err == NVME_OK &&
		    (err = nvme_identify(&n->ctrl, NVME_CNS_ACTIVE_NS, 0, 0)) == NVME_OK) {
			nsid = *(volatile uint32_t *)nvme_identify_data(&n->ctrl);
			err = nsid != 0 ? nvme_namespace(&n->ctrl, nsid) : NVME_E_NAMESPACE;
		}
		if (err == NVME_OK)
			return n->ctrl.block_size == STAMP_BLOCK &&
			                       n->ctrl.blocks >= VMM_NVME_LBA + VMM_NVME_BLOCKS
			               ? NVME_OK
			               : NVME_E_NAMESPACE;
		if (!nvme_not_yet(&n->ctrl, err) || now_ms() - start >= VMM_NVME_WAIT_MS ||
		    !present(n->b, n->gen, n->slot))
			return err;
		pause_ms(50);
	}
}

/* An NVMe round: 1 and *same, 0 if the device went; 2 if the controller failed (detail). */
static int nvme_round(struct guest_nvme *n, int *same)
{
	uint64_t wgpa = n->b->gpa + VMM_NVME_WRITE, rgpa = n->b->gpa + VMM_NVME_READ;
	volatile uint8_t *out = (volatile uint8_t *)wgpa, *in = (volatile uint8_t *)rgpa;
	enum nvme_err err = NVME_OK;

	if (!n->up) {
		n->ctrl = (struct nvme_ctrl){
		        .regs = (volatile uint8_t *)n->b->device[n->slot].bar,
		        .control = {.va = (volatile uint8_t *)(n->b->gpa + VMM_GUEST_NVME),
		                    .iova = n->b->gpa + VMM_GUEST_NVME},
		        .wait = nvme_wait,
		        .take_interrupt = nvme_take,
		        .wait_ctx = n,
		        .now_ms = now_ms,
		        .interrupts = true,
		};
		err = nvme_bring_up(n);
		n->up = err == NVME_OK;
	}
	for (unsigned i = 0; err == NVME_OK && i < VMM_NVME_BLOCKS; i++) {
		stamp_make(out + i * STAMP_BLOCK, VMM_NVME_LBA + i, true);
		for (unsigned k = 0; k < STAMP_BLOCK; k++)
			in[i * STAMP_BLOCK + k] = 0;
	}
	if (err == NVME_OK)
		err = nvme_rw(&n->ctrl, true, VMM_NVME_LBA, VMM_NVME_BLOCKS, wgpa);
	if (err == NVME_OK)
		err = nvme_rw(&n->ctrl, false, VMM_NVME_LBA, VMM_NVME_BLOCKS, rgpa);
	if (!present(n->b, n->gen, n->slot))
		return 0;
	if (err != NVME_OK) {
		n->b->detail = VMM_DETAIL_NVME | (uint64_t)n->ctrl.last_status << 8 | err;
		return 2;
	}
	*same = 1;
	for (unsigned i = 0; i < VMM_NVME_BLOCKS; i++)
		*same &= stamp_is(in + i * STAMP_BLOCK, VMM_NVME_LBA + i, true);
	return 1;
}

/* ---- the program ---- */

/* Rounds until a device goes (or SELFTEST's `arg` rounds are done): the state to report. */
static uint64_t drive(struct vmm_boot *b, uint64_t gen)
{
	struct guest_nvme nvme[VMM_GUEST_DEVICES];

	for (unsigned s = 0; s < VMM_GUEST_DEVICES; s++)
		nvme[s] = (struct guest_nvme){.b = b, .gen = gen, .slot = s};
	for (unsigned s = 0; s < VMM_GUEST_DEVICES; s++)
		if (b->device[s].kind == VMM_KIND_EDU &&
		    b->gpa + VMM_GUEST_DST + VMM_DMA_BYTES > 1ULL << EDU_DMA_MASK_BITS) {
			b->detail = b->gpa + VMM_GUEST_DST; /* edu would clamp the address */
			return VMM_STATE_FAILED;
		}
	b->state = VMM_STATE_RUNNING;
	for (uint64_t r = 0;; r++) {
		int round_same = 1;

		for (unsigned s = 0; s < VMM_GUEST_DEVICES; s++) {
			volatile struct vmm_boot_device *d = &b->device[s];
			int same = 0, done;

			if (d->bar == 0)
				continue;
			done = d->kind == VMM_KIND_EDU ? edu_round(b, gen, s, r, &same)
			                               : nvme_round(&nvme[s], &same);
			if (done == 0)
				return VMM_STATE_GONE;
			if (done == 2)
				return VMM_STATE_FAILED;
			d->rounds++;
			if (!same) {
				d->failures++;
				round_same = 0;
			}
		}
		if (!round_same) {
			b->failures++;
			b->detail = r;
		}
		b->rounds++;
		if (b->program == VMM_PROGRAM_SELFTEST && b->rounds >= b->arg)
			return b->failures == 0 ? VMM_STATE_PASSED : VMM_STATE_FAILED;
	}
}

static int has_device(const struct vmm_boot *b)
{
	for (unsigned s = 0; s < VMM_GUEST_DEVICES; s++)
		if (b->device[s].bar != 0)
			return 1;
	return 0;
}

void vmm_guest_entry(struct vmm_boot *b)
{
	tsc_per_ms = b->tsc_hz / 1000 != 0 ? b->tsc_hz / 1000 : 1;
	if (b->program == VMM_PROGRAM_FAULT) /* nothing is mapped there: the monitor's fault */
		b->detail = *(volatile uint64_t *)(b->gpa + b->memory);
	for (;;) {
		uint64_t gen = b->device_gen;

		b->seen_gen = gen;
		if (gen % 2 != 0)
			; /* the monitor is rewriting a device slot: wait for the even generation */
		else if (b->program != VMM_PROGRAM_IDLE && has_device(b))
			b->state = drive(b, gen);
		else if (b->state != VMM_STATE_GONE)
			b->state = VMM_STATE_IDLE;
		while (b->device_gen == gen) /* until the monitor plugs or unplugs */
			collect(1);
	}
}

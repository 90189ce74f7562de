/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The NVMe driver on capabilities (nvme_ward.h). What the driver holds is
 * what it was granted: the device cap gives it BAR 0's register and
 * doorbell frames (DEVICE_BAR: never the MSI-X table, which only the PCI
 * server writes) and bus mastering; the interrupt is an IRQHandler the
 * IOMMU server hands out after writing a remapping entry that accepts
 * only this function's requester ID (DEVICE_IRQ_MSIX); every byte the
 * controller reads or writes is in buffers the IOMMU server lends into the
 * driver's domain (ALLOC_BUFFER), so the memory outlives neither the
 * server's record of it nor, through the domain, the device's access.
 *
 * Layout from w->va: BAR 0's first two frames (registers, doorbells),
 * a guard page, the control area (NVME_CONTROL_PAGES), a guard page, the
 * data pages.
 */
#include <proc/map.h>
#include <proc/slots.h>
#include <proc/untyped.h>
#include <ward/invoke.h>
#include <ward/object.h>
#include <ward/rt.h>
#include <ward/startinfo.h>
#include <ward/sys.h>

#include "iommu_client.h"
#include "nvme_ward.h"

#define BAR_PAGES    2u /* registers at 0, doorbells at 0x1000 (NVMe §3.1) */
#define IRQ_BADGE    1u
/*
 * Where the device sees the queues and the data: fixed, so traces and
 * fault records name known addresses, and never IOVA 0, which the
 * lowest-free choice of IOMMU_IOVA_ANY gives the first buffer of a domain
 * (a zero DMA address reads as "none" to much software). Data may take up
 * to 4 GiB less the 32 MiB below it.
 */
#define CONTROL_IOVA 0x1000000ULL
#define DATA_IOVA    0x2000000ULL

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

uint64_t nvme_ward_now_ms(void)
{
	uint64_t per_ms = ward_startinfo->tsc_hz / 1000;

	return rdtsc() / (per_ms ? per_ms : 1);
}

static enum ward_error map(uint64_t frame, uint64_t va)
{
	return proc_map_into(WARD_PROC_CAP_VSPACE, WARD_PROC_CAP_UNTYPED, frame, va,
	                     WARD_RIGHT_READ | WARD_RIGHT_WRITE);
}

static enum ward_error fail(struct nvme_ward *w, const char *step, enum ward_error err)
{
	if (err != WARD_OK && w->failed_step == NULL) {
		w->failed_step = step;
		w->failed_step_error = err;
	}
	return err;
}

static enum ward_error map_bar(struct nvme_ward *w)
{
	uint64_t phys, size, cmd;
	enum ward_error err = WARD_OK;

	for (unsigned i = 0; i < BAR_PAGES && err == WARD_OK; i++) {
		uint64_t slot = proc_slot_alloc();

		err = iommu_device_bar_into(w->device, WARD_PROC_CAP_CNODE, slot, w->sbdf, 0,
		                            i * NVME_PAGE, &phys, &size);
		if (err == WARD_OK)
			err = map(slot, w->va + i * NVME_PAGE);
	}
	if (err != WARD_OK)
		return fail(w, "DEVICE_BAR", err);
	return fail(w, "DEVICE_BUS_MASTER", iommu_device_bus_master(w->device, w->sbdf, 1, &cmd));
}

static enum ward_error take_irq(struct nvme_ward *w)
{
	enum ward_error err;
	uint64_t badged;

	w->handler = proc_slot_alloc();
	if ((err = proc_retype(WARD_PROC_CAP_UNTYPED, WARD_OBJ_NOTIFICATION, 0, &w->ntfn)) !=
	    WARD_OK)
		return fail(w, "notification", err);
	/* The handler signals through a badged copy: a poll tells a signal from none by its badge.
	 */
	badged = proc_slot_alloc();
	err = ward_cnode_mint(WARD_PROC_CAP_CNODE, badged, 64, WARD_PROC_CAP_CNODE, w->ntfn, 64,
	                      WARD_RIGHT_READ | WARD_RIGHT_WRITE, IRQ_BADGE);
	if (err != WARD_OK)
		return fail(w, "notification badge", err);
	err = iommu_device_irq_msix_into(w->device, WARD_PROC_CAP_CNODE, w->handler, w->sbdf, 0,
	                                 &w->vector, &w->irq_index);
	if (err != WARD_OK)
		return fail(w, "DEVICE_IRQ_MSIX", err);
	return fail(w, "IRQHandler_SetNotification",
	            ward_irq_handler_set_notification(w->handler, badged));
}

enum ward_error nvme_ward_lend(uint64_t domain, uint32_t pages, uint64_t at, uint64_t va,
                               uint64_t *buffer, uint64_t *iova)
{
	uint64_t frames, fsize, radix, lent = proc_slot_alloc();
	enum ward_error err = iommu_alloc_buffer(domain, (uint64_t)pages * NVME_PAGE, 0, at,
	                                         IOMMU_RIGHTS_ALL, buffer, iova, &frames, &fsize);

	if (err == (enum ward_error)IOMMU_ERR_BARE_IOVA) /* no IOMMU: the device sees physical */
		err = iommu_alloc_buffer(domain, (uint64_t)pages * NVME_PAGE, 0, IOMMU_IOVA_ANY,
		                         IOMMU_RIGHTS_ALL, buffer, iova, &frames, &fsize);

	if (err == WARD_OK)
		err = iommu_buffer_cnode_into(domain, WARD_PROC_CAP_CNODE, lent, *buffer, &frames,
		                              &fsize, &radix);
	for (uint64_t i = 0; err == WARD_OK && i < frames; i++) {
		uint64_t slot = proc_slot_alloc();

		err = iommu_frame_from_cnode(lent, radix, i, slot);
		if (err == WARD_OK)
			err = map(slot, va + i * fsize);
	}
	/* The copies are all the driver needs; they vanish with the buffer. */
	ward_cnode_delete(WARD_PROC_CAP_CNODE, lent, 64);
	return err;
}

/* Polls the interrupt's notification once: a signal is counted and acknowledged. */
static bool poll_irq(struct nvme_ward *w)
{
	uint64_t badge = 0;

	if (!w->use_irq)
		return false;
	ward_poll(w->ntfn, &badge);
	if (badge == 0)
		return false;
	w->interrupts++;
	ward_irq_handler_ack(w->handler);
	return true;
}

static void take_irq_signal(void *ctx)
{
	poll_irq(ctx);
}

/* Between polls of the completion queue: an interrupt taken, or the CPU given up. */
static void wait_irq(void *ctx)
{
	if (!poll_irq(ctx))
		ward_yield();
}

enum ward_error nvme_ward_attach(struct nvme_ward *w)
{
	uint64_t control_va = w->va + (BAR_PAGES + 1) * NVME_PAGE;
	uint64_t data_va = control_va + (NVME_CONTROL_PAGES + 1) * NVME_PAGE;
	uint64_t control_iova;
	enum ward_error err;

	if ((err = map_bar(w)) != WARD_OK || (w->use_irq && (err = take_irq(w)) != WARD_OK))
		return err;
	err = nvme_ward_lend(w->domain, NVME_CONTROL_PAGES, CONTROL_IOVA, control_va,
	                     &w->control_buffer, &control_iova);
	if (err != WARD_OK)
		return fail(w, "ALLOC_BUFFER (queues)", err);
	err = nvme_ward_lend(w->domain, w->data_pages, DATA_IOVA, data_va, &w->data_buffer,
	                     &w->data.iova);
	if (err != WARD_OK)
		return fail(w, "ALLOC_BUFFER (data)", err);
	w->data.va = (volatile uint8_t *)data_va;
	w->ctrl = (struct nvme_ctrl){
	        .regs = (volatile uint8_t *)w->va,
	        .control = {.va = (volatile uint8_t *)control_va, .iova = control_iova},
	        .wait = wait_irq,
	        .take_interrupt = w->use_irq ? take_irq_signal : NULL,
	        .wait_ctx = w,
	        .now_ms = nvme_ward_now_ms,
	        .interrupts = w->use_irq,
	};
	return WARD_OK;
}

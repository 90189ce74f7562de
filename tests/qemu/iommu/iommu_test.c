/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Helpers of the IOMMU server's QEMU tests (iommu_test.h).
 */
#include <string.h>
#include <ward/invoke.h>
#include <ward/object.h>
#include <ward/rt.h>
#include <ward/startinfo.h>
#include <ward/sys.h>

#include "../lib/wtest.h"
#include "iommu_test.h"
#include "pci_service.h"

/* PCI BUS_MASTER's second result, the Command register before the change. */
static uint64_t command_before;

#define EDU_VA 0x500000000000ULL

uint64_t t_ep, t_pci;

/*
 * Slots, objects and mappings are tests/qemu/lib's (wtest.h), set up on
 * first use: one allocator over the free slots, shared with client
 * processes (wclient.h) and anything else a test takes from there.
 */
static void use_wtest(void)
{
	static bool ready;

	if (!ready)
		wt_init();
	ready = true;
}

uint64_t t_slot(void)
{
	use_wtest();
	return wt_slot();
}

bool t_map(uint64_t frame, uint64_t va)
{
	use_wtest();
	return wt_map(frame, va, WT_RIGHTS_RW) == WARD_OK;
}

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static uint64_t ms_ticks(unsigned ms)
{
	return ward_startinfo->tsc_hz / 1000 * ms;
}

void t_sleep_ms(unsigned ms)
{
	uint64_t end = rdtsc() + ms_ticks(ms);

	while (rdtsc() < end)
		ward_yield();
}

bool t_wait_signal(uint64_t ntfn, unsigned ms)
{
	uint64_t end = rdtsc() + ms_ticks(ms), badge = 0;

	do {
		ward_poll(ntfn, &badge);
		if (badge != 0)
			return true;
		ward_yield();
	} while (rdtsc() < end);
	return false;
}

bool t_bytes_are(const void *p, uint8_t v, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != v)
			return false;
	return true;
}

uint64_t t_faults_taken(uint64_t dom)
{
	uint64_t d, b, by, f = 0, i, w;

	iommu_stats(dom, &d, &b, &by, &f, &i, &w);
	return f;
}

bool t_faults_logged(void)
{
	return strstr(ward_startinfo->args, "faults=unlogged") == NULL;
}

bool t_wait_faults(uint64_t dom, uint64_t count, unsigned ms)
{
	if (!t_faults_logged())
		return true;
	for (unsigned waited = 0; t_faults_taken(dom) < count; waited += 10) {
		if (waited >= ms)
			return false;
		t_sleep_ms(10);
	}
	return true;
}

uint64_t t_notification(void)
{
	use_wtest();
	return wt_obj(WARD_OBJ_NOTIFICATION, 0);
}

bool t_edu_find(unsigned n, struct edu *e)
{
	uint64_t next, count, s[PCI_LIST_BATCH], frame = t_slot();

	if (pci_list(t_pci, 0, PCI_LIST_KEY(0, 0x11e8, 0x1234), PCI_LIST_KEY_ID_MASK, 0, 0, &next,
	             &count, &s[0], &s[1], &s[2], &s[3], &s[4], &s[5], &s[6], &s[7]) != WARD_OK ||
	    n >= count || frame == 0)
		return false;
	*e = (struct edu){.sbdf = (uint32_t)s[n],
	                  .frame = frame,
	                  .bar = (volatile uint8_t *)(EDU_VA + n * (2ULL << 20))};
	return true;
}

bool t_edu(unsigned n, struct edu *e)
{
	uint64_t phys, size, cmd;
	enum ward_error err;

	if (!t_edu_find(n, e))
		return false;
	err = pci_map_bar_into(t_pci, WARD_PROC_CAP_CNODE, e->frame, e->sbdf, 0, 0, &phys, &size);
	if (err != WARD_OK || !t_map(e->frame, (uint64_t)e->bar)) {
		ward_printf("edu %u: MAP_BAR error %#x, mapping %s\n", n, err,
		            err == WARD_OK ? "failed" : "not tried");
		return false;
	}
	return pci_bus_master(t_pci, e->sbdf, 1, &cmd, &command_before) == WARD_OK &&
	       (*(volatile uint32_t *)(e->bar + EDU_ID) & 0xff) == 0xed;
}

bool t_edu_privileged(struct edu *e)
{
	uint64_t phys, size, cmd;

	ward_cnode_delete(WARD_PROC_CAP_CNODE, e->frame, 64);
	return pci_map_bar_into(t_pci, WARD_PROC_CAP_CNODE, e->frame, e->sbdf, 0, 0, &phys,
	                        &size) == WARD_OK &&
	       t_map(e->frame, (uint64_t)e->bar) &&
	       pci_bus_master(t_pci, e->sbdf, 1, &cmd, &command_before) == WARD_OK;
}

static enum ward_error edu_assignment(struct edu *e)
{
	uint64_t group, members;

	if (e->assign != 0)
		return WARD_OK;
	if ((e->assign = t_slot()) == 0 || (e->device = t_slot()) == 0)
		return WARD_ERR_NOT_ENOUGH_MEMORY;
	return iommu_assignment_into(t_ep, WARD_PROC_CAP_CNODE, e->assign, e->sbdf, &group,
	                             &members);
}

enum ward_error t_attach(uint64_t dom, struct edu *e, uint64_t flags)
{
	uint64_t moved, gen, phys, size, cmd;
	enum ward_error err;

	if ((err = edu_assignment(e)) != WARD_OK)
		return err;
	ward_cnode_delete(WARD_PROC_CAP_CNODE, e->device, 64);
	err = iommu_assign_into(e->assign, WARD_PROC_CAP_CNODE, e->device, e->sbdf, flags, dom,
	                        &moved, &gen);
	if (err != WARD_OK)
		return err;
	ward_cnode_delete(WARD_PROC_CAP_CNODE, e->frame, 64);
	if ((err = iommu_device_bar_into(e->device, WARD_PROC_CAP_CNODE, e->frame, e->sbdf, 0, 0,
	                                 &phys, &size)) != WARD_OK)
		return err;
	if (!t_map(e->frame, (uint64_t)e->bar))
		return WARD_ERR_FAILED_LOOKUP;
	return iommu_device_bus_master(e->device, e->sbdf, 1, &cmd);
}

enum ward_error t_detach(struct edu *e, uint64_t flags)
{
	uint64_t moved;
	enum ward_error err;

	if ((err = edu_assignment(e)) != WARD_OK)
		return err;
	return iommu_release(e->assign, e->sbdf, flags, &moved);
}

bool t_edu_dma(struct edu *e, uint64_t src, uint64_t dst, uint32_t count, bool to_ram)
{
	uint64_t end = rdtsc() + ms_ticks(5000);

	*(volatile uint64_t *)(e->bar + EDU_DMA_SRC) = src;
	*(volatile uint64_t *)(e->bar + EDU_DMA_DST) = dst;
	*(volatile uint64_t *)(e->bar + EDU_DMA_COUNT) = count;
	*(volatile uint64_t *)(e->bar + EDU_DMA_CMD) =
	        EDU_CMD_START | (to_ram ? EDU_CMD_TO_RAM : 0);
	while (*(volatile uint64_t *)(e->bar + EDU_DMA_CMD) & EDU_CMD_START) {
		if (rdtsc() > end)
			return false;
		ward_yield();
	}
	return true;
}

/* Maps frame i of a lent CNode at va + i * fsize; *slot its copy (frame 0's for the caller). */
static enum ward_error map_from_cnode(uint64_t lent, uint64_t radix, uint64_t i, uint64_t va,
                                      uint64_t *slot)
{
	enum ward_error err;

	if ((*slot = t_slot()) == 0)
		return WARD_ERR_NOT_ENOUGH_MEMORY;
	if ((err = iommu_frame_from_cnode(lent, radix, i, *slot)) != WARD_OK)
		ward_printf("copying frame %llu out of the lent CNode: error %#x\n",
		            (unsigned long long)i, err);
	else if (!t_map(*slot, va))
		err = WARD_ERR_FAILED_LOOKUP;
	return err;
}

enum ward_error t_buffer_cnode(uint64_t dom, uint64_t buf, uint64_t va, uint64_t lent,
                               uint64_t *frame_slot, uint64_t *radix_out)
{
	uint64_t frames, fsize, radix = 0, slot;
	enum ward_error err = iommu_buffer_cnode_into(dom, WARD_PROC_CAP_CNODE, lent, buf, &frames,
	                                              &fsize, &radix);

	if (radix_out != NULL)
		*radix_out = radix;
	if (err != WARD_OK)
		ward_printf("BUFFER_CNODE error %#x\n", err);
	for (uint64_t i = 0; err == WARD_OK && i < frames; i++) {
		err = map_from_cnode(lent, radix, i, va + i * fsize, &slot);
		if (i == 0 && frame_slot != NULL)
			*frame_slot = slot;
	}
	return err;
}

enum ward_error t_buffer(uint64_t dom, uint64_t size, uint64_t iova, unsigned rights, uint64_t va,
                         uint64_t *buf, uint64_t *iova_used, uint64_t *frame_slot)
{
	uint64_t frames, fsize, lent = t_slot();
	enum ward_error err =
	        iommu_alloc_buffer(dom, size, 0, iova, rights, buf, iova_used, &frames, &fsize);

	if (err != WARD_OK)
		ward_printf("ALLOC_BUFFER error %#x\n", err);
	if (err == WARD_OK)
		err = t_buffer_cnode(dom, *buf, va, lent, frame_slot, NULL);
	/* The copies out of it are all the client needs; they vanish with the buffer too. */
	ward_cnode_delete(WARD_PROC_CAP_CNODE, lent, 64);
	return err;
}

enum ward_error t_dump(uint64_t *domains, uint64_t *contexts, uint64_t *ptes)
{
	uint64_t units;

	return iommu_dump(t_ep, IOMMU_DUMP_QUIET, &units, domains, contexts, ptes);
}

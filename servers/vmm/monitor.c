/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The VM monitor's mechanism (docs/vmm.md): para-virtual guests built from
 * the monitor's own memory and lent DMA memory, and the devices its
 * manifest lets it assign, moved between them through the IOMMU server's
 * ordinary protocol.
 *
 * A guest is
 *   - an IOMMU domain of its own (CREATE_DOMAIN through the monitor's
 *     client cap: the monitor's quota), 39 bits wide;
 *   - its RAM: one buffer lent in that domain at IOVA = GPA, made of 2 MiB
 *     frames (ALLOC_BUFFER with the GPA as IOVA, one request), whose frame
 *     caps come in one BUFFER_CNODE; each frame is mapped twice, at its GPA
 *     in the guest's VSpace and at a view address of the monitor's (the
 *     boot page, GUEST_HASH). Both mappings are copies of the IOMMU
 *     server's caps: FREE_BUFFER revokes them with the memory;
 *   - a process: CNode, PML4, TCB, notification, its paging structures,
 *     a copy of the monitor's image (the guest program, guest.c) at the
 *     image's addresses, stack and IPC buffer above every GPA, all retyped
 *     from an untyped of the monitor's kept per guest slot: destroying the
 *     guest is one Revoke of it.
 * A device is plugged into a free device slot of a guest by ASSIGN into
 * its domain (the device cap comes back), DEVICE_BAR (BAR 0's first page,
 * an NVMe controller's first two: registers and doorbells, never its MSI-X
 * table, mapped at the slot's GPA in the guest), the DMA an earlier owner
 * left waited out through a view of page 0 (edu has no reset, docs/iommu.md
 * §13: its DMA is waited for; an NVMe controller is disabled, CC.EN 0),
 * DEVICE_IRQ or DEVICE_IRQ_MSIX vector 0 (the IRQHandler bound to the
 * guest's notification with the slot's badge, a copy in the guest's
 * CSpace), bus mastering on, and the boot page's device generation moved
 * on. Unplugging (a move away, a release) stops the guest's CPU (TCB
 * Suspend) around the move, so that the guest never touches the BAR
 * between its revocation and the pages of all ones that replace it.
 */
#include <string.h>
#include <ward/invoke.h>
#include <ward/object.h>
#include <ward/rt.h>
#include <ward/sys.h>
#include <proc/map.h>
#include <proc/slots.h>
#include <proc/untyped.h>

#include "edu_regs.h"
#include "iommu.h"
#include "nvme_spec.h"
#include "iommu_badge.h"
#include "iommu_client.h"
#include "vmm.h"
#include "vmm_state.h"
#include "vmm_server.h"

#define CN       WARD_PROC_CAP_CNODE
#define RW       (WARD_RIGHT_READ | WARD_RIGHT_WRITE)
#define R_X      (WARD_RIGHT_READ | WARD_RIGHT_EXECUTE)
#define BLOCK    2048 /* the thread block's offset in the guest's IPC buffer page */
#define GIB      (1ULL << 30)
#define UP(a, n) (((uint64_t)(a) + (n)-1) & ~((uint64_t)(n)-1))

/* The monitor's loaded image: the guest's program and "ROM" (GNU ld's default script). */
extern const char __executable_start[], etext[], _end[];

/* ---- slots and objects of a guest ---- */

static uint64_t logged_slot(struct vmm_guest *g)
{
	uint64_t s = proc_slot_alloc();

	if (s != 0 && g->logged < VMM_GUEST_LOG)
		g->log[g->logged++] = s;
	else if (s != 0) {
		proc_slots_free(s, 1);
		s = 0;
	}
	return s;
}

static enum ward_error guest_obj(struct vmm_guest *g, unsigned type, unsigned bits, uint64_t *slot)
{
	uint64_t s = logged_slot(g);

	if (s == 0)
		return WARD_ERR_NOT_ENOUGH_MEMORY;
	*slot = s;
	return ward_untyped_retype(g->untyped, type, bits, CN, 0, 0, s, 1);
}

static enum ward_error table_make(void *ctx, unsigned type, uint64_t *slot)
{
	return guest_obj(ctx, type, 0, slot);
}

static enum ward_error table_keep(void *ctx, uint64_t slot)
{
	(void)ctx;
	(void)slot; /* it stays in its logged slot until the guest's untyped is revoked */
	return WARD_OK;
}

static enum ward_error guest_map(struct vmm_guest *g, uint64_t frame, uint64_t va, uint64_t rights)
{
	const struct proc_tables t = {g->vspace, table_make, table_keep, g};

	return proc_map_frame(&t, frame, va, rights);
}

/* Copies one page into `frame` through the monitor's scratch page (src NULL: fills with 0xff). */
static enum ward_error fill_page(uint64_t frame, const void *src)
{
	uint64_t view = proc_slot_alloc();
	enum ward_error err;

	if (view == 0)
		return WARD_ERR_NOT_ENOUGH_MEMORY;
	err = ward_cnode_copy(CN, view, 64, CN, frame, 64, RW);
	if (err == WARD_OK && (err = proc_map_into(WARD_PROC_CAP_VSPACE, WARD_PROC_CAP_UNTYPED,
	                                           view, VMM_SCRATCH, RW)) == WARD_OK) {
		if (src != NULL)
			memcpy((void *)VMM_SCRATCH, src, VMM_PAGE);
		else
			memset((void *)VMM_SCRATCH, 0xff, VMM_PAGE);
		ward_frame_unmap(view);
	}
	ward_cnode_delete(CN, view, 64);
	proc_slots_free(view, 1);
	return err;
}

static enum ward_error guest_page(struct vmm_guest *g, const void *src, uint64_t va,
                                  uint64_t rights, uint64_t *out)
{
	uint64_t f;
	enum ward_error err = guest_obj(g, WARD_OBJ_FRAME, 0, &f);

	if (err == WARD_OK && src != NULL)
		err = fill_page(f, src);
	if (err == WARD_OK && out != NULL)
		*out = f;
	return err == WARD_OK && va != 0 ? guest_map(g, f, va, rights) : err;
}

/* ---- errors ---- */

static enum ward_error iommu_fail(struct ward_request *rq, unsigned step, enum ward_error err)
{
	struct ward_error_detail d = ward_last_error();

	return ward_fail(rq, VMM_ERR_IOMMU, step, err, d.lo);
}

static uint64_t tsc_now(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* ---- the device table ---- */

/* What a guest program can drive: QEMU's edu by its IDs, any NVMe controller by its class. */
static uint64_t device_kind(uint64_t id, uint64_t class_code)
{
	if (id == (EDU_VENDOR_ID << 16 | EDU_DEVICE_ID))
		return VMM_KIND_EDU;
	if (class_code == NVME_CLASS_CODE)
		return VMM_KIND_NVME;
	return VMM_KIND_NONE;
}

enum ward_error vmm_init(struct vmm *m)
{
	const struct ward_startinfo *si = ward_startinfo;

	for (unsigned i = 0; i < si->grant_count && m->device_count < VMM_MAX_DEVICES; i++) {
		const struct ward_cap_grant *gr = &si->grants[i];
		struct vmm_device *d = &m->devices[m->device_count];
		uint64_t owner, pid, nalias, pf, vfs, gen, class_rev;

		if (gr->kind != WARD_GRANT_ASSIGNMENT)
			continue;
		d->grant = gr;
		d->sbdf = gr->sbdf;
		if (iommu_query(gr->slot, gr->sbdf, &owner, &pid, &d->group, &d->members, &nalias,
		                &pf, &vfs, &gen) != WARD_OK ||
		    iommu_identify(gr->slot, gr->sbdf, &d->id, &class_rev) != WARD_OK)
			return WARD_ERR_INVALID_CAPABILITY;
		d->kind = device_kind(d->id, class_rev >> 8);
		d->pages = d->kind == VMM_KIND_NVME ? 2 : 1;
		if (!(d->devcap = proc_slot_alloc()) || !(d->irq = proc_slot_alloc()))
			return WARD_ERR_NOT_ENOUGH_MEMORY;
		for (unsigned p = 0; p < VMM_MMIO_PAGES; p++)
			if (!(d->bar[p] = proc_slot_alloc()) ||
			    !(d->bar_guest[p] = proc_slot_alloc()))
				return WARD_ERR_NOT_ENOUGH_MEMORY;
		m->device_count++;
	}
	for (unsigned i = 0; i < m->device_count; i++)
		for (unsigned j = 0; j < m->device_count; j++)
			m->devices[i].granted += m->devices[j].group == m->devices[i].group;
	return WARD_OK;
}

struct vmm_guest *vmm_guest_find(struct vmm *m, uint64_t id)
{
	for (unsigned i = 0; i < VMM_MAX_GUESTS; i++)
		if (m->guests[i].live && m->guests[i].id == id && id != 0)
			return &m->guests[i];
	return NULL;
}

struct vmm_device *vmm_device_find(struct vmm *m, uint64_t sbdf)
{
	for (unsigned i = 0; i < m->device_count; i++)
		if (m->devices[i].sbdf == sbdf)
			return &m->devices[i];
	return NULL;
}

enum ward_error vmm_device_check(struct vmm *m, struct ward_request *rq, struct vmm_device *d)
{
	uint64_t owner, pid, group, members, nalias, pf, vfs, gen;
	enum ward_error err;

	if (d->granted < d->members)
		return ward_fail(rq, VMM_ERR_GROUP, 0, d->members, d->granted);
	err = iommu_query(d->grant->slot, d->sbdf, &owner, &pid, &group, &members, &nalias, &pf,
	                  &vfs, &gen);
	if (err != WARD_OK)
		return iommu_fail(rq, VMM_STEP_QUERY, err);
	if (owner != 0 && (pid != m->pid || d->guest == NULL))
		return ward_fail(rq, VMM_ERR_OWNED, 0, pid, 0);
	return WARD_OK;
}

/* ---- plugging ---- */

/* The device's BAR page 0 at the monitor's VMM_BAR_VIEW, through a copy of its cap (*view). */
static bool view_map(struct vmm_device *d, uint64_t *view)
{
	if ((*view = proc_slot_alloc()) == 0)
		return false;
	if (ward_cnode_copy(CN, *view, 64, CN, d->bar[0], 64, RW) == WARD_OK &&
	    proc_map_into(WARD_PROC_CAP_VSPACE, WARD_PROC_CAP_UNTYPED, *view, VMM_BAR_VIEW, RW) ==
	            WARD_OK)
		return true;
	ward_cnode_delete(CN, *view, 64);
	proc_slots_free(*view, 1);
	return false;
}

static void view_unmap(uint64_t view)
{
	ward_frame_unmap(view);
	ward_cnode_delete(CN, view, 64);
	proc_slots_free(view, 1);
}

static uint32_t view32(unsigned reg)
{
	return *(volatile uint32_t *)(VMM_BAR_VIEW + reg);
}

static void view_set32(unsigned reg, uint32_t v)
{
	*(volatile uint32_t *)(VMM_BAR_VIEW + reg) = v;
}

/* Whether the device may be doing DMA: edu's transfer runs, an NVMe controller is enabled. */
static bool view_busy(const struct vmm_device *d)
{
	if (d->kind == VMM_KIND_NVME)
		return (view32(NVME_REG_CSTS) & NVME_CSTS_RDY) != 0;
	return (*(volatile uint64_t *)(VMM_BAR_VIEW + EDU_REG_DMA_CMD) & EDU_DMA_RUN) != 0;
}

/*
 * Ends what an earlier owner left, through a view of the BAR page: edu's
 * DMA waited out and its interrupt causes cleared; an NVMe controller
 * disabled (CC.EN 0, which stops its DMA: NVMe §7.6.2) and CSTS.RDY waited
 * to clear.
 */
static bool quiesce(struct vmm *m, struct vmm_device *d)
{
	uint64_t limit = tsc_now() + 5 * m->tsc_hz; /* a bound for a lost device, not a speed */
	uint64_t view;
	bool idle;

	if (!view_map(d, &view))
		return false;
	if (d->kind == VMM_KIND_NVME)
		view_set32(NVME_REG_CC, 0);
	while (!(idle = !view_busy(d)) && tsc_now() < limit)
		ward_yield();
	if (d->kind == VMM_KIND_EDU) {
		view_set32(EDU_REG_STATUS, 0); /* no factorial interrupt */
		view_set32(EDU_REG_IRQ_ACK, view32(EDU_REG_IRQ_STATUS));
	}
	view_unmap(view);
	return idle;
}

/* Whether the device may have DMA under way (reported by DESTROY_GUEST). */
static bool dma_running(struct vmm_device *d)
{
	uint64_t view;
	bool running;

	if (!view_map(d, &view))
		return false;
	running = view_busy(d);
	view_unmap(view);
	return running;
}

static void device_forget(struct vmm_device *d)
{
	/* Revoked by the move already (children of the IOMMU server's caps); delete what is left.
	 */
	ward_cnode_delete(CN, d->devcap, 64);
	ward_cnode_delete(CN, d->irq, 64);
	for (unsigned p = 0; p < VMM_MMIO_PAGES; p++) {
		ward_cnode_delete(CN, d->bar[p], 64);
		ward_cnode_delete(CN, d->bar_guest[p], 64);
	}
}

uint64_t vmm_slot_gpa(unsigned slot)
{
	return VMM_MMIO_GPA + slot * VMM_MMIO_SLOT;
}

/*
 * A device slot of g's boot page rewritten, as a sequence lock: the
 * generation moves to odd before (a round under way sees the change at its
 * next check and never drives a slot half written) and to even after; the
 * guest starts rounds only at an even generation.
 */
static void publish(struct vmm_guest *g, unsigned slot, struct vmm_boot_device dev)
{
	g->boot->device_gen++;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	g->boot->device[slot] = dev;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	g->boot->device_gen++;
	ward_signal(g->events_monitor);
}

/* After the device in `slot` went from g: pages of all ones at its GPAs, the slot emptied. */
static void unplugged(struct vmm_guest *g, unsigned slot)
{
	/*
	 * Writable, and all ones again at every unplug: a guest stopped between
	 * its check and a register write resumes writing here instead of faulting.
	 */
	fill_page(g->dead[slot][0], NULL);
	for (unsigned p = 0; p < VMM_MMIO_PAGES; p++)
		guest_map(g, g->dead[slot][p], vmm_slot_gpa(slot) + p * VMM_PAGE, RW);
	g->device[slot] = NULL;
	publish(g, slot,
	        (struct vmm_boot_device){.sbdf = VMM_NO_DEVICE,
	                                 .kind = VMM_KIND_NONE,
	                                 .rounds = g->boot->device[slot].rounds,
	                                 .failures = g->boot->device[slot].failures});
}

/* The device's interrupt: edu's MSI, an NVMe controller's MSI-X vector 0 (its admin and I/O CQ's).
 */
static enum ward_error device_irq(struct vmm_device *d)
{
	uint64_t vector, index;

	if (d->kind == VMM_KIND_NVME)
		return iommu_device_irq_msix_into(d->devcap, CN, d->irq, d->sbdf, 0, &vector,
		                                  &index);
	return iommu_device_irq_into(d->devcap, CN, d->irq, d->sbdf, &vector, &index);
}

/* The device, in g's domain already, handed to the guest in device slot `slot`. */
static enum ward_error plug(struct vmm *m, struct ward_request *rq, struct vmm_device *d,
                            struct vmm_guest *g, unsigned slot)
{
	uint64_t phys, size, command;
	enum ward_error err;

	for (unsigned p = 0; p < d->pages; p++)
		if ((err = iommu_device_bar_into(d->devcap, CN, d->bar[p], d->sbdf, 0, p * VMM_PAGE,
		                                 &phys, &size)))
			return iommu_fail(rq, VMM_STEP_DEVICE_BAR, err);
	if (!quiesce(m, d))
		return ward_fail(rq, VMM_ERR_IOMMU, VMM_STEP_QUIESCE, WARD_ERR_CANCELLED, 0);
	if ((err = device_irq(d)))
		return iommu_fail(rq, VMM_STEP_DEVICE_IRQ, err);
	if ((err = ward_irq_handler_set_notification(d->irq, g->events_irq[slot])) ||
	    (err = ward_cnode_copy(g->cnode, VMM_GUEST_CAP_IRQ + slot, 64, CN, d->irq, 64, RW)))
		return ward_fail(rq, err, 0, 0, 0);
	for (unsigned p = 0; p < d->pages; p++) {
		ward_frame_unmap(g->dead[slot][p]); /* the page of all ones, if a device went */
		if ((err = ward_cnode_copy(CN, d->bar_guest[p], 64, CN, d->bar[p], 64, RW)) ||
		    (err = guest_map(g, d->bar_guest[p], vmm_slot_gpa(slot) + p * VMM_PAGE, RW)))
			return ward_fail(rq, err, 0, 0, 0);
	}
	if ((err = iommu_device_bus_master(d->devcap, d->sbdf, 1, &command)))
		return iommu_fail(rq, VMM_STEP_BUS_MASTER, err);
	d->guest = g;
	d->slot = slot;
	g->device[slot] = d;
	publish(g, slot,
	        (struct vmm_boot_device){
	                .bar = vmm_slot_gpa(slot), .sbdf = d->sbdf, .kind = d->kind});
	return WARD_OK;
}

static void group_holder(struct vmm *m, struct vmm_device *d, struct vmm_guest *g)
{
	for (unsigned i = 0; i < m->device_count; i++)
		if (m->devices[i].group == d->group) {
			m->devices[i].guest = g;
			m->devices[i].slot = d->slot;
		}
}

/* A device slot of g with no device, or VMM_GUEST_DEVICES. */
static unsigned free_slot(const struct vmm_guest *g)
{
	unsigned s = 0;

	while (s < VMM_GUEST_DEVICES && g->device[s] != NULL)
		s++;
	return s;
}

enum ward_error vmm_move(struct vmm *m, struct ward_request *rq, struct vmm_device *d,
                         struct vmm_guest *to)
{
	struct vmm_guest *from = d->guest;
	uint64_t flags = d->members > 1 ? IOMMU_ASSIGN_GROUP : 0, moved, gen;
	unsigned slot = to != NULL ? free_slot(to) : 0;
	enum ward_error err;

	if (from == to)
		return ward_fail(rq, VMM_ERR_ATTACHED, 0, d->sbdf, 0);
	if (d->kind == VMM_KIND_NONE)
		return ward_fail(rq, VMM_ERR_UNSUPPORTED, 0, d->sbdf, d->id);
	if (to != NULL && slot == VMM_GUEST_DEVICES)
		return ward_fail(rq, VMM_ERR_ATTACHED, 0, to->device[0]->sbdf,
		                 to->device[VMM_GUEST_DEVICES - 1]->sbdf);
	if ((err = vmm_device_check(m, rq, d)) != WARD_OK)
		return err;
	if (from != NULL) {
		ward_tcb_suspend(from->tcb); /* its CPU stopped while the BAR changes under it */
		ward_cnode_delete(from->cnode, VMM_GUEST_CAP_IRQ + d->slot, 64);
	}
	device_forget(d); /* the move revokes them anyway; the slots receive the new ones */
	if (to != NULL)
		err = iommu_assign_into(d->grant->slot, CN, d->devcap, d->sbdf, flags, to->domain,
		                        &moved, &gen);
	else
		err = iommu_release(d->grant->slot, d->sbdf, flags, &moved);
	if (err != WARD_OK)
		err = iommu_fail(rq, to != NULL ? VMM_STEP_ASSIGN : VMM_STEP_RELEASE, err);
	if (from != NULL) {
		unplugged(from, d->slot);
		ward_tcb_resume(from->tcb);
	}
	group_holder(m, d, NULL);
	if (err != WARD_OK) {
		/* Restored or quarantined: either way no guest keeps it; quarantine it for sure. */
		if (to != NULL)
			iommu_release(d->grant->slot, d->sbdf, flags, &moved);
		device_forget(d);
		return err;
	}
	if (to == NULL)
		return WARD_OK;
	if ((err = plug(m, rq, d, to, slot)) != WARD_OK) {
		iommu_release(d->grant->slot, d->sbdf, flags, &moved);
		device_forget(d);
		d->guest = NULL;
		to->device[slot] = NULL;
		return err;
	}
	group_holder(m, d, to);
	return WARD_OK;
}

/* ---- guests ---- */

void vmm_guest_fault(struct vmm *m, uint64_t id, uint64_t label, const uint64_t *mr)
{
	struct vmm_guest *g = vmm_guest_find(m, id);

	if (g == NULL || g->fault != 0)
		return;
	g->fault = label;
	g->fault_addr = label == WARD_FAULT_PAGE ? mr[1] : mr[0]; /* the address, or rip */
}

uint64_t vmm_guest_state(const struct vmm_guest *g)
{
	return g->fault != 0 ? VMM_STATE_FAULTED : g->boot->state;
}

/*
 * The page a moved device's BAR pages become: reads all ones, as a removed
 * PCI device. One frame, a copy of its cap for each page of each slot.
 */
static enum ward_error make_dead_pages(struct vmm_guest *g)
{
	enum ward_error err = guest_page(g, NULL, 0, 0, &g->dead[0][0]);

	for (unsigned i = 1; i < VMM_GUEST_DEVICES * VMM_MMIO_PAGES && err == WARD_OK; i++) {
		uint64_t *copy = &g->dead[i / VMM_MMIO_PAGES][i % VMM_MMIO_PAGES];

		if ((*copy = logged_slot(g)) == 0)
			return WARD_ERR_NOT_ENOUGH_MEMORY;
		err = ward_cnode_copy(CN, *copy, 64, CN, g->dead[0][0], 64, RW);
	}
	return err ?: fill_page(g->dead[0][0], NULL);
}

/*
 * CNode (guarded: cptr = slot), PML4, TCB on its CPU with this endpoint as
 * its fault handler (badged with its id), notification with its two badges.
 */
static enum ward_error make_process(struct vmm *m, struct vmm_guest *g, uint64_t id)
{
	uint64_t raw, fault_ep;
	enum ward_error err;

	if ((err = guest_obj(g, WARD_OBJ_CNODE, VMM_GUEST_RADIX, &raw)) ||
	    !(g->cnode = logged_slot(g)) ||
	    (err = ward_cnode_mutate(CN, g->cnode, 64, CN, raw, 64, 64 - VMM_GUEST_RADIX)) ||
	    (err = guest_obj(g, WARD_OBJ_PML4, 0, &g->vspace)) ||
	    (err = guest_obj(g, WARD_OBJ_TCB, 0, &g->tcb)) ||
	    (err = guest_obj(g, WARD_OBJ_NOTIFICATION, 0, &g->events)) ||
	    (err = ward_tcb_set_affinity(g->tcb, g->cpu)))
		return err != WARD_OK ? err : WARD_ERR_NOT_ENOUGH_MEMORY;
	if (!(g->events_monitor = logged_slot(g)) || !(fault_ep = logged_slot(g)))
		return WARD_ERR_NOT_ENOUGH_MEMORY;
	if ((err = ward_cnode_mint(CN, fault_ep, 64, CN, m->endpoint, 64,
	                           WARD_RIGHT_WRITE | WARD_RIGHT_GRANT_REPLY,
	                           VMM_BADGE_FAULT | id)) ||
	    (err = ward_tcb_set_fault_handler(g->tcb, fault_ep)))
		return err;
	for (unsigned i = 0; i < VMM_GUEST_DEVICES; i++)
		if (!(g->events_irq[i] = logged_slot(g)) ||
		    (err = ward_cnode_mint(CN, g->events_irq[i], 64, CN, g->events, 64,
		                           WARD_RIGHT_WRITE, VMM_EVENT_IRQ(i))))
			return g->events_irq[i] == 0 ? WARD_ERR_NOT_ENOUGH_MEMORY : err;
	if ((err = ward_cnode_mint(CN, g->events_monitor, 64, CN, g->events, 64, WARD_RIGHT_WRITE,
	                           VMM_EVENT_MONITOR)) ||
	    (err = ward_cnode_copy(g->cnode, VMM_GUEST_CAP_EVENTS, 64, CN, g->events, 64,
	                           WARD_RIGHT_READ)))
		return err;
	return make_dead_pages(g);
}

/* The guest's ROM: the monitor's image, text executable, the rest a private copy. */
static enum ward_error copy_image(struct vmm_guest *g)
{
	uint64_t text_end = UP(etext, VMM_PAGE), end = UP(_end, VMM_PAGE);
	enum ward_error err = WARD_OK;

	for (uint64_t va = (uint64_t)__executable_start; va < end && err == WARD_OK; va += VMM_PAGE)
		err = guest_page(g, (const void *)va, va, va < text_end ? R_X : RW, NULL);
	return err;
}

/* RAM: every frame of the lent buffer at its GPA in the guest and in the monitor's view. */
static enum ward_error map_ram(struct vmm *m, struct vmm_guest *g, uint64_t lent, uint64_t radix)
{
	uint64_t view = VMM_VIEW_BASE + (uint64_t)(g - m->guests) * GIB;
	enum ward_error err;

	for (uint64_t i = 0; i < g->frames; i++) {
		if (!(g->frame_guest[i] = logged_slot(g)) || !(g->frame_view[i] = logged_slot(g)))
			return WARD_ERR_NOT_ENOUGH_MEMORY;
		if ((err = iommu_frame_from_cnode(lent, radix, i, g->frame_guest[i])) ||
		    (err = iommu_frame_from_cnode(lent, radix, i, g->frame_view[i])) ||
		    (err = guest_map(g, g->frame_guest[i], g->gpa + i * g->frame_size, RW)) ||
		    (err = proc_map_into(WARD_PROC_CAP_VSPACE, WARD_PROC_CAP_UNTYPED,
		                         g->frame_view[i], view + i * g->frame_size, RW)))
			return err;
	}
	g->boot = (struct vmm_boot *)view;
	return WARD_OK;
}

/* Stack and IPC buffer (thread block in it), then the registers; it runs. */
static enum ward_error start(struct vmm_guest *g)
{
	static uint8_t ipc_page[VMM_PAGE];
	uint64_t stack = VMM_GUEST_PRIVATE, ipc = stack + (VMM_STACK_PAGES + 1) * VMM_PAGE;
	uint64_t ipc_frame, regs[WARD_REG_COUNT] = {0};
	enum ward_error err = WARD_OK;

	for (unsigned i = 0; i < VMM_STACK_PAGES && err == WARD_OK; i++)
		err = guest_page(g, NULL, stack + i * VMM_PAGE, RW, NULL);
	memset(ipc_page, 0, sizeof(ipc_page));
	((uint64_t *)(ipc_page + BLOCK))[0] = ipc + BLOCK; /* as ward_thread_block_init */
	((uint64_t *)(ipc_page + BLOCK))[WARD_TLS_IPC_BUFFER_WORD] = ipc;
	if (err != WARD_OK || (err = guest_page(g, ipc_page, ipc, RW, &ipc_frame)) ||
	    (err = ward_tcb_configure(g->tcb, g->cnode, g->vspace, ipc_frame, ipc)))
		return err;
	ward_debug_name(g->tcb, "guest");
	regs[WARD_REG_RIP] = (uint64_t)vmm_guest_entry;
	regs[WARD_REG_RSP] = stack + VMM_STACK_PAGES * VMM_PAGE - 8; /* as after a call */
	regs[WARD_REG_RDI] = g->gpa;
	regs[WARD_REG_FS_BASE] = ipc + BLOCK;
	return ward_tcb_write_registers(g->tcb, 1, WARD_REG_COUNT, regs);
}

/* Everything of the guest goes: its untyped revoked (process), its slots back. */
static void teardown_process(struct vmm_guest *g)
{
	if (g->tcb != 0)
		ward_tcb_suspend(g->tcb);
	ward_cnode_revoke(CN, g->untyped, 64);
	for (unsigned i = 0; i < g->logged; i++) {
		ward_cnode_delete(CN, g->log[i], 64);
		proc_slots_free(g->log[i], 1);
	}
	g->logged = 0;
	g->tcb = g->cnode = g->vspace = 0;
}

/* The guest's fixed windows its RAM may not overlap: [lo, hi] of the first in the way. */
static bool window_clash(uint64_t gpa, uint64_t memory, uint64_t *lo, uint64_t *hi)
{
	const uint64_t win[][2] = {
	        {(uint64_t)__executable_start & ~(VMM_LARGE - 1), UP(_end, VMM_LARGE) - 1},
	        {VMM_MMIO_GPA, VMM_MMIO_GPA + VMM_MMIO_SIZE - 1},
	};

	for (unsigned i = 0; i < sizeof(win) / sizeof(win[0]); i++)
		if (gpa <= win[i][1] && gpa + memory - 1 >= win[i][0]) {
			*lo = win[i][0];
			*hi = win[i][1];
			return true;
		}
	return false;
}

enum ward_error vmm_create(struct vmm *m, struct ward_request *rq, uint64_t memory, uint64_t gpa,
                           uint64_t cpu, uint64_t program, uint64_t arg, struct vmm_guest **out)
{
	struct vmm_guest *g = NULL;
	uint64_t lo, hi, width, badge, iova, lent, frames, fsize, radix;
	enum ward_error err;

	if (memory == 0 || memory % VMM_LARGE != 0 || memory > VMM_MAX_FRAMES * VMM_LARGE)
		return ward_fail(rq, WARD_ERR_INVALID_ARGUMENT, 0, VMM_LARGE,
		                 VMM_MAX_FRAMES * VMM_LARGE);
	if (gpa % VMM_LARGE != 0 || gpa + memory > 1ULL << VMM_GPA_WIDTH || gpa + memory < gpa)
		return ward_fail(rq, WARD_ERR_INVALID_ARGUMENT, 1, 0, (1ULL << VMM_GPA_WIDTH) - 1);
	if (cpu >= m->cpus)
		return ward_fail(rq, WARD_ERR_INVALID_ARGUMENT, 2, 0, m->cpus - 1);
	if (program >= VMM_PROGRAMS)
		return ward_fail(rq, WARD_ERR_INVALID_ARGUMENT, 3, 0, VMM_PROGRAMS - 1);
	if (memory > m->quota - m->used)
		return ward_fail(rq, VMM_ERR_QUOTA, 0, 0, m->quota - m->used);
	if (window_clash(gpa, memory, &lo, &hi))
		return ward_fail(rq, VMM_ERR_RESERVED, 0, lo, hi);
	for (unsigned i = 0; i < VMM_MAX_GUESTS && g == NULL; i++)
		if (!m->guests[i].live)
			g = &m->guests[i];
	if (g == NULL)
		return ward_fail(rq, VMM_ERR_LIMIT, 0, VMM_MAX_GUESTS, 0);
	if (g->untyped == 0 && proc_retype(WARD_PROC_CAP_UNTYPED, WARD_OBJ_UNTYPED, VMM_GUEST_BITS,
	                                   &g->untyped) != WARD_OK) {
		g->untyped = 0;
		return WARD_ERR_NOT_ENOUGH_MEMORY;
	}
	*g = (struct vmm_guest){.untyped = g->untyped,
	                        .memory = memory,
	                        .gpa = gpa,
	                        .cpu = cpu,
	                        .program = program,
	                        .arg = arg};
	if (!(g->domain = logged_slot(g)) || !(lent = logged_slot(g))) {
		teardown_process(g);
		return WARD_ERR_NOT_ENOUGH_MEMORY;
	}
	if ((err = iommu_create_domain_into(m->iommu, CN, g->domain, VMM_GPA_WIDTH, &badge,
	                                    &width))) {
		teardown_process(g);
		return iommu_fail(rq, VMM_STEP_CREATE_DOMAIN, err);
	}
	err = iommu_alloc_buffer(g->domain, memory, VMM_LARGE, gpa, IOMMU_RIGHTS_ALL, &g->buffer,
	                         &iova, &frames, &fsize);
	if (err != WARD_OK) {
		struct ward_error_detail d = ward_last_error();

		iommu_destroy_domain(g->domain);
		teardown_process(g);
		if (err == IOMMU_ERR_RESERVED) /* the interrupt window or an RMRR */
			return ward_fail(rq, VMM_ERR_RESERVED, 0, d.lo, d.hi);
		return ward_fail(rq, VMM_ERR_IOMMU, VMM_STEP_ALLOC_BUFFER, err, d.lo);
	}
	g->domain_owner = iommu_badge_index(badge) + 1;
	g->frames = frames;
	g->frame_size = fsize;
	if ((err = iommu_buffer_cnode_into(g->domain, CN, lent, g->buffer, &frames, &fsize,
	                                   &radix)) != WARD_OK) {
		iommu_free_buffer(g->domain, g->buffer);
		iommu_destroy_domain(g->domain);
		teardown_process(g);
		return iommu_fail(rq, VMM_STEP_BUFFER_CNODE, err);
	}
	if ((err = make_process(m, g, m->next_id + 1)) || (err = copy_image(g)) ||
	    (err = map_ram(m, g, lent, radix)) ||
	    ward_frame_get_address(g->frame_view[0], &g->phys) != WARD_OK) {
		ward_cnode_delete(CN, lent, 64);
		iommu_free_buffer(g->domain, g->buffer);
		iommu_destroy_domain(g->domain);
		teardown_process(g);
		return ward_fail(rq, err != WARD_OK ? err : WARD_ERR_NOT_ENOUGH_MEMORY, 0, 0, 0);
	}
	ward_cnode_delete(CN, lent, 64); /* the copies are all the monitor needs */
	g->id = ++m->next_id;
	*g->boot = (struct vmm_boot){.magic = VMM_BOOT_MAGIC,
	                             .guest = g->id,
	                             .gpa = gpa,
	                             .memory = memory,
	                             .program = program,
	                             .arg = arg,
	                             .tsc_hz = m->tsc_hz};
	for (unsigned i = 0; i < VMM_GUEST_DEVICES; i++)
		g->boot->device[i].sbdf = VMM_NO_DEVICE;
	if ((err = start(g)) != WARD_OK) {
		iommu_free_buffer(g->domain, g->buffer);
		iommu_destroy_domain(g->domain);
		teardown_process(g);
		return ward_fail(rq, err, 0, 0, 0);
	}
	g->live = true;
	m->used += memory;
	*out = g;
	return WARD_OK;
}

enum ward_error vmm_destroy(struct vmm *m, struct ward_request *rq, struct vmm_guest *g,
                            uint64_t *busy)
{
	enum ward_error err, first = WARD_OK;
	unsigned step = 0;
	uint64_t moved;

	ward_tcb_suspend(g->tcb);
	for (unsigned slot = 0; slot < VMM_GUEST_DEVICES; slot++) {
		struct vmm_device *d = g->device[slot];

		if (d == NULL)
			continue;
		*busy |= dma_running(d);
		/* Quarantine first: bus mastering off, the invalidation waited for. */
		err = iommu_release(d->grant->slot, d->sbdf,
		                    d->members > 1 ? IOMMU_ASSIGN_GROUP : 0, &moved);
		if (err != WARD_OK && first == WARD_OK)
			first = err, step = VMM_STEP_RELEASE;
		device_forget(d);
		ward_cnode_delete(g->cnode, VMM_GUEST_CAP_IRQ + slot, 64);
		group_holder(m, d, NULL);
		g->device[slot] = NULL;
	}
	/* Unmapped, invalidated and waited for before the IOMMU server zeroes and reuses it. */
	err = iommu_free_buffer(g->domain, g->buffer);
	if (err != WARD_OK && first == WARD_OK)
		first = err, step = VMM_STEP_FREE_BUFFER;
	err = iommu_destroy_domain(g->domain);
	if (err != WARD_OK && first == WARD_OK)
		first = err, step = VMM_STEP_DESTROY_DOMAIN;
	teardown_process(g);
	g->live = false;
	m->used -= g->memory;
	if (first != WARD_OK)
		return ward_fail(rq, VMM_ERR_IOMMU, step, first, 0);
	return WARD_OK;
}

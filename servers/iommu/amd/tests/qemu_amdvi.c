/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The AMD-Vi backend on QEMU 7.2's amd-iommu, without the rest of the
 * server: booted as the module named `iommu` (so the root task grants it
 * the IOMMU's registers and an untyped), it brings the unit up with every
 * DeviceID blocked and then drives it only through the core's interface
 * (amdvi_unit_ops), checking what only the real model can confirm: every
 * command completes with its completion-wait store, an injected lost store
 * times out without hanging and the buffer works again afterwards. With
 * the argument `dma` (and a `pci` module, an edu device) QEMU's edu copies
 * between its buffer and IOVAs mapped in tables built with amdvi_pte_ops,
 * so every check is on memory, never on edu's word (it ignores DMA
 * errors):
 *
 *  - blocked (the state bring-up leaves): a DMA write lands nowhere;
 *  - attached: data goes RAM → edu → RAM byte for byte;
 *  - a cleared entry still translates from QEMU's IOTLB until
 *    INVALIDATE_IOMMU_PAGES completes, and never after;
 *  - a read-only page is read and not written; a 2 MiB leaf translates its
 *    last page; a 4-level domain translates an IOVA above 2^39;
 *  - block() after DMA went through (cached) stops it;
 *  - QEMU 7.2 records none of this in its event log (docs/amdvi.md).
 *
 * With `irq` too (amd-iommu,intremap=on), interrupt remapping through the
 * irq ops, checked by what arrives at a kernel MSI vector bound to a
 * notification: edu's MSI (register 0x60 raises it) programmed as entry
 * IRQ_INDEX is delivered through edu's table; the index moved to another
 * DeviceID's table (the source check) or cleared delivers nothing.
 * "Nothing" is a bounded number of polls after edu's write completed (QEMU
 * remaps it within that write): not a measure of speed.
 *
 * Prints TAP (tests/qemu/tap.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <ward/invoke.h>
#include <ward/object.h>
#include <ward/rt.h>
#include <ward/startinfo.h>
#include <ward/sys.h>

#include "amdvi_backend.h"
#include "amdvi_hw.h"
#include "pci.h"
#include "pci_service.h"
#include "tap.h"

/* PCI BUS_MASTER's second result, the Command register before the change. */
static uint64_t command_before;

#define PAGES      64
#define PAGE_VA    0x300000000000ULL
#define LARGE_VA   0x320000000000ULL
#define LARGE_SIZE 0x200000ULL
#define LARGES     2
#define PT_MAX     8

#define EDU_ID      0x11e81234u /* device << 16 | vendor */
#define EDU_VA      0x310000000000ULL
#define EDU_DMA_SRC 0x80
#define EDU_DMA_DST 0x88
#define EDU_DMA_CNT 0x90
#define EDU_DMA_CMD 0x98
#define EDU_CMD_RUN 1
#define EDU_CMD_TO  2 /* edu → RAM */
#define EDU_BUFFER  0x40000
#define EDU_DMA_NS  2000000000ULL /* edu finishes 100 ms after the command */
#define DMA_LEN     64
#define IOVA_A      0x100000ULL
#define IOVA_B      0x101000ULL
#define IOVA_2M     0x200000ULL
#define TAIL_2M     0x1ff000ULL     /* the last 4 KiB of the 2 MiB page */
#define IOVA_HIGH   0x8000000000ULL /* 2^39: needs a 4-level table */
#define IOVA_NP     0x40000000ULL   /* behind a not-present PDE */
#define DOMAIN      2
#define DOMAIN_4L   3
#define BASE_TESTS  5
#define DMA_TESTS   10
#define IRQ_TESTS   4

static uint64_t next_slot;
static unsigned npages, tables;

static uint64_t slot(void)
{
	return next_slot < ward_startinfo->free_last ? next_slot++ : 0;
}

static bool map(uint64_t frame, uint64_t va)
{
	static const unsigned type[4] = {0, WARD_OBJ_PT, WARD_OBJ_PD, WARD_OBJ_PDPT};
	enum ward_error err;

	while ((err = ward_frame_map(frame, WARD_PROC_CAP_VSPACE, va,
	                             WARD_RIGHT_READ | WARD_RIGHT_WRITE)) ==
	       WARD_ERR_FAILED_LOOKUP) {
		uint64_t level = ward_last_error().lo, s = slot();

		if (level < 1 || level > 3 || s == 0 || ++tables > PT_MAX ||
		    ward_untyped_retype(WARD_PROC_CAP_UNTYPED, type[level], 0, WARD_PROC_CAP_CNODE,
		                        0, 0, s, 1) != WARD_OK ||
		    ward_page_table_map(s, WARD_PROC_CAP_VSPACE, va) != WARD_OK)
			return false;
	}
	return err == WARD_OK;
}

/* A zeroed 4 KiB frame, mapped, with its physical address. */
static bool frame(struct amdvi_page *out)
{
	uint64_t s = slot(), va = PAGE_VA + npages * AMDVI_PAGE_SIZE, pa;

	if (npages == PAGES || s == 0 ||
	    ward_untyped_retype(WARD_PROC_CAP_UNTYPED, WARD_OBJ_FRAME, 0, WARD_PROC_CAP_CNODE, 0, 0,
	                        s, 1) != WARD_OK ||
	    !map(s, va) || ward_frame_get_address(s, &pa) != WARD_OK)
		return false;
	memset((void *)(uintptr_t)va, 0, AMDVI_PAGE_SIZE);
	out->va = (void *)(uintptr_t)va;
	out->pa = pa;
	npages++;
	return true;
}

/*
 * The large frames come first out of the untyped (the program's first
 * retypes, before any page table is made), where 2 MiB boundaries are
 * free: the device table and the superpage test's page.
 */
static struct amdvi_page larges[LARGES];

static void make_larges(void)
{
	uint64_t s[LARGES];

	for (unsigned i = 0; i < LARGES; i++)
		if ((s[i] = slot()) == 0 ||
		    ward_untyped_retype(WARD_PROC_CAP_UNTYPED, WARD_OBJ_LARGE_FRAME, 0,
		                        WARD_PROC_CAP_CNODE, 0, 0, s[i], 1) != WARD_OK)
			return;
	for (unsigned i = 0; i < LARGES; i++) {
		uint64_t va = LARGE_VA + i * LARGE_SIZE, pa;

		if (!map(s[i], va) || ward_frame_get_address(s[i], &pa) != WARD_OK)
			return;
		memset((void *)(uintptr_t)va, 0, LARGE_SIZE);
		larges[i] = (struct amdvi_page){(void *)(uintptr_t)va, pa};
	}
}

static bool alloc(void *ctx, size_t bytes, struct amdvi_page *out)
{
	(void)ctx;
	if (bytes == LARGE_SIZE) {
		for (unsigned i = 0; i < LARGES; i++)
			if (larges[i].pa != 0) {
				*out = larges[i];
				larges[i].pa = 0;
				return true;
			}
		return false;
	}
	return bytes == AMDVI_PAGE_SIZE && frame(out);
}

static uint64_t now(void)
{
	uint32_t lo, hi;
	uint64_t tsc;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
	tsc = ((uint64_t)hi << 32) | lo;
	return (uint64_t)((unsigned __int128)tsc * 1000000000u / ward_startinfo->tsc_hz);
}

static uint64_t now_ns(void *ctx)
{
	(void)ctx;
	return now();
}

static const struct amdvi_env env = {NULL, alloc, now_ns, NULL};
static struct iommu_unit iu;
static const struct iommu_unit_ops *ops = &amdvi_unit_ops;

static void ok(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void ok(bool cond, const char *fmt, ...)
{
	char name[240];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	tap_ok(cond, "%s", name);
}

/* ---- The unit alone ---------------------------------------------------------- */

static void commands(struct amdvi_unit *u)
{
	const struct amdvi_cmd c[] = {
	        amdvi_cmd_inv_devtab(0x0018),          amdvi_cmd_inv_pages(3, 0x3000, 0),
	        amdvi_cmd_inv_pages(3, 0x200000, 9),   amdvi_cmd_inv_domain(3),
	        amdvi_cmd_inv_interrupt_table(0x0018), amdvi_cmd_inv_all(),
	};
	unsigned good = 0;
	uint64_t before = u->cmd_stats.submits;

	for (unsigned i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		good += amdvi_cmd_submit(u, &c[i], 1) == AMDVI_OK &&
		        *(volatile uint64_t *)u->store.va == u->seq;
	ok(good == sizeof(c) / sizeof(c[0]) && u->cmd_stats.submits - before == good,
	   "INVALIDATE_DEVTAB_ENTRY, INVALIDATE_IOMMU_PAGES (page, 2 MiB range, domain), "
	   "INVALIDATE_INTERRUPT_TABLE and INVALIDATE_IOMMU_ALL each completed: the "
	   "COMPLETION_WAIT store arrived (%u of %zu)",
	   good, sizeof(c) / sizeof(c[0]));
}

static void timeout(struct amdvi_unit *u)
{
	struct amdvi_cmd c = amdvi_cmd_inv_all();
	enum amdvi_status st;

	amdvi_cmd_inject(u, AMDVI_INJECT_TIMEOUT);
	st = amdvi_cmd_submit(u, &c, 1);
	ok(st == AMDVI_E_TIMEOUT && u->wedged,
	   "a completion wait whose store never comes times out (%s), no hang", amdvi_strerror(st));
	st = amdvi_cmd_submit(u, &c, 1);
	ok(st == AMDVI_OK && !u->wedged,
	   "the command buffer works again after the timeout (%s; restarts %llu)",
	   amdvi_strerror(st), (unsigned long long)u->cmd_stats.recovered);
}

/* ---- DMA through edu ---------------------------------------------------------- */

static volatile uint8_t *edu;
static uint16_t edu_id;
static struct amdvi_page top, mid, pt, page_a, page_b, top4, l3, l2, l1, pt_high, page_c;

static void edu_write64(unsigned off, uint64_t v)
{
	*(volatile uint64_t *)(edu + off) = v;
}

/* One edu transfer; true when edu finished it (whether or not the IOMMU let it through). */
static bool edu_dma(uint64_t src, uint64_t dst, bool to_ram)
{
	uint64_t end = now() + EDU_DMA_NS;

	edu_write64(EDU_DMA_SRC, src);
	edu_write64(EDU_DMA_DST, dst);
	edu_write64(EDU_DMA_CNT, DMA_LEN);
	edu_write64(EDU_DMA_CMD, EDU_CMD_RUN | (to_ram ? EDU_CMD_TO : 0));
	while (*(volatile uint64_t *)(edu + EDU_DMA_CMD) & EDU_CMD_RUN)
		if (now() > end)
			return false;
	return true;
}

/* Fills the edu buffer with `fill` through page A (mapped read-write). */
static bool edu_load(uint8_t fill)
{
	memset(page_a.va, fill, DMA_LEN);
	return edu_dma(IOVA_A, EDU_BUFFER, false);
}

static bool all(const void *p, uint8_t v)
{
	for (unsigned i = 0; i < DMA_LEN; i++)
		if (((const uint8_t *)p)[i] != v)
			return false;
	return true;
}

static bool edu_setup(void)
{
	const struct ward_startinfo *si = ward_startinfo;
	uint64_t next, count, s[PCI_LIST_BATCH], phys, size, command, bar = slot();

	if (si->pci_endpoint == 0 ||
	    pci_list(si->pci_endpoint, 0, PCI_LIST_KEY(0, EDU_ID >> 16, EDU_ID & 0xffff),
	             PCI_LIST_KEY_ID_MASK, 0, 0, &next, &count, &s[0], &s[1], &s[2], &s[3], &s[4],
	             &s[5], &s[6], &s[7]) != WARD_OK ||
	    count == 0 || bar == 0 ||
	    pci_map_bar_into(si->pci_endpoint, WARD_PROC_CAP_CNODE, bar, s[0], 0, 0, &phys,
	                     &size) != WARD_OK ||
	    !map(bar, EDU_VA) ||
	    pci_bus_master(si->pci_endpoint, s[0], 1, &command, &command_before) != WARD_OK)
		return false;
	edu = (volatile uint8_t *)(uintptr_t)EDU_VA;
	edu_id = (uint16_t)s[0];
	return true;
}

static void set(struct amdvi_page *table, uint64_t iova, unsigned level, uint64_t pte)
{
	uint64_t *e = &((uint64_t *)table->va)[iommu_level_index(iova, level)];

	*e = pte;
	ops->flush_entries(&iu, e, sizeof(*e));
}

/*
 * Domain DOMAIN, 3 levels: IOVA_A → page A, IOVA_B → page B (read-write).
 * Domain DOMAIN_4L, 4 levels: IOVA_A as above, IOVA_HIGH + IOVA_B → page C (an
 * edu that clamped the address to its default 28-bit DMA mask would hit page
 * B instead). Entries from amdvi_pte_ops.
 */
static bool build_domains(void)
{
	const struct iommu_pte_ops *p = ops->pte;
	const unsigned rw = IOMMU_READ | IOMMU_WRITE;

	if (!frame(&top) || !frame(&mid) || !frame(&pt) || !frame(&page_a) || !frame(&page_b) ||
	    !frame(&top4) || !frame(&l3) || !frame(&l2) || !frame(&l1) || !frame(&pt_high) ||
	    !frame(&page_c))
		return false;
	set(&top, IOVA_A, 3, p->make_table(mid.pa, 3));
	set(&mid, IOVA_A, 2, p->make_table(pt.pa, 2));
	set(&pt, IOVA_A, 1, p->make_leaf(page_a.pa, 1, rw));
	set(&pt, IOVA_B, 1, p->make_leaf(page_b.pa, 1, rw));
	set(&top4, IOVA_A, 4, p->make_table(l3.pa, 4)); /* index 0: IOVA_A and the edu source */
	set(&l3, IOVA_A, 3, p->make_table(mid.pa, 3));
	set(&top4, IOVA_HIGH, 4, p->make_table(l2.pa, 4));
	set(&l2, IOVA_HIGH, 3, p->make_table(l1.pa, 3));
	set(&l1, IOVA_HIGH, 2, p->make_table(pt_high.pa, 2));
	set(&pt_high, IOVA_HIGH + IOVA_B, 1, p->make_leaf(page_c.pa, 1, rw));
	return true;
}

static bool attach(uint16_t domain, uint64_t root, unsigned levels)
{
	return ops->attach(&iu, edu_id, domain, root, levels) == IOMMU_OK &&
	       ops->wait(&iu) == IOMMU_OK;
}

/* Sets page B's leaf; invalidates it (one wait) when asked. */
static bool set_b(uint64_t pte, bool invalidate)
{
	set(&pt, IOVA_B, 1, pte);
	return !invalidate || (ops->inv_iotlb_pages(&iu, DOMAIN, IOVA_B, 0) == IOMMU_OK &&
	                       ops->wait(&iu) == IOMMU_OK);
}

static void blocked_at_start(void)
{
	memset(page_b.va, 0x11, DMA_LEN);
	ok(edu_dma(EDU_BUFFER, IOVA_B, true) && all(page_b.va, 0x11) &&
	           edu_dma(EDU_BUFFER, page_b.pa, true) && all(page_b.va, 0x11),
	   "edu blocked as bring-up left it (V=1, TV=1, Mode 0): its DMA writes to IOVA %#llx "
	   "and to the page's own address landed nowhere",
	   (unsigned long long)IOVA_B);
}

static void mapped(void)
{
	bool in, out;

	memset(page_b.va, 0, DMA_LEN);
	in = attach(DOMAIN, top.pa, 3) && edu_load(0x5a);
	out = in && edu_dma(EDU_BUFFER, IOVA_B, true) && all(page_b.va, 0x5a);
	ok(in && out,
	   "edu attached to domain %u (3 levels): %u bytes went RAM -> edu (read through IOVA "
	   "%#llx) -> RAM (written through IOVA %#llx), byte for byte",
	   DOMAIN, DMA_LEN, (unsigned long long)IOVA_A, (unsigned long long)IOVA_B);
}

static void unmapped(void)
{
	bool stale, blocked;

	stale = set_b(0, false) && edu_load(0x66) && edu_dma(EDU_BUFFER, IOVA_B, true) &&
	        all(page_b.va, 0x66);
	ok(stale, "a cleared leaf not yet invalidated: QEMU's IOTLB still translated it "
	          "(the cache is real)");
	blocked = set_b(0, true) && edu_load(0x77) && edu_dma(EDU_BUFFER, IOVA_B, true) &&
	          all(page_b.va, 0x66);
	ok(blocked, "after INVALIDATE_IOMMU_PAGES completed, DMA to the old IOVA is blocked and "
	            "the page unchanged");
}

static void read_only(void)
{
	bool done;

	memset(page_b.va, 0x3c, DMA_LEN);
	done = set_b(ops->pte->make_leaf(page_b.pa, 1, IOMMU_READ), true) && edu_load(0x44) &&
	       edu_dma(EDU_BUFFER, IOVA_B, true) && all(page_b.va, 0x3c) &&
	       edu_dma(IOVA_B, EDU_BUFFER, false) && edu_dma(EDU_BUFFER, IOVA_A, true) &&
	       all(page_a.va, 0x3c);
	ok(done, "a read-only page: the device read it (0x3c came back through page A), its "
	         "write was refused");
}

static void superpage(void)
{
	struct amdvi_page big = {0};
	bool done = alloc(NULL, LARGE_SIZE, &big);

	if (done) {
		set(&mid, IOVA_2M, 2, ops->pte->make_leaf(big.pa, 2, IOMMU_READ | IOMMU_WRITE));
		done = edu_load(0x2d) && edu_dma(EDU_BUFFER, IOVA_2M + TAIL_2M, true);
	}
	tap_diag("2 MiB page at %#llx, first bytes at its end %#x", (unsigned long long)big.pa,
	         done ? ((uint8_t *)big.va)[TAIL_2M] : 0);
	ok(done && all((uint8_t *)big.va + TAIL_2M, 0x2d),
	   "a 2 MiB leaf (NextLevel 0 at level 2) at IOVA %#llx: edu's write to its last page "
	   "landed there",
	   (unsigned long long)IOVA_2M);
}

static void four_levels(void)
{
	bool done = attach(DOMAIN_4L, top4.pa, 4) && edu_load(0x4e) &&
	            edu_dma(EDU_BUFFER, IOVA_HIGH + IOVA_B, true) && all(page_c.va, 0x4e);

	ok(done, "edu in a 4-level domain (Mode 4): its write to IOVA %#llx (above 2^39) landed",
	   (unsigned long long)(IOVA_HIGH + IOVA_B));
	set_b(ops->pte->make_leaf(page_b.pa, 1, IOMMU_READ | IOMMU_WRITE), true);
}

static void blocked_after_use(void)
{
	bool cached, blocked;

	cached = attach(DOMAIN, top.pa, 3) && edu_load(0x21) && edu_dma(EDU_BUFFER, IOVA_B, true) &&
	         all(page_b.va, 0x21);
	memset(page_b.va, 0x99, DMA_LEN);
	memset(page_a.va, 0x98, DMA_LEN);
	blocked = cached && ops->block(&iu, edu_id) == IOMMU_OK && ops->wait(&iu) == IOMMU_OK &&
	          edu_dma(EDU_BUFFER, IOVA_B, true) && all(page_b.va, 0x99) &&
	          edu_dma(EDU_BUFFER, page_a.pa, true) && all(page_a.va, 0x98);
	ok(blocked,
	   "block() after DMA went through (IOTLB entries cached): the next DMA to the same IOVA "
	   "and to the page's address landed nowhere");
}

/*
 * A walk QEMU 7.2 does report: a PDE that is not present but not zero
 * (amdvi_page_walk() calls amdvi_page_fault() for it; a zero entry, a
 * leaf's rights and Mode 0 end the walk silently). The model still writes
 * no record: amdvi_log_event() returns at once, its overflow test ORs
 * where it should AND (docs/amdvi.md).
 */
static void event_log(void)
{
	struct iommu_fault f[8];
	unsigned count;
	bool ovf, blocked;
	uint64_t tail;

	set(&top, IOVA_NP, 3, ops->pte->make_table(mid.pa, 3) & ~AMDVI_PTE_PR);
	memset(page_a.va, 0x17, DMA_LEN);
	blocked = attach(DOMAIN, top.pa, 3) && edu_load(0x17) &&
	          edu_dma(EDU_BUFFER, IOVA_NP + IOVA_B, true) && all(page_b.va, 0x99);
	ops->drain_faults(&iu, f, 8, &count, &ovf);
	tail = amdvi_read64(&iu.amd, AMDVI_REG_EVTLOG_TAIL);
	tap_diag("event log: %u records drained, tail register %#llx", count,
	         (unsigned long long)tail);
	ok(blocked && count == 0 && !ovf && tail == 0,
	   "DMA through a not-present PDE was blocked; QEMU 7.2 logged no IO_PAGE_FAULT for it "
	   "(nor for any refused DMA before): drain_faults found none and returned");
	ops->block(&iu, edu_id);
	ops->wait(&iu);
}

static void dma_tests(void)
{
	bool ready = edu_setup() && build_domains();

	ok(ready,
	   "edu found, its registers mapped and bus mastering on (PCI server); "
	   "requester %04x",
	   edu_id);
	if (!ready) {
		for (unsigned i = 1; i < DMA_TESTS; i++)
			ok(false, "no edu: nothing to test");
		return;
	}
	blocked_at_start();
	mapped();
	unmapped();
	read_only();
	superpage();
	four_levels();
	blocked_after_use();
	event_log();
}

/* ---- Interrupt remapping ------------------------------------------------------ */

#define EDU_IRQ_STATUS 0x24
#define EDU_IRQ_RAISE  0x60
#define EDU_IRQ_ACK    0x64
#define EDU_IRQ_BIT    0x1
#define IRQ_BADGE      2
#define IRQ_INDEX      3
#define IRQ_WAIT_NS    1000000000ULL /* at most, for an interrupt that must come */
#define QUIET_POLLS    20000         /* polls that must all find nothing */

static uint64_t irq_handler, irq_ntfn;
static unsigned irq_vector, irq_apic;

/* A kernel MSI vector whose IRQHandler signals irq_ntfn with IRQ_BADGE. */
static bool vector_setup(void)
{
	const struct ward_startinfo *si = ward_startinfo;
	uint64_t h = slot(), n = slot(), badged = slot(), v, address, data;

	if (si->irq_control == 0 || h == 0 || n == 0 || badged == 0 ||
	    ward_irq_control_get_msi(si->irq_control, WARD_PROC_CAP_CNODE, h, 64, &v, &address,
	                             &data) != WARD_OK ||
	    ward_untyped_retype(WARD_PROC_CAP_UNTYPED, WARD_OBJ_NOTIFICATION, 0,
	                        WARD_PROC_CAP_CNODE, 0, 0, n, 1) != WARD_OK ||
	    ward_cnode_mint(WARD_PROC_CAP_CNODE, badged, 64, WARD_PROC_CAP_CNODE, n, 64,
	                    WARD_RIGHT_READ | WARD_RIGHT_WRITE, IRQ_BADGE) != WARD_OK ||
	    ward_irq_handler_set_notification(h, badged) != WARD_OK)
		return false;
	irq_handler = h;
	irq_ntfn = n;
	irq_vector = (unsigned)v;
	irq_apic = (unsigned)((address >> 12) & 0xff); /* compatibility format, 19:12 */
	return true;
}

/* Raises edu's interrupt once and acknowledges it at edu (edu sends the MSI on the raise). */
static void edu_raise(void)
{
	*(volatile uint32_t *)(edu + EDU_IRQ_RAISE) = EDU_IRQ_BIT;
	(void)*(volatile uint32_t *)(edu + EDU_IRQ_STATUS); /* the write has completed */
	*(volatile uint32_t *)(edu + EDU_IRQ_ACK) = EDU_IRQ_BIT;
}

/* Whether the vector's notification came (waiting up to IRQ_WAIT_NS, or QUIET_POLLS polls). */
static bool arrived(bool expect)
{
	uint64_t end = now() + IRQ_WAIT_NS, badge = 0;
	unsigned polls = 0;

	do {
		ward_poll(irq_ntfn, &badge);
		polls++;
	} while (!(badge & IRQ_BADGE) && (expect ? now() < end : polls < QUIET_POLLS));
	if (badge & IRQ_BADGE)
		ward_irq_handler_ack(irq_handler);
	return (badge & IRQ_BADGE) != 0;
}

static bool entry_for(uint16_t source)
{
	struct iommu_irq_entry e = {.vector = (uint8_t)irq_vector,
	                            .apic_id = irq_apic,
	                            .check = IOMMU_IRQ_CHECK_SOURCE,
	                            .source_id = source};

	return ops->irq_set(&iu, IRQ_INDEX, &e) == IOMMU_OK && ops->wait(&iu) == IOMMU_OK;
}

static void irq_tests(void)
{
	uint64_t ep = ward_startinfo->pci_endpoint, address = 0;
	uint32_t data = 0;
	struct iommu_caps c;
	bool ready, got;

	ops->caps(&iu, &c);
	ready = edu != NULL && c.irq_entries == AMDVI_IRQ_ENTRIES && vector_setup() &&
	        entry_for(edu_id) && ops->irq_msi(&iu, IRQ_INDEX, &address, &data) == IOMMU_OK &&
	        pci_msi_set(ep, edu_id, address, data, 1) == WARD_OK;
	ok(ready,
	   "edu's MSI programmed as %#llx/%#x: entry %u of edu's interrupt table -> vector %#x, "
	   "APIC %u",
	   (unsigned long long)address, data, IRQ_INDEX, irq_vector, irq_apic);
	if (!ready) {
		for (unsigned i = 1; i < IRQ_TESTS; i++)
			ok(false, "no interrupt remapping set-up: nothing to test");
		return;
	}
	edu_raise();
	ok(arrived(true), "edu's MSI reached vector %#x through its interrupt table (IntCtl 10b)",
	   irq_vector);
	got = entry_for(0x0100) && (edu_raise(), arrived(false));
	ok(!got && entry_for(edu_id) && (edu_raise(), arrived(true)),
	   "the index moved to DeviceID 0100's table: edu's MSI delivered nothing; moved back: "
	   "delivered again");
	got = ops->irq_clear(&iu, IRQ_INDEX) != IOMMU_OK || ops->wait(&iu) != IOMMU_OK ||
	      (edu_raise(), arrived(false));
	ok(!got,
	   "entry %u cleared and INVALIDATE_INTERRUPT_TABLE completed: edu's MSI delivered "
	   "nothing",
	   IRQ_INDEX);
	pci_irq_disable(ep, edu_id);
}

int main(void)
{
	const struct ward_startinfo *si = ward_startinfo;
	const struct ward_device_window *w = NULL;
	bool dma = strstr(si->args, "dma") != NULL, irq = strstr(si->args, "irq") != NULL;
	enum amdvi_status st = AMDVI_E_WINDOW;
	char line[300];

	tap_plan(BASE_TESTS + (dma ? DMA_TESTS : 0) + (irq ? IRQ_TESTS : 0));
	next_slot = si->free_first;
	make_larges();
	for (unsigned i = 0; i < si->window_count; i++)
		if (si->windows[i].kind == WARD_WINDOW_AMDVI && w == NULL)
			w = &si->windows[i];
	if (!tap_ok(w != NULL, "the root task granted an AMD-Vi register window"))
		return tap_exit_status();
	if ((st = amdvi_unit_probe(&iu.amd, w, &env)) == AMDVI_OK &&
	    (st = amdvi_unit_prepare(&iu.amd)) == AMDVI_OK)
		st = amdvi_unit_enable(&iu.amd);
	amdvi_unit_describe(&iu.amd, line, sizeof(line));
	tap_diag("%s", line);
	ok(st == AMDVI_OK &&
	           (amdvi_read64(&iu.amd, AMDVI_REG_CONTROL) & AMDVI_CTRL_WARD_MASK) ==
	                   (AMDVI_CTRL_IOMMU_EN | AMDVI_CTRL_EVENT_LOG_EN |
	                    AMDVI_CTRL_CMD_BUF_EN) &&
	           (amdvi_read64(&iu.amd, AMDVI_REG_STATUS) & AMDVI_STATUS_CMD_BUF_RUN),
	   "unit at %#llx probed, every DeviceID blocked, enabled with its command buffer "
	   "running (%s)",
	   (unsigned long long)w->phys, amdvi_strerror(st));
	commands(&iu.amd);
	timeout(&iu.amd);
	if (dma)
		dma_tests();
	if (irq)
		irq_tests();
	amdvi_unit_describe(&iu.amd, line, sizeof(line));
	tap_diag("%s", line);
	return tap_exit_status();
}

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * DMA through the backend on QEMU: QEMU's `edu` device (docs/specs/edu
 * in QEMU: DMA source 0x80, destination 0x88, count 0x90, command 0x98;
 * its buffer at device address 0x40000) copies between its buffer and
 * IOVAs the test maps by hand in a second-stage table, so the checks are
 * on memory, never on edu's word (it ignores DMA errors):
 *
 *  - in quarantine, a DMA write lands nowhere and the unit records it;
 *  - through a mapping, data goes RAM → edu → RAM byte for byte;
 *  - a cleared entry still translates from QEMU's IOTLB until the
 *    page-selective invalidation completes, and never after;
 *  - a read-only page can be read by the device and not written;
 *  - a 2 MiB leaf (PS) translates its whole range.
 *
 * Part of qemu_vtd.c's program; the PCI server maps edu's registers and
 * turns its bus mastering on for us.
 */
#include <stdarg.h>
#include <string.h>
#include <ward/invoke.h>
#include <ward/object.h>
#include <ward/rt.h>
#include <ward/startinfo.h>

#include "pci.h"
#include "pci_service.h"
#include "qemu_vtd.h"
#include <stdio.h>

/* PCI BUS_MASTER's second result, the Command register before the change. */
static uint64_t command_before;

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
#define TEST_DID    2
#define IOVA_2M     0x200000ULL
#define TAIL_2M     0x1ff000ULL /* the last 4 KiB of the 2 MiB page */
#define LARGE_2M    (1ULL << VTD_LEVEL_SHIFT(VTD_LEVEL_2M))

static volatile uint8_t *edu;
static uint16_t edu_sid;
static struct vtd_page top, mid, pt, page_a, page_b;

static void edu_write64(unsigned off, uint64_t v)
{
	*(volatile uint64_t *)(edu + off) = v;
}

/* One edu transfer; true when edu finished it (whether or not the IOMMU let it through). */
static bool edu_dma(uint64_t src, uint64_t dst, bool to_ram)
{
	uint64_t end = qemu_vtd_now() + EDU_DMA_NS;

	edu_write64(EDU_DMA_SRC, src);
	edu_write64(EDU_DMA_DST, dst);
	edu_write64(EDU_DMA_CNT, DMA_LEN);
	edu_write64(EDU_DMA_CMD, EDU_CMD_RUN | (to_ram ? EDU_CMD_TO : 0));
	while (*(volatile uint64_t *)(edu + EDU_DMA_CMD) & EDU_CMD_RUN)
		if (qemu_vtd_now() > end)
			return false;
	return true;
}

/* Fills the edu buffer with `fill` through page A (mapped read-write). */
static bool edu_load(uint8_t fill)
{
	memset(page_a.va, fill, DMA_LEN);
	return edu_dma(IOVA_A, EDU_BUFFER, false);
}

static bool all(const struct vtd_page *p, uint8_t v)
{
	for (unsigned i = 0; i < DMA_LEN; i++)
		if (((const uint8_t *)p->va)[i] != v)
			return false;
	return true;
}

/* Drains one fault; true if it names edu, `iova` and a write refused (0x05). */
static bool write_fault(struct vtd_unit *u, uint64_t iova)
{
	struct vtd_fault f;

	return vtd_fault_drain(u, &f, 1, NULL, NULL) == 1 && f.sid == edu_sid && f.addr == iova &&
	       f.write && f.reason == VTD_FR_WRITE;
}

static bool find_edu(uint64_t ep, uint64_t *sbdf)
{
	uint64_t next, count, s[PCI_LIST_BATCH];

	if (pci_list(ep, 0, PCI_LIST_KEY(0, EDU_ID >> 16, EDU_ID & 0xffff), PCI_LIST_KEY_ID_MASK, 0,
	             0, &next, &count, &s[0], &s[1], &s[2], &s[3], &s[4], &s[5], &s[6],
	             &s[7]) != WARD_OK ||
	    count == 0)
		return false;
	*sbdf = s[0];
	return true;
}

static bool edu_setup(void)
{
	const struct ward_startinfo *si = ward_startinfo;
	uint64_t sbdf, phys, size, command, slot = qemu_vtd_slot();

	if (si->pci_endpoint == 0 || !find_edu(si->pci_endpoint, &sbdf) || slot == 0 ||
	    pci_map_bar_into(si->pci_endpoint, WARD_PROC_CAP_CNODE, slot, sbdf, 0, 0, &phys,
	                     &size) != WARD_OK ||
	    !qemu_vtd_map(slot, EDU_VA) ||
	    pci_bus_master(si->pci_endpoint, sbdf, 1, &command, &command_before) != WARD_OK)
		return false;
	edu = (volatile uint8_t *)(uintptr_t)EDU_VA;
	edu_sid = (uint16_t)sbdf;
	return true;
}

/* A 3-level table: IOVA_A → page A read-write, IOVA_B → page B read-write. */
static bool build_domain(struct vtd_unit *u)
{
	uint64_t *e;

	if (!qemu_vtd_page(&top) || !qemu_vtd_page(&mid) || !qemu_vtd_page(&pt) ||
	    !qemu_vtd_page(&page_a) || !qemu_vtd_page(&page_b))
		return false;
	((uint64_t *)top.va)[VTD_LEVEL_INDEX(IOVA_A, 3)] = vtd_pte_table(mid.pa);
	((uint64_t *)mid.va)[VTD_LEVEL_INDEX(IOVA_A, 2)] = vtd_pte_table(pt.pa);
	e = pt.va;
	e[VTD_LEVEL_INDEX(IOVA_A, 1)] = vtd_pte_leaf(page_a.pa, 1, VTD_PTE_RW);
	e[VTD_LEVEL_INDEX(IOVA_B, 1)] = vtd_pte_leaf(page_b.pa, 1, VTD_PTE_RW);
	vtd_entries_written(u, top.va, VTD_PAGE_SIZE);
	vtd_entries_written(u, mid.va, VTD_PAGE_SIZE);
	vtd_entries_written(u, pt.va, VTD_PAGE_SIZE);
	return true;
}

/* Sets page B's entry; invalidates it (one wait) when asked or when CM says it must. */
static bool set_b(struct vtd_unit *u, uint64_t pte, bool invalidate)
{
	uint64_t *e = &((uint64_t *)pt.va)[VTD_LEVEL_INDEX(IOVA_B, 1)];
	struct vtd_desc d;

	*e = pte;
	vtd_entries_written(u, e, sizeof(*e));
	if (!invalidate && !u->caps.cm)
		return true;
	d = vtd_iotlb_range(&u->caps, TEST_DID, IOVA_B, VTD_PAGE_SIZE, true);
	return vtd_qi_submit(u, &d, 1) == VTD_OK;
}

/* Empties the fault registers (QEMU records no second fault of a source with one pending). */
static void discard_faults(struct vtd_unit *u)
{
	struct vtd_fault f[4];

	while (vtd_fault_drain(u, f, 4, NULL, NULL) != 0)
		;
}

static void ok(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void ok(bool cond, const char *fmt, ...)
{
	char name[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	qemu_vtd_ok(cond, name);
}

static void quarantined(struct vtd_unit *u)
{
	bool done = edu_dma(EDU_BUFFER, IOVA_B, true);

	bool irq = done && qemu_vtd_irq_wait();

	ok(done && irq && all(&page_b, 0) && write_fault(u, IOVA_B),
	   "edu in quarantine: its DMA write to IOVA %#llx landed nowhere; the fault interrupt "
	   "came and the record names source %04x, a write, reason 0x05",
	   (unsigned long long)IOVA_B, edu_sid);
}

static void mapped(struct vtd_unit *u)
{
	bool done = vtd_attach(u, edu_sid, TEST_DID, top.pa, 3) == VTD_OK && edu_load(0x5a) &&
	            edu_dma(EDU_BUFFER, IOVA_B, true) && all(&page_b, 0x5a);

	ok(done,
	   "edu attached to domain %u: %u bytes went RAM -> edu -> RAM through the mapping, "
	   "byte for byte",
	   TEST_DID, DMA_LEN);
}

static void unmapped(struct vtd_unit *u)
{
	bool stale, blocked;

	stale = set_b(u, 0, false) && edu_load(0x66) && edu_dma(EDU_BUFFER, IOVA_B, true) &&
	        (u->caps.cm ? all(&page_b, 0x5a) : all(&page_b, 0x66));
	ok(stale, "a cleared entry not yet invalidated: %s",
	   u->caps.cm ? "caching mode invalidated it at once"
	              : "QEMU's IOTLB still translated it (the cache is real)");
	discard_faults(u);
	blocked = set_b(u, 0, true) && edu_load(0x77) && edu_dma(EDU_BUFFER, IOVA_B, true) &&
	          !all(&page_b, 0x77) && write_fault(u, IOVA_B);
	ok(blocked, "after the page-selective invalidation completed, DMA to the old IOVA is "
	            "blocked, the page unchanged, reason 0x05 recorded");
}

static void read_only(struct vtd_unit *u)
{
	bool done;

	memset(page_b.va, 0x3c, DMA_LEN);
	done = set_b(u, vtd_pte_leaf(page_b.pa, 1, VTD_PTE_R), false) && edu_load(0x44) &&
	       edu_dma(EDU_BUFFER, IOVA_B, true) && all(&page_b, 0x3c) && write_fault(u, IOVA_B) &&
	       edu_dma(IOVA_B, EDU_BUFFER, false) && edu_dma(EDU_BUFFER, IOVA_A, true) &&
	       all(&page_a, 0x3c);
	ok(done, "a read-only page: the device read it, its write was refused (reason 0x05)");
}

static void superpage(struct vtd_unit *u)
{
	uint64_t *e = &((uint64_t *)mid.va)[VTD_LEVEL_INDEX(IOVA_2M, VTD_LEVEL_2M)];
	struct vtd_desc d;
	struct vtd_page big;
	bool done = qemu_vtd_large(&big) && vtd_attach(u, edu_sid, TEST_DID, top.pa, 3) == VTD_OK;

	if (done) {
		*e = vtd_pte_leaf(big.pa, VTD_LEVEL_2M, VTD_PTE_RW);
		vtd_entries_written(u, e, sizeof(*e));
		d = vtd_iotlb_range(&u->caps, TEST_DID, IOVA_2M, LARGE_2M, false);
		done = (!u->caps.cm || vtd_qi_submit(u, &d, 1) == VTD_OK) && edu_load(0x2d) &&
		       edu_dma(EDU_BUFFER, IOVA_2M + TAIL_2M, true);
	}
	ok(done && memchr((uint8_t *)big.va + TAIL_2M, 0x2d, 1) != NULL &&
	           !memcmp((uint8_t *)big.va + TAIL_2M, page_a.va, DMA_LEN),
	   "a 2 MiB leaf (PS) at IOVA %#llx: edu's write to its last page landed there",
	   (unsigned long long)IOVA_2M);
}

bool qemu_vtd_edu(volatile uint8_t **regs, uint64_t *sbdf)
{
	*regs = edu;
	*sbdf = edu_sid;
	return edu != NULL;
}

void qemu_vtd_dma(struct vtd_unit *u)
{
	bool ready = edu_setup() && build_domain(u);

	ok(ready, "edu found, its registers mapped and bus mastering on (PCI server)");
	if (!ready) {
		for (unsigned i = 1; i < QEMU_VTD_DMA_TESTS; i++)
			ok(false, "no edu: nothing to test");
		return;
	}
	discard_faults(u);
	quarantined(u);
	mapped(u);
	unmapped(u);
	read_only(u);
	superpage(u);
	vtd_block(u, edu_sid);
}

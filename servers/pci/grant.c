/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the server hands out, and takes back: device frames over BARs
 * (MAP_BAR), device-badged endpoint caps (DEVICE_BADGE, DEVICE_CAP), and
 * reassignment (REVOKE, and QUIESCE: bus mastering off and REVOKE in one
 * request, the first two steps of a move in one round trip). Every cap handed out is a copy whose
 * parent the server keeps, so Revoke on that parent removes the copy from whatever CSpace it
 * reached, and with a frame every mapping made from it (docs/kernel.md 1.4, 1.6).
 */
#include <ward/invoke.h>

#include "pci_handlers.h"
#include "pci_state.h"

/* Device-badged caps get no GRANT: a driver has nothing to send the server. */
#define PCI_DEVICE_CAP_RIGHTS (WARD_RIGHT_WRITE | WARD_RIGHT_GRANT_REPLY)

/* Whether BAR bytes [off, off + len) hold part of the MSI-X table or PBA. */
static bool pci_msix_overlaps(struct pci_server *s, const struct pci_entry *e, unsigned bar,
                              uint64_t off, uint64_t len)
{
	uint16_t msix = e->dev.caps.msix, n;
	uint32_t table, pba;

	if (msix == 0)
		return false;
	n = (uint16_t)((pci_rd16(s, e->dev.sbdf, msix + PCI_MSIX_FLAGS) & PCI_MSIX_FLAGS_QSIZE) +
	               1);
	table = pci_rd32(s, e->dev.sbdf, msix + PCI_MSIX_TABLE);
	pba = pci_rd32(s, e->dev.sbdf, msix + PCI_MSIX_PBA);
	if ((table & PCI_MSIX_TABLE_BIR) == bar) {
		uint64_t t = table & PCI_MSIX_TABLE_OFFSET;
		if (t < off + len && off < t + (uint64_t)n * PCI_MSIX_ENTRY_SIZE)
			return true;
	}
	if ((pba & PCI_MSIX_PBA_BIR) == bar) {
		uint64_t p = pba & PCI_MSIX_PBA_OFFSET;
		if (p < off + len && off < p + (n + 63u) / 64u * 8u)
			return true;
	}
	return false;
}

/* MAP_BAR's checks on the BAR and the offset; the frame size through *fsize. */
static enum ward_error pci_map_bar_check(struct ward_request *rq, const struct pci_entry *e,
                                         uint64_t bar, uint64_t offset, uint64_t *fsize)
{
	const struct pci_bar *b;

	if (e->platform)
		return ward_fail(rq, PCI_ERR_PROTECTED, 0, 0, 0);
	if (bar >= e->dev.nbars)
		return ward_fail(rq, WARD_ERR_RANGE, 1, 0, e->dev.nbars - 1ULL);
	b = &e->dev.bars[bar];
	/* I/O BARs are reached through I/O-port caps; a sub-page BAR shares its page. */
	if (b->flags & (PCI_BAR_F_IO | PCI_BAR_F_UPPER) || b->size < (1u << PCI_PAGE_BITS) ||
	    b->base == 0)
		return ward_fail(rq, PCI_ERR_UNSUPPORTED, 1, 0, 0);
	if (offset >= b->size)
		return ward_fail(rq, WARD_ERR_RANGE, 2, 0, b->size - 1);
	*fsize = b->size >= 1ULL << PCI_LARGE_PAGE_BITS ? 1ULL << PCI_LARGE_PAGE_BITS
	                                                : 1ULL << PCI_PAGE_BITS;
	if (offset % *fsize != 0)
		return ward_fail(rq, WARD_ERR_ALIGNMENT, 2, *fsize, 0);
	return WARD_OK;
}

enum ward_error pci_serve_map_bar(struct ward_request *rq, uint64_t sbdf, uint64_t bar,
                                  uint64_t offset, uint64_t *phys, uint64_t *size)
{
	struct pci_server *s = rq->ctx;
	struct pci_bar_frames *f;
	struct pci_entry *e;
	enum ward_error err;
	uint64_t fsize;

	if ((err = pci_authorize(rq, sbdf, 0, true, &e)) != WARD_OK ||
	    (err = pci_map_bar_check(rq, e, bar, offset, &fsize)) != WARD_OK)
		return err;
	/*
	 * The MSI-X table is the server's: a driver that could write it would
	 * choose where its device's interrupt writes go (VFIO refuses the same).
	 */
	if (pci_msix_overlaps(s, e, (unsigned)bar, offset, fsize))
		return ward_fail(rq, PCI_ERR_PROTECTED, 2, offset, offset + fsize - 1);
	if ((err = pci_bar_frames_get(s, e, (unsigned)bar, &f)) != WARD_OK)
		return ward_fail(rq, err, 1, 0, 0);
	*phys = e->dev.bars[bar].base + offset;
	*size = fsize;
	s->reply_cap = f->first + offset / fsize;
	return WARD_OK;
}

enum ward_error pci_serve_device_badge(struct ward_request *rq, uint64_t sbdf, uint64_t *badge)
{
	struct pci_entry *e;
	enum ward_error err;

	if ((err = pci_authorize(rq, sbdf, 0, true, &e)) != WARD_OK)
		return err;
	*badge = pci_entry_badge(rq->ctx, e);
	return WARD_OK;
}

enum ward_error pci_serve_device_cap(struct ward_request *rq, uint64_t sbdf, uint64_t *badge)
{
	struct pci_server *s = rq->ctx;
	struct pci_entry *e;
	enum ward_error err;
	uint64_t slot;

	if ((err = pci_authorize(rq, sbdf, 0, true, &e)) != WARD_OK)
		return err;
	if (e->platform)
		return ward_fail(rq, PCI_ERR_PROTECTED, 0, 0, 0);
	*badge = pci_entry_badge(s, e);
	if (e->device_cap == 0) {
		/* Badging the unbadged cap makes a revocable original (kernel.md 1.4). */
		if ((slot = pci_slot_alloc(s, 1)) == 0)
			return ward_fail(rq, PCI_ERR_NO_RESOURCES, 0, 0, 0);
		if (ward_cnode_mint(s->cfg.cspace, slot, 64, s->cfg.cspace, s->cfg.endpoint, 64,
		                    PCI_DEVICE_CAP_RIGHTS, *badge) != WARD_OK) {
			pci_slot_free(s, slot, 1);
			return ward_fail(rq, PCI_ERR_NO_RESOURCES, 0, 0, 0);
		}
		e->device_cap = slot;
	}
	s->reply_cap = e->device_cap;
	return WARD_OK;
}

enum ward_error pci_serve_revoke(struct ward_request *rq, uint64_t sbdf, uint64_t *badge)
{
	struct pci_entry *e;
	enum ward_error err;

	if ((err = pci_authorize(rq, sbdf, 0, true, &e)) != WARD_OK)
		return err;
	pci_entry_revoke(rq->ctx, e);
	*badge = pci_entry_badge(rq->ctx, e);
	return WARD_OK;
}

enum ward_error pci_serve_quiesce(struct ward_request *rq, uint64_t sbdf, uint64_t *badge,
                                  uint64_t *before)
{
	struct pci_server *s = rq->ctx;
	struct pci_entry *e;
	enum ward_error err;
	uint16_t cmd;

	if ((err = pci_authorize(rq, sbdf, 0, true, &e)) != WARD_OK)
		return err;
	if (e->platform)
		return ward_fail(rq, PCI_ERR_PROTECTED, 0, 0, 0);
	cmd = pci_rd16(s, e->dev.sbdf, PCI_COMMAND);
	*before = cmd;
	pci_wr16(s, e->dev.sbdf, PCI_COMMAND, (uint16_t)(cmd & ~PCI_COMMAND_MASTER));
	pci_entry_revoke(s, e);
	*badge = pci_entry_badge(s, e);
	return WARD_OK;
}

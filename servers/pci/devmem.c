/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Capabilities the server makes: CSpace slots, device frames over BARs,
 * and its own mappings of MSI-X tables.
 *
 * The starter hands over the device untyped caps covering the PCI MMIO
 * windows. Retype only ever allocates at an untyped's watermark
 * (docs/kernel.md 1.3), so to make frames at a BAR's address the server
 * keeps a buddy tree: a node is split into two half-size untypeds until one
 * exactly covers the BAR (BARs are naturally aligned powers of two, PCIe
 * Base §7.5.1.2.1), and that node's frames are retyped in one go. Frames
 * are children of that node, and every copy handed out is a child of a
 * frame, so revoking the node takes back every copy and mapping at once.
 */
#include <ward/invoke.h>

#include "pci_state.h"

enum {
	PCI_UT_FREE = 0, /* no children: Retype starts at its base */
	PCI_UT_SPLIT,    /* two half-size children exist */
	PCI_UT_USED,     /* frames of one BAR were retyped from it */
};

#define PCI_OWN_VA_STRIDE (1ULL << PCI_LARGE_PAGE_BITS) /* one frame per function */

uint64_t pci_slot_alloc(struct pci_server *s, unsigned count)
{
	unsigned run = 0;

	for (unsigned i = 0; i < s->cfg.slot_count; i++) {
		if (s->slot_used[i / 64] & (1ULL << (i % 64))) {
			run = 0;
			continue;
		}
		if (++run < count)
			continue;
		for (unsigned k = i + 1 - count; k <= i; k++)
			s->slot_used[k / 64] |= 1ULL << (k % 64);
		return s->cfg.slot_first + i + 1 - count;
	}
	return 0;
}

void pci_slot_free(struct pci_server *s, uint64_t slot, unsigned count)
{
	for (uint64_t k = slot - s->cfg.slot_first; k < slot - s->cfg.slot_first + count; k++)
		s->slot_used[k / 64] &= ~(1ULL << (k % 64));
}

/* The unsplit node covering [base, base + 2^bits): nodes of a buddy tree never overlap. */
static struct pci_ut *pci_devmem_leaf(struct pci_server *s, uint64_t base, unsigned bits)
{
	uint64_t end = base + (1ULL << bits);

	for (unsigned i = 0; i < s->nut; i++) {
		struct pci_ut *u = &s->ut[i];

		if (u->state != PCI_UT_SPLIT && u->base <= base &&
		    end <= u->base + (1ULL << u->bits))
			return u;
	}
	return NULL;
}

static bool pci_devmem_split(struct pci_server *s, struct pci_ut *u)
{
	uint64_t slot;

	if (s->nut + 2 > PCI_DEVMEM_NODES || (slot = pci_slot_alloc(s, 2)) == 0)
		return false;
	if (ward_untyped_retype(u->cap, WARD_OBJ_UNTYPED, u->bits - 1u, s->cfg.cspace, 0, 0, slot,
	                        2) != WARD_OK) {
		pci_slot_free(s, slot, 2);
		return false;
	}
	for (unsigned h = 0; h < 2; h++) {
		s->ut[s->nut++] = (struct pci_ut){
		        .cap = slot + h,
		        .base = u->base + ((uint64_t)h << (u->bits - 1u)),
		        .bits = (uint8_t)(u->bits - 1u),
		        .state = PCI_UT_FREE,
		};
	}
	u->state = PCI_UT_SPLIT;
	return true;
}

/* A free untyped exactly covering [base, base + 2^bits), or NULL. */
static struct pci_ut *pci_devmem_carve(struct pci_server *s, uint64_t base, unsigned bits)
{
	for (;;) {
		struct pci_ut *u = pci_devmem_leaf(s, base, bits);

		if (u == NULL || u->state == PCI_UT_USED)
			return NULL;
		if (u->bits == bits)
			return u;
		if (!pci_devmem_split(s, u))
			return NULL;
	}
}

static unsigned pci_log2(uint64_t v)
{
	return 63u - (unsigned)__builtin_clzll(v);
}

enum ward_error pci_bar_frames_get(struct pci_server *s, struct pci_entry *e, unsigned bar,
                                   struct pci_bar_frames **out)
{
	struct pci_bar_frames *f = &e->frames[bar];
	const struct pci_bar *b = &e->dev.bars[bar];
	unsigned bits, fbits;
	uint64_t first, count;
	struct pci_ut *u;

	*out = f;
	if (f->count != 0)
		return WARD_OK;
	if (bar >= e->dev.nbars || b->flags & (PCI_BAR_F_IO | PCI_BAR_F_UPPER) || b->base == 0 ||
	    b->size < (1ULL << PCI_PAGE_BITS))
		return PCI_ERR_UNSUPPORTED;
	bits = pci_log2(b->size);
	fbits = bits >= PCI_LARGE_PAGE_BITS ? PCI_LARGE_PAGE_BITS : PCI_PAGE_BITS;
	count = 1ULL << (bits - fbits);
	if (count > PCI_BAR_MAX_FRAMES || (u = pci_devmem_carve(s, b->base, bits)) == NULL)
		return PCI_ERR_NO_RESOURCES;
	if ((first = pci_slot_alloc(s, (unsigned)count)) == 0)
		return PCI_ERR_NO_RESOURCES;
	if (ward_untyped_retype(u->cap,
	                        fbits == PCI_PAGE_BITS ? WARD_OBJ_FRAME : WARD_OBJ_LARGE_FRAME, 0,
	                        s->cfg.cspace, 0, 0, first, count) != WARD_OK) {
		pci_slot_free(s, first, (unsigned)count);
		return PCI_ERR_NO_RESOURCES;
	}
	u->state = PCI_UT_USED;
	*f = (struct pci_bar_frames){.ut = u->cap,
	                             .first = first,
	                             .count = (uint16_t)count,
	                             .frame_bits = (uint8_t)fbits};
	return WARD_OK;
}

void pci_bar_frames_revoke(struct pci_server *s, struct pci_entry *e)
{
	if (e->msix_frame != 0) {
		/* Deleting a frame cap removes the mapping it made. */
		ward_cnode_delete(s->cfg.cspace, e->msix_frame, 64);
		pci_slot_free(s, e->msix_frame, 1);
		e->msix_frame = 0;
	}
	for (unsigned i = 0; i < PCI_STD_NUM_BARS; i++) {
		struct pci_bar_frames *f = &e->frames[i];

		if (f->count == 0)
			continue;
		/* The frames, every copy handed out and every mapping of them go. */
		ward_cnode_revoke(s->cfg.cspace, f->ut, 64);
		pci_slot_free(s, f->first, f->count);
		for (unsigned k = 0; k < s->nut; k++) {
			if (s->ut[k].cap == f->ut)
				s->ut[k].state = PCI_UT_FREE;
		}
		*f = (struct pci_bar_frames){0};
	}
}

/* Maps a frame into the server's VSpace, making the paging structures it lacks. */
static enum ward_error pci_vspace_map(struct pci_server *s, uint64_t frame, uint64_t va)
{
	static const unsigned level_type[] = {0, WARD_OBJ_PT, WARD_OBJ_PD, WARD_OBJ_PDPT};
	const uint64_t rights = WARD_RIGHT_READ | WARD_RIGHT_WRITE;
	enum ward_error err = WARD_ERR_FAILED_LOOKUP;

	for (unsigned attempt = 0; attempt < 4 && err == WARD_ERR_FAILED_LOOKUP; attempt++) {
		uint64_t level, table;

		err = ward_frame_map(frame, s->cfg.vspace, va, rights);
		if (err != WARD_ERR_FAILED_LOOKUP)
			break;
		/* Frame_Map names the missing level in the error detail (docs/kernel.md). */
		level = ward_last_error().lo;
		if (level < 1 || level > 3 || (table = pci_slot_alloc(s, 1)) == 0)
			return WARD_ERR_NOT_ENOUGH_MEMORY;
		if (ward_untyped_retype(s->cfg.ram_untyped, level_type[level], 0, s->cfg.cspace, 0,
		                        0, table, 1) != WARD_OK ||
		    ward_page_table_map(table, s->cfg.vspace, va) != WARD_OK)
			return WARD_ERR_NOT_ENOUGH_MEMORY;
	}
	return err;
}

/*
 * The server's own view of byte `offset` of a memory BAR, for the MSI-X
 * table (which only the server writes): a copy of the BAR's frame mapped
 * at the function's slot of the server's window. One page per function is
 * mapped at a time; revoking the BAR frames removes it.
 */
volatile uint8_t *pci_map_own(struct pci_server *s, struct pci_entry *e, unsigned bar,
                              uint64_t offset)
{
	uint64_t va = s->cfg.va_base + pci_table_index(s, e) * PCI_OWN_VA_STRIDE;
	struct pci_bar_frames *f;
	uint64_t fsize, page, slot;

	if (pci_bar_frames_get(s, e, bar, &f) != WARD_OK)
		return NULL;
	fsize = 1ULL << f->frame_bits;
	page = offset & ~(fsize - 1);
	if (e->msix_frame != 0 && e->msix_phys == e->dev.bars[bar].base + page)
		return (volatile uint8_t *)(va + offset - page);
	if (e->msix_frame != 0) {
		ward_cnode_delete(s->cfg.cspace, e->msix_frame, 64);
		pci_slot_free(s, e->msix_frame, 1);
		e->msix_frame = 0;
	}
	if ((slot = pci_slot_alloc(s, 1)) == 0)
		return NULL;
	if (ward_cnode_copy(s->cfg.cspace, slot, 64, s->cfg.cspace, f->first + page / fsize, 64,
	                    WARD_RIGHT_READ | WARD_RIGHT_WRITE) != WARD_OK ||
	    pci_vspace_map(s, slot, va) != WARD_OK) {
		ward_cnode_delete(s->cfg.cspace, slot, 64);
		pci_slot_free(s, slot, 1);
		return NULL;
	}
	e->msix_frame = slot;
	e->msix_phys = e->dev.bars[bar].base + page;
	return (volatile uint8_t *)(va + offset - page);
}

/* Adds the starter's device untyped caps as the roots of the buddy tree. */
bool pci_devmem_init(struct pci_server *s)
{
	for (unsigned i = 0; i < s->cfg.ndevmem; i++) {
		const struct pci_devmem_region *r = &s->cfg.devmem[i];

		if (r->bits < PCI_PAGE_BITS || r->bits > 47 || r->base & ((1ULL << r->bits) - 1))
			return false;
		s->ut[s->nut++] =
		        (struct pci_ut){.cap = r->cap, .base = r->base, .bits = (uint8_t)r->bits};
	}
	return true;
}

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Queued invalidation (§6.5.2): a ring of 256 descriptors in one page,
 * written by the server thread alone, and a status page the unit writes.
 * A submission is the caller's descriptors followed by exactly one
 * invalidation wait with Status Write (never with the Interrupt Flag:
 * QEMU 7.2's model asserts when both are set). The submission returns
 * when the unit wrote the wait's sequence number, or an error:
 *
 *  - FSTS.IQE (a descriptor refused), ITE, ICE: every descriptor from IQH
 *    to the tail is replaced by a harmless wait writing a discard word,
 *    the error bit cleared, the tail written again (QEMU fetches again
 *    only on a tail write), and the queue polled until it drained;
 *  - no status within the bound: VTD_E_TIMEOUT and the queue is marked
 *    wedged; the next submission first checks that the hardware caught
 *    up (IQH == tail) and otherwise fails at once (VTD_E_WEDGED).
 *
 * Nothing waits unboundedly (XSA-373). Since every submission waits for
 * its completion, the ring is empty when a submission starts: one page
 * holds any batch of up to VTD_QI_MAX_BATCH descriptors.
 */
#include "vtd_hw.h"

#define VTD_IQ_QS          0 /* IQA.QS: 2^(0+8) = 256 descriptors, one page */
#define VTD_STATUS_WAIT    0 /* dword of the status page the submission polls */
#define VTD_STATUS_DISCARD 1 /* dword written by neutralised descriptors and injected timeouts */

static volatile uint32_t *status_word(const struct vtd_unit *u, unsigned i)
{
	return (volatile uint32_t *)u->status.va + i;
}

enum vtd_status vtd_qi_enable(struct vtd_unit *u)
{
	u->iq_entries = VTD_IQ_ENTRIES(VTD_IQ_QS);
	u->iq_tail = 0;
	u->iq_wedged = false;
	vtd_write64(u, VTD_REG_IQT, 0);
	vtd_write64(u, VTD_REG_IQA, VTD_IQA(u->iq.pa, VTD_IQ_QS));
	return vtd_gcmd(u, VTD_GCMD_QIE, true, VTD_GSTS_QIES, true);
}

uint64_t vtd_iotlb_drain(const struct vtd_caps *c)
{
	return (c->drain_read ? VTD_IOTLB_DR : 0) | (c->drain_write ? VTD_IOTLB_DW : 0);
}

struct vtd_desc vtd_iotlb_range(const struct vtd_caps *c, uint16_t did, uint64_t iova,
                                uint64_t size, bool leaf_only)
{
	uint64_t first = iova >> VTD_PAGE_SHIFT;
	uint64_t last = (iova + (size ? size - 1 : 0)) >> VTD_PAGE_SHIFT;
	unsigned am = 0;

	while ((first >> am) != (last >> am))
		am++;
	if (!c->psi || am > c->mamv)
		return vtd_desc_iotlb_domain(did, vtd_iotlb_drain(c));
	return vtd_desc_iotlb_page(did, (first >> am) << (am + VTD_PAGE_SHIFT), am, leaf_only,
	                           vtd_iotlb_drain(c));
}

void vtd_qi_inject(struct vtd_unit *u, enum vtd_inject what)
{
	if (u != NULL)
		u->inject = what;
}

static void ring_put(struct vtd_unit *u, struct vtd_desc d)
{
	((struct vtd_desc *)u->iq.va)[u->iq_tail] = d;
	u->iq_tail = (u->iq_tail + 1) % u->iq_entries;
}

/* Writes the descriptors in [from, tail) back from the CPU cache if needed. */
static void ring_written(struct vtd_unit *u, uint32_t from)
{
	struct vtd_desc *ring = u->iq.va;

	if (from <= u->iq_tail) {
		vtd_entries_written(u, ring + from, (u->iq_tail - from) * sizeof(*ring));
		return;
	}
	vtd_entries_written(u, ring + from, (u->iq_entries - from) * sizeof(*ring));
	vtd_entries_written(u, ring, u->iq_tail * sizeof(*ring));
}

static uint32_t hw_head(const struct vtd_unit *u)
{
	return VTD_IQ_INDEX(vtd_read64(u, VTD_REG_IQH));
}

/* Replaces every descriptor the unit has not completed by a wait writing the discard word. */
static void neutralise(struct vtd_unit *u)
{
	uint64_t discard = u->status.pa + VTD_STATUS_DISCARD * sizeof(uint32_t);
	struct vtd_desc *ring = u->iq.va;
	uint32_t i, head = hw_head(u) % u->iq_entries;

	for (i = head; i != u->iq_tail; i = (i + 1) % u->iq_entries)
		ring[i] = vtd_desc_wait(discard, 0);
	ring_written(u, head);
}

/* Polls until the unit consumed the whole ring; false on an error or past `deadline`. */
static bool drained(const struct vtd_unit *u, uint64_t deadline)
{
	for (;;) {
		if (hw_head(u) == u->iq_tail)
			return true;
		if ((vtd_read32(u, VTD_REG_FSTS) & VTD_FSTS_QI_ERRORS) || vtd_expired(u, deadline))
			return false;
	}
}

/* Clears the queue errors in `fsts` and gets the queue moving again. */
static bool recover(struct vtd_unit *u, uint32_t fsts)
{
	neutralise(u);
	vtd_write32(u, VTD_REG_FSTS, fsts & VTD_FSTS_QI_ERRORS);
	vtd_write64(u, VTD_REG_IQT, VTD_IQ_REG(u->iq_tail));
	if (!drained(u, vtd_deadline(u, u->qi_timeout_ns))) {
		u->iq_wedged = true;
		return false;
	}
	u->iq_wedged = false;
	u->qi_stats.recovered++;
	return true;
}

static enum vtd_status queue_error(struct vtd_unit *u, uint32_t fsts)
{
	u->qi_stats.errors++;
	recover(u, fsts);
	if (fsts & VTD_FSTS_IQE)
		return VTD_E_QUEUE_ERROR;
	return (fsts & VTD_FSTS_ITE) ? VTD_E_QUEUE_ITE : VTD_E_QUEUE_ICE;
}

/* An earlier timeout: go on only if the unit has caught up since. */
static enum vtd_status unwedge(struct vtd_unit *u)
{
	uint32_t fsts;

	if (!u->iq_wedged)
		return VTD_OK;
	fsts = vtd_read32(u, VTD_REG_FSTS);
	if (fsts & VTD_FSTS_QI_ERRORS)
		return recover(u, fsts) ? VTD_OK : VTD_E_WEDGED;
	if (hw_head(u) != u->iq_tail)
		return VTD_E_WEDGED;
	u->iq_wedged = false;
	u->qi_stats.recovered++;
	return VTD_OK;
}

static enum vtd_status wait_for(struct vtd_unit *u, uint32_t seq)
{
	uint64_t deadline = vtd_deadline(u, u->qi_timeout_ns);
	uint32_t fsts;

	for (;;) {
		if (*status_word(u, VTD_STATUS_WAIT) == seq)
			return VTD_OK;
		if ((fsts = vtd_read32(u, VTD_REG_FSTS)) & VTD_FSTS_QI_ERRORS)
			return queue_error(u, fsts);
		if (vtd_expired(u, deadline)) {
			u->iq_wedged = true;
			u->qi_stats.timeouts++;
			return VTD_E_TIMEOUT;
		}
		__asm__ volatile("pause");
	}
}

/* A descriptor every unit refuses: an IOTLB invalidation with its lowest reserved bit set. */
static struct vtd_desc bad_desc(void)
{
	struct vtd_desc d = vtd_desc_iotlb_global(0);

	d.lo |= VTD_IOTLB_LO_RSVD & (~VTD_IOTLB_LO_RSVD + 1);
	return d;
}

enum vtd_status vtd_qi_submit(struct vtd_unit *u, const struct vtd_desc *d, size_t n)
{
	uint64_t status;
	uint32_t start;
	enum vtd_status st;

	if (u == NULL || (n != 0 && d == NULL))
		return VTD_E_ARG;
	if (u->iq_entries == 0 || u->state == VTD_UNIT_FAILED)
		return VTD_E_STATE;
	if (n > VTD_QI_MAX_BATCH)
		return VTD_E_QUEUE_FULL;
	if ((st = unwedge(u)) != VTD_OK)
		return st;
	start = u->iq_tail;
	if (u->inject == VTD_INJECT_QUEUE_ERROR)
		ring_put(u, bad_desc());
	for (size_t i = 0; i < n; i++)
		ring_put(u, d[i]);
	if (++u->iq_seq == 0)
		u->iq_seq = 1;
	status = u->status.pa +
	         (u->inject == VTD_INJECT_TIMEOUT ? VTD_STATUS_DISCARD : VTD_STATUS_WAIT) *
	                 sizeof(uint32_t);
	u->inject = VTD_INJECT_NONE;
	ring_put(u, vtd_desc_wait(status, u->iq_seq));
	ring_written(u, start);
	u->qi_stats.submits++;
	vtd_write64(u, VTD_REG_IQT, VTD_IQ_REG(u->iq_tail));
	return wait_for(u, u->iq_seq);
}

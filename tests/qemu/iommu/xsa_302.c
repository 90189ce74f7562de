/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * XSA-302: a device handed to another owner, or released, with its DMA in
 * flight must not write the old owner's memory. Domains A and B each map
 * a buffer at the same IOVA X (A's all 0xaa, B's all 0xbb); edu's device
 * buffer holds 0x5c. Each round starts a DMA from edu to X in the current
 * owner's domain and, without waiting, moves edu: ASSIGN to the other
 * domain (whose driver turns bus mastering on at once: a driver that
 * trusts the device is idle), or RELEASE to quarantine (bus mastering
 * turned on again through the privileged PCI cap, as the root task could).
 * edu runs a DMA 100 ms after the command; its command register says
 * whether it has run. When the DMA was still pending after the move
 * returned (and bus mastering was on again), it ran afterwards, so the
 * old owner's buffer must be untouched: the DMA lands in the new owner's
 * buffer at X, or is blocked by quarantine with a fault recorded. A round
 * whose DMA ran before the move finished proves nothing and is only
 * counted; at least one round of each kind must have had the DMA pending.
 */
#include <string.h>

#include "../proc/ptap.h"
#include "xsa.h"

#define IOVA_X   0x10000ULL
#define IOVA_SRC 0x20000ULL
#define VA_A     0x600000000000ULL
#define VA_B     0x600000200000ULL
#define VA_SRC   0x600000400000ULL
#define ROUNDS   4
#define PATTERN  0x5c

static struct xsa_domain dom[2];
static struct xsa_buffer buf[2];
static const uint8_t fill[2] = {0xaa, 0xbb};
static struct edu edu;

/* One ASSIGN round from domain `from` to the other; *pending: the DMA ran after the move. */
static bool reassign_round(unsigned from, bool *pending)
{
	unsigned to = 1 - from;

	memset((void *)buf[0].va, fill[0], 4096);
	memset((void *)buf[1].va, fill[1], 4096);
	xsa_dma_start(&edu, EDU_BUFFER, IOVA_X, EDU_XFER, true);
	if (t_attach(dom[to].cap, &edu, 0) != WARD_OK)
		return false;
	*pending = xsa_dma_pending(&edu);
	if (!xsa_dma_wait(&edu))
		return false;
	if (!*pending)
		return true;
	return t_bytes_are((const void *)buf[from].va, fill[from], 4096) &&
	       t_bytes_are((const void *)buf[to].va, PATTERN, EDU_XFER);
}

/* One RELEASE round from domain `from`; the device is assigned back to it afterwards. */
static bool release_round(unsigned from, bool *pending)
{
	uint64_t before = xsa_faults(&dom[0]);

	memset((void *)buf[from].va, fill[from], 4096);
	xsa_dma_start(&edu, EDU_BUFFER, IOVA_X, EDU_XFER, true);
	if (t_detach(&edu, 0) != WARD_OK || !t_edu_privileged(&edu))
		return false;
	*pending = xsa_dma_pending(&edu);
	if (!xsa_dma_wait(&edu))
		return false;
	if (*pending && (!t_bytes_are((const void *)buf[from].va, fill[from], 4096) ||
	                 !t_wait_faults(dom[0].cap, before + 1, 5000)))
		return false;
	return t_attach(dom[from].cap, &edu, 0) == WARD_OK;
}

int main(void)
{
	uint64_t src;
	unsigned pending_moves = 0, pending_releases = 0, owner = 0;
	bool ok, pending = false;
	struct xsa_buffer s;

	xsa_init();
	ptap_plan(6);
	ok = t_edu(0, &edu) && xsa_domain(&dom[0], 0) && xsa_domain(&dom[1], 0) &&
	     xsa_buffer(&dom[0], IOVA_X, VA_A, fill[0], &buf[0]) &&
	     xsa_buffer(&dom[1], IOVA_X, VA_B, fill[1], &buf[1]) &&
	     xsa_buffer(&dom[0], IOVA_SRC, VA_SRC, PATTERN, &s) &&
	     t_attach(dom[0].cap, &edu, 0) == WARD_OK &&
	     t_edu_dma(&edu, IOVA_SRC, EDU_BUFFER, EDU_XFER, false);
	src = s.iova;
	ptap_ok(ok,
	        "domains A and B map a buffer each at IOVA %#llx; edu in A holds 0x%x (from %#llx)",
	        (unsigned long long)IOVA_X, PATTERN, (unsigned long long)src);
	ok = true;
	for (unsigned i = 0; ok && i < ROUNDS; i++, owner = 1 - owner) {
		ok = reassign_round(owner, &pending);
		pending_moves += pending;
	}
	ptap_ok(ok,
	        "%u ASSIGNs with edu's DMA in flight: whenever it was still pending, the old "
	        "owner's buffer kept its bytes and the DMA landed in the new owner's",
	        ROUNDS);
	ptap_ok(pending_moves > 0, "the DMA was still pending after %u of %u ASSIGNs",
	        pending_moves, ROUNDS);
	ptap_ok(xsa_dump_ok(), "DUMP agrees after the reassignments");
	ok = true;
	for (unsigned i = 0; ok && i < ROUNDS; i++) {
		ok = release_round(owner, &pending);
		pending_releases += pending;
	}
	ptap_ok(ok && pending_releases > 0,
	        "%u RELEASEs with the DMA in flight: pending after %u; each time the owner's "
	        "buffer "
	        "kept its bytes and quarantine recorded the blocked write",
	        ROUNDS, pending_releases);
	ptap_ok(xsa_dump_ok(), "DUMP agrees after the releases");
	return ptap_exit_status();
}

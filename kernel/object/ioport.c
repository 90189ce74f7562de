/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * I/O-port capabilities. The I/O-port control cap issues caps for port
 * ranges that do not overlap any range already issued or driven by the
 * kernel (COM1, PIT, PICs, the debug-exit port); a range cap performs
 * In/Out of 1, 2 or 4 bytes inside its range, Out only with the write
 * right. The one cap for kernel ports is the console's receive side, made
 * at boot without the write right (ward/bootinfo.h). Ring 3 never gets direct
 * port access (TSS without an I/O bitmap, IOPL 0). Big kernel lock.
 */
#include <stddef.h>
#include <kernel/cspace.h>
#include <kernel/invocation.h>
#include <kernel/irq.h>
#include <kernel/platform.h>
#include <ward/invocation.h>

static uint64_t issued[65536 / 64];
static uint64_t kernel_ports[65536 / 64]; /* never given back by a finalise */

static bool range_free(uint64_t first, uint64_t last)
{
	for (uint64_t p = first; p <= last; p++)
		if (issued[p / 64] & (1ULL << (p % 64)))
			return false;
	return true;
}

static void mark(uint64_t first, uint64_t last, bool used)
{
	for (uint64_t p = first; p <= last; p++) {
		if (used)
			issued[p / 64] |= 1ULL << (p % 64);
		else
			issued[p / 64] &= ~(1ULL << (p % 64));
	}
}

void ioport_reserve(uint16_t first, uint16_t last)
{
	mark(first, last, true);
	for (uint64_t p = first; p <= last; p++)
		kernel_ports[p / 64] |= 1ULL << (p % 64);
}

void decode_ioport_control(struct invocation *inv)
{
	struct cte *root, *dest;
	uint64_t first, last;

	if (inv->label != WARD_IOPORT_CONTROL_ISSUE) {
		inv_error(inv, WARD_ERR_ILLEGAL_OPERATION, WARD_ARG_LABEL, 0, 0);
		return;
	}
	if (!inv_need(inv, 4) || (root = inv_extra(inv, 0, WARD_OBJ_CNODE)) == NULL)
		return;
	first = inv_mr(inv, 0);
	last = inv_mr(inv, 1);
	if (first > last || last > 0xffff) {
		inv_error(inv, WARD_ERR_RANGE, first > last ? 0 : 1, 0, 0xffff);
		return;
	}
	if (inv_lookup_dest(inv, root, inv_mr(inv, 2), inv_mr(inv, 3), 2, &dest) != WARD_OK)
		return;
	if (!cap_is_null(&dest->cap)) {
		inv_error(inv, WARD_ERR_DELETE_FIRST, 2, 0, 0);
		return;
	}
	if (!range_free(first, last)) {
		inv_error(inv, WARD_ERR_REVOKE_FIRST, 0, first, last);
		return;
	}
	mark(first, last, true);
	cspace_insert(inv->slot, dest,
	              (struct cap){.type = WARD_OBJ_IOPORT,
	                           .rights = WARD_RIGHTS_ALL,
	                           .word1 = first,
	                           .word2 = last},
	              MDB_REVOCABLE);
}

static unsigned width_of(uint64_t label)
{
	switch (label) {
	case WARD_IOPORT_IN8:
	case WARD_IOPORT_OUT8:
		return 1;
	case WARD_IOPORT_IN16:
	case WARD_IOPORT_OUT16:
		return 2;
	case WARD_IOPORT_IN32:
	case WARD_IOPORT_OUT32:
		return 4;
	default:
		return 0;
	}
}

void decode_ioport(struct invocation *inv)
{
	const struct cap *c = &inv->slot->cap;
	unsigned width = width_of(inv->label);
	bool out = inv->label >= WARD_IOPORT_OUT8;
	uint64_t port;

	if (width == 0) {
		inv_error(inv, WARD_ERR_ILLEGAL_OPERATION, WARD_ARG_LABEL, 0, 0);
		return;
	}
	if (!inv_need(inv, out ? 2 : 1))
		return;
	port = inv_mr(inv, 0);
	if (port < c->word1 || port > c->word2 || c->word2 - port < width - 1) {
		inv_error(inv, WARD_ERR_RANGE, 0, c->word1, c->word2 - (width - 1));
		return;
	}
	if (out && !(c->rights & WARD_RIGHT_WRITE)) {
		inv_error(inv, WARD_ERR_INSUFFICIENT_RIGHTS, WARD_ARG_CAP, WARD_RIGHT_WRITE, 0);
		return;
	}
	if (out)
		platform_ioport_out((uint16_t)port, width, (uint32_t)inv_mr(inv, 1));
	else
		inv_reply_mr(inv, 0, platform_ioport_in((uint16_t)port, width));
}

void ioport_finalise(const struct cap *cap)
{
	/* Copies share the range: only the last one gives it back; the
	 * kernel's own ports (the console's receive cap) are never freed. */
	for (uint64_t p = cap->word1; p <= cap->word2; p++)
		if (!(kernel_ports[p / 64] & (1ULL << (p % 64))))
			mark(p, p, false);
}

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Interrupt capabilities. IRQ control issues handler caps for IOAPIC GSIs
 * and for MSI vectors (returning the address/data the device must use);
 * a handler delivers its interrupt to a notification, and the line stays
 * masked until the handler is acked: IOAPIC lines by the IOAPIC mask, MSIs
 * (which the kernel cannot mask: it knows no devices) by holding a second
 * interrupt as pending until the ack. Each line counts the interrupts that
 * arrived, for whoever watches the system (Count). Big kernel lock.
 */
#include <stddef.h>
#include <kernel/cspace.h>
#include <kernel/finalise.h>
#include <kernel/invocation.h>
#include <kernel/ipc.h>
#include <kernel/irq.h>
#include <kernel/platform.h>
#include <ward/invocation.h>

struct irq_line {
	bool issued;
	bool ioapic;
	bool awaiting_ack; /* delivered, not yet acked */
	bool pending;      /* an MSI arrived while awaiting the ack */
	unsigned gsi;
	uint64_t count; /* interrupts that arrived since the handler was issued */
	struct notification *ntfn;
	uint64_t badge;
};

static struct irq_line lines[256];

void irq_deliver(unsigned vector)
{
	struct irq_line *l = &lines[vector & 0xff];

	if (!l->issued)
		return;
	l->count++;
	if (l->awaiting_ack) {
		l->pending = true;
		return;
	}
	if (l->ioapic)
		platform_irq_set_masked(l->gsi, true);
	l->awaiting_ack = true;
	if (l->ntfn != NULL)
		notification_signal(l->ntfn, l->badge);
}

void irq_notification_gone(const struct notification *n)
{
	for (unsigned v = 0; v < 256; v++)
		if (lines[v].ntfn == n)
			lines[v].ntfn = NULL;
}

static void issue(struct invocation *inv, struct cte *dest, unsigned vector, bool ioapic,
                  unsigned gsi)
{
	lines[vector] = (struct irq_line){.issued = true, .ioapic = ioapic, .gsi = gsi};
	cspace_insert(inv->slot, dest,
	              (struct cap){.type = WARD_OBJ_IRQ_HANDLER,
	                           .rights = WARD_RIGHTS_ALL,
	                           .word1 = vector},
	              MDB_REVOCABLE);
}

static struct cte *empty_dest(struct invocation *inv, unsigned arg)
{
	struct cte *root = inv_extra(inv, 0, WARD_OBJ_CNODE), *dest;

	if (root == NULL || inv_lookup_dest(inv, root, inv_mr(inv, arg), inv_mr(inv, arg + 1), arg,
	                                    &dest) != WARD_OK)
		return NULL;
	if (!cap_is_null(&dest->cap)) {
		inv_error(inv, WARD_ERR_DELETE_FIRST, arg, 0, 0);
		return NULL;
	}
	return dest;
}

static void decode_get_ioapic(struct invocation *inv)
{
	struct cte *dest;
	enum ward_error err;
	unsigned vector;
	uint64_t gsi;

	if (!inv_need(inv, 5) || (dest = empty_dest(inv, 3)) == NULL)
		return;
	gsi = inv_mr(inv, 0);
	for (unsigned v = 0; v < 256; v++)
		if (lines[v].issued && lines[v].ioapic && lines[v].gsi == gsi) {
			inv_error(inv, WARD_ERR_REVOKE_FIRST, 0, gsi, gsi);
			return;
		}
	if (gsi > 0xffff) {
		inv_error(inv, WARD_ERR_RANGE, 0, 0, 0xffff);
		return;
	}
	err = platform_irq_ioapic_alloc((unsigned)gsi, inv_mr(inv, 1) != 0, inv_mr(inv, 2) != 0,
	                                &vector);
	if (err != WARD_OK) {
		/* No IOAPIC has the GSI (range), or no vector is free. */
		inv_error(inv, err == WARD_ERR_RANGE ? WARD_ERR_RANGE : WARD_ERR_NOT_ENOUGH_MEMORY,
		          0, 0, 0);
		return;
	}
	/* The line stays masked until a notification is set to receive it. */
	issue(inv, dest, vector, true, (unsigned)gsi);
	inv_reply_mr(inv, 0, vector);
}

static void decode_get_msi(struct invocation *inv)
{
	struct cte *dest;
	unsigned vector;
	uint64_t address;
	uint32_t data;

	if (!inv_need(inv, 2) || (dest = empty_dest(inv, 0)) == NULL)
		return;
	if (platform_irq_msi_alloc(&vector, &address, &data) != WARD_OK) {
		inv_error(inv, WARD_ERR_NOT_ENOUGH_MEMORY, WARD_ARG_CAP, 0, 0);
		return;
	}
	issue(inv, dest, vector, false, 0);
	inv_reply_mr(inv, 0, vector);
	inv_reply_mr(inv, 1, address);
	inv_reply_mr(inv, 2, data);
}

void decode_irq_control(struct invocation *inv)
{
	if (inv->label == WARD_IRQ_CONTROL_GET_IOAPIC)
		decode_get_ioapic(inv);
	else if (inv->label == WARD_IRQ_CONTROL_GET_MSI)
		decode_get_msi(inv);
	else
		inv_error(inv, WARD_ERR_ILLEGAL_OPERATION, WARD_ARG_LABEL, 0, 0);
}

static void ack(struct irq_line *l)
{
	l->awaiting_ack = false;
	if (l->ioapic) {
		platform_irq_set_masked(l->gsi, false);
	} else if (l->pending) {
		l->pending = false;
		l->awaiting_ack = true;
		if (l->ntfn != NULL)
			notification_signal(l->ntfn, l->badge);
	}
}

void decode_irq_handler(struct invocation *inv)
{
	struct irq_line *l = &lines[inv->slot->cap.word1 & 0xff];
	struct cte *n;

	switch (inv->label) {
	case WARD_IRQ_HANDLER_SET_NOTIFICATION:
		if ((n = inv_extra(inv, 0, WARD_OBJ_NOTIFICATION)) == NULL)
			return;
		if (!(n->cap.rights & WARD_RIGHT_WRITE)) {
			inv_error(inv, WARD_ERR_INSUFFICIENT_RIGHTS, WARD_ARG_EXTRA_CAP0, 0, 0);
			return;
		}
		l->ntfn = (struct notification *)n->cap.obj;
		l->badge = n->cap.word1;
		if (l->ioapic && !l->awaiting_ack)
			platform_irq_set_masked(l->gsi, false);
		break;
	case WARD_IRQ_HANDLER_ACK:
		ack(l);
		break;
	case WARD_IRQ_HANDLER_CLEAR:
		l->ntfn = NULL;
		break;
	case WARD_IRQ_HANDLER_COUNT:
		inv_reply_mr(inv, 0, l->count);
		break;
	default:
		inv_error(inv, WARD_ERR_ILLEGAL_OPERATION, WARD_ARG_LABEL, 0, 0);
	}
}

void irq_handler_finalise(const struct cap *cap)
{
	struct irq_line *l = &lines[cap->word1 & 0xff];

	if (!l->issued)
		return;
	platform_irq_free((unsigned)cap->word1, l->ioapic, l->gsi);
	*l = (struct irq_line){0};
}

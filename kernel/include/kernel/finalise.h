/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What happens to an object when a capability to it is deleted: each
 * object file supplies its part, kernel/finalise.c dispatches by type.
 */
#ifndef KERNEL_FINALISE_H
#define KERNEL_FINALISE_H

#include <stdbool.h>
#include <kernel/cap.h>
#include <kernel/objects.h>

/*
 * Called with the cap already removed from `slot` (whose address still
 * names where it lived); `final` if it was the last.
 */
void finalise_cap(const struct cte *slot, const struct cap *cap, bool final);

/* `cap` moved from one slot to another (cspace_move): records naming the slot follow. */
void finalise_cap_moved(const struct cap *cap, const struct cte *from, const struct cte *to);

/* Queues a CNode whose last cap went, to have its slots emptied. */
void cnode_schedule_destroy(struct cte *cnode, unsigned radix);

void endpoint_finalise(struct endpoint *ep);

/*
 * The badged original of `badge` on `ep` was deleted or revoked: every
 * send queued under that badge fails with WARD_ERR_BADGE_REVOKED, so the
 * badge can be given to someone else without its old holders' messages.
 */
void endpoint_cancel_badged_sends(struct endpoint *ep, uint64_t badge);
void notification_finalise(struct notification *n);
void reply_finalise(struct reply *r);

/*
 * Paging structures and frames (kernel/object/frame.c, vspace.c): unmap
 * this cap's mapping whether or not it is final; a final PML4 releases its
 * address-space ID so stale mappings can never be reached again.
 */
void vspace_finalise_cap(const struct cte *slot, const struct cap *cap, bool final);

/* IRQ handlers (kernel/object/irq.c): a final handler masks and frees its line. */
void irq_handler_finalise(const struct cap *cap);

/* I/O ports (kernel/object/ioport.c): the last cap to a range frees it. */
void ioport_finalise(const struct cap *cap);

#endif

/* SPDX-License-Identifier: BSD-2-Clause */
/* Dispatch of object finalisation by capability type (see finalise.h). */
#include <kernel/finalise.h>
#include <kernel/objects.h>
#include <kernel/tcb.h>
#include <kernel/vspace_objects.h>

void finalise_cap_moved(const struct cap *cap, const struct cte *from, const struct cte *to)
{
	if (cap->type == WARD_OBJ_FRAME || cap->type == WARD_OBJ_LARGE_FRAME)
		frame_moved(cap, from, to);
}

void finalise_cap(const struct cte *slot, const struct cap *cap, bool final)
{
	switch (cap->type) {
	case WARD_OBJ_ENDPOINT:
		if (final)
			endpoint_finalise((struct endpoint *)cap->obj);
		break;
	case WARD_OBJ_NOTIFICATION:
		if (final)
			notification_finalise((struct notification *)cap->obj);
		break;
	case WARD_OBJ_REPLY:
		if (final)
			reply_finalise((struct reply *)cap->obj);
		break;
	case WARD_OBJ_TCB:
		if (final)
			tcb_finalise((struct tcb *)cap->obj);
		break;
	case WARD_OBJ_CNODE:
		if (final)
			cnode_schedule_destroy((struct cte *)cap->obj, cap->bits);
		break;
	case WARD_OBJ_FRAME:
	case WARD_OBJ_LARGE_FRAME:
	case WARD_OBJ_PML4:
	case WARD_OBJ_PDPT:
	case WARD_OBJ_PD:
	case WARD_OBJ_PT:
		vspace_finalise_cap(slot, cap, final);
		break;
	case WARD_OBJ_IRQ_HANDLER:
		if (final)
			irq_handler_finalise(cap);
		break;
	case WARD_OBJ_IOPORT:
		if (final)
			ioport_finalise(cap);
		break;
	default:
		break; /* untyped and control caps: nothing to undo */
	}
}

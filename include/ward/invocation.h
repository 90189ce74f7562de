/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Invocation labels and argument layouts. An invocation is a Call on an
 * object's capability with one of these labels; MRn are message registers,
 * "extra cap n" the n-th capability address in the IPC buffer. Every
 * invocation's possible errors are listed in docs/kernel.md; common to all:
 * WARD_ERR_TRUNCATED_MESSAGE (too few MRs), WARD_ERR_ILLEGAL_OPERATION
 * (unknown label for this object type), WARD_ERR_INVALID_CAPABILITY (an
 * extra cap is missing or of the wrong type). "Slot addresses" are an index
 * and a depth resolved from a root CNode, as in seL4.
 */
#ifndef WARD_INVOCATION_H
#define WARD_INVOCATION_H

enum ward_invocation {
	/* Untyped. Extra cap 0: destination root CNode.
	 * MR0 type, MR1 size bits (untyped: size; CNode: radix; else ignored),
	 * MR2 node index, MR3 node depth (the destination CNode; depth 0 = the
	 * root itself), MR4 first slot offset, MR5 number of objects. */
	WARD_UNTYPED_RETYPE = 1,

	/* CNode: the invoked CNode is the destination root.
	 * Copy/Mint/Move/Mutate: MR0 dest index, MR1 dest depth, MR2 src index,
	 * MR3 src depth, extra cap 0: source root CNode;
	 * Copy/Mint: MR4 rights mask; Mint: MR5 badge (endpoint, notification)
	 * or guard (CNode: guard value << 8 | guard bits); Mutate: MR4 same as
	 * Mint's MR5. Delete/Revoke: MR0 index, MR1 depth; Revoke: MR2 flags
	 * (optional, WARD_REVOKE_*). */
	WARD_CNODE_COPY = 16,
	WARD_CNODE_MINT,
	WARD_CNODE_MOVE,
	WARD_CNODE_MUTATE,
	WARD_CNODE_DELETE,
	WARD_CNODE_REVOKE,

	/* TCB. Configure: extra caps 0 CSpace root CNode, 1 VSpace root PML4,
	 * 2 IPC buffer frame; MR0 IPC buffer address (user virtual).
	 * SetFaultHandler: extra cap 0 endpoint (or no cap: clear).
	 * SetPriority: MR0 priority, extra cap 0 authority TCB (priority must
	 * not exceed the authority's maximum). SetAffinity: MR0 CPU index.
	 * ReadRegisters: MR0 count -> MR0.. values (order: enum ward_tcb_reg).
	 * WriteRegisters: MR0 resume (0/1), MR1 count, MR2.. values.
	 * BindNotification: extra cap 0 notification. */
	WARD_TCB_CONFIGURE = 32,
	WARD_TCB_SET_FAULT_HANDLER,
	WARD_TCB_SET_PRIORITY,
	WARD_TCB_SET_AFFINITY,
	WARD_TCB_RESUME,
	WARD_TCB_SUSPEND,
	WARD_TCB_READ_REGISTERS,
	WARD_TCB_WRITE_REGISTERS,
	WARD_TCB_BIND_NOTIFICATION,
	WARD_TCB_UNBIND_NOTIFICATION,

	/* Frame (4 KiB or 2 MiB). Map: extra cap 0 PML4, MR0 virtual address,
	 * MR1 rights (WARD_RIGHT_READ/WRITE/EXECUTE, masked by the cap's);
	 * mapping again at the same place changes the rights (remap).
	 * GetAddress: -> MR0 physical address. */
	WARD_FRAME_MAP = 48,
	WARD_FRAME_UNMAP,
	WARD_FRAME_GET_ADDRESS,

	/* Paging structures (PDPT, PD, PT). Map: extra cap 0 PML4, MR0
	 * virtual address it will cover. */
	WARD_PAGE_TABLE_MAP = 56,
	WARD_PAGE_TABLE_UNMAP,

	/* IRQ control. Extra cap 0: destination root CNode.
	 * GetIOAPIC: MR0 GSI, MR1 level-triggered, MR2 active-low, MR3 index,
	 * MR4 depth. GetMSI: MR0 index, MR1 depth -> MR0 vector, MR1 MSI
	 * address, MR2 MSI data (what the device must be programmed with). */
	WARD_IRQ_CONTROL_GET_IOAPIC = 64,
	WARD_IRQ_CONTROL_GET_MSI,

	/* IRQ handler. SetNotification: extra cap 0 notification (required;
	 * Clear removes it); that cap's badge is signalled. Ack: unmask the
	 * line after the interrupt was handled. Count: MR0 the interrupts that
	 * arrived since the handler was issued (every copy sees the same). */
	WARD_IRQ_HANDLER_SET_NOTIFICATION = 72,
	WARD_IRQ_HANDLER_ACK,
	WARD_IRQ_HANDLER_CLEAR,
	WARD_IRQ_HANDLER_COUNT,

	/* I/O port control. Issue: MR0 first port, MR1 last port, MR2 index,
	 * MR3 depth; extra cap 0 destination root CNode. */
	WARD_IOPORT_CONTROL_ISSUE = 80,

	/* I/O port range. In: MR0 port -> MR0 value. Out: MR0 port, MR1 value. */
	WARD_IOPORT_IN8 = 88,
	WARD_IOPORT_IN16,
	WARD_IOPORT_IN32,
	WARD_IOPORT_OUT8,
	WARD_IOPORT_OUT16,
	WARD_IOPORT_OUT32,
};

/* Revoke's MR2: the cap itself is deleted too, in the same invocation
 * (a cap and everything derived from it gone, as Revoke then Delete). */
#define WARD_REVOKE_AND_DELETE 1u

#endif

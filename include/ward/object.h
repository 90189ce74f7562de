/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Kernel object types, their sizes, and capability rights.
 *
 * Every object is made by retyping untyped memory (Untyped_Retype); the
 * kernel allocates nothing after boot. Sizes are powers of two, and an
 * object is aligned to its size.
 */
#ifndef WARD_OBJECT_H
#define WARD_OBJECT_H

enum ward_object_type {
	WARD_OBJ_NULL = 0, /* an empty slot */
	WARD_OBJ_UNTYPED = 1,
	WARD_OBJ_TCB = 2,
	WARD_OBJ_ENDPOINT = 3,
	WARD_OBJ_NOTIFICATION = 4,
	WARD_OBJ_CNODE = 5,
	WARD_OBJ_REPLY = 6,
	WARD_OBJ_FRAME = 7,       /* 4 KiB page */
	WARD_OBJ_LARGE_FRAME = 8, /* 2 MiB page */
	WARD_OBJ_PML4 = 9,        /* a VSpace root */
	WARD_OBJ_PDPT = 10,
	WARD_OBJ_PD = 11,
	WARD_OBJ_PT = 12,
	WARD_OBJ_RETYPE_COUNT, /* types below this one can be made by Retype */
	/* Capabilities to kernel-held authority, not made from memory: */
	WARD_OBJ_IRQ_CONTROL = 16,
	WARD_OBJ_IRQ_HANDLER = 17,
	WARD_OBJ_IOPORT_CONTROL = 18,
	WARD_OBJ_IOPORT = 19,
	WARD_OBJ_SYSTEM_CONTROL = 20, /* authority over the machine itself: DebugHalt */
};

/* log2 of object sizes (bytes). CNodes are 2^radix slots of this size each. */
#define WARD_TCB_SIZE_BITS          11
#define WARD_ENDPOINT_SIZE_BITS     5
#define WARD_NOTIFICATION_SIZE_BITS 6
#define WARD_REPLY_SIZE_BITS        5
#define WARD_CNODE_SLOT_SIZE_BITS   6
#define WARD_PAGE_TABLE_SIZE_BITS   12 /* PML4 and PDPT */
#define WARD_LEAF_TABLE_SIZE_BITS   13 /* PD and PT: the table, then the kernel's shadow of it */
#define WARD_FRAME_SIZE_BITS        12
#define WARD_LARGE_FRAME_SIZE_BITS  21
#define WARD_UNTYPED_MIN_BITS       4
#define WARD_UNTYPED_MAX_BITS       47
#define WARD_CNODE_MAX_RADIX        16

/* Rights on a capability (a subset is kept by Mint/Mutate and by copies). */
#define WARD_RIGHT_READ        0x1  /* receive (endpoints), read (frames) */
#define WARD_RIGHT_WRITE       0x2  /* send (endpoints, notifications), write (frames) */
#define WARD_RIGHT_GRANT       0x4  /* transfer capabilities in messages */
#define WARD_RIGHT_GRANT_REPLY 0x8  /* make Calls (the receiver's reply object is linked) */
#define WARD_RIGHT_EXECUTE     0x10 /* frames: map executable */
#define WARD_RIGHTS_ALL        0x1f

/* Fault labels: the label of a fault message sent to a fault endpoint. */
enum ward_fault {
	WARD_FAULT_NONE = 0,
	WARD_FAULT_UNKNOWN_SYSCALL = 1, /* MR0 rax (the number), MR1 rip, MR2 rsp, MR3 rdi, MR4 rsi,
	                                   MR5 rdx, MR6 r10, MR7 r8, MR8 r9 */
	WARD_FAULT_PAGE = 2,            /* MR0 rip, MR1 address (CR2), MR2 error code, MR3 rsp */
	WARD_FAULT_GENERAL_PROTECTION = 3, /* MR0 rip, MR1 error code, MR2 rsp */
	WARD_FAULT_UNDEFINED_OPCODE = 4,   /* MR0 rip, MR1 0, MR2 rsp */
	WARD_FAULT_DIVIDE = 5,             /* MR0 rip, MR1 0, MR2 rsp */
	WARD_FAULT_OTHER = 6,              /* MR0 rip, MR1 vector, MR2 error code, MR3 rsp */
};

/*
 * Replying to a fault: length 0 resumes the thread as it was (after an
 * unknown syscall: at the next instruction). Length n > 0 writes the first
 * n registers in this order, then resumes. Label WARD_FAULT_REPLY_STOP
 * leaves the thread stopped (inactive).
 */
enum ward_fault_reg {
	WARD_FREG_RAX = 0,
	WARD_FREG_RIP,
	WARD_FREG_RSP,
	WARD_FREG_RFLAGS,
	WARD_FREG_RDI,
	WARD_FREG_RSI,
	WARD_FREG_RDX,
	WARD_FREG_R10,
	WARD_FREG_R8,
	WARD_FREG_R9,
	WARD_FREG_COUNT
};
#define WARD_FAULT_REPLY_STOP 1

/* TCB register frame order for TCB_ReadRegisters / TCB_WriteRegisters. */
enum ward_tcb_reg {
	WARD_REG_RIP = 0,
	WARD_REG_RSP,
	WARD_REG_RFLAGS,
	WARD_REG_RAX,
	WARD_REG_RBX,
	WARD_REG_RCX,
	WARD_REG_RDX,
	WARD_REG_RSI,
	WARD_REG_RDI,
	WARD_REG_RBP,
	WARD_REG_R8,
	WARD_REG_R9,
	WARD_REG_R10,
	WARD_REG_R11,
	WARD_REG_R12,
	WARD_REG_R13,
	WARD_REG_R14,
	WARD_REG_R15,
	WARD_REG_FS_BASE,
	WARD_REG_COUNT
};

#define WARD_MAX_PRIORITY 255

#endif

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The root task's own Linux system calls. Nobody above the root task can
 * answer them, so before musl runs the runtime starts a helper thread in
 * the root task's address space and makes it the main thread's fault
 * handler. The helper reaches the root task's memory directly.
 *
 * The helper keeps everything it uses out of the way of the program, so
 * that the boot information's free slots stay free: a CNode of 256 slots
 * in the root CNode's slot 7 (empty in the boot layout), which is also the
 * helper's CSpace, and in it a 1 MiB untyped carved from the smallest RAM
 * untyped that has room (that one untyped is the only boot resource it
 * touches), from which come its TCB, endpoint, reply object, the CNode
 * itself and the root task's heap: up to ROOT_HEAP_PAGES pages at
 * ROOT_HEAP_VA, mapped as brk and mmap ask. Its IPC buffer is the second
 * KiB of the root task's IPC-buffer frame.
 *
 * A fault that is not a system call (page fault, #GP, ...) is a bug of the
 * root task: the helper stops being its fault handler and lets it run into
 * the fault again, so that the kernel prints its full report and halts the
 * machine, as it does for a root task without a handler.
 */
#include <errno.h>
#include <string.h>
#include <ward/invoke.h>
#include <ward/linux.h>
#include <ward/rt.h>
#include <ward/sys.h>
#include "rt_internal.h"

#define HELPER_CNODE       7 /* root CNode slot; empty in the boot layout (ward/bootinfo.h) */
#define HELPER_RADIX       8
#define HELPER_UT_BITS     20
#define HELPER_IPC_OFFSET  1024 /* in the root task's IPC-buffer frame */
#define HELPER_STACK_WORDS 1024
#define ROOT_HEAP_VA       0x00007fffff000000ULL
#define ROOT_HEAP_PAGES    128
#define PAGE               4096ULL
#define USER_TOP           0x0000800000000000ULL

/* The helper's CSpace (cptr = slot): its objects and caps. */
enum helper_slot {
	H_TCB = 1,
	H_EP = 2,
	H_REPLY = 3,
	H_MAIN = 4, /* the root task's main thread */
	H_VSPACE = 5,
	H_UNTYPED = 6,
	H_CNODE = 7,  /* this CNode, the destination of the helper's retypes */
	H_SYSTEM = 8, /* the system control cap: the root task's end is the system's */
	H_TABLES = 9, /* paging structures for the heap, up to 8 */
	H_FRAMES = 17,
};
_Static_assert(H_FRAMES + ROOT_HEAP_PAGES <= (1 << HELPER_RADIX), "heap frames fit the CNode");

static uint64_t helper_stack[HELPER_STACK_WORDS] __attribute__((aligned(16)));
static uintptr_t helper_block[WARD_TLS_BLOCK_WORDS] __attribute__((aligned(64)));
static struct ward_heap root_heap;
static unsigned tables_made;

/* `failed`: an error code, or calls joined by || (the first failure stops the chain). */
static void check(int failed, const char *what)
{
	if (failed)
		ward_rt_fatal(what);
}

/* --- The root task's heap, as the helper maps it ---------------------- */

static bool map_heap_frame(uint64_t index)
{
	static const uint64_t level_type[4] = {0, WARD_OBJ_PT, WARD_OBJ_PD, WARD_OBJ_PDPT};
	uint64_t va = ROOT_HEAP_VA + index * PAGE, frame = H_FRAMES + index;
	enum ward_error err;

	while ((err = ward_frame_map(frame, H_VSPACE, va, WARD_RIGHT_READ | WARD_RIGHT_WRITE)) ==
	       WARD_ERR_FAILED_LOOKUP) {
		uint64_t level = ward_last_error().lo, table = H_TABLES + tables_made;
		if (level < 1 || level > 3 || table >= H_FRAMES ||
		    ward_untyped_retype(H_UNTYPED, level_type[level], 0, H_CNODE, 0, 0, table, 1) !=
		            WARD_OK ||
		    ward_page_table_map(table, H_VSPACE, va) != WARD_OK)
			return false;
		tables_made++;
	}
	return err == WARD_OK;
}

static bool heap_back(void *ctx, uint64_t index)
{
	(void)ctx;
	return ward_untyped_retype(H_UNTYPED, WARD_OBJ_FRAME, 0, H_CNODE, 0, 0, H_FRAMES + index,
	                           1) == WARD_OK &&
	       map_heap_frame(index);
}

static bool heap_remap(void *ctx, uint64_t index)
{
	(void)ctx;
	if (!map_heap_frame(index))
		return false;
	memset((void *)(ROOT_HEAP_VA + index * PAGE), 0, PAGE);
	return true;
}

static void heap_zero(void *ctx, uint64_t index)
{
	(void)ctx;
	memset((void *)(ROOT_HEAP_VA + index * PAGE), 0, PAGE);
}

static void heap_unmap(void *ctx, uint64_t index)
{
	(void)ctx;
	ward_frame_unmap(H_FRAMES + index);
}

/* --- The root task's memory and console ------------------------------- */

/* Addresses the helper may touch for the root task: not the null page, not past user space. */
static bool plain_range(uint64_t va, uint64_t len)
{
	return va >= PAGE && va + len >= va && va + len <= USER_TOP;
}

static bool root_copy_in(void *ctx, void *dst, uint64_t va, uint64_t len)
{
	(void)ctx;
	if (!plain_range(va, len))
		return false;
	memcpy(dst, (const void *)va, len);
	return true;
}

static bool root_copy_out(void *ctx, uint64_t va, const void *src, uint64_t len)
{
	(void)ctx;
	if (!plain_range(va, len))
		return false;
	memcpy((void *)va, src, len);
	return true;
}

static bool root_readable(void *ctx, uint64_t va, uint64_t len)
{
	(void)ctx;
	return plain_range(va, len);
}

/* The kernel reads the buffer itself (and refuses a bad one): the main thread's lines. */
static int64_t root_console(void *ctx, uint64_t va, uint64_t len)
{
	uint64_t done = 0;

	(void)ctx;
	while (done < len) {
		uint64_t n = len - done < PAGE ? len - done : PAGE;
		if (ward_debug_write_as(H_MAIN, (const void *)(va + done), n) != WARD_OK)
			return done != 0 ? (int64_t)done : -EFAULT;
		done += n;
	}
	return (int64_t)done;
}

static struct ward_linux_host host = {
        .copy_in = root_copy_in,
        .copy_out = root_copy_out,
        .readable = root_readable,
        .console = root_console,
        .heap = &root_heap,
        .heap_ops = {heap_back, heap_remap, heap_zero, heap_unmap, NULL},
        .pid = 1,
};

/* --- The helper thread ------------------------------------------------ */

/* Stops the machine through the helper's copy of the system control cap. */
static __attribute__((noreturn)) void halt(unsigned status)
{
	ward_debug_halt_with(H_SYSTEM, status);
	for (;;)
		__asm__ volatile("ud2");
}

/* A fault that is not a system call: let the kernel report it (see the top of the file). */
static ward_msginfo_t refault(uint64_t label, uint64_t mr[4], uint64_t *badge)
{
	if (label == WARD_FAULT_OTHER) {
		/* int3 and friends resume after the instruction: report and stop here. */
		ward_printf("root task: exception vector %llu at rip 0x%016llx: halting\n",
		            (unsigned long long)mr[1], (unsigned long long)mr[0]);
		halt(WARD_HALT_USER_FAULT);
	}
	if (label >= WARD_FAULT_PAGE && label <= WARD_FAULT_DIVIDE)
		ward_tcb_set_fault_handler(H_MAIN, 0);
	return ward_reply_recv(H_EP, H_REPLY, ward_msginfo(0, 0, 0, 0), badge, mr);
}

/* MR0 is the number, MR3..MR8 the arguments (ward/object.h); MR4 on are in the IPC buffer. */
static void read_call(struct ward_linux_call *c, ward_msginfo_t info, const uint64_t mr[4])
{
	const struct ward_ipc_buffer *buf = ward_ipc_buffer();
	unsigned len = ward_msginfo_length(info);

	c->nr = mr[0];
	for (unsigned i = 0; i < 6; i++) {
		unsigned at = 3 + i;
		c->arg[i] = at >= len ? 0 : at < WARD_MSG_REGISTERS ? mr[at] : buf->msg[at];
	}
}

static void helper_main(void)
{
	uint64_t badge, mr[WARD_MSG_REGISTERS] = {0};
	ward_msginfo_t info = ward_recv(H_EP, H_REPLY, &badge, mr);

	for (;;) {
		struct ward_linux_call call;
		int64_t result;

		if (ward_msginfo_label(info) != WARD_FAULT_UNKNOWN_SYSCALL) {
			info = refault(ward_msginfo_label(info), mr, &badge);
			continue;
		}
		read_call(&call, info, mr);
		if (ward_linux_syscall(&host, &call, &result) == WARD_LINUX_EXIT)
			halt((unsigned)result); /* the root task's end is the system's */
		mr[0] = (uint64_t)result;
		info = ward_reply_recv(H_EP, H_REPLY, ward_msginfo(0, 0, 0, 1), &badge, mr);
	}
}

/* The smallest RAM untyped that can give the helper its memory (0: none). */
static uint64_t pick_untyped(const struct ward_bootinfo *bi)
{
	uint64_t best = 0;
	unsigned best_bits = 64;

	for (uint32_t i = 0; i < bi->untyped_count && i < WARD_MAX_UNTYPED; i++) {
		const struct ward_untyped_desc *u = &bi->untyped[i];
		if (!u->is_device && u->size_bits >= HELPER_UT_BITS && u->size_bits < best_bits) {
			best = bi->untyped_first + i;
			best_bits = u->size_bits;
		}
	}
	return best;
}

static void move_to_helper(uint64_t from, uint64_t to)
{
	check(ward_cnode_move(HELPER_CNODE, to, 64, WARD_CAP_INIT_CNODE, from, 64),
	      "system-call helper: move");
}

/* Starts the helper thread at helper_main, then hands its TCB cap to its own CNode. */
static void start_helper(uint64_t tcb, uint64_t ipc_va)
{
	uint64_t regs[WARD_REG_COUNT] = {0};

	ward_thread_block_init(helper_block, (struct ward_ipc_buffer *)ipc_va);
	regs[WARD_REG_RIP] = (uint64_t)helper_main;
	regs[WARD_REG_RSP] = (uint64_t)&helper_stack[HELPER_STACK_WORDS - 1]; /* as after a call */
	regs[WARD_REG_FS_BASE] = (uint64_t)helper_block;
	check(ward_tcb_write_registers(tcb, 1, WARD_REG_COUNT, regs), "system-call helper: start");
	move_to_helper(tcb, H_TCB);
}

void ward_rt_root_emulator_start(const struct ward_bootinfo *bi)
{
	/* Work slots at the end of the free range, all empty again when this returns. */
	const uint64_t cn = WARD_CAP_INIT_CNODE, ut = bi->empty_last - 1, tcb = ut - 1,
	               node = ut - 2, ep = ut - 3, reply = ut - 4, main_tcb = ut - 5, vs = ut - 6;
	uint64_t parent = pick_untyped(bi), ipc_va = bi->ipc_buffer + HELPER_IPC_OFFSET;

	if (parent == 0 || bi->empty_last - bi->empty_first < 8)
		ward_rt_fatal("no memory or slots for the system-call helper");
	check(ward_untyped_retype(parent, WARD_OBJ_UNTYPED, HELPER_UT_BITS, cn, 0, 0, ut, 1) ||
	              ward_untyped_retype(ut, WARD_OBJ_TCB, 0, cn, 0, 0, tcb, 1) ||
	              ward_untyped_retype(ut, WARD_OBJ_CNODE, HELPER_RADIX, cn, 0, 0, node, 1) ||
	              ward_untyped_retype(ut, WARD_OBJ_ENDPOINT, 0, cn, 0, 0, ep, 1) ||
	              ward_untyped_retype(ut, WARD_OBJ_REPLY, 0, cn, 0, 0, reply, 1),
	      "system-call helper: retype");
	/* A guard of 64 - radix zero bits: cptr = slot index in the helper's CSpace. */
	check(ward_cnode_mutate(cn, HELPER_CNODE, 64, cn, node, 64, 64 - HELPER_RADIX) ||
	              ward_cnode_copy(cn, main_tcb, 64, cn, WARD_CAP_INIT_TCB, 64,
	                              WARD_RIGHTS_ALL) ||
	              ward_cnode_copy(cn, vs, 64, cn, WARD_CAP_INIT_VSPACE, 64, WARD_RIGHTS_ALL) ||
	              ward_cnode_copy(HELPER_CNODE, H_CNODE, 64, cn, HELPER_CNODE, 64,
	                              WARD_RIGHTS_ALL) ||
	              ward_cnode_copy(HELPER_CNODE, H_SYSTEM, 64, cn, WARD_CAP_SYSTEM_CONTROL, 64,
	                              WARD_RIGHTS_ALL),
	      "system-call helper: caps");
	check(ward_tcb_configure(tcb, HELPER_CNODE, WARD_CAP_INIT_VSPACE, WARD_CAP_INIT_IPC_BUFFER,
	                         ipc_va) ||
	              ward_tcb_set_priority(tcb, WARD_CAP_INIT_TCB, WARD_MAX_PRIORITY) ||
	              ward_tcb_set_fault_handler(WARD_CAP_INIT_TCB, ep) ||
	              ward_debug_name(tcb, "root"),
	      "system-call helper: configure");
	move_to_helper(ep, H_EP);
	move_to_helper(reply, H_REPLY);
	move_to_helper(main_tcb, H_MAIN);
	move_to_helper(vs, H_VSPACE);
	move_to_helper(ut, H_UNTYPED);
	ward_heap_init(&root_heap, ROOT_HEAP_VA, ROOT_HEAP_PAGES);
	host.tsc_hz = bi->tsc_hz;
	start_helper(tcb, ipc_va);
}

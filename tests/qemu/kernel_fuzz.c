/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Robustness, run as the root task, in two phases. Every random choice
 * comes from a PRNG seeded by the module argument `seed=N` (the text after
 * the program's path in the boot module line); `iterations=N` sets the
 * amount of work (at least 2000: a quarter, but at least 2000 calls, for
 * phase 1, the other three quarters for phase 2), `rounds=N` how often
 * phase 2 stops to check invariants, `active=N` how many workers run at
 * once (2), `watchdog=S` turns on a diagnostic thread (below). The first
 * TAP comment prints the arguments that replay a run. Phase 1 replays
 * exactly; in phase 2 each thread's sequence of operations is fixed by the
 * seed, their interleaving on several CPUs is not.
 *
 * Phase 1, one thread: random invocations with random capability addresses,
 * labels, message registers and extra caps. The kernel must answer every
 * call with WARD_OK or one of the ward_error codes. Targets and extra caps
 * are drawn from: the null slot, the root task's fixed slots, one device
 * untyped, a 1 MiB RAM untyped, an arena of slots the fuzzer fills with
 * whatever its retypes, copies and mints make, slots that are certainly
 * empty, and random 64-bit values.
 *
 * Phase 2, every CPU: a worker thread per CPU (two on a single CPU), the
 * workers of each round on different CPUs, work on the same arena and on
 * four shared 64 KiB untyped objects: retype, copy, badged mint, move,
 * mutate, delete, revoke (of arena caps and of the shared untyped objects),
 * frame and page-table map and unmap, TCB configure, suspend, resume,
 * set-affinity, set-priority, register reads and writes, notification
 * binding, IRQ handlers (GetMSI, GetIOAPIC, SetNotification, Ack, Clear,
 * delete), Calls and Sends carrying caps to a service (one thread per CPU
 * on one endpoint; its answers carry arena caps back), a small zone of
 * badged mints of that endpoint that workers delete, revoke and re-mint
 * while Calls through them are queued, and phase 1's random calls. One
 * operation builds a whole thread: a PML4 and its tables, the code page, a
 * data page and a TCB from a shared untyped, resumed on a random CPU. Such
 * "spinner" threads run `inc [rax]; inc [rbx]` 2^20 times and then fault
 * (ud2) to a sink endpoint nobody receives on; the other operations revoke,
 * remap, suspend, move and reconfigure them meanwhile. Workers invoke with
 * NBSend, which answers an invocation as Call does but cannot block if
 * another CPU has put an endpoint in the slot meanwhile; the only Calls go
 * to the mint zone, which holds nothing but caps to the service.
 *
 * Each vCPU is a host thread under TCG: with more busy vCPUs than host
 * cores, every lock hand-over and shootdown waits for the host scheduler,
 * so by default two workers run at a time (rotating so that every pair of
 * CPUs meets) and spinners stop after a burst.
 *
 * After each round (the workers wait), the root task checks invariants:
 *  - the kernel answers: a Call to the service is answered correctly, the
 *    root task's caps are intact, and an observer thread on every CPU runs
 *    (it yields a few times, so every thread of its priority gets turns);
 *  - a thread the kernel may not stop keeps running, and no CPU executes in
 *    a destroyed address space: a "victim" thread on CPU 1 + (round mod
 *    (CPUs - 1)) loops incrementing a word of a frame F and of a witness
 *    frame W. Its PML4, tables and F come from one untyped U; its TCB, code
 *    page and W do not. The victim must make progress. Then, while it runs,
 *    the root task revokes U: W must not change any more once the Revoke
 *    has returned; F's memory, retyped as a fresh frame and mapped, must
 *    read zero and stay zero while the victim's CPU schedules again; then
 *    all of U, retyped, must read zero. Rounds alternate the order in which
 *    Revoke meets the PML4 and F (victim_start());
 *  - memory retyped fresh is zero: one shared untyped, revoked with
 *    whatever the workers made from it (threads that may be running on
 *    other CPUs, their address spaces and tables), is retyped into frames,
 *    mapped and read: all zero, and still all zero after every CPU has
 *    scheduled its threads again;
 *  - every worker and service thread finishes its round (a stuck one hangs
 *    the test; the runner's timeout reports it, and watchdog=S prints what
 *    each thread was doing).
 *
 * Excluded, because they would legitimately destroy the test itself rather
 * than probe the kernel (filter_call() enforces each, by label):
 *  - Delete, Revoke, Move and Mutate of anything outside the arena (Revoke
 *    of IRQ and I/O-port control is allowed: only the fuzzer's caps hang
 *    below them); copies of the root task's TCB, CNode, VSpace and IPC
 *    buffer, so no arena cap can ever name them. Caps sent to the service
 *    land in an inbox CNode and are deleted there; the only caps that reach
 *    the arena by IPC come from the arena;
 *  - any invocation of the root TCB but ReadRegisters, and of its
 *    IPC-buffer frame but GetAddress; priorities above the spinners'
 *    ceiling (a thread that never blocks would starve the workers);
 *  - Retype, GetMSI, GetIOAPIC and Issue into root-CNode slots outside the
 *    arena (they would take slots the test library hands out later);
 *    GetIOAPIC of the ISA lines (0-15), which the machine's devices raise;
 *  - Frame and page-table maps into the root VSpace outside a window of
 *    address space nothing else uses, and executable mappings there (only
 *    VSpaces the fuzzer made get the code page);
 *  - I/O-port ranges outside 0x2000-0x20ff, which nothing on q35 decodes
 *    (a random Out could reset or power off the machine: 0xcf9, 0x604);
 *  - blocking Send, Call or Recv on arena endpoints (NBSend, and NBRecv
 *    without a reply object, instead): nothing would ever wake the caller;
 *  - the halt, thread-pointer and unknown system calls (the root task has
 *    no fault handler: an unknown syscall would stop the machine);
 *  - random values in [4 MiB, 2 GiB), where the root task's code lives, so
 *    a thread the fuzzer resumes never runs the root task's code.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lib/wcheck.h"

#define DEFAULT_SEED       0x5741524446555a5aULL
#define DEFAULT_ITERATIONS 8000
#define MIN_ITERATIONS     2000
#define MIN_PHASE1         2000
#define ARENA              160
#define MINTS              8 /* mint zone: only caps to the service endpoint, or empty */
#define SHARED_UT          4 /* shared untyped objects of 2^SHARED_UT_BITS bytes */
#define SHARED_UT_BITS     16
#define UT_FRAMES          (1U << (SHARED_UT_BITS - 12))
#define MAX_THREADS        16 /* workers, services, observers: one per CPU at most */
#define INBOX_RADIX        6  /* slots 0..15 services, 16..31 workers */
#define FUZZ_VA            0x0000600000000000ULL /* PML4 slot 192: unused by the root task */
#define FUZZ_VA_END        (FUZZ_VA + (1ULL << 30))
#define SPIN_CODE          FUZZ_VA /* spinner layout in a fuzzer-made VSpace */
#define SPIN_DATA          (FUZZ_VA + 0x1000)
#define SPIN_WITNESS       (FUZZ_VA + 0x8000)
#define SPIN_FOREVER       0x7e57f00d /* rdx: the spinner code never stops */
#define SAFE_PORT          0x2000
#define SAFE_PORTS         0x100
#define CNODE              WARD_CAP_INIT_CNODE
#define WORKER_PRIO        100
#define SERVICE_PRIO       110
#define SPIN_PRIO          60 /* ceiling for fuzzed threads; the victim and observers */
#define OBSERVE_YIELDS     3
#define PROBE_LABEL        0x51

/* Per-thread fuzzing state, found through the thread's IPC buffer. */
struct fuzzer {
	uint64_t rng;
	const struct ward_ipc_buffer *ipc;
	unsigned seen[WARD_ERR_COUNT];
	unsigned calls, other_syscalls, bad_labels, rejected, delivered;
	unsigned transfers, spinners, ops;
	volatile uint64_t doing; /* label << 32 | cap of the call in progress (watchdog) */
	uint64_t bad_target, bad_label, bad_answer;
	unsigned inbox_slot;
};

static struct fuzzer fz[1 + 3 * MAX_THREADS];
static unsigned n_fz = 1;
static bool phase2;
static uint64_t arena, fuzz_ut, dev_ut, empty_tail, mints, inbox;
static uint64_t shared_ut[SHARED_UT];
static uint64_t svc_ep, sink_ep, code_rx, notif;
static unsigned cpus;

static struct fuzzer *me(void)
{
	const struct ward_ipc_buffer *b = ward_ipc_buffer();

	for (unsigned i = 1; i < n_fz; i++)
		if (fz[i].ipc == b)
			return &fz[i];
	return &fz[0];
}

static uint64_t rnd(void)
{
	struct fuzzer *f = me();

	f->rng ^= f->rng >> 12;
	f->rng ^= f->rng << 25;
	f->rng ^= f->rng >> 27;
	return f->rng * 0x2545f4914f6cdd1dULL;
}

static uint64_t below(uint64_t n)
{
	return rnd() % n;
}

static bool in_arena(uint64_t slot)
{
	return slot >= arena && slot < arena + ARENA;
}

static bool in_code_window(uint64_t v)
{
	return v >= 0x400000 && v < 0x80000000ULL;
}

/* A capability address: mostly names the fuzzer may use, some garbage. */
static uint64_t pick_cptr(void)
{
	switch (below(16)) {
	case 0:
		return 0;
	case 1:
	case 2:
		return 1 + below(6);
	case 3:
		return fuzz_ut;
	case 4:
		return dev_ut;
	case 5:
		return empty_tail + below(8);
	case 6: {
		uint64_t v = rnd();
		return in_code_window(v) ? v | (1ULL << 40) : v;
	}
	default:
		return arena + below(ARENA);
	}
}

/* A message-register value shaped like the arguments invocations take. */
static uint64_t pick_value(void)
{
	switch (below(14)) {
	case 0:
	case 1:
		return below(20);
	case 2:
		return below(300);
	case 3:
		return arena + below(ARENA);
	case 4: {
		static const uint64_t d[] = {0, 1, 4, 12, 63, 64, 65};
		return d[below(7)];
	}
	case 5:
		return below(0x20);
	case 6:
		return FUZZ_VA + below(1 << 18) * 4096;
	case 7:
		return FUZZ_VA + below(512) * (2ULL << 20);
	case 8:
		return 0xffffffff80000000ULL + below(1 << 20) * 8;
	case 9:
		return SAFE_PORT + below(SAFE_PORTS);
	case 10: {
		/* Powers of two from 4 MiB to 1 GiB fall where the root task's code lives. */
		uint64_t v = 1ULL << below(64);
		return in_code_window(v) ? v | (1ULL << 40) : v;
	}
	case 11:
		return below(2) ? 2 : CNODE;
	case 12:
		return pick_cptr();
	default: {
		uint64_t v = rnd();
		return in_code_window(v) ? v | (1ULL << 40) : v;
	}
	}
}

static const uint64_t labels_by_type[][8] = {
        [WARD_OBJ_UNTYPED] = {WARD_UNTYPED_RETYPE},
        [WARD_OBJ_CNODE] = {WARD_CNODE_COPY, WARD_CNODE_MINT, WARD_CNODE_MOVE, WARD_CNODE_MUTATE,
                            WARD_CNODE_DELETE, WARD_CNODE_REVOKE},
        [WARD_OBJ_TCB] = {WARD_TCB_CONFIGURE, WARD_TCB_SET_FAULT_HANDLER, WARD_TCB_SET_PRIORITY,
                          WARD_TCB_SET_AFFINITY, WARD_TCB_RESUME, WARD_TCB_SUSPEND,
                          WARD_TCB_READ_REGISTERS, WARD_TCB_WRITE_REGISTERS},
        [WARD_OBJ_FRAME] = {WARD_FRAME_MAP, WARD_FRAME_UNMAP, WARD_FRAME_GET_ADDRESS},
        [WARD_OBJ_LARGE_FRAME] = {WARD_FRAME_MAP, WARD_FRAME_UNMAP, WARD_FRAME_GET_ADDRESS},
        [WARD_OBJ_PDPT] = {WARD_PAGE_TABLE_MAP, WARD_PAGE_TABLE_UNMAP},
        [WARD_OBJ_PD] = {WARD_PAGE_TABLE_MAP, WARD_PAGE_TABLE_UNMAP},
        [WARD_OBJ_PT] = {WARD_PAGE_TABLE_MAP, WARD_PAGE_TABLE_UNMAP},
        [WARD_OBJ_IRQ_CONTROL] = {WARD_IRQ_CONTROL_GET_IOAPIC, WARD_IRQ_CONTROL_GET_MSI},
        [WARD_OBJ_IRQ_HANDLER] = {WARD_IRQ_HANDLER_SET_NOTIFICATION, WARD_IRQ_HANDLER_ACK,
                                  WARD_IRQ_HANDLER_CLEAR},
        [WARD_OBJ_IOPORT_CONTROL] = {WARD_IOPORT_CONTROL_ISSUE},
        [WARD_OBJ_IOPORT] = {WARD_IOPORT_IN8, WARD_IOPORT_IN16, WARD_IOPORT_IN32, WARD_IOPORT_OUT8,
                             WARD_IOPORT_OUT16, WARD_IOPORT_OUT32},
};

static uint64_t pick_label(unsigned type)
{
	unsigned n = 0;

	if (type < sizeof(labels_by_type) / sizeof(labels_by_type[0]))
		while (n < 8 && labels_by_type[type][n] != 0)
			n++;
	switch (below(10)) {
	case 0:
		return below(100);
	case 1:
		return rnd() >> 12;
	default:
		return n != 0 ? labels_by_type[type][below(n)] : below(100);
	}
}

struct call {
	uint64_t target, label;
	unsigned n_mrs, n_caps;
	uint64_t mr[WARD_MSG_MAX_LENGTH];
	uint64_t caps[WARD_MSG_MAX_EXTRA_CAPS];
};

/* Does (root, index, depth) name a slot of the root CNode itself? Sets *slot if so. */
static bool root_slot(uint64_t root, uint64_t index, uint64_t depth, uint64_t *slot)
{
	if (root != CNODE || depth != 64 || index >= 4096)
		return false;
	*slot = index;
	return true;
}

/* Is the destination of a Retype / GetMSI / GetIOAPIC / Issue harmless? */
static bool dest_ok(uint64_t root, uint64_t node_index, uint64_t node_depth, uint64_t offset,
                    uint64_t count, bool node_form)
{
	uint64_t slot;

	if (node_form) {
		/* Retype: node (index, depth) in `root`; depth 0 is `root` itself. */
		bool is_root = root == CNODE &&
		               (node_depth == 0 || (node_depth == 64 && node_index == CNODE));
		if (!is_root)
			return true;
		if (count == 0 || count > 256 || offset >= 4096)
			return true; /* refused before anything happens */
		return in_arena(offset) && in_arena(offset + count - 1);
	}
	return !root_slot(root, offset, node_depth, &slot) || in_arena(slot) ||
	       (slot >= 1 && slot <= 6);
}

/*
 * A map into the root VSpace must stay in the fuzzer's window; a frame at an
 * unaligned address is refused, but a page table takes any address it
 * covers, so for tables only the window or the kernel half will do.
 */
static bool vspace_va_ok(uint64_t vspace, uint64_t va, bool table)
{
	if (vspace != WARD_CAP_INIT_VSPACE)
		return true;
	return (va >= FUZZ_VA && va < FUZZ_VA_END) || va >= 0x0000800000000000ULL ||
	       (!table && (va & 0xfff));
}

/*
 * The exclusions listed at the top of the file. They go by label, not by
 * the type the target had when the call was drawn: on several CPUs another
 * thread may have put something else in the slot by the time the kernel
 * looks.
 */
static bool filter_call(const struct call *c)
{
	const uint64_t *m = c->mr;
	uint64_t cap0 = c->n_caps > 0 ? c->caps[0] : 0, slot;

	if (c->target == WARD_CAP_INIT_TCB)
		return c->label == WARD_TCB_READ_REGISTERS || c->label > 0xff;
	if (c->target == WARD_CAP_INIT_IPC_BUFFER)
		return c->label == WARD_FRAME_GET_ADDRESS;
	switch (c->label) {
	case WARD_CNODE_DELETE:
	case WARD_CNODE_REVOKE:
		if (c->target != CNODE || !root_slot(CNODE, m[0], m[1], &slot))
			return true;
		return in_arena(slot) ||
		       (c->label == WARD_CNODE_REVOKE &&
		        (slot == WARD_CAP_IRQ_CONTROL || slot == WARD_CAP_IOPORT_CONTROL));
	case WARD_CNODE_COPY:
	case WARD_CNODE_MINT:
	case WARD_CNODE_MOVE:
	case WARD_CNODE_MUTATE:
		if (c->target == CNODE && root_slot(CNODE, m[0], m[1], &slot) && !in_arena(slot) &&
		    !(slot >= 1 && slot <= 6))
			return false;
		if (!root_slot(cap0, m[2], m[3], &slot))
			return true;
		if (c->label == WARD_CNODE_MOVE || c->label == WARD_CNODE_MUTATE)
			return in_arena(slot);
		return in_arena(slot) || slot == 0 || slot == 4 || slot == 5 || slot == fuzz_ut ||
		       slot == dev_ut || slot >= empty_tail;
	case WARD_UNTYPED_RETYPE:
		return dest_ok(cap0, m[2], m[3], m[4], m[5], true);
	case WARD_TCB_SET_PRIORITY:
		/* A fuzzed thread above the ceiling could starve a worker. */
		return c->n_mrs < 1 || m[0] <= SPIN_PRIO;
	case WARD_IRQ_CONTROL_GET_MSI:
		return dest_ok(cap0, 0, m[1], m[0], 1, false);
	case WARD_IRQ_CONTROL_GET_IOAPIC:
		/* And only the PCI interrupt lines, which nothing on the machine raises. */
		return dest_ok(cap0, 0, m[4], m[3], 1, false) && m[0] >= 16;
	case WARD_IOPORT_CONTROL_ISSUE:
		if (!dest_ok(cap0, 0, m[3], m[2], 1, false))
			return false;
		/* Granted only inside the safe window; refused ranges are fine. */
		return m[0] > m[1] || m[1] > 0xffff || (m[0] <= 0x3f8 && m[1] >= 0x3f8) ||
		       (m[0] >= SAFE_PORT && m[1] < SAFE_PORT + SAFE_PORTS);
	case WARD_FRAME_MAP:
		/* Nothing the random calls map is executable: their threads fault at once. */
		return vspace_va_ok(cap0, m[0], false) && !(m[1] & WARD_RIGHT_EXECUTE);
	case WARD_PAGE_TABLE_MAP:
		return vspace_va_ok(cap0, m[0], true);
	default:
		return true;
	}
}

static uint64_t arena_slot(void)
{
	return arena + below(ARENA);
}

/* An arena slot holding a cap of `type` (0: any cap), if a few draws find one. */
static uint64_t arena_pick(unsigned type)
{
	for (unsigned i = 0; i < 24; i++) {
		uint64_t s = arena_slot();
		unsigned t = ward_debug_cap_type(s);
		if (type == 0 ? t != WARD_OBJ_NULL : t == type)
			return s;
	}
	return arena_slot();
}

/*
 * Half the calls are shaped like the real thing (right number of MRs and
 * caps, slot arguments in the arena), so they get past the first checks
 * and the arena fills with objects the other half can hit.
 */
static void shape(struct call *c)
{
	uint64_t *m = c->mr;

	switch (c->label) {
	case WARD_UNTYPED_RETYPE:
		c->n_mrs = 6;
		c->n_caps = 1;
		c->caps[0] = CNODE;
		m[0] = 1 + below(WARD_OBJ_RETYPE_COUNT - 1);
		m[1] = below(4) == 0 ? below(20) : 12;
		m[2] = m[3] = 0;
		m[4] = arena_slot();
		m[5] = 1 + below(3);
		break;
	case WARD_CNODE_COPY:
	case WARD_CNODE_MINT:
	case WARD_CNODE_MOVE:
	case WARD_CNODE_MUTATE:
		c->n_mrs = 6;
		c->n_caps = 1;
		c->caps[0] = CNODE;
		m[0] = arena_slot();
		m[1] = 64;
		m[2] = below(8) == 0 ? 4 + below(2) : arena_slot();
		m[3] = 64;
		m[4] = c->label == WARD_CNODE_MUTATE ? below(16) : below(0x20);
		m[5] = below(16);
		break;
	case WARD_CNODE_DELETE:
	case WARD_CNODE_REVOKE:
		c->n_mrs = 2;
		m[0] = arena_slot();
		m[1] = 64;
		break;
	case WARD_TCB_CONFIGURE:
		c->n_mrs = 1;
		c->n_caps = 2 + (unsigned)below(2); /* with or without an IPC buffer */
		c->caps[0] = CNODE;
		c->caps[1] = below(2) ? WARD_CAP_INIT_VSPACE : arena_pick(WARD_OBJ_PML4);
		c->caps[2] = arena_pick(WARD_OBJ_FRAME);
		m[0] = FUZZ_VA + below(64) * 1024;
		break;
	case WARD_TCB_SET_PRIORITY:
		c->n_mrs = 1;
		c->n_caps = 1;
		c->caps[0] = below(2) ? WARD_CAP_INIT_TCB : arena_pick(WARD_OBJ_TCB);
		m[0] = below(4) == 0 ? below(256) : below(SPIN_PRIO + 1);
		break;
	case WARD_TCB_WRITE_REGISTERS:
		m[0] = below(2);
		m[1] = 1 + below(WARD_REG_COUNT);
		c->n_mrs = 2 + (unsigned)m[1];
		break;
	case WARD_TCB_SET_FAULT_HANDLER:
		c->n_caps = 1;
		c->caps[0] = arena_pick(WARD_OBJ_ENDPOINT);
		break;
	case WARD_TCB_BIND_NOTIFICATION:
	case WARD_IRQ_HANDLER_SET_NOTIFICATION:
		c->n_caps = 1;
		c->caps[0] = arena_pick(WARD_OBJ_NOTIFICATION);
		break;
	case WARD_FRAME_MAP:
	case WARD_PAGE_TABLE_MAP:
		c->n_mrs = 2;
		c->n_caps = 1;
		c->caps[0] = below(2) ? WARD_CAP_INIT_VSPACE : arena_pick(WARD_OBJ_PML4);
		m[0] = FUZZ_VA + below(1 << 10) * 4096;
		m[1] = below(2) ? WARD_RIGHT_READ : WARD_RIGHT_READ | WARD_RIGHT_WRITE;
		break;
	case WARD_IRQ_CONTROL_GET_MSI:
		c->n_mrs = 2;
		c->n_caps = 1;
		c->caps[0] = CNODE;
		m[0] = arena_slot();
		m[1] = 64;
		break;
	case WARD_IOPORT_CONTROL_ISSUE:
		c->n_mrs = 4;
		c->n_caps = 1;
		c->caps[0] = CNODE;
		m[0] = SAFE_PORT + below(SAFE_PORTS);
		m[1] = m[0] + below(4);
		m[2] = arena_slot();
		m[3] = 64;
		break;
	default:
		break;
	}
}

static void make_call(struct call *c, unsigned *type)
{
	c->target = below(2) ? arena_pick(0) : pick_cptr();
	*type = ward_debug_cap_type(c->target);
	c->label = pick_label(*type);
	c->n_mrs = below(8) == 0 ? (unsigned)below(WARD_MSG_MAX_LENGTH + 8) : (unsigned)below(8);
	c->n_caps = (unsigned)below(4);
	for (unsigned i = 0; i < WARD_MSG_MAX_LENGTH; i++)
		c->mr[i] = i < c->n_mrs && i < 16 ? pick_value() : 0;
	for (unsigned i = 0; i < c->n_caps; i++)
		c->caps[i] = below(3) == 0 ? CNODE : pick_cptr();
	if (below(2))
		shape(c);
}

/*
 * NBSend: an invocation is answered as by Call, but if the slot holds an
 * endpoint by the time the kernel looks (another CPU may have put one
 * there), the message is dropped or delivered instead of blocking forever.
 */
static ward_msginfo_t nb_call(uint64_t cap, ward_msginfo_t info, uint64_t mr[4])
{
	me()->doing = ward_msginfo_label(info) << 32 | cap;
	WARD_IPC_REGS(mr);
	WARD_IPC_SYSCALL(WARD_SYS_NB_SEND, cap, info, 0);
	WARD_IPC_RESULTS(mr);
	(void)rdi_;
	return rsi_;
}

/*
 * Counts an answer. It is sane if it is a ward_error, or the message info
 * itself (NBSend to an endpoint leaves the registers as they were).
 */
static bool account(struct fuzzer *f, uint64_t target, ward_msginfo_t sent, ward_msginfo_t got)
{
	uint64_t label = ward_msginfo_label(got);

	f->calls++;
	if (got == sent && label >= WARD_ERR_COUNT) {
		f->delivered++;
		return true;
	}
	if (label < WARD_ERR_COUNT) {
		f->seen[label]++;
		return true;
	}
	if (f->bad_labels++ == 0) {
		f->bad_target = target;
		f->bad_label = ward_msginfo_label(sent);
		f->bad_answer = label;
	}
	return false;
}

/* Performs the call with NBSend; false if the answer was not sane. */
static bool perform(const struct call *c)
{
	struct ward_ipc_buffer *b = ward_ipc_buffer();
	uint64_t mr[4] = {c->mr[0], c->mr[1], c->mr[2], c->mr[3]};
	ward_msginfo_t info = ward_msginfo(c->label, 0, c->n_caps, c->n_mrs);

	for (unsigned i = 4; i < WARD_MSG_MAX_LENGTH; i++)
		b->msg[i] = c->mr[i];
	for (unsigned i = 0; i < c->n_caps; i++)
		b->caps_or_badges[i] = c->caps[i];
	return account(me(), c->target, info, nb_call(c->target, info, mr));
}

/* One invocation for the structured operations; returns the answer's label. */
static uint64_t inv(uint64_t cap, uint64_t label, unsigned n, const uint64_t *args, unsigned n_caps,
                    const uint64_t *caps, uint64_t *mr0)
{
	struct ward_ipc_buffer *b = ward_ipc_buffer();
	uint64_t mr[4] = {0};
	ward_msginfo_t info = ward_msginfo(label, 0, n_caps, n), got;

	for (unsigned i = 0; i < n; i++) {
		if (i < 4)
			mr[i] = args[i];
		else
			b->msg[i] = args[i];
	}
	for (unsigned i = 0; i < n_caps; i++)
		b->caps_or_badges[i] = caps[i];
	got = nb_call(cap, info, mr);
	account(me(), cap, info, got);
	if (mr0 != NULL)
		*mr0 = mr[0];
	return ward_msginfo_label(got);
}

/* Receives caps into this thread's inbox slot (deleted after each message). */
static void receive_into_inbox(struct fuzzer *f)
{
	struct ward_ipc_buffer *b = ward_ipc_buffer();

	b->receive_cnode = inbox;
	b->receive_index = f->inbox_slot;
	b->receive_depth = INBOX_RADIX;
}

/* Non-invocation system calls that cannot block or stop anything. */
static bool other_syscall(void)
{
	struct fuzzer *f = me();
	uint64_t badge, mr[4] = {pick_value(), pick_value(), 0, 0};
	unsigned t;

	f->other_syscalls++;
	switch (below(4)) {
	case 0: {
		/* In phase 2 no reply object: a Call taken would never be answered. */
		uint64_t cptr = pick_cptr(), reply = !phase2 && below(2) ? pick_cptr() : 0;
		t = ward_debug_cap_type(cptr);
		if (t == WARD_OBJ_ENDPOINT || t == WARD_OBJ_NOTIFICATION || below(2)) {
			ward_msginfo_t info = ward_nb_recv(cptr, reply, &badge, mr);
			uint64_t l = ward_msginfo_label(info);
			if (ward_msginfo_extra_caps(info) != 0)
				ward_cnode_delete(inbox, f->inbox_slot, INBOX_RADIX);
			return l < WARD_ERR_COUNT || t == WARD_OBJ_ENDPOINT || phase2;
		}
		return true;
	}
	case 1:
		t = ward_debug_cap_type(pick_value());
		return t < 32;
	case 2:
		ward_yield();
		return true;
	default: {
		/* Kernel or unmapped addresses only: printed bytes would end up in a TAP line. */
		uint64_t va = below(2) ? 0xffffffff80100000ULL + below(4096) : 0x1000 + below(4096);
		return ward_debug_write((const void *)va, 1 + below(64)) ==
		       WARD_ERR_INVALID_ARGUMENT;
	}
	}
}

/* One random call (or other system call), as phase 1 makes them; false if insane. */
static bool random_call(void)
{
	struct call c;
	unsigned type;

	if (below(8) == 0)
		return other_syscall();
	make_call(&c, &type);
	(void)type;
	if (!filter_call(&c)) {
		me()->rejected++;
		return true;
	}
	return perform(&c);
}

/* --- phase 2: structured operations on shared objects --------------------- */

static uint64_t pick_ut(void)
{
	return below(5) == 0 ? arena_pick(WARD_OBJ_UNTYPED) : shared_ut[below(SHARED_UT)];
}

static uint64_t op_retype(uint64_t ut, unsigned type, uint64_t dest, unsigned count)
{
	uint64_t size = type == WARD_OBJ_CNODE     ? 1 + below(3)
	                : type == WARD_OBJ_UNTYPED ? 12 + below(3)
	                                           : 0;
	const uint64_t a[6] = {type, size, 0, 0, dest, count}, caps[1] = {CNODE};

	return inv(ut, WARD_UNTYPED_RETYPE, 6, a, 1, caps, NULL);
}

static unsigned random_type(void)
{
	static const unsigned types[] = {
	        WARD_OBJ_TCB,   WARD_OBJ_ENDPOINT, WARD_OBJ_NOTIFICATION, WARD_OBJ_CNODE,
	        WARD_OBJ_REPLY, WARD_OBJ_FRAME,    WARD_OBJ_FRAME,        WARD_OBJ_PML4,
	        WARD_OBJ_PDPT,  WARD_OBJ_PD,       WARD_OBJ_PT,           WARD_OBJ_UNTYPED,
	};
	return types[below(sizeof(types) / sizeof(types[0]))];
}

static uint64_t cnode_op(uint64_t label, uint64_t dest, uint64_t src, uint64_t rights,
                         uint64_t data)
{
	/* Copy: dest, src, rights; Mint: and data; Move: dest, src; Mutate: dest, src, data. */
	uint64_t a[6] = {dest, 64, src, 64, label == WARD_CNODE_MUTATE ? data : rights, data};
	const uint64_t caps[1] = {CNODE};
	unsigned n = label == WARD_CNODE_MINT ? 6 : label == WARD_CNODE_MOVE ? 4 : 5;

	return inv(CNODE, label, n, a, 1, caps, NULL);
}

static uint64_t random_rights(void)
{
	return below(3) == 0 ? below(0x20) : WARD_RIGHTS_ALL;
}

/* A source a copy or mint may take: arena caps and a few safe shared objects. */
static uint64_t copy_source(void)
{
	switch (below(8)) {
	case 0:
		return svc_ep;
	case 1:
		return code_rx;
	case 2:
		return notif;
	default:
		return arena_pick(0);
	}
}

static uint64_t pick_vspace(void)
{
	return below(4) == 0 ? WARD_CAP_INIT_VSPACE : arena_pick(WARD_OBJ_PML4);
}

static uint64_t data_va(void)
{
	return SPIN_DATA + below(4) * 4096;
}

static uint64_t op_map_frame(uint64_t frame, uint64_t vspace, uint64_t va, uint64_t rights)
{
	const uint64_t a[2] = {va, rights}, caps[1] = {vspace};
	return inv(frame, WARD_FRAME_MAP, 2, a, 1, caps, NULL);
}

static uint64_t op_map_table(uint64_t table, uint64_t vspace, uint64_t va)
{
	const uint64_t a[1] = {va}, caps[1] = {vspace};
	return inv(table, WARD_PAGE_TABLE_MAP, 1, a, 1, caps, NULL);
}

static uint64_t op_configure(uint64_t tcb, uint64_t cspace, uint64_t vspace, uint64_t ipc_frame,
                             uint64_t ipc_va)
{
	const uint64_t a[1] = {ipc_va}, caps[3] = {cspace, vspace, ipc_frame};
	return inv(tcb, WARD_TCB_CONFIGURE, 1, a, ipc_frame != 0 ? 3 : 2, caps, NULL);
}

static uint64_t op_tcb(uint64_t tcb, uint64_t label, uint64_t arg)
{
	const uint64_t a[1] = {arg};
	return inv(tcb, label, label == WARD_TCB_RESUME || label == WARD_TCB_SUSPEND ? 0 : 1, a, 0,
	           NULL, NULL);
}

static uint64_t op_tcb_cap(uint64_t tcb, uint64_t label, uint64_t cap, uint64_t arg)
{
	const uint64_t a[1] = {arg}, caps[1] = {cap};
	return inv(tcb, label, label == WARD_TCB_SET_PRIORITY ? 1 : 0, a, 1, caps, NULL);
}

/*
 * Spinner registers: rip at the code page, rax and rbx at data words. The
 * code (main()) increments both 2^20 times, then faults (ud2) to the sink
 * endpoint, where the thread stays until someone resumes it again: a vCPU
 * spinning for good would slow the others down on a small host. Only the
 * victim, with rdx = SPIN_FOREVER, loops until it is stopped.
 */
static uint64_t op_spin_registers(uint64_t tcb, bool resume)
{
	const uint64_t a[7] = {resume, 5, SPIN_CODE, 0, 0, data_va(), data_va() + 8 * below(4)};
	return inv(tcb, WARD_TCB_WRITE_REGISTERS, 7, a, 0, NULL, NULL);
}

/* A whole thread in a VSpace of its own, resumed on a random CPU. */
static void op_build_spinner(void)
{
	uint64_t ut = pick_ut(), s[7];
	static const unsigned types[6] = {WARD_OBJ_PML4, WARD_OBJ_PDPT,  WARD_OBJ_PD,
	                                  WARD_OBJ_PT,   WARD_OBJ_FRAME, WARD_OBJ_TCB};
	bool ok = true, pml4_last = below(2);

	/* Slots emptied first (whatever was there goes); made in either order (victim_start). */
	for (unsigned i = 0; i < 7; i++) {
		const uint64_t a[2] = {s[i] = arena_slot(), 64};
		inv(CNODE, WARD_CNODE_DELETE, 2, a, 0, NULL, NULL);
	}
	for (unsigned k = 0; k < 6; k++) {
		unsigned i = pml4_last ? 5 - k : k;
		ok = op_retype(below(4) == 0 ? pick_ut() : ut, types[i], s[i], 1) == WARD_OK && ok;
	}
	op_map_table(s[1], s[0], SPIN_CODE);
	op_map_table(s[2], s[0], SPIN_CODE);
	op_map_table(s[3], s[0], SPIN_CODE);
	cnode_op(WARD_CNODE_COPY, s[6], code_rx, WARD_RIGHTS_ALL, 0);
	op_map_frame(s[6], s[0], SPIN_CODE, WARD_RIGHT_READ | WARD_RIGHT_EXECUTE);
	op_map_frame(s[4], s[0], SPIN_DATA, WARD_RIGHT_READ | WARD_RIGHT_WRITE);
	op_configure(s[5], CNODE, s[0], 0, 0);
	op_tcb_cap(s[5], WARD_TCB_SET_FAULT_HANDLER, sink_ep, 0);
	op_tcb_cap(s[5], WARD_TCB_SET_PRIORITY, WARD_CAP_INIT_TCB, below(SPIN_PRIO + 1));
	op_tcb(s[5], WARD_TCB_SET_AFFINITY, below(cpus));
	if (op_spin_registers(s[5], true) == WARD_OK && ok)
		me()->spinners++;
}

/* Call or Send to the service with a cap; a Call's answer may bring a cap into the arena. */
static void op_ipc(void)
{
	struct fuzzer *f = me();
	struct ward_ipc_buffer *b = ward_ipc_buffer();
	uint64_t mr[4] = {rnd(), 0, 0, 0}, slot = mints + below(MINTS);
	unsigned n_caps = (unsigned)below(2);
	ward_msginfo_t info, got;

	b->caps_or_badges[0] = below(4) == 0 ? slot : arena_pick(0);
	if (below(3) != 0) {
		/* The mint zone holds only caps to the service: a Call there is answered. */
		uint64_t x = mr[0];
		b->receive_cnode = CNODE;
		b->receive_index = arena_slot();
		b->receive_depth = 64;
		info = ward_msginfo(PROBE_LABEL, 0, n_caps, 1);
		f->doing = (uint64_t)PROBE_LABEL << 32 | slot;
		got = ward_call(slot, info, mr);
		f->calls++;
		if (ward_msginfo_label(got) == WARD_OK && mr[0] == x * 7 + 3)
			f->seen[WARD_OK]++;
		else if (ward_msginfo_label(got) < WARD_ERR_COUNT)
			f->seen[ward_msginfo_label(got)]++;
		else
			account(f, slot, info, got);
		if (ward_msginfo_extra_caps(got) != 0)
			f->transfers++;
		receive_into_inbox(f);
		return;
	}
	/* NBSend with a cap on any arena cap: endpoints drop or deliver it. */
	slot = below(2) ? arena_pick(WARD_OBJ_ENDPOINT) : slot;
	info = ward_msginfo(PROBE_LABEL, 0, n_caps, 1);
	account(f, slot, info, nb_call(slot, info, mr));
}

/* The mint zone: badged and unbadged caps to the service endpoint, deleted and revoked. */
static void op_mint_zone(void)
{
	uint64_t slot = mints + below(MINTS);

	switch (below(4)) {
	case 0:
		cnode_op(WARD_CNODE_MINT, slot, svc_ep, WARD_RIGHTS_ALL, 1 + below(15));
		break;
	case 1:
		cnode_op(WARD_CNODE_COPY, slot, svc_ep, WARD_RIGHTS_ALL, 0);
		break;
	case 2: {
		const uint64_t a[2] = {slot, 64};
		inv(CNODE, WARD_CNODE_REVOKE, 2, a, 0, NULL, NULL);
		break;
	}
	default: {
		const uint64_t a[2] = {slot, 64};
		inv(CNODE, WARD_CNODE_DELETE, 2, a, 0, NULL, NULL);
		break;
	}
	}
}

static void op_irq(void)
{
	const uint64_t caps[1] = {CNODE};

	switch (below(6)) {
	case 0: {
		const uint64_t a[2] = {arena_slot(), 64};
		inv(WARD_CAP_IRQ_CONTROL, WARD_IRQ_CONTROL_GET_MSI, 2, a, 1, caps, NULL);
		break;
	}
	case 1: {
		/* PCI interrupt lines: nothing on the machine raises them. */
		const uint64_t a[5] = {16 + below(8), below(2), below(2), arena_slot(), 64};
		inv(WARD_CAP_IRQ_CONTROL, WARD_IRQ_CONTROL_GET_IOAPIC, 5, a, 1, caps, NULL);
		break;
	}
	case 2: {
		const uint64_t n[1] = {below(2) ? notif : arena_pick(WARD_OBJ_NOTIFICATION)};
		inv(arena_pick(WARD_OBJ_IRQ_HANDLER), WARD_IRQ_HANDLER_SET_NOTIFICATION, 0, NULL, 1,
		    n, NULL);
		break;
	}
	case 3:
		inv(arena_pick(WARD_OBJ_IRQ_HANDLER), WARD_IRQ_HANDLER_ACK, 0, NULL, 0, NULL, NULL);
		break;
	case 4:
		inv(arena_pick(WARD_OBJ_IRQ_HANDLER), WARD_IRQ_HANDLER_CLEAR, 0, NULL, 0, NULL,
		    NULL);
		break;
	default: {
		const uint64_t a[2] = {arena_pick(WARD_OBJ_IRQ_HANDLER), 64};
		inv(CNODE, WARD_CNODE_DELETE, 2, a, 0, NULL, NULL);
		break;
	}
	}
}

static void op_thread(void)
{
	uint64_t t = arena_pick(WARD_OBJ_TCB);

	switch (below(10)) {
	case 0:
		op_configure(t, below(4) == 0 ? arena_pick(WARD_OBJ_CNODE) : CNODE, pick_vspace(),
		             below(2) ? arena_pick(WARD_OBJ_FRAME) : 0,
		             SPIN_DATA + below(4) * 1024);
		break;
	case 1:
		op_tcb(t, WARD_TCB_SUSPEND, 0);
		break;
	case 2:
		op_tcb(t, WARD_TCB_RESUME, 0);
		break;
	case 3:
		op_tcb(t, WARD_TCB_SET_AFFINITY, below(cpus + 1));
		break;
	case 4:
		op_tcb_cap(t, WARD_TCB_SET_PRIORITY,
		           below(2) ? WARD_CAP_INIT_TCB : arena_pick(WARD_OBJ_TCB),
		           below(SPIN_PRIO + 1));
		break;
	case 5:
		op_spin_registers(t, below(2));
		break;
	case 6: {
		uint64_t regs[4];
		const uint64_t a[1] = {1 + below(4)};
		inv(t, WARD_TCB_READ_REGISTERS, 1, a, 0, NULL, regs);
		break;
	}
	case 7:
		op_tcb_cap(t, WARD_TCB_SET_FAULT_HANDLER,
		           below(2) ? sink_ep : arena_pick(WARD_OBJ_ENDPOINT), 0);
		break;
	case 8:
		op_tcb_cap(t, WARD_TCB_BIND_NOTIFICATION,
		           below(2) ? notif : arena_pick(WARD_OBJ_NOTIFICATION), 0);
		break;
	default:
		op_tcb(t, WARD_TCB_UNBIND_NOTIFICATION, 0);
		break;
	}
}

static void op_vspace(void)
{
	switch (below(6)) {
	case 0:
	case 1:
		op_map_frame(arena_pick(WARD_OBJ_FRAME), pick_vspace(), data_va(),
		             below(2) ? WARD_RIGHT_READ : WARD_RIGHT_READ | WARD_RIGHT_WRITE);
		break;
	case 2:
		inv(arena_pick(WARD_OBJ_FRAME), WARD_FRAME_UNMAP, 0, NULL, 0, NULL, NULL);
		break;
	case 3: {
		static const unsigned t[3] = {WARD_OBJ_PDPT, WARD_OBJ_PD, WARD_OBJ_PT};
		op_map_table(arena_pick(t[below(3)]), pick_vspace(), SPIN_CODE);
		break;
	}
	case 4: {
		static const unsigned t[3] = {WARD_OBJ_PDPT, WARD_OBJ_PD, WARD_OBJ_PT};
		inv(arena_pick(t[below(3)]), WARD_PAGE_TABLE_UNMAP, 0, NULL, 0, NULL, NULL);
		break;
	}
	default: {
		/* The code page, executable only in a VSpace the fuzzer made. */
		uint64_t s = arena_slot();
		cnode_op(WARD_CNODE_COPY, s, code_rx, WARD_RIGHTS_ALL, 0);
		op_map_frame(s, arena_pick(WARD_OBJ_PML4), SPIN_CODE,
		             WARD_RIGHT_READ | WARD_RIGHT_EXECUTE);
		break;
	}
	}
}

static void op_caps(void)
{
	uint64_t dest = arena_slot();

	switch (below(7)) {
	case 0:
		op_retype(pick_ut(), random_type(), dest, 1 + (unsigned)below(2));
		break;
	case 1:
		cnode_op(WARD_CNODE_COPY, dest, copy_source(), random_rights(), 0);
		break;
	case 2:
		cnode_op(WARD_CNODE_MINT, dest, copy_source(), random_rights(), below(4));
		break;
	case 3:
		cnode_op(below(2) ? WARD_CNODE_MOVE : WARD_CNODE_MUTATE, dest, arena_pick(0), 0,
		         below(4));
		break;
	case 4: {
		const uint64_t a[2] = {arena_pick(0), 64};
		inv(CNODE, WARD_CNODE_DELETE, 2, a, 0, NULL, NULL);
		break;
	}
	case 5: {
		const uint64_t a[2] = {arena_pick(0), 64};
		inv(CNODE, WARD_CNODE_REVOKE, 2, a, 0, NULL, NULL);
		break;
	}
	default: {
		/* A shared untyped: everything made from it goes, running threads included. */
		const uint64_t a[2] = {shared_ut[below(SHARED_UT)], 64};
		inv(CNODE, WARD_CNODE_REVOKE, 2, a, 0, NULL, NULL);
		break;
	}
	}
}

/* One phase-2 operation; false if an answer was not sane. */
static bool fuzz_op(void)
{
	struct fuzzer *f = me();
	unsigned before = f->bad_labels;

	f->ops++;
	switch (below(20)) {
	case 0:
	case 1:
	case 2:
	case 3:
	case 4:
		op_caps();
		break;
	case 5:
	case 6:
	case 7:
		op_vspace();
		break;
	case 8:
	case 9:
	case 10:
		op_thread();
		break;
	case 11:
		op_build_spinner();
		break;
	case 12:
	case 13:
		op_ipc();
		break;
	case 14:
		op_mint_zone();
		break;
	case 15:
		op_irq();
		break;
	default:
		return random_call() && f->bad_labels == before;
	}
	return f->bad_labels == before;
}

/* --- threads of phase 2 ---------------------------------------------------- */

struct worker {
	struct wt_thread t;
	struct fuzzer *f;
	uint64_t start, done;
	unsigned ops;
	volatile unsigned rounds_done;
	volatile bool stop;
	volatile bool all_sane;
};

struct service {
	struct wt_thread t;
	struct fuzzer *f;
	uint64_t reply;
	volatile unsigned answered;
};

struct observer {
	struct wt_thread t;
	uint64_t kick, back;
	volatile unsigned cpu_seen;
};

static struct worker workers[MAX_THREADS];
static struct service services[MAX_THREADS];
static struct observer observers[MAX_THREADS];
static unsigned n_workers;
static uint64_t done_ntfn, back_ntfn;

static void worker_main(struct wt_thread *self)
{
	struct worker *w = self->arg;
	uint64_t badge;
	bool sane = true;

	receive_into_inbox(w->f);
	for (;;) {
		ward_wait(w->start, &badge);
		if (w->stop)
			break;
		for (unsigned i = 0; i < w->ops; i++)
			sane = fuzz_op() && sane;
		w->all_sane = sane;
		w->rounds_done++;
		ward_signal(w->done);
	}
}

/*
 * The service: answers every message with MR0 * 7 + 3 and its CPU, and
 * sometimes an arena cap; caps it receives go to its inbox slot and are
 * deleted there.
 */
static void service_main(struct wt_thread *self)
{
	struct service *s = self->arg;
	struct ward_ipc_buffer *b = ward_ipc_buffer();
	uint64_t badge, mr[4] = {0};
	ward_msginfo_t info;

	receive_into_inbox(s->f);
	info = ward_recv(svc_ep, s->reply, &badge, mr);
	for (;;) {
		unsigned n_caps = 0, n = ward_msginfo_extra_caps(info);

		/* A cap that was not unwrapped was copied into the inbox slot. */
		for (unsigned i = 0; i < n; i++)
			if (!(ward_msginfo_unwrapped(info) & (1U << i)) &&
			    b->caps_or_badges[i] != WARD_OBJ_NULL)
				s->f->transfers++;
		if (n != 0)
			ward_cnode_delete(inbox, s->f->inbox_slot, INBOX_RADIX);
		mr[0] = mr[0] * 7 + 3;
		mr[1] = wt_apic_id();
		if (below(2)) {
			b->caps_or_badges[0] = arena_pick(0);
			n_caps = 1;
		}
		s->answered++;
		info = ward_reply_recv(svc_ep, s->reply, ward_msginfo(WARD_OK, 0, n_caps, 2),
		                       &badge, mr);
	}
}

/* Yields a few times (every ready thread of its priority gets turns), then reports. */
static void observer_main(struct wt_thread *self)
{
	struct observer *o = self->arg;
	uint64_t badge;

	for (;;) {
		ward_wait(o->kick, &badge);
		for (unsigned i = 0; i < OBSERVE_YIELDS; i++)
			ward_yield();
		o->cpu_seen = wt_apic_id();
		ward_signal(o->back);
	}
}

/* Lets CPU `cpu` (all CPUs if cpu == cpus) schedule its threads; true if each observer ran. */
static bool observe(unsigned cpu)
{
	uint64_t want = 0, got = 0, badge;
	bool ok = true;

	for (unsigned k = 0; k < cpus; k++) {
		if (cpu != cpus && k != cpu)
			continue;
		observers[k].cpu_seen = ~0U;
		want |= 1ULL << k;
		ward_signal(observers[k].kick);
	}
	while (got != want) {
		ward_wait(back_ntfn, &badge);
		got |= badge;
	}
	for (unsigned k = 0; k < cpus; k++)
		if (want & (1ULL << k))
			ok = ok && observers[k].cpu_seen == k;
	return ok;
}

/*
 * Diagnostics only (module argument watchdog=S, off by default): a thread
 * on CPU 0 that, when the root task has not moved on for S seconds, prints
 * what every fuzzing thread is doing. It runs at the observers' priority
 * (they share CPU 0 with it tick by tick); it never decides a result.
 */
static volatile unsigned root_round;
static const char *volatile root_stage = "start";

static uint64_t watchdog_seconds;

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static void watchdog_main(struct wt_thread *self)
{
	unsigned last_round = ~0U;
	const char *last_stage = NULL;

	(void)self;
	for (;;) {
		uint64_t t0 = rdtsc();

		/* No system calls while it waits: it must not compete for the kernel. */
		while (rdtsc() - t0 < watchdog_seconds * wt_bi->tsc_hz)
			__builtin_ia32_pause();
		if (root_round != last_round || root_stage != last_stage) {
			last_round = root_round;
			last_stage = root_stage;
			continue;
		}
		ward_printf("# watchdog: root task in round %u at '%s' for %llu s\n", root_round,
		            (const char *)root_stage, (unsigned long long)watchdog_seconds);
		{
			uint64_t regs[4] = {0};
			enum ward_error e = ward_tcb_read_registers(WARD_CAP_INIT_TCB, 4, regs);
			ward_printf("# watchdog: root registers: %s, rip 0x%llx rax 0x%llx\n",
			            wt_err_name(e), (unsigned long long)regs[0],
			            (unsigned long long)regs[3]);
		}
		for (unsigned i = 1; i < n_fz; i++)
			ward_printf(
			        "# watchdog: fuzzer %u: %u ops, %u calls, last label %llu on cap "
			        "0x%llx\n",
			        i, fz[i].ops, fz[i].calls, (unsigned long long)(fz[i].doing >> 32),
			        (unsigned long long)(fz[i].doing & 0xffffffff));
	}
}

static struct fuzzer *new_fuzzer(uint64_t seed, const struct wt_thread *t, unsigned inbox_slot)
{
	struct fuzzer *f = &fz[n_fz];

	memset(f, 0, sizeof(*f));
	f->rng = seed ^ (0x9e3779b97f4a7c15ULL * n_fz);
	if (f->rng == 0)
		f->rng = 1;
	f->ipc = t->ipc;
	f->inbox_slot = inbox_slot;
	n_fz++;
	return f;
}

static bool spawn(struct wt_thread *t, const char *name, wt_fn fn, void *arg, unsigned prio,
                  unsigned cpu)
{
	return wt_thread_new(t, name, fn, arg, prio) &&
	       ward_tcb_set_affinity(t->tcb, cpu) == WARD_OK;
}

/* --- invariant checks ------------------------------------------------------ */

struct zero_area {
	uint64_t slots, va; /* UT_FRAMES frame slots, mapped at va */
};

/* Retypes `ut` (just revoked) into frames and maps them; false on failure. */
static bool zero_area_fill(struct zero_area *z, uint64_t ut)
{
	if (ward_untyped_retype(ut, WARD_OBJ_FRAME, 0, CNODE, 0, 0, z->slots, UT_FRAMES) != WARD_OK)
		return false;
	for (unsigned i = 0; i < UT_FRAMES; i++)
		if (wt_map(z->slots + i, z->va + i * WT_PAGE, WT_RIGHTS_RW) != WARD_OK)
			return false;
	return true;
}

/* Bytes that are not zero in the area's frames. */
static unsigned zero_area_dirty(const struct zero_area *z, unsigned *first)
{
	const volatile uint64_t *p = (const volatile uint64_t *)z->va;
	unsigned bad = 0;

	for (unsigned i = 0; i < UT_FRAMES * WT_PAGE / 8; i++)
		if (p[i] != 0 && bad++ == 0)
			*first = i * 8;
	return bad;
}

static struct zero_area shared_zero, victim_zero;

/*
 * A shared untyped, revoked with whatever the workers made from it (threads
 * that may run on other CPUs, their address spaces and tables), retyped
 * into frames: zero, and still zero after every CPU has run its threads.
 */
static bool check_fresh_memory(unsigned round, unsigned which)
{
	uint64_t ut = shared_ut[which];
	unsigned first = 0, bad1, bad2;
	bool ok = ward_cnode_revoke(CNODE, ut, 64) == WARD_OK && zero_area_fill(&shared_zero, ut);

	if (!ok) {
		tap_diag("round %u: revoking and retyping shared untyped %u failed", round, which);
		return false;
	}
	bad1 = zero_area_dirty(&shared_zero, &first);
	observe(cpus);
	bad2 = zero_area_dirty(&shared_zero, &first);
	if (bad1 != 0 || bad2 != 0)
		tap_diag("round %u: shared untyped %u retyped fresh: %u words not zero at once, %u "
		         "after the CPUs ran (first at offset 0x%x)",
		         round, which, bad1, bad2, first);
	/* Free it again for the workers (the frames' mappings go with them). */
	return ward_cnode_revoke(CNODE, ut, 64) == WARD_OK && bad1 == 0 && bad2 == 0;
}

/* The victim of the address-space teardown check (see the top of the file). */
static struct {
	uint64_t ut, tcb, code, witness_copy, slots; /* slots: PML4, PDPT, PD, PT, F */
	volatile uint64_t *witness;
	uint64_t f_phys, base; /* F's physical address, the untyped's */
} victim;

/*
 * Retype inserts each new cap right after the untyped's, and Revoke deletes
 * in list order: made last, the PML4 goes first (its ASID is released while
 * the tables and F still hold now stale mappings: the order of defect 1 in
 * issue 9); made first, it goes last, after F and the tables were unmapped
 * from a live VSpace. Rounds alternate.
 */
static bool victim_start(unsigned cpu, bool pml4_last)
{
	static const unsigned types[5] = {WARD_OBJ_PML4, WARD_OBJ_PDPT, WARD_OBJ_PD, WARD_OBJ_PT,
	                                  WARD_OBJ_FRAME};
	uint64_t p = victim.slots, f = victim.slots + 4;
	uint64_t regs[7] = {SPIN_CODE, 0, 0, SPIN_DATA, SPIN_WITNESS, 0, SPIN_FOREVER};
	enum ward_error e = WARD_OK;

	for (unsigned k = 0; k < 5 && e == WARD_OK; k++) {
		unsigned i = pml4_last ? 4 - k : k;
		e = ward_untyped_retype(victim.ut, types[i], 0, CNODE, 0, 0, p + i, 1);
	}
	for (unsigned i = 1; i < 4 && e == WARD_OK; i++)
		e = ward_page_table_map(p + i, p, SPIN_CODE);
	ward_frame_unmap(victim.code);
	ward_frame_unmap(victim.witness_copy);
	if (e == WARD_OK)
		e = ward_frame_map(victim.code, p, SPIN_CODE, WARD_RIGHT_READ | WARD_RIGHT_EXECUTE);
	if (e == WARD_OK)
		e = ward_frame_map(f, p, SPIN_DATA, WT_RIGHTS_RW);
	if (e == WARD_OK)
		e = ward_frame_map(victim.witness_copy, p, SPIN_WITNESS, WT_RIGHTS_RW);
	if (e == WARD_OK)
		e = ward_frame_get_address(f, &victim.f_phys);
	if (e == WARD_OK)
		e = ward_tcb_configure(victim.tcb, CNODE, p, 0, 0);
	if (e == WARD_OK)
		e = ward_tcb_set_affinity(victim.tcb, cpu);
	/* Just suspended on another CPU, it may still be current there for a moment. */
	for (unsigned i = 0; i < 100000 && e == WARD_OK; i++) {
		e = ward_tcb_write_registers(victim.tcb, 1, 7, regs);
		if (e != WARD_ERR_ILLEGAL_OPERATION)
			break;
		e = WARD_OK;
		ward_yield();
	}
	if (e != WARD_OK)
		tap_diag("setting up the victim thread: %s", wt_err_name(e));
	return e == WARD_OK;
}

/* Waits (spinning: the victim runs on another CPU) until the witness moves. */
static bool witness_moves(void)
{
	uint64_t w = *victim.witness;

	for (uint64_t guard = 0; guard < (1ULL << 26); guard++)
		if (*victim.witness != w)
			return true;
	return false;
}

struct victim_result {
	bool progress, still, zero;
};

/* Maps frames [from, to) of the victim's retyped memory into the root VSpace. */
static bool victim_zero_map(unsigned from, unsigned to)
{
	for (unsigned i = from; i < to; i++)
		if (wt_map(victim_zero.slots + i, victim_zero.va + i * WT_PAGE, WT_RIGHTS_RW) !=
		    WARD_OK)
			return false;
	return true;
}

static struct victim_result check_victim(unsigned round)
{
	struct victim_result r = {false, false, false};
	unsigned cpu = cpus > 1 ? 1 + round % (cpus - 1) : 0, first = 0, bad = 0;
	bool pml4_last = round % 2 == 0, moved = false, same = false;
	unsigned idx;
	uint64_t w0, w1, w2, w3, phys = 0, v1, v2;
	volatile uint64_t *g;

	root_stage = "victim set-up";
	if (!victim_start(cpu, pml4_last))
		return r;
	w0 = *victim.witness;
	root_stage = "victim runs";
	observe(cpu);
	r.progress = *victim.witness != w0;
	if (!r.progress)
		tap_diag("round %u: the victim on CPU %u made no progress", round, cpu);
	/* Best effort: catch it running (on another CPU) when the Revoke comes. */
	if (cpus > 1 && !witness_moves())
		tap_diag("round %u: the victim was not seen running just before the Revoke", round);
	/* F's page in the untyped: the first idx + 1 frames retyped from it reach F. */
	idx = (unsigned)((victim.f_phys - victim.base) / WT_PAGE) % UT_FRAMES;
	g = (volatile uint64_t *)(victim_zero.va + idx * WT_PAGE);

	/* While it runs (on another CPU): Revoke its untyped. */
	root_stage = "victim revoked";
	if (ward_cnode_revoke(CNODE, victim.ut, 64) != WARD_OK)
		return r;
	w1 = *victim.witness;
	for (unsigned i = 0; i < (1U << 16) && !moved; i++)
		moved = *victim.witness != w1;

	/*
	 * F's memory first, as a fresh frame (not the PML4's: a CPU still on it
	 * would lose the kernel half and reset the machine).
	 */
	if (ward_untyped_retype(victim.ut, WARD_OBJ_FRAME, 0, CNODE, 0, 0, victim_zero.slots,
	                        idx + 1) != WARD_OK ||
	    ward_frame_get_address(victim_zero.slots + idx, &phys) != WARD_OK ||
	    !victim_zero_map(idx, idx + 1))
		return r;
	same = phys == victim.f_phys;
	v1 = g[0];
	w2 = *victim.witness;
	root_stage = "victim's memory reused";
	observe(cpu);
	v2 = g[0];
	w3 = *victim.witness;

	/* Then the rest: every byte of the untyped, retyped, must read zero. */
	if (ward_untyped_retype(victim.ut, WARD_OBJ_FRAME, 0, CNODE, 0, 0,
	                        victim_zero.slots + idx + 1, UT_FRAMES - idx - 1) != WARD_OK ||
	    !victim_zero_map(0, idx) || !victim_zero_map(idx + 1, UT_FRAMES))
		return r;
	bad = zero_area_dirty(&victim_zero, &first);
	r.still = !moved && w1 == w2 && w2 == w3;
	r.zero = same && v1 == 0 && v2 == 0 && bad == 0;
	if (!r.still)
		tap_diag("round %u: the victim on CPU %u ran on after Revoke of its address space "
		         "returned: witness %llu, then %llu, %llu",
		         round, cpu, (unsigned long long)w1, (unsigned long long)w2,
		         (unsigned long long)w3);
	if (!r.zero)
		tap_diag("round %u: F (0x%llx) retyped fresh at 0x%llx read %llu, then %llu after "
		         "CPU %u ran; %u words of U not zero",
		         round, (unsigned long long)victim.f_phys, (unsigned long long)phys,
		         (unsigned long long)v1, (unsigned long long)v2, cpu, bad);
	root_stage = "victim cleaned up";
	ward_tcb_suspend(victim.tcb);
	ward_cnode_revoke(CNODE, victim.ut, 64);
	return r;
}

static bool probe_kernel(void)
{
	uint64_t mr[4] = {12345, 0, 0, 0};
	ward_msginfo_t info = ward_call(svc_ep, ward_msginfo(PROBE_LABEL, 0, 0, 1), mr);

	return ward_msginfo_label(info) == WARD_OK && mr[0] == 12345 * 7 + 3 &&
	       ward_debug_cap_type(WARD_CAP_INIT_TCB) == WARD_OBJ_TCB &&
	       ward_debug_cap_type(WARD_CAP_INIT_CNODE) == WARD_OBJ_CNODE &&
	       ward_debug_cap_type(WARD_CAP_INIT_VSPACE) == WARD_OBJ_PML4 &&
	       ward_debug_cap_type(svc_ep) == WARD_OBJ_ENDPOINT;
}

/* --- the test -------------------------------------------------------------- */

struct sanity {
	uint64_t ep, reply;
};

static void sanity_server(struct wt_thread *self)
{
	struct sanity *s = self->arg;
	uint64_t badge, mr[4];
	ward_msginfo_t info = ward_recv(s->ep, s->reply, &badge, mr);

	mr[0] = mr[0] * 7 + 3;
	ward_reply(s->reply, ward_msginfo(ward_msginfo_label(info) + 1, 0, 0, 1), mr);
}

static void hello(struct wt_thread *self)
{
	self->word[0] = 0x600d;
}

/*
 * The workers that run in round r (a bit mask): `active` of them, on
 * different CPUs, in a pattern that pairs every CPU with every other over
 * the rounds. Each vCPU is a host thread under TCG: more busy vCPUs than
 * host cores make every lock hand-over and shootdown wait for the host's
 * scheduler, so by default two run at a time (module argument active=N).
 */
static uint64_t active;

static uint64_t active_workers(unsigned r)
{
	uint64_t mask = 0;
	unsigned n = n_workers, step = n > 1 ? 1 + (r / n) % (n - 1) : 1;

	if (active >= n)
		return (1ULL << n) - 1;
	for (unsigned i = 0; i < active; i++)
		mask |= 1ULL << ((r + i * step) % n);
	return mask;
}

static uint64_t module_arg(const char *name, uint64_t dflt)
{
	return ward_arg(wt_bi->modules[0].args, name, dflt);
}

static void sum(unsigned *seen, unsigned *calls, unsigned *others, unsigned *bad)
{
	for (unsigned i = 0; i < n_fz; i++) {
		for (unsigned e = 0; e < WARD_ERR_COUNT; e++)
			seen[e] += fz[i].seen[e];
		*calls += fz[i].calls;
		*others += fz[i].other_syscalls;
		*bad += fz[i].bad_labels;
	}
}

int main(void)
{
	static struct wt_thread server, fresh;
	static struct sanity s;
	/*
	 * 0: mov ecx, 1 << 20
	 * 1: inc qword [rax]; inc qword [rbx]; dec ecx; jnz 1b
	 *    cmp rdx, SPIN_FOREVER; je 0b
	 *    ud2
	 */
	static const uint8_t code_bytes[26] = {0xb9, 0x00, 0x00, 0x10, 0x00, 0x48, 0xff, 0x00, 0x48,
	                                       0xff, 0x03, 0xff, 0xc9, 0x75, 0xf6, 0x48, 0x81, 0xfa,
	                                       0x0d, 0xf0, 0x57, 0x7e, 0x74, 0xe8, 0x0f, 0x0b};
	uint64_t seed, iterations, rounds, phase1, code_frame, witness_frame, t_start;
	unsigned seen[WARD_ERR_COUNT] = {0}, calls = 0, others = 0, bad = 0, kinds = 0;
	unsigned probes_ok = 0, fresh_ok = 0, progress_ok = 0, still_ok = 0, zero_ok = 0;
	unsigned transfers = 0, spinners = 0, rejected = 0, delivered = 0;
	bool sane = true;
	static unsigned expected_rounds[MAX_THREADS];
	const struct ward_bootinfo *bi;
	uint8_t *code;

	wt_init();
	bi = wt_bi;
	cpus = bi->cpu_count < MAX_THREADS ? bi->cpu_count : MAX_THREADS;
	seed = module_arg("seed", DEFAULT_SEED);
	iterations = module_arg("iterations", DEFAULT_ITERATIONS);
	/* Fewer would not reliably reach the work the checks below ask for. */
	if (iterations < MIN_ITERATIONS)
		iterations = MIN_ITERATIONS;
	watchdog_seconds = module_arg("watchdog", 0);
	active = module_arg("active", 2);
	if (active == 0)
		active = 1;
	rounds = module_arg("rounds", iterations / 2500 < 4 ? 4 : iterations / 2500);
	if (rounds > 64)
		rounds = 64;
	/* Phase 1 needs a few thousand calls to reach its variety of answers. */
	phase1 = iterations / 4 < MIN_PHASE1 ? MIN_PHASE1 : iterations / 4;
	fz[0].rng = seed != 0 ? seed : 1;
	tap_plan(14);
	tap_diag("seed 0x%llx, %llu iterations, %llu rounds, %u CPUs (replay: seed=0x%llx "
	         "iterations=%llu rounds=%llu)",
	         (unsigned long long)seed, (unsigned long long)iterations,
	         (unsigned long long)rounds, cpus, (unsigned long long)seed,
	         (unsigned long long)iterations, (unsigned long long)rounds);

	/* Before the fuzzing: the sanity server, waiting; the fuzzer's resources. */
	s.ep = wt_obj(WARD_OBJ_ENDPOINT, 0);
	s.reply = wt_obj(WARD_OBJ_REPLY, 0);
	require(wt_thread_new(&server, "sanity", sanity_server, &s, 100) &&
	        wt_thread_start(&server) == WARD_OK);
	wt_settle();
	fuzz_ut = wt_obj(WARD_OBJ_UNTYPED, 20);
	for (unsigned i = 0; i < bi->untyped_count; i++)
		if (bi->untyped[i].is_device && bi->untyped[i].size_bits >= 20 && dev_ut == 0)
			dev_ut = bi->untyped_first + i;
	arena = wt_slots(ARENA);
	empty_tail = bi->empty_last - 8;
	/* No guard: (index, INBOX_RADIX) names a slot of it. */
	inbox = wt_obj(WARD_OBJ_CNODE, INBOX_RADIX);
	require(fuzz_ut != 0 && dev_ut != 0 && inbox != 0);

	/* Phase 1: one thread, random calls. */
	for (uint64_t i = 0; i < phase1; i++) {
		/* Now and then let the threads the fuzzer resumed run (and fault). */
		if (i % 256 == 255)
			wt_settle();
		sane = random_call() && sane;
	}
	{
		bool ok = ward_cnode_revoke(CNODE, fuzz_ut, 64) == WARD_OK &&
		          ward_cnode_revoke(CNODE, dev_ut, 64) == WARD_OK &&
		          ward_cnode_revoke(CNODE, WARD_CAP_IRQ_CONTROL, 64) == WARD_OK &&
		          ward_cnode_revoke(CNODE, WARD_CAP_IOPORT_CONTROL, 64) == WARD_OK;
		for (unsigned i = 0; i < ARENA; i++)
			ok = wt_delete(arena + i) == WARD_OK && ok;
		sum(seen, &calls, &others, &bad);
		for (unsigned e = 0; e < WARD_ERR_COUNT; e++)
			kinds += seen[e] != 0;
		tap_ok(sane && bad == 0 && calls > phase1 / 2,
		       "phase 1: %u random invocations and %u other system calls from one thread: "
		       "every answer was WARD_OK or a ward_error",
		       calls, others);
		if (fz[0].bad_labels != 0)
			tap_diag("first bad answer: cap 0x%llx label 0x%llx answered label 0x%llx",
			         (unsigned long long)fz[0].bad_target,
			         (unsigned long long)fz[0].bad_label,
			         (unsigned long long)fz[0].bad_answer);
		tap_ok(seen[WARD_OK] > phase1 / 100 && kinds >= 8,
		       "phase 1 reached real work: %u succeeded, %u different answers",
		       seen[WARD_OK], kinds);
		tap_ok(ok, "phase 1 cleaned up: Revoke of its untyped and controls, arena deleted");
	}

	/* Phase 2: shared objects, the service, workers and observers on every CPU. */
	t_start = rdtsc();
	phase2 = true;
	svc_ep = wt_obj(WARD_OBJ_ENDPOINT, 0);
	sink_ep = wt_obj(WARD_OBJ_ENDPOINT, 0);
	notif = wt_obj(WARD_OBJ_NOTIFICATION, 0);
	done_ntfn = wt_obj(WARD_OBJ_NOTIFICATION, 0);
	back_ntfn = wt_obj(WARD_OBJ_NOTIFICATION, 0);
	mints = wt_slots(MINTS);
	for (unsigned i = 0; i < SHARED_UT; i++)
		shared_ut[i] = wt_obj(WARD_OBJ_UNTYPED, SHARED_UT_BITS);
	code = wt_page(WT_RIGHTS_RW, &code_frame);
	victim.witness = wt_page(WT_RIGHTS_RW, &witness_frame);
	require(code != NULL && victim.witness != NULL);
	memcpy(code, code_bytes, sizeof(code_bytes));
	code_rx = wt_copy(code_frame, WARD_RIGHT_READ | WARD_RIGHT_EXECUTE);
	victim.code = wt_copy(code_rx, WARD_RIGHTS_ALL);
	victim.witness_copy = wt_copy(witness_frame, WARD_RIGHTS_ALL);
	victim.ut = wt_obj(WARD_OBJ_UNTYPED, SHARED_UT_BITS);
	victim.tcb = wt_obj(WARD_OBJ_TCB, 0);
	victim.slots = wt_slots(5);
	/* Where the untyped's memory starts: the address of a first frame made from it. */
	require(ward_untyped_retype(victim.ut, WARD_OBJ_FRAME, 0, CNODE, 0, 0, victim.slots, 1) ==
	                WARD_OK &&
	        ward_frame_get_address(victim.slots, &victim.base) == WARD_OK &&
	        ward_cnode_revoke(CNODE, victim.ut, 64) == WARD_OK);
	victim_zero.slots = wt_slots(UT_FRAMES);
	victim_zero.va = wt_va(UT_FRAMES);
	shared_zero.slots = wt_slots(UT_FRAMES);
	shared_zero.va = wt_va(UT_FRAMES);
	require(victim.tcb != 0 && victim.ut != 0 &&
	        ward_tcb_set_priority(victim.tcb, WARD_CAP_INIT_TCB, SPIN_PRIO) == WARD_OK &&
	        ward_tcb_set_fault_handler(victim.tcb, sink_ep) == WARD_OK);
	ward_debug_name(victim.tcb, "victim");

	n_workers = cpus > 1 ? cpus : 2;
	for (unsigned k = 0; k < cpus; k++) {
		struct observer *o = &observers[k];
		struct service *sv = &services[k];
		o->kick = wt_obj(WARD_OBJ_NOTIFICATION, 0);
		o->back = wt_mint(back_ntfn, WARD_RIGHTS_ALL, 1ULL << k);
		sv->reply = wt_obj(WARD_OBJ_REPLY, 0);
		require(spawn(&o->t, "observer", observer_main, o, SPIN_PRIO, k) &&
		        wt_thread_start(&o->t) == WARD_OK);
		require(spawn(&sv->t, "service", service_main, sv, SERVICE_PRIO, k));
		sv->f = new_fuzzer(seed + 0x5e5e + k, &sv->t, k);
	}
	for (unsigned i = 0; i < n_workers; i++) {
		struct worker *w = &workers[i];
		w->start = wt_obj(WARD_OBJ_NOTIFICATION, 0);
		w->done = wt_mint(done_ntfn, WARD_RIGHTS_ALL, 1ULL << i);
		w->ops = (unsigned)((iterations - iterations / 4) / rounds /
		                    (active < n_workers ? active : n_workers));
		require(spawn(&w->t, "worker", worker_main, w, WORKER_PRIO, i % cpus));
		w->f = new_fuzzer(seed + i + 1, &w->t, 16 + i);
	}
	if (watchdog_seconds != 0) {
		static struct wt_thread wd;
		require(spawn(&wd, "watchdog", watchdog_main, NULL, SPIN_PRIO, 0) &&
		        wt_thread_start(&wd) == WARD_OK);
	}
	/* Every thread's fuzzer exists before any of them runs (me() scans them). */
	for (unsigned k = 0; k < cpus; k++)
		require(wt_thread_start(&services[k].t) == WARD_OK);
	for (unsigned i = 0; i < n_workers; i++)
		require(wt_thread_start(&workers[i].t) == WARD_OK);
	for (unsigned i = 0; i < MINTS; i++)
		require(ward_cnode_mint(CNODE, mints + i, 64, CNODE, svc_ep, 64, WARD_RIGHTS_ALL,
		                        1 + i) == WARD_OK);

	for (unsigned r = 0; r < rounds; r++) {
		uint64_t got = 0, want = active_workers(r), badge;
		struct victim_result v;

		root_round = r;
		root_stage = "workers";
		for (unsigned i = 0; i < n_workers; i++)
			if (want & (1ULL << i))
				ward_signal(workers[i].start);
		while (got != want) {
			ward_wait(done_ntfn, &badge);
			got |= badge;
		}
		for (unsigned i = 0; i < n_workers; i++)
			expected_rounds[i] += (want >> i) & 1;
		root_stage = "probes";
		probes_ok += probe_kernel() && observe(cpus);
		v = check_victim(r);
		root_stage = "fresh memory";
		fresh_ok += check_fresh_memory(r, (unsigned)below(SHARED_UT));
		progress_ok += v.progress;
		still_ok += v.still;
		zero_ok += v.zero;
		tap_diag("round %u done at %llu ms", r,
		         (unsigned long long)((rdtsc() - t_start) / (bi->tsc_hz / 1000)));
	}
	for (unsigned i = 0; i < n_workers; i++) {
		workers[i].stop = true;
		ward_signal(workers[i].start);
		wt_thread_join(&workers[i].t);
	}

	memset(seen, 0, sizeof(seen));
	calls = others = bad = kinds = 0;
	sum(seen, &calls, &others, &bad);
	for (unsigned i = 0; i < n_fz; i++) {
		transfers += fz[i].transfers;
		spinners += fz[i].spinners;
		rejected += fz[i].rejected;
		delivered += fz[i].delivered;
	}
	for (unsigned e = 0; e < WARD_ERR_COUNT; e++) {
		kinds += seen[e] != 0;
		if (seen[e] != 0)
			tap_diag("%7u answered %s", seen[e], wt_err_name(e));
	}
	{
		bool workers_ok = true;
		for (unsigned i = 0; i < n_workers; i++) {
			workers_ok = workers_ok && workers[i].rounds_done == expected_rounds[i] &&
			             workers[i].all_sane;
			if (workers[i].f->bad_labels != 0)
				tap_diag("worker %u: first bad answer: cap 0x%llx label 0x%llx "
				         "answered label 0x%llx",
				         i, (unsigned long long)workers[i].f->bad_target,
				         (unsigned long long)workers[i].f->bad_label,
				         (unsigned long long)workers[i].f->bad_answer);
		}
		tap_diag(
		        "in all: %u invocations and IPC calls (%u into endpoints), %u other system "
		        "calls",
		        calls, delivered, others);
		tap_diag("%u drawn calls excluded, %u caps transferred, %u spinner threads built",
		         rejected, transfers, spinners);
		tap_ok(workers_ok && bad == 0,
		       "phase 2: %u workers on %u CPUs, %llu at a time, finished %llu rounds; "
		       "every "
		       "answer was WARD_OK or a ward_error",
		       n_workers, cpus,
		       (unsigned long long)(active < n_workers ? active : n_workers),
		       (unsigned long long)rounds);
	}
	tap_ok(seen[WARD_OK] > calls / 50 && kinds >= 8 && transfers > 0 && spinners > 0,
	       "phase 2 reached real work: %u succeeded, %u different answers, %u caps "
	       "transferred, %u spinners built",
	       seen[WARD_OK], kinds, transfers, spinners);
	tap_ok(probes_ok == rounds,
	       "after each round the service answered a Call and an observer ran on every CPU "
	       "(%u of %llu rounds)",
	       probes_ok, (unsigned long long)rounds);
	tap_ok(fresh_ok == rounds,
	       "after each round a revoked shared untyped, retyped into frames, read zero before "
	       "and after every CPU ran (%u of %llu rounds)",
	       fresh_ok, (unsigned long long)rounds);
	tap_ok(progress_ok == rounds,
	       "the victim thread made progress on its CPU in every round (%u of %llu)",
	       progress_ok, (unsigned long long)rounds);
	tap_ok(still_ok == rounds,
	       "no CPU ran the victim in its address space after Revoke of its untyped returned "
	       "(%u of %llu rounds)",
	       still_ok, (unsigned long long)rounds);
	tap_ok(zero_ok == rounds,
	       "the victim's address space, retyped into fresh frames, stayed zero (%u of %llu "
	       "rounds)",
	       zero_ok, (unsigned long long)rounds);

	/* Clean up everything the fuzzer made: its threads go with its untyped. */
	{
		bool ok = ward_cnode_revoke(CNODE, WARD_CAP_IRQ_CONTROL, 64) == WARD_OK &&
		          ward_cnode_revoke(CNODE, WARD_CAP_IOPORT_CONTROL, 64) == WARD_OK &&
		          ward_cnode_revoke(CNODE, dev_ut, 64) == WARD_OK &&
		          ward_cnode_revoke(CNODE, fuzz_ut, 64) == WARD_OK;
		for (unsigned i = 0; i < SHARED_UT; i++)
			ok = ward_cnode_revoke(CNODE, shared_ut[i], 64) == WARD_OK && ok;
		for (unsigned i = 0; i < ARENA; i++)
			ok = wt_delete(arena + i) == WARD_OK && ok;
		tap_ok(ok && probe_kernel(),
		       "phase 2 cleaned up (shared untyped revoked, arena deleted); the service "
		       "still answers");
	}
	{
		uint64_t mr[4] = {6, 0, 0, 0};
		ward_msginfo_t info = ward_call(s.ep, ward_msginfo(0x41, 0, 0, 1), mr);
		tap_ok(ward_msginfo_label(info) == 0x42 && mr[0] == 45,
		       "the server thread made before the fuzzing answers a Call correctly");
	}
	tap_ok(wt_thread_new(&fresh, "fresh", hello, NULL, 100) &&
	               wt_thread_start(&fresh) == WARD_OK,
	       "after the fuzzing a new thread is made and started");
	wt_thread_join(&fresh);
	tap_ok(fresh.word[0] == 0x600d, "the new thread ran to its end");
	return tap_exit_status();
}

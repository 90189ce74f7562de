/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Robustness, run as the root task: thousands of invocations with random
 * capability addresses, labels, message registers and extra caps, from a
 * deterministic PRNG (the seed is printed; a failure replays exactly). The
 * kernel must stay up and answer every call with WARD_OK or one of the
 * ward_error codes. Afterwards a sanity round proves it still works: the
 * root task's caps are intact, a Call to a server thread made before the
 * fuzzing is answered, and new objects and threads can be made and run.
 *
 * Targets and extra caps are drawn from: the null slot, the root task's
 * fixed slots, one device untyped, a 1 MiB RAM untyped for the fuzzer, an
 * arena of slots the fuzzer fills with whatever its retypes, copies and
 * mints make, slots that are certainly empty, and random 64-bit values.
 * The rest of the root CNode (the test library's objects, the RAM untyped
 * it allocates from, the sanity server) is never named.
 *
 * Excluded, because they would legitimately destroy the test itself rather
 * than probe the kernel (filter_call() enforces each):
 *  - Delete, Revoke, Move and Mutate of anything outside the arena (Revoke
 *    of IRQ and I/O-port control is allowed: only the fuzzer's caps hang
 *    below them); copies of the root task's TCB, CNode, VSpace and IPC
 *    buffer, so no arena cap can ever name them;
 *  - any invocation of the root TCB but ReadRegisters (Suspend,
 *    Configure, WriteRegisters, SetPriority, binding would stop or
 *    rearrange the fuzzer), and of its IPC-buffer frame but GetAddress
 *    (Unmap or a read-only remap would fault the fuzzer);
 *  - Retype, GetMSI, GetIOAPIC and Issue into root-CNode slots outside the
 *    arena (they would take slots the test library hands out later);
 *  - Frame and page-table maps into the root VSpace outside a window of
 *    address space nothing else uses, and executable mappings anywhere (a
 *    resumed thread could otherwise run device memory or zeroed pages);
 *  - I/O-port ranges outside 0x2000-0x20ff, which nothing on q35 decodes
 *    (a random Out could reset or power off the machine: 0xcf9, 0x604);
 *  - Call, Send or Recv on endpoints, which would block the only thread
 *    that could ever wake it: endpoints get NBSend and NBRecv instead;
 *  - the halt, thread-pointer and unknown system calls (the root task has
 *    no fault handler: an unknown syscall would stop the machine);
 *  - random values in [4 MiB, 2 GiB), where the root task's code lives, so
 *    a thread the fuzzer resumes never runs the root task's code (every
 *    256 calls the root task waits until such threads have run and
 *    stopped at their first fault).
 */
#include <stdint.h>
#include <string.h>
#include "lib/wcheck.h"

#define ITERATIONS  8000
#define SEED        0x5741524446555a5aULL
#define ARENA       160
#define FUZZ_VA     0x0000600000000000ULL /* PML4 slot 192: unused by the root task */
#define FUZZ_VA_END (FUZZ_VA + (1ULL << 30))
#define SAFE_PORT   0x2000
#define SAFE_PORTS  0x100
#define CNODE       WARD_CAP_INIT_CNODE

static uint64_t rng = SEED;
static uint64_t arena, fuzz_ut, dev_ut, empty_tail;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
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
	case 10:
		return 1ULL << below(64);
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

/* The exclusions listed at the top of the file. */
static bool filter_call(const struct call *c, unsigned type)
{
	const uint64_t *m = c->mr;
	uint64_t cap0 = c->n_caps > 0 ? c->caps[0] : 0, slot;

	if (c->target == WARD_CAP_INIT_TCB)
		return c->label == WARD_TCB_READ_REGISTERS || c->label > 0xff;
	if (c->target == WARD_CAP_INIT_IPC_BUFFER)
		return c->label == WARD_FRAME_GET_ADDRESS;
	switch (type) {
	case WARD_OBJ_CNODE:
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
			if (c->target == CNODE && root_slot(CNODE, m[0], m[1], &slot) &&
			    !in_arena(slot) && !(slot >= 1 && slot <= 6))
				return false;
			if (!root_slot(cap0, m[2], m[3], &slot))
				return true;
			if (c->label == WARD_CNODE_MOVE || c->label == WARD_CNODE_MUTATE)
				return in_arena(slot);
			return in_arena(slot) || slot == 0 || slot == 4 || slot == 5 ||
			       slot == fuzz_ut || slot == dev_ut || slot >= empty_tail;
		default:
			return true;
		}
	case WARD_OBJ_UNTYPED:
		return c->label != WARD_UNTYPED_RETYPE ||
		       dest_ok(cap0, m[2], m[3], m[4], m[5], true);
	case WARD_OBJ_IRQ_CONTROL:
		if (c->label == WARD_IRQ_CONTROL_GET_MSI)
			return dest_ok(cap0, 0, m[1], m[0], 1, false);
		if (c->label == WARD_IRQ_CONTROL_GET_IOAPIC)
			return dest_ok(cap0, 0, m[4], m[3], 1, false);
		return true;
	case WARD_OBJ_IOPORT_CONTROL:
		if (c->label != WARD_IOPORT_CONTROL_ISSUE)
			return true;
		if (!dest_ok(cap0, 0, m[3], m[2], 1, false))
			return false;
		/* Granted only inside the safe window; refused ranges are fine. */
		return m[0] > m[1] || m[1] > 0xffff || (m[0] <= 0x3f8 && m[1] >= 0x3f8) ||
		       (m[0] >= SAFE_PORT && m[1] < SAFE_PORT + SAFE_PORTS);
	case WARD_OBJ_FRAME:
	case WARD_OBJ_LARGE_FRAME:
	case WARD_OBJ_PDPT:
	case WARD_OBJ_PD:
	case WARD_OBJ_PT:
		/* Nothing the fuzzer maps is executable: its threads fault at once. */
		if (c->label == WARD_FRAME_MAP)
			return vspace_va_ok(cap0, m[0], false) && !(m[1] & WARD_RIGHT_EXECUTE);
		if (c->label == WARD_PAGE_TABLE_MAP)
			return vspace_va_ok(cap0, m[0], true);
		return true;
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
		m[0] = below(256);
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

static unsigned seen[WARD_ERR_COUNT], bad_labels, calls, other_syscalls;

/* Performs the call (NBSend for endpoints); false if the answer was not a ward_error. */
static bool perform(struct call *c, unsigned type)
{
	struct ward_ipc_buffer *b = ward_ipc_buffer();
	uint64_t mr[4] = {c->mr[0], c->mr[1], c->mr[2], c->mr[3]}, label;
	ward_msginfo_t info = ward_msginfo(c->label, 0, c->n_caps, c->n_mrs);

	for (unsigned i = 4; i < WARD_MSG_MAX_LENGTH; i++)
		b->msg[i] = c->mr[i];
	for (unsigned i = 0; i < c->n_caps; i++)
		b->caps_or_badges[i] = c->caps[i];
	if (type == WARD_OBJ_ENDPOINT) {
		ward_nb_send(c->target, info, mr);
		return true;
	}
	calls++;
	label = ward_msginfo_label(ward_call(c->target, info, mr));
	if (label >= WARD_ERR_COUNT) {
		if (bad_labels++ < 5)
			tap_diag(
			        "call %u on cap 0x%llx (type %u) label 0x%llx: answer label 0x%llx",
			        calls, (unsigned long long)c->target, type,
			        (unsigned long long)c->label, (unsigned long long)label);
		return false;
	}
	seen[label]++;
	return true;
}

/* Non-invocation system calls that cannot block or stop anything. */
static bool other_syscall(void)
{
	uint64_t badge, mr[4] = {pick_value(), pick_value(), 0, 0};
	unsigned t;

	other_syscalls++;
	switch (below(4)) {
	case 0: {
		uint64_t cptr = pick_cptr(), reply = below(2) ? pick_cptr() : 0;
		t = ward_debug_cap_type(cptr);
		if (t == WARD_OBJ_ENDPOINT || t == WARD_OBJ_NOTIFICATION || below(2)) {
			uint64_t l = ward_msginfo_label(ward_nb_recv(cptr, reply, &badge, mr));
			return l < WARD_ERR_COUNT || t == WARD_OBJ_ENDPOINT;
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

int main(void)
{
	static struct wt_thread server, fresh;
	static struct sanity s;
	static struct call c;
	unsigned type, rejected = 0, kinds = 0;
	bool all_labels_ok = true, others_ok = true;
	const struct ward_bootinfo *bi;

	wt_init();
	bi = wt_bi;
	tap_plan(8);
	tap_diag("seed 0x%llx, %u iterations", (unsigned long long)SEED, ITERATIONS);

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
	require(fuzz_ut != 0 && dev_ut != 0);

	for (unsigned i = 0; i < ITERATIONS; i++) {
		/* Now and then let the threads the fuzzer resumed run (and fault). */
		if (i % 256 == 255)
			wt_settle();
		if (below(8) == 0) {
			others_ok = other_syscall() && others_ok;
			continue;
		}
		make_call(&c, &type);
		if (!filter_call(&c, type)) {
			rejected++;
			continue;
		}
		all_labels_ok = perform(&c, type) && all_labels_ok;
	}
	for (unsigned e = 0; e < WARD_ERR_COUNT; e++) {
		kinds += seen[e] != 0;
		if (seen[e] != 0)
			tap_diag("%6u answered %s", seen[e], wt_err_name(e));
	}
	tap_diag("%u calls, %u other system calls, %u drawn calls excluded", calls, other_syscalls,
	         rejected);

	tap_ok(all_labels_ok && calls > ITERATIONS / 2,
	       "%u random invocations: every answer was WARD_OK or a ward_error", calls);
	tap_ok(seen[WARD_OK] > 100 && kinds >= 8,
	       "the calls reached real work: %u succeeded, %u different answers", seen[WARD_OK],
	       kinds);
	tap_ok(others_ok, "%u random NBRecv, cap-type, yield and debug-write calls answered sanely",
	       other_syscalls);
	tap_ok(ward_debug_cap_type(WARD_CAP_INIT_TCB) == WARD_OBJ_TCB &&
	               ward_debug_cap_type(WARD_CAP_INIT_CNODE) == WARD_OBJ_CNODE &&
	               ward_debug_cap_type(WARD_CAP_INIT_VSPACE) == WARD_OBJ_PML4 &&
	               ward_debug_cap_type(WARD_CAP_INIT_IPC_BUFFER) == WARD_OBJ_FRAME &&
	               ward_debug_cap_type(s.ep) == WARD_OBJ_ENDPOINT,
	       "the root task's TCB, CNode, VSpace, IPC buffer and the server's endpoint are "
	       "intact");

	/* Clean up everything the fuzzer made: its threads go with its untyped. */
	{
		bool ok = ward_cnode_revoke(CNODE, fuzz_ut, 64) == WARD_OK &&
		          ward_cnode_revoke(CNODE, dev_ut, 64) == WARD_OK &&
		          ward_cnode_revoke(CNODE, WARD_CAP_IRQ_CONTROL, 64) == WARD_OK &&
		          ward_cnode_revoke(CNODE, WARD_CAP_IOPORT_CONTROL, 64) == WARD_OK;
		for (unsigned i = 0; i < ARENA; i++)
			ok = wt_delete(arena + i) == WARD_OK && ok;
		tap_ok(ok,
		       "Revoke of the fuzzer's untyped and controls, Delete of its arena: done");
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

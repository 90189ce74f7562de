/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IPC benchmark, run as the root task under `qemu -icount shift=0`, where
 * the TSC advances one tick per guest instruction: every figure is an
 * instruction count. Measures Call+ReplyRecv round trips to a server in
 * another address space (the fast path with 1 word; 4, 8 and 16 words; a
 * reply carrying a capability), each half of the round trip, the same
 * round trip within one address space, Send to a waiting higher-priority
 * server, notification wake-ups on one CPU and across two, and a null
 * system call. tools/bench ipc runs it (on two CPUs); docs/performance.md
 * records the figures.
 */
#include <stdint.h>
#include <string.h>
#include <elf.h>
#include <proc/map.h>
#include <proc/slots.h>
#include <proc/untyped.h>
#include <ward/invoke.h>
#include <ward/rt.h>
#include "bench.h"

#define ROUNDS        2000
#define WARMUP        50
#define SCRATCH_VA    0x0000200000000000ULL /* where the root maps pages it fills */
#define SERVER_IPC_VA 0x0000300000000000ULL
#define THREADS       8 /* benchmark threads, each with a stack and an IPC buffer */

static uint64_t scratch_next = SCRATCH_VA;
static uint64_t ep, ep_send, ntfn, ntfn_ping, ntfn_back, reply_obj;

/* Time stamps the threads leave, in a page both address spaces map. */
struct stamps {
	volatile uint64_t received, replying, woken;
};
static struct stamps *shared;

/* A new object of `type` in a fresh slot (libs/proc's pool). */
static uint64_t make(uint64_t type, uint64_t size_bits)
{
	uint64_t slot = 0;

	check(proc_object((unsigned)type, (unsigned)size_bits, &slot), "retype");
	return slot;
}

static enum ward_error make_table(void *ctx, unsigned type, uint64_t *slot)
{
	(void)ctx;
	return proc_object(type, 0, slot);
}

static enum ward_error keep_table(void *ctx, uint64_t slot)
{
	(void)ctx;
	(void)slot; /* its cap stays in the root CNode for the benchmark's life */
	return WARD_OK;
}

/* Maps `frame` at va in `vspace`, creating missing paging levels. */
static void map(uint64_t frame, uint64_t vspace, uint64_t va, uint64_t rights)
{
	const struct proc_tables t = {vspace, make_table, keep_table, NULL};

	check(vspace == WARD_CAP_INIT_VSPACE ? proc_map_root(frame, va, rights)
	                                     : proc_map_frame(&t, frame, va, rights),
	      "frame map");
}

/* A frame mapped in the root VSpace (for the root to fill) and its cap. */
static uint64_t scratch_page(void **where)
{
	uint64_t f = make(WARD_OBJ_FRAME, 0);
	map(f, WARD_CAP_INIT_VSPACE, scratch_next, WARD_RIGHT_READ | WARD_RIGHT_WRITE);
	*where = (void *)scratch_next;
	scratch_next += 4096;
	return f;
}

/* Gives `vspace` a copy of this program's image at the same addresses. */
static void clone_image(uint64_t vspace)
{
	extern const Elf64_Ehdr __ehdr_start;
	const Elf64_Phdr *ph = (const void *)((const char *)&__ehdr_start + __ehdr_start.e_phoff);

	for (unsigned i = 0; i < __ehdr_start.e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		for (uint64_t va = ph[i].p_vaddr & ~0xfffULL; va < ph[i].p_vaddr + ph[i].p_memsz;
		     va += 4096) {
			void *copy;
			uint64_t f = scratch_page(&copy);
			memcpy(copy, (const void *)va, 4096);
			uint64_t rights = WARD_RIGHT_READ |
			                  ((ph[i].p_flags & PF_W) ? WARD_RIGHT_WRITE : 0) |
			                  ((ph[i].p_flags & PF_X) ? WARD_RIGHT_EXECUTE : 0);
			uint64_t g = proc_slot_alloc();
			check(ward_cnode_copy(WARD_CAP_INIT_CNODE, g, 64, WARD_CAP_INIT_CNODE, f,
			                      64, WARD_RIGHTS_ALL),
			      "copy frame");
			map(g, vspace, va, rights);
		}
	}
}

static uint64_t server_stack[THREADS][1024] __attribute__((aligned(16)));
static uintptr_t server_block[THREADS][WARD_TLS_BLOCK_WORDS] __attribute__((aligned(64)));

/*
 * A thread's IPC buffer: threads of the other address space see a copy of
 * this image taken before their blocks were set up, so they find it by
 * address rather than through their thread block.
 */
static struct ward_ipc_buffer *ipc_of(uint64_t which)
{
	return (struct ward_ipc_buffer *)(SERVER_IPC_VA + which * 4096);
}

/* The echo server: answers every Call with its first message register + 1. */
static void server(uint64_t which)
{
	uint64_t mr[4] = {0}, badge;
	ward_msginfo_t info;

	ward_set_tls_base((uintptr_t)server_block[which]);
	info = ward_recv(ep, reply_obj, &badge, mr);
	for (;;) {
		mr[0]++;
		info = ward_reply_recv(ep, reply_obj, ward_msginfo(0, 0, 0, 1), &badge, mr);
		(void)info;
	}
}

/* As server, but the answer has the request's length (MR4.. stay in its IPC buffer). */
static void echo_server(uint64_t which)
{
	uint64_t mr[4] = {0}, badge;
	ward_msginfo_t info;

	ward_set_tls_base((uintptr_t)server_block[which]);
	info = ward_recv(ep, reply_obj, &badge, mr);
	for (;;) {
		mr[0]++;
		info = ward_reply_recv(ep, reply_obj,
		                       ward_msginfo(0, 0, 0, ward_msginfo_length(info)), &badge,
		                       mr);
	}
}

/* As server, but every answer carries a copy of the notification cap. */
static void cap_server(uint64_t which)
{
	uint64_t mr[4] = {0}, badge;

	ward_set_tls_base((uintptr_t)server_block[which]);
	ipc_of(which)->caps_or_badges[0] = ntfn;
	ward_recv(ep, reply_obj, &badge, mr);
	for (;;) {
		mr[0]++;
		ward_reply_recv(ep, reply_obj, ward_msginfo(0, 0, 1, 1), &badge, mr);
	}
}

/* As server, with a time stamp when a Call arrives and one before answering. */
static void stamp_server(uint64_t which)
{
	uint64_t mr[4] = {0}, badge;

	ward_set_tls_base((uintptr_t)server_block[which]);
	ward_recv(ep, reply_obj, &badge, mr);
	for (;;) {
		shared->received = rdtsc();
		mr[0]++;
		shared->replying = rdtsc();
		ward_reply_recv(ep, reply_obj, ward_msginfo(0, 0, 0, 1), &badge, mr);
	}
}

/* Receives Sends (without a reply object) and stamps each arrival. */
static void send_server(uint64_t which)
{
	uint64_t mr[4] = {0}, badge;

	ward_set_tls_base((uintptr_t)server_block[which]);
	for (;;) {
		ward_recv(ep_send, 0, &badge, mr);
		shared->woken = rdtsc();
	}
}

static void waiter(uint64_t which)
{
	uint64_t badge;

	ward_set_tls_base((uintptr_t)server_block[which]);
	for (;;) {
		ward_wait(ntfn, &badge);
		shared->woken = rdtsc();
	}
}

/* On the other CPU: every signal on ntfn_ping is answered by one on ntfn_back. */
static void ponger(uint64_t which)
{
	uint64_t badge;

	ward_set_tls_base((uintptr_t)server_block[which]);
	for (;;) {
		ward_wait(ntfn_ping, &badge);
		ward_signal(ntfn_back);
	}
}

/* Starts fn(which) in `vspace` at `priority` on `cpu`, with the IPC buffer ipc_of(which). */
static uint64_t start_thread(void (*fn)(uint64_t), uint64_t which, uint64_t vspace,
                             uint64_t priority, uint64_t cpu)
{
	uint64_t tcb = make(WARD_OBJ_TCB, 0), buf = make(WARD_OBJ_FRAME, 0);
	uint64_t ipc_va = (uint64_t)ipc_of(which), regs[WARD_REG_COUNT] = {0};

	map(buf, vspace, ipc_va, WARD_RIGHT_READ | WARD_RIGHT_WRITE);
	ward_thread_block_init(server_block[which], (struct ward_ipc_buffer *)ipc_va);
	check(ward_tcb_configure(tcb, WARD_CAP_INIT_CNODE, vspace, buf, ipc_va), "configure");
	check(ward_tcb_set_priority(tcb, WARD_CAP_INIT_TCB, priority), "priority");
	check(ward_tcb_set_affinity(tcb, cpu), "affinity");
	regs[WARD_REG_RIP] = (uint64_t)fn;
	regs[WARD_REG_RSP] = (uint64_t)&server_stack[which][1024] - 8;
	regs[WARD_REG_RDI] = which;
	regs[WARD_REG_FS_BASE] = (uint64_t)server_block[which];
	check(ward_tcb_write_registers(tcb, 1, WARD_REG_COUNT, regs), "write registers");
	return tcb;
}

/* Mean cost of the time stamp itself (lfence; rdtsc), subtracted from one-way figures. */
static uint64_t stamp_cost(void)
{
	uint64_t total = 0;

	for (unsigned i = 0; i < ROUNDS; i++) {
		uint64_t a = rdtsc();
		total += rdtsc() - a;
	}
	return total / ROUNDS;
}

/* Call+ReplyRecv with `words` message words each way; the reply adds 1 to MR0. */
static uint64_t round_trip(unsigned words)
{
	uint64_t mr[4] = {0}, start = 0;

	for (unsigned i = 4; i < words; i++)
		ward_ipc_buffer()->msg[i] = i;
	for (unsigned i = 0; i < WARMUP + ROUNDS; i++) {
		if (i == WARMUP)
			start = rdtsc();
		mr[0] = i;
		ward_call(ep, ward_msginfo(0, 0, 0, words), mr);
		if (mr[0] != i + 1U)
			check(WARD_ERR_INVALID_ARGUMENT, "echo reply");
	}
	return (rdtsc() - start) / ROUNDS;
}

/*
 * Call+ReplyRecv whose reply places a capability in an empty slot, which
 * is emptied again outside the timed part (so one stamp pair is included).
 */
static uint64_t cap_round_trip(void)
{
	struct ward_ipc_buffer *buf = ward_ipc_buffer();
	uint64_t mr[4] = {0}, total = 0, slot = proc_slot_alloc();

	for (unsigned i = 0; i < WARMUP + ROUNDS; i++) {
		buf->receive_cnode = WARD_CAP_INIT_CNODE;
		buf->receive_index = slot;
		buf->receive_depth = 64;
		uint64_t t0 = rdtsc();
		ward_msginfo_t info = ward_call(ep, ward_msginfo(0, 0, 0, 1), mr);
		uint64_t t1 = rdtsc();
		if (ward_msginfo_extra_caps(info) != 1 ||
		    buf->caps_or_badges[0] != WARD_OBJ_NOTIFICATION)
			check(WARD_ERR_INVALID_ARGUMENT, "capability in the reply");
		check(ward_cnode_delete(WARD_CAP_INIT_CNODE, slot, 64), "delete received cap");
		if (i >= WARMUP)
			total += t1 - t0;
	}
	return total / ROUNDS;
}

/* The two halves of a 1-word round trip: Call until the server runs, ReplyRecv until the client
 * does. */
static void halves(uint64_t stamp, uint64_t *call, uint64_t *reply)
{
	uint64_t mr[4] = {0}, c = 0, r = 0;

	for (unsigned i = 0; i < WARMUP + ROUNDS; i++) {
		uint64_t t0 = rdtsc();
		ward_call(ep, ward_msginfo(0, 0, 0, 1), mr);
		uint64_t t3 = rdtsc();
		if (i >= WARMUP) {
			c += shared->received - t0 - stamp;
			r += t3 - shared->replying - stamp;
		}
	}
	*call = c / ROUNDS;
	*reply = r / ROUNDS;
}

/* Send to a waiting server of higher priority: until it runs. */
static uint64_t send_wake(uint64_t stamp)
{
	uint64_t mr[4] = {0}, total = 0;

	for (unsigned i = 0; i < WARMUP + ROUNDS; i++) {
		uint64_t t0 = rdtsc();
		ward_send(ep_send, ward_msginfo(0, 0, 0, 1), mr);
		if (i >= WARMUP)
			total += shared->woken - t0 - stamp;
	}
	return total / ROUNDS;
}

static uint64_t null_syscall(void)
{
	uint64_t start = 0;

	for (unsigned i = 0; i < WARMUP + ROUNDS; i++) {
		if (i == WARMUP)
			start = rdtsc();
		ward_debug_cap_type(0);
	}
	return (rdtsc() - start) / ROUNDS;
}

static uint64_t signal_wake(uint64_t stamp)
{
	uint64_t total = 0;

	for (unsigned i = 0; i < WARMUP + ROUNDS; i++) {
		uint64_t t0 = rdtsc();
		ward_signal(ntfn); /* the waiter has higher priority: it runs at once */
		if (i >= WARMUP)
			total += shared->woken - t0 - stamp;
	}
	return total / ROUNDS;
}

/*
 * Signal -> Wait across CPUs, as half of a ping-pong with a thread on CPU 1
 * (both CPUs idle while the other works: the count is all instructions
 * either CPU retires, the interrupt entry of the woken one included).
 */
static uint64_t cross_cpu_wake(void)
{
	uint64_t badge, start = 0;

	for (unsigned i = 0; i < WARMUP + ROUNDS; i++) {
		if (i == WARMUP)
			start = rdtsc();
		ward_signal(ntfn_ping);
		ward_wait(ntfn_back, &badge);
	}
	return (rdtsc() - start) / ROUNDS / 2;
}

static void row(const char *what, uint64_t instrs)
{
	ward_printf("bench ipc: %-56s %8llu\n", what, (unsigned long long)instrs);
}

/* Runs fn in a new thread of `vspace`, measures, and stops the thread. */
#define WITH_SERVER(fn, which, vspace, prio, measure)                     \
	do {                                                              \
		uint64_t tcb_ = start_thread(fn, which, vspace, prio, 0); \
		measure;                                                  \
		check(ward_tcb_suspend(tcb_), "suspend");                 \
	} while (0)

int main(void)
{
	uint64_t other, stamp, rt1, rt4, rt8, rt16, rt_cap, rt_same, call_half, reply_half;
	void *page;

	proc_slots_init(ward_bootinfo->empty_first, ward_bootinfo->empty_last);
	proc_untyped_init(ward_bootinfo);
	ep = make(WARD_OBJ_ENDPOINT, 0);
	ep_send = make(WARD_OBJ_ENDPOINT, 0);
	ntfn = make(WARD_OBJ_NOTIFICATION, 0);
	ntfn_ping = make(WARD_OBJ_NOTIFICATION, 0);
	ntfn_back = make(WARD_OBJ_NOTIFICATION, 0);
	reply_obj = make(WARD_OBJ_REPLY, 0);
	uint64_t shared_frame = scratch_page(&page), shared_copy = proc_slot_alloc();
	shared = page;

	/* Another address space with a copy of this image: the fast-path case. */
	other = make(WARD_OBJ_PML4, 0);
	clone_image(other);
	check(ward_cnode_copy(WARD_CAP_INIT_CNODE, shared_copy, 64, WARD_CAP_INIT_CNODE,
	                      shared_frame, 64, WARD_RIGHTS_ALL),
	      "copy shared frame");
	map(shared_copy, other, (uint64_t)page, WARD_RIGHT_READ | WARD_RIGHT_WRITE);
	stamp = stamp_cost();

	WITH_SERVER(server, 0, other, 200, rt1 = round_trip(1));
	WITH_SERVER(echo_server, 1, other, 200,
	            (rt4 = round_trip(4), rt8 = round_trip(8), rt16 = round_trip(16)));
	WITH_SERVER(cap_server, 2, other, 200, rt_cap = cap_round_trip());
	WITH_SERVER(stamp_server, 3, other, 200, halves(stamp, &call_half, &reply_half));
	WITH_SERVER(server, 4, WARD_CAP_INIT_VSPACE, 200, rt_same = round_trip(1));

	start_thread(send_server, 5, other, 254, 0);
	start_thread(waiter, 6, WARD_CAP_INIT_VSPACE, 254, 0);
	if (ward_bootinfo->cpu_count >= 2)
		start_thread(ponger, 7, WARD_CAP_INIT_VSPACE, 254, 1);
	/* Below those threads, so that a send or signal switches to them at once. */
	check(ward_tcb_set_priority(WARD_CAP_INIT_TCB, WARD_CAP_INIT_TCB, 100), "own priority");

	ward_printf("bench ipc: guest instructions per operation (rdtsc under -icount shift=0)\n");
	ward_printf("bench ipc: %-56s %8s\n", "operation", "instrs");
	row("Call+ReplyRecv round trip, two address spaces", rt1);
	row("Call+ReplyRecv round trip, one address space", rt_same);
	row("Call+ReplyRecv round trip, 4 words", rt4);
	row("Call+ReplyRecv round trip, 8 words", rt8);
	row("Call+ReplyRecv round trip, 16 words", rt16);
	row("Call+ReplyRecv round trip, reply carries a capability", rt_cap);
	row("Call half (client Call until the server runs)", call_half);
	row("ReplyRecv half (server ReplyRecv until the client runs)", reply_half);
	row("Send to a waiting higher-priority server (one way)", send_wake(stamp));
	row("Signal -> Wait wake-up (higher-priority waiter)", signal_wake(stamp));
	if (ward_bootinfo->cpu_count >= 2) {
		row("Signal -> Wait across CPUs (one way, half a ping-pong)", cross_cpu_wake());
	} else {
		ward_printf("bench ipc: %-56s %8s\n", "Signal -> Wait across CPUs", "-smp 2");
	}
	row("null syscall", null_syscall());
	return 0;
}

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IPC benchmark, run as the root task under `qemu -icount shift=0`, where
 * the TSC advances one tick per guest instruction: every figure is an
 * instruction count. Measures a Call+ReplyRecv round trip to a server in
 * another address space (the fast path), the same within one address
 * space, a notification Signal->Wait wake-up, and a null system call.
 * tools/bench ipc runs it; docs/performance.md records the figures.
 */
#include <stdint.h>
#include <string.h>
#include <elf.h>
#include <proc/map.h>
#include <proc/slots.h>
#include <proc/untyped.h>
#include <ward/invoke.h>
#include <ward/rt.h>

#define ROUNDS        2000
#define WARMUP        50
#define SCRATCH_VA    0x0000200000000000ULL /* where the root maps pages it fills */
#define SERVER_IPC_VA 0x0000300000000000ULL

static uint64_t scratch_next = SCRATCH_VA;
static uint64_t ep, ntfn, reply_obj;
static volatile uint64_t wake_tsc;

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static void check(enum ward_error err, const char *what)
{
	if (err != WARD_OK) {
		ward_printf("bench: %s failed: error %d (arg %llu)\n", what, err,
		            (unsigned long long)ward_last_error().arg);
		ward_exit(1);
	}
}

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

static uint64_t server_stack[2][1024] __attribute__((aligned(16)));
static uintptr_t server_block[2][WARD_TLS_BLOCK_WORDS] __attribute__((aligned(64)));

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

static void waiter(uint64_t which)
{
	uint64_t badge;

	ward_set_tls_base((uintptr_t)server_block[which]);
	for (;;) {
		ward_wait(ntfn, &badge);
		wake_tsc = rdtsc();
	}
}

/* Starts fn(which) in `vspace` with an IPC buffer at ipc_va, at `priority`. */
static uint64_t start_thread(void (*fn)(uint64_t), uint64_t which, uint64_t vspace, uint64_t ipc_va,
                             uint64_t priority)
{
	uint64_t tcb = make(WARD_OBJ_TCB, 0), buf = make(WARD_OBJ_FRAME, 0);
	uint64_t regs[WARD_REG_COUNT] = {0};

	map(buf, vspace, ipc_va, WARD_RIGHT_READ | WARD_RIGHT_WRITE);
	ward_thread_block_init(server_block[which], (struct ward_ipc_buffer *)ipc_va);
	check(ward_tcb_configure(tcb, WARD_CAP_INIT_CNODE, vspace, buf, ipc_va), "configure");
	check(ward_tcb_set_priority(tcb, WARD_CAP_INIT_TCB, priority), "priority");
	regs[WARD_REG_RIP] = (uint64_t)fn;
	regs[WARD_REG_RSP] = (uint64_t)&server_stack[which][1024] - 8;
	regs[WARD_REG_RDI] = which;
	regs[WARD_REG_FS_BASE] = (uint64_t)server_block[which];
	check(ward_tcb_write_registers(tcb, 1, WARD_REG_COUNT, regs), "write registers");
	return tcb;
}

static uint64_t round_trip(void)
{
	uint64_t mr[4] = {0}, start = 0;

	for (unsigned i = 0; i < WARMUP + ROUNDS; i++) {
		if (i == WARMUP)
			start = rdtsc();
		mr[0] = i;
		ward_call(ep, ward_msginfo(0, 0, 0, 1), mr);
		if (mr[0] != i + 1U)
			check(WARD_ERR_INVALID_ARGUMENT, "echo reply");
	}
	return (rdtsc() - start) / ROUNDS;
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

static uint64_t signal_wake(void)
{
	uint64_t total = 0;

	for (unsigned i = 0; i < WARMUP + ROUNDS; i++) {
		uint64_t t0 = rdtsc();
		ward_signal(ntfn); /* the waiter has higher priority: it runs at once */
		if (i >= WARMUP)
			total += wake_tsc - t0;
	}
	return total / ROUNDS;
}

int main(void)
{
	uint64_t other, rt_cross, rt_same;

	proc_slots_init(ward_bootinfo->empty_first, ward_bootinfo->empty_last);
	proc_untyped_init(ward_bootinfo);
	ep = make(WARD_OBJ_ENDPOINT, 0);
	ntfn = make(WARD_OBJ_NOTIFICATION, 0);
	reply_obj = make(WARD_OBJ_REPLY, 0);

	/* Another address space with a copy of this image: the fast-path case. */
	other = make(WARD_OBJ_PML4, 0);
	clone_image(other);
	uint64_t cross = start_thread(server, 0, other, SERVER_IPC_VA, 200);
	rt_cross = round_trip();
	check(ward_tcb_suspend(cross), "suspend");

	start_thread(server, 1, WARD_CAP_INIT_VSPACE, SERVER_IPC_VA, 200);
	rt_same = round_trip();

	start_thread(waiter, 0, WARD_CAP_INIT_VSPACE, SERVER_IPC_VA + 4096, 254);
	/* Below the waiter, so that a signal switches to it at once. */
	check(ward_tcb_set_priority(WARD_CAP_INIT_TCB, WARD_CAP_INIT_TCB, 100), "own priority");

	ward_printf("bench ipc: guest instructions per operation (rdtsc under -icount shift=0)\n");
	ward_printf("bench ipc: %-48s %8s\n", "operation", "instrs");
	ward_printf("bench ipc: %-48s %8llu\n", "Call+ReplyRecv round trip, two address spaces",
	            (unsigned long long)rt_cross);
	ward_printf("bench ipc: %-48s %8llu\n", "Call+ReplyRecv round trip, one address space",
	            (unsigned long long)rt_same);
	ward_printf("bench ipc: %-48s %8llu\n", "Signal -> Wait wake-up (higher-priority waiter)",
	            (unsigned long long)signal_wake());
	ward_printf("bench ipc: %-48s %8llu\n", "null syscall", (unsigned long long)null_syscall());
	return 0;
}

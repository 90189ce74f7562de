/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Several CPUs (the scenario boots 4), run as the root task on CPU 0:
 * affinity and its errors, IPC and notifications between threads on
 * different CPUs, preemption of a busy thread by a higher-priority one
 * woken from another CPU, registers and suspension of a thread running
 * elsewhere, migration of a running thread, deletion of an endpoint with a
 * waiter on another CPU, and the revocation of a TCB whose thread runs on
 * another CPU (the memory must not be written once it is reused).
 * CPUs are recognised by their initial APIC ID (CPUID), which QEMU numbers
 * as the MADT does: CPU n has APIC ID n.
 */
#include <stdint.h>
#include <string.h>
#include "lib/wcheck.h"

/*
 * Round trips between CPUs: each wakes an idle CPU by IPI, which under TCG
 * on a busy host can take milliseconds of host time; same-CPU ones are cheap.
 */
#define ROUNDS          500
#define SAME_CPU_ROUNDS 2000
#define PINGS           100

static struct wt_thread *spawn(struct wt_thread *t, const char *name, wt_fn fn, void *arg,
                               unsigned prio, unsigned cpu)
{
	bool ok = wt_thread_new(t, name, fn, arg, prio) &&
	          ward_tcb_set_affinity(t->tcb, cpu) == WARD_OK && wt_thread_start(t) == WARD_OK;

	if (!ok)
		tap_diag("could not start thread '%s' on CPU %u", name, cpu);
	return t;
}

/* Spins (no system calls) until *word == value; false if it never happens. */
static bool spin_until(volatile uint64_t *word, uint64_t value)
{
	for (uint64_t guard = 0; guard < (1ULL << 32); guard++)
		if (*word == value)
			return true;
	return false;
}

static bool spin_until_nonzero(volatile uint64_t *word)
{
	for (uint64_t guard = 0; guard < (1ULL << 32); guard++)
		if (*word != 0)
			return true;
	return false;
}

static void report_cpu(struct wt_thread *self)
{
	self->word[0] = wt_apic_id();
}

static void test_affinity(void)
{
	static struct wt_thread t[4];
	uint64_t x = wt_obj(WARD_OBJ_TCB, 0);
	unsigned cpus = wt_bi->cpu_count;
	bool ok = wt_apic_id() == 0;

	tap_ok(cpus == 4, "the boot information reports %u CPUs (4 booted)", cpus);
	tap_ok(ward_tcb_set_affinity(x, 4) == WARD_ERR_RANGE && ward_last_error().arg == 0 &&
	               ward_last_error().hi == 3,
	       "SetAffinity to CPU 4 of 4: WARD_ERR_RANGE naming MR0, highest CPU 3");
	expect_err_arg(ward_tcb_set_affinity(x, 1ULL << 32), WARD_ERR_RANGE, 0,
	               "SetAffinity to CPU 2^32: WARD_ERR_RANGE");
	for (unsigned k = 1; k < 4; k++) {
		spawn(&t[k], "where", report_cpu, NULL, 100, k);
		wt_thread_join(&t[k]);
		ok = ok && t[k].word[0] == k;
	}
	tap_ok(ok, "the root task runs on CPU 0; threads with affinity 1, 2, 3 ran there");
}

/* --- Call/ReplyRecv across CPUs ------------------------------------------ */

struct pingpong {
	uint64_t ep, reply;
	unsigned rounds;
	volatile uint64_t errors, done, client_cpu, server_cpu;
};

static void pp_server(struct wt_thread *self)
{
	struct pingpong *p = self->arg;
	uint64_t badge, mr[4];
	ward_msginfo_t info = ward_recv(p->ep, p->reply, &badge, mr);

	while (ward_msginfo_label(info) == 1) {
		mr[0] = mr[0] * 3 + 1;
		mr[1] = wt_apic_id();
		info = ward_reply_recv(p->ep, p->reply, ward_msginfo(1, 0, 0, 2), &badge, mr);
	}
	ward_reply(p->reply, ward_msginfo(2, 0, 0, 0), mr);
}

static uint64_t pp_calls(struct pingpong *p, unsigned rounds)
{
	uint64_t errors = 0;

	for (unsigned i = 0; i < rounds; i++) {
		uint64_t mr[4] = {i, 0, 0, 0};
		ward_msginfo_t info = ward_call(p->ep, ward_msginfo(1, 0, 0, 1), mr);
		if (ward_msginfo_label(info) != 1 || mr[0] != (uint64_t)i * 3 + 1)
			errors++;
		p->server_cpu = mr[1];
	}
	return errors;
}

static void pp_client(struct wt_thread *self)
{
	struct pingpong *p = self->arg;

	p->client_cpu = wt_apic_id();
	p->errors = pp_calls(p, p->rounds);
}

static void pp_stop(struct pingpong *p, struct wt_thread *server)
{
	uint64_t mr[4] = {0};

	ward_call(p->ep, ward_msginfo(2, 0, 0, 0), mr);
	wt_thread_join(server);
}

static void test_cross_cpu_ipc(void)
{
	static struct wt_thread server, client, server3, client3;
	static struct pingpong p, q;
	uint64_t errors;

	p.ep = wt_obj(WARD_OBJ_ENDPOINT, 0);
	p.reply = wt_obj(WARD_OBJ_REPLY, 0);
	p.rounds = ROUNDS;
	spawn(&server, "pp-server", pp_server, &p, 100, 1);
	spawn(&client, "pp-client", pp_client, &p, 100, 2);
	wt_thread_join(&client);
	tap_ok(p.errors == 0 && p.client_cpu == 2 && p.server_cpu == 1,
	       "%u Call/ReplyRecv round trips, client on CPU %llu, server on CPU %llu: %llu wrong",
	       ROUNDS, (unsigned long long)p.client_cpu, (unsigned long long)p.server_cpu,
	       (unsigned long long)p.errors);
	errors = pp_calls(&p, 200);
	tap_ok(errors == 0 && p.server_cpu == 1,
	       "200 round trips from the root task on CPU 0 to the server on CPU 1: all right");
	pp_stop(&p, &server);

	q.ep = wt_obj(WARD_OBJ_ENDPOINT, 0);
	q.reply = wt_obj(WARD_OBJ_REPLY, 0);
	q.rounds = SAME_CPU_ROUNDS;
	spawn(&server3, "pp-server3", pp_server, &q, 100, 3);
	spawn(&client3, "pp-client3", pp_client, &q, 100, 3);
	wt_thread_join(&client3);
	tap_ok(q.errors == 0 && q.client_cpu == 3 && q.server_cpu == 3,
	       "%u round trips between two threads both on CPU 3: all right", SAME_CPU_ROUNDS);
	pp_stop(&q, &server3);
}

/* --- notifications across CPUs ------------------------------------------- */

static uint64_t ping_n, pong_n;

static void pong(struct wt_thread *self)
{
	uint64_t badge;

	for (unsigned i = 0; i < PINGS; i++) {
		ward_wait(ping_n, &badge);
		if (badge != (1ULL << (i % 16)) || wt_apic_id() != 3)
			self->word[0]++;
		ward_signal(pong_n);
	}
}

static void test_cross_cpu_notification(void)
{
	static struct wt_thread t;
	uint64_t badged[16], badge;

	ping_n = wt_obj(WARD_OBJ_NOTIFICATION, 0);
	pong_n = wt_obj(WARD_OBJ_NOTIFICATION, 0);
	for (unsigned i = 0; i < 16; i++)
		badged[i] = wt_mint(ping_n, WARD_RIGHTS_ALL, 1ULL << i);
	spawn(&t, "pong", pong, NULL, 100, 3);
	for (unsigned i = 0; i < PINGS; i++) {
		ward_signal(badged[i % 16]);
		ward_wait(pong_n, &badge);
	}
	wt_thread_join(&t);
	tap_ok(t.word[0] == 0,
	       "%u signals from CPU 0 to a waiter on CPU 3 and back: each woke it with its badge",
	       PINGS);
}

/* --- preemption, registers, suspension of a thread on another CPU --------- */

static uint64_t high_n, back_n;
static struct wt_thread low, high;

static void busy(struct wt_thread *self)
{
	self->word[1] = 1;
	for (;;)
		self->word[0]++;
}

static void woken_high(struct wt_thread *self)
{
	uint64_t badge;

	self->word[2] = 1;
	ward_wait(high_n, &badge);
	self->word[0] = low.word[0];
	self->word[1] = wt_apic_id();
	ward_signal(back_n);
}

static void count_then_signal(struct wt_thread *self)
{
	for (uint64_t i = 0; i < (1ULL << 22); i++)
		self->word[0]++;
	ward_signal((uint64_t)self->arg);
}

static void test_remote_preemption(void)
{
	static struct wt_thread obs;
	uint64_t badge, r[2], c1, done = wt_obj(WARD_OBJ_NOTIFICATION, 0);
	bool stopped = false;

	high_n = wt_obj(WARD_OBJ_NOTIFICATION, 0);
	back_n = wt_obj(WARD_OBJ_NOTIFICATION, 0);
	spawn(&high, "high", woken_high, NULL, 200, 1);
	spin_until(&high.word[2], 1);
	spawn(&low, "low", busy, NULL, 10, 1);
	require(spin_until(&low.word[1], 1));
	expect_err_arg(ward_tcb_read_registers(low.tcb, 2, r), WARD_ERR_ILLEGAL_OPERATION,
	               WARD_ARG_CAP,
	               "ReadRegisters of a thread running on CPU 1: WARD_ERR_ILLEGAL_OPERATION");
	expect_err_arg(ward_tcb_write_registers(low.tcb, 0, 2, r), WARD_ERR_ILLEGAL_OPERATION,
	               WARD_ARG_CAP,
	               "WriteRegisters of a thread running on CPU 1: WARD_ERR_ILLEGAL_OPERATION");
	ward_signal(high_n);
	ward_wait(back_n, &badge);
	tap_ok(high.word[1] == 1 && high.word[0] > 0,
	       "a priority-200 thread on CPU 1 signalled from CPU 0 preempted the busy "
	       "priority-10 thread there");

	expect_err(ward_tcb_suspend(low.tcb), WARD_OK,
	           "TCB_Suspend of the thread running on CPU 1: WARD_OK");
	for (unsigned i = 0; i < 100000 && !stopped; i++) {
		stopped = ward_tcb_read_registers(low.tcb, 2, r) == WARD_OK;
		if (!stopped)
			ward_yield();
	}
	tap_ok(stopped && r[1] >= low.stack_base && r[1] < low.stack_top,
	       "CPU 1 let go of it: its registers can be read (RSP on its stack)");
	c1 = low.word[0];
	spawn(&obs, "observer", count_then_signal, (void *)done, 10, 1);
	ward_wait(done, &badge);
	tap_ok(low.word[0] == c1,
	       "while an equal-priority thread ran on CPU 1 the suspended one did not");
}

static void where_loop(struct wt_thread *self)
{
	for (;;) {
		self->word[0] = wt_apic_id();
		self->word[1]++;
	}
}

static void test_migration(void)
{
	static struct wt_thread m;

	spawn(&m, "mover", where_loop, NULL, 50, 1);
	require(spin_until_nonzero(&m.word[1]) && spin_until(&m.word[0], 1));
	expect_err(ward_tcb_set_affinity(m.tcb, 2), WARD_OK,
	           "SetAffinity of a thread running on CPU 1 to CPU 2: WARD_OK");
	tap_ok(spin_until(&m.word[0], 2), "the running thread carried on on CPU 2");
	ward_tcb_suspend(m.tcb);
}

static void recv_label(struct wt_thread *self)
{
	uint64_t badge, mr[4];

	self->word[1] = 1; /* alone on its CPU: from here it runs until it blocks in Recv */
	self->word[0] = ward_msginfo_label(ward_recv((uint64_t)self->arg, 0, &badge, mr));
}

/*
 * Waits until `t`, alone on its CPU, has set word[1] and then left the CPU
 * (blocked): its registers can be read.
 */
static bool wait_off_cpu(struct wt_thread *t)
{
	uint64_t r[1];

	if (!spin_until(&t->word[1], 1))
		return false;
	for (unsigned i = 0; i < 100000; i++) {
		if (ward_tcb_read_registers(t->tcb, 1, r) == WARD_OK)
			return true;
		ward_yield();
	}
	return false;
}

static void test_remote_deletion(void)
{
	static struct wt_thread r;
	uint64_t ep = wt_obj(WARD_OBJ_ENDPOINT, 0);

	spawn(&r, "remote-recv", recv_label, (void *)ep, 100, 2);
	require(wait_off_cpu(&r));
	tap_ok(!r.finished && wt_delete(ep) == WARD_OK,
	       "a receiver on CPU 2 waits on an endpoint; CPU 0 deletes the endpoint");
	wt_thread_join(&r);
	expect_err(r.word[0], WARD_ERR_CANCELLED,
	           "the receiver on CPU 2 woke with WARD_ERR_CANCELLED");
}

/* Loads xmm15 with v, waits on notification n (Recv), returns xmm15 afterwards. */
static uint64_t xmm_across_wait(uint64_t v, uint64_t n)
{
	uint64_t out;

	__asm__ volatile("movq %1, %%xmm15\n"
	                 "movq %2, %%rdi\n"
	                 "movq $-5, %%rax\n" /* WARD_SYS_RECV */
	                 "xorl %%edx, %%edx\n"
	                 "syscall\n"
	                 "movq %%xmm15, %0\n"
	                 : "=r"(out)
	                 : "r"(v), "r"(n)
	                 : "rax", "rcx", "rdx", "rdi", "rsi", "r8", "r9", "r10", "r11", "r15",
	                   "xmm15", "memory");
	return out;
}

static uint64_t fpu_n;

static void fpu_mover(struct wt_thread *self)
{
	self->word[2] = wt_apic_id();
	self->word[1] = 1;
	self->word[0] = xmm_across_wait(0x1234567890abcdefULL, fpu_n);
	self->word[3] = wt_apic_id();
}

static void fpu_clobber(struct wt_thread *self)
{
	(void)self;
	__asm__ volatile("movq %0, %%xmm15" : : "r"(0x0badULL) : "xmm15");
}

/*
 * x87/SSE state follows a thread that SetAffinity moves while it is
 * blocked: straight away (its state may still be live in CPU 1's registers
 * only), and after another thread has used the FPU on CPU 1.
 */
static void test_fpu_migration(void)
{
	static struct wt_thread m, m2, c;

	fpu_n = wt_obj(WARD_OBJ_NOTIFICATION, 0);
	spawn(&m, "fpu-mover", fpu_mover, NULL, 100, 1);
	require(wait_off_cpu(&m));
	require(ward_tcb_set_affinity(m.tcb, 2) == WARD_OK);
	ward_signal(fpu_n);
	wt_thread_join(&m);
	tap_ok(m.word[2] == 1 && m.word[3] == 2 && m.word[0] == 0x1234567890abcdefULL,
	       "xmm15 loaded on CPU 1, thread moved to CPU 2 while blocked: same value there "
	       "(0x%llx)",
	       (unsigned long long)m.word[0]);

	spawn(&m2, "fpu-mover2", fpu_mover, NULL, 100, 1);
	require(wait_off_cpu(&m2));
	spawn(&c, "fpu-clobber", fpu_clobber, NULL, 100, 1);
	wt_thread_join(&c);
	require(ward_tcb_set_affinity(m2.tcb, 3) == WARD_OK);
	ward_signal(fpu_n);
	wt_thread_join(&m2);
	tap_ok(m2.word[3] == 3 && m2.word[0] == 0x1234567890abcdefULL,
	       "the same after another thread used xmm15 on CPU 1 in between (0x%llx)",
	       (unsigned long long)m2.word[0]);
}

/*
 * A thread runs on CPU 3 when CPU 0 revokes the untyped its TCB came from,
 * then retypes that memory into a frame and fills it. Nothing may write
 * there afterwards: not CPU 3 saving the thread's registers on its next
 * interrupt, nor its scheduler marking the thread as no longer running.
 * (The TCB's context is where CPU 3 saves user registers on entry.)
 */
static void test_revoke_running_tcb(void)
{
	static struct wt_thread t, obs, obs2;
	uint64_t u = wt_obj(WARD_OBJ_UNTYPED, 12), tcb = wt_obj_from(u, WARD_OBJ_TCB, 0);
	uint64_t frame = wt_slot(), va = wt_va(1), badge, c1;
	uint64_t done = wt_obj(WARD_OBJ_NOTIFICATION, 0);
	volatile uint8_t *p = (volatile uint8_t *)va;
	unsigned bad = 0, first_bad = 0;
	bool ok;

	require(u != 0 && tcb != 0);
	ok = wt_thread_new_with_tcb(&t, tcb, "doomed", busy, NULL, 100) &&
	     ward_tcb_set_affinity(t.tcb, 3) == WARD_OK && wt_thread_start(&t) == WARD_OK &&
	     spin_until(&t.word[1], 1);
	tap_ok(ok && ward_cnode_revoke(WARD_CAP_INIT_CNODE, u, 64) == WARD_OK &&
	               ward_debug_cap_type(tcb) == WARD_OBJ_NULL,
	       "Revoke of the untyped holding the TCB of a thread running on CPU 3");
	ok = ward_untyped_retype(u, WARD_OBJ_FRAME, 0, WARD_CAP_INIT_CNODE, 0, 0, frame, 1) ==
	             WARD_OK &&
	     wt_map(frame, va, WT_RIGHTS_RW) == WARD_OK;
	for (unsigned i = 0; ok && i < 4096; i++)
		p[i] = 0xa5;
	/* Let CPU 3 run something else for a while: ticks, a reschedule, its scheduler. */
	spawn(&obs, "observer3", count_then_signal, (void *)done, 100, 3);
	ward_wait(done, &badge);
	for (unsigned i = 0; ok && i < 4096; i++)
		if (p[i] != 0xa5 && bad++ == 0)
			first_bad = i;
	tap_ok(ok && bad == 0,
	       "the revoked TCB's memory, retyped into a frame and filled, was not written "
	       "afterwards (%u bytes changed, first at offset %u)",
	       bad, first_bad);
	c1 = t.word[0];
	spawn(&obs2, "observer4", count_then_signal, (void *)done, 100, 3);
	ward_wait(done, &badge);
	tap_ok(t.word[0] == c1, "the revoked thread no longer runs on CPU 3");
}

int main(void)
{
	wt_init();
	tap_plan(24);
	test_affinity();
	test_cross_cpu_ipc();
	test_cross_cpu_notification();
	test_remote_preemption();
	test_migration();
	test_remote_deletion();
	test_fpu_migration();
	test_revoke_running_tcb();
	{
		static struct wt_thread server;
		static struct pingpong p;
		p.ep = wt_obj(WARD_OBJ_ENDPOINT, 0);
		p.reply = wt_obj(WARD_OBJ_REPLY, 0);
		spawn(&server, "last-server", pp_server, &p, 100, 1);
		tap_ok(pp_calls(&p, 10) == 0, "afterwards IPC with a server on CPU 1 still works");
	}
	return tap_exit_status();
}

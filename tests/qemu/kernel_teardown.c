/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Teardown against threads on other CPUs, and revoked badges (docs/kernel.md
 * §1.8), each written as the attack a review found:
 *
 *  - a thread on CPU 1 increments a word of frame F in its own address
 *    space; CPU 0 revokes the untyped that held F, the PML4 and the paging
 *    structures (the TCB lives on), retypes a fresh frame G at F's physical
 *    address and watches it: G must stay zero, and the thread must fault
 *    (its space is gone) instead of running on;
 *  - the same with only the thread's VSpace cap deleted (the PML4 lives on
 *    through its original cap): the thread must stop running in it;
 *  - CPU 1 loops in system calls while CPU 0 revokes its TCB's untyped and
 *    CPU 2 retypes that memory as soon as it can: CPU 2 may get the lock
 *    before the stalled CPU 1, which must not write into the new frame;
 *  - DebugHalt without the system control cap is refused;
 *  - a frame cap's mapping record left stale (its page table was emptied)
 *    never acts on the mapping another copy made at the same place;
 *  - a Call queued under badge B is cancelled with WARD_ERR_BADGE_REVOKED
 *    when B's original is deleted or revoked; other badges stay queued, and
 *    deleting a mere copy cancels nothing.
 * The SMP parts need 4 CPUs; with fewer, the scenario runs the badge part
 * only (its plan says so).
 */
#include <stdint.h>
#include <string.h>
#include "lib/wcheck.h"

#define VICTIM_VA    0x10000000ULL /* F in the victim's space (fits a 32-bit displacement) */
#define VICTIM_CODE  0x10001000ULL
#define SPACE_ROUNDS 24
#define TCB_ROUNDS   24
#define WATCH_SWEEPS (1ULL << 12)
#define FAULT_POLLS  (1ULL << 20)

static uint64_t fault_ep, fault_reply;

/* movabs rax, VICTIM_VA; 1: lock inc qword [rax]; jmp 1b */
static const uint8_t counter_loop[] = {
        0x48, 0xb8, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, /* movabs rax, imm64 */
        0xf0, 0x48, 0xff, 0x00,                                     /* lock inc qword [rax] */
        0xeb, 0xfa,                                                 /* jmp -6 */
};

static void must(bool ok)
{
	if (!ok) {
		tap_diag("set-up failed: stopping");
		ward_debug_halt(1);
	}
}

/*
 * Maps the tables for [VICTIM_VA, +2 MiB) and `frame` there. The tables
 * come first and are retyped before the PML4 by the caller, so that a
 * Revoke of their untyped deletes the PML4 first (Retype puts the newest
 * object first in the derivation list): the tables and the frame then lose
 * their records without being unmapped, as an attacker would arrange.
 */
static bool map_tables(uint64_t pml4, const uint64_t tables[3])
{
	for (unsigned level = 0; level < 3; level++)
		if (ward_page_table_map(tables[level], pml4, VICTIM_VA) != WARD_OK)
			return false;
	return true;
}

/* Spins up to FAULT_POLLS times for a fault message; its label, 0 if none came. */
static uint64_t poll_fault(void)
{
	uint64_t badge, mr[4];

	for (uint64_t i = 0; i < FAULT_POLLS; i++) {
		ward_msginfo_t info = ward_nb_recv(fault_ep, fault_reply, &badge, mr);
		if (ward_msginfo_label(info) != 0 && badge != 0) {
			ward_reply(fault_reply, ward_msginfo(WARD_FAULT_REPLY_STOP, 0, 0, 0), mr);
			return ward_msginfo_label(info);
		}
		ward_yield();
	}
	return 0;
}

struct victim {
	uint64_t ut, pml4, frame, observer, tcb;
	volatile uint64_t *count;
	uint64_t phys;
};

/*
 * A space made from `space_ut` (PML4, tables, F) running counter_loop on
 * CPU 1 in a TCB made from the test's own memory.
 */
static bool start_victim(struct victim *v, uint64_t space_ut, uint64_t badge)
{
	uint64_t code = wt_obj(WARD_OBJ_FRAME, 0), code_copy = wt_copy(code, WARD_RIGHTS_ALL);
	uint64_t code_va = wt_va(1), ep;
	uint64_t regs[WARD_REG_COUNT] = {0};

	uint64_t tables[3];

	v->ut = space_ut;
	v->frame = wt_obj_from(space_ut, WARD_OBJ_FRAME, 0);
	tables[0] = wt_obj_from(space_ut, WARD_OBJ_PDPT, 0);
	tables[1] = wt_obj_from(space_ut, WARD_OBJ_PD, 0);
	tables[2] = wt_obj_from(space_ut, WARD_OBJ_PT, 0);
	v->pml4 = wt_obj_from(space_ut, WARD_OBJ_PML4, 0);
	v->observer = wt_copy(v->frame, WARD_RIGHTS_ALL);
	v->count = (volatile uint64_t *)wt_va(1);
	v->tcb = wt_obj(WARD_OBJ_TCB, 0);
	ep = wt_mint(fault_ep, WARD_RIGHTS_ALL, badge);
	if (code == 0 || code_copy == 0 || v->frame == 0 || v->pml4 == 0 || v->observer == 0 ||
	    v->tcb == 0 || ep == 0 || tables[2] == 0 ||
	    wt_map(code, code_va, WT_RIGHTS_RW) != WARD_OK ||
	    wt_map(v->observer, (uint64_t)v->count, WT_RIGHTS_RW) != WARD_OK ||
	    ward_frame_get_address(v->frame, &v->phys) != WARD_OK || !map_tables(v->pml4, tables))
		return false;
	memcpy((void *)code_va, counter_loop, sizeof(counter_loop));
	regs[WARD_REG_RIP] = VICTIM_CODE;
	regs[WARD_REG_RFLAGS] = 0x202;
	return ward_frame_map(v->frame, v->pml4, VICTIM_VA, WT_RIGHTS_RW) == WARD_OK &&
	       ward_frame_map(code_copy, v->pml4, VICTIM_CODE,
	                      WARD_RIGHT_READ | WARD_RIGHT_EXECUTE) == WARD_OK &&
	       ward_tcb_configure(v->tcb, WARD_CAP_INIT_CNODE, v->pml4, 0, 0) == WARD_OK &&
	       ward_tcb_set_fault_handler(v->tcb, ep) == WARD_OK &&
	       ward_tcb_set_priority(v->tcb, WARD_CAP_INIT_TCB, 100) == WARD_OK &&
	       ward_tcb_set_affinity(v->tcb, 1) == WARD_OK &&
	       ward_tcb_write_registers(v->tcb, 1, WARD_REG_COUNT, regs) == WARD_OK;
}

static bool counting(volatile uint64_t *count)
{
	uint64_t c0 = *count;

	for (uint64_t i = 0; i < (1ULL << 32); i++)
		if (*count != c0)
			return true;
	return false;
}

/* Non-zero words of the 4 KiB page at p, swept WATCH_SWEEPS times (stops at the first). */
static unsigned dirty_while_watching(const volatile uint8_t *p)
{
	unsigned dirty = 0;

	/* The victims write the first words: watch those closely first. */
	for (uint64_t s = 0; s < (WATCH_SWEEPS << 9) && dirty == 0; s++)
		dirty += *(const volatile uint64_t *)p != 0;
	for (uint64_t s = 0; s < WATCH_SWEEPS && dirty == 0; s++)
		for (unsigned i = 0; i < 4096; i += 8)
			dirty += *(const volatile uint64_t *)(p + i) != 0;
	return dirty;
}

static void test_space_destroyed_under_running_thread(void)
{
	unsigned dirty = 0, faulted = 0, moved = 0, same_phys = 0;

	for (unsigned round = 0; round < SPACE_ROUNDS; round++) {
		struct victim v;
		uint64_t ut = wt_obj(WARD_OBJ_UNTYPED, 16), g = wt_slot(), g_va = wt_va(1), phys;
		uint64_t dummy = wt_obj(WARD_OBJ_FRAME, 0);
		/* G's paging structures exist beforehand: the attack needs few calls. */
		must(ut != 0 && dummy != 0 && wt_map(dummy, g_va, WT_RIGHTS_RW) == WARD_OK &&
		     ward_frame_unmap(dummy) == WARD_OK && start_victim(&v, ut, 0x100 + round));
		moved += counting(v.count);
		/* Unmapped now, so that the Revoke itself sends no shootdown (the fix does). */
		must(ward_frame_unmap(v.observer) == WARD_OK);
		must(ward_cnode_revoke(WARD_CAP_INIT_CNODE, ut, 64) == WARD_OK);
		must(ward_untyped_retype(ut, WARD_OBJ_FRAME, 0, WARD_CAP_INIT_CNODE, 0, 0, g, 1) ==
		             WARD_OK &&
		     ward_frame_map(g, WARD_CAP_INIT_VSPACE, g_va, WT_RIGHTS_RW) == WARD_OK &&
		     ward_frame_get_address(g, &phys) == WARD_OK);
		same_phys += phys == v.phys;
		dirty += dirty_while_watching((const volatile uint8_t *)g_va);
		faulted += poll_fault() == WARD_FAULT_PAGE;
		must(ward_tcb_suspend(v.tcb) == WARD_OK);
		wt_delete(g);
	}
	tap_ok(moved == SPACE_ROUNDS && same_phys == SPACE_ROUNDS,
	       "set-up: the thread on CPU 1 was counting in F, and G took F's physical page "
	       "(%u/%u rounds)",
	       same_phys, SPACE_ROUNDS);
	tap_ok(dirty == 0,
	       "after Revoke of its space's untyped, nothing on CPU 1 wrote the fresh frame at "
	       "F's address (%u non-zero words seen over %u rounds)",
	       dirty, SPACE_ROUNDS);
	tap_ok(faulted == SPACE_ROUNDS,
	       "the thread whose space was destroyed took a page fault instead of running on "
	       "(%u/%u rounds)",
	       faulted, SPACE_ROUNDS);
}

static void test_vspace_cap_deleted_under_running_thread(void)
{
	struct victim v;
	uint64_t ut = wt_obj(WARD_OBJ_UNTYPED, 16), c0, probe = wt_obj(WARD_OBJ_FRAME, 0);

	must(ut != 0 && probe != 0 && start_victim(&v, ut, 0x200));
	must(counting(v.count));
	/*
	 * The TCB's VSpace slot holds a child of v.pml4: Revoke deletes just that
	 * copy. CPU 1 must be off the space when Revoke returns, so the count
	 * read right then is final (before the fix it ran on until its next
	 * timer tick).
	 */
	must(ward_cnode_revoke(WARD_CAP_INIT_CNODE, v.pml4, 64) == WARD_OK);
	c0 = *v.count;
	tap_ok(poll_fault() == WARD_FAULT_PAGE,
	       "after its VSpace cap was revoked, the thread on CPU 1 took a page fault");
	tap_ok(*v.count == c0 && !counting(v.count),
	       "and had stopped incrementing F when Revoke returned (F stays mapped in the PML4)");
	tap_ok(ward_frame_map(probe, v.pml4, VICTIM_VA + 0x2000, WT_RIGHTS_RW) == WARD_OK,
	       "the PML4 itself lives on through its original cap (Frame_Map into it works)");
	must(ward_tcb_suspend(v.tcb) == WARD_OK);
}

/* --- a TCB destroyed while its CPU waits behind a third CPU for the lock --- */

struct race {
	uint64_t ut, frame;
	volatile uint64_t go, got, stop, attempts;
};

static struct race race;

static void syscall_loop(struct wt_thread *self)
{
	for (;;) {
		self->word[0]++;
		ward_yield();
	}
}

static void retyper(struct wt_thread *self)
{
	(void)self;
	while (!race.stop) {
		if (!race.go)
			continue;
		race.attempts++;
		if (ward_untyped_retype(race.ut, WARD_OBJ_FRAME, 0, WARD_CAP_INIT_CNODE, 0, 0,
		                        race.frame, 1) == WARD_OK) {
			race.go = 0;
			race.got = 1;
		}
	}
}

static void test_tcb_destroyed_behind_a_third_cpu(void)
{
	static struct wt_thread victims[TCB_ROUNDS], rt;
	unsigned dirty = 0, races = 0;
	uint64_t va = wt_va(1);

	race.ut = wt_obj(WARD_OBJ_UNTYPED, 12);
	must(race.ut != 0 && wt_thread_new(&rt, "retyper", retyper, NULL, 100) &&
	     ward_tcb_set_affinity(rt.tcb, 2) == WARD_OK && wt_thread_start(&rt) == WARD_OK);
	for (unsigned round = 0; round < TCB_ROUNDS; round++) {
		struct wt_thread *t = &victims[round];
		uint64_t tcb = wt_obj_from(race.ut, WARD_OBJ_TCB, 0);
		race.frame = wt_slot();
		must(tcb != 0 &&
		     wt_thread_new_with_tcb(t, tcb, "victim", syscall_loop, NULL, 100) &&
		     ward_tcb_set_affinity(t->tcb, 1) == WARD_OK && wt_thread_start(t) == WARD_OK &&
		     counting(&t->word[0]));
		race.got = 0;
		race.go = 1; /* CPU 2 now retries Retype back to back (no room until the revoke) */
		for (uint64_t a = race.attempts; race.attempts < a + 3;)
			;
		must(ward_cnode_revoke(WARD_CAP_INIT_CNODE, race.ut, 64) == WARD_OK);
		while (!race.got)
			;
		races++;
		must(wt_map(race.frame, va, WT_RIGHTS_RW) == WARD_OK);
		dirty += dirty_while_watching((const volatile uint8_t *)va);
		must(ward_cnode_revoke(WARD_CAP_INIT_CNODE, race.ut, 64) == WARD_OK);
	}
	race.stop = 1;
	tap_ok(races == TCB_ROUNDS && dirty == 0,
	       "a TCB destroyed while its thread made system calls on CPU 1, its memory retyped "
	       "at once from CPU 2: the new frame was never written (%u non-zero words, %u rounds)",
	       dirty, races);
}

/* --- badges ------------------------------------------------------------- */

struct caller {
	uint64_t ep;
	volatile uint64_t result, done;
};

static void call_once(struct wt_thread *self)
{
	struct caller *c = self->arg;
	uint64_t mr[4] = {1, 2, 3, 4};

	c->result = ward_msginfo_label(ward_call(c->ep, ward_msginfo(9, 0, 0, 1), mr));
	c->done = 1;
}

static void start_caller(struct wt_thread *t, struct caller *c, uint64_t ep)
{
	c->ep = ep;
	c->done = 0;
	must(wt_thread_new(t, "caller", call_once, c, 50) && wt_thread_start(t) == WARD_OK);
	wt_settle(); /* it runs and blocks in Call: nobody receives yet */
}

/* The badge of the next queued message on ep, 0 if none. */
static uint64_t next_badge(uint64_t ep, uint64_t reply)
{
	uint64_t badge = 0, mr[4];
	ward_msginfo_t info = ward_nb_recv(ep, reply, &badge, mr);

	if (ward_msginfo_label(info) != 9)
		return 0;
	ward_reply(reply, ward_msginfo(0, 0, 0, 0), mr);
	return badge;
}

static void test_badges(void)
{
	static struct wt_thread t[4];
	static struct caller c[4];
	uint64_t ep = wt_obj(WARD_OBJ_ENDPOINT, 0), reply = wt_obj(WARD_OBJ_REPLY, 0);
	uint64_t b5 = wt_mint(ep, WARD_RIGHTS_ALL, 5), b6 = wt_mint(ep, WARD_RIGHTS_ALL, 6);
	uint64_t b7 = wt_mint(ep, WARD_RIGHTS_ALL, 7);

	must(ep != 0 && reply != 0 && b5 != 0 && b6 != 0 && b7 != 0);
	start_caller(&t[0], &c[0], wt_copy(b5, WARD_RIGHTS_ALL));
	start_caller(&t[1], &c[1], wt_copy(b6, WARD_RIGHTS_ALL));
	start_caller(&t[2], &c[2], wt_copy(b7, WARD_RIGHTS_ALL));
	must(!c[0].done && !c[1].done && !c[2].done);
	wt_delete(b5);
	wt_settle();
	expect_err(c[0].done ? c[0].result : 0, WARD_ERR_BADGE_REVOKED,
	           "deleting badge 5's original fails the Call queued under it: "
	           "WARD_ERR_BADGE_REVOKED");
	must(ward_cnode_revoke(WARD_CAP_INIT_CNODE, b6, 64) == WARD_OK);
	wt_settle();
	expect_err(c[1].done ? c[1].result : 0, WARD_ERR_BADGE_REVOKED,
	           "revoking badge 6's original fails the Call queued under it, too");
	wt_delete(c[2].ep); /* a copy: badge 7's holder is gone, its queued Call is not */
	tap_ok(!c[2].done && next_badge(ep, reply) == 7 && next_badge(ep, reply) == 0,
	       "badge 7, whose copy only was deleted, is still queued and received; badges 5 "
	       "and 6 are not");
	wt_settle();
	tap_ok(c[2].done && c[2].result == 0, "badge 7's caller got its reply");
	/* The badge given again: the new holder's message only arrives under it. */
	b5 = wt_mint(ep, WARD_RIGHTS_ALL, 5);
	start_caller(&t[3], &c[3], wt_copy(b5, WARD_RIGHTS_ALL));
	tap_ok(next_badge(ep, reply) == 5 && next_badge(ep, reply) == 0,
	       "badge 5 minted again: one message under it, the new holder's");
	wt_settle();
}

/* Maps `table` (a PT) at va in the root VSpace, making the PDPT and PD it needs. */
static bool map_pt(uint64_t table, uint64_t va)
{
	enum ward_error e;

	while ((e = ward_page_table_map(table, WARD_CAP_INIT_VSPACE, va)) ==
	       WARD_ERR_FAILED_LOOKUP) {
		uint64_t level = ward_last_error().lo, up;
		if (level != 3 && level != 2)
			return false;
		up = wt_obj(level == 3 ? WARD_OBJ_PDPT : WARD_OBJ_PD, 0);
		if (up == 0 || ward_page_table_map(up, WARD_CAP_INIT_VSPACE, va) != WARD_OK)
			return false;
	}
	return e == WARD_OK;
}

/*
 * Copy A maps frame F read-write at va; the page table is emptied (Unmap)
 * and mapped again, so A's record is stale; copy B maps F read-only at va.
 * A's record names B's mapping's place, but must never act on it.
 */
static void test_stale_frame_record_never_matches(void)
{
	uint64_t f = wt_obj(WARD_OBJ_FRAME, 0), a = wt_copy(f, WARD_RIGHTS_ALL);
	uint64_t b = wt_copy(f, WARD_RIGHTS_ALL), moved = wt_slot(), pt = wt_obj(WARD_OBJ_PT, 0);
	uint64_t region = wt_va(1024), va = (region + (2ULL << 20) - 1) & ~((2ULL << 20) - 1);
	struct wt_probe_result r;

	must(f != 0 && a != 0 && b != 0 && pt != 0 && map_pt(pt, va) &&
	     ward_frame_map(a, WARD_CAP_INIT_VSPACE, va, WT_RIGHTS_RW) == WARD_OK &&
	     ward_page_table_unmap(pt) == WARD_OK && map_pt(pt, va) &&
	     ward_frame_map(b, WARD_CAP_INIT_VSPACE, va, WARD_RIGHT_READ) == WARD_OK);
	expect_err(ward_frame_map(a, WARD_CAP_INIT_VSPACE, va, WT_RIGHTS_RW), WARD_ERR_DELETE_FIRST,
	           "Map through a stale record at another copy's mapping: DELETE_FIRST");
	tap_ok(wt_probe(wt_write_byte, va, &r) == WARD_FAULT_PAGE,
	       "and that mapping stays read-only (a write faults)");
	tap_ok(ward_frame_unmap(a) == WARD_OK && wt_delete(a) == WARD_OK &&
	               wt_probe(wt_read_byte, va, &r) == WT_PROBE_DONE,
	       "Unmap and Delete of the stale copy leave the other copy's mapping in place");
	tap_ok(ward_cnode_move(WARD_CAP_INIT_CNODE, moved, 64, WARD_CAP_INIT_CNODE, b, 64) ==
	                       WARD_OK &&
	               ward_frame_unmap(moved) == WARD_OK &&
	               wt_probe(wt_read_byte, va, &r) == WARD_FAULT_PAGE,
	       "a moved copy still owns its mapping: Unmap through its new slot removes it");
}

/* DebugHalt needs the system control cap: anything else is refused and nothing stops. */
static void test_halt_needs_its_cap(void)
{
	uint64_t ep = wt_obj(WARD_OBJ_ENDPOINT, 0), copy = wt_copy(WARD_CAP_SYSTEM_CONTROL, 0);

	expect_err(ward_debug_halt_with(wt_slot(), 3), WARD_ERR_INVALID_CAPABILITY,
	           "DebugHalt naming an empty slot: INVALID_CAPABILITY, the machine runs on");
	expect_err(ward_debug_halt_with(ep, 3), WARD_ERR_INVALID_CAPABILITY,
	           "DebugHalt naming an endpoint: INVALID_CAPABILITY");
	tap_ok(copy != 0 && ward_debug_cap_type(copy) == WARD_OBJ_SYSTEM_CONTROL,
	       "the root task's system control cap can be copied (to give a test the right)");
}

int main(void)
{
	bool smp;

	wt_init();
	smp = wt_bi->cpu_count >= 4;
	tap_plan(smp ? 19 : 12);
	fault_ep = wt_obj(WARD_OBJ_ENDPOINT, 0);
	fault_reply = wt_obj(WARD_OBJ_REPLY, 0);
	must(fault_ep != 0 && fault_reply != 0);
	test_halt_needs_its_cap();
	test_stale_frame_record_never_matches();
	test_badges();
	if (smp) {
		test_space_destroyed_under_running_thread();
		test_vspace_cap_deleted_under_running_thread();
		test_tcb_destroyed_behind_a_third_cpu();
	}
	return tap_exit_status();
}

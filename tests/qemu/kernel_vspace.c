/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Address spaces as capabilities, run as the root task (complementing
 * tests/qemu/vspace.c, which covers the Map/Unmap argument errors and the
 * paging-structure bookkeeping): what Revoke of an untyped does to the
 * mappings of frames and page tables made from it, that reused memory is
 * zeroed, rights masked by the cap, fixing a fault by remapping and
 * resuming the thread (write to read-only, fetch from no-execute), Unmap
 * keeping the frame's contents, GetAddress, and mapping through a copy of
 * the VSpace cap. Accesses that must fault are made by a probe thread whose
 * fault handler is the root task (lib/wtest.c).
 */
#include <stdint.h>
#include <string.h>
#include "lib/wcheck.h"

#define MiB     (1ULL << 20)
#define R       WARD_RIGHT_READ
#define RW      (WARD_RIGHT_READ | WARD_RIGHT_WRITE)
#define RX      (WARD_RIGHT_READ | WARD_RIGHT_EXECUTE)
#define PF_P    0x1
#define PF_W    0x2
#define PF_U    0x4
#define PF_I    0x10
#define PF_MASK (PF_P | PF_W | PF_U | PF_I)

#define FUZZ_FREE_VA 0x0000500000000000ULL /* nothing is mapped in this PML4 slot */

static uint64_t phys_of(uint64_t frame)
{
	uint64_t pa = ~0ULL;

	ward_frame_get_address(frame, &pa);
	return pa;
}

/* The probe's fault, if it was a page fault at `va` with exactly these error bits. */
static bool faults_at(void (*fn)(uint64_t), uint64_t va, uint64_t error_bits)
{
	struct wt_probe_result r;
	uint64_t label = wt_probe(fn, va, &r);

	if (label != WARD_FAULT_PAGE || r.mr[1] != va || (r.mr[2] & PF_MASK) != error_bits) {
		tap_diag("probe at 0x%llx: label %llu (%s), address 0x%llx, error 0x%llx; expected "
		         "a page fault with error 0x%llx",
		         (unsigned long long)va, (unsigned long long)label, wt_err_name(label),
		         (unsigned long long)r.mr[1], (unsigned long long)r.mr[2],
		         (unsigned long long)error_bits);
		return false;
	}
	return true;
}

static bool probe_ok(void (*fn)(uint64_t), uint64_t va)
{
	return wt_probe(fn, va, NULL) == WT_PROBE_DONE;
}

/* A fresh 2 MiB-aligned block of address space with no page table under it yet. */
static uint64_t fresh_2mib(void)
{
	return (wt_va(1024) + 2 * MiB - 1) & ~(2 * MiB - 1);
}

static void test_get_address(void)
{
	uint64_t u = wt_obj(WARD_OBJ_UNTYPED, 16);
	uint64_t f1 = wt_obj_from(u, WARD_OBJ_FRAME, 0), f2 = wt_obj_from(u, WARD_OBJ_FRAME, 0);
	uint64_t p1 = phys_of(f1), p2 = phys_of(f2), pc;
	uint64_t c = wt_copy(f1, WARD_RIGHTS_ALL);

	tap_ok(p1 % 4096 == 0 && p2 == p1 + 4096,
	       "Frame_GetAddress: two frames retyped in a row sit back to back (0x%llx, 0x%llx)",
	       (unsigned long long)p1, (unsigned long long)p2);
	pc = phys_of(c);
	tap_ok(pc == p1, "a copy of the frame cap reports the same physical address");
	expect_err_arg(ward_invoke(f1, WARD_PAGE_TABLE_MAP, 0, NULL, 0, NULL, 0, NULL),
	               WARD_ERR_ILLEGAL_OPERATION, WARD_ARG_LABEL,
	               "a frame invoked with a page-table label: WARD_ERR_ILLEGAL_OPERATION");
}

/*
 * Frames from an untyped, mapped three times (original, a copy, a
 * read-only copy); Revoke of the untyped removes every mapping, and the
 * memory comes back zeroed.
 */
static void test_revoke_mappings(void)
{
	uint64_t u = wt_obj(WARD_OBJ_UNTYPED, 16), f = wt_obj_from(u, WARD_OBJ_FRAME, 0);
	uint64_t fc = wt_copy(f, WARD_RIGHTS_ALL), fr = wt_copy(f, R), again;
	uint64_t va1 = wt_va(1), va2 = wt_va(1), va3 = wt_va(1), pa = phys_of(f);
	volatile uint64_t *p1 = (volatile uint64_t *)va1, *p2 = (volatile uint64_t *)va2;
	bool ok;

	ok = wt_map(f, va1, RW) == WARD_OK && wt_map(fc, va2, RW) == WARD_OK &&
	     wt_map(fr, va3, RW) == WARD_OK;
	if (ok)
		p1[0] = 0x1234;
	tap_ok(ok && p2[0] == 0x1234 && *(volatile uint64_t *)va3 == 0x1234,
	       "a frame mapped through its cap, a copy and a read-only copy: one memory");
	tap_ok(faults_at(wt_write_byte, va3, PF_P | PF_W | PF_U),
	       "the read-only copy asked for read-write got read-only: a write faults (0x7)");
	tap_ok(ward_cnode_revoke(WARD_CAP_INIT_CNODE, u, 64) == WARD_OK &&
	               ward_debug_cap_type(f) == WARD_OBJ_NULL &&
	               ward_debug_cap_type(fc) == WARD_OBJ_NULL &&
	               ward_debug_cap_type(fr) == WARD_OBJ_NULL,
	       "Revoke of the untyped deletes the frame cap and both copies");
	tap_ok(faults_at(wt_read_byte, va1, PF_U) && faults_at(wt_read_byte, va2, PF_U) &&
	               faults_at(wt_read_byte, va3, PF_U),
	       "all three mappings are gone: reads at each address fault, not present");
	again = wt_obj_from(u, WARD_OBJ_FRAME, 0);
	ok = again != 0 && phys_of(again) == pa && wt_map(again, va1, RW) == WARD_OK;
	tap_ok(ok && p1[0] == 0, "the same memory retyped into a frame again comes back zeroed");
}

/* A page table from an untyped: Revoke unhooks it, and what was mapped through it. */
static void test_revoke_page_table(void)
{
	uint64_t u = wt_obj(WARD_OBJ_UNTYPED, 16), pt = wt_obj_from(u, WARD_OBJ_PT, 0);
	uint64_t fx = wt_obj(WARD_OBJ_FRAME, 0), r = fresh_2mib();
	enum ward_error e;
	bool ok;

	e = ward_frame_map(fx, WARD_CAP_INIT_VSPACE, r, RW);
	tap_ok(e == WARD_ERR_FAILED_LOOKUP && ward_last_error().lo == 1,
	       "Frame_Map where no page table is: FAILED_LOOKUP naming level 1 (a PT)");
	ok = ward_page_table_map(pt, WARD_CAP_INIT_VSPACE, r) == WARD_OK &&
	     ward_frame_map(fx, WARD_CAP_INIT_VSPACE, r, RW) == WARD_OK;
	if (ok)
		*(volatile uint64_t *)r = 0x77;
	tap_ok(ok && *(volatile uint64_t *)r == 0x77 && probe_ok(wt_read_byte, r),
	       "PT from a small untyped mapped, a RAM frame mapped through it, usable");
	tap_ok(ward_cnode_revoke(WARD_CAP_INIT_CNODE, u, 64) == WARD_OK &&
	               ward_debug_cap_type(pt) == WARD_OBJ_NULL && faults_at(wt_read_byte, r, PF_U),
	       "Revoke of the PT's untyped: the frame mapped through it is unreachable");
	e = ward_frame_map(fx, WARD_CAP_INIT_VSPACE, r + 4096, RW);
	tap_ok(e == WARD_ERR_ILLEGAL_OPERATION,
	       "the frame cap still records its old mapping: mapping elsewhere is refused");
	e = ward_frame_unmap(fx);
	tap_ok(e == WARD_OK &&
	               ward_frame_map(fx, WARD_CAP_INIT_VSPACE, r, RW) == WARD_ERR_FAILED_LOOKUP &&
	               ward_last_error().lo == 1,
	       "after Unmap clears the record, a map there finds no PT (the PD entry was cleared)");
}

/* Large frame from its own untyped: Revoke removes the 2 MiB mapping; reuse is zeroed. */
static void test_large_frame(void)
{
	uint64_t u = wt_obj(WARD_OBJ_UNTYPED, 21), l = wt_obj_from(u, WARD_OBJ_LARGE_FRAME, 0);
	uint64_t r = fresh_2mib(), again;
	volatile uint64_t *p = (volatile uint64_t *)r;
	bool ok = u != 0 && l != 0 && ward_frame_map(l, WARD_CAP_INIT_VSPACE, r, RW) == WARD_OK;

	if (ok) {
		p[0] = 1;
		p[(2 * MiB - 8) / 8] = 2;
	}
	tap_ok(ok && p[0] == 1 && p[(2 * MiB - 8) / 8] == 2,
	       "a 2 MiB frame mapped at a 2 MiB boundary: both ends usable");
	tap_ok(ward_cnode_revoke(WARD_CAP_INIT_CNODE, u, 64) == WARD_OK &&
	               faults_at(wt_read_byte, r + MiB, PF_U),
	       "Revoke of its untyped removes the 2 MiB mapping");
	again = wt_obj_from(u, WARD_OBJ_LARGE_FRAME, 0);
	ok = again != 0 && ward_frame_map(again, WARD_CAP_INIT_VSPACE, r, RW) == WARD_OK;
	tap_ok(ok && p[0] == 0 && p[(2 * MiB - 8) / 8] == 0,
	       "the 2 MiB frame retyped again is zeroed");
}

/* Code for the no-execute test: mov $0x42, %eax; ret. */
static const uint8_t code[] = {0xb8, 0x42, 0x00, 0x00, 0x00, 0xc3};

static uint64_t ro_va, nx_va;
static volatile uint64_t fixed_write, fixed_call;

static void fixer_body(struct wt_thread *self)
{
	(void)self;
	*(volatile uint64_t *)ro_va = 0x77;
	fixed_write = *(volatile uint64_t *)ro_va;
	fixed_call = ((uint64_t(*)(void))nx_va)();
}

/* The handler fixes the mapping and replies with no registers: the access is retried. */
static void test_fix_and_resume(void)
{
	static struct wt_thread t;
	uint64_t ep = wt_obj(WARD_OBJ_ENDPOINT, 0), reply = wt_obj(WARD_OBJ_REPLY, 0);
	uint64_t fro = wt_obj(WARD_OBJ_FRAME, 0), fnx = wt_obj(WARD_OBJ_FRAME, 0), badge, mr[4];
	ward_msginfo_t info;
	bool ok;

	ro_va = wt_va(1);
	nx_va = wt_va(1);
	ok = wt_map(fro, ro_va, R) == WARD_OK && wt_map(fnx, nx_va, RW) == WARD_OK;
	if (ok)
		memcpy((void *)nx_va, code, sizeof(code));
	require(ok && wt_thread_new(&t, "fixer", fixer_body, NULL, 100) &&
	        ward_tcb_set_fault_handler(t.tcb, ep) == WARD_OK);
	wt_thread_start(&t);
	info = ward_recv(ep, reply, &badge, mr);
	tap_ok(ward_msginfo_label(info) == WARD_FAULT_PAGE && mr[1] == ro_va &&
	               (mr[2] & PF_MASK) == (PF_P | PF_W | PF_U),
	       "write to a read-only mapping: page fault, present, write, user");
	expect_err(ward_frame_map(fro, WARD_CAP_INIT_VSPACE, ro_va, RW), WARD_OK,
	           "Frame_Map again at the same address with read-write: WARD_OK (remap)");
	ward_reply(reply, ward_msginfo(0, 0, 0, 0), mr);
	info = ward_recv(ep, reply, &badge, mr);
	tap_ok(ward_msginfo_label(info) == WARD_FAULT_PAGE && mr[0] == nx_va && mr[1] == nx_va &&
	               (mr[2] & PF_MASK) == (PF_P | PF_U | PF_I),
	       "call into a no-execute mapping: page fault at the entry, present, user, fetch");
	tap_ok(fixed_write == 0x77 && *(volatile uint64_t *)ro_va == 0x77,
	       "after the remap and an empty reply the write was retried and landed");
	expect_err(ward_frame_map(fnx, WARD_CAP_INIT_VSPACE, nx_va, RX), WARD_OK,
	           "remap of the code page read-execute: WARD_OK");
	ward_reply(reply, ward_msginfo(0, 0, 0, 0), mr);
	wt_thread_join(&t);
	tap_ok(fixed_call == 0x42, "the fetch was retried and the code ran (returned 0x42)");
	tap_ok(faults_at(wt_write_byte, nx_va, PF_P | PF_W | PF_U),
	       "the read-execute page is no longer writable");
}

static void test_rights_mask(void)
{
	uint64_t f = wt_obj(WARD_OBJ_FRAME, 0), va = wt_va(1), va2 = wt_va(1);
	uint64_t noexec = wt_copy(f, RW), noread = wt_copy(f, WARD_RIGHT_WRITE);
	bool ok = wt_map(noexec, va, RX) == WARD_OK;

	tap_ok(ok && faults_at(wt_call_address, va, PF_P | PF_U | PF_I),
	       "a frame cap without the execute right mapped read-execute: no execute (fetch "
	       "faults)");
	expect_err_arg(wt_map(noread, va2, RW), WARD_ERR_INSUFFICIENT_RIGHTS, WARD_ARG_CAP,
	               "Frame_Map through a cap without the read right: INSUFFICIENT_RIGHTS");
}

static void test_unmap_keeps_contents(void)
{
	uint64_t f = wt_obj(WARD_OBJ_FRAME, 0), va = wt_va(1), va2 = wt_va(1);
	bool ok = wt_map(f, va, RW) == WARD_OK;

	if (ok)
		*(volatile uint64_t *)va = 0xfeedface;
	tap_ok(ok && ward_frame_unmap(f) == WARD_OK && faults_at(wt_read_byte, va, PF_U),
	       "Frame_Unmap: the address faults afterwards");
	tap_ok(wt_map(f, va2, RW) == WARD_OK && *(volatile uint64_t *)va2 == 0xfeedface,
	       "mapped again elsewhere, the frame still holds what was written");
}

static void test_table_errors(void)
{
	uint64_t pt = wt_obj(WARD_OBJ_PT, 0), f = wt_obj(WARD_OBJ_FRAME, 0);
	uint64_t args[2] = {FUZZ_FREE_VA, RW};

	expect_err_arg(ward_invoke(pt, WARD_PAGE_TABLE_MAP, 0, args, 1,
	                           (const uint64_t[]){WARD_CAP_INIT_VSPACE}, 0, NULL),
	               WARD_ERR_TRUNCATED_MESSAGE, WARD_ARG_LENGTH,
	               "PageTable_Map without MR0: WARD_ERR_TRUNCATED_MESSAGE");
	expect_err_arg(ward_page_table_map(pt, WARD_CAP_INIT_CNODE, FUZZ_FREE_VA),
	               WARD_ERR_INVALID_CAPABILITY, WARD_ARG_EXTRA_CAP0,
	               "PageTable_Map into a CNode: INVALID_CAPABILITY (extra cap 0)");
	expect_err_arg(ward_page_table_map(pt, WARD_CAP_INIT_VSPACE, 0x0000800000000000ULL),
	               WARD_ERR_RANGE, 0, "PageTable_Map at USER_TOP: WARD_ERR_RANGE");
	expect_err_arg(ward_invoke(pt, WARD_FRAME_MAP, 2, args, 1,
	                           (const uint64_t[]){WARD_CAP_INIT_VSPACE}, 0, NULL),
	               WARD_ERR_ILLEGAL_OPERATION, WARD_ARG_LABEL,
	               "a page table invoked with a frame label: WARD_ERR_ILLEGAL_OPERATION");
	expect_err_arg(ward_page_table_unmap(WARD_CAP_INIT_VSPACE), WARD_ERR_ILLEGAL_OPERATION,
	               WARD_ARG_CAP, "a PML4 cap has no invocations: WARD_ERR_ILLEGAL_OPERATION");
	expect_err_arg(ward_invoke(f, WARD_FRAME_MAP, 1, args, 1,
	                           (const uint64_t[]){WARD_CAP_INIT_VSPACE}, 0, NULL),
	               WARD_ERR_TRUNCATED_MESSAGE, WARD_ARG_LENGTH,
	               "Frame_Map with one message register: WARD_ERR_TRUNCATED_MESSAGE");
	expect_err(ward_page_table_unmap(pt), WARD_OK,
	           "PageTable_Unmap of a table that is not mapped: WARD_OK, nothing happens");
}

/*
 * At most 4095 VSpaces exist at once: retyping PML4s beyond that fails
 * (their ASIDs, not memory, run out), and Revoke gives the ASIDs back.
 */
static void test_asid_exhaustion(void)
{
	uint64_t u = wt_obj(WARD_OBJ_UNTYPED, 24), cn = wt_obj(WARD_OBJ_CNODE, 12);
	unsigned made = 0;
	enum ward_error e = WARD_OK;

	require(u != 0 && cn != 0);
	while (made < 4096 && e == WARD_OK) {
		unsigned n = 4096 - made < 256 ? 4096 - made : 256;
		e = ward_untyped_retype(u, WARD_OBJ_PML4, 0, WARD_CAP_INIT_CNODE, cn, 64, made, n);
		if (e == WARD_OK)
			made += n;
	}
	/* Fill up one by one once a batch no longer fits. */
	while (e == WARD_ERR_NOT_ENOUGH_MEMORY && made < 4096) {
		enum ward_error one = ward_untyped_retype(u, WARD_OBJ_PML4, 0, WARD_CAP_INIT_CNODE,
		                                          cn, 64, made, 1);
		if (one != WARD_OK)
			break;
		made++;
	}
	tap_ok(e == WARD_ERR_NOT_ENOUGH_MEMORY && ward_last_error().arg == 5 && made >= 4000 &&
	               made <= 4094,
	       "Retype of PML4s stops with NOT_ENOUGH_MEMORY when the ASIDs run out (%u made, "
	       "16 MiB untyped)",
	       made);
	tap_ok(ward_cnode_revoke(WARD_CAP_INIT_CNODE, u, 64) == WARD_OK &&
	               wt_obj(WARD_OBJ_PML4, 0) != 0,
	       "Revoke of their untyped releases the ASIDs: a new PML4 can be made");
}

static void test_vspace_copy(void)
{
	uint64_t vs = wt_copy(WARD_CAP_INIT_VSPACE, WARD_RIGHTS_ALL), f = wt_obj(WARD_OBJ_FRAME, 0);
	uint64_t f2 = wt_obj(WARD_OBJ_FRAME, 0), va = wt_va(1), va2 = wt_va(1);

	tap_ok(vs != 0 && wt_map_in(vs, f, va, RW) == WARD_OK && probe_ok(wt_write_byte, va) &&
	               *(volatile uint8_t *)va == 0x5a,
	       "Frame_Map through a copy of the VSpace cap maps into the root's address space");
	tap_ok(wt_delete(vs) == WARD_OK && *(volatile uint8_t *)va == 0x5a &&
	               wt_map(f2, va2, RW) == WARD_OK && probe_ok(wt_read_byte, va2),
	       "deleting that copy leaves the address space and its mappings working");
}

int main(void)
{
	wt_init();
	tap_plan(38);
	test_get_address();
	test_revoke_mappings();
	test_revoke_page_table();
	test_large_frame();
	test_fix_and_resume();
	test_rights_mask();
	test_unmap_keeps_contents();
	test_vspace_copy();
	test_table_errors();
	test_asid_exhaustion();
	return tap_exit_status();
}

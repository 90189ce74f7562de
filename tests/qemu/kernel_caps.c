/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Capabilities, run as the root task: Untyped_Retype and each of its
 * errors, the CNode invocations (Copy, Mint, Move, Mutate, Delete, Revoke)
 * and theirs, rights reduction, badges, what Revoke and Delete take away,
 * and memory reuse after Revoke.
 */
#include <stdint.h>
#include <string.h>
#include "lib/wcheck.h"

#define CNODE WARD_CAP_INIT_CNODE

static uint64_t retype_raw(uint64_t ut, uint64_t type, uint64_t bits, uint64_t offset,
                           uint64_t count)
{
	return ward_untyped_retype(ut, type, bits, CNODE, 0, 0, offset, count);
}

static unsigned type_of(uint64_t slot)
{
	return ward_debug_cap_type(slot);
}

/* A Send of an empty message through `cap`: the label that came back. */
static uint64_t send_label(uint64_t cap)
{
	uint64_t mr[4] = {0};
	return ward_msginfo_label(ward_nb_send(cap, ward_msginfo(0, 0, 0, 0), mr));
}

static uint64_t phys_of(uint64_t frame)
{
	uint64_t pa = 0;
	if (ward_frame_get_address(frame, &pa) != WARD_OK)
		return ~0ULL;
	return pa;
}

static void test_retype(void)
{
	uint64_t ut = wt_ram_untyped(), s, e;
	uint64_t args[6];
	const uint64_t caps[1] = {CNODE};

	s = wt_slot();
	tap_ok(retype_raw(ut, WARD_OBJ_ENDPOINT, 0, s, 1) == WARD_OK &&
	               type_of(s) == WARD_OBJ_ENDPOINT,
	       "Untyped_Retype of an endpoint: the destination slot holds an endpoint cap");
	e = s;
	s = wt_slots(4);
	tap_ok(retype_raw(ut, WARD_OBJ_NOTIFICATION, 0, s, 4) == WARD_OK &&
	               type_of(s) == WARD_OBJ_NOTIFICATION &&
	               type_of(s + 3) == WARD_OBJ_NOTIFICATION && type_of(s + 4) == WARD_OBJ_NULL,
	       "Untyped_Retype of 4 notifications fills exactly 4 consecutive slots");

	s = wt_slot();
	expect_err_arg(retype_raw(ut, WARD_OBJ_NULL, 0, s, 1), WARD_ERR_INVALID_ARGUMENT, 0,
	               "Retype to type 0 (null): WARD_ERR_INVALID_ARGUMENT naming MR0");
	expect_err_arg(retype_raw(ut, WARD_OBJ_RETYPE_COUNT, 0, s, 1), WARD_ERR_INVALID_ARGUMENT, 0,
	               "Retype to type %u (past the retypable ones): WARD_ERR_INVALID_ARGUMENT",
	               WARD_OBJ_RETYPE_COUNT);
	expect_err_arg(retype_raw(ut, WARD_OBJ_IRQ_CONTROL, 0, s, 1), WARD_ERR_INVALID_ARGUMENT, 0,
	               "Retype to IRQ control (not made from memory): WARD_ERR_INVALID_ARGUMENT");
	expect_err_arg(retype_raw(ut, WARD_OBJ_UNTYPED, WARD_UNTYPED_MIN_BITS - 1, s, 1),
	               WARD_ERR_RANGE, 1,
	               "Retype to a 2^3-byte untyped: WARD_ERR_RANGE naming MR1");
	expect_err_arg(retype_raw(ut, WARD_OBJ_UNTYPED, WARD_UNTYPED_MAX_BITS + 1, s, 1),
	               WARD_ERR_RANGE, 1,
	               "Retype to a 2^48-byte untyped: WARD_ERR_RANGE naming MR1");
	expect_err_arg(retype_raw(ut, WARD_OBJ_CNODE, 0, s, 1), WARD_ERR_RANGE, 1,
	               "Retype to a CNode of radix 0: WARD_ERR_RANGE naming MR1");
	expect_err_arg(retype_raw(ut, WARD_OBJ_CNODE, WARD_CNODE_MAX_RADIX + 1, s, 1),
	               WARD_ERR_RANGE, 1,
	               "Retype to a CNode of radix 17: WARD_ERR_RANGE naming MR1");
	expect_err_arg(retype_raw(ut, WARD_OBJ_ENDPOINT, 0, s, 0), WARD_ERR_RANGE, 5,
	               "Retype of 0 objects: WARD_ERR_RANGE naming MR5");
	expect_err_arg(retype_raw(ut, WARD_OBJ_ENDPOINT, 0, s, 257), WARD_ERR_RANGE, 5,
	               "Retype of 257 objects (more than 256): WARD_ERR_RANGE naming MR5");
	expect_err_arg(retype_raw(ut, WARD_OBJ_ENDPOINT, 0, 4096, 1), WARD_ERR_RANGE, 4,
	               "Retype to slot 4096 of a 4096-slot CNode: WARD_ERR_RANGE naming MR4");
	expect_err_arg(retype_raw(ut, WARD_OBJ_ENDPOINT, 0, 4095, 2), WARD_ERR_RANGE, 4,
	               "Retype of 2 objects from slot 4095: WARD_ERR_RANGE naming MR4");
	tap_ok(retype_raw(ut, WARD_OBJ_ENDPOINT, 0, e, 1) == WARD_ERR_DELETE_FIRST &&
	               ward_last_error().lo == e,
	       "Retype into an occupied slot: WARD_ERR_DELETE_FIRST naming that slot");
	s = wt_slots(2);
	tap_ok(ward_cnode_copy(CNODE, s + 1, 64, CNODE, e, 64, WARD_RIGHTS_ALL) == WARD_OK &&
	               retype_raw(ut, WARD_OBJ_ENDPOINT, 0, s, 2) == WARD_ERR_DELETE_FIRST &&
	               ward_last_error().lo == s + 1 && type_of(s) == WARD_OBJ_NULL,
	       "Retype of 2 where the second slot is taken: DELETE_FIRST, first slot left empty");

	for (unsigned i = 0; i < 6; i++)
		args[i] = 0;
	args[0] = WARD_OBJ_ENDPOINT;
	args[4] = wt_slot();
	args[5] = 1;
	expect_err_arg(ward_invoke(ut, WARD_UNTYPED_RETYPE, 5, args, 1, caps, 0, NULL),
	               WARD_ERR_TRUNCATED_MESSAGE, WARD_ARG_LENGTH,
	               "Retype with 5 message registers: WARD_ERR_TRUNCATED_MESSAGE");
	expect_err_arg(ward_invoke(ut, WARD_UNTYPED_RETYPE, 6, args, 0, caps, 0, NULL),
	               WARD_ERR_INVALID_CAPABILITY, WARD_ARG_EXTRA_CAP0,
	               "Retype without a destination CNode cap: INVALID_CAPABILITY (extra cap 0)");
	expect_err_arg(
	        ward_untyped_retype(ut, WARD_OBJ_ENDPOINT, 0, e, 0, 0, args[4], 1),
	        WARD_ERR_INVALID_CAPABILITY, WARD_ARG_EXTRA_CAP0,
	        "Retype with an endpoint as destination root: INVALID_CAPABILITY (extra cap 0)");
	expect_err_arg(ward_untyped_retype(ut, WARD_OBJ_ENDPOINT, 0, CNODE, CNODE, 65, args[4], 1),
	               WARD_ERR_RANGE, 3, "Retype with node depth 65: WARD_ERR_RANGE naming MR3");
	expect_err_arg(
	        ward_untyped_retype(ut, WARD_OBJ_ENDPOINT, 0, CNODE, 1ULL << 63, 64, args[4], 1),
	        WARD_ERR_FAILED_LOOKUP, 2,
	        "Retype with a node index that fails the root's guard: FAILED_LOOKUP naming MR2");
	expect_err_arg(ward_untyped_retype(ut, WARD_OBJ_ENDPOINT, 0, CNODE, e, 64, args[4], 1),
	               WARD_ERR_INVALID_CAPABILITY, 2,
	               "Retype with a node that is an endpoint: INVALID_CAPABILITY naming MR2");
	expect_err_arg(ward_invoke(ut, WARD_CNODE_COPY, 6, args, 1, caps, 0, NULL),
	               WARD_ERR_ILLEGAL_OPERATION, WARD_ARG_LABEL,
	               "An untyped invoked with a CNode label: WARD_ERR_ILLEGAL_OPERATION");
}

/* Allocation inside an untyped: sizes, alignment, exhaustion, reuse after Revoke. */
static void test_untyped_memory(void)
{
	uint64_t u = wt_obj(WARD_OBJ_UNTYPED, 16), small = wt_obj(WARD_OBJ_UNTYPED, 12);
	uint64_t tiny = wt_obj(WARD_OBJ_UNTYPED, 10);
	uint64_t a = wt_slot(), ep = wt_slot(), b = wt_slot(), s, pa, pb, pc;

	require(u != 0 && small != 0 && tiny != 0);
	tap_ok(retype_raw(u, WARD_OBJ_FRAME, 0, a, 1) == WARD_OK &&
	               retype_raw(u, WARD_OBJ_ENDPOINT, 0, ep, 1) == WARD_OK &&
	               retype_raw(u, WARD_OBJ_FRAME, 0, b, 1) == WARD_OK,
	       "64 KiB untyped: frame, endpoint, frame retyped");
	pa = phys_of(a);
	pb = phys_of(b);
	tap_ok(pa % 4096 == 0 && pb == pa + 8192,
	       "second frame placed after the endpoint, aligned up to 4 KiB (0x%llx, 0x%llx)",
	       (unsigned long long)pa, (unsigned long long)pb);
	tap_ok(ward_cnode_revoke(CNODE, u, 64) == WARD_OK && type_of(a) == WARD_OBJ_NULL &&
	               type_of(ep) == WARD_OBJ_NULL && type_of(b) == WARD_OBJ_NULL &&
	               type_of(u) == WARD_OBJ_UNTYPED,
	       "Revoke of the untyped deletes the three objects, the untyped cap stays");
	s = wt_slot();
	pc = retype_raw(u, WARD_OBJ_FRAME, 0, s, 1) == WARD_OK ? phys_of(s) : 0;
	tap_ok(pc == pa,
	       "after Revoke the untyped is reused from its start (frame at 0x%llx again)",
	       (unsigned long long)pc);

	s = wt_slots(130);
	tap_ok(retype_raw(small, WARD_OBJ_ENDPOINT, 0, s, 64) == WARD_OK,
	       "4 KiB untyped: 64 endpoints (2 KiB) retyped");
	tap_ok(retype_raw(small, WARD_OBJ_ENDPOINT, 0, s + 64, 65) == WARD_ERR_NOT_ENOUGH_MEMORY &&
	               ward_last_error().hi == 64 && type_of(s + 64) == WARD_OBJ_NULL,
	       "65 more endpoints: WARD_ERR_NOT_ENOUGH_MEMORY, room for 64 reported, none made");
	tap_ok(retype_raw(small, WARD_OBJ_ENDPOINT, 0, s + 64, 64) == WARD_OK &&
	               type_of(s + 127) == WARD_OBJ_ENDPOINT,
	       "exactly the 64 endpoints that fit: retyped");
	expect_err_arg(retype_raw(small, WARD_OBJ_ENDPOINT, 0, s + 128, 1),
	               WARD_ERR_NOT_ENOUGH_MEMORY, 5,
	               "one more endpoint from the full untyped: WARD_ERR_NOT_ENOUGH_MEMORY");
	expect_err(retype_raw(tiny, WARD_OBJ_TCB, 0, s + 129, 1), WARD_ERR_NOT_ENOUGH_MEMORY,
	           "a 2 KiB TCB from a 1 KiB untyped: WARD_ERR_NOT_ENOUGH_MEMORY");
	tap_ok(ward_cnode_revoke(CNODE, small, 64) == WARD_OK && type_of(s) == WARD_OBJ_NULL &&
	               type_of(s + 127) == WARD_OBJ_NULL &&
	               retype_raw(small, WARD_OBJ_FRAME, 0, s, 1) == WARD_OK,
	       "Revoke of the full untyped deletes all 128 endpoints; a frame then fits");
}

static void test_device_untyped(void)
{
	const struct ward_bootinfo *bi = wt_bi;
	uint64_t dev = 0, s = wt_slot(), f = wt_slot();

	for (unsigned i = 0; i < bi->untyped_count; i++)
		if (bi->untyped[i].is_device && bi->untyped[i].size_bits >= 12) {
			dev = bi->untyped_first + i;
			break;
		}
	require(dev != 0);
	expect_err_arg(retype_raw(dev, WARD_OBJ_TCB, 0, s, 1), WARD_ERR_INVALID_ARGUMENT, 0,
	               "device untyped refuses to become a TCB: WARD_ERR_INVALID_ARGUMENT");
	expect_err_arg(retype_raw(dev, WARD_OBJ_CNODE, 2, s, 1), WARD_ERR_INVALID_ARGUMENT, 0,
	               "device untyped refuses to become a CNode: WARD_ERR_INVALID_ARGUMENT");
	tap_ok(retype_raw(dev, WARD_OBJ_FRAME, 0, f, 1) == WARD_OK &&
	               type_of(f) == WARD_OBJ_FRAME &&
	               ward_cnode_revoke(CNODE, dev, 64) == WARD_OK && type_of(f) == WARD_OBJ_NULL,
	       "device untyped becomes a frame; Revoke takes it back");
}

/* Retype into a CNode other than the root, reached by node index/depth. */
static void test_retype_into_cnode(void)
{
	uint64_t cn = wt_obj(WARD_OBJ_CNODE, 4), s = wt_slot();

	require(cn != 0);
	tap_ok(ward_untyped_retype(wt_ram_untyped(), WARD_OBJ_ENDPOINT, 0, CNODE, cn, 64, 3, 1) ==
	                       WARD_OK &&
	               ward_cnode_move(CNODE, s, 64, cn, 3, 4) == WARD_OK &&
	               type_of(s) == WARD_OBJ_ENDPOINT,
	       "Retype into slot 3 of a radix-4 CNode, then Move from it (depth 4): an endpoint");
	expect_err_arg(
	        ward_untyped_retype(wt_ram_untyped(), WARD_OBJ_ENDPOINT, 0, CNODE, cn, 64, 16, 1),
	        WARD_ERR_RANGE, 4, "Retype to slot 16 of a 16-slot CNode: WARD_ERR_RANGE");
}

static void test_copy_mint(void)
{
	uint64_t ep = wt_obj(WARD_OBJ_ENDPOINT, 0), frame = wt_obj(WARD_OBJ_FRAME, 0);
	uint64_t reply = wt_obj(WARD_OBJ_REPLY, 0), pt = wt_obj(WARD_OBJ_PT, 0);
	uint64_t cn = wt_obj(WARD_OBJ_CNODE, 4);
	uint64_t s = wt_slot(), t = wt_slot(), ro, rw, args[6] = {0};
	const uint64_t caps[1] = {CNODE};

	require(ep && frame && reply && pt && cn);
	tap_ok(ward_cnode_copy(CNODE, s, 64, CNODE, ep, 64, WARD_RIGHTS_ALL) == WARD_OK &&
	               type_of(s) == WARD_OBJ_ENDPOINT,
	       "CNode_Copy of an endpoint: the copy is an endpoint cap");
	expect_err_arg(ward_cnode_copy(CNODE, s, 64, CNODE, ep, 64, WARD_RIGHTS_ALL),
	               WARD_ERR_DELETE_FIRST, 0,
	               "Copy onto an occupied slot: WARD_ERR_DELETE_FIRST");
	expect_err_arg(ward_cnode_copy(CNODE, t, 64, CNODE, wt_slot(), 64, WARD_RIGHTS_ALL),
	               WARD_ERR_FAILED_LOOKUP, 2,
	               "Copy from an empty slot: WARD_ERR_FAILED_LOOKUP");
	expect_err_arg(ward_cnode_copy(CNODE, t, 64, CNODE, wt_ram_untyped(), 64, WARD_RIGHTS_ALL),
	               WARD_ERR_ILLEGAL_OPERATION, 2,
	               "Copy of an untyped cap: WARD_ERR_ILLEGAL_OPERATION");
	expect_err_arg(ward_cnode_copy(CNODE, t, 64, CNODE, reply, 64, WARD_RIGHTS_ALL),
	               WARD_ERR_ILLEGAL_OPERATION, 2,
	               "Copy of a reply object cap: WARD_ERR_ILLEGAL_OPERATION");
	expect_err_arg(ward_cnode_copy(CNODE, t, 64, CNODE, pt, 64, WARD_RIGHTS_ALL),
	               WARD_ERR_ILLEGAL_OPERATION, 2,
	               "Copy of a page-table cap: WARD_ERR_ILLEGAL_OPERATION");
	expect_err_arg(ward_cnode_copy(CNODE, t, 65, CNODE, ep, 64, WARD_RIGHTS_ALL),
	               WARD_ERR_RANGE, 1,
	               "Copy with destination depth 65: WARD_ERR_RANGE naming MR1");
	expect_err_arg(ward_cnode_copy(CNODE, t, 0, CNODE, ep, 64, WARD_RIGHTS_ALL),
	               WARD_ERR_FAILED_LOOKUP, 0,
	               "Copy with destination depth 0: WARD_ERR_FAILED_LOOKUP naming MR0");
	expect_err_arg(ward_cnode_copy(CNODE, t, 12, CNODE, ep, 64, WARD_RIGHTS_ALL),
	               WARD_ERR_FAILED_LOOKUP, 0,
	               "Copy with depth 12 (the root needs 64 bits): WARD_ERR_FAILED_LOOKUP");
	expect_err_arg(ward_cnode_copy(CNODE, t, 64, CNODE, ep, 70, WARD_RIGHTS_ALL),
	               WARD_ERR_RANGE, 3, "Copy with source depth 70: WARD_ERR_RANGE naming MR3");
	expect_err_arg(ward_cnode_copy(CNODE, t, 64, ep, ep, 64, WARD_RIGHTS_ALL),
	               WARD_ERR_INVALID_CAPABILITY, WARD_ARG_EXTRA_CAP0,
	               "Copy with an endpoint as source root: INVALID_CAPABILITY (extra cap 0)");
	args[0] = t;
	args[1] = 64;
	args[2] = ep;
	args[3] = 64;
	expect_err_arg(ward_invoke(CNODE, WARD_CNODE_COPY, 4, args, 1, caps, 0, NULL),
	               WARD_ERR_TRUNCATED_MESSAGE, WARD_ARG_LENGTH,
	               "Copy with 4 message registers: WARD_ERR_TRUNCATED_MESSAGE");
	args[4] = WARD_RIGHTS_ALL;
	expect_err_arg(ward_invoke(CNODE, WARD_CNODE_MINT, 5, args, 1, caps, 0, NULL),
	               WARD_ERR_TRUNCATED_MESSAGE, WARD_ARG_LENGTH,
	               "Mint with 5 message registers: WARD_ERR_TRUNCATED_MESSAGE");
	expect_err_arg(ward_invoke(CNODE, 0x3ff, 6, args, 1, caps, 0, NULL),
	               WARD_ERR_ILLEGAL_OPERATION, WARD_ARG_LABEL,
	               "CNode invoked with an unknown label: WARD_ERR_ILLEGAL_OPERATION");

	/* Rights: a copy never has more than its source. */
	ro = wt_copy(ep, WARD_RIGHT_READ);
	expect_err(send_label(ro), WARD_ERR_INSUFFICIENT_RIGHTS,
	           "Send through a read-only endpoint copy: WARD_ERR_INSUFFICIENT_RIGHTS");
	rw = wt_copy(ro, WARD_RIGHTS_ALL);
	expect_err(send_label(rw), WARD_ERR_INSUFFICIENT_RIGHTS,
	           "a copy of the read-only copy asking for all rights still cannot send");
	{
		uint64_t wo = wt_copy(ep, WARD_RIGHT_WRITE), badge, mr[4];
		expect_err(
		        ward_msginfo_label(ward_nb_recv(wo, 0, &badge, mr)),
		        WARD_ERR_INSUFFICIENT_RIGHTS,
		        "NBRecv through a write-only endpoint copy: WARD_ERR_INSUFFICIENT_RIGHTS");
	}

	/* Badges: once set, a badge stays. */
	{
		uint64_t m = wt_mint(ep, WARD_RIGHTS_ALL, 0x77);
		require(m != 0);
		expect_err_arg(
		        ward_cnode_mint(CNODE, t, 64, CNODE, m, 64, WARD_RIGHTS_ALL, 0x78),
		        WARD_ERR_ILLEGAL_OPERATION, 5,
		        "Mint of a badged cap with another badge: ILLEGAL_OPERATION naming MR5");
		tap_ok(ward_cnode_mint(CNODE, t, 64, CNODE, m, 64, WARD_RIGHTS_ALL, 0x77) ==
		                       WARD_OK &&
		               type_of(t) == WARD_OBJ_ENDPOINT,
		       "Mint of a badged cap with its own badge: allowed");
	}
	expect_err_arg(ward_cnode_mint(CNODE, wt_slot(), 64, CNODE, frame, 64, WARD_RIGHTS_ALL, 1),
	               WARD_ERR_INVALID_ARGUMENT, 5,
	               "Mint of a frame with data 1: WARD_ERR_INVALID_ARGUMENT naming MR5");
	expect_err_arg(ward_cnode_mint(CNODE, wt_slot(), 64, CNODE, cn, 64, WARD_RIGHTS_ALL, 61),
	               WARD_ERR_RANGE, 5,
	               "Mint of a radix-4 CNode with a 61-bit guard (65 bits): WARD_ERR_RANGE");
	expect_err_arg(
	        ward_cnode_mint(CNODE, wt_slot(), 64, CNODE, cn, 64, WARD_RIGHTS_ALL, (4 << 8) | 2),
	        WARD_ERR_RANGE, 5, "Mint of a CNode with guard 4 in 2 bits: WARD_ERR_RANGE");
}

/* A notification's badge is what a signal through the cap delivers. */
static uint64_t signal_and_poll(uint64_t send_cap, uint64_t wait_cap)
{
	uint64_t badge = ~0ULL;

	ward_signal(send_cap);
	ward_poll(wait_cap, &badge);
	return badge;
}

static void test_move_mutate_delete(void)
{
	uint64_t ep = wt_obj(WARD_OBJ_ENDPOINT, 0), n = wt_obj(WARD_OBJ_NOTIFICATION, 0);
	uint64_t frame = wt_obj(WARD_OBJ_FRAME, 0);
	uint64_t s = wt_slot(), t = wt_slot(), c, args[4];
	const uint64_t caps[1] = {CNODE};

	require(ep && n && frame);
	tap_ok(ward_cnode_move(CNODE, s, 64, CNODE, ep, 64) == WARD_OK &&
	               type_of(s) == WARD_OBJ_ENDPOINT && type_of(ep) == WARD_OBJ_NULL,
	       "CNode_Move: the cap is in the destination, the source slot is empty");
	expect_err_arg(ward_cnode_move(CNODE, t, 64, CNODE, ep, 64), WARD_ERR_FAILED_LOOKUP, 2,
	               "Move from an empty slot: WARD_ERR_FAILED_LOOKUP naming MR2");
	expect_err_arg(ward_cnode_move(CNODE, s, 64, CNODE, n, 64), WARD_ERR_DELETE_FIRST, 0,
	               "Move onto an occupied slot: WARD_ERR_DELETE_FIRST naming MR0");
	args[0] = t;
	args[1] = 64;
	args[2] = s;
	expect_err_arg(ward_invoke(CNODE, WARD_CNODE_MOVE, 3, args, 1, caps, 0, NULL),
	               WARD_ERR_TRUNCATED_MESSAGE, WARD_ARG_LENGTH,
	               "Move with 3 message registers: WARD_ERR_TRUNCATED_MESSAGE");
	args[3] = 64;
	expect_err_arg(ward_invoke(CNODE, WARD_CNODE_MUTATE, 4, args, 1, caps, 0, NULL),
	               WARD_ERR_TRUNCATED_MESSAGE, WARD_ARG_LENGTH,
	               "Mutate with 4 message registers: WARD_ERR_TRUNCATED_MESSAGE");

	/* A moved cap keeps its place in the derivation tree. */
	c = wt_copy(s, WARD_RIGHTS_ALL);
	tap_ok(ward_cnode_move(CNODE, ep, 64, CNODE, s, 64) == WARD_OK &&
	               ward_cnode_revoke(CNODE, ep, 64) == WARD_OK && type_of(c) == WARD_OBJ_NULL &&
	               type_of(ep) == WARD_OBJ_ENDPOINT,
	       "a moved endpoint still parents its copy: Revoke at the new slot deletes it");

	/* Mutate sets a badge, which a signal then carries. */
	c = wt_copy(n, WARD_RIGHTS_ALL);
	tap_ok(ward_cnode_mutate(CNODE, t, 64, CNODE, c, 64, 0x9) == WARD_OK &&
	               type_of(c) == WARD_OBJ_NULL && signal_and_poll(t, n) == 0x9,
	       "Mutate of a notification copy with badge 9: a signal through it delivers 9");
	c = wt_copy(ep, WARD_RIGHTS_ALL);
	expect_err_arg(ward_cnode_mutate(CNODE, wt_slot(), 64, CNODE, ep, 64, 0x5),
	               WARD_ERR_REVOKE_FIRST, 2,
	               "Mutate (badging) an endpoint that has a copy: WARD_ERR_REVOKE_FIRST");
	expect_err_arg(ward_cnode_mutate(CNODE, wt_slot(), 64, CNODE, frame, 64, 1),
	               WARD_ERR_INVALID_ARGUMENT, 4,
	               "Mutate of a frame with data 1: WARD_ERR_INVALID_ARGUMENT naming MR4");

	/* Delete. */
	tap_ok(wt_delete(c) == WARD_OK && type_of(c) == WARD_OBJ_NULL &&
	               type_of(ep) == WARD_OBJ_ENDPOINT,
	       "CNode_Delete empties the slot; the original endpoint stays");
	expect_err(wt_delete(c), WARD_OK, "Delete of an empty slot: WARD_OK, nothing happens");
	expect_err_arg(ward_cnode_delete(CNODE, ep, 0), WARD_ERR_FAILED_LOOKUP, 0,
	               "Delete with depth 0: WARD_ERR_FAILED_LOOKUP");
	expect_err_arg(ward_cnode_revoke(CNODE, ep, 65), WARD_ERR_RANGE, 1,
	               "Revoke with depth 65: WARD_ERR_RANGE naming MR1");
	args[0] = ep;
	expect_err_arg(ward_invoke(CNODE, WARD_CNODE_DELETE, 1, args, 0, NULL, 0, NULL),
	               WARD_ERR_TRUNCATED_MESSAGE, WARD_ARG_LENGTH,
	               "Delete with 1 message register: WARD_ERR_TRUNCATED_MESSAGE");
	expect_err_arg(ward_invoke(CNODE, WARD_CNODE_REVOKE, 1, args, 0, NULL, 0, NULL),
	               WARD_ERR_TRUNCATED_MESSAGE, WARD_ARG_LENGTH,
	               "Revoke with 1 message register: WARD_ERR_TRUNCATED_MESSAGE");

	/* Deleting a parent leaves its children working. */
	c = wt_mint(n, WARD_RIGHTS_ALL, 0x3);
	tap_ok(wt_delete(n) == WARD_OK && type_of(c) == WARD_OBJ_NOTIFICATION &&
	               signal_and_poll(c, c) == 0x3,
	       "deleting the original notification cap leaves its badged child usable");
}

static void test_revoke(void)
{
	uint64_t u = wt_obj(WARD_OBJ_UNTYPED, 12), ep = wt_slot();
	uint64_t c1, c2, m, m1, m2;

	require(u != 0 && retype_raw(u, WARD_OBJ_ENDPOINT, 0, ep, 1) == WARD_OK);
	c1 = wt_copy(ep, WARD_RIGHTS_ALL);
	c2 = wt_copy(c1, WARD_RIGHTS_ALL);
	m = wt_mint(ep, WARD_RIGHTS_ALL, 5);
	m1 = wt_copy(m, WARD_RIGHTS_ALL);
	m2 = wt_mint(ep, WARD_RIGHTS_ALL, 6);
	require(c1 && c2 && m && m1 && m2);
	tap_ok(ward_cnode_revoke(CNODE, m, 64) == WARD_OK && type_of(m1) == WARD_OBJ_NULL &&
	               type_of(m) == WARD_OBJ_ENDPOINT && type_of(m2) == WARD_OBJ_ENDPOINT &&
	               type_of(c1) == WARD_OBJ_ENDPOINT,
	       "Revoke of badge 5's original: its copy goes; badge 6, plain copies, itself stay");
	m1 = wt_copy(m, WARD_RIGHTS_ALL);
	tap_ok(ward_cnode_revoke(CNODE, ep, 64) == WARD_OK && type_of(c1) == WARD_OBJ_NULL &&
	               type_of(c2) == WARD_OBJ_NULL && type_of(m) == WARD_OBJ_NULL &&
	               type_of(m1) == WARD_OBJ_NULL && type_of(m2) == WARD_OBJ_NULL &&
	               type_of(ep) == WARD_OBJ_ENDPOINT,
	       "Revoke of the endpoint: copies, copies of copies, mints and their copies all go");
	m = wt_mint(ep, WARD_RIGHTS_ALL, 8);
	m1 = wt_copy(m, WARD_RIGHTS_ALL);
	m2 = wt_mint(ep, WARD_RIGHTS_ALL, 9);
	require(m && m1 && m2);
	tap_ok(ward_cnode_revoke_delete(CNODE, m, 64) == WARD_OK && type_of(m1) == WARD_OBJ_NULL &&
	               type_of(m) == WARD_OBJ_NULL && type_of(m2) == WARD_OBJ_ENDPOINT &&
	               type_of(ep) == WARD_OBJ_ENDPOINT,
	       "Revoke with WARD_REVOKE_AND_DELETE: the copies and the cap itself go, nothing "
	       "else");
	m1 = wt_copy(m2, WARD_RIGHTS_ALL);
	expect_err_arg(ward_invoke(CNODE, WARD_CNODE_REVOKE, 3, (const uint64_t[]){m2, 64, 2}, 0,
	                           NULL, 0, NULL),
	               WARD_ERR_INVALID_ARGUMENT, 2,
	               "Revoke with an unknown flag is refused (MR2) ...");
	tap_ok(type_of(m1) == WARD_OBJ_ENDPOINT && type_of(m2) == WARD_OBJ_ENDPOINT,
	       "... and revokes nothing");
	c1 = wt_copy(ep, WARD_RIGHTS_ALL);
	m = wt_mint(ep, WARD_RIGHTS_ALL, 7);
	m1 = wt_copy(m, WARD_RIGHTS_ALL);
	tap_ok(ward_cnode_revoke(CNODE, u, 64) == WARD_OK && type_of(ep) == WARD_OBJ_NULL &&
	               type_of(c1) == WARD_OBJ_NULL && type_of(m) == WARD_OBJ_NULL &&
	               type_of(m1) == WARD_OBJ_NULL,
	       "Revoke of the untyped: the endpoint and every cap derived from it go");
}

/* A receiver blocked on an endpoint; reports the label its Recv returned. */
static void receiver(struct wt_thread *self)
{
	uint64_t badge, mr[4];

	self->word[0] = ward_msginfo_label(ward_recv((uint64_t)self->arg, 0, &badge, mr));
}

/*
 * Deleting a CNode deletes the caps in it, and in CNodes nested in it,
 * without recursion: a chain of CNodes, the innermost holding the only cap
 * to an endpoint a thread waits on. Deleting the outermost must finalise
 * the endpoint, which wakes the thread with WARD_ERR_CANCELLED.
 */
static void test_nested_cnode_delete(void)
{
	enum { DEPTH = 64 };
	uint64_t cn[DEPTH], ep = wt_obj(WARD_OBJ_ENDPOINT, 0);
	static struct wt_thread t;
	bool ok = ep != 0;

	for (unsigned i = 0; i < DEPTH && ok; i++)
		ok = (cn[i] = wt_obj(WARD_OBJ_CNODE, 1)) != 0;
	ok = ok && wt_thread_new(&t, "receiver", receiver, (void *)ep, 100) &&
	     wt_thread_start(&t) == WARD_OK;
	wt_settle();
	t.word[0] = ~0ULL;
	/* Innermost first: endpoint into cn[DEPTH-1], then each CNode into its parent. */
	ok = ok && ward_cnode_move(cn[DEPTH - 1], 1, 1, CNODE, ep, 64) == WARD_OK;
	for (int i = DEPTH - 2; i >= 0 && ok; i--)
		ok = ward_cnode_move(cn[i], 0, 1, CNODE, cn[i + 1], 64) == WARD_OK;
	tap_ok(ok && !t.finished,
	       "a receiver waits on an endpoint whose only cap is %u CNodes deep", DEPTH);
	tap_ok(wt_delete(cn[0]) == WARD_OK && type_of(cn[0]) == WARD_OBJ_NULL,
	       "Delete of the outermost CNode of the chain returns");
	wt_thread_join(&t);
	expect_err(t.word[0], WARD_ERR_CANCELLED,
	           "the endpoint %u CNodes deep was finalised: its receiver woke with CANCELLED",
	           DEPTH);
}

/*
 * A thread deletes the CNode that holds the last cap to its own TCB: the
 * kernel must finalise the caller in the middle of its own system call,
 * carry on with another thread, and never touch that TCB again (its memory
 * is reused as a frame and must keep what is written into it).
 */
static void self_destruct(struct wt_thread *self)
{
	self->word[0] = 1;
	ward_cnode_delete(CNODE, self->word[2], 64);
	self->word[1] = 1; /* never reached */
}

static void signal_arg(struct wt_thread *self)
{
	ward_signal((uint64_t)self->arg);
}

static void test_self_destruction(void)
{
	static struct wt_thread t, w;
	uint64_t u = wt_obj(WARD_OBJ_UNTYPED, 12), tcb = wt_obj_from(u, WARD_OBJ_TCB, 0);
	uint64_t cn = wt_obj(WARD_OBJ_CNODE, 1), done = wt_obj(WARD_OBJ_NOTIFICATION, 0);
	uint64_t frame = wt_slot(), va = wt_va(1), badge;
	volatile uint8_t *p = (volatile uint8_t *)va;
	unsigned changed = 0;
	bool ok;

	ok = tcb != 0 && cn != 0 &&
	     wt_thread_new_with_tcb(&t, tcb, "suicide", self_destruct, NULL, 100) &&
	     wt_thread_new(&w, "witness", signal_arg, (void *)done, 50);
	t.word[2] = cn;
	/* Started first (it runs once the root task waits), then its cap moves away. */
	ok = ok && wt_thread_start(&t) == WARD_OK && wt_thread_start(&w) == WARD_OK &&
	     ward_cnode_move(cn, 0, 1, CNODE, tcb, 64) == WARD_OK;
	tap_ok(ok, "a runnable thread whose only TCB cap sits in a 2-slot CNode");
	ward_wait(done, &badge);
	tap_ok(t.word[0] == 1 && t.word[1] == 0 && ward_debug_cap_type(cn) == WARD_OBJ_NULL,
	       "it deleted that CNode: its own TCB went with it mid-call, it never returned, a "
	       "lower-priority thread ran next");
	ok = ward_untyped_retype(u, WARD_OBJ_FRAME, 0, CNODE, 0, 0, frame, 1) == WARD_OK &&
	     wt_map(frame, va, WT_RIGHTS_RW) == WARD_OK;
	for (unsigned i = 0; ok && i < 4096; i++)
		p[i] = 0xa5;
	wt_settle();
	for (unsigned i = 0; ok && i < 4096; i++)
		changed += p[i] != 0xa5;
	tap_ok(ok && changed == 0,
	       "the dead TCB's memory, retyped into a frame and filled, stays as written (%u bytes "
	       "changed)",
	       changed);
}

static void test_invoke_errors(void)
{
	uint64_t reply = wt_obj(WARD_OBJ_REPLY, 0), mr[4] = {0};
	ward_msginfo_t info;

	info = ward_call(wt_slot(), ward_msginfo(WARD_CNODE_COPY, 0, 0, 0), mr);
	tap_ok(ward_msginfo_label(info) == WARD_ERR_INVALID_CAPABILITY && mr[0] == WARD_ARG_CAP,
	       "Call on an empty slot: WARD_ERR_INVALID_CAPABILITY naming the invoked cap");
	mr[0] = 0;
	info = ward_call(reply, ward_msginfo(1, 0, 0, 0), mr);
	tap_ok(ward_msginfo_label(info) == WARD_ERR_ILLEGAL_OPERATION && mr[0] == WARD_ARG_CAP,
	       "Call on a reply object (nothing to invoke): WARD_ERR_ILLEGAL_OPERATION");
	{
		const uint64_t caps[1] = {wt_slot()};
		const uint64_t args[6] = {WARD_OBJ_ENDPOINT, 0, 0, 0, wt_slot(), 1};
		expect_err_arg(
		        ward_invoke(wt_ram_untyped(), WARD_UNTYPED_RETYPE, 6, args, 1, caps, 0,
		                    NULL),
		        WARD_ERR_INVALID_CAPABILITY, WARD_ARG_EXTRA_CAP0,
		        "an extra cap naming an empty slot: INVALID_CAPABILITY (extra cap 0)");
	}
	tap_ok(type_of(WARD_CAP_INIT_TCB) == WARD_OBJ_TCB &&
	               type_of(WARD_CAP_INIT_CNODE) == WARD_OBJ_CNODE &&
	               type_of(WARD_CAP_INIT_VSPACE) == WARD_OBJ_PML4 &&
	               type_of(WARD_CAP_IRQ_CONTROL) == WARD_OBJ_IRQ_CONTROL &&
	               type_of(WARD_CAP_IOPORT_CONTROL) == WARD_OBJ_IOPORT_CONTROL &&
	               type_of(WARD_CAP_INIT_IPC_BUFFER) == WARD_OBJ_FRAME &&
	               type_of(WARD_CAP_SYSTEM_CONTROL) == WARD_OBJ_SYSTEM_CONTROL &&
	               type_of(WARD_CAP_CONSOLE_RECEIVE) == WARD_OBJ_IOPORT &&
	               type_of(wt_bi->untyped_first) == WARD_OBJ_UNTYPED &&
	               type_of(wt_bi->empty_last - 1) == WARD_OBJ_NULL,
	       "root CNode layout: fixed slots 1-9 as documented, untyped caps, empty tail");
}

int main(void)
{
	wt_init();
	tap_plan(91);
	test_invoke_errors();
	test_retype();
	test_untyped_memory();
	test_device_untyped();
	test_retype_into_cnode();
	test_copy_mint();
	test_move_mutate_delete();
	test_revoke();
	test_nested_cnode_delete();
	test_self_destruction();
	return tap_exit_status();
}

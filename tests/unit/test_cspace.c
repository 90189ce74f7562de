/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Capability bookkeeping on the host: guarded lookup, the mapping database
 * (derivation order, finality, badged parents), delete and revoke, and the
 * non-recursive emptying of nested CNodes. Object finalisation is replaced
 * by a recorder, except for CNodes, which go through the real queue.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include <kernel/cspace.h>
#include <kernel/finalise.h>

static unsigned finalised[32];
static unsigned finals_seen;

void finalise_cap_moved(const struct cap *cap, const struct cte *from, const struct cte *to)
{
	(void)cap;
	(void)from;
	(void)to;
}

void finalise_cap(const struct cte *slot, const struct cap *cap, bool final)
{
	(void)slot;
	if (final)
		finals_seen++;
	if (cap->type == WARD_OBJ_CNODE && final)
		cnode_schedule_destroy((struct cte *)cap->obj, cap->bits);
	else if (final)
		finalised[cap->type]++;
}

/* Badges whose queued sends were cancelled, in order. */
static uint64_t cancelled[8];
static unsigned cancels;

void endpoint_cancel_badged_sends(struct endpoint *ep, uint64_t badge)
{
	(void)ep;
	if (cancels < 8)
		cancelled[cancels] = badge;
	cancels++;
}

static struct cte *new_cnode(unsigned radix)
{
	size_t bytes = (size_t)1 << (radix + WARD_CNODE_SLOT_SIZE_BITS);
	struct cte *c = aligned_alloc(bytes < 128 ? 128 : bytes, bytes < 128 ? 128 : bytes);
	memset(c, 0, bytes);
	return c;
}

static struct cap cnode_cap(struct cte *c, unsigned radix, unsigned guard_bits, uint64_t guard)
{
	return (struct cap){.type = WARD_OBJ_CNODE,
	                    .rights = WARD_RIGHTS_ALL,
	                    .bits = radix,
	                    .guard_bits = guard_bits,
	                    .obj = (uint64_t)c,
	                    .word1 = guard};
}

static int reset(void **state)
{
	(void)state;
	memset(finalised, 0, sizeof(finalised));
	finals_seen = 0;
	cancels = 0;
	return 0;
}

static void single_level_lookup_with_guard(void **state)
{
	(void)state;
	struct cte *c = new_cnode(12), *s;
	struct cap root = cnode_cap(c, 12, 52, 0);

	assert_int_equal(cspace_lookup_slot(&root, 5, 64, &s), WARD_OK);
	assert_ptr_equal(s, &c[5]);
	assert_int_equal(cspace_lookup_slot(&root, 4095, 64, &s), WARD_OK);
	assert_ptr_equal(s, &c[4095]);
	/* Bits above the radix must match the (zero) guard. */
	assert_int_equal(cspace_lookup_slot(&root, 4096, 64, &s), WARD_ERR_FAILED_LOOKUP);
	/* Depth too small for guard + radix, or out of range. */
	assert_int_equal(cspace_lookup_slot(&root, 5, 63, &s), WARD_ERR_FAILED_LOOKUP);
	assert_int_equal(cspace_lookup_slot(&root, 5, 0, &s), WARD_ERR_FAILED_LOOKUP);
	assert_int_equal(cspace_lookup_slot(&root, 5, 65, &s), WARD_ERR_FAILED_LOOKUP);
	/* An empty slot resolves as a slot but not as a cap. */
	assert_int_equal(cspace_lookup_cap(&root, 5, &s), WARD_ERR_INVALID_CAPABILITY);
	free(c);
}

static void two_level_lookup(void **state)
{
	(void)state;
	struct cte *top = new_cnode(4), *leaf = new_cnode(8), *s;
	struct cap root = cnode_cap(top, 4, 0, 0);

	/* top: 4 bits; leaf: guard 52 bits of value 0x3, then 8 bits. */
	top[9].cap = cnode_cap(leaf, 8, 52, 0x3);
	uint64_t cptr = (9ULL << 60) | (0x3ULL << 8) | 0x42;
	assert_int_equal(cspace_lookup_slot(&root, cptr, 64, &s), WARD_OK);
	assert_ptr_equal(s, &leaf[0x42]);
	/* Wrong guard in the second level. */
	assert_int_equal(cspace_lookup_slot(&root, cptr ^ (1ULL << 9), 64, &s),
	                 WARD_ERR_FAILED_LOOKUP);
	/* Depth 4 stops at the top-level slot holding the leaf CNode. */
	assert_int_equal(cspace_lookup_slot(&root, 9, 4, &s), WARD_OK);
	assert_ptr_equal(s, &top[9]);
	/* Through a slot that is not a CNode. */
	assert_int_equal(cspace_lookup_slot(&root, 3ULL << 60, 64, &s), WARD_ERR_FAILED_LOOKUP);
	free(top);
	free(leaf);
}

static struct cap ep_cap(uint64_t obj, uint64_t badge)
{
	return (struct cap){
	        .type = WARD_OBJ_ENDPOINT, .rights = WARD_RIGHTS_ALL, .obj = obj, .word1 = badge};
}

static void copies_follow_their_source_and_revoke_takes_them(void **state)
{
	(void)state;
	struct cte s[8] = {0};
	struct cap c;

	cspace_insert(NULL, &s[0], ep_cap(0x1000, 0), MDB_REVOCABLE | MDB_FIRST_BADGED);
	assert_true(cspace_is_final(&s[0]));
	assert_true(cap_derive(&s[0].cap, &c));
	cspace_insert(&s[0], &s[1], c, 0);
	cspace_insert(&s[1], &s[2], c, 0); /* a copy of the copy */
	assert_false(cspace_is_final(&s[0]));
	assert_true(cspace_has_children(&s[0]));
	assert_false(cspace_has_children(&s[1])); /* plain copies have no children */
	cspace_revoke(&s[0]);
	assert_true(cap_is_null(&s[1].cap));
	assert_true(cap_is_null(&s[2].cap));
	assert_false(cap_is_null(&s[0].cap));
	assert_true(cspace_is_final(&s[0]));
	assert_int_equal(finals_seen, 0); /* the object survives its copies */
	cspace_delete(&s[0]);
	assert_int_equal(finalised[WARD_OBJ_ENDPOINT], 1);
}

static void badged_original_is_parent_of_its_badge_only(void **state)
{
	(void)state;
	struct cte s[8] = {0};

	cspace_insert(NULL, &s[0], ep_cap(0x2000, 0), MDB_REVOCABLE | MDB_FIRST_BADGED);
	/* Mint badge 7 (a new revocable original), then copy it; mint badge 9. */
	cspace_insert(&s[0], &s[1], ep_cap(0x2000, 7), MDB_REVOCABLE | MDB_FIRST_BADGED);
	cspace_insert(&s[1], &s[2], ep_cap(0x2000, 7), 0);
	cspace_insert(&s[2], &s[3], ep_cap(0x2000, 9), MDB_REVOCABLE | MDB_FIRST_BADGED);
	assert_true(mdb_is_parent_of(&s[1], &s[2]));
	assert_false(mdb_is_parent_of(&s[1], &s[3]));
	assert_true(mdb_is_parent_of(&s[0], &s[3]));
	cspace_revoke(&s[1]); /* takes badge 7's copy, not badge 9 */
	assert_true(cap_is_null(&s[2].cap));
	assert_false(cap_is_null(&s[3].cap));
	cspace_revoke(&s[0]);
	assert_true(cap_is_null(&s[1].cap) && cap_is_null(&s[3].cap));
}

static void untyped_revoke_deletes_objects_inside_its_region(void **state)
{
	(void)state;
	struct cte s[8] = {0};
	struct cap big = {.type = WARD_OBJ_UNTYPED, .bits = 17, .obj = 0x100000};
	struct cap low = {.type = WARD_OBJ_UNTYPED, .bits = 16, .obj = 0x100000};
	struct cap high = {.type = WARD_OBJ_UNTYPED, .bits = 16, .obj = 0x110000};

	/* big -> {low, high} as retype makes them: each new child right after big. */
	cspace_insert(NULL, &s[0], big, MDB_REVOCABLE);
	cspace_insert(&s[0], &s[1], high, MDB_REVOCABLE | MDB_FIRST_BADGED);
	cspace_insert(&s[0], &s[2], low, MDB_REVOCABLE | MDB_FIRST_BADGED);
	cspace_insert(&s[2], &s[3], ep_cap(0x100000, 0), MDB_REVOCABLE | MDB_FIRST_BADGED);
	cspace_insert(&s[2], &s[4], ep_cap(0x100020, 0), MDB_REVOCABLE | MDB_FIRST_BADGED);
	cspace_insert(&s[4], &s[5], ep_cap(0x100020, 5), MDB_REVOCABLE | MDB_FIRST_BADGED);
	cspace_insert(&s[1], &s[6], ep_cap(0x110000, 0), MDB_REVOCABLE | MDB_FIRST_BADGED);
	/* Order: big, low, ep, ep, ep(5), ep', high, ep(high). Revoking low stops at high. */
	cspace_revoke(&s[2]);
	assert_true(cap_is_null(&s[3].cap) && cap_is_null(&s[4].cap) && cap_is_null(&s[5].cap));
	assert_false(cap_is_null(&s[1].cap));
	assert_false(cap_is_null(&s[6].cap));
	assert_int_equal(finalised[WARD_OBJ_ENDPOINT], 2);
	cspace_revoke(&s[0]);
	assert_true(cap_is_null(&s[1].cap) && cap_is_null(&s[2].cap) && cap_is_null(&s[6].cap));
	assert_int_equal(finalised[WARD_OBJ_ENDPOINT], 3);
}

static void move_keeps_derivation(void **state)
{
	(void)state;
	struct cte s[4] = {0};

	cspace_insert(NULL, &s[0], ep_cap(0x3000, 0), MDB_REVOCABLE | MDB_FIRST_BADGED);
	cspace_insert(&s[0], &s[1], ep_cap(0x3000, 0), 0);
	cspace_move(&s[0], &s[2], s[0].cap);
	assert_true(cap_is_null(&s[0].cap));
	assert_true(cspace_has_children(&s[2]));
	cspace_revoke(&s[2]);
	assert_true(cap_is_null(&s[1].cap));
}

static void derive_rules(void **state)
{
	(void)state;
	struct cap out, frame = {.type = WARD_OBJ_FRAME,
	                         .bits = 12,
	                         .obj = 0x5000,
	                         .word1 = 3,
	                         .word2 = 0x400000};
	struct cap ut = {.type = WARD_OBJ_UNTYPED, .bits = 12, .obj = 0x5000};
	struct cap pt = {.type = WARD_OBJ_PT, .obj = 0x6000};

	assert_true(cap_derive(&frame, &out));
	assert_int_equal(out.word1, 0); /* copies start unmapped */
	assert_int_equal(out.word2, 0);
	assert_false(cap_derive(&ut, &out));
	assert_false(cap_derive(&pt, &out));
}

/* A chain of CNodes, each holding the only cap to the next: deleting the
 * head empties all of them (iteratively: 20000 levels would overflow any
 * recursive implementation's stack budget in the kernel). */
static void nested_cnode_chain_is_emptied_without_recursion(void **state)
{
	(void)state;
	enum { DEPTH = 20000 };
	struct cte **nodes = calloc(DEPTH, sizeof(*nodes));
	struct cte holder = {0};

	for (int i = 0; i < DEPTH; i++)
		nodes[i] = new_cnode(1);
	for (int i = 0; i + 1 < DEPTH; i++)
		cspace_insert(NULL, &nodes[i][1], cnode_cap(nodes[i + 1], 1, 0, 0), MDB_REVOCABLE);
	nodes[DEPTH - 1][0].cap = ep_cap(0x7000, 0);
	cspace_insert(NULL, &holder, cnode_cap(nodes[0], 1, 0, 0), MDB_REVOCABLE);
	cspace_delete(&holder);
	for (int i = 0; i < DEPTH; i++)
		assert_true(cap_is_null(&nodes[i][0].cap) && cap_is_null(&nodes[i][1].cap));
	assert_int_equal(finalised[WARD_OBJ_ENDPOINT], 1);
	for (int i = 0; i < DEPTH; i++)
		free(nodes[i]);
	free(nodes);
}

static void cnode_holding_its_own_cap_is_not_final_through_others(void **state)
{
	(void)state;
	struct cte *c = new_cnode(2);
	struct cte holder = {0};

	cspace_insert(NULL, &holder, cnode_cap(c, 2, 0, 0), MDB_REVOCABLE);
	cspace_insert(&holder, &c[0], cnode_cap(c, 2, 0, 0), 0);
	cspace_delete(&holder); /* the copy inside keeps the CNode alive */
	assert_false(cap_is_null(&c[0].cap));
	cspace_delete(&c[0]); /* the last cap: the CNode empties itself, no loop */
	assert_true(cap_is_null(&c[0].cap));
	free(c);
}

/*
 * Deleting or revoking a badge's original cancels the sends queued under
 * that badge; deleting a copy, or an unbadged original, does not; deleting
 * the endpoint's final cap cancels everything through finalisation instead.
 */
static void badged_original_deletion_and_revoke_cancel_queued_sends(void **state)
{
	(void)state;
	struct cte s[8] = {0};

	cspace_insert(NULL, &s[0], ep_cap(0x4000, 0), MDB_REVOCABLE | MDB_FIRST_BADGED);
	cspace_insert(&s[0], &s[1], ep_cap(0x4000, 7), MDB_REVOCABLE | MDB_FIRST_BADGED);
	cspace_insert(&s[1], &s[2], ep_cap(0x4000, 7), 0);
	cspace_insert(&s[2], &s[3], ep_cap(0x4000, 9), MDB_REVOCABLE | MDB_FIRST_BADGED);
	cspace_insert(&s[3], &s[4], ep_cap(0x4000, 9), 0);
	cspace_delete(&s[4]); /* a copy */
	assert_int_equal(cancels, 0);
	cspace_revoke(&s[1]);
	assert_int_equal(cancels, 1);
	assert_true(cancelled[0] == 7);
	assert_true(cap_is_null(&s[2].cap) && !cap_is_null(&s[1].cap));
	cspace_delete(&s[3]);
	assert_int_equal(cancels, 2);
	assert_true(cancelled[1] == 9);
	cspace_delete(&s[1]);
	assert_int_equal(cancels, 3);
	assert_true(cancelled[2] == 7);
	cspace_delete(&s[0]); /* the last cap: finalisation cancels everything */
	assert_int_equal(cancels, 3);
	assert_int_equal(finalised[WARD_OBJ_ENDPOINT], 1);
}

#define T(f) cmocka_unit_test_setup(f, reset)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(single_level_lookup_with_guard),
	        T(two_level_lookup),
	        T(copies_follow_their_source_and_revoke_takes_them),
	        T(badged_original_is_parent_of_its_badge_only),
	        T(badged_original_deletion_and_revoke_cancel_queued_sends),
	        T(untyped_revoke_deletes_objects_inside_its_region),
	        T(move_keeps_derivation),
	        T(derive_rules),
	        T(nested_cnode_chain_is_emptied_without_recursion),
	        T(cnode_holding_its_own_cap_is_not_final_through_others),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

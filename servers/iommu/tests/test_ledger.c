/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The ownership ledger (core/ledger.c) against the mock backend and a
 * mock PCI server. Context entries, their invalidations and the waits are
 * the mock unit's; bus mastering, revocation, interrupts, resets and
 * device caps are this file's. One fail-nth counter (mock_fail) is shared
 * by all of them, so a sweep makes every step of a move fail in turn:
 * bus mastering refused, revoke refused, interrupt teardown, a context
 * write, the invalidation wait timing out, the reset timing out, the
 * device cap's allocation. After each run the invariants hold: the
 * ledger agrees with the context entries, the group is whole, owned by
 * its old owner (restored, bus mastering as before) or by quarantine
 * (every requester ID blocked, interrupts gone, no device cap left), and
 * nothing leaked. A PF's VFs enter the ledger the same way, every write
 * and the wait failing in turn: in quarantine, or broken and still blocked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "ledger.h"
#include "mock_backend.h"

#define DOMAINS   4u
#define MAX_SWEEP 64u
#define DEVS      8u
#define DOM_A     0u
#define DOM_B     1u
#define NO_RESET  0x10000u /* an sbdf bit (segment 1): this fake device has no reset method */

struct plat {
	struct mock_fail fail;
	struct mock_mem mem;
	struct mock_unit unit;
	struct iommu_unit *u;
	struct ledger l;
	struct ledger_device dev[DEVS];
	struct ledger_group grp[DEVS];
	bool live[DOMAINS];
	bool mastering[0x10000];
	unsigned irqs[DEVS];       /* live interrupt entries per device */
	uint16_t device_cap[4096]; /* per group: the domain its cap was minted for, NONE */
	unsigned revokes, resets, retires, calls;
};

static struct plat P;

static bool fails(void)
{
	P.calls++;
	return mock_fail_step(&P.fail);
}

static int op_bus_master(void *ctx, uint32_t sbdf, bool on, bool *was_on)
{
	(void)ctx;
	if (fails())
		return 0x106; /* the PCI server's IN_USE */
	*was_on = P.mastering[(uint16_t)sbdf];
	P.mastering[(uint16_t)sbdf] = on;
	return 0;
}

static int op_retire(void *ctx, uint16_t group)
{
	(void)ctx;
	if (fails())
		return 0x108;
	P.device_cap[group] = LEDGER_NONE;
	P.retires++;
	return 0;
}

static int op_revoke(void *ctx, uint32_t sbdf)
{
	(void)ctx;
	(void)sbdf;
	if (fails())
		return 0x101;
	P.revokes++;
	return 0;
}

static int op_irq_teardown(void *ctx, uint16_t device)
{
	(void)ctx;
	if (fails())
		return IOMMU_ERR_TIMEOUT;
	P.irqs[device] = 0;
	return 0;
}

static uint16_t did_of(uint16_t domain)
{
	return (uint16_t)(domain + 10);
}

static int op_point(void *ctx, uint16_t device, uint16_t sid, uint16_t domain)
{
	(void)ctx;
	(void)device;
	P.calls++;
	if (domain == LEDGER_QUARANTINE)
		return (int)mock_unit_ops.block(P.u, sid);
	return (int)mock_unit_ops.attach(P.u, sid, did_of(domain), 0x1000u * (domain + 1), 3);
}

static int op_flush(void *ctx, uint16_t from, uint16_t to)
{
	int err = 0;

	(void)ctx;
	P.calls++;
	for (unsigned k = 0; k < 2; k++) {
		uint16_t d = k == 0 ? from : to;
		if (d == LEDGER_QUARANTINE || err)
			continue;
		err = (int)mock_unit_ops.inv_context_domain(P.u, did_of(d));
		if (err == 0)
			err = (int)mock_unit_ops.inv_iotlb_domain(P.u, did_of(d));
	}
	return err != 0 ? err : (int)mock_unit_ops.wait(P.u);
}

static int op_reset(void *ctx, uint16_t device, uint32_t sbdf)
{
	(void)ctx;
	(void)device;
	if (sbdf & NO_RESET)
		return LEDGER_SKIPPED;
	if (fails())
		return 0x107; /* TIMEOUT */
	P.resets++;
	return 0;
}

static int op_grant(void *ctx, uint16_t group, uint16_t domain)
{
	(void)ctx;
	if (fails())
		return 0x108; /* NO_RESOURCES */
	P.device_cap[group] = domain;
	return 0;
}

static const struct ledger_ops ops = {
        .bus_master = op_bus_master,
        .retire = op_retire,
        .revoke = op_revoke,
        .irq_teardown = op_irq_teardown,
        .point = op_point,
        .flush = op_flush,
        .reset = op_reset,
        .grant = op_grant,
};

static bool live(void *ctx, uint16_t domain)
{
	(void)ctx;
	return domain < DOMAINS && P.live[domain];
}

/* The context entry of sid as the mock unit holds it: its domain or quarantine. */
static uint16_t where(void *ctx, uint16_t sid)
{
	uint64_t phys;
	unsigned rights;
	uint16_t did;

	(void)ctx;
	for (unsigned i = 0; i < MOCK_MAX_DEVICES; i++) {
		const struct mock_context *c = &P.unit.ctx[i];
		if (!c->used || c->source_id != sid)
			continue;
		if (!c->attached)
			return LEDGER_QUARANTINE;
		(void)phys;
		(void)rights;
		did = c->domain_id;
		return (uint16_t)(did - 10);
	}
	return LEDGER_NONE; /* never written: not even quarantine */
}

/*
 * Devices: edu at 00:02.0 alone; a bridge group of 01:01.0 and 01:02.0
 * that the IOMMU sees as the bridge's 01:00.0 (an alias of both); a PF
 * 02:00.0 with a VF 02:00.1 in its own group. The fake reset-less device
 * carries NO_RESET in its sbdf.
 */
enum { EDU, BR1, BR2, PF, VF };
static uint16_t idx[5];

static void add(unsigned which, uint32_t sbdf, uint32_t group, uint16_t pf, uint16_t alias,
                bool has_alias)
{
	assert_int_equal(ledger_add(&P.l, sbdf, group, pf, &alias, has_alias, &idx[which]),
	                 LEDGER_OK);
	assert_int_equal(op_point(NULL, idx[which], (uint16_t)sbdf, LEDGER_QUARANTINE), 0);
	if (has_alias)
		assert_int_equal(op_point(NULL, idx[which], alias, LEDGER_QUARANTINE), 0);
}

static void setup(unsigned nth)
{
	memset(&P, 0, sizeof(P));
	mock_mem_init(&P.mem, &P.fail);
	mock_unit_init(&P.unit, &P.mem, &P.fail);
	P.u = mock_unit_handle(&P.unit);
	ledger_init(&P.l, P.dev, DEVS, P.grp, DEVS, &ops);
	for (unsigned i = 0; i < 4096; i++)
		P.device_cap[i] = LEDGER_NONE;
	P.live[DOM_A] = P.live[DOM_B] = true;
	add(EDU, 0x0010 | NO_RESET, 0x0010 | NO_RESET, LEDGER_NONE, 0, false);
	add(BR1, 0x0108, 0x0100, LEDGER_NONE, 0x0100, true);
	add(BR2, 0x0110, 0x0100, LEDGER_NONE, 0x0100, true);
	add(PF, 0x0200, 0x0200, LEDGER_NONE, 0, false);
	add(VF, 0x0201, 0x0201, idx[PF], 0, false);
	P.fail.nth = nth;
}

static void invariants(void)
{
	uint16_t bad;

	assert_int_equal(ledger_check(&P.l, live, where, NULL, &bad), 0);
	for (unsigned g = 0; g < DEVS; g++) {
		const struct ledger_group *gr = &P.grp[g];
		if (!gr->used)
			continue;
		/* A device cap exists exactly for a group out of quarantine, for its owner. */
		assert_int_equal(P.device_cap[g],
		                 gr->owner == LEDGER_QUARANTINE ? LEDGER_NONE : gr->owner);
	}
	assert_int_equal(mock_mem_fini(&P.mem), 0);
}

/* Sets up the starting state without failures, then arms the sweep's failure. */
static void prepare(unsigned nth, void (*start)(void))
{
	setup(0);
	if (start != NULL)
		start();
	P.fail = (struct mock_fail){.nth = nth};
	P.calls = 0;
}

static void bridge_in_a(void)
{
	P.mastering[0x0108] = P.mastering[0x0110] = true;
	assert_int_equal(ledger_move(&P.l, idx[BR1], DOM_A, LEDGER_MOVE_GROUP, NULL), LEDGER_OK);
	P.mastering[0x0108] = P.mastering[0x0110] = true;
	P.irqs[idx[BR1]] = 2;
}

/* The state after a move that failed: restored or quarantined, per the journal. */
static void check_failed(const struct ledger_result *r, uint16_t from, const bool *mastering_before)
{
	uint16_t g = P.dev[ledger_find(&P.l, r->sbdf)].group;

	assert_int_equal(r->err, LEDGER_ERR_STEP);
	assert_int_not_equal(r->cause, 0);
	if (r->failed < LEDGER_STEP_REVOKE && r->to != LEDGER_QUARANTINE) {
		assert_int_equal(r->rollback, LEDGER_ROLLBACK_RESTORED);
		assert_int_equal(P.grp[g].owner, from);
		for (uint16_t i = P.grp[g].first; i != LEDGER_NONE; i = P.dev[i].next)
			assert_int_equal(P.mastering[(uint16_t)P.dev[i].sbdf],
			                 mastering_before[(uint16_t)P.dev[i].sbdf]);
		return;
	}
	assert_int_equal(r->rollback, LEDGER_ROLLBACK_QUARANTINED);
	assert_int_equal(P.grp[g].owner, LEDGER_QUARANTINE);
	assert_false(P.grp[g].broken);
	for (uint16_t i = P.grp[g].first; i != LEDGER_NONE; i = P.dev[i].next) {
		assert_int_equal(where(NULL, (uint16_t)P.dev[i].sbdf), LEDGER_QUARANTINE);
		assert_int_equal(P.irqs[i], 0);
	}
}

struct sweep {
	void (*start)(void);
	uint16_t *device;
	uint16_t to;
	unsigned flags;
};

static void run_sweep(const struct sweep *s)
{
	unsigned n, failures = 0;

	for (n = 1; n <= MAX_SWEEP; n++) {
		static bool before[0x10000];
		struct ledger_result r;
		uint16_t from;
		enum ledger_err err;

		prepare(n, s->start);
		from = ledger_owner(&P.l, *s->device);
		memcpy(before, P.mastering, sizeof(before));
		err = ledger_move(&P.l, *s->device, s->to, s->flags, &r);
		if (!P.fail.fired) {
			assert_int_equal(err, LEDGER_OK);
			assert_int_equal(ledger_owner(&P.l, *s->device), s->to);
			assert_int_equal(r.steps | r.skipped, (1u << LEDGER_STEPS) - 1);
			assert_int_equal(r.skipped,
			                 *s->device == idx[EDU] ? 1u << LEDGER_STEP_RESET : 0);
			invariants();
			break;
		}
		failures++;
		check_failed(&r, from, before);
		invariants();
	}
	assert_true(n <= MAX_SWEEP);
	/* Every counted step failed once: bus master, retire, revoke, irq, point, flush... */
	assert_true(failures >= 7);
}

static void test_assign_single_fail_nth(void **state)
{
	(void)state;
	run_sweep(&(struct sweep){NULL, &idx[EDU], DOM_A, 0});
}

static void test_reassign_group_fail_nth(void **state)
{
	(void)state;
	run_sweep(&(struct sweep){bridge_in_a, &idx[BR2], DOM_B, LEDGER_MOVE_GROUP});
}

static void test_release_group_fail_nth(void **state)
{
	(void)state;
	run_sweep(&(struct sweep){bridge_in_a, &idx[BR1], LEDGER_QUARANTINE, LEDGER_MOVE_GROUP});
}

/* Death: every group of the domain goes to quarantine, whatever step fails. */
static void test_release_domain_fail_nth(void **state)
{
	unsigned n, moved;

	(void)state;
	for (n = 1; n <= MAX_SWEEP; n++) {
		prepare(n, bridge_in_a);
		P.fail.nth = 0;
		assert_int_equal(ledger_move(&P.l, idx[EDU], DOM_A, 0, NULL), LEDGER_OK);
		P.fail = (struct mock_fail){.nth = n};
		ledger_release_domain(&P.l, DOM_A, &moved);
		assert_int_equal(moved, 3);
		assert_int_equal(ledger_domain_devices(&P.l, DOM_A), 0);
		assert_int_equal(ledger_owner(&P.l, idx[EDU]), LEDGER_QUARANTINE);
		assert_int_equal(ledger_owner(&P.l, idx[BR1]), LEDGER_QUARANTINE);
		P.live[DOM_A] = false; /* the domain can go now */
		invariants();
		if (!P.fail.fired)
			break;
	}
	assert_true(n > 1 && n <= MAX_SWEEP);
}

static void test_refusals_change_nothing(void **state)
{
	struct ledger_result r;
	uint64_t seq;

	(void)state;
	setup(0);
	/* Splitting the bridge group names the other member. */
	assert_int_equal(ledger_move(&P.l, idx[BR1], DOM_A, 0, &r), LEDGER_ERR_GROUP);
	assert_int_equal(r.other, idx[BR2]);
	assert_int_equal(r.steps, 0);
	assert_int_equal(ledger_owner(&P.l, idx[BR2]), LEDGER_QUARANTINE);
	/* Already there. */
	assert_int_equal(ledger_move(&P.l, idx[EDU], LEDGER_QUARANTINE, 0, &r),
	                 LEDGER_ERR_SAME_OWNER);
	/* A PF whose VF is assigned cannot move; the error names the VF. */
	assert_int_equal(ledger_move(&P.l, idx[VF], DOM_A, 0, NULL), LEDGER_OK);
	seq = P.l.seq;
	assert_int_equal(ledger_move(&P.l, idx[PF], DOM_B, 0, &r), LEDGER_ERR_VF_ASSIGNED);
	assert_int_equal(r.other, idx[VF]);
	assert_int_equal(ledger_vf_assigned(&P.l, idx[PF]), idx[VF]);
	assert_int_equal(ledger_remove(&P.l, idx[VF]), LEDGER_ERR_SAME_OWNER);
	/* The VF back in quarantine: the PF moves, and the VF can be forgotten. */
	assert_int_equal(ledger_move(&P.l, idx[VF], LEDGER_QUARANTINE, 0, NULL), LEDGER_OK);
	assert_int_equal(ledger_move(&P.l, idx[PF], DOM_B, 0, NULL), LEDGER_OK);
	assert_int_equal(ledger_remove(&P.l, idx[VF]), LEDGER_OK);
	assert_int_equal(P.l.seq, seq + 3);
	assert_int_equal(ledger_journal(&P.l, 2)->err, LEDGER_ERR_VF_ASSIGNED);
	invariants();
}

/* The quarantine's own wait fails too: broken, pointed at quarantine, never moved again. */
static void test_broken_when_every_wait_fails(void **state)
{
	struct ledger_result r;

	(void)state;
	setup(0);
	assert_int_equal(ledger_move(&P.l, idx[EDU], DOM_A, 0, NULL), LEDGER_OK);
	P.unit.wait_times_out = true;
	assert_int_equal(ledger_move(&P.l, idx[EDU], DOM_B, 0, &r), LEDGER_ERR_STEP);
	assert_int_equal(r.failed, LEDGER_STEP_INVALIDATE);
	assert_int_equal(r.rollback, LEDGER_ROLLBACK_BROKEN);
	assert_int_equal(r.owner, LEDGER_QUARANTINE);
	assert_int_equal(where(NULL, 0x0010), LEDGER_QUARANTINE);
	P.unit.wait_times_out = false;
	assert_int_equal(ledger_move(&P.l, idx[EDU], DOM_B, 0, &r), LEDGER_ERR_BROKEN);
	assert_int_equal(r.steps, 0);
	invariants();
}

/* A move's order: revocation and interrupts before the context entries, the reset after the wait.
 */
static void test_generation_and_journal(void **state)
{
	const struct ledger_result *j;
	uint32_t gen;

	(void)state;
	setup(0);
	gen = P.grp[P.dev[idx[EDU]].group].generation;
	assert_int_equal(ledger_move(&P.l, idx[EDU], DOM_A, 0, NULL), LEDGER_OK);
	assert_int_equal(ledger_move(&P.l, idx[EDU], DOM_B, 0, NULL), LEDGER_OK);
	assert_int_equal(P.grp[P.dev[idx[EDU]].group].generation, gen + 2);
	j = ledger_journal(&P.l, 0);
	assert_non_null(j);
	assert_int_equal(j->from, DOM_A);
	assert_int_equal(j->to, DOM_B);
	assert_int_equal(j->moved, 1);
	assert_int_equal(ledger_journal(&P.l, 1)->to, DOM_A);
	assert_null(ledger_journal(&P.l, 2));
	assert_int_equal(P.resets, 0); /* no reset method: skipped, not failed */
	assert_string_equal(ledger_step_name(LEDGER_STEP_IRQ_TEARDOWN), "irq-teardown");
	invariants();
}

/*
 * SR-IOV: a second PF, 03:00.0, owned by domain A, enables two VFs, each
 * alone in its group; the second has a DMA alias.
 */
#define PF2_SBDF 0x0300u
static uint16_t pf2;
static const struct ledger_vf two_vfs[2] = {
        {.sbdf = 0x0301, .group_id = 0x0301},
        {.sbdf = 0x0302, .group_id = 0x0302, .nalias = 1, .alias = {0x0303}},
};

static void pf2_in_a(void)
{
	assert_int_equal(ledger_add(&P.l, PF2_SBDF, PF2_SBDF, LEDGER_NONE, NULL, 0, &pf2),
	                 LEDGER_OK);
	assert_int_equal(op_point(NULL, pf2, PF2_SBDF, LEDGER_QUARANTINE), 0);
	assert_int_equal(ledger_move(&P.l, pf2, DOM_A, 0, NULL), LEDGER_OK);
}

/* Where a VF's requester IDs point: quarantine, or (a write failed) nowhere; never a domain. */
static void vf_blocked(const struct ledger_vf *v)
{
	uint16_t w = where(NULL, (uint16_t)v->sbdf);

	assert_true(w == LEDGER_QUARANTINE || w == LEDGER_NONE);
	for (unsigned k = 0; k < v->nalias; k++) {
		w = where(NULL, v->alias[k]);
		assert_true(w == LEDGER_QUARANTINE || w == LEDGER_NONE);
	}
}

/*
 * Enabling, with every context write and the wait failing in turn: the
 * VFs are in quarantine, linked to the PF, or (after a failure) recorded
 * in quarantine, broken, never pointed at a domain, and forgotten whole.
 */
static void test_vfs_enable_fail_nth(void **state)
{
	unsigned n, removed, failed_at[LEDGER_STEPS] = {0};
	struct ledger_result r;
	enum ledger_err err;
	uint16_t other;

	(void)state;
	for (n = 1; n <= MAX_SWEEP; n++) {
		prepare(n, pf2_in_a);
		err = ledger_add_vfs(&P.l, pf2, two_vfs, 2, &r);
		assert_int_equal(err, P.fail.fired ? LEDGER_ERR_STEP : LEDGER_OK);
		assert_int_equal(r.moved, 2);
		for (unsigned k = 0; k < 2; k++) {
			uint16_t d = ledger_find(&P.l, two_vfs[k].sbdf);
			assert_int_not_equal(d, LEDGER_NONE);
			assert_int_equal(P.dev[d].pf, pf2);
			assert_int_equal(ledger_owner(&P.l, d), LEDGER_QUARANTINE);
			assert_int_equal(P.grp[P.dev[d].group].broken, P.fail.fired);
			vf_blocked(&two_vfs[k]);
		}
		assert_int_equal(P.dev[pf2].vfs_out, 0);
		if (!P.fail.fired) {
			assert_int_equal(where(NULL, 0x0303), LEDGER_QUARANTINE);
			invariants();
			break;
		}
		assert_int_equal(r.rollback, LEDGER_ROLLBACK_BROKEN);
		assert_int_not_equal(r.cause, 0);
		failed_at[r.failed]++;
		/* Broken: never moved; but, in quarantine, they can be forgotten. */
		assert_int_equal(ledger_move(&P.l, ledger_find(&P.l, 0x0301), DOM_B, 0, NULL),
		                 LEDGER_ERR_BROKEN);
		assert_int_equal(ledger_remove_vfs(&P.l, pf2, &other, &removed), LEDGER_OK);
		assert_int_equal(removed, 2);
		assert_int_equal(ledger_find(&P.l, 0x0301), LEDGER_NONE);
		assert_int_equal(ledger_find_sid(&P.l, 0x0303), LEDGER_NONE);
		invariants();
	}
	assert_true(n > 1 && n <= MAX_SWEEP);
	/* Each of the three requester IDs' writes, and the wait. */
	assert_true(failed_at[LEDGER_STEP_POINT] >= 3);
	assert_true(failed_at[LEDGER_STEP_INVALIDATE] >= 1);
}

/* Refusals record nothing and write no context entry. */
static void test_vfs_refusals(void **state)
{
	struct ledger_vf three[3] = {two_vfs[0], two_vfs[1], {.sbdf = 0x0304, .group_id = 0x0304}};
	struct ledger_vf clash = {.sbdf = 0x0010 | NO_RESET, .group_id = 0x0305};
	struct ledger_vf in_bridge = {.sbdf = 0x0118, .group_id = 0x0100};
	struct ledger_result r;

	(void)state;
	prepare(0, pf2_in_a);
	bridge_in_a();
	/* Six devices of eight: no room for three more. */
	assert_int_equal(ledger_add_vfs(&P.l, pf2, three, 3, &r), LEDGER_ERR_FULL);
	/* The SBDF of a device recorded already; a group out of quarantine. */
	assert_int_equal(ledger_add_vfs(&P.l, pf2, &clash, 1, &r), LEDGER_ERR_GROUP);
	assert_int_equal(r.other, idx[EDU]);
	assert_int_equal(ledger_add_vfs(&P.l, pf2, &in_bridge, 1, &r), LEDGER_ERR_GROUP);
	assert_int_equal(P.dev[r.other].group, P.dev[idx[BR1]].group);
	assert_int_equal(ledger_add_vfs(&P.l, LEDGER_NONE, two_vfs, 2, &r), LEDGER_ERR_NO_DEVICE);
	for (unsigned k = 0; k < 3; k++) {
		assert_int_equal(ledger_find(&P.l, three[k].sbdf), LEDGER_NONE);
		assert_int_equal(where(NULL, (uint16_t)three[k].sbdf), LEDGER_NONE);
	}
	assert_int_equal(ledger_find(&P.l, 0x0118), LEDGER_NONE);
	invariants();
}

/*
 * While a VF is assigned its VFs cannot go and its PF cannot move (both
 * name the VF); with every VF in quarantine the PF moves and the VFs go.
 * Groups that went keep their generation: a slot made again starts past it.
 */
static void test_vfs_remove(void **state)
{
	struct ledger_result r;
	unsigned removed;
	uint16_t vf1, other, g;
	uint32_t gen;
	bool reused;

	(void)state;
	prepare(0, pf2_in_a);
	assert_int_equal(ledger_add_vfs(&P.l, pf2, two_vfs, 2, &r), LEDGER_OK);
	vf1 = ledger_find(&P.l, 0x0301);
	/* A PF whose VFs are all in quarantine moves. */
	assert_int_equal(ledger_move(&P.l, pf2, DOM_B, 0, NULL), LEDGER_OK);
	assert_int_equal(ledger_move(&P.l, vf1, DOM_A, 0, NULL), LEDGER_OK);
	assert_int_equal(P.dev[pf2].vfs_out, 1);
	assert_int_equal(ledger_remove_vfs(&P.l, pf2, &other, &removed), LEDGER_ERR_VF_ASSIGNED);
	assert_int_equal(other, vf1);
	assert_int_equal(removed, 0);
	assert_int_equal(ledger_move(&P.l, pf2, DOM_A, 0, &r), LEDGER_ERR_VF_ASSIGNED);
	assert_int_equal(r.other, vf1);
	assert_int_equal(ledger_move(&P.l, pf2, LEDGER_QUARANTINE, 0, &r), LEDGER_ERR_VF_ASSIGNED);
	/* Its owner dies: the PF goes to quarantine all the same, and stays there. */
	assert_int_equal(ledger_release_domain(&P.l, DOM_B, &removed), LEDGER_OK);
	assert_int_equal(ledger_owner(&P.l, pf2), LEDGER_QUARANTINE);
	assert_int_equal(ledger_owner(&P.l, vf1), DOM_A);
	assert_int_equal(P.device_cap[P.dev[pf2].group], LEDGER_NONE);
	assert_int_equal(ledger_move(&P.l, pf2, DOM_B, LEDGER_MOVE_FORCE, &r),
	                 LEDGER_ERR_VF_ASSIGNED);
	assert_int_not_equal(ledger_find(&P.l, 0x0302), LEDGER_NONE);
	invariants();
	/* Back in quarantine: the VFs go, with their groups. */
	assert_int_equal(ledger_move(&P.l, vf1, LEDGER_QUARANTINE, 0, NULL), LEDGER_OK);
	g = P.dev[vf1].group;
	gen = P.grp[g].generation;
	assert_int_equal(ledger_remove_vfs(&P.l, pf2, &other, &removed), LEDGER_OK);
	assert_int_equal(removed, 2);
	assert_false(P.grp[g].used);
	assert_int_equal(ledger_find(&P.l, 0x0301), LEDGER_NONE);
	assert_int_equal(P.dev[pf2].vfs_out, 0);
	invariants();
	/* Enabled again: the VF's group slot comes back at a later generation. */
	assert_int_equal(ledger_add_vfs(&P.l, pf2, two_vfs, 2, &r), LEDGER_OK);
	reused = false;
	for (unsigned k = 0; k < 2; k++)
		reused |= P.dev[ledger_find(&P.l, two_vfs[k].sbdf)].group == g;
	assert_true(reused);
	assert_true(P.grp[g].generation > gen);
	/* Nothing enabled is nothing to forget. */
	assert_int_equal(ledger_remove_vfs(&P.l, idx[EDU], &other, &removed), LEDGER_OK);
	assert_int_equal(removed, 0);
	invariants();
}

/* The work of a move does not grow with the number of devices or groups. */
static void test_cost_independent_of_size(void **state)
{
	static struct ledger_device dev[4096];
	static struct ledger_group grp[4096];
	unsigned calls[2];

	(void)state;
	for (unsigned k = 0; k < 2; k++) {
		unsigned n = k == 0 ? 8 : 4096;
		uint16_t d;

		setup(0);
		ledger_init(&P.l, dev, n, grp, n, &ops);
		for (unsigned i = 0; i < n; i++)
			assert_int_equal(ledger_add(&P.l, 0x10000 + i, 0x10000 + i, LEDGER_NONE,
			                            NULL, 0, &d),
			                 LEDGER_OK);
		d = ledger_find(&P.l, 0x10000 + n / 2);
		P.calls = 0;
		assert_int_equal(ledger_move(&P.l, d, DOM_A, 0, NULL), LEDGER_OK);
		assert_int_equal(ledger_move(&P.l, d, DOM_B, 0, NULL), LEDGER_OK);
		calls[k] = P.calls;
		mock_mem_fini(&P.mem);
	}
	assert_int_equal(calls[0], calls[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_assign_single_fail_nth),
	        cmocka_unit_test(test_reassign_group_fail_nth),
	        cmocka_unit_test(test_release_group_fail_nth),
	        cmocka_unit_test(test_release_domain_fail_nth),
	        cmocka_unit_test(test_refusals_change_nothing),
	        cmocka_unit_test(test_broken_when_every_wait_fails),
	        cmocka_unit_test(test_generation_and_journal),
	        cmocka_unit_test(test_cost_independent_of_size),
	        cmocka_unit_test(test_vfs_enable_fail_nth),
	        cmocka_unit_test(test_vfs_refusals),
	        cmocka_unit_test(test_vfs_remove),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

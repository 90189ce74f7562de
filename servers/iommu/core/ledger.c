/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The ownership ledger (ledger.h): groups, their owners, and the one
 * function that changes an owner, step by step, with its rollback.
 */
#include "ledger.h"

#include <stddef.h>

#define each_member(l, g, i) \
	for (uint16_t i = (l)->grp[g].first; i != LEDGER_NONE; i = (l)->dev[i].next)

void ledger_init(struct ledger *l, struct ledger_device *dev, unsigned max_dev,
                 struct ledger_group *grp, unsigned max_grp, const struct ledger_ops *ops)
{
	*l = (struct ledger){
	        .dev = dev, .grp = grp, .max_dev = max_dev, .max_grp = max_grp, .ops = ops};
	for (unsigned i = 0; i < max_dev; i++)
		dev[i] = (struct ledger_device){.next = LEDGER_NONE, .pf = LEDGER_NONE};
	for (unsigned i = 0; i < max_grp; i++)
		grp[i] = (struct ledger_group){.first = LEDGER_NONE, .owner = LEDGER_QUARANTINE};
}

static uint16_t group_by_id(const struct ledger *l, uint32_t id)
{
	for (unsigned g = 0; g < l->max_grp; g++)
		if (l->grp[g].used && l->grp[g].id == id)
			return (uint16_t)g;
	return LEDGER_NONE;
}

static uint16_t free_index(bool (*used)(const struct ledger *, unsigned), const struct ledger *l,
                           unsigned max)
{
	for (unsigned i = 0; i < max; i++)
		if (!used(l, i))
			return (uint16_t)i;
	return LEDGER_NONE;
}

static bool dev_used(const struct ledger *l, unsigned i)
{
	return l->dev[i].used;
}

static bool grp_used(const struct ledger *l, unsigned i)
{
	return l->grp[i].used;
}

enum ledger_err ledger_add(struct ledger *l, uint32_t sbdf, uint32_t group_id, uint16_t pf,
                           const uint16_t *alias, unsigned nalias, uint16_t *index)
{
	uint16_t d = free_index(dev_used, l, l->max_dev), g = group_by_id(l, group_id);

	if (d == LEDGER_NONE || nalias > LEDGER_MAX_ALIASES ||
	    (g == LEDGER_NONE && (g = free_index(grp_used, l, l->max_grp)) == LEDGER_NONE))
		return LEDGER_ERR_FULL;
	if (!l->grp[g].used)
		l->grp[g] = (struct ledger_group){.id = group_id,
		                                  .first = LEDGER_NONE,
		                                  .owner = LEDGER_QUARANTINE,
		                                  .used = true,
		                                  .generation = l->grp[g].generation + 1};
	l->dev[d] = (struct ledger_device){.sbdf = sbdf,
	                                   .group = g,
	                                   .next = l->grp[g].first,
	                                   .pf = pf,
	                                   .nalias = (uint8_t)nalias,
	                                   .used = true};
	for (unsigned k = 0; k < nalias; k++)
		l->dev[d].alias[k] = alias[k];
	l->grp[g].first = d;
	l->grp[g].count++;
	*index = d;
	return LEDGER_OK;
}

enum ledger_err ledger_remove(struct ledger *l, uint16_t device)
{
	struct ledger_group *g;
	uint16_t *link;

	if (device >= l->max_dev || !l->dev[device].used)
		return LEDGER_ERR_NO_DEVICE;
	g = &l->grp[l->dev[device].group];
	if (g->owner != LEDGER_QUARANTINE)
		return LEDGER_ERR_SAME_OWNER;
	for (link = &g->first; *link != device; link = &l->dev[*link].next)
		;
	*link = l->dev[device].next;
	l->dev[device].used = false;
	if (--g->count == 0)
		g->used = false; /* the generation stays: a reused slot starts past it */
	return LEDGER_OK;
}

/* --- SR-IOV: a PF's VFs come and go, always in quarantine -------------------- */

/* Whether n more devices and the VFs' new groups fit. */
static bool vfs_fit(const struct ledger *l, const struct ledger_vf *vf, unsigned n)
{
	unsigned free_dev = 0, free_grp = 0, new_grp = 0;

	for (unsigned i = 0; i < l->max_dev; i++)
		free_dev += !l->dev[i].used;
	for (unsigned g = 0; g < l->max_grp; g++)
		free_grp += !l->grp[g].used;
	for (unsigned i = 0; i < n; i++) {
		bool seen = group_by_id(l, vf[i].group_id) != LEDGER_NONE;
		for (unsigned k = 0; k < i && !seen; k++)
			seen = vf[k].group_id == vf[i].group_id;
		new_grp += !seen;
	}
	return n <= free_dev && new_grp <= free_grp;
}

/* A device in the way of VF v: one with its SBDF, or a member of its group, owned or broken. */
static uint16_t vf_collides(const struct ledger *l, const struct ledger_vf *v)
{
	uint16_t g = group_by_id(l, v->group_id), d = ledger_find(l, v->sbdf);

	if (d != LEDGER_NONE)
		return d;
	if (g != LEDGER_NONE && (l->grp[g].owner != LEDGER_QUARANTINE || l->grp[g].broken))
		return l->grp[g].first;
	return LEDGER_NONE;
}

/* Every requester ID of device d at quarantine; the first failure's cause. */
static int point_quarantine(struct ledger *l, uint16_t d)
{
	const struct ledger_ops *ops = l->ops;
	const struct ledger_device *dv = &l->dev[d];
	int cause = ops->point(ops->ctx, d, (uint16_t)dv->sbdf, LEDGER_QUARANTINE);

	for (unsigned k = 0; k < dv->nalias && cause == 0; k++)
		cause = ops->point(ops->ctx, d, dv->alias[k], LEDGER_QUARANTINE);
	return cause;
}

enum ledger_err ledger_add_vfs(struct ledger *l, uint16_t pf, const struct ledger_vf *vf,
                               unsigned n, struct ledger_result *out)
{
	uint16_t added[LEDGER_MAX_VFS];
	unsigned k;

	*out = (struct ledger_result){.to = LEDGER_QUARANTINE,
	                              .from = LEDGER_QUARANTINE,
	                              .owner = LEDGER_QUARANTINE,
	                              .other = LEDGER_NONE};
	if (pf >= l->max_dev || !l->dev[pf].used)
		return out->err = LEDGER_ERR_NO_DEVICE;
	if (n > LEDGER_MAX_VFS || !vfs_fit(l, vf, n))
		return out->err = LEDGER_ERR_FULL;
	for (k = 0; k < n; k++) {
		if (vf[k].nalias > LEDGER_MAX_ALIASES)
			return out->err = LEDGER_ERR_FULL;
		if ((out->other = vf_collides(l, &vf[k])) != LEDGER_NONE)
			return out->err = LEDGER_ERR_GROUP;
	}
	for (k = 0; k < n; k++) /* cannot fail: vfs_fit() */
		(void)ledger_add(l, vf[k].sbdf, vf[k].group_id, pf, vf[k].alias, vf[k].nalias,
		                 &added[k]);
	out->moved = (uint16_t)n;
	for (k = 0; k < n && out->cause == 0; k++)
		out->cause = point_quarantine(l, added[k]);
	out->failed = out->cause != 0 ? LEDGER_STEP_POINT : LEDGER_STEP_INVALIDATE;
	if (out->cause == 0)
		out->cause = l->ops->flush(l->ops->ctx, LEDGER_QUARANTINE, LEDGER_QUARANTINE);
	if (out->cause == 0)
		return out->err = LEDGER_OK;
	/* Unknown what the unit sees: the VFs stay blocked and are never moved. */
	for (k = 0; k < n; k++)
		l->grp[l->dev[added[k]].group].broken = true;
	out->rollback = LEDGER_ROLLBACK_BROKEN;
	return out->err = LEDGER_ERR_STEP;
}

enum ledger_err ledger_remove_vfs(struct ledger *l, uint16_t pf, uint16_t *other, unsigned *removed)
{
	*removed = 0;
	if ((*other = ledger_vf_assigned(l, pf)) != LEDGER_NONE)
		return LEDGER_ERR_VF_ASSIGNED;
	for (unsigned i = 0; i < l->max_dev; i++)
		if (l->dev[i].used && l->dev[i].pf == pf &&
		    ledger_remove(l, (uint16_t)i) == LEDGER_OK)
			(*removed)++;
	return LEDGER_OK;
}

uint16_t ledger_vf_assigned(const struct ledger *l, uint16_t pf)
{
	for (unsigned i = 0; i < l->max_dev; i++)
		if (l->dev[i].used && l->dev[i].pf == pf &&
		    l->grp[l->dev[i].group].owner != LEDGER_QUARANTINE)
			return (uint16_t)i;
	return LEDGER_NONE;
}

uint16_t ledger_find(const struct ledger *l, uint32_t sbdf)
{
	for (unsigned i = 0; i < l->max_dev; i++)
		if (l->dev[i].used && l->dev[i].sbdf == sbdf)
			return (uint16_t)i;
	return LEDGER_NONE;
}

uint16_t ledger_find_sid(const struct ledger *l, uint16_t sid)
{
	for (unsigned i = 0; i < l->max_dev; i++) {
		const struct ledger_device *d = &l->dev[i];
		if (!d->used)
			continue;
		if ((uint16_t)d->sbdf == sid)
			return (uint16_t)i;
		for (unsigned k = 0; k < d->nalias; k++)
			if (d->alias[k] == sid)
				return (uint16_t)i;
	}
	return LEDGER_NONE;
}

uint16_t ledger_owner(const struct ledger *l, uint16_t device)
{
	return l->grp[l->dev[device].group].owner;
}

unsigned ledger_domain_devices(const struct ledger *l, uint16_t domain)
{
	unsigned n = 0;

	for (unsigned g = 0; g < l->max_grp; g++)
		if (l->grp[g].used && l->grp[g].owner == domain)
			n += l->grp[g].count;
	return n;
}

/* --- the move ------------------------------------------------------------ */

struct move {
	struct ledger *l;
	uint16_t g;
	struct ledger_result *r;
	bool all_skipped; /* the step just run: every member skipped it */
	uint64_t mark;    /* ops.clock when the step now running began */
};

/* Changes the owner; a PF counts its VFs out of quarantine. */
static void set_owner(struct ledger *l, uint16_t g, uint16_t owner)
{
	bool was_out = l->grp[g].owner != LEDGER_QUARANTINE, out = owner != LEDGER_QUARANTINE;

	if (was_out != out) {
		each_member(l, g, i)
		{
			if (l->dev[i].pf != LEDGER_NONE)
				l->dev[l->dev[i].pf].vfs_out += out ? 1 : -1;
		}
	}
	if (l->grp[g].owner != owner)
		l->grp[g].generation++;
	l->grp[g].owner = owner;
}

/*
 * The steps after CHECK, one function each, in enum ledger_step's order.
 * Each returns 0 when done, or the cause of its failure (the first member
 * that failed stops the step).
 */
static int bus_master_off(struct move *m)
{
	const struct ledger_ops *ops = m->l->ops;

	each_member(m->l, m->g, i)
	{
		struct ledger_device *d = &m->l->dev[i];
		int cause = ops->bus_master(ops->ctx, d->sbdf, false, &d->was_mastering);

		if (cause != 0)
			return cause;
	}
	return 0;
}

static int revoke(struct move *m)
{
	const struct ledger_ops *ops = m->l->ops;
	int cause = ops->retire(ops->ctx, m->g);

	each_member(m->l, m->g, i)
	{
		if (cause != 0)
			break;
		cause = ops->revoke(ops->ctx, m->l->dev[i].sbdf);
	}
	return cause;
}

static int irq_teardown(struct move *m)
{
	const struct ledger_ops *ops = m->l->ops;
	int cause = 0;

	each_member(m->l, m->g, i)
	{
		if ((cause = ops->irq_teardown(ops->ctx, i)) != 0)
			break;
	}
	return cause;
}

static int point(struct move *m)
{
	const struct ledger_ops *ops = m->l->ops;
	int cause = 0;

	each_member(m->l, m->g, i)
	{
		const struct ledger_device *d = &m->l->dev[i];

		cause = ops->point(ops->ctx, i, (uint16_t)d->sbdf, m->r->to);
		for (unsigned k = 0; k < d->nalias && cause == 0; k++)
			cause = ops->point(ops->ctx, i, d->alias[k], m->r->to);
		if (cause != 0)
			break;
	}
	return cause;
}

static int invalidate(struct move *m)
{
	return m->l->ops->flush(m->l->ops->ctx, m->r->from, m->r->to);
}

/* The only step a member may skip (LEDGER_SKIPPED: no reset method). */
static int reset(struct move *m)
{
	const struct ledger_ops *ops = m->l->ops;
	unsigned members = 0, skipped = 0;

	each_member(m->l, m->g, i)
	{
		int cause = ops->reset(ops->ctx, i, m->l->dev[i].sbdf);

		members++;
		if (cause == LEDGER_SKIPPED)
			skipped++;
		else if (cause != 0)
			return cause;
	}
	m->all_skipped = members != 0 && skipped == members;
	return 0;
}

static int grant(struct move *m)
{
	const struct ledger_ops *ops = m->l->ops;

	return m->r->to == LEDGER_QUARANTINE ? 0 : ops->grant(ops->ctx, m->g, m->r->to);
}

static int (*const step_work[LEDGER_STEPS])(struct move *) = {
        [LEDGER_STEP_BUS_MASTER_OFF] = bus_master_off,
        [LEDGER_STEP_REVOKE] = revoke,
        [LEDGER_STEP_IRQ_TEARDOWN] = irq_teardown,
        [LEDGER_STEP_POINT] = point,
        [LEDGER_STEP_INVALIDATE] = invalidate,
        [LEDGER_STEP_RESET] = reset,
        [LEDGER_STEP_GRANT] = grant,
};

/*
 * Runs step s, timed when the ops have a clock (one reading per step: its
 * end is the next one's start), and records it in the result.
 */
static bool run_step(struct move *m, enum ledger_step s)
{
	const struct ledger_ops *ops = m->l->ops;
	int cause;

	m->all_skipped = false;
	cause = step_work[s](m);
	if (ops->clock != NULL) {
		uint64_t now = ops->clock(ops->ctx);

		m->r->cost[s] = (uint32_t)(now - m->mark);
		m->mark = now;
	}
	if (cause != 0) {
		m->r->failed = s;
		m->r->cause = cause;
		return false;
	}
	if (m->all_skipped)
		m->r->skipped |= (uint16_t)(1u << s);
	else
		m->r->steps |= (uint16_t)(1u << s);
	return true;
}

/* Before REVOKE: bus mastering back as it was; nothing else changed. */
static void restore(struct move *m)
{
	const struct ledger_ops *ops = m->l->ops;
	bool was;

	each_member(m->l, m->g, i)
	{
		if (m->l->dev[i].was_mastering)
			ops->bus_master(ops->ctx, m->l->dev[i].sbdf, true, &was);
	}
	m->r->rollback = LEDGER_ROLLBACK_RESTORED;
}

/* REVOKE or later: every member to quarantine, whatever the failure was. */
static void quarantine(struct move *m)
{
	const struct ledger_ops *ops = m->l->ops;
	struct ledger_group *g = &m->l->grp[m->g];
	bool ok = ops->retire(ops->ctx, m->g) == 0;

	each_member(m->l, m->g, i)
	{
		const struct ledger_device *d = &m->l->dev[i];

		ok = ops->irq_teardown(ops->ctx, i) == 0 && ok;
		ok = ops->point(ops->ctx, i, (uint16_t)d->sbdf, LEDGER_QUARANTINE) == 0 && ok;
		for (unsigned k = 0; k < d->nalias; k++)
			ok = ops->point(ops->ctx, i, d->alias[k], LEDGER_QUARANTINE) == 0 && ok;
	}
	ok = ops->flush(ops->ctx, m->r->from, m->r->to) == 0 && ok;
	set_owner(m->l, m->g, LEDGER_QUARANTINE);
	g->broken = !ok;
	m->r->rollback = ok ? LEDGER_ROLLBACK_QUARANTINED : LEDGER_ROLLBACK_BROKEN;
}

/* The member of the group other than `device` that a split would leave behind. */
static uint16_t other_member(const struct ledger *l, uint16_t g, uint16_t device)
{
	each_member(l, g, i)
	{
		if (i != device)
			return i;
	}
	return LEDGER_NONE;
}

/* A member that is a PF with a VF out of quarantine (in another group): that VF. */
static uint16_t vf_in_the_way(const struct ledger *l, uint16_t g)
{
	each_member(l, g, i)
	{
		uint16_t vf = l->dev[i].vfs_out != 0 ? ledger_vf_assigned(l, i) : LEDGER_NONE;

		if (vf != LEDGER_NONE && l->dev[vf].group != g)
			return vf;
	}
	return LEDGER_NONE;
}

static enum ledger_err check(struct move *m, uint16_t device, unsigned flags)
{
	const struct ledger *l = m->l;
	const struct ledger_group *g = &l->grp[m->g];

	if (g->broken)
		return LEDGER_ERR_BROKEN;
	if (g->owner == m->r->to)
		return LEDGER_ERR_SAME_OWNER;
	if (g->count > 1 && !(flags & LEDGER_MOVE_GROUP)) {
		m->r->other = other_member(l, m->g, device);
		return LEDGER_ERR_GROUP;
	}
	if ((flags & LEDGER_MOVE_FORCE) && m->r->to == LEDGER_QUARANTINE)
		return LEDGER_OK;
	if ((m->r->other = vf_in_the_way(l, m->g)) != LEDGER_NONE)
		return LEDGER_ERR_VF_ASSIGNED;
	return LEDGER_OK;
}

static struct ledger_result *journal_next(struct ledger *l)
{
	struct ledger_result *r = &l->journal[l->seq % LEDGER_JOURNAL];

	r->seq = ++l->seq; /* the caller fills in the rest */
	return r;
}

enum ledger_err ledger_move(struct ledger *l, uint16_t device, uint16_t to, unsigned flags,
                            struct ledger_result *out)
{
	struct ledger_result *r;
	struct move m;
	uint64_t start;

	if (device >= l->max_dev || !l->dev[device].used)
		return LEDGER_ERR_NO_DEVICE;
	r = journal_next(l);
	m = (struct move){.l = l, .g = l->dev[device].group, .r = r};
	each_member(l, m.g, i)
	{
		l->dev[i].was_mastering = false;
	}
	*r = (struct ledger_result){.seq = r->seq,
	                            .sbdf = l->dev[device].sbdf,
	                            .group_id = l->grp[m.g].id,
	                            .group = m.g,
	                            .from = l->grp[m.g].owner,
	                            .to = to,
	                            .other = LEDGER_NONE};
	start = l->ops->clock != NULL ? l->ops->clock(l->ops->ctx) : 0;
	r->err = check(&m, device, flags);
	if (l->ops->clock != NULL) {
		m.mark = l->ops->clock(l->ops->ctx);
		r->cost[LEDGER_STEP_CHECK] = (uint32_t)(m.mark - start);
	}
	if (r->err == LEDGER_OK) {
		r->steps = 1u << LEDGER_STEP_CHECK;
		for (enum ledger_step s = LEDGER_STEP_BUS_MASTER_OFF; s < LEDGER_STEPS; s++)
			if (!run_step(&m, s)) {
				r->err = LEDGER_ERR_STEP;
				if (s < LEDGER_STEP_REVOKE && to != LEDGER_QUARANTINE)
					restore(&m);
				else
					quarantine(&m);
				break;
			}
		if (r->err == LEDGER_OK) {
			set_owner(l, m.g, to);
			r->moved = l->grp[m.g].count;
		}
	}
	r->owner = l->grp[m.g].owner;
	if (out != NULL)
		*out = *r;
	return r->err;
}

enum ledger_err ledger_release_domain(struct ledger *l, uint16_t domain, unsigned *moved)
{
	enum ledger_err err = LEDGER_OK, e;

	*moved = 0;
	for (unsigned g = 0; g < l->max_grp; g++) {
		struct ledger_result r;
		if (!l->grp[g].used || l->grp[g].owner != domain)
			continue;
		e = ledger_move(l, l->grp[g].first, LEDGER_QUARANTINE,
		                LEDGER_MOVE_GROUP | LEDGER_MOVE_FORCE, &r);
		*moved += l->grp[g].count;
		if (e != LEDGER_OK && err == LEDGER_OK)
			err = e;
	}
	return err;
}

const struct ledger_result *ledger_journal(const struct ledger *l, unsigned n)
{
	if (n >= LEDGER_JOURNAL || n >= l->seq)
		return NULL;
	return &l->journal[(l->seq - 1 - n) % LEDGER_JOURNAL];
}

/* --- names and the check --------------------------------------------------- */

const char *ledger_step_name(enum ledger_step s)
{
	static const char *const names[LEDGER_STEPS] = {
	        "check", "bus-master-off", "revoke", "irq-teardown",
	        "point", "invalidate",     "reset",  "grant",
	};
	return (unsigned)s < LEDGER_STEPS ? names[s] : "?";
}

const char *ledger_rollback_name(enum ledger_rollback r)
{
	static const char *const names[] = {"none", "restored", "quarantined", "broken"};
	return (unsigned)r <= LEDGER_ROLLBACK_BROKEN ? names[r] : "?";
}

const char *ledger_err_name(enum ledger_err e)
{
	static const char *const names[] = {"ok",          "no-device", "same-owner",  "group",
	                                    "vf-assigned", "broken",    "step-failed", "full"};
	return (unsigned)e <= LEDGER_ERR_FULL ? names[e] : "?";
}

static unsigned check_device(const struct ledger *l, uint16_t i,
                             uint16_t (*where)(void *ctx, uint16_t sid), void *ctx)
{
	const struct ledger_device *d = &l->dev[i];
	uint16_t owner = l->grp[d->group].owner;
	unsigned bad = where(ctx, (uint16_t)d->sbdf) != owner;

	for (unsigned k = 0; k < d->nalias; k++)
		bad += where(ctx, d->alias[k]) != owner;
	return bad;
}

unsigned ledger_check(const struct ledger *l, bool (*live)(void *ctx, uint16_t domain),
                      uint16_t (*where)(void *ctx, uint16_t sid), void *ctx, uint16_t *first_bad)
{
	unsigned bad = 0, members;

	*first_bad = LEDGER_NONE;
	for (unsigned g = 0; g < l->max_grp; g++) {
		const struct ledger_group *gr = &l->grp[g];
		if (!gr->used)
			continue;
		members = 0;
		each_member(l, g, i)
		{
			unsigned b = (!l->dev[i].used || l->dev[i].group != g) +
			             check_device(l, i, where, ctx);
			if (b != 0 && *first_bad == LEDGER_NONE)
				*first_bad = i;
			bad += b;
			if (++members > l->max_dev)
				return bad + 1; /* a cycle */
		}
		bad += members != gr->count;
		bad += gr->owner != LEDGER_QUARANTINE && !live(ctx, gr->owner);
	}
	for (unsigned i = 0; i < l->max_dev; i++)
		bad += l->dev[i].used && !l->grp[l->dev[i].group].used;
	return bad;
}

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * DUMP: the units with the capabilities that matter, then the domains, the
 * context entries of every device and the mappings, as tables; and the
 * check that makes it worth calling after every test scenario: every
 * context entry (each device and alias) and every PTE the server's records
 * promise is read back from the tables in memory and compared, and every
 * table is counted for leaves the records do not explain. Any disagreement
 * is printed and makes the reply MISMATCH. Without a remapping unit
 * (hw_bare()) there are no context entries to read back: DUMP says DMA is
 * unprotected and checks the tables and the ledger's own consistency.
 */
#include <ward/rt.h>

#include "device_irq.h"
#include "iommu_server.h"
#include "iommu_state.h"
#include "pci_service.h"

struct dump_counts {
	uint64_t contexts, ptes, bad;
	bool quiet;
};

static void sid_check(struct dump_counts *c, uint16_t sid, uint64_t root, unsigned levels,
                      unsigned did)
{
	uint64_t table;
	unsigned l, id;

	if (hw_bare())
		return; /* no unit: no context entry exists */
	c->contexts++;
	if (!hw_context_get(sid, &table, &l, &id) || table != root ||
	    (levels != 0 && l != levels) || id != did) {
		c->bad++;
		ward_printf("MISMATCH context %02x:%02x.%u: want table %#llx levels %u DID %u\n",
		            sid >> 8, (sid >> 3) & 31, sid & 7, (unsigned long long)root, levels,
		            did);
	}
}

/* Where the records say a device's context entry points: table, depth (0: any), domain ID. */
static void device_expect(const struct iommu_device *dv, uint64_t *root, unsigned *levels,
                          unsigned *did)
{
	uint16_t owner = device_owner(dv);
	const struct iommu_domain *d = owner == LEDGER_QUARANTINE ? NULL : &iommu_domains[owner];

	if (d != NULL) {
		*root = hw_table_root(d->table);
		*levels = hw_table_levels(d->table);
		*did = d->did;
	} else if (dv->rmrr) {
		*root = hw_table_root(iommu_rmrr_quarantine);
		*levels = hw_table_levels(iommu_rmrr_quarantine);
		*did = IOMMU_RMRR_QUARANTINE_DID;
	} else {
		hw_quarantine(root, did);
		*levels = 0;
	}
}

static void devices_check(struct dump_counts *c)
{
	if (!c->quiet)
		ward_printf("device    aliases domain  DID levels\n");
	for (unsigned i = 0; i < IOMMU_MAX_DEVICES; i++) {
		const struct ledger_device *ld = &iommu_ledger.dev[i];
		const struct iommu_device *dv = &iommu_devices[i];
		uint64_t root;
		unsigned levels, did;

		if (!ld->used)
			continue;
		device_expect(dv, &root, &levels, &did);
		if (!c->quiet)
			ward_printf("%02x:%02x.%u   %u       %-7s %-4u %u\n",
			            PCI_SBDF_BUS(dv->sbdf), PCI_SBDF_DEV(dv->sbdf),
			            PCI_SBDF_FN(dv->sbdf), ld->nalias,
			            device_owner(dv) != LEDGER_QUARANTINE ? "client" : "quar.", did,
			            levels);
		sid_check(c, (uint16_t)dv->sbdf, root, levels, did);
		for (unsigned k = 0; k < ld->nalias; k++)
			sid_check(c, ld->alias[k], root, levels, did);
	}
}

/* Where sid's context entry points, as the ledger names owners. */
static uint16_t context_owner(void *ctx, uint16_t sid)
{
	uint64_t table, qtable;
	unsigned levels, did, qdid;

	(void)ctx;
	if (hw_bare()) { /* no entry exists: the ledger's own record stands in */
		uint16_t dev = ledger_find_sid(&iommu_ledger, sid);
		return dev == LEDGER_NONE ? LEDGER_NONE : ledger_owner(&iommu_ledger, dev);
	}
	if (!hw_context_get(sid, &table, &levels, &did))
		return LEDGER_NONE;
	hw_quarantine(&qtable, &qdid);
	if ((did == qdid && table == qtable) ||
	    (did == IOMMU_RMRR_QUARANTINE_DID && table == hw_table_root(iommu_rmrr_quarantine)))
		return LEDGER_QUARANTINE;
	for (unsigned i = 0; i < IOMMU_MAX_DOMAINS; i++)
		if (iommu_domains[i].used && iommu_domains[i].did == did &&
		    hw_table_root(iommu_domains[i].table) == table)
			return (uint16_t)i;
	return LEDGER_NONE;
}

static bool domain_live(void *ctx, uint16_t di)
{
	(void)ctx;
	return di < IOMMU_MAX_DOMAINS && iommu_domains[di].used;
}

static void print_sbdf(const char *before, uint32_t sbdf, const char *after)
{
	ward_printf("%s%02x:%02x.%u%s", before, PCI_SBDF_BUS(sbdf), PCI_SBDF_DEV(sbdf),
	            PCI_SBDF_FN(sbdf), after);
}

/* The groups, and the caps handed out for them: a device cap exactly while a domain owns one. */
static void groups_check(struct dump_counts *c)
{
	uint16_t first_bad;
	unsigned bad;

	if (!c->quiet)
		ward_printf("group     members owner  generation\n");
	for (unsigned g = 0; g < IOMMU_MAX_DEVICES; g++) {
		const struct ledger_group *gr = &iommu_ledger.grp[g];
		uint64_t slot = iommu_group_caps[g].device_slot;
		bool cap = slot != 0 && ward_debug_cap_type(slot) != 0;

		if (!gr->used)
			continue;
		if (!c->quiet) {
			print_sbdf("", gr->id, "");
			ward_printf("   %-7u %-6s %u%s\n", gr->count,
			            gr->owner == LEDGER_QUARANTINE ? "quar." : "domain",
			            gr->generation, gr->broken ? " BROKEN" : "");
		}
		if (cap != (gr->owner != LEDGER_QUARANTINE)) {
			c->bad++;
			print_sbdf("MISMATCH group ", gr->id,
			           cap ? ": a device cap in quarantine\n"
			               : ": owned without a device cap\n");
		}
	}
	bad = ledger_check(&iommu_ledger, domain_live, context_owner, NULL, &first_bad);
	if (bad != 0) {
		c->bad += bad;
		print_sbdf("MISMATCH ledger: ", iommu_ledger.dev[first_bad].sbdf,
		           " and others disagree with their context entries or groups\n");
	}
}

/* The journal of the last moves, newest first. */
static void journal_print(void)
{
	const struct ledger_result *r;

	ward_printf("journal: seq device  from  to    owner result       steps done / failed, "
	            "rollback\n");
	for (unsigned n = 0; (r = ledger_journal(&iommu_ledger, n)) != NULL; n++) {
		ward_printf("%-12llu", (unsigned long long)r->seq);
		print_sbdf(" ", r->sbdf, "");
		ward_printf(" %-5d %-5d %-5d %-12s", r->from == LEDGER_QUARANTINE ? -1 : r->from,
		            r->to == LEDGER_QUARANTINE ? -1 : r->to,
		            r->owner == LEDGER_QUARANTINE ? -1 : r->owner, ledger_err_name(r->err));
		for (unsigned s = 0; s < LEDGER_STEPS; s++)
			if (r->steps & (1u << s))
				ward_printf(" %s", ledger_step_name(s));
			else if (r->skipped & (1u << s))
				ward_printf(" (%s: none)", ledger_step_name(s));
		if (r->err == LEDGER_ERR_STEP)
			ward_printf(" / %s (cause %#x), %s", ledger_step_name(r->failed), r->cause,
			            ledger_rollback_name(r->rollback));
		ward_printf("\n");
	}
}

/* Every frame of one mapping, read back from the domain's table; returns its bytes. */
static uint64_t mapping_check(struct dump_counts *c, const struct iommu_buffer *b,
                              const struct iommu_mapping *m)
{
	const struct iommu_domain *d = &iommu_domains[m->domain];
	uint64_t fsize = b->large ? IOMMU_LARGE : IOMMU_PAGE;

	for (unsigned i = 0; i < b->frames; i++) {
		unsigned rights;
		uint64_t size, want = b->large ? pool_frame_phys(b->chunk[i], 0)
		                               : pool_frame_phys(b->chunk[0], b->first + i);
		uint64_t got = hw_lookup(d->table, m->iova + i * fsize, &rights, &size);

		/* The core may merge a full run of pages into one larger leaf. */
		c->ptes++;
		if (got != want || rights != m->rights || size < fsize) {
			c->bad++;
			ward_printf(
			        "MISMATCH PTE domain %u IOVA %#llx: %#llx rights %u size %#llx, "
			        "want %#llx rights %u\n",
			        m->domain, (unsigned long long)(m->iova + i * fsize),
			        (unsigned long long)got, rights, (unsigned long long)size,
			        (unsigned long long)want, m->rights);
		}
	}
	return b->size;
}

static uint64_t rmrr_bytes(void)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < iommu_rmrr_count; i++)
		n += (iommu_rmrrs[i].end | (IOMMU_PAGE - 1)) + 1 -
		     (iommu_rmrrs[i].base & ~(IOMMU_PAGE - 1));
	return n;
}

/* The table itself: its bookkeeping against memory, and the bytes it maps against `want`. */
static void table_check(struct dump_counts *c, const struct hw_table *t, const char *name,
                        unsigned di, uint64_t want)
{
	const char *what;
	uint64_t iova, have = hw_mapped_bytes(t);

	if (!hw_table_verify(t, &what, &iova)) {
		c->bad++;
		ward_printf("MISMATCH %s %u: %s at IOVA %#llx\n", name, di, what,
		            (unsigned long long)iova);
	}
	if (have != want) {
		c->bad++;
		ward_printf("MISMATCH %s %u: %#llx bytes mapped in its table, %#llx recorded\n",
		            name, di, (unsigned long long)have, (unsigned long long)want);
	}
}

/* A domain's mappings; then its table must map nothing the records do not explain. */
static void domain_check(struct dump_counts *c, unsigned di)
{
	const struct iommu_domain *d = &iommu_domains[di];
	uint64_t want = d->rmrr_mapped ? rmrr_bytes() : 0;

	if (!c->quiet)
		ward_printf(
		        "domain %-2u owner %-3u width %u levels %u DID %-4u devices %u buffers %u "
		        "maps %u faults queued %u\n",
		        di, d->owner, d->width, hw_table_levels(d->table), d->did, d->devices,
		        d->buffers, d->maps, d->faults.count);
	for (unsigned b = 0; b < iommu_buffer_top; b++)
		for (unsigned m = 0; iommu_buffers[b].used && m < IOMMU_MAPS_PER_BUFFER; m++) {
			const struct iommu_buffer *bf = &iommu_buffers[b];
			if (bf->map[m].domain != di)
				continue;
			if (!c->quiet)
				ward_printf("  buffer %#llx IOVA %#llx size %#llx rights %c%c %s\n",
				            (unsigned long long)buffer_id(bf),
				            (unsigned long long)bf->map[m].iova,
				            (unsigned long long)bf->size,
				            bf->map[m].rights & IOMMU_READ ? 'r' : '-',
				            bf->map[m].rights & IOMMU_WRITE ? 'w' : '-',
				            m == 0 ? "home" : "second");
			want += mapping_check(c, bf, &bf->map[m]);
		}
	table_check(c, d->table, "domain", di, want);
}

enum ward_error iommu_serve_dump(struct ward_request *rq, uint64_t flags, uint64_t *units,
                                 uint64_t *domains, uint64_t *contexts, uint64_t *ptes)
{
	struct dump_counts c = {.quiet = (flags & IOMMU_DUMP_QUIET) != 0};

	if (!iommu_badge_is_privileged(rq->badge))
		return ward_fail(rq, IOMMU_ERR_DENIED, WARD_ARG_CAP, 0, 0);
	if ((flags &
	     ~(uint64_t)(IOMMU_DUMP_QUIET | IOMMU_DUMP_INJECT_TIMEOUT | IOMMU_DUMP_PAGES)) != 0 ||
	    ((flags & IOMMU_DUMP_INJECT_TIMEOUT) && !iommu_inject_allowed))
		return ward_fail(rq, WARD_ERR_INVALID_ARGUMENT, 0, 0,
		                 IOMMU_DUMP_QUIET | IOMMU_DUMP_PAGES |
		                         (iommu_inject_allowed ? IOMMU_DUMP_INJECT_TIMEOUT : 0));
	if (flags & IOMMU_DUMP_INJECT_TIMEOUT)
		hw_inject_timeout();
	if (!c.quiet)
		hw_print();
	devices_check(&c);
	groups_check(&c);
	c.bad += device_irq_check(c.quiet);
	if (!c.quiet)
		journal_print();
	*domains = 0;
	for (unsigned i = 0; i < IOMMU_MAX_DOMAINS; i++)
		if (iommu_domains[i].used) {
			domain_check(&c, i);
			++*domains;
		}
	table_check(&c, iommu_rmrr_quarantine, "RMRR quarantine", 0, rmrr_bytes());
	*units = hw_unit_count();
	*contexts = c.contexts;
	*ptes = c.ptes;
	if (flags & IOMMU_DUMP_PAGES) { /* what XSA-346's test watches */
		*contexts = mem_table_free_count();
		*ptes = hw_deferred_pending();
	}
	if (c.bad != 0)
		return ward_fail(rq, IOMMU_ERR_MISMATCH, 0, c.bad, 0);
	return WARD_OK;
}

enum ward_error iommu_serve_stats(struct ward_request *rq, uint64_t *domains, uint64_t *buffers,
                                  uint64_t *bytes, uint64_t *faults, uint64_t *invalidations,
                                  uint64_t *waits)
{
	uint32_t pid;
	unsigned count;
	const struct iommu_domain *d;

	if (iommu_badge_is_client(rq->badge))
		pid = (uint32_t)(rq->badge & IOMMU_BADGE_PID_MASK);
	else if ((d = domain_by_badge(rq->badge)) != NULL)
		pid = d->owner;
	else
		return ward_fail(rq, IOMMU_ERR_DENIED, WARD_ARG_CAP, 0, 0);
	*domains = 0;
	for (unsigned i = 0; i < IOMMU_MAX_DOMAINS; i++)
		*domains += iommu_domains[i].used && iommu_domains[i].owner == pid;
	buffer_usage(pid, &count, bytes);
	*buffers = count;
	*faults = iommu_fault_total;
	hw_inv_counts(invalidations, waits);
	return WARD_OK;
}

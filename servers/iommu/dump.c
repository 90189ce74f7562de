/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * DUMP: the units with the capabilities that matter, then the domains, the
 * context entries of every device and the mappings, as tables; and the
 * check that makes it worth calling after every test scenario: every
 * context entry (each device and alias) and every PTE the server's records
 * promise is read back from the tables in memory and compared, and every
 * table is counted for leaves the records do not explain. Any disagreement
 * is printed and makes the reply MISMATCH.
 */
#include <ward/rt.h>

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
	const struct iommu_domain *d =
	        dv->domain == IOMMU_NO_DOMAIN ? NULL : &iommu_domains[dv->domain];

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
	for (unsigned i = 0; i < iommu_device_count; i++) {
		const struct iommu_device *dv = &iommu_devices[i];
		uint64_t root;
		unsigned levels, did;

		device_expect(dv, &root, &levels, &did);

		if (!c->quiet)
			ward_printf(
			        "%02x:%02x.%u   %u       %-7s %-4u %u\n", PCI_SBDF_BUS(dv->sbdf),
			        PCI_SBDF_DEV(dv->sbdf), PCI_SBDF_FN(dv->sbdf), dv->nalias,
			        dv->domain != IOMMU_NO_DOMAIN ? "client" : "quar.", did, levels);
		sid_check(c, (uint16_t)dv->sbdf, root, levels, did);
		for (unsigned k = 0; k < dv->nalias; k++)
			sid_check(c, dv->alias[k], root, levels, did);
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
	if ((flags & ~(uint64_t)(IOMMU_DUMP_QUIET | IOMMU_DUMP_INJECT_TIMEOUT)) != 0 ||
	    ((flags & IOMMU_DUMP_INJECT_TIMEOUT) && !iommu_inject_allowed))
		return ward_fail(rq, WARD_ERR_INVALID_ARGUMENT, 0, 0,
		                 IOMMU_DUMP_QUIET | (iommu_inject_allowed ? 2 : 0));
	if (flags & IOMMU_DUMP_INJECT_TIMEOUT)
		hw_inject_timeout();
	if (!c.quiet)
		hw_print();
	devices_check(&c);
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

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The fault path. A unit's fault event interrupt signals the server's
 * bound notification; the server reads and clears every fault recording
 * register of that unit (at most NFR: bounded work, so a fault storm
 * cannot starve requests), attributes each record to a device (source ID,
 * DMA aliases included) and the domain it is in, and queues it for the
 * domain's owner, whose notification it signals. Each domain's queue holds
 * IOMMU_FAULT_QUEUE records; one that arrives when it is full is counted
 * as lost, never waited for. A device that faults more than
 * IOMMU_STORM_FAULTS times within IOMMU_STORM_WINDOW_MS has bus mastering
 * turned off through the PCI server and goes to quarantine.
 */
#include <ward/invoke.h>
#include <ward/rt.h>
#include <ward/sys.h>

#include "iommu_server.h"
#include "iommu_state.h"
#include "pci_service.h"

#define DRAIN_MAX 32

uint64_t iommu_fault_total;
unsigned iommu_storm_faults = IOMMU_STORM_FAULTS;
static uint64_t quarantine_faults, overflows;

/* The last faults of the whole system, for FAULT_LOG (a console's view). */
static struct {
	struct iommu_fault_record rec;
	uint16_t sbdf, owner;
} fault_log[IOMMU_FAULT_LOG];

static void queue_push(struct iommu_domain *d, const struct iommu_fault_record *r, uint32_t sbdf)
{
	struct iommu_fault_queue *q = &d->faults;
	unsigned slot;

	if (q->count == IOMMU_FAULT_QUEUE) {
		q->lost++;
		return;
	}
	slot = (q->head + q->count++) % IOMMU_FAULT_QUEUE;
	q->rec[slot] = *r;
	q->sbdf[slot] = (uint16_t)sbdf;
	if (d->notify != 0)
		ward_signal(d->notify);
}

/* The storm rule: too many faults in the window stop the device. */
static void storm_check(struct iommu_device *dv)
{
	uint64_t now = iommu_tsc(), cmd, before;
	struct ledger_result moved;

	if (now - dv->storm_start > iommu_tsc_hz / 1000 * IOMMU_STORM_WINDOW_MS) {
		dv->storm_start = now;
		dv->storm_faults = 0;
	}
	if (++dv->storm_faults <= iommu_storm_faults || dv->storm_stopped)
		return;
	dv->storm_stopped = true;
	ward_printf("%02x:%02x.%u faulted %u times in %u ms: bus mastering off, quarantined\n",
	            PCI_SBDF_BUS(dv->sbdf), PCI_SBDF_DEV(dv->sbdf), PCI_SBDF_FN(dv->sbdf),
	            dv->storm_faults, IOMMU_STORM_WINDOW_MS);
	pci_bus_master(iommu_pci_ep, dv->sbdf, 0, &cmd, &before);
	if (device_owner(dv) != LEDGER_QUARANTINE)
		device_move(dv, LEDGER_QUARANTINE, LEDGER_MOVE_GROUP | LEDGER_MOVE_FORCE, &moved);
}

static void fault_record(const struct iommu_fault_record *r)
{
	struct iommu_device *dv = device_by_sid(r->sid);
	unsigned at = (unsigned)(iommu_fault_total % IOMMU_FAULT_LOG);

	fault_log[at].rec = *r;
	fault_log[at].sbdf = dv != NULL ? (uint16_t)dv->sbdf : r->sid;
	fault_log[at].owner = dv != NULL ? device_owner(dv) : LEDGER_QUARANTINE;
	if (dv != NULL)
		dv->faults++;
	iommu_fault_total++;
	if (dv == NULL || device_owner(dv) == LEDGER_QUARANTINE)
		quarantine_faults++;
	else
		queue_push(&iommu_domains[device_owner(dv)], r, dv->sbdf);
	if (dv != NULL)
		storm_check(dv);
}

void fault_event(uint64_t bits)
{
	struct iommu_fault_record r[DRAIN_MAX];
	uint64_t now = iommu_tsc();
	bool overflow;

	for (unsigned u = 0; u < hw_unit_count(); u++) {
		if (!(bits & (1ULL << u)))
			continue;
		unsigned n = hw_fault_drain(u, r, DRAIN_MAX, &overflow);
		overflows += overflow;
		for (unsigned i = 0; i < n; i++) {
			r[i].tsc = now;
			fault_record(&r[i]);
		}
		hw_fault_ack(u);
	}
}

enum ward_error iommu_serve_fault(struct ward_request *rq, uint64_t *left, uint64_t *lost,
                                  uint64_t *sbdf, uint64_t *iova, uint64_t *reason, uint64_t *flags,
                                  uint64_t *tsc)
{
	struct iommu_domain *d;
	struct iommu_fault_queue *q;
	enum ward_error err;

	if ((err = domain_of(rq, &d)) != WARD_OK)
		return err;
	q = &d->faults;
	*left = q->count;
	*lost = q->lost;
	q->lost = 0;
	*sbdf = *iova = *reason = *flags = *tsc = 0;
	if (q->count == 0)
		return WARD_OK;
	*sbdf = q->sbdf[q->head];
	*iova = q->rec[q->head].iova;
	*reason = q->rec[q->head].reason;
	*flags = q->rec[q->head].read ? IOMMU_FAULT_READ : 0;
	*tsc = q->rec[q->head].tsc;
	q->head = (q->head + 1) % IOMMU_FAULT_QUEUE;
	q->count--;
	return WARD_OK;
}

enum ward_error iommu_serve_fault_log(struct ward_request *rq, uint64_t back, uint64_t *seq,
                                      uint64_t *sbdf, uint64_t *iova, uint64_t *reason,
                                      uint64_t *flags, uint64_t *tsc, uint64_t *owner)
{
	uint64_t kept = iommu_fault_total < IOMMU_FAULT_LOG ? iommu_fault_total : IOMMU_FAULT_LOG;
	unsigned at;

	if (!iommu_badge_is_privileged(rq->badge))
		return ward_fail(rq, IOMMU_ERR_DENIED, WARD_ARG_CAP, 0, 0);
	if (back >= kept)
		return ward_fail(rq, WARD_ERR_RANGE, 0, 0, kept);
	*seq = iommu_fault_total - back;
	at = (unsigned)((*seq - 1) % IOMMU_FAULT_LOG);
	*sbdf = fault_log[at].sbdf;
	*iova = fault_log[at].rec.iova;
	*reason = fault_log[at].rec.reason;
	*flags = fault_log[at].rec.read ? IOMMU_FAULT_READ : 0;
	*tsc = fault_log[at].rec.tsc;
	*owner = fault_log[at].owner == LEDGER_QUARANTINE ? 0 : fault_log[at].owner + 1u;
	return WARD_OK;
}

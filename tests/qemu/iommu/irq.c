/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Devices' interrupts through the IOMMU server (DEVICE_IRQ, DEVICE_IRQ_FREE,
 * the ledger's irq-teardown step) on intel-iommu with intremap=on, checked
 * by what arrives on the clients' notifications. Two drivers, processes
 * on CPUs 1 and 2 (module arguments `role=a cpu=1`, `role=b cpu=2`), as
 * in reassign.c; edu (QEMU docs/specs/edu.rst) has one MSI vector:
 * writing register 0x60 raises it (edu sends its MSI at once), 0x64
 * acknowledges it, 0x24 is the interrupt status.
 *
 * A takes edu 0, gets its interrupt through its device cap and binds it
 * to a notification: edu's MSI arrives (remapped by the entry the server
 * wrote); malformed and unauthorised requests are refused and change
 * nothing; DEVICE_IRQ_FREE takes it away (A's handler cap is gone, MSI
 * off, nothing arrives); a second DEVICE_IRQ works. Then XSA-395: A raises
 * the interrupt and does not acknowledge it (the kernel holds a second
 * one pending), and takes edu 1 as its "ready" flag. B pulls edu 0 into
 * its own domain: the move turned edu's MSI off and A's handler cap is
 * gone; B's DEVICE_IRQ works. B releases edu 0 to quarantine and, with
 * the root task's authority, programs edu's MSI again with the message
 * it had and turns bus mastering on: the MSI reaches no one (no entry is
 * left), and no interrupt-remapping fault is recorded (QEMU 7.2 records
 * none: docs/vtd.md). A's notification, polled from the move until B has
 * exited, received nothing. DUMP agrees after every part.
 *
 * "Nothing arrives" is a bounded number of polls after edu's write has
 * completed (QEMU remaps an MSI within the device's write): a limit, not
 * a measure of speed. A prints the plan for both.
 */
#include <string.h>
#include <ward/invoke.h>
#include <ward/object.h>
#include <ward/rt.h>
#include <ward/startinfo.h>
#include <ward/sys.h>

#include "../proc/ptap.h"
#include "iommu_test.h"
#include "pci_service.h"
#include "root.h"

#define EDU_IRQ_STATUS 0x24
#define EDU_IRQ_RAISE  0x60
#define EDU_IRQ_ACK    0x64
#define EDU_IRQ_BIT    0x1u
#define IRQ_BADGE      0x4
#define ARRIVE_MS      5000  /* a limit for a lost interrupt, not a speed */
#define QUIET_POLLS    20000 /* polls that must all find nothing */
#define POLLS          400   /* QUERY polls, 25 ms apart: a limit for hangs only */
#define A_TESTS        10
#define B_TESTS        6

/* An interrupt a client holds: its handler cap and the notification it signals. */
struct irq {
	uint64_t handler, ntfn, vector, index;
};

static void edu_raise(struct edu *e)
{
	*(volatile uint32_t *)(e->bar + EDU_IRQ_RAISE) = EDU_IRQ_BIT;
	(void)*(volatile uint32_t *)(e->bar + EDU_IRQ_STATUS); /* the write has completed */
}

static void edu_ack(struct edu *e)
{
	*(volatile uint32_t *)(e->bar + EDU_IRQ_ACK) = EDU_IRQ_BIT;
}

/* Whether the interrupt's notification is signalled, within ms. */
static bool arrived(const struct irq *q, unsigned ms)
{
	return t_wait_signal(q->ntfn, ms);
}

/* Whether QUIET_POLLS polls all found the notification silent. */
static bool silent(const struct irq *q)
{
	uint64_t badge = 0;

	for (unsigned i = 0; i < QUIET_POLLS && badge == 0; i++)
		ward_poll(q->ntfn, &badge);
	return badge == 0;
}

/* A notification badged IRQ_BADGE (a signal is told from none by its badge). */
static bool irq_notification(struct irq *q)
{
	uint64_t n = t_notification();

	q->ntfn = t_slot();
	return n != 0 && q->ntfn != 0 &&
	       ward_cnode_mint(WARD_PROC_CAP_CNODE, q->ntfn, 64, WARD_PROC_CAP_CNODE, n, 64,
	                       WARD_RIGHT_READ | WARD_RIGHT_WRITE, IRQ_BADGE) == WARD_OK;
}

/* DEVICE_IRQ through the edu's device cap; the handler bound to q's notification. */
static enum ward_error irq_take(struct edu *e, struct irq *q)
{
	enum ward_error err;

	if ((q->handler == 0 && (q->handler = t_slot()) == 0) ||
	    (q->ntfn == 0 && !irq_notification(q)))
		return WARD_ERR_NOT_ENOUGH_MEMORY;
	ward_cnode_delete(WARD_PROC_CAP_CNODE, q->handler, 64);
	err = iommu_device_irq_into(e->device, WARD_PROC_CAP_CNODE, q->handler, e->sbdf, &q->vector,
	                            &q->index);
	if (err == WARD_OK)
		err = ward_irq_handler_set_notification(q->handler, q->ntfn);
	return err;
}

/* Whether edu's MSI is on, as the PCI server's table says. */
static bool msi_on(const struct edu *e)
{
	uint64_t v, d, cr, h, t, flags = 0, cmd, g, n, b;

	pci_describe(t_pci, e->sbdf, &v, &d, &cr, &h, &t, &flags, &cmd, &g, &n, &b);
	return (flags & PCI_DESC_MSI_ON) != 0;
}

static bool dump_ok(void)
{
	uint64_t d, c, p;

	return t_dump(&d, &c, &p) == WARD_OK;
}

static uint64_t query_owner_pid(uint32_t sbdf)
{
	uint64_t owner, pid = 0, group, members, nalias, pf, vfs, gen;

	if (iommu_query(t_ep, sbdf, &owner, &pid, &group, &members, &nalias, &pf, &vfs, &gen) !=
	    WARD_OK)
		return 0;
	return pid;
}

/* Malformed and unauthorised DEVICE_IRQ/DEVICE_IRQ_FREE: each its error, nothing changed. */
static bool refusals(struct edu *e0, struct edu *e1, const struct irq *q)
{
	uint64_t v, i;
	bool ok = iommu_device_irq(e0->device, e0->sbdf, &v, &i) == IOMMU_ERR_BUSY &&
	          iommu_device_irq_free(e0->device, e0->sbdf, q->index + 1) == WARD_ERR_RANGE &&
	          iommu_device_irq(e0->device, e1->sbdf, &v, &i) == IOMMU_ERR_NO_DEVICE &&
	          iommu_device_irq(e0->assign, e0->sbdf, &v, &i) == IOMMU_ERR_DENIED &&
	          iommu_device_irq(t_ep, e0->sbdf, &v, &i) == IOMMU_ERR_DENIED &&
	          iommu_device_irq_free(t_ep, e0->sbdf, q->index) == IOMMU_ERR_DENIED;

	edu_raise(e0);
	ok = ok && arrived(q, ARRIVE_MS) && dump_ok();
	edu_ack(e0);
	ward_irq_handler_ack(q->handler);
	return ok;
}

/* Until B has exited: whether A's notification stayed silent all along. */
static bool silent_until_b_exits(const struct irq *q, uint64_t deaths, uint64_t *code)
{
	uint64_t pid = 0, reason = 0, lost, badge = 0;

	for (unsigned i = 0; i < POLLS * 8 && pid == 0; i++) {
		ward_poll(q->ntfn, &badge);
		if (badge != 0)
			return false;
		t_wait_signal(deaths, 25);
		root_next_death(WARD_PROC_CAP_SERVICE, &pid, &reason, code, &lost);
	}
	return pid != 0 && silent(q);
}

static int driver_a(void)
{
	uint64_t dom = t_slot(), did, w, deaths = t_notification(), code = 1, st;
	struct irq q = {0};
	struct edu e0, e1;
	bool ok;

	ptap_plan(A_TESTS + B_TESTS);
	ok = root_subscribe_deaths(WARD_PROC_CAP_SERVICE, deaths) == WARD_OK &&
	     t_edu_find(0, &e0) && t_edu_find(1, &e1) &&
	     iommu_create_domain_into(t_ep, WARD_PROC_CAP_CNODE, dom, 0, &did, &w) == WARD_OK &&
	     t_attach(dom, &e0, 0) == WARD_OK && irq_take(&e0, &q) == WARD_OK;
	ptap_ok(ok && msi_on(&e0) && ward_debug_cap_type(q.handler) == WARD_OBJ_IRQ_HANDLER,
	        "A: DEVICE_IRQ through A's device cap: vector %#llx, entry %llu, an IRQHandler, "
	        "edu's MSI on",
	        (unsigned long long)q.vector, (unsigned long long)q.index);

	edu_raise(&e0);
	st = *(volatile uint32_t *)(e0.bar + EDU_IRQ_STATUS);
	ptap_ok(ok && arrived(&q, ARRIVE_MS) && (st & EDU_IRQ_BIT),
	        "A: edu's MSI (status %#llx) reached A's notification through remapping",
	        (unsigned long long)st);
	edu_ack(&e0);
	ward_irq_handler_ack(q.handler);
	ptap_ok(dump_ok(), "A: DUMP: the interrupt entry agrees with the server's records");

	ptap_ok(refusals(&e0, &e1, &q),
	        "A: a second DEVICE_IRQ (BUSY), a wrong entry (RANGE), another group's device "
	        "(NO_DEVICE), the assignment and client badges (DENIED) are refused; the MSI "
	        "still arrives, DUMP agrees");

	ok = iommu_device_irq_free(e0.device, e0.sbdf, q.index) == WARD_OK &&
	     ward_debug_cap_type(q.handler) == 0 && !msi_on(&e0);
	edu_raise(&e0);
	ok = ok && silent(&q) && dump_ok();
	edu_ack(&e0);
	ptap_ok(ok, "A: DEVICE_IRQ_FREE: A's handler cap is gone, MSI off, edu's raise reaches "
	            "no one, DUMP agrees");

	ok = irq_take(&e0, &q) == WARD_OK && (edu_raise(&e0), arrived(&q, ARRIVE_MS));
	ptap_ok(ok, "A: a second DEVICE_IRQ (entry %llu) delivers again",
	        (unsigned long long)q.index);

	/* XSA-395: one delivered and not acknowledged, a second held pending by the kernel. */
	edu_raise(&e0);
	ptap_ok(ok && dump_ok() && t_attach(dom, &e1, 0) == WARD_OK,
	        "A: edu's interrupt raised twice, acknowledged neither at edu nor at the kernel; "
	        "A is ready (edu 1 taken too)");
	/* The server answers QUERY only between moves: once B owns edu 0, the move is complete. */
	for (unsigned i = 0; i < POLLS && query_owner_pid(e0.sbdf) == ward_startinfo->pid; i++)
		t_sleep_ms(25);
	ptap_ok(ward_debug_cap_type(e0.device) == 0 && ward_debug_cap_type(q.handler) == 0 &&
	                ward_irq_handler_ack(q.handler) != WARD_OK,
	        "A: after B's ASSIGN, A's device cap and A's IRQHandler cap are gone (Ack fails)");
	ok = silent_until_b_exits(&q, deaths, &code);
	ptap_ok(ok && code == 0,
	        "A: A's notification received nothing from the move until B exited (status %llu)",
	        (unsigned long long)code);
	ptap_ok(dump_ok(), "A: DUMP: interrupts, ledger and context entries agree at the end");
	return ptap_exit_status();
}

/* edu's MSI address and data as programmed (config space, the root task's view). */
static bool msi_message(const struct edu *e, uint64_t *address, uint64_t *data)
{
	uint64_t present, reset, pm, msi = 0, msix, pcie, aer, acs, ari, sriov, flags, hi = 0;

	if (pci_capabilities(t_pci, e->sbdf, &present, &reset, &pm, &msi, &msix, &pcie, &aer, &acs,
	                     &ari, &sriov) != WARD_OK ||
	    msi == 0 ||
	    pci_config_read(t_pci, e->sbdf, msi + PCI_MSI_FLAGS, 2, &flags) != WARD_OK ||
	    pci_config_read(t_pci, e->sbdf, msi + PCI_MSI_ADDRESS_LO, 4, address) != WARD_OK)
		return false;
	if (flags & PCI_MSI_FLAGS_64BIT)
		return pci_config_read(t_pci, e->sbdf, msi + PCI_MSI_ADDRESS_HI, 4, &hi) ==
		               WARD_OK &&
		       (*address |= hi << 32, true) &&
		       pci_config_read(t_pci, e->sbdf, msi + PCI_MSI_DATA_64, 2, data) == WARD_OK;
	return pci_config_read(t_pci, e->sbdf, msi + PCI_MSI_DATA_32, 2, data) == WARD_OK;
}

static int driver_b(void)
{
	uint64_t dom = t_slot(), did, w, me = ward_startinfo->pid, owner_a = 0, address = 0,
	         data = 0, faults;
	struct irq q = {0};
	struct edu e0, e1;
	bool ok;

	/* B touches no BAR before it owns the device: A's moves revoke BAR frames. */
	ok = t_edu_find(0, &e0) && t_edu_find(1, &e1) &&
	     iommu_create_domain_into(t_ep, WARD_PROC_CAP_CNODE, dom, 0, &did, &w) == WARD_OK;
	for (unsigned i = 0; i < POLLS && owner_a == 0; i++) {
		owner_a = query_owner_pid(e1.sbdf);
		t_sleep_ms(owner_a == 0 ? 25 : 0);
	}
	ptap_ok(ok && owner_a != 0 && owner_a != me && query_owner_pid(e0.sbdf) == owner_a,
	        "B: A (pid %llu) owns edu 0, its interrupt pending, and is ready",
	        (unsigned long long)owner_a);
	ok = t_attach(dom, &e0, 0) == WARD_OK && query_owner_pid(e0.sbdf) == me;
	ptap_ok(ok && !msi_on(&e0) && dump_ok(),
	        "B: one ASSIGN took edu 0 with A's interrupt pending: its MSI is off, the server "
	        "answers and DUMP agrees");
	edu_raise(&e0); /* MSI off: nothing for anyone (A watches its notification) */
	edu_ack(&e0);
	ok = irq_take(&e0, &q) == WARD_OK && (edu_raise(&e0), arrived(&q, ARRIVE_MS));
	edu_ack(&e0);
	ward_irq_handler_ack(q.handler);
	ptap_ok(ok, "B: B's DEVICE_IRQ (vector %#llx, entry %llu): edu's MSI reaches B",
	        (unsigned long long)q.vector, (unsigned long long)q.index);

	ok = msi_message(&e0, &address, &data) && t_detach(&e0, 0) == WARD_OK;
	ptap_ok(ok && !msi_on(&e0) && ward_debug_cap_type(q.handler) == 0,
	        "B: edu 0 released to quarantine: MSI off, B's IRQHandler cap gone");

	/* What a device told an old message would do: the root task's authority programs it. */
	faults = t_faults_taken(dom);
	ok = pci_msi_set(t_pci, e0.sbdf, address, data, 1) == WARD_OK && t_edu_privileged(&e0) &&
	     msi_on(&e0);
	edu_raise(&e0);
	ok = ok && silent(&q);
	edu_ack(&e0);
	pci_irq_disable(t_pci, e0.sbdf);
	ptap_ok(ok && t_faults_taken(dom) == faults,
	        "B: edu in quarantine, MSI %#llx/%#llx written back, bus mastering on: its "
	        "MSI reaches no one (no entry); no fault recorded (QEMU 7.2 records no "
	        "interrupt-remapping fault)",
	        (unsigned long long)address, (unsigned long long)data);
	ptap_ok(dump_ok(), "B: DUMP: no interrupt entry is left for a device in quarantine");
	return ptap_exit_status();
}

int main(void)
{
	const struct ward_startinfo *si = ward_startinfo;

	t_ep = si->iommu_endpoint;
	t_pci = si->pci_endpoint;
	if (strstr(si->args, "role=a") != NULL)
		return driver_a();
	return driver_b();
}

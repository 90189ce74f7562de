/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The AMD-Vi backend against a model of the IOMMU (fake_unit.c): bring-up
 * (every DeviceID blocked, bases programmed, caches flushed), take-over
 * of an enabled unit, the command buffer (tail and head movement, the
 * completion-wait store, a stopped buffer, time-outs that never hang and
 * the recovery after them), and the core's interface: attach and block
 * rewriting device table entries with their invalidations, IOTLB
 * invalidation encodings, one wait per request, the overflow flush, and
 * fault draining from the event log with overflow.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "amdvi_backend.h"
#include "amdvi_hw.h"
#include "fake_unit.h"

#define EDU   0x0018 /* 00:03.0 */
#define OTHER 0x0100 /* 01:00.0 */
#define ROOT  0x20000000ULL

static struct iommu_unit iu;
static struct amdvi_unit *u = &iu.amd;

static void bring_up(uint64_t efr)
{
	struct ward_device_window w;

	fake_reset(efr);
	memset(&iu, 0, sizeof(iu));
	w = fake_window();
	assert_int_equal(amdvi_unit_probe(u, &w, &fake_env), AMDVI_OK);
	assert_int_equal(amdvi_unit_prepare(u), AMDVI_OK);
	assert_int_equal(amdvi_unit_enable(u), AMDVI_OK);
}

static struct amdvi_dte dte(uint16_t devid)
{
	struct amdvi_dte d;

	assert_int_equal(amdvi_dte_read(u, devid, &d), AMDVI_OK);
	return d;
}

static void test_bring_up(void **state)
{
	(void)state;
	bring_up(FAKE_EFR_QEMU);
	assert_int_equal(u->state, AMDVI_UNIT_ENABLED);
	assert_false(u->took_over);
	/* every DeviceID, the IOMMU's own and the last included: V, TV, Mode 0, no rights */
	for (uint32_t id = 0; id < AMDVI_DEVICE_IDS; id += 0x7f) {
		assert_int_equal(dte((uint16_t)id).q[0], 0x3);
		assert_int_equal(dte((uint16_t)id).q[2], 0x1); /* interrupts aborted */
	}
	assert_int_equal(dte(0xffff).q[0], 0x3);
	/* the table covers all 65,536 IDs: Size 1FFh */
	assert_int_equal(fake.devtab, u->devtab.pa | 0x1ff);
	assert_int_equal(fake.cmdbuf, u->cmdbuf.pa | 0x0800000000000000ULL);
	assert_int_equal(fake.evtlog, u->evtlog.pa | 0x0800000000000000ULL);
	assert_int_equal(fake.control & 0x1005, 0x1005);
	/* the caches were flushed with INVALIDATE_IOMMU_ALL, then one completion wait */
	assert_int_equal(fake.log_count, 2);
	assert_int_equal(fake.log[0].lo, 0x8000000000000000ULL);
	assert_int_equal(amdvi_cmd_opcode(fake.log[1]), AMDVI_CMD_COMPLETION_WAIT);
	/* the head followed the tail: two 16-byte commands */
	assert_int_equal(fake.cmd_tail, 0x20);
	assert_int_equal(fake.cmd_head, 0x20);
	assert_int_equal(*(uint64_t *)u->store.va, u->seq);
}

static void test_take_over(void **state)
{
	struct ward_device_window w = fake_window();

	(void)state;
	fake_reset(FAKE_EFR_QEMU);
	memset(&iu, 0, sizeof(iu));
	fake.control = AMDVI_CTRL_IOMMU_EN | AMDVI_CTRL_CMD_BUF_EN | AMDVI_CTRL_EVENT_LOG_EN;
	fake.status = AMDVI_STATUS_CMD_BUF_RUN | AMDVI_STATUS_EVENT_LOG_RUN;
	fake.devtab = 0x7000000;
	assert_int_equal(amdvi_unit_probe(u, &w, &fake_env), AMDVI_OK);
	assert_int_equal(amdvi_unit_prepare(u), AMDVI_OK);
	assert_true(u->took_over);
	/* turned off before the bases changed */
	assert_int_equal(fake.control_log[0] & AMDVI_CTRL_WARD_MASK, 0);
	assert_int_equal(fake.devtab, u->devtab.pa | 0x1ff);
	assert_int_equal(amdvi_unit_enable(u), AMDVI_OK);
	assert_int_equal(fake.control & AMDVI_CTRL_IOMMU_EN, AMDVI_CTRL_IOMMU_EN);

	/* run bits that never clear: bounded, the unit is left FAILED */
	fake_reset(FAKE_EFR_QEMU);
	memset(&iu, 0, sizeof(iu));
	fake.control = AMDVI_CTRL_IOMMU_EN | AMDVI_CTRL_CMD_BUF_EN;
	fake.status = AMDVI_STATUS_CMD_BUF_RUN;
	fake.run_stuck = true;
	assert_int_equal(amdvi_unit_probe(u, &w, &fake_env), AMDVI_OK);
	assert_int_equal(amdvi_unit_prepare(u), AMDVI_E_TIMEOUT);
	assert_int_equal(u->state, AMDVI_UNIT_FAILED);
	assert_true(fake_clock_reads < 20000);
}

static void test_refused_window(void **state)
{
	struct ward_device_window w;

	(void)state;
	fake_reset(~0ULL); /* registers read as all ones: nothing there */
	w = fake_window();
	assert_int_equal(amdvi_unit_probe(u, &w, &fake_env), AMDVI_E_WINDOW);
	assert_int_equal(u->state, AMDVI_UNIT_REFUSED);
	fake_reset(FAKE_EFR_QEMU);
	w.kind = WARD_WINDOW_VTD;
	assert_int_equal(amdvi_unit_probe(u, &w, &fake_env), AMDVI_E_WINDOW);
	assert_int_equal(fake.control_writes, 0);
}

static void test_submit_moves_tail_and_head(void **state)
{
	struct amdvi_cmd c[3] = {amdvi_cmd_inv_devtab(EDU), amdvi_cmd_inv_domain(4),
	                         amdvi_cmd_inv_interrupt_table(EDU)};
	uint64_t tail = fake.cmd_tail;

	(void)state;
	bring_up(FAKE_EFR_QEMU);
	tail = fake.cmd_tail;
	assert_int_equal(amdvi_cmd_submit(u, c, 3), AMDVI_OK);
	assert_int_equal(fake.cmd_tail, tail + 4 * 16);
	assert_int_equal(fake.cmd_head, fake.cmd_tail);
	assert_int_equal(fake.log[fake.log_count - 4].lo, 0x2000000000000018ULL);
	assert_int_equal(fake.log[fake.log_count - 1].hi, u->seq);
	/* the ring wraps: 300 submissions of 2 entries go round it twice */
	for (unsigned i = 0; i < 300; i++)
		assert_int_equal(amdvi_cmd_submit(u, c, 1), AMDVI_OK);
	assert_int_equal(fake.cmd_head, fake.cmd_tail);
	assert_true(fake.cmd_tail < 4096);
	assert_int_equal(amdvi_cmd_submit(u, c, AMDVI_CMD_MAX_BATCH + 1), AMDVI_E_ARG);
}

static void test_timeouts_never_hang(void **state)
{
	struct amdvi_cmd c = amdvi_cmd_inv_all();

	(void)state;
	bring_up(FAKE_EFR_QEMU);
	fake.queue_stuck = true;
	assert_int_equal(amdvi_cmd_submit(u, &c, 1), AMDVI_E_TIMEOUT);
	assert_true(u->wedged);
	assert_int_equal(u->cmd_stats.timeouts, 1);
	/* the unit moves again: the next submission restarts the buffer (empty) first */
	fake.queue_stuck = false;
	assert_int_equal(amdvi_cmd_submit(u, &c, 1), AMDVI_OK);
	assert_false(u->wedged);
	assert_int_equal(u->cmd_stats.recovered, 1);
	/* an injected wait stores elsewhere: times out; a late completion needs no restart */
	amdvi_cmd_inject(u, AMDVI_INJECT_TIMEOUT);
	assert_int_equal(amdvi_cmd_submit(u, &c, 1), AMDVI_E_TIMEOUT);
	*(uint64_t *)u->store.va = u->seq; /* as if the store arrived after all */
	assert_int_equal(amdvi_cmd_submit(u, &c, 1), AMDVI_OK);
	assert_int_equal(u->cmd_stats.recovered, 1);
}

static void test_stopped_buffer_is_hardware_error(void **state)
{
	struct amdvi_cmd bad = {FAKE_ILLEGAL << 60, 0}, ok = amdvi_cmd_inv_all();
	struct iommu_fault f[2];
	unsigned count;
	bool ovf;

	(void)state;
	bring_up(FAKE_EFR_QEMU);
	assert_int_equal(amdvi_cmd_submit(u, &bad, 1), AMDVI_E_HARDWARE);
	assert_int_equal(u->cmd_stats.errors, 1);
	assert_int_equal(amdvi_cmd_submit(u, &ok, 1), AMDVI_OK);
	/* the unit logged the refused command: reason 5, no device */
	amdvi_unit_ops.drain_faults(&iu, f, 2, &count, &ovf);
	assert_int_equal(count, 1);
	assert_int_equal(f[0].reason, AMDVI_EVT_ILLEGAL_COMMAND_ERROR);
	assert_int_equal(f[0].source_id, 0);
	/* through the interface: IOMMU_ERR_HARDWARE, then working again */
	iu.pending[iu.npending++] = bad;
	assert_int_equal(amdvi_unit_ops.wait(&iu), IOMMU_ERR_HARDWARE);
	assert_int_equal(iu.npending, 0);
	amdvi_unit_ops.inv_iotlb_domain(&iu, 3);
	assert_int_equal(amdvi_unit_ops.wait(&iu), IOMMU_OK);
	fake.queue_stuck = true;
	amdvi_unit_ops.inv_iotlb_domain(&iu, 3);
	assert_int_equal(amdvi_unit_ops.wait(&iu), IOMMU_ERR_TIMEOUT);
}

static void test_caps(void **state)
{
	struct iommu_caps c;

	(void)state;
	bring_up(FAKE_EFR_QEMU);
	amdvi_unit_ops.caps(&iu, &c);
	assert_int_equal(c.levels_mask, (1u << 3) | (1u << 4) | (1u << 5));
	assert_int_equal(c.max_width, 57);
	assert_int_equal(c.domain_ids, 255);
	assert_int_equal(c.max_leaf_level, IOMMU_LEAF_1G);
	assert_true(c.page_selective);
	assert_true(c.caching_mode);
	assert_false(c.coherent_walk);
	bring_up(0); /* HATS 00b: 4 levels, 48 bits */
	amdvi_unit_ops.caps(&iu, &c);
	assert_int_equal(c.levels_mask, (1u << 3) | (1u << 4));
	assert_int_equal(c.max_width, 48);
}

static void test_attach_block_one_wait(void **state)
{
	unsigned tails, waits;

	(void)state;
	bring_up(FAKE_EFR_QEMU);
	tails = fake.tail_writes;
	waits = fake_count(AMDVI_CMD_COMPLETION_WAIT);
	assert_int_equal(amdvi_unit_ops.attach(&iu, EDU, 5, ROOT, 3), IOMMU_OK);
	/* V | TV | Mode 3 | root | IR | IW; domain 5; interrupts forwarded (IV 0) */
	assert_int_equal(dte(EDU).q[0], 0x6000000020000603ULL);
	assert_int_equal(dte(EDU).q[1], 5);
	assert_int_equal(dte(EDU).q[2], 0);
	assert_int_equal(amdvi_unit_ops.inv_iotlb_pages(&iu, 5, 0x200000, 9), IOMMU_OK);
	assert_int_equal(amdvi_unit_ops.inv_iotlb_pages(&iu, 5, 0x3000, 0), IOMMU_OK);
	assert_int_equal(fake.tail_writes, tails); /* nothing reached the unit yet */
	assert_int_equal(amdvi_unit_ops.wait(&iu), IOMMU_OK);
	assert_int_equal(fake.tail_writes, tails + 1);
	assert_int_equal(fake_count(AMDVI_CMD_COMPLETION_WAIT), waits + 1);
	/* the device's entry, the old (quarantine) domain, then the pages */
	assert_int_equal(fake.log[fake.log_count - 5].lo, 0x2000000000000018ULL);
	assert_int_equal(fake.log[fake.log_count - 4].lo, 0x3000000000000000ULL);
	assert_int_equal(fake.log[fake.log_count - 4].hi, 0x7ffffffffffff003ULL);
	assert_int_equal(fake.log[fake.log_count - 3].hi, 0x2ff003ULL);
	assert_int_equal(fake.log[fake.log_count - 2].hi, 0x3002ULL);
	/* blocking flushes the old domain 5: QEMU's IOTLB would keep translating otherwise */
	assert_int_equal(amdvi_unit_ops.block(&iu, EDU), IOMMU_OK);
	assert_int_equal(amdvi_unit_ops.wait(&iu), IOMMU_OK);
	assert_int_equal(dte(EDU).q[0], 0x3);
	assert_int_equal(dte(EDU).q[1], 0);
	assert_int_equal(dte(EDU).q[2], 0x1);
	assert_int_equal(fake.log[fake.log_count - 2].lo, 0x3000000500000000ULL);
	tails = fake.tail_writes;
	assert_int_equal(amdvi_unit_ops.wait(&iu), IOMMU_OK); /* nothing queued: no wait */
	assert_int_equal(fake.tail_writes, tails);
}

static void test_refused_attach_blocks(void **state)
{
	(void)state;
	bring_up(0); /* 4 levels at most */
	assert_int_equal(amdvi_unit_ops.attach(&iu, EDU, 5, ROOT, 4), IOMMU_OK);
	assert_int_equal(amdvi_unit_ops.attach(&iu, EDU, 6, ROOT, 5), IOMMU_ERR_UNSUPPORTED);
	assert_int_equal(dte(EDU).q[0], 0x3);
	assert_int_equal(amdvi_unit_ops.attach(&iu, EDU, 256, ROOT, 4), IOMMU_ERR_INVAL);
	assert_int_equal(amdvi_unit_ops.attach(&iu, EDU, 0, ROOT, 4), IOMMU_ERR_INVAL);
	assert_int_equal(amdvi_unit_ops.attach(&iu, EDU, 5, ROOT | 0x800, 4), IOMMU_ERR_INVAL);
	/* the IOMMU's own function is never attached */
	assert_int_equal(amdvi_unit_ops.attach(&iu, 0x0008, 5, ROOT, 4), IOMMU_ERR_INVAL);
	assert_int_equal(dte(EDU).q[0], 0x3);
	assert_int_equal(amdvi_unit_ops.wait(&iu), IOMMU_OK);
}

static void test_context_and_overflow(void **state)
{
	unsigned before;

	(void)state;
	bring_up(FAKE_EFR_QEMU);
	amdvi_unit_ops.attach(&iu, EDU, 7, ROOT, 3);
	amdvi_unit_ops.attach(&iu, OTHER, 7, ROOT, 3);
	amdvi_unit_ops.wait(&iu);
	before = fake.log_count;
	amdvi_unit_ops.inv_context_domain(&iu, 7);
	amdvi_unit_ops.inv_context_device(&iu, 7, EDU);
	assert_int_equal(amdvi_unit_ops.wait(&iu), IOMMU_OK);
	assert_int_equal(fake.log_count - before, 4);
	assert_int_equal(fake.log[before].lo, 0x2000000000000018ULL);
	assert_int_equal(fake.log[before + 1].lo, 0x2000000000000100ULL);
	/* more than the pending list holds: one INVALIDATE_IOMMU_ALL instead */
	for (unsigned i = 0; i < AMDVI_BACKEND_PENDING + 10; i++)
		amdvi_unit_ops.inv_iotlb_domain(&iu, 3);
	before = fake.log_count;
	assert_int_equal(amdvi_unit_ops.wait(&iu), IOMMU_OK);
	assert_int_equal(fake.log_count - before, 2);
	assert_int_equal(fake.log[before].lo, 0x8000000000000000ULL);
	/* a global invalidation on a unit without IASup: every entry and domain */
	bring_up(0);
	fake.log_count = 0;
	amdvi_unit_ops.inv_context_global(&iu);
	assert_int_equal(amdvi_unit_ops.wait(&iu), IOMMU_OK);
	assert_int_equal(fake_count(AMDVI_CMD_INVALIDATE_DEVTAB_ENTRY), 65536);
	assert_int_equal(fake_count(AMDVI_CMD_INVALIDATE_IOMMU_PAGES), 256);
	assert_int_equal(fake_count(AMDVI_CMD_INVALIDATE_IOMMU_ALL), 0);
	/* a chunked pending list: 300 commands, two completion waits */
	before = fake_count(AMDVI_CMD_COMPLETION_WAIT);
	for (unsigned i = 0; i < 300; i++)
		amdvi_unit_ops.inv_iotlb_domain(&iu, 3);
	assert_int_equal(amdvi_unit_ops.wait(&iu), IOMMU_OK);
	assert_int_equal(fake_count(AMDVI_CMD_COMPLETION_WAIT) - before, 2);
}

static void test_drain_faults(void **state)
{
	struct iommu_fault f[4];
	unsigned count;
	bool ovf;

	(void)state;
	bring_up(FAKE_EFR_QEMU);
	fake_log_event(0x2020000500000018ULL, 0x101000);      /* write fault, edu */
	fake_log_event(0x2000000500000018ULL, 0x102000);      /* read fault */
	fake_log_event(0x1000000000000100ULL, 0x5000);        /* illegal entry, 01:00.0 */
	amdvi_unit_ops.drain_faults(&iu, f, 2, &count, &ovf); /* bounded by max */
	assert_int_equal(count, 2);
	assert_false(ovf);
	assert_int_equal(f[0].source_id, EDU);
	assert_int_equal(f[0].iova, 0x101000);
	assert_true(f[0].write);
	assert_int_equal(f[0].reason, 2);
	assert_false(f[1].write);
	assert_int_equal(fake.evt_head, 0x20); /* the head register moved past both */
	amdvi_unit_ops.drain_faults(&iu, f, 4, &count, &ovf);
	assert_int_equal(count, 1);
	assert_int_equal(f[0].source_id, OTHER);
	assert_int_equal(f[0].reason, 1);
	/* a full log overflows: reported once drained, the log restarted empty */
	for (unsigned i = 0; i < AMDVI_EVT_ENTRIES + 5; i++)
		fake_log_event(0x2000000500000018ULL, 0x1000ULL * i);
	assert_true(fake.status & AMDVI_STATUS_EVENT_OVERFLOW);
	count = 0;
	for (unsigned round = 0; round < 100; round++) {
		struct iommu_fault g[64];
		unsigned n;

		amdvi_unit_ops.drain_faults(&iu, g, 64, &n, &ovf);
		count += n;
		if (n == 0)
			break;
	}
	assert_int_equal(count, AMDVI_EVT_ENTRIES - 1);
	assert_false(fake.status & AMDVI_STATUS_EVENT_OVERFLOW);
	assert_int_equal(u->overflows, 1);
	assert_int_equal(fake.evt_head, 0);
	assert_int_equal(fake.evt_tail, 0);
	fake_log_event(0x2000000500000018ULL, 0x7000);
	amdvi_unit_ops.drain_faults(&iu, f, 4, &count, &ovf);
	assert_int_equal(count, 1);
	assert_false(ovf);
	assert_int_equal(f[0].iova, 0x7000);
}

static void test_drain_reports_overflow(void **state)
{
	struct iommu_fault f[AMDVI_EVT_ENTRIES];
	unsigned count;
	bool ovf;

	(void)state;
	bring_up(FAKE_EFR_QEMU);
	for (unsigned i = 0; i < AMDVI_EVT_ENTRIES; i++)
		fake_log_event(0x2000000500000018ULL, 0x1000ULL * i);
	amdvi_unit_ops.drain_faults(&iu, f, AMDVI_EVT_ENTRIES, &count, &ovf);
	assert_int_equal(count, AMDVI_EVT_ENTRIES - 1);
	assert_true(ovf);
}

static struct iommu_irq_entry source(uint8_t vector, uint32_t apic, uint16_t sid)
{
	return (struct iommu_irq_entry){.vector = vector,
	                                .apic_id = apic,
	                                .check = IOMMU_IRQ_CHECK_SOURCE,
	                                .source_id = sid};
}

static uint32_t irte_in_table(uint16_t devid, uint32_t index)
{
	uint64_t q2 = dte(devid).q[2];

	return ((uint32_t *)fake_va(q2 & AMDVI_DTE_INT_ROOT_MASK))[index];
}

static void test_irq_remapping(void **state)
{
	struct iommu_irq_entry e = source(0x41, 3, EDU), got;
	struct iommu_caps c;
	uint64_t address;
	uint32_t data;
	bool present;
	unsigned before;

	(void)state;
	bring_up(FAKE_EFR_QEMU);
	amdvi_unit_ops.caps(&iu, &c);
	assert_int_equal(c.irq_entries, 256);
	before = fake.log_count;
	assert_int_equal(amdvi_unit_ops.irq_set(&iu, 5, &e), IOMMU_OK);
	assert_int_equal(amdvi_unit_ops.wait(&iu), IOMMU_OK);
	/* the device's DTE: IV | IntTabLen 8 (0x10) | table | IntCtl 10b */
	assert_int_equal(dte(EDU).q[2] & ~AMDVI_DTE_INT_ROOT_MASK, 0x2000000000000011ULL);
	/* RemapEn | fixed | destination 3 (15:8) | vector 0x41 (23:16) */
	assert_int_equal(irte_in_table(EDU, 5), 0x00410301u);
	assert_int_equal(fake.log[before].lo, 0x2000000000000018ULL);     /* its DTE */
	assert_int_equal(fake.log[before + 1].lo, 0x5000000000000018ULL); /* its table */
	/* MSI: 0xfee00000, data = index */
	assert_int_equal(amdvi_unit_ops.irq_msi(&iu, 5, &address, &data), IOMMU_OK);
	assert_int_equal(address, 0xfee00000ULL);
	assert_int_equal(data, 5);
	assert_int_equal(amdvi_unit_ops.irq_get(&iu, 5, &got, &present), IOMMU_OK);
	assert_true(present);
	assert_int_equal(got.vector, 0x41);
	assert_int_equal(got.apic_id, 3);
	assert_int_equal(got.check, IOMMU_IRQ_CHECK_SOURCE);
	assert_int_equal(got.source_id, EDU);
	/* attach and block keep a remapping interrupt quadword */
	amdvi_unit_ops.attach(&iu, EDU, 5, ROOT, 3);
	assert_int_equal(dte(EDU).q[2] & 0x3000000000000001ULL, 0x2000000000000001ULL);
	amdvi_unit_ops.block(&iu, EDU);
	assert_int_equal(dte(EDU).q[2] & 0x3000000000000001ULL, 0x2000000000000001ULL);
	amdvi_unit_ops.wait(&iu);
	/* the same index for another requester: cleared in edu's table, set in the other's */
	e = source(0x42, 1, OTHER);
	assert_int_equal(amdvi_unit_ops.irq_set(&iu, 5, &e), IOMMU_OK);
	assert_int_equal(amdvi_unit_ops.wait(&iu), IOMMU_OK);
	assert_int_equal(irte_in_table(EDU, 5), 0);
	assert_int_equal(irte_in_table(OTHER, 5), 0x00420101u);
	/* cleared: not present, its table invalidated */
	before = fake.log_count;
	assert_int_equal(amdvi_unit_ops.irq_clear(&iu, 5), IOMMU_OK);
	assert_int_equal(amdvi_unit_ops.wait(&iu), IOMMU_OK);
	assert_int_equal(irte_in_table(OTHER, 5), 0);
	assert_int_equal(fake.log[before].lo, 0x5000000000000100ULL);
	assert_int_equal(amdvi_unit_ops.irq_get(&iu, 5, &got, &present), IOMMU_OK);
	assert_false(present);
	/* refused requests change nothing */
	e = source(0x0f, 0, EDU);
	assert_int_equal(amdvi_unit_ops.irq_set(&iu, 6, &e), IOMMU_ERR_INVAL); /* vector < 0x10 */
	e = source(0x41, 256, EDU);
	assert_int_equal(amdvi_unit_ops.irq_set(&iu, 6, &e), IOMMU_ERR_INVAL); /* 8-bit APIC ID */
	e = source(0x41, 0, EDU);
	assert_int_equal(amdvi_unit_ops.irq_set(&iu, 256, &e), IOMMU_ERR_RANGE);
	e.check = IOMMU_IRQ_CHECK_BUSES;
	e.first_bus = e.last_bus = 1;
	assert_int_equal(amdvi_unit_ops.irq_set(&iu, 6, &e), IOMMU_ERR_UNSUPPORTED);
	e.check = (enum iommu_irq_check)7;
	assert_int_equal(amdvi_unit_ops.irq_set(&iu, 6, &e), IOMMU_ERR_INVAL);
	e = source(0x41, 0, 0x0008); /* the IOMMU's own function */
	assert_int_equal(amdvi_unit_ops.irq_set(&iu, 6, &e), IOMMU_ERR_INVAL);
	assert_int_equal(amdvi_unit_ops.irq_get(&iu, 6, &got, &present), IOMMU_OK);
	assert_false(present);
	/* the recovery flush names every table made */
	before = fake.log_count;
	assert_int_equal(amdvi_unit_ops.inv_irq_entries(&iu), IOMMU_OK);
	assert_int_equal(amdvi_unit_ops.wait(&iu), IOMMU_OK);
	assert_int_equal(fake.log_count - before, 3);
	/* a unit that cannot remap */
	iu.no_intremap = true;
	amdvi_unit_ops.caps(&iu, &c);
	assert_int_equal(c.irq_entries, 0);
	assert_int_equal(amdvi_unit_ops.irq_msi(&iu, 5, &address, &data), IOMMU_ERR_UNSUPPORTED);
}

/* A table per device, at most AMDVI_IRQ_TABLES; past that NO_MEMORY and nothing changes. */
static void test_irq_tables_bounded(void **state)
{
	struct iommu_irq_entry e;
	bool present;

	(void)state;
	bring_up(FAKE_EFR_QEMU);
	for (unsigned i = 0; i < AMDVI_IRQ_TABLES; i++) {
		e = source(0x30, 0, (uint16_t)(0x0200 + i));
		assert_int_equal(amdvi_unit_ops.irq_set(&iu, i, &e), IOMMU_OK);
	}
	e = source(0x30, 0, 0x0300);
	assert_int_equal(amdvi_unit_ops.irq_set(&iu, 100, &e), IOMMU_ERR_NO_MEMORY);
	assert_int_equal(amdvi_unit_ops.irq_get(&iu, 100, &e, &present), IOMMU_OK);
	assert_false(present);
	assert_int_equal(dte(0x0300).q[2], 0x1);
	assert_int_equal(amdvi_unit_ops.wait(&iu), IOMMU_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_bring_up),
	        cmocka_unit_test(test_take_over),
	        cmocka_unit_test(test_refused_window),
	        cmocka_unit_test(test_submit_moves_tail_and_head),
	        cmocka_unit_test(test_timeouts_never_hang),
	        cmocka_unit_test(test_stopped_buffer_is_hardware_error),
	        cmocka_unit_test(test_caps),
	        cmocka_unit_test(test_attach_block_one_wait),
	        cmocka_unit_test(test_refused_attach_blocks),
	        cmocka_unit_test(test_context_and_overflow),
	        cmocka_unit_test(test_drain_faults),
	        cmocka_unit_test(test_drain_reports_overflow),
	        cmocka_unit_test(test_irq_remapping),
	        cmocka_unit_test(test_irq_tables_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

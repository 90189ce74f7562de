/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The register model and environment of fake_unit.h. Memory handed to
 * the backend gets physical addresses from FAKE_PA_BASE up, each block
 * aligned to its size, so the model can follow the addresses the backend
 * programs. Unmodelled registers read 0 and ignore writes.
 */
#include <stdlib.h>
#include <string.h>

#include "amdvi_hw.h"
#include "fake_unit.h"

struct fake_unit fake;
uint64_t fake_clock_reads;

#define BLOCKS_MAX 128

static struct block {
	void *va;
	uint64_t pa;
	size_t bytes;
} blocks[BLOCKS_MAX];
static unsigned nblocks;
static uint64_t next_pa;
static uint8_t regs_window[AMDVI_MMIO_SIZE];

static bool alloc(void *ctx, size_t bytes, struct amdvi_page *out)
{
	void *va;

	(void)ctx;
	if (nblocks == BLOCKS_MAX || (va = aligned_alloc(bytes, bytes)) == NULL)
		return false;
	memset(va, 0, bytes);
	next_pa = (next_pa + bytes - 1) & ~(uint64_t)(bytes - 1);
	blocks[nblocks++] = (struct block){va, next_pa, bytes};
	out->va = va;
	out->pa = next_pa;
	next_pa += bytes;
	return true;
}

void *fake_va(uint64_t pa)
{
	for (unsigned i = 0; i < nblocks; i++)
		if (pa >= blocks[i].pa && pa < blocks[i].pa + blocks[i].bytes)
			return (uint8_t *)blocks[i].va + (pa - blocks[i].pa);
	return NULL;
}

static uint64_t now_ns(void *ctx)
{
	(void)ctx;
	return ++fake_clock_reads * 1000;
}

static void no_flush(void *ctx, const void *va, size_t len)
{
	(void)ctx, (void)va, (void)len;
}

const struct amdvi_env fake_env = {NULL, alloc, now_ns, no_flush};

struct ward_device_window fake_window(void)
{
	struct ward_device_window w = {0};

	w.kind = WARD_WINDOW_AMDVI;
	w.phys = 0xfed80000;
	w.vaddr = (uint64_t)(uintptr_t)regs_window;
	w.size = AMDVI_MMIO_SIZE;
	w.unit_id = 0x0008;
	return w;
}

void fake_reset(uint64_t efr)
{
	for (unsigned i = 0; i < nblocks; i++)
		free(blocks[i].va);
	nblocks = 0;
	next_pa = FAKE_PA_BASE;
	memset(&fake, 0, sizeof(fake));
	fake_clock_reads = 0;
	fake.efr = efr;
}

unsigned fake_count(unsigned opcode)
{
	unsigned n = 0;

	for (unsigned i = 0; i < fake.log_count; i++)
		n += amdvi_cmd_opcode(fake.log[i]) == opcode;
	return n;
}

static uint64_t ring_bytes(uint64_t base, unsigned entry)
{
	return (1ULL << ((base & AMDVI_LEN_MASK) >> AMDVI_LEN_SHIFT)) * entry;
}

static void update_run_bits(void)
{
	bool on = fake.control & AMDVI_CTRL_IOMMU_EN;

	if (fake.run_stuck)
		return;
	fake.status &= ~(AMDVI_STATUS_CMD_BUF_RUN | AMDVI_STATUS_EVENT_LOG_RUN);
	if (on && (fake.control & AMDVI_CTRL_CMD_BUF_EN))
		fake.status |= AMDVI_STATUS_CMD_BUF_RUN;
	if (on && (fake.control & AMDVI_CTRL_EVENT_LOG_EN))
		fake.status |= AMDVI_STATUS_EVENT_LOG_RUN;
}

/* Executes one command; false if it stops the buffer. */
static bool execute(struct amdvi_cmd c)
{
	uint64_t *store;

	if (amdvi_cmd_opcode(c) == FAKE_ILLEGAL) {
		fake.status &= ~AMDVI_STATUS_CMD_BUF_RUN;
		fake_log_event((uint64_t)AMDVI_EVT_ILLEGAL_COMMAND_ERROR << AMDVI_EVT_CODE_SHIFT,
		               (fake.cmdbuf & AMDVI_ADDR_MASK) + fake.cmd_head);
		return false;
	}
	if (fake.log_count < FAKE_LOG_MAX)
		fake.log[fake.log_count++] = c;
	if (amdvi_cmd_opcode(c) == AMDVI_CMD_COMPLETION_WAIT && (c.lo & AMDVI_CW_S) &&
	    (store = fake_va(c.lo & AMDVI_CW_ADDR_MASK)) != NULL)
		*store = c.hi;
	return true;
}

void fake_process_queue(void)
{
	uint64_t size = ring_bytes(fake.cmdbuf, AMDVI_CMD_BYTES);

	fake.queue_stuck = false;
	while ((fake.status & AMDVI_STATUS_CMD_BUF_RUN) && fake.cmd_head != fake.cmd_tail) {
		struct amdvi_cmd *c = fake_va((fake.cmdbuf & AMDVI_ADDR_MASK) + fake.cmd_head);

		if (c == NULL || !execute(*c))
			return;
		fake.cmd_head = (fake.cmd_head + AMDVI_CMD_BYTES) % size;
	}
}

void fake_log_event(uint64_t lo, uint64_t hi)
{
	uint64_t size = ring_bytes(fake.evtlog, AMDVI_EVENT_BYTES), next;
	uint64_t *rec;

	if (!(fake.status & AMDVI_STATUS_EVENT_LOG_RUN) ||
	    (fake.status & AMDVI_STATUS_EVENT_OVERFLOW))
		return;
	next = (fake.evt_tail + AMDVI_EVENT_BYTES) % size;
	if (next == fake.evt_head) {
		fake.status |= AMDVI_STATUS_EVENT_OVERFLOW;
		return;
	}
	rec = fake_va((fake.evtlog & AMDVI_ADDR_MASK) + fake.evt_tail);
	rec[0] = lo;
	rec[1] = hi;
	fake.evt_tail = next;
	fake.status |= AMDVI_STATUS_EVENT_LOG_INT;
}

uint64_t amdvi_read64(const struct amdvi_unit *u, uint32_t off)
{
	(void)u;
	switch (off) {
	case AMDVI_REG_DEVTAB_BASE:
		return fake.devtab;
	case AMDVI_REG_CMDBUF_BASE:
		return fake.cmdbuf;
	case AMDVI_REG_EVTLOG_BASE:
		return fake.evtlog;
	case AMDVI_REG_CONTROL:
		return fake.control;
	case AMDVI_REG_EFR:
		return fake.efr;
	case AMDVI_REG_CMDBUF_HEAD:
		return fake.cmd_head;
	case AMDVI_REG_CMDBUF_TAIL:
		return fake.cmd_tail;
	case AMDVI_REG_EVTLOG_HEAD:
		return fake.evt_head;
	case AMDVI_REG_EVTLOG_TAIL:
		return fake.evt_tail;
	case AMDVI_REG_STATUS:
		return fake.status;
	default:
		return 0;
	}
}

void amdvi_write64(struct amdvi_unit *u, uint32_t off, uint64_t val)
{
	(void)u;
	switch (off) {
	case AMDVI_REG_DEVTAB_BASE:
		fake.devtab = val;
		break;
	case AMDVI_REG_CMDBUF_BASE:
		fake.cmdbuf = val;
		break;
	case AMDVI_REG_EVTLOG_BASE:
		fake.evtlog = val;
		break;
	case AMDVI_REG_CONTROL:
		fake.control = val;
		if (fake.control_writes < FAKE_CONTROL_MAX)
			fake.control_log[fake.control_writes] = val;
		fake.control_writes++;
		update_run_bits();
		if (!fake.queue_stuck)
			fake_process_queue();
		break;
	case AMDVI_REG_CMDBUF_HEAD:
		fake.cmd_head = val & AMDVI_RING_PTR_MASK;
		break;
	case AMDVI_REG_CMDBUF_TAIL:
		fake.cmd_tail = val & AMDVI_RING_PTR_MASK;
		fake.tail_writes++;
		if (!fake.queue_stuck)
			fake_process_queue();
		break;
	case AMDVI_REG_EVTLOG_HEAD:
		fake.evt_head = val & AMDVI_RING_PTR_MASK;
		break;
	case AMDVI_REG_EVTLOG_TAIL:
		fake.evt_tail = val & AMDVI_RING_PTR_MASK;
		break;
	case AMDVI_REG_STATUS:
		fake.status &= ~(val & (AMDVI_STATUS_EVENT_OVERFLOW | AMDVI_STATUS_EVENT_LOG_INT |
		                        AMDVI_STATUS_COM_WAIT_INT));
		break;
	default:
		break;
	}
}

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The NVMe driver library (servers/drivers/nvme/nvme.c, nvme_prp.c) on the
 * host against a model controller in memory: the registers are an array,
 * and the library's `wait` callback plays the controller (CSTS.RDY follows
 * CC.EN, submitted commands complete with a chosen status, or CSTS.CFS
 * goes up, or nothing happens). Checks PRP construction (NVMe Base 1.4
 * §4.3), bring-up honouring CAP.TO, and that every controller failure
 * comes back as its own error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "nvme.h"

enum model_mode { MODEL_OK, MODEL_NEVER_READY, MODEL_FATAL, MODEL_SILENT, MODEL_STATUS };

static struct {
	uint8_t regs[0x2000];
	uint8_t control[NVME_CONTROL_PAGES * NVME_PAGE] __attribute__((aligned(4096)));
	enum model_mode mode;
	uint16_t status;   /* MODEL_STATUS: what commands complete with */
	uint64_t clock_ms; /* advanced by each wait */
	uint32_t sq_head[2], cq_tail[2];
	uint8_t phase[2];
	struct nvme_sqe last[2]; /* the last command seen per queue */
} m;

static uint32_t *reg(unsigned off)
{
	return (uint32_t *)(m.regs + off);
}

static uint64_t now_ms(void)
{
	return m.clock_ms;
}

/* The queues' memory: the library's control pages (admin SQ/CQ, I/O SQ/CQ). */
static struct nvme_sqe *sq(unsigned q)
{
	return (struct nvme_sqe *)(m.control + 2 * q * NVME_PAGE);
}

static struct nvme_cqe *cq(unsigned q)
{
	return (struct nvme_cqe *)(m.control + (2 * q + 1) * NVME_PAGE);
}

static void complete_queue(unsigned q)
{
	uint32_t tail = *reg(NVME_REG_DB + 8 * q);

	while (m.sq_head[q] != tail) {
		struct nvme_sqe *e = &sq(q)[m.sq_head[q]];
		struct nvme_cqe *c = &cq(q)[m.cq_tail[q]];

		m.last[q] = *e;
		m.sq_head[q] = (m.sq_head[q] + 1) % NVME_QUEUE_ENTRIES;
		*c = (struct nvme_cqe){
		        .cid = e->cid,
		        .status = (uint16_t)((m.mode == MODEL_STATUS ? m.status : 0) | m.phase[q])};
		if (++m.cq_tail[q] == NVME_QUEUE_ENTRIES) {
			m.cq_tail[q] = 0;
			m.phase[q] ^= 1;
		}
	}
}

/* The controller's turn. */
static void model_wait(void *ctx)
{
	(void)ctx;
	m.clock_ms += 10;
	if (m.mode == MODEL_NEVER_READY)
		return;
	if (m.mode == MODEL_FATAL && (*reg(NVME_REG_CC) & NVME_CC_EN)) {
		*reg(NVME_REG_CSTS) |= NVME_CSTS_CFS;
		return;
	}
	*reg(NVME_REG_CSTS) = (*reg(NVME_REG_CC) & NVME_CC_EN) ? NVME_CSTS_RDY : 0;
	if (m.mode != MODEL_SILENT && (*reg(NVME_REG_CSTS) & NVME_CSTS_RDY)) {
		complete_queue(0);
		complete_queue(1);
	}
}

static struct nvme_ctrl model_ctrl(enum model_mode mode)
{
	uint64_t cap = 0xffffu | 20ull << 24 | 1ull << 37; /* MQES 65536, TO 10 s, NVM */

	memset(&m, 0, sizeof(m));
	m.mode = mode;
	m.phase[0] = m.phase[1] = 1;
	memcpy(m.regs + NVME_REG_CAP, &cap, 8);
	*reg(NVME_REG_CSTS) = NVME_CSTS_RDY; /* left enabled by firmware */
	*reg(NVME_REG_CC) = NVME_CC_EN;
	return (struct nvme_ctrl){.regs = m.regs,
	                          .control = {.va = m.control, .iova = 0x100000},
	                          .wait = model_wait,
	                          .now_ms = now_ms};
}

static void prp_single_double_and_list(void **state)
{
	uint64_t list[NVME_MAX_PAGES], p1, p2;

	(void)state;
	assert_int_equal(nvme_prp_build(0x10000, 512, 0x9000, list, &p1, &p2), 0);
	assert_true(p1 == 0x10000 && p2 == 0);
	assert_int_equal(nvme_prp_build(0x10000, 8192, 0x9000, list, &p1, &p2), 0);
	assert_true(p1 == 0x10000 && p2 == 0x11000);
	assert_int_equal(nvme_prp_build(0x10000, 5 * 4096 - 512, 0x9000, list, &p1, &p2), 4);
	assert_true(p1 == 0x10000 && p2 == 0x9000);
	for (unsigned i = 0; i < 4; i++)
		assert_true(list[i] == 0x11000 + i * 4096ull);
	assert_int_equal(nvme_prp_build(0x10000, NVME_MAX_PAGES * 4096ull, 0x9000, list, &p1, &p2),
	                 NVME_MAX_PAGES - 1);
}

static void prp_refusals(void **state)
{
	uint64_t list[4], p1 = 7, p2 = 7;

	(void)state;
	assert_int_equal(nvme_prp_build(0x10000, 0, 0x9000, list, &p1, &p2), -1);
	assert_int_equal(nvme_prp_build(0x10200, 512, 0x9000, list, &p1, &p2), -1);
	assert_int_equal(nvme_prp_build(0x10000, 4096, 0x9008, list, &p1, &p2), -1);
	assert_int_equal(
	        nvme_prp_build(0x10000, (NVME_MAX_PAGES + 1) * 4096ull, 0x9000, list, &p1, &p2),
	        -1);
	assert_true(p1 == 7 && p2 == 7); /* nothing written on refusal */
}

static void start_and_io(void **state)
{
	struct nvme_ctrl c = model_ctrl(MODEL_OK);

	(void)state;
	assert_int_equal(nvme_start(&c), NVME_OK);
	assert_int_equal(c.ready_timeout_ms, 10000);
	/* CC as NVMe §3.1.5 wants it: enabled, 4 KiB pages, 64/16-byte entries. */
	assert_int_equal(*reg(NVME_REG_CC), NVME_CC_EN | NVME_CC_IOSQES | NVME_CC_IOCQES);
	assert_int_equal(m.last[0].opcode, NVME_ADMIN_CREATE_SQ);
	assert_int_equal(m.last[0].cdw11, 1u << 16 | NVME_QUEUE_PC);
	c.nsid = 1;
	c.blocks = 1000;
	c.block_size = 512;
	assert_int_equal(nvme_rw(&c, true, 990, 10, 0x40000), NVME_OK);
	assert_int_equal(m.last[1].opcode, NVME_CMD_WRITE);
	assert_int_equal(m.last[1].cdw10, 990);
	assert_int_equal(m.last[1].cdw12, 9); /* NLB is 0-based */
	assert_int_equal(m.last[1].prp2, 0x40000 + 4096);
	/* Past the namespace, no blocks: refused before the controller sees them. */
	assert_int_equal(nvme_rw(&c, true, 995, 10, 0x40000), NVME_E_ARGUMENT);
	assert_int_equal(nvme_rw(&c, false, 0, 0, 0x40000), NVME_E_ARGUMENT);
	assert_int_equal(nvme_rw(&c, false, ~0ull, 2, 0x40000), NVME_E_ARGUMENT);
	assert_int_equal(m.last[1].opcode, NVME_CMD_WRITE);
	/* More commands than the queue has entries: the phase tag flips and it goes on. */
	for (unsigned i = 0; i < 3 * NVME_QUEUE_ENTRIES; i++)
		assert_int_equal(nvme_flush(&c), NVME_OK);
}

static void failures_are_named(void **state)
{
	struct nvme_ctrl c = model_ctrl(MODEL_NEVER_READY);

	(void)state;
	assert_int_equal(nvme_start(&c), NVME_E_TIMEOUT);
	assert_true(m.clock_ms >= 10000 && m.clock_ms <= 10020); /* CAP.TO, not less, not forever */

	c = model_ctrl(MODEL_FATAL);
	assert_int_equal(nvme_start(&c), NVME_E_FATAL);
	assert_true(c.last_csts & NVME_CSTS_CFS);

	c = model_ctrl(MODEL_SILENT);
	c.command_timeout_ms = 200;
	assert_int_equal(nvme_start(&c), NVME_E_NO_COMPLETION);

	c = model_ctrl(MODEL_STATUS);
	m.status = NVME_SC_INVALID_FIELD << 1 | 1u << 15;
	assert_int_equal(nvme_start(&c), NVME_E_STATUS);
	assert_int_equal(NVME_CQE_SC(c.last_status), NVME_SC_INVALID_FIELD);
	assert_string_equal(nvme_status_name(c.last_status), "invalid field");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(prp_single_double_and_list),
	        cmocka_unit_test(prp_refusals),
	        cmocka_unit_test(start_and_io),
	        cmocka_unit_test(failures_are_named),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

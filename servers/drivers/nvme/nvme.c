/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The NVMe controller (nvme.h): bring-up and commands.
 *
 * Bring-up (NVMe Base 1.4 §7.6.1): CC.EN cleared and CSTS.RDY waited to
 * clear, within CAP.TO (§3.1.1: 500 ms units); admin queue registers (AQA,
 * ASQ, ACQ); CC written with the NVM command set, 4 KiB pages and the
 * entry sizes, CSTS.RDY waited for; Identify Controller; the I/O
 * completion queue (interrupt vector 0, the MSI-X entry the caller set up)
 * and its submission queue created.
 *
 * A command goes into the submission queue at its tail, the tail doorbell
 * is written (§7.2.1), and the library polls the completion queue's next
 * entry for the phase tag it expects (§4.6: the tag flips on each pass
 * through the queue), calling `wait` between polls. While it waits it
 * watches CSTS.CFS, and it gives up after the command time-out: a dead
 * controller is an error, never a hang. The completion's head doorbell is
 * written once the entry is consumed.
 */
#include <stddef.h>
#include <string.h>

#include "nvme.h"

static uint32_t reg32(struct nvme_ctrl *c, unsigned off)
{
	return *(volatile uint32_t *)(c->regs + off);
}

static void set32(struct nvme_ctrl *c, unsigned off, uint32_t v)
{
	*(volatile uint32_t *)(c->regs + off) = v;
}

/* 64-bit registers as two 32-bit accesses, low half first (§3.1: either is allowed). */
static uint64_t reg64(struct nvme_ctrl *c, unsigned off)
{
	return reg32(c, off) | (uint64_t)reg32(c, off + 4) << 32;
}

static void set64(struct nvme_ctrl *c, unsigned off, uint64_t v)
{
	set32(c, off, (uint32_t)v);
	set32(c, off + 4, (uint32_t)(v >> 32));
}

static struct nvme_dma control_page(struct nvme_ctrl *c, unsigned i)
{
	return (struct nvme_dma){.va = c->control.va + i * NVME_PAGE,
	                         .iova = c->control.iova + i * NVME_PAGE};
}

volatile uint8_t *nvme_identify_data(struct nvme_ctrl *c)
{
	return control_page(c, 4).va;
}

static void queue_init(struct nvme_ctrl *c, struct nvme_queue *q, uint16_t id, unsigned page)
{
	struct nvme_dma sq = control_page(c, page), cq = control_page(c, page + 1);
	uint32_t stride = 4u << NVME_CAP_DSTRD(c->cap);

	for (unsigned i = 0; i < NVME_PAGE; i++)
		sq.va[i] = cq.va[i] = 0;
	*q = (struct nvme_queue){
	        .sq = (volatile struct nvme_sqe *)sq.va,
	        .cq = (volatile struct nvme_cqe *)cq.va,
	        .sq_iova = sq.iova,
	        .cq_iova = cq.iova,
	        .sq_doorbell = (volatile uint32_t *)(c->regs + NVME_REG_DB + 2u * id * stride),
	        .cq_doorbell =
	                (volatile uint32_t *)(c->regs + NVME_REG_DB + (2u * id + 1) * stride),
	        .id = id,
	        .entries = (uint16_t)NVME_QUEUE_ENTRIES,
	        .phase = 1,
	};
}

/* Waits until CSTS.RDY is `ready`, within CAP.TO; CFS while enabling is fatal. */
static enum nvme_err wait_ready(struct nvme_ctrl *c, bool ready)
{
	uint64_t start = c->now_ms();

	for (;;) {
		uint32_t csts = reg32(c, NVME_REG_CSTS);

		c->last_csts = csts;
		if (ready && (csts & NVME_CSTS_CFS))
			return NVME_E_FATAL;
		if (((csts & NVME_CSTS_RDY) != 0) == ready)
			return NVME_OK;
		if (c->now_ms() - start > c->ready_timeout_ms)
			return NVME_E_TIMEOUT;
		c->wait(c->wait_ctx);
	}
}

enum nvme_err nvme_disable(struct nvme_ctrl *c)
{
	c->cap = reg64(c, NVME_REG_CAP);
	c->ready_timeout_ms = (NVME_CAP_TO(c->cap) ? NVME_CAP_TO(c->cap) : 1) * 500u;
	set32(c, NVME_REG_CC, reg32(c, NVME_REG_CC) & ~NVME_CC_EN);
	return wait_ready(c, false);
}

static enum nvme_err enable(struct nvme_ctrl *c)
{
	if (!NVME_CAP_CSS_NVM(c->cap) || NVME_CAP_MPSMIN(c->cap) != 0 ||
	    NVME_CAP_MQES(c->cap) < NVME_QUEUE_ENTRIES)
		return NVME_E_UNSUPPORTED;
	queue_init(c, &c->admin, 0, 0);
	set32(c, NVME_REG_AQA, (NVME_QUEUE_ENTRIES - 1) << 16 | (NVME_QUEUE_ENTRIES - 1));
	set64(c, NVME_REG_ASQ, c->admin.sq_iova);
	set64(c, NVME_REG_ACQ, c->admin.cq_iova);
	set32(c, NVME_REG_CC,
	      NVME_CC_EN | NVME_CC_CSS_NVM | NVME_CC_MPS(12) | NVME_CC_AMS_RR | NVME_CC_IOSQES |
	              NVME_CC_IOCQES);
	return wait_ready(c, true);
}

/* The completion of command `cid` on q, polled for; NVME_OK only for a success status. */
static enum nvme_err complete(struct nvme_ctrl *c, struct nvme_queue *q, uint16_t cid,
                              uint32_t *result)
{
	uint64_t start = c->now_ms(), waited = 0;
	volatile struct nvme_cqe *e = &q->cq[q->cq_head];
	uint16_t status;

	if (c->ticks != NULL && NVME_CQE_PHASE(e->status) != q->phase)
		waited = c->ticks();
	while (NVME_CQE_PHASE(e->status) != q->phase) {
		c->last_csts = reg32(c, NVME_REG_CSTS);
		if (c->last_csts & NVME_CSTS_CFS)
			return NVME_E_FATAL;
		if (c->now_ms() - start > c->command_timeout_ms)
			return NVME_E_NO_COMPLETION;
		c->wait(c->wait_ctx);
	}
	if (waited != 0)
		c->wait_ticks += c->ticks() - waited;
	status = e->status;
	if (result != NULL)
		*result = e->result;
	if (++q->cq_head == q->entries) {
		q->cq_head = 0;
		q->phase ^= 1;
	}
	*q->cq_doorbell = q->cq_head;
	if (c->take_interrupt != NULL)
		c->take_interrupt(c->wait_ctx);
	if (e->cid != cid || (status & 0xfffe) != 0) {
		c->last_status = e->cid != cid ? 0xffff : status;
		return NVME_E_STATUS;
	}
	return NVME_OK;
}

/* Puts cmd (its cid assigned) in q and rings the doorbell. */
static void post(struct nvme_ctrl *c, struct nvme_queue *q, struct nvme_sqe *cmd)
{
	volatile uint32_t *dst = (volatile uint32_t *)&q->sq[q->sq_tail];
	uint32_t words[sizeof(*cmd) / 4];

	/* Through memcpy: reading the entry as uint32_t words directly breaks strict aliasing. */
	cmd->cid = q->next_cid++;
	memcpy(words, cmd, sizeof(words));
	for (unsigned i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		dst[i] = words[i];
	if (++q->sq_tail == q->entries)
		q->sq_tail = 0;
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* the entry before the doorbell */
	*q->sq_doorbell = q->sq_tail;
	c->commands++;
}

/* Submits cmd on q and waits for its completion. */
static enum nvme_err submit(struct nvme_ctrl *c, struct nvme_queue *q, struct nvme_sqe *cmd,
                            uint32_t *result)
{
	post(c, q, cmd);
	return complete(c, q, cmd->cid, result);
}

enum nvme_err nvme_admin(struct nvme_ctrl *c, struct nvme_sqe *cmd, uint32_t *result)
{
	return submit(c, &c->admin, cmd, result);
}

enum nvme_err nvme_identify(struct nvme_ctrl *c, uint32_t cns, uint32_t cntid, uint32_t nsid)
{
	struct nvme_sqe cmd = {.opcode = NVME_ADMIN_IDENTIFY,
	                       .nsid = nsid,
	                       .prp1 = control_page(c, 4).iova,
	                       .cdw10 = cns | cntid << 16};

	return nvme_admin(c, &cmd, NULL);
}

static uint32_t id32(struct nvme_ctrl *c, unsigned off)
{
	volatile uint8_t *d = nvme_identify_data(c) + off;

	return d[0] | (uint32_t)d[1] << 8 | (uint32_t)d[2] << 16 | (uint32_t)d[3] << 24;
}

static enum nvme_err identify_controller(struct nvme_ctrl *c)
{
	enum nvme_err err = nvme_identify(c, NVME_CNS_CONTROLLER, 0, 0);
	uint8_t mdts;

	if (err != NVME_OK)
		return err;
	c->cntlid = (uint16_t)id32(c, NVME_IDCTRL_CNTLID);
	c->namespaces = id32(c, NVME_IDCTRL_NN);
	mdts = nvme_identify_data(c)[NVME_IDCTRL_MDTS];
	c->max_pages = NVME_MAX_PAGES;
	if (mdts != 0 && mdts < 10 && (1u << mdts) < c->max_pages)
		c->max_pages = 1u << mdts; /* in units of CAP.MPSMIN pages: 4 KiB here */
	return NVME_OK;
}

/* Create I/O Completion Queue then Submission Queue 1 (§5.3, §5.4). */
static enum nvme_err create_io_queues(struct nvme_ctrl *c)
{
	struct nvme_sqe cq = {.opcode = NVME_ADMIN_CREATE_CQ,
	                      .prp1 = c->io.cq_iova,
	                      .cdw10 = (uint32_t)(c->io.entries - 1) << 16 | c->io.id,
	                      .cdw11 = NVME_QUEUE_PC | (c->interrupts ? NVME_QUEUE_IEN : 0)};
	struct nvme_sqe sq = {.opcode = NVME_ADMIN_CREATE_SQ,
	                      .prp1 = c->io.sq_iova,
	                      .cdw10 = (uint32_t)(c->io.entries - 1) << 16 | c->io.id,
	                      .cdw11 = (uint32_t)c->io.id << 16 | NVME_QUEUE_PC};
	enum nvme_err err = nvme_admin(c, &cq, NULL);

	return err != NVME_OK ? err : nvme_admin(c, &sq, NULL);
}

bool nvme_not_yet(const struct nvme_ctrl *c, enum nvme_err err)
{
	return err == NVME_E_FATAL || err == NVME_E_NAMESPACE ||
	       (err == NVME_E_UNSUPPORTED && c->cap == 0);
}

enum nvme_err nvme_start(struct nvme_ctrl *c)
{
	enum nvme_err err;

	if (c->command_timeout_ms == 0)
		c->command_timeout_ms = 5000;
	if ((err = nvme_disable(c)) != NVME_OK || (err = enable(c)) != NVME_OK ||
	    (err = identify_controller(c)) != NVME_OK)
		return err;
	queue_init(c, &c->io, 1, 2);
	return create_io_queues(c);
}

enum nvme_err nvme_namespace(struct nvme_ctrl *c, uint32_t nsid)
{
	enum nvme_err err = nvme_identify(c, NVME_CNS_NAMESPACE, 0, nsid);
	volatile uint8_t *d = nvme_identify_data(c);
	unsigned format, lbads;

	if (err != NVME_OK)
		return err == NVME_E_STATUS ? NVME_E_NAMESPACE : err;
	c->blocks = id32(c, NVME_IDNS_NSZE) | (uint64_t)id32(c, NVME_IDNS_NSZE + 4) << 32;
	format = d[NVME_IDNS_FLBAS] & 0xf;
	lbads = d[NVME_IDNS_LBAF + 4 * format + 2];
	if (c->blocks == 0 || lbads < 9 || lbads > 12) /* an inactive namespace reads as zeroes */
		return NVME_E_NAMESPACE;
	c->nsid = nsid;
	c->block_size = 1u << lbads;
	return NVME_OK;
}

enum nvme_err nvme_rw(struct nvme_ctrl *c, bool write, uint64_t lba, uint32_t count, uint64_t iova)
{
	struct nvme_dma list = control_page(c, 5);
	struct nvme_sqe cmd = {.opcode = write ? NVME_CMD_WRITE : NVME_CMD_READ, .nsid = c->nsid};
	uint64_t bytes = (uint64_t)count * c->block_size;

	if (c->nsid == 0 || count == 0 || count > 0x10000 || lba >= c->blocks ||
	    count > c->blocks - lba || (bytes + NVME_PAGE - 1) / NVME_PAGE > c->max_pages ||
	    nvme_prp_build(iova, bytes, list.iova, (uint64_t *)list.va, &cmd.prp1, &cmd.prp2) < 0)
		return NVME_E_ARGUMENT;
	cmd.cdw10 = (uint32_t)lba;
	cmd.cdw11 = (uint32_t)(lba >> 32);
	cmd.cdw12 = count - 1; /* NLB is 0-based (§6.9.1, §6.15.1) */
	return submit(c, &c->io, &cmd, NULL);
}

enum nvme_err nvme_rw_submit(struct nvme_ctrl *c, bool write, uint64_t lba, uint32_t count,
                             uint64_t iova)
{
	struct nvme_sqe cmd = {.opcode = write ? NVME_CMD_WRITE : NVME_CMD_READ, .nsid = c->nsid};
	uint64_t bytes = (uint64_t)count * c->block_size;

	if (c->nsid == 0 || count == 0 || lba >= c->blocks || count > c->blocks - lba ||
	    bytes > 2 * NVME_PAGE || nvme_prp_build(iova, bytes, 0, NULL, &cmd.prp1, &cmd.prp2) < 0)
		return NVME_E_ARGUMENT;
	cmd.cdw10 = (uint32_t)lba;
	cmd.cdw11 = (uint32_t)(lba >> 32);
	cmd.cdw12 = count - 1;
	post(c, &c->io, &cmd);
	return NVME_OK;
}

enum nvme_err nvme_flush(struct nvme_ctrl *c)
{
	struct nvme_sqe cmd = {.opcode = NVME_CMD_FLUSH, .nsid = c->nsid};

	return submit(c, &c->io, &cmd, NULL);
}

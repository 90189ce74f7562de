/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The NVMe driver library (docs/nvme.md): one controller, driven through
 * its registers (BAR 0 mapped by the caller) with one admin queue pair and
 * one I/O queue pair, every command synchronous. It knows nothing of
 * Ward: DMA memory is handed in as CPU address + device address (IOVA)
 * pairs, and waiting for a completion is the caller's `wait` (an
 * interrupt, or a yield). nvme_ward.c makes those from a device cap, a
 * domain cap and lent buffers.
 *
 * Every failure is named (enum nvme_err): a controller that does not
 * become ready within CAP.TO, a controller fatal status (CSTS.CFS), a
 * command completed with an error status (its SCT and SC kept in
 * `last_status`), a completion that never came.
 */
#ifndef NVME_H
#define NVME_H

#include <stdbool.h>
#include <stdint.h>

#include "nvme_spec.h"

#define NVME_PAGE          4096u
#define NVME_QUEUE_ENTRIES 64u /* per queue, admin and I/O (at most CAP.MQES) */
/* The control area: admin SQ, admin CQ, I/O SQ, I/O CQ, identify data, PRP list. */
#define NVME_CONTROL_PAGES 6u
/* One PRP list page: 512 entries, so a transfer of up to 513 pages. */
#define NVME_MAX_PAGES     (NVME_PAGE / 8 + 1)

enum nvme_err {
	NVME_OK = 0,
	NVME_E_TIMEOUT,       /* CSTS.RDY did not follow CC.EN within CAP.TO */
	NVME_E_FATAL,         /* CSTS.CFS: the controller reports a fatal error */
	NVME_E_STATUS,        /* a command completed with an error (last_status) */
	NVME_E_NO_COMPLETION, /* no completion within the command time-out */
	NVME_E_UNSUPPORTED,   /* no NVM command set, or 4 KiB pages not allowed */
	NVME_E_NAMESPACE,     /* the namespace is inactive or has an unusable format */
	NVME_E_ARGUMENT,      /* a request the library refuses before the device sees it */
};

/* A page (or run of pages) of DMA memory: where the CPU sees it, where the device does. */
struct nvme_dma {
	volatile uint8_t *va;
	uint64_t iova;
};

struct nvme_queue {
	volatile struct nvme_sqe *sq;
	volatile struct nvme_cqe *cq;
	uint64_t sq_iova, cq_iova;
	volatile uint32_t *sq_doorbell, *cq_doorbell;
	uint16_t id, entries, sq_tail, cq_head, next_cid;
	uint8_t phase;
};

struct nvme_ctrl {
	volatile uint8_t *regs;  /* BAR 0: registers and doorbells (8 KiB) */
	struct nvme_dma control; /* NVME_CONTROL_PAGES pages, contiguous in both views */
	/* Waits a while for the controller's interrupt (or yields); the library polls around it. */
	void (*wait)(void *ctx);
	/*
	 * Takes the interrupt that came with a completion, if it has come (may
	 * be NULL): called once per completion consumed, so the interrupt is
	 * acknowledged and can fire again.
	 */
	void (*take_interrupt)(void *ctx);
	void *wait_ctx;
	uint64_t (*now_ms)(void); /* a clock for time-outs */
	/* Optional (benchmarks): a cycle counter; wait_ticks sums the waits for completions. */
	uint64_t (*ticks)(void);
	uint64_t wait_ticks;
	bool interrupts; /* the I/O CQ raises its interrupt (MSI-X vector 0) */
	uint32_t command_timeout_ms;

	/* Filled by nvme_start() and nvme_namespace(). */
	uint64_t cap;
	uint32_t ready_timeout_ms; /* CAP.TO */
	uint16_t cntlid;
	uint32_t max_pages; /* per transfer: MDTS and the PRP list */
	uint32_t namespaces;
	uint32_t nsid, block_size;
	uint64_t blocks;
	struct nvme_queue admin, io;
	uint16_t last_status; /* the completion status of the last failed command */
	uint32_t last_csts;
	uint64_t commands;
};

/* The identify data page (control page 4) and the PRP list page (5). */
volatile uint8_t *nvme_identify_data(struct nvme_ctrl *c);

/*
 * Disables the controller (waiting up to CAP.TO for CSTS.RDY to clear),
 * sets up the admin queue, enables it (waiting for CSTS.RDY), identifies
 * it and creates the I/O queue pair.
 */
enum nvme_err nvme_start(struct nvme_ctrl *c);
/*
 * Whether err says the controller is not online yet (a VF whose secondary
 * controller is offline: CAP reads 0, or CC.EN is answered with CSTS.CFS)
 * or its namespace is not attached yet: what a VF's driver waits out.
 */
bool nvme_not_yet(const struct nvme_ctrl *c, enum nvme_err err);
/* CC.EN cleared and CSTS.RDY waited for: the controller stops all DMA. */
enum nvme_err nvme_disable(struct nvme_ctrl *c);
/* Identify namespace `nsid`: its size and block size (512..4096 bytes). */
enum nvme_err nvme_namespace(struct nvme_ctrl *c, uint32_t nsid);

/* An admin command, waited for; *result its completion's DW0. */
enum nvme_err nvme_admin(struct nvme_ctrl *c, struct nvme_sqe *cmd, uint32_t *result);
/* Identify with `cns` (and cdw10's CNTID, nsid) into the identify data page. */
enum nvme_err nvme_identify(struct nvme_ctrl *c, uint32_t cns, uint32_t cntid, uint32_t nsid);

/*
 * Read or write `count` blocks at `lba` of the namespace from/to the data
 * at `iova` (page aligned, contiguous in the device's view), with PRP
 * entries and, past two pages, the PRP list.
 */
enum nvme_err nvme_rw(struct nvme_ctrl *c, bool write, uint64_t lba, uint32_t count, uint64_t iova);
enum nvme_err nvme_flush(struct nvme_ctrl *c);

/*
 * Submits a read or write of at most two pages and does not wait: the
 * command is in flight when it returns (tests of what a move does to it).
 */
enum nvme_err nvme_rw_submit(struct nvme_ctrl *c, bool write, uint64_t lba, uint32_t count,
                             uint64_t iova);

/* SR-IOV, on the PF's controller (nvme_sriov.c). */
/* The secondary controller of VF `vf_number` (1-based): its ID and whether it is online. */
enum nvme_err nvme_secondary_of_vf(struct nvme_ctrl *c, uint16_t vf_number, uint16_t *cntlid,
                                   bool *online);
/* Offline, `queues` VQ and `interrupts` VI resources assigned, online. */
enum nvme_err nvme_secondary_online(struct nvme_ctrl *c, uint16_t cntlid, uint16_t queues,
                                    uint16_t interrupts);
/* Namespace Attachment of nsid to controller cntlid (attach, or detach). */
enum nvme_err nvme_ns_attach(struct nvme_ctrl *c, uint32_t nsid, uint16_t cntlid, bool attach);

/*
 * The PRPs of a transfer of `bytes` at page-aligned `iova` (NVMe §4.3):
 * PRP1 the first page; PRP2 the second page, or, past two pages, the
 * list page at `list_iova` whose entries (written to `list`) name the
 * rest. Returns the list's entry count, -1 for a transfer of 0 bytes or
 * more than NVME_MAX_PAGES pages or an unaligned iova.
 */
int nvme_prp_build(uint64_t iova, uint64_t bytes, uint64_t list_iova, uint64_t *list,
                   uint64_t *prp1, uint64_t *prp2);

/* A name for an error and, for NVME_E_STATUS, the status's meaning. */
const char *nvme_err_name(enum nvme_err e);
const char *nvme_status_name(uint16_t status);

#endif

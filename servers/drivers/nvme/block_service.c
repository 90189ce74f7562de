/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The block protocol served over a driver's controller (block.protocol).
 * Every request is untrusted: its badge must name a live grant, its block
 * range must lie inside the grant and its size inside the grant's window,
 * and a write needs a writable grant. The checks run in that order, each
 * with its own error, before the controller sees anything; so a refused
 * request changes nothing on the disk. Controller errors are reported as
 * DEVICE (CSTS.CFS, no completion: MR1 the CSTS read last) or MEDIA (a
 * completion with an error status: MR1 its type, MR2 its code).
 */
#include <ward/server.h>

#include "block_client.h"
#include "block_server.h" /* generated from block.protocol */
#include "block_service.h"

/* A grant named by `badge` (0: the slot's index + 1); its badge, or 0 if refused. */
static uint64_t grant_add(struct block_service *b, uint64_t badge, uint64_t first, uint64_t blocks,
                          bool writable, uint32_t window, uint32_t pages)
{
	for (unsigned i = 0; i < BLOCK_GRANTS; i++) {
		struct block_grant *g = &b->grants[i];

		if (g->live)
			continue;
		if (blocks == 0 || first >= b->ctrl->blocks || blocks > b->ctrl->blocks - first ||
		    pages == 0 || window >= b->data_pages || pages > b->data_pages - window)
			return 0;
		*g = (struct block_grant){.live = true,
		                          .writable = writable,
		                          .badge = badge != 0 ? badge : i + 1,
		                          .first = first,
		                          .blocks = blocks,
		                          .window = window,
		                          .window_pages = pages};
		if (window + pages > b->next_window)
			b->next_window = window + pages;
		return g->badge;
	}
	return 0;
}

uint64_t block_grant_add(struct block_service *b, uint64_t first, uint64_t blocks, bool writable,
                         uint32_t window, uint32_t pages)
{
	return grant_add(b, 0, first, blocks, writable, window, pages);
}

void block_clients(struct block_service *b, uint32_t pages, bool writable)
{
	b->client_pages = pages;
	b->client_writable = writable;
}

static struct block_grant *grant_of(struct block_service *b, uint64_t badge)
{
	if (badge == 0)
		return NULL;
	for (unsigned i = 0; i < BLOCK_GRANTS; i++)
		if (b->grants[i].live && b->grants[i].badge == badge)
			return &b->grants[i];
	/* A client's first request: a window of its own if one still fits. */
	if (b->client_pages == 0 || b->next_window >= b->data_pages ||
	    b->client_pages > b->data_pages - b->next_window ||
	    grant_add(b, badge, 0, b->ctrl->blocks, b->client_writable, b->next_window,
	              b->client_pages) == 0)
		return NULL;
	return grant_of(b, badge);
}

volatile uint8_t *block_window(struct block_service *b, uint64_t badge)
{
	struct block_grant *g = grant_of(b, badge);

	return g == NULL ? NULL : b->data.va + (uint64_t)g->window * NVME_PAGE;
}

static uint64_t window_blocks(const struct block_service *b, const struct block_grant *g)
{
	return (uint64_t)g->window_pages * NVME_PAGE / b->ctrl->block_size;
}

/* The controller's error as the protocol's. */
static enum ward_error device_error(struct ward_request *rq, struct block_service *b,
                                    enum nvme_err err)
{
	uint16_t st = b->ctrl->last_status;

	b->refused++;
	if (err == NVME_E_STATUS)
		return ward_fail(rq, BLOCK_ERR_MEDIA, 0, NVME_CQE_SCT(st), NVME_CQE_SC(st));
	if (err == NVME_E_ARGUMENT)
		return ward_fail(rq, WARD_ERR_INVALID_ARGUMENT, 0, 0, 0);
	return ward_fail(rq, BLOCK_ERR_DEVICE, 0, b->ctrl->last_csts, err);
}

static enum ward_error transfer(struct ward_request *rq, bool write, uint64_t lba, uint64_t count)
{
	struct block_service *b = rq->ctx;
	struct block_grant *g = grant_of(b, rq->badge);
	enum nvme_err err;

	if (g == NULL)
		return ward_fail(rq, BLOCK_ERR_DENIED, 0, 0, 0);
	if (count == 0 || count > window_blocks(b, g))
		return ward_fail(rq, WARD_ERR_INVALID_ARGUMENT, 1, 1, window_blocks(b, g));
	if (lba >= g->blocks || count > g->blocks - lba)
		return ward_fail(rq, WARD_ERR_RANGE, 0, 0, g->blocks);
	if (write && !g->writable)
		return ward_fail(rq, BLOCK_ERR_DENIED, 0, 1, 0);
	err = nvme_rw(b->ctrl, write, g->first + lba, (uint32_t)count,
	              b->data.iova + (uint64_t)g->window * NVME_PAGE);
	if (err != NVME_OK)
		return device_error(rq, b, err);
	b->served++;
	return WARD_OK;
}

enum ward_error block_serve_info(struct ward_request *rq, uint64_t *blocks, uint64_t *block_size,
                                 uint64_t *window, uint64_t *writable)
{
	struct block_service *b = rq->ctx;
	struct block_grant *g = grant_of(b, rq->badge);

	if (g == NULL)
		return ward_fail(rq, BLOCK_ERR_DENIED, 0, 0, 0);
	*blocks = g->blocks;
	*block_size = b->ctrl->block_size;
	*window = window_blocks(b, g);
	*writable = g->writable;
	return WARD_OK;
}

enum ward_error block_serve_read(struct ward_request *rq, uint64_t lba, uint64_t count)
{
	return transfer(rq, false, lba, count);
}

enum ward_error block_serve_write(struct ward_request *rq, uint64_t lba, uint64_t count)
{
	return transfer(rq, true, lba, count);
}

enum ward_error block_serve_flush(struct ward_request *rq)
{
	struct block_service *b = rq->ctx;
	enum nvme_err err;

	if (grant_of(b, rq->badge) == NULL)
		return ward_fail(rq, BLOCK_ERR_DENIED, 0, 0, 0);
	if ((err = nvme_flush(b->ctrl)) != NVME_OK)
		return device_error(rq, b, err);
	return WARD_OK;
}

enum ward_error block_serve_put(struct ward_request *rq, uint64_t offset, uint64_t count,
                                const uint64_t *words)
{
	struct block_service *b = rq->ctx;
	struct block_grant *g = grant_of(b, rq->badge);
	uint64_t bytes;

	if (g == NULL)
		return ward_fail(rq, BLOCK_ERR_DENIED, 0, 0, 0);
	bytes = (uint64_t)g->window_pages * NVME_PAGE;
	if (offset % 8 != 0)
		return ward_fail(rq, WARD_ERR_INVALID_ARGUMENT, 0, 0, 0);
	if (offset > bytes || count > (bytes - offset) / 8)
		return ward_fail(rq, WARD_ERR_RANGE, 0, 0, bytes);
	for (uint64_t i = 0; i < count; i++) {
		volatile uint8_t *p = b->data.va + (uint64_t)g->window * NVME_PAGE + offset + i * 8;

		for (unsigned k = 0; k < 8; k++)
			p[k] = (uint8_t)(words[i] >> (8 * k));
	}
	return WARD_OK;
}

enum ward_error block_serve_hash(struct ward_request *rq, uint64_t offset, uint64_t bytes,
                                 uint64_t *hash)
{
	struct block_service *b = rq->ctx;
	struct block_grant *g = grant_of(b, rq->badge);
	uint64_t size;

	if (g == NULL)
		return ward_fail(rq, BLOCK_ERR_DENIED, 0, 0, 0);
	size = (uint64_t)g->window_pages * NVME_PAGE;
	if (bytes == 0 || offset > size || bytes > size - offset)
		return ward_fail(rq, WARD_ERR_RANGE, 0, 0, size);
	*hash = block_fnv1a(b->data.va + (uint64_t)g->window * NVME_PAGE + offset, bytes);
	return WARD_OK;
}

uint64_t block_serve(struct block_service *b, uint64_t endpoint, uint64_t reply)
{
	struct ward_server s = {.protocol = &block_protocol,
	                        .endpoint = endpoint,
	                        .reply = reply,
	                        .cspace = 0,
	                        .recv_slot = 0,
	                        .ctx = b};

	return ward_server_run(&s);
}

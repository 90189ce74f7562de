/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The block protocol's server side (block.protocol, block_service.c): the
 * grants a driver serves, each a range of its namespace and a window of
 * its data pages, found by the badge of the request: grant index + 1 for
 * grants made with block_grant_add(), or, with per-client grants on
 * (block_clients(), the driver program under a manifest), the badge the
 * client's cap carries (its pid), given a grant on its first request.
 */
#ifndef NVME_BLOCK_SERVICE_H
#define NVME_BLOCK_SERVICE_H

#include <stdbool.h>
#include <stdint.h>

#include "nvme.h"

#define BLOCK_GRANTS 8

struct block_grant {
	bool live, writable;
	uint64_t badge;                /* the badge that names it */
	uint64_t first, blocks;        /* namespace blocks [first, first + blocks) */
	uint32_t window, window_pages; /* data pages [window, window + window_pages) */
};

struct block_service {
	struct nvme_ctrl *ctrl;
	struct nvme_dma data; /* the driver's data pages */
	uint32_t data_pages;
	struct block_grant grants[BLOCK_GRANTS];
	uint64_t served, refused;
	/* Per-client grants (block_clients()): 0 pages is off. */
	uint32_t client_pages, next_window;
	bool client_writable;
};

/*
 * A grant of `blocks` blocks from `first` with window pages [window,
 * window + pages); the badge a client cap must carry (0: refused, the
 * range is past the namespace or the window past the data pages).
 */
uint64_t block_grant_add(struct block_service *b, uint64_t first, uint64_t blocks, bool writable,
                         uint32_t window, uint32_t pages);

/*
 * Per-client grants: a request whose badge names no grant yet gets one, if
 * `pages` pages of the data are still free for its window: the whole
 * namespace, writable or not. (In a manifest only the programs that `use`
 * the driver's endpoint hold a badged cap: the manifest is the authority.)
 * A badge beyond the windows that fit is DENIED. Windows are handed out
 * after every page earlier grants use.
 */
void block_clients(struct block_service *b, uint32_t pages, bool writable);

/* Where the window of grant `badge` is, for whoever sets up its client; NULL if none. */
volatile uint8_t *block_window(struct block_service *b, uint64_t badge);

/* ward_server_run with the block protocol; rq->ctx is the service. */
uint64_t block_serve(struct block_service *b, uint64_t endpoint, uint64_t reply);

#endif

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * For clients of the block protocol (block.protocol) and its server: the
 * endpoint's name in a manifest (a driver `serves = ["block"]`, a client
 * `uses = ["PROGRAM.block"]`) and the hash HASH answers with, the 64-bit
 * FNV-1a of the window's bytes, which a client that does not map its
 * window computes over what it expects to read.
 */
#ifndef NVME_BLOCK_CLIENT_H
#define NVME_BLOCK_CLIENT_H

#include <stdint.h>

#define BLOCK_ENDPOINT "block"
#define BLOCK_PUT_MAX  112 /* words of one PUT: WARD_MSG_MAX_LENGTH less its arguments, rounded */

static inline uint64_t block_fnv1a(const volatile uint8_t *p, uint64_t bytes)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (uint64_t i = 0; i < bytes; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

#endif

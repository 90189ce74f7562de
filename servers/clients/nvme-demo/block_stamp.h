/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The block stamps of the NVMe demo and of the test that boots it, and
 * the functions of a client that moves them through its window with PUT
 * and checks what a READ brought with HASH (block.protocol). The format
 * is that of tests/qemu/nvme/disk.py, which stamps a disk image and
 * checks it after QEMU exits; stamp.h holds the format for all). Each 512-byte block holds: an
 * 8-byte magic
 * ("WARDBLK0" as the runner made it, "WARDWRT0" as the guest wrote it),
 * its LBA (64-bit little-endian), a pattern derived from the LBA, and at
 * bytes 508-511 the CRC-32 (IEEE 802.3, as zlib's) of bytes 0-507. A
 * block read from the wrong place, cut short, or shifted fails on its LBA
 * or its CRC.
 */
#ifndef NVME_DEMO_BLOCK_STAMP_H
#define NVME_DEMO_BLOCK_STAMP_H

#include <stdbool.h>
#include <stdint.h>
#include <ward/errors.h>

#include "block.h" /* generated from servers/drivers/nvme/block.protocol */
#include "block_client.h"
#include "stamp.h" /* the format, shared with the NVMe tests */

/* The hash HASH must answer after a READ of `count` blocks from `lba` stamped so. */
static inline uint64_t stamps_hash(uint64_t lba, uint64_t count, bool written)
{
	uint8_t b[STAMP_BLOCK];
	uint64_t h = 0xcbf29ce484222325ULL; /* block_fnv1a() carried across blocks */

	for (uint64_t k = 0; k < count; k++) {
		stamp_make(b, lba + k, written);
		for (unsigned i = 0; i < STAMP_BLOCK; i++)
			h = (h ^ b[i]) * 0x100000001b3ULL;
	}
	return h;
}

/* Blocks lba .. lba + count - 1, stamped, into the window of `ep` from its first byte (PUT). */
static inline enum ward_error stamps_put(uint64_t ep, uint64_t lba, uint64_t count, bool written)
{
	uint8_t b[STAMP_BLOCK];
	uint64_t words[STAMP_BLOCK / 8];
	enum ward_error err = WARD_OK;

	for (uint64_t k = 0; k < count && err == WARD_OK; k++) {
		stamp_make(b, lba + k, written);
		for (unsigned w = 0; w < STAMP_BLOCK / 8; w++) {
			words[w] = 0;
			for (unsigned i = 0; i < 8; i++)
				words[w] |= (uint64_t)b[w * 8 + i] << (8 * i);
		}
		err = block_put(ep, k * STAMP_BLOCK, STAMP_BLOCK / 8, words);
	}
	return err;
}

/* The first `bytes` bytes of the window of `ep` zeroed (PUT), so a READ must bring every byte. */
static inline enum ward_error window_clear(uint64_t ep, uint64_t bytes)
{
	static const uint64_t zeros[BLOCK_PUT_MAX];
	enum ward_error err = WARD_OK;

	for (uint64_t at = 0; at < bytes && err == WARD_OK; at += sizeof(zeros))
		err = block_put(ep, at,
		                bytes - at < sizeof(zeros) ? (bytes - at) / 8 : BLOCK_PUT_MAX,
		                zeros);
	return err;
}

#endif

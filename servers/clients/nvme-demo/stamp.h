/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The stamps on the NVMe disk images, of the demo (block_stamp.h) and of
 * the tests (the same format as tests/qemu/nvme/disk.py, which writes an
 * image and checks it after QEMU exits). Each 512-byte block holds: an 8-byte magic ("WARDBLK0" as
 * the runner made it, "WARDWRT0" as the guest wrote it), its LBA (64-bit
 * little-endian), a pattern derived from the LBA, and at bytes 508-511 the
 * CRC-32 (IEEE 802.3, as zlib's) of bytes 0-507. A block read from the
 * wrong place, cut short, or shifted fails on its LBA or its CRC.
 */
#ifndef NVME_TEST_STAMP_H
#define NVME_TEST_STAMP_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define STAMP_BLOCK 512u
#define STAMP_CRC   508u

static inline uint32_t stamp_crc32(const volatile uint8_t *p, unsigned n)
{
	uint32_t crc = 0xffffffffu;

	for (unsigned i = 0; i < n; i++) {
		crc ^= p[i];
		for (unsigned k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
	}
	return ~crc;
}

/* The block `lba` as the runner stamped it (written = false) or as the guest writes it. */
static inline void stamp_make(volatile uint8_t *b, uint64_t lba, bool written)
{
	const char *magic = written ? "WARDWRT0" : "WARDBLK0";
	uint32_t crc;

	for (unsigned i = 0; i < 8; i++) {
		b[i] = (uint8_t)magic[i];
		b[8 + i] = (uint8_t)(lba >> (8 * i));
	}
	for (unsigned i = 16; i < STAMP_CRC; i++)
		b[i] = (uint8_t)(written ? lba * 13 + i + 0x5a : lba * 7 + i);
	crc = stamp_crc32(b, STAMP_CRC);
	for (unsigned i = 0; i < 4; i++)
		b[STAMP_CRC + i] = (uint8_t)(crc >> (8 * i));
}

/* Whether the block at b is byte for byte block `lba`'s stamp. */
static inline bool stamp_is(const volatile uint8_t *b, uint64_t lba, bool written)
{
	uint8_t want[STAMP_BLOCK];

	stamp_make(want, lba, written);
	for (unsigned i = 0; i < STAMP_BLOCK; i++)
		if (b[i] != want[i])
			return false;
	return true;
}

/* Whether `count` blocks at b are blocks lba, lba + 1, ... */
static inline bool stamps_are(const volatile uint8_t *b, uint64_t lba, uint64_t count, bool written)
{
	for (uint64_t i = 0; i < count; i++)
		if (!stamp_is(b + i * STAMP_BLOCK, lba + i, written))
			return false;
	return true;
}

#endif

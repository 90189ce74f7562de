/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What a client of the edu driver needs beside the generated stubs
 * (edu.h, from edu.protocol): the names the system manifest gives the
 * driver's caps, the copy size limit, and the hash COPY answers with, so
 * a client checks the bytes the device wrote against its own.
 */
#ifndef EDU_CLIENT_H
#define EDU_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "edu.h"

/*
 * The manifest's grant names (ward_grant(), docs/manifest.md). The driver
 * takes the first DEVICE grant (named after the manifest's device), the
 * DOMAIN named EDU_GRANT_DOMAIN (the name the manifest gives a program's
 * domain) and the SERVE named EDU_GRANT_SERVE (its `serves` entry). A
 * client's ENDPOINT grant is named "PROGRAM.edu" after the driver's
 * program, e.g. "edu-a.edu".
 */
#define EDU_GRANT_DOMAIN "dma"
#define EDU_GRANT_SERVE  "edu"

/* COPY moves at most this many words (896 bytes, well inside edu's 4 KiB buffer). */
#define EDU_COPY_MAX_WORDS 112u

/* The 64-bit FNV-1a hash of n bytes. */
static inline uint64_t edu_hash(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

#endif

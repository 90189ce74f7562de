/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The backend's private helpers: register access and bounded polling.
 * Register access goes through two functions so that the host tests can
 * link a model of the IOMMU (tests/fake_unit.c) in place of mmio.c. Every
 * register Ward touches is 64 bits wide and written with one 64-bit store:
 * QEMU 7.2 acts on a base register only once its high half is written or
 * on an 8-byte write. Every wait is a poll against env->now_ns with a
 * deadline: nothing here can hang.
 */
#ifndef WARD_AMDVI_HW_H
#define WARD_AMDVI_HW_H

#include "amdvi.h"

uint64_t amdvi_read64(const struct amdvi_unit *u, uint32_t off);
void amdvi_write64(struct amdvi_unit *u, uint32_t off, uint64_t val);

uint64_t amdvi_deadline(const struct amdvi_unit *u, uint64_t ns);
bool amdvi_expired(const struct amdvi_unit *u, uint64_t deadline);

/* Polls STATUS until (STATUS & bits) == want, for at most AMDVI_TIMEOUT_STATUS_NS. */
enum amdvi_status amdvi_status_wait(struct amdvi_unit *u, uint64_t bits, uint64_t want);

/* Stops the command buffer, empties it (head = tail = 0) and starts it again. */
enum amdvi_status amdvi_cmd_restart(struct amdvi_unit *u);

#endif /* WARD_AMDVI_HW_H */

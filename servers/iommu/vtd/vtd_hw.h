/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The backend's private helpers: register access and bounded polling.
 * Register access goes through four functions so that the host tests can
 * link a model of the unit (tests/fake_unit.c) in place of mmio.c, which
 * does the real uncached loads and stores. Every wait on the hardware is
 * a poll against env->now_ns with a deadline: nothing here can hang.
 */
#ifndef WARD_VTD_HW_H
#define WARD_VTD_HW_H

#include "vtd.h"

uint32_t vtd_read32(const struct vtd_unit *u, uint32_t off);
uint64_t vtd_read64(const struct vtd_unit *u, uint32_t off);
void vtd_write32(struct vtd_unit *u, uint32_t off, uint32_t val);
void vtd_write64(struct vtd_unit *u, uint32_t off, uint64_t val);

/* Now plus `ns`, on the env's clock. */
uint64_t vtd_deadline(const struct vtd_unit *u, uint64_t ns);
bool vtd_expired(const struct vtd_unit *u, uint64_t deadline);

/*
 * Issues one GCMD command: `bit` set (on) or cleared (off) with the other
 * persistent enables as GSTS shows them, then polls GSTS until `status`
 * reads as `want`, for at most VTD_TIMEOUT_STATUS_NS (§10.4.4).
 */
enum vtd_status vtd_gcmd(struct vtd_unit *u, uint32_t bit, bool on, uint32_t status, bool want);

/* Queued invalidation set-up (qi.c): allocates nothing, programs IQA/IQT and QIE. */
enum vtd_status vtd_qi_enable(struct vtd_unit *u);

/*
 * Interrupt remapping bring-up (intremap.c). vtd_ir_table_set(): IRTA at
 * Ward's table (xAPIC mode), SIRTP with IRTPS polled, CFI cleared if
 * firmware set it; the caller then invalidates the interrupt entry cache
 * globally. vtd_ir_enable(): IRE on, IRES polled.
 */
enum vtd_status vtd_ir_table_set(struct vtd_unit *u);
enum vtd_status vtd_ir_enable(struct vtd_unit *u);

/* Fault-record helpers shared by unit.c and fault.c. */
void vtd_fault_clear_all(struct vtd_unit *u);

#endif /* WARD_VTD_HW_H */

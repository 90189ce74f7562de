/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the two halves of the backend's QEMU program share: its memory
 * (frames from the iommu role's untyped, mapped and with their physical
 * address), a clock, and one TAP line (tests/qemu/tap.h keeps its
 * counters per file, so only qemu_vtd.c includes it).
 */
#ifndef VTD_QEMU_VTD_H
#define VTD_QEMU_VTD_H

#include "vtd.h"

#define QEMU_VTD_DMA_TESTS 7

/* A free slot of the process's CNode, 0 if none is left. */
uint64_t qemu_vtd_slot(void);
/* Maps the frame cap in `slot` at va (read-write), making paging structures as needed. */
bool qemu_vtd_map(uint64_t slot, uint64_t va);
/* A zeroed page the unit may read. */
bool qemu_vtd_page(struct vtd_page *out);
/* The zeroed 2 MiB page (one large frame) made at start when testing DMA. */
bool qemu_vtd_large(struct vtd_page *out);
uint64_t qemu_vtd_now(void);
/* Waits (bounded) for the unit's fault event interrupt; acknowledges it. */
bool qemu_vtd_irq_wait(void);
/* One TAP line. */
void qemu_vtd_ok(bool ok, const char *name);

/* The DMA tests (qemu_vtd_dma.c), QEMU_VTD_DMA_TESTS lines, on an enabled unit. */
void qemu_vtd_dma(struct vtd_unit *u);

/* edu's registers and address, once qemu_vtd_dma() found it; false if it did not. */
bool qemu_vtd_edu(volatile uint8_t **regs, uint64_t *sbdf);

/* A TAP comment. */
void qemu_vtd_note(const char *text);

#define QEMU_VTD_IRQ_TESTS 5

/* The interrupt-remapping tests (qemu_vtd_irq.c), QEMU_VTD_IRQ_TESTS lines, after the DMA ones. */
void qemu_vtd_irq(struct vtd_unit *u);

#endif

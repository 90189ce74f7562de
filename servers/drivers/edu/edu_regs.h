/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * QEMU's educational PCI device, edu (vendor 1234, device 11e8): BAR 0's
 * registers as QEMU's docs/specs/edu.rst and hw/misc/edu.c define them.
 * Registers below 0x80 are accessed 32 bits wide, the DMA registers 32 or
 * 64 bits wide; other widths read as all ones and write nothing.
 *
 * Behaviour a driver must respect (hw/misc/edu.c):
 *   - factorial: the device computes on a thread of its own; COMPUTING is
 *     set until the result is in EDU_REG_FACTORIAL, and with IRQFACT set
 *     it raises EDU_IRQ_FACTORIAL when done. The result is 32 bits wide;
 *   - DMA: one transfer at a time between memory and the 4 KiB device
 *     buffer at device address EDU_DEVICE_BUFFER, run by a timer 100 ms
 *     (virtual clock) after the command write; EDU_DMA_IRQ in the command
 *     raises EDU_IRQ_DMA at the end. DMA addresses are masked to 28 bits
 *     (dma_mask), and the device ignores DMA errors: a transfer the IOMMU
 *     blocked still completes and interrupts, so only the bytes tell;
 *   - the DMA registers ignore writes while a transfer runs;
 *   - interrupts: with MSI enabled every raise sends the (one) MSI
 *     vector; EDU_REG_IRQ_STATUS keeps the causes until acknowledged.
 */
#ifndef EDU_REGS_H
#define EDU_REGS_H

#define EDU_VENDOR_ID 0x1234
#define EDU_DEVICE_ID 0x11e8

#define EDU_REG_ID         0x00 /* RO: major << 24 | minor << 16 | 0xed */
#define EDU_REG_LIVENESS   0x04 /* RW: reads the complement of what was written */
#define EDU_REG_FACTORIAL  0x08 /* RW: write n, read n! once COMPUTING is clear */
#define EDU_REG_STATUS     0x20 /* RW: EDU_STATUS_* */
#define EDU_REG_IRQ_STATUS 0x24 /* RO: the causes of the raised interrupt, EDU_IRQ_* */
#define EDU_REG_IRQ_RAISE  0x60 /* WO: raises an interrupt with these causes */
#define EDU_REG_IRQ_ACK    0x64 /* WO: clears these causes */
#define EDU_REG_DMA_SRC    0x80 /* RW, 64-bit: source address */
#define EDU_REG_DMA_DST    0x88 /* RW, 64-bit: destination address */
#define EDU_REG_DMA_COUNT  0x90 /* RW, 64-bit: bytes */
#define EDU_REG_DMA_CMD    0x98 /* RW, 64-bit: EDU_DMA_* */

#define EDU_ID_MAGIC_MASK 0xffu
#define EDU_ID_MAGIC      0xedu

#define EDU_STATUS_COMPUTING (1u << 0) /* the factorial is being computed */
#define EDU_STATUS_IRQFACT   (1u << 7) /* raise EDU_IRQ_FACTORIAL when it is done */

#define EDU_IRQ_FACTORIAL (1u << 0)
#define EDU_IRQ_DMA       (1u << 8)

#define EDU_DMA_RUN    (1u << 0) /* start; cleared by the device when the transfer is done */
#define EDU_DMA_TO_RAM (1u << 1) /* device buffer -> memory; clear: memory -> device buffer */
#define EDU_DMA_IRQ    (1u << 2) /* raise EDU_IRQ_DMA at the end */

#define EDU_DEVICE_BUFFER      0x40000ULL /* the device buffer's device-side address */
#define EDU_DEVICE_BUFFER_SIZE 4096u
#define EDU_DMA_MASK_BITS      28 /* IOVAs at or above 2^28 are clamped */

/* The largest n whose factorial fits the 32-bit result register (12! < 2^32 < 13!). */
#define EDU_FACTORIAL_MAX 12u

#endif

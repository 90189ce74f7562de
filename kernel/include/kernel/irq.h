/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef KERNEL_IRQ_H
#define KERNEL_IRQ_H

#include <kernel/objects.h>

/* An interrupt arrived on `vector`: signal its handler's notification. */
void irq_deliver(unsigned vector);

/* A notification is being deleted: no interrupt may signal it again. */
void irq_notification_gone(const struct notification *n);

/* Marks ports the kernel itself drives, so they are never issued. */
void ioport_reserve(uint16_t first, uint16_t last);

#endif

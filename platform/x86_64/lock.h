/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The big kernel lock: one CPU at a time runs kernel code that touches
 * shared state. Take it on every kernel entry (trap, syscall, an AP's first
 * entry into the scheduler) and drop it just before returning to user mode
 * or idling. Interrupts stay off while it is held or awaited.
 */
#ifndef X86_LOCK_H
#define X86_LOCK_H

#include <stdbool.h>

/* Spins until this CPU holds the lock, servicing TLB shootdowns meanwhile.
 * Panics if this CPU already holds it (the lock does not nest). */
void kernel_lock_acquire(void);

/* Only by the holder (not checked: it runs on every return to user mode). */
void kernel_lock_release(void);

/* True if this CPU holds the lock. */
bool kernel_lock_held(void);

#endif

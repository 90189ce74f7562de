/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * RAM for the root task to hand out. Each process gets an untyped object of
 * its own, carved from the boot RAM untyped caps, and every object it has
 * is made from that one: tearing the process down is a Revoke of it. The
 * root task's own objects (its endpoint, paging structures for its windows)
 * come from a pool of its own.
 */
#ifndef PROC_UNTYPED_H
#define PROC_UNTYPED_H

#include <stdint.h>
#include <ward/bootinfo.h>
#include <ward/errors.h>

void proc_untyped_init(const struct ward_bootinfo *bi);

/*
 * An untyped of 2^bits bytes in a new root slot (*slot): one given back
 * earlier if there is one, else carved from the smallest boot RAM untyped
 * with room. WARD_ERR_NOT_ENOUGH_MEMORY if none has.
 */
enum ward_error proc_untyped_alloc(unsigned bits, uint64_t *slot);

/* Gives back an untyped from proc_untyped_alloc, whose children are all gone. */
void proc_untyped_free(uint64_t slot, unsigned bits);

/*
 * One object retyped from the untyped `untyped` (a root cptr; size_bits:
 * CNode radix or untyped size, else ignored) into a new root slot (*slot);
 * the kernel's error if it refuses, and the slot is free again.
 */
enum ward_error proc_retype(uint64_t untyped, unsigned type, unsigned size_bits, uint64_t *slot);

/* A new object for the root task itself (size_bits: CNode radix or untyped size) in *slot. */
enum ward_error proc_object(unsigned type, unsigned size_bits, uint64_t *slot);

#endif

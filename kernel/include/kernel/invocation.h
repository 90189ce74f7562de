/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Decoding invocations. The syscall layer builds a struct invocation for a
 * Call/Send on a non-IPC capability; each object's decode function checks
 * every argument and capability, sets an error (with the offending
 * argument and allowed range) or performs the operation through invoke
 * functions that cannot fail, and writes results with inv_reply_mr().
 */
#ifndef KERNEL_INVOCATION_H
#define KERNEL_INVOCATION_H

#include <stdint.h>
#include <kernel/cap.h>
#include <kernel/tcb.h>
#include <ward/errors.h>
#include <ward/message.h>
#include <ward/object.h>
#include <ward/syscall.h>

struct invocation {
	struct tcb *caller;
	struct cte *slot; /* the invoked capability */
	uint64_t label;
	unsigned length; /* message registers supplied */
	unsigned extra_count;
	struct cte *extra[WARD_MSG_MAX_EXTRA_CAPS]; /* looked up in the caller's CSpace */
	/* The reply, written by decode functions. */
	enum ward_error error;
	unsigned reply_length;
	uint64_t reply_mr[WARD_REG_COUNT];
};

/* Message register i of the invocation (0 if beyond what is readable). */
uint64_t inv_mr(const struct invocation *inv, unsigned i);

/* Records an error: which argument (index or WARD_ARG_*), and a range. */
enum ward_error inv_error(struct invocation *inv, enum ward_error err, uint64_t arg, uint64_t lo,
                          uint64_t hi);

/* Requires n message registers; records WARD_ERR_TRUNCATED_MESSAGE if fewer. */
bool inv_need(struct invocation *inv, unsigned n);

/* Extra cap i if present and of `type` (0: any); records the error otherwise. */
struct cte *inv_extra(struct invocation *inv, unsigned i, unsigned type);

static inline void inv_reply_mr(struct invocation *inv, unsigned i, uint64_t v)
{
	/* Words skipped over are zeroed here, not up front: no stack bytes reach the caller. */
	while (inv->reply_length < i)
		inv->reply_mr[inv->reply_length++] = 0;
	inv->reply_mr[i] = v;
	if (inv->reply_length < i + 1)
		inv->reply_length = i + 1;
}

/*
 * Resolves (root cap, index, depth) to a slot. Depth 1..64: above 64 records
 * WARD_ERR_RANGE (argument arg + 1), depth 0 or a failed walk
 * WARD_ERR_FAILED_LOOKUP (argument arg). Callers that accept depth 0 as "the
 * root itself" (Untyped Retype) check for it first.
 */
enum ward_error inv_lookup_dest(struct invocation *inv, struct cte *root, uint64_t index,
                                uint64_t depth, unsigned arg, struct cte **slot);

void decode_untyped(struct invocation *inv);
void decode_cnode(struct invocation *inv);
void decode_tcb(struct invocation *inv);
void decode_frame(struct invocation *inv);
void decode_page_table(struct invocation *inv);
void decode_irq_control(struct invocation *inv);
void decode_irq_handler(struct invocation *inv);
void decode_ioport_control(struct invocation *inv);
void decode_ioport(struct invocation *inv);

#endif

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Client stubs for kernel object invocations (labels and argument layouts:
 * ward/invocation.h). Each returns the kernel's ward_error; on error,
 * ward_last_error() holds what the kernel said was wrong (the argument
 * index or WARD_ARG_*, and the allowed range) for this thread's last call.
 */
#ifndef WARD_INVOKE_H
#define WARD_INVOKE_H

#include <stdint.h>
#include <ward/invocation.h>
#include <ward/object.h>
#include <ward/sys.h>

struct ward_error_detail {
	uint64_t arg, lo, hi;
};

/* Kept in the calling thread's block (ward/sys.h), words 121-123. */
#define WARD_TLS_ERROR_WORD 121

static inline struct ward_error_detail ward_last_error(void)
{
	struct ward_error_detail d;
	/* volatile: the value changes with every failing call, invisibly to the compiler. */
	__asm__ volatile("movq %%fs:%c3, %0\n movq %%fs:%c4, %1\n movq %%fs:%c5, %2"
	                 : "=r"(d.arg), "=r"(d.lo), "=r"(d.hi)
	                 : "i"(WARD_TLS_ERROR_WORD * 8), "i"(WARD_TLS_ERROR_WORD * 8 + 8),
	                   "i"(WARD_TLS_ERROR_WORD * 8 + 16));
	return d;
}

/* The error words of a failed invocation, for ward_last_error(). */
static inline void ward_invoke_record_error(const uint64_t mr[4])
{
	__asm__ volatile("movq %0, %%fs:%c3\n movq %1, %%fs:%c4\n movq %2, %%fs:%c5"
	                 :
	                 : "r"(mr[0]), "r"(mr[1]), "r"(mr[2]), "i"(WARD_TLS_ERROR_WORD * 8),
	                   "i"(WARD_TLS_ERROR_WORD * 8 + 8), "i"(WARD_TLS_ERROR_WORD * 8 + 16)
	                 : "memory");
}

/*
 * Calls `cap` with `label`, n MRs of `args` and n_caps extra caps;
 * copies up to n_results result MRs into `results` (may be NULL). Inline:
 * each stub gets a copy specialised to its constant counts.
 */
static inline enum ward_error ward_invoke(uint64_t cap, uint64_t label, unsigned n,
                                          const uint64_t *args, unsigned n_caps,
                                          const uint64_t *caps, unsigned n_results,
                                          uint64_t *results)
{
	struct ward_ipc_buffer *buf = ward_ipc_buffer();
	uint64_t mr[4] = {0};
	ward_msginfo_t info;

	for (unsigned i = 0; i < n; i++) {
		if (i < 4)
			mr[i] = args[i];
		else
			buf->msg[i] = args[i];
	}
	for (unsigned i = 0; i < n_caps; i++)
		buf->caps_or_badges[i] = caps[i];
	info = ward_call(cap, ward_msginfo(label, 0, n_caps, n), mr);
	if (ward_msginfo_label(info) != WARD_OK) {
		ward_invoke_record_error(mr);
		return (enum ward_error)ward_msginfo_label(info);
	}
	for (unsigned i = 0; i < n_results && i < ward_msginfo_length(info); i++)
		results[i] = i < 4 ? mr[i] : buf->msg[i];
	return WARD_OK;
}

enum ward_error ward_untyped_retype(uint64_t ut, uint64_t type, uint64_t size_bits, uint64_t root,
                                    uint64_t node_index, uint64_t node_depth, uint64_t offset,
                                    uint64_t count);

enum ward_error ward_cnode_copy(uint64_t root, uint64_t dest, uint64_t dest_depth,
                                uint64_t src_root, uint64_t src, uint64_t src_depth,
                                uint64_t rights);
enum ward_error ward_cnode_mint(uint64_t root, uint64_t dest, uint64_t dest_depth,
                                uint64_t src_root, uint64_t src, uint64_t src_depth,
                                uint64_t rights, uint64_t badge);
enum ward_error ward_cnode_move(uint64_t root, uint64_t dest, uint64_t dest_depth,
                                uint64_t src_root, uint64_t src, uint64_t src_depth);
enum ward_error ward_cnode_mutate(uint64_t root, uint64_t dest, uint64_t dest_depth,
                                  uint64_t src_root, uint64_t src, uint64_t src_depth,
                                  uint64_t data);
enum ward_error ward_cnode_delete(uint64_t root, uint64_t index, uint64_t depth);
enum ward_error ward_cnode_revoke(uint64_t root, uint64_t index, uint64_t depth);
/* Revoke, then Delete of the cap itself, in one invocation. */
enum ward_error ward_cnode_revoke_delete(uint64_t root, uint64_t index, uint64_t depth);

enum ward_error ward_tcb_configure(uint64_t tcb, uint64_t cspace, uint64_t vspace,
                                   uint64_t ipc_frame, uint64_t ipc_va);
enum ward_error ward_tcb_set_fault_handler(uint64_t tcb, uint64_t ep);
enum ward_error ward_tcb_set_priority(uint64_t tcb, uint64_t authority, uint64_t priority);
enum ward_error ward_tcb_set_affinity(uint64_t tcb, uint64_t cpu);
enum ward_error ward_tcb_resume(uint64_t tcb);
enum ward_error ward_tcb_suspend(uint64_t tcb);
enum ward_error ward_tcb_read_registers(uint64_t tcb, unsigned count, uint64_t *regs);
enum ward_error ward_tcb_write_registers(uint64_t tcb, int resume, unsigned count,
                                         const uint64_t *regs);
enum ward_error ward_tcb_bind_notification(uint64_t tcb, uint64_t ntfn);
enum ward_error ward_tcb_unbind_notification(uint64_t tcb);

enum ward_error ward_frame_map(uint64_t frame, uint64_t vspace, uint64_t va, uint64_t rights);
enum ward_error ward_frame_unmap(uint64_t frame);
enum ward_error ward_frame_get_address(uint64_t frame, uint64_t *phys);
enum ward_error ward_page_table_map(uint64_t table, uint64_t vspace, uint64_t va);
enum ward_error ward_page_table_unmap(uint64_t table);

enum ward_error ward_irq_control_get_msi(uint64_t control, uint64_t root, uint64_t index,
                                         uint64_t depth, uint64_t *vector, uint64_t *address,
                                         uint64_t *data);
enum ward_error ward_irq_control_get_ioapic(uint64_t control, uint64_t root, uint64_t index,
                                            uint64_t depth, uint64_t gsi, int level, int active_low,
                                            uint64_t *vector);
enum ward_error ward_irq_handler_set_notification(uint64_t handler, uint64_t ntfn);
enum ward_error ward_irq_handler_ack(uint64_t handler);
enum ward_error ward_irq_handler_clear(uint64_t handler);
enum ward_error ward_irq_handler_count(uint64_t handler, uint64_t *count);

enum ward_error ward_ioport_control_issue(uint64_t control, uint64_t root, uint64_t index,
                                          uint64_t depth, uint64_t first, uint64_t last);
enum ward_error ward_ioport_in(uint64_t port_cap, unsigned width, uint64_t port, uint32_t *value);
enum ward_error ward_ioport_out(uint64_t port_cap, unsigned width, uint64_t port, uint32_t value);

#endif

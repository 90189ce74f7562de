/* SPDX-License-Identifier: BSD-2-Clause */
/* Client stubs for kernel object invocations (see ward/invoke.h). */
#include <ward/invoke.h>

#define INVOKE(cap, label, caps, ...)                                        \
	({                                                                   \
		const uint64_t a_[] = {__VA_ARGS__};                         \
		ward_invoke(cap, label, sizeof(a_) / sizeof(a_[0]), a_,      \
		            sizeof(caps) / sizeof(uint64_t), caps, 0, NULL); \
	})

static const uint64_t no_caps[0];

enum ward_error ward_untyped_retype(uint64_t ut, uint64_t type, uint64_t size_bits, uint64_t root,
                                    uint64_t node_index, uint64_t node_depth, uint64_t offset,
                                    uint64_t count)
{
	const uint64_t caps[] = {root};
	return INVOKE(ut, WARD_UNTYPED_RETYPE, caps, type, size_bits, node_index, node_depth,
	              offset, count);
}

enum ward_error ward_cnode_copy(uint64_t root, uint64_t dest, uint64_t dest_depth,
                                uint64_t src_root, uint64_t src, uint64_t src_depth,
                                uint64_t rights)
{
	const uint64_t caps[] = {src_root};
	return INVOKE(root, WARD_CNODE_COPY, caps, dest, dest_depth, src, src_depth, rights);
}

enum ward_error ward_cnode_mint(uint64_t root, uint64_t dest, uint64_t dest_depth,
                                uint64_t src_root, uint64_t src, uint64_t src_depth,
                                uint64_t rights, uint64_t badge)
{
	const uint64_t caps[] = {src_root};
	return INVOKE(root, WARD_CNODE_MINT, caps, dest, dest_depth, src, src_depth, rights, badge);
}

enum ward_error ward_cnode_move(uint64_t root, uint64_t dest, uint64_t dest_depth,
                                uint64_t src_root, uint64_t src, uint64_t src_depth)
{
	const uint64_t caps[] = {src_root};
	return INVOKE(root, WARD_CNODE_MOVE, caps, dest, dest_depth, src, src_depth);
}

enum ward_error ward_cnode_mutate(uint64_t root, uint64_t dest, uint64_t dest_depth,
                                  uint64_t src_root, uint64_t src, uint64_t src_depth,
                                  uint64_t data)
{
	const uint64_t caps[] = {src_root};
	return INVOKE(root, WARD_CNODE_MUTATE, caps, dest, dest_depth, src, src_depth, data);
}

enum ward_error ward_cnode_delete(uint64_t root, uint64_t index, uint64_t depth)
{
	return INVOKE(root, WARD_CNODE_DELETE, no_caps, index, depth);
}

enum ward_error ward_cnode_revoke(uint64_t root, uint64_t index, uint64_t depth)
{
	return INVOKE(root, WARD_CNODE_REVOKE, no_caps, index, depth);
}

enum ward_error ward_cnode_revoke_delete(uint64_t root, uint64_t index, uint64_t depth)
{
	return INVOKE(root, WARD_CNODE_REVOKE, no_caps, index, depth, WARD_REVOKE_AND_DELETE);
}

enum ward_error ward_tcb_configure(uint64_t tcb, uint64_t cspace, uint64_t vspace,
                                   uint64_t ipc_frame, uint64_t ipc_va)
{
	const uint64_t caps[] = {cspace, vspace, ipc_frame};
	const uint64_t args[] = {ipc_va};
	return ward_invoke(tcb, WARD_TCB_CONFIGURE, 1, args, ipc_frame != 0 ? 3 : 2, caps, 0, NULL);
}

enum ward_error ward_tcb_set_fault_handler(uint64_t tcb, uint64_t ep)
{
	const uint64_t caps[] = {ep};
	return ward_invoke(tcb, WARD_TCB_SET_FAULT_HANDLER, 0, NULL, ep != 0 ? 1 : 0, caps, 0,
	                   NULL);
}

enum ward_error ward_tcb_set_priority(uint64_t tcb, uint64_t authority, uint64_t priority)
{
	const uint64_t caps[] = {authority};
	return INVOKE(tcb, WARD_TCB_SET_PRIORITY, caps, priority);
}

enum ward_error ward_tcb_set_affinity(uint64_t tcb, uint64_t cpu)
{
	return INVOKE(tcb, WARD_TCB_SET_AFFINITY, no_caps, cpu);
}

enum ward_error ward_tcb_resume(uint64_t tcb)
{
	return ward_invoke(tcb, WARD_TCB_RESUME, 0, NULL, 0, NULL, 0, NULL);
}

enum ward_error ward_tcb_suspend(uint64_t tcb)
{
	return ward_invoke(tcb, WARD_TCB_SUSPEND, 0, NULL, 0, NULL, 0, NULL);
}

enum ward_error ward_tcb_read_registers(uint64_t tcb, unsigned count, uint64_t *regs)
{
	const uint64_t args[] = {count};
	return ward_invoke(tcb, WARD_TCB_READ_REGISTERS, 1, args, 0, NULL, count, regs);
}

enum ward_error ward_tcb_write_registers(uint64_t tcb, int resume, unsigned count,
                                         const uint64_t *regs)
{
	uint64_t args[2 + WARD_REG_COUNT];

	if (count > WARD_REG_COUNT)
		count = WARD_REG_COUNT + 1; /* let the kernel refuse it */
	args[0] = (uint64_t)resume;
	args[1] = count;
	for (unsigned i = 0; i < count && i < WARD_REG_COUNT; i++)
		args[2 + i] = regs[i];
	return ward_invoke(tcb, WARD_TCB_WRITE_REGISTERS, 2 + (count <= WARD_REG_COUNT ? count : 0),
	                   args, 0, NULL, 0, NULL);
}

enum ward_error ward_tcb_bind_notification(uint64_t tcb, uint64_t ntfn)
{
	const uint64_t caps[] = {ntfn};
	return ward_invoke(tcb, WARD_TCB_BIND_NOTIFICATION, 0, NULL, 1, caps, 0, NULL);
}

enum ward_error ward_tcb_unbind_notification(uint64_t tcb)
{
	return ward_invoke(tcb, WARD_TCB_UNBIND_NOTIFICATION, 0, NULL, 0, NULL, 0, NULL);
}

enum ward_error ward_frame_map(uint64_t frame, uint64_t vspace, uint64_t va, uint64_t rights)
{
	const uint64_t caps[] = {vspace};
	return INVOKE(frame, WARD_FRAME_MAP, caps, va, rights);
}

enum ward_error ward_frame_unmap(uint64_t frame)
{
	return ward_invoke(frame, WARD_FRAME_UNMAP, 0, NULL, 0, NULL, 0, NULL);
}

enum ward_error ward_frame_get_address(uint64_t frame, uint64_t *phys)
{
	return ward_invoke(frame, WARD_FRAME_GET_ADDRESS, 0, NULL, 0, NULL, 1, phys);
}

enum ward_error ward_page_table_map(uint64_t table, uint64_t vspace, uint64_t va)
{
	const uint64_t caps[] = {vspace};
	return INVOKE(table, WARD_PAGE_TABLE_MAP, caps, va);
}

enum ward_error ward_page_table_unmap(uint64_t table)
{
	return ward_invoke(table, WARD_PAGE_TABLE_UNMAP, 0, NULL, 0, NULL, 0, NULL);
}

enum ward_error ward_irq_control_get_msi(uint64_t control, uint64_t root, uint64_t index,
                                         uint64_t depth, uint64_t *vector, uint64_t *address,
                                         uint64_t *data)
{
	const uint64_t caps[] = {root};
	const uint64_t args[] = {index, depth};
	uint64_t out[3] = {0};
	enum ward_error err =
	        ward_invoke(control, WARD_IRQ_CONTROL_GET_MSI, 2, args, 1, caps, 3, out);
	*vector = out[0];
	*address = out[1];
	*data = out[2];
	return err;
}

enum ward_error ward_irq_control_get_ioapic(uint64_t control, uint64_t root, uint64_t index,
                                            uint64_t depth, uint64_t gsi, int level, int active_low,
                                            uint64_t *vector)
{
	const uint64_t caps[] = {root};
	const uint64_t args[] = {gsi, (uint64_t)level, (uint64_t)active_low, index, depth};
	return ward_invoke(control, WARD_IRQ_CONTROL_GET_IOAPIC, 5, args, 1, caps, 1, vector);
}

enum ward_error ward_irq_handler_set_notification(uint64_t handler, uint64_t ntfn)
{
	const uint64_t caps[] = {ntfn};
	return ward_invoke(handler, WARD_IRQ_HANDLER_SET_NOTIFICATION, 0, NULL, 1, caps, 0, NULL);
}

enum ward_error ward_irq_handler_ack(uint64_t handler)
{
	return ward_invoke(handler, WARD_IRQ_HANDLER_ACK, 0, NULL, 0, NULL, 0, NULL);
}

enum ward_error ward_irq_handler_clear(uint64_t handler)
{
	return ward_invoke(handler, WARD_IRQ_HANDLER_CLEAR, 0, NULL, 0, NULL, 0, NULL);
}

enum ward_error ward_irq_handler_count(uint64_t handler, uint64_t *count)
{
	return ward_invoke(handler, WARD_IRQ_HANDLER_COUNT, 0, NULL, 0, NULL, 1, count);
}

enum ward_error ward_ioport_control_issue(uint64_t control, uint64_t root, uint64_t index,
                                          uint64_t depth, uint64_t first, uint64_t last)
{
	const uint64_t caps[] = {root};
	return INVOKE(control, WARD_IOPORT_CONTROL_ISSUE, caps, first, last, index, depth);
}

static uint64_t port_label(unsigned width, int out)
{
	uint64_t base = out ? WARD_IOPORT_OUT8 : WARD_IOPORT_IN8;
	return base + (width == 4 ? 2 : width == 2 ? 1 : 0);
}

enum ward_error ward_ioport_in(uint64_t port_cap, unsigned width, uint64_t port, uint32_t *value)
{
	const uint64_t args[] = {port};
	uint64_t v = 0;
	enum ward_error err = ward_invoke(port_cap, port_label(width, 0), 1, args, 0, NULL, 1, &v);
	*value = (uint32_t)v;
	return err;
}

enum ward_error ward_ioport_out(uint64_t port_cap, unsigned width, uint64_t port, uint32_t value)
{
	const uint64_t args[] = {port, value};
	return ward_invoke(port_cap, port_label(width, 1), 2, args, 0, NULL, 0, NULL);
}

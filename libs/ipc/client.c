/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The client half of a protocol call (ward/protocol.h): marshal, Call,
 * unmarshal. MR0-3 travel in registers, the rest in the IPC buffer, as
 * ward_invoke does for kernel objects. The reply comes from another
 * program and is checked like any input: a short reply is an error, not
 * stale results.
 */
#include <stddef.h>
#include <ward/invoke.h>
#include <ward/protocol.h>
#include <ward/sys.h>

/* Keeps an error reply's detail where ward_last_error() finds it. */
static void record_error(uint64_t arg, uint64_t lo, uint64_t hi)
{
	__asm__ volatile("movq %0, %%fs:%c3\n movq %1, %%fs:%c4\n movq %2, %%fs:%c5"
	                 :
	                 : "r"(arg), "r"(lo), "r"(hi), "i"(WARD_TLS_ERROR_WORD * 8),
	                   "i"(WARD_TLS_ERROR_WORD * 8 + 8), "i"(WARD_TLS_ERROR_WORD * 8 + 16)
	                 : "memory");
}

static uint64_t reply_mr(const struct ward_ipc_buffer *buf, const uint64_t mr[4], unsigned length,
                         unsigned i)
{
	if (i >= length)
		return 0;
	return i < WARD_MSG_REGISTERS ? mr[i] : buf->msg[i];
}

enum ward_error ward_rpc_call(uint64_t ep, uint64_t label, unsigned n_in, const uint64_t *in,
                              unsigned n_tail, const uint64_t *tail, uint64_t cap, unsigned n_out,
                              uint64_t *out)
{
	struct ward_ipc_buffer *buf = ward_ipc_buffer();
	unsigned n = n_in + n_tail, length;
	uint64_t mr[WARD_MSG_REGISTERS] = {0};
	ward_msginfo_t info;

	if (n_in > WARD_MSG_MAX_LENGTH || n_tail > WARD_MSG_MAX_LENGTH - n_in) {
		record_error(WARD_ARG_LENGTH, 0, WARD_MSG_MAX_LENGTH);
		return WARD_ERR_RANGE;
	}
	for (unsigned i = 0; i < n; i++) {
		uint64_t v = i < n_in ? in[i] : tail[i - n_in];
		if (i < WARD_MSG_REGISTERS)
			mr[i] = v;
		else
			buf->msg[i] = v;
	}
	if (cap != 0)
		buf->caps_or_badges[0] = cap;
	info = ward_call(ep, ward_msginfo(label, 0, cap != 0, n), mr);
	length = ward_msginfo_length(info);
	if (ward_msginfo_label(info) != WARD_OK || length < n_out)
		return ward_rpc_failed(info, n_out, reply_mr(buf, mr, length, 0),
		                       reply_mr(buf, mr, length, 1), reply_mr(buf, mr, length, 2));
	for (unsigned i = 0; i < n_out; i++)
		out[i] = reply_mr(buf, mr, length, i);
	return WARD_OK;
}

enum ward_error ward_rpc_failed(ward_msginfo_t info, unsigned n_out, uint64_t mr0, uint64_t mr1,
                                uint64_t mr2)
{
	unsigned length = ward_msginfo_length(info);

	if (ward_msginfo_label(info) != WARD_OK) {
		record_error(length > 0 ? mr0 : 0, length > 1 ? mr1 : 0, length > 2 ? mr2 : 0);
		return (enum ward_error)ward_msginfo_label(info);
	}
	record_error(WARD_ARG_LENGTH, n_out, length);
	return WARD_ERR_TRUNCATED_MESSAGE;
}

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IPC messages: the message-info word and the per-thread IPC buffer.
 *
 * Message info (as seL4's seL4_MessageInfo):
 *   bits 63..12  label
 *   bits 11..9   caps unwrapped (receiver side: which extra caps arrived as
 *                badges, because they named the endpoint they came through)
 *   bits  8..7   extra caps (0..3), cptrs in the sender's IPC buffer
 *   bits  6..0   length in message registers (0..WARD_MSG_MAX_LENGTH)
 */
#ifndef WARD_MESSAGE_H
#define WARD_MESSAGE_H

#include <stdint.h>

#define WARD_MSG_MAX_LENGTH     120
#define WARD_MSG_MAX_EXTRA_CAPS 3
#define WARD_MSG_REGISTERS      4 /* MR0..MR3 travel in registers */

typedef uint64_t ward_msginfo_t;

/* The caps-unwrapped and extra-caps fields (bits 11..7). */
#define WARD_MSGINFO_CAP_BITS 0xf80ULL

static inline ward_msginfo_t ward_msginfo(uint64_t label, unsigned unwrapped, unsigned extra_caps,
                                          unsigned length)
{
	return (label << 12) | ((uint64_t)(unwrapped & 0x7) << 9) |
	       ((uint64_t)(extra_caps & 0x3) << 7) | (length & 0x7f);
}

static inline uint64_t ward_msginfo_label(ward_msginfo_t m)
{
	return m >> 12;
}

static inline unsigned ward_msginfo_unwrapped(ward_msginfo_t m)
{
	return (m >> 9) & 0x7;
}

static inline unsigned ward_msginfo_extra_caps(ward_msginfo_t m)
{
	return (m >> 7) & 0x3;
}

static inline unsigned ward_msginfo_length(ward_msginfo_t m)
{
	return m & 0x7f;
}

/*
 * The IPC buffer: one per thread, in a frame the thread maps and names in
 * TCB Configure. The kernel reads and writes it through its own mapping.
 * msg[0..3] shadow the register MRs and are not used by the kernel.
 */
struct ward_ipc_buffer {
	uint64_t tag;
	uint64_t msg[WARD_MSG_MAX_LENGTH];
	uint64_t user_data;
	/* Send: cptrs. Receive: an unwrapped cap's badge, or the object type
	 * (enum ward_object_type) of the one cap placed in the receive slot. */
	uint64_t caps_or_badges[WARD_MSG_MAX_EXTRA_CAPS];
	uint64_t receive_cnode; /* where a received capability goes: CNode cptr, */
	uint64_t receive_index; /* slot index in it, */
	uint64_t receive_depth; /* and the depth of that index */
};

_Static_assert(sizeof(struct ward_ipc_buffer) <= 1024, "IPC buffer fits in 1 KiB");

/* IPC buffers must be aligned to this within their frame. */
#define WARD_IPC_BUFFER_ALIGN 1024

#endif

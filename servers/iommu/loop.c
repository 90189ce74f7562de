/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The server loop. It follows libs/ipc's ward_server_run() (the badge
 * rule: bit 63 is a signal of the bound notification, badge 0 a failed
 * Recv or a stop, anything else a request dispatched through the switch
 * generated from iommu.protocol, iommu_dispatch()) with one addition that loop cannot do: a
 * reply may carry a capability (CREATE_DOMAIN's domain cap, BUFFER_FRAME's
 * frame cap, BUFFER_CNODE's CNode). A handler that sets iommu_reply_cap to
 * a root slot has that cap sent with its WARD_OK reply (the kernel gives
 * the client a copy, a child of it). The receive slot is armed before every
 * Recv and emptied after every request, so no request leaves a cap behind.
 */
#include <ward/invoke.h>
#include <ward/server.h>
#include <ward/startinfo.h>
#include <ward/sys.h>

#include "iommu_server.h"
#include "iommu_state.h"

uint64_t iommu_reply_cap;
static uint64_t in[WARD_MSG_MAX_LENGTH];
static struct ward_reply out;

static void arm(struct ward_ipc_buffer *buf, uint64_t recv_slot)
{
	buf->receive_cnode = WARD_PROC_CAP_CNODE;
	buf->receive_index = recv_slot;
	buf->receive_depth = 64;
}

static ward_msginfo_t answer(struct ward_ipc_buffer *buf, uint64_t badge, ward_msginfo_t info,
                             uint64_t mr[WARD_MSG_REGISTERS], uint64_t recv_slot)
{
	struct ward_request rq;
	unsigned caps = 0;

	ward_request_init(&rq, badge, info, mr, recv_slot, &out);
	/* A request that fits the registers is read where Recv left it. */
	if (rq.length > WARD_MSG_REGISTERS) {
		for (unsigned i = 0; i < rq.length; i++)
			in[i] = i < WARD_MSG_REGISTERS ? mr[i] : buf->msg[i];
		rq.mr = in;
	}
	if (rq.caps != 0)
		ward_request_caps(&rq, buf->caps_or_badges);
	iommu_reply_cap = 0;
	iommu_dispatch(&rq);
	if (rq.cap != 0)
		ward_cnode_delete(WARD_PROC_CAP_CNODE, recv_slot, 64);
	/* The kernel passes on only out.length of them: the rest leaks nothing. */
	for (unsigned i = 0; i < WARD_MSG_REGISTERS; i++)
		mr[i] = out.mr[i];
	for (unsigned i = WARD_MSG_REGISTERS; i < out.length; i++)
		buf->msg[i] = out.mr[i];
	if (out.label == WARD_OK && iommu_reply_cap != 0) {
		buf->caps_or_badges[0] = iommu_reply_cap;
		caps = 1;
	}
	return ward_msginfo(out.label, 0, caps, out.length);
}

uint64_t iommu_server_run(uint64_t endpoint, uint64_t reply, uint64_t recv_slot,
                          void (*on_event)(uint64_t bits))
{
	struct ward_ipc_buffer *buf = ward_ipc_buffer();
	uint64_t mr[WARD_MSG_REGISTERS] = {0}, badge;
	ward_msginfo_t info;

	arm(buf, recv_slot);
	info = ward_recv(endpoint, reply, &badge, mr);
	for (;;) {
		if (badge & WARD_SERVER_EVENT) {
			on_event(badge & ~WARD_SERVER_EVENT);
			arm(buf, recv_slot);
			info = ward_recv(endpoint, reply, &badge, mr);
			continue;
		}
		if (badge == 0) {
			const uint64_t none[WARD_MSG_REGISTERS] = {0};

			ward_reply(reply, ward_msginfo(WARD_OK, 0, 0, 0), none);
			return ward_msginfo_label(info);
		}
		info = answer(buf, badge, info, mr, recv_slot);
		arm(buf, recv_slot);
		info = ward_reply_recv(endpoint, reply, info, &badge, mr);
	}
}

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The server loop (ward/server.h): Recv, tell a signal from a request by
 * the badge, dispatch, clean the receive slot, ReplyRecv. One thread, no
 * allocation; everything a request leaves behind (a capability in the
 * receive slot) is gone before the next Recv, so no sequence of messages
 * can fill the server's CSpace or wedge its receive slot.
 */
#include <stddef.h>
#include <ward/invoke.h>
#include <ward/server.h>
#include <ward/sys.h>

/*
 * Names the slot a received capability goes to. Set before every Recv:
 * a handler's own calls to other servers may have pointed it elsewhere.
 */
static void arm_receive_slot(const struct ward_server *s, struct ward_ipc_buffer *buf)
{
	buf->receive_cnode = s->recv_slot != 0 ? s->cspace : 0;
	buf->receive_index = s->recv_slot;
	buf->receive_depth = s->recv_slot != 0 ? 64 : 0;
}

/* MR0-3 arrive in registers, the rest in the IPC buffer: one array for the handlers. */
static void gather(struct ward_server *s, const struct ward_ipc_buffer *buf,
                   const uint64_t mr[WARD_MSG_REGISTERS], unsigned length)
{
	for (unsigned i = 0; i < length; i++)
		s->in[i] = i < WARD_MSG_REGISTERS ? mr[i] : buf->msg[i];
}

static ward_msginfo_t scatter(const struct ward_reply *rp, struct ward_ipc_buffer *buf,
                              uint64_t mr[WARD_MSG_REGISTERS])
{
	for (unsigned i = 0; i < rp->length; i++) {
		if (i < WARD_MSG_REGISTERS)
			mr[i] = rp->mr[i];
		else
			buf->msg[i] = rp->mr[i];
	}
	return ward_msginfo(rp->label, 0, 0, rp->length);
}

/* Answers one request; returns the reply's message info (its MRs are in mr and buf). */
static ward_msginfo_t serve(struct ward_server *s, struct ward_ipc_buffer *buf, uint64_t badge,
                            ward_msginfo_t info, uint64_t mr[WARD_MSG_REGISTERS])
{
	struct ward_request rq;

	ward_request_init(&rq, badge, info, s->in, s->recv_slot, &s->out);
	gather(s, buf, mr, rq.length);
	rq.ctx = s->ctx;
	/* The dispatcher refuses a cap of the wrong kind: the kernel says which arrived. */
	ward_request_caps(&rq, buf->caps_or_badges);
	if (ward_dispatch(s->protocol, &rq) != WARD_OK)
		s->rejected++;
	s->requests++;
	/* Whatever the handler did not move out: deleting an empty slot is harmless. */
	if (rq.cap != 0)
		ward_cnode_delete(s->cspace, s->recv_slot, 64);
	return scatter(&s->out, buf, mr);
}

uint64_t ward_server_run(struct ward_server *s)
{
	struct ward_ipc_buffer *buf = ward_ipc_buffer();
	uint64_t mr[WARD_MSG_REGISTERS] = {0}, badge;
	ward_msginfo_t info;

	arm_receive_slot(s, buf);
	info = ward_recv(s->endpoint, s->reply, &badge, mr);
	for (;;) {
		if (badge & WARD_SERVER_EVENT) {
			/* A signal: nobody waits for a reply. */
			s->events++;
			if (s->on_event != NULL)
				s->on_event(s, badge & ~WARD_SERVER_EVENT);
			arm_receive_slot(s, buf);
			info = ward_recv(s->endpoint, s->reply, &badge, mr);
			continue;
		}
		if (badge == 0) {
			/* A failed Recv or a stop request: answer a stop's Call, then leave. */
			const uint64_t none[WARD_MSG_REGISTERS] = {0};
			ward_reply(s->reply, ward_msginfo(WARD_OK, 0, 0, 0), none);
			return ward_msginfo_label(info);
		}
		info = serve(s, buf, badge, info, mr);
		arm_receive_slot(s, buf);
		info = ward_reply_recv(s->endpoint, s->reply, info, &badge, mr);
	}
}

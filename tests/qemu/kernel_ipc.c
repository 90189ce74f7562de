/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IPC, run as the root task: Call/ReplyRecv, Send/Recv, NBSend, NBRecv,
 * badges, long messages through the IPC buffer, capability transfer with
 * and without the grant right, unwrapping, reply objects, what deleting an
 * endpoint, reply object or notification does to the threads waiting on
 * it, notifications (signal, wait, poll, badge OR-ing, FIFO wake-up) and
 * notifications bound to a TCB, and every register around the fast path's
 * cases (the same on the kernel without it). Threads run at priorities
 * below the root task's, so the root decides when they run (wt_settle).
 */
#include <stdint.h>
#include <string.h>
#include "lib/wcheck.h"

#define CNODE WARD_CAP_INIT_CNODE

enum { OP_ECHO = 1, OP_WHO = 2, OP_NOTE = 3, OP_STOP = 4 };

struct server {
	uint64_t ep, reply;
	volatile uint64_t count, label, badge, length;
};

/*
 * Answers OP_ECHO with every MR inverted, OP_WHO with (badge, length,
 * extra caps, unwrapped), anything else with an empty message of its label.
 */
static void echo_server(struct wt_thread *self)
{
	struct server *sv = self->arg;
	struct ward_ipc_buffer *buf = self->ipc;
	uint64_t badge, mr[4];
	ward_msginfo_t info = ward_recv(sv->ep, sv->reply, &badge, mr), out;

	for (;;) {
		uint64_t label = ward_msginfo_label(info);
		unsigned len = ward_msginfo_length(info);

		sv->label = label;
		sv->badge = badge;
		sv->length = len;
		sv->count++;
		if (label == OP_ECHO) {
			for (unsigned i = 0; i < len; i++) {
				if (i < 4)
					mr[i] = ~mr[i];
				else
					buf->msg[i] = ~buf->msg[i];
			}
			out = ward_msginfo(OP_ECHO, 0, 0, len);
		} else if (label == OP_WHO) {
			mr[0] = badge;
			mr[1] = len;
			mr[2] = ward_msginfo_extra_caps(info);
			mr[3] = ward_msginfo_unwrapped(info);
			out = ward_msginfo(OP_WHO, 0, 0, 4);
		} else if (label == OP_STOP) {
			ward_reply(sv->reply, ward_msginfo(OP_STOP, 0, 0, 0), mr);
			return;
		} else {
			out = ward_msginfo(label, 0, 0, 0);
		}
		info = ward_reply_recv(sv->ep, sv->reply, out, &badge, mr);
	}
}

static uint64_t pattern(unsigned i)
{
	return 0x0123456789abcdefULL * (i + 1) ^ ((uint64_t)i << 56);
}

static struct server sv;
static struct wt_thread server_thread;

static void test_call_reply(void)
{
	struct ward_ipc_buffer *b = ward_ipc_buffer();
	uint64_t mr[4], b11, b22, noreply;
	ward_msginfo_t info;
	bool ok;

	sv.ep = wt_obj(WARD_OBJ_ENDPOINT, 0);
	sv.reply = wt_obj(WARD_OBJ_REPLY, 0);
	require(sv.ep && sv.reply &&
	        wt_thread_new(&server_thread, "server", echo_server, &sv, 100) &&
	        wt_thread_start(&server_thread) == WARD_OK);

	for (unsigned i = 0; i < 4; i++)
		mr[i] = pattern(i);
	info = ward_call(sv.ep, ward_msginfo(OP_ECHO, 0, 0, 4), mr);
	ok = ward_msginfo_label(info) == OP_ECHO && ward_msginfo_length(info) == 4;
	for (unsigned i = 0; i < 4; i++)
		ok = ok && mr[i] == ~pattern(i);
	tap_ok(ok, "Call with 4 register MRs: the server's ReplyRecv answer arrives, all inverted");

	for (unsigned i = 0; i < 4; i++)
		mr[i] = pattern(i);
	for (unsigned i = 4; i < WARD_MSG_MAX_LENGTH; i++)
		b->msg[i] = pattern(i);
	info = ward_call(sv.ep, ward_msginfo(OP_ECHO, 0, 0, WARD_MSG_MAX_LENGTH), mr);
	ok = ward_msginfo_label(info) == OP_ECHO &&
	     ward_msginfo_length(info) == WARD_MSG_MAX_LENGTH && sv.length == WARD_MSG_MAX_LENGTH;
	for (unsigned i = 0; i < WARD_MSG_MAX_LENGTH; i++)
		ok = ok && (i < 4 ? mr[i] : b->msg[i]) == ~pattern(i);
	tap_ok(ok, "Call with %u MRs (IPC buffer): all %u come back inverted", WARD_MSG_MAX_LENGTH,
	       WARD_MSG_MAX_LENGTH);

	info = ward_call(sv.ep, ward_msginfo(OP_WHO, 0, 0, 127), mr);
	tap_ok(ward_msginfo_label(info) == OP_WHO && mr[1] == WARD_MSG_MAX_LENGTH,
	       "a message claiming 127 MRs is delivered with %u (got %llu)", WARD_MSG_MAX_LENGTH,
	       (unsigned long long)mr[1]);

	b11 = wt_mint(sv.ep, WARD_RIGHTS_ALL, 0x11);
	b22 = wt_mint(sv.ep, WARD_RIGHTS_ALL, 0x22);
	info = ward_call(b11, ward_msginfo(OP_WHO, 0, 0, 1), mr);
	tap_ok(ward_msginfo_label(info) == OP_WHO && mr[0] == 0x11 && mr[1] == 1,
	       "Call through the cap minted with badge 0x11: the server sees badge 0x11");
	info = ward_call(b22, ward_msginfo(OP_WHO, 0, 0, 0), mr);
	tap_ok(ward_msginfo_label(info) == OP_WHO && mr[0] == 0x22,
	       "Call through the cap minted with badge 0x22: the server sees badge 0x22");
	info = ward_call(sv.ep, ward_msginfo(OP_WHO, 0, 0, 0), mr);
	tap_ok(ward_msginfo_label(info) == OP_WHO && mr[0] == 0,
	       "Call through the unbadged original: the server sees badge 0");

	noreply = wt_copy(sv.ep, WARD_RIGHT_READ | WARD_RIGHT_WRITE | WARD_RIGHT_GRANT);
	{
		uint64_t before = sv.count;
		info = ward_call(noreply, ward_msginfo(OP_NOTE, 0, 0, 0), mr);
		wt_settle();
		tap_ok(ward_msginfo_label(info) == WARD_ERR_INSUFFICIENT_RIGHTS &&
		               sv.count == before,
		       "Call without the grant-reply right: INSUFFICIENT_RIGHTS at once, nothing "
		       "delivered to the waiting server");
		before = sv.count;
		mr[0] = 0x5e;
		ward_send(b11, ward_msginfo(OP_NOTE, 0, 0, 1), mr);
		wt_settle();
		tap_ok(sv.count == before + 1 && sv.label == OP_NOTE && sv.badge == 0x11 &&
		               sv.length == 1,
		       "Send to the waiting server: delivered with its badge, the sender goes on");
	}
}

struct peer {
	uint64_t ep;
	volatile uint64_t label, badge, mr0, length;
};

static void sender(struct wt_thread *self)
{
	struct peer *p = self->arg;
	uint64_t mr[4] = {0xabc, 0, 0, 0};

	p->label = ward_msginfo_label(ward_send(p->ep, ward_msginfo(0x42, 0, 0, 1), mr));
}

static void caller(struct wt_thread *self)
{
	struct peer *p = self->arg;
	uint64_t mr[4] = {0xabc, 0, 0, 0};

	p->label = ward_msginfo_label(ward_call(p->ep, ward_msginfo(0x43, 0, 0, 1), mr));
	p->mr0 = mr[0];
}

static void receiver(struct wt_thread *self)
{
	struct peer *p = self->arg;
	uint64_t badge, mr[4];
	ward_msginfo_t info = ward_recv(p->ep, 0, &badge, mr);

	p->label = ward_msginfo_label(info);
	p->length = ward_msginfo_length(info);
	p->badge = badge;
	p->mr0 = mr[0];
}

static void test_send_recv(void)
{
	static struct wt_thread t1, t2, t3;
	static struct peer p1, p2, p3;
	uint64_t ep = wt_obj(WARD_OBJ_ENDPOINT, 0), badged = wt_mint(ep, WARD_RIGHTS_ALL, 0x5);
	uint64_t badge = ~0ULL, mr[4] = {7, 0, 0, 0};
	ward_msginfo_t info;

	ward_nb_send(badged, ward_msginfo(9, 0, 0, 1), mr);
	info = ward_nb_recv(ep, 0, &badge, mr);
	tap_ok(info == 0 && badge == 0,
	       "NBSend with no receiver is dropped: a later NBRecv finds nothing");
	info = ward_nb_recv(ep, 0, &badge, mr);
	tap_ok(ward_msginfo_label(info) == 0 && badge == 0,
	       "NBRecv on an idle endpoint returns at once with label 0, badge 0");

	p1.ep = badged;
	require(wt_thread_new(&t1, "sender", sender, &p1, 100) && wt_thread_start(&t1) == WARD_OK);
	wt_settle();
	tap_ok(!t1.finished, "Send with no receiver blocks the sender");
	badge = 0;
	info = ward_nb_recv(ep, 0, &badge, mr);
	tap_ok(ward_msginfo_label(info) == 0x42 && badge == 0x5 && mr[0] == 0xabc &&
	               ward_msginfo_length(info) == 1,
	       "NBRecv takes the blocked sender's message (label, badge, MR0)");
	wt_thread_join(&t1);
	tap_ok(t1.finished, "the sender was released by the receive and ran to its end");

	p2.ep = ep;
	require(wt_thread_new(&t2, "receiver", receiver, &p2, 100) &&
	        wt_thread_start(&t2) == WARD_OK);
	wt_settle();
	tap_ok(!t2.finished, "Recv with no sender blocks the receiver");
	mr[0] = 0x77;
	ward_nb_send(badged, ward_msginfo(0x33, 0, 0, 1), mr);
	wt_thread_join(&t2);
	tap_ok(p2.label == 0x33 && p2.badge == 0x5 && p2.mr0 == 0x77 && p2.length == 1,
	       "NBSend to a waiting receiver is delivered (label, badge, MR0)");

	p3.ep = ep;
	require(wt_thread_new(&t3, "caller", caller, &p3, 100) && wt_thread_start(&t3) == WARD_OK);
	wt_settle();
	{
		uint64_t reply = wt_obj(WARD_OBJ_REPLY, 0);
		info = ward_recv(ep, reply, &badge, mr);
		tap_ok(ward_msginfo_label(info) == 0x43 && mr[0] == 0xabc && !t3.finished,
		       "Recv with a reply object takes a blocked Call; the caller waits for the "
		       "reply");
		mr[0] = 0xdef;
		ward_reply(reply, ward_msginfo(0x44, 0, 0, 1), mr);
		wt_thread_join(&t3);
		tap_ok(p3.label == 0x44 && p3.mr0 == 0xdef,
		       "Reply through the reply object answers that caller (label 0x44, MR0)");
	}
}

struct xfer {
	uint64_t ep;
	uint64_t slot[8];
	volatile uint64_t info[8], badge[8], cap0[8];
	volatile unsigned rounds;
};

static void cap_receiver(struct wt_thread *self)
{
	struct xfer *x = self->arg;
	uint64_t badge, mr[4];

	for (unsigned k = 0; k < 8; k++) {
		self->ipc->receive_cnode = CNODE;
		self->ipc->receive_index = x->slot[k];
		self->ipc->receive_depth = 64;
		self->ipc->caps_or_badges[0] = 0;
		x->info[k] = ward_recv(x->ep, 0, &badge, mr);
		x->badge[k] = badge;
		x->cap0[k] = self->ipc->caps_or_badges[0];
		x->rounds = k + 1;
	}
}

/* Sends label `round` with the given extra caps through `ep` to the capture thread. */
static void send_caps(uint64_t ep, unsigned round, unsigned n, uint64_t c0, uint64_t c1)
{
	struct ward_ipc_buffer *b = ward_ipc_buffer();
	uint64_t mr[4] = {0};

	b->caps_or_badges[0] = c0;
	b->caps_or_badges[1] = c1;
	ward_send(ep, ward_msginfo(round, 0, n, 0), mr);
	wt_settle();
}

static void test_cap_transfer(void)
{
	static struct wt_thread t;
	static struct xfer x;
	uint64_t ep = wt_obj(WARD_OBJ_ENDPOINT, 0), n = wt_obj(WARD_OBJ_NOTIFICATION, 0);
	uint64_t nogrant = wt_copy(ep, WARD_RIGHT_WRITE | WARD_RIGHT_GRANT_REPLY);
	uint64_t badged = wt_mint(ep, WARD_RIGHTS_ALL, 0x42);
	uint64_t self_cap = wt_mint(ep, WARD_RIGHTS_ALL, 0x99), badge = 0;

	x.ep = ep;
	for (unsigned k = 0; k < 8; k++)
		x.slot[k] = wt_slot();
	x.slot[6] = x.slot[5]; /* round 6 receives into the slot round 5 filled */
	require(wt_thread_new(&t, "capture", cap_receiver, &x, 100) &&
	        wt_thread_start(&t) == WARD_OK);
	wt_settle();

	send_caps(ep, 0, 1, n, 0);
	tap_ok(x.rounds == 1 && ward_msginfo_extra_caps(x.info[0]) == 1 &&
	               ward_debug_cap_type(x.slot[0]) == WARD_OBJ_NOTIFICATION,
	       "Send with a notification cap and the grant right: it arrives in the receive slot");
	{
		/* A signal with badge 0 cannot be told from none: send a badged cap. */
		uint64_t nb = wt_mint(n, WARD_RIGHTS_ALL, 0x6);
		send_caps(ep, 1, 1, nb, 0);
		ward_signal(x.slot[1]);
		ward_poll(n, &badge);
		tap_ok(x.rounds == 2 && badge == 0x6,
		       "the transferred cap names the same notification and keeps its badge "
		       "(a signal through it arrives with 0x6)");
	}
	send_caps(nogrant, 2, 1, n, 0);
	tap_ok(x.rounds == 3 && ward_msginfo_label(x.info[2]) == 2 &&
	               ward_msginfo_extra_caps(x.info[2]) == 0 &&
	               ward_debug_cap_type(x.slot[2]) == WARD_OBJ_NULL,
	       "Send without the grant right: message delivered, no cap transferred");
	send_caps(badged, 3, 1, self_cap, 0);
	tap_ok(x.rounds == 4 && ward_msginfo_unwrapped(x.info[3]) == 1 &&
	               ward_msginfo_extra_caps(x.info[3]) == 1 && x.cap0[3] == 0x99 &&
	               x.badge[3] == 0x42 && ward_debug_cap_type(x.slot[3]) == WARD_OBJ_NULL,
	       "a cap to the endpoint it travels through is unwrapped: its badge 0x99 arrives");
	send_caps(ep, 4, 1, wt_ram_untyped(), 0);
	tap_ok(x.rounds == 5 && ward_msginfo_extra_caps(x.info[4]) == 0 &&
	               ward_debug_cap_type(x.slot[4]) == WARD_OBJ_NULL,
	       "an untyped cap cannot be transferred: message arrives with no cap");
	send_caps(ep, 5, 2, n, ep);
	tap_ok(x.rounds == 6 && ward_msginfo_extra_caps(x.info[5]) == 2 &&
	               ward_msginfo_unwrapped(x.info[5]) == 2 &&
	               ward_debug_cap_type(x.slot[5]) == WARD_OBJ_NOTIFICATION,
	       "two extra caps: the notification is copied, the endpoint's own cap unwrapped");
	send_caps(ep, 6, 1, n, 0);
	tap_ok(x.rounds == 7 && ward_msginfo_extra_caps(x.info[6]) == 0,
	       "a receive slot that is occupied: the message arrives without the cap");
	send_caps(ep, 7, 1, wt_slot(), 0);
	tap_ok(x.rounds == 8 && ward_msginfo_extra_caps(x.info[7]) == 0 &&
	               ward_msginfo_label(x.info[7]) == 7,
	       "an extra cap naming an empty slot: the message arrives without caps");
	wt_thread_join(&t);
}

/*
 * Reply objects: a server takes two Calls with two reply objects and
 * answers the second caller first; each caller gets its own answer.
 */
struct two {
	uint64_t ep, r1, r2;
	volatile uint64_t first_badge, second_badge, sequence;
};
static struct two two;
static struct peer c1, c2;
static volatile uint64_t finish_ticket, c1_ticket, c2_ticket;

static void two_reply_server(struct wt_thread *self)
{
	uint64_t b1, b2, m1[4], m2[4];

	(void)self;
	ward_recv(two.ep, two.r1, &b1, m1);
	ward_recv(two.ep, two.r2, &b2, m2);
	two.first_badge = b1;
	two.second_badge = b2;
	m2[0] += 1000;
	ward_reply(two.r2, ward_msginfo(0x2, 0, 0, 1), m2);
	m1[0] += 1000;
	ward_reply(two.r1, ward_msginfo(0x1, 0, 0, 1), m1);
}

static void ticket_caller(struct wt_thread *self)
{
	struct peer *p = self->arg;
	uint64_t mr[4] = {p->badge, 0, 0, 0};

	p->label = ward_msginfo_label(ward_call(p->ep, ward_msginfo(0x50, 0, 0, 1), mr));
	p->mr0 = mr[0];
	*(p == &c1 ? &c1_ticket : &c2_ticket) = ++finish_ticket;
}

static void test_reply_objects(void)
{
	static struct wt_thread s, t1, t2;
	uint64_t badge, mr[4];

	two.ep = wt_obj(WARD_OBJ_ENDPOINT, 0);
	two.r1 = wt_obj(WARD_OBJ_REPLY, 0);
	two.r2 = wt_obj(WARD_OBJ_REPLY, 0);
	c1.ep = wt_mint(two.ep, WARD_RIGHTS_ALL, 1);
	c1.badge = 100;
	c2.ep = wt_mint(two.ep, WARD_RIGHTS_ALL, 2);
	c2.badge = 200;
	require(wt_thread_new(&s, "server2", two_reply_server, NULL, 150) &&
	        wt_thread_new(&t1, "caller1", ticket_caller, &c1, 100) &&
	        wt_thread_new(&t2, "caller2", ticket_caller, &c2, 100));
	wt_thread_start(&s);
	wt_thread_start(&t1);
	wt_settle();
	wt_thread_start(&t2);
	wt_thread_join(&t1);
	wt_thread_join(&t2);
	tap_ok(two.first_badge == 1 && two.second_badge == 2,
	       "a server holds two Calls at once with two reply objects");
	tap_ok(c1.label == 0x1 && c1.mr0 == 1100 && c2.label == 0x2 && c2.mr0 == 1200,
	       "answered out of order (second first): each caller got its own answer");
	tap_ok(c2_ticket < c1_ticket, "the second caller, answered first, ran first");

	/* Reusing a reply object that still has a caller abandons that caller. */
	{
		static struct wt_thread t3;
		static struct peer p3;
		uint64_t ep = wt_obj(WARD_OBJ_ENDPOINT, 0), r = wt_obj(WARD_OBJ_REPLY, 0);
		p3.ep = ep;
		require(wt_thread_new(&t3, "caller3", caller, &p3, 100) &&
		        wt_thread_start(&t3) == WARD_OK);
		wt_settle();
		ward_recv(ep, r, &badge, mr);
		ward_nb_recv(ep, r, &badge, mr);
		wt_thread_join(&t3);
		expect_err(p3.label, WARD_ERR_CANCELLED,
		           "Recv reusing a reply object that holds a caller: that caller gets "
		           "WARD_ERR_CANCELLED");
	}
}

/*
 * One reply object, two receivers. S1 waits in Recv on EP1 with reply
 * object R; then S2 waits in Recv on EP2 with the same R, which takes R
 * from S1 (docs/kernel.md 3.2). A Call to EP1 (C1) then reaches a receiver
 * without a reply object: delivered, and C1 fails with CANCELLED rather
 * than waiting for a reply that R, now C2's, would never bring.
 */
struct shared_reply {
	uint64_t ep1, ep2, r, go1, go2;
};
static struct shared_reply sr;
static struct peer sc1, sc2;

static void sr_server(struct wt_thread *self)
{
	bool first = self->arg == (void *)1;
	uint64_t badge, mr[4];

	ward_recv(first ? sr.ep1 : sr.ep2, sr.r, &badge, mr);
	self->word[0] = 1;
	ward_wait(first ? sr.go1 : sr.go2, &badge);
	mr[0] = first ? 0x51 : 0x52;
	ward_reply(sr.r, ward_msginfo(0x5, 0, 0, 1), mr);
}

static void test_shared_reply_object(void)
{
	static struct wt_thread s1, s2, t1, t2;

	sr.ep1 = wt_obj(WARD_OBJ_ENDPOINT, 0);
	sr.ep2 = wt_obj(WARD_OBJ_ENDPOINT, 0);
	sr.r = wt_obj(WARD_OBJ_REPLY, 0);
	sr.go1 = wt_obj(WARD_OBJ_NOTIFICATION, 0);
	sr.go2 = wt_obj(WARD_OBJ_NOTIFICATION, 0);
	sc1.ep = sr.ep1;
	sc2.ep = sr.ep2;
	require(wt_thread_new(&s1, "srv1", sr_server, (void *)1, 100) &&
	        wt_thread_new(&s2, "srv2", sr_server, (void *)2, 100) &&
	        wt_thread_new(&t1, "call1", caller, &sc1, 100) &&
	        wt_thread_new(&t2, "call2", caller, &sc2, 100));
	wt_thread_start(&s1);
	wt_settle();
	wt_thread_start(&s2);
	wt_settle();
	wt_thread_start(&t1);
	wt_settle();
	wt_thread_start(&t2);
	wt_settle();
	ward_signal(sr.go2);
	wt_settle();
	ward_signal(sr.go1);
	wt_settle();
	tap_ok(t2.finished && sc2.label == 0x5 && sc2.mr0 == 0x52,
	       "two receivers with one reply object: the second caller got its server's answer");
	tap_ok(t1.finished && sc1.label == WARD_ERR_CANCELLED && s1.word[0] == 1,
	       "the first caller, whose receiver had lost the reply object: delivered, then "
	       "CANCELLED (label 0x%llx)",
	       (unsigned long long)sc1.label);
}

/* The caller goes away while its Call waits for the reply. */
static void test_caller_deleted(void)
{
	static struct wt_thread c, c2;
	static struct peer p, p2;
	uint64_t ep = wt_obj(WARD_OBJ_ENDPOINT, 0), r = wt_obj(WARD_OBJ_REPLY, 0), badge, mr[4];
	ward_msginfo_t info;

	p.ep = p2.ep = ep;
	require(wt_thread_new(&c, "doomed", caller, &p, 100) && wt_thread_start(&c) == WARD_OK);
	wt_settle();
	info = ward_recv(ep, r, &badge, mr);
	tap_ok(ward_msginfo_label(info) == 0x43 && wt_delete(c.tcb) == WARD_OK &&
	               ward_debug_cap_type(c.tcb) == WARD_OBJ_NULL,
	       "a caller's TCB deleted while the server holds its Call");
	mr[0] = 1;
	ward_reply(r, ward_msginfo(1, 0, 0, 1), mr);
	require(wt_thread_new(&c2, "next", caller, &p2, 100) && wt_thread_start(&c2) == WARD_OK);
	wt_settle();
	info = ward_recv(ep, r, &badge, mr);
	mr[0] = 0x99;
	ward_reply(r, ward_msginfo(0x7, 0, 0, 1), mr);
	wt_thread_join(&c2);
	tap_ok(!c.finished && p2.label == 0x7 && p2.mr0 == 0x99,
	       "the Reply to it went nowhere; the same reply object then answered the next caller");
}

/* Threads blocked on objects that are deleted. */
static void blocked_recv(struct wt_thread *self)
{
	uint64_t badge, mr[4];

	self->word[0] = ward_msginfo_label(ward_recv((uint64_t)self->arg, 0, &badge, mr));
}

static void blocked_send(struct wt_thread *self)
{
	uint64_t mr[4] = {1, 2, 3, 4};

	self->word[0] =
	        ward_msginfo_label(ward_send((uint64_t)self->arg, ward_msginfo(8, 0, 0, 4), mr));
}

static void blocked_call(struct wt_thread *self)
{
	uint64_t mr[4] = {1, 2, 3, 4};

	self->word[0] =
	        ward_msginfo_label(ward_call((uint64_t)self->arg, ward_msginfo(8, 0, 0, 4), mr));
}

static void blocked_wait(struct wt_thread *self)
{
	uint64_t badge;

	self->word[0] = ward_wait((uint64_t)self->arg, &badge);
}

static bool start_blocked(struct wt_thread *t, const char *name, wt_fn fn, uint64_t cap)
{
	bool ok = wt_thread_new(t, name, fn, (void *)cap, 100) && wt_thread_start(t) == WARD_OK;

	wt_settle();
	return ok && !t->finished;
}

static void test_deletion_wakes(void)
{
	static struct wt_thread r, s, c, w, r2, c2, rv;
	uint64_t ep, copy, n, reply, badge, mr[4];

	ep = wt_obj(WARD_OBJ_ENDPOINT, 0);
	tap_ok(start_blocked(&r, "recv", blocked_recv, ep), "a receiver blocks on an endpoint");
	tap_ok(wt_delete(ep) == WARD_OK, "Delete of the endpoint's last cap returns");
	wt_thread_join(&r);
	expect_err(r.word[0], WARD_ERR_CANCELLED,
	           "deleted endpoint: its blocked receiver woke with WARD_ERR_CANCELLED");

	ep = wt_obj(WARD_OBJ_ENDPOINT, 0);
	start_blocked(&s, "send", blocked_send, ep);
	wt_delete(ep);
	wt_thread_join(&s);
	expect_err(s.word[0], WARD_ERR_CANCELLED,
	           "deleted endpoint: its blocked sender woke with WARD_ERR_CANCELLED");

	ep = wt_obj(WARD_OBJ_ENDPOINT, 0);
	start_blocked(&c, "call", blocked_call, ep);
	wt_delete(ep);
	wt_thread_join(&c);
	expect_err(c.word[0], WARD_ERR_CANCELLED,
	           "deleted endpoint: its blocked caller woke with WARD_ERR_CANCELLED");

	ep = wt_obj(WARD_OBJ_ENDPOINT, 0);
	copy = wt_copy(ep, WARD_RIGHTS_ALL);
	start_blocked(&r2, "recv2", blocked_recv, ep);
	wt_delete(copy);
	wt_settle();
	tap_ok(!r2.finished, "deleting a copy (not the last cap) leaves the receiver blocked");
	wt_delete(ep);
	wt_thread_join(&r2);
	expect_err(r2.word[0], WARD_ERR_CANCELLED,
	           "deleting the last cap then wakes it with WARD_ERR_CANCELLED");

	/* A caller waiting for a reply whose reply object is deleted. */
	ep = wt_obj(WARD_OBJ_ENDPOINT, 0);
	reply = wt_obj(WARD_OBJ_REPLY, 0);
	start_blocked(&c2, "call2", blocked_call, ep);
	ward_recv(ep, reply, &badge, mr);
	wt_settle();
	tap_ok(!c2.finished, "a Call taken with a reply object waits for the answer");
	wt_delete(reply);
	wt_thread_join(&c2);
	expect_err(c2.word[0], WARD_ERR_CANCELLED,
	           "deleted reply object: the caller it held woke with WARD_ERR_CANCELLED");

	n = wt_obj(WARD_OBJ_NOTIFICATION, 0);
	start_blocked(&w, "wait", blocked_wait, n);
	wt_delete(n);
	wt_thread_join(&w);
	expect_err(w.word[0], WARD_ERR_CANCELLED,
	           "deleted notification: its waiter woke with WARD_ERR_CANCELLED");

	/* Revoke of the untyped it came from finalises the endpoint too. */
	{
		uint64_t u = wt_obj(WARD_OBJ_UNTYPED, 12);
		ep = wt_obj_from(u, WARD_OBJ_ENDPOINT, 0);
		start_blocked(&rv, "recv3", blocked_recv, ep);
		ward_cnode_revoke(CNODE, u, 64);
		wt_thread_join(&rv);
		expect_err(rv.word[0], WARD_ERR_CANCELLED,
		           "Revoke of the endpoint's untyped: its receiver woke with CANCELLED");
	}
}

static void test_ipc_errors(void)
{
	uint64_t mr[4] = {0}, badge, n = wt_obj(WARD_OBJ_NOTIFICATION, 0);
	uint64_t ep = wt_obj(WARD_OBJ_ENDPOINT, 0);

	expect_err(ward_msginfo_label(ward_send(wt_slot(), ward_msginfo(1, 0, 0, 0), mr)),
	           WARD_ERR_INVALID_CAPABILITY,
	           "Send on an empty slot: WARD_ERR_INVALID_CAPABILITY");
	expect_err(ward_msginfo_label(ward_nb_recv(wt_slot(), 0, &badge, mr)),
	           WARD_ERR_INVALID_CAPABILITY,
	           "NBRecv on an empty slot: WARD_ERR_INVALID_CAPABILITY");
	expect_err(ward_msginfo_label(ward_nb_recv(WARD_CAP_INIT_TCB, 0, &badge, mr)),
	           WARD_ERR_ILLEGAL_OPERATION, "NBRecv on a TCB cap: WARD_ERR_ILLEGAL_OPERATION");
	expect_err(ward_msginfo_label(ward_nb_recv(ep, n, &badge, mr)), WARD_ERR_INVALID_CAPABILITY,
	           "NBRecv naming a notification as reply object: WARD_ERR_INVALID_CAPABILITY");
	expect_err(ward_msginfo_label(ward_reply(0, ward_msginfo(0, 0, 0, 0), mr)),
	           WARD_ERR_INVALID_CAPABILITY, "Reply with no reply object: INVALID_CAPABILITY");
	expect_err(ward_msginfo_label(ward_reply_recv(ep, 0, ward_msginfo(0, 0, 0, 0), &badge, mr)),
	           WARD_ERR_INVALID_CAPABILITY,
	           "ReplyRecv with no reply object: INVALID_CAPABILITY, and it does not wait");
	expect_err(ward_msginfo_label(ward_reply(ep, ward_msginfo(0, 0, 0, 0), mr)),
	           WARD_ERR_INVALID_CAPABILITY,
	           "Reply naming an endpoint as reply object: INVALID_CAPABILITY");
	{
		uint64_t ro = wt_copy(n, WARD_RIGHT_READ), wo = wt_copy(n, WARD_RIGHT_WRITE);
		expect_err(ward_msginfo_label(ward_send(ro, 0, mr)), WARD_ERR_INSUFFICIENT_RIGHTS,
		           "Signal through a read-only notification cap: INSUFFICIENT_RIGHTS");
		expect_err(ward_msginfo_label(ward_nb_recv(wo, 0, &badge, mr)),
		           WARD_ERR_INSUFFICIENT_RIGHTS,
		           "Poll through a write-only notification cap: INSUFFICIENT_RIGHTS");
	}
}

static void test_notifications(void)
{
	static struct wt_thread w1, w2;
	uint64_t n = wt_obj(WARD_OBJ_NOTIFICATION, 0), badge = ~0ULL;
	uint64_t n1 = wt_mint(n, WARD_RIGHTS_ALL, 0x1), n2 = wt_mint(n, WARD_RIGHTS_ALL, 0x2);
	uint64_t n4 = wt_mint(n, WARD_RIGHTS_ALL, 0x4);

	ward_poll(n, &badge);
	tap_ok(badge == 0, "Poll of an idle notification returns at once with badge 0");
	ward_signal(n1);
	tap_ok(ward_wait(n, &badge) == 0 && badge == 0x1,
	       "Signal then Wait: the waiter gets the signaller's badge 0x1");
	ward_signal(n1);
	ward_signal(n4);
	ward_signal(n4);
	tap_ok(ward_wait(n, &badge) == 0 && badge == 0x5,
	       "signals with badges 1, 4, 4 before a Wait are OR-ed: 0x5");
	ward_poll(n, &badge);
	tap_ok(badge == 0, "the Wait cleared the word: a Poll finds nothing");

	require(start_blocked(&w1, "waiter1", blocked_wait, n));
	require(start_blocked(&w2, "waiter2", blocked_wait, n));
	ward_signal(n2);
	wt_settle();
	tap_ok(w1.finished && !w2.finished, "one signal wakes one waiter, the first to wait");
	ward_signal(n4);
	wt_thread_join(&w2);
	tap_ok(w2.finished && w2.word[0] == 0, "a second signal wakes the second waiter");
}

struct bound {
	uint64_t ep;
	volatile uint64_t label[3], badge[3], rounds;
};

static void bound_receiver(struct wt_thread *self)
{
	struct bound *b = self->arg;
	uint64_t badge, mr[4];

	for (unsigned k = 0; k < 3; k++) {
		b->label[k] = ward_msginfo_label(ward_recv(b->ep, 0, &badge, mr));
		b->badge[k] = badge;
		b->rounds = k + 1;
	}
}

static void test_bound_notification(void)
{
	static struct wt_thread t, other;
	static struct bound b;
	uint64_t n = wt_obj(WARD_OBJ_NOTIFICATION, 0), n80 = wt_mint(n, WARD_RIGHTS_ALL, 0x80);
	uint64_t n2 = wt_obj(WARD_OBJ_NOTIFICATION, 0), mr[4] = {0};

	b.ep = wt_obj(WARD_OBJ_ENDPOINT, 0);
	require(wt_thread_new(&t, "bound", bound_receiver, &b, 100) &&
	        wt_thread_new(&other, "other", bound_receiver, &b, 100));
	expect_err(ward_tcb_bind_notification(t.tcb, n), WARD_OK,
	           "TCB_BindNotification of a fresh notification: WARD_OK");
	expect_err_arg(ward_tcb_bind_notification(t.tcb, n2), WARD_ERR_ILLEGAL_OPERATION,
	               WARD_ARG_EXTRA_CAP0, "binding a second notification: ILLEGAL_OPERATION");
	expect_err_arg(ward_tcb_bind_notification(other.tcb, n), WARD_ERR_ILLEGAL_OPERATION,
	               WARD_ARG_EXTRA_CAP0,
	               "binding a notification bound elsewhere: ILLEGAL_OPERATION");
	expect_err_arg(ward_tcb_bind_notification(other.tcb, wt_copy(n2, WARD_RIGHT_WRITE)),
	               WARD_ERR_INSUFFICIENT_RIGHTS, WARD_ARG_EXTRA_CAP0,
	               "binding through a cap without the read right: INSUFFICIENT_RIGHTS");
	expect_err_arg(ward_tcb_unbind_notification(other.tcb), WARD_ERR_ILLEGAL_OPERATION,
	               WARD_ARG_CAP, "TCB_UnbindNotification with none bound: ILLEGAL_OPERATION");
	expect_err_arg(ward_tcb_bind_notification(other.tcb, b.ep), WARD_ERR_INVALID_CAPABILITY,
	               WARD_ARG_EXTRA_CAP0, "binding an endpoint: INVALID_CAPABILITY");

	wt_thread_start(&t);
	wt_settle();
	ward_signal(n80);
	wt_settle();
	tap_ok(b.rounds == 1 && b.badge[0] == 0x80 && b.label[0] == 0,
	       "a signal to the bound notification wakes its thread out of endpoint Recv (0x80)");
	mr[0] = 1;
	ward_send(wt_mint(b.ep, WARD_RIGHTS_ALL, 0x7), ward_msginfo(0x21, 0, 0, 1), mr);
	wt_settle();
	tap_ok(b.rounds == 2 && b.badge[1] == 0x7 && b.label[1] == 0x21,
	       "the same Recv still takes endpoint messages (badge 0x7, label 0x21)");
	expect_err(ward_tcb_unbind_notification(t.tcb), WARD_OK, "TCB_UnbindNotification: WARD_OK");
	ward_signal(n80);
	wt_settle();
	tap_ok(b.rounds == 2, "after Unbind a signal no longer wakes the Recv");
	{
		uint64_t badge = 0;
		ward_poll(n, &badge);
		tap_ok(badge == 0x80, "that signal stayed pending on the notification");
	}
	ward_send(b.ep, ward_msginfo(0x22, 0, 0, 0), mr);
	wt_thread_join(&t);
	tap_ok(b.rounds == 3 && b.label[2] == 0x22, "an endpoint message then ends its last Recv");
}

static void send_label_word1(struct wt_thread *self)
{
	uint64_t mr[4] = {0};

	ward_send((uint64_t)self->arg, ward_msginfo(self->word[1], 0, 0, 0), mr);
}

static void test_pending_bound_signal(void)
{
	static struct wt_thread t, s;
	static struct bound b;
	uint64_t n = wt_obj(WARD_OBJ_NOTIFICATION, 0), n3 = wt_mint(n, WARD_RIGHTS_ALL, 0x3);
	uint64_t mr[4] = {0};

	b.ep = wt_obj(WARD_OBJ_ENDPOINT, 0);
	require(wt_thread_new(&t, "bound2", bound_receiver, &b, 100) &&
	        ward_tcb_bind_notification(t.tcb, n) == WARD_OK &&
	        wt_thread_new(&s, "sender2", send_label_word1, (void *)b.ep, 100));
	s.word[1] = 0x30;
	wt_thread_start(&s);
	wt_settle(); /* the sender now waits on the endpoint */
	ward_signal(n3);
	wt_thread_start(&t);
	wt_settle();
	tap_ok(b.rounds >= 1 && b.badge[0] == 0x3 && b.label[0] == 0,
	       "a signal pending before Recv on the bound notification wins over a queued sender");
	ward_send(b.ep, ward_msginfo(0x31, 0, 0, 0), mr);
	wt_thread_join(&t);
	tap_ok(b.label[1] == 0x30 && b.label[2] == 0x31,
	       "the queued messages follow in order (0x30, then 0x31)");
}

/*
 * Every register around the fast path's two cases (Call to a waiting
 * server, ReplyRecv answering a waiting caller), as seen by both threads.
 * The same expectations hold on ward-kernel-nofastpath, whose general path
 * handles these calls: the scenario pair proves the two paths agree.
 * raw_syscall loads all general registers from in[16] (rax, rbx, rcx,
 * rdx, rsi, rdi, rbp, -, r8..r15), makes the system call and stores them
 * all to out[16].
 */
void raw_syscall(const uint64_t in[16], uint64_t out[16]);
__asm__(".text\n"
        ".global raw_syscall\n"
        "raw_syscall:\n"
        "	push %rbp; push %rbx; push %r12; push %r13; push %r14; push %r15\n"
        "	push %rsi\n"
        "	mov 0(%rdi), %rax; mov 8(%rdi), %rbx; mov 16(%rdi), %rcx; mov 24(%rdi), %rdx\n"
        "	mov 32(%rdi), %rsi; mov 48(%rdi), %rbp; mov 64(%rdi), %r8; mov 72(%rdi), %r9\n"
        "	mov 80(%rdi), %r10; mov 88(%rdi), %r11; mov 96(%rdi), %r12; mov 104(%rdi), %r13\n"
        "	mov 112(%rdi), %r14; mov 120(%rdi), %r15; mov 40(%rdi), %rdi\n"
        "	syscall\n"
        "	push %rdi\n"
        "	mov 8(%rsp), %rdi\n"
        "	mov %rax, 0(%rdi); mov %rbx, 8(%rdi); mov %rcx, 16(%rdi); mov %rdx, 24(%rdi)\n"
        "	mov %rsi, 32(%rdi); pop %rax; mov %rax, 40(%rdi); mov %rbp, 48(%rdi)\n"
        "	mov %r8, 64(%rdi); mov %r9, 72(%rdi); mov %r10, 80(%rdi); mov %r11, 88(%rdi)\n"
        "	mov %r12, 96(%rdi); mov %r13, 104(%rdi); mov %r14, 112(%rdi); mov %r15, 120(%rdi)\n"
        "	pop %rsi\n"
        "	pop %r15; pop %r14; pop %r13; pop %r12; pop %rbx; pop %rbp\n"
        "	ret\n");

enum {
	R_RAX,
	R_RBX,
	R_RCX,
	R_RDX,
	R_RSI,
	R_RDI,
	R_RBP,
	R_R8 = 8,
	R_R9,
	R_R10,
	R_R11,
	R_R12,
	R_R13,
	R_R14,
	R_R15
};

struct raw_peer {
	uint64_t ep, reply;
	uint64_t got[2][16];  /* the server's registers after each receive */
	uint64_t long_got[3]; /* MR4..MR6 of the second request, from its IPC buffer */
	uint64_t third[4];    /* the server's MR registers after the third receive */
	ward_msginfo_t third_info;
};

/* Fills the registers a call does not use with a pattern, `tag` apart. */
static void raw_fill(uint64_t regs[16], uint64_t tag)
{
	for (unsigned i = 0; i < 16; i++)
		regs[i] = pattern(i) ^ tag;
}

/* True if the registers that carry nothing in `number`'s answer kept their values. */
static bool raw_kept(const uint64_t in[16], const uint64_t out[16])
{
	static const unsigned kept[] = {R_RAX, R_RBX, R_RDX, R_RBP, R_R12, R_R13, R_R14};
	bool ok = true;

	for (unsigned i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
		ok = ok && in[kept[i]] == out[kept[i]];
	return ok;
}

/*
 * Receives, answers MR0 + 1 with label 0x77 and 3 MRs, receives again (a
 * long message), answers with label 0x99 and 6 MRs (its MR registers
 * 1, 2, 3, 4 before the third request arrives), answers the third with no
 * MR, then answers the fourth request and stops.
 */
static void raw_server(struct wt_thread *self)
{
	struct raw_peer *p = self->arg;
	uint64_t in[16], out[16];

	raw_fill(in, 0x5e);
	in[R_RAX] = (uint64_t)WARD_SYS_RECV;
	in[R_RDI] = p->ep;
	in[R_RDX] = p->reply;
	raw_syscall(in, p->got[0]);
	raw_fill(in, 0x5f);
	in[R_RAX] = (uint64_t)WARD_SYS_REPLY_RECV;
	in[R_RDI] = p->ep;
	in[R_RDX] = p->reply;
	/* Cap bits set by the sender are not a capability transfer: stripped. */
	in[R_RSI] = ward_msginfo(0x77, 7, 0, 3);
	in[R_R10] = p->got[0][R_R10] + 1;
	raw_syscall(in, out);
	memcpy(p->got[1], out, sizeof(out));
	for (unsigned i = 0; i < 3; i++)
		p->long_got[i] = self->ipc->msg[4 + i];
	uint64_t mr[4] = {1, 2, 3, 4}, badge;
	self->ipc->msg[4] = pattern(40);
	self->ipc->msg[5] = pattern(41);
	p->third_info = ward_reply_recv(p->ep, p->reply, ward_msginfo(0x99, 0, 0, 6), &badge, mr);
	memcpy(p->third, mr, sizeof(mr));
	for (unsigned i = 0; i < 4; i++)
		mr[i] = 5 + i; /* none of them is sent */
	ward_reply_recv(p->ep, p->reply, ward_msginfo(0x55, 0, 0, 0), &badge, mr);
	ward_reply(p->reply, ward_msginfo(0, 0, 0, 0), mr);
}

static void test_fast_path_registers(void)
{
	static struct wt_thread t;
	static struct raw_peer p;
	uint64_t in[16], out[16];

	p.ep = wt_obj(WARD_OBJ_ENDPOINT, 0);
	p.reply = wt_obj(WARD_OBJ_REPLY, 0);
	uint64_t badged = wt_mint(p.ep, WARD_RIGHTS_ALL, 0xb1);
	require(wt_thread_new(&t, "raw", raw_server, &p, 100) && wt_thread_start(&t) == WARD_OK);
	wt_settle();

	raw_fill(in, 0xc1);
	in[R_RAX] = (uint64_t)WARD_SYS_CALL;
	in[R_RDI] = badged;
	in[R_RSI] = ward_msginfo(0xabcde, 5, 0, 2);
	raw_syscall(in, out);
	tap_ok(p.got[0][R_RDI] == 0xb1 && p.got[0][R_RSI] == ward_msginfo(0xabcde, 0, 0, 2) &&
	               p.got[0][R_R10] == in[R_R10] && p.got[0][R_R8] == in[R_R8],
	       "Call to a waiting server: badge, label, length and 2 MRs arrive; the "
	       "sender's cap bits do not");
	tap_ok(p.got[0][R_R9] == (pattern(R_R9) ^ 0x5e) &&
	               p.got[0][R_R15] == (pattern(R_R15) ^ 0x5e),
	       "the server's registers for MR2 and MR3, beyond the length, keep its own values");
	tap_ok(out[R_RDI] == 0 && out[R_RSI] == ward_msginfo(0x77, 0, 0, 3) &&
	               out[R_R10] == p.got[0][R_R10] + 1 && out[R_R8] == (pattern(R_R8) ^ 0x5f) &&
	               out[R_R9] == (pattern(R_R9) ^ 0x5f) && out[R_R15] == in[R_R15] &&
	               raw_kept(in, out),
	       "the 3-word ReplyRecv answer: badge 0, label and length, MRs; the caller's r15 "
	       "(MR3), rax, rbx, rdx, rbp, r12-r14 kept (rax %llx)",
	       (unsigned long long)out[R_RAX]);
	struct ward_ipc_buffer *b = ward_ipc_buffer();
	for (unsigned i = 0; i < 3; i++)
		b->msg[4 + i] = pattern(30 + i);
	raw_fill(in, 0xc2);
	in[R_RAX] = (uint64_t)WARD_SYS_CALL;
	in[R_RDI] = p.ep;
	in[R_RSI] = ward_msginfo(0x12, 0, 0, 7);
	raw_syscall(in, out);
	uint64_t sent[16];
	raw_fill(sent, 0x5f);
	sent[R_RAX] = (uint64_t)WARD_SYS_REPLY_RECV;
	sent[R_RDX] = p.reply;
	tap_ok(p.got[1][R_RDI] == 0 && p.got[1][R_RSI] == ward_msginfo(0x12, 0, 0, 7) &&
	               p.long_got[0] == pattern(30) && p.long_got[1] == pattern(31) &&
	               p.long_got[2] == pattern(32) && raw_kept(sent, p.got[1]),
	       "the server's next receive (a 7-word Call through the unbadged cap): badge 0, "
	       "MR4-MR6 in its IPC buffer; its rax, rbx, rdx, rbp, r12-r14 kept (rax %llx)",
	       (unsigned long long)p.got[1][R_RAX]);
	tap_ok(out[R_RDI] == 0 && out[R_RSI] == ward_msginfo(0x99, 0, 0, 6) &&
	               b->msg[4] == pattern(40) && b->msg[5] == pattern(41) && raw_kept(in, out),
	       "its 6-word ReplyRecv answer: MR4 and MR5 in the caller's IPC buffer");
	raw_fill(in, 0xc3);
	in[R_RAX] = (uint64_t)WARD_SYS_CALL;
	in[R_RDI] = p.ep;
	in[R_RSI] = ward_msginfo(0x13, 0, 0, 1);
	raw_syscall(in, out);
	tap_ok(p.third_info == ward_msginfo(0x13, 0, 0, 1) && p.third[0] == in[R_R10] &&
	               p.third[1] == 2 && p.third[2] == 3 && p.third[3] == 4,
	       "a 1-word Call: MR0 arrives, the server's registers for MR1-MR3 keep its own "
	       "values");
	tap_ok(out[R_RSI] == ward_msginfo(0x55, 0, 0, 0) && out[R_R10] == in[R_R10] &&
	               out[R_R8] == in[R_R8] && out[R_R9] == in[R_R9] && out[R_R15] == in[R_R15] &&
	               raw_kept(in, out),
	       "its answer with no MR: the caller's registers for MR0-MR3 keep their values");
	uint64_t mr[4] = {0};
	ward_msginfo_t info = ward_call(p.ep, ward_msginfo(0x14, 0, 0, 0), mr);
	wt_thread_join(&t);
	tap_ok(t.finished && ward_msginfo_label(info) == 0,
	       "the server answered the last Call and ended");
}

/* A server with no IPC buffer: records the first request, answers it with 6 MRs. */
struct unbuffered {
	uint64_t ep, reply;
	volatile uint64_t length[2];
	uint64_t mr[4];
};

static void unbuffered_server(struct wt_thread *self)
{
	struct unbuffered *u = self->arg;
	uint64_t mr[4], badge;
	ward_msginfo_t info = ward_recv(u->ep, u->reply, &badge, mr);

	u->length[0] = ward_msginfo_length(info);
	memcpy(u->mr, mr, sizeof(mr));
	info = ward_reply_recv(u->ep, u->reply, ward_msginfo(0x61, 0, 0, 6), &badge, mr);
	u->length[1] = ward_msginfo_length(info);
	ward_reply(u->reply, ward_msginfo(0, 0, 0, 0), mr);
}

/*
 * Long messages where one side has no IPC buffer: cut to the 4 register
 * MRs (the fast path leaves them to the general path, which cuts them).
 */
static void test_long_message_without_buffer(void)
{
	static struct wt_thread t;
	static struct unbuffered u;
	struct ward_ipc_buffer *b = ward_ipc_buffer();
	uint64_t mr[4];
	bool ok;

	u.ep = wt_obj(WARD_OBJ_ENDPOINT, 0);
	u.reply = wt_obj(WARD_OBJ_REPLY, 0);
	require(wt_thread_new(&t, "unbuffered", unbuffered_server, &u, 100) &&
	        ward_tcb_configure(t.tcb, CNODE, WARD_CAP_INIT_VSPACE, 0, 0) == WARD_OK &&
	        wt_thread_start(&t) == WARD_OK);
	wt_settle();
	for (unsigned i = 0; i < 4; i++)
		mr[i] = pattern(50 + i);
	b->msg[4] = pattern(54);
	b->msg[5] = pattern(55);
	ward_msginfo_t info = ward_call(u.ep, ward_msginfo(0x60, 0, 0, 6), mr);
	ok = u.length[0] == 4;
	for (unsigned i = 0; i < 4; i++)
		ok = ok && u.mr[i] == pattern(50 + i);
	tap_ok(ok, "a 6-word Call to a server without an IPC buffer arrives as its 4 register MRs");
	tap_ok(ward_msginfo_label(info) == 0x61 && ward_msginfo_length(info) == 4 &&
	               b->msg[4] == pattern(54),
	       "its 6-word answer, from no IPC buffer, arrives as 4 and leaves MR4 alone");
	info = ward_call(u.ep, ward_msginfo(0x62, 0, 0, 0), mr);
	wt_thread_join(&t);
	tap_ok(t.finished && u.length[1] == 0, "the server answered the last Call and ended");
}

int main(void)
{
	wt_init();
	tap_plan(85);
	test_call_reply();
	test_send_recv();
	test_cap_transfer();
	test_reply_objects();
	test_shared_reply_object();
	test_caller_deleted();
	test_deletion_wakes();
	test_ipc_errors();
	test_notifications();
	test_bound_notification();
	test_pending_bound_signal();
	test_fast_path_registers();
	test_long_message_without_buffer();
	{
		uint64_t mr[4] = {0};
		ward_msginfo_t info = ward_call(sv.ep, ward_msginfo(OP_STOP, 0, 0, 0), mr);
		wt_thread_join(&server_thread);
		tap_ok(ward_msginfo_label(info) == OP_STOP && server_thread.finished,
		       "the echo server answered its last Call and ended");
	}
	return tap_exit_status();
}

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A libs/ipc server under attack, run as the root task. A server thread
 * serves the demo protocol (libs/ipc/protocols/demo.protocol) with
 * ward_server_run; the root, its client, sends it malformed requests
 * (unknown labels, short messages, a missing capability, caps of the wrong
 * kind, caps through an endpoint cap without GRANT, an unwrapped cap, an
 * array count past the message, a length field past the maximum, garbage
 * by Send that nobody answers), checks each got its specific error, and
 * that the server still serves well-formed requests afterwards, keeps its
 * receive slot empty, and reports bound-notification signals as events,
 * not requests. The server runs below the root's priority, on the same
 * CPU: it runs exactly when the root waits.
 */
#include <stdint.h>
#include <ward/server.h>
#include "demo_server.h"
#include "lib/wcheck.h"

#define CNODE           WARD_CAP_INIT_CNODE
#define SERVER_PRIORITY 100
#define CLIENT_RIGHTS   (WARD_RIGHT_WRITE | WARD_RIGHT_GRANT | WARD_RIGHT_GRANT_REPLY)
#define ANY             (~0ULL) /* expect_reject: do not check this detail */

/* The server's state; handlers find it through rq->ctx. */
static struct demo {
	struct ward_server server;
	uint64_t stored; /* where SUBSCRIBE keeps the notification */
	int subscribed;
	uint64_t pokes, last_bits;
	volatile uint64_t result; /* what ward_server_run returned */
} demo;

enum ward_error demo_serve_add(struct ward_request *rq, uint64_t a, uint64_t b, uint64_t *sum)
{
	if (a + b < a)
		return ward_fail(rq, WARD_ERR_RANGE, 1, 0, UINT64_MAX - a);
	*sum = a + b;
	return WARD_OK;
}

enum ward_error demo_serve_sum(struct ward_request *rq, uint64_t count, const uint64_t *values,
                               uint64_t *total)
{
	(void)rq;
	*total = 0;
	for (uint64_t i = 0; i < count; i++)
		*total += values[i];
	return WARD_OK;
}

/* Takes the cap out of the receive slot; the loop would delete it otherwise. */
enum ward_error demo_serve_subscribe(struct ward_request *rq, uint64_t notification)
{
	struct demo *d = rq->ctx;

	ward_cnode_delete(CNODE, d->stored, 64);
	d->subscribed = 0;
	if (ward_cnode_move(CNODE, d->stored, 64, CNODE, notification, 64) != WARD_OK)
		return WARD_ERR_INVALID_CAPABILITY;
	d->subscribed = 1;
	return WARD_OK;
}

enum ward_error demo_serve_poke(struct ward_request *rq, uint64_t *pokes)
{
	struct demo *d = rq->ctx;

	if (!d->subscribed)
		return DEMO_ERR_NOT_SUBSCRIBED;
	ward_signal(d->stored);
	*pokes = ++d->pokes;
	return WARD_OK;
}

enum ward_error demo_serve_status(struct ward_request *rq, uint64_t *badge, uint64_t *events,
                                  uint64_t *last_bits)
{
	struct demo *d = rq->ctx;

	*badge = rq->badge;
	*events = d->server.events;
	*last_bits = d->last_bits;
	return WARD_OK;
}

enum ward_error demo_serve_join(struct ward_request *rq, uint64_t peer, uint64_t *peer_out)
{
	(void)rq;
	*peer_out = peer;
	return WARD_OK;
}

static void on_event(struct ward_server *s, uint64_t bits)
{
	((struct demo *)s->ctx)->last_bits = bits;
}

static void server_main(struct wt_thread *self)
{
	struct demo *d = self->arg;

	d->result = ward_server_run(&d->server);
}

/* Caps the test uses: the server's, the clients', and things to send. */
static struct {
	uint64_t ep, ntfn, recv_slot;
	uint64_t client, client2, nogrant; /* badged endpoint caps */
	uint64_t event, event2;            /* badged caps to the bound notification */
	uint64_t mine, mine_badged;        /* the root's notification, and one to hand over */
	uint64_t other_ep, frame;          /* caps of the wrong kind */
	uint64_t empty;                    /* an empty slot */
} c;

static struct wt_thread server_thread;
static unsigned rejections; /* malformed requests sent, each must count as rejected */

/* ok if `got` is `want` and the error detail names arg (and lo, hi unless ANY). */
static void expect_reject(uint64_t got, uint64_t want, uint64_t arg, uint64_t lo, uint64_t hi,
                          const char *what)
{
	struct ward_error_detail d = ward_last_error();
	bool ok = got == want && d.arg == arg && (lo == ANY || d.lo == lo) &&
	          (hi == ANY || d.hi == hi);

	rejections++;
	if (!ok)
		tap_diag("got %#llx (detail %#llx %#llx %#llx), expected %#llx (%#llx %#llx %#llx)",
		         (unsigned long long)got, (unsigned long long)d.arg,
		         (unsigned long long)d.lo, (unsigned long long)d.hi,
		         (unsigned long long)want, (unsigned long long)arg, (unsigned long long)lo,
		         (unsigned long long)hi);
	tap_ok(ok, "%s", what);
}

/* A request as raw as a hostile client would make it; returns the reply's label. */
static uint64_t raw(uint64_t cap, uint64_t label, unsigned n, const uint64_t *args, unsigned n_caps,
                    const uint64_t *caps)
{
	return ward_invoke(cap, label, n, args, n_caps, caps, 0, NULL);
}

static bool recv_slot_empty(void)
{
	return ward_debug_cap_type(c.recv_slot) == WARD_OBJ_NULL;
}

static bool setup(void)
{
	wt_init();
	c.ep = wt_obj(WARD_OBJ_ENDPOINT, 0);
	c.ntfn = wt_obj(WARD_OBJ_NOTIFICATION, 0);
	c.mine = wt_obj(WARD_OBJ_NOTIFICATION, 0);
	c.other_ep = wt_obj(WARD_OBJ_ENDPOINT, 0);
	c.frame = wt_obj(WARD_OBJ_FRAME, 0);
	c.recv_slot = wt_slot();
	c.empty = wt_slot();
	c.client = wt_mint(c.ep, CLIENT_RIGHTS, 0x11);
	c.client2 = wt_mint(c.ep, CLIENT_RIGHTS, 0x22);
	c.nogrant = wt_mint(c.ep, WARD_RIGHT_WRITE | WARD_RIGHT_GRANT_REPLY, 0x33);
	c.event = wt_mint(c.ntfn, WARD_RIGHT_WRITE, ward_server_event_badge(0x5));
	c.event2 = wt_mint(c.ntfn, WARD_RIGHT_WRITE, ward_server_event_badge(0x8));
	c.mine_badged = wt_mint(c.mine, WARD_RIGHT_WRITE, 0x77);
	demo.stored = wt_slot();
	demo.server = (struct ward_server){
	        .protocol = &demo_protocol,
	        .endpoint = c.ep,
	        .reply = wt_obj(WARD_OBJ_REPLY, 0),
	        .cspace = CNODE,
	        .recv_slot = c.recv_slot,
	        .on_event = on_event,
	        .ctx = &demo,
	};
	if (c.ep == 0 || c.ntfn == 0 || c.mine == 0 || c.other_ep == 0 || c.frame == 0 ||
	    c.client == 0 || c.client2 == 0 || c.nogrant == 0 || c.event == 0 || c.event2 == 0 ||
	    c.mine_badged == 0 || demo.server.reply == 0)
		return false;
	if (!wt_thread_new(&server_thread, "demo-server", server_main, &demo, SERVER_PRIORITY))
		return false;
	return ward_tcb_bind_notification(server_thread.tcb, c.ntfn) == WARD_OK &&
	       wt_thread_start(&server_thread) == WARD_OK;
}

static void test_well_formed(void)
{
	uint64_t sum = 0, total = 0, values[100], pokes;

	tap_ok(demo_add(c.client, 2, 3, &sum) == WARD_OK && sum == 5, "ADD 2 + 3 answers 5");
	for (unsigned i = 0; i < 100; i++)
		values[i] = i + 1;
	tap_ok(demo_sum(c.client, 100, values, &total) == WARD_OK && total == 5050,
	       "SUM of 1..100 (a message through the IPC buffer) answers 5050");
	expect_reject(demo_poke(c.client, &pokes), DEMO_ERR_NOT_SUBSCRIBED, 0, 0, 0,
	              "POKE before SUBSCRIBE: the protocol's own DEMO_ERR_NOT_SUBSCRIBED");
	expect_reject(demo_add(c.client, UINT64_MAX - 1, 2, &sum), WARD_ERR_RANGE, 1, 0, 1,
	              "ADD that overflows: WARD_ERR_RANGE naming b, at most 1");
}

static void test_bad_labels_and_lengths(void)
{
	const uint64_t args[2] = {1, 1};
	const uint64_t huge[3] = {1000, 1, 2}, short_by_three[3] = {5, 1, 2};

	expect_reject(raw(c.client, 99, 2, args, 0, NULL), WARD_ERR_ILLEGAL_OPERATION,
	              WARD_ARG_LABEL, 1, DEMO_JOIN, "unknown label 99: WARD_ERR_ILLEGAL_OPERATION");
	expect_reject(raw(c.client, 0, 0, NULL, 0, NULL), WARD_ERR_ILLEGAL_OPERATION,
	              WARD_ARG_LABEL, 1, DEMO_JOIN,
	              "label 0 (what a signal looks like): WARD_ERR_ILLEGAL_OPERATION");
	expect_reject(raw(c.client, DEMO_ADD, 1, args, 0, NULL), WARD_ERR_TRUNCATED_MESSAGE,
	              WARD_ARG_LENGTH, 2, WARD_MSG_MAX_LENGTH,
	              "ADD with one MR: WARD_ERR_TRUNCATED_MESSAGE, two needed");
	expect_reject(raw(c.client, DEMO_SUM, 0, NULL, 0, NULL), WARD_ERR_TRUNCATED_MESSAGE,
	              WARD_ARG_LENGTH, 1, ANY, "SUM with no MRs: WARD_ERR_TRUNCATED_MESSAGE");
	expect_reject(raw(c.client, DEMO_SUM, 3, huge, 0, NULL), WARD_ERR_RANGE, 0, 0,
	              WARD_MSG_MAX_LENGTH - 1,
	              "SUM whose count (1000) no message can carry: WARD_ERR_RANGE naming MR0");
	expect_reject(
	        raw(c.client, DEMO_SUM, 3, short_by_three, 0, NULL), WARD_ERR_TRUNCATED_MESSAGE,
	        WARD_ARG_LENGTH, 6, ANY,
	        "SUM whose count (5) exceeds the values sent (2): WARD_ERR_TRUNCATED_MESSAGE");
}

/* A length field of 127, past WARD_MSG_MAX_LENGTH: the kernel clamps it; the request decodes. */
static void test_length_field_past_maximum(void)
{
	uint64_t mr[4] = {40, 2, 0, 0};
	ward_msginfo_t info = ward_call(c.client, ward_msginfo(DEMO_ADD, 0, 0, 0x7f), mr);

	tap_ok(ward_msginfo_label(info) == WARD_OK && mr[0] == 42,
	       "ADD with length field 127 arrives clamped to 120 and is served (42)");
}

static void test_bad_caps(void)
{
	const uint64_t args[2] = {1, 2};
	uint64_t caps[1];

	expect_reject(raw(c.client, DEMO_SUBSCRIBE, 0, NULL, 0, NULL), WARD_ERR_INVALID_CAPABILITY,
	              WARD_ARG_EXTRA_CAP0, WARD_OBJ_NOTIFICATION, WARD_OBJ_NULL,
	              "SUBSCRIBE without a cap: WARD_ERR_INVALID_CAPABILITY");
	caps[0] = c.other_ep;
	expect_reject(
	        raw(c.client, DEMO_SUBSCRIBE, 0, NULL, 1, caps), WARD_ERR_INVALID_CAPABILITY,
	        WARD_ARG_EXTRA_CAP0, WARD_OBJ_NOTIFICATION, WARD_OBJ_ENDPOINT,
	        "SUBSCRIBE with an endpoint cap: WARD_ERR_INVALID_CAPABILITY naming its type");
	tap_ok(recv_slot_empty(), "the wrongly typed cap did not stay in the receive slot");
	caps[0] = c.frame;
	expect_reject(raw(c.client, DEMO_SUBSCRIBE, 0, NULL, 1, caps), WARD_ERR_INVALID_CAPABILITY,
	              WARD_ARG_EXTRA_CAP0, WARD_OBJ_NOTIFICATION, WARD_OBJ_FRAME,
	              "SUBSCRIBE with a frame cap: WARD_ERR_INVALID_CAPABILITY naming its type");
	caps[0] = c.mine_badged;
	expect_reject(raw(c.nogrant, DEMO_SUBSCRIBE, 0, NULL, 1, caps), WARD_ERR_INVALID_CAPABILITY,
	              WARD_ARG_EXTRA_CAP0, WARD_OBJ_NOTIFICATION, WARD_OBJ_NULL,
	              "SUBSCRIBE through an endpoint cap without GRANT: the cap never arrives");
	caps[0] = c.client;
	expect_reject(raw(c.client, DEMO_SUBSCRIBE, 0, NULL, 1, caps), WARD_ERR_INVALID_CAPABILITY,
	              WARD_ARG_EXTRA_CAP0, ANY, ANY,
	              "SUBSCRIBE with the server's own endpoint (unwrapped): refused");
	caps[0] = c.empty;
	expect_reject(raw(c.client, DEMO_SUBSCRIBE, 0, NULL, 1, caps), WARD_ERR_INVALID_CAPABILITY,
	              WARD_ARG_EXTRA_CAP0, WARD_OBJ_NOTIFICATION, WARD_OBJ_NULL,
	              "SUBSCRIBE naming an empty slot: WARD_ERR_INVALID_CAPABILITY");
	caps[0] = c.mine_badged;
	expect_reject(raw(c.client, DEMO_ADD, 2, args, 1, caps), WARD_ERR_INVALID_CAPABILITY,
	              WARD_ARG_EXTRA_CAP0, WARD_OBJ_NULL, WARD_OBJ_NOTIFICATION,
	              "ADD carrying a cap it does not take: WARD_ERR_INVALID_CAPABILITY");
	tap_ok(recv_slot_empty(), "the unexpected cap did not stay in the receive slot");
}

/* Caps sent with every kind of rejection must not pile up in the server's CSpace. */
static void test_no_cap_leak(void)
{
	const uint64_t args[2] = {1, 2};
	const uint64_t caps[1] = {c.mine_badged};
	uint64_t mr[4] = {0}, sum = 0;
	unsigned wrong = 0;

	for (unsigned i = 0; i < 32; i++)
		wrong += raw(c.client, i % 2 ? 99 : DEMO_ADD, 2, args, 1, caps) == WARD_OK;
	rejections += 32;
	/* A Send: the server answers nobody, and must still clean up and carry on. */
	ward_ipc_buffer()->caps_or_badges[0] = c.mine_badged;
	ward_send(c.client, ward_msginfo(77, 0, 1, 0), mr);
	rejections++;
	/* The server runs below us: this Call waits until it has dealt with the Send. */
	tap_ok(wrong == 0 && demo_add(c.client, 1, 1, &sum) == WARD_OK && sum == 2 &&
	               recv_slot_empty(),
	       "32 rejected requests carrying caps, then a Send: served, the receive slot empty");
}

static void test_subscribe_and_poke(void)
{
	uint64_t pokes = 0, badge = 0;

	tap_ok(demo_subscribe(c.client, c.mine_badged) == WARD_OK,
	       "SUBSCRIBE with a notification cap succeeds");
	tap_ok(ward_debug_cap_type(demo.stored) == WARD_OBJ_NOTIFICATION && recv_slot_empty(),
	       "the handler moved the cap out of the receive slot into its own");
	tap_ok(demo_poke(c.client2, &pokes) == WARD_OK && pokes == 1, "POKE answers 1");
	ward_wait(c.mine, &badge);
	tap_ok(badge == 0x77, "POKE signalled the subscribed notification (badge 0x77)");
}

static void test_events(void)
{
	uint64_t badge = 0, events = 0, bits = 0, requests;

	tap_ok(demo_status(c.client, &badge, &events, &bits) == WARD_OK && badge == 0x11 &&
	               events == 0,
	       "STATUS: the caller's badge is 0x11, no events yet");
	tap_ok(demo_status(c.client2, &badge, &events, &bits) == WARD_OK && badge == 0x22,
	       "STATUS through another client's cap: badge 0x22");
	requests = demo.server.requests;
	ward_signal(c.event);
	tap_ok(demo_status(c.client, &badge, &events, &bits) == WARD_OK && events == 1 &&
	               bits == 0x5 && demo.server.requests == requests + 1,
	       "a signal of the bound notification is an event (bits 0x5), not a request");
	/* The first wakes the server; the second waits pending for its next Recv. */
	ward_signal(c.event);
	ward_signal(c.event2);
	tap_ok(demo_status(c.client, &badge, &events, &bits) == WARD_OK && events == 3 &&
	               bits == 0x8,
	       "two more signals: two more events, the last with bits 0x8");
}

static void test_stop(void)
{
	uint64_t sum = 0, mr[4] = {0};
	ward_msginfo_t info;

	tap_ok(demo_add(c.client, 40, 2, &sum) == WARD_OK && sum == 42,
	       "after all that, a well-formed ADD still answers 42");
	tap_ok(demo.server.rejected == rejections,
	       "the server counted every malformed request as rejected (%u)", rejections);
	info = ward_call(c.ep, ward_msginfo(0, 0, 0, 0), mr);
	wt_thread_join(&server_thread);
	tap_ok(ward_msginfo_label(info) == WARD_OK && demo.result == WARD_OK,
	       "a message through the unbadged cap stops the loop, which returns WARD_OK");
}

int main(void)
{
	tap_plan(33);
	if (!tap_ok(setup(), "the server thread runs ward_server_run with a bound notification"))
		return tap_exit_status();
	test_well_formed();
	test_bad_labels_and_lengths();
	test_length_field_past_maximum();
	test_bad_caps();
	test_no_cap_leak();
	test_subscribe_and_poke();
	test_events();
	test_stop();
	return tap_exit_status();
}

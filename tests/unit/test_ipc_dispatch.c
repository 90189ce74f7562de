/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The IPC dispatcher (libs/ipc/dispatch.c) and the demo protocol's
 * generated decoders (libs/ipc/protocols/demo.protocol), fed synthetic
 * messages: every malformed request gets its specific error reply and
 * never reaches a handler; well-formed ones do. The generated switch
 * (demo_dispatch()) answers every message as the table does.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include "demo_server.h"

#define RECV_SLOT 77
#define BADGE     0x42

/* What the handlers saw. */
static struct {
	unsigned calls;
	uint64_t label, badge, a, b, cap, count;
	uint64_t subscribed;
} seen;

static void saw(struct ward_request *rq);

enum ward_error demo_serve_join(struct ward_request *rq, uint64_t peer, uint64_t *peer_out)
{
	saw(rq);
	*peer_out = peer;
	return WARD_OK;
}

static void saw(struct ward_request *rq)
{
	seen.calls++;
	seen.label = rq->label;
	seen.badge = rq->badge;
}

enum ward_error demo_serve_add(struct ward_request *rq, uint64_t a, uint64_t b, uint64_t *sum)
{
	saw(rq);
	seen.a = a;
	seen.b = b;
	if (a + b < a)
		return ward_fail(rq, WARD_ERR_RANGE, 1, 0, UINT64_MAX - a);
	*sum = a + b;
	return WARD_OK;
}

enum ward_error demo_serve_sum(struct ward_request *rq, uint64_t count, const uint64_t *values,
                               uint64_t *total)
{
	saw(rq);
	seen.count = count;
	*total = 0;
	for (uint64_t i = 0; i < count; i++)
		*total += values[i];
	return WARD_OK;
}

enum ward_error demo_serve_subscribe(struct ward_request *rq, uint64_t notification)
{
	saw(rq);
	seen.cap = notification;
	seen.subscribed = 1;
	return WARD_OK;
}

enum ward_error demo_serve_poke(struct ward_request *rq, uint64_t *pokes)
{
	saw(rq);
	if (!seen.subscribed)
		return DEMO_ERR_NOT_SUBSCRIBED;
	*pokes = 1;
	return WARD_OK;
}

enum ward_error demo_serve_status(struct ward_request *rq, uint64_t *badge, uint64_t *events,
                                  uint64_t *last_bits)
{
	saw(rq);
	*badge = rq->badge;
	*events = 0;
	*last_bits = 0;
	return WARD_OK;
}

static struct ward_request rq;
static struct ward_reply rp;
static uint64_t mr[WARD_MSG_MAX_LENGTH];

static int reset(void **state)
{
	(void)state;
	memset(&seen, 0, sizeof(seen));
	memset(&rp, 0xa5, sizeof(rp)); /* stale garbage must never leak into a reply */
	memset(mr, 0, sizeof(mr));
	return 0;
}

/* Builds the request a server would see from `regs` and dispatches it. */
static bool via_switch; /* through demo_dispatch(), not ward_dispatch() and the table */

static uint64_t send_from(const uint64_t *regs, uint64_t label, unsigned length, unsigned caps,
                          unsigned unwrapped, unsigned cap_type)
{
	ward_request_init(&rq, BADGE, ward_msginfo(label, unwrapped, caps, length), regs, RECV_SLOT,
	                  &rp);
	if (rq.cap != 0)
		rq.cap_type = cap_type; /* as the server loop would look it up */
	rq.cap_badge = (unwrapped & 1U) && caps > 0 ? 0x5eed : 0; /* as ward_request_caps() */
	return via_switch ? demo_dispatch(&rq) : ward_dispatch(&demo_protocol, &rq);
}

static uint64_t send(uint64_t label, unsigned length, unsigned caps, unsigned unwrapped,
                     unsigned cap_type)
{
	return send_from(mr, label, length, caps, unwrapped, cap_type);
}

static void assert_error(uint64_t label, uint64_t err, uint64_t arg)
{
	assert_int_equal(label, err);
	assert_int_equal(rp.label, err);
	assert_int_equal(rp.length, 3);
	assert_int_equal(rp.mr[0], arg);
	assert_int_equal(seen.calls, 0);
}

static void request_init_finds_the_received_cap(void **state)
{
	(void)state;
	/* No cap, one copied cap, one unwrapped, one unwrapped then one copied. */
	ward_request_init(&rq, 1, ward_msginfo(5, 0, 0, 2), mr, RECV_SLOT, &rp);
	assert_int_equal(rq.cap, 0);
	assert_int_equal(rq.label, 5);
	assert_int_equal(rq.length, 2);
	ward_request_init(&rq, 1, ward_msginfo(5, 0, 1, 0), mr, RECV_SLOT, &rp);
	assert_int_equal(rq.cap, RECV_SLOT);
	ward_request_init(&rq, 1, ward_msginfo(5, 1, 1, 0), mr, RECV_SLOT, &rp);
	assert_int_equal(rq.cap, 0);
	assert_int_equal(rq.unwrapped, 1);
	ward_request_init(&rq, 1, ward_msginfo(5, 1, 2, 0), mr, RECV_SLOT, &rp);
	assert_int_equal(rq.cap, RECV_SLOT);
	/* Unwrapped bits beyond the delivered count mean nothing. */
	ward_request_init(&rq, 1, ward_msginfo(5, 6, 1, 0), mr, RECV_SLOT, &rp);
	assert_int_equal(rq.unwrapped, 0);
	assert_int_equal(rq.cap, RECV_SLOT);
	/* A length field past the maximum is clamped, as the kernel does. */
	ward_request_init(&rq, 1, ward_msginfo(5, 0, 0, 127), mr, RECV_SLOT, &rp);
	assert_int_equal(rq.length, WARD_MSG_MAX_LENGTH);
	assert_int_equal(rp.length, 0);
}

static void received_cap_type_comes_from_the_kernel_report(void **state)
{
	(void)state;
	/* caps_or_badges as the kernel leaves it: a badge, then the copied cap's type. */
	const uint64_t report[WARD_MSG_MAX_EXTRA_CAPS] = {0x22, WARD_OBJ_NOTIFICATION, 0};

	ward_request_init(&rq, 1, ward_msginfo(5, 1, 2, 0), mr, RECV_SLOT, &rp);
	assert_int_equal(ward_received_cap_type(&rq, report), WARD_OBJ_NOTIFICATION);
	/* Only an unwrapped cap: nothing in the receive slot. */
	ward_request_init(&rq, 1, ward_msginfo(5, 1, 1, 0), mr, RECV_SLOT, &rp);
	assert_int_equal(ward_received_cap_type(&rq, report), WARD_OBJ_NULL);
	/* No caps at all. */
	ward_request_init(&rq, 1, ward_msginfo(5, 0, 0, 0), mr, RECV_SLOT, &rp);
	assert_int_equal(ward_received_cap_type(&rq, report), WARD_OBJ_NULL);
}

/* `cap x:badge`: extra cap 0 must be unwrapped (a cap of this endpoint), and alone. */
static void badge_caps_must_be_unwrapped(void **state)
{
	const uint64_t report[WARD_MSG_MAX_EXTRA_CAPS] = {0x5eed, 0, 0};

	(void)state;
	assert_int_equal(send(DEMO_JOIN, 0, 1, 1, WARD_OBJ_NULL), WARD_OK);
	assert_int_equal(rp.mr[0], 0x5eed);
	assert_int_equal(seen.calls, 1);
	seen.calls = 0;
	assert_error(send(DEMO_JOIN, 0, 0, 0, WARD_OBJ_NULL), WARD_ERR_INVALID_CAPABILITY,
	             WARD_ARG_EXTRA_CAP0);
	/* A copied cap (an endpoint of another server, say) is not a badge of this one. */
	assert_error(send(DEMO_JOIN, 0, 1, 0, WARD_OBJ_ENDPOINT), WARD_ERR_INVALID_CAPABILITY,
	             WARD_ARG_EXTRA_CAP0);
	assert_error(send(DEMO_JOIN, 0, 2, 3, WARD_OBJ_NULL), WARD_ERR_INVALID_CAPABILITY,
	             WARD_ARG_EXTRA_CAP0);
	/* The loop's helper takes the badge from where the kernel wrote it. */
	ward_request_init(&rq, 1, ward_msginfo(DEMO_JOIN, 1, 1, 0), mr, RECV_SLOT, &rp);
	ward_request_caps(&rq, report);
	assert_int_equal(rq.cap_badge, 0x5eed);
	assert_int_equal(rq.cap, 0);
}

static void unknown_labels_are_illegal_operations(void **state)
{
	const uint64_t labels[] = {0, 6, 99, 1ULL << 51};

	(void)state;
	for (unsigned i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
		assert_error(send(labels[i], 2, 0, 0, 0), WARD_ERR_ILLEGAL_OPERATION,
		             WARD_ARG_LABEL);
		assert_int_equal(rp.mr[1], 1);
		assert_int_equal(rp.mr[2], DEMO_JOIN);
	}
}

static void short_requests_are_truncated(void **state)
{
	(void)state;
	for (unsigned len = 0; len < 2; len++) {
		assert_error(send(DEMO_ADD, len, 0, 0, 0), WARD_ERR_TRUNCATED_MESSAGE,
		             WARD_ARG_LENGTH);
		assert_int_equal(rp.mr[1], 2);
		assert_int_equal(rp.mr[2], WARD_MSG_MAX_LENGTH);
	}
	assert_error(send(DEMO_SUM, 0, 0, 0, 0), WARD_ERR_TRUNCATED_MESSAGE, WARD_ARG_LENGTH);
}

static void missing_cap_is_invalid(void **state)
{
	(void)state;
	assert_error(send(DEMO_SUBSCRIBE, 0, 0, 0, 0), WARD_ERR_INVALID_CAPABILITY,
	             WARD_ARG_EXTRA_CAP0);
	assert_int_equal(rp.mr[1], WARD_OBJ_NOTIFICATION);
	assert_int_equal(rp.mr[2], WARD_OBJ_NULL);
}

static void wrong_cap_type_is_invalid(void **state)
{
	(void)state;
	assert_error(send(DEMO_SUBSCRIBE, 0, 1, 0, WARD_OBJ_ENDPOINT), WARD_ERR_INVALID_CAPABILITY,
	             WARD_ARG_EXTRA_CAP0);
	assert_int_equal(rp.mr[1], WARD_OBJ_NOTIFICATION);
	assert_int_equal(rp.mr[2], WARD_OBJ_ENDPOINT);
	/* The slot turned out empty after all (the loop found no type). */
	reset(NULL);
	assert_error(send(DEMO_SUBSCRIBE, 0, 1, 0, WARD_OBJ_NULL), WARD_ERR_INVALID_CAPABILITY,
	             WARD_ARG_EXTRA_CAP0);
}

static void unwrapped_cap_is_invalid(void **state)
{
	(void)state;
	/* The client sent the server's own endpoint: it arrives as a badge, not a notification. */
	assert_error(send(DEMO_SUBSCRIBE, 0, 1, 1, 0), WARD_ERR_INVALID_CAPABILITY,
	             WARD_ARG_EXTRA_CAP0);
	reset(NULL);
	assert_error(send(DEMO_SUBSCRIBE, 0, 2, 2, WARD_OBJ_NOTIFICATION),
	             WARD_ERR_INVALID_CAPABILITY, WARD_ARG_EXTRA_CAP0 + 1);
}

static void unexpected_caps_are_invalid(void **state)
{
	(void)state;
	mr[0] = 1;
	mr[1] = 2;
	assert_error(send(DEMO_ADD, 2, 1, 0, WARD_OBJ_FRAME), WARD_ERR_INVALID_CAPABILITY,
	             WARD_ARG_EXTRA_CAP0);
	assert_int_equal(rp.mr[2], WARD_OBJ_FRAME);
	reset(NULL);
	assert_error(send(DEMO_SUBSCRIBE, 0, 2, 0, WARD_OBJ_NOTIFICATION),
	             WARD_ERR_INVALID_CAPABILITY, WARD_ARG_EXTRA_CAP0 + 1);
}

static void array_counts_are_checked(void **state)
{
	(void)state;
	mr[0] = 1000; /* a count no message can carry */
	assert_error(send(DEMO_SUM, 3, 0, 0, 0), WARD_ERR_RANGE, 0);
	assert_int_equal(rp.mr[2], WARD_MSG_MAX_LENGTH - 1);
	reset(NULL);
	mr[0] = ~0ULL; /* would wrap 1 + count */
	assert_error(send(DEMO_SUM, 3, 0, 0, 0), WARD_ERR_RANGE, 0);
	reset(NULL);
	mr[0] = 5; /* more than were sent */
	assert_error(send(DEMO_SUM, 3, 0, 0, 0), WARD_ERR_TRUNCATED_MESSAGE, WARD_ARG_LENGTH);
	assert_int_equal(rp.mr[1], 6);
}

static void well_formed_requests_reach_their_handlers(void **state)
{
	(void)state;
	mr[0] = 2;
	mr[1] = 3;
	assert_int_equal(send(DEMO_ADD, 2, 0, 0, 0), WARD_OK);
	assert_int_equal(seen.calls, 1);
	assert_int_equal(seen.badge, BADGE);
	assert_int_equal(rp.length, 1);
	assert_int_equal(rp.mr[0], 5);

	/* Longer than needed is fine: later versions may add arguments. */
	assert_int_equal(send(DEMO_ADD, 7, 0, 0, 0), WARD_OK);

	mr[0] = WARD_MSG_MAX_LENGTH - 1;
	for (unsigned i = 1; i < WARD_MSG_MAX_LENGTH; i++)
		mr[i] = i;
	assert_int_equal(send(DEMO_SUM, WARD_MSG_MAX_LENGTH, 0, 0, 0), WARD_OK);
	assert_int_equal(rp.mr[0], (WARD_MSG_MAX_LENGTH - 1) * WARD_MSG_MAX_LENGTH / 2);

	assert_int_equal(send(DEMO_SUBSCRIBE, 0, 1, 0, WARD_OBJ_NOTIFICATION), WARD_OK);
	assert_int_equal(seen.cap, RECV_SLOT);
	assert_int_equal(rp.length, 0);

	assert_int_equal(send(DEMO_STATUS, 0, 0, 0, 0), WARD_OK);
	assert_int_equal(rp.length, 3);
	assert_int_equal(rp.mr[0], BADGE);
}

static void handler_errors_reach_the_reply(void **state)
{
	(void)state;
	mr[0] = UINT64_MAX;
	mr[1] = 2;
	assert_int_equal(send(DEMO_ADD, 2, 0, 0, 0), WARD_ERR_RANGE);
	assert_int_equal(rp.length, 3);
	assert_int_equal(rp.mr[0], 1);
	assert_int_equal(rp.mr[2], 0);
	assert_int_equal(send(DEMO_POKE, 0, 0, 0, 0), DEMO_ERR_NOT_SUBSCRIBED);
	assert_int_equal(rp.length, 0); /* no detail given: none sent */
}

/*
 * Whatever arrives, the reply is well formed and a handler runs only for a
 * valid request. Each message lives in an allocation of exactly its
 * length, so that AddressSanitizer catches a decoder reading past it.
 */
static void random_messages_never_reach_a_handler_unchecked(void **state)
{
	static const unsigned types[] = {WARD_OBJ_NULL, WARD_OBJ_NOTIFICATION, WARD_OBJ_ENDPOINT,
	                                 WARD_OBJ_FRAME};

	(void)state;
	srand(1);
	for (unsigned n = 0; n < 100000; n++) {
		uint64_t label = (unsigned)rand() % 8;
		unsigned length = (unsigned)rand() % 128, caps = (unsigned)rand() % 4;
		unsigned unwrapped = (unsigned)rand() % 8, type = types[rand() % 4];
		unsigned words = length < WARD_MSG_MAX_LENGTH ? length : WARD_MSG_MAX_LENGTH;
		uint64_t *msg = malloc(words * sizeof(uint64_t)); /* 0 bytes: any read is caught */
		for (unsigned i = 0; i < words; i++)
			msg[i] = (rand() & 1) ? (uint64_t)rand() % 200 : (uint64_t)rand() << 33;
		seen.calls = 0;
		uint64_t result = send_from(msg, label, length, caps, unwrapped, type);
		free(msg);
		assert_true(rp.length <= WARD_MSG_MAX_LENGTH);
		if (seen.calls == 0) {
			assert_true(result != WARD_OK);
			continue;
		}
		const struct ward_op *op = &demo_ops[label - 1];
		assert_true((label >= 1 && label <= 5) || label == DEMO_JOIN);
		assert_true(rq.length >= op->min_length);
		if (op->cap_type == WARD_CAP_UNWRAPPED)
			assert_true(caps == 1 && rq.unwrapped == 1 && rq.cap == 0);
		else
			assert_int_equal(rq.unwrapped, 0);
		if (op->cap_type == WARD_CAP_UNWRAPPED)
			continue;
		if (op->cap_type != WARD_OBJ_NULL)
			assert_true(caps == 1 && rq.cap == RECV_SLOT && type == op->cap_type);
		else
			assert_int_equal(caps, 0);
	}
}

/* The generated switch gives every message the table's answer, and calls the same handlers. */
static void the_switch_answers_as_the_table(void **state)
{
	static const unsigned types[] = {WARD_OBJ_NULL, WARD_OBJ_NOTIFICATION, WARD_OBJ_ENDPOINT,
	                                 WARD_OBJ_FRAME};

	(void)state;
	srand(2);
	for (unsigned n = 0; n < 100000; n++) {
		uint64_t label = (unsigned)rand() % 9, results[2];
		unsigned length = (unsigned)rand() % 128, caps = (unsigned)rand() % 4;
		unsigned unwrapped = (unsigned)rand() % 8, type = types[rand() % 4];
		struct ward_reply replies[2];
		unsigned calls[2];

		for (unsigned i = 0; i < WARD_MSG_MAX_LENGTH; i++)
			mr[i] = (rand() & 1) ? (uint64_t)rand() % 200 : (uint64_t)rand() << 33;
		for (unsigned way = 0; way < 2; way++) {
			via_switch = way == 1;
			seen.calls = 0;
			memset(&rp, 0xa5, sizeof(rp));
			results[way] = send(label, length, caps, unwrapped, type);
			replies[way] = rp;
			calls[way] = seen.calls;
		}
		via_switch = false;
		assert_int_equal(results[1], results[0]);
		assert_int_equal(calls[1], calls[0]);
		assert_int_equal(replies[1].label, replies[0].label);
		assert_int_equal(replies[1].length, replies[0].length);
		assert_memory_equal(replies[1].mr, replies[0].mr,
		                    replies[0].length * sizeof(replies[0].mr[0]));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup(request_init_finds_the_received_cap, reset),
	        cmocka_unit_test_setup(received_cap_type_comes_from_the_kernel_report, reset),
	        cmocka_unit_test_setup(badge_caps_must_be_unwrapped, reset),
	        cmocka_unit_test_setup(unknown_labels_are_illegal_operations, reset),
	        cmocka_unit_test_setup(short_requests_are_truncated, reset),
	        cmocka_unit_test_setup(missing_cap_is_invalid, reset),
	        cmocka_unit_test_setup(wrong_cap_type_is_invalid, reset),
	        cmocka_unit_test_setup(unwrapped_cap_is_invalid, reset),
	        cmocka_unit_test_setup(unexpected_caps_are_invalid, reset),
	        cmocka_unit_test_setup(array_counts_are_checked, reset),
	        cmocka_unit_test_setup(well_formed_requests_reach_their_handlers, reset),
	        cmocka_unit_test_setup(handler_errors_reach_the_reply, reset),
	        cmocka_unit_test_setup(random_messages_never_reach_a_handler_unchecked, reset),
	        cmocka_unit_test_setup(the_switch_answers_as_the_table, reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

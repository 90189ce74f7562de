/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The block protocol's server side (servers/drivers/nvme/block_service.c)
 * on the host, through libs/ipc's dispatcher and the generated decoders:
 * per-client grants (a badge's first request gives it the whole namespace
 * and a window of its own; a badge beyond the windows that fit is
 * DENIED), and every refusal of READ, WRITE, PUT and HASH. The
 * controller is a bare struct nvme_ctrl with no registers and no queues:
 * a request that reached it would crash the test, so each refusal is
 * shown to come before the device. PUT writes the client's window and
 * nothing else; HASH answers block_fnv1a() of the bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <ward/server.h>

#include "block_client.h"
#include "block_server.h"
#include "block_service.h"

#define PAGES  64
#define BLOCKS 1000

static uint8_t data[PAGES * NVME_PAGE];
static struct nvme_ctrl ctrl;
static struct block_service b;
static struct ward_reply out;

/* The loop is not under test; block_serve() is not called. */
uint64_t ward_server_run(struct ward_server *s)
{
	(void)s;
	return 0;
}

static int setup(void **state)
{
	(void)state;
	memset(data, 0, sizeof(data));
	ctrl = (struct nvme_ctrl){.blocks = BLOCKS, .block_size = 512};
	b = (struct block_service){
	        .ctrl = &ctrl, .data = {.va = data, .iova = 0x1000000}, .data_pages = PAGES};
	block_clients(&b, 16, true);
	return 0;
}

/* A request of `label` with `n` MRs through badge `badge`; the reply's label. */
static uint64_t call(uint64_t badge, uint64_t label, unsigned n, const uint64_t *mr)
{
	static uint64_t in[WARD_MSG_MAX_LENGTH];
	struct ward_request rq;

	memcpy(in, mr, n * sizeof(uint64_t));
	ward_request_init(&rq, badge, ward_msginfo(label, 0, 0, n), in, 0, &out);
	rq.ctx = &b;
	return ward_dispatch(&block_protocol, &rq);
}

static void test_per_client_grants(void **state)
{
	uint64_t none[1] = {0};

	(void)state;
	/* Four windows of 16 pages fit in 64: badges (pids) 7, 9, 11, 13. */
	for (uint64_t pid = 7; pid <= 13; pid += 2) {
		assert_int_equal(call(pid, BLOCK_INFO, 0, none), WARD_OK);
		assert_int_equal(out.mr[0], BLOCKS);
		assert_int_equal(out.mr[1], 512);
		assert_int_equal(out.mr[2], 16 * NVME_PAGE / 512);
		assert_int_equal(out.mr[3], 1);
	}
	assert_true(block_window(&b, 7) == data);
	assert_true(block_window(&b, 13) == data + 48 * NVME_PAGE);
	/* A fifth client: no window left. The unbadged cap names no grant. */
	assert_int_equal(call(15, BLOCK_INFO, 0, none), BLOCK_ERR_DENIED);
	assert_int_equal(call(0, BLOCK_INFO, 0, none), BLOCK_ERR_DENIED);
	/* A known badge keeps its grant. */
	assert_int_equal(call(9, BLOCK_INFO, 0, none), WARD_OK);
	assert_true(block_window(&b, 9) == data + 16 * NVME_PAGE);
	assert_null(block_window(&b, 15));
}

static void test_without_per_client_grants(void **state)
{
	uint64_t none[1] = {0};

	(void)state;
	block_clients(&b, 0, true);
	assert_int_equal(block_grant_add(&b, 10, 100, false, 0, 8), 1);
	assert_int_equal(call(1, BLOCK_INFO, 0, none), WARD_OK);
	assert_int_equal(out.mr[0], 100);
	assert_int_equal(out.mr[3], 0);
	assert_int_equal(call(7, BLOCK_INFO, 0, none), BLOCK_ERR_DENIED);
}

static void test_transfer_refusals(void **state)
{
	(void)state;
	/* None of these reaches the controller (it has no registers). */
	assert_int_equal(call(7, BLOCK_READ, 2, (uint64_t[]){0, 0}), WARD_ERR_INVALID_ARGUMENT);
	assert_int_equal(call(7, BLOCK_WRITE, 2, (uint64_t[]){0, 129}), WARD_ERR_INVALID_ARGUMENT);
	assert_int_equal(out.mr[2], 128);
	assert_int_equal(call(7, BLOCK_READ, 2, (uint64_t[]){BLOCKS - 1, 2}), WARD_ERR_RANGE);
	assert_int_equal(out.mr[2], BLOCKS);
	assert_int_equal(call(7, BLOCK_WRITE, 2, (uint64_t[]){BLOCKS, 1}), WARD_ERR_RANGE);
	assert_int_equal(call(7, BLOCK_WRITE, 2, (uint64_t[]){~0ULL, 2}), WARD_ERR_RANGE);
	assert_int_equal(call(7, BLOCK_READ, 1, (uint64_t[]){0}), WARD_ERR_TRUNCATED_MESSAGE);
	assert_int_equal(b.served, 0);
}

static void test_put_and_hash(void **state)
{
	uint64_t mr[2 + 3] = {8, 3, 0x1122334455667788ULL, 2, 3};
	uint8_t want[24] = {0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, 2, 0, 0, 0,
	                    0,    0,    0,    0,    3,    0,    0,    0,    0, 0, 0, 0};
	uint64_t window = 16 * NVME_PAGE;

	(void)state;
	call(7, BLOCK_INFO, 0, mr);
	assert_int_equal(call(9, BLOCK_PUT, 5, mr), WARD_OK); /* badge 9: window 16 pages in */
	assert_memory_equal(data + 16 * NVME_PAGE + 8, want, sizeof(want));
	for (size_t i = 0; i < sizeof(data); i++)
		if (i < 16 * NVME_PAGE + 8 || i >= 16 * NVME_PAGE + 32)
			assert_int_equal(data[i], 0);
	assert_int_equal(call(9, BLOCK_HASH, 2, (uint64_t[]){8, 24}), WARD_OK);
	assert_int_equal(out.mr[0], block_fnv1a(want, sizeof(want)));
	assert_int_equal(call(9, BLOCK_HASH, 2, (uint64_t[]){0, window}), WARD_OK);

	/* Refusals change nothing. */
	memset(data, 0, sizeof(data));
	assert_int_equal(call(9, BLOCK_PUT, 3, (uint64_t[]){4, 1, 9}), WARD_ERR_INVALID_ARGUMENT);
	assert_int_equal(call(9, BLOCK_PUT, 4, (uint64_t[]){window - 8, 2, 9, 9}), WARD_ERR_RANGE);
	assert_int_equal(out.mr[2], window);
	assert_int_equal(call(9, BLOCK_PUT, 3, (uint64_t[]){~0ULL - 7, 1, 9}), WARD_ERR_RANGE);
	assert_int_equal(call(9, BLOCK_PUT, 3, (uint64_t[]){window + 8, 1, 9}), WARD_ERR_RANGE);
	assert_int_equal(call(9, BLOCK_PUT, 3, (uint64_t[]){0, 2, 9}), WARD_ERR_TRUNCATED_MESSAGE);
	for (size_t i = 0; i < sizeof(data); i++)
		assert_int_equal(data[i], 0);
	assert_int_equal(call(9, BLOCK_PUT, 2, (uint64_t[]){window, 0}), WARD_OK); /* nothing */
	assert_int_equal(call(9, BLOCK_HASH, 2, (uint64_t[]){0, 0}), WARD_ERR_RANGE);
	assert_int_equal(call(9, BLOCK_HASH, 2, (uint64_t[]){8, window}), WARD_ERR_RANGE);
	assert_int_equal(call(9, BLOCK_HASH, 2, (uint64_t[]){window + 1, 1}), WARD_ERR_RANGE);
	assert_int_equal(call(9, BLOCK_HASH, 2, (uint64_t[]){1, ~0ULL}), WARD_ERR_RANGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup(test_per_client_grants, setup),
	        cmocka_unit_test_setup(test_without_per_client_grants, setup),
	        cmocka_unit_test_setup(test_transfer_refusals, setup),
	        cmocka_unit_test_setup(test_put_and_hash, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The edu protocol (edu.protocol) served over libs/ipc's loop for one
 * device of the driver library (edu_dev.h): one request at a time, each
 * handled to completion, interrupts and DMA included. Every argument is
 * checked here before the library touches the device, so a refused
 * request changes nothing (the device's counters included); the library
 * answers EDU_ERR_DEVICE_GONE once the device was moved away.
 */
#include <ward/rt.h>
#include <ward/server.h>
#include <ward/startinfo.h>

#include "edu_client.h"
#include "iommu_client.h"
#include "edu_dev.h"
#include "edu_regs.h"
#include "edu_server.h"

#define U32_MAX 0xffffffffULL

enum ward_error edu_serve_info(struct ward_request *rq, uint64_t *sbdf, uint64_t *id,
                               uint64_t *interrupts, uint64_t *transfers)
{
	struct edu_dev *d = rq->ctx;
	uint32_t value;
	enum ward_error err = edu_dev_id(d, &value);

	if (err != WARD_OK)
		return err;
	*sbdf = d->caps.sbdf;
	*id = value;
	*interrupts = d->interrupts;
	*transfers = d->transfers;
	return WARD_OK;
}

enum ward_error edu_serve_liveness(struct ward_request *rq, uint64_t value, uint64_t *inverted)
{
	uint32_t read;
	enum ward_error err;

	if (value > U32_MAX)
		return ward_fail(rq, WARD_ERR_RANGE, 0, 0, U32_MAX);
	if ((err = edu_dev_liveness(rq->ctx, (uint32_t)value, &read)) != WARD_OK)
		return err;
	if (read != (uint32_t)~value)
		return ward_fail(rq, EDU_ERR_NOT_ALIVE, 0, read, (uint32_t)~value);
	*inverted = read;
	return WARD_OK;
}

enum ward_error edu_serve_factorial(struct ward_request *rq, uint64_t n, uint64_t *result,
                                    uint64_t *interrupts)
{
	struct edu_dev *d = rq->ctx;
	uint32_t value;
	enum ward_error err;

	if (n > EDU_FACTORIAL_MAX)
		return ward_fail(rq, WARD_ERR_RANGE, 0, 0, EDU_FACTORIAL_MAX);
	if ((err = edu_dev_factorial(d, (uint32_t)n, &value)) != WARD_OK)
		return err;
	*result = value;
	*interrupts = d->interrupts;
	return WARD_OK;
}

enum ward_error edu_serve_copy(struct ward_request *rq, uint64_t count, const uint64_t *words,
                               uint64_t *copied, uint64_t *hash)
{
	unsigned failed;
	enum ward_error err;

	if (count == 0 || count > EDU_COPY_MAX_WORDS)
		return ward_fail(rq, WARD_ERR_RANGE, 0, 1, EDU_COPY_MAX_WORDS);
	err = edu_dev_copy(rq->ctx, words, (uint32_t)count * 8, hash, &failed);
	if (err == EDU_ERR_DMA_FAILED)
		return ward_fail(rq, err, 0, failed, 0);
	if (err != WARD_OK)
		return err;
	*copied = count;
	return WARD_OK;
}

enum ward_error edu_serve_adopt(struct ward_request *rq, uint64_t sbdf, uint64_t device,
                                uint64_t *id)
{
	struct edu_dev *d = rq->ctx;
	uint64_t owner, owner_pid, group, members, nalias, pf, vfs, generation;
	enum edu_adopt_step step;
	uint32_t value;
	enum ward_error err;

	if (edu_dev_present(d))
		return ward_fail(rq, EDU_ERR_BUSY, 0, d->caps.sbdf, 0);
	err = iommu_query(device, sbdf, &owner, &owner_pid, &group, &members, &nalias, &pf, &vfs,
	                  &generation);
	if (err != WARD_OK)
		return ward_fail(rq, EDU_ERR_NOT_MINE, 0, 0, err);
	if (owner_pid != ward_startinfo->pid)
		return ward_fail(rq, EDU_ERR_NOT_MINE, 0, owner_pid, 0);
	if ((err = edu_dev_adopt(d, device, (uint32_t)sbdf, &step)) != WARD_OK)
		return ward_fail(rq, EDU_ERR_ADOPT_FAILED, 0, step, err);
	rq->cap = 0; /* kept: it is the driver's device cap now */
	if ((err = edu_dev_id(d, &value)) != WARD_OK)
		return err;
	*id = value;
	return WARD_OK;
}

void edu_server_init(struct ward_server *s, struct edu_dev *d, uint64_t endpoint, uint64_t reply,
                     uint64_t recv_slot)
{
	*s = (struct ward_server){
	        .protocol = &edu_protocol,
	        .endpoint = endpoint,
	        .reply = reply,
	        .cspace = WARD_PROC_CAP_CNODE,
	        .recv_slot = recv_slot,
	        .ctx = d,
	};
}

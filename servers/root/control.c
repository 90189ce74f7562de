/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Control of the manifest's programs (root.protocol ops 7-9): what a
 * console monitor needs to show programs and end them. The authority is
 * the badge of the cap a request came through: the manifest's `control`
 * grant is the root endpoint minted with ROOT_BADGE_CONTROL beside the
 * program's pid, and nothing else carries that bit. Killing is the same
 * teardown as a fatal fault (root_proc_ended), so the IOMMU server hears
 * of the death and puts the program's devices back in quarantine.
 */
#include <stdio.h>
#include <string.h>
#include <ward/manifest.h>
#include <ward/startinfo.h>
#include "root_server.h"
#include "root_task.h"

static bool may_control(const struct ward_request *rq)
{
	return (rq->badge & ROOT_BADGE_CONTROL) != 0;
}

static uint64_t program_state(const struct root_proc *rp)
{
	if (rp == NULL)
		return WARD_PROGRAM_NOT_STARTED;
	if (rp->state == ROOT_PROC_RUNNING)
		return WARD_PROGRAM_RUNNING;
	switch (rp->end_reason) {
	case WARD_DEATH_EXIT:
		return WARD_PROGRAM_EXITED;
	case WARD_DEATH_KILLED:
		return WARD_PROGRAM_KILLED;
	default:
		return WARD_PROGRAM_FAULTED;
	}
}

enum ward_error root_serve_program_info(struct ward_request *rq, uint64_t index, uint64_t *pid,
                                        uint64_t *state, uint64_t *cpu, uint64_t *priority,
                                        uint64_t *code, uint64_t *name0, uint64_t *name1,
                                        uint64_t *name2, uint64_t *name3)
{
	const struct root_proc *rp;
	uint64_t name[4] = {0};

	if (!may_control(rq))
		return ROOT_ERR_DENIED;
	if (index >= root_manifest_program_count())
		return WARD_ERR_RANGE;
	rp = root_manifest_program_proc((unsigned)index);
	*pid = rp != NULL ? rp->proc.pid : 0;
	*state = program_state(rp);
	*cpu = rp != NULL ? rp->policy.cpu : 0;
	*priority = rp != NULL ? rp->priority : 0;
	*code = rp != NULL && rp->state != ROOT_PROC_RUNNING ? rp->end_code : 0;
	if (rp != NULL && rp->name != NULL)
		memcpy(name, rp->name, strnlen(rp->name, sizeof(name) - 1));
	*name0 = name[0];
	*name1 = name[1];
	*name2 = name[2];
	*name3 = name[3];
	return WARD_OK;
}

enum ward_error root_serve_kill(struct ward_request *rq, uint64_t index)
{
	struct root_proc *rp;

	if (!may_control(rq))
		return ROOT_ERR_DENIED;
	if (index >= root_manifest_program_count())
		return WARD_ERR_RANGE;
	rp = root_manifest_program_proc((unsigned)index);
	if (rp == NULL || rp->state != ROOT_PROC_RUNNING)
		return ROOT_ERR_NO_PROGRAM;
	printf("%s (pid %u) killed by pid %u\n", rp->proc.name, (unsigned)rp->proc.pid,
	       (unsigned)(rq->badge & ROOT_BADGE_PID));
	root_proc_ended(rp, WARD_DEATH_KILLED, rq->badge & ROOT_BADGE_PID);
	return WARD_OK;
}

enum ward_error root_serve_halt(struct ward_request *rq)
{
	if (!may_control(rq))
		return ROOT_ERR_DENIED;
	printf("halt asked by pid %u\n", (unsigned)(rq->badge & ROOT_BADGE_PID));
	root_task_halt("halt asked for");
}

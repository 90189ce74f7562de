/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The root service (root.protocol): death notifications. The root task
 * remembers the last DEATH_LOG deaths, numbered from 1; each subscriber has
 * a cursor into that log and a notification the root task signals on every
 * death. A subscriber learns who died by asking, so a signal that merges
 * with another loses nothing, and one that falls behind is told how many
 * deaths it missed. A subscriber that dies loses its subscription.
 */
#include <ward/invoke.h>
#include <ward/startinfo.h>
#include <proc/slots.h>
#include "root_server.h"
#include "root_task.h"

#define DEATH_LOG       64
#define MAX_SUBSCRIBERS 8

struct death {
	uint32_t pid;
	uint32_t reason;
	uint64_t code;
};

struct subscriber {
	uint32_t pid;    /* 0: free */
	uint64_t ntfn;   /* root slot of the notification cap it gave */
	uint64_t cursor; /* number of the next death to report */
};

static struct death deaths[DEATH_LOG];
static uint64_t next_death = 1; /* number of the next death to happen */
static struct subscriber subscribers[MAX_SUBSCRIBERS];

static uint64_t oldest_kept(void)
{
	return next_death > DEATH_LOG ? next_death - DEATH_LOG : 1;
}

static struct subscriber *subscriber_of(uint32_t pid)
{
	for (unsigned i = 0; i < MAX_SUBSCRIBERS; i++)
		if (subscribers[i].pid == pid && pid != 0)
			return &subscribers[i];
	return NULL;
}

static void unsubscribe(struct subscriber *s)
{
	ward_cnode_delete(WARD_CAP_INIT_CNODE, s->ntfn, 64);
	proc_slots_free(s->ntfn, 1);
	*s = (struct subscriber){0};
}

void root_death(uint32_t pid, unsigned reason, uint64_t code)
{
	struct subscriber *own = subscriber_of(pid);

	deaths[next_death % DEATH_LOG] = (struct death){pid, reason, code};
	next_death++;
	if (own != NULL)
		unsubscribe(own);
	for (unsigned i = 0; i < MAX_SUBSCRIBERS; i++)
		if (subscribers[i].pid != 0)
			ward_signal(subscribers[i].ntfn);
}

static uint32_t caller_pid(const struct ward_request *rq)
{
	return (uint32_t)(rq->badge & ROOT_BADGE_PID);
}

enum ward_error root_serve_subscribe_deaths(struct ward_request *rq, uint64_t notification)
{
	struct subscriber *s = subscriber_of(caller_pid(rq));
	uint64_t slot;

	for (unsigned i = 0; s == NULL && i < MAX_SUBSCRIBERS; i++)
		if (subscribers[i].pid == 0)
			s = &subscribers[i];
	if (s == NULL)
		return ROOT_ERR_TOO_MANY;
	/* Keep the cap out of the receive slot, which is emptied after every request. */
	if ((slot = proc_slot_alloc()) == 0)
		return WARD_ERR_NOT_ENOUGH_MEMORY;
	if (ward_cnode_move(WARD_CAP_INIT_CNODE, slot, 64, WARD_CAP_INIT_CNODE, notification, 64) !=
	    WARD_OK) {
		proc_slots_free(slot, 1);
		return WARD_ERR_INVALID_CAPABILITY;
	}
	if (s->pid != 0)
		unsubscribe(s);
	*s = (struct subscriber){caller_pid(rq), slot, oldest_kept()};
	if (s->cursor < next_death)
		ward_signal(s->ntfn); /* deaths it has not heard of yet */
	return WARD_OK;
}

enum ward_error root_serve_next_death(struct ward_request *rq, uint64_t *pid, uint64_t *reason,
                                      uint64_t *code, uint64_t *lost)
{
	struct subscriber *s = subscriber_of(caller_pid(rq));

	if (s == NULL)
		return ROOT_ERR_NOT_SUBSCRIBED;
	*lost = 0;
	if (s->cursor < oldest_kept()) {
		*lost = oldest_kept() - s->cursor;
		s->cursor = oldest_kept();
	}
	*pid = *reason = *code = 0;
	if (s->cursor < next_death) {
		const struct death *d = &deaths[s->cursor % DEATH_LOG];
		*pid = d->pid;
		*reason = d->reason;
		*code = d->code;
		s->cursor++;
	}
	return WARD_OK;
}

void root_handle_service(struct ward_request *rq)
{
	if (rq->cap != 0)
		rq->cap_type = ward_received_cap_type(rq, ward_ipc_buffer()->caps_or_badges);
	ward_dispatch(&root_protocol, rq);
}

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The event log (§2.5, §3.4.3): a ring of 256 16-byte records the unit
 * writes at its tail; software reads from its head and moves the head
 * register. Each slot read is zeroed, so a slot between head and tail
 * that still reads zero (not yet written) is skipped rather than decoded
 * as garbage. When the log is full the unit sets EventOverflow and stops
 * logging; the drain then restarts it empty (§2.5.1: clear EventLogEn,
 * wait for EventLogRun to clear, reset the pointers, clear the overflow
 * bit, set EventLogEn) and reports that records were lost.
 */
#include "amdvi_hw.h"

#define RING_BYTES (AMDVI_EVT_ENTRIES * AMDVI_EVENT_BYTES)

static void restart_log(struct amdvi_unit *u)
{
	uint64_t c = amdvi_read64(u, AMDVI_REG_CONTROL);

	amdvi_write64(u, AMDVI_REG_CONTROL, c & ~AMDVI_CTRL_EVENT_LOG_EN);
	amdvi_status_wait(u, AMDVI_STATUS_EVENT_LOG_RUN, 0);
	amdvi_write64(u, AMDVI_REG_EVTLOG_HEAD, 0);
	amdvi_write64(u, AMDVI_REG_EVTLOG_TAIL, 0);
	amdvi_write64(u, AMDVI_REG_STATUS, AMDVI_STATUS_EVENT_OVERFLOW);
	u->evt_head = 0;
	amdvi_write64(u, AMDVI_REG_CONTROL, c | AMDVI_CTRL_EVENT_LOG_EN);
	u->overflows++;
}

size_t amdvi_event_drain(struct amdvi_unit *u, struct amdvi_event *out, size_t cap, bool *overflow,
                         bool *more)
{
	uint64_t status, tail;
	size_t n = 0;

	if (overflow != NULL)
		*overflow = false;
	if (more != NULL)
		*more = false;
	if (u == NULL || (out == NULL && cap != 0) ||
	    (u->state != AMDVI_UNIT_PREPARED && u->state != AMDVI_UNIT_ENABLED))
		return 0;
	status = amdvi_read64(u, AMDVI_REG_STATUS);
	tail = (amdvi_read64(u, AMDVI_REG_EVTLOG_TAIL) & AMDVI_RING_PTR_MASK) % RING_BYTES;
	while (u->evt_head != tail && n < cap) {
		volatile uint64_t *rec =
		        (volatile uint64_t *)((uint8_t *)u->evtlog.va + u->evt_head);

		if (amdvi_event_decode(rec[0], rec[1], &out[n]))
			n++;
		rec[0] = 0;
		rec[1] = 0;
		u->evt_head = (u->evt_head + AMDVI_EVENT_BYTES) % RING_BYTES;
	}
	amdvi_write64(u, AMDVI_REG_EVTLOG_HEAD, u->evt_head);
	amdvi_write64(u, AMDVI_REG_STATUS, AMDVI_STATUS_EVENT_LOG_INT);
	if (more != NULL)
		*more = u->evt_head != tail;
	if (status & AMDVI_STATUS_EVENT_OVERFLOW) {
		if (overflow != NULL)
			*overflow = true;
		if (u->evt_head == tail)
			restart_log(u); /* everything logged was read: start over empty */
	}
	u->events += n;
	return n;
}

bool amdvi_event_pending(const struct amdvi_unit *u)
{
	if (u == NULL || u->state != AMDVI_UNIT_ENABLED)
		return false;
	return (amdvi_read64(u, AMDVI_REG_EVTLOG_TAIL) & AMDVI_RING_PTR_MASK) % RING_BYTES !=
	               u->evt_head ||
	       (amdvi_read64(u, AMDVI_REG_STATUS) & AMDVI_STATUS_EVENT_OVERFLOW) != 0;
}

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The command buffer (§3.3, §2.4): a ring of 256 16-byte commands in one
 * page. Software writes commands at its tail and moves the tail register;
 * the unit executes up to the tail and moves the head. Ward always ends a
 * submission with COMPLETION_WAIT (§2.4.1) with S = 1, whose store of a
 * fresh sequence number to a page of ours says every command before it
 * is done, and polls that store against a deadline. The head register is
 * never trusted for completion: QEMU 7.2 leaves it at the ring's size
 * (not 0) after executing the last slot.
 *
 * A unit that meets an illegal command stops the buffer (Status
 * CmdBufRun clear) and logs ILLEGAL_COMMAND_ERROR; the wait reports
 * AMDVI_E_HARDWARE and restarts the buffer empty. A wait whose store
 * never comes reports AMDVI_E_TIMEOUT and marks the unit wedged; the next
 * submission restarts the buffer first unless the store arrived late.
 */
#include <string.h>

#include "amdvi_hw.h"

#define RING_BYTES (AMDVI_CMD_ENTRIES * AMDVI_CMD_BYTES)

static volatile uint64_t *store_word(const struct amdvi_unit *u, unsigned i)
{
	return &((volatile uint64_t *)u->store.va)[i];
}

static void put(struct amdvi_unit *u, struct amdvi_cmd c)
{
	struct amdvi_cmd *slot = (struct amdvi_cmd *)((uint8_t *)u->cmdbuf.va + u->cmd_tail);

	*slot = c;
	amdvi_entries_written(u, slot, sizeof(*slot));
	u->cmd_tail = (u->cmd_tail + AMDVI_CMD_BYTES) % RING_BYTES;
}

static void set_cmd_buf_en(struct amdvi_unit *u, bool on)
{
	uint64_t c = amdvi_read64(u, AMDVI_REG_CONTROL);

	amdvi_write64(u, AMDVI_REG_CONTROL,
	              on ? c | AMDVI_CTRL_CMD_BUF_EN : c & ~AMDVI_CTRL_CMD_BUF_EN);
}

enum amdvi_status amdvi_cmd_restart(struct amdvi_unit *u)
{
	enum amdvi_status st;

	set_cmd_buf_en(u, false);
	if ((st = amdvi_status_wait(u, AMDVI_STATUS_CMD_BUF_RUN, 0)) != AMDVI_OK)
		return st;
	amdvi_write64(u, AMDVI_REG_CMDBUF_HEAD, 0);
	amdvi_write64(u, AMDVI_REG_CMDBUF_TAIL, 0);
	u->cmd_tail = 0;
	set_cmd_buf_en(u, true);
	if ((st = amdvi_status_wait(u, AMDVI_STATUS_CMD_BUF_RUN, AMDVI_STATUS_CMD_BUF_RUN)) !=
	    AMDVI_OK)
		return st;
	u->wedged = false;
	u->cmd_stats.recovered++;
	return AMDVI_OK;
}

void amdvi_cmd_inject(struct amdvi_unit *u, enum amdvi_inject what)
{
	u->inject = what;
}

/* Before a submission: the buffer is running and empty, or made so. */
static enum amdvi_status ready(struct amdvi_unit *u)
{
	if (u->wedged && *store_word(u, 0) == u->seq)
		u->wedged = false; /* the late wait completed: everything before it is done */
	if (u->wedged || !(amdvi_read64(u, AMDVI_REG_STATUS) & AMDVI_STATUS_CMD_BUF_RUN))
		return amdvi_cmd_restart(u) == AMDVI_OK ? AMDVI_OK : AMDVI_E_TIMEOUT;
	return AMDVI_OK;
}

/* Polls the store for u->seq; the buffer stopping ends the wait at once. */
static enum amdvi_status poll(struct amdvi_unit *u)
{
	uint64_t end = amdvi_deadline(u, u->cmd_timeout_ns);

	for (;;) {
		if (*store_word(u, 0) == u->seq)
			return AMDVI_OK;
		if (!(amdvi_read64(u, AMDVI_REG_STATUS) & AMDVI_STATUS_CMD_BUF_RUN)) {
			u->cmd_stats.errors++;
			amdvi_cmd_restart(u);
			return AMDVI_E_HARDWARE;
		}
		if (amdvi_expired(u, end)) {
			u->cmd_stats.timeouts++;
			u->wedged = true;
			return AMDVI_E_TIMEOUT;
		}
	}
}

enum amdvi_status amdvi_cmd_submit(struct amdvi_unit *u, const struct amdvi_cmd *c, size_t n)
{
	enum amdvi_status st;
	uint64_t store;

	if (u == NULL || (c == NULL && n != 0) || n > AMDVI_CMD_MAX_BATCH)
		return AMDVI_E_ARG;
	if (u->state != AMDVI_UNIT_PREPARED && u->state != AMDVI_UNIT_ENABLED)
		return AMDVI_E_STATE;
	if ((st = ready(u)) != AMDVI_OK)
		return st;
	for (size_t i = 0; i < n; i++)
		put(u, c[i]);
	store = u->store.pa;
	if (u->inject == AMDVI_INJECT_TIMEOUT)
		store += sizeof(uint64_t); /* the discard word: the poll never sees it */
	u->inject = AMDVI_INJECT_NONE;
	put(u, amdvi_cmd_completion_wait(store, ++u->seq));
	__asm__ volatile("" ::: "memory");
	amdvi_write64(u, AMDVI_REG_CMDBUF_TAIL, u->cmd_tail);
	u->cmd_stats.submits++;
	return poll(u);
}

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A model of one AMD IOMMU's registers for the host tests, linked in
 * place of mmio.c. It behaves as QEMU 7.2's amd-iommu does where Ward
 * depends on it (hw/i386/amd_iommu.c): a control write sets CmdBufRun and
 * EventLogRun from the enables at once; a tail write runs the command
 * buffer from head to tail while the unit and its buffer are enabled;
 * COMPLETION_WAIT with S stores its datum; the status bits 0-2 are
 * write-1-to-clear. Where QEMU 7.2 is broken it follows the specification
 * instead, so the backend is tested against the documented behaviour: an
 * unknown opcode stops the buffer (CmdBufRun clear, head left on it) and
 * logs ILLEGAL_COMMAND_ERROR; events are written at the tail and the tail
 * register moves; a full log sets EventOverflow. Switches make it
 * misbehave (run bits that never follow, a buffer that never moves) so the
 * tests can prove every wait is bounded.
 */
#ifndef AMDVI_FAKE_UNIT_H
#define AMDVI_FAKE_UNIT_H

#include "amdvi.h"

#define FAKE_LOG_MAX     70000
#define FAKE_CONTROL_MAX 64
#define FAKE_PA_BASE     0x40000000ULL
#define FAKE_ILLEGAL     0xfULL /* an opcode the model refuses */
/* QEMU 7.2's EFR: PreF, PPR, GT, IA, GA, HE, HATS 10b, GATS 10b. */
#define FAKE_EFR_QEMU    0x29d3ULL

struct fake_unit {
	uint64_t efr, control, status;
	uint64_t devtab, cmdbuf, evtlog;
	uint64_t cmd_head, cmd_tail, evt_head, evt_tail;
	/* misbehaviour */
	bool run_stuck;   /* the run bits ignore the control register */
	bool queue_stuck; /* tail writes are not processed */
	/* what software did */
	uint64_t control_log[FAKE_CONTROL_MAX];
	unsigned control_writes;
	struct amdvi_cmd log[FAKE_LOG_MAX]; /* commands executed, in order */
	unsigned log_count;
	unsigned tail_writes;
};

extern struct fake_unit fake;

/* Resets the model to a disabled unit with `efr`, and the memory pool. */
void fake_reset(uint64_t efr);

/* Runs the command buffer as a tail write would (after unsticking it). */
void fake_process_queue(void);

/* Writes one record at the event log's tail (EventOverflow if the log is full). */
void fake_log_event(uint64_t lo, uint64_t hi);

/* The environment: aligned memory with fake physical addresses, a clock of 1 µs per reading. */
extern const struct amdvi_env fake_env;
extern uint64_t fake_clock_reads;
void *fake_va(uint64_t pa);
struct ward_device_window fake_window(void);

/* How many executed commands have `opcode`. */
unsigned fake_count(unsigned opcode);

#endif

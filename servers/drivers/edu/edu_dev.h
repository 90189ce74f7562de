/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The edu driver library (edu.c): one QEMU edu device brought up from
 * exactly the caps its owner holds, and the operations on it.
 *
 * Caps: the IOMMU server's device cap for the edu's group (DEVICE_BAR:
 * BAR 0's frame; DEVICE_IRQ: its MSI through an interrupt remapping entry;
 * DEVICE_BUS_MASTER) and a domain cap of the domain the device is attached
 * to (ALLOC_BUFFER, BUFFER_CNODE: two lent DMA buffers). Memory for a
 * notification and paging structures comes from the host program's
 * untyped; nothing else is needed: no PCI cap, no IRQControl, no frame of
 * the driver's own ever reaches the device.
 *
 * The device can be moved away at any time (ASSIGN elsewhere, RELEASE,
 * a fault storm): the move revokes the device cap, the BAR frame and the
 * IRQHandler. Every operation first checks that the BAR frame cap is
 * still there (Frame_GetAddress) and answers EDU_ERR_DEVICE_GONE for
 * good once it is not, and so does every poll while it waits for an
 * interrupt (a move turns the MSI off: the wait would otherwise end only
 * at its time limit). A move landing between such a check and the
 * register access after it makes the access fault; served through
 * edu_serve_guarded(), that fault ends the operation with
 * EDU_ERR_DEVICE_GONE too (guard.c).
 *
 * State belongs to the one thread that calls these functions.
 */
#ifndef EDU_DEV_H
#define EDU_DEV_H

#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <ward/errors.h>

#include "edu.h"

/* What the driver is given (cptrs in the caller's CSpace) and where it may map. */
struct edu_caps {
	uint64_t device; /* the IOMMU device cap of the edu's group */
	uint64_t domain; /* the IOMMU domain cap of the domain the edu is attached to */
	uint32_t sbdf;   /* the edu in that group */
};

struct edu_env {
	uint64_t vspace;  /* the caller's VSpace */
	uint64_t untyped; /* memory for the notification and paging structures */
	uint64_t va;      /* EDU_VA_SPAN bytes of free address space, 2 MiB aligned */
};

#define EDU_VA_SPAN (4ULL << 20)

/* A lent DMA buffer: its IOMMU id, its IOVA and the CPU's view of it. */
struct edu_buffer {
	uint64_t id, iova, frame;
	volatile uint8_t *cpu;
};

struct edu_dev {
	struct edu_caps caps;
	struct edu_env env; /* where it was opened: an adopted device goes there too */
	volatile uint8_t *bar;
	uint64_t bar_frame;
	uint64_t irq_handler, ntfn;
	struct edu_buffer src, dst; /* memory -> device and device -> memory */
	uint64_t interrupts;        /* completion interrupts taken */
	uint64_t transfers;         /* DMA transfers done */
	bool gone;                  /* the device was moved away: nothing works any more */
	/* The guard (guard.c): where a fault in BAR 0 during an operation lands. */
	jmp_buf recover;
	volatile bool guarded; /* an operation runs: a fault in BAR 0 is a move */
	uint64_t moves_caught; /* operations the guard ended with EDU_ERR_DEVICE_GONE */
	/* Tests: called as each interrupt wait begins (the device is busy then); NULL: none. */
	void (*wait_hook)(struct edu_dev *d);
	/* Tests: called in LIVENESS between its register write and read; NULL: none. */
	void (*access_hook)(struct edu_dev *d);
};

/* What edu_dev_open() was doing when it failed. */
enum edu_open_step {
	EDU_OPEN_BAR = 1,    /* DEVICE_BAR and its mapping */
	EDU_OPEN_IDENTIFY,   /* the ID register is not edu's */
	EDU_OPEN_QUIESCE,    /* a DMA left running by an earlier owner did not end */
	EDU_OPEN_BUFFERS,    /* ALLOC_BUFFER, BUFFER_CNODE, the mappings, the 28-bit mask */
	EDU_OPEN_IRQ,        /* the notification, DEVICE_IRQ, binding it */
	EDU_OPEN_BUS_MASTER, /* DEVICE_BUS_MASTER on */
};

/*
 * Brings the device up: BAR 0 mapped, identified, quiesced, two 4 KiB
 * buffers lent and mapped below edu's 28-bit DMA mask, the MSI bound to a
 * notification, bus mastering on (last: the device can reach memory only
 * once everything is in place). WARD_OK, or the error of the step in
 * *step (what the device cap and domain cap were given stays with the
 * caller; the slots used are not given back).
 */
enum ward_error edu_dev_open(struct edu_dev *d, const struct edu_caps *caps,
                             const struct edu_env *env, enum edu_open_step *step);

/* What edu_dev_adopt() was doing when it failed. */
enum edu_adopt_step {
	EDU_ADOPT_BAR = 1,    /* DEVICE_BAR and its mapping */
	EDU_ADOPT_IDENTIFY,   /* the ID register is not edu's */
	EDU_ADOPT_QUIESCE,    /* a DMA left running by the earlier owner did not end */
	EDU_ADOPT_IRQ,        /* DEVICE_IRQ, binding it */
	EDU_ADOPT_BUS_MASTER, /* DEVICE_BUS_MASTER on */
};

/*
 * Drives another device from now on, after the one it drove has gone:
 * `device` (a cptr the caller gives up to the driver) is its IOMMU device
 * cap, for member `sbdf`, attached to the domain of the buffers that are
 * already lent; BAR 0 goes where the old one was and the interrupt to the
 * same notification. WARD_OK, or the error of the step in *step (the
 * device is then left gone: another ADOPT may follow).
 */
enum ward_error edu_dev_adopt(struct edu_dev *d, uint64_t device, uint32_t sbdf,
                              enum edu_adopt_step *step);

/* Whether the device is still the driver's (its BAR frame cap exists); false for good once not. */
bool edu_dev_present(struct edu_dev *d);

/* The ID register. EDU_ERR_DEVICE_GONE. */
enum ward_error edu_dev_id(struct edu_dev *d, uint32_t *id);

/* Writes value to the liveness register; *read is what it reads back. EDU_ERR_DEVICE_GONE. */
enum ward_error edu_dev_liveness(struct edu_dev *d, uint32_t value, uint32_t *read);

/*
 * n! (n <= EDU_FACTORIAL_MAX, checked by the caller) by the device, waited
 * for through its completion interrupt. EDU_ERR_DEVICE_GONE (also when
 * the device is moved away during the wait), EDU_ERR_NO_INTERRUPT (no
 * interrupt within EDU_WAIT_MS).
 */
#define EDU_WAIT_MS 5000u /* a limit for a lost interrupt, not a speed: DMA takes 100 ms */
enum ward_error edu_dev_factorial(struct edu_dev *d, uint32_t n, uint32_t *result);

/*
 * Copies `bytes` (1..EDU_DEVICE_BUFFER_SIZE / 2, checked by the caller)
 * from `data` through the device: source buffer, DMA into the device
 * buffer, DMA out into the (zeroed) destination buffer, each DMA waited
 * for through its interrupt. *hash: edu_hash() of the destination's
 * first `bytes` bytes. EDU_ERR_DEVICE_GONE (also when the device is
 * moved away during a transfer); EDU_ERR_DMA_FAILED with *failed 1 (to
 * the device) or 2 (back) for a transfer that did not end, 3 for a
 * destination that differs from the source.
 */
enum ward_error edu_dev_copy(struct edu_dev *d, const void *data, uint32_t bytes, uint64_t *hash,
                             unsigned *failed);

/* The edu protocol's loop state (server.c). */
struct ward_server;

/*
 * Runs the loop `s` (edu_server_init()) on a thread of its own, made from
 * env's memory at env->va + 3 MiB, whose faults come to the calling
 * thread: a page fault in BAR 0 during an operation (a move between a
 * check and an access) ends that operation with EDU_ERR_DEVICE_GONE and
 * the loop serves on; any other fault stops the loop's thread. Returns
 * ward_server_run()'s result when the loop ends, WARD_ERR_CANCELLED after
 * another fault, or the error of making the thread. The loop's thread
 * makes no Linux system calls (its fault handler is not the root task).
 */
uint64_t edu_serve_guarded(struct ward_server *s, struct edu_dev *d, const struct edu_env *env);

/*
 * Sets `s` up to serve the edu protocol for `d` on `endpoint` (with READ)
 * with the reply object `reply`; `recv_slot` is an empty slot where a cap
 * a client sends by mistake lands before it is refused and deleted. Run
 * it with ward_server_run().
 */
void edu_server_init(struct ward_server *s, struct edu_dev *d, uint64_t endpoint, uint64_t reply,
                     uint64_t recv_slot);

#endif

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The edu driver library (edu_dev.h): bring-up from a device cap and a
 * domain cap, and the device's operations, with edu's registers as
 * edu_regs.h describes them.
 *
 * Bring-up order matters for what the device can reach: BAR 0 first (to
 * identify and quiesce it: an earlier owner may have left a DMA command
 * behind, which the move does not reset: edu has no reset), then the two
 * lent buffers, then the interrupt, and bus mastering last, when every
 * address the driver will program points into its own domain.
 *
 * Completion is always the interrupt: edu's MSI goes through the remapping
 * entry the IOMMU server wrote to the kernel vector whose IRQHandler the
 * driver holds, which signals a notification; the driver polls it with a
 * time limit (EDU_WAIT_MS), reads edu's interrupt status, acknowledges
 * the causes at the device and then at the kernel. A DMA's bytes are
 * checked after its interrupt, since edu interrupts even when the IOMMU
 * blocked the transfer.
 */
#include <setjmp.h>
#include <string.h>
#include <ward/invoke.h>
#include <ward/object.h>
#include <ward/rt.h>
#include <ward/startinfo.h>
#include <ward/sys.h>
#include <proc/map.h>
#include <proc/slots.h>
#include <proc/untyped.h>

#include "edu_client.h"
#include "edu_dev.h"
#include "edu_regs.h"
#include "iommu_client.h"

#define EDU_IRQ_BADGE 1 /* the notification's badge: a signal is told from none by it */
#define EDU_BUF_SIZE  4096u
#define RIGHTS_RW     (WARD_RIGHT_READ | WARD_RIGHT_WRITE)

static uint32_t rd32(const struct edu_dev *d, unsigned reg)
{
	return *(volatile uint32_t *)(d->bar + reg);
}

static void wr32(const struct edu_dev *d, unsigned reg, uint32_t v)
{
	*(volatile uint32_t *)(d->bar + reg) = v;
}

static uint64_t rd64(const struct edu_dev *d, unsigned reg)
{
	return *(volatile uint64_t *)(d->bar + reg);
}

static void wr64(const struct edu_dev *d, unsigned reg, uint64_t v)
{
	*(volatile uint64_t *)(d->bar + reg) = v;
}

static uint64_t tsc_now(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static uint64_t deadline_ms(unsigned ms)
{
	return tsc_now() + ward_startinfo->tsc_hz / 1000 * ms;
}

bool edu_dev_present(struct edu_dev *d)
{
	uint64_t phys;

	if (!d->gone && ward_frame_get_address(d->bar_frame, &phys) != WARD_OK)
		d->gone = true;
	return !d->gone;
}

/*
 * Waits for the completion interrupt with `cause`: a signal, edu's status
 * read and acknowledged (device, then kernel). WARD_OK; EDU_ERR_DEVICE_GONE
 * as soon as the device is moved away meanwhile (the move turned its MSI
 * off and revoked the handler: no signal would come); `timeout` after
 * EDU_WAIT_MS.
 */
static enum ward_error wait_interrupt(struct edu_dev *d, uint32_t cause, enum ward_error timeout)
{
	uint64_t end = deadline_ms(EDU_WAIT_MS), bits;
	uint32_t status;

	if (d->wait_hook != NULL)
		d->wait_hook(d);
	do {
		bits = 0;
		ward_poll(d->ntfn, &bits);
		if (!edu_dev_present(d))
			return EDU_ERR_DEVICE_GONE;
		if (bits == 0) {
			ward_yield();
			continue;
		}
		status = rd32(d, EDU_REG_IRQ_STATUS);
		wr32(d, EDU_REG_IRQ_ACK, status);
		ward_irq_handler_ack(d->irq_handler);
		if (status & cause) {
			d->interrupts++;
			return WARD_OK;
		}
	} while (tsc_now() < end);
	return edu_dev_present(d) ? timeout : EDU_ERR_DEVICE_GONE;
}

/*
 * Waits (bounded) until `bit` of register `reg` is clear: a DMA or a
 * factorial of before has ended (edu ignores new commands meanwhile).
 * WARD_OK, EDU_ERR_DEVICE_GONE (checked before each read), or `busy`
 * after EDU_WAIT_MS.
 */
static enum ward_error wait_clear(struct edu_dev *d, unsigned reg, uint32_t bit,
                                  enum ward_error busy)
{
	uint64_t end = deadline_ms(EDU_WAIT_MS);

	for (;;) {
		if (!edu_dev_present(d))
			return EDU_ERR_DEVICE_GONE;
		if ((rd32(d, reg) & bit) == 0)
			return WARD_OK;
		if (tsc_now() > end)
			return busy;
		ward_yield();
	}
}

/*
 * One DMA of `count` bytes, waited for through its interrupt: WARD_OK,
 * EDU_ERR_DEVICE_GONE, or EDU_ERR_DMA_FAILED if it did not end.
 */
static enum ward_error dma_run(struct edu_dev *d, uint64_t src, uint64_t dst, uint32_t count,
                               uint32_t dir)
{
	enum ward_error err = wait_clear(d, EDU_REG_DMA_CMD, EDU_DMA_RUN, EDU_ERR_DMA_FAILED);

	if (err != WARD_OK)
		return err;
	wr64(d, EDU_REG_DMA_SRC, src);
	wr64(d, EDU_REG_DMA_DST, dst);
	wr64(d, EDU_REG_DMA_COUNT, count);
	wr64(d, EDU_REG_DMA_CMD, EDU_DMA_RUN | EDU_DMA_IRQ | dir);
	if ((err = wait_interrupt(d, EDU_IRQ_DMA, EDU_ERR_DMA_FAILED)) != WARD_OK)
		return err;
	d->transfers++;
	return (rd64(d, EDU_REG_DMA_CMD) & EDU_DMA_RUN) == 0 ? WARD_OK : EDU_ERR_DMA_FAILED;
}

static enum ward_error map_rw(const struct edu_env *env, uint64_t frame, uint64_t va)
{
	return proc_map_into(env->vspace, env->untyped, frame, va, RIGHTS_RW);
}

static enum ward_error open_bar(struct edu_dev *d, const struct edu_env *env)
{
	uint64_t phys, size;
	enum ward_error err;

	if ((d->bar_frame = proc_slot_alloc()) == 0)
		return WARD_ERR_NOT_ENOUGH_MEMORY;
	err = iommu_device_bar_into(d->caps.device, WARD_PROC_CAP_CNODE, d->bar_frame, d->caps.sbdf,
	                            0, 0, &phys, &size);
	if (err == WARD_OK)
		err = map_rw(env, d->bar_frame, env->va);
	d->bar = (volatile uint8_t *)env->va;
	return err;
}

/* Leaves nothing of an earlier owner running: no factorial interrupt, no DMA, no cause. */
static bool quiesce(struct edu_dev *d)
{
	wr32(d, EDU_REG_STATUS, 0);
	if (wait_clear(d, EDU_REG_DMA_CMD, EDU_DMA_RUN, WARD_ERR_CANCELLED) != WARD_OK)
		return false;
	wr32(d, EDU_REG_IRQ_ACK, ~0u);
	return true;
}

/*
 * A 4 KiB buffer lent in the domain with the device's `rights`, below
 * edu's DMA mask, its frame copied out of the lent CNode and mapped at va.
 */
static enum ward_error open_buffer(struct edu_dev *d, struct edu_buffer *b, unsigned rights,
                                   const struct edu_env *env, uint64_t va)
{
	uint64_t frames, fsize, radix, lent = proc_slot_alloc();
	enum ward_error err;

	if (lent == 0 || (b->frame = proc_slot_alloc()) == 0)
		return WARD_ERR_NOT_ENOUGH_MEMORY;
	err = iommu_alloc_buffer(d->caps.domain, EDU_BUF_SIZE, 0, IOMMU_IOVA_ANY, rights, &b->id,
	                         &b->iova, &frames, &fsize);
	if (err != WARD_OK)
		return err;
	if (b->iova + EDU_BUF_SIZE > 1ULL << EDU_DMA_MASK_BITS)
		return WARD_ERR_RANGE;
	err = iommu_buffer_cnode_into(d->caps.domain, WARD_PROC_CAP_CNODE, lent, b->id, &frames,
	                              &fsize, &radix);
	if (err == WARD_OK)
		err = iommu_frame_from_cnode(lent, radix, 0, b->frame);
	/* The copy is all the driver needs; it vanishes with the buffer too. */
	ward_cnode_delete(WARD_PROC_CAP_CNODE, lent, 64);
	proc_slots_free(lent, 1);
	if (err == WARD_OK)
		err = map_rw(env, b->frame, va);
	b->cpu = (volatile uint8_t *)va;
	return err;
}

/* edu's MSI through DEVICE_IRQ, its handler signalling a notification of the driver's. */
static enum ward_error open_irq(struct edu_dev *d, const struct edu_env *env)
{
	uint64_t ntfn, vector, index;
	enum ward_error err = proc_retype(env->untyped, WARD_OBJ_NOTIFICATION, 0, &ntfn);

	if (err != WARD_OK)
		return err;
	if ((d->ntfn = proc_slot_alloc()) == 0 || (d->irq_handler = proc_slot_alloc()) == 0)
		return WARD_ERR_NOT_ENOUGH_MEMORY;
	err = ward_cnode_mint(WARD_PROC_CAP_CNODE, d->ntfn, 64, WARD_PROC_CAP_CNODE, ntfn, 64,
	                      RIGHTS_RW, EDU_IRQ_BADGE);
	if (err == WARD_OK)
		err = iommu_device_irq_into(d->caps.device, WARD_PROC_CAP_CNODE, d->irq_handler,
		                            d->caps.sbdf, &vector, &index);
	if (err == WARD_OK)
		err = ward_irq_handler_set_notification(d->irq_handler, d->ntfn);
	return err;
}

enum ward_error edu_dev_open(struct edu_dev *d, const struct edu_caps *caps,
                             const struct edu_env *env, enum edu_open_step *step)
{
	uint64_t command;
	enum ward_error err;

	*d = (struct edu_dev){.caps = *caps, .env = *env};
	*step = EDU_OPEN_BAR;
	if ((err = open_bar(d, env)) != WARD_OK)
		return err;
	*step = EDU_OPEN_IDENTIFY;
	if ((rd32(d, EDU_REG_ID) & EDU_ID_MAGIC_MASK) != EDU_ID_MAGIC)
		return WARD_ERR_INVALID_ARGUMENT;
	*step = EDU_OPEN_QUIESCE;
	if (!quiesce(d))
		return WARD_ERR_CANCELLED;
	*step = EDU_OPEN_BUFFERS;
	if ((err = open_buffer(d, &d->src, IOMMU_READ, env, env->va + (1ULL << 20))) != WARD_OK ||
	    (err = open_buffer(d, &d->dst, IOMMU_RIGHTS_ALL, env, env->va + (2ULL << 20))) !=
	            WARD_OK)
		return err;
	*step = EDU_OPEN_IRQ;
	if ((err = open_irq(d, env)) != WARD_OK)
		return err;
	*step = EDU_OPEN_BUS_MASTER;
	return iommu_device_bus_master(d->caps.device, d->caps.sbdf, 1, &command);
}

static enum ward_error adopt_steps(struct edu_dev *d, uint64_t device, uint32_t sbdf,
                                   enum edu_adopt_step *step)
{
	const struct edu_env *env = &d->env;
	uint64_t phys, size, vector, index, command;
	enum ward_error err;

	/* The old device's caps were revoked by its move: their slots are empty again. */
	ward_cnode_delete(WARD_PROC_CAP_CNODE, d->caps.device, 64);
	ward_cnode_move(WARD_PROC_CAP_CNODE, d->caps.device, 64, WARD_PROC_CAP_CNODE, device, 64);
	d->caps.sbdf = sbdf;
	*step = EDU_ADOPT_BAR;
	ward_cnode_delete(WARD_PROC_CAP_CNODE, d->bar_frame, 64);
	err = iommu_device_bar_into(d->caps.device, WARD_PROC_CAP_CNODE, d->bar_frame, sbdf, 0, 0,
	                            &phys, &size);
	if (err == WARD_OK)
		err = map_rw(env, d->bar_frame, env->va);
	if (err != WARD_OK)
		return err;
	d->gone = false; /* present again: the waits below watch for the next move */
	*step = EDU_ADOPT_IDENTIFY;
	if ((rd32(d, EDU_REG_ID) & EDU_ID_MAGIC_MASK) != EDU_ID_MAGIC)
		return WARD_ERR_INVALID_ARGUMENT;
	*step = EDU_ADOPT_QUIESCE;
	if (!quiesce(d))
		return WARD_ERR_CANCELLED;
	*step = EDU_ADOPT_IRQ;
	ward_cnode_delete(WARD_PROC_CAP_CNODE, d->irq_handler, 64);
	err = iommu_device_irq_into(d->caps.device, WARD_PROC_CAP_CNODE, d->irq_handler, sbdf,
	                            &vector, &index);
	if (err == WARD_OK)
		err = ward_irq_handler_set_notification(d->irq_handler, d->ntfn);
	if (err != WARD_OK)
		return err;
	*step = EDU_ADOPT_BUS_MASTER;
	return iommu_device_bus_master(d->caps.device, sbdf, 1, &command);
}

enum ward_error edu_dev_adopt(struct edu_dev *d, uint64_t device, uint32_t sbdf,
                              enum edu_adopt_step *step)
{
	enum ward_error err = adopt_steps(d, device, sbdf, step);

	if (err != WARD_OK)
		d->gone = true; /* half brought up is not driven: another ADOPT may follow */
	return err;
}

/* One operation's arguments and results, for guarded(). */
struct edu_op_args {
	uint32_t value;   /* liveness: written; factorial: n; copy: bytes */
	uint32_t result;  /* id, liveness read back, n! */
	const void *data; /* copy */
	uint64_t hash;    /* copy */
	unsigned failed;  /* copy: the step */
};

typedef enum ward_error (*edu_op)(struct edu_dev *d, struct edu_op_args *a);

/*
 * Runs op after checking the device is still there, with the guard armed
 * (guard.c): a page fault in BAR 0 during op (the device moved between a
 * check and an access) lands back here through longjmp, and op's result
 * is EDU_ERR_DEVICE_GONE. Without a guard (edu_serve_guarded() not used)
 * such a fault ends the thread instead.
 */
static enum ward_error guarded(struct edu_dev *d, edu_op op, struct edu_op_args *a)
{
	enum ward_error err;

	if (!edu_dev_present(d))
		return EDU_ERR_DEVICE_GONE;
	if (setjmp(d->recover) != 0) {
		d->guarded = false;
		return EDU_ERR_DEVICE_GONE;
	}
	d->guarded = true;
	err = op(d, a);
	d->guarded = false;
	return err;
}

static enum ward_error op_id(struct edu_dev *d, struct edu_op_args *a)
{
	a->result = rd32(d, EDU_REG_ID);
	return WARD_OK;
}

static enum ward_error op_liveness(struct edu_dev *d, struct edu_op_args *a)
{
	wr32(d, EDU_REG_LIVENESS, a->value);
	if (d->access_hook != NULL)
		d->access_hook(d);
	a->result = rd32(d, EDU_REG_LIVENESS);
	return WARD_OK;
}

static enum ward_error op_factorial(struct edu_dev *d, struct edu_op_args *a)
{
	enum ward_error err;

	err = wait_clear(d, EDU_REG_STATUS, EDU_STATUS_COMPUTING, EDU_ERR_NO_INTERRUPT);
	if (err != WARD_OK)
		return err;
	wr32(d, EDU_REG_STATUS, EDU_STATUS_IRQFACT);
	wr32(d, EDU_REG_FACTORIAL, a->value);
	if ((err = wait_interrupt(d, EDU_IRQ_FACTORIAL, EDU_ERR_NO_INTERRUPT)) != WARD_OK)
		return err;
	a->result = rd32(d, EDU_REG_FACTORIAL);
	return WARD_OK;
}

static enum ward_error op_copy(struct edu_dev *d, struct edu_op_args *a)
{
	uint8_t *src = (uint8_t *)d->src.cpu, *dst = (uint8_t *)d->dst.cpu;
	enum ward_error err;

	memset(src, 0, EDU_BUF_SIZE);
	memcpy(src, a->data, a->value);
	a->failed = 1;
	if ((err = dma_run(d, d->src.iova, EDU_DEVICE_BUFFER, a->value, 0)) != WARD_OK)
		return err;
	/* Whatever the destination holds after this is the device's doing. */
	memset(dst, 0, EDU_BUF_SIZE);
	a->failed = 2;
	if ((err = dma_run(d, EDU_DEVICE_BUFFER, d->dst.iova, a->value, EDU_DMA_TO_RAM)) != WARD_OK)
		return err;
	a->failed = 3;
	if (memcmp(dst, src, a->value) != 0)
		return EDU_ERR_DMA_FAILED;
	a->failed = 0;
	a->hash = edu_hash(dst, a->value);
	return WARD_OK;
}

enum ward_error edu_dev_id(struct edu_dev *d, uint32_t *id)
{
	struct edu_op_args a = {0};
	enum ward_error err = guarded(d, op_id, &a);

	*id = a.result;
	return err;
}

enum ward_error edu_dev_liveness(struct edu_dev *d, uint32_t value, uint32_t *read)
{
	struct edu_op_args a = {.value = value};
	enum ward_error err = guarded(d, op_liveness, &a);

	*read = a.result;
	return err;
}

enum ward_error edu_dev_factorial(struct edu_dev *d, uint32_t n, uint32_t *result)
{
	struct edu_op_args a = {.value = n};
	enum ward_error err = guarded(d, op_factorial, &a);

	*result = a.result;
	return err;
}

enum ward_error edu_dev_copy(struct edu_dev *d, const void *data, uint32_t bytes, uint64_t *hash,
                             unsigned *failed)
{
	struct edu_op_args a = {.value = bytes, .data = data};
	enum ward_error err = guarded(d, op_copy, &a);

	*hash = a.hash;
	*failed = err == EDU_ERR_DMA_FAILED ? a.failed : 0;
	return err;
}

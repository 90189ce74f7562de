/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Bringing one AMD IOMMU up (amdvi.h): probe reads what the unit offers;
 * prepare builds the device table with every DeviceID blocked, the
 * command buffer, event log and completion-wait store, and installs them;
 * enable turns the unit on and flushes every cache it may hold.
 *
 * Take-over: the base registers may only change while the unit is off
 * (§3.4.1, §3.4.2, §3.4.3), so a unit firmware left enabled is turned
 * off, its command buffer and event log are waited out (bounded), the
 * bases are replaced, and it is turned on again. Everything is built
 * before the unit is turned off, so only a few register writes separate
 * off from on; docs/amdvi.md discusses the window.
 */
#include <stdio.h>
#include <string.h>

#include "amdvi_hw.h"

static const char *const status_names[AMDVI_E_COUNT] = {
        [AMDVI_OK] = "ok",
        [AMDVI_E_ARG] = "bad argument",
        [AMDVI_E_STATE] = "wrong state",
        [AMDVI_E_WINDOW] = "unusable register window",
        [AMDVI_E_NO_MEMORY] = "out of memory",
        [AMDVI_E_TIMEOUT] = "timeout",
        [AMDVI_E_HARDWARE] = "command buffer stopped",
        [AMDVI_E_WIDTH] = "unsupported depth",
};

const char *amdvi_strerror(enum amdvi_status s)
{
	return (unsigned)s < AMDVI_E_COUNT ? status_names[s] : "?";
}

const char *amdvi_unit_state_name(enum amdvi_unit_state s)
{
	static const char *const names[] = {"none",     "probed",  "refused",
	                                    "prepared", "enabled", "failed"};

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

uint64_t amdvi_deadline(const struct amdvi_unit *u, uint64_t ns)
{
	return u->env->now_ns(u->env->ctx) + ns;
}

bool amdvi_expired(const struct amdvi_unit *u, uint64_t deadline)
{
	return u->env->now_ns(u->env->ctx) > deadline;
}

enum amdvi_status amdvi_status_wait(struct amdvi_unit *u, uint64_t bits, uint64_t want)
{
	uint64_t end = amdvi_deadline(u, AMDVI_TIMEOUT_STATUS_NS);

	while ((amdvi_read64(u, AMDVI_REG_STATUS) & bits) != want)
		if (amdvi_expired(u, end))
			return AMDVI_E_TIMEOUT;
	return AMDVI_OK;
}

#define CACHE_LINE 64

void amdvi_entries_written(const struct amdvi_unit *u, const void *va, size_t len)
{
	uintptr_t p = (uintptr_t)va & ~(uintptr_t)(CACHE_LINE - 1), end = (uintptr_t)va + len;

	if (u->env->cache_flush != NULL) {
		u->env->cache_flush(u->env->ctx, va, len);
		return;
	}
#if defined(__x86_64__)
	for (; p < end; p += CACHE_LINE)
		__asm__ volatile("clflush (%0)" ::"r"(p) : "memory");
	__asm__ volatile("mfence" ::: "memory");
#else
	(void)p, (void)end;
#endif
}

enum amdvi_status amdvi_unit_probe(struct amdvi_unit *u, const struct ward_device_window *w,
                                   const struct amdvi_env *env)
{
	if (u == NULL || w == NULL || env == NULL || env->alloc == NULL || env->now_ns == NULL)
		return AMDVI_E_ARG;
	memset(u, 0, sizeof(*u));
	memset(u->irq_table_of, AMDVI_IRQ_NONE, sizeof(u->irq_table_of));
	u->env = env;
	u->cmd_timeout_ns = AMDVI_TIMEOUT_CMD_NS;
	u->state = AMDVI_UNIT_REFUSED;
	u->refused = AMDVI_E_WINDOW;
	if (w->kind != WARD_WINDOW_AMDVI || w->size < AMDVI_MMIO_SIZE || w->vaddr == 0)
		return AMDVI_E_WINDOW;
	u->regs = (volatile uint8_t *)(uintptr_t)w->vaddr;
	u->phys = w->phys;
	u->segment = w->segment;
	u->devid = w->unit_id;
	u->efr = amdvi_read64(u, AMDVI_REG_EFR);
	u->control_found = amdvi_read64(u, AMDVI_REG_CONTROL);
	if (u->efr == ~0ULL || u->control_found == ~0ULL)
		return AMDVI_E_WINDOW; /* nothing answers there */
	u->max_levels = amdvi_efr_max_levels(u->efr);
	u->ia = (u->efr & AMDVI_EFR_IA_SUP) != 0;
	u->state = AMDVI_UNIT_PROBED;
	u->refused = AMDVI_OK;
	return AMDVI_OK;
}

static bool alloc_tables(struct amdvi_unit *u)
{
	const struct amdvi_env *e = u->env;

	return (u->devtab.pa != 0 || e->alloc(e->ctx, AMDVI_DEVTAB_BYTES_MAX, &u->devtab)) &&
	       (u->cmdbuf.pa != 0 || e->alloc(e->ctx, AMDVI_PAGE_SIZE, &u->cmdbuf)) &&
	       (u->evtlog.pa != 0 || e->alloc(e->ctx, AMDVI_PAGE_SIZE, &u->evtlog)) &&
	       (u->store.pa != 0 || e->alloc(e->ctx, AMDVI_PAGE_SIZE, &u->store));
}

/* Every DeviceID: DMA blocked (domain 0), interrupts aborted. */
static void block_all(struct amdvi_unit *u)
{
	struct amdvi_dte *t = u->devtab.va;

	for (uint32_t i = 0; i < AMDVI_DEVICE_IDS; i++) {
		amdvi_dte_make_block(&t[i], AMDVI_QUARANTINE_DOMAIN);
		t[i].q[2] = amdvi_dte_int_block();
		t[i].q[3] = 0;
	}
	amdvi_entries_written(u, u->devtab.va, AMDVI_DEVTAB_BYTES_MAX);
}

/* Turns a unit firmware left on off, and waits for its rings to stop. */
static enum amdvi_status take_over(struct amdvi_unit *u)
{
	if (!(u->control_found &
	      (AMDVI_CTRL_IOMMU_EN | AMDVI_CTRL_CMD_BUF_EN | AMDVI_CTRL_EVENT_LOG_EN)))
		return AMDVI_OK;
	u->took_over = true;
	amdvi_write64(u, AMDVI_REG_CONTROL, u->control_found & ~AMDVI_CTRL_WARD_MASK);
	return amdvi_status_wait(u, AMDVI_STATUS_CMD_BUF_RUN | AMDVI_STATUS_EVENT_LOG_RUN, 0);
}

static void install(struct amdvi_unit *u)
{
	amdvi_write64(u, AMDVI_REG_DEVTAB_BASE,
	              (u->devtab.pa & AMDVI_ADDR_MASK) | AMDVI_DEVTAB_SIZE_MASK);
	amdvi_write64(u, AMDVI_REG_CMDBUF_BASE, amdvi_ring_base(u->cmdbuf.pa, AMDVI_LEN_MIN));
	amdvi_write64(u, AMDVI_REG_CMDBUF_HEAD, 0);
	amdvi_write64(u, AMDVI_REG_CMDBUF_TAIL, 0);
	amdvi_write64(u, AMDVI_REG_EVTLOG_BASE, amdvi_ring_base(u->evtlog.pa, AMDVI_LEN_MIN));
	amdvi_write64(u, AMDVI_REG_EVTLOG_HEAD, 0);
	amdvi_write64(u, AMDVI_REG_EVTLOG_TAIL, 0);
	amdvi_write64(u, AMDVI_REG_STATUS,
	              AMDVI_STATUS_EVENT_OVERFLOW | AMDVI_STATUS_EVENT_LOG_INT |
	                      AMDVI_STATUS_COM_WAIT_INT);
	u->cmd_tail = 0;
	u->evt_head = 0;
	u->wedged = false;
}

enum amdvi_status amdvi_unit_prepare(struct amdvi_unit *u)
{
	enum amdvi_status st;

	if (u == NULL)
		return AMDVI_E_ARG;
	if (u->state != AMDVI_UNIT_PROBED)
		return AMDVI_E_STATE;
	if (!alloc_tables(u))
		return AMDVI_E_NO_MEMORY;
	block_all(u);
	if ((st = take_over(u)) != AMDVI_OK) {
		u->state = AMDVI_UNIT_FAILED;
		u->refused = st;
		return st;
	}
	install(u);
	u->state = AMDVI_UNIT_PREPARED;
	return AMDVI_OK;
}

/* Commands for IDs [*next, end) of one kind, in batches: *next moves past those submitted. */
static enum amdvi_status submit_range(struct amdvi_unit *u, uint32_t *next, uint32_t end,
                                      struct amdvi_cmd (*make)(uint16_t))
{
	struct amdvi_cmd c[AMDVI_CMD_MAX_BATCH];
	enum amdvi_status st = AMDVI_OK;
	uint32_t n;

	while (st == AMDVI_OK && *next < end) {
		for (n = 0; n < AMDVI_CMD_MAX_BATCH && *next < end; n++)
			c[n] = make((uint16_t)(*next)++);
		st = amdvi_cmd_submit(u, c, n);
	}
	return st;
}

/* Without IASup: every device table entry, then every domain's pages. */
enum amdvi_status amdvi_invalidate_all(struct amdvi_unit *u)
{
	struct amdvi_cmd all = amdvi_cmd_inv_all();
	enum amdvi_status st;
	uint32_t id = 0, domain = 0;

	if (u->ia)
		return amdvi_cmd_submit(u, &all, 1);
	st = submit_range(u, &id, AMDVI_DEVICE_IDS, amdvi_cmd_inv_devtab);
	return st == AMDVI_OK ? submit_range(u, &domain, AMDVI_DOMAIN_IDS + 1, amdvi_cmd_inv_domain)
	                      : st;
}

enum amdvi_status amdvi_unit_enable(struct amdvi_unit *u)
{
	enum amdvi_status st;

	if (u == NULL)
		return AMDVI_E_ARG;
	if (u->state != AMDVI_UNIT_PREPARED)
		return AMDVI_E_STATE;
	amdvi_write64(u, AMDVI_REG_CONTROL,
	              (u->control_found & ~AMDVI_CTRL_WARD_MASK) | AMDVI_CTRL_IOMMU_EN |
	                      AMDVI_CTRL_EVENT_LOG_EN | AMDVI_CTRL_CMD_BUF_EN);
	st = amdvi_status_wait(u, AMDVI_STATUS_CMD_BUF_RUN, AMDVI_STATUS_CMD_BUF_RUN);
	if (st == AMDVI_OK)
		st = amdvi_invalidate_all(u);
	if (st != AMDVI_OK) {
		u->state = AMDVI_UNIT_FAILED;
		u->refused = st;
		return st;
	}
	u->state = AMDVI_UNIT_ENABLED;
	return AMDVI_OK;
}

size_t amdvi_unit_describe(const struct amdvi_unit *u, char *buf, size_t len)
{
	int n = snprintf(
	        buf, len,
	        "amd-vi %s%s%s at %#llx devid %04x efr %#llx levels <=%u%s%s; commands %llu "
	        "errors %llu timeouts %llu restarts %llu%s; events %llu overflows %llu",
	        amdvi_unit_state_name(u->state), u->refused ? ": " : "",
	        u->refused ? amdvi_strerror(u->refused) : "", (unsigned long long)u->phys, u->devid,
	        (unsigned long long)u->efr, u->max_levels, u->ia ? " ia" : "",
	        u->took_over ? " (taken over)" : "", (unsigned long long)u->cmd_stats.submits,
	        (unsigned long long)u->cmd_stats.errors, (unsigned long long)u->cmd_stats.timeouts,
	        (unsigned long long)u->cmd_stats.recovered, u->wedged ? " wedged" : "",
	        (unsigned long long)u->events, (unsigned long long)u->overflows);

	return n < 0 ? 0 : (size_t)n >= len ? len - 1 : (size_t)n;
}

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Support for the in-guest tests (see wtest.h): what is their own
 * (threads, settling, fault probes, bounded waits, diagnostics); slots,
 * objects, mapping and address space come from libs/proc, the root task's
 * toolkit, which serves a process as well: a process's CNode is in slot 2
 * and its VSpace in slot 3 with a capability address equal to the slot
 * index, as the root task's are (ward/bootinfo.h, ward/startinfo.h).
 */
#include <string.h>
#include <ward/bootinfo.h>
#include <proc/map.h>
#include <proc/slots.h>
#include <proc/untyped.h>
#include "wtest.h"

const struct ward_bootinfo *wt_bi;

static uint64_t ram_untyped, tcb_authority;
static unsigned ram_untyped_bits, cpu_count;
static struct proc_va_area va_area = {WT_VA_BASE};

_Static_assert((int)WARD_PROC_CAP_CNODE == (int)WARD_CAP_INIT_CNODE &&
                       (int)WARD_PROC_CAP_VSPACE == (int)WARD_CAP_INIT_VSPACE,
               "libs/proc addresses a process's CNode and VSpace as the root task's");

static void fail(const char *what)
{
	ward_printf("Bail out! wtest: %s\n", what);
	ward_exit(1);
}

/* The largest RAM untyped of the boot information (WARD_MAX_UNTYPED: none). */
static unsigned largest_ram(const struct ward_bootinfo *bi)
{
	unsigned best = WARD_MAX_UNTYPED;

	for (unsigned i = 0; i < bi->untyped_count && i < WARD_MAX_UNTYPED; i++) {
		if (bi->untyped[i].is_device)
			continue;
		if (best == WARD_MAX_UNTYPED ||
		    bi->untyped[i].size_bits > bi->untyped[best].size_bits)
			best = i;
	}
	return best;
}

/* A process: its untyped and free slots, from the start information. */
static void init_process(const struct ward_startinfo *si)
{
	if (si->untyped_bits == 0)
		fail("a test process needs untyped=B among its arguments");
	proc_slots_init(si->free_first, si->free_last);
	ram_untyped = WARD_PROC_CAP_UNTYPED;
	ram_untyped_bits = si->untyped_bits;
	tcb_authority = si->tcb;
	cpu_count = si->cpu_count;
	va_area.next = WT_PROC_VA_BASE;
}

void wt_init(void)
{
	const struct ward_bootinfo *bi = ward_bootinfo;
	unsigned best;

	if (bi == NULL && ward_startinfo != NULL) {
		init_process(ward_startinfo);
		return;
	}
	if (bi == NULL || bi->magic != WARD_BOOTINFO_MAGIC || bi->version != WARD_BOOTINFO_VERSION)
		fail("no usable boot information");
	wt_bi = bi;
	tcb_authority = WARD_CAP_INIT_TCB;
	cpu_count = bi->cpu_count;
	proc_slots_init(bi->empty_first, bi->empty_last);
	proc_untyped_init(bi);
	best = largest_ram(bi);
	if (best == WARD_MAX_UNTYPED || bi->untyped[best].size_bits < 22)
		fail("no RAM untyped of 4 MiB or more");
	ram_untyped = bi->untyped_first + best;
	ram_untyped_bits = bi->untyped[best].size_bits;
}

unsigned wt_cpu_count(void)
{
	return cpu_count;
}

uint64_t wt_tcb_authority(void)
{
	return tcb_authority;
}

uint64_t wt_slot(void)
{
	return wt_slots(1);
}

uint64_t wt_slots(unsigned count)
{
	uint64_t s = proc_slots_alloc(count);

	if (s == 0)
		fail("out of free slots in the root CNode");
	return s;
}

uint64_t wt_ram_untyped(void)
{
	return ram_untyped;
}

unsigned wt_ram_untyped_bits(void)
{
	return ram_untyped_bits;
}

static const char *const err_names[] = {
        "WARD_OK",
        "WARD_ERR_INVALID_ARGUMENT",
        "WARD_ERR_INVALID_CAPABILITY",
        "WARD_ERR_ILLEGAL_OPERATION",
        "WARD_ERR_RANGE",
        "WARD_ERR_ALIGNMENT",
        "WARD_ERR_FAILED_LOOKUP",
        "WARD_ERR_TRUNCATED_MESSAGE",
        "WARD_ERR_DELETE_FIRST",
        "WARD_ERR_REVOKE_FIRST",
        "WARD_ERR_NOT_ENOUGH_MEMORY",
        "WARD_ERR_INSUFFICIENT_RIGHTS",
        "WARD_ERR_CANCELLED",
        "WARD_ERR_UNKNOWN_SYSCALL",
        "WARD_ERR_BADGE_REVOKED",
};

const char *wt_err_name(uint64_t err)
{
	if (err == WT_PROBE_DONE)
		return "probe done";
	if (err < sizeof(err_names) / sizeof(err_names[0]))
		return err_names[err];
	return "(not an error code)";
}

uint64_t wt_obj_from(uint64_t untyped, unsigned type, unsigned size_bits)
{
	uint64_t s;
	enum ward_error e = proc_retype(untyped, type, size_bits, &s);

	if (e != WARD_OK) {
		ward_printf("# wtest: retype of type %u (%u bits) from cap %llu: %s\n", type,
		            size_bits, (unsigned long long)untyped, wt_err_name(e));
		return 0;
	}
	return s;
}

uint64_t wt_obj(unsigned type, unsigned size_bits)
{
	return wt_obj_from(ram_untyped, type, size_bits);
}

/* Reports a failed copy or mint of `src` into `s`: 0, or s. */
static uint64_t copied(enum ward_error e, const char *what, uint64_t src, uint64_t s)
{
	if (e == WARD_OK)
		return s;
	ward_printf("# wtest: %s of cap %llu: %s\n", what, (unsigned long long)src, wt_err_name(e));
	return 0;
}

uint64_t wt_copy(uint64_t src, uint64_t rights)
{
	uint64_t s = wt_slot();
	enum ward_error e =
	        ward_cnode_copy(WARD_CAP_INIT_CNODE, s, 64, WARD_CAP_INIT_CNODE, src, 64, rights);

	return copied(e, "copy", src, s);
}

uint64_t wt_mint(uint64_t src, uint64_t rights, uint64_t badge)
{
	uint64_t s = wt_slot();
	enum ward_error e = ward_cnode_mint(WARD_CAP_INIT_CNODE, s, 64, WARD_CAP_INIT_CNODE, src,
	                                    64, rights, badge);

	return copied(e, "mint", src, s);
}

enum ward_error wt_delete(uint64_t slot)
{
	return ward_cnode_delete(WARD_CAP_INIT_CNODE, slot, 64);
}

uint64_t wt_va(unsigned pages)
{
	return proc_va_alloc(&va_area, pages);
}

enum ward_error wt_map_in(uint64_t vspace, uint64_t frame, uint64_t va, uint64_t rights)
{
	return proc_map_into(vspace, ram_untyped, frame, va, rights);
}

enum ward_error wt_map(uint64_t frame, uint64_t va, uint64_t rights)
{
	return wt_map_in(WARD_CAP_INIT_VSPACE, frame, va, rights);
}

void *wt_map_free(uint64_t frame, uint64_t rights)
{
	uint64_t va = wt_va(1);
	enum ward_error e = wt_map(frame, va, rights);

	if (e != WARD_OK) {
		ward_printf("# wtest: mapping frame %llu at %llx: %s\n", (unsigned long long)frame,
		            (unsigned long long)va, wt_err_name(e));
		return NULL;
	}
	return (void *)va;
}

void *wt_page(uint64_t rights, uint64_t *frame)
{
	uint64_t f = wt_obj(WARD_OBJ_FRAME, 0);
	void *page = f != 0 ? wt_map_free(f, rights) : NULL;

	if (page != NULL && frame != NULL)
		*frame = f;
	return page;
}

bool wt_wait_signal(uint64_t ntfn, unsigned tries, uint64_t *badge)
{
	uint64_t bits = 0;

	for (unsigned i = 0; i < tries && bits == 0; i++) {
		ward_poll(ntfn, &bits);
		if (bits == 0)
			ward_yield();
	}
	if (badge != NULL)
		*badge = bits;
	return bits != 0;
}

/* --- threads ----------------------------------------------------------- */

__attribute__((noreturn)) static void thread_entry(struct wt_thread *t)
{
	t->fn(t);
	t->finished = 1;
	ward_signal(t->done);
	ward_tcb_suspend(t->tcb);
	for (;;)
		ward_yield();
}

void wt_thread_initial_regs(struct wt_thread *t, uint64_t regs[WARD_REG_COUNT])
{
	for (unsigned i = 0; i < WARD_REG_COUNT; i++)
		regs[i] = 0;
	regs[WARD_REG_RIP] = (uint64_t)thread_entry;
	regs[WARD_REG_RSP] = t->stack_top - 8; /* as after a call: (rsp + 8) % 16 == 0 */
	regs[WARD_REG_RDI] = (uint64_t)t;
	regs[WARD_REG_FS_BASE] = (uint64_t)t->block;
}

bool wt_thread_new(struct wt_thread *t, const char *name, wt_fn fn, void *arg, unsigned priority)
{
	return wt_thread_new_with_tcb(t, wt_obj(WARD_OBJ_TCB, 0), name, fn, arg, priority);
}

bool wt_thread_new_with_tcb(struct wt_thread *t, uint64_t tcb, const char *name, wt_fn fn,
                            void *arg, unsigned priority)
{
	uint64_t regs[WARD_REG_COUNT];
	enum ward_error e;
	uint8_t *page;

	memset((void *)t, 0, sizeof(*t));
	t->fn = fn;
	t->arg = arg;
	t->tcb = tcb;
	t->done = wt_obj(WARD_OBJ_NOTIFICATION, 0);
	page = wt_page(WT_RIGHTS_RW, &t->ipc_frame);
	if (t->tcb == 0 || t->done == 0 || page == NULL)
		return false;
	t->ipc = (struct ward_ipc_buffer *)page;
	t->block = (uintptr_t *)(page + 2048);
	ward_thread_block_init(t->block, t->ipc);
	t->stack_base = wt_va(WT_STACK_PAGES);
	t->stack_top = t->stack_base + WT_STACK_PAGES * WT_PAGE;
	for (unsigned i = 0; i < WT_STACK_PAGES; i++) {
		uint64_t f = wt_obj(WARD_OBJ_FRAME, 0);
		if (f == 0 || wt_map(f, t->stack_base + i * WT_PAGE, WT_RIGHTS_RW) != WARD_OK)
			return false;
	}
	e = ward_tcb_configure(t->tcb, WARD_CAP_INIT_CNODE, WARD_CAP_INIT_VSPACE, t->ipc_frame,
	                       (uint64_t)t->ipc);
	if (e == WARD_OK && tcb_authority != 0)
		e = ward_tcb_set_priority(t->tcb, tcb_authority, priority);
	if (e == WARD_OK) {
		wt_thread_initial_regs(t, regs);
		e = ward_tcb_write_registers(t->tcb, 0, WARD_REG_COUNT, regs);
	}
	if (e != WARD_OK) {
		ward_printf("# wtest: setting up thread '%s': %s\n", name, wt_err_name(e));
		return false;
	}
	ward_debug_name(t->tcb, name);
	return true;
}

enum ward_error wt_thread_start(struct wt_thread *t)
{
	return ward_tcb_resume(t->tcb);
}

void wt_thread_join(struct wt_thread *t)
{
	uint64_t badge;

	while (!t->finished)
		ward_wait(t->done, &badge);
}

/* --- settling ---------------------------------------------------------- */

static struct wt_thread settler;
static uint64_t settle_kick, settle_back;

static void settle_loop(struct wt_thread *self)
{
	uint64_t badge;

	(void)self;
	for (;;) {
		ward_wait(settle_kick, &badge);
		ward_signal(settle_back);
	}
}

void wt_settle(void)
{
	uint64_t badge;

	if (settler.tcb == 0) {
		settle_kick = wt_obj(WARD_OBJ_NOTIFICATION, 0);
		settle_back = wt_obj(WARD_OBJ_NOTIFICATION, 0);
		if (settle_kick == 0 || settle_back == 0 ||
		    !wt_thread_new(&settler, "settler", settle_loop, NULL, WT_SETTLE_PRIORITY) ||
		    wt_thread_start(&settler) != WARD_OK)
			fail("cannot start the settling thread");
	}
	ward_signal(settle_kick);
	ward_wait(settle_back, &badge);
}

/* --- probes ------------------------------------------------------------ */

static struct wt_thread prober;
static uint64_t probe_ep, probe_reply;
static void (*probe_fn)(uint64_t);
static uint64_t probe_arg;

static void probe_body(struct wt_thread *self)
{
	uint64_t mr[4] = {0};

	probe_fn(probe_arg);
	/* Stays blocked on the reply that never comes; the root suspends it. */
	ward_call(probe_ep, ward_msginfo(WT_PROBE_DONE, 0, 0, 0), mr);
	(void)self;
}

uint64_t wt_probe(void (*fn)(uint64_t), uint64_t arg, struct wt_probe_result *out)
{
	uint64_t regs[WARD_REG_COUNT], badge, mr[4];
	ward_msginfo_t info;
	enum ward_error e;

	if (prober.tcb == 0) {
		probe_ep = wt_obj(WARD_OBJ_ENDPOINT, 0);
		probe_reply = wt_obj(WARD_OBJ_REPLY, 0);
		if (probe_ep == 0 || probe_reply == 0 ||
		    !wt_thread_new(&prober, "prober", probe_body, NULL, WT_PROBE_PRIORITY) ||
		    ward_tcb_set_fault_handler(prober.tcb, probe_ep) != WARD_OK)
			fail("cannot set up the probe thread");
	}
	probe_fn = fn;
	probe_arg = arg;
	wt_thread_initial_regs(&prober, regs);
	e = ward_tcb_write_registers(prober.tcb, 1, WARD_REG_COUNT, regs);
	if (e != WARD_OK) {
		ward_printf("# wtest: starting the probe: %s\n", wt_err_name(e));
		return ~0ULL;
	}
	info = ward_recv(probe_ep, probe_reply, &badge, mr);
	ward_tcb_suspend(prober.tcb);
	if (out != NULL) {
		out->label = ward_msginfo_label(info);
		for (unsigned i = 0; i < WARD_MSG_REGISTERS; i++)
			out->mr[i] = mr[i];
	}
	return ward_msginfo_label(info);
}

void wt_read_byte(uint64_t va)
{
	(void)*(volatile uint8_t *)va;
}

void wt_write_byte(uint64_t va)
{
	*(volatile uint8_t *)va = 0x5a;
}

void wt_call_address(uint64_t va)
{
	((void (*)(void))va)();
}

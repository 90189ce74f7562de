/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Client processes for tests (wclient.h): the test's own image copied into
 * a VSpace of the client's, a CNode with the listed caps, a TCB on the
 * chosen CPU, all from one untyped so that ending the client is one Revoke.
 * The test writes the client's pages through one scratch address of its
 * own, mapping a copy of each frame cap there in turn (a cap maps once).
 */
#include <string.h>
#include <ward/invoke.h>
#include <proc/map.h>
#include <proc/slots.h>
#include "wclient.h"
#include "wtest.h"

#define CN         WARD_CAP_INIT_CNODE /* the test's CNode: slot 2 in a process too */
#define R_X        (WARD_RIGHT_READ | WARD_RIGHT_EXECUTE)
#define BLOCK      2048 /* the thread block's offset in the IPC buffer's page */
#define ENV        3072 /* and the env's, after the block's 128 words */
#define PAGE_UP(a) (((uint64_t)(a) + WT_PAGE - 1) & ~(WT_PAGE - 1))

_Static_assert(BLOCK + WARD_TLS_BLOCK_WORDS * 8 <= ENV, "thread block before the env");
_Static_assert(ENV + sizeof(struct wt_client_env) <= WT_PAGE, "env within the page");

/* The test's loaded image (GNU ld's default script provides these). */
extern const char __executable_start[], etext[], _end[];

static uint64_t scratch_va;

__attribute__((noreturn)) static void client_entry(const struct wt_client_env *env)
{
	env->fn(env);
	ward_signal(WT_CLIENT_CAP_DONE);
	ward_tcb_suspend(WT_CLIENT_CAP_TCB);
	for (;;)
		ward_yield();
}

static enum ward_error report(enum ward_error err, const char *name, const char *step)
{
	if (err != WARD_OK)
		ward_printf("# wclient: %s: %s: %s\n", name, step, wt_err_name(err));
	return err;
}

/* Copies one page into `frame` through the scratch address. */
static enum ward_error fill_page(uint64_t frame, const void *src)
{
	uint64_t view = wt_copy(frame, WT_RIGHTS_RW);
	enum ward_error err;

	if (view == 0)
		return WARD_ERR_NOT_ENOUGH_MEMORY;
	if (scratch_va == 0)
		scratch_va = wt_va(1);
	if ((err = wt_map(view, scratch_va, WT_RIGHTS_RW)) == WARD_OK) {
		memcpy((void *)scratch_va, src, WT_PAGE);
		ward_frame_unmap(view);
	}
	wt_delete(view);
	proc_slots_free(view, 1);
	return err;
}

/* A new frame of the client, filled from src (NULL: zero), mapped in its VSpace at va. */
static enum ward_error client_page(struct wt_client *c, const void *src, uint64_t va,
                                   uint64_t rights, uint64_t *frame)
{
	uint64_t f = wt_obj_from(c->untyped, WARD_OBJ_FRAME, 0);
	enum ward_error err;

	if (f == 0)
		return WARD_ERR_NOT_ENOUGH_MEMORY;
	if (src != NULL && (err = fill_page(f, src)) != WARD_OK)
		return err;
	if (frame != NULL)
		*frame = f;
	return proc_map_into(c->vspace, c->untyped, f, va, rights);
}

static enum ward_error copy_image(struct wt_client *c)
{
	uint64_t text_end = PAGE_UP(etext), end = PAGE_UP(_end);
	enum ward_error err = WARD_OK;

	for (uint64_t va = (uint64_t)__executable_start; va < end && err == WARD_OK; va += WT_PAGE)
		err = client_page(c, (const void *)va, va, va < text_end ? R_X : WT_RIGHTS_RW,
		                  NULL);
	return err;
}

/* The client's objects: CNode (guarded: cptr = slot), VSpace, TCB on its CPU, `done`. */
static enum ward_error make_objects(struct wt_client *c, const struct wt_client_config *cfg)
{
	uint64_t raw = wt_obj_from(c->untyped, WARD_OBJ_CNODE, WT_CLIENT_CNODE_RADIX);
	enum ward_error err;

	c->cnode = wt_slot();
	if (raw == 0 || (err = ward_cnode_mutate(CN, c->cnode, 64, CN, raw, 64,
	                                         64 - WT_CLIENT_CNODE_RADIX)) != WARD_OK)
		return raw == 0 ? WARD_ERR_NOT_ENOUGH_MEMORY : err;
	c->vspace = wt_obj_from(c->untyped, WARD_OBJ_PML4, 0);
	c->tcb = wt_obj_from(c->untyped, WARD_OBJ_TCB, 0);
	c->done = wt_obj_from(c->untyped, WARD_OBJ_NOTIFICATION, 0);
	if (c->vspace == 0 || c->tcb == 0 || c->done == 0)
		return WARD_ERR_NOT_ENOUGH_MEMORY;
	if ((err = ward_tcb_set_affinity(c->tcb, cfg->cpu)) != WARD_OK)
		return err;
	if (wt_tcb_authority() != 0)
		return ward_tcb_set_priority(c->tcb, wt_tcb_authority(), cfg->priority);
	return WARD_OK;
}

/* Its CSpace: own TCB, CNode, `done` (badge 1), then the config's caps. */
static enum ward_error fill_cspace(struct wt_client *c, const struct wt_client_config *cfg)
{
	enum ward_error err;

	if ((err = ward_cnode_copy(c->cnode, WT_CLIENT_CAP_TCB, 64, CN, c->tcb, 64,
	                           WARD_RIGHTS_ALL)) ||
	    (err = ward_cnode_copy(c->cnode, WT_CLIENT_CAP_CNODE, 64, CN, c->cnode, 64,
	                           WARD_RIGHTS_ALL)) ||
	    (err = ward_cnode_mint(c->cnode, WT_CLIENT_CAP_DONE, 64, CN, c->done, 64,
	                           WARD_RIGHT_WRITE, 1)))
		return err;
	for (unsigned i = 0; i < cfg->cap_count; i++)
		if ((err = ward_cnode_copy(c->cnode, WT_CLIENT_CAP_FIRST + i, 64, CN, cfg->caps[i],
		                           64, WARD_RIGHTS_ALL)) != WARD_OK)
			return err;
	return WARD_OK;
}

/* Stack, shared page, IPC buffer page (thread block and env in it); then the registers. */
static enum ward_error start_thread(struct wt_client *c, const struct wt_client_config *cfg)
{
	static uint8_t ipc_page[WT_PAGE]; /* the IPC buffer's page as the client first sees it */
	uint64_t stack = wt_va(WT_CLIENT_STACK_PAGES), share = wt_va(1), ipc = wt_va(1);
	uint64_t share_frame, ipc_frame, regs[WARD_REG_COUNT] = {0}, view;
	struct wt_client_env env = {cfg->arg, cfg->cpu, cfg->cap_count, (volatile uint64_t *)share,
	                            cfg->fn};
	enum ward_error err = WARD_OK;

	for (unsigned i = 0; i < WT_CLIENT_STACK_PAGES && err == WARD_OK; i++)
		err = client_page(c, NULL, stack + i * WT_PAGE, WT_RIGHTS_RW, NULL);
	if (err != WARD_OK || (err = client_page(c, NULL, share, WT_RIGHTS_RW, &share_frame)))
		return err;
	if ((view = wt_copy(share_frame, WT_RIGHTS_RW)) == 0 ||
	    (c->share = wt_map_free(view, WT_RIGHTS_RW)) == NULL)
		return WARD_ERR_NOT_ENOUGH_MEMORY;
	memset(ipc_page, 0, sizeof(ipc_page));
	((uint64_t *)(ipc_page + BLOCK))[0] = ipc + BLOCK; /* as ward_thread_block_init */
	((uint64_t *)(ipc_page + BLOCK))[WARD_TLS_IPC_BUFFER_WORD] = ipc;
	memcpy(ipc_page + ENV, &env, sizeof(env));
	if ((err = client_page(c, ipc_page, ipc, WT_RIGHTS_RW, &ipc_frame)) ||
	    (err = ward_tcb_configure(c->tcb, c->cnode, c->vspace, ipc_frame, ipc)))
		return err;
	ward_debug_name(c->tcb, cfg->name);
	regs[WARD_REG_RIP] = (uint64_t)client_entry;
	regs[WARD_REG_RSP] = stack + WT_CLIENT_STACK_PAGES * WT_PAGE - 8; /* as after a call */
	regs[WARD_REG_RDI] = ipc + ENV;
	regs[WARD_REG_FS_BASE] = ipc + BLOCK;
	return ward_tcb_write_registers(c->tcb, 1, WARD_REG_COUNT, regs);
}

enum ward_error wt_client_start(struct wt_client *c, const struct wt_client_config *cfg)
{
	unsigned bits = cfg->bits != 0 ? cfg->bits : WT_CLIENT_BITS;
	enum ward_error err;

	memset(c, 0, sizeof(*c));
	if (cfg->cap_count > WT_CLIENT_MAX_CAPS)
		return report(WARD_ERR_RANGE, cfg->name, "too many caps");
	/* Before any memory is spent; SetAffinity checks it again. */
	if (cfg->cpu >= wt_cpu_count())
		return report(WARD_ERR_RANGE, cfg->name, "no such CPU");
	if ((c->untyped = wt_obj(WARD_OBJ_UNTYPED, bits)) == 0)
		return report(WARD_ERR_NOT_ENOUGH_MEMORY, cfg->name, "its memory");
	c->bits = bits;
	if ((err = report(make_objects(c, cfg), cfg->name, "objects and CPU")) ||
	    (err = report(fill_cspace(c, cfg), cfg->name, "its caps")) ||
	    (err = report(copy_image(c), cfg->name, "copying the image")) ||
	    (err = report(start_thread(c, cfg), cfg->name, "its thread")))
		wt_client_end(c);
	return err;
}

bool wt_client_join(struct wt_client *c, unsigned tries)
{
	return wt_wait_signal(c->done, tries, NULL);
}

bool wt_client_end(struct wt_client *c)
{
	uint64_t whole = wt_slot();
	bool ok;

	if (c->tcb != 0)
		ward_tcb_suspend(c->tcb);
	ward_cnode_revoke(CN, c->untyped, 64);
	/* Proof that nothing of it survived: the untyped retypes entire. */
	ok = ward_untyped_retype(c->untyped, WARD_OBJ_UNTYPED, c->bits, CN, 0, 0, whole, 1) ==
	     WARD_OK;
	wt_delete(whole);
	proc_slots_free(whole, 1);
	c->tcb = c->done = 0;
	c->share = NULL;
	return ok;
}

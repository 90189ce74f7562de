/* SPDX-License-Identifier: BSD-2-Clause */
/* Frame_Map that makes missing paging structures; address-space areas (proc/map.h). */
#include <ward/invoke.h>
#include <proc/map.h>
#include <proc/untyped.h>

/* At most one table per level can be missing: PDPT, PD, PT, then the frame maps. */
#define MAX_ATTEMPTS 4

static unsigned table_type(uint64_t level)
{
	switch (level) {
	case 3:
		return WARD_OBJ_PDPT;
	case 2:
		return WARD_OBJ_PD;
	case 1:
		return WARD_OBJ_PT;
	default:
		return 0;
	}
}

enum ward_error proc_map_frame(const struct proc_tables *t, uint64_t frame, uint64_t va,
                               uint64_t rights)
{
	enum ward_error err = WARD_ERR_FAILED_LOOKUP;

	for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
		unsigned type;
		uint64_t table;
		err = ward_frame_map(frame, t->vspace, va, rights);
		if (err != WARD_ERR_FAILED_LOOKUP)
			return err;
		if ((type = table_type(ward_last_error().lo)) == 0)
			return err;
		if ((err = t->make(t->ctx, type, &table)) != WARD_OK)
			return err;
		if ((err = ward_page_table_map(table, t->vspace, va)) != WARD_OK ||
		    (err = t->keep(t->ctx, table)) != WARD_OK) {
			ward_cnode_delete(WARD_CAP_INIT_CNODE, table, 64);
			return err;
		}
	}
	return err;
}

/* ctx: the untyped cptr tables come from; 0 means the root task's own pool. */
static enum ward_error untyped_make(void *ctx, unsigned type, uint64_t *slot)
{
	uint64_t untyped = *(const uint64_t *)ctx;

	if (untyped == 0)
		return proc_object(type, 0, slot);
	return proc_retype(untyped, type, 0, slot);
}

static enum ward_error root_keep(void *ctx, uint64_t slot)
{
	(void)ctx;
	(void)slot; /* it stays in its root slot */
	return WARD_OK;
}

enum ward_error proc_map_into(uint64_t vspace, uint64_t untyped, uint64_t frame, uint64_t va,
                              uint64_t rights)
{
	const struct proc_tables t = {vspace, untyped_make, root_keep, &untyped};

	return proc_map_frame(&t, frame, va, rights);
}

enum ward_error proc_map_root(uint64_t frame, uint64_t va, uint64_t rights)
{
	return proc_map_into(WARD_CAP_INIT_VSPACE, 0, frame, va, rights);
}

uint64_t proc_va_alloc(struct proc_va_area *area, unsigned pages)
{
	uint64_t va = area->next + PROC_VA_PAGE; /* the guard page stays unmapped */

	area->next = va + pages * PROC_VA_PAGE;
	return va;
}

/* SPDX-License-Identifier: BSD-2-Clause */
/* Frame_Map that makes missing paging structures (proc/map.h). */
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

static enum ward_error root_make(void *ctx, unsigned type, uint64_t *slot)
{
	(void)ctx;
	return proc_object(type, 0, slot);
}

static enum ward_error root_keep(void *ctx, uint64_t slot)
{
	(void)ctx;
	(void)slot; /* it stays in its root slot */
	return WARD_OK;
}

enum ward_error proc_map_root(uint64_t frame, uint64_t va, uint64_t rights)
{
	const struct proc_tables t = {WARD_CAP_INIT_VSPACE, root_make, root_keep, NULL};

	return proc_map_frame(&t, frame, va, rights);
}

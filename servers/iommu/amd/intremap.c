/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Interrupt remapping tables (§2.2.5): the unit looks an MSI up in the
 * table of the DeviceID that sent it (DTE quadword 2, IntCtl 10b), at the
 * index in the MSI data's low bits, so a table's owner is its source
 * check. The core's interface numbers entries unit-wide; here an index is
 * held by one DeviceID at a time (irq_table_of[]), and moving it to
 * another device clears it in the first one's table. A device's table is
 * made on its first entry and kept; its DTE switches to remapping then,
 * and amdvi_dte_set()/amdvi_dte_block() keep that quadword from then on.
 */
#include <string.h>

#include "amdvi_hw.h"

static bool usable(const struct amdvi_unit *u)
{
	return u->state == AMDVI_UNIT_PREPARED || u->state == AMDVI_UNIT_ENABLED;
}

static volatile uint32_t *slot_of(const struct amdvi_irq_table *t, uint32_t index)
{
	return &((volatile uint32_t *)t->page.va)[index];
}

/* The table of `devid`: found, or made (and the device switched to it); NULL without memory. */
static struct amdvi_irq_table *table_for(struct amdvi_unit *u, uint16_t devid,
                                         struct amdvi_cmd *inv, size_t *ninv)
{
	struct amdvi_irq_table *free = NULL;

	for (unsigned i = 0; i < AMDVI_IRQ_TABLES; i++) {
		if (u->irq_tables[i].used && u->irq_tables[i].devid == devid)
			return &u->irq_tables[i];
		if (!u->irq_tables[i].used && free == NULL)
			free = &u->irq_tables[i];
	}
	if (free == NULL || !u->env->alloc(u->env->ctx, AMDVI_PAGE_SIZE, &free->page))
		return NULL;
	free->used = true;
	free->devid = devid;
	amdvi_entries_written(u, free->page.va, AMDVI_IRQ_ENTRIES * AMDVI_IRTE_BYTES);
	amdvi_dte_set_interrupts(u, devid, amdvi_dte_int_remap(free->page.pa, AMDVI_IRQ_LEN_LOG2));
	inv[(*ninv)++] = amdvi_cmd_inv_devtab(devid);
	return free;
}

/* Clears `index` where it is held; appends that table's invalidation. */
static void release(struct amdvi_unit *u, uint32_t index, struct amdvi_cmd *inv, size_t *ninv)
{
	struct amdvi_irq_table *t;

	if (u->irq_table_of[index] == AMDVI_IRQ_NONE)
		return;
	t = &u->irq_tables[u->irq_table_of[index]];
	*slot_of(t, index) = 0;
	amdvi_entries_written(u, (const void *)slot_of(t, index), AMDVI_IRTE_BYTES);
	inv[(*ninv)++] = amdvi_cmd_inv_interrupt_table(t->devid);
	u->irq_table_of[index] = AMDVI_IRQ_NONE;
}

static enum amdvi_status check(const struct amdvi_unit *u, uint32_t index, size_t *ninv)
{
	if (u == NULL || ninv == NULL)
		return AMDVI_E_ARG;
	*ninv = 0;
	if (!usable(u))
		return AMDVI_E_STATE;
	return index < AMDVI_IRQ_ENTRIES ? AMDVI_OK : AMDVI_E_ARG;
}

enum amdvi_status amdvi_irte_set(struct amdvi_unit *u, uint32_t index, uint16_t devid,
                                 uint32_t irte, struct amdvi_cmd inv[AMDVI_IRTE_INV_MAX],
                                 size_t *ninv)
{
	enum amdvi_status st = check(u, index, ninv);
	struct amdvi_irq_table *t;
	struct amdvi_cmd made[1];
	size_t nmade = 0;

	if (st != AMDVI_OK)
		return st;
	if (devid == u->devid)
		return AMDVI_E_ARG;
	if ((t = table_for(u, devid, made, &nmade)) == NULL)
		return AMDVI_E_NO_MEMORY;
	if (u->irq_table_of[index] != (uint8_t)(t - u->irq_tables))
		release(u, index, inv, ninv);
	*slot_of(t, index) = irte;
	amdvi_entries_written(u, (const void *)slot_of(t, index), AMDVI_IRTE_BYTES);
	u->irq_table_of[index] = (uint8_t)(t - u->irq_tables);
	for (size_t i = 0; i < nmade; i++)
		inv[(*ninv)++] = made[i];
	inv[(*ninv)++] = amdvi_cmd_inv_interrupt_table(devid);
	return AMDVI_OK;
}

enum amdvi_status amdvi_irte_clear(struct amdvi_unit *u, uint32_t index,
                                   struct amdvi_cmd inv[AMDVI_IRTE_INV_MAX], size_t *ninv)
{
	enum amdvi_status st = check(u, index, ninv);

	if (st == AMDVI_OK)
		release(u, index, inv, ninv);
	return st;
}

bool amdvi_irte_get(const struct amdvi_unit *u, uint32_t index, uint16_t *devid, uint32_t *irte)
{
	const struct amdvi_irq_table *t;

	if (u == NULL || index >= AMDVI_IRQ_ENTRIES || u->irq_table_of[index] == AMDVI_IRQ_NONE)
		return false;
	t = &u->irq_tables[u->irq_table_of[index]];
	*devid = t->devid;
	*irte = *slot_of(t, index);
	return true;
}

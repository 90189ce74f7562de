/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The server: start-up, the request loop, and the badge check every
 * handler begins with. Requests are decoded by libs/ipc's dispatcher
 * through the table generated from pci.protocol; the loop is the server's
 * own (rather than ward_server_run) because two replies carry a
 * capability: a BAR frame (MAP_BAR) and a device-badged endpoint cap
 * (DEVICE_CAP). The server accepts no capability in requests: its receive
 * slot is never armed, so whatever a client attaches is dropped by the
 * kernel, and an unwrapped cap is refused by the dispatcher.
 */
#include <string.h>
#include <ward/invoke.h>
#include <ward/rt.h>

#include "pci_server.h"
#include "pci_state.h"

static struct pci_server pci_the_server;

enum ward_error pci_authorize(struct ward_request *rq, uint64_t sbdf, unsigned arg,
                              bool privileged_only, struct pci_entry **out)
{
	struct pci_server *s = rq->ctx;
	struct pci_entry *e;
	uint32_t index;

	if (rq->badge == PCI_BADGE_PRIVILEGED) {
		if ((*out = pci_table_find(s, sbdf)) == NULL)
			return ward_fail(rq, PCI_ERR_NO_DEVICE, arg, 0, UINT32_MAX);
		return WARD_OK;
	}
	if (!pci_badge_is_device(rq->badge))
		return ward_fail(rq, PCI_ERR_DENIED, WARD_ARG_CAP, 0, 0);
	index = pci_badge_index(rq->badge);
	if (index >= s->n || !s->e[index].present ||
	    s->e[index].generation != pci_badge_generation(rq->badge))
		return ward_fail(rq, PCI_ERR_STALE, WARD_ARG_CAP, 0, 0);
	e = &s->e[index];
	if (privileged_only)
		return ward_fail(rq, PCI_ERR_DENIED, WARD_ARG_CAP, 0, 0);
	/* The one function this badge may act on: its own SBDF is the range. */
	if (sbdf != e->dev.sbdf)
		return ward_fail(rq, PCI_ERR_WRONG_DEVICE, arg, e->dev.sbdf, e->dev.sbdf);
	*out = e;
	return WARD_OK;
}

/* For requests that name no function: the privileged badge only. */
static enum ward_error pci_authorize_privileged(struct ward_request *rq)
{
	struct pci_entry *e;

	if (rq->badge == PCI_BADGE_PRIVILEGED)
		return WARD_OK;
	/* Stale device badges say so; live ones are denied. */
	return pci_authorize(rq, 0, 0, true, &e);
}

enum ward_error pci_serve_lspci(struct ward_request *rq, uint64_t *count)
{
	struct pci_server *s = rq->ctx;
	enum ward_error err;

	if ((err = pci_authorize_privileged(rq)) != WARD_OK)
		return err;
	pci_listing_print(s);
	*count = 0;
	for (unsigned i = 0; i < s->n; i++)
		*count += s->e[i].present;
	return WARD_OK;
}

enum ward_error pci_serve_list(struct ward_request *rq, uint64_t cursor, uint64_t id_match,
                               uint64_t id_mask, uint64_t sbdf_match, uint64_t sbdf_mask,
                               uint64_t *next, uint64_t *count, uint64_t *sbdf0, uint64_t *sbdf1,
                               uint64_t *sbdf2, uint64_t *sbdf3, uint64_t *sbdf4, uint64_t *sbdf5,
                               uint64_t *sbdf6, uint64_t *sbdf7)
{
	uint64_t *out[PCI_LIST_BATCH] = {sbdf0, sbdf1, sbdf2, sbdf3, sbdf4, sbdf5, sbdf6, sbdf7};
	struct pci_server *s = rq->ctx;
	enum ward_error err;
	unsigned found = 0;
	uint64_t i;

	if ((err = pci_authorize_privileged(rq)) != WARD_OK)
		return err;
	for (unsigned k = 0; k < PCI_LIST_BATCH; k++)
		*out[k] = PCI_NO_SBDF;
	for (i = cursor; i < s->n && found < PCI_LIST_BATCH; i++) {
		const struct pci_dev *d = &s->e[i].dev;
		uint64_t key = PCI_LIST_KEY(d->class_code, d->device_id, d->vendor_id);

		if (s->e[i].present && (key & id_mask) == (id_match & id_mask) &&
		    (d->sbdf & sbdf_mask) == (sbdf_match & sbdf_mask))
			*out[found++] = d->sbdf;
	}
	*count = found;
	*next = i < s->n ? i : PCI_LIST_END;
	return WARD_OK;
}

/* Everything the kernel and the dispatcher need to answer one request. */
static ward_msginfo_t pci_answer(struct pci_server *s, struct ward_ipc_buffer *buf, uint64_t badge,
                                 ward_msginfo_t info, uint64_t mr[WARD_MSG_REGISTERS])
{
	struct ward_request rq;
	unsigned caps = 0;

	ward_request_init(&rq, badge, info, s->in, 0, &s->out);
	for (unsigned i = 0; i < rq.length; i++)
		s->in[i] = i < WARD_MSG_REGISTERS ? mr[i] : buf->msg[i];
	rq.ctx = s;
	s->reply_cap = 0;
	ward_dispatch(&pci_protocol, &rq);
	for (unsigned i = 0; i < s->out.length; i++) {
		if (i < WARD_MSG_REGISTERS)
			mr[i] = s->out.mr[i];
		else
			buf->msg[i] = s->out.mr[i];
	}
	if (s->out.label == WARD_OK && s->reply_cap != 0) {
		buf->caps_or_badges[0] = s->reply_cap;
		caps = 1;
	}
	return ward_msginfo(s->out.label, 0, caps, s->out.length);
}

uint64_t pci_server_run(struct pci_server *s)
{
	struct ward_ipc_buffer *buf = ward_ipc_buffer();
	uint64_t mr[WARD_MSG_REGISTERS] = {0}, badge;
	ward_msginfo_t info;

	/* No receive slot: capabilities sent to the server are not taken. */
	buf->receive_cnode = 0;
	buf->receive_depth = 0;
	info = ward_recv(s->cfg.endpoint, s->cfg.reply, &badge, mr);
	for (;;) {
		if (badge == 0) {
			/* libs/ipc's badge rule: a failed Recv, or the unbadged cap's stop. */
			const uint64_t none[WARD_MSG_REGISTERS] = {0};

			ward_reply(s->cfg.reply, ward_msginfo(WARD_OK, 0, 0, 0), none);
			return ward_msginfo_label(info);
		}
		info = pci_answer(s, buf, badge, info, mr);
		info = ward_reply_recv(s->cfg.endpoint, s->cfg.reply, info, &badge, mr);
	}
}

static bool pci_config_ok(const struct pci_server_config *cfg)
{
	return cfg->necam > 0 && cfg->necam <= PCI_ECAM_MAX && cfg->ndevmem <= PCI_DEVMEM_MAX &&
	       cfg->slot_count > 0 && cfg->tsc_hz >= 1000 &&
	       cfg->va_base % (1ULL << PCI_LARGE_PAGE_BITS) == 0;
}

struct pci_server *pci_server_init(const struct pci_server_config *cfg)
{
	struct pci_server *s = &pci_the_server;

	if (!pci_config_ok(cfg)) {
		ward_printf("unusable configuration\n");
		return NULL;
	}
	memset(s, 0, sizeof(*s));
	s->cfg = *cfg;
	if (s->cfg.slot_count > PCI_SLOTS_MAX)
		s->cfg.slot_count = PCI_SLOTS_MAX;
	if (!pci_devmem_init(s)) {
		ward_printf("a device untyped region is not naturally aligned\n");
		return NULL;
	}
	if (pci_table_build(s) != WARD_OK) {
		ward_printf("no PCI function found\n");
		return NULL;
	}
	if (cfg->print_listing)
		pci_listing_print(s);
	return s;
}

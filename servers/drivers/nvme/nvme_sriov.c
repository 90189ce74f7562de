/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What a PF's driver does for its VFs' controllers (NVMe Base 1.4 §8.5,
 * SR-IOV and Virtualization Enhancements): a VF's secondary controller
 * starts offline with no queue (VQ) or interrupt (VI) resources; the
 * primary controller assigns it flexible resources and brings it online
 * with Virtualization Management (§5.22), and attaches the namespace the
 * VF is to use (Namespace Attachment, §5.19). Until then the VF's
 * controller refuses CC.EN (QEMU reports CSTS.CFS).
 */
#include <stddef.h>

#include "nvme.h"

static uint16_t le16(volatile const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

enum nvme_err nvme_secondary_of_vf(struct nvme_ctrl *c, uint16_t vf_number, uint16_t *cntlid,
                                   bool *online)
{
	enum nvme_err err = nvme_identify(c, NVME_CNS_SECONDARY_LIST, 0, 0);
	volatile uint8_t *d = nvme_identify_data(c);
	unsigned n;

	if (err != NVME_OK)
		return err;
	n = d[0]; /* Number of Identifiers (§5.15.2.17, Figure 274) */
	for (unsigned i = 0; i < n && i < 127; i++) {
		volatile uint8_t *e = d + NVME_SEC_ENTRY_SIZE * (i + 1);

		if (le16(e + NVME_SEC_VFN) == vf_number) {
			*cntlid = le16(e + NVME_SEC_SCID);
			*online = e[NVME_SEC_SCS] & 1;
			return NVME_OK;
		}
	}
	return NVME_E_ARGUMENT;
}

/* Virtualization Management (§5.22): action `act` on controller cntlid, `nr` of resource rt. */
static enum nvme_err virt_mgmt(struct nvme_ctrl *c, uint32_t act, uint32_t rt, uint16_t cntlid,
                               uint32_t nr)
{
	struct nvme_sqe cmd = {.opcode = NVME_ADMIN_VIRT_MGMT,
	                       .cdw10 = act | rt << 8 | (uint32_t)cntlid << 16,
	                       .cdw11 = nr};

	return nvme_admin(c, &cmd, NULL);
}

enum nvme_err nvme_secondary_online(struct nvme_ctrl *c, uint16_t cntlid, uint16_t queues,
                                    uint16_t interrupts)
{
	enum nvme_err err;

	/* Resources change only while it is offline (§5.22: Secondary Assign). */
	if ((err = virt_mgmt(c, NVME_VM_SEC_OFFLINE, 0, cntlid, 0)) != NVME_OK ||
	    (err = virt_mgmt(c, NVME_VM_SEC_ASSIGN, NVME_VM_RES_VQ, cntlid, queues)) != NVME_OK ||
	    (err = virt_mgmt(c, NVME_VM_SEC_ASSIGN, NVME_VM_RES_VI, cntlid, interrupts)) != NVME_OK)
		return err;
	return virt_mgmt(c, NVME_VM_SEC_ONLINE, 0, cntlid, 0);
}

enum nvme_err nvme_ns_attach(struct nvme_ctrl *c, uint32_t nsid, uint16_t cntlid, bool attach)
{
	volatile uint8_t *list = nvme_identify_data(c);
	struct nvme_sqe cmd = {.opcode = NVME_ADMIN_NS_ATTACH,
	                       .nsid = nsid,
	                       .prp1 = c->control.iova + 4 * NVME_PAGE,
	                       .cdw10 = attach ? 0 : 1}; /* SEL: attach, detach */

	/* A Controller List (§4.9): the count, then the identifiers. */
	for (unsigned i = 0; i < NVME_PAGE; i++)
		list[i] = 0;
	list[0] = 1;
	list[2] = (uint8_t)cntlid;
	list[3] = (uint8_t)(cntlid >> 8);
	return nvme_admin(c, &cmd, NULL);
}

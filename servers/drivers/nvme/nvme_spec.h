/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The NVMe formats the driver uses, from the NVM Express Base
 * Specification, revision 1.4 (cited as NVMe §): controller registers
 * (§3.1), submission and completion queue entries (§4.2, §4.6), status
 * codes (§4.6.1.2), admin commands (§5) and the NVM command set's Read,
 * Write and Flush (NVM Command Set, in Base 1.4 §6). Plain constants and
 * packed structures: no behaviour.
 */
#ifndef NVME_SPEC_H
#define NVME_SPEC_H

#include <stdint.h>

/* PCI class code of an NVMe I/O controller (class 01h, subclass 08h, interface 02h). */
#define NVME_CLASS_CODE 0x010802u

/* Controller registers (NVMe §3.1), offsets in BAR 0. */
#define NVME_REG_CAP  0x00 /* Controller Capabilities, 64 bits */
#define NVME_REG_VS   0x08
#define NVME_REG_CC   0x14   /* Controller Configuration */
#define NVME_REG_CSTS 0x1c   /* Controller Status */
#define NVME_REG_AQA  0x24   /* Admin Queue Attributes */
#define NVME_REG_ASQ  0x28   /* Admin Submission Queue base, 64 bits */
#define NVME_REG_ACQ  0x30   /* Admin Completion Queue base, 64 bits */
#define NVME_REG_DB   0x1000 /* the first doorbell (§3.1.24-25) */

/* CAP fields (§3.1.1). */
#define NVME_CAP_MQES(c)    ((uint32_t)((c)&0xffff) + 1)     /* entries per queue */
#define NVME_CAP_TO(c)      ((uint32_t)(((c) >> 24) & 0xff)) /* 500 ms units */
#define NVME_CAP_DSTRD(c)   ((uint32_t)(((c) >> 32) & 0xf))
#define NVME_CAP_CSS_NVM(c) (((c) >> 37) & 1)
#define NVME_CAP_MPSMIN(c)  ((uint32_t)(((c) >> 48) & 0xf)) /* 2^(12 + MPSMIN) */

/* CC fields (§3.1.5). */
#define NVME_CC_EN         (1u << 0)
#define NVME_CC_CSS_NVM    (0u << 4)
#define NVME_CC_MPS(shift) ((uint32_t)((shift)-12) << 7)
#define NVME_CC_AMS_RR     (0u << 11)
#define NVME_CC_IOSQES     (6u << 16) /* 64-byte submission entries */
#define NVME_CC_IOCQES     (4u << 20) /* 16-byte completion entries */

/* CSTS fields (§3.1.6). */
#define NVME_CSTS_RDY (1u << 0)
#define NVME_CSTS_CFS (1u << 1) /* Controller Fatal Status */

/* Admin opcodes (§5). */
#define NVME_ADMIN_DELETE_SQ 0x00
#define NVME_ADMIN_CREATE_SQ 0x01
#define NVME_ADMIN_DELETE_CQ 0x04
#define NVME_ADMIN_CREATE_CQ 0x05
#define NVME_ADMIN_IDENTIFY  0x06
#define NVME_ADMIN_NS_ATTACH 0x15 /* Namespace Attachment (§5.19) */
#define NVME_ADMIN_VIRT_MGMT 0x1c /* Virtualization Management (§5.22) */

/* Identify CNS values (§5.15.1). */
#define NVME_CNS_NAMESPACE      0x00
#define NVME_CNS_CONTROLLER     0x01
#define NVME_CNS_ACTIVE_NS      0x02
#define NVME_CNS_PRIMARY_CAPS   0x14 /* Primary Controller Capabilities (§5.15.2.16) */
#define NVME_CNS_SECONDARY_LIST 0x15 /* Secondary Controller List (§5.15.2.17) */

/* Virtualization Management actions and resource types (§5.22, Figure 312). */
#define NVME_VM_PRIMARY_FLEX 0x1
#define NVME_VM_SEC_OFFLINE  0x7
#define NVME_VM_SEC_ASSIGN   0x8
#define NVME_VM_SEC_ONLINE   0x9
#define NVME_VM_RES_VQ       0 /* VQ resources: queues */
#define NVME_VM_RES_VI       1 /* VI resources: interrupts */

/* NVM command set opcodes (§6). */
#define NVME_CMD_FLUSH 0x00
#define NVME_CMD_WRITE 0x01
#define NVME_CMD_READ  0x02

/* Create I/O queue flags (§5.3, §5.4: CDW11). */
#define NVME_QUEUE_PC  (1u << 0) /* physically contiguous */
#define NVME_QUEUE_IEN (1u << 1) /* completion queue: interrupts enabled */

/* A submission queue entry (§4.2, Figure 105). */
struct nvme_sqe {
	uint8_t opcode;
	uint8_t flags; /* FUSE, PSDT: 0 (PRPs) */
	uint16_t cid;
	uint32_t nsid;
	uint64_t reserved;
	uint64_t mptr;
	uint64_t prp1;
	uint64_t prp2;
	uint32_t cdw10, cdw11, cdw12, cdw13, cdw14, cdw15;
};
_Static_assert(sizeof(struct nvme_sqe) == 64, "NVMe §4.2: 64-byte submission entries");

/* A completion queue entry (§4.6, Figure 124). */
struct nvme_cqe {
	uint32_t result;
	uint32_t reserved;
	uint16_t sq_head;
	uint16_t sq_id;
	uint16_t cid;
	uint16_t status; /* bit 0: phase tag; 8:1 SC; 11:9 SCT; 15 DNR */
};
_Static_assert(sizeof(struct nvme_cqe) == 16, "NVMe §4.6: 16-byte completion entries");

#define NVME_CQE_PHASE(st) ((st)&1u)
#define NVME_CQE_SC(st)    (((st) >> 1) & 0xffu)
#define NVME_CQE_SCT(st)   (((st) >> 9) & 0x7u)

/* Generic command status codes (SCT 0, §4.6.1.2.1) the driver names. */
#define NVME_SC_INVALID_OPCODE 0x01
#define NVME_SC_INVALID_FIELD  0x02
#define NVME_SC_DATA_XFER      0x04
#define NVME_SC_INVALID_NS     0x0b
#define NVME_SC_LBA_RANGE      0x80

/* Identify Controller (§5.15.2.2, Figure 247) and Namespace (§5.15.2.1). */
#define NVME_IDCTRL_MDTS   77 /* max transfer: 2^MDTS minimum pages, 0: no limit */
#define NVME_IDCTRL_CNTLID 78
#define NVME_IDCTRL_NN     516 /* number of namespaces */
#define NVME_IDNS_NSZE     0   /* size in logical blocks */
#define NVME_IDNS_FLBAS    26
#define NVME_IDNS_LBAF     128 /* LBA formats, 4 bytes each: LBADS at bits 23:16 */

/* Secondary Controller Entry (§5.15.2.17, Figure 275): 32 bytes after a 32-byte header. */
#define NVME_SEC_ENTRY_SIZE 32
#define NVME_SEC_SCID       0 /* its controller identifier */
#define NVME_SEC_PCID       2
#define NVME_SEC_SCS        4  /* bit 0: online */
#define NVME_SEC_VFN        8  /* the VF number, 1-based */
#define NVME_SEC_NVQ        10 /* VQ resources assigned */
#define NVME_SEC_NVI        12 /* VI resources assigned */

#endif

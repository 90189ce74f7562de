/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The VT-d formats the server's own hardware adapter (hw.c) uses: register
 * offsets and fields, root and context entries, second-level entries,
 * queued-invalidation descriptors and fault records. Each cites the Intel
 * Virtualization Technology for Directed I/O Architecture Specification,
 * revision 4.1 (docs/iommu.md pins it). This is the adapter's copy until
 * the backend in servers/iommu/vtd/ takes over; nothing else includes it.
 */
#ifndef IOMMU_HW_VTD_H
#define IOMMU_HW_VTD_H

#include <stdint.h>

/* VT-d §10.4: register offsets, ascending. */
#define HW_VTD_REG_VER     0x000 /* Version */
#define HW_VTD_REG_CAP     0x008 /* Capability */
#define HW_VTD_REG_ECAP    0x010 /* Extended Capability */
#define HW_VTD_REG_GCMD    0x018 /* Global Command */
#define HW_VTD_REG_GSTS    0x01c /* Global Status */
#define HW_VTD_REG_RTADDR  0x020 /* Root Table Address */
#define HW_VTD_REG_FSTS    0x034 /* Fault Status */
#define HW_VTD_REG_FECTL   0x038 /* Fault Event Control */
#define HW_VTD_REG_FEDATA  0x03c /* Fault Event Data */
#define HW_VTD_REG_FEADDR  0x040 /* Fault Event Address */
#define HW_VTD_REG_FEUADDR 0x044 /* Fault Event Upper Address */
#define HW_VTD_REG_IQH     0x080 /* Invalidation Queue Head */
#define HW_VTD_REG_IQT     0x088 /* Invalidation Queue Tail */
#define HW_VTD_REG_IQA     0x090 /* Invalidation Queue Address */

/* VT-d §10.4.2: Capability Register. */
#define HW_VTD_CAP_ND(c)    ((unsigned)((c)&0x7ULL))           /* 2^(4 + 2 * ND) domain IDs */
#define HW_VTD_CAP_RWBF     (1ULL << 4)                        /* write-buffer flush needed */
#define HW_VTD_CAP_CM       (1ULL << 7)                        /* caching mode */
#define HW_VTD_CAP_SAGAW(c) ((unsigned)(((c) >> 8) & 0x1fULL)) /* bit 1: 39-bit, bit 2: 48-bit */
#define HW_VTD_CAP_MGAW(c)  ((unsigned)(((c) >> 16) & 0x3fULL) + 1)
#define HW_VTD_CAP_FRO(c)   ((unsigned)(((c) >> 24) & 0x3ffULL) * 16) /* fault records offset */
#define HW_VTD_CAP_SLLPS(c) ((unsigned)(((c) >> 34) & 0xfULL)) /* bit 0: 2 MiB, bit 1: 1 GiB */
#define HW_VTD_CAP_PSI      (1ULL << 39)                       /* page-selective invalidation */
#define HW_VTD_CAP_NFR(c)   ((unsigned)(((c) >> 40) & 0xffULL) + 1) /* fault recording registers */
#define HW_VTD_CAP_MAMV(c)  ((unsigned)(((c) >> 48) & 0x3fULL))     /* largest address mask */

/* VT-d §10.4.3: Extended Capability Register. */
#define HW_VTD_ECAP_C  (1ULL << 0) /* page walks snoop the CPU caches */
#define HW_VTD_ECAP_QI (1ULL << 1) /* queued invalidation */
#define HW_VTD_ECAP_IR (1ULL << 3) /* interrupt remapping */

/* VT-d §10.4.4-5: Global Command and Status (same bit positions). */
#define HW_VTD_GCMD_TE   (1U << 31) /* translation enable */
#define HW_VTD_GCMD_SRTP (1U << 30) /* set root table pointer */
#define HW_VTD_GCMD_WBF  (1U << 27) /* write buffer flush */
#define HW_VTD_GCMD_QIE  (1U << 26) /* queued invalidation enable */
#define HW_VTD_GCMD_IRE  (1U << 25) /* interrupt remapping enable */
/* The status bits that are persistent settings, kept when writing a command. */
#define HW_VTD_GSTS_KEEP 0x96ffffffU

/* VT-d §10.4.9: Fault Status. */
#define HW_VTD_FSTS_PFO    (1U << 0) /* primary fault overflow */
#define HW_VTD_FSTS_PPF    (1U << 1) /* primary pending fault */
#define HW_VTD_FSTS_IQE    (1U << 4) /* invalidation queue error */
#define HW_VTD_FSTS_ICE    (1U << 5) /* invalidation completion error */
#define HW_VTD_FSTS_ITE    (1U << 6) /* invalidation time-out error */
#define HW_VTD_FSTS_FRI(s) (((s) >> 8) & 0xffU)
#define HW_VTD_FSTS_CLEAR  (HW_VTD_FSTS_PFO | HW_VTD_FSTS_IQE | HW_VTD_FSTS_ICE | HW_VTD_FSTS_ITE)

/* VT-d §10.4.10: Fault Event Control. */
#define HW_VTD_FECTL_IM (1U << 31) /* interrupt mask */

/* VT-d §10.4.24: Invalidation Queue Address: one 4 KiB page of 128-bit descriptors. */
#define HW_VTD_IQ_ENTRIES 256
#define HW_VTD_IQ_SHIFT   4 /* IQH/IQT hold the descriptor index << 4 */

/* VT-d §9.1: Root Entry; §9.3: Context Entry (legacy mode). */
struct hw_vtd_entry {
	uint64_t lo, hi;
};
_Static_assert(sizeof(struct hw_vtd_entry) == 16, "VT-d root and context entries are 128 bits");

#define HW_VTD_PRESENT         1ULL
#define HW_VTD_ADDR_MASK       0x000ffffffffff000ULL
#define HW_VTD_CTX_AW(hi)      ((unsigned)((hi)&0x7ULL)) /* 1: 3-level, 2: 4-level */
#define HW_VTD_CTX_DID(hi)     ((unsigned)(((hi) >> 8) & 0xffffULL))
#define HW_VTD_CTX_HI(aw, did) ((uint64_t)(aw) | ((uint64_t)(did) << 8))

/* VT-d §9.9: Second-Level Paging Entries. */
#define HW_VTD_SL_R  (1ULL << 0)
#define HW_VTD_SL_W  (1ULL << 1)
#define HW_VTD_SL_PS (1ULL << 7) /* a 2 MiB or 1 GiB page */

/* VT-d §6.5.2: Invalidation descriptors (128 bits, type in bits 3:0). */
#define HW_VTD_INV_CC       0x1ULL               /* §6.5.2.1 context-cache */
#define HW_VTD_INV_IOTLB    0x2ULL               /* §6.5.2.3 IOTLB */
#define HW_VTD_INV_IEC      0x4ULL               /* §6.5.2.7 interrupt entry cache */
#define HW_VTD_INV_WAIT     0x5ULL               /* §6.5.2.8 invalidation wait */
#define HW_VTD_INV_G(g)     ((uint64_t)(g) << 4) /* granularity: 1 global, 2 domain, 3 page/device */
#define HW_VTD_INV_DID(d)   ((uint64_t)(d) << 16)
#define HW_VTD_INV_SID(s)   ((uint64_t)(s) << 32) /* context-cache, device-selective */
#define HW_VTD_IOTLB_DR     (1ULL << 7)           /* drain reads */
#define HW_VTD_IOTLB_DW     (1ULL << 6)           /* drain writes */
#define HW_VTD_WAIT_SW      (1ULL << 5)           /* status write */
#define HW_VTD_WAIT_FN      (1ULL << 6)           /* fence */
#define HW_VTD_WAIT_DATA(v) ((uint64_t)(v) << 32)

/* VT-d §10.4.14: Fault Recording Registers (128 bits each). */
#define HW_VTD_FRCD_F          (1ULL << 63) /* in hi: the record holds a fault; write 1 to clear */
#define HW_VTD_FRCD_READ       (1ULL << 62) /* in hi: T, 1 for a read request */
#define HW_VTD_FRCD_SID(hi)    ((unsigned)((hi)&0xffffULL))
#define HW_VTD_FRCD_REASON(hi) ((unsigned)(((hi) >> 32) & 0xffULL))

#endif /* IOMMU_HW_VTD_H */

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Every Intel VT-d hardware format Ward uses, in one place: the remapping
 * unit's registers (offsets ascending, with the specification's names and
 * fields), the legacy-mode root and context entries, second-stage paging
 * entries, queued-invalidation descriptors, fault recording registers and
 * the fault reason numbers. Nothing else in the server may spell a VT-d
 * number; the host tests check these encoders against values typed from
 * the specification.
 *
 * Section numbers cite the Intel Virtualization Technology for Directed
 * I/O Architecture Specification, rev. 4.1 (March 2023), pinned in
 * docs/vtd.md. Registers are chapter 10.4; translation structures chapter
 * 9; invalidation descriptors 6.5.2; fault reasons Appendix A. Ward uses
 * legacy translation mode only (RTADDR.TTM = 00b): no scalable-mode,
 * PASID or first-stage format is defined here.
 */
#ifndef WARD_VTD_REGS_H
#define WARD_VTD_REGS_H

#include <stdbool.h>
#include <stdint.h>

/* ---- Basic sizes --------------------------------------------------------- */

#define VTD_PAGE_SHIFT 12
#define VTD_PAGE_SIZE  (1ULL << VTD_PAGE_SHIFT)
#define VTD_PAGE_MASK  (~(VTD_PAGE_SIZE - 1))

/* Source ID (requester ID) = bus << 8 | device << 3 | function (§3.4.1). */
#define VTD_SID(bus, devfn)  ((uint16_t)(((uint32_t)(bus) << 8) | (devfn)))
#define VTD_SID_BUS(sid)     ((uint8_t)((sid) >> 8))
#define VTD_SID_DEVFN(sid)   ((uint8_t)((sid)&0xff))
#define VTD_DEVFN(dev, fn)   ((uint8_t)(((dev) << 3) | (fn)))
#define VTD_DEVFN_DEV(devfn) ((uint8_t)((devfn) >> 3))
#define VTD_DEVFN_FN(devfn)  ((uint8_t)((devfn)&7))

/* The interrupt address range is never translated (§3.15). */
#define VTD_INTERRUPT_FIRST 0xfee00000ULL
#define VTD_INTERRUPT_LAST  0xfeefffffULL

/* ---- Registers (§10.4), offsets from the unit's base ------------------- */

#define VTD_REG_VER      0x000 /* Version (§10.4.1), 32-bit */
#define VTD_REG_CAP      0x008 /* Capability (§10.4.2), 64-bit */
#define VTD_REG_ECAP     0x010 /* Extended Capability (§10.4.3), 64-bit */
#define VTD_REG_GCMD     0x018 /* Global Command (§10.4.4), 32-bit */
#define VTD_REG_GSTS     0x01c /* Global Status (§10.4.5), 32-bit */
#define VTD_REG_RTADDR   0x020 /* Root Table Address (§10.4.6), 64-bit */
#define VTD_REG_CCMD     0x028 /* Context Command (§10.4.7), 64-bit */
#define VTD_REG_FSTS     0x034 /* Fault Status (§10.4.9), 32-bit */
#define VTD_REG_FECTL    0x038 /* Fault Event Control (§10.4.10), 32-bit */
#define VTD_REG_FEDATA   0x03c /* Fault Event Data (§10.4.11), 32-bit */
#define VTD_REG_FEADDR   0x040 /* Fault Event Address (§10.4.12), 32-bit */
#define VTD_REG_FEUADDR  0x044 /* Fault Event Upper Address (§10.4.13), 32-bit */
#define VTD_REG_AFLOG    0x058 /* Advanced Fault Log (§10.4.15), 64-bit */
#define VTD_REG_PMEN     0x064 /* Protected Memory Enable (§10.4.16), 32-bit */
#define VTD_REG_PLMBASE  0x068 /* Protected Low-Memory Base (§10.4.17), 32-bit */
#define VTD_REG_PLMLIMIT 0x06c /* Protected Low-Memory Limit (§10.4.18), 32-bit */
#define VTD_REG_PHMBASE  0x070 /* Protected High-Memory Base (§10.4.19), 64-bit */
#define VTD_REG_PHMLIMIT 0x078 /* Protected High-Memory Limit (§10.4.20), 64-bit */
#define VTD_REG_IQH      0x080 /* Invalidation Queue Head (§10.4.21), 64-bit */
#define VTD_REG_IQT      0x088 /* Invalidation Queue Tail (§10.4.22), 64-bit */
#define VTD_REG_IQA      0x090 /* Invalidation Queue Address (§10.4.23), 64-bit */
#define VTD_REG_ICS      0x09c /* Invalidation Completion Status (§10.4.24), 32-bit */
#define VTD_REG_IECTL    0x0a0 /* Invalidation Event Control (§10.4.25), 32-bit */
#define VTD_REG_IEDATA   0x0a4 /* Invalidation Event Data (§10.4.26), 32-bit */
#define VTD_REG_IEADDR   0x0a8 /* Invalidation Event Address (§10.4.27), 32-bit */
#define VTD_REG_IEUADDR  0x0ac /* Invalidation Event Upper Address (§10.4.28), 32-bit */
#define VTD_REG_IQERCD   0x0b0 /* Invalidation Queue Error Record (§10.4.29), 64-bit */
#define VTD_REG_IRTA     0x0b8 /* Interrupt Remapping Table Address (§10.4.30), 64-bit */

/* The register window is at least one page (DRHD size field, §8.3). */
#define VTD_REG_WINDOW_MIN VTD_PAGE_SIZE

/* IOTLB registers, at 16 * ECAP.IRO (§10.4.8) */
#define VTD_REG_IVA_OFF   0x0 /* Invalidate Address (§10.4.8.2), 64-bit */
#define VTD_REG_IOTLB_OFF 0x8 /* IOTLB Invalidate (§10.4.8.1), 64-bit */
#define VTD_IOTLB_REGS_SZ 16

/* Fault recording registers, NFR + 1 of them at 16 * CAP.FRO (§10.4.14) */
#define VTD_FRCD_SIZE   16
#define VTD_FRCD_LO_OFF 0x0 /* bits 63:0: fault info */
#define VTD_FRCD_HI_OFF 0x8 /* bits 127:64: SID, reason, type, F */
#define VTD_FRCD_F_OFF  0xc /* the dword holding F: written alone to clear it */

/* VER (§10.4.1) */
#define VTD_VER_MIN_SHIFT 0
#define VTD_VER_MAX_SHIFT 4
#define VTD_VER_FIELD     0xfU

/* CAP (§10.4.2) */
#define VTD_CAP_ND_MASK      0x7ULL         /* number of domain IDs: 2^(4 + 2 * ND) */
#define VTD_CAP_AFL          (1ULL << 3)    /* advanced fault logging */
#define VTD_CAP_RWBF         (1ULL << 4)    /* required write-buffer flushing */
#define VTD_CAP_PLMR         (1ULL << 5)    /* protected low-memory region */
#define VTD_CAP_PHMR         (1ULL << 6)    /* protected high-memory region */
#define VTD_CAP_CM           (1ULL << 7)    /* caching mode */
#define VTD_CAP_SAGAW_SHIFT  8              /* supported adjusted guest address widths */
#define VTD_CAP_SAGAW_MASK   (0x1fULL << 8) /* bit 1: 39-bit, 2: 48-bit, 3: 57-bit */
#define VTD_CAP_MGAW_SHIFT   16             /* maximum guest address width - 1 */
#define VTD_CAP_MGAW_MASK    (0x3fULL << 16)
#define VTD_CAP_ZLR          (1ULL << 22) /* zero-length read */
#define VTD_CAP_FRO_SHIFT    24           /* fault-recording register offset / 16 */
#define VTD_CAP_FRO_MASK     (0x3ffULL << 24)
#define VTD_CAP_SLLPS_SHIFT  34 /* second-stage large pages */
#define VTD_CAP_SLLPS_2M     (1ULL << 34)
#define VTD_CAP_SLLPS_1G     (1ULL << 35)
#define VTD_CAP_PSI          (1ULL << 39) /* page-selective invalidation */
#define VTD_CAP_NFR_SHIFT    40           /* number of fault-recording registers - 1 */
#define VTD_CAP_NFR_MASK     (0xffULL << 40)
#define VTD_CAP_MAMV_SHIFT   48 /* maximum address mask value */
#define VTD_CAP_MAMV_MASK    (0x3fULL << 48)
#define VTD_CAP_DWD          (1ULL << 54) /* write draining */
#define VTD_CAP_DRD          (1ULL << 55) /* read draining */
#define VTD_CAP_FL1GP        (1ULL << 56)
#define VTD_CAP_PI           (1ULL << 59) /* posted interrupts */
#define VTD_CAP_FL5LP        (1ULL << 60)
#define VTD_CAP_ESIRTPS      (1ULL << 62) /* SIRTP invalidates the IEC */
#define VTD_CAP_ESRTPS       (1ULL << 63) /* SRTP invalidates the caches */
#define VTD_CAP_ND(cap)      ((unsigned)((cap)&VTD_CAP_ND_MASK))
#define VTD_CAP_SAGAW(cap)   ((unsigned)(((cap)&VTD_CAP_SAGAW_MASK) >> VTD_CAP_SAGAW_SHIFT))
#define VTD_CAP_MGAW(cap)    ((unsigned)(((cap)&VTD_CAP_MGAW_MASK) >> VTD_CAP_MGAW_SHIFT) + 1)
#define VTD_CAP_FRO(cap)     ((uint32_t)(((cap)&VTD_CAP_FRO_MASK) >> VTD_CAP_FRO_SHIFT) * 16)
#define VTD_CAP_NFR(cap)     ((unsigned)(((cap)&VTD_CAP_NFR_MASK) >> VTD_CAP_NFR_SHIFT) + 1)
#define VTD_CAP_MAMV(cap)    ((unsigned)(((cap)&VTD_CAP_MAMV_MASK) >> VTD_CAP_MAMV_SHIFT))
#define VTD_CAP_ND_BITS(cap) (4 + 2 * VTD_CAP_ND(cap)) /* domain-ID bits (ND 7 reserved) */
#define VTD_DID_BITS         16                        /* domain IDs are 16 bits wide */

/* SAGAW bit n supports an n+2-level table of 30 + 9n bits (§3.6, §10.4.2). */
#define VTD_SAGAW_39               (1U << 1) /* 3-level */
#define VTD_SAGAW_48               (1U << 2) /* 4-level */
#define VTD_SAGAW_57               (1U << 3) /* 5-level */
#define VTD_AGAW_BASE_BITS         30
#define VTD_LEVEL_BITS             9
#define VTD_LEVEL_MIN              3 /* 2-level (30-bit) tables are no longer defined */
#define VTD_LEVEL_MAX              5
/* context-entry AW for a table of `levels` levels, and back (§9.3) */
#define VTD_AW_FROM_LEVELS(levels) ((uint64_t)(levels)-2)
#define VTD_LEVELS_FROM_AW(aw)     ((unsigned)(aw) + 2)
#define VTD_SAGAW_BIT(levels)      (1U << ((levels)-2))
#define VTD_LEVELS_WIDTH(levels)   (VTD_PAGE_SHIFT + VTD_LEVEL_BITS * (unsigned)(levels))

/* ECAP (§10.4.3) */
#define VTD_ECAP_C         (1ULL << 0) /* page walk coherency */
#define VTD_ECAP_QI        (1ULL << 1) /* queued invalidation */
#define VTD_ECAP_DT        (1ULL << 2) /* device-TLB */
#define VTD_ECAP_IR        (1ULL << 3) /* interrupt remapping */
#define VTD_ECAP_EIM       (1ULL << 4) /* extended interrupt mode (x2APIC) */
#define VTD_ECAP_PT        (1ULL << 6) /* pass-through */
#define VTD_ECAP_SC        (1ULL << 7) /* snoop control */
#define VTD_ECAP_IRO_SHIFT 8           /* IOTLB register offset / 16 */
#define VTD_ECAP_IRO_MASK  (0x3ffULL << 8)
#define VTD_ECAP_MHMV_MASK (0xfULL << 20)
#define VTD_ECAP_SMTS      (1ULL << 43) /* scalable mode */
#define VTD_ECAP_IRO(ecap) ((uint32_t)(((ecap)&VTD_ECAP_IRO_MASK) >> VTD_ECAP_IRO_SHIFT) * 16)

/* GCMD (§10.4.4) and GSTS (§10.4.5): the same bit positions */
#define VTD_GCMD_CFI   (1U << 23) /* compatibility format interrupt */
#define VTD_GCMD_SIRTP (1U << 24) /* set interrupt remap table pointer (one-shot) */
#define VTD_GCMD_IRE   (1U << 25) /* interrupt remapping enable */
#define VTD_GCMD_QIE   (1U << 26) /* queued invalidation enable */
#define VTD_GCMD_WBF   (1U << 27) /* write buffer flush (one-shot) */
#define VTD_GCMD_EAFL  (1U << 28) /* enable advanced fault logging */
#define VTD_GCMD_SFL   (1U << 29) /* set fault log (one-shot) */
#define VTD_GCMD_SRTP  (1U << 30) /* set root table pointer (one-shot) */
#define VTD_GCMD_TE    (1U << 31) /* translation enable */
#define VTD_GSTS_CFIS  VTD_GCMD_CFI
#define VTD_GSTS_IRTPS VTD_GCMD_SIRTP
#define VTD_GSTS_IRES  VTD_GCMD_IRE
#define VTD_GSTS_QIES  VTD_GCMD_QIE
#define VTD_GSTS_WBFS  VTD_GCMD_WBF
#define VTD_GSTS_AFLS  VTD_GCMD_EAFL
#define VTD_GSTS_FLS   VTD_GCMD_SFL
#define VTD_GSTS_RTPS  VTD_GCMD_SRTP
#define VTD_GSTS_TES   VTD_GCMD_TE
/*
 * GCMD takes one command per write, with the other enable bits as they
 * are (§10.4.4): software writes GSTS's persistent bits back, never the
 * status of a one-shot command (RTPS, FLS, WBFS, IRTPS).
 */
#define VTD_GSTS_PERSISTENT \
	(VTD_GSTS_TES | VTD_GSTS_AFLS | VTD_GSTS_QIES | VTD_GSTS_IRES | VTD_GSTS_CFIS)

/* RTADDR (§10.4.6) */
#define VTD_RTADDR_TTM_MASK   (3ULL << 10) /* translation table mode */
#define VTD_RTADDR_TTM_LEGACY (0ULL << 10)

/* CCMD (§10.4.7): register-based context invalidation, unused with QI */
#define VTD_CCMD_ICC (1ULL << 63)

/* IOTLB Invalidate register (§10.4.8.1) */
#define VTD_IOTLB_IVT (1ULL << 63)

/* FSTS (§10.4.9) */
#define VTD_FSTS_PFO       (1U << 0) /* primary fault overflow, RW1C */
#define VTD_FSTS_PPF       (1U << 1) /* primary pending fault, RO: some F bit is set */
#define VTD_FSTS_AFO       (1U << 2) /* advanced fault overflow, RW1C */
#define VTD_FSTS_APF       (1U << 3) /* advanced pending fault, RW1C */
#define VTD_FSTS_IQE       (1U << 4) /* invalidation queue error, RW1C */
#define VTD_FSTS_ICE       (1U << 5) /* invalidation completion error, RW1C */
#define VTD_FSTS_ITE       (1U << 6) /* invalidation time-out error, RW1C */
#define VTD_FSTS_FRI_SHIFT 8         /* fault record index */
#define VTD_FSTS_FRI_MASK  (0xffU << 8)
#define VTD_FSTS_FRI(fsts) ((unsigned)(((fsts)&VTD_FSTS_FRI_MASK) >> VTD_FSTS_FRI_SHIFT))
#define VTD_FSTS_QI_ERRORS (VTD_FSTS_IQE | VTD_FSTS_ICE | VTD_FSTS_ITE)
#define VTD_FSTS_RW1C      (VTD_FSTS_PFO | VTD_FSTS_AFO | VTD_FSTS_APF | VTD_FSTS_QI_ERRORS)

/* FECTL (§10.4.10), IECTL (§10.4.25) */
#define VTD_FECTL_IM (1U << 31) /* interrupt mask */
#define VTD_FECTL_IP (1U << 30) /* interrupt pending */

/* FEDATA (§10.4.11), FEADDR (§10.4.12), FEUADDR (§10.4.13): an MSI */
#define VTD_FEDATA_MASK 0xffffU     /* 16-bit message data (EIMD is optional) */
#define VTD_FEADDR_MASK 0xfffffffcU /* dword-aligned message address */

/* FRCD (§10.4.14): the high quadword */
#define VTD_FRCD_SID_MASK     0xffffULL    /* source ID, bits 79:64 */
#define VTD_FRCD_T2           (1ULL << 28) /* type bit 2 (bit 92) */
#define VTD_FRCD_PRIV         (1ULL << 29) /* privilege mode requested (bit 93) */
#define VTD_FRCD_EXE          (1ULL << 30) /* execute requested (bit 94) */
#define VTD_FRCD_PP           (1ULL << 31) /* PASID present (bit 95) */
#define VTD_FRCD_FR_SHIFT     32           /* fault reason, bits 103:96 */
#define VTD_FRCD_FR_MASK      (0xffULL << 32)
#define VTD_FRCD_AT_SHIFT     60 /* address type, bits 125:124 */
#define VTD_FRCD_AT_MASK      (3ULL << 60)
#define VTD_FRCD_T1           (1ULL << 62) /* type bit 1 (bit 126): 0 write, 1 read */
#define VTD_FRCD_F            (1ULL << 63) /* fault (bit 127), RW1C */
#define VTD_FRCD_F_DWORD      (1U << 31)   /* F within the dword at VTD_FRCD_F_OFF */
#define VTD_FRCD_FI_MASK      (~0xfffULL)  /* low quadword: fault info (page address) */
#define VTD_FRCD_IR_IDX_SHIFT 48           /* interrupt faults: index in FI bits 63:48 */

/* PMEN (§10.4.16) */
#define VTD_PMEN_EPM (1U << 31) /* enable protected memory */
#define VTD_PMEN_PRS (1U << 0)  /* protected region status */

/* IQH (§10.4.21), IQT (§10.4.22): descriptor index in bits 18:4 (128-bit descriptors) */
#define VTD_IQ_INDEX_SHIFT 4
#define VTD_IQ_INDEX_MASK  (0x7fffULL << 4)
#define VTD_IQ_INDEX(reg)  ((uint32_t)(((reg)&VTD_IQ_INDEX_MASK) >> VTD_IQ_INDEX_SHIFT))
#define VTD_IQ_REG(index)  (((uint64_t)(index) << VTD_IQ_INDEX_SHIFT) & VTD_IQ_INDEX_MASK)

/* IQA (§10.4.23): base, descriptor width, queue size 2^(QS+8) 128-bit descriptors */
#define VTD_IQA_QS_MASK    0x7ULL
#define VTD_IQA_DW         (1ULL << 11) /* 256-bit descriptors (scalable mode only) */
#define VTD_IQA(pa, qs)    (((pa)&VTD_PAGE_MASK) | ((uint64_t)(qs)&VTD_IQA_QS_MASK))
#define VTD_IQ_ENTRIES(qs) (1U << ((qs) + 8))
#define VTD_IQ_PAGES(qs)   (1U << (qs))

/* ICS (§10.4.24) */
#define VTD_ICS_IWC (1U << 0) /* invalidation wait descriptor complete, RW1C */

/* IQERCD (§10.4.29) */
#define VTD_IQERCD_IQEI_MASK 0xfULL /* invalidation queue error info */

/*
 * IRTA (§10.4.30): the interrupt remapping table's base (4 KiB aligned),
 * EIME (x2APIC: 32-bit destination IDs; clear: xAPIC, 8-bit IDs) and
 * size S: 2^(S + 1) entries. Latched by GCMD.SIRTP.
 */
#define VTD_IRTA_S_MASK     0xfULL
#define VTD_IRTA_EIME       (1ULL << 11)
#define VTD_IRTA_ADDR_MASK  VTD_PAGE_MASK
#define VTD_IRTA_ENTRIES(s) (1U << ((s) + 1))
#define VTD_IRTA(pa, s, eime) \
	(((pa)&VTD_IRTA_ADDR_MASK) | ((eime) ? VTD_IRTA_EIME : 0) | ((uint64_t)(s)&VTD_IRTA_S_MASK))

/* ---- Root entry, legacy mode (§9.1) -------------------------------------- */

struct vtd_root_entry {
	uint64_t lo;
	uint64_t hi;
};
_Static_assert(sizeof(struct vtd_root_entry) == 16, "VT-d root entry is 128 bits");

#define VTD_ROOT_ENTRIES  256 /* one per bus, one 4 KiB table */
#define VTD_ROOT_P        (1ULL << 0)
#define VTD_ROOT_CTP_MASK VTD_PAGE_MASK /* context-table pointer */
#define VTD_ROOT_LO_RSVD  0xffeULL      /* plus bits above the host address width */
#define VTD_ROOT_HI_RSVD  (~0ULL)

/* A present root entry naming the context table at `ctp` (4 KiB aligned). */
static inline struct vtd_root_entry vtd_root_entry(uint64_t ctp)
{
	struct vtd_root_entry e = {(ctp & VTD_ROOT_CTP_MASK) | VTD_ROOT_P, 0};
	return e;
}

/* ---- Context entry, legacy mode (§9.3) ----------------------------------- */

struct vtd_context_entry {
	uint64_t lo;
	uint64_t hi;
};
_Static_assert(sizeof(struct vtd_context_entry) == 16, "VT-d context entry is 128 bits");

#define VTD_CONTEXT_ENTRIES 256 /* one per device/function, one 4 KiB table */
/* lo */
#define VTD_CTX_P           (1ULL << 0)
#define VTD_CTX_FPD         (1ULL << 1) /* fault processing disable */
#define VTD_CTX_TT_SHIFT    2           /* translation type */
#define VTD_CTX_TT_MASK     (3ULL << 2)
#define VTD_CTX_TT_UNTRANS  (0ULL << 2)   /* untranslated requests, second stage */
#define VTD_CTX_TT_DEVTLB   (1ULL << 2)   /* also translation requests (needs ECAP.DT) */
#define VTD_CTX_TT_PASSTHRU (2ULL << 2)   /* untranslated DMA passes (needs ECAP.PT) */
#define VTD_CTX_SLPTPTR     VTD_PAGE_MASK /* second-stage page-table pointer */
#define VTD_CTX_LO_RSVD     0xff0ULL      /* plus bits above the host address width */
/* hi */
#define VTD_CTX_AW_MASK     0x7ULL /* address width: levels - 2 */
#define VTD_CTX_DID_SHIFT   8      /* domain ID, bits 87:72 */
#define VTD_CTX_DID_MASK    (0xffffULL << 8)
#define VTD_CTX_HI_RSVD     0xffffffffff000080ULL
#define VTD_CTX_DID(hi)     ((uint16_t)(((hi)&VTD_CTX_DID_MASK) >> VTD_CTX_DID_SHIFT))
#define VTD_CTX_LEVELS(hi)  VTD_LEVELS_FROM_AW((hi)&VTD_CTX_AW_MASK)

/*
 * A present context entry: untranslated DMA from the device is translated
 * by the `levels`-level second-stage table at `slptptr`, tagged with
 * domain ID `did`. Faults are reported (FPD clear).
 */
static inline struct vtd_context_entry vtd_context_entry(uint64_t slptptr, unsigned levels,
                                                         uint16_t did)
{
	struct vtd_context_entry e;

	e.lo = (slptptr & VTD_CTX_SLPTPTR) | VTD_CTX_TT_UNTRANS | VTD_CTX_P;
	e.hi = (VTD_AW_FROM_LEVELS(levels) & VTD_CTX_AW_MASK) |
	       ((uint64_t)did << VTD_CTX_DID_SHIFT);
	return e;
}

/* ---- Second-stage paging entries (§9.8) ---------------------------------- */

#define VTD_PTE_R              (1ULL << 0)
#define VTD_PTE_W              (1ULL << 1)
#define VTD_PTE_X              (1ULL << 2)  /* execute: only with SLEE, never used */
#define VTD_PTE_EMT_MASK       (7ULL << 3)  /* extended memory type: leaf, ignored unless MTS */
#define VTD_PTE_IPAT           (1ULL << 6)  /* ignore PAT: leaf */
#define VTD_PTE_PS             (1ULL << 7)  /* page size: leaf at level 2 (2 MiB) or 3 (1 GiB) */
#define VTD_PTE_SNP            (1ULL << 11) /* snoop: leaf, only with ECAP.SC */
#define VTD_PTE_TM             (1ULL << 62) /* transient mapping: leaf, only with ECAP.DT */
#define VTD_PTE_IGN_MASK       0xbff0000000000f00ULL /* bits software may use */
#define VTD_PTE_ADDR_MASK      0x000ffffffffff000ULL /* bits 51:12, cut to the host width */
#define VTD_HAW_MAX            52                    /* widest host address the formats hold */
#define VTD_PTE_RW             (VTD_PTE_R | VTD_PTE_W)
#define VTD_PTES_PER_PAGE      512
#define VTD_LEVEL_SHIFT(level) (VTD_PAGE_SHIFT + VTD_LEVEL_BITS * ((unsigned)(level)-1))
#define VTD_LEVEL_INDEX(iova, level) \
	((unsigned)(((iova) >> VTD_LEVEL_SHIFT(level)) & (VTD_PTES_PER_PAGE - 1)))
#define VTD_LEVEL_2M 2 /* a PS leaf here maps 2 MiB */
#define VTD_LEVEL_1G 3 /* a PS leaf here maps 1 GiB */

/* Bits [haw, 52) of an address field: reserved above the host address width. */
static inline uint64_t vtd_above_haw(unsigned haw)
{
	return VTD_PTE_ADDR_MASK & ~((1ULL << haw) - 1);
}

/* An entry pointing at the next-level table at `pa`: R and W, so the leaf decides. */
static inline uint64_t vtd_pte_table(uint64_t pa)
{
	return (pa & VTD_PTE_ADDR_MASK) | VTD_PTE_RW;
}

/*
 * A leaf mapping `pa` with `rights` (VTD_PTE_R, VTD_PTE_W) at `level`: 1
 * for 4 KiB, VTD_LEVEL_2M or VTD_LEVEL_1G (PS set). `pa` must be aligned
 * to the page size; nothing else is set (no SNP, TM, EMT).
 */
static inline uint64_t vtd_pte_leaf(uint64_t pa, unsigned level, uint64_t rights)
{
	uint64_t e = (pa & VTD_PTE_ADDR_MASK) | (rights & VTD_PTE_RW);

	return level > 1 ? e | VTD_PTE_PS : e;
}

static inline bool vtd_pte_present(uint64_t pte)
{
	return (pte & VTD_PTE_RW) != 0;
}

static inline bool vtd_pte_is_leaf(uint64_t pte, unsigned level)
{
	return level == 1 || (pte & VTD_PTE_PS) != 0;
}

static inline uint64_t vtd_pte_addr(uint64_t pte)
{
	return pte & VTD_PTE_ADDR_MASK;
}

/*
 * Reserved bits of a present entry at `level` for host address width
 * `haw` (§9.8): bits above the width; SNP (Ward's units never report SC
 * use); PS in a PML5E/PML4E; in a 2 MiB / 1 GiB leaf the address bits
 * below its size. `leaf` says whether PS is set at level 2 or 3.
 */
static inline uint64_t vtd_pte_reserved(unsigned level, bool leaf, unsigned haw)
{
	uint64_t r = vtd_above_haw(haw) | VTD_PTE_SNP;

	if (level >= 4)
		r |= VTD_PTE_PS;
	if (leaf && level > 1)
		r |= ((1ULL << VTD_LEVEL_SHIFT(level)) - 1) & VTD_PAGE_MASK;
	return r;
}

/* ---- Queued invalidation descriptors (§6.5.2), 128-bit ------------------- */

struct vtd_desc {
	uint64_t lo;
	uint64_t hi;
};
_Static_assert(sizeof(struct vtd_desc) == 16, "legacy invalidation descriptors are 128 bits");

#define VTD_DESC_TYPE_MASK 0xfULL
#define VTD_DESC_CC        0x1ULL /* context-cache invalidate (§6.5.2.1) */
#define VTD_DESC_IOTLB     0x2ULL /* IOTLB invalidate (§6.5.2.3) */
#define VTD_DESC_DEVTLB    0x3ULL /* device-TLB invalidate (§6.5.2.5) */
#define VTD_DESC_IEC       0x4ULL /* interrupt entry cache invalidate (§6.5.2.7) */
#define VTD_DESC_WAIT      0x5ULL /* invalidation wait (§6.5.2.8) */
#define VTD_DESC_G_SHIFT   4      /* granularity, bits 5:4 */
#define VTD_DESC_DID_SHIFT 16     /* domain ID, bits 31:16 */

/* Context-cache invalidate (§6.5.2.1) */
#define VTD_CC_G_GLOBAL  (1ULL << 4)
#define VTD_CC_G_DOMAIN  (2ULL << 4)
#define VTD_CC_G_DEVICE  (3ULL << 4)
#define VTD_CC_SID_SHIFT 32 /* source ID, bits 47:32 */
#define VTD_CC_FM_SHIFT  48 /* function mask, bits 49:48 */
#define VTD_CC_LO_RSVD   0xfffc00000000ffc0ULL

static inline struct vtd_desc vtd_desc_cc_global(void)
{
	struct vtd_desc d = {VTD_DESC_CC | VTD_CC_G_GLOBAL, 0};
	return d;
}

static inline struct vtd_desc vtd_desc_cc_domain(uint16_t did)
{
	struct vtd_desc d = {VTD_DESC_CC | VTD_CC_G_DOMAIN | ((uint64_t)did << VTD_DESC_DID_SHIFT),
	                     0};
	return d;
}

/* Device-selective: the context entry of `sid` tagged `did` (function mask 0). */
static inline struct vtd_desc vtd_desc_cc_device(uint16_t did, uint16_t sid)
{
	struct vtd_desc d = {VTD_DESC_CC | VTD_CC_G_DEVICE | ((uint64_t)did << VTD_DESC_DID_SHIFT) |
	                             ((uint64_t)sid << VTD_CC_SID_SHIFT),
	                     0};
	return d;
}

/* IOTLB invalidate (§6.5.2.3) */
#define VTD_IOTLB_G_GLOBAL (1ULL << 4)
#define VTD_IOTLB_G_DOMAIN (2ULL << 4)
#define VTD_IOTLB_G_PAGE   (3ULL << 4)
#define VTD_IOTLB_DW       (1ULL << 6) /* drain writes (CAP.DWD) */
#define VTD_IOTLB_DR       (1ULL << 7) /* drain reads (CAP.DRD) */
#define VTD_IOTLB_AM_MASK  0x3fULL     /* hi: address mask, 2^AM pages */
#define VTD_IOTLB_IH       (1ULL << 6) /* hi: invalidation hint: leaf entries only */
#define VTD_IOTLB_LO_RSVD  0xffffffff0000ff00ULL
#define VTD_IOTLB_HI_RSVD  0xf80ULL

/* Global or domain-selective IOTLB invalidation; `drain` is VTD_IOTLB_DR/DW or 0. */
static inline struct vtd_desc vtd_desc_iotlb_global(uint64_t drain)
{
	struct vtd_desc d = {VTD_DESC_IOTLB | VTD_IOTLB_G_GLOBAL | drain, 0};
	return d;
}

static inline struct vtd_desc vtd_desc_iotlb_domain(uint16_t did, uint64_t drain)
{
	struct vtd_desc d = {VTD_DESC_IOTLB | VTD_IOTLB_G_DOMAIN | drain |
	                             ((uint64_t)did << VTD_DESC_DID_SHIFT),
	                     0};
	return d;
}

/*
 * Page-selective: 2^`am` pages from `addr` (aligned to that size) in
 * domain `did`. `leaf_only` sets IH: only leaf entries changed, the
 * paging-structure caches may be kept.
 */
static inline struct vtd_desc vtd_desc_iotlb_page(uint16_t did, uint64_t addr, unsigned am,
                                                  bool leaf_only, uint64_t drain)
{
	struct vtd_desc d;

	d.lo = VTD_DESC_IOTLB | VTD_IOTLB_G_PAGE | drain | ((uint64_t)did << VTD_DESC_DID_SHIFT);
	d.hi = (addr & VTD_PAGE_MASK) | (am & VTD_IOTLB_AM_MASK) | (leaf_only ? VTD_IOTLB_IH : 0);
	return d;
}

/* Interrupt entry cache invalidate (§6.5.2.7) */
#define VTD_IEC_G_INDEX    (1ULL << 4) /* 0: global */
#define VTD_IEC_IM_SHIFT   27          /* index mask, bits 31:27 */
#define VTD_IEC_IIDX_SHIFT 32          /* interrupt index, bits 47:32 */

static inline struct vtd_desc vtd_desc_iec_global(void)
{
	struct vtd_desc d = {VTD_DESC_IEC, 0};
	return d;
}

static inline struct vtd_desc vtd_desc_iec_index(uint16_t index, unsigned mask)
{
	struct vtd_desc d = {VTD_DESC_IEC | VTD_IEC_G_INDEX |
	                             ((uint64_t)(mask & 0x1f) << VTD_IEC_IM_SHIFT) |
	                             ((uint64_t)index << VTD_IEC_IIDX_SHIFT),
	                     0};
	return d;
}

/* Invalidation wait (§6.5.2.8) */
#define VTD_WAIT_IF         (1ULL << 4) /* interrupt flag */
#define VTD_WAIT_SW         (1ULL << 5) /* status write */
#define VTD_WAIT_FN         (1ULL << 6) /* fence */
#define VTD_WAIT_PD         (1ULL << 7) /* page-request drain */
#define VTD_WAIT_DATA_SHIFT 32          /* status data, bits 63:32 */
#define VTD_WAIT_ADDR_MASK  (~3ULL)     /* hi: dword-aligned status address */
#define VTD_WAIT_LO_RSVD    0xffffff00ULL

/*
 * A wait that writes `data` to the dword at physical `status` once every
 * earlier descriptor completed. Status Write only: never IF with SW
 * (QEMU's model aborts on both, see docs/vtd.md).
 */
static inline struct vtd_desc vtd_desc_wait(uint64_t status, uint32_t data)
{
	struct vtd_desc d = {VTD_DESC_WAIT | VTD_WAIT_SW | ((uint64_t)data << VTD_WAIT_DATA_SHIFT),
	                     status & VTD_WAIT_ADDR_MASK};
	return d;
}

/* ---- Interrupt remapping table entry, remapped format (§9.10) ------------- */

struct vtd_irte {
	uint64_t lo;
	uint64_t hi;
};
_Static_assert(sizeof(struct vtd_irte) == 16, "VT-d IRTE is 128 bits");

/* lo */
#define VTD_IRTE_P                      (1ULL << 0)
#define VTD_IRTE_FPD                    (1ULL << 1) /* fault processing disable */
#define VTD_IRTE_DM_LOGICAL             (1ULL << 2) /* destination mode; clear: physical */
#define VTD_IRTE_RH                     (1ULL << 3) /* redirection hint: lowest priority */
#define VTD_IRTE_TM_LEVEL               (1ULL << 4) /* trigger mode; clear: edge */
#define VTD_IRTE_DLM_SHIFT              5           /* delivery mode, bits 7:5 */
#define VTD_IRTE_DLM_MASK               (7ULL << 5)
#define VTD_IRTE_DLM_FIXED              (0ULL << 5)
#define VTD_IRTE_AVAIL_SHIFT            8 /* bits 11:8: software's own */
#define VTD_IRTE_AVAIL_MASK             (0xfULL << 8)
#define VTD_IRTE_IM                     (1ULL << 15) /* IRTE mode: set is the posted format (§9.11) */
#define VTD_IRTE_VECTOR_SHIFT           16           /* bits 23:16 */
#define VTD_IRTE_VECTOR_MASK            (0xffULL << 16)
#define VTD_IRTE_DST_SHIFT              32 /* destination ID, bits 63:32 */
#define VTD_IRTE_DST_MASK               (0xffffffffULL << 32)
/* xAPIC mode (IRTA.EIME clear): the 8-bit APIC ID is DST bits 15:8, i.e. bits 47:40 */
#define VTD_IRTE_XAPIC_ID_SHIFT         40
#define VTD_IRTE_XAPIC_ID_MASK          (0xffULL << 40)
#define VTD_IRTE_XAPIC_MAX_ID           0xffU
/* Reserved in remapped format: 14:12 and 31:24 always; DST 7:0 and 31:16 in xAPIC mode */
#define VTD_IRTE_LO_RSVD                0x00000000ff007000ULL
#define VTD_IRTE_LO_RSVD_XAPIC          (VTD_IRTE_LO_RSVD | 0xffff00ff00000000ULL)
/* hi */
#define VTD_IRTE_SID_MASK               0xffffULL /* source ID, bits 79:64 */
#define VTD_IRTE_SQ_SHIFT               16        /* source-ID qualifier, bits 81:80 */
#define VTD_IRTE_SQ_MASK                (3ULL << 16)
#define VTD_IRTE_SQ_ALL                 (0ULL << 16) /* compare all 16 bits */
#define VTD_IRTE_SVT_SHIFT              18           /* source validation type, bits 83:82 */
#define VTD_IRTE_SVT_MASK               (3ULL << 18)
#define VTD_IRTE_SVT_NONE               (0ULL << 18) /* no check */
#define VTD_IRTE_SVT_SID                (1ULL << 18) /* the requester ID, SQ masking bits of it */
#define VTD_IRTE_SVT_BUS                (2ULL << 18) /* the requester's bus within [SID 15:8, SID 7:0] */
#define VTD_IRTE_HI_RSVD                0xfffffffffff00000ULL /* bits 127:84 */
/* SVT_BUS: SID holds the start bus in bits 15:8 and the end bus in 7:0 (§9.10) */
#define VTD_IRTE_BUS_RANGE(first, last) ((uint64_t)(((unsigned)(first) << 8) | (unsigned)(last)))

/* The entries of one 4 KiB table page, and the IRTA size field that says so. */
#define VTD_IRT_ENTRIES    256
#define VTD_IRTA_S_256     7
#define VTD_IRT_MAX_VECTOR 0xffU
#define VTD_IRT_MIN_VECTOR 0x10U /* 0-15 are reserved for exceptions: never a device's */

/*
 * A present remapped-format IRTE in xAPIC mode: fixed delivery, edge
 * triggered, physical destination `apic_id`, `vector`; faults reported
 * (FPD clear); posted format off (IM clear). The source validation is
 * `svt_sid` (VTD_IRTE_SVT_* | the SID field): see vtd_irte_sid_exact()
 * and vtd_irte_sid_bus().
 */
static inline struct vtd_irte vtd_irte_remapped(uint8_t vector, uint8_t apic_id, uint64_t svt_sid)
{
	struct vtd_irte e;

	e.lo = VTD_IRTE_P | VTD_IRTE_DLM_FIXED | ((uint64_t)vector << VTD_IRTE_VECTOR_SHIFT) |
	       ((uint64_t)apic_id << VTD_IRTE_XAPIC_ID_SHIFT);
	e.hi = svt_sid & (VTD_IRTE_SVT_MASK | VTD_IRTE_SQ_MASK | VTD_IRTE_SID_MASK);
	return e;
}

/* Source validation: exactly requester `sid` (SVT 01b, SQ 00b: every bit compared). */
static inline uint64_t vtd_irte_sid_exact(uint16_t sid)
{
	return VTD_IRTE_SVT_SID | VTD_IRTE_SQ_ALL | sid;
}

/* Source validation: any requester on buses [first, last] (SVT 10b), e.g. behind a PCIe-to-PCI
 * bridge, whose devices' requests may carry the bridge's ID. */
static inline uint64_t vtd_irte_sid_bus(uint8_t first, uint8_t last)
{
	return VTD_IRTE_SVT_BUS | VTD_IRTE_BUS_RANGE(first, last);
}

static inline uint8_t vtd_irte_vector(struct vtd_irte e)
{
	return (uint8_t)((e.lo & VTD_IRTE_VECTOR_MASK) >> VTD_IRTE_VECTOR_SHIFT);
}

static inline uint8_t vtd_irte_xapic_id(struct vtd_irte e)
{
	return (uint8_t)((e.lo & VTD_IRTE_XAPIC_ID_MASK) >> VTD_IRTE_XAPIC_ID_SHIFT);
}

/* ---- Remappable-format MSI (§5.1.2.2) ------------------------------------ */

/*
 * An interrupt request in remappable format: address 0xFEE in bits 31:20,
 * handle[14:0] in 19:5, interrupt format (1: remappable) in bit 4, SHV
 * (subhandle valid) in bit 3, handle[15] in bit 2; with SHV the data's
 * bits 15:0 are the subhandle, added to the handle to give the IRTE index,
 * and bits 31:16 are reserved (zero).
 */
#define VTD_MSI_ADDR_BASE       0xfee00000ULL
#define VTD_MSI_ADDR_IF_REMAP   (1ULL << 4)
#define VTD_MSI_ADDR_SHV        (1ULL << 3)
#define VTD_MSI_ADDR_HANDLE_LO  5 /* handle bits 14:0 at address bits 19:5 */
#define VTD_MSI_ADDR_HANDLE_LOM (0x7fffULL << 5)
#define VTD_MSI_ADDR_HANDLE_HI  (1ULL << 2) /* handle bit 15 */
#define VTD_MSI_HANDLE_BIT15    15

/* The address that names IRTE `handle` (SHV set, so data holds the subhandle). */
static inline uint64_t vtd_msi_remap_address(uint16_t handle)
{
	return VTD_MSI_ADDR_BASE | VTD_MSI_ADDR_IF_REMAP | VTD_MSI_ADDR_SHV |
	       (((uint64_t)handle << VTD_MSI_ADDR_HANDLE_LO) & VTD_MSI_ADDR_HANDLE_LOM) |
	       ((handle >> VTD_MSI_HANDLE_BIT15) ? VTD_MSI_ADDR_HANDLE_HI : 0);
}

/* The IRTE index a remappable-format address names (before the subhandle). */
static inline uint16_t vtd_msi_remap_handle(uint64_t address)
{
	return (uint16_t)(((address & VTD_MSI_ADDR_HANDLE_LOM) >> VTD_MSI_ADDR_HANDLE_LO) |
	                  ((address & VTD_MSI_ADDR_HANDLE_HI) ? 1U << VTD_MSI_HANDLE_BIT15 : 0));
}

/* ---- Fault reasons (Appendix A) ------------------------------------------ */

enum vtd_fault_reason {
	VTD_FR_ROOT_P = 0x01,          /* root entry not present */
	VTD_FR_CTX_P = 0x02,           /* context entry not present */
	VTD_FR_CTX_INVALID = 0x03,     /* invalid programming of a context entry */
	VTD_FR_ADDR_WIDTH = 0x04,      /* input address above the domain's width */
	VTD_FR_WRITE = 0x05,           /* write without write permission */
	VTD_FR_READ = 0x06,            /* read without read permission */
	VTD_FR_PTE_ACCESS = 0x07,      /* error accessing a second-stage entry */
	VTD_FR_ROOT_ACCESS = 0x08,     /* error accessing the root table */
	VTD_FR_CTX_ACCESS = 0x09,      /* error accessing a context table */
	VTD_FR_ROOT_RSVD = 0x0a,       /* reserved bit set in a present root entry */
	VTD_FR_CTX_RSVD = 0x0b,        /* reserved bit set in a present context entry */
	VTD_FR_PTE_RSVD = 0x0c,        /* reserved bit set in a present second-stage entry */
	VTD_FR_CTX_TT = 0x0d,          /* request type blocked by the context entry's TT */
	VTD_FR_IR_REQ_RSVD = 0x20,     /* interrupt request with a reserved field set */
	VTD_FR_IR_INDEX = 0x21,        /* interrupt index above the table's size */
	VTD_FR_IR_IRTE_P = 0x22,       /* interrupt remapping entry not present */
	VTD_FR_IR_TABLE_ACCESS = 0x23, /* error accessing the interrupt remapping table */
	VTD_FR_IR_IRTE_RSVD = 0x24,    /* reserved field set in a present IRTE */
	VTD_FR_IR_COMPAT = 0x25,       /* compatibility-format interrupt blocked */
	VTD_FR_IR_SID = 0x26,          /* interrupt source-ID validation failed */
};
#define VTD_FR_IR_FIRST 0x20 /* 0x20-0x2f: interrupt-remapping faults */
#define VTD_FR_IR_LAST  0x2f

/* The Appendix A name of reason `fr` ("unknown fault reason" for others). */
const char *vtd_fault_reason_name(unsigned fr);

#endif /* WARD_VTD_REGS_H */

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Every AMD-Vi hardware format Ward uses, in one place: the IOMMU's MMIO
 * registers, the device table entry, I/O page-table entries, commands,
 * event log records and interrupt remapping table entries. Nothing else in
 * the server may spell an AMD-Vi number; the host tests check these
 * encoders against values worked out by hand from the specification.
 *
 * Section numbers cite the AMD I/O Virtualization Technology (IOMMU)
 * Specification, publication 48882, rev. 3.08, pinned in docs/amdvi.md:
 * data structures chapter 2.2 (device table 2.2.2, I/O page tables 2.2.3,
 * interrupt remapping 2.2.5), commands 2.4, event log 2.5, registers 3.4.
 * Only the host (v1) page-table format is used: no guest translation,
 * PASID, PPR or ATS format is defined here.
 */
#ifndef WARD_AMDVI_REGS_H
#define WARD_AMDVI_REGS_H

#include <stdbool.h>
#include <stdint.h>

#define AMDVI_PAGE_SHIFT 12
#define AMDVI_PAGE_SIZE  (1ULL << AMDVI_PAGE_SHIFT)
#define AMDVI_PAGE_MASK  (~(AMDVI_PAGE_SIZE - 1))

/* Physical addresses in every format are bits 51:12 (or 51:n) of a 52-bit address. */
#define AMDVI_ADDR_MASK 0x000ffffffffff000ULL

/* DeviceID = requester ID: bus << 8 | device << 3 | function (§2.2.2). */
#define AMDVI_DEVID(bus, devfn) ((uint16_t)(((uint32_t)(bus) << 8) | (devfn)))
#define AMDVI_DEVFN(dev, fn)    ((uint8_t)(((dev) << 3) | (fn)))
#define AMDVI_DEVICE_IDS        65536u

/* ---- MMIO registers (§3.4), offsets from the IOMMU's base ---------------- */

#define AMDVI_MMIO_SIZE       0x4000 /* the register block the IVHD base names */
#define AMDVI_REG_DEVTAB_BASE 0x0000 /* Device Table Base Address (§3.4.1) */
#define AMDVI_REG_CMDBUF_BASE 0x0008 /* Command Buffer Base Address (§3.4.2) */
#define AMDVI_REG_EVTLOG_BASE 0x0010 /* Event Log Base Address (§3.4.3) */
#define AMDVI_REG_CONTROL     0x0018 /* IOMMU Control (§3.4.4) */
#define AMDVI_REG_EXCL_BASE   0x0020 /* Exclusion Range Base (§3.4.5) */
#define AMDVI_REG_EXCL_LIMIT  0x0028 /* Exclusion Range Limit (§3.4.5) */
#define AMDVI_REG_EFR         0x0030 /* Extended Feature Register (§3.4.6) */
#define AMDVI_REG_CMDBUF_HEAD 0x2000 /* Command Buffer Head Pointer (§3.4.9) */
#define AMDVI_REG_CMDBUF_TAIL 0x2008 /* Command Buffer Tail Pointer (§3.4.9) */
#define AMDVI_REG_EVTLOG_HEAD 0x2010 /* Event Log Head Pointer (§3.4.10) */
#define AMDVI_REG_EVTLOG_TAIL 0x2018 /* Event Log Tail Pointer (§3.4.10) */
#define AMDVI_REG_STATUS      0x2020 /* IOMMU Status (§3.4.11) */

/* Device Table Base: bits 51:12 base, 8:0 Size = 4 KiB units - 1 (§3.4.1). */
#define AMDVI_DEVTAB_SIZE_MASK 0x1ffULL
#define AMDVI_DEVTAB_BYTES_MAX (512ULL * AMDVI_PAGE_SIZE) /* 65,536 entries of 32 bytes */

/* Command Buffer / Event Log Base: bits 51:12 base, 59:56 Len: 2^Len entries (§3.4.2, §3.4.3). */
#define AMDVI_LEN_SHIFT 56
#define AMDVI_LEN_MASK  (0xfULL << AMDVI_LEN_SHIFT)
#define AMDVI_LEN_MIN   8 /* 1000b: 256 entries, the smallest legal size */
static inline uint64_t amdvi_ring_base(uint64_t pa, unsigned len_log2)
{
	return (pa & AMDVI_ADDR_MASK) | ((uint64_t)len_log2 << AMDVI_LEN_SHIFT);
}

/* Head and tail pointers are byte offsets into the ring, bits 18:4 (§3.4.9, §3.4.10). */
#define AMDVI_RING_PTR_MASK 0x7fff0ULL

/* IOMMU Control (§3.4.4). */
#define AMDVI_CTRL_IOMMU_EN          (1ULL << 0)
#define AMDVI_CTRL_HT_TUN_EN         (1ULL << 1)
#define AMDVI_CTRL_EVENT_LOG_EN      (1ULL << 2)
#define AMDVI_CTRL_EVENT_INT_EN      (1ULL << 3)
#define AMDVI_CTRL_COM_WAIT_INT_EN   (1ULL << 4)
#define AMDVI_CTRL_INV_TIMEOUT_SHIFT 5 /* 7:5 InvTimeOut */
#define AMDVI_CTRL_COHERENT          (1ULL << 10)
#define AMDVI_CTRL_CMD_BUF_EN        (1ULL << 12)
#define AMDVI_CTRL_PPR_LOG_EN        (1ULL << 13)
#define AMDVI_CTRL_PPR_INT_EN        (1ULL << 14)
#define AMDVI_CTRL_PPR_EN            (1ULL << 15)
#define AMDVI_CTRL_GT_EN             (1ULL << 16)
#define AMDVI_CTRL_GA_EN             (1ULL << 17)
/* The enables Ward drives; everything else it leaves (or puts) at 0. */
#define AMDVI_CTRL_WARD_MASK                                                       \
	(AMDVI_CTRL_IOMMU_EN | AMDVI_CTRL_EVENT_LOG_EN | AMDVI_CTRL_EVENT_INT_EN | \
	 AMDVI_CTRL_COM_WAIT_INT_EN | AMDVI_CTRL_CMD_BUF_EN)

/* IOMMU Status (§3.4.11); the first three are write-1-to-clear. */
#define AMDVI_STATUS_EVENT_OVERFLOW (1ULL << 0)
#define AMDVI_STATUS_EVENT_LOG_INT  (1ULL << 1)
#define AMDVI_STATUS_COM_WAIT_INT   (1ULL << 2)
#define AMDVI_STATUS_EVENT_LOG_RUN  (1ULL << 3)
#define AMDVI_STATUS_CMD_BUF_RUN    (1ULL << 4)

/* Extended Feature Register (§3.4.6). */
#define AMDVI_EFR_PREF_SUP   (1ULL << 0) /* PREFETCH_IOMMU_PAGES */
#define AMDVI_EFR_PPR_SUP    (1ULL << 1)
#define AMDVI_EFR_XT_SUP     (1ULL << 2) /* x2APIC interrupt remapping */
#define AMDVI_EFR_NX_SUP     (1ULL << 3)
#define AMDVI_EFR_GT_SUP     (1ULL << 4)
#define AMDVI_EFR_IA_SUP     (1ULL << 6) /* INVALIDATE_IOMMU_ALL */
#define AMDVI_EFR_GA_SUP     (1ULL << 7)
#define AMDVI_EFR_HE_SUP     (1ULL << 8)
#define AMDVI_EFR_PC_SUP     (1ULL << 9)
#define AMDVI_EFR_HATS_SHIFT 10 /* 11:10: 00b 4 levels, 01b 5, 10b 6 */
#define AMDVI_EFR_HATS_MASK  (3ULL << AMDVI_EFR_HATS_SHIFT)

/* Host page-table depth the EFR allows: 4 + HATS (§3.4.6; 11b reserved → 4). */
static inline unsigned amdvi_efr_max_levels(uint64_t efr)
{
	unsigned hats = (unsigned)((efr & AMDVI_EFR_HATS_MASK) >> AMDVI_EFR_HATS_SHIFT);

	return hats == 3 ? 4 : 4 + hats;
}

/* ---- Device table entry (§2.2.2), 256 bits as four quadwords ------------- */

#define AMDVI_DTE_BYTES 32

struct amdvi_dte {
	uint64_t q[4];
};

/* Quadword 0: translation. */
#define AMDVI_DTE_V                 (1ULL << 0) /* the entry is valid */
#define AMDVI_DTE_TV                (1ULL << 1) /* translation information (bits 63:2) valid */
#define AMDVI_DTE_MODE_SHIFT        9           /* 11:9 paging mode: 0 = no translation */
#define AMDVI_DTE_MODE_MASK         (7ULL << AMDVI_DTE_MODE_SHIFT)
#define AMDVI_DTE_PT_ROOT           AMDVI_ADDR_MASK /* 51:12 page table root pointer */
#define AMDVI_DTE_IR                (1ULL << 61)    /* DMA reads allowed */
#define AMDVI_DTE_IW                (1ULL << 62)    /* DMA writes allowed */
/* Quadword 1: domain and control. */
#define AMDVI_DTE_DOMAIN_MASK       0xffffULL    /* 15:0 DomainID: tags the IOTLB */
#define AMDVI_DTE_SA                (1ULL << 34) /* suppress all I/O page fault events (unused) */
/* Quadword 2: interrupt remapping (§2.2.5). */
#define AMDVI_DTE_IV                (1ULL << 0) /* interrupt information (bits below) valid */
#define AMDVI_DTE_INT_TAB_LEN_SHIFT 1           /* 4:1 IntTabLen: 2^n entries */
#define AMDVI_DTE_INT_TAB_LEN_MAX   11          /* 2048 entries: the MSI data's 11 bits */
#define AMDVI_DTE_IG                (1ULL << 5) /* ignore unmapped interrupts (no event) */
#define AMDVI_DTE_INT_ROOT_MASK     0x000fffffffffffc0ULL /* 51:6 interrupt table root */
#define AMDVI_DTE_INIT_PASS         (1ULL << 56)
#define AMDVI_DTE_EINT_PASS         (1ULL << 57)
#define AMDVI_DTE_NMI_PASS          (1ULL << 58)
#define AMDVI_DTE_INT_CTL_SHIFT     60 /* 61:60 IntCtl */
#define AMDVI_DTE_INT_CTL_MASK      (3ULL << AMDVI_DTE_INT_CTL_SHIFT)
#define AMDVI_INT_CTL_ABORT         0ULL /* fixed/arbitrated interrupts target-aborted */
#define AMDVI_INT_CTL_FORWARD       1ULL /* passed through unmapped */
#define AMDVI_INT_CTL_REMAP         2ULL /* remapped through the interrupt table */
#define AMDVI_DTE_LINT0_PASS        (1ULL << 62)
#define AMDVI_DTE_LINT1_PASS        (1ULL << 63)

/* Paging mode of an n-level table (§2.2.2: Mode 001b..110b = 1..6 levels). */
#define AMDVI_LEVELS_MAX 6

static inline uint64_t amdvi_dte_mode(uint64_t q0)
{
	return (q0 & AMDVI_DTE_MODE_MASK) >> AMDVI_DTE_MODE_SHIFT;
}

/*
 * Quadwords 0 and 1 of a translating entry: the `levels`-level table at
 * root, tagged `domain`, DMA reads and writes allowed (the leaves decide).
 */
static inline void amdvi_dte_make_translate(struct amdvi_dte *d, uint64_t root, unsigned levels,
                                            uint16_t domain)
{
	d->q[0] = AMDVI_DTE_V | AMDVI_DTE_TV | ((uint64_t)levels << AMDVI_DTE_MODE_SHIFT) |
	          (root & AMDVI_DTE_PT_ROOT) | AMDVI_DTE_IR | AMDVI_DTE_IW;
	d->q[1] = domain;
}

/*
 * Quadwords 0 and 1 of a blocking entry: valid with valid translation
 * information, Mode 0 (no translation) and IR = IW = 0, so every DMA is
 * target-aborted (§2.2.2, Mode 000b: "access controlled by IR and IW").
 * V = 0 would instead let DMA through untranslated.
 */
static inline void amdvi_dte_make_block(struct amdvi_dte *d, uint16_t domain)
{
	d->q[0] = AMDVI_DTE_V | AMDVI_DTE_TV;
	d->q[1] = domain;
}

/* Quadword 2: interrupts remapped through the 2^len_log2-entry table at root. */
static inline uint64_t amdvi_dte_int_remap(uint64_t root, unsigned len_log2)
{
	return AMDVI_DTE_IV | ((uint64_t)len_log2 << AMDVI_DTE_INT_TAB_LEN_SHIFT) |
	       (root & AMDVI_DTE_INT_ROOT_MASK) | (AMDVI_INT_CTL_REMAP << AMDVI_DTE_INT_CTL_SHIFT);
}

/* Quadword 2: fixed and arbitrated interrupts aborted, the others not passed (§2.2.5). */
static inline uint64_t amdvi_dte_int_block(void)
{
	return AMDVI_DTE_IV | (AMDVI_INT_CTL_ABORT << AMDVI_DTE_INT_CTL_SHIFT);
}

/* ---- I/O page-table entries (§2.2.3), host translation ------------------- */

#define AMDVI_PTE_PR          (1ULL << 0) /* present */
#define AMDVI_PTE_NEXT_SHIFT  9           /* 11:9 NextLevel */
#define AMDVI_PTE_NEXT_MASK   (7ULL << AMDVI_PTE_NEXT_SHIFT)
#define AMDVI_PTE_ADDR        AMDVI_ADDR_MASK /* 51:12 next table or page */
#define AMDVI_PTE_FC          (1ULL << 60)    /* PTE: force coherent (snoop) */
#define AMDVI_PTE_IR          (1ULL << 61)
#define AMDVI_PTE_IW          (1ULL << 62)
#define AMDVI_PTE_RW          (AMDVI_PTE_IR | AMDVI_PTE_IW)
/*
 * NextLevel 000b: a leaf (PTE) of its level's page size (4 KiB, 2 MiB,
 * 1 GiB...); 7h: a leaf whose size is encoded in the address bits (not
 * written by Ward, accepted as a leaf); 1..6: a PDE pointing at a table of
 * that level. A PDE whose NextLevel is below its own level - 1 skips
 * levels; the skipped address bits must then be zero (§2.2.3). Ward
 * never skips: a PDE of level n always has NextLevel n - 1.
 */
#define AMDVI_NEXT_LEAF       0ULL
#define AMDVI_NEXT_SIZED_LEAF 7ULL

static inline unsigned amdvi_pte_next(uint64_t pte)
{
	return (unsigned)((pte & AMDVI_PTE_NEXT_MASK) >> AMDVI_PTE_NEXT_SHIFT);
}

/* A PDE of `level` (>= 2) → the table of level - 1 at table_pa; the walk ANDs IR/IW, so both set.
 */
static inline uint64_t amdvi_pde(uint64_t table_pa, unsigned level)
{
	return AMDVI_PTE_PR | ((uint64_t)(level - 1) << AMDVI_PTE_NEXT_SHIFT) |
	       (table_pa & AMDVI_PTE_ADDR) | AMDVI_PTE_RW;
}

/* A leaf of `level`'s default page size at pa, forced coherent, with rights IR/IW. */
static inline uint64_t amdvi_pte_leaf(uint64_t pa, uint64_t rights)
{
	return AMDVI_PTE_PR | (pa & AMDVI_PTE_ADDR) | AMDVI_PTE_FC | (rights & AMDVI_PTE_RW);
}

static inline bool amdvi_pte_is_leaf(uint64_t pte, unsigned level)
{
	unsigned next = amdvi_pte_next(pte);

	return level == 1 || next == AMDVI_NEXT_LEAF || next == AMDVI_NEXT_SIZED_LEAF;
}

/* ---- Commands (§2.4): 128 bits, opcode in bits 63:60 ---------------------- */

struct amdvi_cmd {
	uint64_t lo, hi;
};

#define AMDVI_CMD_BYTES                      16
#define AMDVI_CMD_OPCODE_SHIFT               60
#define AMDVI_CMD_COMPLETION_WAIT            0x1ULL /* §2.4.1 */
#define AMDVI_CMD_INVALIDATE_DEVTAB_ENTRY    0x2ULL /* §2.4.2 */
#define AMDVI_CMD_INVALIDATE_IOMMU_PAGES     0x3ULL /* §2.4.3 */
#define AMDVI_CMD_INVALIDATE_IOTLB_PAGES     0x4ULL /* §2.4.4 (device TLBs: unused) */
#define AMDVI_CMD_INVALIDATE_INTERRUPT_TABLE 0x5ULL /* §2.4.5 */
#define AMDVI_CMD_INVALIDATE_IOMMU_ALL       0x8ULL /* §2.4.8, if EFR.IASup */

static inline unsigned amdvi_cmd_opcode(struct amdvi_cmd c)
{
	return (unsigned)(c.lo >> AMDVI_CMD_OPCODE_SHIFT);
}

/* COMPLETION_WAIT: S = 1 stores `data` to store_pa (8-byte aligned, bits 51:3) when done. */
#define AMDVI_CW_S         (1ULL << 0)
#define AMDVI_CW_I         (1ULL << 1)
#define AMDVI_CW_F         (1ULL << 2)
#define AMDVI_CW_ADDR_MASK 0x000ffffffffffff8ULL
static inline struct amdvi_cmd amdvi_cmd_completion_wait(uint64_t store_pa, uint64_t data)
{
	return (struct amdvi_cmd){AMDVI_CW_S | (store_pa & AMDVI_CW_ADDR_MASK) |
	                                  (AMDVI_CMD_COMPLETION_WAIT << AMDVI_CMD_OPCODE_SHIFT),
	                          data};
}

static inline struct amdvi_cmd amdvi_cmd_inv_devtab(uint16_t devid)
{
	return (struct amdvi_cmd){
	        devid | (AMDVI_CMD_INVALIDATE_DEVTAB_ENTRY << AMDVI_CMD_OPCODE_SHIFT), 0};
}

/*
 * INVALIDATE_IOMMU_PAGES: DomainID in bits 47:32 of the low quadword;
 * high quadword S (bit 0), PDE (bit 1: cached PDEs too), address 63:12.
 * S = 0: the one page at the address. S = 1: the range is 2^(k+1) pages
 * where k is the position of the lowest zero address bit counted from bit
 * 12, so address bits 12..(11+k) are ones; 7FFF_FFFF_FFFF_F000h with S =
 * 1 names every page of the domain.
 */
#define AMDVI_INV_S         (1ULL << 0)
#define AMDVI_INV_PDE       (1ULL << 1)
#define AMDVI_INV_ALL_PAGES 0x7ffffffffffff000ULL
#define AMDVI_INV_ORDER_MAX 51 /* 2^51 pages: the whole 63-bit range */
static inline struct amdvi_cmd amdvi_cmd_inv_pages_raw(uint16_t domain, uint64_t addr_and_bits)
{
	return (struct amdvi_cmd){((uint64_t)domain << 32) | (AMDVI_CMD_INVALIDATE_IOMMU_PAGES
	                                                      << AMDVI_CMD_OPCODE_SHIFT),
	                          addr_and_bits};
}

/* The 2^order pages at iova (aligned down to them), PDEs included. */
static inline struct amdvi_cmd amdvi_cmd_inv_pages(uint16_t domain, uint64_t iova, unsigned order)
{
	uint64_t size, addr;

	if (order >= AMDVI_INV_ORDER_MAX)
		return amdvi_cmd_inv_pages_raw(domain,
		                               AMDVI_INV_ALL_PAGES | AMDVI_INV_S | AMDVI_INV_PDE);
	size = AMDVI_PAGE_SIZE << order;
	addr = iova & ~(size - 1) & AMDVI_INV_ALL_PAGES;
	if (order == 0)
		return amdvi_cmd_inv_pages_raw(domain, addr | AMDVI_INV_PDE);
	/* ones from bit 12 up to bit 11 + order - 1, then the zero that ends the size */
	addr |= ((size >> 1) - 1) & AMDVI_PAGE_MASK;
	return amdvi_cmd_inv_pages_raw(domain, addr | AMDVI_INV_S | AMDVI_INV_PDE);
}

static inline struct amdvi_cmd amdvi_cmd_inv_domain(uint16_t domain)
{
	return amdvi_cmd_inv_pages_raw(domain, AMDVI_INV_ALL_PAGES | AMDVI_INV_S | AMDVI_INV_PDE);
}

static inline struct amdvi_cmd amdvi_cmd_inv_interrupt_table(uint16_t devid)
{
	return (struct amdvi_cmd){
	        devid | (AMDVI_CMD_INVALIDATE_INTERRUPT_TABLE << AMDVI_CMD_OPCODE_SHIFT), 0};
}

static inline struct amdvi_cmd amdvi_cmd_inv_all(void)
{
	return (struct amdvi_cmd){AMDVI_CMD_INVALIDATE_IOMMU_ALL << AMDVI_CMD_OPCODE_SHIFT, 0};
}

/* ---- Event log records (§2.5): 128 bits ----------------------------------- */

#define AMDVI_EVENT_BYTES      16
/* Low quadword: DeviceID 15:0, PASID[19:16] 19:16, DomainID/PASID 47:32, flags 59:48, code 63:60.
 */
#define AMDVI_EVT_DEVID_MASK   0xffffULL
#define AMDVI_EVT_DOMAIN_SHIFT 32
#define AMDVI_EVT_FLAGS_SHIFT  48
#define AMDVI_EVT_FLAGS_MASK   0xfffULL
#define AMDVI_EVT_CODE_SHIFT   60

enum amdvi_event_code {
	AMDVI_EVT_ILLEGAL_DEV_TABLE_ENTRY = 0x1, /* §2.5.2 */
	AMDVI_EVT_IO_PAGE_FAULT = 0x2,           /* §2.5.3 */
	AMDVI_EVT_DEV_TAB_HARDWARE_ERROR = 0x3,  /* §2.5.4 */
	AMDVI_EVT_PAGE_TAB_HARDWARE_ERROR = 0x4, /* §2.5.5 */
	AMDVI_EVT_ILLEGAL_COMMAND_ERROR = 0x5,   /* §2.5.6 */
	AMDVI_EVT_COMMAND_HARDWARE_ERROR = 0x6,  /* §2.5.7 */
	AMDVI_EVT_IOTLB_INV_TIMEOUT = 0x7,       /* §2.5.8 */
	AMDVI_EVT_INVALID_DEVICE_REQUEST = 0x8,  /* §2.5.9 */
};

/* Flags of the translation events (IO_PAGE_FAULT, ILLEGAL_DEV_TABLE_ENTRY, ...). */
#define AMDVI_EVT_FLAG_GN (1u << 0) /* the PASID field is valid */
#define AMDVI_EVT_FLAG_NX (1u << 1)
#define AMDVI_EVT_FLAG_US (1u << 2)
#define AMDVI_EVT_FLAG_I  (1u << 3) /* an interrupt request */
#define AMDVI_EVT_FLAG_PR (1u << 4) /* the page was present (a rights fault) */
#define AMDVI_EVT_FLAG_RW (1u << 5) /* a write */
#define AMDVI_EVT_FLAG_PE (1u << 6) /* permission: the access lacked the right */
#define AMDVI_EVT_FLAG_RZ (1u << 7) /* a reserved bit was not zero */
#define AMDVI_EVT_FLAG_TR (1u << 8) /* a translation request (ATS) */

/* One record decoded. */
struct amdvi_event {
	uint8_t code;     /* enum amdvi_event_code, or another (reported as is) */
	uint16_t devid;   /* 0 for the command events, which name no device */
	uint16_t domain;  /* IO_PAGE_FAULT, PAGE_TAB_HARDWARE_ERROR: DomainID (GN = 0) */
	uint32_t pasid;   /* when GN */
	uint16_t flags;   /* AMDVI_EVT_FLAG_* */
	uint64_t address; /* the request's address, or the table entry / command address */
};

/* Decodes a record (lo = bits 63:0, hi = 127:64); false if it is all zero (not written). */
static inline bool amdvi_event_decode(uint64_t lo, uint64_t hi, struct amdvi_event *out)
{
	if (lo == 0 && hi == 0)
		return false;
	out->code = (uint8_t)(lo >> AMDVI_EVT_CODE_SHIFT);
	out->flags = (uint16_t)((lo >> AMDVI_EVT_FLAGS_SHIFT) & AMDVI_EVT_FLAGS_MASK);
	out->devid = (uint16_t)(lo & AMDVI_EVT_DEVID_MASK);
	out->domain = (uint16_t)(lo >> AMDVI_EVT_DOMAIN_SHIFT);
	out->pasid = (uint32_t)(((lo >> 16) & 0xf) << 16) | out->domain;
	out->address = hi;
	switch (out->code) {
	case AMDVI_EVT_ILLEGAL_COMMAND_ERROR:
	case AMDVI_EVT_COMMAND_HARDWARE_ERROR:
		out->devid = 0; /* the low bits are reserved: only the command's address */
		out->address = hi & ~0xfULL;
		break;
	case AMDVI_EVT_DEV_TAB_HARDWARE_ERROR:
		out->address = hi & ~0xfULL; /* the entry's address, bits 63:4 */
		break;
	case AMDVI_EVT_PAGE_TAB_HARDWARE_ERROR:
		out->address = hi & ~0x7ULL; /* the PTE's address, bits 63:3 */
		break;
	default:
		break;
	}
	return true;
}

/* ---- Interrupt remapping table entries (§2.2.5.1), 32 bits, GA off ------- */

#define AMDVI_IRTE_REMAP_EN       (1u << 0)
#define AMDVI_IRTE_SUP_IOPF       (1u << 1) /* suppress I/O page fault events */
#define AMDVI_IRTE_INT_TYPE_SHIFT 2         /* 4:2: 000b fixed, 001b arbitrated */
#define AMDVI_IRTE_RQ_EOI         (1u << 5)
#define AMDVI_IRTE_DM             (1u << 6) /* destination mode: 1 logical */
#define AMDVI_IRTE_GUEST_MODE     (1u << 7)
#define AMDVI_IRTE_DEST_SHIFT     8  /* 15:8 destination APIC ID */
#define AMDVI_IRTE_VECTOR_SHIFT   16 /* 23:16 vector */
#define AMDVI_IRTE_BYTES          4
#define AMDVI_INT_TYPE_FIXED      0u

/* A fixed, physical-destination entry delivering `vector` to APIC `dest`. */
static inline uint32_t amdvi_irte(uint8_t vector, uint8_t dest)
{
	return AMDVI_IRTE_REMAP_EN | (AMDVI_INT_TYPE_FIXED << AMDVI_IRTE_INT_TYPE_SHIFT) |
	       ((uint32_t)dest << AMDVI_IRTE_DEST_SHIFT) |
	       ((uint32_t)vector << AMDVI_IRTE_VECTOR_SHIFT);
}

/*
 * The MSI a device is programmed with when its interrupts are remapped:
 * address 0xfee00000 (any destination bits are ignored) and data holding
 * the table index in bits 10:0 (§2.2.5: "the interrupt table is indexed
 * by MSI data bits 10:0").
 */
#define AMDVI_MSI_ADDRESS    0xfee00000ULL
#define AMDVI_MSI_INDEX_MASK 0x7ffu

#endif /* WARD_AMDVI_REGS_H */

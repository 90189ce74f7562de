/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The start information page: what the root task tells every process it
 * starts (docs/userspace.md). It is mapped read-only at
 * WARD_STARTINFO_ADDR and its address arrives in rdi at the entry point,
 * as the boot information does for the root task; `magic` tells the two
 * apart. Everything else about a process's address space and CSpace that
 * it may rely on is fixed here too.
 */
#ifndef WARD_STARTINFO_H
#define WARD_STARTINFO_H

#include <stdint.h>

#define WARD_STARTINFO_MAGIC   0x5741524453544946ULL /* "WARDSTIF" */
#define WARD_STARTINFO_VERSION 5

/* A process's address space (the image lies where it is linked, [4 MiB, 2 GiB)). */
#define WARD_STARTINFO_ADDR   0x00007ffffff00000ULL /* this page, read-only */
#define WARD_PROC_IPC_BUFFER  0x00007fffffef0000ULL /* the main thread's IPC buffer */
#define WARD_PROC_STACK_TOP   0x00007fffffff0000ULL /* the stack grows down from here */
#define WARD_PROC_HEAP_BASE   0x0000100000000000ULL /* brk and anonymous mmap */
#define WARD_PROC_DEVICE_BASE 0x0000200000000000ULL /* device windows (struct below) */

/*
 * A process's CSpace: one CNode of 2^WARD_PROC_CNODE_RADIX slots whose
 * guard makes a capability address equal to its slot index (depth 64).
 * Slots 3 and 4 hold caps only for roles that make their own objects;
 * role-specific caps start at WARD_PROC_CAP_FIRST_ROLE; the slots from
 * `free_first` on are the process's own. 1024 slots: the PCI server hands
 * out a BAR's frames (up to 256 at once), the IOMMU server keeps its caps.
 */
#define WARD_PROC_CNODE_RADIX 10

enum ward_proc_slot {
	WARD_PROC_CAP_NULL = 0,
	WARD_PROC_CAP_SERVICE = 1, /* endpoint to the root task's service (root.protocol) */
	WARD_PROC_CAP_CNODE = 2,   /* this CNode: a place to receive and keep caps */
	WARD_PROC_CAP_VSPACE = 3,  /* the process's own PML4, if `untyped_bits` != 0 */
	WARD_PROC_CAP_UNTYPED = 4, /* untyped memory of 2^untyped_bits bytes, if != 0 */
	WARD_PROC_CAP_FIRST_ROLE = 8,
};

enum ward_window_kind {
	WARD_WINDOW_ECAM = 1,  /* PCI Express configuration space (MCFG) */
	WARD_WINDOW_VTD = 2,   /* an Intel VT-d remapping unit's registers (DMAR DRHD) */
	WARD_WINDOW_AMDVI = 3, /* an AMD IOMMU's registers (IVRS IVHD) */
};

#define WARD_WINDOW_NO_IRQ 0xff

/* Device memory the root task mapped into the process (uncached, read-write). */
struct ward_device_window {
	uint32_t kind;     /* enum ward_window_kind */
	uint16_t segment;  /* PCI segment group */
	uint8_t first_bus; /* ECAM: buses [first_bus, last_bus] */
	uint8_t last_bus;
	uint8_t flags;    /* VT-d: DRHD flags (bit 0 INCLUDE_PCI_ALL); AMD: IVHD flags */
	uint8_t irq;      /* index in irqs[] of the unit's fault interrupt, or WARD_WINDOW_NO_IRQ */
	uint16_t unit_id; /* AMD: the IOMMU's own PCI requester ID; else 0 */
	uint64_t phys;    /* physical base */
	uint64_t vaddr;   /* where the process sees it */
	uint64_t size;    /* bytes */
};

/* An interrupt the process may handle: an IRQHandler cap and how to raise it. */
struct ward_irq_grant {
	uint32_t slot;        /* the IRQHandler cap in the process's CSpace */
	uint32_t vector;      /* the CPU vector it arrives on */
	uint64_t msi_address; /* what the device must be programmed with */
	uint32_t msi_data;
	uint32_t reserved;
};

/*
 * Device untyped handed over whole (the PCI server's MMIO windows): an
 * untyped cap the process may retype into device frames or smaller device
 * untyped. It is a child of the root task's, which revokes it when the
 * process ends.
 */
struct ward_devmem_grant {
	uint32_t slot; /* the untyped cap in the process's CSpace */
	uint32_t bits; /* it covers [phys, phys + 2^bits) */
	uint64_t phys;
};

#define WARD_STARTINFO_NAME_LEN 32
#define WARD_STARTINFO_ARGS_LEN 64
#define WARD_STARTINFO_WINDOWS  16
#define WARD_STARTINFO_IRQS     8
#define WARD_STARTINFO_DEVMEM   16
#define WARD_STARTINFO_DMAR_MAX 1024
#define WARD_STARTINFO_IVRS_MAX 512
#define WARD_STARTINFO_GRANTS   32
#define WARD_GRANT_NAME_LEN     24

/*
 * Version 4: caps the system manifest gives a program (docs/manifest.md),
 * each found by kind and name, never by a slot number written into code.
 */
enum ward_grant_kind {
	WARD_GRANT_SERVE = 1,      /* an endpoint this program receives on (unbadged) */
	WARD_GRANT_ENDPOINT = 2,   /* another program's served endpoint, badged for this one */
	WARD_GRANT_DOMAIN = 3,     /* an IOMMU domain cap; the domain is this program's */
	WARD_GRANT_DEVICE = 4,     /* an IOMMU device cap for the group of `sbdf` */
	WARD_GRANT_ASSIGNMENT = 5, /* an IOMMU assignment cap for the group of `sbdf` */
	WARD_GRANT_IRQ = 6,        /* an IRQHandler; `sbdf` holds its IRQ line or vector */
	WARD_GRANT_IOPORT = 7,     /* I/O ports; `sbdf` holds the first port */
	WARD_GRANT_ROOT = 8,       /* the root task's service endpoint, privileged */
};

struct ward_cap_grant {
	uint32_t slot;  /* the cap in the process's CSpace */
	uint16_t kind;  /* enum ward_grant_kind */
	uint16_t count; /* DEVICE/ASSIGNMENT: members of the group; IOPORT: ports */
	uint32_t sbdf;  /* segment << 16 | bus << 8 | device << 3 | function, or see kind */
	char name[WARD_GRANT_NAME_LEN]; /* the manifest's name for it, NUL-terminated */
};

struct ward_startinfo {
	uint64_t magic;
	uint32_t version;
	uint32_t pid;      /* this process's id (also getpid(); never reused) */
	uint32_t restarts; /* how often this module was restarted before this instance */
	uint32_t cpu_count;
	char name[WARD_STARTINFO_NAME_LEN]; /* the module's name, NUL-terminated */
	char args[WARD_STARTINFO_ARGS_LEN]; /* its arguments, NUL-terminated */
	uint64_t ipc_buffer;                /* the main thread's IPC buffer */
	uint64_t stack_top;
	uint64_t stack_size;
	uint64_t heap_base; /* brk and anonymous mmap live in [heap_base, +heap_size) */
	uint64_t heap_size;
	uint64_t tsc_hz;     /* TSC ticks per second */
	uint32_t free_first; /* free slots: [free_first, free_last) */
	uint32_t free_last;
	uint32_t untyped_bits; /* size of the untyped in WARD_PROC_CAP_UNTYPED, 0: none */
	uint32_t window_count;
	uint32_t irq_count;
	uint32_t reserved;
	struct ward_device_window windows[WARD_STARTINFO_WINDOWS];
	struct ward_irq_grant irqs[WARD_STARTINFO_IRQS];
	/*
	 * The PCI server's endpoint (pci.protocol), 0: none. The pci role gets
	 * the unbadged cap with all rights (it receives on it and mints device
	 * caps from it); the iommu role gets it badged PCI_BADGE_PRIVILEGED.
	 */
	uint32_t pci_endpoint;
	uint32_t devmem_count;
	struct ward_devmem_grant devmem[WARD_STARTINFO_DEVMEM];
	/*
	 * Version 3: the IOMMU server's endpoint (docs/iommu.md), 0: none.
	 * The iommu role gets the unbadged cap (it receives on it and mints
	 * domain caps from it); every other process a cap badged with its pid
	 * (servers/iommu/iommu_badge.h), privileged for `iommu-admin`.
	 */
	uint32_t iommu_endpoint;
	/* iommu role: the DMA pool, an untyped of 2^dma_bits it lends buffers from. */
	uint32_t dma_untyped;
	uint32_t dma_bits;
	/* iommu role: the firmware's DMAR table as read (0: none or too long). */
	uint32_t dmar_length;
	/* iommu role: a cap to its own TCB, to bind its event notification (0: none). */
	uint32_t tcb;
	/*
	 * iommu role: a copy of the root task's IRQControl (0: none), so the
	 * server that writes the interrupt remapping entries also takes the
	 * kernel vectors they deliver to (servers/iommu/irq.h).
	 */
	uint32_t irq_control;
	uint8_t dmar[WARD_STARTINFO_DMAR_MAX];
	/* Version 4: the manifest's grants, [0, grant_count). */
	uint32_t grant_count;
	uint32_t reserved4;
	struct ward_cap_grant grants[WARD_STARTINFO_GRANTS];
	/*
	 * Version 5, iommu role: the firmware's IVRS table as read, with the
	 * IVMDs of later IVRSs appended (0: none or too long), as dmar[] is
	 * for the DMAR.
	 */
	uint32_t ivrs_length;
	uint8_t ivrs[WARD_STARTINFO_IVRS_MAX];
};

_Static_assert(sizeof(struct ward_startinfo) <= 4096, "start info fits its page");

/* Why a process ended, as the root task's death notifications say (root.protocol). */
enum ward_death_reason {
	WARD_DEATH_EXIT = 1,  /* exit or exit_group; the code is the status (0-255) */
	WARD_DEATH_FAULT = 2, /* a fatal fault; the code is its label (enum ward_fault) */
	WARD_DEATH_KILLED =
	        3, /* ended by a program with `control` (root.protocol KILL); code: its pid */
};

#endif

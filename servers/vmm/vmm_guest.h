/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the VM monitor and its para-virtual guests agree on (docs/vmm.md):
 * the guest-physical map, the guest's CSpace, the boot page and the guest
 * programs. Clients of vmm.protocol use the constants and vmm_pattern()
 * to predict the bytes a guest's device writes.
 *
 * The guest-physical map, which is also the guest's virtual address space
 * (the guest is a process: GPA = its virtual address = IOVA in its domain):
 *
 *   [gpa, gpa + memory)   RAM: lent DMA memory, the same 2 MiB frames the
 *                         guest's IOMMU domain maps at IOVA = GPA
 *     gpa + 0             the boot page (struct vmm_boot)
 *     gpa + VMM_GUEST_SRC the program's DMA source (VMM_DMA_BYTES)
 *     gpa + VMM_GUEST_DST the program's DMA destination
 *     gpa + VMM_GUEST_NVME an NVMe device's queues, identify and data pages
 *   VMM_MMIO_GPA          its devices' BAR 0 pages, device slot i at
 *     + i * VMM_MMIO_SLOT  + i * VMM_MMIO_SLOT: page 0 (edu), pages 0-1
 *                         (NVMe: registers, doorbells); pages reading all
 *                         ones once the device was moved away
 *   the monitor's image   the guest's "ROM": its program (below)
 *   VMM_GUEST_PRIVATE     stack and IPC buffer (not guest-physical memory)
 */
#ifndef VMM_GUEST_H
#define VMM_GUEST_H

#include <stdint.h>

#define VMM_PAGE          4096ULL
#define VMM_LARGE         0x200000ULL   /* 2 MiB: guest memory's granule and frame size */
#define VMM_MMIO_GPA      0xe0000000ULL /* device slot 0's BAR 0 pages in every guest */
#define VMM_MMIO_SIZE     VMM_LARGE     /* the window RAM may not overlap */
#define VMM_MMIO_SLOT     0x100000ULL   /* a device slot's part of it */
#define VMM_MMIO_PAGES    2             /* BAR 0 pages a guest sees: NVMe's doorbells are in 1 */
#define VMM_GUEST_DEVICES 2             /* device slots: an edu and an NVMe VF, say */
#define VMM_GUEST_PRIVATE 0x7f0000000000ULL /* stack, IPC buffer: above any GPA (39 bits) */
#define VMM_GPA_WIDTH     39                /* the guests' domains' IOVA width */
#define VMM_BOOT_GPA      0x1000000ULL      /* guests the arguments ask for: 16 MiB */
#define VMM_GUEST_SRC     0x10000ULL
#define VMM_GUEST_DST     0x20000ULL
#define VMM_GUEST_NVME    0x40000ULL /* an NVMe device's 6 control pages (queues, identify) */
#define VMM_NVME_WRITE    0x46000ULL /* the page of blocks a round writes */
#define VMM_NVME_READ     0x47000ULL /* the page it reads them back into (zeroed first) */
#define VMM_NVME_LBA      512        /* the blocks an NVMe round writes and reads back */
#define VMM_NVME_BLOCKS   8          /* one page of 512-byte blocks (stamp.h's format) */
#define VMM_NVME_WAIT_MS  10000      /* for its controller to come online, its namespace */
/* Bytes per transfer: QEMU 7.2's edu refuses one ending on its buffer's last byte. */
#define VMM_DMA_BYTES     2048u
#define VMM_NO_DEVICE     (~0ULL)

/* The guest's CSpace (slot = cptr, depth 64). */
enum vmm_guest_slot {
	VMM_GUEST_CAP_EVENTS = 1, /* its notification: read (badge bits below) */
	VMM_GUEST_CAP_IRQ = 2,    /* device slot i's IRQHandler at 2 + i (Ack), while it has one */
};
#define VMM_EVENT_IRQ(slot) (1u << (2 * (slot))) /* device slot `slot`'s MSI: 1, 4 */
#define VMM_EVENT_MONITOR   2u /* the monitor changed the boot page (a device plugged or gone) */

/* Guest programs (CREATE_GUEST's `program`). */
enum vmm_program {
	VMM_PROGRAM_IDLE = 0,     /* boots, reports, waits: memory no device writes */
	VMM_PROGRAM_SELFTEST = 1, /* `arg` rounds through its devices, each checked, then waits */
	VMM_PROGRAM_STREAM = 2,   /* rounds through its devices until one is moved away */
	VMM_PROGRAM_FAULT = 3,    /* reads the first GPA past its RAM: a fault the monitor takes */
	VMM_PROGRAMS
};

/* What the guest reports (the boot page's `state`). */
enum vmm_state {
	VMM_STATE_BOOTING = 0, /* not started yet */
	VMM_STATE_IDLE = 1,    /* the idle program, or waiting for a device */
	VMM_STATE_RUNNING = 2, /* rounds under way */
	VMM_STATE_PASSED = 3,  /* SELFTEST: every round's bytes were right */
	VMM_STATE_FAILED = 4,  /* a round's bytes differed, or a device failed (detail) */
	VMM_STATE_GONE = 5,    /* a device was moved away while it drove it */
	VMM_STATE_FAULTED = 6, /* the monitor's: its CPU faulted and is stopped (detail: address) */
};

/* The monitor's steps a VMM_ERR_IOMMU names (its MR0; MR1 is the IOMMU server's error). */
enum vmm_step {
	VMM_STEP_CREATE_DOMAIN = 1,
	VMM_STEP_ALLOC_BUFFER = 2,
	VMM_STEP_BUFFER_CNODE = 3,
	VMM_STEP_ASSIGN = 4,
	VMM_STEP_DEVICE_BAR = 5,
	VMM_STEP_DEVICE_IRQ = 6,
	VMM_STEP_BUS_MASTER = 7,
	VMM_STEP_RELEASE = 8,
	VMM_STEP_FREE_BUFFER = 9,
	VMM_STEP_DESTROY_DOMAIN = 10,
	VMM_STEP_QUERY = 11,
	VMM_STEP_QUIESCE = 12, /* the device's earlier DMA did not end */
};

/* What a device slot holds: the monitor tells from the device's IDs (the IOMMU server's IDENTIFY).
 */
enum vmm_kind {
	VMM_KIND_NONE = 0,
	VMM_KIND_EDU = 1,  /* QEMU's edu: DMA through its buffer, MSI */
	VMM_KIND_NVME = 2, /* an NVMe controller (a VF): polled queues, MSI-X vector 0 */
};

/* What FAILED's detail says about an NVMe device: the library's error in the low byte. */
#define VMM_DETAIL_NVME (1ULL << 62)

#define VMM_BOOT_MAGIC 0x776172642d766d6dULL /* "ward-vmm" */

/* A device slot of the boot page: the monitor writes where and what, the guest its counts. */
struct vmm_boot_device {
	volatile uint64_t bar;      /* GPA of its BAR pages, 0: none */
	volatile uint64_t sbdf;     /* VMM_NO_DEVICE: none */
	volatile uint64_t kind;     /* enum vmm_kind */
	volatile uint64_t rounds;   /* the guest: rounds through this device, checked */
	volatile uint64_t failures; /* the guest: of them, those whose bytes differed */
};

/* The boot page, at the guest's first GPA: the monitor writes the first part, the guest the rest.
 */
struct vmm_boot {
	uint64_t magic;
	uint64_t guest; /* its id */
	uint64_t gpa, memory, program, arg;
	uint64_t tsc_hz; /* its clock (rdtsc), for the NVMe library's time-outs */
	volatile uint64_t
	        device_gen; /* the monitor: two more at every plug and unplug, odd between */
	struct vmm_boot_device device[VMM_GUEST_DEVICES];
	/* written by the guest */
	volatile uint64_t state;    /* enum vmm_state */
	volatile uint64_t rounds;   /* rounds done (each through every device it had) and checked */
	volatile uint64_t failures; /* rounds whose bytes differed */
	volatile uint64_t detail;   /* the failing round or address */
	volatile uint64_t seen_gen; /* the device generation it last acted on */
};

/* Word i of a guest's DMA source in round r: different per guest, round and word. */
static inline uint64_t vmm_pattern(uint64_t guest, uint64_t round, unsigned i)
{
	return 0x9e3779b97f4a7c15ULL * (guest + 1) ^ round << 24 ^ (uint64_t)i << 3 ^ 0x5a5a;
}

/* 64-bit FNV-1a, as GUEST_HASH computes it. */
static inline uint64_t vmm_hash(const volatile void *p, uint64_t len)
{
	const volatile uint8_t *b = p;
	uint64_t h = 0xcbf29ce484222325ULL;

	for (uint64_t i = 0; i < len; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

/* The guest's entry (guest.c), run in the guest with rdi = its boot page's GPA. */
void vmm_guest_entry(struct vmm_boot *boot) __attribute__((noreturn));

#endif

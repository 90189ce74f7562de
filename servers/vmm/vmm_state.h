/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The VM monitor's state (docs/vmm.md): its guests and the devices its
 * manifest lets it assign. monitor.c builds, plugs, moves and destroys;
 * main.c finds the grants and serves vmm.protocol with these.
 */
#ifndef VMM_STATE_H
#define VMM_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <ward/errors.h>
#include <ward/protocol.h>
#include <ward/startinfo.h>

#include "vmm_guest.h"

#define VMM_MAX_GUESTS  4 /* 2 MiB each: the IOMMU server lends 8 MiB per client */
#define VMM_MAX_DEVICES 16
#define VMM_MAX_FRAMES  4   /* 2 MiB frames per guest: the IOMMU server's 8 MiB per client */
#define VMM_GUEST_BITS  19  /* each guest's own memory: image copy, stack, tables, CNode */
#define VMM_GUEST_RADIX 4   /* the guest's CNode: 16 slots */
#define VMM_GUEST_LOG   512 /* monitor slots a guest's objects may take */
#define VMM_STACK_PAGES 8
#define VMM_VIEW_BASE   0x300000000000ULL /* the monitor's view of guest i's RAM: + i GiB */
#define VMM_BAR_VIEW    0x340000000000ULL /* the monitor's view of a BAR page while it quiesces */
#define VMM_SCRATCH     0x348000000000ULL /* one page to fill a guest's pages through */

struct vmm_device;

struct vmm_guest {
	bool live;
	uint64_t id;
	uint64_t memory, gpa, cpu, program, arg;
	/* IOMMU: its domain (cap slot) and the buffer of its RAM */
	uint64_t domain, domain_owner, buffer, frames, frame_size, phys; /* owner: QUERY's name */
	/* its process, all from `untyped` (kept for the table slot, revoked at destroy) */
	uint64_t untyped, cnode, vspace, tcb, events, events_monitor;
	uint64_t events_irq[VMM_GUEST_DEVICES]; /* its notification badged per device slot */
	/* The page of all ones at a slot's BAR pages once its device went: copies of one frame. */
	uint64_t dead[VMM_GUEST_DEVICES][VMM_MMIO_PAGES];
	uint64_t frame_guest[VMM_MAX_FRAMES], frame_view[VMM_MAX_FRAMES];
	struct vmm_boot *boot;                        /* the monitor's view of its boot page */
	struct vmm_device *device[VMM_GUEST_DEVICES]; /* per device slot; NULL: none */
	uint64_t fault,
	        fault_addr; /* its CPU's fault (label, 0: none) and address, if it took one */
	uint64_t log[VMM_GUEST_LOG]; /* monitor slots to give back at destroy */
	unsigned logged;
};

struct vmm_device {
	const struct ward_cap_grant *grant; /* its ASSIGNMENT grant */
	uint64_t sbdf, group, members, granted;
	uint64_t id, kind, pages; /* IDENTIFY's IDs, enum vmm_kind, BAR pages a guest sees */
	struct vmm_guest *guest;  /* holder; NULL: quarantine */
	unsigned slot;            /* its device slot in the holder */
	/* cap slots, refilled at every plug */
	uint64_t devcap, irq, bar[VMM_MMIO_PAGES], bar_guest[VMM_MMIO_PAGES];
};

/* The badge of a guest's fault handler cap (this endpoint): the bit and the guest's id. */
#define VMM_BADGE_FAULT (1ULL << 62)

struct vmm {
	uint64_t endpoint; /* vmm.protocol's, all rights: guests' fault handler caps come from it */
	uint64_t iommu;    /* the IOMMU server, badged with this monitor's pid */
	uint64_t pid;
	uint64_t quota; /* bytes of guest memory in all */
	uint64_t used;
	uint64_t next_id;
	uint64_t tsc_hz;
	unsigned cpus;
	struct vmm_guest guests[VMM_MAX_GUESTS];
	struct vmm_device devices[VMM_MAX_DEVICES];
	unsigned device_count;
};

/* Reads the ASSIGNMENT grants and asks the IOMMU server each one's group. */
enum ward_error vmm_init(struct vmm *m);

struct vmm_guest *vmm_guest_find(struct vmm *m, uint64_t id);
struct vmm_device *vmm_device_find(struct vmm *m, uint64_t sbdf);

/* The requests, with their refusals (rq for the error's details). */
enum ward_error vmm_create(struct vmm *m, struct ward_request *rq, uint64_t memory, uint64_t gpa,
                           uint64_t cpu, uint64_t program, uint64_t arg, struct vmm_guest **out);
/* *busy: its device had a DMA under way when the guest was stopped. */
enum ward_error vmm_destroy(struct vmm *m, struct ward_request *rq, struct vmm_guest *g,
                            uint64_t *busy);
/* Moves the device to guest `to` (NULL: quarantine); checks first. */
enum ward_error vmm_move(struct vmm *m, struct ward_request *rq, struct vmm_device *d,
                         struct vmm_guest *to);
/* A guest's fault (the kernel's label and MRs): it stays stopped, GUEST_STATUS says so. */
void vmm_guest_fault(struct vmm *m, uint64_t id, uint64_t label, const uint64_t *mr);
/* Its state: the program's, or VMM_STATE_FAULTED. */
uint64_t vmm_guest_state(const struct vmm_guest *g);

/* The GPA of device slot `slot`'s BAR pages in every guest. */
uint64_t vmm_slot_gpa(unsigned slot);

/* Checks whether the monitor may place the device at all (NOT_ASSIGNABLE is the caller's). */
enum ward_error vmm_device_check(struct vmm *m, struct ward_request *rq, struct vmm_device *d);

#endif

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The ownership ledger: which domain owns each device group. A group is
 * the set of PCI functions the IOMMU cannot tell apart or isolate (shared
 * requester IDs behind a PCIe-to-PCI bridge, no ACS): the PCI server
 * names it by its lowest SBDF. A group is always owned, by one client
 * domain or by LEDGER_QUARANTINE (DMA blocked); never by none, never by
 * two.
 *
 * Every change of owner is one call of ledger_move(), made by the
 * server's one thread and run to completion: the steps of enum
 * ledger_step, each through struct ledger_ops, for every member of the
 * group. There is no lock: nothing else runs between two steps, so the
 * ledger and the hardware can disagree only inside a call, never between
 * two (SEEDS.md §1 and §2: no per-domain lock to order, no group half
 * moved). A step that fails is undone or made safe:
 *
 *   before REVOKE   bus mastering is put back as it was, the owner is
 *                   unchanged (LEDGER_ROLLBACK_RESTORED), unless the move
 *                   was to quarantine (a release, a death): then as below;
 *   REVOKE or later the group goes to quarantine (context entries,
 *                   interrupts torn down, one invalidation and its wait:
 *                   LEDGER_ROLLBACK_QUARANTINED), or, if that wait fails
 *                   too, stays pointed at quarantine and is marked broken
 *                   (LEDGER_ROLLBACK_BROKEN): no further move is tried.
 *
 * Each call leaves a record in a journal of the last LEDGER_JOURNAL moves
 * (dump prints it). The cost of a move grows with the size of its group,
 * never with the number of devices, groups or domains. The core knows no
 * hardware and no protocol: the server supplies the steps (hw.c, the PCI
 * server), the host tests a mock (servers/iommu/tests/test_ledger.c).
 */
#ifndef IOMMU_LEDGER_H
#define IOMMU_LEDGER_H

#include <stdbool.h>
#include <stdint.h>

#define LEDGER_QUARANTINE  0xffffu /* owner: the quarantine domain */
#define LEDGER_NONE        0xffffu /* no device or group */
#define LEDGER_MAX_ALIASES 4u
#define LEDGER_JOURNAL     32u
#define LEDGER_MAX_VFS     256u /* VFs one PF enables at once (ledger_add_vfs) */
#define LEDGER_SKIPPED     (-1) /* a step's answer: nothing to do (no reset method) */

/* ledger_move() flags */
#define LEDGER_MOVE_GROUP (1u << 0) /* move every member of the group */
/*
 * To quarantine even with a VF out of quarantine (a death, a fault storm):
 * nobody is left to release the VF first, and the PF must not stay in a
 * dead or stopped owner's domain. It cannot leave quarantine until then.
 */
#define LEDGER_MOVE_FORCE (1u << 1)

enum ledger_step {
	LEDGER_STEP_CHECK,          /* group, VFs, owner: refusals change nothing */
	LEDGER_STEP_BUS_MASTER_OFF, /* every member stops DMA (PCI server) */
	LEDGER_STEP_REVOKE,         /* the old owner's device cap, BAR frames, PCI caps */
	LEDGER_STEP_IRQ_TEARDOWN,   /* interrupt entries cleared, their cache invalidated */
	LEDGER_STEP_POINT,          /* every requester ID's context entry at the new domain */
	LEDGER_STEP_INVALIDATE,     /* context cache and IOTLB of both domains, one wait */
	LEDGER_STEP_RESET,          /* FLR, D3hot->D0 or bus reset (PCI server) */
	LEDGER_STEP_GRANT,          /* the owner changes; the new owner's device cap */
	LEDGER_STEPS
};

enum ledger_rollback {
	LEDGER_ROLLBACK_NONE,        /* the move completed, or was refused at CHECK */
	LEDGER_ROLLBACK_RESTORED,    /* bus mastering restored; the owner is unchanged */
	LEDGER_ROLLBACK_QUARANTINED, /* the group is in quarantine */
	LEDGER_ROLLBACK_BROKEN,      /* quarantine's wait failed too: the group is broken */
};

enum ledger_err {
	LEDGER_OK,
	LEDGER_ERR_NO_DEVICE,   /* no such device */
	LEDGER_ERR_SAME_OWNER,  /* the group is owned by the target already */
	LEDGER_ERR_GROUP,       /* the group has other members (ledger_result.other) */
	LEDGER_ERR_VF_ASSIGNED, /* a VF of a PF in the group is out of quarantine (.other) */
	LEDGER_ERR_BROKEN,      /* the group is broken by an earlier failed quarantine */
	LEDGER_ERR_STEP,        /* a step failed (.failed, .rollback, .cause) */
	LEDGER_ERR_FULL,        /* no room for another device or group */
};

struct ledger_device {
	uint32_t sbdf;
	uint16_t group;
	uint16_t next; /* the next member of the group, LEDGER_NONE */
	uint16_t pf;   /* a VF's PF (device index), LEDGER_NONE */
	uint8_t nalias;
	uint16_t alias[LEDGER_MAX_ALIASES]; /* requester IDs beside its own */
	bool used;
	bool was_mastering; /* during a move: bus mastering was on before it */
	uint16_t vfs_out;   /* a PF: its VFs whose groups are out of quarantine */
};

struct ledger_group {
	uint32_t id; /* the PCI server's group: its lowest SBDF */
	uint16_t first, count;
	uint16_t owner;      /* domain index or LEDGER_QUARANTINE */
	uint32_t generation; /* counts owner changes: the device cap's badge */
	bool used;
	bool broken;
};

/*
 * The steps, supplied by the server. Each returns 0, LEDGER_SKIPPED (only
 * reset: the device has no reset method) or a nonzero cause the journal
 * keeps (a PCI or IOMMU error number).
 */
struct ledger_ops {
	int (*bus_master)(void *ctx, uint32_t sbdf, bool on, bool *was_on);
	/* The group's device cap, every copy (interrupts go in irq_teardown). */
	int (*retire)(void *ctx, uint16_t group);
	/* The member's BAR frames and device-badged PCI caps (PCI server revoke). */
	int (*revoke)(void *ctx, uint32_t sbdf);
	int (*irq_teardown)(void *ctx, uint16_t device);
	/* Points requester ID sid of device at domain (LEDGER_QUARANTINE: blocked). */
	int (*point)(void *ctx, uint16_t device, uint16_t sid, uint16_t domain);
	/* Queues the context-cache and IOTLB invalidations of both domains, then waits. */
	int (*flush)(void *ctx, uint16_t from, uint16_t to);
	int (*reset)(void *ctx, uint16_t device, uint32_t sbdf);
	/* The group now belongs to domain (not quarantine): mint its device cap. */
	int (*grant)(void *ctx, uint16_t group, uint16_t domain);
	/* Optional: a clock (the server's TSC) for the journal's cost of each step. */
	uint64_t (*clock)(void *ctx);
	void *ctx;
};

/* One move, as the journal keeps it. */
struct ledger_result {
	uint64_t seq;
	uint32_t sbdf;     /* the device the request named */
	uint32_t group_id; /* its group's lowest SBDF */
	uint16_t group;    /* its group's index */
	uint16_t from, to; /* domains, LEDGER_QUARANTINE */
	uint16_t owner;    /* the owner after the call */
	uint16_t moved;    /* devices moved */
	uint16_t steps;    /* bit per enum ledger_step done */
	uint16_t skipped;  /* bit per step every member skipped (no reset method) */
	uint16_t other;    /* GROUP, VF_ASSIGNED: the device in the way */
	enum ledger_err err;
	enum ledger_step failed;
	enum ledger_rollback rollback;
	int cause;
	uint32_t cost[LEDGER_STEPS]; /* clock ticks per step (ops.clock), 0 without a clock */
};

struct ledger {
	struct ledger_device *dev;
	struct ledger_group *grp;
	unsigned max_dev, max_grp;
	const struct ledger_ops *ops;
	uint64_t seq;
	struct ledger_result journal[LEDGER_JOURNAL];
};

void ledger_init(struct ledger *l, struct ledger_device *dev, unsigned max_dev,
                 struct ledger_group *grp, unsigned max_grp, const struct ledger_ops *ops);
/*
 * Records a device in quarantine, in the group named group_id (made if
 * new); pf is a VF's PF (device index) or LEDGER_NONE. The caller points
 * its requester IDs at quarantine. Returns the device index in *index.
 */
enum ledger_err ledger_add(struct ledger *l, uint32_t sbdf, uint32_t group_id, uint16_t pf,
                           const uint16_t *alias, unsigned nalias, uint16_t *index);
/* Forgets a device in quarantine (disabled VFs); its group goes when empty. */
enum ledger_err ledger_remove(struct ledger *l, uint16_t device);
/* A VF as the PCI server's table lists it: its SBDF, group and DMA aliases. */
struct ledger_vf {
	uint32_t sbdf, group_id;
	unsigned nalias;
	uint16_t alias[LEDGER_MAX_ALIASES];
};
/*
 * The n VFs a PF just enabled enter the ledger, in quarantine, linked to
 * pf: all recorded, every requester ID pointed at quarantine, then one
 * wait (flush from quarantine to quarantine). Refused, nothing recorded:
 * LEDGER_ERR_FULL (no room for all of them), LEDGER_ERR_GROUP (a VF's
 * SBDF is recorded already, or its group is out of quarantine or broken:
 * .other that device). If a context write or the wait fails
 * (LEDGER_ERR_STEP: .failed POINT or INVALIDATE, .cause), the VFs stay
 * recorded in quarantine with their groups broken (LEDGER_ROLLBACK_BROKEN):
 * their entries point at quarantine or were never written, never at a
 * domain. .moved counts the VFs recorded. Not journalled: no owner changes.
 */
enum ledger_err ledger_add_vfs(struct ledger *l, uint16_t pf, const struct ledger_vf *vf,
                               unsigned n, struct ledger_result *out);
/*
 * Forgets every VF of pf (their groups go when empty, keeping their
 * generations), if all are in quarantine; else LEDGER_ERR_VF_ASSIGNED with
 * *other the first VF out, nothing changed. *removed counts them.
 */
enum ledger_err ledger_remove_vfs(struct ledger *l, uint16_t pf, uint16_t *other,
                                  unsigned *removed);
/* Moves the device's group to domain `to` (LEDGER_QUARANTINE: release). */
enum ledger_err ledger_move(struct ledger *l, uint16_t device, uint16_t to, unsigned flags,
                            struct ledger_result *out);
/* Every group owned by domain to quarantine (its owner died or it is destroyed). */
enum ledger_err ledger_release_domain(struct ledger *l, uint16_t domain, unsigned *moved);
/* A VF of PF `pf` that is out of quarantine, or LEDGER_NONE. */
uint16_t ledger_vf_assigned(const struct ledger *l, uint16_t pf);
/* The device with this SBDF, or LEDGER_NONE; and the device owning requester ID sid. */
uint16_t ledger_find(const struct ledger *l, uint32_t sbdf);
uint16_t ledger_find_sid(const struct ledger *l, uint16_t sid);
/* The group's owner; whether domain owns any group. */
uint16_t ledger_owner(const struct ledger *l, uint16_t device);
unsigned ledger_domain_devices(const struct ledger *l, uint16_t domain);
/* Journal entry n back from the newest (0: newest), or NULL. */
const struct ledger_result *ledger_journal(const struct ledger *l, unsigned n);
const char *ledger_step_name(enum ledger_step s);
const char *ledger_rollback_name(enum ledger_rollback r);
const char *ledger_err_name(enum ledger_err e);

/*
 * The invariants: every used device is in exactly one used group, which
 * lists it; every group's count matches its list; every owner is
 * quarantine or a domain `live` accepts; and `where` (the hardware's
 * context entry of each requester ID: the domain it points at, or
 * LEDGER_QUARANTINE) agrees with the owner. Returns the number of
 * disagreements; *first_bad the first device found wrong.
 */
unsigned ledger_check(const struct ledger *l, bool (*live)(void *ctx, uint16_t domain),
                      uint16_t (*where)(void *ctx, uint16_t sid), void *ctx, uint16_t *first_bad);

#endif /* IOMMU_LEDGER_H */

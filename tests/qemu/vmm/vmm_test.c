/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The VM monitor (servers/vmm, docs/vmm.md) as the system manifest starts
 * it, checked through vmm.protocol by a client of the manifest that also
 * holds the root task's IOMMU authority (`iommu-admin`: QUERY, DUMP).
 *
 * mode=main (vmm.toml, iommu preset with a third edu at 00:10.0 and an RMRR, or on
 * amd-iommu an IVMD, for edu 1):
 *   1. DMA lands in the guest's frame and nowhere else: guests A (selftest)
 *      and B (waiting for a device) at the same GPA, edu 0 plugged into A;
 *      A's rounds pass (checked by A against the pattern), the bytes at
 *      A's DST GPA are the device's (the last round's pattern), and all of
 *      B's memory but its boot page is still zero;
 *   2. a move while A's DMA is active: A destroyed, C streams DMA rounds
 *      through edu 0, edu 0 is moved to B mid-round: C's DST is never
 *      written after the move (its hash and round count frozen while B
 *      runs two rounds), C sees its device gone, B's rounds pass;
 *   3. destroy mid-DMA: edu 0 moved back into C, which streams again; C is
 *      destroyed with a DMA under way: edu 0 is in quarantine (QUERY)
 *      before the reply, D is made at the same GPA (its memory from the
 *      pool C's came back to) and gets edu 0 after its pending DMA was
 *      waited out: D's memory past the boot page is all zero;
 *   4. refusals, each with its error, the monitor's guests and the IOMMU
 *      server's domains unchanged and DUMP's check passing after each:
 *      a device the manifest does not let the monitor assign (edu 2),
 *      one held by another program (edu 1, this client's), memory beyond
 *      the quota, RAM over the interrupt window, over the RMRR, over the
 *      guest's BAR window, malformed sizes and an unknown guest;
 *   5. a move whose IOTLB invalidation times out (the IOMMU server's
 *      `inject`): the monitor's IOMMU error names the step and HARDWARE,
 *      the device is in quarantine and in no guest, a later move works;
 *   6. a guest whose CPU faults (reading past its RAM): the monitor takes
 *      the fault (GUEST_STATUS: FAULTED at that address) and serves on.
 * mode=group (vmm-group.toml, pci preset): the guest the monitor's
 *   arguments make at start holds a two-function edu (a group the monitor
 *   may assign whole) and its selftest passes; a device whose group the
 *   monitor does not wholly own (one of the bridge's edu devices) is
 *   refused with GROUP; the two-function group moves whole into a new
 *   guest whose selftest passes through function 0.
 * mode=nvme (vmm-nvme.toml, system preset with a pci-testdev; the NVMe PF's
 *   driver brings VF 2 online with namespace 3, on a stamped image):
 *   1. guest A holds edu 0 in device slot 0 and VF 2 in slot 1 (its BAR
 *      pages at the slots' GPAs, both in A's domain); its selftest passes
 *      through both: edu's DMA, and the guest's own NVMe driver (the NVMe
 *      library, its queues and data at GPAs) writing stamped blocks to
 *      namespace 3 and reading them back; the page A read into holds
 *      exactly the stamps (GUEST_HASH); the VF's MSI-X was delivered
 *      (the IOMMU server's count); a third device is refused with
 *      ATTACHED (A's slots full), the test device with UNSUPPORTED;
 *   2. VF 2 moved from A to B: A keeps edu 0 and its rounds go on, B's
 *      selftest passes through the VF in its slot 0;
 *   3. both destroyed: every device in quarantine, DUMP agrees; after
 *      QEMU exits the runner finds namespace 3's blocks written exactly
 *      where the guests wrote (disk.py check --written3).
 */
#include <string.h>
#include <ward/invoke.h>
#include <ward/protocol.h>
#include <ward/rt.h>
#include <ward/startinfo.h>
#include <ward/sys.h>

#include "../tap.h"
#include "stamp.h"
#include "iommu.h"
#include "iommu_client.h"
#include "vmm.h"
#include "vmm_guest.h"

#define MIB                  (1ULL << 20)
#define GPA                  0x1000000ULL /* 16 MiB: every guest's RAM here, below edu's 28-bit mask */
#define TRIES                20000000u    /* polls: a bound for a hang, not a speed */
#define EDU2_SBDF            0x80u        /* 00:10.0: the third edu, no grant of the monitor's */
#define RMRR_BASE            0xffe0000ULL /* tests/qemu/iommu/dmar_rmrr.dsl */
#define WINDOW_LO            0xfee00000ULL
#define WINDOW_HI            0xfeefffffULL
#define NVME_BLOCKS_BYTES    (VMM_NVME_BLOCKS * STAMP_BLOCK)
#define ROLLBACK_QUARANTINED 2 /* docs/iommu.md §8: ASSIGN's MOVE_FAILED and HARDWARE, MR1 */

static uint64_t ep, admin;
static uint64_t expect_domains, expect_guests; /* what a refusal must leave */

static uint64_t zero_hash(uint64_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (uint64_t i = 0; i < len; i++)
		h *= 0x100000001b3ULL;
	return h;
}

static uint64_t pattern_hash(uint64_t guest, uint64_t round)
{
	static uint64_t words[VMM_DMA_BYTES / 8];

	for (unsigned i = 0; i < VMM_DMA_BYTES / 8; i++)
		words[i] = vmm_pattern(guest, round, i);
	return vmm_hash(words, sizeof(words));
}

struct status {
	uint64_t state, rounds, failures, detail, gen;
};

static struct status status(uint64_t g)
{
	struct status s = {~0ULL, 0, 0, 0, 0};

	vmm_guest_status(ep, g, &s.state, &s.rounds, &s.failures, &s.detail, &s.gen);
	return s;
}

/* Polls until the guest is in `state` with at least `rounds` rounds. */
static bool wait_for(uint64_t g, uint64_t state, uint64_t rounds, struct status *out)
{
	for (unsigned i = 0; i < TRIES; i++) {
		*out = status(g);
		if (out->state == state && out->rounds >= rounds)
			return true;
		if (out->state == VMM_STATE_FAILED)
			return false;
		ward_yield();
	}
	return false;
}

static uint64_t hash(uint64_t g, uint64_t gpa, uint64_t len)
{
	uint64_t h = 0;

	return vmm_guest_hash(ep, g, gpa, len, &h) == WARD_OK ? h : 0;
}

static uint64_t create(uint64_t memory, uint64_t gpa, uint64_t program, uint64_t arg,
                       uint64_t *phys)
{
	uint64_t g = 0, p = 0;
	enum ward_error err = vmm_create_guest(ep, memory, gpa, 1, program, arg, &g, &p);

	if (phys != NULL)
		*phys = p;
	if (err != WARD_OK)
		tap_diag("create_guest: error %#x", err);
	return err == WARD_OK ? g : 0;
}

static uint64_t live_guests(void)
{
	uint64_t n = 0, x;

	while (vmm_list_guests(ep, n, &x, &x, &x, &x, &x, &x, &x, &x, &x) == WARD_OK)
		n++;
	return n;
}

/* DUMP (quiet) agrees with the tables; its domain count in *domains. */
static bool dump_ok(uint64_t *domains)
{
	uint64_t units = 0, d = 0, contexts = 0, ptes = 0;
	enum ward_error err = iommu_dump(admin, IOMMU_DUMP_QUIET, &units, &d, &contexts, &ptes);

	if (domains != NULL)
		*domains = d;
	return err == WARD_OK;
}

static uint64_t owner_of(uint64_t sbdf)
{
	uint64_t owner = ~0ULL, x;

	iommu_query(admin, sbdf, &owner, &x, &x, &x, &x, &x, &x, &x);
	return owner;
}

/* The refusal's error and details, then nothing changed: guests, domains, DUMP. */
static void refused(const char *what, enum ward_error err, enum ward_error want, uint64_t lo,
                    uint64_t hi, bool check_range)
{
	struct ward_error_detail d = ward_last_error();
	uint64_t domains = 0;
	bool dumped;

	tap_ok(err == want && (!check_range || (d.lo == lo && d.hi == hi)),
	       "%s: refused with %#x (want %#x), detail %#llx..%#llx", what, err, want,
	       (unsigned long long)d.lo, (unsigned long long)d.hi);
	dumped = dump_ok(&domains);
	tap_ok(dumped && domains == expect_domains && live_guests() == expect_guests,
	       "%s: DUMP's check passes, %llu domains, %llu guests as before", what,
	       (unsigned long long)domains, (unsigned long long)expect_guests);
}

static void test_main(void)
{
	const struct ward_cap_grant *own = ward_grant(WARD_GRANT_DEVICE, "edu1");
	uint64_t sbdf = 0, group, members, granted, holder, bar = 0, from = 0, x;
	uint64_t a, b, c, d, f, phys_c = 0, phys_d = 0, h1, domains0 = 0, guests0, busy,
	                        domain_a = 0;
	struct status s = {0}, sa = {0}, sb = {0}, sc = {0};
	struct ward_error_detail dt;
	enum ward_error err;
	bool ok;

	tap_plan(42);
	err = vmm_devices(ep, 0, &sbdf, &group, &members, &granted, &holder);
	tap_ok(err == WARD_OK && members == 1 && granted == 1 && holder == 0 && own != NULL,
	       "DEVICES: edu 0 (%#llx) in a group of its own, in no guest; this client owns edu 1",
	       (unsigned long long)sbdf);
	ok = dump_ok(&domains0);
	tap_ok(ok, "DUMP agrees at the start (%llu domains)", (unsigned long long)domains0);

	/* 1. DMA at a GPA lands in that guest's frame and nowhere else. */
	a = create(2 * MIB, GPA, VMM_PROGRAM_SELFTEST, 2, NULL);
	b = create(2 * MIB, GPA, VMM_PROGRAM_SELFTEST, 2, NULL);
	tap_ok(a != 0 && b != 0 && a != b, "guests A (%llu) and B (%llu), 2 MiB each at GPA %#llx",
	       (unsigned long long)a, (unsigned long long)b, (unsigned long long)GPA);
	err = vmm_assign_device(ep, a, sbdf, &bar);
	ok = err == WARD_OK &&
	     vmm_list_guests(ep, 0, &x, &x, &x, &x, &x, &holder, &x, &x, &domain_a) == WARD_OK;
	tap_ok(ok && bar == VMM_MMIO_GPA && holder == sbdf && owner_of(sbdf) == domain_a,
	       "edu 0 plugged into A: BAR page at GPA %#llx; LIST and the IOMMU server agree it is "
	       "in A's domain (%llu)",
	       (unsigned long long)bar, (unsigned long long)domain_a);
	ok = wait_for(a, VMM_STATE_PASSED, 2, &sa);
	tap_ok(ok && sa.failures == 0,
	       "A's two DMA rounds at GPAs only passed its own check (state %llu, %llu rounds)",
	       (unsigned long long)sa.state, (unsigned long long)sa.rounds);
	tap_ok(hash(a, GPA + VMM_GUEST_DST, VMM_DMA_BYTES) == pattern_hash(a, 1),
	       "A's frame at DST GPA %#llx holds what the device wrote (round 1's pattern)",
	       (unsigned long long)(GPA + VMM_GUEST_DST));
	tap_ok(hash(b, GPA + VMM_PAGE, 2 * MIB - VMM_PAGE) == zero_hash(2 * MIB - VMM_PAGE) &&
	               status(b).state == VMM_STATE_IDLE,
	       "B's memory at the same GPAs is untouched: all zero past its boot page");
	tap_ok(vmm_destroy_guest(ep, a, &x) == WARD_OK && owner_of(sbdf) == 0,
	       "A destroyed: edu 0 back in quarantine");

	/* 2. Move from C to B while C's DMA is active. */
	c = create(2 * MIB, GPA, VMM_PROGRAM_STREAM, 0, &phys_c);
	ok = c != 0 && vmm_assign_device(ep, c, sbdf, &bar) == WARD_OK &&
	     wait_for(c, VMM_STATE_RUNNING, 3, &sc);
	tap_ok(ok, "C streams DMA rounds through edu 0 (%llu rounds)",
	       (unsigned long long)sc.rounds);
	err = vmm_move_device(ep, sbdf, b, &from);
	h1 = hash(c, GPA + VMM_GUEST_DST, VMM_DMA_BYTES);
	tap_ok(err == WARD_OK && from == c, "MOVE_DEVICE edu 0 C -> B mid-stream (error %#x)", err);
	tap_ok(wait_for(b, VMM_STATE_PASSED, 2, &sb) && sb.failures == 0 &&
	               hash(b, GPA + VMM_GUEST_DST, VMM_DMA_BYTES) == pattern_hash(b, 1),
	       "B's DMA works: its two rounds passed, its DST holds its own pattern");
	s = status(c);
	tap_ok(hash(c, GPA + VMM_GUEST_DST, VMM_DMA_BYTES) == h1 && h1 != pattern_hash(b, 1),
	       "C's memory was never written after the move (its DST as right after it, %llu "
	       "rounds)",
	       (unsigned long long)s.rounds);
	tap_ok(s.state == VMM_STATE_GONE, "C saw its device gone (state %llu)",
	       (unsigned long long)s.state);

	/* 3. Destroy C with a DMA under way. */
	err = vmm_move_device(ep, sbdf, c, &from);
	ok = err == WARD_OK && from == b && wait_for(c, VMM_STATE_RUNNING, s.rounds + 2, &sc);
	tap_ok(ok, "edu 0 moved back into C, which streams again (%llu rounds)",
	       (unsigned long long)sc.rounds);
	/* A streaming guest is between two transfers for microseconds of every 100 ms: try thrice.
	 */
	for (unsigned tries = 1;; tries++) {
		busy = 0;
		err = vmm_destroy_guest(ep, c, &busy);
		if (err != WARD_OK || busy == 1 || tries == 3)
			break;
		tap_diag("C was between two transfers: again with another streaming guest");
		c = create(2 * MIB, GPA, VMM_PROGRAM_STREAM, 0, &phys_c);
		if (c == 0 || vmm_assign_device(ep, c, sbdf, &bar) != WARD_OK ||
		    !wait_for(c, VMM_STATE_RUNNING, 2, &sc))
			break;
	}
	tap_ok(err == WARD_OK && busy == 1, "C destroyed with edu 0's DMA under way (error %#x)",
	       err);
	tap_ok(owner_of(sbdf) == 0 && vmm_guest_status(ep, c, &x, &x, &x, &x, &x) ==
	                                      (enum ward_error)VMM_ERR_NO_GUEST,
	       "edu 0 was in quarantine when DESTROY_GUEST returned; C is gone");
	d = create(2 * MIB, GPA, VMM_PROGRAM_IDLE, 0, &phys_d);
	tap_diag("C's first frame was at %#llx, D's is at %#llx%s", (unsigned long long)phys_c,
	         (unsigned long long)phys_d, phys_c == phys_d ? " (the same memory)" : "");
	tap_ok(d != 0 && vmm_assign_device(ep, d, sbdf, &bar) == WARD_OK,
	       "D at the same GPA gets edu 0 (C's pending DMA waited out first)");
	tap_ok(hash(d, GPA + VMM_PAGE, 2 * MIB - VMM_PAGE) == zero_hash(2 * MIB - VMM_PAGE),
	       "D's memory past its boot page is all zero: C's DMA never reached it");
	tap_ok(dump_ok(NULL), "DUMP agrees with B and D running");

	/* A guest whose CPU faults: the monitor takes the fault, the guest stays stopped. */
	f = create(2 * MIB, GPA, VMM_PROGRAM_FAULT, 0, NULL);
	ok = f != 0 && wait_for(f, VMM_STATE_FAULTED, 0, &s);
	tap_ok(ok && s.detail == GPA + 2 * MIB,
	       "guest F read past its RAM: the monitor took the page fault at %#llx, F is stopped",
	       (unsigned long long)s.detail);
	ok = vmm_destroy_guest(ep, f, &x) == WARD_OK && dump_ok(NULL) &&
	     hash(d, GPA + VMM_PAGE, 2 * MIB - VMM_PAGE) == zero_hash(2 * MIB - VMM_PAGE);
	tap_ok(ok, "F destroyed; D untouched, DUMP agrees");

	/*
	 * A move whose invalidation times out (the IOMMU server's `inject`): the
	 * error names the step and the IOMMU server's HARDWARE, edu 0 is in
	 * quarantine and in no guest; a later move works.
	 */
	tap_ok(iommu_dump(admin, IOMMU_DUMP_QUIET | IOMMU_DUMP_INJECT_TIMEOUT, &x, &x, &x, &x) ==
	               WARD_OK,
	       "DUMP armed a time-out of the IOMMU server's next invalidation wait");
	err = vmm_move_device(ep, sbdf, b, &from);
	dt = ward_last_error();
	ok = vmm_list_guests(ep, 1, &x, &x, &x, &x, &x, &holder, &x, &x, &x) == WARD_OK;
	/* HARDWARE when the invalidate step's wait failed, MOVE_FAILED when the interrupt
	 * teardown's did (edu 0 has its MSI); either way the IOMMU server says: quarantined. */
	tap_ok(err == (enum ward_error)VMM_ERR_IOMMU && dt.arg == VMM_STEP_ASSIGN &&
	               (dt.lo == IOMMU_ERR_HARDWARE || dt.lo == IOMMU_ERR_MOVE_FAILED) &&
	               dt.hi == ROLLBACK_QUARANTINED && owner_of(sbdf) == 0 && ok &&
	               holder == VMM_NO_DEVICE &&
	               vmm_devices(ep, 0, &x, &x, &x, &x, &holder) == WARD_OK && holder == 0,
	       "MOVE_DEVICE D -> B with the wait timing out: IOMMU (step %llu, error %#llx, "
	       "rollback %llu), edu 0 in quarantine, in no guest",
	       (unsigned long long)dt.arg, (unsigned long long)dt.lo, (unsigned long long)dt.hi);
	s = status(b);
	ok = vmm_move_device(ep, sbdf, b, &from) == WARD_OK && from == 0 &&
	     wait_for(b, VMM_STATE_PASSED, s.rounds + 1, &sb) && sb.failures == 0 &&
	     vmm_move_device(ep, sbdf, d, &from) == WARD_OK && dump_ok(NULL);
	tap_ok(ok,
	       "then edu 0 moves from quarantine into B, whose DMA round passes, and back to D");

	/* 4. Refusals: each changes nothing. */
	guests0 = live_guests();
	sb = status(b);
	expect_guests = guests0;
	dump_ok(&expect_domains);
	tap_ok(owner_of(EDU2_SBDF) == 0, "edu 2 (%#x) is on the machine, in quarantine", EDU2_SBDF);
	err = vmm_assign_device(ep, b, EDU2_SBDF, &bar);
	refused("edu 2, which the manifest does not let the monitor assign", err,
	        VMM_ERR_NOT_ASSIGNABLE, EDU2_SBDF, 0, true);
	err = vmm_assign_device(ep, b, own->sbdf, &bar);
	refused("edu 1, held by this client's domain", err, VMM_ERR_OWNED, ward_startinfo->pid, 0,
	        true);
	err = vmm_create_guest(ep, 6 * MIB, GPA, 1, VMM_PROGRAM_IDLE, 0, &x, &x);
	refused("6 MiB of guest memory with 4 MiB of the 8 MiB quota left", err, VMM_ERR_QUOTA, 0,
	        4 * MIB, true);
	err = vmm_create_guest(ep, 2 * MIB, WINDOW_LO, 1, VMM_PROGRAM_IDLE, 0, &x, &x);
	refused("RAM over the interrupt window", err, VMM_ERR_RESERVED, WINDOW_LO, WINDOW_HI, true);
	err = vmm_create_guest(ep, 2 * MIB, RMRR_BASE & ~(VMM_LARGE - 1), 1, VMM_PROGRAM_IDLE, 0,
	                       &x, &x);
	refused("RAM over the RMRR", err, VMM_ERR_RESERVED, RMRR_BASE, RMRR_BASE + 0xfff, true);
	err = vmm_create_guest(ep, 2 * MIB, VMM_MMIO_GPA, 1, VMM_PROGRAM_IDLE, 0, &x, &x);
	refused("RAM over the guest's BAR window", err, VMM_ERR_RESERVED, VMM_MMIO_GPA,
	        VMM_MMIO_GPA + VMM_MMIO_SIZE - 1, true);
	err = vmm_create_guest(ep, 3 * MIB, GPA, 1, VMM_PROGRAM_IDLE, 0, &x, &x);
	refused("3 MiB (not a multiple of 2 MiB)", err, WARD_ERR_INVALID_ARGUMENT, 0, 0, false);
	s = status(b);
	tap_ok(live_guests() == guests0 && guests0 == 2 && s.state == sb.state &&
	               s.rounds == sb.rounds,
	       "after the refusals: still two guests (B, D), B as it was");
	tap_ok(vmm_destroy_guest(ep, b, &x) == WARD_OK && vmm_destroy_guest(ep, d, &x) == WARD_OK &&
	               live_guests() == 0 && owner_of(sbdf) == 0,
	       "B and D destroyed: no guest left, edu 0 in quarantine");
	ok = dump_ok(&x);
	tap_ok(ok && x == domains0, "DUMP agrees at the end: %llu domains, as at the start",
	       (unsigned long long)x);
}

static void test_group(void)
{
	uint64_t sbdf, group, members, granted, holder, bar, g, boot = 0, from = 0, x;
	uint64_t bridged = ~0ULL, fn0 = ~0ULL, fn0_holder = 0, dev = 0, domain = 0;
	struct status s = {0};
	enum ward_error err;
	bool ok;

	tap_plan(6);
	for (uint64_t i = 0;
	     vmm_devices(ep, i, &sbdf, &group, &members, &granted, &holder) == WARD_OK; i++) {
		if (members > granted)
			bridged = sbdf;
		else if (fn0 == ~0ULL) {
			fn0 = sbdf;
			fn0_holder = holder;
		}
	}
	tap_ok(bridged != ~0ULL && fn0 != ~0ULL && fn0_holder != 0,
	       "DEVICES: a device of a group the monitor may not wholly assign (%#llx), and one of "
	       "a group it may (%#llx), held by guest %llu",
	       (unsigned long long)bridged, (unsigned long long)fn0,
	       (unsigned long long)fn0_holder);
	ok = vmm_list_guests(ep, 0, &boot, &x, &x, &x, &x, &dev, &x, &x, &domain) == WARD_OK &&
	     wait_for(boot, VMM_STATE_PASSED, 2, &s);
	tap_ok(ok && boot == fn0_holder && dev == fn0 && owner_of(fn0) == domain && s.failures == 0,
	       "the guest the monitor's arguments made at start holds function 0 and its selftest "
	       "passed (%llu rounds)",
	       (unsigned long long)s.rounds);
	g = create(2 * MIB, GPA, VMM_PROGRAM_SELFTEST, 2, NULL);
	expect_guests = live_guests();
	dump_ok(&expect_domains);
	err = vmm_assign_device(ep, g, bridged, &bar);
	refused("the bridge's edu, whose group the monitor does not wholly own", err, VMM_ERR_GROUP,
	        3, 1, true);
	err = vmm_move_device(ep, fn0, g, &from);
	ok = err == WARD_OK &&
	     vmm_list_guests(ep, 1, &x, &x, &x, &x, &x, &dev, &x, &x, &domain) == WARD_OK;
	tap_ok(ok && from == boot && dev == fn0 && owner_of(fn0) == domain &&
	               owner_of(fn0 + 1) == domain,
	       "the two-function group moved whole from the boot guest into the new one (error "
	       "%#x)",
	       err);
	ok = wait_for(g, VMM_STATE_PASSED, 2, &s) && s.failures == 0 &&
	     vmm_destroy_guest(ep, g, &x) == WARD_OK &&
	     vmm_destroy_guest(ep, boot, &x) == WARD_OK && owner_of(fn0) == 0 &&
	     owner_of(fn0 + 1) == 0 && dump_ok(&x);
	tap_ok(ok, "its selftest passed through function 0; both destroyed, the group is in "
	           "quarantine, DUMP agrees");
}

/* The sbdf of the device IDENTIFY calls `id` (or the NVMe class), the index-th of them. */
static uint64_t find_device(uint64_t id, uint64_t class_code, unsigned index)
{
	uint64_t sbdf, group, members, granted, holder, dev_id, class_rev;

	for (uint64_t i = 0;
	     vmm_devices(ep, i, &sbdf, &group, &members, &granted, &holder) == WARD_OK; i++)
		if (iommu_identify(admin, sbdf, &dev_id, &class_rev) == WARD_OK &&
		    (dev_id == id || (class_rev >> 8) == class_code) && index-- == 0)
			return sbdf;
	return VMM_NO_DEVICE;
}

struct slot {
	uint64_t sbdf, kind, bar, rounds, failures;
};

static struct slot slot_of(uint64_t g, uint64_t slot)
{
	struct slot s = {VMM_NO_DEVICE, 0, 0, 0, 0};

	vmm_guest_device(ep, g, slot, &s.sbdf, &s.kind, &s.bar, &s.rounds, &s.failures);
	return s;
}

/* The interrupts the IOMMU server counted for the device (DEVICE_STATUS). */
static uint64_t irqs_of(uint64_t want)
{
	uint64_t cursor = 0, next, sbdf, id, class, group, owner, pid, maps, faults, irqs;

	for (; iommu_device_status(admin, cursor, &next, &sbdf, &id, &class, &group, &owner, &pid,
	                           &maps, &faults, &irqs) == WARD_OK;
	     cursor = next)
		if (sbdf == want)
			return irqs;
	return 0;
}

/* The hash of the page an NVMe round reads into: the stamps of its blocks, nothing else. */
static uint64_t stamps_hash(void)
{
	static uint8_t page[VMM_NVME_BLOCKS * STAMP_BLOCK];

	for (unsigned i = 0; i < VMM_NVME_BLOCKS; i++)
		stamp_make(page + i * STAMP_BLOCK, VMM_NVME_LBA + i, true);
	return vmm_hash(page, sizeof(page));
}

static void test_nvme(void)
{
	uint64_t edu0 = find_device(0x123411e8, 0, 0), edu1 = find_device(0x123411e8, 0, 1);
	uint64_t vf = find_device(0, 0x010802, 0), testdev = find_device(0x1b360005, 0, 0);
	uint64_t a, b, bar0 = 0, bar1 = 0, from = 0, domains0 = 0, pf = 0, x, edu_rounds;
	struct status s = {0};
	struct slot s0, s1;
	enum ward_error err;
	bool ok;

	tap_plan(14);
	iommu_query(admin, vf, &x, &x, &x, &x, &x, &pf, &x, &x);
	ok = dump_ok(&domains0);
	tap_ok(ok && edu0 != VMM_NO_DEVICE && edu1 != VMM_NO_DEVICE && vf != VMM_NO_DEVICE &&
	               pf != ~0ULL && testdev != VMM_NO_DEVICE,
	       "DEVICES: edu %#llx and %#llx, NVMe VF %#llx (of PF %#llx), test device %#llx",
	       (unsigned long long)edu0, (unsigned long long)edu1, (unsigned long long)vf,
	       (unsigned long long)pf, (unsigned long long)testdev);

	/* 1. A guest with an edu and an NVMe VF. */
	a = create(2 * MIB, GPA, VMM_PROGRAM_SELFTEST, 3, NULL);
	ok = a != 0 && vmm_assign_device(ep, a, edu0, &bar0) == WARD_OK &&
	     vmm_assign_device(ep, a, vf, &bar1) == WARD_OK;
	s0 = slot_of(a, 0);
	s1 = slot_of(a, 1);
	tap_ok(ok && bar0 == VMM_MMIO_GPA && bar1 == VMM_MMIO_GPA + VMM_MMIO_SLOT &&
	               s0.sbdf == edu0 && s0.kind == VMM_KIND_EDU && s1.sbdf == vf &&
	               s1.kind == VMM_KIND_NVME && owner_of(vf) == owner_of(edu0) &&
	               owner_of(vf) != 0,
	       "guest A holds edu 0 (BAR at %#llx) and the VF (BAR at %#llx), both in its domain",
	       (unsigned long long)bar0, (unsigned long long)bar1);
	ok = wait_for(a, VMM_STATE_PASSED, 3, &s);
	s0 = slot_of(a, 0);
	s1 = slot_of(a, 1);
	tap_ok(ok && s.failures == 0 && s0.rounds >= 3 && s0.failures == 0,
	       "A's selftest passed: %llu rounds, edu's DMA right in %llu (state %llu, detail "
	       "%#llx, device generation %llu, edu interrupts %llu)",
	       (unsigned long long)s.rounds, (unsigned long long)s0.rounds,
	       (unsigned long long)s.state, (unsigned long long)s.detail, (unsigned long long)s.gen,
	       (unsigned long long)irqs_of(edu0));
	tap_ok(s1.rounds >= 3 && s1.failures == 0,
	       "A's own NVMe driver wrote and read back namespace 3's blocks in %llu rounds, %llu "
	       "wrong",
	       (unsigned long long)s1.rounds, (unsigned long long)s1.failures);
	tap_ok(hash(a, GPA + VMM_NVME_READ, NVME_BLOCKS_BYTES) == stamps_hash(),
	       "the page A read into (zeroed before each read) holds exactly the stamped blocks");
	tap_ok(irqs_of(vf) > 0, "the VF's MSI-X reached the guest through remapping (%llu)",
	       (unsigned long long)irqs_of(vf));
	expect_guests = live_guests();
	dump_ok(&expect_domains);
	err = vmm_assign_device(ep, a, edu1, &x);
	refused("a third device for A", err, VMM_ERR_ATTACHED, edu0, vf, true);
	err = vmm_assign_device(ep, a, testdev, &x);
	refused("the test device, which no guest program drives", err, VMM_ERR_UNSUPPORTED, testdev,
	        0x1b360005, true);

	/* 2. The VF moved from A to B; A keeps its edu. */
	edu_rounds = slot_of(a, 0).rounds;
	b = create(2 * MIB, GPA, VMM_PROGRAM_SELFTEST, 2, NULL);
	err = b != 0 ? vmm_move_device(ep, vf, b, &from) : WARD_ERR_INVALID_ARGUMENT;
	s0 = slot_of(b, 0);
	tap_ok(err == WARD_OK && from == a && slot_of(a, 1).sbdf == VMM_NO_DEVICE &&
	               slot_of(a, 0).sbdf == edu0 && s0.sbdf == vf && s0.bar == VMM_MMIO_GPA &&
	               owner_of(vf) != owner_of(edu0),
	       "the VF moved from A (%llu) to B's slot 0, A keeps edu 0 (error %#x)",
	       (unsigned long long)from, err);
	ok = wait_for(b, VMM_STATE_PASSED, 2, &s);
	s0 = slot_of(b, 0);
	tap_ok(ok && s0.rounds >= 2 && s0.failures == 0 &&
	               hash(b, GPA + VMM_NVME_READ, NVME_BLOCKS_BYTES) == stamps_hash(),
	       "B's NVMe driver brought the moved VF up again; its selftest passed (%llu rounds)",
	       (unsigned long long)s0.rounds);
	ok = wait_for(a, VMM_STATE_PASSED, 4, &s);
	tap_ok(ok && slot_of(a, 0).rounds > edu_rounds && s.failures == 0,
	       "A went on through edu 0 alone (%llu edu rounds, %llu before the move)",
	       (unsigned long long)slot_of(a, 0).rounds, (unsigned long long)edu_rounds);

	/* 3. Both destroyed. */
	ok = vmm_destroy_guest(ep, a, &x) == WARD_OK && vmm_destroy_guest(ep, b, &x) == WARD_OK;
	tap_ok(ok && owner_of(vf) == 0 && owner_of(edu0) == 0 && live_guests() == 0 &&
	               dump_ok(&x) && x == domains0,
	       "A and B destroyed: the VF and edu 0 in quarantine, DUMP agrees (%llu domains)",
	       (unsigned long long)x);
}

int main(void)
{
	const struct ward_cap_grant *vmm = ward_grant(WARD_GRANT_ENDPOINT, "vmm.vmm");

	admin = ward_startinfo->iommu_endpoint;
	if (vmm == NULL) {
		tap_plan(1);
		tap_ok(false, "no ENDPOINT grant vmm.vmm");
		return tap_exit_status();
	}
	ep = vmm->slot;
	if (strstr(ward_startinfo->args, "mode=group") != NULL)
		test_group();
	else if (strstr(ward_startinfo->args, "mode=nvme") != NULL)
		test_nvme();
	else
		test_main();
	return tap_exit_status();
}

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The IOMMU server through real (emulated) hardware: QEMU q35 with
 * intel-iommu and edu devices, the PCI and IOMMU server processes, this
 * test as a client with the root task's authority (iommu-admin), and
 * tests/qemu/iommu/victim.c, a client that dies with DMA in flight.
 * Every check is on what the device did: bytes in memory, the fault the
 * IOMMU recorded, the tables DUMP reads back. In order:
 *   - DMA both ways through a 4 KiB and a 2 MiB mapping, byte by byte;
 *   - DMA to an unmapped IOVA and through a read-only mapping: memory
 *     unchanged, and a fault record (device, IOVA, reason) for the owner;
 *   - after FREE_BUFFER: the client's frame cap is gone, DMA to the old
 *     IOVA faults, and the frame (lent again) is still zero;
 *   - every malformed request gets its error and DUMP counts nothing new;
 *   - the victim's device DMA never lands in memory lent afterwards.
 */
#include <stdio.h>
#include <string.h>
#include <ward/invoke.h>
#include <ward/rt.h>
#include <ward/startinfo.h>

#include "../proc/ptap.h"
#include "iommu_test.h"
#include "pci_service.h"
#include "root.h"

#define VA_4K              0x600000000000ULL
#define VA_2M              0x600000200000ULL
#define VA_RO              0x600000600000ULL
#define VA_FREE            0x600000800000ULL
#define VA_NEW             0x600000a00000ULL
#define VA_H               0x600000c00000ULL
#define VA_K               0x600000e00000ULL
#define VA_K2              0x600001000000ULL
#define VA_L               0x600001200000ULL
#define LENT_FRAMES        16
#define STORM              3             /* the scenario's storm=N */
#define UNMAPPED_IOVA      0x0f000000ULL /* below edu's 28-bit mask, never mapped */
#define FAULT_WRITE        0x05          /* VT-d fault reason: write without W permission */
#define VICTIM_PID_WAIT_MS 20000

static struct edu edu0;
static uint64_t dom, did, ntfn;

static void fill_pattern(void *p, unsigned seed)
{
	uint8_t *b = p;

	for (unsigned i = 0; i < 4096; i++)
		b[i] = (uint8_t)(i < EDU_XFER ? i * 7 + seed : 0);
}

static bool is_pattern(const void *p, unsigned seed)
{
	const uint8_t *b = p;

	for (unsigned i = 0; i < 4096; i++)
		if (b[i] != (uint8_t)(i < EDU_XFER ? i * 7 + seed : 0))
			return false;
	return true;
}

/* The next fault record of the domain, waiting for the owner's notification. */
static bool next_fault(uint64_t *sbdf, uint64_t *iova, uint64_t *reason, uint64_t *flags)
{
	uint64_t left, lost, tsc;

	for (int tries = 0; tries < 2; tries++) {
		if (iommu_fault(dom, &left, &lost, sbdf, iova, reason, flags, &tsc) == WARD_OK &&
		    left > 0)
			return true;
		t_wait_signal(ntfn, 2000);
	}
	return false;
}

static uint64_t iova_4k, iova_2m, buf4;

static void domain_setup(void)
{
	uint64_t width = 0;
	bool ok = iommu_create_domain_into(t_ep, WARD_PROC_CAP_CNODE, dom, 0, &did, &width) ==
	          WARD_OK;

	ptap_ok(ok, "CREATE_DOMAIN: the widest domain is %llu bits, its cap arrived",
	        (unsigned long long)width);
	ptap_ok(t_attach(dom, &edu0, 0) == WARD_OK,
	        "ASSIGN edu %02x:%02x.%u (BAR 0 and bus mastering again through its device cap)",
	        (edu0.sbdf >> 8) & 0xff, (edu0.sbdf >> 3) & 31, edu0.sbdf & 7);
}

static void dma_paths(void)
{
	uint64_t buf2;
	uint8_t *b4 = (uint8_t *)VA_4K, *b2 = (uint8_t *)VA_2M;
	bool ok;

	ok = t_buffer(dom, 4096, IOMMU_IOVA_ANY, IOMMU_RIGHTS_ALL, VA_4K, &buf4, &iova_4k, NULL) ==
	             WARD_OK &&
	     t_buffer(dom, 2ULL << 20, IOMMU_IOVA_ANY, IOMMU_RIGHTS_ALL, VA_2M, &buf2, &iova_2m,
	              NULL) == WARD_OK &&
	     iova_2m % (2ULL << 20) == 0;
	ptap_ok(ok, "a 4 KiB buffer at IOVA %#llx and a 2 MiB one at %#llx, mapped for the CPU",
	        (unsigned long long)iova_4k, (unsigned long long)iova_2m);
	fill_pattern(b4, 1);
	memset(b2, 0, 2ULL << 20);
	ptap_ok(t_edu_dma(&edu0, iova_4k, EDU_BUFFER, EDU_XFER, false) &&
	                t_edu_dma(&edu0, EDU_BUFFER, iova_2m + 0x1ff000, EDU_XFER, true) &&
	                is_pattern(b2 + 0x1ff000, 1) && t_bytes_are(b2, 0, 0x1ff000),
	        "edu read 4096 bytes through the 4 KiB mapping and wrote them through the 2 MiB "
	        "one "
	        "(last page), byte for byte; the rest of the 2 MiB untouched");
	fill_pattern(b2 + 0x100000, 9);
	memset(b4, 0, 4096);
	ptap_ok(t_edu_dma(&edu0, iova_2m + 0x100000, EDU_BUFFER, EDU_XFER, false) &&
	                t_edu_dma(&edu0, EDU_BUFFER, iova_4k, EDU_XFER, true) && is_pattern(b4, 9),
	        "edu read 4096 bytes through the 2 MiB mapping and wrote them through the 4 KiB "
	        "one, "
	        "byte for byte");
}

static void faults(void)
{
	uint64_t sbdf = 0, iova = 0, reason = 0, flags = 0, ro, ro_iova = 0;
	uint8_t *b4 = (uint8_t *)VA_4K, *b2 = (uint8_t *)VA_2M;
	bool blocked;

	ntfn = t_notification();
	ptap_ok(ntfn != 0 && iommu_set_notify(dom, ntfn) == WARD_OK,
	        "SET_NOTIFY with a notification");
	blocked = t_edu_dma(&edu0, EDU_BUFFER, UNMAPPED_IOVA, EDU_XFER, true) &&
	          is_pattern(b4, 9) && is_pattern(b2 + 0x1ff000, 1);
	if (t_faults_logged())
		blocked = blocked && next_fault(&sbdf, &iova, &reason, &flags) &&
		          sbdf == edu0.sbdf && iova == UNMAPPED_IOVA && reason == FAULT_WRITE &&
		          !(flags & IOMMU_FAULT_READ);
	ptap_ok(blocked,
	        "edu DMA to unmapped IOVA %#llx blocked, memory unchanged; the owner was notified: "
	        "device %02llx:%02llx.%llu IOVA %#llx reason %#llx (%s)%s",
	        (unsigned long long)UNMAPPED_IOVA, (unsigned long long)(sbdf >> 8) & 0xff,
	        (unsigned long long)(sbdf >> 3) & 31, (unsigned long long)sbdf & 7,
	        (unsigned long long)iova, (unsigned long long)reason,
	        iommu_fault_reason_name(reason),
	        t_faults_logged() ? "" : " (record not checked: the platform logs no faults)");
	blocked = t_buffer(dom, 4096, IOMMU_IOVA_ANY, IOMMU_READ, VA_RO, &ro, &ro_iova, NULL) ==
	          WARD_OK;
	ptap_ok(blocked, "a read-only (for the device) buffer at IOVA %#llx",
	        (unsigned long long)ro_iova);
	fill_pattern((void *)VA_RO, 77);
	blocked = t_edu_dma(&edu0, EDU_BUFFER, ro_iova, EDU_XFER, true) &&
	          is_pattern((void *)VA_RO, 77);
	if (t_faults_logged())
		blocked = blocked && next_fault(&sbdf, &iova, &reason, &flags) &&
		          sbdf == edu0.sbdf && iova == ro_iova && reason == FAULT_WRITE;
	ptap_ok(blocked,
	        "edu write through the read-only mapping blocked, memory unchanged; fault record "
	        "IOVA %#llx reason %#llx%s",
	        (unsigned long long)iova, (unsigned long long)reason,
	        t_faults_logged() ? "" : " (record not checked: the platform logs no faults)");
	ptap_ok(t_edu_dma(&edu0, ro_iova, EDU_BUFFER, EDU_XFER, false) &&
	                t_edu_dma(&edu0, EDU_BUFFER, iova_4k, EDU_XFER, true) && is_pattern(b4, 77),
	        "edu reads through the read-only mapping");
}

static void after_free(void)
{
	uint64_t f, x = 0, fslot, g, gx, phys_f = 1, phys_g = 0, size, sbdf, iova = 0, reason,
	            flags, gslot;
	bool ok = t_buffer(dom, 4096, IOMMU_IOVA_ANY, IOMMU_RIGHTS_ALL, VA_FREE, &f, &x, &fslot) ==
	                  WARD_OK &&
	          iommu_buffer_frame(dom, f, 0, &phys_f, &size) == WARD_OK;

	ptap_ok(ok, "a buffer to free at IOVA %#llx", (unsigned long long)x);
	/* The DMA before the free puts the translation in the IOMMU's IOTLB. */
	memset((void *)VA_FREE, 0, 4096);
	ptap_ok(t_edu_dma(&edu0, EDU_BUFFER, x, EDU_XFER, true) && is_pattern((void *)VA_FREE, 77),
	        "edu wrote it before the free (the translation is cached now)");
	ptap_ok(iommu_free_buffer(dom, f) == WARD_OK && ward_debug_cap_type(fslot) == 0,
	        "FREE_BUFFER: the client's frame cap is gone with it");
	ok = t_edu_dma(&edu0, EDU_BUFFER, x, EDU_XFER, true);
	iova = x; /* where faults are unlogged, the next check (frame still zero) is the proof */
	if (t_faults_logged())
		ok = ok && next_fault(&sbdf, &iova, &reason, &flags) && iova == x &&
		     reason == FAULT_WRITE;
	ptap_ok(ok, "edu DMA to the freed IOVA blocked: fault at %#llx (the IOTLB was invalidated)",
	        (unsigned long long)iova);
	ok = t_buffer(dom, 4096, IOMMU_IOVA_ANY, IOMMU_RIGHTS_ALL, VA_NEW, &g, &gx, &gslot) ==
	             WARD_OK &&
	     iommu_buffer_frame(dom, g, 0, &phys_g, &size) == WARD_OK && phys_g == phys_f &&
	     t_bytes_are((void *)VA_NEW, 0, 4096);
	ptap_ok(ok,
	        "the freed frame (%#llx) lent again is all zero: the DMA after the free never "
	        "reached it",
	        (unsigned long long)phys_g);
	iommu_free_buffer(dom, g);
}

/*
 * BUFFER_CNODE: every frame cap of a 16-page buffer in one reply. The CPU
 * writes through the last frame's mapping, edu copies it to the fourth
 * frame, and the CPU reads it there: the caps copied out of the lent CNode
 * are the device's memory. After FREE_BUFFER the lent CNode and every cap
 * copied out of it are gone.
 */
static void lent_cnode(void)
{
	uint64_t l, lx = 0, lent = t_slot(), first = 0, last = t_slot(), radix = 0;
	uint8_t *b = (uint8_t *)VA_L;
	bool ok = iommu_alloc_buffer(dom, LENT_FRAMES * 4096, 0, IOMMU_IOVA_ANY, IOMMU_RIGHTS_ALL,
	                             &l, &lx, &first, &first) == WARD_OK &&
	          t_buffer_cnode(dom, l, VA_L, lent, &first, &radix) == WARD_OK &&
	          iommu_frame_from_cnode(lent, radix, LENT_FRAMES - 1, last) == WARD_OK;

	ptap_ok(ok,
	        "BUFFER_CNODE: the %u frame caps of a buffer at IOVA %#llx in one reply, "
	        "copied out and mapped",
	        LENT_FRAMES, (unsigned long long)lx);
	memset(b, 0, LENT_FRAMES * 4096);
	fill_pattern(b + (LENT_FRAMES - 1) * 4096, 42);
	ok = t_edu_dma(&edu0, lx + (LENT_FRAMES - 1) * 4096, EDU_BUFFER, EDU_XFER, false) &&
	     t_edu_dma(&edu0, EDU_BUFFER, lx + 3 * 4096, EDU_XFER, true) &&
	     is_pattern(b + 3 * 4096, 42) && t_bytes_are(b, 0, 3 * 4096);
	ptap_ok(ok, "edu read frame %u and wrote frame 3 of it, as the CPU sees them",
	        LENT_FRAMES - 1);
	fill_pattern(b, 77); /* edu's buffer back as the later parts expect it */
	t_edu_dma(&edu0, lx, EDU_BUFFER, EDU_XFER, false);
	ok = iommu_free_buffer(dom, l) == WARD_OK && ward_debug_cap_type(lent) == 0 &&
	     ward_debug_cap_type(first) == 0 && ward_debug_cap_type(last) == 0;
	ptap_ok(ok, "FREE_BUFFER: the lent CNode and the caps copied out of it are gone");
}

/* One malformed request: its error, and MR0 naming the argument. */
static void refused(enum ward_error got, enum ward_error want, const char *what)
{
	ptap_ok(got == want, "%s: error %#x (want %#x)", what, got, want);
}

static void malformed(void)
{
	uint64_t d0 = 0, c0 = 0, p0 = 0, d1 = 0, c1 = 0, p1 = 0, a, b, c, e, buf = 0, iova,
	         stale = t_slot(), sdid = 0, w;
	bool ok;
	uint64_t f, fs;

	ok = t_dump(&d0, &c0, &p0) == WARD_OK;
	ptap_ok(ok,
	        "DUMP before: %llu domains, %llu context entries, "
	        "%llu PTEs, all as recorded",
	        (unsigned long long)d0, (unsigned long long)c0, (unsigned long long)p0);
	refused(iommu_create_domain(t_ep, 40, &a, &b), IOMMU_ERR_WIDTH, "CREATE_DOMAIN width 40");
	refused(iommu_create_domain(dom, 0, &a, &b), IOMMU_ERR_DENIED,
	        "CREATE_DOMAIN via a domain cap");
	refused(iommu_alloc_buffer(dom, 0, 0, IOMMU_IOVA_ANY, 3, &a, &b, &c, &e),
	        WARD_ERR_INVALID_ARGUMENT, "ALLOC_BUFFER size 0");
	refused(iommu_alloc_buffer(dom, 100, 0, IOMMU_IOVA_ANY, 3, &a, &b, &c, &e),
	        WARD_ERR_INVALID_ARGUMENT, "ALLOC_BUFFER size 100");
	refused(iommu_alloc_buffer(dom, 4096, 3, IOMMU_IOVA_ANY, 3, &a, &b, &c, &e),
	        WARD_ERR_INVALID_ARGUMENT, "ALLOC_BUFFER align 3");
	refused(iommu_alloc_buffer(dom, 4096, 0, IOMMU_IOVA_ANY, 0, &a, &b, &c, &e),
	        WARD_ERR_INVALID_ARGUMENT, "ALLOC_BUFFER rights 0");
	refused(iommu_alloc_buffer(dom, 4096, 0, IOMMU_IOVA_ANY, 8, &a, &b, &c, &e),
	        WARD_ERR_INVALID_ARGUMENT, "ALLOC_BUFFER rights 8");
	refused(iommu_alloc_buffer(dom, 4096, 0, 0x10000800, 3, &a, &b, &c, &e), WARD_ERR_ALIGNMENT,
	        "ALLOC_BUFFER unaligned IOVA");
	refused(iommu_alloc_buffer(dom, 4096, 0, 1ULL << 48, 3, &a, &b, &c, &e),
	        IOMMU_ERR_IOVA_RANGE, "ALLOC_BUFFER IOVA 2^48, past the domain's width");
	refused(iommu_alloc_buffer(dom, 4096, 0, 0xfee00000, 3, &a, &b, &c, &e), IOMMU_ERR_RESERVED,
	        "ALLOC_BUFFER in the interrupt window");
	refused(iommu_alloc_buffer(dom, 4096, 0, iova_4k, 3, &a, &b, &c, &e), IOMMU_ERR_OVERLAP,
	        "ALLOC_BUFFER over a mapping");
	refused(iommu_alloc_buffer(dom, 16ULL << 20, 0, IOMMU_IOVA_ANY, 3, &a, &b, &c, &e),
	        IOMMU_ERR_QUOTA, "ALLOC_BUFFER of 16 MiB, over the client's quota");
	refused(iommu_buffer_frame(dom, 0x7777, 0, &a, &b), IOMMU_ERR_NO_BUFFER,
	        "BUFFER_FRAME of an unknown buffer");
	refused(iommu_free_buffer(dom, 0x7777), IOMMU_ERR_NO_BUFFER,
	        "FREE_BUFFER of an unknown buffer");
	buf = buf4;
	refused(iommu_buffer_frame(dom, buf, 5, &a, &b), WARD_ERR_RANGE,
	        "BUFFER_FRAME index 5 of a one-frame buffer");
	refused(iommu_map_buffer(dom, buf, IOMMU_IOVA_ANY, 3, &iova), IOMMU_ERR_MAPPED,
	        "MAP_BUFFER into its home domain");
	refused(iommu_unmap_buffer(dom, buf), IOMMU_ERR_MAPPED,
	        "UNMAP_BUFFER from its home domain");
	refused(iommu_assign(dom, edu0.sbdf, 0, dom, &a, &b), IOMMU_ERR_DENIED,
	        "ASSIGN through a domain cap");
	refused(iommu_assign(edu0.assign, edu0.sbdf, 0, t_ep, &a, &b), IOMMU_ERR_NO_DOMAIN,
	        "ASSIGN with a client cap where the domain cap belongs");
	refused(iommu_assignment(t_ep, 0xffff, &a, &b), IOMMU_ERR_NO_DEVICE,
	        "ASSIGNMENT of no device");
	refused(iommu_assignment(dom, edu0.sbdf, &a, &b), IOMMU_ERR_DENIED,
	        "ASSIGNMENT through a domain cap");
	refused(iommu_assign(edu0.assign, 0xffff, 0, dom, &a, &b), IOMMU_ERR_NO_DEVICE,
	        "ASSIGN of a device outside the cap's group");
	refused(iommu_assign(edu0.assign, edu0.sbdf, 2, dom, &a, &b), WARD_ERR_INVALID_ARGUMENT,
	        "ASSIGN with unknown flags");
	refused(iommu_assign(edu0.assign, edu0.sbdf, 0, dom, &a, &b), IOMMU_ERR_ATTACHED,
	        "ASSIGN twice");
	refused(iommu_release(edu0.assign, 0xfff8, 0, &a), IOMMU_ERR_NO_DEVICE,
	        "RELEASE of a device outside the cap's group");
	refused(iommu_device_bus_master(edu0.assign, edu0.sbdf, 1, &a), IOMMU_ERR_DENIED,
	        "DEVICE_BUS_MASTER through an assignment cap");
	refused(iommu_device_bus_master(edu0.device, edu0.sbdf, 2, &a), WARD_ERR_INVALID_ARGUMENT,
	        "DEVICE_BUS_MASTER 2");
	refused(iommu_destroy_domain(dom), IOMMU_ERR_BUSY,
	        "DESTROY_DOMAIN with a device and buffers");
	refused(iommu_dump(dom, 1, &a, &b, &c, &e), IOMMU_ERR_DENIED, "DUMP via a domain cap");
	refused(iommu_create_domain_into(t_ep, WARD_PROC_CAP_CNODE, stale, 39, &sdid, &w), WARD_OK,
	        "CREATE_DOMAIN width 39");
	refused(iommu_alloc_buffer(stale, 4096, 1ULL << 39, IOMMU_IOVA_ANY, 3, &f, &iova, &c, &e),
	        WARD_OK, "ALLOC_BUFFER aligned to 2^39 in a 39-bit domain: IOVA 0, the only one");
	refused(iommu_alloc_buffer(stale, 4096, 1ULL << 39, IOMMU_IOVA_ANY, 3, &a, &b, &c, &e),
	        IOMMU_ERR_EXHAUSTED, "ALLOC_BUFFER aligned to 2^39 again: no IOVA left");
	refused(iommu_free_buffer(stale, f), WARD_OK, "FREE_BUFFER of it");
	refused(iommu_destroy_domain(stale), WARD_OK, "DESTROY_DOMAIN of an empty domain");
	refused(iommu_alloc_buffer(stale, 4096, 0, IOMMU_IOVA_ANY, 3, &a, &b, &f, &fs),
	        IOMMU_ERR_STALE, "ALLOC_BUFFER through the destroyed domain's cap");
	refused(iommu_assign(edu0.assign, edu0.sbdf, 0, stale, &a, &b), IOMMU_ERR_NO_DOMAIN,
	        "ASSIGN to the destroyed domain");
	ok = t_dump(&d1, &c1, &p1) == WARD_OK && d1 == d0 && c1 == c0 && p1 == p0;
	ptap_ok(ok, "DUMP after: %llu domains, %llu context entries, %llu PTEs: nothing changed",
	        (unsigned long long)d1, (unsigned long long)c1, (unsigned long long)p1);
}

/* Waits for the victim's death; the device it left targeting its buffer is quarantined. */
static void client_death(uint64_t deaths)
{
	uint64_t pid = 0, reason = 0, code = 0, lost = 0, h = 1, hx = 1, d, c, p, hf, target;
	struct edu edu1;
	bool in_flight, ok;

	for (int i = 0; i < 100 && pid == 0; i++) {
		t_wait_signal(deaths, 200);
		root_next_death(WARD_PROC_CAP_SERVICE, &pid, &reason, &code, &lost);
	}
	ptap_ok(pid != 0 && reason == WARD_DEATH_EXIT && code == 0,
	        "the victim (pid %llu) exited with its edu DMA in flight", (unsigned long long)pid);
	ptap_ok(t_edu(1, &edu1), "the victim's edu (second device) is reachable");
	ptap_ok(iommu_query(t_ep, edu1.sbdf, &h, &hx, &d, &c, &p, &hf, &target, &lost) == WARD_OK &&
	                h == 0 && hx == 0,
	        "QUERY: the dead victim's edu is back in quarantine (generation %llu)",
	        (unsigned long long)lost);
	ptap_ok(t_buffer(dom, 4096, IOMMU_IOVA_ANY, IOMMU_RIGHTS_ALL, VA_H, &h, &hx, &hf) ==
	                WARD_OK,
	        "another buffer lent after the death");
	memset((void *)VA_H, 0x11, 4096);
	in_flight = *(volatile uint64_t *)(edu1.bar + EDU_DMA_CMD) & EDU_CMD_START;
	t_sleep_ms(400);
	/* The device keeps targeting the dead client's IOVA: start it again. */
	target = *(volatile uint64_t *)(edu1.bar + EDU_DMA_DST);
	ok = t_bytes_are((void *)VA_H, 0x11, 4096) &&
	     t_edu_dma(&edu1, EDU_BUFFER, target, EDU_XFER, true) &&
	     t_bytes_are((void *)VA_H, 0x11, 4096);
	ptap_ok(ok,
	        "the victim's DMA (%s when the new buffer was filled) and another one to the IOVA "
	        "it targets (%#llx) never landed in it",
	        in_flight ? "still pending" : "already done", (unsigned long long)target);
	ptap_ok(t_dump(&d, &c, &p) == WARD_OK, "DUMP after the death: records and tables agree");
}

/*
 * The client deletes the only cap it holds to a buffer (its CPU mapping
 * goes with it) while the device still targets the buffer: the memory
 * stays the server's, lent to this client, so the DMA lands there and
 * nowhere else.
 */
static void caps_deleted(void)
{
	uint64_t k, kx = 0, kslot, phys, size, again = t_slot();
	bool ok = t_buffer(dom, 4096, IOMMU_IOVA_ANY, IOMMU_RIGHTS_ALL, VA_K, &k, &kx, &kslot) ==
	          WARD_OK;

	memset((void *)VA_H, 0x11, 4096);
	ok = ok && ward_cnode_delete(WARD_PROC_CAP_CNODE, kslot, 64) == WARD_OK &&
	     ward_debug_cap_type(kslot) == 0;
	ptap_ok(ok, "the client deleted its only cap to the buffer at IOVA %#llx",
	        (unsigned long long)kx);
	ok = t_edu_dma(&edu0, EDU_BUFFER, kx, EDU_XFER, true) &&
	     t_bytes_are((void *)VA_H, 0x11, 4096) &&
	     iommu_buffer_frame_into(dom, WARD_PROC_CAP_CNODE, again, k, 0, &phys, &size) ==
	             WARD_OK &&
	     t_map(again, VA_K2) && is_pattern((void *)VA_K2, 77) &&
	     iommu_free_buffer(dom, k) == WARD_OK;
	ptap_ok(ok,
	        "edu's DMA to it landed in the server's frame (%#llx, read through a new cap), "
	        "the other buffer unchanged; freed",
	        (unsigned long long)phys);
}

/*
 * More than STORM faults within the server's window (1 s): bus mastering
 * off, device quarantined. Blocked DMAs one after the other (100 ms each)
 * until bus mastering is off, at most 4 * STORM.
 */
static bool master_on(uint64_t *command)
{
	uint64_t vendor, device, class_rev, header, type, flags, group, nalias, buses;

	return pci_describe(t_pci, edu0.sbdf, &vendor, &device, &class_rev, &header, &type, &flags,
	                    command, &group, &nalias, &buses) == WARD_OK &&
	       (*command & PCI_COMMAND_MASTER);
}

static void storm(void)
{
	uint64_t command = 0, before;
	unsigned n = 0;
	bool ok = true;

	if (t_skip_unlogged("a fault storm turns bus mastering off") &&
	    t_skip_unlogged("and puts the device in quarantine"))
		return;
	t_sleep_ms(1100); /* the faults before are outside the window now */
	before = t_faults_taken(dom);
	while (ok && n < 4 * STORM && master_on(&command)) {
		ok = t_edu_dma(&edu0, EDU_BUFFER, UNMAPPED_IOVA + (n++ % 16) * 4096, EDU_XFER,
		               true);
		/* Each check after the server took the fault: on a busy host that is later. */
		t_wait_faults(dom, before + n, 2000);
	}
	ok = ok && !master_on(&command) && n == STORM + 1;
	ptap_ok(ok,
	        "after %u blocked DMAs (more than %u in a second) the server turned edu's bus "
	        "mastering off (Command %#llx)",
	        n, STORM, (unsigned long long)command & 0xffff);
	ptap_ok(t_detach(&edu0, 0) == IOMMU_ERR_ATTACHED,
	        "and put it in quarantine (RELEASE: already there)");
}

int main(void)
{
	const struct ward_startinfo *si = ward_startinfo;
	uint64_t deaths = t_notification(), d = 0, c, p = 0;
	bool ok;

	ptap_plan(70);
	t_ep = si->iommu_endpoint;
	t_pci = si->pci_endpoint;
	dom = t_slot();
	ptap_ok(deaths != 0 && root_subscribe_deaths(WARD_PROC_CAP_SERVICE, deaths) == WARD_OK,
	        "subscribed to deaths");
	ptap_ok(t_edu(0, &edu0), "edu 0: BAR 0 mapped through the PCI server, bus mastering on");
	domain_setup();
	client_death(deaths);
	dma_paths();
	ok = t_dump(&d, &c, &p) == WARD_OK;
	ptap_ok(ok, "DUMP after the DMA paths: %llu PTEs as recorded", (unsigned long long)p);
	faults();
	after_free();
	lent_cnode();
	malformed();
	caps_deleted();
	storm();
	ok = iommu_dump(t_ep, 0, &c, &d, &c, &p) == WARD_OK;
	ptap_ok(ok, "DUMP at the end, printed: records and tables agree");
	return ptap_exit_status();
}

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The PCI server (servers/pci) on QEMU's q35 PCI topology (tools/ward_qemu.py
 * presets pci and pci-amd), run as the root task. The test plays the root
 * task and the IOMMU server: it finds MCFG through libs/acpi, maps the ECAM
 * window, and starts the server as a thread of this address space with the
 * ECAM mapping, the device untyped of the PCI MMIO hole and an unbadged
 * endpoint. The server runs below the test's priority on the same CPU (it
 * runs exactly while the test waits for it) and takes its authority only
 * from the badge of each request: the test calls it through a cap badged
 * PCI_BADGE_PRIVILEGED as the IOMMU server would, and through device-badged
 * caps as a driver would. Checked, through the protocol only: the device
 * table against the topology QEMU built, the groups, the start-up safety
 * pass, refused requests, BAR frames, MSI, MSI-X, SR-IOV and reset. The
 * module argument iommu=intel|amd names the preset that booted.
 */
#include <string.h>
#include <ward/bootinfo.h>
#include <ward/invoke.h>

#include "acpi.h"
#include "pci_service.h"
#include "lib/wcheck.h"

/* PCI BUS_MASTER's second result, the Command register before the change. */
static uint64_t command_before;

#define PLAN            70
#define CNODE           WARD_CAP_INIT_CNODE
#define SERVER_PRIORITY 100
#define SERVER_SLOTS    1500
#define MMIO_LO         0xc0000000ULL /* q35's 32-bit PCI MMIO hole, above the ECAM window, */
#define MMIO_HI         0xfec00000ULL /* up to the IOAPIC: what the server's BARs live in */
#define ECAM_VA         0x0000500000000000ULL
#define SERVER_VA       0x0000600000000000ULL
#define PRIV_RIGHTS     (WARD_RIGHT_WRITE | WARD_RIGHT_GRANT | WARD_RIGHT_GRANT_REPLY)
#define DRV_RIGHTS      (WARD_RIGHT_WRITE | WARD_RIGHT_GRANT_REPLY)
#define MAX_FUNCS       64
#define EDU_ID          0x010000edu /* edu identification register (QEMU docs/specs/edu.txt) */
#define EDU_LIVENESS    0x04
#define EDU_IRQ_STATUS  0x24
#define EDU_IRQ_RAISE   0x60
#define EDU_IRQ_ACK     0x64
#define NVME_CC         0x14 /* NVMe 1.4 §3.1: controller registers */
#define NVME_CSTS       0x1c
#define NVME_AQA        0x24
#define NVME_ASQ        0x28
#define NVME_ACQ        0x30
#define NVME_CC_ENABLE  0x00460001u /* IOCQES 4, IOSQES 6, EN */
#define NVME_CSTS_RDY   0x1u

static uint64_t ep, priv; /* the server's endpoint; the IOMMU server's cap */
static struct pci_server_config cfg;
static uint64_t ready; /* signalled when start-up is done */
static struct pci_server *volatile server;
static struct wt_thread server_thread;
static uint64_t server_stack[8192] __attribute__((aligned(16)));
static volatile uint8_t *ecam; /* the test's own view, for independent checks */
static struct acpi_mcfg_window mcfg;
static bool amd; /* booted with the pci-amd preset */

/* Functions as the table lists them, and bus mastering as firmware left it. */
static uint32_t funcs[MAX_FUNCS];
static unsigned nfuncs;
static uint32_t bm_before[MAX_FUNCS];
static unsigned nbm_before;

/* Where things are in the topology, found through LIST and DESCRIBE. */
static struct {
	uint32_t host, rp[4], pb, edu_rp, edu_pb[2], edu_mf[2], nvme, ahci, iommu_fn;
	unsigned nrp, nedu;
} t;

struct desc {
	uint64_t vendor, device, class_rev, header, pcie_type, flags, command, group, nalias, buses;
};

/* --- small helpers ------------------------------------------------------- */

static const char *bdf(uint64_t sbdf)
{
	static char buf[8][16];
	static unsigned next;
	char *b = buf[next++ % 8];

	snprintf(b, 16, "%02x:%02x.%u", PCI_SBDF_BUS(sbdf), PCI_SBDF_DEV(sbdf), PCI_SBDF_FN(sbdf));
	return b;
}

static bool describe(uint64_t cap, uint64_t sbdf, struct desc *d)
{
	memset(d, 0, sizeof(*d));
	return pci_describe(cap, sbdf, &d->vendor, &d->device, &d->class_rev, &d->header,
	                    &d->pcie_type, &d->flags, &d->command, &d->group, &d->nalias,
	                    &d->buses) == WARD_OK;
}

static uint64_t rd(uint64_t cap, uint64_t sbdf, uint64_t off, uint64_t width)
{
	uint64_t v = ~0ULL;

	return pci_config_read(cap, sbdf, off, width, &v) == WARD_OK ? v : ~0ULL;
}

static uint64_t cap_offset(uint64_t sbdf, unsigned which)
{
	uint64_t o[10] = {0};

	pci_capabilities(priv, sbdf, &o[0], &o[1], &o[2], &o[3], &o[4], &o[5], &o[6], &o[7], &o[8],
	                 &o[9]);
	return o[which];
}

enum {
	CAP_PRESENT,
	CAP_RESET,
	CAP_PM,
	CAP_MSI,
	CAP_MSIX,
	CAP_PCIE,
	CAP_AER,
	CAP_ACS,
	CAP_ARI,
	CAP_SRIOV
};

static uint64_t bar_size(uint64_t sbdf, unsigned bar, uint64_t *base, uint64_t *flags)
{
	uint64_t b = 0, s = 0, f = 0;

	pci_bar_info(priv, sbdf, bar, &b, &s, &f);
	if (base != NULL)
		*base = b;
	if (flags != NULL)
		*flags = f;
	return s;
}

/* Functions with IDs vendor:device, through LIST's filter. */
static unsigned list_ids(uint16_t vendor, uint16_t device, uint32_t *out, unsigned max)
{
	uint64_t cursor = 0, next, count, s[PCI_LIST_BATCH];
	unsigned n = 0;

	while (cursor != PCI_LIST_END &&
	       pci_list(priv, cursor, PCI_LIST_KEY(0, device, vendor), PCI_LIST_KEY_ID_MASK, 0, 0,
	                &next, &count, &s[0], &s[1], &s[2], &s[3], &s[4], &s[5], &s[6],
	                &s[7]) == WARD_OK) {
		for (unsigned i = 0; i < count && n < max; i++)
			out[n++] = (uint32_t)s[i];
		cursor = next;
	}
	return n;
}

static uint64_t mint(uint64_t badge)
{
	return wt_mint(ep, DRV_RIGHTS, badge);
}

static uint64_t device_badge(uint64_t sbdf)
{
	uint64_t b = 0;

	pci_device_badge(priv, sbdf, &b);
	return b;
}

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static uint64_t ms_since(uint64_t t0)
{
	return (rdtsc() - t0) / (wt_bi->tsc_hz / 1000);
}

/* --- firmware memory: ACPI tables and the ECAM window --------------------- */

/* Device untyped the test keeps (outside the MMIO hole), split on demand. */
static struct fw {
	uint64_t cap, base, va;
	unsigned bits;
	bool split;
} fw[128];
static unsigned nfw;

static void fw_init(void)
{
	for (unsigned i = 0; i < wt_bi->untyped_count; i++) {
		const struct ward_untyped_desc *u = &wt_bi->untyped[i];

		if (u->is_device && (u->phys_base < MMIO_LO || u->phys_base >= MMIO_HI) &&
		    nfw < 128)
			fw[nfw++] = (struct fw){wt_bi->untyped_first + i, u->phys_base, 0,
			                        u->size_bits, false};
	}
}

/* The unsplit block holding pa, halved until it is at most 2^max_bits. */
static struct fw *fw_block(uint64_t pa, unsigned max_bits)
{
	for (unsigned i = 0; i < nfw; i++) {
		struct fw *b = &fw[i];

		if (b->split || pa < b->base || pa - b->base >= (1ULL << b->bits))
			continue;
		if (b->bits <= max_bits || nfw + 2 > 128)
			return b;
		uint64_t halves = wt_slots(2);
		if (ward_untyped_retype(b->cap, WARD_OBJ_UNTYPED, b->bits - 1, CNODE, 0, 0, halves,
		                        2) != WARD_OK)
			return NULL;
		b->split = true;
		fw[nfw++] = (struct fw){halves, b->base, 0, b->bits - 1, false};
		fw[nfw++] = (struct fw){halves + 1, b->base + (1ULL << (b->bits - 1)), 0,
		                        b->bits - 1, false};
		return fw_block(pa, max_bits);
	}
	return NULL;
}

/* Maps a whole block with frames of 2^fbits; returns its address. */
static uint64_t fw_map_block(struct fw *b, unsigned fbits, uint64_t va)
{
	unsigned count = 1u << (b->bits - fbits);
	uint64_t first = wt_slots(count);

	if (b->va != 0)
		return b->va;
	if (ward_untyped_retype(b->cap, fbits == 12 ? WARD_OBJ_FRAME : WARD_OBJ_LARGE_FRAME, 0,
	                        CNODE, 0, 0, first, count) != WARD_OK)
		return 0;
	for (unsigned i = 0; i < count; i++) {
		if (wt_map(first + i, va + ((uint64_t)i << fbits), WT_RIGHTS_RW) != WARD_OK)
			return 0;
	}
	b->va = va;
	return va;
}

/* libs/acpi's map callback: the 1 MiB (or smaller) block holding the table. */
static const void *acpi_map(void *ctx, uint64_t phys, size_t len)
{
	struct fw *b = fw_block(phys, 20);
	uint64_t va;

	(void)ctx;
	if (b == NULL || phys + len > b->base + (1ULL << b->bits) || b->bits < 12)
		return NULL;
	va = b->va != 0 ? b->va : fw_map_block(b, 12, wt_va(1u << (b->bits - 12)));
	return va == 0 ? NULL : (const void *)(va + (phys - b->base));
}

static bool find_mcfg(void)
{
	const struct acpi_map_ops ops = {acpi_map, NULL, NULL};
	struct acpi_table tbl;
	size_t count = 0;
	enum acpi_status st = acpi_find_table(&ops, wt_bi->acpi_rsdp, "MCFG", 0, &tbl);

	if (st == ACPI_OK)
		st = acpi_mcfg_parse(&tbl, &mcfg, 1, &count, NULL);
	tap_ok(st == ACPI_OK && count >= 1 && mcfg.start_bus == 0 && mcfg.end_bus == 255,
	       "MCFG through the RSDP at 0x%llx (tables mapped from device untyped): segment %u, "
	       "buses %u-%u, ECAM at 0x%llx",
	       (unsigned long long)wt_bi->acpi_rsdp, mcfg.segment, mcfg.start_bus, mcfg.end_bus,
	       (unsigned long long)mcfg.base);
	return st == ACPI_OK && count >= 1 && mcfg.start_bus == 0 && mcfg.end_bus == 255;
}

/* The whole 256 MiB window, as 128 2-MiB device frames. */
static bool map_ecam(void)
{
	struct fw *b = fw_block(mcfg.base, 28);

	if (b == NULL || b->base != mcfg.base || b->bits != 28 || fw_map_block(b, 21, ECAM_VA) == 0)
		return false;
	ecam = (volatile uint8_t *)ECAM_VA;
	return true;
}

static uint32_t ecam_rd32(uint32_t sbdf, unsigned off)
{
	return *(volatile uint32_t *)(ecam + ((uint64_t)PCI_SBDF_RID(sbdf) << 12) + off);
}

/* --- the server thread ---------------------------------------------------- */

static void server_main(struct wt_thread *self)
{
	(void)self;
	server = pci_server_init(&cfg);
	ward_signal(ready);
	if (server != NULL)
		pci_server_run(server);
}

static void give_devmem(void)
{
	for (unsigned i = 0; i < wt_bi->untyped_count && cfg.ndevmem < PCI_DEVMEM_MAX; i++) {
		const struct ward_untyped_desc *u = &wt_bi->untyped[i];

		if (u->is_device && u->phys_base >= MMIO_LO && u->phys_base < MMIO_HI)
			cfg.devmem[cfg.ndevmem++] = (struct pci_devmem_region){
			        wt_bi->untyped_first + i, u->phys_base, u->size_bits};
	}
}

static bool start_server(void)
{
	uint64_t regs[WARD_REG_COUNT], badge;

	ep = wt_obj(WARD_OBJ_ENDPOINT, 0);
	ready = wt_obj(WARD_OBJ_NOTIFICATION, 0);
	priv = wt_mint(ep, PRIV_RIGHTS, PCI_BADGE_PRIVILEGED);
	cfg = (struct pci_server_config){
	        .cspace = CNODE,
	        .endpoint = ep,
	        .reply = wt_obj(WARD_OBJ_REPLY, 0),
	        .vspace = WARD_CAP_INIT_VSPACE,
	        .ram_untyped = wt_ram_untyped(),
	        .slot_first = wt_slots(SERVER_SLOTS),
	        .slot_count = SERVER_SLOTS,
	        .va_base = SERVER_VA,
	        .necam = 1,
	        .ecam = {{{mcfg.base, mcfg.segment, mcfg.start_bus, mcfg.end_bus}, ecam}},
	        .tsc_hz = wt_bi->tsc_hz,
	        .print_listing = true,
	};
	give_devmem();
	if (!wt_thread_new(&server_thread, "pci", server_main, NULL, SERVER_PRIORITY))
		return false;
	/* The table is built on the server's own stack: give it more than wtest's. */
	wt_thread_initial_regs(&server_thread, regs);
	regs[WARD_REG_RSP] = (uint64_t)&server_stack[8192] - 8;
	if (ward_tcb_write_registers(server_thread.tcb, 0, WARD_REG_COUNT, regs) != WARD_OK ||
	    wt_thread_start(&server_thread) != WARD_OK)
		return false;
	ward_wait(ready, &badge);
	return server != NULL;
}

/* Bus mastering as firmware left it, read straight from ECAM before the server ran. */
static void snapshot_bus_master(void)
{
	for (unsigned bus = 0; bus < 256; bus++) {
		for (unsigned df = 0; df < 256; df++) {
			uint32_t sbdf = PCI_SBDF(0, bus, df >> 3, df & 7);
			uint32_t id = ecam_rd32(sbdf, PCI_VENDOR_ID);

			if ((id & 0xffff) == 0xffff || nbm_before == MAX_FUNCS)
				continue;
			if ((ecam_rd32(sbdf, PCI_HEADER_TYPE & ~3u) >> 16 & 0x7f) == 0 &&
			    (ecam_rd32(sbdf, PCI_COMMAND) & PCI_COMMAND_MASTER))
				bm_before[nbm_before++] = sbdf;
		}
	}
}

/* --- the device table against the topology -------------------------------- */

static bool listed(uint32_t sbdf)
{
	for (unsigned i = 0; i < nfuncs; i++) {
		if (funcs[i] == sbdf)
			return true;
	}
	return false;
}

/* LIST of everything, against LSPCI's count and a brute-force scan of the window. */
static void check_table(void)
{
	uint64_t cursor = 0, next, count, printed = 0, s[PCI_LIST_BATCH];
	unsigned scanned = 0, missing = 0;
	bool ok;

	while (cursor != PCI_LIST_END &&
	       pci_list(priv, cursor, 0, 0, 0, 0, &next, &count, &s[0], &s[1], &s[2], &s[3], &s[4],
	                &s[5], &s[6], &s[7]) == WARD_OK) {
		for (unsigned i = 0; i < count && nfuncs < MAX_FUNCS; i++)
			funcs[nfuncs++] = (uint32_t)s[i];
		cursor = next;
	}
	ok = pci_lspci(priv, &printed) == WARD_OK && printed == nfuncs && nfuncs > 0;
	tap_ok(ok, "LSPCI printed the table (%llu functions); LIST returns the same %u",
	       (unsigned long long)printed, nfuncs);
	for (unsigned bus = 0; bus < 256; bus++) {
		for (unsigned df = 0; df < 256; df++) {
			uint32_t sbdf = PCI_SBDF(0, bus, df >> 3, df & 7);

			if ((ecam_rd32(sbdf, PCI_VENDOR_ID) & 0xffff) == 0xffff)
				continue;
			scanned++;
			missing += !listed(sbdf);
		}
	}
	tap_ok(scanned == nfuncs && missing == 0,
	       "the table holds exactly the %u functions a scan of every bus, device and function "
	       "of the ECAM window finds (%u)",
	       nfuncs, scanned);
}

static void find_topology(void)
{
	uint32_t edu[8];
	uint64_t next, count, s[PCI_LIST_BATCH];
	struct desc d, pb;

	t.nrp = list_ids(0x1b36, 0x000c, t.rp, 4);
	list_ids(0x1b36, 0x000e, &t.pb, 1);
	list_ids(0x1b36, 0x0010, &t.nvme, 1);
	list_ids(0x8086, 0x2922, &t.ahci, 1);
	t.nedu = list_ids(0x1234, 0x11e8, edu, 8);
	describe(priv, t.pb, &pb);
	for (unsigned i = 0, k = 0; i < t.nedu; i++) {
		describe(priv, edu[i], &d);
		if (PCI_SBDF_BUS(edu[i]) == (pb.buses >> 8 & 0xff) && k < 2)
			t.edu_pb[k++] = edu[i];
		else if (d.flags & PCI_DESC_MULTIFUNCTION)
			t.edu_mf[PCI_SBDF_FN(edu[i]) & 1] = edu[i];
		else
			t.edu_rp = edu[i];
	}
	t.iommu_fn = (uint32_t)PCI_NO_SBDF;
	if (pci_list(priv, 0, PCI_LIST_KEY(0x080600, 0, 0), PCI_LIST_KEY(0xffff00, 0, 0), 0, 0,
	             &next, &count, &s[0], &s[1], &s[2], &s[3], &s[4], &s[5], &s[6],
	             &s[7]) == WARD_OK &&
	    count > 0)
		t.iommu_fn = (uint32_t)s[0];
}

static void check_bridges(void)
{
	struct desc d, pb;
	bool ok = t.nrp == 4;
	uint64_t ctrl = 0;

	for (unsigned i = 0; i < t.nrp; i++) {
		uint64_t acs = cap_offset(t.rp[i], CAP_ACS), base, flags, want;

		ok = ok && describe(priv, t.rp[i], &d) && d.header == 1 &&
		     d.pcie_type == PCI_EXP_TYPE_ROOT_PORT && acs != 0 &&
		     bar_size(t.rp[i], 0, &base, &flags) == 4096 && !(flags & PCI_BAR_F_MEM64);
		want = rd(priv, t.rp[i], acs + PCI_ACS_CAP, 2) &
		       (PCI_ACS_SV | PCI_ACS_RR | PCI_ACS_CR | PCI_ACS_UF);
		ctrl = rd(priv, t.rp[i], acs + PCI_ACS_CTRL, 2);
		ok = ok && want != 0 && (ctrl & want) == want;
	}
	tap_ok(ok,
	       "root ports %s %s %s %s [1b36:000c]: BAR0 4K, ACS SV/RR/CR/UF enabled by the "
	       "server (ACS Control 0x%llx, 0 after reset)",
	       bdf(t.rp[0]), bdf(t.rp[1]), bdf(t.rp[2]), bdf(t.rp[3]), (unsigned long long)ctrl);
	ok = describe(priv, t.pb, &pb) && pb.header == 1 &&
	     pb.pcie_type == PCI_EXP_TYPE_PCI_BRIDGE &&
	     (pb.buses >> 8 & 0xff) == (pb.buses >> 16) &&
	     PCI_SBDF_BUS(t.edu_pb[0]) == (pb.buses >> 8 & 0xff) &&
	     PCI_SBDF_DEV(t.edu_pb[0]) == 1 && PCI_SBDF_DEV(t.edu_pb[1]) == 2 &&
	     bar_size(t.pb, 0, NULL, NULL) == 256;
	tap_ok(ok,
	       "PCIe-to-PCI bridge [1b36:000e] at %s (BAR0 256 bytes) bridges bus %llu, with "
	       "edu devices at %s and %s behind it",
	       bdf(t.pb), (unsigned long long)(pb.buses >> 8 & 0xff), bdf(t.edu_pb[0]),
	       bdf(t.edu_pb[1]));
}

static void check_endpoints(void)
{
	struct desc d, m0, m1;
	uint64_t v, flags;
	bool ok = t.nedu == 5;
	uint32_t edu[5] = {t.edu_rp, t.edu_pb[0], t.edu_pb[1], t.edu_mf[0], t.edu_mf[1]};

	for (unsigned i = 0; i < 5; i++)
		ok = ok && describe(priv, edu[i], &d) && d.class_rev >> 8 == 0x00ff00 &&
		     d.header == 0 && !(d.flags & PCI_DESC_PCIE) &&
		     bar_size(edu[i], 0, NULL, &flags) == 1 << 20 && flags == 0 &&
		     cap_offset(edu[i], CAP_MSI) != 0 &&
		     pci_config_read(priv, edu[i], 0x100, 4, &v) == WARD_ERR_RANGE;
	tap_ok(ok,
	       "edu [1234:11e8] at %s %s %s %s %s: class 00ff00, conventional (256-byte "
	       "config space), BAR0 mem32 1M, MSI",
	       bdf(edu[0]), bdf(edu[1]), bdf(edu[2]), bdf(edu[3]), bdf(edu[4]));
	ok = describe(priv, t.edu_mf[0], &m0) && describe(priv, t.edu_mf[1], &m1) &&
	     (m0.flags & m1.flags & PCI_DESC_MULTIFUNCTION) && PCI_SBDF_FN(t.edu_mf[1]) == 1 &&
	     (t.edu_mf[0] | 1) == t.edu_mf[1] && describe(priv, t.edu_rp, &d) &&
	     !(d.flags & PCI_DESC_MULTIFUNCTION);
	tap_ok(ok, "multi-function edu: %s and %s with header type bit 7; %s single-function",
	       bdf(t.edu_mf[0]), bdf(t.edu_mf[1]), bdf(t.edu_rp));
	v = cap_offset(t.nvme, CAP_PRESENT);
	ok = describe(priv, t.nvme, &d) && d.class_rev >> 8 == 0x010802 &&
	     d.pcie_type == PCI_EXP_TYPE_ENDPOINT && bar_size(t.nvme, 0, NULL, &flags) == 16384 &&
	     (flags & PCI_BAR_F_MEM64) &&
	     (v & (PCI_CAPF_PM | PCI_CAPF_MSIX | PCI_CAPF_PCIE | PCI_CAPF_ARI | PCI_CAPF_SRIOV |
	           PCI_CAPF_FLR)) == (PCI_CAPF_PM | PCI_CAPF_MSIX | PCI_CAPF_PCIE | PCI_CAPF_ARI |
	                              PCI_CAPF_SRIOV | PCI_CAPF_FLR);
	tap_ok(ok,
	       "nvme [1b36:0010] at %s: class 010802, PCIe endpoint, BAR0 64-bit memory 16K, "
	       "PM, MSI-X, ARI, SR-IOV, FLR (capabilities 0x%llx)",
	       bdf(t.nvme), (unsigned long long)v);
}

static void check_platform(void)
{
	struct desc h, a, iommu;
	uint64_t iof, memf;
	bool ok;

	ok = describe(priv, PCI_SBDF(0, 0, 0, 0), &h) && h.vendor == 0x8086 && h.device == 0x29c0 &&
	     (h.flags & PCI_DESC_PLATFORM) && describe(priv, t.ahci, &a) &&
	     t.ahci == PCI_SBDF(0, 0, 31, 2) && a.class_rev >> 8 == 0x010601 &&
	     bar_size(t.ahci, 4, NULL, &iof) == 32 && (iof & PCI_BAR_F_IO) &&
	     bar_size(t.ahci, 5, NULL, &memf) == 4096 && listed(PCI_SBDF(0, 0, 31, 0)) &&
	     listed(PCI_SBDF(0, 0, 31, 3));
	tap_ok(ok, "q35 host bridge 00:00.0 [8086:29c0] (left alone: platform), ICH9 00:1f.0, "
	           "00:1f.3 and AHCI 00:1f.2 with BAR4 I/O 32 bytes, BAR5 memory 4K");
	if (amd) {
		ok = t.iommu_fn != PCI_NO_SBDF && describe(priv, t.iommu_fn, &iommu) &&
		     iommu.vendor == 0x1022 && (iommu.flags & PCI_DESC_PLATFORM);
		tap_ok(ok,
		       "AMD IOMMU function at %s, class 0806: platform, never quiesced or "
		       "handed out",
		       bdf(t.iommu_fn));
	} else {
		tap_ok(t.iommu_fn == PCI_NO_SBDF,
		       "intel-iommu is no PCI function: nothing of class 0806 in the table");
	}
}

/* --- groups ---------------------------------------------------------------- */

static unsigned group_members(uint64_t group)
{
	struct desc d;
	unsigned n = 0;

	for (unsigned i = 0; i < nfuncs; i++)
		n += describe(priv, funcs[i], &d) && d.group == group;
	return n;
}

static bool has_alias(uint64_t sbdf, uint64_t alias)
{
	struct desc d;
	uint64_t a;

	describe(priv, sbdf, &d);
	for (uint64_t i = 0; i < d.nalias; i++) {
		if (pci_alias(priv, sbdf, i, &a) == WARD_OK && a == alias)
			return true;
	}
	return false;
}

static void check_groups(void)
{
	struct desc a, b, p, m0, m1, r;
	uint32_t sec0 = PCI_SBDF(0, PCI_SBDF_BUS(t.edu_pb[0]), 0, 0);
	bool ok;

	ok = describe(priv, t.edu_pb[0], &a) && describe(priv, t.edu_pb[1], &b) &&
	     describe(priv, t.pb, &p) && a.group == t.pb && b.group == t.pb && p.group == t.pb &&
	     group_members(t.pb) == 3;
	tap_ok(ok, "%s and %s are in one group with the PCIe-to-PCI bridge %s (3 members)",
	       bdf(t.edu_pb[0]), bdf(t.edu_pb[1]), bdf(t.pb));
	ok = has_alias(t.edu_pb[0], t.pb) && has_alias(t.edu_pb[1], t.pb) &&
	     has_alias(t.edu_pb[0], sec0) && has_alias(t.edu_pb[1], sec0);
	tap_ok(ok,
	       "their DMA aliases include the bridge's requester ID %s (and %s, the ID a "
	       "PCIe-to-PCI bridge may use for them)",
	       bdf(t.pb), bdf(sec0));
	ok = describe(priv, t.edu_mf[0], &m0) && describe(priv, t.edu_mf[1], &m1) &&
	     m0.group == t.edu_mf[0] && m1.group == t.edu_mf[0] && group_members(m0.group) == 2;
	tap_ok(ok, "multi-function edu %s and %s share a group (no ACS between functions)",
	       bdf(t.edu_mf[0]), bdf(t.edu_mf[1]));
	ok = describe(priv, t.edu_rp, &a) && a.group == t.edu_rp && group_members(a.group) == 1 &&
	     describe(priv, t.nvme, &b) && b.group == t.nvme && group_members(b.group) == 1;
	for (unsigned i = 0; i < t.nrp; i++)
		ok = ok && describe(priv, t.rp[i], &r) && r.group == t.rp[i];
	tap_ok(ok,
	       "edu %s and nvme %s are alone in their groups, and each root port in its own: "
	       "the ports isolate with ACS enabled",
	       bdf(t.edu_rp), bdf(t.nvme));
}

/* --- the start-up safety pass ---------------------------------------------- */

static void check_safety(void)
{
	unsigned endpoints = 0, bad = 0, platform = 0;
	struct desc d;

	for (unsigned i = 0; i < nfuncs; i++) {
		uint64_t cmd, msi, msix;

		if (!describe(priv, funcs[i], &d) || d.header != 0)
			continue;
		if (d.flags & PCI_DESC_PLATFORM) {
			platform++;
			continue;
		}
		endpoints++;
		cmd = rd(priv, funcs[i], PCI_COMMAND, 2);
		msi = cap_offset(funcs[i], CAP_MSI);
		msix = cap_offset(funcs[i], CAP_MSIX);
		if ((cmd & PCI_COMMAND_MASTER) || !(cmd & PCI_COMMAND_INTX_DISABLE) ||
		    (msi && (rd(priv, funcs[i], msi + PCI_MSI_FLAGS, 2) & PCI_MSI_FLAGS_ENABLE)) ||
		    (msix &&
		     (rd(priv, funcs[i], msix + PCI_MSIX_FLAGS, 2) & PCI_MSIX_FLAGS_ENABLE))) {
			tap_diag("%s: command 0x%llx", bdf(funcs[i]), (unsigned long long)cmd);
			bad++;
		}
	}
	for (unsigned i = 0; i < nbm_before; i++)
		tap_diag("firmware left bus mastering on for %s", bdf(bm_before[i]));
	tap_ok(bad == 0 && endpoints >= 9,
	       "after start-up Bus Master Enable is off on all %u endpoints (firmware had set it "
	       "on "
	       "%u), INTx disabled, MSI/MSI-X off; platform: %u",
	       endpoints, nbm_before, platform);
}

/* --- refused requests ----------------------------------------------------- */

static uint64_t drv_rp;   /* a driver's device-badged cap for t.edu_rp */
static uint64_t frame_rp; /* a BAR frame of t.edu_rp the driver got */

static void check_bad_addresses(void)
{
	uint64_t v;

	expect_err_arg(
	        pci_config_read(priv, PCI_SBDF(0, 0x42, 7, 0), 0, 4, &v), PCI_ERR_NO_DEVICE, 0,
	        "CONFIG_READ of 42:07.0, where nothing is: PCI_ERR_NO_DEVICE naming the SBDF");
	expect_err_arg(pci_describe(priv, 1ULL << 40, &v, &v, &v, &v, &v, &v, &v, &v, &v, &v),
	               PCI_ERR_NO_DEVICE, 0,
	               "DESCRIBE of an SBDF wider than 32 bits: PCI_ERR_NO_DEVICE");
	expect_err_arg(pci_config_read(drv_rp, t.edu_rp, 0x100, 4, &v), WARD_ERR_RANGE, 1,
	               "CONFIG_READ at 0x100 of conventional edu %s (256 bytes): WARD_ERR_RANGE",
	               bdf(t.edu_rp));
	expect_err_arg(pci_config_read(priv, t.nvme, 0xffe, 4, &v), WARD_ERR_RANGE, 1,
	               "CONFIG_READ of 4 bytes at 0xffe of nvme %s (past 4K): WARD_ERR_RANGE",
	               bdf(t.nvme));
	expect_err_arg(pci_config_read(drv_rp, t.edu_rp, 2, 4, &v), WARD_ERR_ALIGNMENT, 1,
	               "CONFIG_READ of 4 bytes at offset 2: WARD_ERR_ALIGNMENT");
	expect_err_arg(pci_config_read(drv_rp, t.edu_rp, 0, 3, &v), WARD_ERR_INVALID_ARGUMENT, 2,
	               "CONFIG_READ of width 3: WARD_ERR_INVALID_ARGUMENT naming the width");
}

/* A write the server must refuse, leaving the register as it was. */
static void expect_protected(uint64_t cap, uint64_t sbdf, uint64_t off, uint64_t width,
                             uint64_t value, const char *what)
{
	uint64_t before = rd(priv, sbdf, off & ~3ULL, 4);
	enum ward_error e = pci_config_write(cap, sbdf, off, width, value);
	struct ward_error_detail d = ward_last_error();
	uint64_t after = rd(priv, sbdf, off & ~3ULL, 4);

	if (e != PCI_ERR_PROTECTED || before != after)
		tap_diag("got 0x%x (range 0x%llx-0x%llx), register 0x%llx -> 0x%llx", e,
		         (unsigned long long)d.lo, (unsigned long long)d.hi,
		         (unsigned long long)before, (unsigned long long)after);
	tap_ok(e == PCI_ERR_PROTECTED && d.arg == 1 && before == after,
	       "%s: PCI_ERR_PROTECTED, register unchanged (0x%08llx)", what,
	       (unsigned long long)after);
}

static void check_protected_writes(void)
{
	uint64_t cmd = rd(priv, t.edu_rp, PCI_COMMAND, 2), msi = cap_offset(t.edu_rp, CAP_MSI);
	uint64_t sriov = cap_offset(t.nvme, CAP_SRIOV), pcie = cap_offset(t.nvme, CAP_PCIE);
	uint64_t drv_nvme = mint(device_badge(t.nvme)), line = rd(priv, t.edu_rp, 0x3c, 1), v = 0;

	expect_protected(drv_rp, t.edu_rp, PCI_BASE_ADDRESS_0, 4, 0xdead0000,
	                 "driver's CONFIG_WRITE to edu BAR0");
	expect_protected(drv_rp, t.edu_rp, PCI_COMMAND, 2, cmd | PCI_COMMAND_MASTER,
	                 "driver's CONFIG_WRITE setting Bus Master Enable");
	expect_protected(drv_rp, t.edu_rp, msi + PCI_MSI_ADDRESS_LO, 4, 0xfee00000,
	                 "driver's CONFIG_WRITE to the MSI address");
	expect_protected(drv_nvme, t.nvme, sriov + PCI_SRIOV_CTRL, 2, PCI_SRIOV_CTRL_VFE,
	                 "nvme driver's CONFIG_WRITE of VF Enable in the SR-IOV capability");
	expect_protected(drv_nvme, t.nvme, pcie + PCI_EXP_DEVCTL, 2,
	                 rd(priv, t.nvme, pcie + PCI_EXP_DEVCTL, 2) | PCI_EXP_DEVCTL_BCR_FLR,
	                 "nvme driver's CONFIG_WRITE of Initiate FLR");
	expect_err_arg(
	        pci_config_write(drv_rp, t.edu_rp, PCI_INTERRUPT_LINE, 1, 0x15a),
	        WARD_ERR_INVALID_ARGUMENT, 3,
	        "CONFIG_WRITE of 0x15a as one byte: WARD_ERR_INVALID_ARGUMENT naming the value");
	tap_ok(pci_config_write(drv_rp, t.edu_rp, PCI_INTERRUPT_LINE, 1, 0x5a) == WARD_OK &&
	               pci_config_read(drv_rp, t.edu_rp, PCI_INTERRUPT_LINE, 1, &v) == WARD_OK &&
	               v == 0x5a &&
	               pci_config_write(drv_rp, t.edu_rp, PCI_COMMAND, 2, cmd) == WARD_OK,
	       "the driver may write Interrupt Line (0x5a read back) and Command with Bus Master "
	       "Enable unchanged");
	pci_config_write(drv_rp, t.edu_rp, PCI_INTERRUPT_LINE, 1, line);
}

static void check_badges(void)
{
	uint64_t v, stranger = mint(0x1234), ghost = mint(pci_badge_device(0xfff0, 1));
	const uint64_t args[2] = {t.edu_rp, 0};

	expect_err_arg(pci_config_read(drv_rp, t.edu_pb[0], 0, 4, &v), PCI_ERR_WRONG_DEVICE, 0,
	               "%s's device cap used for %s: PCI_ERR_WRONG_DEVICE", bdf(t.edu_rp),
	               bdf(t.edu_pb[0]));
	expect_err_arg(pci_bus_master(drv_rp, t.edu_rp, 1, &v, &command_before), PCI_ERR_DENIED,
	               WARD_ARG_CAP,
	               "BUS_MASTER through a device badge (its own device): PCI_ERR_DENIED");
	tap_ok(!(rd(priv, t.edu_rp, PCI_COMMAND, 2) & PCI_COMMAND_MASTER),
	       "... and bus mastering of %s is still off", bdf(t.edu_rp));
	expect_err_arg(pci_config_read(stranger, t.edu_rp, 0, 4, &v), PCI_ERR_DENIED, WARD_ARG_CAP,
	               "a cap with badge 0x1234 (neither privileged nor a device badge): "
	               "PCI_ERR_DENIED");
	expect_err_arg(pci_config_read(ghost, t.edu_rp, 0, 4, &v), PCI_ERR_STALE, WARD_ARG_CAP,
	               "a device badge naming table index 0xfff0: PCI_ERR_STALE");
	expect_err_arg(ward_invoke(priv, 99, 2, args, 0, NULL, 0, NULL), WARD_ERR_ILLEGAL_OPERATION,
	               WARD_ARG_LABEL, "unknown label 99: WARD_ERR_ILLEGAL_OPERATION");
	expect_err_arg(ward_invoke(priv, PCI_CONFIG_READ, 2, args, 0, NULL, 0, NULL),
	               WARD_ERR_TRUNCATED_MESSAGE, WARD_ARG_LENGTH,
	               "CONFIG_READ with 2 of its 3 arguments: WARD_ERR_TRUNCATED_MESSAGE");
}

/* --- BAR frames ------------------------------------------------------------ */

static void check_map_bar(void)
{
	uint64_t phys = 0, size = 0, base = 0, slot = wt_slot(), va = wt_va(1), v;
	uint64_t table = rd(priv, t.nvme, cap_offset(t.nvme, CAP_MSIX) + PCI_MSIX_TABLE, 4);
	volatile uint32_t *edu = (volatile uint32_t *)va;
	bool ok;

	bar_size(t.edu_rp, 0, &base, NULL);
	ok = pci_map_bar_into(priv, CNODE, slot, t.edu_rp, 0, 0, &phys, &size) == WARD_OK &&
	     ward_debug_cap_type(slot) == WARD_OBJ_FRAME && phys == base && size == 4096 &&
	     wt_map(slot, va, WT_RIGHTS_RW) == WARD_OK;
	if (ok) {
		edu[EDU_LIVENESS / 4] = 0x12345678;
		ok = edu[0] == EDU_ID && edu[EDU_LIVENESS / 4] == ~0x12345678u;
	}
	tap_ok(ok,
	       "MAP_BAR of edu %s BAR0 page 0: a frame cap at 0x%llx, mapped: identification "
	       "0x%08x, liveness register inverts",
	       bdf(t.edu_rp), (unsigned long long)phys, ok ? edu[0] : 0);
	frame_rp = slot;
	expect_err_arg(pci_map_bar(priv, t.edu_rp, 0, 1 << 20, &v, &v), WARD_ERR_RANGE, 2,
	               "MAP_BAR at offset 1M of a 1M BAR: WARD_ERR_RANGE");
	expect_err_arg(pci_map_bar(priv, t.edu_rp, 0, 0x800, &v, &v), WARD_ERR_ALIGNMENT, 2,
	               "MAP_BAR at offset 0x800: WARD_ERR_ALIGNMENT");
	expect_err_arg(pci_map_bar(priv, t.ahci, 4, 0, &v, &v), PCI_ERR_UNSUPPORTED, 1,
	               "MAP_BAR of AHCI BAR4, an I/O BAR: PCI_ERR_UNSUPPORTED");
	expect_err_arg(pci_map_bar(priv, t.nvme, table & 7, (table & ~7ULL) & ~0xfffULL, &v, &v),
	               PCI_ERR_PROTECTED, 2,
	               "MAP_BAR of the nvme page holding the MSI-X table (BAR%llu + 0x%llx): "
	               "PCI_ERR_PROTECTED",
	               (unsigned long long)(table & 7), (unsigned long long)(table & ~7ULL));
	expect_err_arg(pci_map_bar(drv_rp, t.edu_rp, 0, 0, &v, &v), PCI_ERR_DENIED, WARD_ARG_CAP,
	               "MAP_BAR through the driver's device badge: PCI_ERR_DENIED");
}

/* --- interrupts ------------------------------------------------------------- */

/* An MSI vector from the kernel, signalling a fresh notification. */
static bool get_msi(uint64_t *handler, uint64_t *ntfn, uint64_t *addr, uint64_t *data)
{
	uint64_t vector;

	*handler = wt_slot();
	*ntfn = wt_obj(WARD_OBJ_NOTIFICATION, 0);
	/* A signal ORs the cap's badge into the word: badge 0 would be no signal at all. */
	return ward_irq_control_get_msi(WARD_CAP_IRQ_CONTROL, CNODE, *handler, 64, &vector, addr,
	                                data) == WARD_OK &&
	       ward_irq_handler_set_notification(*handler, wt_mint(*ntfn, WARD_RIGHT_WRITE, 1)) ==
	               WARD_OK;
}

static bool wait_signal(uint64_t ntfn, unsigned ms)
{
	uint64_t t0 = rdtsc(), badge = 0;

	do {
		ward_poll(ntfn, &badge);
	} while (badge == 0 && ms_since(t0) < ms);
	return badge != 0;
}

static void check_msi(void)
{
	uint64_t handler, ntfn, addr = 0, data = 0, cmd = 0, v;
	uint64_t msi = cap_offset(t.edu_rp, CAP_MSI), slot = wt_slot(), va = wt_va(1), phys;
	volatile uint32_t *edu = (volatile uint32_t *)va;
	bool ok;

	ok = get_msi(&handler, &ntfn, &addr, &data) &&
	     pci_msi_set(priv, t.edu_rp, addr, data, 1) == WARD_OK &&
	     (rd(priv, t.edu_rp, msi + PCI_MSI_FLAGS, 2) & PCI_MSI_FLAGS_ENABLE) &&
	     rd(priv, t.edu_rp, msi + PCI_MSI_ADDRESS_LO, 4) == (addr & 0xffffffff) &&
	     pci_bus_master(priv, t.edu_rp, 1, &cmd, &command_before) == WARD_OK &&
	     (cmd & PCI_COMMAND_MASTER) &&
	     pci_map_bar_into(priv, CNODE, slot, t.edu_rp, 0, 0, &phys, &v) == WARD_OK &&
	     wt_map(slot, va, WT_RIGHTS_RW) == WARD_OK;
	if (ok) {
		edu[EDU_IRQ_RAISE / 4] = 0x1;
		ok = wait_signal(ntfn, 1000);
		edu[EDU_IRQ_ACK / 4] = edu[EDU_IRQ_STATUS / 4];
		ward_irq_handler_ack(handler);
	}
	tap_ok(ok,
	       "MSI_SET (address 0x%llx, data 0x%llx from the kernel) and BUS_MASTER on for "
	       "%s: the edu's raised interrupt arrives as that MSI",
	       (unsigned long long)addr, (unsigned long long)data, bdf(t.edu_rp));
	expect_err_arg(pci_msi_set(priv, t.edu_rp, addr, data, 2), WARD_ERR_RANGE, 3,
	               "MSI_SET for 2 vectors on a 1-vector MSI capability: WARD_ERR_RANGE");
	expect_err_arg(pci_msi_set(priv, t.edu_rp, addr + 2, data, 1), WARD_ERR_ALIGNMENT, 1,
	               "MSI_SET with an address not dword aligned: WARD_ERR_ALIGNMENT");
	expect_err_arg(pci_msix_set(priv, t.edu_rp, 0, addr, data, 0), PCI_ERR_UNSUPPORTED, 0,
	               "MSIX_SET on the edu, which has no MSI-X: PCI_ERR_UNSUPPORTED");
	ok = pci_irq_disable(priv, t.edu_rp) == WARD_OK &&
	     pci_bus_master(priv, t.edu_rp, 0, &cmd, &command_before) == WARD_OK &&
	     !(cmd & PCI_COMMAND_MASTER) && (command_before & PCI_COMMAND_MASTER) &&
	     !(rd(priv, t.edu_rp, msi + PCI_MSI_FLAGS, 2) & PCI_MSI_FLAGS_ENABLE);
	tap_ok(ok, "IRQ_DISABLE and BUS_MASTER off: MSI Enable and Bus Master Enable clear again "
	           "(it was set before, BUS_MASTER says)");
}

static void check_msix(void)
{
	uint64_t handler, ntfn, addr = 0, data = 0, v;
	uint64_t msix = cap_offset(t.nvme, CAP_MSIX), n, flags;
	bool ok, has_msi = cap_offset(t.nvme, CAP_MSI) != 0;

	n = (rd(priv, t.nvme, msix + PCI_MSIX_FLAGS, 2) & PCI_MSIX_FLAGS_QSIZE) + 1;
	ok = get_msi(&handler, &ntfn, &addr, &data) &&
	     pci_msix_set(priv, t.nvme, 0, addr, data, 1) == WARD_OK;
	flags = rd(priv, t.nvme, msix + PCI_MSIX_FLAGS, 2);
	tap_ok(ok && (flags & PCI_MSIX_FLAGS_ENABLE) && !(flags & PCI_MSIX_FLAGS_MASKALL),
	       "MSIX_SET of nvme %s entry 0 (the server maps the table itself): MSI-X enabled, "
	       "function unmasked (control 0x%llx, %llu entries)",
	       bdf(t.nvme), (unsigned long long)flags, (unsigned long long)n);
	expect_err_arg(pci_msix_set(priv, t.nvme, n, addr, data, 1), WARD_ERR_RANGE, 1,
	               "MSIX_SET of entry %llu of a %llu-entry table: WARD_ERR_RANGE",
	               (unsigned long long)n, (unsigned long long)n);
	expect_err_arg(pci_msi_set(priv, t.nvme, addr, data, 1),
	               has_msi ? PCI_ERR_IN_USE : PCI_ERR_UNSUPPORTED, 0,
	               has_msi ? "MSI_SET while MSI-X is on: PCI_ERR_IN_USE"
	                       : "MSI_SET on the nvme, which has MSI-X only: PCI_ERR_UNSUPPORTED");
	ok = pci_irq_disable(priv, t.nvme) == WARD_OK &&
	     !(rd(priv, t.nvme, msix + PCI_MSIX_FLAGS, 2) & PCI_MSIX_FLAGS_ENABLE);
	tap_ok(ok, "IRQ_DISABLE: MSI-X Enable clear again");
	(void)v;
}

/* --- revocation -------------------------------------------------------------- */

static void check_revocation(void)
{
	uint64_t v, old = device_badge(t.edu_rp), fresh = 0, orig, copy, slot = wt_slot(), b = 0;
	bool ok;

	/* The IOMMU server's way: it keeps the minted original and hands out a child. */
	orig = mint(device_badge(t.edu_pb[0]));
	copy = wt_copy(orig, DRV_RIGHTS);
	ok = pci_config_read(copy, t.edu_pb[0], 0, 4, &v) == WARD_OK &&
	     ward_cnode_revoke(CNODE, orig, 64) == WARD_OK;
	expect_err(ok ? pci_config_read(copy, t.edu_pb[0], 0, 4, &v) : ~0ULL,
	           WARD_ERR_INVALID_CAPABILITY,
	           "the driver's copy worked; after Revoke of the minted original it is gone: "
	           "WARD_ERR_INVALID_CAPABILITY from the kernel");
	/* The server's generation: a cap minted with the old badge is refused. */
	ok = pci_revoke(priv, t.edu_rp, &fresh) == WARD_OK &&
	     pci_badge_index(fresh) == pci_badge_index(old) &&
	     pci_badge_generation(fresh) == pci_badge_generation(old) + 1;
	expect_err_arg(ok ? pci_config_read(drv_rp, t.edu_rp, 0, 4, &v) : ~0ULL, PCI_ERR_STALE,
	               WARD_ARG_CAP,
	               "REVOKE of %s: generation %u -> %u, a cap still holding the old badge gets "
	               "PCI_ERR_STALE",
	               bdf(t.edu_rp), pci_badge_generation(old), pci_badge_generation(fresh));
	tap_ok(ward_debug_cap_type(frame_rp) == WARD_OBJ_NULL &&
	               pci_config_read(mint(fresh), t.edu_rp, 0, 4, &v) == WARD_OK,
	       "... the BAR frame the driver got is revoked with it, and the new badge works");
	/* DEVICE_CAP: the server keeps the original; REVOKE removes every copy. */
	ok = pci_device_cap_into(priv, CNODE, slot, t.nvme, &b) == WARD_OK &&
	     ward_debug_cap_type(slot) == WARD_OBJ_ENDPOINT;
	copy = ok ? wt_copy(slot, DRV_RIGHTS) : 0;
	ok = ok && pci_config_read(copy, t.nvme, 0, 4, &v) == WARD_OK && v == 0x00101b36 &&
	     pci_revoke(priv, t.nvme, &b) == WARD_OK &&
	     ward_debug_cap_type(slot) == WARD_OBJ_NULL &&
	     ward_debug_cap_type(copy) == WARD_OBJ_NULL;
	tap_ok(ok,
	       "DEVICE_CAP for nvme %s: the reply's cap and a copy of it read its IDs; REVOKE "
	       "deleted both",
	       bdf(t.nvme));
}

/* --- SR-IOV ---------------------------------------------------------------- */

static uint32_t nvme_port(void)
{
	struct desc d;

	for (unsigned i = 0; i < t.nrp; i++) {
		if (describe(priv, t.rp[i], &d) && (d.buses >> 8 & 0xff) == PCI_SBDF_BUS(t.nvme))
			return t.rp[i];
	}
	return 0;
}

/* Every enabled VF: linked both ways, IDs from the PF, quiesced, alone in its group. */
static bool check_vf_links(uint64_t first, uint64_t vf_did, unsigned n)
{
	bool ok = true;

	for (unsigned k = 0; k < n; k++) {
		uint64_t vf = 0, pf = 0, idx = 0, total, num, fv, stride;
		struct desc d;

		ok = ok && pci_vf(priv, t.nvme, k, &vf) == WARD_OK && vf == first + k &&
		     describe(priv, vf, &d) && (d.flags & PCI_DESC_VF) && d.vendor == 0x1b36 &&
		     d.device == vf_did && d.class_rev >> 8 == 0x010802 && d.group == vf &&
		     !(rd(priv, vf, PCI_COMMAND, 2) & PCI_COMMAND_MASTER) &&
		     pci_sriov_info(priv, vf, &pf, &idx, &total, &num, &fv, &stride) == WARD_OK &&
		     pf == t.nvme && idx == k && num == n && fv == first;
	}
	return ok;
}

/* VF k's BAR0 is the PF's VF BAR0 plus k apertures, inside the root port's window. */
static bool check_vf_bars(uint64_t first, unsigned n, uint64_t *base, uint64_t *size)
{
	uint64_t sriov = cap_offset(t.nvme, CAP_SRIOV), port = nvme_port(), b, s, f, lo, hi;
	bool ok;

	*base = rd(priv, t.nvme, sriov + PCI_SRIOV_BAR, 4) & ~0xfULL;
	*base |= rd(priv, t.nvme, sriov + PCI_SRIOV_BAR + 4, 4) << 32;
	*size = bar_size(first, 0, NULL, NULL);
	lo = (rd(priv, port, PCI_MEMORY_BASE, 2) & PCI_MEMORY_RANGE_MASK) << 16;
	hi = (rd(priv, port, PCI_MEMORY_LIMIT, 2) & PCI_MEMORY_RANGE_MASK) << 16 | 0xfffff;
	ok = *base != 0 && *size >= 4096 && *base >= lo && *base + n * *size - 1 <= hi;
	for (unsigned k = 0; k < n; k++) {
		s = bar_size(first + k, 0, &b, &f);
		ok = ok && b == *base + k * *size && s == *size && (f & PCI_BAR_F_MEM64);
	}
	return ok;
}

static void check_sriov(void)
{
	uint64_t sriov = cap_offset(t.nvme, CAP_SRIOV), first = 0, v, base = 0, size = 0, t0;
	uint64_t vf_did = rd(priv, t.nvme, sriov + PCI_SRIOV_VF_DID, 2), vfdrv, ms;
	uint32_t id, cls;
	bool ok;

	expect_err_arg(pci_sriov_enable(priv, t.nvme, 5, &v), WARD_ERR_RANGE, 1,
	               "SRIOV_ENABLE of 5 VFs, TotalVFs 4: WARD_ERR_RANGE");
	expect_err_arg(pci_sriov_enable(priv, t.edu_rp, 1, &v), PCI_ERR_UNSUPPORTED, 0,
	               "SRIOV_ENABLE on the edu: PCI_ERR_UNSUPPORTED");
	t0 = rdtsc();
	ok = pci_sriov_enable(priv, t.nvme, 4, &first) == WARD_OK && first == t.nvme + 1;
	ms = ms_since(t0);
	tap_ok(ok && ms >= 100,
	       "SRIOV_ENABLE of 4 VFs on nvme %s: first VF %s (after the 100 ms "
	       "VFs may take; %llu ms)",
	       bdf(t.nvme), bdf(first), (unsigned long long)ms);
	tap_ok(check_vf_links(first, vf_did, 4),
	       "VFs %s-%s in the table, linked both ways to PF %s, IDs 1b36:%04llx from the PF, "
	       "bus "
	       "master off, each in its own group",
	       bdf(first), bdf(first + 3), bdf(t.nvme), (unsigned long long)vf_did);
	ok = check_vf_bars(first, 4, &base, &size);
	tap_ok(ok,
	       "VF BAR0s at 0x%llx + k * %llu (the PF's VF BAR0, placed by the server inside the "
	       "root port's memory window)",
	       (unsigned long long)base, (unsigned long long)size);
	id = ecam_rd32((uint32_t)first, PCI_VENDOR_ID);
	cls = ecam_rd32((uint32_t)first, PCI_CLASS_REVISION) >> 8;
	tap_ok(id == 0xffffffffu && cls == 0x010802,
	       "QEMU created VF %s: it answers in ECAM with Vendor/Device ID 0x%08x (all-ones, as "
	       "SR-IOV specifies for VFs) and class %06x",
	       bdf(first), id, cls);
	expect_err_arg(pci_sriov_enable(priv, t.nvme, 2, &v), PCI_ERR_IN_USE, 0,
	               "SRIOV_ENABLE while VFs are enabled: PCI_ERR_IN_USE");
	expect_err_arg(pci_reset(priv, t.nvme, &v), PCI_ERR_IN_USE, 0,
	               "RESET of the PF while its VFs are enabled: PCI_ERR_IN_USE");
	vfdrv = mint(device_badge(first));
	ok = pci_config_read(vfdrv, first, PCI_CLASS_REVISION, 4, &v) == WARD_OK &&
	     pci_sriov_disable(priv, t.nvme) == WARD_OK &&
	     rd(priv, t.nvme, sriov + PCI_SRIOV_NUM_VF, 2) == 0 &&
	     !(rd(priv, t.nvme, sriov + PCI_SRIOV_CTRL, 2) & PCI_SRIOV_CTRL_VFE) &&
	     pci_describe(priv, first, &v, &v, &v, &v, &v, &v, &v, &v, &v, &v) ==
	             PCI_ERR_NO_DEVICE &&
	     pci_config_read(vfdrv, first, 0, 4, &v) == PCI_ERR_STALE;
	tap_ok(ok, "SRIOV_DISABLE: VF Enable and NumVFs clear, the VFs gone from the table "
	           "(PCI_ERR_NO_DEVICE) and a VF's device badge stale");
}

/* --- reset ----------------------------------------------------------------- */

/* Enables the nvme controller (admin queues in two RAM pages; nothing is submitted). */
static bool nvme_enable(volatile uint32_t *nvme)
{
	uint64_t sq, cq, sq_phys = 0, cq_phys = 0, t0;

	if (wt_page(WT_RIGHTS_RW, &sq) == NULL || wt_page(WT_RIGHTS_RW, &cq) == NULL ||
	    ward_frame_get_address(sq, &sq_phys) != WARD_OK ||
	    ward_frame_get_address(cq, &cq_phys) != WARD_OK)
		return false;
	nvme[NVME_AQA / 4] = 0x000f000f;
	nvme[NVME_ASQ / 4] = (uint32_t)sq_phys;
	nvme[NVME_ASQ / 4 + 1] = (uint32_t)(sq_phys >> 32);
	nvme[NVME_ACQ / 4] = (uint32_t)cq_phys;
	nvme[NVME_ACQ / 4 + 1] = (uint32_t)(cq_phys >> 32);
	nvme[NVME_CC / 4] = NVME_CC_ENABLE;
	for (t0 = rdtsc(); !(nvme[NVME_CSTS / 4] & NVME_CSTS_RDY) && ms_since(t0) < 500;)
		;
	return nvme[NVME_CSTS / 4] & NVME_CSTS_RDY;
}

static void check_flr(void)
{
	uint64_t slot = wt_slot(), va = wt_va(1), phys, size, method = 0, v, t0, ms;
	uint64_t bar0 = rd(priv, t.nvme, PCI_BASE_ADDRESS_0, 4), csts_before = 0,
	         csts_after = ~0ULL;
	volatile uint32_t *nvme = (volatile uint32_t *)va;
	bool ok, ready;

	ok = (cap_offset(t.nvme, CAP_PRESENT) & PCI_CAPF_FLR) &&
	     cap_offset(t.nvme, CAP_RESET) == PCI_RESET_FLR &&
	     pci_map_bar_into(priv, CNODE, slot, t.nvme, 0, 0, &phys, &size) == WARD_OK &&
	     wt_map(slot, va, WT_RIGHTS_RW) == WARD_OK;
	ready = ok && nvme_enable(nvme);
	csts_before = ok ? nvme[NVME_CSTS / 4] : 0;
	t0 = rdtsc();
	ok = ok && pci_reset(priv, t.nvme, &method) == WARD_OK && method == PCI_RESET_FLR;
	ms = ms_since(t0);
	ok = ok && ms >= 100 && rd(priv, t.nvme, PCI_VENDOR_ID, 2) == 0x1b36;
	tap_ok(ok, "nvme %s reset by FLR: Vendor ID readable again after the 100 ms wait (%llu ms)",
	       bdf(t.nvme), (unsigned long long)ms);
	if (ok)
		csts_after = nvme[NVME_CSTS / 4];
	v = rd(priv, t.nvme, PCI_COMMAND, 2);
	ok = ok && ready && csts_after == 0 && rd(priv, t.nvme, PCI_BASE_ADDRESS_0, 4) == bar0 &&
	     (v & PCI_COMMAND_MEMORY) && !(v & PCI_COMMAND_MASTER);
	tap_ok(ok,
	       "... the controller was reset (CSTS 0x%llx -> 0x%llx), BAR0 0x%llx restored, "
	       "memory decode on, bus master off",
	       (unsigned long long)csts_before, (unsigned long long)csts_after,
	       (unsigned long long)bar0);
}

static void check_bus_reset(void)
{
	uint64_t msi = cap_offset(t.edu_rp, CAP_MSI), method = 0, v, before, after;
	uint64_t bar0 = rd(priv, t.edu_rp, PCI_BASE_ADDRESS_0, 4);
	bool ok;

	ok = pci_msi_set(priv, t.edu_rp, 0xfee00000, 0x4041, 1) == WARD_OK &&
	     pci_irq_disable(priv, t.edu_rp) == WARD_OK;
	before = rd(priv, t.edu_rp, msi + PCI_MSI_ADDRESS_LO, 4);
	ok = ok && cap_offset(t.edu_rp, CAP_RESET) == PCI_RESET_BUS &&
	     pci_reset(priv, t.edu_rp, &method) == WARD_OK && method == PCI_RESET_BUS;
	after = rd(priv, t.edu_rp, msi + PCI_MSI_ADDRESS_LO, 4);
	tap_ok(ok && before == 0xfee00000 && after == 0 &&
	               rd(priv, t.edu_rp, PCI_BASE_ADDRESS_0, 4) == bar0 &&
	               (rd(priv, t.edu_rp, PCI_COMMAND, 2) & PCI_COMMAND_MEMORY),
	       "edu %s (no FLR or PM) reset by secondary bus reset of its root port: MSI address "
	       "0x%llx -> 0x%llx, BAR0 0x%llx restored, decoding",
	       bdf(t.edu_rp), (unsigned long long)before, (unsigned long long)after,
	       (unsigned long long)bar0);
	ok = pci_reset(priv, t.edu_pb[0], &method) == WARD_OK && method == PCI_RESET_BUS &&
	     rd(priv, t.edu_pb[1], PCI_VENDOR_ID, 2) == 0x1234;
	tap_ok(ok,
	       "edu %s reset by a secondary bus reset of the PCIe-to-PCI bridge %s (its whole "
	       "subtree is one group)",
	       bdf(t.edu_pb[0]), bdf(t.pb));
	expect_err_arg(pci_reset(priv, t.rp[0], &v), PCI_ERR_UNSUPPORTED, 0,
	               "RESET of root port %s: PCI_ERR_UNSUPPORTED", bdf(t.rp[0]));
	expect_err_arg(pci_reset(priv, PCI_SBDF(0, 0, 0, 0), &v), PCI_ERR_PROTECTED, 0,
	               "RESET of the host bridge: PCI_ERR_PROTECTED");
}

static void run_checks(void)
{
	check_table();
	find_topology();
	check_bridges();
	check_endpoints();
	check_platform();
	check_groups();
	check_safety();
	drv_rp = mint(device_badge(t.edu_rp));
	check_bad_addresses();
	check_protected_writes();
	check_badges();
	check_map_bar();
	check_msi();
	check_msix();
	check_revocation();
	check_sriov();
	check_flr();
	check_bus_reset();
}

int main(void)
{
	wt_init();
	amd = strstr(wt_bi->modules[0].args, "iommu=amd") != NULL;
	tap_plan(PLAN);
	fw_init();
	if (!find_mcfg() || !map_ecam()) {
		ward_printf("Bail out! no ECAM window to give the PCI server\n");
		return 1;
	}
	snapshot_bus_master();
	if (!tap_ok(start_server(), "PCI server started as a thread: device table built, "
	                            "endpoints quiesced, ACS enabled, groups computed")) {
		ward_printf("Bail out! the PCI server did not start\n");
		return 1;
	}
	run_checks();
	return tap_exit_status();
}

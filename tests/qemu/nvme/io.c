/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The NVMe driver on QEMU's nvme (the `pci` preset, intel-iommu with
 * interrupt remapping), checked against the disk image the runner stamped
 * (stamp.h: every 512-byte block holds its LBA and a CRC) and checked
 * again on the host after QEMU exits (disk.py check: exactly the blocks
 * written here carry the guest's stamp).
 *
 * The test plays the manifest: it gives the PF to a domain of its own and
 * runs the driver library on the device cap, then serves the block
 * protocol from a thread with two grants (the whole namespace, writable,
 * with a 32-page window; 64 blocks from LBA 4096, read-only, with an
 * 8-page window) and calls it as a client through badged endpoint caps.
 *
 *  - the controller comes up (CAP.TO honoured, admin queue, Identify),
 *    namespace 1 has the image's size, and its completions arrive as the
 *    MSI-X interrupt the IOMMU server remapped (DEVICE_IRQ_MSIX);
 *  - single blocks and transfers of 8 and 32 pages (PRP lists) read back
 *    byte-exact; writes of one page and of five pages (a PRP list) read
 *    back and are flushed (the host check finds them in the image);
 *  - a client process of its own, holding only a cap to the read-only
 *    grant, reads through it and is refused a write and reads past the
 *    grant and the window;
 *  - malformed requests (no blocks, more than the window, past the
 *    grant, an LBA that wraps, a write through the read-only grant, a
 *    badge with no grant) each get their own error and the blocks they
 *    aimed at are unchanged; a command to a namespace that does not exist
 *    comes back as the controller's status (Invalid Namespace), named.
 */
#include <string.h>
#include <ward/invoke.h>
#include <ward/object.h>
#include <ward/rt.h>
#include <ward/server.h>
#include <ward/startinfo.h>

#include "../iommu/iommu_test.h"
#include "../lib/wclient.h"
#include "../lib/wtest.h"
#include "../tap.h"
#include "block.h"
#include "block_service.h"
#include "nvme_test.h"
#include "stamp.h"

#define DRIVER_VA     0x0000610000000000ULL
#define DATA_PAGES    40
#define DISK_BLOCKS   8192 /* the scenario's --disk-blocks */
#define RO_FIRST      4096
#define RO_BLOCKS     64
#define CLIENT_RIGHTS (WARD_RIGHT_WRITE | WARD_RIGHT_GRANT | WARD_RIGHT_GRANT_REPLY)
/* Blocks written (the scenario's disk check lists the same). */
#define W1_LBA        100
#define W1_COUNT      8
#define W2_LBA        2000
#define W2_COUNT      40

static struct nvme_ward w;
static struct block_service svc;
static uint64_t ep, reply;

static void server_main(struct wt_thread *self)
{
	self->word[0] = block_serve(&svc, ep, reply);
}

/* Another program: a client process holding only its cap to the read-only grant. */
static void block_client(const struct wt_client_env *env)
{
	uint64_t c = WT_CLIENT_CAP_FIRST, blocks = 0, bsize, window, writable = 1;

	env->share[0] = block_info(c, &blocks, &bsize, &window, &writable);
	env->share[1] = blocks;
	env->share[2] = writable;
	env->share[3] = block_read(c, 8, 16);
	env->share[4] = block_write(c, 8, 1);
	env->share[5] = block_read(c, RO_BLOCKS, 1);
	env->share[6] = block_read(c, 0, 65);
	env->share[7] = 1;
}

/* Runs block_client in a process of its own with cap `ro`; its results in s[0..7]. */
static bool run_client(uint64_t ro, volatile uint64_t *s)
{
	struct wt_client client;
	struct wt_client_config cfg = {
	        .name = "block-client", .fn = block_client, .caps = &ro, .cap_count = 1};
	enum ward_error err = wt_client_start(&client, &cfg);
	uint64_t badge = 0;
	bool ok = err == WARD_OK;

	/*
	 * Blocked until it is done: the client and the server thread run at
	 * priority 0 on this CPU, below this thread (a hang is the runner's
	 * time-out).
	 */
	if (ok)
		ward_wait(client.done, &badge);
	if (!ok)
		ward_printf("block client: start error %#x\n", err);

	for (unsigned i = 0; ok && i < 8; i++)
		s[i] = client.share[i];
	return wt_client_end(&client) && ok;
}

static void fill_written(volatile uint8_t *win, uint64_t lba, uint64_t count)
{
	for (uint64_t i = 0; i < count; i++)
		stamp_make(win + i * STAMP_BLOCK, lba + i, true);
}

static void scrub(volatile uint8_t *win, uint64_t bytes)
{
	for (uint64_t i = 0; i < bytes; i++)
		win[i] = 0xee;
}

/* READ through cap c into the window, checked against the runner's stamps. */
static bool read_is(uint64_t c, volatile uint8_t *win, uint64_t lba, uint64_t count,
                    uint64_t first_lba, bool written)
{
	scrub(win, count * STAMP_BLOCK);
	return block_read(c, lba, count) == WARD_OK && stamps_are(win, first_lba, count, written);
}

static bool refused(enum ward_error got, enum ward_error want, uint64_t lo, uint64_t hi)
{
	struct ward_error_detail d = ward_last_error();

	if (got != want)
		ward_printf("refusal: error %#x, wanted %#x\n", got, want);
	return got == want && d.lo == lo && d.hi == hi;
}

int main(void)
{
	const struct ward_startinfo *si = ward_startinfo;
	uint64_t dom, rw, ro, nogrant, blocks = 0, bsize = 0, window = 0, writable = 0, irqs;
	volatile uint8_t *win, *ro_win;
	struct wt_thread server;
	struct nt_fn pf;
	enum nvme_err nerr;
	enum ward_error err;
	uint64_t stop[WARD_MSG_REGISTERS] = {0}, client_results[8] = {0};
	bool ok;

	t_ep = si->iommu_endpoint;
	t_pci = si->pci_endpoint;
	wt_init();
	tap_plan(13);
	ok = nt_find_pf(&pf) && (dom = nt_domain()) != 0 && nt_assign(&pf, dom) == WARD_OK &&
	     nt_driver_up(&w, &pf, dom, DRIVER_VA, DATA_PAGES, 1);
	tap_ok(ok && w.ctrl.blocks == DISK_BLOCKS && w.ctrl.block_size == 512 &&
	               w.ctrl.ready_timeout_ms > 0,
	       "controller %u of PF %#llx up within CAP.TO (%u ms) through its device cap; "
	       "namespace 1: %llu blocks of %u bytes",
	       w.ctrl.cntlid, (unsigned long long)pf.sbdf, w.ctrl.ready_timeout_ms,
	       (unsigned long long)w.ctrl.blocks, w.ctrl.block_size);
	tap_ok(ok && w.interrupts > 0,
	       "admin completions arrived as MSI-X through the remapping entry %llu (vector "
	       "%#llx): %llu interrupts",
	       (unsigned long long)w.irq_index, (unsigned long long)w.vector,
	       (unsigned long long)w.interrupts);
	if (!ok)
		return tap_exit_status();

	svc = (struct block_service){.ctrl = &w.ctrl, .data = w.data, .data_pages = DATA_PAGES};
	ep = wt_obj(WARD_OBJ_ENDPOINT, 0);
	reply = wt_obj(WARD_OBJ_REPLY, 0);
	rw = wt_mint(ep, CLIENT_RIGHTS, block_grant_add(&svc, 0, DISK_BLOCKS, true, 0, 32));
	ro = wt_mint(ep, CLIENT_RIGHTS, block_grant_add(&svc, RO_FIRST, RO_BLOCKS, false, 32, 8));
	nogrant = wt_mint(ep, CLIENT_RIGHTS, 5);
	win = block_window(&svc, 1);
	ro_win = block_window(&svc, 2);
	ok = wt_thread_new(&server, "block", server_main, NULL, 0) &&
	     wt_thread_start(&server) == WARD_OK;
	ok = ok && block_info(rw, &blocks, &bsize, &window, &writable) == WARD_OK;
	tap_ok(ok && blocks == DISK_BLOCKS && bsize == 512 && window == 256 && writable == 1,
	       "block INFO through the writable grant: %llu blocks of %llu, window %llu blocks",
	       (unsigned long long)blocks, (unsigned long long)bsize, (unsigned long long)window);

	irqs = w.interrupts;
	ok = read_is(rw, win, 0, 1, 0, false) && read_is(rw, win, 1, 1, 1, false) &&
	     read_is(rw, win, 777, 1, 777, false) &&
	     read_is(rw, win, DISK_BLOCKS - 1, 1, DISK_BLOCKS - 1, false);
	tap_ok(ok && w.interrupts > irqs,
	       "single blocks 0, 1, 777 and %u read back byte-exact (LBA, pattern, CRC); I/O "
	       "completions by interrupt",
	       DISK_BLOCKS - 1);
	ok = read_is(rw, win, 1000, 64, 1000, false) && read_is(rw, win, 3000, 256, 3000, false) &&
	     read_is(ro, ro_win, 0, 64, RO_FIRST, false);
	tap_ok(ok,
	       "64 blocks (8 pages) and 256 blocks (32 pages, a PRP list of 31) read "
	       "byte-exact; the read-only grant's 64 blocks are LBA %u on",
	       RO_FIRST);

	fill_written(win, W1_LBA, W1_COUNT);
	ok = block_write(rw, W1_LBA, W1_COUNT) == WARD_OK;
	fill_written(win, W2_LBA, W2_COUNT);
	ok = ok && block_write(rw, W2_LBA, W2_COUNT) == WARD_OK && block_flush(rw) == WARD_OK;
	ok = ok && read_is(rw, win, W1_LBA, W1_COUNT, W1_LBA, true) &&
	     read_is(rw, win, W2_LBA, W2_COUNT, W2_LBA, true) &&
	     read_is(rw, win, W1_LBA + W1_COUNT, 1, W1_LBA + W1_COUNT, false) &&
	     read_is(rw, win, W2_LBA - 1, 1, W2_LBA - 1, false);
	tap_ok(ok,
	       "wrote %u blocks at %u and %u (5 pages, PRP list) at %u, flushed: read back "
	       "as written, their neighbours untouched",
	       W1_COUNT, W1_LBA, W2_COUNT, W2_LBA);

	/* Malformed: each refused with its error; the windows hold data that must not land. */
	fill_written(win, 50, 4);
	ok = refused(block_write(rw, 50, 0), WARD_ERR_INVALID_ARGUMENT, 1, 256) &&
	     refused(block_write(rw, 50, 257), WARD_ERR_INVALID_ARGUMENT, 1, 256) &&
	     refused(block_read(rw, 50, 257), WARD_ERR_INVALID_ARGUMENT, 1, 256);
	tap_ok(ok, "0 blocks and more than the window (257): INVALID_ARGUMENT naming the "
	           "window's 256 blocks");
	ok = refused(block_write(rw, DISK_BLOCKS, 1), WARD_ERR_RANGE, 0, DISK_BLOCKS) &&
	     refused(block_write(rw, DISK_BLOCKS - 2, 4), WARD_ERR_RANGE, 0, DISK_BLOCKS) &&
	     refused(block_write(rw, ~0ULL - 1, 4), WARD_ERR_RANGE, 0, DISK_BLOCKS) &&
	     refused(block_read(ro, RO_BLOCKS - 1, 2), WARD_ERR_RANGE, 0, RO_BLOCKS);
	tap_ok(ok, "past the namespace, straddling its end, an LBA that wraps, past the read-only "
	           "grant: RANGE naming the grant's size");
	fill_written(ro_win, RO_FIRST, 4);
	ok = refused(block_write(ro, 0, 4), BLOCK_ERR_DENIED, 1, 0) &&
	     refused(block_read(nogrant, 0, 1), BLOCK_ERR_DENIED, 0, 0) &&
	     refused(block_flush(nogrant), BLOCK_ERR_DENIED, 0, 0);
	tap_ok(ok, "a write through the read-only grant and requests through a badge with no "
	           "grant: DENIED");
	ok = read_is(rw, win, 50, 4, 50, false) &&
	     read_is(rw, win, DISK_BLOCKS - 2, 2, DISK_BLOCKS - 2, false) &&
	     read_is(ro, ro_win, 0, 4, RO_FIRST, false);
	tap_ok(ok, "the blocks the refused writes aimed at still hold the runner's stamps");

	scrub(ro_win, 16 * STAMP_BLOCK);
	ok = run_client(wt_mint(ep, CLIENT_RIGHTS, 2), client_results);
	tap_ok(ok && client_results[7] == 1 && client_results[0] == WARD_OK &&
	               client_results[1] == RO_BLOCKS && client_results[2] == 0 &&
	               client_results[3] == WARD_OK &&
	               stamps_are(ro_win, RO_FIRST + 8, 16, false) &&
	               client_results[4] == BLOCK_ERR_DENIED &&
	               client_results[5] == WARD_ERR_RANGE &&
	               client_results[6] == WARD_ERR_INVALID_ARGUMENT,
	       "client process, read-only cap only: INFO %llu blocks; 16 read exactly; write, "
	       "past-grant, past-window refused",
	       (unsigned long long)client_results[1]);

	/* The controller's own refusal, named: a namespace it does not have. */
	w.ctrl.nsid = 0x1000; /* past the namespaces a controller may have */
	nerr = nvme_rw(&w.ctrl, false, 0, 1, w.data.iova);
	w.ctrl.nsid = 1;
	tap_ok(nerr == NVME_E_STATUS && NVME_CQE_SCT(w.ctrl.last_status) == 0 &&
	               NVME_CQE_SC(w.ctrl.last_status) == NVME_SC_INVALID_NS &&
	               read_is(rw, win, 0, 1, 0, false),
	       "a read of namespace 0x1000: the controller's status %#x (%s), reported; the driver "
	       "still works",
	       w.ctrl.last_status, nvme_status_name(w.ctrl.last_status));

	err = ward_rpc_call_regs(ep, 0, 0, stop, 0); /* label 0 through the unbadged cap: stop */
	wt_thread_join(&server);
	nerr = nvme_disable(&w.ctrl);
	tap_ok(err == WARD_OK && server.word[0] == WARD_OK && nerr == NVME_OK,
	       "the server stopped (unbadged cap: %#x, loop %#llx); controller disabled (%s)", err,
	       (unsigned long long)server.word[0], nvme_err_name(nerr));
	return tap_exit_status();
}

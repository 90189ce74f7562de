/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A client of the NVMe driver: it holds only ENDPOINT grants to drivers'
 * block endpoints (the manifest's `uses = ["nvme-pf.block"]`, badged with
 * this program's pid; the driver gives that badge a window of its own on
 * the first request) and, through each in turn: asks INFO; stamps blocks
 * lba .. lba + count - 1 (module arguments `lba=`, 64 by default, and
 * `count=`, 32 by default: 4 pages, so the write takes a PRP list) into
 * its window with PUT, WRITEs and FLUSHes them; zeroes the window, READs
 * them back and compares HASH with the hash of the stamps; reads the
 * block just after them and the last block of the namespace (whatever is
 * there: the read must work); and asks for a read past the namespace's
 * end, which must be refused with RANGE. The stamps are disk.py's "written"
 * ones, so a test can check the image on the host. It prints one line per
 * step and exits 0 if every step worked, 1 if one failed, 2 without any
 * ENDPOINT grant.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ward/rt.h>
#include <ward/startinfo.h>

#include "block_stamp.h"

static bool step(const char *driver, bool ok, const char *what, enum ward_error err)
{
	printf("nvme-demo: %s: %s: %s (error %#x)\n", driver, what, ok ? "ok" : "FAILED", err);
	return ok;
}

static bool demo_driver(const struct ward_cap_grant *g, uint64_t lba, uint64_t count)
{
	uint64_t ep = g->slot, blocks = 0, bsize = 0, window = 0, writable = 0, hash = 0;
	enum ward_error err = block_info(ep, &blocks, &bsize, &window, &writable);
	bool ok;

	printf("nvme-demo: %s: %llu blocks of %llu bytes, window %llu blocks, %s\n", g->name,
	       (unsigned long long)blocks, (unsigned long long)bsize, (unsigned long long)window,
	       writable ? "writable" : "read-only");
	ok = step(g->name,
	          err == WARD_OK && bsize == STAMP_BLOCK && writable && window >= count &&
	                  blocks > lba + count,
	          "info: 512-byte blocks, writable, room for the demo's blocks", err);
	if (!ok)
		return false;

	if ((err = stamps_put(ep, lba, count, true)) == WARD_OK &&
	    (err = block_write(ep, lba, count)) == WARD_OK)
		err = block_flush(ep);
	ok &= step(g->name, err == WARD_OK, "stamped blocks written and flushed", err);

	if ((err = window_clear(ep, count * STAMP_BLOCK)) == WARD_OK &&
	    (err = block_read(ep, lba, count)) == WARD_OK)
		err = block_hash(ep, 0, count * STAMP_BLOCK, &hash);
	printf("nvme-demo: %s: read %llu blocks from %llu: hash %#llx (stamps %#llx)\n", g->name,
	       (unsigned long long)count, (unsigned long long)lba, (unsigned long long)hash,
	       (unsigned long long)stamps_hash(lba, count, true));
	ok &= step(g->name, err == WARD_OK && hash == stamps_hash(lba, count, true),
	           "read back byte-exact", err);

	err = block_read(ep, lba + count, 1);
	if (err == WARD_OK)
		err = block_read(ep, blocks - 1, 1);
	ok &= step(g->name, err == WARD_OK, "the next block and the namespace's last read", err);
	err = block_read(ep, blocks - 1, 2);
	ok &= step(g->name, err == WARD_ERR_RANGE, "a read past the namespace's end refused", err);
	printf("nvme-demo: %s: %s\n", g->name, ok ? "every step worked" : "a step FAILED");
	return ok;
}

int main(void)
{
	const struct ward_startinfo *si = ward_startinfo;
	uint64_t lba = ward_arg(si->args, "lba", 64), count = ward_arg(si->args, "count", 32);
	unsigned drivers = 0;
	bool ok = true;

	for (unsigned i = 0; i < si->grant_count; i++) {
		if (si->grants[i].kind != WARD_GRANT_ENDPOINT)
			continue;
		ok &= demo_driver(&si->grants[i], lba, count);
		drivers++;
	}
	if (drivers == 0) {
		printf("nvme-demo: no ENDPOINT grant (the manifest's `uses`)\n");
		return 2;
	}
	printf("nvme-demo: %u NVMe driver(s) used: %s\n", drivers, ok ? "all worked" : "FAILED");
	return ok ? 0 : 1;
}

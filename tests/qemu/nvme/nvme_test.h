/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the NVMe QEMU tests share (nvme_test.c): finding QEMU's nvme PF,
 * giving it to a domain of the test (as the manifest gives a driver its
 * device cap and domain), and bringing the driver library up on it.
 */
#ifndef NVME_TEST_H
#define NVME_TEST_H

#include <stdbool.h>
#include <stdint.h>

#include "nvme_ward.h"

#define NVME_VENDOR 0x1b36
#define NVME_DEVICE 0x0010

/* A function the test moves: its SBDF, its assignment cap, its owner's device cap. */
struct nt_fn {
	uint64_t sbdf, assign, device;
};

/* The SBDF of QEMU's nvme PF (the first function with its IDs); false if none. */
bool nt_find_pf(struct nt_fn *pf);
/* ASSIGNMENT (privileged, once) then ASSIGN into domain cap `dom`; f->device the new cap. */
enum ward_error nt_assign(struct nt_fn *f, uint64_t dom);
/* A new domain cap (CREATE_DOMAIN through the test's client badge); 0 on failure. */
uint64_t nt_domain(void);
/*
 * The driver library on function f (owned through f->device) in domain
 * `dom`: BAR and interrupt through the device cap, memory lent into dom,
 * the controller started and namespace `nsid` identified. Prints the step
 * that failed.
 */
bool nt_driver_up(struct nvme_ward *w, const struct nt_fn *f, uint64_t dom, uint64_t va,
                  uint32_t data_pages, uint32_t nsid);

#endif

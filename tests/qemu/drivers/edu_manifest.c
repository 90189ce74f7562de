/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The edu driver program as the system manifest starts it
 * (edu-manifest.toml): two instances of servers/drivers/edu, edu-a on
 * edu0 and edu-b on edu1, each with only the grants the manifest names
 * (its device cap, its domain "dma", its SERVE endpoint "edu") and memory
 * of its own. This program is the manifest's client of both: it holds two
 * ENDPOINT grants, "edu-a.edu" and "edu-b.edu", and nothing else, and
 * checks each driver's DMA and MSI through the edu protocol alone:
 *   - INFO: edu's ID register, and the two drivers drive two devices;
 *   - 10! and 12! computed by the device, each completed by its MSI (through
 *     the remapping entry the driver got with DEVICE_IRQ): the results,
 *     and the driver's count of completion interrupts grown by exactly one
 *     each (INFO agrees);
 *   - two copies through the device (memory -> edu's buffer -> another
 *     buffer, a DMA each way), of different lengths and patterns: the
 *     hash of the bytes the second DMA wrote equals the hash of what this
 *     program sent, the two hashes differ, and the driver's DMA count grew
 *     by exactly four;
 *   - bad requests (FACTORIAL 13, COPY of 0 and of 113 words, LIVENESS of
 *     a value wider than 32 bits, an unknown label) each refused with its
 *     error, and no interrupt or DMA counted for them.
 * The drivers are marked `server` in the manifest: when this program ends,
 * the system halts with its status.
 */
#include <ward/protocol.h>
#include <ward/rt.h>
#include <ward/startinfo.h>

#include "../tap.h"
#include "edu_client.h"

#define EDU_ID_1_0   0x010000edULL /* edu's identification register, version 1.0 */
#define LIVE_VALUE   0x5a5aa5a5ULL
#define SMALL_WORDS  3
#define BAD_LABEL    9
#define DRIVERS      2
#define PER_DRIVER   14
#define GLOBAL_TESTS 2

struct driver {
	const char *endpoint;
	const struct ward_cap_grant *grant;
	uint64_t sbdf;
};

static struct driver drivers[DRIVERS] = {{.endpoint = "edu-a.edu"}, {.endpoint = "edu-b.edu"}};

/* The driver's counters: completion interrupts taken, DMA transfers done. */
static bool counters(uint64_t ep, uint64_t *irqs, uint64_t *xfers)
{
	uint64_t sbdf, id;

	return edu_info(ep, &sbdf, &id, irqs, xfers) == WARD_OK;
}

static void check_grants(void)
{
	const struct ward_startinfo *si = ward_startinfo;

	for (unsigned i = 0; i < DRIVERS; i++)
		drivers[i].grant = ward_grant(WARD_GRANT_ENDPOINT, drivers[i].endpoint);
	tap_ok(si->grant_count == DRIVERS && drivers[0].grant != NULL && drivers[1].grant != NULL,
	       "this client's grants: the endpoints edu-a.edu and edu-b.edu, nothing else");
}

static void check_info(struct driver *d)
{
	uint64_t id = 0, irqs, xfers;
	enum ward_error err = edu_info(d->grant->slot, &d->sbdf, &id, &irqs, &xfers);
	uint64_t inverted = 0;

	tap_ok(err == WARD_OK && id == EDU_ID_1_0, "%s: INFO: edu's ID register %#llx", d->endpoint,
	       (unsigned long long)id);
	err = edu_liveness(d->grant->slot, LIVE_VALUE, &inverted);
	tap_ok(err == WARD_OK && inverted == (~LIVE_VALUE & 0xffffffffULL),
	       "%s: LIVENESS: the device reads back the complement (%#llx)", d->endpoint,
	       (unsigned long long)inverted);
}

/* n! by the device; true if the result is right and the count grew from *irqs by one. */
static bool factorial(const struct driver *d, uint64_t n, uint64_t want, uint64_t *irqs)
{
	uint64_t result = 0, after = 0;
	enum ward_error err = edu_factorial(d->grant->slot, n, &result, &after);
	bool ok = err == WARD_OK && result == want && after == *irqs + 1;

	tap_ok(ok, "%s: %llu! = %llu with the completion interrupt (interrupts %llu -> %llu)",
	       d->endpoint, (unsigned long long)n, (unsigned long long)result,
	       (unsigned long long)*irqs, (unsigned long long)after);
	*irqs = after;
	return ok;
}

static void check_factorials(const struct driver *d)
{
	uint64_t irqs0 = 0, xfers, irqs, now = 0;
	bool read;

	counters(d->grant->slot, &irqs0, &xfers);
	irqs = irqs0;
	factorial(d, 10, 3628800, &irqs);
	factorial(d, 12, 479001600, &irqs);
	read = counters(d->grant->slot, &now, &xfers);
	tap_ok(read && now == irqs0 + 2,
	       "%s: INFO counts the two completion interrupts (%llu -> %llu)", d->endpoint,
	       (unsigned long long)irqs0, (unsigned long long)now);
}

/* COPY of count words of a pattern seeded by seed; returns the hash the driver answered. */
static uint64_t copy(const struct driver *d, unsigned count, uint64_t seed)
{
	uint64_t words[EDU_COPY_MAX_WORDS], copied = 0, hash = 0;
	enum ward_error err;

	for (unsigned i = 0; i < count; i++)
		words[i] = (seed + i) * 0x9e3779b97f4a7c15ULL ^ d->sbdf;
	err = edu_copy(d->grant->slot, count, words, &copied, &hash);
	tap_ok(err == WARD_OK && copied == count && hash == edu_hash(words, count * 8u),
	       "%s: COPY of %u words through the device and back: the bytes DMA wrote hash as sent "
	       "(%#llx)",
	       d->endpoint, count, (unsigned long long)hash);
	return hash;
}

static void check_copies(const struct driver *d)
{
	uint64_t irqs, xfers0 = 0, xfers = 0, big, small;
	bool read;

	counters(d->grant->slot, &irqs, &xfers0);
	big = copy(d, EDU_COPY_MAX_WORDS, 1);
	small = copy(d, SMALL_WORDS, 1000);
	read = counters(d->grant->slot, &irqs, &xfers);
	tap_ok(read && big != small && xfers == xfers0 + 4,
	       "%s: two copies, two hashes, four DMA transfers counted (%llu -> %llu)", d->endpoint,
	       (unsigned long long)xfers0, (unsigned long long)xfers);
}

static void refused(const struct driver *d, enum ward_error got, enum ward_error want,
                    const char *what)
{
	tap_ok(got == want, "%s: %s refused: error %#x (want %#x)", d->endpoint, what, got, want);
}

static void check_refusals(const struct driver *d)
{
	uint64_t ep = d->grant->slot, v, out[4], irq0 = 0, xf0 = 0, irq1 = 1, xf1 = 1;
	uint64_t words[EDU_COPY_MAX_WORDS + 1] = {0};
	bool read = counters(ep, &irq0, &xf0);

	refused(d, edu_factorial(ep, 13, &v, &v), WARD_ERR_RANGE, "FACTORIAL 13");
	refused(d, edu_copy(ep, 0, words, &v, &v), WARD_ERR_RANGE, "COPY of 0 words");
	refused(d, edu_copy(ep, EDU_COPY_MAX_WORDS + 1, words, &v, &v), WARD_ERR_RANGE,
	        "COPY of EDU_COPY_MAX_WORDS + 1 words");
	refused(d, edu_liveness(ep, 1ULL << 32, &v), WARD_ERR_RANGE, "LIVENESS of 2^32");
	refused(d, ward_rpc_call(ep, BAD_LABEL, 0, NULL, 0, NULL, 0, 0, out),
	        WARD_ERR_ILLEGAL_OPERATION, "label 9");
	read = read && counters(ep, &irq1, &xf1);
	tap_ok(read && irq1 == irq0 && xf1 == xf0,
	       "%s: the refusals took no interrupt and started no DMA", d->endpoint);
}

int main(void)
{
	tap_plan(GLOBAL_TESTS + DRIVERS * PER_DRIVER);
	check_grants();
	if (drivers[0].grant == NULL || drivers[1].grant == NULL) {
		ward_printf("Bail out! an ENDPOINT grant is missing\n");
		return 1;
	}
	for (unsigned i = 0; i < DRIVERS; i++)
		check_info(&drivers[i]);
	tap_ok(drivers[0].sbdf != drivers[1].sbdf,
	       "the two drivers drive two devices (%#llx, %#llx)",
	       (unsigned long long)drivers[0].sbdf, (unsigned long long)drivers[1].sbdf);
	for (unsigned i = 0; i < DRIVERS; i++) {
		check_factorials(&drivers[i]);
		check_copies(&drivers[i]);
		check_refusals(&drivers[i]);
	}
	return tap_exit_status();
}

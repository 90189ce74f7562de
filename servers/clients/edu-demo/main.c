/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A client of the edu drivers: it holds only ENDPOINT grants, one per edu
 * driver it uses (the manifest's `uses = ["edu-a.edu", "edu-b.edu"]`, each
 * named "PROGRAM.ENDPOINT" and badged with this program's pid), and uses
 * the edu protocol through each of them in turn: the device's identity,
 * liveness, 10! with the completion interrupt (the driver's interrupt
 * count must grow by one), and a copy of 64 words through the device and
 * back, checked against the hash of what it sent. It prints one line per
 * step and a summary per driver, and exits 0 if every step worked with
 * every driver, 1 if one failed, 2 without any ENDPOINT grant.
 */
#include <stdbool.h>
#include <stdio.h>
#include <ward/rt.h>
#include <ward/startinfo.h>

#include "edu_client.h"

#define DEMO_WORDS     64
#define DEMO_FACTORIAL 10
#define DEMO_RESULT    3628800ULL
#define DEMO_LIVENESS  0x12345678ULL

static bool step(const char *driver, bool ok, const char *what, enum ward_error err)
{
	printf("edu-demo: %s: %s: %s (error %#x)\n", driver, what, ok ? "ok" : "FAILED", err);
	return ok;
}

/* 10! by the device: the right result, and the driver's count of completion interrupts grown by
 * one. */
static bool demo_factorial(const char *driver, uint64_t ep)
{
	uint64_t sbdf, id, before = 0, xfers, result = 0, after = 0;
	enum ward_error err = edu_info(ep, &sbdf, &id, &before, &xfers);

	if (err == WARD_OK)
		err = edu_factorial(ep, DEMO_FACTORIAL, &result, &after);
	printf("edu-demo: %s: %u! = %llu, completion interrupts %llu -> %llu\n", driver,
	       DEMO_FACTORIAL, (unsigned long long)result, (unsigned long long)before,
	       (unsigned long long)after);
	return step(driver, err == WARD_OK && result == DEMO_RESULT && after == before + 1,
	            "10! with the completion interrupt", err);
}

/* A copy through the device: what came back hashes as what was sent. */
static bool demo_copy(const char *driver, uint64_t ep)
{
	uint64_t words[DEMO_WORDS], copied = 0, hash = 0;
	enum ward_error err;

	for (unsigned i = 0; i < DEMO_WORDS; i++)
		words[i] = 0x0123456789abcdefULL * (i + 1) ^ ward_startinfo->pid ^ ep;
	err = edu_copy(ep, DEMO_WORDS, words, &copied, &hash);
	printf("edu-demo: %s: copied %llu words to the device and back, hash %#llx (sent %#llx)\n",
	       driver, (unsigned long long)copied, (unsigned long long)hash,
	       (unsigned long long)edu_hash(words, sizeof(words)));
	return step(driver,
	            err == WARD_OK && copied == DEMO_WORDS &&
	                    hash == edu_hash(words, sizeof(words)),
	            "copy 512 bytes through the device and back, verified", err);
}

/* Every step with the driver behind grant g. */
static bool demo_driver(const struct ward_cap_grant *g)
{
	uint64_t sbdf = 0, id = 0, irqs = 0, xfers = 0, inverted = 0;
	enum ward_error err;
	bool ok;

	err = edu_info(g->slot, &sbdf, &id, &irqs, &xfers);
	printf("edu-demo: %s: edu %02x:%02x.%u, ID %#llx\n", g->name, (unsigned)(sbdf >> 8) & 0xff,
	       (unsigned)(sbdf >> 3) & 31, (unsigned)sbdf & 7, (unsigned long long)id);
	ok = step(g->name, err == WARD_OK && (id & 0xff) == 0xed, "info", err);
	err = edu_liveness(g->slot, DEMO_LIVENESS, &inverted);
	ok &= step(g->name, err == WARD_OK && inverted == (~DEMO_LIVENESS & 0xffffffff), "liveness",
	           err);
	ok &= demo_factorial(g->name, g->slot);
	ok &= demo_copy(g->name, g->slot);
	printf("edu-demo: %s: %s\n", g->name, ok ? "every step worked" : "a step FAILED");
	return ok;
}

int main(void)
{
	const struct ward_startinfo *si = ward_startinfo;
	unsigned drivers = 0;
	bool ok = true;

	for (unsigned i = 0; i < si->grant_count; i++) {
		if (si->grants[i].kind != WARD_GRANT_ENDPOINT)
			continue;
		ok &= demo_driver(&si->grants[i]);
		drivers++;
	}
	if (drivers == 0) {
		printf("edu-demo: no ENDPOINT grant (the manifest's `uses`)\n");
		return 2;
	}
	printf("edu-demo: %u edu driver(s) used: %s\n", drivers, ok ? "all worked" : "FAILED");
	return ok ? 0 : 1;
}

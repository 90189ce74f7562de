/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A client of the edu driver: it holds one cap, the driver's endpoint
 * (the manifest's ENDPOINT grant named "edu0", EDU_GRANT_CLIENT), and uses
 * the edu protocol through it: the device's identity, liveness, 10! with
 * the completion interrupt, and a copy of 64 words through the device,
 * checked against the hash of what it sent. It prints one line per step
 * and exits 0 if every step worked, 1 if one failed, 2 without the grant.
 */
#include <stdbool.h>
#include <stdio.h>
#include <ward/rt.h>
#include <ward/startinfo.h>

#include "edu_client.h"

#define DEMO_WORDS     64
#define DEMO_FACTORIAL 10
#define DEMO_LIVENESS  0x12345678ULL

static bool step(bool ok, const char *what, enum ward_error err)
{
	printf("edu-demo: %s: %s (error %#x)\n", what, ok ? "ok" : "FAILED", err);
	return ok;
}

/* A copy through the device: what came back hashes as what was sent. */
static bool demo_copy(uint64_t ep)
{
	uint64_t words[DEMO_WORDS], copied = 0, hash = 0;
	enum ward_error err;

	for (unsigned i = 0; i < DEMO_WORDS; i++)
		words[i] = 0x0123456789abcdefULL * (i + 1) ^ ward_startinfo->pid;
	err = edu_copy(ep, DEMO_WORDS, words, &copied, &hash);
	return step(err == WARD_OK && copied == DEMO_WORDS &&
	                    hash == edu_hash(words, sizeof(words)),
	            "copy 512 bytes through the device and back", err);
}

int main(void)
{
	const struct ward_cap_grant *g = ward_grant(WARD_GRANT_ENDPOINT, EDU_GRANT_CLIENT);
	uint64_t sbdf = 0, id = 0, irqs = 0, xfers = 0, inverted = 0, result = 0, taken = 0;
	enum ward_error err;
	bool ok;

	if (g == NULL) {
		printf("edu-demo: no ENDPOINT grant named \"%s\"\n", EDU_GRANT_CLIENT);
		return 2;
	}
	err = edu_info(g->slot, &sbdf, &id, &irqs, &xfers);
	ok = step(err == WARD_OK && (id & 0xff) == 0xed, "info", err);
	printf("edu-demo: edu %02x:%02x.%u, ID %#llx\n", (unsigned)(sbdf >> 8) & 0xff,
	       (unsigned)(sbdf >> 3) & 31, (unsigned)sbdf & 7, (unsigned long long)id);
	err = edu_liveness(g->slot, DEMO_LIVENESS, &inverted);
	ok &= step(err == WARD_OK && inverted == (~DEMO_LIVENESS & 0xffffffff), "liveness", err);
	err = edu_factorial(g->slot, DEMO_FACTORIAL, &result, &taken);
	ok &= step(err == WARD_OK && result == 3628800, "10! with the completion interrupt", err);
	ok &= demo_copy(g->slot);
	return ok ? 0 : 1;
}

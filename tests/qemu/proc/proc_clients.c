/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Client processes started by a test process (tests/qemu/lib/wclient.h),
 * in the shape the IOMMU tests need: this process (mem=16 untyped=23, on
 * CPU 0) starts three clients on CPUs 1, 2 and 3, each with two caps at
 * known slots: a cap to this process's endpoint badged with the client's
 * number (as a server badges a client's cap) and a notification badged
 * with the client's bit. Released together, they call at once; this
 * process answers and checks who called from where, what reached it
 * through the shared page, that no client holds a cap it was not given,
 * and that ending a client gives its memory back whole.
 */
#include "../lib/wcheck.h"
#include "../lib/wclient.h"

#define CLIENTS     3
#define TRIES       20000000 /* polls: a bound on steps, not on time; a starved vCPU needs many */
#define SLOT_SERVER (WT_CLIENT_CAP_FIRST + 0)
#define SLOT_BELL   (WT_CLIENT_CAP_FIRST + 1)
#define SLOT_SPARE  20 /* a free slot of the client's own */

/* Words of the shared page. */
enum { GO, CPU_SEEN, ANSWER, UNTYPED_SLOT, NEXT_SLOT, SHARE_WORDS };

static void client_main(const struct wt_client_env *env)
{
	uint64_t mr[4] = {wt_cpu_index(), env->arg, 0, 0};

	for (uint64_t spin = 0; env->share[GO] == 0 && spin < (1ULL << 32); spin++)
		; /* no system call: all three call together */
	ward_msginfo_t info = ward_call(SLOT_SERVER, ward_msginfo(1, 0, 0, 2), mr);
	env->share[CPU_SEEN] = wt_cpu_index();
	env->share[ANSWER] = ward_msginfo_label(info) == 0 ? mr[0] : ~0ULL;
	/* The test's untyped is in slot 4 of its own CSpace, not here; nor is a third cap. */
	env->share[UNTYPED_SLOT] = ward_untyped_retype(WARD_PROC_CAP_UNTYPED, WARD_OBJ_NOTIFICATION,
	                                               0, WT_CLIENT_CAP_CNODE, 0, 0, SLOT_SPARE, 1);
	env->share[NEXT_SLOT] =
	        ward_untyped_retype(WT_CLIENT_CAP_FIRST + env->cap_count, WARD_OBJ_NOTIFICATION, 0,
	                            WT_CLIENT_CAP_CNODE, 0, 0, SLOT_SPARE, 1);
	ward_signal(SLOT_BELL);
}

/* Answers CLIENTS calls (bounded): cpu[k] = the CPU client k (badge k) said it called from. */
static unsigned serve(uint64_t ep, uint64_t reply, uint64_t cpu[CLIENTS + 1])
{
	unsigned served = 0;

	for (unsigned i = 0; i < TRIES && served < CLIENTS; i++) {
		uint64_t badge = 0, mr[4];
		ward_nb_recv(ep, reply, &badge, mr);
		if (badge == 0) { /* nobody waiting yet */
			ward_yield();
			continue;
		}
		if (badge <= CLIENTS)
			cpu[badge] = mr[0];
		mr[0] = mr[1] * 100;
		ward_reply(reply, ward_msginfo(0, 0, 0, 1), mr);
		served++;
	}
	return served;
}

static bool start_clients(struct wt_client c[CLIENTS + 1], uint64_t ep, uint64_t bell)
{
	bool ok = true;

	for (unsigned k = 1; k <= CLIENTS; k++) {
		uint64_t caps[2] = {wt_mint(ep, WARD_RIGHT_WRITE | WARD_RIGHT_GRANT_REPLY, k),
		                    wt_mint(bell, WARD_RIGHT_WRITE, 1ULL << k)};
		struct wt_client_config cfg = {.name = "client",
		                               .fn = client_main,
		                               .arg = k,
		                               .cpu = k,
		                               .caps = caps,
		                               .cap_count = 2};
		ok = wt_client_start(&c[k], &cfg) == WARD_OK && ok;
	}
	for (unsigned k = 1; k <= CLIENTS; k++)
		if (c[k].share != NULL)
			c[k].share[GO] = 1;
	return ok;
}

static void check_clients(struct wt_client c[CLIENTS + 1], const uint64_t cpu[CLIENTS + 1])
{
	bool joined = true, confined = true;

	for (unsigned k = 1; k <= CLIENTS; k++) {
		volatile uint64_t *s = c[k].share;
		if (s == NULL) {
			tap_ok(false, "client %u did not start", k);
			joined = false;
			continue;
		}
		joined = wt_client_join(&c[k], TRIES) && joined;
		tap_ok(cpu[k] == k && s[CPU_SEEN] == k && s[ANSWER] == 100 * k,
		       "client %u's call arrived with badge %u, made on CPU %u (CPU %llu after the "
		       "reply), answered %llu",
		       k, k, (unsigned)cpu[k], (unsigned long long)s[CPU_SEEN],
		       (unsigned long long)s[ANSWER]);
		confined = confined && s[UNTYPED_SLOT] == WARD_ERR_INVALID_CAPABILITY &&
		           s[NEXT_SLOT] == WARD_ERR_INVALID_CAPABILITY;
	}
	tap_ok(joined, "every client's function returned (done signalled within the bound)");
	tap_ok(confined, "no client holds the test's untyped (slot 4) or a third cap (slot 10)");
}

int main(void)
{
	static struct wt_client c[CLIENTS + 1], refused;
	uint64_t cpu[CLIENTS + 1] = {0}, bells = 0, ep, reply, bell;
	bool whole = true;

	wt_init();
	tap_plan(10);
	ep = wt_obj(WARD_OBJ_ENDPOINT, 0);
	reply = wt_obj(WARD_OBJ_REPLY, 0);
	bell = wt_obj(WARD_OBJ_NOTIFICATION, 0);
	tap_ok(wt_cpu_count() == 4 && start_clients(c, ep, bell),
	       "three clients started on CPUs 1, 2, 3 of %u, each with two caps", wt_cpu_count());
	tap_ok(serve(ep, reply, cpu) == CLIENTS, "their three calls arrived and were answered");
	check_clients(c, cpu);
	for (uint64_t got; (bells & 0xe) != 0xe && wt_wait_signal(bell, TRIES, &got);)
		bells |= got;
	tap_ok(bells == 0xe, "each signalled through its own notification cap: bits 0x%llx",
	       (unsigned long long)bells);
	for (unsigned k = 1; k <= CLIENTS; k++)
		whole = wt_client_end(&c[k]) && whole;
	tap_ok(whole, "ending the clients gives their memory back whole");
	struct wt_client_config cfg = {.name = "nowhere", .fn = client_main, .cpu = wt_cpu_count()};
	expect_err(wt_client_start(&refused, &cfg), WARD_ERR_RANGE,
	           "a client on CPU %u of %u is refused: WARD_ERR_RANGE", wt_cpu_count(),
	           wt_cpu_count());
	return tap_exit_status();
}

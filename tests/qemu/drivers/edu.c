/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The edu driver (servers/drivers/edu, docs/drivers.md) through its IPC
 * interface, on q35 with intel-iommu, interrupt remapping and two CPUs.
 * This process has the root task's authority (iommu-admin) only to do
 * what the system manifest will do: create a domain and ASSIGN edu 0 to
 * it, which yields the device cap. The driver library then brings the
 * device up from those two caps alone and serves the edu protocol as the
 * driver program does (edu_serve_guarded(): the loop on a thread of its
 * own, this process's main thread its guard), while a client process on
 * CPU 1 (wclient.h),
 * holding a badged cap to the driver's endpoint, calls it over real IPC:
 *   - info and liveness (edu's 0x04 register reads back the complement);
 *   - 10! and 12! with the completion interrupt (MSI through the
 *     remapping entry): the results, and the driver's interrupt count
 *     grown by one each;
 *   - copies through the device (memory -> device buffer -> another
 *     buffer, by DMA both ways), checked by the hash of the bytes sent;
 *   - bad requests (out of range, short, unknown label, a cap sent), each
 *     refused with its error, and nothing counted;
 *   - then, once the client has armed it, the driver's wait hook moves
 *     edu 0 back to quarantine (RELEASE through the group's assignment
 *     cap) while a COPY's first DMA runs: that COPY answers DEVICE_GONE,
 *     and so does every later request, while the driver keeps serving.
 * The client stops the loop and this process checks what the device did:
 * the destination buffer holds the last copy's bytes as DMA wrote them,
 * the interrupt and transfer counts, the caps the move revoked. Then a
 * second driver instance serves the same endpoint for edu 1, which its
 * access hook moves away between LIVENESS's register write and read: the
 * read faults on the revoked BAR page and the guard turns it into
 * DEVICE_GONE; the loop serves on. DUMP agrees at the end.
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
#include "edu_client.h"
#include "edu_dev.h"
#include "edu_regs.h"

#define DRIVER_VA    0x700000000000ULL
#define CLIENT_CPU   1
#define CLIENT_BADGE 7
#define LIVE_VALUE   0x5a5aa5a5ULL
#define SMALL_WORDS  3

/* The client's caps, in its CSpace. */
enum { C_EP = WT_CLIENT_CAP_FIRST, C_STOP, C_BOGUS };

/* What the client reports in the shared page: one word per slot. */
enum {
	R_INFO,
	R_SBDF,
	R_ID,
	R_LIVE,
	R_LIVE_READ,
	R_FACT10,
	R_FACT10_VALUE,
	R_FACT10_IRQS,
	R_FACT12,
	R_FACT12_VALUE,
	R_FACT12_IRQS,
	R_COPY_BIG,
	R_COPY_BIG_OK,
	R_COPY_SMALL,
	R_COPY_SMALL_OK,
	R_BAD_FACT,
	R_BAD_FACT_HI,
	R_BAD_LIVE,
	R_BAD_COPY0,
	R_BAD_COPY_MAX,
	R_BAD_COPY_MAX_HI,
	R_BAD_COPY_HUGE,
	R_BAD_SHORT,
	R_BAD_COPY_SHORT,
	R_BAD_LABEL,
	R_BAD_CAP,
	R_UNCHANGED,
	R_ARM,
	R_MID_COPY,
	R_GONE_INFO,
	R_GONE_LIVE,
	R_GONE_FACT,
	R_GONE_COPY,
	R_GONE_BAD_FACT,
	R_STOPPED,
	R_P2_LIVE,
	R_P2_INFO,
	R_P2_STOPPED,
	R_COUNT
};

static struct edu_dev dev;
static struct ward_server server;
static uint64_t no_results[R_COUNT]; /* what is reported if the client never ran: all ~0 */

/* The move during a copy (move_away()): what it needs and what it saw. */
static struct edu edu0;
/* Phase 2: a second driver instance for edu 1, moved away in the middle of an access. */
static struct edu_dev dev2;
static struct edu edu1;
static bool moved2;
static enum ward_error release2_err = WARD_ERR_CANCELLED;
static uint64_t srv_ep, srv_reply, srv_recv;
static volatile uint64_t *shared; /* the client's page, as this process sees it */
static bool moved, dma_in_flight, dst_before;
static enum ward_error release_err = WARD_ERR_CANCELLED;

/* Word i of copy pattern `seed`. */
static uint64_t pattern(unsigned seed, unsigned i)
{
	return 0x9e3779b97f4a7c15ULL * (i + 1) ^ (uint64_t)seed << 56 ^ i;
}

/* A copy of `count` words of pattern `seed`: its error; *ok whether the hash is theirs. */
static uint64_t client_copy(unsigned seed, unsigned count, uint64_t *ok)
{
	uint64_t words[EDU_COPY_MAX_WORDS], copied = 0, hash = 0;
	enum ward_error err;

	for (unsigned i = 0; i < count; i++)
		words[i] = pattern(seed, i);
	err = edu_copy(C_EP, count, words, &copied, &hash);
	*ok = err == WARD_OK && copied == count && hash == edu_hash(words, count * 8);
	return err;
}

static void client_factorials(volatile uint64_t *r)
{
	uint64_t s, id, irqs0 = 0, x, v = 0, irqs = 0;

	edu_info(C_EP, &s, &id, &irqs0, &x);
	r[R_FACT10] = edu_factorial(C_EP, 10, &v, &irqs);
	r[R_FACT10_VALUE] = v;
	r[R_FACT10_IRQS] = irqs - irqs0;
	r[R_FACT12] = edu_factorial(C_EP, 12, &v, &irqs0);
	r[R_FACT12_VALUE] = v;
	r[R_FACT12_IRQS] = irqs0 - irqs;
}

/* Each bad request and its error; the counters before and after. */
static void client_refusals(volatile uint64_t *r)
{
	uint64_t s, id, irq0 = 0, xf0 = 0, irq1 = 1, xf1 = 1, v, out[4], words[SMALL_WORDS] = {0};
	uint64_t count = 10, huge[EDU_COPY_MAX_WORDS + 1] = {0};

	edu_info(C_EP, &s, &id, &irq0, &xf0);
	r[R_BAD_FACT] = edu_factorial(C_EP, 13, &v, &v);
	r[R_BAD_FACT_HI] = ward_last_error().hi;
	r[R_BAD_LIVE] = edu_liveness(C_EP, 1ULL << 32, &v);
	r[R_BAD_COPY0] = edu_copy(C_EP, 0, words, &v, &v);
	r[R_BAD_COPY_MAX] = edu_copy(C_EP, EDU_COPY_MAX_WORDS + 1, huge, &v, &v);
	r[R_BAD_COPY_MAX_HI] = ward_last_error().hi;
	r[R_BAD_COPY_HUGE] = edu_copy(C_EP, 200, huge, &v, &v);
	r[R_BAD_SHORT] = ward_rpc_call(C_EP, EDU_FACTORIAL, 0, NULL, 0, NULL, 0, 2, out);
	/* count 10, three words sent */
	r[R_BAD_COPY_SHORT] =
	        ward_rpc_call(C_EP, EDU_COPY, 1, &count, SMALL_WORDS, words, 0, 2, out);
	r[R_BAD_LABEL] = ward_rpc_call(C_EP, 9, 0, NULL, 0, NULL, 0, 0, out);
	r[R_BAD_CAP] = ward_rpc_call(C_EP, EDU_INFO, 0, NULL, 0, NULL, C_BOGUS, 4, out);
	edu_info(C_EP, &s, &id, &irq1, &xf1);
	r[R_UNCHANGED] = irq1 == irq0 && xf1 == xf0;
}

/* After the move: every request is DEVICE_GONE; arguments are still checked first. */
static void client_gone(volatile uint64_t *r)
{
	uint64_t s, id, a, b, v, ok;

	r[R_GONE_INFO] = edu_info(C_EP, &s, &id, &a, &b);
	r[R_GONE_LIVE] = edu_liveness(C_EP, LIVE_VALUE, &v);
	r[R_GONE_FACT] = edu_factorial(C_EP, 5, &v, &v);
	r[R_GONE_COPY] = client_copy(3, 8, &ok);
	r[R_GONE_BAD_FACT] = edu_factorial(C_EP, 13, &v, &v);
}

static void client(const struct wt_client_env *env)
{
	volatile uint64_t *r = env->share;
	uint64_t sbdf = 0, id = 0, irqs, xfers, v = 0, ok;
	uint64_t mr[WARD_MSG_REGISTERS] = {0};

	r[R_INFO] = edu_info(C_EP, &sbdf, &id, &irqs, &xfers);
	r[R_SBDF] = sbdf;
	r[R_ID] = id;
	r[R_LIVE] = edu_liveness(C_EP, LIVE_VALUE, &v);
	r[R_LIVE_READ] = v;
	client_factorials(r);
	r[R_COPY_BIG] = client_copy(1, EDU_COPY_MAX_WORDS, (uint64_t *)&r[R_COPY_BIG_OK]);
	client_refusals(r);
	r[R_COPY_SMALL] = client_copy(2, SMALL_WORDS, (uint64_t *)&r[R_COPY_SMALL_OK]);
	r[R_ARM] = 1; /* the driver's next interrupt wait: the test moves edu away */
	r[R_MID_COPY] = client_copy(4, 16, &ok);
	client_gone(r);
	r[R_STOPPED] = ward_msginfo_label(ward_call(C_STOP, ward_msginfo(0, 0, 0, 0), mr)) + 1;
	/* Phase 2: the same endpoint, now served for edu 1. */
	r[R_P2_LIVE] = edu_liveness(C_EP, LIVE_VALUE, &v);
	r[R_P2_INFO] = edu_info(C_EP, &sbdf, &id, &irqs, &xfers);
	r[R_P2_STOPPED] = ward_msginfo_label(ward_call(C_STOP, ward_msginfo(0, 0, 0, 0), mr)) + 1;
}

/*
 * ASSIGN of edu n to domain *dom (made first if 0): the device cap and the
 * domain cap the manifest would give.
 */
static bool acquire(unsigned n, struct edu *e, uint64_t *dom)
{
	uint64_t did, width, group, members, moved, gen;

	if (!t_edu_find(n, e))
		return false;
	e->assign = t_slot();
	e->device = t_slot();
	if (*dom == 0 && (*dom = t_slot()) != 0 &&
	    iommu_create_domain_into(t_ep, WARD_PROC_CAP_CNODE, *dom, 0, &did, &width) != WARD_OK)
		return false;
	return iommu_assignment_into(t_ep, WARD_PROC_CAP_CNODE, e->assign, e->sbdf, &group,
	                             &members) == WARD_OK &&
	       iommu_assign_into(e->assign, WARD_PROC_CAP_CNODE, e->device, e->sbdf, 0, *dom,
	                         &moved, &gen) == WARD_OK;
}

static bool dst_holds_pattern(unsigned seed, unsigned count)
{
	const volatile uint64_t *w = (const volatile uint64_t *)dev.dst.cpu;

	for (unsigned i = 0; i < count; i++)
		if (w[i] != pattern(seed, i))
			return false;
	return t_bytes_are((const void *)(dev.dst.cpu + count * 8), 0, 4096 - count * 8);
}

static void report_working(const volatile uint64_t *r, uint32_t sbdf)
{
	tap_ok(r[R_INFO] == WARD_OK && r[R_SBDF] == sbdf && r[R_ID] == 0x010000ed,
	       "INFO: edu %02x:%02x.%u, ID %#llx (error %#llx)", (sbdf >> 8) & 0xff,
	       (sbdf >> 3) & 31, sbdf & 7, (unsigned long long)r[R_ID],
	       (unsigned long long)r[R_INFO]);
	tap_ok(r[R_LIVE] == WARD_OK && r[R_LIVE_READ] == (~LIVE_VALUE & 0xffffffff),
	       "LIVENESS: edu's 0x04 register read back %#llx, the complement of %#llx",
	       (unsigned long long)r[R_LIVE_READ], LIVE_VALUE);
	tap_ok(r[R_FACT10] == WARD_OK && r[R_FACT10_VALUE] == 3628800 && r[R_FACT10_IRQS] == 1,
	       "FACTORIAL 10: %llu, with one completion interrupt (MSI through remapping) taken",
	       (unsigned long long)r[R_FACT10_VALUE]);
	tap_ok(r[R_FACT12] == WARD_OK && r[R_FACT12_VALUE] == 479001600 && r[R_FACT12_IRQS] == 1,
	       "FACTORIAL 12: %llu, one more interrupt", (unsigned long long)r[R_FACT12_VALUE]);
	tap_ok(r[R_COPY_BIG] == WARD_OK && r[R_COPY_BIG_OK],
	       "COPY of %u words through the device (DMA to edu's buffer and back into "
	       "another): the bytes that came back hash as the bytes sent (error %#llx)",
	       EDU_COPY_MAX_WORDS, (unsigned long long)r[R_COPY_BIG]);
	tap_ok(r[R_COPY_SMALL] == WARD_OK && r[R_COPY_SMALL_OK],
	       "COPY of %u other words after the refusals: hash matches", SMALL_WORDS);
}

static void refused(uint64_t got, uint64_t want, const char *what)
{
	tap_ok(got == want, "%s: error %#llx (want %#llx)", what, (unsigned long long)got,
	       (unsigned long long)want);
}

static void report_refusals(const volatile uint64_t *r)
{
	refused(r[R_BAD_FACT], WARD_ERR_RANGE, "FACTORIAL 13 (13! needs 33 bits)");
	tap_ok(r[R_BAD_FACT_HI] == EDU_FACTORIAL_MAX, "its detail names the limit, %llu",
	       (unsigned long long)r[R_BAD_FACT_HI]);
	refused(r[R_BAD_LIVE], WARD_ERR_RANGE, "LIVENESS of a value above 32 bits");
	refused(r[R_BAD_COPY0], WARD_ERR_RANGE, "COPY of 0 words");
	refused(r[R_BAD_COPY_MAX], WARD_ERR_RANGE, "COPY of EDU_COPY_MAX_WORDS + 1 words");
	tap_ok(r[R_BAD_COPY_MAX_HI] == EDU_COPY_MAX_WORDS, "its detail names the limit, %llu",
	       (unsigned long long)r[R_BAD_COPY_MAX_HI]);
	refused(r[R_BAD_COPY_HUGE], WARD_ERR_RANGE, "COPY of 200 words (more than a message)");
	refused(r[R_BAD_SHORT], WARD_ERR_TRUNCATED_MESSAGE, "FACTORIAL without its argument");
	refused(r[R_BAD_COPY_SHORT], WARD_ERR_TRUNCATED_MESSAGE, "COPY of 10 words with 3 sent");
	refused(r[R_BAD_LABEL], WARD_ERR_ILLEGAL_OPERATION, "label 9");
	refused(r[R_BAD_CAP], WARD_ERR_INVALID_CAPABILITY, "INFO with a notification cap sent");
	tap_ok(r[R_UNCHANGED] == 1, "the refusals took no interrupt and did no DMA");
}

static void report_gone(const volatile uint64_t *r)
{
	/* edu's 100 ms timer runs on the host's clock: a stalled vCPU may see it done already. */
	tap_ok(moved && release_err == WARD_OK,
	       "edu 0 RELEASEd to quarantine while the driver waited for a COPY's first DMA "
	       "(%s at the move; error %#x)",
	       dma_in_flight ? "still running" : "already done", release_err);
	refused(r[R_MID_COPY], EDU_ERR_DEVICE_GONE, "that COPY");
	refused(r[R_GONE_INFO], EDU_ERR_DEVICE_GONE, "INFO after the move");
	refused(r[R_GONE_LIVE], EDU_ERR_DEVICE_GONE, "LIVENESS after the move");
	refused(r[R_GONE_FACT], EDU_ERR_DEVICE_GONE, "FACTORIAL after the move");
	refused(r[R_GONE_COPY], EDU_ERR_DEVICE_GONE, "COPY after the move");
	refused(r[R_GONE_BAD_FACT], WARD_ERR_RANGE, "FACTORIAL 13 after the move (checked first)");
	tap_ok(r[R_STOPPED] == WARD_OK + 1, "the driver was still serving: the client stopped it");
}

/*
 * The driver's wait hook: once the client has armed it, at the start of
 * the driver's next interrupt wait (a COPY's first DMA, just started),
 * edu 0 goes back to quarantine through its assignment cap, as the
 * monitor or another driver's ASSIGN would move it. The destination
 * buffer is checked first: it still holds the previous copy's words.
 */
static void move_away(struct edu_dev *d)
{
	uint64_t gone;

	if (moved || shared == NULL || shared[R_ARM] != 1)
		return;
	moved = true;
	dma_in_flight = (*(volatile uint64_t *)(d->bar + EDU_REG_DMA_CMD) & EDU_DMA_RUN) != 0;
	dst_before = dst_holds_pattern(2, SMALL_WORDS);
	release_err = iommu_release(edu0.assign, edu0.sbdf, 0, &gone);
}

/*
 * dev2's access hook: between LIVENESS's register write and its read (the
 * presence check passed), edu 1 goes back to quarantine. The read then
 * faults on the revoked BAR page, which only the guard can turn into
 * DEVICE_GONE.
 */
static void move_between(struct edu_dev *d)
{
	uint64_t gone;

	(void)d;
	if (moved2)
		return;
	moved2 = true;
	release2_err = iommu_release(edu1.assign, edu1.sbdf, 0, &gone);
}

static void report_guard(const volatile uint64_t *r, bool up, uint64_t loop)
{
	tap_ok(up, "a second driver instance: edu 1 ASSIGNed to the same domain and brought up");
	tap_ok(moved2 && release2_err == WARD_OK,
	       "edu 1 RELEASEd between LIVENESS's register write and its read (error %#x)",
	       release2_err);
	refused(r[R_P2_LIVE], EDU_ERR_DEVICE_GONE,
	        "that LIVENESS (its read faulted on the revoked BAR page)");
	tap_ok(dev2.moves_caught == 1 && dev2.gone,
	       "the guard caught that one fault and made it DEVICE_GONE (%llu caught)",
	       (unsigned long long)dev2.moves_caught);
	refused(r[R_P2_INFO], EDU_ERR_DEVICE_GONE, "INFO after it");
	tap_ok(r[R_P2_STOPPED] == WARD_OK + 1 && loop == WARD_OK,
	       "the loop served on after the fault: the client stopped it (%#llx)",
	       (unsigned long long)loop);
}

static bool start_client(struct wt_client *c)
{
	uint64_t ep = wt_obj(WARD_OBJ_ENDPOINT, 0);
	uint64_t rights = WARD_RIGHT_WRITE | WARD_RIGHT_GRANT | WARD_RIGHT_GRANT_REPLY;
	uint64_t caps[] = {wt_mint(ep, rights, CLIENT_BADGE), wt_copy(ep, rights),
	                   wt_obj(WARD_OBJ_NOTIFICATION, 0)};
	struct wt_client_config cfg = {.name = "edu-client",
	                               .fn = client,
	                               .cpu = CLIENT_CPU,
	                               .caps = caps,
	                               .cap_count = 3};
	uint64_t reply = wt_obj(WARD_OBJ_REPLY, 0);

	srv_ep = ep;
	srv_reply = reply;
	srv_recv = t_slot();
	edu_server_init(&server, &dev, ep, reply, srv_recv);
	if (ep == 0 || reply == 0 || wt_client_start(c, &cfg) != WARD_OK)
		return false;
	shared = c->share;
	dev.wait_hook = move_away;
	return true;
}

int main(void)
{
	const struct ward_startinfo *si = ward_startinfo;
	struct edu_env env = {WARD_PROC_CAP_VSPACE, WARD_PROC_CAP_UNTYPED, DRIVER_VA};
	struct edu_env env2 = {WARD_PROC_CAP_VSPACE, WARD_PROC_CAP_UNTYPED,
	                       DRIVER_VA + EDU_VA_SPAN};
	uint64_t loop1 = ~0ULL, loop2 = ~0ULL, requests, rejected;
	const volatile uint64_t *r;
	bool ok2;
	enum edu_open_step step = 0;
	struct wt_client c;
	struct edu *e = &edu0;
	uint64_t dom = 0, d, x, p;
	enum ward_error err;
	bool ok;

	tap_plan(41);
	t_ep = si->iommu_endpoint;
	t_pci = si->pci_endpoint;
	ok = acquire(0, e, &dom);
	tap_ok(ok,
	       "a domain and edu 0's device cap (CREATE_DOMAIN, ASSIGN), as the manifest gives");
	err = edu_dev_open(&dev, &(struct edu_caps){e->device, dom, e->sbdf}, &env, &step);
	tap_ok(ok && err == WARD_OK,
	       "the driver brought edu up from the two caps: BAR 0, buffers at IOVA %#llx and "
	       "%#llx, its MSI (step %u, error %#x)",
	       (unsigned long long)dev.src.iova, (unsigned long long)dev.dst.iova, step, err);
	ok = ok && err == WARD_OK && start_client(&c);
	tap_ok(ok, "a client process on CPU %u with a badged cap to the driver's endpoint",
	       CLIENT_CPU);
	if (ok)
		loop1 = edu_serve_guarded(&server, &dev, &env);
	requests = server.requests;
	rejected = server.rejected;
	ok2 = ok && acquire(1, &edu1, &dom) &&
	      edu_dev_open(&dev2, &(struct edu_caps){edu1.device, dom, edu1.sbdf}, &env2, &step) ==
	              WARD_OK;
	if (ok2) {
		dev2.access_hook = move_between;
		edu_server_init(&server, &dev2, srv_ep, srv_reply, srv_recv);
		loop2 = edu_serve_guarded(&server, &dev2, &env2);
	}
	ok = ok && wt_client_join(&c, 1000000);
	tap_ok(ok, "the client finished; the driver served %llu requests, refused %llu",
	       (unsigned long long)requests, (unsigned long long)rejected);
	memset(no_results, 0xff, sizeof(no_results));
	r = ok ? c.share : no_results;
	report_working(r, e->sbdf);
	report_refusals(r);
	report_gone(r);
	tap_ok(loop1 == WARD_OK, "the first loop ended as stopped (%#llx)",
	       (unsigned long long)loop1);
	tap_ok(dst_before && dst_holds_pattern(2, SMALL_WORDS),
	       "the destination holds the last complete copy's words as DMA wrote them (the rest "
	       "zero) before and after the move: nothing of the interrupted copy landed");
	tap_ok(dev.interrupts == 2 + 2 * 2 && dev.transfers == 2 * 2,
	       "the driver took %llu completion interrupts and did %llu DMA transfers (2 "
	       "factorials, 2 copies; the interrupted one's DMA never completed for it)",
	       (unsigned long long)dev.interrupts, (unsigned long long)dev.transfers);
	tap_ok(!edu_dev_present(&dev) && ward_debug_cap_type(dev.bar_frame) == 0 &&
	               ward_debug_cap_type(dev.irq_handler) == 0 &&
	               ward_debug_cap_type(e->device) == 0,
	       "the move revoked the driver's BAR frame, IRQHandler and device caps");
	report_guard(r, ok2, loop2);
	tap_ok(t_dump(&d, &x, &p) == WARD_OK, "DUMP: the ledger and the tables agree");
	if (ok)
		wt_client_end(&c);
	return tap_exit_status();
}

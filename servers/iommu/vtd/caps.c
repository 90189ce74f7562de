/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What a unit can do, decoded from VER, CAP and ECAP (§10.4.1-10.4.3),
 * and whether Ward can drive it. Pure: no register access, host tested.
 *
 * Ward needs legacy translation mode, queued invalidation and a
 * second-stage table of 3, 4 or 5 levels (SAGAW); its IOTLB and fault
 * recording registers must lie inside the window the DRHD describes.
 * Everything else that changes software's duty is recorded for the code
 * that honours it: CM (invalidate after not-present → present), RWBF
 * (flush write buffers), C (clflush entries), PSI/MAMV (page-selective
 * invalidation), SLLPS (superpages), DRD/DWD (drain), ND (domain IDs),
 * NFR/FRO (fault records), IR.
 */
#include <stdio.h>

#include "vtd.h"

void vtd_caps_decode(uint32_t ver, uint64_t cap, uint64_t ecap, struct vtd_caps *out)
{
	struct vtd_caps c = {0};

	c.ver = ver;
	c.cap = cap;
	c.ecap = ecap;
	c.mgaw = VTD_CAP_MGAW(cap);
	c.sagaw = VTD_CAP_SAGAW(cap);
	for (unsigned l = VTD_LEVEL_MIN; l <= VTD_LEVEL_MAX; l++)
		if (c.sagaw & VTD_SAGAW_BIT(l))
			c.levels |= 1U << l;
	/* ND = 7 is reserved: never more IDs than the 16-bit field holds */
	c.domains =
	        1U << (VTD_CAP_ND_BITS(cap) < VTD_DID_BITS ? VTD_CAP_ND_BITS(cap) : VTD_DID_BITS);
	c.nfr = VTD_CAP_NFR(cap);
	c.fro = VTD_CAP_FRO(cap);
	c.iro = VTD_ECAP_IRO(ecap);
	c.mamv = VTD_CAP_MAMV(cap);
	c.cm = cap & VTD_CAP_CM;
	c.rwbf = cap & VTD_CAP_RWBF;
	c.coherent = ecap & VTD_ECAP_C;
	c.qi = ecap & VTD_ECAP_QI;
	c.ir = ecap & VTD_ECAP_IR;
	c.eim = ecap & VTD_ECAP_EIM;
	c.psi = cap & VTD_CAP_PSI;
	c.sp_2m = cap & VTD_CAP_SLLPS_2M;
	c.sp_1g = cap & VTD_CAP_SLLPS_1G;
	c.drain_read = cap & VTD_CAP_DRD;
	c.drain_write = cap & VTD_CAP_DWD;
	c.pt = ecap & VTD_ECAP_PT;
	c.dt = ecap & VTD_ECAP_DT;
	c.sc = ecap & VTD_ECAP_SC;
	/* §10.4.3: scalable-mode-only units report SMTS and no SAGAW for legacy tables */
	c.legacy = c.levels != 0 || !(ecap & VTD_ECAP_SMTS);
	*out = c;
}

enum vtd_status vtd_caps_check(const struct vtd_caps *c, uint64_t window)
{
	if (!c->legacy)
		return VTD_E_SCALABLE_ONLY;
	if (!c->qi)
		return VTD_E_NO_QI;
	if (c->levels == 0)
		return VTD_E_NO_DEPTH;
	if ((uint64_t)c->iro + VTD_IOTLB_REGS_SZ > window ||
	    (uint64_t)c->fro + (uint64_t)c->nfr * VTD_FRCD_SIZE > window)
		return VTD_E_REGS_OUTSIDE;
	return VTD_OK;
}

unsigned vtd_caps_levels_for_width(const struct vtd_caps *c, unsigned width)
{
	if (width == 0 || width > c->mgaw)
		return 0;
	for (unsigned l = VTD_LEVEL_MIN; l <= VTD_LEVEL_MAX; l++)
		if ((c->levels & (1U << l)) && VTD_LEVELS_WIDTH(l) >= width)
			return l;
	return 0;
}

unsigned vtd_caps_max_width(const struct vtd_caps *c)
{
	unsigned w = 0;

	for (unsigned l = VTD_LEVEL_MIN; l <= VTD_LEVEL_MAX; l++)
		if (c->levels & (1U << l))
			w = VTD_LEVELS_WIDTH(l);
	return w < c->mgaw ? w : c->mgaw;
}

/* Appends `s` to buf[*at..len) when `on`, keeping the string terminated. */
static void add(char *buf, size_t len, size_t *at, bool on, const char *s)
{
	int n;

	if (!on || *at >= len)
		return;
	n = snprintf(buf + *at, len - *at, " %s", s);
	if (n > 0)
		*at += (size_t)n;
}

size_t vtd_caps_describe(const struct vtd_caps *c, char *buf, size_t len)
{
	char num[16];
	size_t at = 0;
	int n;

	if (len == 0)
		return 0;
	n = snprintf(buf, len, "ver %u.%u mgaw %u depth",
	             (c->ver >> VTD_VER_MAX_SHIFT) & VTD_VER_FIELD, c->ver & VTD_VER_FIELD,
	             c->mgaw);
	at = n > 0 ? (size_t)n : 0;
	for (unsigned l = VTD_LEVEL_MIN; l <= VTD_LEVEL_MAX; l++) {
		snprintf(num, sizeof(num), "%u", l);
		add(buf, len, &at, (c->levels & (1U << l)) != 0, num);
	}
	snprintf(num, sizeof(num), "%u", c->domains);
	add(buf, len, &at, true, "domains");
	add(buf, len, &at, true, num);
	snprintf(num, sizeof(num), "%u", c->nfr);
	add(buf, len, &at, true, "nfr");
	add(buf, len, &at, true, num);
	snprintf(num, sizeof(num), "%u", c->mamv);
	add(buf, len, &at, true, "mamv");
	add(buf, len, &at, true, num);
	add(buf, len, &at, c->cm, "cm");
	add(buf, len, &at, c->rwbf, "rwbf");
	add(buf, len, &at, c->coherent, "coherent");
	add(buf, len, &at, !c->coherent, "clflush");
	add(buf, len, &at, c->qi, "qi");
	add(buf, len, &at, c->psi, "psi");
	add(buf, len, &at, c->sp_2m, "2m");
	add(buf, len, &at, c->sp_1g, "1g");
	add(buf, len, &at, c->drain_read, "drd");
	add(buf, len, &at, c->drain_write, "dwd");
	add(buf, len, &at, c->ir, "ir");
	add(buf, len, &at, c->eim, "eim");
	add(buf, len, &at, c->pt, "pt");
	add(buf, len, &at, c->dt, "dt");
	return at < len ? at : len - 1;
}

const char *vtd_strerror(enum vtd_status s)
{
	static const char *const names[VTD_E_COUNT] = {
	        [VTD_OK] = "ok",
	        [VTD_E_ARG] = "invalid argument",
	        [VTD_E_STATE] = "unit not in a state that allows this",
	        [VTD_E_WINDOW] = "register window unusable",
	        [VTD_E_NO_QI] = "no queued invalidation",
	        [VTD_E_NO_DEPTH] = "no supported page-table depth (SAGAW)",
	        [VTD_E_REGS_OUTSIDE] = "IOTLB or fault registers outside the window",
	        [VTD_E_SCALABLE_ONLY] = "no legacy translation mode",
	        [VTD_E_NO_MEMORY] = "out of pages",
	        [VTD_E_TIMEOUT] = "hardware timeout",
	        [VTD_E_QUEUE_ERROR] = "invalidation queue error",
	        [VTD_E_QUEUE_ITE] = "invalidation time-out error",
	        [VTD_E_QUEUE_ICE] = "invalidation completion error",
	        [VTD_E_QUEUE_FULL] = "too many descriptors",
	        [VTD_E_WEDGED] = "invalidation queue wedged",
	        [VTD_E_TAKEOVER] = "firmware state could not be taken over",
	        [VTD_E_WIDTH] = "address width not supported",
	        [VTD_E_NOT_PRESENT] = "no context entry",
	};

	return (unsigned)s < VTD_E_COUNT && names[s] ? names[s] : "unknown error";
}

const char *vtd_unit_state_name(enum vtd_unit_state s)
{
	switch (s) {
	case VTD_UNIT_NONE:
		return "none";
	case VTD_UNIT_PROBED:
		return "probed";
	case VTD_UNIT_REFUSED:
		return "refused";
	case VTD_UNIT_PREPARED:
		return "prepared";
	case VTD_UNIT_ENABLED:
		return "enabled";
	case VTD_UNIT_FAILED:
		return "failed";
	}
	return "?";
}

size_t vtd_unit_describe(const struct vtd_unit *u, char *buf, size_t len)
{
	int n;

	if (len == 0)
		return 0;
	n = snprintf(buf, len,
	             "%s%s%s at %#llx%s gsts %#x qi %llu waits %llu errors %llu timeouts "
	             "%llu recovered%s faults %llu overflows %llu",
	             vtd_unit_state_name(u->state),
	             u->state == VTD_UNIT_REFUSED || u->state == VTD_UNIT_FAILED ? ": " : "",
	             u->state == VTD_UNIT_REFUSED || u->state == VTD_UNIT_FAILED
	                     ? vtd_strerror(u->refused)
	                     : "",
	             (unsigned long long)u->phys, u->took_over ? " taken over" : "",
	             (unsigned)u->gsts_found, (unsigned long long)u->qi_stats.submits,
	             (unsigned long long)u->qi_stats.errors,
	             (unsigned long long)u->qi_stats.timeouts,
	             (unsigned long long)u->qi_stats.recovered, u->iq_wedged ? " wedged" : "",
	             (unsigned long long)u->faults, (unsigned long long)u->fault_overflows);
	if (n < 0)
		return 0;
	return (size_t)n < len ? (size_t)n : len - 1;
}

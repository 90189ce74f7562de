/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The parts of the NVMe driver with no hardware behind them, so the host
 * tests (tests/unit/test_nvme.c) run them: PRP construction (NVMe Base
 * 1.4 §4.3: PRP1 names the first memory page; PRP2 the second page, or a
 * PRP list of the rest when the transfer spans more than two) and the
 * names of errors and completion status codes (§4.6.1.2).
 */
#include <stddef.h>

#include "nvme.h"

int nvme_prp_build(uint64_t iova, uint64_t bytes, uint64_t list_iova, uint64_t *list,
                   uint64_t *prp1, uint64_t *prp2)
{
	uint64_t pages = (bytes + NVME_PAGE - 1) / NVME_PAGE;

	if (bytes == 0 || pages > NVME_MAX_PAGES || (iova & (NVME_PAGE - 1)) != 0 ||
	    (list_iova & (NVME_PAGE - 1)) != 0)
		return -1;
	*prp1 = iova;
	*prp2 = 0;
	if (pages == 2)
		*prp2 = iova + NVME_PAGE;
	if (pages <= 2)
		return 0;
	for (uint64_t i = 1; i < pages; i++)
		list[i - 1] = iova + i * NVME_PAGE;
	*prp2 = list_iova;
	return (int)(pages - 1);
}

const char *nvme_err_name(enum nvme_err e)
{
	static const char *const names[] = {
	        [NVME_OK] = "ok",
	        [NVME_E_TIMEOUT] = "controller not ready within CAP.TO",
	        [NVME_E_FATAL] = "controller fatal status (CSTS.CFS)",
	        [NVME_E_STATUS] = "command failed",
	        [NVME_E_NO_COMPLETION] = "no completion in time",
	        [NVME_E_UNSUPPORTED] = "controller unsupported",
	        [NVME_E_NAMESPACE] = "namespace inactive or unusable",
	        [NVME_E_ARGUMENT] = "request refused",
	};

	if ((unsigned)e < sizeof(names) / sizeof(names[0]))
		return names[e];
	return "?";
}

const char *nvme_status_name(uint16_t status)
{
	if (NVME_CQE_SCT(status) != 0)
		return NVME_CQE_SCT(status) == 1 ? "command specific" : "media or other";
	switch (NVME_CQE_SC(status)) {
	case 0:
		return "success";
	case NVME_SC_INVALID_OPCODE:
		return "invalid opcode";
	case NVME_SC_INVALID_FIELD:
		return "invalid field";
	case NVME_SC_DATA_XFER:
		return "data transfer error";
	case NVME_SC_INVALID_NS:
		return "invalid namespace or format";
	case NVME_SC_LBA_RANGE:
		return "LBA out of range";
	default:
		return "generic error";
	}
}

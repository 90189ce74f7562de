/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Names of the IOMMU core's error codes, for logs and dump. The table is
 * indexed by the code, so a code added to iommu_err.h without a name here
 * fails the static assertion below.
 */
#include "iommu_err.h"

static const char *const iommu_err_names[] = {
        [IOMMU_OK] = "ok",
        [IOMMU_ERR_INVAL] = "invalid argument",
        [IOMMU_ERR_ALIGNMENT] = "not page aligned",
        [IOMMU_ERR_RANGE] = "outside the domain's address width",
        [IOMMU_ERR_NO_MEMORY] = "out of memory",
        [IOMMU_ERR_OVERLAP] = "range already mapped or allocated",
        [IOMMU_ERR_NOT_MAPPED] = "range not mapped",
        [IOMMU_ERR_RESERVED] = "range meets a reserved range",
        [IOMMU_ERR_EXHAUSTED] = "no free range or ID",
        [IOMMU_ERR_NOT_ALLOCATED] = "not allocated",
        [IOMMU_ERR_UNSUPPORTED] = "not supported by the hardware",
        [IOMMU_ERR_TIMEOUT] = "invalidation timed out",
        [IOMMU_ERR_HARDWARE] = "hardware reported an error",
};

_Static_assert(sizeof(iommu_err_names) / sizeof(iommu_err_names[0]) == IOMMU_ERR_COUNT,
               "every iommu_err has a name");

const char *iommu_strerror(enum iommu_err err)
{
	if ((unsigned)err >= IOMMU_ERR_COUNT || !iommu_err_names[err])
		return "unknown error";
	return iommu_err_names[err];
}

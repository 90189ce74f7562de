/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Error codes of the IOMMU core. Every fallible core function returns an
 * enum iommu_err; IOMMU_OK is zero so callers may test `if (err)`. Each
 * code names one thing that was wrong, so the protocol layer can map it
 * to a specific reply. A function that
 * returns an error has changed nothing unless its contract says otherwise.
 */
#ifndef IOMMU_ERR_H
#define IOMMU_ERR_H

enum iommu_err {
	IOMMU_OK = 0,
	IOMMU_ERR_INVAL,         /* an argument is outside its documented domain */
	IOMMU_ERR_ALIGNMENT,     /* an IOVA, physical address or size is not page aligned */
	IOMMU_ERR_RANGE,         /* the range leaves the domain's address width */
	IOMMU_ERR_NO_MEMORY,     /* a page-table or bookkeeping page could not be allocated */
	IOMMU_ERR_OVERLAP,       /* map: part of the range is already mapped */
	IOMMU_ERR_NOT_MAPPED,    /* unmap: part of the range is not mapped */
	IOMMU_ERR_RESERVED,      /* the range meets a reserved range (interrupt window, RMRR) */
	IOMMU_ERR_EXHAUSTED,     /* no free IOVA range or domain ID fits the request */
	IOMMU_ERR_NOT_ALLOCATED, /* free: no IOVA range or domain ID allocated exactly so */
	IOMMU_ERR_UNSUPPORTED,   /* the hardware cannot do it (address width, page size) */
	IOMMU_ERR_TIMEOUT,       /* an invalidation wait did not complete in bounded time */
	IOMMU_ERR_HARDWARE,      /* the unit reported an error (e.g. invalidation queue error) */
	IOMMU_ERR_COUNT
};

/* Returns a static, human-readable name of err; never NULL. */
const char *iommu_strerror(enum iommu_err err);

#endif /* IOMMU_ERR_H */

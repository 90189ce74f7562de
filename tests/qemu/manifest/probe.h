/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The probe endpoint the manifest-assign scenario's owners serve
 * (owner.c) and its checker calls (checker.c): PROBE_ASK replies with the
 * owner's pid and the PROBE_* bits of what it found; PROBE_EXIT replies
 * and ends the owner.
 */
#ifndef MANIFEST_PROBE_H
#define MANIFEST_PROBE_H

#define PROBE_ASK  1
#define PROBE_EXIT 2

#define PROBE_GRANTS  1u /* its grants are what the manifest wrote */
#define PROBE_OWNER   2u /* the IOMMU server says it owns its device */
#define PROBE_DMA     4u /* its device DMAs through its domain */
#define PROBE_UNTYPED 8u /* its untyped is the 2^B bytes its untyped=B asks */
#define PROBE_ALL     15u

#endif

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Ward error codes, shared by the kernel, libraries and servers. A call
 * returns WARD_OK or exactly one of these; results travel through
 * out-parameters, never mixed with error codes.
 */
#ifndef WARD_ERRORS_H
#define WARD_ERRORS_H

enum ward_error {
	WARD_OK = 0,
	WARD_ERR_INVALID_ARGUMENT = 1,   /* an argument is outside its documented domain */
	WARD_ERR_INVALID_CAPABILITY = 2, /* the slot is empty or does not resolve */
	WARD_ERR_ILLEGAL_OPERATION = 3,  /* the object type does not support the call */
	WARD_ERR_RANGE = 4,              /* a value is outside the allowed range */
	WARD_ERR_ALIGNMENT = 5,          /* an address or size is not aligned */
	WARD_ERR_FAILED_LOOKUP = 6,      /* a capability address did not resolve */
	WARD_ERR_TRUNCATED_MESSAGE = 7,  /* the message is shorter than the call needs */
	WARD_ERR_DELETE_FIRST = 8,       /* the destination slot is occupied */
	WARD_ERR_REVOKE_FIRST = 9,       /* the object still has derived children */
	WARD_ERR_NOT_ENOUGH_MEMORY = 10, /* the untyped has no room left */
	WARD_ERR_INSUFFICIENT_RIGHTS = 11,
	WARD_ERR_CANCELLED = 12, /* the object went away while the caller waited */
	WARD_ERR_UNKNOWN_SYSCALL = 13,
	WARD_ERR_BADGE_REVOKED = 14, /* the badge a queued send travelled under was revoked */
	WARD_ERR_COUNT
};

#endif

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The system manifest's binary form (docs/manifest.md): what
 * tools/manifest-compile makes of the TOML text and the root task decodes
 * from the boot module named `manifest` (servers/root/manifest.c).
 *
 * Little-endian, no pointers: a header, then four sections at the offsets
 * it gives, each an array of fixed-size records (programs, devices,
 * grants) or the string table. A string is an offset into the string
 * table and ends with a NUL inside it; offset 0 is the empty string.
 * Every record carries the line and column of the manifest text it came
 * from, so that the root task reports an error as file:line.
 *
 * The decoder trusts nothing: every offset, count, index and string is
 * checked against the module's size before it is used. A version other
 * than WARD_MANIFEST_VERSION is refused, never guessed at.
 */
#ifndef WARD_MANIFEST_H
#define WARD_MANIFEST_H

#include <stdint.h>

#define WARD_MANIFEST_MAGIC   0x4e414d57u /* "WMAN" */
#define WARD_MANIFEST_VERSION 1

#define WARD_MANIFEST_MAX_PROGRAMS 12
#define WARD_MANIFEST_MAX_DEVICES  32
#define WARD_MANIFEST_MAX_GRANTS   256

struct ward_manifest_header {
	uint32_t magic;
	uint16_t version;
	uint16_t header_size; /* sizeof(struct ward_manifest_header) */
	uint32_t total_size;  /* the whole module */
	uint32_t source;      /* string: the manifest's file name, for reports */
	uint16_t program_count;
	uint16_t device_count;
	uint16_t grant_count;
	uint16_t reserved;
	uint32_t programs; /* offsets from the module's start */
	uint32_t devices;
	uint32_t grants;
	uint32_t strings;
	uint32_t strings_size;
	uint32_t dma_pool_mib; /* [system] dma_pool: the IOMMU server's pool the quotas share */
};

/* How a device is found on the machine. */
enum ward_manifest_match {
	WARD_MANIFEST_MATCH_SBDF = 1,  /* value: segment << 16 | bus << 8 | dev << 3 | fn */
	WARD_MANIFEST_MATCH_ID = 2,    /* value: vendor << 16 | device; the index-th such */
	WARD_MANIFEST_MATCH_CLASS = 3, /* value & mask: the class code (24 bits); the index-th */
	WARD_MANIFEST_MATCH_VF = 4,    /* VF number `index` (1-based) of device `value`, a PF */
};

#define WARD_MANIFEST_SRIOV_KNOWN 1u /* the manifest says whether the device has SR-IOV: */
#define WARD_MANIFEST_SRIOV       2u /* it has */

struct ward_manifest_device {
	uint32_t name; /* string */
	uint16_t line, column;
	uint8_t match; /* enum ward_manifest_match */
	uint8_t flags; /* WARD_MANIFEST_SRIOV_* */
	uint16_t index;
	uint32_t value;
	uint32_t mask;
};

struct ward_manifest_program {
	uint32_t name;   /* string: the program's name (its start information's `name`) */
	uint32_t module; /* string: the boot module it runs (a module's name: its file name) */
	uint32_t args;   /* string: its arguments */
	uint16_t line, column;
	uint16_t priority;
	uint16_t cpu;
	uint16_t memory_mib;  /* rounded up to a power of two at boot */
	uint16_t dma_mib;     /* its DMA quota (docs/manifest.md: what enforces it) */
	uint16_t grant_first; /* its grants: [grant_first, grant_first + grant_count) */
	uint16_t grant_count;
	uint32_t reserved;
};

/*
 * Grant kinds are ward/startinfo.h's enum ward_grant_kind: SERVE ...
 * ASSIGNMENT, and for a console monitor IRQ and IOPORT (`console`: the
 * console's receive interrupt and read-only ports) and ROOT (`control`).
 */
#define WARD_MANIFEST_WHOLE_GROUP  1u /* DEVICE: the device's whole group (`groups`) */
#define WARD_MANIFEST_OTHER_DOMAIN 2u /* DOMAIN: program `target`'s domain (`assign_to`) */

struct ward_manifest_grant {
	uint16_t kind;   /* enum ward_grant_kind */
	uint16_t flags;  /* WARD_MANIFEST_WHOLE_GROUP, WARD_MANIFEST_OTHER_DOMAIN */
	uint16_t target; /* DEVICE, ASSIGNMENT: a device index; ENDPOINT: a SERVE grant's index;
	                    DOMAIN with OTHER_DOMAIN: a program index */
	uint16_t line, column;
	uint16_t reserved;
	uint32_t name; /* string: the name the program finds it by (ward_grant()) */
};

/* A program's state (root.protocol PROGRAM_INFO). */
enum ward_program_state {
	WARD_PROGRAM_NOT_STARTED = 0,
	WARD_PROGRAM_RUNNING = 1,
	WARD_PROGRAM_EXITED = 2,  /* code: its exit status */
	WARD_PROGRAM_FAULTED = 3, /* code: the fault's label */
	WARD_PROGRAM_KILLED = 4,  /* code: the killer's pid */
};

/* What the root task made of the manifest (root.protocol MANIFEST_STATUS). */
enum ward_manifest_state {
	WARD_MANIFEST_STATE_NONE = 0,    /* no manifest module: boot modules start by name */
	WARD_MANIFEST_STATE_PENDING = 1, /* being checked against the machine and applied */
	WARD_MANIFEST_STATE_APPLIED = 2, /* devices assigned, programs started */
	WARD_MANIFEST_STATE_REFUSED = 3, /* errors: no program started, devices in quarantine */
};

/* What is wrong, as found at boot (root.protocol MANIFEST_ERROR). */
enum ward_manifest_problem {
	WARD_MANIFEST_PROBLEM_DECODE = 1,     /* the module is malformed */
	WARD_MANIFEST_PROBLEM_ABSENT = 2,     /* no such SBDF on this machine */
	WARD_MANIFEST_PROBLEM_NO_MATCH = 3,   /* an ID or class that matches nothing (or too few) */
	WARD_MANIFEST_PROBLEM_NO_SRIOV = 4,   /* a VF of a device without SR-IOV */
	WARD_MANIFEST_PROBLEM_VF = 5,         /* the VF is beyond TotalVFs, or not enabled */
	WARD_MANIFEST_PROBLEM_NO_IOMMU = 6,   /* the device is behind no remapping unit */
	WARD_MANIFEST_PROBLEM_GROUP = 7,      /* a device given alone shares its group */
	WARD_MANIFEST_PROBLEM_SPLIT = 8,      /* a group split across programs */
	WARD_MANIFEST_PROBLEM_CPU = 9,        /* a CPU this machine lacks */
	WARD_MANIFEST_PROBLEM_MODULE = 10,    /* no boot module of that name */
	WARD_MANIFEST_PROBLEM_APPLY = 11,     /* the IOMMU server refused a step */
	WARD_MANIFEST_PROBLEM_NO_SERVER = 12, /* no PCI or IOMMU server to apply it through */
};

_Static_assert(sizeof(struct ward_manifest_header) == 48, "header layout");
_Static_assert(sizeof(struct ward_manifest_device) == 20, "device layout");
_Static_assert(sizeof(struct ward_manifest_program) == 32, "program layout");
_Static_assert(sizeof(struct ward_manifest_grant) == 16, "grant layout");

#endif

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The root task's pieces (docs/userspace.md): the process table and its
 * policy (procs.c), the fault and system-call handler (emulator.c), the
 * service with its death notifications (service.c), what the firmware
 * tables say (platform.c) and the caps each role gets (roles.c). One
 * thread runs all of it, so nothing here locks.
 */
#ifndef ROOT_TASK_H
#define ROOT_TASK_H

#include <stdbool.h>
#include <stdint.h>
#include <ward/bootinfo.h>
#include <ward/message.h>
#include <ward/manifest.h>
#include <ward/protocol.h>
#include <proc/process.h>

#define ROOT_MAX_PROCS      (WARD_MAX_MODULES + WARD_MANIFEST_MAX_PROGRAMS)
#define ROOT_PROC_PRIORITY  100
#define ROOT_DEFAULT_MEMORY 23 /* log2 bytes of a process's untyped: 8 MiB */

/* Badges on the root endpoint: a fault carries the pid; a service request also this bit. */
#define ROOT_BADGE_SERVICE (1ULL << 62)
/* With SERVICE: a program the manifest gives `control` (root.protocol ops 7-10). */
#define ROOT_BADGE_CONTROL (1ULL << 61)
#define ROOT_BADGE_PID     0xffffffffULL

/* What a module's arguments ask of the root task (the rest is the program's). */
struct root_policy {
	unsigned restarts;     /* restart=N: restart after a fatal fault, at most N times */
	bool expect_fault;     /* expect=fault: ending by a fault is the expected outcome */
	unsigned memory_bits;  /* mem=MiB, rounded up to a power of two */
	unsigned untyped_bits; /* untyped=BITS: an untyped of 2^BITS for the process itself */
	bool server;           /* server: its running does not keep the system up */
	unsigned cpu;          /* cpu=N: the CPU its main thread runs on (default 0) */
	const char *bad_cpu;   /* the cpu= value if it names no CPU: the module is not started */
	/* The untyped= value as written: untyped_bits once the memory is final. */
	const char *untyped_asked;
};

enum root_proc_state { ROOT_PROC_FREE, ROOT_PROC_RUNNING, ROOT_PROC_ENDED };

struct root_proc {
	enum root_proc_state state;
	unsigned module;   /* boot module index */
	unsigned restarts; /* done so far */
	struct root_policy policy;
	uint64_t untyped; /* kept across restarts */
	unsigned untyped_bits;
	/* A program of the manifest: its index (else -1), name, arguments, pid, priority. */
	int program;
	const char *name, *args;
	uint32_t reserved_pid; /* its first instance's pid, reserved before it existed */
	unsigned priority;
	unsigned end_reason; /* how the last instance ended (WARD_DEATH_*), 0: it runs */
	uint64_t end_code;
	struct proc proc;
};

/* The endpoint every fault and service request arrives on, and its reply object. */
extern uint64_t root_endpoint, root_reply;

/* --- procs.c ---------------------------------------------------------- */

/* Starts every boot module but the root task itself and those the manifest runs. */
void root_start_all(void);
/* A pid for a process not yet made (the manifest's domains are made for it first). */
uint32_t root_pid_reserve(void);

/* A program of the manifest, started after the manifest is applied. */
struct root_program_config {
	unsigned index; /* in the manifest */
	uint32_t pid;   /* reserved with root_pid_reserve() */
	const char *name, *module, *args;
	unsigned priority, cpu, memory_mib;
};

/* Starts it (reported either way); NULL if it could not be. */
struct root_proc *root_start_program(const struct root_program_config *c);
struct root_proc *root_proc_by_pid(uint64_t pid);
/* The process ended (reason, code: ward/startinfo.h): tear down, tell, maybe restart. */
void root_proc_ended(struct root_proc *rp, unsigned reason, uint64_t code);
/*
 * True once every process but the servers has ended; *ok: each one that
 * ended did so as its policy expected. Servers still running are reported.
 */
bool root_all_ended(bool *ok);
/* False once a process ended other than its policy expected. */
bool root_all_expected(void);

/* --- emulator.c ------------------------------------------------------- */

/* A fault message from process `pid`: true if *reply (MRs in mr) answers it. */
bool root_handle_fault(uint64_t pid, ward_msginfo_t info, const uint64_t *mr,
                       struct ward_reply *reply);

/* --- service.c -------------------------------------------------------- */

/* A request to the root service; the reply always goes back. */
void root_handle_service(struct ward_request *rq);
/* Records a death and signals the subscribers. */
void root_death(uint32_t pid, unsigned reason, uint64_t code);

/* --- control.c (root.protocol ops 7-9) ---------------------------------- */
/* The root_proc of manifest program `index`, or NULL (manifest_boot.c). */
struct root_proc *root_manifest_program_proc(unsigned index);
unsigned root_manifest_program_count(void);
/* Halts the machine: status 0 if every process that ended did so as expected. */
__attribute__((noreturn)) void root_task_halt(const char *why);

/* --- platform.c ------------------------------------------------------- */

#define ROOT_MAX_ECAM  4
#define ROOT_MAX_UNITS 8

struct root_ecam {
	uint64_t phys; /* ECAM of first_bus */
	uint16_t segment;
	uint8_t first_bus, last_bus;
};

struct root_iommu_unit {
	unsigned kind; /* WARD_WINDOW_VTD or WARD_WINDOW_AMDVI */
	uint64_t phys, size;
	uint16_t segment, unit_id;
	uint8_t flags;
};

#define ROOT_DMAR_MAX 1024
#define ROOT_IVRS_MAX 512

struct root_platform {
	uint32_t dmar_length; /* the DMAR table's bytes, for the IOMMU server (0: none) */
	uint8_t dmar[ROOT_DMAR_MAX];
	uint32_t ivrs_length; /* the IVRS table's bytes, for the IOMMU server (0: none) */
	uint8_t ivrs[ROOT_IVRS_MAX];
	unsigned ecam_count, unit_count;
	struct root_ecam ecam[ROOT_MAX_ECAM];
	struct root_iommu_unit units[ROOT_MAX_UNITS];
};

extern struct root_platform root_platform;

/* Reads MCFG, DMAR and IVRS from the firmware's ACPI tables (absent ones: nothing). */
void root_platform_discover(uint64_t rsdp);

/* --- roles.c ---------------------------------------------------------- */

/* Makes what roles share (the PCI endpoint, the MMIO window) before anything starts. */
void root_roles_init(void);
/*
 * Adjusts a module's policy for its role: the memory the role needs, and
 * the untyped it gets unless its untyped= asks for one that fits.
 */
void root_role_policy(const char *name, struct root_policy *policy);
/* Gives a new process the caps its name and policy call for; false (with *why) on failure. */
bool root_grant_role(struct root_proc *rp, const char **why);
/* The process was torn down: takes back what its role held outside its untyped. */
void root_role_ended(struct root_proc *rp);
/*
 * Called before any teardown: if the IOMMU server ended, reports it and
 * halts the system (status 0 only if all_ok: every other process but the
 * servers ended, each as expected); never returns then.
 */
void root_role_fail_stop(struct root_proc *rp, unsigned reason, uint64_t code, bool all_ok);
/* A cap to the PCI (IOMMU) endpoint in root slot `slot`, badged `badge`, for the root task. */
enum ward_error root_mint_pci(uint64_t slot, uint64_t badge);
enum ward_error root_mint_iommu(uint64_t slot, uint64_t badge);

/* --- manifest_boot.c (docs/manifest.md) -------------------------------- */

/* Finds and decodes the boot module named `manifest`, if there is one. */
void root_manifest_load(void);
/* Whether boot module m starts by itself (it is not the manifest nor a program's module). */
bool root_manifest_starts_alone(const struct ward_module *m);
/* Starts the manifest thread, which checks and applies it (after the servers started). */
void root_manifest_begin(void);
/* True until the manifest is applied or refused: the system stays up meanwhile. */
bool root_manifest_pending(void);
/*
 * Program `index` ended for good: the endpoints it served are destroyed, so
 * that a client's Call blocked on one fails at once and later ones fail too,
 * instead of waiting for a receiver that will never come.
 */
void root_manifest_program_gone(unsigned index);
/* Gives program `index` the caps its grants name; false (with *why) if one cannot be given. */
bool root_manifest_grant(unsigned index, struct proc *p, const char **why);

#endif

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The console monitor's pieces (docs/monitor.md): the serial line
 * (console.c), what the system looks like (view.c: programs, devices,
 * domains, faults, the status table) and the commands (commands.c). One
 * thread runs all of it; main.c finds the caps and waits for events.
 */
#ifndef MONITOR_H
#define MONITOR_H
#include <stdbool.h>
#include <stdint.h>
#include <ward/startinfo.h>

#define MONITOR_LINE_MAX 80
#define MONITOR_PROGRAMS 12 /* WARD_MANIFEST_MAX_PROGRAMS */

/* The caps the manifest gave (cptrs), found once at start (main.c). */
struct monitor_caps {
	uint64_t console_ports, console_irq; /* `console = true` */
	unsigned console_port;
	uint64_t control; /* `control = true`: the root task's control badge */
	uint64_t iommu;   /* the privileged IOMMU endpoint (`iommu-admin` in args) */
};
extern struct monitor_caps monitor;

/* --- console.c --------------------------------------------------------- */
/* Reads what the UART holds; true (and the line in `line`) once Enter ends one. */
bool console_read_line(char line[MONITOR_LINE_MAX + 1]);

/* --- view.c ------------------------------------------------------------ */
struct program_view {
	uint64_t pid, state, cpu, priority, code;
	char name[32];
};
/* The manifest's programs as the root task reports them; how many. */
unsigned view_programs(struct program_view out[MONITOR_PROGRAMS]);
/* The program index of `name` (or of pid `pid` if name is NULL), -1 if none. */
int view_program_index(const struct program_view *p, unsigned n, const char *name, uint64_t pid);
void view_print_devices(void);
void view_print_programs(void);
void view_print_domains(void);
void view_print_faults(void);
void view_print_status(void);
/* The guests of every VM monitor it uses (ENDPOINT grants "PROGRAM.vmm"). */
void view_print_guests(void);
/* The ENDPOINT grant "PROGRAM.SUFFIX", or NULL. */
const struct ward_cap_grant *view_endpoint(const char *program, const char *suffix);
/* The SBDF of a device the pid's domain holds, or -1. */
int64_t view_device_of(uint64_t pid);
const char *view_state_name(uint64_t state);

/* --- commands.c -------------------------------------------------------- */
void command_run(char *line);
void command_death(uint64_t pid, uint64_t reason, uint64_t code);
#endif

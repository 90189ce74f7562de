/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The console monitor (docs/monitor.md): a program of the default system
 * that shows what owns which device and takes commands typed on the
 * serial line. Its authority is what the manifest gives it, and nothing
 * it finds by name:
 *   IOPORT "console", IRQ "console"  the UART's read-only ports and its
 *                                    received-data interrupt (`console`)
 *   ROOT "control"                   the manifest's programs: info, kill,
 *                                    halt (`control`)
 *   DOMAIN "PROGRAM"                 each program it may place devices in
 *                                    (`assign_to`)
 *   ENDPOINT "PROGRAM.edu"           the edu drivers it asks and hands
 *                                    devices to (`uses`)
 * and, with `iommu-admin` in its arguments, the privileged IOMMU cap
 * (device, domain and fault status; DUMP; assignment caps). It waits on
 * one notification for two things: the UART's interrupt and the root
 * task's death notifications, each its own badge bit.
 */
#include <stdio.h>
#include <ward/invoke.h>
#include <ward/object.h>
#include <ward/rt.h>
#include <ward/startinfo.h>
#include <proc/slots.h>
#include <proc/untyped.h>

#include "monitor.h"
#include "root.h"

#define BADGE_CONSOLE 1u
#define BADGE_DEATHS  2u

struct monitor_caps monitor;

static bool need(const struct ward_cap_grant *g, const char *what)
{
	if (g == NULL)
		printf("monitor: no %s grant: the manifest must say it\n", what);
	return g != NULL;
}

/* The notification both events signal: the console's with one badge, deaths' with another. */
static bool events_init(uint64_t *ntfn)
{
	uint64_t console, deaths;

	return proc_retype(WARD_PROC_CAP_UNTYPED, WARD_OBJ_NOTIFICATION, 0, ntfn) == WARD_OK &&
	       (console = proc_slot_alloc()) != 0 && (deaths = proc_slot_alloc()) != 0 &&
	       ward_cnode_mint(WARD_PROC_CAP_CNODE, console, 64, WARD_PROC_CAP_CNODE, *ntfn, 64,
	                       WARD_RIGHTS_ALL, BADGE_CONSOLE) == WARD_OK &&
	       ward_cnode_mint(WARD_PROC_CAP_CNODE, deaths, 64, WARD_PROC_CAP_CNODE, *ntfn, 64,
	                       WARD_RIGHTS_ALL, BADGE_DEATHS) == WARD_OK &&
	       ward_irq_handler_set_notification(monitor.console_irq, console) == WARD_OK &&
	       root_subscribe_deaths(WARD_PROC_CAP_SERVICE, deaths) == WARD_OK;
}

static void deaths(void)
{
	uint64_t pid, reason, code, lost;

	while (root_next_death(WARD_PROC_CAP_SERVICE, &pid, &reason, &code, &lost) == WARD_OK &&
	       pid != 0)
		command_death(pid, reason, code);
}

int main(void)
{
	const struct ward_startinfo *si = ward_startinfo;
	const struct ward_cap_grant *ports = ward_grant(WARD_GRANT_IOPORT, "console");
	const struct ward_cap_grant *irq = ward_grant(WARD_GRANT_IRQ, "console");
	const struct ward_cap_grant *control = ward_grant(WARD_GRANT_ROOT, "control");
	char line[MONITOR_LINE_MAX + 1];
	uint64_t ntfn, badge;

	if (!need(ports, "IOPORT \"console\"") || !need(irq, "IRQ \"console\"") ||
	    !need(control, "ROOT \"control\""))
		return 2;
	if (si->iommu_endpoint == 0 || si->untyped_bits == 0) {
		printf("monitor: needs `iommu-admin` and `untyped=BITS` in its arguments\n");
		return 2;
	}
	monitor = (struct monitor_caps){ports->slot, irq->slot, ports->sbdf, control->slot,
	                                si->iommu_endpoint};
	proc_slots_init(si->free_first, si->free_last);
	if (!events_init(&ntfn)) {
		printf("monitor: cannot wait for the console and deaths\n");
		return 3;
	}
	printf("Ward monitor on the serial line: type 'help' for commands. Leave QEMU with "
	       "Ctrl-A then X.\n");
	view_print_status();
	printf("ward>\n");
	for (;;) {
		ward_wait(ntfn, &badge);
		if (badge & BADGE_DEATHS)
			deaths();
		if (badge & BADGE_CONSOLE)
			while (console_read_line(line))
				command_run(line);
	}
}

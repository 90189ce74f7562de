/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Interrupt capabilities, run as the root task on a machine with QEMU's
 * `edu` device (PCI 1234:11e8; register map in QEMU's docs/specs/edu.txt:
 * 0x00 identification, 0x24 interrupt status, 0x60 raise, 0x64 acknowledge;
 * with MSI enabled every raise sends one message, otherwise INTx follows
 * the status word).
 *
 * The test finds the device through PCI configuration mechanism #1 (ports
 * 0xcf8/0xcfc, by an I/O-port cap), maps its BAR0 from device untyped,
 * programs its MSI capability with what IRQControl_GetMSI returned, and
 * checks that a real interrupt reaches the handler's notification with the
 * handler's badge, and that a second one before Ack is held until Ack.
 * Then the same device's INTx through the IOAPIC: a level-triggered line,
 * masked until Ack. Also every IRQ-control and IRQ-handler error path.
 */
#include <stdint.h>
#include <string.h>
#include "lib/wcheck.h"

#define CNODE     WARD_CAP_INIT_CNODE
#define IRQCTL    WARD_CAP_IRQ_CONTROL
#define EDU_ID    0x11e81234u /* device << 16 | vendor */
#define EDU_IDENT 0x00
#define EDU_IRQ   0x24
#define EDU_RAISE 0x60
#define EDU_ACK   0x64

static uint64_t cfg_port;
static unsigned edu_dev = 32;
static volatile uint32_t *edu;

static uint32_t cfg_addr(unsigned dev, unsigned off)
{
	return 0x80000000u | (dev << 11) | (off & 0xfc);
}

static uint32_t cfg_read32(unsigned dev, unsigned off)
{
	uint32_t v = ~0u;

	ward_ioport_out(cfg_port, 4, 0xcf8, cfg_addr(dev, off));
	ward_ioport_in(cfg_port, 4, 0xcfc, &v);
	return v;
}

static uint32_t cfg_read16(unsigned dev, unsigned off)
{
	uint32_t v = ~0u;

	ward_ioport_out(cfg_port, 4, 0xcf8, cfg_addr(dev, off));
	ward_ioport_in(cfg_port, 2, 0xcfc + (off & 2), &v);
	return v & 0xffff;
}

static void cfg_write32(unsigned dev, unsigned off, uint32_t v)
{
	ward_ioport_out(cfg_port, 4, 0xcf8, cfg_addr(dev, off));
	ward_ioport_out(cfg_port, 4, 0xcfc, v);
}

static void cfg_write16(unsigned dev, unsigned off, uint32_t v)
{
	ward_ioport_out(cfg_port, 4, 0xcf8, cfg_addr(dev, off));
	ward_ioport_out(cfg_port, 2, 0xcfc + (off & 2), v & 0xffff);
}

/* The config-space offset of capability `id`, or 0. */
static unsigned find_capability(unsigned dev, unsigned id)
{
	unsigned off;

	if (!(cfg_read16(dev, 0x06) & 0x10)) /* status: capability list */
		return 0;
	off = cfg_read32(dev, 0x34) & 0xfc;
	for (unsigned n = 0; off != 0 && n < 48; n++) {
		uint32_t head = cfg_read32(dev, off);
		if ((head & 0xff) == id)
			return off;
		off = (head >> 8) & 0xfc;
	}
	return 0;
}

/*
 * A frame cap for the 4 KiB page at physical `pa`, split out of the device
 * untyped that covers it by retyping halves until 4 KiB are left.
 */
static uint64_t device_frame_at(uint64_t pa)
{
	const struct ward_bootinfo *bi = wt_bi;
	uint64_t ut = 0, base = 0;
	unsigned bits = 0;

	for (unsigned i = 0; i < bi->untyped_count; i++) {
		const struct ward_untyped_desc *d = &bi->untyped[i];
		if (d->is_device && pa >= d->phys_base &&
		    pa - d->phys_base < (1ULL << d->size_bits)) {
			ut = bi->untyped_first + i;
			base = d->phys_base;
			bits = d->size_bits;
		}
	}
	if (ut == 0) {
		tap_diag("no device untyped covers 0x%llx", (unsigned long long)pa);
		return 0;
	}
	while (bits > 12) {
		uint64_t halves = wt_slots(2);
		if (ward_untyped_retype(ut, WARD_OBJ_UNTYPED, bits - 1, CNODE, 0, 0, halves, 2) !=
		    WARD_OK)
			return 0;
		bits--;
		ut = halves;
		if (pa >= base + (1ULL << bits)) {
			ut = halves + 1;
			base += 1ULL << bits;
		}
	}
	return wt_obj_from(ut, WARD_OBJ_FRAME, 0);
}

static bool setup_edu(void)
{
	uint64_t bar, frame, va = wt_va(1);

	cfg_port = wt_slot();
	if (ward_ioport_control_issue(WARD_CAP_IOPORT_CONTROL, CNODE, cfg_port, 64, 0xcf8, 0xcff) !=
	    WARD_OK)
		return false;
	for (unsigned d = 0; d < 32; d++)
		if (cfg_read32(d, 0) == EDU_ID) {
			edu_dev = d;
			break;
		}
	if (edu_dev == 32)
		return false;
	bar = cfg_read32(edu_dev, 0x10) & ~0xfULL;
	frame = bar != 0 ? device_frame_at(bar) : 0;
	if (frame == 0 || wt_map(frame, va, WT_RIGHTS_RW) != WARD_OK)
		return false;
	edu = (volatile uint32_t *)va;
	/* Command: memory space, bus master (MSIs are memory writes), INTx not disabled. */
	cfg_write16(edu_dev, 0x04, (cfg_read16(edu_dev, 0x04) | 0x6) & ~0x400u);
	return true;
}

static void test_msi_errors(void)
{
	uint64_t s = wt_slot(), vec = 0, addr = 0, data = 0, vec2 = 0, x = 0, h, h2 = wt_slot();
	bool ok;
	uint64_t n = wt_obj(WARD_OBJ_NOTIFICATION, 0), ep = wt_obj(WARD_OBJ_ENDPOINT, 0);
	const uint64_t caps[1] = {CNODE};
	uint64_t args[2] = {wt_slot(), 64};

	ok = ward_irq_control_get_msi(IRQCTL, CNODE, s, 64, &vec, &addr, &data) == WARD_OK;
	tap_ok(ok && ward_debug_cap_type(s) == WARD_OBJ_IRQ_HANDLER,
	       "IRQControl_GetMSI: an IRQ handler cap in the destination slot");
	tap_ok(vec >= 0x30 && vec <= 0xdf && (addr & 0xfff00000) == 0xfee00000 &&
	               (data & 0xff) == vec,
	       "GetMSI: vector 0x%llx in the device range, address 0x%llx (0xFEExxxxx), data "
	       "0x%llx names the vector",
	       (unsigned long long)vec, (unsigned long long)addr, (unsigned long long)data);
	h = s;
	ok = ward_irq_control_get_msi(IRQCTL, CNODE, h2, 64, &vec2, &addr, &data) == WARD_OK;
	tap_ok(ok && vec2 != vec, "a second GetMSI hands out another vector (0x%llx)",
	       (unsigned long long)vec2);
	expect_err_arg(ward_irq_control_get_msi(IRQCTL, CNODE, h, 64, &x, &addr, &data),
	               WARD_ERR_DELETE_FIRST, 0, "GetMSI into an occupied slot: DELETE_FIRST");
	expect_err_arg(ward_irq_control_get_msi(IRQCTL, CNODE, wt_slot(), 65, &x, &addr, &data),
	               WARD_ERR_RANGE, 1, "GetMSI with depth 65: WARD_ERR_RANGE naming MR1");
	expect_err_arg(ward_irq_control_get_msi(IRQCTL, CNODE, 1ULL << 40, 64, &x, &addr, &data),
	               WARD_ERR_FAILED_LOOKUP, 0,
	               "GetMSI with an index that fails the guard: WARD_ERR_FAILED_LOOKUP");
	expect_err_arg(ward_invoke(IRQCTL, WARD_IRQ_CONTROL_GET_MSI, 1, args, 1, caps, 0, NULL),
	               WARD_ERR_TRUNCATED_MESSAGE, WARD_ARG_LENGTH,
	               "GetMSI with one message register: WARD_ERR_TRUNCATED_MESSAGE");
	expect_err_arg(ward_invoke(IRQCTL, WARD_IRQ_CONTROL_GET_MSI, 2, args, 0, caps, 0, NULL),
	               WARD_ERR_INVALID_CAPABILITY, WARD_ARG_EXTRA_CAP0,
	               "GetMSI without a destination CNode: INVALID_CAPABILITY (extra cap 0)");
	expect_err_arg(ward_invoke(IRQCTL, 0x99, 2, args, 1, caps, 0, NULL),
	               WARD_ERR_ILLEGAL_OPERATION, WARD_ARG_LABEL,
	               "IRQ control invoked with an unknown label: ILLEGAL_OPERATION");
	expect_err_arg(ward_irq_handler_set_notification(h, ep), WARD_ERR_INVALID_CAPABILITY,
	               WARD_ARG_EXTRA_CAP0,
	               "IRQHandler_SetNotification with an endpoint: INVALID_CAPABILITY");
	expect_err_arg(ward_irq_handler_set_notification(h, wt_copy(n, WARD_RIGHT_READ)),
	               WARD_ERR_INSUFFICIENT_RIGHTS, WARD_ARG_EXTRA_CAP0,
	               "SetNotification with a cap that cannot signal: INSUFFICIENT_RIGHTS");
	expect_err_arg(ward_invoke(h, 0x99, 0, NULL, 0, NULL, 0, NULL), WARD_ERR_ILLEGAL_OPERATION,
	               WARD_ARG_LABEL,
	               "IRQ handler invoked with an unknown label: ILLEGAL_OPERATION");
	expect_err(ward_irq_handler_ack(h), WARD_OK,
	           "IRQHandler_Ack with nothing delivered yet: WARD_OK");
	ok = wt_delete(h2) == WARD_OK &&
	     ward_irq_control_get_msi(IRQCTL, CNODE, h2, 64, &x, &addr, &data) == WARD_OK;
	/* Least recently freed first: a stray MSI from h2's device reaches nobody new soon. */
	tap_ok(ok && x != vec2 && x != vec,
	       "deleting a handler frees its vector to the back of the queue: the next GetMSI "
	       "hands out another (0x%llx after 0x%llx was freed)",
	       (unsigned long long)x, (unsigned long long)vec2);
	wt_delete(h);
	wt_delete(h2);
}

/* Vectors run out; Revoke of IRQ control takes every handler back. */
static void test_msi_exhaustion(void)
{
	uint64_t base = wt_slots(256), vec, addr, data;
	unsigned got = 0;
	enum ward_error e = WARD_OK;

	while (got < 256 && (e = ward_irq_control_get_msi(IRQCTL, CNODE, base + got, 64, &vec,
	                                                  &addr, &data)) == WARD_OK)
		got++;
	tap_ok(e == WARD_ERR_NOT_ENOUGH_MEMORY && got > 100 && got <= 0xdf - 0x30 + 1,
	       "GetMSI until the device vectors run out: %u handed out, then NOT_ENOUGH_MEMORY",
	       got);
	expect_err_arg(ward_irq_control_get_ioapic(IRQCTL, CNODE, wt_slot(), 64, 17, 1, 1, &vec),
	               WARD_ERR_NOT_ENOUGH_MEMORY, 0,
	               "GetIOAPIC with every vector taken: WARD_ERR_NOT_ENOUGH_MEMORY");
	tap_ok(ward_cnode_revoke(CNODE, IRQCTL, 64) == WARD_OK &&
	               ward_debug_cap_type(base) == WARD_OBJ_NULL &&
	               ward_debug_cap_type(base + got - 1) == WARD_OBJ_NULL &&
	               ward_debug_cap_type(IRQCTL) == WARD_OBJ_IRQ_CONTROL,
	       "Revoke of IRQ control deletes all %u handler caps, keeps the control", got);
	tap_ok(ward_irq_control_get_msi(IRQCTL, CNODE, base, 64, &vec, &addr, &data) == WARD_OK,
	       "afterwards vectors can be had again");
	wt_delete(base);
}

static uint64_t poll(uint64_t n)
{
	uint64_t badge = 0;

	ward_poll(n, &badge);
	return badge;
}

/* Without the device there is nothing to wait for: stop rather than hang. */
static void bail_out_unless(bool ok, const char *why)
{
	if (!ok) {
		ward_printf("Bail out! %s\n", why);
		ward_exit(1);
	}
}

static void test_msi_delivery(bool have_edu)
{
	uint64_t h = wt_slot(), vec = 0, addr = 0, data = 0, badge = 0;
	uint64_t n = wt_obj(WARD_OBJ_NOTIFICATION, 0), n40 = wt_mint(n, WARD_RIGHTS_ALL, 0x40);
	unsigned msi = have_edu ? find_capability(edu_dev, 0x05) : 0;
	bool ok;

	tap_ok(have_edu && edu[EDU_IDENT / 4] == 0x010000ed,
	       "edu found on PCI bus 0, BAR0 mapped from device untyped: identification 0x%08x",
	       have_edu ? edu[EDU_IDENT / 4] : 0);
	bail_out_unless(have_edu, "no edu device (boot with --preset edu)");
	ok = msi != 0 &&
	     ward_irq_control_get_msi(IRQCTL, CNODE, h, 64, &vec, &addr, &data) == WARD_OK &&
	     ward_irq_handler_set_notification(h, n40) == WARD_OK;
	if (ok) {
		uint32_t ctl = cfg_read16(edu_dev, msi + 2);
		cfg_write32(edu_dev, msi + 4, (uint32_t)addr);
		if (ctl & 0x80) { /* 64-bit capable */
			cfg_write32(edu_dev, msi + 8, (uint32_t)(addr >> 32));
			cfg_write16(edu_dev, msi + 12, (uint32_t)data);
		} else {
			cfg_write16(edu_dev, msi + 8, (uint32_t)data);
		}
		cfg_write16(edu_dev, msi + 2, (ctl & ~0x70u) | 1); /* one vector, enabled */
		ok = (cfg_read16(edu_dev, msi + 2) & 1) != 0;
	}
	tap_ok(ok, "edu's MSI capability (at 0x%x) programmed with GetMSI's address and data", msi);
	bail_out_unless(ok, "edu's MSI capability could not be programmed");

	edu[EDU_RAISE / 4] = 1;
	tap_ok(ward_wait(n, &badge) == 0 && badge == 0x40,
	       "edu raised an interrupt: the notification was signalled with the handler's "
	       "badge 0x40");
	tap_ok(edu[EDU_IRQ / 4] == 1, "edu's interrupt status shows the raise (1)");
	edu[EDU_ACK / 4] = 1;
	edu[EDU_RAISE / 4] = 2; /* a second MSI, before the handler is acked */
	ward_yield();
	badge = poll(n);
	tap_ok(badge == 0, "a second interrupt before Ack: not signalled yet (held)");
	expect_err(ward_irq_handler_ack(h), WARD_OK, "IRQHandler_Ack: WARD_OK");
	badge = poll(n);
	tap_ok(badge == 0x40, "the held interrupt is signalled at Ack (badge 0x%llx)",
	       (unsigned long long)badge);
	edu[EDU_ACK / 4] = 2;
	ward_irq_handler_ack(h);
	ward_yield();
	tap_ok(poll(n) == 0, "one interrupt held, one delivered: nothing more after the Ack");

	edu[EDU_RAISE / 4] = 4;
	tap_ok(ward_wait(n, &badge) == 0 && badge == 0x40,
	       "after Ack the next interrupt is delivered at once");
	edu[EDU_ACK / 4] = 4;
	expect_err(ward_irq_handler_clear(h), WARD_OK, "IRQHandler_Clear: WARD_OK");
	ward_irq_handler_ack(h);
	edu[EDU_RAISE / 4] = 8;
	ward_yield();
	tap_ok(poll(n) == 0, "after Clear an interrupt signals no notification");
	edu[EDU_ACK / 4] = 8;
	ward_irq_handler_set_notification(h, n40);
	ward_irq_handler_ack(h);
	edu[EDU_RAISE / 4] = 1;
	tap_ok(ward_wait(n, &badge) == 0 && badge == 0x40,
	       "SetNotification again: interrupts are signalled again");
	edu[EDU_ACK / 4] = 1;
	ward_irq_handler_ack(h);
	{
		uint64_t copy = wt_mint(h, WARD_RIGHTS_ALL, 0), count = 0, count_copy = 0;
		ward_irq_handler_count(h, &count);
		ward_irq_handler_count(copy, &count_copy);
		tap_ok(count == 5 && count_copy == 5,
		       "IRQHandler_Count: the 5 MSIs that arrived (held and unsignalled ones too), "
		       "the same through a copy (%llu, %llu)",
		       (unsigned long long)count, (unsigned long long)count_copy);
		wt_delete(copy);
	}

	tap_ok(wt_delete(h) == WARD_OK, "Delete of the handler cap frees its vector");
	edu[EDU_RAISE / 4] = 1; /* goes to a vector nobody holds: ignored */
	ward_yield();
	tap_ok(poll(n) == 0, "the device's next MSI reaches no notification; the kernel stays up");
	edu[EDU_ACK / 4] = 1;
	cfg_write16(edu_dev, msi + 2, cfg_read16(edu_dev, msi + 2) & ~1u); /* back to INTx */
}

/*
 * The same device's INTx pin, through the IOAPIC: which of GSIs 16-23 it
 * reaches depends on the slot, so all eight get handlers with distinct
 * badges. A level-triggered line stays masked from delivery to Ack.
 */
static void test_ioapic(bool have_edu)
{
	uint64_t base = wt_slots(8), n = wt_obj(WARD_OBJ_NOTIFICATION, 0), vec, badge = 0, s;
	uint64_t badged[8];
	bool ok = true;
	unsigned gsi = 0;
	const uint64_t caps[1] = {CNODE};
	uint64_t args[5] = {16, 1, 1, wt_slot(), 64};

	for (unsigned i = 0; i < 8 && ok; i++) {
		badged[i] = wt_mint(n, WARD_RIGHTS_ALL, 1ULL << i);
		ok = ward_irq_control_get_ioapic(IRQCTL, CNODE, base + i, 64, 16 + i, 1, 1, &vec) ==
		             WARD_OK &&
		     vec >= 0x30 && vec <= 0xdf &&
		     ward_irq_handler_set_notification(base + i, badged[i]) == WARD_OK;
	}
	tap_ok(ok, "IRQControl_GetIOAPIC for GSIs 16-23 (level, active low): handler caps");
	s = wt_slot();
	expect_err_arg(ward_irq_control_get_ioapic(IRQCTL, CNODE, s, 64, 18, 1, 1, &vec),
	               WARD_ERR_REVOKE_FIRST, 0,
	               "GetIOAPIC for GSI 18 again: WARD_ERR_REVOKE_FIRST");
	expect_err_arg(ward_irq_control_get_ioapic(IRQCTL, CNODE, s, 64, 24, 1, 1, &vec),
	               WARD_ERR_RANGE, 0, "GetIOAPIC for GSI 24 (the IOAPIC has 0-23): RANGE");
	expect_err_arg(ward_irq_control_get_ioapic(IRQCTL, CNODE, s, 64, 0x10000, 0, 0, &vec),
	               WARD_ERR_RANGE, 0, "GetIOAPIC for GSI 0x10000: WARD_ERR_RANGE");
	expect_err_arg(ward_irq_control_get_ioapic(IRQCTL, CNODE, base, 64, 10, 0, 0, &vec),
	               WARD_ERR_DELETE_FIRST, 3, "GetIOAPIC into an occupied slot: DELETE_FIRST");
	expect_err_arg(ward_invoke(IRQCTL, WARD_IRQ_CONTROL_GET_IOAPIC, 5, args, 0, caps, 0, NULL),
	               WARD_ERR_INVALID_CAPABILITY, WARD_ARG_EXTRA_CAP0,
	               "GetIOAPIC without a destination CNode: INVALID_CAPABILITY (extra cap 0)");
	expect_err_arg(ward_irq_control_get_ioapic(IRQCTL, CNODE, s, 65, 10, 0, 0, &vec),
	               WARD_ERR_RANGE, 4, "GetIOAPIC with depth 65: WARD_ERR_RANGE naming MR4");
	expect_err_arg(ward_invoke(IRQCTL, WARD_IRQ_CONTROL_GET_IOAPIC, 4, args, 1, caps, 0, NULL),
	               WARD_ERR_TRUNCATED_MESSAGE, WARD_ARG_LENGTH,
	               "GetIOAPIC with 4 message registers: WARD_ERR_TRUNCATED_MESSAGE");
	bail_out_unless(have_edu && ok, "no IOAPIC handlers for GSIs 16-23");

	edu[EDU_RAISE / 4] = 1; /* INTx asserted until acknowledged at the device */
	ward_wait(n, &badge);
	for (gsi = 0; gsi < 8 && badge != (1ULL << gsi); gsi++)
		;
	tap_ok(gsi < 8, "edu's INTx arrived through exactly one GSI: %u (badge 0x%llx)", 16 + gsi,
	       (unsigned long long)badge);
	ward_yield();
	tap_ok(poll(n) == 0, "while unacked, the asserted level line is masked: no second signal");
	ward_irq_handler_ack(base + (gsi & 7));
	ward_yield();
	badge = poll(n);
	tap_ok(badge == (1ULL << (gsi & 7)),
	       "Ack with the line still asserted: delivered again (badge 0x%llx)",
	       (unsigned long long)badge);
	edu[EDU_ACK / 4] = 1; /* the device drops the line */
	ward_irq_handler_ack(base + (gsi & 7));
	ward_yield();
	tap_ok(poll(n) == 0, "line lowered, then Ack: no further interrupt");
	edu[EDU_RAISE / 4] = 2;
	tap_ok(ward_wait(n, &badge) == 0 && badge == (1ULL << (gsi & 7)),
	       "the next raise is delivered again on the same GSI");
	edu[EDU_ACK / 4] = 2;
	ward_irq_handler_ack(base + (gsi & 7));

	tap_ok(wt_delete(base + 2) == WARD_OK &&
	               ward_irq_control_get_ioapic(IRQCTL, CNODE, s, 64, 18, 0, 0, &vec) == WARD_OK,
	       "after its handler cap is deleted, GSI 18 can be issued again");
}

/*
 * The console's receive side (ward/bootinfo.h): a read-only cap for
 * COM1's ports, which In reads and Out refuses, which I/O-port control
 * never issues again even once a copy is gone, and its GSI, issuable to
 * whoever reads the console.
 */
static void test_console_receive(void)
{
	const uint64_t console = WARD_CAP_CONSOLE_RECEIVE;
	uint64_t copy, s = wt_slot(), vec = 0, count = ~0ull;
	uint32_t lsr = 0;

	tap_ok(wt_bi->console_port == 0x3f8 && wt_bi->console_ports == 8 && wt_bi->console_gsi == 4,
	       "boot information: console UART at port 0x%x (%u ports), GSI %u",
	       wt_bi->console_port, wt_bi->console_ports, wt_bi->console_gsi);
	bool read = ward_ioport_in(console, 1, wt_bi->console_port + 5, &lsr) == WARD_OK;
	tap_ok(read && (lsr & 0x20) != 0,
	       "In8 of the line status through the console cap: 0x%02x (transmitter empty)", lsr);
	expect_err_arg(ward_ioport_out(console, 1, wt_bi->console_port + 1, 0),
	               WARD_ERR_INSUFFICIENT_RIGHTS, WARD_ARG_CAP,
	               "Out8 through the console cap (no write right): INSUFFICIENT_RIGHTS");
	copy = wt_mint(console, WARD_RIGHTS_ALL, 0);
	expect_err_arg(ward_ioport_out(copy, 1, wt_bi->console_port + 4, 0x10),
	               WARD_ERR_INSUFFICIENT_RIGHTS, WARD_ARG_CAP,
	               "a copy minted asking for all rights still cannot Out");
	wt_delete(copy);
	expect_err_arg(ward_ioport_control_issue(WARD_CAP_IOPORT_CONTROL, CNODE, s, 64,
	                                         wt_bi->console_port, wt_bi->console_port),
	               WARD_ERR_REVOKE_FIRST, 0,
	               "after a copy of the console cap is deleted, COM1 is still never issued");
	bool issued = ward_irq_control_get_ioapic(IRQCTL, CNODE, s, 64, wt_bi->console_gsi, 0, 0,
	                                          &vec) == WARD_OK &&
	              ward_irq_handler_count(s, &count) == WARD_OK;
	tap_ok(issued && count == 0,
	       "the console's GSI is issued as an edge-triggered handler (vector 0x%llx, %llu "
	       "interrupts so far)",
	       (unsigned long long)vec, (unsigned long long)count);
	wt_delete(s);
}

int main(void)
{
	bool have_edu;

	wt_init();
	tap_plan(53);
	test_console_receive();
	test_msi_errors();
	test_msi_exhaustion();
	have_edu = setup_edu();
	if (!have_edu)
		tap_diag("edu not found or not mappable (boot with --preset edu)");
	test_msi_delivery(have_edu);
	test_ioapic(have_edu);
	return tap_exit_status();
}

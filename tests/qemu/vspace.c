/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Address-space objects, run as the root task: paging structures and
 * frames retyped from untyped, mapped into the root's own VSpace and into a
 * second one, with rights checked by the MMU (a child thread faults on a
 * read-only and a no-execute page; the faults arrive at our endpoint).
 *
 * "The kernel can read it" is the debug-write probe: the kernel copies a
 * byte from the address through the VSpace's page tables, refusing what is
 * unmapped, not user-readable or uncached. Probed bytes are newlines, so
 * the probe prints empty lines and never splits a TAP line.
 */
#include <stdint.h>
#include <string.h>
#include <ward/invoke.h>
#include <ward/rt.h>
#include <ward/sys.h>
#include "tap.h"

#define MiB         (1ULL << 20)
#define GiB         (1ULL << 30)
#define WINDOW      0x0000300000000000ULL /* PML4 slot 96: nothing of the root task's is there */
#define OTHER_SPACE 0x0000310000000000ULL
#define ROOT        WARD_CAP_INIT_CNODE
#define VSPACE      WARD_CAP_INIT_VSPACE
#define R           WARD_RIGHT_READ
#define RW          (WARD_RIGHT_READ | WARD_RIGHT_WRITE)

static uint64_t next_slot, ram, device;
static const struct ward_bootinfo *bi;

static uint64_t make(uint64_t untyped, unsigned type)
{
	uint64_t slot = next_slot++;
	enum ward_error err = ward_untyped_retype(untyped, type, 0, ROOT, 0, 0, slot, 1);

	if (err != WARD_OK)
		tap_diag("retype of type %u into slot %llu failed: %d", type,
		         (unsigned long long)slot, err);
	return slot;
}

static bool kernel_can_read(uint64_t va)
{
	return ward_debug_write((const void *)va, 1) == WARD_OK;
}

/* The error and the range the kernel named in its reply. */
static bool failed_with(enum ward_error got, enum ward_error want, uint64_t arg, uint64_t lo)
{
	struct ward_error_detail d = ward_last_error();

	return got == want && d.arg == arg && d.lo == lo;
}

static void find_untyped(void)
{
	for (uint32_t i = 0; i < bi->untyped_count; i++) {
		const struct ward_untyped_desc *u = &bi->untyped[i];
		if (!u->is_device && u->size_bits >= 23 && ram == 0)
			ram = bi->untyped_first + i;
		if (u->is_device && u->size_bits >= 12 && device == 0)
			device = bi->untyped_first + i;
	}
}

static void check_missing_levels(uint64_t pdpt, uint64_t pd, uint64_t large)
{
	enum ward_error err;

	err = ward_frame_map(large, VSPACE, WINDOW, RW);
	tap_ok(failed_with(err, WARD_ERR_FAILED_LOOKUP, 0, 3),
	       "2 MiB frame map without tables: failed lookup, PDPT level (3) missing");
	err = ward_page_table_map(pd, VSPACE, WINDOW);
	tap_ok(failed_with(err, WARD_ERR_FAILED_LOOKUP, 0, 3),
	       "PD map without a PDPT: failed lookup, level 3 missing");
	tap_ok(ward_page_table_map(pdpt, VSPACE, WINDOW + 12345) == WARD_OK,
	       "PDPT mapped by an unaligned address it covers");
	err = ward_frame_map(large, VSPACE, WINDOW, RW);
	tap_ok(failed_with(err, WARD_ERR_FAILED_LOOKUP, 0, 2),
	       "2 MiB frame map without a PD: failed lookup, level 2 missing");
	tap_ok(ward_page_table_map(pd, VSPACE, WINDOW) == WARD_OK, "PD mapped");
}

static void check_large_frame(uint64_t large, uint64_t pt)
{
	const struct ward_untyped_desc *u = &bi->untyped[ram - bi->untyped_first];
	volatile uint64_t *p = (volatile uint64_t *)WINDOW;
	uint64_t phys = 0;
	enum ward_error err;

	err = ward_frame_map(large, VSPACE, WINDOW + 4096, RW);
	tap_ok(failed_with(err, WARD_ERR_ALIGNMENT, 0, 2 * MiB),
	       "2 MiB frame at a 4 KiB-aligned address: alignment error, 2 MiB required");
	tap_ok(ward_frame_map(large, VSPACE, WINDOW, RW) == WARD_OK, "2 MiB frame mapped");
	p[0] = 0x1122334455667788ULL;
	p[(2 * MiB - 8) / 8] = 42;
	tap_ok(p[0] == 0x1122334455667788ULL && p[(2 * MiB - 8) / 8] == 42,
	       "2 MiB frame holds what was written at both ends");
	err = ward_frame_get_address(large, &phys);
	tap_ok(err == WARD_OK && phys % (2 * MiB) == 0 && phys >= u->phys_base &&
	               phys < u->phys_base + (1ULL << u->size_bits),
	       "2 MiB frame's physical address 0x%llx is 2 MiB aligned, inside its untyped",
	       (unsigned long long)phys);
	err = ward_page_table_map(pt, VSPACE, WINDOW);
	tap_ok(failed_with(err, WARD_ERR_DELETE_FIRST, 0, 2),
	       "PT refused where the 2 MiB frame is (delete first, PD entry)");
}

static void check_errors(uint64_t a, uint64_t b)
{
	enum ward_error err;

	err = ward_frame_map(a, VSPACE, WINDOW + 2 * MiB + 100, RW);
	tap_ok(failed_with(err, WARD_ERR_ALIGNMENT, 0, 4096),
	       "unaligned frame map: alignment error");
	err = ward_frame_map(a, VSPACE, 0xffff800000000000ULL, RW);
	tap_ok(failed_with(err, WARD_ERR_RANGE, 0, 0), "frame map in the kernel half: range error");
	err = ward_frame_map(a, VSPACE, 0x00007ffffffff000ULL + 4096, RW);
	tap_ok(err == WARD_ERR_RANGE, "frame map at the user top: range error");
	err = ward_frame_map(a, VSPACE, WINDOW + 2 * MiB, WARD_RIGHT_WRITE);
	tap_ok(failed_with(err, WARD_ERR_INVALID_ARGUMENT, 1, R),
	       "frame map without the read right: invalid argument 1");
	err = ward_frame_map(a, WARD_CAP_INIT_CNODE, WINDOW + 2 * MiB, RW);
	tap_ok(failed_with(err, WARD_ERR_INVALID_CAPABILITY, WARD_ARG_EXTRA_CAP0, WARD_OBJ_PML4),
	       "frame map into a CNode: invalid capability (extra cap 0)");
	tap_ok(ward_frame_map(a, VSPACE, WINDOW + 2 * MiB, RW) == WARD_OK, "4 KiB frame mapped");
	err = ward_frame_map(a, VSPACE, WINDOW + 2 * MiB + 8192, RW);
	tap_ok(failed_with(err, WARD_ERR_ILLEGAL_OPERATION, WARD_ARG_CAP, WINDOW + 2 * MiB),
	       "mapped frame cap mapped elsewhere: illegal operation, names where it is");
	err = ward_frame_map(b, VSPACE, WINDOW + 2 * MiB, RW);
	tap_ok(failed_with(err, WARD_ERR_DELETE_FIRST, 0, 1),
	       "another frame at an occupied address: delete first (PT entry)");
}

/* Frame a mapped twice (through a copy of its cap), remapped, unmapped, deleted. */
static void check_sharing_and_deletion(uint64_t a)
{
	volatile char *va = (volatile char *)(WINDOW + 2 * MiB);
	uint64_t copy = next_slot++;
	uint64_t copy_va = WINDOW + 2 * MiB + 4096;

	va[7] = '\n';
	tap_ok(ward_cnode_copy(ROOT, copy, 64, ROOT, a, 64, WARD_RIGHTS_ALL) == WARD_OK &&
	               ward_frame_map(copy, VSPACE, copy_va, R) == WARD_OK,
	       "a copy of the frame cap maps the same frame read-only elsewhere");
	tap_ok(((volatile char *)copy_va)[7] == '\n' && kernel_can_read(copy_va + 7),
	       "both mappings show the same memory");
	tap_ok(ward_frame_map(a, VSPACE, WINDOW + 2 * MiB, R) == WARD_OK &&
	               kernel_can_read((uint64_t)va + 7),
	       "remap at the same address with fewer rights succeeds");
	tap_ok(ward_frame_unmap(a) == WARD_OK && !kernel_can_read((uint64_t)va + 7) &&
	               kernel_can_read(copy_va + 7),
	       "unmap removes one mapping, the copy's stays");
	tap_ok(ward_frame_unmap(a) == WARD_OK, "unmapping an unmapped frame is harmless");
	tap_ok(ward_cnode_delete(ROOT, copy, 64) == WARD_OK && !kernel_can_read(copy_va + 7),
	       "deleting the copy's cap removes its mapping");
}

static void check_device_frame(void)
{
	const struct ward_untyped_desc *u = &bi->untyped[device - bi->untyped_first];
	uint64_t frame = 0, phys = 0, va = WINDOW + 2 * MiB + 16 * 4096;
	enum ward_error err = WARD_ERR_INVALID_CAPABILITY;

	if (device != 0) {
		frame = make(device, WARD_OBJ_FRAME);
		err = ward_frame_map(frame, VSPACE, va, RW);
		if (err == WARD_OK)
			err = ward_frame_get_address(frame, &phys);
	}
	tap_ok(err == WARD_OK && phys == u->phys_base,
	       "device frame mapped; its address 0x%llx is its untyped's",
	       (unsigned long long)phys);
	tap_ok(err == WARD_OK && !kernel_can_read(va),
	       "the kernel refuses to copy from the uncached device mapping");
	if (device != 0)
		ward_frame_unmap(frame);
}

/*
 * A second VSpace whose PML4 is deleted while a frame is mapped in it:
 * the frame's and tables' records go stale, and the PDPT, once unmapped,
 * comes back empty when mapped into the root's VSpace.
 */
static void check_deleted_vspace(void)
{
	uint64_t pml4 = make(ram, WARD_OBJ_PML4), pdpt = make(ram, WARD_OBJ_PDPT);
	uint64_t pd = make(ram, WARD_OBJ_PD), pt = make(ram, WARD_OBJ_PT);
	uint64_t frame = make(ram, WARD_OBJ_FRAME);
	bool ok = ward_page_table_map(pdpt, pml4, OTHER_SPACE) == WARD_OK &&
	          ward_page_table_map(pd, pml4, OTHER_SPACE) == WARD_OK &&
	          ward_page_table_map(pt, pml4, OTHER_SPACE) == WARD_OK &&
	          ward_frame_map(frame, pml4, OTHER_SPACE, RW) == WARD_OK;

	tap_ok(ok, "tables and a frame mapped into a second VSpace");
	tap_ok(!kernel_can_read(OTHER_SPACE), "the second VSpace's mapping is not in the root's");
	tap_ok(ward_cnode_delete(ROOT, pml4, 64) == WARD_OK && ward_frame_unmap(frame) == WARD_OK &&
	               ward_page_table_map(pdpt, VSPACE, OTHER_SPACE) == WARD_ERR_ILLEGAL_OPERATION,
	       "PML4 deleted: frame unmap is a no-op, the PDPT still counts as mapped");
	tap_ok(ward_page_table_unmap(pdpt) == WARD_OK &&
	               ward_page_table_map(pdpt, VSPACE, OTHER_SPACE) == WARD_OK &&
	               ward_page_table_map(pd, VSPACE, OTHER_SPACE) == WARD_ERR_ILLEGAL_OPERATION,
	       "the unmapped PDPT maps into the root's VSpace; its old PD still counts as mapped");
	tap_ok(ward_page_table_unmap(pd) == WARD_OK && ward_page_table_unmap(pt) == WARD_OK &&
	               ward_page_table_map(pd, VSPACE, OTHER_SPACE) == WARD_OK &&
	               ward_page_table_map(pt, VSPACE, OTHER_SPACE) == WARD_OK &&
	               !kernel_can_read(OTHER_SPACE),
	       "after unmapping, the tables come back empty: the old frame is not reachable");
}

/* ------------------------------------------------------------------------ */
/* Rights enforced by the MMU: a child thread faults, we handle its faults. */

#define RO_PAGE (WINDOW + 2 * MiB + 32 * 4096)
#define NX_PAGE (WINDOW + 2 * MiB + 33 * 4096)
#define ABSENT  (WINDOW + 2 * MiB + 34 * 4096)

static uint8_t child_stack[4096] __attribute__((aligned(16)));

static void child_write_read_only(void)
{
	*(volatile uint64_t *)RO_PAGE = 1;
	for (;;)
		ward_yield();
}

static void child_read_absent(void)
{
	(void)*(volatile uint64_t *)ABSENT;
	for (;;)
		ward_yield();
}

static bool page_fault_at(ward_msginfo_t info, const uint64_t mr[4], uint64_t addr,
                          uint64_t error_code)
{
	tap_diag("fault label %llu: rip 0x%llx address 0x%llx error code 0x%llx",
	         (unsigned long long)ward_msginfo_label(info), (unsigned long long)mr[0],
	         (unsigned long long)mr[1], (unsigned long long)mr[2]);
	return ward_msginfo_label(info) == WARD_FAULT_PAGE && mr[1] == addr && mr[2] == error_code;
}

static void check_rights_in_hardware(void)
{
	uint64_t ro = make(ram, WARD_OBJ_FRAME), nx = make(ram, WARD_OBJ_FRAME);
	uint64_t tcb = make(ram, WARD_OBJ_TCB), ep = make(ram, WARD_OBJ_ENDPOINT);
	uint64_t reply = make(ram, WARD_OBJ_REPLY), badge, mr[4] = {0};
	uint64_t stack_top = (uint64_t)(child_stack + sizeof(child_stack)) - 8;
	uint64_t regs[3] = {(uint64_t)child_write_read_only, stack_top, 0x202};
	ward_msginfo_t info;

	ward_frame_map(nx, VSPACE, NX_PAGE, RW);
	memset((void *)NX_PAGE, 0xc3, 4096); /* ret: executing it would not fault here */
	tap_ok(ward_frame_map(ro, VSPACE, RO_PAGE, RW | WARD_RIGHT_EXECUTE) == WARD_OK &&
	               ward_frame_map(ro, VSPACE, RO_PAGE, R) == WARD_OK,
	       "frame remapped from read-write-execute to read-only");
	tap_ok(ward_tcb_configure(tcb, ROOT, VSPACE, 0, 0) == WARD_OK &&
	               ward_tcb_set_fault_handler(tcb, ep) == WARD_OK &&
	               ward_tcb_write_registers(tcb, 1, 3, regs) == WARD_OK,
	       "child thread started with our endpoint as its fault handler");
	info = ward_recv(ep, reply, &badge, mr);
	tap_ok(page_fault_at(info, mr, RO_PAGE, 0x7),
	       "write to the read-only page faults: present, write, user (0x7)");
	/* Fault reply: RAX, RIP, RSP (ward/object.h): continue on the NX page. */
	mr[0] = 0, mr[1] = NX_PAGE, mr[2] = stack_top;
	info = ward_reply_recv(ep, reply, ward_msginfo(0, 0, 0, 3), &badge, mr);
	tap_ok(page_fault_at(info, mr, NX_PAGE, 0x15),
	       "jump to the no-execute page faults: present, user, fetch (0x15)");
	mr[0] = 0, mr[1] = (uint64_t)child_read_absent, mr[2] = stack_top;
	info = ward_reply_recv(ep, reply, ward_msginfo(0, 0, 0, 3), &badge, mr);
	tap_ok(page_fault_at(info, mr, ABSENT, 0x4), "read of an unmapped page faults: user (0x4)");
	ward_reply(reply, ward_msginfo(WARD_FAULT_REPLY_STOP, 0, 0, 0), mr);
}

/*
 * A thread on CPU 1 keeps writing a page while we, on CPU 0, remap it
 * read-only: the remap must reach CPU 1's TLB (QEMU's TLBs go stale as real
 * ones do). If it did not, the thread's last write after our signal would
 * succeed and it would fault on ABSENT instead.
 */
#define SHARED_PAGE (WINDOW + 2 * MiB + 40 * 4096)
#define TARGET_PAGE (WINDOW + 2 * MiB + 41 * 4096)

struct shared {
	volatile uint64_t writes;
	volatile uint64_t stop;
};

static uint8_t remote_stack[4096] __attribute__((aligned(16)));

static void remote_writer(void)
{
	struct shared *sh = (struct shared *)SHARED_PAGE;

	while (!sh->stop) {
		*(volatile uint64_t *)TARGET_PAGE = sh->writes;
		sh->writes = sh->writes + 1;
	}
	*(volatile uint64_t *)TARGET_PAGE = 0; /* must fault: the page is read-only now */
	(void)*(volatile uint64_t *)ABSENT;
	for (;;)
		ward_yield();
}

static void check_remote_tlb_flush(void)
{
	uint64_t shared = make(ram, WARD_OBJ_FRAME), target = make(ram, WARD_OBJ_FRAME);
	uint64_t tcb = make(ram, WARD_OBJ_TCB), ep = make(ram, WARD_OBJ_ENDPOINT);
	uint64_t reply = make(ram, WARD_OBJ_REPLY), badge, mr[4] = {0};
	uint64_t regs[3] = {(uint64_t)remote_writer,
	                    (uint64_t)(remote_stack + sizeof(remote_stack)) - 8, 0x202};
	struct shared *sh = (struct shared *)SHARED_PAGE;
	ward_msginfo_t info;

	/* One CPU: no remote TLB to flush; the plan leaves these two checks out. */
	if (bi->cpu_count < 2)
		return;
	ward_frame_map(shared, VSPACE, SHARED_PAGE, RW);
	ward_frame_map(target, VSPACE, TARGET_PAGE, RW);
	tap_ok(ward_tcb_configure(tcb, ROOT, VSPACE, 0, 0) == WARD_OK &&
	               ward_tcb_set_fault_handler(tcb, ep) == WARD_OK &&
	               ward_tcb_set_affinity(tcb, 1) == WARD_OK &&
	               ward_tcb_write_registers(tcb, 1, 3, regs) == WARD_OK,
	       "writer thread started on CPU 1");
	while (sh->writes < 1000)
		;
	ward_frame_map(target, VSPACE, TARGET_PAGE, R);
	sh->stop = 1;
	info = ward_recv(ep, reply, &badge, mr);
	tap_ok(page_fault_at(info, mr, TARGET_PAGE, 0x7),
	       "after the remap to read-only, CPU 1's next write faults (%llu writes before)",
	       (unsigned long long)sh->writes);
	ward_reply(reply, ward_msginfo(WARD_FAULT_REPLY_STOP, 0, 0, 0), mr);
}

int main(void)
{
	uint64_t pdpt, pd, pt, large, a, b;

	bi = ward_bootinfo;
	next_slot = bi->empty_first;
	/* The remote TLB checks (two) need a second CPU: vspace-smp2 runs them. */
	tap_plan(bi->cpu_count < 2 ? 38 : 40);
	find_untyped();
	tap_ok(ram != 0, "a RAM untyped of 8 MiB or more is listed");
	large = make(ram, WARD_OBJ_LARGE_FRAME);
	pdpt = make(ram, WARD_OBJ_PDPT);
	pd = make(ram, WARD_OBJ_PD);
	pt = make(ram, WARD_OBJ_PT);
	a = make(ram, WARD_OBJ_FRAME);
	b = make(ram, WARD_OBJ_FRAME);
	check_missing_levels(pdpt, pd, large);
	check_large_frame(large, pt);
	tap_ok(ward_page_table_map(pt, VSPACE, WINDOW + 2 * MiB) == WARD_OK,
	       "PT mapped for the next 2 MiB");
	check_errors(a, b);
	check_sharing_and_deletion(a);
	check_device_frame();
	check_deleted_vspace();
	check_rights_in_hardware();
	check_remote_tlb_flush();
	return tap_exit_status();
}

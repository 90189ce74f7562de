/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * x86_64 page tables (SDM Vol. 3A §4.5). The kernel half (PML4 slots
 * 256..511) is built once at boot and shared by every address space;
 * user mappings live in the lower half and carry PTE_U.
 */
#include <kernel/printf.h>
#include <ward/object.h>
#include "cpu.h"
#include "memory_layout.h"
#include "pagetable.h"
#include "vspace.h"
#include "x86_regs.h"

static uint64_t kernel_root;

static pte_t *table(uint64_t pa)
{
	return phys_to_virt(pa);
}

/* A zeroed page from boot memory (the direct map must already cover it). */
static uint64_t zeroed_page(struct boot_memory *mem)
{
	uint64_t pa = boot_memory_alloc_page(mem);
	if (pa == 0)
		panic("out of boot memory for page tables");
	__builtin_memset(phys_to_virt(pa), 0, PAGE_SIZE);
	return pa;
}

static bool is_ram(const struct ward_mem_region *r, size_t n, uint64_t base, uint64_t size)
{
	for (size_t i = 0; i < n; i++)
		if (r[i].kind == WARD_MEM_FREE && r[i].base < base + size &&
		    base < r[i].base + r[i].size)
			return true;
	return false;
}

/* Direct map [0, bytes) at PHYS_MAP_BASE with 2 MiB pages; non-RAM uncached. */
static void map_physical(struct boot_memory *mem, pte_t *pml4, uint64_t bytes,
                         const struct ward_mem_region *r, size_t n)
{
	for (uint64_t gb = 0; gb < bytes; gb += 1ULL << 30) {
		uint64_t va = PHYS_MAP_BASE + gb;
		pte_t *pml4e = &pml4[PML4_INDEX(va)];
		if (!(*pml4e & PTE_P))
			*pml4e = zeroed_page(mem) | PTE_P | PTE_W;
		uint64_t pd = zeroed_page(mem);
		table(*pml4e & PTE_ADDR_MASK)[PDPT_INDEX(va)] = pd | PTE_P | PTE_W;
		for (unsigned i = 0; i < PT_ENTRIES; i++) {
			uint64_t pa = gb + i * LARGE_PAGE_SIZE;
			pte_t cache = is_ram(r, n, pa, LARGE_PAGE_SIZE) ? 0 : PTE_PCD | PTE_PWT;
			table(pd)[i] = pa | PTE_P | PTE_W | PTE_PS | PTE_G | PTE_NX | cache;
		}
	}
}

/* The kernel image: KERNEL_VIRT_BASE -> phys 0..1 GiB, as the boot stub had it. */
static void map_kernel_image(struct boot_memory *mem, pte_t *pml4)
{
	uint64_t pdpt = zeroed_page(mem), pd = zeroed_page(mem);

	pml4[PML4_INDEX(KERNEL_VIRT_BASE)] = pdpt | PTE_P | PTE_W;
	table(pdpt)[PDPT_INDEX(KERNEL_VIRT_BASE)] = pd | PTE_P | PTE_W;
	for (unsigned i = 0; i < PT_ENTRIES; i++)
		table(pd)[i] = i * LARGE_PAGE_SIZE | PTE_P | PTE_W | PTE_PS | PTE_G;
}

void paging_init(struct boot_memory *mem, const struct ward_mem_region *r, size_t n)
{
	uint64_t top = 0;

	for (size_t i = 0; i < n; i++)
		if (r[i].kind == WARD_MEM_FREE && r[i].base + r[i].size > top)
			top = r[i].base + r[i].size;
	if (top < (4ULL << 30))
		top = 4ULL << 30; /* MMIO below 4 GiB: LAPIC, IOAPIC */
	if (top > PHYS_MAP_MAX_BYTES)
		top = PHYS_MAP_MAX_BYTES;
	top = (top + (1ULL << 30) - 1) & ~((1ULL << 30) - 1);

	/* Until the switch, the boot stub maps the first GiB at PHYS_MAP_BASE;
	 * boot memory hands out its lowest pages first, so the new tables are
	 * reachable before they are live. */
	kernel_root = zeroed_page(mem);
	map_physical(mem, table(kernel_root), top, r, n);
	map_kernel_image(mem, table(kernel_root));
	write_cr4(read_cr4() | CR4_PGE);
	write_cr3(kernel_root);
}

uint64_t vspace_kernel_root(void)
{
	return kernel_root;
}

uint64_t vspace_create(struct boot_memory *mem)
{
	uint64_t root = zeroed_page(mem);

	pagetable_init_root(root, kernel_root);
	return root;
}

/*
 * A zeroed user page table with room for its shadow (pagetable.h: PD and
 * PT need one; the PDPT gets one too, as the allocator does not know the
 * level), or 0 when boot memory is exhausted.
 */
static uint64_t table_page(void *ctx)
{
	struct boot_memory *mem = ctx;
	uint64_t pa = boot_memory_alloc(mem, WARD_LEAF_TABLE_SIZE_BITS);

	if (pa != 0)
		__builtin_memset(phys_to_virt(pa), 0, 1ULL << WARD_LEAF_TABLE_SIZE_BITS);
	return pa;
}

bool vspace_map_user_page(struct boot_memory *mem, uint64_t root, uint64_t va, uint64_t pa,
                          unsigned rights)
{
	unsigned attrs = PAGE_READ | ((rights & VSPACE_WRITE) ? PAGE_WRITE : 0) |
	                 ((rights & VSPACE_EXEC) ? PAGE_EXEC : 0);

	if (va >= USER_TOP || (va & (PAGE_SIZE - 1)) || (pa & (PAGE_SIZE - 1)))
		return false;
	return pagetable_map_alloc(root, va, pa, attrs, table_page, mem) == PAGETABLE_OK;
}

/*
 * Only cached user pages: a device frame (uncached) is MMIO, whose reads
 * have side effects and which the direct map may not even cover.
 */
bool vspace_copy_from_user(uint64_t root, void *dst, uint64_t va, size_t len)
{
	uint8_t *out = dst;

	while (len > 0) {
		struct pagetable_translation t;
		size_t in_page = PAGE_SIZE - (va & (PAGE_SIZE - 1));
		size_t n = len < in_page ? len : in_page;
		if (va >= USER_TOP || !pagetable_translate(root, va, &t) ||
		    (t.attrs & (PAGE_USER | PAGE_READ | PAGE_UNCACHED)) != (PAGE_USER | PAGE_READ))
			return false;
		__builtin_memcpy(out, phys_to_virt(t.phys), n);
		out += n;
		va += n;
		len -= n;
	}
	return true;
}

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The main thread's thread pointer, shared by musl and Ward.
 *
 * x86_64 TLS (System V psABI, "Thread-Local Storage", variant II): the
 * thread pointer (%fs base) points at a block whose first word is its own
 * address; the program's TLS image lies just below it. musl keeps its
 * struct pthread (200 bytes in musl 1.2.3: errno, locale, canary) at the
 * thread pointer; Ward keeps its per-thread words further up, at fixed
 * offsets (ward/sys.h: the IPC buffer, the last error's detail).
 *
 * musl's static start-up allocates the block itself and puts the thread
 * pointer at its very end, leaving no room for Ward's words. So the
 * runtime replaces musl's __init_tls (a weak symbol in musl) with one that
 * lays out [TLS image | block of WARD_TLS_BLOCK_WORDS words] in static
 * memory and lets musl's own __init_tp fill in struct pthread. It also
 * supplies __set_thread_area, which musl would do with arch_prctl, as the
 * kernel's SetTLSBase. Static programs only: there is no dynamic TLS.
 */
#include <elf.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <ward/sys.h>
#include "rt_internal.h"

#define TLS_IMAGE_MAX   2048
#define TLS_BLOCK_ALIGN 64

int __init_tp(void *tp); /* musl, src/env/__init_tls.c */
void __init_tls(size_t *aux);
int __set_thread_area(void *tp);

static struct {
	unsigned char tls[TLS_IMAGE_MAX];
	uintptr_t block[WARD_TLS_BLOCK_WORDS];
} main_thread __attribute__((aligned(TLS_BLOCK_ALIGN)));

_Static_assert(TLS_IMAGE_MAX % TLS_BLOCK_ALIGN == 0, "the block stays aligned");

uintptr_t *ward_rt_main_block(void)
{
	return main_thread.block;
}

/* The program's PT_TLS header, if it has one (aux: musl's table indexed by AT_*). */
static const Elf64_Phdr *tls_header(const size_t *aux)
{
	const unsigned char *p = (const unsigned char *)aux[AT_PHDR];

	for (size_t n = aux[AT_PHNUM]; p != NULL && n > 0; n--, p += aux[AT_PHENT]) {
		const Elf64_Phdr *ph = (const Elf64_Phdr *)p;
		if (ph->p_type == PT_TLS)
			return ph;
	}
	return NULL;
}

/* Called by musl's __init_libc, before any TLS variable or errno is used. */
void __init_tls(size_t *aux)
{
	const Elf64_Phdr *tls = tls_header(aux);

	if (tls != NULL && tls->p_memsz != 0) {
		uint64_t align = tls->p_align > 1 ? tls->p_align : 1;
		uint64_t size = (tls->p_memsz + align - 1) & ~(align - 1);
		if (align > TLS_BLOCK_ALIGN || size > TLS_IMAGE_MAX || tls->p_filesz > tls->p_memsz)
			ward_rt_fatal("thread-local data too large or too aligned for the runtime");
		/* Variant II: the image ends at the thread pointer. */
		unsigned char *image = (unsigned char *)main_thread.block - size;
		memcpy(image, (const void *)tls->p_vaddr, tls->p_filesz);
		memset(image + tls->p_filesz, 0, size - tls->p_filesz);
	}
	if (__init_tp(main_thread.block) < 0)
		ward_rt_fatal("cannot set the thread pointer");
}

/* 1, not 0: tells musl there are no threads (pthread_create fails with ENOSYS). */
int __set_thread_area(void *tp)
{
	return ward_set_tls_base((uintptr_t)tp) == WARD_OK ? 1 : -1;
}

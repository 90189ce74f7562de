/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libs/rt's Linux system-call emulation on the host: the heap bookkeeping
 * (heap.c) and the dispatcher (linux.c), against a fake host whose "user
 * memory" is an array and whose console is a buffer. Each test states what
 * a process would see.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <cmocka.h>
#include <ward/heap.h>
#include <ward/linux.h>

#define PAGE       WARD_HEAP_PAGE
#define HEAP_BASE  0x100000000ULL
#define HEAP_PAGES 16
#define USER_BASE  0x10000ULL
#define USER_SIZE  0x4000ULL

/* The fake process: memory, console, and what the heap's backing did. */
static uint8_t user[USER_SIZE];
static char console[1 << 17];
static size_t console_len;
static unsigned backed, remapped, zeroed, unmapped, back_budget;
static struct ward_heap heap;

static bool in_user(uint64_t va, uint64_t len)
{
	return va >= USER_BASE && len <= USER_SIZE && va - USER_BASE <= USER_SIZE - len;
}

static bool fake_copy_in(void *ctx, void *dst, uint64_t va, uint64_t len)
{
	(void)ctx;
	if (!in_user(va, len))
		return false;
	memcpy(dst, &user[va - USER_BASE], len);
	return true;
}

static bool fake_copy_out(void *ctx, uint64_t va, const void *src, uint64_t len)
{
	(void)ctx;
	if (!in_user(va, len))
		return false;
	memcpy(&user[va - USER_BASE], src, len);
	return true;
}

static bool fake_readable(void *ctx, uint64_t va, uint64_t len)
{
	(void)ctx;
	return in_user(va, len);
}

static int64_t fake_console(void *ctx, uint64_t va, uint64_t len)
{
	(void)ctx;
	if (!in_user(va, len) || console_len + len > sizeof(console))
		return -EFAULT;
	memcpy(&console[console_len], &user[va - USER_BASE], len);
	console_len += len;
	return (int64_t)len;
}

static bool fake_back(void *ctx, uint64_t i)
{
	(void)ctx;
	(void)i;
	if (back_budget == 0)
		return false;
	back_budget--;
	backed++;
	return true;
}

static bool fake_remap(void *ctx, uint64_t i)
{
	(void)ctx;
	(void)i;
	remapped++;
	return true;
}

static void fake_zero(void *ctx, uint64_t i)
{
	(void)ctx;
	(void)i;
	zeroed++;
}

static void fake_unmap(void *ctx, uint64_t i)
{
	(void)ctx;
	(void)i;
	unmapped++;
}

static const struct ward_linux_host host = {
        .copy_in = fake_copy_in,
        .copy_out = fake_copy_out,
        .readable = fake_readable,
        .console = fake_console,
        .heap = &heap,
        .heap_ops = {fake_back, fake_remap, fake_zero, fake_unmap, NULL},
        .pid = 42,
        .tsc_hz = 1000000000,
};

static int reset(void **state)
{
	(void)state;
	memset(user, 0, sizeof(user));
	console_len = 0;
	backed = remapped = zeroed = unmapped = 0;
	back_budget = 1000;
	ward_heap_init(&heap, HEAP_BASE, HEAP_PAGES);
	return 0;
}

/* One emulated call; asserts it answers (does not exit) and returns rax. */
static int64_t call(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                    uint64_t a5)
{
	const struct ward_linux_call c = {nr, {a0, a1, a2, a3, a4, a5}};
	int64_t result = 0;

	assert_int_equal(ward_linux_syscall(&host, &c, &result), WARD_LINUX_RETURN);
	return result;
}

static int64_t anon_mmap(uint64_t addr, uint64_t len, uint64_t extra_flags)
{
	return call(SYS_mmap, addr, len, PROT_READ | PROT_WRITE,
	            MAP_PRIVATE | MAP_ANONYMOUS | extra_flags, (uint64_t)-1, 0);
}

/* --- brk and mmap ------------------------------------------------------- */

static void test_brk_grows_and_shrinks(void **state)
{
	(void)state;
	assert_int_equal(call(SYS_brk, 0, 0, 0, 0, 0, 0), HEAP_BASE);
	assert_int_equal(call(SYS_brk, HEAP_BASE + 2 * PAGE + 1, 0, 0, 0, 0, 0),
	                 HEAP_BASE + 2 * PAGE + 1);
	assert_int_equal(backed, 3);
	assert_int_equal(call(SYS_brk, HEAP_BASE + PAGE, 0, 0, 0, 0, 0), HEAP_BASE + PAGE);
	assert_int_equal(unmapped, 2);
	/* Growing again reuses the backed pages, which the host must zero. */
	call(SYS_brk, HEAP_BASE + 3 * PAGE, 0, 0, 0, 0, 0);
	assert_int_equal(remapped, 2);
	assert_int_equal(backed, 3);
	/* Past the region: refused, the break stays. */
	assert_int_equal(call(SYS_brk, HEAP_BASE + (HEAP_PAGES + 1) * PAGE, 0, 0, 0, 0, 0),
	                 HEAP_BASE + 3 * PAGE);
}

static void test_mmap_takes_the_top_and_reuses(void **state)
{
	int64_t a, b;

	(void)state;
	a = anon_mmap(0, 2 * PAGE, 0);
	assert_int_equal(a, HEAP_BASE + (HEAP_PAGES - 2) * PAGE);
	b = anon_mmap(0, PAGE, 0);
	assert_int_equal(b, a - (int64_t)PAGE);
	assert_int_equal(call(SYS_munmap, (uint64_t)a, 2 * PAGE, 0, 0, 0, 0), 0);
	assert_int_equal(anon_mmap(0, 2 * PAGE, 0), a);
	assert_int_equal(remapped, 2); /* the same pages, zeroed again */
	assert_int_equal(backed, 3);
}

static void test_brk_stops_at_an_mmap(void **state)
{
	(void)state;
	assert_int_equal(anon_mmap(HEAP_BASE + 2 * PAGE, PAGE, MAP_FIXED), HEAP_BASE + 2 * PAGE);
	assert_int_equal(call(SYS_brk, HEAP_BASE + 4 * PAGE, 0, 0, 0, 0, 0), HEAP_BASE);
	assert_int_equal(backed, 1); /* nothing of the refused brk stayed */
}

static void test_mmap_fixed_replaces_with_zeroes(void **state)
{
	(void)state;
	call(SYS_brk, HEAP_BASE + 2 * PAGE, 0, 0, 0, 0, 0);
	assert_int_equal(anon_mmap(HEAP_BASE, PAGE, MAP_FIXED), HEAP_BASE);
	assert_int_equal(zeroed, 1);
	assert_int_equal(anon_mmap(HEAP_BASE, PAGE, MAP_FIXED_NOREPLACE), -EEXIST);
	assert_int_equal(anon_mmap(HEAP_BASE + 5 * PAGE, PAGE, MAP_FIXED_NOREPLACE),
	                 HEAP_BASE + 5 * PAGE);
	assert_int_equal(anon_mmap(HEAP_BASE + 1, PAGE, MAP_FIXED), -EINVAL);
	assert_int_equal(anon_mmap(0x1000, PAGE, MAP_FIXED), -ENOMEM); /* outside the region */
}

static void test_mmap_refusals(void **state)
{
	(void)state;
	assert_int_equal(anon_mmap(0, 0, 0), -EINVAL);
	assert_int_equal(anon_mmap(0, (HEAP_PAGES + 1) * PAGE, 0), -ENOMEM);
	assert_int_equal(anon_mmap(0, 1ULL << 62, MAP_FIXED_NOREPLACE), -ENOMEM);
	assert_int_equal(call(SYS_mmap, 0, PAGE, PROT_READ, MAP_PRIVATE, 3, 0), -ENODEV);
	assert_int_equal(call(SYS_mmap, 0, PAGE, PROT_READ, MAP_ANONYMOUS, (uint64_t)-1, 0),
	                 -EINVAL);
	assert_int_equal(call(SYS_munmap, HEAP_BASE + 1, PAGE, 0, 0, 0, 0), -EINVAL);
	assert_int_equal(call(SYS_munmap, HEAP_BASE, 0, 0, 0, 0, 0), -EINVAL);
	/* An enormous munmap only walks the region. */
	assert_int_equal(call(SYS_munmap, 0, 1ULL << 60, 0, 0, 0, 0), 0);
	assert_int_equal(call(SYS_mremap, HEAP_BASE, PAGE, 2 * PAGE, 0, 0, 0), -ENOSYS);
	assert_int_equal(call(SYS_mprotect, HEAP_BASE, PAGE, PROT_NONE, 0, 0, 0), 0);
}

static void test_mmap_out_of_memory_changes_nothing(void **state)
{
	(void)state;
	back_budget = 2;
	assert_int_equal(anon_mmap(0, 3 * PAGE, 0), -ENOMEM);
	assert_int_equal(unmapped, 2);
	/* The two backed pages are free again: reused (zeroed), one more backed. */
	back_budget = 1;
	assert_int_equal(anon_mmap(0, 3 * PAGE, 0), HEAP_BASE + (HEAP_PAGES - 3) * PAGE);
	assert_int_equal(remapped, 2);
	assert_int_equal(backed, 3);
}

/* --- console, ioctl, clock, identity ------------------------------------ */

static void test_write_and_writev(void **state)
{
	struct iovec iov[2] = {{(void *)(USER_BASE + 0x100), 3}, {(void *)(USER_BASE + 0x200), 4}};

	(void)state;
	memcpy(&user[0x100], "abc", 3);
	memcpy(&user[0x200], "def\n", 4);
	memcpy(&user[0x300], iov, sizeof(iov));
	assert_int_equal(call(SYS_write, 1, USER_BASE + 0x100, 3, 0, 0, 0), 3);
	assert_int_equal(call(SYS_writev, 2, USER_BASE + 0x300, 2, 0, 0, 0), 7);
	assert_int_equal(console_len, 10);
	assert_memory_equal(console, "abcabcdef\n", 10);
	assert_int_equal(call(SYS_write, 7, USER_BASE, 1, 0, 0, 0), -EBADF);
	assert_int_equal(call(SYS_write, 1, 0x1000, 1, 0, 0, 0), -EFAULT);
	assert_int_equal(call(SYS_writev, 1, USER_BASE + 0x300, 1025, 0, 0, 0), -EINVAL);
	assert_int_equal(call(SYS_writev, 1, 0x1000, 1, 0, 0, 0), -EFAULT);
}

static void test_writev_checks_every_vector_first(void **state)
{
	struct iovec iov[2] = {{(void *)(USER_BASE + 0x100), 3}, {(void *)0x1000, 4}};

	(void)state;
	memcpy(&user[0x300], iov, sizeof(iov));
	assert_int_equal(call(SYS_writev, 1, USER_BASE + 0x300, 2, 0, 0, 0), -EFAULT);
	assert_int_equal(console_len, 0);
}

static void test_writes_are_bounded(void **state)
{
	struct iovec iov[40];

	(void)state;
	for (unsigned i = 0; i < 40; i++)
		iov[i] = (struct iovec){(void *)USER_BASE, 0x2000};
	memcpy(&user[0x3000 - sizeof(iov) + 0x800], iov, sizeof(iov));
	assert_int_equal(call(SYS_writev, 1, USER_BASE + 0x3000 - sizeof(iov) + 0x800, 40, 0, 0, 0),
	                 65536);
	assert_int_equal(console_len, 65536);
}

static void test_terminal_clock_identity(void **state)
{
	struct winsize ws;
	struct timespec ts;

	(void)state;
	assert_int_equal(call(SYS_ioctl, 1, TIOCGWINSZ, USER_BASE, 0, 0, 0), 0);
	memcpy(&ws, user, sizeof(ws));
	assert_int_equal(ws.ws_col, 80);
	assert_int_equal(ws.ws_row, 24);
	assert_int_equal(call(SYS_ioctl, 1, TCGETS, USER_BASE, 0, 0, 0), -ENOTTY);
	assert_int_equal(call(SYS_ioctl, 5, TIOCGWINSZ, USER_BASE, 0, 0, 0), -EBADF);
	assert_int_equal(call(SYS_ioctl, 1, TIOCGWINSZ, 0x1000, 0, 0, 0), -EFAULT);
	assert_int_equal(call(SYS_clock_gettime, CLOCK_MONOTONIC, USER_BASE, 0, 0, 0, 0), 0);
	memcpy(&ts, user, sizeof(ts));
	assert_true(ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000);
	assert_int_equal(call(SYS_clock_gettime, 99, USER_BASE, 0, 0, 0, 0), -EINVAL);
	assert_int_equal(call(SYS_clock_gettime, CLOCK_REALTIME, 0x1000, 0, 0, 0, 0), -EFAULT);
	assert_int_equal(call(SYS_getpid, 0, 0, 0, 0, 0, 0), 42);
	assert_int_equal(call(SYS_set_tid_address, USER_BASE, 0, 0, 0, 0, 0), 42);
}

static void test_unknown_and_exit(void **state)
{
	const struct ward_linux_call exit_call = {SYS_exit_group, {0x1ff, 0, 0, 0, 0, 0}};
	int64_t status;

	(void)state;
	assert_int_equal(call(SYS_socket, 2, 1, 0, 0, 0, 0), -ENOSYS);
	assert_int_equal(call(SYS_read, 0, USER_BASE, 1, 0, 0, 0), -ENOSYS);
	assert_int_equal(call(100000, 0, 0, 0, 0, 0, 0), -ENOSYS);
	assert_int_equal(call((uint64_t)-1000, 0, 0, 0, 0, 0, 0), -ENOSYS);
	assert_int_equal(ward_linux_syscall(&host, &exit_call, &status), WARD_LINUX_EXIT);
	assert_int_equal(status, 0xff); /* the status is the low 8 bits */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup(test_brk_grows_and_shrinks, reset),
	        cmocka_unit_test_setup(test_mmap_takes_the_top_and_reuses, reset),
	        cmocka_unit_test_setup(test_brk_stops_at_an_mmap, reset),
	        cmocka_unit_test_setup(test_mmap_fixed_replaces_with_zeroes, reset),
	        cmocka_unit_test_setup(test_mmap_refusals, reset),
	        cmocka_unit_test_setup(test_mmap_out_of_memory_changes_nothing, reset),
	        cmocka_unit_test_setup(test_write_and_writev, reset),
	        cmocka_unit_test_setup(test_writev_checks_every_vector_first, reset),
	        cmocka_unit_test_setup(test_writes_are_bounded, reset),
	        cmocka_unit_test_setup(test_terminal_clock_identity, reset),
	        cmocka_unit_test_setup(test_unknown_and_exit, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

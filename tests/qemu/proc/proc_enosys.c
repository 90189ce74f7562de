/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The Linux system calls Ward does not emulate fail with ENOSYS, and the
 * ones it does refuse bad arguments with the errno Linux gives, without
 * hanging or killing the process: through musl's wrappers and with the raw
 * `syscall` instruction. Prints TAP through printf.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include "ptap.h"

#define PLAN 15

static long raw_syscall(long number, long a0, long a1, long a2)
{
	long ret;

	__asm__ volatile("syscall"
	                 : "=a"(ret)
	                 : "a"(number), "D"(a0), "S"(a1), "d"(a2)
	                 : "rcx", "r11", "memory");
	return ret;
}

static bool fails_with(long ret, int err)
{
	bool ok = ret == -1 && errno == err;

	errno = 0;
	return ok;
}

static void *thread_body(void *arg)
{
	return arg;
}

static void test_unknown(void)
{
	char c;
	pthread_t t;

	ptap_ok(fails_with(syscall(SYS_socket, 2, 1, 0), ENOSYS), "socket(): -1, errno ENOSYS");
	ptap_ok(fails_with(open("/etc/passwd", O_RDONLY), ENOSYS), "open(): -1, errno ENOSYS");
	ptap_ok(fails_with(read(0, &c, 1), ENOSYS), "read() from stdin: -1, errno ENOSYS");
	ptap_ok(raw_syscall(100000, 1, 2, 3) == -ENOSYS,
	        "raw syscall 100000: rax = -ENOSYS, the process goes on");
	ptap_ok(raw_syscall(-1000, 0, 0, 0) == -ENOSYS,
	        "raw syscall -1000 (neither Ward's nor Linux's): rax = -ENOSYS");
	ptap_ok(pthread_create(&t, NULL, thread_body, NULL) != 0,
	        "pthread_create fails (one thread per process)");
}

static void test_bad_arguments(void)
{
	struct iovec bad[2] = {{(void *)"# partial\n", 10}, {(void *)0x1000, 5}};
	struct timespec ts;

	ptap_ok(fails_with(write(7, "x", 1), EBADF), "write() to fd 7: EBADF");
	ptap_ok(fails_with(write(1, (const void *)0x1000, 10), EFAULT),
	        "write() from an unmapped buffer: EFAULT");
	ptap_ok(fails_with(writev(1, bad, 2), EFAULT), "writev() with one unmapped vector: EFAULT");
	ptap_ok(fails_with(ioctl(1, TCGETS, &ts), ENOTTY), "ioctl(TCGETS): ENOTTY");
	ptap_ok(fails_with(clock_gettime(99, &ts), EINVAL), "clock_gettime(99): EINVAL");
	ptap_ok(fails_with(clock_gettime(CLOCK_MONOTONIC, (struct timespec *)0x400000), EFAULT),
	        "clock_gettime into read-only memory: EFAULT");
	ptap_ok(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 3, 0) == MAP_FAILED && errno == ENODEV,
	        "mmap of a file: ENODEV");
	errno = 0;
	ptap_ok(mmap(NULL, 1ULL << 40, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
	             0) == MAP_FAILED &&
	                errno == ENOMEM,
	        "mmap of 1 TiB: ENOMEM");
	errno = 0;
	ptap_ok(fails_with(munmap((void *)0x100000000001ULL, 4096), EINVAL),
	        "munmap of an unaligned address: EINVAL");
}

int main(void)
{
	ptap_plan(PLAN);
	test_unknown();
	test_bad_arguments();
	return ptap_exit_status();
}

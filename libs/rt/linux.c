/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The Linux system calls Ward emulates (ward/linux.h). One function per
 * call; each checks its arguments before anything changes. The numbers
 * and structures are Linux x86_64's, from musl's headers.
 */
#include <errno.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <ward/linux.h>

#define MAX_IOVECS 1024 /* Linux's UIO_MAXIOV */
#define NS_PER_S   1000000000ULL

uint64_t ward_linux_clock_ns(uint64_t tsc_hz)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	if (tsc_hz == 0)
		return 0;
	return (uint64_t)(((unsigned __int128)(((uint64_t)hi << 32) | lo) * NS_PER_S) / tsc_hz);
}

static bool is_console(uint64_t fd)
{
	return fd == 1 || fd == 2;
}

/* A write may be short (Linux allows it; musl's stdio loops): this bounds what one call costs the
 * host. */
#define WRITE_MAX 65536

static int64_t sys_write(const struct ward_linux_host *h, uint64_t fd, uint64_t va, uint64_t len)
{
	if (!is_console(fd))
		return -EBADF;
	if ((int64_t)len < 0)
		return -EINVAL;
	if (len > WRITE_MAX)
		len = WRITE_MAX;
	if (len == 0)
		return 0;
	if (!h->readable(h->ctx, va, len))
		return -EFAULT;
	return h->console(h->ctx, va, len);
}

/*
 * Goes over the first WRITE_MAX bytes the vectors name, checking them
 * (`write` false) or writing them; returns the byte count or -errno.
 */
static int64_t walk_iovecs(const struct ward_linux_host *h, uint64_t iov_va, uint64_t count,
                           bool write)
{
	struct iovec iov[16];
	uint64_t total = 0;

	for (uint64_t done = 0; done < count && total < WRITE_MAX; done += 16) {
		uint64_t n = count - done < 16 ? count - done : 16;
		if (!h->copy_in(h->ctx, iov, iov_va + done * sizeof(iov[0]), n * sizeof(iov[0])))
			return total != 0 && write ? (int64_t)total : -EFAULT;
		for (uint64_t i = 0; i < n && total < WRITE_MAX; i++) {
			uint64_t base = (uint64_t)iov[i].iov_base, len = iov[i].iov_len;
			if ((int64_t)len < 0)
				return -EINVAL;
			if (len > WRITE_MAX - total)
				len = WRITE_MAX - total;
			if (len == 0)
				continue;
			if (!write && !h->readable(h->ctx, base, len))
				return -EFAULT;
			if (write) {
				int64_t r = h->console(h->ctx, base, len);
				if (r < 0)
					return total != 0 ? (int64_t)total : r;
			}
			total += len;
		}
	}
	return (int64_t)total;
}

/* writev: every vector is checked before the first byte goes out. */
static int64_t sys_writev(const struct ward_linux_host *h, uint64_t fd, uint64_t iov_va,
                          uint64_t count)
{
	int64_t checked;

	if (!is_console(fd))
		return -EBADF;
	if (count > MAX_IOVECS)
		return -EINVAL;
	checked = walk_iovecs(h, iov_va, count, false);
	return checked < 0 ? checked : walk_iovecs(h, iov_va, count, true);
}

/* fds 0-2 are a terminal, so musl line-buffers stdout and a crash loses no finished line. */
static int64_t sys_ioctl(const struct ward_linux_host *h, uint64_t fd, uint64_t request,
                         uint64_t va)
{
	const struct winsize size = {.ws_row = 24, .ws_col = 80};

	if (fd > 2)
		return -EBADF;
	if (request != TIOCGWINSZ)
		return -ENOTTY;
	return h->copy_out(h->ctx, va, &size, sizeof(size)) ? 0 : -EFAULT;
}

static int64_t sys_clock_gettime(const struct ward_linux_host *h, uint64_t clock, uint64_t va)
{
	struct timespec ts;
	uint64_t ns;

	/* No wall clock: CLOCK_REALTIME counts from boot like the monotonic ones. */
	switch (clock) {
	case CLOCK_REALTIME:
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
		break;
	default:
		return -EINVAL;
	}
	ns = ward_linux_clock_ns(h->tsc_hz);
	ts.tv_sec = (time_t)(ns / NS_PER_S);
	ts.tv_nsec = (long)(ns % NS_PER_S);
	return h->copy_out(h->ctx, va, &ts, sizeof(ts)) ? 0 : -EFAULT;
}

/* Only private anonymous memory: there are no files to map. */
static int64_t sys_mmap(const struct ward_linux_host *h, const uint64_t *a)
{
	uint64_t addr = a[0], len = a[1], flags = a[3], offset = a[5];

	if (!(flags & MAP_ANONYMOUS))
		return -ENODEV;
	if (offset % WARD_HEAP_PAGE != 0 || !(flags & (MAP_PRIVATE | MAP_SHARED)))
		return -EINVAL;
	if (flags & MAP_FIXED_NOREPLACE) {
		if (len > h->heap->pages * WARD_HEAP_PAGE || addr + len < addr)
			return -ENOMEM;
		for (uint64_t va = addr & ~(WARD_HEAP_PAGE - 1); va < addr + len;
		     va += WARD_HEAP_PAGE)
			if (ward_heap_page_mapped(h->heap, va))
				return -EEXIST;
	}
	return ward_heap_mmap(h->heap, &h->heap_ops, addr, len,
	                      (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) != 0);
}

/* Protection is not emulated: every mapping stays read-write (docs/userspace.md). */
static int64_t sys_mprotect(uint64_t addr, uint64_t len)
{
	if (addr % WARD_HEAP_PAGE != 0 || addr + len < addr)
		return -EINVAL;
	return 0;
}

enum ward_linux_outcome ward_linux_syscall(const struct ward_linux_host *h,
                                           const struct ward_linux_call *c, int64_t *result)
{
	const uint64_t *a = c->arg;

	switch (c->nr) {
	case SYS_write:
		*result = sys_write(h, a[0], a[1], a[2]);
		break;
	case SYS_writev:
		*result = sys_writev(h, a[0], a[1], a[2]);
		break;
	case SYS_ioctl:
		*result = sys_ioctl(h, a[0], a[1], a[2]);
		break;
	case SYS_brk:
		*result = (int64_t)ward_heap_brk(h->heap, &h->heap_ops, a[0]);
		break;
	case SYS_mmap:
		*result = sys_mmap(h, a);
		break;
	case SYS_munmap:
		*result = ward_heap_munmap(h->heap, &h->heap_ops, a[0], a[1]);
		break;
	case SYS_mprotect:
	case SYS_madvise:
		*result = sys_mprotect(a[0], a[1]);
		break;
	case SYS_clock_gettime:
		*result = sys_clock_gettime(h, a[0], a[1]);
		break;
	case SYS_getpid:
	case SYS_gettid:
	case SYS_set_tid_address: /* one thread per process: its tid is the pid */
		*result = (int64_t)h->pid;
		break;
	case SYS_sched_yield:
		*result = 0;
		break;
	case SYS_exit:
	case SYS_exit_group:
		*result = (int64_t)(a[0] & 0xff);
		return WARD_LINUX_EXIT;
	default:
		*result = -ENOSYS;
		break;
	}
	return WARD_LINUX_RETURN;
}

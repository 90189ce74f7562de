/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Userspace system calls (ABI: ward/syscall.h, ward/message.h). The IPC
 * calls pass message registers 0-3 in registers; longer messages use the
 * calling thread's IPC buffer, found through ward_ipc_buffer().
 */
#ifndef WARD_SYS_H
#define WARD_SYS_H

#include <stddef.h>
#include <stdint.h>
#include <ward/bootinfo.h>
#include <ward/errors.h>
#include <ward/message.h>
#include <ward/syscall.h>

/*
 * Each thread's thread pointer (%fs:0) leads to a block whose word
 * WARD_TLS_IPC_BUFFER_WORD holds the thread's IPC buffer address
 * (libs/rt sets it for the main thread; ward_thread_block_init for others).
 */
#define WARD_TLS_BLOCK_WORDS     128
#define WARD_TLS_IPC_BUFFER_WORD 120

static inline struct ward_ipc_buffer *ward_ipc_buffer(void)
{
	struct ward_ipc_buffer *b;
	/* volatile: not to be hoisted above the call that installs the thread pointer. */
	__asm__ volatile("movq %%fs:%c1, %0" : "=r"(b) : "i"(WARD_TLS_IPC_BUFFER_WORD * 8));
	return b;
}

/* Prepares a thread block: self pointer and IPC buffer (for a new thread). */
static inline void ward_thread_block_init(uintptr_t *block, struct ward_ipc_buffer *buf)
{
	block[0] = (uintptr_t)block;
	block[WARD_TLS_IPC_BUFFER_WORD] = (uintptr_t)buf;
}

static inline long ward_syscall3(long number, long a0, long a1, long a2)
{
	long ret;
	__asm__ volatile("syscall"
	                 : "=a"(ret)
	                 : "a"(number), "D"(a0), "S"(a1), "d"(a2)
	                 : "rcx", "r11", "memory");
	return ret;
}

static inline long ward_syscall2(long number, long a0, long a1)
{
	long ret;
	__asm__ volatile("syscall"
	                 : "=a"(ret)
	                 : "a"(number), "D"(a0), "S"(a1)
	                 : "rcx", "r11", "memory");
	return ret;
}

/* --- IPC -------------------------------------------------------------- */

/*
 * The IPC calls bind message registers 0-3 straight to r10, r8, r9 and r15
 * (no intermediate structure), so a short message costs no memory traffic.
 */
#define WARD_IPC_REGS(mr)                                \
	register uint64_t r10_ __asm__("r10") = (mr)[0]; \
	register uint64_t r8_ __asm__("r8") = (mr)[1];   \
	register uint64_t r9_ __asm__("r9") = (mr)[2];   \
	register uint64_t r15_ __asm__("r15") = (mr)[3]

#define WARD_IPC_SYSCALL(number, dest, info, reply)                                               \
	uint64_t rax_ = (uint64_t)(number), rdi_ = (dest), rsi_ = (info), rdx_ = (reply);         \
	__asm__ volatile("syscall"                                                                \
	                 : "+a"(rax_), "+D"(rdi_), "+S"(rsi_), "+d"(rdx_), "+r"(r10_), "+r"(r8_), \
	                   "+r"(r9_), "+r"(r15_)                                                  \
	                 :                                                                        \
	                 : "rcx", "r11", "memory")

/* The same for Call and Send, which leave rdx (the reply object's register) alone. */
#define WARD_IPC_SYSCALL_SEND(number, dest, info)                                                \
	uint64_t rax_ = (uint64_t)(number), rdi_ = (dest), rsi_ = (info);                        \
	__asm__ volatile("syscall"                                                               \
	                 : "+a"(rax_), "+D"(rdi_), "+S"(rsi_), "+r"(r10_), "+r"(r8_), "+r"(r9_), \
	                   "+r"(r15_)                                                            \
	                 :                                                                       \
	                 : "rcx", "r11", "memory")

#define WARD_IPC_RESULTS(mr) ((mr)[0] = r10_, (mr)[1] = r8_, (mr)[2] = r9_, (mr)[3] = r15_)

static inline ward_msginfo_t ward_call(uint64_t ep, ward_msginfo_t info, uint64_t mr[4])
{
	WARD_IPC_REGS(mr);
	WARD_IPC_SYSCALL_SEND(WARD_SYS_CALL, ep, info);
	WARD_IPC_RESULTS(mr);
	(void)rdi_;
	return rsi_;
}

static inline ward_msginfo_t ward_send(uint64_t ep, ward_msginfo_t info, const uint64_t mr[4])
{
	WARD_IPC_REGS(mr);
	WARD_IPC_SYSCALL_SEND(WARD_SYS_SEND, ep, info);
	return rsi_;
}

static inline ward_msginfo_t ward_nb_send(uint64_t ep, ward_msginfo_t info, const uint64_t mr[4])
{
	WARD_IPC_REGS(mr);
	WARD_IPC_SYSCALL_SEND(WARD_SYS_NB_SEND, ep, info);
	return rsi_;
}

/* Waits on an endpoint (with reply object `reply`, 0 for none) or a notification. */
static inline ward_msginfo_t ward_recv(uint64_t src, uint64_t reply, uint64_t *badge,
                                       uint64_t mr[4])
{
	const uint64_t none[4] = {0};
	WARD_IPC_REGS(none);
	WARD_IPC_SYSCALL(WARD_SYS_RECV, src, 0, reply);
	WARD_IPC_RESULTS(mr);
	*badge = rdi_;
	return rsi_;
}

static inline ward_msginfo_t ward_nb_recv(uint64_t src, uint64_t reply, uint64_t *badge,
                                          uint64_t mr[4])
{
	const uint64_t none[4] = {0};
	WARD_IPC_REGS(none);
	WARD_IPC_SYSCALL(WARD_SYS_NB_RECV, src, 0, reply);
	WARD_IPC_RESULTS(mr);
	*badge = rdi_;
	return rsi_;
}

static inline ward_msginfo_t ward_reply(uint64_t reply, ward_msginfo_t info, const uint64_t mr[4])
{
	WARD_IPC_REGS(mr);
	WARD_IPC_SYSCALL(WARD_SYS_REPLY, 0, info, reply);
	return rsi_;
}

/* Replies through `reply`, then waits on `src` with the same reply object. */
static inline ward_msginfo_t ward_reply_recv(uint64_t src, uint64_t reply, ward_msginfo_t info,
                                             uint64_t *badge, uint64_t mr[4])
{
	WARD_IPC_REGS(mr);
	WARD_IPC_SYSCALL(WARD_SYS_REPLY_RECV, src, info, reply);
	WARD_IPC_RESULTS(mr);
	*badge = rdi_;
	return rsi_;
}

static inline void ward_signal(uint64_t ntfn)
{
	uint64_t mr[4] = {0};
	ward_send(ntfn, 0, mr);
}

/* Waits for a signal; returns the label (0, or WARD_ERR_* if the wait failed). */
static inline uint64_t ward_wait(uint64_t ntfn, uint64_t *badge)
{
	uint64_t mr[4];
	return ward_msginfo_label(ward_recv(ntfn, 0, badge, mr));
}

static inline void ward_poll(uint64_t ntfn, uint64_t *badge)
{
	uint64_t mr[4];
	ward_nb_recv(ntfn, 0, badge, mr);
}

static inline void ward_yield(void)
{
	const uint64_t none[4] = {0};
	WARD_IPC_REGS(none);
	WARD_IPC_SYSCALL(WARD_SYS_YIELD, 0, 0, 0);
	(void)rsi_;
	(void)rdi_;
}

/* --- Debug and thread-local calls -------------------------------------- */

/* Writes len bytes to the console, whole lines prefixed with this thread's name. */
static inline enum ward_error ward_debug_write(const void *buf, size_t len)
{
	return (enum ward_error)ward_syscall3(WARD_SYS_DEBUG_WRITE, (long)buf, (long)len, 0);
}

/* As ward_debug_write, but as the thread `tcb` names (its name and line buffer). */
static inline enum ward_error ward_debug_write_as(uint64_t tcb, const void *buf, size_t len)
{
	return (enum ward_error)ward_syscall3(WARD_SYS_DEBUG_WRITE, (long)buf, (long)len,
	                                      (long)tcb);
}

/*
 * Stops the machine with `status` (0 = success) if `control` names the
 * system control cap (the root task holds it in WARD_CAP_SYSTEM_CONTROL);
 * otherwise returns WARD_ERR_INVALID_CAPABILITY and nothing happens.
 */
static inline enum ward_error ward_debug_halt_with(uint64_t control, unsigned status)
{
	return (enum ward_error)ward_syscall2(WARD_SYS_DEBUG_HALT, status, (long)control);
}

/* The root task stops the machine; anyone else faults here (ud2) instead. */
__attribute__((noreturn)) static inline void ward_debug_halt(unsigned status)
{
	ward_debug_halt_with(WARD_CAP_SYSTEM_CONTROL, status);
	for (;;)
		__asm__ volatile("ud2");
}

/* The type of the cap at `cptr` (enum ward_object_type), 0 if empty or unresolvable. */
static inline unsigned ward_debug_cap_type(uint64_t cptr)
{
	return (unsigned)ward_syscall2(WARD_SYS_DEBUG_CAP_TYPE, (long)cptr, 0);
}

/* Names a thread for the console prefix (up to 15 bytes). */
static inline enum ward_error ward_debug_name(uint64_t tcb, const char *name)
{
	return (enum ward_error)ward_syscall2(WARD_SYS_DEBUG_NAME, (long)tcb, (long)name);
}

static inline enum ward_error ward_set_tls_base(uintptr_t base)
{
	return (enum ward_error)ward_syscall2(WARD_SYS_SET_TLS_BASE, (long)base, 0);
}

#endif

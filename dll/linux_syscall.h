/*
 * linux_syscall.h - a Linux x86-64 system call from PE code running under
 * Wine (the `syscall` instruction; the caller has made sure the host is
 * Linux, see offload.c).  Shared by the in-kernel copy path and the
 * benchmark's in-process cache eviction (bench/cf2bench.c).
 */
#ifndef CF2_LINUX_SYSCALL_H
#define CF2_LINUX_SYSCALL_H

#if defined(__x86_64__)
/* Returns the result, or -errno. */
static inline long long linux_syscall(long long nr, long long a, long long b, long long c,
                                      long long d, long long e, long long f)
{
    long long ret;
    register long long r10 __asm__("r10") = d;
    register long long r8 __asm__("r8") = e;
    register long long r9 __asm__("r9") = f;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}
#endif

#endif

/* rawsys.h — system calls without glibc, for code that runs on PID 1's
 * memory in another task (spawn_shared.c's child, cloned with CLONE_VM).
 *
 * glibc's wrappers set errno on failure, and errno is the thread's: such a
 * child shares PID 1's thread pointer, so a wrapper would write PID 1's
 * errno from another CPU, between PID 1's failed call and its read of it.
 * These touch nothing but their arguments' memory and return -errno.
 * x86_64 and aarch64 (the images initd is built for); elsewhere
 * RAWSYS_AVAILABLE is 0 and the callers fork instead. */
#ifndef INITD_RAWSYS_H
#define INITD_RAWSYS_H

#include <linux/sched.h>
#include <stddef.h>
#include <sys/syscall.h>

#if defined(__x86_64__) || defined(__aarch64__)
#define RAWSYS_AVAILABLE 1
#else
#define RAWSYS_AVAILABLE 0
#endif

#if RAWSYS_AVAILABLE

static inline long rawsys6(long nr, long a, long b, long c, long d, long e, long f)
{
#if defined(__x86_64__)
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
#else
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;
	register long x4 __asm__("x4") = e;
	register long x5 __asm__("x5") = f;

	__asm__ volatile("svc 0"
			 : "+r"(x0)
			 : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
			 : "memory");
	return x0;
#endif
}

/* rawsys(SYS_x, args...): one to six arguments, each cast to long. */
#define RAWSYS_ARGS_(a, b, c, d, e, f, ...) \
	(long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f)
#define rawsys(nr, ...) rawsys6((long)(nr), RAWSYS_ARGS_(__VA_ARGS__, 0, 0, 0, 0, 0, 0))

/* write(fd, buf, len), then exit_group(status) whatever it returned, with
 * nothing but registers in between: for a child whose memory may be
 * freed as soon as its write is read (spawn_shared.c). */
static inline _Noreturn void rawsys_write_exit(long fd, const void *buf, long len, long status)
{
#if defined(__x86_64__)
	register long r12 __asm__("r12") = status;
	long nr = SYS_write;

	__asm__ volatile("syscall\n"
			 "1:\n\t"
			 "mov %[exit], %%eax\n\t"
			 "mov %%r12, %%rdi\n\t"
			 "syscall\n\t"
			 "jmp 1b"
			 : "+a"(nr), "+D"(fd)
			 : "S"(buf), "d"(len), "r"(r12), [exit] "i"(SYS_exit_group)
			 : "rcx", "r11", "memory");
#else
	register long x8 __asm__("x8") = SYS_write;
	register long x0 __asm__("x0") = fd;
	register long x1 __asm__("x1") = (long)buf;
	register long x2 __asm__("x2") = len;
	register long x19 __asm__("x19") = status;

	__asm__ volatile("svc 0\n"
			 "1:\n\t"
			 "mov x8, %[exit]\n\t"
			 "mov x0, x19\n\t"
			 "svc 0\n\t"
			 "b 1b"
			 : "+r"(x8), "+r"(x0)
			 : "r"(x1), "r"(x2), "r"(x19), [exit] "i"(SYS_exit_group)
			 : "memory");
#endif
	__builtin_unreachable();
}

/* clone3(args): in the child, fn(arg) on args->stack, which fn never
 * returns from (there is no frame to return to); in the parent, the
 * child's pid or -errno. The child's first instructions are here, so
 * they are written out: the compiler's code after a system call would
 * read its locals through a stack pointer the kernel has moved. */
static inline long rawsys_clone3(struct clone_args *args, void (*fn)(void *), void *arg)
{
#if defined(__x86_64__)
	register long r12 __asm__("r12") = (long)fn;
	register long r13 __asm__("r13") = (long)arg;
	long ret;

	__asm__ volatile("syscall\n\t"
			 "test %%rax, %%rax\n\t"
			 "jnz 1f\n\t"
			 "xor %%ebp, %%ebp\n\t"
			 "mov %%r13, %%rdi\n\t"
			 "call *%%r12\n\t"
			 "ud2\n"
			 "1:"
			 : "=a"(ret)
			 : "a"((long)SYS_clone3), "D"(args), "S"(sizeof(*args)), "r"(r12), "r"(r13)
			 : "rcx", "r11", "memory", "cc");
	return ret;
#else
	register long x8 __asm__("x8") = SYS_clone3;
	register long x0 __asm__("x0") = (long)args;
	register long x1 __asm__("x1") = (long)sizeof(*args);
	register long x19 __asm__("x19") = (long)fn;
	register long x20 __asm__("x20") = (long)arg;

	__asm__ volatile("svc 0\n\t"
			 "cbnz x0, 1f\n\t"
			 "mov x29, xzr\n\t"
			 "mov x0, x20\n\t"
			 "blr x19\n\t"
			 "brk #0\n"
			 "1:"
			 : "+r"(x0)
			 : "r"(x8), "r"(x1), "r"(x19), "r"(x20)
			 : "memory", "cc", "x30");
	return x0;
#endif
}

#endif /* RAWSYS_AVAILABLE */
#endif

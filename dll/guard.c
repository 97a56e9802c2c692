/*
 * guard.c - calls into the caller's progress routine inside a frame that
 * knows how to clean up when a structured exception raised by the routine
 * unwinds through CopyFile2.
 *
 * The exception is not caught: it reaches the caller's handler, as it would
 * on Windows.  But the copy in progress would otherwise leak its handles and
 * buffer and leave a half-written destination, so the frame's handler runs
 * during the unwind (after the caller's handler chose to handle it) and gives
 * the innermost copy of this thread back to engine.c (cf2_abandon_copy), which
 * closes and deletes what it should.  Copies started from inside a routine
 * nest: each is abandoned as the unwind passes its own frame, innermost first.
 *
 * x64 uses table-based unwinding: the thunk below carries an unwind handler
 * (.seh_handler ..., @unwind).  x86 uses a frame on the fs:[0] chain.
 */
#include "internal.h"

static _Thread_local void *current_copy;

void *cf2_guard_enter(void *copy)
{
    void *outer = current_copy;
    current_copy = copy;
    return outer;
}

void cf2_guard_leave(void *outer)
{
    current_copy = outer;
}

/* The unwind reached a guarded call: abandon the copy it belongs to. */
static void unwinding(void)
{
    void *copy = current_copy;
    if (copy) {
        current_copy = cf2_abandon_copy(copy);
    }
}

#if defined(__x86_64__)

EXCEPTION_DISPOSITION cf2_guard_unwind_handler(EXCEPTION_RECORD *rec, void *frame,
                                               CONTEXT *context, void *dispatch);

EXCEPTION_DISPOSITION cf2_guard_unwind_handler(EXCEPTION_RECORD *rec, void *frame,
                                               CONTEXT *context, void *dispatch)
{
    (void)frame;
    (void)context;
    (void)dispatch;
    if (rec->ExceptionFlags & (EXCEPTION_UNWINDING | EXCEPTION_EXIT_UNWIND))
        unwinding();
    return ExceptionContinueSearch;
}

/* void cf2_guarded_call(void (*fn)(void *), void *arg): calls fn(arg) in a
 * frame whose unwind handler is cf2_guard_unwind_handler. */
__asm__(".text\n"
        ".globl cf2_guarded_call\n"
        ".def cf2_guarded_call; .scl 2; .type 32; .endef\n"
        ".seh_proc cf2_guarded_call\n"
        "cf2_guarded_call:\n"
        "    subq $40, %rsp\n"
        "    .seh_stackalloc 40\n"
        "    .seh_endprologue\n"
        "    movq %rcx, %rax\n"
        "    movq %rdx, %rcx\n"
        "    callq *%rax\n"
        "    nop\n"
        "    addq $40, %rsp\n"
        "    ret\n"
        "    .seh_handler cf2_guard_unwind_handler, @unwind\n"
        "    .seh_endproc\n");

#elif defined(__i386__)

struct frame_record {
    struct frame_record *prev;
    EXCEPTION_DISPOSITION(__cdecl *handler)(EXCEPTION_RECORD *, void *, CONTEXT *, void *);
};

static EXCEPTION_DISPOSITION __cdecl frame_handler(EXCEPTION_RECORD *rec, void *frame,
                                                  CONTEXT *context, void *dispatch)
{
    (void)frame;
    (void)context;
    (void)dispatch;
    if (rec->ExceptionFlags & (EXCEPTION_UNWINDING | EXCEPTION_EXIT_UNWIND))
        unwinding();
    return ExceptionContinueSearch;
}

void cf2_guarded_call(void (*fn)(void *), void *arg)
{
    volatile struct frame_record rec;
    rec.handler = frame_handler;
    __asm__ __volatile__("movl %%fs:0, %0" : "=r"(rec.prev));
    __asm__ __volatile__("movl %0, %%fs:0" : : "r"(&rec) : "memory");
    fn(arg);
    __asm__ __volatile__("movl %0, %%fs:0" : : "r"(rec.prev) : "memory");
}

#else
#error "guard.c supports x86-64 and x86"
#endif

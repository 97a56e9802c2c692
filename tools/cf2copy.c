/*
 * cf2copy.c - the copy tool: copies one file with CopyFile2 and shows what
 * the progress protocol reports.
 *
 *   cf2copy SRC DST [options]        (cf2copy --help lists them)
 *
 * Built for x64 and x86 into build/<arch>/cf2copy.exe, statically linked with
 * build/<arch>/libcopyfile2.a, so it needs no CopyFile2 in kernel32 (Wine 8.0
 * has none).  docs/cf2copy.md describes the options, the output formats and
 * the exit codes.
 *
 * Threads: CopyFile2 runs on the main thread and calls the progress routine
 * there.  Ctrl+C, Ctrl+Break and console close run the control handler on a
 * thread of their own; it only counts the interrupts (an interlocked counter)
 * and sets the pfCancel flag, which the progress routine and CopyFile2 read.
 * A lock orders the output of both threads only where a progress line can be
 * on screen (stdout a console), and the handler never waits long for it.
 */
#include "copyfile2.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* Exit codes (documented in --help and docs/cf2copy.md). */
enum {
    EXIT_OK = 0,        /* the copy is complete */
    EXIT_FAILED = 1,    /* CopyFile2 failed (the message says why) */
    EXIT_USAGE = 2,     /* bad command line: nothing was copied */
    EXIT_PAUSED = 3,    /* paused: the destination can be resumed with --resume */
    EXIT_CANCELLED = 4  /* cancelled: the destination was removed */
};

#define TOOL_NAME "cf2copy"

/* Redraw the progress line at most this often. */
#define REDRAW_MS 100u
/* The rate shown is measured over the last RATE_SAMPLES redraws (~3 s). */
#define RATE_SAMPLES 32

/* ------------------------------------------------------------------ text */

/* A growable UTF-8 string.  Allocation failures leave it truncated, and
 * `failed` set; output then goes out as far as it got. */
struct sbuf {
    char *p;
    size_t len, cap;
    int failed;
};

static void sb_reserve(struct sbuf *b, size_t more)
{
    if (b->failed || b->len + more + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + more + 1)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->failed = 1;
        return;
    }
    b->p = p;
    b->cap = cap;
}

static void sb_putn(struct sbuf *b, const char *s, size_t n)
{
    sb_reserve(b, n);
    if (b->failed)
        return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

static void sb_puts(struct sbuf *b, const char *s)
{
    sb_putn(b, s, strlen(s));
}

static void sb_putc(struct sbuf *b, char c)
{
    sb_putn(b, &c, 1);
}

static void sb_vprintf(struct sbuf *b, const char *fmt, va_list ap)
{
    char tmp[512];
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return;
    if ((size_t)n < sizeof tmp) {
        sb_putn(b, tmp, (size_t)n);
        return;
    }
    sb_reserve(b, (size_t)n);
    if (b->failed)
        return;
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(b, fmt, ap);
    va_end(ap);
}

/* Unsigned 64-bit decimal, without depending on the C runtime's %llu. */
static void sb_u64(struct sbuf *b, ULONGLONG v)
{
    char tmp[24];
    char *p = tmp + sizeof tmp;
    *--p = 0;
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    sb_puts(b, p);
}

static void sb_free(struct sbuf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
    b->failed = 0;
}

/* Appends a UTF-16 string as UTF-8 (unpaired surrogates become U+FFFD). */
static void sb_wide(struct sbuf *b, const wchar_t *w)
{
    int wn = (int)wcslen(w);
    if (wn == 0)
        return;
    int n = WideCharToMultiByte(CP_UTF8, 0, w, wn, NULL, 0, NULL, NULL);
    if (n <= 0)
        return;
    sb_reserve(b, (size_t)n);
    if (b->failed)
        return;
    WideCharToMultiByte(CP_UTF8, 0, w, wn, b->p + b->len, n, NULL, NULL);
    b->len += (size_t)n;
    b->p[b->len] = 0;
}

/* Appends a JSON string literal holding the UTF-8 text s. */
static void sb_json_utf8(struct sbuf *b, const char *s)
{
    sb_putc(b, '"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            sb_putc(b, '\\');
            sb_putc(b, (char)c);
        } else if (c == '\n') {
            sb_puts(b, "\\n");
        } else if (c == '\r') {
            sb_puts(b, "\\r");
        } else if (c == '\t') {
            sb_puts(b, "\\t");
        } else if (c < 0x20 || c == 0x7f) {
            sb_printf(b, "\\u%04x", c);
        } else {
            sb_putc(b, (char)c);
        }
    }
    sb_putc(b, '"');
}

static void sb_json_wide(struct sbuf *b, const wchar_t *w)
{
    struct sbuf t = {0};
    sb_wide(&t, w);
    sb_json_utf8(b, t.p ? t.p : "");
    sb_free(&t);
}

/* "1.23 MiB": three significant digits, binary units. */
static void sb_human(struct sbuf *b, double bytes)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    unsigned u = 0;
    while (bytes >= 1024.0 && u + 1 < sizeof units / sizeof units[0]) {
        bytes /= 1024.0;
        u++;
    }
    if (u == 0)
        sb_printf(b, "%u B", (unsigned)bytes);
    else if (bytes < 9.995)
        sb_printf(b, "%.2f %s", bytes, units[u]);
    else if (bytes < 99.95)
        sb_printf(b, "%.1f %s", bytes, units[u]);
    else
        sb_printf(b, "%.0f %s", bytes, units[u]);
}

/* "m:ss" or "h:mm:ss". */
static void sb_duration(struct sbuf *b, ULONGLONG seconds)
{
    if (seconds >= 3600)
        sb_printf(b, "%lu:%02u:%02u", (unsigned long)(seconds / 3600),
                  (unsigned)(seconds / 60 % 60), (unsigned)(seconds % 60));
    else
        sb_printf(b, "%u:%02u", (unsigned)(seconds / 60), (unsigned)(seconds % 60));
}

/* ------------------------------------------------------------------ output */

struct out {
    HANDLE h;
    BOOL console; /* a console: written as UTF-16 with WriteConsoleW */
};

static struct out g_stdout, g_stderr;
static CRITICAL_SECTION g_out_lock;
/* Length of the progress line on the console, 0 when none is shown; only
 * touched under g_out_lock. */
static size_t g_line_len;

static void out_init(struct out *o, DWORD which)
{
    DWORD mode;
    o->h = GetStdHandle(which);
    o->console = o->h != NULL && o->h != INVALID_HANDLE_VALUE && GetConsoleMode(o->h, &mode);
}

static void out_raw(const struct out *o, const char *s, size_t n)
{
    if (o->h == NULL || o->h == INVALID_HANDLE_VALUE || n == 0)
        return;
    if (o->console) {
        int wn = MultiByteToWideChar(CP_UTF8, 0, s, (int)n, NULL, 0);
        if (wn <= 0)
            return;
        wchar_t *w = malloc((size_t)wn * sizeof *w);
        if (!w)
            return;
        MultiByteToWideChar(CP_UTF8, 0, s, (int)n, w, wn);
        DWORD done = 0;
        for (int at = 0; at < wn; at += (int)done) {
            if (!WriteConsoleW(o->h, w + at, (DWORD)(wn - at), &done, NULL) || done == 0)
                break;
        }
        free(w);
        return;
    }
    DWORD done = 0;
    for (size_t at = 0; at < n; at += done) {
        if (!WriteFile(o->h, s + at, (DWORD)(n - at), &done, NULL) || done == 0)
            break;
    }
}

/* Ends a progress line left on the console, so other text starts afresh.
 * Caller holds g_out_lock. */
static void end_progress_line_locked(void)
{
    if (g_line_len) {
        out_raw(&g_stdout, "\n", 1);
        g_line_len = 0;
    }
}

/* Takes the output lock, waiting at most wait_ms (INFINITE: as long as it
 * takes).  The control handler waits only briefly: it must never hang behind
 * a write that blocks (a console in selection mode, a full pipe). */
static BOOL out_lock(DWORD wait_ms)
{
    if (wait_ms == INFINITE) {
        EnterCriticalSection(&g_out_lock);
        return TRUE;
    }
    ULONGLONG end = GetTickCount64() + wait_ms;
    while (!TryEnterCriticalSection(&g_out_lock)) {
        if (GetTickCount64() >= end)
            return FALSE;
        Sleep(1);
    }
    return TRUE;
}

/* Writes text.  The lock is needed only when stdout is a console, where a
 * progress line may be on screen: other text then starts on a line of its
 * own. */
static void out_text_wait(const struct out *o, const struct sbuf *b, DWORD wait_ms)
{
    BOOL locked = g_stdout.console && out_lock(wait_ms);
    if (locked && (o == &g_stderr || o->console))
        end_progress_line_locked();
    if (b->p)
        out_raw(o, b->p, b->len);
    if (locked)
        LeaveCriticalSection(&g_out_lock);
}

static void out_text(const struct out *o, const struct sbuf *b)
{
    out_text_wait(o, b, INFINITE);
}

/* Prints "cf2copy: <text>\n" on stderr. */
static void vnote(DWORD wait_ms, const char *fmt, va_list ap)
{
    struct sbuf b = {0};
    sb_puts(&b, TOOL_NAME ": ");
    sb_vprintf(&b, fmt, ap);
    sb_putc(&b, '\n');
    out_text_wait(&g_stderr, &b, wait_ms);
    sb_free(&b);
}

static void note(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vnote(INFINITE, fmt, ap);
    va_end(ap);
}

/* note() for the control handler. */
static void handler_note(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vnote(200, fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------------------ options */

struct options {
    const wchar_t *src;
    const wchar_t *dst;
    BOOL fail_if_exists, restartable, resume, unbuffered, json, quiet, help;
    BOOL have_chunk, have_rate, have_pause_after;
    ULONG chunk;             /* ioDesiredSize */
    ULONG rate;              /* ioDesiredRate, KB/s */
    ULONGLONG pause_after;   /* bytes */
};

/* Parses "123", "64K", "4M", "1G", "2T" (binary multiples; "KB", "KiB" and
 * lower case are accepted too).  Returns FALSE on anything else or overflow. */
static BOOL parse_size(const wchar_t *s, BOOL suffixes, ULONGLONG *out)
{
    ULONGLONG v = 0;
    const wchar_t *p = s;
    if (*p < L'0' || *p > L'9')
        return FALSE;
    for (; *p >= L'0' && *p <= L'9'; p++) {
        unsigned d = (unsigned)(*p - L'0');
        if (v > (~0ull - d) / 10)
            return FALSE;
        v = v * 10 + d;
    }
    if (*p == 0) {
        *out = v;
        return TRUE;
    }
    if (!suffixes)
        return FALSE;
    unsigned shift;
    switch (*p) {
    case L'k': case L'K': shift = 10; break;
    case L'm': case L'M': shift = 20; break;
    case L'g': case L'G': shift = 30; break;
    case L't': case L'T': shift = 40; break;
    case L'b': case L'B': shift = 0; break;
    default: return FALSE;
    }
    p++;
    if (shift != 0) {
        if (*p == L'i' || *p == L'I')
            p++;
        if (*p == L'b' || *p == L'B')
            p++;
    }
    if (*p != 0)
        return FALSE;
    if (shift && v > (~0ull >> shift))
        return FALSE;
    *out = v << shift;
    return TRUE;
}

static void usage_error(const char *fmt, ...);

/* "--opt: 'VALUE' <what>" */
static int bad_value(const char *opt, const wchar_t *value, const char *what)
{
    struct sbuf t = {0};
    sb_wide(&t, value);
    usage_error("%s: '%s' %s", opt, t.p ? t.p : "", what);
    sb_free(&t);
    return EXIT_USAGE;
}

static void usage_error(const char *fmt, ...)
{
    struct sbuf b = {0};
    va_list ap;
    sb_puts(&b, TOOL_NAME ": ");
    va_start(ap, fmt);
    sb_vprintf(&b, fmt, ap);
    va_end(ap);
    sb_puts(&b, "\nTry '" TOOL_NAME " --help' for more information.\n");
    out_text(&g_stderr, &b);
    sb_free(&b);
}

/* Options that take a value. */
static BOOL takes_value(const wchar_t *name)
{
    return wcscmp(name, L"--chunk") == 0 || wcscmp(name, L"--rate") == 0 ||
           wcscmp(name, L"--pause-after") == 0;
}

/* Returns -1 when the command line is valid, else the exit code. */
static int parse_args(int argc, wchar_t **argv, struct options *o)
{
    ZeroMemory(o, sizeof *o);
    BOOL no_more_options = FALSE;
    for (int i = 1; i < argc; i++) {
        const wchar_t *a = argv[i];
        if (no_more_options || a[0] != L'-' || a[1] == 0) {
            if (!o->src)
                o->src = a;
            else if (!o->dst)
                o->dst = a;
            else {
                struct sbuf t = {0};
                sb_wide(&t, a);
                usage_error("unexpected argument '%s' (only SRC and DST are taken)",
                            t.p ? t.p : "");
                sb_free(&t);
                return EXIT_USAGE;
            }
            continue;
        }
        if (wcscmp(a, L"--") == 0) {
            no_more_options = TRUE;
            continue;
        }
        /* --name=value or --name value */
        wchar_t name[32];
        const wchar_t *value = NULL;
        const wchar_t *eq = wcschr(a, L'=');
        size_t nlen = eq ? (size_t)(eq - a) : wcslen(a);
        if (nlen >= sizeof name / sizeof name[0])
            nlen = sizeof name / sizeof name[0] - 1;
        memcpy(name, a, nlen * sizeof(wchar_t));
        name[nlen] = 0;
        if (takes_value(name)) {
            if (eq)
                value = eq + 1;
            else if (i + 1 < argc)
                value = argv[++i];
            else {
                struct sbuf t = {0};
                sb_wide(&t, name);
                usage_error("option %s needs a value", t.p ? t.p : "");
                sb_free(&t);
                return EXIT_USAGE;
            }
        } else if (eq) {
            struct sbuf t = {0};
            sb_wide(&t, name);
            usage_error("option %s takes no value", t.p ? t.p : "");
            sb_free(&t);
            return EXIT_USAGE;
        }

        ULONGLONG v;
        if (wcscmp(name, L"--help") == 0 || wcscmp(name, L"-h") == 0 ||
            wcscmp(name, L"-?") == 0)
            o->help = TRUE;
        else if (wcscmp(name, L"--fail-if-exists") == 0)
            o->fail_if_exists = TRUE;
        else if (wcscmp(name, L"--restartable") == 0)
            o->restartable = TRUE;
        else if (wcscmp(name, L"--resume") == 0)
            o->resume = TRUE;
        else if (wcscmp(name, L"--unbuffered") == 0)
            o->unbuffered = TRUE;
        else if (wcscmp(name, L"--json") == 0)
            o->json = TRUE;
        else if (wcscmp(name, L"--quiet") == 0 || wcscmp(name, L"-q") == 0)
            o->quiet = TRUE;
        else if (wcscmp(name, L"--chunk") == 0) {
            if (!parse_size(value, TRUE, &v) || v > 0xFFFFFFFFull) {
                return bad_value("--chunk", value,
                                 "is not a size from 0 to 4G-1 (digits, optionally "
                                 "followed by K, M or G)");
            }
            o->have_chunk = TRUE;
            o->chunk = (ULONG)v;
        } else if (wcscmp(name, L"--rate") == 0) {
            if (!parse_size(value, FALSE, &v) || v > 0xFFFFFFFFull) {
                return bad_value("--rate", value,
                                 "is not a number of KB/s from 0 to 4294967295");
            }
            o->have_rate = TRUE;
            o->rate = (ULONG)v;
        } else if (wcscmp(name, L"--pause-after") == 0) {
            if (!parse_size(value, TRUE, &v)) {
                return bad_value("--pause-after", value,
                                 "is not a byte count (digits, optionally followed by K, "
                                 "M, G or T)");
            }
            o->have_pause_after = TRUE;
            o->pause_after = v;
        } else {
            struct sbuf t = {0};
            sb_wide(&t, a);
            usage_error("unknown option '%s'", t.p ? t.p : "");
            sb_free(&t);
            return EXIT_USAGE;
        }
    }
    if (o->help)
        return -1;
    if (!o->src || !o->dst) {
        usage_error("%s", !o->src ? "missing SRC and DST" : "missing DST");
        return EXIT_USAGE;
    }
    return -1;
}

static const char help_text[] =
    "Usage: " TOOL_NAME " SRC DST [options]\n"
    "\n"
    "Copies the file SRC to DST with CopyFile2 (this project's implementation,\n"
    "linked in), showing its progress.  Options may come before, between or after\n"
    "SRC and DST; '--' ends the options.  '--opt VALUE' and '--opt=VALUE' both work.\n"
    "\n"
    "Options:\n"
    "  --fail-if-exists  fail if DST exists (COPY_FILE_FAIL_IF_EXISTS); with --resume,\n"
    "                    a DST holding a restart header is still resumed\n"
    "  --restartable     restartable copy (COPY_FILE_RESTARTABLE): DST carries a\n"
    "                    restart header while the copy runs, and checkpoints\n"
    "  --resume          continue a paused or interrupted copy of SRC into DST\n"
    "                    (COPY_FILE_RESUME_FROM_PAUSE); without a valid restart\n"
    "                    header in DST the copy starts from the beginning\n"
    "  --unbuffered      unbuffered I/O (COPY_FILE_NO_BUFFERING)\n"
    "  --chunk SIZE      bytes per chunk (ioDesiredSize); SIZE is digits with an\n"
    "                    optional K, M or G (x1024, x1024^2, x1024^3); CopyFile2\n"
    "                    takes 4K to 1G (and 0: its default, 1M); others fail\n"
    "                    with E_INVALIDARG (exit code 1)\n"
    "  --rate KBPS       average rate limit in KB/s (ioDesiredRate); 0 means no\n"
    "                    limit; CopyFile2 rejects 1 to 511 with E_INVALIDARG\n"
    "  --pause-after N   pause (as Ctrl+C does) at the first chunk that ends with\n"
    "                    at least N bytes transferred (N takes K, M, G, T); for\n"
    "                    tests and demonstrations; not carried into the resume\n"
    "                    command that is printed\n"
    "  --json            write one JSON object per line on stdout for every\n"
    "                    progress message, then a final \"result\" object\n"
    "                    (docs/cf2copy.md describes the fields)\n"
    "  --quiet, -q       no progress line and no notes; only errors (and JSON)\n"
    "  --help, -h        this text\n"
    "\n"
    "Output: when stdout is a console, a progress line redrawn in place (percent,\n"
    "bytes copied of the total, rate, time left) and a summary.  When it is not\n"
    "(redirected to a file or a pipe), nothing but errors on stderr, or the JSON\n"
    "lines with --json.  Errors give the HRESULT, its Win32 code and the system's\n"
    "message text.\n"
    "\n"
    "Ctrl+C (or Ctrl+Break) pauses the copy at the next progress message (the end\n"
    "of the chunk in progress; within 0.1 s while --rate holds the copy back): DST\n"
    "keeps the whole chunks copied plus a restart header, and the command that\n"
    "resumes it is printed (the same command with --resume).  A second Ctrl+C\n"
    "while the copy is still running cancels instead: DST is deleted.\n"
    "\n"
    "Exit codes:\n"
    "  0  the copy is complete\n"
    "  1  the copy failed (the message gives the HRESULT and Win32 code)\n"
    "  2  bad usage: nothing was copied\n"
    "  3  paused (Ctrl+C or --pause-after): resume with --resume\n"
    "  4  cancelled (a second Ctrl+C): DST was deleted\n";

/* ------------------------------------------------------------------ the resume command */

/* Appends an argument quoted so that CommandLineToArgvW and the C runtime
 * give it back unchanged. */
static void sb_arg(struct sbuf *b, const wchar_t *arg)
{
    if (b->len)
        sb_putc(b, ' ');
    if (*arg && !wcspbrk(arg, L" \t\n\v\"")) {
        sb_wide(b, arg);
        return;
    }
    struct sbuf t = {0};
    sb_wide(&t, arg);
    sb_putc(b, '"');
    const char *s = t.p ? t.p : "";
    for (;;) {
        size_t slashes = 0;
        while (*s == '\\') {
            s++;
            slashes++;
        }
        if (*s == 0) {
            for (size_t k = 0; k < slashes * 2; k++)
                sb_putc(b, '\\');
            break;
        }
        if (*s == '"') {
            for (size_t k = 0; k < slashes * 2 + 1; k++)
                sb_putc(b, '\\');
        } else {
            for (size_t k = 0; k < slashes; k++)
                sb_putc(b, '\\');
        }
        sb_putc(b, *s++);
    }
    sb_putc(b, '"');
    sb_free(&t);
}

/* The command line that resumes this copy: the same arguments without
 * --pause-after, plus --resume. */
static void resume_command(struct sbuf *b, int argc, wchar_t **argv, const struct options *o)
{
    BOOL no_more_options = FALSE;
    sb_arg(b, argv[0]);
    for (int i = 1; i < argc; i++) {
        const wchar_t *a = argv[i];
        if (!no_more_options && a[0] == L'-') {
            if (wcscmp(a, L"--") == 0) {
                /* Put --resume before "--" so it is still an option. */
                if (!o->resume)
                    sb_arg(b, L"--resume");
                no_more_options = TRUE;
                sb_arg(b, a);
                continue;
            }
            if (wcscmp(a, L"--pause-after") == 0) {
                i++;
                continue;
            }
            if (wcsncmp(a, L"--pause-after=", 14) == 0)
                continue;
            if (takes_value(a) && i + 1 < argc) {
                sb_arg(b, a);
                sb_arg(b, argv[++i]);
                continue;
            }
        }
        sb_arg(b, a);
    }
    if (!o->resume && !no_more_options)
        sb_arg(b, L"--resume");
}

/* ------------------------------------------------------------------ Ctrl+C */

/* Interrupts received: 1 asks for a pause, 2 or more for cancellation. */
static volatile LONG g_interrupts;
/* pfCancel: set by the second interrupt; read by CopyFile2 as volatile. */
static BOOL g_cancel;
/* Set once CopyFile2 has returned (a console-close handler waits for it). */
static HANDLE g_copy_done;
static BOOL g_quiet;

static BOOL WINAPI ctrl_handler(DWORD type)
{
    switch (type) {
    case CTRL_C_EVENT:
    case CTRL_BREAK_EVENT: {
        /* Once CopyFile2 has returned, the outcome is decided: ignore it. */
        if (g_copy_done && WaitForSingleObject(g_copy_done, 0) == WAIT_OBJECT_0)
            return TRUE;
        LONG n = InterlockedIncrement(&g_interrupts);
        if (n == 1) {
            if (!g_quiet)
                handler_note("interrupt: pausing (press Ctrl+C again to cancel)");
        } else if (n == 2) {
            *(volatile BOOL *)&g_cancel = TRUE;
            if (!g_quiet)
                handler_note("second interrupt: cancelling");
        }
        return TRUE;
    }
    case CTRL_CLOSE_EVENT:
    case CTRL_SHUTDOWN_EVENT:
        /* The process ends when this returns: pause, and give the copy a few
         * seconds to write its restart header. */
        InterlockedCompareExchange(&g_interrupts, 1, 0);
        if (g_copy_done)
            WaitForSingleObject(g_copy_done, 4000);
        return FALSE;
    default:
        return FALSE;
    }
}

static LONG interrupts(void)
{
    return InterlockedCompareExchange(&g_interrupts, 0, 0);
}

/* ------------------------------------------------------------------ progress */

struct state {
    const struct options *opt;
    BOOL show_line;          /* the progress line is drawn on the console */
    ULONGLONG t0;            /* GetTickCount64() when CopyFile2 was called */
    ULONGLONG last_draw;
    BOOL known;              /* bytes/total below hold values from a message */
    ULONGLONG bytes;         /* total bytes transferred, as last reported */
    ULONGLONG total;         /* total file size */
    BOOL have_base;
    ULONGLONG base;          /* bytes already in place when this run began (resume) */
    BOOL paused_by_option;   /* --pause-after triggered */
    BOOL have_chunk_end;
    ULONGLONG chunk_end;     /* total bytes at the last CHUNK_FINISHED: what a pause keeps */
    /* rate samples, a ring */
    ULONGLONG s_time[RATE_SAMPLES], s_bytes[RATE_SAMPLES];
    unsigned s_count, s_next;
};

static const char *type_name(COPYFILE2_MESSAGE_TYPE t)
{
    switch (t) {
    case COPYFILE2_CALLBACK_CHUNK_STARTED: return "chunk_started";
    case COPYFILE2_CALLBACK_CHUNK_FINISHED: return "chunk_finished";
    case COPYFILE2_CALLBACK_STREAM_STARTED: return "stream_started";
    case COPYFILE2_CALLBACK_STREAM_FINISHED: return "stream_finished";
    case COPYFILE2_CALLBACK_POLL_CONTINUE: return "poll_continue";
    case COPYFILE2_CALLBACK_ERROR: return "error";
    default: return "unknown";
    }
}

static const char *phase_name(COPYFILE2_COPY_PHASE p)
{
    switch (p) {
    case COPYFILE2_PHASE_NONE: return "none";
    case COPYFILE2_PHASE_PREPARE_SOURCE: return "prepare_source";
    case COPYFILE2_PHASE_PREPARE_DEST: return "prepare_dest";
    case COPYFILE2_PHASE_READ_SOURCE: return "read_source";
    case COPYFILE2_PHASE_WRITE_DESTINATION: return "write_destination";
    case COPYFILE2_PHASE_SERVER_COPY: return "server_copy";
    case COPYFILE2_PHASE_NAMEGRAFT_COPY: return "namegraft_copy";
    default: return "unknown";
    }
}

static const char *action_name(COPYFILE2_MESSAGE_ACTION a)
{
    switch (a) {
    case COPYFILE2_PROGRESS_CONTINUE: return "continue";
    case COPYFILE2_PROGRESS_CANCEL: return "cancel";
    case COPYFILE2_PROGRESS_STOP: return "stop";
    case COPYFILE2_PROGRESS_QUIET: return "quiet";
    case COPYFILE2_PROGRESS_PAUSE: return "pause";
    default: return "unknown";
    }
}

static void json_field_u64(struct sbuf *b, const char *name, ULONGLONG v)
{
    sb_printf(b, ",\"%s\":", name);
    sb_u64(b, v);
}

static void json_hresult(struct sbuf *b, HRESULT hr)
{
    sb_printf(b, ",\"hresult\":\"0x%08lX\"", (unsigned long)(ULONG)hr);
}

static void json_message(const struct state *s, const COPYFILE2_MESSAGE *m,
                         COPYFILE2_MESSAGE_ACTION action)
{
    struct sbuf b = {0};
    sb_printf(&b, "{\"type\":\"%s\"", type_name(m->Type));
    json_field_u64(&b, "elapsed_ms", GetTickCount64() - s->t0);
    switch (m->Type) {
    case COPYFILE2_CALLBACK_STREAM_STARTED:
        json_field_u64(&b, "stream_number", m->Info.StreamStarted.dwStreamNumber);
        json_field_u64(&b, "stream_size", m->Info.StreamStarted.uliStreamSize.QuadPart);
        json_field_u64(&b, "total_file_size", m->Info.StreamStarted.uliTotalFileSize.QuadPart);
        break;
    case COPYFILE2_CALLBACK_CHUNK_STARTED:
        json_field_u64(&b, "stream_number", m->Info.ChunkStarted.dwStreamNumber);
        json_field_u64(&b, "chunk_number", m->Info.ChunkStarted.uliChunkNumber.QuadPart);
        json_field_u64(&b, "chunk_size", m->Info.ChunkStarted.uliChunkSize.QuadPart);
        json_field_u64(&b, "stream_size", m->Info.ChunkStarted.uliStreamSize.QuadPart);
        json_field_u64(&b, "total_file_size", m->Info.ChunkStarted.uliTotalFileSize.QuadPart);
        break;
    case COPYFILE2_CALLBACK_CHUNK_FINISHED:
        json_field_u64(&b, "stream_number", m->Info.ChunkFinished.dwStreamNumber);
        json_field_u64(&b, "flags", m->Info.ChunkFinished.dwFlags);
        json_field_u64(&b, "chunk_number", m->Info.ChunkFinished.uliChunkNumber.QuadPart);
        json_field_u64(&b, "chunk_size", m->Info.ChunkFinished.uliChunkSize.QuadPart);
        json_field_u64(&b, "stream_size", m->Info.ChunkFinished.uliStreamSize.QuadPart);
        json_field_u64(&b, "stream_bytes_transferred",
                       m->Info.ChunkFinished.uliStreamBytesTransferred.QuadPart);
        json_field_u64(&b, "total_file_size", m->Info.ChunkFinished.uliTotalFileSize.QuadPart);
        json_field_u64(&b, "total_bytes_transferred",
                       m->Info.ChunkFinished.uliTotalBytesTransferred.QuadPart);
        break;
    case COPYFILE2_CALLBACK_STREAM_FINISHED:
        json_field_u64(&b, "stream_number", m->Info.StreamFinished.dwStreamNumber);
        json_field_u64(&b, "stream_size", m->Info.StreamFinished.uliStreamSize.QuadPart);
        json_field_u64(&b, "stream_bytes_transferred",
                       m->Info.StreamFinished.uliStreamBytesTransferred.QuadPart);
        json_field_u64(&b, "total_file_size", m->Info.StreamFinished.uliTotalFileSize.QuadPart);
        json_field_u64(&b, "total_bytes_transferred",
                       m->Info.StreamFinished.uliTotalBytesTransferred.QuadPart);
        break;
    case COPYFILE2_CALLBACK_ERROR:
        sb_printf(&b, ",\"copy_phase\":\"%s\"", phase_name(m->Info.Error.CopyPhase));
        json_field_u64(&b, "stream_number", m->Info.Error.dwStreamNumber);
        json_hresult(&b, m->Info.Error.hrFailure);
        json_field_u64(&b, "win32",
                       HRESULT_FACILITY(m->Info.Error.hrFailure) == FACILITY_WIN32
                           ? (ULONGLONG)HRESULT_CODE(m->Info.Error.hrFailure)
                           : 0);
        json_field_u64(&b, "chunk_number", m->Info.Error.uliChunkNumber.QuadPart);
        json_field_u64(&b, "stream_size", m->Info.Error.uliStreamSize.QuadPart);
        json_field_u64(&b, "stream_bytes_transferred",
                       m->Info.Error.uliStreamBytesTransferred.QuadPart);
        json_field_u64(&b, "total_file_size", m->Info.Error.uliTotalFileSize.QuadPart);
        json_field_u64(&b, "total_bytes_transferred",
                       m->Info.Error.uliTotalBytesTransferred.QuadPart);
        break;
    case COPYFILE2_CALLBACK_POLL_CONTINUE:
        break;
    default:
        json_field_u64(&b, "message_type", (ULONGLONG)(ULONG)m->Type);
        break;
    }
    sb_printf(&b, ",\"action\":\"%s\"}\n", action_name(action));
    out_text(&g_stdout, &b);
    sb_free(&b);
}

/* Rate over the recent samples, in bytes per second; < 0 when unknown. */
static double recent_rate(struct state *s, ULONGLONG now)
{
    if (s->s_count == 0) { /* the run's start is the first sample */
        s->s_time[0] = s->t0;
        s->s_bytes[0] = s->base;
        s->s_next = 1;
        s->s_count = 1;
    }
    unsigned slot = s->s_next;
    s->s_time[slot] = now;
    s->s_bytes[slot] = s->bytes;
    s->s_next = (slot + 1) % RATE_SAMPLES;
    if (s->s_count < RATE_SAMPLES)
        s->s_count++;
    unsigned oldest = (s->s_next + RATE_SAMPLES - s->s_count) % RATE_SAMPLES;
    ULONGLONG dt = now - s->s_time[oldest];
    if (dt < 250)
        return -1.0;
    return (double)(s->bytes - s->s_bytes[oldest]) * 1000.0 / (double)dt;
}

static void draw_line(struct state *s, ULONGLONG now, BOOL final)
{
    struct sbuf b = {0};
    double pct = s->total ? (double)s->bytes * 100.0 / (double)s->total : 100.0;
    sb_putc(&b, '\r');
    sb_printf(&b, "%5.1f%%  ", pct);
    sb_human(&b, (double)s->bytes);
    sb_puts(&b, " of ");
    sb_human(&b, (double)s->total);
    sb_puts(&b, "  ");
    if (final) {
        ULONGLONG ms = now - s->t0;
        double done = (double)(s->bytes - s->base);
        if (ms > 0) {
            sb_human(&b, done * 1000.0 / (double)ms);
            sb_puts(&b, "/s  ");
        }
        sb_printf(&b, "done in %.1f s", (double)ms / 1000.0);
    } else {
        double rate = recent_rate(s, now);
        if (rate > 0.0) {
            sb_human(&b, rate);
            sb_puts(&b, "/s  ");
            sb_duration(&b, (ULONGLONG)((double)(s->total - s->bytes) / rate + 0.5));
            sb_puts(&b, " left");
        } else {
            sb_puts(&b, "--/s  --:-- left");
        }
    }
    size_t len = b.len - 1; /* without the \r */
    EnterCriticalSection(&g_out_lock);
    /* Blank out the rest of a longer previous line. */
    for (size_t k = len; k < g_line_len; k++)
        sb_putc(&b, ' ');
    if (b.p)
        out_raw(&g_stdout, b.p, b.len);
    g_line_len = len ? len : 1;
    if (final) {
        out_raw(&g_stdout, "\n", 1);
        g_line_len = 0;
    }
    LeaveCriticalSection(&g_out_lock);
    sb_free(&b);
}

static void track(struct state *s, const COPYFILE2_MESSAGE *m)
{
    switch (m->Type) {
    case COPYFILE2_CALLBACK_STREAM_STARTED:
        s->total = m->Info.StreamStarted.uliTotalFileSize.QuadPart;
        if (!s->opt->resume) {
            /* A fresh copy starts at 0; a resumed one reveals where it
             * starts with its first CHUNK_FINISHED. */
            s->known = s->have_base = TRUE;
            s->bytes = s->base = 0;
        }
        break;
    case COPYFILE2_CALLBACK_CHUNK_STARTED:
        s->total = m->Info.ChunkStarted.uliTotalFileSize.QuadPart;
        break;
    case COPYFILE2_CALLBACK_CHUNK_FINISHED:
        s->total = m->Info.ChunkFinished.uliTotalFileSize.QuadPart;
        s->bytes = m->Info.ChunkFinished.uliTotalBytesTransferred.QuadPart;
        s->known = TRUE;
        s->have_chunk_end = TRUE;
        s->chunk_end = s->bytes;
        if (!s->have_base) {
            /* Where this run began: after a resume, not at 0. */
            s->have_base = TRUE;
            s->base = s->bytes - m->Info.ChunkFinished.uliChunkSize.QuadPart;
        }
        break;
    case COPYFILE2_CALLBACK_STREAM_FINISHED:
        s->total = m->Info.StreamFinished.uliTotalFileSize.QuadPart;
        s->bytes = m->Info.StreamFinished.uliTotalBytesTransferred.QuadPart;
        s->known = TRUE;
        if (!s->have_base) { /* no chunk in this run: nothing was left to copy */
            s->have_base = TRUE;
            s->base = s->bytes;
        }
        break;
    case COPYFILE2_CALLBACK_ERROR:
        s->total = m->Info.Error.uliTotalFileSize.QuadPart;
        s->bytes = m->Info.Error.uliTotalBytesTransferred.QuadPart;
        s->known = TRUE;
        break;
    default:
        break;
    }
}

static COPYFILE2_MESSAGE_ACTION CALLBACK on_progress(const COPYFILE2_MESSAGE *m, PVOID ctx)
{
    struct state *s = ctx;
    COPYFILE2_MESSAGE_ACTION action = COPYFILE2_PROGRESS_CONTINUE;
    LONG n = interrupts();

    track(s, m);
    if (n >= 2)
        action = COPYFILE2_PROGRESS_CANCEL;
    else if (n == 1)
        action = COPYFILE2_PROGRESS_PAUSE;
    else if (s->opt->have_pause_after && m->Type == COPYFILE2_CALLBACK_CHUNK_FINISHED &&
             m->Info.ChunkFinished.uliTotalBytesTransferred.QuadPart >= s->opt->pause_after) {
        action = COPYFILE2_PROGRESS_PAUSE;
        s->paused_by_option = TRUE;
    }

    if (s->opt->json)
        json_message(s, m, action);
    if (s->show_line && s->known) {
        ULONGLONG now = GetTickCount64();
        if (s->last_draw == 0 || now - s->last_draw >= REDRAW_MS) {
            s->last_draw = now;
            draw_line(s, now, FALSE);
        }
    }
    return action;
}

/* ------------------------------------------------------------------ results */

/* The system's message text for hr (or its Win32 code), without the final
 * line break.  Returns an empty string when there is none. */
static void sb_system_message(struct sbuf *b, HRESULT hr, DWORD win32)
{
    wchar_t *text = NULL;
    DWORD flags = FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS |
                  FORMAT_MESSAGE_ALLOCATE_BUFFER;
    DWORD n = FormatMessageW(flags, NULL, (DWORD)hr, 0, (LPWSTR)&text, 0, NULL);
    if (n == 0 && win32 != 0)
        n = FormatMessageW(flags, NULL, win32, 0, (LPWSTR)&text, 0, NULL);
    if (n == 0 || !text) {
        if (text)
            LocalFree(text);
        return;
    }
    while (n > 0 && (text[n - 1] == L'\r' || text[n - 1] == L'\n' || text[n - 1] == L' '))
        text[--n] = 0;
    sb_wide(b, text);
    LocalFree(text);
}

enum status { ST_OK, ST_FAILED, ST_PAUSED, ST_CANCELLED };

static const char *status_name(enum status st)
{
    switch (st) {
    case ST_OK: return "success";
    case ST_FAILED: return "failed";
    case ST_PAUSED: return "paused";
    case ST_CANCELLED: return "cancelled";
    }
    return "unknown";
}

int wmain(int argc, wchar_t **argv)
{
    InitializeCriticalSection(&g_out_lock);
    out_init(&g_stdout, STD_OUTPUT_HANDLE);
    out_init(&g_stderr, STD_ERROR_HANDLE);

    struct options opt;
    int rc = parse_args(argc, argv, &opt);
    if (rc >= 0)
        return rc;
    if (opt.help) {
        struct sbuf b = {0};
        sb_puts(&b, help_text);
        out_text(&g_stdout, &b);
        sb_free(&b);
        return EXIT_OK;
    }
    g_quiet = opt.quiet;

    struct state st;
    ZeroMemory(&st, sizeof st);
    st.opt = &opt;
    st.show_line = g_stdout.console && !opt.quiet && !opt.json;

    DWORD flags = 0;
    if (opt.fail_if_exists)
        flags |= COPY_FILE_FAIL_IF_EXISTS;
    if (opt.restartable)
        flags |= COPY_FILE_RESTARTABLE;
    if (opt.resume)
        flags |= COPY_FILE_RESUME_FROM_PAUSE;
    if (opt.unbuffered)
        flags |= COPY_FILE_NO_BUFFERING;

    /* The V2 structure only when its fields are asked for. */
    COPYFILE2_EXTENDED_PARAMETERS_V2 v2;
    ZeroMemory(&v2, sizeof v2);
    v2.dwSize = sizeof v2;
    v2.dwCopyFlags = flags;
    v2.pfCancel = &g_cancel;
    v2.pProgressRoutine = on_progress;
    v2.pvCallbackContext = &st;
    v2.ioDesiredSize = opt.chunk;
    v2.ioDesiredRate = opt.rate;
    COPYFILE2_EXTENDED_PARAMETERS v1;
    ZeroMemory(&v1, sizeof v1);
    v1.dwSize = sizeof v1;
    v1.dwCopyFlags = flags;
    v1.pfCancel = &g_cancel;
    v1.pProgressRoutine = on_progress;
    v1.pvCallbackContext = &st;
    COPYFILE2_EXTENDED_PARAMETERS *params =
        (opt.have_chunk || opt.have_rate) ? (COPYFILE2_EXTENDED_PARAMETERS *)&v2 : &v1;

    /* Started in a new process group, Ctrl+C arrives disabled: enable it. */
    g_copy_done = CreateEventW(NULL, TRUE, FALSE, NULL);
    SetConsoleCtrlHandler(NULL, FALSE);
    SetConsoleCtrlHandler(ctrl_handler, TRUE);

    st.t0 = GetTickCount64();
    HRESULT hr = CopyFile2(opt.src, opt.dst, params);
    DWORD last_error = GetLastError();
    ULONGLONG t1 = GetTickCount64();
    if (g_copy_done)
        SetEvent(g_copy_done);
    LONG n = interrupts();

    DWORD win32 = HRESULT_FACILITY(hr) == FACILITY_WIN32 ? (DWORD)HRESULT_CODE(hr)
                  : SUCCEEDED(hr)                        ? 0
                                                         : last_error;
    enum status status;
    if (SUCCEEDED(hr))
        status = ST_OK;
    else if (hr == HRESULT_FROM_WIN32(ERROR_REQUEST_ABORTED) && n >= 2)
        status = ST_CANCELLED;
    else if (hr == HRESULT_FROM_WIN32(ERROR_REQUEST_PAUSED))
        status = n >= 2 ? ST_CANCELLED : ST_PAUSED;
    else
        status = ST_FAILED;

    /* A second interrupt that came while the pause was being written: the
     * copy is cancelled after all, so its fragment goes too. */
    DWORD delete_error = 0;
    if (status == ST_CANCELLED && hr == HRESULT_FROM_WIN32(ERROR_REQUEST_PAUSED)) {
        if (!DeleteFileW(opt.dst))
            delete_error = GetLastError();
    }

    if (status == ST_OK && st.show_line) {
        draw_line(&st, t1, TRUE); /* 100%, the average rate, the time taken */
    } else {
        EnterCriticalSection(&g_out_lock);
        end_progress_line_locked();
        LeaveCriticalSection(&g_out_lock);
    }

    struct sbuf msg = {0};
    sb_system_message(&msg, hr, win32);
    struct sbuf resume = {0};
    if (status == ST_PAUSED)
        resume_command(&resume, argc, argv, &opt);

    switch (status) {
    case ST_OK:
        if (n >= 1 && !opt.quiet)
            note("the interrupt came after the last chunk: the copy is complete");
        break;
    case ST_FAILED: {
        struct sbuf b = {0};
        sb_puts(&b, TOOL_NAME ": cannot copy \"");
        sb_wide(&b, opt.src);
        sb_puts(&b, "\" to \"");
        sb_wide(&b, opt.dst);
        sb_putc(&b, '"');
        sb_printf(&b, ": HRESULT 0x%08lX, Win32 error %lu: ", (unsigned long)(ULONG)hr,
                  (unsigned long)win32);
        sb_puts(&b, msg.len ? msg.p : "(the system has no message text for this code)");
        sb_putc(&b, '\n');
        out_text(&g_stderr, &b);
        sb_free(&b);
        break;
    }
    case ST_PAUSED:
        if (!opt.quiet) {
            struct sbuf b = {0};
            sb_puts(&b, TOOL_NAME ": paused");
            if (st.known) {
                sb_puts(&b, " at ");
                sb_human(&b, (double)st.bytes);
                sb_puts(&b, " of ");
                sb_human(&b, (double)st.total);
            }
            sb_puts(&b, st.paused_by_option ? " (--pause-after)" : " (interrupt)");
            if (st.have_chunk_end) {
                sb_puts(&b, "; the destination keeps the first ");
                sb_human(&b, (double)st.chunk_end);
                sb_puts(&b, " (whole chunks) and a restart header");
            } else {
                sb_puts(&b, "; no chunk was completed in this run; the destination holds a "
                            "restart header");
            }
            sb_puts(&b, " (HRESULT 0x80070BEA).\n");
            sb_puts(&b, TOOL_NAME ": resume with: ");
            sb_puts(&b, resume.p ? resume.p : "");
            sb_putc(&b, '\n');
            out_text(&g_stderr, &b);
            sb_free(&b);
        }
        break;
    case ST_CANCELLED:
        if (delete_error)
            note("cancelled, but the paused destination could not be deleted (Win32 error "
                 "%lu)", (unsigned long)delete_error);
        else if (!opt.quiet)
            note("cancelled: the destination was deleted (HRESULT 0x%08lX)",
                 (unsigned long)(ULONG)hr);
        break;
    }

    static const int codes[] = {EXIT_OK, EXIT_FAILED, EXIT_PAUSED, EXIT_CANCELLED};
    int exit_code = codes[status];

    if (opt.json) {
        struct sbuf b = {0};
        sb_printf(&b, "{\"type\":\"result\",\"status\":\"%s\",\"exit_code\":%d",
                  status_name(status), exit_code);
        json_hresult(&b, hr);
        json_field_u64(&b, "win32", win32);
        sb_puts(&b, ",\"message\":");
        sb_json_utf8(&b, msg.p ? msg.p : "");
        sb_puts(&b, ",\"source\":");
        sb_json_wide(&b, opt.src);
        sb_puts(&b, ",\"destination\":");
        sb_json_wide(&b, opt.dst);
        json_field_u64(&b, "total_bytes_transferred", st.bytes);
        json_field_u64(&b, "total_file_size", st.total);
        json_field_u64(&b, "elapsed_ms", t1 - st.t0);
        if (status == ST_PAUSED) {
            sb_puts(&b, ",\"resume_command\":");
            sb_json_utf8(&b, resume.p ? resume.p : "");
        }
        sb_puts(&b, "}\n");
        out_text(&g_stdout, &b);
        sb_free(&b);
    }

    sb_free(&msg);
    sb_free(&resume);
    return exit_code;
}

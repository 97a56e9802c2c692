/*
 * ctrlc_test.c - checks cf2copy's Ctrl+C behaviour with real console control
 * events.
 *
 *   ctrlc_test.exe CF2COPY.EXE WORKDIR
 *
 * cf2copy is started in a new process group on this program's console, and
 * GenerateConsoleCtrlEvent sends it the events: one event pauses the copy
 * (exit code 3, a destination with a restart header, a printed command that
 * resumes it, and that command completes the copy byte for byte); two events
 * cancel it (exit code 4, no destination).
 *
 * How the events are delivered here (see docs/cf2copy.md, "Testing Ctrl+C"):
 * - A console is needed.  Run without one (stdout redirected to a file, as
 *   tools/wine-run.sh does), this program starts itself again with
 *   CREATE_NO_WINDOW: Windows and Wine then give the new process a console
 *   without a window (Wine 8.0 runs conhost.exe --headless).  AllocConsole is
 *   no use under a headless Wine: its conhost wants a window and fails.
 * - CTRL_BREAK_EVENT is what reaches one process group on Windows (a
 *   CTRL_C_EVENT for a non-zero group is dropped there).  Wine 8.0's server
 *   supports only CTRL_C_EVENT (the break event fails with
 *   ERROR_INVALID_HANDLE) and does deliver it to the given group.  So the
 *   break event is tried first and CTRL_C_EVENT is the fallback.
 * - Wine delivers each event as a Unix SIGINT to the target process; two
 *   signals sent back to back can merge into one.  So the second event is
 *   sent only once the first has been acknowledged (cf2copy's note on
 *   stderr).
 * - The copy must not finish or pause before the events arrive.  cf2copy's
 *   stdout (--json) is a pipe that this program stops reading: the copy then
 *   blocks in its progress routine, on the write of a JSON line, between two
 *   messages.  The events are sent while it is blocked, and reading resumes
 *   afterwards; the next progress message sees them.  A third case runs
 *   without that gate, with --rate 512, as a user would see it.
 */
#include <windows.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#define SRC_SIZE (8u * 1024u * 1024u + 12345u)
#define WAIT_MS 30000u
#define PIPE_SIZE 4096u

static int failures;
static int checks;
static DWORD g_event = CTRL_BREAK_EVENT;
static BOOL g_event_known;

static void check(BOOL ok, const char *fmt, ...)
{
    va_list ap;
    checks++;
    if (!ok)
        failures++;
    printf("%s - ", ok ? "ok" : "not ok");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
}

/* ------------------------------------------------------------------ files */

static BOOL write_source(const wchar_t *path)
{
    HANDLE h = CreateFileW(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
    if (h == INVALID_HANDLE_VALUE)
        return FALSE;
    static unsigned char buf[65536];
    unsigned long long x = 0x9E3779B97F4A7C15ull;
    DWORD left = SRC_SIZE;
    BOOL ok = TRUE;
    while (left && ok) {
        DWORD n = left < sizeof buf ? left : (DWORD)sizeof buf;
        for (DWORD i = 0; i < n; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            buf[i] = (unsigned char)(x >> 24);
        }
        DWORD w;
        ok = WriteFile(h, buf, n, &w, NULL) && w == n;
        left -= n;
    }
    CloseHandle(h);
    return ok;
}

static BOOL exists(const wchar_t *path)
{
    return GetFileAttributesW(path) != INVALID_FILE_ATTRIBUTES;
}

static long long file_size(const wchar_t *path)
{
    WIN32_FILE_ATTRIBUTE_DATA d;
    if (!GetFileAttributesExW(path, GetFileExInfoStandard, &d))
        return -1;
    return ((long long)d.nFileSizeHigh << 32) | d.nFileSizeLow;
}

static BOOL same_content(const wchar_t *a, const wchar_t *b)
{
    HANDLE ha = CreateFileW(a, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    HANDLE hb = CreateFileW(b, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    BOOL same = ha != INVALID_HANDLE_VALUE && hb != INVALID_HANDLE_VALUE;
    static char ba[65536], bb[65536];
    while (same) {
        DWORD ra = 0, rb = 0;
        if (!ReadFile(ha, ba, sizeof ba, &ra, NULL) || !ReadFile(hb, bb, sizeof bb, &rb, NULL)) {
            same = FALSE;
            break;
        }
        if (ra != rb || memcmp(ba, bb, ra) != 0)
            same = FALSE;
        if (ra == 0)
            break;
    }
    if (ha != INVALID_HANDLE_VALUE)
        CloseHandle(ha);
    if (hb != INVALID_HANDLE_VALUE)
        CloseHandle(hb);
    return same;
}

/* Whole content of a (small, UTF-8) file, NUL-terminated; "" if absent. */
static char *slurp(const wchar_t *path)
{
    HANDLE h = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                           NULL, OPEN_EXISTING, 0, NULL);
    size_t cap = 4096, len = 0;
    char *p = malloc(cap);
    if (!p)
        abort();
    p[0] = 0;
    if (h == INVALID_HANDLE_VALUE)
        return p;
    for (;;) {
        if (cap - len < 4097) {
            cap *= 2;
            p = realloc(p, cap);
            if (!p)
                abort();
        }
        DWORD r = 0;
        if (!ReadFile(h, p + len, 4096, &r, NULL) || r == 0)
            break;
        len += r;
    }
    p[len] = 0;
    CloseHandle(h);
    return p;
}

static BOOL file_contains(const wchar_t *path, const char *needle)
{
    char *s = slurp(path);
    BOOL found = strstr(s, needle) != NULL;
    free(s);
    return found;
}

/* Waits until the file holds `needle`, up to ms milliseconds. */
static BOOL wait_file_contains(const wchar_t *path, const char *needle, DWORD ms)
{
    ULONGLONG end = GetTickCount64() + ms;
    for (;;) {
        if (file_contains(path, needle))
            return TRUE;
        if (GetTickCount64() >= end)
            return FALSE;
        Sleep(5);
    }
}

/* ------------------------------------------------------------------ the child */

struct child {
    PROCESS_INFORMATION pi;
    HANDLE out_read;    /* our end of the child's stdout pipe */
    HANDLE gate;        /* manual-reset event: set = the reader may read */
    HANDLE reader;
    CRITICAL_SECTION lock;
    char *out;          /* what was read from the child's stdout */
    size_t out_len, out_cap;
    wchar_t err_path[MAX_PATH];
};

static DWORD WINAPI reader_main(void *arg)
{
    struct child *c = arg;
    char buf[4096];
    for (;;) {
        WaitForSingleObject(c->gate, INFINITE);
        DWORD r = 0;
        if (!ReadFile(c->out_read, buf, sizeof buf, &r, NULL) || r == 0)
            break;
        EnterCriticalSection(&c->lock);
        if (c->out_len + r + 1 > c->out_cap) {
            while (c->out_len + r + 1 > c->out_cap)
                c->out_cap = c->out_cap ? c->out_cap * 2 : 65536;
            c->out = realloc(c->out, c->out_cap);
            if (!c->out)
                abort();
        }
        memcpy(c->out + c->out_len, buf, r);
        c->out_len += r;
        c->out[c->out_len] = 0;
        LeaveCriticalSection(&c->lock);
    }
    return 0;
}

static BOOL child_out_contains(struct child *c, const char *needle)
{
    EnterCriticalSection(&c->lock);
    BOOL found = c->out && strstr(c->out, needle) != NULL;
    LeaveCriticalSection(&c->lock);
    return found;
}

/* Starts `cmdline` in a new process group, stdout to a pipe read by a
 * thread (which starts gated when `gated`), stderr to err_path. */
static BOOL child_start(struct child *c, wchar_t *cmdline, const wchar_t *err_path, BOOL gated)
{
    ZeroMemory(c, sizeof *c);
    InitializeCriticalSection(&c->lock);
    wcsncpy(c->err_path, err_path, MAX_PATH - 1);
    SECURITY_ATTRIBUTES inherit = {sizeof inherit, NULL, TRUE};
    HANDLE out_write;
    /* A small pipe: the copy blocks soon after reading stops. */
    if (!CreatePipe(&c->out_read, &out_write, &inherit, PIPE_SIZE))
        return FALSE;
    SetHandleInformation(c->out_read, HANDLE_FLAG_INHERIT, 0);
    HANDLE err = CreateFileW(err_path, GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, &inherit,
                             CREATE_ALWAYS, 0, NULL);
    HANDLE in = CreateFileW(L"NUL", GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, &inherit,
                            OPEN_EXISTING, 0, NULL);
    STARTUPINFOW si;
    ZeroMemory(&si, sizeof si);
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = in;
    si.hStdOutput = out_write;
    si.hStdError = err;
    c->gate = CreateEventW(NULL, TRUE, !gated, NULL);
    BOOL ok = CreateProcessW(NULL, cmdline, NULL, NULL, TRUE, CREATE_NEW_PROCESS_GROUP, NULL,
                             NULL, &si, &c->pi);
    if (!ok)
        printf("# CreateProcess failed: error %lu\n", GetLastError());
    CloseHandle(out_write);
    if (err != INVALID_HANDLE_VALUE)
        CloseHandle(err);
    if (in != INVALID_HANDLE_VALUE)
        CloseHandle(in);
    if (ok)
        c->reader = CreateThread(NULL, 0, reader_main, c, 0, NULL);
    return ok;
}

/* Waits until the child is blocked writing to the full pipe: the pipe holds
 * nearly its 4 KiB or more (a JSON line is under 400 bytes, so a writer that
 * is not blocked would have room) and the amount stays the same for 300 ms.
 * (Wine 8.0 shows about 4160 bytes then: the write that overflows is
 * counted.) */
static BOOL child_wait_blocked(struct child *c)
{
    ULONGLONG end = GetTickCount64() + WAIT_MS, stable_since = 0;
    DWORD last = (DWORD)-1;
    for (;;) {
        DWORD avail = 0;
        if (!PeekNamedPipe(c->out_read, NULL, 0, NULL, &avail, NULL))
            return FALSE;
        ULONGLONG now = GetTickCount64();
        if (avail != last) {
            last = avail;
            stable_since = now;
        } else if (avail >= PIPE_SIZE - 1024 && now - stable_since >= 300) {
            return WaitForSingleObject(c->pi.hProcess, 0) == WAIT_TIMEOUT;
        }
        if (now >= end)
            return FALSE;
        Sleep(10);
    }
}

/* Waits for the child's exit; kills it after WAIT_MS.  Returns its exit
 * code, or -1 on timeout. */
static long child_finish(struct child *c)
{
    SetEvent(c->gate);
    long code = -1;
    if (WaitForSingleObject(c->pi.hProcess, WAIT_MS) == WAIT_OBJECT_0) {
        DWORD ec;
        if (GetExitCodeProcess(c->pi.hProcess, &ec))
            code = (long)ec;
    } else {
        printf("# the child did not exit within %u ms: terminated\n", WAIT_MS);
        TerminateProcess(c->pi.hProcess, 99);
        WaitForSingleObject(c->pi.hProcess, 5000);
    }
    WaitForSingleObject(c->reader, 5000);
    CloseHandle(c->reader);
    CloseHandle(c->out_read);
    CloseHandle(c->gate);
    CloseHandle(c->pi.hThread);
    CloseHandle(c->pi.hProcess);
    return code;
}

static void child_free(struct child *c)
{
    free(c->out);
    DeleteCriticalSection(&c->lock);
}

/* Sends the child's process group a console control event. */
static BOOL send_event(struct child *c)
{
    if (!g_event_known) {
        if (GenerateConsoleCtrlEvent(CTRL_BREAK_EVENT, c->pi.dwProcessId)) {
            g_event_known = TRUE;
            printf("# using CTRL_BREAK_EVENT\n");
            return TRUE;
        }
        printf("# CTRL_BREAK_EVENT for a process group failed (error %lu): using "
               "CTRL_C_EVENT (Wine 8.0 supports only that one)\n", GetLastError());
        g_event = CTRL_C_EVENT;
        g_event_known = TRUE;
    }
    if (!GenerateConsoleCtrlEvent(g_event, c->pi.dwProcessId)) {
        printf("# GenerateConsoleCtrlEvent failed: error %lu\n", GetLastError());
        return FALSE;
    }
    return TRUE;
}

/* Runs a command to completion (stdout and stderr to out_path); returns its
 * exit code or -1. */
static long run(wchar_t *cmdline, const wchar_t *out_path)
{
    SECURITY_ATTRIBUTES inherit = {sizeof inherit, NULL, TRUE};
    HANDLE out = CreateFileW(out_path, GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, &inherit,
                             CREATE_ALWAYS, 0, NULL);
    STARTUPINFOW si;
    ZeroMemory(&si, sizeof si);
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
    si.hStdOutput = out;
    si.hStdError = out;
    PROCESS_INFORMATION pi;
    BOOL ok = CreateProcessW(NULL, cmdline, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi);
    CloseHandle(out);
    if (!ok) {
        printf("# CreateProcess failed: error %lu\n", GetLastError());
        return -1;
    }
    long code = -1;
    if (WaitForSingleObject(pi.hProcess, WAIT_MS) == WAIT_OBJECT_0) {
        DWORD ec;
        if (GetExitCodeProcess(pi.hProcess, &ec))
            code = (long)ec;
    } else {
        TerminateProcess(pi.hProcess, 99);
        WaitForSingleObject(pi.hProcess, 5000);
    }
    CloseHandle(pi.hThread);
    CloseHandle(pi.hProcess);
    return code;
}

/* The command after "resume with: " in cf2copy's stderr, as UTF-16. */
static wchar_t *resume_command(const wchar_t *err_path)
{
    char *s = slurp(err_path);
    const char *key = "resume with: ";
    char *p = strstr(s, key);
    wchar_t *w = NULL;
    if (p) {
        p += strlen(key);
        char *e = p + strcspn(p, "\r\n");
        *e = 0;
        int n = MultiByteToWideChar(CP_UTF8, 0, p, -1, NULL, 0);
        w = malloc((size_t)n * sizeof *w);
        if (w)
            MultiByteToWideChar(CP_UTF8, 0, p, -1, w, n);
    }
    free(s);
    return w;
}

/* ------------------------------------------------------------------ cases */

static const wchar_t *g_tool;
static wchar_t g_dir[MAX_PATH];

static void path_in(wchar_t *out, const wchar_t *name)
{
    _snwprintf(out, MAX_PATH, L"%ls\\%ls", g_dir, name);
    out[MAX_PATH - 1] = 0;
}

/* One event while the copy is blocked: pause, exit 3, then the printed
 * command resumes and completes the copy. */
static void case_pause(const wchar_t *src)
{
    wchar_t dst[MAX_PATH], err[MAX_PATH], out2[MAX_PATH], cmd[4 * MAX_PATH];
    path_in(dst, L"paused.bin");
    path_in(err, L"pause.err");
    path_in(out2, L"pause-resume.out");
    DeleteFileW(dst);
    _snwprintf(cmd, 4 * MAX_PATH, L"\"%ls\" \"%ls\" \"%ls\" --json --chunk 64K", g_tool, src, dst);
    cmd[4 * MAX_PATH - 1] = 0;

    struct child c;
    if (!child_start(&c, cmd, err, TRUE)) {
        check(FALSE, "pause: cf2copy starts");
        return;
    }
    BOOL blocked = child_wait_blocked(&c);
    check(blocked, "pause: the copy is under way and blocked on its JSON output");
    BOOL sent = blocked && send_event(&c);
    check(sent, "pause: one control event sent to cf2copy's process group");
    BOOL acked = sent && wait_file_contains(err, "interrupt: pausing", WAIT_MS);
    check(acked, "pause: cf2copy acknowledges the interrupt on stderr");
    long code = child_finish(&c);
    check(code == 3, "pause: exit code 3 (got %ld)", code);
    check(child_out_contains(&c, "\"action\":\"pause\""), "pause: a progress message answered PAUSE");
    check(child_out_contains(&c, "\"status\":\"paused\"") &&
              child_out_contains(&c, "\"hresult\":\"0x80070BEA\""),
          "pause: the JSON result says paused, HRESULT 0x80070BEA");
    long long size = file_size(dst);
    check(size > (long long)SRC_SIZE,
          "pause: the destination is larger than the data (restart trailer): %lld > %u", size,
          SRC_SIZE);
    child_free(&c);

    wchar_t *resume = resume_command(err);
    check(resume != NULL && wcsstr(resume, L"--resume") != NULL,
          "pause: stderr gives the command that resumes, with --resume");
    if (!resume)
        return;
    printf("# resume command: %ls\n", resume);
    long rc = run(resume, out2);
    check(rc == 0, "pause: the printed resume command exits 0 (got %ld)", rc);
    check(file_contains(out2, "\"chunk_number\":") && !file_contains(out2, "\"chunk_number\":0,"),
          "pause: the resumed copy starts after chunk 0 (it continued, not restarted)");
    check(same_content(src, dst), "pause: after the resume the destination equals the source");
    check(file_size(dst) == (long long)SRC_SIZE, "pause: and has the source's size");
    free(resume);
}

/* Two events while the copy is blocked: cancel, exit 4, no destination. */
static void case_cancel(const wchar_t *src)
{
    wchar_t dst[MAX_PATH], err[MAX_PATH], cmd[4 * MAX_PATH];
    path_in(dst, L"cancelled.bin");
    path_in(err, L"cancel.err");
    DeleteFileW(dst);
    _snwprintf(cmd, 4 * MAX_PATH, L"\"%ls\" \"%ls\" \"%ls\" --json --chunk 64K", g_tool, src, dst);
    cmd[4 * MAX_PATH - 1] = 0;

    struct child c;
    if (!child_start(&c, cmd, err, TRUE)) {
        check(FALSE, "cancel: cf2copy starts");
        return;
    }
    BOOL blocked = child_wait_blocked(&c);
    check(blocked, "cancel: the copy is under way and blocked on its JSON output");
    check(exists(dst), "cancel: the destination exists while the copy runs");
    BOOL ok = blocked && send_event(&c) && wait_file_contains(err, "interrupt: pausing", WAIT_MS);
    check(ok, "cancel: first event sent and acknowledged");
    ok = ok && send_event(&c) && wait_file_contains(err, "second interrupt: cancelling", WAIT_MS);
    check(ok, "cancel: second event sent and acknowledged");
    long code = child_finish(&c);
    check(code == 4, "cancel: exit code 4 (got %ld)", code);
    /* The routine blocked on its output had already answered CONTINUE: the
     * pfCancel flag, set by the second event, stops the copy right after it
     * (or the next message answers CANCEL); no message answers PAUSE. */
    check(!child_out_contains(&c, "\"action\":\"pause\""),
          "cancel: no progress message answered PAUSE (pfCancel or CANCEL came first)");
    check(child_out_contains(&c, "\"status\":\"cancelled\"") &&
              child_out_contains(&c, "\"hresult\":\"0x800704D3\""),
          "cancel: the JSON result says cancelled, HRESULT 0x800704D3");
    check(!exists(dst), "cancel: no destination is left");
    child_free(&c);
}

/* One event during a throttled copy, as a user would press Ctrl+C: no gate;
 * while --rate makes it wait, CopyFile2 sends POLL_CONTINUE, which answers
 * PAUSE. */
static void case_throttled(const wchar_t *src)
{
    wchar_t dst[MAX_PATH], err[MAX_PATH], out2[MAX_PATH], cmd[4 * MAX_PATH];
    path_in(dst, L"throttled.bin");
    path_in(err, L"throttled.err");
    path_in(out2, L"throttled-resume.out");
    DeleteFileW(dst);
    _snwprintf(cmd, 4 * MAX_PATH, L"\"%ls\" \"%ls\" \"%ls\" --json --rate 512", g_tool, src, dst);
    cmd[4 * MAX_PATH - 1] = 0;

    struct child c;
    if (!child_start(&c, cmd, err, FALSE)) {
        check(FALSE, "throttled: cf2copy starts");
        return;
    }
    /* Under way: a chunk started (at 512 KB/s the 8 MiB copy takes 16 s). */
    ULONGLONG end = GetTickCount64() + WAIT_MS;
    while (!child_out_contains(&c, "\"type\":\"chunk_started\"") && GetTickCount64() < end &&
           WaitForSingleObject(c.pi.hProcess, 5) == WAIT_TIMEOUT)
        ;
    Sleep(300);
    BOOL running = WaitForSingleObject(c.pi.hProcess, 0) == WAIT_TIMEOUT;
    check(running, "throttled: the copy at --rate 512 is still running after 0.3 s");
    BOOL sent = running && send_event(&c);
    check(sent && wait_file_contains(err, "interrupt: pausing", WAIT_MS),
          "throttled: one event sent and acknowledged");
    ULONGLONG t0 = GetTickCount64();
    long code = child_finish(&c);
    ULONGLONG ms = GetTickCount64() - t0;
    check(code == 3, "throttled: exit code 3 (got %ld), %llu ms after the acknowledgement", code,
          (unsigned long long)ms);
    check(child_out_contains(&c, "\"type\":\"poll_continue\""),
          "throttled: the waiting copy sent POLL_CONTINUE messages");
    child_free(&c);
    wchar_t *resume = resume_command(err);
    check(resume != NULL, "throttled: stderr gives the resume command");
    if (!resume)
        return;
    /* Resume at full speed: the same command without the rate limit. */
    wchar_t *rate = wcsstr(resume, L" --rate 512");
    if (rate)
        memmove(rate, rate + 11, (wcslen(rate + 11) + 1) * sizeof(wchar_t));
    long rc = run(resume, out2);
    check(rc == 0, "throttled: resuming exits 0 (got %ld)", rc);
    check(same_content(src, dst), "throttled: after the resume the destination equals the source");
    free(resume);
}

/* ------------------------------------------------------------------ main */

static BOOL have_console(void)
{
    DWORD list[4];
    return GetConsoleProcessList(list, 4) > 0;
}

/* Runs this program again in a new console without a window. */
static int relaunch_with_console(void)
{
    SetEnvironmentVariableW(L"CF2_CTRLC_TEST_INNER", L"1");
    STARTUPINFOW si;
    ZeroMemory(&si, sizeof si);
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
    si.hStdOutput = GetStdHandle(STD_OUTPUT_HANDLE);
    si.hStdError = GetStdHandle(STD_ERROR_HANDLE);
    PROCESS_INFORMATION pi;
    fflush(stdout);
    if (!CreateProcessW(NULL, GetCommandLineW(), NULL, NULL, TRUE, CREATE_NO_WINDOW, NULL, NULL,
                        &si, &pi)) {
        printf("not ok - could not start this test again with a console: error %lu\n",
               GetLastError());
        return 1;
    }
    DWORD ec = 1;
    if (WaitForSingleObject(pi.hProcess, 5 * WAIT_MS) == WAIT_OBJECT_0)
        GetExitCodeProcess(pi.hProcess, &ec);
    else {
        printf("not ok - the test timed out\n");
        TerminateProcess(pi.hProcess, 1);
    }
    CloseHandle(pi.hThread);
    CloseHandle(pi.hProcess);
    return (int)ec;
}

int wmain(int argc, wchar_t **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: ctrlc_test CF2COPY.EXE WORKDIR\n");
        return 2;
    }
    if (!have_console()) {
        if (GetEnvironmentVariableW(L"CF2_CTRLC_TEST_INNER", NULL, 0) != 0) {
            printf("not ok - no console even with CREATE_NO_WINDOW\n");
            return 1;
        }
        printf("# no console: starting again with CREATE_NO_WINDOW (a console without a "
               "window)\n");
        return relaunch_with_console();
    }
    /* This program ignores the events it sends (they name cf2copy's group,
     * but CTRL_C_EVENT may reach the whole console on some systems). */
    SetConsoleCtrlHandler(NULL, TRUE);

    static wchar_t tool[MAX_PATH];
    if (!GetFullPathNameW(argv[1], MAX_PATH, tool, NULL) ||
        !GetFullPathNameW(argv[2], MAX_PATH, g_dir, NULL)) {
        printf("not ok - bad paths\n");
        return 1;
    }
    g_tool = tool;
    CreateDirectoryW(g_dir, NULL);
    wchar_t src[MAX_PATH];
    path_in(src, L"source.bin");
    if (!write_source(src)) {
        printf("not ok - cannot write %ls\n", src);
        return 1;
    }

    case_pause(src);
    case_cancel(src);
    case_throttled(src);

    printf("# ctrlc_test: %d checks, %d failed (event: %s)\n", checks, failures,
           g_event == CTRL_BREAK_EVENT ? "CTRL_BREAK_EVENT" : "CTRL_C_EVENT");
    return failures ? 1 : 0;
}

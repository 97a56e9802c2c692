/*
 * crash_test.c - crash safety of restartable copies (issue 4, "Crash safety").
 *
 * A child process (this program with --child) runs a COPY_FILE_RESTARTABLE
 * copy of a 24 MiB file, throttled with ioDesiredRate so that it lasts about
 * three seconds and takes checkpoints (one per second, docs/restart-header.md).
 * The parent kills it with TerminateProcess at a random moment, sometimes kills
 * the resumed copy too, then resumes in-process with COPY_FILE_RESTARTABLE and
 * checks that the result is byte-identical to the source, that the source is
 * unchanged, and how much work the resume saved (the offset of its first
 * chunk).  The seed is printed; CF2_CRASH_SEED replays a run and
 * CF2_CRASH_ROUNDS sets the number of kills (default 30).
 *
 * Linked with the static library, so it tests this project's engine.
 */
#include "copyfile2.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <setjmp.h>
#include <cmocka.h>

#define SOURCE_SIZE (24u * 1024 * 1024 + 12345) /* not a whole number of chunks */
#define CHUNK_SIZE (1024u * 1024)
#define CHILD_RATE_KBPS 8192u /* 8 MiB/s: about three seconds per copy */

static WCHAR self_path[MAX_PATH];
static WCHAR src_path[MAX_PATH];
static WCHAR dst_path[MAX_PATH];
static uint64_t rng_state;

static uint32_t rng_next(void)
{
    /* xorshift64*: reproducible from the printed seed on every platform. */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 2685821657736338717ull) >> 32);
}

static int run_child(const WCHAR *src, const WCHAR *dst)
{
    COPYFILE2_EXTENDED_PARAMETERS_V2 p;
    ZeroMemory(&p, sizeof p);
    p.dwSize = sizeof p;
    p.dwCopyFlags = COPY_FILE_RESTARTABLE;
    p.ioDesiredSize = CHUNK_SIZE;
    p.ioDesiredRate = CHILD_RATE_KBPS;
    HRESULT hr = CopyFile2(src, dst, (COPYFILE2_EXTENDED_PARAMETERS *)&p);
    return hr == S_OK ? 0 : 1;
}

static BOOL read_all(const WCHAR *path, BYTE **data, DWORD *size)
{
    HANDLE h = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    if (h == INVALID_HANDLE_VALUE)
        return FALSE;
    LARGE_INTEGER sz;
    GetFileSizeEx(h, &sz);
    *size = (DWORD)sz.QuadPart;
    *data = malloc(*size ? *size : 1);
    DWORD got = 0;
    BOOL ok = *data && ReadFile(h, *data, *size, &got, NULL) && got == *size;
    CloseHandle(h);
    return ok;
}

static BYTE *source_bytes;

static void make_source(void)
{
    source_bytes = malloc(SOURCE_SIZE);
    assert_non_null(source_bytes);
    for (DWORD i = 0; i < SOURCE_SIZE; i += 4) {
        uint32_t v = rng_next();
        memcpy(source_bytes + i, &v, SOURCE_SIZE - i < 4 ? SOURCE_SIZE - i : 4);
    }
    HANDLE h = CreateFileW(src_path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
    assert_true(h != INVALID_HANDLE_VALUE);
    DWORD put = 0;
    assert_true(WriteFile(h, source_bytes, SOURCE_SIZE, &put, NULL));
    assert_int_equal(put, SOURCE_SIZE);
    CloseHandle(h);
}

/* Starts the child copy, kills it after `ms` milliseconds.  Returns TRUE when
 * the child was killed, FALSE when it had already finished. */
static BOOL kill_child_after(DWORD ms)
{
    WCHAR cmd[3 * MAX_PATH + 32];
    swprintf(cmd, sizeof cmd / sizeof cmd[0], L"\"%ls\" --child \"%ls\" \"%ls\"", self_path,
             src_path, dst_path);
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    ZeroMemory(&si, sizeof si);
    si.cb = sizeof si;
    assert_true(CreateProcessW(NULL, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi));
    BOOL killed = WaitForSingleObject(pi.hProcess, ms) == WAIT_TIMEOUT;
    if (killed)
        TerminateProcess(pi.hProcess, 99);
    assert_int_equal(WaitForSingleObject(pi.hProcess, 10000), WAIT_OBJECT_0);
    if (!killed) {
        DWORD code = 1;
        GetExitCodeProcess(pi.hProcess, &code);
        assert_int_equal(code, 0);
    }
    CloseHandle(pi.hThread);
    CloseHandle(pi.hProcess);
    return killed;
}

struct resume_log {
    BOOL started;
    ULONGLONG first_chunk;
};

static COPYFILE2_MESSAGE_ACTION CALLBACK on_resume(const COPYFILE2_MESSAGE *m, PVOID ctx)
{
    struct resume_log *log = ctx;
    if (m->Type == COPYFILE2_CALLBACK_CHUNK_STARTED && !log->started) {
        log->started = TRUE;
        log->first_chunk = m->Info.ChunkStarted.uliChunkNumber.QuadPart;
    }
    return COPYFILE2_PROGRESS_CONTINUE;
}

static void crash_and_resume(void **state)
{
    (void)state;
    const char *rounds_env = getenv("CF2_CRASH_ROUNDS");
    int rounds = rounds_env ? atoi(rounds_env) : 30;
    int from_zero = 0, finished_first = 0, double_kills = 0;
    ULONGLONG saved_total = 0;

    for (int round = 0; round < rounds; round++) {
        DeleteFileW(dst_path);
        DWORD ms = 100 + rng_next() % 2800;
        BOOL killed = kill_child_after(ms);
        BOOL twice = killed && rng_next() % 3 == 0;
        DWORD ms2 = 0;
        if (twice) {
            /* Kill the resumed copy too: a checkpoint chain across processes. */
            ms2 = 100 + rng_next() % 1500;
            killed = kill_child_after(ms2);
            double_kills++;
        }

        struct resume_log log = {FALSE, 0};
        COPYFILE2_EXTENDED_PARAMETERS_V2 p;
        ZeroMemory(&p, sizeof p);
        p.dwSize = sizeof p;
        p.dwCopyFlags = COPY_FILE_RESTARTABLE;
        p.ioDesiredSize = CHUNK_SIZE;
        p.pProgressRoutine = on_resume;
        p.pvCallbackContext = &log;
        HRESULT hr = CopyFile2(src_path, dst_path, (COPYFILE2_EXTENDED_PARAMETERS *)&p);
        assert_int_equal(hr, S_OK);

        BYTE *copy = NULL;
        DWORD size = 0;
        assert_true(read_all(dst_path, &copy, &size));
        assert_int_equal(size, SOURCE_SIZE);
        assert_memory_equal(copy, source_bytes, SOURCE_SIZE);
        free(copy);

        ULONGLONG saved = log.first_chunk * CHUNK_SIZE;
        const char *why = "";
        if (!killed) {
            finished_first++;
            why = " (the copy finished before the kill; the complete file is copied again)";
        } else if (saved == 0) {
            from_zero++;
            why = " (killed before the first checkpoint, which comes 1 s after the start)";
        }
        saved_total += saved;
        if (twice)
            printf("crash round %2d: killed at %4lu ms, the resumed copy killed at %4lu ms, "
                   "final resume saved %5.1f MiB%s\n",
                   round + 1, (unsigned long)ms, (unsigned long)ms2, saved / 1048576.0, why);
        else
            printf("crash round %2d: killed at %4lu ms, resume saved %5.1f MiB%s\n", round + 1,
                   (unsigned long)ms, saved / 1048576.0, why);
    }

    BYTE *src_now = NULL;
    DWORD src_size = 0;
    assert_true(read_all(src_path, &src_now, &src_size));
    assert_int_equal(src_size, SOURCE_SIZE);
    assert_memory_equal(src_now, source_bytes, SOURCE_SIZE); /* the source is never modified */
    free(src_now);
    printf("crash summary: %d kills (%d double), %d resumes from zero, %d finished before the kill, "
           "%.1f MiB of copying saved, every result byte-identical\n",
           rounds, double_kills, from_zero, finished_first, saved_total / 1048576.0);
    /* A resume that never saves anything would mean checkpoints do not work. */
    assert_true(rounds < 5 || saved_total > 0);
}

int main(int argc, char **argv)
{
    (void)argv;
    int wargc = 0;
    WCHAR **wargv = CommandLineToArgvW(GetCommandLineW(), &wargc);
    if (wargc == 4 && lstrcmpW(wargv[1], L"--child") == 0)
        return run_child(wargv[2], wargv[3]);
    (void)argc;

    GetModuleFileNameW(NULL, self_path, MAX_PATH);
    WCHAR dir[MAX_PATH];
    GetCurrentDirectoryW(MAX_PATH, dir);
    swprintf(src_path, MAX_PATH, L"%ls\\crash-src.bin", dir);
    swprintf(dst_path, MAX_PATH, L"%ls\\crash-dst.bin", dir);

    const char *seed_env = getenv("CF2_CRASH_SEED");
    uint64_t seed = seed_env ? strtoull(seed_env, NULL, 0) : (uint64_t)GetTickCount64() ^ GetCurrentProcessId();
    if (seed == 0)
        seed = 1;
    rng_state = seed;
    printf("crash test seed: %llu (replay with CF2_CRASH_SEED=%llu)\n", (unsigned long long)seed,
           (unsigned long long)seed);
    make_source();

    const struct CMUnitTest tests[] = {cmocka_unit_test(crash_and_resume)};
    int failed = cmocka_run_group_tests_name("restart-crash", tests, NULL, NULL);
    DeleteFileW(src_path);
    DeleteFileW(dst_path);
    return failed ? 1 : 0;
}

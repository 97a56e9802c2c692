/*
 * fuzz_params.c - a Windows-side fuzz driver for CopyFile2's parameters
 * (issue 8), run under Wine by tests/fuzz/run.sh.
 *
 *   fuzz_params.exe DLL WORKDIR CORPUS ITERATIONS [SEED [MAX_SECONDS]]
 *
 * CopyFile2 cannot be built host-natively (it is Win32 code), and fuzzing a
 * copy of its validation rules would test the copy, not the DLL.  So this
 * program loads the real DLL (the test build, whose fault seam it also
 * uses) and feeds it parameter blocks: each iteration takes a seed from
 * CORPUS (the .txt files of tests/fuzz/corpus/params, "key=value" lines), mutates it
 * with a deterministic PRNG (xorshift64*, SEED printed, so a run replays
 * exactly), builds the block (aligned, at an odd address, on a read-only
 * page, or ending where an inaccessible page begins), calls CopyFile2 and
 * checks:
 *
 *  - it returns (a watchdog fails the run after 30 s) and does not crash
 *    (an unhandled exception prints the iteration's input and exits 3);
 *  - the result is exactly what docs/conformance.md, docs/flags.md and the
 *    progress protocol allow for that input: E_INVALIDARG for an invalid
 *    block or a NULL path (and then nothing changed), ERROR_PATH_NOT_FOUND
 *    for an empty path, otherwise S_OK or a documented error whose cause is
 *    in the input (a missing source, an answer of the routine, pfCancel, an
 *    injected fault, ...); the last error always matches the HRESULT;
 *  - after S_OK the destination is byte-identical to the source;
 *  - the fixtures (the sources) never change, and nothing outside the work
 *    folder changes (a listing of WORKDIR and a sentinel file there);
 *  - no handle leaks: the process's handle count after every seed ran once
 *    and at the end differ by at most 4 (objects Wine creates lazily).
 *
 * Pointers in the block are never random: they are NULL, valid, or point
 * to an inaccessible page where the DLL must never look (SourceOplockKeys,
 * pvCallbackContext).  MAX_SECONDS (0: none) stops a run early, after a
 * whole iteration; the number of executions is printed either way.  Exit
 * status: 0 all iterations passed, 1 a check failed (the input is
 * printed), 2 usage, 3 crash, 4 hang.
 */
#include "copyfile2.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* ---------------------------------------------------------------- PRNG */

static uint64_t rng;

static uint32_t rnd(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return (uint32_t)((rng * 2685821657736338717ull) >> 32);
}

static uint32_t below(uint32_t n)
{
    return n ? rnd() % n : 0;
}

/* ---------------------------------------------------------------- the input */

enum src_kind { S_SMALL, S_MID, S_EMPTY, S_RO, S_DIR, S_MISSING, S_NULL, S_EMPTYSTR, S_COUNT };
enum dst_kind { D_NEW, D_EXISTING, D_RO, D_DIR, D_SAME, D_NULL, D_EMPTYSTR, D_NOFOLDER, D_BADNAME, D_FUZZ, D_COUNT };
enum placement { P_ALIGNED, P_ODD, P_READONLY, P_PAGE_END, P_COUNT };
enum cancel_kind { C_NULL, C_FALSE, C_TRUE, C_BY_ROUTINE, C_COUNT };
enum routine_kind { R_NONE, R_NEW, R_OLD, R_BOTH, R_COUNT };

#define MAX_ACTIONS 12

struct spec {
    int has_params;
    DWORD size;
    DWORD flags, flags_v2;
    ULONG io_size, io_rate;
    int cancel;
    int routine;
    int nactions;
    DWORD actions[MAX_ACTIONS];
    int cancel_at;            /* message index at which C_BY_ROUTINE sets pfCancel */
    int reserved;             /* -1, or the index of a non-NULL reserved[] entry */
    int oplock;               /* SourceOplockKeys -> an inaccessible page */
    int context_noaccess;     /* pvCallbackContext -> an inaccessible page (old routine only) */
    int src, dst;
    WCHAR fuzz_name[24];
    int placement;
    DWORD fault_phase;
    ULONGLONG fault_chunk;
    DWORD fault_error;
};

static const char *const src_names[S_COUNT] = {"small", "mid", "empty", "ro", "dir", "missing", "null", "empty-string"};
static const char *const dst_names[D_COUNT] = {"new", "existing", "ro", "dir", "same", "null", "empty-string",
                                               "missing-folder", "invalid-name", "fuzz"};
static const char *const placement_names[P_COUNT] = {"aligned", "odd", "readonly", "page-end"};
static const char *const cancel_names[C_COUNT] = {"null", "false", "true", "routine"};
static const char *const routine_names[R_COUNT] = {"none", "new", "old", "both"};

static int lookup(const char *const *names, int n, const char *v)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(names[i], v))
            return i;
    return -1;
}

static void spec_default(struct spec *s)
{
    memset(s, 0, sizeof *s);
    s->has_params = 1;
    s->size = sizeof(COPYFILE2_EXTENDED_PARAMETERS);
    s->reserved = -1;
}

static void spec_print(FILE *f, const struct spec *s)
{
    fprintf(f, "params=%s\n", !s->has_params ? "none" : s->size == sizeof(COPYFILE2_EXTENDED_PARAMETERS) ? "v1"
                                                        : s->size == sizeof(COPYFILE2_EXTENDED_PARAMETERS_V2) ? "v2"
                                                                                                              : "size");
    fprintf(f, "size=%lu\nflags=0x%08lx\nflags_v2=0x%lx\nio_size=%lu\nio_rate=%lu\n", s->size, s->flags, s->flags_v2,
            s->io_size, s->io_rate);
    fprintf(f, "cancel=%s\ncancel_at=%d\nroutine=%s\nactions=", cancel_names[s->cancel], s->cancel_at,
            routine_names[s->routine]);
    for (int i = 0; i < s->nactions; i++)
        fprintf(f, "%s%lu", i ? "," : "", s->actions[i]);
    fprintf(f, "\nreserved=%d\noplock=%d\ncontext_noaccess=%d\nsrc=%s\ndst=%s\n", s->reserved, s->oplock,
            s->context_noaccess, src_names[s->src], dst_names[s->dst]);
    if (s->dst == D_FUZZ) {
        fprintf(f, "fuzz_name=");
        for (const WCHAR *c = s->fuzz_name; *c; c++)
            fprintf(f, c[0] >= 32 && c[0] < 127 ? "%c" : "\\u%04x", (unsigned)*c);
        fprintf(f, "\n");
    }
    fprintf(f, "placement=%s\nfault=%lu,%llu,%lu\n", placement_names[s->placement], s->fault_phase, s->fault_chunk,
            s->fault_error);
}

/* Parses a seed file; unknown keys are an error (a typo must not pass). */
static int spec_parse(const char *path, struct spec *s)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    spec_default(s);
    char line[256];
    int ok = 1;
    while (ok && fgets(line, sizeof line, f)) {
        char *nl = strpbrk(line, "\r\n");
        if (nl)
            *nl = 0;
        if (!line[0] || line[0] == '#')
            continue;
        char *eq = strchr(line, '=');
        if (!eq) {
            ok = 0;
            break;
        }
        *eq = 0;
        const char *k = line, *v = eq + 1;
        if (!strcmp(k, "params")) {
            s->has_params = strcmp(v, "none") != 0;
            if (!strcmp(v, "v1"))
                s->size = sizeof(COPYFILE2_EXTENDED_PARAMETERS);
            else if (!strcmp(v, "v2"))
                s->size = sizeof(COPYFILE2_EXTENDED_PARAMETERS_V2);
        } else if (!strcmp(k, "size"))
            s->size = (DWORD)strtoul(v, NULL, 0);
        else if (!strcmp(k, "flags"))
            s->flags = (DWORD)strtoul(v, NULL, 0);
        else if (!strcmp(k, "flags_v2"))
            s->flags_v2 = (DWORD)strtoul(v, NULL, 0);
        else if (!strcmp(k, "io_size"))
            s->io_size = (ULONG)strtoul(v, NULL, 0);
        else if (!strcmp(k, "io_rate"))
            s->io_rate = (ULONG)strtoul(v, NULL, 0);
        else if (!strcmp(k, "cancel"))
            ok = (s->cancel = lookup(cancel_names, C_COUNT, v)) >= 0;
        else if (!strcmp(k, "cancel_at"))
            s->cancel_at = atoi(v);
        else if (!strcmp(k, "routine"))
            ok = (s->routine = lookup(routine_names, R_COUNT, v)) >= 0;
        else if (!strcmp(k, "actions")) {
            s->nactions = 0;
            for (const char *p = v; *p && s->nactions < MAX_ACTIONS;) {
                char *end;
                s->actions[s->nactions++] = (DWORD)strtoul(p, &end, 0);
                p = *end == ',' ? end + 1 : end;
                if (end == p && *p)
                    break;
            }
        } else if (!strcmp(k, "reserved"))
            s->reserved = atoi(v);
        else if (!strcmp(k, "oplock"))
            s->oplock = atoi(v);
        else if (!strcmp(k, "context_noaccess"))
            s->context_noaccess = atoi(v);
        else if (!strcmp(k, "src"))
            ok = (s->src = lookup(src_names, S_COUNT, v)) >= 0;
        else if (!strcmp(k, "dst"))
            ok = (s->dst = lookup(dst_names, D_COUNT, v)) >= 0;
        else if (!strcmp(k, "placement"))
            ok = (s->placement = lookup(placement_names, P_COUNT, v)) >= 0;
        else if (!strcmp(k, "fault")) {
            unsigned long ph = 0, er = 0;
            unsigned long long ch = 0;
            ok = sscanf(v, "%lu,%llu,%lu", &ph, &ch, &er) == 3;
            s->fault_phase = ph;
            s->fault_chunk = ch;
            s->fault_error = er;
        } else
            ok = 0;
    }
    fclose(f);
    if (s->dst == D_FUZZ)
        wcscpy(s->fuzz_name, L"fuzzed.bin");
    return ok;
}

/* ---------------------------------------------------------------- mutation */

static const DWORD interesting_sizes[] = {0, 1, 4, 8, 16, 20, 24, 31, 32, 33, 63, 64, 65, 96, 104, 111, 112, 113,
                                          120, 128, 255, 256, 4096, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF};
static const ULONG interesting_io_sizes[] = {0, 0, 0, 1, 512, 4095, 4096, 4097, 8192, 65536, 1048576, 0x3FFFFFFF,
                                             0x40000000, 0x40000001, 0xFFFFFFFF};
static const ULONG interesting_rates[] = {0, 0, 0, 0, 1, 511, 512, 4096, 65536, 1u << 20, 0xFFFFFFFF};
static const DWORD interesting_actions[] = {0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 100, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF};
static const DWORD fault_errors[] = {ERROR_DISK_FULL, ERROR_READ_FAULT, ERROR_CRC, ERROR_WRITE_FAULT,
                                     ERROR_NOT_READY, ERROR_WRITE_PROTECT};

static DWORD random_documented_flags(void)
{
    static const DWORD all[] = {
        COPY_FILE_FAIL_IF_EXISTS, COPY_FILE_RESTARTABLE, COPY_FILE_OPEN_SOURCE_FOR_WRITE,
        COPY_FILE_ALLOW_DECRYPTED_DESTINATION, COPY_FILE_DIRECTORY, COPY_FILE_COPY_SYMLINK, COPY_FILE_NO_BUFFERING,
        COPY_FILE_REQUEST_SECURITY_PRIVILEGES, COPY_FILE_RESUME_FROM_PAUSE, COPY_FILE_SKIP_ALTERNATE_STREAMS,
        COPY_FILE_NO_OFFLOAD, COPY_FILE_OPEN_AND_COPY_REPARSE_POINT, COPY_FILE_IGNORE_EDP_BLOCK,
        COPY_FILE_IGNORE_SOURCE_ENCRYPTION, COPY_FILE_DONT_REQUEST_DEST_WRITE_DAC, COPY_FILE_DISABLE_PRE_ALLOCATION,
        COPY_FILE_ENABLE_LOW_FREE_SPACE_MODE, COPY_FILE_REQUEST_COMPRESSED_TRAFFIC, COPY_FILE_ENABLE_SPARSE_COPY,
        COPY_FILE_DISABLE_SPARSE_COPY};
    DWORD f = 0;
    int n = (int)below(4);
    for (int i = 0; i < n; i++)
        f |= all[below(sizeof all / sizeof all[0])];
    return f;
}

static void fuzz_name(WCHAR *out, size_t cap)
{
    static const WCHAR alphabet[] = L"abcXYZ0129 ._-~+,;=[]{}()!@#$%^&'\x00e9\x0416\x4e2d";
    static const WCHAR invalid[] = L"?*<>|\"";
    for (;;) {
        size_t n = 1 + below(12), i = 0;
        for (; i < n && i + 3 < cap; i++) {
            uint32_t r = below(100);
            if (r < 3)
                out[i] = invalid[below(6)];
            else if (r < 5 && i + 2 < n) { /* a surrogate pair */
                out[i++] = 0xD83D;
                out[i] = 0xDE00 + (WCHAR)below(64);
            } else
                out[i] = alphabet[below((uint32_t)(sizeof alphabet / sizeof alphabet[0] - 1))];
        }
        out[i] = 0;
        /* Not the folder itself (only dots and spaces), not a device name
         * (NUL, CON, AUX, PRN, COMn, LPTn, with any extension), never a
         * fixture's name. */
        BOOL blank = TRUE;
        for (size_t j = 0; out[j]; j++)
            if (out[j] != L'.' && out[j] != L' ')
                blank = FALSE;
        WCHAR base[8] = {0};
        for (size_t j = 0; j < 7 && out[j] && out[j] != L'.' && out[j] != L' '; j++)
            base[j] = (WCHAR)towupper(out[j]);
        BOOL device = !wcscmp(base, L"NUL") || !wcscmp(base, L"CON") || !wcscmp(base, L"AUX") ||
                      !wcscmp(base, L"PRN") || ((!wcsncmp(base, L"COM", 3) || !wcsncmp(base, L"LPT", 3)) &&
                                                base[3] >= L'0' && base[3] <= L'9' && !base[4]);
        BOOL fixture = !_wcsnicmp(out, L"src-", 4) || !_wcsnicmp(out, L"ro-", 3) || !_wcsnicmp(out, L"adir", 4);
        if (!blank && !device && !fixture)
            return;
    }
}

static void mutate(struct spec *s)
{
    int n = 1 + (int)below(4);
    for (int i = 0; i < n; i++) {
        switch (below(18)) {
        case 0: s->has_params = below(10) != 0; break;
        case 1: s->size = interesting_sizes[below(sizeof interesting_sizes / sizeof interesting_sizes[0])]; break;
        case 2: s->size = below(2) ? sizeof(COPYFILE2_EXTENDED_PARAMETERS) : sizeof(COPYFILE2_EXTENDED_PARAMETERS_V2); break;
        case 3: s->flags ^= 1u << below(32); break;
        case 4: s->flags = random_documented_flags(); break;
        case 5: s->flags_v2 = below(4) ? (DWORD)below(4) : 1u << below(32); break;
        case 6: s->io_size = interesting_io_sizes[below(sizeof interesting_io_sizes / sizeof interesting_io_sizes[0])]; break;
        case 7: s->io_rate = interesting_rates[below(sizeof interesting_rates / sizeof interesting_rates[0])]; break;
        case 8: s->cancel = (int)below(C_COUNT); s->cancel_at = (int)below(8); break;
        case 9: s->routine = (int)below(R_COUNT); break;
        case 10:
            s->nactions = (int)below(MAX_ACTIONS + 1);
            for (int j = 0; j < s->nactions; j++)
                s->actions[j] = interesting_actions[below(sizeof interesting_actions / sizeof interesting_actions[0])];
            break;
        case 11: s->reserved = below(4) ? -1 : (int)below(6); break;
        case 12: s->oplock = (int)below(2); s->context_noaccess = (int)below(2); break;
        case 13: s->src = (int)below(S_COUNT); break;
        case 14:
            s->dst = (int)below(D_COUNT);
            if (s->dst == D_FUZZ)
                fuzz_name(s->fuzz_name, sizeof s->fuzz_name / sizeof s->fuzz_name[0]);
            break;
        case 15: s->placement = (int)below(P_COUNT); break;
        case 16:
            if (below(3)) {
                s->fault_phase = 0;
            } else {
                s->fault_phase = 1 + below(4); /* PREPARE_SOURCE .. WRITE_DESTINATION */
                s->fault_chunk = below(4);
                s->fault_error = fault_errors[below(sizeof fault_errors / sizeof fault_errors[0])];
            }
            break;
        default: s->actions[below(MAX_ACTIONS)] = interesting_actions[below(sizeof interesting_actions / sizeof interesting_actions[0])];
            if (s->nactions < MAX_ACTIONS) s->nactions++;
            break;
        }
    }
    /* Keep each iteration short: a slow rate only on the small source. */
    if (s->io_rate && s->io_rate < 65536 && s->src != S_SMALL && s->src != S_EMPTY)
        s->io_rate = 65536;
}

/* ---------------------------------------------------------------- the files */

static WCHAR work[1024], fuzz_dir[1100], lfuzz_dir[1100];
static PFN_COPYFILE2 copyfile2;
static void(WINAPI *set_fault)(DWORD, ULONGLONG, DWORD);

struct fixture {
    const WCHAR *name;
    DWORD size;
    uint32_t seed;
    DWORD attrs;
    uint64_t hash;
};
static struct fixture fixtures[] = {
    {L"src-small.bin", 1000, 1, FILE_ATTRIBUTE_ARCHIVE, 0},
    {L"src-mid.bin", 200 * 1024 + 17, 2, FILE_ATTRIBUTE_ARCHIVE, 0},
    {L"src-empty.bin", 0, 3, FILE_ATTRIBUTE_ARCHIVE, 0},
    {L"src-ro.bin", 5000, 4, FILE_ATTRIBUTE_READONLY, 0},
};

static uint64_t fnv(uint64_t h, const BYTE *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001B3ull;
    }
    return h;
}

static BYTE iobuf[256 * 1024];

/* FNV-1a of a file's bytes; returns FALSE if it cannot be read. */
static BOOL hash_file(const WCHAR *path, uint64_t *hash, ULONGLONG *size)
{
    HANDLE h = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                           OPEN_EXISTING, 0, NULL);
    if (h == INVALID_HANDLE_VALUE)
        return FALSE;
    uint64_t x = 0xCBF29CE484222325ull;
    ULONGLONG total = 0;
    DWORD got;
    while (ReadFile(h, iobuf, sizeof iobuf, &got, NULL) && got) {
        x = fnv(x, iobuf, got);
        total += got;
    }
    CloseHandle(h);
    *hash = x;
    if (size)
        *size = total;
    return TRUE;
}

static void make_fixture(struct fixture *f)
{
    WCHAR p[1200];
    swprintf(p, 1200, L"%ls\\%ls", fuzz_dir, f->name);
    SetFileAttributesW(p, FILE_ATTRIBUTE_NORMAL);
    HANDLE h = CreateFileW(p, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
    if (h == INVALID_HANDLE_VALUE) {
        printf("fuzz_params: cannot create %ls: %lu\n", p, GetLastError());
        exit(2);
    }
    uint64_t x = f->seed * 0x9E3779B97F4A7C15ull + 1;
    for (DWORD i = 0; i < f->size; i++) {
        x ^= x >> 12, x ^= x << 25, x ^= x >> 27;
        iobuf[i % sizeof iobuf] = (BYTE)(x >> 56);
        if (i % sizeof iobuf == sizeof iobuf - 1 || i == f->size - 1) {
            DWORD w;
            WriteFile(h, iobuf, i % sizeof iobuf + 1, &w, NULL);
        }
    }
    CloseHandle(h);
    SetFileAttributesW(p, f->attrs);
    hash_file(p, &f->hash, NULL);
}

/* Deletes everything in the fuzz folder but the fixtures and "adir". */
static void clean(const WCHAR *dir, BOOL top)
{
    WCHAR pat[1200];
    swprintf(pat, 1200, L"%ls\\*", dir);
    WIN32_FIND_DATAW fd;
    HANDLE f = FindFirstFileW(pat, &fd);
    if (f == INVALID_HANDLE_VALUE)
        return;
    do {
        if (!wcscmp(fd.cFileName, L".") || !wcscmp(fd.cFileName, L".."))
            continue;
        BOOL keep = FALSE;
        if (top) {
            keep = !wcscmp(fd.cFileName, L"adir");
            for (size_t i = 0; i < sizeof fixtures / sizeof fixtures[0]; i++)
                keep |= !wcscmp(fd.cFileName, fixtures[i].name);
        }
        if (keep)
            continue;
        WCHAR child[1200];
        swprintf(child, 1200, L"%ls\\%ls", dir, fd.cFileName);
        SetFileAttributesW(child, FILE_ATTRIBUTE_NORMAL);
        if (fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) {
            clean(child, FALSE);
            RemoveDirectoryW(child);
        } else {
            DeleteFileW(child);
        }
    } while (FindNextFileW(f, &fd));
    FindClose(f);
}

/* A listing of a folder (names, sizes, last-write times), one line each. */
static char *listing(const WCHAR *dir)
{
    size_t cap = 1 << 16, used = 0;
    char *out = malloc(cap);
    out[0] = 0;
    WCHAR pat[1200];
    swprintf(pat, 1200, L"%ls\\*", dir);
    WIN32_FIND_DATAW fd;
    HANDLE f = FindFirstFileW(pat, &fd);
    if (f == INVALID_HANDLE_VALUE)
        return out;
    do {
        if (used + 600 > cap)
            out = realloc(out, cap *= 2);
        if (fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) /* a folder's time changes with its contents */
            used += snprintf(out + used, cap - used, "%ls/\n", fd.cFileName);
        else
            used += snprintf(out + used, cap - used, "%ls %lu %lu %lu:%lu\n", fd.cFileName, fd.nFileSizeLow,
                             fd.dwFileAttributes & ~FILE_ATTRIBUTE_ARCHIVE, fd.ftLastWriteTime.dwHighDateTime,
                             fd.ftLastWriteTime.dwLowDateTime);
    } while (FindNextFileW(f, &fd));
    FindClose(f);
    return out;
}

/* ---------------------------------------------------------------- the routines */

/* What the routine did.  `first` is the first answer that ends the copy
 * (CANCEL, STOP, PAUSE, an invalid value, or pfCancel set by the routine
 * after a CONTINUE or QUIET): the protocol lets only that one decide. */
enum end { E_NONE, E_CANCEL, E_STOP, E_PAUSE, E_INVALID };

struct script {
    const struct spec *spec;
    BOOL *cancel;
    int index;
    BOOL pause, stop_cancel, invalid, cancel_set;
    enum end first;
};

static DWORD answer(struct script *s)
{
    int i = s->index++;
    if (s->spec->cancel == C_BY_ROUTINE && i == s->spec->cancel_at && s->cancel) {
        *s->cancel = TRUE;
        s->cancel_set = TRUE;
    }
    return i < s->spec->nactions ? s->spec->actions[i] : COPYFILE2_PROGRESS_CONTINUE;
}

static void note_answer(struct script *s, DWORD a, BOOL old)
{
    enum end e = E_NONE;
    if (a == COPYFILE2_PROGRESS_CANCEL)
        e = E_CANCEL;
    else if (a == COPYFILE2_PROGRESS_STOP)
        e = E_STOP;
    else if (a == COPYFILE2_PROGRESS_PAUSE && !old)
        e = E_PAUSE;
    else if (a > (old ? 3u : 4u))
        e = E_INVALID;
    if (e == E_CANCEL || e == E_STOP)
        s->stop_cancel = TRUE;
    if (e == E_PAUSE)
        s->pause = TRUE;
    if (e == E_INVALID)
        s->invalid = TRUE;
    if (e == E_NONE && s->cancel && *(volatile BOOL *)s->cancel)
        e = E_CANCEL; /* pfCancel is read after every answer */
    if (s->first == E_NONE)
        s->first = e;
}

static struct script *current_script;

static COPYFILE2_MESSAGE_ACTION CALLBACK new_routine(const COPYFILE2_MESSAGE *m, PVOID ctx)
{
    (void)m;
    struct script *s = ctx;
    DWORD a = answer(s);
    note_answer(s, a, FALSE);
    return (COPYFILE2_MESSAGE_ACTION)a;
}

static DWORD CALLBACK old_routine(LARGE_INTEGER a1, LARGE_INTEGER a2, LARGE_INTEGER a3, LARGE_INTEGER a4, DWORD a5,
                                  DWORD a6, HANDLE a7, HANDLE a8, LPVOID ctx)
{
    (void)a1, (void)a2, (void)a3, (void)a4, (void)a5, (void)a6, (void)a7, (void)a8, (void)ctx;
    struct script *s = current_script; /* ctx may point to an inaccessible page */
    DWORD a = answer(s);
    note_answer(s, a, TRUE);
    return a;
}

/* ---------------------------------------------------------------- one iteration */

static struct spec cur;
static unsigned long long iteration;
static volatile LONG heartbeat;
static BYTE *pages; /* 4 pages: [0] block rw, [1] block ro / page end, [2] no access, [3] cancel flag */
static DWORD page;

static int failed(const char *fmt, ...) __attribute__((format(__MINGW_PRINTF_FORMAT, 1, 2)));
static int failed(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("fuzz_params: FAIL at iteration %llu: ", iteration);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\ninput:\n");
    spec_print(stdout, &cur);
    return 0;
}

static BOOL valid_block(const struct spec *s)
{
    if (!s->has_params)
        return TRUE;
    if (s->size != sizeof(COPYFILE2_EXTENDED_PARAMETERS) && s->size != sizeof(COPYFILE2_EXTENDED_PARAMETERS_V2))
        return FALSE;
    if (s->flags & ~(DWORD)COPYFILE2_ALL_COPY_FLAGS)
        return FALSE;
    if (s->size == sizeof(COPYFILE2_EXTENDED_PARAMETERS_V2)) {
        if (s->flags_v2 & ~(DWORD)COPYFILE2_ALL_COPY_FLAGS_V2)
            return FALSE;
        if (s->reserved >= 0)
            return FALSE;
        if (s->io_size && (s->io_size < COPYFILE2_IO_CYCLE_SIZE_MIN || s->io_size > COPYFILE2_IO_CYCLE_SIZE_MAX))
            return FALSE;
        if (s->io_rate && s->io_rate < COPYFILE2_IO_RATE_MIN)
            return FALSE;
    }
    return TRUE;
}

static unsigned hist_ok, hist_invalid, hist_other;

static int run_one(void)
{
    struct spec *s = &cur;
    WCHAR src[1200], dst[1200];
    const WCHAR *srcp = src, *dstp = dst;
    int src_fixture = -1;
    switch (s->src) {
    case S_SMALL: src_fixture = 0; break;
    case S_MID: src_fixture = 1; break;
    case S_EMPTY: src_fixture = 2; break;
    case S_RO: src_fixture = 3; break;
    case S_DIR: swprintf(src, 1200, L"%ls\\adir", fuzz_dir); break;
    case S_MISSING: swprintf(src, 1200, L"%ls\\missing.bin", fuzz_dir); break;
    case S_NULL: srcp = NULL; break;
    default: srcp = L""; break;
    }
    if (src_fixture >= 0)
        swprintf(src, 1200, L"%ls\\%ls", fuzz_dir, fixtures[src_fixture].name);
    switch (s->dst) {
    case D_NEW: swprintf(dst, 1200, L"%ls\\d.bin", fuzz_dir); break;
    case D_EXISTING:
    case D_RO:
        swprintf(dst, 1200, L"%ls\\%ls", fuzz_dir, s->dst == D_RO ? L"ro-dst.bin" : L"d.bin");
        {
            HANDLE h = CreateFileW(dst, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
            DWORD w;
            WriteFile(h, "old contents", 12, &w, NULL);
            CloseHandle(h);
            if (s->dst == D_RO)
                SetFileAttributesW(dst, FILE_ATTRIBUTE_READONLY);
        }
        break;
    case D_DIR: swprintf(dst, 1200, L"%ls\\adir", fuzz_dir); break;
    case D_SAME:
        if (srcp == NULL || !srcp[0])
            swprintf(dst, 1200, L"%ls\\d.bin", fuzz_dir);
        else
            wcscpy(dst, src);
        break;
    case D_NULL: dstp = NULL; break;
    case D_EMPTYSTR: dstp = L""; break;
    case D_NOFOLDER: swprintf(dst, 1200, L"%ls\\no-such-folder\\d.bin", fuzz_dir); break;
    case D_BADNAME: swprintf(dst, 1200, L"%ls\\bad?name.bin", fuzz_dir); break;
    default: swprintf(dst, 1200, L"%ls\\%ls", fuzz_dir, s->fuzz_name); break;
    }
    BOOL dst_existed = dstp && dstp[0] && GetFileAttributesW(dstp) != INVALID_FILE_ATTRIBUTES;
    char *before = listing(fuzz_dir);

    /* The block and what it points to. */
    DWORD old;
    VirtualProtect(pages, 4 * page, PAGE_READWRITE, &old);
    memset(pages, 0, 4 * page);
    BOOL *cancel = (BOOL *)(pages + 3 * page);
    struct script sc = {s, NULL, 0, FALSE, FALSE, FALSE, FALSE, E_NONE};
    current_script = &sc;
    COPYFILE2_EXTENDED_PARAMETERS_V2 v;
    memset(&v, 0, sizeof v);
    v.dwSize = s->size;
    v.dwCopyFlags = s->flags;
    if (s->cancel != C_NULL) {
        v.pfCancel = cancel;
        *cancel = s->cancel == C_TRUE;
        sc.cancel = cancel;
    }
    if (s->routine == R_NEW || s->routine == R_BOTH) {
        v.pProgressRoutine = new_routine;
        v.pvCallbackContext = &sc;
    }
    v.dwCopyFlagsV2 = s->flags_v2;
    v.ioDesiredSize = s->io_size;
    v.ioDesiredRate = s->io_rate;
    if (s->routine == R_OLD || s->routine == R_BOTH) {
        v.pProgressRoutineOld = old_routine;
        if (s->context_noaccess && s->routine == R_OLD)
            v.pvCallbackContext = pages + 2 * page;
    }
    if (s->oplock)
        v.SourceOplockKeys = (PCOPYFILE2_CREATE_OPLOCK_KEYS)(pages + 2 * page + 32);
    if (s->reserved >= 0)
        v.reserved[s->reserved] = (PVOID)(pages + 2 * page + 64); /* never to be read */
    /* The block holds only what dwSize covers (at most the V2 structure). */
    size_t block_len = s->size < sizeof v ? s->size : sizeof v;
    if (block_len < sizeof(DWORD))
        block_len = sizeof(DWORD);
    BYTE *block;
    switch (s->placement) {
    case P_ODD: block = pages + 1; break;
    case P_PAGE_END: block = pages + 2 * page - block_len; break;
    case P_READONLY: block = pages + page; break;
    default: block = pages; break;
    }
    memcpy(block, &v, block_len);
    if (s->placement == P_READONLY || s->placement == P_PAGE_END)
        VirtualProtect(pages + page, page, PAGE_READONLY, &old);
    VirtualProtect(pages + 2 * page, page, PAGE_NOACCESS, &old);
    BOOL routine_may_set_cancel = s->cancel == C_BY_ROUTINE;
    if (!routine_may_set_cancel && s->cancel != C_NULL)
        VirtualProtect(pages + 3 * page, page, PAGE_READONLY, &old); /* the DLL never writes pfCancel */

    if (set_fault)
        set_fault(s->fault_phase, s->fault_chunk, s->fault_error);
    SetLastError(0xDEADBEEF);
    HRESULT hr = copyfile2(srcp, dstp, s->has_params ? (COPYFILE2_EXTENDED_PARAMETERS *)block : NULL);
    DWORD err = GetLastError();
    if (set_fault)
        set_fault(0, 0, 0);
    InterlockedIncrement(&heartbeat);
    VirtualProtect(pages, 4 * page, PAGE_READWRITE, &old);

    int ok = 1;
    /* The result and the last error agree. */
    if (hr == S_OK ? err != 0 : hr != HRESULT_FROM_WIN32(err))
        ok = failed("hr 0x%08lx with last error %lu", (unsigned long)hr, err);
    /* Validation first. */
    BOOL invalid = !valid_block(s) || srcp == NULL || dstp == NULL;
    char *after = listing(fuzz_dir);
    if (ok && invalid) {
        if (hr != E_INVALIDARG)
            ok = failed("an invalid block or a NULL path: expected E_INVALIDARG, got 0x%08lx", (unsigned long)hr);
        else if (strcmp(before, after) != 0)
            ok = failed("E_INVALIDARG, but the folder changed:\nbefore:\n%safter:\n%s", before, after);
        hist_invalid++;
    } else if (ok && (!srcp[0] || !dstp[0])) {
        if (hr != HRESULT_FROM_WIN32(ERROR_PATH_NOT_FOUND))
            ok = failed("an empty path: expected ERROR_PATH_NOT_FOUND, got 0x%08lx", (unsigned long)hr);
        else if (strcmp(before, after) != 0)
            ok = failed("empty path refused, but the folder changed");
        hist_other++;
    } else if (ok && hr == S_OK) {
        hist_ok++;
        DWORD sa = GetFileAttributesW(srcp), da = GetFileAttributesW(dstp);
        if (sa & FILE_ATTRIBUTE_DIRECTORY) {
            if (!(s->flags & COPY_FILE_DIRECTORY) || da == INVALID_FILE_ATTRIBUTES || !(da & FILE_ATTRIBUTE_DIRECTORY))
                ok = failed("S_OK for a folder source: DIRECTORY flag %s, destination attributes 0x%lx",
                            s->flags & COPY_FILE_DIRECTORY ? "set" : "not set", da);
        } else {
            uint64_t hs, hd;
            ULONGLONG ns, nd;
            if (!hash_file(srcp, &hs, &ns) || !hash_file(dstp, &hd, &nd) || hs != hd || ns != nd)
                ok = failed("S_OK but the destination is not byte-identical (%llu vs %llu bytes)", ns, nd);
        }
        /* A folder copy (COPY_FILE_DIRECTORY) sends no message and reads
         * no chunk, so nothing there reads pfCancel. */
        if (ok && (sc.first == E_CANCEL || sc.first == E_STOP || sc.first == E_INVALID ||
                   (s->has_params && s->cancel == C_TRUE && !(sa & FILE_ATTRIBUTE_DIRECTORY))))
            ok = failed("S_OK although the routine answered CANCEL/STOP/invalid or pfCancel was TRUE");
    } else if (ok) {
        hist_other++;
        DWORD e = err;
        BOOL explained = FALSE;
        const char *why = "";
        if (e == ERROR_REQUEST_ABORTED)
            explained = sc.stop_cancel || (s->has_params && s->cancel == C_TRUE) || sc.cancel_set, why = "aborted";
        else if (e == ERROR_REQUEST_PAUSED)
            explained = sc.pause, why = "paused";
        else if (e == ERROR_INVALID_PARAMETER)
            explained = sc.invalid, why = "invalid answer";
        else if (s->fault_phase && e == s->fault_error)
            explained = TRUE;
        else if (e == ERROR_FILE_NOT_FOUND)
            explained = s->src == S_MISSING;
        else if (e == ERROR_PATH_NOT_FOUND)
            explained = s->dst == D_NOFOLDER;
        else if (e == ERROR_INVALID_NAME)
            explained = s->dst == D_BADNAME || s->dst == D_FUZZ;
        else if (e == ERROR_FILE_EXISTS)
            explained = (s->flags & COPY_FILE_FAIL_IF_EXISTS) && dst_existed;
        else if (e == ERROR_ACCESS_DENIED)
            explained = s->src == S_DIR || s->dst == D_DIR || s->dst == D_RO ||
                        (s->src == S_RO && (s->flags & COPY_FILE_OPEN_SOURCE_FOR_WRITE));
        else if (e == ERROR_SHARING_VIOLATION)
            explained = s->dst == D_SAME;
        else if (e == ERROR_NOT_SUPPORTED)
            explained = FALSE;
        if (!explained)
            ok = failed("error %lu (%s) with no cause in the input", e, why);
        /* A copy ended by CANCEL, pfCancel or an invalid answer leaves no
         * new destination behind (STOP and PAUSE keep it). */
        BOOL ended_by_cancel = sc.first == E_CANCEL || sc.first == E_INVALID ||
                               (sc.first == E_NONE && ((s->has_params && s->cancel == C_TRUE) || sc.cancel_set));
        if (ok && (e == ERROR_INVALID_PARAMETER || e == ERROR_REQUEST_ABORTED) && ended_by_cancel && !dst_existed &&
            s->dst != D_SAME && s->dst != D_DIR && GetFileAttributesW(dstp) != INVALID_FILE_ATTRIBUTES)
            ok = failed("error %lu after a cancel or an invalid answer, but a new destination was left behind", e);
    }
    free(before);
    free(after);
    /* The sources never change. */
    for (size_t i = 0; ok && i < sizeof fixtures / sizeof fixtures[0]; i++) {
        WCHAR p[1200];
        uint64_t h;
        swprintf(p, 1200, L"%ls\\%ls", fuzz_dir, fixtures[i].name);
        DWORD a = GetFileAttributesW(p);
        if (!hash_file(p, &h, NULL) || h != fixtures[i].hash || (a & FILE_ATTRIBUTE_READONLY) != (fixtures[i].attrs & FILE_ATTRIBUTE_READONLY))
            ok = failed("the fixture %ls changed", fixtures[i].name);
    }
    clean(fuzz_dir, TRUE);
    return ok;
}

/* ---------------------------------------------------------------- handles */

/* This process's handle count: GetProcessHandleCount, or (Wine 8.0, where it
 * reports 0) its entries in NtQuerySystemInformation(SystemHandleInformation). */
static DWORD handle_count(void)
{
    DWORD n = 0;
    if (GetProcessHandleCount(GetCurrentProcess(), &n) && n)
        return n;
    typedef LONG(WINAPI * query_fn)(ULONG, void *, ULONG, ULONG *);
    query_fn query = (query_fn)(void (*)(void))GetProcAddress(GetModuleHandleW(L"ntdll.dll"), "NtQuerySystemInformation");
    static BYTE *buf;
    static ULONG size = 1 << 18;
    struct entry {
        ULONG pid;
        BYTE type, flags;
        USHORT value;
        void *object;
        ULONG access;
    };
    for (int attempt = 0; query && attempt < 8; attempt++, size *= 2) {
        free(buf);
        buf = malloc(size);
        ULONG got;
        if (buf && query(16, buf, size, &got) == 0) {
            ULONG count = *(ULONG *)buf;
            const struct entry *e = (const struct entry *)(buf + sizeof(void *));
            n = 0;
            for (ULONG i = 0; i < count; i++)
                n += e[i].pid == GetCurrentProcessId();
            return n;
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- crash and hang */

static LONG WINAPI on_crash(EXCEPTION_POINTERS *ep)
{
    printf("fuzz_params: CRASH (exception 0x%08lx at %p) at iteration %llu; input:\n",
           ep->ExceptionRecord->ExceptionCode, ep->ExceptionRecord->ExceptionAddress, iteration);
    spec_print(stdout, &cur);
    fflush(stdout);
    ExitProcess(3);
}

static DWORD WINAPI watchdog(void *arg)
{
    (void)arg;
    LONG last = -1;
    for (;;) {
        Sleep(30000);
        LONG now = heartbeat;
        if (now == last) {
            printf("fuzz_params: HANG: iteration %llu did not return within 30 s; input:\n", iteration);
            spec_print(stdout, &cur);
            fflush(stdout);
            ExitProcess(4);
        }
        last = now;
    }
    return 0;
}

/* ---------------------------------------------------------------- main */

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    int argc;
    WCHAR **argv = CommandLineToArgvW(GetCommandLineW(), &argc);
    if (argc < 5) {
        printf("usage: fuzz_params.exe DLL WORKDIR CORPUS ITERATIONS [SEED [MAX_SECONDS]]\n");
        return 2;
    }
    unsigned long long iterations = wcstoull(argv[4], NULL, 0);
    uint64_t seed = argc > 5 ? wcstoull(argv[5], NULL, 0) : (GetTickCount64() * 0x9E3779B97F4A7C15ull) ^ GetCurrentProcessId();
    if (!seed)
        seed = 1;
    rng = seed;
    ULONGLONG max_ms = argc > 6 ? wcstoull(argv[6], NULL, 0) * 1000 : 0;
    HMODULE dll = LoadLibraryW(argv[1]);
    if (!dll) {
        printf("fuzz_params: cannot load %ls: %lu\n", argv[1], GetLastError());
        return 2;
    }
    copyfile2 = (PFN_COPYFILE2)(void (*)(void))GetProcAddress(dll, "CopyFile2");
    set_fault = (void(WINAPI *)(DWORD, ULONGLONG, DWORD))(void (*)(void))GetProcAddress(dll, "cf2_test_set_fault");
    if (!copyfile2) {
        printf("fuzz_params: %ls has no CopyFile2\n", argv[1]);
        return 2;
    }

    /* Seeds. */
    struct spec seeds[64];
    int nseeds = 0;
    WCHAR pat[1100];
    swprintf(pat, 1100, L"%ls\\*.txt", argv[3]);
    WIN32_FIND_DATAW fd;
    HANDLE f = FindFirstFileW(pat, &fd);
    if (f != INVALID_HANDLE_VALUE) {
        do {
            char path[1200];
            snprintf(path, sizeof path, "%ls\\%ls", argv[3], fd.cFileName);
            if (nseeds < 64) {
                if (!spec_parse(path, &seeds[nseeds])) {
                    printf("fuzz_params: bad seed file %s\n", path);
                    return 2;
                }
                nseeds++;
            }
        } while (FindNextFileW(f, &fd));
        FindClose(f);
    }
    if (nseeds == 0) {
        printf("fuzz_params: no seeds (*.txt) in %ls\n", argv[3]);
        return 2;
    }

    /* The work folder, a sentinel next to it, and the fixtures. */
    if (!GetFullPathNameW(argv[2], 1000, work, NULL))
        return 2;
    CreateDirectoryW(work, NULL);
    swprintf(fuzz_dir, 1100, L"%ls\\params", work);
    swprintf(lfuzz_dir, 1100, L"\\\\?\\%ls", fuzz_dir);
    CreateDirectoryW(fuzz_dir, NULL);
    clean(fuzz_dir, FALSE);
    WCHAR adir[1200], sentinel[1200];
    swprintf(adir, 1200, L"%ls\\adir", fuzz_dir);
    CreateDirectoryW(adir, NULL);
    swprintf(sentinel, 1200, L"%ls\\sentinel.txt", work);
    HANDLE h = CreateFileW(sentinel, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
    DWORD w;
    WriteFile(h, "outside the fuzz folder\n", 24, &w, NULL);
    CloseHandle(h);
    for (size_t i = 0; i < sizeof fixtures / sizeof fixtures[0]; i++)
        make_fixture(&fixtures[i]);
    SetCurrentDirectoryW(fuzz_dir);
    char *outside = listing(work);
    uint64_t sentinel_hash;
    hash_file(sentinel, &sentinel_hash, NULL);

    SYSTEM_INFO si;
    GetSystemInfo(&si);
    page = si.dwPageSize;
    pages = VirtualAlloc(NULL, 4 * page, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
    SetUnhandledExceptionFilter(on_crash);
    CreateThread(NULL, 0, watchdog, NULL, 0, NULL);

    printf("fuzz_params: %ls, seed %llu (replay: same seed), %d seed inputs, %llu iterations, fault seam %s\n",
           argv[1], (unsigned long long)seed, nseeds, iterations, set_fault ? "used" : "absent");
    ULONGLONG t0 = GetTickCount64();
    int ok = 1;
    DWORD handles_start = 0;
    for (iteration = 0; iteration < iterations && ok; iteration++) {
        /* The handle count once every seed has run once (Wine creates a few
         * objects lazily); a leak of one handle a call would show at the end. */
        if (iteration == (unsigned)nseeds)
            handles_start = handle_count();
        if (max_ms && GetTickCount64() - t0 > max_ms) {
            printf("fuzz_params: time limit reached, stopping after %llu of %llu iterations\n", iteration, iterations);
            break;
        }
        cur = seeds[iteration % (unsigned)nseeds];
        if (iteration >= (unsigned)nseeds) /* every seed once as it is, then mutated */
            mutate(&cur);
        ok = run_one();
        if (ok && iteration % 1000 == 999) {
            char *now = listing(work);
            uint64_t sh;
            if (strcmp(now, outside) != 0 || !hash_file(sentinel, &sh, NULL) || sh != sentinel_hash)
                ok = failed("something outside the fuzz folder changed:\nbefore:\n%safter:\n%s", outside, now);
            free(now);
        }
    }
    char *now = listing(work);
    if (ok && strcmp(now, outside) != 0)
        ok = failed("something outside the fuzz folder changed");
    free(now);
    DWORD handles_end = handle_count();
    if (ok && handles_start && iteration > (unsigned)nseeds + 100 && handles_end > handles_start + 4)
        ok = failed("the process had %lu handles after the first %d iterations and %lu at the end: a leak",
                    handles_start, nseeds, handles_end);
    double secs = (GetTickCount64() - t0) / 1000.0;
    printf("fuzz_params: %llu executions in %.1f s (seed %llu): %u S_OK, %u E_INVALIDARG for invalid input, "
           "%u other documented errors; handles %lu -> %lu; %s\n",
           iteration, secs, (unsigned long long)seed, hist_ok, hist_invalid, hist_other, handles_start, handles_end,
           ok ? "every result as documented" : "FAILED");
    SetCurrentDirectoryW(work);
    clean(fuzz_dir, FALSE);
    RemoveDirectoryW(fuzz_dir);
    DeleteFileW(sentinel);
    return ok ? 0 : 1;
}

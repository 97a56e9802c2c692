/*
 * main.c - the conformance runner: options, loading the implementation under
 * test, probing what the platform can store, per-test work folders, and one
 * cmocka group per contract area of the registry (registry.c).
 *
 * Usage: conformance.exe [--impl PATH] [--workdir DIR] [--doc-only] [--quick]
 *                        [--area NAME] [--filter TEXT] [--keep] [--list] [--probe]
 *
 *   --impl PATH    the implementation: a DLL path, a folder holding
 *                  copyfile2.dll, or a bare module name such as kernel32.dll
 *                  (the system's).  Default: env CF2_IMPL, else copyfile2.dll
 *                  next to this program.
 *   --workdir DIR  root of the per-test work folders.  Default: env
 *                  CF2_WORKDIR, else .\cf2-conformance-work.
 *   --doc-only     run only tests of documented or observed Windows behaviour
 *                  (DOC, OBS); skip OURS tests and OURS-only checks.  Also env
 *                  CF2_DOC_ONLY=1.
 *   --quick        skip the slow tests (the copy of a file over 4 GiB, which
 *                  writes 4 GiB); each is reported as skipped with that reason.
 *   --area NAME    run one area only (params, results, sharing, data, metadata,
 *                  failure).
 *   --filter TEXT  run only tests whose name contains TEXT.
 *   --keep         keep each test's work folder.
 *   --list         print the registry (clause, mark, area, test, what) and exit 0.
 *   --probe        print one line and exit 0 (the runner's "can this arch run" check).
 *
 * Exit codes:
 *   0  every test that ran passed (skips allowed)
 *   1  at least one test failed
 *   2  usage error, or the work folder could not be prepared
 *   3  the implementation could not be loaded
 *   4  the implementation has no CopyFile2 export: every test skipped
 */
#include "harness.h"

#include <shellapi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_ALL_PASSED 0
#define EXIT_FAILED 1
#define EXIT_USAGE 2
#define EXIT_NO_LOAD 3
#define EXIT_NO_EXPORT 4

#if defined(_WIN64)
#define ARCH_NAME "x64"
#else
#define ARCH_NAME "x86"
#endif

unsigned cf2_skipped_count;

static WCHAR work_root[1024];
static WCHAR start_dir[1024]; /* restored after every test (some tests change it) */
static BOOL keep_folders;
static struct cf2_ctx the_ctx;

/* ---------------------------------------------------------------- folders */

/* Removes a folder tree (long paths included: `path` has the \\?\ prefix). */
static BOOL rm_tree(const WCHAR *path)
{
    size_t len = wcslen(path);
    WCHAR *pat = malloc((len + 300) * sizeof(WCHAR));
    if (!pat)
        return FALSE;
    BOOL ok = TRUE;
    wcscpy(pat, path);
    wcscat(pat, L"\\*");
    WIN32_FIND_DATAW fd;
    HANDLE f = FindFirstFileW(pat, &fd);
    if (f != INVALID_HANDLE_VALUE) {
        do {
            if (!wcscmp(fd.cFileName, L".") || !wcscmp(fd.cFileName, L".."))
                continue;
            WCHAR *child = malloc((len + wcslen(fd.cFileName) + 2) * sizeof(WCHAR));
            if (!child) {
                ok = FALSE;
                break;
            }
            wcscpy(child, path);
            wcscat(child, L"\\");
            wcscat(child, fd.cFileName);
            if (fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) {
                if (!rm_tree(child))
                    ok = FALSE;
            } else {
                SetFileAttributesW(child, FILE_ATTRIBUTE_NORMAL);
                if (!DeleteFileW(child)) {
                    cf2_note("cannot delete %s: error %lu", cf2_u8(child), GetLastError());
                    ok = FALSE;
                }
            }
            free(child);
        } while (FindNextFileW(f, &fd));
        FindClose(f);
    }
    free(pat);
    SetFileAttributesW(path, FILE_ATTRIBUTE_NORMAL);
    if (!RemoveDirectoryW(path) && GetLastError() != ERROR_FILE_NOT_FOUND &&
        GetLastError() != ERROR_PATH_NOT_FOUND) {
        cf2_note("cannot remove folder %s: error %lu", cf2_u8(path), GetLastError());
        ok = FALSE;
    }
    return ok;
}

static BOOL mkdir_all(const WCHAR *full)
{
    WCHAR buf[1024];
    if (wcslen(full) >= 1024)
        return FALSE;
    wcscpy(buf, full);
    for (WCHAR *p = buf + 3; *p; p++) {
        if (*p == L'\\') {
            *p = 0;
            CreateDirectoryW(buf, NULL);
            *p = L'\\';
        }
    }
    if (!CreateDirectoryW(buf, NULL) && GetLastError() != ERROR_ALREADY_EXISTS)
        return FALSE;
    return TRUE;
}

static int cf2_setup(void **state)
{
    const struct cf2_test *test = *state;
    struct cf2_ctx *t = &the_ctx;
    memset(t, 0, sizeof *t);
    t->test = test;
    WCHAR name[256];
    MultiByteToWideChar(CP_UTF8, 0, test->name, -1, name, 200);
    swprintf(t->dir, sizeof t->dir / sizeof t->dir[0], L"%ls\\%03u-%ls", work_root,
             (unsigned)(test - cf2_tests), name);
    WCHAR lp[1100];
    swprintf(lp, sizeof lp / sizeof lp[0], L"\\\\?\\%ls", t->dir);
    rm_tree(lp);
    if (!CreateDirectoryW(t->dir, NULL)) {
        cf2_err("ERROR: cannot create the work folder %s: error %lu\n", cf2_u8(t->dir), GetLastError());
        return -1;
    }
    *state = t;
    return 0;
}

static int cf2_teardown(void **state)
{
    struct cf2_ctx *t = *state;
    if (t != &the_ctx)
        return 0; /* setup did not run to the end */
    for (int i = 0; i < CF2_MAX_TRACKED; i++) {
        if (t->views[i])
            UnmapViewOfFile(t->views[i]);
        t->views[i] = NULL;
    }
    for (int i = 0; i < CF2_MAX_TRACKED; i++) {
        if (t->handles[i])
            CloseHandle(t->handles[i]);
        t->handles[i] = NULL;
    }
    if (cf2_impl.set_fault)
        cf2_impl.set_fault(0, 0, 0); /* never leave a fault armed for the next test */
    SetCurrentDirectoryW(start_dir);
    if (keep_folders)
        return 0;
    WCHAR lp[1100];
    swprintf(lp, sizeof lp / sizeof lp[0], L"\\\\?\\%ls", t->dir);
    if (!rm_tree(lp)) {
        cf2_err("ERROR: the work folder %s could not be removed (was a handle left open?)\n",
                cf2_u8(t->dir));
        return -1;
    }
    return 0;
}

/* Every registry test runs through here: the reasons to skip are decided in
 * one place, so no test can pass without running. */
static void cf2_run(void **state)
{
    struct cf2_ctx *t = *state;
    const struct cf2_test *test = t->test;
    if (!cf2_impl.copyfile2)
        cf2_skip("implementation %s has no CopyFile2 export (error %lu)", cf2_impl.path,
                 cf2_impl.missing_error);
    if (cf2_doc_only && test->mark == CF2_OURS)
        cf2_skip("OURS test (this project's decision, clause %s): not run with --doc-only", test->clause);
    if ((test->needs & CF2_SLOW) && cf2_quick)
        cf2_skip("slow test (writes GiBs), not run with --quick");
    if ((test->needs & CF2_NEEDS_SEAM) && !cf2_impl.set_fault)
        cf2_skip("implementation has no fault-injection seam (no cf2_test_set_fault export)");
    test->fn(t);
}

/* ---------------------------------------------------------------- platform probe */

static void probe_platform(void)
{
    WCHAR p[1100];
    swprintf(p, sizeof p / sizeof p[0], L"%ls\\_probe.bin", work_root);
    HANDLE h = CreateFileW(p, GENERIC_READ | GENERIC_WRITE | FILE_WRITE_ATTRIBUTES, 0, NULL,
                           CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    if (h == INVALID_HANDLE_VALUE)
        return;
    FILETIME now = cf2_now();
    FILETIME w = cf2_filetime(2001, 2, 3, 4, 5, 6, 700);
    FILETIME c = cf2_filetime(1999, 9, 9, 9, 9, 9, 900);
    FILETIME a = cf2_filetime(2002, 3, 4, 5, 6, 7, 800);
    FILETIME rc, ra, rw;
    SetFileTime(h, NULL, NULL, &w);
    if (GetFileTime(h, &rc, NULL, NULL)) {
        LONGLONG d = (LONGLONG)(cf2_ft64(rc) - cf2_ft64(now));
        cf2_caps.creation_is_birth = d > -50000000LL && d < 50000000LL; /* within 5 s of now */
    }
    SetFileTime(h, &c, &a, NULL);
    if (GetFileTime(h, &rc, &ra, &rw)) {
        cf2_caps.creation_settable = CompareFileTime(&rc, &c) == 0;
        cf2_caps.access_settable = CompareFileTime(&ra, &a) == 0;
    }
    CloseHandle(h);
    SetFileAttributesW(p, FILE_ATTRIBUTE_HIDDEN);
    cf2_caps.hidden_stored = (GetFileAttributesW(p) & FILE_ATTRIBUTE_HIDDEN) != 0;
    SetFileAttributesW(p, FILE_ATTRIBUTE_SYSTEM);
    DWORD at = GetFileAttributesW(p);
    cf2_caps.system_stored = at != INVALID_FILE_ATTRIBUTES && (at & FILE_ATTRIBUTE_SYSTEM);
    SetFileAttributesW(p, FILE_ATTRIBUTE_NORMAL);
    DeleteFileW(p);
}

/* ---------------------------------------------------------------- implementation */

/* Returns 0, or EXIT_NO_LOAD. */
static int load_impl(const WCHAR *spec)
{
    WCHAR dll[1024], full[1024];
    if (spec == NULL || spec[0] == 0) {
        DWORD n = GetModuleFileNameW(NULL, dll, 1000);
        WCHAR *slash = wcsrchr(dll, L'\\');
        if (n == 0 || !slash)
            wcscpy(dll, L"copyfile2.dll");
        else
            wcscpy(slash + 1, L"copyfile2.dll");
    } else {
        DWORD a = GetFileAttributesW(spec);
        if (a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_DIRECTORY))
            swprintf(dll, 1024, L"%ls\\copyfile2.dll", spec);
        else
            swprintf(dll, 1024, L"%ls", spec);
    }
    BOOL has_dir = wcschr(dll, L'\\') || wcschr(dll, L'/') || wcschr(dll, L':');
    if (has_dir) {
        if (!GetFullPathNameW(dll, 1024, full, NULL))
            wcscpy(full, dll);
        cf2_impl.module = LoadLibraryExW(full, NULL, LOAD_WITH_ALTERED_SEARCH_PATH);
    } else {
        wcscpy(full, dll);
        cf2_impl.module = LoadLibraryW(full);
    }
    if (!cf2_impl.module) {
        printf("implementation %s could not be loaded (LoadLibrary error %lu)\n", cf2_u8(full),
               GetLastError());
        return EXIT_NO_LOAD;
    }
    WCHAR mod[1024];
    if (!GetModuleFileNameW(cf2_impl.module, mod, 1024))
        wcscpy(mod, full);
    snprintf(cf2_impl.path, sizeof cf2_impl.path, "%s", cf2_u8(mod));

    SetLastError(0);
    cf2_impl.copyfile2 = (PFN_COPYFILE2)(void (*)(void))GetProcAddress(cf2_impl.module, "CopyFile2");
    if (!cf2_impl.copyfile2)
        cf2_impl.missing_error = GetLastError();
    cf2_impl.set_fault = (void(WINAPI *)(DWORD, ULONGLONG, DWORD))(void (*)(void))GetProcAddress(
        cf2_impl.module, "cf2_test_set_fault");
    return 0;
}

/* ---------------------------------------------------------------- main */

static void usage(void)
{
    printf("usage: conformance.exe [--impl PATH] [--workdir DIR] [--doc-only] [--quick]\n"
           "                       [--area NAME] [--filter TEXT] [--keep] [--list] [--probe]\n"
           "exit codes: 0 passed, 1 failed, 2 usage/work folder, 3 cannot load the\n"
           "implementation, 4 implementation has no CopyFile2 export (all skipped)\n");
}

static void list_tests(void)
{
    printf("clause\tmark\tarea\ttest\twhat\n");
    for (size_t i = 0; i < cf2_test_count; i++) {
        const struct cf2_test *t = &cf2_tests[i];
        printf("%s\t%s\t%s\t%s\t%s%s%s\n", t->clause, cf2_mark_name(t->mark), t->area, t->name,
               t->what, (t->needs & CF2_NEEDS_SEAM) ? " (needs the fault seam)" : "",
               (t->needs & CF2_SLOW) ? " (slow: skipped by --quick)" : "");
    }
}

static const WCHAR *env_or(const WCHAR *value, const WCHAR *var, WCHAR *buf, DWORD n)
{
    if (value)
        return value;
    DWORD got = GetEnvironmentVariableW(var, buf, n);
    return got > 0 && got < n ? buf : NULL;
}

int main(void)
{
    /* One unbuffered stdout: cmocka writes results to stdout and failures to
     * stderr; unbuffered, they stay in order in a single log file. */
    setvbuf(stdout, NULL, _IONBF, 0);
    setvbuf(stderr, NULL, _IONBF, 0);

    int argc = 0;
    WCHAR **argv = CommandLineToArgvW(GetCommandLineW(), &argc);
    const WCHAR *impl_arg = NULL, *workdir_arg = NULL;
    const char *only_area = NULL;
    static char area_buf[64], filter_buf[256];
    const char *filter = NULL;
    BOOL list = FALSE;

    for (int i = 1; argv && i < argc; i++) {
        const WCHAR *a = argv[i];
        BOOL has_value = i + 1 < argc;
        if (!wcscmp(a, L"--impl") && has_value)
            impl_arg = argv[++i];
        else if (!wcscmp(a, L"--workdir") && has_value)
            workdir_arg = argv[++i];
        else if (!wcscmp(a, L"--doc-only"))
            cf2_doc_only = TRUE;
        else if (!wcscmp(a, L"--quick"))
            cf2_quick = TRUE;
        else if (!wcscmp(a, L"--keep"))
            keep_folders = TRUE;
        else if (!wcscmp(a, L"--list"))
            list = TRUE;
        else if (!wcscmp(a, L"--area") && has_value) {
            WideCharToMultiByte(CP_UTF8, 0, argv[++i], -1, area_buf, sizeof area_buf, NULL, NULL);
            only_area = area_buf;
        } else if (!wcscmp(a, L"--filter") && has_value) {
            WideCharToMultiByte(CP_UTF8, 0, argv[++i], -1, filter_buf, sizeof filter_buf, NULL, NULL);
            filter = filter_buf;
        } else if (!wcscmp(a, L"--probe")) {
            printf("cf2-conformance %s: probe ok\n", ARCH_NAME);
            return EXIT_ALL_PASSED;
        } else if (!wcscmp(a, L"--help") || !wcscmp(a, L"-h")) {
            usage();
            return EXIT_ALL_PASSED;
        } else {
            printf("conformance: unknown or incomplete option %s\n", cf2_u8(a));
            usage();
            return EXIT_USAGE;
        }
    }
    if (list) {
        list_tests();
        return EXIT_ALL_PASSED;
    }
    if (only_area) {
        BOOL known = FALSE;
        for (int i = 0; cf2_areas[i]; i++)
            known |= !strcmp(cf2_areas[i], only_area);
        if (!known) {
            printf("conformance: unknown area %s\n", only_area);
            return EXIT_USAGE;
        }
    }

    WCHAR env_impl[1024], env_work[1024], env_doc[16];
    impl_arg = env_or(impl_arg, L"CF2_IMPL", env_impl, 1024);
    workdir_arg = env_or(workdir_arg, L"CF2_WORKDIR", env_work, 1024);
    if (env_or(NULL, L"CF2_DOC_ONLY", env_doc, 16) && wcscmp(env_doc, L"0") != 0)
        cf2_doc_only = TRUE;

    printf("cf2-conformance (%s): CopyFile2 conformance suite, %u tests; "
           "sizeof V1 = %u, sizeof V2 = %u\n",
           ARCH_NAME, (unsigned)cf2_test_count, (unsigned)sizeof(COPYFILE2_EXTENDED_PARAMETERS),
           (unsigned)sizeof(COPYFILE2_EXTENDED_PARAMETERS_V2));
    printf("mode: %s%s\n", cf2_doc_only ? "--doc-only (DOC and OBS tests; OURS tests skipped)"
                                        : "all tests (DOC, OBS and OURS)",
           cf2_quick ? "; --quick (slow tests skipped)" : "");

    /* Work folder. */
    const WCHAR *root = workdir_arg ? workdir_arg : L"cf2-conformance-work";
    if (!GetFullPathNameW(root, 900, work_root, NULL) || wcslen(work_root) > 800) {
        printf("conformance: bad work folder %s\n", cf2_u8(root));
        return EXIT_USAGE;
    }
    size_t wl = wcslen(work_root);
    while (wl > 3 && work_root[wl - 1] == L'\\')
        work_root[--wl] = 0;
    if (!mkdir_all(work_root)) {
        printf("conformance: cannot create the work folder %s (error %lu)\n", cf2_u8(work_root),
               GetLastError());
        return EXIT_USAGE;
    }
    printf("workdir: %s\n", cf2_u8(work_root));
    GetCurrentDirectoryW(1024, start_dir);

    int rc = load_impl(impl_arg);
    if (rc)
        return rc;
    printf("implementation: %s\n", cf2_impl.path);
    if (!cf2_impl.copyfile2) {
        printf("implementation %s has no CopyFile2 export (error %lu): all tests skipped\n",
               cf2_impl.path, cf2_impl.missing_error);
    } else {
        printf("fault-injection seam: %s\n",
               cf2_impl.set_fault ? "present (cf2_test_set_fault)"
                                  : "absent: fault tests will be skipped");
    }

    probe_platform();
    printf("platform: creation time settable: %s; new file's creation time: %s; "
           "last-access time settable: %s; HIDDEN stored: %s; SYSTEM stored: %s\n",
           cf2_caps.creation_settable ? "yes" : "no",
           cf2_caps.creation_is_birth ? "time of creation" : "not the time of creation",
           cf2_caps.access_settable ? "yes" : "no", cf2_caps.hidden_stored ? "yes" : "no",
           cf2_caps.system_stored ? "yes" : "no");

    /* One cmocka group per area. */
    unsigned total = 0, failed = 0, skipped = 0;
    struct CMUnitTest *group = calloc(cf2_test_count, sizeof *group);
    char **names = calloc(cf2_test_count, sizeof *names);
    if (!group || !names)
        return EXIT_USAGE;
    for (int a = 0; cf2_areas[a]; a++) {
        if (only_area && strcmp(only_area, cf2_areas[a]) != 0)
            continue;
        size_t n = 0;
        for (size_t i = 0; i < cf2_test_count; i++) {
            const struct cf2_test *t = &cf2_tests[i];
            if (strcmp(t->area, cf2_areas[a]) != 0)
                continue;
            if (filter && !strstr(t->name, filter))
                continue;
            if (!names[i]) {
                names[i] = malloc(strlen(t->name) + strlen(t->clause) + 16);
                sprintf(names[i], "%s [%s %s]", t->name, t->clause, cf2_mark_name(t->mark));
            }
            group[n].name = names[i];
            group[n].test_func = cf2_run;
            group[n].setup_func = cf2_setup;
            group[n].teardown_func = cf2_teardown;
            group[n].initial_state = (void *)t;
            n++;
        }
        if (n == 0)
            continue;
        unsigned skipped_before = cf2_skipped_count;
        /* cmocka_run_group_tests_name() with a run-time count. */
        int f = _cmocka_run_group_tests(cf2_areas[a], group, n, NULL, NULL);
        total += (unsigned)n;
        failed += (unsigned)f;
        skipped += cf2_skipped_count - skipped_before;
    }

    printf("cf2-conformance (%s): %u tests: %u passed, %u failed, %u skipped; implementation %s%s%s\n",
           ARCH_NAME, total, total - failed - skipped, failed, skipped, cf2_impl.path,
           cf2_doc_only ? " (--doc-only)" : "", cf2_quick ? " (--quick)" : "");
    if (!cf2_impl.copyfile2)
        return failed ? EXIT_FAILED : EXIT_NO_EXPORT;
    return failed ? EXIT_FAILED : EXIT_ALL_PASSED;
}

/*
 * k32_smoke.c - the rest of kernel32 keeps working under the drop-in.
 *
 * An ordinary program (imports from KERNEL32.dll and msvcrt.dll only) that
 * exercises files, threads and synchronisation, the console, time, heaps,
 * the last error, the environment, modules and a child process, with real
 * assertions.  Most of these calls reach Wine's code through the proxy's
 * forwarders to kernel32_wine.dll, some (SRW locks, Interlocked*, critical
 * sections) through forwarders the original itself has to ntdll.
 *
 *   k32_smoke [WORKDIR]   runs everything; prints "k32_smoke: N passed, M failed"
 *   k32_smoke child       exits with 42 (for the CreateProcess check)
 */
#include <windows.h>
#include <string.h>
#include "tcheck.h"

#define NTHREADS 4
#define NITER 20000

static WCHAR work[MAX_PATH];

static BOOL ends_with(const WCHAR *s, const WCHAR *tail)
{
    int n = lstrlenW(s), k = lstrlenW(tail);
    return n >= k && lstrcmpiW(s + n - k, tail) == 0;
}

static void path_in(WCHAR *out, const WCHAR *name)
{
    lstrcpyW(out, work);
    lstrcatW(out, L"\\");
    lstrcatW(out, name);
}

/* ------------------------------------------------------------------ files */
static void test_files(void)
{
    WCHAR a[MAX_PATH], b[MAX_PATH], c[MAX_PATH], pattern[MAX_PATH], full[MAX_PATH];
    WCHAR *filepart = NULL;
    static const char text[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    char buf[64];
    DWORD n = 0, len;
    LARGE_INTEGER pos, newpos, size;
    HANDLE h, map;
    WIN32_FIND_DATAW fd;
    int found = 0;

    path_in(a, L"a.txt");
    path_in(b, L"b.txt");
    path_in(c, L"c.txt");

    h = CreateFileW(a, GENERIC_READ | GENERIC_WRITE, 0, NULL, CREATE_NEW, FILE_ATTRIBUTE_NORMAL, NULL);
    CHECK(h != INVALID_HANDLE_VALUE, "CreateFileW error %lu", GetLastError());
    CHECK(WriteFile(h, text, 36, &n, NULL) && n == 36, "WriteFile wrote %lu", n);
    CHECK(FlushFileBuffers(h), "FlushFileBuffers error %lu", GetLastError());
    CHECK(GetFileSizeEx(h, &size) && size.QuadPart == 36, "GetFileSizeEx %lld", size.QuadPart);
    pos.QuadPart = 10;
    CHECK(SetFilePointerEx(h, pos, &newpos, FILE_BEGIN) && newpos.QuadPart == 10, "seek to 10");
    memset(buf, 0, sizeof buf);
    CHECK(ReadFile(h, buf, 6, &n, NULL) && n == 6 && memcmp(buf, "abcdef", 6) == 0, "read back '%.6s'", buf);
    pos.QuadPart = -4;
    CHECK(SetFilePointerEx(h, pos, &newpos, FILE_END) && newpos.QuadPart == 32, "seek from end %lld",
          newpos.QuadPart);
    CHECK(ReadFile(h, buf, sizeof buf, &n, NULL) && n == 4 && memcmp(buf, "wxyz", 4) == 0, "tail read");
    CHECK(ReadFile(h, buf, sizeof buf, &n, NULL) && n == 0, "read at end gives %lu bytes", n);
    pos.QuadPart = 20;
    CHECK(SetFilePointerEx(h, pos, NULL, FILE_BEGIN) && SetEndOfFile(h), "SetEndOfFile");
    CHECK(GetFileSizeEx(h, &size) && size.QuadPart == 20, "size after truncation %lld", size.QuadPart);
    map = CreateFileMappingW(h, NULL, PAGE_READONLY, 0, 0, NULL);
    CHECK(map != NULL, "CreateFileMappingW error %lu", GetLastError());
    if (map) {
        const char *view = MapViewOfFile(map, FILE_MAP_READ, 0, 0, 0);
        CHECK(view != NULL && memcmp(view, text, 20) == 0, "mapped view");
        if (view)
            UnmapViewOfFile(view);
        CloseHandle(map);
    }
    CHECK(CloseHandle(h), "CloseHandle");

    CHECK(CopyFileW(a, b, TRUE), "CopyFileW error %lu", GetLastError());
    CHECK(!CopyFileW(a, b, TRUE) && GetLastError() == ERROR_FILE_EXISTS, "CopyFileW fail-if-exists error %lu",
          GetLastError());
    CHECK(MoveFileExW(b, c, 0), "MoveFileExW error %lu", GetLastError());
    CHECK(GetFileAttributesW(b) == INVALID_FILE_ATTRIBUTES && GetLastError() == ERROR_FILE_NOT_FOUND,
          "the moved-away name still exists");
    CHECK(CopyFileW(a, b, FALSE) && MoveFileExW(b, c, MOVEFILE_REPLACE_EXISTING), "MoveFileExW replace");
    CHECK(!MoveFileExW(a, c, 0) && GetLastError() == ERROR_ALREADY_EXISTS, "MoveFileExW onto a file: %lu",
          GetLastError());

    path_in(pattern, L"*.txt");
    h = FindFirstFileW(pattern, &fd);
    CHECK(h != INVALID_HANDLE_VALUE, "FindFirstFileW error %lu", GetLastError());
    if (h != INVALID_HANDLE_VALUE) {
        do {
            if (!lstrcmpiW(fd.cFileName, L"a.txt") || !lstrcmpiW(fd.cFileName, L"c.txt"))
                found++;
            else
                found += 100;
        } while (FindNextFileW(h, &fd));
        CHECK(GetLastError() == ERROR_NO_MORE_FILES, "FindNextFileW ended with %lu", GetLastError());
        FindClose(h);
    }
    CHECK(found == 2, "found %d", found);

    CHECK(DeleteFileW(a) && DeleteFileW(c), "DeleteFileW error %lu", GetLastError());
    CHECK(!DeleteFileW(a) && GetLastError() == ERROR_FILE_NOT_FOUND, "DeleteFileW of a missing file: %lu",
          GetLastError());
    SetLastError(0);
    CHECK(CreateFileW(a, GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL) == INVALID_HANDLE_VALUE &&
          GetLastError() == ERROR_FILE_NOT_FOUND, "opening a missing file: %lu", GetLastError());

    len = GetFullPathNameW(L"rel\\x.txt", MAX_PATH, full, &filepart);
    CHECK(len > 9 && len < MAX_PATH && ends_with(full, L"\\rel\\x.txt") && filepart && !lstrcmpW(filepart, L"x.txt"),
          "GetFullPathNameW gives %ls", full);
    len = GetTempPathW(MAX_PATH, full);
    CHECK(len > 3 && full[len - 1] == L'\\' && GetFileAttributesW(full) != INVALID_FILE_ATTRIBUTES,
          "GetTempPathW gives %ls", full);
}

/* ------------------------------------------------------------------ threads */
static volatile LONG counter_interlocked;
static LONG counter_cs, counter_srw;
static CRITICAL_SECTION cs;
static SRWLOCK srw = SRWLOCK_INIT;
static DWORD tls_index;
static HANDLE go_event;

static DWORD WINAPI worker(LPVOID arg)
{
    ULONG_PTR me = (ULONG_PTR)arg;
    int i, tls_ok = 1;
    if (WaitForSingleObject(go_event, 10000) != WAIT_OBJECT_0)
        return 1000;
    if (!TlsSetValue(tls_index, (LPVOID)(me + 1)))
        return 1001;
    for (i = 0; i < NITER; i++) {
        InterlockedIncrement(&counter_interlocked);
        EnterCriticalSection(&cs);
        counter_cs++;
        LeaveCriticalSection(&cs);
        AcquireSRWLockExclusive(&srw);
        counter_srw++;
        ReleaseSRWLockExclusive(&srw);
        if ((i & 1023) == 0) {
            if (TlsGetValue(tls_index) != (LPVOID)(me + 1))
                tls_ok = 0;
            Sleep(0);
        }
    }
    SetLastError((DWORD)(5000 + me));
    Sleep(20);                              /* the other threads set theirs meanwhile */
    if (GetLastError() != 5000 + me)        /* the last error is per thread */
        return 1002;
    return tls_ok ? (DWORD)(100 + me) : 1003;
}

static void test_threads(void)
{
    HANDLE t[NTHREADS], manual, autoev;
    DWORD code, i, ids[NTHREADS];

    InitializeCriticalSection(&cs);
    tls_index = TlsAlloc();
    CHECK(tls_index != TLS_OUT_OF_INDEXES, "TlsAlloc");
    CHECK(TlsSetValue(tls_index, (LPVOID)0x77) && TlsGetValue(tls_index) == (LPVOID)0x77, "TLS on main");
    go_event = CreateEventW(NULL, TRUE, FALSE, NULL);
    CHECK(go_event != NULL, "CreateEventW");
    for (i = 0; i < NTHREADS; i++) {
        t[i] = CreateThread(NULL, 0, worker, (LPVOID)(ULONG_PTR)i, 0, &ids[i]);
        CHECK(t[i] != NULL && ids[i] != GetCurrentThreadId(), "CreateThread %lu error %lu", i, GetLastError());
    }
    SetLastError(4242);
    CHECK(SetEvent(go_event), "SetEvent");
    CHECK(WaitForMultipleObjects(NTHREADS, t, TRUE, 60000) == WAIT_OBJECT_0, "threads did not finish");
    for (i = 0; i < NTHREADS; i++) {
        CHECK(GetExitCodeThread(t[i], &code) && code == 100 + i, "thread %lu exit code %lu", i, code);
        CloseHandle(t[i]);
    }
    CHECK(counter_interlocked == NTHREADS * NITER, "InterlockedIncrement count %ld", counter_interlocked);
    CHECK(counter_cs == NTHREADS * NITER, "critical section count %ld", counter_cs);
    CHECK(counter_srw == NTHREADS * NITER, "SRW lock count %ld", counter_srw);
    CHECK(TlsGetValue(tls_index) == (LPVOID)0x77, "main thread's TLS value changed");
    CHECK(TlsFree(tls_index), "TlsFree");
    DeleteCriticalSection(&cs);
    CloseHandle(go_event);

    manual = CreateEventW(NULL, TRUE, FALSE, NULL);
    autoev = CreateEventW(NULL, FALSE, TRUE, NULL);
    CHECK(WaitForSingleObject(manual, 20) == WAIT_TIMEOUT, "unsignalled event");
    CHECK(SetEvent(manual) && WaitForSingleObject(manual, 0) == WAIT_OBJECT_0 &&
          WaitForSingleObject(manual, 0) == WAIT_OBJECT_0, "manual-reset event");
    CHECK(ResetEvent(manual) && WaitForSingleObject(manual, 0) == WAIT_TIMEOUT, "ResetEvent");
    CHECK(WaitForSingleObject(autoev, 0) == WAIT_OBJECT_0 && WaitForSingleObject(autoev, 0) == WAIT_TIMEOUT,
          "auto-reset event");
    CloseHandle(manual);
    CloseHandle(autoev);
}

/* ------------------------------------------------------------------ console */
static void test_console(void)
{
    HANDLE out = GetStdHandle(STD_OUTPUT_HANDLE);
    static const char line[] = "k32_smoke: a line written with WriteFile to stdout\n";
    DWORD n = 0, type;
    CHECK(out != NULL && out != INVALID_HANDLE_VALUE, "GetStdHandle(STD_OUTPUT_HANDLE)");
    type = GetFileType(out);
    if (type == FILE_TYPE_CHAR) {
        static const WCHAR wline[] = L"k32_smoke: a line written with WriteConsoleW\n";
        CHECK(WriteConsoleW(out, wline, lstrlenW(wline), &n, NULL) && n == (DWORD)lstrlenW(wline), "WriteConsoleW");
    } else {
        /* Redirected to a file (the test driver does): WriteConsole must refuse. */
        CHECK(!WriteConsoleW(out, L"x", 1, &n, NULL), "WriteConsoleW on a file succeeded");
        CHECK(type == FILE_TYPE_DISK || type == FILE_TYPE_PIPE, "stdout file type %lu", type);
    }
    CHECK(WriteFile(out, line, sizeof line - 1, &n, NULL) && n == sizeof line - 1, "WriteFile to stdout");
    CHECK(GetStdHandle(STD_ERROR_HANDLE) != INVALID_HANDLE_VALUE, "GetStdHandle(STD_ERROR_HANDLE)");
}

/* ------------------------------------------------------------------ time */
static void test_time(void)
{
    FILETIME ft, ft2;
    SYSTEMTIME st, lt;
    LARGE_INTEGER f, q1, q2;
    ULONGLONG t1, t2;
    ULARGE_INTEGER u1, u2;

    GetSystemTimeAsFileTime(&ft);
    CHECK(FileTimeToSystemTime(&ft, &st), "FileTimeToSystemTime");
    CHECK(st.wYear >= 2023 && st.wMonth >= 1 && st.wMonth <= 12 && st.wDay >= 1 && st.wDay <= 31,
          "date %u-%u-%u", st.wYear, st.wMonth, st.wDay);
    CHECK(SystemTimeToFileTime(&st, &ft2), "SystemTimeToFileTime");
    u1.LowPart = ft.dwLowDateTime;  u1.HighPart = ft.dwHighDateTime;
    u2.LowPart = ft2.dwLowDateTime; u2.HighPart = ft2.dwHighDateTime;
    CHECK(u1.QuadPart / 10000 == u2.QuadPart / 10000, "round trip through SYSTEMTIME");
    GetLocalTime(&lt);
    CHECK(lt.wYear >= 2023, "GetLocalTime year %u", lt.wYear);

    CHECK(QueryPerformanceFrequency(&f) && f.QuadPart > 0, "QueryPerformanceFrequency");
    t1 = GetTickCount64();
    QueryPerformanceCounter(&q1);
    Sleep(30);
    QueryPerformanceCounter(&q2);
    t2 = GetTickCount64();
    CHECK(q2.QuadPart > q1.QuadPart, "QueryPerformanceCounter does not advance");
    CHECK((q2.QuadPart - q1.QuadPart) * 1000 / f.QuadPart >= 20, "Sleep(30) took %lld ms by QPC",
          (q2.QuadPart - q1.QuadPart) * 1000 / f.QuadPart);
    CHECK(t2 >= t1 + 15, "GetTickCount64 advanced %llu ms over Sleep(30)", t2 - t1);
}

/* ------------------------------------------------------------------ heap */
static void test_heap(void)
{
    HANDLE heap = HeapCreate(0, 0, 0);
    unsigned char *blocks[200];
    int i, j, ok = 1;

    CHECK(heap != NULL, "HeapCreate error %lu", GetLastError());
    if (!heap)
        return;
    for (i = 0; i < 200; i++) {
        blocks[i] = HeapAlloc(heap, HEAP_ZERO_MEMORY, (SIZE_T)(16 + i * 37));
        if (!blocks[i] || blocks[i][i * 37] != 0)
            ok = 0;
        else
            memset(blocks[i], i & 0xff, (size_t)(16 + i * 37));
    }
    CHECK(ok, "HeapAlloc");
    for (i = 0; i < 200; i += 2) {
        unsigned char *p = HeapReAlloc(heap, 0, blocks[i], (SIZE_T)(16 + i * 37) * 3);
        if (!p) {
            ok = 0;
            continue;
        }
        for (j = 0; j < 16 + i * 37; j++)
            if (p[j] != (i & 0xff))
                ok = 0;
        blocks[i] = p;
        if (HeapSize(heap, 0, p) < (SIZE_T)(16 + i * 37) * 3)
            ok = 0;
    }
    CHECK(ok, "HeapReAlloc keeps the contents");
    CHECK(HeapValidate(heap, 0, NULL), "HeapValidate");
    for (i = 0; i < 200; i++)
        if (!HeapFree(heap, 0, blocks[i]))
            ok = 0;
    CHECK(ok, "HeapFree");
    CHECK(HeapDestroy(heap), "HeapDestroy");

    {
        HANDLE ph = GetProcessHeap();
        char *p = HeapAlloc(ph, 0, 100);
        CHECK(ph != NULL && p != NULL, "GetProcessHeap/HeapAlloc");
        if (p) {
            memcpy(p, "process heap", 13);
            p = HeapReAlloc(ph, 0, p, 100000);
            CHECK(p && !strcmp(p, "process heap"), "process heap realloc");
            CHECK(p && HeapFree(ph, 0, p), "process heap free");
        }
    }
    {
        void *v = VirtualAlloc(NULL, 1 << 20, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
        CHECK(v != NULL, "VirtualAlloc");
        if (v) {
            memset(v, 1, 1 << 20);
            CHECK(VirtualFree(v, 0, MEM_RELEASE), "VirtualFree");
        }
    }
}

/* ------------------------------------------------------------------ last error, environment */
static void test_error_env(void)
{
    WCHAR buf[256], msg[256];
    WCHAR *block, *s;
    DWORD n;
    int seen = 0;

    SetLastError(1234);
    CHECK(GetLastError() == 1234, "SetLastError/GetLastError");
    SetLastError(ERROR_SUCCESS);
    CHECK(GetLastError() == 0, "clear the last error");
    CHECK(GetFileAttributesW(L"C:\\no-such-file-cf2.txt") == INVALID_FILE_ATTRIBUTES &&
          GetLastError() == ERROR_FILE_NOT_FOUND, "last error of a failed call %lu", GetLastError());
    n = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, ERROR_FILE_NOT_FOUND, 0,
                       msg, 256, NULL);
    CHECK(n > 0, "FormatMessageW error %lu", GetLastError());

    CHECK(SetEnvironmentVariableW(L"CF2_DROPIN_TEST", L"value \x00e9 1"), "SetEnvironmentVariableW");
    n = GetEnvironmentVariableW(L"CF2_DROPIN_TEST", buf, 256);
    CHECK(n == 9 && !lstrcmpW(buf, L"value \x00e9 1"), "GetEnvironmentVariableW gave %lu", n);
    n = ExpandEnvironmentStringsW(L"[%CF2_DROPIN_TEST%]", buf, 256);
    CHECK(n == 12 && !lstrcmpW(buf, L"[value \x00e9 1]"), "ExpandEnvironmentStringsW gave %ls", buf);
    block = GetEnvironmentStringsW();
    CHECK(block != NULL, "GetEnvironmentStringsW");
    for (s = block; s && *s; s += lstrlenW(s) + 1)
        if (!lstrcmpW(s, L"CF2_DROPIN_TEST=value \x00e9 1"))
            seen = 1;
    CHECK(seen, "the variable is not in the environment block");
    if (block)
        FreeEnvironmentStringsW(block);
    CHECK(SetEnvironmentVariableW(L"CF2_DROPIN_TEST", NULL), "remove a variable");
    CHECK(GetEnvironmentVariableW(L"CF2_DROPIN_TEST", buf, 256) == 0 && GetLastError() == ERROR_ENVVAR_NOT_FOUND,
          "removed variable still there (error %lu)", GetLastError());
    {
        char u8[16];
        WCHAR w[8];
        int k = WideCharToMultiByte(CP_UTF8, 0, L"\x00e9\x20ac", -1, u8, sizeof u8, NULL, NULL);
        CHECK(k == 6 && !strcmp(u8, "\xc3\xa9\xe2\x82\xac"), "WideCharToMultiByte UTF-8");
        k = MultiByteToWideChar(CP_UTF8, 0, u8, -1, w, 8);
        CHECK(k == 3 && w[0] == 0xe9 && w[1] == 0x20ac, "MultiByteToWideChar UTF-8");
    }
}

/* ------------------------------------------------------------------ modules, processes */
typedef DWORD (WINAPI *pGetFileVersionInfoSizeW)(LPCWSTR, LPDWORD);
typedef BOOL (WINAPI *pGetFileVersionInfoW)(LPCWSTR, DWORD, DWORD, LPVOID);
typedef BOOL (WINAPI *pVerQueryValueW)(LPCVOID, LPCWSTR, LPVOID *, PUINT);

static void test_modules(const WCHAR *self)
{
    WCHAR path[MAX_PATH];
    HMODULE k32 = GetModuleHandleW(L"kernel32.dll"), ver;
    SYSTEM_INFO si;

    CHECK(GetModuleFileNameW(NULL, path, MAX_PATH) > 0 && ends_with(path, L"k32_smoke.exe"),
          "GetModuleFileNameW(NULL) %ls", path);
    CHECK(!lstrcmpiW(path, self), "module file %ls, command %ls", path, self);
    CHECK(LoadLibraryW(L"kernel32.dll") == k32, "LoadLibraryW(kernel32) gives another module");
    CHECK(GetProcAddress(k32, "GetTickCount64") == (FARPROC)GetTickCount64, "GetProcAddress vs import");

    ver = LoadLibraryW(L"version.dll");
    CHECK(ver != NULL, "LoadLibraryW(version.dll) error %lu", GetLastError());
    if (ver) {
        pGetFileVersionInfoSizeW size_fn = (pGetFileVersionInfoSizeW)(void *)GetProcAddress(ver, "GetFileVersionInfoSizeW");
        pGetFileVersionInfoW info_fn = (pGetFileVersionInfoW)(void *)GetProcAddress(ver, "GetFileVersionInfoW");
        pVerQueryValueW query_fn = (pVerQueryValueW)(void *)GetProcAddress(ver, "VerQueryValueW");
        CHECK(size_fn && info_fn && query_fn, "GetProcAddress on version.dll");
        if (size_fn && info_fn && query_fn) {
            /* Programs read kernel32.dll's version to learn the Windows version. */
            DWORD h = 0, sz = size_fn(L"kernel32.dll", &h);
            void *data = sz ? HeapAlloc(GetProcessHeap(), 0, sz) : NULL;
            VS_FIXEDFILEINFO *ffi = NULL;
            UINT len = 0;
            CHECK(sz > 0, "kernel32.dll has no version resource (error %lu)", GetLastError());
            if (data) {
                CHECK(info_fn(L"kernel32.dll", 0, sz, data) && query_fn(data, L"\\", (void **)&ffi, &len) &&
                      ffi && HIWORD(ffi->dwFileVersionMS) >= 6, "kernel32.dll file version");
                if (ffi)
                    printf("k32_smoke: kernel32.dll file version %u.%u.%u.%u\n", HIWORD(ffi->dwFileVersionMS),
                           LOWORD(ffi->dwFileVersionMS), HIWORD(ffi->dwFileVersionLS), LOWORD(ffi->dwFileVersionLS));
                HeapFree(GetProcessHeap(), 0, data);
            }
        }
        CHECK(FreeLibrary(ver), "FreeLibrary");
    }
    CHECK(LoadLibraryW(L"no-such-library-cf2.dll") == NULL && GetLastError() == ERROR_MOD_NOT_FOUND,
          "LoadLibrary of a missing DLL: error %lu", GetLastError());

    GetSystemInfo(&si);
    CHECK(si.dwNumberOfProcessors >= 1 && si.dwPageSize == 4096, "GetSystemInfo");
    {
        WCHAR cur[MAX_PATH], back[MAX_PATH];
        GetCurrentDirectoryW(MAX_PATH, cur);
        CHECK(SetCurrentDirectoryW(work) && GetCurrentDirectoryW(MAX_PATH, back) && !lstrcmpiW(back, work),
              "SetCurrentDirectoryW");
        SetCurrentDirectoryW(cur);
    }
    {
        /* A child process: it loads kernel32 the same way. */
        STARTUPINFOW si2;
        PROCESS_INFORMATION pi;
        WCHAR cmd[MAX_PATH + 16];
        DWORD code = 0;
        memset(&si2, 0, sizeof si2);
        memset(&pi, 0, sizeof pi);
        si2.cb = sizeof si2;
        lstrcpyW(cmd, L"\"");
        lstrcatW(cmd, self);
        lstrcatW(cmd, L"\" child");
        CHECK(CreateProcessW(NULL, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si2, &pi), "CreateProcessW error %lu",
              GetLastError());
        if (pi.hProcess) {
            CHECK(WaitForSingleObject(pi.hProcess, 30000) == WAIT_OBJECT_0, "child did not exit");
            CHECK(GetExitCodeProcess(pi.hProcess, &code) && code == 42, "child exit code %lu", code);
            CloseHandle(pi.hProcess);
            CloseHandle(pi.hThread);
        }
    }
}

int main(int argc, char **argv)
{
    WCHAR self[MAX_PATH];

    if (argc > 1 && !strcmp(argv[1], "child"))
        return GetModuleHandleW(L"kernel32.dll") ? 42 : 1;
    t_init();
    GetModuleFileNameW(NULL, self, MAX_PATH);
    if (argc > 1)
        MultiByteToWideChar(CP_ACP, 0, argv[1], -1, work, MAX_PATH - 40);
    else
        GetTempPathW(MAX_PATH - 40, work);
    if (work[lstrlenW(work) - 1] != L'\\')
        lstrcatW(work, L"\\");
    _snwprintf(work + lstrlenW(work), 32, L"k32_smoke_%lu", GetCurrentProcessId());
    CHECK(CreateDirectoryW(work, NULL), "CreateDirectoryW %ls error %lu", work, GetLastError());

    test_files();
    test_threads();
    test_console();
    test_time();
    test_heap();
    test_error_env();
    test_modules(self);

    CHECK(RemoveDirectoryW(work), "RemoveDirectoryW error %lu", GetLastError());
    return t_summary("k32_smoke");
}

/*
 * harness.c - helpers shared by every test file: paths, patterned files,
 * comparisons, fingerprints, times, tracked handles, and the wrapper that
 * calls the implementation under test.  main.c loads the implementation and
 * runs the registry; this file holds no tests.
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cf2_impl cf2_impl;
struct cf2_caps cf2_caps;
BOOL cf2_doc_only;
BOOL cf2_quick;

const char *cf2_mark_name(enum cf2_mark m)
{
    switch (m) {
    case CF2_DOC: return "DOC";
    case CF2_OBS: return "OBS";
    case CF2_OURS: return "OURS";
    }
    return "?";
}

static const char *unknown_value(const char *what, DWORD v)
{
    static char buf[4][40];
    static int next;
    char *o = buf[next++ & 3];
    snprintf(o, sizeof buf[0], "invalid %s 0x%lx", what, (unsigned long)v);
    return o;
}

const char *cf2_type_name(DWORD type)
{
    switch (type) {
    case COPYFILE2_CALLBACK_CHUNK_STARTED: return "CHUNK_STARTED";
    case COPYFILE2_CALLBACK_CHUNK_FINISHED: return "CHUNK_FINISHED";
    case COPYFILE2_CALLBACK_STREAM_STARTED: return "STREAM_STARTED";
    case COPYFILE2_CALLBACK_STREAM_FINISHED: return "STREAM_FINISHED";
    case COPYFILE2_CALLBACK_POLL_CONTINUE: return "POLL_CONTINUE";
    case COPYFILE2_CALLBACK_ERROR: return "ERROR";
    case 7: return "SPARSE_CHUNK_STARTED(7)";
    case 8: return "SPARSE_CHUNK_FINISHED(8)";
    }
    return unknown_value("type", type);
}

const char *cf2_action_name(DWORD action)
{
    switch (action) {
    case COPYFILE2_PROGRESS_CONTINUE: return "CONTINUE";
    case COPYFILE2_PROGRESS_CANCEL: return "CANCEL";
    case COPYFILE2_PROGRESS_STOP: return "STOP";
    case COPYFILE2_PROGRESS_QUIET: return "QUIET";
    case COPYFILE2_PROGRESS_PAUSE: return "PAUSE";
    }
    return unknown_value("action", action);
}

const char *cf2_phase_name(DWORD phase)
{
    switch (phase) {
    case COPYFILE2_PHASE_NONE: return "NONE";
    case COPYFILE2_PHASE_PREPARE_SOURCE: return "PREPARE_SOURCE";
    case COPYFILE2_PHASE_PREPARE_DEST: return "PREPARE_DEST";
    case COPYFILE2_PHASE_READ_SOURCE: return "READ_SOURCE";
    case COPYFILE2_PHASE_WRITE_DESTINATION: return "WRITE_DESTINATION";
    case COPYFILE2_PHASE_SERVER_COPY: return "SERVER_COPY";
    case COPYFILE2_PHASE_NAMEGRAFT_COPY: return "NAMEGRAFT_COPY";
    }
    return unknown_value("phase", phase);
}

/* ---------------------------------------------------------------- messages */

void cf2_note(const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    print_message("      %s\n", buf);
}

void cf2_err(const char *fmt, ...)
{
    char buf[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    print_error("%s", buf);
}

extern unsigned cf2_skipped_count; /* main.c */
void cf2_count_skip(void)
{
    cf2_skipped_count++;
}

const char *cf2_u8(const WCHAR *w)
{
    static char ring[4][8192];
    static int next;
    char *out = ring[next++ & 3];
    if (w == NULL)
        return "(null)";
    int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, out, (int)sizeof ring[0], NULL, NULL);
    if (n <= 0) {
        /* Too long for the buffer: show the tail, which names the file. */
        size_t len = wcslen(w);
        const WCHAR *tail = len > 1000 ? w + len - 1000 : w;
        out[0] = '.'; out[1] = '.'; out[2] = '.';
        n = WideCharToMultiByte(CP_UTF8, 0, tail, -1, out + 3, (int)sizeof ring[0] - 3, NULL, NULL);
        if (n <= 0)
            strcpy(out, "(unprintable path)");
    }
    return out;
}

/* ---------------------------------------------------------------- paths */

static WCHAR *arena_alloc(struct cf2_ctx *t, size_t chars)
{
    if (t->arena_used + chars > CF2_ARENA_CHARS) {
        cf2_err("ERROR: the test made more path text than the harness holds\n");
        _fail(__FILE__, __LINE__);
    }
    WCHAR *out = t->arena + t->arena_used;
    t->arena_used += chars;
    return out;
}

static const WCHAR *join(struct cf2_ctx *t, const WCHAR *prefix, const WCHAR *dir, const WCHAR *name)
{
    size_t need = wcslen(prefix) + wcslen(dir) + 1 + wcslen(name) + 1;
    WCHAR *out = arena_alloc(t, need);
    wcscpy(out, prefix);
    wcscat(out, dir);
    if (name[0]) {
        wcscat(out, L"\\");
        wcscat(out, name);
    }
    return out;
}

const WCHAR *cf2_path(struct cf2_ctx *t, const WCHAR *name)
{
    return join(t, L"", t->dir, name);
}

const WCHAR *cf2_lpath(struct cf2_ctx *t, const WCHAR *name)
{
    return join(t, L"\\\\?\\", t->dir, name);
}

const WCHAR *cf2_cat(struct cf2_ctx *t, const WCHAR *a, const WCHAR *b)
{
    WCHAR *out = arena_alloc(t, wcslen(a) + wcslen(b) + 1);
    wcscpy(out, a);
    wcscat(out, b);
    return out;
}

int cf2_count_entries(const WCHAR *folder)
{
    size_t len = wcslen(folder);
    WCHAR *pat = malloc((len + 3) * sizeof(WCHAR));
    if (!pat)
        return -1;
    wcscpy(pat, folder);
    wcscat(pat, L"\\*");
    WIN32_FIND_DATAW fd;
    HANDLE f = FindFirstFileW(pat, &fd);
    free(pat);
    if (f == INVALID_HANDLE_VALUE)
        return -1;
    int n = 0;
    do {
        if (wcscmp(fd.cFileName, L".") && wcscmp(fd.cFileName, L".."))
            n++;
    } while (FindNextFileW(f, &fd));
    FindClose(f);
    return n;
}

void cf2_mkdir_(const WCHAR *path, const char *file, int line)
{
    if (CreateDirectoryW(path, NULL))
        return;
    DWORD e = GetLastError();
    if (e == ERROR_ALREADY_EXISTS)
        return;
    cf2_err("ERROR: CreateDirectoryW(%s) failed: error %lu\n", cf2_u8(path), e);
    _fail(file, line);
}

/* ---------------------------------------------------------------- pattern */

static uint64_t mix64(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

/* Each aligned 8-byte word is a hash of (seed, word index): a chunk written at
 * the wrong offset, twice, or not at all never matches. */
void cf2_pattern(uint32_t seed, ULONGLONG offset, BYTE *buf, size_t n)
{
    size_t i = 0;
    while (i < n) {
        ULONGLONG pos = offset + i;
        uint64_t word = mix64(((uint64_t)seed << 40) ^ (pos >> 3));
        unsigned b = (unsigned)(pos & 7);
        for (; b < 8 && i < n; b++, i++)
            buf[i] = (BYTE)(word >> (8 * b));
    }
}

#define IO_BLOCK (1024u * 1024u)
static BYTE *io_buf_a, *io_buf_b;

static void ensure_buffers(void)
{
    if (!io_buf_a) {
        io_buf_a = VirtualAlloc(NULL, IO_BLOCK, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
        io_buf_b = VirtualAlloc(NULL, IO_BLOCK, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
    }
}

static HANDLE open_read(const WCHAR *path)
{
    return CreateFileW(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                       NULL, OPEN_EXISTING, FILE_FLAG_SEQUENTIAL_SCAN, NULL);
}

static BOOL read_full(HANDLE h, BYTE *buf, DWORD n, DWORD *got)
{
    *got = 0;
    while (*got < n) {
        DWORD r = 0;
        if (!ReadFile(h, buf + *got, n - *got, &r, NULL))
            return FALSE;
        if (r == 0)
            break;
        *got += r;
    }
    return TRUE;
}

void cf2_make_file_(const WCHAR *path, ULONGLONG size, uint32_t seed, const char *file, int line)
{
    ensure_buffers();
    HANDLE h = CreateFileW(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    if (h == INVALID_HANDLE_VALUE) {
        cf2_err("ERROR: cannot create %s: error %lu\n", cf2_u8(path), GetLastError());
        _fail(file, line);
    }
    ULONGLONG done = 0;
    while (done < size) {
        DWORD n = size - done < IO_BLOCK ? (DWORD)(size - done) : IO_BLOCK;
        cf2_pattern(seed, done, io_buf_a, n);
        DWORD w = 0;
        if (!WriteFile(h, io_buf_a, n, &w, NULL) || w != n) {
            DWORD e = GetLastError();
            CloseHandle(h);
            cf2_err("ERROR: cannot write %s at %llu: error %lu\n", cf2_u8(path), done, e);
            _fail(file, line);
        }
        done += n;
    }
    CloseHandle(h);
}

void cf2_expect_pattern_(const WCHAR *path, ULONGLONG size, uint32_t seed, const char *file, int line)
{
    ensure_buffers();
    HANDLE h = open_read(path);
    if (h == INVALID_HANDLE_VALUE) {
        cf2_err("ERROR: cannot open %s to check it: error %lu\n", cf2_u8(path), GetLastError());
        _fail(file, line);
    }
    LARGE_INTEGER sz;
    if (!GetFileSizeEx(h, &sz) || (ULONGLONG)sz.QuadPart != size) {
        CloseHandle(h);
        cf2_err("ERROR: %s has %lld bytes, expected %llu\n", cf2_u8(path), sz.QuadPart, size);
        _fail(file, line);
    }
    ULONGLONG done = 0;
    while (done < size) {
        DWORD n = size - done < IO_BLOCK ? (DWORD)(size - done) : IO_BLOCK, got;
        if (!read_full(h, io_buf_a, n, &got) || got != n) {
            CloseHandle(h);
            cf2_err("ERROR: short read of %s at %llu\n", cf2_u8(path), done);
            _fail(file, line);
        }
        cf2_pattern(seed, done, io_buf_b, n);
        if (memcmp(io_buf_a, io_buf_b, n) != 0) {
            DWORD i = 0;
            while (io_buf_a[i] == io_buf_b[i])
                i++;
            CloseHandle(h);
            cf2_err("ERROR: %s differs from the expected pattern at byte %llu "
                        "(got 0x%02x, expected 0x%02x)\n",
                        cf2_u8(path), done + i, io_buf_a[i], io_buf_b[i]);
            _fail(file, line);
        }
        done += n;
    }
    CloseHandle(h);
}

void cf2_expect_same_bytes_(const WCHAR *a, const WCHAR *b, const char *file, int line)
{
    ensure_buffers();
    HANDLE ha = open_read(a), hb = open_read(b);
    if (ha == INVALID_HANDLE_VALUE || hb == INVALID_HANDLE_VALUE) {
        DWORD e = GetLastError();
        if (ha != INVALID_HANDLE_VALUE) CloseHandle(ha);
        if (hb != INVALID_HANDLE_VALUE) CloseHandle(hb);
        cf2_err("ERROR: cannot open %s / %s to compare: error %lu\n", cf2_u8(a), cf2_u8(b), e);
        _fail(file, line);
    }
    LARGE_INTEGER sa, sb;
    GetFileSizeEx(ha, &sa);
    GetFileSizeEx(hb, &sb);
    if (sa.QuadPart != sb.QuadPart) {
        CloseHandle(ha);
        CloseHandle(hb);
        cf2_err("ERROR: sizes differ: %s has %lld bytes, %s has %lld\n", cf2_u8(a), sa.QuadPart,
                    cf2_u8(b), sb.QuadPart);
        _fail(file, line);
    }
    ULONGLONG done = 0, size = (ULONGLONG)sa.QuadPart;
    while (done < size) {
        DWORD n = size - done < IO_BLOCK ? (DWORD)(size - done) : IO_BLOCK, ga, gb;
        BOOL ok = read_full(ha, io_buf_a, n, &ga) && read_full(hb, io_buf_b, n, &gb);
        if (!ok || ga != n || gb != n || memcmp(io_buf_a, io_buf_b, n) != 0) {
            DWORD i = 0;
            if (ok)
                while (i < n && io_buf_a[i] == io_buf_b[i])
                    i++;
            CloseHandle(ha);
            CloseHandle(hb);
            cf2_err("ERROR: %s and %s differ at byte %llu\n", cf2_u8(a), cf2_u8(b), done + i);
            _fail(file, line);
        }
        done += n;
    }
    CloseHandle(ha);
    CloseHandle(hb);
}

void cf2_read_at_(const WCHAR *path, ULONGLONG offset, BYTE *buf, DWORD n, const char *file, int line)
{
    HANDLE h = open_read(path);
    if (h == INVALID_HANDLE_VALUE) {
        cf2_err("ERROR: cannot open %s: error %lu\n", cf2_u8(path), GetLastError());
        _fail(file, line);
    }
    LARGE_INTEGER li;
    li.QuadPart = (LONGLONG)offset;
    DWORD got = 0;
    BOOL ok = SetFilePointerEx(h, li, NULL, FILE_BEGIN) && read_full(h, buf, n, &got) && got == n;
    DWORD e = GetLastError();
    CloseHandle(h);
    if (!ok) {
        cf2_err("ERROR: cannot read %lu bytes of %s at %llu (got %lu, error %lu)\n", n,
                    cf2_u8(path), offset, got, e);
        _fail(file, line);
    }
}

void cf2_write_at_(const WCHAR *path, ULONGLONG offset, const BYTE *buf, DWORD n, const char *file, int line)
{
    HANDLE h = CreateFileW(path, GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
    if (h == INVALID_HANDLE_VALUE) {
        cf2_err("ERROR: cannot open %s for writing: error %lu\n", cf2_u8(path), GetLastError());
        _fail(file, line);
    }
    LARGE_INTEGER li;
    li.QuadPart = (LONGLONG)offset;
    DWORD w = 0;
    BOOL ok = SetFilePointerEx(h, li, NULL, FILE_BEGIN) && WriteFile(h, buf, n, &w, NULL) && w == n;
    DWORD e = GetLastError();
    CloseHandle(h);
    if (!ok) {
        cf2_err("ERROR: cannot write %lu bytes of %s at %llu: error %lu\n", n, cf2_u8(path), offset, e);
        _fail(file, line);
    }
}

BOOL cf2_exists(const WCHAR *path)
{
    return GetFileAttributesW(path) != INVALID_FILE_ATTRIBUTES;
}

uint64_t cf2_hash_file_(const WCHAR *path, ULONGLONG *size, const char *file, int line)
{
    ensure_buffers();
    HANDLE h = open_read(path);
    if (h == INVALID_HANDLE_VALUE) {
        cf2_err("ERROR: cannot open %s to hash it: error %lu\n", cf2_u8(path), GetLastError());
        _fail(file, line);
    }
    uint64_t hash = 0xCBF29CE484222325ull;
    ULONGLONG total = 0;
    for (;;) {
        DWORD got = 0;
        if (!read_full(h, io_buf_a, IO_BLOCK, &got)) {
            DWORD e = GetLastError();
            CloseHandle(h);
            cf2_err("ERROR: cannot read %s: error %lu\n", cf2_u8(path), e);
            _fail(file, line);
        }
        for (DWORD i = 0; i < got; i++) {
            hash ^= io_buf_a[i];
            hash *= 0x100000001B3ull;
        }
        total += got;
        if (got < IO_BLOCK)
            break;
    }
    CloseHandle(h);
    if (size)
        *size = total;
    return hash;
}

/* ---------------------------------------------------------------- metadata */

WIN32_FILE_ATTRIBUTE_DATA cf2_stat_(const WCHAR *path, const char *file, int line)
{
    WIN32_FILE_ATTRIBUTE_DATA d;
    if (!GetFileAttributesExW(path, GetFileExInfoStandard, &d)) {
        cf2_err("ERROR: GetFileAttributesExW(%s) failed: error %lu\n", cf2_u8(path), GetLastError());
        _fail(file, line);
    }
    return d;
}

ULONGLONG cf2_size_of(const WIN32_FILE_ATTRIBUTE_DATA *d)
{
    return ((ULONGLONG)d->nFileSizeHigh << 32) | d->nFileSizeLow;
}

struct cf2_fp cf2_fp_take_(const WCHAR *path, const char *file, int line)
{
    struct cf2_fp fp;
    memset(&fp, 0, sizeof fp);
    WIN32_FILE_ATTRIBUTE_DATA d;
    if (!GetFileAttributesExW(path, GetFileExInfoStandard, &d))
        return fp; /* exists = FALSE */
    fp.exists = TRUE;
    fp.attrs = d.dwFileAttributes;
    fp.size = cf2_size_of(&d);
    fp.created = d.ftCreationTime;
    fp.accessed = d.ftLastAccessTime;
    fp.written = d.ftLastWriteTime;
    if (!(d.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY))
        fp.hash = cf2_hash_file_(path, NULL, file, line);
    return fp;
}

void cf2_expect_unchanged_(const WCHAR *path, const struct cf2_fp *fp, const char *what,
                           const char *file, int line)
{
    struct cf2_fp now = cf2_fp_take_(path, file, line);
    const char *problem = NULL;
    if (now.exists != fp->exists)
        problem = fp->exists ? "it no longer exists" : "it now exists";
    else if (!now.exists)
        return;
    else if (now.attrs != fp->attrs)
        problem = "its attributes changed";
    else if (now.size != fp->size)
        problem = "its size changed";
    else if (now.hash != fp->hash)
        problem = "its bytes changed";
    else if (CompareFileTime(&now.written, &fp->written) != 0)
        problem = "its last-write time changed";
    if (problem) {
        cf2_err("ERROR: %s %s was modified: %s (attributes 0x%lx -> 0x%lx, size %llu -> %llu, "
                    "last write %s -> %s)\n",
                    what, cf2_u8(path), problem, fp->attrs, now.attrs, fp->size, now.size,
                    cf2_ft_str(fp->written), cf2_ft_str(now.written));
        _fail(file, line);
    }
}

void cf2_set_attrs_(const WCHAR *path, DWORD attrs, const char *file, int line)
{
    if (!SetFileAttributesW(path, attrs)) {
        cf2_err("ERROR: SetFileAttributesW(%s, 0x%lx) failed: error %lu\n", cf2_u8(path), attrs,
                    GetLastError());
        _fail(file, line);
    }
}

void cf2_set_times_(const WCHAR *path, const FILETIME *created, const FILETIME *accessed,
                    const FILETIME *written, const char *file, int line)
{
    HANDLE h = CreateFileW(path, FILE_WRITE_ATTRIBUTES,
                           FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                           OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, NULL);
    BOOL ok = h != INVALID_HANDLE_VALUE && SetFileTime(h, created, accessed, written);
    DWORD e = GetLastError();
    if (h != INVALID_HANDLE_VALUE)
        CloseHandle(h);
    if (!ok) {
        cf2_err("ERROR: SetFileTime(%s) failed: error %lu\n", cf2_u8(path), e);
        _fail(file, line);
    }
}

FILETIME cf2_filetime(WORD y, WORD mo, WORD d, WORD h, WORD mi, WORD s, WORD ms)
{
    SYSTEMTIME st;
    memset(&st, 0, sizeof st);
    st.wYear = y;
    st.wMonth = mo;
    st.wDay = d;
    st.wHour = h;
    st.wMinute = mi;
    st.wSecond = s;
    st.wMilliseconds = ms;
    FILETIME ft;
    SystemTimeToFileTime(&st, &ft);
    return ft;
}

ULONGLONG cf2_ft64(FILETIME ft)
{
    return ((ULONGLONG)ft.dwHighDateTime << 32) | ft.dwLowDateTime;
}

FILETIME cf2_now(void)
{
    FILETIME ft;
    GetSystemTimeAsFileTime(&ft);
    return ft;
}

const char *cf2_ft_str(FILETIME ft)
{
    static char ring[4][64];
    static int next;
    char *out = ring[next++ & 3];
    SYSTEMTIME st;
    if (!FileTimeToSystemTime(&ft, &st)) {
        snprintf(out, sizeof ring[0], "(FILETIME 0x%llx)", cf2_ft64(ft));
        return out;
    }
    snprintf(out, sizeof ring[0], "%04u-%02u-%02u %02u:%02u:%02u.%07u", st.wYear, st.wMonth, st.wDay,
             st.wHour, st.wMinute, st.wSecond, (unsigned)(cf2_ft64(ft) % 10000000ull));
    return out;
}

/* ---------------------------------------------------------------- tracked handles */

void cf2_track(struct cf2_ctx *t, HANDLE h)
{
    for (int i = 0; i < CF2_MAX_TRACKED; i++)
        if (t->handles[i] == NULL) {
            t->handles[i] = h;
            return;
        }
    cf2_err("ERROR: too many tracked handles\n");
    _fail(__FILE__, __LINE__);
}

void cf2_track_view(struct cf2_ctx *t, const void *view)
{
    for (int i = 0; i < CF2_MAX_TRACKED; i++)
        if (t->views[i] == NULL) {
            t->views[i] = view;
            return;
        }
    cf2_err("ERROR: too many tracked views\n");
    _fail(__FILE__, __LINE__);
}

HANDLE cf2_open_(struct cf2_ctx *t, const WCHAR *path, DWORD access, DWORD share, DWORD disp,
                 const char *file, int line)
{
    HANDLE h = CreateFileW(path, access, share, NULL, disp, FILE_ATTRIBUTE_NORMAL, NULL);
    if (h == INVALID_HANDLE_VALUE) {
        cf2_err("ERROR: CreateFileW(%s, access 0x%lx, share 0x%lx) failed: error %lu\n",
                    cf2_u8(path), access, share, GetLastError());
        _fail(file, line);
    }
    cf2_track(t, h);
    return h;
}

void cf2_close(struct cf2_ctx *t, HANDLE h)
{
    for (int i = 0; i < CF2_MAX_TRACKED; i++)
        if (t->handles[i] == h)
            t->handles[i] = NULL;
    CloseHandle(h);
}

void cf2_unmap(struct cf2_ctx *t, const void *view)
{
    for (int i = 0; i < CF2_MAX_TRACKED; i++)
        if (t->views[i] == view)
            t->views[i] = NULL;
    UnmapViewOfFile(view);
}

/* ---------------------------------------------------------------- calling CopyFile2 */

struct cf2_res cf2_call(const WCHAR *src, const WCHAR *dst, void *params)
{
    struct cf2_res r;
    SetLastError(CF2_JUNK_LAST_ERROR);
    r.hr = cf2_impl.copyfile2(src, dst, (COPYFILE2_EXTENDED_PARAMETERS *)params);
    r.err = GetLastError();
    return r;
}

COPYFILE2_EXTENDED_PARAMETERS cf2_v1(DWORD flags)
{
    COPYFILE2_EXTENDED_PARAMETERS p;
    memset(&p, 0, sizeof p);
    p.dwSize = sizeof p;
    p.dwCopyFlags = flags;
    return p;
}

COPYFILE2_EXTENDED_PARAMETERS_V2 cf2_v2(DWORD flags)
{
    COPYFILE2_EXTENDED_PARAMETERS_V2 p;
    memset(&p, 0, sizeof p);
    p.dwSize = sizeof p;
    p.dwCopyFlags = flags;
    return p;
}

void cf2_expect_ok_(struct cf2_res r, const char *what, const char *file, int line)
{
    if (r.hr != S_OK) {
        cf2_err("ERROR: %s: expected S_OK, got hr 0x%08lx (last error %lu)\n", what,
                    (unsigned long)r.hr, r.err);
        _fail(file, line);
    }
    /* OURS: success leaves the last error at 0 (Windows documents nothing). */
    if (!cf2_doc_only && r.err != 0) {
        cf2_err("ERROR: %s: S_OK but last error is %lu (0x%lx), expected 0\n", what, r.err, r.err);
        _fail(file, line);
    }
}

void cf2_expect_err_(struct cf2_res r, DWORD code, const char *what, const char *file, int line)
{
    HRESULT want = HRESULT_FROM_WIN32(code);
    if (r.hr != want || r.err != code) {
        cf2_err("ERROR: %s: expected hr 0x%08lx with last error %lu, got hr 0x%08lx with last "
                    "error %lu\n",
                    what, (unsigned long)want, code, (unsigned long)r.hr, r.err);
        _fail(file, line);
    }
}

void cf2_set_fault(DWORD phase, ULONGLONG chunk, DWORD win32_error)
{
    if (!cf2_impl.set_fault) {
        cf2_err("ERROR: the test uses the fault seam but does not declare CF2_NEEDS_SEAM\n");
        _fail(__FILE__, __LINE__);
    }
    cf2_impl.set_fault(phase, chunk, win32_error);
}

/* ---------------------------------------------------------------- handle counting */

/* SYSTEM_HANDLE_INFORMATION (class 16) as Wine fills it; on Windows the first
 * field is a USHORT process id and a USHORT back-trace index, but there
 * GetProcessHandleCount works and this is not used. */
struct cf2_sys_handle {
    ULONG pid;
    BYTE type, flags;
    USHORT value;
    void *object;
    ULONG access;
};
struct cf2_sys_handles {
    ULONG count;
    struct cf2_sys_handle h[1];
};

DWORD cf2_handle_count(void)
{
    DWORD n = 0;
    if (GetProcessHandleCount(GetCurrentProcess(), &n) && n != 0)
        return n;
    typedef LONG(WINAPI * query_fn)(ULONG, void *, ULONG, ULONG *);
    query_fn query = (query_fn)(void (*)(void))GetProcAddress(GetModuleHandleW(L"ntdll.dll"),
                                                             "NtQuerySystemInformation");
    if (!query)
        return 0;
    static struct cf2_sys_handles *buf;
    static ULONG buf_size;
    for (int attempt = 0; attempt < 8; attempt++) {
        if (!buf) {
            buf_size = buf_size ? buf_size * 2 : 256 * 1024;
            buf = malloc(buf_size);
            if (!buf)
                return 0;
        }
        ULONG got = 0;
        LONG status = query(16 /* SystemHandleInformation */, buf, buf_size, &got);
        if (status == 0) {
            DWORD pid = GetCurrentProcessId();
            n = 0;
            for (ULONG i = 0; i < buf->count; i++)
                if (buf->h[i].pid == pid)
                    n++;
            return n;
        }
        free(buf); /* too small (STATUS_INFO_LENGTH_MISMATCH): grow */
        buf = NULL;
    }
    return 0;
}

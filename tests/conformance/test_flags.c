/*
 * test_flags.c - every dwCopyFlags bit, every dwCopyFlagsV2 bit and every V2
 * field as docs/flags.md specifies them (issue 5), and the combinations that
 * Windows documents as interacting (contract 2.2, 3.2, 7.1).
 *
 * What the platform cannot show is probed at run time, and a check that
 * cannot be made skips with the probe's result as the reason: under Wine 8.0
 * there are no symbolic links that look like links (CreateSymbolicLinkW is a
 * stub that creates nothing), no junctions (FSCTL_SET_REPARSE_POINT fails)
 * and no alternate data streams (FindFirstStreamW fails with error 38).
 *
 * Most tests record the progress messages (the recorder below) and assert
 * what they carry: stream numbers, chunk sizes, counters, the destination's
 * size and the handles' access at given messages.
 */
#include "harness.h"

#include <winioctl.h>
#include <aclapi.h>
#include <string.h>

#define SRC_SEED 0xf1a6u
#define OLD_SEED 0x01du
#define ADS_SEED 0xad5u

#ifndef SYMBOLIC_LINK_FLAG_ALLOW_UNPRIVILEGED_CREATE
#define SYMBOLIC_LINK_FLAG_ALLOW_UNPRIVILEGED_CREATE 0x2
#endif
#ifndef IO_REPARSE_TAG_MOUNT_POINT
#define IO_REPARSE_TAG_MOUNT_POINT 0xA0000003L
#endif
#ifndef ACCESS_SYSTEM_SECURITY
#define ACCESS_SYSTEM_SECURITY 0x01000000L
#endif

/* ================================================================ the recorder */

/* One progress message as the routine saw it. */
struct rec_msg {
    COPYFILE2_MESSAGE m;
    double ms;         /* milliseconds since rec_start */
    LONGLONG dst_size; /* GetFileSizeEx(hDestinationFile) at the message (rec.sizes), else -1 */
};

#define REC_MAX 4096
static struct rec_msg rec_store[2][REC_MAX];

struct rec {
    struct rec_msg *msgs;
    unsigned n;        /* messages seen */
    double t0;
    BOOL sizes;        /* record the destination's size at every message with a handle */
    /* The one answer other than CONTINUE: given to the first message of type
     * answer_type (with chunk number answer_chunk for chunk messages). */
    COPYFILE2_MESSAGE_TYPE answer_type; /* COPYFILE2_CALLBACK_NONE: always CONTINUE */
    ULONGLONG answer_chunk;
    COPYFILE2_MESSAGE_ACTION answer;
    unsigned answered; /* index + 1 of the answered message, 0 = not yet */
    /* At STREAM_STARTED: the handles' access and a DACL copy (REQUEST_SECURITY_PRIVILEGES). */
    BOOL security;
    BOOL access_known;
    ULONG src_access, dst_access;
    DWORD get_dacl, set_dacl; /* GetSecurityInfo(source) / SetSecurityInfo(destination) results */
};

static double now_ms(void)
{
    LARGE_INTEGER f, c;
    QueryPerformanceFrequency(&f);
    QueryPerformanceCounter(&c);
    return (double)c.QuadPart * 1000.0 / (double)f.QuadPart;
}

static void rec_init(struct rec *r, int slot)
{
    memset(r, 0, sizeof *r);
    r->msgs = rec_store[slot];
    r->answer_type = COPYFILE2_CALLBACK_NONE;
}

/* Starts (again) with no messages; the answer is armed again. */
static void rec_start(struct rec *r)
{
    r->n = 0;
    r->answered = 0;
    r->access_known = FALSE;
    r->src_access = r->dst_access = 0;
    r->get_dacl = r->set_dacl = 0xFFFFFFFFu;
    r->t0 = now_ms();
}

static DWORD msg_stream(const COPYFILE2_MESSAGE *m)
{
    switch (m->Type) {
    case COPYFILE2_CALLBACK_CHUNK_STARTED: return m->Info.ChunkStarted.dwStreamNumber;
    case COPYFILE2_CALLBACK_CHUNK_FINISHED: return m->Info.ChunkFinished.dwStreamNumber;
    case COPYFILE2_CALLBACK_STREAM_STARTED: return m->Info.StreamStarted.dwStreamNumber;
    case COPYFILE2_CALLBACK_STREAM_FINISHED: return m->Info.StreamFinished.dwStreamNumber;
    case COPYFILE2_CALLBACK_ERROR: return m->Info.Error.dwStreamNumber;
    default: return 0;
    }
}

static HANDLE msg_dst(const COPYFILE2_MESSAGE *m)
{
    switch (m->Type) {
    case COPYFILE2_CALLBACK_CHUNK_STARTED: return m->Info.ChunkStarted.hDestinationFile;
    case COPYFILE2_CALLBACK_CHUNK_FINISHED: return m->Info.ChunkFinished.hDestinationFile;
    case COPYFILE2_CALLBACK_STREAM_STARTED: return m->Info.StreamStarted.hDestinationFile;
    case COPYFILE2_CALLBACK_STREAM_FINISHED: return m->Info.StreamFinished.hDestinationFile;
    default: return NULL;
    }
}

static ULONGLONG msg_chunk(const COPYFILE2_MESSAGE *m)
{
    if (m->Type == COPYFILE2_CALLBACK_CHUNK_STARTED)
        return m->Info.ChunkStarted.uliChunkNumber.QuadPart;
    if (m->Type == COPYFILE2_CALLBACK_CHUNK_FINISHED)
        return m->Info.ChunkFinished.uliChunkNumber.QuadPart;
    return ~0ull;
}

/* FileAccessInformation (class 8) of a handle, through ntdll. */
typedef LONG(WINAPI *nt_query_information_file_fn)(HANDLE, void *, void *, ULONG, ULONG);
static BOOL handle_access(HANDLE h, ULONG *access)
{
    static nt_query_information_file_fn query;
    if (!query)
        query = (nt_query_information_file_fn)(void (*)(void))GetProcAddress(
            GetModuleHandleW(L"ntdll.dll"), "NtQueryInformationFile");
    ULONG_PTR iosb[2] = { 0, 0 };
    *access = 0;
    return query && query(h, iosb, access, sizeof *access, 8 /* FileAccessInformation */) == 0;
}

/* What a routine that copies security itself does (contract 9.14, 9.20):
 * read the source's DACL through hSourceFile and set it on hDestinationFile. */
static void try_dacl_copy(struct rec *r, HANDLE src, HANDLE dst)
{
    PACL dacl = NULL;
    PSECURITY_DESCRIPTOR sd = NULL;
    r->get_dacl = GetSecurityInfo(src, SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, NULL, NULL, &dacl,
                                  NULL, &sd);
    if (r->get_dacl == ERROR_SUCCESS)
        r->set_dacl = SetSecurityInfo(dst, SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, NULL, NULL, dacl,
                                      NULL);
    if (sd)
        LocalFree(sd);
}

static COPYFILE2_MESSAGE_ACTION CALLBACK rec_routine(const COPYFILE2_MESSAGE *m, PVOID ctx)
{
    struct rec *r = ctx;
    unsigned index = r->n++;
    if (index < REC_MAX) {
        struct rec_msg *e = &r->msgs[index];
        e->m = *m;
        e->ms = now_ms() - r->t0;
        e->dst_size = -1;
        HANDLE dst = msg_dst(m);
        LARGE_INTEGER size;
        if (r->sizes && dst && GetFileSizeEx(dst, &size))
            e->dst_size = size.QuadPart;
    }
    if (r->security && m->Type == COPYFILE2_CALLBACK_STREAM_STARTED && !r->access_known) {
        r->access_known = handle_access(m->Info.StreamStarted.hSourceFile, &r->src_access) &&
                          handle_access(m->Info.StreamStarted.hDestinationFile, &r->dst_access);
        try_dacl_copy(r, m->Info.StreamStarted.hSourceFile, m->Info.StreamStarted.hDestinationFile);
    }
    if (!r->answered && r->answer_type != COPYFILE2_CALLBACK_NONE && m->Type == r->answer_type &&
        (msg_chunk(m) == ~0ull || msg_chunk(m) == r->answer_chunk)) {
        r->answered = index + 1;
        return r->answer;
    }
    return COPYFILE2_PROGRESS_CONTINUE;
}

static COPYFILE2_EXTENDED_PARAMETERS rec_v1(DWORD flags, struct rec *r)
{
    COPYFILE2_EXTENDED_PARAMETERS p = cf2_v1(flags);
    p.pProgressRoutine = rec_routine;
    p.pvCallbackContext = r;
    rec_start(r);
    return p;
}

static COPYFILE2_EXTENDED_PARAMETERS_V2 rec_v2(DWORD flags, struct rec *r)
{
    COPYFILE2_EXTENDED_PARAMETERS_V2 p = cf2_v2(flags);
    p.pProgressRoutine = rec_routine;
    p.pvCallbackContext = r;
    rec_start(r);
    return p;
}

static unsigned rec_count(const struct rec *r, COPYFILE2_MESSAGE_TYPE type)
{
    unsigned n = 0;
    for (unsigned i = 0; i < r->n && i < REC_MAX; i++)
        n += r->msgs[i].m.Type == type;
    return n;
}

/* Index of the first message of a type, or -1. */
static int rec_first(const struct rec *r, COPYFILE2_MESSAGE_TYPE type)
{
    for (unsigned i = 0; i < r->n && i < REC_MAX; i++)
        if (r->msgs[i].m.Type == type)
            return (int)i;
    return -1;
}

#define rec_expect_complete(r) \
    cf2_check((r)->n <= REC_MAX, "the recorder holds %u messages, the copy sent %u", REC_MAX, (r)->n)

/* The messages of one complete copy of a single stream of `size` bytes, in
 * chunks of `chunk` bytes, the first reported chunk being number `first`
 * (0, or the chunk a resumed copy starts at): STREAM_STARTED, the chunk pairs
 * with exact sizes and counters (POLL_CONTINUE may come between them),
 * STREAM_FINISHED; stream 1 only; every CHUNK_FINISHED.dwFlags is `cflags`
 * (see chunk_flags_for). */
static void expect_sequence_(const struct rec *r, ULONGLONG size, ULONGLONG chunk, ULONGLONG first,
                             DWORD cflags, const char *what, const char *file, int line)
{
    char why[512];
    why[0] = 0;
    unsigned i = 0;
    /* The sequence, its chunk sizes and dwFlags are this project's protocol
     * (docs/conformance.md): not checked with --doc-only. */
    if (cf2_doc_only)
        return;
    ULONGLONG chunks = size == 0 ? 0 : (size + chunk - 1) / chunk;
    ULONGLONG k = first;
    if (r->n > REC_MAX) {
        snprintf(why, sizeof why, "%u messages, more than the recorder holds", r->n);
        goto fail;
    }
#define NEXT_NOT_POLL() while (i < r->n && r->msgs[i].m.Type == COPYFILE2_CALLBACK_POLL_CONTINUE) i++
    NEXT_NOT_POLL();
    if (i >= r->n || r->msgs[i].m.Type != COPYFILE2_CALLBACK_STREAM_STARTED) {
        snprintf(why, sizeof why, "message %u is %s, expected STREAM_STARTED", i,
                 i < r->n ? cf2_type_name(r->msgs[i].m.Type) : "missing");
        goto fail;
    }
    const COPYFILE2_MESSAGE *m = &r->msgs[i].m;
    if (m->Info.StreamStarted.dwStreamNumber != 1 || m->Info.StreamStarted.uliStreamSize.QuadPart != size ||
        m->Info.StreamStarted.uliTotalFileSize.QuadPart != size) {
        snprintf(why, sizeof why, "STREAM_STARTED: stream %lu, stream size %llu, total %llu; expected 1, %llu, %llu",
                 m->Info.StreamStarted.dwStreamNumber, m->Info.StreamStarted.uliStreamSize.QuadPart,
                 m->Info.StreamStarted.uliTotalFileSize.QuadPart, size, size);
        goto fail;
    }
    i++;
    for (; k < chunks; k++) {
        ULONGLONG csize = size - k * chunk < chunk ? size - k * chunk : chunk;
        ULONGLONG done = k * chunk + csize;
        NEXT_NOT_POLL();
        m = i < r->n ? &r->msgs[i].m : NULL;
        if (!m || m->Type != COPYFILE2_CALLBACK_CHUNK_STARTED || m->Info.ChunkStarted.dwStreamNumber != 1 ||
            m->Info.ChunkStarted.uliChunkNumber.QuadPart != k ||
            m->Info.ChunkStarted.uliChunkSize.QuadPart != csize ||
            m->Info.ChunkStarted.uliStreamSize.QuadPart != size ||
            m->Info.ChunkStarted.uliTotalFileSize.QuadPart != size) {
            snprintf(why, sizeof why,
                     "message %u: expected CHUNK_STARTED stream 1 chunk %llu size %llu; got %s stream %lu "
                     "chunk %llu size %llu", i, k, csize, m ? cf2_type_name(m->Type) : "nothing",
                     m ? msg_stream(m) : 0, m ? msg_chunk(m) : 0,
                     m && m->Type == COPYFILE2_CALLBACK_CHUNK_STARTED ? m->Info.ChunkStarted.uliChunkSize.QuadPart : 0);
            goto fail;
        }
        i++;
        NEXT_NOT_POLL();
        m = i < r->n ? &r->msgs[i].m : NULL;
        if (!m || m->Type != COPYFILE2_CALLBACK_CHUNK_FINISHED || m->Info.ChunkFinished.dwStreamNumber != 1 ||
            m->Info.ChunkFinished.uliChunkNumber.QuadPart != k ||
            m->Info.ChunkFinished.uliChunkSize.QuadPart != csize ||
            m->Info.ChunkFinished.uliStreamBytesTransferred.QuadPart != done ||
            m->Info.ChunkFinished.uliTotalBytesTransferred.QuadPart != done ||
            m->Info.ChunkFinished.uliTotalFileSize.QuadPart != size || m->Info.ChunkFinished.dwFlags != cflags) {
            snprintf(why, sizeof why,
                     "message %u: expected CHUNK_FINISHED stream 1 chunk %llu size %llu transferred %llu "
                     "flags 0x%lx; got %s stream %lu chunk %llu size %llu transferred %llu/%llu flags 0x%lx",
                     i, k, csize, done, cflags, m ? cf2_type_name(m->Type) : "nothing", m ? msg_stream(m) : 0,
                     m ? msg_chunk(m) : 0,
                     m && m->Type == COPYFILE2_CALLBACK_CHUNK_FINISHED ? m->Info.ChunkFinished.uliChunkSize.QuadPart : 0,
                     m && m->Type == COPYFILE2_CALLBACK_CHUNK_FINISHED ? m->Info.ChunkFinished.uliStreamBytesTransferred.QuadPart : 0,
                     m && m->Type == COPYFILE2_CALLBACK_CHUNK_FINISHED ? m->Info.ChunkFinished.uliTotalBytesTransferred.QuadPart : 0,
                     m && m->Type == COPYFILE2_CALLBACK_CHUNK_FINISHED ? m->Info.ChunkFinished.dwFlags : 0);
            goto fail;
        }
        i++;
    }
    NEXT_NOT_POLL();
    m = i < r->n ? &r->msgs[i].m : NULL;
    if (!m || m->Type != COPYFILE2_CALLBACK_STREAM_FINISHED || m->Info.StreamFinished.dwStreamNumber != 1 ||
        m->Info.StreamFinished.uliStreamBytesTransferred.QuadPart != size ||
        m->Info.StreamFinished.uliTotalBytesTransferred.QuadPart != size) {
        snprintf(why, sizeof why, "message %u: expected STREAM_FINISHED of stream 1 with %llu bytes; got %s", i,
                 size, m ? cf2_type_name(m->Type) : "nothing");
        goto fail;
    }
    i++;
    if (i != r->n) {
        snprintf(why, sizeof why, "%u messages after STREAM_FINISHED (the first is %s)", r->n - i,
                 cf2_type_name(r->msgs[i].m.Type));
        goto fail;
    }
#undef NEXT_NOT_POLL
    return;
fail:
    cf2_err("ERROR: %s: progress messages (%u): %s\n", what, r->n, why);
    _fail(file, line);
}
#define expect_sequence(r, size, chunk, first, cflags, what) \
    expect_sequence_((r), (size), (chunk), (first), (cflags), (what), __FILE__, __LINE__)

/* Chunk number of the first CHUNK_STARTED (~0 when none). */
static ULONGLONG first_chunk(const struct rec *r)
{
    int i = rec_first(r, COPYFILE2_CALLBACK_CHUNK_STARTED);
    return i < 0 ? ~0ull : r->msgs[i].m.Info.ChunkStarted.uliChunkNumber.QuadPart;
}

/* After the answered message (PAUSE or STOP), exactly one more: STREAM_FINISHED. */
static void expect_only_stream_finished_after_answer_(const struct rec *r, const char *what, const char *file,
                                                      int line)
{
    if (!r->answered) {
        cf2_err("ERROR: %s: the message to answer never came (%u messages)\n", what, r->n);
        _fail(file, line);
    }
    unsigned after = r->n - r->answered;
    for (unsigned i = r->answered; i < r->n && i < REC_MAX; i++) {
        COPYFILE2_MESSAGE_TYPE type = r->msgs[i].m.Type;
        if (type == COPYFILE2_CALLBACK_CHUNK_STARTED || type == COPYFILE2_CALLBACK_CHUNK_FINISHED) {
            cf2_err("ERROR: %s: progress went on after the answer (%s, message %u)\n", what, cf2_type_name(type), i);
            _fail(file, line);
        }
    }
    if (cf2_doc_only) /* exactly one STREAM_FINISHED: OURS (the progress protocol) */
        return;
    if (after != 1 || r->msgs[r->answered].m.Type != COPYFILE2_CALLBACK_STREAM_FINISHED) {
        cf2_err("ERROR: %s: after the answer the routine got %u message(s) (first: %s), expected exactly one "
                "STREAM_FINISHED\n", what, after,
                after ? cf2_type_name(r->msgs[r->answered].m.Type) : "none");
        _fail(file, line);
    }
}
#define expect_only_stream_finished_after_answer(r, what) \
    expect_only_stream_finished_after_answer_((r), (what), __FILE__, __LINE__)

/* The in-kernel copy path (flags.md, COPY_FILE_NO_OFFLOAD): under Wine on a
 * Linux host, in x86-64 builds, stream 1 of files of 1 MiB and more is copied
 * by the host kernel and every CHUNK_FINISHED.dwFlags carries
 * COPYFILE2_MESSAGE_COPY_OFFLOAD, unless NO_OFFLOAD, ENABLE_LOW_FREE_SPACE_MODE,
 * NO_BUFFERING or V2 DISABLE_BLOCK_CLONING turns it off; elsewhere dwFlags is 0. */
BOOL cf2_flags_platform_kernel_copy(void)
{
#if defined(_WIN64)
    typedef void(CDECL * host_version_fn)(const char **, const char **);
    HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
    if (!ntdll || !GetProcAddress(ntdll, "wine_server_handle_to_fd"))
        return FALSE;
    host_version_fn host_version =
        (host_version_fn)(void (*)(void))GetProcAddress(ntdll, "wine_get_host_version");
    const char *sysname = NULL, *release = NULL;
    if (host_version)
        host_version(&sysname, &release);
    return sysname && strcmp(sysname, "Linux") == 0;
#else
    return FALSE;
#endif
}

DWORD cf2_flags_chunk_flags_for(DWORD flags, DWORD flags_v2, ULONGLONG size)
{
    if (!cf2_flags_platform_kernel_copy() || size < 1 * MiB)
        return 0;
    if ((flags & (COPY_FILE_NO_OFFLOAD | COPY_FILE_ENABLE_LOW_FREE_SPACE_MODE | COPY_FILE_NO_BUFFERING)) ||
        (flags_v2 & COPY_FILE2_V2_DISABLE_BLOCK_CLONING))
        return 0;
    return COPYFILE2_MESSAGE_COPY_OFFLOAD;
}
#define chunk_flags_for cf2_flags_chunk_flags_for

/* ================================================================ platform probes */

/* Symbolic links: CreateSymbolicLinkW, then the attributes must show a
 * reparse point.  Returns FALSE with the reason when the platform cannot. */
BOOL cf2_flags_make_symlink(const WCHAR *link, const WCHAR *target, BOOL directory, char *why, size_t n)
{
    DWORD flags = directory ? SYMBOLIC_LINK_FLAG_DIRECTORY : 0;
    SetLastError(0);
    BOOL ok = CreateSymbolicLinkW(link, target, flags | SYMBOLIC_LINK_FLAG_ALLOW_UNPRIVILEGED_CREATE);
    if (!ok && GetLastError() == ERROR_INVALID_PARAMETER) /* before Windows 10 1703 */
        ok = CreateSymbolicLinkW(link, target, flags);
    DWORD err = GetLastError();
    DWORD attrs = GetFileAttributesW(link);
    if (ok && attrs != INVALID_FILE_ATTRIBUTES && (attrs & FILE_ATTRIBUTE_REPARSE_POINT))
        return TRUE;
    if (attrs != INVALID_FILE_ATTRIBUTES) { /* something that is not a link: remove it */
        SetFileAttributesW(link, FILE_ATTRIBUTE_NORMAL);
        if (attrs & FILE_ATTRIBUTE_DIRECTORY)
            RemoveDirectoryW(link);
        else
            DeleteFileW(link);
    }
    snprintf(why, n,
             "this platform cannot make a symbolic link visible as a reparse point: CreateSymbolicLinkW "
             "returned %s (last error %lu) and the link's attributes are 0x%lx (Wine 8.0: a stub that "
             "returns TRUE and creates nothing; host links are followed transparently)",
             ok ? "TRUE" : "FALSE", err, attrs);
    return FALSE;
}

/* Named streams: FindFirstStreamW on a plain file must list "::$DATA". */
static BOOL streams_supported(const WCHAR *plain_file, char *why, size_t n)
{
    WIN32_FIND_STREAM_DATA data;
    HANDLE f = FindFirstStreamW(plain_file, FindStreamInfoStandard, &data, 0);
    if (f == INVALID_HANDLE_VALUE) {
        snprintf(why, n, "no alternate data streams on this platform: FindFirstStreamW fails with error %lu",
                 GetLastError());
        return FALSE;
    }
    FindClose(f);
    return TRUE;
}

/* The reparse data of a path (not followed). */
static BOOL read_reparse(const WCHAR *path, BYTE *buf, DWORD size, DWORD *got)
{
    HANDLE h = CreateFileW(path, FILE_READ_ATTRIBUTES, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                           NULL, OPEN_EXISTING, FILE_FLAG_OPEN_REPARSE_POINT | FILE_FLAG_BACKUP_SEMANTICS, NULL);
    if (h == INVALID_HANDLE_VALUE)
        return FALSE;
    BOOL ok = DeviceIoControl(h, FSCTL_GET_REPARSE_POINT, NULL, 0, buf, size, got, NULL);
    CloseHandle(h);
    return ok;
}

static void expect_same_reparse_(const WCHAR *a, const WCHAR *b, const char *file, int line)
{
    static BYTE da[MAXIMUM_REPARSE_DATA_BUFFER_SIZE], db[MAXIMUM_REPARSE_DATA_BUFFER_SIZE];
    DWORD na = 0, nb = 0;
    if (!read_reparse(a, da, sizeof da, &na) || !read_reparse(b, db, sizeof db, &nb)) {
        cf2_err("ERROR: cannot read the reparse data of %s or %s: error %lu\n", cf2_u8(a), cf2_u8(b),
                GetLastError());
        _fail(file, line);
    }
    if (na != nb || memcmp(da, db, na) != 0) {
        cf2_err("ERROR: the reparse data of %s (%lu bytes) and %s (%lu bytes) differ\n", cf2_u8(a), na,
                cf2_u8(b), nb);
        _fail(file, line);
    }
}
#define expect_same_reparse(a, b) expect_same_reparse_((a), (b), __FILE__, __LINE__)

/* A junction (mount point) at `path` (an empty folder) to `target`.  Returns
 * FALSE with the reason when the platform cannot make one. */
static BOOL make_junction(const WCHAR *path, const WCHAR *target, char *why, size_t n)
{
    struct {
        DWORD tag;
        WORD data_length, reserved;
        WORD sub_offset, sub_length, print_offset, print_length;
        WCHAR names[1024];
    } rp;
    memset(&rp, 0, sizeof rp);
    WCHAR sub[1100];
    swprintf(sub, 1100, L"\\??\\%ls", target);
    size_t sl = wcslen(sub), pl = wcslen(target);
    if (sl + pl + 2 > 1024) {
        snprintf(why, n, "junction target path too long");
        return FALSE;
    }
    memcpy(rp.names, sub, (sl + 1) * sizeof(WCHAR));
    memcpy(rp.names + sl + 1, target, (pl + 1) * sizeof(WCHAR));
    rp.tag = IO_REPARSE_TAG_MOUNT_POINT;
    rp.sub_offset = 0;
    rp.sub_length = (WORD)(sl * sizeof(WCHAR));
    rp.print_offset = (WORD)((sl + 1) * sizeof(WCHAR));
    rp.print_length = (WORD)(pl * sizeof(WCHAR));
    rp.data_length = (WORD)(8 + (sl + 1 + pl + 1) * sizeof(WCHAR));
    HANDLE h = CreateFileW(path, GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
                           FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT, NULL);
    if (h == INVALID_HANDLE_VALUE) {
        snprintf(why, n, "cannot open the folder to make a junction: error %lu", GetLastError());
        return FALSE;
    }
    DWORD unused;
    BOOL ok = DeviceIoControl(h, FSCTL_SET_REPARSE_POINT, &rp, 8u + rp.data_length, NULL, 0, &unused, NULL);
    DWORD err = GetLastError();
    CloseHandle(h);
    DWORD attrs = GetFileAttributesW(path);
    if (ok && attrs != INVALID_FILE_ATTRIBUTES && (attrs & FILE_ATTRIBUTE_REPARSE_POINT))
        return TRUE;
    snprintf(why, n, "this platform cannot make a junction: FSCTL_SET_REPARSE_POINT %s (error %lu), "
             "attributes 0x%lx (Wine 8.0 has no junctions)", ok ? "succeeded" : "failed", err, attrs);
    return FALSE;
}

static ULONGLONG allocated_size_(const WCHAR *path, const char *file, int line)
{
    HANDLE h = CreateFileW(path, FILE_READ_ATTRIBUTES, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                           NULL, OPEN_EXISTING, 0, NULL);
    FILE_STANDARD_INFO info;
    BOOL ok = h != INVALID_HANDLE_VALUE && GetFileInformationByHandleEx(h, FileStandardInfo, &info, sizeof info);
    DWORD err = GetLastError();
    if (h != INVALID_HANDLE_VALUE)
        CloseHandle(h);
    if (!ok) {
        cf2_err("ERROR: cannot read the allocation size of %s: error %lu\n", cf2_u8(path), err);
        _fail(file, line);
    }
    return (ULONGLONG)info.AllocationSize.QuadPart;
}
#define allocated_size(p) allocated_size_((p), __FILE__, __LINE__)

/* A source with a distinctive past last-write time. */
static const WCHAR *make_source(struct cf2_ctx *t, const WCHAR *name, ULONGLONG size)
{
    const WCHAR *p = cf2_path(t, name);
    cf2_make_file(p, size, SRC_SEED);
    FILETIME w = cf2_filetime(2001, 2, 3, 4, 5, 6, 700);
    cf2_set_times(p, NULL, NULL, &w);
    return p;
}

static void expect_same_time_(const WCHAR *a, const WCHAR *b, const char *file, int line)
{
    WIN32_FILE_ATTRIBUTE_DATA da = cf2_stat_(a, file, line), db = cf2_stat_(b, file, line);
    if (CompareFileTime(&da.ftLastWriteTime, &db.ftLastWriteTime) != 0) {
        cf2_err("ERROR: last-write times differ: %s has %s, %s has %s\n", cf2_u8(a),
                cf2_ft_str(da.ftLastWriteTime), cf2_u8(b), cf2_ft_str(db.ftLastWriteTime));
        _fail(file, line);
    }
}
#define expect_same_time(a, b) expect_same_time_((a), (b), __FILE__, __LINE__)

/* ================================================================ COPY_FILE_OPEN_SOURCE_FOR_WRITE */

/* 2.2: a read-only source cannot be opened for writing: ERROR_ACCESS_DENIED,
 * nothing created; without the flag the same source copies. */
void flags_open_source_for_write_readonly(struct cf2_ctx *t)
{
    const WCHAR *src = make_source(t, L"source.bin", 70000), *dst = cf2_path(t, L"dest.bin");
    cf2_set_attrs(src, FILE_ATTRIBUTE_READONLY);
    struct cf2_fp before = cf2_fp_take(src);
    /* What CreateFileW itself does here (Wine running as root opens it). */
    HANDLE h = CreateFileW(src, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                           OPEN_EXISTING, 0, NULL);
    cf2_note("platform: CreateFileW(read-only file, GENERIC_WRITE) %s (error %lu)",
             h == INVALID_HANDLE_VALUE ? "fails" : "succeeds", h == INVALID_HANDLE_VALUE ? GetLastError() : 0);
    if (h != INVALID_HANDLE_VALUE)
        CloseHandle(h);
    COPYFILE2_EXTENDED_PARAMETERS p = cf2_v1(COPY_FILE_OPEN_SOURCE_FOR_WRITE);
    struct cf2_res r = cf2_call(src, dst, &p);
    cf2_expect_err(r, ERROR_ACCESS_DENIED, "COPY_FILE_OPEN_SOURCE_FOR_WRITE with a read-only source");
    cf2_expect_absent(dst);
    p = cf2_v1(0);
    cf2_expect_ok(cf2_call(src, dst, &p), "the same read-only source without the flag");
    cf2_expect_pattern(dst, 70000, SRC_SEED);
    cf2_expect_unchanged(src, &before, "the source");
}

/* 2.2: a source another handle holds with FILE_SHARE_READ only (it denies
 * writing) fails with ERROR_SHARING_VIOLATION with the flag, copies without. */
void flags_open_source_for_write_shared_read(struct cf2_ctx *t)
{
    const WCHAR *src = make_source(t, L"source.bin", 70000), *dst = cf2_path(t, L"dest.bin");
    HANDLE held = cf2_open(t, src, GENERIC_READ, FILE_SHARE_READ, OPEN_EXISTING);
    COPYFILE2_EXTENDED_PARAMETERS p = cf2_v1(COPY_FILE_OPEN_SOURCE_FOR_WRITE);
    cf2_expect_err(cf2_call(src, dst, &p), ERROR_SHARING_VIOLATION,
                   "COPY_FILE_OPEN_SOURCE_FOR_WRITE, source held GENERIC_READ / FILE_SHARE_READ");
    cf2_expect_absent(dst);
    p = cf2_v1(0);
    cf2_expect_ok(cf2_call(src, dst, &p), "no flag, source held GENERIC_READ / FILE_SHARE_READ");
    cf2_expect_pattern(dst, 70000, SRC_SEED);
    cf2_close(t, held);
    /* Not held: the flag copies. */
    p = cf2_v1(COPY_FILE_OPEN_SOURCE_FOR_WRITE);
    cf2_expect_ok(cf2_call(src, cf2_path(t, L"dest2.bin"), &p), "COPY_FILE_OPEN_SOURCE_FOR_WRITE, source not held");
    cf2_expect_pattern(cf2_path(t, L"dest2.bin"), 70000, SRC_SEED);
    expect_same_time(src, cf2_path(t, L"dest2.bin"));
}

/* flags.md: the source handle (hSourceFile) carries write access with the
 * flag, and none without it. */
void flags_open_source_for_write_handle_access(struct cf2_ctx *t)
{
    const WCHAR *src = make_source(t, L"source.bin", 5000);
    struct rec r;
    rec_init(&r, 0);
    r.security = TRUE;
    COPYFILE2_EXTENDED_PARAMETERS p = rec_v1(COPY_FILE_OPEN_SOURCE_FOR_WRITE, &r);
    cf2_expect_ok(cf2_call(src, cf2_path(t, L"dest1.bin"), &p), "COPY_FILE_OPEN_SOURCE_FOR_WRITE");
    if (!r.access_known)
        cf2_skip("NtQueryInformationFile(FileAccessInformation) is not available on the callback's handles");
    cf2_note("hSourceFile access with the flag: 0x%08lx", r.src_access);
    cf2_check(r.src_access & FILE_WRITE_DATA, "with the flag hSourceFile has access 0x%08lx: no FILE_WRITE_DATA",
              r.src_access);
    cf2_check(r.src_access & FILE_READ_DATA, "hSourceFile has access 0x%08lx: no FILE_READ_DATA", r.src_access);
    p = rec_v1(0, &r);
    cf2_expect_ok(cf2_call(src, cf2_path(t, L"dest2.bin"), &p), "no flag");
    cf2_check(r.access_known, "FileAccessInformation failed the second time");
    cf2_note("hSourceFile access without the flag: 0x%08lx", r.src_access);
    cf2_check(!(r.src_access & (FILE_WRITE_DATA | FILE_APPEND_DATA)),
              "without the flag hSourceFile has write access (0x%08lx)", r.src_access);
    cf2_expect_pattern(cf2_path(t, L"dest1.bin"), 5000, SRC_SEED);
}

/* ================================================================ COPY_FILE_NO_BUFFERING */

/* 2.2 / flags.md: unbuffered copies are byte-exact at every size (whole
 * sectors are moved and the tail cut back), new and over a larger file. */
void flags_no_buffering_size(struct cf2_ctx *t)
{
    const ULONGLONG size = CF2_PARAM(t);
    const WCHAR *src = make_source(t, L"source.bin", size), *dst = cf2_path(t, L"dest.bin");
    struct cf2_fp before = cf2_fp_take(src);
    struct rec r;
    rec_init(&r, 0);
    char what[96];
    snprintf(what, sizeof what, "COPY_FILE_NO_BUFFERING, %llu bytes, new destination", size);
    COPYFILE2_EXTENDED_PARAMETERS p = rec_v1(COPY_FILE_NO_BUFFERING, &r);
    cf2_expect_ok(cf2_call(src, dst, &p), what);
    cf2_expect_pattern(dst, size, SRC_SEED);
    expect_same_time(src, dst);
    expect_sequence(&r, size, 1 * MiB, 0, chunk_flags_for(COPY_FILE_NO_BUFFERING, 0, size), what);
    /* over a larger destination whose size is not a multiple of 4096 */
    const WCHAR *old = cf2_path(t, L"old.bin");
    cf2_make_file(old, size + 3 * 4096 + 123, OLD_SEED);
    snprintf(what, sizeof what, "COPY_FILE_NO_BUFFERING, %llu bytes, over a larger file", size);
    p = rec_v1(COPY_FILE_NO_BUFFERING, &r);
    cf2_expect_ok(cf2_call(src, old, &p), what);
    cf2_expect_pattern(old, size, SRC_SEED);
    /* and over a smaller one */
    if (size > 1) {
        cf2_make_file(old, size / 2, OLD_SEED);
        p = rec_v1(COPY_FILE_NO_BUFFERING, &r);
        cf2_expect_ok(cf2_call(src, old, &p), "COPY_FILE_NO_BUFFERING over a smaller file");
        cf2_expect_pattern(old, size, SRC_SEED);
    }
    cf2_expect_unchanged(src, &before, "the source");
}

/* flags.md: with NO_BUFFERING the chunk size is ioDesiredSize rounded up to a
 * multiple of 4096: 5000 gives chunks of 8192. */
void flags_no_buffering_io_size_5000(struct cf2_ctx *t)
{
    const ULONGLONG size = 5 * 8192 + 1234;
    const WCHAR *src = make_source(t, L"source.bin", size), *dst = cf2_path(t, L"dest.bin");
    struct rec r;
    rec_init(&r, 0);
    COPYFILE2_EXTENDED_PARAMETERS_V2 p = rec_v2(COPY_FILE_NO_BUFFERING, &r);
    p.ioDesiredSize = 5000;
    cf2_expect_ok(cf2_call(src, dst, &p), "NO_BUFFERING, ioDesiredSize 5000");
    cf2_expect_pattern(dst, size, SRC_SEED);
    expect_sequence(&r, size, 8192, 0, 0, "NO_BUFFERING, ioDesiredSize 5000: chunks of 8192");
    /* Without NO_BUFFERING the same request gives chunks of exactly 5000. */
    p = rec_v2(0, &r);
    p.ioDesiredSize = 5000;
    cf2_expect_ok(cf2_call(src, cf2_path(t, L"dest2.bin"), &p), "ioDesiredSize 5000, buffered");
    cf2_expect_pattern(cf2_path(t, L"dest2.bin"), size, SRC_SEED);
    expect_sequence(&r, size, 5000, 0, chunk_flags_for(0, 0, size), "buffered, ioDesiredSize 5000: chunks of 5000");
}

/* Pauses a copy at CHUNK_FINISHED of chunk `chunk`, then resumes it with
 * `resume_flags`; asserts the pause (exactly one STREAM_FINISHED after the
 * answer), the resume (it starts past chunk 0) and the bytes. */
static void pause_then_resume(struct cf2_ctx *t, const WCHAR *src, const WCHAR *dst, ULONGLONG size,
                              DWORD first_flags, DWORD resume_flags, ULONGLONG chunk, const char *what)
{
    struct rec r;
    rec_init(&r, 0);
    r.answer_type = COPYFILE2_CALLBACK_CHUNK_FINISHED;
    r.answer_chunk = chunk;
    r.answer = COPYFILE2_PROGRESS_PAUSE;
    COPYFILE2_EXTENDED_PARAMETERS p = rec_v1(first_flags, &r);
    char msg[256];
    snprintf(msg, sizeof msg, "%s: the paused copy (flags 0x%lx)", what, first_flags);
    cf2_expect_err(cf2_call(src, dst, &p), ERROR_REQUEST_PAUSED, msg);
    expect_only_stream_finished_after_answer(&r, msg);
    cf2_check(cf2_exists(dst), "%s: the paused destination was not kept", msg);
    r.answer_type = COPYFILE2_CALLBACK_NONE;
    p = rec_v1(resume_flags, &r);
    snprintf(msg, sizeof msg, "%s: the resumed copy (flags 0x%lx)", what, resume_flags);
    cf2_expect_ok(cf2_call(src, dst, &p), msg);
    cf2_expect_pattern(dst, size, SRC_SEED);
    expect_same_time(src, dst);
    ULONGLONG first = first_chunk(&r);
    cf2_note("%s: the resumed copy started at chunk %llu", what, first);
    if (!cf2_doc_only) /* resumed from the committed chunk: OURS (docs/restart-header.md) */
        cf2_check(first != ~0ull && first > 0, "%s: the copy did not resume (first chunk %llu)", msg, first);
    expect_sequence(&r, size, 1 * MiB, first, chunk_flags_for(resume_flags, 0, size), msg);
}

/* flags.md: NO_BUFFERING works with pause (slots are 4096-aligned): a paused
 * unbuffered copy resumes byte-exactly (param: RESTARTABLE or 0). */
void flags_no_buffering_pause_resume(struct cf2_ctx *t)
{
    const DWORD extra = (DWORD)CF2_PARAM(t);
    const ULONGLONG size = 4 * MiB + 4097;
    const WCHAR *src = make_source(t, L"source.bin", size), *dst = cf2_path(t, L"dest.bin");
    pause_then_resume(t, src, dst, size, COPY_FILE_NO_BUFFERING | extra,
                      COPY_FILE_NO_BUFFERING | COPY_FILE_RESUME_FROM_PAUSE | extra, 1,
                      extra ? "NO_BUFFERING|RESTARTABLE, PAUSE at chunk 1" : "NO_BUFFERING, PAUSE at chunk 1");
}

/* flags.md: RESTARTABLE with NO_BUFFERING: complete copies are byte-exact
 * with the exact size (the trailer is gone), new and over other files. */
void flags_restartable_no_buffering(struct cf2_ctx *t)
{
    const ULONGLONG sizes[] = { 0, 1, 4096, 4097, 3 * MiB + 77 };
    const WCHAR *dst = cf2_path(t, L"dest.bin");
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        const WCHAR *src = make_source(t, L"source.bin", sizes[i]);
        COPYFILE2_EXTENDED_PARAMETERS p = cf2_v1(COPY_FILE_RESTARTABLE | COPY_FILE_NO_BUFFERING);
        char what[96];
        snprintf(what, sizeof what, "RESTARTABLE|NO_BUFFERING, %llu bytes", sizes[i]);
        cf2_expect_ok(cf2_call(src, dst, &p), what);
        cf2_expect_pattern(dst, sizes[i], SRC_SEED);
        expect_same_time(src, dst);
    }
    cf2_make_file(dst, 9 * MiB + 5, OLD_SEED);
    const WCHAR *src = make_source(t, L"source.bin", 2 * MiB + 3);
    COPYFILE2_EXTENDED_PARAMETERS p = cf2_v1(COPY_FILE_RESTARTABLE | COPY_FILE_NO_BUFFERING);
    cf2_expect_ok(cf2_call(src, dst, &p), "RESTARTABLE|NO_BUFFERING over a larger file");
    cf2_expect_pattern(dst, 2 * MiB + 3, SRC_SEED);
}

/* ================================================================ links */

/* 7.1: COPY_SYMLINK (and OPEN_AND_COPY_REPARSE_POINT) with a source that is
 * not a link copies as usual; FAIL_IF_EXISTS keeps its meaning. */
void flags_copy_symlink_plain_file(struct cf2_ctx *t)
{
    const DWORD flags[] = { COPY_FILE_COPY_SYMLINK, COPY_FILE_OPEN_AND_COPY_REPARSE_POINT,
                            COPY_FILE_COPY_SYMLINK | COPY_FILE_OPEN_AND_COPY_REPARSE_POINT };
    const ULONGLONG size = 1 * MiB + 999;
    const WCHAR *src = make_source(t, L"source.bin", size);
    struct cf2_fp before = cf2_fp_take(src);
    for (size_t i = 0; i < 3; i++) {
        WCHAR name[32];
        swprintf(name, 32, L"dest%u.bin", (unsigned)i);
        const WCHAR *dst = cf2_path(t, name);
        char what[96];
        snprintf(what, sizeof what, "flags 0x%lx, plain source", flags[i]);
        struct rec r;
        rec_init(&r, 0);
        COPYFILE2_EXTENDED_PARAMETERS p = rec_v1(flags[i], &r);
        cf2_expect_ok(cf2_call(src, dst, &p), what);
        cf2_expect_pattern(dst, size, SRC_SEED);
        expect_same_time(src, dst);
        expect_sequence(&r, size, 1 * MiB, 0, chunk_flags_for(flags[i], 0, size), what);
        cf2_check(!(GetFileAttributesW(dst) & FILE_ATTRIBUTE_REPARSE_POINT), "%s: the copy is a reparse point", what);
        /* over the copy just made, and with FAIL_IF_EXISTS */
        p = cf2_v1(flags[i]);
        cf2_expect_ok(cf2_call(src, dst, &p), what);
        cf2_expect_pattern(dst, size, SRC_SEED);
        struct cf2_fp d = cf2_fp_take(dst);
        p = cf2_v1(flags[i] | COPY_FILE_FAIL_IF_EXISTS);
        cf2_expect_err(cf2_call(src, dst, &p), ERROR_FILE_EXISTS, "FAIL_IF_EXISTS over an existing plain file");
        cf2_expect_unchanged(dst, &d, "the existing destination");
    }
    cf2_expect_unchanged(src, &before, "the source");
}

struct link_setup {
    const WCHAR *target, *link;
};

static struct link_setup link_given(struct cf2_ctx *t)
{
    struct link_setup s;
    char why[512];
    s.target = make_source(t, L"target.bin", 100000);
    s.link = cf2_path(t, L"link.bin");
    if (!cf2_flags_make_symlink(s.link, s.target, FALSE, why, sizeof why))
        cf2_skip("%s", why);
    return s;
}

/* 2.2/7.1: a link source with COPY_SYMLINK becomes a link to the same target
 * (same reparse data); the target is not copied or touched. */
void flags_copy_symlink_link_source(struct cf2_ctx *t)
{
    struct link_setup s = link_given(t);
    struct cf2_fp target = cf2_fp_take(s.target);
    const WCHAR *dst = cf2_path(t, L"dest.lnk");
    COPYFILE2_EXTENDED_PARAMETERS p = cf2_v1((DWORD)CF2_PARAM(t));
    cf2_expect_ok(cf2_call(s.link, dst, &p), "link source copied as a link");
    DWORD attrs = GetFileAttributesW(dst);
    cf2_check(attrs != INVALID_FILE_ATTRIBUTES && (attrs & FILE_ATTRIBUTE_REPARSE_POINT),
              "the destination is not a reparse point (attributes 0x%lx)", attrs);
    expect_same_reparse(s.link, dst);
    cf2_expect_pattern(dst, 100000, SRC_SEED); /* followed: the same target */
    cf2_expect_unchanged(s.target, &target, "the link's target");
}

/* 7.1: COPY_SYMLINK over an existing link replaces the link, never its
 * target; with FAIL_IF_EXISTS any existing name fails. */
void flags_copy_symlink_existing_destination(struct cf2_ctx *t)
{
    struct link_setup s = link_given(t);
    char why[512];
    const WCHAR *other = cf2_path(t, L"other.bin"), *dlink = cf2_path(t, L"dest.lnk");
    cf2_make_file(other, 3000, OLD_SEED);
    struct cf2_fp other_fp = cf2_fp_take(other);
    cf2_check(cf2_flags_make_symlink(dlink, other, FALSE, why, sizeof why), "second link: %s", why);
    COPYFILE2_EXTENDED_PARAMETERS p = cf2_v1(COPY_FILE_COPY_SYMLINK);
    cf2_expect_ok(cf2_call(s.link, dlink, &p), "COPY_SYMLINK over an existing link");
    expect_same_reparse(s.link, dlink);
    cf2_expect_unchanged(other, &other_fp, "the old link's target");
    cf2_expect_pattern(dlink, 100000, SRC_SEED);
}

/* 7.1: COPY_SYMLINK | FAIL_IF_EXISTS: an existing link or file of that name
 * fails with ERROR_FILE_EXISTS and is not touched. */
void flags_copy_symlink_fail_if_exists(struct cf2_ctx *t)
{
    struct link_setup s = link_given(t);
    char why[512];
    static BYTE before[MAXIMUM_REPARSE_DATA_BUFFER_SIZE], after[MAXIMUM_REPARSE_DATA_BUFFER_SIZE];
    const WCHAR *other = cf2_path(t, L"other.bin"), *dlink = cf2_path(t, L"dest.lnk");
    cf2_make_file(other, 3000, OLD_SEED);
    struct cf2_fp other_fp = cf2_fp_take(other);
    cf2_check(cf2_flags_make_symlink(dlink, other, FALSE, why, sizeof why), "second link: %s", why);
    DWORD nb = 0, na = 0;
    cf2_check(read_reparse(dlink, before, sizeof before, &nb), "cannot read the link's reparse data");
    COPYFILE2_EXTENDED_PARAMETERS p = cf2_v1(COPY_FILE_COPY_SYMLINK | COPY_FILE_FAIL_IF_EXISTS);
    cf2_expect_err(cf2_call(s.link, dlink, &p), ERROR_FILE_EXISTS, "COPY_SYMLINK|FAIL_IF_EXISTS over a link");
    cf2_check(read_reparse(dlink, after, sizeof after, &na) && na == nb && !memcmp(before, after, na),
              "the existing link was changed");
    cf2_expect_unchanged(other, &other_fp, "the existing link's target");
    struct cf2_fp o = cf2_fp_take(other);
    cf2_expect_err(cf2_call(s.link, other, &p), ERROR_FILE_EXISTS, "COPY_SYMLINK|FAIL_IF_EXISTS over a file");
    cf2_expect_unchanged(other, &o, "the existing file");
}

/* 7.1 (CopyFile page): without COPY_SYMLINK a link source is followed: the
 * copy is a plain file with the target's data. */
void flags_symlink_followed_without_flag(struct cf2_ctx *t)
{
    struct link_setup s = link_given(t);
    const WCHAR *dst = cf2_path(t, L"dest.bin");
    COPYFILE2_EXTENDED_PARAMETERS p = cf2_v1(0);
    cf2_expect_ok(cf2_call(s.link, dst, &p), "link source without COPY_SYMLINK");
    cf2_check(!(GetFileAttributesW(dst) & FILE_ATTRIBUTE_REPARSE_POINT), "the copy is a reparse point");
    cf2_expect_pattern(dst, 100000, SRC_SEED);
}

/* ================================================================ COPY_FILE_DIRECTORY */

static BOOL dir_readonly_storable(struct cf2_ctx *t)
{
    const WCHAR *d = cf2_path(t, L"probe-ro-dir");
    cf2_mkdir(d);
    SetFileAttributesW(d, FILE_ATTRIBUTE_READONLY);
    DWORD a = GetFileAttributesW(d);
    SetFileAttributesW(d, FILE_ATTRIBUTE_NORMAL);
    RemoveDirectoryW(d);
    return a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_READONLY);
}

#define DIR_ATTRS (FILE_ATTRIBUTE_READONLY | FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_SYSTEM)

/* A source folder with one file in it, HIDDEN (and READONLY where a folder
 * can store it) and a last-write time in 2001. */
static const WCHAR *dir_source(struct cf2_ctx *t, DWORD *attrs_set)
{
    const WCHAR *d = cf2_path(t, L"srcdir");
    cf2_mkdir(d);
    cf2_make_file(cf2_path(t, L"srcdir\\child.txt"), 100, SRC_SEED);
    DWORD want = FILE_ATTRIBUTE_HIDDEN | (dir_readonly_storable(t) ? FILE_ATTRIBUTE_READONLY : 0);
    cf2_set_attrs(d, want);
    FILETIME w = cf2_filetime(2001, 2, 3, 4, 5, 6, 700);
    cf2_set_times(d, NULL, NULL, &w);
    DWORD got = GetFileAttributesW(d);
    cf2_note("source folder attributes 0x%lx (asked 0x%lx; HIDDEN stored: %s, READONLY on folders stored: %s)",
             got, want, cf2_caps.hidden_stored ? "yes" : "no", (want & FILE_ATTRIBUTE_READONLY) ? "yes" : "no");
    *attrs_set = got & DIR_ATTRS;
    return d;
}

static void expect_dir_copy_(const WCHAR *src, const WCHAR *dst, DWORD attrs, const char *file, int line)
{
    DWORD a = GetFileAttributesW(dst);
    if (a == INVALID_FILE_ATTRIBUTES || !(a & FILE_ATTRIBUTE_DIRECTORY) || (a & DIR_ATTRS) != attrs) {
        cf2_err("ERROR: destination folder %s: attributes 0x%lx, expected a folder with 0x%lx of 0x%x\n",
                cf2_u8(dst), a, attrs, DIR_ATTRS);
        _fail(file, line);
    }
    expect_same_time_(src, dst, file, line);
}
#define expect_dir_copy(s, d, a) expect_dir_copy_((s), (d), (a), __FILE__, __LINE__)

/* 2.2 / flags.md: a directory source creates the destination folder with the
 * source's attributes and last-write time; its entries are not copied and no
 * progress message is sent (a folder has no unnamed data stream). */
void flags_directory_creates(struct cf2_ctx *t)
{
    DWORD attrs;
    const WCHAR *src = dir_source(t, &attrs), *dst = cf2_path(t, L"dstdir");
    struct rec r;
    rec_init(&r, 0);
    COPYFILE2_EXTENDED_PARAMETERS p = rec_v1(COPY_FILE_DIRECTORY, &r);
    cf2_expect_ok(cf2_call(src, dst, &p), "COPY_FILE_DIRECTORY, new destination");
    expect_dir_copy(src, dst, attrs);
    cf2_check(cf2_count_entries(dst) == 0, "the folder's entries were copied (%d)", cf2_count_entries(dst));
    if (!cf2_doc_only) /* flags.md: no stream messages for a folder (OURS) */
        cf2_check(r.n == 0, "the routine got %u message(s) (first %s), expected none", r.n,
                  r.n ? cf2_type_name(r.msgs[0].m.Type) : "");
    cf2_check(cf2_count_entries(src) == 1, "the source folder changed");
}

/* flags.md: an existing destination folder is reused: its entries stay, it
 * gets the source's attributes and last-write time. */
void flags_directory_existing_reused(struct cf2_ctx *t)
{
    DWORD attrs;
    const WCHAR *src = dir_source(t, &attrs), *dst = cf2_path(t, L"dstdir");
    cf2_mkdir(dst);
    cf2_make_file(cf2_path(t, L"dstdir\\keep.txt"), 10, OLD_SEED);
    COPYFILE2_EXTENDED_PARAMETERS p = cf2_v1(COPY_FILE_DIRECTORY);
    cf2_expect_ok(cf2_call(src, dst, &p), "COPY_FILE_DIRECTORY over an existing folder");
    expect_dir_copy(src, dst, attrs);
    cf2_check(cf2_count_entries(dst) == 1, "the existing folder's entries changed");
    cf2_expect_pattern(cf2_path(t, L"dstdir\\keep.txt"), 10, OLD_SEED);
}

/* flags.md: COPY_FILE_DIRECTORY | FAIL_IF_EXISTS: an existing folder or file
 * of that name fails with ERROR_FILE_EXISTS and is not touched. */
void flags_directory_fail_if_exists(struct cf2_ctx *t)
{
    DWORD attrs;
    const WCHAR *src = dir_source(t, &attrs), *dst = cf2_path(t, L"dstdir"), *file = cf2_path(t, L"file.bin");
    cf2_mkdir(dst);
    cf2_make_file(cf2_path(t, L"dstdir\\keep.txt"), 10, OLD_SEED);
    FILETIME old = cf2_filetime(2003, 4, 5, 6, 7, 8, 900);
    cf2_set_times(dst, NULL, NULL, &old);
    struct cf2_fp dfp = cf2_fp_take(dst);
    cf2_make_file(file, 333, OLD_SEED);
    struct cf2_fp ffp = cf2_fp_take(file);
    COPYFILE2_EXTENDED_PARAMETERS p = cf2_v1(COPY_FILE_DIRECTORY | COPY_FILE_FAIL_IF_EXISTS);
    cf2_expect_err(cf2_call(src, dst, &p), ERROR_FILE_EXISTS, "DIRECTORY|FAIL_IF_EXISTS, folder exists");
    cf2_expect_unchanged(dst, &dfp, "the existing folder");
    cf2_check(cf2_count_entries(dst) == 1, "the existing folder's entries changed");
    cf2_expect_err(cf2_call(src, file, &p), ERROR_FILE_EXISTS, "DIRECTORY|FAIL_IF_EXISTS, a file of that name");
    cf2_expect_unchanged(file, &ffp, "the existing file");
    /* Without FAIL_IF_EXISTS and a new name it works. */
    p = cf2_v1(COPY_FILE_DIRECTORY);
    cf2_expect_ok(cf2_call(src, cf2_path(t, L"newdir"), &p), "COPY_FILE_DIRECTORY, new name");
    expect_dir_copy(src, cf2_path(t, L"newdir"), attrs);
}

/* flags.md: without COPY_FILE_DIRECTORY a directory source fails with
 * ERROR_ACCESS_DENIED and nothing is created. */
void flags_directory_without_flag(struct cf2_ctx *t)
{
    DWORD attrs;
    const WCHAR *src = dir_source(t, &attrs), *dst = cf2_path(t, L"dstdir");
    struct rec r;
    rec_init(&r, 0);
    COPYFILE2_EXTENDED_PARAMETERS p = rec_v1(0, &r);
    cf2_expect_err(cf2_call(src, dst, &p), ERROR_ACCESS_DENIED, "directory source without COPY_FILE_DIRECTORY");
    cf2_expect_absent(dst);
    cf2_check(rec_count(&r, COPYFILE2_CALLBACK_STREAM_STARTED) == 0, "a stream was started");
}

/* ================================================================ streams */

/* flags.md: every copy of a source without named streams (every source under
 * Wine) reports exactly one stream, with or without SKIP_ALTERNATE_STREAMS. */
void flags_streams_one_stream(struct cf2_ctx *t)
{
    const ULONGLONG size = 2 * MiB + 17;
    const WCHAR *src = make_source(t, L"source.bin", size);
    char why[256];
    if (!streams_supported(src, why, sizeof why))
        cf2_note("%s: every copy has exactly one stream", why);
    else
        cf2_note("named streams are supported; this source has none");
    const DWORD flags[] = { 0, COPY_FILE_SKIP_ALTERNATE_STREAMS };
    for (int i = 0; i < 2; i++) {
        WCHAR name[32];
        swprintf(name, 32, L"dest%d.bin", i);
        struct rec r;
        rec_init(&r, 0);
        COPYFILE2_EXTENDED_PARAMETERS p = rec_v1(flags[i], &r);
        char what[64];
        snprintf(what, sizeof what, "flags 0x%lx", flags[i]);
        cf2_expect_ok(cf2_call(src, cf2_path(t, name), &p), what);
        cf2_expect_pattern(cf2_path(t, name), size, SRC_SEED);
        expect_sequence(&r, size, 1 * MiB, 0, chunk_flags_for(flags[i], 0, size), what); /* stream 1 only, total = size */
        cf2_check(rec_count(&r, COPYFILE2_CALLBACK_STREAM_STARTED) == 1, "%s: %u streams", what,
                  rec_count(&r, COPYFILE2_CALLBACK_STREAM_STARTED));
    }
}

/* Where named streams exist: a source with one (5000 bytes). */
static const WCHAR *ads_source(struct cf2_ctx *t, ULONGLONG size)
{
    const WCHAR *src = make_source(t, L"source.bin", size);
    char why[256];
    if (!streams_supported(src, why, sizeof why))
        cf2_skip("%s", why);
    cf2_make_file(cf2_cat(t, src, L":extra"), 5000, ADS_SEED);
    FILETIME w = cf2_filetime(2001, 2, 3, 4, 5, 6, 700);
    cf2_set_times(src, NULL, NULL, &w);
    return src;
}

/* 2.2 / docs: named streams are copied after stream 1 as streams 2..n, and
 * uliTotalFileSize counts them. */
void flags_streams_named_copied(struct cf2_ctx *t)
{
    const ULONGLONG size = 1 * MiB + 5;
    const WCHAR *src = ads_source(t, size), *dst = cf2_path(t, L"dest.bin");
    struct rec r;
    rec_init(&r, 0);
    COPYFILE2_EXTENDED_PARAMETERS p = rec_v1(0, &r);
    cf2_expect_ok(cf2_call(src, dst, &p), "source with a named stream");
    cf2_expect_pattern(dst, size, SRC_SEED);
    cf2_expect_pattern(cf2_cat(t, dst, L":extra"), 5000, ADS_SEED);
    cf2_check(rec_count(&r, COPYFILE2_CALLBACK_STREAM_STARTED) == 2, "%u streams reported, expected 2",
              rec_count(&r, COPYFILE2_CALLBACK_STREAM_STARTED));
    BOOL saw2 = FALSE;
    for (unsigned i = 0; i < r.n; i++) {
        const COPYFILE2_MESSAGE *m = &r.msgs[i].m;
        if (m->Type == COPYFILE2_CALLBACK_STREAM_STARTED) {
            cf2_check(m->Info.StreamStarted.uliTotalFileSize.QuadPart == size + 5000,
                      "uliTotalFileSize %llu, expected %llu", m->Info.StreamStarted.uliTotalFileSize.QuadPart,
                      size + 5000);
            if (m->Info.StreamStarted.dwStreamNumber == 2) {
                saw2 = TRUE;
                cf2_check(m->Info.StreamStarted.uliStreamSize.QuadPart == 5000, "stream 2 size %llu",
                          m->Info.StreamStarted.uliStreamSize.QuadPart);
            }
        }
    }
    cf2_check(saw2, "no STREAM_STARTED for stream 2");
}

/* 2.2: SKIP_ALTERNATE_STREAMS: the named stream is not copied and only
 * stream 1 is reported. */
void flags_skip_alternate_streams(struct cf2_ctx *t)
{
    const ULONGLONG size = 1 * MiB + 5;
    const WCHAR *src = ads_source(t, size), *dst = cf2_path(t, L"dest.bin");
    struct rec r;
    rec_init(&r, 0);
    COPYFILE2_EXTENDED_PARAMETERS p = rec_v1(COPY_FILE_SKIP_ALTERNATE_STREAMS, &r);
    cf2_expect_ok(cf2_call(src, dst, &p), "SKIP_ALTERNATE_STREAMS, source with a named stream");
    cf2_expect_pattern(dst, size, SRC_SEED);
    cf2_expect_absent(cf2_cat(t, dst, L":extra"));
    expect_sequence(&r, size, 1 * MiB, 0, chunk_flags_for(COPY_FILE_SKIP_ALTERNATE_STREAMS, 0, size), "SKIP_ALTERNATE_STREAMS");
}

/* ================================================================ pre-allocation */

/* flags.md: without DISABLE_PRE_ALLOCATION the destination already has its
 * final size when the first chunk starts (and at STREAM_STARTED). */
void flags_pre_allocation_default(struct cf2_ctx *t)
{
    const ULONGLONG size = 3 * MiB + 5;
    const WCHAR *src = make_source(t, L"source.bin", size), *dst = cf2_path(t, L"dest.bin");
    struct rec r;
    rec_init(&r, 0);
    r.sizes = TRUE;
    COPYFILE2_EXTENDED_PARAMETERS p = rec_v1(0, &r);
    cf2_expect_ok(cf2_call(src, dst, &p), "default pre-allocation");
    cf2_expect_pattern(dst, size, SRC_SEED);
    int cs = rec_first(&r, COPYFILE2_CALLBACK_CHUNK_STARTED);
    cf2_check(cs >= 0, "no CHUNK_STARTED");
    cf2_check(r.msgs[cs].dst_size == (LONGLONG)size, "at the first CHUNK_STARTED the destination has %lld bytes, "
              "expected %llu (pre-sized)", r.msgs[cs].dst_size, size);
    cf2_check(r.msgs[0].dst_size == (LONGLONG)size, "at STREAM_STARTED the destination has %lld bytes, expected %llu",
              r.msgs[0].dst_size, size);
}

/* 2.2: DISABLE_PRE_ALLOCATION: the destination grows as data is written:
 * empty at STREAM_STARTED, and at each CHUNK_FINISHED exactly the bytes
 * transferred so far. */
void flags_disable_pre_allocation(struct cf2_ctx *t)
{
    const ULONGLONG size = 3 * MiB + 5;
    const WCHAR *src = make_source(t, L"source.bin", size), *dst = cf2_path(t, L"dest.bin");
    struct rec r;
    rec_init(&r, 0);
    r.sizes = TRUE;
    COPYFILE2_EXTENDED_PARAMETERS p = rec_v1(COPY_FILE_DISABLE_PRE_ALLOCATION, &r);
    cf2_expect_ok(cf2_call(src, dst, &p), "DISABLE_PRE_ALLOCATION");
    cf2_expect_pattern(dst, size, SRC_SEED);
    expect_sequence(&r, size, 1 * MiB, 0, chunk_flags_for(COPY_FILE_DISABLE_PRE_ALLOCATION, 0, size), "DISABLE_PRE_ALLOCATION");
    cf2_check(r.msgs[0].dst_size == 0, "at STREAM_STARTED the destination has %lld bytes, expected 0",
              r.msgs[0].dst_size);
    unsigned finished = 0;
    for (unsigned i = 0; i < r.n; i++) {
        const COPYFILE2_MESSAGE *m = &r.msgs[i].m;
        if (m->Type != COPYFILE2_CALLBACK_CHUNK_FINISHED)
            continue;
        finished++;
        cf2_check(r.msgs[i].dst_size == (LONGLONG)m->Info.ChunkFinished.uliTotalBytesTransferred.QuadPart,
                  "at CHUNK_FINISHED of chunk %llu the destination has %lld bytes, expected %llu (written so far)",
                  m->Info.ChunkFinished.uliChunkNumber.QuadPart, r.msgs[i].dst_size,
                  m->Info.ChunkFinished.uliTotalBytesTransferred.QuadPart);
    }
    cf2_check(finished == 4, "%u CHUNK_FINISHED messages", finished);
}

/* ================================================================ sparse copy */

struct region {
    ULONGLONG offset;
    DWORD length;
};

/* A sparse file of `size` bytes whose only data are the regions (pattern
 * SRC_SEED at the file offset).  Skips when the file system keeps no holes. */
static void make_sparse_(const WCHAR *path, ULONGLONG size, const struct region *regions, int count,
                         const char *file, int line)
{
    HANDLE h = CreateFileW(path, GENERIC_READ | GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    if (h == INVALID_HANDLE_VALUE) {
        cf2_err("ERROR: cannot create %s: error %lu\n", cf2_u8(path), GetLastError());
        _fail(file, line);
    }
    DWORD unused;
    DeviceIoControl(h, FSCTL_SET_SPARSE, NULL, 0, NULL, 0, &unused, NULL);
    FILE_END_OF_FILE_INFO eof;
    eof.EndOfFile.QuadPart = (LONGLONG)size;
    BOOL ok = SetFileInformationByHandle(h, FileEndOfFileInfo, &eof, sizeof eof);
    for (int i = 0; ok && i < count; i++) {
        BYTE *buf = malloc(regions[i].length);
        if (!buf) {
            ok = FALSE;
            break;
        }
        cf2_pattern(SRC_SEED, regions[i].offset, buf, regions[i].length);
        OVERLAPPED ov;
        memset(&ov, 0, sizeof ov);
        ov.Offset = (DWORD)regions[i].offset;
        ov.OffsetHigh = (DWORD)(regions[i].offset >> 32);
        DWORD w = 0;
        ok = WriteFile(h, buf, regions[i].length, &w, &ov) && w == regions[i].length;
        free(buf);
    }
    DWORD err = GetLastError();
    CloseHandle(h);
    if (!ok) {
        cf2_err("ERROR: cannot make the sparse file %s: error %lu\n", cf2_u8(path), err);
        _fail(file, line);
    }
    FILETIME w = cf2_filetime(2001, 2, 3, 4, 5, 6, 700);
    cf2_set_times_(path, NULL, NULL, &w, file, line);
    ULONGLONG alloc = allocated_size_(path, file, line);
    if (alloc >= size / 2)
        cf2_skip("the file system keeps no holes: a sparse file of %llu bytes has %llu allocated", size, alloc);
}
#define make_sparse(p, s, r, n) make_sparse_((p), (s), (r), (n), __FILE__, __LINE__)

/* 256 MiB with 2 MiB of data in two places (one unaligned) and a short tail. */
#define BIG_SPARSE (256 * MiB)
static const struct region big_regions[] = {
    { 16 * MiB + 3 * 4096 + 5, (DWORD)(1 * MiB) },
    { 200 * MiB, (DWORD)(1 * MiB) },
    { BIG_SPARSE - 4000, 4000 },
};

/* 2.2: ENABLE_SPARSE_COPY keeps the holes: the copy's allocation is far below
 * its size, and its bytes are the source's (param: 0, the in-kernel path where
 * the platform has it; NO_OFFLOAD, the read/write path). */
void flags_sparse_copy_enable(struct cf2_ctx *t)
{
    const DWORD extra = (DWORD)CF2_PARAM(t);
    const WCHAR *src = cf2_path(t, L"source.bin"), *dst = cf2_path(t, L"dest.bin");
    make_sparse(src, BIG_SPARSE, big_regions, 3);
    struct rec r;
    rec_init(&r, 0);
    COPYFILE2_EXTENDED_PARAMETERS p = rec_v1(COPY_FILE_ENABLE_SPARSE_COPY | extra, &r);
    char what[64];
    snprintf(what, sizeof what, "ENABLE_SPARSE_COPY | 0x%lx", extra);
    cf2_expect_ok(cf2_call(src, dst, &p), what);
    cf2_expect_same_bytes(src, dst);
    expect_same_time(src, dst);
    expect_sequence(&r, BIG_SPARSE, 1 * MiB, 0, chunk_flags_for(COPY_FILE_ENABLE_SPARSE_COPY | extra, 0, BIG_SPARSE),
                    what);
    ULONGLONG a_src = allocated_size(src), a_dst = allocated_size(dst);
    cf2_note("allocated: source %llu, copy %llu of %llu bytes", a_src, a_dst, BIG_SPARSE);
    cf2_check(a_dst <= BIG_SPARSE / 16, "%s: the copy has %llu of %llu bytes allocated", what, a_dst, BIG_SPARSE);
    DeleteFileW(dst);
    DeleteFileW(src);
}

/* 2.2 (header): DISABLE_SPARSE_COPY wins over ENABLE_SPARSE_COPY; and without
 * either flag the copy is fully allocated (param: the flags). */
void flags_sparse_copy_full(struct cf2_ctx *t)
{
    const DWORD flags = (DWORD)CF2_PARAM(t);
    const WCHAR *src = cf2_path(t, L"source.bin"), *dst = cf2_path(t, L"dest.bin");
    make_sparse(src, BIG_SPARSE, big_regions, 3);
    COPYFILE2_EXTENDED_PARAMETERS p = cf2_v1(flags);
    char what[64];
    snprintf(what, sizeof what, "flags 0x%lx, sparse source", flags);
    cf2_expect_ok(cf2_call(src, dst, &p), what);
    cf2_expect_same_bytes(src, dst);
    ULONGLONG a_dst = allocated_size(dst);
    cf2_note("allocated: copy %llu of %llu bytes", a_dst, BIG_SPARSE);
    cf2_check(a_dst >= BIG_SPARSE, "%s: the copy has only %llu of %llu bytes allocated (holes kept)", what, a_dst,
              BIG_SPARSE);
    DeleteFileW(dst);
    DeleteFileW(src);
}

/* flags.md: a sparse copy over an existing file leaves none of its bytes
 * (larger and smaller destinations full of non-zero data). */
void flags_sparse_copy_over_existing(struct cf2_ctx *t)
{
    const ULONGLONG size = 32 * MiB;
    const struct region regions[] = { { 5 * MiB + 7, 70000 }, { 20 * MiB, (DWORD)(1 * MiB) } };
    const WCHAR *src = cf2_path(t, L"source.bin"), *dst = cf2_path(t, L"dest.bin");
    make_sparse(src, size, regions, 2);
    const ULONGLONG old_sizes[] = { 40 * MiB + 3, 3 * MiB, size };
    for (int i = 0; i < 3; i++) {
        cf2_make_file(dst, old_sizes[i], OLD_SEED);
        COPYFILE2_EXTENDED_PARAMETERS p = cf2_v1(COPY_FILE_ENABLE_SPARSE_COPY);
        char what[96];
        snprintf(what, sizeof what, "ENABLE_SPARSE_COPY over a %llu-byte file", old_sizes[i]);
        cf2_expect_ok(cf2_call(src, dst, &p), what);
        cf2_expect_same_bytes(src, dst);
        ULONGLONG a = allocated_size(dst);
        cf2_check(a <= size / 4, "%s: %llu bytes allocated, the holes were not kept", what, a);
    }
}

/* flags.md: sparse copy is not combined with RESTARTABLE or NO_BUFFERING:
 * every byte is written (param: the other flag). */
void flags_sparse_copy_with_other(struct cf2_ctx *t)
{
    const DWORD other = (DWORD)CF2_PARAM(t);
    const ULONGLONG size = 24 * MiB;
    const struct region regions[] = { { 5 * MiB + 7, 70000 }, { 20 * MiB, (DWORD)(1 * MiB) } };
    const WCHAR *src = cf2_path(t, L"source.bin"), *dst = cf2_path(t, L"dest.bin");
    make_sparse(src, size, regions, 2);
    COPYFILE2_EXTENDED_PARAMETERS p = cf2_v1(COPY_FILE_ENABLE_SPARSE_COPY | other);
    char what[64];
    snprintf(what, sizeof what, "ENABLE_SPARSE_COPY | 0x%lx", other);
    cf2_expect_ok(cf2_call(src, dst, &p), what);
    cf2_expect_same_bytes(src, dst);
    ULONGLONG a = allocated_size(dst);
    cf2_check(a >= size, "%s: only %llu of %llu bytes allocated", what, a, size);
}

/* ================================================================ security */

/* The access CreateFileW grants here for `access` on a scratch file, or 0
 * when it refuses it. */
static ULONG granted_access(struct cf2_ctx *t, DWORD access, DWORD *error)
{
    const WCHAR *p = cf2_path(t, L"probe-access.bin");
    if (!cf2_exists(p))
        cf2_make_file(p, 10, OLD_SEED);
    HANDLE h = CreateFileW(p, access, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING, 0, NULL);
    *error = h == INVALID_HANDLE_VALUE ? GetLastError() : 0;
    if (h == INVALID_HANDLE_VALUE)
        return 0;
    ULONG a = 0;
    BOOL ok = handle_access(h, &a);
    CloseHandle(h);
    return ok ? a : 0;
}

#define SEC_EXTRA (ACCESS_SYSTEM_SECURITY | WRITE_OWNER | WRITE_DAC)

/* One recorded copy; returns the recorder's access view.  Skips when the
 * handles' access cannot be read. */
static void security_copy(struct cf2_ctx *t, DWORD flags, const WCHAR *name, struct rec *r)
{
    const WCHAR *src = cf2_path(t, L"source.bin");
    if (!cf2_exists(src))
        make_source(t, L"source.bin", 300000);
    rec_init(r, 0);
    r->security = TRUE;
    COPYFILE2_EXTENDED_PARAMETERS p = rec_v1(flags, r);
    char what[64];
    snprintf(what, sizeof what, "flags 0x%lx", flags);
    cf2_expect_ok(cf2_call(src, cf2_path(t, name), &p), what);
    cf2_expect_pattern(cf2_path(t, name), 300000, SRC_SEED);
    if (!r->access_known)
        cf2_skip("NtQueryInformationFile(FileAccessInformation) is not available on the callback's handles");
    cf2_note("flags 0x%08lx: hSourceFile access 0x%08lx, hDestinationFile access 0x%08lx; DACL copy in the "
             "routine: GetSecurityInfo %lu, SetSecurityInfo %lu", flags, r->src_access, r->dst_access,
             r->get_dacl, r->set_dacl);
}

/* 2.2, 9.14: REQUEST_SECURITY_PRIVILEGES: the callback's handles carry the
 * widest access granted (source ACCESS_SYSTEM_SECURITY, destination also
 * WRITE_OWNER and WRITE_DAC), so the routine can set the DACL itself; without
 * the flag it cannot. */
void flags_request_security_privileges(struct cf2_ctx *t)
{
    DWORD e_dst, e_src;
    ULONG g_dst = granted_access(t, GENERIC_WRITE | SEC_EXTRA, &e_dst);
    ULONG g_src = granted_access(t, GENERIC_READ | ACCESS_SYSTEM_SECURITY, &e_src);
    cf2_note("platform: GENERIC_WRITE|ACCESS_SYSTEM_SECURITY|WRITE_OWNER|WRITE_DAC -> %s 0x%08lx; "
             "GENERIC_READ|ACCESS_SYSTEM_SECURITY -> %s 0x%08lx",
             e_dst ? "refused, error" : "granted", e_dst ? e_dst : g_dst, e_src ? "refused, error" : "granted",
             e_src ? e_src : g_src);
    struct rec r;
    security_copy(t, COPY_FILE_REQUEST_SECURITY_PRIVILEGES, L"dest1.bin", &r);
    if (!e_dst) {
        /* granted: the destination handle has what was asked */
        cf2_check((r.dst_access & SEC_EXTRA) == (g_dst & SEC_EXTRA),
                  "hDestinationFile access 0x%08lx lacks 0x%08lx that CreateFileW grants here",
                  r.dst_access, (ULONG)(g_dst & SEC_EXTRA & ~r.dst_access));
        cf2_check(r.dst_access & WRITE_DAC, "hDestinationFile has no WRITE_DAC (0x%08lx)", r.dst_access);
        cf2_check(r.set_dacl == ERROR_SUCCESS, "SetSecurityInfo(DACL) on hDestinationFile failed: %lu (GetSecurityInfo %lu)",
                  r.set_dacl, r.get_dacl);
    } else {
        /* refused: the copy still works with the access it needs */
        cf2_note("the extra access is refused here; the copy fell back to the access it needs");
    }
    if (!e_src)
        cf2_check((r.src_access & ACCESS_SYSTEM_SECURITY) == (g_src & ACCESS_SYSTEM_SECURITY),
                  "hSourceFile access 0x%08lx: ACCESS_SYSTEM_SECURITY differs from what CreateFileW grants (0x%08lx)",
                  r.src_access, g_src);
    /* Without the flag: none of it, and the DACL cannot be set. */
    security_copy(t, 0, L"dest2.bin", &r);
    cf2_check(!(r.dst_access & SEC_EXTRA), "without the flag hDestinationFile has 0x%08lx",
              (ULONG)(r.dst_access & SEC_EXTRA));
    cf2_check(!(r.src_access & ACCESS_SYSTEM_SECURITY), "without the flag hSourceFile has ACCESS_SYSTEM_SECURITY");
    cf2_check(r.get_dacl != ERROR_SUCCESS || r.set_dacl == ERROR_ACCESS_DENIED,
              "without the flag SetSecurityInfo(DACL) on hDestinationFile gave %lu, expected ERROR_ACCESS_DENIED",
              r.set_dacl);
}

/* 2.2: DONT_REQUEST_DEST_WRITE_DAC: the destination handle has no WRITE_DAC,
 * alone and with REQUEST_SECURITY_PRIVILEGES (which still adds WRITE_OWNER
 * where granted). */
void flags_dont_request_dest_write_dac(struct cf2_ctx *t)
{
    DWORD e_dst;
    ULONG g_dst = granted_access(t, GENERIC_WRITE | SEC_EXTRA, &e_dst);
    struct rec r;
    security_copy(t, COPY_FILE_REQUEST_SECURITY_PRIVILEGES | COPY_FILE_DONT_REQUEST_DEST_WRITE_DAC, L"dest1.bin", &r);
    cf2_check(!(r.dst_access & WRITE_DAC), "REQUEST_SECURITY_PRIVILEGES|DONT_REQUEST_DEST_WRITE_DAC: "
              "hDestinationFile has WRITE_DAC (0x%08lx)", r.dst_access);
    if (!e_dst)
        cf2_check((r.dst_access & WRITE_OWNER) == (g_dst & WRITE_OWNER),
                  "hDestinationFile access 0x%08lx: WRITE_OWNER differs from what CreateFileW grants (0x%08lx)",
                  r.dst_access, g_dst);
    cf2_check(r.get_dacl != ERROR_SUCCESS || r.set_dacl == ERROR_ACCESS_DENIED,
              "SetSecurityInfo(DACL) without WRITE_DAC gave %lu, expected ERROR_ACCESS_DENIED", r.set_dacl);
    security_copy(t, COPY_FILE_DONT_REQUEST_DEST_WRITE_DAC, L"dest2.bin", &r);
    cf2_check(!(r.dst_access & SEC_EXTRA), "DONT_REQUEST_DEST_WRITE_DAC alone: hDestinationFile has 0x%08lx",
              (ULONG)(r.dst_access & SEC_EXTRA));
}

/* ================================================================ accepted no-op flags */

/* Two recordings are the same apart from the handles. */
static void normalize(COPYFILE2_MESSAGE *m)
{
    switch (m->Type) {
    case COPYFILE2_CALLBACK_CHUNK_STARTED:
        m->Info.ChunkStarted.hSourceFile = m->Info.ChunkStarted.hDestinationFile = NULL;
        break;
    case COPYFILE2_CALLBACK_CHUNK_FINISHED:
        m->Info.ChunkFinished.hSourceFile = m->Info.ChunkFinished.hDestinationFile = NULL;
        break;
    case COPYFILE2_CALLBACK_STREAM_STARTED:
        m->Info.StreamStarted.hSourceFile = m->Info.StreamStarted.hDestinationFile = NULL;
        break;
    case COPYFILE2_CALLBACK_STREAM_FINISHED:
        m->Info.StreamFinished.hSourceFile = m->Info.StreamFinished.hDestinationFile = NULL;
        break;
    default: break;
    }
}

static void expect_same_messages(const struct rec *a, const struct rec *b, const char *what)
{
    cf2_check(a->n == b->n, "%s: %u messages, %u without the flag", what, b->n, a->n);
    for (unsigned i = 0; i < a->n && i < REC_MAX; i++) {
        COPYFILE2_MESSAGE x = a->msgs[i].m, y = b->msgs[i].m;
        normalize(&x);
        normalize(&y);
        cf2_check(!memcmp(&x, &y, sizeof x), "%s: message %u (%s) differs from the one without the flag (%s)", what,
                  i, cf2_type_name(y.Type), cf2_type_name(x.Type));
    }
}

/* flags.md / 9.15: an accepted no-op flag (param) copies exactly as no flag
 * does: same bytes, attributes, last-write time and progress messages. */
void flags_noop(struct cf2_ctx *t)
{
    const DWORD flag = (DWORD)CF2_PARAM(t);
    const ULONGLONG size = 2 * MiB + 3333;
    const WCHAR *src = make_source(t, L"source.bin", size);
    cf2_set_attrs(src, FILE_ATTRIBUTE_ARCHIVE);
    struct rec plain, with;
    rec_init(&plain, 0);
    rec_init(&with, 1);
    COPYFILE2_EXTENDED_PARAMETERS p = rec_v1(0, &plain);
    cf2_expect_ok(cf2_call(src, cf2_path(t, L"plain.bin"), &p), "no flag");
    char what[64];
    snprintf(what, sizeof what, "flag 0x%08lx", flag);
    p = rec_v1(flag, &with);
    cf2_expect_ok(cf2_call(src, cf2_path(t, L"with.bin"), &p), what);
    cf2_expect_pattern(cf2_path(t, L"with.bin"), size, SRC_SEED);
    expect_sequence(&with, size, 1 * MiB, 0, chunk_flags_for(flag, 0, size), what);
    expect_same_messages(&plain, &with, what);
    expect_same_time(src, cf2_path(t, L"with.bin"));
    DWORD a = GetFileAttributesW(cf2_path(t, L"plain.bin")), b = GetFileAttributesW(cf2_path(t, L"with.bin"));
    cf2_check(a == b, "%s: attributes 0x%lx, without the flag 0x%lx", what, b, a);
    /* over an existing file, and FAIL_IF_EXISTS keeps its meaning */
    p = cf2_v1(flag);
    cf2_expect_ok(cf2_call(src, cf2_path(t, L"plain.bin"), &p), what);
    cf2_expect_pattern(cf2_path(t, L"plain.bin"), size, SRC_SEED);
    p = cf2_v1(flag | COPY_FILE_FAIL_IF_EXISTS);
    cf2_expect_err(cf2_call(src, cf2_path(t, L"plain.bin"), &p), ERROR_FILE_EXISTS, "with FAIL_IF_EXISTS");
}

/* flags.md (NO_OFFLOAD, ENABLE_LOW_FREE_SPACE_MODE, V2 DISABLE_BLOCK_CLONING):
 * each turns the in-kernel copy path off: every CHUNK_FINISHED.dwFlags is 0,
 * the bytes and the rest of every message are as without the flag.  Without
 * any of them, dwFlags is COPYFILE2_MESSAGE_COPY_OFFLOAD on every chunk where
 * the platform has that path (Wine on Linux, x86-64), else 0. */
static void kernel_copy_switch(struct cf2_ctx *t, DWORD flags, DWORD v2)
{
    const ULONGLONG size = 3 * MiB + 1;
    const WCHAR *src = make_source(t, L"source.bin", size);
    cf2_note("in-kernel copy path on this platform: %s",
             cf2_flags_platform_kernel_copy() ? "yes (Wine on Linux, x86-64)" : "no");
    struct rec plain, with;
    rec_init(&plain, 0);
    rec_init(&with, 1);
    COPYFILE2_EXTENDED_PARAMETERS_V2 p = rec_v2(0, &plain);
    cf2_expect_ok(cf2_call(src, cf2_path(t, L"plain.bin"), &p), "no flag");
    cf2_expect_pattern(cf2_path(t, L"plain.bin"), size, SRC_SEED);
    expect_sequence(&plain, size, 1 * MiB, 0, chunk_flags_for(0, 0, size), "no flag");
    if (flags == 0 && v2 == 0)
        return;
    char what[64];
    snprintf(what, sizeof what, "flags 0x%lx, V2 flags 0x%lx", flags, v2);
    p = rec_v2(flags, &with);
    p.dwCopyFlagsV2 = v2;
    cf2_expect_ok(cf2_call(src, cf2_path(t, L"with.bin"), &p), what);
    cf2_expect_pattern(cf2_path(t, L"with.bin"), size, SRC_SEED);
    expect_sequence(&with, size, 1 * MiB, 0, 0, what);
    expect_same_time(src, cf2_path(t, L"with.bin"));
    /* apart from dwFlags, the same messages */
    for (unsigned i = 0; i < plain.n && i < REC_MAX; i++)
        if (plain.msgs[i].m.Type == COPYFILE2_CALLBACK_CHUNK_FINISHED)
            plain.msgs[i].m.Info.ChunkFinished.dwFlags = 0;
    expect_same_messages(&plain, &with, what);
}

void flags_kernel_copy_default(struct cf2_ctx *t)
{
    kernel_copy_switch(t, 0, 0);
}

void flags_no_offload(struct cf2_ctx *t)
{
    kernel_copy_switch(t, COPY_FILE_NO_OFFLOAD, 0);
}

void flags_enable_low_free_space_mode(struct cf2_ctx *t)
{
    kernel_copy_switch(t, COPY_FILE_ENABLE_LOW_FREE_SPACE_MODE, 0);
}

void flags_v2_disable_block_cloning(struct cf2_ctx *t)
{
    kernel_copy_switch(t, 0, COPY_FILE2_V2_DISABLE_BLOCK_CLONING);
}

void flags_no_offload_and_disable_block_cloning(struct cf2_ctx *t)
{
    kernel_copy_switch(t, COPY_FILE_NO_OFFLOAD, COPY_FILE2_V2_DISABLE_BLOCK_CLONING);
}

/* ================================================================ RESTARTABLE, RESUME_FROM_PAUSE */

/* 2.2/7.1: an uninterrupted RESTARTABLE copy is a plain copy: exact bytes,
 * exact size (no restart data left), last-write time and attributes. */
void flags_restartable_plain(struct cf2_ctx *t)
{
    const ULONGLONG sizes[] = { 0, 1, 4097, 3 * MiB + 77 };
    const WCHAR *dst = cf2_path(t, L"dest.bin");
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        const WCHAR *src = make_source(t, L"source.bin", sizes[i]);
        struct rec r;
        rec_init(&r, 0);
        COPYFILE2_EXTENDED_PARAMETERS p = rec_v1(COPY_FILE_RESTARTABLE, &r);
        char what[64];
        snprintf(what, sizeof what, "RESTARTABLE, %llu bytes", sizes[i]);
        cf2_expect_ok(cf2_call(src, dst, &p), what);
        cf2_expect_pattern(dst, sizes[i], SRC_SEED);
        expect_same_time(src, dst);
        expect_sequence(&r, sizes[i], 1 * MiB, 0, chunk_flags_for(COPY_FILE_RESTARTABLE, 0, sizes[i]), what);
    }
    /* over a larger file, and a read-only source */
    cf2_make_file(dst, 7 * MiB + 1, OLD_SEED);
    const WCHAR *src = make_source(t, L"source.bin", 1 * MiB + 1);
    cf2_set_attrs(src, FILE_ATTRIBUTE_READONLY);
    COPYFILE2_EXTENDED_PARAMETERS p = cf2_v1(COPY_FILE_RESTARTABLE);
    cf2_expect_ok(cf2_call(src, dst, &p), "RESTARTABLE over a larger file, read-only source");
    cf2_expect_pattern(dst, 1 * MiB + 1, SRC_SEED);
    cf2_check(GetFileAttributesW(dst) & FILE_ATTRIBUTE_READONLY, "the copy is not read-only");
}

/* 2.2: RESUME_FROM_PAUSE with no destination copies the whole file. */
void flags_resume_from_pause_missing_destination(struct cf2_ctx *t)
{
    const ULONGLONG size = 2 * MiB + 99;
    const WCHAR *src = make_source(t, L"source.bin", size), *dst = cf2_path(t, L"dest.bin");
    struct rec r;
    rec_init(&r, 0);
    COPYFILE2_EXTENDED_PARAMETERS p = rec_v1(COPY_FILE_RESUME_FROM_PAUSE, &r);
    cf2_expect_ok(cf2_call(src, dst, &p), "RESUME_FROM_PAUSE, no destination");
    cf2_expect_pattern(dst, size, SRC_SEED);
    expect_same_time(src, dst);
    expect_sequence(&r, size, 1 * MiB, 0, chunk_flags_for(COPY_FILE_RESUME_FROM_PAUSE, 0, size), "RESUME_FROM_PAUSE, no destination: the whole file");
}

/* 2.2: RESUME_FROM_PAUSE over a plain file (no restart data: smaller, same
 * size, larger, or an earlier complete copy) copies the whole file. */
void flags_resume_from_pause_plain_existing(struct cf2_ctx *t)
{
    const ULONGLONG size = 2 * MiB + 99;
    const WCHAR *src = make_source(t, L"source.bin", size), *dst = cf2_path(t, L"dest.bin");
    const ULONGLONG old_sizes[] = { 1000, size, 5 * MiB };
    for (int i = 0; i < 4; i++) {
        if (i < 3)
            cf2_make_file(dst, old_sizes[i], OLD_SEED);
        /* i == 3: the complete copy made by the previous round */
        struct rec r;
        rec_init(&r, 0);
        COPYFILE2_EXTENDED_PARAMETERS p = rec_v1(COPY_FILE_RESUME_FROM_PAUSE, &r);
        char what[96];
        snprintf(what, sizeof what, "RESUME_FROM_PAUSE over a plain %llu-byte file", i < 3 ? old_sizes[i] : size);
        cf2_expect_ok(cf2_call(src, dst, &p), what);
        cf2_expect_pattern(dst, size, SRC_SEED);
        expect_same_time(src, dst);
        expect_sequence(&r, size, 1 * MiB, 0, chunk_flags_for(COPY_FILE_RESUME_FROM_PAUSE, 0, size), what);
    }
}

/* 2.2: FAIL_IF_EXISTS with RESUME_FROM_PAUSE (param; or RESTARTABLE, flags.md)
 * fails only when the existing destination has no valid restart header: a
 * plain file gives ERROR_FILE_EXISTS and stays; a paused copy resumes; no
 * destination is a new copy. */
void flags_fail_if_exists_with_resume(struct cf2_ctx *t)
{
    const DWORD resume = (DWORD)CF2_PARAM(t);
    const ULONGLONG size = 4 * MiB + 3;
    const WCHAR *src = make_source(t, L"source.bin", size), *dst = cf2_path(t, L"dest.bin");
    cf2_make_file(dst, size, OLD_SEED);
    struct cf2_fp old = cf2_fp_take(dst);
    COPYFILE2_EXTENDED_PARAMETERS p = cf2_v1(COPY_FILE_FAIL_IF_EXISTS | resume);
    cf2_expect_err(cf2_call(src, dst, &p), ERROR_FILE_EXISTS, "FAIL_IF_EXISTS|resume over a plain file");
    cf2_expect_unchanged(dst, &old, "the existing destination");
    DeleteFileW(dst);
    /* a paused copy (paused with the same kind of copy) resumes */
    pause_then_resume(t, src, dst, size, resume == COPY_FILE_RESTARTABLE ? COPY_FILE_RESTARTABLE : 0,
                      COPY_FILE_FAIL_IF_EXISTS | resume, 1, "FAIL_IF_EXISTS|resume over a paused copy");
    /* the finished copy has no header: FAIL_IF_EXISTS again */
    old = cf2_fp_take(dst);
    cf2_expect_err(cf2_call(src, dst, &p), ERROR_FILE_EXISTS, "FAIL_IF_EXISTS|resume over a finished copy");
    cf2_expect_unchanged(dst, &old, "the finished copy");
    /* no destination: a new copy */
    const WCHAR *dst2 = cf2_path(t, L"dest2.bin");
    cf2_expect_ok(cf2_call(src, dst2, &p), "FAIL_IF_EXISTS|resume, no destination");
    cf2_expect_pattern(dst2, size, SRC_SEED);
}

/* ================================================================ V2 */

/* 3.1 / flags.md: dwSize selects V2: an ioDesiredSize (and a
 * pProgressRoutineOld) in the tail of a V1-sized structure is not read. */
void flags_v2_dwsize_selects_v2(struct cf2_ctx *t)
{
    const ULONGLONG size = 300000;
    const WCHAR *src = make_source(t, L"source.bin", size);
    struct rec r;
    rec_init(&r, 0);
    COPYFILE2_EXTENDED_PARAMETERS_V2 p = rec_v2(0, &r);
    p.ioDesiredSize = 65536;
    cf2_expect_ok(cf2_call(src, cf2_path(t, L"v2.bin"), &p), "V2, ioDesiredSize 65536");
    cf2_expect_pattern(cf2_path(t, L"v2.bin"), size, SRC_SEED);
    expect_sequence(&r, size, 65536, 0, 0, "V2 dwSize: chunks of ioDesiredSize");
    p = rec_v2(0, &r);
    p.dwSize = sizeof(COPYFILE2_EXTENDED_PARAMETERS);
    p.ioDesiredSize = 65536;
    p.dwCopyFlagsV2 = 0x80000000u; /* rejected if it were read */
    p.reserved[0] = &r;            /* likewise */
    cf2_expect_ok(cf2_call(src, cf2_path(t, L"v1.bin"), &p), "V1 dwSize with V2 fields set after it");
    cf2_expect_pattern(cf2_path(t, L"v1.bin"), size, SRC_SEED);
    expect_sequence(&r, size, 1 * MiB, 0, 0, "V1 dwSize: the default chunk, ioDesiredSize not read");
}

/* 3.2: DONT_COPY_JUNCTIONS with a source that is no junction copies it. */
void flags_v2_dont_copy_junctions_plain_file(struct cf2_ctx *t)
{
    const ULONGLONG size = 1 * MiB + 11;
    const WCHAR *src = make_source(t, L"source.bin", size), *dst = cf2_path(t, L"dest.bin");
    struct rec r;
    rec_init(&r, 0);
    COPYFILE2_EXTENDED_PARAMETERS_V2 p = rec_v2(0, &r);
    p.dwCopyFlagsV2 = COPY_FILE2_V2_DONT_COPY_JUNCTIONS;
    cf2_expect_ok(cf2_call(src, dst, &p), "DONT_COPY_JUNCTIONS, plain file");
    cf2_expect_pattern(dst, size, SRC_SEED);
    expect_same_time(src, dst);
    expect_sequence(&r, size, 1 * MiB, 0, chunk_flags_for(0, COPY_FILE2_V2_DONT_COPY_JUNCTIONS, size), "DONT_COPY_JUNCTIONS, plain file");
    /* a folder with COPY_FILE_DIRECTORY too */
    cf2_mkdir(cf2_path(t, L"dir"));
    p = rec_v2(COPY_FILE_DIRECTORY, &r);
    p.dwCopyFlagsV2 = COPY_FILE2_V2_DONT_COPY_JUNCTIONS;
    cf2_expect_ok(cf2_call(cf2_path(t, L"dir"), cf2_path(t, L"dir2"), &p), "DONT_COPY_JUNCTIONS, plain folder");
    cf2_check(GetFileAttributesW(cf2_path(t, L"dir2")) & FILE_ATTRIBUTE_DIRECTORY, "the folder was not created");
}

/* flags.md: DONT_COPY_JUNCTIONS with a junction source: ERROR_NOT_SUPPORTED
 * (an ERROR message with phase PREPARE_SOURCE), nothing created. */
void flags_v2_dont_copy_junctions_junction(struct cf2_ctx *t)
{
    char why[256];
    const WCHAR *target = cf2_path(t, L"target"), *j = cf2_path(t, L"junction");
    cf2_mkdir(target);
    cf2_make_file(cf2_path(t, L"target\\inside.bin"), 100, SRC_SEED);
    cf2_mkdir(j);
    if (!make_junction(j, target, why, sizeof why))
        cf2_skip("%s", why);
    const DWORD flags[] = { 0, COPY_FILE_DIRECTORY };
    for (int i = 0; i < 2; i++) {
        struct rec r;
        rec_init(&r, 0);
        COPYFILE2_EXTENDED_PARAMETERS_V2 p = rec_v2(flags[i], &r);
        p.dwCopyFlagsV2 = COPY_FILE2_V2_DONT_COPY_JUNCTIONS;
        cf2_expect_err(cf2_call(j, cf2_path(t, L"dest"), &p), ERROR_NOT_SUPPORTED, "DONT_COPY_JUNCTIONS, junction");
        cf2_expect_absent(cf2_path(t, L"dest"));
        int e = rec_first(&r, COPYFILE2_CALLBACK_ERROR);
        cf2_check(e >= 0 && r.msgs[e].m.Info.Error.CopyPhase == COPYFILE2_PHASE_PREPARE_SOURCE &&
                      r.msgs[e].m.Info.Error.hrFailure == HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED),
                  "no ERROR message with PREPARE_SOURCE / ERROR_NOT_SUPPORTED");
    }
    RemoveDirectoryW(j); /* the junction itself, not its target */
}

/* 3.2 / flags.md: ioDesiredSize (param) is the chunk size of the messages. */
void flags_v2_io_size(struct cf2_ctx *t)
{
    const ULONG io = (ULONG)CF2_PARAM(t);
    const ULONGLONG size = io <= 4096 ? 100 * KiB + 7 : io <= 65536 ? 1 * MiB + 100 : 7 * MiB + 1;
    const WCHAR *src = make_source(t, L"source.bin", size), *dst = cf2_path(t, L"dest.bin");
    struct rec r;
    rec_init(&r, 0);
    COPYFILE2_EXTENDED_PARAMETERS_V2 p = rec_v2(0, &r);
    p.ioDesiredSize = io;
    char what[64];
    snprintf(what, sizeof what, "ioDesiredSize %lu, %llu bytes", io, size);
    cf2_expect_ok(cf2_call(src, dst, &p), what);
    cf2_expect_pattern(dst, size, SRC_SEED);
    expect_sequence(&r, size, io, 0, chunk_flags_for(0, 0, size), what);
}

/* 3.2: ioDesiredRate 1024 KB/s over 2.5 MiB: the copy takes about 2.5 s
 * (average rate within 10%); POLL_CONTINUE comes while it waits, at least
 * every 100 ms (OURS; checked with a margin for a loaded machine). */
void flags_v2_io_rate_average(struct cf2_ctx *t)
{
    const ULONGLONG size = 2 * MiB + 512 * KiB;
    const WCHAR *src = make_source(t, L"source.bin", size), *dst = cf2_path(t, L"dest.bin");
    struct rec r;
    rec_init(&r, 0);
    COPYFILE2_EXTENDED_PARAMETERS_V2 p = rec_v2(0, &r);
    p.ioDesiredRate = 1024;
    double t0 = now_ms();
    struct cf2_res res = cf2_call(src, dst, &p);
    double ms = now_ms() - t0;
    cf2_expect_ok(res, "ioDesiredRate 1024");
    cf2_expect_pattern(dst, size, SRC_SEED);
    double rate = (double)size / 1024.0 / (ms / 1000.0); /* KB/s */
    double max_gap = 0;
    for (unsigned i = 1; i < r.n && i < REC_MAX; i++)
        if (r.msgs[i].ms - r.msgs[i - 1].ms > max_gap)
            max_gap = r.msgs[i].ms - r.msgs[i - 1].ms;
    cf2_note("%llu bytes at 1024 KB/s: %.0f ms, %.1f KB/s; %u POLL_CONTINUE; longest gap between messages %.0f ms",
             size, ms, rate, rec_count(&r, COPYFILE2_CALLBACK_POLL_CONTINUE), max_gap);
    cf2_check(rate >= 1024 * 0.9 && rate <= 1024 * 1.1, "average rate %.1f KB/s, expected 1024 +- 10%%", rate);
    expect_sequence(&r, size, 1 * MiB, 0, chunk_flags_for(0, 0, size), "ioDesiredRate 1024");
    if (!cf2_doc_only) {
        cf2_check(rec_count(&r, COPYFILE2_CALLBACK_POLL_CONTINUE) >= 10, "only %u POLL_CONTINUE in %.0f ms of waiting",
                  rec_count(&r, COPYFILE2_CALLBACK_POLL_CONTINUE), ms);
        cf2_check(max_gap < 400, "%.0f ms without a message while throttled (expected about 100)", max_gap);
    }
}

struct canceller {
    BOOL *flag;
    DWORD delay_ms;
    double set_at;
};

static DWORD WINAPI cancel_later(void *arg)
{
    struct canceller *c = arg;
    Sleep(c->delay_ms);
    c->set_at = now_ms();
    InterlockedExchange((volatile LONG *)c->flag, TRUE);
    return 0;
}

/* flags.md: pfCancel set from another thread while the throttle waits ends
 * the copy with ERROR_REQUEST_ABORTED within 500 ms, destination deleted
 * (param 1: with a progress routine, 0: pfCancel alone). */
void flags_v2_io_rate_cancel(struct cf2_ctx *t)
{
    const BOOL with_routine = CF2_PARAM(t) != 0;
    const ULONGLONG size = 8 * MiB; /* 16 s at 512 KB/s */
    const WCHAR *src = make_source(t, L"source.bin", size), *dst = cf2_path(t, L"dest.bin");
    BOOL cancel = FALSE;
    struct rec r;
    rec_init(&r, 0);
    COPYFILE2_EXTENDED_PARAMETERS_V2 p = with_routine ? rec_v2(0, &r) : cf2_v2(0);
    p.ioDesiredRate = COPYFILE2_IO_RATE_MIN;
    p.pfCancel = &cancel;
    struct canceller c = { &cancel, 800, 0 };
    HANDLE th = CreateThread(NULL, 0, cancel_later, &c, 0, NULL);
    cf2_check(th != NULL, "CreateThread failed: %lu", GetLastError());
    double t0 = now_ms();
    struct cf2_res res = cf2_call(src, dst, &p);
    double end = now_ms();
    WaitForSingleObject(th, INFINITE);
    CloseHandle(th);
    cf2_note("pfCancel set after %.0f ms; the call returned %.0f ms later", c.set_at - t0, end - c.set_at);
    cf2_expect_err(res, ERROR_REQUEST_ABORTED, "pfCancel set while throttled");
    cf2_check(end - c.set_at < 500, "the call returned %.0f ms after pfCancel was set (limit 500)", end - c.set_at);
    cf2_expect_absent(dst);
    if (with_routine)
        cf2_check(rec_count(&r, COPYFILE2_CALLBACK_POLL_CONTINUE) > 0, "no POLL_CONTINUE before the cancel");
}

/* flags.md (ioDesiredRate): the routine's answers are honoured while the
 * throttle waits: CANCEL to a POLL_CONTINUE deletes the destination, STOP keeps
 * it, PAUSE pauses (one STREAM_FINISHED after it) and the copy resumes. */
void flags_v2_io_rate_answers(struct cf2_ctx *t)
{
    const ULONGLONG size = 2 * MiB + 5; /* 4 s at 512 KB/s: the answers end it long before */
    const WCHAR *src = make_source(t, L"source.bin", size);
    const struct { COPYFILE2_MESSAGE_ACTION answer; DWORD error; BOOL kept; const char *name; } runs[] = {
        { COPYFILE2_PROGRESS_CANCEL, ERROR_REQUEST_ABORTED, FALSE, "CANCEL" },
        { COPYFILE2_PROGRESS_STOP, ERROR_REQUEST_ABORTED, TRUE, "STOP" },
        { COPYFILE2_PROGRESS_PAUSE, ERROR_REQUEST_PAUSED, TRUE, "PAUSE" },
    };
    for (int i = 0; i < 3; i++) {
        WCHAR name[32];
        swprintf(name, 32, L"dest%d.bin", i);
        const WCHAR *dst = cf2_path(t, name);
        struct rec r;
        rec_init(&r, 0);
        r.answer_type = COPYFILE2_CALLBACK_POLL_CONTINUE;
        r.answer = runs[i].answer;
        COPYFILE2_EXTENDED_PARAMETERS_V2 p = rec_v2(0, &r);
        p.ioDesiredRate = COPYFILE2_IO_RATE_MIN;
        char what[96];
        snprintf(what, sizeof what, "%s in answer to a POLL_CONTINUE while throttled", runs[i].name);
        double t0 = now_ms();
        cf2_expect_err(cf2_call(src, dst, &p), runs[i].error, what);
        double ms = now_ms() - t0;
        cf2_check(r.answered, "%s: no POLL_CONTINUE came", what);
        cf2_check(ms < 2000, "%s: the call took %.0f ms", what, ms);
        if (runs[i].answer == COPYFILE2_PROGRESS_CANCEL)
            cf2_check(r.n == r.answered, "%s: %u message(s) after CANCEL", what, r.n - r.answered);
        else
            expect_only_stream_finished_after_answer(&r, what);
        cf2_check(cf2_exists(dst) == runs[i].kept, "%s: the destination was %s", what,
                  runs[i].kept ? "deleted" : "kept");
        if (runs[i].answer == COPYFILE2_PROGRESS_PAUSE) {
            p = cf2_v2(COPY_FILE_RESUME_FROM_PAUSE);
            cf2_expect_ok(cf2_call(src, dst, &p), "the paused throttled copy, resumed");
            cf2_expect_pattern(dst, size, SRC_SEED);
            expect_same_time(src, dst);
        }
    }
}

/* 3.2: SourceOplockKeys (set, with keys or all-zero) is accepted and the copy
 * is byte-exact. */
void flags_v2_source_oplock_keys(struct cf2_ctx *t)
{
    const ULONGLONG size = 70000;
    const WCHAR *src = make_source(t, L"source.bin", size);
    COPYFILE2_CREATE_OPLOCK_KEYS keys[2];
    memset(keys, 0, sizeof keys);
    const GUID g1 = { 0x12345678, 0x9abc, 0xdef0, { 1, 2, 3, 4, 5, 6, 7, 8 } };
    const GUID g2 = { 0x87654321, 0x0fed, 0xcba9, { 8, 7, 6, 5, 4, 3, 2, 1 } };
    keys[0].ParentOplockKey = g1;
    keys[0].TargetOplockKey = g2;
    for (int i = 0; i < 2; i++) {
        WCHAR name[32];
        swprintf(name, 32, L"dest%d.bin", i);
        COPYFILE2_EXTENDED_PARAMETERS_V2 p = cf2_v2(0);
        p.SourceOplockKeys = &keys[i];
        cf2_expect_ok(cf2_call(src, cf2_path(t, name), &p), i ? "all-zero SourceOplockKeys" : "SourceOplockKeys set");
        cf2_expect_pattern(cf2_path(t, name), size, SRC_SEED);
    }
    cf2_check(!memcmp(&keys[0].ParentOplockKey, &g1, sizeof g1), "the keys were modified");
}

static LONG old_calls;
static DWORD old_first_reason;
static DWORD CALLBACK count_old(LARGE_INTEGER total, LARGE_INTEGER total_done, LARGE_INTEGER stream,
                                LARGE_INTEGER stream_done, DWORD number, DWORD reason, HANDLE s, HANDLE d,
                                LPVOID ctx)
{
    if (old_calls++ == 0)
        old_first_reason = reason;
    return PROGRESS_CONTINUE;
}

/* 3.2: with both routines set, only pProgressRoutineOld is called. */
void flags_v2_old_routine_precedence(struct cf2_ctx *t)
{
    const ULONGLONG size = 2 * MiB + 1;
    const WCHAR *src = make_source(t, L"source.bin", size), *dst = cf2_path(t, L"dest.bin");
    struct rec r;
    rec_init(&r, 0);
    COPYFILE2_EXTENDED_PARAMETERS_V2 p = rec_v2(0, &r);
    p.pProgressRoutineOld = count_old;
    old_calls = 0;
    old_first_reason = 0xFFFF;
    cf2_expect_ok(cf2_call(src, dst, &p), "both progress routines set");
    cf2_expect_pattern(dst, size, SRC_SEED);
    cf2_check(r.n == 0, "pProgressRoutine was called %u times (first: %s)", r.n, r.n ? cf2_type_name(r.msgs[0].m.Type) : "");
    cf2_check(old_calls > 0, "pProgressRoutineOld was never called");
    cf2_check(old_first_reason == CALLBACK_STREAM_SWITCH, "the first old-style call has reason %lu, expected "
              "CALLBACK_STREAM_SWITCH", old_first_reason);
    cf2_note("pProgressRoutineOld was called %ld times", old_calls);
}

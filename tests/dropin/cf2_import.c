/*
 * cf2_import.c - an ordinary program that calls CopyFile2 from KERNEL32.dll.
 *
 * Built the way any program is (<windows.h>, -lkernel32, none of this
 * project's headers or libraries), so its import table names
 * KERNEL32.dll!CopyFile2; tests/dropin/run.sh checks that with objdump.
 * Under stock Wine 8.0 the process aborts at the first call ("unimplemented
 * function KERNEL32.dll.CopyFile2"): it prints "calling CopyFile2" first and
 * "CopyFile2 returned" after, so the driver can tell where it stopped.
 * Under the drop-in it copies a file with a progress routine and checks the
 * data, the messages and the HRESULT, then FAIL_IF_EXISTS and a cancel.
 *
 *   cf2_import [WORKDIR]   works in WORKDIR\cf2_import_<pid> (default: the temp folder)
 */
#include <windows.h>
#include <string.h>
#include "tcheck.h"

#define FILE_SIZE (3u * 1024u * 1024u + 1234u)

struct trace {
    unsigned magic;
    unsigned count, chunk_started, chunk_finished, stream_started, stream_finished, other;
    COPYFILE2_MESSAGE_TYPE first, last;
    ULONGLONG last_done;
    ULONGLONG total_seen;
    BOOL stream_number_ok, monotonic, pairs_ok, open_chunk;
    COPYFILE2_MESSAGE_ACTION reply_on_chunk_finished;
};

static COPYFILE2_MESSAGE_ACTION CALLBACK progress(const COPYFILE2_MESSAGE *m, PVOID ctx)
{
    struct trace *t = ctx;
    if (t == NULL || t->magic != 0xC0FFEE)
        return COPYFILE2_PROGRESS_CANCEL;       /* wrong context: fail loudly */
    if (t->count == 0)
        t->first = m->Type;
    t->last = m->Type;
    t->count++;
    switch (m->Type) {
    case COPYFILE2_CALLBACK_STREAM_STARTED:
        t->stream_started++;
        if (m->Info.StreamStarted.dwStreamNumber != 1)
            t->stream_number_ok = FALSE;
        t->total_seen = m->Info.StreamStarted.uliTotalFileSize.QuadPart;
        break;
    case COPYFILE2_CALLBACK_CHUNK_STARTED:
        t->chunk_started++;
        if (t->open_chunk)
            t->pairs_ok = FALSE;
        t->open_chunk = TRUE;
        if (m->Info.ChunkStarted.dwStreamNumber != 1)
            t->stream_number_ok = FALSE;
        break;
    case COPYFILE2_CALLBACK_CHUNK_FINISHED:
        t->chunk_finished++;
        if (!t->open_chunk)
            t->pairs_ok = FALSE;
        t->open_chunk = FALSE;
        if (m->Info.ChunkFinished.dwStreamNumber != 1)
            t->stream_number_ok = FALSE;
        if (m->Info.ChunkFinished.uliTotalBytesTransferred.QuadPart <= t->last_done)
            t->monotonic = FALSE;
        t->last_done = m->Info.ChunkFinished.uliTotalBytesTransferred.QuadPart;
        return t->reply_on_chunk_finished;
    case COPYFILE2_CALLBACK_STREAM_FINISHED:
        t->stream_finished++;
        if (m->Info.StreamFinished.dwStreamNumber != 1)
            t->stream_number_ok = FALSE;
        t->last_done = m->Info.StreamFinished.uliTotalBytesTransferred.QuadPart;
        break;
    default:
        t->other++;
        break;
    }
    return COPYFILE2_PROGRESS_CONTINUE;
}

static void trace_init(struct trace *t)
{
    memset(t, 0, sizeof *t);
    t->magic = 0xC0FFEE;
    t->stream_number_ok = t->monotonic = t->pairs_ok = TRUE;
    t->reply_on_chunk_finished = COPYFILE2_PROGRESS_CONTINUE;
}

static BOOL write_file(const WCHAR *path, const unsigned char *data, DWORD size)
{
    HANDLE h = CreateFileW(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    DWORD done = 0;
    BOOL ok;
    if (h == INVALID_HANDLE_VALUE)
        return FALSE;
    ok = WriteFile(h, data, size, &done, NULL) && done == size;
    CloseHandle(h);
    return ok;
}

/* Reads a whole file into a new buffer; *size gets its length. */
static unsigned char *read_file(const WCHAR *path, DWORD *size)
{
    HANDLE h = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    LARGE_INTEGER len;
    unsigned char *buf;
    DWORD done = 0;
    if (h == INVALID_HANDLE_VALUE)
        return NULL;
    if (!GetFileSizeEx(h, &len) || len.QuadPart > 64 * 1024 * 1024) {
        CloseHandle(h);
        return NULL;
    }
    buf = HeapAlloc(GetProcessHeap(), 0, (SIZE_T)len.QuadPart + 1);
    if (buf && !(ReadFile(h, buf, (DWORD)len.QuadPart, &done, NULL) && done == len.QuadPart)) {
        HeapFree(GetProcessHeap(), 0, buf);
        buf = NULL;
    }
    CloseHandle(h);
    *size = done;
    return buf;
}

int main(int argc, char **argv)
{
    WCHAR dir[MAX_PATH], src[MAX_PATH], dst[MAX_PATH], dst2[MAX_PATH];
    COPYFILE2_EXTENDED_PARAMETERS p;
    struct trace t;
    unsigned char *data, *back;
    DWORD size = 0, err;
    HRESULT hr;
    unsigned i;

    t_init();
    if (argc > 1)
        MultiByteToWideChar(CP_ACP, 0, argv[1], -1, dir, MAX_PATH - 40);   /* a work folder */
    else
        GetTempPathW(MAX_PATH - 40, dir);
    if (dir[0] && dir[lstrlenW(dir) - 1] != L'\\')
        lstrcatW(dir, L"\\");
    _snwprintf(dir + lstrlenW(dir), 32, L"cf2_import_%lu", GetCurrentProcessId());
    CHECK(CreateDirectoryW(dir, NULL), "CreateDirectoryW error %lu", GetLastError());
    _snwprintf(src, MAX_PATH, L"%ls\\source.bin", dir);
    _snwprintf(dst, MAX_PATH, L"%ls\\copy.bin", dir);
    _snwprintf(dst2, MAX_PATH, L"%ls\\cancelled.bin", dir);

    data = HeapAlloc(GetProcessHeap(), 0, FILE_SIZE);
    for (i = 0; i < FILE_SIZE; i++)
        data[i] = (unsigned char)(i * 2654435761u >> 13);
    CHECK(write_file(src, data, FILE_SIZE), "could not write the source");

    /* 1. A copy with a progress routine. */
    trace_init(&t);
    memset(&p, 0, sizeof p);
    p.dwSize = sizeof p;
    p.pProgressRoutine = progress;
    p.pvCallbackContext = &t;
    printf("cf2_import: calling CopyFile2\n");
    SetLastError(12345);
    hr = CopyFile2(src, dst, &p);
    err = GetLastError();
    printf("cf2_import: CopyFile2 returned 0x%08lx\n", (unsigned long)hr);
    CHECK(hr == S_OK, "hr 0x%08lx", (unsigned long)hr);
    CHECK(err == 0, "last error %lu after success", err);
    back = read_file(dst, &size);
    CHECK(back != NULL && size == FILE_SIZE, "copy has %lu bytes", size);
    CHECK(back != NULL && size == FILE_SIZE && memcmp(back, data, FILE_SIZE) == 0, "copy differs from the source");
    CHECK(t.first == COPYFILE2_CALLBACK_STREAM_STARTED, "first message %d", (int)t.first);
    CHECK(t.last == COPYFILE2_CALLBACK_STREAM_FINISHED, "last message %d", (int)t.last);
    CHECK(t.stream_started == 1 && t.stream_finished == 1, "stream messages %u/%u", t.stream_started, t.stream_finished);
    CHECK(t.chunk_started >= 1 && t.chunk_started == t.chunk_finished, "chunk messages %u/%u",
          t.chunk_started, t.chunk_finished);
    CHECK(t.pairs_ok, "CHUNK_STARTED and CHUNK_FINISHED do not alternate");
    CHECK(t.monotonic, "uliTotalBytesTransferred does not grow");
    CHECK(t.stream_number_ok, "a message has a stream number other than 1");
    CHECK(t.total_seen == FILE_SIZE, "uliTotalFileSize %llu", (unsigned long long)t.total_seen);
    CHECK(t.last_done == FILE_SIZE, "bytes transferred at the end %llu", (unsigned long long)t.last_done);
    CHECK(t.other == 0, "%u unexpected messages", t.other);
    printf("cf2_import: %u messages (%u chunks)\n", t.count, t.chunk_finished);
    if (back)
        HeapFree(GetProcessHeap(), 0, back);

    /* 2. COPY_FILE_FAIL_IF_EXISTS on the existing copy. */
    trace_init(&t);
    p.dwCopyFlags = COPY_FILE_FAIL_IF_EXISTS;
    hr = CopyFile2(src, dst, &p);
    err = GetLastError();
    CHECK(hr == HRESULT_FROM_WIN32(ERROR_FILE_EXISTS), "FAIL_IF_EXISTS: hr 0x%08lx", (unsigned long)hr);
    CHECK(err == ERROR_FILE_EXISTS, "FAIL_IF_EXISTS: last error %lu", err);

    /* 3. The routine cancels after the first chunk: aborted, destination removed. */
    trace_init(&t);
    t.reply_on_chunk_finished = COPYFILE2_PROGRESS_CANCEL;
    p.dwCopyFlags = 0;
    hr = CopyFile2(src, dst2, &p);
    err = GetLastError();
    CHECK(hr == HRESULT_FROM_WIN32(ERROR_REQUEST_ABORTED), "cancel: hr 0x%08lx", (unsigned long)hr);
    CHECK(err == ERROR_REQUEST_ABORTED, "cancel: last error %lu", err);
    CHECK(t.chunk_finished == 1, "cancel: %u CHUNK_FINISHED messages", t.chunk_finished);
    CHECK(GetFileAttributesW(dst2) == INVALID_FILE_ATTRIBUTES, "cancel: the destination is still there");

    /* 4. No parameters at all, missing source. */
    hr = CopyFile2(L"C:\\no-such-dir-cf2\\none.bin", dst2, NULL);
    CHECK(hr == HRESULT_FROM_WIN32(ERROR_PATH_NOT_FOUND), "missing source: hr 0x%08lx", (unsigned long)hr);

    DeleteFileW(dst2);
    DeleteFileW(dst);
    DeleteFileW(src);
    RemoveDirectoryW(dir);
    HeapFree(GetProcessHeap(), 0, data);
    return t_summary("cf2_import");
}

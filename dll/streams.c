/*
 * streams.c - alternate data streams: which named streams a source has, and
 * their names as paths, so the engine copies them as streams 2..n after the
 * unnamed data stream (stream 1).
 *
 * Wine has no alternate data streams: the stream query fails there (as
 * FindFirstStreamW does, with ERROR_HANDLE_EOF), and a copy has exactly one
 * stream (docs/flags.md).
 */
#include "internal.h"

void cf2_streams_free(struct cf2_streams *s)
{
    for (DWORD i = 0; i < s->count; i++)
        HeapFree(GetProcessHeap(), 0, s->items[i].suffix);
    HeapFree(GetProcessHeap(), 0, s->items);
    ZeroMemory(s, sizeof *s);
}

static BOOL add_stream(struct cf2_streams *s, const WCHAR *name, ULONGLONG size)
{
    /* name is ":name:$DATA"; the path suffix is ":name". */
    size_t len = lstrlenW(name);
    static const WCHAR data_suffix[] = L":$DATA";
    size_t suffix_len = sizeof data_suffix / sizeof data_suffix[0] - 1;
    if (len > suffix_len && lstrcmpiW(name + len - suffix_len, data_suffix) == 0)
        len -= suffix_len;
    if (len <= 1) /* "::$DATA" is the unnamed stream */
        return TRUE;
    if (s->count == s->capacity) {
        DWORD cap = s->capacity ? s->capacity * 2 : 4;
        void *items = s->items
            ? HeapReAlloc(GetProcessHeap(), 0, s->items, cap * sizeof *s->items)
            : HeapAlloc(GetProcessHeap(), 0, cap * sizeof *s->items);
        if (!items)
            return FALSE;
        s->items = items;
        s->capacity = cap;
    }
    WCHAR *suffix = HeapAlloc(GetProcessHeap(), 0, (len + 1) * sizeof(WCHAR));
    if (!suffix)
        return FALSE;
    CopyMemory(suffix, name, len * sizeof(WCHAR));
    suffix[len] = 0;
    s->items[s->count].suffix = suffix;
    s->items[s->count].size = size;
    s->count++;
    s->total += size;
    return TRUE;
}

/* Lists the named data streams of the open source.  Asked through the handle
 * already open (no second open by name, which costs a folder scan under
 * Wine).  A file system without streams (Wine's) gives an empty list, not an
 * error. */
DWORD cf2_streams_list(HANDLE src, struct cf2_streams *s)
{
    ZeroMemory(s, sizeof *s);
    DWORD size = 4096;
    BYTE *info = NULL;
    for (;;) {
        info = HeapAlloc(GetProcessHeap(), 0, size);
        if (!info)
            return ERROR_NOT_ENOUGH_MEMORY;
        if (GetFileInformationByHandleEx(src, FileStreamInfo, info, size))
            break;
        DWORD err = GetLastError();
        HeapFree(GetProcessHeap(), 0, info);
        if (err == ERROR_MORE_DATA && size < (1u << 24)) {
            size *= 4;
            continue;
        }
        if (err == ERROR_HANDLE_EOF || err == ERROR_INVALID_PARAMETER ||
            err == ERROR_INVALID_FUNCTION || err == ERROR_NOT_SUPPORTED ||
            err == ERROR_CALL_NOT_IMPLEMENTED)
            return 0; /* no stream information: one stream */
        return err;
    }
    DWORD err = 0;
    const FILE_STREAM_INFO *entry = (const FILE_STREAM_INFO *)info;
    for (;;) {
        WCHAR name[MAX_PATH + 36];
        DWORD chars = entry->StreamNameLength / sizeof(WCHAR);
        if (chars >= sizeof name / sizeof name[0]) {
            err = ERROR_FILENAME_EXCED_RANGE;
            break;
        }
        CopyMemory(name, entry->StreamName, chars * sizeof(WCHAR));
        name[chars] = 0;
        if (!add_stream(s, name, (ULONGLONG)entry->StreamSize.QuadPart)) {
            err = ERROR_NOT_ENOUGH_MEMORY;
            break;
        }
        if (entry->NextEntryOffset == 0)
            break;
        entry = (const FILE_STREAM_INFO *)((const BYTE *)entry + entry->NextEntryOffset);
    }
    HeapFree(GetProcessHeap(), 0, info);
    if (err)
        cf2_streams_free(s);
    return err;
}

/* path + suffix, in a new heap string (NULL when out of memory). */
WCHAR *cf2_stream_path(const WCHAR *path, const WCHAR *suffix)
{
    size_t a = lstrlenW(path), b = lstrlenW(suffix);
    WCHAR *p = HeapAlloc(GetProcessHeap(), 0, (a + b + 1) * sizeof(WCHAR));
    if (!p)
        return NULL;
    CopyMemory(p, path, a * sizeof(WCHAR));
    CopyMemory(p + a, suffix, (b + 1) * sizeof(WCHAR));
    return p;
}

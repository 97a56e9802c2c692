/*
 * links.c - name grafting: copying a symbolic link or another reparse point
 * itself instead of the data it leads to (COPY_FILE_COPY_SYMLINK,
 * COPY_FILE_OPEN_AND_COPY_REPARSE_POINT), and recognising junctions
 * (COPY_FILE2_V2_DONT_COPY_JUNCTIONS).
 *
 * Wine 8.0 shows no reparse points at all (CreateSymbolicLinkW is a stub that
 * creates nothing, and host symbolic links are followed transparently), so
 * under it every source is an ordinary file; this code acts on Windows and on
 * Wine versions that expose links (docs/flags.md).
 */
#include "internal.h"
#include <winioctl.h>

#ifndef IO_REPARSE_TAG_MOUNT_POINT
#define IO_REPARSE_TAG_MOUNT_POINT 0xA0000003L
#endif
#ifndef IO_REPARSE_TAG_SYMLINK
#define IO_REPARSE_TAG_SYMLINK 0xA000000CL
#endif

/* The reparse tag of an open handle, or 0 when it is not a reparse point. */
DWORD cf2_reparse_tag(HANDLE h)
{
    FILE_ATTRIBUTE_TAG_INFO tag;
    if (!GetFileInformationByHandleEx(h, FileAttributeTagInfo, &tag, sizeof tag))
        return 0;
    if (!(tag.FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT))
        return 0;
    return tag.ReparseTag;
}

BOOL cf2_is_junction_tag(DWORD tag)
{
    return tag == (DWORD)IO_REPARSE_TAG_MOUNT_POINT;
}

BOOL cf2_is_symlink_tag(DWORD tag)
{
    return tag == (DWORD)IO_REPARSE_TAG_SYMLINK;
}

/* Makes `dst` a reparse point with the same data as the open source `src`
 * (a symbolic link to the same target, for a link).  An existing destination
 * is replaced (the link itself, never what it points to) unless fail_if_exists,
 * when any existing name fails with ERROR_FILE_EXISTS. */
DWORD cf2_copy_reparse_point(HANDLE src, const WCHAR *dst, BOOL is_directory,
                             BOOL fail_if_exists, BOOL *created)
{
    DWORD size = MAXIMUM_REPARSE_DATA_BUFFER_SIZE, got = 0;
    BYTE *data = HeapAlloc(GetProcessHeap(), 0, size);
    if (!data)
        return ERROR_NOT_ENOUGH_MEMORY;
    DWORD err = 0;
    if (!DeviceIoControl(src, FSCTL_GET_REPARSE_POINT, NULL, 0, data, size, &got, NULL))
        err = GetLastError();

    if (!err && !fail_if_exists) {
        /* Replace whatever has the name: the link, not its target. */
        DWORD attrs = GetFileAttributesW(dst);
        if (attrs != INVALID_FILE_ATTRIBUTES) {
            if (cf2_is_protected_destination(attrs, FILE_ATTRIBUTE_REPARSE_POINT))
                err = ERROR_ACCESS_DENIED;
            else if (!((attrs & FILE_ATTRIBUTE_DIRECTORY) ? RemoveDirectoryW(dst)
                                                          : DeleteFileW(dst)))
                err = GetLastError();
        }
    }
    HANDLE h = INVALID_HANDLE_VALUE;
    if (!err) {
        if (is_directory && !CreateDirectoryW(dst, NULL))
            err = GetLastError();
        else {
            h = CreateFileW(dst, GENERIC_WRITE, 0, NULL, is_directory ? OPEN_EXISTING : CREATE_NEW,
                            FILE_FLAG_OPEN_REPARSE_POINT | FILE_FLAG_BACKUP_SEMANTICS, NULL);
            if (h == INVALID_HANDLE_VALUE)
                err = GetLastError();
        }
        if (err == ERROR_ALREADY_EXISTS)
            err = ERROR_FILE_EXISTS;
    }
    if (!err) {
        *created = TRUE;
        DWORD unused;
        if (!DeviceIoControl(h, FSCTL_SET_REPARSE_POINT, data, got, NULL, 0, &unused, NULL))
            err = GetLastError();
    }
    if (h != INVALID_HANDLE_VALUE)
        CloseHandle(h);
    HeapFree(GetProcessHeap(), 0, data);
    return err;
}

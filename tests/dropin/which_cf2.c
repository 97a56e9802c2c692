/*
 * which_cf2.c - which CopyFile2 does kernel32.dll give out?
 *
 *   which_cf2 stock    GetProcAddress(kernel32, "CopyFile2") is NULL with
 *                      ERROR_PROC_NOT_FOUND, and kernel32 is Wine's builtin.
 *   which_cf2 dropin   it is ours: the address lies in the module loaded as
 *                      kernel32.dll (GetModuleHandleEx FROM_ADDRESS), whose file
 *                      is system32\kernel32.dll, which is not a Wine builtin image
 *                      and imports kernel32_wine.dll; a forwarded export
 *                      (CreateFileW) lands in kernel32_wine.dll; the program's
 *                      own import of KERNEL32.dll!CopyFile2 is bound to the same
 *                      address; and it behaves as CopyFile2.
 */
#include <windows.h>
#include <string.h>
#include "tcheck.h"

/* Wine marks its builtin PE images with this text at offset 0x40. */
static BOOL is_wine_builtin(HMODULE m)
{
    return memcmp((const char *)m + 0x40, "Wine builtin DLL", 16) == 0;
}

static BOOL imports_dll(HMODULE m, const char *dll)
{
    const BYTE *base = (const BYTE *)m;
    const IMAGE_DOS_HEADER *dos = (const IMAGE_DOS_HEADER *)base;
    const IMAGE_NT_HEADERS *nt = (const IMAGE_NT_HEADERS *)(base + dos->e_lfanew);
    const IMAGE_DATA_DIRECTORY *dir = &nt->OptionalHeader.DataDirectory[IMAGE_DIRECTORY_ENTRY_IMPORT];
    const IMAGE_IMPORT_DESCRIPTOR *d;
    if (dir->VirtualAddress == 0)
        return FALSE;
    for (d = (const IMAGE_IMPORT_DESCRIPTOR *)(base + dir->VirtualAddress); d->Name; d++)
        if (lstrcmpiA((const char *)base + d->Name, dll) == 0)
            return TRUE;
    return FALSE;
}

static HMODULE module_of(const void *addr)
{
    HMODULE m = NULL;
    if (!GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                            (LPCWSTR)addr, &m))
        return NULL;
    return m;
}

static BOOL ends_with_i(const WCHAR *s, const WCHAR *tail)
{
    int n = lstrlenW(s), k = lstrlenW(tail);
    return n >= k && lstrcmpiW(s + n - k, tail) == 0;
}

int main(int argc, char **argv)
{
    HMODULE k32 = GetModuleHandleW(L"kernel32.dll");
    HMODULE orig = GetModuleHandleW(L"kernel32_wine.dll");
    FARPROC p;
    DWORD err;
    WCHAR path[MAX_PATH];

    t_init();
    if (argc != 2 || (strcmp(argv[1], "stock") && strcmp(argv[1], "dropin"))) {
        printf("usage: which_cf2 stock|dropin\n");
        return 2;
    }
    CHECK(k32 != NULL, "no kernel32.dll module");
    GetModuleFileNameW(k32, path, MAX_PATH);
    printf("which_cf2: kernel32.dll is %ls (%s)\n", path, is_wine_builtin(k32) ? "Wine builtin" : "native");

    SetLastError(0xdeadbeef);
    p = GetProcAddress(k32, "CopyFile2");
    err = GetLastError();

    if (strcmp(argv[1], "stock") == 0) {
        CHECK(p == NULL, "stock Wine 8.0 gives CopyFile2 at %p", (void *)p);
        CHECK(err == ERROR_PROC_NOT_FOUND, "last error %lu", err);
        CHECK(is_wine_builtin(k32), "kernel32 is not Wine's builtin");
        CHECK(orig == NULL, "kernel32_wine.dll is loaded without the drop-in");
        return t_summary("which_cf2 stock");
    }

    CHECK(p != NULL, "GetProcAddress(kernel32, CopyFile2) failed, error %lu", err);
    CHECK(module_of((const void *)p) == k32, "CopyFile2 %p is in module %p, kernel32 is %p", (void *)p,
          (void *)module_of((const void *)p), (void *)k32);
    CHECK(ends_with_i(path, L"\\system32\\kernel32.dll"), "kernel32 module file %ls", path);
    CHECK(!is_wine_builtin(k32), "kernel32 is Wine's builtin, not the drop-in");
    CHECK(imports_dll(k32, "kernel32_wine.dll"), "kernel32 does not import kernel32_wine.dll");
    CHECK(orig != NULL && orig != k32, "kernel32_wine.dll module %p", (void *)orig);
    if (orig) {
        CHECK(is_wine_builtin(orig), "kernel32_wine.dll is not Wine's kernel32 image");
        GetModuleFileNameW(orig, path, MAX_PATH);
        CHECK(ends_with_i(path, L"\\system32\\kernel32_wine.dll"), "kernel32_wine module file %ls", path);
    }
    /* Everything else is forwarded: the address is in the original. */
    {
        FARPROC cf = GetProcAddress(k32, "CreateFileW");
        FARPROC cf_orig = orig ? GetProcAddress(orig, "CreateFileW") : NULL;
        CHECK(cf != NULL && module_of((const void *)cf) != k32, "CreateFileW %p is in the proxy", (void *)cf);
        CHECK(cf == cf_orig, "CreateFileW %p, kernel32_wine's %p", (void *)cf, (void *)cf_orig);
        CHECK(GetProcAddress(k32, "CopyFile2NoSuchThing") == NULL && GetLastError() == ERROR_PROC_NOT_FOUND,
              "an unknown name resolves");
    }
    /* The program's own KERNEL32.dll!CopyFile2 import is bound to the same code. */
    CHECK((void *)CopyFile2 == (void *)p, "import bound to %p, GetProcAddress gives %p", (void *)CopyFile2, (void *)p);
    if (p) {
        HRESULT (WINAPI *fn)(PCWSTR, PCWSTR, COPYFILE2_EXTENDED_PARAMETERS *) =
            (HRESULT (WINAPI *)(PCWSTR, PCWSTR, COPYFILE2_EXTENDED_PARAMETERS *))(void *)p;
        COPYFILE2_EXTENDED_PARAMETERS bad;
        memset(&bad, 0, sizeof bad);
        bad.dwSize = 1;
        CHECK(fn(L"a", L"b", &bad) == E_INVALIDARG, "a bad dwSize is not E_INVALIDARG");
        CHECK(fn(L"Z:\\no\\such\\dir\\cf2-src", L"Z:\\no\\such\\dir\\cf2-dst", NULL) ==
              HRESULT_FROM_WIN32(ERROR_PATH_NOT_FOUND), "missing source folder");
    }
    return t_summary("which_cf2 dropin");
}

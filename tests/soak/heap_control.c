/*
 * heap_control.c - the positive control of the heap check (tests/soak/heap-check.sh):
 * a program that misuses the process heap on purpose (a double free and the
 * free of a pointer that was never allocated), so that the check can prove
 * Wine's heap checking is on and its messages are seen before it trusts
 * their absence in the conformance suite's output.
 */
#include <windows.h>
#include <stdio.h>

int main(void)
{
    HANDLE heap = GetProcessHeap();
    char *p = HeapAlloc(heap, 0, 100);
    if (!p)
        return 2;
    HeapFree(heap, 0, p);
    HeapFree(heap, 0, p);                    /* freed twice */
    HeapFree(heap, 0, (void *)(p + 0x10008)); /* never allocated, misaligned */
    printf("heap control: misused the heap twice\n");
    return 0;
}

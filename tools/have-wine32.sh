#!/bin/sh
# Exit 0 when 32-bit Wine can run i386 programs here (wine32:i386 installed).
[ -x /usr/lib/wine/wine ] || [ -e /usr/lib/i386-linux-gnu/wine/i386-unix/ntdll.so ]

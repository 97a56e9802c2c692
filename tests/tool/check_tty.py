#!/usr/bin/env python3
"""Checks cf2copy's progress line in a `script` typescript (tests/tool/run.sh).

    check_tty.py TYPESCRIPT TOTAL UNIT      e.g.  check_tty.py tty.typescript 5.00 MiB

Wine's console (conhost, fed by the Unix tty) re-renders what the program
writes and adds its own escape sequences (cursor hiding, erase to end of
line), so those are allowed between the carriage return and the text.
Passes when the line was redrawn in place at least three times after a
carriage return, once with a rate and a time left, and ends with the final
"100.0% ... done in N s" line.
"""
import re
import sys


def main():
    path, total, unit = sys.argv[1], sys.argv[2], sys.argv[3]
    data = open(path, "rb").read()
    esc = rb"(?:\x1b\[[0-9;?]*[A-Za-z])*"
    of_total = (" of %s %s  " % (total, unit)).encode()
    redraws = re.findall(rb"\r" + esc + rb" *[0-9]+\.[0-9]%  [0-9.]+ (?:B|[KMGT]iB)" + re.escape(of_total), data)
    live = re.search(rb"[0-9.]+ (?:B|[KMGT]iB)/s  [0-9]+:[0-9][0-9] left", data)
    final = re.search(rb"100\.0%  " + re.escape(("%s %s" % (total, unit)).encode()) + re.escape(of_total)
                      + rb".*done in [0-9]+\.[0-9] s", data)
    print("    check_tty: %d redraws after a carriage return; rate and time left: %s; final line: %s"
          % (len(redraws), "yes" if live else "no", "yes" if final else "no"))
    sys.exit(0 if len(redraws) >= 3 and live and final else 1)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Checks the output of `cf2copy --json` (tests/tool/run.sh).

    check_json.py FILE [--size N] [--chunk N] [--first-chunk N]
                       [--status S] [--pause-at N] [--hresult 0x...]

FILE holds what tools/wine-run.sh captured: cf2copy's stdout (one JSON object
per line) and its stderr (plain text lines), in one file.  Lines that start
with '{' must be JSON objects; the others are kept as stderr text.

Asserts the progress protocol as cf2copy reports it (docs/cf2copy.md):
STREAM_STARTED first; then CHUNK_STARTED/CHUNK_FINISHED pairs with chunk
numbers increasing by one (from --first-chunk) and byte counters growing by
each chunk's size; POLL_CONTINUE allowed between messages; STREAM_FINISHED;
then exactly one "result" object, last, whose fields agree with the messages.
Prints one summary line; exits 1 with the reason on the first failure.
"""
import argparse
import json
import re
import sys

HRESULT_OK = "0x00000000"
EXIT_CODES = {"success": 0, "failed": 1, "paused": 3, "cancelled": 4}
STATUS_HRESULT = {"paused": "0x80070BEA", "cancelled": "0x800704D3"}


def fail(msg):
    print("check_json: FAIL: " + msg)
    sys.exit(1)


def need(cond, msg):
    if not cond:
        fail(msg)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--size", type=int, help="the source's size")
    ap.add_argument("--chunk", type=int, help="the chunk size every chunk but the last has")
    ap.add_argument("--first-chunk", type=int, default=0, help="number of the first chunk")
    ap.add_argument("--status", default="success")
    ap.add_argument("--pause-at", type=int, help="--pause-after value: where PAUSE must be")
    ap.add_argument("--hresult", help="expected result HRESULT (0x........)")
    a = ap.parse_args()

    with open(a.file, "rb") as f:
        raw = f.read().decode("utf-8")
    objs, text = [], []
    for n, line in enumerate(raw.splitlines(), 1):
        if line.startswith("{"):
            try:
                o = json.loads(line)
            except ValueError as e:
                fail("line %d is not JSON (%s): %r" % (n, e, line))
            need(isinstance(o, dict) and "type" in o, "line %d: no \"type\"" % n)
            objs.append(o)
        elif line.strip():
            text.append(line)

    need(objs, "no JSON object at all")
    results = [o for o in objs if o["type"] == "result"]
    need(len(results) == 1, "%d result objects, expected 1" % len(results))
    need(objs[-1]["type"] == "result", "the result object is not the last line")
    res, msgs = objs[-1], objs[:-1]

    # ---- the result
    need(res["status"] == a.status, "status %r, expected %r" % (res["status"], a.status))
    need(res["exit_code"] == EXIT_CODES[a.status], "exit_code %r for %s" % (res["exit_code"], a.status))
    hr = res["hresult"]
    need(re.fullmatch(r"0x[0-9A-F]{8}", hr), "hresult %r is not 0x + 8 hex digits" % hr)
    want_hr = a.hresult or (HRESULT_OK if a.status == "success" else STATUS_HRESULT.get(a.status))
    if want_hr:
        need(hr == want_hr.upper().replace("0X", "0x"), "hresult %s, expected %s" % (hr, want_hr))
    hv = int(hr, 16)
    if (hv >> 16) & 0x1FFF == 7:  # FACILITY_WIN32
        need(res["win32"] == hv & 0xFFFF, "win32 %r does not match hresult %s" % (res["win32"], hr))
    if a.status == "success":
        need(res["win32"] == 0, "win32 %r on success" % res["win32"])
    for k in ("message", "source", "destination"):
        need(isinstance(res.get(k), str), "result.%s is not a string" % k)
    need(isinstance(res.get("elapsed_ms"), int), "result.elapsed_ms missing")
    if a.status == "paused":
        need("--resume" in res.get("resume_command", ""), "paused result without a resume_command")
        need("--pause-after" not in res["resume_command"], "resume_command keeps --pause-after")

    # ---- the messages
    for m in msgs:
        need(m["type"] in ("stream_started", "chunk_started", "chunk_finished",
                           "stream_finished", "poll_continue", "error"),
             "unexpected message type %r" % m["type"])
        need(m.get("action") in ("continue", "pause", "cancel"), "bad action in %r" % m)
    times = [m["elapsed_ms"] for m in msgs]
    need(times == sorted(times), "elapsed_ms goes backwards")

    seq = [m for m in msgs if m["type"] != "poll_continue"]
    polls = len(msgs) - len(seq)
    errors = [m for m in msgs if m["type"] == "error"]
    if a.status == "failed":
        # A failure is reported by an ERROR message with the same HRESULT;
        # one before the data stream ends the messages there.
        need(errors and errors[-1]["hresult"] == hr, "no error message with hresult %s" % hr)
        need(errors[-1]["win32"] == res["win32"], "error message win32 differs from the result")
        need(errors[-1]["copy_phase"] in ("prepare_source", "prepare_dest", "read_source",
                                          "write_destination"), "bad copy_phase")
        if not any(m["type"] == "stream_started" for m in msgs):
            need(msgs[-1] is errors[-1], "messages after the error")
            print("check_json: ok: failed before the data stream: error in %s, result %s"
                  % (errors[-1]["copy_phase"], hr))
            return
    else:
        need(not errors, "an error message in a copy that did not fail")
    need(seq and seq[0]["type"] == "stream_started", "the first message is not stream_started")
    ss = seq[0]
    need(ss["stream_number"] == 1, "stream_number %r" % ss["stream_number"])
    size = ss["total_file_size"]
    need(ss["stream_size"] == size, "stream_size != total_file_size")
    if a.size is not None:
        need(size == a.size, "total_file_size %d, expected %d" % (size, a.size))
    need(seq[-1]["type"] == "stream_finished", "the last message is not stream_finished")
    sf = seq[-1]

    body = seq[1:-1]
    if body and body[-1]["type"] == "chunk_started" and body[-1]["action"] != "continue":
        body = body[:-1]  # PAUSE or CANCEL answered to a chunk_started: no chunk_finished
    need(len(body) % 2 == 0, "chunk messages do not come in pairs")
    expect_no = a.first_chunk
    done = None
    sizes = []
    pause_msgs = [m for m in msgs if m["action"] == "pause"]
    for i in range(0, len(body), 2):
        cs, cf = body[i], body[i + 1]
        need(cs["type"] == "chunk_started" and cf["type"] == "chunk_finished",
             "pair %d is %s/%s" % (i // 2, cs["type"], cf["type"]))
        need(cs["chunk_number"] == expect_no == cf["chunk_number"],
             "chunk numbers %r/%r, expected %d" % (cs["chunk_number"], cf["chunk_number"], expect_no))
        need(cs["chunk_size"] == cf["chunk_size"] > 0, "chunk sizes differ or are 0")
        for m in (cs, cf):
            need(m["stream_size"] == size and m["total_file_size"] == size, "sizes change")
        if done is None:  # where this run began (after a resume: not 0)
            done = cf["total_bytes_transferred"] - cf["chunk_size"]
            if a.chunk:
                need(done == a.first_chunk * a.chunk, "first chunk starts at %d" % done)
        done += cf["chunk_size"]
        need(cf["total_bytes_transferred"] == done, "total_bytes_transferred %d, expected %d"
             % (cf["total_bytes_transferred"], done))
        need(cf["stream_bytes_transferred"] == done, "stream_bytes_transferred != total")
        # dwFlags: 0, or COPYFILE2_MESSAGE_COPY_OFFLOAD (1) for a chunk the
        # offload path copied.
        need(cf["flags"] in (0, 1), "chunk_finished flags %r" % cf["flags"])
        sizes.append(cf["chunk_size"])
        expect_no += 1
    if a.chunk:
        need(all(s == a.chunk for s in sizes[:-1]), "chunk sizes %r, expected %d" % (sorted(set(sizes)), a.chunk))
        if sizes:
            need(sizes[-1] <= a.chunk, "last chunk larger than %d" % a.chunk)
    need(sf["stream_size"] == size, "stream_finished stream_size")
    need(sf["total_bytes_transferred"] == sf["stream_bytes_transferred"], "stream_finished counters differ")
    if done is not None:
        need(sf["total_bytes_transferred"] == done, "stream_finished total %d, expected %d"
             % (sf["total_bytes_transferred"], done))
    need(res["total_bytes_transferred"] == sf["total_bytes_transferred"],
         "result total_bytes_transferred %r != stream_finished %r"
         % (res["total_bytes_transferred"], sf["total_bytes_transferred"]))

    if a.status == "success":
        need(sf["total_bytes_transferred"] == size, "success but %d of %d bytes"
             % (sf["total_bytes_transferred"], size))
        need(not pause_msgs, "success but a message answered pause")
        need(all(m["action"] == "continue" for m in msgs), "success but not every action is continue")
    if a.status == "paused":
        need(len(pause_msgs) == 1, "%d messages answered pause, expected 1" % len(pause_msgs))
        pm = pause_msgs[0]
        # PAUSE ends the stream: only STREAM_FINISHED follows.
        need(msgs.index(pm) == len(msgs) - 2 and msgs[-1]["type"] == "stream_finished",
             "messages after the pause other than stream_finished")
        if a.pause_at is not None:
            need(pm["type"] == "chunk_finished" and pm["total_bytes_transferred"] >= a.pause_at,
                 "pause at %r, expected a chunk_finished with >= %d bytes" % (pm, a.pause_at))
            earlier = [m for m in msgs if m["type"] == "chunk_finished" and m is not pm]
            need(all(m["total_bytes_transferred"] < a.pause_at for m in earlier),
                 "an earlier chunk already reached %d bytes" % a.pause_at)

    print("check_json: ok: %d chunks (%s), %d poll messages, %d bytes of %d, result %s %s"
          % (len(sizes), ",".join(str(s) for s in sorted(set(sizes))) or "none", polls,
             sf["total_bytes_transferred"], size, res["status"], hr))


if __name__ == "__main__":
    main()

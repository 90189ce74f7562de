#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""tools/ward_protogen.py refuses malformed protocol files (TAP).

    test_protogen.py GENERATOR

Each case is a protocol file that must fail with a message naming what is
wrong, except the first, which must generate both headers.
"""

import os
import subprocess
import sys
import tempfile

GOOD = """protocol t
error BUSY 0x100 busy
op 1 get (key) -> (value)
\tdoc Reads a value.
\terror BUSY
op 2 put (n, words[n]) cap frame:frame -> ()
"""

BAD = [
    ("no protocol line", "op 1 get () -> ()\n", "protocol"),
    ("no operations", "protocol t\n", "at least one"),
    ("label 0", "protocol t\nop 0 get () -> ()\n", "labels are"),
    ("duplicate labels", "protocol t\nop 1 a () -> ()\nop 1 b () -> ()\n", "distinct"),
    ("duplicate names", "protocol t\nop 1 a () -> ()\nop 2 a () -> ()\n", "distinct"),
    ("sparse labels", "protocol t\nop 1 a () -> ()\nop 300 b () -> ()\n", "span"),
    ("array not last", "protocol t\nop 1 a (n, w[n], x) -> ()\n", "last"),
    ("array size unknown", "protocol t\nop 1 a (w[n]) -> ()\n", "earlier"),
    ("unknown cap type", "protocol t\nop 1 a () cap x:widget -> ()\n", "capability type"),
    ("error code below 0x100", "protocol t\nerror BUSY 7 busy\nop 1 a () -> ()\n", "0x100"),
    ("error shadowing a generic one", "protocol t\nerror RANGE 0x100 r\nop 1 a () -> ()\n",
     "0x100"),
    ("unknown error", "protocol t\nop 1 a () -> ()\n\terror NOPE\n", "unknown error"),
    ("reserved name", "protocol t\nop 1 a (ep) -> ()\n", "stubs' own"),
    ("reserved result name", "protocol t\nop 1 a () -> (err)\n", "stubs' own"),
    ("repeated name", "protocol t\nop 1 a (x) -> (x)\n", "distinct"),
    ("garbage", "protocol t\nop 1 a () -> ()\nwhat is this\n", "cannot parse"),
]


def run(generator, text, tmp):
    src = os.path.join(tmp, "t.protocol")
    with open(src, "w") as f:
        f.write(text)
    return subprocess.run([sys.executable, generator, src, os.path.join(tmp, "t.h"),
                           os.path.join(tmp, "t_server.h")], capture_output=True, text=True)


def main():
    generator = sys.argv[1]
    print(f"1..{1 + len(BAD)}")
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        r = run(generator, GOOD, tmp)
        server = open(os.path.join(tmp, "t_server.h")).read() if r.returncode == 0 else ""
        ok = r.returncode == 0 and "t_serve_put(struct ward_request *rq, uint64_t n, " \
            "const uint64_t *words, uint64_t frame)" in server
        failed += not ok
        print(f"{'ok' if ok else 'not ok'} 1 - a well-formed protocol generates its headers")
        for i, (what, text, expect) in enumerate(BAD, 2):
            r = run(generator, text, tmp)
            ok = r.returncode == 1 and expect in r.stderr
            failed += not ok
            if not ok:
                print(f"# exit {r.returncode}, stderr: {r.stderr.strip()}")
            print(f"{'ok' if ok else 'not ok'} {i} - refused: {what}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

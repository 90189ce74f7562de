#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""tools/manifest-check reports every error of a manifest at its place (TAP).

    test_manifest.py TOOLS_DIR [GOOD.toml | DOC.md ...]

Each BAD case is a manifest and the exact errors it must produce, as
(line, column, part of the message); the check must print each one as
FILE:LINE:COLUMN: ... and no other error. Each GOOD manifest (the cases
below, the files given, and the first TOML example of each .md given)
must pass and compile into a module whose
header says what it holds.
"""

import os
import struct
import subprocess
import sys
import tempfile

PROG = '[programs.p]\nmodule = "m"\n'

BAD = [
    ("not TOML", 'a = \n', [(1, 5, "not TOML")]),
    ("unknown top-level key", 'colour = 1\n', [(1, 1, "unknown key 'colour'")]),
    ("unknown key in a program", PROG + 'colour = 1\n', [(3, 1, "unknown key 'colour'")]),
    ("unknown key in a device", '[devices.d]\nsbdf = "00:03.0"\nspeed = 3\n',
     [(3, 1, "unknown key 'speed'")]),
    ("unknown key in [system]", '[system]\n  cores = 2\n', [(2, 3, "unknown key 'cores'")]),
    ("program without a module", '[programs.p]\nargs = ""\n', [(1, 1, "needs 'module'")]),
    ("module missing from the build", '[programs.p]\nmodule = "nope/x"\n',
     [(2, 1, "module 'nope/x' does not exist")]),
    ("reserved program name", '[programs.pci]\nmodule = "m"\n', [(1, 1, "role of the root task")]),
    ("device matched two ways", '[devices.d]\nsbdf = "00:03.0"\nid = "1234:11e8"\n',
     [(1, 1, "exactly one of")]),
    ("device matched no way", '[devices.d]\nindex = 1\n',
     [(1, 1, "exactly one of"), (2, 1, "'index' belongs with")]),
    ("bad SBDF", '[devices.d]\nsbdf = "00:33.0"\n', [(2, 1, "'sbdf' must be")]),
    ("bad ID", '[devices.d]\nid = "1234-11e8"\n', [(2, 1, "'id' must be")]),
    ("bad class", '[devices.d]\nclass = "1"\n', [(2, 1, "'class' must be")]),
    ("device that does not exist",
     '[devices.d]\nsbdf = "00:03.0"\n' + PROG + 'devices = ["d", "e"]\n',
     [(5, 17, "'e' in devices of program 'p' is no device")]),
    ("device given to two programs",
     '[devices.d]\nsbdf = "00:03.0"\n' + PROG + 'devices = ["d"]\n'
     '[programs.q]\nmodule = "m"\ngroups = [\n  "x",\n  "d",\n]\n',
     [(9, 3, "'x' in groups of program 'q' is no device"),
      (10, 3, "device 'd' is given to two programs: 'p' (FILE:5:12) and 'q'")]),
    ("group split across programs",
     '[devices.a]\nsbdf = "02:01.0"\ngroup = "bridge"\n'
     '[devices.b]\nsbdf = "02:02.0"\ngroup = "bridge"\n'
     + PROG + 'devices = ["a"]\n[programs.q]\nmodule = "m"\ndevices = ["b"]\n',
     [(12, 12, "group 'bridge' is split across programs")]),
    ("VF of a PF without SR-IOV",
     '[devices.nvme0]\nclass = "0108"\nsriov = false\n[devices.v]\nvf = 2\nof = "nvme0"\n',
     [(6, 1, "its PF 'nvme0' has no SR-IOV")]),
    ("VF of a device that does not exist", '[devices.v]\nvf = 2\nof = "nvme9"\n',
     [(3, 1, "its PF 'nvme9' is no device")]),
    ("VF of a VF",
     '[devices.pf]\nsbdf = "03:00.0"\n[devices.v]\nvf = 1\nof = "pf"\n[devices.w]\nvf = 1\nof = "v"\n',
     [(8, 1, "is a VF itself")]),
    ("VF without its PF", '[devices.v]\nvf = 2\n', [(2, 1, "'vf' needs 'of'")]),
    ("endpoint of a program that does not exist", PROG + 'uses = ["q.ep"]\n',
     [(3, 9, "no program 'q'")]),
    ("endpoint nobody serves",
     PROG + 'serves = ["a"]\n[programs.q]\nmodule = "m"\nuses = ["p.b"]\n',
     [(6, 9, "serves no endpoint 'b'")]),
    ("DMA quota above the per-program limit", PROG + 'dma = 9\n', [(3, 1, "cannot fit")]),
    ("DMA quotas above the pool",
     '[system]\ndma_pool = 8\n' + PROG + 'dma = 6\n[programs.q]\nmodule = "m"\ndma = 4\n',
     [(8, 1, "add up to 10 MiB")]),
    ("memory that cannot fit", '[system]\nmemory = 128\n' + PROG + 'memory = 64\n',
     [(2, 1, "programs need 64 MiB")]),
    ("CPU the system lacks", '[system]\ncpus = 2\n' + PROG + 'cpu = 2\n',
     [(5, 1, "the system has 2 CPUs")]),
    ("priority out of range", PROG + 'priority = 300\n', [(3, 1, "'priority' must be")]),
    ("wrong type", PROG + 'devices = "d"\n', [(3, 1, "must be a list of strings")]),
    ("name too long for a grant", '[devices.a-very-long-device-name-here]\nsbdf = "00:03.0"\n',
     [(1, 1, "longer than 23")]),
    ("console given twice",
     PROG + 'console = true\n[programs.q]\nmodule = "m"\nconsole = true\n',
     [(6, 1, "the console is given to two programs: 'p' and 'q'")]),
    ("console not a boolean", PROG + 'console = "yes"\n', [(3, 1, "'console' must be true")]),
    ("control not a boolean", PROG + 'control = 1\n', [(3, 1, "'control' must be true")]),
    ("assign_to a program that does not exist", PROG + 'assign_to = ["q"]\n',
     [(3, 14, "'q' in assign_to of program 'p' is no program")]),
    ("assign_to a program without a domain",
     PROG + 'assign_to = ["q"]\n[programs.q]\nmodule = "m"\n',
     [(3, 14, "'q' in assign_to of program 'p' has no domain")]),
    ("every error, not the first",
     PROG + 'colour = 1\ncpu = -1\n[devices.d]\nsbdf = "zz"\n',
     [(3, 1, "unknown key"), (4, 1, "'cpu' must be"), (6, 1, "'sbdf' must be")]),
]

GOOD = [
    ("one driver", '[devices.edu0]\nid = "1234:11e8"\n' + PROG + 'devices = ["edu0"]\n'),
    ("a VF, a group, a monitor and an endpoint",
     '[system]\nmemory = 256\ncpus = 2\n'
     '[devices.nvme0]\nclass = "0108"\nsriov = true\n'
     '[devices.vf2]\nvf = 2\nof = "nvme0"\n'
     '[devices.br]\nsbdf = "02:01.0"\ngroup = "bridge"\n'
     '[programs.drv]\nmodule = "m"\ndevices = ["vf2"]\ngroups = ["br"]\nserves = ["io"]\ndma = 4\n'
     '[programs.mon]\nmodule = "m"\ncpu = 1\nmay_assign = ["br", "vf2"]\nuses = ["drv.io"]\n'),
    ("a console monitor",
     '[devices.edu0]\nid = "1234:11e8"\n' + PROG + 'devices = ["edu0"]\nserves = ["edu"]\n'
     '[programs.mon]\nmodule = "m"\nconsole = true\ncontrol = true\nassign_to = ["p"]\n'
     'uses = ["p.edu"]\n'),
]


def check(tools, path, build):
    r = subprocess.run([sys.executable, os.path.join(tools, "manifest-check"), path,
                        "--build", build], capture_output=True, text=True)
    return r.returncode, [l for l in r.stdout.splitlines() if l.startswith(path + ":")
                          and not l.startswith(path + ": ")]


def main():
    tools = sys.argv[1]
    n = 0
    with tempfile.TemporaryDirectory() as build:
        open(os.path.join(build, "m"), "w").close()
        for name, text, expected in BAD:
            path = os.path.join(build, "case.toml")
            with open(path, "w") as f:
                f.write(text)
            rc, lines = check(tools, path, build)
            problems = [] if rc == 1 else [f"exit status {rc}"]
            for line, col, what in expected:
                what = what.replace("FILE", path)
                prefix = f"{path}:{line}:{col}: "
                if not any(l.startswith(prefix) and what in l for l in lines):
                    problems.append(f"missing {prefix}...{what}")
            if len(lines) != len(expected):
                problems.append(f"{len(lines)} errors, expected {len(expected)}")
            n += 1
            print(f"{'not ok' if problems else 'ok'} {n} - bad: {name}")
            for p in problems + (lines if problems else []):
                print(f"# {p}")
        goods = [(name, text, None) for name, text in GOOD]
        for f in sys.argv[2:]:
            text = open(f).read()
            if f.endswith(".md"):  # its example, written out
                text = text.split("```toml\n", 1)[1].split("```", 1)[0]
                example = os.path.join(build, "example.toml")
                with open(example, "w") as out:
                    out.write(text)
                goods.append((os.path.basename(f) + " example", text, example))
            else:
                goods.append((os.path.basename(f), text, f))
        for name, text, given in goods:
            path = given or os.path.join(build, "good.toml")
            if given is None:
                with open(path, "w") as f:
                    f.write(text)
            out = os.path.join(build, "good.bin")
            r = subprocess.run([sys.executable, os.path.join(tools, "manifest-compile"), path,
                                "-o", out] + (["--build", build] if given is None else []),
                               capture_output=True, text=True)
            ok = r.returncode == 0 and os.path.exists(out)
            if ok:
                blob = open(out, "rb").read()
                magic, version, hsize, total = struct.unpack_from("<IHHI", blob)
                ok = (magic, version, hsize, total) == (0x4E414D57, 1, 48, len(blob))
            n += 1
            print(f"{'ok' if ok else 'not ok'} {n} - good: {name}")
            if not ok:
                print("# " + r.stderr.replace("\n", "\n# "))
            if os.path.exists(out):
                os.unlink(out)
        # The fuzz corpus holds the compiled scenarios: each must be what the
        # compiler makes of its TOML today (regenerate with manifest-compile).
        corpus = os.path.join(os.path.dirname(os.path.realpath(__file__)), "manifest_corpus")
        for f in sys.argv[2:]:
            if not f.endswith(".toml"):
                continue
            kept = os.path.join(corpus, os.path.basename(f)[:-5] + ".wmf")
            out = os.path.join(build, "fresh.wmf")
            subprocess.run([sys.executable, os.path.join(tools, "manifest-compile"), f, "-o", out],
                           capture_output=True)
            same = os.path.exists(kept) and os.path.exists(out) and \
                open(kept, "rb").read() == open(out, "rb").read()
            n += 1
            print(f"{'ok' if same else 'not ok'} {n} - corpus: {os.path.basename(kept)} is"
                  f" {os.path.basename(f)} compiled")
    print(f"1..{n}")


if __name__ == "__main__":
    main()

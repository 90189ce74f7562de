#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Proves the QEMU harness can fail: boots guests that fault, panic and hang,
and checks that tools/ward_qemu.py reports each as a failure with the
kernel's readable report in the log, and that a machine reset (a triple
fault ends the same way) is a failure too. Prints TAP."""

import argparse
import subprocess
import sys


def run_tap(runner, kernel, modules, timeout):
    cmd = [sys.executable, runner, "tap", "--kernel", kernel, "--timeout", str(timeout)]
    for m in modules:
        cmd += ["--module", m]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout + 60).stdout


def failed_line(out, text):
    return any(l.startswith("not ok") and text in l for l in out.splitlines())


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--runner", required=True)
    p.add_argument("--kernel", required=True)
    p.add_argument("--fault-image", required=True)
    p.add_argument("--hang-image", required=True)
    p.add_argument("--not-elf", required=True)
    p.add_argument("--reset-image", required=True)
    a = p.parse_args()
    results = []

    out = run_tap(a.runner, a.kernel, [a.fault_image], 60)
    print("# fault guest:\n" + "\n".join("#   " + l for l in out.splitlines()))
    results.append((failed_line(out, "guest ended with status 0 (fatal user fault)"),
                    "user null dereference: harness reports the guest as failed (fatal user fault)"))
    results.append(("page fault at 0x0000000000000000: not present, read, user mode" in out
                    and "rip " in out and "cr2 " in out and "rax " in out,
                    "user null dereference: kernel report names the vector, CR2, RIP and registers"))
    results.append((failed_line(out, "guest ran all 2 planned tests (ran 1)"),
                    "user null dereference: harness reports the unfinished plan"))

    out = run_tap(a.runner, a.kernel, [a.not_elf], 60)
    print("# non-ELF root module:\n" + "\n".join("#   " + l for l in out.splitlines()))
    results.append((failed_line(out, "kernel panic") and
                    "refused: not a little-endian ELF64 image" in out,
                    "non-ELF root task module: kernel panics with the reason, harness fails it"))

    out = run_tap(a.runner, a.kernel, [a.reset_image], 60)
    print("# resetting guest:\n" + "\n".join("#   " + l for l in out.splitlines()))
    results.append((failed_line(out, "guest ended with status 0 (reset without halting"),
                    "a guest that resets the machine (as a triple fault does): harness fails it"))

    out = run_tap(a.runner, a.kernel, [a.hang_image], 8)
    results.append((failed_line(out, "timed out after 8"),
                    "hanging guest: harness reports a timeout"))

    for n, (ok, name) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {n} - {name}")
    print(f"1..{len(results)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Runs acpi-dump over captured QEMU tables and over corrupted copies.

  run_acpi_dump.py ACPI_DUMP valid DIR...    every *.dat must decode (exit 0)
                                             and show the machine's facts
  run_acpi_dump.py ACPI_DUMP corrupt DIR...  damaged copies must each fail
                                             (exit 1) with the right error

Prints one line per check and a closing 'N passed, N failed' line.
"""

import os
import struct
import subprocess
import sys
import tempfile

# Lines acpi-dump must print for each captured machine (see docs/acpi.md).
FACTS = {
    "q35-intel-iommu": [
        "ECAM: segment 0, buses 00-ff, base 0x00000000b0000000",
        "IOAPIC: ID 0, address 0xfec00000, GSI base 0",
        "2 CPUs, 1 IOAPICs",
        "host address width 39, flags 0x1 (INTR_REMAP)",
        "DRHD: segment 0, register base 0xfed90000, flags 0x0",
        "scope: IOAPIC (type 3), enumeration ID 0, bus ff, path 00.0",
        "scope: PCI bridge (type 2), enumeration ID 0, bus 00, path 01.0",
        "ATSR: segment 0, flags 0x1 (ALL_PORTS)",
    ],
    "q35-amd-iommu": [
        "ECAM: segment 0, buses 00-ff, base 0x00000000b0000000",
        "CPU: APIC ID 3, UID 3, disabled",
        "4 CPUs, 1 IOAPICs",
        "IVHD type 0x10: IOMMU 00:01.0, segment 0, base 0xfed80000",
        "range 01:00.0-01:1f.7, data 0x00",
        "special IOAPIC handle 0, device 00:14.0, data 0x00",
    ],
}

results = {"passed": 0, "failed": 0}


def check(ok, what):
    results["passed" if ok else "failed"] += 1
    print(("ok   " if ok else "FAIL ") + what)


def run(dump, files):
    p = subprocess.run([dump, *files], capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


def tables(directory):
    return sorted(os.path.join(directory, f) for f in os.listdir(directory) if f.endswith(".dat"))


def valid(dump, dirs):
    for d in dirs:
        rc, out = run(dump, tables(d))
        name = os.path.basename(os.path.normpath(d))
        check(rc == 0 and "error:" not in out, f"{name}: all tables valid (exit {rc})")
        for fact in FACTS.get(name, []):
            check(fact in out, f"{name}: prints '{fact}'")
        if rc != 0:
            print(out)


def fix_checksum(data):
    data[9] = 0
    data[9] = (-sum(data[: struct.unpack_from("<I", data, 4)[0]])) & 0xFF


def set_length(data, length):
    struct.pack_into("<I", data, 4, length)
    fix_checksum(data)
    return data[:length]


def damaged(name, data):
    """Yields (label, bytes, expected error text) for one captured table."""
    bad = bytearray(data)
    bad[len(bad) // 2] ^= 0x40
    yield "bad checksum", bad, "checksum mismatch"
    yield "truncated file", data[: len(data) - 4], "runs past the available bytes"
    yield "shorter than a header", data[:20], "shorter than the fixed header"
    longer = bytearray(data)
    struct.pack_into("<I", longer, 4, len(data) + 64)
    yield "length past the file", longer, "runs past the available bytes"
    edits = {  # (offset, bytes) of a sub-table length, or a new length
        "apic.dat": (0x2D, b"\x00"),
        "dmar.dat": (0x32, b"\x00\x00"),
        "ivrs.dat": (0x32, b"\xff\xff"),
        "mcfg.dat": 59,
        "rsdt.dat": 58,
        "facp.dat": 100,
    }
    edit = edits.get(name)
    if isinstance(edit, int):
        yield "header length cut", set_length(bytearray(data), edit), "error:"
    elif edit:
        sub = bytearray(data)
        sub[edit[0] : edit[0] + len(edit[1])] = edit[1]
        fix_checksum(sub)
        yield "bad sub-table length", sub, "sub-table"


def corrupt(dump, dirs):
    with tempfile.TemporaryDirectory(prefix="acpi-dump-") as tmp:
        for d in dirs:
            machine = os.path.basename(os.path.normpath(d))
            for path in tables(d):
                name = os.path.basename(path)
                if name in ("rsdp.dat", "facs.dat", "dsdt.dat"):
                    continue
                with open(path, "rb") as f:
                    data = f.read()
                for i, (label, blob, want) in enumerate(damaged(name, data)):
                    out_path = os.path.join(tmp, f"{machine}-{i}-{name}")
                    with open(out_path, "wb") as f:
                        f.write(blob)
                    rc, out = run(dump, [out_path])
                    check(rc == 1 and want in out, f"{machine}/{name}: {label} rejected")
        good = tables(dirs[0])
        bad = os.path.join(tmp, "bad.dat")
        with open(bad, "wb") as f:
            f.write(b"DMAR\x10\x00\x00\x00")
        rc, out = run(dump, good + [bad])
        check(rc == 1 and "checksum ok" in out and "bad.dat: DMAR: error: buffer shorter" in out,
              "good tables still decoded next to a bad one")
        rc, out = run(dump, [os.path.join(tmp, "missing.dat")])
        check(rc == 1 and "cannot read" in out, "missing file reported")
        rc, _ = run(dump, [])
        check(rc == 2, "no arguments: usage error")


def main():
    dump, mode, dirs = sys.argv[1], sys.argv[2], sys.argv[3:]
    {"valid": valid, "corrupt": corrupt}[mode](dump, dirs)
    print(f"{results['passed']} passed, {results['failed']} failed")
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())

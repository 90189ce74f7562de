#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""The NVMe tests' disk image on the host (stamp format: servers/clients/nvme-demo/stamp.h).

  disk.py make BLOCKS IMAGE            every 512-byte block stamped with its LBA
  disk.py check [--written A:N]... [--written2 A:N]... [--written3 A:N]...
                IMAGE [IMAGE2 [IMAGE3]]
                                       after QEMU: blocks [A, A+N) of IMAGE
                                       (--written2, --written3: of IMAGE2,
                                       IMAGE3) carry the guest's
                                       write stamp, every other block the
                                       runner's; prints TAP comments, exits 1 if
                                       any block is neither
(the image comes last: tools/ward_qemu.py's --disk-prepare and --disk-check
append it)
"""

import struct
import sys
import zlib

BLOCK = 512


def stamp(lba, written):
    magic = b"WARDWRT0" if written else b"WARDBLK0"
    if written:
        body = bytes((lba * 13 + i + 0x5A) & 0xFF for i in range(16, 508))
    else:
        body = bytes((lba * 7 + i) & 0xFF for i in range(16, 508))
    head = magic + struct.pack("<Q", lba) + body
    return head + struct.pack("<I", zlib.crc32(head))


def make(path, blocks):
    with open(path, "wb") as f:
        for lba in range(blocks):
            f.write(stamp(lba, False))


def check(path, written):
    data = open(path, "rb").read()
    blocks = len(data) // BLOCK
    expect_written = set()
    for a, n in written:
        expect_written.update(range(a, a + n))
    bad = 0
    for lba in range(blocks):
        want = stamp(lba, lba in expect_written)
        if data[lba * BLOCK:(lba + 1) * BLOCK] != want:
            got = data[lba * BLOCK:lba * BLOCK + 8]
            print(f"# block {lba}: expected the {'guest' if lba in expect_written else 'runner'}"
                  f"'s stamp, found {got!r}...")
            bad += 1
            if bad > 8:
                break
    print(f"# disk image: {blocks} blocks, {len(expect_written)} written by the guest, "
          f"{bad} wrong")
    return 1 if bad else 0


def main(argv):
    if len(argv) == 3 and argv[0] == "make":
        make(argv[2], int(argv[1]))
        return 0
    if len(argv) >= 2 and argv[0] == "check":
        keys = ("--written", "--written2", "--written3")
        written = {k: [] for k in keys}
        rest = argv[1:]
        while len(rest) >= 2 and rest[0] in written:
            a, n = rest[1].split(":")
            written[rest[0]].append((int(a, 0), int(n, 0)))
            rest = rest[2:]
        if len(rest) not in (1, 2, 3):
            print(__doc__, file=sys.stderr)
            return 2
        status = 0
        for image, key in zip(rest, keys):
            status |= check(image, written[key])
        return status
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

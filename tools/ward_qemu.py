#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Boot Ward under QEMU: machine presets, exit-status decoding, TAP capture.

Used by tools/run (interactive or --timeout) and by the `qemu` test suite
(`tap` mode), so both boot exactly the same machines.

Exit protocol: the kernel writes (status + 1) to QEMU's isa-debug-exit port,
so QEMU exits with ((status + 1) << 1) | 1. Status 0 is success; the kernel
reports 0x7d for a panic and 0x7e for a fatal user fault. QEMU's own errors
exit 1, which no guest status produces.
"""

import argparse
import os
import re
import selectors
import shutil
import subprocess
import sys
import time

TIMEOUT_STATUS = 124
QEMU_ERROR_STATUS = 125
RESET_STATUS = 126
HALT_NAMES = {0x7d: "kernel panic", 0x7e: "fatal user fault"}

BASE_ARGS = [
    "-machine", "q35",
    "-cpu", "max",
    "-m", "256M",
    "-display", "none",
    "-vga", "none",
    "-nodefaults",
    "-no-reboot",
    "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
]

# The PCI topology the PCI server's tests expect (docs/pci.md): four root
# ports; an edu device; a PCIe-to-PCI bridge with two conventional edu
# devices behind it (one requester ID); a two-function edu device; an NVMe
# PF with SR-IOV (QEMU 7.2 needs an nvme-subsys for sriov_max_vfs).
PCI_TOPOLOGY = [
    "-device", "pcie-root-port,id=rp1,chassis=1,slot=1",
    "-device", "pcie-root-port,id=rp2,chassis=2,slot=2",
    "-device", "pcie-root-port,id=rp3,chassis=3,slot=3",
    "-device", "pcie-root-port,id=rp4,chassis=4,slot=4",
    "-device", "edu,bus=rp1",
    "-device", "pcie-pci-bridge,id=pb,bus=rp2",
    "-device", "edu,bus=pb,addr=1",
    "-device", "edu,bus=pb,addr=2",
    "-device", "edu,bus=rp4,addr=0.0,multifunction=on",
    "-device", "edu,bus=rp4,addr=0.1",
    "-device", "nvme-subsys,id=subsys0",
    "-drive", "file={disk},if=none,id=nvm,format=raw",
    "-device", "nvme,serial=ward0,subsys=subsys0,bus=rp3,sriov_max_vfs=4,"
               "sriov_vq_flexible=8,sriov_vi_flexible=4,msix_qsize=16",
    "-device", "nvme-ns,drive=nvm,nsid=1",
]

# The default system's machine (servers/default.toml, tools/run): three
# edu devices (two for the edu drivers, one for the VM monitor's guest),
# and an NVMe PF with SR-IOV behind a root
# port (its own IOMMU group), namespace 1 on {disk}, the PF's alone
# (shared=off: else QEMU attaches it to every VF too, and a guest holding a
# VF could write the PF's disk), namespaces 2 and 3 on {disk2} and {disk3},
# created detached: the PF's driver attaches each to a VF (2 to the VF
# driver's, 3 to the VM monitor's guest's).
SYSTEM_TOPOLOGY = [
    "-device", "edu",
    "-device", "edu",
    "-device", "edu",
    "-device", "pcie-root-port,id=rp1,chassis=1,slot=1",
    "-device", "nvme-subsys,id=subsys0",
    "-drive", "file={disk},if=none,id=nvm,format=raw",
    "-device", "nvme,serial=ward0,subsys=subsys0,bus=rp1,sriov_max_vfs=4,"
               "sriov_vq_flexible=8,sriov_vi_flexible=4,msix_qsize=16",
    "-device", "nvme-ns,drive=nvm,nsid=1,shared=off",
    "-drive", "file={disk2},if=none,id=nvm2,format=raw",
    "-device", "nvme-ns,drive=nvm2,nsid=2,detached=on",
    "-drive", "file={disk3},if=none,id=nvm3,format=raw",
    "-device", "nvme-ns,drive=nvm3,nsid=3,detached=on",
]

# Machine topologies. Each is a description and the devices it adds; the
# IOMMU must come before the devices it translates. "{disk}" (and
# "{disk2}", "{disk3}") stand for a scratch disk image the runner creates, or the
# files --disk-image names.
PRESETS = {
    "default": ("q35 with an Intel IOMMU, which the IOMMU server programs",
                ["-device", "intel-iommu"]),
    "bare": ("q35 without an IOMMU", []),
    "amd": ("q35 with an AMD IOMMU", ["-device", "amd-iommu"]),
    "edu": ("q35 with an Intel IOMMU and one edu device",
            ["-device", "intel-iommu", "-device", "edu"]),
    "iommu": ("q35 with an Intel IOMMU and two edu devices (the IOMMU server's tests)",
              ["-device", "intel-iommu", "-device", "edu", "-device", "edu"]),
    "pci": ("q35, Intel IOMMU, root ports, PCIe-to-PCI bridge, multi-function "
            "device, edu devices, NVMe PF with SR-IOV",
            ["-device", "intel-iommu"] + PCI_TOPOLOGY),
    "pci-amd": ("the pci topology with an AMD IOMMU",
                ["-device", "amd-iommu"] + PCI_TOPOLOGY),
    "system": ("q35, Intel IOMMU, three edu devices, NVMe PF with SR-IOV (namespace 1, and "
               "namespace 2 detached for a VF): the default system's machine",
               ["-device", "intel-iommu"] + SYSTEM_TOPOLOGY),
}


IOMMU_DEVICES = ("intel-iommu", "amd-iommu")


def with_iommu(devices, spec):
    """The preset's devices with its IOMMU replaced by `spec` (a -device
    value such as intel-iommu,aw-bits=48,caching-mode=on); a preset without
    an IOMMU gets it first, since it must precede the devices it translates."""
    if not spec:
        return devices
    out, replaced = [], False
    for i, a in enumerate(devices):
        if i > 0 and devices[i - 1] == "-device" and a.split(",")[0] in IOMMU_DEVICES:
            out.append(spec)
            replaced = True
        else:
            out.append(a)
    return out if replaced else ["-device", spec] + out


def scratch_disk(blocks=2048):
    """A raw image of `blocks` 512-byte blocks (1 MiB by default) for presets
    with a disk; removed when the runner exits."""
    import atexit
    import tempfile
    fd, path = tempfile.mkstemp(prefix="ward-disk-", suffix=".img")
    os.ftruncate(fd, blocks * 512)
    os.close(fd)
    atexit.register(os.unlink, path)
    return path


def disk_command(spec, paths):
    """Runs `spec` (a command line) with the disk images' paths appended
    ({disk}'s, then {disk2}'s and {disk3}'s if the machine names them:
    further images made the same way); returns (exit status, its output lines)."""
    import shlex
    if isinstance(paths, str):
        paths = [paths]
    proc = subprocess.run(shlex.split(spec) + paths, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    return proc.returncode, proc.stdout.splitlines()

TAP_LINE = re.compile(r"^(ok|not ok)\b|^1\.\.\d+|^Bail out!|^# ")
TAP_RESULT = re.compile(r"^(ok|not ok)\b")
TAP_PLAN = re.compile(r"^1\.\.(\d+)")
SOURCE_PREFIX = re.compile(r"^\[([A-Za-z0-9_.-]+)\] ?(.*)$")


def manifest_modules(args):
    """--manifest: the TOML compiled (tools/manifest-compile) into a boot
    module named `manifest` in a scratch directory, then the modules of
    its programs (paths relative to --build), each once."""
    import atexit
    import tempfile
    tools = os.path.dirname(os.path.realpath(__file__))
    build = args.build or os.path.join(tools, "..", "build")
    scratch = tempfile.mkdtemp(prefix="ward-manifest-")
    out = os.path.join(scratch, "manifest")
    atexit.register(shutil.rmtree, scratch, True)
    r = subprocess.run([sys.executable, os.path.join(tools, "manifest-compile"), args.manifest,
                        "-o", out, "--build", build, "--modules"], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(r.stderr.rstrip())
    return [out] + [os.path.join(build, m) for m in r.stdout.split()]


def qemu_command(args):
    qemu = shutil.which("qemu-system-x86_64")
    if qemu is None:
        sys.exit("qemu-system-x86_64 not found: apt-get install qemu-system-x86")
    if args.preset not in PRESETS:
        sys.exit(f"unknown preset '{args.preset}' (tools/run --list-presets)")
    if args.manifest:
        args.module = args.module + manifest_modules(args)
    modules = ",".join(m.replace(",", ",,") for m in args.module)
    devices = with_iommu(PRESETS[args.preset][1], args.iommu)
    args.disk_paths = []
    extra = args.qemu_arg or []
    for i, name in enumerate(("{disk}", "{disk2}", "{disk3}")):
        if any(name in a for a in devices + extra):
            given = args.disk_image[i] if i < len(args.disk_image or []) else None
            fresh = not given or not os.path.exists(given)
            if not given:
                disk = scratch_disk(args.disk_blocks)
            else:
                disk = given  # kept after QEMU exits; made once, of --disk-blocks blocks
                if fresh:
                    with open(given, "wb") as f:
                        f.truncate(args.disk_blocks * 512)
            if args.disk_prepare and fresh:
                rc, lines = disk_command(args.disk_prepare, disk)
                if rc != 0:
                    sys.exit(f"--disk-prepare failed ({rc}): " + " / ".join(lines))
            args.disk_paths.append(disk)
            devices = [a.replace(name, disk) for a in devices]
            extra = [a.replace(name, disk) for a in extra]
    cmd = [qemu] + BASE_ARGS + ["-smp", str(args.smp)] + devices
    cmd += ["-kernel", args.kernel, "-initrd", modules]
    if args.memory:
        cmd += ["-m", args.memory]
    if args.icount:
        cmd += ["-icount", "shift=0,align=off,sleep=off"]
    for pattern in args.trace or []:
        cmd += ["-trace", pattern]
    if args.trace:
        cmd += ["-d", "guest_errors"]
    if args.gdb:
        cmd += ["-s", "-S"]
    cmd += extra
    cmd += args.raw
    return cmd


def decode_exit(rc):
    """Maps QEMU's exit code to (Ward status, description)."""
    if rc == 0:
        # Ward always halts through isa-debug-exit; under -no-reboot a reset
        # (a triple fault, for one) also ends QEMU with 0.
        return RESET_STATUS, "reset without halting (a triple fault, or a reset request)"
    if rc >= 3 and rc & 1:
        status = (rc >> 1) - 1
        return status, HALT_NAMES.get(status, f"halted with status {status}")
    return QEMU_ERROR_STATUS, f"QEMU failed (exit code {rc})"


def write_gdb_script(args):
    elf = os.path.splitext(args.kernel)[0] + ".elf"
    path = os.path.join(os.path.dirname(args.kernel), "ward.gdb")
    with open(path, "w") as f:
        f.write(f"set architecture i386:x86-64\nfile {elf}\ntarget remote :1234\n")
    print(f"QEMU waits for gdb: run `gdb -x {path}` in another terminal", file=sys.stderr)


def run(args):
    cmd = qemu_command(args)
    if args.gdb:
        write_gdb_script(args)
    if args.timeout is None:
        # Interactive: serial and the QEMU monitor multiplexed on the terminal (Ctrl-A X quits).
        rc = subprocess.call(cmd + ["-serial", "mon:stdio"])
        if rc == 0:  # Ctrl-A X, or a reset: whoever watches saw which
            print("ward: QEMU ended (quit from the monitor, or the machine reset)",
                  file=sys.stderr)
            return 0
        status, what = decode_exit(rc)
        print(f"ward: {what}", file=sys.stderr)
        return status
    result = boot(cmd, args.timeout, sys.stdout.write, args.log)
    print(f"ward: {result[1]}", file=sys.stderr)
    return result[0]


def boot(cmd, timeout, emit, log_path=None):
    """Boots non-interactively; emit(line) gets each serial line. Returns (status, text).

    QEMU's own messages (stderr) are read apart from the serial output and
    passed on as whole lines of their own: merged into one stream, a warning
    could land in the middle of a guest's line and cut a TAP result in two.
    """
    proc = subprocess.Popen(cmd + ["-serial", "stdio"], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    log = open(log_path, "w") if log_path else None
    sel = selectors.DefaultSelector()
    pending = {proc.stdout: b"", proc.stderr: b""}
    prefix = {proc.stdout: "", proc.stderr: "[qemu] "}
    for stream in pending:
        sel.register(stream, selectors.EVENT_READ)

    def put(stream, raw):
        line = prefix[stream] + raw.decode("utf-8", "replace").rstrip("\r")
        if log:
            log.write(line + "\n")
        emit(line + "\n")

    deadline = time.monotonic() + timeout
    timed_out = False
    while sel.get_map():
        left = deadline - time.monotonic()
        if left <= 0:
            timed_out = True
            proc.kill()
            break
        for key, _ in sel.select(min(left, 1.0)):
            chunk = os.read(key.fileobj.fileno(), 65536)
            if not chunk:
                sel.unregister(key.fileobj)
                continue
            pending[key.fileobj] += chunk
            while b"\n" in pending[key.fileobj]:
                raw, pending[key.fileobj] = pending[key.fileobj].split(b"\n", 1)
                put(key.fileobj, raw)
    for stream, rest in pending.items():
        if rest:
            put(stream, rest)
    rc = proc.wait()
    if log:
        log.close()
    if timed_out:
        return TIMEOUT_STATUS, f"timed out after {timeout} s"
    return decode_exit(rc)


class TapFilter:
    """Turns prefixed serial output into TAP: test lines pass through,
    everything else becomes a comment, so the whole serial log lands in
    Meson's test log."""

    def __init__(self, out):
        self.out = out
        self.results = 0
        self.plan = None
        self.failed = 0

    def __call__(self, line):
        line = line.rstrip("\n")
        m = SOURCE_PREFIX.match(line)
        text = m.group(2) if m else line
        if m and TAP_LINE.match(text):
            plan = TAP_PLAN.match(text)
            if plan:
                self.plan = int(plan.group(1))
                self.out.write(f"# guest plan: {text}\n")
                return
            if TAP_RESULT.match(text):
                self.results += 1
                self.failed += text.startswith("not ok")
                # Renumber so the harness can append its own results.
                text = re.sub(r"^(ok|not ok)\s+\d*\s*", lambda r: f"{r.group(1)} {self.results} ", text)
            self.out.write(text + "\n")
        else:
            self.out.write(f"# {line}\n")
        self.out.flush()


def tap(args):
    cmd = qemu_command(args)
    out = sys.stdout
    tapf = TapFilter(out)
    out.write("TAP version 13\n")
    out.write("# " + " ".join(cmd) + "\n")
    status, what = boot(cmd, args.timeout or 60, tapf, args.log)
    n = tapf.results
    checks = []
    if tapf.plan is None:
        checks.append((False, "guest printed a TAP plan"))
    else:
        checks.append((tapf.plan == tapf.results,
                       f"guest ran all {tapf.plan} planned tests (ran {tapf.results})"))
    checks.append((status == args.expect_status,
                   f"guest ended with status {args.expect_status} ({what})"))
    if args.disk_check and args.disk_paths:
        rc, lines = disk_command(args.disk_check, args.disk_paths)
        for line in lines:
            out.write(line if line.startswith("#") else f"# {line}")
            out.write("\n")
        checks.append((rc == 0, "the disk image on the host after QEMU exited passes "
                       "--disk-check"))
    elif args.disk_check:
        checks.append((False, "the preset has a disk image to check"))
    for ok, name in checks:
        n += 1
        out.write(f"{'ok' if ok else 'not ok'} {n} - harness: {name}\n")
    out.write(f"1..{n}\n")
    return 0


def parser():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("mode", choices=["run", "tap", "presets"],
                   help="run: boot (interactive without --timeout); tap: boot and report "
                   "TAP with the harness's own checks; presets: list the machines")
    p.add_argument("--kernel", help="multiboot kernel image (ward-kernel.bin)")
    p.add_argument("--module", action="append", default=[],
                   help="boot module 'PATH [ARGS]'; the first is the root task")
    p.add_argument("--preset", default="default",
                   help="machine topology (default: %(default)s); `presets` lists them")
    p.add_argument("--smp", type=int, default=1, help="number of CPUs (default: 1)")
    p.add_argument("--memory", help="guest RAM, QEMU syntax (default: 256M)")
    p.add_argument("--timeout", type=float,
                   help="seconds before the guest is killed (status 124); makes run "
                   "non-interactive")
    p.add_argument("--icount", action="store_true",
                   help="deterministic guest time: -icount shift=0,align=off,sleep=off "
                   "(the TSC counts guest instructions)")
    p.add_argument("--gdb", action="store_true",
                   help="start stopped with a gdb stub and write a gdb script")
    p.add_argument("--trace", action="append",
                   help="QEMU trace events, e.g. 'vtd_*' (repeatable)")
    p.add_argument("--log", help="also write the serial log to this file")
    p.add_argument("--expect-status", type=int, default=0,
                   help="tap mode: the halt status that counts as success")
    p.add_argument("--qemu-arg", action="append", help="extra QEMU argument")
    p.add_argument("--iommu", help="the IOMMU device for every preset, e.g. "
                   "intel-iommu,aw-bits=48,caching-mode=on")
    p.add_argument("--disk-blocks", type=int, default=2048,
                   help="the scratch disk image's size in 512-byte blocks (presets with a disk)")
    p.add_argument("--disk-image", action="append",
                   help="a file for {disk}, then {disk2}, {disk3}, instead of a scratch image: made "
                   "(of --disk-blocks blocks, then --disk-prepare) only if absent, and kept")
    p.add_argument("--disk-prepare", help="a command run with the scratch image's path "
                   "appended before QEMU starts (e.g. to stamp its blocks)")
    p.add_argument("--disk-check", help="tap mode: a command run with the image's path "
                   "appended after QEMU exits; its exit status 0 is one more harness check")
    p.add_argument("--manifest", help="a system manifest (TOML, docs/manifest.md): compiled into "
                   "the boot module `manifest`, its programs' modules added after --module's")
    p.add_argument("--build", help="--manifest: the build directory its module paths are in "
                   "(default: build/ beside tools/)")
    return p


def parse(argv):
    """The runner's arguments (everything after a lone `--` goes to QEMU unchanged)."""
    raw = argv[argv.index("--") + 1:] if "--" in argv else []
    args = parser().parse_args(argv[:argv.index("--")] if "--" in argv else argv)
    args.raw = raw
    return args


def main():
    args = parse(sys.argv[1:])
    if args.mode == "presets":
        for name, (desc, devices) in PRESETS.items():
            shown = [a for a in devices if a not in ("-device", "-drive")]
            print(f"{name:10} {desc}")
            if shown:
                print(f"{'':10}   devices: {' '.join(shown)}")
        return 0
    if not args.kernel or not args.module:
        parser().error("--kernel and at least one --module are required")
    return run(args) if args.mode == "run" else tap(args)


if __name__ == "__main__":
    sys.exit(main())

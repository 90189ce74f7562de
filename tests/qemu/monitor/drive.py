#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Drives the default system's console monitor as a person would.

Boots `tools/run` (the default system, interactive: the serial line and
QEMU's monitor on stdio), writes commands to the serial line and reads
the replies back, then checks what the monitor's tables say after each
change: the two edu devices owned as the manifest says, a move into
quarantine, a move from one edu driver to the other (whose driver then
drives it: its interrupt count grows), a kill (its device back in
quarantine, the program shown killed), refused commands (one error line
each, nothing changed), DUMP's check, and `halt` ending the machine with
status 0. Prints TAP.
"""
import argparse
import os
import queue
import re
import subprocess
import sys
import threading
import time

LINE = re.compile(r"^\[monitor\] (.*)$")
DEVICE_ROW = re.compile(r"^\s+([0-9a-f]{2}:[0-9a-f]{2}\.[0-7]) ([0-9a-f]{4}:[0-9a-f]{4}) "
                        r"([0-9a-f]{6}) \S+\s+(\S+)\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)$")
PROGRAM_ROW = re.compile(r"^\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(.+)$")
GUEST_ROW = re.compile(r"^\s+(\S+)\s+(\d+)\s+(\d+)\s+(0x[0-9a-f]+)\s+(\d+)\s+(\S+)\s+(\d+)\s+"
                       r"(\w+), (\d+) DMA rounds checked$")
EDU_ID = "1234:11e8"


class Console:
    def __init__(self, cmd, env, log):
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, env=env)
        self.lines = queue.Queue()
        self.log = log
        threading.Thread(target=self.pump, daemon=True).start()

    def pump(self):
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            self.log.write(line + "\n")
            self.log.flush()
            self.lines.put(line)
        self.lines.put(None)

    def until(self, pattern, timeout):
        """The monitor's lines up to the first that matches `pattern` (None: timed out)."""
        got, deadline = [], time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                return None
            if line is None:
                return None
            m = LINE.match(line)
            if m:
                got.append(m.group(1))
                if re.search(pattern, m.group(1)):
                    return got
            if time.monotonic() > deadline:
                return None

    def command(self, text, timeout):
        """Types `text` and Enter; the monitor's lines until its next prompt."""
        self.proc.stdin.write(text.encode() + b"\r")
        self.proc.stdin.flush()
        return self.until(r"^ward>$", timeout) or []


def devices(lines):
    """SBDF -> (id, owner, domain, maps, faults, irqs, class) from the last device table."""
    table = {}
    for line in lines:
        if line == "devices:":
            table = {}
        m = DEVICE_ROW.match(line)
        if m:
            table[m.group(1)] = (m.group(2), m.group(4), m.group(5), int(m.group(6)),
                                 int(m.group(7)), int(m.group(8)), m.group(3))
    return table


def guests(lines):
    """(monitor, guest) -> (device, domain, state, rounds) from the last guest table."""
    table = {}
    for line in lines:
        if line == "guests:":
            table = {}
        m = GUEST_ROW.match(line)
        if m:
            table[(m.group(1), int(m.group(2)))] = (m.group(6), m.group(7), m.group(8),
                                                     int(m.group(9)))
    return table


def programs(lines):
    table = {}
    for line in lines:
        if line == "programs:":
            table = {}
        m = PROGRAM_ROW.match(line)
        if m and m.group(1) != "name" and not DEVICE_ROW.match(line) and \
                not GUEST_ROW.match(line):
            table[m.group(1)] = m.group(5)
    return table


class Tap:
    def __init__(self):
        self.n = self.failed = 0

    def ok(self, cond, what):
        self.n += 1
        self.failed += not cond
        print(f"{'ok' if cond else 'not ok'} {self.n} - {what}", flush=True)
        return cond

    def end(self):
        print(f"1..{self.n}")
        return 1 if self.failed else 0


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--source", required=True, help="the source tree (tools/run is there)")
    p.add_argument("--build", required=True, help="the build directory")
    p.add_argument("--log", required=True, help="where the whole serial log goes")
    a = p.parse_args()
    env = dict(os.environ, WARD_BUILD=a.build)
    tap = Tap()
    with open(a.log, "w") as log:
        con = Console([os.path.join(a.source, "tools", "run")], env, log)
        run(con, tap)
        try:
            status = con.proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            con.proc.kill()
            status = None
    tap.ok(status == 0, f"after `halt` QEMU ended with the system's status 0 (got {status})")
    return tap.end()


def run(con, tap):
    boot = con.until(r"^event: edu-demo \(pid \d+\) exited", 600)
    if not tap.ok(boot is not None, "the default system booted; the demo client ended"):
        return
    boot += con.until(r"^ward>$", 120) or []
    tap.ok(any("Ctrl-A then X" in line for line in boot),
           "a line at start says how to leave QEMU (Ctrl-A X)")
    dev = devices(boot)
    edus = sorted(s for s, d in dev.items() if d[0] == EDU_ID)
    if not tap.ok(len(edus) == 3, f"the status table shows the three edu devices: {edus}"):
        return
    edu0, edu1, edu2 = edus
    tap.ok(dev[edu0][1] == "edu-a" and dev[edu1][1] == "edu-b",
           f"owners as the manifest says: {edu0} {dev[edu0][1]}, {edu1} {dev[edu1][1]}")
    tap.ok(dev[edu0][5] > 0 and dev[edu1][5] > 0 and dev[edu0][3] > 0,
           f"interrupts delivered ({dev[edu0][5]}, {dev[edu1][5]}) and mappings ({dev[edu0][3]})"
           " counted after the demo")
    prog = programs(boot)
    tap.ok(prog.get("edu-demo", "").startswith("exited (status 0)") and
           prog.get("edu-a") == "running" and prog.get("monitor") == "running",
           f"programs: {prog}")
    nvme = {d[1] for d in dev.values() if d[6].startswith("0108")}
    tap.ok({"nvme-pf", "nvme-vf"} <= nvme <= {"nvme-pf", "nvme-vf", "vmm", "quarantine"},
           f"the NVMe PF and VF 1 owned by their drivers (VF 2 by the VM monitor's guest once"
           f" the PF driver has made it): {sorted(nvme)}")
    for _ in range(60):  # the NVMe demos end on their own time
        prog = programs(con.command("list programs", 120))
        if all(prog.get(p, "") != "running" for p in ("nvme-pf-demo", "nvme-vf-demo")):
            break
        time.sleep(2)
    tap.ok(all(prog.get(p, "").startswith("exited (status 0)")
               for p in ("nvme-pf-demo", "nvme-vf-demo")) and
           prog.get("nvme-pf") == "running" and prog.get("nvme-vf") == "running",
           f"both NVMe demos ended with status 0, their drivers serve on: {prog}")
    for _ in range(60):  # the guest runs when CPU 0 has nothing else to do
        out = con.command("guests", 120)
        if guests(out).get(("vmm", 1), ("",) * 3)[2] not in ("booting", "idle", "running"):
            break
        time.sleep(2)
    guest = guests(out).get(("vmm", 1), ("-", "0", "?", 0))
    dev = devices(con.command("list devices", 120))
    vf2 = next((s for s, d in dev.items() if d[6].startswith("0108") and d[1] == "vmm"), "?")
    tap.ok(guest[0] == f"{edu2}+{vf2}" and guest[2] == "passed" and guest[3] >= 4,
           f"the VM monitor's guest 1 drove {edu2} and NVMe VF {vf2} at guest-physical "
           f"addresses: {guest}")
    tap.ok(all(dev.get(s, ("",) * 3)[1] == "vmm" and dev[s][2] == guest[1] and dev[s][5] > 0
               for s in (edu2, vf2)),
           f"the device table agrees: {edu2} and {vf2} owned by vmm, in the guest's domain "
           f"{guest[1]}, interrupts {[dev.get(s, (0,) * 6)[5] for s in (edu2, vf2)]}")
    out = con.command("guest new vmm 2", 300)
    m = next((re.match(r"created guest (\d+) of vmm", line) for line in out
              if line.startswith("created guest")), None)
    tap.ok(m is not None, "guest new vmm 2: a second guest")
    g2 = int(m.group(1)) if m else 2
    out = con.command(f"move {edu2} vmm:{g2}", 300)
    tap.ok(any(f"moved {edu2} to guest {g2} of vmm (from guest 1" in line for line in out),
           f"move {edu2} from guest 1 to guest {g2}, through the console")
    for _ in range(60):
        out = con.command("guests", 120)
        if guests(out).get(("vmm", g2), ("",) * 3)[2] not in ("booting", "idle", "running"):
            break
        time.sleep(2)
    table = guests(out)
    second = table.get(("vmm", g2), ("-", "0", "?", 0))
    tap.ok(second[0] == edu2 and second[2] == "passed" and table.get(("vmm", 1), ("",))[0] == vf2,
           f"guest {g2} drove {edu2} at its GPAs, guest 1 keeps only {vf2}: {table}")
    dev = devices(con.command("list devices", 120))
    tap.ok(dev.get(edu2, ("",) * 3)[2] == second[1] and second[1] != guest[1],
           f"{edu2} is in guest {g2}'s domain {second[1]} now (guest 1's was {guest[1]})")
    out = con.command(f"guest destroy vmm:{g2}", 300)
    dev = devices(con.command("list devices", 120))
    table = guests(con.command("guests", 120))
    tap.ok(any(line.startswith(f"destroyed vmm:{g2}") for line in out) and
           dev.get(edu2, ("",) * 2)[1] == "quarantine" and ("vmm", g2) not in table,
           f"guest destroy vmm:{g2}: gone from the guests, {edu2} back in quarantine")
    tap.ok(all(d[5] > 0 for d in dev.values() if d[6].startswith("0108")),
           "the NVMe PF and VF delivered interrupts (MSI-X through remapping): "
           f"{[d[5] for d in dev.values() if d[6].startswith('0108')]}")

    out = con.command("list programs", 120)
    tap.ok(programs(out).get("edu-b") == "running", "list programs: edu-b running")
    out = con.command(f"move {edu1} quarantine", 300)
    tap.ok(any(f"moved {edu1} to quarantine" in line for line in out), f"move {edu1} quarantine")
    out = con.command("list devices", 120)
    dev = devices(out)
    tap.ok(dev.get(edu1, ("",) * 2)[1] == "quarantine" and dev[edu0][1] == "edu-a",
           f"the table shows {edu1} in quarantine, {edu0} still edu-a's")

    out = con.command(f"move {edu0} edu-b", 300)
    tap.ok(any(f"moved {edu0} to edu-b" in line for line in out) and
           any("edu-b drives it now" in line for line in out),
           f"move {edu0} from edu-a to edu-b: edu-b adopted it")
    out = con.command("status", 120)
    dev = devices(out)
    irqs_before = dev.get(edu0, (0,) * 6)[5]
    tap.ok(dev.get(edu0, ("",) * 2)[1] == "edu-b", f"the table shows {edu0} owned by edu-b")
    out = con.command("ask edu-b", 120)
    tap.ok(any(f"drives {edu0}" in line and "5! = 120" in line for line in out),
           f"edu-b's driver drives {edu0}: 5! by its interrupt")
    out = con.command("ask edu-a", 120)
    tap.ok(any(line.startswith("error:") and "moved away" in line for line in out),
           "edu-a's driver says its device was moved away")
    out = con.command("list devices", 120)
    tap.ok(devices(out).get(edu0, (0,) * 6)[5] > irqs_before,
           f"the interrupt count of {edu0} grew ({irqs_before} -> "
           f"{devices(out).get(edu0, (0,) * 6)[5]})")

    for bad, why in ((f"move {edu1} monitor", "may not place"),
                     (f"move {edu1} vmm:1", "does not let it assign"),
                     (f"move {edu2} vmm:7", "refused"),
                     (f"move {edu1} nobody:1", "no VM monitor"),
                     ("move 7g:00.0 edu-a", "not an SBDF"),
                     ("move 00:1f.7 edu-a", "no such device"),
                     (f"move {edu1} edu-b", "drives " + edu0),
                     ("kill nobody", "no program"),
                     ("frobnicate", "unknown command")):
        out = con.command(bad, 120)
        tap.ok(any(line.startswith("error:") and why in line for line in out),
               f"refused with one error line: `{bad}` ({why})")
    out = con.command("list devices", 120)
    dev = devices(out)
    tap.ok(dev.get(edu0, ("",) * 2)[1] == "edu-b" and dev.get(edu1, ("",) * 2)[1] == "quarantine"
           and dev.get(edu2, ("",) * 2)[1] == "quarantine", "the refusals changed nothing")
    out = con.command("dump", 300)
    tap.ok(any(line.startswith("dump: check passed") for line in out),
           "dump: the tables agree with the server's records")

    out = con.command("kill edu-b", 300)
    tap.ok(any(line.startswith("killed edu-b") for line in out), "kill edu-b")
    event = con.until(r"^ward>$", 300) or []
    if not any("edu-b" in line and "was killed" in line for line in out + event):
        event += con.until(r"^ward>$", 300) or []
    tap.ok(any("edu-b" in line and "was killed" in line for line in out + event),
           "the monitor reports edu-b's death")
    dev, prog = devices(out + event), programs(out + event)
    tap.ok(dev.get(edu0, ("",) * 2)[1] == "quarantine", f"{edu0} went back to quarantine")
    tap.ok(prog.get("edu-b", "").startswith("killed"), f"edu-b shown killed: {prog.get('edu-b')}")
    out = con.command("ask edu-b", 120)
    tap.ok(any(line.startswith("error: edu-b answered") for line in out),
           "asking the killed driver fails at once (its endpoint is gone), no hang")
    out = con.command("dump", 300)
    tap.ok(any(line.startswith("dump: check passed") for line in out), "dump after the kill")
    con.proc.stdin.write(b"halt\r")
    con.proc.stdin.flush()


if __name__ == "__main__":
    sys.exit(main())

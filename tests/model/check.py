#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Checks a Promela model with Spin and says whether the outcome is the one expected.

Spin turns the model into a C verifier (pan.c); this script does that in a
work directory of the build tree (never the source tree), compiles pan with
the host C compiler and runs it: an exhaustive search of every state, with
state compression and a memory limit. pan reports assertion violations and
invalid end states (a state where nothing can move but some process is
not at an end label: a deadlock).

  --expect pass        the search completed (not cut short by the memory or
                       depth limit) and found no error
  --expect NAME[,NAME] the search found an error, it is a failed assertion
                       of one of these names (or invalid_end_state), and
                       Spin replays its trail to that same error (a broken
                       variant must fail, and for the reason it was broken
                       for)

Spin missing fails the check: tools/ensure-deps installs it.
"""
import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys

# pan's limits: states are compressed (COLLAPSE) and memory is capped, so a
# model too big for this machine stops with "Search not completed" instead
# of swapping; that is a failure for --expect pass.
PAN_CFLAGS = ['-O1', '-DSAFETY', '-DCOLLAPSE', '-DMEMLIM=1024']
PAN_DEPTH = '10000'


def run(cmd, cwd):
    return subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def fail(message, output=''):
    if output:
        print(output)
    print('FAIL: ' + message)
    sys.exit(1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--model', required=True)
    ap.add_argument('--workdir', required=True)
    ap.add_argument('--cc', default='cc', help='host C compiler command')
    ap.add_argument('-D', dest='defines', action='append', default=[], help='a variant, e.g. BROKEN_REUSE')
    ap.add_argument('--expect', required=True)
    args = ap.parse_args()

    spin = shutil.which('spin')
    if spin is None:
        fail('spin is not installed (Debian package spin; tools/ensure-deps installs it)')
    os.makedirs(args.workdir, exist_ok=True)
    model = os.path.join(args.workdir, os.path.basename(args.model))
    shutil.copyfile(args.model, model)  # the trail is found beside the model
    defines = ['-D' + d for d in args.defines]

    r = run([spin] + defines + ['-a', os.path.basename(model)], args.workdir)
    if r.returncode != 0:
        fail('spin -a failed', r.stdout)
    r = run(shlex.split(args.cc) + PAN_CFLAGS + ['-o', 'pan', 'pan.c'], args.workdir)
    if r.returncode != 0:
        fail('compiling pan failed', r.stdout)
    r = run(['./pan', '-m' + PAN_DEPTH], args.workdir)
    out = r.stdout
    stats = [line.strip() for line in out.splitlines()
             if re.search(r'State-vector|states, stored|total actual memory|elapsed time', line)]
    print('\n'.join(stats))

    errors = re.search(r'errors: (\d+)', out)
    if errors is None:
        fail('pan printed no result', out)
    violated = re.findall(r'assertion violated (\w+)', out)
    if re.search(r'pan:\d+: invalid end state', out):
        violated.insert(0, 'invalid_end_state')
    if args.expect == 'pass':
        if int(errors.group(1)) != 0:
            fail('the model has an error (replay: spin -t -p %s in %s)' % (' '.join(defines), args.workdir), out)
        if 'Search not completed' in out or 'max search depth too small' in out:
            fail('the search was cut short (memory or depth limit)', out)
        print('PASS: every state explored, no assertion violated, no invalid end state')
        return

    expected = args.expect.split(',')
    if int(errors.group(1)) == 0:
        fail('the broken variant passed: the model does not catch ' + ' '.join(args.defines), out)
    if not violated or violated[0] not in expected:
        fail('expected a violation of %s, pan reported otherwise' % args.expect, out)
    replay = run([spin, '-t'] + defines + [os.path.basename(model)], args.workdir)
    if violated[0] == 'invalid_end_state':
        # The replay ends with every process's place; a stuck one lacks "<valid end state>".
        stuck = [line for line in replay.stdout.splitlines()
                 if re.match(r'\s*\d+:\s+proc\s+\d+ ', line) and 'valid end state' not in line]
        if 'trail ends after' not in replay.stdout or not stuck:
            fail('the error trail does not replay to a stuck process', replay.stdout)
        print('\n'.join('stuck: ' + line.strip() for line in stuck))
    elif 'text of failed assertion: assert(%s)' % violated[0] not in replay.stdout:
        fail('the error trail does not replay to assert(%s)' % violated[0], replay.stdout)
    print('PASS: %s violates %s, the trail replays (spin -t -p %s in %s)'
          % (' '.join(args.defines), violated[0], ' '.join(defines), args.workdir))


if __name__ == '__main__':
    main()

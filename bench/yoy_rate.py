#!/usr/bin/env python3
"""Steady `yoy` rate on an archive too large to run through: runs the command under a
pseudo-terminal (so that it prints progress), for SECONDS, and prints the reports checked per second
between WARMUP seconds and the end (the first seconds load the document list and fill the caches).

    bench/yoy_rate.py SECONDS [--warmup 20] -- build-rel/leitong yoy --archive A.db --year 2022 \
        --format csv -o /tmp/yoy.csv

Used for bench/README.md ("Year over year") on the 339,000-document archive (114,000 rows of 2022, one job each): run
binaries one after the other, alternating, and compare the medians."""
import argparse
import os
import pty
import re
import select
import signal
import sys
import time

argv = sys.argv[1:]
if "--" not in argv:
    sys.exit("usage: bench/yoy_rate.py SECONDS [--warmup 20] -- COMMAND...")
cut = argv.index("--")
parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("seconds", type=float)
parser.add_argument("--warmup", type=float, default=20)
args = parser.parse_args(argv[:cut])
command = argv[cut + 1:]
if not command:
    parser.error("no command after --")

pid, fd = pty.fork()
if pid == 0:
    os.execvp(command[0], command)
start = time.time()
points, tail = [], b""
while time.time() - start < args.seconds:
    ready, _, _ = select.select([fd], [], [], 0.5)
    if not ready:
        continue
    try:
        data = os.read(fd, 4096)
    except OSError:
        break
    if not data:
        break
    tail = (tail + data)[-400:]
    found = re.findall(rb"\[(\d+)/(\d+)\]", tail)
    if found:
        points.append((time.time() - start, int(found[-1][0]), int(found[-1][1])))
os.kill(pid, signal.SIGKILL)
os.waitpid(pid, 0)
steady = [p for p in points if p[0] >= args.warmup]
if len(steady) < 2:
    sys.exit(f"yoy_rate: too few progress lines after {args.warmup:.0f} s (last: {points[-1:]})")
(t0, d0, total), (t1, d1, _) = steady[0], steady[-1]
rate = (d1 - d0) / (t1 - t0)
print(f"{rate:.1f} reports/s ({d0} at {t0:.0f} s, {d1} at {t1:.0f} s, of {total}); "
      f"the whole run at this rate: {total / rate / 60:.1f} min")

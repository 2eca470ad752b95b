#!/usr/bin/env python3
"""A/B timing of statelang binaries on one workload, for changes of a few per cent.

The machine this project is measured on has slow phases of minutes (the same binary's
median moves by half), so single runs or runs taken minutes apart cannot tell a 2 % change
from the weather. This script pins every run to one core, waits until the first binary
runs at its calm speed, then alternates the binaries (in reversed order every other round)
for ROUNDS rounds of `statelang bench WORKLOAD --runs RUNS`, and reports each binary's
median and lower quartile of those medians, against the first binary.

usage: ab_bench.py [--rounds 16] [--runs 30] [--cpu 1] [--calm-ms MS] WORKLOAD BIN_A BIN_B...
  WORKLOAD  a workload name in ../shared/workloads, or a path to NAME.asl.json
  BIN_*     statelang binaries (copy target/release/statelang aside before rebuilding)
  --calm-ms wait (up to ten minutes) until two quick runs of BIN_A are under MS
"""
import argparse
import os
import statistics
import subprocess
import sys
import time


def workload_path(w):
    if "/" in w or w.endswith(".json"):
        return w
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return os.path.join(root, "..", "shared", "workloads", f"{w}.asl.json")


def median_ms(binary, path, runs, cpu):
    out = subprocess.run(
        ["taskset", "-c", str(cpu), binary, "bench", path, "--runs", str(runs)],
        capture_output=True,
        text=True,
    )
    last = (out.stdout + out.stderr).strip().split("\n")[-1].split()
    if len(last) < 3 or last[1] != "ok":
        sys.exit(f"{binary}: bench failed: {' '.join(last)}")
    return float(last[2])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--rounds", type=int, default=16)
    p.add_argument("--runs", type=int, default=30)
    p.add_argument("--cpu", type=int, default=1)
    p.add_argument("--calm-ms", type=float)
    p.add_argument("workload")
    p.add_argument("binaries", nargs="+")
    a = p.parse_args()
    path = workload_path(a.workload)
    if a.calm_ms is not None:
        deadline = time.time() + 600
        while True:
            quick = [median_ms(a.binaries[0], path, a.runs, a.cpu) for _ in range(2)]
            if max(quick) < a.calm_ms:
                break
            if time.time() > deadline:
                print(f"not calm after ten minutes ({quick}); measuring anyway")
                break
            time.sleep(20)
    results = {b: [] for b in a.binaries}
    for r in range(a.rounds):
        order = a.binaries if r % 2 == 0 else a.binaries[::-1]
        for b in order:
            results[b].append(median_ms(b, path, a.runs, a.cpu))

    def q1(v):
        return sorted(v)[len(v) // 4]

    base = a.binaries[0]
    for b in a.binaries:
        v = results[b]
        dm = 100 * (statistics.median(v) / statistics.median(results[base]) - 1)
        dq = 100 * (q1(v) / q1(results[base]) - 1)
        print(
            f"{b}: median {statistics.median(v):.4f} ms, q1 {q1(v):.4f}, min {min(v):.4f}"
            f"  ({dm:+.1f} % median, {dq:+.1f} % q1 against {base})"
        )


if __name__ == "__main__":
    main()

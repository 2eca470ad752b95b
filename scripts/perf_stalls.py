#!/usr/bin/env python3
"""Where a workload's CPU time stalls: samples after atomics and 16-byte stack reloads.

Instruction counts (callgrind) stopped explaining statelang's wall time once the code was
lean: the samples pile up on the instruction after a locked instruction (an `Arc` count, a
lock) or after a load of data the CPU has just stored in a shape it cannot forward (a value
returned through memory and reloaded at once). This script samples one workload with
`perf record -e cpu-clock` (no hardware counters needed), maps each sample to the
instruction it hit, and prints:

- the share of samples within three instructions after a locked instruction or `xchg`,
  on (or right after) a 16-byte SSE load from the stack, in the history's drop (not timed by
  `statelang bench`), in other libraries, and the rest, with the functions behind the first
  two;
- the hottest instructions with the four before each.

usage: scripts/perf_stalls.py BINARY WORKLOAD.asl.json [--runs N] [--top N] [-- BENCH-ARGS...]
e.g.   scripts/perf_stalls.py target/release/statelang ../shared/workloads/parallel_fanout.asl.json --runs 3000
Needs perf and objdump (binutils). BENCHMARKS.md, profile note 16, says what it found.
"""
import argparse
import collections
import os
import re
import subprocess
import sys
import tempfile

LINE = re.compile(r"^\s*([0-9a-f]+):\s+(.*)$")
SYMBOL = re.compile(r"^([0-9a-f]+) <(.*)>:")
SSE_STACK_LOAD = re.compile(r"mov[ua]p[sd]\s+-?0x[0-9a-f]+\(%r[sb]p\),%xmm")
MMAP = re.compile(r"\[0x([0-9a-f]+)\(0x[0-9a-f]+\) @ 0x([0-9a-f]+) .*r-xp (\S+)")


def disassemble(binary):
    """Instruction text, owning symbol and order of every address of `binary`."""
    out = subprocess.run(["objdump", "-d", "--no-show-raw-insn", binary],
                         capture_output=True, text=True, check=True).stdout
    order, text, owner, sym = [], {}, {}, "?"
    for line in out.splitlines():
        s = SYMBOL.match(line)
        if s:
            sym = s.group(2)
            continue
        m = LINE.match(line)
        if m:
            a = int(m.group(1), 16)
            order.append(a)
            text[a] = m.group(2)
            owner[a] = sym
    return order, text, owner


def file_vaddr_delta(binary):
    """Virtual address minus file offset of the executable segment."""
    out = subprocess.run(["readelf", "-lW", binary], capture_output=True, text=True,
                         check=True).stdout
    for line in out.splitlines():
        f = line.split()
        if f and f[0] == "LOAD" and "R E" in line:
            return int(f[2], 16) - int(f[1], 16)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("binary")
    ap.add_argument("workload")
    ap.add_argument("--runs", type=int, default=2000)
    ap.add_argument("--top", type=int, default=12)
    ap.add_argument("bench_args", nargs="*")
    a = ap.parse_args()
    binary = os.path.realpath(a.binary)
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "perf.data")
        subprocess.run(["perf", "record", "-q", "-e", "cpu-clock", "-F", "25000", "-o", data,
                        binary, "bench", a.workload, "--runs", str(a.runs), "--child",
                        *a.bench_args],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        events = subprocess.run(["perf", "script", "-i", data, "-F", "ip", "--show-mmap-events"],
                                capture_output=True, text=True).stdout
    base = offset = None
    ips = []
    for line in events.splitlines():
        m = MMAP.search(line)
        if m and os.path.realpath(m.group(3)) == binary and base is None:
            base, offset = int(m.group(1), 16), int(m.group(2), 16)
            continue
        line = line.strip()
        if re.fullmatch(r"[0-9a-f]+", line):
            ips.append(int(line, 16))
    if base is None:
        sys.exit("perf recorded no mapping of the binary")
    order, text, owner = disassemble(binary)
    index = {addr: i for i, addr in enumerate(order)}
    delta = file_vaddr_delta(binary)
    kinds, by_function, hits = collections.Counter(), collections.defaultdict(collections.Counter), collections.Counter()
    for ip in ips:
        addr = ip - base + offset + delta
        i = index.get(addr)
        if i is None:
            kinds["other libraries and kernel"] += 1
            continue
        hits[addr] += 1
        fn = owner[addr]
        before = [text[order[j]] for j in range(max(0, i - 3), i)]
        if "drop_slow" in fn or ("drop_in_place" in fn and "HistoryEvent" in fn) or "Events$u20$as$u20$core..ops..drop" in fn:
            kind = "history drop (untimed)"
        elif any(b.startswith("lock") or b.startswith("xchg") for b in before):
            kind = "after an atomic"
        elif SSE_STACK_LOAD.match(text[addr]) or any(SSE_STACK_LOAD.match(b) for b in before[-1:]):
            kind = "16-byte stack reload"
        else:
            kind = "rest"
        kinds[kind] += 1
        by_function[kind][fn] += 1
    total = sum(kinds.values()) or 1
    for kind, n in kinds.most_common():
        print(f"{kind:28} {100 * n / total:5.1f} %")
    for kind in ("after an atomic", "16-byte stack reload"):
        print(f"== {kind}")
        for fn, n in by_function[kind].most_common(8):
            print(f"   {100 * n / total:5.1f} % {fn[:110]}")
    print("== hottest instructions")
    for addr, n in hits.most_common(a.top):
        i = index[addr]
        print(f"{100 * n / total:5.2f} % {addr:x} {owner[addr][:110]}")
        for j in range(max(0, i - 4), i + 1):
            print(f"      {order[j]:x}: {text[order[j]]}")


if __name__ == "__main__":
    main()

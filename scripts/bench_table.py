#!/usr/bin/env python3
"""Prints the BENCHMARKS.md table from the JSON records in OUT_DIR.

Reads statelang-*.json (from `statelang bench --json`), peers-*/aws_local_stepfunctions.json
and peers-*/localstack.json (from ../shared/peers/run.sh); every file holds one array of
records in the peer runners' schema. With several runs of a side, each workload takes
the best (lowest) median of that side, since the machine is shared and noisy.
usage: bench_table.py OUT_DIR
"""
import glob
import json
import os
import sys

out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/statelang-bench"


def best(pattern):
    recs = {}
    for f in sorted(glob.glob(os.path.join(out, pattern))):
        for r in json.load(open(f)):
            w = r.get("workload")
            if r.get("status") != "ok" or r.get("median_ms") is None:
                recs.setdefault(w, r)
                continue
            old = recs.get(w)
            if old is None or old.get("median_ms") is None or r["median_ms"] < old["median_ms"]:
                recs[w] = r
    return recs


sl = best("statelang-*.json")
aws = best("peers-*/aws_local_stepfunctions.json")
ls = best("peers-*/localstack.json")

order = ["pass_chain_1000", "choice_loop", "choice_loop_1k", "map_10k", "map_1k",
         "parallel_fanout", "task_retry_catch", "payload_heavy"]
order += sorted(w for w in sl if w not in order)


def ms(r):
    if not r:
        return "–"
    if r.get("status") != "ok":
        return r.get("status", "?")
    m = r["median_ms"]
    return f"{m:.3f}" if m < 10 else f"{m:.1f}"


def ratio(peer, mine):
    if not peer or not mine or peer.get("status") != "ok" or mine.get("status") != "ok":
        return "–"
    return f"{peer['median_ms'] / mine['median_ms']:,.0f}×"


def rate(r):
    if not r or r.get("status") != "ok":
        return "–"
    x = r["transitions_per_s"]
    return f"{x / 1e6:.2f}M" if x >= 1e6 else f"{x / 1e3:.1f}k"


print("| workload | state entries | statelang median ms | statelang entries/s | peak RSS MiB "
      "| aws-local-stepfunctions ms | entries/s | speed-up | LocalStack ms | speed-up |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for w in order:
    s = sl.get(w)
    a = aws.get(w)
    l = ls.get(w)
    if not (s or a or l):
        continue
    entries = (s or a or l or {}).get("state_entries", "")
    peak = f"{s['peak_rss_kb'] / 1024:.1f}" if s and s.get("peak_rss_kb") else "–"
    print(f"| {w} | {entries} | {ms(s)} | {rate(s)} | {peak} | {ms(a)} | {rate(a)} | {ratio(a, s)} "
          f"| {ms(l)} | {ratio(l, s)} |")
for name, side in (("statelang", sl), ("aws-local-stepfunctions", aws), ("LocalStack", ls)):
    bad = [f"{w}: {r.get('status')} {r.get('diff') or r.get('error') or ''}".strip()
           for w, r in side.items() if r.get("status") != "ok"]
    if bad:
        print(f"\n{name} problems: " + "; ".join(bad))

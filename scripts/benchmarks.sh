#!/usr/bin/env bash
# Regenerates the BENCHMARKS.md numbers: the peers (../shared/peers/run.sh) and
# `statelang bench`, each side twice (the machine is shared and noisy; the table takes
# the better median of each side), then prints the markdown table.
# usage: scripts/benchmarks.sh [OUT_DIR] [--localstack] [--rounds N]
# env: STATELANG_WORKLOADS (default ../shared/workloads or ../../shared/workloads),
#      PEERS (default the peers directory next to the workloads)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=/tmp/statelang-bench; ls_too=0; rounds=2
while [ $# -gt 0 ]; do
  case $1 in
    --localstack) ls_too=1 ;;
    --rounds) rounds=$2; shift ;;
    *) out=$1 ;;
  esac
  shift
done
wl=${STATELANG_WORKLOADS:-}
if [ -z "$wl" ]; then
  for c in "$root/../shared/workloads" "$root/../../shared/workloads"; do
    [ -d "$c" ] && { wl=$(cd "$c" && pwd); break; }
  done
fi
[ -n "$wl" ] || { echo "no workloads directory; set STATELANG_WORKLOADS" >&2; exit 2; }
peers=${PEERS:-$(dirname "$wl")/peers}
mkdir -p "$out"
rm -f "$out"/statelang-*.json
(cd "$root" && cargo build --release --quiet --bin statelang)
for i in $(seq 1 "$rounds"); do
  echo "== round $i: peers" >&2
  if [ $ls_too = 1 ]; then
    bash "$peers/run.sh" "$out/peers-$i" --localstack >&2   # LocalStack on the *_1k twins
  else
    bash "$peers/run.sh" "$out/peers-$i" >&2
  fi
  echo "== round $i: statelang" >&2
  "$root/target/release/statelang" bench "$wl" --runs 10 --json "$out/statelang-$i.json" >&2 || true
done
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(date -u +%Y-%m-%d)"
python3 "$root/scripts/bench_table.py" "$out"

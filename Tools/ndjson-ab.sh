#!/usr/bin/env bash
# A/B of NDJSON upload speed between `reward` binaries (e.g. a saved old build and the new one):
# each binary serves the same small head (pal-b d=384 w=64, as in Tools/bench-api.sh); the 100,000-line
# bodies are uploaded with curl to each in turn, ROUNDS times, alternating. Prints items/s (wall) and the
# server's CPU (utime+stime from /proc/PID/stat) per upload, then medians per binary.
# Usage: flock -x /work/bench.lock Tools/ndjson-ab.sh ROUNDS b64|numbers BIN...
# Bodies and head are made once in ${NDJSON_AB_DIR:-/tmp/ndjson-ab} with the first binary.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 3 ] || { echo "usage: $0 ROUNDS b64|numbers BIN..." >&2; exit 2; }
if [ -z "${DATABASE_URL:-}" ]; then exec Tools/pg.sh with "$0" "$@"; fi  # reward serve needs a store
rounds=$1; kind=$2; shift 2
work=${NDJSON_AB_DIR:-/tmp/ndjson-ab}
mkdir -p "$work"
if [ ! -d "$work/small" ] || [ ! -f "$work/numbers.ndjson" ]; then
    "$1" synth --dim 384 --users 8 --unseen-users 2 --train-pairs 16 --unseen-train-pairs 4 --test-pairs 4 \
        --prototypes 4 --out "$work/d384.ndjson" >/dev/null
    "$1" train --data "$work/d384.ndjson" --kind pal-b --prototypes 4 --hidden 64 --output-dim 64 --epochs 1 \
        --out "$work/small" >/dev/null 2>&1
    python3 Tools/bench-bodies.py "$work" ndjson
fi
pids=(); ports=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
for j in $(seq 0 $(($# - 1))); do
    bin=${@:$((j + 1)):1}
    "$bin" serve --port 0 --no-access-log --log-level warning --blas-threads 1 --head small="$work/small" \
        >"$work/serve$j.out" 2>"$work/serve$j.err" &
    pids+=($!)
    for _ in $(seq 600); do grep -q "listening on" "$work/serve$j.out" 2>/dev/null && break; sleep 0.05; done
    ports+=("$(grep -o '[0-9]*$' "$work/serve$j.out")")
done
upload() { curl -sS --data-binary @"$work/$kind.ndjson" -H 'Content-Type: application/x-ndjson' "http://127.0.0.1:$1/v1/score" -o "$2"; }
tck=$(getconf CLK_TCK)
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for j in "${!pids[@]}"; do upload "${ports[$j]}" /dev/null; done  # warm-up
results="$work/results.txt"; : >"$results"
for r in $(seq "$rounds"); do
    for j in "${!pids[@]}"; do
        p=${pids[$j]}
        c0=$(awk '{print $14 + $15}' /proc/$p/stat); s=$(date +%s.%N)
        upload "${ports[$j]}" "$work/out$j.ndjson"
        e=$(date +%s.%N); c1=$(awk '{print $14 + $15}' /proc/$p/stat)
        n=$(grep -c '"scores"' "$work/out$j.ndjson")
        [ "$n" -eq 100000 ] || { echo "binary $j answered $n lines with scores" >&2; exit 1; }
        python3 -c "w = $e - $s; print(f'round $r binary $j: {100000 / w:9.0f} items/s  server CPU {($c1 - $c0) / $tck:.2f} s')" | tee -a "$results"
    done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$results" "$@" <<'PY'
import re, statistics as st, sys
rows = {}
for line in open(sys.argv[1]):
    m = re.match(r"round \d+ binary (\d+):\s+(\d+) items/s\s+server CPU ([\d.]+) s", line)
    rows.setdefault(int(m.group(1)), []).append((int(m.group(2)), float(m.group(3))))
for j, v in sorted(rows.items()):
    print(f"binary {j} ({sys.argv[2 + j]}): median {st.median(x for x, _ in v):,.0f} items/s, median server CPU {st.median(c for _, c in v):.2f} s, {len(v)} uploads")
PY

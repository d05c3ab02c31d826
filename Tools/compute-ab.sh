#!/usr/bin/env bash
# A/B of release binaries on the REST API compute-bound benchmark (the Pick-a-Pic size head of
# Tools/bench-api.sh: pal-b, d=1024, mlp2 width 1024, K=4): per binary, `reward serve --blas-threads 1`
# under wrk -t2 -c64 of 1-item /v1/score requests (1 s warm-up, 5 s measured), with the model
# worker's CPU per request (the busiest non-loop thread's utime+stime); per round, the same head in
# process at batch 1,024 (`reward bench head-score`, 1 BLAS thread, the first binary) for the ratio.
# Usage: flock -x /work/bench.lock Tools/compute-ab.sh ROUNDS BINARY...   (binaries alternate each round)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=$1; shift
if [ -z "${DATABASE_URL:-}" ]; then exec Tools/pg.sh with "$0" "$rounds" "$@"; fi
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
bin=$1
"$bin" synth --dim 1024 --users 8 --unseen-users 2 --train-pairs 16 --unseen-train-pairs 4 --test-pairs 4 \
    --prototypes 4 --out "$work/d1024.ndjson" >/dev/null 2>&1
"$bin" train --data "$work/d1024.ndjson" --kind pal-b --prototypes 4 --hidden 1024 --output-dim 1024 --epochs 1 \
    --out "$work/pickapic" >/dev/null 2>&1
python3 - "$work" <<'PY'
import base64, random, struct, sys
random.seed(7)
v = [random.uniform(-1, 1) for _ in range(1024)]
open(f"{sys.argv[1]}/heavy.json", "w").write('{"head":"pickapic","items":[{"features_b64":"%s"}]}'
                                             % base64.b64encode(struct.pack("<1024f", *v)).decode())
PY
cat >"$work/heavy.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$work/heavy.json"); wrk.body = f:read("*a"); f:close()
LUA
cpu() { awk '{print $14 + $15}' "$1/stat"; }
run_one() {  # binary inprocess-rate → one line
    "$1" serve --port 0 --no-access-log --log-level warning --blas-threads 1 --head pickapic="$work/pickapic" \
        >"$work/serve.out" 2>"$work/serve.err" &
    pid=$!
    for _ in $(seq 600); do grep -q "listening on" "$work/serve.out" 2>/dev/null && break; sleep 0.05; done
    local url="http://127.0.0.1:$(grep -o '[0-9]*$' "$work/serve.out")/v1/score"
    wrk -t2 -c64 -d1s -s "$work/heavy.lua" "$url" >/dev/null
    local worker=$(for t in /proc/$pid/task/*; do grep -q http-loop "$t/comm" || echo "$(cpu "$t") $t"; done | sort -n | tail -1 | cut -d' ' -f2)
    local c0=$(cpu "$worker") t0=$(date +%s.%N)
    wrk -t2 -c64 -d5s --latency -s "$work/heavy.lua" "$url" >"$work/wrk.txt"
    local c1=$(cpu "$worker") t1=$(date +%s.%N)
    kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
    if grep -q "Non-2xx\|Socket errors" "$work/wrk.txt"; then cat "$work/wrk.txt" >&2; exit 1; fi
    local rps=$(awk '/^Requests\/sec/ {print $2}' "$work/wrk.txt") p99=$(awk '$1 == "99%" {print $2}' "$work/wrk.txt")
    python3 -c "w = $t1 - $t0; c = ($c1 - $c0) / $(getconf CLK_TCK); print(f'| $(basename "$1") | {$rps:.0f} | $p99 | {1e6 * c / ($rps * w):.0f} µs | $2 | {100 * $rps / $2:.0f} % | $(cut -d' ' -f1 /proc/loadavg) |')"
}
echo "| binary | req/s | p99 | worker CPU per request | in process batch 1,024 (items/s) | ratio | load |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for _ in $(seq "$rounds"); do
    inprocess=$("$bin" bench head-score --head "$work/pickapic" --batch 1024 --threads 1 --seconds 4)
    for b in "$@"; do run_one "$b" "$inprocess"; done
done

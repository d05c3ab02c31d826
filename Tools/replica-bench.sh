#!/usr/bin/env bash
# Two-replica run behind no load balancer (each load generator talks to one replica), on a throwaway
# PostgreSQL cluster: scoring throughput of one replica (one event loop per core) against two
# replicas (one loop each) on the same machine, and the coherence lag — the time from a write
# acknowledged by replica A until replica B serves it — idle and while B is under load.
# Prints Markdown for Deploy/SCALING.md. Release build, synthetic head (d=32, pal-b K=3), 8 items
# per /v1/score request, a personalized user whose state is cached.
# Usage: Tools/replica-bench.sh [SECONDS_PER_RUN=10] [COHERENCE_PROBES=200]
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10}
probes=${2:-200}
Tools/install-deps.sh wrk
swift build -c release --product reward >/dev/null
bin=$(swift build -c release --show-bin-path)
work=$(mktemp -d)
chmod 755 "$work"   # the cluster runs as the postgres user under it
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    Tools/pg.sh stop "$work/pg" || true
    rm -rf "$work"
}
trap cleanup EXIT
export DATABASE_URL
DATABASE_URL=$(Tools/pg.sh start "$work/pg")
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_ready() { for _ in $(seq 600); do curl -sf -o /dev/null "http://127.0.0.1:$1/readyz" && return 0; sleep 0.05; done; echo "port $1 never ready" >&2; exit 1; }
replica() {  # port loops
    "$bin/reward" serve --port "$1" --loops "$2" --head "synthetic=Deploy/heads/synthetic" --no-access-log \
        --log-level warning --log-format text >>"$work/replicas.log" 2>&1 &
    pids+=($!)
    wait_ready "$1"
}
rss_mb() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }

python3 - "$work" <<'PY'
import json, random, sys
random.seed(7)
work = sys.argv[1]
items = [{"features": [round(random.gauss(0, 1), 4) for _ in range(32)]} for _ in range(8)]
open(f"{work}/score.json", "w").write(json.dumps({"user": "bench", "items": items}))
PY
cat >"$work/score.lua" <<LUA
wrk.method = "POST"
wrk.body = io.open("$work/score.json"):read("a")
wrk.headers["Content-Type"] = "application/json"
LUA
# A personalized user with an adapted (cached) state, written through any replica.
seed_user() {  # port
    python3 - "$1" <<'PY'
import json, random, sys, urllib.request
random.seed(3)
rows = [{"id": f"seed-{i}", "chosen": {"features": [random.gauss(0, 1) for _ in range(32)]},
         "rejected": {"features": [random.gauss(0, 1) for _ in range(32)]}} for i in range(16)]
req = urllib.request.Request(f"http://127.0.0.1:{sys.argv[1]}/v1/users/bench/comparisons",
                             data=json.dumps({"adapt": True, "comparisons": rows}).encode(),
                             headers={"Content-Type": "application/json"})
urllib.request.urlopen(req).read()
PY
}
wrk_rate() {  # port connections threads → req/s and p99 (ms)
    wrk -t"$3" -c"$2" -d"${duration}s" --latency -s "$work/score.lua" "http://127.0.0.1:$1/v1/score" >"$work/wrk.$1" 2>&1
    awk '/Requests\/sec/ {r=$2} /^ +99%/ {p=$2} END {print r, p}' "$work/wrk.$1"
}

# One replica, one event loop per core.
port_one=$(free_port)
replica "$port_one" 2
seed_user "$port_one"
read -r one_rate one_p99 < <(wrk_rate "$port_one" 32 2)
one_rss=$(rss_mb "${pids[-1]}")
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true; unset 'pids[-1]'
# One replica with one loop: what each of the two replicas below gets.
port_half=$(free_port)
replica "$port_half" 1
read -r half_rate half_p99 < <(wrk_rate "$port_half" 16 1)
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true; unset 'pids[-1]'

# Two replicas, one loop each, each under its own load generator at the same time.
port_a=$(free_port); replica "$port_a" 1; pid_a=${pids[-1]}
port_b=$(free_port); replica "$port_b" 1; pid_b=${pids[-1]}
wrk_rate "$port_a" 16 1 >"$work/rate.a" &
load_a=$!
wrk_rate "$port_b" 16 1 >"$work/rate.b"
wait "$load_a"
read -r a_rate a_p99 <"$work/rate.a"
read -r b_rate b_p99 <"$work/rate.b"
two_rate=$(python3 -c "print(round($a_rate + $b_rate))")

# Coherence lag: append + adapt through A, then poll B's /v1/score until it serves the new version.
coherence() {  # label
    python3 - "$port_a" "$port_b" "$probes" "$1" <<'PY'
import json, random, sys, time, urllib.request
a, b, n, label = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
def post(port, path, body):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    return json.loads(urllib.request.urlopen(req).read())
feature = [0.1] * 32
lags, polls = [], []
for i in range(n):
    row = {"id": f"{label}-{i}-{random.random()}", "chosen": {"features": [random.gauss(0, 1) for _ in range(32)]},
           "rejected": {"features": [random.gauss(0, 1) for _ in range(32)]}}
    version = post(a, "/v1/users/probe/comparisons", {"adapt": True, "comparisons": [row]})["adapt"]["version"]
    t0, k = time.perf_counter(), 0
    while True:
        k += 1
        if post(b, "/v1/score", {"user": "probe", "items": [{"features": feature}]})["user"]["version"] >= version:
            break
    lags.append((time.perf_counter() - t0) * 1000)
    polls.append(k)
lags.sort()
q = lambda p: lags[min(len(lags) - 1, int(p * len(lags)))]
print(f"{q(0.5):.1f} {q(0.99):.1f} {lags[-1]:.1f} {sum(p > 1 for p in polls)}")
PY
}
read -r idle_p50 idle_p99 idle_max idle_stale < <(coherence idle)
# B under load for as long as the probes take.
wrk -t1 -c16 -d600s -s "$work/score.lua" "http://127.0.0.1:$port_b/v1/score" >/dev/null 2>&1 &
load_b=$!
sleep 1
read -r load_p50 load_p99 load_max load_stale < <(coherence loaded)
kill "$load_b"; wait "$load_b" 2>/dev/null || true
rss_a=$(rss_mb "$pid_a"); rss_b=$(rss_mb "$pid_b")

cat <<EOF
| setup | /v1/score req/s (8 items) | p99 | RSS |
|---|---:|---:|---:|
| 1 replica, 2 event loops, wrk -t2 -c32 | ${one_rate} | ${one_p99} | ${one_rss} MB |
| 1 replica, 1 event loop, wrk -t1 -c16 | ${half_rate} | ${half_p99} | |
| 2 replicas, 1 loop each, wrk -t1 -c16 against each | ${two_rate} (${a_rate} + ${b_rate}) | ${a_p99} / ${b_p99} | ${rss_a} / ${rss_b} MB |

| coherence: adapt through A → served by B | p50 | p99 | max | probes where B's first read was stale |
|---|---:|---:|---:|---:|
| B idle (${probes} probes) | ${idle_p50} ms | ${idle_p99} ms | ${idle_max} ms | ${idle_stale} |
| B under wrk load (${probes} probes) | ${load_p50} ms | ${load_p99} ms | ${load_max} ms | ${load_stale} |
EOF

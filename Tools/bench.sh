#!/usr/bin/env bash
# HTTP/1.1 benchmark: wrk against `reward serve` (release build, trivial echo route) and, in the same
# run, against Debian's nginx (`return 200` with a body of the same size), both with access logs off.
# 32 connections, 1 KiB POST bodies, keep-alive. Prints a Markdown table (req/s, p99) and the
# event-loop ↔ task hop cost. Other processes may share the cores, so the servers are measured in
# interleaved rounds and the median of the rounds is reported.
# Usage: Tools/bench.sh [SECONDS_PER_RUN=5] [ROUNDS=3]
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-${BENCH_SECONDS:-5}}
rounds=${2:-${BENCH_ROUNDS:-3}}
Tools/install-deps.sh wrk nginx-light   # bench-only packages; `make test` does not need them
swift build -c release --product reward >/dev/null      # incremental; a no-op when up to date
swift build -c release --product http-bench >/dev/null
bin=$(swift build -c release --show-bin-path)
work=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# reward serve starts its store first (DATABASE_URL, or a private cluster in .reward: initdb the first time).
wait_port() { for _ in $(seq 1200); do curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0; sleep 0.05; done; echo "port $1 never answered" >&2; exit 1; }

body=$(head -c 1024 /dev/zero | tr '\0' 'x')
cat >"$work/post.lua" <<LUA
wrk.method = "POST"
wrk.body = string.rep("x", 1024)
wrk.headers["Content-Type"] = "application/octet-stream"
LUA

# reward serve: one loop per core, access log off, /_debug/echo returns the 1 KiB body.
port_reward=$(free_port)
"$bin/reward" serve --port "$port_reward" --no-access-log --debug-routes --log-level warning >"$work/reward.out" 2>&1 &
pids+=($!)

# nginx: one worker per core, access log off, return 200 with a 1 KiB body.
port_nginx=$(free_port)
mkdir -p "$work/nginx/logs"
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes $(nproc);
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 1000000;
    client_body_temp_path $work/nginx/body;
    server {
        listen 127.0.0.1:$port_nginx reuseport;
        location / { return 200 "$body"; }
    }
}
CONF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon off;' &
pids+=($!)
wait_port "$port_reward"
wait_port "$port_nginx"

declare -A url=(
    [nginx]="http://127.0.0.1:$port_nginx/"
    [pool]="http://127.0.0.1:$port_reward/_debug/echo"
    [inline]="http://127.0.0.1:$port_reward/_debug/inline-echo"
)
for name in nginx pool inline; do wrk -t2 -c32 -d2s -s "$work/post.lua" "${url[$name]}" >/dev/null; done  # warm-up
for round in $(seq "$rounds"); do
    for name in nginx pool inline; do
        wrk -t2 -c32 -d"${duration}s" --latency -s "$work/post.lua" "${url[$name]}" >"$work/$name.$round.txt"
        # every response must be a 200: wrk counts other statuses as "Non-2xx"
        if grep -q "Non-2xx\|Socket errors" "$work/$name.$round.txt"; then cat "$work/$name.$round.txt" >&2; exit 1; fi
    done
done
median() {  # name column(1=req/s, 2=p99 in ms) → median over rounds
    for f in "$work/$1".*.txt; do
        awk -v c="$2" '/^Requests\/sec/ {r=$2} $1 == "99%" {p=$2; if (p ~ /us$/) p=p/1000; else if (p ~ /ms$/) p=p+0; else if (p ~ /s$/) p=p*1000} END {print (c == 1 ? r : p)}' "$f"
    done | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'
}
rps_nginx=$(median nginx 1); p99_nginx=$(median nginx 2)ms
rps_reward=$(median pool 1); p99_reward=$(median pool 2)ms
rps_inline=$(median inline 1); p99_inline=$(median inline 2)ms
ratio() { python3 -c "print(f'{$1 / $rps_nginx:.2f}')"; }
per_round() { for f in "$work/$1".*.txt; do awk '/^Requests\/sec/ {printf "%.0f ", $2}' "$f"; done; }

echo
echo "wrk -t2 -c32 -d${duration}s × $rounds interleaved rounds (median), 1 KiB POST, keep-alive, $(nproc) cores, wrk on the same machine"
echo
echo "| server | req/s | p99 | × nginx |"
echo "|---|---:|---:|---:|"
echo "| nginx $(nginx -v 2>&1 | sed 's/.*nginx\///') ($(nproc) workers, \`return 200\` 1 KiB) | $rps_nginx | $p99_nginx | 1.00 |"
echo "| reward serve, echo on the task pool (loop → task → loop) | $rps_reward | $p99_reward | $(ratio "$rps_reward") |"
echo "| reward serve, echo inline on the loop (\`inlineResponder\`) | $rps_inline | $p99_inline | $(ratio "$rps_inline") |"
echo
echo "req/s per round — nginx: $(per_round nginx)| pool: $(per_round pool)| inline: $(per_round inline)"
echo "load average during the run: $(cut -d' ' -f1-3 /proc/loadavg) (other processes share these $(nproc) cores)"
echo
"$bin/http-bench" 200000

# HTTP/2 and TLS (h2load h2c / TLS / --h1, sslyze): its own script.
Tools/bench-h2.sh "$duration" "$rounds"

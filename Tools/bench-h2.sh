#!/usr/bin/env bash
# HTTP/2 and TLS benchmark: h2load against `reward serve` (release build, /_debug/echo returns the
# 1 KiB POST body), over h2c, h2 over TLS (ALPN), and HTTP/1.1 (`h2load --h1`) on the same route, with
# 4 connections × 8 concurrent streams. Servers share the machine with h2load and other processes, so
# the modes run in interleaved rounds and the median is reported. Then sslyze checks the TLS endpoint
# against Mozilla's "intermediate" configuration. A CA and leaf are generated for the run (never kept).
# Usage: Tools/bench-h2.sh [SECONDS_PER_RUN=5] [ROUNDS=3]   (run by `make bench` via Tools/bench.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-${BENCH_SECONDS:-5}}
rounds=${2:-${BENCH_ROUNDS:-3}}
if [ -z "${DATABASE_URL:-}" ]; then exec Tools/pg.sh with "$0" "$duration" "$rounds"; fi  # reward serve needs a store
Tools/install-deps.sh nghttp2-client
Tools/install-py.sh sslyze=sslyze
swift build -c release --product reward >/dev/null
bin=$(swift build -c release --show-bin-path)
work=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# A throwaway CA and a localhost leaf (EC P-256, 30 days: within Mozilla's certificate lifespan limit).
(
    cd "$work"
    ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
    openssl req -x509 "${ec[@]}" -keyout ca.key -out ca.pem -days 30 -subj "/CN=bench CA" \
        -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
    openssl req "${ec[@]}" -keyout leaf.key -out leaf.csr -subj /CN=localhost 2>/dev/null
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' >leaf.ext
    openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out leaf.pem -days 30 -extfile leaf.ext 2>/dev/null
)

start_server() {  # name, extra args… → sets port_<name>
    local name=$1
    shift
    "$bin/reward" serve --port 0 --no-access-log --debug-routes --log-level warning "$@" >"$work/$name.out" 2>"$work/$name.err" &
    pids+=($!)
    for _ in $(seq 200); do
        grep -q "listening on" "$work/$name.out" 2>/dev/null && break
        sleep 0.05
    done
    local port
    port=$(grep -o '[0-9]*$' "$work/$name.out") || { cat "$work/$name.err" >&2; exit 1; }
    printf -v "port_$name" '%s' "$port"
}
start_server plain
start_server tls --tls-cert "$work/leaf.pem" --tls-key "$work/leaf.key"
head -c 1024 /dev/zero | tr '\0' 'x' >"$work/body"

declare -A cmd=(
    [h1]="h2load --h1 -c4 -m1 http://127.0.0.1:$port_plain/_debug/echo"
    [h1pipe]="h2load --h1 -c4 -m8 http://127.0.0.1:$port_plain/_debug/echo"
    [h2c]="h2load -c4 -m8 http://127.0.0.1:$port_plain/_debug/echo"
    [tls]="h2load -c4 -m8 https://127.0.0.1:$port_tls/_debug/echo"
    [tlsh1]="h2load --h1 -c4 -m1 https://127.0.0.1:$port_tls/_debug/echo"
)
modes=(h1 h1pipe h2c tls tlsh1)
run() {  # mode seconds → output file of h2load
    ${cmd[$1]} -d "$work/body" -D "$2" --warm-up-time=1 -H "content-type: application/octet-stream"
}
for mode in "${modes[@]}"; do run "$mode" 1 >/dev/null; done  # warm-up
for round in $(seq "$rounds"); do
    for mode in "${modes[@]}"; do
        run "$mode" "$duration" >"$work/$mode.$round.txt"
        # every request must succeed with a 2xx
        if ! grep -qE "requests: .* 0 failed, 0 errored" "$work/$mode.$round.txt" \
            || grep -qE "status codes: [0-9]+ 2xx, [0-9]+ 3xx, [1-9]" "$work/$mode.$round.txt"; then
            cat "$work/$mode.$round.txt" >&2
            exit 1
        fi
    done
done
median() {  # mode → median req/s over rounds
    for f in "$work/$1".*.txt; do awk '/^finished in/ {gsub(",", "", $4); print $4}' "$f"; done \
        | sort -g | awk '{v[NR]=$1} END {printf "%.0f", v[int((NR+1)/2)]}'
}
mean_latency() {  # mode → mean request time of the last round
    awk '/^time for request:/ {print $4}' "$work/$1.$rounds.txt"
}
per_round() { for f in "$work/$1".*.txt; do awk '/^finished in/ {gsub(",", "", $4); printf "%.0f ", $4}' "$f"; done; }
declare -A rps
for mode in "${modes[@]}"; do rps[$mode]=$(median "$mode"); done
ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }

echo
echo "h2load, 4 connections, ${duration}s × $rounds interleaved rounds (median), 1 KiB POST to /_debug/echo, $(nproc) cores, h2load on the same machine"
echo
echo "| mode | command | req/s | mean latency | ratio |"
echo "|---|---|---:|---:|---:|"
echo "| HTTP/1.1 | \`h2load --h1 -c4 -m1\` | ${rps[h1]} | $(mean_latency h1) | 1.00 |"
echo "| HTTP/1.1 pipelined | \`h2load --h1 -c4 -m8\` | ${rps[h1pipe]} | $(mean_latency h1pipe) | $(ratio "${rps[h1pipe]}" "${rps[h1]}") × h1 |"
echo "| h2c | \`h2load -c4 -m8\` | ${rps[h2c]} | $(mean_latency h2c) | $(ratio "${rps[h2c]}" "${rps[h1]}") × h1 |"
echo "| h2 over TLS 1.3 | \`h2load -c4 -m8 https://\` | ${rps[tls]} | $(mean_latency tls) | $(ratio "${rps[tls]}" "${rps[h2c]}") × h2c |"
echo "| HTTP/1.1 over TLS 1.3 | \`h2load --h1 -c4 -m1 https://\` | ${rps[tlsh1]} | $(mean_latency tlsh1) | $(ratio "${rps[tlsh1]}" "${rps[h1]}") × h1 |"
echo
for mode in "${modes[@]}"; do printf '%s: %s| ' "$mode" "$(per_round "$mode")"; done
echo
echo "TLS: $(grep -h -m1 -E '^TLS Protocol' "$work/tls.1.txt"), $(grep -h -m1 -E '^Cipher' "$work/tls.1.txt"), $(grep -h -m1 -E '^Server Temp Key' "$work/tls.1.txt" || true)"
echo "load average during the run: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "sslyze --mozilla_config=intermediate localhost:$port_tls (CA of this run):"
python3 -m sslyze --mozilla_config=intermediate --certinfo_ca_file "$work/ca.pem" "localhost:$port_tls" >"$work/sslyze.txt" 2>&1 \
    && sslyze_ok=1 || sslyze_ok=0
sed -n '/COMPLIANCE AGAINST/,$p' "$work/sslyze.txt"
[ "$sslyze_ok" = 1 ] || { cat "$work/sslyze.txt" >&2; echo "sslyze: NOT compliant" >&2; exit 1; }

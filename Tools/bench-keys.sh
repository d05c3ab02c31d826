#!/usr/bin/env bash
# A/B of API-key auth on the request path (BENCHMARKS.md "API keys"): the same release binary with no active
# key (auth off) and with one key sent on every request (auth on), alternating, ROUNDS times.
# Usage: Tools/pg.sh with Tools/bench-keys.sh [ROUNDS]   (needs wrk and `swift build -c release --product reward`)
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?run under Tools/pg.sh with}"
rounds=${1:-3}
bin=.build/release/reward
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
b64=$(python3 -c "import struct,base64;print(base64.b64encode(struct.pack('<32f',*[0.01*i for i in range(32)])).decode())")
cat >"$work/score.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"items":[{"features_b64":"$b64"}]}'
wrk.headers["Content-Type"] = "application/json"
local key = os.getenv("KEY")
if key and key ~= "" then wrk.headers["Authorization"] = "Bearer " .. key end
LUA
key=$("$bin" keys create --tenant default --scopes score 2>/dev/null)
for round in $(seq 1 "$rounds"); do
    for mode in off on; do
        if [ "$mode" = off ]; then
            "$bin" keys revoke "$key" >/dev/null
            export KEY=""
        else
            key=$("$bin" keys create --tenant default --scopes score 2>/dev/null)
            export KEY=$key
        fi
        "$bin" serve --port 0 --loops 2 --blas-threads 1 --no-access-log --log-level warning \
            --head synthetic=Deploy/heads/synthetic >"$work/out" 2>"$work/err" &
        pid=$!
        for _ in $(seq 1 100); do grep -q listening "$work/out" && break; sleep 0.2; done
        url=$(grep -o 'http://[^ ]*' "$work/out")
        sleep 2  # past the authenticator's first snapshot
        anonymous=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$url/v1/score" -H 'Content-Type: application/json' -d '{}')
        rate=$(wrk -t2 -c64 -d8s -s "$work/score.lua" "$url/v1/score" | awk '/Requests\/sec/ {print $2}')
        echo "round $round auth=$mode req/s=$rate (anonymous request: $anonymous) load=$(cut -d' ' -f1 /proc/loadavg)"
        kill "$pid"; wait "$pid" 2>/dev/null || true
    done
done

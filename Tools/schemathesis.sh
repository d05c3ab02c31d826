#!/usr/bin/env bash
# Fuzzes a live `reward serve` from openapi.yaml with schemathesis (PyPI). Needs DATABASE_URL (run
# under Tools/pg.sh with …). Two runs against one server, serving a features head (the default),
# the text demo head and a small head of every other kind (prompt inputs included):
#  1. every kind of generated data, valid or not: no 5xx, and every status, content type, header and
#     body as documented;
#  2. valid data only, with Tools/schemathesis_hooks.py fitting each case to the served heads (vector
#     dimensions, state sizes, byte limits — rules a static schema cannot state): every request must
#     succeed (`positive_data_acceptance`: 2xx, or 404/409 where the case names what is not there),
#     on top of the checks of run 1.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?run under Tools/pg.sh with}"
bin=$(swift build --show-bin-path)/reward
out=$(mktemp) err=$(mktemp)
fixtures=Tests/RewardModelTests/Fixtures  # small heads of the other kinds, with prompt inputs
"$bin" serve --port 0 --no-access-log \
    --head synthetic=Deploy/heads/synthetic --head demo=Deploy/heads/demo --head bt=$fixtures/bt \
    --head gpm=$fixtures/gpm-prompt --head micro=$fixtures/micro-router --head pal-a=$fixtures/pal-a-projected \
    --head pal-b-prompt=$fixtures/pal-b-prompt --default-head synthetic >"$out" 2>"$err" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -f "$out" "$err"' EXIT
for _ in $(seq 1 120); do grep -q listening "$out" && break; kill -0 $pid || { cat "$err"; exit 1; }; sleep 0.5; done
url=$(grep -o 'http://[^ ]*' "$out")
checks=not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance
examples=${SCHEMATHESIS_EXAMPLES:-20} seed=${SCHEMATHESIS_SEED:-1}  # more examples or another seed for a longer campaign

echo "schemathesis, run 1 of 2: all generated data"
schemathesis run "$url/openapi.yaml" --checks "$checks" --max-examples "$examples" --seed "$seed" --no-color

# A user with history in the heads' three feature spaces, so user routes also reach their 200s in run 2.
python3 - "$url" <<'PY'
import json, sys, urllib.request
url = sys.argv[1]
def post(path, body):
    request = urllib.request.Request(url + path, json.dumps(body).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        assert response.status in (200, 201), response.status
vector = lambda sign: [sign * (i % 7 - 3) / 3 for i in range(32)]
post("/v1/users/seeded/comparisons", {"adapt": True, "comparisons": [
    {"id": "seed-1", "chosen": {"features": vector(1)}, "rejected": {"features": vector(-1)}}]})
post("/v1/users/seeded/comparisons?head=demo", {"adapt": True, "comparisons": [
    {"id": "seed-2", "chosen": {"text": "I enjoy helping people."}, "rejected": {"text": "I enjoy arguing."}}]})
post("/v1/users/seeded/comparisons?head=pal-b-prompt", {"adapt": True, "comparisons": [
    {"id": "seed-3", "prompt": {"features": [0.5, -0.5, 0.2, 0.1, 0.3]},
     "chosen": {"features": vector(1)[:6]}, "rejected": {"features": vector(-1)[:6]}}]})
PY

echo "schemathesis, run 2 of 2: valid data fitted to the served heads"
REWARD_URL=$url REWARD_SEEDED_USER=seeded REWARD_SEEDED_COMPARISON=seed-1 \
    PYTHONPATH="Tools${PYTHONPATH:+:$PYTHONPATH}" SCHEMATHESIS_HOOKS=schemathesis_hooks \
    schemathesis run "$url/openapi.yaml" --checks "$checks,positive_data_acceptance" --mode positive \
    --max-examples "$examples" --seed "$seed" --no-color

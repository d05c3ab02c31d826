#!/usr/bin/env bash
# Fuzzes a live `reward serve` from openapi.yaml with schemathesis (PyPI): no 5xx, and every status,
# content type, header and body as documented. Needs DATABASE_URL (run under Tools/pg.sh with …).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?run under Tools/pg.sh with}"
bin=$(swift build --show-bin-path)/reward
out=$(mktemp) err=$(mktemp)
"$bin" serve --port 0 --no-access-log --head synthetic=Deploy/heads/synthetic >"$out" 2>"$err" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -f "$out" "$err"' EXIT
for _ in $(seq 1 120); do grep -q listening "$out" && break; kill -0 $pid || { cat "$err"; exit 1; }; sleep 0.5; done
url=$(grep -o 'http://[^ ]*' "$out")
schemathesis run "$url/openapi.yaml" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
    --max-examples "${SCHEMATHESIS_EXAMPLES:-20}" --seed 1 --no-color

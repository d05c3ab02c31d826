#!/usr/bin/env bash
# Fuzzes the safetensors loader (Sources/Tensors) with libFuzzer + AddressSanitizer for N seconds
# (default 600). SwiftPM cannot link -sanitize=fuzzer, so the target is built with swiftc directly.
# Seeds: the committed fixture heads. Crashes land in fuzz-artifacts/safetensors/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
out=.build/fuzz
mkdir -p "$out" fuzz-artifacts/safetensors "$out/safetensors-corpus"
i=0
for f in Tests/RewardModelTests/Fixtures/*/model.safetensors; do cp "$f" "$out/safetensors-corpus/seed-$i"; i=$((i + 1)); done

# shellcheck disable=SC2046
swiftc -sanitize=fuzzer,address -parse-as-library -O -g \
    -module-name SafeTensorsFuzz \
    -I Sources/COpenBLAS $(pkg-config --cflags-only-I openblas | sed 's/-I/-Xcc -I/g') \
    $(pkg-config --libs-only-L openblas) -lopenblas \
    Sources/Tensors/*.swift Tools/fuzz/SafeTensorsFuzz.swift \
    -o "$out/safetensors-fuzz" 2>&1 | { grep -v "Cannot export local symbol" || true; }
test -x "$out/safetensors-fuzz"

export SWIFT_BACKTRACE=enable=no
"$out/safetensors-fuzz" "$out/safetensors-corpus" \
    -dict=Tools/fuzz/safetensors.dict \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -artifact_prefix=fuzz-artifacts/safetensors/ -print_final_stats=1 2>&1 | tail -n 25

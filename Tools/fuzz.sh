#!/usr/bin/env bash
# libFuzzer over the HTTP/1.1 parser. Usage: Tools/fuzz.sh [SECONDS=60]
# Built with swiftc directly (`swift build -Xswiftc -sanitize=fuzzer` does not link, TOOLING.md).
# Crashes land in fuzz-artifacts/; the growing corpus in .build/fuzz/corpus (seeds in Tools/fuzz/seeds).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
out=.build/fuzz
mkdir -p "$out/corpus" fuzz-artifacts
src=Sources/HTTPServer
swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name HTTP1ParserFuzz \
    Tools/fuzz/HTTP1ParserFuzz.swift \
    "$src"/HTTP1/HTTP1Parser.swift "$src"/HTTP1/HTTP1Parser+Rules.swift "$src"/HTTP1/HTTP1Parser+Semantics.swift \
    "$src"/HTTP1/HTTP1ParseError.swift "$src"/HTTP1/RequestHead.swift \
    "$src"/HTTPHeaders.swift "$src"/Request.swift "$src"/RequestBody.swift "$src"/Body/RequestBodySource.swift \
    "$src"/System/Locked.swift \
    -o "$out/http1-parser-fuzz"
echo "fuzzing the HTTP/1.1 parser for ${seconds}s"
"$out/http1-parser-fuzz" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -dict=Tools/fuzz/http.dict -artifact_prefix=fuzz-artifacts/ -print_final_stats=1 "$out/corpus" Tools/fuzz/seeds

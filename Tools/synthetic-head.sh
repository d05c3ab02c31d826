#!/usr/bin/env bash
# Builds the committed demo head Deploy/heads/synthetic (pal-b, K=3, D=32, trained on the seed-1
# ideal-point dataset of BENCHMARKS.md) with single-threaded BLAS, so the result is reproducible.
#   Tools/synthetic-head.sh           rewrite Deploy/heads/synthetic
#   Tools/synthetic-head.sh --check   train into a scratch dir and compare with the committed head:
#                                     every weight within 1e-4, every eval accuracy within 0.5 pp
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="$(swift build -c release --show-bin-path)/reward"
HEAD=Deploy/heads/synthetic
DATA=.reward/data/ideal-point-seed1.ndjson
export OPENBLAS_NUM_THREADS=1
mkdir -p .reward/data
"$BIN" synth --kind ideal-point --users 100 --unseen-users 100 --dim 32 --prototypes 3 --alpha 0.3 --scale 10 \
    --train-pairs 200 --test-pairs 500 --seed 1 --out "$DATA"
train() {
  "$BIN" train --data "$DATA" --kind pal-b --prototypes 3 --hidden 32 --epochs 80 --seed 1 \
      --version synthetic-ideal-point-d32-k3-v1 --out "$1"
}
if [[ "${1:-}" != "--check" ]]; then
  train "$HEAD"
  "$BIN" eval --head "$HEAD" --data "$DATA"
  exit 0
fi
SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT
train "$SCRATCH/head"
"$BIN" eval --head "$HEAD" --data "$DATA" --format json > "$SCRATCH/committed.json"
"$BIN" eval --head "$SCRATCH/head" --data "$DATA" --format json > "$SCRATCH/fresh.json"
python3 - "$HEAD/model.safetensors" "$SCRATCH/head/model.safetensors" "$SCRATCH/committed.json" "$SCRATCH/fresh.json" <<'PY'
import json, struct, sys
def load(path):
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n]); body = raw[8 + n:]
    out = {}
    for name, t in header.items():
        if name == "__metadata__": continue
        a, b = t["data_offsets"]
        out[name] = struct.unpack("<%df" % ((b - a) // 4), body[a:b])
    return out
a, b = load(sys.argv[1]), load(sys.argv[2])
assert a.keys() == b.keys(), "tensor names differ"
worst = max(abs(x - y) for k in a for x, y in zip(a[k], b[k]))
ea, eb = json.load(open(sys.argv[3])), json.load(open(sys.argv[4]))
accs = [(ea["seen"]["accuracy"], eb["seen"]["accuracy"])] + [(p["accuracy"], q["accuracy"]) for p, q in zip(ea["unseen"], eb["unseen"])]
gap = max(abs(x - y) for x, y in accs)
print(f"max |Δweight| = {worst:.3g} (tolerance 1e-4); max |Δaccuracy| = {100 * gap:.2f} pp (tolerance 0.5 pp)")
sys.exit(0 if worst <= 1e-4 and gap <= 0.005 else 1)
PY

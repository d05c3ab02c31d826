#!/usr/bin/env bash
# Full-size training + evaluation runs of BENCHMARKS.md "## Training and evaluation" (release build).
# Markdown tables go to stdout, SVG plots to $PLOTS, datasets and heads to $OUT.
#   SEEDS="1 2 3" Tools/eval-synthetic.sh > eval.md
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="$(swift build -c release --show-bin-path)/reward"
OUT=${OUT:-.reward/eval}
PLOTS=${PLOTS:-docs/plots}
SEEDS=${SEEDS:-"1 2 3"}
export OPENBLAS_NUM_THREADS=1
mkdir -p "$OUT" "$PLOTS"

run() { echo "\$ ${*/#$BIN/reward}" >&2; "$@"; }

# The quality-target configuration: K=3, D=32, α=0.3, scale 10, 100 seen × 200 pairs, 100 unseen, 500 test pairs.
for seed in $SEEDS; do
  data="$OUT/ideal-point-seed$seed.ndjson"
  run "$BIN" synth --kind ideal-point --users 100 --unseen-users 100 --dim 32 --prototypes 3 --alpha 0.3 --scale 10 \
      --train-pairs 200 --test-pairs 500 --seed "$seed" --out "$data"
  run "$BIN" train --data "$data" --kind pal-b --prototypes 3 --hidden 32 --epochs 80 --seed "$seed" --out "$OUT/pal-b-seed$seed" 2>&1 | tail -1 >&2
  echo "### ideal-point, seed $seed"; echo
  run "$BIN" eval --head "$OUT/pal-b-seed$seed" --data "$data" --plot "$PLOTS/ideal-point-seed$seed.svg"
done

# 20% flipped training labels (each clean dataset's noisy twin), evaluated with that seed's head.
for seed in $SEEDS; do
  noisy="$OUT/ideal-point-seed$seed-noise0.2.ndjson"
  run "$BIN" synth --kind ideal-point --users 100 --unseen-users 100 --dim 32 --prototypes 3 --alpha 0.3 --scale 10 \
      --train-pairs 200 --test-pairs 500 --noise 0.2 --seed "$seed" --out "$noisy"
  echo "### ideal-point, seed $seed, 20% flipped training labels (head trained on the clean twin)"; echo
  run "$BIN" eval --head "$OUT/pal-b-seed$seed" --data "$noisy" --shots 16,64
done
first=${SEEDS%% *}

# Intransitive preferences: gpm against bt on held-out items.
cyclic="$OUT/cyclic-seed$first.ndjson"
run "$BIN" synth --kind cyclic --users 100 --unseen-users 100 --dim 16 --prototypes 4 --train-pairs 200 --test-pairs 500 \
    --seed "$first" --out "$cyclic"
run "$BIN" train --data "$cyclic" --kind gpm --prototypes 8 --weight-decay 0 --epochs 80 --seed "$first" --out "$OUT/gpm-cyclic" 2>&1 | tail -1 >&2
run "$BIN" train --data "$cyclic" --kind bt --hidden 64 --weight-decay 0.01 --epochs 80 --seed "$first" --out "$OUT/bt-cyclic" 2>&1 | tail -1 >&2
echo "### cyclic, seed $first: gpm"; echo
run "$BIN" eval --head "$OUT/gpm-cyclic" --data "$cyclic" --plot "$PLOTS/cyclic-gpm.svg"
echo "### cyclic, seed $first: bt"; echo
run "$BIN" eval --head "$OUT/bt-cyclic" --data "$cyclic" --shots 64

# Same circles, one orientation for everybody: only the cycles stand in a scalar reward's way.
shared="$OUT/cyclic-shared-seed$first.ndjson"
run "$BIN" synth --kind cyclic --users 100 --unseen-users 100 --dim 16 --prototypes 4 --train-pairs 200 --test-pairs 500 \
    --shared-orientation --seed "$first" --out "$shared"
run "$BIN" train --data "$shared" --kind gpm --prototypes 8 --weight-decay 0 --epochs 80 --seed "$first" --out "$OUT/gpm-cyclic-shared" 2>&1 | tail -1 >&2
run "$BIN" train --data "$shared" --kind bt --hidden 64 --weight-decay 0.01 --epochs 80 --seed "$first" --out "$OUT/bt-cyclic-shared" 2>&1 | tail -1 >&2
echo "### cyclic with one shared orientation, seed $first: gpm"; echo
run "$BIN" eval --head "$OUT/gpm-cyclic-shared" --data "$shared" --shots 1,4,16,64
echo "### cyclic with one shared orientation, seed $first: bt"; echo
run "$BIN" eval --head "$OUT/bt-cyclic-shared" --data "$shared" --shots 64

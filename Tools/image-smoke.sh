#!/usr/bin/env bash
# The image's contents run without a Docker engine: builds the binary the way the Dockerfile's builder does
# (`make release encoder` with the Dockerfile's BUILD_FLAGS: static Swift runtime), lays the runtime
# stage's /app out under a scratch directory, and runs the ENTRYPOINT with only the runtime stage's ENV,
# as its USER (uid), against a throwaway PostgreSQL. Then the HEALTHCHECK command, /readyz and a text
# /v1/score must succeed. System libraries come from this machine (the same Debian release as the runtime
# image; Tools/dockerfile_check.py matches them to the runtime packages). Not part of `make test`: the
# static release build takes minutes. Usage: Tools/image-smoke.sh   (make image-smoke)
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(python3 - <<'PY'
import json, re, shlex, sys
sys.path.insert(0, "Tools")
from dockerfile_check import instructions
text = open("Dockerfile").read()
steps = instructions(text)
final = max(s for s, _, _ in steps)
last = {k: r for s, k, r in steps if s == final}
env = []
for s, k, r in steps:
    if s == final and k == "ENV":
        env += shlex.split(r)
print("build_flags=" + shlex.quote(re.search(r'BUILD_FLAGS="([^"]*)"', text).group(1)))
print("image_env=(" + " ".join(shlex.quote(e) for e in env) + ")")
print("entrypoint=(" + " ".join(shlex.quote(a) for a in json.loads(last["ENTRYPOINT"])) + ")")
print("healthcheck=(" + " ".join(shlex.quote(a) for a in json.loads(last["HEALTHCHECK"].split("CMD", 1)[1])) + ")")
print("uid=" + shlex.quote(last["USER"].split(":")[0]))
PY
)"
REWARD_DEPS=build Tools/install-deps.sh   # what the builder stage installs (libcurl's headers for static Foundation)
make release encoder BUILD_FLAGS="$build_flags" >/dev/null
bin=$(swift build -c release --show-bin-path)
if ldd "$bin/reward" | grep -q 'lib/swift/linux'; then
    echo "image-smoke: the binary still links the Swift runtime dynamically" >&2; exit 1
fi
root=$(mktemp -d)
chmod 755 "$root"
server=""
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
    Tools/pg.sh stop "$root/pg" || true
    rm -rf "$root"
}
trap cleanup EXIT
# The runtime stage's files: /app (heads, encoder) and the binary; paths in ENV are rewritten to the scratch root.
mkdir -p "$root/app/models" "$root/bin"
cp -R Deploy/heads "$root/app/heads"
cp -R .reward/models/all-MiniLM-L6-v2 "$root/app/models/"
cp "$bin/reward" "$root/bin/reward"
chmod -R a+rX "$root/app" "$root/bin"
database=$(Tools/pg.sh start "$root/pg")
# On 0.0.0.0 the server refuses to start without an API key: bootstrap one from a file, as compose and k8s do.
mkdir -p "$root/secrets"
"$root/bin/reward" keys generate >"$root/secrets/bootstrap-key"
chmod 0444 "$root/secrets/bootstrap-key"
key=$(cut -d' ' -f1 "$root/secrets/bootstrap-key")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
env_args=()
for e in "${image_env[@]}"; do env_args+=("${e//\/app/$root/app}"); done
# SWIFT_BACKTRACE names the image's backtracer path; the local toolchain has its own.
env_args=("${env_args[@]/SWIFT_BACKTRACE=*/SWIFT_BACKTRACE=enable=no}")
args=("${entrypoint[@]:1}")
cd "$root/app"   # the image's WORKDIR
env -i PATH=/usr/bin:/bin HOME=/nonexistent DATABASE_URL="$database" \
    REWARD_BOOTSTRAP_KEY_FILE="$root/secrets/bootstrap-key" "${env_args[@]}" \
    setpriv --reuid="$uid" --regid="$uid" --clear-groups \
    "$root/bin/reward" "${args[@]}" --port "$port" --log-format text >"$root/out.log" 2>&1 &
server=$!
cd - >/dev/null
for _ in $(seq 600); do curl -sf -o /dev/null "http://127.0.0.1:$port/readyz" && break; sleep 0.1; done
health=("${healthcheck[@]/:8080\//:$port/}")
"${health[@]}" || { echo "image-smoke: HEALTHCHECK failed"; cat "$root/out.log"; exit 1; } >&2
curl -sf "http://127.0.0.1:$port/readyz" >/dev/null
anonymous=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v1/heads")
[ "$anonymous" = 401 ] || { echo "image-smoke: /v1/heads without a key answered $anonymous, not 401" >&2; exit 1; }
reply=$(curl -sf "http://127.0.0.1:$port/v1/score" -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
    -d '{"user":"smoke","items":[{"text":"I love helping people."},{"text":"I enjoy arguing."}]}') \
    || { echo "image-smoke: text scoring failed"; cat "$root/out.log"; exit 1; } >&2
rss=$(awk '/VmRSS/ {printf "%.0f MB", $2 / 1024}' "/proc/$server/status")
echo "image-smoke: ${entrypoint[*]} as uid $uid with the image's ENV and a bootstrap key file only: HEALTHCHECK ok, /readyz ok, /v1 without a key 401, $reply, RSS $rss"

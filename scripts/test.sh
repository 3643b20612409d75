#!/usr/bin/env bash
# Installs the Debian packages, builds everything (release preset: Ninja, ccache, -j2)
# and runs the whole test suite. This is what CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh
cmake --preset release
cmake --build --preset release
ctest --preset release

#!/usr/bin/env bash
# Installs the Debian packages, builds everything (release preset: Ninja, ccache, -j2)
# and runs the whole test suite. This is what CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
# ccache keys on paths relative to the checkout, so a fresh clone elsewhere still hits.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}"
export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-true}"
bash scripts/install_deps.sh
cmake --preset release
cmake --build --preset release
ctest --preset release

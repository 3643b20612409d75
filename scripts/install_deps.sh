#!/usr/bin/env bash
# Installs every Debian 12 package Tailor needs to build, test and benchmark.
# Idempotent: packages already present are left alone. Nothing is downloaded at build time.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config git clang clang-tidy clang-format
  # libraries (see docs/design.md §7)
  librocksdb-dev libboost1.74-dev libboost-system1.74-dev libboost-math1.74-dev
  libsimdjson-dev nlohmann-json3-dev libvalijson-dev libyaml-cpp-dev
  libeigen3-dev libhnswlib-dev libxxhash-dev libssl-dev libkainjow-mustache-dev
  libcli11-dev libspdlog-dev libfmt-dev libhiredis-dev libjemalloc-dev robin-map-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev python3 python3-scipy curl wrk
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install_deps: all ${#packages[@]} packages present"
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install_deps: installing ${#missing[@]} packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"

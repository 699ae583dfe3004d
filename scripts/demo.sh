#!/usr/bin/env bash
# The local demo. Until the bridge server lands, it builds the verifier and
# runs the admin tool over the shared recorded ceremonies.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
shared=${BRIDGE_SHARED_DIR:-$PWD/../shared}
exec build/bridgectl verify "$shared"/vectors/cases/*.json

#!/usr/bin/env bash
# Cross-compiles every source of the native addon for aarch64 (Linux; Apple Silicon takes the same
# code paths), so x86-only code (target_clones names, AVX intrinsics, #pragma GCC target) that is
# not behind an x86 guard fails CI instead of failing `npm install` on an ARM machine. Compiles to
# object code (no link), warnings as errors: clang only warns about an ignored x86 clone target
# where GCC, which node-gyp uses there, stops. Needs clang and Debian's aarch64 C++ headers
# (libstdc++-12-dev-arm64-cross) plus the Node headers (/usr/include/node, or NODE_INCLUDE).
set -euo pipefail
cd "$(dirname "$0")/.."
node_include=${NODE_INCLUDE:-/usr/include/node}
[ -f "$node_include/node_api.h" ] || node_include="$(dirname "$(dirname "$(command -v node)")")/include/node"
addon_api=$(node -p "require('node-addon-api').include_dir")
failed=0
for src in native/*.cc; do
  if ! clang++ --target=aarch64-linux-gnu -std=c++17 -O2 -fexceptions -fno-math-errno -ffp-contract=off \
      -Wall -Werror -DNAPI_VERSION=8 -DNAPI_CPP_EXCEPTIONS -DNODE_ADDON_API_DISABLE_DEPRECATED \
      -I"$node_include" -I"$addon_api" -c -o /dev/null "$src"; then
    echo "check-aarch64: $src does not build for aarch64" >&2
    failed=1
  fi
done
[ "$failed" = 0 ] && echo "check-aarch64: all $(ls native/*.cc | wc -l) addon sources build for aarch64"
exit "$failed"

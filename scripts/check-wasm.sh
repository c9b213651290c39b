#!/usr/bin/env bash
# CI: the shipped native/wasm/flint.wasm must equal a fresh build of the sources (so it is never
# stale or hand-edited). Needs Debian's clang, lld, wasi-libc, libc++-dev-wasm32 and
# libclang-rt-dev-wasm32; `npm run build:wasm` rebuilds the shipped file after a kernel change.
set -euo pipefail
cd "$(dirname "$0")/.."
fresh=$(mktemp --suffix=.wasm)
trap 'rm -f "$fresh"' EXIT
OUT="$fresh" native/wasm/build.sh >/dev/null
if ! cmp -s "$fresh" native/wasm/flint.wasm; then
  echo "check-wasm: native/wasm/flint.wasm differs from a fresh build ($(wc -c <"$fresh") bytes fresh, $(wc -c <native/wasm/flint.wasm) shipped); run \`npm run build:wasm\` and commit it" >&2
  exit 1
fi
echo "check-wasm: native/wasm/flint.wasm equals a fresh build"

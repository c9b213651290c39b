#!/usr/bin/env bash
# CI: the shipped native/wasm/*.wasm (flint.wasm, flint-mt.wasm and their -relaxed builds) must
# equal a fresh build of the sources (so they are never stale or hand-edited). Needs Debian's
# clang, lld, wasi-libc, libc++-dev-wasm32 and libclang-rt-dev-wasm32, and node; `npm run
# build:wasm` rebuilds the shipped files after a kernel change.
set -euo pipefail
cd "$(dirname "$0")/.."
fresh=$(mktemp -d)
trap 'rm -rf "$fresh"' EXIT
OUT="$fresh/flint.wasm" native/wasm/build.sh >/dev/null
for f in flint.wasm flint-mt.wasm flint-relaxed.wasm flint-mt-relaxed.wasm; do
  if ! cmp -s "$fresh/$f" "native/wasm/$f"; then
    echo "check-wasm: native/wasm/$f differs from a fresh build ($(wc -c <"$fresh/$f") bytes fresh, $(wc -c <"native/wasm/$f") shipped); run \`npm run build:wasm\` and commit it" >&2
    exit 1
  fi
done
echo "check-wasm: native/wasm/flint{,-mt}{,-relaxed}.wasm equal a fresh build"

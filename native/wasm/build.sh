#!/usr/bin/env bash
# Builds native/wasm/flint.wasm: the kernels of native/ (the same sources as the Node addon,
# without its N-API bindings and with a one-thread pool) for wasm32 + SIMD128, with Debian's
# clang, lld, wasi-libc, libc++ for wasm32 and compiler-rt's wasm32 builtins (no Emscripten).
# Flags are pinned here; no debug info, and the source paths are mapped to "flint/", so the file
# is byte-for-byte the same for the same toolchain. `npm run build:wasm`; checked in CI by
# scripts/check-wasm.sh. OUT=path writes elsewhere (the check builds into a temporary file).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${OUT:-native/wasm/flint.wasm}
cxx=${CXX_WASM:-clang++}
sysroot=${WASI_SYSROOT:-/usr}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sources=(
  native/wasm/exports.cc native/wasm/threadpool_single.cc
  native/gemm.cc native/gemm_wasm_simd128.cc native/gemm_avx2.cc native/gemm_avx512.cc
  native/conv.cc native/conv_direct.cc native/conv_direct_avx512.cc native/im2col.cc native/im2col_avx512.cc
  native/pool.cc native/copy.cc native/rnn_cell.cc native/elementwise.cc native/elementwise_base.cc
  native/elementwise_avx2.cc native/elementwise_avx512.cc native/rowops.cc native/optim.cc native/scratch.cc
)
flags=(--target=wasm32-wasi --sysroot="$sysroot" -std=c++17 -O3 -msimd128 -fno-exceptions -fno-rtti
  -fno-math-errno -ffp-contract=off -fvisibility=hidden -g0 -ffile-prefix-map="$PWD"=flint -Wall -Werror)
objs=()
for src in "${sources[@]}"; do
  obj="$tmp/$(basename "$src" .cc).o"
  "$cxx" "${flags[@]}" -c "$src" -o "$obj"
  objs+=("$obj")
done
# A reactor module (no main): the JavaScript side calls the exports. The memory grows on demand
# up to 4 GiB; the stack is 1 MiB.
"$cxx" --target=wasm32-wasi --sysroot="$sysroot" -mexec-model=reactor -O3 "${objs[@]}" \
  -Wl,--no-entry -Wl,--strip-all -Wl,--gc-sections -Wl,--growable-table -Wl,-z,stack-size=1048576 \
  -Wl,--initial-memory=16777216 -Wl,--max-memory=4294967296 -Wl,--export=_initialize \
  -o "$out.tmp"
mv "$out.tmp" "$out"
echo "build-wasm: $out ($(wc -c <"$out") bytes)"

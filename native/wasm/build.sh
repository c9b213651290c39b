#!/usr/bin/env bash
# Builds the WebAssembly kernels: the kernels of native/ (the same sources as the Node addon,
# without its N-API bindings) for wasm32 + SIMD128, with Debian's clang, lld, wasi-libc, libc++
# for wasm32 and compiler-rt's wasm32 builtins (no Emscripten). Four files:
#   native/wasm/flint.wasm     one thread, its own memory (works everywhere)
#   native/wasm/flint-mt.wasm  threads: imports a shared memory (env.memory) and is instantiated
#                              once per worker on it (src/backend/wasm/threads.ts); needs
#                              SharedArrayBuffer (Node; browsers when cross-origin isolated)
#   native/wasm/flint-relaxed.wasm, flint-mt-relaxed.wasm  the same with relaxed SIMD: the GEMM
#                              micro-kernel (native/gemm_wasm_simd128.cc, which convolutions run
#                              through) and the direct convolution's (conv_direct_wasm_simd128.cc)
#                              multiply-add with f32x4.relaxed_madd, fused as the native addon's
#                              AVX2/AVX-512 FMA. The loaders pick them where the engine validates
#                              relaxed SIMD (src/backend/wasm/relaxed.ts).
# Flags are pinned here; no debug info, and the source paths are mapped to "flint/", so the files
# are byte-for-byte the same for the same toolchain. `npm run build:wasm`; checked in CI by
# scripts/check-wasm.sh. OUT=path (and OUT_MT=path) write elsewhere (the check builds into
# temporary files); the relaxed files go beside them with -relaxed before .wasm. Needs node (for
# native/wasm/relaxed-opcodes.mjs).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${OUT:-native/wasm/flint.wasm}
out_mt=${OUT_MT:-${out%.wasm}-mt.wasm}
cxx=${CXX_WASM:-clang++}
sysroot=${WASI_SYSROOT:-/usr}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
kernels=(
  native/gemm.cc native/gemm_wasm_simd128.cc native/gemm_avx2.cc native/gemm_avx512.cc
  native/conv.cc native/conv_direct.cc native/conv_direct_avx512.cc native/conv_direct_wasm_simd128.cc native/im2col.cc native/im2col_avx512.cc
  native/pool.cc native/copy.cc native/rnn_cell.cc native/elementwise.cc native/elementwise_base.cc
  native/elementwise_avx2.cc native/elementwise_avx512.cc native/rowops.cc native/optim.cc native/scratch.cc native/wasm/im2col_wasm.cc native/wasm/pool_wasm.cc
)
flags=(--target=wasm32-wasi --sysroot="$sysroot" -std=c++17 -O3 -msimd128 -fno-exceptions -fno-rtti
  -fno-math-errno -ffp-contract=off -fvisibility=hidden -g0 -ffile-prefix-map="$PWD"=flint -Wall -Werror)

# compile DIR FLAGS... -- SOURCES...: objects into $tmp/DIR, their paths in the array objs.
compile() {
  local dir=$tmp/$1
  shift
  local extra=()
  while [ "$1" != "--" ]; do extra+=("$1"); shift; done
  shift
  mkdir -p "$dir"
  objs=()
  for src in "$@"; do
    local obj="$dir/$(basename "$src" .cc).o"
    "$cxx" "${flags[@]}" "${extra[@]}" -c "$src" -o "$obj"
    objs+=("$obj")
  done
}
# A reactor module (no main): the JavaScript side calls the exports. The memory grows on demand
# up to 4 GiB; the stack is 1 MiB.
link=(--target=wasm32-wasi --sysroot="$sysroot" -mexec-model=reactor -O3 -Wl,--no-entry -Wl,--strip-all
  -Wl,--gc-sections -Wl,--growable-table -Wl,-z,stack-size=1048576 -Wl,--initial-memory=16777216
  -Wl,--max-memory=4294967296 -Wl,--export=_initialize)

# The relaxed variant of a build: the same objects but the SIMD128 micro-kernels (GEMM, direct
# convolution), compiled again with -mrelaxed-simd; clang 14 encodes the multiply-add with the
# proposal's prototype opcode, which relaxed-opcodes.mjs rewrites to the final one. Args: output, compile flags..., -- link flags...
relaxed() {
  local target=$1 dir=$2
  shift 2
  local extra=()
  while [ "$1" != "--" ]; do extra+=("$1"); shift; done
  shift
  local robjs=() o base
  for o in "${objs[@]}"; do
    base=$(basename "$o" .o)
    case $base in
    gemm_wasm_simd128 | conv_direct_wasm_simd128)
      "$cxx" "${flags[@]}" "${extra[@]}" -mrelaxed-simd -c "native/$base.cc" -o "$tmp/$dir/$base.relaxed.o"
      robjs+=("$tmp/$dir/$base.relaxed.o")
      ;;
    *) robjs+=("$o") ;;
    esac
  done
  "$cxx" "${link[@]}" "$@" "${robjs[@]}" -o "$target.tmp"
  node native/wasm/relaxed-opcodes.mjs "$target.tmp" >/dev/null
  mv "$target.tmp" "$target"
  echo "build-wasm: $target ($(wc -c <"$target") bytes)"
}

compile st -- native/wasm/exports.cc native/wasm/threadpool_single.cc "${kernels[@]}"
"$cxx" "${link[@]}" "${objs[@]}" -o "$out.tmp"
mv "$out.tmp" "$out"
echo "build-wasm: $out ($(wc -c <"$out") bytes)"
relaxed "${out%.wasm}-relaxed.wasm" st --

# The threaded build: atomics and real thread-locals, one shared imported memory whose data
# segments the first instance initialises. Debian's wasi-libc is not built with atomics, hence
# --no-check-features; its malloc gets a lock (malloc_lock.cc, through --wrap), and nothing
# else of libc the kernels call keeps state.
mt_flags=(-matomics -mbulk-memory -ftls-model=local-exec)
compile mt "${mt_flags[@]}" -- native/wasm/exports.cc native/wasm/threadpool_workers.cc \
  native/wasm/malloc_lock.cc "${kernels[@]}"
wraps=()
for f in malloc free calloc realloc aligned_alloc posix_memalign; do wraps+=("-Wl,--wrap=$f"); done
mt_link=(-Wl,--import-memory -Wl,--shared-memory -Wl,--no-check-features -Wl,--export=__stack_pointer "${wraps[@]}")
"$cxx" "${link[@]}" "${mt_link[@]}" "${objs[@]}" -o "$out_mt.tmp"
mv "$out_mt.tmp" "$out_mt"
echo "build-wasm: $out_mt ($(wc -c <"$out_mt") bytes)"
relaxed "${out_mt%.wasm}-relaxed.wasm" mt "${mt_flags[@]}" -- "${mt_link[@]}"

// Dispatch (ISA chosen once) and threading (big arrays split in cache-line aligned chunks).
#include "elementwise.h"

#include "gemm.h"
#include "threadpool.h"

namespace flint {
namespace {

const ElementwiseKernels& kernels() {
  static const ElementwiseKernels k = avx512Supported() ? elementwiseAvx512()
                                      : avx2Supported() ? elementwiseAvx2()
                                                        : elementwiseBase();
  return k;
}

// Transcendental ops cost ~10x a memory-bound add, so they go parallel at smaller sizes.
template <typename Fn>
void split(int64_t n, int64_t minPerTask, const Fn& fn) {
  int T = splitWork(n, minPerTask);
  if (T <= 1) {
    fn(0, n);
    return;
  }
  parallelFor(T, [&](int t, int tasks) {
    int64_t units = (n + 15) / 16, b, e;
    chunkRange(units, t, tasks, b, e);
    b *= 16;
    e = e * 16 < n ? e * 16 : n;
    if (e > b) fn(b, e - b);
  });
}

bool expensive(int op) { return op == kExp || op == kLog || op == kSigmoid || op == kTanh; }

}  // namespace

void unary(int op, const float* x, float* out, int64_t n) {
  auto f = kernels().unary;
  split(n, expensive(op) ? 1 << 13 : 1 << 17, [&](int64_t b, int64_t len) { f(op, x + b, out + b, len); });
}

void binary(int op, const float* a, const float* b, float* out, int64_t n) {
  auto f = kernels().binary;
  split(n, 1 << 17, [&](int64_t s, int64_t len) { f(op, a + s, b + s, out + s, len); });
}

void binaryScalar(int op, const float* a, float s, float* out, int64_t n) {
  auto f = kernels().binaryScalar;
  split(n, 1 << 17, [&](int64_t b, int64_t len) { f(op, a + b, s, out + b, len); });
}

void addScaled(const float* a, const float* b, float alpha, float* out, int64_t n) {
  auto f = kernels().addScaled;
  split(n, 1 << 17, [&](int64_t s, int64_t len) { f(a + s, b + s, alpha, out + s, len); });
}

}  // namespace flint

// Dispatch (ISA chosen once) and threading (big arrays split in cache-line aligned chunks).
#include "elementwise.h"

#include <algorithm>
#include <vector>

#include "copy.h"
#include "gemm.h"
#include "scratch.h"
#include "threadpool.h"

namespace flint {
namespace {

const ElementwiseKernels& kernels() {
  static const ElementwiseKernels k = avx512Supported() ? elementwiseAvx512()
                                      : avx2Supported() ? elementwiseAvx2()
                                                        : elementwiseBase();
  return k;
}

// Transcendental ops cost several times a memory-bound add, so they go parallel at smaller sizes
// (65536 elements) than memory-bound ones (add, mul, relu: 131072). Waking the second thread
// costs ~15-20 us here, more than half of a 64k-element op (bench/ops-latency.ts --worker, 2
// threads: add 64k 45-48 us split over two vs 20-27 us on one, exp 64k 34-35 vs 27-28), while
// PyTorch's OpenMP threads spin between ops instead of sleeping; so PyTorch's own grain (32768)
// would lose here.
constexpr int64_t kGrain = 1 << 16, kCheapGrain = 1 << 17;
bool expensive(int op) { return op == kExp || op == kLog || op == kSigmoid || op == kTanh; }
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

}  // namespace

void unary(int op, const float* x, float* out, int64_t n) {
  auto f = kernels().unary;
  split(n, expensive(op) ? kGrain : kCheapGrain, [&](int64_t b, int64_t len) { f(op, x + b, out + b, len); });
}

void binary(int op, const float* a, const float* b, float* out, int64_t n) {
  auto f = kernels().binary;
  split(n, kCheapGrain, [&](int64_t s, int64_t len) { f(op, a + s, b + s, out + s, len); });
}

void binaryScalar(int op, const float* a, float s, float* out, int64_t n) {
  auto f = kernels().binaryScalar;
  split(n, kCheapGrain, [&](int64_t b, int64_t len) { f(op, a + b, s, out + b, len); });
}

// The op with its operands swapped (s op a as a op' s), or -1 when there is none.
static int reversedOp(int op) {
  switch (op) {
    case kAdd: case kMul: case kMax: case kMin: return op;
    case kSub: return kRSub;
    case kDiv: return kRDiv;
    case kRSub: return kSub;
    case kRDiv: return kDiv;
    default: return -1;
  }
}

void binaryStrided(int op, const float* a, const int64_t* aStrides, const float* b, const int64_t* bStrides,
                   float* out, const int64_t* shape, int nd) {
  // The dense output merges wherever both operands do, so the operands' merge is the whole rule.
  int64_t total = 1;
  for (int i = 0; i < nd; ++i) total *= shape[i];
  if (total == 0) return;
  MergedDims m = mergeDims(shape, aStrides, bStrides, nd);
  std::vector<int64_t>& n = m.shape;
  std::vector<int64_t>& sa = m.a;
  std::vector<int64_t>& sb = m.b;
  if (n.empty()) {
    n.push_back(1);
    sa.push_back(0);
    sb.push_back(0);
  }
  const int k = static_cast<int>(n.size()) - 1;
  const int64_t len = n[k], ia = sa[k], ib = sb[k], rows = total / len;
  const ElementwiseKernels& K = kernels();
  const int rev = reversedOp(op);
  const int T = splitWork(total, 1 << 16);
  parallelFor(static_cast<int>(std::min<int64_t>(rows, T)), [&](int t, int tasks) {
    int64_t r0, r1;
    chunkRange(rows, t, tasks, r0, r1);
    // Offsets of row r0, then advanced like an odometer over the outer dims.
    std::vector<int64_t> idx(static_cast<size_t>(k), 0);
    int64_t ao = 0, bo = 0;
    for (int64_t r = r0, d = k - 1; d >= 0; --d) {
      idx[static_cast<size_t>(d)] = r % n[d];
      r /= n[d];
      ao += idx[static_cast<size_t>(d)] * sa[d];
      bo += idx[static_cast<size_t>(d)] * sb[d];
    }
    float* ta = nullptr;
    float* tb = nullptr;
    for (int64_t r = r0; r < r1; ++r) {
      float* o = out + r * len;
      const float* pa = a + ao;
      const float* pb = b + bo;
      if (ia == 1 && ib == 1) K.binary(op, pa, pb, o, len);
      else if (ia == 1 && ib == 0) K.binaryScalar(op, pa, *pb, o, len);
      else if (ia == 0 && ib == 1 && rev >= 0) K.binaryScalar(rev, pb, *pa, o, len);
      else {
        // Any other layout: gather the strided operand(s) into a dense row first.
        if (ia != 1) {
          if (!ta) ta = scratch(kSlotRow, static_cast<size_t>(2 * len));
          for (int64_t j = 0; j < len; ++j) ta[j] = pa[j * ia];
          pa = ta;
        }
        if (ib != 1) {
          if (!tb) tb = scratch(kSlotRow, static_cast<size_t>(2 * len)) + len;
          for (int64_t j = 0; j < len; ++j) tb[j] = pb[j * ib];
          pb = tb;
        }
        K.binary(op, pa, pb, o, len);
      }
      for (int d = k - 1; d >= 0; --d) {
        ao += sa[d];
        bo += sb[d];
        if (++idx[static_cast<size_t>(d)] < n[d]) break;
        ao -= n[d] * sa[d];
        bo -= n[d] * sb[d];
        idx[static_cast<size_t>(d)] = 0;
      }
    }
  });
}

void addScaled(const float* a, const float* b, float alpha, float* out, int64_t n) {
  auto f = kernels().addScaled;
  split(n, kCheapGrain, [&](int64_t s, int64_t len) { f(a + s, b + s, alpha, out + s, len); });
}

void hardtanh(const float* x, float lo, float hi, float* out, int64_t n) {
  auto f = kernels().hardtanh;
  split(n, kCheapGrain, [&](int64_t s, int64_t len) { f(x + s, lo, hi, out + s, len); });
}

void hardtanhBackward(const float* g, const float* x, float lo, float hi, float* out, int64_t n) {
  auto f = kernels().hardtanhBackward;
  split(n, kCheapGrain, [&](int64_t s, int64_t len) { f(g + s, x + s, lo, hi, out + s, len); });
}

}  // namespace flint

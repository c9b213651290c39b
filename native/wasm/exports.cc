// The C ABI of the WebAssembly build: the same kernel functions the N-API bindings call, with
// pointers into the module's memory and 32-bit sizes (a wasm32 heap holds < 2^31 floats), so the
// JavaScript side (src/backend/wasm/kernels.ts) never needs BigInt. Strides and shapes arrive as
// int32 arrays in the heap. Argument checking lives on the JavaScript side, which knows the
// array lengths; here an invalid call is a caller bug.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "../conv.h"
#include "../conv_direct.h"
#include "../copy.h"
#include "../elementwise.h"
#include "../gemm.h"
#include "../optim.h"
#include "../pool.h"
#include "../rnn_cell.h"
#include "../rowops.h"
#include "../threadpool.h"

#define FLINT_EXPORT(name) extern "C" __attribute__((export_name(#name), used))

using namespace flint;

namespace {

std::vector<int64_t> widen(const int32_t* v, int n) { return std::vector<int64_t>(v, v + n); }

ConvShape convShape(const int32_t* g) {
  ConvShape s{g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[9], g[10], g[11], g[12], g[13], 0, 0};
  conv2dOutputSize(s);
  return s;
}

PoolShape poolShape(const int32_t* g) {
  return PoolShape{g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[9], g[10], g[11], g[12], g[13]};
}

}  // namespace

// Memory for the JavaScript side (64-byte aligned, as the kernels' scratch).
FLINT_EXPORT(flint_alloc) void* flintAlloc(uint32_t bytes) {
  return std::aligned_alloc(64, (bytes + 63) & ~63u);
}
FLINT_EXPORT(flint_free) void flintFree(void* p) { std::free(p); }

// The elementwise op names in opcode order (NUL-terminated strings in the module's memory), so
// the JavaScript side resolves opcodes by name as it does for the addon (native/elementwise.h).
FLINT_EXPORT(flint_unary_op_count) int flintUnaryOpCount() { return kUnaryCount; }
FLINT_EXPORT(flint_unary_op_name) const char* flintUnaryOpName(int i) { return kUnaryOpNames[i]; }
FLINT_EXPORT(flint_binary_op_count) int flintBinaryOpCount() { return kBinaryCount; }
FLINT_EXPORT(flint_binary_op_name) const char* flintBinaryOpName(int i) { return kBinaryOpNames[i]; }

FLINT_EXPORT(flint_num_threads) int flintNumThreads() { return numThreads(); }
// The GEMM level in use: 0 scalar, 1 wasm-simd128 (names from gemmKernel().name).
FLINT_EXPORT(flint_isa_is_simd128) int flintIsaIsSimd128() { return gemmKernel().name[0] == 'w'; }
FLINT_EXPORT(flint_set_isa) int flintSetIsa(int simd128) { return setGemmIsa(simd128 ? "wasm-simd128" : "scalar"); }
// The SIMD128 micro-kernel's A-load variant (0: broadcast loads, 1: vector loads; the same floats),
// chosen by the loader per engine (src/backend/wasm/gemm-variant.ts). Returns the level in use
// again (the variant applies to the SIMD128 level only; a scalar level stays scalar).
FLINT_EXPORT(flint_set_gemm_variant) int flintSetGemmVariant(int variant) {
  setWasmSimd128Variant(variant);
  return flintIsaIsSimd128() ? setGemmIsa("wasm-simd128") : 1;
}

// The implicit-GEMM convolution (stride 1: forward, input and weight gradients; native/conv_direct.cc) on
// (1, the default) or off (0: im2col + GEMM, for A/B tests and benchmarks; FLINT_WASM_DIRECT_CONV=0).
FLINT_EXPORT(flint_set_direct_conv) void flintSetDirectConv(int on) { setDirectConvEnabled(on != 0); }

FLINT_EXPORT(flint_sgemm)
void flintSgemm(int tA, int tB, int M, int N, int K, float alpha, const float* A, int lda, const float* B, int ldb,
                float beta, float* C, int ldc) {
  sgemm(tA != 0, tB != 0, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

// geometry: N, C, H, W, OC, KH, KW, sH, sW, pH, pW, dH, dW, groups
FLINT_EXPORT(flint_conv2d_forward)
void flintConv2dForward(const float* x, const float* w, const float* bias, float* out, const int32_t* geometry) {
  conv2dForward(convShape(geometry), x, w, bias, out);
}
FLINT_EXPORT(flint_conv2d_backward_input)
void flintConv2dBackwardInput(const float* gradOut, const float* w, float* gradIn, const int32_t* geometry) {
  conv2dBackwardInput(convShape(geometry), gradOut, w, gradIn);
}
FLINT_EXPORT(flint_conv2d_backward_weight)
void flintConv2dBackwardWeight(const float* x, const float* gradOut, float* gradW, float* gradBias,
                               const int32_t* geometry) {
  conv2dBackwardWeight(convShape(geometry), x, gradOut, gradW, gradBias);
}

// geometry: N, C, H, W, KH, KW, sH, sW, pH, pW, dH, dW, OH, OW; indices are float64 (int64 values).
FLINT_EXPORT(flint_max_pool2d_forward)
void flintMaxPool2dForward(const float* x, float* out, double* indices, const int32_t* geometry) {
  maxPool2dForward(poolShape(geometry), x, out, indices);
}
FLINT_EXPORT(flint_max_pool2d_backward)
void flintMaxPool2dBackward(const float* gradOut, const double* indices, float* gradIn, const int32_t* geometry) {
  maxPool2dBackward(poolShape(geometry), gradOut, indices, gradIn);
}
FLINT_EXPORT(flint_avg_pool2d_forward)
void flintAvgPool2dForward(const float* x, float* out, const int32_t* geometry, int countIncludePad, int divisor) {
  avgPool2dForward(poolShape(geometry), x, out, countIncludePad != 0, divisor);
}
FLINT_EXPORT(flint_avg_pool2d_backward)
void flintAvgPool2dBackward(const float* gradOut, float* gradIn, const int32_t* geometry, int countIncludePad,
                            int divisor) {
  avgPool2dBackward(poolShape(geometry), gradOut, gradIn, countIncludePad != 0, divisor);
}

FLINT_EXPORT(flint_copy_strided)
void flintCopyStrided(const float* src, const int32_t* srcStrides, float* dst, const int32_t* dstStrides,
                      const int32_t* shape, int nd) {
  std::vector<int64_t> ss = widen(srcStrides, nd), ds = widen(dstStrides, nd), sh = widen(shape, nd);
  copyStrided(src, ss.data(), dst, ds.data(), sh.data(), nd);
}
FLINT_EXPORT(flint_binary_strided)
void flintBinaryStrided(int op, const float* a, const int32_t* aStrides, const float* b, const int32_t* bStrides,
                        float* out, const int32_t* shape, int nd) {
  std::vector<int64_t> as = widen(aStrides, nd), bs = widen(bStrides, nd), sh = widen(shape, nd);
  binaryStrided(op, a, as.data(), b, bs.data(), out, sh.data(), nd);
}

FLINT_EXPORT(flint_unary) void flintUnary(int op, const float* x, float* out, int n) { unary(op, x, out, n); }
FLINT_EXPORT(flint_binary) void flintBinary(int op, const float* a, const float* b, float* out, int n) {
  binary(op, a, b, out, n);
}
FLINT_EXPORT(flint_binary_scalar) void flintBinaryScalar(int op, const float* a, float s, float* out, int n) {
  binaryScalar(op, a, s, out, n);
}
FLINT_EXPORT(flint_add_scaled) void flintAddScaled(const float* a, const float* b, float alpha, float* out, int n) {
  addScaled(a, b, alpha, out, n);
}

FLINT_EXPORT(flint_lstm_cell_forward)
void flintLstmCellForward(const float* gates, const float* c, float* hy, float* cy, float* act, int B, int H) {
  lstmCellForward(gates, c, hy, cy, act, B, H);
}
FLINT_EXPORT(flint_lstm_cell_backward)
void flintLstmCellBackward(const float* act, const float* c, const float* dhy, const float* dcy, float* dgates,
                           float* dc, int B, int H) {
  lstmCellBackward(act, c, dhy, dcy, dgates, dc, B, H);
}

FLINT_EXPORT(flint_sum_rows) void flintSumRows(const float* x, float* out, int outer, int n, int inner) {
  sumRows(x, out, outer, n, inner);
}
FLINT_EXPORT(flint_bias_grad_nchw) void flintBiasGradNCHW(const float* g, float* out, int N, int C, int HW) {
  biasGradNCHW(g, out, N, C, HW);
}
FLINT_EXPORT(flint_log_softmax_rows) void flintLogSoftmaxRows(const float* x, float* out, int rows, int cols) {
  logSoftmaxRows(x, out, rows, cols);
}
FLINT_EXPORT(flint_softmax_rows) void flintSoftmaxRows(const float* x, float* out, int rows, int cols) {
  softmaxRows(x, out, rows, cols);
}
FLINT_EXPORT(flint_log_softmax_backward_rows)
void flintLogSoftmaxBackwardRows(const float* gradOut, const float* y, float* gradIn, int rows, int cols) {
  logSoftmaxBackwardRows(gradOut, y, gradIn, rows, cols);
}
FLINT_EXPORT(flint_softmax_backward_rows)
void flintSoftmaxBackwardRows(const float* gradOut, const float* y, float* gradIn, int rows, int cols) {
  softmaxBackwardRows(gradOut, y, gradIn, rows, cols);
}
// Returns the loss; *badRow is set to the first row whose target is out of range (else -1).
FLINT_EXPORT(flint_cross_entropy)
double flintCrossEntropy(const float* logits, const double* targets, float* grad, int rows, int cols,
                         double labelSmoothing, double ignoreIndex, int32_t* badRow) {
  int64_t bad = -1;
  const double loss = crossEntropy(logits, targets, grad, rows, cols, labelSmoothing,
                                   static_cast<int64_t>(ignoreIndex), &bad);
  *badRow = static_cast<int32_t>(bad);
  return loss;
}

FLINT_EXPORT(flint_sgd_step)
void flintSgdStep(float* param, const float* grad, float* buf, int n, double lr, double momentum, double dampening,
                  double weightDecay, int nesterov, int maximize, int firstStep) {
  sgdStep(param, grad, buf, n, SgdOptions{lr, momentum, dampening, weightDecay, nesterov != 0, maximize != 0, firstStep != 0});
}
FLINT_EXPORT(flint_adam_step)
void flintAdamStep(float* param, const float* grad, float* expAvg, float* expAvgSq, float* maxExpAvgSq, int n,
                   double lr, double beta1, double beta2, double eps, double weightDecay, double step, int amsgrad,
                   int maximize, int decoupled) {
  adamStep(param, grad, expAvg, expAvgSq, maxExpAvgSq, n,
           AdamOptions{lr, beta1, beta2, eps, weightDecay, step, amsgrad != 0, maximize != 0, decoupled != 0});
}

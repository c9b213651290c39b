// Bindings: conv2dForward, conv2dBackwardInput, conv2dBackwardWeight. The geometry arguments
// (N, C, H, W, OC, KH, KW, sH, sW, pH, pW, dH, dW, groups) follow the arrays in that order;
// arrays are used from their start (pass subarray() views for offsets, still zero-copy).
#include <cstdlib>
#include <string>
#include <vector>

#include "args.h"
#include "bind.h"
#include "batchnorm.h"
#include "conv.h"
#include "conv_batched.h"
#include "conv3x3.h"
#include "conv_dense.h"
#include "conv_direct.h"
#include "conv_eval.h"
#include "conv_pointwise.h"
#include "conv_depthwise.h"
#include "conv_strided.h"

namespace flint {
namespace {

int64_t inSize(const Args& a, const ConvShape& s) { return a.product({s.N, s.C, s.H, s.W}); }
int64_t outSize(const Args& a, const ConvShape& s) { return a.product({s.N, s.OC, s.OH, s.OW}); }
int64_t wSize(const Args& a, const ConvShape& s) { return a.product({s.OC, s.C / s.groups, s.KH, s.KW}); }

// The padded input and the dilated kernel must fit in int64 before conv2dOutputSize computes with
// them, and the kernels' work buffers (one padded image per group, the im2col columns) must have
// a size that can be allocated at all.
void checkGeometry(const Args& a, const ConvShape& s) {
  a.sum(s.H, a.product({2, s.pH}));
  a.sum(s.W, a.product({2, s.pW}));
  a.product({s.dH, s.KH});
  a.product({s.dW, s.KW});
}

void checkBuffers(const Args& a, const ConvShape& s) {
  const int64_t Cg = s.C / s.groups;
  const int64_t padded = a.product({Cg, s.H + 2 * s.pH, s.W + 2 * s.pW});
  const int64_t cols = a.product({Cg, s.KH, s.KW, s.OH, s.OW});
  constexpr int64_t kMaxFloats = int64_t{1} << 30;  // 4 GiB: far beyond any real layer's padded image
  if (padded > kMaxFloats || cols > kMaxFloats)
    a.fail("padding " + std::to_string(s.pH) + "x" + std::to_string(s.pW) + " needs a work buffer of " +
           std::to_string(padded > cols ? padded : cols) + " floats, too large to allocate");
}

ConvShape readShape(const Args& a, size_t first) {
  ConvShape s{};
  int64_t* fields[] = {&s.N, &s.C, &s.H, &s.W, &s.OC, &s.KH, &s.KW, &s.sH, &s.sW, &s.pH, &s.pW, &s.dH, &s.dW, &s.groups};
  for (size_t i = 0; i < 14; ++i) *fields[i] = a.i64(first + i);
  if (s.N < 0 || s.C <= 0 || s.H <= 0 || s.W <= 0 || s.OC <= 0 || s.KH <= 0 || s.KW <= 0)
    a.fail("sizes must be positive (N >= 0)");
  if (s.sH <= 0 || s.sW <= 0 || s.dH <= 0 || s.dW <= 0 || s.pH < 0 || s.pW < 0)
    a.fail("stride and dilation must be positive, padding non-negative");
  if (s.groups <= 0 || s.C % s.groups != 0 || s.OC % s.groups != 0)
    a.fail("groups " + std::to_string(s.groups) + " must divide C " + std::to_string(s.C) +
           " and OC " + std::to_string(s.OC));
  checkGeometry(a, s);
  if (!conv2dOutputSize(s))
    a.fail("kernel " + std::to_string(s.KH) + "x" + std::to_string(s.KW) +
           " (dilated) is larger than the padded input " + std::to_string(s.H + 2 * s.pH) + "x" +
           std::to_string(s.W + 2 * s.pW));
  checkBuffers(a, s);
  return s;
}

// The batched small-plane path where it measured faster: planes of 1-4 positions always; up to 64
// positions only when the direct AVX-512 kernel does not take the pass (stride 2, 1x1 kernels, no
// AVX-512), since at 8x8 the direct kernel is several times faster. FLINT_CONV_BATCHED=0 turns
// it off (for before/after measurements).
bool useBatched(const ConvShape& s, bool directTakesIt) {
  static const bool enabled = [] {
    const char* v = std::getenv("FLINT_CONV_BATCHED");
    return v == nullptr || v[0] != '0';
  }();
  return enabled && batchedConvOk(s) && (s.OH * s.OW <= 4 || !directTakesIt);
}

// The 3x3 path (native/conv3x3.h) where it measured faster than the others: planes of more than 4
// positions (the batched path stays faster below).
bool conv3x3Takes(const ConvShape& s, bool ok) { return ok && s.OH * s.OW > 4; }

// conv2dForward(x, w, bias|null, out, N, C, H, W, OC, KH, KW, sH, sW, pH, pW, dH, dW, groups)
Napi::Value Forward(const Napi::CallbackInfo& info) {
  Args a(info, "conv2dForward");
  a.expectCount(18);
  ConvShape s = readShape(a, 4);
  const float* x = a.f32(0, 0, inSize(a, s));
  const float* w = a.f32(1, 0, wSize(a, s));
  const float* bias = a.f32OrNull(2, 0, s.OC);
  float* out = a.f32(3, 0, outSize(a, s));
  if (depthwiseConvOk(s))
    depthwiseConvForward(s, x, w, bias, out);
  else if (conv3x3Takes(s, conv3x3ForwardOk(s)))
    conv3x3Forward(s, x, w, bias, out);
  else if (denseConvOk(s))
    denseConvForward(s, x, w, bias, out);
  else if (useBatched(s, directConvForwardOk(s)))
    batchedConvForward(s, x, w, bias, out);
  else if (stridedConvForwardOk(s))
    stridedConvForward(s, x, w, bias, out, nullptr);
  else
    conv2dForward(s, x, w, bias, out);
  return info.Env().Undefined();
}

// conv2dBatchNormEval(x, w, bias|null, bnWeight|null, bnBias|null, runningMean, runningVar, eps, relu,
//                     residual|null, out, N, C, H, W, OC, KH, KW, sH, sW, pH, pW, dH, dW, groups)
// The convolution followed by an eval-mode BatchNorm over its output channels, plus residual
// [N, OC, OH, OW] when given, then with relu a ReLU: one output buffer and no separate passes
// where the kernel applies them per image.
Napi::Value ForwardBatchNormEval(const Napi::CallbackInfo& info) {
  Args a(info, "conv2dBatchNormEval");
  a.expectCount(25);
  ConvShape s = readShape(a, 11);
  const float* x = a.f32(0, 0, inSize(a, s));
  const float* w = a.f32(1, 0, wSize(a, s));
  const float* bias = a.f32OrNull(2, 0, s.OC);
  std::vector<float> coef(static_cast<size_t>(2 * s.OC));
  batchNormEvalCoefficients(s.OC, a.f32OrNull(3, 0, s.OC), a.f32OrNull(4, 0, s.OC), a.f32(5, 0, s.OC),
                            a.f32(6, 0, s.OC), a.f64(7), coef.data(), coef.data() + s.OC);
  const ConvEpilogue ep{coef.data(), coef.data() + s.OC, a.f32OrNull(9, 0, outSize(a, s)), s.OC, a.flag(8)};
  float* out = a.f32(10, 0, outSize(a, s));
  const bool direct = directConvForwardOk(s);
  if (pointwiseEvalOk(s)) {
    pointwiseEvalForward(s, x, w, bias, ep, out);
  } else if (depthwiseConvOk(s) || useBatched(s, direct)) {
    if (depthwiseConvOk(s))
      depthwiseConvForward(s, x, w, bias, out);
    else
      batchedConvForward(s, x, w, bias, out);
    applyEpilogueAll(ep, s.N, s.OC, s.OH * s.OW, out);
  } else if (stridedConvForwardOk(s)) {
    stridedConvForward(s, x, w, bias, out, &ep);
  } else if (directEvalOk(s)) {
    directEvalForward(s, x, w, bias, ep, out);
  } else if (conv3x3EvalOk(s)) {
    conv3x3Forward(s, x, w, bias, out);
    applyEpilogueAll(ep, s.N, s.OC, s.OH * s.OW, out);
  } else {
    conv2dForward(s, x, w, bias, out, &ep);
  }
  return info.Env().Undefined();
}

// conv2dBackwardInput(gradOut, w, gradIn, N, C, H, W, OC, KH, KW, sH, sW, pH, pW, dH, dW, groups)
Napi::Value BackwardInput(const Napi::CallbackInfo& info) {
  Args a(info, "conv2dBackwardInput");
  a.expectCount(17);
  ConvShape s = readShape(a, 3);
  const float* go = a.f32(0, 0, outSize(a, s));
  const float* w = a.f32(1, 0, wSize(a, s));
  float* gi = a.f32(2, 0, inSize(a, s));
  if (depthwiseConvOk(s))
    depthwiseConvBackwardInput(s, go, w, gi);
  else if (conv3x3Takes(s, conv3x3BackwardInputOk(s)))
    conv3x3BackwardInput(s, go, w, gi);
  else if (denseConvOk(s))
    denseConvBackwardInput(s, go, w, gi);
  else if (useBatched(s, directConvBackwardInputOk(s)))
    batchedConvBackwardInput(s, go, w, gi);
  else
    conv2dBackwardInput(s, go, w, gi);
  return info.Env().Undefined();
}

// conv2dBackwardWeight(x, gradOut, gradW, gradBias|null, N, C, H, W, OC, KH, KW, sH, sW, pH, pW,
//                      dH, dW, groups)
Napi::Value BackwardWeight(const Napi::CallbackInfo& info) {
  Args a(info, "conv2dBackwardWeight");
  a.expectCount(18);
  ConvShape s = readShape(a, 4);
  const float* x = a.f32(0, 0, inSize(a, s));
  const float* go = a.f32(1, 0, outSize(a, s));
  float* gw = a.f32(2, 0, wSize(a, s));
  float* gb = a.f32OrNull(3, 0, s.OC);
  if (depthwiseConvOk(s))
    depthwiseConvBackwardWeight(s, x, go, gw, gb);
  else if (conv3x3Takes(s, conv3x3BackwardWeightOk(s)))
    conv3x3BackwardWeight(s, x, go, gw, gb);
  else if (denseConvOk(s))
    denseConvBackwardWeight(s, x, go, gw, gb);
  else if (useBatched(s, directConvBackwardWeightOk(s)))
    batchedConvBackwardWeight(s, x, go, gw, gb);
  else if (stridedConvBackwardWeightOk(s))
    stridedConvBackwardWeight(s, x, go, gw, gb);
  else
    conv2dBackwardWeight(s, x, go, gw, gb);
  return info.Env().Undefined();
}

BatchNormShape readNormShape(const Args& a, size_t first) {
  BatchNormShape s{a.i64(first), a.i64(first + 1), a.i64(first + 2)};
  if (s.N < 0 || s.C <= 0 || s.HW < 0) a.fail("sizes must be non-negative (C > 0)");
  a.product({s.N, s.C, s.HW});
  return s;
}

// batchNormTrainForward(x, weight|null, bias|null, mean, var, invstd, out, N, C, HW, eps)
Napi::Value NormTrainForward(const Napi::CallbackInfo& info) {
  Args a(info, "batchNormTrainForward");
  a.expectCount(11);
  BatchNormShape s = readNormShape(a, 7);
  const int64_t n = a.product({s.N, s.C, s.HW});
  batchNormTrainForward(s, a.f32(0, 0, n), a.f32OrNull(1, 0, s.C), a.f32OrNull(2, 0, s.C), a.f64(10),
                        a.f32(3, 0, s.C), a.f32(4, 0, s.C), a.f32(5, 0, s.C), a.f32(6, 0, n));
  return info.Env().Undefined();
}

// batchNormEvalForward(x, weight|null, bias|null, runningMean, runningVar, invstd, out, N, C, HW, eps)
Napi::Value NormEvalForward(const Napi::CallbackInfo& info) {
  Args a(info, "batchNormEvalForward");
  a.expectCount(11);
  BatchNormShape s = readNormShape(a, 7);
  const int64_t n = a.product({s.N, s.C, s.HW});
  batchNormEvalForward(s, a.f32(0, 0, n), a.f32OrNull(1, 0, s.C), a.f32OrNull(2, 0, s.C), a.f32(3, 0, s.C),
                       a.f32(4, 0, s.C), a.f64(10), a.f32(5, 0, s.C), a.f32(6, 0, n));
  return info.Env().Undefined();
}

// batchNormBackward(x, gradOut, weight|null, mean, invstd, gradIn|null, gradWeight|null,
//                   gradBias|null, N, C, HW, training)
Napi::Value NormBackward(const Napi::CallbackInfo& info) {
  Args a(info, "batchNormBackward");
  a.expectCount(12);
  BatchNormShape s = readNormShape(a, 8);
  const int64_t n = a.product({s.N, s.C, s.HW});
  batchNormBackward(s, a.f32(0, 0, n), a.f32(1, 0, n), a.f32OrNull(2, 0, s.C), a.f32(3, 0, s.C), a.f32(4, 0, s.C),
                    a.flag(11), a.f32OrNull(5, 0, n), a.f32OrNull(6, 0, s.C), a.f32OrNull(7, 0, s.C));
  return info.Env().Undefined();
}

}  // namespace

void registerConv(Napi::Env env, Napi::Object exports) {
  exportFn(env, exports, "conv2dForward", Forward);
  exportFn(env, exports, "conv2dBatchNormEval", ForwardBatchNormEval);
  exportFn(env, exports, "conv2dBackwardInput", BackwardInput);
  exportFn(env, exports, "conv2dBackwardWeight", BackwardWeight);
  exportFn(env, exports, "batchNormTrainForward", NormTrainForward);
  exportFn(env, exports, "batchNormEvalForward", NormEvalForward);
  exportFn(env, exports, "batchNormBackward", NormBackward);
}

}  // namespace flint

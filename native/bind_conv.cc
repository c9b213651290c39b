// Bindings: conv2dForward, conv2dBackwardInput, conv2dBackwardWeight. The geometry arguments
// (N, C, H, W, OC, KH, KW, sH, sW, pH, pW, dH, dW, groups) follow the arrays in that order;
// arrays are used from their start (pass subarray() views for offsets, still zero-copy).
#include <string>

#include "args.h"
#include "bind.h"
#include "conv.h"

namespace flint {
namespace {

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
  if (!conv2dOutputSize(s))
    a.fail("kernel " + std::to_string(s.KH) + "x" + std::to_string(s.KW) +
           " (dilated) is larger than the padded input " + std::to_string(s.H + 2 * s.pH) + "x" +
           std::to_string(s.W + 2 * s.pW));
  return s;
}

int64_t inSize(const ConvShape& s) { return s.N * s.C * s.H * s.W; }
int64_t outSize(const ConvShape& s) { return s.N * s.OC * s.OH * s.OW; }
int64_t wSize(const ConvShape& s) { return s.OC * (s.C / s.groups) * s.KH * s.KW; }

// conv2dForward(x, w, bias|null, out, N, C, H, W, OC, KH, KW, sH, sW, pH, pW, dH, dW, groups)
Napi::Value Forward(const Napi::CallbackInfo& info) {
  Args a(info, "conv2dForward");
  a.expectCount(18);
  ConvShape s = readShape(a, 4);
  const float* x = a.f32(0, 0, inSize(s));
  const float* w = a.f32(1, 0, wSize(s));
  const float* bias = a.f32OrNull(2, 0, s.OC);
  float* out = a.f32(3, 0, outSize(s));
  conv2dForward(s, x, w, bias, out);
  return info.Env().Undefined();
}

// conv2dBackwardInput(gradOut, w, gradIn, N, C, H, W, OC, KH, KW, sH, sW, pH, pW, dH, dW, groups)
Napi::Value BackwardInput(const Napi::CallbackInfo& info) {
  Args a(info, "conv2dBackwardInput");
  a.expectCount(17);
  ConvShape s = readShape(a, 3);
  const float* go = a.f32(0, 0, outSize(s));
  const float* w = a.f32(1, 0, wSize(s));
  float* gi = a.f32(2, 0, inSize(s));
  conv2dBackwardInput(s, go, w, gi);
  return info.Env().Undefined();
}

// conv2dBackwardWeight(x, gradOut, gradW, gradBias|null, N, C, H, W, OC, KH, KW, sH, sW, pH, pW,
//                      dH, dW, groups)
Napi::Value BackwardWeight(const Napi::CallbackInfo& info) {
  Args a(info, "conv2dBackwardWeight");
  a.expectCount(18);
  ConvShape s = readShape(a, 4);
  const float* x = a.f32(0, 0, inSize(s));
  const float* go = a.f32(1, 0, outSize(s));
  float* gw = a.f32(2, 0, wSize(s));
  float* gb = a.f32OrNull(3, 0, s.OC);
  conv2dBackwardWeight(s, x, go, gw, gb);
  return info.Env().Undefined();
}

}  // namespace

void registerConv(Napi::Env env, Napi::Object exports) {
  exports.Set("conv2dForward", Napi::Function::New(env, Forward, "conv2dForward"));
  exports.Set("conv2dBackwardInput", Napi::Function::New(env, BackwardInput, "conv2dBackwardInput"));
  exports.Set("conv2dBackwardWeight", Napi::Function::New(env, BackwardWeight, "conv2dBackwardWeight"));
}

}  // namespace flint

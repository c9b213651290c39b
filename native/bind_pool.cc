// Bindings: max/avg pooling. Arrays are read from index 0 (use subarray() views for offsets).
#include <string>

#include "args.h"
#include "bind.h"
#include "pool.h"

namespace flint {
namespace {

PoolShape readPool(const Args& a, size_t first, bool dilated) {
  PoolShape s{};
  size_t k = first;
  s.N = a.i64(k++); s.C = a.i64(k++); s.H = a.i64(k++); s.W = a.i64(k++);
  s.KH = a.i64(k++); s.KW = a.i64(k++); s.sH = a.i64(k++); s.sW = a.i64(k++);
  s.pH = a.i64(k++); s.pW = a.i64(k++);
  if (dilated) {
    s.dH = a.i64(k++);
    s.dW = a.i64(k++);
  } else {
    s.dH = s.dW = 1;
  }
  s.OH = a.i64(k++); s.OW = a.i64(k++);
  if (s.N < 0 || s.C < 0 || s.H <= 0 || s.W <= 0 || s.KH <= 0 || s.KW <= 0 || s.sH <= 0 ||
      s.sW <= 0 || s.dH <= 0 || s.dW <= 0 || s.pH < 0 || s.pW < 0 || s.OH <= 0 || s.OW <= 0)
    a.fail("invalid pooling geometry");
  if (s.pH * 2 > s.KH || s.pW * 2 > s.KW) a.fail("padding should be at most half of kernel size");
  a.product({s.N, s.C, s.H, s.W});
  a.product({s.N, s.C, s.OH, s.OW});
  a.product({s.dH, s.KH});
  a.product({s.dW, s.KW});
  a.product({2, s.OW});
  return s;
}

// No images or no channels: nothing is read or written (and no loop runs over a huge N or C).
bool emptyPool(const PoolShape& s) { return s.N == 0 || s.C == 0; }

template <typename Fn>
void withIndices(const Args& a, size_t k, int64_t need, const Fn& fn) {
  const Napi::Value v = a.info[k];
  if (v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == napi_int32_array)
    fn(typedData<int32_t>(a, k, napi_int32_array, "Int32Array", need));
  else
    fn(typedData<double>(a, k, napi_float64_array, "Float64Array or Int32Array", need));
}

// maxPool2dForward(x, out, indices|null, N, C, H, W, KH, KW, sH, sW, pH, pW, dH, dW, OH, OW); without
// indices only the values are computed (inference).
Napi::Value MaxForward(const Napi::CallbackInfo& info) {
  Args a(info, "maxPool2dForward");
  a.expectCount(17);
  PoolShape s = readPool(a, 3, true);
  const float* x = a.f32(0, 0, a.product({s.N, s.C, s.H, s.W}));
  float* out = a.f32(1, 0, a.product({s.N, s.C, s.OH, s.OW}));
  if (emptyPool(s)) return info.Env().Undefined();
  if (a.info[2].IsNull())
    maxPool2dValues(s, x, out);
  else
    withIndices(a, 2, a.product({s.N, s.C, s.OH, s.OW}), [&](auto* idx) { maxPool2dForward(s, x, out, idx); });
  return info.Env().Undefined();
}

// maxPool2dBackward(gradOut, indices, gradIn, N, C, H, W, KH, KW, sH, sW, pH, pW, dH, dW, OH, OW)
Napi::Value MaxBackward(const Napi::CallbackInfo& info) {
  Args a(info, "maxPool2dBackward");
  a.expectCount(17);
  PoolShape s = readPool(a, 3, true);
  const float* go = a.f32(0, 0, a.product({s.N, s.C, s.OH, s.OW}));
  float* gi = a.f32(2, 0, a.product({s.N, s.C, s.H, s.W}));
  if (emptyPool(s)) return info.Env().Undefined();
  withIndices(a, 1, a.product({s.N, s.C, s.OH, s.OW}), [&](auto* idx) {
    maxPool2dBackward(s, go, idx, gi);
  });
  return info.Env().Undefined();
}

int64_t divisorArg(const Args& a, size_t k) {
  if (a.isNull(k)) return 0;
  int64_t d = a.i64(k);
  if (d < 0) a.fail("divisorOverride must be positive");
  return d;
}

// avgPool2dForward(x, out, N, C, H, W, KH, KW, sH, sW, pH, pW, OH, OW, countIncludePad, divisorOverride|0|null)
Napi::Value AvgForward(const Napi::CallbackInfo& info) {
  Args a(info, "avgPool2dForward");
  a.expectCount(15);
  PoolShape s = readPool(a, 2, false);
  const float* x = a.f32(0, 0, a.product({s.N, s.C, s.H, s.W}));
  float* out = a.f32(1, 0, a.product({s.N, s.C, s.OH, s.OW}));
  if (emptyPool(s)) return info.Env().Undefined();
  avgPool2dForward(s, x, out, a.flag(14), info.Length() > 15 ? divisorArg(a, 15) : 0);
  return info.Env().Undefined();
}

// avgPool2dBackward(gradOut, gradIn, N, C, H, W, KH, KW, sH, sW, pH, pW, OH, OW, countIncludePad, divisorOverride|0|null)
Napi::Value AvgBackward(const Napi::CallbackInfo& info) {
  Args a(info, "avgPool2dBackward");
  a.expectCount(15);
  PoolShape s = readPool(a, 2, false);
  const float* go = a.f32(0, 0, a.product({s.N, s.C, s.OH, s.OW}));
  float* gi = a.f32(1, 0, a.product({s.N, s.C, s.H, s.W}));
  if (emptyPool(s)) return info.Env().Undefined();
  avgPool2dBackward(s, go, gi, a.flag(14), info.Length() > 15 ? divisorArg(a, 15) : 0);
  return info.Env().Undefined();
}

}  // namespace

void registerPool(Napi::Env env, Napi::Object exports) {
  exportFn(env, exports, "maxPool2dForward", MaxForward);
  exportFn(env, exports, "maxPool2dBackward", MaxBackward);
  exportFn(env, exports, "avgPool2dForward", AvgForward);
  exportFn(env, exports, "avgPool2dBackward", AvgBackward);
}

}  // namespace flint

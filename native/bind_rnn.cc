// N-API bindings of the whole-sequence recurrent layers (rnn_layer.h).
#include <algorithm>

#include "bind.h"
#include "rnn_layer.h"

namespace flint {
namespace {

int64_t size(const Args& a, size_t k) {
  const int64_t v = a.i64(k);
  if (v < 0) a.fail("argument " + std::to_string(k) + " must be a non-negative size");
  return v;
}

RnnKind kindOf(const Args& a, size_t k) {
  const int64_t v = a.i64(k);
  if (v != 0 && v != 1) a.fail("kind must be 0 (LSTM) or 1 (GRU)");
  return static_cast<RnnKind>(v);
}

// rnnLayerForward(kind, xw, h0, c0|null, wHh, bHh|null, out, hN, cN|null, saved, T, B, H, reverse)
Napi::Value Forward(const Napi::CallbackInfo& info) {
  Args a(info, "rnnLayerForward");
  a.expectCount(14);
  const RnnKind kind = kindOf(a, 0);
  const bool lstm = kind == RnnKind::Lstm;
  const int64_t T = size(a, 10), B = size(a, 11), H = size(a, 12);
  const int64_t G = a.mul(rnnGates(kind), H), BH = a.product({B, H}), TBH = a.product({T, B, H});
  const float* xw = a.f32(1, 0, a.product({T, B, G}));
  const float* h0 = a.f32(2, 0, BH);
  const float* c0 = lstm ? a.f32(3, 0, BH) : nullptr;
  const float* w = a.f32(4, 0, a.product({G, H}));
  const float* bias = a.f32OrNull(5, 0, G);
  float* out = a.f32(6, 0, TBH);
  float* hN = a.f32(7, 0, BH);
  float* cN = lstm ? a.f32(8, 0, BH) : nullptr;
  float* saved = a.f32(9, 0, a.mul(TBH, rnnSavedPerRow(kind)));
  if (BH == 0) return info.Env().Undefined();  // nothing to compute (and never loop over T with B = 0)
  if (T == 0) a.fail("expected at least one time step");
  rnnLayerForward(kind, xw, h0, c0, w, bias, out, hN, cN, saved, T, B, H, a.flag(13));
  return info.Env().Undefined();
}

// rnnLayerBackward(kind, saved, wHh, dOut|null, dhN|null, dcN|null, dxw, dh0, dc0|null, dwHh|null, dbHh|null,
//                  T, B, H, reverse)
Napi::Value Backward(const Napi::CallbackInfo& info) {
  Args a(info, "rnnLayerBackward");
  a.expectCount(15);
  const RnnKind kind = kindOf(a, 0);
  const bool lstm = kind == RnnKind::Lstm;
  const int64_t T = size(a, 11), B = size(a, 12), H = size(a, 13);
  const int64_t G = a.mul(rnnGates(kind), H), BH = a.product({B, H}), TBH = a.product({T, B, H});
  const float* saved = a.f32(1, 0, a.mul(TBH, rnnSavedPerRow(kind)));
  const float* w = a.f32(2, 0, a.product({G, H}));
  const float* dOut = a.f32OrNull(3, 0, TBH);
  const float* dhN = a.f32OrNull(4, 0, BH);
  const float* dcN = lstm ? a.f32OrNull(5, 0, BH) : nullptr;
  float* dxw = a.f32(6, 0, a.product({T, B, G}));
  float* dh0 = a.f32(7, 0, BH);
  float* dc0 = lstm ? a.f32OrNull(8, 0, BH) : nullptr;
  float* dw = a.f32OrNull(9, 0, a.product({G, H}));
  float* db = a.f32OrNull(10, 0, G);
  if (BH == 0 || T == 0) {  // no steps or rows: the weight gradients are zero
    if (dw) std::fill(dw, dw + G * H, 0.0f);
    if (db) std::fill(db, db + G, 0.0f);
    return info.Env().Undefined();
  }
  rnnLayerBackward(kind, saved, w, dOut, dhN, dcN, dxw, dh0, dc0, dw, db, T, B, H, a.flag(14));
  return info.Env().Undefined();
}

}  // namespace

void registerRnn(Napi::Env env, Napi::Object exports) {
  exportFn(env, exports, "rnnLayerForward", Forward);
  exportFn(env, exports, "rnnLayerBackward", Backward);
}

}  // namespace flint

// Bindings: elementwise, reductions, softmax family, cross-entropy, optimizer steps.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "args.h"
#include "bind.h"
#include "copy.h"
#include "rnn_cell.h"
#include "elementwise.h"
#include "optim.h"
#include "rowops.h"

namespace flint {
namespace {

int opcode(const Args& a, size_t k, int count) {
  int64_t op = a.i64(k);
  if (op < 0 || op >= count) a.fail("unknown opcode " + std::to_string(op));
  return static_cast<int>(op);
}

int64_t count(const Args& a, size_t k) {
  int64_t n = a.i64(k);
  if (n < 0) a.fail("negative element count");
  return n;
}

// An array-of-integers argument (strides, shapes).
std::vector<int64_t> intList(const Args& a, size_t k) {
  const Napi::Value v = a.info[k];
  if (!v.IsArray()) a.fail("argument " + std::to_string(k) + " must be an array of integers");
  Napi::Array arr = v.As<Napi::Array>();
  std::vector<int64_t> out(arr.Length());
  for (uint32_t i = 0; i < arr.Length(); ++i) {
    Napi::Value e = arr.Get(i);
    if (!e.IsNumber()) a.fail("argument " + std::to_string(k) + " must be an array of integers");
    const double d = e.As<Napi::Number>().DoubleValue();
    if (!std::isfinite(d) || d != std::floor(d) || std::fabs(d) > 9007199254740992.0)
      a.fail("argument " + std::to_string(k) + " holds " + std::to_string(d) + ", not a safe integer");
    out[i] = static_cast<int64_t>(d);
  }
  return out;
}

// The Float32Array argument k viewed from element `off` with `strides` over `shape`: checks that
// every element reached lies inside the array and returns the pointer at `off`.
float* stridedView(const Args& a, size_t k, int64_t off, const std::vector<int64_t>& strides, const std::vector<int64_t>& shape) {
  if (strides.size() != shape.size()) a.fail("strides and shape must have the same length");
  int64_t lo = off, hi = off + 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] < 0) a.fail("negative size");
    if (shape[i] == 0) return a.f32(k, 0, 0) + 0;  // nothing is read or written
    // Checked: a huge assigned stride must not wrap around into a small, passing extent.
    const int64_t span = a.mul(shape[i] - 1, strides[i]);
    if (span < 0) lo = a.sum(lo, span); else hi = a.sum(hi, span);
  }
  if (lo < 0) a.fail("a stride reaches before the start of the array");
  return a.f32(k, 0, hi) + off;
}

// copyStrided(src, srcOff, srcStrides, dst, dstOff, dstStrides, shape): dst view = src view.
Napi::Value CopyStrided(const Napi::CallbackInfo& info) {
  Args a(info, "copyStrided");
  a.expectCount(7);
  std::vector<int64_t> shape = intList(a, 6);
  const float* src = stridedView(a, 0, a.i64(1), intList(a, 2), shape);
  std::vector<int64_t> ss = intList(a, 2), ds = intList(a, 5);
  float* dst = stridedView(a, 3, a.i64(4), ds, shape);
  for (int64_t n : shape) if (n == 0) return info.Env().Undefined();
  copyStrided(src, ss.data(), dst, ds.data(), shape.data(), static_cast<int>(shape.size()));
  return info.Env().Undefined();
}

// binaryStrided(op, a, aOff, aStrides, b, bOff, bStrides, out, shape): out (dense) = a op b,
// operands as strided views (stride 0 where broadcast).
Napi::Value BinaryStrided(const Napi::CallbackInfo& info) {
  Args a(info, "binaryStrided");
  a.expectCount(9);
  int op = opcode(a, 0, kBinaryCount);
  std::vector<int64_t> shape = intList(a, 8), as = intList(a, 3), bs = intList(a, 6);
  const float* pa = stridedView(a, 1, a.i64(2), as, shape);
  const float* pb = stridedView(a, 4, a.i64(5), bs, shape);
  int64_t n = 1;
  for (int64_t d : shape) n = a.mul(n, d);
  float* out = a.f32(7, 0, n);
  if (n == 0) return info.Env().Undefined();
  binaryStrided(op, pa, as.data(), pb, bs.data(), out, shape.data(), static_cast<int>(shape.size()));
  return info.Env().Undefined();
}

// lstmCellForward(gates, c, hy, cy, act, B, H): the fused pointwise LSTM cell (rnn_cell.h).
Napi::Value LstmCellForward(const Napi::CallbackInfo& info) {
  Args a(info, "lstmCellForward");
  a.expectCount(7);
  const int64_t B = count(a, 5), H = count(a, 6);
  const int64_t BH = a.product({B, H}), B4H = a.product({B, 4, H}), B5H = a.product({B, 5, H});
  if (BH == 0) return info.Env().Undefined();  // nothing to do: never loop over a huge B with H = 0
  lstmCellForward(a.f32(0, 0, B4H), a.f32(1, 0, BH), a.f32(2, 0, BH), a.f32(3, 0, BH), a.f32(4, 0, B5H), B, H);
  return info.Env().Undefined();
}

// lstmCellBackward(act, c, dhy, dcy, dgates, dc, B, H)
Napi::Value LstmCellBackward(const Napi::CallbackInfo& info) {
  Args a(info, "lstmCellBackward");
  a.expectCount(8);
  const int64_t B = count(a, 6), H = count(a, 7);
  const int64_t BH = a.product({B, H}), B4H = a.product({B, 4, H}), B5H = a.product({B, 5, H});
  if (BH == 0) return info.Env().Undefined();
  lstmCellBackward(a.f32(0, 0, B5H), a.f32(1, 0, BH), a.f32(2, 0, BH), a.f32(3, 0, BH), a.f32(4, 0, B4H),
                   a.f32(5, 0, BH), B, H);
  return info.Env().Undefined();
}

// gruCellForward(xw, hw, h, hy, saved, B, H): the fused pointwise GRU cell (rnn_cell.h).
Napi::Value GruCellForward(const Napi::CallbackInfo& info) {
  Args a(info, "gruCellForward");
  a.expectCount(7);
  const int64_t B = count(a, 5), H = count(a, 6);
  const int64_t BH = a.product({B, H}), B3H = a.product({B, 3, H}), B4H = a.product({B, 4, H});
  if (BH == 0) return info.Env().Undefined();
  gruCellForward(a.f32(0, 0, B3H), a.f32(1, 0, B3H), a.f32(2, 0, BH), a.f32(3, 0, BH), a.f32(4, 0, B4H), B, H);
  return info.Env().Undefined();
}

// gruCellBackward(saved, h, dhy, dxw, dhw, dh, B, H)
Napi::Value GruCellBackward(const Napi::CallbackInfo& info) {
  Args a(info, "gruCellBackward");
  a.expectCount(8);
  const int64_t B = count(a, 6), H = count(a, 7);
  const int64_t BH = a.product({B, H}), B3H = a.product({B, 3, H}), B4H = a.product({B, 4, H});
  if (BH == 0) return info.Env().Undefined();
  gruCellBackward(a.f32(0, 0, B4H), a.f32(1, 0, BH), a.f32(2, 0, BH), a.f32(3, 0, B3H), a.f32(4, 0, B3H),
                  a.f32(5, 0, BH), B, H);
  return info.Env().Undefined();
}

// unary(op, x, xOff, out, outOff, n)
Napi::Value Unary(const Napi::CallbackInfo& info) {
  Args a(info, "unary");
  a.expectCount(6);
  int op = opcode(a, 0, kUnaryCount);
  int64_t n = count(a, 5);
  unary(op, a.f32(1, a.i64(2), n), a.f32(3, a.i64(4), n), n);
  return info.Env().Undefined();
}

// binary(op, a, aOff, b, bOff, out, outOff, n)
Napi::Value Binary(const Napi::CallbackInfo& info) {
  Args a(info, "binary");
  a.expectCount(8);
  int op = opcode(a, 0, kBinaryCount);
  int64_t n = count(a, 7);
  binary(op, a.f32(1, a.i64(2), n), a.f32(3, a.i64(4), n), a.f32(5, a.i64(6), n), n);
  return info.Env().Undefined();
}

// binaryScalar(op, a, aOff, s, out, outOff, n)
Napi::Value BinaryScalar(const Napi::CallbackInfo& info) {
  Args a(info, "binaryScalar");
  a.expectCount(7);
  int op = opcode(a, 0, kBinaryCount);
  int64_t n = count(a, 6);
  binaryScalar(op, a.f32(1, a.i64(2), n), static_cast<float>(a.f64(3)), a.f32(4, a.i64(5), n), n);
  return info.Env().Undefined();
}

// addScaled(a, aOff, b, bOff, alpha, out, outOff, n): out = a + alpha * b
Napi::Value AddScaled(const Napi::CallbackInfo& info) {
  Args a(info, "addScaled");
  a.expectCount(8);
  int64_t n = count(a, 7);
  addScaled(a.f32(0, a.i64(1), n), a.f32(2, a.i64(3), n), static_cast<float>(a.f64(4)),
            a.f32(5, a.i64(6), n), n);
  return info.Env().Undefined();
}

// hardtanh(x, xOff, lo, hi, out, n): out = min(max(x, lo), hi) (bounds rounded to float32)
Napi::Value Hardtanh(const Napi::CallbackInfo& info) {
  Args a(info, "hardtanh");
  a.expectCount(6);
  int64_t n = count(a, 5);
  hardtanh(a.f32(0, a.i64(1), n), static_cast<float>(a.f64(2)), static_cast<float>(a.f64(3)), a.f32(4, 0, n), n);
  return info.Env().Undefined();
}

// hardtanhBackward(g, x, lo, hi, out, n): out = g where lo < x < hi, else 0
Napi::Value HardtanhBackward(const Napi::CallbackInfo& info) {
  Args a(info, "hardtanhBackward");
  a.expectCount(6);
  int64_t n = count(a, 5);
  hardtanhBackward(a.f32(0, 0, n), a.f32(1, 0, n), static_cast<float>(a.f64(2)), static_cast<float>(a.f64(3)),
                   a.f32(4, 0, n), n);
  return info.Env().Undefined();
}

// sumRows(x, xOff, out, outOff, outer, n, inner)
Napi::Value SumRows(const Napi::CallbackInfo& info) {
  Args a(info, "sumRows");
  a.expectCount(7);
  int64_t outer = count(a, 4), n = count(a, 5), inner = count(a, 6);
  const float* x = a.f32(0, a.i64(1), a.product({outer, n, inner}));
  float* out = a.f32(2, a.i64(3), a.product({outer, inner}));
  if (outer == 0 || inner == 0) return info.Env().Undefined();  // empty output: no loop over the rest
  sumRows(x, out, outer, n, inner);
  return info.Env().Undefined();
}

// biasGradNCHW(gradOut, out, N, C, HW)
Napi::Value BiasGrad(const Napi::CallbackInfo& info) {
  Args a(info, "biasGradNCHW");
  a.expectCount(5);
  int64_t N = count(a, 2), C = count(a, 3), HW = count(a, 4);
  const float* g = a.f32(0, 0, a.product({N, C, HW}));
  float* out = a.f32(1, 0, C);
  if (N == 0 || HW == 0) {  // a sum over nothing: zeros, without looping over a huge N or HW
    std::fill(out, out + C, 0.0f);
    return info.Env().Undefined();
  }
  biasGradNCHW(g, out, N, C, HW);
  return info.Env().Undefined();
}

using RowFn = void (*)(const float*, float*, int64_t, int64_t);
using RowBackFn = void (*)(const float*, const float*, float*, int64_t, int64_t);

// Kernel names for the row templates' error messages (each instance names its own export).
constexpr char kLogSoftmaxRows[] = "logSoftmaxRows";
constexpr char kSoftmaxRows[] = "softmaxRows";
constexpr char kLogSoftmaxBackwardRows[] = "logSoftmaxBackwardRows";
constexpr char kSoftmaxBackwardRows[] = "softmaxBackwardRows";

// logSoftmaxRows / softmaxRows (x, xOff, out, outOff, rows, cols)
template <RowFn fn, const char* kName>
Napi::Value Rows(const Napi::CallbackInfo& info) {
  Args a(info, kName);
  a.expectCount(6);
  int64_t rows = count(a, 4), cols = count(a, 5), n = a.product({rows, cols});
  const float* x = a.f32(0, a.i64(1), n);
  float* out = a.f32(2, a.i64(3), n);
  if (n == 0) return info.Env().Undefined();  // rows x 0: nothing to write, no loop over rows
  fn(x, out, rows, cols);
  return info.Env().Undefined();
}

// logSoftmaxBackwardRows / softmaxBackwardRows (gradOut, y, gradIn, rows, cols)
template <RowBackFn fn, const char* kName>
Napi::Value RowsBack(const Napi::CallbackInfo& info) {
  Args a(info, kName);
  a.expectCount(5);
  int64_t rows = count(a, 3), cols = count(a, 4), n = a.product({rows, cols});
  const float* go = a.f32(0, 0, n);
  const float* y = a.f32(1, 0, n);
  float* gi = a.f32(2, 0, n);
  if (n == 0) return info.Env().Undefined();
  fn(go, y, gi, rows, cols);
  return info.Env().Undefined();
}

// layerNormRows(x, w|null, b|null, y, mean, rstd, rows, cols, eps)
Napi::Value LayerNorm(const Napi::CallbackInfo& info) {
  Args a(info, "layerNormRows");
  a.expectCount(9);
  int64_t rows = count(a, 6), cols = count(a, 7), n = a.product({rows, cols});
  const float* x = a.f32(0, 0, n);
  const float* w = a.f32OrNull(1, 0, cols);
  const float* b = a.f32OrNull(2, 0, cols);
  float* y = a.f32(3, 0, n);
  float* mean = a.f32(4, 0, rows);
  float* rstd = a.f32(5, 0, rows);
  if (n == 0) return info.Env().Undefined();
  layerNormRows(x, w, b, y, mean, rstd, rows, cols, a.f64(8));
  return info.Env().Undefined();
}

// layerNormBackwardRows(dy, x, w|null, mean, rstd, dx, dw|null, db|null, rows, cols)
Napi::Value LayerNormBackward(const Napi::CallbackInfo& info) {
  Args a(info, "layerNormBackwardRows");
  a.expectCount(10);
  int64_t rows = count(a, 8), cols = count(a, 9), n = a.product({rows, cols});
  const float* dy = a.f32(0, 0, n);
  const float* x = a.f32(1, 0, n);
  const float* w = a.f32OrNull(2, 0, cols);
  const float* mean = a.f32(3, 0, rows);
  const float* rstd = a.f32(4, 0, rows);
  float* dx = a.f32(5, 0, n);
  float* dw = a.f32OrNull(6, 0, cols);
  float* db = a.f32OrNull(7, 0, cols);
  if (n == 0) {
    for (int64_t j = 0; (dw || db) && j < cols; ++j) {
      if (dw) dw[j] = 0.0f;
      if (db) db[j] = 0.0f;
    }
    return info.Env().Undefined();
  }
  layerNormBackwardRows(dy, x, w, mean, rstd, dx, dw, db, rows, cols);
  return info.Env().Undefined();
}

// crossEntropyForwardBackward(logits, targets, grad|null, rows, cols, labelSmoothing, ignoreIndex) -> loss
Napi::Value CrossEntropy(const Napi::CallbackInfo& info) {
  Args a(info, "crossEntropyForwardBackward");
  a.expectCount(7);
  int64_t rows = count(a, 3), cols = count(a, 4);
  if (cols == 0) a.fail("no classes");
  const int64_t n = a.product({rows, cols});
  const float* logits = a.f32(0, 0, n);
  const double* targets = typedData<double>(a, 1, napi_float64_array, "Float64Array", rows);
  float* grad = a.f32OrNull(2, 0, n);
  double eps = a.f64(5);
  if (!(eps >= 0.0 && eps <= 1.0)) a.fail("labelSmoothing must be in [0, 1]");
  int64_t bad = -1;
  double loss = crossEntropy(logits, targets, grad, rows, cols, eps, a.i64(6), &bad);
  if (bad >= 0)
    throw Napi::RangeError::New(info.Env(), "crossEntropyForwardBackward: Target " +
                                                (targets[bad] == std::floor(targets[bad])
                                                     ? std::to_string(static_cast<int64_t>(targets[bad]))
                                                     : std::to_string(targets[bad])) +
                                                " is out of bounds.");
  return Napi::Number::New(info.Env(), loss);
}

// sgdStep(param, grad, momentumBuf|null, lr, momentum, dampening, weightDecay, nesterov, maximize, firstStep)
Napi::Value Sgd(const Napi::CallbackInfo& info) {
  Args a(info, "sgdStep");
  a.expectCount(10);
  int64_t n = a.f32Length(0);
  SgdOptions o{a.f64(3), a.f64(4), a.f64(5), a.f64(6), a.flag(7), a.flag(8), a.flag(9)};
  float* buf = a.f32OrNull(2, 0, n);
  if (o.momentum != 0.0 && buf == nullptr) a.fail("momentum != 0 needs a momentum buffer");
  sgdStep(a.f32(0, 0, n), a.f32(1, 0, n), buf, n, o);
  return info.Env().Undefined();
}

// adamStep(param, grad, expAvg, expAvgSq, maxExpAvgSq|null, lr, beta1, beta2, eps, weightDecay,
//          step, amsgrad, maximize, decoupled)
Napi::Value Adam(const Napi::CallbackInfo& info) {
  Args a(info, "adamStep");
  a.expectCount(14);
  int64_t n = a.f32Length(0);
  AdamOptions o{a.f64(5), a.f64(6), a.f64(7), a.f64(8), a.f64(9), a.f64(10), a.flag(11), a.flag(12), a.flag(13)};
  if (!(o.step >= 1)) a.fail("step must be >= 1 (the count after this update)");
  float* mx = a.f32OrNull(4, 0, n);
  if (o.amsgrad && mx == nullptr) a.fail("amsgrad needs maxExpAvgSq");
  adamStep(a.f32(0, 0, n), a.f32(1, 0, n), a.f32(2, 0, n), a.f32(3, 0, n), mx, n, o);
  return info.Env().Undefined();
}

// One Float32Array element of a JS array argument, with at least `need` elements.
float* listF32(const Args& a, const Napi::Array& list, uint32_t i, size_t k) {
  Napi::Value v = list.Get(i);
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    a.fail("argument " + std::to_string(k) + "[" + std::to_string(i) + "] must be a Float32Array");
  Napi::Float32Array f = v.As<Napi::Float32Array>();
  return f.Data();
}

int64_t listLength(const Args& a, const Napi::Array& list, uint32_t i, size_t k) {
  Napi::Value v = list.Get(i);
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    a.fail("argument " + std::to_string(k) + "[" + std::to_string(i) + "] must be a Float32Array");
  return static_cast<int64_t>(v.As<Napi::Float32Array>().ElementLength());
}

Napi::Array listArg(const Args& a, size_t k, uint32_t count) {
  if (!a.info[k].IsArray()) a.fail("argument " + std::to_string(k) + " must be an array of Float32Arrays");
  Napi::Array list = a.info[k].As<Napi::Array>();
  if (list.Length() != count) a.fail("argument " + std::to_string(k) + " must list " + std::to_string(count) + " tensors");
  return list;
}

// adamStepMulti(params[], grads[], expAvgs[], expAvgSqs[], maxExpAvgSqs[]|null, steps (Float64Array),
//               lr, beta1, beta2, eps, weightDecay, amsgrad, maximize, decoupled): foreach=True
Napi::Value AdamMulti(const Napi::CallbackInfo& info) {
  Args a(info, "adamStepMulti");
  a.expectCount(14);
  if (!a.info[0].IsArray()) a.fail("argument 0 must be an array of Float32Arrays");
  const uint32_t count = a.info[0].As<Napi::Array>().Length();
  AdamOptions o{a.f64(6), a.f64(7), a.f64(8), a.f64(9), a.f64(10), 1.0, a.flag(11), a.flag(12), a.flag(13)};
  const double* steps = typedData<double>(a, 5, napi_float64_array, "Float64Array", count);
  Napi::Array ps = listArg(a, 0, count), gs = listArg(a, 1, count), ms = listArg(a, 2, count), vs = listArg(a, 3, count);
  const bool hasMax = !a.isNull(4);
  if (o.amsgrad && !hasMax) a.fail("amsgrad needs maxExpAvgSqs");
  Napi::Array xs = hasMax ? listArg(a, 4, count) : Napi::Array::New(info.Env());
  std::vector<AdamTensor> ts(count);
  for (uint32_t i = 0; i < count; ++i) {
    const int64_t n = listLength(a, ps, i, 0);
    for (size_t k = 1; k <= 4; ++k) {
      if (k == 4 && !hasMax) continue;
      const Napi::Array& l = k == 1 ? gs : k == 2 ? ms : k == 3 ? vs : xs;
      if (listLength(a, l, i, k) != n) a.fail("argument " + std::to_string(k) + "[" + std::to_string(i) + "] has a different length from its parameter");
    }
    if (!(steps[i] >= 1)) a.fail("steps must be >= 1 (the counts after this update)");
    ts[i] = AdamTensor{listF32(a, ps, i, 0), listF32(a, gs, i, 1), listF32(a, ms, i, 2), listF32(a, vs, i, 3),
                       hasMax ? listF32(a, xs, i, 4) : nullptr, n, steps[i]};
  }
  adamStepMulti(ts.data(), static_cast<int64_t>(count), o);
  return info.Env().Undefined();
}

// The op names in opcode order, for the TypeScript side to resolve opcodes by name.
Napi::Array names(Napi::Env env, const char* const* list, int count) {
  Napi::Array out = Napi::Array::New(env, count);
  for (int i = 0; i < count; ++i) out.Set(static_cast<uint32_t>(i), Napi::String::New(env, list[i]));
  return out;
}

}  // namespace

void registerOps(Napi::Env env, Napi::Object exports) {
  exports.Set("unaryOps", names(env, kUnaryOpNames, kUnaryCount));
  exports.Set("binaryOps", names(env, kBinaryOpNames, kBinaryCount));
  exportFn(env, exports, "copyStrided", CopyStrided);
  exportFn(env, exports, "binaryStrided", BinaryStrided);
  exportFn(env, exports, "lstmCellForward", LstmCellForward);
  exportFn(env, exports, "lstmCellBackward", LstmCellBackward);
  exportFn(env, exports, "gruCellForward", GruCellForward);
  exportFn(env, exports, "layerNormRows", LayerNorm);
  exportFn(env, exports, "adamStepMulti", AdamMulti);
  exportFn(env, exports, "layerNormBackwardRows", LayerNormBackward);
  exportFn(env, exports, "gruCellBackward", GruCellBackward);
  exportFn(env, exports, "unary", Unary);
  exportFn(env, exports, "binary", Binary);
  exportFn(env, exports, "binaryScalar", BinaryScalar);
  exportFn(env, exports, "addScaled", AddScaled);
  exportFn(env, exports, "hardtanh", Hardtanh);
  exportFn(env, exports, "hardtanhBackward", HardtanhBackward);
  exportFn(env, exports, "sumRows", SumRows);
  exportFn(env, exports, "biasGradNCHW", BiasGrad);
  exportFn(env, exports, "logSoftmaxRows", Rows<logSoftmaxRows, kLogSoftmaxRows>);
  exportFn(env, exports, "softmaxRows", Rows<softmaxRows, kSoftmaxRows>);
  exportFn(env, exports, "logSoftmaxBackwardRows", RowsBack<logSoftmaxBackwardRows, kLogSoftmaxBackwardRows>);
  exportFn(env, exports, "softmaxBackwardRows", RowsBack<softmaxBackwardRows, kSoftmaxBackwardRows>);
  exportFn(env, exports, "crossEntropyForwardBackward", CrossEntropy);
  exportFn(env, exports, "sgdStep", Sgd);
  exportFn(env, exports, "adamStep", Adam);
}

}  // namespace flint

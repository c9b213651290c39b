#include "args.h"

#include <cmath>
#include <string>

namespace flint {

void Args::fail(const std::string& msg) const {
  throw Napi::TypeError::New(info.Env(), std::string(fn) + ": " + msg);
}

void Args::expectCount(size_t n) const {
  if (info.Length() < n)
    fail("expected " + std::to_string(n) + " arguments, got " + std::to_string(info.Length()));
}

double Args::f64(size_t k) const {
  if (!info[k].IsNumber()) fail("argument " + std::to_string(k) + " must be a number");
  return info[k].As<Napi::Number>().DoubleValue();
}

int64_t Args::i64(size_t k) const {
  double v = f64(k);
  if (!std::isfinite(v) || v != std::floor(v))
    fail("argument " + std::to_string(k) + " must be an integer, got " + std::to_string(v));
  return static_cast<int64_t>(v);
}

bool Args::flag(size_t k) const {
  if (info[k].IsBoolean()) return info[k].As<Napi::Boolean>().Value();
  if (info[k].IsNumber()) return info[k].As<Napi::Number>().DoubleValue() != 0.0;
  fail("argument " + std::to_string(k) + " must be a boolean");
}

bool Args::isNull(size_t k) const { return info[k].IsNull() || info[k].IsUndefined(); }

int64_t Args::f32Length(size_t k) const {
  if (!info[k].IsTypedArray() ||
      info[k].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    fail("argument " + std::to_string(k) + " must be a Float32Array");
  return static_cast<int64_t>(info[k].As<Napi::Float32Array>().ElementLength());
}

float* Args::f32(size_t k, int64_t off, int64_t need) const {
  int64_t len = f32Length(k);
  if (off < 0 || need < 0 || off + need > len)
    fail("argument " + std::to_string(k) + " needs " + std::to_string(need) +
         " elements from offset " + std::to_string(off) + ", but its length is " +
         std::to_string(len));
  return info[k].As<Napi::Float32Array>().Data() + off;
}

float* Args::f32OrNull(size_t k, int64_t off, int64_t need) const {
  return isNull(k) ? nullptr : f32(k, off, need);
}

}  // namespace flint

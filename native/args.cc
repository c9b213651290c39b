#include "args.h"

#include <cmath>
#include <cstdio>
#include <string>

namespace flint {
namespace {

// A number as JavaScript would print it (std::to_string gives 300 digits for 1e300).
std::string fmtNum(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace

void Args::fail(const std::string& msg) const {
  throw Napi::TypeError::New(info.Env(), std::string(fn) + ": " + msg);
}

void Args::expectCount(size_t n) const {
  if (info.Length() < n)
    fail("expected " + std::to_string(n) + " arguments, got " + std::to_string(info.Length()));
}

// One N-API call per argument (the type check is napi_get_value_double's status): a small op's
// time is mostly argument unpacking, so each avoided call counts (bench/ops-latency.ts).
double Args::f64(size_t k) const {
  double v;
  if (k >= info.Length() || napi_get_value_double(info.Env(), info[k], &v) != napi_ok)
    fail("argument " + std::to_string(k) + " must be a number");
  return v;
}

int64_t Args::i64(size_t k) const {
  double v = f64(k);
  if (!std::isfinite(v) || v != std::floor(v))
    fail("argument " + std::to_string(k) + " must be an integer, got " + fmtNum(v));
  // Beyond 2^53 a double is no longer an exact integer (and past 2^63 the cast is undefined).
  if (std::fabs(v) > 9007199254740992.0)
    fail("argument " + std::to_string(k) + " is too large: " + fmtNum(v));
  return static_cast<int64_t>(v);
}

bool Args::flag(size_t k) const {
  if (info[k].IsBoolean()) return info[k].As<Napi::Boolean>().Value();
  if (info[k].IsNumber()) return info[k].As<Napi::Number>().DoubleValue() != 0.0;
  fail("argument " + std::to_string(k) + " must be a boolean");
}

bool Args::isNull(size_t k) const { return info[k].IsNull() || info[k].IsUndefined(); }

// The Float32Array argument k (data and element count) from one napi_get_typedarray_info call.
float* Args::f32Info(size_t k, int64_t& len) const {
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  if (k >= info.Length() ||
      napi_get_typedarray_info(info.Env(), info[k], &type, &length, &data, nullptr, nullptr) != napi_ok ||
      type != napi_float32_array)
    fail("argument " + std::to_string(k) + " must be a Float32Array");
  len = static_cast<int64_t>(length);
  return static_cast<float*>(data);
}

int64_t Args::f32Length(size_t k) const {
  int64_t len;
  f32Info(k, len);
  return len;
}

float* Args::f32(size_t k, int64_t off, int64_t need) const {
  int64_t len;
  float* data = f32Info(k, len);
  if (off < 0 || need < 0 || off > len || need > len - off)
    fail("argument " + std::to_string(k) + " needs " + std::to_string(need) +
         " elements from offset " + std::to_string(off) + ", but its length is " +
         std::to_string(len));
  return data + off;
}

float* Args::f32OrNull(size_t k, int64_t off, int64_t need) const {
  return isNull(k) ? nullptr : f32(k, off, need);
}

int64_t Args::product(std::initializer_list<int64_t> sizes) const {
  int64_t p = 1;
  for (int64_t s : sizes) {
    if (s < 0) fail("negative size " + std::to_string(s));
    if (__builtin_mul_overflow(p, s, &p)) {
      std::string list;
      for (int64_t t : sizes) list += (list.empty() ? "" : ", ") + std::to_string(t);
      fail("size calculation overflowed with sizes=[" + list + "]");
    }
  }
  return p;
}

int64_t Args::mul(int64_t x, int64_t y) const {
  int64_t r;
  if (__builtin_mul_overflow(x, y, &r))
    fail("size calculation overflowed: " + std::to_string(x) + " * " + std::to_string(y));
  return r;
}

int64_t Args::sum(int64_t x, int64_t y) const {
  int64_t r;
  if (__builtin_add_overflow(x, y, &r))
    fail("size calculation overflowed: " + std::to_string(x) + " + " + std::to_string(y));
  return r;
}

}  // namespace flint

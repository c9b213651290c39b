// Argument unpacking for the N-API bindings: typed arrays are used in place (zero-copy) and every
// access range is checked against the array's length so a bad call throws instead of crashing.
#pragma once
#include <napi.h>

#include <cstdint>

namespace flint {

struct Args {
  const Napi::CallbackInfo& info;
  const char* fn;
  explicit Args(const Napi::CallbackInfo& i, const char* name) : info(i), fn(name) {}

  [[noreturn]] void fail(const std::string& msg) const;
  void expectCount(size_t n) const;
  int64_t i64(size_t k) const;      // an integer-valued number
  double f64(size_t k) const;       // any number
  bool flag(size_t k) const;        // boolean (or number: nonzero is true)
  bool isNull(size_t k) const;      // null or undefined
  // Float32Array argument with at least `need` elements from element offset `off`.
  float* f32(size_t k, int64_t off, int64_t need) const;
  float* f32OrNull(size_t k, int64_t off, int64_t need) const;
  // Length of the Float32Array argument k.
  int64_t f32Length(size_t k) const;
};

}  // namespace flint

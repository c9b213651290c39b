// Argument unpacking for the N-API bindings: typed arrays are used in place (zero-copy) and every
// access range is checked against the array's length so a bad call throws instead of crashing.
#pragma once
#include <napi.h>

#include <cstdint>
#include <initializer_list>
#include <string>

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
  // Data pointer and element count of the Float32Array argument k (fails on any other value).
  float* f32Info(size_t k, int64_t& len) const;
  // The product / sum of non-negative sizes, failing (naming the function) when it overflows
  // int64: a wrapped product would let a short array pass the length checks.
  int64_t product(std::initializer_list<int64_t> sizes) const;
  int64_t sum(int64_t x, int64_t y) const;
  int64_t mul(int64_t x, int64_t y) const;  // signed (strides may be negative)
};

}  // namespace flint

namespace flint {

// A typed array argument of a given element type (for index and target arrays).
template <typename T>
T* typedData(const Args& a, size_t k, napi_typedarray_type type, const char* typeName, int64_t need) {
  const Napi::Value v = a.info[k];
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != type)
    a.fail("argument " + std::to_string(k) + " must be a " + typeName);
  Napi::TypedArray ta = v.As<Napi::TypedArray>();
  if (need < 0 || static_cast<int64_t>(ta.ElementLength()) < need)
    a.fail("argument " + std::to_string(k) + " needs " + std::to_string(need) +
           " elements, but its length is " + std::to_string(ta.ElementLength()));
  auto* base = static_cast<uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
  return reinterpret_cast<T*>(base);
}

}  // namespace flint

// Bindings: threads, ISA info, sgemm, sgemmBatched.
#include <string>

#include "args.h"
#include "bind.h"
#include "gemm.h"
#include "small_gemm.h"
#include "threadpool.h"

namespace flint {
namespace {

Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  Args a(info, "setNumThreads");
  a.expectCount(1);
  int64_t n = a.i64(0);
  if (n < 1 || n > 1024) a.fail("thread count must be in [1, 1024], got " + std::to_string(n));
  setNumThreads(static_cast<int>(n));
  return info.Env().Undefined();
}

Napi::Value GetNumThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), numThreads());
}

Napi::Value GetIsa(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), gemmKernel().name);
}

Napi::Value SetIsa(const Napi::CallbackInfo& info) {
  Args a(info, "setIsa");
  a.expectCount(1);
  if (!info[0].IsString()) a.fail("argument 0 must be a string");
  std::string name = info[0].As<Napi::String>().Utf8Value();
  return Napi::Boolean::New(info.Env(), setGemmIsa(name.c_str()));
}

struct MatArgs {
  bool tA, tB;
  int64_t M, N, K;
};

void checkLd(const Args& a, const char* what, int64_t ld, int64_t cols) {
  if (ld < (cols > 1 ? cols : 1))
    a.fail(std::string(what) + " leading dimension " + std::to_string(ld) + " < " +
           std::to_string(cols));
}

// sgemm(transA, transB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc)
Napi::Value Sgemm(const Napi::CallbackInfo& info) {
  Args a(info, "sgemm");
  a.expectCount(16);
  bool tA = a.flag(0), tB = a.flag(1);
  int64_t M = a.i64(2), N = a.i64(3), K = a.i64(4);
  if (M < 0 || N < 0 || K < 0) a.fail("negative size");
  float alpha = static_cast<float>(a.f64(5));
  int64_t lda = a.i64(8), ldb = a.i64(11), ldc = a.i64(15);
  checkLd(a, "A", lda, tA ? M : K);
  checkLd(a, "B", ldb, tB ? K : N);
  checkLd(a, "C", ldc, N);
  const float* A = a.f32(6, a.i64(7), matrixExtent(a, tA ? K : M, tA ? M : K, lda));
  const float* B = a.f32(9, a.i64(10), matrixExtent(a, tB ? N : K, tB ? K : N, ldb));
  float beta = static_cast<float>(a.f64(12));
  float* C = a.f32(13, a.i64(14), matrixExtent(a, M, N, ldc));
  if (M == 0 || N == 0) return info.Env().Undefined();  // empty C: no loop over a huge M or N
  if (!sgemmSmall(tA, tB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc)) sgemm(tA, tB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
  return info.Env().Undefined();
}

// sgemmBatched(transA, transB, M, N, K, alpha, A, aOff, lda, strideA, B, bOff, ldb, strideB,
//              beta, C, cOff, ldc, strideC, batch)
Napi::Value SgemmBatched(const Napi::CallbackInfo& info) {
  Args a(info, "sgemmBatched");
  a.expectCount(20);
  bool tA = a.flag(0), tB = a.flag(1);
  int64_t M = a.i64(2), N = a.i64(3), K = a.i64(4);
  if (M < 0 || N < 0 || K < 0) a.fail("negative size");
  float alpha = static_cast<float>(a.f64(5));
  int64_t lda = a.i64(8), sA = a.i64(9), ldb = a.i64(12), sB = a.i64(13);
  float beta = static_cast<float>(a.f64(14));
  int64_t ldc = a.i64(17), sC = a.i64(18), batch = a.i64(19);
  if (batch < 0 || sA < 0 || sB < 0 || sC < 0) a.fail("negative batch or stride");
  checkLd(a, "A", lda, tA ? M : K);
  checkLd(a, "B", ldb, tB ? K : N);
  checkLd(a, "C", ldc, N);
  int64_t last = batch > 0 ? batch - 1 : 0;
  int64_t eA = matrixExtent(a, tA ? K : M, tA ? M : K, lda);
  int64_t eB = matrixExtent(a, tB ? N : K, tB ? K : N, ldb);
  int64_t eC = matrixExtent(a, M, N, ldc);
  const float* A = a.f32(6, a.i64(7), batch > 0 && eA > 0 ? a.sum(a.product({last, sA}), eA) : 0);
  const float* B = a.f32(10, a.i64(11), batch > 0 && eB > 0 ? a.sum(a.product({last, sB}), eB) : 0);
  float* C = a.f32(15, a.i64(16), batch > 0 && eC > 0 ? a.sum(a.product({last, sC}), eC) : 0);
  if (batch == 0 || M == 0 || N == 0) return info.Env().Undefined();  // empty C (no loop over a huge batch)
  double flopsEach = 2.0 * static_cast<double>(M) * N * K;
  // Many small products: one thread per group of batch items. Few big ones: threads inside.
  if (sC != 0 && batch >= numThreads() && flopsEach < 4e7) {
    parallelFor(tasksFor(batch, 1), [&](int t, int T) {
      int64_t b0, b1;
      chunkRange(batch, t, T, b0, b1);
      for (int64_t b = b0; b < b1; ++b)
        sgemmSerial(tA, tB, M, N, K, alpha, A + b * sA, lda, B + b * sB, ldb, beta, C + b * sC,
                    ldc);
    });
  } else {
    for (int64_t b = 0; b < batch; ++b)
      sgemm(tA, tB, M, N, K, alpha, A + b * sA, lda, B + b * sB, ldb, beta, C + b * sC, ldc);
  }
  return info.Env().Undefined();
}

}  // namespace

void registerGemm(Napi::Env env, Napi::Object exports) {
  exportFn(env, exports, "setNumThreads", SetNumThreads);
  exportFn(env, exports, "getNumThreads", GetNumThreads);
  exportFn(env, exports, "getIsa", GetIsa);
  exportFn(env, exports, "setIsa", SetIsa);
  exportFn(env, exports, "sgemm", Sgemm);
  exportFn(env, exports, "sgemmBatched", SgemmBatched);
}

}  // namespace flint

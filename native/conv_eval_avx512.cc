// AVX-512 kernel of the fused inference convolution (conv_eval.h). File-wide target pragma;
// called only after directEvalOk has checked that the AVX-512 GEMM kernel is active. No
// standard-library code after the pragma.
#include <cstdint>

#include "conv_eval.h"

#if defined(__x86_64__) || defined(__i386__)
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,fma")
#include <immintrin.h>

namespace flint {
namespace {

#include "avx512_conv_common.h"
#include "conv_direct_tiles_avx512.h"

// One channel's 8 (or npos) positions: + bias, * alpha + beta, + residual, ReLU, each rounded
// as the separate ops (no FMA contraction: the file is built with -ffp-contract=off and the
// multiply and the add are separate intrinsics). ReLU keeps NaN and maps -0 to +0, as
// `z > 0 ? z : (z == z ? 0 : z)`: keep z where it is not <= 0 (greater, or unordered).
inline void finishChannel(__m256 v, int64_t c, const EvalTail& t, int64_t P, int64_t base, __mmask8 pm,
                          float* out) {
  if (t.bias) v = _mm256_add_ps(v, _mm256_set1_ps(t.bias[c]));
  v = _mm256_add_ps(_mm256_mul_ps(v, _mm256_set1_ps(t.alpha[c])), _mm256_set1_ps(t.beta[c]));
  if (t.residual) v = _mm256_add_ps(v, _mm256_maskz_loadu_ps(pm, t.residual + c * P + base));
  if (t.relu) v = _mm256_maskz_mov_ps(_mm256_cmp_ps_mask(v, _mm256_setzero_ps(), _CMP_NLE_UQ), v);
  _mm256_mask_storeu_ps(out + c * P + base, pm, v);
}

}  // namespace

void directEvalPanelsAvx512(const DirectGeo& g, const float* xpad, const float* wPacked, int64_t pnBegin,
                            int64_t pnEnd, const EvalTail& tail, float* out) {
  // The direct kernel's tiles and sum order: the same floats, then the epilogue per tile.
  const int64_t P = g.Hout * g.Wout;
  directTiles(g, xpad, wPacked, 0, g.Hout, pnBegin, pnEnd, [&](__m256 v, int64_t c, int64_t base, __mmask8 pm) {
    finishChannel(v, c, tail, P, base, pm, out);
  });
}

}  // namespace flint
#pragma GCC pop_options
#else  // not x86: never called (directEvalOk checks for the AVX-512 GEMM kernel)
namespace flint {
void directEvalPanelsAvx512(const DirectGeo&, const float*, const float*, int64_t, int64_t, const EvalTail&, float*) {}
}  // namespace flint
#endif

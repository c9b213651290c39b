// AVX-512 kernels of the small-plane depthwise path (conv_depthwise.h): a plane of at most 256
// positions is copied to a local buffer once, and each block of 16 output positions of one tap is
// one permute of two of its vectors, or two permutes of four (zero where the tap reads padding),
// so a 1x1 or 2x2 plane costs a few instructions per tap instead of a padded copy and a loop
// call per row and tap. File-wide target pragma; called only when the AVX-512 GEMM kernel is
// active. No standard-library code after the pragma.
#include <cstdint>

#include "conv_depthwise.h"

#if defined(__x86_64__)
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,fma")
#include <immintrin.h>

namespace flint {
namespace {

constexpr int kBuf = (kDwMaxPlane / 16 + 3) * 16;  // the plane's vectors and up to three of zeros

inline __mmask16 tailMask(int64_t n) { return static_cast<__mmask16>(n >= 16 ? 0xffff : (1u << n) - 1); }

// buf = the plane's n floats, then zeros up to `fill` (all the table reads).
inline void loadPlane(const float* src, int64_t n, int64_t fill, float* buf) {
  for (int64_t v = 0; v < fill; v += 16)
    _mm512_store_ps(buf + v, v < n ? _mm512_maskz_loadu_ps(tailMask(n - v), src + v) : _mm512_setzero_ps());
}

// The 16 source values of table entry e (zero where the tap reads padding or is past the plane).
inline __m512 gather(const float* buf, const DwTap& e) {
  const float* b = buf + 16 * e.base;
  const __m512i idx = _mm512_loadu_si512(e.idx);
  const __m512 r = _mm512_maskz_permutex2var_ps(static_cast<__mmask16>(e.mask), _mm512_load_ps(b), idx,
                                                _mm512_load_ps(b + 16));
  if (e.mask2 == 0) return r;
  return _mm512_mask_mov_ps(r, static_cast<__mmask16>(e.mask2),
                            _mm512_permutex2var_ps(_mm512_load_ps(b + 32), idx, _mm512_load_ps(b + 48)));
}

}  // namespace

void depthwiseSmallForwardAvx512(const DwSmallGeo& g, const DwTap* table, const float* x, const float* w,
                                 const float* bias, float* out, int64_t planeBegin, int64_t planeEnd) {
  alignas(64) float buf[kBuf];
  const int64_t blocks = (g.nDst + 15) / 16;
  // The channel counts along with the plane (no division per plane: a 1x1 plane is a few instructions).
  for (int64_t u = planeBegin, c = planeBegin % g.C; u < planeEnd; ++u, c = c + 1 == g.C ? 0 : c + 1) {
    loadPlane(x + u * g.nSrc, g.nSrc, g.fill, buf);
    const float* wc = w + c * g.K;
    for (int64_t b = 0; b < blocks; ++b) {
      // As the row kernel rounds: o = o + w * x per tap (padding reads zero), then + bias. Taps
      // that read only padding for the whole block are skipped (a 1x1 plane has one tap).
      __m512 acc = _mm512_setzero_ps();
      for (int64_t k = 0; k < g.K; ++k) {
        const DwTap& e = table[b * g.K + k];
        if ((e.mask | e.mask2) != 0) acc = _mm512_add_ps(acc, _mm512_mul_ps(_mm512_set1_ps(wc[g.order[k]]), gather(buf, e)));
      }
      if (bias) acc = _mm512_add_ps(acc, _mm512_set1_ps(bias[c]));
      _mm512_mask_storeu_ps(out + u * g.nDst + 16 * b, tailMask(g.nDst - 16 * b), acc);
    }
  }
}

void depthwiseSmallBackwardInputAvx512(const DwSmallGeo& g, const DwTap* table, const float* gradOut,
                                       const float* w, float* gradIn, int64_t planeBegin, int64_t planeEnd) {
  alignas(64) float buf[kBuf];
  const int64_t blocks = (g.nDst + 15) / 16;
  // The channel counts along with the plane (no division per plane: a 1x1 plane is a few instructions).
  for (int64_t u = planeBegin, c = planeBegin % g.C; u < planeEnd; ++u, c = c + 1 == g.C ? 0 : c + 1) {
    loadPlane(gradOut + u * g.nSrc, g.nSrc, g.fill, buf);
    const float* wc = w + c * g.K;
    for (int64_t b = 0; b < blocks; ++b) {
      // gi = gi + w * g only where the tap reaches this input position, in the row kernel's order.
      __m512 acc = _mm512_setzero_ps();
      for (int64_t k = 0; k < g.K; ++k) {
        const DwTap& e = table[b * g.K + k];
        if ((e.mask | e.mask2) == 0) continue;
        acc = _mm512_mask_add_ps(acc, static_cast<__mmask16>(e.mask | e.mask2), acc,
                                 _mm512_mul_ps(_mm512_set1_ps(wc[g.order[k]]), gather(buf, e)));
      }
      _mm512_mask_storeu_ps(gradIn + u * g.nDst + 16 * b, tailMask(g.nDst - 16 * b), acc);
    }
  }
}

void depthwiseSmallBackwardWeightAvx512(const DwSmallGeo& g, const DwTap* table, const float* x,
                                        const float* gradOut, float* gradW, float* gradBias, int64_t cBegin,
                                        int64_t cEnd) {
  alignas(64) float buf[kBuf];
  const int64_t blocks = (g.nDst + 15) / 16;
  // Channels go in groups of kGroup, the images outer: the planes of a group are adjacent in memory
  // (one channel's planes, an image apart, made each plane a cache miss). The group's sums wait
  // in acc / bsum between images.
  constexpr int64_t kGroup = 16;
  alignas(64) float acc[kGroup][kDwMaxTaps][16];
  alignas(64) double bsum[kGroup][16];
  for (int64_t c0 = cBegin; c0 < cEnd; c0 += kGroup) {
    const int64_t nc = cEnd - c0 < kGroup ? cEnd - c0 : kGroup;
    for (int64_t i = 0; i < nc; ++i) {
      for (int64_t k = 0; k < g.K; ++k) _mm512_store_ps(acc[i][k], _mm512_setzero_ps());
      _mm512_store_pd(bsum[i], _mm512_setzero_pd());
      _mm512_store_pd(bsum[i] + 8, _mm512_setzero_pd());
    }
    for (int64_t n = 0; n < g.N; ++n)
      for (int64_t i = 0; i < nc; ++i) {
        const int64_t u = n * g.C + c0 + i;
        loadPlane(x + u * g.nSrc, g.nSrc, g.fill, buf);
        const float* go = gradOut + u * g.nDst;
        __m512d bs0 = _mm512_load_pd(bsum[i]), bs1 = _mm512_load_pd(bsum[i] + 8);
        for (int64_t k = 0; k < g.K; ++k) {
          __m512 a = _mm512_load_ps(acc[i][k]);
          bool any = false;
          for (int64_t b = 0; b < blocks; ++b) {
            const DwTap& e = table[b * g.K + k];
            if ((e.mask | e.mask2) == 0) continue;
            a = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(tailMask(g.nDst - 16 * b), go + 16 * b), gather(buf, e), a);
            any = true;
          }
          if (any) _mm512_store_ps(acc[i][k], a);
        }
        if (gradBias) {
          // The bias gradient in double, as the row kernel sums it.
          for (int64_t b = 0; b < blocks; ++b) {
            const __m512 gv = _mm512_maskz_loadu_ps(tailMask(g.nDst - 16 * b), go + 16 * b);
            bs0 = _mm512_add_pd(bs0, _mm512_cvtps_pd(_mm512_castps512_ps256(gv)));
            bs1 = _mm512_add_pd(bs1, _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(gv), 1))));
          }
          _mm512_store_pd(bsum[i], bs0);
          _mm512_store_pd(bsum[i] + 8, bs1);
        }
      }
    for (int64_t i = 0; i < nc; ++i) {
      const int64_t c = c0 + i;
      for (int64_t k = 0; k < g.K; ++k) gradW[c * g.K + g.order[k]] = _mm512_reduce_add_ps(_mm512_load_ps(acc[i][k]));
      if (gradBias)
        gradBias[c] = static_cast<float>(_mm512_reduce_add_pd(_mm512_add_pd(_mm512_load_pd(bsum[i]), _mm512_load_pd(bsum[i] + 8))));
    }
  }
}

void depthwisePackedAvx512(const DwPackedGeo& g, bool backwardInput, const float* src, float* dst, int64_t n0,
                           int64_t n1) {
  const int64_t CP = g.C * g.P, CPp = (CP + 15) / 16 * 16;
  for (int64_t n = n0; n < n1; ++n)
    for (int64_t v = 0; v < CP; v += 16) {
      const __mmask16 tm = tailMask(CP - v);
      const __m512 sv = _mm512_maskz_loadu_ps(tm, src + n * CP + v);
      // Forward: o = o + w * x per tap, padding reading zero, then + bias (the row kernel's
      // rounding); input gradient: gi = gi + w * g only where the tap reaches the position.
      __m512 acc = _mm512_setzero_ps();
      for (int64_t k = 0; k < g.K; ++k) {
        const __mmask16 m = static_cast<__mmask16>(g.mask[k]);
        if (m == 0) continue;
        const __m512 t = _mm512_mul_ps(_mm512_load_ps(g.wE + k * CPp + v),
                                       _mm512_maskz_permutexvar_ps(m, _mm512_loadu_si512(g.idx + 16 * k), sv));
        acc = backwardInput ? _mm512_mask_add_ps(acc, m, acc, t) : _mm512_add_ps(acc, t);
      }
      if (g.bE) acc = _mm512_add_ps(acc, _mm512_load_ps(g.bE + v));
      _mm512_mask_storeu_ps(dst + n * CP + v, tm, acc);
    }
}

}  // namespace flint
#pragma GCC pop_options
#else  // not x86: never called (depthwiseSmallOk checks for the AVX-512 GEMM kernel)
namespace flint {
void depthwiseSmallForwardAvx512(const DwSmallGeo&, const DwTap*, const float*, const float*, const float*, float*,
                                 int64_t, int64_t) {}
void depthwiseSmallBackwardInputAvx512(const DwSmallGeo&, const DwTap*, const float*, const float*, float*, int64_t,
                                       int64_t) {}
void depthwiseSmallBackwardWeightAvx512(const DwSmallGeo&, const DwTap*, const float*, const float*, float*, float*,
                                        int64_t, int64_t) {}
void depthwisePackedAvx512(const DwPackedGeo&, bool, const float*, float*, int64_t, int64_t) {}
}  // namespace flint
#endif

#include "rnn_cell.h"

#include <cmath>
#include <cstdint>

#include "vmath.h"

namespace flint {
namespace {
// The unary kernels' functions (native/vmath.h), so the fused cells equal the composed ops bit for bit.
inline float sigmoidf(float x) { return vmath::sigmoidf(x); }
}  // namespace

void lstmCellForward(const float* gates, const float* c, float* hy, float* cy, float* act, int64_t B, int64_t H) {
  for (int64_t b = 0; b < B; ++b) {
    const float* gi = gates + b * 4 * H;
    float* a = act + b * 5 * H;
    for (int64_t j = 0; j < H; ++j) {
      const float si = sigmoidf(gi[j]), sf = sigmoidf(gi[H + j]), tg = vmath::tanhf(gi[2 * H + j]), so = sigmoidf(gi[3 * H + j]);
      const float keep = sf * c[b * H + j], add = si * tg;  // mul(sigmoid(f), c), mul(sigmoid(i), tanh(g))
      const float cv = keep + add;
      const float tc = vmath::tanhf(cv);
      cy[b * H + j] = cv;
      hy[b * H + j] = so * tc;
      a[j] = si;
      a[H + j] = sf;
      a[2 * H + j] = tg;
      a[3 * H + j] = so;
      a[4 * H + j] = tc;
    }
  }
}

void lstmCellBackward(const float* act, const float* c, const float* dhy, const float* dcy, float* dgates, float* dc,
                      int64_t B, int64_t H) {
  for (int64_t b = 0; b < B; ++b) {
    const float* a = act + b * 5 * H;
    float* dg = dgates + b * 4 * H;
    for (int64_t j = 0; j < H; ++j) {
      const int64_t k = b * H + j;
      const float si = a[j], sf = a[H + j], tg = a[2 * H + j], so = a[3 * H + j], tc = a[4 * H + j];
      const float dso = dhy[k] * tc, dtc = dhy[k] * so;            // hy = so * tc
      const float dcv = dtc * (1.0f - tc * tc) + dcy[k];            // tanh_backward, plus cy's own gradient
      const float dsf = dcv * c[k], dsi = dcv * tg, dtg = dcv * si;  // cy = sf * c + si * tg
      dc[k] = dcv * sf;
      dg[j] = dsi * (1.0f - si) * si;  // sigmoid_backward: g * (1 - y) * y
      dg[H + j] = dsf * (1.0f - sf) * sf;
      dg[2 * H + j] = dtg * (1.0f - tg * tg);  // tanh_backward: g * (1 - y * y)
      dg[3 * H + j] = dso * (1.0f - so) * so;
    }
  }
}

void gruCellForward(const float* xw, const float* hw, const float* h, float* hy, float* saved, int64_t B, int64_t H) {
  for (int64_t b = 0; b < B; ++b) {
    const float* xi = xw + b * 3 * H;
    const float* hi = hw + b * 3 * H;
    float* s = saved + b * 4 * H;
    for (int64_t j = 0; j < H; ++j) {
      const float r = sigmoidf(hi[j] + xi[j]);
      const float z = sigmoidf(hi[H + j] + xi[H + j]);
      const float hn = hi[2 * H + j];
      const float n = vmath::tanhf(xi[2 * H + j] + hn * r);
      const float hv = h[b * H + j];
      hy[b * H + j] = (hv - n) * z + n;
      s[j] = r;
      s[H + j] = z;
      s[2 * H + j] = n;
      s[3 * H + j] = hn;
    }
  }
}

void gruCellBackward(const float* saved, const float* h, const float* dhy, float* dxw, float* dhw, float* dh, int64_t B,
                     int64_t H) {
  for (int64_t b = 0; b < B; ++b) {
    const float* s = saved + b * 4 * H;
    float* dx = dxw + b * 3 * H;
    float* dw = dhw + b * 3 * H;
    for (int64_t j = 0; j < H; ++j) {
      const int64_t k = b * H + j;
      const float r = s[j], z = s[H + j], n = s[2 * H + j], hn = s[3 * H + j];
      const float g = dhy[k];
      const float gz = g * z;                   // mul(sub(h, n), z) backward, towards (h - n)
      const float dz = g * (h[k] - n);          // ... towards z
      const float dn = g + -gz;                 // add's gradient plus sub's negated one
      const float du = dn * (1.0f - n * n);     // tanh_backward
      const float dr = du * hn;                 // mul(hn, r) backward
      const float dzp = dz * (1.0f - z) * z;    // sigmoid_backward
      const float drp = dr * (1.0f - r) * r;
      dh[k] = gz;
      dx[j] = drp;
      dx[H + j] = dzp;
      dx[2 * H + j] = du;
      dw[j] = drp;
      dw[H + j] = dzp;
      dw[2 * H + j] = du * r;
    }
  }
}

}  // namespace flint

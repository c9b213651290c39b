#include "rnn_layer.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "gemm.h"
#include "rnn_cell.h"

namespace flint {

void rnnLayerForward(RnnKind kind, const float* xw, const float* h0, const float* c0, const float* wHh,
                     const float* bHh, float* out, float* hN, float* cN, float* saved, int64_t T, int64_t B,
                     int64_t H, bool reverse) {
  const bool lstm = kind == RnnKind::Lstm;
  const int64_t G = rnnGates(kind) * H, BH = B * H;
  // saved: the step inputs h [T, B, H], then (LSTM) c [T, B, H], then the cells' activations.
  float* hs = saved;
  float* cs = saved + T * BH;
  float* acts = saved + (lstm ? 2 : 1) * T * BH;
  const int64_t actRow = (lstm ? 5 : 4) * BH;
  std::vector<float> hw(static_cast<size_t>(B * G)), c(lstm ? static_cast<size_t>(BH) : 0);
  if (lstm) std::memcpy(c.data(), c0, sizeof(float) * BH);
  const float* h = h0;
  for (int64_t s = 0; s < T; ++s) {
    const int64_t t = reverse ? T - 1 - s : s;
    std::memcpy(hs + t * BH, h, sizeof(float) * BH);
    // hw = h W_hh^T + b_hh (addmm: the bias first, the product added onto it)
    for (int64_t b = 0; b < B; ++b) {
      if (bHh)
        std::memcpy(hw.data() + b * G, bHh, sizeof(float) * G);
      else
        std::fill(hw.data() + b * G, hw.data() + (b + 1) * G, 0.0f);
    }
    sgemm(false, true, B, G, H, 1.0f, h, H, wHh, H, 1.0f, hw.data(), G);
    const float* x = xw + t * B * G;
    float* ht = out + t * BH;
    if (lstm) {
      std::memcpy(cs + t * BH, c.data(), sizeof(float) * BH);
      for (int64_t i = 0; i < B * G; ++i) hw[i] += x[i];  // gates = hw + xw
      // cy is written straight over c (the cell reads c[k] before writing cy[k]).
      lstmCellForward(hw.data(), c.data(), ht, c.data(), acts + t * actRow, B, H);
    } else {
      gruCellForward(x, hw.data(), h, ht, acts + t * actRow, B, H);
    }
    h = ht;
  }
  std::memcpy(hN, h, sizeof(float) * BH);
  if (lstm) std::memcpy(cN, c.data(), sizeof(float) * BH);
}

void rnnLayerBackward(RnnKind kind, const float* saved, const float* wHh, const float* dOut, const float* dhN,
                      const float* dcN, float* dxw, float* dh0, float* dc0, float* dwHh, float* dbHh, int64_t T,
                      int64_t B, int64_t H, bool reverse) {
  const bool lstm = kind == RnnKind::Lstm;
  const int64_t G = rnnGates(kind) * H, BH = B * H;
  const float* hs = saved;
  const float* cs = saved + T * BH;
  const float* acts = saved + (lstm ? 2 : 1) * T * BH;
  const int64_t actRow = (lstm ? 5 : 4) * BH;
  std::vector<float> dh(static_cast<size_t>(BH), 0.0f), dhy(static_cast<size_t>(BH));
  std::vector<float> dc(lstm ? static_cast<size_t>(BH) : 0, 0.0f);
  // The gradient of hw per step (the LSTM's is dxw itself: gates = hw + xw).
  std::vector<float> dhwAll(lstm ? 0 : static_cast<size_t>(T * B * G));
  float* dhw = lstm ? dxw : dhwAll.data();
  if (dhN) std::memcpy(dh.data(), dhN, sizeof(float) * BH);
  if (lstm && dcN) std::memcpy(dc.data(), dcN, sizeof(float) * BH);
  for (int64_t s = T - 1; s >= 0; --s) {
    const int64_t t = reverse ? T - 1 - s : s;
    const float* dOutT = dOut ? dOut + t * BH : nullptr;
    for (int64_t i = 0; i < BH; ++i) dhy[i] = dOutT ? dOutT[i] + dh[i] : dh[i];
    float* dg = dhw + t * B * G;
    if (lstm) {
      // dc is read (as dcy) before it is overwritten (as the previous step's dc), element by element.
      lstmCellBackward(acts + t * actRow, cs + t * BH, dhy.data(), dc.data(), dg, dc.data(), B, H);
      sgemm(false, false, B, H, G, 1.0f, dg, G, wHh, H, 0.0f, dh.data(), H);  // dh = dgates W_hh
    } else {
      gruCellBackward(acts + t * actRow, hs + t * BH, dhy.data(), dxw + t * B * G, dg, dh.data(), B, H);
      sgemm(false, false, B, H, G, 1.0f, dg, G, wHh, H, 1.0f, dh.data(), H);  // dh += dhw W_hh
    }
  }
  std::memcpy(dh0, dh.data(), sizeof(float) * BH);
  if (lstm && dc0) std::memcpy(dc0, dc.data(), sizeof(float) * BH);
  const int64_t rows = T * B;
  // dW_hh = sum over steps of dhw_t^T h_t: one product over all steps, [G, T*B] x [T*B, H].
  if (dwHh) sgemm(true, false, G, H, rows, 1.0f, dhw, G, hs, H, 0.0f, dwHh, H);
  if (dbHh) {
    std::fill(dbHh, dbHh + G, 0.0f);
    for (int64_t r = 0; r < rows; ++r) {
      const float* d = dhw + r * G;
      for (int64_t j = 0; j < G; ++j) dbHh[j] += d[j];
    }
  }
}

}  // namespace flint

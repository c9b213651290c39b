// One LSTM or GRU layer direction over a whole padded sequence in one call: per time step the
// recurrent matrix product (h W_hh^T + b_hh, in ATen's order: the product plus the bias, then the
// input projection added) and the fused pointwise cell of rnn_cell.h; backward walks the steps in
// reverse and computes W_hh's and b_hh's gradients with one matrix product / one column sum over
// all steps instead of one per step. The input projection x W_ih^T + b_ih of every step comes in
// precomputed (one matrix product for the whole sequence, done by the caller).
#pragma once
#include <cstdint>

namespace flint {

enum class RnnKind { Lstm = 0, Gru = 1 };

// Gate rows per hidden unit: 4 (LSTM i, f, g, o) or 3 (GRU r, z, n).
inline int64_t rnnGates(RnnKind k) { return k == RnnKind::Lstm ? 4 : 3; }
// Floats saved per (step, batch row) for the backward pass, in units of H: the step's input
// state h (and c for LSTM), then the cell's saved activations (LSTM 5H, GRU 4H); laid out as
// [h of all steps][c of all steps][activations of all steps].
inline int64_t rnnSavedPerRow(RnnKind k) { return k == RnnKind::Lstm ? 7 : 5; }

// xw [T, B, G*H]; h0, c0 [B, H] (c0 LSTM only); wHh [G*H, H]; bHh [G*H] or null.
// Writes out [T, B, H] (the h of every step, by time), hN, cN [B, H], saved [T, B, savedPerRow*H].
// reverse: steps run from t = T-1 down to 0.
void rnnLayerForward(RnnKind kind, const float* xw, const float* h0, const float* c0, const float* wHh,
                     const float* bHh, float* out, float* hN, float* cN, float* saved, int64_t T, int64_t B,
                     int64_t H, bool reverse);

// Gradients from dOut [T, B, H] (null = zero), dhN, dcN [B, H] (null = zero): dxw [T, B, G*H],
// dh0, dc0 [B, H] (dc0 LSTM only), dwHh [G*H, H] and dbHh [G*H] (either may be null: not wanted).
void rnnLayerBackward(RnnKind kind, const float* saved, const float* wHh, const float* dOut, const float* dhN,
                      const float* dcN, float* dxw, float* dh0, float* dc0, float* dwHh, float* dbHh, int64_t T,
                      int64_t B, int64_t H, bool reverse);

}  // namespace flint

// The pointwise part of an LSTM cell, fused: from the gate pre-activations to the new states in
// one pass, and back. Same float32 operations in the same order as the composed ops
// (sigmoid = 1 / (1 + exp(-x)), tanh from libm, no contraction), so results equal theirs.
#pragma once
#include <cstdint>

namespace flint {

// gates [B, 4H] (i, f, g, o), c [B, H] -> hy, cy [B, H]; act [B, 5H] keeps sigmoid(i), sigmoid(f),
// tanh(g), sigmoid(o), tanh(cy) for the backward pass.
void lstmCellForward(const float* gates, const float* c, float* hy, float* cy, float* act, int64_t B, int64_t H);

// dhy, dcy [B, H] (gradients reaching hy and cy) -> dgates [B, 4H], dc [B, H].
void lstmCellBackward(const float* act, const float* c, const float* dhy, const float* dcy, float* dgates, float* dc,
                      int64_t B, int64_t H);

// The pointwise part of a GRU cell, as ATen's _thnn_fused_gru_cell / the composed ops of
// src/nn/modules/rnn-steps.ts: xw = x W_ih^T + b_ih and hw = h W_hh^T + b_hh [B, 3H] (r, z, n),
// h [B, H] -> hy [B, H]; saved [B, 4H] keeps r, z, n and hw's n part for the backward pass.
//   r = sigmoid(hr + ir), z = sigmoid(hz + iz), n = tanh(in + hn * r), hy = (h - n) * z + n
void gruCellForward(const float* xw, const float* hw, const float* h, float* hy, float* saved, int64_t B, int64_t H);

// dhy [B, H] -> dxw, dhw [B, 3H] (gradients of the two projections) and dh [B, H] (the direct
// path h -> hy only; the path through hw is the caller's matrix product).
void gruCellBackward(const float* saved, const float* h, const float* dhy, float* dxw, float* dhw, float* dh, int64_t B,
                     int64_t H);

}  // namespace flint

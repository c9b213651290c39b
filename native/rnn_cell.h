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

}  // namespace flint

// Row-wise and reduction kernels: sums over an axis, softmax / log-softmax (+ backward), and the
// fused cross-entropy (log-softmax + NLL, mean over rows, optional label smoothing).
#pragma once
#include <cstdint>

namespace flint {

// out[o, i] = sum_j x[o, j, i] for x laid out [outer, n, inner]. Sums in double.
void sumRows(const float* x, float* out, int64_t outer, int64_t n, int64_t inner);
// out[c] = sum over n, hw of g[n, c, hw] (the bias gradient of an NCHW output).
void biasGradNCHW(const float* g, float* out, int64_t N, int64_t C, int64_t HW);

void logSoftmaxRows(const float* x, float* out, int64_t rows, int64_t cols);
void softmaxRows(const float* x, float* out, int64_t rows, int64_t cols);
// gradIn = gradOut - exp(y) * sum(gradOut), y = log_softmax output.
void logSoftmaxBackwardRows(const float* gradOut, const float* y, float* gradIn, int64_t rows, int64_t cols);
// gradIn = y * (gradOut - sum(gradOut * y)), y = softmax output.
void softmaxBackwardRows(const float* gradOut, const float* y, float* gradIn, int64_t rows, int64_t cols);

// Mean cross-entropy of logits [rows, cols] against integer targets; rows whose target equals
// ignoreIndex count neither in the loss nor in the mean. Writes d(loss)/d(logits) into grad
// when non-null. Returns the loss, or -1 - row when a target is out of range (badRow set).
double crossEntropy(const float* logits, const double* targets, float* grad, int64_t rows,
                    int64_t cols, double labelSmoothing, int64_t ignoreIndex, int64_t* badRow);

}  // namespace flint

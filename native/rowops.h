// Row-wise and reduction kernels: sums over an axis, softmax / log-softmax (+ backward), and the
// fused cross-entropy (log-softmax + NLL, mean over rows, optional label smoothing).
#pragma once
#include <cstdint>

namespace flint {

// Sum of n floats in double, eight independent partial sums (one chain of dependent adds would
// run at a quarter of the machine's add throughput).
double sumDouble(const float* x, int64_t n);

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

// Layer norm over the last `cols` values of each row, as ATen's CPU kernel: biased variance,
// rstd = 1 / sqrt(var + eps), y = (x - mean) * rstd * w + b (w, b may be null). Row statistics in
// double; mean and rstd [rows] are kept for the backward pass.
void layerNormRows(const float* x, const float* w, const float* b, float* y, float* mean, float* rstd, int64_t rows,
                   int64_t cols, double eps);
// dx from dy (ATen's formula: dx = rstd * (dy w) + c1 * x + c2), and when dw / db are non-null
// the weight and bias gradients summed over rows: dw = sum dy (x - mean) rstd, db = sum dy.
void layerNormBackwardRows(const float* dy, const float* x, const float* w, const float* mean, const float* rstd,
                           float* dx, float* dw, float* db, int64_t rows, int64_t cols);

}  // namespace flint

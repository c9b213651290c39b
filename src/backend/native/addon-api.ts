// The kernel interface of the native addon, as plain types (no Node imports): the C++ addon
// (./addon.ts loads it) and the WebAssembly build of the same kernels (../wasm/kernels.ts) both
// implement it, so one backend (./index.ts) drives either.
/**
 * An elementwise opcode: an index into the addon's own op-name lists (unaryOps / binaryOps,
 * exported from native/elementwise.h), resolved by name once at load (see ./opcodes.ts).
 */
export type OpCode = number & { readonly __opcode: unique symbol };

/** Max-pool indices: int64 tensors are stored as Float64Array in Flint; Int32Array also works. */
export type IndexArray = Int32Array | Float64Array;

export interface NativeAddon {
  /** The unary opcodes' names, in opcode order (the TypeScript op names: "neg", "exp", …). */
  readonly unaryOps: readonly string[];
  /**
   * The binary opcodes' names, in opcode order. Backward ops take a = incoming gradient, b = the
   * forward output y; "rsub" and "rdiv" are b - a and b / a (with the scalar form: s - a, s / a).
   */
  readonly binaryOps: readonly string[];
  /**
   * Where the backend allocates its float32 (and int64, as float64) outputs: the WebAssembly
   * build's memory, so that kernels take them without copies. null (or no such method): a
   * JavaScript array.
   */
  allocFloat32?(n: number): Float32Array | null;
  allocFloat64?(n: number): Float64Array | null;
  /** Threads used by every kernel (the calling thread included); default hardware_concurrency. */
  setNumThreads(n: number): void;
  getNumThreads(): number;
  /** SIMD level used by the GEMM microkernel: "avx512" | "avx2" | "scalar" (native), "wasm-simd128" | "scalar" (WebAssembly). */
  getIsa(): string;
  /** Forces an ISA (for tests and benchmarks); false when the CPU (or build) lacks it. */
  setIsa(name: "avx512" | "avx2" | "wasm-simd128" | "scalar"): boolean;

  /** Row-major C = alpha * op(A) * op(B) + beta * C; op(A) is M x K, op(B) is K x N. beta = 0 ignores C's contents. */
  sgemm(
    transA: boolean, transB: boolean, M: number, N: number, K: number, alpha: number,
    A: Float32Array, aOff: number, lda: number, B: Float32Array, bOff: number, ldb: number,
    beta: number, C: Float32Array, cOff: number, ldc: number,
  ): void;
  /** `batch` independent sgemm calls; matrix b starts at off + b * stride in each array. */
  sgemmBatched(
    transA: boolean, transB: boolean, M: number, N: number, K: number, alpha: number,
    A: Float32Array, aOff: number, lda: number, strideA: number,
    B: Float32Array, bOff: number, ldb: number, strideB: number,
    beta: number, C: Float32Array, cOff: number, ldc: number, strideC: number, batch: number,
  ): void;

  // Convolution, NCHW input, OIHW weight [OC, C / groups, KH, KW]. OH and OW are derived:
  // OH = floor((H + 2 pH - dH (KH - 1) - 1) / sH) + 1. Arrays are read from index 0 (pass
  // subarray() views for offsets). Every output array is overwritten, not accumulated into.
  /** out [N, OC, OH, OW] = conv2d(x, w) + bias (bias may be null). */
  conv2dForward(
    x: Float32Array, w: Float32Array, bias: Float32Array | null, out: Float32Array,
    N: number, C: number, H: number, W: number, OC: number, KH: number, KW: number,
    sH: number, sW: number, pH: number, pW: number, dH: number, dW: number, groups: number,
  ): void;
  /**
   * out = conv2d(x, w, bias), then an eval-mode BatchNorm (running statistics), plus residual
   * [N, OC, OH, OW] when given, and with relu a ReLU. Optional: an addon built before it lacks it.
   */
  conv2dBatchNormEval?(
    x: Float32Array, w: Float32Array, bias: Float32Array | null, bnWeight: Float32Array | null,
    bnBias: Float32Array | null, runningMean: Float32Array, runningVar: Float32Array, eps: number, relu: boolean,
    residual: Float32Array | null, out: Float32Array, N: number, C: number, H: number, W: number, OC: number, KH: number, KW: number,
    sH: number, sW: number, pH: number, pW: number, dH: number, dW: number, groups: number,
  ): void;
  /** gradIn [N, C, H, W] from gradOut [N, OC, OH, OW]. */
  conv2dBackwardInput(
    gradOut: Float32Array, w: Float32Array, gradIn: Float32Array,
    N: number, C: number, H: number, W: number, OC: number, KH: number, KW: number,
    sH: number, sW: number, pH: number, pW: number, dH: number, dW: number, groups: number,
  ): void;
  /** gradW [OC, C / groups, KH, KW] and gradBias [OC] (may be null). */
  conv2dBackwardWeight(
    x: Float32Array, gradOut: Float32Array, gradW: Float32Array, gradBias: Float32Array | null,
    N: number, C: number, H: number, W: number, OC: number, KH: number, KW: number,
    sH: number, sW: number, pH: number, pW: number, dH: number, dW: number, groups: number,
  ): void;

  // BatchNorm over [N, C, HW] (native/batchnorm.h); weight, bias, gradIn, gradWeight, gradBias
  // may be null. Optional: an addon built before them lacks them, and the op composes instead.
  /** Training: batch mean, biased var and invstd [C] out, out [N, C, HW] normalised. */
  batchNormTrainForward?(
    x: Float32Array, weight: Float32Array | null, bias: Float32Array | null, mean: Float32Array,
    variance: Float32Array, invstd: Float32Array, out: Float32Array, N: number, C: number, HW: number, eps: number,
  ): void;
  /** Evaluation: normalised with the running statistics; invstd [C] receives 1/sqrt(runningVar + eps). */
  batchNormEvalForward?(
    x: Float32Array, weight: Float32Array | null, bias: Float32Array | null, runningMean: Float32Array,
    runningVar: Float32Array, invstd: Float32Array, out: Float32Array, N: number, C: number, HW: number, eps: number,
  ): void;
  batchNormBackward?(
    x: Float32Array, gradOut: Float32Array, weight: Float32Array | null, mean: Float32Array, invstd: Float32Array,
    gradIn: Float32Array | null, gradWeight: Float32Array | null, gradBias: Float32Array | null,
    N: number, C: number, HW: number, training: boolean,
  ): void;

  // Pooling on NCHW planes; the caller gives OH/OW (so ceil_mode is handled there). Indices are
  // flat per-plane positions ih * W + iw, as PyTorch returns them. Outputs are overwritten.
  /** indices null: the values only. */
  maxPool2dForward(
    x: Float32Array, out: Float32Array, indices: IndexArray | null,
    N: number, C: number, H: number, W: number, KH: number, KW: number, sH: number, sW: number,
    pH: number, pW: number, dH: number, dW: number, OH: number, OW: number,
  ): void;
  maxPool2dBackward(
    gradOut: Float32Array, indices: IndexArray, gradIn: Float32Array,
    N: number, C: number, H: number, W: number, KH: number, KW: number, sH: number, sW: number,
    pH: number, pW: number, dH: number, dW: number, OH: number, OW: number,
  ): void;
  /** divisorOverride: 0 or null for none. */
  avgPool2dForward(
    x: Float32Array, out: Float32Array,
    N: number, C: number, H: number, W: number, KH: number, KW: number, sH: number, sW: number,
    pH: number, pW: number, OH: number, OW: number, countIncludePad: boolean, divisorOverride: number | null,
  ): void;
  avgPool2dBackward(
    gradOut: Float32Array, gradIn: Float32Array,
    N: number, C: number, H: number, W: number, KH: number, KW: number, sH: number, sW: number,
    pH: number, pW: number, OH: number, OW: number, countIncludePad: boolean, divisorOverride: number | null,
  ): void;

  // Contiguous elementwise kernels over n elements; out may alias an input.
  /** dst view = src view (element strides and offsets on both sides; shapes equal). */
  copyStrided(
    src: Float32Array, srcOff: number, srcStrides: readonly number[],
    dst: Float32Array, dstOff: number, dstStrides: readonly number[], shape: readonly number[],
  ): void;
  /** out (dense, shape) = a op b for strided views a and b (stride 0 where broadcast). */
  binaryStrided(
    op: OpCode, a: Float32Array, aOff: number, aStrides: readonly number[],
    b: Float32Array, bOff: number, bStrides: readonly number[], out: Float32Array, shape: readonly number[],
  ): void;
  /** The fused pointwise LSTM cell (native/rnn_cell.h); act [B, 5H] is kept for the backward pass. */
  lstmCellForward(gates: Float32Array, c: Float32Array, hy: Float32Array, cy: Float32Array, act: Float32Array, B: number, H: number): void;
  lstmCellBackward(act: Float32Array, c: Float32Array, dhy: Float32Array, dcy: Float32Array, dgates: Float32Array, dc: Float32Array, B: number, H: number): void;
  // Optional exports (the WebAssembly build may lack them; the backend then declines the kernel).
  /** The fused pointwise GRU cell (rnn_cell.h): xw, hw [B, 3H], h [B, H] -> hy [B, H], saved [B, 4H]. */
  gruCellForward?(xw: Float32Array, hw: Float32Array, h: Float32Array, hy: Float32Array, saved: Float32Array, B: number, H: number): void;
  /** Layer norm over rows of `cols` (rowops.h): y, mean, rstd [rows] written; w, b may be null. */
  layerNormRows?(x: Float32Array, w: Float32Array | null, b: Float32Array | null, y: Float32Array, mean: Float32Array, rstd: Float32Array, rows: number, cols: number, eps: number): void;
  /** dx, and dw / db (summed over rows) when not null. */
  layerNormBackwardRows?(dy: Float32Array, x: Float32Array, w: Float32Array | null, mean: Float32Array, rstd: Float32Array, dx: Float32Array, dw: Float32Array | null, db: Float32Array | null, rows: number, cols: number): void;
  /** Adam/AdamW over a list of tensors in one call (PyTorch's foreach=True); steps[i] is tensor i's count after this update. */
  adamStepMulti?(
    params: Float32Array[], grads: Float32Array[], expAvgs: Float32Array[], expAvgSqs: Float32Array[], maxExpAvgSqs: Float32Array[] | null,
    steps: Float64Array, lr: number, beta1: number, beta2: number, eps: number, weightDecay: number, amsgrad: boolean, maximize: boolean, decoupled: boolean,
  ): void;
  /** dhy [B, H] -> dxw, dhw [B, 3H] and the direct dh [B, H]. */
  /** One LSTM (kind 0) or GRU (kind 1) layer direction over T steps (native/rnn_layer.h). */
  rnnLayerForward?(kind: number, xw: Float32Array, h0: Float32Array, c0: Float32Array | null, wHh: Float32Array, bHh: Float32Array | null, out: Float32Array, hN: Float32Array, cN: Float32Array | null, saved: Float32Array, T: number, B: number, H: number, reverse: boolean): void;
  rnnLayerBackward?(kind: number, saved: Float32Array, wHh: Float32Array, dOut: Float32Array | null, dhN: Float32Array | null, dcN: Float32Array | null, dxw: Float32Array, dh0: Float32Array, dc0: Float32Array | null, dwHh: Float32Array | null, dbHh: Float32Array | null, T: number, B: number, H: number, reverse: boolean): void;
  gruCellBackward?(saved: Float32Array, h: Float32Array, dhy: Float32Array, dxw: Float32Array, dhw: Float32Array, dh: Float32Array, B: number, H: number): void;
  /** out = f(x), f a unary opcode. */
  unary(op: OpCode, x: Float32Array, xOff: number, out: Float32Array, outOff: number, n: number): void;
  /** out = a op b, op a binary opcode. */
  binary(
    op: OpCode, a: Float32Array, aOff: number, b: Float32Array, bOff: number,
    out: Float32Array, outOff: number, n: number,
  ): void;
  /** out = a op s (rsub: s - a, rdiv: s / a); s is rounded to float32. */
  binaryScalar(op: OpCode, a: Float32Array, aOff: number, s: number, out: Float32Array, outOff: number, n: number): void;
  /** out = a + alpha * b (fused multiply-add, as PyTorch's add(b, alpha=)). */
  addScaled(
    a: Float32Array, aOff: number, b: Float32Array, bOff: number, alpha: number,
    out: Float32Array, outOff: number, n: number,
  ): void;
  /** out = min(max(x, lo), hi), one pass (hardtanh, relu6); lo and hi are rounded to float32. Native only (the wasm build declines). */
  hardtanh?(x: Float32Array, xOff: number, lo: number, hi: number, out: Float32Array, n: number): void;
  /** out = g where lo < x < hi, else 0 (a NaN x passes g on): HardtanhBackward in one pass. */
  hardtanhBackward?(g: Float32Array, x: Float32Array, lo: number, hi: number, out: Float32Array, n: number): void;

  /** out[o, i] = sum_j x[o, j, i] for x laid out [outer, n, inner] (sums in double). */
  sumRows(x: Float32Array, xOff: number, out: Float32Array, outOff: number, outer: number, n: number, inner: number): void;
  /** out[c] = sum of gradOut[:, c, :, :] for gradOut [N, C, HW] (the conv bias gradient). */
  biasGradNCHW(gradOut: Float32Array, out: Float32Array, N: number, C: number, HW: number): void;

  /** Row-wise over [rows, cols]. */
  logSoftmaxRows(x: Float32Array, xOff: number, out: Float32Array, outOff: number, rows: number, cols: number): void;
  softmaxRows(x: Float32Array, xOff: number, out: Float32Array, outOff: number, rows: number, cols: number): void;
  /** gradIn = gradOut - exp(y) * rowsum(gradOut), y = log_softmax output. */
  logSoftmaxBackwardRows(gradOut: Float32Array, y: Float32Array, gradIn: Float32Array, rows: number, cols: number): void;
  /** gradIn = y * (gradOut - rowsum(gradOut * y)), y = softmax output. */
  softmaxBackwardRows(gradOut: Float32Array, y: Float32Array, gradIn: Float32Array, rows: number, cols: number): void;
  /**
   * Mean cross-entropy of logits [rows, cols] with class targets (int64 values in a
   * Float64Array), PyTorch's label smoothing and ignoreIndex (-100 by default in torch). Returns
   * the loss (NaN when every row is ignored); when grad is given, writes d(loss)/d(logits)
   * = (softmax - (1 - eps) onehot - eps / cols) / (rows not ignored). Throws RangeError for a
   * target out of [0, cols).
   */
  crossEntropyForwardBackward(
    logits: Float32Array, targets: Float64Array, grad: Float32Array | null, rows: number, cols: number,
    labelSmoothing: number, ignoreIndex: number,
  ): number;

  /**
   * One SGD update in place (PyTorch 1.13 single-tensor formulas). firstStep: the momentum
   * buffer is initialised to the gradient (torch's `buf is None` case). momentumBuf may be null
   * when momentum is 0. The element count is param.length.
   */
  sgdStep(
    param: Float32Array, grad: Float32Array, momentumBuf: Float32Array | null, lr: number,
    momentum: number, dampening: number, weightDecay: number, nesterov: boolean, maximize: boolean,
    firstStep: boolean,
  ): void;
  /**
   * One Adam (decoupled = false) or AdamW (decoupled = true) update in place; step is the step
   * count after this update's increment (1 on the first update). maxExpAvgSq only with amsgrad.
   */
  adamStep(
    param: Float32Array, grad: Float32Array, expAvg: Float32Array, expAvgSq: Float32Array,
    maxExpAvgSq: Float32Array | null, lr: number, beta1: number, beta2: number, eps: number,
    weightDecay: number, step: number, amsgrad: boolean, maximize: boolean, decoupled: boolean,
  ): void;
}

// The NativeAddon interface (../native/addon-api.ts) over the WebAssembly build of the same C++
// kernels: arrays that live in the module's memory (outputs allocated there, ./heap-storage.ts)
// are passed by address; others are copied in, and the results out (./heap.ts). Ranges are checked here (the C side trusts its caller, and a bad range in
// wasm memory would corrupt the heap instead of crashing), with the addon's TypeError messages.
import type { IndexArray, NativeAddon } from "../native/addon-api.js";
import { Heap, type Region } from "./heap.js";
import { HeapStorage, type HeapStorageOptions } from "./heap-storage.js";
import type { KernelExports } from "./module.js";

type Elems = Float32Array | Float64Array | Int32Array;

function fail(fn: string, msg: string): never {
  throw new TypeError(`${fn}: ${msg}`);
}

/** Elements [off, off + n) of array, checked. */
function span(fn: string, array: Elems, off: number, n: number, input: boolean, output: boolean): Region {
  if (!Number.isInteger(off) || !Number.isInteger(n) || off < 0 || n < 0) fail(fn, `bad offset ${off} or count ${n}`);
  if (off + n > array.length) fail(fn, `needs ${off + n} elements, but the array's length is ${array.length}`);
  return { array, start: off, length: n, input, output };
}
const inp = (fn: string, a: Elems, off: number, n: number): Region => span(fn, a, off, n, true, false);
const out = (fn: string, a: Elems, off: number, n: number): Region => span(fn, a, off, n, false, true);
const inout = (fn: string, a: Elems, off: number, n: number): Region => span(fn, a, off, n, true, true);

/** Elements a row-major matrix of rows x cols with leading dimension ld spans. */
const matrixExtent = (rows: number, cols: number, ld: number): number =>
  rows > 0 && cols > 0 ? (rows - 1) * ld + cols : 0;

/** The smallest range [lo, hi) holding every element of a strided view from off. */
function stridedRange(
  fn: string,
  off: number,
  strides: readonly number[],
  shape: readonly number[],
): { lo: number; hi: number } {
  if (strides.length !== shape.length) fail(fn, "strides and shape must have the same length");
  let lo = off,
    hi = off + 1;
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === 0) return { lo: off, hi: off };
    const s = (shape[i] - 1) * strides[i];
    if (s < 0) lo += s;
    else hi += s;
  }
  if (lo < 0) fail(fn, "a stride reaches before the start of the array");
  return { lo, hi };
}

/** The addon over the kernels, with the storage it allocates outputs in (off for a non-shared memory). */
export type WasmAddon = NativeAddon & { readonly heapStorage: HeapStorage };

export function makeWasmAddon(ex: KernelExports, options: HeapStorageOptions = {}): WasmAddon {
  const heapStorage = new HeapStorage(ex, options);
  const heap = new Heap(ex, heapStorage);
  const f = (x: boolean): number => (x ? 1 : 0);

  function conv(
    fn: string,
    geometry: readonly number[],
  ): { inSize: number; outSize: number; wSize: number; g: number } {
    const [N, C, H, W, OC, KH, KW, sH, sW, pH, pW, dH, dW, groups] = geometry;
    if (N < 0 || C <= 0 || H <= 0 || W <= 0 || OC <= 0 || KH <= 0 || KW <= 0)
      fail(fn, "sizes must be positive (N >= 0)");
    if (sH <= 0 || sW <= 0 || dH <= 0 || dW <= 0 || pH < 0 || pW < 0)
      fail(fn, "stride and dilation must be positive, padding non-negative");
    if (groups <= 0 || C % groups !== 0 || OC % groups !== 0)
      fail(fn, `groups ${groups} must divide C ${C} and OC ${OC}`);
    const OH = Math.floor((H + 2 * pH - dH * (KH - 1) - 1) / sH) + 1,
      OW = Math.floor((W + 2 * pW - dW * (KW - 1) - 1) / sW) + 1;
    if (OH <= 0 || OW <= 0)
      fail(fn, `kernel ${KH}x${KW} (dilated) is larger than the padded input ${H + 2 * pH}x${W + 2 * pW}`);
    return {
      inSize: N * C * H * W,
      outSize: N * OC * OH * OW,
      wSize: OC * (C / groups) * KH * KW,
      g: heap.putInts(geometry),
    };
  }

  function pool(fn: string, geometry: readonly number[]): { inSize: number; outSize: number; g: number } {
    const [N, C, H, W, KH, KW, sH, sW, pH, pW, dH, dW, OH, OW] = geometry;
    if (
      N < 0 ||
      C < 0 ||
      H <= 0 ||
      W <= 0 ||
      KH <= 0 ||
      KW <= 0 ||
      sH <= 0 ||
      sW <= 0 ||
      dH <= 0 ||
      dW <= 0 ||
      pH < 0 ||
      pW < 0 ||
      OH <= 0 ||
      OW <= 0
    ) {
      fail(fn, "invalid pooling geometry");
    }
    if (pH * 2 > KH || pW * 2 > KW) fail(fn, "padding should be at most half of kernel size");
    return { inSize: N * C * H * W, outSize: N * C * OH * OW, g: heap.putInts(geometry) };
  }

  const asF64 = (idx: IndexArray): Float64Array => (idx instanceof Float64Array ? idx : Float64Array.from(idx));

  function sgemm(
    tA: boolean,
    tB: boolean,
    M: number,
    N: number,
    K: number,
    alpha: number,
    A: Float32Array,
    aOff: number,
    lda: number,
    B: Float32Array,
    bOff: number,
    ldb: number,
    beta: number,
    C: Float32Array,
    cOff: number,
    ldc: number,
  ): void {
    const fn = "sgemm";
    if (M < 0 || N < 0 || K < 0) fail(fn, "negative size");
    const ldOk = (what: string, ld: number, cols: number): void => {
      if (ld < Math.max(cols, 1)) fail(fn, `${what} leading dimension ${ld} < ${cols}`);
    };
    ldOk("A", lda, tA ? M : K);
    ldOk("B", ldb, tB ? K : N);
    ldOk("C", ldc, N);
    const eA = matrixExtent(tA ? K : M, tA ? M : K, lda),
      eB = matrixExtent(tB ? N : K, tB ? K : N, ldb),
      eC = matrixExtent(M, N, ldc);
    // C is read only when beta != 0 or rows have gaps (ldc > N) that must survive the copy back.
    const cIn = beta !== 0 || ldc > N;
    heap.run([inp(fn, A, aOff, eA), inp(fn, B, bOff, eB), span(fn, C, cOff, eC, cIn, true)], ([a, b, c]) =>
      ex.flint_sgemm(f(tA), f(tB), M, N, K, alpha, a, lda, b, ldb, beta, c, ldc),
    );
  }

  /** The NUL-terminated ASCII string at ptr in the module's memory. */
  const cString = (ptr: number): string => {
    const bytes = new Uint8Array(ex.memory.buffer);
    let end = ptr;
    while (bytes[end] !== 0) end++;
    return String.fromCharCode(...bytes.subarray(ptr, end));
  };
  const names = (count: number, name: (i: number) => number): string[] =>
    Array.from({ length: count }, (_, i) => cString(name(i)));

  return {
    heapStorage,
    allocFloat32: (n) => heapStorage.float32(n),
    allocFloat64: (n) => heapStorage.float64(n),
    unaryOps: names(ex.flint_unary_op_count(), ex.flint_unary_op_name),
    binaryOps: names(ex.flint_binary_op_count(), ex.flint_binary_op_name),
    // The threaded build's worker pool (./threads.ts); the one-thread build ignores it.
    setNumThreads: (n) => ex.threads?.set(n),
    getNumThreads: () => ex.flint_num_threads(),
    getIsa: () => (ex.flint_isa_is_simd128() ? "wasm-simd128" : "scalar"),
    setIsa: (name) =>
      name === "wasm-simd128" || name === "scalar" ? ex.flint_set_isa(f(name === "wasm-simd128")) === 1 : false,
    sgemm,
    sgemmBatched(tA, tB, M, N, K, alpha, A, aOff, lda, sA, B, bOff, ldb, sB, beta, C, cOff, ldc, sC, batch) {
      if (batch < 0 || sA < 0 || sB < 0 || sC < 0) fail("sgemmBatched", "negative batch or stride");
      for (let i = 0; i < batch; i++)
        sgemm(tA, tB, M, N, K, alpha, A, aOff + i * sA, lda, B, bOff + i * sB, ldb, beta, C, cOff + i * sC, ldc);
    },
    conv2dForward(x, w, bias, o, ...geometry) {
      const fn = "conv2dForward",
        s = conv(fn, geometry);
      heap.run(
        [
          inp(fn, x, 0, s.inSize),
          inp(fn, w, 0, s.wSize),
          bias ? inp(fn, bias, 0, geometry[4]) : null,
          out(fn, o, 0, s.outSize),
        ],
        ([px, pw, pb, po]) => ex.flint_conv2d_forward(px, pw, pb, po, s.g),
      );
    },
    conv2dBackwardInput(gradOut, w, gradIn, ...geometry) {
      const fn = "conv2dBackwardInput",
        s = conv(fn, geometry);
      heap.run([inp(fn, gradOut, 0, s.outSize), inp(fn, w, 0, s.wSize), out(fn, gradIn, 0, s.inSize)], ([pg, pw, pi]) =>
        ex.flint_conv2d_backward_input(pg, pw, pi, s.g),
      );
    },
    conv2dBackwardWeight(x, gradOut, gradW, gradBias, ...geometry) {
      const fn = "conv2dBackwardWeight",
        s = conv(fn, geometry);
      heap.run(
        [
          inp(fn, x, 0, s.inSize),
          inp(fn, gradOut, 0, s.outSize),
          out(fn, gradW, 0, s.wSize),
          gradBias ? out(fn, gradBias, 0, geometry[4]) : null,
        ],
        ([px, pg, pw, pb]) => ex.flint_conv2d_backward_weight(px, pg, pw, pb, s.g),
      );
    },
    maxPool2dForward(x, o, indices, ...geometry) {
      const fn = "maxPool2dForward",
        s = pool(fn, geometry);
      if (indices === null) {
        // Values only (no grad): the kernel still writes indices, into wasm scratch freed after
        // the call. Not a JavaScript array copied out: in a browser a fresh >= 1 MB array is
        // fresh pages every time (bench/browser.ts --ops: max-pool 10x Node's before).
        heap.run([inp(fn, x, 0, s.inSize), out(fn, o, 0, s.outSize)], ([px, po]) => {
          const pi = ex.flint_alloc(Math.max(s.outSize, 1) * 8);
          if (pi === 0) throw new RangeError(`flint wasm: ${fn}: out of memory for ${s.outSize} indices`);
          try {
            ex.flint_max_pool2d_forward(px, po, pi, s.g);
          } finally {
            ex.flint_free(pi);
          }
        });
        return;
      }
      const idx = asF64(indices);
      heap.run([inp(fn, x, 0, s.inSize), out(fn, o, 0, s.outSize), out(fn, idx, 0, s.outSize)], ([px, po, pi]) =>
        ex.flint_max_pool2d_forward(px, po, pi, s.g),
      );
      if (idx !== indices) indices.set(idx.subarray(0, s.outSize));
    },
    maxPool2dBackward(gradOut, indices, gradIn, ...geometry) {
      const fn = "maxPool2dBackward",
        s = pool(fn, geometry);
      heap.run(
        [inp(fn, gradOut, 0, s.outSize), inp(fn, asF64(indices), 0, s.outSize), out(fn, gradIn, 0, s.inSize)],
        ([pg, pi, po]) => ex.flint_max_pool2d_backward(pg, pi, po, s.g),
      );
    },
    avgPool2dForward(x, o, N, C, H, W, KH, KW, sH, sW, pH, pW, OH, OW, countIncludePad, divisorOverride) {
      const fn = "avgPool2dForward",
        s = pool(fn, [N, C, H, W, KH, KW, sH, sW, pH, pW, 1, 1, OH, OW]);
      heap.run([inp(fn, x, 0, s.inSize), out(fn, o, 0, s.outSize)], ([px, po]) =>
        ex.flint_avg_pool2d_forward(px, po, s.g, f(countIncludePad), divisorOverride ?? 0),
      );
    },
    avgPool2dBackward(gradOut, gradIn, N, C, H, W, KH, KW, sH, sW, pH, pW, OH, OW, countIncludePad, divisorOverride) {
      const fn = "avgPool2dBackward",
        s = pool(fn, [N, C, H, W, KH, KW, sH, sW, pH, pW, 1, 1, OH, OW]);
      heap.run([inp(fn, gradOut, 0, s.outSize), out(fn, gradIn, 0, s.inSize)], ([pg, pi]) =>
        ex.flint_avg_pool2d_backward(pg, pi, s.g, f(countIncludePad), divisorOverride ?? 0),
      );
    },
    copyStrided(src, srcOff, srcStrides, dst, dstOff, dstStrides, shape) {
      const fn = "copyStrided",
        nd = shape.length;
      const rs = stridedRange(fn, srcOff, srcStrides, shape),
        rd = stridedRange(fn, dstOff, dstStrides, shape);
      if (rs.hi === rs.lo) return;
      // The destination view may leave gaps between its elements, which must survive the copy back.
      heap.run([inp(fn, src, rs.lo, rs.hi - rs.lo), inout(fn, dst, rd.lo, rd.hi - rd.lo)], ([ps, pd]) => {
        const ints = heap.putInts([...srcStrides, ...dstStrides, ...shape]);
        ex.flint_copy_strided(
          ps + (srcOff - rs.lo) * 4,
          ints,
          pd + (dstOff - rd.lo) * 4,
          ints + nd * 4,
          ints + 8 * nd,
          nd,
        );
      });
    },
    binaryStrided(op, a, aOff, aStrides, b, bOff, bStrides, o, shape) {
      const fn = "binaryStrided",
        nd = shape.length;
      const ra = stridedRange(fn, aOff, aStrides, shape),
        rb = stridedRange(fn, bOff, bStrides, shape);
      const n = shape.reduce((p, d) => p * d, 1);
      if (n === 0) return;
      heap.run(
        [inp(fn, a, ra.lo, ra.hi - ra.lo), inp(fn, b, rb.lo, rb.hi - rb.lo), out(fn, o, 0, n)],
        ([pa, pb, po]) => {
          const ints = heap.putInts([...aStrides, ...bStrides, ...shape]);
          ex.flint_binary_strided(
            op,
            pa + (aOff - ra.lo) * 4,
            ints,
            pb + (bOff - rb.lo) * 4,
            ints + nd * 4,
            po,
            ints + 8 * nd,
            nd,
          );
        },
      );
    },
    lstmCellForward(gates, c, hy, cy, act, B, H) {
      const fn = "lstmCellForward";
      heap.run(
        [
          inp(fn, gates, 0, B * 4 * H),
          inp(fn, c, 0, B * H),
          out(fn, hy, 0, B * H),
          out(fn, cy, 0, B * H),
          out(fn, act, 0, B * 5 * H),
        ],
        ([pg, pc, ph, py, pa]) => ex.flint_lstm_cell_forward(pg, pc, ph, py, pa, B, H),
      );
    },
    lstmCellBackward(act, c, dhy, dcy, dgates, dc, B, H) {
      const fn = "lstmCellBackward";
      heap.run(
        [
          inp(fn, act, 0, B * 5 * H),
          inp(fn, c, 0, B * H),
          inp(fn, dhy, 0, B * H),
          inp(fn, dcy, 0, B * H),
          out(fn, dgates, 0, B * 4 * H),
          out(fn, dc, 0, B * H),
        ],
        ([pa, pc, ph, py, pg, pd]) => ex.flint_lstm_cell_backward(pa, pc, ph, py, pg, pd, B, H),
      );
    },
    unary(op, x, xOff, o, oOff, n) {
      heap.run([inp("unary", x, xOff, n), out("unary", o, oOff, n)], ([px, po]) => ex.flint_unary(op, px, po, n));
    },
    binary(op, a, aOff, b, bOff, o, oOff, n) {
      const fn = "binary";
      heap.run([inp(fn, a, aOff, n), inp(fn, b, bOff, n), out(fn, o, oOff, n)], ([pa, pb, po]) =>
        ex.flint_binary(op, pa, pb, po, n),
      );
    },
    binaryScalar(op, a, aOff, s, o, oOff, n) {
      heap.run([inp("binaryScalar", a, aOff, n), out("binaryScalar", o, oOff, n)], ([pa, po]) =>
        ex.flint_binary_scalar(op, pa, s, po, n),
      );
    },
    addScaled(a, aOff, b, bOff, alpha, o, oOff, n) {
      const fn = "addScaled";
      heap.run([inp(fn, a, aOff, n), inp(fn, b, bOff, n), out(fn, o, oOff, n)], ([pa, pb, po]) =>
        ex.flint_add_scaled(pa, pb, alpha, po, n),
      );
    },
    sumRows(x, xOff, o, oOff, outer, n, inner) {
      heap.run([inp("sumRows", x, xOff, outer * n * inner), out("sumRows", o, oOff, outer * inner)], ([px, po]) =>
        ex.flint_sum_rows(px, po, outer, n, inner),
      );
    },
    biasGradNCHW(g, o, N, C, HW) {
      heap.run([inp("biasGradNCHW", g, 0, N * C * HW), out("biasGradNCHW", o, 0, C)], ([pg, po]) =>
        ex.flint_bias_grad_nchw(pg, po, N, C, HW),
      );
    },
    logSoftmaxRows(x, xOff, o, oOff, rows, cols) {
      heap.run([inp("logSoftmaxRows", x, xOff, rows * cols), out("logSoftmaxRows", o, oOff, rows * cols)], ([px, po]) =>
        ex.flint_log_softmax_rows(px, po, rows, cols),
      );
    },
    softmaxRows(x, xOff, o, oOff, rows, cols) {
      heap.run([inp("softmaxRows", x, xOff, rows * cols), out("softmaxRows", o, oOff, rows * cols)], ([px, po]) =>
        ex.flint_softmax_rows(px, po, rows, cols),
      );
    },
    logSoftmaxBackwardRows(gradOut, y, gradIn, rows, cols) {
      const fn = "logSoftmaxBackwardRows",
        n = rows * cols;
      heap.run([inp(fn, gradOut, 0, n), inp(fn, y, 0, n), out(fn, gradIn, 0, n)], ([pg, py, pi]) =>
        ex.flint_log_softmax_backward_rows(pg, py, pi, rows, cols),
      );
    },
    softmaxBackwardRows(gradOut, y, gradIn, rows, cols) {
      const fn = "softmaxBackwardRows",
        n = rows * cols;
      heap.run([inp(fn, gradOut, 0, n), inp(fn, y, 0, n), out(fn, gradIn, 0, n)], ([pg, py, pi]) =>
        ex.flint_softmax_backward_rows(pg, py, pi, rows, cols),
      );
    },
    crossEntropyForwardBackward(logits, targets, grad, rows, cols, labelSmoothing, ignoreIndex) {
      const fn = "crossEntropyForwardBackward";
      if (cols === 0) fail(fn, "no classes");
      if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) fail(fn, "labelSmoothing must be in [0, 1]");
      const loss = heap.run(
        [inp(fn, logits, 0, rows * cols), inp(fn, targets, 0, rows), grad ? out(fn, grad, 0, rows * cols) : null],
        ([pl, pt, pg]) => ex.flint_cross_entropy(pl, pt, pg, rows, cols, labelSmoothing, ignoreIndex, heap.ints),
      );
      const bad = heap.readInt(0);
      if (bad >= 0) {
        const t = targets[bad];
        throw new RangeError(`${fn}: Target ${Number.isInteger(t) ? t : t.toFixed(6)} is out of bounds.`);
      }
      return loss;
    },
    sgdStep(param, grad, buf, lr, momentum, dampening, weightDecay, nesterov, maximize, firstStep) {
      const fn = "sgdStep",
        n = param.length;
      if (momentum !== 0 && buf === null) fail(fn, "momentum != 0 needs a momentum buffer");
      heap.run([inout(fn, param, 0, n), inp(fn, grad, 0, n), buf ? inout(fn, buf, 0, n) : null], ([pp, pg, pb]) =>
        ex.flint_sgd_step(pp, pg, pb, n, lr, momentum, dampening, weightDecay, f(nesterov), f(maximize), f(firstStep)),
      );
    },
    adamStep(
      param,
      grad,
      expAvg,
      expAvgSq,
      maxExpAvgSq,
      lr,
      beta1,
      beta2,
      eps,
      weightDecay,
      step,
      amsgrad,
      maximize,
      decoupled,
    ) {
      const fn = "adamStep",
        n = param.length;
      if (!(step >= 1)) fail(fn, "step must be >= 1 (the count after this update)");
      if (amsgrad && maxExpAvgSq === null) fail(fn, "amsgrad needs maxExpAvgSq");
      heap.run(
        [
          inout(fn, param, 0, n),
          inp(fn, grad, 0, n),
          inout(fn, expAvg, 0, n),
          inout(fn, expAvgSq, 0, n),
          maxExpAvgSq ? inout(fn, maxExpAvgSq, 0, n) : null,
        ],
        ([pp, pg, pm, pv, px]) =>
          ex.flint_adam_step(
            pp,
            pg,
            pm,
            pv,
            px,
            n,
            lr,
            beta1,
            beta2,
            eps,
            weightDecay,
            step,
            f(amsgrad),
            f(maximize),
            f(decoupled),
          ),
      );
    },
  };
}

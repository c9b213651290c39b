// The native backend: the reference backend with its hot paths (float32 GEMM, convolution,
// pooling, contiguous elementwise math, row softmax, sums) handed to the C++ addon. Anything the
// addon does not cover (other dtypes, odd layouts, rare ops) falls through to the reference
// kernels, so both backends always agree on semantics.
import { type DType, type TypedArray, uninitArray } from "../../dtype.js";
import { broadcastStrides, contiguousStrides, numelOf } from "../../shape.js";
import { type AvgPool2dParams, type Backend, type BinaryOp, type Conv2dParams, type Pool2dParams, type ReduceOp, type Strided, type UnaryOp, extendBackend } from "../backend.js";
import { refBackend as ref } from "../ref/index.js";
import { isContiguous, offsetsOf, sameShape } from "../ref/iterate.js";
import type { NativeAddon } from "./addon-api.js";
import { CpuStorage } from "../../storage.js";
import { resolveOpcodes } from "./opcodes.js";
import { nativeBatchNorm } from "./batchnorm.js";
import { expF, sigmoidF, tanhF } from "./vmath.js";

const f32 = (x: Strided): Float32Array => x.storage.data as Float32Array;
const isF32 = (x: Strided): boolean => x.dtype === "float32";

/** offs[i] === offs[0] + i * step for every i. */
function evenlySpaced(offs: ArrayLike<number>, step: number): boolean {
  for (let i = 1; i < offs.length; i++) if (offs[i] - offs[i - 1] !== step) return false;
  return true;
}

// Below these sizes a float32 kernel runs in JavaScript: crossing into the addon (argument
// unwrapping through N-API) costs more than the loop itself. Measured with bench/ops-latency.ts:
// an addon add is ~0.5 µs flat, the JS loop ~5 ns per element; exp and sigmoid ~10-20 ns per
// element in JS against a vectorised kernel (so only ops JS computes exactly as the addon go here).
const JS_BINARY_MAX = 64,
  JS_UNARY_MAX = 64,
  JS_SUM_MAX = 64;
/**
 * The unary ops whose JS result is bit for bit the addon's (no libm call): a tensor's values must
 * not depend on its size, and the fused LSTM cell is checked bit for bit against composed ops.
 * (Binary arithmetic is exact in JS: a double result of two floats rounds to the float result.)
 */
const JS_EXACT_UNARY: ReadonlySet<UnaryOp> = new Set<UnaryOp>(["relu", "neg", "abs"]);
/** The transcendental kernels' functions (native/vmath.h) ported bit for bit (./vmath.ts). */
const JS_VMATH: Partial<Record<UnaryOp, (x: number) => number>> = { exp: expF, sigmoid: sigmoidF, tanh: tanhF };

/** A full sum of n contiguous float32 values, accumulated in double (as accurate as the addon's). */
function sumSmall(data: Float32Array, offset: number, n: number): Float32Array {
  let s = 0;
  for (let i = 0; i < n; i++) s += data[offset + i];
  const out = new Float32Array(1);
  out[0] = s;
  return out;
}

export function makeNativeBackend(addon: NativeAddon): Backend {
  const codes = resolveOpcodes(addon);
  // Outputs where the kernels run (the WebAssembly memory), else JavaScript arrays.
  const newF32 = (n: number): Float32Array => addon.allocFloat32?.(n) ?? (uninitArray("float32", n) as Float32Array);
  const ADD = codes.byName("add");
  /** A float32 view gathered into a fresh dense array by the addon (any strides). */
  function gather(x: Strided): Float32Array {
    const out = newF32(numelOf(x.shape));
    // One value broadcast everywhere (the gradient of a sum or mean, expanded): a fill, without
    // the addon call's stride-array unpacking. (NaN goes through the addon: fill may change its bits.)
    let scalar = true;
    for (let d = 0; d < x.shape.length && scalar; d++) scalar = x.strides[d] === 0 || x.shape[d] === 1;
    if (scalar && out.length > 0) {
      const v = f32(x)[x.offset];
      if (v === v) return out.fill(v);
    }
    addon.copyStrided(f32(x), x.offset, x.strides, out, 0, contiguousStrides(x.shape), x.shape);
    return out;
  }
  /**
   * x's elements as one contiguous Float32Array: its storage array itself when x spans all of it
   * (the common case; a subarray is one more typed-array object per kernel call), a zero-copy
   * subarray when contiguous, else a gathered copy.
   */
  function dense(x: Strided): Float32Array {
    if (isContiguous(x)) {
      const data = f32(x), n = numelOf(x.shape);
      return x.offset === 0 && data.length === n ? data : data.subarray(x.offset, x.offset + n);
    }
    return isF32(x) ? gather(x) : (ref.copy(x, "float32") as Float32Array);
  }

  /** Row-major operand of a GEMM: leading dimension and transposition from the last two strides. */
  function gemmOperand(x: Strided, rows: number, cols: number): { trans: boolean; ld: number } | null {
    const nd = x.shape.length, s0 = x.strides[nd - 2], s1 = x.strides[nd - 1];
    if ((s1 === 1 || cols === 1) && s0 >= Math.max(cols, 1)) return { trans: false, ld: Math.max(s0, cols, 1) };
    if ((s0 === 1 || rows === 1) && s1 >= Math.max(rows, 1)) return { trans: true, ld: Math.max(s1, rows, 1) };
    return null;
  }

  function matmul(a: Strided, b: Strided, outDtype: DType): TypedArray {
    if (!isF32(a) || !isF32(b) || outDtype !== "float32") return ref.matmul(a, b, outDtype);
    const nd = a.shape.length;
    const M = a.shape[nd - 2], K = a.shape[nd - 1], N = b.shape[nd - 1];
    const batchShape = a.shape.slice(0, nd - 2);
    const batch = numelOf(batchShape);
    const out = newF32(batch * M * N);
    if (out.length === 0) return out;
    if (K === 0) return out.fill(0);
    let A: Strided = a, B: Strided = b;
    let oa = gemmOperand(A, M, K), ob = gemmOperand(B, K, N);
    // Two matrices (a 16x16 matmul, a Linear's backward): one call, no batch offsets to work out.
    if (nd === 2 && oa && ob) {
      addon.sgemm(oa.trans, ob.trans, M, N, K, 1, f32(a), a.offset, oa.ld, f32(b), b.offset, ob.ld, 0, out, 0, N);
      return out;
    }
    if (!oa) { A = { ...a, storage: new CpuStorage(dense(a)), strides: contiguousStrides(a.shape), offset: 0 }; oa = { trans: false, ld: K }; }
    if (!ob) { B = { ...b, storage: new CpuStorage(dense(b)), strides: contiguousStrides(b.shape), offset: 0 }; ob = { trans: false, ld: N }; }
    const aOffs = offsetsOf(batchShape, A.strides.slice(0, nd - 2), A.offset);
    const bOffs = offsetsOf(batchShape, B.strides.slice(0, nd - 2), B.offset);
    // Batch offsets in one arithmetic progression (any contiguous or broadcast batch): one call,
    // which runs small products (attention's per-head matmuls) on separate threads.
    const sa = batch > 1 ? aOffs[1] - aOffs[0] : 0, sb = batch > 1 ? bOffs[1] - bOffs[0] : 0;
    if (batch > 1 && sa >= 0 && sb >= 0 && evenlySpaced(aOffs, sa) && evenlySpaced(bOffs, sb)) {
      addon.sgemmBatched(oa.trans, ob.trans, M, N, K, 1, f32(A), aOffs[0], oa.ld, sa, f32(B), bOffs[0], ob.ld, sb, 0, out, 0, N, M * N, batch);
      return out;
    }
    for (let i = 0; i < batch; i++) {
      addon.sgemm(oa.trans, ob.trans, M, N, K, 1, f32(A), aOffs[i], oa.ld, f32(B), bOffs[i], ob.ld, 0, out, i * M * N, N);
    }
    return out;
  }

  function unary(op: UnaryOp, x: Strided, outDtype: DType): TypedArray {
    const code = codes.unary(op);
    if (code === undefined || !isF32(x) || outDtype !== "float32") return ref.unary(op, x, outDtype);
    const n = numelOf(x.shape);
    if (n <= JS_UNARY_MAX && JS_EXACT_UNARY.has(op)) return ref.unary(op, x, outDtype);
    const fn = n <= JS_UNARY_MAX && isContiguous(x) ? JS_VMATH[op] : undefined;
    if (fn) {
      const out = new Float32Array(n), src = f32(x);
      for (let i = 0; i < n; i++) out[i] = fn(src[x.offset + i]);
      return out;
    }
    const out = newF32(n);
    // A strided input (a gate's slice of an LSTM's projection, say) is gathered first: a copy is
    // cheap next to evaluating exp/tanh element by element in TypeScript.
    if (isContiguous(x)) addon.unary(code, f32(x), x.offset, out, 0, n);
    else addon.unary(code, dense(x), 0, out, 0, n);
    return out;
  }

  function binary(op: BinaryOp, a: Strided, b: Strided, outShape: readonly number[], outDtype: DType): TypedArray {
    const code = codes.binary(op);
    if (code === undefined || !isF32(a) || !isF32(b) || outDtype !== "float32") return ref.binary(op, a, b, outShape, outDtype);
    const n = numelOf(outShape);
    if (n <= JS_BINARY_MAX) return ref.binary(op, a, b, outShape, outDtype);
    const aFull = sameShape(a.shape, outShape) && isContiguous(a), bFull = sameShape(b.shape, outShape) && isContiguous(b);
    const out = newF32(n);
    if (aFull && bFull) addon.binary(code, f32(a), a.offset, f32(b), b.offset, out, 0, n);
    else if (aFull && numelOf(b.shape) === 1) addon.binaryScalar(code, f32(a), a.offset, f32(b)[b.offset], out, 0, n);
    else if (bFull && numelOf(a.shape) === 1 && codes.reversed(op) !== undefined) addon.binaryScalar(codes.reversed(op)!, f32(b), b.offset, f32(a)[a.offset], out, 0, n);
    else {
      // Any layout and broadcast (a bias on every row, a transposed gradient): one call, rows in C++.
      addon.binaryStrided(code, f32(a), a.offset, broadcastStrides(a.shape, a.strides, outShape),
        f32(b), b.offset, broadcastStrides(b.shape, b.strides, outShape), out, outShape);
    }
    return out;
  }

  /** Sums over one contiguous block of dims of a contiguous float32 tensor, or the NCHW bias gradient. */
  function reduce(op: ReduceOp, x: Strided, dims: readonly number[], outDtype: DType): TypedArray {
    if (op !== "sum" || !isF32(x) || outDtype !== "float32" || !isContiguous(x) || dims.length === 0) return ref.reduce(op, x, dims, outDtype);
    const s = x.shape;
    if (s.length === 4 && dims.length === 3 && dims[0] === 0 && dims[1] === 2 && dims[2] === 3) {
      const out = newF32(s[1]);
      addon.biasGradNCHW(f32(x).subarray(x.offset), out, s[0], s[1], s[2] * s[3]);
      return out;
    }
    if (dims.length === s.length) {
      // A full sum (dims are sorted and distinct, so all of them): one row, no shape slicing.
      const n = numelOf(s);
      if (n <= JS_SUM_MAX) return sumSmall(f32(x), x.offset, n);
      const out = newF32(1);
      addon.sumRows(f32(x), x.offset, out, 0, 1, n, 1);
      return out;
    }
    const d0 = dims[0], d1 = dims[dims.length - 1];
    if (d1 - d0 + 1 !== dims.length) return ref.reduce(op, x, dims, outDtype);
    const outer = numelOf(s.slice(0, d0)), n = numelOf(s.slice(d0, d1 + 1)), inner = numelOf(s.slice(d1 + 1));
    const out = newF32(outer * inner);
    addon.sumRows(f32(x), x.offset, out, 0, outer, n, inner);
    return out;
  }

  function logSoftmax(x: Strided, dim: number): TypedArray | null {
    const cols = x.shape[dim];
    if (!isF32(x) || dim !== x.shape.length - 1 || !isContiguous(x)) return null;
    const n = numelOf(x.shape), out = newF32(n);
    addon.logSoftmaxRows(f32(x), x.offset, out, 0, n / Math.max(cols, 1), cols);
    return out;
  }

  function layerNorm(x: Strided, w: Strided | null, b: Strided | null, cols: number, eps: number) {
    const fw = w && flat(w), fb = b && flat(b);
    if (!addon.layerNormRows || !isF32(x) || (w && !fw) || (b && !fb) || cols === 0) return null;
    const n = numelOf(x.shape), rows = n / cols;
    const y = newF32(n), mean = newF32(rows), rstd = newF32(rows);
    addon.layerNormRows(dense(x), fw, fb, y, mean, rstd, rows, cols, eps);
    return { y, mean, rstd };
  }

  function layerNormBackward(g: Strided, x: Strided, w: Strided | null, mean: TypedArray, rstd: TypedArray, cols: number, wantW: boolean, wantB: boolean) {
    const n = numelOf(x.shape), rows = n / cols;
    const dx = newF32(n), dw = wantW ? newF32(cols) : null, db = wantB ? newF32(cols) : null;
    addon.layerNormBackwardRows!(dense(g), dense(x), w && dense(w), mean as Float32Array, rstd as Float32Array, dx, dw, db, rows, cols);
    return { dx, dw, db };
  }

  function softmax(x: Strided, dim: number): TypedArray | null {
    const cols = x.shape[dim];
    if (!isF32(x) || dim !== x.shape.length - 1 || !isContiguous(x)) return null;
    const n = numelOf(x.shape), out = newF32(n);
    addon.softmaxRows(f32(x), x.offset, out, 0, n / Math.max(cols, 1), cols);
    return out;
  }

  function hardtanh(x: Strided, lo: number, hi: number): TypedArray | null {
    if (!addon.hardtanh || !isF32(x) || !isContiguous(x)) return null;
    const n = numelOf(x.shape), out = newF32(n);
    addon.hardtanh(f32(x), x.offset, lo, hi, out, n);
    return out;
  }

  function hardtanhBackward(g: Strided, x: Strided, lo: number, hi: number): TypedArray | null {
    if (!addon.hardtanhBackward || !isF32(g) || !isF32(x) || !sameShape(g.shape, x.shape)) return null;
    const n = numelOf(x.shape), out = newF32(n);
    addon.hardtanhBackward(dense(g), dense(x), lo, hi, out, n);
    return out;
  }

  function softmaxBackward(g: Strided, y: Strided, dim: number, log: boolean): TypedArray | null {
    if (!isF32(g) || !isF32(y) || dim !== y.shape.length - 1 || !sameShape(g.shape, y.shape)) return null;
    const n = numelOf(y.shape), cols = y.shape[dim], out = newF32(n);
    const rows = n / Math.max(cols, 1);
    if (log) addon.logSoftmaxBackwardRows(dense(g), dense(y), out, rows, cols);
    else addon.softmaxBackwardRows(dense(g), dense(y), out, rows, cols);
    return out;
  }

  const convArgs = (xs: readonly number[], ws: readonly number[], p: Conv2dParams) =>
    [xs[0], xs[1], xs[2], xs[3], ws[0], ws[2], ws[3], p.stride[0], p.stride[1], p.padding[0], p.padding[1], p.dilation[0], p.dilation[1], p.groups] as const;
  const allF32 = (...xs: (Strided | null)[]): boolean => xs.every((x) => x === null || isF32(x));

  /** The Float32Array of a contiguous float32 view (zero-copy), or null. */
  const flat = (x: Strided | null): Float32Array | null =>
    x && isF32(x) && isContiguous(x) ? f32(x).subarray(x.offset, x.offset + numelOf(x.shape)) : null;

  return extendBackend(ref, "native", {
    ...nativeBatchNorm(addon, dense),
    copy(x, dtype) {
      return isF32(x) && dtype === "float32" && !isContiguous(x) ? gather(x) : ref.copy(x, dtype);
    },
    assign(dst, src) {
      // A float32 view written from float32 values (broadcast allowed): one strided copy in the addon.
      // Views of one storage (x[1:] = x[:-1]) keep the reference backend's element order.
      if (!isF32(dst) || !isF32(src) || dst.storage.data === src.storage.data ||
        (isContiguous(dst) && isContiguous(src) && sameShape(dst.shape, src.shape))) return ref.assign(dst, src);
      addon.copyStrided(f32(src), src.offset, broadcastStrides(src.shape, src.strides, dst.shape), f32(dst), dst.offset, dst.strides, dst.shape);
    },
    lstmCell(gates, c) {
      if (!isF32(gates) || !isF32(c) || gates.shape.length !== 2) return null;
      const [B, H] = [gates.shape[0], gates.shape[1] / 4];
      const hy = newF32(B * H), cy = newF32(B * H), saved = newF32(B * 5 * H);
      addon.lstmCellForward(dense(gates), dense(c), hy, cy, saved, B, H);
      return { hy, cy, saved };
    },
    lstmCellBackward(saved, c, dhy, dcy) {
      const [B, H] = c.shape;
      const dgates = newF32(B * 4 * H), dc = newF32(B * H);
      addon.lstmCellBackward(saved as Float32Array, dense(c), dense(dhy), dense(dcy), dgates, dc, B, H);
      return { dgates, dc };
    },
    gruCell(xw, hw, h) {
      if (!addon.gruCellForward || !isF32(xw) || !isF32(hw) || !isF32(h) || h.shape.length !== 2) return null;
      const [B, H] = h.shape;
      const hy = newF32(B * H), saved = newF32(B * 4 * H);
      addon.gruCellForward(dense(xw), dense(hw), dense(h), hy, saved, B, H);
      return { hy, saved };
    },
    gruCellBackward(saved, h, dhy) {
      const [B, H] = h.shape;
      const dxw = newF32(B * 3 * H), dhw = newF32(B * 3 * H), dh = newF32(B * H);
      addon.gruCellBackward!(saved as Float32Array, dense(h), dense(dhy), dxw, dhw, dh, B, H);
      return { dxw, dhw, dh };
    },
    rnnLayer(kind, xw, h0, c0, wHh, bHh, T, reverse) {
      if (!addon.rnnLayerForward || !allF32(xw, h0, c0, wHh, bHh)) return null;
      const [B, H] = h0.shape;
      const lstm = kind === "lstm";
      const out = newF32(T * B * H), hN = newF32(B * H), cN = lstm ? newF32(B * H) : null;
      const saved = newF32(T * B * H * (lstm ? 7 : 5));
      addon.rnnLayerForward(lstm ? 0 : 1, dense(xw), dense(h0), c0 && dense(c0), dense(wHh), bHh && dense(bHh), out, hN, cN, saved, T, B, H, reverse);
      return { out, hN, cN, saved };
    },
    rnnLayerBackward(kind, saved, wHh, dOut, dhN, dcN, T, reverse, wantW, wantB) {
      const [B, H] = dhN.shape;
      const lstm = kind === "lstm", G = wHh.shape[0];
      const dxw = newF32(T * B * G), dh0 = newF32(B * H), dc0 = lstm ? newF32(B * H) : null;
      const dwHh = wantW ? newF32(G * H) : null, dbHh = wantB ? newF32(G) : null;
      addon.rnnLayerBackward!(lstm ? 0 : 1, saved as Float32Array, dense(wHh), dense(dOut), dense(dhN), dcN && dense(dcN), dxw, dh0, dc0, dwHh, dbHh, T, B, H, reverse);
      return { dxw, dh0, dc0, dwHh, dbHh };
    },
    linear(x, w, bias) {
      if (!isF32(x) || !isF32(w) || x.shape.length !== 2 || w.shape.length !== 2) return null;
      if (bias !== null && (!isF32(bias) || bias.shape.length !== 1)) return null;
      const [M, K] = x.shape, N = w.shape[0];
      // weight^T as the GEMM's [K, N] operand: the same storage read transposed.
      const wT: Strided = { ...w, shape: [K, N], strides: [w.strides[1], w.strides[0]] };
      const ox = gemmOperand(x, M, K), ow = gemmOperand(wT, K, N);
      if (!ox || !ow || M * N === 0) return null;
      const out = newF32(M * N);
      if (bias !== null) {
        const b = dense(bias);
        for (let i = 0; i < M; i++) out.set(b, i * N);
      }
      else if (K === 0) out.fill(0);
      if (K > 0) addon.sgemm(ox.trans, ow.trans, M, N, K, 1, f32(x), x.offset, ox.ld, f32(w), w.offset, ow.ld, bias === null ? 0 : 1, out, 0, N);
      return out;
    },
    crossEntropy(logits, targets, eps, ignoreIndex, wantGrad) {
      if (!isF32(logits) || logits.shape.length !== 2 || targets.dtype !== "int64" || targets.shape.length !== 1) return null;
      const [rows, cols] = logits.shape;
      if (rows === 0 || cols === 0) return null;
      const grad = wantGrad ? newF32(rows * cols) : null;
      const t = ref.copy(targets, "int64") as Float64Array;
      const loss = addon.crossEntropyForwardBackward(dense(logits), t, grad, rows, cols, eps, ignoreIndex);
      return { loss, grad };
    },
    addInPlace(dst, src) {
      const d = flat(dst);
      if (!d || !isF32(src) || !sameShape(dst.shape, src.shape)) return false;
      const s = dense(src);
      addon.binary(ADD, d, 0, s, 0, d, 0, d.length);
      return true;
    },
    sgdStep(param, grad, buf, o) {
      const p = flat(param), g = flat(grad), b = flat(buf);
      if (!p || !g || (buf && !b)) return false;
      addon.sgdStep(p, g, b, o.lr, o.momentum, o.dampening, o.weightDecay, o.nesterov, o.maximize, o.firstStep);
      return true;
    },
    adamStep(param, grad, m, v, vmax, o) {
      const p = flat(param), g = flat(grad), a = flat(m), b = flat(v), c = flat(vmax);
      if (!p || !g || !a || !b || (vmax && !c)) return false;
      addon.adamStep(p, g, a, b, c, o.lr, o.beta1, o.beta2, o.eps, o.weightDecay, o.step, o.amsgrad, o.maximize, o.decoupled);
      return true;
    },
    adamStepForeach(ps, gs, ms, vs, xs, steps, o) {
      if (!addon.adamStepMulti) return false;
      const lists = [ps, gs, ms, vs, ...(xs ? [xs] : [])].map((l) => l.map(flat));
      if (lists.some((l) => l.some((t) => t === null))) return false;
      const [p, g, m, v, x] = lists as Float32Array[][];
      addon.adamStepMulti(p, g, m, v, x ?? null, Float64Array.from(steps), o.lr, o.beta1, o.beta2, o.eps, o.weightDecay, o.amsgrad, o.maximize, o.decoupled);
      return true;
    },
    matmul,
    unary,
    binary,
    reduce,
    logSoftmax,
    softmax,
    softmaxBackward,
    hardtanh,
    hardtanhBackward,
    layerNorm,
    layerNormBackward,
    conv2d(x, w, bias, p, outShape) {
      if (!allF32(x, w, bias)) return ref.conv2d(x, w, bias, p, outShape);
      const out = newF32(numelOf(outShape));
      addon.conv2dForward(dense(x), dense(w), bias ? dense(bias) : null, out, ...convArgs(x.shape, w.shape, p));
      return out;
    },
    conv2dBatchNormEval(x, w, bias, p, outShape, bn, relu, residual) {
      const fused = addon.conv2dBatchNormEval;
      if (!fused || !allF32(x, w, bias, bn.weight, bn.bias, bn.runningMean, bn.runningVar, residual)) return null;
      const out = newF32(numelOf(outShape));
      const opt = (t: Strided | null): Float32Array | null => (t ? dense(t) : null);
      fused(dense(x), dense(w), opt(bias), opt(bn.weight), opt(bn.bias), dense(bn.runningMean), dense(bn.runningVar),
        bn.eps, relu, opt(residual), out, ...convArgs(x.shape, w.shape, p));
      return out;
    },
    conv2dBackwardInput(gradOut, w, p, inShape) {
      // The output size comes from gradOut (conv_transpose2d relies on it); the addon derives it
      // from the input size, so take the reference path when they disagree.
      const [kh, kw] = [w.shape[2], w.shape[3]];
      const oh = Math.floor((inShape[2] + 2 * p.padding[0] - p.dilation[0] * (kh - 1) - 1) / p.stride[0]) + 1;
      const ow = Math.floor((inShape[3] + 2 * p.padding[1] - p.dilation[1] * (kw - 1) - 1) / p.stride[1]) + 1;
      if (!allF32(gradOut, w) || gradOut.shape[2] !== oh || gradOut.shape[3] !== ow) {
        return ref.conv2dBackwardInput(gradOut, w, p, inShape);
      }
      const out = newF32(numelOf(inShape));
      addon.conv2dBackwardInput(dense(gradOut), dense(w), out, ...convArgs(inShape, w.shape, p));
      return out;
    },
    conv2dBackwardWeight(x, gradOut, p, wShape) {
      if (!allF32(x, gradOut)) return ref.conv2dBackwardWeight(x, gradOut, p, wShape);
      const out = newF32(numelOf(wShape));
      addon.conv2dBackwardWeight(dense(x), dense(gradOut), out, null, ...convArgs(x.shape, wShape, p));
      return out;
    },
    maxPool2d(x: Strided, p: Pool2dParams) {
      if (!isF32(x)) return ref.maxPool2d(x, p);
      const [N, C, H, W] = x.shape;
      const values = newF32(N * C * p.outH * p.outW);
      const indices = addon.allocFloat64?.(values.length) ?? (uninitArray("int64", values.length) as Float64Array);
      addon.maxPool2dForward(dense(x), values, indices, N, C, H, W, p.kernel[0], p.kernel[1], p.stride[0], p.stride[1],
        p.padding[0], p.padding[1], p.dilation[0], p.dilation[1], p.outH, p.outW);
      return { values, indices };
    },
    maxPool2dValues(x: Strided, p: Pool2dParams) {
      if (!isF32(x)) return null;
      const [N, C, H, W] = x.shape;
      const values = newF32(N * C * p.outH * p.outW);
      addon.maxPool2dForward(dense(x), values, null, N, C, H, W, p.kernel[0], p.kernel[1], p.stride[0], p.stride[1],
        p.padding[0], p.padding[1], p.dilation[0], p.dilation[1], p.outH, p.outW);
      return values;
    },
    maxPool2dBackward(gradOut, indices, inShape) {
      if (!isF32(gradOut) || indices.dtype !== "int64") return ref.maxPool2dBackward(gradOut, indices, inShape);
      const [N, C, H, W] = inShape;
      const out = newF32(N * C * H * W);
      const idx = isContiguous(indices) ? (indices.storage.data as Float64Array).subarray(indices.offset) : (ref.copy(indices, "int64") as Float64Array);
      // Only the plane sizes matter to the backward scatter; the window arguments are unused.
      addon.maxPool2dBackward(dense(gradOut), idx, out, N, C, H, W, 1, 1, 1, 1, 0, 0, 1, 1, gradOut.shape[2], gradOut.shape[3]);
      return out;
    },
    avgPool2d(x: Strided, p: AvgPool2dParams) {
      if (!isF32(x)) return ref.avgPool2d(x, p);
      const [N, C, H, W] = x.shape;
      const out = newF32(N * C * p.outH * p.outW);
      addon.avgPool2dForward(dense(x), out, N, C, H, W, p.kernel[0], p.kernel[1], p.stride[0], p.stride[1], p.padding[0], p.padding[1],
        p.outH, p.outW, p.countIncludePad, p.divisorOverride);
      return out;
    },
    adaptiveAvgPool2d(x: Strided, outH: number, outW: number) {
      const [N, C, H, W] = x.shape;
      // Windows that tile the plane exactly (the global pool of every classifier head) are a
      // plain average pool; other sizes take the reference kernel.
      if (!isF32(x) || H % outH !== 0 || W % outW !== 0) return ref.adaptiveAvgPool2d(x, outH, outW);
      const kh = H / outH,
        kw = W / outW;
      const out = newF32(N * C * outH * outW);
      addon.avgPool2dForward(dense(x), out, N, C, H, W, kh, kw, kh, kw, 0, 0, outH, outW, true, 0);
      return out;
    },
    adaptiveAvgPool2dBackward(gradOut: Strided, inShape: readonly number[]) {
      const [N, C, H, W] = inShape;
      const [, , outH, outW] = gradOut.shape;
      // Windows that tile the plane (as in adaptiveAvgPool2d above): the average pool's backward,
      // each input cell receiving its window's gradient / (kh * kw) once.
      if (!isF32(gradOut) || H % outH !== 0 || W % outW !== 0) return ref.adaptiveAvgPool2dBackward(gradOut, inShape);
      const kh = H / outH,
        kw = W / outW;
      const out = newF32(N * C * H * W);
      addon.avgPool2dBackward(dense(gradOut), out, N, C, H, W, kh, kw, kh, kw, 0, 0, outH, outW, true, 0);
      return out;
    },
    avgPool2dBackward(gradOut, p, inShape) {
      if (!isF32(gradOut)) return ref.avgPool2dBackward(gradOut, p, inShape);
      const [N, C, H, W] = inShape;
      const out = newF32(N * C * H * W);
      addon.avgPool2dBackward(dense(gradOut), out, N, C, H, W, p.kernel[0], p.kernel[1], p.stride[0], p.stride[1], p.padding[0], p.padding[1],
        p.outH, p.outW, p.countIncludePad, p.divisorOverride);
      return out;
    },
  });
}

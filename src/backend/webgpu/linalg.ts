// matmul and the 2-D convolution with its two gradients, as implicit GEMMs (gemm.ts); float32 only.
// Convolution layouts and geometry are the reference backend's (src/backend/ref/conv.ts):
//   x [N, Cin, H, W], w [Cout, Cin/groups, kh, kw], out [N, Cout, oh, ow], implicit zero padding.
//   forward:        per group, out[co, (n, q)]   = sum over k = (ci, i, j) of w[co, k] * im2col(x)[k, (n, q)]
//   input gradient: per group, dx[ci, (n, iy, ix)] = sum over (co, i, j) of w[co, ci, i, j] * gout[n, co, oy, ox]
//                   where iy = oy*sh - ph + i*dh (a gather form: no atomics, no col2im)
//   weight gradient: per group, dw[co, (ci, i, j)] = sum over (n, q) of gout[n, co, q] * im2col(x)[(ci, i, j), (n, q)]
import type { DType } from "../../dtype.js";
import type { Conv2dParams } from "../backend.js";
import { type GpuStorage, type GpuView, allocStorage } from "./buffers.js";
import { copy } from "./elementwise.js";
import { gemm, gemmParams } from "./gemm.js";
import { isContiguousView, mergeDims, numel } from "./layout.js";

function requireFloat32(op: string, ...views: GpuView[]): void {
  for (const v of views) {
    if (v.dtype !== "float32") throw new TypeError(`${op}: not implemented on webgpu for ${v.dtype} (float32 only)`);
  }
}

/** The storage of x when contiguous from offset 0, else a contiguous copy. */
function dense(x: GpuView): GpuStorage {
  return isContiguousView(x) && x.offset === 0 ? x.storage : copy(x, x.dtype);
}

/** Batched a [B..., M, K] x b [B..., K, N] (batch dims already broadcast, any strides) -> [B..., M, N]. */
export function matmul(a: GpuView, b: GpuView, outDtype: DType): GpuStorage {
  requireFloat32("matmul", a, b);
  if (outDtype !== "float32") throw new TypeError(`matmul: not implemented on webgpu for ${outDtype} results`);
  const r = a.shape.length;
  const M = a.shape[r - 2],
    K = a.shape[r - 1],
    N = b.shape[r - 1];
  const batchShape = a.shape.slice(0, r - 2);
  const merged = mergeDims(batchShape, [a.strides.slice(0, r - 2), b.strides.slice(0, r - 2)]);
  const B = numel(batchShape),
    br = merged.shape.length;
  const out = allocStorage(B * M * N, "f32");
  const { meta, fns } = gemmParams(M, N, K, {
    aOff: a.offset,
    bOff: b.offset,
    aSm: a.strides[r - 2],
    aSk: a.strides[r - 1],
    bSk: b.strides[r - 2],
    bSn: b.strides[r - 1],
    br,
  });
  meta.int(...merged.shape, ...merged.strides[0], ...merged.strides[1]);
  const bs = 3 + 7; // first batch-shape word
  gemm({
    op: "matmul",
    M,
    N,
    K,
    batches: B,
    meta,
    buffers: [out, a.storage, b.storage].map((s) => s.buffer),
    decls: `@group(0) @binding(0) var<storage, read_write> C: array<f32>;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> Bm: array<f32>;`,
    fns: `${fns}
var<private> aBase: i32; var<private> bBase: i32; var<private> cBase: i32;
fn setup(z: i32) {
  var rem = z; aBase = p_aOff(); bBase = p_bOff();
  for (var d = p_br() - 1; d >= 0; d--) {
    let s = mi(${bs} + d); let c = rem % s; rem = rem / s;
    aBase += c * mi(${bs} + p_br() + d); bBase += c * mi(${bs} + 2 * p_br() + d);
  }
  cBase = z * mi(0) * mi(1);
}
fn loadA(z: i32, m: i32, k: i32) -> f32 { return A[aBase + m * p_aSm() + k * p_aSk()]; }
fn loadB(z: i32, k: i32, n: i32) -> f32 { return Bm[bBase + k * p_bSk() + n * p_bSn()]; }
fn store(z: i32, m: i32, n: i32, v: f32) { C[cBase + m * mi(1) + n] = v; }`,
  });
  return out;
}

/** Convolution geometry as named GEMM parameters. */
function convNamed(
  xShape: readonly number[],
  wShape: readonly number[],
  oh: number,
  ow: number,
  p: Conv2dParams,
): Record<string, number> {
  const G = p.groups;
  return {
    Nb: xShape[0],
    Cin: xShape[1],
    H: xShape[2],
    W: xShape[3],
    Cout: wShape[0],
    cinG: wShape[1],
    coutG: wShape[0] / G,
    kh: wShape[2],
    kw: wShape[3],
    oh,
    ow,
    sh: p.stride[0],
    sw: p.stride[1],
    ph: p.padding[0],
    pw: p.padding[1],
    dh: p.dilation[0],
    dw: p.dilation[1],
  };
}

/** WGSL: x[n, g*cinG + ci, oy*sh - ph + i*dh, ox*sw - pw + j*dw], zero in the padding. */
const IM2COL = `
fn im2col(g: i32, n: i32, ci: i32, i: i32, j: i32, oy: i32, ox: i32) -> f32 {
  let iy = oy * p_sh() - p_ph() + i * p_dh();
  let ix = ox * p_sw() - p_pw() + j * p_dw();
  if (iy < 0 || iy >= p_H() || ix < 0 || ix >= p_W()) { return 0.0; }
  return X[((n * p_Cin() + g * p_cinG() + ci) * p_H() + iy) * p_W() + ix];
}
fn setup(z: i32) {}
`;

export function conv2d(
  x: GpuView,
  w: GpuView,
  bias: GpuView | null,
  p: Conv2dParams,
  outShape: readonly number[],
): GpuStorage {
  requireFloat32("conv2d", x, w, ...(bias ? [bias] : []));
  const [Nb, Cout, oh, ow] = outShape;
  const named = convNamed(x.shape, w.shape, oh, ow, p);
  const K = named.cinG * named.kh * named.kw,
    P = oh * ow;
  const out = allocStorage(Nb * Cout * P, "f32");
  const { meta, fns } = gemmParams(named.coutG, Nb * P, K, named);
  const buffers = [out, dense(x), dense(w), ...(bias ? [dense(bias)] : [])].map((s) => s.buffer);
  gemm({
    op: "conv2d",
    M: named.coutG,
    N: Nb * P,
    K,
    batches: p.groups,
    meta,
    buffers,
    decls: `@group(0) @binding(0) var<storage, read_write> Y: array<f32>;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> Wt: array<f32>;
${bias ? "@group(0) @binding(3) var<storage, read> Bias: array<f32>;" : ""}`,
    fns: `${fns}${IM2COL}
fn loadA(g: i32, co: i32, k: i32) -> f32 { return Wt[(g * p_coutG() + co) * mi(2) + k]; }
fn loadB(g: i32, k: i32, col: i32) -> f32 {
  let khw = p_kh() * p_kw(); let ci = k / khw; let r = k % khw;
  let P = p_oh() * p_ow(); let n = col / P; let q = col % P;
  return im2col(g, n, ci, r / p_kw(), r % p_kw(), q / p_ow(), q % p_ow());
}
fn store(g: i32, co: i32, col: i32, v: f32) {
  let P = p_oh() * p_ow(); let n = col / P; let q = col % P; let c = g * p_coutG() + co;
  Y[(n * p_Cout() + c) * P + q] = v${bias ? " + Bias[c]" : ""};
}`,
  });
  return out;
}

export function conv2dBackwardInput(
  gradOut: GpuView,
  w: GpuView,
  p: Conv2dParams,
  inShape: readonly number[],
): GpuStorage {
  requireFloat32("conv2d backward", gradOut, w);
  const [, , oh, ow] = gradOut.shape;
  const named = convNamed(inShape, w.shape, oh, ow, p);
  const [Nb, Cin, H, W] = inShape;
  const out = allocStorage(Nb * Cin * H * W, "f32");
  const K = named.coutG * named.kh * named.kw;
  const { meta, fns } = gemmParams(named.cinG, Nb * H * W, K, named);
  gemm({
    op: "conv2d backward (input)",
    M: named.cinG,
    N: Nb * H * W,
    K,
    batches: p.groups,
    meta,
    buffers: [out, dense(gradOut), dense(w)].map((s) => s.buffer),
    decls: `@group(0) @binding(0) var<storage, read_write> DX: array<f32>;
@group(0) @binding(1) var<storage, read> GO: array<f32>;
@group(0) @binding(2) var<storage, read> Wt: array<f32>;`,
    fns: `${fns}
fn setup(z: i32) {}
fn loadA(g: i32, ci: i32, k: i32) -> f32 {
  let khw = p_kh() * p_kw(); let co = k / khw; let r = k % khw;
  return Wt[((g * p_coutG() + co) * p_cinG() + ci) * khw + r];
}
fn loadB(g: i32, k: i32, col: i32) -> f32 {
  let khw = p_kh() * p_kw(); let co = k / khw; let r = k % khw; let i = r / p_kw(); let j = r % p_kw();
  let HW = p_H() * p_W(); let n = col / HW; let pix = col % HW; let iy = pix / p_W(); let ix = pix % p_W();
  let ty = iy + p_ph() - i * p_dh(); let tx = ix + p_pw() - j * p_dw();
  if (ty < 0 || tx < 0 || ty % p_sh() != 0 || tx % p_sw() != 0) { return 0.0; }
  let oy = ty / p_sh(); let ox = tx / p_sw();
  if (oy >= p_oh() || ox >= p_ow()) { return 0.0; }
  return GO[((n * p_Cout() + g * p_coutG() + co) * p_oh() + oy) * p_ow() + ox];
}
fn store(g: i32, ci: i32, col: i32, v: f32) {
  let HW = p_H() * p_W(); let n = col / HW; let pix = col % HW;
  DX[(n * p_Cin() + g * p_cinG() + ci) * HW + pix] = v;
}`,
  });
  return out;
}

export function conv2dBackwardWeight(
  x: GpuView,
  gradOut: GpuView,
  p: Conv2dParams,
  wShape: readonly number[],
): GpuStorage {
  requireFloat32("conv2d backward", x, gradOut);
  const [, , oh, ow] = gradOut.shape;
  const named = convNamed(x.shape, wShape, oh, ow, p);
  const cols = named.cinG * named.kh * named.kw;
  const out = allocStorage(wShape[0] * cols, "f32");
  const K = named.Nb * oh * ow;
  const { meta, fns } = gemmParams(named.coutG, cols, K, named);
  gemm({
    op: "conv2d backward (weight)",
    M: named.coutG,
    N: cols,
    K,
    batches: p.groups,
    meta,
    buffers: [out, dense(x), dense(gradOut)].map((s) => s.buffer),
    decls: `@group(0) @binding(0) var<storage, read_write> DW: array<f32>;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> GO: array<f32>;`,
    fns: `${fns}${IM2COL}
fn loadA(g: i32, co: i32, k: i32) -> f32 {
  let P = p_oh() * p_ow(); let n = k / P; let q = k % P;
  return GO[(n * p_Cout() + g * p_coutG() + co) * P + q];
}
fn loadB(g: i32, k: i32, col: i32) -> f32 {
  let P = p_oh() * p_ow(); let n = k / P; let q = k % P;
  let khw = p_kh() * p_kw(); let ci = col / khw; let r = col % khw;
  return im2col(g, n, ci, r / p_kw(), r % p_kw(), q / p_ow(), q % p_ow());
}
fn store(g: i32, co: i32, col: i32, v: f32) { DW[(g * p_coutG() + co) * mi(1) + col] = v; }`,
  });
  return out;
}

// torch.fft by dense DFT matrices (matmul: differentiable, every backend). Complex results
// are real tensors with a trailing dim of 2 (torch.view_as_real's layout; see complex.ts).
import { isFloating } from "../../dtype.js";
import type { Tensor } from "../../tensor.js";
import { ValueError } from "../../errors.js";
import { isOptions, wrap } from "../util.js";
import { add, div, mul, sub } from "../binary.js";
import { matmul } from "../linalg.js";
import { arange, zeros } from "../creation.js";
import { narrow } from "../view.js";
import { cat } from "../join.js";
import { toDType } from "../cast.js";
import { movedim, roll, unfold } from "../shape-ext.js";
import { pad } from "../pad.js";
import { conjComplex, fromParts, isComplexLike, markComplex, parts } from "./complex.js";

export { viewAsComplex, viewAsReal, complex } from "./complex.js";
type Norm = "backward" | "ortho" | "forward" | null | undefined;
interface FftOptions {
  n?: number | null;
  dim?: number;
  norm?: Norm;
}
interface FftnOptions {
  s?: readonly number[] | null;
  dim?: readonly number[] | number | null;
  norm?: Norm;
}

/** cos and sin of 2 pi j k / n for j < rows, k < cols (angles reduced mod n first: exact for large jk). */
function dft(rows: number, cols: number, n: number, dtype: "float32" | "float64"): [Tensor, Tensor] {
  const c = new Float64Array(rows * cols),
    s = new Float64Array(rows * cols);
  for (let j = 0; j < rows; j++)
    for (let k = 0; k < cols; k++) {
      const t = (2 * Math.PI * ((j * k) % n)) / n;
      c[j * cols + k] = Math.cos(t);
      s[j * cols + k] = Math.sin(t);
    }
  return [toDType(wrap(c, [rows, cols], "float64"), dtype), toDType(wrap(s, [rows, cols], "float64"), dtype)];
}
/** x along its last dim trimmed or zero-padded to n. */
function fit(x: Tensor, n: number): Tensor {
  const m = x.shape[x.dim() - 1];
  if (m === n) return x;
  if (m > n) return narrow(x, -1, 0, n);
  return cat([x, zeros([...x.shape.slice(0, -1), n - m], { dtype: x.dtype })], -1);
}
const floatDtype = (x: Tensor): "float32" | "float64" => (x.dtype === "float64" ? "float64" : "float32");
const asFloat = (x: Tensor): Tensor => (isFloating(x.dtype) ? x : toDType(x, "float32"));
function scaleFor(norm: Norm, n: number, inverse: boolean): number {
  const nm = norm ?? "backward";
  if (nm === "ortho") return 1 / Math.sqrt(n);
  if (nm === "backward") return inverse ? 1 / n : 1;
  if (nm === "forward") return inverse ? 1 : 1 / n;
  throw new ValueError(`fft: Invalid normalization mode: ${String(norm)}`);
}
const scaled = (t: Tensor, f: number): Tensor => (f === 1 ? t : mul(t, f));

/** A complex DFT along the last dim of (re, im): n inputs, n outputs; sign -1 forward, +1 inverse. */
function c2c(re: Tensor, im: Tensor | null, n: number, inverse: boolean, f: number): [Tensor, Tensor] {
  const dt = floatDtype(re);
  const [C, S] = dft(n, n, n, dt);
  const a = fit(re, n),
    b = im === null ? null : fit(im, n);
  // forward: (a + ib)(cos - i sin); inverse: (a + ib)(cos + i sin)
  let outRe = matmul(a, C),
    outIm = mul(matmul(a, S), inverse ? 1 : -1);
  if (b !== null) {
    outRe = inverse ? sub(outRe, matmul(b, S)) : add(outRe, matmul(b, S));
    outIm = add(outIm, matmul(b, C));
  }
  return [scaled(outRe, f), scaled(outIm, f)];
}

const back = (t: Tensor, dim: number, nd: number): Tensor => (dim === -1 || dim === nd - 1 ? t : movedim(t, -1, dim));

function opts1(
  n: number | null | FftOptions | undefined,
  dim: number | undefined,
  norm: Norm,
): Required<{ n: number | null; dim: number; norm: Norm }> {
  if (isOptions(n)) {
    const o = n as FftOptions;
    return { n: o.n ?? null, dim: o.dim ?? -1, norm: o.norm ?? null };
  }
  return { n: (n as number | null | undefined) ?? null, dim: dim ?? -1, norm: norm ?? null };
}

/** One complex transform along dim of a real or complex-like tensor. */
function fft1(x: Tensor, o: { n: number | null; dim: number; norm: Norm }, inverse: boolean): Tensor {
  const [re0, im0] = parts(x);
  const re = asFloat(re0),
    im = im0 === null ? null : asFloat(im0);
  const nd = re.dim();
  const dim = o.dim < 0 ? o.dim + nd : o.dim;
  const n = o.n ?? re.shape[dim];
  const [r, i] = c2c(
    movedim(re, dim, -1),
    im === null ? null : movedim(im, dim, -1),
    n,
    inverse,
    scaleFor(o.norm, n, inverse),
  );
  return fromParts(back(r, dim, nd), back(i, dim, nd));
}
export const fft = (x: Tensor, n?: number | null | FftOptions, dim?: number, norm?: Norm): Tensor =>
  fft1(x, opts1(n, dim, norm), false);
export const ifft = (x: Tensor, n?: number | null | FftOptions, dim?: number, norm?: Norm): Tensor =>
  fft1(x, opts1(n, dim, norm), true);

export function rfft(x: Tensor, n?: number | null | FftOptions, dim?: number, norm?: Norm): Tensor {
  const o = opts1(n, dim, norm);
  if (isComplexLike(x)) throw new ValueError("rfft: expects a real input tensor");
  const re = asFloat(x),
    nd = re.dim(),
    d = o.dim < 0 ? o.dim + nd : o.dim;
  const len = o.n ?? re.shape[d];
  const m = Math.floor(len / 2) + 1;
  const [C, S] = dft(len, m, len, floatDtype(re));
  const a = fit(movedim(re, d, -1), len);
  const f = scaleFor(o.norm, len, false);
  return fromParts(back(scaled(matmul(a, C), f), d, nd), back(scaled(mul(matmul(a, S), -1), f), d, nd));
}

/** The real signal of length n from its half spectrum along the last dim (imaginary parts of DC and Nyquist ignored). */
function c2r(re: Tensor, im: Tensor | null, n: number, f: number): Tensor {
  const m = Math.floor(n / 2) + 1;
  const dt = floatDtype(re);
  const [C, S] = dft(m, n, n, dt);
  const w = new Float64Array(m).fill(2);
  w[0] = 1;
  if (n % 2 === 0) w[m - 1] = 1;
  const wt = toDType(wrap(w, [m, 1], "float64"), dt);
  let out = matmul(fit(re, m), mul(C, wt));
  if (im !== null) out = sub(out, matmul(fit(im, m), mul(S, wt)));
  return scaled(out, f);
}
function irfft1(x: Tensor, o: { n: number | null; dim: number; norm: Norm }, scaleInverse: boolean): Tensor {
  const [re0, im0] = parts(x);
  const re = asFloat(re0),
    im = im0 === null ? null : asFloat(im0);
  const nd = re.dim(),
    d = o.dim < 0 ? o.dim + nd : o.dim;
  const n = o.n ?? 2 * (re.shape[d] - 1);
  if (n < 1) throw new ValueError(`irfft: Invalid number of data points (${n}) specified`);
  const f = scaleFor(o.norm, n, scaleInverse);
  return back(c2r(movedim(re, d, -1), im === null ? null : movedim(im, d, -1), n, f), d, nd);
}
export const irfft = (x: Tensor, n?: number | null | FftOptions, dim?: number, norm?: Norm): Tensor =>
  irfft1(x, opts1(n, dim, norm), true);
/** hfft: the real spectrum of a Hermitian signal given by its first half (irfft of the conjugate, forward-scaled). */
export const hfft = (x: Tensor, n?: number | null | FftOptions, dim?: number, norm?: Norm): Tensor =>
  irfft1(conjComplex(x), opts1(n, dim, norm), false);
/** ihfft: the half spectrum of the inverse transform of a real signal (conjugate of rfft, inverse-scaled). */
export function ihfft(x: Tensor, n?: number | null | FftOptions, dim?: number, norm?: Norm): Tensor {
  const o = opts1(n, dim, norm);
  const re = asFloat(x),
    nd = re.dim(),
    d = o.dim < 0 ? o.dim + nd : o.dim;
  const len = o.n ?? re.shape[d];
  const r = rfft(x, { n: len, dim: o.dim, norm: "forward" });
  const f = scaleFor(o.norm, len, true) * len;
  const [a, b] = parts(r);
  return fromParts(scaled(a, f), scaled(mul(b as Tensor, -1), f));
}

/** The dims and sizes of an n-D transform (default: the last len(s) dims, or all). */
function plan(x: Tensor, o: FftnOptions, defaultAll: boolean): { dims: number[]; sizes: (number | null)[] } {
  const nd = isComplexLike(x) ? x.dim() - 1 : x.dim();
  let dims: number[];
  if (o.dim !== undefined && o.dim !== null)
    dims = (typeof o.dim === "number" ? [o.dim] : [...o.dim]).map((d) => (d < 0 ? d + nd : d));
  else if (o.s) dims = o.s.map((_, i) => nd - o.s!.length + i);
  else dims = defaultAll ? Array.from({ length: nd }, (_, i) => i) : [nd - 2, nd - 1];
  const sizes = dims.map((_, i) => (o.s ? o.s[i] : null));
  return { dims, sizes };
}
function nOpts(
  s: readonly number[] | null | FftnOptions | undefined,
  dim: readonly number[] | number | null | undefined,
  norm: Norm,
): FftnOptions {
  if (isOptions(s)) return s as FftnOptions;
  return { s: (s as readonly number[] | null | undefined) ?? null, dim: dim ?? null, norm };
}
function fftnImpl(x: Tensor, o: FftnOptions, inverse: boolean, defaultAll: boolean): Tensor {
  const { dims, sizes } = plan(x, o, defaultAll);
  let y = x;
  dims.forEach((d, i) => (y = fft1(y, { n: sizes[i], dim: d, norm: o.norm }, inverse)));
  return dims.length === 0 ? fft1(x, { n: null, dim: -1, norm: o.norm }, inverse) : y;
}
type SArg = readonly number[] | null | FftnOptions;
type DimArg = readonly number[] | number | null;
export const fftn = (x: Tensor, s?: SArg, dim?: DimArg, norm?: Norm): Tensor =>
  fftnImpl(x, nOpts(s, dim, norm), false, true);
export const ifftn = (x: Tensor, s?: SArg, dim?: DimArg, norm?: Norm): Tensor =>
  fftnImpl(x, nOpts(s, dim, norm), true, true);
export const fft2 = (x: Tensor, s?: SArg, dim: DimArg = [-2, -1], norm?: Norm): Tensor =>
  fftnImpl(x, { dim, ...nOpts(s, dim, norm) }, false, false);
export const ifft2 = (x: Tensor, s?: SArg, dim: DimArg = [-2, -1], norm?: Norm): Tensor =>
  fftnImpl(x, { dim, ...nOpts(s, dim, norm) }, true, false);

function rfftnImpl(x: Tensor, o: FftnOptions, defaultAll: boolean): Tensor {
  const { dims, sizes } = plan(x, o, defaultAll);
  const last = dims.length - 1;
  let y = rfft(x, { n: sizes[last], dim: dims[last], norm: o.norm });
  for (let i = 0; i < last; i++) y = fft1(y, { n: sizes[i], dim: dims[i], norm: o.norm }, false);
  return y;
}
function irfftnImpl(x: Tensor, o: FftnOptions, defaultAll: boolean, scaleInverse: boolean): Tensor {
  const { dims, sizes } = plan(x, o, defaultAll);
  const last = dims.length - 1;
  let y = scaleInverse ? x : conjComplex(x);
  for (let i = 0; i < last; i++) y = fft1(y, { n: sizes[i], dim: dims[i], norm: flipNorm(o.norm, scaleInverse) }, true);
  return irfft1(y, { n: sizes[last], dim: dims[last], norm: o.norm }, scaleInverse);
}
/** hfftn runs inverse transforms scaled as forward ones. */
const flipNorm = (norm: Norm, scaleInverse: boolean): Norm =>
  scaleInverse ? norm : (norm ?? "backward") === "backward" ? "forward" : norm === "forward" ? "backward" : norm;
export const rfftn = (x: Tensor, s?: SArg, dim?: DimArg, norm?: Norm): Tensor =>
  rfftnImpl(x, nOpts(s, dim, norm), true);
export const rfft2 = (x: Tensor, s?: SArg, dim: DimArg = [-2, -1], norm?: Norm): Tensor =>
  rfftnImpl(x, { dim, ...nOpts(s, dim, norm) }, false);
export const irfftn = (x: Tensor, s?: SArg, dim?: DimArg, norm?: Norm): Tensor =>
  irfftnImpl(x, nOpts(s, dim, norm), true, true);
export const irfft2 = (x: Tensor, s?: SArg, dim: DimArg = [-2, -1], norm?: Norm): Tensor =>
  irfftnImpl(x, { dim, ...nOpts(s, dim, norm) }, false, true);
export const hfftn = (x: Tensor, s?: SArg, dim?: DimArg, norm?: Norm): Tensor =>
  irfftnImpl(x, nOpts(s, dim, norm), true, false);
export const hfft2 = (x: Tensor, s?: SArg, dim: DimArg = [-2, -1], norm?: Norm): Tensor =>
  irfftnImpl(x, { dim, ...nOpts(s, dim, norm) }, false, false);
function ihfftnImpl(x: Tensor, o: FftnOptions, defaultAll: boolean): Tensor {
  const { dims, sizes } = plan(x, o, defaultAll);
  const last = dims.length - 1;
  let y = ihfft(x, { n: sizes[last], dim: dims[last], norm: o.norm });
  for (let i = 0; i < last; i++) y = fft1(y, { n: sizes[i], dim: dims[i], norm: o.norm }, true);
  return y;
}
export const ihfftn = (x: Tensor, s?: SArg, dim?: DimArg, norm?: Norm): Tensor =>
  ihfftnImpl(x, nOpts(s, dim, norm), true);
export const ihfft2 = (x: Tensor, s?: SArg, dim: DimArg = [-2, -1], norm?: Norm): Tensor =>
  ihfftnImpl(x, { dim, ...nOpts(s, dim, norm) }, false);

function shift(x: Tensor, dim: DimArg | { dim?: DimArg } | undefined, inverse: boolean): Tensor {
  const d = isOptions(dim) ? (dim as { dim?: DimArg }).dim : (dim as DimArg | undefined);
  const nd = isComplexLike(x) ? x.dim() - 1 : x.dim();
  const dims =
    d === undefined || d === null ? Array.from({ length: nd }, (_, i) => i) : typeof d === "number" ? [d] : [...d];
  if (dims.length === 0) return x;
  const shifts = dims.map((k) => {
    const n = x.shape[k < 0 ? k + nd : k];
    return inverse ? -Math.floor(n / 2) : Math.floor(n / 2);
  });
  const out = roll(
    x,
    shifts,
    dims.map((k) => (k < 0 ? k + nd : k)),
  );
  return isComplexLike(x) ? fromParts(...(parts(out) as [Tensor, Tensor])) : out;
}
export const fftshift = (x: Tensor, dim?: DimArg | { dim?: DimArg }): Tensor => shift(x, dim, false);
export const ifftshift = (x: Tensor, dim?: DimArg | { dim?: DimArg }): Tensor => shift(x, dim, true);

interface FreqOptions {
  d?: number;
  dtype?: "float32" | "float64";
}
/** Sample frequencies of an n-point DFT with spacing d. */
export function fftfreq(n: number, d: number | FreqOptions = 1, opts: FreqOptions = {}): Tensor {
  const o = isOptions(d) ? (d as FreqOptions) : { ...opts, d: d as number };
  const k = Array.from({ length: n }, (_, i) => (i < Math.ceil(n / 2) ? i : i - n));
  return toDType(
    wrap(
      Float64Array.from(k, (v) => v / (n * (o.d ?? 1))),
      [n],
      "float64",
    ),
    o.dtype ?? "float32",
  );
}
export function rfftfreq(n: number, d: number | FreqOptions = 1, opts: FreqOptions = {}): Tensor {
  const o = isOptions(d) ? (d as FreqOptions) : { ...opts, d: d as number };
  const m = Math.floor(n / 2) + 1;
  return toDType(mul(arange(m, { dtype: "float64" }), 1 / (n * (o.d ?? 1))), o.dtype ?? "float32");
}

export interface StftOptions {
  nFft?: number;
  hopLength?: number | null;
  winLength?: number | null;
  window?: Tensor | null;
  center?: boolean;
  padMode?: "reflect" | "constant" | "replicate" | "circular";
  normalized?: boolean;
  onesided?: boolean | null;
  returnComplex?: boolean | null;
}
/**
 * torch.stft of a 1-D or batched 2-D signal: windowed frames (centered by padding n_fft/2 each
 * side), each transformed by rfft (onesided) or fft; [..., freq, frames] complex, as a real tensor
 * with a trailing dim of 2 (marked complex when returnComplex).
 */
export function stft(x: Tensor, nFft: number | StftOptions, opts: StftOptions = {}): Tensor {
  const o: StftOptions = isOptions(nFft) ? (nFft as StftOptions) : { ...opts, nFft: nFft as number };
  const n = o.nFft as number;
  const hop = o.hopLength ?? Math.floor(n / 4),
    win = o.winLength ?? n;
  let sig = asFloat(x);
  const batched = sig.dim() === 2;
  if (!batched) sig = sig.reshape([1, -1]);
  if (o.center ?? true)
    sig = pad(
      sig.reshape([sig.shape[0], 1, -1]),
      [Math.floor(n / 2), Math.floor(n / 2)],
      o.padMode ?? "reflect",
    ).reshape([sig.shape[0], -1]);
  let w = o.window ?? null;
  if (w === null) w = zeros([win], { dtype: sig.dtype }).add(1);
  if (win < n) {
    const left = Math.floor((n - win) / 2);
    w = cat([zeros([left], { dtype: sig.dtype }), w, zeros([n - win - left], { dtype: sig.dtype })], 0);
  }
  const frames = mul(unfold(sig, -1, n, hop), w); // [B, frames, n]
  const onesided = o.onesided ?? true;
  let spec = onesided
    ? rfft(frames, { dim: -1, norm: o.normalized ? "ortho" : "backward" })
    : fft(frames, { dim: -1, norm: o.normalized ? "ortho" : "backward" });
  spec = spec.transpose(1, 2); // [B, freq, frames, 2]
  if (!batched) spec = spec.squeeze(0);
  const out = spec.contiguous();
  return o.returnComplex ? markComplex(out) : out;
}

export interface IstftOptions {
  nFft?: number;
  hopLength?: number | null;
  winLength?: number | null;
  window?: Tensor | null;
  center?: boolean;
  normalized?: boolean;
  onesided?: boolean | null;
  length?: number | null;
  returnComplex?: boolean;
}
/**
 * torch.istft: the inverse of stft by overlap-add of the windowed inverse transforms of each
 * frame, divided by the summed squared window (the input is [..., freq, frames, 2], complex as
 * view_as_real lays it out).
 */
export function istft(spec: Tensor, nFft: number | IstftOptions, opts: IstftOptions = {}): Tensor {
  const o: IstftOptions = isOptions(nFft) ? (nFft as IstftOptions) : { ...opts, nFft: nFft as number };
  const n = o.nFft as number;
  const hop = o.hopLength ?? Math.floor(n / 4),
    win = o.winLength ?? n;
  const batched = spec.dim() === 4;
  const s = batched ? spec : spec.unsqueeze(0); // [B, freq, frames, 2]
  const [B, nFreq, nFrames] = s.shape;
  const onesided = o.onesided ?? nFreq !== n;
  const re = s.select(-1, 0).transpose(1, 2),
    im = s.select(-1, 1).transpose(1, 2); // [B, frames, freq]
  const norm = o.normalized ? "ortho" : "backward";
  // a real result reads only the one-sided half of a two-sided spectrum, as PyTorch's istft
  const half = (t: Tensor): Tensor => (onesided ? t : narrow(t, -1, 0, Math.floor(n / 2) + 1));
  if (o.returnComplex) throw new ValueError("istft: not implemented: returnComplex (a complex signal)");
  let frames = irfft(fromParts(half(re), half(im)), { n, dim: -1, norm });
  let w = o.window ?? null;
  if (w === null) w = zeros([win], { dtype: frames.dtype }).add(1);
  if (win < n) {
    const left = Math.floor((n - win) / 2);
    w = cat([zeros([left], { dtype: frames.dtype }), w, zeros([n - win - left], { dtype: frames.dtype })], 0);
  }
  frames = mul(frames, w);
  const total = n + hop * (nFrames - 1);
  const pos: number[] = [];
  for (let t = 0; t < nFrames; t++) for (let k = 0; k < n; k++) pos.push(t * hop + k);
  const index = wrap(Float64Array.from(pos), [1, nFrames * n], "int64").expand([B, nFrames * n]);
  const y = zeros([B, total], { dtype: frames.dtype }).scatterAdd(1, index, frames.reshape([B, -1]));
  const w2 = w.detach().mul(w.detach()).typedArray();
  const env = new Float64Array(total);
  pos.forEach((p, i) => (env[p] += w2[i % n]));
  const start = (o.center ?? true) ? Math.floor(n / 2) : 0;
  const end =
    o.length !== undefined && o.length !== null
      ? start + o.length
      : (o.center ?? true)
        ? total - Math.floor(n / 2)
        : total;
  const stop = Math.min(end, total);
  for (let i = start; i < stop; i++)
    if (Math.abs(env[i]) < 1e-11)
      throw new ValueError("istft: window overlap add min: the window does not satisfy the NOLA condition");
  let out = div(
    narrow(y, -1, start, stop - start),
    toDType(wrap(env.slice(start, stop), [stop - start], "float64"), frames.dtype),
  );
  if (end > stop) out = cat([out, zeros([B, end - stop], { dtype: out.dtype })], -1);
  return batched ? out : out.squeeze(0);
}

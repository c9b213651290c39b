// 2-D convolution kernels of the reference backend: im2col + a row-streaming GEMM per (image,
// group). This file is the semantic definition that faster backends must match:
//   x        [N, Cin, H, W]           (NCHW; any strides, read through the view)
//   w        [Cout, Cin/groups, kh, kw] (OIHW)
//   bias     [Cout] or null
//   out      [N, Cout, oh, ow], oh = floor((H + 2*ph - dh*(kh-1) - 1) / sh) + 1 (same for ow)
// Padding is implicit zeros. Group g reads input channels [g*Cin/G, (g+1)*Cin/G) and writes
// output channels [g*Cout/G, (g+1)*Cout/G). Every result is a fresh contiguous array in x's
// dtype; sums are accumulated in float64 and rounded once.
import { type TypedArray, arrayFor } from "../../dtype.js";
import type { Conv2dParams, Strided } from "../backend.js";
import { dense } from "./pool.js";
import { gemmNN, gemmNT, gemmTN } from "./conv-gemm.js";

interface Geometry {
  cinG: number; // input channels per group
  kh: number;
  kw: number;
  H: number;
  W: number;
  oh: number;
  ow: number;
  p: Conv2dParams;
}

/** col[k, q] = x[c, ih, iw] for k = (c, i, j) and output position q = (oy, ox); zero outside. */
function im2col(x: Float64Array, xOff: number, g: Geometry, col: Float64Array): void {
  const { cinG, kh, kw, H, W, oh, ow, p } = g;
  const [sh, sw] = p.stride,
    [ph, pw] = p.padding,
    [dh, dw] = p.dilation;
  const P = oh * ow;
  let k = 0;
  for (let c = 0; c < cinG; c++) {
    const plane = xOff + c * H * W;
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++, k++) {
        const row = k * P;
        for (let oy = 0; oy < oh; oy++) {
          const iy = oy * sh - ph + i * dh;
          const base = row + oy * ow;
          if (iy < 0 || iy >= H) {
            col.fill(0, base, base + ow);
            continue;
          }
          const rowIn = plane + iy * W;
          for (let ox = 0; ox < ow; ox++) {
            const ix = ox * sw - pw + j * dw;
            col[base + ox] = ix >= 0 && ix < W ? x[rowIn + ix] : 0;
          }
        }
      }
    }
  }
}

/** The adjoint of im2col: x[c, ih, iw] += col[k, q]. */
function col2im(col: Float64Array, g: Geometry, dx: Float64Array, xOff: number): void {
  const { cinG, kh, kw, H, W, oh, ow, p } = g;
  const [sh, sw] = p.stride,
    [ph, pw] = p.padding,
    [dh, dw] = p.dilation;
  const P = oh * ow;
  let k = 0;
  for (let c = 0; c < cinG; c++) {
    const plane = xOff + c * H * W;
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++, k++) {
        const row = k * P;
        for (let oy = 0; oy < oh; oy++) {
          const iy = oy * sh - ph + i * dh;
          if (iy < 0 || iy >= H) continue;
          const rowIn = plane + iy * W,
            base = row + oy * ow;
          for (let ox = 0; ox < ow; ox++) {
            const ix = ox * sw - pw + j * dw;
            if (ix >= 0 && ix < W) dx[rowIn + ix] += col[base + ox];
          }
        }
      }
    }
  }
}

function geometry(
  xShape: readonly number[],
  wShape: readonly number[],
  oh: number,
  ow: number,
  p: Conv2dParams,
): Geometry {
  return { cinG: wShape[1], kh: wShape[2], kw: wShape[3], H: xShape[2], W: xShape[3], oh, ow, p };
}

export function conv2d(
  x: Strided,
  w: Strided,
  bias: Strided | null,
  p: Conv2dParams,
  outShape: readonly number[],
): TypedArray {
  const [N, , oh, ow] = outShape;
  const Cout = w.shape[0],
    G = p.groups,
    coutG = Cout / G;
  const g = geometry(x.shape, w.shape, oh, ow, p);
  const K = g.cinG * g.kh * g.kw,
    P = oh * ow;
  const xd = dense(x),
    wd = dense(w),
    bd = bias ? dense(bias) : null;
  const col = new Float64Array(K * P);
  const acc = new Float64Array(N * Cout * P);
  const inPlane = x.shape[2] * x.shape[3];
  for (let n = 0; n < N; n++) {
    for (let gi = 0; gi < G; gi++) {
      im2col(xd, (n * x.shape[1] + gi * g.cinG) * inPlane, g, col);
      const cOff = (n * Cout + gi * coutG) * P;
      if (bd) for (let oc = 0; oc < coutG; oc++) acc.fill(bd[gi * coutG + oc], cOff + oc * P, cOff + (oc + 1) * P);
      gemmNN(coutG, P, K, wd, gi * coutG * K, K, col, 0, P, acc, cOff, P);
    }
  }
  const out = arrayFor(x.dtype, acc.length);
  out.set(acc);
  return out;
}

/** dL/dx of conv2d: gradOut [N, Cout, oh, ow] (its own spatial size is used), result inShape. */
export function conv2dBackwardInput(
  gradOut: Strided,
  w: Strided,
  p: Conv2dParams,
  inShape: readonly number[],
): TypedArray {
  const [N, Cin, H, W] = inShape;
  const [, Cout, oh, ow] = gradOut.shape;
  const G = p.groups,
    coutG = Cout / G;
  const g = geometry(inShape, w.shape, oh, ow, p);
  const K = g.cinG * g.kh * g.kw,
    P = oh * ow;
  const gd = dense(gradOut),
    wd = dense(w);
  const col = new Float64Array(K * P);
  const dx = new Float64Array(N * Cin * H * W);
  for (let n = 0; n < N; n++) {
    for (let gi = 0; gi < G; gi++) {
      col.fill(0);
      // col[K x P] = W_gᵀ · gradOut_g, W_g stored [coutG x K].
      gemmTN(K, P, coutG, wd, gi * coutG * K, K, gd, (n * Cout + gi * coutG) * P, P, col, 0, P);
      col2im(col, g, dx, (n * Cin + gi * g.cinG) * H * W);
    }
  }
  const out = arrayFor(gradOut.dtype, dx.length);
  out.set(dx);
  return out;
}

/** dL/dw of conv2d: sum over images of gradOut[oc, q] * col[k, q]. */
export function conv2dBackwardWeight(
  x: Strided,
  gradOut: Strided,
  p: Conv2dParams,
  wShape: readonly number[],
): TypedArray {
  const [N, Cin, H, W] = x.shape;
  const [, Cout, oh, ow] = gradOut.shape;
  const G = p.groups,
    coutG = Cout / G;
  const g = geometry(x.shape, wShape, oh, ow, p);
  const K = g.cinG * g.kh * g.kw,
    P = oh * ow;
  const xd = dense(x),
    gd = dense(gradOut);
  const col = new Float64Array(K * P);
  const dw = new Float64Array(Cout * K);
  for (let n = 0; n < N; n++) {
    for (let gi = 0; gi < G; gi++) {
      im2col(xd, (n * Cin + gi * g.cinG) * H * W, g, col);
      // dW_g[coutG x K] += gradOut_g[coutG x P] · colᵀ.
      gemmNT(coutG, K, P, gd, (n * Cout + gi * coutG) * P, P, col, 0, P, dw, gi * coutG * K, K);
    }
  }
  const out = arrayFor(x.dtype, dw.length);
  out.set(dw);
  return out;
}

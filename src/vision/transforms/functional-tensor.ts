// transforms.functional on tensor images [..., C, H, W] (float in [0, 1] or uint8), with
// torchvision 0.14's tensor-path formulas (functional_tensor.py): colour adjustments through
// _blend, rgb↔hsv for hue, Gaussian blur as a reflect-padded depthwise conv, rotate / affine as
// grid_sample on torchvision's affine grid, erase, and the AutoAugment ops. An Image (HWC uint8)
// goes through the same code as a uint8 tensor.
import { Tensor, fromTypedArray } from "../../tensor.js";
import { type Image, isImage, makeImage } from "../image.js";
import {
  add,
  bitwiseAnd,
  div,
  eq,
  fmod,
  ge,
  logicalAnd,
  lt,
  mul,
  ne,
  pow,
  remainder,
  sub,
  where,
} from "../../ops/binary.js";
import { exp, floor, isfinite, round } from "../../ops/unary.js";
import { amax, amin, mean } from "../../ops/reduce.js";
import { clamp } from "../../ops/clamp.js";
import { toDType, contiguous, clone } from "../../ops/cast.js";
import { cat, stack } from "../../ops/join.js";
import { expand, narrow, reshape, select, squeeze, unsqueeze } from "../../ops/view.js";
import { linspace, tensor, zerosLike } from "../../ops/creation.js";
import { matmul } from "../../ops/linalg.js";
import { pad } from "../../ops/pad.js";
import { conv2d } from "../../ops/conv.js";
import { gridSample } from "../../ops/vision-ops.js";
import { ValueError } from "../../errors.js";

export type TImage = Tensor | Image;
export type Interpolation = "nearest" | "bilinear";

/** Runs f on a tensor image; an Image becomes a uint8 [C, H, W] tensor and comes back as an Image. */
export function onTensor<X extends TImage>(img: X, f: (t: Tensor) => Tensor): X {
  if (img instanceof Tensor) return f(img) as X;
  if (!isImage(img)) throw new TypeError("transforms: expected a Tensor image or an Image");
  const { width: w, height: h, channels: c, data } = img;
  const chw = new Uint8Array(c * h * w);
  for (let ch = 0; ch < c; ch++) for (let i = 0; i < h * w; i++) chw[ch * h * w + i] = data[i * c + ch];
  const out = contiguous(toDType(f(fromTypedArray(chw, [c, h, w], "uint8")), "uint8"));
  const [c2, h2, w2] = out.shape;
  const o = out.typedArray() as Uint8Array,
    hwc = new Uint8Array(c2 * h2 * w2);
  for (let ch = 0; ch < c2; ch++) for (let i = 0; i < h2 * w2; i++) hwc[i * c2 + ch] = o[ch * h2 * w2 + i];
  return makeImage(w2, h2, c2, hwc) as X;
}

const isFloatImg = (t: Tensor): boolean => t.dtype === "float32" || t.dtype === "float64";
const bound = (t: Tensor): number => (isFloatImg(t) ? 1 : 255);
const channels = (t: Tensor): number => t.shape[t.dim() - 3];

/** torchvision's _blend: ratio * a + (1 - ratio) * b, clamped to the range, in a's dtype (truncating for uint8). */
function blend(a: Tensor, b: Tensor, ratio: number): Tensor {
  return toDType(clamp(add(mul(a, ratio), mul(b, 1 - ratio)), 0, bound(a)), a.dtype);
}

export function rgbToGrayscale(img: Tensor, numOutputChannels = 1): Tensor {
  const c = channels(img);
  if (c !== 1 && c !== 3) throw new ValueError(`rgb_to_grayscale: input image has ${c} channels, expected 1 or 3`);
  let l: Tensor;
  if (c === 3) {
    const [r, g, b] = [select(img, -3, 0), select(img, -3, 1), select(img, -3, 2)];
    l = unsqueeze(toDType(add(add(mul(r, 0.2989), mul(g, 0.587)), mul(b, 0.114)), img.dtype), -3);
  } else l = clone(img);
  return numOutputChannels === 3 ? expand(l, [...l.shape.slice(0, -3), 3, ...l.shape.slice(-2)]) : l;
}

export const adjustBrightness = (img: Tensor, f: number): Tensor => blend(img, zerosLike(img), f);

export function adjustContrast(img: Tensor, f: number): Tensor {
  const dt = isFloatImg(img) ? img.dtype : "float32";
  const src = channels(img) === 3 ? toDType(rgbToGrayscale(img), dt) : toDType(img, dt);
  return blend(img, mean(src, [-3, -2, -1], true), f);
}

export function adjustSaturation(img: Tensor, f: number): Tensor {
  if (channels(img) === 1) return img;
  return blend(img, rgbToGrayscale(img), f);
}

function rgbToHsv(img: Tensor): Tensor {
  const [r, g, b] = [select(img, -3, 0), select(img, -3, 1), select(img, -3, 2)];
  const maxc = amax(img, -3),
    minc = amin(img, -3);
  const eqc = eq(maxc, minc);
  const cr = sub(maxc, minc);
  const s = div(cr, where(eqc, 1, maxc));
  const crd = where(eqc, 1, cr);
  const rc = div(sub(maxc, r), crd),
    gc = div(sub(maxc, g), crd),
    bc = div(sub(maxc, b), crd);
  const hr = mul(toDType(eq(maxc, r), img.dtype), sub(bc, gc));
  const hg = mul(toDType(logicalAnd(eq(maxc, g), ne(maxc, r)), img.dtype), sub(add(rc, 2), bc));
  const hb = mul(toDType(logicalAnd(ne(maxc, g), ne(maxc, r)), img.dtype), sub(add(gc, 4), rc));
  const h = fmod(add(div(add(add(hr, hg), hb), 6), 1), 1);
  return stack([h, s, maxc], -3);
}

function hsvToRgb(img: Tensor): Tensor {
  const [h, s, v] = [select(img, -3, 0), select(img, -3, 1), select(img, -3, 2)];
  const i6 = floor(mul(h, 6));
  const f = sub(mul(h, 6), i6);
  const i = remainder(toDType(i6, "int32"), 6);
  const p = clamp(mul(v, sub(1, s)), 0, 1);
  const q = clamp(mul(v, sub(1, mul(s, f))), 0, 1);
  const t = clamp(mul(v, sub(1, mul(s, sub(1, f)))), 0, 1);
  const pick = (vals: Tensor[]): Tensor => {
    let out = vals[5];
    for (let k = 4; k >= 0; k--) out = where(eq(i, k), vals[k], out);
    return out;
  };
  return stack([pick([v, q, p, p, t, v]), pick([t, v, v, q, p, p]), pick([p, p, t, v, v, q])], -3);
}

export function adjustHue(img: Tensor, hueFactor: number): Tensor {
  if (!(hueFactor >= -0.5 && hueFactor <= 0.5))
    throw new ValueError(`adjust_hue: hue_factor (${hueFactor}) is not in [-0.5, 0.5].`);
  if (channels(img) === 1) return img;
  const dt = img.dtype;
  const x = isFloatImg(img) ? img : div(toDType(img, "float32"), 255);
  const hsv = rgbToHsv(x);
  const h = remainder(add(select(hsv, -3, 0), hueFactor), 1);
  const rgb = hsvToRgb(stack([h, select(hsv, -3, 1), select(hsv, -3, 2)], -3));
  return isFloatImg(img) ? rgb : toDType(mul(rgb, 255), dt);
}

/** Runs f on img as a 4-D float tensor (torchvision's _cast_squeeze_in / _cast_squeeze_out). */
function castSqueeze(img: Tensor, f: (x: Tensor) => Tensor): Tensor {
  const squeezeBack = img.dim() === 3;
  let x = squeezeBack ? unsqueeze(img, 0) : img;
  const cast = !isFloatImg(x);
  if (cast) x = toDType(x, "float32");
  let y = f(x);
  if (cast) y = toDType(round(y), img.dtype);
  return squeezeBack ? squeeze(y, 0) : y;
}

function gaussianKernel1d(k: number, sigma: number, dtype: "float32" | "float64"): Tensor {
  const half = (k - 1) * 0.5;
  const x = linspace(-half, half, k, { dtype });
  const pdf = exp(mul(pow(div(x, sigma), 2), -0.5));
  return div(pdf, pdf.sum());
}

/** F.gaussian_blur(img, kernelSize [kx, ky], sigma [sx, sy]). */
export function gaussianBlur(
  img: Tensor,
  kernelSize: number | number[],
  sigma: number | number[] | null = null,
): Tensor {
  const ks =
    typeof kernelSize === "number"
      ? [kernelSize, kernelSize]
      : kernelSize.length === 1
        ? [kernelSize[0], kernelSize[0]]
        : kernelSize;
  if (ks.some((k) => k <= 0 || k % 2 === 0))
    throw new ValueError(
      `gaussian_blur: kernel size should have odd and positive integers. Got ${JSON.stringify(kernelSize)}`,
    );
  let sg =
    sigma === null
      ? ks.map((k) => k * 0.15 + 0.35)
      : typeof sigma === "number"
        ? [sigma, sigma]
        : sigma.length === 1
          ? [sigma[0], sigma[0]]
          : sigma;
  sg = sg.map(Number);
  if (sg.some((s) => s <= 0))
    throw new ValueError(`gaussian_blur: sigma should have positive values. Got ${JSON.stringify(sigma)}`);
  const dt = isFloatImg(img) ? (img.dtype as "float32" | "float64") : "float32";
  const kx = gaussianKernel1d(ks[0], sg[0], dt),
    ky = gaussianKernel1d(ks[1], sg[1], dt);
  const k2 = matmul(reshape(ky, [-1, 1]), reshape(kx, [1, -1]));
  return castSqueeze(img, (x) => {
    const c = x.shape[1];
    const w = expand(reshape(k2, [1, 1, ks[1], ks[0]]), [c, 1, ks[1], ks[0]]);
    const xp = pad(x, [ks[0] >> 1, ks[0] >> 1, ks[1] >> 1, ks[1] >> 1], "reflect");
    return conv2d(xp, contiguous(w), null, 1, 0, 1, c);
  });
}

/** torchvision's _get_inverse_affine_matrix (inverted = true). */
export function inverseAffineMatrix(
  center: number[],
  angle: number,
  translate: number[],
  scale: number,
  shear: number[],
): number[] {
  const rad = (d: number) => (d * Math.PI) / 180;
  const rot = rad(angle),
    sx = rad(shear[0]),
    sy = rad(shear[1]);
  const [cx, cy] = center,
    [tx, ty] = translate;
  const a = Math.cos(rot - sy) / Math.cos(sy);
  const b = (-Math.cos(rot - sy) * Math.tan(sx)) / Math.cos(sy) - Math.sin(rot);
  const c = Math.sin(rot - sy) / Math.cos(sy);
  const d = (-Math.sin(rot - sy) * Math.tan(sx)) / Math.cos(sy) + Math.cos(rot);
  const m = [d, -b, 0, -c, a, 0].map((v) => v / scale);
  m[2] += m[0] * (-cx - tx) + m[1] * (-cy - ty);
  m[5] += m[3] * (-cx - tx) + m[4] * (-cy - ty);
  m[2] += cx;
  m[5] += cy;
  return m;
}

/** torchvision's _gen_affine_grid: output pixel centres mapped through theta, normalised to [-1, 1]. */
function affineGridTV(theta: Tensor, w: number, h: number, ow: number, oh: number): Tensor {
  const dt = theta.dtype;
  const xs = expand(reshape(linspace(-ow * 0.5 + 0.5, ow * 0.5 + 0.5 - 1, ow, { dtype: dt }), [1, ow]), [oh, ow]);
  const ys = expand(reshape(linspace(-oh * 0.5 + 0.5, oh * 0.5 + 0.5 - 1, oh, { dtype: dt }), [oh, 1]), [oh, ow]);
  const base = stack([xs, ys, expand(tensor(1, { dtype: dt }), [oh, ow])], -1);
  const rescaled = div(theta.transpose(1, 2), tensor([0.5 * w, 0.5 * h], { dtype: dt }));
  return reshape(matmul(reshape(base, [1, oh * ow, 3]), rescaled), [1, oh, ow, 2]);
}

/** torchvision's _apply_grid_transform with its fill handling. */
function applyGrid(img: Tensor, grid: Tensor, mode: Interpolation, fill: number[] | null): Tensor {
  return castSqueeze(img, (x) => {
    const n = x.shape[0];
    const g = n > 1 ? expand(grid, [n, ...grid.shape.slice(1)]) : grid;
    // With a fill, a ones channel rides along and marks where the grid stayed inside the image.
    const src = fill !== null ? cat([x, add(mul(narrow(x, 1, 0, 1), 0), 1)], 1) : x;
    let y = gridSample(src, g, mode, "zeros", false);
    if (fill !== null) {
      const c = x.shape[1];
      const mask = expand(narrow(y, 1, c, 1), [n, c, y.shape[2], y.shape[3]]);
      y = narrow(y, 1, 0, c);
      const fillImg = expand(reshape(tensor(fill, { dtype: y.dtype }), [1, fill.length, 1, 1]), y.shape);
      y = mode === "nearest" ? where(lt(mask, 0.5), fillImg, y) : add(mul(y, mask), mul(sub(1, mask), fillImg));
    }
    return y;
  });
}
const fillList = (fill: number | number[] | null): number[] | null =>
  fill === null ? null : typeof fill === "number" ? [fill] : fill;

/** F.rotate(img, angle, interpolation = nearest, expand = false, center = null, fill = null). */
export function rotate(
  img: Tensor,
  angle: number,
  interpolation: Interpolation = "nearest",
  expandOut = false,
  center: number[] | null = null,
  fill: number | number[] | null = null,
): Tensor {
  const [h, w] = img.shape.slice(-2);
  const centerF = center === null ? [0, 0] : [center[0] - w * 0.5, center[1] - h * 0.5];
  const m = inverseAffineMatrix(centerF, -angle, [0, 0], 1, [0, 0]);
  let [ow, oh] = [w, h];
  if (expandOut) [ow, oh] = affineOutputSize(m, w, h);
  const dt = isFloatImg(img) ? img.dtype : "float32";
  const theta = reshape(tensor(m, { dtype: dt }), [1, 2, 3]);
  return applyGrid(img, affineGridTV(theta, w, h, ow, oh), interpolation, fillList(fill));
}

function affineOutputSize(m: number[], w: number, h: number): [number, number] {
  const f = Math.fround;
  const pts = [
    [-0.5 * w, -0.5 * h],
    [-0.5 * w, 0.5 * h],
    [0.5 * w, 0.5 * h],
    [0.5 * w, -0.5 * h],
  ];
  // Shifted to [0, w] x [0, h], as torchvision (and PIL) measure the rotated corners.
  const xs = pts.map(([x, y]) => f(f(f(f(m[0]) * x) + f(f(m[1]) * y) + f(m[2])) + f(w * 0.5)));
  const ys = pts.map(([x, y]) => f(f(f(f(m[3]) * x) + f(f(m[4]) * y) + f(m[5])) + f(h * 0.5)));
  const tol = 1e-4;
  const size = (vals: number[]) =>
    Math.ceil(f(Math.trunc(f(Math.max(...vals) / tol)) * tol)) -
    Math.floor(f(Math.trunc(f(Math.min(...vals) / tol)) * tol));
  return [Math.trunc(size(xs)), Math.trunc(size(ys))];
}

/** F.affine(img, angle, translate, scale, shear, interpolation = nearest, fill = null, center = null). */
export function affine(
  img: Tensor,
  angle: number,
  translate: number[],
  scale: number,
  shear: number | number[],
  interpolation: Interpolation = "nearest",
  fill: number | number[] | null = null,
  center: number[] | null = null,
): Tensor {
  const [h, w] = img.shape.slice(-2);
  const sh = typeof shear === "number" ? [shear, 0] : shear.length === 1 ? [shear[0], shear[0]] : shear;
  const centerF = center === null ? [0, 0] : [center[0] - w * 0.5, center[1] - h * 0.5];
  const m = inverseAffineMatrix(centerF, angle, translate.map(Number), scale, sh);
  const dt = isFloatImg(img) ? img.dtype : "float32";
  const theta = reshape(tensor(m, { dtype: dt }), [1, 2, 3]);
  return applyGrid(img, affineGridTV(theta, w, h, w, h), interpolation, fillList(fill));
}

/** F.erase(img, i, j, h, w, v): the [i:i+h, j:j+w] region replaced by v (a copy unless inplace). */
export function erase(
  img: Tensor,
  i: number,
  j: number,
  h: number,
  w: number,
  v: Tensor | number,
  inplace = false,
): Tensor {
  const out = inplace ? img : clone(img);
  const region = narrow(narrow(out, -2, i, h), -1, j, w);
  region.copy_(
    typeof v === "number"
      ? expand(tensor(v, { dtype: img.dtype }), region.shape)
      : expand(toDType(v, img.dtype), region.shape),
  );
  return out;
}

export const invert = (img: Tensor): Tensor =>
  isFloatImg(img) ? sub(1, img) : toDType(sub(255, toDType(img, "int32")), "uint8");

export function posterize(img: Tensor, bits: number): Tensor {
  if (img.dtype !== "uint8") throw new TypeError(`posterize: only uint8 tensors are supported, got ${img.dtype}`);
  const mask = -(2 ** (8 - bits)) & 0xff;
  return bitwiseAnd(img, mask);
}

export function solarize(img: Tensor, threshold: number): Tensor {
  if (threshold > bound(img)) throw new TypeError("solarize: threshold should be less than bound of img.");
  return where(ge(img, threshold), invert(img), img);
}

export function adjustSharpness(img: Tensor, factor: number): Tensor {
  if (img.shape[img.dim() - 1] <= 2 || img.shape[img.dim() - 2] <= 2) return img;
  const degenerate = castSqueeze(img, (x) => {
    const c = x.shape[1];
    const k = div(
      tensor(
        [
          [1, 1, 1],
          [1, 5, 1],
          [1, 1, 1],
        ],
        { dtype: x.dtype },
      ),
      13,
    );
    const w = contiguous(expand(reshape(k, [1, 1, 3, 3]), [c, 1, 3, 3]));
    const inner = conv2d(x, w, null, 1, 0, 1, c);
    // Border pixels keep the original values.
    return pad(inner, [1, 1, 1, 1]).add(mul(x, borderMask(x)));
  });
  return blend(img, degenerate, factor);
}
function borderMask(x: Tensor): Tensor {
  const [h, w] = x.shape.slice(-2);
  const m = new Float32Array(h * w).fill(1);
  for (let r = 1; r < h - 1; r++) for (let c = 1; c < w - 1; c++) m[r * w + c] = 0;
  return toDType(fromTypedArray(m, [h, w], "float32"), x.dtype);
}

export function autocontrast(img: Tensor): Tensor {
  const b = bound(img);
  const dt = isFloatImg(img) ? img.dtype : "float32";
  const minimum = toDType(amin(img, [-2, -1], true), dt),
    maximumV = toDType(amax(img, [-2, -1], true), dt);
  const scale0 = div(b, sub(maximumV, minimum));
  const bad = isfinite(scale0).logicalNot();
  const mn = where(bad, 0, minimum),
    scale = where(bad, 1, scale0);
  return toDType(clamp(mul(sub(toDType(img, dt), mn), scale), 0, b), img.dtype);
}

/** F.equalize on uint8 images: torchvision's per-channel histogram equalisation. */
export function equalize(img: Tensor): Tensor {
  if (img.dtype !== "uint8") throw new TypeError(`equalize: only uint8 tensors are supported, got ${img.dtype}`);
  const [h, w] = img.shape.slice(-2);
  const flat = contiguous(reshape(img, [-1, h * w]));
  const data = flat.typedArray() as Uint8Array;
  const out = new Uint8Array(data.length);
  const n = flat.shape[0],
    hw = h * w;
  for (let c = 0; c < n; c++) {
    const hist = new Array<number>(256).fill(0);
    for (let i = 0; i < hw; i++) hist[data[c * hw + i]]++;
    const nonzero = hist.filter((v) => v !== 0);
    const lastNonzero = nonzero[nonzero.length - 1] ?? 0;
    const step = Math.floor((hist.reduce((a, b) => a + b, 0) - lastNonzero) / 255);
    if (step === 0) {
      out.set(data.subarray(c * hw, (c + 1) * hw), c * hw);
      continue;
    }
    const lut = new Array<number>(256);
    let cum = Math.floor(step / 2);
    for (let v = 0; v < 256; v++) {
      lut[v] = Math.min(255, Math.max(0, Math.floor(cum / step)));
      cum += hist[v];
    }
    for (let i = 0; i < hw; i++) out[c * hw + i] = lut[data[c * hw + i]];
  }
  return fromTypedArray(out, img.shape, "uint8");
}

/** torchvision's _get_perspective_coeffs: the 8 coefficients mapping endpoints to startpoints (an 8x8 solve, float32 results). */
export function perspectiveCoeffs(startpoints: number[][], endpoints: number[][]): number[] {
  const A: number[][] = [],
    b: number[] = [];
  endpoints.forEach((p1, i) => {
    const p2 = startpoints[i];
    A.push([p1[0], p1[1], 1, 0, 0, 0, -p2[0] * p1[0], -p2[0] * p1[1]]);
    A.push([0, 0, 0, p1[0], p1[1], 1, -p2[1] * p1[0], -p2[1] * p1[1]]);
    b.push(p2[0], p2[1]);
  });
  // Gaussian elimination with partial pivoting (the system is square for four points).
  const n = 8;
  const M = A.map((row, i) => [...row.map(Math.fround), Math.fround(b[i])]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[piv][c])) piv = r;
    [M[c], M[piv]] = [M[piv], M[c]];
    for (let r = c + 1; r < n; r++) {
      const f = M[r][c] / M[c][c];
      for (let k = c; k <= n; k++) M[r][k] -= f * M[c][k];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = M[r][n];
    for (let k = r + 1; k < n; k++) s -= M[r][k] * x[k];
    x[r] = s / M[r][r];
  }
  return x.map(Math.fround);
}

/** F.perspective(img, startpoints, endpoints, interpolation = bilinear, fill = null) (torchvision's _perspective_grid). */
export function perspective(
  img: Tensor,
  startpoints: number[][],
  endpoints: number[][],
  interpolation: Interpolation = "bilinear",
  fill: number | number[] | null = null,
): Tensor {
  const c = perspectiveCoeffs(startpoints, endpoints);
  const [oh, ow] = img.shape.slice(-2);
  const dt = isFloatImg(img) ? img.dtype : "float32";
  const theta1 = tensor(
    [
      [
        [c[0], c[1], c[2]],
        [c[3], c[4], c[5]],
      ],
    ],
    { dtype: dt },
  );
  const theta2 = tensor(
    [
      [
        [c[6], c[7], 1],
        [c[6], c[7], 1],
      ],
    ],
    { dtype: dt },
  );
  const xs = expand(reshape(linspace(0.5, ow + 0.5 - 1, ow, { dtype: dt }), [1, ow]), [oh, ow]);
  const ys = expand(reshape(linspace(0.5, oh + 0.5 - 1, oh, { dtype: dt }), [oh, 1]), [oh, ow]);
  const base = reshape(stack([xs, ys, expand(tensor(1, { dtype: dt }), [oh, ow])], -1), [1, oh * ow, 3]);
  const g1 = matmul(base, div(theta1.transpose(1, 2), tensor([0.5 * ow, 0.5 * oh], { dtype: dt })));
  const g2 = matmul(base, theta2.transpose(1, 2));
  const grid = reshape(sub(div(g1, g2), 1), [1, oh, ow, 2]);
  return applyGrid(img, grid, interpolation, fillList(fill));
}

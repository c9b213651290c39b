// F.interpolate (nearest, nearest-exact, linear, bilinear, bicubic, trilinear, area) as PyTorch
// 1.13 computes it. Every mode is separable, so each spatial dim is resampled on its own: nearest
// picks rows with indexSelect; the others multiply by a [out, in] weight matrix whose rows hold
// PyTorch's interpolation weights (so gradients are the matmul's, exact and twice differentiable).
import { Tensor } from "../tensor.js";
import { DTypeError, NotImplementedError, ShapeError, ValueError, fmtShape } from "../errors.js";
import { matmul } from "./linalg.js";
import { indexSelect } from "./indexing.js";
import { permute } from "./view.js";
import { wrap } from "./util.js";

export type InterpolateMode = "nearest" | "nearest-exact" | "linear" | "bilinear" | "bicubic" | "trilinear" | "area";

export interface InterpolateOptions {
  size?: number | readonly number[] | null;
  scaleFactor?: number | readonly number[] | null;
  mode?: InterpolateMode;
  alignCorners?: boolean | null;
  recomputeScaleFactor?: boolean | null;
  antialias?: boolean;
}

const f32 = Math.fround;

/** PyTorch's area_pixel_compute_scale (in float32 arithmetic for float32 tensors, as its kernels). */
function pixelScale(
  inSize: number,
  outSize: number,
  alignCorners: boolean,
  scale: number | null,
  single: boolean,
): number {
  const r = single ? f32 : (v: number) => v;
  if (alignCorners) return outSize > 1 ? r((inSize - 1) / (outSize - 1)) : 0;
  return scale !== null && scale > 0 ? r(1 / scale) : r(inSize / outSize);
}

/** The [out, in] weights of linear (cubic = false) or bicubic (cubic = true) interpolation along one dim. */
function linearWeights(
  inSize: number,
  outSize: number,
  alignCorners: boolean,
  scale: number | null,
  cubic: boolean,
  single: boolean,
): Float64Array {
  const r = single ? f32 : (v: number) => v;
  const s = pixelScale(inSize, outSize, alignCorners, scale, single);
  const w = new Float64Array(outSize * inSize);
  for (let o = 0; o < outSize; o++) {
    let src = alignCorners ? r(s * o) : r(r(s * r(o + 0.5)) - 0.5);
    if (!cubic) {
      if (src < 0) src = 0;
      const i0 = Math.floor(src),
        i1 = i0 + (i0 < inSize - 1 ? 1 : 0);
      const l1 = r(src - i0),
        l0 = r(1 - l1);
      w[o * inSize + i0] += l0;
      w[o * inSize + i1] += l1;
    } else {
      const i0 = Math.floor(src),
        t = r(src - i0);
      const A = -0.75;
      const c1 = (x: number) => r(r(r(r(r(A + 2) * x) - (A + 3)) * x * x) + 1);
      const c2 = (x: number) => r(r(r(r(r(r(A * x) - 5 * A) * x) + 8 * A) * x) - 4 * A);
      const cs = [c2(r(t + 1)), c1(t), c1(r(1 - t)), c2(r(2 - t))];
      for (let k = 0; k < 4; k++) {
        const i = Math.min(Math.max(i0 - 1 + k, 0), inSize - 1);
        w[o * inSize + i] += cs[k];
      }
    }
  }
  return w;
}

/** Adaptive average pooling's [out, in] weights: window [floor(o*in/out), ceil((o+1)*in/out)). */
export function areaWeights(inSize: number, outSize: number): Float64Array {
  const w = new Float64Array(outSize * inSize);
  for (let o = 0; o < outSize; o++) {
    const a = Math.floor((o * inSize) / outSize),
      b = Math.ceil(((o + 1) * inSize) / outSize);
    for (let i = a; i < b; i++) w[o * inSize + i] = 1 / (b - a);
  }
  return w;
}

/** Nearest-neighbour source indices (PyTorch's nearest_idx / nearest_exact_idx, float32 arithmetic). */
function nearestIndex(inSize: number, outSize: number, scale: number | null, exact: boolean): Float64Array {
  const idx = new Float64Array(outSize);
  const s = scale !== null && scale > 0 ? f32(1 / scale) : f32(inSize / outSize);
  for (let o = 0; o < outSize; o++) {
    if (!exact && outSize === inSize) idx[o] = o;
    else if (!exact && outSize === 2 * inSize) idx[o] = o >> 1;
    else idx[o] = Math.min(Math.floor(f32((exact ? o + 0.5 : o) * s)), inSize - 1);
  }
  return idx;
}

/** Applies an [out, in] matrix along dim d of x. */
export function alongDim(x: Tensor, d: number, weights: Float64Array, outSize: number): Tensor {
  const inSize = x.shape[d];
  const order = [...Array(x.dim()).keys()].filter((i) => i !== d);
  order.push(d);
  const inv = new Array<number>(order.length);
  order.forEach((v, i) => (inv[v] = i));
  const wt = permute(
    wrap(x.dtype === "float32" ? Float32Array.from(weights) : weights, [outSize, inSize], x.dtype),
    [1, 0],
  );
  return permute(matmul(permute(x, order), wt), inv);
}

const LINEAR_DIMS: Partial<Record<InterpolateMode, number>> = { linear: 1, bilinear: 2, bicubic: 2, trilinear: 3 };

/** F.interpolate(input, size, scaleFactor, mode, alignCorners, recomputeScaleFactor, antialias). */
export function interpolate(input: Tensor, o: InterpolateOptions): Tensor {
  const mode = o.mode ?? "nearest";
  const nd = input.dim() - 2;
  if (nd < 1 || nd > 3)
    throw new ShapeError(
      `interpolate: expected a 3-D, 4-D or 5-D input (batch, channels, spatial…), got ${fmtShape(input.shape)}`,
    );
  // Nearest modes pick input elements, so PyTorch also resamples integer images (uint8) with them.
  const picks = mode === "nearest" || mode === "nearest-exact";
  if (input.dtype !== "float32" && input.dtype !== "float64" && !(picks && input.dtype !== "bool"))
    throw new DTypeError(`interpolate: expected a floating point input for mode '${mode}', got ${input.dtype}`);
  if (!(mode in LINEAR_DIMS) && !["nearest", "nearest-exact", "area"].includes(mode))
    throw new ValueError(`interpolate: unknown mode '${mode}'`);
  const isLinear = mode in LINEAR_DIMS;
  if (o.alignCorners !== undefined && o.alignCorners !== null && !isLinear) {
    throw new ValueError(
      "interpolate: align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear",
    );
  }
  if (isLinear && LINEAR_DIMS[mode] !== nd)
    throw new NotImplementedError(
      `interpolate: mode '${mode}' needs a ${(LINEAR_DIMS[mode] as number) + 2}-D input, got ${fmtShape(input.shape)}`,
    );
  if (o.antialias) throw new NotImplementedError("interpolate: antialias=True is not implemented");
  const alignCorners = o.alignCorners ?? false;
  const hasSize = o.size !== undefined && o.size !== null,
    hasScale = o.scaleFactor !== undefined && o.scaleFactor !== null;
  if (hasSize === hasScale)
    throw new ValueError(
      hasSize
        ? "interpolate: only one of size or scale_factor should be defined"
        : "interpolate: either size or scale_factor should be defined",
    );
  const spatial = input.shape.slice(2);
  const list = (v: number | readonly number[], what: string): number[] => {
    const l = typeof v === "number" ? new Array<number>(nd).fill(v) : [...v];
    if (l.length !== nd)
      throw new ValueError(
        `interpolate: ${what} shape must match input shape. Input is ${nd}D, ${what} is ${l.length}D`,
      );
    return l;
  };
  let outSizes: number[], scales: (number | null)[];
  if (hasSize) {
    outSizes = list(o.size as number | readonly number[], "size");
    scales = outSizes.map(() => null);
  } else {
    const sf = list(o.scaleFactor as number | readonly number[], "scale_factor");
    outSizes = spatial.map((s, i) => Math.floor(s * sf[i]));
    // recompute_scale_factor (and area mode, which always recomputes) drops the given scale.
    scales = o.recomputeScaleFactor || mode === "area" ? outSizes.map(() => null) : sf;
  }
  if (outSizes.some((s) => !(s > 0)))
    throw new ValueError(
      `interpolate: output size ${JSON.stringify(outSizes)} must be positive (input ${fmtShape(input.shape)})`,
    );
  const single = input.dtype === "float32";
  let x = input;
  // Last dim first, as PyTorch's separable kernels accumulate.
  for (let i = nd - 1; i >= 0; i--) {
    const d = i + 2,
      inS = spatial[i],
      outS = outSizes[i];
    if (mode === "nearest" || mode === "nearest-exact") {
      if (inS === outS && mode === "nearest") continue;
      x = indexSelect(x, d, wrap(nearestIndex(inS, outS, scales[i], mode === "nearest-exact"), [outS], "int64"));
    } else if (mode === "area") {
      if (inS !== outS) x = alongDim(x, d, areaWeights(inS, outS), outS);
    } else {
      x = alongDim(x, d, linearWeights(inS, outS, alignCorners, scales[i], mode === "bicubic", single), outS);
    }
  }
  return x === input ? permute(input, [...input.shape.keys()]) : x;
}

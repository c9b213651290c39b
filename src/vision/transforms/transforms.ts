// torchvision.transforms: composable, usable on images (HWC uint8, what datasets return) and on
// tensor images [..., C, H, W]. Random transforms draw through Flint's generator with the same
// calls as torchvision (torch.randint for crop offsets, torch.rand for flips), so a seed repeats them.
import { ArgumentError, DTypeError, ShapeError, ValueError } from "../../errors.js";
import { type Args, type ArgsOf, signature } from "../../internal/args.js";
import { Tensor, fromTypedArray } from "../../tensor.js";
import type { WorkerSpec } from "../../utils/data/worker-spec.js";
import { rand, randint } from "../../utils/data/rng.js";
import { isImage, type Image } from "../image.js";
import { applyTransform, type Transform } from "../datasets/vision.js";
import { TransformBase } from "./callable.js";
import { pilResize } from "./pil-resize.js";
import {
  crop,
  dimsOf,
  fromTensor,
  hflip,
  mapPixels,
  pad,
  padCrop,
  planeCount,
  resizeBilinear,
  roundHalfEven,
  toTensor,
  vflip,
  type PaddingMode,
} from "./planar.js";

const spec = (name: string, args: unknown[]): WorkerSpec => ({ module: import.meta.url, export: name, args });

function checkImage(x: unknown, op: string): Image {
  if (!isImage(x))
    throw new ValueError(
      `${op}: pic should be an Image { width, height, channels, data: Uint8Array }. Got ${x instanceof Tensor ? "Tensor" : typeof x}`,
    );
  return x;
}

/** Image (HWC uint8) -> float32 tensor [C, H, W] with values in [0, 1]. */
const toTensorArgs = signature<Record<never, never>>()("ToTensor", [], {});
const pilToTensorArgs = signature<Record<never, never>>()("PILToTensor", [], {});
const normalizeArgs = signature<{ mean: number[]; std: number[]; inplace?: boolean }>()(
  "Normalize",
  ["mean", "std", "inplace"],
  { inplace: false },
);

export class ToTensor extends TransformBase {
  constructor(...args: ArgsOf<typeof toTensorArgs>) {
    super();
    toTensorArgs.parse(args);
  }
  forward(pic: Image): Tensor {
    const im = checkImage(pic, "ToTensor");
    const { width: w, height: h, channels: c } = im;
    const out = new Float32Array(c * h * w);
    const src = im.data;
    const hw = h * w;
    for (let ch = 0; ch < c; ch++) {
      for (let i = 0, o = ch * hw; i < hw; i++) out[o + i] = src[i * c + ch] / 255;
    }
    return fromTypedArray(out, [c, h, w], "float32");
  }
  workerSpec(): WorkerSpec {
    return spec("ToTensor", []);
  }
}

/** Image (HWC uint8) -> uint8 tensor [C, H, W], values unchanged. */
export class PILToTensor extends TransformBase {
  constructor(...args: ArgsOf<typeof pilToTensorArgs>) {
    super();
    pilToTensorArgs.parse(args);
  }
  forward(pic: Image): Tensor {
    const im = checkImage(pic, "PILToTensor");
    const { width: w, height: h, channels: c } = im;
    const out = new Uint8Array(c * h * w);
    for (let ch = 0; ch < c; ch++) {
      for (let i = 0; i < h * w; i++) out[ch * h * w + i] = im.data[i * c + ch];
    }
    return fromTypedArray(out, [c, h, w], "uint8");
  }
  workerSpec(): WorkerSpec {
    return spec("PILToTensor", []);
  }
}

/** (x - mean[c]) / std[c] per channel of a float tensor [..., C, H, W]. */
export class Normalize extends TransformBase {
  readonly mean: number[];
  readonly std: number[];
  readonly inplace: boolean;
  constructor(...args: ArgsOf<typeof normalizeArgs>) {
    super();
    const { mean, std, ...options } = normalizeArgs.parse(args);
    this.mean = [...mean];
    this.std = [...std];
    this.inplace = options.inplace ?? false;
  }
  forward(t: Tensor): Tensor {
    if (!(t instanceof Tensor)) throw new ValueError(`Normalize: img should be Tensor. Got ${typeof t}`);
    if (!t.isFloatingPoint()) throw new DTypeError(`Normalize: Input tensor should be a float tensor. Got ${t.dtype}.`);
    if (t.dim() < 3)
      throw new ShapeError(
        `Normalize: Expected tensor to be a tensor image of size (..., C, H, W). Got tensor.size() = [${t.shape.join(", ")}]`,
      );
    const c = t.shape[t.dim() - 3];
    const round = t.dtype === "float32" ? Math.fround : (v: number) => v;
    const mean = this.mean.map(round);
    const std = this.std.map(round);
    if (std.some((s) => s === 0))
      throw new ValueError(
        `Normalize: std evaluated to zero after conversion to ${t.dtype}, leading to division by zero.`,
      );
    const pick = (a: number[], ch: number, what: string) => {
      if (a.length !== 1 && a.length !== c)
        throw new ShapeError(`Normalize: ${what} has ${a.length} values for ${c} channels`);
      return a.length === 1 ? a[0] : a[ch];
    };
    const p = fromTensor(t, "Normalize");
    const hw = p.h * p.w;
    const planes = planeCount(p);
    const means = Array.from({ length: c }, (_, ch) => pick(mean, ch, "mean"));
    const stds = Array.from({ length: c }, (_, ch) => pick(std, ch, "std"));
    if (p.data instanceof Float32Array) normalize32(p.data, planes, hw, c, means, stds);
    else normalize64(p.data as Float64Array, planes, hw, c, means, stds);
    if (this.inplace) {
      t.copy_(toTensor(p));
      return t;
    }
    return toTensor(p);
  }
  workerSpec(): WorkerSpec {
    return spec("Normalize", [this.mean, this.std, { inplace: this.inplace }]);
  }
}

// In float32 as torchvision's tensor.sub_(mean).div_(std): each step rounded to float32.
function normalize32(d: Float32Array, planes: number, hw: number, c: number, means: number[], stds: number[]): void {
  for (let k = 0; k < planes; k++) {
    const m = means[k % c];
    const s = stds[k % c];
    for (let i = k * hw, end = (k + 1) * hw; i < end; i++) d[i] = Math.fround(d[i] - m) / s;
  }
}

function normalize64(d: Float64Array, planes: number, hw: number, c: number, means: number[], stds: number[]): void {
  for (let k = 0; k < planes; k++) {
    const m = means[k % c];
    const s = stds[k % c];
    for (let i = k * hw, end = (k + 1) * hw; i < end; i++) d[i] = (d[i] - m) / s;
  }
}

/** Size argument: an int (square, or the smaller edge for Resize) or [h, w]. */
export type Size = number | [number] | [number, number] | number[];

function pairSize(size: Size, op: string): [number, number] {
  if (typeof size === "number") return [size, size];
  if (size.length === 1) return [size[0], size[0]];
  if (size.length === 2) return [size[0], size[1]];
  throw new ValueError(`${op}: Please provide only two dimensions (h, w) for size, got [${size.join(", ")}]`);
}

/** int -> all sides; [lr, tb]; [l, t, r, b]. */
function padLtrb(padding: number | number[]): [number, number, number, number] {
  if (typeof padding === "number") return [padding, padding, padding, padding];
  if (padding.length === 1) return [padding[0], padding[0], padding[0], padding[0]];
  if (padding.length === 2) return [padding[0], padding[1], padding[0], padding[1]];
  if (padding.length === 4) return [padding[0], padding[1], padding[2], padding[3]];
  throw new ValueError(
    `Padding must be an int or a 1, 2, or 4 element sequence, not a ${padding.length} element sequence`,
  );
}

export interface RandomCropOptions {
  padding?: number | number[] | null;
  padIfNeeded?: boolean;
  fill?: number;
  paddingMode?: PaddingMode;
}

/** Crops a random [h, w] window, after optional padding. */
const randomCropArgs = signature<RandomCropOptions & { size: Size }>()(
  "RandomCrop",
  ["size", "padding", "padIfNeeded", "fill", "paddingMode"],
  { padding: null, padIfNeeded: false, fill: 0, paddingMode: "constant" },
);

export class RandomCrop extends TransformBase {
  readonly size: [number, number];
  readonly padding: number | number[] | null;
  readonly padIfNeeded: boolean;
  readonly fill: number;
  readonly paddingMode: PaddingMode;
  constructor(...args: ArgsOf<typeof randomCropArgs>) {
    super();
    const { size, ...options } = randomCropArgs.parse(args);
    this.size = pairSize(size, "RandomCrop");
    this.padding = options.padding ?? null;
    this.padIfNeeded = options.padIfNeeded ?? false;
    this.fill = options.fill ?? 0;
    this.paddingMode = options.paddingMode ?? "constant";
  }

  /** torchvision's get_params: [top, left, h, w] for an image of [h, w]. */
  static getParams(dims: [number, number], outputSize: [number, number]): [number, number, number, number] {
    const [h, w] = dims;
    const [th, tw] = outputSize;
    if (h + 1 < th || w + 1 < tw)
      throw new ShapeError(
        `RandomCrop: Required crop size (${th}, ${tw}) is larger than input image size (${h}, ${w})`,
      );
    if (w === tw && h === th) return [0, 0, h, w];
    const i = randint(0, h - th + 1, 1)[0];
    const j = randint(0, w - tw + 1, 1)[0];
    return [i, j, th, tw];
  }

  forward<X extends Image | Tensor>(img: X): X {
    return mapPixels(img, "RandomCrop", (p0) => {
      const ltrb = this.padding !== null ? padLtrb(this.padding) : null;
      const ph = p0.h + (ltrb === null ? 0 : ltrb[1] + ltrb[3]);
      const pw = p0.w + (ltrb === null ? 0 : ltrb[0] + ltrb[2]);
      if (!this.padIfNeeded || (pw >= this.size[1] && ph >= this.size[0])) {
        // The usual case: one pass, padding folded into the crop.
        const [i, j, h, w] = RandomCrop.getParams([ph, pw], this.size);
        return padCrop(p0, ltrb ?? [0, 0, 0, 0], this.fill, this.paddingMode, i, j, h, w, "RandomCrop");
      }
      let p = p0;
      if (ltrb !== null) p = pad(p, ltrb, this.fill, this.paddingMode, "RandomCrop");
      if (p.w < this.size[1]) p = pad(p, padLtrb([this.size[1] - p.w, 0]), this.fill, this.paddingMode, "RandomCrop");
      if (p.h < this.size[0]) p = pad(p, padLtrb([0, this.size[0] - p.h]), this.fill, this.paddingMode, "RandomCrop");
      const [i, j, h, w] = RandomCrop.getParams([p.h, p.w], this.size);
      return crop(p, i, j, h, w);
    });
  }
  workerSpec(): WorkerSpec {
    return spec("RandomCrop", [
      this.size,
      { padding: this.padding, padIfNeeded: this.padIfNeeded, fill: this.fill, paddingMode: this.paddingMode },
    ]);
  }
}

/** Pads the borders: int (all sides), [left/right, top/bottom] or [left, top, right, bottom]. */
const padArgs = signature<{ padding: number | number[]; fill?: number; paddingMode?: PaddingMode }>()(
  "Pad",
  ["padding", "fill", "paddingMode"],
  { fill: 0, paddingMode: "constant" },
);
const flipArgs = signature<{ p?: number }>()("RandomHorizontalFlip", ["p"], { p: 0.5 });
const vflipArgs = flipArgs.as("RandomVerticalFlip");
const centerCropArgs = signature<{ size: Size }>()("CenterCrop", ["size"], {});

export class Pad extends TransformBase {
  readonly padding: number | number[];
  readonly fill: number;
  readonly paddingMode: PaddingMode;
  constructor(...args: ArgsOf<typeof padArgs>) {
    super();
    const { padding, ...options } = padArgs.parse(args);
    padLtrb(padding);
    this.padding = padding;
    this.fill = options.fill ?? 0;
    this.paddingMode = options.paddingMode ?? "constant";
  }
  forward<X extends Image | Tensor>(img: X): X {
    return mapPixels(img, "Pad", (p) => pad(p, padLtrb(this.padding), this.fill, this.paddingMode, "Pad"));
  }
  workerSpec(): WorkerSpec {
    return spec("Pad", [this.padding, { fill: this.fill, paddingMode: this.paddingMode }]);
  }
}

/** Flips left-right with probability p (one torch.rand draw per call). */
export class RandomHorizontalFlip extends TransformBase {
  readonly p: number;
  constructor(...args: ArgsOf<typeof flipArgs>) {
    super();
    this.p = flipArgs.parse(args).p;
  }
  forward<X extends Image | Tensor>(img: X): X {
    if (rand(1)[0] < this.p) return mapPixels(img, "RandomHorizontalFlip", hflip);
    return img;
  }
  workerSpec(): WorkerSpec {
    return spec("RandomHorizontalFlip", [this.p]);
  }
}

/** Flips top-bottom with probability p. */
export class RandomVerticalFlip extends TransformBase {
  readonly p: number;
  constructor(...args: ArgsOf<typeof vflipArgs>) {
    super();
    this.p = vflipArgs.parse(args).p;
  }
  forward<X extends Image | Tensor>(img: X): X {
    if (rand(1)[0] < this.p) return mapPixels(img, "RandomVerticalFlip", vflip);
    return img;
  }
  workerSpec(): WorkerSpec {
    return spec("RandomVerticalFlip", [this.p]);
  }
}

/** Crops the center [h, w] (zero-padding first when the image is smaller). */
export class CenterCrop extends TransformBase {
  readonly size: [number, number];
  constructor(...args: ArgsOf<typeof centerCropArgs>) {
    super();
    this.size = pairSize(centerCropArgs.parse(args).size, "CenterCrop");
  }
  forward<X extends Image | Tensor>(img: X): X {
    const [ch, cw] = this.size;
    return mapPixels(img, "CenterCrop", (p0) => {
      let p = p0;
      if (cw > p.w || ch > p.h) {
        const ltrb: [number, number, number, number] = [
          cw > p.w ? Math.floor((cw - p.w) / 2) : 0,
          ch > p.h ? Math.floor((ch - p.h) / 2) : 0,
          cw > p.w ? Math.floor((cw - p.w + 1) / 2) : 0,
          ch > p.h ? Math.floor((ch - p.h + 1) / 2) : 0,
        ];
        p = pad(p, ltrb, 0, "constant");
        if (cw === p.w && ch === p.h) return p;
      }
      // Python's round() (half to even) of the centered offsets.
      const top = roundHalfEven((p.h - ch) / 2);
      const left = roundHalfEven((p.w - cw) / 2);
      return crop(p, top, left, ch, cw);
    });
  }
  workerSpec(): WorkerSpec {
    return spec("CenterCrop", [this.size]);
  }
}

export interface ResizeOptions {
  /** "bilinear" (torchvision's default); "bicubic" for Images (Pillow's filter). */
  interpolation?: "bilinear" | "bicubic";
  maxSize?: number | null;
  /** Only false/null: the tensor path without antialiasing. */
  antialias?: boolean | null;
}

/** torchvision's _compute_resized_output_size: [newH, newW]. */
export function resizedOutputSize(h: number, w: number, size: Size, maxSize: number | null): [number, number] {
  if (typeof size === "number" || size.length === 1) {
    const requested = typeof size === "number" ? size : size[0];
    const [short, long] = w <= h ? [w, h] : [h, w];
    let newShort = requested;
    let newLong = Math.trunc((requested * long) / short);
    if (maxSize !== null) {
      if (maxSize <= requested) {
        throw new ValueError(
          `Resize: max_size = ${maxSize} must be strictly greater than the requested size for the smaller edge size = ${requested}`,
        );
      }
      if (newLong > maxSize) {
        newShort = Math.trunc((maxSize * newShort) / newLong);
        newLong = maxSize;
      }
    }
    return w <= h ? [newLong, newShort] : [newShort, newLong];
  }
  if (maxSize !== null)
    throw new ValueError("Resize: maxSize should only be passed if size specifies the length of the smaller edge");
  return [size[0], (size as [number, number])[1]];
}

const resizeArgs = signature<ResizeOptions & { size: Size }>()(
  "Resize",
  ["size", "interpolation", "maxSize", "antialias"],
  { interpolation: "bilinear", maxSize: null, antialias: null },
);
const LAMBDA_NAMES = ["lambd"] as const;
const lambdaArgs = signature<{ lambd: (x: unknown) => unknown }>()("Lambda", LAMBDA_NAMES, {});
const COMPOSE_NAMES = ["transforms"] as const;
const composeArgs = signature<{ transforms: Transform<never, unknown>[] }>()("Compose", COMPOSE_NAMES, {});

/**
 * Resize to [h, w], or the smaller edge to `size` keeping the aspect ratio. As torchvision: an
 * Image (a dataset's PIL image) is resized by Pillow's antialiased filters; a tensor by the
 * tensor path (bilinear, antialias=False).
 */
export class Resize extends TransformBase {
  readonly size: Size;
  readonly maxSize: number | null;
  readonly interpolation: "bilinear" | "bicubic";
  constructor(...args: ArgsOf<typeof resizeArgs>) {
    super();
    const { size, ...options } = resizeArgs.parse(args);
    const interp = options.interpolation ?? "bilinear";
    if (interp !== "bilinear" && interp !== "bicubic")
      throw new ArgumentError(`Resize: only bilinear and bicubic interpolation are implemented, got ${String(interp)}`);
    if (options.antialias === true)
      throw new ArgumentError(
        "Resize: antialias=True is not implemented for tensors (the tensor path's antialias=False is; Images are always antialiased, as PIL's)",
      );
    this.size = typeof size === "number" ? size : [...size];
    this.maxSize = options.maxSize ?? null;
    this.interpolation = interp;
  }
  forward<X extends Image | Tensor>(img: X): X {
    const [h, w] = dimsOf(img);
    const [oh, ow] = resizedOutputSize(h, w, this.size, this.maxSize);
    if (!(img instanceof Tensor)) return pilResize(img as Image, oh, ow, this.interpolation) as X;
    if (this.interpolation !== "bilinear")
      throw new Error("Resize: bicubic interpolation of tensors is not implemented (Images are)");
    return mapPixels(img, "Resize", (p) => resizeBilinear(p, oh, ow));
  }
  workerSpec(): WorkerSpec {
    return spec("Resize", [this.size, { maxSize: this.maxSize, interpolation: this.interpolation }]);
  }
}

/** Applies a function (in worker threads it is re-created from its source: no captured variables). */
export class Lambda<I = unknown, O = unknown> extends TransformBase {
  readonly lambd: (x: I) => O;
  constructor(...args: Args<{ lambd: (x: I) => O }, typeof LAMBDA_NAMES>) {
    super();
    const { lambd } = lambdaArgs.parse(args) as { lambd: (x: I) => O };
    if (typeof lambd !== "function")
      throw new ArgumentError(`Lambda: Argument lambd should be callable, got ${typeof lambd}`);
    this.lambd = lambd;
  }
  forward(x: I): O {
    return this.lambd(x);
  }
  workerSpec(): WorkerSpec {
    return spec("Lambda", [this.lambd]);
  }
}

/** Applies transforms in order. */
export class Compose<I = Image, O = Tensor> extends TransformBase {
  readonly transforms: Transform<never, unknown>[];
  constructor(...args: ArgsOf<typeof composeArgs>) {
    super();
    this.transforms = [...composeArgs.parse(args).transforms];
  }
  forward(x: I): O {
    let v: unknown = x;
    for (const t of this.transforms) v = applyTransform(t as Transform<unknown, unknown>, v);
    return v as O;
  }
  workerSpec(): WorkerSpec {
    return spec("Compose", [this.transforms]);
  }
}

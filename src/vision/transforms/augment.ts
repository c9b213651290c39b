// The random augmentation transforms of torchvision 0.14 (ColorJitter, Grayscale,
// RandomGrayscale, GaussianBlur, RandomRotation, RandomAffine, RandomResizedCrop, RandomErasing),
// drawing their parameters with the same torch calls in the same order as torchvision (so a
// seed repeats PyTorch's choices), and applying transforms.functional's tensor-path ops.
import { Tensor } from "../../tensor.js";
import { ValueError } from "../../errors.js";
import { empty, tensor } from "../../ops/creation.js";
import { rand, randint, randn, randperm } from "../../ops/random.js";
import { exp, log } from "../../ops/unary.js";
import type { Image } from "../image.js";
import type { WorkerSpec } from "../../utils/data/worker-spec.js";
import { TransformBase } from "./callable.js";
import { crop, mapPixels, resizeBilinear, roundHalfEven } from "./planar.js";
import * as TF from "./functional-tensor.js";
import { type Interpolation, onTensor } from "./functional-tensor.js";

type TImage = Tensor | Image;
const spec = (name: string, args: unknown[]): WorkerSpec => ({ module: import.meta.url, export: name, args });
/** float(torch.empty(1).uniform_(a, b)): one float32 draw, as a JS number. */
const uniform = (a: number, b: number): number => empty(1).uniform_(a, b).item() as number;
const coin = (p: number): boolean => (rand(1).item() as number) < p;
const numChannels = (img: TImage): number => (img instanceof Tensor ? img.shape[img.dim() - 3] : img.channels);
const dims = (img: TImage): [number, number] =>
  img instanceof Tensor ? [img.shape[img.dim() - 2], img.shape[img.dim() - 1]] : [img.height, img.width];

type Range = [number, number];
function checkRange(
  value: number | number[],
  name: string,
  center = 1,
  bound: Range = [0, Infinity],
  clipFirstOnZero = true,
): Range | null {
  let v: Range;
  if (typeof value === "number") {
    if (value < 0) throw new ValueError(`If ${name} is a single number, it must be non negative.`);
    v = [center - value, center + value];
    if (clipFirstOnZero) v[0] = Math.max(v[0], 0);
  } else if (value.length === 2) {
    v = [value[0], value[1]];
    if (!(bound[0] <= v[0] && v[0] <= v[1] && v[1] <= bound[1]))
      throw new ValueError(`${name} values should be between [${bound}], but got ${JSON.stringify(value)}.`);
  } else throw new TypeError(`${name} should be a single number or a list/tuple with length 2.`);
  return v[0] === v[1] && v[0] === center ? null : v;
}

/** transforms.ColorJitter(brightness = 0, contrast = 0, saturation = 0, hue = 0). */
export class ColorJitter extends TransformBase {
  readonly brightness: Range | null;
  readonly contrast: Range | null;
  readonly saturation: Range | null;
  readonly hue: Range | null;
  constructor(
    brightness: number | number[] = 0,
    contrast: number | number[] = 0,
    saturation: number | number[] = 0,
    hue: number | number[] = 0,
  ) {
    super();
    this.brightness = checkRange(brightness, "brightness");
    this.contrast = checkRange(contrast, "contrast");
    this.saturation = checkRange(saturation, "saturation");
    this.hue = checkRange(hue, "hue", 0, [-0.5, 0.5], false);
  }
  /** [order, b, c, s, h] as torchvision's get_params (randperm(4), then one uniform per set range). */
  static getParams(
    b: Range | null,
    c: Range | null,
    s: Range | null,
    h: Range | null,
  ): [number[], number | null, number | null, number | null, number | null] {
    const order = Array.from(randperm(4).typedArray(), Number);
    const draw = (r: Range | null) => (r === null ? null : uniform(r[0], r[1]));
    return [order, draw(b), draw(c), draw(s), draw(h)];
  }
  forward<X extends TImage>(img: X): X {
    const [order, b, c, s, h] = ColorJitter.getParams(this.brightness, this.contrast, this.saturation, this.hue);
    return onTensor(img, (t0) => {
      let t = t0;
      for (const id of order) {
        if (id === 0 && b !== null) t = TF.adjustBrightness(t, b);
        else if (id === 1 && c !== null) t = TF.adjustContrast(t, c);
        else if (id === 2 && s !== null) t = TF.adjustSaturation(t, s);
        else if (id === 3 && h !== null) t = TF.adjustHue(t, h);
      }
      return t;
    });
  }
  workerSpec(): WorkerSpec {
    return spec("ColorJitter", [this.brightness ?? 0, this.contrast ?? 0, this.saturation ?? 0, this.hue ?? 0]);
  }
}

/** transforms.Grayscale(numOutputChannels = 1). */
export class Grayscale extends TransformBase {
  constructor(readonly numOutputChannels = 1) {
    super();
  }
  forward<X extends TImage>(img: X): X {
    return onTensor(img, (t) => TF.rgbToGrayscale(t, this.numOutputChannels));
  }
  workerSpec(): WorkerSpec {
    return spec("Grayscale", [this.numOutputChannels]);
  }
}

/** transforms.RandomGrayscale(p = 0.1): keeps the channel count. */
export class RandomGrayscale extends TransformBase {
  constructor(readonly p = 0.1) {
    super();
  }
  forward<X extends TImage>(img: X): X {
    const c = numChannels(img);
    return coin(this.p) ? onTensor(img, (t) => TF.rgbToGrayscale(t, c)) : img;
  }
  workerSpec(): WorkerSpec {
    return spec("RandomGrayscale", [this.p]);
  }
}

/** transforms.GaussianBlur(kernelSize, sigma = [0.1, 2.0]). */
export class GaussianBlur extends TransformBase {
  readonly kernelSize: [number, number];
  readonly sigma: Range;
  constructor(kernelSize: number | number[], sigma: number | number[] = [0.1, 2.0]) {
    super();
    const k =
      typeof kernelSize === "number"
        ? [kernelSize, kernelSize]
        : kernelSize.length === 1
          ? [kernelSize[0], kernelSize[0]]
          : kernelSize;
    if (k.some((v) => v <= 0 || v % 2 === 0))
      throw new ValueError("Kernel size value should be an odd and positive number.");
    this.kernelSize = [k[0], k[1]];
    const s = typeof sigma === "number" ? [sigma, sigma] : sigma;
    if (typeof sigma === "number" && sigma <= 0)
      throw new ValueError("If sigma is a single number, it must be positive.");
    if (!(0 < s[0] && s[0] <= s[1]))
      throw new ValueError("sigma values should be positive and of the form (min, max).");
    this.sigma = [s[0], s[1]];
  }
  static getParams(sigmaMin: number, sigmaMax: number): number {
    return uniform(sigmaMin, sigmaMax);
  }
  forward<X extends TImage>(img: X): X {
    const s = GaussianBlur.getParams(this.sigma[0], this.sigma[1]);
    return onTensor(img, (t) => TF.gaussianBlur(t, this.kernelSize, [s, s]));
  }
  workerSpec(): WorkerSpec {
    return spec("GaussianBlur", [this.kernelSize, this.sigma]);
  }
}

const degreesRange = (d: number | number[], name: string): Range => {
  if (typeof d === "number") {
    if (d < 0) throw new ValueError(`If ${name} is a single number, it must be positive.`);
    return [-d, d];
  }
  if (d.length !== 2) throw new ValueError(`If ${name} is a sequence, it must be of len 2.`);
  return [d[0], d[1]];
};
const fillFor = (fill: number | number[], c: number): number[] =>
  typeof fill === "number" ? new Array<number>(c).fill(fill) : [...fill];

export interface RandomRotationOptions {
  interpolation?: Interpolation;
  expand?: boolean;
  center?: number[] | null;
  fill?: number | number[];
}
/** transforms.RandomRotation(degrees, interpolation = nearest, expand = false, center = null, fill = 0). */
export class RandomRotation extends TransformBase {
  readonly degrees: Range;
  readonly interpolation: Interpolation;
  readonly expand: boolean;
  readonly center: number[] | null;
  readonly fill: number | number[];
  constructor(degrees: number | number[], o: RandomRotationOptions = {}) {
    super();
    this.degrees = degreesRange(degrees, "degrees");
    [this.interpolation, this.expand, this.center, this.fill] = [
      o.interpolation ?? "nearest",
      o.expand ?? false,
      o.center ?? null,
      o.fill ?? 0,
    ];
  }
  static getParams(degrees: Range): number {
    return uniform(degrees[0], degrees[1]);
  }
  forward<X extends TImage>(img: X): X {
    const fill = fillFor(this.fill, numChannels(img));
    const angle = RandomRotation.getParams(this.degrees);
    return onTensor(img, (t) => TF.rotate(t, angle, this.interpolation, this.expand, this.center, fill));
  }
  workerSpec(): WorkerSpec {
    return spec("RandomRotation", [
      this.degrees,
      { interpolation: this.interpolation, expand: this.expand, center: this.center, fill: this.fill },
    ]);
  }
}

export interface RandomAffineOptions {
  translate?: number[] | null;
  scale?: number[] | null;
  shear?: number | number[] | null;
  interpolation?: Interpolation;
  fill?: number | number[];
  center?: number[] | null;
}
/** transforms.RandomAffine(degrees, translate, scale, shear, interpolation = nearest, fill = 0, center). */
export class RandomAffine extends TransformBase {
  readonly degrees: Range;
  readonly translate: number[] | null;
  readonly scale: number[] | null;
  readonly shear: number[] | null;
  readonly interpolation: Interpolation;
  readonly fill: number | number[];
  readonly center: number[] | null;
  constructor(degrees: number | number[], o: RandomAffineOptions = {}) {
    super();
    this.degrees = degreesRange(degrees, "degrees");
    this.translate = o.translate ?? null;
    this.scale = o.scale ?? null;
    const sh = o.shear ?? null;
    this.shear = sh === null ? null : typeof sh === "number" ? [-sh, sh] : [...sh];
    [this.interpolation, this.fill, this.center] = [o.interpolation ?? "nearest", o.fill ?? 0, o.center ?? null];
  }
  /** [angle, [tx, ty], scale, [shearX, shearY]] with torchvision's draws; imgSize is [width, height]. */
  static getParams(
    degrees: Range,
    translate: number[] | null,
    scaleRanges: number[] | null,
    shears: number[] | null,
    imgSize: [number, number],
  ): [number, [number, number], number, [number, number]] {
    const angle = uniform(degrees[0], degrees[1]);
    let t: [number, number] = [0, 0];
    if (translate !== null) {
      const maxDx = translate[0] * imgSize[0],
        maxDy = translate[1] * imgSize[1];
      t = [Math.trunc(roundHalfEven(uniform(-maxDx, maxDx))), Math.trunc(roundHalfEven(uniform(-maxDy, maxDy)))];
    }
    const scale = scaleRanges !== null ? uniform(scaleRanges[0], scaleRanges[1]) : 1;
    let sx = 0,
      sy = 0;
    if (shears !== null) {
      sx = uniform(shears[0], shears[1]);
      if (shears.length === 4) sy = uniform(shears[2], shears[3]);
    }
    return [angle, t, scale, [sx, sy]];
  }
  forward<X extends TImage>(img: X): X {
    const fill = fillFor(this.fill, numChannels(img));
    const [h, w] = dims(img);
    const [angle, t, scale, shear] = RandomAffine.getParams(this.degrees, this.translate, this.scale, this.shear, [
      w,
      h,
    ]);
    return onTensor(img, (x) => TF.affine(x, angle, t, scale, shear, this.interpolation, fill, this.center));
  }
  workerSpec(): WorkerSpec {
    return spec("RandomAffine", [
      this.degrees,
      {
        translate: this.translate,
        scale: this.scale,
        shear: this.shear,
        interpolation: this.interpolation,
        fill: this.fill,
        center: this.center,
      },
    ]);
  }
}

/** [log(ratio[0]), log(ratio[1])] as float32 values, as torch.log(torch.tensor(ratio)). */
const logRatio = (ratio: Range): Range => {
  const l = log(tensor(ratio, { dtype: "float32" })).typedArray();
  return [l[0], l[1]];
};
const expF32 = (v: number): number => exp(tensor([v], { dtype: "float32" })).item() as number;

export interface RandomResizedCropOptions {
  scale?: Range;
  ratio?: Range;
  interpolation?: "bilinear";
  antialias?: boolean | null;
}
/** transforms.RandomResizedCrop(size, scale = [0.08, 1], ratio = [3/4, 4/3]) (bilinear, the tensor path's resize). */
export class RandomResizedCrop extends TransformBase {
  readonly size: [number, number];
  readonly scale: Range;
  readonly ratio: Range;
  constructor(size: number | number[], o: RandomResizedCropOptions = {}) {
    super();
    const s = typeof size === "number" ? [size, size] : size.length === 1 ? [size[0], size[0]] : size;
    this.size = [s[0], s[1]];
    this.scale = o.scale ?? [0.08, 1.0];
    this.ratio = o.ratio ?? [3 / 4, 4 / 3];
    if ((o.interpolation ?? "bilinear") !== "bilinear")
      throw new ValueError("RandomResizedCrop: only bilinear interpolation is implemented");
    if (o.antialias === true) throw new ValueError("RandomResizedCrop: antialias=True is not implemented");
  }
  /** [top, left, height, width] as torchvision's get_params. */
  static getParams(imgDims: [number, number], scale: Range, ratio: Range): [number, number, number, number] {
    const [height, width] = imgDims;
    const area = height * width;
    const lr = logRatio(ratio);
    for (let k = 0; k < 10; k++) {
      const targetArea = area * uniform(scale[0], scale[1]);
      const aspect = expF32(uniform(lr[0], lr[1]));
      const w = roundHalfEven(Math.sqrt(targetArea * aspect)),
        h = roundHalfEven(Math.sqrt(targetArea / aspect));
      if (0 < w && w <= width && 0 < h && h <= height) {
        const i = randint(0, height - h + 1, [1]).item() as number;
        const j = randint(0, width - w + 1, [1]).item() as number;
        return [i, j, h, w];
      }
    }
    const inRatio = width / height;
    let w: number, h: number;
    if (inRatio < Math.min(...ratio)) {
      w = width;
      h = roundHalfEven(w / Math.min(...ratio));
    } else if (inRatio > Math.max(...ratio)) {
      h = height;
      w = roundHalfEven(h * Math.max(...ratio));
    } else {
      w = width;
      h = height;
    }
    return [Math.floor((height - h) / 2), Math.floor((width - w) / 2), h, w];
  }
  forward<X extends TImage>(img: X): X {
    const [i, j, h, w] = RandomResizedCrop.getParams(dims(img), this.scale, this.ratio);
    return mapPixels(img as Image | Tensor, "RandomResizedCrop", (p) =>
      resizeBilinear(crop(p, i, j, h, w), this.size[0], this.size[1]),
    ) as X;
  }
  workerSpec(): WorkerSpec {
    return spec("RandomResizedCrop", [this.size, { scale: this.scale, ratio: this.ratio }]);
  }
}

export interface RandomErasingOptions {
  p?: number;
  scale?: Range;
  ratio?: Range;
  value?: number | number[] | "random";
  inplace?: boolean;
}
/** transforms.RandomErasing(p = 0.5, scale = [0.02, 0.33], ratio = [0.3, 3.3], value = 0, inplace = false), on tensors. */
export class RandomErasing extends TransformBase {
  readonly p: number;
  readonly scale: Range;
  readonly ratio: Range;
  readonly value: number | number[] | "random";
  readonly inplace: boolean;
  constructor(o: RandomErasingOptions = {}) {
    super();
    [this.p, this.scale, this.ratio, this.value, this.inplace] = [
      o.p ?? 0.5,
      o.scale ?? [0.02, 0.33],
      o.ratio ?? [0.3, 3.3],
      o.value ?? 0,
      o.inplace ?? false,
    ];
    if (this.p < 0 || this.p > 1) throw new ValueError("Random erasing probability should be between 0 and 1");
  }
  /** [i, j, h, w, v] as torchvision's get_params (v null: erase with the image itself, i.e. no-op). */
  static getParams(
    img: Tensor,
    scale: Range,
    ratio: Range,
    value: number[] | null,
  ): [number, number, number, number, Tensor | null] {
    const [c, imgH, imgW] = img.shape.slice(-3);
    const area = imgH * imgW;
    const lr = logRatio(ratio);
    for (let k = 0; k < 10; k++) {
      const eraseArea = area * uniform(scale[0], scale[1]);
      const aspect = expF32(uniform(lr[0], lr[1]));
      const h = roundHalfEven(Math.sqrt(eraseArea * aspect)),
        w = roundHalfEven(Math.sqrt(eraseArea / aspect));
      if (!(h < imgH && w < imgW)) continue;
      const v = value === null ? randn([c, h, w]) : tensor(value, { dtype: "float32" }).reshape(-1, 1, 1);
      const i = randint(0, imgH - h + 1, [1]).item() as number;
      const j = randint(0, imgW - w + 1, [1]).item() as number;
      return [i, j, h, w, v];
    }
    return [0, 0, imgH, imgW, null];
  }
  forward(img: Tensor): Tensor {
    if (!coin(this.p)) return img;
    const value = this.value === "random" ? null : typeof this.value === "number" ? [this.value] : this.value;
    if (value !== null && !(value.length === 1 || value.length === img.shape[img.dim() - 3])) {
      throw new ValueError(
        `If value is a sequence, it should have either a single value or ${img.shape[img.dim() - 3]} (number of input channels)`,
      );
    }
    const [i, j, h, w, v] = RandomErasing.getParams(img, this.scale, this.ratio, value);
    return v === null ? img : TF.erase(img, i, j, h, w, v, this.inplace);
  }
  workerSpec(): WorkerSpec {
    return spec("RandomErasing", [
      { p: this.p, scale: this.scale, ratio: this.ratio, value: this.value, inplace: this.inplace },
    ]);
  }
}

export interface RandomPerspectiveOptions {
  distortionScale?: number;
  p?: number;
  interpolation?: Interpolation;
  fill?: number | number[];
}
/** transforms.RandomPerspective(distortionScale = 0.5, p = 0.5, interpolation = bilinear, fill = 0). */
export class RandomPerspective extends TransformBase {
  readonly distortionScale: number;
  readonly p: number;
  readonly interpolation: Interpolation;
  readonly fill: number | number[];
  constructor(o: RandomPerspectiveOptions = {}) {
    super();
    [this.distortionScale, this.p, this.interpolation, this.fill] = [
      o.distortionScale ?? 0.5,
      o.p ?? 0.5,
      o.interpolation ?? "bilinear",
      o.fill ?? 0,
    ];
  }
  /** [startpoints, endpoints] with torchvision's eight randint draws. */
  static getParams(width: number, height: number, distortionScale: number): [number[][], number[][]] {
    const hh = Math.floor(height / 2),
      hw = Math.floor(width / 2);
    const dx = Math.trunc(distortionScale * hw),
      dy = Math.trunc(distortionScale * hh);
    const ri = (lo: number, hi: number) => randint(lo, hi, [1]).item() as number;
    const topleft = [ri(0, dx + 1), ri(0, dy + 1)];
    const topright = [ri(width - dx - 1, width), ri(0, dy + 1)];
    const botright = [ri(width - dx - 1, width), ri(height - dy - 1, height)];
    const botleft = [ri(0, dx + 1), ri(height - dy - 1, height)];
    return [
      [
        [0, 0],
        [width - 1, 0],
        [width - 1, height - 1],
        [0, height - 1],
      ],
      [topleft, topright, botright, botleft],
    ];
  }
  forward<X extends TImage>(img: X): X {
    const fill = fillFor(this.fill, numChannels(img));
    if (!coin(this.p)) return img;
    const [h, w] = dims(img);
    const [start, end] = RandomPerspective.getParams(w, h, this.distortionScale);
    return onTensor(img, (t) => TF.perspective(t, start, end, this.interpolation, fill));
  }
  workerSpec(): WorkerSpec {
    return spec("RandomPerspective", [
      { distortionScale: this.distortionScale, p: this.p, interpolation: this.interpolation, fill: this.fill },
    ]);
  }
}

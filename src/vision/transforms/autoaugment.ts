// AutoAugment (imagenet / cifar10 / svhn policies), RandAugment and TrivialAugmentWide as
// torchvision 0.14 defines them (autoaugment.py): the same torch draws in the same order, the
// same magnitude tables (float32 linspace), and _apply_op's operations on uint8 tensor images.
import { Tensor } from "../../tensor.js";
import { ValueError } from "../../errors.js";
import { arange, linspace } from "../../ops/creation.js";
import { rand, randint } from "../../ops/random.js";
import type { Image } from "../image.js";
import type { WorkerSpec } from "../../utils/data/worker-spec.js";
import { TransformBase } from "./callable.js";
import * as TF from "./functional-tensor.js";
import { type Interpolation, onTensor } from "./functional-tensor.js";
import { POLICIES } from "./autoaugment-policies.js";

type TImage = Tensor | Image;
const spec = (name: string, args: unknown[]): WorkerSpec => ({ module: import.meta.url, export: name, args });
const draw = (n: number): number => randint(0, n, [1]).item() as number;

/** torchvision's _apply_op on a tensor image. */
function applyOp(
  img: Tensor,
  op: string,
  magnitude: number,
  interpolation: Interpolation,
  fill: number[] | null,
): Tensor {
  const deg = (v: number) => (Math.atan(v) * 180) / Math.PI;
  switch (op) {
    case "ShearX":
      return TF.affine(img, 0, [0, 0], 1, [deg(magnitude), 0], interpolation, fill, [0, 0]);
    case "ShearY":
      return TF.affine(img, 0, [0, 0], 1, [0, deg(magnitude)], interpolation, fill, [0, 0]);
    case "TranslateX":
      return TF.affine(img, 0, [Math.trunc(magnitude), 0], 1, [0, 0], interpolation, fill);
    case "TranslateY":
      return TF.affine(img, 0, [0, Math.trunc(magnitude)], 1, [0, 0], interpolation, fill);
    case "Rotate":
      return TF.rotate(img, magnitude, interpolation, false, null, fill);
    case "Brightness":
      return TF.adjustBrightness(img, 1 + magnitude);
    case "Color":
      return TF.adjustSaturation(img, 1 + magnitude);
    case "Contrast":
      return TF.adjustContrast(img, 1 + magnitude);
    case "Sharpness":
      return TF.adjustSharpness(img, 1 + magnitude);
    case "Posterize":
      return TF.posterize(img, Math.trunc(magnitude));
    case "Solarize":
      return TF.solarize(img, magnitude);
    case "AutoContrast":
      return TF.autocontrast(img);
    case "Equalize":
      return TF.equalize(img);
    case "Invert":
      return TF.invert(img);
    case "Identity":
      return img;
    default:
      throw new ValueError(`The provided operator ${op} is not recognized.`);
  }
}

/** [magnitudes (float values; null for an op without one), signed]. */
type Space = Record<string, [number[] | null, boolean]>;
const lin = (a: number, b: number, n: number): number[] => Array.from(linspace(a, b, n).typedArray());
const posterizeBins = (n: number, div: number): number[] =>
  Array.from(
    arange(n)
      .div((n - 1) / div)
      .round()
      .typedArray(),
    (v) => 8 - Math.trunc(v),
  );

function space(kind: "auto" | "rand" | "wide", bins: number, h: number, w: number): Space {
  const s: Space = {};
  if (kind !== "auto") s.Identity = [null, false];
  const top = kind === "wide" ? 0.99 : 0.3,
    mag = kind === "wide" ? 0.99 : 0.9;
  s.ShearX = [lin(0, top, bins), true];
  s.ShearY = [lin(0, top, bins), true];
  s.TranslateX = [lin(0, kind === "wide" ? 32 : (150 / 331) * w, bins), true];
  s.TranslateY = [lin(0, kind === "wide" ? 32 : (150 / 331) * h, bins), true];
  s.Rotate = [lin(0, kind === "wide" ? 135 : 30, bins), true];
  for (const k of ["Brightness", "Color", "Contrast", "Sharpness"]) s[k] = [lin(0, mag, bins), true];
  s.Posterize = [posterizeBins(bins, kind === "wide" ? 6 : 4), false];
  s.Solarize = [lin(255, 0, bins), false];
  s.AutoContrast = [null, false];
  s.Equalize = [null, false];
  if (kind === "auto") s.Invert = [null, false];
  return s;
}

const fillFor = (fill: number | number[] | null, c: number): number[] | null =>
  fill === null ? null : typeof fill === "number" ? new Array<number>(c).fill(fill) : [...fill];
const dimsOf = (img: TImage): [number, number, number] =>
  img instanceof Tensor
    ? [img.shape[img.dim() - 3], img.shape[img.dim() - 2], img.shape[img.dim() - 1]]
    : [img.channels, img.height, img.width];

export interface AugmentOptions {
  interpolation?: Interpolation;
  fill?: number | number[] | null;
}

/** transforms.AutoAugment(policy = "imagenet", interpolation = nearest, fill = null), on uint8 images. */
export class AutoAugment extends TransformBase {
  readonly policy: "imagenet" | "cifar10" | "svhn";
  readonly interpolation: Interpolation;
  readonly fill: number | number[] | null;
  constructor(policy: "imagenet" | "cifar10" | "svhn" = "imagenet", o: AugmentOptions = {}) {
    super();
    if (!(policy in POLICIES)) throw new ValueError(`The provided policy ${String(policy)} is not recognized.`);
    [this.policy, this.interpolation, this.fill] = [policy, o.interpolation ?? "nearest", o.fill ?? null];
  }
  /** [policy id, probs (2), signs (2)] as torchvision's get_params. */
  static getParams(n: number): [number, number[], number[]] {
    const id = draw(n);
    const probs = Array.from(rand(2).typedArray());
    const signs = Array.from(randint(0, 2, [2]).typedArray(), Number);
    return [id, probs, signs];
  }
  forward<X extends TImage>(img: X): X {
    const [c, h, w] = dimsOf(img);
    const fill = fillFor(this.fill, c);
    const pol = POLICIES[this.policy];
    const [id, probs, signs] = AutoAugment.getParams(pol.length);
    const meta = space("auto", 10, h, w);
    return onTensor(img, (t0) => {
      let t = t0;
      pol[id].forEach(([op, p, magId], i) => {
        if (!(probs[i] <= p)) return;
        const [mags, signed] = meta[op];
        let m = magId !== null && mags ? mags[magId] : 0;
        if (signed && signs[i] === 0) m = -m;
        t = applyOp(t, op, m, this.interpolation, fill);
      });
      return t;
    });
  }
  workerSpec(): WorkerSpec {
    return spec("AutoAugment", [this.policy, { interpolation: this.interpolation, fill: this.fill }]);
  }
}

/** transforms.RandAugment(numOps = 2, magnitude = 9, numMagnitudeBins = 31, interpolation = nearest, fill = null). */
export class RandAugment extends TransformBase {
  readonly numOps: number;
  readonly magnitude: number;
  readonly numMagnitudeBins: number;
  readonly interpolation: Interpolation;
  readonly fill: number | number[] | null;
  constructor(numOps = 2, magnitude = 9, numMagnitudeBins = 31, o: AugmentOptions = {}) {
    super();
    [this.numOps, this.magnitude, this.numMagnitudeBins, this.interpolation, this.fill] = [
      numOps,
      magnitude,
      numMagnitudeBins,
      o.interpolation ?? "nearest",
      o.fill ?? null,
    ];
  }
  forward<X extends TImage>(img: X): X {
    const [c, h, w] = dimsOf(img);
    const fill = fillFor(this.fill, c);
    const meta = space("rand", this.numMagnitudeBins, h, w);
    const names = Object.keys(meta);
    return onTensor(img, (t0) => {
      let t = t0;
      for (let k = 0; k < this.numOps; k++) {
        const op = names[draw(names.length)];
        const [mags, signed] = meta[op];
        let m = mags ? mags[this.magnitude] : 0;
        if (signed && draw(2)) m = -m;
        t = applyOp(t, op, m, this.interpolation, fill);
      }
      return t;
    });
  }
  workerSpec(): WorkerSpec {
    return spec("RandAugment", [
      this.numOps,
      this.magnitude,
      this.numMagnitudeBins,
      { interpolation: this.interpolation, fill: this.fill },
    ]);
  }
}

/** transforms.TrivialAugmentWide(numMagnitudeBins = 31, interpolation = nearest, fill = null). */
export class TrivialAugmentWide extends TransformBase {
  readonly numMagnitudeBins: number;
  readonly interpolation: Interpolation;
  readonly fill: number | number[] | null;
  constructor(numMagnitudeBins = 31, o: AugmentOptions = {}) {
    super();
    [this.numMagnitudeBins, this.interpolation, this.fill] = [
      numMagnitudeBins,
      o.interpolation ?? "nearest",
      o.fill ?? null,
    ];
  }
  forward<X extends TImage>(img: X): X {
    const [c] = dimsOf(img);
    const fill = fillFor(this.fill, c);
    const meta = space("wide", this.numMagnitudeBins, 0, 0);
    const names = Object.keys(meta);
    const op = names[draw(names.length)];
    const [mags, signed] = meta[op];
    let m = mags ? mags[draw(mags.length)] : 0;
    if (signed && draw(2)) m = -m;
    return onTensor(img, (t) => applyOp(t, op, m, this.interpolation, fill));
  }
  workerSpec(): WorkerSpec {
    return spec("TrivialAugmentWide", [this.numMagnitudeBins, { interpolation: this.interpolation, fill: this.fill }]);
  }
}

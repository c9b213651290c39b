// vision.transforms.functional (torchvision's F): the deterministic forms of the transforms, on
// tensor images (float in [0, 1] or uint8 [..., C, H, W]) or Images, tensor-path numbers.
import type { Tensor } from "../../tensor.js";
import * as TF from "./functional-tensor.js";
import { type Interpolation, type TImage, onTensor } from "./functional-tensor.js";

export type { Interpolation, TImage } from "./functional-tensor.js";
const on = <X extends TImage>(img: X, f: (t: Tensor) => Tensor): X => onTensor(img, f);

export const rgbToGrayscale = <X extends TImage>(img: X, numOutputChannels = 1): X =>
  on(img, (t) => TF.rgbToGrayscale(t, numOutputChannels));
export const adjustBrightness = <X extends TImage>(img: X, brightnessFactor: number): X =>
  on(img, (t) => TF.adjustBrightness(t, brightnessFactor));
export const adjustContrast = <X extends TImage>(img: X, contrastFactor: number): X =>
  on(img, (t) => TF.adjustContrast(t, contrastFactor));
export const adjustSaturation = <X extends TImage>(img: X, saturationFactor: number): X =>
  on(img, (t) => TF.adjustSaturation(t, saturationFactor));
export const adjustHue = <X extends TImage>(img: X, hueFactor: number): X => on(img, (t) => TF.adjustHue(t, hueFactor));
export const adjustSharpness = <X extends TImage>(img: X, sharpnessFactor: number): X =>
  on(img, (t) => TF.adjustSharpness(t, sharpnessFactor));
export const gaussianBlur = <X extends TImage>(
  img: X,
  kernelSize: number | number[],
  sigma: number | number[] | null = null,
): X => on(img, (t) => TF.gaussianBlur(t, kernelSize, sigma));
export const invert = <X extends TImage>(img: X): X => on(img, TF.invert);
export const posterize = <X extends TImage>(img: X, bits: number): X => on(img, (t) => TF.posterize(t, bits));
export const solarize = <X extends TImage>(img: X, threshold: number): X => on(img, (t) => TF.solarize(t, threshold));
export const autocontrast = <X extends TImage>(img: X): X => on(img, TF.autocontrast);
export const equalize = <X extends TImage>(img: X): X => on(img, TF.equalize);

export interface RotateOptions {
  interpolation?: Interpolation;
  expand?: boolean;
  center?: number[] | null;
  fill?: number | number[] | null;
}
/** F.rotate(img, angle, interpolation = nearest, expand = false, center = null, fill = null). */
export function rotate<X extends TImage>(img: X, angle: number, o: RotateOptions = {}): X {
  return on(img, (t) =>
    TF.rotate(t, angle, o.interpolation ?? "nearest", o.expand ?? false, o.center ?? null, o.fill ?? null),
  );
}
export interface AffineOptions {
  interpolation?: Interpolation;
  fill?: number | number[] | null;
  center?: number[] | null;
}
/** F.affine(img, angle, translate, scale, shear, interpolation = nearest, fill = null, center = null). */
export function affine<X extends TImage>(
  img: X,
  angle: number,
  translate: number[],
  scale: number,
  shear: number | number[],
  o: AffineOptions = {},
): X {
  return on(img, (t) =>
    TF.affine(t, angle, translate, scale, shear, o.interpolation ?? "nearest", o.fill ?? null, o.center ?? null),
  );
}
/** F.erase(img, i, j, h, w, v, inplace = false) on a tensor image. */
export const erase = (
  img: Tensor,
  i: number,
  j: number,
  h: number,
  w: number,
  v: Tensor | number,
  inplace = false,
): Tensor => TF.erase(img, i, j, h, w, v, inplace);
/** F.perspective(img, startpoints, endpoints, interpolation = bilinear, fill = null). */
export function perspective<X extends TImage>(
  img: X,
  startpoints: number[][],
  endpoints: number[][],
  o: { interpolation?: Interpolation; fill?: number | number[] | null } = {},
): X {
  return on(img, (t) => TF.perspective(t, startpoints, endpoints, o.interpolation ?? "bilinear", o.fill ?? null));
}

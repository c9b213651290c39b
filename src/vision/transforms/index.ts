// vision.transforms
export {
  Compose,
  ToTensor,
  PILToTensor,
  Normalize,
  RandomCrop,
  RandomHorizontalFlip,
  RandomVerticalFlip,
  CenterCrop,
  Pad,
  Resize,
  Lambda,
  resizedOutputSize,
  type Size,
  type RandomCropOptions,
  type ResizeOptions,
} from "./transforms.js";
export type { PaddingMode } from "./planar.js";
export type { Transform } from "../datasets/vision.js";
export {
  ColorJitter,
  Grayscale,
  RandomGrayscale,
  GaussianBlur,
  RandomRotation,
  RandomAffine,
  RandomResizedCrop,
  RandomErasing,
  RandomPerspective,
} from "./augment.js";
export type {
  RandomRotationOptions,
  RandomAffineOptions,
  RandomResizedCropOptions,
  RandomErasingOptions,
  RandomPerspectiveOptions,
} from "./augment.js";
export * as functional from "./functional.js";
export { AutoAugment, RandAugment, TrivialAugmentWide } from "./autoaugment.js";
export type { AugmentOptions } from "./autoaugment.js";

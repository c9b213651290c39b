// optim.lr_scheduler: learning-rate schedulers with PyTorch 1.13's formulas, bit for bit.
export { LRScheduler } from "./scheduler-base.js";
export {
  StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LinearLR, LambdaLR, MultiplicativeLR, ConstantLR, PolynomialLR,
  CosineAnnealingWarmRestarts,
} from "./schedulers.js";
export { SequentialLR, OneCycleLR, ReduceLROnPlateau } from "./schedulers-cyclic.js";
export type { OneCycleOptions, PlateauOptions } from "./schedulers-cyclic.js";

// optim.lrScheduler (torch.optim.lr_scheduler): learning-rate schedulers with PyTorch 1.13's
// formulas, bit for bit.
export { LRScheduler } from "./base.js";
export {
  StepLR,
  MultiStepLR,
  ExponentialLR,
  CosineAnnealingLR,
  LinearLR,
  LambdaLR,
  MultiplicativeLR,
  ConstantLR,
  PolynomialLR,
  CosineAnnealingWarmRestarts,
} from "./epoch.js";
export { SequentialLR } from "./sequential.js";
export { OneCycleLR } from "./one-cycle.js";
export type { OneCycleOptions } from "./one-cycle.js";
export { ReduceLROnPlateau } from "./plateau.js";
export type { PlateauOptions } from "./plateau.js";

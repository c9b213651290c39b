// flint/optim: optimizers and learning-rate schedulers (torch.optim).
import "../setup.js";

export { Optimizer } from "./optimizer.js";
export type { ParamGroup, ParamGroupInput, ParamsInput, ParamState, OptimizerStateDict } from "./optimizer.js";
export { SGD } from "./sgd.js";
export type { SGDOptions } from "./sgd.js";
export { Adam, AdamW } from "./adam.js";
export type { AdamOptions } from "./adam.js";
export { RMSprop } from "./rmsprop.js";
export type { RMSpropOptions } from "./rmsprop.js";
export { Adagrad } from "./adagrad.js";
export type { AdagradOptions } from "./adagrad.js";
export { Adadelta } from "./adadelta.js";
export type { AdadeltaOptions } from "./adadelta.js";
export { Adamax } from "./adamax.js";
export type { AdamaxOptions } from "./adamax.js";
export { NAdam } from "./nadam.js";
export type { NAdamOptions } from "./nadam.js";
export { RAdam } from "./radam.js";
export type { RAdamOptions } from "./radam.js";
export { Rprop } from "./rprop.js";
export type { RpropOptions } from "./rprop.js";
/** torch.optim.lr_scheduler, camelCased as every torch name: optim.lrScheduler.StepLR. */
export * as lrScheduler from "./lr-scheduler/index.js";
export { LBFGS } from "./lbfgs.js";
export type { LBFGSOptions } from "./lbfgs.js";

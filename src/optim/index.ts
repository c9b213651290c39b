// flint/optim: optimizers and learning-rate schedulers (torch.optim).
import "../setup.js";

export { Optimizer } from "./optimizer.js";
export type { ParamGroup, ParamGroupInput, ParamsInput, ParamState, OptimizerStateDict } from "./optimizer.js";
export { SGD } from "./sgd.js";
export type { SGDOptions } from "./sgd.js";
export { Adam, AdamW } from "./adam.js";
export type { AdamOptions } from "./adam.js";
export { RMSprop, Adagrad } from "./rmsprop.js";
export type { RMSpropOptions, AdagradOptions } from "./rmsprop.js";
export * as lr_scheduler from "./lr_scheduler.js";
export { Adadelta, Adamax, NAdam, RAdam, Rprop } from "./more.js";
export type { AdadeltaOptions, AdamaxOptions, NAdamOptions, RAdamOptions, RpropOptions } from "./more.js";
export { LBFGS } from "./lbfgs.js";
export type { LBFGSOptions } from "./lbfgs.js";

// torch.autograd
export { grad, backward } from "./api.js";
export { Function, FunctionCtx } from "./function.js";
export { gradcheck, GradcheckError } from "./gradcheck.js";
export { noGrad, enableGrad, setGradEnabled, isGradEnabled } from "./grad-mode.js";
export { registerPostAccumulateGradHook, queueCallback } from "./leaf-hooks.js";
export type { PostAccumulateGradHook } from "./leaf-hooks.js";

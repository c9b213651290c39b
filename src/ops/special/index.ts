// torch.special: PyTorch's names for the special functions (aliases where torch has two names).
import type { Tensor } from "../../tensor.js";
import type { DType } from "../../dtype.js";
import { logSoftmax as logSoftmaxOp, softmax as softmaxOp } from "../softmax.js";
import { sigmoid } from "../unary.js";

export {
  erfc,
  erfcx,
  erfinv,
  digamma,
  digamma as psi,
  polygamma,
  lgamma as gammaln,
  mvlgamma as multigammaln,
  logit,
  xlogy,
  xlog1py,
  i0,
  i0e,
  i1,
  i1e,
  ndtr,
  ndtri,
  logNdtr,
  sinc,
  entr,
  zeta,
  exp2,
} from "../math-ext.js";
export { erf, expm1, log1p, round } from "../unary.js";
export { logsumexp } from "../reduce.js";
export * from "./polynomials.js";
export const expit = (x: Tensor): Tensor => sigmoid(x);
export const softmax = (x: Tensor, dim: number, dtype?: DType | { dtype?: DType }): Tensor => softmaxOp(x, dim, dtype);
export const logSoftmax = (x: Tensor, dim: number, dtype?: DType | { dtype?: DType }): Tensor =>
  logSoftmaxOp(x, dim, dtype);

// torch.linalg, in PyTorch's names (camelCased).
import { setSvdvals } from "../reduce-ext.js";
import { svdvals } from "./decomp.js";

setSvdvals(svdvals);
export { linalgNorm as norm, vectorNorm, matrixNorm } from "../reduce-ext.js";
export {
  solve,
  solveEx,
  inv,
  invEx,
  det,
  slogdet,
  cholesky,
  choleskyEx,
  qr,
  eigh,
  eigvalsh,
  svdvals,
  matrixRank,
  pinv,
  lstsq,
  matrixPower,
  matrixExp,
} from "./decomp.js";
export {
  multiDot,
  linalgCross as cross,
  vecdot,
  vander,
  tensorinv,
  tensorsolve,
  solveTriangular,
  householderProduct,
  luFactor,
  luFactorEx,
  lu,
  luSolve,
  cond,
} from "./products.js";

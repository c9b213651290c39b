// softmax / logSoftmax with their closed-form backward (one pass, not the composition's graph),
// and clamp.
import { type DType, isFloating, resultType } from "../dtype.js";
import { ValueError } from "../errors.js";
import { Tensor } from "../tensor.js";
import { noGrad } from "../autograd/grad-mode.js";
import { record } from "../autograd/record.js";
import { backend } from "../backend/backend.js";
import { normDim } from "../shape.js";
import { wrap } from "./util.js";
import { logicalAnd, ge, le, mul, sub, where, maximum, minimum } from "./binary.js";
import { exp } from "./unary.js";
import { logsumexp, sum } from "./reduce.js";
import { toDType } from "./cast.js";
import { scalarTensor } from "./util.js";

function prepare(x: Tensor, dtype: DType | undefined): Tensor {
  const dt = dtype ?? (isFloating(x.dtype) ? x.dtype : "float32");
  return x.dtype === dt ? x : toDType(x, dt);
}

function logSoftmaxForward(x: Tensor, d: number): Tensor {
  const data = backend().logSoftmax(x, d);
  if (data) return wrap(data, x.shape, x.dtype);
  return noGrad(() => sub(x, logsumexp(x, d, true)));
}

type DTypeArg = DType | { dtype?: DType } | undefined;
type DimArg = number | { dim: number; dtype?: DType };
/** (dim, dtype) given positionally or in a trailing options object. */
function dimDtype(dim: DimArg, dtype: DTypeArg): [number, DType | undefined] {
  if (typeof dim === "object") return [dim.dim, dim.dtype];
  return [dim, typeof dtype === "object" ? dtype.dtype : dtype];
}

export function logSoftmax(input: Tensor, dimArg: DimArg, dtypeArg?: DTypeArg): Tensor {
  const [dim, dtype] = dimDtype(dimArg, dtypeArg);
  const x = prepare(input, dtype);
  const d = normDim(dim, x.dim(), "log_softmax");
  if (x.dim() === 0) return sub(x, x);
  const y = logSoftmaxForward(x, d);
  return record("LogSoftmaxBackward", [x], y, ([g]) => [sub(g, mul(exp(y), sum(g, d, true)))], [y]);
}

export function softmax(input: Tensor, dimArg: DimArg, dtypeArg?: DTypeArg): Tensor {
  const [dim, dtype] = dimDtype(dimArg, dtypeArg);
  const x = prepare(input, dtype);
  const d = normDim(dim, x.dim(), "softmax");
  const y = noGrad(() => exp(logSoftmaxForward(x, d)));
  return record("SoftmaxBackward", [x], y, ([g]) => [mul(y, sub(g, sum(mul(g, y), d, true)))], [y]);
}

export type ClampBound = number | null | undefined;
export interface ClampOptions { min?: ClampBound; max?: ClampBound }

/**
 * clamp(x, min, max) or clamp(x, { min, max }): either bound may be null; the result has the
 * promoted dtype of x and the bounds (an int tensor clamped to 0.5 is float32, as in PyTorch);
 * the gradient passes where min <= x <= max.
 */
export function clamp(x: Tensor, minArg?: ClampBound | ClampOptions, maxArg?: ClampBound | ClampOptions): Tensor {
  let min: ClampBound, max: ClampBound;
  if (typeof minArg === "object" && minArg !== null) ({ min, max } = minArg);
  else if (typeof maxArg === "object" && maxArg !== null) [min, max] = [minArg, maxArg.max];
  else [min, max] = [minArg, maxArg];
  const hasMin = min !== null && min !== undefined, hasMax = max !== null && max !== undefined;
  if (!hasMin && !hasMax) throw new ValueError("clamp: at least one of 'min' or 'max' must not be None");
  const dt = resultType([{ dtype: x.dtype, dim: x.dim() }, ...(hasMin ? [min as number] : []), ...(hasMax ? [max as number] : [])]);
  const out = noGrad(() => {
    let r = x.dtype === dt ? x : toDType(x, dt);
    if (hasMin) r = maximum(r, scalarTensor(min as number, dt));
    if (hasMax) r = minimum(r, scalarTensor(max as number, dt));
    return r === x ? toDType(x, x.dtype, true) : r;
  });
  return record("ClampBackward1", [x], out, ([g]) => {
    let mask: Tensor | null = null;
    if (hasMin) mask = ge(x, min as number);
    if (hasMax) mask = mask ? logicalAnd(mask, le(x, max as number)) : le(x, max as number);
    return [where(mask as Tensor, g, 0)];
  }, [x]);
}

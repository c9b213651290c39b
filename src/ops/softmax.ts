// softmax / logSoftmax with their closed-form backward (one pass, not the composition's graph),
// and clamp.
import { type DType, isFloating } from "../dtype.js";
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
  const fused = backend().logSoftmax;
  if (fused) return wrap(fused.call(backend(), x, d), x.shape, x.dtype);
  return noGrad(() => sub(x, logsumexp(x, d, true)));
}

export function logSoftmax(input: Tensor, dim: number, dtype?: DType): Tensor {
  const x = prepare(input, dtype);
  const d = normDim(dim, x.dim(), "log_softmax");
  if (x.dim() === 0) return sub(x, x);
  const y = logSoftmaxForward(x, d);
  return record("LogSoftmaxBackward", [x], y, ([g]) => [sub(g, mul(exp(y), sum(g, d, true)))], [y]);
}

export function softmax(input: Tensor, dim: number, dtype?: DType): Tensor {
  const x = prepare(input, dtype);
  const d = normDim(dim, x.dim(), "softmax");
  const y = noGrad(() => exp(logSoftmaxForward(x, d)));
  return record("SoftmaxBackward", [x], y, ([g]) => [mul(y, sub(g, sum(mul(g, y), d, true)))], [y]);
}

/** clamp(x, min, max): either bound may be null; gradient passes where min <= x <= max. */
export function clamp(x: Tensor, min?: number | null, max?: number | null): Tensor {
  if ((min === null || min === undefined) && (max === null || max === undefined)) {
    throw new Error("clamp: at least one of 'min' or 'max' must not be None");
  }
  const out = noGrad(() => {
    let r = x;
    if (min !== null && min !== undefined) r = maximum(r, scalarTensor(min, x.dtype));
    if (max !== null && max !== undefined) r = minimum(r, scalarTensor(max, x.dtype));
    return r === x ? toDType(x, x.dtype, true) : r;
  });
  return record("ClampBackward", [x], out, ([g]) => {
    let mask: Tensor | null = null;
    if (min !== null && min !== undefined) mask = ge(x, min);
    if (max !== null && max !== undefined) mask = mask ? logicalAnd(mask, le(x, max)) : le(x, max);
    return [where(mask as Tensor, g, 0)];
  }, [x]);
}

// Copies and dtype conversions.
import { type DType, isFloating } from "../dtype.js";
import { Tensor } from "../tensor.js";
import { backend } from "../backend/backend.js";
import { record } from "../autograd/record.js";
import { wrap } from "./util.js";

/** A contiguous copy in `dtype` (differentiable between floating dtypes). */
export function toDType(x: Tensor, dtype: DType, copy = false): Tensor {
  if (dtype === x.dtype && !copy) return x;
  const out = wrap(backend().copy(x, dtype), x.shape, dtype);
  if (!isFloating(dtype)) return out;
  return record("ToCopyBackward", [x], out, ([g]) => [isFloating(x.dtype) ? toDType(g, x.dtype) : null]);
}

export const clone = (x: Tensor): Tensor => {
  const out = wrap(backend().copy(x, x.dtype), x.shape, x.dtype);
  return record("CloneBackward", [x], out, ([g]) => [g]);
};

export const contiguous = (x: Tensor): Tensor => (x.isContiguous() ? x : clone(x));

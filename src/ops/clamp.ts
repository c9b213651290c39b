// clamp (clip): bounds promoted with x's dtype, gradient passing where min <= x <= max.
import { resultType } from "../dtype.js";
import { ValueError } from "../errors.js";
import { Tensor } from "../tensor.js";
import { noGrad } from "../autograd/grad-mode.js";
import { record } from "../autograd/record.js";
import { logicalAnd, ge, le, where, maximum, minimum } from "./binary.js";
import { toDType } from "./cast.js";
import { scalarTensor } from "./util.js";
import { clampMax, clampMin } from "./math-ext.js";

export type ClampBound = number | null | undefined;
export interface ClampOptions {
  min?: ClampBound;
  max?: ClampBound;
}

/**
 * clamp(x, min, max) or clamp(x, { min, max }): either bound may be null; the result has the
 * promoted dtype of x and the bounds (an int tensor clamped to 0.5 is float32, as in PyTorch);
 * the gradient passes where min <= x <= max.
 */
export function clamp(
  x: Tensor,
  minArg?: ClampBound | ClampOptions | Tensor,
  maxArg?: ClampBound | ClampOptions | Tensor,
): Tensor {
  // tensor bounds broadcast: clampMin then clampMax, each with its own gradient (math-ext.ts)
  if (minArg instanceof Tensor || maxArg instanceof Tensor) {
    const lo = minArg instanceof Tensor || typeof minArg === "number" ? clampMin(x, minArg) : x;
    return maxArg instanceof Tensor || typeof maxArg === "number" ? clampMax(lo, maxArg) : lo;
  }
  let min: ClampBound, max: ClampBound;
  if (typeof minArg === "object" && minArg !== null) ({ min, max } = minArg);
  else if (typeof maxArg === "object" && maxArg !== null) [min, max] = [minArg, maxArg.max];
  else [min, max] = [minArg, maxArg];
  const hasMin = min !== null && min !== undefined,
    hasMax = max !== null && max !== undefined;
  if (!hasMin && !hasMax) throw new ValueError("clamp: at least one of 'min' or 'max' must not be None");
  const dt = resultType([
    { dtype: x.dtype, dim: x.dim() },
    ...(hasMin ? [min as number] : []),
    ...(hasMax ? [max as number] : []),
  ]);
  const out = noGrad(() => {
    let r = x.dtype === dt ? x : toDType(x, dt);
    if (hasMin) r = maximum(r, scalarTensor(min as number, dt));
    if (hasMax) r = minimum(r, scalarTensor(max as number, dt));
    return r === x ? toDType(x, x.dtype, true) : r;
  });
  return record(
    "ClampBackward1",
    [x],
    out,
    ([g]) => {
      let mask: Tensor | null = null;
      if (hasMin) mask = ge(x, min as number);
      if (hasMax) mask = mask ? logicalAnd(mask, le(x, max as number)) : le(x, max as number);
      return [where(mask as Tensor, g, 0)];
    },
    [x],
  );
}

// F.one_hot: int64 indices -> int64 one-hot rows.
import type { Tensor } from "../tensor.js";
import { DTypeError, IndexError } from "../errors.js";
import { wrap } from "../ops/util.js";

export function oneHot(input: Tensor, numClasses = -1): Tensor {
  if (input.dtype !== "int64")
    throw new DTypeError(`one_hot: one_hot is only applicable to index tensor (int64), got ${input.dtype}`);
  const idx = input.typedArray();
  let C = numClasses;
  if (C === -1) C = idx.length ? Math.max(...idx) + 1 : 0;
  const out = new Float64Array(idx.length * C);
  idx.forEach((v, i) => {
    if (v < 0 || v >= C) throw new IndexError(`one_hot: class values must be in [0, ${C}), got ${v}`);
    out[i * C + v] = 1;
  });
  return wrap(out, [...input.shape, C], "int64");
}

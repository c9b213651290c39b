// 1-D pooling (max, avg, adaptive avg) through the 2-D kernels with a unit height.
import { ShapeError, fmtShape } from "../errors.js";
import { squeeze, unsqueeze } from "./view.js";
import type { Tensor } from "../tensor.js";
import { adaptiveAvgPool2d, avgPool2d, maxPool2d } from "./pool.js";
import type { IntOrPair } from "./conv.js";

const one = (v: IntOrPair | null): number | null => (v === null ? null : typeof v === "number" ? v : v[0]);
function with1d<T>(op: string, input: Tensor, f: (x4: Tensor) => T): T {
  if (input.dim() !== 2 && input.dim() !== 3)
    throw new ShapeError(`${op}: expected 2-D or 3-D input, got ${fmtShape(input.shape)}`);
  return f(unsqueeze(input, -2));
}
const back = (t: Tensor): Tensor => squeeze(t, -2);

export function maxPool1d(
  input: Tensor,
  kernelSize: IntOrPair,
  stride: IntOrPair | null = null,
  padding: IntOrPair = 0,
  dilation: IntOrPair = 1,
  ceilMode = false,
  returnIndices = false,
): Tensor | [Tensor, Tensor] {
  return with1d("max_pool1d", input, (x) => {
    const s = one(stride);
    const r = maxPool2d(
      x,
      [1, one(kernelSize) as number],
      s === null ? null : [1, s],
      [0, one(padding) as number],
      [1, one(dilation) as number],
      ceilMode,
      returnIndices,
    );
    return Array.isArray(r) ? [back(r[0]), back(r[1])] : back(r);
  });
}

export function avgPool1d(
  input: Tensor,
  kernelSize: IntOrPair,
  stride: IntOrPair | null = null,
  padding: IntOrPair = 0,
  ceilMode = false,
  countIncludePad = true,
): Tensor {
  return with1d("avg_pool1d", input, (x) => {
    const s = one(stride);
    return back(
      avgPool2d(
        x,
        [1, one(kernelSize) as number],
        s === null ? null : [1, s],
        [0, one(padding) as number],
        ceilMode,
        countIncludePad,
      ),
    );
  });
}

export function adaptiveAvgPool1d(input: Tensor, outputSize: number | readonly number[]): Tensor {
  return with1d("adaptive_avg_pool1d", input, (x) =>
    back(adaptiveAvgPool2d(x, [1, typeof outputSize === "number" ? outputSize : outputSize[0]])),
  );
}

// Integer inputs to convolution, average pooling and nearest resampling. PyTorch computes these
// for integer tensors on the CPU with integer arithmetic (sums of products; an average is the sum
// divided by the window's divisor with C's truncating integer division) and returns the input's
// dtype. Flint's kernels are floating point only, so integer inputs run in float64, which holds
// every such sum exactly while it stays below 2^53, and are rounded back.
import type { Tensor } from "../tensor.js";
import { isIntegral } from "../dtype.js";
import { toDType } from "./cast.js";
import { round, trunc } from "./unary.js";

/**
 * f over float64 copies of `inputs` when the first is an integer tensor, the result rounded
 * ("round": exact sums) or truncated ("trunc": integer division) back to its dtype; null otherwise.
 */
export function integerViaFloat64(
  inputs: readonly (Tensor | null | undefined)[],
  f: (...xs: (Tensor | null)[]) => Tensor,
  back: "round" | "trunc",
): Tensor | null {
  const first = inputs[0];
  if (!first || !isIntegral(first.dtype)) return null;
  const y = f(...inputs.map((t) => (t ? toDType(t, "float64") : null)));
  return toDType(back === "round" ? round(y) : trunc(y), first.dtype);
}

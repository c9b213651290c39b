// torch.round(input, { decimals }): the declared elementwise round (src/ops/unary.ts) with
// PyTorch's decimals form, which scales by 10^|decimals| around it exactly as ATen's
// round_decimals kernel does (x * 10^d rounded, then / 10^d; for negative d, x / 10^-d rounded,
// then * 10^-d). Its gradient is zero, as PyTorch's.
import type { Tensor } from "../tensor.js";
import { isFloating } from "../dtype.js";
import { DTypeError } from "../errors.js";
import { parseArgs } from "./util.js";
import { div, mul } from "./binary.js";
import { round as roundHalfEven } from "./unary.js";

export interface RoundOptions {
  decimals?: number;
}

export function round(input: Tensor, ...args: [] | [RoundOptions]): Tensor {
  const { decimals } = parseArgs<{ decimals: number }>("round", args, ["decimals"], { decimals: 0 });
  if (decimals === 0) return roundHalfEven(input);
  if (!isFloating(input.dtype))
    throw new DTypeError(`round: decimals is only supported for floating point inputs, got ${input.dtype}`);
  const scale = 10 ** Math.abs(decimals);
  return decimals > 0 ? div(roundHalfEven(mul(input, scale)), scale) : mul(roundHalfEven(div(input, scale)), scale);
}

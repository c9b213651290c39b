// F.linear: x W^T + b. The definition is the composition matmul + add; float32 inputs on a
// backend with a linear kernel run PyTorch's addmm instead (bias written first, the product
// accumulated onto it by one GEMM, one autograd node), which saves the broadcast add's pass and
// its node, and its backward's reduction of the bias gradient through broadcasting.
import { ShapeError, fmtShape } from "../errors.js";
import { add } from "./binary.js";
import { matmul } from "./linalg.js";
import { t, view } from "./view.js";
import { sum } from "./reduce.js";
import { backend } from "../backend/backend.js";
import { record } from "../autograd/record.js";
import { wrap } from "./util.js";
import { isContiguous } from "../backend/ref/iterate.js";
import type { Tensor } from "../tensor.js";

/** F.linear: x W^T + b. */
export function linear(input: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  const inF = weight.shape[weight.dim() - 1];
  if (input.shape[input.dim() - 1] !== inF) {
    throw new ShapeError(
      `linear: mat1 and mat2 shapes cannot be multiplied (input ${fmtShape(input.shape)}, weight ${fmtShape(weight.shape)}: expected last input dim ${inF})`,
    );
  }
  const fused = addmm(input, weight, bias);
  if (fused !== null) return fused;
  const y = matmul(input, weight.dim() === 2 ? t(weight) : weight);
  return bias ? add(y, bias) : y;
}

/** The fused path, or null where it does not apply (the composition then runs). */
function addmm(input: Tensor, weight: Tensor, bias: Tensor | null): Tensor | null {
  if (input.dtype !== "float32" || weight.dtype !== "float32" || weight.dim() !== 2 || input.dim() < 2) return null;
  // Without a bias the composition is already one GEMM (and PyTorch's node is MmBackward).
  if (bias === null || bias.dtype !== "float32" || bias.dim() !== 1 || bias.shape[0] !== weight.shape[0]) return null;
  const dev = input.storage.device;
  if (dev !== "cpu" || weight.storage.device !== dev || (bias !== null && bias.storage.device !== dev)) return null;
  const b = backend();
  if (!b.linear) return null;
  // [..., K] inputs fold into [M, K] rows, as PyTorch's linear does for contiguous inputs (its
  // node is then ViewBackward, as here).
  if (input.dim() > 2 && !isContiguous(input)) return null;
  const K = weight.shape[1],
    N = weight.shape[0];
  const x = input.dim() === 2 ? input : view(input, [-1, K]);
  const r = b.linear(x, weight, bias);
  if (r === null) return null;
  const out = record(
    "AddmmBackward",
    [x, weight, bias],
    wrap(r, [x.shape[0], N], "float32"),
    ([g]) => [
      x.requiresGrad ? matmul(g, weight) : null,
      weight.requiresGrad ? matmul(t(g), x) : null,
      bias.requiresGrad ? sum(g, 0) : null,
    ],
    [x, weight],
  );
  return input.dim() === 2 ? out : view(out, [...input.shape.slice(0, -1), N]);
}

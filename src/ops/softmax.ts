// softmax / logSoftmax with their closed-form backward (one pass, not the composition's graph).
import { type DType, isFloating } from "../dtype.js";
import { Tensor } from "../tensor.js";
import { isGradEnabled, noGrad } from "../autograd/grad-mode.js";
import { record, recordsGrad } from "../autograd/record.js";
import { backend } from "../backend/backend.js";
import { normDim } from "../shape.js";
import { wrap } from "./util.js";
import { mul, sub } from "./binary.js";
import { exp } from "./unary.js";
import { logsumexp, sum } from "./reduce.js";
import { toDType } from "./cast.js";
import { softmaxSmall } from "./softmax-small.js";

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
  return record(
    "LogSoftmaxBackward",
    [x],
    y,
    ([g]) => [fusedBackward(g, y, d, true) ?? sub(g, mul(exp(y), sum(g, d, true)))],
    [y],
  );
}

export function softmax(input: Tensor, dimArg: DimArg, dtypeArg?: DTypeArg): Tensor {
  const [dim, dtype] = dimDtype(dimArg, dtypeArg);
  const x = prepare(input, dtype);
  const d = normDim(dim, x.dim(), "softmax");
  const small = softmaxSmall(x, d);
  const fused = small === null && x.dim() > 0 ? backend().softmax?.(x, d) : null;
  const y = small ?? (fused ? wrap(fused, x.shape, x.dtype) : noGrad(() => exp(logSoftmaxForward(x, d))));
  if (!recordsGrad(x)) return y; // (no node: no closure)
  return record(
    "SoftmaxBackward",
    [x],
    y,
    ([g]) => [fusedBackward(g, y, d, false) ?? mul(y, sub(g, sum(mul(g, y), d, true)))],
    [y],
  );
}

/**
 * The closed-form backward in one kernel pass when the backend has it and no gradient of the
 * gradient is wanted (createGraph differentiates the composed formula instead).
 */
function fusedBackward(g: Tensor, y: Tensor, d: number, log: boolean): Tensor | null {
  if (isGradEnabled() || y.dim() === 0) return null;
  const data = backend().softmaxBackward?.(g, y, d, log);
  return data ? wrap(data, y.shape, y.dtype) : null;
}

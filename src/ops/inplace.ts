// In-place ops. They write into the tensor's own storage (so views see the change), bump the
// storage's version (so a saved tensor changed afterwards is caught by autograd), and, when
// recording, move the tensor's history onto the new node as PyTorch's rebase_history does.
import { isFloating, isIntegral } from "../dtype.js";
import { Tensor } from "../tensor.js";
import { AutogradError, DTypeError, ShapeError, fmtShape } from "../errors.js";
import { broadcastShapes } from "../shape.js";
import { Node } from "../autograd/node.js";
import { backend } from "../backend/backend.js";
import { isGradEnabled } from "../autograd/grad-mode.js";
import type { Scalar, TensorLike } from "./util.js";
import { isTensor } from "./util.js";
import { add, div, mul, pow, sub } from "./binary.js";
import { type ClampBound, type ClampOptions, clamp } from "./softmax.js";
import { maskedFill } from "./indexing.js";
import { expand } from "./view.js";
import { clone, toDType } from "./cast.js";

function checkCanWrite(x: Tensor, op: string): void {
  if (!isGradEnabled()) return;
  if (x.isLeaf && x.requiresGrad) {
    throw new AutogradError(`${op}: a leaf Variable that requires grad is being used in an in-place operation.`);
  }
}

/** Writes `result` (same shape, or broadcastable) into x and adopts its history. */
export function commit(x: Tensor, result: Tensor, op: string): Tensor {
  checkCanWrite(x, op);
  if (isFloating(result.dtype) && isIntegral(x.dtype) || (result.dtype !== "bool" && x.dtype === "bool")) {
    throw new DTypeError(`${op}: result type ${result.dtype} can't be cast to the desired output type ${x.dtype}`);
  }
  const recording = isGradEnabled() && result.requiresGrad;
  if (recording && x.base !== null && x.base.requiresGrad) {
    throw new AutogradError(`${op}: in-place modification of a view of a tensor that requires grad is not supported; use the out-of-place op`);
  }
  if (result.shape.length > x.shape.length || result.shape.some((s, i) => s !== 1 && s !== x.shape[x.shape.length - result.shape.length + i])) {
    throw new ShapeError(`${op}: output with shape ${fmtShape(x.shape)} doesn't match the broadcast shape ${fmtShape(broadcastShapes(x.shape, result.shape, op))}`);
  }
  backend().assign(x, result.dtype === x.dtype ? result : toDType(result, x.dtype));
  x.storage.version++;
  if (recording) {
    x.requiresGrad = true;
    x.gradFn = result.gradFn;
    x.outputNr = result.outputNr;
  } else if (isGradEnabled() && x.requiresGrad) {
    // A value without history (fill_, copy_ from a constant) replaces x's: x's old inputs get no gradient through it.
    cutHistory(x, op);
  }
  return x;
}

/** x keeps requiring grad (as in PyTorch) but through a node with no inputs. */
function cutHistory(x: Tensor, op: string): void {
  if (x.isLeaf) return;
  x.gradFn = new Node(op[0].toUpperCase() + op.slice(1, -1) + "Backward", [], () => [], [], [{ shape: [...x.shape], dtype: x.dtype }]);
  x.outputNr = 0;
}

/**
 * The value the out-of-place op reads for x: a copy when recording, because x is about to be
 * overwritten and backward formulas (mul's, pow's, clamp's) read their inputs. In PyTorch the
 * in-place op keeps the original value for its own backward in the same way.
 */
function before(x: Tensor, ...others: unknown[]): Tensor {
  if (!isGradEnabled()) return x;
  return x.requiresGrad || others.some((o) => isTensor(o) && o.requiresGrad) ? clone(x) : x;
}

export const add_ = (x: Tensor, other: TensorLike, alpha = 1): Tensor => commit(x, add(x, other, alpha), "add_");
export const sub_ = (x: Tensor, other: TensorLike, alpha = 1): Tensor => commit(x, sub(x, other, alpha), "sub_");
export const mul_ = (x: Tensor, other: TensorLike): Tensor => commit(x, mul(before(x, other), other), "mul_");
export const div_ = (x: Tensor, other: TensorLike): Tensor => commit(x, div(before(x, other), other), "div_");
export const pow_ = (x: Tensor, other: TensorLike): Tensor => commit(x, pow(before(x, other), other), "pow_");
export const clamp_ = (x: Tensor, min?: ClampBound | ClampOptions, max?: ClampBound | ClampOptions): Tensor => commit(x, clamp(before(x), min, max), "clamp_");
export const maskedFill_ = (x: Tensor, mask: Tensor, value: Tensor | Scalar): Tensor => commit(x, maskedFill(before(x, value), mask, value), "masked_fill_");
/** x += value * t1 * t2 (optimizers' update form). */
export const addcmul_ = (x: Tensor, t1: TensorLike, t2: TensorLike, value = 1): Tensor => commit(x, add(x, mul(mul(t1, t2), value)), "addcmul_");
export const addcdiv_ = (x: Tensor, t1: TensorLike, t2: TensorLike, value = 1): Tensor => commit(x, add(x, mul(div(t1, t2), value)), "addcdiv_");
export const lerp_ = (x: Tensor, end: TensorLike, weight: TensorLike): Tensor => commit(x, add(x, mul(weight, sub(end, before(x, end, weight)))), "lerp_");

export function fill_(x: Tensor, value: Scalar | Tensor): Tensor {
  checkCanWrite(x, "fill_");
  if (isTensor(value)) return commit(x, expand(value, x.shape), "fill_");
  backend().fill(x, +value);
  x.storage.version++;
  if (isGradEnabled() && x.requiresGrad) cutHistory(x, "fill_");
  return x;
}
export const zero_ = (x: Tensor): Tensor => fill_(x, 0);

export function copy_(x: Tensor, src: Tensor): Tensor {
  const s = src.dtype === x.dtype ? src : toDType(src, x.dtype);
  return commit(x, expand(s, x.shape), "copy_");
}

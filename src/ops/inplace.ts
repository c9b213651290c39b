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
import { add, div, mul, pow, sub, where } from "./binary.js";
import { type ClampBound, type ClampOptions, clamp } from "./clamp.js";
import { maskedFill } from "./indexing.js";
import { asStrided, expand } from "./view.js";
import { sumToShape } from "./broadcast.js";
import { zeros } from "./creation.js";
import { isTensor, scalarTensor } from "./util.js";
import { record, viewScatter } from "../autograd/record.js";
import { clone, contiguous, toDType } from "./cast.js";
import { toDevice } from "./device-copy.js";

function checkCanWrite(x: Tensor, op: string): void {
  if (!isGradEnabled()) return;
  if (x.isLeaf && x.requiresGrad) {
    throw new AutogradError(`${op}: a leaf Variable that requires grad is being used in an in-place operation.`);
  }
  if (x.base !== null && x.base.isLeaf && x.base.requiresGrad && x.base !== x) {
    throw new AutogradError(
      `${op}: a view of a leaf Variable that requires grad is being used in an in-place operation (base ${fmtShape(x.base.shape)}, view ${fmtShape(x.shape)}).`,
    );
  }
}

/** Writes `result` (same shape, or broadcastable) into x and adopts its history. */
export function commit(x: Tensor, result: Tensor, op: string): Tensor {
  checkCanWrite(x, op);
  if ((isFloating(result.dtype) && isIntegral(x.dtype)) || (result.dtype !== "bool" && x.dtype === "bool")) {
    throw new DTypeError(`${op}: result type ${result.dtype} can't be cast to the desired output type ${x.dtype}`);
  }
  const recording = isGradEnabled() && result.requiresGrad;
  if (
    result.shape.length > x.shape.length ||
    result.shape.some((s, i) => s !== 1 && s !== x.shape[x.shape.length - result.shape.length + i])
  ) {
    throw new ShapeError(
      `${op}: output with shape ${fmtShape(x.shape)} doesn't match the broadcast shape ${fmtShape(broadcastShapes(x.shape, result.shape, op))}`,
    );
  }
  if (isGradEnabled() && x.base !== null && (recording || x.base.requiresGrad)) return copySlices(x, result, op);
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

/**
 * An in-place change of a view whose base takes part in autograd (PyTorch's CopySlices): the
 * base's history becomes "the old base with the view's region replaced by result", so the
 * region's gradient goes to result and the rest to the old base; the view then reads from the
 * new base.
 */
function copySlices(x: Tensor, result: Tensor, op: string): Tensor {
  const base = x.base as Tensor;
  if (!(base.offset === 0 && base.isContiguous())) {
    throw new AutogradError(
      `${op}: in-place change of a view of a non-contiguous tensor that requires grad is not supported (base ${fmtShape(base.shape)}); use the out-of-place op`,
    );
  }
  // With base contiguous at offset 0, x's geometry read on any contiguous tensor of base's shape is the region.
  const region = (z: Tensor): Tensor => asStrided(z, x.shape, x.strides, x.offset);
  const mask = zeros(base.shape, { dtype: "bool", device: base.storage.device });
  backend().fill(region(mask), 1);
  const old = new Tensor(base.storage, base.shape, base.strides, base.offset, base.dtype);
  [old.requiresGrad, old.gradFn, old.outputNr] = [base.requiresGrad, base.gradFn, base.outputNr];
  backend().assign(x, result.dtype === x.dtype ? result : toDType(result, x.dtype));
  x.storage.version++;
  const readRegion = (g: Tensor): Tensor => {
    const gc = contiguous(g);
    return record("AsStridedBackward", [gc], region(gc), ([gg]) => [viewScatter(gg, base.shape, region)]);
  };
  record("CopySlices", [old, result], base, ([g]) => [
    old.requiresGrad ? where(mask, 0, g) : null,
    result.requiresGrad ? sumToShape(readRegion(g), result.shape) : null,
  ]);
  record("AsStridedBackward", [base], x, ([g]) => [viewScatter(g, base.shape, region)]);
  x.baseGradFn = base.gradFn;
  return x;
}

/** x keeps requiring grad (as in PyTorch) but through a node with no inputs. */
function cutHistory(x: Tensor, op: string): void {
  if (x.isLeaf) return;
  x.gradFn = new Node(
    op[0].toUpperCase() + op.slice(1, -1) + "Backward",
    [],
    () => [],
    [],
    [{ shape: [...x.shape], dtype: x.dtype, device: x.storage.device }],
  );
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
export const clamp_ = (x: Tensor, min?: ClampBound | ClampOptions, max?: ClampBound | ClampOptions): Tensor =>
  commit(x, clamp(before(x), min, max), "clamp_");
export const maskedFill_ = (x: Tensor, mask: Tensor, value: Tensor | Scalar): Tensor =>
  commit(x, maskedFill(before(x, value), mask, value), "masked_fill_");
/** x += value * t1 * t2 (optimizers' update form). */
export const addcmul_ = (x: Tensor, t1: TensorLike, t2: TensorLike, value = 1): Tensor =>
  commit(x, add(x, mul(mul(t1, t2), value)), "addcmul_");
export const addcdiv_ = (x: Tensor, t1: TensorLike, t2: TensorLike, value = 1): Tensor =>
  commit(x, add(x, mul(div(t1, t2), value)), "addcdiv_");
export const lerp_ = (x: Tensor, end: TensorLike, weight: TensorLike): Tensor =>
  commit(x, add(x, mul(weight, sub(end, before(x, end, weight)))), "lerp_");

export function fill_(x: Tensor, value: Scalar | Tensor): Tensor {
  checkCanWrite(x, "fill_");
  if (isTensor(value)) return commit(x, expand(value, x.shape), "fill_");
  if (isGradEnabled() && (x.requiresGrad || (x.base?.requiresGrad ?? false)))
    return commit(x, scalarTensor(value, x.dtype), "fill_");
  backend().fill(x, +value);
  x.storage.version++;
  if (isGradEnabled() && x.requiresGrad) cutHistory(x, "fill_");
  return x;
}
export const zero_ = (x: Tensor): Tensor => fill_(x, 0);

export function copy_(x: Tensor, src: Tensor): Tensor {
  // copy_ is the one op that takes its source from another device (as PyTorch).
  const moved = src.storage.device === x.storage.device ? src : toDevice(src, x.storage.device, "copy_");
  const s = moved.dtype === x.dtype ? moved : toDType(moved, x.dtype);
  return commit(x, expand(s, x.shape), "copy_");
}

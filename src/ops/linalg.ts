// Matrix products. matmul follows torch.matmul's rules for 1-D operands and batch broadcasting.
import { Tensor } from "../tensor.js";
import { DTypeError, ShapeError, fmtShape } from "../errors.js";
import { backend } from "../backend/backend.js";
import { broadcastShapes } from "../shape.js";
import { record, recordsGrad, relabel } from "../autograd/record.js";
import { wrap } from "./util.js";
import { checkedAlloc } from "../checked-size.js";
import { expand, reshape, transpose, unsqueeze, squeeze } from "./view.js";
import { mul } from "./binary.js";

/** [..., M, K] x [..., K, N] with identical batch dims. */
function product(a: Tensor, b: Tensor): Tensor {
  const nd = a.dim();
  const shape = nd === 2 ? [a.shape[0], b.shape[1]] : [...a.shape.slice(0, -1), b.shape[nd - 1]];
  checkedAlloc("matmul", shape, a.dtype);
  const out = wrap(backend().matmul(a, b, a.dtype), shape, a.dtype);
  // Outside autograd no node: the closure below is made only when one is recorded.
  if (!recordsGrad(a, b)) return out;
  return record(
    "MmBackward",
    [a, b],
    out,
    ([g]) => [
      a.requiresGrad
        ? columnMajor(a)
          ? transpose(product(b, transpose(g, -1, -2)), -1, -2)
          : product(g, transpose(b, -1, -2))
        : null,
      b.requiresGrad
        ? columnMajor(b)
          ? transpose(product(transpose(g, -1, -2), a), -1, -2)
          : product(transpose(a, -1, -2), g)
        : null,
    ],
    [a, b],
  );
}

/**
 * A transposed matrix (a Linear layer's weight.t()): its gradient is computed transposed, as
 * PyTorch's mm backward does, so that it comes out in the operand's own layout and the weight's
 * gradient is contiguous (no strided accumulation into .grad).
 */
function columnMajor(x: Tensor): boolean {
  const n = x.dim();
  return x.shape[n - 2] > 1 && x.shape[n - 1] > 1 && x.strides[n - 2] === 1 && x.strides[n - 1] === x.shape[n - 2];
}

function checkPair(op: string, a: Tensor, b: Tensor): void {
  if (a.dtype !== b.dtype)
    throw new DTypeError(`${op}: expected both operands to have the same dtype, but got ${a.dtype} and ${b.dtype}`);
  if (a.dim() === 0 || b.dim() === 0)
    throw new ShapeError(`${op}: both arguments need at least 1 dimension, got ${a.dim()}D and ${b.dim()}D`);
}

export function matmul(a: Tensor, b: Tensor): Tensor {
  checkPair("matmul", a, b);
  const a2 = a.dim() === 1 ? unsqueeze(a, 0) : a;
  const b2 = b.dim() === 1 ? unsqueeze(b, 1) : b;
  const K = a2.shape[a2.dim() - 1],
    K2 = b2.shape[b2.dim() - 2];
  if (K !== K2) {
    throw new ShapeError(
      `matmul: mat1 and mat2 shapes cannot be multiplied (${a2.shape.slice(-2).join("x")} and ${b2.shape.slice(-2).join("x")}); inputs ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`,
    );
  }
  // Two matrices (the common case): one GEMM, without the batch broadcasting's expand views.
  if (a.dim() === 2 && b.dim() === 2) return product(a, b);
  const batch = broadcastShapes(a2.shape.slice(0, -2), b2.shape.slice(0, -2), "matmul");
  const M = a2.shape[a2.dim() - 2],
    N = b2.shape[b2.dim() - 1];
  // As PyTorch: a batched input times a matrix (a Linear layer on [batch, seq, features]) folds
  // the batch into the rows, one GEMM instead of a batch of small ones with a shared weight.
  let out =
    a2.dim() >= 3 && b2.dim() === 2
      ? reshape(product(reshape(a2, [-1, K]), b2), [...a2.shape.slice(0, -1), N])
      : product(expand(a2, [...batch, M, K]), expand(b2, [...batch, K, N]));
  if (a.dim() === 1) out = squeeze(out, -2);
  if (b.dim() === 1) out = squeeze(out, -1);
  // PyTorch's names for the cases of matmul
  if (a.dim() === 1 && b.dim() === 1) return relabel(out, "DotBackward", [a, b]);
  if (a.dim() === 2 && b.dim() === 1) return relabel(out, "MvBackward", [a, b]);
  if (a.dim() >= 3 || b.dim() >= 3) return relabel(out, "UnsafeViewBackward", [a, b]);
  return out;
}

export function mm(a: Tensor, b: Tensor): Tensor {
  checkPair("mm", a, b);
  if (a.dim() !== 2 || b.dim() !== 2)
    throw new ShapeError(`mm: expected 2-D tensors, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  return matmul(a, b);
}

export function bmm(a: Tensor, b: Tensor): Tensor {
  checkPair("bmm", a, b);
  if (a.dim() !== 3 || b.dim() !== 3 || a.shape[0] !== b.shape[0]) {
    throw new ShapeError(
      `bmm: expected 3-D tensors with the same batch size, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`,
    );
  }
  return matmul(a, b);
}

export function dot(a: Tensor, b: Tensor): Tensor {
  if (a.dim() !== 1 || b.dim() !== 1 || a.shape[0] !== b.shape[0]) {
    throw new ShapeError(
      `dot: expected 1-D tensors of the same size, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`,
    );
  }
  return matmul(a, b);
}

export const mv = (a: Tensor, v: Tensor): Tensor => matmul(a, v);
export const outer = (a: Tensor, b: Tensor): Tensor => mul(reshape(a, [-1, 1]), reshape(b, [1, -1]));

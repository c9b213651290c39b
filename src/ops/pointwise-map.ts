// Reference kernels for pointwise ops that have no backend op: a JavaScript function applied
// to every element (or broadcast pair) of a contiguous float64 copy. The ops built on these give
// their gradients by composition (see math-ext.ts), so backends never see them.
import { type DType, arrayFor, castValue, isFloating, resultType } from "../dtype.js";
import type { Tensor } from "../tensor.js";
import { backend } from "../backend/backend.js";
import { broadcastShapes } from "../shape.js";
import { type TensorLike, isTensor, scalarTensor, wrap } from "./util.js";
import { expand } from "./view.js";

/** The values of x as float64, in row-major order. */
export const valuesOf = (x: Tensor): Float64Array => backend().copy(x, "float64") as Float64Array;

/** f(x) elementwise into a fresh tensor of outDtype. */
export function mapUnary(x: Tensor, outDtype: DType, f: (v: number) => number): Tensor {
  const src = valuesOf(x);
  const out = arrayFor(outDtype, src.length);
  for (let i = 0; i < src.length; i++) out[i] = castValue(f(src[i]), outDtype);
  return wrap(out, x.shape, outDtype);
}

const promotionOperand = (x: TensorLike) => (isTensor(x) ? { dtype: x.dtype, dim: x.dim() } : x);

/** Operands as tensors in their promoted dtype (scalars take the promoted dtype, as PyTorch). */
export function promoted(a: TensorLike, b: TensorLike): { ta: Tensor; tb: Tensor; dtype: DType } {
  const dtype = resultType([promotionOperand(a), promotionOperand(b)]);
  return { ta: isTensor(a) ? a : scalarTensor(a, dtype), tb: isTensor(b) ? b : scalarTensor(b, dtype), dtype };
}

/** f(a, b) elementwise with broadcasting into a fresh tensor of outDtype. */
export function mapBinary(
  a: Tensor,
  b: Tensor,
  outDtype: DType,
  f: (x: number, y: number) => number,
  op: string,
): Tensor {
  const shape = broadcastShapes(a.shape, b.shape, op);
  const va = valuesOf(expand(a, shape)),
    vb = valuesOf(expand(b, shape));
  const out = arrayFor(outDtype, va.length);
  for (let i = 0; i < va.length; i++) out[i] = castValue(f(va[i], vb[i]), outDtype);
  return wrap(out, shape, outDtype);
}

/** f(a, b, c) elementwise with broadcasting. */
export function mapTernary(
  a: Tensor,
  b: Tensor,
  c: Tensor,
  outDtype: DType,
  f: (x: number, y: number, z: number) => number,
  op: string,
): Tensor {
  const shape = broadcastShapes(broadcastShapes(a.shape, b.shape, op), c.shape, op);
  const va = valuesOf(expand(a, shape)),
    vb = valuesOf(expand(b, shape)),
    vc = valuesOf(expand(c, shape));
  const out = arrayFor(outDtype, va.length);
  for (let i = 0; i < va.length; i++) out[i] = castValue(f(va[i], vb[i], vc[i]), outDtype);
  return wrap(out, shape, outDtype);
}

/** Float results of integer inputs are float32, as PyTorch's unary float ops. */
export const floatOf = (d: DType): DType => (isFloating(d) ? d : "float32");

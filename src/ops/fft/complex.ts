// Complex numbers in Flint: a real tensor with a trailing dim of 2 (real, imaginary), the layout
// of torch.view_as_real. Tensors made by the complex-valued ops (torch.fft.*, torch.complex,
// torch.viewAsComplex) are remembered as complex, so that the fft functions read them back as
// complex input; any other tensor given to them is real.
import type { Tensor } from "../../tensor.js";
import { ShapeError, fmtShape } from "../../errors.js";
import { expand, select, view } from "../view.js";
import { broadcastShapes } from "../../shape.js";
import { stack } from "../join.js";
import { neg } from "../unary.js";

const COMPLEX = new WeakSet<Tensor>();

export const isComplexLike = (x: Tensor): boolean => COMPLEX.has(x);
export function markComplex(x: Tensor): Tensor {
  COMPLEX.add(x);
  return x;
}
/** (real, imaginary) parts of a complex-like tensor, or (x, null) for a real one. */
export function parts(x: Tensor): [Tensor, Tensor | null] {
  return isComplexLike(x) ? [select(x, -1, 0), select(x, -1, 1)] : [x, null];
}
export function fromParts(re: Tensor, im: Tensor): Tensor {
  const shape = broadcastShapes(re.shape, im.shape, "complex");
  return markComplex(stack([expand(re, shape), expand(im, shape)], -1));
}

/** torch.view_as_complex: a [..., 2] tensor read as complex (the same storage). */
export function viewAsComplex(x: Tensor): Tensor {
  if (x.shape[x.dim() - 1] !== 2)
    throw new ShapeError(`view_as_complex: Tensor must have a last dimension of size 2, got ${fmtShape(x.shape)}`);
  return markComplex(view(x, x.shape));
}
/** torch.view_as_real: the [..., 2] layout of a complex tensor, as a plain real tensor. */
export function viewAsReal(x: Tensor): Tensor {
  if (!isComplexLike(x)) throw new ShapeError("view_as_real: is only supported for complex tensors");
  return view(x, x.shape);
}
/** torch.complex(real, imag). */
export const complex = (real: Tensor, imag: Tensor): Tensor => fromParts(real, imag);
/** The complex conjugate of a complex-like tensor (a real one is its own conjugate). */
export function conjComplex(x: Tensor): Tensor {
  const [re, im] = parts(x);
  return im === null ? x : fromParts(re, neg(im));
}

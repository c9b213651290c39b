// Tensors as the flat buffers the Gloo addon works on. A contiguous tensor lends its own storage
// (zero copy: the collective writes straight into it); a strided one goes through a contiguous
// copy that is written back when the work completes.
import type { Tensor } from "../tensor.js";
import { fromTypedArray } from "../tensor.js";
import { copy_ } from "../ops/inplace.js";
import { noGrad } from "../autograd/grad-mode.js";
import { DTypeError, ShapeError } from "../errors.js";
import { WireType, type Wire } from "./addon-types.js";

export function wireType(t: Tensor): WireType {
  switch (t.dtype) {
    case "float32":
      return WireType.Float32;
    case "float64":
    case "int64":
      return WireType.Float64;
    case "int32":
      return WireType.Int32;
    case "uint8":
    case "bool":
      return WireType.Uint8;
  }
}

export interface Lent {
  buf: Wire;
  /** Makes the tensor see what the collective wrote (and bumps its version for autograd). */
  commit: () => void;
}

/** The tensor's elements as a flat buffer for a collective that reads and/or writes them. */
export function lend(t: Tensor): Lent {
  const n = t.numel();
  if (t.isContiguous()) {
    return { buf: t.storage.data.subarray(t.offset, t.offset + n), commit: () => void t.storage.version++ };
  }
  const copy = t.typedArray();
  return { buf: copy, commit: () => void noGrad(() => copy_(t, fromTypedArray(copy, t.shape, t.dtype))) };
}

/** A fresh flat buffer of n elements of t's storage type. */
export function bufferLike(t: Tensor, n: number): Wire {
  const C = t.storage.data.constructor as new (n: number) => Wire;
  return new C(n);
}

/** Writes `src` (flat, t.numel() elements) into t. */
export function writeInto(t: Tensor, src: Wire): void {
  if (t.isContiguous()) {
    t.storage.data.set(src, t.offset);
    t.storage.version++;
    return;
  }
  noGrad(() => copy_(t, fromTypedArray(src.slice() as Wire, t.shape, t.dtype)));
}

/** Same dtype and shape, as PyTorch requires of the tensors of one collective. */
export function checkAlike(op: string, a: Tensor, b: Tensor, what: string): void {
  if (a.dtype !== b.dtype) throw new DTypeError(`${op}: ${what} has dtype ${b.dtype}, expected ${a.dtype}`);
  if (a.shape.length !== b.shape.length || a.shape.some((s, i) => s !== b.shape[i])) {
    throw new ShapeError(`${op}: ${what} has shape [${b.shape.join(", ")}], expected [${a.shape.join(", ")}]`);
  }
}

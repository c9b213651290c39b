// Reducing a broadcast gradient back to an operand's shape. It calls sum and reshape as Tensor
// methods, so this leaf of the op layer imports no other op file (no import cycle).
import type { Tensor } from "../tensor.js";

export function sumToShape(g: Tensor, shape: readonly number[]): Tensor {
  if (g.shape.length === shape.length && g.shape.every((s, i) => s === shape[i])) return g;
  const lead = g.dim() - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < g.dim(); i++) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) dims.push(i);
  const r = dims.length ? g.sum(dims, true) : g;
  return r.reshape(shape);
}

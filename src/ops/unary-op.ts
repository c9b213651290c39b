// How a unary op is declared: one object per op (src/ops/unary.ts) gives its reference scalar
// function, output-dtype rule, gradient and what the gradient saves. Everything else is derived
// from the declarations: the UnaryOp name type of the backends, the reference kernels (through
// elementwise-registry.ts), torch.X (src/index.ts re-exports unary.ts), Tensor.prototype.X
// (tensor-methods.ts installs every declared op, typed by UnaryMethods), and the native opcodes
// (resolved by name from the addon's own list, src/backend/native/opcodes.ts).
import type { DType } from "../dtype.js";
import type { Tensor } from "../tensor.js";
import { backend, type UnaryOp } from "../backend/backend.js";
import { record } from "../autograd/record.js";
import { isGradEnabled } from "../autograd/grad-mode.js";
import { registerUnaryFn } from "../backend/elementwise-registry.js";
import { wrap, zerosOf } from "./util.js";

export interface UnaryDecl {
  /** The value of one element (float64 math; the kernel casts it to the output dtype). */
  ref: (x: number) => number;
  /** Output dtype from the input dtype; throws for dtypes PyTorch refuses. */
  dtype: (d: DType) => DType;
  /**
   * The input's gradient from the output's (g), the input (x) and the output (y); "zero" for
   * ops whose derivative is 0 almost everywhere (floor, sign: PyTorch records them and returns
   * zeros); null for ops autograd does not see (boolean results).
   */
  grad: ((g: Tensor, x: Tensor, y: Tensor) => Tensor) | "zero" | null;
  /**
   * What the gradient reads — the input "x", the output "y", or nothing — so that an in-place
   * change of exactly those (and nothing else) is an error, as in PyTorch.
   */
  saves?: "x" | "y";
  /** PyTorch's autograd node name when it is not `<Op>Backward` (square is pow(x, 2) in PyTorch). */
  node?: string;
  /** A front-end case that does not reach the kernel (~mask is logicalNot): a result, or undefined. */
  redirect?: (x: Tensor) => Tensor | undefined;
}

/** A declared unary op: the function torch.X, carrying its name and declaration. */
export interface UnaryOpFn<N extends string = string> {
  (x: Tensor): Tensor;
  readonly opName: N;
  readonly decl: UnaryDecl;
}

export function unaryOp<N extends string>(name: N, decl: UnaryDecl): UnaryOpFn<N> {
  registerUnaryFn(name, decl.ref);
  const node = decl.node ?? name[0].toUpperCase() + name.slice(1) + "Backward";
  const { grad, saves, redirect } = decl;
  const fn = (x: Tensor): Tensor => {
    if (redirect) {
      const r = redirect(x);
      if (r !== undefined) return r;
    }
    const dt = decl.dtype(x.dtype);
    const y = wrap(backend().unary(name as string as UnaryOp, x, dt), x.shape, dt);
    if (grad === null || !x.requiresGrad || !isGradEnabled()) return y;
    const backward =
      grad === "zero" ? (g: Tensor) => zerosOf(g.shape, g.dtype, g.storage.device) : (g: Tensor) => grad(g, x, y);
    return record(node, [x], y, ([g]) => [backward(g)], saves === "x" ? [x] : saves === "y" ? [y] : []);
  };
  return Object.assign(fn, { opName: name, decl });
}

/** The names of the unary ops a module declares (its exports that are UnaryOpFns). */
export type UnaryOpNamesOf<M> = { [K in keyof M]: M[K] extends UnaryOpFn<infer N> ? N : never }[keyof M];

export const isUnaryOpFn = (v: unknown): v is UnaryOpFn =>
  typeof v === "function" && typeof (v as Partial<UnaryOpFn>).opName === "string";

// Running the nn-surface fixtures (scripts/fixtures/nnsurf_*.py): each case has inputs, the
// outputs PyTorch 1.13 gave, random output gradients and the input gradients PyTorch computed.
import assert from "node:assert/strict";
import * as torch from "../src/index.js";
import { type Enc, assertClose, dec as decNN } from "./nn-helpers.js";

export interface SurfEnc {
  shape: number[];
  dtype: "float32" | "float64" | "int64" | "bool" | "uint8";
  b64?: string;
  ints?: number[];
}
export interface SurfCase {
  name: string;
  inputs: SurfEnc[];
  outputs: SurfEnc[];
  tuple: boolean;
  gradOuts: SurfEnc[];
  grads: (SurfEnc | null)[];
  [extra: string]: unknown;
}

export function dec(e: SurfEnc): torch.Tensor {
  if (e.dtype === "bool" || e.dtype === "uint8")
    return torch.tensor(e.ints as number[], { dtype: e.dtype }).reshape(e.shape);
  return decNN(e as Enc);
}

/** Decodes values in an options/arguments tree: {shape, dtype, …} objects become tensors. */
export function decTree(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(decTree);
  if (v !== null && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if ("shape" in o && "dtype" in o && ("b64" in o || "ints" in o)) return dec(o as unknown as SurfEnc);
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, decTree(x)]));
  }
  return v;
}

const tolOf = (dt: string): number => (dt === "float64" ? 1e-9 : 2e-4);

/**
 * Runs fn on the case's inputs (float inputs with a PyTorch gradient require grad) and checks
 * outputs and input gradients against PyTorch. `tol` scales the float tolerances.
 */
export function checkCase(c: SurfCase, fn: (...xs: torch.Tensor[]) => unknown, tol = 1): void {
  const xs = c.inputs.map((e, i) => {
    const t = dec(e);
    if (c.grads[i] !== null && t.isFloatingPoint()) t.requiresGrad_(true);
    return t;
  });
  const r = fn(...xs);
  const outs = (Array.isArray(r) ? r : [r]).filter((o): o is torch.Tensor => o instanceof torch.Tensor);
  assert.equal(outs.length, c.outputs.length, `${c.name}: number of outputs`);
  outs.forEach((o, i) => {
    const want = dec(c.outputs[i]);
    const t = tolOf(want.dtype) * tol;
    if (want.isFloatingPoint()) assertClose(o, want, `${c.name} output ${i}`, t, t);
    else {
      assert.deepEqual(o.shape, want.shape, `${c.name} output ${i} shape`);
      assert.deepEqual(
        Array.from(o.typedArray(), Number),
        Array.from(want.typedArray(), Number),
        `${c.name} output ${i}`,
      );
    }
  });
  const floatOuts = outs.filter((o) => o.requiresGrad);
  if (c.gradOuts.length === 0) return;
  assert.equal(floatOuts.length, c.gradOuts.length, `${c.name}: differentiable outputs`);
  let total: torch.Tensor | null = null;
  floatOuts.forEach((o, i) => {
    const term = torch.mul(o, dec(c.gradOuts[i])).sum();
    total = total === null ? term : torch.add(total, term);
  });
  (total as unknown as torch.Tensor).backward();
  c.grads.forEach((g, i) => {
    if (g === null) return;
    const t = tolOf(g.dtype) * tol;
    const got = xs[i].grad ?? torch.zerosLike(xs[i]);
    assertClose(got, dec(g), `${c.name} grad of input ${i}`, t, t);
  });
}

/** float64 finite-difference check of fn at the case's float64 inputs (those that get a gradient). */
export function gradcheckCase(
  c: SurfCase,
  fn: (...xs: torch.Tensor[]) => unknown,
  opts: { atol?: number; rtol?: number } = {},
): void {
  const xs = c.inputs.map((e, i) => {
    const t = dec(e);
    if (c.grads[i] !== null && t.isFloatingPoint()) return t.double().requiresGrad_(true);
    return t;
  });
  const f = (...a: torch.Tensor[]): torch.Tensor[] => {
    const r = fn(...a);
    return (Array.isArray(r) ? r : [r]).filter(
      (o): o is torch.Tensor => o instanceof torch.Tensor && o.isFloatingPoint(),
    );
  };
  assert.ok(
    torch.autograd.gradcheck(f, xs, { atol: opts.atol ?? 1e-5, rtol: opts.rtol ?? 1e-3 }),
    `${c.name}: gradcheck`,
  );
}

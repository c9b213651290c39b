// torch.autograd.gradcheck: compares the analytical Jacobian (one backward per output element)
// with central finite differences, in float64.
import { Tensor } from "../tensor.js";
import { FlintError } from "../errors.js";
import { runBackward } from "./engine.js";
import { zeros } from "../ops/creation.js";

export class GradcheckError extends FlintError {}

export interface GradcheckOptions {
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Return false instead of throwing on a mismatch. */
  raiseException?: boolean;
}

type Fn = (...inputs: Tensor[]) => Tensor | readonly Tensor[];

const outputsOf = (fn: Fn, inputs: Tensor[]): Tensor[] => {
  const r = fn(...inputs);
  return Array.isArray(r) ? [...r] : [r as Tensor];
};

export function gradcheck(fn: Fn, inputs: readonly Tensor[], opts: GradcheckOptions = {}): boolean {
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3, raiseException = true } = opts;
  const ins = [...inputs];
  for (const [i, t] of ins.entries()) {
    if (t.requiresGrad && t.dtype !== "float64") {
      throw new GradcheckError(`gradcheck: input ${i} requires grad but has dtype ${t.dtype}; use float64 inputs`);
    }
  }
  // fn runs with grad mode on, as PyTorch's gradcheck does, so a function that itself calls
  // autograd.grad (a double-backward check) works; the numerical passes just ignore the graph.
  const outs = outputsOf(fn, ins).filter((o) => o.dtype === "float64" || o.dtype === "float32");
  const outSizes = outs.map((o) => o.numel());
  const checkIdx = ins.flatMap((t, i) => (t.requiresGrad ? [i] : []));
  for (const i of checkIdx) {
    const x = ins[i];
    const n = x.numel();
    // Numerical: perturb each element of x through its own storage.
    const numerical: Float64Array[] = outSizes.map((m) => new Float64Array(n * m));
    const offsets = elementOffsets(x);
    for (let k = 0; k < n; k++) {
      const o = offsets[k];
      const orig = x.storage.data[o];
      x.storage.data[o] = orig + eps;
      const plus = outputsOf(fn, ins).map((t) => t.typedArray());
      x.storage.data[o] = orig - eps;
      const minus = outputsOf(fn, ins).map((t) => t.typedArray());
      x.storage.data[o] = orig;
      plus.forEach((p, j) => {
        for (let m = 0; m < p.length; m++) numerical[j][m * n + k] = (p[m] - minus[j][m]) / (2 * eps);
      });
    }
    // Analytical: one vector-Jacobian product per output element.
    for (const [j, size] of outSizes.entries()) {
      for (let m = 0; m < size; m++) {
        const outsNow = outputsOf(fn, ins);
        const out = outsNow.filter((o) => o.dtype === "float64" || o.dtype === "float32")[j];
        if (!out.requiresGrad) {
          for (let k = 0; k < n; k++) {
            if (Math.abs(numerical[j][m * n + k]) > atol)
              return fail(`output ${j} does not require grad but input ${i} changes it`, raiseException);
          }
          continue;
        }
        const seed = zeros(out.shape, { dtype: out.dtype, device: out.storage.device });
        seed.storage.data[m] = 1;
        const [g] = runBackward([out], [seed], { inputs: [x], allowUnused: true });
        const ga = g ? g.typedArray() : new Float64Array(n);
        for (let k = 0; k < n; k++) {
          const a = ga[k],
            b = numerical[j][m * n + k];
          if (!(Math.abs(a - b) <= atol + rtol * Math.abs(b))) {
            return fail(
              `Jacobian mismatch for output ${j} element ${m} with respect to input ${i} element ${k}: analytical ${a}, numerical ${b}`,
              raiseException,
            );
          }
        }
      }
    }
  }
  return true;
}

function elementOffsets(x: Tensor): number[] {
  const out: number[] = [];
  const rec = (d: number, off: number) => {
    if (d === x.dim()) {
      out.push(off);
      return;
    }
    for (let i = 0; i < x.shape[d]; i++) rec(d + 1, off + i * x.strides[d]);
  };
  rec(0, x.offset);
  return out;
}

function fail(msg: string, raise: boolean): boolean {
  if (raise) throw new GradcheckError(`gradcheck: ${msg}`);
  return false;
}
